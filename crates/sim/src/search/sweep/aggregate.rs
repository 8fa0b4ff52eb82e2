//! Per-scenario aggregates of a sweep's records, and `summary.json`.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::record::{replay_command, RunRecord};
use super::seeds::Shard;
use super::SWEEP_SCHEMA;

/// Nearest-rank percentile of sorted values: the smallest value with at least `p`% of the values
/// at or below it (p in 0..=100; p = 0 gives the minimum). None for no values.
pub fn percentile<T: Copy>(sorted: &[T], p: f64) -> Option<T> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len();
    let rank = ((p / 100.0) * n as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, n) - 1])
}

/// A distribution: count, min, p50, p90, p99, max (nearest rank).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Dist<T> {
    pub n: usize,
    pub min: T,
    pub p50: T,
    pub p90: T,
    pub p99: T,
    pub max: T,
}

/// The distribution of `values` (any order); None when empty.
pub fn dist_u64(mut values: Vec<u64>) -> Option<Dist<u64>> {
    values.sort_unstable();
    Some(Dist {
        n: values.len(),
        min: percentile(&values, 0.0)?,
        p50: percentile(&values, 50.0)?,
        p90: percentile(&values, 90.0)?,
        p99: percentile(&values, 99.0)?,
        max: percentile(&values, 100.0)?,
    })
}

/// The distribution of `values` (any order, NaN sorted last); None when empty.
pub fn dist_f64(mut values: Vec<f64>) -> Option<Dist<f64>> {
    values.sort_by(|a, b| a.total_cmp(b));
    Some(Dist {
        n: values.len(),
        min: percentile(&values, 0.0)?,
        p50: percentile(&values, 50.0)?,
        p90: percentile(&values, 90.0)?,
        p99: percentile(&values, 99.0)?,
        max: percentile(&values, 100.0)?,
    })
}

/// A failing run in the summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailingRun {
    pub seed: u64,
    /// [`RunRecord::failure_line`].
    pub what: String,
    pub replay: String,
    /// The run's HTML timeline (`<out>/<scenario>/seed-<N>.html`, written when it failed), relative
    /// to the sweep's output directory.
    #[serde(default)]
    pub picture: String,
}

/// Per-scenario aggregates. Deterministic: a function of the set of records only (no wall times),
/// so a merge of shards equals the unsharded sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioAgg {
    pub scenario: String,
    pub file: String,
    pub runs: usize,
    pub failed: usize,
    /// Runs that could not complete.
    pub run_errors: usize,
    /// Runs played twice / of those, how many differed.
    pub determinism_checked: usize,
    pub nondeterministic: usize,
    /// Runs with a `+switch-master` of the monitored master after the fault.
    pub failover_runs: usize,
    /// `failover_runs / runs` in percent.
    pub failover_pct: f64,
    /// The fault action the times are measured from (`kill`, ...; `mixed` when runs differ).
    pub origin: String,
    /// fault → first `+sdown`, first `+odown`, first `+elected-leader`, `+switch-master` on every
    /// live Sentinel (ms; over the runs that reached that point).
    pub sdown_ms: Option<Dist<u64>>,
    pub odown_ms: Option<Dist<u64>>,
    pub elected_ms: Option<Dist<u64>>,
    pub failover_ms: Option<Dist<u64>>,
    /// Runs with a client workload.
    pub writes_runs: usize,
    pub lost: Option<Dist<u64>>,
    pub lost_after_heal: Option<Dist<u64>>,
    /// [`RunRecord::failed_write_pct`] over the runs with write attempts.
    pub failed_write_pct: Option<Dist<f64>>,
    /// Per run, the longest window any client went without an acknowledged write
    /// ([`RunRecord::unavailable_max_ms`]), over the runs with a workload.
    #[serde(default)]
    pub unavailable_max_ms: Option<Dist<u64>>,
    /// Per run, the clients' times without an acknowledged write added up
    /// ([`RunRecord::unavailable_total_ms`]).
    #[serde(default)]
    pub unavailable_total_ms: Option<Dist<u64>>,
    pub failing: Vec<FailingRun>,
}

/// Aggregates records by scenario (sorted by scenario name; records in any order).
pub fn aggregate(records: &[RunRecord]) -> Vec<ScenarioAgg> {
    let mut by: BTreeMap<&str, Vec<&RunRecord>> = BTreeMap::new();
    for r in records {
        by.entry(r.scenario.as_str()).or_default().push(r);
    }
    by.into_iter()
        .map(|(name, mut rs)| {
            rs.sort_by_key(|r| r.seed);
            let runs = rs.len();
            let col = |f: &dyn Fn(&RunRecord) -> Option<u64>| dist_u64(rs.iter().filter_map(|r| f(r)).collect());
            let failover_runs = rs.iter().filter(|r| r.timeline.first_switch_ms.is_some()).count();
            let origins: BTreeSet<String> = rs
                .iter()
                .filter(|r| r.error.is_none())
                .map(|r| r.timeline.origin_label())
                .collect();
            let with_writes: Vec<&&RunRecord> = rs.iter().filter(|r| r.writes.is_some()).collect();
            ScenarioAgg {
                scenario: name.to_string(),
                file: rs[0].file.clone(),
                runs,
                failed: rs.iter().filter(|r| !r.ok).count(),
                run_errors: rs.iter().filter(|r| r.error.is_some()).count(),
                determinism_checked: rs.iter().filter(|r| r.deterministic.is_some()).count(),
                nondeterministic: rs.iter().filter(|r| r.deterministic == Some(false)).count(),
                failover_runs,
                failover_pct: if runs == 0 {
                    0.0
                } else {
                    100.0 * failover_runs as f64 / runs as f64
                },
                origin: match origins.len() {
                    0 => "fault".to_string(),
                    1 => origins.into_iter().next().unwrap_or_default(),
                    _ => "mixed".to_string(),
                },
                sdown_ms: col(&|r| r.timeline.sdown_ms),
                odown_ms: col(&|r| r.timeline.odown_ms),
                elected_ms: col(&|r| r.timeline.elected_ms),
                failover_ms: col(&|r| r.timeline.last_switch_ms),
                writes_runs: with_writes.len(),
                lost: col(&|r| r.writes.as_ref().map(|w| w.lost)),
                lost_after_heal: col(&|r| r.writes.as_ref().map(|w| w.lost_after_heal)),
                failed_write_pct: dist_f64(with_writes.iter().filter_map(|r| r.failed_write_pct()).collect()),
                unavailable_max_ms: col(&|r| r.unavailable_max_ms()),
                unavailable_total_ms: col(&|r| r.unavailable_total_ms()),
                failing: rs
                    .iter()
                    .filter(|r| !r.ok)
                    .map(|r| FailingRun {
                        seed: r.seed,
                        picture: format!("{}/seed-{}.html", crate::report::path_component(name), r.seed),
                        what: r.failure_line(),
                        replay: r
                            .replay
                            .clone()
                            .unwrap_or_else(|| replay_command(&r.file, r.seed, r.deterministic == Some(false))),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// Speed of a sweep (not deterministic; kept apart from the aggregates). The default: nothing
/// measured (for comparing summaries without their wall times).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Perf {
    /// Wall time of the whole sweep (None for a merge: the shards ran elsewhere).
    pub wall_ms: Option<u64>,
    pub jobs: Option<usize>,
    /// Runs (scenario × seed) per wall second.
    pub seeds_per_s: Option<f64>,
    /// Simulated ms played, determinism re-runs included.
    pub sim_ms: u64,
    /// Simulated seconds per wall second of the whole sweep.
    pub sim_s_per_wall_s: Option<f64>,
    /// The runs' own wall times added up (one core's worth of work).
    pub run_wall_ms: u64,
}

/// `summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepSummary {
    pub schema: u32,
    /// `sweep` or `merge`.
    pub kind: String,
    pub seeds: Option<String>,
    pub shard: Option<String>,
    pub runs: usize,
    pub failed: usize,
    pub scenarios: Vec<ScenarioAgg>,
    /// Every failing run's replay command.
    pub replay: Vec<String>,
    pub perf: Perf,
}

impl SweepSummary {
    pub fn new(kind: &str, seeds: Option<String>, shard: Option<Shard>, records: &[RunRecord], perf: Perf) -> Self {
        let scenarios = aggregate(records);
        SweepSummary {
            schema: SWEEP_SCHEMA,
            kind: kind.to_string(),
            seeds,
            shard: shard.map(|s| s.to_string()),
            runs: records.len(),
            failed: records.iter().filter(|r| !r.ok).count(),
            replay: scenarios
                .iter()
                .flat_map(|a| a.failing.iter().map(|f| f.replay.clone()))
                .collect(),
            scenarios,
            perf,
        }
    }
}
