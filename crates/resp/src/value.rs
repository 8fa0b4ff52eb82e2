use std::fmt;

/// One RESP2 value. `Nil` is the null bulk string (`$-1`), `NilArray` the null array (`*-1`).
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum Value {
    Simple(String),
    Error(String),
    Int(i64),
    Bulk(Vec<u8>),
    Nil,
    Array(Vec<Value>),
    NilArray,
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
            Value::Array(a) => Some(a),
            _ => None,
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
            Value::Array(items) => {
                out.push(b'*');
                out.extend_from_slice(items.len().to_string().as_bytes());
                out.extend_from_slice(b"\r\n");
                for v in items {
                    v.encode(out);
                }
            }
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }
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
            Value::Array(a) => f.debug_list().entries(a).finish(),
        }
    }
}
