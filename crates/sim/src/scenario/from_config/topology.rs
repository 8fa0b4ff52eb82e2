//! All files → the scenario's nodes and master group. Every Sentinel must monitor the kept master
//! with the same address, quorum and timers (the scenario gives them one `[master]`); addresses
//! named by `sentinel monitor`, `replicaof`, `known-replica` and `known-sentinel` are matched
//! against the files' `bind`/`port`, and a node no file describes is added with defaults and a
//! note saying so.

use std::collections::BTreeSet;

use super::directives::{Dropped, DroppedKind};
use super::redis_conf::{Persist, RedisConf, Ref};
use super::sentinel_conf::{list_or_none, At, Monitor, SentinelConf};
use super::values::Endpoint;
use super::{FromConfigError, Options};

/// A data node of the scenario.
#[derive(Debug, Clone)]
pub struct DataNode {
    pub name: String,
    pub addr: String,
    pub replica_of: Option<usize>,
    /// The redis.conf it comes from (None: added from a reference, with defaults).
    pub conf: Option<RedisConf>,
    pub persistence: bool,
}

/// A Sentinel of the scenario.
#[derive(Debug, Clone)]
pub struct SentinelOut {
    pub name: String,
    pub addr: String,
    /// The sentinel.conf it comes from (None: added from a `known-sentinel` line).
    pub file: Option<String>,
}

/// The scenario's topology and master group, with what was left out and notes for the reader.
#[derive(Debug, Clone)]
pub struct Topology {
    pub master_name: String,
    pub master_node: usize,
    pub quorum: u32,
    pub down_after_ms: Option<u64>,
    pub failover_timeout_ms: Option<u64>,
    pub parallel_syncs: Option<u32>,
    /// The group's password, when every file agrees on one (`group_password`).
    pub auth_pass: Option<String>,
    pub redis: Vec<DataNode>,
    pub sentinels: Vec<SentinelOut>,
    pub dropped: Vec<Dropped>,
    pub notes: Vec<String>,
}

/// A node being assembled: where it listens, the address chosen for it, where it came from.
struct Draft {
    endpoint: Endpoint,
    addr: Option<String>,
    origin: String,
    from_file: bool,
}

/// Nodes of one kind, matched by address.
#[derive(Default)]
struct Pool {
    drafts: Vec<Draft>,
}

impl Pool {
    /// The node `r` names: one listening on exactly that address, else the only one listening on
    /// every address with that port, else a new node (from `origin`).
    fn resolve(&mut self, r: &Ref, origin: &str, notes: &mut Vec<String>) -> Result<usize, FromConfigError> {
        let exact: Vec<usize> = (0..self.drafts.len())
            .filter(|&i| self.drafts[i].endpoint.has_exact(&r.host, r.port))
            .collect();
        let any: Vec<usize> = (0..self.drafts.len())
            .filter(|&i| self.drafts[i].endpoint.wildcard && self.drafts[i].endpoint.port == r.port)
            .collect();
        let i = match (exact.as_slice(), any.as_slice()) {
            ([i], _) | ([], [i]) => *i,
            ([], []) => {
                notes.push(format!(
                    "{} has no config file given: added with defaults (from {origin})",
                    r.addr()
                ));
                self.drafts.push(Draft {
                    endpoint: Endpoint {
                        hosts: vec![r.host.clone()],
                        wildcard: false,
                        port: r.port,
                    },
                    addr: None,
                    origin: origin.to_string(),
                    from_file: false,
                });
                self.drafts.len() - 1
            }
            (exact, any) => {
                let many = if exact.len() > 1 { exact } else { any };
                let names: Vec<&str> = many.iter().map(|&i| self.drafts[i].origin.as_str()).collect();
                return Err(FromConfigError::at(
                    &r.file,
                    r.line,
                    r.col,
                    format!(
                        "{} could be any of {}: give them distinct bind addresses",
                        r.addr(),
                        names.join(", ")
                    ),
                ));
            }
        };
        let d = &mut self.drafts[i];
        if d.addr.is_none() {
            d.addr = Some(r.addr());
        }
        Ok(i)
    }

    /// Final addresses: the first one another file used, else the first bound one, else loopback.
    fn addresses(&mut self, notes: &mut Vec<String>) -> Vec<String> {
        let mut out = Vec::new();
        for d in &mut self.drafts {
            let addr = d.addr.clone().unwrap_or_else(|| match d.endpoint.hosts.first() {
                Some(h) => format!("{h}:{}", d.endpoint.port),
                None => {
                    notes.push(format!(
                        "{}: listens on every address and no other file names it: 127.0.0.1:{} assumed",
                        d.origin, d.endpoint.port
                    ));
                    format!("127.0.0.1:{}", d.endpoint.port)
                }
            });
            out.push(addr);
        }
        out
    }
}

/// Builds the topology from the files read.
pub fn build(sentinels: &[SentinelConf], redis: &[RedisConf], opts: &Options) -> Result<Topology, FromConfigError> {
    let name = choose_master(sentinels, opts)?;
    let monitors = monitors_of(sentinels, &name)?;
    agree(&monitors)?;
    let mut notes = Vec::new();
    let (nodes, master_node) = data_nodes(redis, &monitors, &mut notes)?;
    let sentinel_nodes = sentinel_nodes(sentinels, &monitors, &mut notes)?;
    unique_addresses(&nodes, &sentinel_nodes)?;
    let first = monitors[0];
    let quorum = first.quorum.value;
    if quorum as usize > sentinel_nodes.len() {
        return Err(FromConfigError::at(
            &first.target.file,
            first.quorum.line,
            first.quorum_col,
            format!(
                "quorum {quorum} but only {} Sentinel(s) known: give every Sentinel's sentinel.conf with --sentinel \
                 (or its `sentinel known-sentinel` line)",
                sentinel_nodes.len()
            ),
        ));
    }
    let mut dropped = listing(sentinels, redis, &name);
    let auth_pass = group_password(&monitors, redis, &mut dropped);
    // In the order the files were given, each file's lines in order.
    let files: Vec<&str> = sentinels
        .iter()
        .map(|s| s.file.as_str())
        .chain(redis.iter().map(|r| r.file.as_str()))
        .collect();
    dropped.sort_by_key(|d| (files.iter().position(|f| *f == d.file), d.line));
    Ok(Topology {
        master_name: name,
        master_node,
        quorum,
        down_after_ms: first.down_after_ms.map(|a| a.value),
        failover_timeout_ms: first.failover_timeout_ms.map(|a| a.value),
        parallel_syncs: first.parallel_syncs.map(|a| a.value),
        auth_pass,
        redis: nodes,
        sentinels: sentinel_nodes,
        dropped,
        notes,
    })
}

/// The master the scenario keeps: `--master`, or the only one monitored.
fn choose_master(sentinels: &[SentinelConf], opts: &Options) -> Result<String, FromConfigError> {
    let all: BTreeSet<&str> = sentinels
        .iter()
        .flat_map(|s| s.monitors.keys().map(String::as_str))
        .collect();
    let list = list_or_none(&all.iter().copied().collect::<Vec<_>>());
    match &opts.master {
        Some(m) if all.contains(m.as_str()) => Ok(m.clone()),
        Some(m) => Err(FromConfigError::file(
            "",
            format!("--master {m}: no Sentinel monitors it (monitored: {list})"),
        )),
        None if all.len() == 1 => Ok(all.into_iter().next().unwrap_or_default().to_string()),
        None if all.is_empty() => Err(FromConfigError::file(
            &sentinels[0].file,
            "no `sentinel monitor` line: the scenario needs the monitored master",
        )),
        None => Err(FromConfigError::file(
            "",
            format!(
                "the Sentinels monitor several masters ({list}); a scenario plays one monitored master: \
                 choose it with --master NAME (the others are listed as not carried over)"
            ),
        )),
    }
}

/// Each Sentinel's `monitor` of the kept master; every Sentinel must have one.
fn monitors_of<'a>(sentinels: &'a [SentinelConf], name: &str) -> Result<Vec<&'a Monitor>, FromConfigError> {
    sentinels
        .iter()
        .map(|s| {
            s.monitors.get(name).ok_or_else(|| {
                let names: Vec<&str> = s.monitors.keys().map(String::as_str).collect();
                FromConfigError::file(
                    &s.file,
                    format!(
                        "does not monitor {name:?} (monitored: {}): every Sentinel of a scenario monitors the same master",
                        list_or_none(&names)
                    ),
                )
            })
        })
        .collect()
}

/// The same address, quorum and timers in every file (the scenario has one `[master]`).
fn agree(monitors: &[&Monitor]) -> Result<(), FromConfigError> {
    let first = monitors[0];
    for m in &monitors[1..] {
        let differs = |what: &str, line: usize, col: usize, mine: String, theirs: String, their_line: usize| {
            FromConfigError::at(
                &m.target.file,
                line,
                col,
                format!(
                    "{what} {mine} here but {theirs} in {}:{their_line}: the scenario gives every Sentinel the same \
                     setting; make the files agree",
                    first.target.file
                ),
            )
        };
        if m.target.addr() != first.target.addr() {
            let (a, b) = (m.target.addr(), first.target.addr());
            return Err(differs(
                "monitors",
                m.target.line,
                m.target.col,
                a,
                b,
                first.target.line,
            ));
        }
        if m.quorum.value != first.quorum.value {
            let (a, b) = (m.quorum.value.to_string(), first.quorum.value.to_string());
            return Err(differs("quorum", m.quorum.line, m.quorum_col, a, b, first.quorum.line));
        }
        let timers = [
            ("down-after-milliseconds", m.down_after_ms, first.down_after_ms),
            ("failover-timeout", m.failover_timeout_ms, first.failover_timeout_ms),
            (
                "parallel-syncs",
                m.parallel_syncs.map(widen),
                first.parallel_syncs.map(widen),
            ),
        ];
        for (what, mine, theirs) in timers {
            if mine.map(|a| a.value) != theirs.map(|a| a.value) {
                let show = |a: Option<At<u64>>| a.map_or("unset (the default)".to_string(), |a| a.value.to_string());
                let line_of = |a: Option<At<u64>>, dflt: usize| a.map_or(dflt, |a| a.line);
                return Err(differs(
                    what,
                    line_of(mine, m.target.line),
                    1,
                    show(mine),
                    show(theirs),
                    line_of(theirs, first.target.line),
                ));
            }
        }
    }
    Ok(())
}

fn widen(a: At<u32>) -> At<u64> {
    At {
        value: u64::from(a.value),
        line: a.line,
    }
}

/// The data nodes: one per redis.conf, plus any address the Sentinels or `replicaof` name that no
/// file describes. Returns them and the monitored one.
fn data_nodes(
    redis: &[RedisConf],
    monitors: &[&Monitor],
    notes: &mut Vec<String>,
) -> Result<(Vec<DataNode>, usize), FromConfigError> {
    let mut pool = Pool::default();
    for r in redis {
        pool.drafts.push(Draft {
            endpoint: r.endpoint.clone(),
            addr: None,
            origin: r.file.clone(),
            from_file: true,
        });
    }
    let target = &monitors[0].target;
    let master = pool.resolve(target, &format!("sentinel monitor at {}", target.place()), notes)?;
    let mut replica_of: Vec<Option<usize>> = vec![None; redis.len()];
    for (i, r) in redis.iter().enumerate() {
        if let Some(m) = &r.replica_of {
            let j = pool.resolve(m, &format!("replicaof at {}", m.place()), notes)?;
            if j == i {
                return Err(FromConfigError::at(
                    &m.file,
                    m.line,
                    m.col,
                    "a node cannot replicate from itself",
                ));
            }
            replica_of[i] = Some(j);
        }
    }
    for r in monitors.iter().flat_map(|m| &m.known_replicas) {
        let before = pool.drafts.len();
        let j = pool.resolve(r, &format!("known-replica at {}", r.place()), notes)?;
        if j >= before && j != master {
            // Added from a known-replica line: Sentinel saw it replicating from the master.
            replica_of.resize(pool.drafts.len(), None);
            replica_of[j] = Some(master);
        }
    }
    replica_of.resize(pool.drafts.len(), None);
    let addrs = pool.addresses(notes);
    let names = node_names("redis", &addrs);
    if let Some(m) = redis.get(master).and_then(|r| r.replica_of.as_ref()) {
        notes.push(format!(
            "the Sentinels monitor {} but {} makes it a replica: kept as written",
            names[master],
            m.place()
        ));
    }
    let nodes = (0..pool.drafts.len())
        .map(|i| {
            let conf = pool.drafts[i].from_file.then(|| redis[i].clone());
            let persistence = conf.as_ref().is_some_and(|c| persists(c, &names[i], notes));
            DataNode {
                name: names[i].clone(),
                addr: addrs[i].clone(),
                replica_of: replica_of[i],
                conf,
                persistence,
            }
        })
        .collect();
    Ok((nodes, master))
}

/// Whether the node keeps its dataset across a restart; RDB is noted (a snapshot keeps less).
fn persists(c: &RedisConf, name: &str, notes: &mut Vec<String>) -> bool {
    match c.persist {
        Persist::Aof => true,
        Persist::Off => false,
        Persist::Rdb { explicit } => {
            let why = if explicit {
                "its `save` line"
            } else {
                "no `save` line, so Redis' default schedule"
            };
            notes.push(format!(
                "{name}: persistence = true from RDB snapshots ({why}); the simulator keeps the whole dataset \
                 across a restart, a snapshot only what it saved (write `save \"\"` to have it start empty)"
            ));
            true
        }
    }
}

/// The Sentinels: one per sentinel.conf, plus any `known-sentinel` no file describes.
fn sentinel_nodes(
    sentinels: &[SentinelConf],
    monitors: &[&Monitor],
    notes: &mut Vec<String>,
) -> Result<Vec<SentinelOut>, FromConfigError> {
    let mut pool = Pool::default();
    for s in sentinels {
        let endpoint = match &s.announce_ip {
            Some(ip) => Endpoint {
                hosts: vec![ip.clone()],
                wildcard: false,
                port: s.announce_port.unwrap_or(s.endpoint.port),
            },
            None => Endpoint {
                port: s.announce_port.unwrap_or(s.endpoint.port),
                ..s.endpoint.clone()
            },
        };
        pool.drafts.push(Draft {
            endpoint,
            addr: None,
            origin: s.file.clone(),
            from_file: true,
        });
    }
    for r in monitors.iter().flat_map(|m| &m.known_sentinels) {
        pool.resolve(r, &format!("known-sentinel at {}", r.place()), notes)?;
    }
    let addrs = pool.addresses(notes);
    let names = node_names("sentinel", &addrs);
    Ok((0..pool.drafts.len())
        .map(|i| SentinelOut {
            name: names[i].clone(),
            addr: addrs[i].clone(),
            file: pool.drafts[i].from_file.then(|| sentinels[i].file.clone()),
        })
        .collect())
}

/// `<prefix>-<port>` when the ports tell the nodes of this kind apart (the bundled scenarios'
/// convention), else `<prefix>-<host>` when the hosts do (one node per machine, all on the same
/// port), else `<prefix>-<host>-<port>`.
fn node_names(prefix: &str, addrs: &[String]) -> Vec<String> {
    let parts: Vec<(String, &str)> = addrs
        .iter()
        .map(|a| {
            let (h, p) = a.rsplit_once(':').unwrap_or((a.as_str(), ""));
            // Names allow letters, digits, '-', '_' and '.': an IPv6 host loses its brackets and
            // writes its colons as '_'.
            let host = h
                .chars()
                .filter(|c| !matches!(c, '[' | ']'))
                .map(|c| if c == ':' { '_' } else { c })
                .collect();
            (host, p)
        })
        .collect();
    let unique = |f: &dyn Fn(&(String, &str)) -> String| {
        let all: BTreeSet<String> = parts.iter().map(f).collect();
        all.len() == parts.len()
    };
    let by_port = |x: &(String, &str)| format!("{prefix}-{}", x.1);
    let by_host = |x: &(String, &str)| format!("{prefix}-{}", x.0);
    let by_both = |x: &(String, &str)| format!("{prefix}-{}-{}", x.0, x.1);
    let f: &dyn Fn(&(String, &str)) -> String = if unique(&by_port) {
        &by_port
    } else if unique(&by_host) {
        &by_host
    } else {
        &by_both
    };
    parts.iter().map(f).collect()
}

/// No two processes on one address.
fn unique_addresses(nodes: &[DataNode], sentinels: &[SentinelOut]) -> Result<(), FromConfigError> {
    let all = nodes
        .iter()
        .map(|n| {
            (
                n.addr.as_str(),
                n.conf.as_ref().map_or(n.name.as_str(), |c| c.file.as_str()),
            )
        })
        .chain(
            sentinels
                .iter()
                .map(|s| (s.addr.as_str(), s.file.as_deref().unwrap_or(s.name.as_str()))),
        )
        .collect::<Vec<_>>();
    for (i, (addr, who)) in all.iter().enumerate() {
        if let Some((_, other)) = all[..i].iter().find(|(a, _)| a == addr) {
            return Err(FromConfigError::file(
                who,
                format!("listens on {addr}, as {other} does: each process needs an address of its own"),
            ));
        }
    }
    Ok(())
}

/// Every directive that did not become a setting, file by file in the order given, by line.
/// The scenario's one group password (`[master] auth_pass`): every data node's `requirepass`, its
/// `masterauth` if it has one, and every Sentinel's `sentinel auth-pass` for the master, all the
/// same. Otherwise none, and each of those lines is listed with the reason.
fn group_password(monitors: &[&Monitor], redis: &[RedisConf], dropped: &mut Vec<Dropped>) -> Option<String> {
    let mut lines: Vec<(&str, usize, &str, Option<&str>)> = Vec::new();
    for m in monitors {
        let v = m.auth_pass.as_ref();
        lines.push((
            &m.target.file,
            v.map_or(0, |a| a.1),
            "sentinel auth-pass",
            v.map(|a| a.0.as_str()),
        ));
    }
    for r in redis {
        let v = r.requirepass.as_ref();
        lines.push((&r.file, v.map_or(0, |a| a.1), "requirepass", v.map(|a| a.0.as_str())));
        if let Some((p, line)) = &r.masterauth {
            lines.push((&r.file, *line, "masterauth", Some(p.as_str())));
        }
    }
    let set: BTreeSet<Option<&str>> = lines.iter().map(|l| l.3).collect();
    let why = match set.iter().collect::<Vec<_>>().as_slice() {
        [None] => return None,
        [Some(p)] if crate::scenario::validate::valid_auth_pass(p) => return Some(p.to_string()),
        [Some(_)] => {
            "the password has spaces, quotes, backslashes or more than 128 characters, which `auth_pass` does not take"
        }
        _ => "the files do not all give the same password, and the scenario has one for the whole group (`auth_pass`)",
    };
    for (file, line, name, value) in lines {
        if value.is_some() {
            dropped.push(Dropped {
                file: file.to_string(),
                line,
                shown: format!("{name} <hidden>"),
                kind: DroppedKind::NotCarried,
                reason: why.to_string(),
            });
        }
    }
    None
}

fn listing(sentinels: &[SentinelConf], redis: &[RedisConf], kept: &str) -> Vec<Dropped> {
    let mut out = Vec::new();
    for s in sentinels {
        let mut mine = s.dropped.clone();
        for m in s.monitors.values() {
            if m.name == kept {
                mine.extend(m.dropped.iter().cloned());
                continue;
            }
            mine.extend(m.lines.iter().map(|(line, shown)| Dropped {
                file: s.file.clone(),
                line: *line,
                shown: shown.clone(),
                kind: DroppedKind::NotCarried,
                reason: format!(
                    "about master {:?}: the scenario plays one monitored master, {kept:?}",
                    m.name
                ),
            }));
        }
        mine.sort_by_key(|d| d.line);
        out.extend(mine);
    }
    for r in redis {
        out.extend(r.dropped.iter().cloned());
    }
    out
}
