//! Properties of the codec over generated inputs: round trips, chunking independence, truncation,
//! garbage, and inline quoting.

use proptest::prelude::*;
use resp::{decode_value, decode_with, encode_command, parse_command, CommandScanner, ReplyScanner, Value};

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
fn decodes_partial_and_complete_replies() {
    assert_eq!(decode_value(b"+PO").unwrap(), None);
    assert_eq!(decode_value(b"+PONG\r\n").unwrap(), Some((Value::simple("PONG"), 7)));
    let (v, _) = decode_value(b"*3\r\n:1\r\n$1\r\n*\r\n:0\r\n").unwrap().unwrap();
    assert_eq!(v, Value::Array(vec![Value::Int(1), Value::bulk("*"), Value::Int(0)]));
    assert!(decode_value(b"?what\r\n").is_err());
}

/// Any value but `NilArray`, which decodes as `Nil` (both are nulls).
fn arb_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        "[a-zA-Z0-9 \r]{0,12}".prop_map(Value::Simple),
        "[A-Z]{1,6} [a-z ]{0,12}".prop_map(Value::Error),
        any::<i64>().prop_map(Value::Int),
        proptest::collection::vec(any::<u8>(), 0..40).prop_map(Value::Bulk),
        Just(Value::Nil),
    ];
    leaf.prop_recursive(8, 64, 6, |inner| {
        proptest::collection::vec(inner, 0..6).prop_map(Value::Array)
    })
}

fn arb_command() -> impl Strategy<Value = Vec<Vec<u8>>> {
    proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..20), 1..6)
}

/// Quotes an argument the way `redis-cli` would, for an inline request.
fn double_quoted(arg: &[u8]) -> String {
    let mut out = String::from("\"");
    for &b in arg {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b' '..=b'~' => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('"');
    out
}

fn single_quoted(arg: &str) -> String {
    format!("'{}'", arg.replace('\'', "\\'"))
}

/// Feeds a scanner every prefix of `bytes`, then the whole: every prefix must ask for more, and
/// the whole must give the same as a one-shot decode.
fn check_chunking(bytes: &[u8]) -> Result<(), TestCaseError> {
    let whole = decode_value(bytes).unwrap();
    let mut byte_by_byte = ReplyScanner::new();
    for k in 0..bytes.len() {
        prop_assert_eq!(decode_with(&mut byte_by_byte, &bytes[..k]).unwrap(), None);
        let mut split_once = ReplyScanner::new();
        prop_assert_eq!(decode_with(&mut split_once, &bytes[..k]).unwrap(), None);
        prop_assert_eq!(&decode_with(&mut split_once, bytes).unwrap(), &whole);
    }
    prop_assert_eq!(&decode_with(&mut byte_by_byte, bytes).unwrap(), &whole);
    Ok(())
}

fn check_command_chunking(bytes: &[u8]) -> Result<(), TestCaseError> {
    let whole = parse_command(bytes).unwrap();
    let mut byte_by_byte = CommandScanner::default();
    for k in 0..bytes.len() {
        prop_assert_eq!(byte_by_byte.scan(&bytes[..k]).unwrap(), None);
        let mut split_once = CommandScanner::default();
        prop_assert_eq!(split_once.scan(&bytes[..k]).unwrap(), None);
        prop_assert_eq!(&split_once.scan(bytes).unwrap(), &whole);
    }
    prop_assert_eq!(&byte_by_byte.scan(bytes).unwrap(), &whole);
    Ok(())
}

/// Tokens that steer random input deep into the parsers rather than failing at the first byte.
fn arb_protocolish() -> impl Strategy<Value = Vec<u8>> {
    let token = prop_oneof![
        Just(b"*1\r\n".to_vec()),
        Just(b"*2\r\n".to_vec()),
        Just(b"*-1\r\n".to_vec()),
        Just(b"*0\r\n".to_vec()),
        Just(b"$3\r\n".to_vec()),
        Just(b"$-1\r\n".to_vec()),
        Just(b":12\r\n".to_vec()),
        Just(b"+OK\r\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"'".to_vec()),
        Just(b"\\x4".to_vec()),
        Just(b"\0".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..6),
    ];
    proptest::collection::vec(token, 0..24).prop_map(|t| t.concat())
}

proptest! {
    #[test]
    fn value_roundtrips(v in arb_value()) {
        let bytes = v.to_bytes();
        let (back, used) = decode_value(&bytes).unwrap().unwrap();
        prop_assert_eq!(used, bytes.len());
        prop_assert_eq!(back, v);
    }

    /// (b) and (e): whatever the split, a valid reply decodes the same; any truncation of it
    /// asks for more bytes (never an error or a panic).
    #[test]
    fn reply_decoding_ignores_chunking(v in arb_value(), next in arb_value()) {
        let mut bytes = v.to_bytes();
        check_chunking(&bytes)?;
        for k in 0..bytes.len() {
            prop_assert_eq!(decode_value(&bytes[..k]).unwrap(), None);
        }
        // Trailing bytes of the next reply change nothing.
        let len = bytes.len();
        next.encode(&mut bytes);
        prop_assert_eq!(decode_value(&bytes).unwrap(), Some((v, len)));
    }

    #[test]
    fn command_roundtrips(args in arb_command()) {
        let mut buf = Vec::new();
        encode_command(&args, &mut buf);
        let (back, used) = parse_command(&buf).unwrap().unwrap();
        prop_assert_eq!(used, buf.len());
        prop_assert_eq!(back, args);
    }

    #[test]
    fn command_parsing_ignores_chunking(args in arb_command()) {
        let mut buf = Vec::new();
        encode_command(&args, &mut buf);
        check_command_chunking(&buf)?;
        for k in 0..buf.len() {
            prop_assert_eq!(parse_command(&buf[..k]).unwrap(), None);
        }
    }

    /// (g) Inline requests quoted as `redis-cli` quotes give back the arguments, whatever the
    /// chunking.
    #[test]
    fn inline_quoting_roundtrips(
        raw in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..12), 1..5),
        // Not starting with `*`, which would make it a multibulk.
        plain in "[!#-&()+-~][!#-&(-~]{0,7}",
        single in "[a-z '\"]{0,8}",
    ) {
        let mut line: Vec<String> = vec![plain.clone(), single_quoted(&single)];
        line.extend(raw.iter().map(|a| double_quoted(a)));
        let text = format!("{}\r\n", line.join(" \t "));
        let (back, used) = parse_command(text.as_bytes()).unwrap().unwrap();
        prop_assert_eq!(used, text.len());
        let mut want = vec![plain.into_bytes(), single.into_bytes()];
        want.extend(raw);
        prop_assert_eq!(back, want);
        check_command_chunking(text.as_bytes())?;
    }

    /// (f) Garbage from the network never panics the parsers, fed whole or in pieces.
    #[test]
    fn garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64), cut in 0usize..64) {
        feed_garbage(&bytes, cut);
    }

    #[test]
    fn protocolish_garbage_never_panics(bytes in arb_protocolish(), cut in 0usize..128) {
        feed_garbage(&bytes, cut);
    }
}

fn feed_garbage(bytes: &[u8], cut: usize) {
    let _ = parse_command(bytes);
    let _ = decode_value(bytes);
    let cut = cut.min(bytes.len());
    let mut replies = ReplyScanner::new();
    if let Ok(None) = decode_with(&mut replies, &bytes[..cut]) {
        let _ = decode_with(&mut replies, bytes);
    }
    let mut commands = CommandScanner::default();
    if let Ok(None) = commands.scan(&bytes[..cut]) {
        let _ = commands.scan(bytes);
    }
}
