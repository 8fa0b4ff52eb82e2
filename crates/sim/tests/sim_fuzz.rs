//! A short fuzzing session in the simulator: random clusters and fault sequences, every safety
//! invariant, and convergence after the final heal. `FUZZ_CASES` sets the number of cases.
#![cfg(madsim)]

use sim::search::fuzz::{fuzz, FuzzOpts};

#[test]
fn random_fault_sequences_keep_the_invariants_and_converge() {
    let cases = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12);
    let dir = std::env::temp_dir().join(format!("sentinel-sim-fuzz-{}", std::process::id()));
    let opts = FuzzOpts {
        cases,
        seed: 20261123,
        out: dir.clone(),
        regressions: Some(dir.join("regressions.txt")),
        max_shrink_iters: 200,
        jobs: 2,
    };
    match fuzz(&opts, |_| {}).expect("fuzzing ran") {
        None => {}
        Some(f) => panic!(
            "fuzzing found a failure, shrunk to {} episode(s): {}\nreplay: cargo sim {} --seed {}\n{}",
            f.episodes,
            f.reason,
            f.file.display(),
            f.seed,
            std::fs::read_to_string(&f.file).unwrap_or_default()
        ),
    }
}
