//! Golden traces: seed 1 of every bundled scenario has a pinned trace hash. Any change to what a
//! run does (an event, its time, its order, a world action) changes a hash; such a change must be
//! deliberate, the table updated in the same commit and the commit message must say why.
//! Simulation builds only (`cargo simtest`).
#![cfg(madsim)]

mod common;

use common::{bundled_scenarios, scenarios_dir};
use sim::run::run_once;
use sim::scenario;

/// Seed 1 of each bundled scenario. Last changed by issue 8, for two reasons:
/// - the typed trace: the hash is FNV-1a over each event's JSON, and that JSON is now typed (a
///   Sentinel event's level, typed body and debug probe; a world line's typed action). Every
///   run's events (time, node, line), checks, final state and writes were compared with the
///   previous build for all scenarios × seeds 1–3 and are identical;
/// - the network layer: a FIN or RST held back by a cut now arrives at the heal (not at the next
///   once-a-second check after it), and a FIN crosses a one-way cut in its open direction, which
///   moves events in asymmetric_partition, soak, split_brain and split_brain_min_replicas.
const GOLDEN: &[(&str, &str)] = &[
    ("asymmetric_partition", "c9456d55c7133500"),
    ("clock_drift", "fb2e43df2bbbc21b"),
    ("clock_jump", "85af5aa6fd1112d1"),
    ("flaky_network", "11793698a45aed03"),
    ("lagging_replica", "df7631b45a9ee7de"),
    ("manual_failover", "583989065e2e49ab"),
    ("master_kill", "4556124305f20226"),
    ("master_kill_and_return", "1eca71196b1f6d82"),
    ("minority_partition", "8cc2dff971c218c8"),
    ("pause_master", "c61021f871d499d9"),
    ("replica_priority", "3c68baa7540ea052"),
    ("sentinel_kill", "cd365c231aa7c800"),
    ("slow_link", "93a40f35835a61f2"),
    ("soak", "36b3d415166a7af4"),
    ("split_brain", "ac6fcd10fe2235db"),
    ("split_brain_min_replicas", "635094adbb1eb891"),
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
