//! Reading the final state for the convergence invariants (`one-master`, `replicas-follow`,
//! `sentinels-agree`) and `converged_within`: the single live master, what the live Sentinels
//! agree on, and whether the run had time to settle.

use crate::duration::{secs, short_secs};
use crate::scenario::Scenario;
use crate::trace::{DataFinal, FinalState, SentinelFinal};

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

pub(super) fn names(ds: &[&DataFinal]) -> String {
    ds.iter()
        .map(|d| format!("{} ({})", d.node, d.addr))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The detail of a convergence check skipped (as passing) because the last action is less than
/// `settle` before the end; None when the run settles.
pub(super) fn unsettled(s: &Scenario) -> Option<String> {
    if s.settles() {
        return None;
    }
    let last = s.last_action_ms().unwrap_or(0);
    Some(format!(
        "skipped: last action at {}, settle {}, run ends at {}",
        secs(last),
        short_secs(s.settle_ms),
        secs(s.duration_ms)
    ))
}

/// The live Sentinels, in final-state order.
pub(super) fn live_sentinels(fin: &FinalState) -> Vec<&SentinelFinal> {
    fin.sentinels.iter().filter(|x| x.alive).collect()
}

/// What the live Sentinels agree on, if they all report the same address.
pub(super) fn consensus(fin: &FinalState) -> Option<&str> {
    let live = live_sentinels(fin);
    live.first()?
        .master_addr
        .as_deref()
        .filter(|a| live.iter().all(|x| x.master_addr.as_deref() == Some(*a)))
}
