//! Invariant `replicas-follow` (final-state convergence): every other live data node is a replica
//! of the master with its link up. The master is the single live master, else the address the live
//! Sentinels agree on. Skipped (as passing) when the last action is less than `settle` before the
//! end.
//!
//! Evidence: the final state's data nodes (`role`, `master`, `link_up`) and Sentinels
//! (`master_addr`); the scenario's timeline and `settle`.

use super::final_state::{consensus, final_master, unsettled};
use super::{CheckResult, Evidence};
use crate::trace::{DataFinal, FinalState};

pub const NAME: &str = "replicas-follow";

pub fn check(ev: &Evidence) -> CheckResult {
    if let Some(skip) = unsettled(ev.scenario) {
        return CheckResult::pass(NAME, skip);
    }
    let fin = ev.fin;
    let m = match reference(fin) {
        Err(e) => return CheckResult::fail(NAME, format!("no master to follow: {e}")),
        Ok(m) => m,
    };
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
        CheckResult::pass(NAME, format!("following {} with link up: {list}", m.node))
    } else {
        CheckResult::fail(NAME, format!("master {}; {}", m.node, bad.join(", ")))
    }
}

/// The master the others should follow: the single live master, else the Sentinels' choice.
fn reference(fin: &FinalState) -> Result<&DataFinal, String> {
    match (final_master(fin), consensus(fin)) {
        (Ok(m), _) => Ok(m),
        (Err(e), Some(a)) => fin
            .data_nodes
            .iter()
            .find(|d| d.alive && d.addr == a)
            .ok_or_else(|| format!("{e}; the sentinels' master {a} is not a live data node")),
        (Err(e), None) => Err(format!("{e}; the sentinels do not agree either")),
    }
}
