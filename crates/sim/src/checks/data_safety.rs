//! Invariant `data-safety`: no acknowledged write is lost in a run whose faults could not cause
//! a loss. A run is judged only when nothing in it could legitimately lose writes: no partition,
//! isolation or one-way cut involving a node that was a master then, no kill, pause or restart
//! of such a node, no forced failover or operator `REPLICAOF`, no clock fault on a Sentinel, no
//! latency or loss on the whole network or on a master's links, and no `SENTINEL SET`/`RESET`
//! (which can change when a failover starts). Other runs report "not judged" and why.
//!
//! Evidence: the world's record of what it did (the trace's actions, including each fault a
//! `random_faults` entry injected), who was a master when (the data nodes' replication facts,
//! else the scenario's master), and the write analysis (`RunReport.writes`: acknowledged writes
//! read back over RESP from the final master).

use super::trace_view::{actions, at};
use super::truth_view::facts;
use super::{CheckResult, Evidence};
use crate::scenario::Action;
use crate::trace::{Fact, Role, TraceEvent};
use std::collections::BTreeSet;

pub const NAME: &str = "data-safety";

pub fn check(ev: &Evidence) -> CheckResult {
    let Some(w) = ev.writes else {
        return CheckResult::pass(NAME, "no clients: nothing written");
    };
    let s = ev.scenario;
    let sentinels: BTreeSet<&str> = s.sentinels.iter().map(|x| x.name.as_str()).collect();
    for (_, t, a) in actions(ev.trace) {
        let masters = masters_at(ev.trace, &s.master.node, t);
        if let Some(why) = can_lose(&a, &masters, &sentinels) {
            return CheckResult::pass(
                NAME,
                format!(
                    "not judged: {why} {} could lose writes ({} acknowledged, {} lost)",
                    at(t),
                    w.acknowledged,
                    w.lost
                ),
            );
        }
    }
    if w.lost > 0 {
        return CheckResult::fail(
            NAME,
            format!(
                "{} of {} acknowledged writes lost although no fault of the run could lose any",
                w.lost, w.acknowledged
            ),
        );
    }
    CheckResult::pass(
        NAME,
        format!(
            "{} acknowledged writes, none lost; no fault of the run could lose any",
            w.acknowledged
        ),
    )
}

/// The data nodes that were masters at `t` by their replication facts (the scenario's master
/// before any).
fn masters_at(trace: &[TraceEvent], scenario_master: &str, t: u64) -> BTreeSet<String> {
    let mut roles: std::collections::BTreeMap<&str, Role> = std::collections::BTreeMap::new();
    for (ft, f) in facts(trace) {
        if ft > t {
            break;
        }
        if let Fact::Replication { node, role, .. } = f {
            roles.insert(node, *role);
        }
    }
    let mut m: BTreeSet<String> = roles
        .iter()
        .filter(|(_, r)| **r == Role::Master)
        .map(|(n, _)| n.to_string())
        .collect();
    m.insert(scenario_master.to_string());
    m
}

/// Why an action could lose acknowledged writes, if it can.
fn can_lose(a: &Action, masters: &BTreeSet<String>, sentinels: &BTreeSet<&str>) -> Option<String> {
    let master = |n: &String| masters.contains(n);
    let any_master = |ns: &[String]| ns.iter().any(master);
    let why = |what: &str| Some(what.to_string());
    match a {
        Action::Kill { node } | Action::Pause { node } | Action::Restart { node, .. } if master(node) => {
            why(&format!("{} of master {node}", a.kind().as_str()))
        }
        Action::Partition { .. } | Action::Heal => {
            // Any partition separates a master from someone (a heal only undoes one).
            matches!(a, Action::Partition { .. }).then(|| "a partition".to_string())
        }
        Action::Isolate { node } if master(node) => why(&format!("isolation of master {node}")),
        Action::PartitionOneway { from, to } if any_master(from) || any_master(to) => {
            why("a one-way cut involving a master")
        }
        Action::Latency { nodes, from, to, .. } | Action::Loss { nodes, from, to, .. } => {
            let touched = [nodes, from, to].iter().any(|ns| ns.as_deref().is_some_and(any_master));
            let global = nodes.is_none() && from.is_none() && to.is_none();
            (global || touched).then(|| format!("{} on a master's links", a.kind().as_str()))
        }
        Action::Failover { .. } => why("a forced failover"),
        Action::Replicaof { .. } => why("an operator REPLICAOF"),
        Action::SentinelSet { .. } | Action::SentinelReset { .. } => why("a SENTINEL SET/RESET"),
        Action::ClockSkew { node, .. }
        | Action::ClockJump { node, .. }
        | Action::ClockDrift { node, .. }
        | Action::ClockStrobe { node, .. }
        | Action::ClockReset { node }
            if sentinels.contains(node.as_str()) =>
        {
            why(&format!("a clock fault on {node}"))
        }
        _ => None,
    }
}
