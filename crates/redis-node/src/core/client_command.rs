//! The CLIENT command: SETNAME, GETNAME, ID, INFO, LIST (with filters) and KILL.

use super::{err, lossy, ok, Client, ClientKind, Now, Reply, State};
use crate::db;
use resp::Value;
use std::collections::BTreeSet;

impl State {
    pub(super) fn client_setname(&mut self, cid: u64, name: &[u8]) -> Reply {
        if name.iter().any(|&b| !(b'!'..=b'~').contains(&b)) {
            return err("ERR Client names cannot contain spaces, newlines or special characters.");
        }
        self.clients.get_mut(&cid).expect("client exists").name = lossy(name);
        ok()
    }

    pub(super) fn client_getname(&self, cid: u64) -> Reply {
        let c = &self.clients[&cid];
        Reply::One(if c.name.is_empty() {
            Value::Nil
        } else {
            Value::bulk(&c.name)
        })
    }

    pub(super) fn client_info(&self, cid: u64, now: Now) -> Reply {
        let mut s = self.client_info_line(&self.clients[&cid], now);
        s.push('\n');
        Reply::One(Value::Bulk(s.into_bytes()))
    }

    fn client_type(c: &Client) -> &'static str {
        match &c.kind {
            ClientKind::Master => "master",
            ClientKind::Replica(_) => "replica",
            ClientKind::Normal if c.in_pubsub() => "pubsub",
            ClientKind::Normal => "normal",
        }
    }

    fn parse_client_type(t: &[u8]) -> Option<&'static str> {
        match t.to_ascii_lowercase().as_slice() {
            b"normal" => Some("normal"),
            b"master" => Some("master"),
            b"replica" | b"slave" => Some("replica"),
            b"pubsub" => Some("pubsub"),
            _ => None,
        }
    }

    pub(super) fn client_list(&self, args: &[Vec<u8>], now: Now) -> Reply {
        let mut filter_type: Option<&'static str> = None;
        let mut ids: Option<BTreeSet<u64>> = None;
        if args.len() == 4 && args[2].eq_ignore_ascii_case(b"type") {
            match Self::parse_client_type(&args[3]) {
                Some(t) => filter_type = Some(t),
                None => return err(format!("ERR Unknown client type '{}'", lossy(&args[3]))),
            }
        } else if args.len() >= 4 && args[2].eq_ignore_ascii_case(b"id") {
            let mut set = BTreeSet::new();
            for a in &args[3..] {
                match db::parse_i64(a) {
                    Some(i) if i > 0 => {
                        set.insert(i as u64);
                    }
                    _ => return err("ERR Invalid client ID"),
                }
            }
            ids = Some(set);
        } else if args.len() != 2 {
            return err(db::SYNTAX);
        }
        let mut s = String::new();
        for c in self.clients.values() {
            if filter_type.is_some_and(|t| Self::client_type(c) != t) {
                continue;
            }
            if let Some(ids) = &ids {
                if !ids.contains(&c.id) {
                    continue;
                }
            }
            s.push_str(&self.client_info_line(c, now));
            s.push('\n');
        }
        Reply::One(Value::Bulk(s.into_bytes()))
    }

    pub(super) fn client_kill(&mut self, cid: u64, args: &[Vec<u8>], now: Now) -> Reply {
        // Old form: CLIENT KILL ip:port.
        if args.len() == 3 {
            let addr = &args[2];
            let target = self
                .clients
                .values()
                .find(|c| c.addr.as_bytes() == addr.as_slice())
                .map(|c| c.id);
            return match target {
                Some(id) => {
                    self.kill(cid, id, now);
                    ok()
                }
                None => err("ERR No such client"),
            };
        }
        if !args.len().is_multiple_of(2) {
            return err(db::SYNTAX);
        }
        let mut ty: Option<&'static str> = None;
        let mut id: Option<u64> = None;
        let mut addr: Option<Vec<u8>> = None;
        let mut laddr: Option<Vec<u8>> = None;
        let mut skipme = true;
        for kv in args[2..].chunks(2) {
            let (k, v) = (&kv[0], &kv[1]);
            if k.eq_ignore_ascii_case(b"type") {
                match Self::parse_client_type(v) {
                    Some(t) => ty = Some(t),
                    None => return err(format!("ERR Unknown client type '{}'", lossy(v))),
                }
            } else if k.eq_ignore_ascii_case(b"id") {
                match db::parse_i64(v) {
                    Some(i) if i > 0 => id = Some(i as u64),
                    _ => return err("ERR client-id should be greater than 0"),
                }
            } else if k.eq_ignore_ascii_case(b"addr") {
                addr = Some(v.clone());
            } else if k.eq_ignore_ascii_case(b"laddr") {
                laddr = Some(v.clone());
            } else if k.eq_ignore_ascii_case(b"skipme") {
                if v.eq_ignore_ascii_case(b"yes") {
                    skipme = true;
                } else if v.eq_ignore_ascii_case(b"no") {
                    skipme = false;
                } else {
                    return err(db::SYNTAX);
                }
            } else if k.eq_ignore_ascii_case(b"user") || k.eq_ignore_ascii_case(b"maxage") {
                // Accepted, not modelled as a filter.
            } else {
                return err(db::SYNTAX);
            }
        }
        let victims: Vec<u64> = self
            .clients
            .values()
            .filter(|c| !(skipme && c.id == cid))
            .filter(|c| ty.is_none_or(|t| Self::client_type(c) == t))
            .filter(|c| id.is_none_or(|i| c.id == i))
            .filter(|c| addr.as_ref().is_none_or(|a| c.addr.as_bytes() == a.as_slice()))
            .filter(|c| laddr.as_ref().is_none_or(|a| c.laddr.as_bytes() == a.as_slice()))
            .map(|c| c.id)
            .collect();
        for v in &victims {
            self.kill(cid, *v, now);
        }
        Reply::One(Value::Int(victims.len() as i64))
    }

    /// Kills a client: the caller itself is closed after its reply, any other at once.
    fn kill(&mut self, caller: u64, victim: u64, now: Now) {
        if victim == caller {
            if let Some(c) = self.clients.get_mut(&victim) {
                c.close_after_reply = true;
            }
        } else {
            self.remove_client(victim, now);
        }
    }
}
