//! Argument values: whole numbers, ports, IP hosts and listening addresses, each error pointing
//! at the argument (`file:line:col`).

use std::net::{Ipv4Addr, Ipv6Addr};

use super::lexer::{Arg, Line};
use super::FromConfigError;

/// An error at an argument.
pub fn err_at(file: &str, line: &Line, arg: &Arg, msg: impl Into<String>) -> FromConfigError {
    FromConfigError::at(file, line.no, arg.col, msg)
}

/// Exactly `n` arguments after the `sub` words naming the directive, or an error naming the form.
pub fn arity(file: &str, line: &Line, sub: usize, form: &str) -> Result<(), FromConfigError> {
    let want = form.split_whitespace().count();
    if line.args.len() == want {
        return Ok(());
    }
    let at = line.args.get(want).unwrap_or(&line.args[0]);
    let name: Vec<&str> = line.args[..sub].iter().map(|a| a.text.as_str()).collect();
    Err(err_at(
        file,
        line,
        at,
        format!(
            "{}: wrong number of arguments (expected `{form}`)",
            name.join(" ").to_ascii_lowercase()
        ),
    ))
}

/// A whole number in `0..=max`; `what` names it in the error.
pub fn uint(file: &str, line: &Line, arg: &Arg, what: &str, max: u64) -> Result<u64, FromConfigError> {
    let t = arg.text.as_str();
    let v: Option<u64> = if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        t.parse().ok()
    } else {
        None
    };
    match v {
        Some(v) if v <= max => Ok(v),
        Some(_) => Err(err_at(file, line, arg, format!("{what} {t} is more than {max}"))),
        None => Err(err_at(file, line, arg, format!("{what}: {t:?} is not a whole number"))),
    }
}

/// A TCP port, 1..=65535.
pub fn port(file: &str, line: &Line, arg: &Arg) -> Result<u16, FromConfigError> {
    let p = uint(file, line, arg, "port", 65_535)?;
    if p == 0 {
        return Err(err_at(
            file,
            line,
            arg,
            "port 0 (no TCP listener): the simulator needs a TCP port",
        ));
    }
    Ok(p as u16)
}

/// An IP address as the scenario writes hosts: IPv4 bare, IPv6 in brackets. Hostnames are
/// refused: the simulator knows nodes by address.
pub fn host(file: &str, line: &Line, arg: &Arg) -> Result<String, FromConfigError> {
    let t = arg.text.as_str();
    if t.parse::<Ipv4Addr>().is_ok() {
        return Ok(t.to_string());
    }
    let inner = t.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(t);
    if let Ok(v6) = inner.parse::<Ipv6Addr>() {
        return Ok(format!("[{v6}]"));
    }
    Err(err_at(
        file,
        line,
        arg,
        format!("{t:?} is not an IP address: the simulator knows nodes by IP address, write the node's IP here"),
    ))
}

/// `yes` / `no`.
pub fn yes_no(file: &str, line: &Line, arg: &Arg) -> Result<bool, FromConfigError> {
    match arg.text.to_ascii_lowercase().as_str() {
        "yes" => Ok(true),
        "no" => Ok(false),
        t => Err(err_at(file, line, arg, format!("{t:?}: expected yes or no"))),
    }
}

/// Where a process listens: the concrete addresses of its `bind` (and announce) lines, whether it
/// also listens on every address, and its port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub hosts: Vec<String>,
    pub wildcard: bool,
    pub port: u16,
}

impl Endpoint {
    /// No `bind` line: Redis listens on every address.
    pub fn unbound(port: u16) -> Self {
        Endpoint {
            hosts: Vec::new(),
            wildcard: true,
            port,
        }
    }

    /// Whether `host:port` reaches it exactly (a concrete address).
    pub fn has_exact(&self, host: &str, port: u16) -> bool {
        self.port == port && self.hosts.iter().any(|h| h == host)
    }
}

/// A `bind` line's addresses: `-` (optional) stripped, `*`, `::*`, `0.0.0.0` and `::` wildcards.
pub fn bind(file: &str, line: &Line) -> Result<(Vec<String>, bool), FromConfigError> {
    let mut hosts = Vec::new();
    let mut wildcard = false;
    for a in &line.args[1..] {
        let t = a.text.strip_prefix('-').unwrap_or(&a.text);
        if matches!(t, "*" | "::*" | "0.0.0.0" | "::") {
            wildcard = true;
            continue;
        }
        let stripped = Arg {
            text: t.to_string(),
            col: a.col,
        };
        let h = host(file, line, &stripped)?;
        if !hosts.contains(&h) {
            hosts.push(h);
        }
    }
    Ok((hosts, wildcard))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::from_config::lexer::lex;

    fn line(text: &str) -> Line {
        lex("f.conf", text).unwrap().remove(0)
    }

    #[test]
    fn numbers_ports_and_hosts() {
        let l = line("x 12 abc 0 70000 ::1 host.example -5");
        assert_eq!(uint("f.conf", &l, &l.args[1], "n", 100), Ok(12));
        let e = uint("f.conf", &l, &l.args[2], "n", 100).unwrap_err();
        assert_eq!(e.to_string(), "f.conf:1:6: n: \"abc\" is not a whole number");
        assert!(port("f.conf", &l, &l.args[3]).is_err());
        assert!(port("f.conf", &l, &l.args[4]).is_err());
        assert_eq!(host("f.conf", &l, &l.args[5]).unwrap(), "[::1]");
        assert!(host("f.conf", &l, &l.args[6])
            .unwrap_err()
            .message
            .contains("not an IP address"));
        assert!(uint("f.conf", &l, &l.args[7], "n", 100).is_err());
    }

    #[test]
    fn bind_lists() {
        let l = line("bind 127.0.0.1 -::1 * 10.0.0.2");
        let (hosts, wildcard) = bind("f.conf", &l).unwrap();
        assert_eq!(hosts, ["127.0.0.1", "[::1]", "10.0.0.2"]);
        assert!(wildcard);
    }

    #[test]
    fn arity_names_the_form() {
        let l = line("replicaof 127.0.0.1");
        let e = arity("f.conf", &l, 1, "replicaof <host> <port>").unwrap_err();
        assert_eq!(
            e.to_string(),
            "f.conf:1:1: replicaof: wrong number of arguments (expected `replicaof <host> <port>`)"
        );
    }
}
