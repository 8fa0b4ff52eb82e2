//! Invariant `failover-timeouts`: every timed failover state a Sentinel enters is left within its
//! limit (spec §5.4, §6.1, §6.6): the election (`+try-failover`) within min(10 s, failover-timeout)
//! plus the start's random delay of up to 1 s (counted from the last vote it gave another candidate
//! meanwhile, which restarts that wait); `send-slaveof-noone`, `wait-promotion` and
//! `reconf-slaves` within failover-timeout; `select-slave` and `+failover-end` at the next timer
//! run. "Left" means a next state, an abort, `+switch-master`, `+config-update-from`,
//! `+reset-master` or a restart in the same Sentinel's log. A slack of [`SLACK_MS`] covers the
//! timer (every 50–100 ms). Not judged when the run ends first; excused when the Sentinel was
//! killed, paused, had its clock changed or was in TILT within the window, and, for
//! `reconf-slaves` (which waits while the promoted replica is S_DOWN), when the promoted replica or
//! the path to it was disturbed from down-after before it.
//!
//! Evidence: each Sentinel's log (its failover events, `+tilt`/`-tilt`, boots); the world's facts
//! (process states, clocks, cuts, link shaping); the scenario's failover-timeout (the largest any
//! `sentinel_set` gives) and down-after.

use super::disturbed::Disturbances;
use super::promotions::max_setting;
use super::trace_view::{join, master_of, node_name, sentinel_events, subject_addr, vote_of, Sev};
use super::{CheckResult, Evidence};
use crate::duration::{format_ms, secs};
use sentinel_core::EventBody;

pub const NAME: &str = "failover-timeouts";

/// Allowance over each limit: two timer runs, and the reply that ends a state in flight.
pub const SLACK_MS: u64 = 1_500;
/// `SENTINEL_ELECTION_TIMEOUT` and `SENTINEL_MAX_DESYNC` (spec §5.4).
const ELECTION_TIMEOUT_MS: u64 = 10_000;
const MAX_DESYNC_MS: u64 = 1_000;

/// Events that leave a failover state (besides entering the next one, and a restart).
const EXITS: [&str; 9] = [
    "+elected-leader",
    "+selected-slave",
    "+promoted-slave",
    "-failover-abort-not-elected",
    "-failover-abort-no-good-slave",
    "-failover-abort-slave-timeout",
    "+switch-master",
    "+config-update-from",
    "+reset-master",
];

/// The timed states, by the event that enters them, and their limit given failover-timeout.
fn limit(name: &str, ft: u64) -> Option<u64> {
    match name {
        "+try-failover" => Some(ELECTION_TIMEOUT_MS.min(ft) + MAX_DESYNC_MS),
        "+failover-state-select-slave" | "+failover-end" => Some(0),
        "+failover-state-send-slaveof-noone" | "+failover-state-wait-promotion" | "+failover-state-reconf-slaves" => {
            Some(ft)
        }
        _ => None,
    }
}

fn leaves(e: &Sev) -> bool {
    let n = e.ev.name();
    EXITS.contains(&n) || limit(n, 0).is_some() || matches!(e.ev.body, EventBody::SentinelId { .. })
}

pub fn check(ev: &Evidence) -> CheckResult {
    let (s, trace) = (ev.scenario, ev.trace);
    let end = s.duration_ms;
    let ft = max_setting(s, "failover-timeout", s.master.failover_timeout_ms);
    let d = Disturbances::new(trace, end);
    let evs = sentinel_events(trace);
    let (mut ok, mut excused, mut bad) = (0usize, Vec::new(), Vec::new());
    for (i, e) in evs.iter().enumerate() {
        let Some(lim) = limit(e.ev.name(), ft) else { continue };
        let master = master_of(e.ev);
        let exit = evs[i + 1..]
            .iter()
            .find(|x| x.node == e.node && leaves(x) && (master_of(x.ev).is_none() || master_of(x.ev) == master));
        let deadline = restarted_at(&evs[i + 1..], e, lim) + lim + SLACK_MS;
        if exit.is_some_and(|x| x.t <= deadline) || deadline > end {
            ok += 1;
            continue;
        }
        let state = trace[e.idx].line();
        let mut why = d.node(e.node, e.t, deadline);
        if why.is_none() && e.ev.name() == "+failover-state-reconf-slaves" {
            why = promoted_trouble(ev, &d, &evs[..i], e, deadline);
        }
        if let Some(why) = why {
            excused.push(format!("{} {} ({why})", e.node, secs(e.t)));
            continue;
        }
        let left = match exit {
            Some(x) => format!("left only at {} ({})", secs(x.t), trace[x.idx].line()),
            None => "never left".to_string(),
        };
        bad.push(format!(
            // The limits in ms: only the times of events read as `N.NNNs` (the mutants table
            // dates a catch by the earliest of them).
            "{} entered \"{state}\" at {}: limit {lim} ms + {SLACK_MS} ms slack, {left}",
            e.node,
            secs(e.t),
        ));
    }
    if !bad.is_empty() {
        return CheckResult::fail(NAME, join(&bad));
    }
    let mut detail = format!(
        "{ok} failover state(s) left in time (failover-timeout {})",
        format_ms(ft)
    );
    if !excused.is_empty() {
        detail.push_str(&format!("; excused: {}", join(&excused)));
    }
    CheckResult::pass(NAME, detail)
}

/// When the state's clock last started: its entry, or for the election (`+try-failover`) the
/// last vote this Sentinel gave another candidate while still in it (a vote for another resets
/// the attempt's start time, spec §5.2, which extends the wait).
fn restarted_at(after: &[Sev], e: &Sev, lim: u64) -> u64 {
    let mut start = e.t;
    if e.ev.name() != "+try-failover" {
        return start;
    }
    for x in after.iter().filter(|x| x.node == e.node) {
        if x.t > start + lim + SLACK_MS || leaves(x) {
            break;
        }
        if vote_of(x.ev).is_some_and(|(runid, _)| !runid.eq_ignore_ascii_case(e.myid)) {
            start = x.t;
        }
    }
    start
}

/// Why the replica `e`'s Sentinel promoted (its last `+promoted-slave` before) may look S_DOWN.
fn promoted_trouble(ev: &Evidence, d: &Disturbances, before: &[Sev], e: &Sev, deadline: u64) -> Option<String> {
    let promoted = before
        .iter()
        .rev()
        .find(|x| x.node == e.node && x.ev.name() == "+promoted-slave")
        .and_then(|x| subject_addr(x.ev))?;
    let p = node_name(ev.scenario, &promoted);
    let from = e.t.saturating_sub(ev.scenario.master.down_after_ms + 2_000);
    d.node(&p, from, deadline)
        .or_else(|| d.link(e.node, &p, from, deadline))
}
