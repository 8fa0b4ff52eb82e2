//! The per-run summary and results JSON.

mod common;

use common::*;
use sim::report::{self, RunReport, SummaryOpts, WritesSummary};

fn report(wall_ms: u64) -> RunReport {
    let s = load("master_kill.toml");
    RunReport::new(&s, 1, &kill9_trace(), &kill9_final(), None, 60_000, wall_ms)
}

#[test]
fn summary_reads_like_an_operator_log() {
    let r = report(400);
    assert!(r.ok, "{:#?}", r.failures());
    let text = report::summary(&r, SummaryOpts::default());
    println!("{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "== master_kill (seed 1) ==");
    assert!(
        lines.contains(&"  10.000s world         >> kill 127.0.0.1:6382"),
        "{text}"
    );
    assert!(
        lines.contains(&"  13.067s sentinel-5000    +sdown master mymaster 127.0.0.1 6382"),
        "{text}"
    );
    assert!(lines.contains(&"  15.304s sentinel-5000    +switch-master mymaster 127.0.0.1 6382 127.0.0.1 6383"));
    // Data node lines and log-only lines are verbose-only.
    assert!(!text.contains("MASTER MODE enabled") && !text.contains("voted for"));
    assert!(
        text.contains("(9 data node, log-only and ground-truth lines hidden; verbose shows them)"),
        "{text}"
    );
    assert!(text.contains(
        "   master redis-6383 (127.0.0.1:6383)   current epochs: sentinel-5000=1 sentinel-5001=1 sentinel-5002=1"
    ));
    assert!(text
        .contains("   kill→+sdown 3.063s  +odown 3.126s  +elected-leader 3.188s  +switch-master 4.24s (all 5.304s)"));
    assert!(
        text.contains("   PASS one-leader-per-epoch-log             second opinion, the Sentinels' logs: epoch 1: leader sentinel-5000"),
        "{text}"
    );
    assert!(
        text.contains("   PASS max_failover = 15s                   kill→+switch-master on every live sentinel 5.304s"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "   trace {}   60s simulated in 0.4s wall (150x)",
            r.trace_hash
        )),
        "{text}"
    );
    assert_eq!(*lines.last().unwrap(), "OK");
    assert!(!text.contains('\x1b'));

    let verbose = report::summary(
        &r,
        SummaryOpts {
            verbose: true,
            color: true,
        },
    );
    assert!(verbose.contains("| MASTER MODE enabled"));
    assert!(verbose.contains(&format!("{ID2} voted for {ID0} 1")));
    assert!(verbose.contains("\x1b[32mPASS\x1b[0m"));
    assert!(verbose.ends_with("\x1b[32mOK\x1b[0m\n"));
}

#[test]
fn failures_are_counted_on_the_last_line() {
    let s = load("replica_priority.toml");
    let mut fin = kill9_final();
    fin.data_nodes[2] = data_final("redis-6384", Some("master"), None, None);
    let r = RunReport::new(&s, 7, &kill9_trace(), &fin, None, 60_000, 0);
    assert!(!r.ok);
    let text = report::summary(&r, SummaryOpts::default());
    // no-bad-promotion-probe (6383 has priority 0 here), one-master, replicas-follow; never_promoted;
    // final_master.
    assert!(text.ends_with("FAILED (5 checks)\n"), "{text}");
    assert!(text.contains("   FAIL one-master "), "{text}");
    assert!(
        text.contains("master: 2 masters: redis-6383 (127.0.0.1:6383), redis-6384 (127.0.0.1:6384)"),
        "{text}"
    );
    assert_eq!(r.failures().len(), 5);
}

#[test]
fn json_is_deterministic_apart_from_wall_time() {
    let a = report(400);
    let b = report(1234);
    assert_ne!(report::to_json(&a), report::to_json(&b));
    assert_eq!(report::to_json_without_wall(&a), report::to_json_without_wall(&b));
    let json = report::to_json(&a);
    assert!(
        json.starts_with("{\n  \"schema\": 3,\n  \"scenario\": \"master_kill\",\n  \"seed\": 1,\n  \"trace_hash\": \"")
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["final"]["data_nodes"][1]["role"], "master");
    assert_eq!(v["timeline"]["odown_ms"], 3126);
    assert_eq!(v["invariants"].as_array().unwrap().len(), 23);
    assert_eq!(v["expectations"].as_array().unwrap().len(), 4);
    assert_eq!(v["events"][0]["kind"], "sentinel_log");
    assert_eq!(v["events"][0]["event"]["form"], "sentinel_id");
    assert_eq!(v["events"][1]["kind"], "sentinel");
    assert_eq!(v["events"][1]["level"], "warning");
    assert_eq!(v["events"][1]["event"]["kind"], serde_json::Value::Null);
    assert_eq!(v["events"][1]["event"]["form"], "monitor");
    assert_eq!(v["events"][1]["event"]["quorum"], 2);
    let kill = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "action")
        .unwrap();
    assert_eq!(kill["action"]["type"], "timeline");
    assert_eq!(kill["action"]["action"]["action"], "kill");
    assert_eq!(v["writes"], serde_json::Value::Null);
    assert_eq!(v["sim_speed"], 150.0);
}

#[test]
fn writes_results_under_scenario_and_seed() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("sim-results-test");
    let _ = std::fs::remove_dir_all(&dir);
    let mut r = report(10);
    r.writes = Some(WritesSummary {
        acknowledged: 10,
        lost: 1,
        lost_pct: 10.0,
        ..Default::default()
    });
    let path = report::write_json(&dir, &r).unwrap();
    assert_eq!(path, dir.join("master_kill").join("seed-1.json"));
    let back = std::fs::read_to_string(&path).unwrap();
    assert_eq!(back, report::to_json(&r));
    assert!(back.contains("\"lost_pct\": 10.0"));
    let text = report::summary(&r, SummaryOpts::default());
    assert!(
        text.contains("   writes: 10 acknowledged, 1 lost (10.00%), 0 lost after heal, 0 unknown;"),
        "{text}"
    );
}
