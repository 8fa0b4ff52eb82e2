//! The async driver: listener, one task per connection, the replication link task, the 1 s cron
//! and the delayed full-sync timer. All logic is in [`State`]; tasks only move bytes and time.

use crate::core::{Attempt, Effect, LinkTarget, Now, State};
use crate::db::Db;
use crate::repl::ReplId;
use crate::{Env, RedisConfig};
use host::BoxStream;
use resp::{Conn, ConnError, Value};
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// Period of `replicationCron` (and of the replica's REPLCONF ACK).
const CRON_PERIOD: Duration = Duration::from_secs(1);
/// Pause between connection attempts to an unreachable master (cron cadence in Redis).
const RECONNECT_PERIOD: Duration = Duration::from_secs(1);

struct Inner {
    st: State,
    link_task: Option<JoinHandle<()>>,
}

struct Node {
    inner: Mutex<Inner>,
    env: Env,
    start: Instant,
    ack_notify: Arc<Notify>,
}

impl Node {
    fn now(&self) -> Now {
        Now {
            wall_ms: self.env.clock.wall_ms(),
            mono_ms: self.start.elapsed().as_millis() as u64,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` on the state, executes the effects it produced and hands its notes to the
    /// observer (outside the lock).
    fn with<R>(self: &Arc<Self>, f: impl FnOnce(&mut State, Now) -> R) -> R {
        let now = self.now();
        let (r, notes, info) = {
            let mut g = self.lock();
            let r = f(&mut g.st, now);
            let effects = std::mem::take(&mut g.st.effects);
            for e in effects {
                self.execute(&mut g, e);
            }
            let notes = std::mem::take(&mut g.st.notes);
            // Only with lines: the observer reads INFO at transitions, not per command.
            let info = (!notes.is_empty()).then(|| (g.st.run_id.clone(), g.st.slave_repl_offset()));
            (r, notes, info)
        };
        if let Some((run_id, offset)) = info {
            self.env.observer.info(&run_id, offset);
        }
        for n in &notes {
            self.env.observer.note(n);
        }
        r
    }

    fn execute(self: &Arc<Self>, g: &mut Inner, e: Effect) {
        match e {
            Effect::StartLink(gen) => {
                if let Some(h) = g.link_task.take() {
                    h.abort();
                }
                g.link_task = Some(tokio::spawn(link_task(self.clone(), gen)));
            }
            Effect::StopLink => {
                if let Some(h) = g.link_task.take() {
                    h.abort();
                }
            }
            Effect::ScheduleFullSync(ms) => {
                let node = self.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                    node.with(|st, now| st.maybe_start_full_sync(now));
                });
            }
        }
    }
}

pub(crate) async fn run(cfg: RedisConfig, env: Env) -> io::Result<()> {
    let listener = env.net.listen(SocketAddr::from(([0, 0, 0, 0], cfg.port))).await?;
    let start = Instant::now();
    let st = State::new(
        &cfg,
        env.disk.clone(),
        Now {
            wall_ms: env.clock.wall_ms(),
            mono_ms: 0,
        },
    );
    let ack_notify = st.ack_notify.clone();
    let node = Arc::new(Node {
        inner: Mutex::new(Inner { st, link_task: None }),
        env,
        start,
        ack_notify,
    });
    let load_ms = node.with(|st, _| if st.loading { st.load_duration_ms() } else { 0 });
    {
        let node = node.clone();
        tokio::spawn(async move {
            if load_ms > 0 {
                tokio::time::sleep(Duration::from_millis(load_ms)).await;
            }
            node.with(|st, _| st.finish_startup());
            loop {
                tokio::time::sleep(CRON_PERIOD).await;
                node.with(|st, now| st.cron(now));
            }
        });
    }
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                tokio::spawn(serve_client(node.clone(), stream, peer));
            }
            // e.g. out of file descriptors on a real host: back off instead of spinning.
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

enum Event<T> {
    Wake,
    Read(Result<T, ConnError>),
}

async fn serve_client(node: Arc<Node>, stream: BoxStream, peer: SocketAddr) {
    let laddr = stream.local_addr().map(|a| a.to_string()).unwrap_or_default();
    let mut conn = Conn::new(stream);
    let registered = node.with(|st, now| st.register_client(peer.to_string(), laddr, now));
    let (cid, notify) = match registered {
        Ok(x) => x,
        Err(v) => {
            let _ = conn.write_value(&v).await;
            return;
        }
    };
    let acks = node.ack_notify.clone();
    let mut buf = Vec::new();
    loop {
        // Created before looking at the state so that an ACK arriving meanwhile is not missed.
        let ack = acks.notified();
        let (closing, blocked) = node.with(|st, now| {
            let blocked = st.check_blocked(cid, now);
            (st.take_output(cid, &mut buf), blocked)
        });
        let Some(closing) = closing else {
            break; // killed
        };
        if !buf.is_empty() {
            conn.queue_raw(&buf);
            buf.clear();
            if conn.flush().await.is_err() {
                break;
            }
        }
        if closing {
            break;
        }
        if let Some(deadline) = blocked {
            // Blocked in WAIT: no further commands until an ACK, the deadline or a kill.
            let wait_ms = deadline
                .map(|d| d.saturating_sub(node.now().mono_ms))
                .unwrap_or(3_600_000);
            tokio::select! {
                biased;
                _ = notify.notified() => {}
                _ = ack => {}
                _ = tokio::time::sleep(Duration::from_millis(wait_ms)) => {}
            }
            continue;
        }
        let ev = tokio::select! {
            biased;
            _ = notify.notified() => Event::Wake,
            r = conn.read_command() => Event::Read(r),
        };
        match ev {
            Event::Wake => {}
            Event::Read(Ok(args)) => {
                let batch = node.with(|st, now| {
                    let mut go = st.process(cid, args, now);
                    while go {
                        match conn.try_buffered_command() {
                            Ok(Some(a)) => go = st.process(cid, a, now),
                            Ok(None) => break,
                            Err(e) => return Err(e),
                        }
                    }
                    Ok(())
                });
                if let Err(e) = batch {
                    protocol_error(&node, cid, &mut conn, e).await;
                    break;
                }
            }
            Event::Read(Err(ConnError::Protocol(e))) => {
                protocol_error(&node, cid, &mut conn, ConnError::Protocol(e)).await;
                break;
            }
            Event::Read(Err(_)) => break,
        }
    }
    node.with(|st, now| st.client_gone(cid, now));
}

/// Sends what was already answered, then `-ERR Protocol error: ...`; the caller closes.
async fn protocol_error(node: &Arc<Node>, cid: u64, conn: &mut Conn<BoxStream>, e: ConnError) {
    let mut buf = Vec::new();
    node.with(|st, _| st.take_output(cid, &mut buf));
    conn.queue_raw(&buf);
    conn.queue_value(&Value::err(format!("ERR {e}")));
    let _ = conn.flush().await;
}

// ------------------------------------------------------------------------------------------------
// Replica side: the link to our master.

enum LinkErr {
    /// A newer REPLICAOF replaced this link.
    Obsolete,
    /// Log this and try again.
    Failed(String),
}

fn describe(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::ConnectionRefused => "Connection refused".into(),
        io::ErrorKind::ConnectionReset => "Connection reset by peer".into(),
        io::ErrorKind::TimedOut => "Connection timed out".into(),
        _ => e.to_string(),
    }
}

fn conn_err(e: ConnError) -> LinkErr {
    match e {
        ConnError::Closed => LinkErr::Failed("Master closed the connection during the handshake".into()),
        ConnError::Io(e) => LinkErr::Failed(format!("Error condition on socket for SYNC: {}", describe(&e))),
        ConnError::Protocol(e) => LinkErr::Failed(format!("Unexpected reply from master: {e}")),
    }
}

async fn request(conn: &mut Conn<BoxStream>, args: &[&[u8]], to: Duration) -> Result<Value, LinkErr> {
    let fut = async {
        conn.write_command(args).await?;
        conn.read_value().await
    };
    match tokio::time::timeout(to, fut).await {
        Ok(r) => r.map_err(conn_err),
        Err(_) => Err(LinkErr::Failed("Timeout connecting to the MASTER...".into())),
    }
}

async fn link_task(node: Arc<Node>, gen: u64) {
    let mut attempt = Attempt::First;
    loop {
        if attempt == Attempt::Retry {
            tokio::time::sleep(RECONNECT_PERIOD).await;
        }
        let Some(t) = node.with(|st, _| st.link_attempt(gen, attempt)) else {
            return;
        };
        attempt = Attempt::Retry;
        let timeout = Duration::from_secs(t.timeout_s);
        let stream = match host::connect(&*node.env.net, &t.host, t.port, timeout).await {
            Ok(s) => s,
            Err(e) => {
                let msg = format!("Error condition on socket for SYNC: {}", describe(&e));
                if !node.with(|st, _| st.link_failed(gen, msg)) {
                    return;
                }
                continue;
            }
        };
        let laddr = stream.local_addr().map(|a| a.to_string()).unwrap_or_default();
        let mut conn = Conn::new(stream);
        match sync_with_master(&node, gen, &t, &mut conn, laddr).await {
            Ok((cid, notify)) => {
                stream_from_master(&node, gen, cid, &notify, &mut conn).await;
                node.with(|st, now| st.client_gone(cid, now));
                attempt = Attempt::Reconnect;
            }
            Err(LinkErr::Obsolete) => return,
            Err(LinkErr::Failed(msg)) => {
                if !node.with(|st, _| st.link_failed(gen, msg)) {
                    return;
                }
            }
        }
    }
}

/// `syncWithMaster`: handshake, PSYNC, and the snapshot load on a full resync.
async fn sync_with_master(
    node: &Arc<Node>,
    gen: u64,
    t: &LinkTarget,
    conn: &mut Conn<BoxStream>,
    laddr: String,
) -> Result<(u64, Arc<Notify>), LinkErr> {
    let to = Duration::from_secs(t.timeout_s);
    match request(conn, &[b"PING"], to).await? {
        Value::Error(e)
            if !(e.starts_with("NOAUTH")
                || e.starts_with("NOPERM")
                || e.starts_with("ERR operation not permitted")) =>
        {
            return Err(LinkErr::Failed(format!("Error reply to PING from master: '-{e}'")));
        }
        _ => {}
    }
    if !node.with(|st, _| st.link_handshake(gen)) {
        return Err(LinkErr::Obsolete);
    }
    if let Some(pass) = &t.auth {
        if let Value::Error(e) = request(conn, &[b"AUTH", pass.as_bytes()], to).await? {
            return Err(LinkErr::Failed(format!("Unable to AUTH to MASTER: -{e}")));
        }
    }
    // Replies to these are not critical (Redis only logs them).
    let port = t.listening_port.to_string();
    request(conn, &[b"REPLCONF", b"listening-port", port.as_bytes()], to).await?;
    request(conn, &[b"REPLCONF", b"ip-address", t.announce_ip.as_bytes()], to).await?;
    request(conn, &[b"REPLCONF", b"capa", b"eof", b"capa", b"psync2"], to).await?;
    let Some((id, off)) = node.with(|st, _| st.link_psync_args(gen)) else {
        return Err(LinkErr::Obsolete);
    };
    let addr = format!("{}:{}", t.host, t.port);
    let reply = request(
        conn,
        &[b"PSYNC", id.as_bytes(), off.as_bytes()],
        Duration::from_millis(t.psync_wait_ms),
    )
    .await?;
    match reply {
        Value::Simple(s) if s.starts_with("FULLRESYNC") => {
            let mut parts = s.split(' ').skip(1);
            let id = parts.next().and_then(|p| ReplId::parse(p.as_bytes()));
            let off = parts.next().and_then(|p| p.parse::<i64>().ok());
            let (Some(id), Some(off)) = (id, off) else {
                return Err(LinkErr::Failed(format!("Bad FULLRESYNC reply from master: '{s}'")));
            };
            if !node.with(|st, _| st.link_fullresync(gen, id, off)) {
                return Err(LinkErr::Obsolete);
            }
            let payload = match tokio::time::timeout(to, conn.read_value()).await {
                Ok(Ok(Value::Bulk(p))) => p,
                Ok(Ok(_)) => {
                    return Err(LinkErr::Failed(
                        "Bad protocol from MASTER, the first byte is not '$'".into(),
                    ))
                }
                Ok(Err(e)) => return Err(conn_err(e)),
                Err(_) => return Err(LinkErr::Failed("Timeout receiving bulk data from MASTER...".into())),
            };
            let db = Db::load_snapshot(&payload).map_err(|e| {
                LinkErr::Failed(format!(
                    "Failed trying to load the MASTER synchronization DB from socket: {e}"
                ))
            })?;
            drop(payload);
            let Some(load_ms) = node.with(|st, now| st.link_load_begin(gen, id, off, &db, now)) else {
                return Err(LinkErr::Obsolete);
            };
            tokio::time::sleep(Duration::from_millis(load_ms)).await;
            node.with(|st, now| st.link_load_finish(gen, id, off, db, (addr, laddr), now))
                .ok_or(LinkErr::Obsolete)
        }
        Value::Simple(s) if s.starts_with("CONTINUE") => {
            let new_id = s.split(' ').nth(1).and_then(|p| ReplId::parse(p.as_bytes()));
            node.with(|st, now| st.link_continue(gen, new_id, addr, laddr, now))
                .ok_or(LinkErr::Obsolete)
        }
        Value::Error(e) if e.starts_with("NOMASTERLINK") || e.starts_with("LOADING") => Err(LinkErr::Failed(format!(
            "Master is currently unable to PSYNC but should be in the future: -{e}"
        ))),
        other => Err(LinkErr::Failed(format!(
            "Unexpected reply to PSYNC from master: {other:?}"
        ))),
    }
}

/// Applies the master's stream until the link breaks (or is killed / timed out by the cron);
/// sends what the state queued for the master (ACKs).
async fn stream_from_master(node: &Arc<Node>, gen: u64, cid: u64, notify: &Notify, conn: &mut Conn<BoxStream>) {
    let mut buf = Vec::new();
    loop {
        let Some(closing) = node.with(|st, _| st.take_output(cid, &mut buf)) else {
            return;
        };
        if !buf.is_empty() {
            conn.queue_raw(&buf);
            buf.clear();
            if conn.flush().await.is_err() {
                return;
            }
        }
        if closing {
            return;
        }
        let ev = tokio::select! {
            biased;
            _ = notify.notified() => Event::Wake,
            r = conn.read_command() => Event::Read(r),
        };
        match ev {
            Event::Wake => {}
            Event::Read(Ok(args)) => {
                let alive = node.with(|st, now| {
                    if !st.link_apply(gen, cid, args, now) {
                        return false;
                    }
                    loop {
                        match conn.try_buffered_command() {
                            Ok(Some(a)) => {
                                if !st.link_apply(gen, cid, a, now) {
                                    return false;
                                }
                            }
                            Ok(None) => return true,
                            Err(_) => return false,
                        }
                    }
                });
                if !alive {
                    return;
                }
            }
            Event::Read(Err(_)) => return,
        }
    }
}
