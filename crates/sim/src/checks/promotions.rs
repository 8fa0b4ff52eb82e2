//! Promotions as the wire shows them (a Sentinel's `SLAVEOF NO ONE` to a data node), with the
//! old master the world says the promoted node replicated, and the failover settings in force
//! (the largest a scenario ever sets: a longer limit is the conservative one).

use super::trace_view::{node_name, sentinel_events, subject_addr};
use super::truth_view::{repl_at, wire};
use crate::scenario::{Action, Scenario};
use crate::trace::{Sent, TraceEvent};

/// A `SLAVEOF NO ONE` a Sentinel (`leader`) sent to `promoted` at `t`.
#[derive(Debug, Clone)]
pub(crate) struct Promotion {
    pub t: u64,
    pub leader: String,
    pub promoted: String,
    pub promoted_addr: String,
    /// The address `promoted` replicated just before (its last replication fact).
    pub old_master: String,
}

pub(crate) fn promotions(s: &Scenario, trace: &[TraceEvent]) -> Vec<Promotion> {
    let is_sentinel = |n: &str| s.sentinels.iter().any(|x| x.name == n);
    wire(trace)
        .into_iter()
        .filter_map(|w| match &w.msg.sent {
            Sent::SlaveOf { master: None, .. } if is_sentinel(&w.msg.from) => {
                let promoted = node_name(s, &w.msg.to);
                let old_master = repl_at(trace, &promoted, w.t)?;
                Some(Promotion {
                    t: w.t,
                    leader: w.msg.from.clone(),
                    promoted_addr: s.addr_of(&promoted)?.to_string(),
                    promoted,
                    old_master: old_master.master?,
                })
            }
            _ => None,
        })
        .collect()
}

/// The largest value `option` (`failover-timeout`, `parallel-syncs`) ever has: the scenario's
/// `default`, or one a `sentinel_set` sets.
pub(crate) fn max_setting(s: &Scenario, option: &str, default: u64) -> u64 {
    s.timeline
        .iter()
        .filter_map(|ta| match &ta.action {
            Action::SentinelSet { option: o, value, .. } if o.eq_ignore_ascii_case(option) => value.parse().ok(),
            _ => None,
        })
        .fold(default, u64::max)
}

/// The time of the first event named one of `names` that `node` logs in [from, to], if any.
pub(crate) fn logged(trace: &[TraceEvent], node: &str, names: &[&str], from: u64, to: u64) -> Option<(u64, String)> {
    sentinel_events(trace)
        .into_iter()
        .filter(|e| e.node == node && e.t >= from && e.t <= to)
        .find(|e| names.contains(&e.ev.name()) || matches!(e.ev.body, sentinel_core::EventBody::SentinelId { .. }))
        .map(|e| (e.t, trace[e.idx].line()))
}

/// The leader of `p` logged `+slave` about replica `r` under the old master at least
/// `min_age_ms` before the promotion, after its last `+reset-master` (which forgets replicas).
pub(crate) fn announced_by_leader(trace: &[TraceEvent], s: &Scenario, p: &Promotion, r: &str, min_age_ms: u64) -> bool {
    let addr = s.addr_of(r).unwrap_or(r);
    let mut known = false;
    for e in sentinel_events(trace) {
        if e.node != p.leader || e.t > p.t {
            continue;
        }
        match e.ev.name() {
            "+reset-master" => known = false,
            "+slave" if e.t + min_age_ms <= p.t => {
                let under_old =
                    e.ev.body
                        .subject()
                        .and_then(|s| s.master.as_ref())
                        .is_some_and(|m| format!("{}:{}", m.ip, m.port) == p.old_master);
                known |= under_old && subject_addr(e.ev).as_deref() == Some(addr);
            }
            _ => {}
        }
    }
    known
}
