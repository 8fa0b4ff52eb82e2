//! A TCP stream of the simulated network: madsim's stream, plus what madsim does not simulate.
//!
//! - madsim delivers a peer's close (FIN) or a reset at once, even across a clog. Here a close
//!   that arrives while the path from the peer is cut is held until the path opens (when the
//!   retransmitted FIN would get through); a write that finds the peer's socket gone while the
//!   path is cut is lost on the wire, and the reset it would draw is reported once the path is
//!   open both ways. This also covers a killed process behind a partition.
//! - On a shaped link (extra latency, loss) each flushed segment is released to madsim when its
//!   delay (and the retransmissions of its losses) has passed, by a forwarder task, in order.
//!   Plain links write straight to madsim: no task, no copy, no lock.
//! - madsim has no acknowledgements, so across a one-way cut (the peer's packets to us dropped,
//!   ours to it delivered) it would deliver our data for ever. TCP cannot: without the peer's
//!   ACKs a sender has at most its congestion window in flight, so after [`CWND_SEGMENTS`]
//!   segments since the path back was cut, later writes wait (through the forwarder) until it
//!   opens. (A real sender resumes at its next retransmission after the heal; here at the heal.)

use super::links::Network;
use super::tap::{Side, StreamTap};
use host::{BoxFuture, BoxStream, Listener, Stream};
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf, ReadHalf, WriteHalf};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::Instant;

enum Io {
    /// Plain so far: reads and writes go straight to madsim.
    Whole(TcpStream),
    /// Since the first flush on a shaped link: writes go through the forwarder (for good, so that
    /// bytes keep their order when the link changes).
    Shaped {
        read: ReadHalf<TcpStream>,
        segments: mpsc::UnboundedSender<Segment>,
        /// When the last queued segment is due: a later one never overtakes it.
        last_due: Instant,
    },
    /// Only while switching from `Whole` to `Shaped`.
    Switching,
}

/// Segments a sender puts in flight without an acknowledgement: Linux's initial congestion
/// window (RFC 6928), to which an idle connection falls back (RFC 2861). Sentinel's and the
/// data nodes' connections carry small commands, one segment each.
pub const CWND_SEGMENTS: u32 = 10;

/// One flush's bytes and when they reach the wire; `abort`: every retransmission was lost;
/// `held`: sent beyond the congestion window while the path back was cut, so it waits until
/// that path opens.
struct Segment {
    due: Instant,
    bytes: Vec<u8>,
    abort: bool,
    held: bool,
}

/// What the forwarder tells the stream.
#[derive(Default)]
struct Feedback {
    failed: Option<io::ErrorKind>,
    reader: Option<Waker>,
}

/// A connection between two simulated hosts (`me` is this end's host).
pub struct SimStream {
    io: Io,
    net: Network,
    me: IpAddr,
    peer: IpAddr,
    local: SocketAddr,
    remote: SocketAddr,
    /// Bytes written since the last flush while the link was shaped.
    pending: Vec<u8>,
    /// The end of the stream (`None`: EOF, else an error) that arrived while the path from the
    /// peer was cut: not seen until it opens.
    held: Option<Option<io::ErrorKind>>,
    /// A write found the peer's socket gone: the reset is seen once the path is open both ways.
    reset: Option<io::ErrorKind>,
    feedback: Arc<Mutex<Feedback>>,
    /// Records the safety messages on this stream (only on streams with a Sentinel at one end).
    tap: Option<StreamTap>,
    /// Bytes written since the last flush (counted, for `bench`).
    unflushed: usize,
    /// Segments sent since the path from the peer (its ACKs) was cut; 0 while it is open.
    unacked: u32,
}

impl SimStream {
    pub fn new(stream: TcpStream, me: IpAddr, net: Network, side: Side) -> Self {
        let local = stream.local_addr().unwrap_or_else(|_| SocketAddr::new(me, 0));
        let remote = stream.peer_addr().unwrap_or_else(|_| SocketAddr::new(me, 0));
        let tap = net.tap_for(me, remote.ip(), side);
        SimStream {
            tap,
            io: Io::Whole(stream),
            net,
            me,
            peer: remote.ip(),
            local,
            remote,
            pending: Vec::new(),
            held: None,
            reset: None,
            feedback: Arc::default(),
            unflushed: 0,
            unacked: 0,
        }
    }

    fn feedback(&self) -> std::sync::MutexGuard<'_, Feedback> {
        self.feedback.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes in a failure the forwarder met (the peer's socket gone, or the link given up).
    fn absorb(&mut self) {
        if self.reset.is_none() && matches!(self.io, Io::Shaped { .. }) {
            let failed = self.feedback().failed.take();
            self.reset = failed;
        }
    }

    /// A write failed (`e`): reported now if the reset can reach us, else lost until the heal.
    fn write_failed(&mut self, e: io::Error) -> Poll<io::Result<()>> {
        if self.net.is_open(self.me, self.peer) {
            return Poll::Ready(Err(e));
        }
        self.reset = Some(e.kind());
        Poll::Ready(Ok(()))
    }

    /// Whether the congestion window is used up: the path from the peer (its ACKs) is cut and
    /// [`CWND_SEGMENTS`] segments went out since.
    fn window_full(&self) -> bool {
        self.unacked >= CWND_SEGMENTS && self.net.is_cut_one_way(self.peer, self.me)
    }

    /// Counts a segment going out now against the congestion window.
    fn count_segment(&mut self) {
        // Only across a one-way cut: across a cut both ways madsim holds our segments itself and
        // delivers them after the heal, as retransmissions would.
        if self.net.is_cut_one_way(self.peer, self.me) {
            self.unacked = self.unacked.saturating_add(1);
        } else {
            self.unacked = 0;
        }
    }

    /// Switches to writing through a forwarder task.
    fn start_forwarder(&mut self) {
        let Io::Whole(s) = std::mem::replace(&mut self.io, Io::Switching) else {
            return;
        };
        let (read, write) = tokio::io::split(s);
        let (tx, rx) = mpsc::unbounded_channel();
        let back = (self.net.clone(), self.peer, self.me);
        tokio::spawn(forward(write, rx, self.feedback.clone(), back));
        self.io = Io::Shaped {
            read,
            segments: tx,
            last_due: Instant::now(),
        };
    }

    /// Queues what was written since the last flush, due after this link's delay.
    fn enqueue(&mut self) {
        let Io::Shaped { segments, last_due, .. } = &mut self.io else {
            return;
        };
        let now = Instant::now();
        let (delay, abort) = match self.net.segment_delay(self.me, self.peer) {
            Ok(d) => (d, false),
            Err(d) => (d, true),
        };
        let due = (now + delay).max(*last_due);
        *last_due = due;
        let bytes = std::mem::take(&mut self.pending);
        let held = self.unacked > CWND_SEGMENTS;
        // A closed queue means the forwarder failed; `absorb` reports it.
        let _ = segments.send(Segment {
            due,
            bytes,
            abort,
            held,
        });
    }

    /// The end of the stream as the caller sees it, or Pending while the path keeps it away.
    fn end(&mut self, end: Option<io::ErrorKind>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // A FIN (or the peer's RST) only needs the path from the peer.
        if self.net.is_cut(self.peer, self.me) {
            self.held = Some(end);
            self.net.park(cx.waker());
            return Poll::Pending;
        }
        Poll::Ready(end.map_or(Ok(()), |k| Err(k.into())))
    }
}

impl SimStream {
    fn write(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        if let Some(kind) = self.reset {
            // Lost on the wire while cut; refused once the reset can arrive.
            return Poll::Ready(if self.net.is_open(self.me, self.peer) {
                Err(kind.into())
            } else {
                Ok(buf.len())
            });
        }
        let full = self.window_full();
        match &mut self.io {
            Io::Whole(s) if self.pending.is_empty() && !self.net.is_shaped(self.me, self.peer) && !full => {
                Pin::new(s).poll_write(cx, buf)
            }
            _ => {
                self.pending.extend_from_slice(buf);
                Poll::Ready(Ok(buf.len()))
            }
        }
    }
}

/// Releases each segment to madsim when it is due (a held one once the path back, `back`:
/// (network, peer, me), is open); on a failure, tells the stream and stops.
async fn forward(
    mut w: WriteHalf<TcpStream>,
    mut rx: mpsc::UnboundedReceiver<Segment>,
    fb: Arc<Mutex<Feedback>>,
    back: (Network, IpAddr, IpAddr),
) {
    let (net, peer, me) = back;
    while let Some(seg) = rx.recv().await {
        let now = Instant::now();
        if seg.due > now {
            tokio::time::sleep(seg.due - now).await;
        }
        if seg.held {
            // Until the path back opens (or is cut both ways, when madsim holds the segment).
            std::future::poll_fn(|cx| {
                if net.is_cut_one_way(peer, me) {
                    net.park(cx.waker());
                    Poll::Pending
                } else {
                    Poll::Ready(())
                }
            })
            .await;
        }
        let sent = if seg.abort {
            Err(io::Error::new(io::ErrorKind::TimedOut, "connection timed out"))
        } else {
            match w.write_all(&seg.bytes).await {
                Ok(()) => w.flush().await,
                Err(e) => Err(e),
            }
        };
        if let Err(e) = sent {
            let mut f = fb.lock().unwrap_or_else(|e| e.into_inner());
            f.failed = Some(e.kind());
            if let Some(r) = f.reader.take() {
                r.wake();
            }
            return;
        }
    }
}

impl AsyncRead for SimStream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.absorb();
        if let Some(kind) = this.reset {
            if this.net.is_open(this.me, this.peer) {
                return Poll::Ready(Err(kind.into()));
            }
            this.net.park(cx.waker());
            return Poll::Pending;
        }
        if let Some(end) = this.held {
            return this.end(end, cx);
        }
        let before = buf.filled().len();
        let r = match &mut this.io {
            Io::Whole(s) => Pin::new(s).poll_read(cx, buf),
            Io::Shaped { read, .. } => Pin::new(read).poll_read(cx, buf),
            Io::Switching => Poll::Ready(Ok(())),
        };
        if let (Some(tap), Poll::Ready(Ok(()))) = (&mut this.tap, &r) {
            tap.read(&buf.filled()[before..]);
        }
        match r {
            Poll::Ready(Ok(())) if buf.filled().len() == before && buf.remaining() > 0 => this.end(None, cx),
            Poll::Ready(Err(e)) if this.net.is_cut(this.peer, this.me) => this.end(Some(e.kind()), cx),
            Poll::Pending => {
                if matches!(this.io, Io::Shaped { .. }) {
                    this.feedback().reader = Some(cx.waker().clone());
                }
                Poll::Pending
            }
            other => other,
        }
    }
}

impl AsyncWrite for SimStream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.absorb();
        let r = this.write(cx, buf);
        if let Poll::Ready(Ok(n)) = &r {
            this.unflushed += n;
        }
        // Written by the sender (even when lost on the wire behind a cut): what the tap records.
        if let (Some(tap), Poll::Ready(Ok(n))) = (&mut this.tap, &r) {
            tap.wrote(&buf[..*n]);
        }
        r
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.absorb();
        let bytes = std::mem::take(&mut this.unflushed);
        this.net.count_flush(bytes);
        if bytes > 0 {
            this.count_segment();
        }
        if let Some(kind) = this.reset {
            return this.write_failed(kind.into());
        }
        if let Io::Whole(s) = &mut this.io {
            match Pin::new(s).poll_flush(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => return this.write_failed(e),
                Poll::Ready(Ok(())) => {}
            }
            if this.pending.is_empty() {
                return Poll::Ready(Ok(()));
            }
            this.start_forwarder();
        }
        if !this.pending.is_empty() {
            this.enqueue();
        }
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().io {
            Io::Whole(s) => Pin::new(s).poll_shutdown(cx),
            _ => Poll::Ready(Ok(())),
        }
    }
}

impl Stream for SimStream {
    fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.local)
    }
    fn peer_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.remote)
    }
    fn set_nodelay(&self, _on: bool) -> io::Result<()> {
        Ok(())
    }
}

/// A listening socket on a simulated host; what it accepts are [`SimStream`]s.
pub struct SimListener {
    pub(super) inner: tokio::net::TcpListener,
    pub(super) me: IpAddr,
    pub(super) net: Network,
}

impl Listener for SimListener {
    fn accept(&self) -> BoxFuture<'_, io::Result<(BoxStream, SocketAddr)>> {
        Box::pin(async move {
            let (s, peer) = self.inner.accept().await?;
            Ok((
                Box::new(SimStream::new(s, self.me, self.net.clone(), Side::Server)) as BoxStream,
                peer,
            ))
        })
    }
    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}
