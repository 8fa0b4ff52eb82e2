//! Invariants (safety properties that must hold in every run) and expectations (what a scenario
//! says should happen), computed from the trace and the final state only.
//!
//! Every check always yields a [`CheckResult`], passing or failing, with a detail an operator can
//! read: on success what was verified ("epoch 1: leader sentinel-5000"), on failure the offending
//! events with their simulated times.
//!
//! Layout: one file per invariant (its doc comment names the evidence it judges from), listed once
//! in [`INVARIANTS`]; adding an invariant = one file + one line there. `expectations/` holds the
//! `[expect]` checks, `timeline` the run's detection/failover times, `trace_view` and
//! `final_state` the shared reading of the evidence.

mod config_epoch_monotonic;
mod config_epoch_monotonic_probe;
mod data_safety;
mod disturbed;
mod expectations;
mod failover_attempt_spacing;
mod failover_timeouts;
mod final_state;
mod leader_had_votes;
mod leader_reconfigures_replicas;
mod no_action_in_tilt;
mod no_bad_promotion;
mod no_bad_promotion_probe;
mod no_failover_without_outage;
mod one_leader_per_epoch;
mod one_leader_per_epoch_log;
mod one_master;
mod one_vote_per_epoch;
mod one_vote_per_epoch_log;
mod outage;
mod parallel_syncs;
mod promotion_choice;
mod promotions;
mod replicas_follow;
mod sdown_needs_outage;
mod sentinels_agree;
mod tilt_from_clock;
mod timeline;
pub(crate) mod trace_view;
pub(crate) mod truth_view;
mod vote_persisted;

use serde::{Deserialize, Serialize};

pub use expectations::expectations;
pub use final_state::final_master;
pub use no_action_in_tilt::FAILOVER_EVENTS;
pub use timeline::{SwitchMark, Timeline};

use crate::report::WritesSummary;
use crate::scenario::Scenario;
use crate::trace::{FinalState, TraceEvent};

/// The outcome of one invariant or expectation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResult {
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

impl CheckResult {
    pub fn pass(name: &str, detail: impl Into<String>) -> CheckResult {
        CheckResult::new(name, true, detail)
    }
    pub fn fail(name: &str, detail: impl Into<String>) -> CheckResult {
        CheckResult::new(name, false, detail)
    }
    pub(crate) fn new(name: &str, ok: bool, detail: impl Into<String>) -> CheckResult {
        CheckResult {
            name: name.to_string(),
            ok,
            detail: detail.into(),
        }
    }
}

/// What an invariant judges from: the scenario, the run's trace (with its ground truth: world
/// facts and wire messages), its final state and, with clients, the write analysis.
pub struct Evidence<'a> {
    pub scenario: &'a Scenario,
    pub trace: &'a [TraceEvent],
    pub fin: &'a FinalState,
    pub writes: Option<&'a WritesSummary>,
}

/// One invariant: its name (as in the results JSON) and its check.
pub struct Invariant {
    pub name: &'static str,
    pub check: fn(&Evidence) -> CheckResult,
}

/// Every invariant, in the order [`invariants`] reports them. The first six judge from ground
/// truth (the wire and the world's facts); the `-log` and `-probe` ones are second opinions.
pub const INVARIANTS: [Invariant; 23] = [
    Invariant {
        name: one_leader_per_epoch::NAME,
        check: one_leader_per_epoch::check,
    },
    Invariant {
        name: one_vote_per_epoch::NAME,
        check: one_vote_per_epoch::check,
    },
    Invariant {
        name: no_bad_promotion::NAME,
        check: no_bad_promotion::check,
    },
    Invariant {
        name: no_failover_without_outage::NAME,
        check: no_failover_without_outage::check,
    },
    Invariant {
        name: tilt_from_clock::NAME,
        check: tilt_from_clock::check,
    },
    Invariant {
        name: data_safety::NAME,
        check: data_safety::check,
    },
    Invariant {
        name: config_epoch_monotonic::NAME,
        check: config_epoch_monotonic::check,
    },
    Invariant {
        name: leader_had_votes::NAME,
        check: leader_had_votes::check,
    },
    Invariant {
        name: no_action_in_tilt::NAME,
        check: no_action_in_tilt::check,
    },
    Invariant {
        name: vote_persisted::NAME,
        check: vote_persisted::check,
    },
    Invariant {
        name: failover_attempt_spacing::NAME,
        check: failover_attempt_spacing::check,
    },
    Invariant {
        name: sdown_needs_outage::NAME,
        check: sdown_needs_outage::check,
    },
    // Failover timing and reconfiguration (spec §6), from the wire, the world and the logs.
    Invariant {
        name: failover_timeouts::NAME,
        check: failover_timeouts::check,
    },
    Invariant {
        name: leader_reconfigures_replicas::NAME,
        check: leader_reconfigures_replicas::check,
    },
    Invariant {
        name: parallel_syncs::NAME,
        check: parallel_syncs::check,
    },
    // Which replica is promoted (spec §6.3), from the wire and the world's replication facts.
    Invariant {
        name: promotion_choice::NAME,
        check: promotion_choice::check,
    },
    // Second opinions: the same properties judged from the Sentinels' logs and the core's view.
    Invariant {
        name: one_leader_per_epoch_log::NAME,
        check: one_leader_per_epoch_log::check,
    },
    Invariant {
        name: one_vote_per_epoch_log::NAME,
        check: one_vote_per_epoch_log::check,
    },
    Invariant {
        name: no_bad_promotion_probe::NAME,
        check: no_bad_promotion_probe::check,
    },
    Invariant {
        name: config_epoch_monotonic_probe::NAME,
        check: config_epoch_monotonic_probe::check,
    },
    // Final-state convergence (skipped, as passing, when the run has no time to settle). They are
    // also the liveness bound: after the last action plus `settle`, one master, followed and agreed.
    Invariant {
        name: one_master::NAME,
        check: one_master::check,
    },
    Invariant {
        name: replicas_follow::NAME,
        check: replicas_follow::check,
    },
    Invariant {
        name: sentinels_agree::NAME,
        check: sentinels_agree::check,
    },
];

/// Runs every invariant; the result always lists all of them (see [`INVARIANTS`]).
pub fn invariants(
    s: &Scenario,
    trace: &[TraceEvent],
    fin: &FinalState,
    writes: Option<&WritesSummary>,
) -> Vec<CheckResult> {
    let ev = Evidence {
        scenario: s,
        trace,
        fin,
        writes,
    };
    INVARIANTS.iter().map(|i| (i.check)(&ev)).collect()
}

/// True when every result passed.
pub fn all_ok(results: &[CheckResult]) -> bool {
    results.iter().all(|r| r.ok)
}
