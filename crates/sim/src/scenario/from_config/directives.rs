//! What becomes of a directive that is not a scenario setting: it is listed, as "ignored" when it
//! cannot change what a run shows (paths, logging, process management), else as "not carried
//! over", with the reason. Secrets are never echoed.

use super::lexer::Line;

/// Why a directive is listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DroppedKind {
    /// It has no scenario equivalent and could change behaviour.
    NotCarried,
    /// It has no effect in the simulator (paths, logging, daemonizing, ...).
    Ignored,
}

/// One directive that did not become a scenario setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dropped {
    pub file: String,
    pub line: usize,
    /// The directive as shown: name and arguments, secrets replaced by `<hidden>`, long text cut.
    pub shown: String,
    pub kind: DroppedKind,
    pub reason: String,
}

impl Dropped {
    /// The directive's name: `sentinel <option>` or the first word.
    pub fn name(&self) -> &str {
        let words = if self.shown.starts_with("sentinel ") { 2 } else { 1 };
        let end = self
            .shown
            .match_indices(' ')
            .nth(words - 1)
            .map_or(self.shown.len(), |(i, _)| i);
        self.shown[..end].trim_end_matches('…')
    }

    /// `file:line: directive — reason`.
    pub fn describe(&self) -> String {
        format!("{}:{}: {} — {}", self.file, self.line, self.shown, self.reason)
    }
}

/// The reason given for authentication directives.
pub const AUTH: &str =
    "not modelled: the scenario has one password for the data nodes (`auth_pass`), no ACL users and no Sentinel password";
/// The reason given for a known directive the scenario format has no setting for.
pub const NO_SETTING: &str = "no scenario setting for it";

/// Directives with no effect on what a simulated run shows.
const NO_EFFECT: &[&str] = &[
    "always-show-logo",
    "crash-log-enabled",
    "crash-memcheck-enabled",
    "daemonize",
    "dbfilename",
    "dir",
    "appenddirname",
    "appendfilename",
    "latency-tracking-info-percentiles",
    "logfile",
    "loglevel",
    "pidfile",
    "proc-title-template",
    "protected-mode",
    "set-proc-title",
    "supervised",
    "syslog-enabled",
    "syslog-facility",
    "syslog-ident",
    "unixsocket",
    "unixsocketperm",
];

/// Directives whose arguments are secrets (or may hold one).
const SECRET: &[&str] = &["requirepass", "masterauth", "user", "auth-pass", "sentinel-pass"];

/// Longest argument text shown in a listing.
const MAX_SHOWN_CHARS: usize = 60;

/// The directive's text for a listing: `sub` is how many leading arguments name it (2 for
/// `sentinel auth-pass`), whose secrets are hidden.
pub fn shown(line: &Line, sub: usize) -> String {
    let name = line
        .args
        .get(sub.saturating_sub(1))
        .map(|a| a.text.to_ascii_lowercase());
    let secret = name.as_deref().is_some_and(|n| SECRET.contains(&n));
    let mut words: Vec<String> = line.args[..sub.min(line.args.len())]
        .iter()
        .map(|a| a.text.to_ascii_lowercase())
        .collect();
    if secret {
        words.push("<hidden>".to_string());
    } else {
        words.extend(line.args[sub.min(line.args.len())..].iter().map(|a| quote(&a.text)));
    }
    let s = words.join(" ");
    if s.chars().count() > MAX_SHOWN_CHARS {
        format!("{}…", s.chars().take(MAX_SHOWN_CHARS).collect::<String>())
    } else {
        s
    }
}

/// An argument as it could be written back: bare when plain, else double-quoted with escapes.
fn quote(s: &str) -> String {
    sentinel_core::config::repr(s.as_bytes())
}

/// A non-`sentinel` directive (of either kind of file) that the reader does not use: ignored or
/// not carried over, and why.
pub fn classify(name: &str, line: &Line) -> (DroppedKind, String) {
    if NO_EFFECT.contains(&name) {
        return (DroppedKind::Ignored, "no effect in the simulator".to_string());
    }
    if name == "user" && is_implicit_default_user(line) {
        return (
            DroppedKind::Ignored,
            "the default user as Redis writes it: the same as no user line".to_string(),
        );
    }
    let reason = match name {
        "requirepass" | "masterauth" | "masteruser" | "user" | "aclfile" => AUTH,
        "include" => "not followed: the included file is not read (copy its lines here to have them considered)",
        "rename-command" => "commands keep their names in the simulator",
        "replica-announce-ip" | "slave-announce-ip" | "replica-announce-port" | "slave-announce-port" => {
            "the simulator knows every data node by one address, from bind and port"
        }
        "loadmodule" => "modules are not modelled",
        n if n.starts_with("tls-") => "TLS is not modelled",
        n if sentinel_core::config::table::lookup(n).is_none() => {
            "not a Redis 7.0 directive (redis-server would refuse to start with it)"
        }
        _ => NO_SETTING,
    };
    (DroppedKind::NotCarried, reason.to_string())
}

/// `user default on nopass ~* &* +@all`: what CONFIG REWRITE writes when no user was configured.
fn is_implicit_default_user(line: &Line) -> bool {
    let words: Vec<String> = line.args.iter().map(|a| a.text.to_ascii_lowercase()).collect();
    words == ["user", "default", "on", "nopass", "~*", "&*", "+@all"]
}

/// A listing entry for a line.
pub fn dropped(file: &str, line: &Line, sub: usize, kind: DroppedKind, reason: impl Into<String>) -> Dropped {
    Dropped {
        file: file.to_string(),
        line: line.no,
        shown: shown(line, sub),
        kind,
        reason: reason.into(),
    }
}

/// A file and its entries `name (line)`.
pub type FileEntries<'a> = (&'a str, Vec<String>);

/// The ignored entries grouped by reason, then by file (in order of first appearance), each
/// entry `name (line)`: a compact listing of what is usually the same few lines in every file.
pub fn ignored_groups(ds: &[Dropped]) -> Vec<(&str, Vec<FileEntries<'_>>)> {
    let mut out: Vec<(&str, Vec<FileEntries<'_>>)> = Vec::new();
    for d in ds.iter().filter(|d| d.kind == DroppedKind::Ignored) {
        let i = match out.iter().position(|(r, _)| *r == d.reason) {
            Some(i) => i,
            None => {
                out.push((&d.reason, Vec::new()));
                out.len() - 1
            }
        };
        let files = &mut out[i].1;
        let entry = format!("{} ({})", d.name(), d.line);
        match files.iter_mut().find(|(f, _)| *f == d.file) {
            Some((_, v)) => v.push(entry),
            None => files.push((&d.file, vec![entry])),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::from_config::lexer::lex;

    fn line(text: &str) -> Line {
        lex("f", text).unwrap().remove(0)
    }

    #[test]
    fn secrets_are_hidden_and_arguments_quoted() {
        assert_eq!(shown(&line("REQUIREPASS s3cret"), 1), "requirepass <hidden>");
        assert_eq!(
            shown(&line("sentinel auth-pass mymaster s3cret"), 2),
            "sentinel auth-pass <hidden>"
        );
        assert_eq!(shown(&line("dir \"/a b\""), 1), "dir \"/a b\"");
        assert!(shown(&line(&format!("dir {}", "x".repeat(100))), 1).ends_with('…'));
    }

    #[test]
    fn classification() {
        assert_eq!(classify("daemonize", &line("daemonize yes")).0, DroppedKind::Ignored);
        assert_eq!(
            classify("user", &line("user default on nopass ~* &* +@all")).0,
            DroppedKind::Ignored
        );
        assert_eq!(classify("user", &line("user app on >pw ~* +@all")).1, AUTH);
        assert_eq!(
            classify("repl-backlog-size", &line("repl-backlog-size 1mb")).1,
            NO_SETTING
        );
        assert!(classify("no-such-thing", &line("no-such-thing 1"))
            .1
            .contains("not a Redis 7.0 directive"));
    }
}
