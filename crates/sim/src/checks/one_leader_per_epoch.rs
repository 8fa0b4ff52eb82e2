//! Invariant `one-leader-per-epoch`: in each epoch at most one candidate gathers the votes a
//! leader needs, max(quorum, ⌊sentinels/2⌋ + 1) distinct voters.
//!
//! Evidence: the **wire** — the votes as sent (see `one-vote-per-epoch`: replies to
//! `SENTINEL is-master-down-by-addr` naming a leader, and each candidate's own vote); the
//! scenario's quorum and number of Sentinels. The log-based version (`+elected-leader`) is
//! `one-leader-per-epoch-log`.

use std::collections::{BTreeMap, BTreeSet};

use super::one_vote_per_epoch::runid_names;
use super::trace_view::join;
use super::truth_view::votes;
use super::{CheckResult, Evidence};

pub const NAME: &str = "one-leader-per-epoch";

pub fn check(ev: &Evidence) -> CheckResult {
    if !super::truth_view::has_wire(ev.trace) {
        return CheckResult::pass(NAME, super::truth_view::NO_WIRE);
    }
    let s = ev.scenario;
    let needed = (s.master.quorum as usize).max(s.sentinels.len() / 2 + 1);
    let names = runid_names(ev.trace);
    // epoch → candidate → its distinct voters
    let mut tally: BTreeMap<u64, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for v in votes(ev.trace) {
        tally
            .entry(v.epoch)
            .or_default()
            .entry(v.candidate)
            .or_default()
            .insert(v.voter);
    }
    if tally.is_empty() {
        return CheckResult::pass(NAME, "wire: no vote sent");
    }
    let mut bad = Vec::new();
    let mut good = Vec::new();
    for (epoch, cands) in &tally {
        let winners: Vec<String> = cands
            .iter()
            .filter(|(_, voters)| voters.len() >= needed)
            .map(|(c, voters)| {
                let list: Vec<&str> = voters.iter().map(String::as_str).collect();
                format!("{} with {} votes ({})", names.name(c), voters.len(), list.join(", "))
            })
            .collect();
        match winners.len() {
            0 => good.push(format!("epoch {epoch}: no candidate reached {needed} votes")),
            1 => good.push(format!("epoch {epoch}: leader {}", winners[0])),
            n => bad.push(format!(
                "epoch {epoch}: {n} candidates reached {needed} votes: {}",
                winners.join("; ")
            )),
        }
    }
    if bad.is_empty() {
        CheckResult::pass(NAME, format!("wire: {}", join(&good)))
    } else {
        CheckResult::fail(NAME, format!("wire: {}", join(&bad)))
    }
}
