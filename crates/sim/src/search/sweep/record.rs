//! One run of a sweep as one JSON line (`<scenario>.jsonl`), and merging the lines of several
//! sweeps or shards.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::checks::Timeline;
use crate::report::{RunReport, WritesSummary};

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
    /// The run's timeline, as in the results JSON.
    #[serde(default)]
    pub timeline: Timeline,
    /// The run's `writes` summary as in the results JSON (absent without a client workload), with
    /// the figures only: each client's `unavailable_windows` and `activity` lists are left out (see
    /// [`figures_only`]); the run's own results JSON has them.
    #[serde(default)]
    pub writes: Option<WritesSummary>,
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
            timeline: r.timeline.clone(),
            writes: r.writes.as_ref().map(figures_only),
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
            timeline: Timeline::default(),
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

    /// The longest stretch any client went without an acknowledged write (see
    /// `workload::availability`), in ms. None without a workload, or for a record written before it
    /// was measured.
    pub fn unavailable_max_ms(&self) -> Option<u64> {
        Some(self.writes.as_ref()?.unavailable?.max_ms)
    }

    /// The clients' times without an acknowledged write, added up, in ms. None as for
    /// [`RunRecord::unavailable_max_ms`].
    pub fn unavailable_total_ms(&self) -> Option<u64> {
        Some(self.writes.as_ref()?.unavailable?.total_ms)
    }

    /// Client unavailability as the share (%) of write attempts that got no OK: errors of every
    /// kind plus writes of unknown outcome, over those plus the acknowledged writes. None without a
    /// workload or without any attempt.
    pub fn failed_write_pct(&self) -> Option<f64> {
        let w = self.writes.as_ref()?;
        let e = &w.errors;
        let bad = e.readonly + e.noreplicas + e.connection + e.other + w.unknown;
        let ack = w.acknowledged;
        let all = ack + bad;
        (all > 0).then(|| 100.0 * bad as f64 / all as f64)
    }
}

/// A workload summary without its per-client lists (unavailability windows, lane runs): a sweep
/// line stays a few hundred bytes however long the run, and the aggregates need the figures only.
pub fn figures_only(w: &WritesSummary) -> WritesSummary {
    let mut w = w.clone();
    for c in &mut w.clients {
        c.unavailable_windows = Vec::new();
        c.activity = Vec::new();
    }
    w
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
