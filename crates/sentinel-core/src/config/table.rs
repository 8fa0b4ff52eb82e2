//! The redis.conf directives Redis 7.0.15 accepts (names as `CONFIG GET *` lists them on the
//! real server, plus hidden and alias names), with the kind of value each takes. Kinds and
//! bounds follow Redis' config table; validation lives in `server.rs`.

/// How a directive's value is parsed (and so what it rejects).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `yes` / `no`.
    Bool,
    /// One number; `signed` picks Redis' signed or unsigned bound check.
    Num {
        fmt: NumFmt,
        signed: bool,
        min: i128,
        max: i128,
    },
    /// One of the names (case-insensitive); `multi` allows several (OR-ed flags).
    Enum {
        values: &'static [&'static str],
        multi: bool,
    },
    /// Any one string (bytes).
    Str,
    /// Its own parser (multi-argument or otherwise special).
    Special(Special),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumFmt {
    Int,
    Mem,
    MemPercent,
    Octal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Special {
    Dir,
    Save,
    ClientOutputBufferLimit,
    OomScoreAdjValues,
    NotifyKeyspaceEvents,
    Bind,
    ReplicaOf,
    LatencyPercentiles,
}

const INT_MAX: i128 = i32::MAX as i128;
const INT_MIN: i128 = i32::MIN as i128;
const UINT_MAX: i128 = u32::MAX as i128;
const LONG_MAX: i128 = i64::MAX as i128;
const ULLONG_MAX: i128 = u64::MAX as i128;
const MB: i128 = 1024 * 1024;

const fn int(min: i128, max: i128) -> Kind {
    Kind::Num {
        fmt: NumFmt::Int,
        signed: true,
        min,
        max,
    }
}
const fn uint(min: i128, max: i128) -> Kind {
    Kind::Num {
        fmt: NumFmt::Int,
        signed: false,
        min,
        max,
    }
}
const fn mem(min: i128, max: i128) -> Kind {
    Kind::Num {
        fmt: NumFmt::Mem,
        signed: true,
        min,
        max,
    }
}
const fn umem(min: i128, max: i128) -> Kind {
    Kind::Num {
        fmt: NumFmt::Mem,
        signed: false,
        min,
        max,
    }
}
const fn one_of(values: &'static [&'static str]) -> Kind {
    Kind::Enum { values, multi: false }
}

const PROTECTED: &[&str] = &["no", "yes", "local"];
const SHUTDOWN: &[&str] = &["default", "save", "nosave", "now", "force"];
pub const LOGLEVELS: &[&str] = &["debug", "verbose", "notice", "warning"];

/// (name, alias, kind), sorted by name.
pub const DIRECTIVES: &[(&str, Option<&str>, Kind)] = &[
    ("acl-pubsub-default", None, one_of(&["allchannels", "resetchannels"])),
    ("aclfile", None, Kind::Str),
    ("acllog-max-len", None, int(0, LONG_MAX)),
    ("active-defrag-cycle-max", None, int(1, 99)),
    ("active-defrag-cycle-min", None, int(1, 99)),
    ("active-defrag-ignore-bytes", None, umem(1, LONG_MAX)),
    ("active-defrag-max-scan-fields", None, int(1, LONG_MAX)),
    ("active-defrag-threshold-lower", None, int(0, 1000)),
    ("active-defrag-threshold-upper", None, int(0, 1000)),
    ("active-expire-effort", None, int(1, 10)),
    ("activedefrag", None, Kind::Bool),
    ("activerehashing", None, Kind::Bool),
    ("always-show-logo", None, Kind::Bool),
    ("aof-disable-auto-gc", None, Kind::Bool),
    ("aof-load-truncated", None, Kind::Bool),
    ("aof-rewrite-incremental-fsync", None, Kind::Bool),
    ("aof-timestamp-enabled", None, Kind::Bool),
    ("aof-use-rdb-preamble", None, Kind::Bool),
    ("aof_rewrite_cpulist", None, Kind::Str),
    ("appenddirname", None, Kind::Str),
    ("appendfilename", None, Kind::Str),
    ("appendfsync", None, one_of(&["everysec", "always", "no"])),
    ("appendonly", None, Kind::Bool),
    ("auto-aof-rewrite-min-size", None, mem(0, LONG_MAX)),
    ("auto-aof-rewrite-percentage", None, int(0, INT_MAX)),
    ("bgsave_cpulist", None, Kind::Str),
    ("bind", None, Kind::Special(Special::Bind)),
    ("bind-source-addr", None, Kind::Str),
    ("bio_cpulist", None, Kind::Str),
    ("busy-reply-threshold", Some("lua-time-limit"), int(0, LONG_MAX)),
    (
        "client-output-buffer-limit",
        None,
        Kind::Special(Special::ClientOutputBufferLimit),
    ),
    ("client-query-buffer-limit", None, umem(MB, LONG_MAX)),
    ("cluster-allow-pubsubshard-when-down", None, Kind::Bool),
    ("cluster-allow-reads-when-down", None, Kind::Bool),
    ("cluster-allow-replica-migration", None, Kind::Bool),
    ("cluster-announce-bus-port", None, int(0, 65535)),
    ("cluster-announce-hostname", None, Kind::Str),
    ("cluster-announce-ip", None, Kind::Str),
    ("cluster-announce-port", None, int(0, 65535)),
    ("cluster-announce-tls-port", None, int(0, 65535)),
    ("cluster-config-file", None, Kind::Str),
    ("cluster-enabled", None, Kind::Bool),
    ("cluster-link-sendbuf-limit", None, umem(0, ULLONG_MAX)),
    ("cluster-migration-barrier", None, int(0, INT_MAX)),
    ("cluster-node-timeout", None, int(0, LONG_MAX)),
    ("cluster-port", None, int(0, 65535)),
    (
        "cluster-preferred-endpoint-type",
        None,
        one_of(&["ip", "hostname", "unknown-endpoint"]),
    ),
    (
        "cluster-replica-no-failover",
        Some("cluster-slave-no-failover"),
        Kind::Bool,
    ),
    (
        "cluster-replica-validity-factor",
        Some("cluster-slave-validity-factor"),
        int(0, INT_MAX),
    ),
    ("cluster-require-full-coverage", None, Kind::Bool),
    ("crash-log-enabled", None, Kind::Bool),
    ("crash-memcheck-enabled", None, Kind::Bool),
    ("daemonize", None, Kind::Bool),
    ("databases", None, int(1, INT_MAX)),
    ("dbfilename", None, Kind::Str),
    ("dir", None, Kind::Special(Special::Dir)),
    ("disable-thp", None, Kind::Bool),
    ("dynamic-hz", None, Kind::Bool),
    ("enable-debug-command", None, one_of(PROTECTED)),
    ("enable-module-command", None, one_of(PROTECTED)),
    ("enable-protected-configs", None, one_of(PROTECTED)),
    (
        "hash-max-listpack-entries",
        Some("hash-max-ziplist-entries"),
        uint(0, LONG_MAX),
    ),
    (
        "hash-max-listpack-value",
        Some("hash-max-ziplist-value"),
        umem(0, LONG_MAX),
    ),
    ("hll-sparse-max-bytes", None, umem(0, LONG_MAX)),
    ("hz", None, int(0, INT_MAX)),
    ("ignore-warnings", None, Kind::Str),
    ("io-threads", None, int(1, 128)),
    ("io-threads-do-reads", None, Kind::Bool),
    ("jemalloc-bg-thread", None, Kind::Bool),
    ("key-load-delay", None, int(INT_MIN, INT_MAX)),
    ("latency-monitor-threshold", None, int(0, LONG_MAX)),
    ("latency-tracking", None, Kind::Bool),
    (
        "latency-tracking-info-percentiles",
        None,
        Kind::Special(Special::LatencyPercentiles),
    ),
    ("lazyfree-lazy-eviction", None, Kind::Bool),
    ("lazyfree-lazy-expire", None, Kind::Bool),
    ("lazyfree-lazy-server-del", None, Kind::Bool),
    ("lazyfree-lazy-user-del", None, Kind::Bool),
    ("lazyfree-lazy-user-flush", None, Kind::Bool),
    ("lfu-decay-time", None, int(0, INT_MAX)),
    ("lfu-log-factor", None, int(0, INT_MAX)),
    ("list-compress-depth", None, int(0, INT_MAX)),
    (
        "list-max-listpack-size",
        Some("list-max-ziplist-size"),
        int(INT_MIN, INT_MAX),
    ),
    ("loading-process-events-interval-bytes", None, int(1024, INT_MAX)),
    ("logfile", None, Kind::Str),
    ("loglevel", None, one_of(LOGLEVELS)),
    ("masterauth", None, Kind::Str),
    ("masteruser", None, Kind::Str),
    ("maxclients", None, uint(1, UINT_MAX)),
    ("maxmemory", None, umem(0, ULLONG_MAX)),
    (
        "maxmemory-clients",
        None,
        Kind::Num {
            fmt: NumFmt::MemPercent,
            signed: true,
            min: -100,
            max: LONG_MAX,
        },
    ),
    ("maxmemory-eviction-tenacity", None, int(0, 100)),
    (
        "maxmemory-policy",
        None,
        one_of(&[
            "volatile-lru",
            "volatile-lfu",
            "volatile-random",
            "volatile-ttl",
            "allkeys-lru",
            "allkeys-lfu",
            "allkeys-random",
            "noeviction",
        ]),
    ),
    ("maxmemory-samples", None, int(1, INT_MAX)),
    ("min-replicas-max-lag", Some("min-slaves-max-lag"), int(0, INT_MAX)),
    ("min-replicas-to-write", Some("min-slaves-to-write"), int(0, INT_MAX)),
    ("no-appendfsync-on-rewrite", None, Kind::Bool),
    (
        "notify-keyspace-events",
        None,
        Kind::Special(Special::NotifyKeyspaceEvents),
    ),
    ("oom-score-adj", None, one_of(&["no", "yes", "relative", "absolute"])),
    ("oom-score-adj-values", None, Kind::Special(Special::OomScoreAdjValues)),
    ("pidfile", None, Kind::Str),
    ("port", None, int(0, 65535)),
    ("proc-title-template", None, Kind::Str),
    (
        "propagation-error-behavior",
        None,
        one_of(&["ignore", "panic", "panic-on-replicas"]),
    ),
    ("protected-mode", None, Kind::Bool),
    ("proto-max-bulk-len", None, mem(MB, LONG_MAX)),
    ("rdb-del-sync-files", None, Kind::Bool),
    ("rdb-key-save-delay", None, int(INT_MIN, INT_MAX)),
    ("rdb-save-incremental-fsync", None, Kind::Bool),
    ("rdbchecksum", None, Kind::Bool),
    ("rdbcompression", None, Kind::Bool),
    ("repl-backlog-size", None, mem(1, LONG_MAX)),
    ("repl-backlog-ttl", None, int(0, LONG_MAX)),
    ("repl-disable-tcp-nodelay", None, Kind::Bool),
    (
        "repl-diskless-load",
        None,
        one_of(&["disabled", "on-empty-db", "swapdb"]),
    ),
    ("repl-diskless-sync", None, Kind::Bool),
    ("repl-diskless-sync-delay", None, int(0, INT_MAX)),
    ("repl-diskless-sync-max-replicas", None, int(0, INT_MAX)),
    (
        "repl-ping-replica-period",
        Some("repl-ping-slave-period"),
        int(1, INT_MAX),
    ),
    ("repl-timeout", None, int(1, INT_MAX)),
    ("replica-announce-ip", Some("slave-announce-ip"), Kind::Str),
    ("replica-announce-port", Some("slave-announce-port"), int(0, 65535)),
    ("replica-announced", None, Kind::Bool),
    ("replica-ignore-disk-write-errors", None, Kind::Bool),
    ("replica-ignore-maxmemory", Some("slave-ignore-maxmemory"), Kind::Bool),
    ("replica-lazy-flush", Some("slave-lazy-flush"), Kind::Bool),
    ("replica-priority", Some("slave-priority"), int(0, INT_MAX)),
    ("replica-read-only", Some("slave-read-only"), Kind::Bool),
    ("replica-serve-stale-data", Some("slave-serve-stale-data"), Kind::Bool),
    ("replicaof", Some("slaveof"), Kind::Special(Special::ReplicaOf)),
    ("requirepass", None, Kind::Str),
    ("sanitize-dump-payload", None, one_of(&["no", "yes", "clients"])),
    ("save", None, Kind::Special(Special::Save)),
    ("server_cpulist", None, Kind::Str),
    ("set-max-intset-entries", None, uint(0, LONG_MAX)),
    ("set-proc-title", None, Kind::Bool),
    (
        "shutdown-on-sigint",
        None,
        Kind::Enum {
            values: SHUTDOWN,
            multi: true,
        },
    ),
    (
        "shutdown-on-sigterm",
        None,
        Kind::Enum {
            values: SHUTDOWN,
            multi: true,
        },
    ),
    ("shutdown-timeout", None, int(0, INT_MAX)),
    ("slowlog-log-slower-than", None, int(-1, LONG_MAX)),
    ("slowlog-max-len", None, int(0, LONG_MAX)),
    ("socket-mark-id", None, uint(0, UINT_MAX)),
    ("stop-writes-on-bgsave-error", None, Kind::Bool),
    ("stream-node-max-bytes", None, umem(0, LONG_MAX)),
    ("stream-node-max-entries", None, int(0, LONG_MAX)),
    ("supervised", None, one_of(&["upstart", "systemd", "auto", "no"])),
    (
        "syslog-facility",
        None,
        one_of(&[
            "user", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
        ]),
    ),
    ("syslog-enabled", None, Kind::Bool),
    ("syslog-ident", None, Kind::Str),
    ("tcp-backlog", None, int(0, INT_MAX)),
    ("tcp-keepalive", None, int(0, INT_MAX)),
    ("timeout", None, int(0, INT_MAX)),
    ("tls-auth-clients", None, one_of(&["no", "yes", "optional"])),
    ("tls-ca-cert-dir", None, Kind::Str),
    ("tls-ca-cert-file", None, Kind::Str),
    ("tls-cert-file", None, Kind::Str),
    ("tls-ciphers", None, Kind::Str),
    ("tls-ciphersuites", None, Kind::Str),
    ("tls-client-cert-file", None, Kind::Str),
    ("tls-client-key-file", None, Kind::Str),
    ("tls-client-key-file-pass", None, Kind::Str),
    ("tls-cluster", None, Kind::Bool),
    ("tls-dh-params-file", None, Kind::Str),
    ("tls-key-file", None, Kind::Str),
    ("tls-key-file-pass", None, Kind::Str),
    ("tls-port", None, int(0, 65535)),
    ("tls-prefer-server-ciphers", None, Kind::Bool),
    ("tls-protocols", None, Kind::Str),
    ("tls-replication", None, Kind::Bool),
    ("tls-session-cache-size", None, int(0, INT_MAX)),
    ("tls-session-cache-timeout", None, int(0, INT_MAX)),
    ("tls-session-caching", None, Kind::Bool),
    ("tracking-table-max-keys", None, uint(0, LONG_MAX)),
    ("unixsocket", None, Kind::Str),
    (
        "unixsocketperm",
        None,
        Kind::Num {
            fmt: NumFmt::Octal,
            signed: false,
            min: 0,
            max: 0o777,
        },
    ),
    ("use-exit-on-panic", None, Kind::Bool),
    ("watchdog-period", None, int(0, INT_MAX)),
    (
        "zset-max-listpack-entries",
        Some("zset-max-ziplist-entries"),
        uint(0, LONG_MAX),
    ),
    (
        "zset-max-listpack-value",
        Some("zset-max-ziplist-value"),
        umem(0, LONG_MAX),
    ),
];

/// Directives Redis 7.0 still accepts (with exactly one value) and ignores.
pub const DEPRECATED: &[&str] = &[
    "list-max-ziplist-entries",
    "list-max-ziplist-value",
    "lua-replicate-commands",
];

/// The canonical name and kind of a (lower-cased) directive name or alias.
pub fn lookup(name: &str) -> Option<(&'static str, Kind)> {
    DIRECTIVES
        .iter()
        .find(|(n, a, _)| *n == name || *a == Some(name))
        .map(|&(n, _, k)| (n, k))
}
