//! Invariant `no-failover-without-outage`: a Sentinel's `+odown` of a master needs at least
//! `quorum` Sentinels (itself included) that really could not reach that master in the
//! down-after period before it (plus 6 s: a peer's down reply counts for 5 s, asked every 1 s,
//! and 1 s of timers). A Sentinel Z could not reach master M when, overlapping that window:
//! M was killed or paused (+1 s), the path Z↔M was cut either way (+5 s: TCP delivers the
//! backlog late), Z was paused (+1 s), Z's clock changed (+ down-after + 31 s: a step may also
//! start TILT), the whole network or a link between Z and M had latency of 100 ms or more or any
//! loss (+5 s), or M was a replica (Sentinel's role rule: SDOWN after down-after + 20 s).
//! And every `SLAVEOF NO ONE` a Sentinel sends is either forced (an operator `SENTINEL FAILOVER`
//! to it before) or follows its own `+odown` since it booted.
//!
//! A `+odown` on the tick a Sentinel leaves TILT may count down replies its peers gave before the
//! TILT began: Redis 7.0.15 expires stale replies only in the asking step (spec §4.4 step 1),
//! which TILT skips, and the ODOWN check runs before it on the exit tick. Such a reply can be as
//! old as the stall that started the TILT, so for that `+odown` the window reaches back to the
//! stall (the Sentinel's own pause, or its `+tilt`) — faithful behaviour, not a false failover.
//!
//! Evidence: the Sentinels' `+odown`, `Sentinel ID is` lines (their logs); **ground truth** for
//! the outage — the world's process states, cuts, shapes, network and clock facts, the data
//! nodes' replication facts; the promotions as sent on the wire; the operator's actions.

use super::outage::Causes;
use super::trace_view::{actions, join, node_name, sentinel_events, subject_addr, Sev};
use super::truth_view::{facts, wire};
use super::{CheckResult, Evidence};
use crate::duration::secs;
use crate::scenario::Action;
use crate::trace::{EventBody, Sent, TraceEvent};

pub const NAME: &str = "no-failover-without-outage";

/// A peer's down reply is kept 5 s and asked for every 1 s; 1 s more for timers.
const REPLY_MS: u64 = 6_000;

pub fn check(ev: &Evidence) -> CheckResult {
    let (s, trace) = (ev.scenario, ev.trace);
    if facts(trace).is_empty() {
        // A trace without the world's record (e.g. a real Sentinel's log) says nothing of outages.
        return CheckResult::pass(NAME, "not judged: the trace has no world facts");
    }
    let end = trace.last().map_or(0, |e| e.t_ms);
    let causes = Causes::new(trace, s.master.down_after_ms, end);
    let mut bad = Vec::new();
    let (mut judged, mut after_tilt) = (0, 0);
    let sev = sentinel_events(trace);
    for e in sev.iter().filter(|e| e.ev.name() == "+odown") {
        let Some(m) = subject_addr(e.ev).map(|a| node_name(s, &a)) else {
            continue;
        };
        judged += 1;
        let stale = stale_replies_since(&sev, &causes, e.node, e.t);
        after_tilt += usize::from(stale.is_some());
        let since = stale.unwrap_or(e.t);
        let window = (since.saturating_sub(s.master.down_after_ms + REPLY_MS), e.t);
        let down: Vec<&str> = s
            .sentinels
            .iter()
            .map(|z| z.name.as_str())
            .filter(|z| {
                causes
                    .for_pair(z, &m, true)
                    .iter()
                    .any(|&(a, b)| a <= window.1 && b >= window.0)
            })
            .collect();
        if down.len() < s.master.quorum as usize {
            bad.push(format!(
                "{} {} +odown of {m} but only {} sentinel(s) could not reach it ({}); quorum {}",
                secs(e.t),
                e.node,
                down.len(),
                down.join(", "),
                s.master.quorum
            ));
        }
    }
    bad.extend(unexplained_promotions(trace));
    if !bad.is_empty() {
        return CheckResult::fail(NAME, format!("ground truth: {}", join(&bad)));
    }
    if judged == 0 {
        return CheckResult::pass(NAME, "ground truth: no +odown; every promotion forced or after one");
    }
    let tilt_note = if after_tilt > 0 {
        format!(" ({after_tilt} on leaving TILT, with peers' replies kept through it)")
    } else {
        String::new()
    };
    CheckResult::pass(
        NAME,
        format!("ground truth: {judged} +odown, each with a quorum of sentinels cut off from the master{tilt_note}"),
    )
}

/// When `node` leaves TILT at `t` (a `-tilt` in the same tick), the time from which its peers'
/// down replies may still be counted: the start of the stall that began the TILT — its own pause
/// ending at the `+tilt`, else the `+tilt` itself. None when `t` is not a TILT exit.
fn stale_replies_since(sev: &[Sev], causes: &Causes, node: &str, t: u64) -> Option<u64> {
    const SAME_TICK_MS: u64 = 1;
    let mine = || sev.iter().filter(|e| e.node == node && e.t <= t);
    mine().find(|e| e.ev.name() == "-tilt" && e.t + SAME_TICK_MS >= t)?;
    let entered = mine().filter(|e| e.ev.name() == "+tilt").map(|e| e.t).next_back()?;
    let stall = causes.procs.get(node).and_then(|p| {
        // The pause whose resume put it in TILT (at the first tick after the resume).
        p.paused
            .iter()
            .filter(|&&(_, b)| b <= entered && entered - b <= 1_000)
            .map(|&(a, _)| a)
            .next_back()
    });
    Some(stall.unwrap_or(entered).min(entered))
}

/// Promotions neither forced by an operator nor preceded by the sender's own `+odown`.
fn unexplained_promotions(trace: &[TraceEvent]) -> Vec<String> {
    let sev = sentinel_events(trace);
    let mut out = Vec::new();
    for w in wire(trace) {
        let Sent::SlaveOf { master: None, .. } = &w.msg.sent else {
            continue;
        };
        let leader = w.msg.from.as_str();
        let forced = actions(trace)
            .iter()
            .any(|(_, t, a)| *t <= w.t && matches!(a.as_ref(), Action::Failover { via } if via == leader));
        let boot = sev
            .iter()
            .filter(|e| e.node == leader && e.t <= w.t && matches!(e.ev.body, EventBody::SentinelId { .. }))
            .map(|e| e.t)
            .next_back()
            .unwrap_or(0);
        let odown = sev
            .iter()
            .any(|e| e.node == leader && e.t >= boot && e.t <= w.t && e.ev.name() == "+odown");
        if !forced && !odown {
            out.push(format!(
                "{} {leader} sent SLAVEOF NO ONE to {} without a +odown or a SENTINEL FAILOVER",
                secs(w.t),
                w.msg.to
            ));
        }
    }
    out
}
