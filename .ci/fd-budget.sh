#!/usr/bin/env bash
# Real-mode limits: `bind 127.0.0.1` is honoured (loopback only), and the descriptor budget: our
# Sentinel runs under `ulimit -n 256` with a real redis-server master and replica, and 400
# clients connect to it. Like Redis, it must keep
# descriptors for itself (maxclients is lowered to 256 - 32), refuse the extra clients with
# "-ERR max number of clients reached", keep its links (the healthy master is never flagged
# +sdown) and still save its config.
# Usage: .ci/fd-budget.sh <path to sentinel-sim-sentinel>
source "$(dirname "$0")/real-lib.sh"
on_timeout() { tail -20 "$WORK/s.log"; }
for port in 6392 6393; do
    dir="$WORK/r$port"; mkdir -p "$dir"
    { echo "port $port"; echo "bind 127.0.0.1"; echo "dir $dir"; echo 'save ""'; echo "appendonly no"
      [ "$port" = 6393 ] && echo "replicaof 127.0.0.1 6392"; } > "$dir/redis.conf"
    redis-server "$dir/redis.conf" > "$dir/log" 2>&1 & PIDS+=($!)
    wait_for 5 "redis $port up" cli "$port" ping
done
printf 'port 5090\nbind 127.0.0.1\nsentinel monitor mymaster 127.0.0.1 6392 1\nsentinel down-after-milliseconds mymaster 2000\n' > "$WORK/s.conf"
(ulimit -n 256 && exec "$BIN" "$WORK/s.conf") > "$WORK/s.log" 2>&1 & PIDS+=($!)
wait_for 10 "sentinel up" cli 5090 ping
wait_for 20 "sentinel knows the replica" bash -c "redis-cli -p 5090 info sentinel | grep -q 'slaves=1'"
# `bind 127.0.0.1`: the port listens on loopback only (/proc/net/tcp: 0100007F:13E2 in state 0A).
python3 - <<'PY'
rows = [l.split() for l in open("/proc/net/tcp").read().splitlines()[1:]]
listening = [r[1] for r in rows if r[3] == "0A" and r[1].endswith(":13E2")]
assert listening == ["0100007F:13E2"], f"port 5090 listens on {listening}, not 127.0.0.1 only"
print("bind 127.0.0.1: listening on loopback only")
PY
python3 - <<'PY'
import socket, time
socks, refused = [], 0
for _ in range(400):
    s = socket.create_connection(("127.0.0.1", 5090))
    socks.append(s)
time.sleep(1.0)
for s in socks:
    s.setblocking(False)
    try:
        data = s.recv(100)
        if data.startswith(b"-ERR max number of clients reached"):
            refused += 1
    except BlockingIOError:
        pass
print(f"400 clients: {400 - refused} kept, {refused} refused with -ERR max number of clients reached")
assert 150 <= refused <= 400 - 150, refused
time.sleep(5.0)  # more than down-after with the clients still connected
for s in socks:
    s.close()
PY
if grep -q "+sdown master" "$WORK/s.log"; then echo "the healthy master was flagged +sdown"; grep sdown "$WORK/s.log"; exit 1; fi
[ "$(cli 5090 sentinel flushconfig)" = OK ] || { echo "config could not be saved"; exit 1; }
grep -q "maxclients has been reduced to 224" "$WORK/s.log" || { echo "maxclients not fitted"; cat "$WORK/s.log"; exit 1; }
echo "fd budget OK: maxclients 224 under ulimit -n 256, extra clients refused, master never +sdown, config saved"
