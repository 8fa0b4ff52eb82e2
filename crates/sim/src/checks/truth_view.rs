//! Reading the ground truth for the checks: the world's facts (process states, cuts, shapes,
//! clocks, replication links) and the safety messages as sent on the wire, with their times.

use std::collections::BTreeMap;

use crate::trace::{Fact, Kind, ProcState, Role, Sent, TraceEvent, WireMsg};

/// A wire message with its time.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Wired<'a> {
    pub t: u64,
    pub msg: &'a WireMsg,
}

pub(crate) fn wire(trace: &[TraceEvent]) -> Vec<Wired<'_>> {
    trace
        .iter()
        .filter_map(|e| match &e.kind {
            Kind::Wire(msg) => Some(Wired { t: e.t_ms, msg }),
            _ => None,
        })
        .collect()
}

/// What a wire check says of a trace without a wire capture (a run on real processes, whose
/// trace holds only the runner's actions and the processes' logs): an empty capture proves
/// nothing, so it is not judged rather than passed as "no vote sent".
pub(crate) const NO_WIRE: &str =
    "not judged: the trace has no wire capture (a real run records only its own actions and the logs)";

/// Whether the trace holds a wire capture at all (a simulated run with Sentinels always has one:
/// their hellos).
pub(crate) fn has_wire(trace: &[TraceEvent]) -> bool {
    trace.iter().any(|e| matches!(e.kind, Kind::Wire(_)))
}

pub(crate) fn facts(trace: &[TraceEvent]) -> Vec<(u64, &Fact)> {
    trace
        .iter()
        .filter_map(|e| match &e.kind {
            Kind::World(f) => Some((e.t_ms, f)),
            _ => None,
        })
        .collect()
}

/// A vote as the wire shows it: `voter` (a node) named `candidate` (a run id) at `epoch`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Vote {
    pub epoch: u64,
    pub voter: String,
    pub candidate: String,
    pub t: u64,
    /// From the candidate's own request (its vote for itself), not from a reply.
    pub own: bool,
}

/// Every vote on the wire: each reply to `is-master-down-by-addr` naming a leader (its voter is
/// the replying node), and each candidate's own vote, read from its requests for itself, for the
/// epochs where none of its replies names another leader (a candidate may have voted for a peer
/// that asked first in the same epoch).
pub(crate) fn votes(trace: &[TraceEvent]) -> Vec<Vote> {
    let mut replies: Vec<Vote> = Vec::new();
    let mut requests: BTreeMap<(String, u64), (String, u64)> = BTreeMap::new();
    for w in wire(trace) {
        match &w.msg.sent {
            Sent::VoteReply {
                leader, leader_epoch, ..
            } if leader != "*" => replies.push(Vote {
                epoch: *leader_epoch,
                voter: w.msg.from.clone(),
                candidate: leader.clone(),
                t: w.t,
                own: false,
            }),
            Sent::VoteRequest { epoch, runid, .. } if runid != "*" => {
                requests
                    .entry((w.msg.from.clone(), *epoch))
                    .or_insert((runid.clone(), w.t));
            }
            _ => {}
        }
    }
    for ((voter, epoch), (candidate, t)) in requests {
        let replied = replies.iter().any(|v| v.voter == voter && v.epoch == epoch);
        if !replied {
            replies.push(Vote {
                epoch,
                voter,
                candidate,
                t,
                own: true,
            });
        }
    }
    replies.sort_by_key(|v| v.t);
    replies
}

/// Half-open intervals of simulated time, [from, to).
pub(crate) type Spans = Vec<(u64, u64)>;

/// Where each process was, by the world's record: when it was down (killed) and paused.
#[derive(Debug, Default)]
pub(crate) struct ProcTimes {
    pub killed: Spans,
    pub paused: Spans,
}

/// Each process's killed and paused spans (open spans end at `end`).
pub(crate) fn proc_times(trace: &[TraceEvent], end: u64) -> BTreeMap<String, ProcTimes> {
    let mut out: BTreeMap<String, ProcTimes> = BTreeMap::new();
    let mut open: BTreeMap<(String, bool), u64> = BTreeMap::new();
    for (t, f) in facts(trace) {
        let Fact::Process { node, state } = f else { continue };
        let p = out.entry(node.clone()).or_default();
        let close = |open: &mut BTreeMap<(String, bool), u64>, paused: bool, spans: &mut Spans| {
            if let Some(from) = open.remove(&(node.clone(), paused)) {
                spans.push((from, t));
            }
        };
        match state {
            ProcState::Killed => {
                close(&mut open, true, &mut p.paused);
                open.entry((node.clone(), false)).or_insert(t);
            }
            ProcState::Restarted => {
                close(&mut open, true, &mut p.paused);
                if open.contains_key(&(node.clone(), false)) {
                    close(&mut open, false, &mut p.killed);
                } else {
                    // A running process killed and started at once.
                    p.killed.push((t, t));
                }
            }
            ProcState::Paused => {
                open.entry((node.clone(), true)).or_insert(t);
            }
            ProcState::Resumed => close(&mut open, true, &mut p.paused),
            ProcState::Alive => {}
        }
    }
    for ((node, paused), from) in open {
        let p = out.entry(node).or_default();
        if paused {
            p.paused.push((from, end));
        } else {
            p.killed.push((from, end));
        }
    }
    out
}

/// The spans during which the directed path `from → to` was cut.
pub(crate) fn cut_spans(trace: &[TraceEvent], from: &str, to: &str, end: u64) -> Spans {
    let mut spans = Vec::new();
    let mut since = None;
    for (t, f) in facts(trace) {
        if let Fact::Link { from: a, to: b, cut } = f {
            if a == from && b == to {
                match (cut, since) {
                    (true, None) => since = Some(t),
                    (false, Some(s)) => {
                        spans.push((s, t));
                        since = None;
                    }
                    _ => {}
                }
            }
        }
    }
    if let Some(s) = since {
        spans.push((s, end));
    }
    spans
}

/// `spans` sorted, with overlapping or touching spans merged.
pub(crate) fn merged(spans: &[(u64, u64)]) -> Spans {
    let mut sorted = spans.to_vec();
    sorted.sort();
    let mut out: Spans = Vec::new();
    for (a, b) in sorted {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

/// The span of `spans` (merged with each other) that contains `t`, if any.
pub(crate) fn span_at(spans: &[(u64, u64)], t: u64) -> Option<(u64, u64)> {
    merged(spans).into_iter().find(|s| s.0 <= t && t <= s.1)
}

/// A process's wall clock over the run, from its clock facts: offset and rate since each change.
#[derive(Debug, Clone, Default)]
pub(crate) struct ClockLine(Vec<(u64, i64, f64)>);

impl ClockLine {
    /// The clock's offset from true time at `t`.
    pub fn offset_at(&self, t: u64) -> i64 {
        match self.0.iter().rev().find(|c| c.0 <= t) {
            Some(&(since, offset, rate)) => offset + ((t - since) as f64 * (rate - 1.0)) as i64,
            None => 0,
        }
    }
    /// Wall-clock milliseconds that pass on this clock from `a` to `b` (true ms `b - a` plus the
    /// change of offset).
    pub fn wall_between(&self, a: u64, b: u64) -> i64 {
        (b as i64 - a as i64) + self.offset_at(b) - self.offset_at(a)
    }
    /// The changes: (time, offset, rate).
    pub fn changes(&self) -> &[(u64, i64, f64)] {
        &self.0
    }
}

pub(crate) fn clocks(trace: &[TraceEvent]) -> BTreeMap<String, ClockLine> {
    let mut out: BTreeMap<String, ClockLine> = BTreeMap::new();
    for (t, f) in facts(trace) {
        if let Fact::Clock { node, offset_ms, rate } = f {
            out.entry(node.clone()).or_default().0.push((t, *offset_ms, *rate));
        }
    }
    out
}

/// A data node's replication state at a time, from its last replication fact.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ReplAt {
    pub role: Role,
    /// The master it replicates (`ip:port`), as its last fact said.
    pub master: Option<String>,
    pub link_up: bool,
    pub down_since_ms: Option<u64>,
    /// The offset it held with the link down (see [`Fact::Replication`]).
    pub offset: Option<i64>,
    /// When that last fact was recorded.
    pub since: u64,
}

/// `node`'s replication state just before `t` (facts at `t` included).
pub(crate) fn repl_at(trace: &[TraceEvent], node: &str, t: u64) -> Option<ReplAt> {
    facts(trace)
        .into_iter()
        .take_while(|(ft, _)| *ft <= t)
        .filter_map(|(ft, f)| match f {
            Fact::Replication {
                node: n,
                role,
                master,
                link_up,
                down_since_ms,
                offset,
            } if n == node => Some(ReplAt {
                role: *role,
                master: master.clone(),
                link_up: *link_up,
                down_since_ms: *down_since_ms,
                offset: *offset,
                since: ft,
            }),
            _ => None,
        })
        .last()
}

/// `node`'s run id just before `t` (its last [`Fact::RunId`]), and when it was recorded.
pub(crate) fn run_id_at<'a>(trace: &'a [TraceEvent], node: &str, t: u64) -> Option<(&'a str, u64)> {
    facts(trace)
        .into_iter()
        .take_while(|(ft, _)| *ft <= t)
        .filter_map(|(ft, f)| match f {
            Fact::RunId { node: n, run_id } if n == node => Some((run_id.as_str(), ft)),
            _ => None,
        })
        .last()
}
