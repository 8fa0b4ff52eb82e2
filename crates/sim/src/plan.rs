//! Compiles a scenario into the world's concrete terms: process specs with their initial config
//! files, and timed actions on process indexes. `random_faults` is expanded here, from the seed,
//! into ordinary actions (each written to the trace with its own line).

use crate::scenario::{split_addr, Action, FaultKind, Scenario, TimedAction as ScenarioAction};
use crate::spec::{Links, ProcKind, ProcSpec, TimedAction, WorldAction, WorldSpec};
use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

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

fn procs_of(s: &Scenario) -> Vec<ProcSpec> {
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
    procs
}

/// The world spec for `s` played with `seed`.
pub fn plan(s: &Scenario, seed: u64) -> Result<WorldSpec, String> {
    let procs = procs_of(s);
    let mut flat: Vec<ScenarioAction> = Vec::new();
    for ta in &s.timeline {
        match &ta.action {
            Action::RandomFaults {
                every_ms,
                heal_after_ms,
                kinds,
                until_ms,
            } => {
                flat.extend(random_faults(
                    s,
                    seed,
                    ta.at_ms,
                    *every_ms,
                    *heal_after_ms,
                    kinds,
                    *until_ms,
                ));
            }
            _ => flat.push(ta.clone()),
        }
    }
    // Stable: equal times keep file order, expanded faults after the explicit actions of that time.
    flat.sort_by_key(|a| a.at_ms);
    let mut actions = Vec::with_capacity(flat.len());
    for ta in &flat {
        let action = world_action(s, &procs, ta)?;
        actions.push(TimedAction {
            at_ms: ta.at_ms,
            action,
            source: ta.action.clone(),
            line: ta.action.trace_line(s),
        });
    }
    let mut clients = Vec::new();
    for (j, c) in s.clients.iter().enumerate() {
        let addr = |n: &str| -> Result<(String, u16), String> {
            let a = s.addr_of(n).ok_or_else(|| format!("unknown node {n:?}"))?;
            let (h, p) = split_addr(a);
            Ok((h.to_string(), p.parse().unwrap_or(0)))
        };
        let near = match &c.near {
            Some(n) => Some(
                procs
                    .iter()
                    .position(|p| Some(p.name.as_str()) == s.name_of(n))
                    .ok_or_else(|| format!("unknown node {n:?}"))?,
            ),
            None => None,
        };
        let config = crate::workload::client::ClientConfig {
            name: c.name.clone(),
            mode: c.mode,
            sentinels: s.sentinels.iter().map(|x| addr(&x.name)).collect::<Result<_, _>>()?,
            master_name: s.master.name.clone(),
            sticky: c.node.as_deref().map(addr).transpose()?,
            rate_per_s: c.rate,
            start_ms: c.start_ms,
            stop_ms: c.stop_ms,
            seed: mix(seed, 0xc1_u64 << 32 | j as u64),
        };
        clients.push(crate::spec::ClientSpec { config, near });
    }
    Ok(WorldSpec {
        seed,
        duration_ms: s.duration_ms,
        master_name: s.master.name.clone(),
        procs,
        clients,
        actions,
        debug_probe: true,
    })
}

fn unsupported(at_ms: u64, what: &str) -> String {
    format!("timeline action at {at_ms} ms: {what} is not supported by the simulated world")
}

fn world_action(s: &Scenario, procs: &[ProcSpec], ta: &ScenarioAction) -> Result<WorldAction, String> {
    let index = |node: &str| -> Result<usize, String> {
        let name = s.name_of(node).ok_or_else(|| format!("unknown node {node:?}"))?;
        procs
            .iter()
            .position(|p| p.name == name)
            .ok_or_else(|| format!("unknown node {node:?}"))
    };
    let indexes = |nodes: &[String]| nodes.iter().map(|n| index(n)).collect::<Result<Vec<_>, _>>();
    // Neither `nodes` nor `from`/`to`: the whole network (madsim's global configuration).
    let links = |nodes: &Option<Vec<String>>,
                 from: &Option<Vec<String>>,
                 to: &Option<Vec<String>>|
     -> Result<Option<Links>, String> {
        Ok(match (nodes, from, to) {
            (_, Some(from), Some(to)) => Some(Links::Directed {
                from: indexes(from)?,
                to: indexes(to)?,
            }),
            (Some(n), _, _) => Some(Links::Touching(indexes(n)?)),
            _ => None,
        })
    };
    let command = |via: &str, args: Vec<String>| -> Result<WorldAction, String> {
        Ok(WorldAction::Command {
            proc: index(via)?,
            args,
        })
    };
    let m = s.master.name.clone();
    Ok(match &ta.action {
        Action::Kill { node } => WorldAction::Kill(index(node)?),
        Action::Restart { node, wipe } => WorldAction::Restart {
            proc: index(node)?,
            wipe: *wipe,
        },
        Action::Pause { node } => WorldAction::Pause(index(node)?),
        Action::Resume { node } => WorldAction::Resume(index(node)?),
        Action::Failover { via } => command(via, vec!["SENTINEL".into(), "FAILOVER".into(), m])?,
        Action::SentinelSet { via, option, value } => command(
            via,
            vec!["SENTINEL".into(), "SET".into(), m, option.clone(), value.clone()],
        )?,
        Action::SentinelReset { via, pattern } => {
            command(via, vec!["SENTINEL".into(), "RESET".into(), pattern.clone()])?
        }
        Action::Replicaof { node, master } => {
            let args = match master {
                None => vec!["REPLICAOF".into(), "NO".into(), "ONE".into()],
                Some(mn) => {
                    let addr = s.addr_of(mn).ok_or_else(|| format!("unknown node {mn:?}"))?;
                    let (h, p) = split_addr(addr);
                    vec!["REPLICAOF".into(), h.to_string(), p.to_string()]
                }
            };
            command(node, args)?
        }
        Action::Partition { groups } => WorldAction::Partition {
            groups: groups.iter().map(|g| indexes(g)).collect::<Result<_, _>>()?,
        },
        Action::Isolate { node } => {
            let me = index(node)?;
            WorldAction::Partition {
                groups: vec![vec![me], (0..procs.len()).filter(|&i| i != me).collect()],
            }
        }
        Action::PartitionOneway { from, to } => WorldAction::PartitionOneway {
            from: indexes(from)?,
            to: indexes(to)?,
        },
        Action::Heal => WorldAction::Heal,
        Action::Latency {
            min_ms,
            max_ms,
            nodes,
            from,
            to,
        } => WorldAction::Latency {
            min_ms: *min_ms,
            max_ms: *max_ms,
            links: links(nodes, from, to)?,
        },
        Action::Loss { rate, nodes, from, to } => WorldAction::Loss {
            rate: *rate,
            links: links(nodes, from, to)?,
        },
        Action::NetReset => WorldAction::NetReset,
        Action::ClockSkew { node, offset_ms } => WorldAction::ClockSkew {
            proc: index(node)?,
            offset_ms: *offset_ms,
        },
        Action::ClockJump { node, by_ms } => WorldAction::ClockJump {
            proc: index(node)?,
            by_ms: *by_ms,
        },
        Action::ClockDrift { node, rate } => WorldAction::ClockDrift {
            proc: index(node)?,
            rate: *rate,
        },
        Action::ClockStrobe {
            node,
            amplitude_ms,
            period_ms,
            duration_ms,
        } => WorldAction::ClockStrobe {
            proc: index(node)?,
            amplitude_ms: *amplitude_ms,
            period_ms: *period_ms,
            duration_ms: *duration_ms,
        },
        Action::ClockReset { node } => WorldAction::ClockReset { proc: index(node)? },
        Action::KillOn { event } => WorldAction::KillOn { event: event.clone() },
        Action::RandomFaults { .. } => return Err(unsupported(ta.at_ms, "nested random_faults")),
    })
}

/// SplitMix64: derives independent seeds (each process start, each client, the fault stream) from
/// the run's seed.
pub fn mix(a: u64, b: u64) -> u64 {
    let mut z = a ^ b.wrapping_mul(0x9E3779B97F4A7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
    z ^ (z >> 31)
}

/// Expands `random_faults`: every `every_ms` from `from_ms` until `until_ms`, one fault of a kind
/// drawn from `kinds`, on random targets, undone `heal_after_ms` later. Reproducible from the seed.
pub fn random_faults(
    s: &Scenario,
    seed: u64,
    from_ms: u64,
    every_ms: u64,
    heal_after_ms: u64,
    kinds: &[FaultKind],
    until_ms: u64,
) -> Vec<ScenarioAction> {
    let mut rng = ChaCha8Rng::seed_from_u64(mix(seed, 0xfa_u64 << 32 | from_ms));
    let nodes = s.node_names();
    let sentinels: Vec<String> = s.sentinels.iter().map(|x| x.name.clone()).collect();
    let mut out = Vec::new();
    let pick = |rng: &mut ChaCha8Rng, v: &[String]| v[(rng.next_u32() as usize) % v.len()].clone();
    let mut t = from_ms;
    let every = every_ms.max(1);
    while t < until_ms && !kinds.is_empty() && !nodes.is_empty() {
        let undo_at = (t + heal_after_ms).min(until_ms.max(t + 1));
        let kind = kinds[(rng.next_u32() as usize) % kinds.len()];
        let mut push = |at: u64, action: Action| out.push(ScenarioAction { at_ms: at, action });
        match kind {
            FaultKind::Partition => {
                let mut a = Vec::new();
                let mut b = Vec::new();
                for n in &nodes {
                    if rng.next_u32() % 2 == 0 {
                        a.push(n.clone())
                    } else {
                        b.push(n.clone())
                    }
                }
                if a.is_empty() {
                    a.push(b.pop().expect("two or more nodes"));
                }
                if b.is_empty() && a.len() > 1 {
                    b.push(a.pop().expect("non-empty"));
                }
                if !b.is_empty() {
                    push(t, Action::Partition { groups: vec![a, b] });
                    push(undo_at, Action::Heal);
                }
            }
            FaultKind::Isolate => {
                push(
                    t,
                    Action::Isolate {
                        node: pick(&mut rng, &nodes),
                    },
                );
                push(undo_at, Action::Heal);
            }
            FaultKind::PartitionOneway => {
                let from = pick(&mut rng, &nodes);
                let to: Vec<String> = nodes.iter().filter(|n| **n != from).cloned().collect();
                if !to.is_empty() {
                    push(t, Action::PartitionOneway { from: vec![from], to });
                    push(undo_at, Action::Heal);
                }
            }
            FaultKind::Kill => {
                let node = pick(&mut rng, &nodes);
                push(t, Action::Kill { node: node.clone() });
                push(undo_at, Action::Restart { node, wipe: false });
            }
            FaultKind::Pause => {
                let node = pick(&mut rng, &nodes);
                push(t, Action::Pause { node: node.clone() });
                push(undo_at, Action::Resume { node });
            }
            FaultKind::ClockJump | FaultKind::ClockSkew | FaultKind::ClockStrobe | FaultKind::ClockDrift => {
                if sentinels.is_empty() {
                    t += every;
                    continue;
                }
                let node = pick(&mut rng, &sentinels);
                let sign = if rng.next_u32() % 2 == 0 { 1 } else { -1 };
                let mag = 3_000 + (rng.next_u32() % 7_000) as i64;
                let action = match kind {
                    FaultKind::ClockJump => Action::ClockJump {
                        node: node.clone(),
                        by_ms: sign * mag,
                    },
                    FaultKind::ClockSkew => Action::ClockSkew {
                        node: node.clone(),
                        offset_ms: sign * mag,
                    },
                    FaultKind::ClockStrobe => Action::ClockStrobe {
                        node: node.clone(),
                        amplitude_ms: mag as u64,
                        period_ms: 200,
                        duration_ms: heal_after_ms.max(200),
                    },
                    _ => Action::ClockDrift {
                        node: node.clone(),
                        rate: if sign > 0 { 1.5 } else { 0.5 },
                    },
                };
                push(t, action);
                push(undo_at, Action::ClockReset { node });
            }
            FaultKind::Latency => {
                let max = 50 + (rng.next_u32() % 950) as u64;
                push(
                    t,
                    Action::Latency {
                        min_ms: 1,
                        max_ms: max,
                        nodes: None,
                        from: None,
                        to: None,
                    },
                );
                push(undo_at, Action::NetReset);
            }
            FaultKind::Loss => {
                let rate = [0.01, 0.05, 0.1, 0.2][(rng.next_u32() % 4) as usize];
                push(
                    t,
                    Action::Loss {
                        rate,
                        nodes: None,
                        from: None,
                        to: None,
                    },
                );
                push(undo_at, Action::NetReset);
            }
        }
        t += every;
    }
    out
}
