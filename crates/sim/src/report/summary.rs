//! The summary text an operator reads after each run.

use super::json::{EventKind, EventLine, RunReport};
use crate::checks::{self, CheckResult};
use crate::duration::{secs, short_secs};

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
    let mut lines = vec![p.bold(&format!("== {} (seed {}) ==", report.scenario, report.seed))];
    event_lines(&mut lines, report, opts, &p);
    lines.push(p.bold("-- outcome"));
    outcome_lines(&mut lines, report);
    lines.push(p.bold("-- checks"));
    check_lines(&mut lines, report, &p);
    let mut o = String::new();
    for l in lines {
        o.push_str(&l);
        o.push('\n');
    }
    o
}

/// (a) The event lines (data node and log-only lines only when verbose).
fn event_lines(lines: &mut Vec<String>, report: &RunReport, opts: SummaryOpts, p: &Paint) {
    let shown: Vec<&EventLine> = report
        .events
        .iter()
        .filter(|e| opts.verbose || matches!(e.kind, EventKind::Action | EventKind::Sentinel))
        .collect();
    let width = shown.iter().map(|e| e.node.len()).max().unwrap_or(0).max(13);
    for e in &shown {
        let t = format!("{:>9}", secs(e.t_ms));
        lines.push(match e.kind {
            EventKind::Action => p.bold(&format!("{t} {:<width$} >> {}", e.node, e.line)),
            EventKind::Sentinel => format!("{t} {:<width$}    {}", e.node, e.line),
            EventKind::SentinelLog => p.dim(&format!("{t} {:<width$}    {}", e.node, e.line)),
            EventKind::Data => p.dim(&format!("{t} {:<width$}  | {}", e.node, e.line)),
            EventKind::World | EventKind::Wire => p.dim(&format!("{t} {:<width$}  = {}", e.node, e.line)),
        });
    }
    let hidden = report.events.len() - shown.len();
    if hidden > 0 {
        lines.push(p.dim(&format!(
            "          ({hidden} data node, log-only and ground-truth lines hidden; verbose shows them)"
        )));
    }
}

/// (b) The final master, the epochs, the timeline and the client writes.
fn outcome_lines(lines: &mut Vec<String>, report: &RunReport) {
    let fin = &report.final_state;
    let master = match checks::final_master(fin) {
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
    lines.push(format!(
        "   {master}   current epochs: {}",
        if epochs.is_empty() {
            "-".into()
        } else {
            epochs.join(" ")
        }
    ));
    lines.push(format!("   {}", report.timeline.describe()));
    if let Some(w) = &report.writes {
        // One line of totals, then the windows and, with several clients, one line per client.
        for line in crate::workload::analysis::describe(w) {
            lines.push(format!("   {line}"));
        }
    }
}

/// (c) Every check with PASS/FAIL, (d) the trace hash and speed, and the verdict.
fn check_lines(lines: &mut Vec<String>, report: &RunReport, p: &Paint) {
    let all: Vec<&CheckResult> = report.invariants.iter().chain(&report.expectations).collect();
    let nw = all.iter().map(|c| c.name.chars().count()).max().unwrap_or(0);
    for c in &all {
        let tag = if c.ok { p.green("PASS") } else { p.red("FAIL") };
        let pad = nw - c.name.chars().count();
        lines.push(format!("   {tag} {}{}  {}", c.name, " ".repeat(pad), c.detail));
    }
    lines.push(format!(
        "   trace {}   {} simulated in {} wall ({:.0}x)",
        report.trace_hash,
        short_secs(report.sim_ms),
        short_secs(report.wall_ms),
        report.sim_speed
    ));
    let failed = all.iter().filter(|c| !c.ok).count();
    if failed == 0 {
        lines.push(p.green("OK"));
    } else {
        lines.push(p.red(&format!(
            "FAILED ({failed} check{})",
            if failed == 1 { "" } else { "s" }
        )));
    }
}
