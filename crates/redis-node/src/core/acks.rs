//! What replicas acknowledged: the good-replica count behind min-replicas-to-write, REPLCONF
//! ACK, WAIT and the GETACK that speeds it up.

use super::clients::WaitBlock;
use super::{err, ClientKind, Now, ReplicaState, Reply, State};
use crate::db;
use resp::Value;

impl State {
    /// Whether min-replicas-to-write lets writes through (a replica never refuses for it).
    pub(super) fn good_replicas_ok(&self) -> bool {
        self.is_replica()
            || self.settings.min_replicas_to_write == 0
            || self.settings.min_replicas_max_lag_s == 0
            || self.good_replicas >= self.settings.min_replicas_to_write
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

    pub(super) fn count_acks(&self, offset: i64) -> i64 {
        self.replicas
            .iter()
            .filter_map(|id| self.clients.get(id))
            .filter(
                |c| matches!(&c.kind, ClientKind::Replica(r) if r.state == ReplicaState::Online && r.ack_off >= offset),
            )
            .count() as i64
    }

    /// `REPLCONF ACK <offset>` from a replica.
    pub(super) fn record_ack(&mut self, cid: u64, off: i64, now: Now) {
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
    }

    pub(super) fn cmd_wait(&mut self, cid: u64, args: &[Vec<u8>], now: Now, in_exec: bool) -> Reply {
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

    pub(super) fn send_getack(&mut self, now: Now) {
        if self.is_replica() || self.replicas.is_empty() {
            return;
        }
        self.propagate(
            &[vec![b"REPLCONF".to_vec(), b"GETACK".to_vec(), b"*".to_vec()]],
            false,
            now,
        );
    }
}
