//! What a run leaves behind: a results JSON (`<dir>/<scenario>/seed-<N>.json`) and the summary
//! text an operator reads after each run.
//!
//! The JSON is deterministic: two runs of the same scenario, seed and build give byte-identical
//! files except for `wall_ms` and `sim_speed` ([`to_json_without_wall`] blanks those two for
//! comparisons).

use std::io;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::check::{self, CheckResult, Timeline};
use crate::duration::{secs, short_secs};
use crate::scenario::Scenario;
use crate::trace::{trace_hash, FinalState, Kind, TraceEvent};

/// Version of the results JSON layout.
pub const SCHEMA: u32 = 1;

/// Counts for one time window of the workload.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct WindowStats {
    /// Writes acknowledged (OK) to a client in this window.
    pub acknowledged: u64,
    /// Of those, how many are missing from the final master's dataset.
    pub lost: u64,
}

/// The workload's time windows, split by the faults and their repair.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
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
}

/// One client's share of [`WritesSummary`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ClientWrites {
    pub name: String,
    /// Operations attempted (acknowledged + failed + unknown).
    pub ops: u64,
    pub acknowledged: u64,
    pub lost: u64,
    pub unknown: u64,
    pub errors: WriteErrors,
}

/// How an event line reads in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
}

/// One line of the run, as an operator reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventLine {
    pub t_ms: u64,
    pub node: String,
    pub kind: EventKind,
    pub line: String,
}

impl EventLine {
    pub fn of(e: &TraceEvent) -> EventLine {
        let kind = match &e.kind {
            Kind::Action { .. } => EventKind::Action,
            Kind::Sentinel(ev) if ev.name.is_empty() => EventKind::SentinelLog,
            Kind::Sentinel(_) => EventKind::Sentinel,
            Kind::Data { .. } => EventKind::Data,
        };
        EventLine {
            t_ms: e.t_ms,
            node: e.node.clone(),
            kind,
            line: e.line(),
        }
    }
}

/// Everything about one run. Serialized with a stable field order; `schema` first.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
    #[serde(rename = "final")]
    pub final_state: FinalState,
    pub writes: Option<WritesSummary>,
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
        let invariants = check::invariants(s, trace, fin);
        let expectations = check::expectations(s, trace, fin, writes.as_ref());
        let ok = check::all_ok(&invariants) && check::all_ok(&expectations);
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

/// How the summary is printed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SummaryOpts {
    /// Also show data node log lines and Sentinel log-only lines (`... voted for ...`).
    pub verbose: bool,
    /// ANSI colours (actions bold, data lines dim, PASS green, FAIL red).
    pub color: bool,
}

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
    fn dim(&self, s: &str) -> String {
        self.wrap("2", s)
    }
    fn red(&self, s: &str) -> String {
        self.wrap("31", s)
    }
    fn green(&self, s: &str) -> String {
        self.wrap("32", s)
    }
}

/// The per-run text: (a) the event lines with simulated timestamps (actions marked `>>`), (b) the
/// outcome (final master, epochs, detection and failover times), (c) every invariant and
/// expectation with PASS/FAIL and detail, (d) the trace hash and speed, and a last line `OK` or
/// `FAILED (n checks)`.
pub fn summary(report: &RunReport, opts: SummaryOpts) -> String {
    let p = Paint { on: opts.color };
    let mut o = String::new();
    let push = |o: &mut String, s: String| {
        o.push_str(&s);
        o.push('\n');
    };
    push(
        &mut o,
        p.bold(&format!("== {} (seed {}) ==", report.scenario, report.seed)),
    );

    // (a) events
    let shown: Vec<&EventLine> = report
        .events
        .iter()
        .filter(|e| opts.verbose || matches!(e.kind, EventKind::Action | EventKind::Sentinel))
        .collect();
    let width = shown.iter().map(|e| e.node.len()).max().unwrap_or(0).max(13);
    for e in &shown {
        let t = format!("{:>9}", secs(e.t_ms));
        let text = match e.kind {
            EventKind::Action => p.bold(&format!("{t} {:<width$} >> {}", e.node, e.line)),
            EventKind::Sentinel => format!("{t} {:<width$}    {}", e.node, e.line),
            EventKind::SentinelLog => p.dim(&format!("{t} {:<width$}    {}", e.node, e.line)),
            EventKind::Data => p.dim(&format!("{t} {:<width$}  | {}", e.node, e.line)),
        };
        push(&mut o, text);
    }
    let hidden = report.events.len() - shown.len();
    if hidden > 0 {
        push(
            &mut o,
            p.dim(&format!(
                "          ({hidden} data node and log-only lines hidden; verbose shows them)"
            )),
        );
    }

    // (b) outcome
    push(&mut o, p.bold("-- outcome"));
    let fin = &report.final_state;
    let master = match check::final_master(fin) {
        Ok(m) => format!("master {} ({})", m.node, m.addr),
        Err(e) => format!("master: {e}"),
    };
    let epochs: Vec<String> = fin
        .sentinels
        .iter()
        .map(|x| match (x.alive, x.current_epoch) {
            (false, _) => format!("{}=down", x.node),
            (true, Some(e)) => format!("{}={e}", x.node),
            (true, None) => format!("{}=?", x.node),
        })
        .collect();
    push(
        &mut o,
        format!(
            "   {master}   current epochs: {}",
            if epochs.is_empty() {
                "-".into()
            } else {
                epochs.join(" ")
            }
        ),
    );
    push(&mut o, format!("   {}", report.timeline.describe()));
    if let Some(w) = &report.writes {
        // One line of totals, then the windows and, with several clients, one line per client.
        for line in crate::workload::analysis::describe(w) {
            push(&mut o, format!("   {line}"));
        }
    }

    // (c) checks
    push(&mut o, p.bold("-- checks"));
    let all: Vec<&CheckResult> = report.invariants.iter().chain(&report.expectations).collect();
    let nw = all.iter().map(|c| c.name.chars().count()).max().unwrap_or(0);
    for c in &all {
        let tag = if c.ok { p.green("PASS") } else { p.red("FAIL") };
        let pad = nw - c.name.chars().count();
        push(&mut o, format!("   {tag} {}{}  {}", c.name, " ".repeat(pad), c.detail));
    }

    // (d) fingerprint and speed
    push(
        &mut o,
        format!(
            "   trace {}   {} simulated in {} wall ({:.0}x)",
            report.trace_hash,
            short_secs(report.sim_ms),
            short_secs(report.wall_ms),
            report.sim_speed
        ),
    );
    let failed = all.iter().filter(|c| !c.ok).count();
    if failed == 0 {
        push(&mut o, p.green("OK"));
    } else {
        push(
            &mut o,
            p.red(&format!(
                "FAILED ({failed} check{})",
                if failed == 1 { "" } else { "s" }
            )),
        );
    }
    o
}
