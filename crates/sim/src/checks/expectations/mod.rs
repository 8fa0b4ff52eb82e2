//! Expectations: what a scenario's `[expect]` says should happen. One result per declared field,
//! in the order the fields are documented (see [`crate::scenario::Expect`]); each field's check
//! lives in the file of its kind:
//! - `outcome`: `failover`, `promoted`, `never_promoted`, `final_master`;
//! - `timing`: `max_detection`, `max_failover`;
//! - `writes`: `lost_writes_*`;
//! - `converged`: `converged_within`;
//! - `events`: `tilt`, `min_epoch`, `max_epoch`, `seen`, `not_seen`.
//!
//! Adding an expectation: a field in `Expect` (scenario/types.rs) with its parsing and validation
//! (scenario/raw.rs, scenario/validate/expect.rs) and TOML writing (scenario/toml_writer.rs), a
//! check function here, and one line in [`expectations`].

mod converged;
mod events;
mod outcome;
mod timing;
mod writes;

use super::final_state::final_master;
use super::{CheckResult, Timeline};
use crate::report::WritesSummary;
use crate::scenario::Scenario;
use crate::trace::{FinalState, TraceEvent};

/// What the expectations judge from: the run's trace and final state, the client writes, and the
/// timeline computed from them.
pub(crate) struct Run<'a> {
    pub s: &'a Scenario,
    pub trace: &'a [TraceEvent],
    pub fin: &'a FinalState,
    pub writes: Option<&'a WritesSummary>,
    pub tl: Timeline,
    /// The final master's node name, or why there is no single one.
    pub final_name: Result<String, String>,
}

/// One result per field declared in `[expect]`, in the order the fields are documented.
pub fn expectations(
    s: &Scenario,
    trace: &[TraceEvent],
    fin: &FinalState,
    writes: Option<&WritesSummary>,
) -> Vec<CheckResult> {
    let e = &s.expect;
    let r = Run {
        s,
        trace,
        fin,
        writes,
        tl: Timeline::compute(s, trace, fin),
        final_name: final_master(fin).map(|m| m.node.clone()),
    };
    let mut out = Vec::new();
    out.extend(e.failover.map(|want| outcome::failover(&r, want)));
    out.extend(e.promoted.as_ref().map(|p| outcome::promoted(&r, p)));
    out.extend(e.never_promoted.as_ref().map(|n| outcome::never_promoted(&r, n)));
    out.extend(e.final_master.as_ref().map(|m| outcome::final_master(&r, m)));
    out.extend(e.max_detection_ms.map(|max| timing::max_detection(&r, max)));
    out.extend(e.max_failover_ms.map(|max| timing::max_failover(&r, max)));
    out.extend(e.tilt.map(|want| events::tilt(&r, want)));
    out.extend(e.lost_writes_max.map(|max| writes::lost_max(&r, max)));
    out.extend(e.lost_writes_min.map(|min| writes::lost_min(&r, min)));
    out.extend(
        e.lost_writes_after_heal_max
            .map(|max| writes::lost_after_heal_max(&r, max)),
    );
    out.extend(
        e.lost_writes_after_heal_min
            .map(|min| writes::lost_after_heal_min(&r, min)),
    );
    out.extend(e.converged_within_ms.map(|max| converged::converged_within(&r, max)));
    out.extend(e.min_epoch.map(|min| events::min_epoch(&r, min)));
    out.extend(e.max_epoch.map(|max| events::max_epoch(&r, max)));
    out.extend(e.seen.as_ref().map(|names| events::seen(&r, names)));
    out.extend(e.not_seen.as_ref().map(|names| events::not_seen(&r, names)));
    out
}

/// `a, b, c`, or `none` for an empty list.
fn list_or_none(v: &[String]) -> String {
    if v.is_empty() {
        "none".to_string()
    } else {
        v.join(", ")
    }
}
