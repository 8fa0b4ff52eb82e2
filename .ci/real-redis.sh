#!/usr/bin/env bash
# Real mode, end to end: real redis-server 7.0 data nodes (6382 master, 6383/6384 replicas) watched
# by three of our Sentinels (5000-5002) built WITHOUT the simulator, on loopback. The master is
# killed (kill -9); every Sentinel must then name a replica as the new master, the other replica
# must follow it, and the old master, restarted, must be converted to a replica.
# Usage: .ci/real-redis.sh <path to sentinel-sim-sentinel>
source "$(dirname "$0")/real-lib.sh"
on_timeout() { for p in 5000 5001 5002; do echo "--- sentinel $p"; tail -20 "$WORK/s$p.log"; done; }
start_redis() { # port [replicaof-port]
    local port=$1 dir="$WORK/r$1"; mkdir -p "$dir"
    { echo "port $port"; echo "bind 127.0.0.1"; echo "dir $dir"; echo 'save ""'; echo "appendonly no"
      [ -n "${2:-}" ] && echo "replicaof 127.0.0.1 $2"; } > "$dir/redis.conf"
    redis-server "$dir/redis.conf" > "$dir/log" 2>&1 & PIDS+=($!); eval "R$port=$!"
    wait_for 5 "redis $port up" cli "$port" ping
}
start_redis 6382; start_redis 6383 6382; start_redis 6384 6382
for p in 5000 5001 5002; do
    printf 'port %s\nsentinel monitor mymaster 127.0.0.1 6382 2\nsentinel down-after-milliseconds mymaster 3000\nsentinel failover-timeout mymaster 3000\n' "$p" > "$WORK/s$p.conf"
    "$BIN" "$WORK/s$p.conf" > "$WORK/s$p.log" 2>&1 & PIDS+=($!)
done
for p in 5000 5001 5002; do wait_for 10 "sentinel $p up" cli $p ping; done
for p in 5000 5001 5002; do
    wait_for 20 "sentinel $p knows 2 peers and 2 replicas" \
        bash -c "redis-cli -p $p info sentinel | grep -q 'slaves=2,sentinels=3'"
done
echo "discovery ok: $(cli 5000 info sentinel | grep master0)"
kill -9 "$R6382"
for p in 5000 5001 5002; do
    wait_for 30 "sentinel $p switched" bash -c "redis-cli -p $p sentinel get-master-addr-by-name mymaster | grep -qE '^638[34]$'"
done
NEW=$(cli 5000 sentinel get-master-addr-by-name mymaster | tail -1)
for p in 5001 5002; do [ "$(cli $p sentinel get-master-addr-by-name mymaster | tail -1)" = "$NEW" ] || { echo "sentinels disagree"; exit 1; }; done
OTHER=$([ "$NEW" = 6383 ] && echo 6384 || echo 6383)
wait_for 20 "replica $OTHER follows $NEW" bash -c "redis-cli -p $OTHER info replication | grep -q 'master_port:$NEW'"
grep -h "+switch-master\|+elected-leader\|+odown" "$WORK"/s500*.log | head -8
echo "failover ok: new master $NEW, $OTHER follows it"
start_redis 6382
wait_for 40 "old master converted" bash -c "redis-cli -p 6382 info replication | grep -q 'master_port:$NEW'"
grep -h "+convert-to-slave" "$WORK"/s500*.log | head -1
echo "real mode OK: failover to $NEW, old master converted"
