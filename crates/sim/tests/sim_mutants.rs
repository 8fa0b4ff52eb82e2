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
    // The first evidence is the +selected-slave the expectation forbids; the invariant judges
    // the SLAVEOF NO ONE on the wire, a moment later.
    assert_eq!(c.check, "never_promoted = [redis-6383]", "{c:?}");
    assert!(bad.failed.iter().any(|f| f == "no-bad-promotion"), "{:?}", bad.failed);
    assert_eq!(c.detected_from, DetectedFrom::Evidence);
    // The master is killed at 10 s; the selection follows the election, seconds later.
    assert!((10_000..20_000).contains(&c.detected_ms), "{c:?}");
    assert!(c.detail.contains("+selected-slave slave 127.0.0.1:6383"), "{c:?}");

    // Un-planted again: the same run is clean and identical to the first.
    let again = play("replica_priority.toml", 1);
    assert!(again.ok);
    assert_eq!(again.trace_hash, clean.trace_hash);

    // The fuzzer finds it too, and on one thread or two it finds the same case and shrinks it
    // to the same scenario (the first failure in generation order is the one shrunk).
    mutants::set(Some(Mutant::PromotePriorityZero)).unwrap();
    let found: Vec<(u32, String)> = [1, 2]
        .into_iter()
        .map(|jobs| {
            // One directory for both (removed after each), so that the replay lines match too.
            let dir = std::env::temp_dir().join(format!("sentinel-sim-mutants-fuzz-{}", std::process::id()));
            let opts = sim::search::fuzz::FuzzOpts {
                cases: 20,
                seed: 20261123,
                out: dir.clone(),
                regressions: None,
                max_shrink_iters: 64,
                jobs,
            };
            let f = sim::search::fuzz::fuzz(&opts, |_| {})
                .expect("fuzzing ran")
                .expect("the fuzzer catches the planted bug");
            let text = std::fs::read_to_string(&f.file).expect("the shrunk scenario");
            let _ = std::fs::remove_dir_all(&dir);
            (f.case, text)
        })
        .collect();
    mutants::set(None).unwrap();
    assert_eq!(found[0].0, found[1].0, "the same first failing case");
    assert_eq!(found[0].1, found[1].1, "the same shrunk scenario");
}
