//! `converged_within`: after the last undoing action the final configuration is reached within the
//! bound.
//!
//! Evidence: the trace's action lines (the last heal, restart, resume, net_reset or clock_reset;
//! else the first fault), its configuration-changing Sentinel events ([`CONFIG_EVENTS`]) and data
//! node log lines ([`DATA_CONFIG_LINES`]), and the final state (one master, replicas following,
//! Sentinels agreeing).

use super::Run;
use crate::checks::final_state::final_master;
use crate::checks::trace_view::actions;
use crate::checks::CheckResult;
use crate::duration::{secs, short_secs};
use crate::trace::{FinalState, Kind};

/// Events that change the replication configuration (their last one after the last heal is when
/// the system converged).
const CONFIG_EVENTS: [&str; 7] = [
    "+switch-master",
    "+promoted-slave",
    "+slave-reconf-done",
    "+failover-end",
    "+failover-end-for-timeout",
    "+convert-to-slave",
    "+fix-slave-config",
];

/// Data node log lines that mark a replication change completing.
const DATA_CONFIG_LINES: [&str; 3] = [
    "sync: Finished with success",
    "MASTER MODE enabled",
    "Synchronization with replica",
];

/// `converged_within`: the final state is converged (one master, replicas following, sentinels
/// agreeing) and the last configuration change (Sentinel: `+switch-master`, `+convert-to-slave`,
/// `+fix-slave-config`, `+slave-reconf-done`, `+failover-end`...; data node: sync finished, master
/// mode enabled) happened within the bound after the last undoing action (heal, restart, resume,
/// net_reset, clock_reset; or the first fault if there is none).
pub(super) fn converged_within(r: &Run, max: u64) -> CheckResult {
    let (trace, fin) = (r.trace, r.fin);
    let name = format!("converged_within = {}", short_secs(max));
    let acts = actions(trace);
    let heal = acts.iter().rev().find(|(_, _, a)| a.kind().is_heal());
    let origin = heal.or_else(|| acts.iter().find(|(_, _, a)| a.kind().is_fault()));
    let (from_idx, from_t, label) = match origin {
        Some((i, t, _)) => {
            let line = trace[*i].line();
            (*i, *t, line.split_whitespace().next().unwrap_or("action").to_string())
        }
        None => (0, 0, "start".to_string()),
    };
    let conv = convergence_now(fin);
    if let Err(why) = conv {
        return CheckResult::fail(&name, format!("not converged at the end: {why}"));
    }
    let mut last = trace.iter().enumerate().skip(from_idx).filter(|(_, e)| match &e.kind {
        Kind::Sentinel(ev) => CONFIG_EVENTS.contains(&ev.name()),
        Kind::Data { line } => DATA_CONFIG_LINES.iter().any(|p| line.contains(p)),
        Kind::Action { .. } | Kind::World(_) | Kind::Wire(_) => false,
    });
    match last.next_back() {
        None => CheckResult::pass(
            &name,
            format!("no configuration change after the {label} at {}", secs(from_t)),
        ),
        Some((_, e)) => {
            let d = e.t_ms.saturating_sub(from_t);
            CheckResult::new(
                &name,
                d <= max,
                format!(
                    "{label}→last change {} ({} {} {})",
                    short_secs(d),
                    secs(e.t_ms),
                    e.node,
                    e.line()
                ),
            )
        }
    }
}

/// Whether the final state is converged (ignoring settle): one master, live replicas following it
/// with link up, live sentinels agreeing.
fn convergence_now(fin: &FinalState) -> Result<(), String> {
    let m = final_master(fin)?;
    for d in fin.data_nodes.iter().filter(|d| d.alive && d.node != m.node) {
        if d.role.as_deref() != Some("slave") || d.master.as_deref() != Some(m.addr.as_str()) || d.link_up != Some(true)
        {
            return Err(format!("{} does not follow {}", d.node, m.node));
        }
    }
    for x in fin.sentinels.iter().filter(|x| x.alive) {
        if x.master_addr.as_deref() != Some(m.addr.as_str()) {
            return Err(format!(
                "{} reports {}",
                x.node,
                x.master_addr.as_deref().unwrap_or("none")
            ));
        }
    }
    Ok(())
}
