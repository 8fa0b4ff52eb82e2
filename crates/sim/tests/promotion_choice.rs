//! The `promotion-choice` invariant over hand-built traces: the promoted replica must rank first
//! (priority, then offset, then run id) among the replicas that were clearly candidates; it passes
//! on Sentinel's choice, fails on each of the three wrong rankings, and does not judge what the
//! leader could not have seen exactly.

mod common;

use common::*;
use sim::checks::CheckResult;
use sim::trace::{Fact, Kind, ProcState, Role, Sent, TraceEvent};

const NAME: &str = "promotion-choice";
const M: &str = "master mymaster 127.0.0.1 6382";

fn slave(port: u16) -> String {
    format!("slave 127.0.0.1:{port} 127.0.0.1 {port} @ mymaster 127.0.0.1 6382")
}

/// `node` replicates the master; with `down` = (since, offset), its link is down.
fn repl(t_ms: u64, node: &str, down: Option<(u64, i64)>) -> TraceEvent {
    fact(
        t_ms,
        Fact::Replication {
            node: node.into(),
            role: Role::Replica,
            master: Some("127.0.0.1:6382".into()),
            link_up: down.is_none(),
            down_since_ms: down.map(|d| d.0),
            offset: down.map(|d| d.1),
        },
    )
}

fn promote(t_ms: u64, to: &str) -> TraceEvent {
    let verb = "SLAVEOF".into();
    sent(t_ms, "sentinel-5000", to, Sent::SlaveOf { verb, master: None })
}

/// The master dies at 10 s; each replica (port, offset, run id) loses its link then, holding that
/// offset; sentinel-5000 starts a failover at 13.1 s and promotes `port` at 13.4 s.
fn failover(replicas: &[(u16, i64, &str)], port: u16) -> Vec<TraceEvent> {
    let mut tr = vec![
        fact(
            0,
            Fact::Process {
                node: "sentinel-5000".into(),
                state: ProcState::Alive,
            },
        ),
        boot(500, "sentinel-5000", Ev::default()),
        fact(
            10_000,
            Fact::Process {
                node: "redis-6382".into(),
                state: ProcState::Killed,
            },
        ),
    ];
    for &(p, offset, run_id) in replicas {
        let node = format!("redis-{p}");
        let f = Fact::RunId {
            node: node.clone(),
            run_id: run_id.into(),
        };
        tr.push(fact(100, f));
        tr.push(repl(1_000, &node, None));
        tr.push(sev(2_000, "sentinel-5000", "+slave", &slave(p), Ev::default()));
        tr.push(repl(10_000, &node, Some((10_000, offset))));
    }
    tr.push(sev(13_100, "sentinel-5000", "+try-failover", M, Ev::default()));
    tr.push(sev(
        13_250,
        "sentinel-5000",
        "+selected-slave",
        &slave(port),
        Ev::default(),
    ));
    tr.push(promote(13_400, &format!("redis-{port}")));
    tr
}

fn judge(scenario: &str, trace: &[TraceEvent]) -> CheckResult {
    judge_in(scenario, trace, None, NAME)
}

const A: &str = "aaaa000000000000000000000000000000000000";
const B: &str = "bbbb000000000000000000000000000000000000";

#[test]
fn the_lowest_priority_wins_whatever_the_offsets() {
    // replica_priority: 6383 priority 0 (never a candidate), 6384 50, 6385 100.
    let tr = failover(&[(6383, 900, A), (6384, 100, B), (6385, 500, A)], 6384);
    let r = judge("replica_priority.toml", &tr);
    assert!(r.ok, "{r:?}");
    assert_eq!(
        r.detail,
        "ground truth: 13.400s sentinel-5000 promoted redis-6384: redis-6384 (priority 50, offset 100, run id \
         bbbb0000) ranks first over redis-6385 (priority 100, offset 500, run id aaaa0000)"
    );
    // ignore-priority-order: 6385 had more data, but its priority is worse.
    let tr = failover(&[(6383, 900, A), (6384, 100, B), (6385, 500, A)], 6385);
    let r = judge("replica_priority.toml", &tr);
    assert!(!r.ok);
    assert!(
        r.detail
            .starts_with("ground truth: 13.400s sentinel-5000 promoted redis-6385: redis-6385 (priority 100")
            && r.detail
                .ends_with("although redis-6384 (priority 50, offset 100, run id bbbb0000) had the lower priority 50"),
        "{}",
        r.detail
    );
}

#[test]
fn among_equal_priorities_the_most_data_wins() {
    // master_kill: both replicas priority 100.
    let tr = failover(&[(6383, 1_000, A), (6384, 2_000, B)], 6384);
    assert!(judge("master_kill.toml", &tr).ok);
    // prefer-lowest-offset.
    let tr = failover(&[(6383, 1_000, A), (6384, 2_000, B)], 6383);
    let r = judge("master_kill.toml", &tr);
    assert!(!r.ok);
    assert!(
        r.detail.ends_with(
            "although redis-6384 (priority 100, offset 2000, run id bbbb0000) had the same priority and more data"
        ),
        "{}",
        r.detail
    );
}

#[test]
fn among_equal_offsets_the_smallest_run_id_wins() {
    let tr = failover(&[(6383, 1_000, B), (6384, 1_000, A)], 6384);
    assert!(judge("master_kill.toml", &tr).ok);
    let tr = failover(&[(6383, 1_000, B), (6384, 1_000, A)], 6383);
    let r = judge("master_kill.toml", &tr);
    assert!(!r.ok);
    assert!(
        r.detail
            .contains("had the same priority and offset and the smaller run id"),
        "{}",
        r.detail
    );
}

#[test]
fn offsets_the_leader_may_not_have_seen_are_not_compared() {
    // The links dropped only at 13 s, just before the attempt: the leader's INFO may predate it.
    let mut tr = failover(&[(6383, 1_000, A), (6384, 2_000, B)], 6383);
    tr.retain(|e| !matches!(&e.kind, Kind::World(Fact::Replication { link_up: false, .. })));
    tr.push(repl(13_000, "redis-6383", Some((13_000, 1_000))));
    tr.push(repl(13_000, "redis-6384", Some((13_000, 2_000))));
    let r = judge("master_kill.toml", &tr);
    assert!(r.ok, "{r:?}");
    assert!(r.detail.contains("offset moving"), "{}", r.detail);
}

#[test]
fn a_replica_the_leader_could_not_reach_or_did_not_know_is_not_a_candidate() {
    // 6384 (more data) paused from 12 s: not a clear candidate.
    let mut tr = failover(&[(6383, 1_000, A), (6384, 2_000, B)], 6383);
    tr.push(fact(
        12_000,
        Fact::Process {
            node: "redis-6384".into(),
            state: ProcState::Paused,
        },
    ));
    let r = judge("master_kill.toml", &tr);
    assert!(r.ok, "{r:?}");
    assert!(r.detail.ends_with("no other clear candidate"), "{}", r.detail);
    // Never announced by the leader.
    let mut tr = failover(&[(6383, 1_000, A), (6384, 2_000, B)], 6383);
    tr.retain(|e| !(matches!(&e.kind, Kind::Sentinel(_)) && e.t_ms == 2_000 && e.line().contains("6384")));
    assert!(judge("master_kill.toml", &tr).ok);
    // Cut from the leader at 11 s (then the leader's view of it may be stale or gone).
    let mut tr = failover(&[(6383, 1_000, A), (6384, 2_000, B)], 6383);
    let cut = Fact::Link {
        from: "sentinel-5000".into(),
        to: "redis-6384".into(),
        cut: true,
    };
    tr.push(fact(11_000, cut));
    assert!(judge("master_kill.toml", &tr).ok);
}

#[test]
fn a_disturbed_leader_is_not_judged() {
    let mut tr = failover(&[(6383, 1_000, A), (6384, 2_000, B)], 6383);
    tr.push(fact(
        8_000,
        Fact::Clock {
            node: "sentinel-5000".into(),
            offset_ms: 3_000,
            rate: 1.0,
        },
    ));
    let r = judge("master_kill.toml", &tr);
    assert!(r.ok, "{r:?}");
    assert!(
        r.detail.contains(
            "not judged: 13.400s sentinel-5000 promoted redis-6383 (sentinel-5000's clock changed at 8.000s)"
        ),
        "{}",
        r.detail
    );
}
