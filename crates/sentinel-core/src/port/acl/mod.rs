//! ACL users of the Sentinel port, with Redis 7.0's rules: `ACL SETUSER` operations applied
//! atomically, SHA-256 password hashes, `requirepass` as the default user's password, the
//! description ACL LIST and the config rewrite print, authentication, permission checks and the
//! ACL LOG. Pure data: the driver hosts one [`Acl`] and asks it.
//!
//! Deviation: selectors in parentheses (`(~key +cmd)`) are refused with Redis's error for an
//! unknown command, which is what a real Sentinel answers for any selector naming a data command;
//! a selector naming only Sentinel commands is accepted by Redis and refused here.

mod file;
mod log;
mod selector;

pub use log::{LogEntry, LogReason, ACL_LOG_MAX_LEN};
pub use selector::Selector;

use crate::port::table::CommandSpec;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;

/// Why an ACL SETUSER modifier was refused (Redis's errno cases, same texts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AclError {
    Syntax,
    UnknownCommand,
    KeyAfterAll,
    ChannelAfterAll,
    NoSuchPassword,
    BadHash,
    Duplicate,
    FirstArgOfSubcommand,
}

impl fmt::Display for AclError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AclError::Syntax => "Syntax error",
            AclError::UnknownCommand => "Unknown command or category name in ACL",
            AclError::KeyAfterAll => "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns",
            AclError::ChannelAfterAll => "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels",
            AclError::NoSuchPassword => "The password you are trying to remove from the user does not exist",
            AclError::BadHash => "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters",
            AclError::Duplicate => "Duplicate user found. A user can only be defined once in config files",
            AclError::FirstArgOfSubcommand => "Allowing first-arg of a subcommand is not supported",
        })
    }
}

/// Payload sanitizing flag of a user (shown only when set).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sanitize {
    Unset,
    Sanitize,
    Skip,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub enabled: bool,
    pub nopass: bool,
    pub sanitize: Sanitize,
    /// Hex SHA-256 hashes, in the order they were added.
    pub passwords: Vec<String>,
    pub root: Selector,
}

/// Redis's `ACLStringHasSpaces`: user names and patterns may hold no whitespace or NUL.
pub fn has_space(s: &[u8]) -> bool {
    s.iter().any(|b| b.is_ascii_whitespace() || *b == 0)
}

/// The hex SHA-256 of a password, as Redis stores it.
pub fn hash_password(pass: &[u8]) -> String {
    let digest = Sha256::digest(pass);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The hash a password rule names: `>pass` / `<pass` hash the clear text, `#hash` / `!hash`
/// give it (64 lowercase hex characters).
fn password_hash(op: &str) -> Result<String, AclError> {
    let rest = &op[1..];
    match op.as_bytes()[0] {
        b'>' | b'<' => Ok(hash_password(rest.as_bytes())),
        _ if valid_hash(rest) => Ok(rest.to_string()),
        _ => Err(AclError::BadHash),
    }
}

fn valid_hash(h: &str) -> bool {
    h.len() == 64 && h.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl User {
    /// A new user: off, no passwords, no commands, no keys, no channels.
    pub fn new(name: &str) -> User {
        User {
            name: name.to_string(),
            enabled: false,
            nopass: false,
            sanitize: Sanitize::Unset,
            passwords: Vec::new(),
            root: Selector::default(),
        }
    }

    /// The default user of a fresh server: `on nopass ~* &* +@all`.
    pub fn default_user() -> User {
        let mut u = User::new("default");
        for op in ["+@all", "~*", "&*", "on", "nopass"] {
            u.apply(op).expect("valid default rules");
        }
        u
    }

    /// Applies one ACL SETUSER modifier.
    pub fn apply(&mut self, op: &str) -> Result<(), AclError> {
        if op.is_empty() {
            return Ok(());
        }
        match op.to_ascii_lowercase().as_str() {
            "on" => self.enabled = true,
            "off" => self.enabled = false,
            "skip-sanitize-payload" => self.sanitize = Sanitize::Skip,
            "sanitize-payload" => self.sanitize = Sanitize::Sanitize,
            "nopass" => {
                self.nopass = true;
                self.passwords.clear();
            }
            "resetpass" => {
                self.nopass = false;
                self.passwords.clear();
            }
            "clearselectors" => {}
            "reset" => {
                for op in [
                    "resetpass",
                    "resetkeys",
                    "resetchannels",
                    "off",
                    "sanitize-payload",
                    "-@all",
                ] {
                    self.apply(op)?;
                }
            }
            _ => return self.apply_password_or_rule(op),
        }
        Ok(())
    }

    fn apply_password_or_rule(&mut self, op: &str) -> Result<(), AclError> {
        let first = op.as_bytes()[0];
        match first {
            b'>' | b'#' => {
                let hash = password_hash(op)?;
                if !self.passwords.contains(&hash) {
                    self.passwords.push(hash);
                }
                self.nopass = false;
                Ok(())
            }
            b'<' | b'!' => {
                let hash = password_hash(op)?;
                let pos = self.passwords.iter().position(|h| *h == hash);
                let pos = pos.ok_or(AclError::NoSuchPassword)?;
                self.passwords.remove(pos);
                Ok(())
            }
            // A selector can only name data commands on a real Sentinel (see the module doc).
            b'(' if op.ends_with(')') => Err(AclError::UnknownCommand),
            _ => self.root.apply(op),
        }
    }

    /// The user's flags as ACL GETUSER lists them.
    pub fn flags(&self) -> Vec<&'static str> {
        let mut out = vec![if self.enabled { "on" } else { "off" }];
        if self.nopass {
            out.push("nopass");
        }
        match self.sanitize {
            Sanitize::Skip => out.push("skip-sanitize-payload"),
            Sanitize::Sanitize => out.push("sanitize-payload"),
            Sanitize::Unset => {}
        }
        out
    }

    /// `on nopass ~* &* +@all`: what follows `user <name> ` in ACL LIST and the config.
    pub fn describe(&self) -> String {
        let mut out = self.flags().join(" ");
        for h in &self.passwords {
            out.push_str(&format!(" #{h}"));
        }
        out.push(' ');
        out.push_str(&self.root.describe());
        out
    }

    pub fn check_password(&self, pass: &[u8]) -> bool {
        self.nopass || self.passwords.contains(&hash_password(pass))
    }
}

/// Why a command was refused by ACL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denied {
    Command,
    /// The offending channel.
    Channel(Vec<u8>),
}

/// The users of a Sentinel and its ACL LOG.
#[derive(Debug, Clone)]
pub struct Acl {
    users: BTreeMap<String, User>,
    pub log: log::AclLog,
}

impl Default for Acl {
    fn default() -> Self {
        let mut users = BTreeMap::new();
        users.insert("default".to_string(), User::default_user());
        Acl {
            users,
            log: log::AclLog::default(),
        }
    }
}

impl Acl {
    pub fn user(&self, name: &str) -> Option<&User> {
        self.users.get(name)
    }

    /// User names in Redis's (byte) order.
    pub fn names(&self) -> impl Iterator<Item = &String> {
        self.users.keys()
    }

    /// ACL SETUSER: every modifier applies to a copy; the user changes (or is created) only if
    /// all of them are valid. On error: the offending modifier and the reason.
    pub fn set_user(&mut self, name: &str, ops: &[Vec<u8>]) -> Result<(), (String, AclError)> {
        let mut u = self.users.get(name).cloned().unwrap_or_else(|| User::new(name));
        for op in ops {
            let text = String::from_utf8_lossy(op).into_owned();
            u.apply(&text).map_err(|e| (text, e))?;
        }
        self.users.insert(name.to_string(), u);
        Ok(())
    }

    /// ACL DELUSER of one name; `false` if there was no such user. `default` is never removed.
    pub fn del_user(&mut self, name: &str) -> bool {
        self.users.remove(name).is_some()
    }

    /// `requirepass <pass>`: the default user's only password (empty: nopass).
    pub fn set_requirepass(&mut self, pass: &[u8]) {
        if let Some(u) = self.users.get_mut("default") {
            let _ = u.apply("resetpass");
            if pass.is_empty() {
                let _ = u.apply("nopass");
            } else {
                u.passwords.push(hash_password(pass));
            }
        }
    }

    /// Whether `user`/`pass` may log in (AUTH / HELLO AUTH): an enabled user whose password
    /// matches or that has nopass.
    pub fn authenticate(&self, user: &str, pass: &[u8]) -> bool {
        self.users
            .get(user)
            .is_some_and(|u| u.enabled && u.check_password(pass))
    }

    /// Whether a new connection starts authenticated (default user on and nopass).
    pub fn default_needs_no_auth(&self) -> bool {
        self.users.get("default").is_some_and(|u| u.enabled && u.nopass)
    }

    /// Whether the default user has no password (AUTH <password> refused, protected mode on).
    pub fn default_nopass(&self) -> bool {
        self.users.get("default").is_some_and(|u| u.nopass)
    }

    /// Whether `user` may run this command line: the command bit, then its channels.
    pub fn check(&self, user: &str, spec: &'static CommandSpec, args: &[Vec<u8>]) -> Result<(), Denied> {
        let Some(u) = self.users.get(user) else {
            return Err(Denied::Command);
        };
        if !u.root.allows(spec, args) {
            return Err(Denied::Command);
        }
        let (channels, literal): (&[Vec<u8>], bool) = match spec.fullname {
            "subscribe" => (&args[1..], false),
            "psubscribe" => (&args[1..], true),
            "publish" => (&args[1..2], false),
            _ => (&[], false),
        };
        for ch in channels {
            if !u.root.allows_channel(ch, literal) {
                return Err(Denied::Channel(ch.clone()));
            }
        }
        Ok(())
    }

    /// `user <name> <rules>` lines for ACL LIST and the config rewrite, by name.
    pub fn lines(&self) -> Vec<String> {
        self.users
            .values()
            .map(|u| format!("user {} {}", u.name, u.describe()))
            .collect()
    }

    /// Loads one `user <name> <rules...>` config directive. A name given twice is an error.
    pub fn load_user_directive(&mut self, name: &str, ops: &[Vec<u8>], seen: &mut Vec<String>) -> Result<(), String> {
        if seen.iter().any(|n| n == name) {
            return Err(AclError::Duplicate.to_string());
        }
        if has_space(name.as_bytes()) {
            return Err("Usernames can't contain spaces or null characters".into());
        }
        seen.push(name.to_string());
        // A config user line starts from a fresh user, even for `default`.
        self.users.insert(name.to_string(), User::new(name));
        self.set_user(name, ops)
            .map_err(|(op, e)| format!("Error in user declaration '{op}': {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::port::table;

    fn args(v: &[&str]) -> Vec<Vec<u8>> {
        v.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    /// Tokens of a description, the single-command rules sorted: Redis emits those in the order
    /// of a per-process hash table, so only the set is comparable.
    fn normalized(lines: Vec<String>) -> Vec<Vec<String>> {
        lines
            .iter()
            .map(|l| {
                let mut t: Vec<String> = l.split(' ').map(str::to_string).collect();
                let first_single = t
                    .iter()
                    .position(|x| x.contains('|') || x == "+role")
                    .unwrap_or(t.len());
                t[first_single..].sort();
                t
            })
            .collect()
    }

    /// Lines a real Sentinel 7.0.15 printed for the same ACL SETUSER calls.
    #[test]
    fn descriptions_match_real_sentinel() {
        let mut acl = Acl::default();
        acl.set_user("bob", &args(&["on", ">pw", "+@all", "-sentinel", "&foo*"]))
            .unwrap();
        acl.set_user("x", &args(&["+ping|foo", ">"])).unwrap();
        acl.set_user("z", &args(&["reset"])).unwrap();
        let real: Vec<String> = [
                "user bob on #30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4 resetchannels &foo* +@all -@admin +role +shutdown +acl|getuser +acl|save +acl|load +acl|deluser +acl|log +acl|dryrun +acl|setuser +acl|users +acl|list +client|no-evict +client|kill +client|pause +client|unblock +client|unpause +client|list",
                "user default on nopass ~* &* +@all",
                "user x off #e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 resetchannels -@all +ping|foo",
                "user z off sanitize-payload resetchannels -@all",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(normalized(acl.lines()), normalized(real));
    }

    #[test]
    fn setuser_is_atomic_and_reports_the_modifier() {
        let mut acl = Acl::default();
        let err = acl.set_user("y", &args(&["on", "+nosuch"])).unwrap_err();
        assert_eq!(err, ("+nosuch".to_string(), AclError::UnknownCommand));
        assert!(acl.user("y").is_none(), "no user is created by a failed SETUSER");
        assert_eq!(
            acl.set_user("y", &args(&["#abc"])).unwrap_err().1.to_string(),
            "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"
        );
        assert_eq!(acl.set_user("y", &args(&["foo"])).unwrap_err().1, AclError::Syntax);
        assert_eq!(
            acl.set_user("y", &args(&["+client|nosuch"])).unwrap_err().1,
            AclError::UnknownCommand
        );
    }

    #[test]
    fn auth_and_permissions() {
        let mut acl = Acl::default();
        assert!(acl.default_needs_no_auth());
        acl.set_requirepass(b"secret");
        assert!(!acl.default_needs_no_auth());
        assert!(acl.authenticate("default", b"secret"));
        assert!(!acl.authenticate("default", b"wrong"));
        acl.set_user(
            "ro",
            &args(&["on", ">p", "-@all", "+ping", "+sentinel|masters", "&__sentinel__:*"]),
        )
        .unwrap();
        let spec = |a: &[&str]| table::lookup(&args(a)).unwrap();
        assert_eq!(acl.check("ro", spec(&["ping"]), &args(&["ping"])), Ok(()));
        assert_eq!(
            acl.check("ro", spec(&["sentinel", "masters"]), &args(&["sentinel", "masters"])),
            Ok(())
        );
        assert_eq!(
            acl.check(
                "ro",
                spec(&["sentinel", "reset", "*"]),
                &args(&["sentinel", "reset", "*"])
            ),
            Err(Denied::Command)
        );
        acl.set_user("ro", &args(&["+subscribe"])).unwrap();
        let sub = args(&["subscribe", "__sentinel__:hello", "+sdown"]);
        assert_eq!(
            acl.check("ro", spec(&["subscribe", "x"]), &sub),
            Err(Denied::Channel(b"+sdown".to_vec()))
        );
        acl.set_user("off", &args(&["off", "nopass", "+@all"])).unwrap();
        assert!(!acl.authenticate("off", b""), "a disabled user cannot log in");
    }
}
