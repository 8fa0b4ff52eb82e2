//! The command table of a 7.0.15 Sentinel: the 15 commands and 57 subcommands its port knows,
//! with arity, flags, ACL categories and tips, in one fixed order (a real Sentinel's order is that
//! of a hash table seeded per process; this is the order one real process showed).
//!
//! Everything about a command that is decided before it runs reads this table: lookup, arity,
//! `no-auth`, ACL bits and categories, the pub/sub context, and the COMMAND replies.

/// Command flags (the subset a Sentinel's table uses), as COMMAND INFO names them.
pub mod f {
    pub const FAST: u32 = 1 << 0;
    pub const LOADING: u32 = 1 << 1;
    pub const STALE: u32 = 1 << 2;
    pub const NOSCRIPT: u32 = 1 << 3;
    pub const NO_AUTH: u32 = 1 << 4;
    pub const ALLOW_BUSY: u32 = 1 << 5;
    pub const ADMIN: u32 = 1 << 6;
    pub const PUBSUB: u32 = 1 << 7;
    pub const NO_MULTI: u32 = 1 << 8;
    /// In COMMAND INFO's order of flag names.
    pub const NAMES: [(u32, &str); 9] = [
        (ADMIN, "admin"),
        (PUBSUB, "pubsub"),
        (NOSCRIPT, "noscript"),
        (LOADING, "loading"),
        (STALE, "stale"),
        (FAST, "fast"),
        (NO_AUTH, "no_auth"),
        (NO_MULTI, "no_multi"),
        (ALLOW_BUSY, "allow_busy"),
    ];
}

/// ACL categories, in Redis's category order (`ACL CAT` lists them in this order).
pub mod c {
    pub const KEYSPACE: u32 = 1 << 0;
    pub const READ: u32 = 1 << 1;
    pub const WRITE: u32 = 1 << 2;
    pub const SET: u32 = 1 << 3;
    pub const SORTEDSET: u32 = 1 << 4;
    pub const LIST: u32 = 1 << 5;
    pub const HASH: u32 = 1 << 6;
    pub const STRING: u32 = 1 << 7;
    pub const BITMAP: u32 = 1 << 8;
    pub const HYPERLOGLOG: u32 = 1 << 9;
    pub const GEO: u32 = 1 << 10;
    pub const STREAM: u32 = 1 << 11;
    pub const PUBSUB: u32 = 1 << 12;
    pub const ADMIN: u32 = 1 << 13;
    pub const FAST: u32 = 1 << 14;
    pub const SLOW: u32 = 1 << 15;
    pub const BLOCKING: u32 = 1 << 16;
    pub const DANGEROUS: u32 = 1 << 17;
    pub const CONNECTION: u32 = 1 << 18;
    pub const TRANSACTION: u32 = 1 << 19;
    pub const SCRIPTING: u32 = 1 << 20;
    pub const NAMES: [(u32, &str); 21] = [
        (KEYSPACE, "keyspace"),
        (READ, "read"),
        (WRITE, "write"),
        (SET, "set"),
        (SORTEDSET, "sortedset"),
        (LIST, "list"),
        (HASH, "hash"),
        (STRING, "string"),
        (BITMAP, "bitmap"),
        (HYPERLOGLOG, "hyperloglog"),
        (GEO, "geo"),
        (STREAM, "stream"),
        (PUBSUB, "pubsub"),
        (ADMIN, "admin"),
        (FAST, "fast"),
        (SLOW, "slow"),
        (BLOCKING, "blocking"),
        (DANGEROUS, "dangerous"),
        (CONNECTION, "connection"),
        (TRANSACTION, "transaction"),
        (SCRIPTING, "scripting"),
    ];

    /// The category bit of a name (case-insensitive).
    pub fn by_name(name: &str) -> Option<u32> {
        NAMES
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(name))
            .map(|(b, _)| *b)
    }
}

/// One row of the table.
#[derive(Debug)]
pub struct CommandSpec {
    /// `name` or `container|sub`, lower case.
    pub fullname: &'static str,
    /// Redis arity: n means exactly n arguments with the name, -n at least n.
    pub arity: i32,
    pub flags: u32,
    pub categories: u32,
    pub tips: &'static [&'static str],
}

impl CommandSpec {
    /// The top-level command name (`client` for `client|kill`).
    pub fn container(&self) -> &'static str {
        self.fullname.split('|').next().unwrap_or(self.fullname)
    }
    pub fn is_subcommand(&self) -> bool {
        self.fullname.contains('|')
    }
    pub fn arity_ok(&self, argc: usize) -> bool {
        if self.arity >= 0 {
            argc == self.arity as usize
        } else {
            argc >= self.arity.unsigned_abs() as usize
        }
    }
    pub fn has(&self, flag: u32) -> bool {
        self.flags & flag != 0
    }
}

const fn spec(
    fullname: &'static str,
    arity: i32,
    flags: u32,
    categories: u32,
    tips: &'static [&'static str],
) -> CommandSpec {
    CommandSpec {
        fullname,
        arity,
        flags,
        categories,
        tips,
    }
}

/// Containers come right before their subcommands.
pub static TABLE: [CommandSpec; 72] = [
    spec(
        "punsubscribe",
        -1,
        f::PUBSUB | f::NOSCRIPT | f::LOADING | f::STALE,
        c::PUBSUB | c::SLOW,
        &[],
    ),
    spec(
        "command",
        -1,
        f::LOADING | f::STALE,
        c::SLOW | c::CONNECTION,
        &["nondeterministic_output_order"],
    ),
    spec(
        "command|info",
        -2,
        f::LOADING | f::STALE,
        c::SLOW | c::CONNECTION,
        &["nondeterministic_output_order"],
    ),
    spec(
        "command|docs",
        -2,
        f::LOADING | f::STALE,
        c::SLOW | c::CONNECTION,
        &["nondeterministic_output_order"],
    ),
    spec(
        "command|getkeysandflags",
        -4,
        f::LOADING | f::STALE,
        c::SLOW | c::CONNECTION,
        &[],
    ),
    spec(
        "command|list",
        -2,
        f::LOADING | f::STALE,
        c::SLOW | c::CONNECTION,
        &["nondeterministic_output_order"],
    ),
    spec("command|count", 2, f::LOADING | f::STALE, c::SLOW | c::CONNECTION, &[]),
    spec(
        "command|getkeys",
        -4,
        f::LOADING | f::STALE,
        c::SLOW | c::CONNECTION,
        &[],
    ),
    spec("command|help", 2, f::LOADING | f::STALE, c::SLOW | c::CONNECTION, &[]),
    spec(
        "role",
        1,
        f::NOSCRIPT | f::LOADING | f::STALE | f::FAST,
        c::ADMIN | c::FAST | c::DANGEROUS,
        &[],
    ),
    spec(
        "shutdown",
        -1,
        f::ADMIN | f::NOSCRIPT | f::LOADING | f::STALE | f::NO_MULTI | f::ALLOW_BUSY,
        c::ADMIN | c::SLOW | c::DANGEROUS,
        &[],
    ),
    spec(
        "auth",
        -2,
        f::NOSCRIPT | f::LOADING | f::STALE | f::FAST | f::NO_AUTH | f::ALLOW_BUSY,
        c::FAST | c::CONNECTION,
        &[],
    ),
    spec(
        "info",
        -1,
        f::LOADING | f::STALE,
        c::SLOW | c::DANGEROUS,
        &[
            "nondeterministic_output",
            "request_policy:all_shards",
            "response_policy:special",
        ],
    ),
    spec("acl", -2, 0, c::SLOW, &[]),
    spec("acl|help", 2, f::LOADING | f::STALE, c::SLOW, &[]),
    spec(
        "acl|dryrun",
        -4,
        f::ADMIN | f::NOSCRIPT | f::LOADING | f::STALE,
        c::ADMIN | c::SLOW | c::DANGEROUS,
        &[],
    ),
    spec(
        "acl|getuser",
        3,
        f::ADMIN | f::NOSCRIPT | f::LOADING | f::STALE,
        c::ADMIN | c::SLOW | c::DANGEROUS,
        &[],
    ),
    spec(
        "acl|save",
        2,
        f::ADMIN | f::NOSCRIPT | f::LOADING | f::STALE,
        c::ADMIN | c::SLOW | c::DANGEROUS,
        &[],
    ),
    spec("acl|genpass", -2, f::NOSCRIPT | f::LOADING | f::STALE, c::SLOW, &[]),
    spec(
        "acl|load",
        2,
        f::ADMIN | f::NOSCRIPT | f::LOADING | f::STALE,
        c::ADMIN | c::SLOW | c::DANGEROUS,
        &[],
    ),
    spec("acl|whoami", 2, f::NOSCRIPT | f::LOADING | f::STALE, c::SLOW, &[]),
    spec(
        "acl|deluser",
        -3,
        f::ADMIN | f::NOSCRIPT | f::LOADING | f::STALE,
        c::ADMIN | c::SLOW | c::DANGEROUS,
        &[],
    ),
    spec(
        "acl|log",
        -2,
        f::ADMIN | f::NOSCRIPT | f::LOADING | f::STALE,
        c::ADMIN | c::SLOW | c::DANGEROUS,
        &[],
    ),
    spec(
        "acl|setuser",
        -3,
        f::ADMIN | f::NOSCRIPT | f::LOADING | f::STALE,
        c::ADMIN | c::SLOW | c::DANGEROUS,
        &[],
    ),
    spec(
        "acl|users",
        2,
        f::ADMIN | f::NOSCRIPT | f::LOADING | f::STALE,
        c::ADMIN | c::SLOW | c::DANGEROUS,
        &[],
    ),
    spec(
        "acl|list",
        2,
        f::ADMIN | f::NOSCRIPT | f::LOADING | f::STALE,
        c::ADMIN | c::SLOW | c::DANGEROUS,
        &[],
    ),
    spec("acl|cat", -2, f::NOSCRIPT | f::LOADING | f::STALE, c::SLOW, &[]),
    spec("sentinel", -2, f::ADMIN, c::ADMIN | c::SLOW | c::DANGEROUS, &[]),
    spec(
        "sentinel|pending-scripts",
        2,
        f::ADMIN,
        c::ADMIN | c::SLOW | c::DANGEROUS,
        &[],
    ),
    spec(
        "sentinel|flushconfig",
        2,
        f::ADMIN,
        c::ADMIN | c::SLOW | c::DANGEROUS,
        &[],
    ),
    spec("sentinel|failover", 3, f::ADMIN, c::ADMIN | c::SLOW | c::DANGEROUS, &[]),
    spec(
        "sentinel|is-master-down-by-addr",
        6,
        f::ADMIN,
        c::ADMIN | c::SLOW | c::DANGEROUS,
        &[],
    ),
    spec("sentinel|config", -3, f::ADMIN, c::ADMIN | c::SLOW | c::DANGEROUS, &[]),
    spec(
        "sentinel|info-cache",
        -3,
        f::ADMIN,
        c::ADMIN | c::SLOW | c::DANGEROUS,
        &[],
    ),
    spec("sentinel|replicas", 3, f::ADMIN, c::ADMIN | c::SLOW | c::DANGEROUS, &[]),
    spec("sentinel|monitor", 6, f::ADMIN, c::ADMIN | c::SLOW | c::DANGEROUS, &[]),
    spec("sentinel|master", 3, f::ADMIN, c::ADMIN | c::SLOW | c::DANGEROUS, &[]),
    spec("sentinel|help", 2, f::LOADING | f::STALE, c::SLOW, &[]),
    spec("sentinel|ckquorum", 3, f::ADMIN, c::ADMIN | c::SLOW | c::DANGEROUS, &[]),
    spec("sentinel|masters", 2, f::ADMIN, c::ADMIN | c::SLOW | c::DANGEROUS, &[]),
    spec("sentinel|debug", -2, f::ADMIN, c::ADMIN | c::SLOW | c::DANGEROUS, &[]),
    spec("sentinel|reset", 3, f::ADMIN, c::ADMIN | c::SLOW | c::DANGEROUS, &[]),
    spec("sentinel|myid", 2, f::ADMIN, c::ADMIN | c::SLOW | c::DANGEROUS, &[]),
    spec("sentinel|remove", 3, f::ADMIN, c::ADMIN | c::SLOW | c::DANGEROUS, &[]),
    spec(
        "sentinel|sentinels",
        3,
        f::ADMIN,
        c::ADMIN | c::SLOW | c::DANGEROUS,
        &[],
    ),
    spec(
        "sentinel|simulate-failure",
        -3,
        f::ADMIN,
        c::ADMIN | c::SLOW | c::DANGEROUS,
        &[],
    ),
    spec(
        "sentinel|get-master-addr-by-name",
        3,
        f::ADMIN,
        c::ADMIN | c::SLOW | c::DANGEROUS,
        &[],
    ),
    spec("sentinel|set", -5, f::ADMIN, c::ADMIN | c::SLOW | c::DANGEROUS, &[]),
    spec("sentinel|slaves", 3, f::ADMIN, c::ADMIN | c::SLOW | c::DANGEROUS, &[]),
    spec(
        "ping",
        -1,
        f::FAST,
        c::FAST | c::CONNECTION,
        &["request_policy:all_shards", "response_policy:all_succeeded"],
    ),
    spec(
        "psubscribe",
        -2,
        f::PUBSUB | f::NOSCRIPT | f::LOADING | f::STALE,
        c::PUBSUB | c::SLOW,
        &[],
    ),
    spec(
        "publish",
        3,
        f::PUBSUB | f::LOADING | f::STALE | f::FAST,
        c::PUBSUB | c::FAST,
        &[],
    ),
    spec("client", -2, 0, c::SLOW, &[]),
    spec(
        "client|reply",
        3,
        f::NOSCRIPT | f::LOADING | f::STALE,
        c::SLOW | c::CONNECTION,
        &[],
    ),
    spec(
        "client|no-evict",
        3,
        f::ADMIN | f::NOSCRIPT | f::LOADING | f::STALE,
        c::ADMIN | c::SLOW | c::DANGEROUS | c::CONNECTION,
        &[],
    ),
    spec(
        "client|getredir",
        2,
        f::NOSCRIPT | f::LOADING | f::STALE,
        c::SLOW | c::CONNECTION,
        &[],
    ),
    spec(
        "client|trackinginfo",
        2,
        f::NOSCRIPT | f::LOADING | f::STALE,
        c::SLOW | c::CONNECTION,
        &[],
    ),
    spec(
        "client|setname",
        3,
        f::NOSCRIPT | f::LOADING | f::STALE,
        c::SLOW | c::CONNECTION,
        &[],
    ),
    spec(
        "client|kill",
        -3,
        f::ADMIN | f::NOSCRIPT | f::LOADING | f::STALE,
        c::ADMIN | c::SLOW | c::DANGEROUS | c::CONNECTION,
        &[],
    ),
    spec(
        "client|getname",
        2,
        f::NOSCRIPT | f::LOADING | f::STALE,
        c::SLOW | c::CONNECTION,
        &[],
    ),
    spec(
        "client|tracking",
        -3,
        f::NOSCRIPT | f::LOADING | f::STALE,
        c::SLOW | c::CONNECTION,
        &[],
    ),
    spec(
        "client|pause",
        -3,
        f::ADMIN | f::NOSCRIPT | f::LOADING | f::STALE,
        c::ADMIN | c::SLOW | c::DANGEROUS | c::CONNECTION,
        &[],
    ),
    spec(
        "client|info",
        2,
        f::NOSCRIPT | f::LOADING | f::STALE,
        c::SLOW | c::CONNECTION,
        &["nondeterministic_output"],
    ),
    spec(
        "client|unblock",
        -3,
        f::ADMIN | f::NOSCRIPT | f::LOADING | f::STALE,
        c::ADMIN | c::SLOW | c::DANGEROUS | c::CONNECTION,
        &[],
    ),
    spec(
        "client|caching",
        3,
        f::NOSCRIPT | f::LOADING | f::STALE,
        c::SLOW | c::CONNECTION,
        &[],
    ),
    spec(
        "client|unpause",
        2,
        f::ADMIN | f::NOSCRIPT | f::LOADING | f::STALE,
        c::ADMIN | c::SLOW | c::DANGEROUS | c::CONNECTION,
        &[],
    ),
    spec(
        "client|list",
        -2,
        f::ADMIN | f::NOSCRIPT | f::LOADING | f::STALE,
        c::ADMIN | c::SLOW | c::DANGEROUS | c::CONNECTION,
        &["nondeterministic_output"],
    ),
    spec("client|help", 2, f::LOADING | f::STALE, c::SLOW | c::CONNECTION, &[]),
    spec(
        "client|id",
        2,
        f::NOSCRIPT | f::LOADING | f::STALE,
        c::SLOW | c::CONNECTION,
        &[],
    ),
    spec(
        "subscribe",
        -2,
        f::PUBSUB | f::NOSCRIPT | f::LOADING | f::STALE,
        c::PUBSUB | c::SLOW,
        &[],
    ),
    spec(
        "unsubscribe",
        -1,
        f::PUBSUB | f::NOSCRIPT | f::LOADING | f::STALE,
        c::PUBSUB | c::SLOW,
        &[],
    ),
    spec(
        "hello",
        -1,
        f::NOSCRIPT | f::LOADING | f::STALE | f::FAST | f::NO_AUTH | f::ALLOW_BUSY,
        c::FAST | c::CONNECTION,
        &[],
    ),
];

/// Number of top-level commands (COMMAND COUNT).
pub fn count() -> usize {
    TABLE.iter().filter(|s| !s.is_subcommand()).count()
}

/// The index of a row, its ACL command id.
pub fn id_of(spec: &CommandSpec) -> usize {
    TABLE
        .iter()
        .position(|s| std::ptr::eq(s, spec))
        .expect("a spec from TABLE")
}

/// The table's rows by lowercase fullname, and the names of the containers: built once, because
/// every command a Sentinel receives (peers' PINGs and hellos included) is looked up.
struct Index {
    by_name: std::collections::BTreeMap<&'static [u8], &'static CommandSpec>,
    containers: std::collections::BTreeSet<&'static [u8]>,
}

fn index() -> &'static Index {
    static INDEX: std::sync::OnceLock<Index> = std::sync::OnceLock::new();
    INDEX.get_or_init(|| {
        assert!(TABLE
            .iter()
            .all(|s| s.fullname.bytes().all(|b| !b.is_ascii_uppercase())));
        let by_name = TABLE.iter().map(|s| (s.fullname.as_bytes(), s)).collect();
        let containers = TABLE
            .iter()
            .filter(|s| s.is_subcommand())
            .map(|s| s.container().as_bytes())
            .collect();
        Index { by_name, containers }
    })
}

/// A name as the index holds it (fullnames are lowercase ASCII).
fn lowercase(name: &[u8]) -> Vec<u8> {
    name.to_ascii_lowercase()
}

/// The row of a fullname (`ping`, `client|kill`), case-insensitive.
pub fn by_fullname(name: &str) -> Option<&'static CommandSpec> {
    index().by_name.get(lowercase(name.as_bytes()).as_slice()).copied()
}

/// Whether a top-level command has subcommands.
pub fn is_container(name: &str) -> bool {
    index().containers.contains(lowercase(name.as_bytes()).as_slice())
}

/// The subcommands of a container, in table order.
pub fn subcommands(container: &'static str) -> impl Iterator<Item = &'static CommandSpec> {
    TABLE
        .iter()
        .filter(move |s| s.is_subcommand() && s.container() == container)
}

/// Why a command line cannot run, as Redis words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupError {
    Unknown(String),
    UnknownSubcommand(String),
    Arity(&'static str),
}

impl LookupError {
    pub fn message(&self) -> String {
        match self {
            LookupError::Unknown(m) | LookupError::UnknownSubcommand(m) => m.clone(),
            LookupError::Arity(name) => format!("ERR wrong number of arguments for '{name}' command"),
        }
    }
}

fn lossy(a: &[u8]) -> String {
    String::from_utf8_lossy(a).into_owned()
}

/// Redis truncates names and arguments it quotes in errors to 128 bytes.
fn trunc128(a: &[u8]) -> String {
    lossy(&a[..a.len().min(128)])
}

/// An error reply is one line: Redis turns CR and LF in its text into spaces.
pub fn sanitize_error(msg: &str) -> String {
    msg.replace(['\r', '\n'], " ")
}

/// Finds the row that runs `args` and checks its arity, as Redis's command lookup does.
pub fn lookup(args: &[Vec<u8>]) -> Result<&'static CommandSpec, LookupError> {
    let name = lowercase(&args[0]);
    let Some(top) = index()
        .by_name
        .get(name.as_slice())
        .copied()
        .filter(|s| !s.is_subcommand())
    else {
        // Redis quotes the arguments until their text reaches 128 bytes.
        let mut quoted = String::new();
        for a in args.iter().skip(1) {
            if quoted.len() >= 128 {
                break;
            }
            let room = 128 - quoted.len();
            quoted.push_str(&format!("'{}' ", lossy(&a[..a.len().min(room)])));
        }
        let msg = sanitize_error(&format!(
            "ERR unknown command '{}', with args beginning with: {quoted}",
            trunc128(&args[0])
        ));
        return Err(LookupError::Unknown(msg));
    };
    let spec = if args.len() >= 2 && index().containers.contains(top.fullname.as_bytes()) {
        let mut sub = name;
        sub.push(b'|');
        sub.extend(args[1].to_ascii_lowercase());
        match index().by_name.get(sub.as_slice()).copied() {
            Some(s) => s,
            None => {
                return Err(LookupError::UnknownSubcommand(sanitize_error(&format!(
                    "ERR unknown subcommand '{}'. Try {} HELP.",
                    trunc128(&args[1]),
                    top.fullname.to_ascii_uppercase()
                ))))
            }
        }
    } else {
        top
    };
    if !spec.arity_ok(args.len()) {
        return Err(LookupError::Arity(spec.fullname));
    }
    Ok(spec)
}
