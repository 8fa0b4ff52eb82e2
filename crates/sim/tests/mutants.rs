//! `sentinel-sim mutants`: the pure parts (choosing mutants, reading a failed run's first check and
//! its detection time, the first failure in job order, the table).

use sim::checks::INVARIANTS;
use sim::search::mutants::{
    catch_of, evidence_ms, first_failure, render_markdown, render_text, render_verdict, replay_command, select,
    verdict, Catch, DetectedFrom, FuzzPart, MutantOutcome, SweepPart, NONE, TRACE_CHECKS,
};
use sim::search::sweep::RunRecord;

fn failed(scenario: &str, seed: u64, sim_ms: u64, checks: &[(&str, &str)]) -> RunRecord {
    let mut r = RunRecord::from_error(scenario, &format!("scenarios/{scenario}.toml"), seed, String::new());
    r.error = None;
    r.sim_ms = sim_ms;
    r.failed = checks.iter().map(|(n, _)| n.to_string()).collect();
    r.failed_details = checks.iter().map(|(n, d)| format!("{n}: {d}")).collect();
    r
}

fn passed(scenario: &str, seed: u64) -> RunRecord {
    let mut r = failed(scenario, seed, 60_000, &[]);
    r.ok = true;
    r.replay = None;
    r
}

#[test]
fn every_trace_check_is_an_invariant() {
    for name in TRACE_CHECKS {
        assert!(INVARIANTS.iter().any(|i| i.name == name), "{name} is not an invariant");
    }
}

#[test]
fn selecting_mutants_by_name() {
    assert_eq!(select(&[]).unwrap().len(), sentinel_core::mutants::CATALOGUE.len());
    let two = select(&["vote-twice".into(), "never-tilt".into(), "vote-twice".into()]).unwrap();
    assert_eq!(two.len(), 2);
    let e = select(&["vote-thrice".into()]).unwrap_err();
    assert!(
        e.contains("unknown mutant \"vote-thrice\"") && e.contains("vote-twice"),
        "{e}"
    );
}

#[test]
fn the_first_check_is_the_one_with_the_earliest_evidence() {
    let r = failed(
        "master_kill",
        3,
        60_000,
        &[
            (
                "one-leader-per-epoch",
                "epoch 1: 2 leaders: sentinel-5000 at 13.209s, sentinel-5001 at 13.150s",
            ),
            (
                "one-vote-per-epoch",
                "sentinel-5002 epoch 1: voted for a at 13.100s, b at 13.120s",
            ),
            ("one-master", "two masters"),
        ],
    );
    let c = catch_of(&r);
    assert_eq!(c.check, "one-vote-per-epoch");
    assert_eq!(c.detected_ms, 13_100);
    assert_eq!(c.detected_from, DetectedFrom::Evidence);
    assert_eq!((c.scenario.as_str(), c.seed), ("master_kill", 3));
    assert_eq!(c.failed.len(), 3);
    assert_eq!(c.replay, "cargo sim scenarios/master_kill.toml --seed 3");
}

#[test]
fn checks_of_the_end_state_count_at_the_run_end() {
    // An expectation's detail holds durations, not times: it is not read.
    assert_eq!(evidence_ms("max_detection = 5s", "kill→+odown 7.119s"), None);
    assert_eq!(
        evidence_ms("no-bad-promotion", "13.292s sentinel-5000 selected redis-6383"),
        Some(13_292)
    );
    // Two expectations list the offending events with their times.
    let line = "14.1s x; 13.306s sentinel-5002 +selected-slave slave 127.0.0.1:6383 127.0.0.1 6383 @ m";
    assert_eq!(evidence_ms("never_promoted = [redis-6383]", line), Some(13_306));
    assert_eq!(
        evidence_ms("not_seen = [+odown]", "13.119s sentinel-5000 +odown ..."),
        Some(13_119)
    );
    let r = failed("clock_jump", 1, 90_000, &[("seen = [\"+tilt\"]", "missing +tilt")]);
    let c = catch_of(&r);
    assert_eq!((c.check.as_str(), c.detected_ms), ("seen = [\"+tilt\"]", 90_000));
    assert_eq!(c.detected_from, DetectedFrom::RunEnd);
    let e = RunRecord::from_error("soak", "scenarios/soak.toml", 2, "panicked: boom".into());
    let c = catch_of(&e);
    assert_eq!(
        (c.check.as_str(), c.detected_from),
        ("run-error", DetectedFrom::RunError)
    );
}

#[test]
fn the_first_failure_is_first_in_job_order_not_in_completion_order() {
    let records = vec![
        passed("a", 1),
        failed("b", 2, 1, &[("one-master", "x")]),
        failed("a", 2, 1, &[("one-master", "y")]),
        passed("b", 1),
    ];
    // Seed-major, scenarios a then b.
    let order = |r: &RunRecord| (r.seed as usize) * 2 + usize::from(r.scenario == "b");
    let f = first_failure(&records, order).unwrap();
    assert_eq!((f.scenario.as_str(), f.seed), ("a", 2));
    assert!(first_failure(&records[..1], order).is_none());
}

fn outcome(name: &str, sweep: Option<Catch>, fuzz: Option<Catch>) -> MutantOutcome {
    MutantOutcome {
        name: name.into(),
        bug: "b".into(),
        rule: "r".into(),
        sweep: SweepPart {
            planned: 10,
            played: 10,
            failed: usize::from(sweep.is_some()),
            caught: sweep,
            wall_ms: 1,
        },
        fuzz: Some(FuzzPart {
            cases: 30,
            caught: fuzz,
            error: None,
            wall_ms: 1,
        }),
    }
}

#[test]
fn the_table_says_what_was_caught_where_and_what_escaped() {
    let sweep_catch = catch_of(&failed(
        "master_kill",
        1,
        60_000,
        &[("one-leader-per-epoch", "epoch 1: 2 leaders: x at 13.209s, y at 13.300s")],
    ));
    let mut fuzz_catch = catch_of(&failed("fuzz-failure-00ab", 7, 80_000, &[("one-master", "two")]));
    fuzz_catch.fuzz_case = Some(12);
    fuzz_catch.shrunk_actions = Some(4);
    let rows = vec![
        outcome(NONE, None, None),
        outcome("vote-twice", Some(sweep_catch), None),
        outcome("never-convert-old-master", None, Some(fuzz_catch)),
        outcome("ignore-parallel-syncs", None, None),
    ];
    assert_eq!(
        rows.iter().map(verdict).collect::<Vec<_>>(),
        ["clean", "caught", "caught", "ESCAPED"]
    );
    let t = render_text(&rows);
    let lines: Vec<&str> = t.lines().collect();
    assert!(lines[0].starts_with("mutant"));
    assert!(lines[2].contains("one-leader-per-epoch") && lines[2].contains("master_kill seed 1"));
    assert!(lines[2].contains("13.209s"), "{}", lines[2]);
    assert!(lines[3].contains("fuzz case 12") && lines[3].contains("shrunk to 4 actions"));
    assert!(lines[3].contains("80.000s (end)"), "{}", lines[3]);
    assert!(lines[4].contains("ESCAPED") && lines[4].contains("none in 30 cases"));
    let md = render_markdown(&rows);
    assert_eq!(md.lines().count(), 2 + rows.len());
    let v = render_verdict(&rows[0], &rows[1..]);
    assert!(v.contains("caught 2 of 3") && v.contains("ESCAPED (no check failed): ignore-parallel-syncs"));
    assert!(!v.contains("FAILED"));
}

#[test]
fn a_mutant_replays_in_the_mutants_build() {
    assert_eq!(
        replay_command("scenarios/master_kill.toml", 4, Some("vote-twice")),
        "cargo sim-mutants-cli run scenarios/master_kill.toml --seed 4 --mutant vote-twice"
    );
    assert_eq!(
        replay_command("scenarios/master_kill.toml", 4, None),
        "cargo sim scenarios/master_kill.toml --seed 4"
    );
}

/// In a build without the feature, planting is refused with a way out.
#[cfg(not(feature = "mutants"))]
#[test]
fn a_normal_build_refuses_to_plant_and_says_how_to_build() {
    use sim::search::mutants::plant;
    let e = plant("vote-twice").unwrap_err();
    assert!(
        e.contains("no mutation points") && e.contains("cargo sim-mutants"),
        "{e}"
    );
    assert!(plant("vote-thrice").unwrap_err().contains("unknown mutant"));
    assert_eq!(sentinel_core::mutants::current(), None);
}
