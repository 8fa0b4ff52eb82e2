//! The ground truth a real run records: the network tap's wire messages (votes, promotions,
//! hellos) and the world's facts. Simulation builds only (`cargo simtest`).
#![cfg(madsim)]

mod common;

use common::scenarios_dir;
use sim::report::EventKind;
use sim::run::run_once;
use sim::scenario;
use sim::trace::{Fact, ProcState, Role, Sent, WireMsg};
use std::collections::BTreeSet;

/// A run's wire messages and world facts, each with its time (ms).
type Truth = (Vec<(u64, WireMsg)>, Vec<(u64, Fact)>);

fn wire_of(name: &str, seed: u64) -> Truth {
    let s = scenario::load(&scenarios_dir().join(format!("{name}.toml"))).expect("bundled scenario parses");
    let r = run_once(&s, seed).unwrap_or_else(|e| panic!("{name}: {e}"));
    let wire = r
        .events
        .iter()
        .filter_map(|e| e.wire.clone().map(|w| (e.t_ms, w)))
        .collect();
    let facts = r
        .events
        .iter()
        .filter_map(|e| e.world.clone().map(|f| (e.t_ms, f)))
        .collect();
    assert!(r.events.iter().any(|e| e.kind == EventKind::Wire));
    (wire, facts)
}

#[test]
fn master_kill_seed_1_votes_and_promotion_are_on_the_wire() {
    let (wire, facts) = wire_of("master_kill", 1);
    // Each Sentinel's run id, as its hellos announce it.
    let id = |node: &str| {
        wire.iter()
            .find_map(|(_, w)| match &w.sent {
                Sent::Hello(h) if w.from == node => Some(h.runid.clone()),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no hello from {node}"))
    };
    // The promotion: SLAVEOF NO ONE then CONFIG REWRITE, from one Sentinel (the leader) to one
    // replica, at the same instant.
    let to_data: Vec<(u64, &str, &str, &Sent)> = wire
        .iter()
        .filter(|(_, w)| matches!(w.sent, Sent::SlaveOf { .. } | Sent::ConfigRewrite))
        .map(|(t, w)| (*t, w.from.as_str(), w.to.as_str(), &w.sent))
        .collect();
    let (t, leader_node, promoted, first) = to_data[0];
    assert!(t > 10_000 && t < 20_000, "{to_data:?}");
    assert!(["redis-6383", "redis-6384"].contains(&promoted), "{to_data:?}");
    assert_eq!(
        first,
        &Sent::SlaveOf {
            verb: "SLAVEOF".into(),
            master: None
        }
    );
    assert_eq!(to_data[1], (t, leader_node, promoted, &Sent::ConfigRewrite));
    // Epoch 1: the leader asked both peers for their vote, and a majority (2 of 3, its own
    // included) named it.
    let leader = id(leader_node);
    let asked: BTreeSet<&str> = wire
        .iter()
        .filter_map(|(_, w)| match &w.sent {
            Sent::VoteRequest { epoch: 1, runid, .. } if *runid == leader => Some(w.to.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(asked.len(), 2, "{asked:?}");
    let voters: BTreeSet<&str> = wire
        .iter()
        .filter_map(|(_, w)| match &w.sent {
            Sent::VoteReply {
                leader: l,
                leader_epoch: 1,
                ..
            } if *l == leader && w.from != leader_node => Some(w.from.as_str()),
            _ => None,
        })
        .collect();
    assert!(!voters.is_empty() && voters.len() <= 2, "{voters:?}");
    assert!(wire.iter().all(|(_, w)| w.from.starts_with("sentinel-")));
    // The world's facts: the kill, and the replicas' links lost at that instant.
    assert!(facts.contains(&(
        10_000,
        Fact::Process {
            node: "redis-6382".into(),
            state: ProcState::Killed
        }
    )));
    // The offset it holds with the link down comes with the fact (some PINGs and hellos by 10 s).
    assert!(facts.iter().any(|(t, f)| *t == 10_000
        && matches!(f, Fact::Replication {
            node,
            role: Role::Replica,
            master: Some(m),
            link_up: false,
            down_since_ms: Some(10_000),
            offset: Some(o),
        } if node == "redis-6383" && m == "127.0.0.1:6382" && *o > 1)));
}

#[test]
fn clock_and_cut_facts_follow_the_timeline() {
    let (_, facts) = wire_of("clock_jump", 1);
    assert!(facts.contains(&(
        20_000,
        Fact::Clock {
            node: "sentinel-5000".into(),
            offset_ms: 10_000,
            rate: 1.0
        }
    )));
    let (_, facts) = wire_of("split_brain", 1);
    let cuts: Vec<&Fact> = facts
        .iter()
        .filter(|(_, f)| matches!(f, Fact::Link { cut: true, .. }))
        .map(|(_, f)| f)
        .collect();
    assert!(!cuts.is_empty());
    let opened = facts
        .iter()
        .filter(|(_, f)| matches!(f, Fact::Link { cut: false, .. }))
        .count();
    assert_eq!(opened, cuts.len(), "every cut is opened again by the heal");
}
