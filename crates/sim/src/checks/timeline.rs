//! The run's timeline: when the Sentinels noticed and acted, relative to the first fault
//! (`kill→+sdown 3.4s`). Part of the results JSON and the input of `max_detection` /
//! `max_failover`.

use serde::{Deserialize, Serialize};

use super::trace_view::{actions, is_master, sentinel_events, Sev};
use crate::duration::short_secs;
use crate::scenario::{ActionKind, Scenario};
use crate::trace::{EventBody, FinalState, TraceEvent};
use sentinel_core::event::SubjectRole;

/// When did the Sentinels notice and act, relative to the first fault (`kill→+sdown 3.4s`).
/// Events before the first fault are ignored; without a fault, times count from 0.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Timeline {
    /// Absolute time of the first fault action ([`ActionKind::is_fault`]), if any.
    pub fault_at_ms: Option<u64>,
    /// That action's trace line.
    pub fault: Option<String>,
    /// That action's kind (schema 2).
    pub fault_kind: Option<ActionKind>,
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SwitchMark {
    pub node: String,
    pub t_ms: u64,
}

impl Timeline {
    pub fn compute(s: &Scenario, trace: &[TraceEvent], fin: &FinalState) -> Timeline {
        let fault = actions(trace).into_iter().find(|(_, _, a)| a.kind().is_fault());
        let origin = fault.as_ref().map(|f| f.1).unwrap_or(0);
        let from = fault.as_ref().map(|f| f.0).unwrap_or(0);
        let evs: Vec<Sev> = sentinel_events(trace)
            .into_iter()
            .filter(|e| e.idx > from || fault.is_none())
            .collect();
        let master = &s.master.name;
        let first = |name: &str, master_only: bool| {
            evs.iter()
                .find(|e| {
                    e.ev.name() == name
                        && is_master(e.ev, master)
                        && (!master_only || e.ev.body.subject().is_some_and(|s| s.role == SubjectRole::Master))
                })
                .copied()
        };
        let rel = |t: u64| t.saturating_sub(origin);
        let elected = first("+elected-leader", false);
        let mut switches: Vec<SwitchMark> = Vec::new();
        for e in evs
            .iter()
            .filter(|e| e.ev.name() == "+switch-master" && is_master(e.ev, master))
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
        let new_master = sentinel_events(trace).iter().rev().find_map(|e| match &e.ev.body {
            EventBody::SwitchMaster { to, .. } => Some(format!("{}:{}", to.ip, to.port)),
            _ => None,
        });
        Timeline {
            fault_at_ms: fault.as_ref().map(|f| f.1),
            fault: fault.as_ref().map(|f| trace[f.0].line()),
            fault_kind: fault.as_ref().map(|f| f.2.kind()),
            sdown_ms: first("+sdown", true).map(|e| rel(e.t)),
            odown_ms: first("+odown", true).map(|e| rel(e.t)),
            elected_ms: elected.map(|e| rel(e.t)),
            failover_epoch: elected.map(|e| e.epoch),
            first_switch_ms: switches.iter().map(|w| w.t_ms).min(),
            last_switch_ms,
            switches,
            new_master,
        }
    }

    /// The fault's action name (`kill`, `failover`, ...), or `start`.
    pub fn origin_label(&self) -> String {
        self.fault_kind
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
