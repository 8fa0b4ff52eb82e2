//! Invariant `sentinels-agree` (final-state convergence): every live Sentinel reports the same
//! master address, and that data node is alive with `role:master`. Skipped (as passing) when the
//! last action is less than `settle` before the end.
//!
//! Evidence: the final state's Sentinels (`alive`, `master_addr` from
//! `SENTINEL GET-MASTER-ADDR-BY-NAME`) and data nodes (`alive`, `role`); the scenario's timeline and
//! `settle`.

use super::final_state::{consensus, live_sentinels, unsettled};
use super::{CheckResult, Evidence};

pub const NAME: &str = "sentinels-agree";

pub fn check(ev: &Evidence) -> CheckResult {
    if let Some(skip) = unsettled(ev.scenario) {
        return CheckResult::pass(NAME, skip);
    }
    let fin = ev.fin;
    let live = live_sentinels(fin);
    let views: Vec<String> = live
        .iter()
        .map(|x| format!("{}→{}", x.node, x.master_addr.as_deref().unwrap_or("none")))
        .collect();
    match consensus(fin) {
        _ if live.is_empty() => CheckResult::fail(NAME, "no live sentinel"),
        None => CheckResult::fail(NAME, format!("sentinels disagree: {}", views.join(", "))),
        Some(a) => match fin.data_nodes.iter().find(|d| d.addr == a) {
            Some(d) if d.alive && d.role.as_deref() == Some("master") => {
                CheckResult::pass(NAME, format!("{} live sentinels report {} ({})", live.len(), a, d.node))
            }
            Some(d) if !d.alive => CheckResult::fail(NAME, format!("sentinels report {a}, which is down")),
            Some(d) => CheckResult::fail(
                NAME,
                format!(
                    "sentinels report {a}, whose role is {}",
                    d.role.as_deref().unwrap_or("unknown")
                ),
            ),
            None => CheckResult::fail(NAME, format!("sentinels report {a}, which is no data node")),
        },
    }
}
