//! What the reply decoder and the command parser share: the limits, the error type, strict
//! integer parsing and the command encoder.

use std::fmt;

/// Largest bulk string accepted, in a reply or in a command argument. Redis' `proto-max-bulk-len`
/// default is 512 MB and hiredis has no bound at all; the simulation never needs more than a few
/// MB, so a smaller bound keeps a hostile peer cheap (deviation from Redis, on purpose).
pub const MAX_BULK_BYTES: usize = 64 << 20;
/// Largest unparsed input a connection may buffer before it is closed as a protocol error. Redis'
/// `client-query-buffer-limit` defaults to 1 GB ([`REDIS_QUERY_BUFFER_LIMIT_BYTES`]); ours is lower
/// because no frame we accept can be bigger than [`MAX_BULK_BYTES`] plus its framing.
pub const MAX_INPUT_BYTES: usize = 128 << 20;
/// Redis 7.0.15's default `client-query-buffer-limit`, for reference (see [`MAX_INPUT_BYTES`]).
pub const REDIS_QUERY_BUFFER_LIMIT_BYTES: usize = 1 << 30;
/// Redis' `PROTO_INLINE_MAX_SIZE`: the longest inline request, and the longest count line
/// (`*<n>` / `$<n>`) a server waits for before it gives up on the client.
pub const PROTO_INLINE_MAX_BYTES: usize = 64 * 1024;
/// Largest multibulk count a Redis 7.0.15 server accepts in a command (`INT_MAX`).
pub const MAX_MULTIBULK_LEN: i64 = i32::MAX as i64;
/// Largest multibulk count before AUTH when the server requires a password (Redis 7.0.15).
pub const UNAUTH_MAX_MULTIBULK_LEN: i64 = 10;
/// Largest bulk argument before AUTH when the server requires a password (Redis 7.0.15).
pub const UNAUTH_MAX_BULK_BYTES: usize = 16 * 1024;

/// A client command: its arguments, the command name first.
pub type Command = Vec<Vec<u8>>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolError(pub String);

impl ProtocolError {
    pub(crate) fn new(text: impl Into<String>) -> Self {
        ProtocolError(text.into())
    }
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Protocol error: {}", self.0)
    }
}
impl std::error::Error for ProtocolError {}

/// The server-side bounds applied to a client's input, as a Redis server applies them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// `proto-max-bulk-len`: the largest bulk argument.
    pub max_bulk_bytes: usize,
    /// `client-query-buffer-limit`: the most unparsed input a connection may hold.
    pub max_query_buffer_bytes: usize,
    /// False while the client still has to AUTH: Redis then refuses multibulk counts above
    /// [`UNAUTH_MAX_MULTIBULK_LEN`] and bulks above [`UNAUTH_MAX_BULK_BYTES`], so an anonymous
    /// peer cannot make the server buffer much.
    pub authenticated: bool,
}

impl Limits {
    /// The limits of an authenticated client (or of a server without `requirepass`).
    pub const DEFAULT: Limits = Limits {
        max_bulk_bytes: MAX_BULK_BYTES,
        max_query_buffer_bytes: MAX_INPUT_BYTES,
        authenticated: true,
    };

    /// The same limits for a client that has not authenticated yet.
    pub const fn unauthenticated(self) -> Limits {
        Limits {
            authenticated: false,
            ..self
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// Parses a decimal `i64` as strictly as Redis and hiredis do (`string2ll`): an optional `-`, no
/// `+`, no spaces, no leading zeros, no `-0`, no overflow. Loose parsing would let `007` or `+5`
/// through where the real server rejects them.
pub(crate) fn parse_strict_i64(text: &[u8]) -> Option<i64> {
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    match digits {
        [b'0'] if !negative => return Some(0),
        [b'1'..=b'9', ..] => {}
        _ => return None,
    }
    let mut magnitude: u64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        magnitude = magnitude.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    if negative {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// Appends a command as a multibulk of bulk strings (the form Redis clients send).
pub fn encode_command<A: AsRef<[u8]>>(args: &[A], out: &mut Vec<u8>) {
    out.push(b'*');
    out.extend_from_slice(args.len().to_string().as_bytes());
    out.extend_from_slice(b"\r\n");
    for a in args {
        let a = a.as_ref();
        out.push(b'$');
        out.extend_from_slice(a.len().to_string().as_bytes());
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_integers_like_string2ll() {
        assert_eq!(parse_strict_i64(b"0"), Some(0));
        assert_eq!(parse_strict_i64(b"-1"), Some(-1));
        assert_eq!(parse_strict_i64(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_strict_i64(b"-9223372036854775808"), Some(i64::MIN));
        for bad in [
            &b""[..],
            b"-",
            b"-0",
            b"007",
            b"+5",
            b" 5",
            b"5 ",
            b"1e3",
            b"9223372036854775808",
        ] {
            assert_eq!(parse_strict_i64(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
        assert_eq!(parse_strict_i64(b"-9223372036854775809"), None);
        assert_eq!(parse_strict_i64(b"99999999999999999999999"), None);
    }

    #[test]
    fn display_prefixes_like_the_server_reply() {
        assert_eq!(
            ProtocolError::new("invalid bulk length").to_string(),
            "Protocol error: invalid bulk length"
        );
    }
}
