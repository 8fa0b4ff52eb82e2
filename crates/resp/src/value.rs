use std::fmt;

/// One reply value. `Nil` is the null bulk string (`$-1`), `NilArray` the null array (`*-1`);
/// both are RESP3's null (`_`).
///
/// The last five kinds carry RESP3's distinctions and are what a server's code produces where
/// Redis calls `addReplyMapLen`, `addReplySetLen`, `addReplyVerbatim`, a push or
/// `addReplyDouble`; in RESP2 they are written as Redis writes them there (a flat array of keys
/// and values, an array, a bulk string, an array, a bulk string).
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum Value {
    Simple(String),
    Error(String),
    Int(i64),
    Bulk(Vec<u8>),
    Nil,
    Array(Vec<Value>),
    NilArray,
    Map(Vec<(Value, Value)>),
    Set(Vec<Value>),
    /// Plain text (`=` with the `txt` format in RESP3).
    Verbatim(String),
    /// An out-of-band message (pub/sub): `>` in RESP3.
    Push(Vec<Value>),
    /// A double, already formatted as Redis prints it (`%.17g`).
    Double(String),
}

impl Value {
    pub fn ok() -> Value {
        Value::Simple("OK".into())
    }
    pub fn simple(s: impl Into<String>) -> Value {
        Value::Simple(s.into())
    }
    /// An error reply; the text must already carry its code (`ERR ...`, `READONLY ...`).
    pub fn err(s: impl Into<String>) -> Value {
        Value::Error(s.into())
    }
    pub fn bulk(s: impl AsRef<[u8]>) -> Value {
        Value::Bulk(s.as_ref().to_vec())
    }
    pub fn bulks<I, S>(items: I) -> Value
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        Value::Array(items.into_iter().map(Value::bulk).collect())
    }

    /// Text of a simple string, error or bulk string (lossy for non-UTF-8 bulk).
    pub fn as_text(&self) -> Option<std::borrow::Cow<'_, str>> {
        match self {
            Value::Simple(s) | Value::Error(s) => Some(std::borrow::Cow::Borrowed(s)),
            Value::Bulk(b) => Some(String::from_utf8_lossy(b)),
            _ => None,
        }
    }
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) | Value::Set(a) | Value::Push(a) => Some(a),
            _ => None,
        }
    }

    /// A map from alternating keys and values (as a RESP2 flat array reads).
    pub fn map_of(kv: Vec<Value>) -> Value {
        let mut pairs = Vec::with_capacity(kv.len() / 2);
        let mut it = kv.into_iter();
        while let (Some(k), Some(v)) = (it.next(), it.next()) {
            pairs.push((k, v));
        }
        Value::Map(pairs)
    }

    /// The RESP2 view: maps flattened, sets and pushes as arrays, verbatim and doubles as bulk
    /// strings (what a RESP2 client reads; used by comparisons in tests).
    pub fn to_resp2(&self) -> Value {
        match self {
            Value::Array(a) | Value::Set(a) | Value::Push(a) => Value::Array(a.iter().map(Value::to_resp2).collect()),
            Value::Map(kv) => Value::Array(kv.iter().flat_map(|(k, v)| [k.to_resp2(), v.to_resp2()]).collect()),
            Value::Verbatim(s) | Value::Double(s) => Value::Bulk(s.as_bytes().to_vec()),
            v => v.clone(),
        }
    }
    pub fn is_error(&self) -> bool {
        matches!(self, Value::Error(_))
    }

    /// Appends the RESP2 encoding of this value to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Value::Simple(s) => {
                out.push(b'+');
                out.extend_from_slice(s.as_bytes());
                out.extend_from_slice(b"\r\n");
            }
            Value::Error(s) => {
                out.push(b'-');
                out.extend_from_slice(s.as_bytes());
                out.extend_from_slice(b"\r\n");
            }
            Value::Int(i) => {
                out.push(b':');
                out.extend_from_slice(i.to_string().as_bytes());
                out.extend_from_slice(b"\r\n");
            }
            Value::Bulk(b) => {
                out.push(b'$');
                out.extend_from_slice(b.len().to_string().as_bytes());
                out.extend_from_slice(b"\r\n");
                out.extend_from_slice(b);
                out.extend_from_slice(b"\r\n");
            }
            Value::Nil => out.extend_from_slice(b"$-1\r\n"),
            Value::NilArray => out.extend_from_slice(b"*-1\r\n"),
            Value::Array(items) | Value::Set(items) | Value::Push(items) => {
                header(out, b'*', items.len());
                for v in items {
                    v.encode(out);
                }
            }
            Value::Map(kv) => {
                header(out, b'*', kv.len() * 2);
                for (k, v) in kv {
                    k.encode(out);
                    v.encode(out);
                }
            }
            Value::Verbatim(s) | Value::Double(s) => Value::Bulk(s.as_bytes().to_vec()).encode(out),
        }
    }

    /// Appends the RESP3 encoding of this value to `out`.
    pub fn encode_resp3(&self, out: &mut Vec<u8>) {
        match self {
            Value::Nil | Value::NilArray => out.extend_from_slice(b"_\r\n"),
            Value::Array(items) | Value::Set(items) | Value::Push(items) => {
                let kind = match self {
                    Value::Set(_) => b'~',
                    Value::Push(_) => b'>',
                    _ => b'*',
                };
                header(out, kind, items.len());
                for v in items {
                    v.encode_resp3(out);
                }
            }
            Value::Map(kv) => {
                header(out, b'%', kv.len());
                for (k, v) in kv {
                    k.encode_resp3(out);
                    v.encode_resp3(out);
                }
            }
            Value::Verbatim(s) => {
                header(out, b'=', s.len() + 4);
                out.extend_from_slice(b"txt:");
                out.extend_from_slice(s.as_bytes());
                out.extend_from_slice(b"\r\n");
            }
            Value::Double(s) => {
                out.push(b',');
                out.extend_from_slice(s.as_bytes());
                out.extend_from_slice(b"\r\n");
            }
            v => v.encode(out),
        }
    }

    /// Appends the encoding for a client speaking `proto` (2 or 3).
    pub fn encode_proto(&self, proto: u8, out: &mut Vec<u8>) {
        if proto >= 3 {
            self.encode_resp3(out)
        } else {
            self.encode(out)
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }
}

fn header(out: &mut Vec<u8>, kind: u8, len: usize) {
    out.push(kind);
    out.extend_from_slice(len.to_string().as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// Debug shows bulk strings as text so traces and test failures stay readable.
impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Simple(s) => write!(f, "+{s}"),
            Value::Error(s) => write!(f, "-{s}"),
            Value::Int(i) => write!(f, ":{i}"),
            Value::Bulk(b) => write!(f, "{:?}", String::from_utf8_lossy(b)),
            Value::Nil => write!(f, "(nil)"),
            Value::NilArray => write!(f, "(nil array)"),
            Value::Array(a) | Value::Set(a) | Value::Push(a) => f.debug_list().entries(a).finish(),
            Value::Map(kv) => f.debug_map().entries(kv.iter().map(|(k, v)| (k, v))).finish(),
            Value::Verbatim(s) | Value::Double(s) => write!(f, "{s:?}"),
        }
    }
}
