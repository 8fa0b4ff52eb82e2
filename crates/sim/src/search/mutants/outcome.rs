//! What the mutants runner found for one mutant, and the pure reading of a failed run behind it:
//! which check caught the bug first, and when (simulated time).

use serde::{Deserialize, Serialize};

use crate::search::sweep::RunRecord;

/// The invariants whose failure details name the offending trace events with their simulated
/// times (`at 13.119s`, or `13.119s` leading an item): their earliest time is when the bug became
/// visible. The other checks (final state, most expectations) judge the end of the run.
pub const TRACE_CHECKS: [&str; 14] = [
    "one-leader-per-epoch",
    "one-vote-per-epoch",
    "no-bad-promotion",
    "config-epoch-monotonic",
    "leader-had-votes",
    "no-action-in-tilt",
    "vote-persisted",
    "failover-attempt-spacing",
    "sdown-needs-outage",
    "failover-timeouts",
    "leader-reconfigures-replicas",
    "parallel-syncs",
    "promotion-choice",
    "config-epoch-monotonic-probe",
];

/// The expectations (by the start of their name, e.g. `not_seen = [+odown]`) whose failure
/// details list the offending events with their times, as the trace invariants do.
pub const TRACE_EXPECTATIONS: [&str; 2] = ["not_seen = ", "never_promoted = "];

/// Whether a check's failure detail dates the offending events (see [`TRACE_CHECKS`]).
pub fn dates_its_evidence(check: &str) -> bool {
    TRACE_CHECKS.contains(&check) || TRACE_EXPECTATIONS.iter().any(|p| check.starts_with(p))
}

/// How the detection time was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DetectedFrom {
    /// The earliest simulated time in the failing check's evidence.
    Evidence,
    /// The check judges the end of the run: the run's end.
    RunEnd,
    /// The run could not complete (panic, plan error, time limit).
    RunError,
}

/// The first catch of a mutant: one failed run and its first failing check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Catch {
    /// The first check that failed (the earliest evidence, then report order); `run-error` for a
    /// run that could not complete.
    pub check: String,
    /// That check's detail (as in the sweep record, cut to 300 characters).
    pub detail: String,
    /// Every check that failed in that run.
    pub failed: Vec<String>,
    pub scenario: String,
    pub seed: u64,
    /// Simulated ms from the start of the run.
    pub detected_ms: u64,
    pub detected_from: DetectedFrom,
    /// The run's first fault action, if any (simulated ms).
    #[serde(default)]
    pub fault_at_ms: Option<u64>,
    /// The scenario file that replays it.
    pub replay_file: String,
    /// The command that replays it (with the mutant planted).
    pub replay: String,
    /// Fuzz catches: which case (1-based) failed first.
    #[serde(default)]
    pub fuzz_case: Option<u32>,
    /// Fuzz catches: the number of timeline actions of the shrunk scenario.
    #[serde(default)]
    pub shrunk_actions: Option<usize>,
}

/// The sweep part of a mutant's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepPart {
    /// Runs in the budget (scenarios × seeds).
    pub planned: usize,
    /// Runs played (fewer when the sweep stopped at the first failure).
    pub played: usize,
    pub failed: usize,
    pub caught: Option<Catch>,
    /// Wall time; not deterministic.
    pub wall_ms: u64,
}

/// The fuzz part of a mutant's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FuzzPart {
    pub cases: u32,
    pub caught: Option<Catch>,
    /// The fuzzer could not run (an error, not a verdict).
    #[serde(default)]
    pub error: Option<String>,
    /// Wall time, shrinking included; not deterministic.
    pub wall_ms: u64,
}

/// One mutant (or the real Sentinel, `none`) through the sweep and the fuzzer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MutantOutcome {
    pub name: String,
    pub bug: String,
    pub rule: String,
    pub sweep: SweepPart,
    /// None when no fuzz case was asked for.
    pub fuzz: Option<FuzzPart>,
}

impl MutantOutcome {
    /// The catch shown first: the sweep's, else the fuzzer's.
    pub fn first_catch(&self) -> Option<&Catch> {
        self.sweep
            .caught
            .as_ref()
            .or_else(|| self.fuzz.as_ref().and_then(|f| f.caught.as_ref()))
    }

    /// Anything failed (for a mutant: it was caught; for `none`: a false alarm or a real bug).
    pub fn caught(&self) -> bool {
        self.first_catch().is_some()
    }

    /// The fuzzer could not run: the verdict is incomplete.
    pub fn fuzz_error(&self) -> Option<&str> {
        self.fuzz.as_ref().and_then(|f| f.error.as_deref())
    }
}

/// Simulated times written by [`crate::duration::secs`] (`13.119s`: whole seconds, a dot, exactly
/// three digits, `s`) anywhere in `text`, in ms.
pub fn times_in(text: &str) -> Vec<u64> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let starts = b[i].is_ascii_digit() && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'.'));
        if !starts {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        let frac = b.len() >= j + 5
            && b[j] == b'.'
            && b[j + 1..j + 4].iter().all(u8::is_ascii_digit)
            && b[j + 4] == b's'
            && !b.get(j + 5).is_some_and(u8::is_ascii_alphanumeric);
        if frac {
            let whole: Option<u64> = text[i..j].parse().ok();
            let ms: Option<u64> = text[j + 1..j + 4].parse().ok();
            if let (Some(w), Some(ms)) = (whole, ms) {
                out.push(w.saturating_mul(1000).saturating_add(ms));
            }
            i = j + 5;
        } else {
            i = j;
        }
    }
    out
}

/// When a failed check saw the bug: the earliest time in its evidence for a check that dates it,
/// else None (it judges the end of the run).
pub fn evidence_ms(check: &str, detail: &str) -> Option<u64> {
    if dates_its_evidence(check) {
        times_in(detail).into_iter().min()
    } else {
        None
    }
}

/// The catch a failed run gives: its first failing check (earliest evidence; checks judged at the
/// end count at the run's end; ties in report order).
pub fn catch_of(r: &RunRecord) -> Catch {
    let base = |check: String, detail: String, ms: u64, from: DetectedFrom| Catch {
        check,
        detail,
        failed: r.failed.clone(),
        scenario: r.scenario.clone(),
        seed: r.seed,
        detected_ms: ms,
        detected_from: from,
        fault_at_ms: r.timeline.fault_at_ms,
        replay_file: r.file.clone(),
        replay: r.replay.clone().unwrap_or_default(),
        fuzz_case: None,
        shrunk_actions: None,
    };
    if let Some(e) = &r.error {
        return base("run-error".into(), e.clone(), r.sim_ms, DetectedFrom::RunError);
    }
    let mut best: Option<(u64, usize, DetectedFrom)> = None;
    for (i, name) in r.failed.iter().enumerate() {
        let detail = detail_of(r, name);
        let (ms, from) = match evidence_ms(name, detail) {
            Some(ms) => (ms, DetectedFrom::Evidence),
            None => (r.sim_ms, DetectedFrom::RunEnd),
        };
        if best.is_none_or(|(b, _, _)| ms < b) {
            best = Some((ms, i, from));
        }
    }
    match best {
        Some((ms, i, from)) => {
            let name = r.failed[i].clone();
            let detail = detail_of(r, &name).to_string();
            base(name, detail, ms, from)
        }
        None => base("unknown".into(), String::new(), r.sim_ms, DetectedFrom::RunEnd),
    }
}

/// The detail of a failed check (`name: detail` in the record), without the name.
fn detail_of<'a>(r: &'a RunRecord, name: &str) -> &'a str {
    r.failed_details
        .iter()
        .find_map(|d| d.strip_prefix(name).and_then(|rest| rest.strip_prefix(": ")))
        .unwrap_or("")
}

/// The first failing run in job order (`order` gives each record's position in the job list).
/// With fail-fast, every job before the last one started was played, so this is the failure the
/// full sweep would have found first, whatever the number of workers.
pub fn first_failure(records: &[RunRecord], order: impl Fn(&RunRecord) -> usize) -> Option<&RunRecord> {
    records.iter().filter(|r| !r.ok).min_by_key(|r| order(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_read_as_secs_writes_them() {
        assert_eq!(
            times_in("epoch 1: 2 leaders: sentinel-5000 at 13.209s, sentinel-5001 at 12.5s"),
            vec![13_209]
        );
        assert_eq!(times_in("13.063s a selected b; 7.000s c"), vec![13_063, 7_000]);
        assert_eq!(times_in("v1.234s 1.2345s 1.234sx 0.001s"), vec![1]);
        assert_eq!(times_in(""), Vec::<u64>::new());
    }
}
