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
