//! Scenario files: one TOML file tells one story (a topology, a timeline of injected faults and
//! operator actions, and what should come out of it).
//!
//! ```toml
//! # Story: the master is killed (kill -9) ...
//! name = "master_kill"       # optional; default = file stem
//! duration = "60s"           # total simulated time (max 24h)
//! settle = "20s"             # optional (default 20s)
//! seed = 1                   # optional default seed
//!
//! [master]                   # the monitored group, as in `sentinel monitor`
//! name = "mymaster"
//! quorum = 2
//! down_after = "3s"
//! failover_timeout = "3s"
//!
//! [[redis]]
//! addr = "127.0.0.1:6382"
//! [[redis]]
//! addr = "127.0.0.1:6383"
//! replica_of = "redis-6382"
//!
//! [[sentinel]]
//! addr = "127.0.0.1:5000"
//!
//! [[timeline]]
//! at = "10s"
//! action = "kill"
//! node = "redis-6382"
//!
//! [expect]
//! failover = true
//! ```
//!
//! The comment block the file opens with is the scenario's [`Scenario::story`]. Parsing never
//! panics: every error is a [`ScenarioError`] naming the file, line, column and field, e.g.
//! `scenarios/bad.toml:14:7: timeline[2].node: unknown node "redis-9999" (known: redis-6382, ...)`.
//!
//! Durations are written as strings (`"1500ms"`, `"3s"`, `"2m"`, `"1m30s"`) or integers of
//! milliseconds and exposed as `u64` milliseconds (`*_ms` fields); signed offsets as `i64` ms.
//! Wherever a node is named, its name or its address may be used; parsed structs always hold names.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;
use std::path::Path;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::duration::{self, format_ms, format_signed_ms};

/// Default `settle`: the final-state checks need the last action this long before the end.
pub const DEFAULT_SETTLE_MS: u64 = 20_000;
/// Faults one `random_faults` may start (each is undone again): a bound on the expanded
/// timeline, so that a small `every` over a long run is an error, not gigabytes of actions.
pub const MAX_RANDOM_FAULTS: u64 = 100_000;
/// Sentinel's default `down-after-milliseconds`.
pub const DEFAULT_DOWN_AFTER_MS: u64 = 30_000;
/// Sentinel's default `failover-timeout`.
pub const DEFAULT_FAILOVER_TIMEOUT_MS: u64 = 180_000;
/// Redis' default `replica-priority`.
pub const DEFAULT_PRIORITY: u32 = 100;
/// Redis' default `min-replicas-max-lag` (10 s).
pub const DEFAULT_MIN_REPLICAS_MAX_LAG_MS: u64 = 10_000;
/// Default client write rate (writes per second).
pub const DEFAULT_CLIENT_RATE: u32 = 10;
/// The trace's node name for injected actions; reserved.
pub const WORLD: &str = "world";

// ---------------------------------------------------------------------------------------------
// Parsed, validated scenario
// ---------------------------------------------------------------------------------------------

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
    /// `[[timeline]]`: actions, sorted by `at_ms` (stable for equal times).
    pub timeline: Vec<TimedAction>,
    /// `[expect]`: per-scenario expectations (all optional).
    pub expect: Expect,
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

/// What a `[[timeline]]` entry does (`action = "..."` plus the fields listed per variant).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// `kill {node}`: the process crashes (kill -9): its connections are reset.
    Kill { node: String },
    /// `restart {node, wipe = false}`: start the process again (a restart of a live process is a
    /// kill plus a start at the same instant). `wipe` (data nodes only): restart with an empty
    /// disk, i.e. no dataset and the initial config file of the scenario.
    Restart { node: String, wipe: bool },
    /// `pause {node}`: the process hangs (SIGSTOP): connections stay open, nothing is answered.
    Pause { node: String },
    /// `resume {node}`: ends a `pause`.
    Resume { node: String },
    /// `partition {groups}`: nodes in different groups cannot talk (messages silently dropped,
    /// like a firewall). Every data node and Sentinel must be in exactly one group; one group may
    /// contain `"*"`, standing for every node not named in another group. Replaces any previous
    /// partition. Stored expanded (no `"*"`).
    Partition { groups: Vec<Vec<String>> },
    /// `isolate {node}`: the node can talk to nobody (`partition` of `[[node], ["*"]]`).
    Isolate { node: String },
    /// `partition_oneway {from, to}`: messages from any `from` node to any `to` node are dropped
    /// (the other direction still works). Adds to the current partition.
    PartitionOneway { from: Vec<String>, to: Vec<String> },
    /// `heal {}`: removes every partition (`partition`, `isolate`, `partition_oneway`). Latency and
    /// loss stay (see `net_reset`).
    Heal,
    /// `latency {min, max, nodes? | from? to?}`: each message is delayed by a uniformly drawn delay
    /// in `[min, max]`, at most 60s: every message (default), or on top of the base latency only
    /// on the links to and from `nodes`, or on the directed links from `from` to `to`.
    Latency {
        min_ms: u64,
        max_ms: u64,
        nodes: Option<Vec<String>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        from: Option<Vec<String>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        to: Option<Vec<String>>,
    },
    /// `loss {rate, nodes? | from? to?}`: each message is dropped with probability `rate` (0..=1):
    /// every message (default), on the links to and from `nodes`, or from `from` to `to`.
    Loss {
        rate: f64,
        nodes: Option<Vec<String>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        from: Option<Vec<String>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        to: Option<Vec<String>>,
    },
    /// `net_reset {}`: latency and loss back to the defaults (does not heal partitions).
    NetReset,
    /// `clock_skew {node, offset}`: from now on the node's wall clock reads `offset` (signed, e.g.
    /// `"+5s"`, `"-3s"`) away from true time (replaces a previous skew; the jump happens now).
    ClockSkew { node: String, offset_ms: i64 },
    /// `clock_jump {node, by}`: the node's wall clock jumps by `by` (signed, non-zero) once.
    ClockJump { node: String, by_ms: i64 },
    /// `clock_drift {node, rate}`: the node's wall clock runs `rate` times as fast as true time
    /// (e.g. 1.05), in `[0.1, 10]`.
    ClockDrift { node: String, rate: f64 },
    /// `clock_strobe {node, amplitude, period, duration}`: for `duration`, the node's wall clock
    /// flips between +`amplitude` and 0 offset every `period` (Jepsen's strobe).
    ClockStrobe {
        node: String,
        amplitude_ms: u64,
        period_ms: u64,
        duration_ms: u64,
    },
    /// `clock_reset {node}`: the node's clock back to true time, no drift (a jump if it was off).
    ClockReset { node: String },
    /// `kill_on {event}`: from `at` on, the first Sentinel that emits `event` (e.g.
    /// `"+failover-state-wait-promotion"`: a leader in the middle of a failover) is killed at that
    /// instant (written to the trace as an ordinary `kill <addr>`). Fires once.
    KillOn { event: String },
    /// `failover {via}`: an operator runs `SENTINEL FAILOVER <master>` on Sentinel `via`.
    Failover { via: String },
    /// `sentinel_set {via, option, value}`: `SENTINEL SET <master> <option> <value>` on `via`.
    /// `option` is one Sentinel accepts; `value` a string or an integer.
    SentinelSet { via: String, option: String, value: String },
    /// `sentinel_reset {via, pattern?}`: `SENTINEL RESET <pattern>` (default: the master name).
    SentinelReset { via: String, pattern: String },
    /// `replicaof {node, master}`: an operator runs `REPLICAOF` on data node `node`; `master` is a
    /// data node or `"no one"` (stored as `None`).
    Replicaof { node: String, master: Option<String> },
    /// `random_faults {every, heal_after, kinds?, until?}`: from `at` to `until` (default: the
    /// end), every `every` the world injects one fault of a kind drawn from `kinds` (default:
    /// partition, kill, pause, clock_jump) on seeded random targets, and undoes it `heal_after`
    /// later (`heal_after` < `every`).
    RandomFaults {
        every_ms: u64,
        heal_after_ms: u64,
        kinds: Vec<FaultKind>,
        until_ms: u64,
    },
}

/// The fault kinds `random_faults` may draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    Partition,
    Isolate,
    PartitionOneway,
    Kill,
    Pause,
    ClockJump,
    ClockSkew,
    ClockStrobe,
    ClockDrift,
    Latency,
    Loss,
}

impl FaultKind {
    pub const ALL: [FaultKind; 11] = [
        FaultKind::Partition,
        FaultKind::Isolate,
        FaultKind::PartitionOneway,
        FaultKind::Kill,
        FaultKind::Pause,
        FaultKind::ClockJump,
        FaultKind::ClockSkew,
        FaultKind::ClockStrobe,
        FaultKind::ClockDrift,
        FaultKind::Latency,
        FaultKind::Loss,
    ];
    /// Jepsen's standard mix, the default of `random_faults`.
    pub const DEFAULT: [FaultKind; 4] = [
        FaultKind::Partition,
        FaultKind::Kill,
        FaultKind::Pause,
        FaultKind::ClockJump,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FaultKind::Partition => "partition",
            FaultKind::Isolate => "isolate",
            FaultKind::PartitionOneway => "partition_oneway",
            FaultKind::Kill => "kill",
            FaultKind::Pause => "pause",
            FaultKind::ClockJump => "clock_jump",
            FaultKind::ClockSkew => "clock_skew",
            FaultKind::ClockStrobe => "clock_strobe",
            FaultKind::ClockDrift => "clock_drift",
            FaultKind::Latency => "latency",
            FaultKind::Loss => "loss",
        }
    }

    pub fn parse(s: &str) -> Option<FaultKind> {
        FaultKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The name of an action, without its fields (also recognised from trace action lines).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Kill,
    Restart,
    Pause,
    Resume,
    Partition,
    Isolate,
    PartitionOneway,
    Heal,
    Latency,
    Loss,
    NetReset,
    ClockSkew,
    ClockJump,
    ClockDrift,
    ClockStrobe,
    ClockReset,
    KillOn,
    Failover,
    SentinelSet,
    SentinelReset,
    Replicaof,
    RandomFaults,
}

impl ActionKind {
    pub const ALL: [ActionKind; 22] = [
        ActionKind::Kill,
        ActionKind::Restart,
        ActionKind::Pause,
        ActionKind::Resume,
        ActionKind::Partition,
        ActionKind::Isolate,
        ActionKind::PartitionOneway,
        ActionKind::Heal,
        ActionKind::Latency,
        ActionKind::Loss,
        ActionKind::NetReset,
        ActionKind::ClockSkew,
        ActionKind::ClockJump,
        ActionKind::ClockDrift,
        ActionKind::ClockStrobe,
        ActionKind::ClockReset,
        ActionKind::KillOn,
        ActionKind::Failover,
        ActionKind::SentinelSet,
        ActionKind::SentinelReset,
        ActionKind::Replicaof,
        ActionKind::RandomFaults,
    ];

    /// The `action = "..."` spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Kill => "kill",
            ActionKind::Restart => "restart",
            ActionKind::Pause => "pause",
            ActionKind::Resume => "resume",
            ActionKind::Partition => "partition",
            ActionKind::Isolate => "isolate",
            ActionKind::PartitionOneway => "partition_oneway",
            ActionKind::Heal => "heal",
            ActionKind::Latency => "latency",
            ActionKind::Loss => "loss",
            ActionKind::NetReset => "net_reset",
            ActionKind::ClockSkew => "clock_skew",
            ActionKind::ClockJump => "clock_jump",
            ActionKind::ClockDrift => "clock_drift",
            ActionKind::ClockStrobe => "clock_strobe",
            ActionKind::ClockReset => "clock_reset",
            ActionKind::KillOn => "kill_on",
            ActionKind::Failover => "failover",
            ActionKind::SentinelSet => "sentinel_set",
            ActionKind::SentinelReset => "sentinel_reset",
            ActionKind::Replicaof => "replicaof",
            ActionKind::RandomFaults => "random_faults",
        }
    }

    pub fn parse(s: &str) -> Option<ActionKind> {
        ActionKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// A disruptive action: the origin of the run's [`crate::check::Timeline`] ("kill→+sdown
    /// 3.4s"). Everything except the undoing ones (restart, resume, heal, net_reset, clock_reset)
    /// and configuration (sentinel_set, sentinel_reset).
    pub fn is_fault(self) -> bool {
        !matches!(
            self,
            ActionKind::Restart
                | ActionKind::Resume
                | ActionKind::Heal
                | ActionKind::NetReset
                | ActionKind::ClockReset
                | ActionKind::SentinelSet
                | ActionKind::SentinelReset
        )
    }

    /// An undoing action (restart, resume, heal, net_reset, clock_reset): after the last one the
    /// system should converge.
    pub fn is_heal(self) -> bool {
        matches!(
            self,
            ActionKind::Restart | ActionKind::Resume | ActionKind::Heal | ActionKind::NetReset | ActionKind::ClockReset
        )
    }

    /// Recognises a trace action line as written by [`Action::trace_line`] (`kill 127.0.0.1:6382`,
    /// `SENTINEL FAILOVER mymaster (via 127.0.0.1:5000)`, `REPLICAOF NO ONE (on ...)`).
    pub fn of_trace_line(line: &str) -> Option<ActionKind> {
        let mut words = line.split_whitespace();
        let first = words.next()?;
        match first {
            "SENTINEL" => match words.next()? {
                "FAILOVER" => Some(ActionKind::Failover),
                "SET" => Some(ActionKind::SentinelSet),
                "RESET" => Some(ActionKind::SentinelReset),
                _ => None,
            },
            "REPLICAOF" => Some(ActionKind::Replicaof),
            w => ActionKind::parse(w),
        }
    }
}

/// The `(via <addr>)` (or `(on <addr>)`) part of a trace action line for an operator command.
pub fn trace_line_via(line: &str) -> Option<&str> {
    let open = line.rfind('(')?;
    let inner = line[open + 1..].strip_suffix(')')?;
    inner.strip_prefix("via ").or_else(|| inner.strip_prefix("on "))
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Kill { .. } => ActionKind::Kill,
            Action::Restart { .. } => ActionKind::Restart,
            Action::Pause { .. } => ActionKind::Pause,
            Action::Resume { .. } => ActionKind::Resume,
            Action::Partition { .. } => ActionKind::Partition,
            Action::Isolate { .. } => ActionKind::Isolate,
            Action::PartitionOneway { .. } => ActionKind::PartitionOneway,
            Action::Heal => ActionKind::Heal,
            Action::Latency { .. } => ActionKind::Latency,
            Action::Loss { .. } => ActionKind::Loss,
            Action::NetReset => ActionKind::NetReset,
            Action::ClockSkew { .. } => ActionKind::ClockSkew,
            Action::ClockJump { .. } => ActionKind::ClockJump,
            Action::ClockDrift { .. } => ActionKind::ClockDrift,
            Action::ClockStrobe { .. } => ActionKind::ClockStrobe,
            Action::ClockReset { .. } => ActionKind::ClockReset,
            Action::KillOn { .. } => ActionKind::KillOn,
            Action::Failover { .. } => ActionKind::Failover,
            Action::SentinelSet { .. } => ActionKind::SentinelSet,
            Action::SentinelReset { .. } => ActionKind::SentinelReset,
            Action::Replicaof { .. } => ActionKind::Replicaof,
            Action::RandomFaults { .. } => ActionKind::RandomFaults,
        }
    }

    /// The line the world writes to the trace (as `Kind::Action`, node `world`) when it performs
    /// this action. Nodes are written by address, operator commands as the command sent:
    /// `kill 127.0.0.1:6382`, `partition 127.0.0.1:6382,127.0.0.1:5000 | 127.0.0.1:6383`,
    /// `SENTINEL FAILOVER mymaster (via 127.0.0.1:5000)`, `REPLICAOF 127.0.0.1 6383 (on 127.0.0.1:6382)`.
    /// [`ActionKind::of_trace_line`] recognises every one of them.
    pub fn trace_line(&self, s: &Scenario) -> String {
        let a = |n: &str| s.addr_of(n).unwrap_or(n).to_string();
        let list = |ns: &[String]| ns.iter().map(|n| a(n)).collect::<Vec<_>>().join(",");
        let nodes_or_all =
            |ns: &Option<Vec<String>>, from: &Option<Vec<String>>, to: &Option<Vec<String>>| match (ns, from, to) {
                (_, Some(from), Some(to)) => format!("{} -> {}", list(from), list(to)),
                (Some(ns), _, _) => list(ns),
                _ => "all".to_string(),
            };
        let k = self.kind().as_str();
        match self {
            Action::Kill { node }
            | Action::Pause { node }
            | Action::Resume { node }
            | Action::Isolate { node }
            | Action::ClockReset { node } => format!("{k} {}", a(node)),
            Action::KillOn { event } => format!("{k} {event}"),
            Action::Restart { node, wipe } => {
                format!("{k} {}{}", a(node), if *wipe { " (wiped)" } else { "" })
            }
            Action::Partition { groups } => {
                format!("{k} {}", groups.iter().map(|g| list(g)).collect::<Vec<_>>().join(" | "))
            }
            Action::PartitionOneway { from, to } => format!("{k} {} -> {}", list(from), list(to)),
            Action::Heal | Action::NetReset => k.to_string(),
            Action::Latency {
                min_ms,
                max_ms,
                nodes,
                from,
                to,
            } => {
                format!(
                    "{k} {}..{} {}",
                    format_ms(*min_ms),
                    format_ms(*max_ms),
                    nodes_or_all(nodes, from, to)
                )
            }
            Action::Loss { rate, nodes, from, to } => format!("{k} {rate} {}", nodes_or_all(nodes, from, to)),
            Action::ClockSkew { node, offset_ms } => format!("{k} {} {}", a(node), format_signed_ms(*offset_ms)),
            Action::ClockJump { node, by_ms } => format!("{k} {} {}", a(node), format_signed_ms(*by_ms)),
            Action::ClockDrift { node, rate } => format!("{k} {} x{rate}", a(node)),
            Action::ClockStrobe {
                node,
                amplitude_ms,
                period_ms,
                duration_ms,
            } => format!(
                "{k} {} {} every {} for {}",
                a(node),
                format_ms(*amplitude_ms),
                format_ms(*period_ms),
                format_ms(*duration_ms)
            ),
            Action::Failover { via } => format!("SENTINEL FAILOVER {} (via {})", s.master.name, a(via)),
            Action::SentinelSet { via, option, value } => {
                format!("SENTINEL SET {} {option} {value} (via {})", s.master.name, a(via))
            }
            Action::SentinelReset { via, pattern } => format!("SENTINEL RESET {pattern} (via {})", a(via)),
            Action::Replicaof { node, master } => match master {
                None => format!("REPLICAOF NO ONE (on {})", a(node)),
                Some(m) => {
                    let addr = a(m);
                    let (host, port) = addr.rsplit_once(':').unwrap_or((addr.as_str(), ""));
                    format!("REPLICAOF {host} {port} (on {})", a(node))
                }
            },
            Action::RandomFaults {
                every_ms,
                heal_after_ms,
                kinds,
                until_ms,
            } => format!(
                "{k} every {} heal after {} until {} kinds {}",
                format_ms(*every_ms),
                format_ms(*heal_after_ms),
                format_ms(*until_ms),
                kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(",")
            ),
        }
    }

    /// The nodes this action names (targets, `via`, groups, lists).
    pub fn nodes(&self) -> Vec<&str> {
        match self {
            Action::Kill { node }
            | Action::Restart { node, .. }
            | Action::Pause { node }
            | Action::Resume { node }
            | Action::Isolate { node }
            | Action::ClockSkew { node, .. }
            | Action::ClockJump { node, .. }
            | Action::ClockDrift { node, .. }
            | Action::ClockStrobe { node, .. }
            | Action::ClockReset { node } => vec![node],
            Action::KillOn { .. } => vec![],
            Action::Partition { groups } => groups.iter().flatten().map(String::as_str).collect(),
            Action::PartitionOneway { from, to } => from.iter().chain(to).map(String::as_str).collect(),
            Action::Latency { nodes, from, to, .. } | Action::Loss { nodes, from, to, .. } => nodes
                .iter()
                .chain(from)
                .chain(to)
                .flatten()
                .map(String::as_str)
                .collect(),
            Action::Failover { via } | Action::SentinelSet { via, .. } | Action::SentinelReset { via, .. } => {
                vec![via]
            }
            Action::Replicaof { node, master } => std::iter::once(node.as_str()).chain(master.as_deref()).collect(),
            Action::Heal | Action::NetReset | Action::RandomFaults { .. } => vec![],
        }
    }
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
}

impl SentinelConfig {
    /// The config file lines, as an operator would write them.
    pub fn conf_lines(&self) -> Vec<String> {
        let (ip, port) = split_addr(&self.master_addr);
        let m = &self.master_name;
        vec![
            format!("port {}", self.port),
            format!("sentinel monitor {m} {ip} {port} {}", self.quorum),
            format!("sentinel down-after-milliseconds {m} {}", self.down_after_ms),
            format!("sentinel failover-timeout {m} {}", self.failover_timeout_ms),
            format!("sentinel parallel-syncs {m} {}", self.parallel_syncs),
        ]
    }
}

/// Splits `ip:port` (the port after the last colon).
pub fn split_addr(addr: &str) -> (&str, &str) {
    addr.rsplit_once(':').unwrap_or((addr, ""))
}

fn port_of(addr: &str) -> u16 {
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

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// A scenario file error: `file:line:col: field: message` (line and column are 1-based; 0 when
/// unknown, e.g. an unreadable file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    pub file: String,
    pub line: usize,
    pub col: usize,
    /// The field's path, e.g. `timeline[2].node`, `master.quorum` (empty when not about a field).
    pub field: String,
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:", self.file)?;
        if self.line > 0 {
            write!(f, "{}:{}:", self.line, self.col)?;
        }
        if !self.field.is_empty() {
            write!(f, " {}:", self.field)?;
        }
        write!(f, " {}", self.message)
    }
}

impl std::error::Error for ScenarioError {}

/// Byte offset → 1-based (line, column in characters).
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut off = offset.min(text.len());
    while !text.is_char_boundary(off) {
        off -= 1;
    }
    let before = &text[..off];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let col = text[line_start..off].chars().count() + 1;
    (line, col)
}

/// The TOML location of a byte offset, found by scanning the text: the table (`timeline[2]`, from
/// the last header before it, array-of-table headers counted) and the key (`node`) of the
/// `key = value` line it is on, or of the nearest such line above it (values spanning lines).
/// The key is None when the offset is on a table header.
fn location_at(text: &str, offset: usize) -> (String, Option<String>) {
    let mut table = String::new();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut key: Option<String> = None;
    let mut depth: i64 = 0; // open brackets of a value spanning lines
    let mut pos = 0;
    for raw_line in text.split_inclusive('\n') {
        pos += raw_line.len();
        let line = raw_line.trim();
        if depth > 0 {
            depth += bracket_balance(line);
        } else if let Some(h) = line.strip_prefix("[[") {
            let h = h.split("]]").next().unwrap_or("").trim().to_string();
            let n = counts.entry(h.clone()).or_insert(0);
            table = format!("{h}[{n}]");
            *n += 1;
            key = None;
        } else if let Some(h) = line.strip_prefix('[') {
            table = h.split(']').next().unwrap_or("").trim().to_string();
            key = None;
        } else if let Some(k) = line_key(line) {
            key = Some(k);
            depth = bracket_balance(line.split_once('=').map(|x| x.1).unwrap_or("")).max(0);
        }
        if offset < pos {
            break;
        }
    }
    (table, key)
}

/// Opening minus closing brackets outside strings and comments.
fn bracket_balance(s: &str) -> i64 {
    let mut n = 0;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in s.chars() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' && q == '"' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '"' | '\'' => quote = Some(c),
                '[' | '{' => n += 1,
                ']' | '}' => n -= 1,
                '#' => break,
                _ => {}
            },
        }
    }
    n
}

/// The dotted path (`timeline[2].node`, `master`) of the key or table at a byte offset.
fn path_at(text: &str, offset: usize) -> String {
    match location_at(text, offset) {
        (t, Some(k)) if t.is_empty() => k,
        (t, Some(k)) => format!("{t}.{k}"),
        (t, None) => t,
    }
}

/// The bare key at the start of a `key = value` line.
fn line_key(line: &str) -> Option<String> {
    let (k, _) = line.split_once('=')?;
    let k = k.trim();
    let bare = !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.');
    let quoted = k.len() >= 2 && k.starts_with('"') && k.ends_with('"');
    (bare || quoted).then(|| k.trim_matches('"').to_string())
}

struct Ctx<'a> {
    text: &'a str,
    file: &'a str,
}

impl Ctx<'_> {
    fn err(&self, span: Range<usize>, field: impl Into<String>, message: impl Into<String>) -> ScenarioError {
        let (line, col) = line_col(self.text, span.start);
        ScenarioError {
            file: self.file.to_string(),
            line,
            col,
            field: field.into(),
            message: message.into(),
        }
    }

    fn toml_error(&self, e: toml::de::Error) -> ScenarioError {
        let message = e.message().trim().to_string();
        let Some(span) = e.span() else {
            return ScenarioError {
                file: self.file.to_string(),
                line: 0,
                col: 0,
                field: String::new(),
                message,
            };
        };
        // A missing field is reported at its table (the whole document for a top-level one).
        let field = match message
            .strip_prefix("missing field `")
            .and_then(|r| r.split('`').next())
        {
            Some(name) => {
                let table = if span.start == 0 && span.end == 0 {
                    String::new()
                } else {
                    path_at(self.text, span.start)
                };
                if table.is_empty() {
                    name.to_string()
                } else {
                    format!("{table}.{name}")
                }
            }
            None => path_at(self.text, span.start),
        };
        self.err(span, field, message)
    }
}

// ---------------------------------------------------------------------------------------------
// Raw (as written) structures
// ---------------------------------------------------------------------------------------------

/// A duration as written: a string (`"3s"`) or an integer of milliseconds; validated on read.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Dur(u64);

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Dur;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(duration::EXPECTED)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Dur, E> {
                if v < 0 {
                    Err(E::custom(format!("negative duration {v}; {}", duration::EXPECTED)))
                } else if v as u64 > duration::MAX_MS {
                    Err(E::custom(format!("duration {v} ms exceeds the maximum of 24h")))
                } else {
                    Ok(Dur(v as u64))
                }
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Dur, E> {
                self.visit_i64(i64::try_from(v).unwrap_or(i64::MAX))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Dur, E> {
                duration::parse_ms(v).map(Dur).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

/// A signed duration as written: `"+5s"`, `"-3s"` or an integer of milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
struct SDur(i64);

impl<'de> Deserialize<'de> for SDur {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = SDur;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a signed duration like \"+5s\", \"-3s\" or an integer of milliseconds")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<SDur, E> {
                if v.unsigned_abs() > duration::MAX_MS {
                    Err(E::custom(format!("offset {v} ms exceeds the maximum of 24h")))
                } else {
                    Ok(SDur(v))
                }
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<SDur, E> {
                self.visit_i64(i64::try_from(v).unwrap_or(i64::MAX))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<SDur, E> {
                duration::parse_signed_ms(v).map(SDur).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

/// A value written as a string, an integer, a float or a boolean, kept as its text.
#[derive(Debug, Clone, PartialEq)]
struct Text(String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Text, E> {
                Ok(Text(if v { "yes" } else { "no" }.to_string()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

type S<T> = Option<Spanned<T>>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    name: S<String>,
    duration: Spanned<Dur>,
    settle: S<Dur>,
    seed: Option<u64>,
    master: Spanned<RawMaster>,
    #[serde(default)]
    redis: Vec<Spanned<RawRedis>>,
    #[serde(default)]
    sentinel: Vec<Spanned<RawSentinel>>,
    #[serde(default)]
    client: Vec<Spanned<RawClient>>,
    #[serde(default)]
    timeline: Vec<Spanned<RawAction>>,
    expect: Option<RawExpect>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMaster {
    name: S<String>,
    node: S<String>,
    quorum: Spanned<u32>,
    down_after: S<Dur>,
    failover_timeout: S<Dur>,
    parallel_syncs: S<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRedis {
    name: S<String>,
    addr: Spanned<String>,
    replica_of: S<String>,
    priority: Option<u32>,
    min_replicas_to_write: Option<u32>,
    min_replicas_max_lag: S<Dur>,
    persistence: Option<bool>,
    serve_stale_data: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSentinel {
    name: S<String>,
    addr: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClient {
    name: S<String>,
    mode: S<String>,
    node: S<String>,
    rate: S<u32>,
    start: S<Dur>,
    stop: S<Dur>,
    near: S<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAction {
    at: Spanned<Dur>,
    action: Spanned<String>,
    node: S<String>,
    wipe: S<bool>,
    groups: S<Vec<Vec<String>>>,
    from: S<Vec<String>>,
    to: S<Vec<String>>,
    min: S<Dur>,
    max: S<Dur>,
    nodes: S<Vec<String>>,
    rate: S<f64>,
    offset: S<SDur>,
    by: S<SDur>,
    amplitude: S<Dur>,
    period: S<Dur>,
    duration: S<Dur>,
    via: S<String>,
    option: S<String>,
    value: S<Text>,
    master: S<String>,
    pattern: S<String>,
    every: S<Dur>,
    heal_after: S<Dur>,
    kinds: S<Vec<String>>,
    until: S<Dur>,
    event: S<String>,
}

impl RawAction {
    /// The optional fields present, with their spans.
    fn present(&self) -> Vec<(&'static str, Range<usize>)> {
        let mut v = Vec::new();
        macro_rules! p {
            ($($f:ident),*) => { $( if let Some(x) = &self.$f { v.push((stringify!($f), x.span())); } )* };
        }
        p!(
            node, wipe, groups, from, to, min, max, nodes, rate, offset, by, amplitude, period, duration, via, option,
            value, master, pattern, every, heal_after, kinds, until, event
        );
        v
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExpect {
    failover: Option<bool>,
    promoted: S<Vec<String>>,
    never_promoted: S<Vec<String>>,
    final_master: S<String>,
    max_detection: S<Dur>,
    max_failover: S<Dur>,
    tilt: Option<bool>,
    lost_writes_max: Option<u64>,
    lost_writes_min: S<u64>,
    lost_writes_after_heal_max: Option<u64>,
    lost_writes_after_heal_min: S<u64>,
    converged_within: S<Dur>,
    min_epoch: S<u64>,
    max_epoch: Option<u64>,
    seen: S<Vec<String>>,
    not_seen: S<Vec<String>>,
}

// ---------------------------------------------------------------------------------------------
// Parsing and validation
// ---------------------------------------------------------------------------------------------

/// Reads and parses a scenario file. Errors name the path as given.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ScenarioError {
        file: file.clone(),
        line: 0,
        col: 0,
        field: String::new(),
        message: format!("cannot read: {e}"),
    })?;
    parse(&text, &file)
}

/// The leading comment block (after any blank lines), without the `#` markers.
fn story_of(text: &str) -> String {
    let mut lines = Vec::new();
    for line in text
        .lines()
        .map(|l| l.trim_end_matches('\r'))
        .skip_while(|l| l.trim().is_empty())
    {
        let t = line.trim_start();
        let Some(c) = t.strip_prefix('#') else { break };
        lines.push(c.strip_prefix(' ').unwrap_or(c));
    }
    lines.join("\n")
}

fn file_stem(file_name: &str) -> String {
    Path::new(file_name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn valid_name(n: &str) -> bool {
    !n.is_empty()
        && n.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn valid_addr(a: &str) -> Result<(), String> {
    let Some((host, port)) = a.rsplit_once(':') else {
        return Err(format!(
            "invalid address {a:?}: expected ip:port, e.g. \"127.0.0.1:6379\""
        ));
    };
    let host_ok = !host.is_empty()
        && (host.parse::<std::net::Ipv4Addr>().is_ok()
            || host
                .strip_prefix('[')
                .and_then(|h| h.strip_suffix(']'))
                .is_some_and(|h| h.parse::<std::net::Ipv6Addr>().is_ok()));
    if !host_ok {
        return Err(format!(
            "invalid address {a:?}: the host must be an IPv4 address (or [IPv6])"
        ));
    }
    match port.parse::<u16>() {
        Ok(p) if p > 0 => Ok(()),
        _ => Err(format!("invalid address {a:?}: the port must be 1..65535")),
    }
}

const SENTINEL_SET_OPTIONS: [&str; 10] = [
    "down-after-milliseconds",
    "failover-timeout",
    "parallel-syncs",
    "quorum",
    "notification-script",
    "client-reconfig-script",
    "auth-pass",
    "auth-user",
    "rename-command",
    "master-reboot-down-after-period",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Want {
    Any,
    Redis,
    Sentinel,
}

struct Registry {
    /// (name, addr, kind) for data nodes then Sentinels.
    nodes: Vec<(String, String, NodeKind)>,
}

impl Registry {
    fn find(&self, s: &str) -> Option<&(String, String, NodeKind)> {
        self.nodes.iter().find(|(n, a, _)| n == s || a == s)
    }

    fn known(&self, want: Want) -> String {
        let names: Vec<&str> = self
            .nodes
            .iter()
            .filter(|(_, _, k)| match want {
                Want::Any => true,
                Want::Redis => *k == NodeKind::Redis,
                Want::Sentinel => *k == NodeKind::Sentinel,
            })
            .map(|(n, _, _)| n.as_str())
            .collect();
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        }
    }

    /// Resolves a name or address to a node name of the wanted kind.
    fn resolve(
        &self,
        ctx: &Ctx,
        span: Range<usize>,
        field: &str,
        s: &str,
        want: Want,
    ) -> Result<String, ScenarioError> {
        let Some((name, _, kind)) = self.find(s) else {
            let what = match want {
                Want::Any => "node",
                Want::Redis => "data node",
                Want::Sentinel => "sentinel",
            };
            return Err(ctx.err(
                span,
                field,
                format!("unknown {what} {s:?} (known: {})", self.known(want)),
            ));
        };
        match (want, kind) {
            (Want::Redis, NodeKind::Sentinel) => Err(ctx.err(
                span,
                field,
                format!(
                    "{s:?} is a sentinel; a data node is needed here (data nodes: {})",
                    self.known(Want::Redis)
                ),
            )),
            (Want::Sentinel, NodeKind::Redis) => Err(ctx.err(
                span,
                field,
                format!(
                    "{s:?} is a data node; a sentinel is needed here (sentinels: {})",
                    self.known(Want::Sentinel)
                ),
            )),
            _ => Ok(name.clone()),
        }
    }

    fn resolve_list(
        &self,
        ctx: &Ctx,
        list: &Spanned<Vec<String>>,
        field: &str,
        want: Want,
    ) -> Result<Vec<String>, ScenarioError> {
        let mut out: Vec<String> = Vec::new();
        for (i, s) in list.get_ref().iter().enumerate() {
            let f = format!("{field}[{i}]");
            let n = self.resolve(ctx, list.span(), &f, s, want)?;
            if out.contains(&n) {
                return Err(ctx.err(list.span(), f, format!("{n} is listed twice")));
            }
            out.push(n);
        }
        Ok(out)
    }
}

/// Parses scenario text. `file_name` is used in error messages and for the default name.
pub fn parse(text: &str, file_name: &str) -> Result<Scenario, ScenarioError> {
    let ctx = Ctx { text, file: file_name };
    let raw: RawScenario = toml::from_str(text).map_err(|e| ctx.toml_error(e))?;
    validate(&ctx, raw)
}

fn validate(ctx: &Ctx, raw: RawScenario) -> Result<Scenario, ScenarioError> {
    // --- top level
    let name = match &raw.name {
        Some(n) => {
            if !valid_name(n.get_ref()) {
                return Err(ctx.err(
                    n.span(),
                    "name",
                    format!("invalid name {:?}: use letters, digits, '-', '_' and '.'", n.get_ref()),
                ));
            }
            n.get_ref().clone()
        }
        None => {
            let stem = file_stem(ctx.file);
            if valid_name(&stem) {
                stem
            } else {
                "scenario".to_string()
            }
        }
    };
    let duration_ms = raw.duration.get_ref().0;
    if duration_ms == 0 {
        return Err(ctx.err(raw.duration.span(), "duration", "must be greater than zero"));
    }
    let settle_ms = raw.settle.as_ref().map(|s| s.get_ref().0).unwrap_or(DEFAULT_SETTLE_MS);
    if let Some(s) = &raw.settle {
        if settle_ms > duration_ms {
            return Err(ctx.err(
                s.span(),
                "settle",
                format!(
                    "settle {} exceeds the duration {}",
                    format_ms(settle_ms),
                    format_ms(duration_ms)
                ),
            ));
        }
    }

    // --- nodes: names, addresses, duplicates
    if raw.redis.is_empty() {
        return Err(ctx.err(0..0, "redis", "at least one [[redis]] data node is needed"));
    }
    if raw.sentinel.is_empty() {
        return Err(ctx.err(0..0, "sentinel", "at least one [[sentinel]] is needed"));
    }
    let mut names: BTreeMap<String, String> = BTreeMap::new(); // name -> field where defined
    let mut addrs: BTreeMap<String, String> = BTreeMap::new();
    let mut registry = Registry { nodes: Vec::new() };
    let mut check_node = |ctx: &Ctx,
                          field: &str,
                          prefix: &str,
                          name: &S<String>,
                          addr: &Spanned<String>,
                          kind: NodeKind|
     -> Result<String, ScenarioError> {
        valid_addr(addr.get_ref()).map_err(|m| ctx.err(addr.span(), format!("{field}.addr"), m))?;
        let (n, span, nfield) = match name {
            Some(n) => (n.get_ref().clone(), n.span(), format!("{field}.name")),
            None => (
                format!("{prefix}-{}", port_of(addr.get_ref())),
                addr.span(),
                format!("{field}.addr"),
            ),
        };
        if !valid_name(&n) {
            return Err(ctx.err(
                span,
                nfield,
                format!("invalid name {n:?}: use letters, digits, '-', '_' and '.'"),
            ));
        }
        if n == WORLD {
            return Err(ctx.err(
                span,
                nfield,
                format!("the name {WORLD:?} is reserved for injected actions"),
            ));
        }
        if let Some(prev) = names.get(&n) {
            let hint = if name.is_none() {
                " (set `name` to tell them apart)"
            } else {
                ""
            };
            return Err(ctx.err(
                span,
                nfield,
                format!("duplicate name {n:?} (already used by {prev}){hint}"),
            ));
        }
        if let Some(prev) = addrs.get(addr.get_ref()) {
            return Err(ctx.err(
                addr.span(),
                format!("{field}.addr"),
                format!("duplicate address {:?} (already used by {prev})", addr.get_ref()),
            ));
        }
        names.insert(n.clone(), field.to_string());
        addrs.insert(addr.get_ref().clone(), field.to_string());
        registry.nodes.push((n.clone(), addr.get_ref().clone(), kind));
        Ok(n)
    };
    let mut redis_names = Vec::new();
    for (i, r) in raw.redis.iter().enumerate() {
        let r = r.get_ref();
        redis_names.push(check_node(
            ctx,
            &format!("redis[{i}]"),
            "redis",
            &r.name,
            &r.addr,
            NodeKind::Redis,
        )?);
    }
    let mut sentinel_names = Vec::new();
    for (i, s) in raw.sentinel.iter().enumerate() {
        let s = s.get_ref();
        sentinel_names.push(check_node(
            ctx,
            &format!("sentinel[{i}]"),
            "sentinel",
            &s.name,
            &s.addr,
            NodeKind::Sentinel,
        )?);
    }

    // --- data nodes
    let mut redis = Vec::new();
    for (i, r) in raw.redis.iter().enumerate() {
        let r = r.get_ref();
        let field = format!("redis[{i}]");
        let replica_of = match &r.replica_of {
            None => None,
            Some(m) => {
                let n = registry.resolve(ctx, m.span(), &format!("{field}.replica_of"), m.get_ref(), Want::Redis)?;
                if n == redis_names[i] {
                    return Err(ctx.err(
                        m.span(),
                        format!("{field}.replica_of"),
                        "a node cannot replicate from itself",
                    ));
                }
                Some(n)
            }
        };
        let lag = r
            .min_replicas_max_lag
            .as_ref()
            .map(|d| d.get_ref().0)
            .unwrap_or(DEFAULT_MIN_REPLICAS_MAX_LAG_MS);
        redis.push(RedisNode {
            name: redis_names[i].clone(),
            addr: r.addr.get_ref().clone(),
            replica_of,
            priority: r.priority.unwrap_or(DEFAULT_PRIORITY),
            min_replicas_to_write: r.min_replicas_to_write.unwrap_or(0),
            min_replicas_max_lag_ms: lag,
            persistence: r.persistence.unwrap_or(false),
            serve_stale_data: r.serve_stale_data.unwrap_or(true),
        });
    }
    // replication cycles
    for (i, r) in redis.iter().enumerate() {
        let mut seen = BTreeSet::new();
        let mut cur = r.replica_of.clone();
        while let Some(m) = cur {
            if m == r.name || !seen.insert(m.clone()) {
                let span = raw.redis[i]
                    .get_ref()
                    .replica_of
                    .as_ref()
                    .map(|s| s.span())
                    .unwrap_or(0..0);
                return Err(ctx.err(
                    span,
                    format!("redis[{i}].replica_of"),
                    "replication cycle: no node starts as master",
                ));
            }
            cur = redis.iter().find(|x| x.name == m).and_then(|x| x.replica_of.clone());
        }
    }
    let sentinels: Vec<SentinelNode> = raw
        .sentinel
        .iter()
        .zip(&sentinel_names)
        .map(|(s, n)| SentinelNode {
            name: n.clone(),
            addr: s.get_ref().addr.get_ref().clone(),
        })
        .collect();

    // --- master group
    let rm = raw.master.get_ref();
    let mname = match &rm.name {
        Some(n) => {
            let v = n.get_ref();
            if v.is_empty() || v.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(ctx.err(n.span(), "master.name", format!("invalid master name {v:?}: no spaces")));
            }
            v.clone()
        }
        None => "mymaster".to_string(),
    };
    let mnode = match &rm.node {
        Some(n) => registry.resolve(ctx, n.span(), "master.node", n.get_ref(), Want::Redis)?,
        None => {
            let masters: Vec<&RedisNode> = redis.iter().filter(|r| r.replica_of.is_none()).collect();
            match masters.as_slice() {
                [m] => m.name.clone(),
                _ => {
                    let list = masters.iter().map(|m| m.name.as_str()).collect::<Vec<_>>().join(", ");
                    return Err(ctx.err(
                        raw.master.span(),
                        "master.node",
                        format!("several data nodes start as masters ({list}): set master.node to the one the sentinels monitor"),
                    ));
                }
            }
        }
    };
    let quorum = *rm.quorum.get_ref();
    if quorum == 0 {
        return Err(ctx.err(rm.quorum.span(), "master.quorum", "must be at least 1"));
    }
    if quorum as usize > sentinels.len() {
        return Err(ctx.err(
            rm.quorum.span(),
            "master.quorum",
            format!(
                "quorum {quorum} is more than the {} sentinels: no failover could ever be authorised",
                sentinels.len()
            ),
        ));
    }
    let positive = |d: &S<Dur>, field: &str, default: u64| -> Result<u64, ScenarioError> {
        match d {
            None => Ok(default),
            Some(v) if v.get_ref().0 == 0 => Err(ctx.err(v.span(), field, "must be greater than zero")),
            Some(v) => Ok(v.get_ref().0),
        }
    };
    let down_after_ms = positive(&rm.down_after, "master.down_after", DEFAULT_DOWN_AFTER_MS)?;
    let failover_timeout_ms = positive(
        &rm.failover_timeout,
        "master.failover_timeout",
        DEFAULT_FAILOVER_TIMEOUT_MS,
    )?;
    let parallel_syncs = match &rm.parallel_syncs {
        None => 1,
        Some(p) if *p.get_ref() == 0 => {
            return Err(ctx.err(p.span(), "master.parallel_syncs", "must be at least 1"));
        }
        Some(p) => *p.get_ref(),
    };
    let master = MasterGroup {
        name: mname,
        node: mnode,
        quorum,
        down_after_ms,
        failover_timeout_ms,
        parallel_syncs,
    };

    // --- clients
    let mut clients = Vec::new();
    for (i, c) in raw.client.iter().enumerate() {
        let field = format!("client[{i}]");
        let rc = c.get_ref();
        let name = match &rc.name {
            Some(n) => {
                let v = n.get_ref();
                if !valid_name(v) || v == WORLD {
                    return Err(ctx.err(n.span(), format!("{field}.name"), format!("invalid client name {v:?}")));
                }
                if let Some(prev) = names.get(v) {
                    return Err(ctx.err(
                        n.span(),
                        format!("{field}.name"),
                        format!("duplicate name {v:?} (already used by {prev})"),
                    ));
                }
                v.clone()
            }
            None => {
                let n = format!("client-{}", i + 1);
                if let Some(prev) = names.get(&n) {
                    return Err(ctx.err(
                        c.span(),
                        format!("{field}.name"),
                        format!("default name {n:?} already used by {prev}"),
                    ));
                }
                n
            }
        };
        names.insert(name.clone(), field.clone());
        let mode = match &rc.mode {
            None => ClientMode::Sentinel,
            Some(m) => match m.get_ref().as_str() {
                "sentinel" => ClientMode::Sentinel,
                "sticky" => ClientMode::Sticky,
                other => {
                    return Err(ctx.err(
                        m.span(),
                        format!("{field}.mode"),
                        format!("unknown mode {other:?} (expected \"sentinel\" or \"sticky\")"),
                    ));
                }
            },
        };
        let node = match (&rc.node, mode) {
            (Some(n), ClientMode::Sticky) => {
                Some(registry.resolve(ctx, n.span(), &format!("{field}.node"), n.get_ref(), Want::Redis)?)
            }
            (Some(n), ClientMode::Sentinel) => {
                return Err(ctx.err(
                    n.span(),
                    format!("{field}.node"),
                    "a sentinel-mode client finds the master through the sentinels; `node` is for mode = \"sticky\"",
                ));
            }
            (None, ClientMode::Sticky) => {
                return Err(ctx.err(
                    c.span(),
                    format!("{field}.node"),
                    "a sticky client needs `node` (the data node it writes to)",
                ));
            }
            (None, ClientMode::Sentinel) => None,
        };
        let rate = match &rc.rate {
            None => DEFAULT_CLIENT_RATE,
            Some(r) if *r.get_ref() == 0 || *r.get_ref() > 10_000 => {
                return Err(ctx.err(r.span(), format!("{field}.rate"), "must be 1..=10000 writes per second"));
            }
            Some(r) => *r.get_ref(),
        };
        let start_ms = rc.start.as_ref().map(|s| s.get_ref().0).unwrap_or(0);
        if let Some(s) = &rc.start {
            if start_ms >= duration_ms {
                return Err(ctx.err(s.span(), format!("{field}.start"), beyond(start_ms, duration_ms)));
            }
        }
        let stop_ms = rc.stop.as_ref().map(|s| s.get_ref().0).unwrap_or(duration_ms);
        if let Some(s) = &rc.stop {
            if stop_ms > duration_ms {
                return Err(ctx.err(s.span(), format!("{field}.stop"), beyond(stop_ms, duration_ms)));
            }
            if stop_ms <= start_ms {
                return Err(ctx.err(s.span(), format!("{field}.stop"), "must be after start"));
            }
        }
        let near = match &rc.near {
            None => None,
            Some(n) => Some(registry.resolve(ctx, n.span(), &format!("{field}.near"), n.get_ref(), Want::Any)?),
        };
        clients.push(Client {
            name,
            mode,
            node,
            rate,
            start_ms,
            stop_ms,
            near,
        });
    }

    // --- timeline
    let mut timeline: Vec<(usize, TimedAction)> = Vec::new();
    for (i, a) in raw.timeline.iter().enumerate() {
        let act = validate_action(ctx, &registry, &master, duration_ms, i, a)?;
        timeline.push((i, act));
    }
    timeline.sort_by_key(|(i, t)| (t.at_ms, *i));
    check_process_states(ctx, &raw, &timeline)?;
    let timeline: Vec<TimedAction> = timeline.into_iter().map(|(_, t)| t).collect();

    // --- expectations
    let expect = match &raw.expect {
        None => Expect::default(),
        Some(e) => validate_expect(ctx, &registry, e)?,
    };

    Ok(Scenario {
        name,
        story: story_of(ctx.text),
        duration_ms,
        settle_ms,
        seed: raw.seed,
        master,
        redis,
        sentinels,
        clients,
        timeline,
        expect,
    })
}

fn beyond(t: u64, duration: u64) -> String {
    format!(
        "{} is not before the end of the run (duration {})",
        format_ms(t),
        format_ms(duration)
    )
}

/// The fields each action takes: (required, optional).
fn action_fields(k: ActionKind) -> (&'static [&'static str], &'static [&'static str]) {
    match k {
        ActionKind::Kill | ActionKind::Pause | ActionKind::Resume | ActionKind::Isolate | ActionKind::ClockReset => {
            (&["node"], &[])
        }
        ActionKind::Restart => (&["node"], &["wipe"]),
        ActionKind::KillOn => (&["event"], &[]),
        ActionKind::Partition => (&["groups"], &[]),
        ActionKind::PartitionOneway => (&["from", "to"], &[]),
        ActionKind::Heal | ActionKind::NetReset => (&[], &[]),
        ActionKind::Latency => (&["min", "max"], &["nodes", "from", "to"]),
        ActionKind::Loss => (&["rate"], &["nodes", "from", "to"]),
        ActionKind::ClockSkew => (&["node", "offset"], &[]),
        ActionKind::ClockJump => (&["node", "by"], &[]),
        ActionKind::ClockDrift => (&["node", "rate"], &[]),
        ActionKind::ClockStrobe => (&["node", "amplitude", "period", "duration"], &[]),
        ActionKind::Failover => (&["via"], &[]),
        ActionKind::SentinelSet => (&["via", "option", "value"], &[]),
        ActionKind::SentinelReset => (&["via"], &["pattern"]),
        ActionKind::Replicaof => (&["node", "master"], &[]),
        ActionKind::RandomFaults => (&["every", "heal_after"], &["kinds", "until"]),
    }
}

fn validate_action(
    ctx: &Ctx,
    reg: &Registry,
    master: &MasterGroup,
    duration_ms: u64,
    i: usize,
    a: &Spanned<RawAction>,
) -> Result<TimedAction, ScenarioError> {
    let f = |name: &str| format!("timeline[{i}].{name}");
    let r = a.get_ref();
    let at_ms = r.at.get_ref().0;
    if at_ms >= duration_ms {
        return Err(ctx.err(r.at.span(), f("at"), beyond(at_ms, duration_ms)));
    }
    let Some(kind) = ActionKind::parse(r.action.get_ref()) else {
        let all = ActionKind::ALL
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        return Err(ctx.err(
            r.action.span(),
            f("action"),
            format!("unknown action {:?} (known: {all})", r.action.get_ref()),
        ));
    };
    let (required, optional) = action_fields(kind);
    for (name, span) in r.present() {
        if !required.contains(&name) && !optional.contains(&name) {
            let takes: Vec<&str> = required.iter().chain(optional).copied().collect();
            let takes = if takes.is_empty() {
                "no fields".to_string()
            } else {
                takes.join(", ")
            };
            return Err(ctx.err(
                span,
                f(name),
                format!(
                    "field `{name}` does not apply to action \"{}\" (it takes: {takes})",
                    kind.as_str()
                ),
            ));
        }
    }
    let present: Vec<&str> = r.present().into_iter().map(|(n, _)| n).collect();
    for name in required {
        if !present.contains(name) {
            return Err(ctx.err(
                a.span(),
                f(name),
                format!("missing field `{name}` for action \"{}\"", kind.as_str()),
            ));
        }
    }
    // Required fields are present from here on; `need` turns the Option into a reference.
    fn need<T>(x: &S<T>) -> &Spanned<T> {
        x.as_ref().expect("checked present above")
    }
    let node = |want: Want| -> Result<String, ScenarioError> {
        let n = need(&r.node);
        reg.resolve(ctx, n.span(), &f("node"), n.get_ref(), want)
    };
    let via = || -> Result<String, ScenarioError> {
        let n = need(&r.via);
        reg.resolve(ctx, n.span(), &f("via"), n.get_ref(), Want::Sentinel)
    };
    let positive = |x: &S<Dur>, name: &str| -> Result<u64, ScenarioError> {
        let d = need(x);
        if d.get_ref().0 == 0 {
            return Err(ctx.err(d.span(), f(name), "must be greater than zero"));
        }
        Ok(d.get_ref().0)
    };
    let opt_nodes = |x: &S<Vec<String>>| -> Result<Option<Vec<String>>, ScenarioError> {
        match x {
            None => Ok(None),
            Some(l) if l.get_ref().is_empty() => {
                Err(ctx.err(l.span(), f("nodes"), "empty list: leave `nodes` out to mean every node"))
            }
            Some(l) => reg.resolve_list(ctx, l, &f("nodes"), Want::Any).map(Some),
        }
    };
    // `from` and `to` (directed links) go together, and not with `nodes`.
    type FromTo = (Option<Vec<String>>, Option<Vec<String>>);
    let directed = || -> Result<FromTo, ScenarioError> {
        let (from_l, to_l) = match (&r.from, &r.to, &r.nodes) {
            (None, None, _) => return Ok((None, None)),
            (Some(_), _, Some(n)) | (_, Some(_), Some(n)) => {
                return Err(ctx.err(n.span(), f("nodes"), "use either `nodes` or `from` and `to`, not both"))
            }
            (Some(l), None, None) => return Err(ctx.err(l.span(), f("to"), "`from` needs `to`")),
            (None, Some(l), None) => return Err(ctx.err(l.span(), f("from"), "`to` needs `from`")),
            (Some(a), Some(b), None) => (a, b),
        };
        let from = reg.resolve_list(ctx, from_l, &f("from"), Want::Any)?;
        let to = reg.resolve_list(ctx, to_l, &f("to"), Want::Any)?;
        if from.is_empty() {
            return Err(ctx.err(from_l.span(), f("from"), "must name at least one node"));
        }
        if to.is_empty() {
            return Err(ctx.err(to_l.span(), f("to"), "must name at least one node"));
        }
        if let Some(n) = from.iter().find(|n| to.contains(n)) {
            return Err(ctx.err(to_l.span(), f("to"), format!("{n} is in both `from` and `to`")));
        }
        Ok((Some(from), Some(to)))
    };
    let action = match kind {
        ActionKind::Kill => Action::Kill { node: node(Want::Any)? },
        ActionKind::Restart => {
            let node = node(Want::Any)?;
            let wipe = r.wipe.as_ref().map(|w| *w.get_ref()).unwrap_or(false);
            if wipe && reg.find(&node).is_some_and(|(_, _, k)| *k == NodeKind::Sentinel) {
                let w = need(&r.wipe);
                return Err(ctx.err(w.span(), f("wipe"), "wipe applies to data nodes only"));
            }
            Action::Restart { node, wipe }
        }
        ActionKind::Pause => Action::Pause { node: node(Want::Any)? },
        ActionKind::Resume => Action::Resume { node: node(Want::Any)? },
        ActionKind::Isolate => Action::Isolate { node: node(Want::Any)? },
        ActionKind::ClockReset => Action::ClockReset { node: node(Want::Any)? },
        ActionKind::KillOn => {
            let e = need(&r.event);
            let ev = e.get_ref().trim().to_string();
            if !(ev.starts_with('+') || ev.starts_with('-')) || ev.len() < 2 || ev.contains(' ') {
                return Err(ctx.err(
                    e.span(),
                    f("event"),
                    "must be a Sentinel event name such as \"+elected-leader\"",
                ));
            }
            Action::KillOn { event: ev }
        }
        ActionKind::Partition => Action::Partition {
            groups: validate_groups(ctx, reg, need(&r.groups), &f("groups"))?,
        },
        ActionKind::PartitionOneway => {
            let from_l = need(&r.from);
            let to_l = need(&r.to);
            let from = reg.resolve_list(ctx, from_l, &f("from"), Want::Any)?;
            let to = reg.resolve_list(ctx, to_l, &f("to"), Want::Any)?;
            if from.is_empty() {
                return Err(ctx.err(from_l.span(), f("from"), "must name at least one node"));
            }
            if to.is_empty() {
                return Err(ctx.err(to_l.span(), f("to"), "must name at least one node"));
            }
            if let Some(n) = from.iter().find(|n| to.contains(n)) {
                return Err(ctx.err(to_l.span(), f("to"), format!("{n} is in both `from` and `to`")));
            }
            Action::PartitionOneway { from, to }
        }
        ActionKind::Heal => Action::Heal,
        ActionKind::NetReset => Action::NetReset,
        ActionKind::Latency => {
            let min = need(&r.min);
            let max = need(&r.max);
            let (min_ms, max_ms) = (min.get_ref().0, max.get_ref().0);
            if max_ms < min_ms {
                return Err(ctx.err(
                    max.span(),
                    f("max"),
                    format!("max {} is below min {}", format_ms(max_ms), format_ms(min_ms)),
                ));
            }
            if max_ms > 60_000 {
                return Err(ctx.err(max.span(), f("max"), "latency above 60s is not supported"));
            }
            let (from, to) = directed()?;
            Action::Latency {
                min_ms,
                max_ms,
                nodes: opt_nodes(&r.nodes)?,
                from,
                to,
            }
        }
        ActionKind::Loss => {
            let rate = need(&r.rate);
            let v = *rate.get_ref();
            if !(0.0..=1.0).contains(&v) {
                return Err(ctx.err(rate.span(), f("rate"), format!("loss rate {v} must be within 0..=1")));
            }
            let (from, to) = directed()?;
            Action::Loss {
                rate: v,
                nodes: opt_nodes(&r.nodes)?,
                from,
                to,
            }
        }
        ActionKind::ClockSkew => Action::ClockSkew {
            node: node(Want::Any)?,
            offset_ms: need(&r.offset).get_ref().0,
        },
        ActionKind::ClockJump => {
            let by = need(&r.by);
            if by.get_ref().0 == 0 {
                return Err(ctx.err(by.span(), f("by"), "a jump of zero does nothing"));
            }
            Action::ClockJump {
                node: node(Want::Any)?,
                by_ms: by.get_ref().0,
            }
        }
        ActionKind::ClockDrift => {
            let rate = need(&r.rate);
            let v = *rate.get_ref();
            if !(0.1..=10.0).contains(&v) {
                return Err(ctx.err(
                    rate.span(),
                    f("rate"),
                    format!("clock rate {v} must be within 0.1..=10"),
                ));
            }
            Action::ClockDrift {
                node: node(Want::Any)?,
                rate: v,
            }
        }
        ActionKind::ClockStrobe => {
            let node = node(Want::Any)?;
            let amplitude_ms = positive(&r.amplitude, "amplitude")?;
            let period_ms = positive(&r.period, "period")?;
            let duration_ms_s = positive(&r.duration, "duration")?;
            if period_ms > duration_ms_s {
                return Err(ctx.err(
                    need(&r.period).span(),
                    f("period"),
                    "the period is longer than the strobe's duration",
                ));
            }
            if at_ms + duration_ms_s > duration_ms {
                return Err(ctx.err(
                    need(&r.duration).span(),
                    f("duration"),
                    format!(
                        "the strobe ends at {}, after the end of the run ({})",
                        format_ms(at_ms + duration_ms_s),
                        format_ms(duration_ms)
                    ),
                ));
            }
            Action::ClockStrobe {
                node,
                amplitude_ms,
                period_ms,
                duration_ms: duration_ms_s,
            }
        }
        ActionKind::Failover => Action::Failover { via: via()? },
        ActionKind::SentinelSet => {
            let via = via()?;
            let opt = need(&r.option);
            let option = opt.get_ref().to_ascii_lowercase();
            if !SENTINEL_SET_OPTIONS.contains(&option.as_str()) {
                return Err(ctx.err(
                    opt.span(),
                    f("option"),
                    format!(
                        "unknown SENTINEL SET option {:?} (known: {})",
                        opt.get_ref(),
                        SENTINEL_SET_OPTIONS.join(", ")
                    ),
                ));
            }
            let value = need(&r.value);
            let v = value.get_ref().0.clone();
            if v.is_empty() || v.chars().any(|c| c.is_control()) {
                return Err(ctx.err(
                    value.span(),
                    f("value"),
                    "must be a non-empty value without control characters",
                ));
            }
            Action::SentinelSet { via, option, value: v }
        }
        ActionKind::SentinelReset => {
            let via = via()?;
            let pattern = match &r.pattern {
                None => master.name.clone(),
                Some(p) if p.get_ref().is_empty() || p.get_ref().chars().any(char::is_whitespace) => {
                    return Err(ctx.err(p.span(), f("pattern"), "must be a non-empty glob without spaces"));
                }
                Some(p) => p.get_ref().clone(),
            };
            Action::SentinelReset { via, pattern }
        }
        ActionKind::Replicaof => {
            let node = node(Want::Redis)?;
            let m = need(&r.master);
            let master = if m.get_ref().trim().eq_ignore_ascii_case("no one") {
                None
            } else {
                let mn = reg.resolve(ctx, m.span(), &f("master"), m.get_ref(), Want::Redis)?;
                if mn == node {
                    return Err(ctx.err(m.span(), f("master"), "a node cannot replicate from itself"));
                }
                Some(mn)
            };
            Action::Replicaof { node, master }
        }
        ActionKind::RandomFaults => {
            let every_ms = positive(&r.every, "every")?;
            let heal_after_ms = positive(&r.heal_after, "heal_after")?;
            if heal_after_ms >= every_ms {
                return Err(ctx.err(
                    need(&r.heal_after).span(),
                    f("heal_after"),
                    "must be shorter than `every`",
                ));
            }
            let kinds = match &r.kinds {
                None => FaultKind::DEFAULT.to_vec(),
                Some(l) => {
                    let mut ks = Vec::new();
                    for (j, s) in l.get_ref().iter().enumerate() {
                        let Some(k) = FaultKind::parse(s) else {
                            let all = FaultKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ");
                            return Err(ctx.err(
                                l.span(),
                                f(&format!("kinds[{j}]")),
                                format!("unknown fault kind {s:?} (known: {all})"),
                            ));
                        };
                        if ks.contains(&k) {
                            return Err(ctx.err(l.span(), f(&format!("kinds[{j}]")), format!("{s:?} is listed twice")));
                        }
                        ks.push(k);
                    }
                    if ks.is_empty() {
                        return Err(ctx.err(
                            l.span(),
                            f("kinds"),
                            "empty list: leave `kinds` out for the default mix",
                        ));
                    }
                    ks
                }
            };
            let until_ms = match &r.until {
                None => duration_ms,
                Some(u) => {
                    let v = u.get_ref().0;
                    if v > duration_ms {
                        return Err(ctx.err(u.span(), f("until"), beyond(v, duration_ms)));
                    }
                    if v <= at_ms {
                        return Err(ctx.err(u.span(), f("until"), "must be after `at`"));
                    }
                    v
                }
            };
            let faults = until_ms.saturating_sub(at_ms) / every_ms;
            if faults > MAX_RANDOM_FAULTS {
                return Err(ctx.err(
                    need(&r.every).span(),
                    f("every"),
                    format!("would start {faults} faults before `until` (at most {MAX_RANDOM_FAULTS}): use a longer `every` or an earlier `until`"),
                ));
            }
            Action::RandomFaults {
                every_ms,
                heal_after_ms,
                kinds,
                until_ms,
            }
        }
    };
    Ok(TimedAction { at_ms, action })
}

fn validate_groups(
    ctx: &Ctx,
    reg: &Registry,
    groups: &Spanned<Vec<Vec<String>>>,
    field: &str,
) -> Result<Vec<Vec<String>>, ScenarioError> {
    let span = groups.span();
    let g = groups.get_ref();
    if g.len() < 2 {
        return Err(ctx.err(span, field, "a partition needs at least two groups"));
    }
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut star: Option<usize> = None;
    let mut out: Vec<Vec<String>> = Vec::new();
    for (gi, group) in g.iter().enumerate() {
        if group.is_empty() {
            return Err(ctx.err(span, format!("{field}[{gi}]"), "empty group"));
        }
        let mut names = Vec::new();
        for (j, s) in group.iter().enumerate() {
            let f = format!("{field}[{gi}][{j}]");
            if s == "*" {
                if star.is_some() {
                    return Err(ctx.err(span, f, "\"*\" (every other node) may appear only once"));
                }
                star = Some(gi);
                continue;
            }
            let n = reg.resolve(ctx, span.clone(), &f, s, Want::Any)?;
            if let Some(prev) = seen.get(&n) {
                return Err(ctx.err(
                    span,
                    f,
                    format!("{n} is in group {prev} and group {gi}: groups must not overlap"),
                ));
            }
            seen.insert(n.clone(), gi);
            names.push(n);
        }
        out.push(names);
    }
    let rest: Vec<String> = reg
        .nodes
        .iter()
        .map(|(n, _, _)| n.clone())
        .filter(|n| !seen.contains_key(n))
        .collect();
    match star {
        Some(gi) => {
            if rest.is_empty() && out[gi].is_empty() {
                return Err(ctx.err(
                    span,
                    format!("{field}[{gi}]"),
                    "\"*\" matches no node: every node is already listed",
                ));
            }
            out[gi].extend(rest);
        }
        None if !rest.is_empty() => {
            return Err(ctx.err(
                span,
                field,
                format!(
                    "every node must be in exactly one group; not placed: {} (add them, or use \"*\" for the rest)",
                    rest.join(", ")
                ),
            ));
        }
        None => {}
    }
    Ok(out)
}

/// Pause/resume/kill/restart must make sense in time order: no `resume` without a `pause`, no
/// `pause` of a paused or killed process, no `kill` of a killed process, no operator command via a
/// killed Sentinel or on a killed data node.
fn check_process_states(ctx: &Ctx, raw: &RawScenario, timeline: &[(usize, TimedAction)]) -> Result<(), ScenarioError> {
    #[derive(Clone, Copy)]
    enum St {
        Paused(u64),
        Dead(u64),
    }
    let mut state: BTreeMap<&str, St> = BTreeMap::new();
    for (i, t) in timeline {
        let r = raw.timeline[*i].get_ref();
        let at = duration::secs(t.at_ms);
        let action_err = |msg: String| ctx.err(r.action.span(), format!("timeline[{i}].action"), msg);
        let node_err = |field: &str, msg: String| {
            let span = match field {
                "via" => r.via.as_ref().map(|v| v.span()),
                _ => r.node.as_ref().map(|v| v.span()),
            }
            .unwrap_or(r.action.span());
            ctx.err(span, format!("timeline[{i}].{field}"), msg)
        };
        match &t.action {
            Action::Kill { node } => match state.get(node.as_str()) {
                Some(St::Dead(since)) => {
                    return Err(action_err(format!(
                        "kill at {at}: {node} is already down (killed at {})",
                        duration::secs(*since)
                    )));
                }
                _ => {
                    state.insert(node, St::Dead(t.at_ms));
                }
            },
            Action::Restart { node, .. } => {
                state.remove(node.as_str());
            }
            Action::Pause { node } => match state.get(node.as_str()) {
                Some(St::Paused(since)) => {
                    return Err(action_err(format!(
                        "pause at {at}: {node} is already paused (since {})",
                        duration::secs(*since)
                    )));
                }
                Some(St::Dead(since)) => {
                    return Err(action_err(format!(
                        "pause at {at}: {node} is down (killed at {})",
                        duration::secs(*since)
                    )));
                }
                None => {
                    state.insert(node, St::Paused(t.at_ms));
                }
            },
            Action::Resume { node } => match state.get(node.as_str()) {
                Some(St::Paused(_)) => {
                    state.remove(node.as_str());
                }
                _ => {
                    return Err(action_err(format!(
                        "resume at {at}: {node} is not paused (resume without pause)"
                    )));
                }
            },
            Action::Failover { via } | Action::SentinelSet { via, .. } | Action::SentinelReset { via, .. } => {
                if let Some(St::Dead(since)) = state.get(via.as_str()) {
                    return Err(node_err(
                        "via",
                        format!("{via} is down at {at} (killed at {})", duration::secs(*since)),
                    ));
                }
            }
            Action::Replicaof { node, .. } => {
                if let Some(St::Dead(since)) = state.get(node.as_str()) {
                    return Err(node_err(
                        "node",
                        format!("{node} is down at {at} (killed at {})", duration::secs(*since)),
                    ));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn validate_expect(ctx: &Ctx, reg: &Registry, e: &RawExpect) -> Result<Expect, ScenarioError> {
    let list = |l: &S<Vec<String>>, field: &str| -> Result<Option<Vec<String>>, ScenarioError> {
        match l {
            None => Ok(None),
            Some(l) if l.get_ref().is_empty() => Err(ctx.err(l.span(), field, "empty list")),
            Some(l) => reg.resolve_list(ctx, l, field, Want::Redis).map(Some),
        }
    };
    let promoted = list(&e.promoted, "expect.promoted")?;
    let never_promoted = list(&e.never_promoted, "expect.never_promoted")?;
    let final_master = match &e.final_master {
        None => None,
        Some(m) => Some(reg.resolve(ctx, m.span(), "expect.final_master", m.get_ref(), Want::Redis)?),
    };
    if let (Some(m), Some(p)) = (&final_master, &promoted) {
        if !p.contains(m) {
            let span = e.final_master.as_ref().map(|s| s.span()).unwrap_or(0..0);
            return Err(ctx.err(
                span,
                "expect.final_master",
                format!("{m} is not in expect.promoted: the expectations contradict"),
            ));
        }
    }
    if let (Some(p), Some(n)) = (&promoted, &never_promoted) {
        if let Some(x) = p.iter().find(|x| n.contains(x)) {
            let span = e.never_promoted.as_ref().map(|s| s.span()).unwrap_or(0..0);
            return Err(ctx.err(span, "expect.never_promoted", format!("{x} is also in expect.promoted")));
        }
    }
    let dur = |d: &S<Dur>| d.as_ref().map(|d| d.get_ref().0);
    for (d, name) in [
        (&e.max_detection, "expect.max_detection"),
        (&e.max_failover, "expect.max_failover"),
        (&e.converged_within, "expect.converged_within"),
    ] {
        if let Some(d) = d {
            if d.get_ref().0 == 0 {
                return Err(ctx.err(d.span(), name, "must be greater than zero"));
            }
        }
    }
    let min_max = |min: &S<u64>, max: Option<u64>, field: &str| -> Result<(), ScenarioError> {
        if let (Some(mn), Some(mx)) = (min, max) {
            if *mn.get_ref() > mx {
                return Err(ctx.err(mn.span(), field, format!("{} is above the maximum {mx}", mn.get_ref())));
            }
        }
        Ok(())
    };
    min_max(&e.lost_writes_min, e.lost_writes_max, "expect.lost_writes_min")?;
    min_max(
        &e.lost_writes_after_heal_min,
        e.lost_writes_after_heal_max,
        "expect.lost_writes_after_heal_min",
    )?;
    min_max(&e.min_epoch, e.max_epoch, "expect.min_epoch")?;
    let events = |l: &S<Vec<String>>, field: &str| -> Result<Option<Vec<String>>, ScenarioError> {
        let Some(l) = l else { return Ok(None) };
        if l.get_ref().is_empty() {
            return Err(ctx.err(l.span(), field, "empty list"));
        }
        for (i, n) in l.get_ref().iter().enumerate() {
            let ok = n.len() > 1
                && (n.starts_with('+') || n.starts_with('-'))
                && n[1..].chars().all(|c| c.is_ascii_lowercase() || c == '-');
            if !ok {
                return Err(ctx.err(
                    l.span(),
                    format!("{field}[{i}]"),
                    format!("{n:?} is not a Sentinel event name (like \"+convert-to-slave\")"),
                ));
            }
        }
        Ok(Some(l.get_ref().clone()))
    };
    let seen = events(&e.seen, "expect.seen")?;
    let not_seen = events(&e.not_seen, "expect.not_seen")?;
    if let (Some(a), Some(b)) = (&seen, &not_seen) {
        if let Some(x) = a.iter().find(|x| b.contains(x)) {
            let span = e.not_seen.as_ref().map(|s| s.span()).unwrap_or(0..0);
            return Err(ctx.err(span, "expect.not_seen", format!("{x} is also in expect.seen")));
        }
    }
    Ok(Expect {
        failover: e.failover,
        promoted,
        never_promoted,
        final_master,
        max_detection_ms: dur(&e.max_detection),
        max_failover_ms: dur(&e.max_failover),
        tilt: e.tilt,
        lost_writes_max: e.lost_writes_max,
        lost_writes_min: e.lost_writes_min.as_ref().map(|v| *v.get_ref()),
        lost_writes_after_heal_max: e.lost_writes_after_heal_max,
        lost_writes_after_heal_min: e.lost_writes_after_heal_min.as_ref().map(|v| *v.get_ref()),
        converged_within_ms: dur(&e.converged_within),
        min_epoch: e.min_epoch.as_ref().map(|v| *v.get_ref()),
        max_epoch: e.max_epoch,
        seen,
        not_seen,
    })
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

/// A TOML basic string.
fn q(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn q_list(l: &[String]) -> String {
    format!("[{}]", l.iter().map(|s| q(s)).collect::<Vec<_>>().join(", "))
}

fn f64_lit(v: f64) -> String {
    // `{:?}` is the shortest text that parses back to the same f64, always with a `.` or exponent.
    format!("{v:?}")
}

/// Writes a scenario as a scenario file: `parse(&to_toml(s), _) == Ok(s)` for every valid `s`.
/// Defaults are left out where that keeps the file short; the story becomes the opening comment.
pub fn to_toml(s: &Scenario) -> String {
    let mut o = String::new();
    let line = |o: &mut String, l: String| {
        o.push_str(&l);
        o.push('\n');
    };
    if !s.story.is_empty() {
        for l in s.story.split('\n') {
            line(
                &mut o,
                if l.is_empty() {
                    "#".to_string()
                } else {
                    format!("# {l}")
                },
            );
        }
        line(&mut o, String::new());
    }
    line(&mut o, format!("name = {}", q(&s.name)));
    line(&mut o, format!("duration = {}", q(&format_ms(s.duration_ms))));
    line(&mut o, format!("settle = {}", q(&format_ms(s.settle_ms))));
    if let Some(seed) = s.seed {
        line(&mut o, format!("seed = {seed}"));
    }
    line(&mut o, String::new());
    line(&mut o, "[master]".to_string());
    line(&mut o, format!("name = {}", q(&s.master.name)));
    line(&mut o, format!("node = {}", q(&s.master.node)));
    line(&mut o, format!("quorum = {}", s.master.quorum));
    line(
        &mut o,
        format!("down_after = {}", q(&format_ms(s.master.down_after_ms))),
    );
    line(
        &mut o,
        format!("failover_timeout = {}", q(&format_ms(s.master.failover_timeout_ms))),
    );
    line(&mut o, format!("parallel_syncs = {}", s.master.parallel_syncs));
    for r in &s.redis {
        line(&mut o, String::new());
        line(&mut o, "[[redis]]".to_string());
        line(&mut o, format!("name = {}", q(&r.name)));
        line(&mut o, format!("addr = {}", q(&r.addr)));
        if let Some(m) = &r.replica_of {
            line(&mut o, format!("replica_of = {}", q(m)));
        }
        if r.priority != DEFAULT_PRIORITY {
            line(&mut o, format!("priority = {}", r.priority));
        }
        if r.min_replicas_to_write != 0 {
            line(&mut o, format!("min_replicas_to_write = {}", r.min_replicas_to_write));
        }
        if r.min_replicas_max_lag_ms != DEFAULT_MIN_REPLICAS_MAX_LAG_MS {
            line(
                &mut o,
                format!("min_replicas_max_lag = {}", q(&format_ms(r.min_replicas_max_lag_ms))),
            );
        }
        if r.persistence {
            line(&mut o, "persistence = true".to_string());
        }
        if !r.serve_stale_data {
            line(&mut o, "serve_stale_data = false".to_string());
        }
    }
    for x in &s.sentinels {
        line(&mut o, String::new());
        line(&mut o, "[[sentinel]]".to_string());
        line(&mut o, format!("name = {}", q(&x.name)));
        line(&mut o, format!("addr = {}", q(&x.addr)));
    }
    for c in &s.clients {
        line(&mut o, String::new());
        line(&mut o, "[[client]]".to_string());
        line(&mut o, format!("name = {}", q(&c.name)));
        line(&mut o, format!("mode = {}", q(c.mode.as_str())));
        if let Some(n) = &c.node {
            line(&mut o, format!("node = {}", q(n)));
        }
        line(&mut o, format!("rate = {}", c.rate));
        line(&mut o, format!("start = {}", q(&format_ms(c.start_ms))));
        line(&mut o, format!("stop = {}", q(&format_ms(c.stop_ms))));
        if let Some(n) = &c.near {
            line(&mut o, format!("near = {}", q(n)));
        }
    }
    for t in &s.timeline {
        line(&mut o, String::new());
        line(&mut o, "[[timeline]]".to_string());
        line(&mut o, format!("at = {}", q(&format_ms(t.at_ms))));
        line(&mut o, format!("action = {}", q(t.action.kind().as_str())));
        for (k, v) in action_fields_toml(&t.action) {
            line(&mut o, format!("{k} = {v}"));
        }
    }
    let e = &s.expect;
    if !e.is_empty() {
        line(&mut o, String::new());
        line(&mut o, "[expect]".to_string());
        let mut kv = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                o.push_str(&format!("{k} = {v}\n"));
            }
        };
        let d = |v: Option<u64>| v.map(|v| q(&format_ms(v)));
        let n = |v: Option<u64>| v.map(|v| v.to_string());
        kv("failover", e.failover.map(|b| b.to_string()));
        kv("promoted", e.promoted.as_deref().map(q_list));
        kv("never_promoted", e.never_promoted.as_deref().map(q_list));
        kv("final_master", e.final_master.as_deref().map(q));
        kv("max_detection", d(e.max_detection_ms));
        kv("max_failover", d(e.max_failover_ms));
        kv("tilt", e.tilt.map(|b| b.to_string()));
        kv("lost_writes_max", n(e.lost_writes_max));
        kv("lost_writes_min", n(e.lost_writes_min));
        kv("lost_writes_after_heal_max", n(e.lost_writes_after_heal_max));
        kv("lost_writes_after_heal_min", n(e.lost_writes_after_heal_min));
        kv("converged_within", d(e.converged_within_ms));
        kv("min_epoch", n(e.min_epoch));
        kv("max_epoch", n(e.max_epoch));
        kv("seen", e.seen.as_deref().map(q_list));
        kv("not_seen", e.not_seen.as_deref().map(q_list));
    }
    o
}

/// An action's fields as `(key, TOML value)` pairs, in a stable order.
fn action_fields_toml(a: &Action) -> Vec<(&'static str, String)> {
    let d = |ms: u64| q(&format_ms(ms));
    let sd = |ms: i64| q(&format_signed_ms(ms));
    match a {
        Action::Kill { node }
        | Action::Pause { node }
        | Action::Resume { node }
        | Action::Isolate { node }
        | Action::ClockReset { node } => vec![("node", q(node))],
        Action::KillOn { event } => vec![("event", q(event))],
        Action::Restart { node, wipe } => {
            let mut v = vec![("node", q(node))];
            if *wipe {
                v.push(("wipe", "true".to_string()));
            }
            v
        }
        Action::Partition { groups } => {
            vec![(
                "groups",
                format!("[{}]", groups.iter().map(|g| q_list(g)).collect::<Vec<_>>().join(", ")),
            )]
        }
        Action::PartitionOneway { from, to } => vec![("from", q_list(from)), ("to", q_list(to))],
        Action::Heal | Action::NetReset => vec![],
        Action::Latency {
            min_ms,
            max_ms,
            nodes,
            from,
            to,
        } => {
            let mut v = vec![("min", d(*min_ms)), ("max", d(*max_ms))];
            for (k, l) in [("nodes", nodes), ("from", from), ("to", to)] {
                if let Some(n) = l {
                    v.push((k, q_list(n)));
                }
            }
            v
        }
        Action::Loss { rate, nodes, from, to } => {
            let mut v = vec![("rate", f64_lit(*rate))];
            for (k, l) in [("nodes", nodes), ("from", from), ("to", to)] {
                if let Some(n) = l {
                    v.push((k, q_list(n)));
                }
            }
            v
        }
        Action::ClockSkew { node, offset_ms } => vec![("node", q(node)), ("offset", sd(*offset_ms))],
        Action::ClockJump { node, by_ms } => vec![("node", q(node)), ("by", sd(*by_ms))],
        Action::ClockDrift { node, rate } => vec![("node", q(node)), ("rate", f64_lit(*rate))],
        Action::ClockStrobe {
            node,
            amplitude_ms,
            period_ms,
            duration_ms,
        } => vec![
            ("node", q(node)),
            ("amplitude", d(*amplitude_ms)),
            ("period", d(*period_ms)),
            ("duration", d(*duration_ms)),
        ],
        Action::Failover { via } => vec![("via", q(via))],
        Action::SentinelSet { via, option, value } => vec![("via", q(via)), ("option", q(option)), ("value", q(value))],
        Action::SentinelReset { via, pattern } => vec![("via", q(via)), ("pattern", q(pattern))],
        Action::Replicaof { node, master } => {
            vec![("node", q(node)), ("master", q(master.as_deref().unwrap_or("no one")))]
        }
        Action::RandomFaults {
            every_ms,
            heal_after_ms,
            kinds,
            until_ms,
        } => vec![
            ("every", d(*every_ms)),
            ("heal_after", d(*heal_after_ms)),
            (
                "kinds",
                format!(
                    "[{}]",
                    kinds.iter().map(|k| q(k.as_str())).collect::<Vec<_>>().join(", ")
                ),
            ),
            ("until", d(*until_ms)),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let t = "a = 1\nbé = \"x\"\n";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 6), (2, 1));
        let off = t.find("\"x\"").unwrap();
        assert_eq!(line_col(t, off), (2, 6));
        assert_eq!(line_col(t, 10_000), (3, 1));
    }

    #[test]
    fn path_at_names_tables_and_keys() {
        let t = "duration = \"1s\"\n[master]\nquorum = 2\n[[timeline]]\nat = 1\n[[timeline]]\nat = 2\ngroups = [\n  [\"a\"],\n]\n";
        assert_eq!(path_at(t, 2), "duration");
        assert_eq!(path_at(t, t.find("quorum").unwrap() + 9), "master.quorum");
        assert_eq!(path_at(t, t.find("at = 2").unwrap()), "timeline[1].at");
        assert_eq!(path_at(t, t.find("[\"a\"]").unwrap()), "timeline[1].groups");
        assert_eq!(path_at(t, t.find("[master]").unwrap()), "master");
        assert_eq!(path_at(t, t.rfind("[[timeline]]").unwrap()), "timeline[1]");
    }

    #[test]
    fn trace_lines_are_recognised() {
        for (line, k) in [
            ("kill 127.0.0.1:6382", ActionKind::Kill),
            ("SENTINEL FAILOVER mymaster (via 127.0.0.1:5000)", ActionKind::Failover),
            (
                "SENTINEL SET mymaster quorum 3 (via 127.0.0.1:5000)",
                ActionKind::SentinelSet,
            ),
            ("REPLICAOF NO ONE (on 127.0.0.1:6383)", ActionKind::Replicaof),
            (
                "partition_oneway 127.0.0.1:6382 -> 127.0.0.1:5000",
                ActionKind::PartitionOneway,
            ),
            ("heal", ActionKind::Heal),
        ] {
            assert_eq!(ActionKind::of_trace_line(line), Some(k), "{line}");
        }
        assert_eq!(
            trace_line_via("SENTINEL FAILOVER mymaster (via 127.0.0.1:5000)"),
            Some("127.0.0.1:5000")
        );
        assert_eq!(ActionKind::of_trace_line("frobnicate"), None);
    }
}
