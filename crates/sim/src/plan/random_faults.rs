//! `random_faults`, expanded from the seed into ordinary timeline actions: each fault with the
//! action that undoes it.

use super::mix;
use crate::scenario::{Action, FaultKind, Scenario, TimedAction as ScenarioAction};
use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

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
    let mut t = from_ms;
    let every = every_ms.max(1);
    while t < until_ms && !kinds.is_empty() && !nodes.is_empty() {
        let undo_at = (t + heal_after_ms).min(until_ms.max(t + 1));
        let kind = kinds[(rng.next_u32() as usize) % kinds.len()];
        let drawn = match kind {
            FaultKind::Partition | FaultKind::Isolate | FaultKind::PartitionOneway => partition(&mut rng, kind, &nodes),
            FaultKind::Kill | FaultKind::Pause => Some(process(&mut rng, kind, &nodes)),
            FaultKind::ClockJump | FaultKind::ClockSkew | FaultKind::ClockStrobe | FaultKind::ClockDrift => {
                clock(&mut rng, kind, &sentinels, heal_after_ms)
            }
            FaultKind::Latency | FaultKind::Loss => Some(link(&mut rng, kind)),
        };
        // None: no target for this kind (then nothing happens at `t`).
        if let Some((fault, undo)) = drawn {
            out.push(ScenarioAction {
                at_ms: t,
                action: fault,
            });
            out.push(ScenarioAction {
                at_ms: undo_at,
                action: undo,
            });
        }
        t += every;
    }
    out
}

/// A fault and the action that undoes it.
type Drawn = (Action, Action);

fn pick(rng: &mut ChaCha8Rng, v: &[String]) -> String {
    v[(rng.next_u32() as usize) % v.len()].clone()
}

/// A random split in two (None if everyone fell on one side of a single-node world), one node
/// isolated, or one node's outgoing links cut; healed by `heal`.
fn partition(rng: &mut ChaCha8Rng, kind: FaultKind, nodes: &[String]) -> Option<Drawn> {
    let fault = match kind {
        FaultKind::Partition => {
            let mut a = Vec::new();
            let mut b = Vec::new();
            for n in nodes {
                if rng.next_u32().is_multiple_of(2) {
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
            if b.is_empty() {
                return None;
            }
            Action::Partition { groups: vec![a, b] }
        }
        FaultKind::Isolate => Action::Isolate { node: pick(rng, nodes) },
        _ => {
            let from = pick(rng, nodes);
            let to: Vec<String> = nodes.iter().filter(|n| **n != from).cloned().collect();
            if to.is_empty() {
                return None;
            }
            Action::PartitionOneway { from: vec![from], to }
        }
    };
    Some((fault, Action::Heal))
}

/// A kill undone by a restart (files kept), or a pause undone by a resume.
fn process(rng: &mut ChaCha8Rng, kind: FaultKind, nodes: &[String]) -> Drawn {
    let node = pick(rng, nodes);
    match kind {
        FaultKind::Kill => (
            Action::Kill { node: node.clone() },
            Action::Restart { node, wipe: false },
        ),
        _ => (Action::Pause { node: node.clone() }, Action::Resume { node }),
    }
}

/// A clock fault of 3 to 10 s either way on one Sentinel (None without Sentinels), undone by a
/// clock reset.
fn clock(rng: &mut ChaCha8Rng, kind: FaultKind, sentinels: &[String], heal_after_ms: u64) -> Option<Drawn> {
    if sentinels.is_empty() {
        return None;
    }
    let node = pick(rng, sentinels);
    let sign = if rng.next_u32().is_multiple_of(2) { 1 } else { -1 };
    let mag = 3_000 + (rng.next_u32() % 7_000) as i64;
    let fault = match kind {
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
    Some((fault, Action::ClockReset { node }))
}

/// Latency (up to 50..1000 ms) or loss on the whole network, undone by `net_reset`.
fn link(rng: &mut ChaCha8Rng, kind: FaultKind) -> Drawn {
    let fault = match kind {
        FaultKind::Latency => Action::Latency {
            min_ms: 1,
            max_ms: 50 + (rng.next_u32() % 950) as u64,
            nodes: None,
            from: None,
            to: None,
        },
        _ => Action::Loss {
            rate: [0.01, 0.05, 0.1, 0.2][(rng.next_u32() % 4) as usize],
            nodes: None,
            from: None,
            to: None,
        },
    };
    (fault, Action::NetReset)
}
