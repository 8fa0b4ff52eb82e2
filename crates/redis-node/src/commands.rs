//! The command table: names, arities (Redis convention: `n` exact, `-n` at least n) and the flags
//! `processCommand` checks (write, loading, stale, no-auth...), as in Redis 7.0.15.

use crate::db::DataCmd;

pub const WRITE: u16 = 1;
pub const READ: u16 = 1 << 1;
/// Allowed while loading (`CMD_LOADING`).
pub const LOADING: u16 = 1 << 2;
/// Allowed on a replica whose link is down with `replica-serve-stale-data no` (`CMD_STALE`).
pub const STALE: u16 = 1 << 3;
/// Allowed before AUTH (`CMD_NO_AUTH`).
pub const NO_AUTH: u16 = 1 << 4;
/// Refused inside MULTI (`CMD_NO_MULTI`).
pub const NO_MULTI: u16 = 1 << 5;
/// Allowed in the RESP2 subscribed context.
pub const PUBSUB_CTX: u16 = 1 << 6;
/// Replicated although not a write (PUBLISH).
pub const MAY_REPLICATE: u16 = 1 << 7;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Data(DataCmd),
    Ping,
    Echo,
    Info,
    Role,
    Replicaof,
    Multi,
    Exec,
    Discard,
    ConfigGet,
    ConfigSet,
    ConfigRewrite,
    ConfigResetstat,
    ClientSetname,
    ClientGetname,
    ClientKill,
    ClientList,
    ClientId,
    ClientInfo,
    Help,
    Auth,
    Subscribe,
    Unsubscribe,
    Psubscribe,
    Punsubscribe,
    Publish,
    Select,
    Wait,
    Replconf,
    Psync,
    Sync,
    Quit,
    Time,
    Command,
    /// A container (`CONFIG`, `CLIENT`) called without a subcommand.
    Container,
}

#[derive(Debug)]
pub struct Spec {
    /// Lowercase full name as Redis prints it in errors (`config|get`).
    pub name: &'static str,
    pub arity: i32,
    pub flags: u16,
    pub kind: Kind,
}

const fn s(name: &'static str, arity: i32, flags: u16, kind: Kind) -> Spec {
    Spec {
        name,
        arity,
        flags,
        kind,
    }
}

use Kind::*;
const LS: u16 = LOADING | STALE;

static COMMANDS: &[Spec] = &[
    s("ping", -1, PUBSUB_CTX, Ping),
    s("echo", 2, 0, Echo),
    s("info", -1, LS, Info),
    s("role", 1, LS, Role),
    s("replicaof", 3, STALE, Replicaof),
    s("slaveof", 3, STALE, Replicaof),
    s("multi", 1, LS, Multi),
    s("exec", 1, LS, Exec),
    s("discard", 1, LS, Discard),
    s("auth", -2, LS | NO_AUTH, Auth),
    s("subscribe", -2, LS | PUBSUB_CTX, Subscribe),
    s("unsubscribe", -1, LS | PUBSUB_CTX, Unsubscribe),
    s("psubscribe", -2, LS | PUBSUB_CTX, Psubscribe),
    s("punsubscribe", -1, LS | PUBSUB_CTX, Punsubscribe),
    s("publish", 3, LS | MAY_REPLICATE, Publish),
    s("select", 2, LS, Select),
    s("wait", 3, 0, Wait),
    s("replconf", -1, LS, Replconf),
    s("psync", -3, NO_MULTI, Psync),
    s("sync", 1, NO_MULTI, Sync),
    s("quit", -1, LS | NO_AUTH | PUBSUB_CTX, Quit),
    s("time", 1, LS, Time),
    s("command", -1, LS, Command),
    s("set", -3, WRITE, Data(DataCmd::Set)),
    s("get", 2, READ, Data(DataCmd::Get)),
    s("incr", 2, WRITE, Data(DataCmd::Incr)),
    s("incrby", 3, WRITE, Data(DataCmd::IncrBy)),
    s("decr", 2, WRITE, Data(DataCmd::Decr)),
    s("decrby", 3, WRITE, Data(DataCmd::DecrBy)),
    s("del", -2, WRITE, Data(DataCmd::Del)),
    s("exists", -2, READ, Data(DataCmd::Exists)),
    s("keys", 2, READ, Data(DataCmd::Keys)),
    s("dbsize", 1, READ, Data(DataCmd::Dbsize)),
    s("rpush", -3, WRITE, Data(DataCmd::Rpush)),
    s("lpush", -3, WRITE, Data(DataCmd::Lpush)),
    s("lrange", 4, READ, Data(DataCmd::Lrange)),
    s("llen", 2, READ, Data(DataCmd::Llen)),
    s("flushall", -1, WRITE, Data(DataCmd::Flushall)),
    s("flushdb", -1, WRITE, Data(DataCmd::Flushdb)),
    s("type", 2, READ, Data(DataCmd::Type)),
    s("ttl", 2, READ, Data(DataCmd::Ttl)),
    s("pttl", 2, READ, Data(DataCmd::Pttl)),
    s("mget", -2, READ, Data(DataCmd::Mget)),
    s("mset", -3, WRITE, Data(DataCmd::Mset)),
    s("pexpireat", 3, WRITE, Data(DataCmd::Pexpireat)),
];

static CONFIG: Spec = s("config", -2, LS, Container);
static CONFIG_SUB: &[Spec] = &[
    s("config|get", -3, LS, ConfigGet),
    s("config|set", -4, LS, ConfigSet),
    s("config|rewrite", 2, LS, ConfigRewrite),
    s("config|resetstat", 2, LS, ConfigResetstat),
    s("config|help", 2, LS, Help),
];
static CLIENT: Spec = s("client", -2, LS, Container);
static CLIENT_SUB: &[Spec] = &[
    s("client|setname", 3, LS, ClientSetname),
    s("client|getname", 2, LS, ClientGetname),
    s("client|kill", -3, LS, ClientKill),
    s("client|list", -2, LS, ClientList),
    s("client|id", 2, LS, ClientId),
    s("client|info", 2, LS, ClientInfo),
    s("client|help", 2, LS, Help),
];

/// A top-level command by name (case-insensitive); containers resolve to themselves.
pub fn lookup(name: &[u8]) -> Option<&'static Spec> {
    if name.eq_ignore_ascii_case(b"config") {
        return Some(&CONFIG);
    }
    if name.eq_ignore_ascii_case(b"client") {
        return Some(&CLIENT);
    }
    COMMANDS
        .iter()
        .find(|c| c.name.len() == name.len() && c.name.as_bytes().eq_ignore_ascii_case(name))
}

pub enum LookupError {
    UnknownCommand,
    /// Carries the container name uppercased, for "Try CONFIG HELP."
    UnknownSubcommand(&'static str),
}

/// `lookupCommand` for a full argument vector: containers with a subcommand resolve to it.
pub fn lookup_args(args: &[Vec<u8>]) -> Result<&'static Spec, LookupError> {
    let top = lookup(&args[0]).ok_or(LookupError::UnknownCommand)?;
    if top.kind != Container || args.len() < 2 {
        return Ok(top);
    }
    let (subs, upper) = if top.name == "config" {
        (CONFIG_SUB, "CONFIG")
    } else {
        (CLIENT_SUB, "CLIENT")
    };
    let sub = &args[1];
    subs.iter()
        .find(|c| {
            let n = &c.name.as_bytes()[top.name.len() + 1..];
            n.len() == sub.len() && n.eq_ignore_ascii_case(sub)
        })
        .ok_or(LookupError::UnknownSubcommand(upper))
}

pub fn arity_ok(arity: i32, argc: usize) -> bool {
    let argc = argc as i64;
    let arity = arity as i64;
    if arity >= 0 {
        argc == arity
    } else {
        argc >= -arity
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<Vec<u8>> {
        a.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    #[test]
    fn lookups() {
        assert_eq!(lookup(b"SeT").unwrap().kind, Data(DataCmd::Set));
        assert!(lookup(b"nope").is_none());
        assert_eq!(
            lookup_args(&args(&["config", "GET", "x"])).ok().unwrap().name,
            "config|get"
        );
        assert!(matches!(
            lookup_args(&args(&["client", "bogus"])),
            Err(LookupError::UnknownSubcommand("CLIENT"))
        ));
        assert_eq!(lookup_args(&args(&["CONFIG"])).ok().unwrap().kind, Container);
        assert!(arity_ok(-2, 2) && arity_ok(-2, 5) && !arity_ok(-2, 1));
        assert!(arity_ok(3, 3) && !arity_ok(3, 4));
    }
}
