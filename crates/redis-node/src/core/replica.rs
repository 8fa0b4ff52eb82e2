//! The replica side of replication, as the link task reports it (each call carries the link's
//! generation; an obsolete task is told to stop): connect, handshake, PSYNC answer, snapshot
//! load, then the master's command stream, acks and the master timeout.

use super::{Attempt, ClientKind, LinkState, LinkTarget, Now, State, MAX_MULTI_COMMANDS};
use crate::commands::{self, Kind};
use crate::db::{Cmd, Db};
use crate::disk::PersistedData;
use crate::repl::ReplId;
use std::sync::Arc;
use tokio::sync::Notify;

impl State {
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
        self.ack_master();
        (id, notify)
    }

    /// Connection to the master lost (freeClient of the master + replicationCacheMaster).
    pub(super) fn master_link_lost(&mut self, now: Now) {
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
            Kind::Data(d) => self.obey_data(d, &args, now),
            Kind::Publish => {
                self.publish(&args[1], &args[2]);
            }
            Kind::Replconf if args.len() >= 2 && args[1].eq_ignore_ascii_case(b"getack") => self.ack_master(),
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

    /// `REPLCONF ACK <processed offset>` to our master.
    fn ack_master(&mut self) {
        let Some(mc) = self.link.master_cid else {
            return;
        };
        let mut buf = Vec::with_capacity(48);
        resp::encode_command(
            &[b"REPLCONF".as_slice(), b"ACK", self.repl.offset.to_string().as_bytes()],
            &mut buf,
        );
        if let Some(c) = self.clients.get_mut(&mc) {
            c.push_out(&buf);
        }
    }

    /// The replica half of the cron: drop a silent master, else acknowledge our offset.
    pub(super) fn check_master_link(&mut self, now: Now) {
        let Some(mc) = self.link.master_cid else {
            return;
        };
        let timeout_s = self.settings.repl_timeout_s as i64;
        if self.link.state == LinkState::Connected && now.wall_s() - self.link.last_io_s > timeout_s {
            self.note("MASTER timeout: no data nor PING received...".into());
            self.remove_client(mc, now);
        } else {
            self.ack_master();
        }
    }
}
