//! Role changes: REPLICAOF, promotion to master (replication id shift) and demotion to replica
//! (cached master from our own history).

use super::{err, lossy, ok, Effect, LinkState, Now, Reply, State};
use crate::db;
use crate::repl::ReplId;
use resp::Value;

impl State {
    pub(super) fn cmd_replicaof(&mut self, cid: u64, args: &[Vec<u8>], now: Now) -> Reply {
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
        self.unblock_on_demotion();
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

    /// Blocked clients (WAIT) are disconnected when the role changes.
    fn unblock_on_demotion(&mut self) {
        for c in self.clients.values_mut().filter(|c| c.blocked.is_some()) {
            c.blocked = None;
            Value::err("UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)")
                .encode(&mut c.out);
            c.closing = true;
            c.notify.notify_one();
        }
    }
}
