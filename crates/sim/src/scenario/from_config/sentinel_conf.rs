//! One sentinel.conf → the Sentinel's address and, per monitored master, what the scenario's
//! `[master]` holds plus the replicas and Sentinels it knows. As in Sentinel, `monitor` lines are
//! read before the per-master lines that refer to them, so their order in the file does not matter.

use std::collections::BTreeMap;

use super::directives::{classify, dropped, shown, Dropped, DroppedKind, AUTH, NO_SETTING};
use super::lexer::Line;
use super::redis_conf::Ref;
use super::values::{arity, bind, err_at, host, port, uint, Endpoint};
use super::FromConfigError;
use crate::duration::MAX_MS;

/// Sentinel's default port.
const DEFAULT_PORT: u16 = 26379;

/// A setting and the line it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct At<T> {
    pub value: T,
    pub line: usize,
}

/// One `sentinel monitor` and what the file says about that master.
#[derive(Debug, Clone)]
pub struct Monitor {
    pub name: String,
    pub target: Ref,
    pub quorum: At<u32>,
    pub quorum_col: usize,
    pub down_after_ms: Option<At<u64>>,
    pub failover_timeout_ms: Option<At<u64>>,
    pub parallel_syncs: Option<At<u32>>,
    /// `sentinel auth-pass <name> <password>`.
    pub auth_pass: Option<(String, usize)>,
    pub known_replicas: Vec<Ref>,
    pub known_sentinels: Vec<Ref>,
    /// Its lines that have no scenario setting.
    pub dropped: Vec<Dropped>,
    /// Every line about it (line number, as shown), for listing it when another master is kept.
    pub lines: Vec<(usize, String)>,
}

/// What one sentinel.conf says.
#[derive(Debug, Clone)]
pub struct SentinelConf {
    pub file: String,
    pub endpoint: Endpoint,
    pub announce_ip: Option<String>,
    pub announce_port: Option<u16>,
    /// By master name.
    pub monitors: BTreeMap<String, Monitor>,
    pub dropped: Vec<Dropped>,
}

/// Reads a sentinel.conf's directive lines.
pub fn read(file: &str, lines: &[Line]) -> Result<SentinelConf, FromConfigError> {
    let mut c = SentinelConf {
        file: file.to_string(),
        endpoint: Endpoint::unbound(DEFAULT_PORT),
        announce_ip: None,
        announce_port: None,
        monitors: BTreeMap::new(),
        dropped: Vec::new(),
    };
    let is_monitor =
        |l: &Line| l.name() == "sentinel" && l.args.get(1).is_some_and(|a| a.text.eq_ignore_ascii_case("monitor"));
    for l in lines.iter().filter(|l| is_monitor(l)) {
        monitor(file, l, &mut c)?;
    }
    for l in lines.iter().filter(|l| !is_monitor(l)) {
        match l.name().as_str() {
            "sentinel" => sentinel_line(file, l, &mut c)?,
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
            name => {
                let (kind, reason) = classify(name, l);
                c.dropped.push(dropped(file, l, 1, kind, reason));
            }
        }
    }
    Ok(c)
}

/// `sentinel monitor <name> <host> <port> <quorum>`.
fn monitor(file: &str, l: &Line, c: &mut SentinelConf) -> Result<(), FromConfigError> {
    arity(file, l, 2, "sentinel monitor <name> <host> <port> <quorum>")?;
    let name = l.args[2].text.clone();
    if c.monitors.contains_key(&name) {
        return Err(err_at(
            file,
            l,
            &l.args[2],
            format!("master {name:?} is monitored twice in this file"),
        ));
    }
    let quorum = uint(file, l, &l.args[5], "quorum", i32::MAX as u64)? as u32;
    if quorum == 0 {
        return Err(err_at(file, l, &l.args[5], "quorum must be 1 or more"));
    }
    let target = Ref::read(file, l, 3)?;
    c.monitors.insert(
        name.clone(),
        Monitor {
            name,
            target,
            quorum: At {
                value: quorum,
                line: l.no,
            },
            quorum_col: l.args[5].col,
            down_after_ms: None,
            failover_timeout_ms: None,
            parallel_syncs: None,
            auth_pass: None,
            known_replicas: Vec::new(),
            known_sentinels: Vec::new(),
            dropped: Vec::new(),
            lines: vec![(l.no, shown(l, 2))],
        },
    );
    Ok(())
}

/// Any other `sentinel <option> ...` line.
fn sentinel_line(file: &str, l: &Line, c: &mut SentinelConf) -> Result<(), FromConfigError> {
    let Some(opt) = l.args.get(1).map(|a| a.text.to_ascii_lowercase()) else {
        return Err(err_at(file, l, &l.args[0], "sentinel: an option is missing"));
    };
    if let Some((form, reason)) = per_master(&opt) {
        return per_master_line(file, l, c, form, reason);
    }
    let global = |form: &str| arity(file, l, 2, form);
    let ignore = |kind, reason: &str| dropped(file, l, 2, kind, reason);
    let d = match opt.as_str() {
        "announce-ip" => {
            global("sentinel announce-ip <ip>")?;
            c.announce_ip = Some(host(file, l, &l.args[2])?);
            return Ok(());
        }
        "announce-port" => {
            global("sentinel announce-port <port>")?;
            // 0 means "not set" in Sentinel.
            let p = uint(file, l, &l.args[2], "announce-port", 65_535)? as u16;
            c.announce_port = (p != 0).then_some(p);
            return Ok(());
        }
        "myid" => ignore(
            DroppedKind::NotCarried,
            "the simulator gives every Sentinel a fresh run id",
        ),
        "current-epoch" => ignore(DroppedKind::NotCarried, EPOCHS),
        "resolve-hostnames" | "announce-hostnames" => {
            ignore(DroppedKind::NotCarried, "the simulator knows nodes by IP address")
        }
        "deny-scripts-reconfig" => ignore(DroppedKind::Ignored, SCRIPTS),
        "sentinel-user" | "sentinel-pass" => ignore(DroppedKind::NotCarried, AUTH),
        _ => ignore(
            DroppedKind::NotCarried,
            "not a Sentinel 7.0 option (redis-sentinel would refuse to start with it)",
        ),
    };
    c.dropped.push(d);
    Ok(())
}

const EPOCHS: &str = "every simulated Sentinel starts at epoch 0";
const SCRIPTS: &str = "scripts are not run in the simulator";
const ACL_USER: &str = "ACL users are not modelled: the scenario's group password (`auth_pass`) is the default user's";

/// The per-master options: their form, and the reason when they are not carried over (None: read).
fn per_master(opt: &str) -> Option<(&'static str, Option<&'static str>)> {
    Some(match opt {
        "down-after-milliseconds" => ("sentinel down-after-milliseconds <name> <ms>", None),
        "failover-timeout" => ("sentinel failover-timeout <name> <ms>", None),
        "parallel-syncs" => ("sentinel parallel-syncs <name> <n>", None),
        "known-replica" | "known-slave" => ("sentinel known-replica <name> <ip> <port>", None),
        "known-sentinel" => ("sentinel known-sentinel <name> <ip> <port> <runid>", None),
        "auth-pass" => ("sentinel auth-pass <name> <password>", None),
        "auth-user" => ("sentinel auth-user <name> <user>", Some(ACL_USER)),
        "notification-script" => ("sentinel notification-script <name> <path>", Some(SCRIPTS)),
        "client-reconfig-script" => ("sentinel client-reconfig-script <name> <path>", Some(SCRIPTS)),
        "rename-command" => (
            "sentinel rename-command <name> <command> <renamed>",
            Some("commands keep their names in the simulator"),
        ),
        "master-reboot-down-after-period" => ("sentinel master-reboot-down-after-period <name> <ms>", Some(NO_SETTING)),
        "config-epoch" => ("sentinel config-epoch <name> <epoch>", Some(EPOCHS)),
        "leader-epoch" => ("sentinel leader-epoch <name> <epoch>", Some(EPOCHS)),
        _ => return None,
    })
}

/// A per-master line: checked, its master must be monitored in this file, then read or listed.
fn per_master_line(
    file: &str,
    l: &Line,
    c: &mut SentinelConf,
    form: &str,
    reason: Option<&str>,
) -> Result<(), FromConfigError> {
    // known-sentinel without a run id is accepted and ignored by Sentinel.
    let short_known_sentinel = form.starts_with("sentinel known-sentinel") && l.args.len() == 5;
    if !short_known_sentinel {
        arity(file, l, 2, form)?;
    }
    let name = &l.args[2].text;
    let Some(m) = c.monitors.get_mut(name) else {
        let known: Vec<&str> = c.monitors.keys().map(String::as_str).collect();
        return Err(err_at(
            file,
            l,
            &l.args[2],
            format!(
                "no `sentinel monitor` for {name:?} in this file (monitored: {})",
                list_or_none(&known)
            ),
        ));
    };
    m.lines.push((l.no, shown(l, 2)));
    if short_known_sentinel {
        m.dropped.push(dropped(
            file,
            l,
            2,
            DroppedKind::Ignored,
            "without a run id Sentinel ignores it too",
        ));
        return Ok(());
    }
    if let Some(reason) = reason {
        m.dropped.push(dropped(file, l, 2, DroppedKind::NotCarried, reason));
        return Ok(());
    }
    let at = |value| At { value, line: l.no };
    match l.args[1].text.to_ascii_lowercase().as_str() {
        "down-after-milliseconds" => m.down_after_ms = Some(at(positive_ms(file, l, "down-after-milliseconds")?)),
        "failover-timeout" => m.failover_timeout_ms = Some(at(positive_ms(file, l, "failover-timeout")?)),
        "parallel-syncs" => {
            let n = uint(file, l, &l.args[3], "parallel-syncs", i32::MAX as u64)? as u32;
            if n == 0 {
                return Err(err_at(
                    file,
                    l,
                    &l.args[3],
                    "parallel-syncs 0: the simulator needs at least 1",
                ));
            }
            m.parallel_syncs = Some(At { value: n, line: l.no });
        }
        "auth-pass" => m.auth_pass = Some((l.args[3].text.clone(), l.no)),
        kind => {
            let r = Ref::read(file, l, 3)?;
            if kind == "known-sentinel" {
                m.known_sentinels.push(r);
            } else {
                m.known_replicas.push(r);
            }
        }
    }
    Ok(())
}

/// A per-master time in milliseconds: more than zero, at most the scenario's 24h.
fn positive_ms(file: &str, l: &Line, what: &str) -> Result<u64, FromConfigError> {
    let ms = uint(file, l, &l.args[3], what, MAX_MS)?;
    if ms == 0 {
        return Err(err_at(file, l, &l.args[3], format!("{what} must be more than zero")));
    }
    Ok(ms)
}

pub fn list_or_none(names: &[&str]) -> String {
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::from_config::lexer::lex;

    fn read_text(text: &str) -> Result<SentinelConf, FromConfigError> {
        read("s.conf", &lex("s.conf", text).unwrap())
    }

    #[test]
    fn monitor_settings_in_any_order() {
        let c = read_text(
            "SENTINEL Down-After-Milliseconds m 3000\nport 5000\nbind 127.0.0.1\nsentinel monitor m 127.0.0.1 6382 2\n\
             sentinel failover-timeout m 4000\nsentinel parallel-syncs m 2\nsentinel known-replica m 127.0.0.1 6383\n\
             sentinel known-sentinel m 127.0.0.1 5001 0123456789012345678901234567890123456789\n",
        )
        .unwrap();
        assert_eq!(c.endpoint.port, 5000);
        let m = &c.monitors["m"];
        assert_eq!(m.target.addr(), "127.0.0.1:6382");
        assert_eq!(m.quorum.value, 2);
        assert_eq!(m.down_after_ms.map(|a| (a.value, a.line)), Some((3000, 1)));
        assert_eq!(m.failover_timeout_ms.map(|a| a.value), Some(4000));
        assert_eq!(m.parallel_syncs.map(|a| a.value), Some(2));
        assert_eq!(m.known_replicas[0].addr(), "127.0.0.1:6383");
        assert_eq!(m.known_sentinels[0].addr(), "127.0.0.1:5001");
        assert!(m.dropped.is_empty() && c.dropped.is_empty());
    }

    #[test]
    fn unsupported_lines_are_listed() {
        let c = read_text(
            "sentinel monitor m 127.0.0.1 6382 1\nsentinel auth-pass m pw\nsentinel myid abc\nsentinel config-epoch m 3\n\
             sentinel known-sentinel m 127.0.0.1 5001\nsentinel frob 1\ndir /tmp\n",
        )
        .unwrap();
        let m = &c.monitors["m"];
        assert_eq!(m.auth_pass, Some(("pw".to_string(), 2)));
        let per: Vec<&str> = m.dropped.iter().map(|d| d.shown.as_str()).collect();
        assert_eq!(
            per,
            ["sentinel config-epoch m 3", "sentinel known-sentinel m 127.0.0.1 5001"]
        );
        let glob: Vec<(&str, DroppedKind)> = c.dropped.iter().map(|d| (d.shown.as_str(), d.kind)).collect();
        assert_eq!(
            glob,
            [
                ("sentinel myid abc", DroppedKind::NotCarried),
                ("sentinel frob 1", DroppedKind::NotCarried),
                ("dir /tmp", DroppedKind::Ignored)
            ]
        );
    }

    #[test]
    fn errors() {
        let e = read_text("sentinel monitor m 127.0.0.1 6382 0\n").unwrap_err();
        assert_eq!(e.to_string(), "s.conf:1:35: quorum must be 1 or more");
        let e = read_text("sentinel monitor m 127.0.0.1 6382 2\nsentinel failover-timeout other 5000\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "s.conf:2:27: no `sentinel monitor` for \"other\" in this file (monitored: m)"
        );
        let e = read_text("sentinel monitor m 127.0.0.1 6382\n").unwrap_err();
        assert!(
            e.to_string()
                .contains("expected `sentinel monitor <name> <host> <port> <quorum>`"),
            "{e}"
        );
        let e = read_text("sentinel monitor m 127.0.0.1 6382 2\nsentinel down-after-milliseconds m 0\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "s.conf:2:36: down-after-milliseconds must be more than zero"
        );
    }
}
