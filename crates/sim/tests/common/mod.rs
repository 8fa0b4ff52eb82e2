//! Hand-built traces mirroring the real Redis 7.0.15 run in
//! shared/reference/real-sentinel/example-failover-kill9 (master 6382 killed, 6383 promoted by
//! sentinel 5000 in epoch 1), shifted so that the kill happens at 10s.
#![allow(dead_code)]

use std::path::PathBuf;

use sentinel_core::CandidateView;
use sim::checks::{self, CheckResult};
use sim::scenario::Action;
use sim::scenario::{self, Scenario};
use sim::trace::{
    DataFinal, DebugProbe, EventBody, Fact, FinalState, Kind, Level, ProcState, Sent, SentinelEvent, SentinelFinal,
    TraceEvent, WireMsg, WorldNote,
};

pub const ID0: &str = "db6678da4a0a430810dd6269fd9b66593c4647ce"; // sentinel-5000
pub const ID1: &str = "ffcd3aa7decc99ff04d94c199105a59953167fbb"; // sentinel-5001
pub const ID2: &str = "6ae8e6b9b763973264b237444e1f578da11c680f"; // sentinel-5002

pub fn scenarios_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
}

/// The bundled scenarios' names (file stems), sorted.
pub fn bundled_scenarios() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(scenarios_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

pub fn load(name: &str) -> Scenario {
    let p = scenarios_dir().join(name);
    scenario::load(&p).unwrap_or_else(|e| panic!("{e}"))
}

pub fn id_of(node: &str) -> &'static str {
    match node {
        "sentinel-5000" => ID0,
        "sentinel-5001" => ID1,
        _ => ID2,
    }
}

/// Real time of day in the log (seconds after 08:03:00, e.g. 57.440) → simulated ms with the kill
/// (first replica noticing at 54.373) at 10s.
pub fn t(log_secs: f64) -> u64 {
    (10_000.0 + (log_secs - 54.373) * 1000.0).round() as u64
}

pub struct Ev {
    pub current_epoch: u64,
    pub config_epoch: u64,
    pub failover_epoch: u64,
    pub master: Option<&'static str>,
    pub candidate: Option<CandidateView>,
    pub tilt: bool,
}

impl Default for Ev {
    fn default() -> Self {
        Ev {
            current_epoch: 0,
            config_epoch: 0,
            failover_epoch: 0,
            master: Some("mymaster"),
            candidate: None,
            tilt: false,
        }
    }
}

/// A Sentinel line as it would be logged (`name payload`, or the payload alone for a log-only
/// line), with `e` as its debug probe.
pub fn sev(t_ms: u64, node: &str, name: &str, payload: &str, e: Ev) -> TraceEvent {
    let line = if name.is_empty() {
        payload.to_string()
    } else {
        format!("{name} {payload}")
    };
    let body = EventBody::parse(&line).unwrap_or_else(|err| panic!("{line:?}: {err:?}"));
    let level = body.kind().map_or(Level::Warning, |k| k.level());
    TraceEvent {
        t_ms,
        node: node.to_string(),
        kind: Kind::Sentinel(SentinelEvent {
            level,
            body,
            probe: Some(DebugProbe {
                myid: id_of(node).to_string(),
                current_epoch: e.current_epoch,
                master: e.master.map(str::to_string),
                config_epoch: e.config_epoch,
                failover_epoch: e.failover_epoch,
                candidate: e.candidate,
                tilt: e.tilt,
            }),
        }),
    }
}

/// `Sentinel ID is <id>`: what a Sentinel logs when it starts.
pub fn boot(t_ms: u64, node: &str, e: Ev) -> TraceEvent {
    sev(t_ms, node, "", &format!("Sentinel ID is {}", id_of(node)), e)
}

/// A timeline action as the world records it: typed, with its line. `line` is one of the forms
/// the tests use: `kill ADDR`, `restart ADDR`, `SENTINEL FAILOVER <master> (via ADDR)`.
pub fn action(t_ms: u64, line: &str) -> TraceEvent {
    let words: Vec<&str> = line.split_whitespace().collect();
    let action = match words.as_slice() {
        ["kill", node] => Action::Kill { node: node.to_string() },
        ["restart", node] => Action::Restart {
            node: node.to_string(),
            wipe: false,
        },
        ["SENTINEL", "FAILOVER", _, "(via", via] => Action::Failover {
            via: via.trim_end_matches(')').to_string(),
        },
        _ => panic!("no typed form for the test action {line:?}"),
    };
    TraceEvent {
        t_ms,
        node: "world".to_string(),
        kind: Kind::Action {
            note: WorldNote::Timeline { action },
            line: line.to_string(),
        },
    }
}

pub fn data(t_ms: u64, node: &str, line: &str) -> TraceEvent {
    TraceEvent {
        t_ms,
        node: node.to_string(),
        kind: Kind::Data { line: line.to_string() },
    }
}

const M: &str = "master mymaster 127.0.0.1 6382";
const S83: &str = "slave 127.0.0.1:6383 127.0.0.1 6383 @ mymaster 127.0.0.1 6382";
const S84: &str = "slave 127.0.0.1:6384 127.0.0.1 6384 @ mymaster 127.0.0.1 6382";

fn e0() -> Ev {
    Ev::default()
}
fn e1() -> Ev {
    Ev {
        current_epoch: 1,
        ..Ev::default()
    }
}
fn fe1() -> Ev {
    Ev {
        current_epoch: 1,
        failover_epoch: 1,
        ..Ev::default()
    }
}
fn c1() -> Ev {
    Ev {
        current_epoch: 1,
        config_epoch: 1,
        ..Ev::default()
    }
}

/// The kill -9 failover as the real Sentinels logged it (startup events included).
pub fn kill9_trace() -> Vec<TraceEvent> {
    [
        kill9_startup(),
        kill9_detection(),
        kill9_election(),
        kill9_promotion(),
        kill9_reconfiguration(),
    ]
    .concat()
}

/// The Sentinels start, find the replicas and each other; 6383 has synced before the kill.
fn kill9_startup() -> Vec<TraceEvent> {
    let mut v = Vec::new();
    for (i, node) in ["sentinel-5000", "sentinel-5001", "sentinel-5002"].iter().enumerate() {
        let base = 845 + 30 * i as u64;
        v.push(boot(base - 1, node, e0()));
        v.push(sev(
            base,
            node,
            "+monitor",
            "master mymaster 127.0.0.1 6382 quorum 2",
            e0(),
        ));
        v.push(sev(base + 1, node, "+slave", S83, e0()));
        v.push(sev(base + 3, node, "+slave", S84, e0()));
    }
    v.push(sev(
        2925,
        "sentinel-5000",
        "+sentinel",
        &format!("sentinel {ID1} 127.0.0.1 5001 @ mymaster 127.0.0.1 6382"),
        e0(),
    ));
    v.push(sev(
        2930,
        "sentinel-5001",
        "+sentinel",
        &format!("sentinel {ID0} 127.0.0.1 5000 @ mymaster 127.0.0.1 6382"),
        e0(),
    ));
    v.push(data(
        5787,
        "redis-6383",
        "MASTER <-> REPLICA sync: Finished with success",
    ));
    v
}

/// The kill at 10 s: every Sentinel sees the master down, 5000 first reaches ODOWN.
fn kill9_detection() -> Vec<TraceEvent> {
    vec![
        action(10_000, "kill 127.0.0.1:6382"),
        data(10_000, "redis-6383", "Connection with master lost."),
        sev(t(57.436), "sentinel-5002", "+sdown", M, e0()),
        sev(t(57.440), "sentinel-5000", "+sdown", M, e0()),
        sev(t(57.451), "sentinel-5001", "+sdown", M, e0()),
        sev(t(57.499), "sentinel-5000", "+odown", &format!("{M} #quorum 2/2"), e0()),
    ]
}

/// Epoch 1: 5000 asks for votes, gets them all, and is elected leader.
fn kill9_election() -> Vec<TraceEvent> {
    vec![
        sev(
            t(57.499),
            "sentinel-5000",
            "+new-epoch",
            "1",
            Ev { master: None, ..e1() },
        ),
        sev(t(57.499), "sentinel-5000", "+try-failover", M, fe1()),
        sev(
            t(57.502),
            "sentinel-5000",
            "+vote-for-leader",
            &format!("{ID0} 1"),
            fe1(),
        ),
        sev(
            t(57.506),
            "sentinel-5002",
            "+new-epoch",
            "1",
            Ev { master: None, ..e1() },
        ),
        sev(
            t(57.509),
            "sentinel-5002",
            "+vote-for-leader",
            &format!("{ID0} 1"),
            fe1(),
        ),
        sev(
            t(57.509),
            "sentinel-5000",
            "",
            &format!("{ID2} voted for {ID0} 1"),
            fe1(),
        ),
        sev(
            t(57.509),
            "sentinel-5001",
            "+new-epoch",
            "1",
            Ev { master: None, ..e1() },
        ),
        sev(
            t(57.511),
            "sentinel-5001",
            "+vote-for-leader",
            &format!("{ID0} 1"),
            fe1(),
        ),
        sev(
            t(57.511),
            "sentinel-5000",
            "",
            &format!("{ID1} voted for {ID0} 1"),
            fe1(),
        ),
        sev(t(57.518), "sentinel-5001", "+odown", &format!("{M} #quorum 3/2"), e1()),
        sev(t(57.561), "sentinel-5000", "+elected-leader", M, fe1()),
    ]
}

/// 5000 picks 6383, sends it REPLICAOF NO ONE, and sees it promoted.
fn kill9_promotion() -> Vec<TraceEvent> {
    let cand = CandidateView {
        addr: "127.0.0.1:6383".into(),
        s_down: false,
        o_down: false,
        disconnected: false,
        priority: 100,
    };
    vec![
        sev(t(57.561), "sentinel-5000", "+failover-state-select-slave", M, fe1()),
        sev(
            t(57.617),
            "sentinel-5000",
            "+selected-slave",
            S83,
            Ev {
                candidate: Some(cand),
                ..fe1()
            },
        ),
        sev(
            t(57.618),
            "sentinel-5000",
            "+failover-state-send-slaveof-noone",
            S83,
            fe1(),
        ),
        sev(t(57.674), "sentinel-5000", "+failover-state-wait-promotion", S83, fe1()),
        data(
            t(57.674),
            "redis-6383",
            "MASTER MODE enabled (user request from 'id=3 addr=127.0.0.1:59556')",
        ),
        sev(t(58.525), "sentinel-5002", "+odown", &format!("{M} #quorum 3/2"), e1()),
    ]
}

/// 6384 is pointed at 6383, the other Sentinels follow the new config, the failover ends.
fn kill9_reconfiguration() -> Vec<TraceEvent> {
    let pe = || Ev {
        config_epoch: 1,
        ..fe1()
    };
    let cfg = format!("sentinel {ID0} 127.0.0.1 5000 @ mymaster 127.0.0.1 6382");
    vec![
        sev(t(58.532), "sentinel-5000", "+promoted-slave", S83, pe()),
        sev(t(58.532), "sentinel-5000", "+failover-state-reconf-slaves", M, pe()),
        sev(t(58.612), "sentinel-5000", "+slave-reconf-sent", S84, pe()),
        sev(t(58.613), "sentinel-5002", "+config-update-from", &cfg, c1()),
        sev(
            t(58.613),
            "sentinel-5002",
            "+switch-master",
            "mymaster 127.0.0.1 6382 127.0.0.1 6383",
            c1(),
        ),
        sev(t(58.614), "sentinel-5001", "+config-update-from", &cfg, c1()),
        sev(
            t(58.614),
            "sentinel-5001",
            "+switch-master",
            "mymaster 127.0.0.1 6382 127.0.0.1 6383",
            c1(),
        ),
        data(
            t(58.618),
            "redis-6384",
            "MASTER <-> REPLICA sync: Finished with success",
        ),
        sev(t(59.576), "sentinel-5000", "+slave-reconf-inprog", S84, pe()),
        sev(t(59.576), "sentinel-5000", "+slave-reconf-done", S84, pe()),
        sev(t(59.677), "sentinel-5000", "-odown", M, pe()),
        sev(t(59.677), "sentinel-5000", "+failover-end", M, pe()),
        sev(
            t(59.677),
            "sentinel-5000",
            "+switch-master",
            "mymaster 127.0.0.1 6382 127.0.0.1 6383",
            pe(),
        ),
        sev(
            t(59.677),
            "sentinel-5000",
            "+slave",
            "slave 127.0.0.1:6384 127.0.0.1 6384 @ mymaster 127.0.0.1 6383",
            c1(),
        ),
        sev(
            t(59.677),
            "sentinel-5000",
            "+slave",
            "slave 127.0.0.1:6382 127.0.0.1 6382 @ mymaster 127.0.0.1 6383",
            c1(),
        ),
        sev(
            t(61.620),
            "sentinel-5001",
            "+sdown",
            "slave 127.0.0.1:6382 127.0.0.1 6382 @ mymaster 127.0.0.1 6383",
            c1(),
        ),
    ]
}

fn sentinel_final(node: &str, port: u16, master: &str, epoch: u64) -> SentinelFinal {
    SentinelFinal {
        node: node.into(),
        addr: format!("127.0.0.1:{port}"),
        alive: true,
        master_addr: Some(master.into()),
        current_epoch: Some(epoch),
        tilt: Some(false),
    }
}

pub fn data_final(node: &str, role: Option<&str>, master: Option<&str>, link: Option<bool>) -> DataFinal {
    let port = node.trim_start_matches("redis-");
    DataFinal {
        node: node.into(),
        addr: format!("127.0.0.1:{port}"),
        alive: role.is_some(),
        role: role.map(str::to_string),
        master: master.map(str::to_string),
        link_up: link,
        repl_offset: role.map(|_| 1390),
    }
}

/// After the kill -9 failover: 6382 down, 6383 master, 6384 its replica, every Sentinel agreeing.
pub fn kill9_final() -> FinalState {
    FinalState {
        sentinels: vec![
            sentinel_final("sentinel-5000", 5000, "127.0.0.1:6383", 1),
            sentinel_final("sentinel-5001", 5001, "127.0.0.1:6383", 1),
            sentinel_final("sentinel-5002", 5002, "127.0.0.1:6383", 1),
        ],
        data_nodes: vec![
            data_final("redis-6382", None, None, None),
            data_final("redis-6383", Some("master"), None, None),
            data_final("redis-6384", Some("slave"), Some("127.0.0.1:6383"), Some(true)),
        ],
    }
}

/// Finds an event index by node and name (the n-th match).
pub fn find(trace: &[TraceEvent], node: &str, name: &str, nth: usize) -> usize {
    trace
        .iter()
        .enumerate()
        .filter(|(_, e)| e.node == node && matches!(&e.kind, Kind::Sentinel(ev) if ev.name() == name))
        .nth(nth)
        .map(|(i, _)| i)
        .unwrap_or_else(|| panic!("no {name} #{nth} on {node}"))
}

/// The debug probe of a Sentinel event (to plant a bug in what the core reported).
pub fn probe_mut(e: &mut TraceEvent) -> &mut DebugProbe {
    match &mut e.kind {
        Kind::Sentinel(SentinelEvent { probe: Some(p), .. }) => p,
        _ => panic!("not a probed sentinel event"),
    }
}

/// A world fact at `t_ms`, attributed to the node it is about.
pub fn fact(t_ms: u64, f: Fact) -> TraceEvent {
    TraceEvent {
        t_ms,
        node: f.node().to_string(),
        kind: Kind::World(f),
    }
}

/// A safety message `from` → `to` as the wire tap records it.
pub fn sent(t_ms: u64, from: &str, to: &str, sent: Sent) -> TraceEvent {
    TraceEvent {
        t_ms,
        node: from.to_string(),
        kind: Kind::Wire(WireMsg {
            from: from.into(),
            to: to.into(),
            sent,
        }),
    }
}

/// The world changing a process's state.
pub fn proc(t_ms: u64, node: &str, state: ProcState) -> TraceEvent {
    fact(
        t_ms,
        Fact::Process {
            node: node.into(),
            state,
        },
    )
}

/// The invariant `name` over a hand-built `trace` (sorted by time, stably) played as `scenario`,
/// with the master_kill final state.
pub fn judge_in(
    scenario: &str,
    trace: &[TraceEvent],
    writes: Option<&sim::report::WritesSummary>,
    name: &str,
) -> CheckResult {
    let s = load(scenario);
    let mut trace = trace.to_vec();
    trace.sort_by_key(|e| e.t_ms);
    let r = checks::invariants(&s, &trace, &kill9_final(), writes);
    r.into_iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no check {name}"))
}
