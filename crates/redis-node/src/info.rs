//! INFO, ROLE and CLIENT LIST output, in Redis 7.0.15's formats and field order.

use crate::core::{Client, ClientKind, LinkState, Now, ReplicaState, State, MAX_CLIENTS};
use resp::Value;
use std::fmt::Write;

const SECTIONS: &[&str] = &[
    "server",
    "clients",
    "memory",
    "persistence",
    "stats",
    "replication",
    "cpu",
    "modules",
    "errorstats",
    "cluster",
    "keyspace",
];

fn human_bytes(n: u64) -> String {
    if n < 1024 {
        format!("{n}B")
    } else if n < 1024 * 1024 {
        format!("{:.2}K", n as f64 / 1024.0)
    } else {
        format!("{:.2}M", n as f64 / (1024.0 * 1024.0))
    }
}

impl State {
    /// `INFO [section ...]`: sections in Redis' fixed order, separated by a blank line, CRLF line
    /// ends; an unknown section yields nothing.
    pub fn info(&self, args: &[Vec<u8>], now: Now) -> String {
        let mut want = [false; SECTIONS.len()];
        if args.is_empty() {
            want = [true; SECTIONS.len()];
        }
        for a in args {
            let a = a.to_ascii_lowercase();
            if a == b"all" || a == b"everything" || a == b"default" {
                want = [true; SECTIONS.len()];
            } else if let Some(i) = SECTIONS.iter().position(|s| s.as_bytes() == a.as_slice()) {
                want[i] = true;
            }
        }
        let mut out = String::with_capacity(2048);
        let mut first = true;
        for (i, name) in SECTIONS.iter().enumerate() {
            if !want[i] {
                continue;
            }
            if !first {
                out.push_str("\r\n");
            }
            first = false;
            match *name {
                "server" => self.info_server(&mut out, now),
                "clients" => self.info_clients(&mut out),
                "memory" => self.info_memory(&mut out),
                "persistence" => self.info_persistence(&mut out),
                "stats" => self.info_stats(&mut out),
                "replication" => self.info_replication(&mut out, now),
                "cpu" => out.push_str(
                    "# CPU\r\nused_cpu_sys:0.000000\r\nused_cpu_user:0.000000\r\nused_cpu_sys_children:0.000000\r\nused_cpu_user_children:0.000000\r\nused_cpu_sys_main_thread:0.000000\r\nused_cpu_user_main_thread:0.000000\r\n",
                ),
                "modules" => out.push_str("# Modules\r\n"),
                "errorstats" => out.push_str("# Errorstats\r\n"),
                "cluster" => out.push_str("# Cluster\r\ncluster_enabled:0\r\n"),
                _ => {
                    out.push_str("# Keyspace\r\n");
                    if !self.db.is_empty() {
                        let _ = write!(out, "db0:keys={},expires={},avg_ttl=0\r\n", self.db.len(), self.db.expires_count());
                    }
                }
            }
        }
        out
    }

    fn info_server(&self, out: &mut String, now: Now) {
        let uptime_s = (now.wall_ms - self.start_wall_ms).div_euclid(1000);
        let _ = write!(
            out,
            "# Server\r\n\
             redis_version:7.0.15\r\n\
             redis_git_sha1:00000000\r\n\
             redis_git_dirty:0\r\n\
             redis_build_id:ae4d7c971a948f0\r\n\
             redis_mode:standalone\r\n\
             os:Linux 6.1.0-sim x86_64\r\n\
             arch_bits:64\r\n\
             monotonic_clock:POSIX clock_gettime\r\n\
             multiplexing_api:epoll\r\n\
             atomicvar_api:c11-builtin\r\n\
             gcc_version:12.2.0\r\n\
             process_id:{}\r\n\
             process_supervised:no\r\n\
             run_id:{}\r\n\
             tcp_port:{}\r\n\
             server_time_usec:{}\r\n\
             uptime_in_seconds:{}\r\n\
             uptime_in_days:{}\r\n\
             hz:10\r\n\
             configured_hz:10\r\n\
             lru_clock:{}\r\n\
             executable:/usr/bin/redis-server\r\n\
             config_file:/etc/redis/redis-{}.conf\r\n\
             io_threads_active:0\r\n",
            self.process_id,
            self.run_id,
            self.settings.port,
            now.wall_ms.saturating_mul(1000),
            uptime_s,
            uptime_s.div_euclid(86_400),
            now.wall_s().rem_euclid(1 << 24),
            self.settings.port,
        );
    }

    fn info_clients(&self, out: &mut String) {
        let blocked = self.clients.values().filter(|c| c.blocked.is_some()).count();
        let timeout_table = self
            .clients
            .values()
            .filter(|c| c.blocked.is_some_and(|b| b.deadline_mono_ms.is_some()))
            .count();
        let max_out = self.clients.values().map(|c| c.out.len()).max().unwrap_or(0);
        let _ = write!(
            out,
            "# Clients\r\n\
             connected_clients:{}\r\n\
             cluster_connections:0\r\n\
             maxclients:{MAX_CLIENTS}\r\n\
             client_recent_max_input_buffer:20480\r\n\
             client_recent_max_output_buffer:{max_out}\r\n\
             blocked_clients:{blocked}\r\n\
             tracking_clients:0\r\n\
             clients_in_timeout_table:{timeout_table}\r\n",
            self.clients.len() - self.replicas.len(),
        );
    }

    fn info_memory(&self, out: &mut String) {
        let backlog = self.repl.backlog.as_ref().map(|b| b.histlen() as u64).unwrap_or(0);
        let used = 876_168 + backlog + self.db.len() as u64 * 64;
        let _ = write!(
            out,
            "# Memory\r\n\
             used_memory:{used}\r\n\
             used_memory_human:{}\r\n\
             maxmemory:0\r\n\
             maxmemory_human:0B\r\n\
             maxmemory_policy:noeviction\r\n\
             mem_replication_backlog:{backlog}\r\n\
             mem_allocator:jemalloc-5.3.0\r\n",
            human_bytes(used),
        );
    }

    fn info_persistence(&self, out: &mut String) {
        let _ = write!(
            out,
            "# Persistence\r\n\
             loading:{}\r\n\
             async_loading:0\r\n\
             rdb_changes_since_last_save:0\r\n\
             rdb_bgsave_in_progress:0\r\n\
             rdb_last_save_time:{}\r\n\
             rdb_last_bgsave_status:ok\r\n\
             aof_enabled:{}\r\n\
             aof_rewrite_in_progress:0\r\n\
             aof_last_bgrewrite_status:ok\r\n\
             aof_last_write_status:ok\r\n",
            u8::from(self.loading),
            self.start_wall_ms.div_euclid(1000),
            u8::from(self.settings.persistence),
        );
    }

    fn info_stats(&self, out: &mut String) {
        let s = &self.stats;
        let _ = write!(
            out,
            "# Stats\r\n\
             total_connections_received:{}\r\n\
             total_commands_processed:{}\r\n\
             instantaneous_ops_per_sec:0\r\n\
             rejected_connections:{}\r\n\
             sync_full:{}\r\n\
             sync_partial_ok:{}\r\n\
             sync_partial_err:{}\r\n\
             expired_keys:{}\r\n\
             evicted_keys:0\r\n\
             keyspace_hits:{}\r\n\
             keyspace_misses:{}\r\n\
             pubsub_channels:{}\r\n\
             pubsub_patterns:{}\r\n\
             total_error_replies:{}\r\n",
            s.connections,
            s.commands,
            s.rejected_connections,
            s.sync_full,
            s.sync_partial_ok,
            s.sync_partial_err,
            s.data.expired_keys,
            s.data.keyspace_hits,
            s.data.keyspace_misses,
            self.channels.len(),
            self.patterns.len(),
            s.error_replies,
        );
    }

    fn info_replication(&self, out: &mut String, now: Now) {
        let now_s = now.wall_s();
        out.push_str("# Replication\r\n");
        match &self.link.master {
            None => out.push_str("role:master\r\n"),
            Some((host, port)) => {
                let link = &self.link;
                let last_io = if link.master_cid.is_some() {
                    now_s - link.last_io_s
                } else {
                    -1
                };
                let off = self.slave_repl_offset();
                let _ = write!(
                    out,
                    "role:slave\r\n\
                     master_host:{host}\r\n\
                     master_port:{port}\r\n\
                     master_link_status:{}\r\n\
                     master_last_io_seconds_ago:{last_io}\r\n\
                     master_sync_in_progress:{}\r\n\
                     slave_read_repl_offset:{off}\r\n\
                     slave_repl_offset:{off}\r\n",
                    if link.state == LinkState::Connected {
                        "up"
                    } else {
                        "down"
                    },
                    u8::from(link.state == LinkState::Transfer),
                );
                if link.state == LinkState::Transfer {
                    out.push_str(
                        "master_sync_total_bytes:-1\r\nmaster_sync_read_bytes:0\r\nmaster_sync_left_bytes:-1\r\nmaster_sync_perc:0.00\r\nmaster_sync_last_io_seconds_ago:0\r\n",
                    );
                }
                if link.state != LinkState::Connected {
                    let down = link.down_since_s.map(|t| now_s - t).unwrap_or(-1);
                    let _ = write!(out, "master_link_down_since_seconds:{down}\r\n");
                }
                let _ = write!(
                    out,
                    "slave_priority:{}\r\nslave_read_only:{}\r\nreplica_announced:1\r\n",
                    self.settings.replica_priority,
                    u8::from(self.settings.replica_read_only),
                );
            }
        }
        let _ = write!(out, "connected_slaves:{}\r\n", self.replicas.len());
        if self.settings.min_replicas_to_write > 0 && self.settings.min_replicas_max_lag_s > 0 {
            let _ = write!(out, "min_slaves_good_slaves:{}\r\n", self.good_replicas);
        }
        for (i, c) in self.replicas.iter().filter_map(|id| self.clients.get(id)).enumerate() {
            let ClientKind::Replica(r) = &c.kind else {
                continue;
            };
            let (state, lag) = match r.state {
                ReplicaState::WaitBgsave => ("wait_bgsave", 0),
                ReplicaState::Online => ("online", now_s - r.ack_time_s),
            };
            let _ = write!(
                out,
                "slave{i}:ip={},port={},state={state},offset={},lag={lag}\r\n",
                c.replica_ip(),
                c.listening_port,
                r.ack_off,
            );
        }
        let (active, first, hist) = match &self.repl.backlog {
            Some(b) => (1, b.first_byte_offset(), b.histlen()),
            None => (0, 0, 0),
        };
        let _ = write!(
            out,
            "master_failover_state:no-failover\r\n\
             master_replid:{}\r\n\
             master_replid2:{}\r\n\
             master_repl_offset:{}\r\n\
             second_repl_offset:{}\r\n\
             repl_backlog_active:{active}\r\n\
             repl_backlog_size:{}\r\n\
             repl_backlog_first_byte_offset:{first}\r\n\
             repl_backlog_histlen:{hist}\r\n",
            self.repl.replid,
            self.repl.replid2,
            self.repl.offset,
            self.repl.second_offset,
            crate::repl::BACKLOG_BYTES,
        );
    }

    /// `ROLE`.
    pub fn role(&self) -> Value {
        match &self.link.master {
            None => {
                let replicas = self
                    .replicas
                    .iter()
                    .filter_map(|id| self.clients.get(id))
                    .filter_map(|c| match &c.kind {
                        ClientKind::Replica(r) if r.state == ReplicaState::Online => Some(Value::Array(vec![
                            Value::bulk(c.replica_ip()),
                            Value::bulk(c.listening_port.to_string()),
                            Value::bulk(r.ack_off.to_string()),
                        ])),
                        _ => None,
                    })
                    .collect();
                Value::Array(vec![
                    Value::bulk("master"),
                    Value::Int(self.repl.offset),
                    Value::Array(replicas),
                ])
            }
            Some((host, port)) => {
                let state = match self.link.state {
                    LinkState::None => "none",
                    LinkState::Connect => "connect",
                    LinkState::Connecting => "connecting",
                    LinkState::Handshake => "handshake",
                    LinkState::Transfer => "sync",
                    LinkState::Connected => "connected",
                };
                let off = if self.link.master_cid.is_some() {
                    self.repl.offset
                } else {
                    -1
                };
                Value::Array(vec![
                    Value::bulk("slave"),
                    Value::bulk(host),
                    Value::Int(*port as i64),
                    Value::bulk(state),
                    Value::Int(off),
                ])
            }
        }
    }

    /// One `CLIENT LIST` line (without the newline).
    pub fn client_info_line(&self, c: &Client, now: Now) -> String {
        let mut flags = String::new();
        match c.kind {
            ClientKind::Replica(_) => flags.push('S'),
            ClientKind::Master => flags.push('M'),
            ClientKind::Normal => {}
        }
        if c.in_pubsub() {
            flags.push('P');
        }
        if c.multi.is_some() {
            flags.push('x');
        }
        if c.blocked.is_some() {
            flags.push('b');
        }
        if c.closing {
            flags.push('c');
        }
        if flags.is_empty() {
            flags.push('N');
        }
        let multi = c.multi.as_ref().map(|m| m.cmds.len() as i64).unwrap_or(-1);
        let user = if matches!(c.kind, ClientKind::Master) {
            "(superuser)"
        } else {
            "default"
        };
        format!(
            "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={flags} db=0 sub={} psub={} ssub=0 multi={multi} \
             qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem={} tot-mem=0 events=r cmd={} \
             user={user} redir=-1 resp=2",
            c.id,
            c.addr,
            c.laddr,
            c.id + 4,
            c.name,
            now.mono_ms.saturating_sub(c.created_mono_ms) / 1000,
            now.mono_ms.saturating_sub(c.last_mono_ms) / 1000,
            c.subs.len(),
            c.psubs.len(),
            c.out.len(),
            c.last_cmd,
        )
    }
}
