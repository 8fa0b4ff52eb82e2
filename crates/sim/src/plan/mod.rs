//! Compiles a scenario into the world's concrete terms: process specs with their initial config
//! files, and timed actions on process indexes. `random_faults` is expanded here, from the seed,
//! into ordinary actions (each written to the trace with its own line).

mod actions;
mod random_faults;
pub mod start_phases;

pub use random_faults::random_faults;

use crate::scenario::{split_addr, Action, Scenario, TimedAction as ScenarioAction};
use crate::spec::{ClientSpec, ProcKind, ProcSpec, TimedAction, WorldSpec};

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
            requirepass: s.master.auth_pass.clone(),
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

/// Actions one run may play, `random_faults` expanded: a bound on the plan's memory (each
/// `random_faults` is capped at [`crate::scenario::MAX_RANDOM_FAULTS`] faults, but a file may hold
/// many of them).
pub const MAX_ACTIONS_PER_RUN: usize = 1_000_000;

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
        if flat.len() > MAX_ACTIONS_PER_RUN {
            return Err(format!(
                "the timeline expands to more than {MAX_ACTIONS_PER_RUN} actions (random_faults included); \
                 play fewer or sparser faults"
            ));
        }
    }
    // Stable: equal times keep file order, expanded faults after the explicit actions of that time.
    flat.sort_by_key(|a| a.at_ms);
    let mut actions = Vec::with_capacity(flat.len());
    for ta in &flat {
        let action = actions::world_action(s, &procs, ta)?;
        actions.push(TimedAction {
            at_ms: ta.at_ms,
            action,
            source: ta.action.clone(),
            line: ta.action.trace_line(s),
        });
    }
    let clients = clients_of(s, seed, &procs)?;
    Ok(WorldSpec {
        seed,
        duration_ms: s.duration_ms,
        master_name: s.master.name.clone(),
        procs,
        clients,
        actions,
        debug_probe: true,
        network: s.network,
        auth_pass: s.master.auth_pass.clone(),
    })
}

/// The workload's clients: the Sentinels they ask, the node a sticky client stays on, the
/// process a client shares a side with.
fn clients_of(s: &Scenario, seed: u64, procs: &[ProcSpec]) -> Result<Vec<ClientSpec>, String> {
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
            op_timeout: std::time::Duration::from_millis(c.timeout_ms),
            password: s.master.auth_pass.clone(),
            start_ms: c.start_ms,
            stop_ms: c.stop_ms,
            seed: mix(seed, 0xc1_u64 << 32 | j as u64),
        };
        clients.push(ClientSpec { config, near });
    }
    Ok(clients)
}

/// SplitMix64: derives independent seeds (each process start, each client, the fault stream) from
/// the run's seed.
pub fn mix(a: u64, b: u64) -> u64 {
    let mut z = a ^ b.wrapping_mul(0x9E3779B97F4A7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
    z ^ (z >> 31)
}
