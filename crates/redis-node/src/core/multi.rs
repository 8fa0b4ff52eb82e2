//! Transactions: MULTI, queueing, DISCARD, EXEC (propagated as one MULTI/EXEC block).

use super::clients::Multi;
use super::{err, ok, Now, Reply, State, EXECABORT, MAX_MULTI_COMMANDS};
use crate::commands::Spec;
use crate::db::Cmd;
use resp::Value;

impl State {
    pub(super) fn cmd_multi(&mut self, cid: u64) -> Reply {
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

    pub(super) fn cmd_discard(&mut self, cid: u64) -> Reply {
        let c = self.clients.get_mut(&cid).expect("client exists");
        if c.multi.take().is_none() {
            return err("ERR DISCARD without MULTI");
        }
        ok()
    }

    /// Queues a command of a client inside MULTI (admission checks already passed).
    pub(super) fn queue_command(&mut self, cid: u64, spec: &'static Spec, args: Cmd) -> Reply {
        let c = self.clients.get_mut(&cid).expect("client exists");
        let m = c.multi.as_mut().expect("client is in MULTI");
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
        Reply::One(Value::simple("QUEUED"))
    }

    pub(super) fn cmd_exec(&mut self, cid: u64, now: Now) -> Reply {
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
}
