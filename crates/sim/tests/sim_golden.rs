//! Golden traces: seed 1 of every bundled scenario has a pinned trace hash. Any change to what a
//! run does (an event, its time, its order, a world action) changes a hash; such a change must be
//! deliberate, the table updated in the same commit and the commit message must say why.
//! Simulation builds only (`cargo simtest`).
#![cfg(madsim)]

mod common;

use common::{bundled_scenarios, scenarios_dir};
use sim::run::run_once;
use sim::scenario;

/// Seed 1 of each bundled scenario. Last changed by issue 9 (ground truth in the trace): every
/// run now also records `world` facts (process states, cuts, shapes, clocks, replication links)
/// and `wire` messages (votes, SLAVEOF, CONFIG REWRITE, hellos as sent). Every event of the
/// earlier kinds (time, node, kind, line), the timeline, checks, final state and writes were
/// compared with the previous build for all scenarios × seeds 1–3 and are identical; only the
/// new events change the hashes.
///
/// Before that, issue 8: the typed trace (the hash is FNV-1a over each event's JSON), and the
/// network layer (a FIN or RST held back by a cut arrives at the heal; a FIN crosses a one-way cut
/// in its open direction).
const GOLDEN: &[(&str, &str)] = &[
    ("asymmetric_partition", "6e42e758599bb609"),
    ("clock_drift", "9b56fba10d609728"),
    ("clock_jump", "e3a51093453494a1"),
    ("flaky_network", "b236ad8640e74a76"),
    ("manual_failover", "1706b517b9c2eb94"),
    ("master_kill", "2dfb636677585beb"),
    ("master_kill_and_return", "3175bd8c54b5c07f"),
    ("minority_partition", "d49c537364638e87"),
    ("pause_master", "25fc1025e92ea28b"),
    ("replica_priority", "b809fbb68e241378"),
    ("sentinel_kill", "31648a4181c10aea"),
    ("slow_link", "ce61c56cd326bfe5"),
    ("soak", "bab036af11e42714"),
    ("split_brain", "fe1811857245159e"),
    ("split_brain_min_replicas", "8accfb029428291a"),
];

#[test]
fn every_bundled_scenario_has_a_golden_hash() {
    let names = bundled_scenarios();
    let pinned: Vec<String> = GOLDEN.iter().map(|(n, _)| n.to_string()).collect();
    assert_eq!(names, pinned, "add the new scenario's seed-1 hash to GOLDEN");
}

#[test]
fn seed_1_traces_match_their_golden_hashes() {
    let mut changed = Vec::new();
    for (name, want) in GOLDEN {
        let s = scenario::load(&scenarios_dir().join(format!("{name}.toml"))).expect("bundled scenario parses");
        let r = run_once(&s, 1).unwrap_or_else(|e| panic!("{name}: {e}"));
        if r.trace_hash != *want {
            changed.push(format!("{name}: {want} -> {}", r.trace_hash));
        }
    }
    assert!(
        changed.is_empty(),
        "seed-1 trace hashes changed (update GOLDEN deliberately and explain why in the commit):\n{}",
        changed.join("\n")
    );
}
