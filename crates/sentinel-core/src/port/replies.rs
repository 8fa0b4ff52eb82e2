//! Replies of COMMAND, ACL and HELLO, with Redis 7.0.15's shapes and error texts.

use super::acl::{Acl, Denied};
use super::table::{self, c, f, CommandSpec, TABLE};
use super::DOCS_META;
use crate::types::Ms;
use resp::Value;

pub const COMMAND_HELP: &[&str] = &[
    "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "(no subcommand)",
    "    Return details about all Redis commands.",
    "COUNT",
    "    Return the total number of commands in this Redis server.",
    "LIST",
    "    Return a list of all commands in this Redis server.",
    "INFO [<command-name> ...]",
    "    Return details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "DOCS [<command-name> ...]",
    "    Return documentation details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "GETKEYS <full-command>",
    "    Return the keys from a full Redis command.",
    "GETKEYSANDFLAGS <full-command>",
    "    Return the keys and the access flags from a full Redis command.",
    "HELP",
    "    Prints this help.",
];

pub const ACL_HELP: &[&str] = &[
    "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CAT [<category>]",
    "    List all commands that belong to <category>, or all command categories",
    "    when no category is specified.",
    "DELUSER <username> [<username> ...]",
    "    Delete a list of users.",
    "DRYRUN <username> <command> [<arg> ...]",
    "    Returns whether the user can execute the given command without executing the command.",
    "GETUSER <username>",
    "    Get the user's details.",
    "GENPASS [<bits>]",
    "    Generate a secure 256-bit user password. The optional `bits` argument can",
    "    be used to specify a different size.",
    "LIST",
    "    Show users details in config file format.",
    "LOAD",
    "    Reload users from the ACL file.",
    "LOG [<count> | RESET]",
    "    Show the ACL log entries.",
    "SAVE",
    "    Save the current config to the ACL file.",
    "SETUSER <username> <attribute> [<attribute> ...]",
    "    Create or modify a user with the specified attributes.",
    "USERS",
    "    List all the registered usernames.",
    "WHOAMI",
    "    Return the current connection username.",
    "HELP",
    "    Prints this help.",
];

const NO_ACL_FILE: &str = "ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.";

fn text(a: &[u8]) -> String {
    String::from_utf8_lossy(a).into_owned()
}

fn help(lines: &[&str]) -> Value {
    Value::Array(lines.iter().map(|l| Value::simple(*l)).collect())
}

fn names_of(bits: u32, names: &[(u32, &str)], prefix: &str) -> Value {
    Value::Set(
        names
            .iter()
            .filter(|(b, _)| bits & b != 0)
            .map(|(_, n)| Value::simple(format!("{prefix}{n}")))
            .collect(),
    )
}

/// One COMMAND INFO entry (10 fields; Sentinel commands have no keys).
fn info_entry(spec: &'static CommandSpec) -> Value {
    let subs: Vec<Value> = if spec.is_subcommand() {
        Vec::new()
    } else {
        table::subcommands(spec.fullname).map(info_entry).collect()
    };
    Value::Array(vec![
        Value::bulk(spec.fullname),
        Value::Int(spec.arity as i64),
        names_of(spec.flags, &f::NAMES, ""),
        Value::Int(0),
        Value::Int(0),
        Value::Int(0),
        names_of(spec.categories, &c::NAMES, "@"),
        Value::Set(spec.tips.iter().map(Value::bulk).collect()),
        Value::Set(Vec::new()),
        // Redis writes an empty set when there are no subcommands, an array otherwise.
        if subs.is_empty() {
            Value::Set(subs)
        } else {
            Value::Array(subs)
        },
    ])
}

/// One COMMAND DOCS entry: `since` and `group` (and subcommands). Deviation: the summaries,
/// complexity, history and argument docs of real Redis are documentation text, not reproduced.
fn docs_entry(spec: &'static CommandSpec) -> Value {
    let id = table::id_of(spec);
    let (_, since, group) = DOCS_META[id];
    let mut kv = vec![
        (Value::bulk("since"), Value::bulk(since)),
        (Value::bulk("group"), Value::bulk(group)),
    ];
    if !spec.is_subcommand() && table::is_container(spec.fullname) {
        let subs = table::subcommands(spec.fullname)
            .map(|s| (Value::bulk(s.fullname), docs_entry(s)))
            .collect();
        kv.push((Value::bulk("subcommands"), Value::Map(subs)));
    }
    Value::Map(kv)
}

fn top_level() -> impl Iterator<Item = &'static CommandSpec> {
    TABLE.iter().filter(|s| !s.is_subcommand())
}

/// COMMAND and its subcommands (the caller checked the arity).
pub fn command_command(args: &[Vec<u8>]) -> Value {
    let Some(sub) = args.get(1).map(|s| text(s).to_ascii_lowercase()) else {
        return Value::Array(top_level().map(info_entry).collect());
    };
    match sub.as_str() {
        "count" => Value::Int(table::count() as i64),
        "list" => command_list(&args[2..]),
        "info" if args.len() == 2 => Value::Array(top_level().map(info_entry).collect()),
        "info" => Value::Array(
            args[2..]
                .iter()
                .map(|n| table::by_fullname(&text(n)).map_or(Value::Nil, info_entry))
                .collect(),
        ),
        "docs" => {
            let specs: Vec<&'static CommandSpec> = if args.len() == 2 {
                top_level().collect()
            } else {
                args[2..].iter().filter_map(|n| table::by_fullname(&text(n))).collect()
            };
            Value::Map(
                specs
                    .into_iter()
                    .map(|s| (Value::bulk(s.fullname), docs_entry(s)))
                    .collect(),
            )
        }
        "getkeys" | "getkeysandflags" => match table::lookup(&args[2..]) {
            Ok(_) => Value::err("ERR The command has no key arguments"),
            Err(table::LookupError::Arity(_)) => Value::err("ERR Invalid number of arguments specified for command"),
            Err(_) => Value::err("ERR Invalid command specified"),
        },
        _ => help(COMMAND_HELP),
    }
}

fn command_list(opts: &[Vec<u8>]) -> Value {
    let filter: Box<dyn Fn(&CommandSpec) -> bool> = match opts {
        [] => Box::new(|_| true),
        [by, kind, val] if text(by).eq_ignore_ascii_case("filterby") => {
            match text(kind).to_ascii_lowercase().as_str() {
                "module" => Box::new(|_| false),
                "aclcat" => match c::by_name(&text(val)) {
                    Some(cat) => Box::new(move |s| s.categories & cat != 0),
                    None => Box::new(|_| false),
                },
                "pattern" => {
                    let pat = val.clone();
                    Box::new(move |s| crate::util::glob_match(&pat, s.fullname.as_bytes(), true))
                }
                _ => return Value::err("ERR syntax error"),
            }
        }
        _ => return Value::err("ERR syntax error"),
    };
    Value::Array(
        TABLE
            .iter()
            .filter(|s| filter(s))
            .map(|s| Value::bulk(s.fullname))
            .collect(),
    )
}

/// What an ACL command did besides its reply.
#[derive(Debug)]
pub struct AclOutcome {
    pub reply: Value,
    /// Users deleted: their clients are disconnected.
    pub deleted: Vec<String>,
    /// The users changed: the config rewrite must write the new `user` lines.
    pub changed: bool,
}

impl AclOutcome {
    fn reply(reply: Value) -> AclOutcome {
        AclOutcome {
            reply,
            deleted: Vec::new(),
            changed: false,
        }
    }
}

/// ACL and its subcommands (the caller checked the arity). `whoami` is the client's user;
/// `random` gives the bytes of ACL GENPASS.
pub fn acl_command(
    acl: &mut Acl,
    args: &[Vec<u8>],
    whoami: &str,
    now: Ms,
    random: &mut dyn FnMut() -> u64,
) -> AclOutcome {
    let sub = text(&args[1]).to_ascii_lowercase();
    let reply = match sub.as_str() {
        "setuser" => return acl_setuser(acl, args),
        "deluser" => return acl_deluser(acl, args),
        "getuser" => acl.user(&text(&args[2])).map_or(Value::Nil, getuser_reply),
        "list" => Value::Array(acl.lines().iter().map(Value::bulk).collect()),
        "users" => Value::Array(acl.names().map(Value::bulk).collect()),
        "whoami" => Value::bulk(whoami),
        "cat" => acl_cat(args),
        "genpass" => acl_genpass(args, random),
        "log" => acl_log(acl, args, now),
        "load" | "save" => Value::err(NO_ACL_FILE),
        "dryrun" => acl_dryrun(acl, args),
        _ => help(ACL_HELP),
    };
    AclOutcome::reply(reply)
}

fn acl_setuser(acl: &mut Acl, args: &[Vec<u8>]) -> AclOutcome {
    let name = text(&args[2]);
    if super::acl::has_space(&args[2]) {
        return AclOutcome::reply(Value::err("ERR Usernames can't contain spaces or null characters"));
    }
    match acl.set_user(&name, &args[3..]) {
        Ok(()) => AclOutcome {
            reply: Value::ok(),
            deleted: Vec::new(),
            changed: true,
        },
        Err((op, e)) => AclOutcome::reply(Value::err(table::sanitize_error(&format!(
            "ERR Error in ACL SETUSER modifier '{op}': {e}"
        )))),
    }
}

fn acl_deluser(acl: &mut Acl, args: &[Vec<u8>]) -> AclOutcome {
    if args[2..].iter().any(|n| n == b"default") {
        return AclOutcome::reply(Value::err("ERR The 'default' user cannot be removed"));
    }
    let mut deleted = Vec::new();
    for n in &args[2..] {
        let n = text(n);
        if acl.del_user(&n) {
            deleted.push(n);
        }
    }
    AclOutcome {
        reply: Value::Int(deleted.len() as i64),
        changed: !deleted.is_empty(),
        deleted,
    }
}

fn getuser_reply(u: &super::acl::User) -> Value {
    Value::map_of(vec![
        Value::bulk("flags"),
        Value::Set(u.flags().into_iter().map(Value::bulk).collect()),
        Value::bulk("passwords"),
        Value::Array(u.passwords.iter().map(Value::bulk).collect()),
        Value::bulk("commands"),
        Value::bulk(u.root.describe_commands()),
        Value::bulk("keys"),
        Value::bulk(u.root.describe_keys()),
        Value::bulk("channels"),
        Value::bulk(u.root.describe_channels()),
        Value::bulk("selectors"),
        Value::Array(Vec::new()),
    ])
}

fn acl_cat(args: &[Vec<u8>]) -> Value {
    match args.len() {
        2 => Value::Array(c::NAMES.iter().map(|(_, n)| Value::bulk(n)).collect()),
        3 => {
            let name = text(&args[2]);
            match c::by_name(&name) {
                Some(cat) => Value::Array(
                    TABLE
                        .iter()
                        .filter(|s| s.categories & cat != 0)
                        .map(|s| Value::bulk(s.fullname))
                        .collect(),
                ),
                None => Value::err(table::sanitize_error(&format!("ERR Unknown category '{name}'"))),
            }
        }
        _ => Value::err("ERR wrong number of arguments for 'acl|cat' command"),
    }
}

fn acl_genpass(args: &[Vec<u8>], random: &mut dyn FnMut() -> u64) -> Value {
    let bits = match args.get(2) {
        None => 256,
        Some(a) => match text(a).parse::<i64>() {
            Ok(b) if (1..=4096).contains(&b) => b as usize,
            _ => {
                return Value::err(
                    "ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096",
                )
            }
        },
    };
    let chars = bits.div_ceil(4);
    let mut out = String::with_capacity(chars);
    while out.len() < chars {
        out.push_str(&format!("{:016x}", random()));
    }
    out.truncate(chars);
    Value::bulk(out)
}

fn acl_log(acl: &mut Acl, args: &[Vec<u8>], now: Ms) -> Value {
    match args.get(2) {
        None => acl.log.reply(10, now),
        Some(a) if text(a).eq_ignore_ascii_case("reset") => {
            acl.log.reset();
            Value::ok()
        }
        Some(a) => match text(a).parse::<i64>() {
            Ok(n) => acl.log.reply(n.max(0) as usize, now),
            Err(_) => Value::err("ERR value is not an integer or out of range"),
        },
    }
}

fn acl_dryrun(acl: &Acl, args: &[Vec<u8>]) -> Value {
    let user = text(&args[2]);
    if acl.user(&user).is_none() {
        return Value::err(table::sanitize_error(&format!("ERR User '{user}' not found")));
    }
    let line = &args[3..];
    let spec = match table::lookup(line) {
        Ok(s) => s,
        Err(table::LookupError::Arity(name)) => {
            return Value::err(format!("ERR wrong number of arguments for '{name}' command"))
        }
        Err(_) => {
            return Value::err(table::sanitize_error(&format!(
                "ERR Command '{}' not found",
                text(&line[0])
            )))
        }
    };
    match acl.check(&user, spec, line) {
        Ok(()) => Value::ok(),
        Err(Denied::Command) => Value::bulk(format!(
            "This user has no permissions to run the '{}' command",
            spec.fullname
        )),
        Err(Denied::Channel(ch)) => Value::bulk(format!(
            "This user has no permissions to access the '{}' channel",
            text(&ch)
        )),
    }
}

/// HELLO's reply (a Sentinel has no `role` field). RESP2 shows it as a flat array.
pub fn hello_reply(client_id: u64, proto: u8) -> Value {
    Value::map_of(vec![
        Value::bulk("server"),
        Value::bulk("redis"),
        Value::bulk("version"),
        Value::bulk("7.0.15"),
        Value::bulk("proto"),
        Value::Int(proto as i64),
        Value::bulk("id"),
        Value::Int(client_id as i64),
        Value::bulk("mode"),
        Value::bulk("sentinel"),
        Value::bulk("modules"),
        Value::Array(Vec::new()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> Vec<Vec<u8>> {
        v.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    fn resp2(v: &Value) -> Vec<u8> {
        let mut out = Vec::new();
        v.encode(&mut out);
        out
    }

    fn resp3(v: &Value) -> Vec<u8> {
        let mut out = Vec::new();
        v.encode_resp3(&mut out);
        out
    }

    /// Bytes a real Sentinel 7.0.15 sent for the same commands (RESP2, then after HELLO 3).
    #[test]
    fn replies_match_real_sentinel_bytes() {
        let info = command_command(&args(&["COMMAND", "INFO", "ping"]));
        assert_eq!(
            resp2(&info),
            b"*1\r\n*10\r\n$4\r\nping\r\n:-1\r\n*1\r\n+fast\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@fast\r\n+@connection\r\n*2\r\n$25\r\nrequest_policy:all_shards\r\n$29\r\nresponse_policy:all_succeeded\r\n*0\r\n*0\r\n"
        );
        assert_eq!(
            resp3(&info),
            b"*1\r\n*10\r\n$4\r\nping\r\n:-1\r\n~1\r\n+fast\r\n:0\r\n:0\r\n:0\r\n~2\r\n+@fast\r\n+@connection\r\n~2\r\n$25\r\nrequest_policy:all_shards\r\n$29\r\nresponse_policy:all_succeeded\r\n~0\r\n~0\r\n"
        );
        let mut acl = Acl::default();
        let getuser = acl_command(&mut acl, &args(&["ACL", "GETUSER", "default"]), "default", 0, &mut || 0).reply;
        assert_eq!(
            resp2(&getuser),
            b"*12\r\n$5\r\nflags\r\n*2\r\n$2\r\non\r\n$6\r\nnopass\r\n$9\r\npasswords\r\n*0\r\n$8\r\ncommands\r\n$5\r\n+@all\r\n$4\r\nkeys\r\n$2\r\n~*\r\n$8\r\nchannels\r\n$2\r\n&*\r\n$9\r\nselectors\r\n*0\r\n"
        );
        assert_eq!(
            resp3(&getuser),
            b"%6\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$6\r\nnopass\r\n$9\r\npasswords\r\n*0\r\n$8\r\ncommands\r\n$5\r\n+@all\r\n$4\r\nkeys\r\n$2\r\n~*\r\n$8\r\nchannels\r\n$2\r\n&*\r\n$9\r\nselectors\r\n*0\r\n"
        );
        let hello = hello_reply(79, 3);
        assert_eq!(
            resp3(&hello),
            b"%6\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:79\r\n$4\r\nmode\r\n$8\r\nsentinel\r\n$7\r\nmodules\r\n*0\r\n"
        );
    }

    #[test]
    fn command_counts_and_lookups() {
        assert_eq!(command_command(&args(&["COMMAND", "COUNT"])), Value::Int(15));
        let Value::Array(list) = command_command(&args(&["COMMAND", "LIST"])) else {
            panic!("list")
        };
        assert_eq!(list.len(), 72);
        assert_eq!(
            command_command(&args(&["COMMAND", "GETKEYS", "nosuch", "x"])),
            Value::err("ERR Invalid command specified")
        );
        assert_eq!(
            command_command(&args(&["COMMAND", "GETKEYS", "ping", "x"])),
            Value::err("ERR The command has no key arguments")
        );
        assert_eq!(
            command_command(&args(&["COMMAND", "LIST", "FILTERBY", "foo", "x"])),
            Value::err("ERR syntax error")
        );
        let Value::Array(admin) = command_command(&args(&["COMMAND", "LIST", "FILTERBY", "ACLCAT", "admin"])) else {
            panic!("aclcat")
        };
        assert!(admin.contains(&Value::bulk("sentinel|reset")) && !admin.contains(&Value::bulk("ping")));
    }
}
