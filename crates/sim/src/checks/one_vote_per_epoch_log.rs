//! Invariant `one-vote-per-epoch-log` (second opinion: the Sentinels' own logs; `one-vote-per-epoch` judges from the
//! votes as sent on the wire): per Sentinel (by node, and by run id) and (master, epoch), every
//! `+vote-for-leader` names the same run id.
//!
//! Evidence: the trace's `+vote-for-leader` events (voter node and `myid`, candidate run id,
//! epoch); run ids are named through the `myid` of every Sentinel event.

use std::collections::{BTreeMap, BTreeSet};

use super::trace_view::{at, join, master_label, master_of, named, short_id, vote_of, Who};
use super::{CheckResult, Evidence};

pub const NAME: &str = "one-vote-per-epoch-log";

pub fn check(ev: &Evidence) -> CheckResult {
    let mut r = judge(ev);
    r.detail = format!("second opinion, the Sentinels' logs: {}", r.detail);
    r
}

fn judge(ev: &Evidence) -> CheckResult {
    let (s, trace) = (ev.scenario, ev.trace);
    let who = Who::new(trace);
    type Key = (String, String, u64);
    let mut by_node: BTreeMap<Key, Vec<(String, u64, String)>> = BTreeMap::new();
    let mut by_id: BTreeMap<Key, Vec<(String, u64, String)>> = BTreeMap::new();
    let mut count = 0;
    for e in named(trace, "+vote-for-leader") {
        let Some((runid, epoch)) = vote_of(e.ev) else { continue };
        count += 1;
        let m = master_of(e.ev).unwrap_or_default();
        by_node
            .entry((e.node.to_string(), m.clone(), epoch))
            .or_default()
            .push((runid.to_string(), e.t, e.node.to_string()));
        if !e.myid.is_empty() {
            by_id
                .entry((e.myid.to_string(), m, epoch))
                .or_default()
                .push((runid.to_string(), e.t, e.node.to_string()));
        }
    }
    let distinct = |votes: &[(String, u64, String)]| votes.iter().map(|v| &v.0).collect::<BTreeSet<_>>().len();
    let describe = |votes: &[(String, u64, String)]| {
        votes
            .iter()
            .map(|(r, t, n)| format!("{} by {n} {}", who.name(r), at(*t)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut bad = Vec::new();
    for ((node, m, e), votes) in &by_node {
        if distinct(votes) > 1 {
            bad.push(format!(
                "{node} epoch {e}{}: voted for {}",
                master_label(s, m),
                describe(votes)
            ));
        }
    }
    for ((id, m, e), votes) in &by_id {
        let nodes: BTreeSet<&String> = votes.iter().map(|v| &v.2).collect();
        if distinct(votes) > 1 && nodes.len() > 1 {
            bad.push(format!(
                "run id {} epoch {e}{}: voted for {}",
                short_id(id),
                master_label(s, m),
                describe(votes)
            ));
        }
    }
    if !bad.is_empty() {
        return CheckResult::fail(NAME, join(&bad));
    }
    if count == 0 {
        return CheckResult::pass(NAME, "no +vote-for-leader in the trace");
    }
    let sentinels: BTreeSet<&String> = by_node.keys().map(|k| &k.0).collect();
    let epochs: BTreeSet<u64> = by_node.keys().map(|k| k.2).collect();
    CheckResult::pass(
        NAME,
        format!(
            "{count} votes by {} sentinels in {} epoch(s), one candidate each",
            sentinels.len(),
            epochs.len()
        ),
    )
}
