//! The node as a synchronous state machine: clients, command processing (`processCommand` checks,
//! MULTI/EXEC, pub/sub), the master side of replication (PSYNC, stream, acks, delayed full sync)
//! and the replica side (what the link task reports). Time is always an argument; the async
//! driver in `server.rs` owns sockets and timers and executes the [`Effect`]s this produces.

use crate::commands::{self, Kind, LookupError, Spec};
use crate::db::{self, Access, Cmd, DataStats, Db, Exec};
use crate::disk::{Disk, PersistedConfig, PersistedData};
use crate::repl::{FullReason, PsyncDecision, ReplHistory, ReplId};
use crate::RedisConfig;
use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};
use resp::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use tokio::sync::Notify;

pub const NOAUTH: &str = "NOAUTH Authentication required.";
pub const LOADING: &str = "LOADING Redis is loading the dataset in memory";
pub const READONLY: &str = "READONLY You can't write against a read only replica.";
pub const NOREPLICAS: &str = "NOREPLICAS Not enough good replicas to write.";
pub const MASTERDOWN: &str = "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
pub const EXECABORT: &str = "EXECABORT Transaction discarded because of previous errors.";

/// `maxclients` (Redis default).
pub const MAX_CLIENTS: usize = 10_000;
/// Pending output a normal client may accumulate before it is dropped as too slow.
pub const OUTPUT_LIMIT_NORMAL_BYTES: usize = 64 << 20;
/// Redis' `client-output-buffer-limit pubsub` hard limit.
pub const OUTPUT_LIMIT_PUBSUB_BYTES: usize = 32 << 20;
/// Redis' `client-output-buffer-limit replica` hard limit.
pub const OUTPUT_LIMIT_REPLICA_BYTES: usize = 256 << 20;
/// Commands one MULTI may queue (Redis has no limit but memory; this keeps a client bounded).
pub const MAX_MULTI_COMMANDS: usize = 1 << 16;
/// Channels plus patterns one client may subscribe to (bound on memory per client).
pub const MAX_SUBSCRIPTIONS_PER_CLIENT: usize = 1 << 16;
/// `repl-ping-replica-period` (cron loops of 1 s).
pub const REPL_PING_PERIOD_LOOPS: u64 = 10;
/// `repl-backlog-ttl`: a master without replicas frees its backlog after this long.
pub const REPL_BACKLOG_TTL_S: i64 = 3600;

/// The time as the driver sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Now {
    /// Wall clock (`mstime()`), may jump.
    pub wall_ms: i64,
    /// Monotonic milliseconds since this start of the node.
    pub mono_ms: u64,
}

impl Now {
    pub fn wall_s(&self) -> i64 {
        self.wall_ms.div_euclid(1000)
    }
}

/// Work for the async driver.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// (Re)start the replication link task with this generation, aborting any previous one.
    StartLink(u64),
    /// Abort the replication link task.
    StopLink,
    /// Call [`State::maybe_start_full_sync`] after this many milliseconds.
    ScheduleFullSync(u64),
}

/// Replica-side link state (Redis `repl_state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkState {
    /// This node is a master.
    None,
    Connect,
    Connecting,
    Handshake,
    Transfer,
    Connected,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplicaState {
    /// Waiting for the (delayed) snapshot.
    WaitBgsave,
    Online,
}

/// A replica attached to this node (Redis: a client with `CLIENT_SLAVE`).
#[derive(Clone, Debug)]
pub struct ReplicaInfo {
    pub state: ReplicaState,
    pub ack_off: i64,
    pub ack_time_s: i64,
    /// When it started waiting for a full sync (monotonic).
    pub since_mono_ms: u64,
}

#[derive(Clone, Debug)]
pub enum ClientKind {
    Normal,
    Replica(ReplicaInfo),
    /// This node's link to its own master.
    Master,
}

#[derive(Debug)]
pub struct Multi {
    pub cmds: Vec<(&'static Spec, Cmd)>,
    pub dirty: bool,
    /// Union of the queued commands' flags, and of their complements (Redis `cmd_inv_flags`).
    pub flags: u16,
    pub inv_flags: u16,
}

#[derive(Clone, Copy, Debug)]
pub struct WaitBlock {
    pub numreplicas: i64,
    pub target_off: i64,
    pub deadline_mono_ms: Option<u64>,
}

#[derive(Debug)]
pub struct Client {
    pub id: u64,
    pub addr: String,
    pub laddr: String,
    pub name: String,
    pub created_mono_ms: u64,
    pub last_mono_ms: u64,
    pub last_cmd: &'static str,
    pub authed: bool,
    pub kind: ClientKind,
    pub subs: BTreeSet<Vec<u8>>,
    pub psubs: BTreeSet<Vec<u8>>,
    pub multi: Option<Multi>,
    pub listening_port: u16,
    pub announced_ip: Option<String>,
    /// Replication offset after this client's last write (for WAIT).
    pub woff: i64,
    pub blocked: Option<WaitBlock>,
    /// Bytes to send (replies, pub/sub messages, replication stream).
    pub out: Vec<u8>,
    /// Close once `out` is flushed (QUIT, killed itself, protocol error).
    pub closing: bool,
    /// Set `closing` once the reply of the current command is queued (CLIENT KILL on itself).
    pub close_after_reply: bool,
    pub notify: Arc<Notify>,
}

impl Client {
    pub fn in_pubsub(&self) -> bool {
        !self.subs.is_empty() || !self.psubs.is_empty()
    }
    fn sub_count(&self) -> i64 {
        (self.subs.len() + self.psubs.len()) as i64
    }
    pub fn is_replica(&self) -> bool {
        matches!(self.kind, ClientKind::Replica(_))
    }
    fn output_limit(&self) -> usize {
        match self.kind {
            ClientKind::Replica(_) => OUTPUT_LIMIT_REPLICA_BYTES,
            _ if self.in_pubsub() => OUTPUT_LIMIT_PUBSUB_BYTES,
            _ => OUTPUT_LIMIT_NORMAL_BYTES,
        }
    }
    /// Appends bytes for the peer; a client over its output limit is closed (Redis frees clients
    /// over `client-output-buffer-limit`). Returns false if the bytes were not queued.
    fn push_out(&mut self, bytes: &[u8]) -> bool {
        if self.closing {
            return false;
        }
        if self.out.len() + bytes.len() > self.output_limit() {
            self.out.clear();
            self.closing = true;
            self.notify.notify_one();
            return false;
        }
        self.out.extend_from_slice(bytes);
        self.notify.notify_one();
        true
    }
    /// `replicationGetSlaveName`: announced ip (or peer ip) and listening port.
    pub fn replica_name(&self) -> String {
        let ip = self.replica_ip();
        if self.listening_port != 0 {
            format!("{ip}:{}", self.listening_port)
        } else {
            format!("{ip}:<unknown-replica-port>")
        }
    }
    pub fn replica_ip(&self) -> &str {
        match &self.announced_ip {
            Some(ip) => ip,
            None => self.addr.rsplit_once(':').map(|(ip, _)| ip).unwrap_or(&self.addr),
        }
    }
}

/// Runtime settings (config file, disk overrides, CONFIG SET).
#[derive(Clone, Debug)]
pub struct Settings {
    pub port: u16,
    pub announce_ip: String,
    pub replica_priority: u32,
    pub min_replicas_to_write: u32,
    pub min_replicas_max_lag_s: u32,
    pub replica_serve_stale_data: bool,
    pub replica_read_only: bool,
    pub persistence: bool,
    pub repl_diskless_sync_delay_ms: u64,
    pub repl_timeout_s: u64,
    pub requirepass: Option<String>,
}

/// The replica side of replication.
#[derive(Debug)]
pub struct Link {
    pub master: Option<(String, u16)>,
    pub state: LinkState,
    /// Bumped at every role or master change; link tasks of older generations stop.
    pub gen: u64,
    pub master_cid: Option<u64>,
    /// The cached master: replication id and processed offset to PSYNC with.
    pub cached: Option<(ReplId, i64)>,
    /// Redis `repl_down_since` (None = 0: never up since the last role change).
    pub down_since_s: Option<i64>,
    pub last_io_s: i64,
    /// A MULTI received from the master, applied at EXEC (queued commands, raw bytes).
    stream_multi: Option<(Vec<Cmd>, Vec<u8>)>,
}

#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub connections: u64,
    pub commands: u64,
    pub rejected_connections: u64,
    pub sync_full: u64,
    pub sync_partial_ok: u64,
    pub sync_partial_err: u64,
    pub error_replies: u64,
    pub data: DataStats,
}

/// What a command produced for its client.
#[derive(Debug)]
pub enum Reply {
    One(Value),
    Many(Vec<Value>),
    /// Nothing (the command wrote directly or replies are suppressed).
    Nothing,
}

fn err(s: impl Into<String>) -> Reply {
    Reply::One(Value::err(s))
}

fn ok() -> Reply {
    Reply::One(Value::ok())
}

/// Which connection attempt of the link task this is (only changes the log line).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attempt {
    First,
    /// Right after losing an established link.
    Reconnect,
    /// Once a second while the master is unreachable.
    Retry,
}

/// What the link task needs to connect and handshake.
#[derive(Clone, Debug)]
pub struct LinkTarget {
    pub host: String,
    pub port: u16,
    pub auth: Option<String>,
    pub listening_port: u16,
    pub announce_ip: String,
    pub timeout_s: u64,
    /// How long to wait for the PSYNC answer (the master may delay a full sync).
    pub psync_wait_ms: u64,
}

pub struct State {
    pub settings: Settings,
    pub run_id: String,
    pub process_id: u32,
    pub start_wall_ms: i64,
    pub disk: Disk,
    pub db: Db,
    pub repl: ReplHistory,
    pub link: Link,
    /// Whether the next propagated command needs a `SELECT 0` first (Redis `slaveseldb == -1`).
    select_needed: bool,
    pub clients: BTreeMap<u64, Client>,
    /// Ids of attached replicas (clients of kind Replica).
    pub replicas: BTreeSet<u64>,
    pub channels: BTreeMap<Vec<u8>, BTreeSet<u64>>,
    pub patterns: BTreeMap<Vec<u8>, BTreeSet<u64>>,
    next_client_id: u64,
    pub loading: bool,
    pub stats: Stats,
    pub good_replicas: u32,
    pub no_replicas_since_s: i64,
    cron_loops: u64,
    getack_pending: bool,
    pub effects: Vec<Effect>,
    pub notes: Vec<String>,
    /// Woken on every replica ACK (WAIT).
    pub ack_notify: Arc<Notify>,
    rng: ChaCha8Rng,
    /// Reused buffers (no allocation per write).
    stream_buf: Vec<u8>,
    effects_buf: Vec<Cmd>,
    /// Effects of the commands of the EXEC being executed (propagated as one MULTI/EXEC).
    exec_effects: Option<Vec<Cmd>>,
}

fn mix(seed: u64, n: u64) -> u64 {
    // splitmix64 of the pair: distinct starts of one node get unrelated streams.
    let mut z = seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `%.128s` of an argument.
fn trunc(b: &[u8], n: usize) -> String {
    lossy(&b[..b.len().min(n)])
}

/// Redis' `rejectCommandFormat` turns newlines into spaces so the error stays one line.
fn one_line(s: String) -> String {
    if s.contains(['\r', '\n']) {
        s.replace(['\r', '\n'], " ")
    } else {
        s
    }
}

fn unknown_command_msg(args: &[Vec<u8>]) -> String {
    let mut a = String::new();
    for arg in &args[1..] {
        if a.len() >= 128 {
            break;
        }
        let room = 128 - a.len();
        a.push('\'');
        a.push_str(&trunc(arg, room));
        a.push_str("' ");
    }
    one_line(format!(
        "ERR unknown command '{}', with args beginning with: {}",
        trunc(&args[0], 128),
        a
    ))
}

fn encode_ack(offset: i64, out: &mut Vec<u8>) {
    resp::encode_command(&[b"REPLCONF".as_slice(), b"ACK", offset.to_string().as_bytes()], out);
}

impl State {
    /// A fresh start of the node on `disk` (the rewritten config and, with persistence, the
    /// dataset and replication position are loaded; a new run id is drawn).
    pub fn new(cfg: &RedisConfig, disk: Disk, now: Now) -> State {
        let (starts, pconf, pdata) = {
            let mut g = disk.lock();
            g.starts += 1;
            let data = if cfg.persistence { g.data.clone() } else { None };
            (g.starts, g.config.clone(), data)
        };
        let mut rng = ChaCha8Rng::seed_from_u64(mix(cfg.rng_seed, starts));
        let run_id = ReplId::random(&mut rng).to_string();
        let process_id = 1000 + (rng.next_u32() % 60_000);
        let mut settings = Settings {
            port: cfg.port,
            announce_ip: cfg.announce_ip.clone(),
            replica_priority: cfg.replica_priority,
            min_replicas_to_write: cfg.min_replicas_to_write,
            min_replicas_max_lag_s: cfg.min_replicas_max_lag_s,
            replica_serve_stale_data: cfg.replica_serve_stale_data,
            replica_read_only: cfg.replica_read_only,
            persistence: cfg.persistence,
            repl_diskless_sync_delay_ms: cfg.repl_diskless_sync_delay_ms,
            repl_timeout_s: cfg.repl_timeout_s.max(1),
            requirepass: cfg.requirepass.clone(),
        };
        let mut master = cfg.replica_of.clone();
        if let Some(pc) = &pconf {
            master = pc.replicaof.clone();
            settings.replica_priority = pc.replica_priority;
            settings.min_replicas_to_write = pc.min_replicas_to_write;
            settings.min_replicas_max_lag_s = pc.min_replicas_max_lag_s;
            settings.replica_serve_stale_data = pc.replica_serve_stale_data;
            settings.replica_read_only = pc.replica_read_only;
        }
        let mut repl = ReplHistory::new(ReplId::random(&mut rng));
        let mut db = Db::new();
        let mut cached = None;
        let mut loading = false;
        let mut notes = vec![
            format!("Running mode=standalone, port={}.", cfg.port),
            "Server initialized".to_string(),
        ];
        if cfg.persistence {
            match pdata {
                Some(d) => {
                    notes.push(format!("DB loaded from disk: {} keys", d.db.len()));
                    db = d.db;
                    loading = true;
                    // As an RDB: a node that restarts as a replica resumes its history and can
                    // PSYNC; a master starts a new history.
                    if master.is_some() && d.replid != ReplId::ZERO {
                        repl.replid = d.replid;
                        repl.offset = d.offset;
                        cached = Some((d.replid, d.offset));
                    }
                }
                None => {
                    disk.lock().data = Some(PersistedData {
                        db: Db::new(),
                        replid: repl.replid,
                        offset: 0,
                    });
                }
            }
            disk.set_position(repl.replid, repl.offset);
        }
        let state = if master.is_some() {
            LinkState::Connect
        } else {
            LinkState::None
        };
        State {
            settings,
            run_id,
            process_id,
            start_wall_ms: now.wall_ms,
            disk,
            db,
            repl,
            link: Link {
                master,
                state,
                gen: 1,
                master_cid: None,
                cached,
                down_since_s: None,
                last_io_s: now.wall_s(),
                stream_multi: None,
            },
            select_needed: true,
            clients: BTreeMap::new(),
            replicas: BTreeSet::new(),
            channels: BTreeMap::new(),
            patterns: BTreeMap::new(),
            next_client_id: 3,
            loading,
            stats: Stats::default(),
            good_replicas: 0,
            no_replicas_since_s: now.wall_s(),
            cron_loops: 0,
            getack_pending: false,
            effects: Vec::new(),
            notes,
            ack_notify: Arc::new(Notify::new()),
            rng,
            stream_buf: Vec::with_capacity(256),
            effects_buf: Vec::new(),
            exec_effects: None,
        }
    }

    /// How long the startup load of the persisted dataset takes (simulated).
    pub fn load_duration_ms(&self) -> u64 {
        1 + self.db.len() as u64 / 2000
    }

    /// The startup load is over: serve everything, start replicating if configured as a replica.
    pub fn finish_startup(&mut self) {
        if self.loading {
            self.loading = false;
            self.note("Done loading RDB".to_string());
        }
        self.note("Ready to accept connections".to_string());
        if let Some((h, p)) = self.link.master.clone() {
            self.note(format!("Connecting to MASTER {h}:{p}"));
            self.effects.push(Effect::StartLink(self.link.gen));
        }
    }

    pub fn note(&mut self, s: String) {
        self.notes.push(s);
    }

    pub fn is_replica(&self) -> bool {
        self.link.master.is_some()
    }

    fn persist(&self, effects: &[Cmd], now: Now) {
        if self.settings.persistence {
            self.disk.append(effects, now.wall_ms);
        }
    }

    fn persist_position(&self) {
        if self.settings.persistence {
            self.disk.set_position(self.repl.replid, self.repl.offset);
        }
    }

    // ----------------------------------------------------------------------------------------
    // Clients

    /// Registers an accepted connection. Err: the reply to send before closing.
    pub fn register_client(&mut self, addr: String, laddr: String, now: Now) -> Result<(u64, Arc<Notify>), Value> {
        if self.clients.len() >= MAX_CLIENTS {
            self.stats.rejected_connections += 1;
            return Err(Value::err("ERR max number of clients reached"));
        }
        self.stats.connections += 1;
        Ok(self.add_client(addr, laddr, ClientKind::Normal, now))
    }

    fn add_client(&mut self, addr: String, laddr: String, kind: ClientKind, now: Now) -> (u64, Arc<Notify>) {
        let id = self.next_client_id;
        self.next_client_id += 1;
        let notify = Arc::new(Notify::new());
        let authed = self.settings.requirepass.is_none() || matches!(kind, ClientKind::Master);
        self.clients.insert(
            id,
            Client {
                id,
                addr,
                laddr,
                name: String::new(),
                created_mono_ms: now.mono_ms,
                last_mono_ms: now.mono_ms,
                last_cmd: "NULL",
                authed,
                kind,
                subs: BTreeSet::new(),
                psubs: BTreeSet::new(),
                multi: None,
                listening_port: 0,
                announced_ip: None,
                woff: 0,
                blocked: None,
                out: Vec::new(),
                closing: false,
                close_after_reply: false,
                notify: notify.clone(),
            },
        );
        (id, notify)
    }

    /// Moves the client's pending output into `buf` (which must be empty). None: the client is
    /// gone (killed): close the connection. Some(true): close after sending `buf`.
    pub fn take_output(&mut self, cid: u64, buf: &mut Vec<u8>) -> Option<bool> {
        let c = self.clients.get_mut(&cid)?;
        std::mem::swap(&mut c.out, buf);
        Some(c.closing)
    }

    /// Removes a client at once: unsubscribes it, detaches it as a replica or as our master link,
    /// and wakes its task, which finds the record gone and closes the socket.
    pub fn remove_client(&mut self, cid: u64, now: Now) {
        let Some(c) = self.clients.remove(&cid) else {
            return;
        };
        c.notify.notify_one();
        for ch in &c.subs {
            if let Some(set) = self.channels.get_mut(ch) {
                set.remove(&cid);
                if set.is_empty() {
                    self.channels.remove(ch);
                }
            }
        }
        for p in &c.psubs {
            if let Some(set) = self.patterns.get_mut(p) {
                set.remove(&cid);
                if set.is_empty() {
                    self.patterns.remove(p);
                }
            }
        }
        if self.replicas.remove(&cid) {
            self.note(format!("Connection with replica {} lost.", c.replica_name()));
            if self.replicas.is_empty() {
                self.no_replicas_since_s = now.wall_s();
            }
            self.refresh_good_replicas(now);
        }
        if self.link.master_cid == Some(cid) {
            self.master_link_lost(now);
        }
    }

    /// The connection task ended (peer closed, error, or after QUIT).
    pub fn client_gone(&mut self, cid: u64, now: Now) {
        self.remove_client(cid, now);
    }

    fn emit(&mut self, cid: u64, reply: Reply) {
        let Some(c) = self.clients.get_mut(&cid) else {
            return;
        };
        // Replies to a replica or to our master would corrupt the replication stream.
        if !matches!(c.kind, ClientKind::Normal) || c.closing {
            return;
        }
        match reply {
            Reply::One(v) => {
                if v.is_error() {
                    self.stats.error_replies += 1;
                }
                v.encode(&mut c.out);
            }
            Reply::Many(vs) => {
                for v in vs {
                    v.encode(&mut c.out);
                }
            }
            Reply::Nothing => {}
        }
        if c.close_after_reply {
            c.closing = true;
        }
        if c.out.len() > c.output_limit() {
            c.out.clear();
            c.closing = true;
        }
    }

    // ----------------------------------------------------------------------------------------
    // Command processing

    /// Processes one command of a client (`processCommand` + `call`); the reply goes to the
    /// client's output buffer.
    /// Returns whether the client can go on with the next pipelined command (false once it is
    /// blocked, closing or gone).
    pub fn process(&mut self, cid: u64, args: Cmd, now: Now) -> bool {
        let Some(c) = self.clients.get_mut(&cid) else {
            return false;
        };
        if c.closing || c.blocked.is_some() {
            return false;
        }
        if args.is_empty() {
            return true;
        }
        c.last_mono_ms = now.mono_ms;
        self.stats.commands += 1;
        let reply = self.dispatch(cid, args, now);
        self.emit(cid, reply);
        if self.getack_pending {
            self.getack_pending = false;
            self.send_getack(now);
        }
        self.clients
            .get(&cid)
            .is_some_and(|c| !c.closing && c.blocked.is_none())
    }

    fn reject(&mut self, cid: u64, spec: Option<&'static Spec>, msg: String) -> Reply {
        let c = self.clients.get_mut(&cid).expect("client exists");
        if let Some(m) = &mut c.multi {
            m.dirty = true;
        }
        if spec.map(|s| s.kind) == Some(Kind::Exec) {
            c.multi = None;
            return err(format!("EXECABORT Transaction discarded because of: {msg}"));
        }
        err(msg)
    }

    fn good_replicas_ok(&self) -> bool {
        self.is_replica()
            || self.settings.min_replicas_to_write == 0
            || self.settings.min_replicas_max_lag_s == 0
            || self.good_replicas >= self.settings.min_replicas_to_write
    }

    fn dispatch(&mut self, cid: u64, args: Cmd, now: Now) -> Reply {
        let spec = match commands::lookup_args(&args) {
            Ok(s) => s,
            Err(LookupError::UnknownCommand) => return self.reject(cid, None, unknown_command_msg(&args)),
            Err(LookupError::UnknownSubcommand(up)) => {
                let msg = one_line(format!(
                    "ERR unknown subcommand '{}'. Try {up} HELP.",
                    trunc(&args[1], 128)
                ));
                return self.reject(cid, None, msg);
            }
        };
        if !commands::arity_ok(spec.arity, args.len()) {
            return self.reject(
                cid,
                Some(spec),
                format!("ERR wrong number of arguments for '{}' command", spec.name),
            );
        }
        let is_replica = self.is_replica();
        let link_up = self.link.state == LinkState::Connected;
        let c = self.clients.get_mut(&cid).expect("client exists");
        c.last_cmd = spec.name;
        if self.settings.requirepass.is_some() && !c.authed && spec.flags & commands::NO_AUTH == 0 {
            return self.reject(cid, Some(spec), NOAUTH.into());
        }
        if c.multi.is_some() && spec.flags & commands::NO_MULTI != 0 {
            return self.reject(cid, Some(spec), "ERR Command not allowed inside a transaction".into());
        }
        let is_exec = spec.kind == Kind::Exec;
        let (mflags, minv) = match (&c.multi, is_exec) {
            (Some(m), true) => (m.flags, m.inv_flags),
            _ => (0, 0),
        };
        let is_write = spec.flags & commands::WRITE != 0 || mflags & commands::WRITE != 0;
        let deny_stale = spec.flags & commands::STALE == 0 || minv & commands::STALE != 0;
        let deny_loading = spec.flags & commands::LOADING == 0 || minv & commands::LOADING != 0;
        let in_pubsub = c.in_pubsub();
        let from_replica = c.is_replica();
        if is_write && !self.good_replicas_ok() {
            return self.reject(cid, Some(spec), NOREPLICAS.into());
        }
        if is_replica && self.settings.replica_read_only && is_write {
            return self.reject(cid, Some(spec), READONLY.into());
        }
        if in_pubsub && spec.flags & commands::PUBSUB_CTX == 0 {
            let msg = format!(
                "ERR Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
                spec.name
            );
            return self.reject(cid, Some(spec), msg);
        }
        if is_replica && !link_up && !self.settings.replica_serve_stale_data && deny_stale {
            return self.reject(cid, Some(spec), MASTERDOWN.into());
        }
        if self.loading && deny_loading {
            return self.reject(cid, Some(spec), LOADING.into());
        }
        if from_replica && spec.flags & (commands::READ | commands::WRITE | commands::MAY_REPLICATE) != 0 {
            return self.reject(cid, Some(spec), "ERR Replica can't interact with the keyspace".into());
        }
        let c = self.clients.get_mut(&cid).expect("client exists");
        if let Some(m) = &mut c.multi {
            if !matches!(spec.kind, Kind::Exec | Kind::Discard | Kind::Multi | Kind::Quit) {
                if m.cmds.len() >= MAX_MULTI_COMMANDS {
                    return self.reject(
                        cid,
                        Some(spec),
                        "ERR too many commands queued in this transaction".into(),
                    );
                }
                m.flags |= spec.flags;
                m.inv_flags |= !spec.flags;
                m.cmds.push((spec, args));
                return Reply::One(Value::simple("QUEUED"));
            }
        }
        self.call(cid, spec, args, now, false)
    }

    fn call(&mut self, cid: u64, spec: &'static Spec, args: Cmd, now: Now, in_exec: bool) -> Reply {
        match spec.kind {
            Kind::Data(d) => {
                let access = if self.is_replica() {
                    Access::Replica
                } else {
                    Access::Master
                };
                let mut effects = std::mem::take(&mut self.effects_buf);
                let v = {
                    let mut x = Exec {
                        now_ms: now.wall_ms,
                        access,
                        effects: &mut effects,
                        stats: &mut self.stats.data,
                    };
                    self.db.exec(d, &args, &mut x)
                };
                if !effects.is_empty() {
                    self.commit_effects(cid, &effects, now, true);
                }
                effects.clear();
                self.effects_buf = effects;
                Reply::One(v)
            }
            Kind::Ping => {
                let in_pubsub = self.clients.get(&cid).is_some_and(|c| c.in_pubsub());
                if args.len() > 2 {
                    return err("ERR wrong number of arguments for 'ping' command");
                }
                if in_pubsub {
                    let arg = args.get(1).cloned().unwrap_or_default();
                    Reply::One(Value::Array(vec![Value::bulk("pong"), Value::Bulk(arg)]))
                } else if let Some(a) = args.get(1) {
                    Reply::One(Value::Bulk(a.clone()))
                } else {
                    Reply::One(Value::simple("PONG"))
                }
            }
            Kind::Echo => Reply::One(Value::Bulk(args[1].clone())),
            Kind::Info => Reply::One(Value::Bulk(self.info(&args[1..], now).into_bytes())),
            Kind::Role => Reply::One(self.role()),
            Kind::Replicaof => self.cmd_replicaof(cid, &args, now),
            Kind::Multi => {
                let c = self.clients.get_mut(&cid).expect("client exists");
                if c.multi.is_some() {
                    return err("ERR MULTI calls can not be nested");
                }
                c.multi = Some(Multi {
                    cmds: Vec::new(),
                    dirty: false,
                    flags: 0,
                    inv_flags: 0,
                });
                ok()
            }
            Kind::Exec => self.cmd_exec(cid, now),
            Kind::Discard => {
                let c = self.clients.get_mut(&cid).expect("client exists");
                if c.multi.take().is_none() {
                    return err("ERR DISCARD without MULTI");
                }
                ok()
            }
            Kind::ConfigGet => Reply::One(self.config_get(&args[2..])),
            Kind::ConfigSet => self.config_set(&args[2..], now),
            Kind::ConfigRewrite => {
                self.config_rewrite();
                ok()
            }
            Kind::ConfigResetstat => {
                self.stats = Stats::default();
                ok()
            }
            Kind::ClientSetname => {
                let name = &args[2];
                if name.iter().any(|&b| !(b'!'..=b'~').contains(&b)) {
                    return err("ERR Client names cannot contain spaces, newlines or special characters.");
                }
                self.clients.get_mut(&cid).expect("client exists").name = lossy(name);
                ok()
            }
            Kind::ClientGetname => {
                let c = &self.clients[&cid];
                Reply::One(if c.name.is_empty() {
                    Value::Nil
                } else {
                    Value::bulk(&c.name)
                })
            }
            Kind::ClientId => Reply::One(Value::Int(cid as i64)),
            Kind::ClientInfo => {
                let mut s = self.client_info_line(&self.clients[&cid], now);
                s.push('\n');
                Reply::One(Value::Bulk(s.into_bytes()))
            }
            Kind::ClientList => self.client_list(&args, now),
            Kind::ClientKill => self.client_kill(cid, &args, now),
            Kind::Help => Reply::One(Value::Array(vec![Value::simple(format!(
                "{} <subcommand> [<arg> [value] [opt] ...]. Subcommands are: (see the Redis documentation)",
                spec.name.split('|').next().unwrap_or("").to_ascii_uppercase()
            ))])),
            Kind::Auth => self.cmd_auth(cid, &args),
            Kind::Subscribe | Kind::Psubscribe => self.subscribe(cid, &args, spec.kind == Kind::Psubscribe),
            Kind::Unsubscribe | Kind::Punsubscribe => self.unsubscribe(cid, &args, spec.kind == Kind::Punsubscribe),
            Kind::Publish => {
                let n = self.publish(&args[1], &args[2]);
                self.commit_effects(cid, std::slice::from_ref(&args), now, false);
                Reply::One(Value::Int(n))
            }
            Kind::Select => match db::parse_i64(&args[1]) {
                Some(0) => ok(),
                Some(_) => err("ERR DB index is out of range"),
                None => err(db::NOT_INTEGER),
            },
            Kind::Wait => self.cmd_wait(cid, &args, now, in_exec),
            Kind::Replconf => self.cmd_replconf(cid, &args, now),
            Kind::Psync => self.cmd_psync(cid, &args, now),
            Kind::Sync => err("ERR SYNC is not supported by this node, use PSYNC"),
            Kind::Quit => {
                self.clients.get_mut(&cid).expect("client exists").closing = true;
                // The +OK is queued before the close flag takes effect.
                let c = self.clients.get_mut(&cid).expect("client exists");
                Value::ok().encode(&mut c.out);
                Reply::Nothing
            }
            Kind::Time => {
                let us = now.wall_ms.saturating_mul(1000);
                Reply::One(Value::Array(vec![
                    Value::bulk(us.div_euclid(1_000_000).to_string()),
                    Value::bulk(us.rem_euclid(1_000_000).to_string()),
                ]))
            }
            Kind::Command => Reply::One(Value::Array(vec![])),
            Kind::Container => err(format!("ERR wrong number of arguments for '{}' command", spec.name)),
        }
    }

    /// A command changed the dataset (or published): persist, replicate, remember the offset.
    fn commit_effects(&mut self, cid: u64, effects: &[Cmd], now: Now, persist: bool) {
        if persist {
            self.persist(effects, now);
        }
        if self.is_replica() {
            // Local writes of a writable replica are not propagated (Redis 4.0+).
            return;
        }
        if let Some(ex) = &mut self.exec_effects {
            ex.extend(effects.iter().cloned());
            return;
        }
        self.propagate(effects, false, now);
        if let Some(c) = self.clients.get_mut(&cid) {
            c.woff = self.repl.offset;
        }
    }

    /// `replicationFeedSlaves`: encode and feed commands to the backlog and the replicas.
    fn propagate(&mut self, cmds: &[Cmd], wrap: bool, now: Now) {
        if self.is_replica() || (self.repl.backlog.is_none() && self.replicas.is_empty()) {
            return;
        }
        let mut buf = std::mem::take(&mut self.stream_buf);
        buf.clear();
        if self.select_needed {
            resp::encode_command(&[b"SELECT".as_slice(), b"0"], &mut buf);
            self.select_needed = false;
        }
        if wrap {
            resp::encode_command(&[b"MULTI".as_slice()], &mut buf);
        }
        for c in cmds {
            resp::encode_command(c, &mut buf);
        }
        if wrap {
            resp::encode_command(&[b"EXEC".as_slice()], &mut buf);
        }
        self.feed_raw(&buf, now);
        self.stream_buf = buf;
    }

    /// Appends raw stream bytes: offset, backlog, every online replica.
    fn feed_raw(&mut self, bytes: &[u8], _now: Now) {
        self.repl.feed(bytes);
        for id in &self.replicas {
            if let Some(c) = self.clients.get_mut(id) {
                if matches!(&c.kind, ClientKind::Replica(r) if r.state == ReplicaState::Online) {
                    c.push_out(bytes);
                }
            }
        }
        self.persist_position();
    }

    fn cmd_exec(&mut self, cid: u64, now: Now) -> Reply {
        let c = self.clients.get_mut(&cid).expect("client exists");
        let Some(m) = c.multi.take() else {
            return err("ERR EXEC without MULTI");
        };
        if m.dirty {
            return err(EXECABORT);
        }
        let mut replies = Vec::with_capacity(m.cmds.len());
        self.exec_effects = Some(Vec::new());
        for (spec, args) in m.cmds {
            if !self.clients.contains_key(&cid) {
                break;
            }
            match self.call(cid, spec, args, now, true) {
                Reply::One(v) => replies.push(v),
                Reply::Many(vs) => replies.extend(vs),
                Reply::Nothing => {}
            }
        }
        let effects = self.exec_effects.take().unwrap_or_default();
        if !effects.is_empty() && !self.is_replica() {
            self.propagate(&effects, effects.len() > 1, now);
            if let Some(c) = self.clients.get_mut(&cid) {
                c.woff = self.repl.offset;
            }
        }
        Reply::One(Value::Array(replies))
    }

    fn cmd_auth(&mut self, cid: u64, args: &[Vec<u8>]) -> Reply {
        if args.len() > 3 {
            return err(db::SYNTAX);
        }
        let (user, pass) = if args.len() == 3 {
            (args[1].as_slice(), &args[2])
        } else {
            (b"default".as_slice(), &args[1])
        };
        let Some(required) = &self.settings.requirepass else {
            if args.len() == 2 {
                return err("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?");
            }
            return if user == b"default" {
                ok()
            } else {
                err("WRONGPASS invalid username-password pair or user is disabled.")
            };
        };
        if user == b"default" && pass.as_slice() == required.as_bytes() {
            self.clients.get_mut(&cid).expect("client exists").authed = true;
            ok()
        } else {
            err("WRONGPASS invalid username-password pair or user is disabled.")
        }
    }

    // ----------------------------------------------------------------------------------------
    // Pub/sub

    fn subscribe(&mut self, cid: u64, args: &[Vec<u8>], pattern: bool) -> Reply {
        let kind = if pattern { "psubscribe" } else { "subscribe" };
        let mut out = Vec::with_capacity(args.len() - 1);
        for ch in &args[1..] {
            let c = self.clients.get_mut(&cid).expect("client exists");
            let set = if pattern { &mut c.psubs } else { &mut c.subs };
            if !set.contains(ch) && c.subs.len() + c.psubs.len() < MAX_SUBSCRIPTIONS_PER_CLIENT {
                let set = if pattern { &mut c.psubs } else { &mut c.subs };
                set.insert(ch.clone());
                let map = if pattern {
                    &mut self.patterns
                } else {
                    &mut self.channels
                };
                map.entry(ch.clone()).or_default().insert(cid);
            }
            let c = &self.clients[&cid];
            out.push(Value::Array(vec![
                Value::bulk(kind),
                Value::Bulk(ch.clone()),
                Value::Int(c.sub_count()),
            ]));
        }
        Reply::Many(out)
    }

    fn unsubscribe(&mut self, cid: u64, args: &[Vec<u8>], pattern: bool) -> Reply {
        let kind = if pattern { "punsubscribe" } else { "unsubscribe" };
        let c = &self.clients[&cid];
        let targets: Vec<Vec<u8>> = if args.len() > 1 {
            args[1..].to_vec()
        } else if pattern {
            c.psubs.iter().cloned().collect()
        } else {
            c.subs.iter().cloned().collect()
        };
        if targets.is_empty() {
            return Reply::Many(vec![Value::Array(vec![
                Value::bulk(kind),
                Value::Nil,
                Value::Int(c.sub_count()),
            ])]);
        }
        let mut out = Vec::with_capacity(targets.len());
        for ch in targets {
            let c = self.clients.get_mut(&cid).expect("client exists");
            let removed = if pattern {
                c.psubs.remove(&ch)
            } else {
                c.subs.remove(&ch)
            };
            let count = c.sub_count();
            if removed {
                let map = if pattern {
                    &mut self.patterns
                } else {
                    &mut self.channels
                };
                if let Some(set) = map.get_mut(&ch) {
                    set.remove(&cid);
                    if set.is_empty() {
                        map.remove(&ch);
                    }
                }
            }
            out.push(Value::Array(vec![
                Value::bulk(kind),
                Value::Bulk(ch),
                Value::Int(count),
            ]));
        }
        Reply::Many(out)
    }

    /// Delivers a message to local subscribers; returns how many received it.
    pub fn publish(&mut self, channel: &[u8], msg: &[u8]) -> i64 {
        let mut n = 0;
        let mut buf = Vec::new();
        if let Some(subs) = self.channels.get(channel) {
            Value::Array(vec![Value::bulk("message"), Value::bulk(channel), Value::bulk(msg)]).encode(&mut buf);
            for id in subs {
                if let Some(c) = self.clients.get_mut(id) {
                    if c.push_out(&buf) {
                        n += 1;
                    }
                }
            }
        }
        for (pat, subs) in &self.patterns {
            if !db::glob_match(pat, channel) {
                continue;
            }
            buf.clear();
            Value::Array(vec![
                Value::bulk("pmessage"),
                Value::bulk(pat),
                Value::bulk(channel),
                Value::bulk(msg),
            ])
            .encode(&mut buf);
            for id in subs {
                if let Some(c) = self.clients.get_mut(id) {
                    if c.push_out(&buf) {
                        n += 1;
                    }
                }
            }
        }
        n
    }

    // ----------------------------------------------------------------------------------------
    // CONFIG

    fn param_value(&self, name: &str) -> Option<String> {
        let s = &self.settings;
        let b = |v: bool| if v { "yes".to_string() } else { "no".to_string() };
        Some(match name {
            "replica-priority" | "slave-priority" => s.replica_priority.to_string(),
            "min-replicas-to-write" | "min-slaves-to-write" => s.min_replicas_to_write.to_string(),
            "min-replicas-max-lag" | "min-slaves-max-lag" => s.min_replicas_max_lag_s.to_string(),
            "replica-serve-stale-data" | "slave-serve-stale-data" => b(s.replica_serve_stale_data),
            "replica-read-only" | "slave-read-only" => b(s.replica_read_only),
            "repl-diskless-sync-delay" => (s.repl_diskless_sync_delay_ms / 1000).to_string(),
            "repl-timeout" => s.repl_timeout_s.to_string(),
            "port" => s.port.to_string(),
            "replica-announce-ip" | "slave-announce-ip" => s.announce_ip.clone(),
            "requirepass" => s.requirepass.clone().unwrap_or_default(),
            "masterauth" => s.requirepass.clone().unwrap_or_default(),
            "appendonly" => b(s.persistence),
            "appendfsync" => "always".into(),
            "save" => String::new(),
            "repl-backlog-size" => crate::repl::BACKLOG_BYTES.to_string(),
            "repl-backlog-ttl" => REPL_BACKLOG_TTL_S.to_string(),
            "repl-ping-replica-period" | "repl-ping-slave-period" => REPL_PING_PERIOD_LOOPS.to_string(),
            "repl-diskless-sync" => "yes".into(),
            "maxclients" => MAX_CLIENTS.to_string(),
            "databases" => "1".into(),
            _ => return None,
        })
    }

    fn config_get(&self, patterns: &[Vec<u8>]) -> Value {
        const CANONICAL: &[&str] = &[
            "replica-priority",
            "min-replicas-to-write",
            "min-replicas-max-lag",
            "replica-serve-stale-data",
            "replica-read-only",
            "repl-diskless-sync-delay",
            "repl-timeout",
            "port",
            "replica-announce-ip",
            "requirepass",
            "masterauth",
            "appendonly",
            "appendfsync",
            "save",
            "repl-backlog-size",
            "repl-backlog-ttl",
            "repl-ping-replica-period",
            "repl-diskless-sync",
            "maxclients",
            "databases",
        ];
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for p in patterns {
            let p = p.to_ascii_lowercase();
            let is_glob = p.iter().any(|b| matches!(b, b'*' | b'?' | b'['));
            if !is_glob {
                let name = lossy(&p);
                if let Some(v) = self.param_value(&name) {
                    if seen.insert(name.clone()) {
                        out.push(Value::bulk(&name));
                        out.push(Value::bulk(v));
                    }
                }
                continue;
            }
            for name in CANONICAL {
                if db::glob_match(&p, name.as_bytes()) && seen.insert(name.to_string()) {
                    out.push(Value::bulk(name));
                    out.push(Value::bulk(self.param_value(name).unwrap_or_default()));
                }
            }
        }
        Value::Array(out)
    }

    fn config_set(&mut self, pairs: &[Vec<u8>], now: Now) -> Reply {
        if !pairs.len().is_multiple_of(2) {
            return err("ERR wrong number of arguments for 'config|set' command");
        }
        // Validate everything first: CONFIG SET is atomic in 7.0.
        let mut new = self.settings.clone();
        for kv in pairs.chunks(2) {
            let name = lossy(&kv[0]).to_ascii_lowercase();
            let val = lossy(&kv[1]);
            let fail = |why: &str| {
                err(format!(
                    "ERR CONFIG SET failed (possibly related to argument '{name}') - {why}"
                ))
            };
            let int = |v: &str| v.parse::<u64>().ok();
            let boolean = |v: &str| match v.to_ascii_lowercase().as_str() {
                "yes" => Some(true),
                "no" => Some(false),
                _ => None,
            };
            match name.as_str() {
                "replica-priority" | "slave-priority" => match int(&val).and_then(|v| u32::try_from(v).ok()) {
                    Some(v) => new.replica_priority = v,
                    None => return fail("argument couldn't be parsed into an integer"),
                },
                "min-replicas-to-write" | "min-slaves-to-write" => {
                    match int(&val).and_then(|v| u32::try_from(v).ok()) {
                        Some(v) => new.min_replicas_to_write = v,
                        None => return fail("argument couldn't be parsed into an integer"),
                    }
                }
                "min-replicas-max-lag" | "min-slaves-max-lag" => match int(&val).and_then(|v| u32::try_from(v).ok()) {
                    Some(v) => new.min_replicas_max_lag_s = v,
                    None => return fail("argument couldn't be parsed into an integer"),
                },
                "replica-serve-stale-data" | "slave-serve-stale-data" => match boolean(&val) {
                    Some(v) => new.replica_serve_stale_data = v,
                    None => return fail("argument must be 'yes' or 'no'"),
                },
                "replica-read-only" | "slave-read-only" => match boolean(&val) {
                    Some(v) => new.replica_read_only = v,
                    None => return fail("argument must be 'yes' or 'no'"),
                },
                "repl-diskless-sync-delay" => match int(&val) {
                    Some(v) if v <= 3600 => new.repl_diskless_sync_delay_ms = v * 1000,
                    _ => return fail("argument couldn't be parsed into an integer"),
                },
                "repl-timeout" => match int(&val) {
                    Some(v) if (1..=86_400).contains(&v) => new.repl_timeout_s = v,
                    _ => return fail("argument couldn't be parsed into an integer"),
                },
                "replica-announce-ip" | "slave-announce-ip" => new.announce_ip = val.clone(),
                "requirepass" => new.requirepass = if val.is_empty() { None } else { Some(val.clone()) },
                _ if self.param_value(&name).is_some() => return fail("can't set immutable config"),
                _ => {
                    return err(format!(
                        "ERR Unknown option or number of arguments for CONFIG SET - '{name}'"
                    ))
                }
            }
        }
        self.settings = new;
        self.refresh_good_replicas(now);
        ok()
    }

    fn config_rewrite(&mut self) {
        let s = &self.settings;
        let pc = PersistedConfig {
            port: s.port,
            announce_ip: s.announce_ip.clone(),
            replicaof: self.link.master.clone(),
            replica_priority: s.replica_priority,
            min_replicas_to_write: s.min_replicas_to_write,
            min_replicas_max_lag_s: s.min_replicas_max_lag_s,
            replica_serve_stale_data: s.replica_serve_stale_data,
            replica_read_only: s.replica_read_only,
        };
        self.disk.lock().config = Some(pc);
        self.note("CONFIG REWRITE executed with success.".into());
    }

    // ----------------------------------------------------------------------------------------
    // CLIENT

    fn client_type(c: &Client) -> &'static str {
        match &c.kind {
            ClientKind::Master => "master",
            ClientKind::Replica(_) => "replica",
            ClientKind::Normal if c.in_pubsub() => "pubsub",
            ClientKind::Normal => "normal",
        }
    }

    fn parse_client_type(t: &[u8]) -> Option<&'static str> {
        match t.to_ascii_lowercase().as_slice() {
            b"normal" => Some("normal"),
            b"master" => Some("master"),
            b"replica" | b"slave" => Some("replica"),
            b"pubsub" => Some("pubsub"),
            _ => None,
        }
    }

    fn client_list(&self, args: &[Vec<u8>], now: Now) -> Reply {
        let mut filter_type: Option<&'static str> = None;
        let mut ids: Option<BTreeSet<u64>> = None;
        if args.len() == 4 && args[2].eq_ignore_ascii_case(b"type") {
            match Self::parse_client_type(&args[3]) {
                Some(t) => filter_type = Some(t),
                None => return err(format!("ERR Unknown client type '{}'", lossy(&args[3]))),
            }
        } else if args.len() >= 4 && args[2].eq_ignore_ascii_case(b"id") {
            let mut set = BTreeSet::new();
            for a in &args[3..] {
                match db::parse_i64(a) {
                    Some(i) if i > 0 => {
                        set.insert(i as u64);
                    }
                    _ => return err("ERR Invalid client ID"),
                }
            }
            ids = Some(set);
        } else if args.len() != 2 {
            return err(db::SYNTAX);
        }
        let mut s = String::new();
        for c in self.clients.values() {
            if filter_type.is_some_and(|t| Self::client_type(c) != t) {
                continue;
            }
            if let Some(ids) = &ids {
                if !ids.contains(&c.id) {
                    continue;
                }
            }
            s.push_str(&self.client_info_line(c, now));
            s.push('\n');
        }
        Reply::One(Value::Bulk(s.into_bytes()))
    }

    fn client_kill(&mut self, cid: u64, args: &[Vec<u8>], now: Now) -> Reply {
        // Old form: CLIENT KILL ip:port.
        if args.len() == 3 {
            let addr = &args[2];
            let target = self
                .clients
                .values()
                .find(|c| c.addr.as_bytes() == addr.as_slice())
                .map(|c| c.id);
            return match target {
                Some(id) => {
                    self.kill(cid, id, now);
                    ok()
                }
                None => err("ERR No such client"),
            };
        }
        if !args.len().is_multiple_of(2) {
            return err(db::SYNTAX);
        }
        let mut ty: Option<&'static str> = None;
        let mut id: Option<u64> = None;
        let mut addr: Option<Vec<u8>> = None;
        let mut laddr: Option<Vec<u8>> = None;
        let mut skipme = true;
        for kv in args[2..].chunks(2) {
            let (k, v) = (&kv[0], &kv[1]);
            if k.eq_ignore_ascii_case(b"type") {
                match Self::parse_client_type(v) {
                    Some(t) => ty = Some(t),
                    None => return err(format!("ERR Unknown client type '{}'", lossy(v))),
                }
            } else if k.eq_ignore_ascii_case(b"id") {
                match db::parse_i64(v) {
                    Some(i) if i > 0 => id = Some(i as u64),
                    _ => return err("ERR client-id should be greater than 0"),
                }
            } else if k.eq_ignore_ascii_case(b"addr") {
                addr = Some(v.clone());
            } else if k.eq_ignore_ascii_case(b"laddr") {
                laddr = Some(v.clone());
            } else if k.eq_ignore_ascii_case(b"skipme") {
                if v.eq_ignore_ascii_case(b"yes") {
                    skipme = true;
                } else if v.eq_ignore_ascii_case(b"no") {
                    skipme = false;
                } else {
                    return err(db::SYNTAX);
                }
            } else if k.eq_ignore_ascii_case(b"user") || k.eq_ignore_ascii_case(b"maxage") {
                // Accepted, not modelled as a filter.
            } else {
                return err(db::SYNTAX);
            }
        }
        let victims: Vec<u64> = self
            .clients
            .values()
            .filter(|c| !(skipme && c.id == cid))
            .filter(|c| ty.is_none_or(|t| Self::client_type(c) == t))
            .filter(|c| id.is_none_or(|i| c.id == i))
            .filter(|c| addr.as_ref().is_none_or(|a| c.addr.as_bytes() == a.as_slice()))
            .filter(|c| laddr.as_ref().is_none_or(|a| c.laddr.as_bytes() == a.as_slice()))
            .map(|c| c.id)
            .collect();
        for v in &victims {
            self.kill(cid, *v, now);
        }
        Reply::One(Value::Int(victims.len() as i64))
    }

    /// Kills a client: the caller itself is closed after its reply, any other at once.
    fn kill(&mut self, caller: u64, victim: u64, now: Now) {
        if victim == caller {
            if let Some(c) = self.clients.get_mut(&victim) {
                c.close_after_reply = true;
            }
        } else {
            self.remove_client(victim, now);
        }
    }

    // ----------------------------------------------------------------------------------------
    // REPLICAOF

    fn cmd_replicaof(&mut self, cid: u64, args: &[Vec<u8>], now: Now) -> Reply {
        if self.clients.get(&cid).is_some_and(|c| c.is_replica()) {
            return err("ERR Command is not valid when client is a replica.");
        }
        if args[1].eq_ignore_ascii_case(b"no") && args[2].eq_ignore_ascii_case(b"one") {
            if self.is_replica() {
                self.unset_master(now);
                let who = self.client_info_line(&self.clients[&cid], now);
                self.note(format!("MASTER MODE enabled (user request from '{who}')"));
            }
            return ok();
        }
        let port = match db::parse_i64(&args[2]) {
            Some(p) if (0..=65535).contains(&p) => p as u16,
            _ => return err("ERR Invalid master port"),
        };
        let host = lossy(&args[1]);
        if let Some((h, p)) = &self.link.master {
            if h.eq_ignore_ascii_case(&host) && *p == port {
                self.note(
                    "REPLICAOF would result into synchronization with the master we are already connected with. No operation performed."
                        .into(),
                );
                return Reply::One(Value::simple("OK Already connected to specified master"));
            }
        }
        self.set_master(host.clone(), port, now);
        let who = self.client_info_line(&self.clients[&cid], now);
        self.note(format!("REPLICAOF {host}:{port} enabled (user request from '{who}')"));
        ok()
    }

    /// `replicationUnsetMaster`: become a master, keeping the dataset and shifting the
    /// replication id so replicas of the same history can partially resync.
    pub fn unset_master(&mut self, now: Now) {
        // Losing the link first caches the master (as freeClient does), then it is discarded.
        if let Some(mc) = self.link.master_cid {
            self.remove_client(mc, now);
        }
        self.link.master = None;
        if self.link.cached.take().is_some() {
            self.note("Discarding previously cached master state.".into());
        }
        self.link.stream_multi = None;
        self.loading = false;
        let new_id = ReplId::random(&mut self.rng);
        self.note(format!(
            "Setting secondary replication ID to {}, valid up to offset: {}. New replication ID is {}",
            self.repl.replid,
            self.repl.offset + 1,
            new_id
        ));
        self.repl.shift(new_id);
        self.disconnect_replicas(now);
        self.link.state = LinkState::None;
        self.select_needed = true;
        self.no_replicas_since_s = now.wall_s();
        self.link.down_since_s = None;
        self.link.gen += 1;
        self.effects.push(Effect::StopLink);
        self.persist_position();
    }

    /// `replicationSetMaster`: become (or stay) a replica of `host:port`.
    pub fn set_master(&mut self, host: String, port: u16, now: Now) {
        let was_master = !self.is_replica();
        // The new master must be set first so that losing the old link does not look like an
        // ordinary disconnection to reconnect from.
        if let Some(mc) = self.link.master_cid {
            self.remove_client(mc, now);
        }
        self.link.master = Some((host.clone(), port));
        self.link.stream_multi = None;
        self.loading = false;
        // Blocked clients (WAIT) are disconnected when the role changes.
        let blocked: Vec<u64> = self
            .clients
            .values()
            .filter(|c| c.blocked.is_some())
            .map(|c| c.id)
            .collect();
        for id in blocked {
            if let Some(c) = self.clients.get_mut(&id) {
                c.blocked = None;
                Value::err(
                    "UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)",
                )
                .encode(&mut c.out);
                c.closing = true;
                c.notify.notify_one();
            }
        }
        if was_master {
            self.note(
                "Before turning into a replica, using my own master parameters to synthesize a cached master: I may be able to synchronize with the new master with just a partial transfer."
                    .into(),
            );
            self.link.cached = Some((self.repl.replid, self.repl.offset));
            self.link.down_since_s = None;
        }
        self.link.state = LinkState::Connect;
        self.note(format!("Connecting to MASTER {host}:{port}"));
        self.link.gen += 1;
        self.effects.push(Effect::StartLink(self.link.gen));
    }

    fn disconnect_replicas(&mut self, now: Now) {
        let ids: Vec<u64> = self.replicas.iter().copied().collect();
        for id in ids {
            self.remove_client(id, now);
        }
    }

    // ----------------------------------------------------------------------------------------
    // Master side of replication

    fn cmd_replconf(&mut self, cid: u64, args: &[Vec<u8>], now: Now) -> Reply {
        if args.len().is_multiple_of(2) {
            return err(db::SYNTAX);
        }
        for kv in args[1..].chunks(2) {
            let (k, v) = (&kv[0], &kv[1]);
            if k.eq_ignore_ascii_case(b"listening-port") {
                match db::parse_i64(v) {
                    Some(p) if (0..=65535).contains(&p) => {
                        self.clients.get_mut(&cid).expect("client exists").listening_port = p as u16
                    }
                    _ => return err(db::NOT_INTEGER),
                }
            } else if k.eq_ignore_ascii_case(b"ip-address") {
                self.clients.get_mut(&cid).expect("client exists").announced_ip = Some(lossy(v));
            } else if k.eq_ignore_ascii_case(b"capa") || k.eq_ignore_ascii_case(b"rdb-only") {
                // Capabilities: we always stream our own snapshot format.
            } else if k.eq_ignore_ascii_case(b"ack") {
                let off = db::parse_i64(v).unwrap_or(0);
                let now_s = now.wall_s();
                if let Some(c) = self.clients.get_mut(&cid) {
                    if let ClientKind::Replica(r) = &mut c.kind {
                        if off > r.ack_off {
                            r.ack_off = off;
                        }
                        r.ack_time_s = now_s;
                        self.ack_notify.notify_waiters();
                    }
                }
                return Reply::Nothing;
            } else if k.eq_ignore_ascii_case(b"getack") {
                return Reply::Nothing;
            } else {
                return err(format!("ERR Unrecognized REPLCONF option: {}", lossy(k)));
            }
        }
        ok()
    }

    fn cmd_psync(&mut self, cid: u64, args: &[Vec<u8>], now: Now) -> Reply {
        if self.clients[&cid].is_replica() {
            return Reply::Nothing;
        }
        if self.is_replica() && self.link.state != LinkState::Connected {
            return err("NOMASTERLINK Can't SYNC while not connected with my master");
        }
        let Some(offset) = db::parse_i64(&args[2]) else {
            return err(db::NOT_INTEGER);
        };
        let name = self.clients[&cid].replica_name();
        self.note(format!("Replica {name} asks for synchronization"));
        let asked = &args[1];
        match self.repl.decide_psync(asked, offset) {
            PsyncDecision::Continue { from } => {
                let bytes = self
                    .repl
                    .backlog
                    .as_ref()
                    .and_then(|b| b.range_from(from))
                    .unwrap_or_default();
                let c = self.clients.get_mut(&cid).expect("client exists");
                c.kind = ClientKind::Replica(ReplicaInfo {
                    state: ReplicaState::Online,
                    ack_off: 0,
                    ack_time_s: now.wall_s(),
                    since_mono_ms: now.mono_ms,
                });
                c.out
                    .extend_from_slice(format!("+CONTINUE {}\r\n", self.repl.replid).as_bytes());
                c.push_out(&bytes);
                self.replicas.insert(cid);
                self.stats.sync_partial_ok += 1;
                self.note(format!(
                    "Partial resynchronization request from {name} accepted. Sending {} bytes of backlog starting from offset {from}.",
                    bytes.len()
                ));
                self.refresh_good_replicas(now);
            }
            PsyncDecision::Full(reason) => {
                let msg = match &reason {
                    FullReason::Requested => format!("Full resync requested by replica {name}"),
                    FullReason::IdMismatch { asked } => format!(
                        "Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '{asked}', my replication IDs are '{}' and '{}')",
                        self.repl.replid, self.repl.replid2
                    ),
                    FullReason::SecondIdOffset { requested, max } => format!(
                        "Partial resynchronization not accepted: Requested offset for second ID was {requested}, but I can reply up to {max}"
                    ),
                    FullReason::NoBacklog { requested } => format!(
                        "Unable to partial resync with replica {name} for lack of backlog (Replica request was: {requested})."
                    ),
                };
                self.note(msg);
                if reason != FullReason::Requested {
                    self.stats.sync_partial_err += 1;
                }
                self.stats.sync_full += 1;
                let c = self.clients.get_mut(&cid).expect("client exists");
                c.kind = ClientKind::Replica(ReplicaInfo {
                    state: ReplicaState::WaitBgsave,
                    ack_off: 0,
                    ack_time_s: now.wall_s(),
                    since_mono_ms: now.mono_ms,
                });
                self.replicas.insert(cid);
                if self.replicas.len() == 1 && self.repl.backlog.is_none() {
                    let id = ReplId::random(&mut self.rng);
                    self.repl.reset_ids(id);
                    self.repl.create_backlog();
                    self.note(format!(
                        "Replication backlog created, my new replication IDs are '{}' and '{}'",
                        self.repl.replid, self.repl.replid2
                    ));
                    self.persist_position();
                }
                let delay = self.settings.repl_diskless_sync_delay_ms;
                if delay > 0 {
                    self.note("Delay next BGSAVE for diskless SYNC".into());
                    self.effects.push(Effect::ScheduleFullSync(delay));
                } else {
                    self.maybe_start_full_sync(now);
                }
            }
        }
        Reply::Nothing
    }

    /// Starts the diskless full sync once the oldest waiting replica waited the configured delay
    /// (`replicationStartPendingFork`); every replica waiting at that moment shares it.
    pub fn maybe_start_full_sync(&mut self, now: Now) {
        let delay = self.settings.repl_diskless_sync_delay_ms;
        let waiting: Vec<u64> = self
            .replicas
            .iter()
            .copied()
            .filter(
                |id| matches!(&self.clients[id].kind, ClientKind::Replica(r) if r.state == ReplicaState::WaitBgsave),
            )
            .collect();
        let Some(oldest) = waiting
            .iter()
            .filter_map(|id| match &self.clients[id].kind {
                ClientKind::Replica(r) => Some(r.since_mono_ms),
                _ => None,
            })
            .min()
        else {
            return;
        };
        if now.mono_ms.saturating_sub(oldest) < delay {
            return;
        }
        if self.is_replica() && self.link.state != LinkState::Connected {
            // Our own history is not usable right now; they will time out and retry.
            return;
        }
        self.note("Starting BGSAVE for SYNC with target: replicas sockets".into());
        let mut payload = Vec::new();
        self.db.encode_snapshot(&mut payload);
        let header = format!(
            "+FULLRESYNC {} {}\r\n${}\r\n",
            self.repl.replid,
            self.repl.offset,
            payload.len()
        );
        // The stream after the snapshot starts with a SELECT, as after any full sync.
        self.select_needed = true;
        for id in waiting {
            let c = self.clients.get_mut(&id).expect("replica exists");
            let mut bytes = Vec::with_capacity(header.len() + payload.len() + 2);
            bytes.extend_from_slice(header.as_bytes());
            bytes.extend_from_slice(&payload);
            bytes.extend_from_slice(b"\r\n");
            c.push_out(&bytes);
            if let ClientKind::Replica(r) = &mut c.kind {
                r.state = ReplicaState::Online;
                r.ack_time_s = now.wall_s();
            }
            let name = c.replica_name();
            self.note(format!("Synchronization with replica {name} succeeded"));
        }
        self.refresh_good_replicas(now);
    }

    /// `refreshGoodSlavesCount`.
    pub fn refresh_good_replicas(&mut self, now: Now) {
        let max_lag = self.settings.min_replicas_max_lag_s as i64;
        let now_s = now.wall_s();
        self.good_replicas = self
            .replicas
            .iter()
            .filter_map(|id| self.clients.get(id))
            .filter(|c| matches!(&c.kind, ClientKind::Replica(r) if r.state == ReplicaState::Online && now_s - r.ack_time_s <= max_lag))
            .count() as u32;
    }

    fn count_acks(&self, offset: i64) -> i64 {
        self.replicas
            .iter()
            .filter_map(|id| self.clients.get(id))
            .filter(
                |c| matches!(&c.kind, ClientKind::Replica(r) if r.state == ReplicaState::Online && r.ack_off >= offset),
            )
            .count() as i64
    }

    fn cmd_wait(&mut self, cid: u64, args: &[Vec<u8>], now: Now, in_exec: bool) -> Reply {
        if self.is_replica() {
            return err("ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.");
        }
        let (Some(num), Some(timeout)) = (db::parse_i64(&args[1]), db::parse_i64(&args[2])) else {
            return err(db::NOT_INTEGER);
        };
        if timeout < 0 {
            return err("ERR timeout is negative");
        }
        let target = self.clients[&cid].woff;
        let acked = self.count_acks(target);
        if in_exec || acked >= num {
            return Reply::One(Value::Int(acked));
        }
        let deadline = if timeout == 0 {
            None
        } else {
            Some(now.mono_ms + timeout as u64)
        };
        self.clients.get_mut(&cid).expect("client exists").blocked = Some(WaitBlock {
            numreplicas: num,
            target_off: target,
            deadline_mono_ms: deadline,
        });
        self.getack_pending = true;
        Reply::Nothing
    }

    /// Re-checks a client blocked in WAIT; replies and unblocks it when done. Returns the
    /// deadline if it is still blocked.
    pub fn check_blocked(&mut self, cid: u64, now: Now) -> Option<Option<u64>> {
        let b = self.clients.get(&cid)?.blocked?;
        let acked = self.count_acks(b.target_off);
        let timed_out = b.deadline_mono_ms.is_some_and(|d| now.mono_ms >= d);
        if acked >= b.numreplicas || timed_out {
            let c = self.clients.get_mut(&cid).expect("client exists");
            c.blocked = None;
            Value::Int(acked).encode(&mut c.out);
            return None;
        }
        Some(b.deadline_mono_ms)
    }

    fn send_getack(&mut self, now: Now) {
        if self.is_replica() || self.replicas.is_empty() {
            return;
        }
        self.propagate(
            &[vec![b"REPLCONF".to_vec(), b"GETACK".to_vec(), b"*".to_vec()]],
            false,
            now,
        );
    }

    /// `replicationCron`, once per second.
    pub fn cron(&mut self, now: Now) {
        let now_s = now.wall_s();
        let timeout_s = self.settings.repl_timeout_s as i64;
        if self.is_replica() {
            if let Some(mc) = self.link.master_cid {
                if self.link.state == LinkState::Connected && now_s - self.link.last_io_s > timeout_s {
                    self.note("MASTER timeout: no data nor PING received...".into());
                    self.remove_client(mc, now);
                } else if let Some(c) = self.clients.get_mut(&mc) {
                    let mut buf = Vec::with_capacity(48);
                    encode_ack(self.repl.offset, &mut buf);
                    c.push_out(&buf);
                }
            }
        } else if self.cron_loops.is_multiple_of(REPL_PING_PERIOD_LOOPS) && !self.replicas.is_empty() {
            let mut buf = Vec::with_capacity(16);
            resp::encode_command(&[b"PING".as_slice()], &mut buf);
            self.feed_raw(&buf, now);
        }
        let timed_out: Vec<u64> = self
            .replicas
            .iter()
            .copied()
            .filter(|id| {
                matches!(&self.clients[id].kind, ClientKind::Replica(r) if r.state == ReplicaState::Online && now_s - r.ack_time_s > timeout_s)
            })
            .collect();
        for id in timed_out {
            let name = self.clients[&id].replica_name();
            self.note(format!("Disconnecting timedout replica (streaming sync): {name}"));
            self.remove_client(id, now);
        }
        if !self.is_replica()
            && self.replicas.is_empty()
            && self.repl.backlog.is_some()
            && now_s - self.no_replicas_since_s > REPL_BACKLOG_TTL_S
        {
            let id = ReplId::random(&mut self.rng);
            self.repl.reset_ids(id);
            self.repl.backlog = None;
            self.note(format!(
                "Replication backlog freed after {REPL_BACKLOG_TTL_S} seconds without connected replicas."
            ));
            self.persist_position();
        }
        self.refresh_good_replicas(now);
        self.maybe_start_full_sync(now);
        self.cron_loops += 1;
    }

    // ----------------------------------------------------------------------------------------
    // Replica side of replication (called by the link task, each with its generation)

    fn link_current(&self, gen: u64) -> bool {
        self.link.gen == gen && self.link.master.is_some()
    }

    /// A connection attempt starts. None: this link task is obsolete.
    pub fn link_attempt(&mut self, gen: u64, kind: Attempt) -> Option<LinkTarget> {
        if !self.link_current(gen) {
            return None;
        }
        let (host, port) = self.link.master.clone()?;
        match kind {
            // "Connecting to MASTER" was noted by REPLICAOF or the startup.
            Attempt::First => {}
            Attempt::Reconnect => self.note(format!("Reconnecting to MASTER {host}:{port}")),
            Attempt::Retry => self.note(format!("Connecting to MASTER {host}:{port}")),
        }
        self.link.state = LinkState::Connecting;
        Some(LinkTarget {
            host,
            port,
            auth: self.settings.requirepass.clone(),
            listening_port: self.settings.port,
            announce_ip: self.settings.announce_ip.clone(),
            timeout_s: self.settings.repl_timeout_s,
            psync_wait_ms: self.settings.repl_timeout_s * 1000 + self.settings.repl_diskless_sync_delay_ms,
        })
    }

    /// The attempt failed before the link was up.
    pub fn link_failed(&mut self, gen: u64, why: String) -> bool {
        if !self.link_current(gen) {
            return false;
        }
        self.note(why);
        if self.link.state != LinkState::Connected {
            self.link.state = LinkState::Connect;
        }
        true
    }

    pub fn link_handshake(&mut self, gen: u64) -> bool {
        if !self.link_current(gen) {
            return false;
        }
        self.link.state = LinkState::Handshake;
        self.note("Master replied to PING, replication can continue...".into());
        true
    }

    /// The PSYNC arguments: the cached master's id and offset+1, or `? -1`.
    pub fn link_psync_args(&mut self, gen: u64) -> Option<(String, String)> {
        if !self.link_current(gen) {
            return None;
        }
        match self.link.cached {
            Some((id, off)) => {
                self.note(format!(
                    "Trying a partial resynchronization (request {id}:{}).",
                    off + 1
                ));
                Some((id.to_string(), (off + 1).to_string()))
            }
            None => {
                self.note("Partial resynchronization not possible (no cached master)".into());
                Some(("?".into(), "-1".into()))
            }
        }
    }

    /// `+FULLRESYNC <id> <offset>` received; the snapshot follows.
    pub fn link_fullresync(&mut self, gen: u64, id: ReplId, offset: i64) -> bool {
        if !self.link_current(gen) {
            return false;
        }
        self.note(format!("Full resync from master: {id}:{offset}"));
        self.note("MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk".into());
        self.link.state = LinkState::Transfer;
        true
    }

    /// The snapshot arrived: drop the old history and data, start loading. Returns the
    /// simulated load time.
    pub fn link_load_begin(&mut self, gen: u64, id: ReplId, offset: i64, db: &Db, now: Now) -> Option<u64> {
        if !self.link_current(gen) {
            return None;
        }
        if self.link.cached.take().is_some() {
            self.note("Discarding previously cached master state.".into());
        }
        // Our sub-replicas follow a history that is being replaced.
        self.disconnect_replicas(now);
        self.note("MASTER <-> REPLICA sync: Flushing old data".into());
        self.db.clear();
        self.repl.backlog = None;
        self.loading = true;
        self.note("MASTER <-> REPLICA sync: Loading DB in memory".into());
        if self.settings.persistence {
            self.disk.lock().data = Some(PersistedData {
                db: db.clone(),
                replid: id,
                offset,
            });
        }
        Some(1 + db.len() as u64 / 2000)
    }

    /// The snapshot is loaded: the link is up. Returns the master client to read the stream for.
    pub fn link_load_finish(
        &mut self,
        gen: u64,
        id: ReplId,
        offset: i64,
        db: Db,
        (addr, laddr): (String, String),
        now: Now,
    ) -> Option<(u64, Arc<Notify>)> {
        if !self.link_current(gen) {
            return None;
        }
        let keys = db.len();
        self.db = db;
        self.loading = false;
        self.repl.reset_ids(id);
        self.repl.offset = offset;
        self.repl.backlog = None;
        self.repl.create_backlog();
        self.persist_position();
        self.note(format!("Done loading RDB, keys loaded: {keys}, keys expired: 0."));
        self.note("MASTER <-> REPLICA sync: Finished with success".into());
        Some(self.link_up(addr, laddr, now))
    }

    /// `+CONTINUE [<id>]` received: the link is up with the cached history.
    pub fn link_continue(
        &mut self,
        gen: u64,
        new_id: Option<ReplId>,
        addr: String,
        laddr: String,
        now: Now,
    ) -> Option<(u64, Arc<Notify>)> {
        if !self.link_current(gen) {
            return None;
        }
        self.note("Successful partial resynchronization with master.".into());
        self.link.cached = None;
        if let Some(id) = new_id {
            if id != self.repl.replid {
                self.repl.shift(id);
                self.note(format!("Master replication ID changed to {id}"));
                // Our sub-replicas must learn the new id: they reconnect and partially resync.
                self.disconnect_replicas(now);
            }
        }
        self.repl.create_backlog();
        self.persist_position();
        self.note("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.".into());
        Some(self.link_up(addr, laddr, now))
    }

    fn link_up(&mut self, addr: String, laddr: String, now: Now) -> (u64, Arc<Notify>) {
        let (id, notify) = self.add_client(addr, laddr, ClientKind::Master, now);
        self.link.master_cid = Some(id);
        self.link.state = LinkState::Connected;
        self.link.last_io_s = now.wall_s();
        self.link.down_since_s = None;
        self.link.stream_multi = None;
        // First ACK right away, as Redis does after a sync.
        let mut buf = Vec::with_capacity(48);
        encode_ack(self.repl.offset, &mut buf);
        if let Some(c) = self.clients.get_mut(&id) {
            c.push_out(&buf);
        }
        (id, notify)
    }

    /// Connection to the master lost (freeClient of the master + replicationCacheMaster).
    fn master_link_lost(&mut self, now: Now) {
        self.link.master_cid = None;
        self.link.stream_multi = None;
        if self.link.master.is_none() {
            return;
        }
        self.note("Connection with master lost.".into());
        self.note("Caching the disconnected master state.".into());
        self.link.cached = Some((self.repl.replid, self.repl.offset));
        self.link.state = LinkState::Connect;
        self.link.down_since_s = Some(now.wall_s());
    }

    /// One command of the master's stream (already parsed). false: this link is obsolete.
    pub fn link_apply(&mut self, gen: u64, cid: u64, args: Cmd, now: Now) -> bool {
        if !self.link_current(gen) || self.link.master_cid != Some(cid) || args.is_empty() {
            return false;
        }
        self.link.last_io_s = now.wall_s();
        let mut raw = std::mem::take(&mut self.stream_buf);
        raw.clear();
        resp::encode_command(&args, &mut raw);
        if let Some((queued, qraw)) = &mut self.link.stream_multi {
            if args[0].eq_ignore_ascii_case(b"exec") {
                let (queued, mut qraw) = self.link.stream_multi.take().expect("multi pending");
                qraw.extend_from_slice(&raw);
                for q in queued {
                    self.apply_from_master(q, now);
                }
                self.feed_raw(&qraw, now);
            } else if queued.len() < MAX_MULTI_COMMANDS {
                qraw.extend_from_slice(&raw);
                queued.push(args);
            }
        } else if args[0].eq_ignore_ascii_case(b"multi") {
            self.link.stream_multi = Some((Vec::new(), raw.clone()));
        } else {
            self.apply_from_master(args, now);
            self.feed_raw(&raw, now);
        }
        self.stream_buf = raw;
        true
    }

    fn apply_from_master(&mut self, args: Cmd, now: Now) {
        let Some(spec) = commands::lookup(&args[0]) else {
            return;
        };
        if !commands::arity_ok(spec.arity, args.len()) {
            return;
        }
        match spec.kind {
            Kind::Data(d) => {
                let mut effects = std::mem::take(&mut self.effects_buf);
                {
                    let mut x = Exec {
                        now_ms: now.wall_ms,
                        access: Access::Obey,
                        effects: &mut effects,
                        stats: &mut self.stats.data,
                    };
                    self.db.exec(d, &args, &mut x);
                }
                effects.clear();
                self.effects_buf = effects;
                self.persist(std::slice::from_ref(&args), now);
            }
            Kind::Publish => {
                self.publish(&args[1], &args[2]);
            }
            Kind::Replconf if args.len() >= 2 && args[1].eq_ignore_ascii_case(b"getack") => {
                if let Some(mc) = self.link.master_cid {
                    let mut buf = Vec::with_capacity(48);
                    encode_ack(self.repl.offset, &mut buf);
                    if let Some(c) = self.clients.get_mut(&mc) {
                        c.push_out(&buf);
                    }
                }
            }
            _ => {}
        }
    }

    /// The processed offset INFO shows as `slave_repl_offset` (1 with no master nor cached master).
    pub fn slave_repl_offset(&self) -> i64 {
        if self.link.master_cid.is_some() {
            self.repl.offset
        } else if let Some((_, off)) = self.link.cached {
            off
        } else {
            1
        }
    }
}

#[cfg(test)]
mod tests;
