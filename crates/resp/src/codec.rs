use crate::Value;
use redis_protocol::resp2::decode::decode;
use redis_protocol::resp2::types::OwnedFrame;
use std::fmt;

/// Largest bulk string or inline line accepted (Redis' `proto-max-bulk-len` default is 512 MB; the
/// simulation never needs more than a few MB, so a smaller bound keeps a hostile peer cheap).
pub const MAX_BULK_BYTES: usize = 64 << 20;
/// Largest unparsed input a connection may buffer before it is closed as a protocol error.
pub const MAX_INPUT_BYTES: usize = 128 << 20;
/// Largest multibulk element count accepted in a client command (Redis: 1024*1024*1024).
const MAX_MULTIBULK: i64 = 1 << 20;

/// A client command: its arguments, the command name first.
pub type Command = Vec<Vec<u8>>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolError(pub String);

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Protocol error: {}", self.0)
    }
}
impl std::error::Error for ProtocolError {}

fn from_frame(frame: OwnedFrame) -> Value {
    match frame {
        OwnedFrame::SimpleString(s) => Value::Simple(String::from_utf8_lossy(&s).into_owned()),
        OwnedFrame::Error(s) => Value::Error(s),
        OwnedFrame::Integer(i) => Value::Int(i),
        OwnedFrame::BulkString(b) => Value::Bulk(b),
        OwnedFrame::Array(a) => Value::Array(a.into_iter().map(from_frame).collect()),
        OwnedFrame::Null => Value::Nil,
    }
}

/// Decodes one reply from the front of `buf`. `Ok(None)` means more bytes are needed.
/// The null array `*-1` decodes as [`Value::Nil`] (redis-protocol folds both nulls into one).
pub fn decode_value(buf: &[u8]) -> Result<Option<(Value, usize)>, ProtocolError> {
    if buf.is_empty() {
        return Ok(None);
    }
    match decode(buf) {
        Ok(Some((frame, used))) => Ok(Some((from_frame(frame), used))),
        Ok(None) => {
            if buf.len() > MAX_INPUT_BYTES {
                Err(ProtocolError("reply too large".into()))
            } else {
                Ok(None)
            }
        }
        Err(e) => Err(ProtocolError(e.to_string())),
    }
}

/// Parses one client command (a multibulk of bulk strings, or an inline line) from the front of
/// `buf`, as a Redis server does. `Ok(None)` means more bytes are needed. Empty inline lines are
/// skipped and yield an empty argument vector.
pub fn parse_command(buf: &[u8]) -> Result<Option<(Command, usize)>, ProtocolError> {
    if buf.is_empty() {
        return Ok(None);
    }
    if buf[0] != b'*' {
        return parse_inline(buf);
    }
    let Some((count, mut pos)) = read_int_line(buf, 1)? else {
        return Ok(None);
    };
    if count > MAX_MULTIBULK {
        return Err(ProtocolError("invalid multibulk length".into()));
    }
    if count <= 0 {
        return Ok(Some((Vec::new(), pos)));
    }
    let mut args = Vec::with_capacity(count as usize);
    for _ in 0..count {
        if pos >= buf.len() {
            return Ok(None);
        }
        if buf[pos] != b'$' {
            return Err(ProtocolError(format!("expected '$', got '{}'", buf[pos] as char)));
        }
        let Some((len, start)) = read_int_line(buf, pos + 1)? else {
            return Ok(None);
        };
        if len < 0 || len as usize > MAX_BULK_BYTES {
            return Err(ProtocolError("invalid bulk length".into()));
        }
        let end = start + len as usize;
        if buf.len() < end + 2 {
            return Ok(None);
        }
        if &buf[end..end + 2] != b"\r\n" {
            return Err(ProtocolError("bulk string not terminated by CRLF".into()));
        }
        args.push(buf[start..end].to_vec());
        pos = end + 2;
    }
    Ok(Some((args, pos)))
}

/// Reads a decimal integer terminated by CRLF starting at `from`; returns it and the position after
/// the CRLF.
fn read_int_line(buf: &[u8], from: usize) -> Result<Option<(i64, usize)>, ProtocolError> {
    let Some(rel) = buf[from..].windows(2).position(|w| w == b"\r\n") else {
        if buf.len() - from > 32 {
            return Err(ProtocolError("too big count".into()));
        }
        return Ok(None);
    };
    let text = std::str::from_utf8(&buf[from..from + rel]).map_err(|_| ProtocolError("invalid length".into()))?;
    let n: i64 = text.parse().map_err(|_| ProtocolError("invalid length".into()))?;
    Ok(Some((n, from + rel + 2)))
}

fn parse_inline(buf: &[u8]) -> Result<Option<(Command, usize)>, ProtocolError> {
    let Some(nl) = buf.iter().position(|&b| b == b'\n') else {
        if buf.len() > MAX_BULK_BYTES {
            return Err(ProtocolError("too big inline request".into()));
        }
        return Ok(None);
    };
    let mut line = &buf[..nl];
    if line.last() == Some(&b'\r') {
        line = &line[..line.len() - 1];
    }
    let args = line
        .split(|b| b.is_ascii_whitespace())
        .filter(|s| !s.is_empty())
        .map(|s| s.to_vec())
        .collect();
    Ok(Some((args, nl + 1)))
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
    use proptest::prelude::*;

    #[test]
    fn encodes_like_redis() {
        assert_eq!(Value::ok().to_bytes(), b"+OK\r\n");
        assert_eq!(Value::NilArray.to_bytes(), b"*-1\r\n");
        assert_eq!(Value::Nil.to_bytes(), b"$-1\r\n");
        assert_eq!(
            Value::bulks(["127.0.0.1", "6382"]).to_bytes(),
            b"*2\r\n$9\r\n127.0.0.1\r\n$4\r\n6382\r\n"
        );
        assert_eq!(Value::Int(-3).to_bytes(), b":-3\r\n");
    }

    #[test]
    fn parses_multibulk_and_inline() {
        let mut buf = Vec::new();
        encode_command(&["SENTINEL", "get-master-addr-by-name", "mymaster"], &mut buf);
        let (args, used) = parse_command(&buf).unwrap().unwrap();
        assert_eq!(used, buf.len());
        assert_eq!(
            args,
            vec![
                b"SENTINEL".to_vec(),
                b"get-master-addr-by-name".to_vec(),
                b"mymaster".to_vec()
            ]
        );
        let (args, used) = parse_command(b"PING  hello\r\nrest").unwrap().unwrap();
        assert_eq!(args, vec![b"PING".to_vec(), b"hello".to_vec()]);
        assert_eq!(used, 13);
        assert_eq!(parse_command(b"*2\r\n$4\r\nPING\r\n").unwrap(), None);
        assert!(parse_command(b"*1\r\n+PING\r\n").is_err());
        assert!(parse_command(b"*1\r\n$-5\r\n").is_err());
    }

    #[test]
    fn decodes_partial_and_complete_replies() {
        assert_eq!(decode_value(b"+PO").unwrap(), None);
        assert_eq!(decode_value(b"+PONG\r\n").unwrap(), Some((Value::simple("PONG"), 7)));
        let (v, _) = decode_value(b"*3\r\n:1\r\n$1\r\n*\r\n:0\r\n").unwrap().unwrap();
        assert_eq!(v, Value::Array(vec![Value::Int(1), Value::bulk("*"), Value::Int(0)]));
        assert!(decode_value(b"?what\r\n").is_err());
    }

    fn arb_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            "[a-zA-Z0-9 ]{0,12}".prop_map(Value::Simple),
            "[A-Z]{1,6} [a-z ]{0,12}".prop_map(Value::Error),
            any::<i64>().prop_map(Value::Int),
            proptest::collection::vec(any::<u8>(), 0..40).prop_map(Value::Bulk),
            Just(Value::Nil),
        ];
        leaf.prop_recursive(3, 32, 6, |inner| {
            proptest::collection::vec(inner, 0..6).prop_map(Value::Array)
        })
    }

    proptest! {
        #[test]
        fn value_roundtrips(v in arb_value()) {
            let bytes = v.to_bytes();
            let (back, used) = decode_value(&bytes).unwrap().unwrap();
            prop_assert_eq!(used, bytes.len());
            prop_assert_eq!(back, v);
        }

        #[test]
        fn command_roundtrips(args in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..20), 1..6)) {
            let mut buf = Vec::new();
            encode_command(&args, &mut buf);
            let (back, used) = parse_command(&buf).unwrap().unwrap();
            prop_assert_eq!(used, buf.len());
            prop_assert_eq!(back, args);
        }

        /// Garbage from the network never panics the parsers.
        #[test]
        fn garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = parse_command(&bytes);
            let _ = decode_value(&bytes);
        }
    }
}
