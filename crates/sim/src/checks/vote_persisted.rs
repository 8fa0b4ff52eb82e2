//! Invariant `vote-persisted`: a Sentinel's vote, and the epoch it votes in, are on its disk
//! before anyone hears of them (spec §5.2, §9.3: a vote, the self-vote included, and an epoch
//! raised by a vote request are flushed before the reply). Otherwise a Sentinel restarted after
//! voting could vote again in the same epoch.
//!
//! Evidence: the **wire** and the **disk** — every reply to `is-master-down-by-addr` naming a
//! leader at leader epoch E must come after a save of the voter's config (world fact
//! `config_saved`) with current-epoch ≥ E and a master whose leader-epoch ≥ E; every request a
//! candidate sends for itself at epoch E (its candidacy, which follows its self-vote in the same
//! tick) after a save with current-epoch ≥ E. Not judged on a trace without disk facts.

use std::collections::BTreeMap;

use super::trace_view::{at, join};
use super::{CheckResult, Evidence};
use crate::trace::{Fact, Kind, Sent};

pub const NAME: &str = "vote-persisted";

/// The highest epochs a node's disk has held so far: (current-epoch, any master's leader-epoch).
type Disk = BTreeMap<String, (u64, u64)>;

pub fn check(ev: &Evidence) -> CheckResult {
    let mut disk: Disk = BTreeMap::new();
    let mut saves = 0usize;
    let (mut judged, mut bad) = (0usize, Vec::new());
    for e in ev.trace {
        match &e.kind {
            Kind::World(Fact::ConfigSaved {
                node,
                current_epoch,
                masters,
            }) => {
                saves += 1;
                let d = disk.entry(node.clone()).or_default();
                d.0 = d.0.max(*current_epoch);
                d.1 = masters.iter().map(|m| m.leader_epoch).fold(d.1, u64::max);
            }
            Kind::Wire(w) => {
                let need = match &w.sent {
                    Sent::VoteReply {
                        leader, leader_epoch, ..
                    } if leader != "*" => Some((*leader_epoch, *leader_epoch, "reply naming a leader")),
                    Sent::VoteRequest { epoch, runid, .. } if runid != "*" => Some((*epoch, 0, "request for itself")),
                    _ => None,
                };
                let Some((cur, lead, what)) = need else { continue };
                judged += 1;
                let (have_cur, have_lead) = disk.get(&w.from).copied().unwrap_or_default();
                if have_cur < cur || have_lead < lead {
                    bad.push(format!(
                        "{} {what} at epoch {cur} {} ({}) but its disk held current-epoch {have_cur}, \
                         leader-epoch {have_lead}",
                        w.from,
                        at(e.t_ms),
                        w.render()
                    ));
                }
            }
            _ => {}
        }
    }
    if saves == 0 {
        return CheckResult::pass(NAME, "not judged: no Sentinel config save in the trace");
    }
    if !bad.is_empty() {
        return CheckResult::fail(NAME, format!("wire + disk: {}", join(&bad)));
    }
    CheckResult::pass(
        NAME,
        format!("wire + disk: {judged} vote message(s) each after a save of its epoch ({saves} save(s))"),
    )
}
