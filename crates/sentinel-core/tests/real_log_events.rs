//! Typed events against real Sentinel 7.0.15 logs (fixtures/real-logs, captured from three
//! failover runs: kill -9, SIGSTOP, SENTINEL FAILOVER): every line reads back into a typed
//! event or log-only line, and renders to the same text byte for byte.

use sentinel_core::event::{split_log_line, EventBody, EventKind};
use std::collections::BTreeSet;

fn real_log_lines() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real-logs");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures/real-logs")
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 9, "three runs of three Sentinels");
    let mut lines = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        lines.extend(text.lines().map(|l| (name.clone(), l.to_string())));
    }
    lines
}

#[test]
fn every_real_log_line_round_trips() {
    let mut kinds = BTreeSet::new();
    let mut events = 0;
    for (file, line) in real_log_lines() {
        let (level, text) = split_log_line(&line).unwrap_or_else(|| panic!("{file}: not a log line: {line}"));
        let body = EventBody::parse(text).unwrap_or_else(|e| panic!("{file}: {e}: {line}"));
        assert_eq!(body.render(), text, "{file}");
        if let Some(kind) = body.kind() {
            assert_eq!(level, kind.level(), "{file}: {line}");
            assert!(!matches!(body, EventBody::Text(_)));
            kinds.insert(kind);
            events += 1;
        }
    }
    assert!(events > 150, "{events} event lines");
    for k in [
        EventKind::SDown,
        EventKind::ODown,
        EventKind::SwitchMaster,
        EventKind::VoteForLeader,
    ] {
        assert!(kinds.contains(&k), "{k:?} in the captures");
    }
}

#[test]
fn real_log_only_lines_are_typed_where_they_have_structure() {
    let texts: Vec<String> = real_log_lines()
        .into_iter()
        .filter_map(|(_, l)| split_log_line(&l).map(|(_, t)| t.to_string()))
        .collect();
    let typed = |pred: fn(&EventBody) -> bool| texts.iter().filter(|t| pred(&EventBody::parse(t).unwrap())).count();
    assert_eq!(typed(|b| matches!(b, EventBody::SentinelId { .. })), 9);
    assert!(typed(|b| matches!(b, EventBody::VotedFor { .. })) >= 4);
    assert!(typed(|b| matches!(b, EventBody::FailoverDelay { .. })) >= 4);
    assert_eq!(typed(|b| matches!(b, EventBody::UserFailover { .. })), 1);
}

#[test]
fn pubsub_messages_read_back() {
    let payload = "master mymaster 127.0.0.1 6382 #quorum 2/2";
    let body = EventBody::from_message(EventKind::ODown, payload).unwrap();
    assert_eq!(body.payload(), payload);
    assert!(EventBody::from_message(EventKind::ODown, "master mymaster 127.0.0.1 6382").is_err());
}
