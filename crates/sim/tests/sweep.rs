//! `sentinel-sim sweep` / `merge`: the pure parts (seed lists, shards, percentiles, per-run
//! records, aggregates, merging shards).

mod common;

use common::*;
use sim::checks::Timeline;
use sim::report::{ClientWrites, RunReport, Unavailability, UnavailableWindow, WriteErrors, WritesSummary};
use sim::search::sweep::{self, RunRecord, Shard};

/// A workload summary with the counts a sweep aggregates.
fn writes(acknowledged: u64, lost: u64, lost_after_heal: u64, unknown: u64, errors: WriteErrors) -> WritesSummary {
    WritesSummary {
        acknowledged,
        lost,
        lost_after_heal,
        unknown,
        errors,
        ..Default::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Percentiles
// ---------------------------------------------------------------------------------------------

#[test]
fn percentile_is_nearest_rank() {
    let v: Vec<u64> = (1..=100).collect();
    assert_eq!(sweep::percentile(&v, 0.0), Some(1));
    assert_eq!(sweep::percentile(&v, 50.0), Some(50));
    assert_eq!(sweep::percentile(&v, 90.0), Some(90));
    assert_eq!(sweep::percentile(&v, 99.0), Some(99));
    assert_eq!(sweep::percentile(&v, 100.0), Some(100));
    assert_eq!(sweep::percentile(&[1u64, 2, 3, 4], 50.0), Some(2));
    assert_eq!(sweep::percentile(&[1u64, 2, 3, 4], 51.0), Some(3));
    assert_eq!(sweep::percentile(&[7u64], 0.0), Some(7));
    assert_eq!(sweep::percentile(&[7u64], 99.0), Some(7));
    assert_eq!(sweep::percentile::<u64>(&[], 50.0), None);
    // 10 values: p90 is the 9th, p99 the 10th.
    let ten: Vec<u64> = (1..=10).map(|x| x * 100).collect();
    assert_eq!(sweep::percentile(&ten, 90.0), Some(900));
    assert_eq!(sweep::percentile(&ten, 99.0), Some(1000));
}

#[test]
fn distributions_sort_their_input() {
    let d = sweep::dist_u64(vec![5, 1, 4, 2, 3]).unwrap();
    assert_eq!((d.n, d.min, d.p50, d.p90, d.p99, d.max), (5, 1, 3, 5, 5, 5));
    assert!(sweep::dist_u64(vec![]).is_none());
    let f = sweep::dist_f64(vec![2.5, 0.0, 10.0, 1.0]).unwrap();
    assert_eq!((f.n, f.min, f.p50, f.max), (4, 0.0, 1.0, 10.0));
    assert!(sweep::dist_f64(vec![]).is_none());
}

// ---------------------------------------------------------------------------------------------
// Seeds
// ---------------------------------------------------------------------------------------------

#[test]
fn seed_ranges_are_inclusive() {
    let s = sweep::parse_seeds("1..1000").unwrap();
    assert_eq!(s.len(), 1000);
    assert_eq!((s[0], s[999]), (1, 1000));
    assert_eq!(sweep::parse_seeds("1..=10").unwrap(), (1..=10).collect::<Vec<u64>>());
    assert_eq!(sweep::parse_seeds("5").unwrap(), vec![5]);
    assert_eq!(sweep::parse_seeds(" 0 ").unwrap(), vec![0]);
    assert_eq!(sweep::parse_seeds("3..3").unwrap(), vec![3]);
    // Lists keep their order and drop duplicates.
    assert_eq!(
        sweep::parse_seeds("10..12, 1..=2,11,42").unwrap(),
        vec![10, 11, 12, 1, 2, 42]
    );
    let max = u64::MAX;
    assert_eq!(sweep::parse_seeds(&format!("{max}")).unwrap(), vec![max]);
    assert_eq!(
        sweep::parse_seeds(&format!("{}..{max}", max - 1)).unwrap(),
        vec![max - 1, max]
    );
}

#[test]
fn bad_seed_lists_say_what_is_wrong() {
    let cases = [
        ("", "no seeds given"),
        ("  ", "no seeds given"),
        ("abc", "\"abc\" is not a seed"),
        ("-5", "\"-5\" is not a seed"),
        ("1..x", "\"x\" is not a seed"),
        ("1.5", "\"1.5\" is not a seed"),
        ("1..", "a bound is missing"),
        ("..5", "a bound is missing"),
        ("1..=", "a bound is missing"),
        ("10..1", "the range is empty"),
        ("1,,2", "an empty item"),
        ("1..", "bad --seeds \"1..\""),
        ("0..99999999999", "more than 10000000 seeds"),
    ];
    for (spec, want) in cases {
        let e = sweep::parse_seeds(spec).expect_err(spec);
        assert!(e.contains(want), "{spec:?}: {e:?} should contain {want:?}");
        assert!(e.starts_with("bad --seeds"), "{e}");
    }
}

// ---------------------------------------------------------------------------------------------
// Shards
// ---------------------------------------------------------------------------------------------

#[test]
fn shard_parsing() {
    assert_eq!(sweep::parse_shard("1/4").unwrap(), Shard { k: 1, n: 4 });
    assert_eq!(sweep::parse_shard("4/4").unwrap(), Shard { k: 4, n: 4 });
    assert_eq!(sweep::parse_shard(" 2 / 3 ").unwrap(), Shard { k: 2, n: 3 });
    assert_eq!(sweep::parse_shard("2/3").unwrap().tag(), "shard-2-of-3");
    for bad in ["0/4", "5/4", "1/0", "4", "a/b", "1/", "/2", "-1/2"] {
        let e = sweep::parse_shard(bad).expect_err(bad);
        assert!(e.contains("bad --shard") && e.contains("K/N"), "{e}");
    }
}

#[test]
fn shards_cover_every_seed_exactly_once() {
    let lists = [
        sweep::parse_seeds("1..1000").unwrap(),
        sweep::parse_seeds("7").unwrap(),
        sweep::parse_seeds("500..510,3,99..=101").unwrap(),
    ];
    for seeds in &lists {
        let all = sweep::shard_seeds(seeds, None);
        assert_eq!(all.len(), seeds.len());
        for n in 1..=9 {
            let mut count = vec![0u32; seeds.len()];
            let mut sizes = Vec::new();
            for k in 1..=n {
                let part = sweep::shard_seeds(seeds, Some(Shard { k, n }));
                sizes.push(part.len());
                for (pos, seed) in part {
                    assert_eq!(seeds[pos], seed, "positions are global");
                    assert_eq!(pos % n, k - 1, "round robin");
                    count[pos] += 1;
                }
            }
            assert!(count.iter().all(|&c| c == 1), "n={n}: {count:?}");
            // Balanced: sizes differ by at most one.
            let (lo, hi) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
            assert!(hi - lo <= 1, "n={n}: {sizes:?}");
        }
    }
}

#[test]
fn determinism_reruns_are_chosen_by_global_position() {
    assert!(sweep::checks_determinism(0, 50));
    assert!(!sweep::checks_determinism(1, 50));
    assert!(sweep::checks_determinism(100, 50));
    assert!(!sweep::checks_determinism(0, 0), "0 turns the check off");
    assert!(sweep::checks_determinism(3, 1));
}

// ---------------------------------------------------------------------------------------------
// Records, aggregates, merge
// ---------------------------------------------------------------------------------------------

/// A made-up run: some fail, some have no failover, some play twice, some have a workload.
fn synthetic(scenario: &str, seed: u64, with_writes: bool) -> RunRecord {
    let failover = !seed.is_multiple_of(7);
    let ok = !seed.is_multiple_of(13);
    let file = format!("scenarios/{scenario}.toml");
    let deterministic = (seed % 10 == 1).then_some(seed != 21);
    let ok = ok && deterministic != Some(false);
    RunRecord {
        scenario: scenario.to_string(),
        file: file.clone(),
        seed,
        ok,
        error: None,
        trace_hash: Some(format!("{:016x}", seed.wrapping_mul(0x9e37_79b9_7f4a_7c15))),
        failed: if ok { vec![] } else { vec!["one-master".into()] },
        failed_details: vec![],
        deterministic,
        determinism_detail: None,
        timeline: Timeline {
            fault: Some("kill 127.0.0.1:6382".into()),
            fault_kind: Some(sim::scenario::ActionKind::Kill),
            fault_at_ms: Some(10_000),
            sdown_ms: Some(3000 + seed * 7 % 100),
            odown_ms: Some(3100 + seed * 11 % 100),
            elected_ms: failover.then_some(3200 + seed * 13 % 100),
            failover_epoch: failover.then_some(1),
            first_switch_ms: failover.then_some(4200 + seed * 17 % 100),
            last_switch_ms: failover.then_some(5200 + seed * 19 % 300),
            new_master: failover.then(|| "127.0.0.1:6383".into()),
            ..Default::default()
        },
        writes: with_writes.then(|| {
            let errors = WriteErrors {
                readonly: seed % 4,
                connection: 10,
                ..Default::default()
            };
            let mut w = writes(1000 - seed, seed % 5, seed % 2, seed % 3, errors);
            w.unavailable = Some(Unavailability {
                count: 1 + seed % 3,
                total_ms: 1_000 + seed * 10,
                p50_ms: 400,
                p99_ms: 500 + seed * 7,
                max_ms: 500 + seed * 7,
            });
            w
        }),
        sim_ms: 60_000,
        wall_ms: 40 + seed % 9,
        replay: (!ok).then(|| sweep::replay_command(&file, seed, deterministic == Some(false))),
    }
}

fn all_runs() -> Vec<RunRecord> {
    let mut v = Vec::new();
    for seed in 1..=100 {
        v.push(synthetic("master_kill", seed, false));
        v.push(synthetic("flaky_writes", seed, true));
    }
    v
}

#[test]
fn merged_shards_equal_the_unsharded_aggregate() {
    let all = all_runs();
    let seeds: Vec<u64> = (1..=100).collect();
    let whole = sweep::aggregate(&all);
    assert_eq!(whole.len(), 2);
    for n in [1, 2, 3, 7] {
        // Each shard's records go through their JSON lines, as between machines.
        let mut inputs = Vec::new();
        for k in 1..=n {
            let mine: Vec<u64> = sweep::shard_seeds(&seeds, Some(Shard { k, n }))
                .into_iter()
                .map(|(_, s)| s)
                .collect();
            for scenario in ["master_kill", "flaky_writes"] {
                let part: Vec<RunRecord> = all
                    .iter()
                    .filter(|r| r.scenario == scenario && mine.contains(&r.seed))
                    .cloned()
                    .collect();
                let text = sweep::to_jsonl(&part);
                assert_eq!(text.lines().count(), part.len());
                inputs.push(sweep::parse_jsonl(&text, "shard.jsonl").unwrap());
            }
        }
        // Inputs in reverse order: the order of the files does not matter.
        inputs.reverse();
        let merged = sweep::merge_records(inputs);
        assert_eq!(merged.len(), all.len());
        assert_eq!(sweep::aggregate(&merged), whole, "n={n}");
        let perf = sweep::Perf::default();
        let a = sweep::SweepSummary::new("merge", None, None, &merged, perf.clone());
        let b = sweep::SweepSummary::new("merge", None, None, &all, perf);
        assert_eq!(a, b);
    }
}

#[test]
fn aggregates_count_what_they_say() {
    let all = all_runs();
    let aggs = sweep::aggregate(&all);
    let mk = aggs.iter().find(|a| a.scenario == "master_kill").unwrap();
    assert_eq!(mk.runs, 100);
    // Fails: multiples of 13 (7 of them) and the nondeterministic seed 21.
    assert_eq!(mk.failed, 8);
    assert_eq!(mk.failing.len(), 8);
    assert_eq!(mk.determinism_checked, 10);
    assert_eq!(mk.nondeterministic, 1);
    assert!(mk
        .failing
        .iter()
        .any(|f| f.seed == 21 && f.replay == "cargo sim scenarios/master_kill.toml --seed 21 --check-determinism"));
    assert!(mk
        .failing
        .iter()
        .any(|f| f.seed == 13 && f.replay == "cargo sim scenarios/master_kill.toml --seed 13"));
    // No failover on multiples of 7 (14 of them).
    assert_eq!(mk.failover_runs, 86);
    assert!((mk.failover_pct - 86.0).abs() < 1e-9);
    assert_eq!(mk.elected_ms.unwrap().n, 86);
    assert_eq!(mk.sdown_ms.unwrap().n, 100);
    assert_eq!(mk.origin, "kill");
    assert_eq!(mk.writes_runs, 0);
    assert!(mk.lost.is_none() && mk.failed_write_pct.is_none());
    let text = sweep::render_scenario(mk);
    assert!(text.contains("failover 86/100 (86.0%)"), "{text}");
    assert!(text.contains("writes: none (no client workload"), "{text}");
    assert!(
        text.contains("cargo sim scenarios/master_kill.toml --seed 13"),
        "{text}"
    );

    let fw = aggs.iter().find(|a| a.scenario == "flaky_writes").unwrap();
    assert_eq!(fw.writes_runs, 100);
    let lost = fw.lost.unwrap();
    assert_eq!((lost.min, lost.max), (0, 4));
    let lah = fw.lost_after_heal.unwrap();
    assert_eq!((lah.min, lah.max), (0, 1));
    assert_eq!(fw.failed_write_pct.unwrap().n, 100);
    let text = sweep::render_scenario(fw);
    assert!(text.contains("lost writes"), "{text}");
    // Longest window per run: 500 + 7 × seed ms; total per run: 1000 + 10 × seed ms (seeds 1-100).
    let longest = fw.unavailable_max_ms.unwrap();
    assert_eq!(
        (longest.n, longest.min, longest.p50, longest.p90, longest.max),
        (100, 507, 850, 1130, 1200)
    );
    let total = fw.unavailable_total_ms.unwrap();
    assert_eq!(
        (total.n, total.min, total.p50, total.p99, total.max),
        (100, 1010, 1500, 1990, 2000)
    );
    assert!(
        text.contains("unavailable: longest window        100   p50 0.850s  p90 1.130s  p99 1.193s  max 1.200s"),
        "{text}"
    );
    assert!(
        text.contains("unavailable: total (all clients)   100   p50 1.500s  p90 1.900s  p99 1.990s  max 2.000s"),
        "{text}"
    );
    assert!(!text.contains("n/a") && !text.contains("TODO"), "{text}");
}

#[test]
fn records_keep_the_unavailability_figures_not_the_lists() {
    let s = load("master_kill.toml");
    let mut r = RunReport::new(&s, 1, &kill9_trace(), &kill9_final(), None, 60_000, 40);
    let window = UnavailableWindow {
        start_ms: 20_000,
        end_ms: 23_500,
        open: false,
    };
    let figures = Unavailability {
        count: 1,
        total_ms: 3_500,
        p50_ms: 3_500,
        p99_ms: 3_500,
        max_ms: 3_500,
    };
    r.writes = Some(WritesSummary {
        unavailable: Some(figures),
        clients: vec![ClientWrites {
            name: "app".into(),
            unavailable: figures,
            unavailable_windows: vec![window],
            ..Default::default()
        }],
        ..Default::default()
    });
    let rec = RunRecord::from_report("scenarios/master_kill.toml", &r, None);
    let w = rec.writes.as_ref().unwrap();
    assert!(w.clients[0].unavailable_windows.is_empty() && w.clients[0].activity.is_empty());
    assert_eq!(w.clients[0].unavailable, figures);
    assert_eq!(
        (rec.unavailable_max_ms(), rec.unavailable_total_ms()),
        (Some(3_500), Some(3_500))
    );
    // A record written before the figures existed still parses, and counts as not measured.
    let mut old: serde_json::Value = serde_json::from_str(sweep::to_jsonl(&[rec]).trim()).unwrap();
    let ow = old["writes"].as_object_mut().unwrap();
    ow.remove("unavailable");
    for c in ow["clients"].as_array_mut().unwrap() {
        let c = c.as_object_mut().unwrap();
        for k in ["unavailable", "unavailable_windows", "activity"] {
            c.remove(k);
        }
    }
    let back = sweep::parse_jsonl(&old.to_string(), "old.jsonl").unwrap();
    assert_eq!(back[0].unavailable_max_ms(), None);
    let agg = sweep::aggregate(&back);
    assert_eq!(agg[0].writes_runs, 1);
    assert!(agg[0].unavailable_max_ms.is_none());
    assert!(sweep::render_scenario(&agg[0]).contains("(no run measured it)"));
}

#[test]
fn failed_write_share_counts_errors_and_unknown_outcomes() {
    let mut r = synthetic("x", 1, false);
    assert_eq!(r.failed_write_pct(), None);
    let errors = WriteErrors {
        readonly: 5,
        connection: 3,
        ..Default::default()
    };
    r.writes = Some(writes(100, 3, 1, 2, errors));
    let p = r.failed_write_pct().unwrap();
    assert!((p - 1000.0 / 110.0).abs() < 1e-9, "{p}");
    r.writes = Some(writes(0, 0, 0, 0, WriteErrors::default()));
    assert_eq!(r.failed_write_pct(), None, "no attempt at all");
}

#[test]
fn merge_drops_identical_duplicates_and_flags_disagreements() {
    let a = synthetic("master_kill", 2, false);
    let same = sweep::merge_records(vec![vec![a.clone()], vec![a.clone()]]);
    assert_eq!(same, vec![a.clone()]);
    let mut b = a.clone();
    b.trace_hash = Some("0000000000000000".into());
    let m = sweep::merge_records(vec![vec![a.clone()], vec![b]]);
    assert_eq!(m.len(), 1);
    assert!(!m[0].ok);
    assert_eq!(m[0].deterministic, Some(false));
    assert!(m[0].failed.contains(&"determinism".to_string()));
    assert!(m[0]
        .replay
        .as_deref()
        .unwrap()
        .ends_with("--seed 2 --check-determinism"));
}

#[test]
fn bad_jsonl_names_file_and_line() {
    let good = sweep::to_jsonl(&[synthetic("s", 1, false)]);
    let text = format!("{good}\n{{\"seed\": 1}}\n");
    let e = sweep::parse_jsonl(&text, "x.jsonl").unwrap_err();
    assert!(e.starts_with("x.jsonl:3: not a sweep record"), "{e}");
}

#[test]
fn record_of_a_real_report() {
    let s = load("master_kill.toml");
    let r = RunReport::new(&s, 1, &kill9_trace(), &kill9_final(), None, 60_000, 40);
    assert!(r.ok, "{:#?}", r.failures());
    let rec = RunRecord::from_report("scenarios/master_kill.toml", &r, Some(None));
    assert!(rec.ok);
    assert_eq!(rec.deterministic, Some(true));
    assert_eq!(rec.trace_hash.as_deref(), Some(r.trace_hash.as_str()));
    assert_eq!(rec.timeline.origin_label(), "kill");
    assert_eq!(rec.timeline, r.timeline);
    assert_eq!(rec.timeline.sdown_ms, r.timeline.sdown_ms);
    assert_eq!(rec.timeline.last_switch_ms, r.timeline.last_switch_ms);
    assert!(rec.timeline.last_switch_ms.is_some());
    assert!(rec.replay.is_none() && rec.failed.is_empty());
    // A determinism mismatch fails the run and says how to replay it.
    let bad = RunRecord::from_report("scenarios/master_kill.toml", &r, Some(Some("differs".into())));
    assert!(!bad.ok);
    assert_eq!(bad.failed, vec!["determinism".to_string()]);
    assert_eq!(
        bad.replay.as_deref(),
        Some("cargo sim scenarios/master_kill.toml --seed 1 --check-determinism")
    );
    // JSON lines round trip.
    let back = sweep::parse_jsonl(&sweep::to_jsonl(std::slice::from_ref(&bad)), "x").unwrap();
    assert_eq!(back, vec![bad]);
    // A run that could not complete.
    let err = RunRecord::from_error("master_kill", "scenarios/master_kill.toml", 9, "boom".into());
    assert!(!err.ok);
    assert!(err.failure_line().contains("run error: boom"));
}
