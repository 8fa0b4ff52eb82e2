//! The sweep report an operator reads (per scenario, then the totals).

use super::aggregate::{Dist, ScenarioAgg, SweepSummary};
use crate::duration::secs;

fn pct_str(v: f64) -> String {
    format!("{v:.1}%")
}

/// Failing seeds listed per scenario in the text report (summary.json has them all).
pub const MAX_FAILING_SHOWN: usize = 10;

/// The per-scenario report an operator reads.
pub fn render_scenario(a: &ScenarioAgg) -> String {
    let mut lines = vec![format!("== {} ({})", a.scenario, a.file), head_line(a)];
    let o_ = &a.origin;
    let rows = [
        (format!("{o_}→+sdown"), &a.sdown_ms),
        (format!("{o_}→+odown"), &a.odown_ms),
        (format!("{o_}→+elected-leader"), &a.elected_ms),
        (format!("{o_}→+switch-master (all)"), &a.failover_ms),
    ];
    // The label column fits the longest label (`partition_oneway→+switch-master (all)`).
    let w = rows
        .iter()
        .map(|(l, _)| l.chars().count() + 1)
        .max()
        .unwrap_or(0)
        .max(32);
    times_lines(&mut lines, o_, &rows, w);
    writes_lines(&mut lines, a, w);
    for f in a.failing.iter().take(MAX_FAILING_SHOWN) {
        lines.push(format!("   FAIL {}", f.what));
        lines.push(format!("        {}", f.replay));
        lines.push(format!("        picture: {}", f.picture));
    }
    if a.failing.len() > MAX_FAILING_SHOWN {
        lines.push(format!(
            "   ... and {} more failing seeds (every one is in summary.json)",
            a.failing.len() - MAX_FAILING_SHOWN
        ));
    }
    let mut o = String::new();
    for l in lines {
        o.push_str(&l);
        o.push('\n');
    }
    o
}

/// `runs N   failed N   failover N/N (P%)` plus run errors and the determinism checks.
fn head_line(a: &ScenarioAgg) -> String {
    let mut head = format!(
        "   runs {}   failed {}   failover {}/{} ({})",
        a.runs,
        a.failed,
        a.failover_runs,
        a.runs,
        pct_str(a.failover_pct)
    );
    if a.run_errors > 0 {
        head.push_str(&format!("   run errors {}", a.run_errors));
    }
    if a.determinism_checked > 0 {
        head.push_str(&format!(
            "   determinism: {} checked, {}",
            a.determinism_checked,
            if a.nondeterministic == 0 {
                "all identical".to_string()
            } else {
                format!("{} DIFFERED", a.nondeterministic)
            }
        ));
    }
    head
}

/// The time-after-the-fault table (percentiles per failover step).
fn times_lines(lines: &mut Vec<String>, origin: &str, rows: &[(String, &Option<Dist<u64>>)], w: usize) {
    if rows.iter().all(|(_, d)| d.is_none()) {
        lines.push(format!("   {origin}→ no failover events in any run"));
        return;
    }
    lines.push(format!(
        "   {:<w$}{:>6} {:>9} {:>9} {:>9} {:>9}",
        "time after the fault", "runs", "p50", "p90", "p99", "max"
    ));
    for (label, d) in rows {
        lines.push(match d {
            Some(d) => format!(
                "   {:<w$}{:>6} {:>9} {:>9} {:>9} {:>9}",
                label,
                d.n,
                secs(d.p50),
                secs(d.p90),
                secs(d.p99),
                secs(d.max)
            ),
            None => format!("   {label:<w$}{:>6}   (never)", 0),
        });
    }
}

/// Lost writes and unavailability over the runs with a client workload.
fn writes_lines(lines: &mut Vec<String>, a: &ScenarioAgg, w: usize) {
    if a.writes_runs == 0 {
        lines.push("   writes: none (no client workload in this scenario)".to_string());
        return;
    }
    let d = |name: &str, d: &Option<Dist<u64>>| match d {
        Some(d) => format!(
            "   {name:<w$}{:>6}   min {}  median {}  p90 {}  max {}",
            d.n, d.min, d.p50, d.p90, d.max
        ),
        None => format!("   {name:<w$}{:>6}   (no run measured it)", 0),
    };
    lines.push(d("lost writes", &a.lost));
    lines.push(d("lost after heal", &a.lost_after_heal));
    lines.push(match &a.failed_write_pct {
        Some(d) => format!(
            "   {:<w$}{:>6}   p50 {}  p90 {}  p99 {}  max {}",
            "unavailability (writes not OK)",
            d.n,
            pct_str(d.p50),
            pct_str(d.p90),
            pct_str(d.p99),
            pct_str(d.max)
        ),
        None => format!(
            "   {:<w$}{:>6}   (no write attempts)",
            "unavailability (writes not OK)", 0
        ),
    });
    // Time without an acknowledged write (workload::availability), per run: the longest window of
    // any client, and every client's windows added up.
    let t = |name: &str, d: &Option<Dist<u64>>| match d {
        Some(d) => format!(
            "   {name:<w$}{:>6}   p50 {}  p90 {}  p99 {}  max {}",
            d.n,
            secs(d.p50),
            secs(d.p90),
            secs(d.p99),
            secs(d.max)
        ),
        None => format!("   {name:<w$}{:>6}   (no run measured it)", 0),
    };
    lines.push(t("unavailable: longest window", &a.unavailable_max_ms));
    lines.push(t("unavailable: total (all clients)", &a.unavailable_total_ms));
}

/// The whole report: every scenario, then the totals line(s).
pub fn render_summary(s: &SweepSummary) -> String {
    let mut o = String::new();
    for a in &s.scenarios {
        o.push_str(&render_scenario(a));
    }
    let p = &s.perf;
    o.push_str(&format!(
        "== total: {} runs over {} scenario{}{}{}: {} failed\n",
        s.runs,
        s.scenarios.len(),
        if s.scenarios.len() == 1 { "" } else { "s" },
        s.seeds.as_ref().map(|x| format!(", seeds {x}")).unwrap_or_default(),
        s.shard.as_ref().map(|x| format!(", shard {x}")).unwrap_or_default(),
        s.failed
    ));
    match (p.wall_ms, p.seeds_per_s, p.sim_s_per_wall_s) {
        (Some(w), Some(rate), Some(speed)) => o.push_str(&format!(
            "   wall {}   {rate:.1} seeds/s   {:.0} simulated s in total, {speed:.0} simulated s per wall s{}\n",
            secs(w),
            p.sim_ms as f64 / 1000.0,
            p.jobs
                .map(|j| format!("   ({j} job{})", if j == 1 { "" } else { "s" }))
                .unwrap_or_default()
        )),
        _ => o.push_str(&format!(
            "   {:.0} simulated s in total; the runs took {} of wall time added up ({:.0} simulated s per run-wall s)\n",
            p.sim_ms as f64 / 1000.0,
            secs(p.run_wall_ms),
            p.sim_ms as f64 / p.run_wall_ms.max(1) as f64
        )),
    }
    o
}
