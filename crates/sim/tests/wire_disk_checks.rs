//! The invariants that judge from the disk (Sentinels' config saves), the wire and the world's
//! clocks and outages, over hand-built traces: each one failing and passing.

mod common;

use common::*;
use sim::checks::CheckResult;
use sim::trace::{Fact, Hello, ProcState, SavedMaster, Sent, TraceEvent};

const A: &str = "aaaa000000000000000000000000000000000000";
const B: &str = "bbbb000000000000000000000000000000000000";
const M: &str = "127.0.0.1:6382";

/// A save of `node`'s config: current-epoch, and mymaster at `addr` with its config and leader epochs.
fn saved(t_ms: u64, node: &str, current: u64, addr: &str, config: u64, leader: u64) -> TraceEvent {
    let masters = vec![SavedMaster {
        name: "mymaster".into(),
        addr: addr.into(),
        config_epoch: config,
        leader_epoch: leader,
    }];
    fact(
        t_ms,
        Fact::ConfigSaved {
            node: node.into(),
            current_epoch: current,
            masters,
        },
    )
}

fn request(t_ms: u64, from: &str, to: &str, epoch: u64, runid: &str) -> TraceEvent {
    let v = Sent::VoteRequest {
        master: M.into(),
        epoch,
        runid: runid.into(),
    };
    sent(t_ms, from, to, v)
}

fn reply(t_ms: u64, from: &str, to: &str, epoch: u64, leader: &str) -> TraceEvent {
    let v = Sent::VoteReply {
        master: M.into(),
        req_epoch: epoch,
        req_runid: leader.into(),
        down: true,
        leader: leader.into(),
        leader_epoch: epoch,
    };
    sent(t_ms, from, to, v)
}

fn hello(t_ms: u64, from: &str, runid: &str) -> TraceEvent {
    let h = Hello::parse(&format!("127.0.0.1,5000,{runid},0,mymaster,127.0.0.1,6382,0")).expect("hello");
    sent(t_ms, from, "redis-6382", Sent::Hello(h))
}

/// Every process alive at 0; sentinel-5000 (A) and 5001 (B) save their first config at 1 s.
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
    for (n, id) in [("sentinel-5000", A), ("sentinel-5001", B)] {
        tr.push(saved(1_000, n, 0, M, 0, 0));
        tr.push(hello(1_100, n, id));
    }
    tr
}

/// In master_kill.toml: down-after 3 s, failover-timeout 3 s. The trace is kept in this order
/// (a save and the message it precedes share a millisecond).
fn judge(trace: &[TraceEvent], name: &str) -> CheckResult {
    judge_in("master_kill.toml", trace, None, name)
}

#[test]
fn a_vote_on_the_wire_needs_its_epoch_on_disk_first() {
    let mut tr = start();
    tr.extend([
        saved(13_100, "sentinel-5000", 1, M, 0, 1),
        request(13_100, "sentinel-5000", "sentinel-5001", 1, A),
        saved(13_105, "sentinel-5001", 1, M, 0, 1),
        reply(13_105, "sentinel-5001", "sentinel-5000", 1, A),
    ]);
    let ok = judge(&tr, "vote-persisted");
    assert!(ok.ok, "{ok:?}");
    assert_eq!(
        ok.detail,
        "wire + disk: 2 vote message(s) each after a save of its epoch (4 save(s))"
    );
    // The voter's save comes after its reply: a restart in between could vote again.
    tr.swap(12, 13);
    let bad = judge(&tr, "vote-persisted");
    assert!(!bad.ok);
    assert!(
        bad.detail.starts_with(
            "wire + disk: sentinel-5001 reply naming a leader at epoch 1 at 13.105s (sent sentinel-5001 -> sentinel-5000"
        ) && bad.detail.ends_with("its disk held current-epoch 0, leader-epoch 0"),
        "{}",
        bad.detail
    );
    // A candidacy without its epoch saved fails too.
    let mut tr = start();
    tr.push(request(13_100, "sentinel-5000", "sentinel-5001", 1, A));
    let bad = judge(&tr, "vote-persisted");
    assert!(
        !bad.ok && bad.detail.contains("sentinel-5000 request for itself at epoch 1"),
        "{}",
        bad.detail
    );
}

#[test]
fn saved_epochs_never_go_back_but_the_leader_may_lower_its_config_epoch_when_it_promotes() {
    let mut tr = start();
    tr.extend([
        saved(13_100, "sentinel-5000", 2, M, 0, 2),
        sent(
            14_000,
            "sentinel-5000",
            "redis-6383",
            Sent::SlaveOf {
                verb: "SLAVEOF".into(),
                master: None,
            },
        ),
        // A hello had raised the config epoch to 3 for the old address; the promotion sets it to
        // the failover epoch 2, with the promoted address.
        saved(14_500, "sentinel-5000", 3, M, 3, 2),
        saved(15_000, "sentinel-5000", 3, "127.0.0.1:6383", 2, 2),
        proc(20_000, "sentinel-5000", ProcState::Killed),
        proc(21_000, "sentinel-5000", ProcState::Restarted),
        saved(21_100, "sentinel-5000", 3, "127.0.0.1:6383", 2, 2),
    ]);
    let ok = judge(&tr, "config-epoch-monotonic");
    assert!(ok.ok, "{ok:?}");
    // A config epoch lowered without a promotion, and a current epoch lowered on disk.
    tr.extend([
        saved(29_000, "sentinel-5001", 0, "127.0.0.1:6384", 5, 0),
        saved(30_000, "sentinel-5001", 0, "127.0.0.1:6384", 0, 0),
        saved(40_000, "sentinel-5000", 1, "127.0.0.1:6383", 2, 2),
    ]);
    let bad = judge(&tr, "config-epoch-monotonic");
    assert!(!bad.ok);
    assert_eq!(
        bad.detail,
        "disk: sentinel-5001 saved mymaster config-epoch 5 (127.0.0.1:6384) at 29.000s then 0 (127.0.0.1:6384) \
         at 30.000s; sentinel-5000 saved current-epoch 3 at 21.100s then 1 at 40.000s"
    );
}

#[test]
fn a_new_attempt_waits_twice_the_failover_timeout_on_the_sentinels_clock() {
    let attempt = |t: u64, epoch: u64| {
        [
            saved(t, "sentinel-5000", epoch, M, 0, epoch),
            request(t, "sentinel-5000", "sentinel-5001", epoch, A),
        ]
    };
    let mut tr = start();
    tr.extend(attempt(13_000, 1));
    tr.extend(attempt(19_200, 2));
    let ok = judge(&tr, "failover-attempt-spacing");
    assert!(ok.ok, "{ok:?}");
    // 3.2 s later: the delay (2 × 3 s) was not respected.
    let mut tr = start();
    tr.extend(attempt(13_000, 1));
    tr.extend(attempt(16_200, 2));
    let bad = judge(&tr, "failover-attempt-spacing");
    assert!(!bad.ok);
    assert_eq!(
        bad.detail,
        "disk + wire + clocks: sentinel-5000 attempted a failover of mymaster in epoch 2 at 16.200s, 3200 ms on \
         its clock after its attempt in epoch 1 at 13.000s; 2 × failover-timeout is 6000 ms"
    );
    // Its clock jumped 5 s forward in between: 8.2 s passed on its clock.
    let mut with_jump = tr.clone();
    with_jump.push(fact(
        14_000,
        Fact::Clock {
            node: "sentinel-5000".into(),
            offset_ms: 5_000,
            rate: 1.0,
        },
    ));
    with_jump.sort_by_key(|e| e.t_ms);
    assert!(judge(&with_jump, "failover-attempt-spacing").ok);
    // A vote for another Sentinel delays it the same way.
    let mut tr = start();
    tr.extend([
        saved(13_000, "sentinel-5000", 1, M, 0, 1),
        reply(13_000, "sentinel-5000", "sentinel-5001", 1, B),
    ]);
    tr.extend(attempt(15_000, 2));
    let bad = judge(&tr, "failover-attempt-spacing");
    assert!(
        !bad.ok && bad.detail.contains("after its vote for sentinel-5001 in epoch 1"),
        "{}",
        bad.detail
    );
    // After a restart it may try at once.
    tr.insert(tr.len() - 2, proc(14_000, "sentinel-5000", ProcState::Restarted));
    assert!(judge(&tr, "failover-attempt-spacing").ok);
}

fn sdown(t_ms: u64, node: &str, subject: &str) -> TraceEvent {
    sev(t_ms, node, "+sdown", subject, Ev::default())
}

#[test]
fn an_sdown_needs_an_outage_of_about_down_after() {
    let mut tr = start();
    tr.extend([
        proc(10_000, "redis-6383", ProcState::Killed),
        sdown(
            13_100,
            "sentinel-5000",
            "slave 127.0.0.1:6383 127.0.0.1 6383 @ mymaster 127.0.0.1 6382",
        ),
    ]);
    let ok = judge(&tr, "sdown-needs-outage");
    assert!(ok.ok, "{ok:?}");
    assert_eq!(
        ok.detail,
        "ground truth: 1 +sdown, each after about down-after (3000 ms) of a real outage"
    );
    // An SDOWN 0.4 s into a pause: down-after is 3 s.
    let mut tr = start();
    tr.extend([
        proc(10_000, "redis-6382", ProcState::Paused),
        sdown(10_400, "sentinel-5001", "master mymaster 127.0.0.1 6382"),
        proc(11_500, "redis-6382", ProcState::Resumed),
    ]);
    let bad = judge(&tr, "sdown-needs-outage");
    assert!(!bad.ok);
    assert_eq!(
        bad.detail,
        "ground truth: sentinel-5001 +sdown of redis-6382 at 10.400s: it was unreachable only since 10.000s; \
         down-after is 3000 ms"
    );
    // And one with nothing wrong at all.
    let mut tr = start();
    tr.push(sdown(
        10_400,
        "sentinel-5001",
        "sentinel 127.0.0.1:5000 127.0.0.1 5000 @ mymaster 127.0.0.1 6382",
    ));
    let bad = judge(&tr, "sdown-needs-outage");
    assert!(
        !bad.ok && bad.detail.contains("nothing kept it from reaching it then"),
        "{}",
        bad.detail
    );
}
