//! What excuses a process or a link from a timing rule over a window of the run: the world's
//! facts (kills, pauses, clock changes, cuts, link shaping) and, for a Sentinel, its own `+tilt`
//! log. Shared by the invariants that bound how long a Sentinel may take (`failover-timeouts`,
//! `leader-reconfigures-replicas`, `parallel-syncs`).

use std::collections::BTreeMap;

use super::trace_view::sentinel_events;
use super::truth_view::{clocks, cut_spans, facts, proc_times, ClockLine, ProcTimes, Spans};
use crate::duration::secs;
use crate::trace::{Fact, TraceEvent};
use sentinel_core::EventBody;

/// A global base latency above this may delay replies past a short down-after: treated as trouble.
const NETWORK_SLOW_MS: u64 = 100;

/// The run's disturbances, read once.
pub(crate) struct Disturbances<'a> {
    trace: &'a [TraceEvent],
    end: u64,
    procs: BTreeMap<String, ProcTimes>,
    clocks: BTreeMap<String, ClockLine>,
    /// Each Sentinel's TILT spans, from its log (`+tilt` to `-tilt` or its next boot).
    tilts: BTreeMap<String, Spans>,
    /// Spans when the whole network had loss or a slow base latency.
    network: Spans,
}

fn overlaps(spans: &[(u64, u64)], from: u64, to: u64) -> Option<(u64, u64)> {
    spans.iter().copied().find(|&(a, b)| a <= to && b >= from)
}

impl<'a> Disturbances<'a> {
    pub(crate) fn new(trace: &'a [TraceEvent], end: u64) -> Disturbances<'a> {
        let mut tilts: BTreeMap<String, Spans> = BTreeMap::new();
        let mut open: BTreeMap<String, u64> = BTreeMap::new();
        for e in sentinel_events(trace) {
            let node = e.node.to_string();
            match &e.ev.body {
                EventBody::Tilt { entered: true } => {
                    open.entry(node).or_insert(e.t);
                }
                EventBody::Tilt { entered: false } | EventBody::SentinelId { .. } => {
                    if let Some(from) = open.remove(&node) {
                        tilts.entry(node).or_default().push((from, e.t));
                    }
                }
                _ => {}
            }
        }
        for (node, from) in open {
            tilts.entry(node).or_default().push((from, end));
        }
        Disturbances {
            trace,
            end,
            procs: proc_times(trace, end),
            clocks: clocks(trace),
            tilts,
            network: shaped_spans(trace, end, |f| match f {
                Fact::Network { max_us, loss, .. } => Some(*loss > 0.0 || *max_us > NETWORK_SLOW_MS * 1000),
                _ => None,
            }),
        }
    }

    /// Why `node` may not have kept time in [from, to]: killed, paused, its clock changed (or
    /// running at another rate), or (a Sentinel) in TILT. None when it ran undisturbed.
    pub(crate) fn node(&self, node: &str, from: u64, to: u64) -> Option<String> {
        if let Some(p) = self.procs.get(node) {
            if let Some((a, _)) = overlaps(&p.killed, from, to) {
                return Some(format!("{node} down from {}", secs(a)));
            }
            if let Some((a, _)) = overlaps(&p.paused, from, to) {
                return Some(format!("{node} paused from {}", secs(a)));
            }
        }
        if let Some(why) = self.clock(node, from, to) {
            return Some(why);
        }
        if let Some((a, _)) = self.tilts.get(node).and_then(|t| overlaps(t, from, to)) {
            return Some(format!("{node} in TILT from {}", secs(a)));
        }
        None
    }

    /// Why `node`'s clock may not have measured [from, to] as the world did: it drifted, or was
    /// stepped or changed within it.
    pub(crate) fn clock(&self, node: &str, from: u64, to: u64) -> Option<String> {
        let c = self.clocks.get(node)?;
        let before = c.changes().iter().rev().find(|ch| ch.0 <= from);
        if before.is_some_and(|ch| ch.2 != 1.0) {
            return Some(format!("{node}'s clock drifting"));
        }
        let ch = c.changes().iter().find(|ch| ch.0 >= from && ch.0 <= to)?;
        Some(format!("{node}'s clock changed at {}", secs(ch.0)))
    }

    /// Why the path between `a` and `b` may have failed in [from, to]: cut in either direction,
    /// a latency or loss on it, or on the whole network.
    pub(crate) fn link(&self, a: &str, b: &str, from: u64, to: u64) -> Option<String> {
        for (x, y) in [(a, b), (b, a)] {
            if let Some((t, _)) = overlaps(&cut_spans(self.trace, x, y, self.end), from, to) {
                return Some(format!("{x} -> {y} cut from {}", secs(t)));
            }
            let shaped = shaped_spans(self.trace, self.end, |f| match f {
                Fact::Shape {
                    from: fx,
                    to: fy,
                    min_ms,
                    max_ms,
                    loss,
                } if fx == x && fy == y => Some(*min_ms > 0 || *max_ms > 0 || *loss > 0.0),
                _ => None,
            });
            if let Some((t, _)) = overlaps(&shaped, from, to) {
                return Some(format!("{x} -> {y} latency or loss from {}", secs(t)));
            }
        }
        overlaps(&self.network, from, to).map(|(t, _)| format!("network latency or loss from {}", secs(t)))
    }
}

/// Spans during which the facts `read` recognises (Some) last said "troubled" (true).
fn shaped_spans(trace: &[TraceEvent], end: u64, read: impl Fn(&Fact) -> Option<bool>) -> Spans {
    let mut spans = Vec::new();
    let mut since = None;
    for (t, f) in facts(trace) {
        match (read(f), since) {
            (Some(true), None) => since = Some(t),
            (Some(false), Some(s)) => {
                spans.push((s, t));
                since = None;
            }
            _ => {}
        }
    }
    if let Some(s) = since {
        spans.push((s, end));
    }
    spans
}
