//! Invariant `no-bad-promotion`: when a Sentinel sends `SLAVEOF NO ONE` (or `REPLICAOF NO ONE`) to
//! a data node X, X could be promoted (spec §6.3):
//! - X was alive and not paused, and not cut from the Sentinel (either direction): unreachable for
//!   at most 5 × ping period (the "recently available" rule) + 1 s of timer slack; killed with the
//!   path open (its reset reaches the Sentinel at once), for at most 1 s;
//! - its configured `replica-priority` is not 0 (the scenario's; no action can change it);
//! - its replication link had not been down longer than 7.0's data-age rule allows:
//!   `(now - the master's SDOWN since) + down_after × 10` (the SDOWN term only while the leader
//!   holds the master SDOWN, from its own `+sdown`), plus the age of the INFO it judged from
//!   (5 s while the master is SDOWN, else 30 s) and 2 s for whole-second rounding and timers.
//!   Times are each process's wall time (its clock facts), as each measured them.
//!
//! Evidence: **ground truth** — the promotion as sent on the wire (who, to whom, when); the
//! world's process states and cuts; X's replication link from its own log (the `replication`
//! facts) and its clock; the leader's `+sdown` of the master from its log; the scenario's
//! priorities and `down_after`. The core's own view is `no-bad-promotion-probe`.

use super::trace_view::{join, sentinel_events};
use super::truth_view::{clocks, cut_spans, proc_times, repl_at, span_at, wire, ClockLine, ProcTimes, Spans};
use super::{CheckResult, Evidence};
use crate::duration::secs;
use crate::trace::{EventBody, Role, Sent, TraceEvent};
use std::collections::BTreeMap;

pub const NAME: &str = "no-bad-promotion";

/// 5 × ping period: how recently a replica must have answered to be selected.
const RECENTLY_AVAILABLE_MS: u64 = 5_000;
/// Timer slack: the selection and the SLAVEOF are a tick or two apart.
const SLACK_MS: u64 = 1_000;

pub fn check(ev: &Evidence) -> CheckResult {
    if !super::truth_view::has_wire(ev.trace) {
        return CheckResult::pass(NAME, super::truth_view::NO_WIRE);
    }
    let (s, trace) = (ev.scenario, ev.trace);
    let end = trace.last().map_or(0, |e| e.t_ms);
    let procs = proc_times(trace, end);
    let clocks = clocks(trace);
    let mut bad = Vec::new();
    let mut good = Vec::new();
    for w in wire(trace) {
        let Sent::SlaveOf { master: None, verb } = &w.msg.sent else {
            continue;
        };
        let (leader, x, t) = (w.msg.from.as_str(), w.msg.to.as_str(), w.t);
        let mut why = unreachable(trace, &procs, leader, x, t, end);
        if s.redis_node(x).is_some_and(|r| r.priority == 0) {
            why.push("its configured replica-priority is 0".to_string());
        }
        let age = DataAge {
            trace,
            clocks: &clocks,
            down_after_ms: s.master.down_after_ms,
        };
        let (verdict, note) = age.judge(leader, x, t);
        why.extend(verdict);
        let prefix = format!("{} {leader} sent {verb} NO ONE to {x}", secs(t));
        if why.is_empty() {
            good.push(format!("{prefix} ({note})"));
        } else {
            bad.push(format!("{prefix} although {}", why.join(", ")));
        }
    }
    if !bad.is_empty() {
        CheckResult::fail(NAME, format!("ground truth: {}", join(&bad)))
    } else if good.is_empty() {
        CheckResult::pass(NAME, "ground truth: no SLAVEOF NO ONE sent")
    } else {
        CheckResult::pass(NAME, format!("ground truth: {}", join(&good)))
    }
}

/// Why `x` could not have been selected by `leader` at `t`, as far as reachability goes.
fn unreachable(
    trace: &[TraceEvent],
    procs: &BTreeMap<String, ProcTimes>,
    leader: &str,
    x: &str,
    t: u64,
    end: u64,
) -> Vec<String> {
    let none = ProcTimes::default();
    let p = procs.get(x).unwrap_or(&none);
    let cuts: Spans = [cut_spans(trace, leader, x, end), cut_spans(trace, x, leader, end)].concat();
    let mut why = Vec::new();
    if let Some((k, _)) = span_at(&p.killed, t) {
        if t - k > SLACK_MS && span_at(&cuts, k).is_none() {
            why.push(format!("it had been killed at {}", secs(k)));
        }
    }
    let all: Spans = [p.killed.clone(), p.paused.clone(), cuts].concat();
    if let Some((from, _)) = span_at(&all, t) {
        if t - from > RECENTLY_AVAILABLE_MS + SLACK_MS {
            why.push(format!(
                "it had been killed, paused or cut from {leader} since {}",
                secs(from)
            ));
        }
    }
    why
}

/// The data-age rule, judged in each process's wall time.
struct DataAge<'a> {
    trace: &'a [TraceEvent],
    clocks: &'a BTreeMap<String, ClockLine>,
    down_after_ms: u64,
}

impl DataAge<'_> {
    fn wall(&self, node: &str, a: u64, b: u64) -> i64 {
        self.clocks
            .get(node)
            .map_or(b as i64 - a as i64, |c| c.wall_between(a, b))
    }

    /// (what breaks the rule, a note on what was verified).
    fn judge(&self, leader: &str, x: &str, t: u64) -> (Option<String>, String) {
        let Some(r) = repl_at(self.trace, x, t) else {
            return (None, "no replication state logged".into());
        };
        let down_since = match (r.role, r.link_up, r.down_since_ms) {
            (Role::Replica, false, Some(d)) => d,
            _ => return (None, "its link was never lost".into()),
        };
        let down = self.wall(x, down_since, t);
        let sdown = leader_sdown_since(self.trace, leader, t);
        let sdown_term = sdown.map_or(0, |since| self.wall(leader, since, t).max(0));
        let allowed = sdown_term + 10 * self.down_after_ms as i64;
        let info_age: i64 = if sdown.is_some() { 5_000 } else { 30_000 };
        let slack = info_age + 2_000;
        let note = format!("link down {down} ms, allowed {allowed} ms");
        if down > allowed + slack {
            let why = format!(
                "its link had been down {down} ms, more than the data-age rule's {allowed} ms (+{slack} ms slack)"
            );
            (Some(why), note)
        } else {
            (None, note)
        }
    }
}

/// When `leader` last put the master in SDOWN (its `+sdown` of a master), if it still held it
/// at `t` (no `-sdown` of a master and no restart since).
fn leader_sdown_since(trace: &[TraceEvent], leader: &str, t: u64) -> Option<u64> {
    let mut since = None;
    for e in sentinel_events(trace)
        .into_iter()
        .filter(|e| e.node == leader && e.t <= t)
    {
        let about_master = e.ev.body.subject().is_some_and(|s| s.master.is_none());
        match (&e.ev.body, e.ev.name()) {
            (EventBody::SentinelId { .. }, _) => since = None,
            (_, "+sdown") if about_master => since = Some(e.t),
            (_, "-sdown") if about_master => since = None,
            _ => {}
        }
    }
    since
}
