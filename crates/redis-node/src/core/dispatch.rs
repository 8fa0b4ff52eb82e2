//! Command dispatch: lookup and arity, the `processCommand` admission checks (auth, MULTI,
//! min-replicas, read-only, pub/sub context, stale data, loading), and the command table
//! routing each kind to the module that implements it.

use super::{err, one_line, trunc, Now, Reply, State};
use super::{LinkState, LOADING, MASTERDOWN, NOAUTH, NOREPLICAS, READONLY};
use crate::commands::{self, Kind, LookupError, Spec};
use crate::db::Cmd;
use resp::Value;

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

fn lookup_error_msg(e: LookupError, args: &[Vec<u8>]) -> String {
    match e {
        LookupError::UnknownCommand => unknown_command_msg(args),
        LookupError::UnknownSubcommand(up) => one_line(format!(
            "ERR unknown subcommand '{}'. Try {up} HELP.",
            trunc(&args[1], 128)
        )),
    }
}

fn help_reply(spec: &Spec) -> Reply {
    Reply::One(Value::Array(vec![Value::simple(format!(
        "{} <subcommand> [<arg> [value] [opt] ...]. Subcommands are: (see the Redis documentation)",
        spec.name.split('|').next().unwrap_or("").to_ascii_uppercase()
    ))]))
}

fn time_reply(now: Now) -> Reply {
    let us = now.wall_ms.saturating_mul(1000);
    Reply::One(Value::Array(vec![
        Value::bulk(us.div_euclid(1_000_000).to_string()),
        Value::bulk(us.rem_euclid(1_000_000).to_string()),
    ]))
}

impl State {
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

    /// An error reply that also flags an open transaction (and aborts it if this was EXEC).
    pub(super) fn reject(&mut self, cid: u64, spec: Option<&'static Spec>, msg: String) -> Reply {
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

    fn dispatch(&mut self, cid: u64, args: Cmd, now: Now) -> Reply {
        let spec = match commands::lookup_args(&args) {
            Ok(s) => s,
            Err(e) => return self.reject(cid, None, lookup_error_msg(e, &args)),
        };
        if !commands::arity_ok(spec.arity, args.len()) {
            return self.reject(
                cid,
                Some(spec),
                format!("ERR wrong number of arguments for '{}' command", spec.name),
            );
        }
        self.clients.get_mut(&cid).expect("client exists").last_cmd = spec.name;
        if let Some(msg) = self.refusal(cid, spec) {
            return self.reject(cid, Some(spec), msg);
        }
        let c = &self.clients[&cid];
        if c.multi.is_some() && !matches!(spec.kind, Kind::Exec | Kind::Discard | Kind::Multi | Kind::Quit) {
            return self.queue_command(cid, spec, args);
        }
        self.call(cid, spec, args, now, false)
    }

    /// Why the command may not run (nor be queued) now, checked in Redis' order.
    fn refusal(&self, cid: u64, spec: &'static Spec) -> Option<String> {
        let is_replica = self.is_replica();
        let link_up = self.link.state == LinkState::Connected;
        let c = &self.clients[&cid];
        if self.settings.requirepass.is_some() && !c.authed && spec.flags & commands::NO_AUTH == 0 {
            return Some(NOAUTH.into());
        }
        if c.multi.is_some() && spec.flags & commands::NO_MULTI != 0 {
            return Some("ERR Command not allowed inside a transaction".into());
        }
        // EXEC is judged by the union of what it would run.
        let is_exec = spec.kind == Kind::Exec;
        let (mflags, minv) = match (&c.multi, is_exec) {
            (Some(m), true) => (m.flags, m.inv_flags),
            _ => (0, 0),
        };
        let is_write = spec.flags & commands::WRITE != 0 || mflags & commands::WRITE != 0;
        let deny_stale = spec.flags & commands::STALE == 0 || minv & commands::STALE != 0;
        let deny_loading = spec.flags & commands::LOADING == 0 || minv & commands::LOADING != 0;
        if is_write && !self.good_replicas_ok() {
            return Some(NOREPLICAS.into());
        }
        if is_replica && self.settings.replica_read_only && is_write {
            return Some(READONLY.into());
        }
        if c.in_pubsub() && spec.flags & commands::PUBSUB_CTX == 0 {
            return Some(format!(
                "ERR Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
                spec.name
            ));
        }
        if is_replica && !link_up && !self.settings.replica_serve_stale_data && deny_stale {
            return Some(MASTERDOWN.into());
        }
        if self.loading && deny_loading {
            return Some(LOADING.into());
        }
        if c.is_replica() && spec.flags & (commands::READ | commands::WRITE | commands::MAY_REPLICATE) != 0 {
            return Some("ERR Replica can't interact with the keyspace".into());
        }
        None
    }

    /// Runs one command (`call`); `in_exec`: as part of an EXEC.
    pub(super) fn call(&mut self, cid: u64, spec: &'static Spec, args: Cmd, now: Now, in_exec: bool) -> Reply {
        match spec.kind {
            Kind::Data(d) => self.call_data(cid, d, &args, now),
            Kind::Ping => self.cmd_ping(cid, &args),
            Kind::Echo => Reply::One(Value::Bulk(args[1].clone())),
            Kind::Info => Reply::One(Value::Bulk(self.info(&args[1..], now).into_bytes())),
            Kind::Role => Reply::One(self.role()),
            Kind::Replicaof => self.cmd_replicaof(cid, &args, now),
            Kind::Multi => self.cmd_multi(cid),
            Kind::Exec => self.cmd_exec(cid, now),
            Kind::Discard => self.cmd_discard(cid),
            Kind::ConfigGet => Reply::One(self.config_get(&args[2..])),
            Kind::ConfigSet => self.config_set(&args[2..], now),
            Kind::ConfigRewrite => self.config_rewrite(),
            Kind::ConfigResetstat => self.config_resetstat(),
            Kind::ClientSetname => self.client_setname(cid, &args[2]),
            Kind::ClientGetname => self.client_getname(cid),
            Kind::ClientId => Reply::One(Value::Int(cid as i64)),
            Kind::ClientInfo => self.client_info(cid, now),
            Kind::ClientList => self.client_list(&args, now),
            Kind::ClientKill => self.client_kill(cid, &args, now),
            Kind::Help => help_reply(spec),
            Kind::Auth => self.cmd_auth(cid, &args),
            Kind::Subscribe | Kind::Psubscribe => self.subscribe(cid, &args, spec.kind == Kind::Psubscribe),
            Kind::Unsubscribe | Kind::Punsubscribe => self.unsubscribe(cid, &args, spec.kind == Kind::Punsubscribe),
            Kind::Publish => self.cmd_publish(cid, &args, now),
            Kind::Select => Self::cmd_select(&args),
            Kind::Wait => self.cmd_wait(cid, &args, now, in_exec),
            Kind::Replconf => self.cmd_replconf(cid, &args, now),
            Kind::Psync => self.cmd_psync(cid, &args, now),
            Kind::Sync => err("ERR SYNC is not supported by this node, use PSYNC"),
            Kind::Quit => self.cmd_quit(cid),
            Kind::Time => time_reply(now),
            Kind::Command => Reply::One(Value::Array(vec![])),
            Kind::Container => err(format!("ERR wrong number of arguments for '{}' command", spec.name)),
        }
    }
}
