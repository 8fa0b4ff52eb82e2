//! Invariants (safety properties that must hold in every run) and expectations (what a scenario
//! says should happen), computed from the trace and the final state only.
//!
//! Every check always yields a [`CheckResult`], passing or failing, with a detail an operator can
//! read: on success what was verified ("epoch 1: leader sentinel-5000"), on failure the offending
//! events with their simulated times.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::duration::{secs, short_secs};
use crate::report::WritesSummary;
use crate::scenario::{Action, ActionKind, Scenario};
use crate::trace::{DataFinal, FinalState, Kind, SentinelEvent, TraceEvent};

/// The outcome of one invariant or expectation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

impl CheckResult {
    pub fn pass(name: &str, detail: impl Into<String>) -> CheckResult {
        CheckResult {
            name: name.to_string(),
            ok: true,
            detail: detail.into(),
        }
    }
    pub fn fail(name: &str, detail: impl Into<String>) -> CheckResult {
        CheckResult {
            name: name.to_string(),
            ok: false,
            detail: detail.into(),
        }
    }
    fn new(name: &str, ok: bool, detail: impl Into<String>) -> CheckResult {
        CheckResult {
            name: name.to_string(),
            ok,
            detail: detail.into(),
        }
    }
}

/// Names of the invariants, in the order [`invariants`] returns them.
pub const INVARIANTS: [&str; 9] = [
    "one-leader-per-epoch",
    "one-vote-per-epoch",
    "no-bad-promotion",
    "config-epoch-monotonic",
    "leader-had-votes",
    "no-action-in-tilt",
    "one-master",
    "replicas-follow",
    "sentinels-agree",
];

/// Events that belong to the failover state machine (or to INFO-driven actions), all suspended
/// while a Sentinel is in TILT.
pub const FAILOVER_EVENTS: [&str; 19] = [
    "+try-failover",
    "+elected-leader",
    "+failover-state-select-slave",
    "+selected-slave",
    "+failover-state-send-slaveof-noone",
    "+failover-state-wait-promotion",
    "+promoted-slave",
    "+failover-state-reconf-slaves",
    "+slave-reconf-sent",
    "+slave-reconf-inprog",
    "+slave-reconf-done",
    "+slave-reconf-sent-be",
    "+convert-to-slave",
    "+fix-slave-config",
    "+failover-end",
    "+failover-end-for-timeout",
    "-failover-abort-not-elected",
    "-failover-abort-no-good-slave",
    "-failover-abort-slave-timeout",
];

// ---------------------------------------------------------------------------------------------
// Trace helpers
// ---------------------------------------------------------------------------------------------

/// A Sentinel event with its position in the trace.
#[derive(Debug, Clone, Copy)]
struct Sev<'a> {
    idx: usize,
    t: u64,
    node: &'a str,
    ev: &'a SentinelEvent,
}

fn sentinel_events(trace: &[TraceEvent]) -> Vec<Sev<'_>> {
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

fn named<'a>(trace: &'a [TraceEvent], name: &str) -> Vec<Sev<'a>> {
    sentinel_events(trace)
        .into_iter()
        .filter(|s| s.ev.name == name)
        .collect()
}

/// Injected actions: (index, time, line).
fn actions(trace: &[TraceEvent]) -> Vec<(usize, u64, &str)> {
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
fn master_of(ev: &SentinelEvent) -> Option<String> {
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

fn is_master(ev: &SentinelEvent, master: &str) -> bool {
    master_of(ev).is_none_or(|m| m == master)
}

/// The `ip:port` of the instance a `%@` payload is about (`slave 127.0.0.1:6383 127.0.0.1 6383 @ ...`).
fn payload_addr(payload: &str) -> Option<String> {
    let toks: Vec<&str> = payload.split_whitespace().collect();
    match toks.as_slice() {
        [_, _, ip, port, ..] => Some(format!("{ip}:{port}")),
        _ => None,
    }
}

/// The attempt epoch of a failover event (`failover_epoch`, else `current_epoch`).
fn epoch_of(ev: &SentinelEvent) -> u64 {
    if ev.failover_epoch != 0 {
        ev.failover_epoch
    } else {
        ev.current_epoch
    }
}

/// `+vote-for-leader <runid> <epoch>` → (runid, epoch).
fn vote_of(ev: &SentinelEvent) -> Option<(String, u64)> {
    let mut toks = ev.payload.split_whitespace();
    let runid = toks.next()?.to_string();
    let epoch = toks.next().and_then(|e| e.parse().ok()).unwrap_or(ev.failover_epoch);
    Some((runid, epoch))
}

/// Run id → node name, learnt from the `myid` of every Sentinel event.
struct Who(BTreeMap<String, String>);

impl Who {
    fn new(trace: &[TraceEvent]) -> Who {
        let mut m = BTreeMap::new();
        for s in sentinel_events(trace) {
            if !s.ev.myid.is_empty() {
                m.entry(s.ev.myid.clone()).or_insert_with(|| s.node.to_string());
            }
        }
        Who(m)
    }
    fn name(&self, runid: &str) -> String {
        match self.0.get(runid) {
            Some(n) => n.clone(),
            None => short_id(runid).to_string(),
        }
    }
}

fn short_id(runid: &str) -> &str {
    runid.get(..8).unwrap_or(runid)
}

/// Node name of an address or name, as the scenario knows it (else the text itself).
fn node_name(s: &Scenario, name_or_addr: &str) -> String {
    s.name_of(name_or_addr).unwrap_or(name_or_addr).to_string()
}

fn at(t: u64) -> String {
    format!("at {}", secs(t))
}

fn join(items: &[String]) -> String {
    items.join("; ")
}

// ---------------------------------------------------------------------------------------------
// Invariants
// ---------------------------------------------------------------------------------------------

/// Runs every invariant; the result always lists all of them (see [`INVARIANTS`]).
pub fn invariants(s: &Scenario, trace: &[TraceEvent], fin: &FinalState) -> Vec<CheckResult> {
    let mut v = vec![
        one_leader_per_epoch(s, trace),
        one_vote_per_epoch(s, trace),
        no_bad_promotion(s, trace),
        config_epoch_monotonic(trace),
        leader_had_votes(s, trace),
        no_action_in_tilt(s, trace),
    ];
    v.extend(convergence(s, fin));
    v
}

fn master_label(s: &Scenario, m: &str) -> String {
    if m == s.master.name {
        String::new()
    } else {
        format!(" ({m})")
    }
}

/// Invariant 1: At most one distinct Sentinel emits `+elected-leader` per (master, failover epoch).
fn one_leader_per_epoch(s: &Scenario, trace: &[TraceEvent]) -> CheckResult {
    const NAME: &str = "one-leader-per-epoch";
    let mut leaders: BTreeMap<(String, u64), Vec<(String, u64)>> = BTreeMap::new();
    for e in named(trace, "+elected-leader") {
        let key = (master_of(e.ev).unwrap_or_default(), epoch_of(e.ev));
        let l = leaders.entry(key).or_default();
        if !l.iter().any(|(n, _)| n == e.node) {
            l.push((e.node.to_string(), e.t));
        }
    }
    if leaders.is_empty() {
        return CheckResult::pass(NAME, "no +elected-leader in the trace");
    }
    let bad: Vec<String> = leaders
        .iter()
        .filter(|(_, l)| l.len() > 1)
        .map(|((m, e), l)| {
            let who: Vec<String> = l.iter().map(|(n, t)| format!("{n} {}", at(*t))).collect();
            format!(
                "epoch {e}{}: {} leaders: {}",
                master_label(s, m),
                l.len(),
                who.join(", ")
            )
        })
        .collect();
    if !bad.is_empty() {
        return CheckResult::fail(NAME, join(&bad));
    }
    let good: Vec<String> = leaders
        .iter()
        .map(|((m, e), l)| format!("epoch {e}{}: leader {}", master_label(s, m), l[0].0))
        .collect();
    CheckResult::pass(NAME, join(&good))
}

/// Invariant 2: Per Sentinel (by node, and by run id) and (master, epoch), every `+vote-for-leader` names the
/// same run id.
fn one_vote_per_epoch(s: &Scenario, trace: &[TraceEvent]) -> CheckResult {
    const NAME: &str = "one-vote-per-epoch";
    let who = Who::new(trace);
    type Key = (String, String, u64);
    let mut by_node: BTreeMap<Key, Vec<(String, u64, String)>> = BTreeMap::new();
    let mut by_id: BTreeMap<Key, Vec<(String, u64, String)>> = BTreeMap::new();
    let mut count = 0;
    for e in named(trace, "+vote-for-leader") {
        let Some((runid, epoch)) = vote_of(e.ev) else { continue };
        count += 1;
        let m = master_of(e.ev).unwrap_or_default();
        by_node
            .entry((e.node.to_string(), m.clone(), epoch))
            .or_default()
            .push((runid.clone(), e.t, e.node.to_string()));
        if !e.ev.myid.is_empty() {
            by_id
                .entry((e.ev.myid.clone(), m, epoch))
                .or_default()
                .push((runid, e.t, e.node.to_string()));
        }
    }
    let distinct = |votes: &[(String, u64, String)]| votes.iter().map(|v| &v.0).collect::<BTreeSet<_>>().len();
    let describe = |votes: &[(String, u64, String)]| {
        votes
            .iter()
            .map(|(r, t, n)| format!("{} by {n} {}", who.name(r), at(*t)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut bad = Vec::new();
    for ((node, m, e), votes) in &by_node {
        if distinct(votes) > 1 {
            bad.push(format!(
                "{node} epoch {e}{}: voted for {}",
                master_label(s, m),
                describe(votes)
            ));
        }
    }
    for ((id, m, e), votes) in &by_id {
        let nodes: BTreeSet<&String> = votes.iter().map(|v| &v.2).collect();
        if distinct(votes) > 1 && nodes.len() > 1 {
            bad.push(format!(
                "run id {} epoch {e}{}: voted for {}",
                short_id(id),
                master_label(s, m),
                describe(votes)
            ));
        }
    }
    if !bad.is_empty() {
        return CheckResult::fail(NAME, join(&bad));
    }
    if count == 0 {
        return CheckResult::pass(NAME, "no +vote-for-leader in the trace");
    }
    let sentinels: BTreeSet<&String> = by_node.keys().map(|k| &k.0).collect();
    let epochs: BTreeSet<u64> = by_node.keys().map(|k| k.2).collect();
    CheckResult::pass(
        NAME,
        format!(
            "{count} votes by {} sentinels in {} epoch(s), one candidate each",
            sentinels.len(),
            epochs.len()
        ),
    )
}

/// Invariant 3: Every `+selected-slave` chose a replica that was not S_DOWN, O_DOWN or disconnected and had a
/// non-zero priority in the Sentinel's view, and whose configured `replica-priority` is not 0.
fn no_bad_promotion(s: &Scenario, trace: &[TraceEvent]) -> CheckResult {
    const NAME: &str = "no-bad-promotion";
    let mut bad = Vec::new();
    let mut good = Vec::new();
    for e in named(trace, "+selected-slave") {
        let addr =
            e.ev.candidate
                .as_ref()
                .map(|c| c.addr.clone())
                .or_else(|| payload_addr(&e.ev.payload));
        let replica = addr
            .as_deref()
            .map(|a| node_name(s, a))
            .unwrap_or_else(|| "?".to_string());
        let prefix = format!("{} {} selected {replica}", secs(e.t), e.node);
        let mut why = Vec::new();
        match &e.ev.candidate {
            None => why.push("no candidate view recorded".to_string()),
            Some(c) => {
                if c.s_down {
                    why.push("it was S_DOWN".to_string());
                }
                if c.o_down {
                    why.push("it was O_DOWN".to_string());
                }
                if c.disconnected {
                    why.push("its link was disconnected".to_string());
                }
                if c.priority == 0 {
                    why.push("its reported priority was 0".to_string());
                }
            }
        }
        if let Some(r) = addr.as_deref().and_then(|a| s.redis_node(a)) {
            if r.priority == 0 {
                why.push("its configured replica-priority is 0".to_string());
            }
        }
        if why.is_empty() {
            let prio = e.ev.candidate.as_ref().map(|c| c.priority).unwrap_or_default();
            good.push(format!("{prefix} (priority {prio})"));
        } else {
            bad.push(format!("{prefix} although {}", why.join(", ")));
        }
    }
    if !bad.is_empty() {
        CheckResult::fail(NAME, join(&bad))
    } else if good.is_empty() {
        CheckResult::pass(NAME, "no +selected-slave in the trace")
    } else {
        CheckResult::pass(NAME, join(&good))
    }
}

/// Invariant 4: Per Sentinel and master, `config_epoch` never decreases along the trace (restarts
/// included); per Sentinel, `current_epoch` never decreases.
fn config_epoch_monotonic(trace: &[TraceEvent]) -> CheckResult {
    const NAME: &str = "config-epoch-monotonic";
    // Within one lifetime of a Sentinel process its epochs never go back. Across a restart they
    // may fall back to what was on disk: Redis 7.0 persists a vote before giving it, and a new
    // config epoch when it switches or promotes, but not `current_epoch++` at failover start
    // (spec §9.3; the fuzzer found a run where a Sentinel was killed between the two). So after a
    // restart the epochs must still be at least those durable values.
    let mut config: BTreeMap<(String, String), (u64, u64, String)> = BTreeMap::new();
    let mut current: BTreeMap<String, (u64, u64, String)> = BTreeMap::new();
    let mut durable_current: BTreeMap<String, (u64, String)> = BTreeMap::new();
    let mut durable_config: BTreeMap<(String, String), (u64, String)> = BTreeMap::new();
    let mut restarts = 0;
    let mut bad = Vec::new();
    for e in sentinel_events(trace) {
        let line = trace[e.idx].line();
        let node = e.node.to_string();
        if e.ev.name.is_empty() && e.ev.payload.starts_with("Sentinel ID is ") {
            // A (re)start: a new lifetime, bounded below by what must have been persisted.
            if current.remove(&node).is_some() {
                restarts += 1;
            }
            config.retain(|(n, _), _| *n != node);
            if let Some((floor, why)) = durable_current.get(&node) {
                if e.ev.current_epoch < *floor {
                    bad.push(format!(
                        "{node}: restarted {} with current_epoch {} below the persisted {floor} ({why})",
                        at(e.t),
                        e.ev.current_epoch
                    ));
                }
            }
        }
        if let Some(prev) = current.get(&node) {
            if e.ev.current_epoch < prev.0 {
                bad.push(format!(
                    "{node}: current_epoch {} {} ({}) then {} {} ({line})",
                    prev.0,
                    at(prev.1),
                    prev.2,
                    e.ev.current_epoch,
                    at(e.t)
                ));
            }
        }
        current.insert(node.clone(), (e.ev.current_epoch, e.t, line.clone()));
        if e.ev.name == "+vote-for-leader" {
            let d = durable_current.entry(node.clone()).or_insert((0, String::new()));
            if e.ev.failover_epoch >= d.0 {
                *d = (e.ev.failover_epoch, format!("{} {line}", at(e.t)));
            }
        }
        if let Some(m) = &e.ev.master {
            let key = (node.clone(), m.clone());
            if let Some((floor, why)) = durable_config.get(&key) {
                if e.ev.config_epoch < *floor && !config.contains_key(&key) {
                    bad.push(format!(
                        "{node} {m}: config_epoch {} {} after a restart, below the persisted {floor} ({why})",
                        e.ev.config_epoch,
                        at(e.t)
                    ));
                }
            } // The one decrease Redis makes on purpose: observing its promotion, the leader sets the
              // config epoch to its failover epoch, even if a hello meanwhile raised it for the same
              // address (spec §3.2-4); the higher config then wins back through hello.
            let promotion = e.ev.name == "+promoted-slave" && e.ev.config_epoch == e.ev.failover_epoch;
            if let Some(prev) = config.get(&key) {
                if e.ev.config_epoch < prev.0 && !promotion {
                    bad.push(format!(
                        "{node} {m}: config_epoch {} {} ({}) then {} {} ({line})",
                        prev.0,
                        at(prev.1),
                        prev.2,
                        e.ev.config_epoch,
                        at(e.t)
                    ));
                }
            }
            if e.ev.name == "+switch-master" || e.ev.name == "+promoted-slave" {
                durable_config.insert(key.clone(), (e.ev.config_epoch, format!("{} {line}", at(e.t))));
                let d = durable_current.entry(node.clone()).or_insert((0, String::new()));
                if e.ev.current_epoch > d.0 {
                    *d = (e.ev.current_epoch, format!("{} {line}", at(e.t)));
                }
            }
            config.insert(key, (e.ev.config_epoch, e.t, line));
        }
    }
    if !bad.is_empty() {
        return CheckResult::fail(NAME, join(&bad));
    }
    if current.is_empty() {
        return CheckResult::pass(NAME, "no sentinel event in the trace");
    }
    let cfg: Vec<String> = config.iter().map(|((n, _), v)| format!("{n}={}", v.0)).collect();
    let cur: Vec<String> = current.iter().map(|(n, v)| format!("{n}={}", v.0)).collect();
    CheckResult::pass(
        NAME,
        format!(
            "last config epochs: {}; last current epochs: {}; {restarts} restart(s) checked against persisted epochs",
            cfg.join(" "),
            cur.join(" ")
        ),
    )
}

/// The quorum Sentinel `node` uses at time `t`: the scenario's, or the last `sentinel_set quorum`
/// sent via that Sentinel at or before `t`.
fn quorum_at(s: &Scenario, node: &str, t: u64) -> u32 {
    let mut q = s.master.quorum;
    for ta in s.timeline.iter().filter(|ta| ta.at_ms <= t) {
        if let Action::SentinelSet { via, option, value } = &ta.action {
            if via == node && option == "quorum" {
                if let Ok(v) = value.parse() {
                    q = v;
                }
            }
        }
    }
    q
}

/// Epochs of forced failovers (`SENTINEL FAILOVER`), as (sentinel node, master, epoch).
///
/// Rule: an action line `SENTINEL FAILOVER <master> (via <X>)` arms X for that master; the next
/// `+try-failover` X emits for that master is forced if X was not in ODOWN for it at that moment
/// (an automatic failover can only start from ODOWN). Any `+try-failover` disarms. X's ODOWN state
/// is tracked from its `+odown` / `-odown` events and cleared by `+switch-master`, `+reset-master`
/// and by a kill or restart of X. An ODOWN Sentinel's attempt after `SENTINEL FAILOVER` is treated
/// as unforced (conservative: it must then show its votes).
fn forced_failovers(s: &Scenario, trace: &[TraceEvent]) -> BTreeSet<(String, String, u64)> {
    let mut armed: BTreeSet<(String, String)> = BTreeSet::new();
    let mut odown: BTreeSet<(String, String)> = BTreeSet::new();
    let mut forced = BTreeSet::new();
    for e in trace {
        match &e.kind {
            Kind::Action { line } => {
                let kind = ActionKind::of_trace_line(line);
                let words: Vec<&str> = line.split_whitespace().collect();
                match kind {
                    Some(ActionKind::Failover) => {
                        if let (Some(via), Some(m)) = (crate::scenario::trace_line_via(line), words.get(2)) {
                            armed.insert((node_name(s, via), m.to_string()));
                        }
                    }
                    Some(ActionKind::Kill | ActionKind::Restart) => {
                        if let Some(target) = words.get(1) {
                            let n = node_name(s, target);
                            armed.retain(|(x, _)| *x != n);
                            odown.retain(|(x, _)| *x != n);
                        }
                    }
                    _ => {}
                }
            }
            Kind::Sentinel(ev) => {
                let Some(m) = master_of(ev) else { continue };
                let key = (e.node.clone(), m);
                match ev.name.as_str() {
                    "+odown" => {
                        odown.insert(key);
                    }
                    "-odown" | "+switch-master" | "+reset-master" => {
                        odown.remove(&key);
                    }
                    "+try-failover" => {
                        let was_armed = armed.remove(&key);
                        if was_armed && !odown.contains(&key) {
                            forced.insert((key.0, key.1, epoch_of(ev)));
                        }
                    }
                    _ => {}
                }
            }
            Kind::Data { .. } => {}
        }
    }
    forced
}

/// Invariant 5: Every `+elected-leader` by X at epoch E is preceded by `+vote-for-leader <X's id> E` from at
/// least max(quorum, floor(n/2)+1) distinct Sentinels (n = the scenario's Sentinels, X's own vote
/// included), except forced failovers (see [`forced_failovers`]).
fn leader_had_votes(s: &Scenario, trace: &[TraceEvent]) -> CheckResult {
    const NAME: &str = "leader-had-votes";
    let n = s.sentinels.len();
    let forced = forced_failovers(s, trace);
    let votes = named(trace, "+vote-for-leader");
    let mut bad = Vec::new();
    let mut good = Vec::new();
    for e in named(trace, "+elected-leader") {
        let epoch = epoch_of(e.ev);
        let m = master_of(e.ev).unwrap_or_default();
        if forced.contains(&(e.node.to_string(), m.clone(), epoch)) {
            good.push(format!("epoch {epoch}: {} forced (SENTINEL FAILOVER)", e.node));
            continue;
        }
        let need = (quorum_at(s, e.node, e.t) as usize).max(n / 2 + 1);
        let voters: BTreeSet<&str> = votes
            .iter()
            .filter(|v| v.idx < e.idx && is_master(v.ev, &m))
            .filter(|v| vote_of(v.ev).is_some_and(|(r, ep)| r == e.ev.myid && ep == epoch))
            .map(|v| v.node)
            .collect();
        let list = voters.iter().copied().collect::<Vec<_>>().join(", ");
        let line = format!(
            "epoch {epoch}: {} elected {} with {}/{need} votes ({list})",
            e.node,
            at(e.t),
            voters.len()
        );
        if voters.len() >= need {
            good.push(line);
        } else {
            bad.push(line);
        }
    }
    if !bad.is_empty() {
        CheckResult::fail(NAME, join(&bad))
    } else if good.is_empty() {
        CheckResult::pass(NAME, "no +elected-leader in the trace")
    } else {
        CheckResult::pass(NAME, join(&good))
    }
}

/// Invariant 6: No failover state-machine event while the Sentinel is in TILT.
fn no_action_in_tilt(s: &Scenario, trace: &[TraceEvent]) -> CheckResult {
    const NAME: &str = "no-action-in-tilt";
    let evs = sentinel_events(trace);
    let tilts = evs.iter().filter(|e| e.ev.name == "+tilt").count();
    // Sentinel answers every SENTINEL command in TILT (spec §8), so an operator's SENTINEL FAILOVER
    // starts a failover (+try-failover) at once; only the autonomous machinery is suspended. Such a
    // start, by the Sentinel the command went to, is exempt.
    let mut operator_armed: BTreeSet<String> = BTreeSet::new();
    let mut exempt: BTreeSet<usize> = BTreeSet::new();
    for (idx, e) in trace.iter().enumerate() {
        match &e.kind {
            Kind::Action { line } if ActionKind::of_trace_line(line) == Some(ActionKind::Failover) => {
                if let Some(via) = crate::scenario::trace_line_via(line) {
                    operator_armed.insert(node_name(s, via));
                }
            }
            Kind::Sentinel(ev) if ev.name == "+try-failover" && operator_armed.remove(&e.node) && ev.tilt => {
                exempt.insert(idx);
            }
            _ => {}
        }
    }
    let bad: Vec<String> = evs
        .iter()
        .filter(|e| e.ev.tilt && FAILOVER_EVENTS.contains(&e.ev.name.as_str()) && !exempt.contains(&e.idx))
        .map(|e| format!("{} {} {} in TILT", secs(e.t), e.node, trace[e.idx].line()))
        .collect();
    if !bad.is_empty() {
        CheckResult::fail(NAME, join(&bad))
    } else {
        CheckResult::pass(NAME, format!("{tilts} +tilt event(s); no failover step taken in TILT"))
    }
}

/// The single live data node reporting `role:master`, or why there is none.
pub fn final_master(fin: &FinalState) -> Result<&DataFinal, String> {
    let live: Vec<&DataFinal> = fin.data_nodes.iter().filter(|d| d.alive && d.role.is_some()).collect();
    let masters: Vec<&DataFinal> = live
        .iter()
        .copied()
        .filter(|d| d.role.as_deref() == Some("master"))
        .collect();
    match masters.as_slice() {
        [m] => Ok(m),
        [] if live.is_empty() => Err("no live, reachable data node".to_string()),
        [] => Err(format!("no master among the live data nodes ({})", names(&live))),
        ms => Err(format!("{} masters: {}", ms.len(), names(ms))),
    }
}

fn names(ds: &[&DataFinal]) -> String {
    ds.iter()
        .map(|d| format!("{} ({})", d.node, d.addr))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Invariant 7: Final-state convergence: `one-master`, `replicas-follow`, `sentinels-agree` (skipped, as
/// passing, when the last action is less than `settle` before the end).
fn convergence(s: &Scenario, fin: &FinalState) -> Vec<CheckResult> {
    let names3 = ["one-master", "replicas-follow", "sentinels-agree"];
    if !s.settles() {
        let last = s.last_action_ms().unwrap_or(0);
        let d = format!(
            "skipped: last action at {}, settle {}, run ends at {}",
            secs(last),
            short_secs(s.settle_ms),
            secs(s.duration_ms)
        );
        return names3.iter().map(|n| CheckResult::pass(n, d.clone())).collect();
    }
    let unreachable: Vec<&DataFinal> = fin.data_nodes.iter().filter(|d| d.alive && d.role.is_none()).collect();
    let dead: Vec<String> = fin
        .data_nodes
        .iter()
        .filter(|d| !d.alive)
        .map(|d| d.node.clone())
        .collect();
    let mut notes = String::new();
    if !dead.is_empty() {
        notes.push_str(&format!("; down: {}", dead.join(", ")));
    }
    if !unreachable.is_empty() {
        notes.push_str(&format!("; unreachable: {}", names(&unreachable)));
    }
    let master = final_master(fin);
    let one_master = match &master {
        Ok(m) => CheckResult::pass(names3[0], format!("{} ({}) is the only master{notes}", m.node, m.addr)),
        Err(e) => CheckResult::fail(names3[0], format!("{e}{notes}")),
    };
    let live_sentinels: Vec<_> = fin.sentinels.iter().filter(|x| x.alive).collect();
    let views: Vec<String> = live_sentinels
        .iter()
        .map(|x| format!("{}→{}", x.node, x.master_addr.as_deref().unwrap_or("none")))
        .collect();
    // What the live Sentinels agree on, if they all report the same address.
    let consensus: Option<&str> = match live_sentinels.first() {
        Some(first) => first
            .master_addr
            .as_deref()
            .filter(|a| live_sentinels.iter().all(|x| x.master_addr.as_deref() == Some(*a))),
        None => None,
    };
    // The master the others should follow: the single live master, else the Sentinels' choice.
    let reference: Result<&DataFinal, String> = match (&master, consensus) {
        (Ok(m), _) => Ok(*m),
        (Err(e), Some(a)) => fin
            .data_nodes
            .iter()
            .find(|d| d.alive && d.addr == a)
            .ok_or_else(|| format!("{e}; the sentinels' master {a} is not a live data node")),
        (Err(e), None) => Err(format!("{e}; the sentinels do not agree either")),
    };
    let follow = match &reference {
        Err(e) => CheckResult::fail(names3[1], format!("no master to follow: {e}")),
        Ok(m) => {
            let mut bad = Vec::new();
            let mut good = Vec::new();
            for d in fin.data_nodes.iter().filter(|d| d.alive && d.node != m.node) {
                match (d.role.as_deref(), d.master.as_deref(), d.link_up) {
                    (None, _, _) => bad.push(format!("{}: unreachable", d.node)),
                    (Some("slave"), Some(a), Some(true)) if a == m.addr => good.push(d.node.clone()),
                    (Some("slave"), Some(a), link) if a == m.addr => bad.push(format!(
                        "{}: replica of {a} but link {}",
                        d.node,
                        if link == Some(false) { "down" } else { "unknown" }
                    )),
                    (Some("slave"), a, _) => bad.push(format!("{}: replica of {}", d.node, a.unwrap_or("?"))),
                    (Some(r), _, _) => bad.push(format!("{}: role {r}", d.node)),
                }
            }
            if bad.is_empty() {
                let list = if good.is_empty() {
                    "no other live data node".to_string()
                } else {
                    good.join(", ")
                };
                CheckResult::pass(names3[1], format!("following {} with link up: {list}", m.node))
            } else {
                CheckResult::fail(names3[1], format!("master {}; {}", m.node, bad.join(", ")))
            }
        }
    };
    let agree = match consensus {
        _ if live_sentinels.is_empty() => CheckResult::fail(names3[2], "no live sentinel"),
        None => CheckResult::fail(names3[2], format!("sentinels disagree: {}", views.join(", "))),
        Some(a) => match fin.data_nodes.iter().find(|d| d.addr == a) {
            Some(d) if d.alive && d.role.as_deref() == Some("master") => CheckResult::pass(
                names3[2],
                format!("{} live sentinels report {} ({})", live_sentinels.len(), a, d.node),
            ),
            Some(d) if !d.alive => CheckResult::fail(names3[2], format!("sentinels report {a}, which is down")),
            Some(d) => CheckResult::fail(
                names3[2],
                format!(
                    "sentinels report {a}, whose role is {}",
                    d.role.as_deref().unwrap_or("unknown")
                ),
            ),
            None => CheckResult::fail(names3[2], format!("sentinels report {a}, which is no data node")),
        },
    };
    vec![one_master, follow, agree]
}

// ---------------------------------------------------------------------------------------------
// Timeline
// ---------------------------------------------------------------------------------------------

/// When did the Sentinels notice and act, relative to the first fault (`kill→+sdown 3.4s`).
/// Events before the first fault are ignored; without a fault, times count from 0.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Timeline {
    /// Absolute time of the first fault action ([`ActionKind::is_fault`]), if any.
    pub fault_at_ms: Option<u64>,
    /// That action's trace line.
    pub fault: Option<String>,
    /// First `+sdown` of the monitored master (any Sentinel), relative.
    pub sdown_ms: Option<u64>,
    /// First `+odown` of the master, relative.
    pub odown_ms: Option<u64>,
    /// First `+elected-leader`, relative.
    pub elected_ms: Option<u64>,
    /// The epoch of that election.
    pub failover_epoch: Option<u64>,
    /// First `+switch-master` on any Sentinel, relative.
    pub first_switch_ms: Option<u64>,
    /// When every live Sentinel had switched (the latest of their first `+switch-master`), relative;
    /// None unless every live Sentinel switched.
    pub last_switch_ms: Option<u64>,
    /// Each Sentinel's first `+switch-master` after the fault, relative.
    pub switches: Vec<SwitchMark>,
    /// The new master address of the last `+switch-master` in the trace.
    pub new_master: Option<String>,
}

/// A Sentinel's first `+switch-master` after the fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SwitchMark {
    pub node: String,
    pub t_ms: u64,
}

impl Timeline {
    pub fn compute(s: &Scenario, trace: &[TraceEvent], fin: &FinalState) -> Timeline {
        let fault = actions(trace)
            .into_iter()
            .find(|(_, _, l)| ActionKind::of_trace_line(l).is_some_and(ActionKind::is_fault));
        let origin = fault.map(|f| f.1).unwrap_or(0);
        let from = fault.map(|f| f.0).unwrap_or(0);
        let evs: Vec<Sev> = sentinel_events(trace)
            .into_iter()
            .filter(|e| e.idx > from || fault.is_none())
            .collect();
        let master = &s.master.name;
        let first = |name: &str, master_only: bool| {
            evs.iter()
                .find(|e| {
                    e.ev.name == name
                        && is_master(e.ev, master)
                        && (!master_only || e.ev.payload.starts_with("master "))
                })
                .copied()
        };
        let rel = |t: u64| t.saturating_sub(origin);
        let elected = first("+elected-leader", false);
        let mut switches: Vec<SwitchMark> = Vec::new();
        for e in evs
            .iter()
            .filter(|e| e.ev.name == "+switch-master" && is_master(e.ev, master))
        {
            if !switches.iter().any(|w| w.node == e.node) {
                switches.push(SwitchMark {
                    node: e.node.to_string(),
                    t_ms: rel(e.t),
                });
            }
        }
        let live: Vec<&str> = fin
            .sentinels
            .iter()
            .filter(|x| x.alive)
            .map(|x| x.node.as_str())
            .collect();
        let last_switch_ms = if live.is_empty() {
            None
        } else {
            live.iter()
                .map(|n| switches.iter().find(|w| w.node == *n).map(|w| w.t_ms))
                .collect::<Option<Vec<u64>>>()
                .and_then(|v| v.into_iter().max())
        };
        let new_master = sentinel_events(trace)
            .iter()
            .rev()
            .find(|e| e.ev.name == "+switch-master")
            .and_then(|e| {
                let toks: Vec<&str> = e.ev.payload.split_whitespace().collect();
                match toks.as_slice() {
                    [_, _, _, ip, port, ..] => Some(format!("{ip}:{port}")),
                    _ => None,
                }
            });
        Timeline {
            fault_at_ms: fault.map(|f| f.1),
            fault: fault.map(|f| f.2.to_string()),
            sdown_ms: first("+sdown", true).map(|e| rel(e.t)),
            odown_ms: first("+odown", true).map(|e| rel(e.t)),
            elected_ms: elected.map(|e| rel(e.t)),
            failover_epoch: elected.map(|e| epoch_of(e.ev)),
            first_switch_ms: switches.iter().map(|w| w.t_ms).min(),
            last_switch_ms,
            switches,
            new_master,
        }
    }

    /// The fault's action name (`kill`, `failover`, ...), or `start`.
    pub fn origin_label(&self) -> String {
        self.fault
            .as_deref()
            .and_then(ActionKind::of_trace_line)
            .map(|k| k.as_str().to_string())
            .unwrap_or_else(|| "start".to_string())
    }

    /// One line: `kill→+sdown 3.4s  +odown 3.5s  +elected-leader 3.6s  +switch-master 4.7s (all 5.0s)`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        let f = |label: &str, v: Option<u64>| v.map(|ms| format!("{label} {}", short_secs(ms)));
        parts.extend(f("+sdown", self.sdown_ms));
        parts.extend(f("+odown", self.odown_ms));
        parts.extend(f("+elected-leader", self.elected_ms));
        if let Some(first) = self.first_switch_ms {
            let all = match self.last_switch_ms {
                Some(l) => format!("all {}", short_secs(l)),
                None => "not all live sentinels".to_string(),
            };
            parts.push(format!("+switch-master {} ({all})", short_secs(first)));
        }
        if parts.is_empty() {
            format!("{}→ no failover events", self.origin_label())
        } else {
            format!("{}→{}", self.origin_label(), parts.join("  "))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Expectations
// ---------------------------------------------------------------------------------------------

/// One result per field declared in `[expect]`, in the order the fields are documented.
pub fn expectations(
    s: &Scenario,
    trace: &[TraceEvent],
    fin: &FinalState,
    writes: Option<&WritesSummary>,
) -> Vec<CheckResult> {
    let e = &s.expect;
    let tl = Timeline::compute(s, trace, fin);
    let mut out = Vec::new();
    let master = &s.master.name;
    let live: Vec<&str> = fin
        .sentinels
        .iter()
        .filter(|x| x.alive)
        .map(|x| x.node.as_str())
        .collect();
    let switches: Vec<Sev> = named(trace, "+switch-master")
        .into_iter()
        .filter(|x| is_master(x.ev, master))
        .collect();
    let final_m = final_master(fin);
    let final_name = final_m.as_ref().map(|m| m.node.clone());

    if let Some(want) = e.failover {
        let name = format!("failover = {want}");
        let r = if want {
            let missing: Vec<&str> = live
                .iter()
                .copied()
                .filter(|n| !switches.iter().any(|w| w.node == *n))
                .collect();
            let seen: Vec<String> = live
                .iter()
                .filter_map(|n| {
                    switches
                        .iter()
                        .find(|w| w.node == *n)
                        .map(|w| format!("{n} {}", at(w.t)))
                })
                .collect();
            if live.is_empty() {
                CheckResult::fail(&name, "no live sentinel at the end")
            } else if missing.is_empty() {
                CheckResult::pass(
                    &name,
                    format!("+switch-master on every live sentinel: {}", seen.join(", ")),
                )
            } else {
                CheckResult::fail(&name, format!("no +switch-master on {}", missing.join(", ")))
            }
        } else if switches.is_empty() {
            CheckResult::pass(&name, "no +switch-master")
        } else {
            let seen: Vec<String> = switches.iter().map(|w| format!("{} {}", w.node, at(w.t))).collect();
            CheckResult::fail(&name, format!("+switch-master on {}", seen.join(", ")))
        };
        out.push(r);
    }
    if let Some(p) = &e.promoted {
        let name = format!("promoted = [{}]", p.join(", "));
        out.push(match &final_name {
            Ok(m) => CheckResult::new(&name, p.contains(m), format!("final master {m}")),
            Err(err) => CheckResult::fail(&name, format!("no single final master: {err}")),
        });
    }
    if let Some(never) = &e.never_promoted {
        let name = format!("never_promoted = [{}]", never.join(", "));
        let mut bad = Vec::new();
        for x in sentinel_events(trace)
            .iter()
            .filter(|x| x.ev.name == "+selected-slave" || x.ev.name == "+promoted-slave")
        {
            let addr =
                x.ev.candidate
                    .as_ref()
                    .map(|c| c.addr.clone())
                    .or_else(|| payload_addr(&x.ev.payload));
            if let Some(n) = addr.as_deref().and_then(|a| s.name_of(a)) {
                if never.iter().any(|v| v == n) {
                    bad.push(format!("{} {} {}", secs(x.t), x.node, trace[x.idx].line()));
                }
            }
        }
        out.push(if bad.is_empty() {
            CheckResult::pass(&name, "never selected nor promoted")
        } else {
            CheckResult::fail(&name, join(&bad))
        });
    }
    if let Some(want) = &e.final_master {
        let name = format!("final_master = {want}");
        out.push(match &final_name {
            Ok(m) => CheckResult::new(&name, m == want, format!("final master {m}")),
            Err(err) => CheckResult::fail(&name, format!("no single final master: {err}")),
        });
    }
    let origin = tl.origin_label();
    if let Some(max) = e.max_detection_ms {
        let name = format!("max_detection = {}", short_secs(max));
        out.push(match (tl.fault_at_ms, tl.odown_ms) {
            (None, _) => CheckResult::fail(&name, "no fault action in the trace"),
            (_, None) => CheckResult::fail(&name, format!("no +odown of the master after the {origin}")),
            (_, Some(d)) => CheckResult::new(&name, d <= max, format!("{origin}→+odown {}", short_secs(d))),
        });
    }
    if let Some(max) = e.max_failover_ms {
        let name = format!("max_failover = {}", short_secs(max));
        out.push(match (tl.fault_at_ms, tl.last_switch_ms) {
            (None, _) => CheckResult::fail(&name, "no fault action in the trace"),
            (_, None) => {
                let done: Vec<String> = tl.switches.iter().map(|w| w.node.clone()).collect();
                CheckResult::fail(
                    &name,
                    format!(
                        "not every live sentinel switched after the {origin} (switched: {})",
                        list_or_none(&done)
                    ),
                )
            }
            (_, Some(d)) => CheckResult::new(
                &name,
                d <= max,
                format!("{origin}→+switch-master on every live sentinel {}", short_secs(d)),
            ),
        });
    }
    if let Some(want) = e.tilt {
        let name = format!("tilt = {want}");
        let tilts: Vec<String> = named(trace, "+tilt")
            .iter()
            .map(|x| format!("{} {}", x.node, at(x.t)))
            .collect();
        let detail = if tilts.is_empty() {
            "no +tilt".to_string()
        } else {
            format!("+tilt on {}", tilts.join(", "))
        };
        out.push(CheckResult::new(&name, tilts.is_empty() != want, detail));
    }
    let writes_check = |out: &mut Vec<CheckResult>,
                        name: String,
                        get: &dyn Fn(&WritesSummary) -> (u64, String),
                        ok: &dyn Fn(u64) -> bool| {
        out.push(match writes {
            None => CheckResult::fail(&name, "no client workload in this scenario"),
            Some(w) => {
                let (v, d) = get(w);
                CheckResult::new(&name, ok(v), d)
            }
        });
    };
    let lost = |w: &WritesSummary| {
        (
            w.lost,
            format!(
                "{} of {} acknowledged writes lost ({:.1}%)",
                w.lost, w.acknowledged, w.lost_pct
            ),
        )
    };
    let lost_heal = |w: &WritesSummary| {
        (
            w.lost_after_heal,
            format!("{} acknowledged writes lost after the last heal", w.lost_after_heal),
        )
    };
    if let Some(max) = e.lost_writes_max {
        writes_check(&mut out, format!("lost_writes_max = {max}"), &lost, &|v| v <= max);
    }
    if let Some(min) = e.lost_writes_min {
        writes_check(&mut out, format!("lost_writes_min = {min}"), &lost, &|v| v >= min);
    }
    if let Some(max) = e.lost_writes_after_heal_max {
        writes_check(
            &mut out,
            format!("lost_writes_after_heal_max = {max}"),
            &lost_heal,
            &|v| v <= max,
        );
    }
    if let Some(min) = e.lost_writes_after_heal_min {
        writes_check(
            &mut out,
            format!("lost_writes_after_heal_min = {min}"),
            &lost_heal,
            &|v| v >= min,
        );
    }
    if let Some(max) = e.converged_within_ms {
        out.push(converged_within(trace, fin, max));
    }
    let epochs: Vec<(String, u64)> = fin
        .sentinels
        .iter()
        .filter_map(|x| x.current_epoch.map(|c| (x.node.clone(), c)))
        .collect();
    let top = epochs.iter().map(|e| e.1).max();
    let epoch_detail = || {
        format!(
            "final current epochs: {}",
            list_or_none(&epochs.iter().map(|(n, e)| format!("{n}={e}")).collect::<Vec<_>>())
        )
    };
    if let Some(min) = e.min_epoch {
        let name = format!("min_epoch = {min}");
        out.push(CheckResult::new(&name, top.is_some_and(|t| t >= min), epoch_detail()));
    }
    if let Some(max) = e.max_epoch {
        let name = format!("max_epoch = {max}");
        out.push(CheckResult::new(&name, top.is_some_and(|t| t <= max), epoch_detail()));
    }
    let after_fault: Vec<Sev> = sentinel_events(trace)
        .into_iter()
        .filter(|x| tl.fault_at_ms.is_none_or(|f| x.t >= f))
        .collect();
    if let Some(names) = &e.seen {
        let name = format!("seen = [{}]", names.join(", "));
        let mut missing = Vec::new();
        let mut found = Vec::new();
        for n in names {
            match after_fault.iter().find(|x| x.ev.name == *n) {
                Some(x) => found.push(format!("{n} on {} {}", x.node, at(x.t))),
                None => missing.push(n.clone()),
            }
        }
        out.push(if missing.is_empty() {
            CheckResult::pass(&name, found.join(", "))
        } else {
            CheckResult::fail(
                &name,
                format!("never emitted after the {origin}: {}", missing.join(", ")),
            )
        });
    }
    if let Some(names) = &e.not_seen {
        let name = format!("not_seen = [{}]", names.join(", "));
        let bad: Vec<String> = sentinel_events(trace)
            .iter()
            .filter(|x| names.contains(&x.ev.name))
            .map(|x| format!("{} {} {}", secs(x.t), x.node, trace[x.idx].line()))
            .collect();
        out.push(if bad.is_empty() {
            CheckResult::pass(&name, "none emitted")
        } else {
            CheckResult::fail(&name, join(&bad))
        });
    }
    out
}

fn list_or_none(v: &[String]) -> String {
    if v.is_empty() {
        "none".to_string()
    } else {
        v.join(", ")
    }
}

/// Events that change the replication configuration (their last one after the last heal is when
/// the system converged).
const CONFIG_EVENTS: [&str; 7] = [
    "+switch-master",
    "+promoted-slave",
    "+slave-reconf-done",
    "+failover-end",
    "+failover-end-for-timeout",
    "+convert-to-slave",
    "+fix-slave-config",
];

/// Data node log lines that mark a replication change completing.
const DATA_CONFIG_LINES: [&str; 3] = [
    "sync: Finished with success",
    "MASTER MODE enabled",
    "Synchronization with replica",
];

/// `converged_within`: the final state is converged (one master, replicas following, sentinels
/// agreeing) and the last configuration change (Sentinel: `+switch-master`, `+convert-to-slave`,
/// `+fix-slave-config`, `+slave-reconf-done`, `+failover-end`...; data node: sync finished, master
/// mode enabled) happened within the bound after the last undoing action (heal, restart, resume,
/// net_reset, clock_reset; or the first fault if there is none).
fn converged_within(trace: &[TraceEvent], fin: &FinalState, max: u64) -> CheckResult {
    let name = format!("converged_within = {}", short_secs(max));
    let acts = actions(trace);
    let heal = acts
        .iter()
        .rev()
        .find(|(_, _, l)| ActionKind::of_trace_line(l).is_some_and(ActionKind::is_heal));
    let origin = heal.or_else(|| {
        acts.iter()
            .find(|(_, _, l)| ActionKind::of_trace_line(l).is_some_and(ActionKind::is_fault))
    });
    let (from_idx, from_t, label) = match origin {
        Some((i, t, l)) => (*i, *t, l.split_whitespace().next().unwrap_or("action").to_string()),
        None => (0, 0, "start".to_string()),
    };
    let conv = convergence_now(fin);
    if let Err(why) = conv {
        return CheckResult::fail(&name, format!("not converged at the end: {why}"));
    }
    let mut last = trace.iter().enumerate().skip(from_idx).filter(|(_, e)| match &e.kind {
        Kind::Sentinel(ev) => CONFIG_EVENTS.contains(&ev.name.as_str()),
        Kind::Data { line } => DATA_CONFIG_LINES.iter().any(|p| line.contains(p)),
        Kind::Action { .. } => false,
    });
    match last.next_back() {
        None => CheckResult::pass(
            &name,
            format!("no configuration change after the {label} at {}", secs(from_t)),
        ),
        Some((_, e)) => {
            let d = e.t_ms.saturating_sub(from_t);
            CheckResult::new(
                &name,
                d <= max,
                format!(
                    "{label}→last change {} ({} {} {})",
                    short_secs(d),
                    secs(e.t_ms),
                    e.node,
                    e.line()
                ),
            )
        }
    }
}

/// Whether the final state is converged (ignoring settle): one master, live replicas following it
/// with link up, live sentinels agreeing.
fn convergence_now(fin: &FinalState) -> Result<(), String> {
    let m = final_master(fin)?;
    for d in fin.data_nodes.iter().filter(|d| d.alive && d.node != m.node) {
        if d.role.as_deref() != Some("slave") || d.master.as_deref() != Some(m.addr.as_str()) || d.link_up != Some(true)
        {
            return Err(format!("{} does not follow {}", d.node, m.node));
        }
    }
    for x in fin.sentinels.iter().filter(|x| x.alive) {
        if x.master_addr.as_deref() != Some(m.addr.as_str()) {
            return Err(format!(
                "{} reports {}",
                x.node,
                x.master_addr.as_deref().unwrap_or("none")
            ));
        }
    }
    Ok(())
}

/// True when every result passed.
pub fn all_ok(results: &[CheckResult]) -> bool {
    results.iter().all(|r| r.ok)
}
