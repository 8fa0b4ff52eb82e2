//! The exploration as text (one table row per combination) and as CSV. Pure.

use super::metrics::ComboResult;
use crate::duration::short_secs;
use crate::search::sweep::Dist;

/// `p50/p99` of a time distribution (`3.1s/4.2s`), `-` when no run reached it.
fn times(d: &Option<Dist<u64>>) -> String {
    d.as_ref()
        .map_or("-".into(), |d| format!("{}/{}", short_secs(d.p50), short_secs(d.p99)))
}

/// `p50/p99/max` of a count distribution, `-` without a workload.
fn counts(d: &Option<Dist<u64>>) -> String {
    d.as_ref()
        .map_or("-".into(), |d| format!("{}/{}/{}", d.p50, d.p99, d.max))
}

const HEAD: [&str; 8] = [
    "runs",
    "failover",
    "detect p50/p99",
    "failover p50/p99",
    "lost writes p50/p99/max",
    "no ack p50/p99",
    "false fo",
    "checks failed",
];

/// The clients of an exploration (every combination has the same ones), in name order.
pub fn client_names(rows: &[ComboResult]) -> Vec<String> {
    let mut names: Vec<String> = rows
        .iter()
        .flat_map(|r| r.clients.iter().map(|c| c.client.clone()))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The table: one column per varied key, then the figures, then each client's longest time
/// without an acknowledged write; widths fit the content.
pub fn table(keys: &[String], rows: &[ComboResult]) -> String {
    let clients = client_names(rows);
    let mut grid: Vec<Vec<String>> = Vec::new();
    grid.push(
        keys.iter()
            .cloned()
            .chain(HEAD.iter().map(|h| h.to_string()))
            .chain(clients.iter().map(|c| format!("{c} no ack p50/p99")))
            .collect(),
    );
    for r in rows {
        let mut line: Vec<String> = r.settings.iter().map(|(_, v)| v.clone()).collect();
        line.extend([
            r.runs.to_string(),
            format!("{:.0}%", r.failover_pct),
            times(&r.detection_ms),
            times(&r.failover_ms),
            counts(&r.lost_writes),
            times(&r.unavailable_max_ms),
            r.false_failover_runs.to_string(),
            r.failed_runs.to_string(),
        ]);
        for c in &clients {
            let d = r.clients.iter().find(|x| &x.client == c).and_then(|x| x.max_ms);
            line.push(times(&d));
        }
        grid.push(line);
    }
    let widths: Vec<usize> = (0..grid[0].len())
        .map(|c| grid.iter().map(|l| l[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for (i, line) in grid.iter().enumerate() {
        let cells: Vec<String> = line
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (cell, w))| {
                if c < keys.len() {
                    format!("{cell:<w$}")
                } else {
                    format!("{cell:>w$}")
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
        if i == 0 {
            out.push_str(&"-".repeat(widths.iter().sum::<usize>() + 2 * (widths.len() - 1)));
            out.push('\n');
        }
    }
    out
}

/// The legend printed under the table.
pub const LEGEND: &str = "failover: runs with +switch-master after the fault; detect: fault → first +odown; failover: fault → first +switch-master; lost writes: acknowledged, then missing from the final master (per run); no ack: per run, the longest time a client went without an acknowledged write (of all clients, then of each); false fo: runs with a failover the scenario expects not to happen, or a +odown without a real outage; checks failed: runs with a failed invariant or expectation (the scenario's own [expect] may not hold for every setting).";

/// CSV: one row per combination, times in ms, empty cells where nothing was measured.
pub fn csv(keys: &[String], rows: &[ComboResult]) -> String {
    let dist_cols = [
        "detection_ms",
        "failover_ms",
        "lost_writes",
        "unavailable_max_ms",
        "unavailable_total_ms",
    ];
    let mut head: Vec<String> = keys.iter().map(|k| field(k)).collect();
    head.extend(["runs", "failed_runs", "failover_pct", "false_failover_runs"].map(String::from));
    for c in dist_cols {
        for s in ["p50", "p90", "p99", "max"] {
            head.push(format!("{c}_{s}"));
        }
    }
    let clients = client_names(rows);
    for c in &clients {
        for s in ["p50", "p90", "p99", "max"] {
            head.push(field(&format!("{c}_unavailable_max_ms_{s}")));
        }
    }
    head.push("file".into());
    let mut out = head.join(",") + "\n";
    for r in rows {
        let mut line: Vec<String> = r.settings.iter().map(|(_, v)| field(v)).collect();
        line.extend([
            r.runs.to_string(),
            r.failed_runs.to_string(),
            format!("{:.1}", r.failover_pct),
            r.false_failover_runs.to_string(),
        ]);
        for d in [
            &r.detection_ms,
            &r.failover_ms,
            &r.lost_writes,
            &r.unavailable_max_ms,
            &r.unavailable_total_ms,
        ] {
            match d {
                Some(d) => line.extend([d.p50, d.p90, d.p99, d.max].map(|v| v.to_string())),
                None => line.extend(std::iter::repeat_n(String::new(), 4)),
            }
        }
        for c in &clients {
            match r
                .clients
                .iter()
                .find(|x| &x.client == c)
                .and_then(|x| x.max_ms.as_ref())
            {
                Some(d) => line.extend([d.p50, d.p90, d.p99, d.max].map(|v| v.to_string())),
                None => line.extend(std::iter::repeat_n(String::new(), 4)),
            }
        }
        line.push(field(&r.file));
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

/// A CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180).
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(v: &str, lost: Option<u64>) -> ComboResult {
        ComboResult {
            label: format!("down_after={v}"),
            settings: vec![("down_after".into(), v.into())],
            file: "x, y.toml".into(),
            runs: 10,
            failed_runs: 1,
            failed_checks: vec![],
            failover_pct: 90.0,
            detection_ms: Some(Dist {
                n: 9,
                min: 1000,
                p50: 3100,
                p90: 3500,
                p99: 4200,
                max: 4200,
            }),
            failover_ms: None,
            lost_writes: lost.map(|l| Dist {
                n: 10,
                min: 0,
                p50: l,
                p90: l,
                p99: l,
                max: l,
            }),
            unavailable_max_ms: None,
            unavailable_total_ms: None,
            clients: vec![],
            false_failover_runs: 0,
            failing: vec![],
        }
    }

    #[test]
    fn table_and_csv_show_every_combination() {
        let keys = vec!["down_after".to_string()];
        let rows = [row("1s", Some(5)), row("10s", None)];
        let t = table(&keys, &rows);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 4, "{t}");
        assert!(
            lines[2].starts_with("1s ") && lines[2].contains("3.1s/4.2s") && lines[2].contains("5/5/5"),
            "{t}"
        );
        assert!(lines[3].starts_with("10s") && lines[3].contains(" - "), "{t}");
        let c = csv(&keys, &rows);
        let lines: Vec<&str> = c.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("down_after,runs,failed_runs,failover_pct"), "{c}");
        assert!(
            lines[1].starts_with("1s,10,1,90.0,0,3100,3500,4200,4200,,,,,5,5,5,5,"),
            "{c}"
        );
        assert!(lines[1].ends_with(",\"x, y.toml\""), "{c}");
    }
}
