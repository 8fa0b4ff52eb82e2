//! `sentinel-sim explore`: a small grid over the split brain played end to end (scenario files,
//! table, CSV, JSON, HTML), an impossible combination listed and not played, and a cancelled
//! batch starting nothing. Simulation builds only (`cargo simtest`).
#![cfg(madsim)]

mod common;

use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use common::scenarios_dir;
use sim::search::explore::{explore_main, ExploreArgs};
use sim::search::sweep::{self, Batch};

fn temp_out(tag: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("sim-explore-{tag}-{}", std::process::id()))
}

#[test]
fn a_grid_is_played_and_written() {
    let out = temp_out("grid");
    let code = explore_main(ExploreArgs {
        scenario: scenarios_dir().join("split_brain.toml"),
        vary: vec!["min_replicas_to_write=0,1".into(), "quorum=2,4".into()],
        seeds: "1..2".into(),
        jobs: Some(2),
        out: out.clone(),
    });
    assert_eq!(code, ExitCode::SUCCESS);
    let dir = out.join("explore/split_brain");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("explore.json")).unwrap()).unwrap();
    assert_eq!(json["complete"], true);
    // quorum 4 with 3 Sentinels is not a valid scenario: listed with the parser's reason.
    let not_played = json["not_played"].as_array().unwrap();
    assert_eq!(not_played.len(), 2, "{not_played:?}");
    assert!(not_played[0]["error"]
        .as_str()
        .unwrap()
        .contains("more than the 3 sentinels"));
    let combos = json["combinations"].as_array().unwrap();
    assert_eq!(combos.len(), 2);
    let lost = |i: usize| combos[i]["lost_writes"]["p50"].as_u64().unwrap();
    assert_eq!(combos[0]["label"], "min_replicas_to_write=0, quorum=2");
    assert_eq!(combos[0]["runs"], 2);
    // min-replicas-to-write 1 refuses writes once the replicas are gone: fewer writes lost.
    assert!(lost(1) < lost(0), "{} vs {}", lost(1), lost(0));
    assert_eq!(combos[0]["failover_pct"], 100.0);
    // Each combination is a scenario file that the ordinary parser accepts and `cargo sim` replays.
    let file = combos[1]["file"].as_str().unwrap();
    let s = sim::scenario::load(std::path::Path::new(file)).unwrap();
    assert_eq!(s.redis[0].min_replicas_to_write, 1);
    let csv = std::fs::read_to_string(dir.join("explore.csv")).unwrap();
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(csv.starts_with("min_replicas_to_write,quorum,runs,"), "{csv}");
    let html = std::fs::read_to_string(dir.join("explore.html")).unwrap();
    // Five figures, and the time without an acknowledged write once per client (app-a, app-b).
    assert_eq!(html.matches("<figure>").count(), 7, "one chart per figure and client");
    assert!(html.contains("Longest time app-b went without an acknowledged write"));
    assert!(html.contains("quorum=2") && !html.contains("<script"));
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn bad_arguments_are_errors_before_any_run() {
    let out = temp_out("bad");
    for vary in ["down_aftr=1s", "quorum=", "timeline[9].at=1s", "quorum=2,two"] {
        let code = explore_main(ExploreArgs {
            scenario: scenarios_dir().join("master_kill.toml"),
            vary: vec![vary.into()],
            seeds: "1".into(),
            jobs: Some(1),
            out: out.clone(),
        });
        assert_eq!(code, ExitCode::from(2), "{vary}");
    }
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn a_cancelled_batch_starts_nothing() {
    let scenarios = sweep::load_scenarios(&[scenarios_dir().join("master_kill.toml")]).unwrap();
    let batch = Batch {
        out: temp_out("cancel"),
        workers: 2,
        fail_fast: false,
        silent: true,
        quiet_failures: true,
        cancel: Some(Arc::new(AtomicBool::new(true))),
    };
    let (records, _) = sweep::play_batch(&batch, &scenarios, &[(0, 1, false), (0, 2, false)]);
    assert!(records.is_empty());
}

/// Ctrl-C (SIGINT, sent by PID) once the exploration has started: no new run starts, what
/// finished is written with `complete: false`, and the exit status is 130.
#[test]
fn ctrl_c_keeps_what_finished() {
    use std::io::BufRead;
    let out = temp_out("sigint");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sentinel-sim"))
        .args([
            "explore",
            &scenarios_dir().join("split_brain.toml").display().to_string(),
        ])
        .args(["--vary", "down_after=1s,3s", "--seeds", "1..2000", "-j", "2", "--out"])
        .arg(&out)
        .env("CI", "true")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(first.starts_with("explore "), "{first}");
    // SAFETY: kill(2) on our own child's PID.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{rest:?}");
    assert!(
        rest.iter().any(|l| l.starts_with("stopped by Ctrl-C after")),
        "{rest:?}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("explore/split_brain/explore.json")).unwrap()).unwrap();
    assert_eq!(json["complete"], false);
    let runs: u64 = json["combinations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["runs"].as_u64().unwrap())
        .sum();
    assert!(runs < 4000, "{runs}");
    let _ = std::fs::remove_dir_all(&out);
}

/// The second bundled study's answer on one seed: with the master and one Sentinel cut off, 2
/// Sentinels never fail over (the lone one on the majority side cannot be elected), 3 with quorum 2
/// do, and 3 with quorum 3 do not.
#[test]
fn master_minority_study_answers() {
    let out = temp_out("minority");
    let code = explore_main(ExploreArgs {
        scenario: scenarios_dir().join("studies/master_minority.toml"),
        vary: vec!["sentinels=2,3".into(), "quorum=1,2,3".into()],
        seeds: "1".into(),
        jobs: Some(2),
        out: out.clone(),
    });
    assert_eq!(code, ExitCode::SUCCESS);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("explore/master_minority/explore.json")).unwrap())
            .unwrap();
    let pct = |label: &str| -> f64 {
        let c = json["combinations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["label"] == label)
            .unwrap_or_else(|| panic!("{label}"));
        assert_eq!(c["failed_runs"], 0, "{label}: {c}");
        c["failover_pct"].as_f64().unwrap()
    };
    assert_eq!(pct("sentinels=2, quorum=1"), 0.0);
    assert_eq!(pct("sentinels=3, quorum=2"), 100.0);
    assert_eq!(pct("sentinels=3, quorum=3"), 0.0);
    assert_eq!(json["not_played"].as_array().unwrap().len(), 1, "sentinels=2, quorum=3");
    let _ = std::fs::remove_dir_all(&out);
}
