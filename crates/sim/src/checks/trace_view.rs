//! Reading the trace for the checks: Sentinel events with their position, injected action lines,
//! the master / instance / epoch / vote an event is about, and names for run ids and addresses.

use std::collections::BTreeMap;

use crate::duration::secs;
use crate::scenario::Scenario;
use crate::trace::{Kind, SentinelEvent, TraceEvent};

/// A Sentinel event with its position in the trace.
#[derive(Debug, Clone, Copy)]
pub(super) struct Sev<'a> {
    pub idx: usize,
    pub t: u64,
    pub node: &'a str,
    pub ev: &'a SentinelEvent,
}

pub(super) fn sentinel_events(trace: &[TraceEvent]) -> Vec<Sev<'_>> {
    trace
        .iter()
        .enumerate()
        .filter_map(|(idx, e)| match &e.kind {
            Kind::Sentinel(ev) => Some(Sev {
                idx,
                t: e.t_ms,
                node: &e.node,
                ev,
            }),
            _ => None,
        })
        .collect()
}

pub(super) fn named<'a>(trace: &'a [TraceEvent], name: &str) -> Vec<Sev<'a>> {
    sentinel_events(trace)
        .into_iter()
        .filter(|s| s.ev.name == name)
        .collect()
}

/// Injected actions: (index, time, line).
pub(super) fn actions(trace: &[TraceEvent]) -> Vec<(usize, u64, &str)> {
    trace
        .iter()
        .enumerate()
        .filter_map(|(i, e)| match &e.kind {
            Kind::Action { line } => Some((i, e.t_ms, line.as_str())),
            _ => None,
        })
        .collect()
}

/// The master an event is about: the `master` field, else parsed from a `%@` payload
/// (`master <name> ...` or `... @ <name> <ip> <port>`), else the first word of `+switch-master`.
pub(super) fn master_of(ev: &SentinelEvent) -> Option<String> {
    if let Some(m) = &ev.master {
        return Some(m.clone());
    }
    let toks: Vec<&str> = ev.payload.split_whitespace().collect();
    if let Some(at) = toks.iter().position(|t| *t == "@") {
        return toks.get(at + 1).map(|s| s.to_string());
    }
    match (ev.name.as_str(), toks.as_slice()) {
        ("+switch-master", [name, ..]) => Some(name.to_string()),
        (_, ["master", name, ..]) => Some(name.to_string()),
        _ => None,
    }
}

pub(super) fn is_master(ev: &SentinelEvent, master: &str) -> bool {
    master_of(ev).is_none_or(|m| m == master)
}

/// The `ip:port` of the instance a `%@` payload is about (`slave 127.0.0.1:6383 127.0.0.1 6383 @ ...`).
pub(super) fn payload_addr(payload: &str) -> Option<String> {
    let toks: Vec<&str> = payload.split_whitespace().collect();
    match toks.as_slice() {
        [_, _, ip, port, ..] => Some(format!("{ip}:{port}")),
        _ => None,
    }
}

/// The attempt epoch of a failover event (`failover_epoch`, else `current_epoch`).
pub(super) fn epoch_of(ev: &SentinelEvent) -> u64 {
    if ev.failover_epoch != 0 {
        ev.failover_epoch
    } else {
        ev.current_epoch
    }
}

/// `+vote-for-leader <runid> <epoch>` → (runid, epoch).
pub(super) fn vote_of(ev: &SentinelEvent) -> Option<(String, u64)> {
    let mut toks = ev.payload.split_whitespace();
    let runid = toks.next()?.to_string();
    let epoch = toks.next().and_then(|e| e.parse().ok()).unwrap_or(ev.failover_epoch);
    Some((runid, epoch))
}

/// Run id → node name, learnt from the `myid` of every Sentinel event.
pub(super) struct Who(BTreeMap<String, String>);

impl Who {
    pub(super) fn new(trace: &[TraceEvent]) -> Who {
        let mut m = BTreeMap::new();
        for s in sentinel_events(trace) {
            if !s.ev.myid.is_empty() {
                m.entry(s.ev.myid.clone()).or_insert_with(|| s.node.to_string());
            }
        }
        Who(m)
    }
    pub(super) fn name(&self, runid: &str) -> String {
        match self.0.get(runid) {
            Some(n) => n.clone(),
            None => short_id(runid).to_string(),
        }
    }
}

pub(super) fn short_id(runid: &str) -> &str {
    runid.get(..8).unwrap_or(runid)
}

/// Node name of an address or name, as the scenario knows it (else the text itself).
pub(super) fn node_name(s: &Scenario, name_or_addr: &str) -> String {
    s.name_of(name_or_addr).unwrap_or(name_or_addr).to_string()
}

pub(super) fn at(t: u64) -> String {
    format!("at {}", secs(t))
}

pub(super) fn join(items: &[String]) -> String {
    items.join("; ")
}

pub(super) fn master_label(s: &Scenario, m: &str) -> String {
    if m == s.master.name {
        String::new()
    } else {
        format!(" ({m})")
    }
}
