//! The checks that judge from public evidence (each Sentinel's log, the world's actions, RESP)
//! give the same verdicts with and without the core's debug probe; the ones that need the probe
//! say so instead of passing silently. Simulation builds only (`cargo simtest`).
#![cfg(madsim)]

mod common;

use common::scenarios_dir;
use sim::report::RunReport;
use sim::run::run_observed;
use sim::scenario;

/// Invariants that read only the Sentinels' logs, the world's own records and the wire.
const PUBLIC: [&str; 17] = [
    "one-leader-per-epoch",
    "config-epoch-monotonic",
    "vote-persisted",
    "failover-attempt-spacing",
    "sdown-needs-outage",
    "one-vote-per-epoch",
    "no-bad-promotion",
    "no-failover-without-outage",
    "tilt-from-clock",
    "data-safety",
    "one-leader-per-epoch-log",
    "one-vote-per-epoch-log",
    "leader-had-votes",
    "no-action-in-tilt",
    "one-master",
    "replicas-follow",
    "sentinels-agree",
];

fn play(name: &str, seed: u64, probe: bool) -> RunReport {
    let path = scenarios_dir().join(format!("{name}.toml"));
    let s = scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
    run_observed(&s, seed, probe).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn verdict<'a>(r: &'a RunReport, name: &str) -> (bool, &'a str) {
    let c = r
        .invariants
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no invariant {name}"));
    (c.ok, c.detail.as_str())
}

#[test]
fn public_invariants_agree_without_the_probe() {
    for name in [
        "master_kill",
        "split_brain",
        "manual_failover",
        "clock_jump",
        "sentinel_kill",
    ] {
        for seed in 1..=2 {
            let with = play(name, seed, true);
            let without = play(name, seed, false);
            assert_eq!(
                with.events, without.events,
                "{name} seed {seed}: the run itself changed"
            );
            for inv in PUBLIC {
                assert_eq!(verdict(&with, inv), verdict(&without, inv), "{name} seed {seed}: {inv}");
            }
            assert_eq!(with.expectations, without.expectations, "{name} seed {seed}");
            let (ok, detail) = verdict(&without, "config-epoch-monotonic-probe");
            assert!(ok && detail.starts_with("not judged"), "{name}: {detail}");
            let (ok, detail) = verdict(&without, "no-bad-promotion-probe");
            assert!(ok, "{name}: {detail}");
            if detail.contains("selected") {
                assert!(detail.contains("no debug probe"), "{name}: {detail}");
            }
        }
    }
}
