//! Property tests of the pure core: random interleavings of deaths and returns of data nodes and
//! peers, peers' opinions and votes, vote requests from outside, clock jumps and operator
//! commands. Whatever happens: no panic, at most one vote per epoch, no promotion of a replica
//! that is down, disconnected or of priority 0, epochs never go back, every log line reads back
//! as the event emitted.

mod harness;
use harness::*;
use proptest::prelude::*;
use sentinel_core::{EventBody, Ms};
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
enum Step {
    Run(u16),
    Kill(u8),
    Revive(u8),
    PeerDown(u8, bool),
    PeerSaysDown(u8, bool),
    PeerVotes(u8, u8),
    AskVote(u64, u8),
    Jump(i16),
    Failover,
    Priority(u8, u8),
    Hello(u8, u64),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (100u16..8_000).prop_map(Step::Run),
        2 => any::<u8>().prop_map(Step::Kill),
        2 => any::<u8>().prop_map(Step::Revive),
        1 => (any::<u8>(), any::<bool>()).prop_map(|(p, d)| Step::PeerDown(p, d)),
        2 => (any::<u8>(), any::<bool>()).prop_map(|(p, d)| Step::PeerSaysDown(p, d)),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(p, c)| Step::PeerVotes(p, c)),
        1 => (0u64..6, any::<u8>()).prop_map(|(e, c)| Step::AskVote(e, c)),
        1 => (-3_000i16..8_000).prop_map(Step::Jump),
        1 => Just(Step::Failover),
        1 => (any::<u8>(), prop_oneof![Just(0u8), Just(50), Just(100)]).prop_map(|(n, p)| Step::Priority(n, p)),
        1 => (any::<u8>(), 0u64..5).prop_map(|(n, e)| Step::Hello(n, e)),
    ]
}

const PORTS: [u16; 3] = [6382, 6383, 6384];
const PEERS: [u16; 2] = [5001, 5002];
const IDS: [&str; 3] = [MYID, PEER1, PEER2];

fn apply(h: &mut Harness, s: &Step) {
    match s {
        Step::Run(ms) => h.run_for(*ms as Ms),
        Step::Kill(n) => h.kill(PORTS[*n as usize % 3]),
        Step::Revive(n) => {
            if let Some(node) = h.nodes.get_mut(&PORTS[*n as usize % 3]) {
                node.up = true;
            }
        }
        Step::PeerDown(p, d) => h.peers.get_mut(&PEERS[*p as usize % 2]).unwrap().up = !*d,
        Step::PeerSaysDown(p, d) => h.peers.get_mut(&PEERS[*p as usize % 2]).unwrap().says_down = *d,
        Step::PeerVotes(p, c) => {
            let epoch = h.s.current_epoch() + 1;
            h.peers
                .get_mut(&PEERS[*p as usize % 2])
                .unwrap()
                .votes
                .insert(epoch, IDS[*c as usize % 3].to_string());
        }
        Step::AskVote(e, c) => {
            let epoch = (h.s.current_epoch() + e).to_string();
            let (ip, port) = h.s.master_addr("mymaster").unwrap();
            h.cmd(&[
                "SENTINEL",
                "is-master-down-by-addr",
                &ip,
                &port.to_string(),
                &epoch,
                IDS[1 + *c as usize % 2],
            ]);
        }
        Step::Jump(ms) => h.jump_clock(*ms as Ms),
        Step::Failover => {
            h.cmd(&["SENTINEL", "failover", "mymaster"]);
        }
        Step::Priority(n, p) => {
            if let Some(node) = h.nodes.get_mut(&PORTS[*n as usize % 3]) {
                node.priority = *p as u32;
            }
        }
        Step::Hello(n, e) => {
            let port = PORTS[*n as usize % 3];
            let epoch = h.s.current_epoch() + e;
            let hello = format!("127.0.0.1,5001,{PEER1},{epoch},mymaster,127.0.0.1,{port},{epoch}");
            h.cmd(&["PUBLISH", "__sentinel__:hello", &hello]);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn core_keeps_its_promises(seed in any::<u64>(), steps in proptest::collection::vec(step(), 1..40)) {
        let mut h = Harness::seed(seed);
        h.run_for(3_000);
        for s in &steps {
            apply(&mut h, s);
        }
        h.run_for(5_000);

        // At most one vote per epoch.
        let mut votes: BTreeMap<u64, String> = BTreeMap::new();
        for (_, e) in &h.events {
            if let EventBody::VoteForLeader { runid, epoch } = &e.body {
                let prev = votes.entry(*epoch).or_insert_with(|| runid.clone());
                prop_assert_eq!(prev, runid, "two votes in epoch {}", epoch);
            }
        }
        // Everything it logs reads back as what it emitted (the trace can be built from a log).
        for (_, e) in &h.events {
            let line = e.line();
            prop_assert_eq!(EventBody::parse(&line), Ok(e.body.clone()), "{}", line);
        }
        // No promotion of a replica it saw down, disconnected or with priority 0.
        for (_, e) in h.events.iter().filter(|(_, e)| e.name() == "+selected-slave") {
            let c = e.probe.candidate.as_ref().unwrap();
            prop_assert!(!c.s_down && !c.o_down && !c.disconnected && c.priority != 0, "{:?}", c);
        }
        // Epochs never go back within a process.
        let mut cur = 0;
        let mut cfg = 0;
        for (_, e) in &h.events {
            prop_assert!(e.probe.current_epoch >= cur, "current epoch went back at {}", e.line());
            cur = e.probe.current_epoch;
            if e.probe.master.is_some() {
                // Except at the leader's promotion, which sets it to the failover epoch even if a
                // hello raised it meanwhile (Redis 7.0.15, spec §3.2-4).
                let promotion = e.name() == "+promoted-slave" && e.probe.config_epoch == e.probe.failover_epoch;
                prop_assert!(e.probe.config_epoch >= cfg || promotion, "config epoch went back at {}", e.line());
                cfg = e.probe.config_epoch;
            }
        }
        // The saved config always loads back, with the same identity and epochs.
        if let Some(conf) = h.saved.last() {
            let again = sentinel_core::Sentinel::new(conf, Default::default(), 1, 0).expect("saved config loads");
            prop_assert_eq!(again.myid(), MYID);
            prop_assert!(again.current_epoch() <= h.s.current_epoch());
        }
    }
}
