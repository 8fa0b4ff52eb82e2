//! RESP2 as Redis speaks it: the value type every crate of the workspace shares, the wire encoding
//! (byte-compatible with Redis, including the `*-1` null array), decoding of replies with hiredis'
//! behaviour and bounded resources (iterative, depth-limited, no allocation sized by untrusted
//! counts), parsing of client commands with the limits and error texts of a Redis 7.0.15 server
//! (multibulk or inline with `sdssplitargs` quoting, as `redis-cli` and `telnet` send them) and a
//! framed connection over tokio's `AsyncRead` / `AsyncWrite` that flushes after every frame
//! (madsim only delivers bytes on flush) and never buffers more than its input limit.

mod codec;
mod command;
mod conn;
mod glob;
mod inline;
mod reply;
mod value;

pub use codec::{
    encode_command, Command, Limits, ProtocolError, MAX_BULK_BYTES, MAX_INPUT_BYTES, MAX_MULTIBULK_LEN,
    PROTO_INLINE_MAX_BYTES, REDIS_QUERY_BUFFER_LIMIT_BYTES, UNAUTH_MAX_BULK_BYTES, UNAUTH_MAX_MULTIBULK_LEN,
};
pub use command::{parse_command, parse_command_with_limits, CommandScanner};
pub use conn::{Conn, ConnError};
pub use glob::string_match;
pub use reply::{decode_value, decode_with, ReplyScanner, MAX_REPLY_DEPTH, MAX_REPLY_ELEMENTS, MAX_REPLY_LINE_BYTES};
pub use value::Value;
