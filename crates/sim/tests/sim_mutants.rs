//! Planted bugs end to end: with the `mutants` feature, the real Sentinel passes a scenario and a
//! planted bug in the same scenario is caught by the check that should catch it.
//! Simulation builds with `--features sim/mutants` only: `cargo simtest-mutants`.
#![cfg(all(madsim, feature = "mutants"))]

mod common;

use common::load;
use sentinel_core::mutants::{self, Mutant};
use sim::run::run_once;
use sim::search::mutants::{catch_of, DetectedFrom};
use sim::search::sweep::RunRecord;

fn play(name: &str, seed: u64) -> RunRecord {
    let s = load(name);
    let r = run_once(&s, seed).unwrap_or_else(|e| panic!("{name} seed {seed}: {e}"));
    RunRecord::from_report(name, &r, None)
}

/// One test: the planted bug is process-wide, so the steps must not run in parallel.
#[test]
fn a_planted_bug_is_caught_and_the_real_sentinel_is_clean() {
    mutants::set(None).unwrap();
    let clean = play("replica_priority.toml", 1);
    assert!(clean.ok, "the real Sentinel failed: {:?}", clean.failed_details);

    mutants::set(Some(Mutant::PromotePriorityZero)).unwrap();
    assert!(mutants::active(Mutant::PromotePriorityZero));
    let bad = play("replica_priority.toml", 1);
    mutants::set(None).unwrap();

    assert!(!bad.ok, "promoting the priority-0 replica went unnoticed");
    let c = catch_of(&bad);
    assert_eq!(c.check, "no-bad-promotion", "{c:?}");
    assert_eq!(c.detected_from, DetectedFrom::Evidence);
    // The master is killed at 10 s; the selection follows the election, seconds later.
    assert!((10_000..20_000).contains(&c.detected_ms), "{c:?}");
    assert!(c.detail.contains("priority is 0"), "{c:?}");

    // Un-planted again: the same run is clean and identical to the first.
    let again = play("replica_priority.toml", 1);
    assert!(again.ok);
    assert_eq!(again.trace_hash, clean.trace_hash);
}
