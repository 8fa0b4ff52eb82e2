//! (c) Deep nesting is an error, not a crash, and nothing recurses on the peer's depth: everything
//! here runs on a 64 KB stack, where decoding ~200 KB of `*1\r\n` recursively would overflow.

use resp::{decode_value, parse_command, CommandScanner, ReplyScanner, Value, MAX_REPLY_DEPTH};
use std::time::{Duration, Instant};

const SMALL_STACK_BYTES: usize = 64 * 1024;

fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(SMALL_STACK_BYTES)
        .spawn(f)
        .unwrap()
        .join()
        .expect("ran out of stack or panicked");
}

fn nested(depth: usize, leaf: &[u8]) -> Vec<u8> {
    let mut bytes = b"*1\r\n".repeat(depth);
    bytes.extend_from_slice(leaf);
    bytes
}

#[test]
fn deep_nesting_is_an_error_on_a_small_stack() {
    on_small_stack(|| {
        let bomb = b"*1\r\n".repeat(200 * 1024 / 4);
        let e = decode_value(&bomb).unwrap_err();
        assert!(e.0.contains("deeper than"), "{e}");
        // The same bytes sent to a server are a bad command, not a crash.
        assert_eq!(parse_command(&bomb).unwrap_err().0, "expected '$', got '*'");
        let mut scanner = ReplyScanner::new();
        assert!(scanner.scan(&bomb).is_err());
    });
}

#[test]
fn depth_at_the_limit_decodes_and_one_more_fails() {
    on_small_stack(|| {
        let at_limit = nested(MAX_REPLY_DEPTH, b"$2\r\nhi\r\n");
        let (v, used) = decode_value(&at_limit).unwrap().unwrap();
        assert_eq!(used, at_limit.len());
        let mut want = Value::bulk("hi");
        for _ in 0..MAX_REPLY_DEPTH {
            want = Value::Array(vec![want]);
        }
        // Compared, encoded and dropped on the small stack too: the bound keeps Value's own
        // recursive code shallow.
        assert_eq!(v, want);
        assert_eq!(v.to_bytes(), at_limit);
        drop(v);
        assert!(decode_value(&nested(MAX_REPLY_DEPTH + 1, b"$2\r\nhi\r\n")).is_err());
    });
}

/// Feeding a large frame one byte at a time costs time linear in its size: the scanners resume
/// where they stopped instead of rescanning (quadratic would take minutes here, linear takes
/// milliseconds; the bound is loose so a loaded machine does not fail it).
#[test]
fn byte_by_byte_arrival_is_linear() {
    let mut array = format!("*{}\r\n", 100_000).into_bytes();
    array.extend(b":1\r\n".repeat(100_000));
    let mut line = b"+".to_vec();
    line.extend(std::iter::repeat_n(b'x', 60_000));
    line.extend_from_slice(b"\r\n");
    let started = Instant::now();
    for frame in [&array, &line] {
        let mut scanner = ReplyScanner::new();
        for k in 0..frame.len() {
            assert_eq!(scanner.scan(&frame[..k]).unwrap(), None);
        }
        assert_eq!(scanner.scan(frame).unwrap(), Some(frame.len()));
    }
    let mut command = format!("*{}\r\n", 50_000).into_bytes();
    command.extend(b"$1\r\nx\r\n".repeat(50_000));
    let mut inline = vec![b'x'; 60_000];
    inline.extend_from_slice(b"\r\n");
    for frame in [&command, &inline] {
        let mut scanner = CommandScanner::default();
        for k in 0..frame.len() {
            assert_eq!(scanner.scan(&frame[..k]).unwrap(), None);
        }
        assert_eq!(scanner.scan(frame).unwrap().unwrap().1, frame.len());
    }
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
}
