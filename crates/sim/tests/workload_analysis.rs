//! The lost-write analysis over hand-built histories and traces (no runtime).

mod common;

use std::collections::BTreeMap;

use common::*;
use sim::report::{WindowStats, WriteErrors};
use sim::workload::{analyze, describe, keys_to_check, ErrorKind, History, Op, Outcome, Window, Windows};

fn op(client: &str, n: u64, complete_ms: u64, outcome: Outcome) -> Op {
    Op {
        client: client.to_string(),
        key: format!("w:{client}:{n}"),
        value: n.to_string(),
        invoke_ms: complete_ms.saturating_sub(5),
        complete_ms,
        outcome,
        node: Some("127.0.0.1:6382".into()),
        detail: None,
    }
}

fn surviving(ops: &[&Op]) -> BTreeMap<String, String> {
    ops.iter().map(|o| (o.key.clone(), o.value.clone())).collect()
}

const W: Windows = Windows {
    fault_ms: Some(10_000),
    heal_ms: Some(40_000),
    demotion_ms: Some(41_000),
};

#[test]
fn empty_history() {
    let w = analyze(&[], &BTreeMap::new(), &W, &BTreeMap::new());
    assert_eq!(w.acknowledged, 0);
    assert_eq!(w.lost, 0);
    assert_eq!(w.lost_pct, 0.0);
    assert_eq!(w.unknown, 0);
    assert!(w.clients.is_empty());
    assert_eq!(
        (w.fault_ms, w.heal_ms, w.demotion_ms),
        (Some(10_000), Some(40_000), Some(41_000))
    );
    assert_eq!(
        describe(&w)[0],
        "writes: 0 acknowledged, 0 lost (0.00%), 0 lost after heal, 0 unknown; errors: readonly 0 noreplicas 0 connection 0 other 0"
    );
}

#[test]
fn lost_writes_in_each_window() {
    let ops = vec![
        op("c1", 0, 5_000, Outcome::Ok),  // before, kept
        op("c1", 1, 9_999, Outcome::Ok),  // before, lost
        op("c1", 2, 10_000, Outcome::Ok), // during (the fault's own ms), lost
        op("c1", 3, 20_000, Outcome::Ok), // during, lost
        op("c1", 4, 30_000, Outcome::Ok), // during, kept
        op("c1", 5, 40_000, Outcome::Ok), // after heal before demotion, lost
        op("c1", 6, 40_999, Outcome::Ok), // after heal before demotion, kept
        op("c1", 7, 41_000, Outcome::Ok), // after, lost
        op("c1", 8, 50_000, Outcome::Ok), // after, kept
    ];
    let kept = surviving(&[&ops[0], &ops[4], &ops[6], &ops[8]]);
    let w = analyze(&ops, &kept, &W, &BTreeMap::new());
    assert_eq!(w.acknowledged, 9);
    assert_eq!(w.lost, 5);
    assert!((w.lost_pct - 500.0 / 9.0).abs() < 1e-9);
    assert_eq!(w.lost_after_heal, 2);
    assert_eq!(
        w.windows.before,
        WindowStats {
            acknowledged: 2,
            lost: 1
        }
    );
    assert_eq!(
        w.windows.during,
        WindowStats {
            acknowledged: 3,
            lost: 2
        }
    );
    assert_eq!(
        w.windows.after_heal_before_demotion,
        WindowStats {
            acknowledged: 2,
            lost: 1
        }
    );
    assert_eq!(
        w.windows.after,
        WindowStats {
            acknowledged: 2,
            lost: 1
        }
    );
    let lines = describe(&w);
    assert_eq!(
        lines[0],
        "writes: 9 acknowledged, 5 lost (55.56%), 2 lost after heal, 0 unknown; errors: readonly 0 noreplicas 0 connection 0 other 0"
    );
    assert_eq!(
        lines[1],
        "  lost/acknowledged: before 1/2, during 2/3, after heal before demotion 1/2, after 1/2 (fault 10.000s, heal 40.000s, demotion 41.000s)"
    );
    assert_eq!(lines[2], "  unavailable (no acknowledged write): none");
    assert_eq!(lines.len(), 3, "one client: no per-client lines");
}

#[test]
fn unknown_is_never_lost_and_errors_are_counted_by_kind() {
    let ops = vec![
        op("c1", 0, 20_000, Outcome::Unknown),
        op("c1", 1, 20_100, Outcome::Fail(ErrorKind::Readonly)),
        op("c1", 2, 20_200, Outcome::Fail(ErrorKind::Noreplicas)),
        op("c1", 3, 20_300, Outcome::Fail(ErrorKind::Connection)),
        op("c1", 4, 20_400, Outcome::Fail(ErrorKind::Loading)),
        op("c1", 5, 20_500, Outcome::Fail(ErrorKind::Masterdown)),
        op("c1", 6, 20_600, Outcome::Fail(ErrorKind::NotMaster)),
        op("c1", 7, 20_700, Outcome::Fail(ErrorKind::Other)),
        op("c1", 8, 20_800, Outcome::Fail(ErrorKind::Readonly)),
    ];
    // Nothing survived: still nothing is lost, since nothing was acknowledged.
    let w = analyze(&ops, &BTreeMap::new(), &W, &BTreeMap::new());
    assert_eq!(w.acknowledged, 0);
    assert_eq!(w.lost, 0);
    assert_eq!(w.lost_pct, 0.0);
    assert_eq!(w.unknown, 1);
    assert_eq!(
        w.errors,
        WriteErrors {
            readonly: 2,
            noreplicas: 1,
            connection: 1,
            other: 4
        }
    );
    assert_eq!(w.clients.len(), 1);
    assert_eq!(w.clients[0].ops, 9);
    assert_eq!(w.clients[0].errors, w.errors);
}

#[test]
fn a_different_value_counts_as_lost() {
    let ops = vec![op("c1", 0, 1_000, Outcome::Ok), op("c1", 1, 2_000, Outcome::Ok)];
    let mut kept = surviving(&[&ops[0], &ops[1]]);
    kept.insert("w:c1:1".into(), "something else".into());
    let w = analyze(&ops, &kept, &Windows::default(), &BTreeMap::new());
    assert_eq!((w.acknowledged, w.lost), (2, 1));
    assert_eq!(
        w.windows.before,
        WindowStats {
            acknowledged: 2,
            lost: 1
        }
    );
    assert_eq!(w.lost_after_heal, 0, "no heal, nothing after it");
}

#[test]
fn per_client_breakdown_in_name_order() {
    let ops = vec![
        op("sticky", 0, 15_000, Outcome::Ok),
        op("aware", 0, 15_000, Outcome::Ok),
        op("sticky", 1, 16_000, Outcome::Ok),
        op("aware", 1, 16_000, Outcome::Fail(ErrorKind::Connection)),
    ];
    let kept = surviving(&[&ops[1]]);
    let w = analyze(&ops, &kept, &W, &BTreeMap::new());
    let names: Vec<&str> = w.clients.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["aware", "sticky"]);
    assert_eq!((w.clients[0].acknowledged, w.clients[0].lost), (1, 0));
    assert_eq!((w.clients[1].acknowledged, w.clients[1].lost), (2, 2));
    let lines = describe(&w);
    assert_eq!(lines.len(), 7, "{lines:#?}");
    assert_eq!(
        lines[2],
        "  unavailable (no acknowledged write): 1 window, 0.005s in total; p50 0.005s, p99 0.005s, max 0.005s (1 open at the stop)"
    );
    assert_eq!(
        lines[4],
        "  aware unavailable: 1 window, 0.005s in total; p50 0.005s, p99 0.005s, max 0.005s (1 open at the stop)"
    );
    assert_eq!(
        lines[5],
        "  sticky: 2 ops, 2 acknowledged, 2 lost (100.00%), 0 unknown; errors: readonly 0 noreplicas 0 connection 0 other 0"
    );
    assert_eq!(lines[6], "  sticky unavailable: none");
}

#[test]
fn window_edges_without_heal_or_demotion() {
    let no_fault = Windows::default();
    assert_eq!(no_fault.of(99_999), Window::Before);
    let no_heal = Windows {
        fault_ms: Some(10),
        heal_ms: None,
        demotion_ms: None,
    };
    assert_eq!(no_heal.of(9), Window::Before);
    assert_eq!(no_heal.of(10), Window::During);
    assert_eq!(no_heal.of(1_000_000), Window::During);
    assert!(!no_heal.after_heal(1_000_000));
    let no_demotion = Windows {
        fault_ms: Some(10),
        heal_ms: Some(20),
        demotion_ms: None,
    };
    assert_eq!(no_demotion.of(20), Window::After);
    assert!(no_demotion.after_heal(20));
}

#[test]
fn keys_to_check_are_the_acknowledged_ones() {
    let h = History::new();
    h.record(op("c", 0, 1, Outcome::Ok));
    h.record(op("c", 1, 2, Outcome::Unknown));
    h.record(op("c", 2, 3, Outcome::Fail(ErrorKind::Readonly)));
    h.record(op("c", 3, 4, Outcome::Ok));
    let clone = h.clone();
    assert_eq!(clone.len(), 4);
    assert_eq!(keys_to_check(&h.snapshot()), ["w:c:0", "w:c:3"]);
}

#[test]
fn windows_from_a_kill_and_return_trace() {
    let s = load("master_kill_and_return.toml");
    // The real failover (kill at 10s), then the old master comes back at 30s and is converted.
    let mut tr = kill9_trace();
    tr.push(action(30_000, "restart 127.0.0.1:6382"));
    tr.push(data(30_001, "redis-6382", "Ready to accept connections"));
    tr.push(sev(
        31_200,
        "sentinel-5001",
        "+convert-to-slave",
        "slave 127.0.0.1:6382 127.0.0.1 6382 @ mymaster 127.0.0.1 6383",
        Ev::default(),
    ));
    tr.push(data(
        31_210,
        "redis-6382",
        "Before turning into a replica, using my own master parameters to synthesize a cached master: I may be able to synchronize with the new master with just a partial transfer.",
    ));
    let w = Windows::from_trace(&s, &tr);
    assert_eq!(
        w,
        Windows {
            fault_ms: Some(10_000),
            heal_ms: Some(30_000),
            demotion_ms: Some(31_200)
        }
    );
    // A data-node demotion line alone also marks the demotion.
    let mut tr2 = kill9_trace();
    tr2.push(action(30_000, "restart 127.0.0.1:6382"));
    tr2.push(data(
        31_500,
        "redis-6382",
        "Before turning into a replica, using my own master parameters to synthesize a cached master: I may be able to synchronize with the new master with just a partial transfer.",
    ));
    assert_eq!(Windows::from_trace(&s, &tr2).demotion_ms, Some(31_500));
    // Without a heal: no heal, no demotion window.
    let w = Windows::from_trace(&s, &kill9_trace());
    assert_eq!((w.fault_ms, w.heal_ms, w.demotion_ms), (Some(10_000), None, None));
    // Without any action: no windows at all.
    assert_eq!(Windows::from_trace(&s, &[]), Windows::default());
}
