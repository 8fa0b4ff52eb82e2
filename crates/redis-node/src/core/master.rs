//! The master side of replication: the command stream to replicas and the backlog, REPLCONF,
//! PSYNC (partial from the backlog or delayed diskless full sync), replica timeouts and the
//! backlog's time to live.

use super::clients::ReplicaInfo;
use super::{err, lossy, ok, ClientKind, Effect, LinkState, Now, ReplicaState, Reply, State};
use super::{REPL_BACKLOG_TTL_S, REPL_PING_PERIOD_LOOPS};
use crate::db::{self, Cmd};
use crate::repl::{FullReason, PsyncDecision, ReplId};

impl State {
    /// `replicationFeedSlaves`: encode and feed commands to the backlog and the replicas.
    pub(super) fn propagate(&mut self, cmds: &[Cmd], wrap: bool, now: Now) {
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
    pub(super) fn feed_raw(&mut self, bytes: &[u8], _now: Now) {
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

    /// Drops every attached replica (they reconnect and resync).
    pub(super) fn disconnect_replicas(&mut self, now: Now) {
        let ids: Vec<u64> = self.replicas.iter().copied().collect();
        for id in ids {
            self.remove_client(id, now);
        }
    }

    pub(super) fn cmd_replconf(&mut self, cid: u64, args: &[Vec<u8>], now: Now) -> Reply {
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
                self.record_ack(cid, db::parse_i64(v).unwrap_or(0), now);
                return Reply::Nothing;
            } else if k.eq_ignore_ascii_case(b"getack") {
                return Reply::Nothing;
            } else {
                return err(format!("ERR Unrecognized REPLCONF option: {}", lossy(k)));
            }
        }
        ok()
    }

    pub(super) fn cmd_psync(&mut self, cid: u64, args: &[Vec<u8>], now: Now) -> Reply {
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
            PsyncDecision::Continue { from } => self.accept_partial(cid, from, &name, now),
            PsyncDecision::Full(reason) => self.start_full(cid, reason, &name, now),
        }
        Reply::Nothing
    }

    /// The client becomes an attached replica.
    fn attach_replica(&mut self, cid: u64, state: ReplicaState, now: Now) {
        let c = self.clients.get_mut(&cid).expect("client exists");
        c.kind = ClientKind::Replica(ReplicaInfo {
            state,
            ack_off: 0,
            ack_time_s: now.wall_s(),
            since_mono_ms: now.mono_ms,
        });
        self.replicas.insert(cid);
    }

    /// `+CONTINUE`, then the backlog from the replica's offset on.
    fn accept_partial(&mut self, cid: u64, from: i64, name: &str, now: Now) {
        let bytes = self
            .repl
            .backlog
            .as_ref()
            .and_then(|b| b.range_from(from))
            .unwrap_or_default();
        self.attach_replica(cid, ReplicaState::Online, now);
        let c = self.clients.get_mut(&cid).expect("client exists");
        c.out
            .extend_from_slice(format!("+CONTINUE {}\r\n", self.repl.replid).as_bytes());
        c.push_out(&bytes);
        self.stats.sync_partial_ok += 1;
        self.note(format!(
            "Partial resynchronization request from {name} accepted. Sending {} bytes of backlog starting from offset {from}.",
            bytes.len()
        ));
        self.refresh_good_replicas(now);
    }

    fn full_resync_note(&self, reason: &FullReason, name: &str) -> String {
        match reason {
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
        }
    }

    /// The replica waits for a (possibly delayed) full sync; the first replica creates the backlog.
    fn start_full(&mut self, cid: u64, reason: FullReason, name: &str, now: Now) {
        let msg = self.full_resync_note(&reason, name);
        self.note(msg);
        if reason != FullReason::Requested {
            self.stats.sync_partial_err += 1;
        }
        self.stats.sync_full += 1;
        self.attach_replica(cid, ReplicaState::WaitBgsave, now);
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

    /// The stream keeps flowing while idle, so replicas can tell a dead master from a quiet one.
    pub(super) fn ping_replicas(&mut self, now: Now) {
        if self.cron_loops.is_multiple_of(REPL_PING_PERIOD_LOOPS) && !self.replicas.is_empty() {
            let mut buf = Vec::with_capacity(16);
            resp::encode_command(&[b"PING".as_slice()], &mut buf);
            self.feed_raw(&buf, now);
        }
    }

    /// Drops online replicas that have not acknowledged within `repl-timeout`.
    pub(super) fn drop_timed_out_replicas(&mut self, now: Now) {
        let now_s = now.wall_s();
        let timeout_s = self.settings.repl_timeout_s as i64;
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
    }

    /// A master without replicas for `repl-backlog-ttl` frees its backlog and starts a new history.
    pub(super) fn expire_backlog(&mut self, now: Now) {
        if !self.is_replica()
            && self.replicas.is_empty()
            && self.repl.backlog.is_some()
            && now.wall_s() - self.no_replicas_since_s > REPL_BACKLOG_TTL_S
        {
            let id = ReplId::random(&mut self.rng);
            self.repl.reset_ids(id);
            self.repl.backlog = None;
            self.note(format!(
                "Replication backlog freed after {REPL_BACKLOG_TTL_S} seconds without connected replicas."
            ));
            self.persist_position();
        }
    }
}
