//! RESP2 as Redis speaks it: the value type every crate of the workspace shares, the wire encoding
//! (byte-compatible with Redis, including the `*-1` null array that `redis-protocol` cannot emit),
//! decoding of replies (delegated to `redis-protocol`), parsing of client commands (multibulk or
//! inline, as `redis-cli` and `telnet` send them) and a framed connection over tokio's `AsyncRead` /
//! `AsyncWrite` that flushes after every frame (madsim only delivers bytes on flush).

mod codec;
mod conn;
mod value;

pub use codec::{decode_value, encode_command, parse_command, Command, ProtocolError, MAX_BULK_BYTES, MAX_INPUT_BYTES};
pub use conn::{Conn, ConnError};
pub use value::Value;
