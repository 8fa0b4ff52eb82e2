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
/// and `wire` messages (votes, SLAVEOF, CONFIG REWRITE, and each hello whose payload differs
/// from the last one on its connection, as sent). Every event of the
/// earlier kinds (time, node, kind, line), the timeline, checks, final state and writes were
/// compared with the previous build for all scenarios × seeds 1–3 and are identical; only the
/// new events change the hashes.
///
/// Before that, issue 8: the typed trace (the hash is FNV-1a over each event's JSON), and the
/// network layer (a FIN or RST held back by a cut arrives at the heal; a FIN crosses a one-way cut
/// in its open direction).
const GOLDEN: &[(&str, &str)] = &[
    ("asymmetric_partition", "ea07ec12e0b0e26f"),
    ("clock_drift", "bdb98d8a0d93aebf"),
    ("clock_jump", "7932d2f991234c9c"),
    ("flaky_network", "8177a86e4f57b2ba"),
    ("manual_failover", "9953ae9baa2f9069"),
    ("master_kill", "e54351201b47ff9a"),
    ("master_kill_and_return", "9163f25d40dbc843"),
    ("minority_partition", "5dea4d5e585afffa"),
    ("pause_master", "dfcf316fce35e25f"),
    ("replica_priority", "c185b72554e1de70"),
    ("sentinel_kill", "0daf83b87f347752"),
    ("slow_link", "84035328f0b478af"),
    ("soak", "271d3fd0e0b20f5b"),
    ("split_brain", "acf7b4513b04273b"),
    ("split_brain_min_replicas", "bb5a4af8ada64474"),
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
