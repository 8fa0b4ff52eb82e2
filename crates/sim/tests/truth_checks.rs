//! The invariants that judge from ground truth (world facts, wire messages), over hand-built
//! traces: one passing and one failing case each.

mod common;

use common::*;
use sim::checks::CheckResult;
use sim::report::WritesSummary;
use sim::trace::{Fact, Hello, Kind, ProcState, Role, Sent, TraceEvent};

const A: &str = "aaaa000000000000000000000000000000000000";
const B: &str = "bbbb000000000000000000000000000000000000";
const C: &str = "cccc000000000000000000000000000000000000";
const M: &str = "master mymaster 127.0.0.1 6382";

fn hello(t_ms: u64, from: &str, runid: &str) -> TraceEvent {
    let h = Hello::parse(&format!("127.0.0.1,5000,{runid},0,mymaster,127.0.0.1,6382,0")).expect("hello");
    sent(t_ms, from, "redis-6382", Sent::Hello(h))
}

fn request(t_ms: u64, from: &str, to: &str, epoch: u64, runid: &str) -> TraceEvent {
    let master = "127.0.0.1:6382".to_string();
    sent(
        t_ms,
        from,
        to,
        Sent::VoteRequest {
            master,
            epoch,
            runid: runid.into(),
        },
    )
}

fn reply(t_ms: u64, from: &str, to: &str, epoch: u64, leader: &str) -> TraceEvent {
    let v = Sent::VoteReply {
        master: "127.0.0.1:6382".into(),
        req_epoch: epoch,
        req_runid: leader.into(),
        down: true,
        leader: leader.into(),
        leader_epoch: epoch,
    };
    sent(t_ms, from, to, v)
}

fn promote(t_ms: u64, from: &str, to: &str) -> TraceEvent {
    sent(
        t_ms,
        from,
        to,
        Sent::SlaveOf {
            verb: "SLAVEOF".into(),
            master: None,
        },
    )
}

fn replica(t_ms: u64, node: &str, link_up: bool, down_since_ms: Option<u64>) -> TraceEvent {
    let master = Some("127.0.0.1:6382".to_string());
    fact(
        t_ms,
        Fact::Replication {
            node: node.into(),
            role: Role::Replica,
            master,
            link_up,
            down_since_ms,
            offset: None,
        },
    )
}

fn clock(t_ms: u64, node: &str, offset_ms: i64) -> TraceEvent {
    fact(
        t_ms,
        Fact::Clock {
            node: node.into(),
            offset_ms,
            rate: 1.0,
        },
    )
}

/// Processes alive at 0, Sentinels booted at 1 s and announcing their run ids.
fn start() -> Vec<TraceEvent> {
    let mut tr = Vec::new();
    for n in [
        "redis-6382",
        "redis-6383",
        "redis-6384",
        "sentinel-5000",
        "sentinel-5001",
        "sentinel-5002",
    ] {
        tr.push(proc(0, n, ProcState::Alive));
    }
    for (n, id) in [("sentinel-5000", A), ("sentinel-5001", B), ("sentinel-5002", C)] {
        tr.push(boot(1_000, n, Ev::default()));
        tr.push(hello(1_100, n, id));
    }
    tr
}

fn judge(trace: &[TraceEvent], writes: Option<&WritesSummary>, name: &str) -> CheckResult {
    judge_in("master_kill.toml", trace, writes, name)
}

/// Epoch 1: sentinel-5000 (A) asks for itself; 5001 and 5002 vote for it.
fn election() -> Vec<TraceEvent> {
    let mut tr = start();
    tr.extend([
        request(13_100, "sentinel-5000", "sentinel-5001", 1, A),
        request(13_100, "sentinel-5000", "sentinel-5002", 1, A),
        reply(13_105, "sentinel-5001", "sentinel-5000", 1, A),
        reply(13_106, "sentinel-5002", "sentinel-5000", 1, A),
    ]);
    tr
}

#[test]
fn wire_votes_one_per_sentinel_and_one_leader() {
    let tr = election();
    let v = judge(&tr, None, "one-vote-per-epoch");
    assert!(v.ok, "{v:?}");
    assert_eq!(
        v.detail,
        "wire: 3 votes by 3 sentinels in 1 epoch(s), one candidate each"
    );
    let l = judge(&tr, None, "one-leader-per-epoch");
    assert!(l.ok, "{l:?}");
    assert_eq!(
        l.detail,
        "wire: epoch 1: leader sentinel-5000 with 3 votes (sentinel-5000, sentinel-5001, sentinel-5002)"
    );
}

#[test]
fn a_sentinel_voting_twice_on_the_wire_fails_both_vote_checks() {
    let mut tr = election();
    // sentinel-5002 (C) also asks for itself in epoch 1, and 5001 gives it a second vote.
    tr.push(request(13_200, "sentinel-5002", "sentinel-5001", 1, C));
    tr.push(reply(13_205, "sentinel-5001", "sentinel-5002", 1, C));
    tr.retain(
        |e| !matches!(&e.kind, Kind::Wire(w) if w.from == "sentinel-5002" && matches!(w.sent, Sent::VoteReply { .. })),
    );
    let v = judge(&tr, None, "one-vote-per-epoch");
    assert!(!v.ok);
    assert_eq!(
        v.detail,
        "wire: sentinel-5001 epoch 1: voted for sentinel-5000 at 13.105s, sentinel-5002 at 13.205s"
    );
    let l = judge(&tr, None, "one-leader-per-epoch");
    assert!(!l.ok);
    assert!(
        l.detail
            .starts_with("wire: epoch 1: 2 candidates reached 2 votes: sentinel-5000 with 2 votes"),
        "{}",
        l.detail
    );
}

/// The master killed at 10 s; 5000 holds it SDOWN from 13 s and promotes redis-6383 at 13.3 s.
fn promotion(down_since_ms: u64) -> Vec<TraceEvent> {
    let mut tr = election();
    tr.extend([
        proc(10_000, "redis-6382", ProcState::Killed),
        replica(down_since_ms, "redis-6383", false, Some(down_since_ms)),
        sev(13_000, "sentinel-5000", "+sdown", M, Ev::default()),
        sev(13_050, "sentinel-5001", "+sdown", M, Ev::default()),
        sev(
            13_100,
            "sentinel-5000",
            "+odown",
            &format!("{M} #quorum 2/2"),
            Ev::default(),
        ),
        promote(13_300, "sentinel-5000", "redis-6383"),
    ]);
    tr
}

#[test]
fn a_promotion_of_a_reachable_fresh_replica_passes() {
    let r = judge(&promotion(10_000), None, "no-bad-promotion");
    assert!(r.ok, "{r:?}");
    assert_eq!(
        r.detail,
        "ground truth: 13.300s sentinel-5000 sent SLAVEOF NO ONE to redis-6383 (link down 3300 ms, allowed 30300 ms)"
    );
}

#[test]
fn promoting_a_paused_or_stale_replica_fails() {
    let mut tr = promotion(10_000);
    tr.push(proc(5_000, "redis-6383", ProcState::Paused));
    let r = judge(&tr, None, "no-bad-promotion");
    assert!(!r.ok);
    assert!(
        r.detail
            .contains("although it had been killed, paused or cut from sentinel-5000 since 5.000s"),
        "{}",
        r.detail
    );

    // Its link had been down since 0.5 s; 5000 holds the master SDOWN only from 60 s and
    // promotes it at 60.3 s: 59.8 s down, where the rule allows 0.3 s + 10 × 3 s (+ 7 s slack).
    let mut tr = start();
    tr.extend([
        replica(500, "redis-6383", false, Some(500)),
        sev(60_000, "sentinel-5000", "+sdown", M, Ev::default()),
        promote(60_300, "sentinel-5000", "redis-6383"),
    ]);
    let r = judge(&tr, None, "no-bad-promotion");
    assert!(!r.ok);
    assert!(
        r.detail
            .contains("its link had been down 59800 ms, more than the data-age rule's 30300 ms (+7000 ms slack)"),
        "{}",
        r.detail
    );
}

#[test]
fn an_odown_needs_a_quorum_cut_off_from_the_master() {
    let r = judge(&promotion(10_000), None, "no-failover-without-outage");
    assert!(r.ok, "{r:?}");
    assert_eq!(
        r.detail,
        "ground truth: 1 +odown, each with a quorum of sentinels cut off from the master"
    );

    // The same +odown and promotion with the master alive and every path open.
    let mut tr = promotion(10_000);
    tr.retain(|e| {
        !matches!(
            &e.kind,
            Kind::World(Fact::Process {
                state: ProcState::Killed,
                ..
            })
        )
    });
    let r = judge(&tr, None, "no-failover-without-outage");
    assert!(!r.ok);
    assert_eq!(
        r.detail,
        "ground truth: 13.100s sentinel-5000 +odown of redis-6382 but only 0 sentinel(s) could not reach it (); quorum 2"
    );
}

/// Sentinel 5001 hangs 8–10 s (TILT from 10.01 s to 40.01 s) after 5000 lost the master
/// (5–9 s); a new cut from 36 s makes 5001 flag the master on the tick it leaves TILT, counting
/// 5000's down reply from before the hang (Redis expires stale replies only outside TILT).
fn odown_on_leaving_tilt(with_tilt: bool) -> Vec<TraceEvent> {
    let mut tr = start();
    let link = |t, from: &str, to: &str, cut| {
        fact(
            t,
            Fact::Link {
                from: from.into(),
                to: to.into(),
                cut,
            },
        )
    };
    for (a, b) in [("sentinel-5000", "redis-6382"), ("redis-6382", "sentinel-5000")] {
        tr.extend([link(5_000, a, b, true), link(9_000, a, b, false)]);
    }
    tr.extend([
        link(36_000, "sentinel-5001", "redis-6382", true),
        proc(8_000, "sentinel-5001", ProcState::Paused),
        proc(10_000, "sentinel-5001", ProcState::Resumed),
        sev(40_010, "sentinel-5001", "+sdown", M, Ev::default()),
        sev(
            40_010,
            "sentinel-5001",
            "+odown",
            &format!("{M} #quorum 2/2"),
            Ev::default(),
        ),
    ]);
    if with_tilt {
        tr.extend([
            sev(10_010, "sentinel-5001", "+tilt", "#tilt mode entered", Ev::default()),
            sev(40_010, "sentinel-5001", "-tilt", "#tilt mode exited", Ev::default()),
        ]);
    }
    tr
}

#[test]
fn an_odown_on_leaving_tilt_may_count_replies_from_before_it() {
    let r = judge(&odown_on_leaving_tilt(true), None, "no-failover-without-outage");
    assert!(r.ok, "{r:?}");
    assert_eq!(
        r.detail,
        "ground truth: 1 +odown, each with a quorum of sentinels cut off from the master \
         (1 on leaving TILT, with peers' replies kept through it)"
    );
    // Without the TILT the same +odown has only 5001's own outage in its window.
    let r = judge(&odown_on_leaving_tilt(false), None, "no-failover-without-outage");
    assert!(!r.ok);
    assert_eq!(
        r.detail,
        "ground truth: 40.010s sentinel-5001 +odown of redis-6382 but only 1 sentinel(s) could not reach it \
         (sentinel-5001); quorum 2"
    );
}

#[test]
fn a_promotion_without_odown_or_operator_fails() {
    let mut tr = promotion(10_000);
    tr.retain(|e| !matches!(&e.kind, Kind::Sentinel(s) if s.name() == "+odown"));
    let r = judge(&tr, None, "no-failover-without-outage");
    assert!(!r.ok);
    assert!(
        r.detail.contains(
            "13.300s sentinel-5000 sent SLAVEOF NO ONE to redis-6383 without a +odown or a SENTINEL FAILOVER"
        ),
        "{}",
        r.detail
    );
}

#[test]
fn a_clock_step_must_bring_tilt_and_no_failover_step() {
    let mut tr = start();
    tr.push(clock(20_000, "sentinel-5000", 10_000));
    tr.push(sev(
        20_050,
        "sentinel-5000",
        "+tilt",
        "#tilt mode entered",
        Ev::default(),
    ));
    let r = judge(&tr, None, "tilt-from-clock");
    assert!(r.ok, "{r:?}");
    assert_eq!(
        r.detail,
        "ground truth: sentinel-5000 clock stepped +10000 ms at 20.000s: +tilt at 20.050s"
    );

    // In TILT it asks for votes for itself 5 s later.
    let mut acting = tr.clone();
    acting.push(request(25_000, "sentinel-5000", "sentinel-5001", 1, A));
    let r = judge(&acting, None, "tilt-from-clock");
    assert!(!r.ok);
    assert!(
        r.detail
            .ends_with("+tilt at 20.050s but it asked for votes for itself in epoch 1 at 25.000s"),
        "{}",
        r.detail
    );

    // No +tilt at all after a backward step.
    let mut silent = start();
    silent.push(clock(20_000, "sentinel-5001", -3_000));
    let r = judge(&silent, None, "tilt-from-clock");
    assert!(!r.ok);
    assert_eq!(
        r.detail,
        "ground truth: sentinel-5001 clock stepped -3000 ms at 20.000s: no +tilt within 1000 ms"
    );
}

fn writes(acknowledged: u64, lost: u64) -> WritesSummary {
    WritesSummary {
        acknowledged,
        lost,
        ..WritesSummary::default()
    }
}

#[test]
fn writes_lost_without_a_fault_that_could_lose_them_fail() {
    let tr = start();
    let r = judge(&tr, Some(&writes(100, 0)), "data-safety");
    assert!(r.ok, "{r:?}");
    assert_eq!(
        r.detail,
        "100 acknowledged writes, none lost; no fault of the run could lose any"
    );
    let r = judge(&tr, Some(&writes(100, 3)), "data-safety");
    assert!(!r.ok);
    assert_eq!(
        r.detail,
        "3 of 100 acknowledged writes lost although no fault of the run could lose any"
    );
    // A kill of the master could lose them: not judged.
    let mut killed = tr.clone();
    killed.push(action(10_000, "kill redis-6382"));
    let r = judge(&killed, Some(&writes(100, 3)), "data-safety");
    assert!(r.ok);
    assert!(
        r.detail.starts_with("not judged: kill of master redis-6382 at 10.000s"),
        "{}",
        r.detail
    );
}
