//! CLIENT and its subcommands, served by the client's own task.

use super::{lower, syntax_error, Session};
use crate::hub::{ClientFilter, ClientType};
use resp::Value;

const CLIENT_HELP: &[&str] = &[
    "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "GETREDIR",
    "    Return the client ID we are redirecting to when tracking is enabled.",
    "GETNAME",
    "    Return the name of the current connection.",
    "ID",
    "    Return the ID of the current connection.",
    "INFO",
    "    Return information about the current client connection.",
    "KILL <ip:port>",
    "    Kill connection made from <ip:port>.",
    "KILL <option> <value> [<option> <value> [...]]",
    "    Kill connections. Options are:",
    "    * ADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made from the specified address",
    "    * LADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made to specified local address",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Kill connections by type.",
    "    * USER <username>",
    "      Kill connections authenticated by <username>.",
    "    * SKIPME (YES|NO)",
    "      Skip killing current connection (default: yes).",
    "LIST [options ...]",
    "    Return information about client connections. Options:",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Return clients of specified type.",
    "UNPAUSE",
    "    Stop the current client pause, resuming traffic.",
    "PAUSE <timeout> [WRITE|ALL]",
    "    Suspend all, or just write, clients for <timeout> milliseconds.",
    "REPLY (ON|OFF|SKIP)",
    "    Control the replies sent to the current connection.",
    "SETNAME <name>",
    "    Assign the name <name> to the current connection.",
    "UNBLOCK <clientid> [TIMEOUT|ERROR]",
    "    Unblock the specified blocked client.",
    "NO-EVICT (ON|OFF)",
    "    Protect current client connection from eviction.",
    "HELP",
    "    Print this help.",
];

impl Session {
    /// CLIENT SETNAME / HELLO SETNAME: printable ASCII without spaces; empty clears the name.
    pub(super) fn set_client_name(&mut self, n: &[u8]) -> Result<(), Value> {
        if n.iter().any(|&b| !(b'!'..=b'~').contains(&b)) {
            return Err(Value::err(
                "ERR Client names cannot contain spaces, newlines or special characters.",
            ));
        }
        self.name = if n.is_empty() {
            None
        } else {
            Some(String::from_utf8_lossy(n).into_owned())
        };
        self.hub.set_name(self.id, self.name.clone());
        Ok(())
    }

    pub(super) fn client_command(&mut self, args: &[Vec<u8>]) -> Value {
        // Lookup and arity were checked against the command table.
        let sub = lower(&args[1]);
        match sub.as_str() {
            "id" => Value::Int(self.id as i64),
            "getname" => self.name.as_ref().map_or(Value::Nil, Value::bulk),
            "setname" => match self.set_client_name(&args[2]) {
                Ok(()) => Value::ok(),
                Err(e) => e,
            },
            // A Sentinel has no keys: tracking can be switched but never invalidates anything.
            "tracking" => match lower(&args[2]).as_str() {
                "on" | "off" => Value::ok(),
                _ => syntax_error(),
            },
            "trackinginfo" => Value::map_of(vec![
                Value::bulk("flags"),
                Value::Set(vec![Value::bulk("off")]),
                Value::bulk("redirect"),
                Value::Int(-1),
                Value::bulk("prefixes"),
                Value::Array(Vec::new()),
            ]),
            "caching" => Value::err(
                "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled",
            ),
            "info" => self.hub.client_line(self.id).map_or(Value::Nil, Value::Verbatim),
            "list" => match parse_list_filter(&args[2..]) {
                Ok(f) => Value::Verbatim(self.hub.list(&f)),
                Err(e) => e,
            },
            "kill" => self.client_kill(args),
            "reply" => match lower(&args[2]).as_str() {
                "on" => {
                    self.reply_off = false;
                    self.suppress = false;
                    Value::ok()
                }
                "off" => {
                    self.reply_off = true;
                    self.suppress = true;
                    Value::ok()
                }
                "skip" => {
                    if !self.reply_off {
                        self.skip_next = true;
                    }
                    self.suppress = true;
                    Value::ok()
                }
                _ => syntax_error(),
            },
            "no-evict" => match lower(&args[2]).as_str() {
                "on" | "off" => Value::ok(),
                _ => syntax_error(),
            },
            "getredir" => Value::Int(-1),
            // Pausing is not modelled: Sentinel commands never write data.
            "pause" => match std::str::from_utf8(&args[2]).ok().and_then(|s| s.parse::<i64>().ok()) {
                Some(ms) if ms >= 0 => {
                    if args.len() > 4 || (args.len() == 4 && !matches!(lower(&args[3]).as_str(), "write" | "all")) {
                        syntax_error()
                    } else {
                        Value::ok()
                    }
                }
                _ => Value::err("ERR timeout is not an integer or out of range"),
            },
            "unpause" => Value::ok(),
            // No client of a Sentinel is ever blocked.
            "unblock" => match std::str::from_utf8(&args[2]).ok().and_then(|s| s.parse::<i64>().ok()) {
                Some(_) => Value::Int(0),
                None => Value::err("ERR value is not an integer or out of range"),
            },
            _ => Value::Array(CLIENT_HELP.iter().map(|l| Value::simple(*l)).collect()),
        }
    }

    fn client_kill(&mut self, args: &[Vec<u8>]) -> Value {
        if args.len() == 3 {
            // Old form: CLIENT KILL <ip:port>.
            let addr = String::from_utf8_lossy(&args[2]).into_owned();
            let killed = self.hub.kill_matching(&ClientFilter {
                addr: Some(addr),
                ..Default::default()
            });
            return if killed.is_empty() {
                Value::err("ERR No such client")
            } else {
                Value::ok()
            };
        }
        if !args.len().is_multiple_of(2) {
            return syntax_error();
        }
        let mut f = ClientFilter {
            skip: Some(self.id),
            ..Default::default()
        };
        for pair in args[2..].chunks(2) {
            let (opt, val) = (lower(&pair[0]), &pair[1]);
            let text = String::from_utf8_lossy(val).into_owned();
            match opt.as_str() {
                "id" => match text.parse::<i64>() {
                    Ok(id) if id > 0 => f.ids = Some(vec![id as u64]),
                    _ => return Value::err("ERR client-id should be greater than 0"),
                },
                "type" => match ClientType::parse(val) {
                    Some(t) => f.kind = Some(t),
                    None => return Value::err(format!("ERR Unknown client type '{text}'")),
                },
                "user" => {
                    if self.hub.with_acl(|acl| acl.user(&text).is_none()) {
                        return Value::err(format!("ERR No such user '{text}'"));
                    }
                    f.user = Some(text);
                }
                "addr" => f.addr = Some(text),
                "laddr" => f.laddr = Some(text),
                "skipme" => match text.to_ascii_lowercase().as_str() {
                    "yes" => f.skip = Some(self.id),
                    "no" => f.skip = None,
                    _ => return syntax_error(),
                },
                _ => return syntax_error(),
            }
        }
        Value::Int(self.hub.kill_matching(&f).len() as i64)
    }
}

fn parse_list_filter(opts: &[Vec<u8>]) -> Result<ClientFilter, Value> {
    let mut f = ClientFilter::default();
    match opts {
        [] => {}
        [opt, t] if lower(opt) == "type" => match ClientType::parse(t) {
            Some(k) => f.kind = Some(k),
            None => {
                return Err(Value::err(format!(
                    "ERR Unknown client type '{}'",
                    String::from_utf8_lossy(t)
                )))
            }
        },
        [opt, ids @ ..] if lower(opt) == "id" && !ids.is_empty() => {
            let mut v = Vec::with_capacity(ids.len());
            for id in ids {
                match std::str::from_utf8(id).ok().and_then(|s| s.parse::<i64>().ok()) {
                    Some(n) if n > 0 => v.push(n as u64),
                    _ => return Err(Value::err("ERR Invalid client ID")),
                }
            }
            f.ids = Some(v);
        }
        _ => return Err(syntax_error()),
    }
    Ok(f)
}
