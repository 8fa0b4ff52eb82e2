//! Pause/resume/kill/restart in time order, and operator commands only through live processes.

use std::collections::BTreeMap;

use crate::duration;
use crate::scenario::actions::Action;
use crate::scenario::error::{Ctx, ScenarioError};
use crate::scenario::raw::RawScenario;
use crate::scenario::types::TimedAction;

/// Pause/resume/kill/restart must make sense in time order: no `resume` without a `pause`, no
/// `pause` of a paused or killed process, no `kill` of a killed process, no operator command via a
/// killed Sentinel or on a killed data node.
pub fn check_process_states(
    ctx: &Ctx,
    raw: &RawScenario,
    timeline: &[(usize, TimedAction)],
) -> Result<(), ScenarioError> {
    #[derive(Clone, Copy)]
    enum St {
        Paused(u64),
        Dead(u64),
    }
    let mut state: BTreeMap<&str, St> = BTreeMap::new();
    for (i, t) in timeline {
        let r = raw.timeline[*i].get_ref();
        let at = duration::secs(t.at_ms);
        let action_err = |msg: String| ctx.err(r.action.span(), format!("timeline[{i}].action"), msg);
        let node_err = |field: &str, msg: String| {
            let span = match field {
                "via" => r.via.as_ref().map(|v| v.span()),
                _ => r.node.as_ref().map(|v| v.span()),
            }
            .unwrap_or(r.action.span());
            ctx.err(span, format!("timeline[{i}].{field}"), msg)
        };
        match &t.action {
            Action::Kill { node } => match state.get(node.as_str()) {
                Some(St::Dead(since)) => {
                    return Err(action_err(format!(
                        "kill at {at}: {node} is already down (killed at {})",
                        duration::secs(*since)
                    )));
                }
                _ => {
                    state.insert(node, St::Dead(t.at_ms));
                }
            },
            Action::Restart { node, .. } => {
                state.remove(node.as_str());
            }
            Action::Pause { node } => match state.get(node.as_str()) {
                Some(St::Paused(since)) => {
                    return Err(action_err(format!(
                        "pause at {at}: {node} is already paused (since {})",
                        duration::secs(*since)
                    )));
                }
                Some(St::Dead(since)) => {
                    return Err(action_err(format!(
                        "pause at {at}: {node} is down (killed at {})",
                        duration::secs(*since)
                    )));
                }
                None => {
                    state.insert(node, St::Paused(t.at_ms));
                }
            },
            Action::Resume { node } => match state.get(node.as_str()) {
                Some(St::Paused(_)) => {
                    state.remove(node.as_str());
                }
                _ => {
                    return Err(action_err(format!(
                        "resume at {at}: {node} is not paused (resume without pause)"
                    )));
                }
            },
            Action::Failover { via } | Action::SentinelSet { via, .. } | Action::SentinelReset { via, .. } => {
                if let Some(St::Dead(since)) = state.get(via.as_str()) {
                    return Err(node_err(
                        "via",
                        format!("{via} is down at {at} (killed at {})", duration::secs(*since)),
                    ));
                }
            }
            Action::Replicaof { node, .. } => {
                if let Some(St::Dead(since)) = state.get(node.as_str()) {
                    return Err(node_err(
                        "node",
                        format!("{node} is down at {at} (killed at {})", duration::secs(*since)),
                    ));
                }
            }
            _ => {}
        }
    }
    Ok(())
}
