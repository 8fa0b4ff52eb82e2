//! The node as a synchronous state machine: clients, command processing (`processCommand` checks,
//! MULTI/EXEC, pub/sub), the master side of replication (PSYNC, stream, acks, delayed full sync)
//! and the replica side (what the link task reports). Time is always an argument; the async
//! driver in `server.rs` owns sockets and timers and executes the [`Effect`]s this produces.
//!
//! This module holds the node's state and the types the driver and INFO share; the submodules
//! each add the `State` methods of one concern.

mod acks;
mod client_command;
mod clients;
mod config;
mod connection;
mod cron;
mod dispatch;
mod keyspace;
mod master;
mod multi;
mod pubsub;
mod replica;
mod role;
mod startup;

pub use clients::{Client, ClientKind, ReplicaState};

use crate::db::{Cmd, DataStats, Db};
use crate::disk::Disk;
use crate::repl::{ReplHistory, ReplId};
use rand_chacha::ChaCha8Rng;
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

impl State {
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
}

#[cfg(test)]
mod tests;
