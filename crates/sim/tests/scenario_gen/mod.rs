//! Random valid scenarios for the `to_toml` round trip: every choice is drawn from a [`Gen`], in a
//! fixed order (scenario parts, then the timeline, then the expectations), so a shrunk list of
//! numbers gives a smaller scenario.

use sim::scenario::{
    Action, ActionKind, Client, ClientMode, Expect, FaultKind, MasterGroup, Network, RedisNode, Scenario, SentinelNode,
    TimedAction,
};

/// Turns a list of random numbers into a valid scenario (choices are taken in order; running out
/// yields zeros, so shrinking works).
pub struct Gen {
    pub v: Vec<u32>,
    pub i: usize,
}

impl Gen {
    fn n(&mut self, m: u64) -> u64 {
        let x = self.v.get(self.i).copied().unwrap_or(0) as u64;
        self.i += 1;
        if m == 0 {
            0
        } else {
            x % m
        }
    }
    fn b(&mut self) -> bool {
        self.n(2) == 1
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.n(xs.len() as u64) as usize]
    }
    /// A non-empty subset, without duplicates, in a random order.
    fn subset(&mut self, xs: &[String]) -> Vec<String> {
        let mut pool = xs.to_vec();
        let k = 1 + self.n(pool.len() as u64) as usize;
        let mut out = Vec::new();
        for _ in 0..k {
            let i = self.n(pool.len() as u64) as usize;
            out.push(pool.remove(i));
        }
        out
    }
    fn opt<T>(&mut self, f: impl FnOnce(&mut Gen) -> T) -> Option<T> {
        if self.b() {
            Some(f(self))
        } else {
            None
        }
    }
}

type Opt = Option<Vec<String>>;

/// Which links a latency or loss applies to: every link, `nodes`, or directed `from`/`to`.
fn links(g: &mut Gen, all: &[String]) -> (Opt, Opt, Opt) {
    match g.n(3) {
        1 => (Some(g.subset(all)), None, None),
        2 if all.len() >= 2 => {
            let from = g.subset(&all[..all.len() - 1]);
            let rest: Vec<String> = all.iter().filter(|n| !from.contains(n)).cloned().collect();
            (None, Some(from), Some(g.subset(&rest)))
        }
        _ => (None, None, None),
    }
}

/// A scenario from `g`'s choices, with `story` and free-form `texts` (cycled) for values.
pub fn build(g: &mut Gen, story: String, texts: Vec<String>) -> Scenario {
    let mut text = texts.into_iter().cycle();
    let nr = 1 + g.n(4) as usize;
    let ns = 1 + g.n(4) as usize;
    let redis = redis_nodes(g, nr);
    let sentinels = sentinel_nodes(g, ns);
    let names = Names::of(&redis, &sentinels);
    let duration_ms = 10_000 + g.n(1_000_000);
    let master = master_group(g, &names, ns);
    let clients = clients(g, &names, duration_ms);
    let acts = actions(g, &names, duration_ms, &master.name, &mut text);
    let timeline = keep_possible(acts);
    let expect = expect(g, &names.redis);
    Scenario {
        name: if g.b() {
            "generated".into()
        } else {
            format!("gen-{}.v{}", g.n(1000), g.n(9))
        },
        story,
        duration_ms,
        settle_ms: g.n(duration_ms + 1),
        seed: g.opt(|g| g.n(u32::MAX as u64 + 1) * 1_000_003),
        master,
        redis,
        sentinels,
        clients,
        network: base_network(g),
        timeline,
        expect,
    }
}

/// The base network: loopback (left out of the file) or any valid range and loss.
fn base_network(g: &mut Gen) -> Network {
    if g.b() {
        return Network::LOOPBACK;
    }
    let latency_min_us = g.n(5_000_000);
    Network {
        latency_min_us,
        latency_max_us: latency_min_us + g.n(5_000_000),
        loss: g.n(100) as f64 / 100.0,
    }
}

/// The node names, by kind and all together (data nodes first).
struct Names {
    redis: Vec<String>,
    sentinels: Vec<String>,
    all: Vec<String>,
}

impl Names {
    fn of(redis: &[RedisNode], sentinels: &[SentinelNode]) -> Self {
        let redis: Vec<String> = redis.iter().map(|r| r.name.clone()).collect();
        let sentinels: Vec<String> = sentinels.iter().map(|s| s.name.clone()).collect();
        let all = redis.iter().chain(&sentinels).cloned().collect();
        Names { redis, sentinels, all }
    }
}

fn ip(g: &mut Gen) -> String {
    if g.b() {
        "127.0.0.1".to_string()
    } else {
        format!("10.0.{}.{}", g.n(256), g.n(256))
    }
}

/// `nr` data nodes; each after the first replicates an earlier one.
fn redis_nodes(g: &mut Gen, nr: usize) -> Vec<RedisNode> {
    let mut redis: Vec<RedisNode> = Vec::new();
    for i in 0..nr {
        let addr = format!("{}:{}", ip(g), 6380 + i);
        let name = if g.b() {
            format!("redis-{}", 6380 + i)
        } else {
            format!("r{i}.x_y-z")
        };
        let replica_of = if i == 0 {
            None
        } else {
            Some(redis[g.n(i as u64) as usize].name.clone())
        };
        redis.push(RedisNode {
            name,
            addr,
            replica_of,
            priority: g.n(300) as u32,
            min_replicas_to_write: g.n(3) as u32,
            min_replicas_max_lag_ms: g.n(100_000),
            persistence: g.b(),
            serve_stale_data: g.b(),
        });
    }
    redis
}

fn sentinel_nodes(g: &mut Gen, ns: usize) -> Vec<SentinelNode> {
    (0..ns)
        .map(|i| SentinelNode {
            name: if g.b() {
                format!("sentinel-{}", 5000 + i)
            } else {
                format!("s{i}")
            },
            addr: format!("{}:{}", ip(g), 5000 + i),
        })
        .collect()
}

/// The master group, on the first data node, with a quorum of at most `ns`.
fn master_group(g: &mut Gen, names: &Names, ns: usize) -> MasterGroup {
    MasterGroup {
        name: if g.b() {
            "mymaster".into()
        } else {
            format!("m\"\\é{}", g.n(100))
        },
        node: names.redis[0].clone(),
        quorum: 1 + g.n(ns as u64) as u32,
        down_after_ms: 1 + g.n(60_000),
        failover_timeout_ms: 1 + g.n(400_000),
        parallel_syncs: 1 + g.n(4) as u32,
        auth_pass: g.opt(|g| format!("s3cr3t-{}", g.n(1000))),
    }
}

/// Up to two clients, sticky or Sentinel-aware, running within the scenario.
fn clients(g: &mut Gen, names: &Names, duration_ms: u64) -> Vec<Client> {
    (0..g.n(3) as usize)
        .map(|i| {
            let sticky = g.b();
            let start_ms = g.n(duration_ms);
            Client {
                name: if g.b() {
                    format!("client-{}", i + 1)
                } else {
                    format!("app-{i}")
                },
                mode: if sticky {
                    ClientMode::Sticky
                } else {
                    ClientMode::Sentinel
                },
                node: sticky.then(|| g.pick(&names.redis).clone()),
                rate: 1 + g.n(10_000) as u32,
                timeout_ms: if g.b() { 1_000 } else { 1 + g.n(60_000) },
                start_ms,
                stop_ms: start_ms + 1 + g.n(duration_ms - start_ms),
                near: g.opt(|g| g.pick(&names.all).clone()),
            }
        })
        .collect()
}

/// Up to 13 random actions, sorted by time (not yet filtered by the process-state rules).
fn actions(
    g: &mut Gen,
    names: &Names,
    duration_ms: u64,
    master: &str,
    text: &mut impl Iterator<Item = String>,
) -> Vec<TimedAction> {
    let mut acts: Vec<TimedAction> = Vec::new();
    for _ in 0..g.n(14) {
        let at_ms = g.n(duration_ms);
        let kind = *g.pick(&ActionKind::ALL);
        // Drawn for every action, used or not: the choices that follow keep their place.
        let t = Targets {
            node: g.pick(&names.all).clone(),
            rnode: g.pick(&names.redis).clone(),
            snode: g.pick(&names.sentinels).clone(),
        };
        let action = match kind {
            ActionKind::Kill | ActionKind::Restart | ActionKind::Pause | ActionKind::Resume | ActionKind::KillOn => {
                Some(process(g, kind, t, names))
            }
            ActionKind::Partition
            | ActionKind::Isolate
            | ActionKind::PartitionOneway
            | ActionKind::Heal
            | ActionKind::Latency
            | ActionKind::Loss
            | ActionKind::NetReset => network(g, kind, t, names),
            ActionKind::ClockSkew
            | ActionKind::ClockJump
            | ActionKind::ClockDrift
            | ActionKind::ClockStrobe
            | ActionKind::ClockReset => Some(clock(g, kind, t, duration_ms - at_ms)),
            ActionKind::Failover | ActionKind::SentinelSet | ActionKind::SentinelReset | ActionKind::Replicaof => {
                Some(operator(g, kind, t, names, master, text))
            }
            ActionKind::RandomFaults => Some(random_faults(g, at_ms, duration_ms)),
        };
        // None: no valid action of that kind in this world (then none at all).
        if let Some(action) = action {
            acts.push(TimedAction { at_ms, action });
        }
    }
    acts.sort_by_key(|a| a.at_ms);
    acts
}

/// The targets an action may use: any node, a data node, a Sentinel.
struct Targets {
    node: String,
    rnode: String,
    snode: String,
}

fn process(g: &mut Gen, kind: ActionKind, t: Targets, names: &Names) -> Action {
    let node = t.node;
    match kind {
        ActionKind::Kill => Action::Kill { node },
        ActionKind::Restart => {
            let wipe = names.redis.contains(&node) && g.b();
            Action::Restart { node, wipe }
        }
        ActionKind::Pause => Action::Pause { node },
        ActionKind::Resume => Action::Resume { node },
        ActionKind::KillOn => Action::KillOn {
            event: "+elected-leader".into(),
            target: sim::scenario::KillTarget::Emitter,
        },
        _ => unreachable!("not a process action"),
    }
}

/// None for a partition in a world of one node, or a one-way cut from every node.
fn network(g: &mut Gen, kind: ActionKind, t: Targets, names: &Names) -> Option<Action> {
    let all = &names.all;
    Some(match kind {
        ActionKind::Partition => {
            if all.len() < 2 {
                return None;
            }
            Action::Partition {
                groups: partition_groups(g, all),
            }
        }
        ActionKind::Isolate => Action::Isolate { node: t.node },
        ActionKind::PartitionOneway => {
            if all.len() < 2 {
                return None;
            }
            let from = g.subset(all);
            let rest: Vec<String> = all.iter().filter(|n| !from.contains(n)).cloned().collect();
            if rest.is_empty() {
                return None;
            }
            let to = g.subset(&rest);
            Action::PartitionOneway { from, to }
        }
        ActionKind::Heal => Action::Heal,
        ActionKind::Latency => {
            let min_ms = g.n(30_000);
            let max_ms = min_ms + g.n(30_001);
            let (nodes, from, to) = links(g, all);
            Action::Latency {
                min_ms,
                max_ms,
                nodes,
                from,
                to,
            }
        }
        ActionKind::Loss => {
            let (nodes, from, to) = links(g, all);
            Action::Loss {
                rate: g.n(1001) as f64 / 1000.0,
                nodes,
                from,
                to,
            }
        }
        ActionKind::NetReset => Action::NetReset,
        _ => unreachable!("not a network action"),
    })
}

/// Every node in one of 2 or more non-empty groups.
fn partition_groups(g: &mut Gen, all: &[String]) -> Vec<Vec<String>> {
    let mut pool = all.to_vec();
    let mut groups = Vec::new();
    let k = 2 + g.n(pool.len() as u64 - 1) as usize;
    for gi in 0..k {
        let left = k - gi;
        let take = if left == 1 {
            pool.len()
        } else {
            1 + g.n((pool.len() - left + 1) as u64) as usize
        };
        let mut grp = Vec::new();
        for _ in 0..take {
            let i = g.n(pool.len() as u64) as usize;
            grp.push(pool.remove(i));
        }
        groups.push(grp);
    }
    groups
}

/// A non-zero offset of either sign, within the duration syntax's range.
fn signed(g: &mut Gen) -> i64 {
    let v = 1 + g.n(sim::duration::MAX_MS) as i64;
    if g.b() {
        -v
    } else {
        v
    }
}

/// A clock fault; a strobe lasts at most `room` ms (the time left in the scenario).
fn clock(g: &mut Gen, kind: ActionKind, t: Targets, room: u64) -> Action {
    let node = t.node;
    match kind {
        ActionKind::ClockSkew => Action::ClockSkew {
            node,
            offset_ms: signed(g),
        },
        ActionKind::ClockJump => Action::ClockJump { node, by_ms: signed(g) },
        ActionKind::ClockDrift => {
            let rate = if g.b() {
                (100 + g.n(9901)) as f64 / 1000.0
            } else {
                0.1 + g.n(1000) as f64 / 7.0 / 100.0
            };
            Action::ClockDrift { node, rate }
        }
        ActionKind::ClockStrobe => {
            let dur = 1 + g.n(room);
            let period_ms = 1 + g.n(dur);
            Action::ClockStrobe {
                node,
                amplitude_ms: 1 + g.n(100_000),
                period_ms,
                duration_ms: dur,
            }
        }
        ActionKind::ClockReset => Action::ClockReset { node },
        _ => unreachable!("not a clock action"),
    }
}

fn operator(
    g: &mut Gen,
    kind: ActionKind,
    t: Targets,
    names: &Names,
    master: &str,
    text: &mut impl Iterator<Item = String>,
) -> Action {
    match kind {
        ActionKind::Failover => Action::Failover { via: t.snode },
        ActionKind::SentinelSet => Action::SentinelSet {
            via: t.snode,
            option: g
                .pick(&["quorum", "down-after-milliseconds", "auth-pass", "rename-command"])
                .to_string(),
            value: text.next().unwrap(),
        },
        ActionKind::SentinelReset => Action::SentinelReset {
            via: t.snode,
            pattern: if g.b() {
                master.to_string()
            } else {
                format!("my*{}", g.n(9))
            },
        },
        ActionKind::Replicaof => {
            let rnode = t.rnode;
            let others: Vec<String> = names.redis.iter().filter(|n| **n != rnode).cloned().collect();
            let m = if others.is_empty() || g.b() {
                None
            } else {
                Some(g.pick(&others).clone())
            };
            Action::Replicaof { node: rnode, master: m }
        }
        _ => unreachable!("not an operator action"),
    }
}

fn random_faults(g: &mut Gen, at_ms: u64, duration_ms: u64) -> Action {
    let every_ms = 2 + g.n(60_000);
    let heal_after_ms = 1 + g.n(every_ms - 1);
    let kinds = g.subset(
        &FaultKind::ALL
            .iter()
            .map(|k| k.as_str().to_string())
            .collect::<Vec<_>>(),
    );
    let kinds = kinds.iter().map(|k| FaultKind::parse(k).unwrap()).collect();
    let until_ms = at_ms + 1 + g.n(duration_ms - at_ms);
    Action::RandomFaults {
        every_ms,
        heal_after_ms,
        kinds,
        until_ms,
    }
}

/// Drops what the process-state rules forbid: killing a dead node, pausing a dead or paused one,
/// resuming one that is not paused, commands through a dead node.
fn keep_possible(acts: Vec<TimedAction>) -> Vec<TimedAction> {
    let mut paused: Vec<String> = Vec::new();
    let mut dead: Vec<String> = Vec::new();
    acts.into_iter()
        .filter(|a| match &a.action {
            Action::Kill { node } => {
                if dead.contains(node) {
                    return false;
                }
                paused.retain(|n| n != node);
                dead.push(node.clone());
                true
            }
            Action::Restart { node, .. } => {
                paused.retain(|n| n != node);
                dead.retain(|n| n != node);
                true
            }
            Action::Pause { node } => {
                if dead.contains(node) || paused.contains(node) {
                    return false;
                }
                paused.push(node.clone());
                true
            }
            Action::Resume { node } => {
                if !paused.contains(node) {
                    return false;
                }
                paused.retain(|n| n != node);
                true
            }
            Action::Failover { via } | Action::SentinelSet { via, .. } | Action::SentinelReset { via, .. } => {
                !dead.contains(via)
            }
            Action::Replicaof { node, .. } => !dead.contains(node),
            _ => true,
        })
        .collect()
}

/// Expectations of every kind, each present or not, consistent with each other.
fn expect(g: &mut Gen, rnames: &[String]) -> Expect {
    let promoted = g.opt(|g| g.subset(rnames));
    let never_promoted = g.opt(|g| {
        let pool: Vec<String> = rnames
            .iter()
            .filter(|n| !promoted.as_ref().is_some_and(|p| p.contains(n)))
            .cloned()
            .collect();
        if pool.is_empty() {
            None
        } else {
            Some(g.subset(&pool))
        }
    });
    let final_master = g.opt(|g| g.pick(promoted.as_deref().unwrap_or(rnames)).clone());
    let min_epoch = g.opt(|g| g.n(10));
    let lw_min = g.opt(|g| g.n(10));
    let lwh_min = g.opt(|g| g.n(10));
    let events = [
        "+sdown",
        "+odown",
        "+tilt",
        "+convert-to-slave",
        "-failover-abort-not-elected",
    ];
    let seen = g.opt(|g| g.subset(&events[..2].iter().map(|s| s.to_string()).collect::<Vec<_>>()));
    let not_seen = g.opt(|g| g.subset(&events[2..].iter().map(|s| s.to_string()).collect::<Vec<_>>()));
    Expect {
        failover: g.opt(|g| g.b()),
        promoted: promoted.clone(),
        never_promoted: never_promoted.flatten(),
        final_master,
        max_detection_ms: g.opt(|g| 1 + g.n(100_000)),
        max_failover_ms: g.opt(|g| 1 + g.n(100_000)),
        tilt: g.opt(|g| g.b()),
        lost_writes_max: g.opt(|g| lw_min.unwrap_or(0) + g.n(100)),
        lost_writes_min: lw_min,
        lost_writes_after_heal_max: g.opt(|g| lwh_min.unwrap_or(0) + g.n(100)),
        lost_writes_after_heal_min: lwh_min,
        converged_within_ms: g.opt(|g| 1 + g.n(100_000)),
        min_epoch,
        max_epoch: g.opt(|g| min_epoch.unwrap_or(0) + g.n(10)),
        seen,
        not_seen,
    }
}
