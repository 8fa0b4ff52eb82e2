//! Pub/sub: channel and pattern subscriptions, and message delivery to local subscribers.

use super::{Client, Now, Reply, State, MAX_SUBSCRIPTIONS_PER_CLIENT};
use crate::db::{self, Cmd};
use resp::Value;

impl State {
    /// Forgets a removed client in the channel and pattern indexes.
    pub(super) fn drop_subscriptions(&mut self, c: &Client) {
        for ch in &c.subs {
            if let Some(set) = self.channels.get_mut(ch) {
                set.remove(&c.id);
                if set.is_empty() {
                    self.channels.remove(ch);
                }
            }
        }
        for p in &c.psubs {
            if let Some(set) = self.patterns.get_mut(p) {
                set.remove(&c.id);
                if set.is_empty() {
                    self.patterns.remove(p);
                }
            }
        }
    }

    pub(super) fn subscribe(&mut self, cid: u64, args: &[Vec<u8>], pattern: bool) -> Reply {
        let kind = if pattern { "psubscribe" } else { "subscribe" };
        let mut out = Vec::with_capacity(args.len() - 1);
        for ch in &args[1..] {
            let c = self.clients.get_mut(&cid).expect("client exists");
            let set = if pattern { &mut c.psubs } else { &mut c.subs };
            if !set.contains(ch) && c.subs.len() + c.psubs.len() < MAX_SUBSCRIPTIONS_PER_CLIENT {
                let set = if pattern { &mut c.psubs } else { &mut c.subs };
                set.insert(ch.clone());
                let map = if pattern {
                    &mut self.patterns
                } else {
                    &mut self.channels
                };
                map.entry(ch.clone()).or_default().insert(cid);
            }
            let c = &self.clients[&cid];
            out.push(Value::Array(vec![
                Value::bulk(kind),
                Value::Bulk(ch.clone()),
                Value::Int(c.sub_count()),
            ]));
        }
        Reply::Many(out)
    }

    pub(super) fn unsubscribe(&mut self, cid: u64, args: &[Vec<u8>], pattern: bool) -> Reply {
        let kind = if pattern { "punsubscribe" } else { "unsubscribe" };
        let c = &self.clients[&cid];
        let targets: Vec<Vec<u8>> = if args.len() > 1 {
            args[1..].to_vec()
        } else if pattern {
            c.psubs.iter().cloned().collect()
        } else {
            c.subs.iter().cloned().collect()
        };
        if targets.is_empty() {
            return Reply::Many(vec![Value::Array(vec![
                Value::bulk(kind),
                Value::Nil,
                Value::Int(c.sub_count()),
            ])]);
        }
        let mut out = Vec::with_capacity(targets.len());
        for ch in targets {
            let c = self.clients.get_mut(&cid).expect("client exists");
            let removed = if pattern {
                c.psubs.remove(&ch)
            } else {
                c.subs.remove(&ch)
            };
            let count = c.sub_count();
            if removed {
                let map = if pattern {
                    &mut self.patterns
                } else {
                    &mut self.channels
                };
                if let Some(set) = map.get_mut(&ch) {
                    set.remove(&cid);
                    if set.is_empty() {
                        map.remove(&ch);
                    }
                }
            }
            out.push(Value::Array(vec![
                Value::bulk(kind),
                Value::Bulk(ch),
                Value::Int(count),
            ]));
        }
        Reply::Many(out)
    }

    /// PUBLISH: delivered here, and propagated so replicas deliver it to their subscribers.
    pub(super) fn cmd_publish(&mut self, cid: u64, args: &Cmd, now: Now) -> Reply {
        let n = self.publish(&args[1], &args[2]);
        self.commit_effects(cid, std::slice::from_ref(args), now, false);
        Reply::One(Value::Int(n))
    }

    /// Delivers a message to local subscribers; returns how many received it.
    pub fn publish(&mut self, channel: &[u8], msg: &[u8]) -> i64 {
        let mut n = 0;
        let mut buf = Vec::new();
        if let Some(subs) = self.channels.get(channel) {
            Value::Array(vec![Value::bulk("message"), Value::bulk(channel), Value::bulk(msg)]).encode(&mut buf);
            for id in subs {
                if let Some(c) = self.clients.get_mut(id) {
                    if c.push_out(&buf) {
                        n += 1;
                    }
                }
            }
        }
        for (pat, subs) in &self.patterns {
            if !db::glob_match(pat, channel) {
                continue;
            }
            buf.clear();
            Value::Array(vec![
                Value::bulk("pmessage"),
                Value::bulk(pat),
                Value::bulk(channel),
                Value::bulk(msg),
            ])
            .encode(&mut buf);
            for id in subs {
                if let Some(c) = self.clients.get_mut(id) {
                    if c.push_out(&buf) {
                        n += 1;
                    }
                }
            }
        }
        n
    }
}
