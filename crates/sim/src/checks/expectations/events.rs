//! `tilt`, `min_epoch`, `max_epoch`, `seen`, `not_seen`: which Sentinel events happened and where
//! the epochs ended.
//!
//! Evidence: the trace's Sentinel events by name (`+tilt`, any named in `seen` / `not_seen`; `seen`
//! counts only from the first fault on), and the final state's `current_epoch` per Sentinel.

use super::{list_or_none, Run};
use crate::checks::trace_view::{at, join, named, sentinel_events, Sev};
use crate::checks::CheckResult;
use crate::duration::secs;

/// `tilt`: whether `+tilt` was seen (on any Sentinel).
pub(super) fn tilt(r: &Run, want: bool) -> CheckResult {
    let name = format!("tilt = {want}");
    let tilts: Vec<String> = named(r.trace, "+tilt")
        .iter()
        .map(|x| format!("{} {}", x.node, at(x.t)))
        .collect();
    let detail = if tilts.is_empty() {
        "no +tilt".to_string()
    } else {
        format!("+tilt on {}", tilts.join(", "))
    };
    CheckResult::new(&name, tilts.is_empty() != want, detail)
}

/// The highest final `current_epoch` among the Sentinels, and the detail listing them all.
fn top_epoch(r: &Run) -> (Option<u64>, String) {
    let epochs: Vec<(String, u64)> = r
        .fin
        .sentinels
        .iter()
        .filter_map(|x| x.current_epoch.map(|c| (x.node.clone(), c)))
        .collect();
    let detail = format!(
        "final current epochs: {}",
        list_or_none(&epochs.iter().map(|(n, e)| format!("{n}={e}")).collect::<Vec<_>>())
    );
    (epochs.iter().map(|e| e.1).max(), detail)
}

pub(super) fn min_epoch(r: &Run, min: u64) -> CheckResult {
    let (top, detail) = top_epoch(r);
    CheckResult::new(&format!("min_epoch = {min}"), top.is_some_and(|t| t >= min), detail)
}

pub(super) fn max_epoch(r: &Run, max: u64) -> CheckResult {
    let (top, detail) = top_epoch(r);
    CheckResult::new(&format!("max_epoch = {max}"), top.is_some_and(|t| t <= max), detail)
}

/// `seen`: each event emitted at least once, by any Sentinel, after the first fault.
pub(super) fn seen(r: &Run, names: &[String]) -> CheckResult {
    let name = format!("seen = [{}]", names.join(", "));
    let after_fault: Vec<Sev> = sentinel_events(r.trace)
        .into_iter()
        .filter(|x| r.tl.fault_at_ms.is_none_or(|f| x.t >= f))
        .collect();
    let mut missing = Vec::new();
    let mut found = Vec::new();
    for n in names {
        match after_fault.iter().find(|x| x.ev.name() == *n) {
            Some(x) => found.push(format!("{n} on {} {}", x.node, at(x.t))),
            None => missing.push(n.clone()),
        }
    }
    if missing.is_empty() {
        CheckResult::pass(&name, found.join(", "))
    } else {
        CheckResult::fail(
            &name,
            format!(
                "never emitted after the {}: {}",
                r.tl.origin_label(),
                missing.join(", ")
            ),
        )
    }
}

/// `not_seen`: none of these events emitted at all.
pub(super) fn not_seen(r: &Run, names: &[String]) -> CheckResult {
    let name = format!("not_seen = [{}]", names.join(", "));
    let bad: Vec<String> = sentinel_events(r.trace)
        .iter()
        .filter(|x| names.iter().any(|n| n == x.ev.name()))
        .map(|x| format!("{} {} {}", secs(x.t), x.node, r.trace[x.idx].line()))
        .collect();
    if bad.is_empty() {
        CheckResult::pass(&name, "none emitted")
    } else {
        CheckResult::fail(&name, join(&bad))
    }
}
