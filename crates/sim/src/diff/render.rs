//! The diff as a table on stdout.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::compare::{Comparison, MetricRow, Stats};
use super::facts::Unit;

/// The whole table: outcomes, milestones, events, sequences, verdict and tolerances.
pub fn render(title: &str, c: &Comparison) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{title}");
    let _ = writeln!(s, "simulator: {} seeds   real: {} runs", c.sim_runs, c.real_runs);
    let _ = writeln!(s, "\noutcomes                 simulator                           real");
    for o in &c.outcomes {
        let _ = writeln!(
            s,
            "  {} {:<22} {:<35} {}",
            mark(o.ok),
            o.name,
            counts(&o.sim),
            counts(&o.real)
        );
    }
    let _ = writeln!(
        s,
        "\nmilestones (after the fault)  simulator min/median/max     real min/median/max          sim same seeds  ratio  allowed"
    );
    for m in &c.metrics {
        let _ = writeln!(s, "{}", metric_line(m));
    }
    render_events(&mut s, c);
    let _ = writeln!(s, "\nsequences (most common distinct failover events per role)");
    for q in &c.sequences {
        let seq = |v: &Option<Vec<String>>| v.as_ref().map_or("none".into(), |v| v.join(" "));
        let _ = writeln!(s, "  {} {}:", mark(q.ok), q.role);
        let _ = writeln!(s, "      simulator ({}): {}", q.sim_share, seq(&q.sim));
        let _ = writeln!(s, "      real      ({}): {}", q.real_share, seq(&q.real));
    }
    let _ = writeln!(s, "\ntolerances:");
    for t in &c.tolerances {
        let _ = writeln!(s, "  - {t}");
    }
    let _ = writeln!(s, "\nverdict: {}", c.verdict);
    for r in &c.reasons {
        let _ = writeln!(s, "  - {r}");
    }
    s
}

fn mark(ok: bool) -> &'static str {
    if ok {
        " "
    } else {
        "✗"
    }
}

/// `127.0.0.1:6383 ×14, 127.0.0.1:6384 ×6`.
fn counts(m: &BTreeMap<String, usize>) -> String {
    m.iter()
        .map(|(v, n)| format!("{v} ×{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn metric_line(m: &MetricRow) -> String {
    let fmt = |x: u64| match m.unit {
        Unit::Ms => format!("{:.2}s", x as f64 / 1000.0),
        Unit::Writes => x.to_string(),
    };
    let st = |x: Option<Stats>| {
        x.map_or("-".to_string(), |x| {
            format!("{}/{}/{} (n={})", fmt(x.min), fmt(x.median), fmt(x.max), x.n)
        })
    };
    let same = m
        .sim_same_seeds
        .map_or("-".to_string(), |s| format!("{} (n={})", fmt(s.median), s.n));
    format!(
        "  {} {:<26} {:<28} {:<28} {:<15} {:<6} {}",
        mark(m.ok),
        m.name,
        st(m.sim),
        st(m.real),
        same,
        m.ratio.map_or("-".into(), |r| format!("{r:.2}")),
        m.allowed.map_or("-".into(), |a| format!("±{}", fmt(a)))
    )
}

/// The events, in how many runs of each side; unjudged ones marked `(not judged)`.
fn render_events(s: &mut String, c: &Comparison) {
    let _ = writeln!(s, "\nevents (runs that published it)   simulator  real");
    for e in &c.events {
        let _ = writeln!(
            s,
            "  {} {:<34} {:>4}/{:<4} {:>3}/{:<3}{}",
            mark(e.ok),
            e.event,
            e.sim_runs,
            c.sim_runs,
            e.real_runs,
            c.real_runs,
            if e.judged { "" } else { "  (not judged)" }
        );
    }
}
