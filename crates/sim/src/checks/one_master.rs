//! Invariant `one-master` (final-state convergence): exactly one live, reachable data node reports
//! `role:master` at the end. Skipped (as passing) when the last action is less than `settle` before
//! the end.
//!
//! Evidence: the final state's data nodes (`alive`, `role`); the scenario's timeline and `settle`.

use super::final_state::{final_master, names, unsettled};
use super::{CheckResult, Evidence};
use crate::trace::DataFinal;

pub const NAME: &str = "one-master";

pub fn check(ev: &Evidence) -> CheckResult {
    if let Some(skip) = unsettled(ev.scenario) {
        return CheckResult::pass(NAME, skip);
    }
    let fin = ev.fin;
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
    match final_master(fin) {
        Ok(m) => CheckResult::pass(NAME, format!("{} ({}) is the only master{notes}", m.node, m.addr)),
        Err(e) => CheckResult::fail(NAME, format!("{e}{notes}")),
    }
}
