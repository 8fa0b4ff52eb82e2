//! `lost_writes_max`, `lost_writes_min`, `lost_writes_after_heal_max`, `lost_writes_after_heal_min`:
//! bounds on acknowledged writes lost.
//!
//! Evidence: the run's client writes summary ([`WritesSummary`]: acknowledged writes missing from
//! the final master's dataset, in total and after the last heal). Fails without a client workload.

use super::Run;
use crate::checks::CheckResult;
use crate::report::WritesSummary;

fn writes_check(
    r: &Run,
    name: String,
    get: fn(&WritesSummary) -> (u64, String),
    ok: impl Fn(u64) -> bool,
) -> CheckResult {
    match r.writes {
        None => CheckResult::fail(&name, "no client workload in this scenario"),
        Some(w) => {
            let (v, d) = get(w);
            CheckResult::new(&name, ok(v), d)
        }
    }
}

fn lost(w: &WritesSummary) -> (u64, String) {
    (
        w.lost,
        format!(
            "{} of {} acknowledged writes lost ({:.1}%)",
            w.lost, w.acknowledged, w.lost_pct
        ),
    )
}

fn lost_heal(w: &WritesSummary) -> (u64, String) {
    (
        w.lost_after_heal,
        format!("{} acknowledged writes lost after the last heal", w.lost_after_heal),
    )
}

pub(super) fn lost_max(r: &Run, max: u64) -> CheckResult {
    writes_check(r, format!("lost_writes_max = {max}"), lost, |v| v <= max)
}

pub(super) fn lost_min(r: &Run, min: u64) -> CheckResult {
    writes_check(r, format!("lost_writes_min = {min}"), lost, |v| v >= min)
}

pub(super) fn lost_after_heal_max(r: &Run, max: u64) -> CheckResult {
    writes_check(r, format!("lost_writes_after_heal_max = {max}"), lost_heal, |v| {
        v <= max
    })
}

pub(super) fn lost_after_heal_min(r: &Run, min: u64) -> CheckResult {
    writes_check(r, format!("lost_writes_after_heal_min = {min}"), lost_heal, |v| {
        v >= min
    })
}
