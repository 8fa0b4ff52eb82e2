//! Invariant `sdown-needs-outage`: a Sentinel's `+sdown` of an instance (master, replica or peer
//! Sentinel) needs that the instance was really unreachable from it for about down-after before
//! (spec §4.2: SDOWN when no valid reply for down-after-milliseconds, counted from the first
//! unanswered PING, or from the last reply when the link is down).
//!
//! A cause (the shared `outage` reading of ground truth: the instance killed or paused, the path
//! cut either way, heavy latency or loss, the Sentinel paused or its clock changed, and for a
//! master record the instance being a replica) must cover the moment of the `+sdown` and have
//! begun at least down-after − 1.2 s before it on the Sentinel's own clock: the last reply may
//! precede the outage by one PING period (1 s) when the link drops, plus timer jitter. It may
//! have ended up to 10 s before (a backlog built under latency and loss drains late).
//!
//! Evidence: the Sentinels' `+sdown` lines (their logs), **ground truth** (world facts) for the
//! outage and the Sentinel's clock. down-after is the scenario's, or the smallest a `sentinel_set`
//! gave; with `master-reboot-down-after-period` set, SDOWN of masters is not judged.

use super::outage::Causes;
use super::trace_view::{actions, at, join, node_name, sentinel_events, subject_addr};
use super::truth_view::{clocks, facts};
use super::{CheckResult, Evidence};
use crate::scenario::Action;
use sentinel_core::event::SubjectRole;

pub const NAME: &str = "sdown-needs-outage";

/// The last valid reply may come up to one PING period before the outage starts, plus jitter.
const SLACK_MS: i64 = 1_200;
/// How long after a cause ends an SDOWN may still follow from it: a TCP backlog built under
/// latency and loss drains seconds after the network is reset.
const LATE_MS: u64 = 10_000;

pub fn check(ev: &Evidence) -> CheckResult {
    let (s, trace) = (ev.scenario, ev.trace);
    if facts(trace).is_empty() {
        return CheckResult::pass(NAME, "not judged: the trace has no world facts");
    }
    let (down_after, reboot_rule) = settings(ev);
    let end = trace.last().map_or(0, |e| e.t_ms);
    let causes = Causes::new(trace, down_after, end);
    let clocks = clocks(trace);
    let (mut judged, mut bad) = (0usize, Vec::new());
    for e in sentinel_events(trace).into_iter().filter(|e| e.ev.name() == "+sdown") {
        let (Some(subject), Some(addr)) = (e.ev.body.subject(), subject_addr(e.ev)) else {
            continue;
        };
        let x = node_name(s, &addr);
        let master_record = subject.role == SubjectRole::Master;
        if s.name_of(&addr).is_none() || (master_record && reboot_rule) {
            continue;
        }
        judged += 1;
        let clock = clocks.get(e.node).cloned().unwrap_or_default();
        let spans = causes.for_pair(e.node, &x, master_record);
        let span = spans.iter().find(|&&(a, b)| a <= e.t && b + LATE_MS >= e.t);
        let long_enough = span.is_some_and(|&(a, _)| clock.wall_between(a, e.t) >= down_after as i64 - SLACK_MS);
        if !long_enough {
            let why = match span {
                Some(&(a, _)) => format!("it was unreachable only since {}", crate::duration::secs(a)),
                None => "nothing kept it from reaching it then".to_string(),
            };
            bad.push(format!(
                "{} +sdown of {x} {}: {why}; down-after is {down_after} ms",
                e.node,
                at(e.t)
            ));
        }
    }
    if !bad.is_empty() {
        return CheckResult::fail(NAME, format!("ground truth: {}", join(&bad)));
    }
    CheckResult::pass(
        NAME,
        format!("ground truth: {judged} +sdown, each after about down-after ({down_after} ms) of a real outage"),
    )
}

/// The smallest down-after in force, and whether an operator enabled the master-reboot rule.
fn settings(ev: &Evidence) -> (u64, bool) {
    let (mut da, mut reboot) = (ev.scenario.master.down_after_ms, false);
    for (_, _, a) in actions(ev.trace) {
        if let Action::SentinelSet { option, value, .. } = a.as_ref() {
            if option.eq_ignore_ascii_case("down-after-milliseconds") {
                da = da.min(value.parse().unwrap_or(da));
            }
            reboot |= option.eq_ignore_ascii_case("master-reboot-down-after-period") && value != "0";
        }
    }
    (da, reboot)
}
