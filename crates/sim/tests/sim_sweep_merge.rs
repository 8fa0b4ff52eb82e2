//! Sweeps on many machines: real runs of two bundled scenarios (one with clients), played as an
//! unsharded sweep and as 1, 2 and 3 shards whose records travel as JSON lines (as between the
//! machines of `.github/workflows/sweep-shards.yml` or `deploy/kubernetes/`), merge into the
//! same report. Simulation builds only (`cargo simtest`).
#![cfg(madsim)]

mod common;

use common::scenarios_dir;
use sim::search::sweep::{self, Batch, Perf, RunRecord, Shard, SweepSummary};

/// The summary without what legitimately differs between a sweep and a merge: its kind, the
/// seed text, and the wall-clock figures.
fn comparable(records: &[RunRecord]) -> SweepSummary {
    SweepSummary::new("any", None, None, records, Perf::default())
}

#[test]
fn shards_of_real_runs_merge_into_the_unsharded_report() {
    let files = [
        scenarios_dir().join("master_kill.toml"),
        scenarios_dir().join("split_brain.toml"),
    ];
    let scenarios = sweep::load_scenarios(&files).unwrap();
    let seeds = sweep::parse_seeds("1..5").unwrap();
    let out = std::env::temp_dir().join(format!("sim-sweep-merge-{}", std::process::id()));
    let batch = Batch {
        out: out.clone(),
        workers: 2,
        fail_fast: false,
        silent: true,
        quiet_failures: false,
        cancel: None,
    };
    let jobs_of = |shard: Option<Shard>| -> Vec<(usize, u64, bool)> {
        sweep::shard_seeds(&seeds, shard)
            .into_iter()
            .flat_map(|(_, seed)| (0..scenarios.len()).map(move |i| (i, seed, false)))
            .collect()
    };
    let (whole, _) = sweep::play_batch(&batch, &scenarios, &jobs_of(None));
    assert_eq!(whole.len(), 10);
    assert!(whole.iter().all(|r| r.ok), "every run passes");
    let expected = comparable(&whole);
    assert!(
        expected.scenarios.iter().any(|a| a.lost.is_some()),
        "the clients' figures take part"
    );
    for n in 1..=3 {
        let mut inputs = Vec::new();
        for k in 1..=n {
            let (part, _) = sweep::play_batch(&batch, &scenarios, &jobs_of(Some(Shard { k, n })));
            let text = sweep::to_jsonl(&part);
            inputs.push(sweep::parse_jsonl(&text, &format!("shard-{k}-of-{n}.jsonl")).unwrap());
        }
        inputs.reverse();
        let merged = sweep::merge_records(inputs);
        assert_eq!(merged.len(), whole.len(), "n={n}");
        assert_eq!(comparable(&merged), expected, "n={n}");
    }
    let _ = std::fs::remove_dir_all(&out);
}
