//! What `diff` compares of one run, taken from its results JSON ([`RunReport`]): the same
//! extraction for a simulator seed and a real run, so that any difference is in the runs.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::report::{EventKind, EventLine, RunReport};
use crate::trace::Level;
use sentinel_core::event::SubjectRole;

/// The milestones, in table order: (key, unit). Times count from the first fault
/// (`Timeline::fault_at_ms`), as in the results JSON's `timeline`.
pub const METRICS: [(&str, Unit); 6] = [
    ("+sdown", Unit::Ms),
    ("+odown", Unit::Ms),
    ("+elected-leader", Unit::Ms),
    ("+switch-master first", Unit::Ms),
    ("+switch-master all", Unit::Ms),
    ("lost writes", Unit::Writes),
];

/// What a metric counts: milliseconds after the fault, or acknowledged writes lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Ms,
    Writes,
}

/// Sentinel events whose presence says nothing about the scenario, only about the host or the
/// instant of a probe; they are listed in the events table but never judged:
/// - `+tilt` / `-tilt`: a real process enters TILT when the host stalls it for 2 s;
/// - `+reboot`: only when an INFO reply shows a restarted run id before the instance is SDOWN.
pub const UNJUDGED_EVENTS: [&str; 3] = ["+tilt", "-tilt", "+reboot"];

/// The failover events of the per-role sequences (the order a Sentinel first published each).
/// `+sdown` / `-sdown` count only about the master; `+slave`, `+sentinel` and the like describe
/// discovery, not the failover.
const FAILOVER_EVENTS: [&str; 24] = [
    "+sdown",
    "-sdown",
    "+odown",
    "-odown",
    "+new-epoch",
    "+try-failover",
    "+vote-for-leader",
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
    "+failover-end",
    "+failover-end-for-timeout",
    "+switch-master",
    "+config-update-from",
    "-failover-abort-not-elected",
    "-failover-abort-no-good-slave",
    "-failover-abort-slave-timeout",
];

/// One run as `diff` sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunFacts {
    /// `seed 7` or `run 2 (seed 2)`.
    pub label: String,
    /// The seed it was played with (a real run: the seed whose start phases it used).
    pub seed: u64,
    /// The run's own checks all passed.
    pub ok: bool,
    /// Some Sentinel published `+switch-master` after the fault.
    pub failover: bool,
    /// The master address the live Sentinels report at the end (several joined by ` / ` when they
    /// disagree; `none` when no Sentinel is alive).
    pub final_master: String,
    /// The highest `current_epoch` among the live Sentinels at the end.
    pub final_epoch: Option<u64>,
    /// Names of the Sentinel events published at any time in the run.
    pub events: BTreeSet<String>,
    /// [`METRICS`] values present in this run.
    pub metrics: BTreeMap<String, u64>,
    /// The failover leader's sequence (the first `+elected-leader` after the fault), if any.
    pub leader_seq: Option<Vec<String>>,
    /// Every other Sentinel's sequence.
    pub observer_seqs: Vec<Vec<String>>,
}

impl RunFacts {
    pub fn of(label: &str, r: &RunReport) -> RunFacts {
        let after = after_fault(r);
        let leader = after
            .iter()
            .find(|e| e.event.as_ref().is_some_and(|b| b.name() == "+elected-leader"))
            .map(|e| e.node.clone());
        let mut observer_seqs = Vec::new();
        let mut leader_seq = None;
        for s in &r.final_state.sentinels {
            let seq = sequence(&after, &s.node);
            if leader.as_deref() == Some(s.node.as_str()) {
                leader_seq = Some(seq);
            } else {
                observer_seqs.push(seq);
            }
        }
        RunFacts {
            label: label.to_string(),
            seed: r.seed,
            ok: r.ok,
            failover: r.timeline.first_switch_ms.is_some(),
            final_master: final_master(r),
            final_epoch: r
                .final_state
                .sentinels
                .iter()
                .filter(|s| s.alive)
                .filter_map(|s| s.current_epoch)
                .max(),
            events: r
                .events
                .iter()
                .filter(|e| logged(e))
                .filter_map(|e| e.event.as_ref().map(|b| b.name().to_string()))
                .collect(),
            metrics: metrics(r),
            leader_seq,
            observer_seqs,
        }
    }
}

/// A Sentinel event at `notice` or `warning`: what a Sentinel logs at its default loglevel. The
/// real runs read the Sentinels' logs, so `verbose` events (`+role-change`, `-role-change`) never
/// show there, while the simulator traces every level; comparing them would compare log levels.
fn logged(e: &EventLine) -> bool {
    e.kind == EventKind::Sentinel && matches!(e.level, Some(Level::Notice | Level::Warning))
}

/// The logged Sentinel events from the first fault on (all of them without a fault).
fn after_fault(r: &RunReport) -> Vec<&EventLine> {
    let from = r.timeline.fault_at_ms.unwrap_or(0);
    r.events.iter().filter(|e| logged(e) && e.t_ms >= from).collect()
}

/// The distinct failover events of `node`, in the order it first published them.
fn sequence(evs: &[&EventLine], node: &str) -> Vec<String> {
    let mut seq: Vec<String> = Vec::new();
    for e in evs.iter().filter(|e| e.node == node) {
        let Some(body) = &e.event else { continue };
        let name = body.name();
        let about_master = body.subject().is_none_or(|s| s.role == SubjectRole::Master);
        let relevant = FAILOVER_EVENTS.contains(&name) && (!name.ends_with("sdown") || about_master);
        if relevant && !seq.iter().any(|x| x == name) {
            seq.push(name.to_string());
        }
    }
    seq
}

fn final_master(r: &RunReport) -> String {
    let masters: BTreeSet<String> = r
        .final_state
        .sentinels
        .iter()
        .filter(|s| s.alive)
        .map(|s| s.master_addr.clone().unwrap_or_else(|| "unknown".into()))
        .collect();
    if masters.is_empty() {
        "none".into()
    } else {
        masters.into_iter().collect::<Vec<_>>().join(" / ")
    }
}

fn metrics(r: &RunReport) -> BTreeMap<String, u64> {
    let t = &r.timeline;
    let lost = r.writes.as_ref().map(|w| w.lost);
    let values = [
        t.sdown_ms,
        t.odown_ms,
        t.elected_ms,
        t.first_switch_ms,
        t.last_switch_ms,
        lost,
    ];
    METRICS
        .iter()
        .zip(values)
        .filter_map(|((k, _), v)| v.map(|v| (k.to_string(), v)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bundled example results (master_kill, seed 1): what a simulator seed gives `diff`.
    fn example() -> RunReport {
        let p =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sim-results/examples/master_kill-seed-1.json");
        let text = std::fs::read_to_string(&p).expect("the bundled example results");
        serde_json::from_str(&text).expect("a results JSON")
    }

    #[test]
    fn facts_of_a_master_kill_run() {
        let f = RunFacts::of("seed 1", &example());
        assert!(f.failover);
        assert_eq!(f.final_master, "127.0.0.1:6383");
        assert_eq!(f.final_epoch, Some(1));
        assert_eq!(f.metrics["+sdown"], 3063);
        assert_eq!(f.metrics["+switch-master all"], 5273);
        assert!(!f.metrics.contains_key("lost writes"), "no clients in master_kill");
        // Verbose-level events are not compared (the real runs read notice-level logs).
        assert!(!f.events.contains("-role-change"));
        assert!(f.events.contains("+failover-end"));
        let leader = f.leader_seq.expect("sentinel-5000 led the failover");
        assert_eq!(&leader[..3], ["+sdown", "+odown", "+new-epoch"]);
        assert_eq!(leader.last().map(String::as_str), Some("+switch-master"));
        assert_eq!(f.observer_seqs.len(), 2);
        assert!(f
            .observer_seqs
            .iter()
            .all(|s| !s.contains(&"+elected-leader".to_string())));
    }
}
