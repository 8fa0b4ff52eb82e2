//! `[[redis]]` and `[[sentinel]]`: valid, unique names and addresses; `replica_of` a data node
//! other than itself, and no replication cycle.

use std::collections::{BTreeMap, BTreeSet};

use toml::Spanned;

use super::registry::{Registry, Want};
use super::{valid_addr, valid_name};
use crate::scenario::error::{Ctx, ScenarioError};
use crate::scenario::raw::{RawScenario, S};
use crate::scenario::types::{port_of, NodeKind, RedisNode, SentinelNode};
use crate::scenario::{DEFAULT_MIN_REPLICAS_MAX_LAG_MS, DEFAULT_PRIORITY, WORLD};

/// The processes named so far: names (and where each was defined), addresses, and the registry
/// of data nodes and Sentinels that later references resolve against.
pub struct Known {
    pub names: BTreeMap<String, String>,
    addrs: BTreeMap<String, String>,
    pub registry: Registry,
    redis_names: Vec<String>,
    sentinel_names: Vec<String>,
}

impl Known {
    /// Names and addresses of every data node, then every Sentinel.
    pub fn check(ctx: &Ctx, raw: &RawScenario) -> Result<Known, ScenarioError> {
        if raw.redis.is_empty() {
            return Err(ctx.err(0..0, "redis", "at least one [[redis]] data node is needed"));
        }
        if raw.sentinel.is_empty() {
            return Err(ctx.err(0..0, "sentinel", "at least one [[sentinel]] is needed"));
        }
        let mut k = Known {
            names: BTreeMap::new(),
            addrs: BTreeMap::new(),
            registry: Registry { nodes: Vec::new() },
            redis_names: Vec::new(),
            sentinel_names: Vec::new(),
        };
        for (i, r) in raw.redis.iter().enumerate() {
            let r = r.get_ref();
            let n = k.add(ctx, &format!("redis[{i}]"), "redis", &r.name, &r.addr, NodeKind::Redis)?;
            k.redis_names.push(n);
        }
        for (i, s) in raw.sentinel.iter().enumerate() {
            let s = s.get_ref();
            let n = k.add(
                ctx,
                &format!("sentinel[{i}]"),
                "sentinel",
                &s.name,
                &s.addr,
                NodeKind::Sentinel,
            )?;
            k.sentinel_names.push(n);
        }
        Ok(k)
    }

    /// One node: a valid address, a valid unique name (default `<prefix>-<port>`), a unique
    /// address.
    fn add(
        &mut self,
        ctx: &Ctx,
        field: &str,
        prefix: &str,
        name: &S<String>,
        addr: &Spanned<String>,
        kind: NodeKind,
    ) -> Result<String, ScenarioError> {
        valid_addr(addr.get_ref()).map_err(|m| ctx.err(addr.span(), format!("{field}.addr"), m))?;
        let (n, span, nfield) = match name {
            Some(n) => (n.get_ref().clone(), n.span(), format!("{field}.name")),
            None => (
                format!("{prefix}-{}", port_of(addr.get_ref())),
                addr.span(),
                format!("{field}.addr"),
            ),
        };
        if !valid_name(&n) {
            return Err(ctx.err(
                span,
                nfield,
                format!("invalid name {n:?}: use letters, digits, '-', '_' and '.'"),
            ));
        }
        if n == WORLD {
            return Err(ctx.err(
                span,
                nfield,
                format!("the name {WORLD:?} is reserved for injected actions"),
            ));
        }
        if let Some(prev) = self.names.get(&n) {
            let hint = if name.is_none() {
                " (set `name` to tell them apart)"
            } else {
                ""
            };
            return Err(ctx.err(
                span,
                nfield,
                format!("duplicate name {n:?} (already used by {prev}){hint}"),
            ));
        }
        if let Some(prev) = self.addrs.get(addr.get_ref()) {
            return Err(ctx.err(
                addr.span(),
                format!("{field}.addr"),
                format!("duplicate address {:?} (already used by {prev})", addr.get_ref()),
            ));
        }
        self.names.insert(n.clone(), field.to_string());
        self.addrs.insert(addr.get_ref().clone(), field.to_string());
        self.registry.nodes.push((n.clone(), addr.get_ref().clone(), kind));
        Ok(n)
    }
}

/// The data nodes with their defaults; `replica_of` resolved, no cycle.
pub fn data_nodes(ctx: &Ctx, raw: &RawScenario, known: &Known) -> Result<Vec<RedisNode>, ScenarioError> {
    let mut redis = Vec::new();
    for (i, r) in raw.redis.iter().enumerate() {
        let r = r.get_ref();
        let field = format!("redis[{i}]");
        let name = &known.redis_names[i];
        let replica_of = match &r.replica_of {
            None => None,
            Some(m) => {
                let f = format!("{field}.replica_of");
                let n = known.registry.resolve(ctx, m.span(), &f, m.get_ref(), Want::Redis)?;
                if n == *name {
                    return Err(ctx.err(m.span(), f, "a node cannot replicate from itself"));
                }
                Some(n)
            }
        };
        let lag = r
            .min_replicas_max_lag
            .as_ref()
            .map(|d| d.get_ref().0)
            .unwrap_or(DEFAULT_MIN_REPLICAS_MAX_LAG_MS);
        redis.push(RedisNode {
            name: name.clone(),
            addr: r.addr.get_ref().clone(),
            replica_of,
            priority: r.priority.unwrap_or(DEFAULT_PRIORITY),
            min_replicas_to_write: r.min_replicas_to_write.unwrap_or(0),
            min_replicas_max_lag_ms: lag,
            persistence: r.persistence.unwrap_or(false),
            serve_stale_data: r.serve_stale_data.unwrap_or(true),
        });
    }
    no_cycle(ctx, raw, &redis)?;
    Ok(redis)
}

/// Following `replica_of` from any node ends at a node that starts as master.
fn no_cycle(ctx: &Ctx, raw: &RawScenario, redis: &[RedisNode]) -> Result<(), ScenarioError> {
    for (i, r) in redis.iter().enumerate() {
        let mut seen = BTreeSet::new();
        let mut cur = r.replica_of.clone();
        while let Some(m) = cur {
            if m == r.name || !seen.insert(m.clone()) {
                let span = raw.redis[i]
                    .get_ref()
                    .replica_of
                    .as_ref()
                    .map(|s| s.span())
                    .unwrap_or(0..0);
                return Err(ctx.err(
                    span,
                    format!("redis[{i}].replica_of"),
                    "replication cycle: no node starts as master",
                ));
            }
            cur = redis.iter().find(|x| x.name == m).and_then(|x| x.replica_of.clone());
        }
    }
    Ok(())
}

/// The Sentinels, with their names.
pub fn sentinels(raw: &RawScenario, known: &Known) -> Vec<SentinelNode> {
    raw.sentinel
        .iter()
        .zip(&known.sentinel_names)
        .map(|(s, n)| SentinelNode {
            name: n.clone(),
            addr: s.get_ref().addr.get_ref().clone(),
        })
        .collect()
}
