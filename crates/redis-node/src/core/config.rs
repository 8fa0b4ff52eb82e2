//! CONFIG GET/SET/REWRITE/RESETSTAT over the runtime settings.

use super::{err, lossy, ok, Now, Reply, State, Stats, MAX_CLIENTS, REPL_BACKLOG_TTL_S, REPL_PING_PERIOD_LOOPS};
use crate::db;
use crate::disk::PersistedConfig;
use resp::Value;
use std::collections::BTreeSet;

impl State {
    fn param_value(&self, name: &str) -> Option<String> {
        let s = &self.settings;
        let b = |v: bool| if v { "yes".to_string() } else { "no".to_string() };
        Some(match name {
            "replica-priority" | "slave-priority" => s.replica_priority.to_string(),
            "min-replicas-to-write" | "min-slaves-to-write" => s.min_replicas_to_write.to_string(),
            "min-replicas-max-lag" | "min-slaves-max-lag" => s.min_replicas_max_lag_s.to_string(),
            "replica-serve-stale-data" | "slave-serve-stale-data" => b(s.replica_serve_stale_data),
            "replica-read-only" | "slave-read-only" => b(s.replica_read_only),
            "repl-diskless-sync-delay" => (s.repl_diskless_sync_delay_ms / 1000).to_string(),
            "repl-timeout" => s.repl_timeout_s.to_string(),
            "port" => s.port.to_string(),
            "replica-announce-ip" | "slave-announce-ip" => s.announce_ip.clone(),
            "requirepass" => s.requirepass.clone().unwrap_or_default(),
            "masterauth" => s.requirepass.clone().unwrap_or_default(),
            "appendonly" => b(s.persistence),
            "appendfsync" => "always".into(),
            "save" => String::new(),
            "repl-backlog-size" => crate::repl::BACKLOG_BYTES.to_string(),
            "repl-backlog-ttl" => REPL_BACKLOG_TTL_S.to_string(),
            "repl-ping-replica-period" | "repl-ping-slave-period" => REPL_PING_PERIOD_LOOPS.to_string(),
            "repl-diskless-sync" => "yes".into(),
            "maxclients" => MAX_CLIENTS.to_string(),
            "databases" => "1".into(),
            _ => return None,
        })
    }

    pub(super) fn config_get(&self, patterns: &[Vec<u8>]) -> Value {
        const CANONICAL: &[&str] = &[
            "replica-priority",
            "min-replicas-to-write",
            "min-replicas-max-lag",
            "replica-serve-stale-data",
            "replica-read-only",
            "repl-diskless-sync-delay",
            "repl-timeout",
            "port",
            "replica-announce-ip",
            "requirepass",
            "masterauth",
            "appendonly",
            "appendfsync",
            "save",
            "repl-backlog-size",
            "repl-backlog-ttl",
            "repl-ping-replica-period",
            "repl-diskless-sync",
            "maxclients",
            "databases",
        ];
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for p in patterns {
            let p = p.to_ascii_lowercase();
            let is_glob = p.iter().any(|b| matches!(b, b'*' | b'?' | b'['));
            if !is_glob {
                let name = lossy(&p);
                if let Some(v) = self.param_value(&name) {
                    if seen.insert(name.clone()) {
                        out.push(Value::bulk(&name));
                        out.push(Value::bulk(v));
                    }
                }
                continue;
            }
            for name in CANONICAL {
                if db::glob_match(&p, name.as_bytes()) && seen.insert(name.to_string()) {
                    out.push(Value::bulk(name));
                    out.push(Value::bulk(self.param_value(name).unwrap_or_default()));
                }
            }
        }
        Value::Array(out)
    }

    pub(super) fn config_set(&mut self, pairs: &[Vec<u8>], now: Now) -> Reply {
        if !pairs.len().is_multiple_of(2) {
            return err("ERR wrong number of arguments for 'config|set' command");
        }
        // Validate everything first: CONFIG SET is atomic in 7.0.
        let mut new = self.settings.clone();
        for kv in pairs.chunks(2) {
            let name = lossy(&kv[0]).to_ascii_lowercase();
            let val = lossy(&kv[1]);
            let fail = |why: &str| {
                err(format!(
                    "ERR CONFIG SET failed (possibly related to argument '{name}') - {why}"
                ))
            };
            let int = |v: &str| v.parse::<u64>().ok();
            let boolean = |v: &str| match v.to_ascii_lowercase().as_str() {
                "yes" => Some(true),
                "no" => Some(false),
                _ => None,
            };
            match name.as_str() {
                "replica-priority" | "slave-priority" => match int(&val).and_then(|v| u32::try_from(v).ok()) {
                    Some(v) => new.replica_priority = v,
                    None => return fail("argument couldn't be parsed into an integer"),
                },
                "min-replicas-to-write" | "min-slaves-to-write" => {
                    match int(&val).and_then(|v| u32::try_from(v).ok()) {
                        Some(v) => new.min_replicas_to_write = v,
                        None => return fail("argument couldn't be parsed into an integer"),
                    }
                }
                "min-replicas-max-lag" | "min-slaves-max-lag" => match int(&val).and_then(|v| u32::try_from(v).ok()) {
                    Some(v) => new.min_replicas_max_lag_s = v,
                    None => return fail("argument couldn't be parsed into an integer"),
                },
                "replica-serve-stale-data" | "slave-serve-stale-data" => match boolean(&val) {
                    Some(v) => new.replica_serve_stale_data = v,
                    None => return fail("argument must be 'yes' or 'no'"),
                },
                "replica-read-only" | "slave-read-only" => match boolean(&val) {
                    Some(v) => new.replica_read_only = v,
                    None => return fail("argument must be 'yes' or 'no'"),
                },
                "repl-diskless-sync-delay" => match int(&val) {
                    Some(v) if v <= 3600 => new.repl_diskless_sync_delay_ms = v * 1000,
                    _ => return fail("argument couldn't be parsed into an integer"),
                },
                "repl-timeout" => match int(&val) {
                    Some(v) if (1..=86_400).contains(&v) => new.repl_timeout_s = v,
                    _ => return fail("argument couldn't be parsed into an integer"),
                },
                "replica-announce-ip" | "slave-announce-ip" => new.announce_ip = val.clone(),
                "requirepass" => new.requirepass = if val.is_empty() { None } else { Some(val.clone()) },
                _ if self.param_value(&name).is_some() => return fail("can't set immutable config"),
                _ => {
                    return err(format!(
                        "ERR Unknown option or number of arguments for CONFIG SET - '{name}'"
                    ))
                }
            }
        }
        self.settings = new;
        self.refresh_good_replicas(now);
        ok()
    }

    pub(super) fn config_rewrite(&mut self) -> Reply {
        let s = &self.settings;
        let pc = PersistedConfig {
            port: s.port,
            announce_ip: s.announce_ip.clone(),
            replicaof: self.link.master.clone(),
            replica_priority: s.replica_priority,
            min_replicas_to_write: s.min_replicas_to_write,
            min_replicas_max_lag_s: s.min_replicas_max_lag_s,
            replica_serve_stale_data: s.replica_serve_stale_data,
            replica_read_only: s.replica_read_only,
        };
        self.disk.lock().config = Some(pc);
        self.note("CONFIG REWRITE executed with success.".into());
        ok()
    }

    pub(super) fn config_resetstat(&mut self) -> Reply {
        self.stats = Stats::default();
        ok()
    }
}
