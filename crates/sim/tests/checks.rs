//! Invariants and expectations over hand-built traces: the real kill -9 failover passes everything;
//! each planted violation makes exactly the check it targets fail.

mod common;

use common::*;
use sim::checks::{self, CheckResult, Timeline, INVARIANTS};
use sim::report::WritesSummary;
use sim::trace::{FinalState, TraceEvent};

fn failing(results: &[CheckResult]) -> Vec<String> {
    results.iter().filter(|r| !r.ok).map(|r| r.name.clone()).collect()
}

fn run_invariants(trace: &[TraceEvent], fin: &FinalState) -> Vec<CheckResult> {
    let s = load("master_kill.toml");
    checks::invariants(&s, trace, fin, None)
}

fn detail<'a>(results: &'a [CheckResult], name: &str) -> &'a str {
    &results
        .iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("no check {name}"))
        .detail
}

#[test]
fn real_failover_passes_every_invariant() {
    let r = run_invariants(&kill9_trace(), &kill9_final());
    let names: Vec<&str> = r.iter().map(|c| c.name.as_str()).collect();
    let table: Vec<&str> = INVARIANTS.iter().map(|i| i.name).collect();
    assert_eq!(names, table, "every invariant is always listed, in order");
    // The names are part of the results JSON.
    assert_eq!(
        table,
        [
            "one-leader-per-epoch",
            "one-vote-per-epoch",
            "no-bad-promotion",
            "no-failover-without-outage",
            "tilt-from-clock",
            "data-safety",
            "config-epoch-monotonic",
            "leader-had-votes",
            "no-action-in-tilt",
            "vote-persisted",
            "failover-attempt-spacing",
            "sdown-needs-outage",
            "failover-timeouts",
            "leader-reconfigures-replicas",
            "parallel-syncs",
            "promotion-choice",
            "one-leader-per-epoch-log",
            "one-vote-per-epoch-log",
            "no-bad-promotion-probe",
            "config-epoch-monotonic-probe",
            "one-master",
            "replicas-follow",
            "sentinels-agree",
        ]
    );
    assert!(failing(&r).is_empty(), "{r:#?}");
    assert_eq!(
        detail(&r, "one-leader-per-epoch-log"),
        "second opinion, the Sentinels' logs: epoch 1: leader sentinel-5000"
    );
    assert!(detail(&r, "leader-had-votes").contains("3/2 votes (sentinel-5000, sentinel-5001, sentinel-5002)"));
    assert!(detail(&r, "one-master").starts_with("redis-6383 (127.0.0.1:6383) is the only master; down: redis-6382"));
    assert!(detail(&r, "no-bad-promotion-probe").contains("sentinel-5000 selected redis-6383 (priority 100)"));
}

#[test]
fn real_failover_meets_the_scenario_expectations() {
    let s = load("master_kill.toml");
    let r = checks::expectations(&s, &kill9_trace(), &kill9_final(), None);
    assert_eq!(r.len(), 4, "one result per declared expectation: {r:#?}");
    assert!(failing(&r).is_empty(), "{r:#?}");
    let tl = Timeline::compute(&s, &kill9_trace(), &kill9_final());
    assert_eq!(tl.fault_at_ms, Some(10_000));
    assert_eq!(tl.sdown_ms, Some(3_063));
    assert_eq!(tl.odown_ms, Some(3_126));
    assert_eq!(tl.elected_ms, Some(3_188));
    assert_eq!(tl.failover_epoch, Some(1));
    assert_eq!(tl.first_switch_ms, Some(4_240));
    assert_eq!(tl.last_switch_ms, Some(5_304));
    assert_eq!(tl.new_master.as_deref(), Some("127.0.0.1:6383"));
    assert_eq!(
        tl.describe(),
        "kill→+sdown 3.063s  +odown 3.126s  +elected-leader 3.188s  +switch-master 4.24s (all 5.304s)"
    );
}

#[test]
fn two_leaders_in_one_epoch() {
    // sentinel-5001 is forced (SENTINEL FAILOVER) into epoch 1 too: no votes needed, so only the
    // one-leader rule is broken.
    let mut tr = kill9_trace();
    let at = find(&tr, "sentinel-5001", "+vote-for-leader", 0);
    let t0 = tr[at].t_ms;
    let fe = || Ev {
        current_epoch: 1,
        failover_epoch: 1,
        ..Ev::default()
    };
    tr.insert(at + 1, action(t0, "SENTINEL FAILOVER mymaster (via 127.0.0.1:5001)"));
    tr.insert(
        at + 2,
        sev(
            t0,
            "sentinel-5001",
            "+try-failover",
            "master mymaster 127.0.0.1 6382",
            fe(),
        ),
    );
    tr.insert(
        at + 3,
        sev(
            t0 + 1,
            "sentinel-5001",
            "+elected-leader",
            "master mymaster 127.0.0.1 6382",
            fe(),
        ),
    );
    let r = run_invariants(&tr, &kill9_final());
    assert_eq!(failing(&r), ["one-leader-per-epoch-log"], "{r:#?}");
    let d = detail(&r, "one-leader-per-epoch-log");
    assert!(
        d.contains("epoch 1: 2 leaders: sentinel-5001 at 13.139s, sentinel-5000 at 13.188s"),
        "{d}"
    );
    assert!(detail(&r, "leader-had-votes").contains("sentinel-5001 forced"));
}

#[test]
fn double_vote() {
    let mut tr = kill9_trace();
    let at = find(&tr, "sentinel-5002", "+vote-for-leader", 0);
    let t0 = tr[at].t_ms + 5;
    let fe = Ev {
        current_epoch: 1,
        failover_epoch: 1,
        ..Ev::default()
    };
    tr.insert(
        at + 1,
        sev(t0, "sentinel-5002", "+vote-for-leader", &format!("{ID1} 1"), fe),
    );
    let r = run_invariants(&tr, &kill9_final());
    assert_eq!(failing(&r), ["one-vote-per-epoch-log"], "{r:#?}");
    let d = detail(&r, "one-vote-per-epoch-log");
    assert!(
        d.contains("sentinel-5002 epoch 1: voted for sentinel-5000 by sentinel-5002 at 13.136s"),
        "{d}"
    );
    assert!(d.contains("sentinel-5001 by sentinel-5002 at 13.141s"), "{d}");
}

#[test]
fn promotion_of_an_sdown_replica() {
    let mut tr = kill9_trace();
    let at = find(&tr, "sentinel-5000", "+selected-slave", 0);
    probe_mut(&mut tr[at]).candidate.as_mut().unwrap().s_down = true;
    let r = run_invariants(&tr, &kill9_final());
    assert_eq!(failing(&r), ["no-bad-promotion-probe"], "{r:#?}");
    assert!(detail(&r, "no-bad-promotion-probe")
        .contains("13.244s sentinel-5000 selected redis-6383 although it was S_DOWN"));
}

#[test]
fn promotion_of_a_priority_zero_replica() {
    // The scenario says 6383 has replica-priority 0, whatever the sentinel believed.
    let text = std::fs::read_to_string(scenarios_dir().join("master_kill.toml"))
        .unwrap()
        .replace(
            "addr = \"127.0.0.1:6383\"\n",
            "addr = \"127.0.0.1:6383\"\npriority = 0\n",
        );
    let s = sim::scenario::parse(&text, "master_kill.toml").unwrap();
    let r = checks::invariants(&s, &kill9_trace(), &kill9_final(), None);
    assert_eq!(failing(&r), ["no-bad-promotion-probe"], "{r:#?}");
    assert!(detail(&r, "no-bad-promotion-probe").contains("its configured replica-priority is 0"));
}

#[test]
fn decreasing_config_epoch() {
    let mut tr = kill9_trace();
    let last = tr.len() - 1; // sentinel-5001 +sdown slave 6382 after its +switch-master
    probe_mut(&mut tr[last]).config_epoch = 0;
    let r = run_invariants(&tr, &kill9_final());
    assert_eq!(failing(&r), ["config-epoch-monotonic-probe"], "{r:#?}");
    let d = detail(&r, "config-epoch-monotonic-probe");
    assert!(
        d.starts_with("sentinel-5001 mymaster: config_epoch 1 at 14.241s"),
        "{d}"
    );
    assert!(d.contains("then 0 at 17.247s (+sdown slave 127.0.0.1:6382"), "{d}");
}

#[test]
fn decreasing_current_epoch() {
    let mut tr = kill9_trace();
    let last = tr.len() - 1;
    probe_mut(&mut tr[last]).current_epoch = 0;
    let r = run_invariants(&tr, &kill9_final());
    assert_eq!(failing(&r), ["config-epoch-monotonic-probe"], "{r:#?}");
    assert!(detail(&r, "config-epoch-monotonic-probe").contains("sentinel-5001: current_epoch 1"));
}

#[test]
fn leader_without_enough_votes() {
    let mut tr = kill9_trace();
    for node in ["sentinel-5001", "sentinel-5002"] {
        let at = find(&tr, node, "+vote-for-leader", 0);
        tr.remove(at);
    }
    let r = run_invariants(&tr, &kill9_final());
    assert_eq!(failing(&r), ["leader-had-votes"], "{r:#?}");
    assert_eq!(
        detail(&r, "leader-had-votes"),
        "epoch 1: sentinel-5000 elected at 13.188s with 1/2 votes (sentinel-5000)"
    );
}

#[test]
fn votes_after_the_election_do_not_count() {
    let mut tr = kill9_trace();
    let at = find(&tr, "sentinel-5001", "+vote-for-leader", 0);
    let v = tr.remove(at);
    let at2 = find(&tr, "sentinel-5002", "+vote-for-leader", 0);
    let v2 = tr.remove(at2);
    let el = find(&tr, "sentinel-5000", "+elected-leader", 0);
    tr.insert(el + 1, v);
    tr.insert(el + 1, v2);
    let r = run_invariants(&tr, &kill9_final());
    assert!(failing(&r).contains(&"leader-had-votes".to_string()), "{r:#?}");
}

#[test]
fn forced_failover_needs_no_votes() {
    // A manual failover: no odown, no votes, sentinel-5000 elected at once.
    let s = load("manual_failover.toml");
    let fe = || Ev {
        current_epoch: 1,
        failover_epoch: 1,
        ..Ev::default()
    };
    let m = "master mymaster 127.0.0.1 6382";
    let tr = vec![
        action(10_000, "SENTINEL FAILOVER mymaster (via 127.0.0.1:5000)"),
        sev(10_001, "sentinel-5000", "+new-epoch", "1", Ev { master: None, ..fe() }),
        sev(10_001, "sentinel-5000", "+try-failover", m, fe()),
        sev(10_001, "sentinel-5000", "+vote-for-leader", &format!("{ID0} 1"), fe()),
        sev(10_101, "sentinel-5000", "+elected-leader", m, fe()),
    ];
    let r = checks::invariants(&s, &tr, &kill9_final(), None);
    assert!(!failing(&r).contains(&"leader-had-votes".to_string()), "{r:#?}");
    assert_eq!(
        detail(&r, "leader-had-votes"),
        "epoch 1: sentinel-5000 forced (SENTINEL FAILOVER)"
    );

    // The same election without the operator's command is a violation.
    let r = checks::invariants(&s, &tr[1..], &kill9_final(), None);
    assert!(failing(&r).contains(&"leader-had-votes".to_string()), "{r:#?}");

    // An ODOWN sentinel's attempt after the command is not exempt (it could be its own).
    let mut tr2 = tr.clone();
    tr2.insert(
        1,
        sev(
            10_000,
            "sentinel-5000",
            "+odown",
            &format!("{m} #quorum 2/2"),
            Ev::default(),
        ),
    );
    let r = checks::invariants(&s, &tr2, &kill9_final(), None);
    assert!(failing(&r).contains(&"leader-had-votes".to_string()), "{r:#?}");
}

/// The Sentinel logs `+tilt` just before event `at` and `-tilt` just after it; returns the
/// event's new index.
fn in_tilt(tr: &mut Vec<TraceEvent>, at: usize) -> usize {
    let (t, node, probe) = (tr[at].t_ms, tr[at].node.clone(), probe_mut(&mut tr[at]).clone());
    for (i, name, payload) in [
        (at + 1, "-tilt", "#tilt mode exited"),
        (at, "+tilt", "#tilt mode entered"),
    ] {
        let mut e = sev(t, &node, name, payload, Ev::default());
        *probe_mut(&mut e) = probe.clone();
        tr.insert(i, e);
    }
    at + 1
}

#[test]
fn failover_step_in_tilt() {
    let mut tr = kill9_trace();
    let at = find(&tr, "sentinel-5000", "+promoted-slave", 0);
    in_tilt(&mut tr, at);
    let r = run_invariants(&tr, &kill9_final());
    assert_eq!(failing(&r), ["no-action-in-tilt"], "{r:#?}");
    assert!(detail(&r, "no-action-in-tilt").contains("14.159s sentinel-5000 +promoted-slave slave 127.0.0.1:6383"));
}

#[test]
fn try_failover_in_tilt_is_a_failure_unless_an_operator_asked() {
    // Autonomous: sentinel-5000's +try-failover while in TILT is a violation...
    let mut tr = kill9_trace();
    let at = find(&tr, "sentinel-5000", "+try-failover", 0);
    let at = in_tilt(&mut tr, at);
    let r = run_invariants(&tr, &kill9_final());
    assert!(failing(&r).contains(&"no-action-in-tilt".to_string()), "{r:#?}");
    // ...but SENTINEL FAILOVER is answered in TILT (spec §8): right after an operator's command
    // via that Sentinel it is allowed (found by the fuzzer as a false alarm).
    let t_try = tr[at].t_ms;
    tr.insert(at, action(t_try - 5, "SENTINEL FAILOVER mymaster (via 127.0.0.1:5000)"));
    let r = run_invariants(&tr, &kill9_final());
    assert!(!failing(&r).contains(&"no-action-in-tilt".to_string()), "{r:#?}");
}

#[test]
fn tilt_alone_is_fine() {
    let mut tr = kill9_trace();
    // A switch-master learnt from hello is allowed in TILT.
    let at = find(&tr, "sentinel-5001", "+switch-master", 0);
    in_tilt(&mut tr, at);
    let r = run_invariants(&tr, &kill9_final());
    assert!(failing(&r).is_empty(), "{r:#?}");
}

#[test]
fn two_masters_at_the_end() {
    let mut fin = kill9_final();
    fin.data_nodes[2] = data_final("redis-6384", Some("master"), None, None);
    let r = run_invariants(&kill9_trace(), &fin);
    // The sentinels still agree on 6383, so only the data nodes' view is wrong: two masters, and
    // 6384 does not follow.
    assert_eq!(failing(&r), ["one-master", "replicas-follow"], "{r:#?}");
    assert_eq!(
        detail(&r, "one-master"),
        "2 masters: redis-6383 (127.0.0.1:6383), redis-6384 (127.0.0.1:6384); down: redis-6382"
    );
    assert_eq!(
        detail(&r, "replicas-follow"),
        "master redis-6383; redis-6384: role master"
    );
}

#[test]
fn sentinels_disagree_at_the_end() {
    let mut fin = kill9_final();
    fin.sentinels[1].master_addr = Some("127.0.0.1:6382".into());
    let r = run_invariants(&kill9_trace(), &fin);
    assert_eq!(failing(&r), ["sentinels-agree"], "{r:#?}");
    assert!(detail(&r, "sentinels-agree").contains("sentinel-5001→127.0.0.1:6382"));
}

#[test]
fn replica_with_link_down() {
    let mut fin = kill9_final();
    fin.data_nodes[2].link_up = Some(false);
    let r = run_invariants(&kill9_trace(), &fin);
    assert_eq!(failing(&r), ["replicas-follow"], "{r:#?}");
    assert!(detail(&r, "replicas-follow").contains("redis-6384: replica of 127.0.0.1:6383 but link down"));
}

#[test]
fn convergence_is_skipped_without_settle_time() {
    let text = std::fs::read_to_string(scenarios_dir().join("master_kill.toml"))
        .unwrap()
        .replace("at = \"10s\"", "at = \"50s\"");
    let s = sim::scenario::parse(&text, "master_kill.toml").unwrap();
    let mut fin = kill9_final();
    fin.data_nodes[2] = data_final("redis-6384", Some("master"), None, None);
    let r = checks::invariants(&s, &kill9_trace(), &fin, None);
    assert!(failing(&r).is_empty(), "{r:#?}");
    assert_eq!(
        detail(&r, "one-master"),
        "skipped: last action at 50.000s, settle 20s, run ends at 60.000s"
    );
}

#[test]
fn expectations_fail_with_details() {
    let s = load("replica_priority.toml");
    // The real run promoted 6383, which replica_priority.toml forbids (priority 0).
    let r = checks::expectations(&s, &kill9_trace(), &kill9_final(), None);
    assert_eq!(
        r.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        [
            "failover = true",
            "never_promoted = [redis-6383]",
            "final_master = redis-6384",
            "max_detection = 5s",
            "max_failover = 15s"
        ]
    );
    assert_eq!(
        failing(&r),
        ["never_promoted = [redis-6383]", "final_master = redis-6384"]
    );
    let d = detail(&r, "never_promoted = [redis-6383]");
    assert!(
        d.contains("13.244s sentinel-5000 +selected-slave slave 127.0.0.1:6383"),
        "{d}"
    );
    assert!(d.contains("14.159s sentinel-5000 +promoted-slave"), "{d}");
    assert_eq!(detail(&r, "final_master = redis-6384"), "final master redis-6383");
}

fn with_expect(extra: &str) -> sim::scenario::Scenario {
    let text = std::fs::read_to_string(scenarios_dir().join("master_kill.toml")).unwrap();
    let text = format!("{text}{extra}\n");
    sim::scenario::parse(&text, "master_kill.toml").unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn timing_expectations() {
    let s = with_expect("tilt = false\nmin_epoch = 1\nmax_epoch = 1\nseen = [\"+switch-master\"]\nnot_seen = [\"-failover-abort-not-elected\"]");
    let r = checks::expectations(&s, &kill9_trace(), &kill9_final(), None);
    assert!(failing(&r).is_empty(), "{r:#?}");
    assert_eq!(detail(&r, "max_detection = 5s"), "kill→+odown 3.126s");
    assert_eq!(
        detail(&r, "max_failover = 15s"),
        "kill→+switch-master on every live sentinel 5.304s"
    );

    let text = std::fs::read_to_string(scenarios_dir().join("master_kill.toml"))
        .unwrap()
        .replace("max_detection = \"5s\"", "max_detection = \"3s\"")
        .replace("max_failover = \"15s\"", "max_failover = \"5s\"");
    let s = sim::scenario::parse(&text, "master_kill.toml").unwrap();
    let r = checks::expectations(&s, &kill9_trace(), &kill9_final(), None);
    assert_eq!(failing(&r), ["max_detection = 3s", "max_failover = 5s"]);

    let s = with_expect("tilt = true\nmax_epoch = 0\nseen = [\"+convert-to-slave\"]");
    let r = checks::expectations(&s, &kill9_trace(), &kill9_final(), None);
    assert_eq!(
        failing(&r),
        ["tilt = true", "max_epoch = 0", "seen = [+convert-to-slave]"]
    );
    assert_eq!(detail(&r, "tilt = true"), "no +tilt");
    assert_eq!(
        detail(&r, "seen = [+convert-to-slave]"),
        "never emitted after the kill: +convert-to-slave"
    );
}

#[test]
fn failover_expectation_counts_live_sentinels_only() {
    let s = load("master_kill.toml");
    let mut tr = kill9_trace();
    let at = find(&tr, "sentinel-5002", "+switch-master", 0);
    tr.remove(at);
    let r = checks::expectations(&s, &tr, &kill9_final(), None);
    assert_eq!(failing(&r), ["failover = true", "max_failover = 15s"]);
    assert_eq!(detail(&r, "failover = true"), "no +switch-master on sentinel-5002");
    let mut fin = kill9_final();
    fin.sentinels[2].alive = false;
    fin.sentinels[2].master_addr = None;
    let r = checks::expectations(&s, &tr, &fin, None);
    assert!(failing(&r).is_empty(), "{r:#?}");
}

#[test]
fn writes_expectations() {
    let s = with_expect("lost_writes_max = 0\nlost_writes_after_heal_min = 1");
    let r = checks::expectations(&s, &kill9_trace(), &kill9_final(), None);
    assert_eq!(failing(&r), ["lost_writes_max = 0", "lost_writes_after_heal_min = 1"]);
    assert_eq!(detail(&r, "lost_writes_max = 0"), "no client workload in this scenario");
    let w = WritesSummary {
        acknowledged: 200,
        lost: 3,
        lost_pct: 1.5,
        lost_after_heal: 2,
        ..Default::default()
    };
    let r = checks::expectations(&s, &kill9_trace(), &kill9_final(), Some(&w));
    assert_eq!(failing(&r), ["lost_writes_max = 0"]);
    assert_eq!(
        detail(&r, "lost_writes_max = 0"),
        "3 of 200 acknowledged writes lost (1.5%)"
    );
}

#[test]
fn converged_within_after_restart() {
    let s = load("master_kill_and_return.toml");
    let mut tr = kill9_trace();
    tr.push(action(30_000, "restart 127.0.0.1:6382"));
    tr.push(sev(
        31_000,
        "sentinel-5002",
        "-sdown",
        "slave 127.0.0.1:6382 127.0.0.1 6382 @ mymaster 127.0.0.1 6383",
        Ev {
            current_epoch: 1,
            config_epoch: 1,
            ..Ev::default()
        },
    ));
    tr.push(sev(
        40_980,
        "sentinel-5002",
        "+convert-to-slave",
        "slave 127.0.0.1:6382 127.0.0.1 6382 @ mymaster 127.0.0.1 6383",
        Ev {
            current_epoch: 1,
            config_epoch: 1,
            ..Ev::default()
        },
    ));
    tr.push(data(
        46_100,
        "redis-6382",
        "MASTER <-> REPLICA sync: Finished with success",
    ));
    let mut fin = kill9_final();
    fin.data_nodes[0] = data_final("redis-6382", Some("slave"), Some("127.0.0.1:6383"), Some(true));
    let r = checks::expectations(&s, &tr, &fin, None);
    assert!(failing(&r).is_empty(), "{r:#?}");
    assert_eq!(
        detail(&r, "converged_within = 30s"),
        "restart→last change 16.1s (46.100s redis-6382 MASTER <-> REPLICA sync: Finished with success)"
    );
    let inv = checks::invariants(&s, &tr, &fin, None);
    assert!(failing(&inv).is_empty(), "{inv:#?}");
    // Not converged at the end: the old master is still a master.
    fin.data_nodes[0] = data_final("redis-6382", Some("master"), None, None);
    let r = checks::expectations(&s, &tr, &fin, None);
    assert!(failing(&r).contains(&"converged_within = 30s".to_string()));
}

/// Across a restart, epochs may fall back to what Redis persisted, but never below a vote given
/// or a config switched to.
#[test]
fn restart_may_lose_an_unpersisted_epoch_but_not_a_vote() {
    let start = |t, cur, cfg| {
        sev(
            t,
            "sentinel-5000",
            "",
            "Sentinel ID is x",
            Ev {
                current_epoch: cur,
                config_epoch: cfg,
                master: None,
                ..Ev::default()
            },
        )
    };
    // sentinel-5000 voted in epoch 1 and switched with config epoch 1 in the kill -9 trace.
    let mut tr = kill9_trace();
    tr.push(action(60_000, "kill 127.0.0.1:5000"));
    tr.push(action(61_000, "restart 127.0.0.1:5000"));
    tr.push(start(61_001, 0, 0));
    let r = run_invariants(&tr, &kill9_final());
    assert!(
        failing(&r).contains(&"config-epoch-monotonic-probe".to_string()),
        "{r:#?}"
    );
    assert!(
        detail(&r, "config-epoch-monotonic-probe").contains("below the persisted 1"),
        "{r:#?}"
    );

    let mut tr = kill9_trace();
    tr.push(action(61_000, "restart 127.0.0.1:5000"));
    tr.push(start(61_001, 1, 1));
    // An epoch bumped by SENTINEL FAILOVER but never voted in (not persisted) may be lost.
    tr.push(sev(
        62_000,
        "sentinel-5000",
        "+new-epoch",
        "2",
        Ev {
            current_epoch: 2,
            config_epoch: 1,
            ..Ev::default()
        },
    ));
    tr.push(action(63_000, "restart 127.0.0.1:5000"));
    tr.push(start(63_001, 1, 1));
    let r = run_invariants(&tr, &kill9_final());
    assert!(
        !failing(&r).contains(&"config-epoch-monotonic-probe".to_string()),
        "{r:#?}"
    );
}
