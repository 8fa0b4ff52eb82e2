//! Clients: the connection records, their kinds (normal, attached replica, our master link),
//! output buffers and limits, registration and removal.

use super::{
    Now, Reply, State, MAX_CLIENTS, OUTPUT_LIMIT_NORMAL_BYTES, OUTPUT_LIMIT_PUBSUB_BYTES, OUTPUT_LIMIT_REPLICA_BYTES,
};
use crate::commands::Spec;
use crate::db::Cmd;
use resp::Value;
use std::collections::BTreeSet;
use std::sync::Arc;
use tokio::sync::Notify;

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
    pub(super) fn sub_count(&self) -> i64 {
        (self.subs.len() + self.psubs.len()) as i64
    }
    pub fn is_replica(&self) -> bool {
        matches!(self.kind, ClientKind::Replica(_))
    }
    pub(super) fn output_limit(&self) -> usize {
        match self.kind {
            ClientKind::Replica(_) => OUTPUT_LIMIT_REPLICA_BYTES,
            _ if self.in_pubsub() => OUTPUT_LIMIT_PUBSUB_BYTES,
            _ => OUTPUT_LIMIT_NORMAL_BYTES,
        }
    }
    /// Appends bytes for the peer; a client over its output limit is closed (Redis frees clients
    /// over `client-output-buffer-limit`). Returns false if the bytes were not queued.
    pub(super) fn push_out(&mut self, bytes: &[u8]) -> bool {
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

impl State {
    /// Registers an accepted connection. Err: the reply to send before closing.
    pub fn register_client(&mut self, addr: String, laddr: String, now: Now) -> Result<(u64, Arc<Notify>), Value> {
        if self.clients.len() >= MAX_CLIENTS {
            self.stats.rejected_connections += 1;
            return Err(Value::err("ERR max number of clients reached"));
        }
        self.stats.connections += 1;
        Ok(self.add_client(addr, laddr, ClientKind::Normal, now))
    }

    pub(super) fn add_client(&mut self, addr: String, laddr: String, kind: ClientKind, now: Now) -> (u64, Arc<Notify>) {
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
        self.drop_subscriptions(&c);
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

    /// Queues a command's reply for its client.
    pub(super) fn emit(&mut self, cid: u64, reply: Reply) {
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
}
