//! Process faults: `kill`, `restart`, `pause`, `resume`, `kill_on`.

use super::{Action, KillTarget};
use crate::scenario::error::ScenarioError;
use crate::scenario::types::NodeKind;
use crate::scenario::validate::action::{need, Input};
use crate::scenario::validate::registry::Want;

/// `kill {node}`.
pub fn kill(v: &Input) -> Result<Action, ScenarioError> {
    Ok(Action::Kill {
        node: v.node(Want::Any)?,
    })
}

/// `restart {node, wipe = false}`: `wipe` only for data nodes.
pub fn restart(v: &Input) -> Result<Action, ScenarioError> {
    let node = v.node(Want::Any)?;
    let r = v.raw();
    let wipe = r.wipe.as_ref().map(|w| *w.get_ref()).unwrap_or(false);
    if wipe && v.reg.find(&node).is_some_and(|(_, _, k)| *k == NodeKind::Sentinel) {
        let w = need(&r.wipe);
        return Err(v.err(w.span(), "wipe", "wipe applies to data nodes only"));
    }
    Ok(Action::Restart { node, wipe })
}

/// `pause {node}`.
pub fn pause(v: &Input) -> Result<Action, ScenarioError> {
    Ok(Action::Pause {
        node: v.node(Want::Any)?,
    })
}

/// `resume {node}`.
pub fn resume(v: &Input) -> Result<Action, ScenarioError> {
    Ok(Action::Resume {
        node: v.node(Want::Any)?,
    })
}

/// `kill_on {event, target?}`: a Sentinel event name; `target` `"emitter"` (default) or
/// `"subject"`.
pub fn kill_on(v: &Input) -> Result<Action, ScenarioError> {
    let e = need(&v.raw().event);
    let ev = e.get_ref().trim().to_string();
    if !(ev.starts_with('+') || ev.starts_with('-')) || ev.len() < 2 || ev.contains(' ') {
        return Err(v.err(
            e.span(),
            "event",
            "must be a Sentinel event name such as \"+elected-leader\"",
        ));
    }
    let target =
        match v.raw().target.as_ref() {
            None => KillTarget::Emitter,
            Some(t) => match t.get_ref().as_str() {
                "emitter" => KillTarget::Emitter,
                "subject" => KillTarget::Subject,
                _ => return Err(v.err(
                    t.span(),
                    "target",
                    "must be \"emitter\" (the Sentinel that emits the event) or \"subject\" (the instance it is about)",
                )),
            },
        };
    Ok(Action::KillOn { event: ev, target })
}
