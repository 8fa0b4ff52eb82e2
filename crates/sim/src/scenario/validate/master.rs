//! `[master]`: the monitored group, as in `sentinel monitor`, plus its per-master settings.

use super::registry::{Registry, Want};
use crate::scenario::error::{Ctx, ScenarioError};
use crate::scenario::raw::{Dur, RawScenario, S};
use crate::scenario::types::{MasterGroup, RedisNode};
use crate::scenario::{DEFAULT_DOWN_AFTER_MS, DEFAULT_FAILOVER_TIMEOUT_MS};

/// The master group: a name without spaces, the monitored data node (default: the only one that
/// starts as master), `1 <= quorum <= sentinels`, positive durations, `parallel_syncs >= 1`.
pub fn master_group(
    ctx: &Ctx,
    raw: &RawScenario,
    registry: &Registry,
    redis: &[RedisNode],
    sentinels: usize,
) -> Result<MasterGroup, ScenarioError> {
    let rm = raw.master.get_ref();
    let name = match &rm.name {
        Some(n) => {
            let v = n.get_ref();
            if v.is_empty() || v.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(ctx.err(n.span(), "master.name", format!("invalid master name {v:?}: no spaces")));
            }
            v.clone()
        }
        None => "mymaster".to_string(),
    };
    let node = match &rm.node {
        Some(n) => registry.resolve(ctx, n.span(), "master.node", n.get_ref(), Want::Redis)?,
        None => only_master(ctx, raw, redis)?,
    };
    let quorum = *rm.quorum.get_ref();
    if quorum == 0 {
        return Err(ctx.err(rm.quorum.span(), "master.quorum", "must be at least 1"));
    }
    if quorum as usize > sentinels {
        return Err(ctx.err(
            rm.quorum.span(),
            "master.quorum",
            format!("quorum {quorum} is more than the {sentinels} sentinels: no failover could ever be authorised"),
        ));
    }
    let down_after_ms = positive(ctx, &rm.down_after, "master.down_after", DEFAULT_DOWN_AFTER_MS)?;
    let failover_timeout_ms = positive(
        ctx,
        &rm.failover_timeout,
        "master.failover_timeout",
        DEFAULT_FAILOVER_TIMEOUT_MS,
    )?;
    let parallel_syncs = match &rm.parallel_syncs {
        None => 1,
        Some(p) if *p.get_ref() == 0 => {
            return Err(ctx.err(p.span(), "master.parallel_syncs", "must be at least 1"));
        }
        Some(p) => *p.get_ref(),
    };
    let auth_pass = match &rm.auth_pass {
        None => None,
        Some(p) => {
            let v = p.get_ref();
            if !valid_auth_pass(v) {
                return Err(ctx.err(
                    p.span(),
                    "master.auth_pass",
                    "must be 1-128 printable ASCII characters, without spaces, quotes or backslashes",
                ));
            }
            Some(v.clone())
        }
    };
    Ok(MasterGroup {
        name,
        node,
        quorum,
        down_after_ms,
        failover_timeout_ms,
        parallel_syncs,
        auth_pass,
    })
}

/// What `master.auth_pass` takes: it is written unquoted into redis.conf and sentinel.conf and
/// sent as one AUTH argument.
pub(crate) fn valid_auth_pass(p: &str) -> bool {
    (1..=128).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_graphic() && !b"\"'\\".contains(&b))
}

/// Without `master.node`: the only data node without `replica_of`.
fn only_master(ctx: &Ctx, raw: &RawScenario, redis: &[RedisNode]) -> Result<String, ScenarioError> {
    let masters: Vec<&RedisNode> = redis.iter().filter(|r| r.replica_of.is_none()).collect();
    match masters.as_slice() {
        [m] => Ok(m.name.clone()),
        _ => {
            let list = masters.iter().map(|m| m.name.as_str()).collect::<Vec<_>>().join(", ");
            Err(ctx.err(
                raw.master.span(),
                "master.node",
                format!(
                    "several data nodes start as masters ({list}): set master.node to the one the sentinels monitor"
                ),
            ))
        }
    }
}

/// An optional duration that must be greater than zero when given.
fn positive(ctx: &Ctx, d: &S<Dur>, field: &str, default: u64) -> Result<u64, ScenarioError> {
    match d {
        None => Ok(default),
        Some(v) if v.get_ref().0 == 0 => Err(ctx.err(v.span(), field, "must be greater than zero")),
        Some(v) => Ok(v.get_ref().0),
    }
}
