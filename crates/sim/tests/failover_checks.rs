//! The failover timing and reconfiguration invariants (`failover-timeouts`,
//! `leader-reconfigures-replicas`, `parallel-syncs`) over hand-built traces: each passes on what a
//! correct Sentinel does, fails on the planted bug's behaviour, and excuses what the world caused.

mod common;

use common::*;
use sim::checks::CheckResult;
use sim::trace::{Fact, ProcState, Role, Sent, TraceEvent};

const M: &str = "master mymaster 127.0.0.1 6382";
const S83: &str = "slave 127.0.0.1:6383 127.0.0.1 6383 @ mymaster 127.0.0.1 6382";
const S84: &str = "slave 127.0.0.1:6384 127.0.0.1 6384 @ mymaster 127.0.0.1 6382";

/// `node` replicates `master` (an address; None: it is a master).
fn repl(t_ms: u64, node: &str, master: Option<&str>, link_up: bool) -> TraceEvent {
    let role = if master.is_some() { Role::Replica } else { Role::Master };
    fact(
        t_ms,
        Fact::Replication {
            node: node.into(),
            role,
            master: master.map(str::to_string),
            link_up,
            down_since_ms: None,
            offset: None,
        },
    )
}

/// `from` sends `SLAVEOF <to_master>` (None: `NO ONE`) to `to`.
fn slaveof(t_ms: u64, from: &str, to: &str, master: Option<&str>) -> TraceEvent {
    let verb = "SLAVEOF".into();
    sent(
        t_ms,
        from,
        to,
        Sent::SlaveOf {
            verb,
            master: master.map(str::to_string),
        },
    )
}

fn ev(t_ms: u64, node: &str, name: &str, payload: &str) -> TraceEvent {
    sev(t_ms, node, name, payload, Ev::default())
}

fn judge(scenario: &str, trace: &[TraceEvent], name: &str) -> CheckResult {
    judge_in(scenario, trace, None, name)
}

/// master_kill (failover-timeout 3 s): sentinel-5000 is elected and tells redis-6383 to become
/// master at 13.4 s; the wait for the promotion starts.
fn stuck_in_wait_promotion() -> Vec<TraceEvent> {
    vec![
        proc(0, "sentinel-5000", ProcState::Alive),
        boot(1_000, "sentinel-5000", Ev::default()),
        ev(13_000, "sentinel-5000", "+try-failover", M),
        ev(13_200, "sentinel-5000", "+elected-leader", M),
        ev(13_200, "sentinel-5000", "+failover-state-select-slave", M),
        ev(13_300, "sentinel-5000", "+selected-slave", S83),
        ev(13_300, "sentinel-5000", "+failover-state-send-slaveof-noone", S83),
        ev(13_400, "sentinel-5000", "+failover-state-wait-promotion", S83),
    ]
}

#[test]
fn a_failover_aborted_after_failover_timeout_passes() {
    let mut tr = stuck_in_wait_promotion();
    tr.push(ev(16_450, "sentinel-5000", "-failover-abort-slave-timeout", M));
    let r = judge("master_kill.toml", &tr, "failover-timeouts");
    assert!(r.ok, "{r:?}");
    assert_eq!(r.detail, "4 failover state(s) left in time (failover-timeout 3s)");
}

#[test]
fn a_promotion_waited_for_forever_fails() {
    let r = judge("master_kill.toml", &stuck_in_wait_promotion(), "failover-timeouts");
    assert!(!r.ok);
    assert_eq!(
        r.detail,
        "sentinel-5000 entered \"+failover-state-wait-promotion slave 127.0.0.1:6383 127.0.0.1 6383 @ mymaster \
         127.0.0.1 6382\" at 13.400s: limit 3000 ms + 1500 ms slack, never left"
    );
    // Left, but late: the abort 6 s after.
    let mut tr = stuck_in_wait_promotion();
    tr.push(ev(19_400, "sentinel-5000", "-failover-abort-slave-timeout", M));
    let r = judge("master_kill.toml", &tr, "failover-timeouts");
    assert!(!r.ok);
    assert!(
        r.detail
            .ends_with("left only at 19.400s (-failover-abort-slave-timeout master mymaster 127.0.0.1 6382)"),
        "{}",
        r.detail
    );
}

#[test]
fn a_paused_or_tilted_sentinel_is_excused() {
    let mut tr = stuck_in_wait_promotion();
    tr.push(proc(14_000, "sentinel-5000", ProcState::Paused));
    let r = judge("master_kill.toml", &tr, "failover-timeouts");
    assert!(r.ok, "{r:?}");
    assert!(
        r.detail
            .ends_with("excused: sentinel-5000 13.400s (sentinel-5000 paused from 14.000s)"),
        "{}",
        r.detail
    );
    let mut tr = stuck_in_wait_promotion();
    tr.push(ev(15_000, "sentinel-5000", "+tilt", "#tilt mode entered"));
    let r = judge("master_kill.toml", &tr, "failover-timeouts");
    assert!(r.ok, "{r:?}");
    assert!(r.detail.contains("in TILT from 15.000s"), "{}", r.detail);
}

/// master_kill: redis-6383 and 6384 replicate 6382, which sentinel-5000 announced; 6382 dies at
/// 10 s; 5000 promotes 6383 at 13.3 s and it becomes master at once.
fn promoted_6383() -> Vec<TraceEvent> {
    let mut tr = vec![];
    for n in [
        "redis-6382",
        "redis-6383",
        "redis-6384",
        "sentinel-5000",
        "sentinel-5001",
    ] {
        tr.push(proc(0, n, ProcState::Alive));
    }
    tr.extend([
        repl(500, "redis-6382", None, false),
        repl(1_000, "redis-6383", Some("127.0.0.1:6382"), true),
        repl(1_000, "redis-6384", Some("127.0.0.1:6382"), true),
        boot(1_000, "sentinel-5000", Ev::default()),
        ev(2_000, "sentinel-5000", "+slave", S83),
        ev(2_000, "sentinel-5000", "+slave", S84),
        proc(10_000, "redis-6382", ProcState::Killed),
        repl(10_000, "redis-6383", Some("127.0.0.1:6382"), false),
        repl(10_000, "redis-6384", Some("127.0.0.1:6382"), false),
        slaveof(13_300, "sentinel-5000", "redis-6383", None),
        repl(13_310, "redis-6383", None, false),
    ]);
    tr
}

#[test]
fn the_leader_repointing_the_other_replica_passes() {
    let mut tr = promoted_6383();
    tr.push(slaveof(14_500, "sentinel-5000", "redis-6384", Some("127.0.0.1:6383")));
    let r = judge("master_kill.toml", &tr, "leader-reconfigures-replicas");
    assert!(r.ok, "{r:?}");
    assert_eq!(
        r.detail,
        "sentinel-5000 promoted redis-6383 at 13.300s: re-pointed redis-6384"
    );
}

#[test]
fn a_replica_repointed_only_by_another_sentinel_fails() {
    let mut tr = promoted_6383();
    // Another Sentinel's +fix-slave-config does not count: the leader must do it.
    tr.push(slaveof(17_000, "sentinel-5001", "redis-6384", Some("127.0.0.1:6383")));
    let r = judge("master_kill.toml", &tr, "leader-reconfigures-replicas");
    assert!(!r.ok);
    assert_eq!(
        r.detail,
        "sentinel-5000 promoted redis-6383 at 13.300s: no SLAVEOF 127.0.0.1:6383 from it to redis-6384 by 18.800s"
    );
}

#[test]
fn a_replica_cut_from_the_leader_or_an_aborted_failover_is_not_required() {
    let mut tr = promoted_6383();
    tr.push(fact(
        12_000,
        Fact::Link {
            from: "redis-6384".into(),
            to: "sentinel-5000".into(),
            cut: true,
        },
    ));
    let r = judge("master_kill.toml", &tr, "leader-reconfigures-replicas");
    assert!(r.ok, "{r:?}");
    assert_eq!(
        r.detail,
        "sentinel-5000 promoted redis-6383 at 13.300s: re-pointed no other replica required"
    );
    let mut tr = promoted_6383();
    tr.push(ev(16_400, "sentinel-5000", "-failover-abort-slave-timeout", M));
    let r = judge("master_kill.toml", &tr, "leader-reconfigures-replicas");
    assert!(r.ok, "{r:?}");
    assert!(
        r.detail
            .starts_with("no promotion to judge; not judged: sentinel-5000 13.300s (-failover-abort-slave-timeout"),
        "{}",
        r.detail
    );
}

/// parallel_syncs (4 replicas, parallel-syncs 1, failover-timeout 30 s): sentinel-5002 promotes
/// redis-6386 at 13.4 s.
fn promoted_6386() -> Vec<TraceEvent> {
    vec![
        proc(0, "sentinel-5002", ProcState::Alive),
        repl(1_000, "redis-6386", Some("127.0.0.1:6382"), true),
        slaveof(13_400, "sentinel-5002", "redis-6386", None),
        repl(13_410, "redis-6386", None, false),
    ]
}

#[test]
fn replicas_repointed_one_at_a_time_pass() {
    let mut tr = promoted_6386();
    tr.extend([
        slaveof(14_300, "sentinel-5002", "redis-6383", Some("127.0.0.1:6386")),
        repl(14_400, "redis-6383", Some("127.0.0.1:6386"), true),
        slaveof(15_400, "sentinel-5002", "redis-6384", Some("127.0.0.1:6386")),
        // 6385 never syncs: its turn came after the reconf timeout of 6384 (10 s).
        slaveof(26_000, "sentinel-5002", "redis-6385", Some("127.0.0.1:6386")),
    ]);
    let r = judge("parallel_syncs.toml", &tr, "parallel-syncs");
    assert!(r.ok, "{r:?}");
    assert_eq!(
        r.detail,
        "parallel-syncs 1: sentinel-5002 re-pointed 3 replica(s) to redis-6386"
    );
}

#[test]
fn replicas_repointed_all_at_once_fail() {
    let mut tr = promoted_6386();
    for r in ["redis-6383", "redis-6384", "redis-6385"] {
        tr.push(slaveof(14_300, "sentinel-5002", r, Some("127.0.0.1:6386")));
    }
    let r = judge("parallel_syncs.toml", &tr, "parallel-syncs");
    assert!(!r.ok);
    assert_eq!(
        r.detail,
        "parallel-syncs 1: sentinel-5002 sent SLAVEOF 127.0.0.1:6386 to redis-6384 at 14.300s while 1 still \
         resyncing (redis-6383); sentinel-5002 sent SLAVEOF 127.0.0.1:6386 to redis-6385 at 14.300s while 2 still \
         resyncing (redis-6383, redis-6384)"
    );
}

#[test]
fn all_at_once_after_failover_timeout_is_the_timeout_path() {
    let mut tr = promoted_6386();
    for r in ["redis-6383", "redis-6384", "redis-6385"] {
        tr.push(slaveof(43_500, "sentinel-5002", r, Some("127.0.0.1:6386")));
    }
    let r = judge("parallel_syncs.toml", &tr, "parallel-syncs");
    assert!(r.ok, "{r:?}");
    assert_eq!(r.detail, "parallel-syncs 1: no reconfiguration to judge");
}

#[test]
fn a_vote_for_another_candidate_restarts_the_election_wait() {
    let other = "bbbb000000000000000000000000000000000000";
    let mut tr = vec![
        proc(0, "sentinel-5000", ProcState::Alive),
        boot(1_000, "sentinel-5000", Ev::default()),
        ev(13_000, "sentinel-5000", "+try-failover", M),
        ev(21_000, "sentinel-5000", "-failover-abort-not-elected", M),
    ];
    // Limit min(10 s, failover-timeout 3 s) + 1 s + 1.5 s: 18.5 s; the abort at 21 s is late.
    let r = judge("master_kill.toml", &tr, "failover-timeouts");
    assert!(!r.ok);
    assert!(r.detail.contains("left only at 21.000s"), "{}", r.detail);
    // Voting for another candidate at 16 s restarts the wait (Sentinel resets the start time).
    tr.push(ev(16_000, "sentinel-5000", "+vote-for-leader", &format!("{other} 2")));
    let r = judge("master_kill.toml", &tr, "failover-timeouts");
    assert!(r.ok, "{r:?}");
}
