//! The keyspace (one database, strings and lists, optional expiry) and the data commands. Pure:
//! the caller passes the wall-clock time and collects the effects to replicate.

use resp::Value;
use std::collections::{BTreeMap, VecDeque};

/// A command as an argument vector (`[b"SET", b"k", b"v"]`).
pub type Cmd = Vec<Vec<u8>>;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Val {
    Str(Vec<u8>),
    List(VecDeque<Vec<u8>>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub val: Val,
    /// Absolute expiry, wall-clock milliseconds (as Redis, which propagates `PXAT`).
    pub expire_at_ms: Option<i64>,
}

/// How expired keys are treated (Redis' `expireIfNeeded`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// A master deletes an expired key when it is touched and replicates a `DEL`.
    Master,
    /// A replica hides expired keys from its clients but never deletes them on reads (the master
    /// will send the `DEL`); local writes on a writable replica overwrite them.
    Replica,
    /// Applying the master's stream, a snapshot or the persisted log: no expiry at all.
    Obey,
}

/// Counters the data commands update (INFO stats).
#[derive(Clone, Debug, Default)]
pub struct DataStats {
    pub keyspace_hits: u64,
    pub keyspace_misses: u64,
    pub expired_keys: u64,
}

/// Execution context of one data command.
pub struct Exec<'a> {
    pub now_ms: i64,
    pub access: Access,
    /// Commands to replicate (and persist) for what this command changed.
    pub effects: &'a mut Vec<Cmd>,
    pub stats: &'a mut DataStats,
}

/// The data commands this node implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataCmd {
    Set,
    Get,
    Incr,
    IncrBy,
    Decr,
    DecrBy,
    Del,
    Exists,
    Keys,
    Dbsize,
    Rpush,
    Lpush,
    Lrange,
    Llen,
    Flushall,
    Flushdb,
    Type,
    Ttl,
    Pttl,
    Mget,
    Mset,
    Pexpireat,
}

pub const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";
pub const NOT_INTEGER: &str = "ERR value is not an integer or out of range";
pub const SYNTAX: &str = "ERR syntax error";

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Db {
    map: BTreeMap<Vec<u8>, Entry>,
}

/// Redis' `string2ll`: a strict decimal i64 (no spaces, no `+`, no leading zeros).
pub fn parse_i64(b: &[u8]) -> Option<i64> {
    if b.is_empty() || b.len() > 20 {
        return None;
    }
    let s = std::str::from_utf8(b).ok()?;
    if s.starts_with('+') || (s.len() > 1 && s.starts_with('0')) || s.starts_with("-0") {
        return None;
    }
    s.parse().ok()
}

fn int_bytes(i: i64) -> Vec<u8> {
    i.to_string().into_bytes()
}

/// LRANGE's `start..=stop` (negative from the end) clamped to a list of `len`; None if empty.
fn range_bounds(len: i64, start: i64, stop: i64) -> Option<(usize, usize)> {
    let mut s = if start < 0 { len + start } else { start };
    let mut e = if stop < 0 { len + stop } else { stop };
    if s < 0 {
        s = 0;
    }
    if s > e || s >= len {
        return None;
    }
    if e >= len {
        e = len - 1;
    }
    Some((s as usize, e as usize))
}

impl Db {
    pub fn new() -> Db {
        Db::default()
    }
    pub fn len(&self) -> usize {
        self.map.len()
    }
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
    pub fn clear(&mut self) {
        self.map.clear();
    }
    pub fn expires_count(&self) -> usize {
        self.map.values().filter(|e| e.expire_at_ms.is_some()).count()
    }
    /// Keys in order (a probe for tests; ignores expiry).
    pub fn keys(&self) -> impl Iterator<Item = &Vec<u8>> {
        self.map.keys()
    }
    pub fn get_entry(&self, key: &[u8]) -> Option<&Entry> {
        self.map.get(key)
    }

    /// Whether `key` logically exists, applying the expiry policy of `x.access`.
    fn exists_for(&mut self, key: &[u8], x: &mut Exec<'_>, write: bool) -> bool {
        let Some(e) = self.map.get(key) else {
            return false;
        };
        let expired = matches!(e.expire_at_ms, Some(t) if t <= x.now_ms);
        if !expired {
            return true;
        }
        match x.access {
            Access::Obey => true,
            Access::Replica if !write => false,
            Access::Replica => {
                self.map.remove(key);
                false
            }
            Access::Master => {
                self.map.remove(key);
                x.stats.expired_keys += 1;
                x.effects.push(vec![b"DEL".to_vec(), key.to_vec()]);
                false
            }
        }
    }

    fn read(&mut self, key: &[u8], x: &mut Exec<'_>) -> Option<&Entry> {
        if self.exists_for(key, x, false) {
            x.stats.keyspace_hits += 1;
            self.map.get(key)
        } else {
            x.stats.keyspace_misses += 1;
            None
        }
    }

    fn write(&mut self, key: &[u8], x: &mut Exec<'_>) -> Option<&mut Entry> {
        if self.exists_for(key, x, true) {
            self.map.get_mut(key)
        } else {
            None
        }
    }

    /// Executes one data command (arity already checked by the caller). Replies as Redis does.
    pub fn exec(&mut self, cmd: DataCmd, args: &[Vec<u8>], x: &mut Exec<'_>) -> Value {
        match cmd {
            DataCmd::Set => self.set(args, x),
            DataCmd::Get => match self.read(&args[1], x) {
                None => Value::Nil,
                Some(Entry { val: Val::Str(s), .. }) => Value::Bulk(s.clone()),
                Some(_) => Value::err(WRONGTYPE),
            },
            DataCmd::Incr => self.incr_by(args, 1, x),
            DataCmd::Decr => self.incr_by(args, -1, x),
            DataCmd::IncrBy | DataCmd::DecrBy => self.incr_by_arg(args, cmd == DataCmd::DecrBy, x),
            DataCmd::Del => self.del(args, x),
            DataCmd::Exists => {
                let n = args[1..].iter().filter(|k| self.exists_for(k, x, false)).count();
                Value::Int(n as i64)
            }
            DataCmd::Keys => self.keys_matching(&args[1], x),
            DataCmd::Dbsize => Value::Int(self.map.len() as i64),
            DataCmd::Rpush | DataCmd::Lpush => self.push(args, cmd == DataCmd::Lpush, x),
            DataCmd::Lrange => self.lrange(args, x),
            DataCmd::Llen => match self.read(&args[1], x) {
                None => Value::Int(0),
                Some(Entry { val: Val::List(l), .. }) => Value::Int(l.len() as i64),
                Some(_) => Value::err(WRONGTYPE),
            },
            DataCmd::Flushall | DataCmd::Flushdb => self.flush(args, x),
            DataCmd::Type => match self.read(&args[1], x) {
                None => Value::simple("none"),
                Some(Entry { val: Val::Str(_), .. }) => Value::simple("string"),
                Some(Entry { val: Val::List(_), .. }) => Value::simple("list"),
            },
            DataCmd::Ttl | DataCmd::Pttl => self.ttl(&args[1], cmd == DataCmd::Ttl, x),
            DataCmd::Mget => Value::Array(
                args[1..]
                    .iter()
                    .map(|k| match self.read(k, x) {
                        Some(Entry { val: Val::Str(s), .. }) => Value::Bulk(s.clone()),
                        _ => Value::Nil,
                    })
                    .collect(),
            ),
            DataCmd::Mset => self.mset(args, x),
            DataCmd::Pexpireat => self.pexpireat(args, x),
        }
    }

    /// INCRBY / DECRBY: the amount is an argument (DECRBY negates it).
    fn incr_by_arg(&mut self, args: &[Vec<u8>], negate: bool, x: &mut Exec<'_>) -> Value {
        match parse_i64(&args[2]) {
            None => Value::err(NOT_INTEGER),
            Some(n) if negate => match n.checked_neg() {
                Some(n) => self.incr_by(args, n, x),
                None => Value::err("ERR decrement would overflow"),
            },
            Some(n) => self.incr_by(args, n, x),
        }
    }

    fn del(&mut self, args: &[Vec<u8>], x: &mut Exec<'_>) -> Value {
        let mut n = 0;
        for k in &args[1..] {
            if self.exists_for(k, x, true) {
                self.map.remove(k.as_slice());
                n += 1;
            }
        }
        if n > 0 {
            x.effects.push(args.to_vec());
        }
        Value::Int(n)
    }

    /// KEYS: a replica obeying its master still sees logically expired keys.
    fn keys_matching(&self, pattern: &[u8], x: &Exec<'_>) -> Value {
        let now = x.now_ms;
        let hide_expired = x.access != Access::Obey;
        let out = self
            .map
            .iter()
            .filter(|(k, e)| !(hide_expired && matches!(e.expire_at_ms, Some(t) if t <= now)) && glob_match(pattern, k))
            .map(|(k, _)| Value::Bulk(k.clone()))
            .collect();
        Value::Array(out)
    }

    /// RPUSH / LPUSH; replies with the new length.
    fn push(&mut self, args: &[Vec<u8>], front: bool, x: &mut Exec<'_>) -> Value {
        let key = &args[1];
        let len = match self.write(key, x) {
            Some(Entry { val: Val::List(l), .. }) => {
                push_all(l, &args[2..], front);
                l.len()
            }
            Some(_) => return Value::err(WRONGTYPE),
            None => {
                let mut l = VecDeque::with_capacity(args.len() - 2);
                push_all(&mut l, &args[2..], front);
                let n = l.len();
                self.map.insert(
                    key.clone(),
                    Entry {
                        val: Val::List(l),
                        expire_at_ms: None,
                    },
                );
                n
            }
        };
        x.effects.push(args.to_vec());
        Value::Int(len as i64)
    }

    fn lrange(&mut self, args: &[Vec<u8>], x: &mut Exec<'_>) -> Value {
        let (Some(start), Some(stop)) = (parse_i64(&args[2]), parse_i64(&args[3])) else {
            return Value::err(NOT_INTEGER);
        };
        match self.read(&args[1], x) {
            None => Value::Array(vec![]),
            Some(Entry { val: Val::List(l), .. }) => match range_bounds(l.len() as i64, start, stop) {
                None => Value::Array(vec![]),
                Some((s, e)) => Value::Array(l.range(s..=e).map(|v| Value::Bulk(v.clone())).collect()),
            },
            Some(_) => Value::err(WRONGTYPE),
        }
    }

    /// FLUSHALL / FLUSHDB [ASYNC|SYNC]: propagated without the mode.
    fn flush(&mut self, args: &[Vec<u8>], x: &mut Exec<'_>) -> Value {
        if args.len() > 2
            || (args.len() == 2 && !args[1].eq_ignore_ascii_case(b"async") && !args[1].eq_ignore_ascii_case(b"sync"))
        {
            return Value::err(SYNTAX);
        }
        self.map.clear();
        x.effects.push(vec![args[0].to_ascii_uppercase()]);
        Value::ok()
    }

    /// TTL (rounded seconds) or PTTL (milliseconds).
    fn ttl(&mut self, key: &[u8], seconds: bool, x: &mut Exec<'_>) -> Value {
        let now = x.now_ms;
        match self.read(key, x) {
            None => Value::Int(-2),
            Some(Entry { expire_at_ms: None, .. }) => Value::Int(-1),
            Some(Entry {
                expire_at_ms: Some(t), ..
            }) => {
                let ms = (*t - now).max(0);
                Value::Int(if seconds { (ms + 500) / 1000 } else { ms })
            }
        }
    }

    fn mset(&mut self, args: &[Vec<u8>], x: &mut Exec<'_>) -> Value {
        if args.len().is_multiple_of(2) {
            return Value::err("ERR wrong number of arguments for 'mset' command");
        }
        for kv in args[1..].chunks(2) {
            self.exists_for(&kv[0], x, true);
            self.map.insert(
                kv[0].clone(),
                Entry {
                    val: Val::Str(kv[1].clone()),
                    expire_at_ms: None,
                },
            );
        }
        x.effects.push(args.to_vec());
        Value::ok()
    }

    fn pexpireat(&mut self, args: &[Vec<u8>], x: &mut Exec<'_>) -> Value {
        let Some(at) = parse_i64(&args[2]) else {
            return Value::err(NOT_INTEGER);
        };
        match self.write(&args[1], x) {
            None => Value::Int(0),
            Some(e) => {
                e.expire_at_ms = Some(at);
                x.effects.push(args.to_vec());
                Value::Int(1)
            }
        }
    }

    fn set(&mut self, args: &[Vec<u8>], x: &mut Exec<'_>) -> Value {
        let (mut nx, mut xx, mut get, mut keepttl) = (false, false, false, false);
        let mut expire: Option<i64> = None;
        let mut i = 3;
        while i < args.len() {
            let a = &args[i];
            let next = args.get(i + 1);
            if a.eq_ignore_ascii_case(b"nx") && !xx {
                nx = true;
            } else if a.eq_ignore_ascii_case(b"xx") && !nx {
                xx = true;
            } else if a.eq_ignore_ascii_case(b"get") {
                get = true;
            } else if a.eq_ignore_ascii_case(b"keepttl") && expire.is_none() {
                keepttl = true;
            } else if let (Some(unit_ms), Some(n)) = (expire_unit(a), next) {
                if expire.is_some() || keepttl {
                    return Value::err(SYNTAX);
                }
                let Some(v) = parse_i64(n) else {
                    return Value::err(NOT_INTEGER);
                };
                if v <= 0 {
                    return Value::err("ERR invalid expire time in 'set' command");
                }
                let Some(ms) = v.checked_mul(unit_ms.0) else {
                    return Value::err("ERR invalid expire time in 'set' command");
                };
                expire = Some(if unit_ms.1 { ms } else { x.now_ms.saturating_add(ms) });
                i += 1;
            } else {
                return Value::err(SYNTAX);
            }
            i += 1;
        }
        let key = &args[1];
        let exists = self.exists_for(key, x, true);
        let old = match (get, self.map.get(key)) {
            (true, Some(Entry { val: Val::Str(s), .. })) if exists => Value::Bulk(s.clone()),
            (true, Some(_)) if exists => return Value::err(WRONGTYPE),
            _ => Value::Nil,
        };
        if (nx && exists) || (xx && !exists) {
            return if get { old } else { Value::Nil };
        }
        let expire_at_ms = if keepttl {
            self.map.get(key).and_then(|e| e.expire_at_ms)
        } else {
            expire
        };
        self.map.insert(
            key.clone(),
            Entry {
                val: Val::Str(args[2].clone()),
                expire_at_ms,
            },
        );
        let mut eff = vec![b"SET".to_vec(), key.clone(), args[2].clone()];
        if let Some(at) = expire {
            eff.push(b"PXAT".to_vec());
            eff.push(int_bytes(at));
        } else if keepttl {
            eff.push(b"KEEPTTL".to_vec());
        }
        x.effects.push(eff);
        if get {
            old
        } else {
            Value::ok()
        }
    }

    fn incr_by(&mut self, args: &[Vec<u8>], by: i64, x: &mut Exec<'_>) -> Value {
        let key = &args[1];
        let new = match self.write(key, x) {
            Some(Entry { val: Val::Str(s), .. }) => {
                let Some(cur) = parse_i64(s) else {
                    return Value::err(NOT_INTEGER);
                };
                let Some(n) = cur.checked_add(by) else {
                    return Value::err("ERR increment or decrement would overflow");
                };
                *s = int_bytes(n);
                n
            }
            Some(_) => return Value::err(WRONGTYPE),
            None => {
                self.map.insert(
                    key.clone(),
                    Entry {
                        val: Val::Str(int_bytes(by)),
                        expire_at_ms: None,
                    },
                );
                by
            }
        };
        x.effects.push(args.to_vec());
        Value::Int(new)
    }

    /// Serialises the dataset as a sequence of RESP commands (our "RDB").
    pub fn encode_snapshot(&self, out: &mut Vec<u8>) {
        for (k, e) in &self.map {
            match &e.val {
                Val::Str(s) => match e.expire_at_ms {
                    Some(at) => resp::encode_command(&[b"SET", k.as_slice(), s, b"PXAT", &int_bytes(at)], out),
                    None => resp::encode_command(&[b"SET", k.as_slice(), s], out),
                },
                Val::List(l) => {
                    let items: Vec<&[u8]> = l.iter().map(|v| v.as_slice()).collect();
                    for chunk in items.chunks(512) {
                        let mut cmd: Vec<&[u8]> = Vec::with_capacity(chunk.len() + 2);
                        cmd.push(b"RPUSH");
                        cmd.push(k);
                        cmd.extend_from_slice(chunk);
                        resp::encode_command(&cmd, out);
                    }
                    if let Some(at) = e.expire_at_ms {
                        resp::encode_command(&[b"PEXPIREAT", k.as_slice(), &int_bytes(at)], out);
                    }
                }
            }
        }
    }

    /// Loads a snapshot produced by [`Db::encode_snapshot`].
    pub fn load_snapshot(bytes: &[u8]) -> Result<Db, String> {
        let mut db = Db::new();
        let mut pos = 0;
        let mut effects = Vec::new();
        let mut stats = DataStats::default();
        while pos < bytes.len() {
            match resp::parse_command(&bytes[pos..]) {
                Ok(Some((args, used))) => {
                    pos += used;
                    if args.is_empty() {
                        continue;
                    }
                    let mut x = Exec {
                        now_ms: 0,
                        access: Access::Obey,
                        effects: &mut effects,
                        stats: &mut stats,
                    };
                    db.apply(&args, &mut x);
                    effects.clear();
                }
                Ok(None) => return Err("truncated snapshot".into()),
                Err(e) => return Err(e.to_string()),
            }
        }
        Ok(db)
    }

    /// Applies a replicated command (master stream, snapshot, persisted log). Commands that are
    /// not data commands (PING, SELECT, PUBLISH...) are ignored here.
    pub fn apply(&mut self, args: &[Vec<u8>], x: &mut Exec<'_>) {
        if let Some(spec) = crate::commands::lookup(&args[0]) {
            if let crate::commands::Kind::Data(d) = spec.kind {
                if crate::commands::arity_ok(spec.arity, args.len()) {
                    self.exec(d, args, x);
                }
            }
        }
    }
}

fn expire_unit(a: &[u8]) -> Option<(i64, bool)> {
    // (milliseconds per unit, absolute)
    if a.eq_ignore_ascii_case(b"ex") {
        Some((1000, false))
    } else if a.eq_ignore_ascii_case(b"px") {
        Some((1, false))
    } else if a.eq_ignore_ascii_case(b"exat") {
        Some((1000, true))
    } else if a.eq_ignore_ascii_case(b"pxat") {
        Some((1, true))
    } else {
        None
    }
}

fn push_all(l: &mut VecDeque<Vec<u8>>, items: &[Vec<u8>], front: bool) {
    for it in items {
        if front {
            l.push_front(it.clone());
        } else {
            l.push_back(it.clone());
        }
    }
}

/// Redis' `stringmatchlen`, case-sensitive (the workspace's one matcher, in `resp`).
pub fn glob_match(pattern: &[u8], s: &[u8]) -> bool {
    resp::string_match(pattern, s, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(parts: &[&str]) -> Cmd {
        parts.iter().map(|p| p.as_bytes().to_vec()).collect()
    }

    fn run(db: &mut Db, c: DataCmd, parts: &[&str], access: Access, now: i64) -> (Value, Vec<Cmd>) {
        let mut effects = Vec::new();
        let mut stats = DataStats::default();
        let mut x = Exec {
            now_ms: now,
            access,
            effects: &mut effects,
            stats: &mut stats,
        };
        let v = db.exec(c, &cmd(parts), &mut x);
        (v, effects)
    }

    #[test]
    fn glob() {
        assert!(glob_match(b"*", b"anything"));
        assert!(glob_match(b"k?y", b"key"));
        assert!(!glob_match(b"k?y", b"keey"));
        assert!(glob_match(b"h[ae]llo", b"hallo"));
        assert!(!glob_match(b"h[^e]llo", b"hello"));
        assert!(glob_match(b"h[a-b]llo", b"hbllo"));
        assert!(glob_match(b"__sentinel__:*", b"__sentinel__:hello"));
        assert!(glob_match(b"a\\*b", b"a*b"));
        assert!(!glob_match(b"a\\*b", b"axb"));
        assert!(!glob_match(b"", b"x"));
        assert!(glob_match(b"*a*b*c*", b"xxaxxbxxcxx"));
    }

    #[test]
    fn set_get_incr_and_effects() {
        let mut db = Db::new();
        let (v, eff) = run(&mut db, DataCmd::Set, &["SET", "k", "v"], Access::Master, 0);
        assert_eq!(v, Value::ok());
        assert_eq!(eff, vec![cmd(&["SET", "k", "v"])]);
        assert_eq!(
            run(&mut db, DataCmd::Get, &["GET", "k"], Access::Master, 0).0,
            Value::bulk("v")
        );
        assert_eq!(
            run(&mut db, DataCmd::Incr, &["INCR", "k"], Access::Master, 0).0,
            Value::err(NOT_INTEGER)
        );
        assert_eq!(
            run(&mut db, DataCmd::Incr, &["INCR", "n"], Access::Master, 0).0,
            Value::Int(1)
        );
        assert_eq!(
            run(&mut db, DataCmd::IncrBy, &["INCRBY", "n", "41"], Access::Master, 0).0,
            Value::Int(42)
        );
        let (v, eff) = run(&mut db, DataCmd::Set, &["SET", "k", "w", "NX"], Access::Master, 0);
        assert_eq!((v, eff.len()), (Value::Nil, 0));
        let (v, eff) = run(
            &mut db,
            DataCmd::Set,
            &["SET", "t", "x", "EX", "10"],
            Access::Master,
            1000,
        );
        assert_eq!(v, Value::ok());
        assert_eq!(eff, vec![cmd(&["SET", "t", "x", "PXAT", "11000"])]);
        assert_eq!(
            run(&mut db, DataCmd::Pttl, &["PTTL", "t"], Access::Master, 2000).0,
            Value::Int(9000)
        );
        // Expired: a replica hides it, a master deletes it and replicates a DEL.
        assert_eq!(
            run(&mut db, DataCmd::Get, &["GET", "t"], Access::Replica, 20_000).0,
            Value::Nil
        );
        assert_eq!(db.len(), 3);
        let (v, eff) = run(&mut db, DataCmd::Get, &["GET", "t"], Access::Master, 20_000);
        assert_eq!(v, Value::Nil);
        assert_eq!(eff, vec![cmd(&["DEL", "t"])]);
        assert_eq!(db.len(), 2);
        assert_eq!(
            run(&mut db, DataCmd::Set, &["SET", "k", "v", "EX", "0"], Access::Master, 0).0,
            Value::err("ERR invalid expire time in 'set' command")
        );
        assert_eq!(
            run(&mut db, DataCmd::Set, &["SET", "k", "v", "FOO"], Access::Master, 0).0,
            Value::err(SYNTAX)
        );
    }

    #[test]
    fn lists_keys_del() {
        let mut db = Db::new();
        assert_eq!(
            run(
                &mut db,
                DataCmd::Rpush,
                &["RPUSH", "l", "a", "b", "c"],
                Access::Master,
                0
            )
            .0,
            Value::Int(3)
        );
        assert_eq!(
            run(&mut db, DataCmd::Lpush, &["LPUSH", "l", "z"], Access::Master, 0).0,
            Value::Int(4)
        );
        assert_eq!(
            run(&mut db, DataCmd::Lrange, &["LRANGE", "l", "0", "-1"], Access::Master, 0).0,
            Value::bulks(["z", "a", "b", "c"])
        );
        assert_eq!(
            run(
                &mut db,
                DataCmd::Lrange,
                &["LRANGE", "l", "-2", "10"],
                Access::Master,
                0
            )
            .0,
            Value::bulks(["b", "c"])
        );
        assert_eq!(
            run(&mut db, DataCmd::Get, &["GET", "l"], Access::Master, 0).0,
            Value::err(WRONGTYPE)
        );
        run(&mut db, DataCmd::Set, &["SET", "k1", "v"], Access::Master, 0);
        assert_eq!(
            run(&mut db, DataCmd::Keys, &["KEYS", "k*"], Access::Master, 0).0,
            Value::bulks(["k1"])
        );
        let (v, eff) = run(&mut db, DataCmd::Del, &["DEL", "nope"], Access::Master, 0);
        assert_eq!((v, eff.len()), (Value::Int(0), 0));
        assert_eq!(
            run(&mut db, DataCmd::Del, &["DEL", "k1", "l"], Access::Master, 0).0,
            Value::Int(2)
        );
        assert_eq!(
            run(&mut db, DataCmd::Dbsize, &["DBSIZE"], Access::Master, 0).0,
            Value::Int(0)
        );
    }

    #[test]
    fn snapshot_roundtrip() {
        let mut db = Db::new();
        run(&mut db, DataCmd::Set, &["SET", "a", "1"], Access::Master, 0);
        run(
            &mut db,
            DataCmd::Set,
            &["SET", "b", "2", "PX", "500"],
            Access::Master,
            100,
        );
        run(&mut db, DataCmd::Rpush, &["RPUSH", "l", "x", "y"], Access::Master, 0);
        run(
            &mut db,
            DataCmd::Pexpireat,
            &["PEXPIREAT", "l", "99999"],
            Access::Master,
            0,
        );
        let mut buf = Vec::new();
        db.encode_snapshot(&mut buf);
        let back = Db::load_snapshot(&buf).unwrap();
        assert_eq!(back, db);
        assert!(Db::load_snapshot(&buf[..buf.len() - 1]).is_err());
    }

    #[test]
    fn strict_integers() {
        assert_eq!(parse_i64(b"12"), Some(12));
        assert_eq!(parse_i64(b"-3"), Some(-3));
        assert_eq!(parse_i64(b"+3"), None);
        assert_eq!(parse_i64(b"03"), None);
        assert_eq!(parse_i64(b" 3"), None);
        assert_eq!(parse_i64(b""), None);
        assert_eq!(parse_i64(b"0"), Some(0));
    }
}
