//! The sentinel port's clients: who is connected (for CLIENT LIST / KILL and `connected_clients`)
//! and who is subscribed to what (SUBSCRIBE / PSUBSCRIBE), with the fan-out of published events.
//!
//! Shared between the main loop (which publishes) and the client tasks (which subscribe), behind
//! one mutex never held across an await. Publishing never blocks: every client has a bounded queue
//! of outgoing push frames; a subscriber whose queue is full is disconnected, as Redis does with
//! `client-output-buffer-limit pubsub`. All maps are ordered (no hash-order leaks).

use crate::glob::string_match;
use sentinel_core::port::acl::Acl;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::mpsc;
use tokio::time::Instant;

/// An encoded RESP frame pushed to a client (shared by all receivers of one message).
pub type Frame = Arc<[u8]>;

/// Push frames a client may have queued before it is dropped as too slow (Redis' default pubsub
/// output limit is 32 MB hard / 8 MB for 60 s; Sentinel events are ~100 bytes each).
pub const SUBSCRIBER_QUEUE_CAP: usize = 4096;

/// Redis' default `maxclients`.
pub const MAX_CLIENTS: usize = 10_000;
/// Descriptors Redis keeps for itself beyond `maxclients` (its links, files, the listener).
pub const RESERVED_FDS: usize = 32;

/// Client type for CLIENT LIST / KILL `TYPE` filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientType {
    Normal,
    Master,
    Replica,
    Pubsub,
}

impl ClientType {
    pub fn parse(s: &[u8]) -> Option<ClientType> {
        let s = String::from_utf8_lossy(s).to_ascii_lowercase();
        match s.as_str() {
            "normal" => Some(ClientType::Normal),
            "master" => Some(ClientType::Master),
            "slave" | "replica" => Some(ClientType::Replica),
            "pubsub" => Some(ClientType::Pubsub),
            _ => None,
        }
    }
}

/// Which clients a CLIENT LIST / CLIENT KILL applies to (all given conditions must hold).
#[derive(Debug, Clone, Default)]
pub struct ClientFilter {
    pub ids: Option<Vec<u64>>,
    pub addr: Option<String>,
    pub laddr: Option<String>,
    pub kind: Option<ClientType>,
    /// Clients authenticated as this ACL user.
    pub user: Option<String>,
    /// Client id never matched (SKIPME yes).
    pub skip: Option<u64>,
}

struct Client {
    tx: mpsc::Sender<Frame>,
    killed: Arc<AtomicBool>,
    addr: String,
    laddr: String,
    name: Option<String>,
    created: Instant,
    last_active: Instant,
    last_cmd: String,
    channels: BTreeSet<Vec<u8>>,
    patterns: BTreeSet<Vec<u8>>,
    /// The ACL user the client is authenticated as (or would be: `default` before AUTH).
    user: String,
    /// RESP protocol version (HELLO).
    resp: u8,
}

impl Client {
    fn subscriptions(&self) -> usize {
        self.channels.len() + self.patterns.len()
    }
    fn kind(&self) -> ClientType {
        if self.subscriptions() > 0 {
            ClientType::Pubsub
        } else {
            ClientType::Normal
        }
    }
}

#[derive(Default)]
struct Inner {
    clients: BTreeMap<u64, Client>,
    channels: BTreeMap<Vec<u8>, BTreeSet<u64>>,
    patterns: BTreeMap<Vec<u8>, BTreeSet<u64>>,
    next_id: u64,
    closed: bool,
    dropped_slow: u64,
    acl: Acl,
}

impl Inner {
    fn remove(&mut self, id: u64) -> bool {
        let Some(c) = self.clients.remove(&id) else {
            return false;
        };
        c.killed.store(true, Ordering::Relaxed);
        for ch in &c.channels {
            remove_member(&mut self.channels, ch, id);
        }
        for p in &c.patterns {
            remove_member(&mut self.patterns, p, id);
        }
        true
    }
}

fn remove_member(map: &mut BTreeMap<Vec<u8>, BTreeSet<u64>>, key: &[u8], id: u64) {
    if let Some(set) = map.get_mut(key) {
        set.remove(&id);
        if set.is_empty() {
            map.remove(key);
        }
    }
}

/// What a client task gets when it registers.
pub struct Registration {
    pub id: u64,
    /// Push frames (published messages). `None` from `recv` means the client was killed.
    pub rx: mpsc::Receiver<Frame>,
    /// Set when the client is killed (CLIENT KILL, too slow, shutdown): stop writing at once.
    pub killed: Arc<AtomicBool>,
}

/// Whether a subscription command was for channels or patterns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubKind {
    Channel,
    Pattern,
}

pub struct Hub {
    inner: Mutex<Inner>,
    queue_cap: usize,
    /// Origin of [`Hub::now_ms`] (ACL LOG ages are differences of it).
    epoch: Instant,
    /// Redis's `aclfile`, if the users live there.
    acl_file: Mutex<Option<std::path::PathBuf>>,
    /// Redis's `protected-mode` (off by default on a Sentinel).
    protected_mode: AtomicBool,
    /// Clients accepted at most (`maxclients`, lowered to fit the descriptor limit).
    max_clients: std::sync::atomic::AtomicUsize,
    /// Seed of ACL GENPASS, and how many passwords were drawn from it.
    genpass: (u64, std::sync::atomic::AtomicU64),
}

impl Default for Hub {
    fn default() -> Self {
        Hub::new(SUBSCRIBER_QUEUE_CAP)
    }
}

impl Hub {
    pub fn new(queue_cap: usize) -> Self {
        Hub {
            inner: Mutex::new(Inner {
                next_id: 1,
                ..Inner::default()
            }),
            queue_cap: queue_cap.max(1),
            epoch: Instant::now(),
            acl_file: Mutex::new(None),
            protected_mode: AtomicBool::new(false),
            max_clients: std::sync::atomic::AtomicUsize::new(MAX_CLIENTS),
            genpass: (0, std::sync::atomic::AtomicU64::new(0)),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the maps inconsistent in a way that matters
        // more than stopping the node would, so a poisoned lock is simply reused.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a client; `None` once the hub is shut down.
    pub fn register(&self, addr: String, laddr: String) -> Option<Registration> {
        let mut g = self.lock();
        if g.closed {
            return None;
        }
        let id = g.next_id;
        g.next_id += 1;
        let (tx, rx) = mpsc::channel(self.queue_cap);
        let killed = Arc::new(AtomicBool::new(false));
        let now = Instant::now();
        g.clients.insert(
            id,
            Client {
                tx,
                killed: killed.clone(),
                addr,
                laddr,
                name: None,
                created: now,
                last_active: now,
                last_cmd: "NULL".into(),
                channels: BTreeSet::new(),
                patterns: BTreeSet::new(),
                user: "default".into(),
                resp: 2,
            },
        );
        Some(Registration { id, rx, killed })
    }

    /// Removes a client (its task ended). Returns false if it was already gone.
    pub fn unregister(&self, id: u64) -> bool {
        self.lock().remove(id)
    }

    /// Disconnects a client: its task sees `killed` and its push queue closes.
    pub fn kill(&self, id: u64) -> bool {
        self.lock().remove(id)
    }

    /// Disconnects every client and refuses new ones (node exit).
    pub fn shutdown(&self) {
        let mut g = self.lock();
        g.closed = true;
        let ids: Vec<u64> = g.clients.keys().copied().collect();
        for id in ids {
            g.remove(id);
        }
    }

    pub fn client_count(&self) -> usize {
        self.lock().clients.len()
    }

    /// Subscribers dropped because their push queue overflowed.
    pub fn dropped_slow_subscribers(&self) -> u64 {
        self.lock().dropped_slow
    }

    /// Number of channels and of patterns with at least one subscriber.
    pub fn pubsub_counts(&self) -> (usize, usize) {
        let g = self.lock();
        (g.channels.len(), g.patterns.len())
    }

    /// Records the command a client is running (CLIENT LIST `cmd=`, `idle=`).
    pub fn touch(&self, id: u64, cmd: &str) {
        let mut g = self.lock();
        if let Some(c) = g.clients.get_mut(&id) {
            c.last_active = Instant::now();
            if c.last_cmd != cmd {
                c.last_cmd.clear();
                c.last_cmd.push_str(cmd);
            }
        }
    }

    /// Milliseconds since the hub was made (the runtime's clock: simulated under madsim).
    pub fn now_ms(&self) -> i64 {
        Instant::now().saturating_duration_since(self.epoch).as_millis() as i64
    }

    /// The hub with the node's seed (ACL GENPASS draws from it).
    pub fn with_seed(queue_cap: usize, seed: u64) -> Self {
        let mut h = Hub::new(queue_cap);
        h.genpass.0 = seed;
        h
    }

    pub fn set_acl_file(&self, path: Option<std::path::PathBuf>) {
        *self.acl_file.lock().unwrap_or_else(|e| e.into_inner()) = path;
    }

    pub fn acl_file(&self) -> Option<std::path::PathBuf> {
        self.acl_file.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn set_protected_mode(&self, on: bool) {
        self.protected_mode.store(on, Ordering::Relaxed);
    }

    /// Protected mode refuses non-loopback clients while the default user has no password.
    pub fn refuses(&self, peer: &std::net::SocketAddr) -> bool {
        self.protected_mode.load(Ordering::Relaxed)
            && !peer.ip().is_loopback()
            && self.with_acl(|acl| acl.default_nopass())
    }

    pub fn max_clients(&self) -> usize {
        self.max_clients.load(Ordering::Relaxed)
    }

    pub fn set_max_clients(&self, n: usize) {
        self.max_clients.store(n.max(1), Ordering::Relaxed);
    }

    /// A fresh seed for one ACL GENPASS.
    pub fn genpass_seed(&self) -> u64 {
        let n = self.genpass.1.fetch_add(1, Ordering::Relaxed);
        self.genpass.0 ^ n.wrapping_mul(0xD1B5_4A32_D192_ED03)
    }

    /// Replaces the ACL users (at start, from the config).
    pub fn set_acl(&self, acl: Acl) {
        self.lock().acl = acl;
    }

    /// Runs `f` on the ACL users (the lock is held: `f` must not call back into the hub).
    pub fn with_acl<R>(&self, f: impl FnOnce(&mut Acl) -> R) -> R {
        f(&mut self.lock().acl)
    }

    /// Records whom a client authenticated as.
    pub fn set_user(&self, id: u64, user: &str) {
        if let Some(c) = self.lock().clients.get_mut(&id) {
            c.user = user.to_string();
        }
    }

    /// Records a client's protocol version (HELLO).
    pub fn set_resp(&self, id: u64, resp: u8) {
        if let Some(c) = self.lock().clients.get_mut(&id) {
            c.resp = resp;
        }
    }

    pub fn set_name(&self, id: u64, name: Option<String>) {
        if let Some(c) = self.lock().clients.get_mut(&id) {
            c.name = name;
        }
    }

    /// Subscribes to a channel or pattern; returns the client's subscription count afterwards,
    /// `None` if the client is gone.
    pub fn subscribe(&self, id: u64, kind: SubKind, name: &[u8]) -> Option<usize> {
        let mut g = self.lock();
        let inner = &mut *g;
        let c = inner.clients.get_mut(&id)?;
        let (mine, all) = match kind {
            SubKind::Channel => (&mut c.channels, &mut inner.channels),
            SubKind::Pattern => (&mut c.patterns, &mut inner.patterns),
        };
        if mine.insert(name.to_vec()) {
            all.entry(name.to_vec()).or_default().insert(id);
        }
        Some(c.subscriptions())
    }

    /// Unsubscribes from one channel or pattern (subscribed or not); returns the count afterwards.
    pub fn unsubscribe(&self, id: u64, kind: SubKind, name: &[u8]) -> Option<usize> {
        let mut g = self.lock();
        let inner = &mut *g;
        let c = inner.clients.get_mut(&id)?;
        let (mine, all) = match kind {
            SubKind::Channel => (&mut c.channels, &mut inner.channels),
            SubKind::Pattern => (&mut c.patterns, &mut inner.patterns),
        };
        if mine.remove(name) {
            remove_member(all, name, id);
        }
        Some(c.subscriptions())
    }

    /// Unsubscribes from every channel (or pattern); returns each name with the count after it.
    pub fn unsubscribe_all(&self, id: u64, kind: SubKind) -> Option<Vec<(Vec<u8>, usize)>> {
        let mut g = self.lock();
        let inner = &mut *g;
        let c = inner.clients.get_mut(&id)?;
        let (mine, all, other) = match kind {
            SubKind::Channel => (&mut c.channels, &mut inner.channels, c.patterns.len()),
            SubKind::Pattern => (&mut c.patterns, &mut inner.patterns, c.channels.len()),
        };
        let names = std::mem::take(mine);
        let mut left = names.len() + other;
        let mut out = Vec::with_capacity(names.len());
        for n in names {
            remove_member(all, &n, id);
            left -= 1;
            out.push((n, left));
        }
        Some(out)
    }

    pub fn subscription_count(&self, id: u64) -> usize {
        self.lock().clients.get(&id).map_or(0, |c| c.subscriptions())
    }

    /// Publishes `payload` on `channel`: a `message` to channel subscribers, then a `pmessage` per
    /// matching pattern. Never blocks; subscribers that cannot keep up are disconnected. Returns
    /// the number of frames queued.
    pub fn publish(&self, channel: &[u8], payload: &[u8]) -> usize {
        let mut g = self.lock();
        if g.channels.is_empty() && g.patterns.is_empty() {
            return 0;
        }
        let inner = &mut *g;
        let mut doomed = Vec::new();
        let mut sent = 0;
        if let Some(ids) = inner.channels.get(channel) {
            let frames = Frames::new(encode_message(channel, payload));
            for id in ids {
                push(&inner.clients, *id, &frames, &mut sent, &mut doomed);
            }
        }
        for (pattern, ids) in &inner.patterns {
            if string_match(pattern, channel, false) {
                let frames = Frames::new(encode_pmessage(pattern, channel, payload));
                for id in ids {
                    push(&inner.clients, *id, &frames, &mut sent, &mut doomed);
                }
            }
        }
        for id in doomed {
            if inner.remove(id) {
                inner.dropped_slow += 1;
            }
        }
        sent
    }

    /// CLIENT LIST / INFO line of one client (with its trailing newline).
    pub fn client_line(&self, id: u64) -> Option<String> {
        let g = self.lock();
        let now = Instant::now();
        g.clients.get(&id).map(|c| format_client(id, c, now))
    }

    /// CLIENT LIST of the clients matching `filter`, in id order.
    pub fn list(&self, filter: &ClientFilter) -> String {
        let g = self.lock();
        let now = Instant::now();
        let mut out = String::new();
        for (id, c) in &g.clients {
            if matches_filter(*id, c, filter) {
                out.push_str(&format_client(*id, c, now));
            }
        }
        out
    }

    /// Kills the clients matching `filter`; returns their ids.
    pub fn kill_matching(&self, filter: &ClientFilter) -> Vec<u64> {
        let mut g = self.lock();
        let ids: Vec<u64> = g
            .clients
            .iter()
            .filter(|(id, c)| matches_filter(**id, c, filter))
            .map(|(id, _)| *id)
            .collect();
        for id in &ids {
            g.remove(*id);
        }
        ids
    }
}

/// One published message in both protocols: a RESP2 array, and the same bytes as a RESP3 push
/// (`>` instead of `*`), made only if a RESP3 client receives it.
struct Frames {
    resp2: Frame,
    resp3: std::cell::OnceCell<Frame>,
}

impl Frames {
    fn new(resp2: Frame) -> Self {
        Frames {
            resp2,
            resp3: std::cell::OnceCell::new(),
        }
    }
    fn for_resp(&self, resp: u8) -> Frame {
        if resp < 3 {
            return self.resp2.clone();
        }
        self.resp3
            .get_or_init(|| {
                let mut b = self.resp2.to_vec();
                b[0] = b'>';
                b.into()
            })
            .clone()
    }
}

fn push(clients: &BTreeMap<u64, Client>, id: u64, frames: &Frames, sent: &mut usize, doomed: &mut Vec<u64>) {
    if let Some(c) = clients.get(&id) {
        match c.tx.try_send(frames.for_resp(c.resp)) {
            Ok(()) => *sent += 1,
            Err(_) => doomed.push(id),
        }
    }
}

fn matches_filter(id: u64, c: &Client, f: &ClientFilter) -> bool {
    if f.skip == Some(id) {
        return false;
    }
    if let Some(ids) = &f.ids {
        if !ids.contains(&id) {
            return false;
        }
    }
    if let Some(a) = &f.addr {
        if *a != c.addr {
            return false;
        }
    }
    if let Some(a) = &f.laddr {
        if *a != c.laddr {
            return false;
        }
    }
    if let Some(k) = f.kind {
        if k != c.kind() {
            return false;
        }
    }
    if let Some(u) = &f.user {
        if *u != c.user {
            return false;
        }
    }
    true
}

fn format_client(id: u64, c: &Client, now: Instant) -> String {
    let age = now.saturating_duration_since(c.created).as_secs();
    let idle = now.saturating_duration_since(c.last_active).as_secs();
    let flags = if c.subscriptions() > 0 { "P" } else { "N" };
    format!(
        "id={id} addr={} laddr={} fd={} name={} age={age} idle={idle} flags={flags} db=0 sub={} psub={} ssub=0 \
         multi=-1 qbuf=0 qbuf-free=20474 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=22272 \
         events=r cmd={} user={} redir=-1 resp={}\n",
        c.addr,
        c.laddr,
        id + 7,
        c.name.as_deref().unwrap_or(""),
        c.channels.len(),
        c.patterns.len(),
        c.last_cmd,
        c.user,
        c.resp,
    )
}

fn put_bulk(out: &mut Vec<u8>, b: &[u8]) {
    out.push(b'$');
    out.extend_from_slice(b.len().to_string().as_bytes());
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(b);
    out.extend_from_slice(b"\r\n");
}

/// `["message", channel, payload]`.
pub fn encode_message(channel: &[u8], payload: &[u8]) -> Frame {
    let mut out = Vec::with_capacity(32 + channel.len() + payload.len());
    out.extend_from_slice(b"*3\r\n$7\r\nmessage\r\n");
    put_bulk(&mut out, channel);
    put_bulk(&mut out, payload);
    out.into()
}

/// `["pmessage", pattern, channel, payload]`.
pub fn encode_pmessage(pattern: &[u8], channel: &[u8], payload: &[u8]) -> Frame {
    let mut out = Vec::with_capacity(48 + pattern.len() + channel.len() + payload.len());
    out.extend_from_slice(b"*4\r\n$8\r\npmessage\r\n");
    put_bulk(&mut out, pattern);
    put_bulk(&mut out, channel);
    put_bulk(&mut out, payload);
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use resp::Value;

    fn decode(f: &Frame) -> Value {
        let (v, used) = resp::decode_value(f).unwrap().unwrap();
        assert_eq!(used, f.len());
        v
    }

    fn reg(h: &Hub, n: u16) -> Registration {
        h.register(format!("127.0.0.1:{n}"), "127.0.0.1:26379".into()).unwrap()
    }

    #[test]
    fn frames_have_redis_shapes() {
        assert_eq!(
            &*encode_message(b"+sdown", b"master m 1.2.3.4 5"),
            &b"*3\r\n$7\r\nmessage\r\n$6\r\n+sdown\r\n$18\r\nmaster m 1.2.3.4 5\r\n"[..]
        );
        assert_eq!(
            decode(&encode_pmessage(b"*", b"+odown", b"x")),
            Value::Array(vec![
                Value::bulk("pmessage"),
                Value::bulk("*"),
                Value::bulk("+odown"),
                Value::bulk("x")
            ])
        );
    }

    #[test]
    fn fan_out_to_channel_and_pattern_subscribers() {
        let h = Hub::new(16);
        let mut a = reg(&h, 1);
        let mut b = reg(&h, 2);
        let mut c = reg(&h, 3);
        assert_eq!(h.subscribe(a.id, SubKind::Channel, b"+sdown"), Some(1));
        assert_eq!(
            h.subscribe(a.id, SubKind::Channel, b"+sdown"),
            Some(1),
            "resubscribing is a no-op"
        );
        assert_eq!(h.subscribe(b.id, SubKind::Pattern, b"*down"), Some(1));
        assert_eq!(h.subscribe(b.id, SubKind::Pattern, b"+*"), Some(2));
        assert_eq!(h.pubsub_counts(), (1, 2));

        assert_eq!(h.publish(b"+sdown", b"master mymaster 127.0.0.1 6382"), 3);
        assert_eq!(h.publish(b"-odown", b"p"), 1);
        assert_eq!(h.publish(b"+tilt", b"#tilt mode entered"), 1);
        assert_eq!(h.publish(b"nobody", b"x"), 0);

        let fa = a.rx.try_recv().unwrap();
        assert_eq!(
            decode(&fa),
            Value::Array(vec![
                Value::bulk("message"),
                Value::bulk("+sdown"),
                Value::bulk("master mymaster 127.0.0.1 6382")
            ])
        );
        assert!(a.rx.try_recv().is_err());
        let got: Vec<Value> = std::iter::from_fn(|| b.rx.try_recv().ok())
            .map(|f| decode(&f))
            .collect();
        let pm = |p: &str, ch: &str, m: &str| Value::bulks(["pmessage", p, ch, m]);
        // Patterns in lexical order ("*down" < "+*"), each matching pattern gets its own frame.
        assert_eq!(
            got,
            vec![
                pm("*down", "+sdown", "master mymaster 127.0.0.1 6382"),
                pm("+*", "+sdown", "master mymaster 127.0.0.1 6382"),
                pm("*down", "-odown", "p"),
                pm("+*", "+tilt", "#tilt mode entered"),
            ]
        );
        assert!(c.rx.try_recv().is_err(), "unsubscribed clients get nothing");
    }

    #[test]
    fn unsubscribe_counts_like_redis() {
        let h = Hub::new(16);
        let a = reg(&h, 1);
        h.subscribe(a.id, SubKind::Channel, b"x");
        h.subscribe(a.id, SubKind::Channel, b"y");
        h.subscribe(a.id, SubKind::Pattern, b"p*");
        assert_eq!(h.unsubscribe(a.id, SubKind::Channel, b"nope"), Some(3));
        assert_eq!(
            h.unsubscribe_all(a.id, SubKind::Channel),
            Some(vec![(b"x".to_vec(), 2), (b"y".to_vec(), 1)])
        );
        assert_eq!(h.unsubscribe_all(a.id, SubKind::Channel), Some(vec![]));
        assert_eq!(h.unsubscribe(a.id, SubKind::Pattern, b"p*"), Some(0));
        assert_eq!(h.pubsub_counts(), (0, 0));
        assert_eq!(h.publish(b"x", b"m"), 0);
    }

    #[test]
    fn slow_subscriber_is_dropped_and_others_keep_receiving() {
        let h = Hub::new(3);
        let mut slow = reg(&h, 1);
        let mut fast = reg(&h, 2);
        h.subscribe(slow.id, SubKind::Pattern, b"*");
        h.subscribe(fast.id, SubKind::Channel, b"ev");
        for i in 0..3 {
            assert_eq!(h.publish(b"ev", format!("{i}").as_bytes()), 2);
            fast.rx.try_recv().unwrap();
        }
        assert!(!slow.killed.load(Ordering::Relaxed));
        // The fourth message does not fit in the slow subscriber's queue: it is disconnected.
        assert_eq!(h.publish(b"ev", b"3"), 1);
        assert!(slow.killed.load(Ordering::Relaxed));
        assert_eq!(h.dropped_slow_subscribers(), 1);
        assert_eq!(h.client_count(), 1);
        assert_eq!(h.pubsub_counts(), (1, 0), "its subscriptions are gone");
        assert_eq!(h.publish(b"ev", b"4"), 1);
        assert_eq!(
            decode(&fast.rx.try_recv().unwrap()),
            Value::bulks(["message", "ev", "3"])
        );
        // The dropped client's queue drains what was accepted, then reports closure.
        let mut n = 0;
        while let Ok(_f) = slow.rx.try_recv() {
            n += 1;
        }
        assert_eq!(n, 3);
        assert!(matches!(
            slow.rx.try_recv(),
            Err(mpsc::error::TryRecvError::Disconnected)
        ));
        assert_eq!(h.subscribe(slow.id, SubKind::Channel, b"again"), None);
    }

    #[test]
    fn client_list_kill_and_shutdown() {
        let h = Hub::new(8);
        let a = reg(&h, 1);
        let b = reg(&h, 2);
        h.set_name(a.id, Some("sentinel-abcdef12-cmd".into()));
        h.touch(a.id, "ping");
        h.subscribe(b.id, SubKind::Channel, b"+sdown");
        let line = h.client_line(a.id).unwrap();
        assert!(
            line.starts_with(&format!("id={} addr=127.0.0.1:1 laddr=127.0.0.1:26379 fd=", a.id)),
            "{line}"
        );
        assert!(
            line.contains(" name=sentinel-abcdef12-cmd age=0 idle=0 flags=N db=0 sub=0 psub=0 "),
            "{line}"
        );
        assert!(line.ends_with(" cmd=ping user=default redir=-1 resp=2\n"), "{line}");
        let all = h.list(&ClientFilter::default());
        assert_eq!(all.lines().count(), 2);
        let pubsub = h.list(&ClientFilter {
            kind: Some(ClientType::Pubsub),
            ..Default::default()
        });
        assert!(pubsub.contains("flags=P") && pubsub.contains("sub=1") && pubsub.lines().count() == 1);
        let killed = h.kill_matching(&ClientFilter {
            addr: Some("127.0.0.1:2".into()),
            ..Default::default()
        });
        assert_eq!(killed, vec![b.id]);
        assert!(b.killed.load(Ordering::Relaxed));
        assert_eq!(
            h.kill_matching(&ClientFilter {
                skip: Some(a.id),
                ..Default::default()
            }),
            Vec::<u64>::new()
        );
        h.shutdown();
        assert!(a.killed.load(Ordering::Relaxed));
        assert_eq!(h.client_count(), 0);
        assert!(h.register("x".into(), "y".into()).is_none());
    }
}
