//! sentinel.conf (spec §9). Loading: the file is bytes; every line is checked as Redis 7.0.15
//! checks it (`server` for redis.conf directives, `sentinel_lines` for `sentinel ...`, applied in
//! Redis' three passes), and the first error is reported with Redis' fatal-error text. Rewriting
//! (`rewrite`) keeps Redis' CONFIG REWRITE layout.

mod rewrite;
mod sentinel_lines;
mod server;
mod split;
pub mod table;

pub(crate) use rewrite::rewrite;
pub use server::{BindAddr, LogLevel, ServerOptions};
pub use split::{repr, split_args};

use crate::instance::Master;
use crate::sentinel::Ctx;
use crate::types::Ms;
use std::collections::BTreeMap;
use std::fmt;

/// A fatal config error: the 1-based line (0 when not tied to a line), the line as Redis
/// echoes it (trimmed), and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub line: usize,
    pub msg: String,
    pub text: Vec<u8>,
}

impl ConfigError {
    /// Exactly what redis-server 7.0.15 prints on stderr before exiting with status 1.
    pub fn fatal_bytes(&self) -> Vec<u8> {
        let mut out = b"\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n".to_vec();
        if self.line > 0 {
            out.extend_from_slice(format!("Reading the configuration file, at line {}\n>>> '", self.line).as_bytes());
            out.extend_from_slice(&self.text);
            out.extend_from_slice(b"'\n");
        }
        out.extend_from_slice(self.msg.as_bytes());
        out.push(b'\n');
        out
    }
}

/// The fatal-error text without its final newline (so `eprintln!("{e}")` prints it exactly).
impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.fatal_bytes();
        f.write_str(String::from_utf8_lossy(&b[..b.len() - 1]).as_ref())
    }
}
impl std::error::Error for ConfigError {}

/// The config file as read: its lines (kept for the rewrite) and their parsed arguments (empty
/// for blank lines and comments).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigFile {
    pub(crate) lines: Vec<Vec<u8>>,
    pub(crate) args: Vec<Vec<Vec<u8>>>,
}

/// The lines of a file: split on `\n` (a final `\n` ends the last line), `\r` before it dropped.
fn raw_lines(bytes: &[u8]) -> Vec<Vec<u8>> {
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    if bytes.is_empty() {
        return Vec::new();
    }
    body.split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l).to_vec())
        .collect()
}

/// The text Redis builds from the file: it reads `fgets` chunks (through a newline, at most
/// 1023 bytes) and appends each as a C string, so a NUL drops the rest of its chunk, newline
/// included (the next line then joins this one).
fn c_text(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    if !bytes.contains(&0) {
        return bytes.into();
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut rest = bytes;
    while !rest.is_empty() {
        let len = rest
            .iter()
            .take(1023)
            .position(|&b| b == b'\n')
            .map_or(rest.len().min(1023), |p| p + 1);
        let chunk = &rest[..len];
        out.extend_from_slice(&chunk[..chunk.iter().position(|&b| b == 0).unwrap_or(len)]);
        rest = &rest[len..];
    }
    out.into()
}

/// What the loader looks at (and echoes in errors): the line trimmed.
fn visible(raw: &[u8]) -> &[u8] {
    split::trim(raw)
}

impl ConfigFile {
    /// Splits every line into arguments; fails on the first line with unbalanced quotes.
    pub fn parse(bytes: impl AsRef<[u8]>) -> Result<ConfigFile, ConfigError> {
        let lines = raw_lines(&c_text(bytes.as_ref()));
        let mut args = Vec::with_capacity(lines.len());
        for (n, raw) in lines.iter().enumerate() {
            let t = visible(raw);
            let a = if t.is_empty() || t[0] == b'#' {
                Vec::new()
            } else {
                split_args(t).ok_or_else(|| line_err(n + 1, t, "Unbalanced quotes in configuration line"))?
            };
            args.push(a);
        }
        Ok(ConfigFile { lines, args })
    }

    /// The rewrite key of line `i`: `sentinel <directive>` for sentinel lines, else the directive.
    fn key(&self, i: usize) -> Option<String> {
        let a = &self.args[i];
        let first = String::from_utf8_lossy(a.first()?).to_ascii_lowercase();
        if first == "sentinel" {
            let sub = String::from_utf8_lossy(a.get(1)?).to_ascii_lowercase();
            let sub = if sub == "known-slave" {
                "known-replica".to_string()
            } else {
                sub
            };
            Some(format!("sentinel {sub}"))
        } else {
            Some(first)
        }
    }
}

fn line_err(line: usize, text: &[u8], msg: impl Into<String>) -> ConfigError {
    ConfigError {
        line,
        msg: msg.into(),
        text: text.to_vec(),
    }
}

/// The result of applying a file: the monitored masters and the redis.conf settings.
pub(crate) struct Loaded {
    pub masters: BTreeMap<String, Master>,
    pub server: ServerOptions,
}

/// Applies the file to a fresh Sentinel as Redis does: redis.conf directives in file order (the
/// first bad one is fatal), then the queued `sentinel` lines in three passes (globals, `monitor`,
/// the rest) so that their order in the file does not matter.
pub(crate) fn apply(file: &ConfigFile, ctx: &mut Ctx, now: Ms) -> Result<Loaded, ConfigError> {
    let mut server = ServerOptions::default();
    let mut queued: Vec<usize> = Vec::new();
    for (i, a) in file.args.iter().enumerate() {
        let Some(first) = a.first() else { continue };
        let mut a = a.clone();
        a[0] = first.to_ascii_lowercase();
        if a[0] == b"sentinel" {
            // A bare `sentinel` only selects sentinel mode.
            if a.len() > 1 {
                queued.push(i);
            }
            continue;
        }
        server::apply_line(&a, &mut server).map_err(|m| line_err(i + 1, visible(&file.lines[i]), m))?;
    }
    ctx.port = server.port;
    ctx.requirepass = server.requirepass.clone();
    let mut masters = BTreeMap::new();
    for pass in 0..3 {
        for &i in &queued {
            let err = |m: String| line_err(i + 1, visible(&file.lines[i]), m);
            let a = utf8_args(&file.args[i][1..]).map_err(err)?;
            let sub = a[0].to_ascii_lowercase();
            let p = if sentinel_lines::PRE_MONITOR.contains(&sub.as_str()) {
                0
            } else if sub == "monitor" {
                1
            } else {
                2
            };
            if p == pass {
                sentinel_lines::apply(&a, ctx, &mut masters, now).map_err(err)?;
            }
        }
    }
    Ok(Loaded { masters, server })
}

/// Sentinel's records hold text: a `sentinel` line must be UTF-8 here (Redis takes any bytes).
fn utf8_args(a: &[Vec<u8>]) -> Result<Vec<String>, String> {
    a.iter()
        .map(|x| String::from_utf8(x.clone()))
        .collect::<Result<_, _>>()
        .map_err(|_| "non-UTF-8 bytes in a sentinel directive are not supported by sentinel-sim".to_string())
}
