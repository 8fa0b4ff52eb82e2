//! Operator commands: `failover`, `sentinel_set`, `sentinel_reset`, `replicaof`.

use super::Action;
use crate::scenario::error::ScenarioError;
use crate::scenario::validate::action::{need, Input};
use crate::scenario::validate::registry::Want;

/// The options `SENTINEL SET` accepts.
const SENTINEL_SET_OPTIONS: [&str; 10] = [
    "down-after-milliseconds",
    "failover-timeout",
    "parallel-syncs",
    "quorum",
    "notification-script",
    "client-reconfig-script",
    "auth-pass",
    "auth-user",
    "rename-command",
    "master-reboot-down-after-period",
];

/// `failover {via}`.
pub fn failover(v: &Input) -> Result<Action, ScenarioError> {
    Ok(Action::Failover { via: v.via()? })
}

/// `sentinel_set {via, option, value}`: an option Sentinel accepts, a non-empty value.
pub fn sentinel_set(v: &Input) -> Result<Action, ScenarioError> {
    let via = v.via()?;
    let opt = need(&v.raw().option);
    let option = opt.get_ref().to_ascii_lowercase();
    if !SENTINEL_SET_OPTIONS.contains(&option.as_str()) {
        return Err(v.err(
            opt.span(),
            "option",
            format!(
                "unknown SENTINEL SET option {:?} (known: {})",
                opt.get_ref(),
                SENTINEL_SET_OPTIONS.join(", ")
            ),
        ));
    }
    let value = need(&v.raw().value);
    let text = value.get_ref().0.clone();
    if text.is_empty() || text.chars().any(|c| c.is_control()) {
        return Err(v.err(
            value.span(),
            "value",
            "must be a non-empty value without control characters",
        ));
    }
    Ok(Action::SentinelSet {
        via,
        option,
        value: text,
    })
}

/// `sentinel_reset {via, pattern?}`: the pattern defaults to the master name.
pub fn sentinel_reset(v: &Input) -> Result<Action, ScenarioError> {
    let via = v.via()?;
    let pattern = match &v.raw().pattern {
        None => v.master.name.clone(),
        Some(p) if p.get_ref().is_empty() || p.get_ref().chars().any(char::is_whitespace) => {
            return Err(v.err(p.span(), "pattern", "must be a non-empty glob without spaces"));
        }
        Some(p) => p.get_ref().clone(),
    };
    Ok(Action::SentinelReset { via, pattern })
}

/// `replicaof {node, master}`: `master` a data node other than `node`, or `"no one"`.
pub fn replicaof(v: &Input) -> Result<Action, ScenarioError> {
    let node = v.node(Want::Redis)?;
    let m = need(&v.raw().master);
    let master = if m.get_ref().trim().eq_ignore_ascii_case("no one") {
        None
    } else {
        let mn = v
            .reg
            .resolve(v.ctx, m.span(), &v.field("master"), m.get_ref(), Want::Redis)?;
        if mn == node {
            return Err(v.err(m.span(), "master", "a node cannot replicate from itself"));
        }
        Some(mn)
    };
    Ok(Action::Replicaof { node, master })
}
