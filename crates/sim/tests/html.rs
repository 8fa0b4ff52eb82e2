//! The HTML timeline of a run (`sim::report::html`): built from the committed results JSON of a real run
//! and from hand-built reports with partitions, pauses, clock faults, client writes and hostile
//! text; in the simulation build also from fresh runs of the bundled scenarios.
// `..Default::default()` on Timeline keeps these tests compiling when it gains fields.
#![allow(clippy::needless_update)]

use sim::checks::{CheckResult, SwitchMark, Timeline};
use sim::report::html::{self, Health, LaneKind, MarkKind, State, WindowKind};
use sim::report::{
    ClientWrites, EventKind, EventLine, RunReport, Unavailability, UnavailableWindow, WriteClass, WriteRun,
    WritesSummary,
};
use sim::scenario::Action;
use sim::trace::{DataFinal, EventBody, FinalState, Level, SentinelFinal, WorldNote};
use std::path::PathBuf;

/// A report read back from a results JSON (the committed example predates client workloads, so
/// `writes` is absent there and reads as None). It was written with schema 2; schema 3 only added
/// fields under `writes`, with defaults, so it still reads.
fn report_from_json(text: &str) -> RunReport {
    let r: RunReport = serde_json::from_str(text).expect("results JSON");
    assert_eq!(r.schema, 2, "the committed example's schema");
    assert_eq!(sim::report::SCHEMA, 3, "this test knows the current schema");
    r
}

fn golden() -> RunReport {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../sim-results/examples/master_kill-seed-1.json");
    report_from_json(&std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
}

/// With `SIM_HTML_OUT=<dir>` the pages are also written there (to look at them).
fn keep(r: &RunReport) {
    if let Ok(dir) = std::env::var("SIM_HTML_OUT") {
        html::write_html(std::path::Path::new(&dir), r).unwrap();
    }
}

fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

/// The `<g class="lane ...">` group of a node, up to its end.
fn lane_svg<'a>(page: &'a str, node: &str) -> &'a str {
    let key = format!("data-node=\"{node}\"");
    let at = page.find(&key).unwrap_or_else(|| panic!("no lane for {node}"));
    let start = page[..at].rfind("<g class=\"lane ").unwrap();
    let end = page[at..].find("</g>\n").unwrap() + at;
    &page[start..end]
}

fn check_row(c: &CheckResult, group: &str) -> String {
    let (cls, tag) = if c.ok { ("pass", "PASS") } else { ("fail", "FAIL") };
    format!(
        "<tr class=\"{cls}\"><td class=\"tag\">{tag}</td><td class=\"name\">{}</td><td class=\"grp\">{group}</td><td class=\"detail\">{}</td></tr>",
        html::escape(&c.name),
        html::escape(&c.detail)
    )
}

// ---------------------------------------------------------------------------------------------
// A real run: the committed master_kill seed 1
// ---------------------------------------------------------------------------------------------

#[test]
fn real_run_has_a_lane_per_process_and_reads_the_failover() {
    let r = golden();
    let c = html::chart(&r);
    lanes_cover_every_event(&r, &c);
    data_lanes_follow_the_failover(&r, &c);
    sentinels_switch_once(&r, &c);
    leader_led_the_failover(&r, &c);
    kill_is_marked(&c);
}

/// One lane per process (after the world's), every event drawn on exactly one of them.
fn lanes_cover_every_event(r: &RunReport, c: &html::Chart) {
    let names: Vec<(&str, LaneKind)> = c.lanes.iter().map(|l| (l.name.as_str(), l.kind)).collect();
    assert_eq!(
        names,
        [
            ("world", LaneKind::World),
            ("redis-6382", LaneKind::Data),
            ("redis-6383", LaneKind::Data),
            ("redis-6384", LaneKind::Data),
            ("sentinel-5000", LaneKind::Sentinel),
            ("sentinel-5001", LaneKind::Sentinel),
            ("sentinel-5002", LaneKind::Sentinel),
        ]
    );
    assert_eq!(c.end_ms, 60_000);
    // Every event is drawn on exactly one lane.
    let mut all: Vec<usize> = c.lanes.iter().flat_map(|l| l.events.clone()).collect();
    all.sort();
    assert_eq!(all, (0..r.events.len()).collect::<Vec<_>>());
}

/// The old master goes down at the kill, redis-6383 becomes master, redis-6384 follows it.
fn data_lanes_follow_the_failover(r: &RunReport, c: &html::Chart) {
    // The old master: master until the kill at 10s, then down to the end.
    let old = c.lane("redis-6382").unwrap();
    let states: Vec<(u64, u64, &State)> = old.segments.iter().map(|s| (s.from_ms, s.to_ms, &s.state)).collect();
    assert_eq!(states, [(1, 10_000, &State::Master), (10_000, 60_000, &State::Down)]);
    // The promoted replica: replica of redis-6382 (link down at first, up after the full sync),
    // master from MASTER MODE enabled to the end.
    let promoted = c.lane("redis-6383").unwrap();
    let mode = r
        .events
        .iter()
        .find(|e| e.node == "redis-6383" && e.line.starts_with("MASTER MODE enabled"))
        .unwrap()
        .t_ms;
    let last = promoted.segments.last().unwrap();
    assert_eq!((last.from_ms, last.to_ms, &last.state), (mode, 60_000, &State::Master));
    assert!(promoted.segments.iter().any(|s| s.state
        == State::Replica {
            of: "redis-6382".into(),
            link_up: true
        }
        && s.to_ms == 10_000));
    // The other replica ends following the new master with its link up.
    let other = c.lane("redis-6384").unwrap();
    assert_eq!(
        other.segments.last().unwrap().state,
        State::Replica {
            of: "redis-6383".into(),
            link_up: true
        }
    );
    // Consecutive segments never repeat a state and never overlap.
    for l in &c.lanes {
        for w in l.segments.windows(2) {
            assert!(w[0].to_ms <= w[1].from_ms, "{}: {w:?}", l.name);
            assert!(
                !(w[0].state == w[1].state && w[0].to_ms == w[1].from_ms),
                "{}: {w:?}",
                l.name
            );
        }
    }
}

/// Sentinels: SDOWN of redis-6382 before the switch, then following redis-6383.
fn sentinels_switch_once(r: &RunReport, c: &html::Chart) {
    for m in &r.timeline.switches {
        let lane = c.lane(&m.node).unwrap();
        let at = r.timeline.fault_at_ms.unwrap() + m.t_ms;
        let sw: Vec<&html::Mark> = lane.marks.iter().filter(|k| k.kind == MarkKind::Switch).collect();
        assert_eq!(sw.len(), 1, "{}", m.node);
        assert_eq!(sw[0].t_ms, at);
        assert_eq!(sw[0].label, "⇒ redis-6383");
        assert!(lane.segments.iter().any(|s| s.state
            == State::Watching {
                master: Some("redis-6382".into()),
                health: Health::Sdown
            }
            && s.to_ms <= at));
        assert_eq!(
            lane.segments.last().unwrap().state,
            State::Watching {
                master: Some("redis-6383".into()),
                health: Health::Ok
            }
        );
    }
}

/// The leader reached ODOWN and was elected in epoch 1, and led the failover.
fn leader_led_the_failover(r: &RunReport, c: &html::Chart) {
    let leader = c.lane("sentinel-5000").unwrap();
    assert!(leader.segments.iter().any(|s| matches!(
        s.state,
        State::Watching {
            health: Health::Odown,
            ..
        }
    )));
    let elected: Vec<&html::Mark> = leader.marks.iter().filter(|m| m.kind == MarkKind::Leader).collect();
    assert_eq!(elected.len(), 1);
    assert_eq!(elected[0].label, "★ leader e1");
    assert_eq!(elected[0].t_ms, 10_000 + r.timeline.elected_ms.unwrap());
    let fo: Vec<&html::Window> = leader
        .windows
        .iter()
        .filter(|w| w.kind == WindowKind::Failover)
        .collect();
    assert_eq!(fo.len(), 1, "{:?}", leader.windows);
    assert!(fo[0].from_ms < elected[0].t_ms && !fo[0].open_at_end);
}

/// The kill is marked on the world lane and on the killed node's lane.
fn kill_is_marked(c: &html::Chart) {
    let old = c.lane("redis-6382").unwrap();
    assert!(c.lanes[0]
        .marks
        .iter()
        .any(|m| m.line == "kill 127.0.0.1:6382" && m.label == "kill redis-6382"));
    assert!(old.marks.iter().any(|m| m.kind == MarkKind::Action && m.t_ms == 10_000));
}

#[test]
fn real_run_page_shows_lanes_marks_checks_and_every_line() {
    let r = golden();
    let page = html::render(&r);
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.ends_with("</html>\n"));
    // Self-contained: nothing fetched from anywhere.
    for bad in ["http://", "https://", "src=", "<link", "@import", "url(http"] {
        assert!(!page.contains(bad), "{bad}");
    }
    assert!(page.contains("<span class=\"badge ok\">OK</span>"));
    assert!(page.contains(&format!("<code>{}</code>", r.trace_hash)));
    assert!(page.contains(&html::escape(&r.timeline.describe())));
    assert!(
        page.contains("<tr><th>kill→+sdown</th><td>3.063s</td></tr>"),
        "timeline numbers"
    );
    assert!(page.contains("<tr><th>kill→+elected-leader</th><td>3.209s (epoch 1)</td></tr>"));
    assert!(page.contains("<tr><th>new master</th><td>redis-6383 (127.0.0.1:6383)</td></tr>"));
    for p in [
        "redis-6382",
        "redis-6383",
        "redis-6384",
        "sentinel-5000",
        "sentinel-5001",
        "sentinel-5002",
    ] {
        let lane = lane_svg(&page, p);
        assert!(lane.contains("<rect"), "{p}");
    }
    // Three +switch-master marks (one per Sentinel) with their line on hover.
    assert_eq!(count(&page, "<g class=\"mark switch\">"), 3);
    assert!(
        page.contains("<title>14.213s sentinel-5002: +switch-master mymaster 127.0.0.1 6382 127.0.0.1 6383</title>")
    );
    assert!(lane_svg(&page, "sentinel-5000").contains("★ leader e1"));
    assert!(lane_svg(&page, "redis-6382")
        .contains("<g class=\"seg down\"><title>redis-6382: down from 10.000s to 60.000s (50s)</title>"));
    // Every check, with PASS/FAIL and its detail.
    for c in &r.invariants {
        assert!(page.contains(&check_row(c, "invariant")), "{}", c.name);
    }
    for c in &r.expectations {
        assert!(page.contains(&check_row(c, "expectation")), "{}", c.name);
    }
    // Every event line in the list, with its time and node; actions highlighted.
    assert_eq!(count(&page, "<tr class=\"k-"), r.events.len());
    for e in &r.events {
        assert!(
            page.contains(&format!("<td>{}</td><td>", html::escape(&e.node)))
                && page.contains(&format!("<td class=\"x\">{}</td></tr>", html::escape(&e.line))),
            "{e:?}"
        );
    }
    assert!(page.contains(
        "<tr class=\"k-a\" data-t=\"10000\" data-l=\"0\"><td class=\"t\">10.000</td><td>world</td><td>action</td><td class=\"x\">kill 127.0.0.1:6382</td></tr>"
    ));
    assert!(page.contains("#events tr.k-a{background:#fff8c5"));
    // The same report renders to the same bytes; the wall time is not shown.
    assert_eq!(page, html::render(&r));
    let mut other_wall = r.clone();
    other_wall.wall_ms = 999_999;
    other_wall.sim_speed = 0.5;
    assert_eq!(page, html::render(&other_wall));
}

#[test]
fn write_html_goes_next_to_the_json() {
    let r = golden();
    let dir = std::env::temp_dir().join(format!("sim-html-test-{}", std::process::id()));
    let p = html::write_html(&dir, &r).unwrap();
    assert_eq!(p, dir.join("master_kill").join("seed-1.html"));
    assert_eq!(std::fs::read_to_string(&p).unwrap(), html::render(&r));
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------------------------------------
// Hand-built: faults, TILT, writes, hostile text
// ---------------------------------------------------------------------------------------------

fn ev(t_ms: u64, node: &str, kind: EventKind, line: &str) -> EventLine {
    let event = match kind {
        EventKind::Sentinel | EventKind::SentinelLog => EventBody::parse(line).ok(),
        _ => None,
    };
    EventLine {
        t_ms,
        node: node.into(),
        kind,
        line: line.into(),
        level: event.as_ref().map(|b| b.kind().map_or(Level::Warning, |k| k.level())),
        event,
        action: (kind == EventKind::Action).then(|| WorldNote::Timeline {
            action: action_of(line),
        }),
        world: None,
        wire: None,
    }
}

/// The typed action the world records with each action line the tests use.
fn action_of(line: &str) -> Action {
    let list = |s: &str| s.split(',').map(|n| n.trim().to_string()).collect::<Vec<_>>();
    let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
    let node = rest.split_whitespace().next().unwrap_or("").to_string();
    match word {
        "heal" => Action::Heal,
        "kill" => Action::Kill { node },
        "restart" => Action::Restart { node, wipe: false },
        "pause" => Action::Pause { node },
        "resume" => Action::Resume { node },
        "isolate" => Action::Isolate { node },
        "clock_reset" => Action::ClockReset { node },
        "clock_jump" => Action::ClockJump { node, by_ms: 10_000 },
        "partition" => Action::Partition {
            groups: rest.split('|').map(list).collect(),
        },
        "partition_oneway" => {
            let (from, to) = rest.split_once("->").unwrap();
            Action::PartitionOneway {
                from: list(from),
                to: list(to),
            }
        }
        _ => panic!("no typed form for the test action {line:?}"),
    }
}

/// A hand-built report: a partition in which the minority side fails over (a split brain), then
/// an isolation, a pause, a one-way partition, a clock jump with TILT, a Sentinel restart and
/// client writes; checks fail and the text is hostile.
fn faults_report() -> RunReport {
    RunReport {
        schema: 2,
        scenario: "faults<b>&".into(),
        seed: 42,
        trace_hash: "0123456789abcdef".into(),
        ok: false,
        sim_ms: 60_000,
        wall_ms: 12,
        sim_speed: 5000.0,
        timeline: faults_timeline(),
        invariants: vec![
            CheckResult::pass("one-leader-per-epoch", "epoch 1: leader sentinel-5001"),
            CheckResult::fail("one-master", "two masters: redis-6382 <old> & redis-6383"),
        ],
        expectations: vec![CheckResult::fail("max_lost_writes = 0", "1 lost > 0")],
        events: [partition_and_failover_events(), later_fault_events()].concat(),
        final_state: faults_final_state(),
        writes: Some(WritesSummary {
            acknowledged: 1234,
            lost: 17,
            lost_pct: 1.3776,
            lost_after_heal: 3,
            unknown: 5,
            ..Default::default()
        }),
    }
}

/// Startup, then a partition at 10 s in which sentinel-5001 promotes redis-6383.
fn partition_and_failover_events() -> Vec<EventLine> {
    use EventKind::*;
    vec![
        ev(1, "redis-6382", Data, "Running mode=standalone, port=6382."),
        ev(1, "redis-6383", Data, "Running mode=standalone, port=6383."),
        ev(1, "redis-6383", Data, "Connecting to MASTER 127.0.0.1:6382"),
        ev(
            1000,
            "sentinel-5000",
            Sentinel,
            "+monitor master mymaster 127.0.0.1 6382 quorum 1",
        ),
        ev(
            1000,
            "sentinel-5001",
            Sentinel,
            "+monitor master mymaster 127.0.0.1 6382 quorum 1",
        ),
        ev(
            5000,
            "redis-6383",
            Data,
            "MASTER <-> REPLICA sync: Finished with success",
        ),
        ev(
            10_000,
            "world",
            Action,
            "partition 127.0.0.1:6382,127.0.0.1:5000 | 127.0.0.1:6383,127.0.0.1:5001",
        ),
        ev(10_000, "redis-6383", Data, "Connection with master lost."),
        ev(
            13_000,
            "sentinel-5001",
            Sentinel,
            "+sdown master mymaster 127.0.0.1 6382",
        ),
        ev(
            13_000,
            "sentinel-5001",
            Sentinel,
            "+odown master mymaster 127.0.0.1 6382 #quorum 1/1",
        ),
        ev(13_000, "sentinel-5001", Sentinel, "+new-epoch 1"),
        ev(
            13_000,
            "sentinel-5001",
            Sentinel,
            "+try-failover master mymaster 127.0.0.1 6382",
        ),
        ev(
            13_100,
            "sentinel-5001",
            Sentinel,
            "+elected-leader master mymaster 127.0.0.1 6382",
        ),
        ev(
            13_500,
            "redis-6383",
            Data,
            "MASTER MODE enabled (user request from 'id=8 name=<script>')",
        ),
        ev(
            14_000,
            "sentinel-5001",
            Sentinel,
            "+failover-end master mymaster 127.0.0.1 6382",
        ),
        ev(
            14_000,
            "sentinel-5001",
            Sentinel,
            "+switch-master mymaster 127.0.0.1 6382 127.0.0.1 6383",
        ),
    ]
}

/// From the heal at 20 s: isolate, pause, one-way partition, clock jump and TILT, a Sentinel's kill and
/// restart, client writes, and a line with hostile text.
fn later_fault_events() -> Vec<EventLine> {
    use EventKind::*;
    vec![
        ev(20_000, "world", Action, "heal"),
        ev(21_000, "world", Action, "isolate 127.0.0.1:5000"),
        ev(22_000, "world", Action, "pause 127.0.0.1:6382"),
        ev(25_000, "world", Action, "resume 127.0.0.1:6382"),
        ev(26_000, "world", Action, "heal"),
        ev(
            27_000,
            "world",
            Action,
            "partition_oneway 127.0.0.1:6382 -> 127.0.0.1:5000,127.0.0.1:5001",
        ),
        ev(28_000, "world", Action, "clock_jump 127.0.0.1:5000 +10s"),
        ev(28_010, "sentinel-5000", Sentinel, "+tilt #tilt mode entered"),
        ev(28_500, "sentinel-5000", Sentinel, "+tilt #tilt mode entered"),
        ev(30_000, "world", Action, "clock_reset 127.0.0.1:5000"),
        ev(31_000, "world", Action, "kill 127.0.0.1:5001"),
        ev(33_000, "world", Action, "restart 127.0.0.1:5001"),
        ev(
            33_001,
            "sentinel-5001",
            Sentinel,
            "+monitor master mymaster 127.0.0.1 6383 quorum 1",
        ),
        ev(35_000, "client-1", Data, "SET k1 1: OK"),
        ev(
            35_100,
            "client-1",
            Data,
            "SET k2 2: -READONLY You can't write against a read only replica.",
        ),
        ev(35_200, "client-1", Data, "SET k1 1: acknowledged but lost"),
        ev(40_000, "world", Action, "heal"),
        ev(58_010, "sentinel-5000", Sentinel, "-tilt #tilt mode exited"),
        ev(
            59_000,
            "sentinel-5000",
            SentinelLog,
            "<script>alert(1)</script> & \"quotes\" 'single'",
        ),
    ]
}

fn faults_timeline() -> Timeline {
    Timeline {
        fault_at_ms: Some(10_000),
        fault: Some("partition 127.0.0.1:6382,127.0.0.1:5000 | 127.0.0.1:6383,127.0.0.1:5001".into()),
        sdown_ms: Some(3_000),
        odown_ms: Some(3_000),
        elected_ms: Some(3_100),
        failover_epoch: Some(1),
        first_switch_ms: Some(4_000),
        last_switch_ms: None,
        switches: vec![SwitchMark {
            node: "sentinel-5001".into(),
            t_ms: 4_000,
        }],
        new_master: Some("127.0.0.1:6383".into()),
        ..Default::default()
    }
}

/// Two masters at the end: sentinel-5000 still on redis-6382, sentinel-5001 on redis-6383.
fn faults_final_state() -> FinalState {
    FinalState {
        sentinels: vec![
            SentinelFinal {
                node: "sentinel-5000".into(),
                addr: "127.0.0.1:5000".into(),
                alive: true,
                master_addr: Some("127.0.0.1:6382".into()),
                current_epoch: Some(0),
                tilt: Some(false),
            },
            SentinelFinal {
                node: "sentinel-5001".into(),
                addr: "127.0.0.1:5001".into(),
                alive: true,
                master_addr: Some("127.0.0.1:6383".into()),
                current_epoch: Some(1),
                tilt: Some(false),
            },
        ],
        data_nodes: vec![
            DataFinal {
                node: "redis-6382".into(),
                addr: "127.0.0.1:6382".into(),
                alive: true,
                role: Some("master".into()),
                master: None,
                link_up: None,
                repl_offset: Some(100),
            },
            DataFinal {
                node: "redis-6383".into(),
                addr: "127.0.0.1:6383".into(),
                alive: true,
                role: Some("master".into()),
                master: None,
                link_up: None,
                repl_offset: Some(90),
            },
        ],
    }
}

#[test]
fn partitions_pauses_clock_faults_and_tilt_are_shaded_on_their_lanes() {
    let r = faults_report();
    let c = html::chart(&r);
    let names: Vec<&str> = c.lanes.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "world",
            "redis-6382",
            "redis-6383",
            "sentinel-5000",
            "sentinel-5001",
            "client-1"
        ]
    );
    assert_eq!(c.lane("client-1").unwrap().kind, LaneKind::Client);
    // Client operations as marks.
    let kinds: Vec<MarkKind> = c.lane("client-1").unwrap().marks.iter().map(|m| m.kind).collect();
    assert_eq!(kinds, [MarkKind::WriteOk, MarkKind::WriteError, MarkKind::WriteLost]);
    partition_sides_are_shaded(&c);
    other_faults_are_shaded(&c);
    split_brain_failover_is_drawn(&c);

    // On the page: the partition shading on each affected lane, with its meaning on hover.
    let page = html::render(&r);
    for n in ["redis-6382", "sentinel-5000"] {
        assert!(
            lane_svg(&page, n).contains("<g class=\"win partition p0\"><title>"),
            "{n}"
        );
    }
    for n in ["redis-6383", "sentinel-5001"] {
        assert!(
            lane_svg(&page, n).contains("<g class=\"win partition p1\"><title>"),
            "{n}"
        );
    }
    assert!(!lane_svg(&page, "client-1").contains("partition"));
    assert!(page.contains(
        "<title>redis-6383: partition side B (redis-6383, sentinel-5001), cut off from redis-6382, sentinel-5000 from 10.000s to 20.000s (10s)</title>"
    ));
    assert!(lane_svg(&page, "redis-6382").contains("<g class=\"win paused\">"));
    assert!(lane_svg(&page, "sentinel-5000").contains("<g class=\"win tilt\">"));
    assert!(lane_svg(&page, "sentinel-5000").contains("<g class=\"win clock\">"));
    assert!(lane_svg(&page, "client-1").contains("<g class=\"mark w-lost\">"));
}

/// The windows of `node`'s lane whose kind passes `pred`, as (from, to).
fn wins(c: &html::Chart, node: &str, pred: &dyn Fn(WindowKind) -> bool) -> Vec<(u64, u64)> {
    c.lane(node)
        .unwrap()
        .windows
        .iter()
        .filter(|w| pred(w.kind))
        .map(|w| (w.from_ms, w.to_ms))
        .collect()
}

fn is_partition(k: WindowKind) -> bool {
    matches!(k, WindowKind::Partition { .. })
}

/// Both sides of the partition, 10s..20s (the heal), each lane knowing its side.
fn partition_sides_are_shaded(c: &html::Chart) {
    for n in ["redis-6382", "redis-6383", "sentinel-5000", "sentinel-5001"] {
        assert_eq!(wins(c, n, &is_partition), [(10_000, 20_000)], "{n}");
    }
    let side = |n: &str| {
        c.lane(n)
            .unwrap()
            .windows
            .iter()
            .find_map(|w| match w.kind {
                WindowKind::Partition { side, sides } => Some((side, sides)),
                _ => None,
            })
            .unwrap()
    };
    assert_eq!(side("redis-6382"), (0, 2));
    assert_eq!(side("sentinel-5000"), (0, 2));
    assert_eq!(side("redis-6383"), (1, 2));
    let w = c
        .lane("redis-6382")
        .unwrap()
        .windows
        .iter()
        .find(|w| is_partition(w.kind))
        .unwrap();
    assert_eq!(
        w.label,
        "partition side A (redis-6382, sentinel-5000), cut off from redis-6383, sentinel-5001"
    );
}

/// isolate, partition_oneway, pause, clock_jump and TILT: each on its lanes, and the cuts on the
/// world lane.
fn other_faults_are_shaded(c: &html::Chart) {
    // isolate: only that lane; ended by the heal at 26s.
    assert_eq!(
        wins(c, "sentinel-5000", &|k| k == WindowKind::Isolated),
        [(21_000, 26_000)]
    );
    assert!(wins(c, "sentinel-5001", &|k| k == WindowKind::Isolated).is_empty());
    // partition_oneway: out on the sender, in on the receivers, until the heal at 40s.
    assert_eq!(
        wins(c, "redis-6382", &|k| k == WindowKind::OnewayOut),
        [(27_000, 40_000)]
    );
    assert_eq!(
        wins(c, "sentinel-5001", &|k| k == WindowKind::OnewayIn),
        [(27_000, 40_000)]
    );
    // The world lane: every cut in force.
    assert_eq!(
        wins(c, "world", &|k| k == WindowKind::NetPartition),
        [(10_000, 20_000), (21_000, 26_000), (27_000, 40_000)]
    );
    // pause / resume.
    assert_eq!(wins(c, "redis-6382", &|k| k == WindowKind::Paused), [(22_000, 25_000)]);
    // clock_jump until clock_reset, with marks; TILT from the first +tilt to -tilt (a second
    // +tilt inside does not start another window).
    assert_eq!(
        wins(c, "sentinel-5000", &|k| k == WindowKind::Clock),
        [(28_000, 30_000)]
    );
    let clock: Vec<&str> = c
        .lane("sentinel-5000")
        .unwrap()
        .marks
        .iter()
        .filter(|m| m.kind == MarkKind::Clock)
        .map(|m| m.label.as_str())
        .collect();
    assert_eq!(clock, ["jump +10s", "clock reset"]);
    assert_eq!(wins(c, "sentinel-5000", &|k| k == WindowKind::Tilt), [(28_010, 58_010)]);
}

/// The failover sentinel-5001 led in the minority, its restart, and redis-6383 becoming a second
/// master.
fn split_brain_failover_is_drawn(c: &html::Chart) {
    // The failover sentinel-5001 led, and its down window (kill → restart).
    assert_eq!(
        wins(c, "sentinel-5001", &|k| k == WindowKind::Failover),
        [(13_000, 14_000)]
    );
    let s1 = c.lane("sentinel-5001").unwrap();
    assert!(s1
        .segments
        .iter()
        .any(|s| (s.from_ms, s.to_ms, &s.state) == (31_000, 33_000, &State::Down)));
    assert_eq!(
        s1.segments.last().unwrap().state,
        State::Watching {
            master: Some("redis-6383".into()),
            health: Health::Ok
        }
    );
    // ODOWN from 13s to the switch at 14s.
    assert!(s1.segments.iter().any(|s| (s.from_ms, s.to_ms, &s.state)
        == (
            13_000,
            14_000,
            &State::Watching {
                master: Some("redis-6382".into()),
                health: Health::Odown
            }
        )));
    // The replica lost its link at the partition, then became master: the split brain is visible
    // as two master lanes at once.
    let r3: Vec<(u64, u64, State)> = c
        .lane("redis-6383")
        .unwrap()
        .segments
        .iter()
        .map(|s| (s.from_ms, s.to_ms, s.state.clone()))
        .collect();
    assert_eq!(
        r3,
        [
            (
                1,
                5_000,
                State::Replica {
                    of: "redis-6382".into(),
                    link_up: false
                }
            ),
            (
                5_000,
                10_000,
                State::Replica {
                    of: "redis-6382".into(),
                    link_up: true
                }
            ),
            (
                10_000,
                13_500,
                State::Replica {
                    of: "redis-6382".into(),
                    link_up: false
                }
            ),
            (13_500, 60_000, State::Master),
        ]
    );
}

/// One run of a client's writes.
fn write_run(from_ms: u64, to_ms: u64, node: Option<&str>, outcome: WriteClass, writes: u64) -> WriteRun {
    WriteRun {
        from_ms,
        to_ms,
        node: node.map(str::to_string),
        outcome,
        writes,
    }
}

/// The faults report with a workload client `app` that wrote to redis-6382, lost some writes in
/// the split brain, was refused, then wrote to redis-6383.
fn report_with_a_client() -> RunReport {
    let mut r = faults_report();
    let (a, b) = (Some("127.0.0.1:6382"), Some("127.0.0.1:6383"));
    let windows = vec![
        UnavailableWindow {
            start_ms: 15_000,
            end_ms: 18_200,
            open: false,
        },
        UnavailableWindow {
            start_ms: 40_000,
            end_ms: 60_000,
            open: true,
        },
    ];
    let figures = Unavailability {
        count: 2,
        total_ms: 23_200,
        p50_ms: 3_200,
        p99_ms: 20_000,
        max_ms: 20_000,
    };
    let w = r.writes.as_mut().unwrap();
    w.unavailable = Some(figures);
    w.clients = vec![ClientWrites {
        name: "app".into(),
        ops: 100,
        acknowledged: 70,
        lost: 12,
        unavailable: figures,
        unavailable_windows: windows,
        activity: vec![
            write_run(1_000, 9_900, a, WriteClass::Ok, 40),
            write_run(10_000, 14_900, a, WriteClass::Lost, 12),
            write_run(15_000, 16_000, a, WriteClass::Unknown, 1),
            write_run(16_100, 17_900, None, WriteClass::Connection, 3),
            write_run(18_000, 18_200, b, WriteClass::Ok, 18),
            write_run(40_000, 59_000, b, WriteClass::Readonly, 26),
        ],
        ..Default::default()
    }];
    r
}

#[test]
fn client_lanes_show_outcomes_nodes_lost_writes_and_unavailability() {
    let r = report_with_a_client();
    keep(&r);
    let c = html::chart(&r);
    let lane = c.lane("app").expect("a lane for the workload client");
    assert_eq!(lane.kind, LaneKind::Client);
    assert_eq!(c.lanes.last().unwrap().name, "app", "clients come last");
    // Writes, with the node named as its lane is.
    let spans: Vec<(WriteClass, Option<&str>, u64)> = lane
        .writes
        .iter()
        .map(|s| (s.outcome, s.node.as_deref(), s.writes))
        .collect();
    assert_eq!(spans[1], (WriteClass::Lost, Some("redis-6382"), 12));
    assert_eq!(spans[3], (WriteClass::Connection, None, 3));
    assert_eq!(spans[4], (WriteClass::Ok, Some("redis-6383"), 18));
    // The lost writes stand out: a mark with their count.
    let lost: Vec<(u64, &str)> = lane
        .marks
        .iter()
        .filter(|m| m.kind == MarkKind::WriteLost)
        .map(|m| (m.t_ms, m.label.as_str()))
        .collect();
    assert_eq!(lost, [(10_000, "12 lost")]);
    assert_eq!(
        wins(&c, "app", &|k| k == WindowKind::Unavailable),
        [(15_000, 18_200), (40_000, 60_000)]
    );

    let page = html::render(&r);
    let svg = lane_svg(&page, "app");
    assert!(svg.contains("<g class=\"wseg wo-lost\"><title>app: 12 writes acknowledged, then LOST (not on the final master), to redis-6382, from 10.000s to 14.900s</title>"), "{svg}");
    for cls in ["wo-ok", "wo-unknown", "wo-connection", "wo-readonly"] {
        assert!(svg.contains(&format!("<g class=\"wseg {cls}\">")), "{cls}");
    }
    assert_eq!(count(svg, "<g class=\"mark w-lost\">"), 1);
    assert!(svg.contains(">12 lost</text>"));
    // The node band: redis-6382 (first data node), no node, redis-6383 (second).
    assert!(
        svg.contains(
            "<g class=\"wnode n0\"><title>app: writing to redis-6382 from 1.000s to 16.100s (53 writes)</title>"
        ),
        "{svg}"
    );
    assert!(svg.contains("<g class=\"wnode n-none\"><title>app: writing to no node"));
    assert!(
        svg.contains(
            "<g class=\"wnode n1\"><title>app: writing to redis-6383 from 18.000s to 59.000s (44 writes)</title>"
        ),
        "{svg}"
    );
    assert!(svg.contains("<g class=\"win unavail\"><title>app: no acknowledged write (still none when the client stopped) from 40.000s to 60.000s (20s)</title>"), "{svg}");
    // The legend and the per-client table in the header.
    assert!(page.contains("<span><i class=\"sw wo-lost\"></i>acknowledged, then lost ▼</span>"));
    assert!(page.contains("<tr><td>app</td><td>100</td><td>70</td><td class=\"bad\">12</td><td>0</td><td>0</td><td>2 windows</td><td>23.2s</td><td>3.2s</td><td>20s</td><td>20s</td></tr>"));
    assert!(page.contains("2 windows, 23.200s in total; p50 3.200s, p99 20.000s, max 20.000s (1 open at the stop)"));
    // Without a workload client, no client legend.
    assert!(!html::render(&faults_report()).contains("acknowledged, then lost"));
}

#[test]
fn failed_run_shows_fail_lines_and_the_writes_summary() {
    let r = faults_report();
    keep(&r);
    let page = html::render(&r);
    assert!(page.contains("<span class=\"badge failed\">FAILED</span>"));
    assert!(page.contains("1 passed, 2 failed"));
    for c in &r.invariants {
        assert!(page.contains(&check_row(c, "invariant")), "{}", c.name);
    }
    assert!(page.contains(&check_row(&r.expectations[0], "expectation")));
    assert!(page.contains(
        "<tr class=\"fail\"><td class=\"tag\">FAIL</td><td class=\"name\">one-master</td><td class=\"grp\">invariant</td><td class=\"detail\">two masters: redis-6382 &lt;old&gt; &amp; redis-6383</td></tr>"
    ));
    assert!(page.contains(
        "<b>1234</b> acknowledged · <b class=\"bad\">17</b> lost (1.38%) · 3 lost after the last heal · 5 unknown"
    ));
    assert!(page.contains("not every live Sentinel switched"));
}

#[test]
fn hostile_text_is_escaped_everywhere() {
    let r = faults_report();
    let page = html::render(&r);
    // Exactly one script element: ours.
    assert_eq!(count(&page, "<script"), 1);
    assert_eq!(count(&page, "</script>"), 1);
    assert!(!page.contains("<script>alert"));
    assert!(!page.contains("<b>&"));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot; &#39;single&#39;"));
    assert!(page.contains("<title>faults&lt;b&gt;&amp; seed 42 FAILED - sentinel-sim</title>"));
    assert!(page.contains("name=&lt;script&gt;"));
    // Node names, in attributes and text, escaped too.
    let mut r2 = faults_report();
    for e in &mut r2.events {
        if e.node == "client-1" {
            e.node = "c\"><img onerror=x>".into();
        }
    }
    let page2 = html::render(&r2);
    assert!(!page2.contains("<img"));
    assert!(page2.contains("data-node=\"c&quot;&gt;&lt;img onerror=x&gt;\""));
    assert_eq!(
        html::escape("<a href='x'>&\"</a>"),
        "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;"
    );
}

#[test]
fn output_is_deterministic_and_independent_of_wall_time() {
    let a = html::render(&faults_report());
    let mut r = faults_report();
    r.wall_ms = 1;
    r.sim_speed = 1.0;
    assert_eq!(a, html::render(&r));
    assert_eq!(a, html::render(&faults_report()));
}

#[test]
fn an_empty_report_still_renders() {
    let r = RunReport {
        schema: 2,
        scenario: String::new(),
        seed: 0,
        trace_hash: String::new(),
        ok: true,
        sim_ms: 0,
        wall_ms: 0,
        sim_speed: 0.0,
        timeline: Timeline::default(),
        invariants: vec![],
        expectations: vec![],
        events: vec![],
        final_state: FinalState::default(),
        writes: None,
    };
    let c = html::chart(&r);
    assert_eq!(c.lanes.len(), 1);
    let page = html::render(&r);
    assert!(page.contains("first fault</th><td>none"));
    assert!(page.ends_with("</html>\n"));
}

// ---------------------------------------------------------------------------------------------
// Fresh runs (simulation build): real partitions, the 10-minute soak
// ---------------------------------------------------------------------------------------------

#[cfg(madsim)]
mod sim_runs {
    use super::*;
    use sim::run::run_once;
    use sim::scenario;

    fn play(name: &str, seed: u64) -> RunReport {
        let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../../scenarios/{name}.toml"));
        let s = scenario::load(&p).unwrap_or_else(|e| panic!("{e}"));
        run_once(&s, seed).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    #[test]
    fn every_bundled_scenario_renders_with_a_lane_per_process() {
        for name in [
            "asymmetric_partition",
            "clock_drift",
            "clock_jump",
            "flaky_network",
            "lagging_replica",
            "manual_failover",
            "master_kill",
            "master_kill_and_return",
            "minority_partition",
            "pause_master",
            "replica_priority",
            "sentinel_kill",
            "slow_link",
        ] {
            let r = play(name, if name == "sentinel_kill" { 2 } else { 1 });
            keep(&r);
            let c = html::chart(&r);
            let page = html::render(&r);
            for p in r
                .final_state
                .data_nodes
                .iter()
                .map(|d| &d.node)
                .chain(r.final_state.sentinels.iter().map(|s| &s.node))
            {
                assert!(c.lane(p).is_some(), "{name}: {p}");
                assert!(page.contains(&format!("data-node=\"{p}\"")), "{name}: {p}");
            }
            let switches = r
                .events
                .iter()
                .filter(|e| e.line.starts_with("+switch-master "))
                .count();
            assert_eq!(count(&page, "<g class=\"mark switch\">"), switches, "{name}");
            // Each data node's final role as the chart ends agrees with the final state.
            for d in r.final_state.data_nodes.iter() {
                let last = &c.lane(&d.node).unwrap().segments.last().unwrap().state;
                match (d.alive, d.role.as_deref()) {
                    (false, _) => assert_eq!(*last, State::Down, "{name} {}", d.node),
                    (true, Some("master")) => assert_eq!(*last, State::Master, "{name} {}", d.node),
                    (true, Some("slave")) => {
                        assert!(matches!(last, State::Replica { .. }), "{name} {}: {last:?}", d.node)
                    }
                    _ => {}
                }
            }
            // Each live Sentinel ends following the master it names.
            for s in r.final_state.sentinels.iter().filter(|s| s.alive) {
                let last = &c.lane(&s.node).unwrap().segments.last().unwrap().state;
                let want = r
                    .final_state
                    .data_nodes
                    .iter()
                    .find(|d| Some(&d.addr) == s.master_addr.as_ref())
                    .map(|d| d.node.clone());
                assert!(
                    matches!(last, State::Watching { master, .. } if *master == want),
                    "{name} {}: {last:?} vs {want:?}",
                    s.node
                );
            }
            assert_eq!(page, html::render(&r), "{name}");
        }
    }

    #[test]
    fn split_brain_has_a_lane_per_client_with_its_lost_writes() {
        let r = play("split_brain", 1);
        keep(&r);
        let w = r.writes.clone().unwrap();
        let c = html::chart(&r);
        let page = html::render(&r);
        for cw in &w.clients {
            let lane = c.lane(&cw.name).unwrap_or_else(|| panic!("no lane for {}", cw.name));
            assert_eq!(lane.kind, LaneKind::Client);
            // Every write is drawn once; lost spans carry exactly the lost writes.
            assert_eq!(lane.writes.iter().map(|s| s.writes).sum::<u64>(), cw.ops, "{}", cw.name);
            let lost: u64 = (lane.writes.iter())
                .filter(|s| s.outcome == WriteClass::Lost)
                .map(|s| s.writes)
                .sum();
            assert_eq!(lost, cw.lost, "{}", cw.name);
            let marks = lane.marks.iter().filter(|m| m.kind == MarkKind::WriteLost).count();
            let spans = lane.writes.iter().filter(|s| s.outcome == WriteClass::Lost).count();
            assert_eq!(marks, spans, "{}", cw.name);
            let unavailable = lane
                .windows
                .iter()
                .filter(|x| x.kind == WindowKind::Unavailable)
                .count();
            assert_eq!(unavailable as u64, cw.unavailable.count, "{}", cw.name);
        }
        // The sticky app next to the old master loses writes; the Sentinel-aware one follows the
        // failover to redis-6383 and loses none.
        assert!(lane_svg(&page, "app-a").contains("<g class=\"mark w-lost\">"));
        assert!(!lane_svg(&page, "app-b").contains("<g class=\"mark w-lost\">"));
        assert!(lane_svg(&page, "app-b").contains("writing to redis-6383"));
        assert!(lane_svg(&page, "app-a").contains("<g class=\"wseg wo-readonly\">"));
        assert_eq!(page, html::render(&r));
    }

    #[test]
    fn partitions_from_real_runs_are_shaded() {
        let r = play("minority_partition", 1);
        let c = html::chart(&r);
        let iso = c.lane("sentinel-5002").unwrap();
        assert!(iso
            .windows
            .iter()
            .any(|w| w.kind == WindowKind::Isolated && (w.from_ms, w.to_ms) == (10_000, 40_000)));
        assert!(html::render(&r).contains("<g class=\"win isolated\">"));

        let r = play("asymmetric_partition", 1);
        let c = html::chart(&r);
        assert!(c
            .lane("redis-6382")
            .unwrap()
            .windows
            .iter()
            .any(|w| w.kind == WindowKind::OnewayOut && (w.from_ms, w.to_ms) == (10_000, 40_000)));
        for s in ["sentinel-5000", "sentinel-5001", "sentinel-5002"] {
            assert!(c
                .lane(s)
                .unwrap()
                .windows
                .iter()
                .any(|w| w.kind == WindowKind::OnewayIn));
        }
    }

    #[test]
    fn the_ten_minute_soak_stays_small_and_deterministic() {
        let a = play("soak", 1);
        keep(&a);
        let page = html::render(&a);
        assert!(page.len() < 3 * 1024 * 1024, "{} bytes", page.len());
        let c = html::chart(&a);
        let parts = a.events.iter().filter(|e| e.line.starts_with("partition ")).count();
        let shaded = c.lanes[0]
            .windows
            .iter()
            .filter(|w| w.kind == WindowKind::NetPartition)
            .count();
        assert_eq!(parts, shaded);
        // A second run differs in wall time only: same page.
        let b = play("soak", 1);
        assert_ne!((a.wall_ms, a.sim_speed.to_bits()), (u64::MAX, 0));
        assert_eq!(page, html::render(&b));
    }
}
