//! Invariant `no-action-in-tilt`: no failover state-machine event ([`FAILOVER_EVENTS`]) while the
//! Sentinel is in TILT.
//!
//! Evidence (public): each Sentinel's log — in TILT between its `+tilt` and the next `-tilt` or
//! restart — and the world's `SENTINEL FAILOVER` actions (an operator's failover in TILT is
//! allowed to start).

use std::collections::{BTreeMap, BTreeSet};

use super::trace_view::{join, node_name, sentinel_events};
use super::{CheckResult, Evidence};
use crate::duration::secs;
use crate::scenario::Action;
use crate::trace::Kind;

pub const NAME: &str = "no-action-in-tilt";

pub fn check(ev: &Evidence) -> CheckResult {
    let (s, trace) = (ev.scenario, ev.trace);
    let evs = sentinel_events(trace);
    let tilts = evs.iter().filter(|e| e.ev.name() == "+tilt").count();
    let in_tilt: BTreeMap<usize, bool> = evs.iter().map(|e| (e.idx, e.in_tilt)).collect();
    // Sentinel answers every SENTINEL command in TILT (spec §8), so an operator's SENTINEL FAILOVER
    // starts a failover (+try-failover) at once; only the autonomous machinery is suspended. Such a
    // start, by the Sentinel the command went to, is exempt.
    let mut operator_armed: BTreeSet<String> = BTreeSet::new();
    let mut exempt: BTreeSet<usize> = BTreeSet::new();
    for (idx, e) in trace.iter().enumerate() {
        if let Some(Action::Failover { via }) = e.kind.performed().as_deref() {
            operator_armed.insert(node_name(s, via));
        }
        if let Kind::Sentinel(ev) = &e.kind {
            if ev.name() == "+try-failover" && operator_armed.remove(&e.node) && in_tilt[&idx] {
                exempt.insert(idx);
            }
        }
    }
    let bad: Vec<String> = evs
        .iter()
        .filter(|e| e.in_tilt && FAILOVER_EVENTS.contains(&e.ev.name()) && !exempt.contains(&e.idx))
        .map(|e| format!("{} {} {} in TILT", secs(e.t), e.node, trace[e.idx].line()))
        .collect();
    if !bad.is_empty() {
        CheckResult::fail(NAME, join(&bad))
    } else {
        CheckResult::pass(NAME, format!("{tilts} +tilt event(s); no failover step taken in TILT"))
    }
}

/// Events that belong to the failover state machine (or to INFO-driven actions), all suspended
/// while a Sentinel is in TILT.
pub const FAILOVER_EVENTS: [&str; 19] = [
    "+try-failover",
    "+elected-leader",
    "+failover-state-select-slave",
    "+selected-slave",
    "+failover-state-send-slaveof-noone",
    "+failover-state-wait-promotion",
    "+promoted-slave",
    "+failover-state-reconf-slaves",
    "+slave-reconf-sent",
    "+slave-reconf-inprog",
    "+slave-reconf-done",
    "+slave-reconf-sent-be",
    "+convert-to-slave",
    "+fix-slave-config",
    "+failover-end",
    "+failover-end-for-timeout",
    "-failover-abort-not-elected",
    "-failover-abort-no-good-slave",
    "-failover-abort-slave-timeout",
];
