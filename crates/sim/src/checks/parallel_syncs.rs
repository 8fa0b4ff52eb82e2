//! Invariant `parallel-syncs`: while a leader reconfigures the replicas after its promotion, it
//! never has parallel-syncs replicas resyncing when it sends the next one `SLAVEOF <P>` (spec
//! §6.6). A replica counts as resyncing from the leader's `SLAVEOF <P>` to it until it is, by the
//! world's record, replicating P with its link up, or for at most [`RESYNC_MS`] (Redis gives up on
//! it after `SENTINEL_SLAVE_RECONF_TIMEOUT`, 10 s). Sound because a replica's link is up in the
//! world no later than the leader can read it in its INFO, so the leader's own count is never
//! lower than this one.
//!
//! Judged: the leader's `SLAVEOF <P>` messages after its `SLAVEOF NO ONE` to P, before its next
//! `+switch-master` or promotion and before failover-timeout has passed (then Redis re-points all
//! remaining replicas at once, `+slave-reconf-sent-be`). Not judged when the leader's clock was
//! changed or drifting in that window (its timeouts would not be the world's).
//!
//! Evidence: wire `SLAVEOF` messages; the world's replication facts and clock facts; the leader's
//! `+switch-master` in its log; the scenario's parallel-syncs and failover-timeout (the largest
//! any `sentinel_set` gives).

use super::disturbed::Disturbances;
use super::promotions::{max_setting, promotions, Promotion};
use super::trace_view::{join, node_name, sentinel_events};
use super::truth_view::{facts, repl_at, wire};
use super::{CheckResult, Evidence};
use crate::duration::secs;
use crate::trace::{Fact, Sent, TraceEvent};

pub const NAME: &str = "parallel-syncs";

/// How long a sent replica may count as resyncing: the reconf timeout (10 s) less a margin for
/// the leader's timer.
pub const RESYNC_MS: u64 = 9_500;

pub fn check(ev: &Evidence) -> CheckResult {
    let (s, trace) = (ev.scenario, ev.trace);
    let ft = max_setting(s, "failover-timeout", s.master.failover_timeout_ms);
    let ps = max_setting(s, "parallel-syncs", u64::from(s.master.parallel_syncs)) as usize;
    let d = Disturbances::new(trace, s.duration_ms);
    let (mut good, mut bad, mut skipped) = (Vec::new(), Vec::new(), 0usize);
    let all = promotions(s, trace);
    for (i, p) in all.iter().enumerate() {
        let next_promotion = all[i + 1..].iter().find(|x| x.leader == p.leader).map(|x| x.t);
        let until = (p.t + ft)
            .min(next_promotion.unwrap_or(u64::MAX))
            .min(switch_after(trace, p));
        if d.clock(&p.leader, p.t, until).is_some() {
            skipped += 1;
            continue;
        }
        let sends = reconf_sends(ev, p, until);
        let over: Vec<String> = sends
            .iter()
            .enumerate()
            .filter_map(|(k, &(t, ref r))| {
                let busy: Vec<&str> = sends[..k]
                    .iter()
                    .filter(|(t0, r0)| r0 != r && t - t0 < RESYNC_MS && !synced(trace, r0, &p.promoted_addr, *t0, t))
                    .map(|(_, r0)| r0.as_str())
                    .collect();
                (busy.len() >= ps).then(|| {
                    format!(
                        "{} sent SLAVEOF {} to {r} at {} while {} still resyncing ({})",
                        p.leader,
                        p.promoted_addr,
                        secs(t),
                        busy.len(),
                        busy.join(", ")
                    )
                })
            })
            .collect();
        if over.is_empty() {
            if !sends.is_empty() {
                good.push(format!(
                    "{} re-pointed {} replica(s) to {}",
                    p.leader,
                    sends.len(),
                    p.promoted
                ));
            }
        } else {
            bad.push(format!("parallel-syncs {ps}: {}", join(&over)));
        }
    }
    if !bad.is_empty() {
        return CheckResult::fail(NAME, join(&bad));
    }
    let mut detail = if good.is_empty() {
        format!("parallel-syncs {ps}: no reconfiguration to judge")
    } else {
        format!("parallel-syncs {ps}: {}", join(&good))
    };
    if skipped > 0 {
        detail.push_str(&format!("; {skipped} not judged (leader's clock changed)"));
    }
    CheckResult::pass(NAME, detail)
}

/// The leader's first `+switch-master` after the promotion (its failover is over; any later
/// `SLAVEOF` is a fix of a replica's configuration, not rate-limited).
fn switch_after(trace: &[TraceEvent], p: &Promotion) -> u64 {
    sentinel_events(trace)
        .into_iter()
        .find(|e| e.node == p.leader && e.t >= p.t && e.ev.name() == "+switch-master")
        .map_or(u64::MAX, |e| e.t)
}

/// The leader's `SLAVEOF <P>` messages in [p.t, until), in order: (time, replica).
fn reconf_sends(ev: &Evidence, p: &Promotion, until: u64) -> Vec<(u64, String)> {
    wire(ev.trace)
        .into_iter()
        .filter(|w| w.msg.from == p.leader && w.t >= p.t && w.t < until)
        .filter(|w| matches!(&w.msg.sent, Sent::SlaveOf { master: Some(m), .. } if *m == p.promoted_addr))
        .map(|w| (w.t, node_name(ev.scenario, &w.msg.to)))
        .collect()
}

/// `r` replicated `master` with its link up at some moment in [from, to].
fn synced(trace: &[TraceEvent], r: &str, master: &str, from: u64, to: u64) -> bool {
    let up = |m: &Option<String>, link: bool| link && m.as_deref() == Some(master);
    repl_at(trace, r, from).is_some_and(|x| up(&x.master, x.link_up))
        || facts(trace).into_iter().any(|(t, f)| {
            matches!(f, Fact::Replication { node, master: m, link_up, .. }
                if node == r && t > from && t <= to && up(m, *link_up))
        })
}
