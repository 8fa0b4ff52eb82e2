//! What one combination of settings did over its seeds: the figures an operator compares between
//! combinations. Pure, from the sweep's records and aggregates.

use serde::Serialize;

use crate::search::sweep::{dist_u64, Dist, RunRecord, ScenarioAgg};

/// The check that fails when a Sentinel declares `+odown` without a real outage behind it.
const NO_FAILOVER_WITHOUT_OUTAGE: &str = "no-failover-without-outage";

/// One combination's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComboResult {
    /// `down_after=1s, min_replicas_to_write=1`.
    pub label: String,
    /// The value of each `--vary`, in command-line order.
    pub settings: Vec<(String, String)>,
    /// The scenario file this combination was played from (replays: `cargo sim FILE --seed N`).
    pub file: String,
    /// Runs finished (fewer than the seeds asked for when Ctrl-C stopped the exploration).
    pub runs: usize,
    /// Runs with any failed check or expectation (a varied setting may break the scenario's own
    /// expectations: informative, not an error of the exploration).
    pub failed_runs: usize,
    /// The names of the checks that failed, with how many runs each.
    pub failed_checks: Vec<(String, usize)>,
    /// Runs with a `+switch-master` of the monitored master after the fault, in percent (as the
    /// sweep counts them).
    pub failover_pct: f64,
    /// Fault → first `+odown`, and fault → first `+switch-master` (ms): from then on, a client
    /// asking a Sentinel that switched gets the new master. (Every live Sentinel may switch much
    /// later: one cut off by a partition learns only after the heal.)
    pub detection_ms: Option<Dist<u64>>,
    pub failover_ms: Option<Dist<u64>>,
    /// Acknowledged writes missing from the final master, per run.
    pub lost_writes: Option<Dist<u64>>,
    /// Per run: the longest time any client went without an acknowledged write, and the clients'
    /// times without one added up (ms).
    pub unavailable_max_ms: Option<Dist<u64>>,
    pub unavailable_total_ms: Option<Dist<u64>>,
    /// The same per client (in name order): a Sentinel-aware client on the majority side and a
    /// client stuck on the old master tell different stories, which the longest of all hides.
    pub clients: Vec<ClientUnavailability>,
    /// Runs with a failover that should not have happened: the scenario expects none
    /// (`[expect] failover = false`), or a Sentinel declared `+odown` without an outage behind it
    /// (the `no-failover-without-outage` check failed).
    pub false_failover_runs: usize,
    /// Replay commands of up to 5 failing runs.
    pub failing: Vec<String>,
}

/// One client's time without an acknowledged write, over the runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClientUnavailability {
    pub client: String,
    /// Per run: its longest window, and its windows added up (ms).
    pub max_ms: Option<Dist<u64>>,
    pub total_ms: Option<Dist<u64>>,
}

fn per_client(records: &[&RunRecord]) -> Vec<ClientUnavailability> {
    let mut by: std::collections::BTreeMap<&str, (Vec<u64>, Vec<u64>)> = std::collections::BTreeMap::new();
    for w in records.iter().filter_map(|r| r.writes.as_ref()) {
        for c in &w.clients {
            let e = by.entry(c.name.as_str()).or_default();
            e.0.push(c.unavailable.max_ms);
            e.1.push(c.unavailable.total_ms);
        }
    }
    by.into_iter()
        .map(|(client, (max, total))| ClientUnavailability {
            client: client.to_string(),
            max_ms: dist_u64(max),
            total_ms: dist_u64(total),
        })
        .collect()
}

/// The figures of one combination from its records (`agg` = their aggregate).
pub fn combo_result(
    label: String,
    settings: Vec<(String, String)>,
    file: String,
    expects_no_failover: bool,
    records: &[&RunRecord],
    agg: Option<&ScenarioAgg>,
) -> ComboResult {
    let mut failed_checks: Vec<(String, usize)> = Vec::new();
    for r in records {
        for name in &r.failed {
            match failed_checks.iter_mut().find(|(n, _)| n == name) {
                Some((_, k)) => *k += 1,
                None => failed_checks.push((name.clone(), 1)),
            }
        }
    }
    failed_checks.sort();
    let false_failover_runs = records
        .iter()
        .filter(|r| {
            (expects_no_failover && r.timeline.first_switch_ms.is_some())
                || r.failed.iter().any(|f| f == NO_FAILOVER_WITHOUT_OUTAGE)
        })
        .count();
    ComboResult {
        label,
        settings,
        file,
        runs: records.len(),
        failed_runs: records.iter().filter(|r| !r.ok).count(),
        failed_checks,
        failover_pct: agg.map_or(0.0, |a| a.failover_pct),
        detection_ms: agg.and_then(|a| a.odown_ms),
        failover_ms: dist_u64(records.iter().filter_map(|r| r.timeline.first_switch_ms).collect()),
        lost_writes: agg.and_then(|a| a.lost),
        unavailable_max_ms: agg.and_then(|a| a.unavailable_max_ms),
        unavailable_total_ms: agg.and_then(|a| a.unavailable_total_ms),
        clients: per_client(records),
        false_failover_runs,
        failing: records.iter().filter_map(|r| r.replay.clone()).take(5).collect(),
    }
}
