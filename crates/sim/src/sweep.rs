//! `sentinel-sim sweep`: many seeds of many scenarios on every core, with per-scenario aggregates
//! (failure and failover rates, detection / election / failover time percentiles, lost writes),
//! one JSON line per run, and a replay command for every failing seed.
//!
//! `sentinel-sim merge`: the same aggregates from the JSON lines of several (sharded) sweeps.
//!
//! Layout of the results (under `--out`, default `sim-results`):
//! - `sweep/<scenario>.jsonl`: one [`RunRecord`] per line, sorted by seed;
//!   with `--shard K/N`: `sweep/<scenario>.shard-K-of-N.jsonl`.
//! - `sweep/summary.json` (or `sweep/summary.shard-K-of-N.json`): a [`SweepSummary`].
//! - `<scenario>/seed-<N>.json`: the full results JSON of every failing run (as `run` writes it).
//!
//! Seeds: `--seeds 1..1000` means seeds 1 to 1000 **inclusive** (as in `just seeds 50`: "seeds
//! 1..50"); `1..=1000` says the same, `7` is one seed, and items combine with commas
//! (`1..100,500,900..=910`). Duplicates are played once.
//!
//! Sharding: `--shard K/N` plays the seeds whose position in the seed list (0-based, after parsing
//! and removing duplicates) is `K-1` modulo `N`: the shards interleave (round robin), so each gets
//! the same mix of low and high seeds and finishes in about the same time. Every seed of the list
//! is in exactly one shard. The determinism re-runs are chosen by the same global position
//! (`position % M == 0`), so N shards merged give exactly the aggregates of one unsharded sweep.
//!
//! Everything except [`sweep_main`]'s playing is pure and tested in the plain build.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::duration::secs;
use crate::report::RunReport;
use crate::scenario::{self, Scenario};

/// Version of the sweep record and summary layout.
pub const SWEEP_SCHEMA: u32 = 1;

/// At most this many seeds in one `--seeds` list (a guard against `0..999999999999`).
pub const MAX_SEEDS: u64 = 10_000_000;

// ---------------------------------------------------------------------------------------------
// CLI arguments
// ---------------------------------------------------------------------------------------------

/// `sentinel-sim sweep`.
#[derive(Debug, Clone, clap::Args)]
pub struct SweepArgs {
    /// Scenario files or directories of them (default: every scenarios/*.toml).
    pub scenarios: Vec<PathBuf>,
    /// Seeds: `1..1000` = 1 to 1000 inclusive (`1..=1000` too), `7`, or a comma list of those.
    #[arg(long, default_value = "1..100")]
    pub seeds: String,
    /// Worker threads, each playing one run at a time (default: every core).
    #[arg(long, short)]
    pub jobs: Option<usize>,
    /// Play only shard K of N (1-based): the seeds at positions p with p mod N = K-1 (round robin).
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Where results go (`<out>/sweep/...`).
    #[arg(long, default_value = "sim-results")]
    pub out: PathBuf,
    /// Play every M-th seed (positions 0, M, 2M, ...) twice and compare the runs byte for byte;
    /// 0 turns the check off.
    #[arg(long, default_value_t = 50, value_name = "M")]
    pub check_determinism_every: usize,
    /// Stop starting runs after the first failure.
    #[arg(long)]
    pub fail_fast: bool,
}

/// `sentinel-sim merge`.
#[derive(Debug, Clone, clap::Args)]
pub struct MergeArgs {
    /// The JSON-lines files of sweeps or sweep shards (`sim-results/sweep/*.jsonl`).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Where the merged report goes (`<out>/sweep/summary.json` and `<out>/sweep/<scenario>.jsonl`).
    #[arg(long, default_value = "sim-results")]
    pub out: PathBuf,
}

// ---------------------------------------------------------------------------------------------
// Seeds and shards
// ---------------------------------------------------------------------------------------------

fn parse_seed(item: &str, tok: &str) -> Result<u64, String> {
    let t = tok.trim();
    t.parse::<u64>().map_err(|_| {
        if t.is_empty() {
            format!("{item:?}: a bound is missing (write e.g. 1..1000)")
        } else {
            format!("{item:?}: {t:?} is not a seed (a whole number from 0 to {})", u64::MAX)
        }
    })
}

/// Parses `--seeds`: comma-separated items, each `N`, `A..B` or `A..=B` (both inclusive).
/// Keeps the order of first appearance and drops duplicates.
pub fn parse_seeds(spec: &str) -> Result<Vec<u64>, String> {
    let err = |m: String| format!("bad --seeds {spec:?}: {m}");
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    if spec.trim().is_empty() {
        return Err(err("no seeds given (write e.g. 1..1000, 1..=10 or 7)".into()));
    }
    for item in spec.split(',') {
        let item = item.trim();
        if item.is_empty() {
            return Err(err("an empty item between commas".into()));
        }
        let (a, b) = match item.split_once("..") {
            None => {
                let v = parse_seed(item, item).map_err(&err)?;
                (v, v)
            }
            Some((a, b)) => {
                let b = b.strip_prefix('=').unwrap_or(b);
                let a = parse_seed(item, a).map_err(&err)?;
                let b = parse_seed(item, b).map_err(&err)?;
                if b < a {
                    return Err(err(format!(
                        "{item:?}: the range is empty (it ends at {b}, before {a})"
                    )));
                }
                (a, b)
            }
        };
        if (b - a).saturating_add(1).saturating_add(out.len() as u64) > MAX_SEEDS {
            return Err(err(format!("more than {MAX_SEEDS} seeds")));
        }
        for s in a..=b {
            if seen.insert(s) {
                out.push(s);
            }
        }
    }
    Ok(out)
}

/// `--shard K/N`, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub k: usize,
    pub n: usize,
}

impl Shard {
    /// `K-of-N`, as used in file names.
    pub fn tag(&self) -> String {
        format!("shard-{}-of-{}", self.k, self.n)
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

/// Parses `K/N` with 1 ≤ K ≤ N.
pub fn parse_shard(text: &str) -> Result<Shard, String> {
    let bad = |why: &str| format!("bad --shard {text:?}: {why} (write K/N with 1 <= K <= N, e.g. 2/4)");
    let (k, n) = text.trim().split_once('/').ok_or_else(|| bad("no '/'"))?;
    let k: usize = k.trim().parse().map_err(|_| bad("K is not a whole number"))?;
    let n: usize = n.trim().parse().map_err(|_| bad("N is not a whole number"))?;
    if n == 0 || k == 0 || k > n {
        return Err(bad("K out of range"));
    }
    Ok(Shard { k, n })
}

/// The seeds a shard plays, with their global position in `seeds`: positions p with
/// `p % N == K-1` (all of them without a shard).
pub fn shard_seeds(seeds: &[u64], shard: Option<Shard>) -> Vec<(usize, u64)> {
    seeds
        .iter()
        .copied()
        .enumerate()
        .filter(|(p, _)| shard.is_none_or(|s| p % s.n == s.k - 1))
        .collect()
}

/// Whether the seed at global position `pos` is played twice.
pub fn checks_determinism(pos: usize, every: usize) -> bool {
    every > 0 && pos.is_multiple_of(every)
}

// ---------------------------------------------------------------------------------------------
// Per-run record
// ---------------------------------------------------------------------------------------------

/// The timeline numbers of one run, relative to the first fault (see [`crate::check::Timeline`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineRecord {
    /// The fault's action name (`kill`, `partition`, ...) or `start`.
    pub origin: String,
    pub fault_at_ms: Option<u64>,
    pub sdown_ms: Option<u64>,
    pub odown_ms: Option<u64>,
    pub elected_ms: Option<u64>,
    pub failover_epoch: Option<u64>,
    pub first_switch_ms: Option<u64>,
    /// Every live Sentinel had switched (the last of their first `+switch-master`).
    pub last_switch_ms: Option<u64>,
    pub new_master: Option<String>,
}

/// One run of a sweep: one JSON line of `<scenario>.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub scenario: String,
    /// The scenario file as given on the command line.
    pub file: String,
    pub seed: u64,
    /// Every check passed, the run completed, and (when checked) it was deterministic.
    pub ok: bool,
    /// The run could not complete (plan error, panic, time limit).
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub trace_hash: Option<String>,
    /// Names of the failed invariants and expectations; `determinism` when the re-run differed.
    #[serde(default)]
    pub failed: Vec<String>,
    /// The same failures with their details (`name: detail`, each cut to 300 characters).
    #[serde(default)]
    pub failed_details: Vec<String>,
    /// None: not checked; true: the second run was byte-identical.
    #[serde(default)]
    pub deterministic: Option<bool>,
    #[serde(default)]
    pub determinism_detail: Option<String>,
    #[serde(default)]
    pub timeline: TimelineRecord,
    /// The run's `writes` summary as in the results JSON (absent without a client workload).
    #[serde(default)]
    pub writes: Option<serde_json::Value>,
    #[serde(default)]
    pub sim_ms: u64,
    /// Wall time of the (first) run; not deterministic.
    #[serde(default)]
    pub wall_ms: u64,
    /// How to play this run again (failing runs only).
    #[serde(default)]
    pub replay: Option<String>,
}

/// `cargo sim <file> --seed N` (plus `--check-determinism` when that is what failed).
pub fn replay_command(file: &str, seed: u64, determinism: bool) -> String {
    let mut c = format!("cargo sim {file} --seed {seed}");
    if determinism {
        c.push_str(" --check-determinism");
    }
    c
}

impl RunRecord {
    /// The record of a completed run; `determinism` is run_checked's `nondeterminism`.
    pub fn from_report(file: &str, r: &RunReport, determinism: Option<Option<String>>) -> RunRecord {
        let mut failed: Vec<String> = r.failures().iter().map(|c| c.name.clone()).collect();
        let failed_details: Vec<String> = r
            .failures()
            .iter()
            .map(|c| cut(&format!("{}: {}", c.name, c.detail), 300))
            .collect();
        let (deterministic, determinism_detail) = match determinism {
            None => (None, None),
            Some(None) => (Some(true), None),
            Some(Some(d)) => {
                failed.push("determinism".to_string());
                (Some(false), Some(d))
            }
        };
        let ok = r.ok && deterministic != Some(false);
        let tl = &r.timeline;
        RunRecord {
            scenario: r.scenario.clone(),
            file: file.to_string(),
            seed: r.seed,
            ok,
            error: None,
            trace_hash: Some(r.trace_hash.clone()),
            failed,
            failed_details,
            deterministic,
            determinism_detail,
            timeline: TimelineRecord {
                origin: tl.origin_label(),
                fault_at_ms: tl.fault_at_ms,
                sdown_ms: tl.sdown_ms,
                odown_ms: tl.odown_ms,
                elected_ms: tl.elected_ms,
                failover_epoch: tl.failover_epoch,
                first_switch_ms: tl.first_switch_ms,
                last_switch_ms: tl.last_switch_ms,
                new_master: tl.new_master.clone(),
            },
            writes: r.writes.as_ref().and_then(|w| serde_json::to_value(w).ok()),
            sim_ms: r.sim_ms,
            wall_ms: r.wall_ms,
            replay: (!ok).then(|| replay_command(file, r.seed, deterministic == Some(false))),
        }
    }

    /// The record of a run that could not complete.
    pub fn from_error(scenario: &str, file: &str, seed: u64, error: String) -> RunRecord {
        RunRecord {
            scenario: scenario.to_string(),
            file: file.to_string(),
            seed,
            ok: false,
            error: Some(error),
            trace_hash: None,
            failed: vec!["run-error".to_string()],
            failed_details: Vec::new(),
            deterministic: None,
            determinism_detail: None,
            timeline: TimelineRecord::default(),
            writes: None,
            sim_ms: 0,
            wall_ms: 0,
            replay: Some(replay_command(file, seed, false)),
        }
    }

    /// One line for a failure: `seed 17: max_detection = 3s: kill→+odown 3.119s; ...`.
    pub fn failure_line(&self) -> String {
        let mut what = if self.failed_details.is_empty() {
            self.failed.join(", ")
        } else {
            self.failed_details.join("; ")
        };
        if let Some(e) = &self.error {
            what = format!("run error: {e}");
        } else if let Some(d) = &self.determinism_detail {
            what = format!("{what} ({d})");
        }
        format!("seed {}: {what}", self.seed)
    }

    fn writes_u64(&self, path: &[&str]) -> Option<u64> {
        let mut v = self.writes.as_ref()?;
        for p in path {
            v = v.get(p)?;
        }
        v.as_u64()
    }

    /// Client unavailability as the share (%) of write attempts that got no OK: errors of every
    /// kind plus writes of unknown outcome, over those plus the acknowledged writes. None without a
    /// workload or without any attempt.
    pub fn failed_write_pct(&self) -> Option<f64> {
        let ack = self.writes_u64(&["acknowledged"])?;
        let errs: u64 = ["readonly", "noreplicas", "connection", "other"]
            .iter()
            .map(|k| self.writes_u64(&["errors", k]).unwrap_or(0))
            .sum();
        let bad = errs + self.writes_u64(&["unknown"]).unwrap_or(0);
        let all = ack + bad;
        (all > 0).then(|| 100.0 * bad as f64 / all as f64)
    }
}

/// `s` cut to at most `max` characters (an ellipsis marks the cut).
fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut c: String = s.chars().take(max.saturating_sub(1)).collect();
        c.push('…');
        c
    }
}

/// Records as JSON lines (one per record, each ending in a newline).
pub fn to_jsonl(records: &[RunRecord]) -> String {
    let mut s = String::new();
    for r in records {
        s.push_str(&serde_json::to_string(r).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}")));
        s.push('\n');
    }
    s
}

/// Parses JSON lines (blank lines skipped); errors name the source and line.
pub fn parse_jsonl(text: &str, source: &str) -> Result<Vec<RunRecord>, String> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| serde_json::from_str(l).map_err(|e| format!("{source}:{}: not a sweep record: {e}", i + 1)))
        .collect()
}

/// Merges the records of several inputs: sorted by (scenario, seed); a run present twice with the
/// same trace hash (overlapping shards, a merged file merged again) is kept once; twice with
/// different outcomes it is kept once and marked failed (`determinism`): the same seed gave
/// different runs on different machines or builds.
pub fn merge_records(inputs: Vec<Vec<RunRecord>>) -> Vec<RunRecord> {
    let mut by: BTreeMap<(String, u64), RunRecord> = BTreeMap::new();
    for r in inputs.into_iter().flatten() {
        let key = (r.scenario.clone(), r.seed);
        match by.get_mut(&key) {
            None => {
                by.insert(key, r);
            }
            Some(prev) => {
                if prev.trace_hash != r.trace_hash || prev.ok != r.ok {
                    let detail = format!(
                        "seed {}: two inputs disagree: trace hash {} vs {}",
                        r.seed,
                        prev.trace_hash.as_deref().unwrap_or("none"),
                        r.trace_hash.as_deref().unwrap_or("none")
                    );
                    prev.ok = false;
                    prev.deterministic = Some(false);
                    if !prev.failed.iter().any(|f| f == "determinism") {
                        prev.failed.push("determinism".into());
                    }
                    prev.determinism_detail = Some(detail);
                    prev.replay = Some(replay_command(&prev.file, prev.seed, true));
                }
            }
        }
    }
    by.into_values().collect()
}

// ---------------------------------------------------------------------------------------------
// Aggregates
// ---------------------------------------------------------------------------------------------

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
            let origins: BTreeSet<&str> = rs
                .iter()
                .filter(|r| r.error.is_none())
                .map(|r| r.timeline.origin.as_str())
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
                    1 => origins.iter().next().map(|s| s.to_string()).unwrap_or_default(),
                    _ => "mixed".to_string(),
                },
                sdown_ms: col(&|r| r.timeline.sdown_ms),
                odown_ms: col(&|r| r.timeline.odown_ms),
                elected_ms: col(&|r| r.timeline.elected_ms),
                failover_ms: col(&|r| r.timeline.last_switch_ms),
                writes_runs: with_writes.len(),
                lost: col(&|r| r.writes_u64(&["lost"])),
                lost_after_heal: col(&|r| r.writes_u64(&["lost_after_heal"])),
                failed_write_pct: dist_f64(with_writes.iter().filter_map(|r| r.failed_write_pct()).collect()),
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

/// Speed of a sweep (not deterministic; kept apart from the aggregates).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

fn pct_str(v: f64) -> String {
    format!("{v:.1}%")
}

/// Failing seeds listed per scenario in the text report (summary.json has them all).
pub const MAX_FAILING_SHOWN: usize = 10;

/// The per-scenario report an operator reads.
pub fn render_scenario(a: &ScenarioAgg) -> String {
    let mut o = String::new();
    let mut line = |s: String| {
        o.push_str(&s);
        o.push('\n');
    };
    line(format!("== {} ({})", a.scenario, a.file));
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
    line(head);
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
    if rows.iter().all(|(_, d)| d.is_none()) {
        line(format!("   {o_}→ no failover events in any run"));
    } else {
        line(format!(
            "   {:<w$}{:>6} {:>9} {:>9} {:>9} {:>9}",
            "time after the fault", "runs", "p50", "p90", "p99", "max"
        ));
        for (label, d) in rows {
            match d {
                Some(d) => line(format!(
                    "   {:<w$}{:>6} {:>9} {:>9} {:>9} {:>9}",
                    label,
                    d.n,
                    secs(d.p50),
                    secs(d.p90),
                    secs(d.p99),
                    secs(d.max)
                )),
                None => line(format!("   {label:<w$}{:>6}   (never)", 0)),
            }
        }
    }
    if a.writes_runs == 0 {
        line("   writes: n/a (no client workload in this scenario)".to_string());
    } else {
        let d = |name: &str, d: &Option<Dist<u64>>| match d {
            Some(d) => format!(
                "   {name:<w$}{:>6}   min {}  median {}  p90 {}  max {}",
                d.n, d.min, d.p50, d.p90, d.max
            ),
            None => format!("   {name:<w$}   n/a"),
        };
        line(d("lost writes", &a.lost));
        line(d("lost after heal", &a.lost_after_heal));
        line(match &a.failed_write_pct {
            Some(d) => format!(
                "   {:<w$}{:>6}   p50 {}  p90 {}  p99 {}  max {}",
                "unavailability (writes not OK)",
                d.n,
                pct_str(d.p50),
                pct_str(d.p90),
                pct_str(d.p99),
                pct_str(d.max)
            ),
            None => format!("   {:<w$}   n/a (no write attempts)", "unavailability (writes not OK)"),
        });
        // TODO: an unavailable *time* (longest stretch without an acknowledged write) needs
        // per-write times, which WritesSummary does not carry yet.
        line(format!(
            "   {:<w$}   n/a (TODO: needs per-write times in WritesSummary)",
            "unavailable time"
        ));
    }
    for f in a.failing.iter().take(MAX_FAILING_SHOWN) {
        line(format!("   FAIL {}", f.what));
        line(format!("        {}", f.replay));
        line(format!("        picture: {}", f.picture));
    }
    if a.failing.len() > MAX_FAILING_SHOWN {
        line(format!(
            "   ... and {} more failing seeds (every one is in summary.json)",
            a.failing.len() - MAX_FAILING_SHOWN
        ));
    }
    o
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

// ---------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------

/// `<out>/sweep/<scenario>[.shard-K-of-N].jsonl` for each scenario, and the summary; returns the
/// summary's path.
pub fn write_results(
    out: &Path,
    shard: Option<Shard>,
    records: &[RunRecord],
    summary: &SweepSummary,
) -> std::io::Result<PathBuf> {
    let dir = out.join("sweep");
    std::fs::create_dir_all(&dir)?;
    let suffix = shard.map(|s| format!(".{}", s.tag())).unwrap_or_default();
    let mut by: BTreeMap<&str, Vec<RunRecord>> = BTreeMap::new();
    for r in records {
        by.entry(r.scenario.as_str()).or_default().push(r.clone());
    }
    for (name, mut rs) in by {
        rs.sort_by_key(|r| r.seed);
        std::fs::write(
            dir.join(format!("{}{suffix}.jsonl", crate::report::path_component(name))),
            to_jsonl(&rs),
        )?;
    }
    let path = dir.join(format!("summary{suffix}.json"));
    let mut text = serde_json::to_string_pretty(summary).map_err(std::io::Error::other)?;
    text.push('\n');
    std::fs::write(&path, text)?;
    Ok(path)
}

/// The scenario files of the arguments: files as given, directories expanded to their `*.toml`
/// (sorted); no argument = `scenarios/*.toml`.
pub fn scenario_files(args: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let args = if args.is_empty() {
        vec![PathBuf::from("scenarios")]
    } else {
        args.to_vec()
    };
    let mut out = Vec::new();
    for a in args {
        if a.is_dir() {
            let mut v: Vec<PathBuf> = std::fs::read_dir(&a)
                .map_err(|e| format!("{}: {e}", a.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
                .collect();
            v.sort();
            if v.is_empty() {
                return Err(format!("{}: no *.toml scenario in this directory", a.display()));
            }
            out.extend(v);
        } else {
            out.push(a);
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Playing
// ---------------------------------------------------------------------------------------------

/// Plays one run (twice when checking determinism), never panicking; returns the record and the
/// simulated ms played.
fn play(file: &str, s: &Scenario, seed: u64, check: bool, out: &Path) -> (RunRecord, u64) {
    let res = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| crate::run::run_checked(s, seed, check)));
    match res {
        Ok(Ok(f)) => {
            let rec = RunRecord::from_report(file, &f.report, f.nondeterminism);
            if !rec.ok {
                // The full results of a failing run, where `run` would write them.                let _ = crate::report::write_json(out, &f.report);
                let _ = crate::html::write_html(out, &f.report);
            }
            let sim = f.report.sim_ms * if check { 2 } else { 1 };
            (rec, sim)
        }
        Ok(Err(e)) => (RunRecord::from_error(&s.name, file, seed, e), 0),
        Err(p) => {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            (
                RunRecord::from_error(&s.name, file, seed, format!("panicked: {msg}")),
                0,
            )
        }
    }
}

/// Prints to stdout and flushes, ignoring errors (a closed pipe must not stop a sweep before it
/// writes its results).
fn say(s: &str) {
    let mut o = std::io::stdout().lock();
    let _ = o.write_all(s.as_bytes());
    let _ = o.flush();
}

struct Progress {
    bar: indicatif::ProgressBar,
    visible: bool,
    total: u64,
    last_decile: u64,
    start: Instant,
}

impl Progress {
    fn new(total: u64) -> Progress {
        let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false");
        let visible = std::io::stdout().is_terminal() && std::io::stderr().is_terminal() && !ci;
        let bar = if visible {
            let b = indicatif::ProgressBar::new(total);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{elapsed_precise} [{bar:40}] {pos}/{len} runs  {per_sec}  eta {eta}  {msg}",
            ) {
                b.set_style(style.progress_chars("=> "));
            }
            b
        } else {
            indicatif::ProgressBar::hidden()
        };
        Progress {
            bar,
            visible,
            total,
            last_decile: 0,
            start: Instant::now(),
        }
    }

    fn println(&self, s: &str) {
        self.bar.suspend(|| say(&format!("{s}\n")));
    }

    fn tick(&mut self, done: u64, failed: usize) {
        self.bar.set_position(done);
        self.bar.set_message(format!("{failed} failed"));
        if !self.visible && self.total > 0 {
            let decile = done * 10 / self.total;
            if decile > self.last_decile {
                self.last_decile = decile;
                say(&format!(
                    "progress: {done}/{} runs ({}%) in {:.1}s, {failed} failed\n",
                    self.total,
                    done * 100 / self.total,
                    self.start.elapsed().as_secs_f64()
                ));
            }
        }
    }
}

/// `sentinel-sim sweep`.
pub fn sweep_main(a: SweepArgs) -> ExitCode {
    match sweep(a) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}

fn sweep(a: SweepArgs) -> Result<bool, String> {
    let seeds = parse_seeds(&a.seeds)?;
    let shard = a.shard.as_deref().map(parse_shard).transpose()?;
    let files = scenario_files(&a.scenarios)?;
    let mut scenarios: Vec<(String, Scenario)> = Vec::new();
    for f in &files {
        let s = scenario::load(f).map_err(|e| e.to_string())?;
        let file = f.display().to_string();
        if let Some((other, _)) = scenarios.iter().find(|(_, o)| o.name == s.name) {
            return Err(format!(
                "{file} and {other} are both named {:?}: their results would share a file",
                s.name
            ));
        }
        scenarios.push((file, s));
    }
    let mine = shard_seeds(&seeds, shard);
    // Seed-major order: long scenarios spread over the whole sweep.
    let jobs: Vec<(usize, u64, bool)> = mine
        .iter()
        .flat_map(|&(pos, seed)| {
            let every = a.check_determinism_every;
            (0..scenarios.len()).map(move |i| (i, seed, checks_determinism(pos, every)))
        })
        .collect();
    let n_jobs = a
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    say(&format!(
        "sweep: {} scenario{} × {} seed{}{} = {} runs on {} worker{}\n",
        scenarios.len(),
        if scenarios.len() == 1 { "" } else { "s" },
        mine.len(),
        if mine.len() == 1 { "" } else { "s" },
        shard
            .map(|s| format!(" (shard {s} of {} seeds)", seeds.len()))
            .unwrap_or_default(),
        jobs.len(),
        n_jobs,
        if n_jobs == 1 { "" } else { "s" },
    ));

    let start = Instant::now();
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let mut records: Vec<RunRecord> = Vec::with_capacity(jobs.len());
    let mut sim_ms = 0u64;
    let mut progress = Progress::new(jobs.len() as u64);
    let (tx, rx) = mpsc::channel::<(RunRecord, u64)>();
    std::thread::scope(|sc| {
        for _ in 0..n_jobs.min(jobs.len().max(1)) {
            let tx = tx.clone();
            let (jobs, scenarios, next, stop, out) = (&jobs, &scenarios, &next, &stop, &a.out);
            sc.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&(si, seed, check)) = jobs.get(i) else {
                        break;
                    };
                    let (file, s) = &scenarios[si];
                    if tx.send(play(file, s, seed, check, out)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut failed = 0;
        for (rec, sim) in rx {
            sim_ms += sim;
            if !rec.ok {
                failed += 1;
                progress.println(&format!(
                    "FAIL {} {}\n     {}",
                    rec.scenario,
                    rec.failure_line(),
                    rec.replay.as_deref().unwrap_or("")
                ));
                if a.fail_fast {
                    stop.store(true, Ordering::Relaxed);
                }
            }
            records.push(rec);
            progress.tick(records.len() as u64, failed);
        }
    });
    progress.bar.finish_and_clear();
    let wall = start.elapsed();
    let wall_s = wall.as_secs_f64().max(1e-9);
    if a.fail_fast && records.len() < jobs.len() {
        say(&format!(
            "fail-fast: stopped after {} of {} runs\n",
            records.len(),
            jobs.len()
        ));
    }
    records.sort_by(|x, y| (&x.scenario, x.seed).cmp(&(&y.scenario, y.seed)));
    let perf = Perf {
        wall_ms: Some(wall.as_millis() as u64),
        jobs: Some(n_jobs),
        seeds_per_s: Some(records.len() as f64 / wall_s),
        sim_ms,
        sim_s_per_wall_s: Some(sim_ms as f64 / 1000.0 / wall_s),
        run_wall_ms: records.iter().map(|r| r.wall_ms).sum(),
    };
    let summary = SweepSummary::new("sweep", Some(a.seeds.clone()), shard, &records, perf);
    say(&render_summary(&summary));
    match write_results(&a.out, shard, &records, &summary) {
        Ok(p) => say(&format!(
            "results: {} (and one .jsonl per scenario beside it)\n",
            p.display()
        )),
        Err(e) => eprintln!("cannot write results under {}: {e}", a.out.display()),
    }
    Ok(summary.failed == 0 && records.len() == jobs.len())
}

/// `sentinel-sim merge`.
pub fn merge_main(a: MergeArgs) -> ExitCode {
    let mut inputs = Vec::new();
    for f in &a.files {
        let text = match std::fs::read_to_string(f) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{}: {e}", f.display());
                return ExitCode::from(2);
            }
        };
        match parse_jsonl(&text, &f.display().to_string()) {
            Ok(r) => inputs.push(r),
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        }
    }
    let records = merge_records(inputs);
    let perf = Perf {
        wall_ms: None,
        jobs: None,
        seeds_per_s: None,
        sim_ms: records
            .iter()
            .map(|r| r.sim_ms * if r.deterministic.is_some() { 2 } else { 1 })
            .sum(),
        sim_s_per_wall_s: None,
        run_wall_ms: records.iter().map(|r| r.wall_ms).sum(),
    };
    let summary = SweepSummary::new("merge", None, None, &records, perf);
    say(&render_summary(&summary));
    match write_results(&a.out, None, &records, &summary) {
        Ok(p) => say(&format!("results: {}\n", p.display())),
        Err(e) => {
            eprintln!("cannot write results under {}: {e}", a.out.display());
            return ExitCode::from(2);
        }
    }
    if summary.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
