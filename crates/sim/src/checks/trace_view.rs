//! Reading the trace for the checks: Sentinel events with their position, injected action lines,
//! the master / instance / epoch / vote an event is about, and names for run ids and addresses.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::duration::secs;
use crate::scenario::Action;
use crate::scenario::Scenario;
use crate::trace::{Kind, SentinelEvent, TraceEvent};
use sentinel_core::{EventBody, EventKind};

/// A Sentinel event with its position in the trace, and what that Sentinel's own log said
/// before it (public evidence: no debug probe).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sev<'a> {
    pub idx: usize,
    pub t: u64,
    pub node: &'a str,
    pub ev: &'a SentinelEvent,
    /// The run id its last `Sentinel ID is <runid>` line announced (empty before one).
    pub myid: &'a str,
    /// The epoch the event belongs to, from the log: a vote's own epoch; for an event about a
    /// master this Sentinel tried to fail over since it booted, that attempt's epoch (the
    /// `+new-epoch` logged with its `+try-failover`); else the last `+new-epoch` it logged.
    pub epoch: u64,
    /// Between a `+tilt` and the next `-tilt` (or restart) in its log.
    pub in_tilt: bool,
}

/// What one Sentinel's log has said so far.
#[derive(Default)]
struct LogState<'a> {
    myid: &'a str,
    current_epoch: u64,
    /// Master name → epoch of the last failover attempt since boot.
    attempts: BTreeMap<String, u64>,
    in_tilt: bool,
}

impl<'a> LogState<'a> {
    /// Updates the state with `ev` and returns the event's epoch.
    fn read(&mut self, ev: &'a SentinelEvent) -> u64 {
        match &ev.body {
            EventBody::SentinelId { myid } => {
                // A boot: the process's memory is new (its epoch comes back from its config).
                *self = LogState {
                    myid,
                    current_epoch: self.current_epoch,
                    ..LogState::default()
                };
            }
            EventBody::NewEpoch { epoch } => self.current_epoch = *epoch,
            EventBody::VoteForLeader { epoch, .. } => return *epoch,
            EventBody::Tilt { entered } => self.in_tilt = *entered,
            _ => {}
        }
        let master = master_of(ev);
        if ev.body.kind() == Some(EventKind::TryFailover) {
            if let Some(m) = &master {
                self.attempts.insert(m.clone(), self.current_epoch);
            }
        }
        master
            .and_then(|m| self.attempts.get(&m).copied())
            .unwrap_or(self.current_epoch)
    }
}

pub(crate) fn sentinel_events(trace: &[TraceEvent]) -> Vec<Sev<'_>> {
    let mut logs: BTreeMap<&str, LogState> = BTreeMap::new();
    trace
        .iter()
        .enumerate()
        .filter_map(|(idx, e)| match &e.kind {
            Kind::Sentinel(ev) => {
                let log = logs.entry(e.node.as_str()).or_default();
                let epoch = log.read(ev);
                Some(Sev {
                    idx,
                    t: e.t_ms,
                    node: &e.node,
                    ev,
                    myid: log.myid,
                    epoch,
                    in_tilt: log.in_tilt,
                })
            }
            _ => None,
        })
        .collect()
}

pub(crate) fn named<'a>(trace: &'a [TraceEvent], name: &str) -> Vec<Sev<'a>> {
    sentinel_events(trace)
        .into_iter()
        .filter(|s| s.ev.name() == name)
        .collect()
}

/// What the world did (timeline actions and triggered kills): (index, time, action).
pub(crate) fn actions(trace: &[TraceEvent]) -> Vec<(usize, u64, Cow<'_, Action>)> {
    trace
        .iter()
        .enumerate()
        .filter_map(|(i, e)| e.kind.performed().map(|a| (i, e.t_ms, a)))
        .collect()
}

/// The master an event is about: the `%@` subject's master (or the master itself), or the name
/// `+switch-master` gives. None for events that name no instance (`+new-epoch`, votes).
pub(crate) fn master_of(ev: &SentinelEvent) -> Option<String> {
    if let EventBody::SwitchMaster { master, .. } = &ev.body {
        return Some(master.clone());
    }
    let subject = ev.body.subject()?;
    Some(subject.master.as_ref().unwrap_or(&subject.instance).name.clone())
}

pub(crate) fn is_master(ev: &SentinelEvent, master: &str) -> bool {
    master_of(ev).is_none_or(|m| m == master)
}

/// The `ip:port` of the instance an event is about (`slave 127.0.0.1:6383 127.0.0.1 6383 @ ...`).
pub(crate) fn subject_addr(ev: &SentinelEvent) -> Option<String> {
    let s = ev.body.subject()?;
    Some(format!("{}:{}", s.instance.ip, s.instance.port))
}

/// `+vote-for-leader <runid> <epoch>` → (runid, epoch).
pub(crate) fn vote_of(ev: &SentinelEvent) -> Option<(&str, u64)> {
    match &ev.body {
        EventBody::VoteForLeader { runid, epoch } => Some((runid, *epoch)),
        _ => None,
    }
}

/// Run id → node name, learnt from each Sentinel's `Sentinel ID is <runid>` log line.
pub(crate) struct Who(BTreeMap<String, String>);

impl Who {
    pub(crate) fn new(trace: &[TraceEvent]) -> Who {
        let mut m = BTreeMap::new();
        for s in sentinel_events(trace) {
            if !s.myid.is_empty() {
                m.entry(s.myid.to_string()).or_insert_with(|| s.node.to_string());
            }
        }
        Who(m)
    }
    pub(crate) fn name(&self, runid: &str) -> String {
        match self.0.get(runid) {
            Some(n) => n.clone(),
            None => short_id(runid).to_string(),
        }
    }
}

pub(crate) fn short_id(runid: &str) -> &str {
    runid.get(..8).unwrap_or(runid)
}

/// Node name of an address or name, as the scenario knows it (else the text itself).
pub(crate) fn node_name(s: &Scenario, name_or_addr: &str) -> String {
    s.name_of(name_or_addr).unwrap_or(name_or_addr).to_string()
}

pub(crate) fn at(t: u64) -> String {
    format!("at {}", secs(t))
}

pub(crate) fn join(items: &[String]) -> String {
    items.join("; ")
}

pub(crate) fn master_label(s: &Scenario, m: &str) -> String {
    if m.is_empty() || m == s.master.name {
        String::new()
    } else {
        format!(" ({m})")
    }
}
