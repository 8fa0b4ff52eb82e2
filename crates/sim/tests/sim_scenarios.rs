//! Whole-system tests: every bundled scenario played in the simulated world over several seeds,
//! with all invariants and expectations checked, plus determinism. Simulation builds only
//! (`cargo simtest`, `just sim-test`).
#![cfg(madsim)]

mod common;

use common::scenarios_dir;
use sim::report::{to_json_without_wall, RunReport};
use sim::run::run_once;
use sim::scenario::{self, Scenario};
use sim::trace::trace_hash;

fn load(name: &str) -> Scenario {
    scenario::load(&scenarios_dir().join(format!("{name}.toml"))).expect("bundled scenario parses")
}

fn play(s: &Scenario, seed: u64) -> RunReport {
    let r = run_once(s, seed).unwrap_or_else(|e| panic!("{} seed {seed}: {e}", s.name));
    assert!(
        r.ok,
        "{} seed {seed} failed:\n{}",
        s.name,
        sim::report::summary(
            &r,
            sim::report::SummaryOpts {
                verbose: false,
                color: false
            }
        )
    );
    r
}

fn seeds() -> std::ops::RangeInclusive<u64> {
    let n = std::env::var("SIM_SEEDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    1..=n
}

fn line_times(r: &RunReport, prefix: &str) -> Vec<(u64, String)> {
    r.events
        .iter()
        .filter(|e| e.line.starts_with(prefix))
        .map(|e| (e.t_ms, e.node.clone()))
        .collect()
}

#[test]
fn every_bundled_scenario_passes_over_seeds() {
    let names = common::bundled_scenarios();
    assert!(names.len() >= 4, "{names:?}");
    for name in names {
        let s = load(&name);
        for seed in seeds() {
            play(&s, seed);
        }
    }
}

#[test]
fn master_kill_timing_follows_the_spec() {
    let s = load("master_kill");
    for seed in seeds() {
        let r = play(&s, seed);
        let kill = line_times(&r, "kill 127.0.0.1:6382")[0].0;
        // down-after 3 s: +sdown between down-after and down-after + one ping period (crash: ~1 tick).
        for (t, node) in line_times(&r, "+sdown master mymaster 127.0.0.1 6382") {
            let d = t - kill;
            assert!(
                (3_000..=4_200).contains(&d),
                "seed {seed}: {node} +sdown {d} ms after the kill"
            );
        }
        // Every sentinel switches, within a few seconds (real Sentinel: 4.2-5.3 s).
        let switches = line_times(&r, "+switch-master mymaster 127.0.0.1 6382 127.0.0.1 638");
        assert_eq!(switches.len(), 3, "seed {seed}: {switches:?}");
        for (t, node) in switches {
            assert!(
                t - kill < 12_000,
                "seed {seed}: {node} switched {} ms after the kill",
                t - kill
            );
        }
        // Exactly one epoch was needed and exactly one leader was elected.
        assert_eq!(line_times(&r, "+elected-leader").len(), 1, "seed {seed}");
    }
}

#[test]
fn returning_old_master_is_converted_and_resyncs() {
    let s = load("master_kill_and_return");
    for seed in seeds() {
        let r = play(&s, seed);
        let convert = line_times(&r, "+convert-to-slave slave 127.0.0.1:6382");
        assert!(!convert.is_empty(), "seed {seed}: no +convert-to-slave");
        let restart = line_times(&r, "restart 127.0.0.1:6382")[0].0;
        // Converted after it looked like a master for 8 s (4 publish periods), within two INFO periods.
        let d = convert[0].0 - restart;
        assert!(
            (8_000..=25_000).contains(&d),
            "seed {seed}: converted {d} ms after restart"
        );
        let old = r
            .final_state
            .data_nodes
            .iter()
            .find(|d| d.addr == "127.0.0.1:6382")
            .unwrap();
        assert_eq!(old.role.as_deref(), Some("slave"), "seed {seed}");
        assert_eq!(old.link_up, Some(true), "seed {seed}");
    }
}

#[test]
fn manual_failover_needs_no_odown() {
    let s = load("manual_failover");
    for seed in seeds() {
        let r = play(&s, seed);
        assert!(line_times(&r, "+odown").is_empty(), "seed {seed}");
        assert_eq!(line_times(&r, "+try-failover").len(), 1, "seed {seed}");
        assert!(r
            .events
            .iter()
            .any(|e| e.line.starts_with("reply to SENTINEL FAILOVER mymaster") && e.line.ends_with(": OK")));
    }
}

#[test]
fn priority_zero_replica_is_never_promoted() {
    let s = load("replica_priority");
    for seed in seeds() {
        let r = play(&s, seed);
        for e in &r.events {
            if e.line.starts_with("+selected-slave") || e.line.starts_with("+promoted-slave") {
                assert!(!e.line.contains("127.0.0.1:6383"), "seed {seed}: {}", e.line);
            }
        }
    }
}

#[test]
fn same_seed_same_bytes_different_seed_different_trace() {
    for name in ["master_kill", "manual_failover"] {
        let s = load(name);
        let a = play(&s, 7);
        let b = play(&s, 7);
        assert_eq!(
            to_json_without_wall(&a),
            to_json_without_wall(&b),
            "{name}: same seed, different results"
        );
        let c = play(&s, 8);
        assert_ne!(a.trace_hash, c.trace_hash, "{name}: seeds 7 and 8 gave the same trace");
    }
}

#[test]
fn trace_hash_covers_the_trace() {
    let s = load("master_kill");
    let r = run_once(&s, 3).unwrap();
    assert_eq!(r.trace_hash.len(), 16);
    assert_ne!(trace_hash(&[]), r.trace_hash);
}

/// `from`/`to` shape only the directed links named: with Sentinel 5000's packets to the master
/// 5 s late, 5000 alone flags the master down, and nobody flags anything else (its links to its
/// peers, and the master's replies, are untouched).
#[test]
fn directed_latency_slows_only_the_named_links() {
    let text = std::fs::read_to_string(scenarios_dir().join("slow_link.toml")).expect("bundled scenario");
    let start = text.find("[[timeline]]").expect("a timeline");
    let text = format!(
        "{}[[timeline]]\nat = \"10s\"\naction = \"latency\"\nmin = \"5s\"\nmax = \"5s\"\nfrom = [\"sentinel-5000\"]\nto = [\"redis-6382\"]\n\n[[timeline]]\nat = \"50s\"\naction = \"net_reset\"\n\n[expect]\nfailover = false\n",
        &text[..start]
    );
    let path = std::env::temp_dir().join(format!("directed-latency-{}.toml", std::process::id()));
    std::fs::write(&path, text).expect("write scenario");
    let s = scenario::load(&path).expect("parses");
    std::fs::remove_file(&path).ok();
    let r = play(&s, 1);
    let sdown: Vec<(u64, String)> = r
        .events
        .iter()
        .filter(|e| e.line.starts_with("+sdown"))
        .map(|e| (e.t_ms, format!("{} {}", e.node, e.line)))
        .collect();
    assert!(!sdown.is_empty(), "5000 flags the master");
    for (t, l) in &sdown {
        assert!(
            l.starts_with("sentinel-5000 +sdown master"),
            "at {t} ms only 5000's view of the master is slow: {l}"
        );
    }
}
