//! `max_detection`, `max_failover`: how fast the Sentinels noticed and failed over.
//!
//! Evidence: the run's [`crate::checks::Timeline`] (first fault action, first `+odown` of the
//! master, `+switch-master` on every live Sentinel).

use super::{list_or_none, Run};
use crate::checks::CheckResult;
use crate::duration::short_secs;

/// `max_detection`: from the first fault action to the first `+odown` of the master.
pub(super) fn max_detection(r: &Run, max: u64) -> CheckResult {
    let name = format!("max_detection = {}", short_secs(max));
    let origin = r.tl.origin_label();
    match (r.tl.fault_at_ms, r.tl.odown_ms) {
        (None, _) => CheckResult::fail(&name, "no fault action in the trace"),
        (_, None) => CheckResult::fail(&name, format!("no +odown of the master after the {origin}")),
        (_, Some(d)) => CheckResult::new(&name, d <= max, format!("{origin}→+odown {}", short_secs(d))),
    }
}

/// `max_failover`: from the first fault action to `+switch-master` on every live Sentinel.
pub(super) fn max_failover(r: &Run, max: u64) -> CheckResult {
    let name = format!("max_failover = {}", short_secs(max));
    let origin = r.tl.origin_label();
    match (r.tl.fault_at_ms, r.tl.last_switch_ms) {
        (None, _) => CheckResult::fail(&name, "no fault action in the trace"),
        (_, None) => {
            let done: Vec<String> = r.tl.switches.iter().map(|w| w.node.clone()).collect();
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
    }
}
