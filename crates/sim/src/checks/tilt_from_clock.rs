//! Invariant `tilt-from-clock`: after its wall clock steps backward (by more than a timer period,
//! 100 ms) or forward by more than 2 s, a Sentinel logs `+tilt` within 1 s (its timer runs at
//! least every 100 ms; the rest is slack), and for the next 30 s of TILT it sends neither a vote
//! request for itself (`is-master-down-by-addr` with a run id) nor any `SLAVEOF`/`REPLICAOF`.
//!
//! Only steps that hold until the next timer run are judged (no other change of that clock
//! within 150 ms: a fast strobe can undo itself between two runs), on a Sentinel that had booted
//! and stayed alive and unpaused for that second. Drift is not a step (its rate is at most 10, so
//! a 100 ms tick never spans 2 s). The 30 s are wall time on the Sentinel's clock (TILT ends when
//! its clock says so), cut short at a kill or restart.
//!
//! Evidence: **ground truth** — the world's clock facts (every offset change: skew, jump,
//! strobe flips, reset) and process states; the wire (vote requests, SLAVEOF) as sent; the
//! Sentinel's `+tilt` and `Sentinel ID is` lines from its log.

use super::trace_view::{join, sentinel_events};
use super::truth_view::{clocks, proc_times, span_at, wire, ClockLine, ProcTimes};
use super::{CheckResult, Evidence};
use crate::duration::secs;
use crate::trace::{EventBody, Sent, TraceEvent};

pub const NAME: &str = "tilt-from-clock";

/// A forward step above this always makes a tick gap above Sentinel's 2 s trigger.
const FORWARD_MS: i64 = 2_000;
/// A backward step beyond the longest timer period (100 ms) always makes a negative tick gap.
const BACKWARD_MS: i64 = -100;
/// The step must hold this long (until the next timer run).
const HOLD_MS: u64 = 150;
/// `+tilt` must follow within this.
const WITHIN_MS: u64 = 1_000;
const TILT_PERIOD_MS: i64 = 30_000;
/// The end is searched in steps of this, and may come this much early: the Sentinel's 30 s are
/// read off its own clock, which a later step (a `clock_reset`) may have moved on in one go.
const END_STEP_MS: u64 = 10;
const END_SLACK_MS: i64 = 100;

/// A clock step that must put its Sentinel in TILT.
struct Step {
    node: String,
    t: u64,
    by: i64,
}

pub fn check(ev: &Evidence) -> CheckResult {
    let trace = ev.trace;
    let end = trace.last().map_or(0, |e| e.t_ms);
    let clocks = clocks(trace);
    let procs = proc_times(trace, end);
    let mut bad = Vec::new();
    let mut good = Vec::new();
    for s in &ev.scenario.sentinels {
        let Some(clock) = clocks.get(&s.name) else { continue };
        let none = ProcTimes::default();
        let p = procs.get(&s.name).unwrap_or(&none);
        for step in steps(&s.name, clock) {
            if !judged(trace, p, &step) {
                continue;
            }
            let what = format!("{} clock stepped {:+} ms at {}", step.node, step.by, secs(step.t));
            let Some(t_tilt) = tilt_after(trace, &step) else {
                bad.push(format!("{what}: no +tilt within {} ms", WITHIN_MS));
                continue;
            };
            let until = tilt_end(clock, p, t_tilt);
            match acted(trace, &step.node, t_tilt, until) {
                Some(why) => bad.push(format!("{what}: +tilt at {} but {why}", secs(t_tilt))),
                None => good.push(format!("{what}: +tilt at {}", secs(t_tilt))),
            }
        }
    }
    if !bad.is_empty() {
        CheckResult::fail(NAME, format!("ground truth: {}", join(&bad)))
    } else if good.is_empty() {
        CheckResult::pass(NAME, "ground truth: no Sentinel clock step to judge")
    } else {
        CheckResult::pass(NAME, format!("ground truth: {}", join(&good)))
    }
}

/// The steps of a clock that must trigger TILT: large enough, and held until the next tick.
fn steps(node: &str, clock: &ClockLine) -> Vec<Step> {
    let changes = clock.changes();
    let mut out = Vec::new();
    let mut prev: (u64, i64, f64) = (0, 0, 1.0);
    for (i, &(t, offset, rate)) in changes.iter().enumerate() {
        let before = prev.1 + ((t - prev.0) as f64 * (prev.2 - 1.0)) as i64;
        let by = offset - before;
        let held = changes.get(i + 1).is_none_or(|n| n.0 > t + HOLD_MS);
        if held && !(BACKWARD_MS..=FORWARD_MS).contains(&by) {
            out.push(Step {
                node: node.to_string(),
                t,
                by,
            });
        }
        prev = (t, offset, rate);
    }
    out
}

/// Whether the Sentinel ran its timer throughout the second after the step: booted (its
/// `Sentinel ID is` line) since its last start, and neither killed nor paused.
fn judged(trace: &[TraceEvent], p: &ProcTimes, step: &Step) -> bool {
    let window_hit = |spans: &[(u64, u64)]| spans.iter().any(|&(a, b)| a <= step.t + WITHIN_MS && b >= step.t);
    if window_hit(&p.killed) || window_hit(&p.paused) {
        return false;
    }
    let last_start = p.killed.iter().map(|s| s.1).filter(|&b| b <= step.t).max().unwrap_or(0);
    sentinel_events(trace).iter().any(|e| {
        e.node == step.node
            && matches!(e.ev.body, EventBody::SentinelId { .. })
            && e.t >= last_start
            && e.t + HOLD_MS < step.t
    })
}

/// The first `+tilt` of the Sentinel within [step, step + 1 s].
fn tilt_after(trace: &[TraceEvent], step: &Step) -> Option<u64> {
    sentinel_events(trace)
        .into_iter()
        .find(|e| {
            e.node == step.node
                && e.t >= step.t
                && e.t <= step.t + WITHIN_MS
                && matches!(e.ev.body, EventBody::Tilt { entered: true })
        })
        .map(|e| e.t)
}

/// The earliest TILT can end: 30 s of its wall clock after `t_tilt`, or its next kill.
fn tilt_end(clock: &ClockLine, p: &ProcTimes, t_tilt: u64) -> u64 {
    let mut until = t_tilt + TILT_PERIOD_MS as u64;
    let mut t = t_tilt;
    while t < until {
        if clock.wall_between(t_tilt, t) >= TILT_PERIOD_MS - END_SLACK_MS {
            until = t;
            break;
        }
        t += END_STEP_MS;
    }
    let killed = p.killed.iter().map(|s| s.0).filter(|&k| k >= t_tilt).min();
    let kill = killed.or_else(|| span_at(&p.killed, t_tilt).map(|s| s.0));
    kill.map_or(until, |k| until.min(k))
}

/// A failover step the Sentinel sent in [from, until).
fn acted(trace: &[TraceEvent], node: &str, from: u64, until: u64) -> Option<String> {
    wire(trace)
        .into_iter()
        .filter(|w| w.msg.from == node && w.t >= from && w.t < until)
        .find_map(|w| match &w.msg.sent {
            Sent::VoteRequest { runid, epoch, .. } if runid != "*" => Some(format!(
                "it asked for votes for itself in epoch {epoch} at {}",
                secs(w.t)
            )),
            Sent::SlaveOf { verb, master } => Some(format!(
                "it sent {verb} {} to {} at {}",
                master.as_deref().unwrap_or("NO ONE"),
                w.msg.to,
                secs(w.t)
            )),
            _ => None,
        })
}
