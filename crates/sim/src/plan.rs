//! Compiles a scenario into the world's concrete terms: process specs with their initial config
//! files, and timed actions on process indexes.

use crate::scenario::{split_addr, Action, Scenario};
use crate::spec::{ProcKind, ProcSpec, TimedAction, WorldAction, WorldSpec};

/// The sentinel.conf a scenario's Sentinel starts with (what an operator writes by hand).
pub fn sentinel_conf(s: &Scenario, name: &str) -> String {
    let cfg = s
        .sentinel_configs()
        .into_iter()
        .find(|c| c.name == name)
        .expect("sentinel of the scenario");
    let mut text = cfg.conf_lines().join("\n");
    text.push('\n');
    text
}

/// The world spec for `s` played with `seed`. Errors name the action the world cannot play yet.
pub fn plan(s: &Scenario, seed: u64) -> Result<WorldSpec, String> {
    let mut procs = Vec::new();
    for d in s.data_node_configs() {
        let (ip, _) = split_addr(&d.addr);
        let cfg = redis_node::RedisConfig {
            port: d.port,
            announce_ip: ip.to_string(),
            replica_of: d.replica_of.as_deref().map(|a| {
                let (h, p) = split_addr(a);
                (h.to_string(), p.parse().unwrap_or(0))
            }),
            replica_priority: d.priority,
            min_replicas_to_write: d.min_replicas_to_write,
            min_replicas_max_lag_s: (d.min_replicas_max_lag_ms / 1000) as u32,
            replica_serve_stale_data: d.serve_stale_data,
            persistence: d.persistence,
            ..Default::default()
        };
        procs.push(ProcSpec {
            name: d.name.clone(),
            ip: ip.to_string(),
            port: d.port,
            kind: ProcKind::Redis(cfg),
        });
    }
    for c in s.sentinel_configs() {
        let (ip, _) = split_addr(&c.addr);
        procs.push(ProcSpec {
            name: c.name.clone(),
            ip: ip.to_string(),
            port: c.port,
            kind: ProcKind::Sentinel {
                config: sentinel_conf(s, &c.name),
            },
        });
    }
    let index = |node: &str| -> Result<usize, String> {
        let name = s.name_of(node).ok_or_else(|| format!("unknown node {node:?}"))?;
        procs
            .iter()
            .position(|p| p.name == name)
            .ok_or_else(|| format!("unknown node {node:?}"))
    };
    let mut actions = Vec::new();
    for ta in &s.timeline {
        let line = ta.action.trace_line(s);
        let action = match &ta.action {
            Action::Kill { node } => WorldAction::Kill(index(node)?),
            Action::Restart { node, wipe } => WorldAction::Restart {
                proc: index(node)?,
                wipe: *wipe,
            },
            Action::Pause { node } => WorldAction::Pause(index(node)?),
            Action::Resume { node } => WorldAction::Resume(index(node)?),
            Action::Failover { via } => WorldAction::Command {
                proc: index(via)?,
                args: vec!["SENTINEL".into(), "FAILOVER".into(), s.master.name.clone()],
            },
            Action::SentinelSet { via, option, value } => WorldAction::Command {
                proc: index(via)?,
                args: vec![
                    "SENTINEL".into(),
                    "SET".into(),
                    s.master.name.clone(),
                    option.clone(),
                    value.clone(),
                ],
            },
            Action::SentinelReset { via, pattern } => WorldAction::Command {
                proc: index(via)?,
                args: vec!["SENTINEL".into(), "RESET".into(), pattern.clone()],
            },
            Action::Replicaof { node, master } => {
                let args = match master {
                    None => vec!["REPLICAOF".into(), "NO".into(), "ONE".into()],
                    Some(m) => {
                        let addr = s.addr_of(m).ok_or_else(|| format!("unknown node {m:?}"))?;
                        let (h, p) = split_addr(addr);
                        vec!["REPLICAOF".into(), h.to_string(), p.to_string()]
                    }
                };
                WorldAction::Command {
                    proc: index(node)?,
                    args,
                }
            }
            other => {
                return Err(format!(
                    "action {:?} (at {} ms) is not supported by the world yet",
                    other.kind().as_str(),
                    ta.at_ms
                ))
            }
        };
        actions.push(TimedAction {
            at_ms: ta.at_ms,
            action,
            line,
        });
    }
    actions.sort_by_key(|a| a.at_ms);
    Ok(WorldSpec {
        seed,
        duration_ms: s.duration_ms,
        master_name: s.master.name.clone(),
        procs,
        actions,
    })
}
