//! Parsing client commands the way a Redis 7.0.15 server does (`processInlineBuffer`,
//! `processMultibulkBuffer`): same limits, same error texts (the server replies
//! `-ERR Protocol error: <text>` and closes the connection).
//!
//! Redis reads at most 16 KB per read and gives up on a line that has no terminator after 64 KB, so
//! in practice it never looks further than that for one. We apply that rule whatever the chunking
//! (a terminator found past 64 KB is the same error as waiting past 64 KB for it), so the result
//! never depends on how the bytes were split.
//!
//! Like Redis, the terminator searches stop at a NUL byte (Redis uses `strchr` on the query
//! buffer): a count line or inline line with a NUL before its terminator waits until the 64 KB
//! error. Also like Redis, the count lines only need their `\r` plus one more byte, and the two
//! bytes after a bulk argument are skipped without being checked.
//!
//! Deviations: bulk arguments are bounded by [`Limits::max_bulk_bytes`] ([`crate::MAX_BULK_BYTES`], 64 MB,
//! where Redis' `proto-max-bulk-len` is 512 MB), and the `'X'` of ``expected '$', got 'X'`` is the
//! byte as a Latin-1 character (Redis sends the raw byte).

use crate::codec::{
    parse_strict_i64, Command, Limits, ProtocolError, MAX_MULTIBULK_LEN, PROTO_INLINE_MAX_BYTES, UNAUTH_MAX_BULK_BYTES,
    UNAUTH_MAX_MULTIBULK_LEN,
};
use crate::inline::split_args;

/// How many argument slots to reserve up front, whatever count the client declared (Redis too
/// starts with at most 1024 and grows as arguments actually arrive).
const MAX_PREALLOCATED_ARGS: usize = 1024;

fn err(text: &str) -> ProtocolError {
    ProtocolError::new(text)
}

/// Where the search for a line terminator ended.
enum Seek {
    /// The terminator is at this position.
    Found(usize),
    /// Not found up to this position (exclusive): the next search may start there.
    Missing(usize),
}

/// Looks for `terminator` in the line starting at `from`, resuming at `searched`, the way Redis
/// does: a NUL stops the search for good, and a line longer than [`PROTO_INLINE_MAX_BYTES`] fails
/// with `too_big`.
fn seek_line_end(
    buf: &[u8],
    from: usize,
    searched: usize,
    terminator: u8,
    too_big: &str,
) -> Result<Seek, ProtocolError> {
    let limit = buf.len().min(from + PROTO_INLINE_MAX_BYTES + 1);
    let start = searched.clamp(from, limit);
    let hit = buf[start..limit].iter().position(|&b| b == terminator || b == 0);
    match hit.map(|rel| start + rel) {
        Some(end) if buf[end] == terminator => Ok(Seek::Found(end)),
        // A NUL: Redis never sees past it, only the growing buffer size.
        Some(_) if buf.len() - from > PROTO_INLINE_MAX_BYTES => Err(err(too_big)),
        Some(nul) => Ok(Seek::Missing(nul)),
        None if limit - from > PROTO_INLINE_MAX_BYTES => Err(err(too_big)),
        None => Ok(Seek::Missing(limit)),
    }
}

/// Parses a whole inline request at the front of `buf` (not a multibulk: it does not start with
/// `*`). Returns the arguments and the bytes used, or where the line-end search stopped.
fn parse_inline(buf: &[u8], searched: usize) -> Result<Result<(Command, usize), usize>, ProtocolError> {
    let end = match seek_line_end(buf, 0, searched, b'\n', "too big inline request")? {
        Seek::Found(end) => end,
        Seek::Missing(searched) => return Ok(Err(searched)),
    };
    let line = buf[..end].strip_suffix(b"\r").unwrap_or(&buf[..end]);
    let args = split_args(line).ok_or_else(|| err("unbalanced quotes in request"))?;
    Ok(Ok((args, end + 1)))
}

/// Parses a multibulk count (`*<n>`), checked against the client's limits.
fn parse_multibulk_len(line: &[u8], limits: &Limits) -> Result<i64, ProtocolError> {
    let count = parse_strict_i64(line)
        .filter(|&n| n <= MAX_MULTIBULK_LEN)
        .ok_or_else(|| err("invalid multibulk length"))?;
    if count > UNAUTH_MAX_MULTIBULK_LEN && !limits.authenticated {
        return Err(err("unauthenticated multibulk length"));
    }
    Ok(count)
}

/// Parses a bulk length (`$<n>`), checked against the client's limits.
fn parse_bulk_len(line: &[u8], limits: &Limits) -> Result<usize, ProtocolError> {
    let len = parse_strict_i64(line)
        .and_then(|n| usize::try_from(n).ok())
        .filter(|&n| n <= limits.max_bulk_bytes)
        .ok_or_else(|| err("invalid bulk length"))?;
    if len > UNAUTH_MAX_BULK_BYTES && !limits.authenticated {
        return Err(err("unauthenticated bulk length"));
    }
    Ok(len)
}

/// Parses one client command resumably, keeping what Redis keeps per client between reads (the
/// arguments still expected, the pending bulk length), so a command arriving in `k` pieces costs
/// O(its size) in total rather than O(size × k). Feed it the same growing buffer (the command
/// starts at `buf[0]`; bytes appended, the front unchanged). It resets itself after returning a
/// command; after an error, call [`CommandScanner::reset`] before reusing it.
#[derive(Debug, Clone)]
pub struct CommandScanner {
    limits: Limits,
    /// Position of the next thing to read (a count line, or a bulk payload if `bulk` is known).
    pos: usize,
    /// Where the search for the current line's terminator resumes.
    searched: usize,
    /// Arguments still expected; `None` until the multibulk count is read.
    left: Option<u64>,
    /// Length of the bulk argument whose payload starts at `pos`, once its `$` line is read.
    bulk: Option<usize>,
    /// Byte ranges of the arguments read so far: copied out only once the command is whole.
    spans: Vec<(usize, usize)>,
}

impl Default for CommandScanner {
    fn default() -> Self {
        Self::new(Limits::DEFAULT)
    }
}

impl CommandScanner {
    pub fn new(limits: Limits) -> Self {
        CommandScanner {
            limits,
            pos: 0,
            searched: 0,
            left: None,
            bulk: None,
            spans: Vec::new(),
        }
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Changes the limits (e.g. once the client has authenticated); applies from the next line read.
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    pub fn reset(&mut self) {
        *self = CommandScanner::new(self.limits);
    }

    /// Continues parsing `buf`. `Ok(Some((args, used)))`: a whole command (empty for an empty
    /// inline line or a multibulk count `<= 0`, as Redis skips those); `Ok(None)`: more bytes are
    /// needed.
    pub fn scan(&mut self, buf: &[u8]) -> Result<Option<(Command, usize)>, ProtocolError> {
        if buf.is_empty() {
            return Ok(None);
        }
        if buf[0] != b'*' {
            return match parse_inline(buf, self.searched)? {
                Ok(done) => {
                    self.reset();
                    Ok(Some(done))
                }
                Err(searched) => {
                    self.searched = searched;
                    Ok(None)
                }
            };
        }
        if self.left.is_none() && !self.read_count(buf)? {
            return Ok(None);
        }
        if !self.read_args(buf)? {
            return Ok(None);
        }
        let args = self
            .spans
            .iter()
            .map(|&(start, end)| buf[start..end].to_vec())
            .collect();
        let used = self.pos;
        self.reset();
        Ok(Some((args, used)))
    }

    /// Reads the `*<n>` line. False when more bytes are needed.
    fn read_count(&mut self, buf: &[u8]) -> Result<bool, ProtocolError> {
        let Some(line_end) = self.read_line_end(buf, 0, "too big mbulk count string")? else {
            return Ok(false);
        };
        let count = parse_multibulk_len(&buf[1..line_end], &self.limits)?;
        // A count <= 0 is an empty command (Redis skips it).
        let count = count.max(0) as u64;
        self.left = Some(count);
        self.pos = line_end + 2;
        self.searched = self.pos;
        self.spans = Vec::with_capacity((count as usize).min(MAX_PREALLOCATED_ARGS));
        Ok(true)
    }

    /// Reads `$<len>` lines and payloads until every argument is in. False when more bytes are
    /// needed.
    fn read_args(&mut self, buf: &[u8]) -> Result<bool, ProtocolError> {
        while self.left.unwrap_or(0) > 0 {
            let len = match self.bulk {
                Some(len) => len,
                None => match self.read_bulk_header(buf)? {
                    Some(len) => len,
                    None => return Ok(false),
                },
            };
            // The payload and the two bytes that follow it (not checked, as in Redis).
            if buf.len() - self.pos < len.saturating_add(2) {
                return Ok(false);
            }
            self.spans.push((self.pos, self.pos + len));
            self.pos += len + 2;
            self.searched = self.pos;
            self.bulk = None;
            self.left = self.left.map(|n| n - 1);
        }
        Ok(true)
    }

    /// Reads the `$<len>` line at `pos`; `None` when it is not whole yet.
    fn read_bulk_header(&mut self, buf: &[u8]) -> Result<Option<usize>, ProtocolError> {
        let Some(line_end) = self.read_line_end(buf, self.pos, "too big bulk count string")? else {
            return Ok(None);
        };
        if buf[self.pos] != b'$' {
            return Err(ProtocolError(format!("expected '$', got '{}'", buf[self.pos] as char)));
        }
        let len = parse_bulk_len(&buf[self.pos + 1..line_end], &self.limits)?;
        self.pos = line_end + 2;
        self.bulk = Some(len);
        Ok(Some(len))
    }

    /// Finds the `\r` ending the count line at `from`; like Redis, the line is whole once one more
    /// byte (taken to be its `\n`) is in.
    fn read_line_end(&mut self, buf: &[u8], from: usize, too_big: &str) -> Result<Option<usize>, ProtocolError> {
        match seek_line_end(buf, from, self.searched, b'\r', too_big)? {
            Seek::Found(end) if end + 1 < buf.len() => Ok(Some(end)),
            Seek::Found(end) => {
                self.searched = end;
                Ok(None)
            }
            Seek::Missing(searched) => {
                self.searched = searched;
                Ok(None)
            }
        }
    }
}

/// Parses one client command (a multibulk of bulk strings, or an inline line) from the front of
/// `buf` with the limits of an authenticated client, as a Redis server does. `Ok(None)` means more
/// bytes are needed. Empty inline lines (and multibulk counts `<= 0`) yield an empty argument
/// vector. Stateless: each call reparses from the start (see [`CommandScanner`]).
pub fn parse_command(buf: &[u8]) -> Result<Option<(Command, usize)>, ProtocolError> {
    parse_command_with_limits(buf, &Limits::DEFAULT)
}

/// [`parse_command`] with explicit limits (e.g. [`Limits::unauthenticated`] before AUTH).
pub fn parse_command_with_limits(buf: &[u8], limits: &Limits) -> Result<Option<(Command, usize)>, ProtocolError> {
    CommandScanner::new(*limits).scan(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode_command;

    fn error_of(bytes: &[u8]) -> String {
        error_with(bytes, &Limits::DEFAULT)
    }

    fn error_with(bytes: &[u8], limits: &Limits) -> String {
        match parse_command_with_limits(bytes, limits) {
            Err(e) => e.to_string(),
            Ok(v) => panic!("{:?} parsed as {v:?}", String::from_utf8_lossy(bytes)),
        }
    }

    fn args(list: &[&str]) -> Command {
        list.iter().map(|a| a.as_bytes().to_vec()).collect()
    }

    #[test]
    fn parses_multibulk_and_inline() {
        let mut buf = Vec::new();
        encode_command(&["SENTINEL", "get-master-addr-by-name", "mymaster"], &mut buf);
        let (got, used) = parse_command(&buf).unwrap().unwrap();
        assert_eq!(used, buf.len());
        assert_eq!(got, args(&["SENTINEL", "get-master-addr-by-name", "mymaster"]));
        let (got, used) = parse_command(b"PING  hello\r\nrest").unwrap().unwrap();
        assert_eq!((got, used), (args(&["PING", "hello"]), 13));
        assert_eq!(parse_command(b"PING\n").unwrap(), Some((args(&["PING"]), 5)));
        assert_eq!(parse_command(b"*2\r\n$4\r\nPING\r\n").unwrap(), None);
    }

    #[test]
    fn empty_commands_are_skipped() {
        assert_eq!(parse_command(b"\r\n").unwrap(), Some((vec![], 2)));
        assert_eq!(parse_command(b"\n").unwrap(), Some((vec![], 1)));
        assert_eq!(parse_command(b"  \t\r\n").unwrap(), Some((vec![], 5)));
        assert_eq!(parse_command(b"*0\r\n").unwrap(), Some((vec![], 4)));
        assert_eq!(parse_command(b"*-7\r\n").unwrap(), Some((vec![], 5)));
    }

    #[test]
    fn inline_quoting_like_sdssplitargs() {
        let (got, _) = parse_command(b"SET \"a b\" 'c\\'d' \"\\x41\\n\"\r\n").unwrap().unwrap();
        assert_eq!(
            got,
            vec![b"SET".to_vec(), b"a b".to_vec(), b"c'd".to_vec(), b"A\n".to_vec()]
        );
        for line in [&b"SET \"a\r\n"[..], b"SET 'a\r\n", b"SET \"a\"b\r\n", b"SET 'a'b\n"] {
            assert_eq!(error_of(line), "Protocol error: unbalanced quotes in request");
        }
    }

    #[test]
    fn inline_requests_are_bounded() {
        let mut line = vec![b'a'; PROTO_INLINE_MAX_BYTES];
        assert_eq!(parse_command(&line).unwrap(), None);
        line.push(b'a');
        assert_eq!(error_of(&line), "Protocol error: too big inline request");
        // The same line with its newline already in: same error, whatever the chunking.
        line.push(b'\n');
        assert_eq!(error_of(&line), "Protocol error: too big inline request");
        // The longest accepted line (the CR counts, as Redis strips it only once the LF is in).
        let mut line = vec![b'a'; PROTO_INLINE_MAX_BYTES - 1];
        line.extend_from_slice(b"\r\n");
        assert_eq!(parse_command(&line).unwrap().unwrap().1, line.len());
    }

    #[test]
    fn a_nul_hides_the_line_end_as_in_redis() {
        assert_eq!(parse_command(b"PI\0NG\r\n").unwrap(), None);
        let mut line = b"PI\0NG\r\n".to_vec();
        line.resize(PROTO_INLINE_MAX_BYTES + 1, b'x');
        assert_eq!(error_of(&line), "Protocol error: too big inline request");
        assert_eq!(parse_command(b"*1\0\r\n").unwrap(), None);
        // A NUL inside a bulk payload is data like any other byte.
        assert_eq!(parse_command(b"*1\r\n$1\r\n\0\r\n").unwrap(), Some((vec![vec![0]], 11)));
    }

    #[test]
    fn multibulk_count_errors() {
        assert_eq!(error_of(b"*abc\r\n"), "Protocol error: invalid multibulk length");
        assert_eq!(error_of(b"*\r\n"), "Protocol error: invalid multibulk length");
        assert_eq!(error_of(b"*2147483648\r\n"), "Protocol error: invalid multibulk length");
        assert_eq!(
            error_of(b"*99999999999999999999\r\n"),
            "Protocol error: invalid multibulk length"
        );
        // INT_MAX itself is accepted (and waits for its arguments without reserving room for them).
        assert_eq!(parse_command(b"*2147483647\r\n").unwrap(), None);
        // The count line needs its CR and one more byte; that byte is not checked.
        assert_eq!(parse_command(b"*1\r").unwrap(), None);
        assert_eq!(parse_command(b"*1\rX$1\r\na\r\n").unwrap(), Some((args(&["a"]), 11)));
        let mut long = b"*".to_vec();
        long.resize(PROTO_INLINE_MAX_BYTES, b'1');
        assert_eq!(parse_command(&long).unwrap(), None);
        long.push(b'1');
        assert_eq!(error_of(&long), "Protocol error: too big mbulk count string");
    }

    #[test]
    fn bulk_header_errors() {
        assert_eq!(error_of(b"*1\r\n+PING\r\n"), "Protocol error: expected '$', got '+'");
        assert_eq!(
            error_of(b"*2\r\n$1\r\na\r\nx\r\n"),
            "Protocol error: expected '$', got 'x'"
        );
        // Judged once the line is in, as Redis does.
        assert_eq!(parse_command(b"*1\r\n+PI").unwrap(), None);
        assert_eq!(error_of(b"*1\r\n$-5\r\n"), "Protocol error: invalid bulk length");
        assert_eq!(error_of(b"*1\r\n$-1\r\n"), "Protocol error: invalid bulk length");
        assert_eq!(error_of(b"*1\r\n$x\r\n"), "Protocol error: invalid bulk length");
        assert_eq!(error_of(b"*1\r\n$67108865\r\n"), "Protocol error: invalid bulk length");
        assert_eq!(
            error_of(b"*1\r\n$999999999999\r\n"),
            "Protocol error: invalid bulk length"
        );
        assert_eq!(parse_command(b"*1\r\n$67108864\r\n").unwrap(), None);
        let mut long = b"*1\r\n$".to_vec();
        long.resize(4 + PROTO_INLINE_MAX_BYTES, b'1');
        assert_eq!(parse_command(&long).unwrap(), None);
        long.push(b'1');
        assert_eq!(error_of(&long), "Protocol error: too big bulk count string");
        long.extend_from_slice(b"\r\n");
        assert_eq!(error_of(&long), "Protocol error: too big bulk count string");
    }

    #[test]
    fn bulk_payload_is_taken_by_length() {
        // The two bytes after the payload are skipped unchecked, as in Redis.
        assert_eq!(
            parse_command(b"*1\r\n$4\r\nPINGxy").unwrap(),
            Some((args(&["PING"]), 14))
        );
        assert_eq!(parse_command(b"*1\r\n$4\r\nPING\r").unwrap(), None);
        assert_eq!(
            parse_command(b"*1\r\n$4\r\nP\r\nG\r\n").unwrap(),
            Some((args(&["P\r\nG"]), 14))
        );
    }

    #[test]
    fn unauthenticated_limits() {
        let anon = Limits::DEFAULT.unauthenticated();
        let mut eleven = Vec::new();
        encode_command(&["x"; 11], &mut eleven);
        assert_eq!(
            error_with(&eleven, &anon),
            "Protocol error: unauthenticated multibulk length"
        );
        assert!(parse_command(&eleven).unwrap().is_some());
        let mut ten = Vec::new();
        encode_command(&["x"; 10], &mut ten);
        assert!(parse_command_with_limits(&ten, &anon).unwrap().is_some());
        // Invalid counts are reported as such first.
        assert_eq!(
            error_with(b"*2147483648\r\n", &anon),
            "Protocol error: invalid multibulk length"
        );
        let big = vec![b'v'; UNAUTH_MAX_BULK_BYTES + 1];
        let mut cmd = Vec::new();
        encode_command(&[&b"AUTH"[..], &big], &mut cmd);
        assert_eq!(error_with(&cmd, &anon), "Protocol error: unauthenticated bulk length");
        assert!(parse_command(&cmd).unwrap().is_some());
        let mut cmd = Vec::new();
        encode_command(&[&b"AUTH"[..], &big[1..]], &mut cmd);
        assert!(parse_command_with_limits(&cmd, &anon).unwrap().is_some());
        assert_eq!(
            error_with(b"*1\r\n$-1\r\n", &anon),
            "Protocol error: invalid bulk length"
        );
        // Inline requests have no separate unauthenticated bound (64 KB applies).
        let line = [b"AUTH ".to_vec(), big, b"\r\n".to_vec()].concat();
        assert!(parse_command_with_limits(&line, &anon).unwrap().is_some());
    }

    #[test]
    fn scanner_resumes_where_it_stopped() {
        let mut frame = Vec::new();
        encode_command(&["SET", "key", "value\r\nwith crlf"], &mut frame);
        let mut s = CommandScanner::default();
        for k in 0..frame.len() {
            assert_eq!(s.scan(&frame[..k]).unwrap(), None, "prefix {k}");
        }
        let (got, used) = s.scan(&frame).unwrap().unwrap();
        assert_eq!((got, used), (args(&["SET", "key", "value\r\nwith crlf"]), frame.len()));
        assert_eq!(s.scan(b"PING\r\n").unwrap(), Some((args(&["PING"]), 6)));
    }
}
