//! One redis.conf → the data node's settings the scenario has, and the listing of the rest. As in
//! Redis, a later line overrides an earlier one; aliases (`slaveof`, `slave-priority`, ...) are
//! read as their `replica` names.

use super::directives::{classify, dropped, Dropped};
use super::lexer::Line;
use super::values::{arity, bind, err_at, host, port, uint, yes_no, Endpoint};
use super::FromConfigError;

/// Redis' default port.
const DEFAULT_PORT: u16 = 6379;
/// Largest `min-replicas-max-lag` the scenario holds (24h, in seconds).
const MAX_LAG_S: u64 = 24 * 3600;

/// An address another file refers to (`replicaof`, `sentinel monitor`, `known-replica`), with the
/// place it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ref {
    pub host: String,
    pub port: u16,
    pub file: String,
    pub line: usize,
    pub col: usize,
}

impl Ref {
    /// The address in arguments `at` (host) and `at + 1` (port) of line `l`, pointing at the host.
    pub fn read(file: &str, l: &Line, at: usize) -> Result<Ref, FromConfigError> {
        Ok(Ref {
            host: host(file, l, &l.args[at])?,
            port: port(file, l, &l.args[at + 1])?,
            file: file.to_string(),
            line: l.no,
            col: l.args[at].col,
        })
    }

    pub fn addr(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
    pub fn place(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }
}

/// How the node persists its dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Persist {
    /// `appendonly yes`.
    Aof,
    /// RDB snapshots: `save` with a schedule, or no `save` line (Redis' default schedule).
    Rdb { explicit: bool },
    /// `save ""` and no AOF.
    Off,
}

/// What one redis.conf says.
#[derive(Debug, Clone)]
pub struct RedisConf {
    pub file: String,
    pub endpoint: Endpoint,
    pub replica_of: Option<Ref>,
    pub priority: Option<u32>,
    pub min_replicas_to_write: Option<u32>,
    pub min_replicas_max_lag_s: Option<u64>,
    pub serve_stale_data: Option<bool>,
    pub persist: Persist,
    /// `requirepass` and `masterauth`: the password and the line (the scenario has one password
    /// for the group, `[master] auth_pass`; see `topology::group_password`).
    pub requirepass: Option<(String, usize)>,
    pub masterauth: Option<(String, usize)>,
    pub dropped: Vec<Dropped>,
}

/// Reads a redis.conf's directive lines.
pub fn read(file: &str, lines: &[Line]) -> Result<RedisConf, FromConfigError> {
    let mut c = RedisConf {
        file: file.to_string(),
        endpoint: Endpoint::unbound(DEFAULT_PORT),
        replica_of: None,
        priority: None,
        min_replicas_to_write: None,
        min_replicas_max_lag_s: None,
        serve_stale_data: None,
        persist: Persist::Rdb { explicit: false },
        requirepass: None,
        masterauth: None,
        dropped: Vec::new(),
    };
    let mut appendonly = false;
    let mut save_schedule = true;
    let mut save_explicit = false;
    for l in lines {
        match canonical(&l.name()) {
            "sentinel" => {
                return Err(err_at(
                    file,
                    l,
                    &l.args[0],
                    "a sentinel directive in a --redis file: pass sentinel.conf files with --sentinel",
                ))
            }
            "port" => {
                arity(file, l, 1, "port <port>")?;
                c.endpoint.port = port(file, l, &l.args[1])?;
            }
            "bind" => {
                if l.args.len() < 2 {
                    return Err(err_at(file, l, &l.args[0], "bind: expected at least one address"));
                }
                let (hosts, wildcard) = bind(file, l)?;
                c.endpoint.hosts = hosts;
                c.endpoint.wildcard = wildcard;
            }
            "replicaof" => replica_of(file, l, &mut c)?,
            "replica-priority" => {
                arity(file, l, 1, "replica-priority <n>")?;
                c.priority = Some(uint(file, l, &l.args[1], "replica-priority", i32::MAX as u64)? as u32);
            }
            "min-replicas-to-write" => {
                arity(file, l, 1, "min-replicas-to-write <n>")?;
                let n = uint(file, l, &l.args[1], "min-replicas-to-write", i32::MAX as u64)?;
                c.min_replicas_to_write = Some(n as u32);
            }
            "min-replicas-max-lag" => {
                arity(file, l, 1, "min-replicas-max-lag <seconds>")?;
                c.min_replicas_max_lag_s = Some(uint(file, l, &l.args[1], "min-replicas-max-lag", MAX_LAG_S)?);
            }
            "replica-serve-stale-data" => {
                arity(file, l, 1, "replica-serve-stale-data <yes|no>")?;
                c.serve_stale_data = Some(yes_no(file, l, &l.args[1])?);
            }
            "appendonly" => {
                arity(file, l, 1, "appendonly <yes|no>")?;
                appendonly = yes_no(file, l, &l.args[1])?;
            }
            "requirepass" | "masterauth" if l.args.len() == 2 => {
                let v = Some((l.args[1].text.clone(), l.no));
                if canonical(&l.name()) == "requirepass" {
                    c.requirepass = v;
                } else {
                    c.masterauth = v;
                }
            }
            "save" => {
                save_explicit = true;
                save_schedule = !(l.args.len() == 2 && l.args[1].text.is_empty());
            }
            name => {
                let (kind, reason) = classify(name, l);
                c.dropped.push(dropped(file, l, 1, kind, reason));
            }
        }
    }
    c.persist = match (appendonly, save_schedule) {
        (true, _) => Persist::Aof,
        (false, true) => Persist::Rdb {
            explicit: save_explicit,
        },
        (false, false) => Persist::Off,
    };
    Ok(c)
}

/// The `replica` spelling of the old `slave` aliases.
fn canonical(name: &str) -> &str {
    match name {
        "slaveof" => "replicaof",
        "slave-priority" => "replica-priority",
        "min-slaves-to-write" => "min-replicas-to-write",
        "min-slaves-max-lag" => "min-replicas-max-lag",
        "slave-serve-stale-data" => "replica-serve-stale-data",
        n => n,
    }
}

/// `replicaof <host> <port>` or `replicaof no one`.
fn replica_of(file: &str, l: &Line, c: &mut RedisConf) -> Result<(), FromConfigError> {
    arity(file, l, 1, "replicaof <host> <port>")?;
    if l.args[1].text.eq_ignore_ascii_case("no") && l.args[2].text.eq_ignore_ascii_case("one") {
        c.replica_of = None;
        return Ok(());
    }
    c.replica_of = Some(Ref::read(file, l, 1)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::from_config::directives::DroppedKind;
    use crate::scenario::from_config::lexer::lex;

    fn read_text(text: &str) -> Result<RedisConf, FromConfigError> {
        read("r.conf", &lex("r.conf", text).unwrap())
    }

    #[test]
    fn settings_aliases_and_case() {
        let c = read_text(
            "PORT 7001\nbind 10.0.0.1 -::1\nSLAVEOF 10.0.0.2 7000\nslave-priority 5\nmin-slaves-to-write 1\n\
             min-replicas-max-lag 4\nreplica-serve-stale-data no\nsave \"\"\nappendonly yes\n",
        )
        .unwrap();
        assert_eq!(c.endpoint.port, 7001);
        assert_eq!(c.endpoint.hosts, ["10.0.0.1", "[::1]"]);
        assert_eq!(c.replica_of.as_ref().unwrap().addr(), "10.0.0.2:7000");
        assert_eq!(
            (
                c.priority,
                c.min_replicas_to_write,
                c.min_replicas_max_lag_s,
                c.serve_stale_data
            ),
            (Some(5), Some(1), Some(4), Some(false))
        );
        assert_eq!(c.persist, Persist::Aof);
        assert!(c.dropped.is_empty());
    }

    #[test]
    fn later_lines_win_and_defaults() {
        let c = read_text("replicaof 10.0.0.2 7000\nreplicaof no one\n").unwrap();
        assert!(c.replica_of.is_none());
        assert_eq!(c.endpoint, Endpoint::unbound(6379));
        assert_eq!(c.persist, Persist::Rdb { explicit: false });
        assert_eq!(read_text("save \"\"\n").unwrap().persist, Persist::Off);
        assert_eq!(
            read_text("save 900 1\n").unwrap().persist,
            Persist::Rdb { explicit: true }
        );
    }

    #[test]
    fn the_rest_is_listed() {
        let c =
            read_text("daemonize yes\nrequirepass x\nrepl-backlog-size 1mb\nfrobnicate 3\nuser app on >pw\n").unwrap();
        // The password is read (the group's `auth_pass`, decided across files); ACL users are not.
        assert_eq!(c.requirepass, Some(("x".to_string(), 2)));
        let got: Vec<(usize, &str, DroppedKind)> =
            c.dropped.iter().map(|d| (d.line, d.shown.as_str(), d.kind)).collect();
        assert_eq!(
            got,
            [
                (1, "daemonize yes", DroppedKind::Ignored),
                (3, "repl-backlog-size 1mb", DroppedKind::NotCarried),
                (4, "frobnicate 3", DroppedKind::NotCarried),
                (5, "user <hidden>", DroppedKind::NotCarried),
            ]
        );
    }

    #[test]
    fn errors_point_at_the_argument() {
        let e = read_text("port 6379\nreplica-priority high\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "r.conf:2:18: replica-priority: \"high\" is not a whole number"
        );
        let e = read_text("replicaof redis-a 6379\n").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("r.conf:1:11: \"redis-a\" is not an IP address"),
            "{e}"
        );
        let e = read_text("sentinel monitor m 127.0.0.1 6379 2\n").unwrap_err();
        assert!(e.to_string().contains("--sentinel"), "{e}");
    }
}
