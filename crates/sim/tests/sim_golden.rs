//! Golden traces: seed 1 of every bundled scenario has a pinned trace hash. Any change to what a
//! run does (an event, its time, its order, a world action) changes a hash; such a change must be
//! deliberate, the table updated in the same commit and the commit message must say why.
//! Simulation builds only (`cargo simtest`).
#![cfg(madsim)]

mod common;

use common::{bundled_scenarios, scenarios_dir};
use sim::run::run_once;
use sim::scenario;

/// Seed 1 of each bundled scenario. Last changed by issue 8's network layer: a FIN or RST held
/// back by a cut now arrives at the heal (not at the next once-a-second check after it), and a
/// FIN crosses a one-way cut in its open direction (asymmetric_partition, soak, split_brain,
/// split_brain_min_replicas).
const GOLDEN: &[(&str, &str)] = &[
    ("asymmetric_partition", "a0ebb7881f40cdf2"),
    ("clock_drift", "bbc247fb11acc435"),
    ("clock_jump", "98f2c43de8a66e73"),
    ("flaky_network", "1d112bcad34d6ae1"),
    ("manual_failover", "0d636a4822702202"),
    ("master_kill", "b09ebc5f0251e817"),
    ("master_kill_and_return", "7a281ff8862384a7"),
    ("minority_partition", "888eb4a03072a15b"),
    ("pause_master", "4579043e209f9ad8"),
    ("replica_priority", "fbe102cac252c32c"),
    ("sentinel_kill", "bfe690b56b2bfab1"),
    ("slow_link", "2fbb477272b8dbc9"),
    ("soak", "84d6f8c3416406a7"),
    ("split_brain", "f9e66b117e6eadb5"),
    ("split_brain_min_replicas", "4c9e532a52fae8c0"),
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
