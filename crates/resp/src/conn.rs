use crate::codec::{encode_command, Limits, ProtocolError};
use crate::command::CommandScanner;
use crate::reply::{decode_with, ReplyScanner};
use crate::Value;
use std::fmt;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Why a connection stopped.
#[derive(Debug)]
pub enum ConnError {
    /// The peer closed the connection (EOF).
    Closed,
    Io(std::io::Error),
    Protocol(ProtocolError),
}

impl fmt::Display for ConnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnError::Closed => write!(f, "connection closed by peer"),
            ConnError::Io(e) => write!(f, "{e}"),
            ConnError::Protocol(e) => write!(f, "{e}"),
        }
    }
}
impl std::error::Error for ConnError {}

impl From<std::io::Error> for ConnError {
    fn from(e: std::io::Error) -> Self {
        ConnError::Io(e)
    }
}

/// A RESP connection: buffered reads of whole frames, writes flushed per frame (or per batch).
/// Works on any tokio stream half, so it serves for `TcpStream` as well as the halves of
/// `tokio::io::split` (madsim's `TcpStream` has no `into_split`).
///
/// The unparsed input never exceeds [`Limits::max_query_buffer_bytes`] (default
/// [`crate::MAX_INPUT_BYTES`]): a read never asks for more than the room left, and a frame that
/// would need more is a [`ConnError::Protocol`]. Partial frames are scanned resumably (one scanner
/// per direction), so a frame arriving in many small pieces costs time linear in its size.
pub struct Conn<S> {
    stream: S,
    rbuf: Vec<u8>,
    /// Start of the unparsed input in `rbuf`; the scanners' positions are relative to it.
    rpos: usize,
    wbuf: Vec<u8>,
    replies: ReplyScanner,
    commands: CommandScanner,
}

impl<S> Conn<S> {
    pub fn new(stream: S) -> Self {
        Conn {
            stream,
            rbuf: Vec::with_capacity(4096),
            rpos: 0,
            wbuf: Vec::with_capacity(1024),
            replies: ReplyScanner::new(),
            commands: CommandScanner::new(Limits::DEFAULT),
        }
    }
    /// The limits applied to this connection's input.
    pub fn limits(&self) -> Limits {
        self.commands.limits()
    }
    /// Sets the limits applied to this connection's input, e.g. [`Limits::unauthenticated`] until
    /// the client has authenticated.
    pub fn set_limits(&mut self, limits: Limits) {
        self.commands.set_limits(limits);
    }
    pub fn get_ref(&self) -> &S {
        &self.stream
    }
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.stream
    }
    pub fn into_inner(self) -> S {
        self.stream
    }
    /// Appends a reply to the write buffer without sending it (see [`Conn::flush`]).
    pub fn queue_value(&mut self, v: &Value) {
        v.encode(&mut self.wbuf);
    }
    /// Appends a reply in the protocol the client chose (HELLO 2 or 3).
    pub fn queue_value_proto(&mut self, v: &Value, proto: u8) {
        v.encode_proto(proto, &mut self.wbuf);
    }
    /// Appends a command to the write buffer without sending it.
    pub fn queue_command<A: AsRef<[u8]>>(&mut self, args: &[A]) {
        encode_command(args, &mut self.wbuf);
    }
    /// Appends raw bytes (already RESP-encoded) to the write buffer.
    pub fn queue_raw(&mut self, bytes: &[u8]) {
        self.wbuf.extend_from_slice(bytes);
    }
    fn compact(&mut self) {
        if self.rpos > 0 && self.rpos == self.rbuf.len() {
            self.rbuf.clear();
            self.rpos = 0;
        } else if self.rpos > 64 * 1024 {
            self.rbuf.drain(..self.rpos);
            self.rpos = 0;
        }
    }
}

impl<S: AsyncWrite + Unpin> Conn<S> {
    /// Writes and flushes everything queued.
    pub async fn flush(&mut self) -> Result<(), ConnError> {
        if !self.wbuf.is_empty() {
            self.stream.write_all(&self.wbuf).await?;
            self.wbuf.clear();
        }
        self.stream.flush().await?;
        Ok(())
    }
    pub async fn write_value(&mut self, v: &Value) -> Result<(), ConnError> {
        self.queue_value(v);
        self.flush().await
    }
    pub async fn write_command<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Result<(), ConnError> {
        self.queue_command(args);
        self.flush().await
    }
}

impl<S: AsyncRead + Unpin> Conn<S> {
    /// Reads more input, never letting the unparsed input grow past the limit.
    async fn fill(&mut self) -> Result<(), ConnError> {
        let max = self.limits().max_query_buffer_bytes;
        let room = max.saturating_sub(self.rbuf.len() - self.rpos);
        if room == 0 {
            return Err(ConnError::Protocol(ProtocolError::new("input buffer over limit")));
        }
        self.compact();
        // Read straight into the buffer's spare capacity (no zeroed scratch buffer per read), but
        // no more than the room left under the limit.
        self.rbuf.reserve(room.min(16 * 1024));
        let n = (&mut self.stream).take(room as u64).read_buf(&mut self.rbuf).await?;
        if n == 0 {
            return Err(ConnError::Closed);
        }
        Ok(())
    }

    /// Takes one reply if a whole one is buffered. An error leaves the connection unusable.
    fn next_value(&mut self) -> Result<Option<Value>, ConnError> {
        match decode_with(&mut self.replies, &self.rbuf[self.rpos..]).map_err(ConnError::Protocol)? {
            Some((v, used)) => {
                self.rpos += used;
                Ok(Some(v))
            }
            None => Ok(None),
        }
    }

    /// Takes one command if a whole one is buffered, skipping empty ones (empty inline lines,
    /// multibulk counts `<= 0`). An error leaves the connection unusable.
    fn next_command(&mut self) -> Result<Option<Vec<Vec<u8>>>, ConnError> {
        loop {
            match self
                .commands
                .scan(&self.rbuf[self.rpos..])
                .map_err(ConnError::Protocol)?
            {
                Some((args, used)) => {
                    self.rpos += used;
                    if !args.is_empty() {
                        return Ok(Some(args));
                    }
                }
                None => return Ok(None),
            }
        }
    }

    /// Reads one reply (client side).
    pub async fn read_value(&mut self) -> Result<Value, ConnError> {
        loop {
            match self.next_value()? {
                Some(v) => return Ok(v),
                None => self.fill().await?,
            }
        }
    }

    /// Reads one command (server side). Empty inline lines are skipped.
    pub async fn read_command(&mut self) -> Result<Vec<Vec<u8>>, ConnError> {
        loop {
            match self.next_command()? {
                Some(args) => return Ok(args),
                None => self.fill().await?,
            }
        }
    }

    /// Takes one already-buffered command, if a whole one is buffered (no I/O). Lets a server
    /// answer a pipeline and flush once.
    pub fn try_buffered_command(&mut self) -> Result<Option<Vec<Vec<u8>>>, ConnError> {
        self.next_command()
    }

    /// Takes one already-buffered reply, if a whole one is buffered (no I/O).
    pub fn try_buffered_value(&mut self) -> Result<Option<Value>, ConnError> {
        self.next_value()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::pin::Pin;
    use std::task::{Context, Poll};
    use tokio::io::ReadBuf;

    /// A reader that hands out at most one byte per read, then EOF.
    struct Trickle {
        data: Vec<u8>,
        pos: usize,
    }

    impl AsyncRead for Trickle {
        fn poll_read(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<std::io::Result<()>> {
            if let Some(&b) = self.data.get(self.pos) {
                buf.put_slice(&[b]);
                self.pos += 1;
            }
            Poll::Ready(Ok(()))
        }
    }

    fn protocol_error(r: Result<impl fmt::Debug, ConnError>) -> String {
        match r {
            Err(ConnError::Protocol(e)) => e.0,
            other => panic!("expected a protocol error, got {other:?}"),
        }
    }

    fn small_limits(bytes: usize) -> Limits {
        Limits {
            max_query_buffer_bytes: bytes,
            ..Limits::DEFAULT
        }
    }

    #[tokio::test]
    async fn protocol_errors_surface_as_protocol() {
        let mut c = Conn::new(&b"*1\r\n+PING\r\n"[..]);
        assert_eq!(protocol_error(c.read_command().await), "expected '$', got '+'");
        let mut c = Conn::new(&b"?x\r\n"[..]);
        assert_eq!(protocol_error(c.read_value().await), "got '?' as reply type byte");
        let mut c = Conn::new(&b"*1\r\n$1\r\nx\r\n"[..]);
        c.set_limits(Limits::DEFAULT.unauthenticated());
        assert_eq!(c.read_command().await.unwrap(), vec![b"x".to_vec()]);
        let mut c = Conn::new(&b"*11\r\n"[..]);
        c.set_limits(Limits::DEFAULT.unauthenticated());
        assert_eq!(
            protocol_error(c.read_command().await),
            "unauthenticated multibulk length"
        );
    }

    #[tokio::test]
    async fn never_buffers_past_the_limit() {
        const LIMIT_BYTES: usize = 1000;
        let mut endless_bulk = b"*1\r\n$5000\r\n".to_vec();
        endless_bulk.resize(20_000, b'a');
        let mut c = Conn::new(&endless_bulk[..]);
        c.set_limits(small_limits(LIMIT_BYTES));
        assert_eq!(protocol_error(c.read_command().await), "input buffer over limit");
        assert_eq!(c.rbuf.len() - c.rpos, LIMIT_BYTES);
        let mut endless_reply = b"*3\r\n$5000\r\n".to_vec();
        endless_reply.resize(20_000, b'a');
        let mut c = Conn::new(&endless_reply[..]);
        c.set_limits(small_limits(LIMIT_BYTES));
        assert_eq!(protocol_error(c.read_value().await), "input buffer over limit");
        assert!(c.rbuf.len() - c.rpos <= LIMIT_BYTES);
        // Frames that fit are read, however many pass through the connection in total.
        let mut many = Vec::new();
        for _ in 0..100 {
            encode_command(&["SET", "k", &"v".repeat(500)], &mut many);
        }
        let mut c = Conn::new(&many[..]);
        c.set_limits(small_limits(LIMIT_BYTES));
        for _ in 0..100 {
            assert_eq!(c.read_command().await.unwrap().len(), 3);
        }
        assert!(matches!(c.read_command().await, Err(ConnError::Closed)));
    }

    #[tokio::test]
    async fn frames_arriving_byte_by_byte_read_whole() {
        let mut data = Vec::new();
        encode_command(&["PING"], &mut data);
        data.extend_from_slice(b"\r\nSET \"a b\" c\r\n");
        encode_command(&["GET", "a b"], &mut data);
        let mut c = Conn::new(Trickle { data, pos: 0 });
        assert_eq!(c.read_command().await.unwrap(), vec![b"PING".to_vec()]);
        assert_eq!(
            c.read_command().await.unwrap(),
            vec![b"SET".to_vec(), b"a b".to_vec(), b"c".to_vec()]
        );
        assert_eq!(c.read_command().await.unwrap(), vec![b"GET".to_vec(), b"a b".to_vec()]);
        assert!(matches!(c.read_command().await, Err(ConnError::Closed)));
        let reply = Value::Array(vec![Value::bulk("x\r\ny"), Value::Nil, Value::Int(-1), Value::ok()]);
        let mut c = Conn::new(Trickle {
            data: [reply.to_bytes(), b"+PONG\r\n".to_vec()].concat(),
            pos: 0,
        });
        assert_eq!(c.read_value().await.unwrap(), reply);
        assert_eq!(c.read_value().await.unwrap(), Value::simple("PONG"));
    }
}
