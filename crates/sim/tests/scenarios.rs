//! Scenario files: the examples parse, malformed input gives `file:line:col: field: message`
//! errors and never a panic, and `to_toml` round-trips.

mod common;
mod scenario_gen;

use std::path::Path;

use common::scenarios_dir;
use proptest::prelude::*;
use scenario_gen::Gen;
use sim::scenario::{
    self, to_toml, Action, ActionKind, Client, ClientMode, FaultKind, MasterGroup, NodeKind, TimedAction,
};

fn parse_err(text: &str) -> String {
    match scenario::parse(text, "t.toml") {
        Ok(s) => panic!("expected an error, parsed {s:#?}"),
        Err(e) => e.to_string(),
    }
}

const BASE: &str = r#"
duration = "60s"

[master]
quorum = 2
down_after = "3s"
failover_timeout = "3s"

[[redis]]
addr = "127.0.0.1:6382"

[[redis]]
addr = "127.0.0.1:6383"
replica_of = "127.0.0.1:6382"

[[sentinel]]
addr = "127.0.0.1:5000"

[[sentinel]]
addr = "127.0.0.1:5001"
"#;

fn with(extra: &str) -> String {
    format!("{BASE}{extra}")
}

#[test]
fn the_example_scenarios_parse() {
    let mut files: Vec<_> = std::fs::read_dir(scenarios_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 4, "{files:?}");
    for f in &files {
        let s = scenario::load(f).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            s.story.starts_with("Story: "),
            "{}: the file opens with its story",
            f.display()
        );
        assert!(s.settles(), "{}: the final checks apply", f.display());
        assert_eq!(
            scenario::parse(&to_toml(&s), "x.toml").as_ref(),
            Ok(&s),
            "{}",
            f.display()
        );
    }
}

#[test]
fn master_kill_reads_as_written() {
    let s = common::load("master_kill.toml");
    assert_eq!(s.name, "master_kill");
    assert_eq!((s.duration_ms, s.settle_ms, s.seed), (60_000, 20_000, Some(1)));
    assert_eq!(
        s.master,
        MasterGroup {
            name: "mymaster".into(),
            node: "redis-6382".into(),
            quorum: 2,
            down_after_ms: 3000,
            failover_timeout_ms: 3000,
            parallel_syncs: 1,
            auth_pass: None,
        }
    );
    assert_eq!(
        s.node_names(),
        [
            "redis-6382",
            "redis-6383",
            "redis-6384",
            "sentinel-5000",
            "sentinel-5001",
            "sentinel-5002"
        ]
    );
    assert_eq!(s.redis[1].replica_of.as_deref(), Some("redis-6382"));
    assert_eq!(s.redis[1].priority, 100);
    assert!(!s.redis[1].persistence && s.redis[1].serve_stale_data);
    assert_eq!(
        s.timeline,
        [TimedAction {
            at_ms: 10_000,
            action: Action::Kill {
                node: "redis-6382".into()
            }
        }]
    );
    assert_eq!(
        s.expect.promoted.as_deref(),
        Some(&["redis-6383".to_string(), "redis-6384".to_string()][..])
    );
    assert_eq!(s.expect.max_detection_ms, Some(5000));
    assert_eq!(s.timeline[0].action.trace_line(&s), "kill 127.0.0.1:6382");

    let n = s.node("127.0.0.1:5001").unwrap();
    assert_eq!(
        (n.name(), n.addr(), n.kind()),
        ("sentinel-5001", "127.0.0.1:5001", NodeKind::Sentinel)
    );
    assert!(s.node("redis-9999").is_none());
    let cfg = s.data_node_configs();
    assert_eq!(cfg[2].replica_of.as_deref(), Some("127.0.0.1:6382"));
    assert_eq!(cfg[2].port, 6384);
    let sc = s.sentinel_configs();
    assert_eq!(sc[0].conf_lines()[1], "sentinel monitor mymaster 127.0.0.1 6382 2");
    assert_eq!(sc[0].conf_lines()[2], "sentinel down-after-milliseconds mymaster 3000");
}

#[test]
fn replica_priority_and_manual_failover() {
    let s = common::load("replica_priority.toml");
    let prios: Vec<u32> = s.redis.iter().map(|r| r.priority).collect();
    assert_eq!(prios, [100, 0, 50, 100]);
    assert_eq!(s.expect.final_master.as_deref(), Some("redis-6384"));
    let s = common::load("manual_failover.toml");
    assert_eq!(
        s.timeline[0].action,
        Action::Failover {
            via: "sentinel-5000".into()
        }
    );
    assert_eq!(
        s.timeline[0].action.trace_line(&s),
        "SENTINEL FAILOVER mymaster (via 127.0.0.1:5000)"
    );
    let s = common::load("master_kill_and_return.toml");
    assert_eq!(
        s.timeline[1].action,
        Action::Restart {
            node: "redis-6382".into(),
            wipe: false
        }
    );
    assert_eq!(s.last_action_ms(), Some(30_000));
}

#[test]
fn the_base_network_defaults_to_loopback_and_reads_microseconds() {
    let s = common::load("master_kill.toml");
    assert_eq!(s.network, sim::scenario::Network::LOOPBACK);
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad/network_latency.toml"))
        .unwrap()
        .replace("\"500us\"", "\"2.5ms\"")
        + "loss = 0.01\n";
    let n = scenario::parse(&text, "network.toml").unwrap().network;
    assert_eq!((n.latency_min_us, n.latency_max_us, n.loss), (2_000, 2_500, 0.01));
    let err = scenario::parse(&text.replace("0.01", "1.0"), "network.toml")
        .unwrap_err()
        .to_string();
    assert!(err.contains("network.loss: loss 1 must be within"), "{err}");
    let err = scenario::parse(&text.replace("\"2ms\"", "\"2.5us5\""), "n.toml")
        .unwrap_err()
        .to_string();
    assert!(err.contains("network.latency_min: invalid duration"), "{err}");
}

#[test]
fn bad_files_name_file_line_and_field() {
    let expected = [
        ("bad_duration.toml", "tests/bad/bad_duration.toml:6:14: master.down_after: invalid duration \"3 seconds\""),
        (
            "client_timeout.toml",
            "tests/bad/client_timeout.toml:15:11: client[0].timeout: must be 1ms..=60s",
        ),
        (
            "failover_via_data_node.toml",
            "tests/bad/failover_via_data_node.toml:16:7: timeline[0].via: \"127.0.0.1:6382\" is a data node; a sentinel is needed here (sentinels: sentinel-5000)",
        ),
        (
            "network_latency.toml",
            "tests/bad/network_latency.toml:15:15: network.latency_max: latency_max 500us is below latency_min 2ms",
        ),
        ("missing_master.toml", "tests/bad/missing_master.toml:1:1: master: missing field `master`"),
        (
            "resume_without_pause.toml",
            "tests/bad/resume_without_pause.toml:20:10: timeline[1].action: resume at 10.000s: redis-6382 is not paused (resume without pause)",
        ),
        (
            "time_out_of_range.toml",
            "tests/bad/time_out_of_range.toml:14:6: timeline[0].at: 45s is not before the end of the run (duration 30s)",
        ),
        (
            "too_many_faults.toml",
            "tests/bad/too_many_faults.toml:16:9: timeline[0].every: would start 43195000 faults before `until` (at most 100000)",
        ),
        ("unknown_field.toml", "tests/bad/unknown_field.toml:6:1: master.down_after_ms: unknown field `down_after_ms`"),
        (
            "unknown_node.toml",
            "tests/bad/unknown_node.toml:28:8: timeline[1].node: unknown node \"redis-9999\" (known: redis-6382, redis-6383, sentinel-5000, sentinel-5001)",
        ),
        ("wrong_type.toml", "tests/bad/wrong_type.toml:5:10: master.quorum: invalid type: string \"two\", expected u32"),
    ];
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad");
    let count = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(count, expected.len(), "every bad example is tested");
    for (file, want) in expected {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let err = scenario::parse(&text, &format!("tests/bad/{file}"))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with(want), "{file}:\n got: {err}\nwant: {want}");
    }
    // load() names the path it was given.
    let err = scenario::load(&dir.join("unknown_node.toml")).unwrap_err();
    assert!(err.file.ends_with("tests/bad/unknown_node.toml") && err.line == 28 && err.field == "timeline[1].node");
    let err = scenario::load(Path::new("/nonexistent/x.toml"))
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("/nonexistent/x.toml: cannot read: "), "{err}");
}

#[test]
fn semantic_errors() {
    let cases: &[(&str, &str)] = &[
        // quorum larger than the sentinels
        (&BASE.replace("quorum = 2", "quorum = 3"), "t.toml:5:10: master.quorum: quorum 3 is more than the 2 sentinels"),
        (&BASE.replace("quorum = 2", "quorum = 0"), "master.quorum: must be at least 1"),
        (&BASE.replace("quorum = 2", "quorum = -1"), "t.toml:5:10: master.quorum: invalid value: integer `-1`, expected u32"),
        (&BASE.replace("duration = \"60s\"", "duration = 0"), "t.toml:2:12: duration: must be greater than zero"),
        (&BASE.replace("duration = \"60s\"", "duration = \"25h\""), "duration: duration \"25h\" exceeds the maximum of 24h"),
        (&BASE.replace("down_after = \"3s\"", "down_after = -5"), "t.toml:6:14: master.down_after: negative duration -5"),
        (&BASE.replace("replica_of = \"127.0.0.1:6382\"", "replica_of = \"redis-1\""), "t.toml:14:14: redis[1].replica_of: unknown data node \"redis-1\" (known: redis-6382, redis-6383)"),
        (&BASE.replace("replica_of = \"127.0.0.1:6382\"", "replica_of = \"sentinel-5000\""), "redis[1].replica_of: \"sentinel-5000\" is a sentinel; a data node is needed here"),
        (&BASE.replace("addr = \"127.0.0.1:6383\"", "addr = \"127.0.0.1:6382\""), "t.toml:13:8: redis[1].addr: duplicate name \"redis-6382\" (already used by redis[0]) (set `name` to tell them apart)"),
        (&BASE.replace("addr = \"127.0.0.1:6383\"", "addr = \"127.0.0.1:6382\"\nname = \"b\""), "t.toml:13:8: redis[1].addr: duplicate address \"127.0.0.1:6382\" (already used by redis[0])"),
        (&BASE.replace("addr = \"127.0.0.1:5001\"", "addr = \"localhost:5001\""), "sentinel[1].addr: invalid address \"localhost:5001\""),
        (&BASE.replace("addr = \"127.0.0.1:5001\"", "addr = \"127.0.0.1:70000\""), "sentinel[1].addr: invalid address \"127.0.0.1:70000\": the port must be 1..65535"),
        (&BASE.replace("replica_of = \"127.0.0.1:6382\"", ""), "t.toml:4:1: master.node: several data nodes start as masters (redis-6382, redis-6383)"),
        (&with("settle = \"2m\""), "t.toml:21:1: sentinel[1].settle: unknown field `settle`"),
        (&format!("settle = \"2m\"\n{BASE}"), "t.toml:1:10: settle: settle 2m exceeds the duration 1m"),
        (&with("[[timeline]]\nat = \"10s\"\naction = \"explode\"\nnode = \"redis-6382\""), "t.toml:23:10: timeline[0].action: unknown action \"explode\" (known: kill, restart,"),
        (&with("[[timeline]]\nat = \"10s\"\naction = \"kill\""), "t.toml:21:1: timeline[0].node: missing field `node` for action \"kill\""),
        (&with("[[timeline]]\nat = \"10s\"\naction = \"kill\"\nnode = \"redis-6382\"\nvia = \"sentinel-5000\""), "t.toml:25:7: timeline[0].via: field `via` does not apply to action \"kill\" (it takes: node)"),
        (&with("[[timeline]]\nat = \"10s\"\naction = \"heal\"\nnode = \"redis-6382\""), "timeline[0].node: field `node` does not apply to action \"heal\" (it takes: no fields)"),
        (&with("[[timeline]]\nat = \"10s\"\naction = \"kill\"\nnode = \"redis-6382\"\nbogus = 1"), "t.toml:25:1: timeline[0].bogus: unknown field `bogus`"),
        (&with("[[timeline]]\nat = \"1m\"\naction = \"heal\""), "t.toml:22:6: timeline[0].at: 1m is not before the end of the run (duration 1m)"),
        (&with("[[timeline]]\nat = \"10s\"\naction = \"partition\"\ngroups = [[\"redis-6382\"], [\"redis-6383\", \"sentinel-5000\"]]"), "timeline[0].groups: every node must be in exactly one group; not placed: sentinel-5001"),
        (&with("[[timeline]]\nat = \"10s\"\naction = \"partition\"\ngroups = [[\"redis-6382\"], [\"redis-6382\", \"*\"]]"), "timeline[0].groups[1][0]: redis-6382 is in group 0 and group 1: groups must not overlap"),
        (&with("[[timeline]]\nat = \"10s\"\naction = \"partition\"\ngroups = [[\"redis-6382\", \"*\"]]"), "timeline[0].groups: a partition needs at least two groups"),
        (&with("[[timeline]]\nat = \"10s\"\naction = \"partition\"\ngroups = [[\"x\"], [\"*\"]]"), "timeline[0].groups[0][0]: unknown node \"x\""),
        (&with("[[timeline]]\nat = \"10s\"\naction = \"replicaof\"\nnode = \"sentinel-5000\"\nmaster = \"no one\""), "timeline[0].node: \"sentinel-5000\" is a sentinel; a data node is needed here"),
        (&with("[[timeline]]\nat = \"10s\"\naction = \"restart\"\nnode = \"sentinel-5000\"\nwipe = true"), "timeline[0].wipe: wipe applies to data nodes only"),
        (&with("[[timeline]]\nat = \"10s\"\naction = \"kill_on\"\nevent = \"+selected-slave\"\ntarget = \"replica\""), "timeline[0].target: must be \"emitter\" (the Sentinel that emits the event) or \"subject\" (the instance it is about)"),
        (&with("[[timeline]]\nat = \"10s\"\naction = \"loss\"\nrate = 1.5"), "timeline[0].rate: loss rate 1.5 must be within 0..=1"),
        (&with("[[timeline]]\nat = \"10s\"\naction = \"latency\"\nmin = \"50ms\"\nmax = \"5ms\""), "timeline[0].max: max 5ms is below min 50ms"),
        (&with("[[timeline]]\nat = \"10s\"\naction = \"latency\"\nmin = \"5ms\"\nmax = \"50ms\"\nfrom = [\"sentinel-5000\"]"), "t.toml:26:8: timeline[0].to: `from` needs `to`"),
        (&with("[[timeline]]\nat = \"10s\"\naction = \"loss\"\nrate = 0.1\nto = [\"redis-6382\"]"), "t.toml:25:6: timeline[0].from: `to` needs `from`"),
        (&with("[[timeline]]\nat = \"10s\"\naction = \"loss\"\nrate = 0.1\nnodes = [\"redis-6382\"]\nfrom = [\"sentinel-5000\"]\nto = [\"redis-6382\"]"), "t.toml:25:9: timeline[0].nodes: use either `nodes` or `from` and `to`, not both"),
        (&with("[[timeline]]\nat = \"10s\"\naction = \"loss\"\nrate = 0.1\nfrom = [\"sentinel-5000\"]\nto = [\"sentinel-5000\"]"), "t.toml:26:6: timeline[0].to: sentinel-5000 is in both `from` and `to`"),
        (&with("[[timeline]]\nat = \"10s\"\naction = \"latency\"\nmin = \"5ms\"\nmax = \"50ms\"\nfrom = [\"nope\"]\nto = [\"redis-6382\"]"), "timeline[0].from[0]: unknown node \"nope\""),
        (&with("[[timeline]]\nat = \"10s\"\naction = \"clock_jump\"\nnode = \"redis-6382\"\nby = \"3s\"\n[[timeline]]\nat = \"5s\"\naction = \"clock_skew\"\nnode = \"redis-6382\"\noffset = \"~3s\""), "t.toml:30:10: timeline[1].offset: invalid duration \"~3s\""),
        (&with("[[timeline]]\nat = \"10s\"\naction = \"clock_strobe\"\nnode = \"redis-6382\"\namplitude = \"3s\"\nperiod = \"200ms\"\nduration = \"55s\""), "timeline[0].duration: the strobe ends at 1m5s, after the end of the run (1m)"),
        (&with("[[timeline]]\nat = \"10s\"\naction = \"sentinel_set\"\nvia = \"sentinel-5000\"\noption = \"down-after\"\nvalue = 5000"), "timeline[0].option: unknown SENTINEL SET option \"down-after\""),
        (&with("[[timeline]]\nat = \"10s\"\naction = \"random_faults\"\nevery = \"10s\"\nheal_after = \"10s\""), "timeline[0].heal_after: must be shorter than `every`"),
        (&with("[[timeline]]\nat = \"10s\"\naction = \"random_faults\"\nevery = \"10s\"\nheal_after = \"5s\"\nkinds = [\"kill\", \"meteor\"]"), "timeline[0].kinds[1]: unknown fault kind \"meteor\""),
        (&with("[[timeline]]\nat = \"10s\"\naction = \"pause\"\nnode = \"redis-6382\"\n[[timeline]]\nat = \"12s\"\naction = \"pause\"\nnode = \"127.0.0.1:6382\""), "t.toml:27:10: timeline[1].action: pause at 12.000s: redis-6382 is already paused (since 10.000s)"),
        (&with("[[timeline]]\nat = \"10s\"\naction = \"kill\"\nnode = \"sentinel-5000\"\n[[timeline]]\nat = \"12s\"\naction = \"failover\"\nvia = \"sentinel-5000\""), "t.toml:28:7: timeline[1].via: sentinel-5000 is down at 12.000s (killed at 10.000s)"),
        (&with("[[timeline]]\nat = \"10s\"\naction = \"kill\"\nnode = \"redis-6382\"\n[[timeline]]\nat = \"11s\"\naction = \"kill\"\nnode = \"redis-6382\""), "timeline[1].action: kill at 11.000s: redis-6382 is already down (killed at 10.000s)"),
        (&with("[[client]]\nmode = \"sticky\""), "t.toml:21:1: client[0].node: a sticky client needs `node`"),
        (&with("[[client]]\nnode = \"redis-6382\""), "client[0].node: a sentinel-mode client finds the master through the sentinels"),
        (&with("[[client]]\nmode = \"sticky\"\nnode = \"sentinel-5000\""), "client[0].node: \"sentinel-5000\" is a sentinel; a data node is needed here"),
        (&with("[[client]]\nstart = \"10s\"\nstop = \"5s\""), "client[0].stop: must be after start"),
        (&with("[[client]]\nname = \"redis-6382\""), "client[0].name: duplicate name \"redis-6382\" (already used by redis[0])"),
        (&with("[expect]\nfinal_master = \"redis-6382\"\npromoted = [\"redis-6383\"]"), "t.toml:22:16: expect.final_master: redis-6382 is not in expect.promoted"),
        (&with("[expect]\nnever_promoted = [\"sentinel-5000\"]"), "expect.never_promoted[0]: \"sentinel-5000\" is a sentinel"),
        (&with("[expect]\nmin_epoch = 3\nmax_epoch = 2"), "expect.min_epoch: 3 is above the maximum 2"),
        (&with("[expect]\nseen = [\"convert-to-slave\"]"), "expect.seen[0]: \"convert-to-slave\" is not a Sentinel event name"),
        (&with("[expect]\nmax_detection = \"5 s\""), "t.toml:22:17: expect.max_detection: invalid duration \"5 s\""),
        (&with("[expect]\nfailover = \"yes\""), "t.toml:22:12: expect.failover: invalid type: string \"yes\", expected a boolean"),
        ("duration = \"60s\"\n[master]\nquorum = 1\n", "redis: at least one [[redis]] data node is needed"),
        ("duration = \"60s\n", "t.toml:1:16: duration: invalid basic string"),
        ("[master\n", "t.toml:1:"),
        ("", "t.toml:1:1: duration: missing field `duration`"),
    ];
    let mut bad = Vec::new();
    for (text, want) in cases {
        let err = parse_err(text);
        if !err.contains(want) {
            bad.push(format!("\n got: {err}\nwant: {want}"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn kill_on_takes_an_optional_target() {
    let text = "[[timeline]]\nat = \"10s\"\naction = \"kill_on\"\nevent = \"+failover-state-wait-promotion\"";
    let s = scenario::parse(&with(text), "t.toml").unwrap();
    let emitter = sim::scenario::KillTarget::Emitter;
    assert!(matches!(&s.timeline[0].action, Action::KillOn { target, .. } if *target == emitter));
    let s = scenario::parse(&with(&format!("{text}\ntarget = \"subject\"")), "t.toml").unwrap();
    let subject = sim::scenario::KillTarget::Subject;
    assert!(matches!(&s.timeline[0].action, Action::KillOn { target, .. } if *target == subject));
    // Written back only when it is not the default, and it round-trips.
    let again = scenario::parse(&to_toml(&s), "t.toml").unwrap();
    assert_eq!(again.timeline, s.timeline);
}

#[test]
fn partitions_expand_the_rest() {
    let s = scenario::parse(
        &with("[[timeline]]\nat = \"10s\"\naction = \"partition\"\ngroups = [[\"127.0.0.1:6382\", \"sentinel-5000\"], [\"*\"]]\n[[timeline]]\nat = \"20s\"\naction = \"heal\""),
        "t.toml",
    )
    .unwrap();
    assert_eq!(
        s.timeline[0].action,
        Action::Partition {
            groups: vec![
                vec!["redis-6382".into(), "sentinel-5000".into()],
                vec!["redis-6383".into(), "sentinel-5001".into()]
            ]
        }
    );
    assert_eq!(
        s.timeline[0].action.trace_line(&s),
        "partition 127.0.0.1:6382,127.0.0.1:5000 | 127.0.0.1:6383,127.0.0.1:5001"
    );
}

#[test]
fn timeline_is_sorted_stably_and_defaults_apply() {
    let s = scenario::parse(
        &with(concat!(
            "[[timeline]]\nat = \"20s\"\naction = \"resume\"\nnode = \"redis-6383\"\n",
            "[[timeline]]\nat = 10000\naction = \"pause\"\nnode = \"redis-6383\"\n",
            "[[timeline]]\nat = \"10s\"\naction = \"clock_jump\"\nnode = \"redis-6383\"\nby = \"-3s\"\n",
            "[[timeline]]\nat = \"30s\"\naction = \"random_faults\"\nevery = \"10s\"\nheal_after = \"5s\"\n",
            "[[timeline]]\nat = \"12s\"\naction = \"sentinel_set\"\nvia = \"sentinel-5001\"\noption = \"QUORUM\"\nvalue = 1\n",
            "[[timeline]]\nat = \"13s\"\naction = \"replicaof\"\nnode = \"redis-6383\"\nmaster = \"NO ONE\"\n",
            "[[client]]\nmode = \"sticky\"\nnode = \"127.0.0.1:6382\"\nnear = \"sentinel-5000\"\n",
            "[[client]]\n",
        )),
        "dir/soak.toml",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.name, "soak");
    let kinds: Vec<ActionKind> = s.timeline.iter().map(|t| t.action.kind()).collect();
    assert_eq!(
        kinds,
        [
            ActionKind::Pause,
            ActionKind::ClockJump,
            ActionKind::SentinelSet,
            ActionKind::Replicaof,
            ActionKind::Resume,
            ActionKind::RandomFaults
        ]
    );
    assert_eq!(
        s.timeline[2].action,
        Action::SentinelSet {
            via: "sentinel-5001".into(),
            option: "quorum".into(),
            value: "1".into()
        }
    );
    assert_eq!(
        s.timeline[3].action,
        Action::Replicaof {
            node: "redis-6383".into(),
            master: None
        }
    );
    assert_eq!(
        s.timeline[5].action,
        Action::RandomFaults {
            every_ms: 10_000,
            heal_after_ms: 5_000,
            kinds: FaultKind::DEFAULT.to_vec(),
            until_ms: 60_000
        }
    );
    assert_eq!(s.last_action_ms(), Some(60_000));
    assert!(!s.settles());
    assert_eq!(
        s.clients,
        [
            Client {
                name: "client-1".into(),
                mode: ClientMode::Sticky,
                node: Some("redis-6382".into()),
                rate: 10,
                timeout_ms: 1_000,
                start_ms: 0,
                stop_ms: 60_000,
                near: Some("sentinel-5000".into())
            },
            Client {
                name: "client-2".into(),
                mode: ClientMode::Sentinel,
                node: None,
                rate: 10,
                timeout_ms: 1_000,
                start_ms: 0,
                stop_ms: 60_000,
                near: None
            }
        ]
    );
    assert_eq!(s.process_names().len(), 6);
    let json = serde_json::to_string(&s).unwrap();
    assert!(
        json.contains(r#"{"at_ms":13000,"action":"replicaof","node":"redis-6383","master":null}"#),
        "{json}"
    );
    assert_eq!(scenario::parse(&to_toml(&s), "x.toml"), Ok(s));
}

// ---------------------------------------------------------------------------------------------
// Round trip over generated scenarios
// ---------------------------------------------------------------------------------------------

fn story() -> impl Strategy<Value = String> {
    proptest::collection::vec("[ -~\té]{0,30}", 0..6).prop_map(|lines| {
        let s = lines.join("\n");
        // A story is at least one non-empty line or nothing (an all-blank block reads back empty).
        if s.trim().is_empty() {
            String::new()
        } else {
            s
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn to_toml_round_trips(
        choices in proptest::collection::vec(any::<u32>(), 0..400),
        story in story(),
        texts in proptest::collection::vec("[ -~é]{1,20}", 1..4),
    ) {
        let mut g = Gen { v: choices, i: 0 };
        let s = scenario_gen::build(&mut g, story, texts);
        let text = to_toml(&s);
        match scenario::parse(&text, "gen.toml") {
            Ok(back) => prop_assert_eq!(back, s, "text:\n{}", text),
            Err(e) => prop_assert!(false, "{}\ntext:\n{}", e, text),
        }
    }

    #[test]
    fn random_text_never_panics(text in "\\PC{0,300}") {
        let _ = scenario::parse(&text, "r.toml");
    }

    #[test]
    fn toml_like_text_never_panics(text in "[\\[\\]a-z_=\"0-9 \n.#,{}:-]{0,400}") {
        if let Err(e) = scenario::parse(&text, "r.toml") {
            prop_assert!(e.to_string().starts_with("r.toml:"));
        }
    }

    #[test]
    fn mutated_examples_never_panic(
        file in 0usize..4,
        edits in proptest::collection::vec((0usize..4, any::<prop::sample::Index>(), any::<prop::sample::Index>(), "[ -~\n]{0,12}"), 1..5),
    ) {
        let names = ["master_kill.toml", "master_kill_and_return.toml", "manual_failover.toml", "replica_priority.toml"];
        let mut text = std::fs::read_to_string(scenarios_dir().join(names[file])).unwrap();
        for (op, a, b, ins) in edits {
            let len = text.len();
            let mut i = a.index(len + 1);
            while !text.is_char_boundary(i) { i -= 1; }
            let mut j = (i + b.index(40)).min(len);
            while !text.is_char_boundary(j) { j -= 1; }
            match op {
                0 => text.replace_range(i..j, ""),                 // delete a range
                1 => text.insert_str(i, &ins),                     // insert junk
                2 => text.replace_range(i..j, &ins),               // overwrite
                _ => { let dup = text[i..j].to_string(); text.insert_str(j, &dup); } // duplicate
            }
        }
        match scenario::parse(&text, names[file]) {
            Ok(s) => {
                // Whatever parsed must still round-trip.
                prop_assert_eq!(scenario::parse(&to_toml(&s), "x.toml"), Ok(s));
            }
            Err(e) => {
                let msg = e.to_string();
                prop_assert!(msg.starts_with(names[file]), "{}", msg);
            }
        }
    }
}

#[test]
fn a_plan_is_bounded_in_actions() {
    // Six random_faults of 100 000 faults each (a fault and its undo: 1.2 M actions).
    let mut text = String::from(
        "duration = \"210s\"\n[master]\nquorum = 1\n[[redis]]\naddr = \"127.0.0.1:6382\"\n[[sentinel]]\naddr = \"127.0.0.1:5000\"\n",
    );
    for _ in 0..6 {
        text.push_str(
            "[[timeline]]\nat = \"10s\"\naction = \"random_faults\"\nevery = \"2ms\"\nheal_after = \"1ms\"\nkinds = [\"pause\"]\nuntil = \"210s\"\n",
        );
    }
    let s = scenario::parse(&text, "many.toml").unwrap_or_else(|e| panic!("{e}"));
    let err = sim::plan::plan(&s, 1).unwrap_err();
    assert!(err.contains("more than 1000000 actions"), "{err}");
}
