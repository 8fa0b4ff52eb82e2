//! Invariant `one-vote-per-epoch`: each Sentinel gives at most one vote per epoch — every reply it
//! sends to `SENTINEL is-master-down-by-addr` that names a leader at epoch E names the same run
//! id (Redis returns its stored vote, so later replies repeat it).
//!
//! Evidence: the **wire** — the replies as the voter wrote them to the network (voter = the
//! replying node, vote = the leader run id and leader epoch in the reply), and each candidate's
//! requests for itself (its own vote, counted only in epochs where none of its replies names
//! another leader). Run ids are named through each Sentinel's hellos on the wire. The log-based
//! version is `one-vote-per-epoch-log`.

use std::collections::{BTreeMap, BTreeSet};

use super::trace_view::{at, join};
use super::truth_view::{votes, Vote};
use super::{CheckResult, Evidence};

pub const NAME: &str = "one-vote-per-epoch";

pub fn check(ev: &Evidence) -> CheckResult {
    if !super::truth_view::has_wire(ev.trace) {
        return CheckResult::pass(NAME, super::truth_view::NO_WIRE);
    }
    let names = runid_names(ev.trace);
    let all = votes(ev.trace);
    let mut by_voter: BTreeMap<(&str, u64), Vec<&Vote>> = BTreeMap::new();
    for v in &all {
        by_voter.entry((v.voter.as_str(), v.epoch)).or_default().push(v);
    }
    let mut bad = Vec::new();
    for ((voter, epoch), vs) in &by_voter {
        let candidates: BTreeSet<&str> = vs.iter().map(|v| v.candidate.as_str()).collect();
        if candidates.len() > 1 {
            let what: Vec<String> = candidates
                .iter()
                .map(|c| {
                    let first = vs.iter().find(|v| v.candidate == *c).map_or(0, |v| v.t);
                    format!("{} {}", names.name(c), at(first))
                })
                .collect();
            bad.push(format!("{voter} epoch {epoch}: voted for {}", what.join(", ")));
        }
    }
    if !bad.is_empty() {
        return CheckResult::fail(NAME, format!("wire: {}", join(&bad)));
    }
    if all.is_empty() {
        return CheckResult::pass(NAME, "wire: no vote sent");
    }
    let voters: BTreeSet<&str> = by_voter.keys().map(|k| k.0).collect();
    let epochs: BTreeSet<u64> = by_voter.keys().map(|k| k.1).collect();
    CheckResult::pass(
        NAME,
        format!(
            "wire: {} votes by {} sentinels in {} epoch(s), one candidate each",
            by_voter.len(),
            voters.len(),
            epochs.len()
        ),
    )
}

/// Run id → node name, from the hellos each Sentinel sent (the run id it announces).
pub(crate) struct RunIds(BTreeMap<String, String>);

impl RunIds {
    pub(crate) fn name(&self, runid: &str) -> String {
        self.0
            .get(runid)
            .cloned()
            .unwrap_or_else(|| super::trace_view::short_id(runid).to_string())
    }
}

pub(crate) fn runid_names(trace: &[crate::trace::TraceEvent]) -> RunIds {
    let mut m = BTreeMap::new();
    for w in super::truth_view::wire(trace) {
        if let crate::trace::Sent::Hello(h) = &w.msg.sent {
            m.entry(h.runid.clone()).or_insert_with(|| w.msg.from.clone());
        }
    }
    RunIds(m)
}
