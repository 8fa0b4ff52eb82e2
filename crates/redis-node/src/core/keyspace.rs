//! Data commands over the keyspace, and what a write leaves behind: persistence, propagation
//! and the client's replication offset (for WAIT).

use super::{Now, Reply, State};
use crate::db::{Access, Cmd, DataCmd, Exec};

impl State {
    /// A data command of a client.
    pub(super) fn call_data(&mut self, cid: u64, d: DataCmd, args: &Cmd, now: Now) -> Reply {
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
            self.db.exec(d, args, &mut x)
        };
        if !effects.is_empty() {
            self.commit_effects(cid, &effects, now, true);
        }
        effects.clear();
        self.effects_buf = effects;
        Reply::One(v)
    }

    /// A data command of our master's stream: obeyed as is, persisted as received (the stream
    /// itself is fed on by the caller).
    pub(super) fn obey_data(&mut self, d: DataCmd, args: &Cmd, now: Now) {
        let mut effects = std::mem::take(&mut self.effects_buf);
        {
            let mut x = Exec {
                now_ms: now.wall_ms,
                access: Access::Obey,
                effects: &mut effects,
                stats: &mut self.stats.data,
            };
            self.db.exec(d, args, &mut x);
        }
        effects.clear();
        self.effects_buf = effects;
        self.persist(std::slice::from_ref(args), now);
    }

    /// A command changed the dataset (or published): persist, replicate, remember the offset.
    pub(super) fn commit_effects(&mut self, cid: u64, effects: &[Cmd], now: Now, persist: bool) {
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
}
