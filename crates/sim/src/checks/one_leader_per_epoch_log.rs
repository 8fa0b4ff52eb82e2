//! Invariant `one-leader-per-epoch-log` (second opinion: the Sentinels' own logs; `one-leader-per-epoch` judges from the
//! votes as sent on the wire): at most one distinct Sentinel emits `+elected-leader` per
//! (master, failover epoch).
//!
//! Evidence: the trace's `+elected-leader` events (node, master, failover epoch).

use std::collections::BTreeMap;

use super::trace_view::{at, join, master_label, master_of, named};
use super::{CheckResult, Evidence};

pub const NAME: &str = "one-leader-per-epoch-log";

pub fn check(ev: &Evidence) -> CheckResult {
    let mut r = judge(ev);
    r.detail = format!("second opinion, the Sentinels' logs: {}", r.detail);
    r
}

fn judge(ev: &Evidence) -> CheckResult {
    let (s, trace) = (ev.scenario, ev.trace);
    let mut leaders: BTreeMap<(String, u64), Vec<(String, u64)>> = BTreeMap::new();
    for e in named(trace, "+elected-leader") {
        let key = (master_of(e.ev).unwrap_or_default(), e.epoch);
        let l = leaders.entry(key).or_default();
        if !l.iter().any(|(n, _)| n == e.node) {
            l.push((e.node.to_string(), e.t));
        }
    }
    if leaders.is_empty() {
        return CheckResult::pass(NAME, "no +elected-leader in the trace");
    }
    let bad: Vec<String> = leaders
        .iter()
        .filter(|(_, l)| l.len() > 1)
        .map(|((m, e), l)| {
            let who: Vec<String> = l.iter().map(|(n, t)| format!("{n} {}", at(*t))).collect();
            format!(
                "epoch {e}{}: {} leaders: {}",
                master_label(s, m),
                l.len(),
                who.join(", ")
            )
        })
        .collect();
    if !bad.is_empty() {
        return CheckResult::fail(NAME, join(&bad));
    }
    let good: Vec<String> = leaders
        .iter()
        .map(|((m, e), l)| format!("epoch {e}{}: leader {}", master_label(s, m), l[0].0))
        .collect();
    CheckResult::pass(NAME, join(&good))
}
