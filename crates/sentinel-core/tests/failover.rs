//! The core driven through whole stories with scripted replies and fake time.

mod harness;
use harness::*;
use resp::Value;

#[test]
fn startup_discovers_replicas_and_saves_config() {
    let mut h = Harness::seed(1);
    h.run_for(3_000);
    let lines = h.lines();
    assert_eq!(lines[0], "+monitor master mymaster 127.0.0.1 6382 quorum 2");
    assert!(lines.contains(&"+slave slave 127.0.0.1:6383 127.0.0.1 6383 @ mymaster 127.0.0.1 6382".to_string()));
    assert!(lines.contains(&"+slave slave 127.0.0.1:6384 127.0.0.1 6384 @ mymaster 127.0.0.1 6382".to_string()));
    let conf = h.saved.last().expect("config saved after replica discovery");
    assert!(
        conf.contains("sentinel known-replica mymaster 127.0.0.1 6383\n"),
        "{conf}"
    );
    assert!(
        conf.contains("sentinel known-sentinel mymaster 127.0.0.1 5001 bbbb"),
        "{conf}"
    );
    assert_eq!(
        h.cmd(&["SENTINEL", "get-master-addr-by-name", "mymaster"]),
        Value::bulks(["127.0.0.1", "6382"])
    );
    // No false failure detection while everything answers.
    h.run_for(60_000);
    assert_eq!(h.count("+sdown"), 0);
}

#[test]
fn killed_master_goes_sdown_about_down_after_plus_a_tick_after_the_kill() {
    let mut h = Harness::seed(2);
    h.run_for(10_000);
    let kill_at = h.now;
    h.kill(6382);
    h.run_for(6_000);
    let (t, e) = h.first("+sdown").expect("+sdown");
    assert_eq!(e.line(), "+sdown master mymaster 127.0.0.1 6382");
    let delay = t - kill_at;
    assert!((3_000..=3_200).contains(&delay), "sdown {delay} ms after the kill");
    // The peers do not say down: no ODOWN with quorum 2, so no failover.
    assert_eq!(h.count("+odown"), 0);
    assert_eq!(h.count("+try-failover"), 0);
}

#[test]
fn full_failover_when_peers_agree_and_vote() {
    let mut h = Harness::seed(3);
    h.nodes.get_mut(&6384).unwrap().offset = 2000; // more data: wins selection
    h.run_for(10_000);
    for p in h.peers.values_mut() {
        p.says_down = true;
    }
    h.kill(6382);
    h.run_for(15_000);
    let lines = h.lines();
    let pos = |prefix: &str| {
        lines
            .iter()
            .position(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} in {lines:#?}"))
    };
    assert!(
        lines.contains(&"+odown master mymaster 127.0.0.1 6382 #quorum 3/2".to_string())
            || lines.contains(&"+odown master mymaster 127.0.0.1 6382 #quorum 2/2".to_string()),
        "{lines:#?}"
    );
    assert!(pos("+sdown master") < pos("+odown"));
    assert!(pos("+odown") < pos("+new-epoch 1"));
    assert!(pos("+new-epoch 1") < pos("+try-failover"));
    assert!(pos("+try-failover") < pos(&format!("+vote-for-leader {MYID} 1")));
    assert!(pos("+vote-for-leader") < pos("+elected-leader master mymaster 127.0.0.1 6382"));
    assert_eq!(
        lines[pos("+selected-slave")],
        "+selected-slave slave 127.0.0.1:6384 127.0.0.1 6384 @ mymaster 127.0.0.1 6382"
    );
    assert!(pos("+selected-slave") < pos("+failover-state-send-slaveof-noone"));
    assert!(pos("+failover-state-wait-promotion") < pos("+promoted-slave"));
    assert!(pos("+promoted-slave") < pos("+failover-state-reconf-slaves"));
    assert!(pos("+slave-reconf-sent slave 127.0.0.1:6383") < pos("+slave-reconf-inprog slave 127.0.0.1:6383"));
    assert!(pos("+slave-reconf-done slave 127.0.0.1:6383") < pos("+failover-end master"));
    assert_eq!(
        lines[pos("+switch-master")],
        "+switch-master mymaster 127.0.0.1 6382 127.0.0.1 6384"
    );
    assert!(lines.contains(&"+slave slave 127.0.0.1:6383 127.0.0.1 6383 @ mymaster 127.0.0.1 6384".to_string()));
    assert!(lines.contains(&"+slave slave 127.0.0.1:6382 127.0.0.1 6382 @ mymaster 127.0.0.1 6384".to_string()));
    // The promotion transaction, exactly.
    let recv = &h.nodes[&6384].received;
    let i = recv.iter().position(|c| c == "MULTI").expect("MULTI");
    assert_eq!(
        recv[i..i + 6],
        [
            "MULTI",
            "SLAVEOF NO ONE",
            "CONFIG REWRITE",
            "CLIENT KILL TYPE normal",
            "CLIENT KILL TYPE pubsub",
            "EXEC"
        ]
    );
    assert!(h.nodes[&6383].received.iter().any(|c| c == "SLAVEOF 127.0.0.1 6384"));
    // The new config: epochs, the new address, the old master as a replica.
    let conf = h.saved.last().unwrap();
    assert!(conf.contains("sentinel monitor mymaster 127.0.0.1 6384 2\n"), "{conf}");
    assert!(conf.contains("sentinel config-epoch mymaster 1\n"));
    assert!(conf.contains("sentinel leader-epoch mymaster 1\n"));
    assert!(conf.contains("sentinel current-epoch 1\n"));
    assert!(conf.contains("sentinel known-replica mymaster 127.0.0.1 6382\n"));
    assert_eq!(
        h.cmd(&["SENTINEL", "get-master-addr-by-name", "mymaster"]),
        Value::bulks(["127.0.0.1", "6384"])
    );
    // Epoch fields recorded on the events for the invariants.
    let (_, e) = h.first("+elected-leader").unwrap();
    assert_eq!(e.failover_epoch, 1);
    let (_, e) = h.first("+selected-slave").unwrap();
    let c = e.candidate.unwrap();
    assert!(!c.s_down && !c.disconnected && c.priority == 100);
}

#[test]
fn no_failover_without_a_majority_of_votes() {
    let mut h = Harness::seed(4);
    h.run_for(10_000);
    for p in h.peers.values_mut() {
        p.says_down = true;
        // Both peers already voted for someone else in epochs 1..5.
        for e in 1..=5 {
            p.votes.insert(e, PEER2.into());
        }
    }
    h.kill(6382);
    h.run_for(20_000);
    assert!(h.count("+try-failover") >= 1);
    assert_eq!(h.count("+elected-leader"), 0, "{:#?}", h.lines());
    // Every attempt ends by the election timeout (min(10 s, failover-timeout)).
    // (the last attempt may still be waiting when the run stops).
    let (tries, aborts) = (h.count("+try-failover"), h.count("-failover-abort-not-elected"));
    assert!(aborts == tries || aborts + 1 == tries, "{tries} tries, {aborts} aborts");
    // The next attempt waits 2 × failover-timeout from the first attempt's start.
    let tries: Vec<i64> = h
        .events
        .iter()
        .filter(|(_, e)| e.name == "+try-failover")
        .map(|(t, _)| *t)
        .collect();
    for w in tries.windows(2) {
        assert!(w[1] - w[0] >= 6_000, "{tries:?}");
    }
}

#[test]
fn one_vote_per_epoch_first_come_first_served() {
    let mut h = Harness::seed(5);
    h.run_for(5_000);
    let r = h.cmd(&["SENTINEL", "is-master-down-by-addr", "127.0.0.1", "6382", "7", PEER1]);
    assert_eq!(r, Value::Array(vec![Value::Int(0), Value::bulk(PEER1), Value::Int(7)]));
    let r = h.cmd(&["SENTINEL", "is-master-down-by-addr", "127.0.0.1", "6382", "7", PEER2]);
    assert_eq!(r, Value::Array(vec![Value::Int(0), Value::bulk(PEER1), Value::Int(7)]));
    assert_eq!(h.count("+vote-for-leader"), 1);
    assert_eq!(h.s.current_epoch(), 7);
    // An older epoch gets the newer vote back, no new vote.
    let r = h.cmd(&["SENTINEL", "is-master-down-by-addr", "127.0.0.1", "6382", "6", PEER2]);
    assert_eq!(r, Value::Array(vec![Value::Int(0), Value::bulk(PEER1), Value::Int(7)]));
    assert_eq!(h.count("+vote-for-leader"), 1);
    // Unknown address: no vote.
    let r = h.cmd(&["SENTINEL", "is-master-down-by-addr", "127.0.0.1", "6399", "8", PEER2]);
    assert_eq!(r, Value::Array(vec![Value::Int(0), Value::bulk("*"), Value::Int(0)]));
    assert!(h.saved.last().unwrap().contains("sentinel leader-epoch mymaster 7\n"));
}

#[test]
fn priority_zero_is_never_selected_and_lower_priority_wins() {
    let mut h = Harness::seed(6);
    h.nodes.get_mut(&6383).unwrap().priority = 0;
    h.nodes.get_mut(&6384).unwrap().priority = 50;
    h.run_for(12_000);
    assert_eq!(h.cmd(&["SENTINEL", "failover", "mymaster"]), Value::ok());
    assert_eq!(
        h.cmd(&["SENTINEL", "failover", "mymaster"]),
        Value::err("INPROG Failover already in progress")
    );
    h.run_for(10_000);
    let (_, e) = h.first("+selected-slave").expect("selected");
    assert!(e.payload.starts_with("slave 127.0.0.1:6384"), "{}", e.payload);
    // Forced failover: elected without any peer vote.
    assert!(h.first("+elected-leader").is_some());
}

#[test]
fn no_good_slave_for_manual_failover() {
    let mut h = Harness::seed(7);
    h.nodes.get_mut(&6383).unwrap().priority = 0;
    h.nodes.get_mut(&6384).unwrap().priority = 0;
    h.run_for(12_000);
    assert_eq!(
        h.cmd(&["SENTINEL", "failover", "mymaster"]),
        Value::err("NOGOODSLAVE No suitable replica to promote")
    );
    assert_eq!(
        h.cmd(&["SENTINEL", "failover", "nosuch"]),
        Value::err("ERR No such master with that name")
    );
}

#[test]
fn clock_jump_enters_tilt_and_freezes_failure_detection() {
    let mut h = Harness::seed(8);
    h.run_for(10_000);
    h.kill(6382);
    h.jump_clock(5_000); // the wall clock jumps forward 5 s between two ticks
    h.run_for(20_000);
    let (t_tilt, e) = h.first("+tilt").expect("+tilt");
    assert_eq!(e.line(), "+tilt #tilt mode entered");
    // Nothing is judged down during TILT.
    assert!(h.first("+sdown").is_none());
    h.run_for(15_000);
    let (t_exit, _) = h.first("-tilt").expect("-tilt");
    assert!(t_exit - t_tilt >= 30_000);
    let (t_sdown, _) = h.first("+sdown").expect("+sdown after TILT");
    assert!(t_sdown >= t_exit);
    // A backward step also triggers TILT.
    let mut h = Harness::seed(9);
    h.run_for(5_000);
    h.jump_clock(-1_000);
    h.run_for(500);
    assert!(h.first("+tilt").is_some());
}

#[test]
fn same_seed_same_events() {
    let run = |seed| {
        let mut h = Harness::seed(seed);
        h.run_for(10_000);
        for p in h.peers.values_mut() {
            p.says_down = true;
        }
        h.kill(6382);
        h.run_for(15_000);
        h.events
            .iter()
            .map(|(t, e)| format!("{t} {}", e.line()))
            .collect::<Vec<_>>()
    };
    assert_eq!(run(11), run(11));
    assert_ne!(run(11), run(12), "the tick jitter depends on the seed");
}
