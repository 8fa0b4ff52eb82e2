//! What each lane of the chart shows, derived from the report alone (no rendering).

use crate::report::WriteClass;

/// What a lane stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaneKind {
    /// The injected actions and network-wide conditions (node `world`).
    World,
    Data,
    Sentinel,
    Client,
}

/// A Sentinel's view of the master it follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    Ok,
    /// `+sdown master …` (until `-sdown`, a switch or a restart).
    Sdown,
    /// `+odown master …` (until `-odown`, a switch or a restart).
    Odown,
}

/// The state a lane's bar shows over a segment of time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// Started (restart action or first line), role not known yet.
    Starting,
    /// Killed or exited.
    Down,
    /// A data node in the master role.
    Master,
    /// A data node replicating from `of` (a node name, or the address when unknown).
    Replica { of: String, link_up: bool },
    /// A running Sentinel, following `master` (node name or address), with its view of it.
    Watching { master: Option<String>, health: Health },
}

impl State {
    /// Short text, as written in the bar.
    pub fn label(&self) -> String {
        match self {
            State::Starting => "starting".into(),
            State::Down => "down".into(),
            State::Master => "master".into(),
            State::Replica { of, link_up: true } => format!("replica of {of}"),
            State::Replica { of, link_up: false } => format!("replica of {of} (link down)"),
            State::Watching { master, health } => {
                let m = master.as_deref().unwrap_or("?");
                match health {
                    Health::Ok => format!("master {m}"),
                    Health::Sdown => format!("SDOWN {m}"),
                    Health::Odown => format!("ODOWN {m}"),
                }
            }
        }
    }

    pub(super) fn class(&self) -> &'static str {
        match self {
            State::Starting => "starting",
            State::Down => "down",
            State::Master => "master",
            State::Replica { link_up: true, .. } => "replica",
            State::Replica { link_up: false, .. } => "replica-nolink",
            State::Watching { health: Health::Ok, .. } => "s-ok",
            State::Watching {
                health: Health::Sdown, ..
            } => "s-sdown",
            State::Watching {
                health: Health::Odown, ..
            } => "s-odown",
        }
    }
}

/// A stretch of time in one state (`[from_ms, to_ms)`); consecutive identical states are merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub from_ms: u64,
    pub to_ms: u64,
    pub state: State,
}

/// What a shaded window means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowKind {
    /// On one side (`side` of `sides`, from 0) of a `partition`.
    Partition { side: usize, sides: usize },
    /// `isolate`d.
    Isolated,
    /// `partition_oneway`: what this process sends to the other side is dropped.
    OnewayOut,
    /// `partition_oneway`: what the other side sends to this process is dropped.
    OnewayIn,
    /// World lane: a partition, isolation or one-way cut in force.
    NetPartition,
    /// World lane: `latency` in force (until `net_reset`).
    Latency,
    /// World lane: `loss` in force (until `net_reset`).
    Loss,
    /// `pause` (SIGSTOP) until `resume` or a kill.
    Paused,
    /// A Sentinel in TILT (`+tilt` … `-tilt`).
    Tilt,
    /// A failover this Sentinel leads (`+try-failover` … `+failover-end` / `-failover-abort-*`).
    Failover,
    /// A clock fault in force (`clock_skew`/`clock_jump`/`clock_drift` until `clock_reset`;
    /// `clock_strobe` for its duration).
    Clock,
    /// A client lane: a stretch without an acknowledged write (`workload::availability`).
    Unavailable,
}

impl WindowKind {
    pub(super) fn class(self) -> String {
        match self {
            WindowKind::Partition { side, .. } => format!("partition p{}", side % 3),
            WindowKind::Isolated => "isolated".into(),
            WindowKind::OnewayOut => "oneway-out".into(),
            WindowKind::OnewayIn => "oneway-in".into(),
            WindowKind::NetPartition => "netpart".into(),
            WindowKind::Latency => "latency".into(),
            WindowKind::Loss => "loss".into(),
            WindowKind::Paused => "paused".into(),
            WindowKind::Tilt => "tilt".into(),
            WindowKind::Failover => "failover".into(),
            WindowKind::Clock => "clock".into(),
            WindowKind::Unavailable => "unavail".into(),
        }
    }

    pub(super) fn is_cut(self) -> bool {
        matches!(
            self,
            WindowKind::Partition { .. }
                | WindowKind::Isolated
                | WindowKind::OnewayOut
                | WindowKind::OnewayIn
                | WindowKind::NetPartition
        )
    }
}

/// A shaded stretch of time on one lane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub from_ms: u64,
    pub to_ms: u64,
    pub kind: WindowKind,
    /// What it is, in words (`partition side A with redis-6383, sentinel-5000`).
    pub label: String,
    /// Still in force at the end of the run.
    pub open_at_end: bool,
}

/// What a mark stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkKind {
    /// An injected action (world lane, and the lane of the process it acts on).
    Action,
    /// An operator command on this process (`SENTINEL FAILOVER`, `REPLICAOF`, …) or its reply.
    Command,
    /// A clock fault or reset on this process.
    Clock,
    /// `+new-epoch N`.
    Epoch,
    /// `+elected-leader` (with the epoch).
    Leader,
    /// `+switch-master`.
    Switch,
    WriteOk,
    WriteError,
    WriteLost,
    WriteUnknown,
}

impl MarkKind {
    pub(super) fn class(self) -> &'static str {
        match self {
            MarkKind::Action => "action",
            MarkKind::Command => "command",
            MarkKind::Clock => "clockmark",
            MarkKind::Epoch => "epoch",
            MarkKind::Leader => "leader",
            MarkKind::Switch => "switch",
            MarkKind::WriteOk => "w-ok",
            MarkKind::WriteError => "w-err",
            MarkKind::WriteLost => "w-lost",
            MarkKind::WriteUnknown => "w-unknown",
        }
    }

    /// Which label wins when two would overlap (lower first).
    pub(super) fn priority(self) -> u8 {
        match self {
            MarkKind::Switch => 0,
            MarkKind::Leader => 1,
            MarkKind::Action => 2,
            MarkKind::Command => 3,
            MarkKind::Clock => 4,
            MarkKind::Epoch => 5,
            _ => 6,
        }
    }
}

/// A point in time on one lane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub t_ms: u64,
    pub kind: MarkKind,
    /// Short text drawn next to it (`⇒ redis-6383`, `leader e1`, `kill`).
    pub label: String,
    /// The event line it comes from.
    pub line: String,
}

/// On a client lane: consecutive writes with the same node and outcome (the report's `activity`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteSpan {
    /// The first write's invocation.
    pub from_ms: u64,
    /// The last write's completion.
    pub to_ms: u64,
    /// The data node written to, by name (its address when no lane has it); None when the client
    /// had no address to try.
    pub node: Option<String>,
    /// The node's position among the data node lanes (its colour); None for no node or an unknown
    /// address.
    pub slot: Option<usize>,
    pub outcome: WriteClass,
    pub writes: u64,
}

/// One horizontal lane.
#[derive(Debug, Clone, PartialEq)]
pub struct Lane {
    /// The process (`redis-6382`, `sentinel-5000`), or `world`.
    pub name: String,
    pub kind: LaneKind,
    /// Its announced address, when known from the final state.
    pub addr: Option<String>,
    pub segments: Vec<Segment>,
    pub windows: Vec<Window>,
    pub marks: Vec<Mark>,
    /// Client lanes: the writes, from the report's `writes` (empty for other lanes).
    pub writes: Vec<WriteSpan>,
    /// Indexes into `report.events` of the lines drawn on this lane.
    pub events: Vec<usize>,
}

/// Everything the chart draws.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// The time axis runs from 0 to this (the simulated duration, or the last event if later).
    pub end_ms: u64,
    pub lanes: Vec<Lane>,
}

impl Chart {
    pub fn lane(&self, name: &str) -> Option<&Lane> {
        self.lanes.iter().find(|l| l.name == name)
    }
}
