//! Connection commands: AUTH, PING, QUIT, SELECT.

use super::{err, ok, Reply, State};
use crate::db::{self, Cmd};
use resp::Value;

impl State {
    pub(super) fn cmd_auth(&mut self, cid: u64, args: &[Vec<u8>]) -> Reply {
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

    /// PING; a subscribed client gets the pub/sub shaped reply.
    pub(super) fn cmd_ping(&mut self, cid: u64, args: &Cmd) -> Reply {
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

    /// SELECT: only database 0 exists.
    pub(super) fn cmd_select(args: &Cmd) -> Reply {
        match db::parse_i64(&args[1]) {
            Some(0) => ok(),
            Some(_) => err("ERR DB index is out of range"),
            None => err(db::NOT_INTEGER),
        }
    }

    pub(super) fn cmd_quit(&mut self, cid: u64) -> Reply {
        self.clients.get_mut(&cid).expect("client exists").closing = true;
        // The +OK is queued before the close flag takes effect.
        let c = self.clients.get_mut(&cid).expect("client exists");
        Value::ok().encode(&mut c.out);
        Reply::Nothing
    }
}
