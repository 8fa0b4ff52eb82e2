//! The results JSON of a run (`<dir>/<scenario>/seed-<N>.json`): its types, written with `Serialize`
//! and read back with `Deserialize` (the sweep, `merge` and the tests read these same types).
//!
//! The JSON is deterministic: two runs of the same scenario, seed and build give byte-identical
//! files except for `wall_ms` and `sim_speed` ([`to_json_without_wall`] blanks those two for
//! comparisons).

use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::checks::{self, CheckResult, Timeline};
use crate::scenario::Scenario;
use crate::trace::{trace_hash, EventBody, Fact, FinalState, Kind, Level, TraceEvent, WireMsg, WorldNote};

/// Version of the results JSON layout.
/// 2: events carry typed fields (`level`, `event`, `action`); `timeline` gains `fault_kind`.
/// 3: `writes` gains `unavailable`, and each client `unavailable`, `unavailable_windows` and
/// `activity` (files of schema 2 still read: the new fields default to absent / empty).
pub const SCHEMA: u32 = 3;

/// Counts for one time window of the workload.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowStats {
    /// Writes acknowledged (OK) to a client in this window.
    pub acknowledged: u64,
    /// Of those, how many are missing from the final master's dataset.
    pub lost: u64,
}

/// The workload's time windows, split by the faults and their repair.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriteWindows {
    /// Before the first fault.
    pub before: WindowStats,
    /// From the first fault to the last heal (or the end, without a heal).
    pub during: WindowStats,
    /// After the last heal, until the old master was demoted (`+convert-to-slave` or a replica
    /// role seen): writes a stale master still took.
    pub after_heal_before_demotion: WindowStats,
    /// After that.
    pub after: WindowStats,
}

/// Write errors by kind, as clients saw them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriteErrors {
    /// `-READONLY You can't write against a read only replica.`
    pub readonly: u64,
    /// `-NOREPLICAS Not enough good replicas to write.`
    pub noreplicas: u64,
    /// Connection refused / reset / timed out.
    pub connection: u64,
    pub other: u64,
}

/// The workload's outcome (issue 3): acknowledged writes and how many of them were lost.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WritesSummary {
    /// Writes acknowledged with OK.
    pub acknowledged: u64,
    /// Acknowledged writes missing from the final master's dataset.
    pub lost: u64,
    /// `lost / acknowledged` in percent (0 without acknowledged writes).
    pub lost_pct: f64,
    /// Lost writes that had been acknowledged after the last heal.
    pub lost_after_heal: u64,
    pub windows: WriteWindows,
    pub errors: WriteErrors,
    /// Writes whose outcome is unknown (timed out: may or may not have been applied).
    pub unknown: u64,
    /// The window edges used, in ms since the start: the first fault, the last heal after it, and
    /// the old master's demotion after that heal (see `workload::Windows`).
    pub fault_ms: Option<u64>,
    pub heal_ms: Option<u64>,
    pub demotion_ms: Option<u64>,
    /// The same counts per client, in name order.
    pub clients: Vec<ClientWrites>,
    /// Client unavailability over every client's windows pooled (see [`ClientWrites::unavailable`]
    /// for what a window is): their count, total (the clients' totals added up), p50/p99/max.
    /// None in reports written before it was measured (schema < 3).
    #[serde(default)]
    pub unavailable: Option<Unavailability>,
}

/// One client's share of [`WritesSummary`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientWrites {
    pub name: String,
    /// Operations attempted (acknowledged + failed + unknown).
    pub ops: u64,
    pub acknowledged: u64,
    pub lost: u64,
    pub unknown: u64,
    pub errors: WriteErrors,
    /// The client's unavailability: figures over [`ClientWrites::unavailable_windows`].
    #[serde(default)]
    pub unavailable: Unavailability,
    /// The stretches without an acknowledged write, in time order (see [`UnavailableWindow`]).
    #[serde(default)]
    pub unavailable_windows: Vec<UnavailableWindow>,
    /// The client's operations run-length encoded by (node, outcome), in order: what its lane in
    /// the HTML timeline draws. Empty in sweep records (which keep the figures only).
    #[serde(default)]
    pub activity: Vec<WriteRun>,
}

/// A stretch of time a client went without an acknowledged write. It starts at the `invoke_ms`
/// (when the client started trying) of its first operation that did not succeed (an error of any
/// kind, or an unknown outcome: timeout or no reply) after its last acknowledged write (or its
/// first operation, when it fails), and ends at the `complete_ms` of its next acknowledged write.
/// A write acknowledged and later lost counts as acknowledged here: loss is counted apart (`lost`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnavailableWindow {
    pub start_ms: u64,
    pub end_ms: u64,
    /// No acknowledged write came before the client stopped: the window ends at the client's
    /// stop (or its last operation's completion, if later).
    pub open: bool,
}

impl UnavailableWindow {
    pub fn duration_ms(&self) -> u64 {
        self.end_ms.saturating_sub(self.start_ms)
    }
}

/// Figures over a set of unavailability windows; percentiles are nearest-rank over the windows'
/// durations (as the sweep's distributions), all 0 without windows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unavailability {
    /// How many windows.
    pub count: u64,
    /// Their durations added up.
    pub total_ms: u64,
    pub p50_ms: u64,
    pub p99_ms: u64,
    pub max_ms: u64,
}

/// How one write ended, as a client lane draws it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WriteClass {
    /// Acknowledged and on the final master.
    Ok,
    /// Acknowledged, then missing from the final master.
    Lost,
    /// Refused: `-READONLY`.
    Readonly,
    /// Refused: `-NOREPLICAS`.
    Noreplicas,
    /// Never sent: no master found, connection refused, reset or timed out.
    Connection,
    /// Refused otherwise (LOADING, MASTERDOWN, not a master by ROLE, any other reply).
    Other,
    /// Sent, no reply (timeout): may or may not have been applied.
    Unknown,
}

impl WriteClass {
    /// Refused or never sent: an error of any kind.
    pub fn is_refused(self) -> bool {
        matches!(
            self,
            WriteClass::Readonly | WriteClass::Noreplicas | WriteClass::Connection | WriteClass::Other
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            WriteClass::Ok => "ok",
            WriteClass::Lost => "lost",
            WriteClass::Readonly => "READONLY",
            WriteClass::Noreplicas => "NOREPLICAS",
            WriteClass::Connection => "connection",
            WriteClass::Other => "other error",
            WriteClass::Unknown => "unknown",
        }
    }
}

/// Consecutive operations of one client with the same node and outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriteRun {
    /// The first operation's `invoke_ms`.
    pub from_ms: u64,
    /// The last operation's `complete_ms`.
    pub to_ms: u64,
    /// The data node written to (`ip:port` as announced); for a write never sent, the address it
    /// tried, if it had one.
    pub node: Option<String>,
    pub outcome: WriteClass,
    /// How many operations.
    pub writes: u64,
}

/// How an event line reads in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// An injected action (node `world`).
    Action,
    /// A published Sentinel event (`+sdown ...`).
    Sentinel,
    /// A Sentinel log-only line (`<runid> voted for <runid> 1`).
    SentinelLog,
    /// A data node's log line.
    Data,
    /// Ground truth: a change of the world's state (`world` field).
    World,
    /// Ground truth: a safety message as sent on the network (`wire` field).
    Wire,
}

impl EventKind {
    /// Ground truth (world facts, wire messages) rather than a line a process or the runner wrote.
    pub fn is_truth(self) -> bool {
        matches!(self, EventKind::World | EventKind::Wire)
    }
}

/// One line of the run, as an operator reads it (`line`), and typed (schema 2): a Sentinel line's
/// `level` and `event`, a world line's `action`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventLine {
    pub t_ms: u64,
    pub node: String,
    pub kind: EventKind,
    pub line: String,
    /// Sentinel lines: the log level (`warning`, `notice`, `verbose`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// Sentinel lines: the typed event or log-only line (`form` names the payload layout; an
    /// event's `kind` is its channel, e.g. `+sdown`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<EventBody>,
    /// World lines: what the world did (`type`: `timeline` with the scenario `action`,
    /// `triggered_kill`, `reply`, `survivors_unreadable`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<WorldNote>,
    /// World facts: the typed fact (`fact`: `process`, `link`, `shape`, `network`, `clock`,
    /// `replication`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub world: Option<Fact>,
    /// Wire messages: {from, to, sent} (`sent.msg`: `vote_request`, `vote_reply`, `slave_of`,
    /// `config_rewrite`, `hello`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wire: Option<WireMsg>,
}

impl EventLine {
    pub fn of(e: &TraceEvent) -> EventLine {
        let kind = match &e.kind {
            Kind::Action { .. } => EventKind::Action,
            Kind::Sentinel(ev) if ev.name().is_empty() => EventKind::SentinelLog,
            Kind::Sentinel(_) => EventKind::Sentinel,
            Kind::Data { .. } => EventKind::Data,
            Kind::World(_) => EventKind::World,
            Kind::Wire(_) => EventKind::Wire,
        };
        let (level, event, action) = match &e.kind {
            Kind::Sentinel(ev) => (Some(ev.level), Some(ev.body.clone()), None),
            Kind::Action { note, .. } => (None, None, Some(note.clone())),
            Kind::Data { .. } | Kind::World(_) | Kind::Wire(_) => (None, None, None),
        };
        let world = match &e.kind {
            Kind::World(f) => Some(f.clone()),
            _ => None,
        };
        let wire = match &e.kind {
            Kind::Wire(w) => Some(w.clone()),
            _ => None,
        };
        EventLine {
            t_ms: e.t_ms,
            node: e.node.clone(),
            kind,
            line: e.line(),
            level,
            event,
            action,
            world,
            wire,
        }
    }
}

/// Everything about one run. Serialized with a stable field order; `schema` first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    pub schema: u32,
    pub scenario: String,
    pub seed: u64,
    pub trace_hash: String,
    /// Every invariant and expectation passed.
    pub ok: bool,
    /// Simulated time covered, in ms.
    pub sim_ms: u64,
    /// Wall-clock time the run took (not deterministic).
    pub wall_ms: u64,
    /// Simulated seconds per wall-clock second (not deterministic).
    pub sim_speed: f64,
    pub timeline: Timeline,
    pub invariants: Vec<CheckResult>,
    pub expectations: Vec<CheckResult>,
    pub events: Vec<EventLine>,
    #[serde(rename = "final", deserialize_with = "final_de::final_state")]
    pub final_state: FinalState,
    pub writes: Option<WritesSummary>,
}

/// Reading `final` back. The trace's types (`crate::trace`) do not derive `Deserialize` (that module
/// is being reworked); these remote definitions are checked field by field against them by the
/// compiler, so they cannot drift. Once the trace types derive it, drop this module.
mod final_de {
    use serde::{Deserialize, Deserializer};

    use crate::trace::{DataFinal, FinalState, SentinelFinal};

    #[derive(Deserialize)]
    #[serde(remote = "SentinelFinal")]
    struct SentinelFinalDef {
        node: String,
        addr: String,
        alive: bool,
        master_addr: Option<String>,
        current_epoch: Option<u64>,
        tilt: Option<bool>,
    }

    #[derive(Deserialize)]
    #[serde(remote = "DataFinal")]
    struct DataFinalDef {
        node: String,
        addr: String,
        alive: bool,
        role: Option<String>,
        master: Option<String>,
        link_up: Option<bool>,
        repl_offset: Option<i64>,
    }

    #[derive(Deserialize)]
    struct S(#[serde(with = "SentinelFinalDef")] SentinelFinal);
    #[derive(Deserialize)]
    struct D(#[serde(with = "DataFinalDef")] DataFinal);
    #[derive(Deserialize)]
    struct F {
        sentinels: Vec<S>,
        data_nodes: Vec<D>,
    }

    pub fn final_state<'de, De: Deserializer<'de>>(d: De) -> Result<FinalState, De::Error> {
        let f = F::deserialize(d)?;
        Ok(FinalState {
            sentinels: f.sentinels.into_iter().map(|s| s.0).collect(),
            data_nodes: f.data_nodes.into_iter().map(|x| x.0).collect(),
        })
    }
}

impl RunReport {
    /// Runs the checks and assembles the report.
    pub fn new(
        s: &Scenario,
        seed: u64,
        trace: &[TraceEvent],
        fin: &FinalState,
        writes: Option<WritesSummary>,
        sim_ms: u64,
        wall_ms: u64,
    ) -> RunReport {
        let invariants = checks::invariants(s, trace, fin, writes.as_ref());
        let expectations = checks::expectations(s, trace, fin, writes.as_ref());
        let ok = checks::all_ok(&invariants) && checks::all_ok(&expectations);
        RunReport {
            schema: SCHEMA,
            scenario: s.name.clone(),
            seed,
            trace_hash: trace_hash(trace),
            ok,
            sim_ms,
            wall_ms,
            sim_speed: sim_speed(sim_ms, wall_ms),
            timeline: Timeline::compute(s, trace, fin),
            invariants,
            expectations,
            events: trace.iter().map(EventLine::of).collect(),
            final_state: fin.clone(),
            writes,
        }
    }

    /// The failed checks (invariants then expectations).
    pub fn failures(&self) -> Vec<&CheckResult> {
        self.invariants
            .iter()
            .chain(&self.expectations)
            .filter(|c| !c.ok)
            .collect()
    }
}

/// Simulated seconds per wall-clock second (wall time of 0 counts as 1 ms).
pub fn sim_speed(sim_ms: u64, wall_ms: u64) -> f64 {
    sim_ms as f64 / wall_ms.max(1) as f64
}

/// The results JSON (pretty, stable field order, trailing newline).
pub fn to_json(report: &RunReport) -> String {
    let mut s = serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

/// The results JSON with `wall_ms` and `sim_speed` zeroed: byte-identical across runs of the same
/// scenario, seed and build.
pub fn to_json_without_wall(report: &RunReport) -> String {
    let mut r = report.clone();
    r.wall_ms = 0;
    r.sim_speed = 0.0;
    to_json(&r)
}

/// Keeps a scenario name usable as a directory name.
pub fn path_component(s: &str) -> String {
    let c: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if c.is_empty() || c.chars().all(|c| c == '.') {
        "scenario".to_string()
    } else {
        c
    }
}

/// Writes `<dir>/<scenario>/seed-<N>.json` (dir is the results root, e.g. `sim-results`), creating
/// directories as needed; returns the file's path.
pub fn write_json(dir: &Path, report: &RunReport) -> io::Result<PathBuf> {
    let d = dir.join(path_component(&report.scenario));
    std::fs::create_dir_all(&d)?;
    let path = d.join(format!("seed-{}.json", report.seed));
    std::fs::write(&path, to_json(report))?;
    Ok(path)
}
