//! Invariant `leader-had-votes`: every `+elected-leader` by X at epoch E is preceded by
//! `+vote-for-leader <X's id> E` from at least max(quorum, floor(n/2)+1) distinct Sentinels (n =
//! the scenario's Sentinels, X's own vote included), except forced failovers (see
//! [`forced_failovers`]).
//!
//! Evidence: the trace's `+elected-leader` and `+vote-for-leader` events; for forced failovers the
//! `SENTINEL FAILOVER`, kill and restart action lines and `+odown`/`-odown`/`+switch-master`/
//! `+reset-master`/`+try-failover`; the quorum from the scenario and its `sentinel_set quorum`
//! actions.

use std::collections::{BTreeMap, BTreeSet};

use super::trace_view::{at, is_master, join, master_of, named, node_name, sentinel_events, vote_of};
use super::{CheckResult, Evidence};
use crate::scenario::{Action, Scenario};
use crate::trace::{Kind, TraceEvent};

pub const NAME: &str = "leader-had-votes";

pub fn check(ev: &Evidence) -> CheckResult {
    let (s, trace) = (ev.scenario, ev.trace);
    let n = s.sentinels.len();
    let forced = forced_failovers(s, trace);
    let votes = named(trace, "+vote-for-leader");
    let mut bad = Vec::new();
    let mut good = Vec::new();
    for e in named(trace, "+elected-leader") {
        let epoch = e.epoch;
        let m = master_of(e.ev).unwrap_or_default();
        if forced.contains(&(e.node.to_string(), m.clone(), epoch)) {
            good.push(format!("epoch {epoch}: {} forced (SENTINEL FAILOVER)", e.node));
            continue;
        }
        let need = (quorum_at(s, e.node, e.t) as usize).max(n / 2 + 1);
        let voters: BTreeSet<&str> = votes
            .iter()
            .filter(|v| v.idx < e.idx && is_master(v.ev, &m))
            .filter(|v| vote_of(v.ev).is_some_and(|(r, ep)| r == e.myid && ep == epoch))
            .map(|v| v.node)
            .collect();
        let list = voters.iter().copied().collect::<Vec<_>>().join(", ");
        let line = format!(
            "epoch {epoch}: {} elected {} with {}/{need} votes ({list})",
            e.node,
            at(e.t),
            voters.len()
        );
        if voters.len() >= need {
            good.push(line);
        } else {
            bad.push(line);
        }
    }
    if !bad.is_empty() {
        CheckResult::fail(NAME, join(&bad))
    } else if good.is_empty() {
        CheckResult::pass(NAME, "no +elected-leader in the trace")
    } else {
        CheckResult::pass(NAME, join(&good))
    }
}

/// The quorum Sentinel `node` uses at time `t`: the scenario's, or the last `sentinel_set quorum`
/// sent via that Sentinel at or before `t`.
fn quorum_at(s: &Scenario, node: &str, t: u64) -> u32 {
    let mut q = s.master.quorum;
    for ta in s.timeline.iter().filter(|ta| ta.at_ms <= t) {
        if let Action::SentinelSet { via, option, value } = &ta.action {
            if via == node && option == "quorum" {
                if let Ok(v) = value.parse() {
                    q = v;
                }
            }
        }
    }
    q
}

/// Epochs of forced failovers (`SENTINEL FAILOVER`), as (sentinel node, master, epoch).
///
/// Rule: an action line `SENTINEL FAILOVER <master> (via <X>)` arms X for that master; the next
/// `+try-failover` X emits for that master is forced if X was not in ODOWN for it at that moment
/// (an automatic failover can only start from ODOWN). Any `+try-failover` disarms. X's ODOWN state
/// is tracked from its `+odown` / `-odown` events and cleared by `+switch-master`, `+reset-master`
/// and by a kill or restart of X. An ODOWN Sentinel's attempt after `SENTINEL FAILOVER` is treated
/// as unforced (conservative: it must then show its votes).
fn forced_failovers(s: &Scenario, trace: &[TraceEvent]) -> BTreeSet<(String, String, u64)> {
    let epochs: BTreeMap<usize, u64> = sentinel_events(trace).iter().map(|e| (e.idx, e.epoch)).collect();
    let mut armed: BTreeSet<(String, String)> = BTreeSet::new();
    let mut odown: BTreeSet<(String, String)> = BTreeSet::new();
    let mut forced = BTreeSet::new();
    for (idx, e) in trace.iter().enumerate() {
        if let Some(action) = e.kind.performed() {
            match &*action {
                Action::Failover { via } => {
                    armed.insert((node_name(s, via), s.master.name.clone()));
                }
                Action::Kill { node } | Action::Restart { node, .. } => {
                    let n = node_name(s, node);
                    armed.retain(|(x, _)| *x != n);
                    odown.retain(|(x, _)| *x != n);
                }
                _ => {}
            }
            continue;
        }
        let Kind::Sentinel(ev) = &e.kind else { continue };
        let Some(m) = master_of(ev) else { continue };
        let key = (e.node.clone(), m);
        match ev.name() {
            "+odown" => {
                odown.insert(key);
            }
            "-odown" | "+switch-master" | "+reset-master" => {
                odown.remove(&key);
            }
            "+try-failover" => {
                let was_armed = armed.remove(&key);
                if was_armed && !odown.contains(&key) {
                    forced.insert((key.0, key.1, epochs.get(&idx).copied().unwrap_or_default()));
                }
            }
            _ => {}
        }
    }
    forced
}
