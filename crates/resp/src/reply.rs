//! RESP2 reply decoding with the limits of hiredis (the reader real Sentinel uses on its links),
//! without recursion: nesting is tracked on a heap stack whose depth is bounded, so a peer sending
//! `*1\r\n*1\r\n…` gets a protocol error instead of overflowing our stack.
//!
//! Decoding is two passes. A [`ReplyScanner`] walks the frame without building anything and can
//! resume where it stopped when more bytes arrive; only once the frame is complete is it walked a
//! second time to build the [`Value`]. So a reply arriving in `k` pieces costs O(its size) for the
//! scans in total (plus O(1) per piece), not O(size × k), and a partial reply allocates nothing.
//! [`decode_value`] is the stateless form (it rescans from the start at each call); [`crate::Conn`]
//! keeps a scanner per connection.
//!
//! Deviations from hiredis (bundled with Redis 7.0.15), all on purpose:
//! - nesting is bounded by [`MAX_REPLY_DEPTH`]; hiredis 1.0 grows its task stack without bound
//!   (and then frees the reply recursively);
//! - bulk strings are bounded by [`MAX_BULK_BYTES`] (hiredis: `SIZE_MAX`);
//! - a line (`+`, `-`, `:`, `$`, `*`) is bounded by [`MAX_REPLY_LINE_BYTES`] (hiredis buffers until
//!   CRLF however long it takes);
//! - RESP3 type bytes are rejected: Sentinel speaks RESP2 and never sends `HELLO 3`.
//!
//! Like hiredis, the two bytes after a bulk payload are skipped without being checked, `$-1` and
//! `*-1` are both nulls (both decode as [`Value::Nil`], which the workspace relies on), lengths and
//! integers are parsed strictly, and any other negative length is an error.

use crate::codec::{parse_strict_i64, ProtocolError, MAX_BULK_BYTES};
use crate::Value;

/// Deepest nesting of arrays accepted in a reply. hiredis 1.0 has no bound; the deepest reply a
/// Redis 7 server sends (`COMMAND DOCS`) nests about 8 levels, and every recursive operation on a
/// [`Value`] (drop, clone, compare, debug, encode) stays within a few KB of stack at this depth.
pub const MAX_REPLY_DEPTH: usize = 32;
/// Largest multibulk count accepted in a reply (hiredis' default `maxelements`, 2^32 - 1).
pub const MAX_REPLY_ELEMENTS: i64 = (1 << 32) - 1;
/// Longest line (the text of `+`/`-`/`:` replies, or a `$`/`*` length) before its CRLF. Redis
/// status and error replies are short; this is Redis' own inline bound.
pub const MAX_REPLY_LINE_BYTES: usize = 64 * 1024;
/// Fewest bytes one encoded element takes (`+\r\n`): bounds how many elements the bytes present can
/// hold, hence how much to pre-allocate for an array whatever count the peer declared.
const MIN_ELEMENT_BYTES: usize = 3;

/// One element as read from the wire; payloads borrow the input.
#[derive(Debug)]
enum Item<'a> {
    Simple(&'a [u8]),
    Error(&'a [u8]),
    Int(i64),
    Bulk(&'a [u8]),
    Nil,
    Array(usize),
}

/// What reading one element at a position gave.
enum Step<'a> {
    /// The element and the position just after it.
    Done(Item<'a>, usize),
    /// More bytes are needed; no CRLF starts before `searched`, so the next search starts there.
    More { searched: usize },
}

fn err(text: &str) -> ProtocolError {
    ProtocolError::new(text)
}

/// Finds the CRLF ending the line that starts at `from`, searching from `searched` (a position
/// already known to hold no CRLF start). Returns the line's end or `Err(searched)` when incomplete.
fn find_line_end(buf: &[u8], from: usize, searched: usize) -> Result<Result<usize, usize>, ProtocolError> {
    // Search at most one byte past the longest line (its CR), so the cost per call is bounded.
    let limit = buf.len().min(from + MAX_REPLY_LINE_BYTES + 2);
    let start = searched.clamp(from, limit);
    if let Some(rel) = buf[start..limit].windows(2).position(|w| w == b"\r\n") {
        let end = start + rel;
        if end - from > MAX_REPLY_LINE_BYTES {
            return Err(err("reply line too long"));
        }
        return Ok(Ok(end));
    }
    if limit - from > MAX_REPLY_LINE_BYTES + 1 {
        return Err(err("reply line too long"));
    }
    // The last byte may be the CR of a CRLF still in flight: search it again next time.
    Ok(Err(limit.saturating_sub(1).max(from)))
}

/// Reads the element starting at `pos` (its type byte), header and payload.
fn read_item(buf: &[u8], pos: usize, searched: usize) -> Result<Step<'_>, ProtocolError> {
    let Some(&kind) = buf.get(pos) else {
        return Ok(Step::More { searched: pos });
    };
    if !matches!(kind, b'+' | b'-' | b':' | b'$' | b'*') {
        return Err(ProtocolError(format!("got {:?} as reply type byte", kind as char)));
    }
    let end = match find_line_end(buf, pos + 1, searched)? {
        Ok(end) => end,
        Err(searched) => return Ok(Step::More { searched }),
    };
    let line = &buf[pos + 1..end];
    let after = end + 2;
    let item = match kind {
        b'+' => Item::Simple(line),
        b'-' => Item::Error(line),
        b':' => Item::Int(parse_strict_i64(line).ok_or_else(|| err("invalid integer reply"))?),
        b'$' => return read_bulk(buf, line, end),
        _ => read_array_header(line)?,
    };
    Ok(Step::Done(item, after))
}

/// A bulk string's payload once its length line (`line`, ending with the CRLF at `line_end`) is
/// known.
fn read_bulk<'a>(buf: &'a [u8], line: &[u8], line_end: usize) -> Result<Step<'a>, ProtocolError> {
    let start = line_end + 2;
    let len = parse_strict_i64(line).ok_or_else(|| err("invalid bulk length"))?;
    if len == -1 {
        return Ok(Step::Done(Item::Nil, start));
    }
    if len < -1 || len as u64 > MAX_BULK_BYTES as u64 {
        return Err(err("bulk length out of range"));
    }
    let len = len as usize;
    // The payload is followed by CRLF; like hiredis we skip those two bytes without checking them.
    if buf.len() < start + len + 2 {
        // Resuming finds the length line's CRLF again at once (a cheap re-read of the header).
        return Ok(Step::More { searched: line_end });
    }
    Ok(Step::Done(Item::Bulk(&buf[start..start + len]), start + len + 2))
}

fn read_array_header(line: &[u8]) -> Result<Item<'static>, ProtocolError> {
    let count = parse_strict_i64(line).ok_or_else(|| err("invalid multibulk length"))?;
    match count {
        -1 => Ok(Item::Nil),
        0..=MAX_REPLY_ELEMENTS => Ok(Item::Array(count as usize)),
        _ => Err(err("multibulk length out of range")),
    }
}

/// An array one level deeper than `open` arrays: refused past [`MAX_REPLY_DEPTH`].
fn check_depth(open: usize) -> Result<(), ProtocolError> {
    if open >= MAX_REPLY_DEPTH {
        return Err(ProtocolError(format!(
            "nested multibulk replies deeper than {MAX_REPLY_DEPTH} are not supported"
        )));
    }
    Ok(())
}

/// Finds where one reply ends, resumably: feed it the same growing buffer (bytes appended, the
/// front unchanged) until it returns the frame's length. After an error, or to scan another frame,
/// call [`ReplyScanner::reset`] (it resets itself after returning a complete frame).
#[derive(Debug, Default, Clone)]
pub struct ReplyScanner {
    /// Start of the next element to read.
    pos: usize,
    /// Where the search for the current element's CRLF resumes.
    searched: usize,
    /// Elements still expected by each open array, outermost first (its length is the depth).
    open: Vec<usize>,
}

impl ReplyScanner {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn reset(&mut self) {
        self.pos = 0;
        self.searched = 0;
        self.open.clear();
    }

    /// Continues scanning `buf` (the frame starts at `buf[0]`). `Ok(Some(n))`: the frame is
    /// `buf[..n]`; `Ok(None)`: more bytes are needed.
    pub fn scan(&mut self, buf: &[u8]) -> Result<Option<usize>, ProtocolError> {
        loop {
            let (item, next) = match read_item(buf, self.pos, self.searched)? {
                Step::Done(item, next) => (item, next),
                Step::More { searched } => {
                    self.searched = searched;
                    return Ok(None);
                }
            };
            self.pos = next;
            self.searched = next;
            if let Item::Array(n) = item {
                check_depth(self.open.len())?;
                if n > 0 {
                    self.open.push(n);
                    continue;
                }
            }
            if close_finished(&mut self.open) {
                self.reset();
                return Ok(Some(next));
            }
        }
    }
}

/// Counts one finished element against the innermost open array, closing every array this
/// completes. True when nothing is left open: the whole reply is done.
fn close_finished(open: &mut Vec<usize>) -> bool {
    while let Some(left) = open.last_mut() {
        *left -= 1;
        if *left > 0 {
            return false;
        }
        open.pop();
    }
    true
}

fn leaf_value(item: Item<'_>) -> Value {
    match item {
        Item::Simple(s) => Value::Simple(String::from_utf8_lossy(s).into_owned()),
        Item::Error(s) => Value::Error(String::from_utf8_lossy(s).into_owned()),
        Item::Int(i) => Value::Int(i),
        Item::Bulk(b) => Value::Bulk(b.to_vec()),
        Item::Nil => Value::Nil,
        Item::Array(_) => Value::Array(Vec::new()),
    }
}

/// Adds a finished value to the innermost open array, closing the arrays this completes. Returns
/// the root once nothing is left open.
fn attach(open: &mut Vec<(Vec<Value>, usize)>, mut value: Value) -> Option<Value> {
    while let Some((items, wanted)) = open.last_mut() {
        items.push(value);
        if items.len() < *wanted {
            return None;
        }
        value = Value::Array(open.pop().map(|(items, _)| items).unwrap_or_default());
    }
    Some(value)
}

/// Builds the value of a frame already found complete by a scan of the same bytes.
fn build(frame: &[u8]) -> Result<Value, ProtocolError> {
    let mut open: Vec<(Vec<Value>, usize)> = Vec::new();
    let mut pos = 0;
    loop {
        let Step::Done(item, next) = read_item(frame, pos, pos)? else {
            return Err(err("reply ended early"));
        };
        pos = next;
        let value = match item {
            Item::Array(n) if n > 0 => {
                check_depth(open.len())?;
                // Never trust the declared count for the allocation: the bytes present bound it.
                let capacity = n.min((frame.len() - pos) / MIN_ELEMENT_BYTES);
                open.push((Vec::with_capacity(capacity), n));
                continue;
            }
            other => leaf_value(other),
        };
        if let Some(root) = attach(&mut open, value) {
            return Ok(root);
        }
    }
}

/// Decodes one reply from the front of `buf`. `Ok(None)` means more bytes are needed.
/// The null array `*-1` decodes as [`Value::Nil`], like the null bulk string.
/// Stateless: each call rescans from the start (see [`ReplyScanner`] to resume instead).
pub fn decode_value(buf: &[u8]) -> Result<Option<(Value, usize)>, ProtocolError> {
    let mut scanner = ReplyScanner::new();
    decode_with(&mut scanner, buf)
}

/// Continues `scanner` over `buf` and, once the frame is complete, builds its value.
pub fn decode_with(scanner: &mut ReplyScanner, buf: &[u8]) -> Result<Option<(Value, usize)>, ProtocolError> {
    match scanner.scan(buf)? {
        Some(used) => Ok(Some((build(&buf[..used])?, used))),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(bytes: &[u8]) -> String {
        match decode_value(bytes) {
            Err(e) => e.0,
            Ok(v) => panic!("{:?} decoded as {v:?}", String::from_utf8_lossy(bytes)),
        }
    }

    fn nested(depth: usize, leaf: &[u8]) -> Vec<u8> {
        let mut bytes = b"*1\r\n".repeat(depth);
        bytes.extend_from_slice(leaf);
        bytes
    }

    #[test]
    fn decodes_every_type() {
        assert_eq!(decode_value(b"+PONG\r\n").unwrap(), Some((Value::simple("PONG"), 7)));
        assert_eq!(decode_value(b"-ERR no\r\n").unwrap(), Some((Value::err("ERR no"), 9)));
        assert_eq!(decode_value(b":-42\r\n").unwrap(), Some((Value::Int(-42), 6)));
        assert_eq!(decode_value(b"$0\r\n\r\n").unwrap(), Some((Value::bulk(""), 6)));
        assert_eq!(decode_value(b"$-1\r\n").unwrap(), Some((Value::Nil, 5)));
        // The null array decodes as Nil, as it always has in this workspace.
        assert_eq!(decode_value(b"*-1\r\n").unwrap(), Some((Value::Nil, 5)));
        assert_eq!(decode_value(b"*0\r\n").unwrap(), Some((Value::Array(vec![]), 4)));
        // A bare CR inside a line is content, as for hiredis (only CRLF ends a line).
        assert_eq!(decode_value(b"+a\rb\r\n").unwrap(), Some((Value::simple("a\rb"), 6)));
        let (v, used) = decode_value(b"*2\r\n*1\r\n:1\r\n$-1\r\n+next\r\n").unwrap().unwrap();
        assert_eq!(v, Value::Array(vec![Value::Array(vec![Value::Int(1)]), Value::Nil]));
        assert_eq!(used, 17);
    }

    #[test]
    fn skips_the_two_bytes_after_a_bulk_like_hiredis() {
        assert_eq!(
            decode_value(b"$3\r\nfooXY:1\r\n").unwrap(),
            Some((Value::bulk("foo"), 9))
        );
    }

    #[test]
    fn rejects_bad_lengths_and_integers() {
        assert_eq!(error_of(b"$-2\r\n"), "bulk length out of range");
        assert_eq!(error_of(b"$67108865\r\n"), "bulk length out of range");
        assert_eq!(error_of(b"$999999999999\r\n"), "bulk length out of range");
        assert_eq!(error_of(b"$abc\r\n"), "invalid bulk length");
        assert_eq!(error_of(b"$+3\r\nfoo\r\n"), "invalid bulk length");
        assert_eq!(error_of(b"*-2\r\n"), "multibulk length out of range");
        assert_eq!(error_of(b"*4294967296\r\n"), "multibulk length out of range");
        assert_eq!(error_of(b"*01\r\n:1\r\n"), "invalid multibulk length");
        assert_eq!(error_of(b"*\r\n"), "invalid multibulk length");
        assert_eq!(error_of(b":12a\r\n"), "invalid integer reply");
        assert_eq!(error_of(b":\r\n"), "invalid integer reply");
        assert_eq!(error_of(b":9223372036854775808\r\n"), "invalid integer reply");
    }

    #[test]
    fn rejects_unknown_and_resp3_type_bytes() {
        assert_eq!(error_of(b"?what\r\n"), "got '?' as reply type byte");
        assert_eq!(error_of(b"%1\r\n"), "got '%' as reply type byte");
        assert_eq!(error_of(b"*2\r\n:1\r\n_\r\n"), "got '_' as reply type byte");
        // The type byte is judged at once, before its line is complete.
        assert_eq!(error_of(b"\n"), "got '\\n' as reply type byte");
    }

    #[test]
    fn nesting_is_bounded() {
        let at_limit = nested(MAX_REPLY_DEPTH, b":7\r\n");
        let (v, used) = decode_value(&at_limit).unwrap().unwrap();
        assert_eq!(used, at_limit.len());
        let mut depth = 0;
        let mut cur = &v;
        while let Value::Array(items) = cur {
            depth += 1;
            cur = &items[0];
        }
        assert_eq!((depth, cur), (MAX_REPLY_DEPTH, &Value::Int(7)));
        let deeper = format!("nested multibulk replies deeper than {MAX_REPLY_DEPTH} are not supported");
        assert_eq!(error_of(&nested(MAX_REPLY_DEPTH + 1, b":7\r\n")), deeper);
        // An empty array one level too deep is still too deep; a null is not an array.
        assert_eq!(error_of(&nested(MAX_REPLY_DEPTH, b"*0\r\n")), deeper);
        assert!(decode_value(&nested(MAX_REPLY_DEPTH, b"*-1\r\n")).unwrap().is_some());
        // The depth error comes as soon as the level is announced, before the rest arrives.
        assert_eq!(error_of(&nested(MAX_REPLY_DEPTH + 1, b"")), deeper);
    }

    #[test]
    fn lines_are_bounded() {
        let mut line = vec![b'+'];
        line.extend(std::iter::repeat_n(b'a', MAX_REPLY_LINE_BYTES));
        // The longest line: waits for its CRLF, even with the CR already in.
        assert_eq!(decode_value(&line).unwrap(), None);
        line.push(b'\r');
        assert_eq!(decode_value(&line).unwrap(), None);
        line.push(b'\n');
        assert!(decode_value(&line).unwrap().is_some());
        // One byte longer fails, whether or not its CRLF is there yet.
        let mut long = vec![b'+'];
        long.extend(std::iter::repeat_n(b'a', MAX_REPLY_LINE_BYTES + 1));
        assert_eq!(decode_value(&long).unwrap(), None);
        long.push(b'a');
        assert_eq!(error_of(&long), "reply line too long");
        long.truncate(MAX_REPLY_LINE_BYTES + 2);
        long.extend_from_slice(b"\r\n");
        assert_eq!(error_of(&long), "reply line too long");
        let mut digits = b"$".to_vec();
        digits.extend(std::iter::repeat_n(b'1', MAX_REPLY_LINE_BYTES + 2));
        assert_eq!(error_of(&digits), "reply line too long");
    }

    #[test]
    fn huge_declared_counts_wait_without_allocating() {
        assert_eq!(decode_value(b"*4294967295\r\n").unwrap(), None);
        assert_eq!(decode_value(b"*2147483647\r\n:1\r\n").unwrap(), None);
        assert_eq!(decode_value(b"$67108864\r\nabc").unwrap(), None);
        // The scanner keeps one counter per open array, not per declared element.
        let mut s = ReplyScanner::new();
        assert_eq!(s.scan(b"*4294967295\r\n*4294967295\r\n").unwrap(), None);
        assert_eq!(s.open, vec![4294967295, 4294967295]);
    }

    #[test]
    fn scanner_resumes_where_it_stopped() {
        let frame = b"*3\r\n$5\r\nhello\r\n+OK\r\n*1\r\n:5\r\n";
        let mut s = ReplyScanner::new();
        for k in 0..frame.len() {
            assert_eq!(s.scan(&frame[..k]).unwrap(), None, "prefix {k}");
        }
        assert_eq!(s.scan(frame).unwrap(), Some(frame.len()));
        // It reset itself: the next frame scans from the start.
        assert_eq!(s.scan(b":1\r\n").unwrap(), Some(4));
    }
}
