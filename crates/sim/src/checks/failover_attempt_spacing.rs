//! Invariant `failover-attempt-spacing`: a Sentinel does not try to fail the same master over
//! again within 2 × failover-timeout of its last attempt, nor of a vote it gave another Sentinel
//! (spec §5.4: `failover_start_time` is set to now + up to 1 s at a start and at such a vote, and a
//! new start needs `now - failover_start_time >= 2 × failover_timeout`, in the Sentinel's wall
//! clock).
//!
//! Evidence: the **disk** dates each vote — a Sentinel's leader-epoch reaching E in a save of its
//! config is the moment it voted in E (the vote is flushed in that tick; the self-vote of an
//! attempt in the tick the attempt starts); the **wire** says whose vote it was — a vote for another
//! when a reply of its named another leader at E, else an attempt when it asked for itself in E
//! (requests carry the current epoch, so a retry of an older attempt asks in E too; and wire
//! times alone would not do: a request queued behind a cut is written at the
//! heal); **world clocks** measure the gap on the Sentinel's own wall clock. What resets the
//! delay (spec §5.4, §6.7): a restart, a save of the master at another address (a switch resets
//! the record), an operator's `SENTINEL FAILOVER` (which ignores the delay) or `SENTINEL RESET`
//! through it. failover-timeout is the scenario's, or the smallest value a `sentinel_set` gave.

use std::collections::{BTreeMap, BTreeSet};

use super::one_vote_per_epoch::runid_names;
use super::trace_view::{at, join};
use super::truth_view::clocks;
use super::{CheckResult, Evidence};
use crate::scenario::Action;
use crate::trace::{Fact, Kind, ProcState, Sent, TraceEvent};

pub const NAME: &str = "failover-attempt-spacing";

/// Timer jitter between the ticks that save and that check the delay.
const SLACK_MS: i64 = 500;

/// The last vote (own attempt or for another) that delays a Sentinel's next attempt at a master.
#[derive(Debug, Clone)]
struct Anchor {
    t: u64,
    addr: String,
    what: String,
}

/// Per Sentinel, from the wire: the epochs it asked votes for itself in, and the epochs it voted
/// for another in (with that Sentinel's name).
struct WhoseVote {
    own: BTreeSet<(String, u64)>,
    other: BTreeMap<(String, u64), String>,
}

fn whose_votes(trace: &[TraceEvent]) -> WhoseVote {
    let names = runid_names(trace);
    let mut w = WhoseVote {
        own: BTreeSet::new(),
        other: BTreeMap::new(),
    };
    for e in trace {
        let Kind::Wire(m) = &e.kind else { continue };
        match &m.sent {
            Sent::VoteRequest { epoch, runid, .. } if runid != "*" => {
                w.own.insert((m.from.clone(), *epoch));
            }
            Sent::VoteReply {
                leader, leader_epoch, ..
            } if leader != "*" && names.name(leader) != m.from => {
                w.other.insert((m.from.clone(), *leader_epoch), names.name(leader));
            }
            _ => {}
        }
    }
    w
}

pub fn check(ev: &Evidence) -> CheckResult {
    let trace = ev.trace;
    // Attempts are dated by their saves: without the disk record (a real run) nothing is judged.
    if !trace
        .iter()
        .any(|e| matches!(&e.kind, Kind::World(Fact::ConfigSaved { .. })))
    {
        return CheckResult::pass(NAME, "not judged: no Sentinel config save in the trace");
    }
    let ft = failover_timeout(ev) as i64;
    let votes = whose_votes(trace);
    let clocks = clocks(trace);
    let mut leader_epoch: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut last: BTreeMap<(String, String), Anchor> = BTreeMap::new();
    let (mut judged, mut bad) = (0usize, Vec::new());
    for e in trace {
        let (node, masters) = match &e.kind {
            Kind::World(Fact::ConfigSaved { node, masters, .. }) => (node, masters),
            Kind::World(Fact::Process {
                node,
                state: ProcState::Killed | ProcState::Restarted,
            }) => {
                last.retain(|k, _| k.0 != *node);
                continue;
            }
            Kind::Action { note, .. } => {
                if let Some(Action::Failover { via } | Action::SentinelReset { via, .. }) = note.performed().as_deref()
                {
                    last.retain(|k, _| k.0 != *via);
                }
                continue;
            }
            _ => continue,
        };
        for m in masters {
            let key = (node.clone(), m.name.clone());
            if last.get(&key).is_some_and(|a| a.addr != m.addr) {
                last.remove(&key);
            }
            let prev_epoch = leader_epoch.insert(key.clone(), m.leader_epoch).unwrap_or(0);
            if m.leader_epoch <= prev_epoch {
                continue;
            }
            let epoch = m.leader_epoch;
            // A reply naming another at E says whose vote it was: a request for itself at E may
            // be a retry of an older attempt (requests carry the current epoch).
            let what = if let Some(other) = votes.other.get(&(node.clone(), epoch)) {
                format!("its vote for {other} in epoch {epoch}")
            } else if votes.own.contains(&(node.clone(), epoch)) {
                judged += 1;
                if let Some(prev) = last.get(&key) {
                    let gap = clocks
                        .get(node)
                        .cloned()
                        .unwrap_or_default()
                        .wall_between(prev.t, e.t_ms);
                    if gap < 2 * ft - SLACK_MS {
                        bad.push(format!(
                            "{node} attempted a failover of {} in epoch {epoch} {}, {gap} ms on its clock after {} {}; \
                             2 × failover-timeout is {} ms",
                            m.name,
                            at(e.t_ms),
                            prev.what,
                            at(prev.t),
                            2 * ft
                        ));
                    }
                }
                format!("its attempt in epoch {epoch}")
            } else {
                continue;
            };
            let addr = m.addr.clone();
            last.insert(key, Anchor { t: e.t_ms, addr, what });
        }
    }
    if !bad.is_empty() {
        return CheckResult::fail(NAME, format!("disk + wire + clocks: {}", join(&bad)));
    }
    CheckResult::pass(
        NAME,
        format!(
            "disk + wire + clocks: {judged} attempt(s), none within 2 × failover-timeout ({} ms) of the last \
             attempt or vote for another",
            2 * ft
        ),
    )
}

/// The smallest failover-timeout in force: the scenario's or one an operator set.
fn failover_timeout(ev: &Evidence) -> u64 {
    let mut ft = ev.scenario.master.failover_timeout_ms;
    for e in ev.trace {
        if let Some(Action::SentinelSet { option, value, .. }) = e.kind.performed().as_deref() {
            if option.eq_ignore_ascii_case("failover-timeout") {
                ft = ft.min(value.parse().unwrap_or(ft));
            }
        }
    }
    ft
}
