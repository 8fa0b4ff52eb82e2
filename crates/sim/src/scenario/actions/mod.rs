//! Action kinds: what a `[[timeline]]` entry can do, in one table.
//!
//! [`KINDS`] has one row per kind: its `action = "..."` spelling, the fields it takes, what it is
//! (a fault, an undoing action, configuration) and the function that validates its entry. The
//! validation functions live in one small file per family: `process` (kill, restart, pause,
//! resume, kill_on), `network` (partition, isolate, partition_oneway, heal, latency, loss,
//! net_reset), `clock` (clock_*), `operator` (failover, sentinel_set, sentinel_reset, replicaof)
//! and `random` (random_faults).
//!
//! Adding an action kind: a variant of [`Action`] and of [`ActionKind`], a row in [`KINDS`], its
//! validation function in the family's file, and an arm in each match of `impl Action` below
//! (the compiler points at every one). Beyond the scenario format: `plan.rs` turns it into a
//! world action, `world/` performs it, and `report/html/actions.rs` draws it.

mod clock;
mod network;
mod operator;
mod process;
mod random;

use serde::Serialize;

use super::error::ScenarioError;
use super::toml_writer::{f64_lit, q, q_list};
use super::types::Scenario;
use super::validate::action::Input;
use crate::duration::{format_ms, format_signed_ms};

/// What a `[[timeline]]` entry does (`action = "..."` plus the fields listed per variant).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
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
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from: Option<Vec<String>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<Vec<String>>,
    },
    /// `loss {rate, nodes? | from? to?}`: each message is dropped with probability `rate` (0..=1):
    /// every message (default), on the links to and from `nodes`, or from `from` to `to`.
    Loss {
        rate: f64,
        nodes: Option<Vec<String>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from: Option<Vec<String>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
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
    /// `kill_on {event, target?}`: from `at` on, the first Sentinel that emits `event` (e.g.
    /// `"+failover-state-wait-promotion"`: a leader in the middle of a failover) is killed at that
    /// instant (written to the trace as an ordinary `kill <addr>`). Fires once. With `target =
    /// "subject"` the instance the event is about (its `%@`, e.g. the replica being promoted) is
    /// killed instead; an event about no scenario node then does not fire.
    KillOn {
        event: String,
        #[serde(default, skip_serializing_if = "KillTarget::is_emitter")]
        target: KillTarget,
    },
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
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

/// Whom a `kill_on` trigger kills.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KillTarget {
    /// The Sentinel that emitted the event (the default).
    #[default]
    Emitter,
    /// The instance the event is about (`%@`), e.g. the replica `+failover-state-wait-promotion`
    /// names: lets a scenario kill the replica being promoted.
    Subject,
}

impl KillTarget {
    fn is_emitter(&self) -> bool {
        *self == KillTarget::Emitter
    }
}

/// The name of an action, without its fields (also recognised from trace action lines).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
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

/// What an action does to the run: the timeline's first [`Role::Fault`] is the origin of its
/// times; after the last [`Role::Undo`] the system should converge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Disruptive (kill, partition, operator failover, ...).
    Fault,
    /// Undoes a fault (restart, resume, heal, net_reset, clock_reset).
    Undo,
    /// Configuration (sentinel_set, sentinel_reset).
    Config,
}

/// One row of [`KINDS`].
pub struct KindSpec {
    pub kind: ActionKind,
    /// The `action = "..."` spelling.
    pub name: &'static str,
    /// Fields the entry must have (besides `at` and `action`).
    pub required: &'static [&'static str],
    /// Fields it may have.
    pub optional: &'static [&'static str],
    pub role: Role,
    /// Validates the entry (its fields are known to be present and applicable).
    pub validate: fn(&Input) -> Result<Action, ScenarioError>,
}

/// Shorthand for the rows of [`KINDS`].
const fn row(
    kind: ActionKind,
    name: &'static str,
    required: &'static [&'static str],
    optional: &'static [&'static str],
    role: Role,
    validate: fn(&Input) -> Result<Action, ScenarioError>,
) -> KindSpec {
    KindSpec {
        kind,
        name,
        required,
        optional,
        role,
        validate,
    }
}

use ActionKind as K;
use Role::{Config, Fault, Undo};

/// Every action kind, in the order of [`ActionKind`].
#[rustfmt::skip]
pub const KINDS: [KindSpec; 22] = [
    //   kind               action = "..."       required fields                              optional             role    validation
    row(K::Kill,            "kill",              &["node"],                                   &[],                 Fault,  process::kill),
    row(K::Restart,         "restart",           &["node"],                                   &["wipe"],           Undo,   process::restart),
    row(K::Pause,           "pause",             &["node"],                                   &[],                 Fault,  process::pause),
    row(K::Resume,          "resume",            &["node"],                                   &[],                 Undo,   process::resume),
    row(K::Partition,       "partition",         &["groups"],                                 &[],                 Fault,  network::partition),
    row(K::Isolate,         "isolate",           &["node"],                                   &[],                 Fault,  network::isolate),
    row(K::PartitionOneway, "partition_oneway",  &["from", "to"],                             &[],                 Fault,  network::partition_oneway),
    row(K::Heal,            "heal",              &[],                                         &[],                 Undo,   network::heal),
    row(K::Latency,         "latency",           &["min", "max"],                             &["nodes", "from", "to"], Fault, network::latency),
    row(K::Loss,            "loss",              &["rate"],                                   &["nodes", "from", "to"], Fault, network::loss),
    row(K::NetReset,        "net_reset",         &[],                                         &[],                 Undo,   network::net_reset),
    row(K::ClockSkew,       "clock_skew",        &["node", "offset"],                         &[],                 Fault,  clock::skew),
    row(K::ClockJump,       "clock_jump",        &["node", "by"],                             &[],                 Fault,  clock::jump),
    row(K::ClockDrift,      "clock_drift",       &["node", "rate"],                           &[],                 Fault,  clock::drift),
    row(K::ClockStrobe,     "clock_strobe",      &["node", "amplitude", "period", "duration"], &[],                Fault,  clock::strobe),
    row(K::ClockReset,      "clock_reset",       &["node"],                                   &[],                 Undo,   clock::reset),
    row(K::KillOn,          "kill_on",           &["event"],                                  &["target"],         Fault,  process::kill_on),
    row(K::Failover,        "failover",          &["via"],                                    &[],                 Fault,  operator::failover),
    row(K::SentinelSet,     "sentinel_set",      &["via", "option", "value"],                 &[],                 Config, operator::sentinel_set),
    row(K::SentinelReset,   "sentinel_reset",    &["via"],                                    &["pattern"],        Config, operator::sentinel_reset),
    row(K::Replicaof,       "replicaof",         &["node", "master"],                         &[],                 Fault,  operator::replicaof),
    row(K::RandomFaults,    "random_faults",     &["every", "heal_after"],                    &["kinds", "until"], Fault,  random::random_faults),
];

impl ActionKind {
    /// Every kind, in table order.
    pub const ALL: [ActionKind; KINDS.len()] = {
        let mut all = [ActionKind::Kill; KINDS.len()];
        let mut i = 0;
        while i < KINDS.len() {
            all[i] = KINDS[i].kind;
            i += 1;
        }
        all
    };

    /// This kind's row of [`KINDS`].
    pub fn spec(self) -> &'static KindSpec {
        // The table lists the kinds in declaration order (checked by a test).
        &KINDS[self as usize]
    }

    /// The `action = "..."` spelling.
    pub fn as_str(self) -> &'static str {
        self.spec().name
    }

    pub fn parse(s: &str) -> Option<ActionKind> {
        KINDS.iter().find(|k| k.name == s).map(|k| k.kind)
    }

    /// A disruptive action: the origin of the run's [`crate::checks::Timeline`] ("kill→+sdown
    /// 3.4s"). Everything except the undoing ones (restart, resume, heal, net_reset, clock_reset)
    /// and configuration (sentinel_set, sentinel_reset).
    pub fn is_fault(self) -> bool {
        self.spec().role == Role::Fault
    }

    /// An undoing action (restart, resume, heal, net_reset, clock_reset): after the last one the
    /// system should converge.
    pub fn is_heal(self) -> bool {
        self.spec().role == Role::Undo
    }
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
    /// The trace also records the action itself (typed), so nothing reads these lines back.
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
            Action::KillOn { event, target } => match target {
                KillTarget::Emitter => format!("{k} {event}"),
                KillTarget::Subject => format!("{k} {event} (its subject)"),
            },
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

    /// The action's fields as `(key, TOML value)` pairs, in a stable order (see `toml_writer`).
    pub fn toml_fields(&self) -> Vec<(&'static str, String)> {
        let d = |ms: u64| q(&format_ms(ms));
        let sd = |ms: i64| q(&format_signed_ms(ms));
        match self {
            Action::Kill { node }
            | Action::Pause { node }
            | Action::Resume { node }
            | Action::Isolate { node }
            | Action::ClockReset { node } => vec![("node", q(node))],
            Action::KillOn { event, target } => {
                let mut v = vec![("event", q(event))];
                if *target == KillTarget::Subject {
                    v.push(("target", q("subject")));
                }
                v
            }
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
                push_lists(&mut v, [("nodes", nodes), ("from", from), ("to", to)]);
                v
            }
            Action::Loss { rate, nodes, from, to } => {
                let mut v = vec![("rate", f64_lit(*rate))];
                push_lists(&mut v, [("nodes", nodes), ("from", from), ("to", to)]);
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
            Action::SentinelSet { via, option, value } => {
                vec![("via", q(via)), ("option", q(option)), ("value", q(value))]
            }
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
}

/// Appends the node lists that are set, as TOML arrays.
fn push_lists(v: &mut Vec<(&'static str, String)>, lists: [(&'static str, &Option<Vec<String>>); 3]) {
    for (k, l) in lists {
        if let Some(n) = l {
            v.push((k, q_list(n)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_lists_every_kind_once_in_declaration_order() {
        for (i, row) in KINDS.iter().enumerate() {
            assert_eq!(row.kind as usize, i, "{}", row.name);
            assert_eq!(ActionKind::parse(row.name), Some(row.kind));
        }
    }
}
