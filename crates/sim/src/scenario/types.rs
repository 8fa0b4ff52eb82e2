//! The parsed, validated scenario: what the rest of the simulator reads. Node references are
//! normalised to node names, the timeline is sorted by time (stable for equal times), defaults are
//! filled in.

use serde::Serialize;

use super::actions::Action;

/// A parsed and validated scenario. Node references are normalised to node names, the timeline is
/// sorted by time (stable for equal times), defaults are filled in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scenario {
    /// Scenario name (`name`, default: the file stem). Used for the results directory.
    pub name: String,
    /// The comment block the file opens with (without the `#` markers), one line per line.
    pub story: String,
    /// Total simulated time (`duration`), at most 24h.
    pub duration_ms: u64,
    /// `settle` (default 20s): the final-state convergence checks only apply if the last action
    /// happens at least this long before the end.
    pub settle_ms: u64,
    /// `seed`: the default seed (the CLI's `--seed` overrides it).
    pub seed: Option<u64>,
    /// `[master]`: the monitored master group.
    pub master: MasterGroup,
    /// `[[redis]]`: data nodes, in file order.
    pub redis: Vec<RedisNode>,
    /// `[[sentinel]]`: Sentinels, in file order.
    pub sentinels: Vec<SentinelNode>,
    /// `[[client]]`: workload clients.
    pub clients: Vec<Client>,
    /// `[network]`: the base network every message crosses (default: loopback).
    pub network: Network,
    /// `[[timeline]]`: actions, sorted by `at_ms` (stable for equal times).
    pub timeline: Vec<TimedAction>,
    /// `[expect]`: per-scenario expectations (all optional).
    pub expect: Expect,
}

/// `[network]`: the base network, before any `latency`/`loss` action. Every message (a TCP
/// segment's worth of writes) is delayed by a uniform draw in `[latency_min, latency_max]` and
/// lost with probability `loss` (madsim's global network configuration).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Network {
    /// `latency_min` (default 20us).
    pub latency_min_us: u64,
    /// `latency_max` (default 40us), at least `latency_min`.
    pub latency_max_us: u64,
    /// `loss` (default 0): probability in [0, 1).
    pub loss: f64,
}

impl Network {
    /// The reference setup's network, loopback: a `PING` round trip through `redis-server`
    /// measured 0.055 ms at p50 (`redis-benchmark -t ping_inline -c 1`), so about 30 µs each way.
    /// (madsim's own default, 1–10 ms, made a replication handshake take 50–70 ms instead of ~1.)
    pub const LOOPBACK: Network = Network {
        latency_min_us: 20,
        latency_max_us: 40,
        loss: 0.0,
    };

    pub fn is_loopback(&self) -> bool {
        *self == Self::LOOPBACK
    }
}

impl Default for Network {
    fn default() -> Self {
        Self::LOOPBACK
    }
}

/// `[master]`: the monitored master group, as in `sentinel monitor <name> <ip> <port> <quorum>`
/// plus the per-master settings every Sentinel starts with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MasterGroup {
    /// `name` (default `"mymaster"`): the master group name; no whitespace.
    pub name: String,
    /// `node` (name or addr): the data node the Sentinels are told to monitor. Default: the only
    /// data node without `replica_of`.
    pub node: String,
    /// `quorum` (required): ≥ 1 and ≤ the number of Sentinels.
    pub quorum: u32,
    /// `down_after` (default 30s): `down-after-milliseconds`.
    pub down_after_ms: u64,
    /// `failover_timeout` (default 180s): `failover-timeout`.
    pub failover_timeout_ms: u64,
    /// `parallel_syncs` (default 1): `parallel-syncs`, ≥ 1.
    pub parallel_syncs: u32,
    /// `auth_pass` (optional): the group's password. Every data node gets it as `requirepass` and
    /// `masterauth`, every Sentinel as `sentinel auth-pass <name> <pass>`, and the clients and the
    /// runner's own probes `AUTH` with it. 1–128 printable ASCII characters, no spaces or quotes.
    pub auth_pass: Option<String>,
}

/// `[[redis]]`: a data node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RedisNode {
    /// `name` (default `redis-<port>`): letters, digits, `-`, `_`, `.`; unique among all processes.
    pub name: String,
    /// `addr` (required): `ip:port`, the address everyone knows it by (configs, INFO, events).
    pub addr: String,
    /// `replica_of` (node name or addr; absent = starts as a master): its initial `replicaof`.
    pub replica_of: Option<String>,
    /// `priority` (default 100): `replica-priority`; 0 = never promoted.
    pub priority: u32,
    /// `min_replicas_to_write` (default 0): `min-replicas-to-write`.
    pub min_replicas_to_write: u32,
    /// `min_replicas_max_lag` (default 10s): `min-replicas-max-lag` (Redis counts whole seconds).
    pub min_replicas_max_lag_ms: u64,
    /// `persistence` (default false): whether the dataset survives a kill/restart (RDB/AOF on
    /// disk). Without it a restarted node comes back empty. The config file (including what
    /// `CONFIG REWRITE` wrote, e.g. `replicaof`) survives either way unless `restart` has `wipe`.
    pub persistence: bool,
    /// `serve_stale_data` (default true): `replica-serve-stale-data`.
    pub serve_stale_data: bool,
}

/// `[[sentinel]]`: a Sentinel process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SentinelNode {
    /// `name` (default `sentinel-<port>`).
    pub name: String,
    /// `addr` (required): `ip:port`.
    pub addr: String,
}

/// How a workload client finds the master.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientMode {
    /// Asks the Sentinels (`SENTINEL GET-MASTER-ADDR-BY-NAME`) and reconnects on errors, as a
    /// Sentinel-aware client library does.
    Sentinel,
    /// Always writes to one fixed node (`node`), as a client with a hard-coded address does.
    Sticky,
}

impl ClientMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ClientMode::Sentinel => "sentinel",
            ClientMode::Sticky => "sticky",
        }
    }
}

/// `[[client]]`: a workload client writing unique values and recording what was acknowledged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Client {
    /// `name` (default `client-<n>`, 1-based in file order).
    pub name: String,
    /// `mode` (default `"sentinel"`): `"sentinel"` or `"sticky"`.
    pub mode: ClientMode,
    /// `node` (data node; required for sticky, not allowed for sentinel mode): where it writes.
    pub node: Option<String>,
    /// `rate` (default 10): writes per second, 1..=10000.
    pub rate: u32,
    /// `timeout` (default 1s, 1ms..=60s): how long it waits for any reply (the write's, a
    /// Sentinel's, `ROLE`'s) before it gives up on it, a client library's socket timeout.
    pub timeout_ms: u64,
    /// `start` (default 0s).
    pub start_ms: u64,
    /// `stop` (default: the end of the run); after `start`, at most `duration`.
    pub stop_ms: u64,
    /// `near` (optional node): the host the client shares network fate with (partitions, isolate,
    /// latency, loss); without it the client sits on its own host and is never partitioned.
    pub near: Option<String>,
}

/// One `[[timeline]]` entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimedAction {
    /// `at`: when it happens, before `duration`.
    pub at_ms: u64,
    #[serde(flatten)]
    pub action: Action,
}

/// `[expect]`: per-scenario expectations. Each present field yields one check result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Expect {
    /// `failover`: true = a `+switch-master` happened on every live Sentinel; false = none at all.
    pub failover: Option<bool>,
    /// `promoted` (data nodes): the final master must be one of these.
    pub promoted: Option<Vec<String>>,
    /// `never_promoted` (data nodes): never named by `+selected-slave` / `+promoted-slave`.
    pub never_promoted: Option<Vec<String>>,
    /// `final_master` (data node): the exact final master.
    pub final_master: Option<String>,
    /// `max_detection`: from the first fault action to the first `+odown` of the master.
    pub max_detection_ms: Option<u64>,
    /// `max_failover`: from the first fault action to `+switch-master` on every live Sentinel.
    pub max_failover_ms: Option<u64>,
    /// `tilt`: whether `+tilt` was seen (on any Sentinel).
    pub tilt: Option<bool>,
    /// `lost_writes_max`: at most this many acknowledged writes lost.
    pub lost_writes_max: Option<u64>,
    /// `lost_writes_min`: at least this many acknowledged writes lost (a demonstrated loss).
    pub lost_writes_min: Option<u64>,
    /// `lost_writes_after_heal_max`: at most this many acknowledged writes lost that were
    /// acknowledged after the last heal.
    pub lost_writes_after_heal_max: Option<u64>,
    /// `lost_writes_after_heal_min`.
    pub lost_writes_after_heal_min: Option<u64>,
    /// `converged_within`: after the last undoing action (heal, restart, resume, net_reset,
    /// clock_reset), the final configuration is reached within this bound.
    pub converged_within_ms: Option<u64>,
    /// `min_epoch`: lower bound on the final `current_epoch` (the highest among the Sentinels).
    pub min_epoch: Option<u64>,
    /// `max_epoch`: upper bound on the final `current_epoch` (the highest among the Sentinels).
    pub max_epoch: Option<u64>,
    /// `seen`: Sentinel event names (e.g. `"+convert-to-slave"`) each emitted at least once, by
    /// any Sentinel, after the first fault.
    pub seen: Option<Vec<String>>,
    /// `not_seen`: Sentinel event names (e.g. `"-failover-abort-not-elected"`) never emitted.
    pub not_seen: Option<Vec<String>>,
}

impl Expect {
    /// True when no expectation is declared.
    pub fn is_empty(&self) -> bool {
        *self == Expect::default()
    }
}

/// A node of the scenario (data node or Sentinel).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeRef<'a> {
    Redis(&'a RedisNode),
    Sentinel(&'a SentinelNode),
}

/// Which kind of process a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    Redis,
    Sentinel,
}

impl<'a> NodeRef<'a> {
    pub fn name(&self) -> &'a str {
        match self {
            NodeRef::Redis(r) => &r.name,
            NodeRef::Sentinel(s) => &s.name,
        }
    }
    pub fn addr(&self) -> &'a str {
        match self {
            NodeRef::Redis(r) => &r.addr,
            NodeRef::Sentinel(s) => &s.addr,
        }
    }
    pub fn kind(&self) -> NodeKind {
        match self {
            NodeRef::Redis(_) => NodeKind::Redis,
            NodeRef::Sentinel(_) => NodeKind::Sentinel,
        }
    }
}

/// A data node's configuration at start, with addresses resolved (what its redis.conf says).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DataNodeConfig {
    pub name: String,
    pub addr: String,
    pub port: u16,
    /// `replicaof` as `ip:port`, if it starts as a replica.
    pub replica_of: Option<String>,
    pub priority: u32,
    pub min_replicas_to_write: u32,
    pub min_replicas_max_lag_ms: u64,
    pub persistence: bool,
    pub serve_stale_data: bool,
}

/// A Sentinel's configuration at start (what its sentinel.conf says).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SentinelConfig {
    pub name: String,
    pub addr: String,
    pub port: u16,
    pub master_name: String,
    /// The monitored master's address `ip:port`.
    pub master_addr: String,
    pub quorum: u32,
    pub down_after_ms: u64,
    pub failover_timeout_ms: u64,
    pub parallel_syncs: u32,
    /// `sentinel auth-pass` for the master, if the group has a password.
    pub auth_pass: Option<String>,
}

impl SentinelConfig {
    /// The config file lines, as an operator would write them.
    pub fn conf_lines(&self) -> Vec<String> {
        let (ip, port) = split_addr(&self.master_addr);
        let m = &self.master_name;
        let mut lines = vec![
            format!("port {}", self.port),
            format!("sentinel monitor {m} {ip} {port} {}", self.quorum),
            format!("sentinel down-after-milliseconds {m} {}", self.down_after_ms),
            format!("sentinel failover-timeout {m} {}", self.failover_timeout_ms),
            format!("sentinel parallel-syncs {m} {}", self.parallel_syncs),
        ];
        if let Some(pass) = &self.auth_pass {
            lines.push(format!("sentinel auth-pass {m} {pass}"));
        }
        lines
    }
}

/// Splits `ip:port` (the port after the last colon).
pub fn split_addr(addr: &str) -> (&str, &str) {
    addr.rsplit_once(':').unwrap_or((addr, ""))
}

pub(super) fn port_of(addr: &str) -> u16 {
    split_addr(addr).1.parse().unwrap_or(0)
}

impl Scenario {
    /// Looks a node (data node or Sentinel) up by name or address.
    pub fn node(&self, name_or_addr: &str) -> Option<NodeRef<'_>> {
        let r = self
            .redis
            .iter()
            .find(|r| r.name == name_or_addr || r.addr == name_or_addr)
            .map(NodeRef::Redis);
        r.or_else(|| {
            self.sentinels
                .iter()
                .find(|s| s.name == name_or_addr || s.addr == name_or_addr)
                .map(NodeRef::Sentinel)
        })
    }

    /// The address of a node given by name or address.
    pub fn addr_of(&self, name_or_addr: &str) -> Option<&str> {
        self.node(name_or_addr).map(|n| n.addr())
    }

    /// The name of a node given by name or address.
    pub fn name_of(&self, name_or_addr: &str) -> Option<&str> {
        self.node(name_or_addr).map(|n| n.name())
    }

    pub fn redis_node(&self, name_or_addr: &str) -> Option<&RedisNode> {
        match self.node(name_or_addr) {
            Some(NodeRef::Redis(r)) => Some(r),
            _ => None,
        }
    }

    pub fn sentinel_node(&self, name_or_addr: &str) -> Option<&SentinelNode> {
        match self.node(name_or_addr) {
            Some(NodeRef::Sentinel(s)) => Some(s),
            _ => None,
        }
    }

    /// All data node and Sentinel names (data nodes first, file order).
    pub fn node_names(&self) -> Vec<String> {
        self.redis
            .iter()
            .map(|r| r.name.clone())
            .chain(self.sentinels.iter().map(|s| s.name.clone()))
            .collect()
    }

    /// All process names: data nodes, Sentinels, then clients.
    pub fn process_names(&self) -> Vec<String> {
        let mut v = self.node_names();
        v.extend(self.clients.iter().map(|c| c.name.clone()));
        v
    }

    /// The monitored master's initial address.
    pub fn master_addr(&self) -> &str {
        self.addr_of(&self.master.node).unwrap_or("")
    }

    /// Each data node's initial configuration, in file order.
    pub fn data_node_configs(&self) -> Vec<DataNodeConfig> {
        self.redis
            .iter()
            .map(|r| DataNodeConfig {
                name: r.name.clone(),
                addr: r.addr.clone(),
                port: port_of(&r.addr),
                replica_of: r
                    .replica_of
                    .as_deref()
                    .and_then(|m| self.addr_of(m))
                    .map(str::to_string),
                priority: r.priority,
                min_replicas_to_write: r.min_replicas_to_write,
                min_replicas_max_lag_ms: r.min_replicas_max_lag_ms,
                persistence: r.persistence,
                serve_stale_data: r.serve_stale_data,
            })
            .collect()
    }

    /// Each Sentinel's initial configuration, in file order.
    pub fn sentinel_configs(&self) -> Vec<SentinelConfig> {
        self.sentinels
            .iter()
            .map(|s| SentinelConfig {
                name: s.name.clone(),
                addr: s.addr.clone(),
                port: port_of(&s.addr),
                master_name: self.master.name.clone(),
                master_addr: self.master_addr().to_string(),
                quorum: self.master.quorum,
                down_after_ms: self.master.down_after_ms,
                failover_timeout_ms: self.master.failover_timeout_ms,
                parallel_syncs: self.master.parallel_syncs,
                auth_pass: self.master.auth_pass.clone(),
            })
            .collect()
    }

    /// Time of the last action (for `random_faults`: its `until`), or None without actions.
    pub fn last_action_ms(&self) -> Option<u64> {
        self.timeline
            .iter()
            .map(|t| match &t.action {
                Action::RandomFaults { until_ms, .. } => *until_ms,
                Action::ClockStrobe { duration_ms, .. } => t.at_ms + duration_ms,
                _ => t.at_ms,
            })
            .max()
    }

    /// Whether the final-state convergence checks apply: the last action is at least `settle`
    /// before the end.
    pub fn settles(&self) -> bool {
        self.last_action_ms().unwrap_or(0) + self.settle_ms <= self.duration_ms
    }
}
