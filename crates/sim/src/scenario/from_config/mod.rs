//! `sentinel-sim scenario from-config`: a scenario skeleton from real sentinel.conf and redis.conf
//! files. The topology (data nodes, who replicates from whom, Sentinels, the monitored master),
//! the quorum, the timers, replica priorities and min-replicas come over; every directive that has
//! no scenario equivalent is listed, with its file and line and the reason, never dropped
//! silently. The skeleton has a commented example timeline, client and expectations to edit.
//!
//! Pure: file text in, scenario text out; `cli` reads and writes the files.
//!
//! Layout: `lexer` (lines → arguments with columns), `directives` (what becomes of each
//! directive: the listing of what is not carried over), `redis_conf` and `sentinel_conf` (one
//! file each → typed settings), `topology` (all files → nodes, names and the master group, with
//! the consistency checks), `values` (numbers, ports, addresses), `render` (→ TOML text).
//!
//! `include` lines are listed, not followed: the included file is not read.

pub mod cli;
mod directives;
mod lexer;
mod redis_conf;
mod render;
mod sentinel_conf;
mod topology;
mod values;

use std::fmt;

pub use directives::{Dropped, DroppedKind};
pub use lexer::{MAX_FILE_BYTES, MAX_LINES};

/// Which kind of process a config file belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfKind {
    Sentinel,
    Redis,
}

/// One config file: its path as the user gave it (used in messages) and its text.
#[derive(Debug, Clone)]
pub struct ConfFile {
    pub path: String,
    pub kind: ConfKind,
    pub text: String,
}

/// Choices the files do not make.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The scenario name (default `from-config`).
    pub name: Option<String>,
    /// Which monitored master to keep when the Sentinels monitor several.
    pub master: Option<String>,
}

/// The generated scenario: its text and every directive that did not become a setting.
#[derive(Debug, Clone)]
pub struct Skeleton {
    pub toml: String,
    pub dropped: Vec<Dropped>,
    pub redis_count: usize,
    pub sentinel_count: usize,
}

/// Bad input: `file:line:col: message` (line and column 0 when not tied to a place).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FromConfigError {
    pub file: String,
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl FromConfigError {
    pub(crate) fn at(file: &str, line: usize, col: usize, message: impl Into<String>) -> Self {
        FromConfigError {
            file: file.to_string(),
            line,
            col,
            message: message.into(),
        }
    }

    pub(crate) fn file(file: &str, message: impl Into<String>) -> Self {
        Self::at(file, 0, 0, message)
    }
}

impl fmt::Display for FromConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.file.is_empty() {
            return f.write_str(&self.message);
        }
        write!(f, "{}:", self.file)?;
        if self.line > 0 {
            write!(f, "{}:{}:", self.line, self.col)?;
        }
        write!(f, " {}", self.message)
    }
}

impl std::error::Error for FromConfigError {}

/// Reads one config file, refusing anything too large to be a config before reading it whole.
pub fn read_conf(path: &std::path::Path, kind: ConfKind) -> Result<ConfFile, FromConfigError> {
    use std::io::Read;
    let shown = path.display().to_string();
    let cannot = |e: std::io::Error| FromConfigError::file(&shown, format!("cannot read: {e}"));
    let f = std::fs::File::open(path).map_err(cannot)?;
    let mut bytes = Vec::new();
    f.take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(FromConfigError::file(
            &shown,
            format!("larger than the {MAX_FILE_BYTES} bytes a config file may have here"),
        ));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let before = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let col = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
        FromConfigError::at(&shown, line, col, "not UTF-8 text")
    })?;
    Ok(ConfFile {
        path: shown,
        kind,
        text,
    })
}

/// Builds the scenario skeleton from the config files (in the order given) and checks that it
/// parses and validates as a scenario.
pub fn from_configs(files: &[ConfFile], opts: &Options) -> Result<Skeleton, FromConfigError> {
    if !files.iter().any(|f| f.kind == ConfKind::Sentinel) {
        return Err(FromConfigError::file(
            "",
            "at least one --sentinel file is needed: the monitored master, its quorum and timers come from sentinel.conf",
        ));
    }
    let mut sentinels = Vec::new();
    let mut redis = Vec::new();
    for f in files {
        let lines = lexer::lex(&f.path, &f.text)?;
        match f.kind {
            ConfKind::Sentinel => sentinels.push(sentinel_conf::read(&f.path, &lines)?),
            ConfKind::Redis => redis.push(redis_conf::read(&f.path, &lines)?),
        }
    }
    let topo = topology::build(&sentinels, &redis, opts)?;
    let toml = render::render(files, &topo, opts);
    crate::scenario::parse(&toml, "generated scenario").map_err(|e| {
        FromConfigError::file(
            "",
            format!("the generated scenario does not validate ({e}); please report this with the config files"),
        )
    })?;
    Ok(Skeleton {
        toml,
        dropped: topo.dropped.clone(),
        redis_count: topo.redis.len(),
        sentinel_count: topo.sentinels.len(),
    })
}
