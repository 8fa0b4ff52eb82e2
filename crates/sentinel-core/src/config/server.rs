//! The non-`sentinel` lines of sentinel.conf: every redis.conf directive is validated as
//! redis-server 7.0.15 validates it (Sentinel is a redis-server in sentinel mode); the ones the
//! Sentinel process itself uses are parsed into [`ServerOptions`], the rest are only kept (the
//! rewrite writes every loaded line back).

use super::split::{memtoull, split_args, string2ll, strtoll_full, yes_no};
use super::table::{lookup, Kind, NumFmt, Special, DEPRECATED, LOGLEVELS};

/// `loglevel`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogLevel {
    Debug,
    Verbose,
    #[default]
    Notice,
    Warning,
}

/// One `bind` address; `optional` is the 7.0 `-` prefix (a failure to bind it is not fatal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindAddr {
    pub addr: Vec<u8>,
    pub optional: bool,
}

/// The redis.conf settings the Sentinel process uses (sentinel-mode defaults where not set).
/// Strings are bytes: Redis does not require UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerOptions {
    pub port: u16,
    /// Empty: listen nowhere (Redis then exits at startup).
    pub bind: Vec<BindAddr>,
    pub protected_mode: bool,
    pub maxclients: u32,
    /// Empty: log to standard output.
    pub logfile: Vec<u8>,
    pub loglevel: LogLevel,
    pub requirepass: Option<String>,
    /// `user` lines as validated argument vectors (without the leading `user`), in file order;
    /// none means Redis' implicit `default on nopass ~* &* +@all`.
    pub users: Vec<Vec<Vec<u8>>>,
    pub dir: Option<Vec<u8>>,
    pub daemonize: bool,
    pub pidfile: Option<Vec<u8>>,
    pub aclfile: Option<Vec<u8>>,
    /// `include` paths, in file order (not expanded: the core does no I/O).
    pub includes: Vec<Vec<u8>>,
}

impl Default for ServerOptions {
    fn default() -> Self {
        let addr = |a: &str, optional| BindAddr {
            addr: a.as_bytes().to_vec(),
            optional,
        };
        ServerOptions {
            port: 26379,
            bind: vec![addr("*", false), addr("::*", true)],
            // Sentinel mode turns protected mode off (a Sentinel must be reachable).
            protected_mode: false,
            maxclients: 10000,
            logfile: Vec::new(),
            loglevel: LogLevel::Notice,
            requirepass: None,
            users: Vec::new(),
            dir: None,
            daemonize: false,
            pidfile: None,
            aclfile: None,
            includes: Vec::new(),
        }
    }
}

type Res = Result<(), String>;

/// Validates one non-sentinel line (`a` split, `a[0]` lower-cased) and applies what Sentinel uses.
pub(crate) fn apply_line(a: &[Vec<u8>], opts: &mut ServerOptions) -> Res {
    let name = String::from_utf8_lossy(&a[0]).into_owned();
    if let Some((canon, kind)) = lookup(&name) {
        let multi = matches!(kind, Kind::Special(s) if s != Special::Dir && s != Special::NotifyKeyspaceEvents)
            || matches!(kind, Kind::Enum { multi: true, .. });
        if !multi && a.len() != 2 {
            return Err("wrong number of arguments".into());
        }
        // A multi-argument directive given one non-empty value splits it (`save "900 1"`).
        let args: Vec<Vec<u8>> = if multi && a.len() == 2 && !a[1].is_empty() {
            split_args(&a[1]).unwrap_or_default()
        } else {
            a[1..].to_vec()
        };
        check_kind(kind, &args)?;
        return keep_option(canon, &args, opts);
    }
    if DEPRECATED.contains(&name.as_str()) && a.len() == 2 {
        return Ok(());
    }
    other_directive(&name, a, opts)
}

/// `include`, `rename-command`, `user`, `loadmodule`, module options: not in the config table.
fn other_directive(name: &str, a: &[Vec<u8>], opts: &mut ServerOptions) -> Res {
    match (name, a.len()) {
        ("include", 2) => opts.includes.push(a[1].clone()),
        // Renaming needs Sentinel's command table; kept and written back as it is.
        ("rename-command", 3) => {}
        ("user", n) if n >= 2 => check_user(a, opts)?,
        ("loadmodule", n) if n >= 2 => return Err("Modules are not supported by sentinel-sim".into()),
        (n, _) if n.contains('.') => {
            if a.len() < 2 {
                return Err("Module config specified without value".into());
            }
            // Redis aborts later: no module registers the option.
            return Err(
                "Module Configuration detected without loadmodule directive or no ApplyConfig call: aborting".into(),
            );
        }
        _ => return Err("Bad directive or wrong number of arguments".into()),
    }
    Ok(())
}

fn check_kind(kind: Kind, args: &[Vec<u8>]) -> Res {
    match kind {
        Kind::Bool => yes_no(&args[0])
            .map(|_| ())
            .ok_or_else(|| "argument must be 'yes' or 'no'".into()),
        Kind::Num { fmt, signed, min, max } => check_num(&args[0], fmt, signed, min, max).map(|_| ()),
        Kind::Enum { values, multi } => check_enum(args, values, multi),
        Kind::Str => Ok(()),
        Kind::Special(s) => check_special(s, args),
    }
}

/// Parses a number as Redis' numeric configs do, with its bound check; the value as `long long`.
pub(crate) fn check_num(v: &[u8], fmt: NumFmt, signed: bool, min: i128, max: i128) -> Result<i64, String> {
    let parsed = match fmt {
        NumFmt::Int => string2ll(v),
        NumFmt::Mem => memtoull(v).map(|u| u as i64),
        NumFmt::MemPercent => memtoull(v).map(|u| u as i64).or_else(|| percent(v)),
        NumFmt::Octal => octal(v),
    };
    let ll = parsed.ok_or(match fmt {
        NumFmt::Int => "argument couldn't be parsed into an integer",
        NumFmt::Mem => "argument must be a memory value",
        NumFmt::MemPercent => "argument must be a memory or percent value",
        NumFmt::Octal => "argument couldn't be parsed as an octal number",
    })?;
    if !signed {
        let ull = i128::from(ll as u64);
        if ull < min || ull > max {
            return Err(if fmt == NumFmt::Octal {
                format!("argument must be between {min:o} and {max:o} inclusive")
            } else {
                format!("argument must be between {min} and {max} inclusive")
            });
        }
    } else if fmt == NumFmt::MemPercent && ll < 0 {
        // Percentages are stored negated; only their own bound applies.
        if i128::from(ll) < min {
            return Err(format!("percentage argument must be less or equal to {}", -min));
        }
    } else if i128::from(ll) < min || i128::from(ll) > max {
        return Err(format!("argument must be between {min} and {max} inclusive"));
    }
    Ok(ll)
}

fn percent(v: &[u8]) -> Option<i64> {
    let digits = v.strip_suffix(b"%").filter(|_| v.len() > 1)?;
    string2ll(digits).filter(|&n| n >= 0).map(|n| -n)
}

fn octal(v: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(v).ok()?;
    let t = s.trim_start();
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let n = i64::from_str_radix(digits, 8).ok()?;
    if digits.starts_with(['+', '-']) {
        return None;
    }
    Some(if neg { -n } else { n })
}

fn check_enum(args: &[Vec<u8>], values: &[&str], multi: bool) -> Res {
    let bad = || format!("argument(s) must be one of the following: {}", values.join(", "));
    let mut seen = Vec::new();
    for a in args {
        let v = values
            .iter()
            .find(|v| a.eq_ignore_ascii_case(v.as_bytes()))
            .ok_or_else(bad)?;
        seen.push(*v);
    }
    if multi && seen.contains(&"save") && seen.contains(&"nosave") {
        return Err("shutdown options SAVE and NOSAVE can't be used simultaneously".into());
    }
    Ok(())
}

fn check_special(s: Special, args: &[Vec<u8>]) -> Res {
    match s {
        // Redis chdir()s here; the sans-I/O core cannot, the driver owns the filesystem.
        Special::Dir => Ok(()),
        Special::Save => check_save(args),
        Special::ClientOutputBufferLimit => check_obuf(args),
        Special::OomScoreAdjValues => check_oom(args),
        Special::NotifyKeyspaceEvents => check_notify(&args[0]),
        Special::Bind if args.len() > 16 => Err("Too many bind addresses specified.".into()),
        Special::Bind => Ok(()),
        Special::ReplicaOf => check_replicaof(args),
        Special::LatencyPercentiles => check_percentiles(args),
    }
}

fn check_save(args: &[Vec<u8>]) -> Res {
    if args.len() == 1 && args[0].is_empty() {
        return Ok(());
    }
    if !args.len().is_multiple_of(2) {
        return Err("Invalid save parameters".into());
    }
    for (j, a) in args.iter().enumerate() {
        let floor = if j % 2 == 0 { 1 } else { 0 };
        if strtoll_full(a).is_none_or(|v| v < floor) {
            return Err("Invalid save parameters".into());
        }
    }
    Ok(())
}

fn check_obuf(args: &[Vec<u8>]) -> Res {
    if !args.len().is_multiple_of(4) {
        return Err("Wrong number of arguments in buffer limit configuration.".into());
    }
    for c in args.chunks(4) {
        let class = String::from_utf8_lossy(&c[0]).to_ascii_lowercase();
        if !matches!(class.as_str(), "normal" | "slave" | "replica" | "pubsub") {
            return Err("Invalid client class specified in buffer limit configuration.".into());
        }
        let secs_ok = strtoll_full(&c[3]).is_some_and(|s| (0..=i64::from(i32::MAX)).contains(&s));
        if memtoull(&c[1]).is_none() || memtoull(&c[2]).is_none() || !secs_ok {
            return Err("Error in hard, soft or soft_seconds setting in buffer limit configuration.".into());
        }
    }
    Ok(())
}

fn check_oom(args: &[Vec<u8>]) -> Res {
    if args.len() != 3 {
        return Err("wrong number of arguments".into());
    }
    if args
        .iter()
        .any(|a| strtoll_full(a).is_none_or(|v| !(-2000..=2000).contains(&v)))
    {
        return Err("Invalid oom-score-adj-values, elements must be between -2000 and 2000.".into());
    }
    Ok(())
}

fn check_notify(v: &[u8]) -> Res {
    if v.iter().all(|c| b"Ag$lshzxeKEtmdn".contains(c)) {
        Ok(())
    } else {
        Err("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.".into())
    }
}

fn check_replicaof(args: &[Vec<u8>]) -> Res {
    if args.len() != 2 {
        return Err("wrong number of arguments".into());
    }
    if args[0].eq_ignore_ascii_case(b"no") && args[1].eq_ignore_ascii_case(b"one") {
        return Ok(());
    }
    match strtoll_full(&args[1]) {
        Some(p) if (0..=65535).contains(&p) => Ok(()),
        _ => Err("Invalid master port".into()),
    }
}

fn check_percentiles(args: &[Vec<u8>]) -> Res {
    if args.len() == 1 && args[0].is_empty() {
        return Ok(());
    }
    for a in args {
        // Redis' string2d: a full strtod parse, no leading space, not NaN.
        let p = std::str::from_utf8(a)
            .ok()
            .filter(|s| !s.starts_with(|c: char| c.is_ascii_whitespace()))
            .and_then(|s| s.parse::<f64>().ok())
            .filter(|p| !p.is_nan())
            .ok_or("Invalid latency-tracking-info-percentiles parameters")?;
        if !(0.0..=100.0).contains(&p) {
            return Err("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]".into());
        }
    }
    Ok(())
}

/// ACL rules that parse (a cheap syntax check; the ACL engine itself is built elsewhere).
fn is_acl_rule(r: &[u8]) -> bool {
    const WORDS: &[&str] = &[
        "on",
        "off",
        "skip-sanitize-payload",
        "sanitize-payload",
        "nopass",
        "resetpass",
        "clearselectors",
        "reset",
        "allkeys",
        "resetkeys",
        "allchannels",
        "resetchannels",
        "allcommands",
        "nocommands",
    ];
    if WORDS.iter().any(|w| r.eq_ignore_ascii_case(w.as_bytes())) {
        return true;
    }
    match r.first() {
        Some(b'>' | b'<' | b'#' | b'!' | b'~' | b'&' | b'+' | b'-') => true,
        Some(b'%') => r.contains(&b'~'),
        Some(b'(') => r.last() == Some(&b')'),
        _ => false,
    }
}

fn check_user(a: &[Vec<u8>], opts: &mut ServerOptions) -> Res {
    let quote = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    if opts.users.iter().any(|u| u[0] == a[1]) {
        return Err(format!(
            "Error in user declaration '{}': Duplicate user found. A user can only be defined once in config files",
            quote(&a[1])
        ));
    }
    let rules = &a[2..];
    if let Some(j) = rules.iter().position(|r| !is_acl_rule(r)) {
        // Redis 7.0.15 names argv[j] (j counted among the rules), so not always the bad rule.
        return Err(format!("Error in user declaration '{}': Syntax error", quote(&a[j])));
    }
    // The rules themselves, as ACL SETUSER would apply them.
    let mut user = crate::port::acl::User::new(&quote(&a[1]));
    for r in rules {
        if let Err(e) = user.apply(&quote(r)) {
            return Err(format!("Error in user declaration '{}': {e}", quote(&a[1])));
        }
    }
    opts.users.push(a[1..].to_vec());
    Ok(())
}

/// Records the settings Sentinel uses (the last line wins, as in Redis).
fn keep_option(name: &str, args: &[Vec<u8>], o: &mut ServerOptions) -> Res {
    let one = || args.first().cloned().unwrap_or_default();
    let non_empty = || Some(one()).filter(|v| !v.is_empty());
    match name {
        "port" => o.port = string2ll(&one()).unwrap_or(0) as u16,
        "bind" => o.bind = bind_list(args),
        "protected-mode" => o.protected_mode = yes_no(&one()) == Some(true),
        "maxclients" => o.maxclients = string2ll(&one()).unwrap_or(0) as u32,
        "logfile" => o.logfile = one(),
        "loglevel" => o.loglevel = log_level(&one()),
        "requirepass" => {
            let v = non_empty().map(String::from_utf8).transpose();
            o.requirepass = v.map_err(|_| "requirepass: non-UTF-8 passwords are not supported by sentinel-sim")?;
        }
        "dir" => o.dir = Some(one()),
        "daemonize" => o.daemonize = yes_no(&one()) == Some(true),
        "pidfile" => o.pidfile = non_empty(),
        "aclfile" => o.aclfile = non_empty(),
        _ => {}
    }
    Ok(())
}

fn bind_list(args: &[Vec<u8>]) -> Vec<BindAddr> {
    if args.len() == 1 && args[0].is_empty() {
        return Vec::new();
    }
    args.iter()
        .map(|a| match a.strip_prefix(b"-") {
            Some(rest) => BindAddr {
                addr: rest.to_vec(),
                optional: true,
            },
            None => BindAddr {
                addr: a.clone(),
                optional: false,
            },
        })
        .collect()
}

fn log_level(v: &[u8]) -> LogLevel {
    let i = LOGLEVELS.iter().position(|l| v.eq_ignore_ascii_case(l.as_bytes()));
    [LogLevel::Debug, LogLevel::Verbose, LogLevel::Notice, LogLevel::Warning][i.unwrap_or(2)]
}
