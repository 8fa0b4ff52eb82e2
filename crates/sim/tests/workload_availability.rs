//! Client availability (windows without an acknowledged write) and the lanes' runs, over
//! hand-built histories (no runtime).

use std::collections::BTreeMap;

use sim::report::{Unavailability, UnavailableWindow, WriteClass, WriteRun};
use sim::workload::activity::runs;
use sim::workload::availability::{figures, unavailable_windows};
use sim::workload::{analyze, ErrorKind, Op, Outcome, Windows};

/// Operation `n` of `client`, invoked at `invoke_ms`, done 10 ms later, on `127.0.0.1:6382`.
fn op(client: &str, n: u64, invoke_ms: u64, outcome: Outcome) -> Op {
    Op {
        client: client.to_string(),
        key: format!("w:{client}:{n}"),
        value: n.to_string(),
        invoke_ms,
        complete_ms: invoke_ms + 10,
        outcome,
        node: Some("127.0.0.1:6382".into()),
        detail: None,
    }
}

/// A client's history from outcomes, one operation every 100 ms from 1 s.
fn history(client: &str, outcomes: &[Outcome]) -> Vec<Op> {
    outcomes
        .iter()
        .enumerate()
        .map(|(i, o)| op(client, i as u64, 1_000 + 100 * i as u64, *o))
        .collect()
}

fn win(start_ms: u64, end_ms: u64, open: bool) -> UnavailableWindow {
    UnavailableWindow { start_ms, end_ms, open }
}

const OK: Outcome = Outcome::Ok;
const RO: Outcome = Outcome::Fail(ErrorKind::Readonly);
const CONN: Outcome = Outcome::Fail(ErrorKind::Connection);
const UNK: Outcome = Outcome::Unknown;

#[test]
fn no_failures_no_windows() {
    let h = history("c", &[OK, OK, OK]);
    let w = unavailable_windows(&h, 60_000);
    assert!(w.is_empty());
    assert_eq!(figures(&w), Unavailability::default());
}

#[test]
fn a_failure_then_an_acknowledged_write() {
    // Fails at 1.1 s and 1.2 s; the write invoked at 1.3 s is acknowledged at 1.31 s.
    let h = history("c", &[OK, RO, CONN, OK, OK]);
    let w = unavailable_windows(&h, 60_000);
    assert_eq!(
        w,
        vec![win(1_100, 1_310, false)],
        "from the first failure's invoke to the ack's completion"
    );
    let f = figures(&w);
    assert_eq!(
        (f.count, f.total_ms, f.p50_ms, f.p99_ms, f.max_ms),
        (1, 210, 210, 210, 210)
    );
}

#[test]
fn unknown_outcomes_count_as_not_acknowledged() {
    let h = history("c", &[OK, UNK, OK]);
    assert_eq!(unavailable_windows(&h, 60_000), vec![win(1_100, 1_210, false)]);
}

#[test]
fn a_window_open_at_the_stop_ends_there() {
    let h = history("c", &[OK, OK, UNK, RO]);
    assert_eq!(unavailable_windows(&h, 5_000), vec![win(1_200, 5_000, true)]);
    // A last operation completing after the stop (waiting for its timeout) ends it instead.
    assert_eq!(unavailable_windows(&h, 1_250), vec![win(1_200, 1_310, true)]);
}

#[test]
fn failing_from_the_first_write() {
    let h = history("c", &[CONN, CONN, OK]);
    assert_eq!(unavailable_windows(&h, 60_000), vec![win(1_000, 1_210, false)]);
}

#[test]
fn several_windows_and_nearest_rank_figures() {
    // Windows of 110 ms, 210 ms, 310 ms and 410 ms.
    let h = history(
        "c",
        &[
            OK, RO, OK, OK, RO, RO, OK, OK, UNK, UNK, UNK, OK, OK, CONN, CONN, CONN, CONN, OK,
        ],
    );
    let w = unavailable_windows(&h, 60_000);
    let d: Vec<u64> = w.iter().map(UnavailableWindow::duration_ms).collect();
    assert_eq!(d, [110, 210, 310, 410]);
    assert!(w.iter().all(|w| !w.open));
    let f = figures(&w);
    assert_eq!(
        (f.count, f.total_ms, f.p50_ms, f.p99_ms, f.max_ms),
        (4, 1_040, 210, 410, 410)
    );
}

#[test]
fn a_lost_write_still_ends_a_window() {
    // The acknowledgement at 1.2 s ends the window even though that write is lost later.
    let h = history("c", &[OK, RO, OK]);
    let nothing_survived = BTreeMap::new();
    let w = analyze(&h, &nothing_survived, &Windows::default(), &BTreeMap::new());
    assert_eq!(w.lost, 2);
    assert_eq!(w.clients[0].unavailable_windows, vec![win(1_100, 1_210, false)]);
}

#[test]
fn every_client_gets_its_own_windows_and_the_run_pools_them() {
    let mut h = history("a", &[OK, RO, OK, OK]);
    h.extend(history("b", &[OK, OK, UNK, UNK]));
    h.extend(history("c", &[OK, OK, OK, OK]));
    // Completion order across clients: interleave by time, as the history records them.
    h.sort_by_key(|o| o.complete_ms);
    let stops = BTreeMap::from([("a".to_string(), 3_000), ("b".to_string(), 3_000)]);
    let w = analyze(&h, &BTreeMap::new(), &Windows::default(), &stops);
    let by = |n: &str| w.clients.iter().find(|c| c.name == n).unwrap();
    assert_eq!(by("a").unavailable_windows, vec![win(1_100, 1_210, false)]);
    assert_eq!(by("b").unavailable_windows, vec![win(1_200, 3_000, true)]);
    assert!(by("c").unavailable_windows.is_empty());
    assert_eq!((by("b").unavailable.count, by("b").unavailable.max_ms), (1, 1_800));
    let run = w.unavailable.unwrap();
    assert_eq!((run.count, run.total_ms, run.max_ms), (2, 1_910, 1_800));
}

#[test]
fn runs_split_by_outcome_and_node() {
    let mut h = history("c", &[OK, OK, OK, RO, RO, CONN, UNK, OK, OK]);
    for o in &mut h[7..] {
        o.node = Some("127.0.0.1:6383".into());
    }
    h[5].node = None;
    // Keys 0 and 7 and 8 survived; 1 and 2 are lost.
    let kept: BTreeMap<String, String> = [0, 7, 8]
        .iter()
        .map(|&i| (h[i].key.clone(), h[i].value.clone()))
        .collect();
    let r = runs(&h, &kept);
    let got: Vec<(u64, u64, Option<&str>, WriteClass, u64)> = r
        .iter()
        .map(|x: &WriteRun| (x.from_ms, x.to_ms, x.node.as_deref(), x.outcome, x.writes))
        .collect();
    let m = Some("127.0.0.1:6382");
    assert_eq!(
        got,
        vec![
            (1_000, 1_010, m, WriteClass::Ok, 1),
            (1_100, 1_210, m, WriteClass::Lost, 2),
            (1_300, 1_410, m, WriteClass::Readonly, 2),
            (1_500, 1_510, None, WriteClass::Connection, 1),
            (1_600, 1_610, m, WriteClass::Unknown, 1),
            (1_700, 1_810, Some("127.0.0.1:6383"), WriteClass::Ok, 2),
        ]
    );
    let w = analyze(&h, &kept, &Windows::default(), &BTreeMap::new());
    assert_eq!(w.clients[0].activity, r);
}
