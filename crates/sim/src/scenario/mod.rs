//! Scenario files: one TOML file tells one story (a topology, a timeline of injected faults and
//! operator actions, and what should come out of it).
//!
//! ```toml
//! # Story: the master is killed (kill -9) ...
//! name = "master_kill"       # optional; default = file stem
//! duration = "60s"           # total simulated time (max 24h)
//! settle = "20s"             # optional (default 20s)
//! seed = 1                   # optional default seed
//!
//! [master]                   # the monitored group, as in `sentinel monitor`
//! name = "mymaster"
//! quorum = 2
//! down_after = "3s"
//! failover_timeout = "3s"
//!
//! [[redis]]
//! addr = "127.0.0.1:6382"
//! [[redis]]
//! addr = "127.0.0.1:6383"
//! replica_of = "redis-6382"
//!
//! [[sentinel]]
//! addr = "127.0.0.1:5000"
//!
//! [[timeline]]
//! at = "10s"
//! action = "kill"
//! node = "redis-6382"
//!
//! [expect]
//! failover = true
//! ```
//!
//! The comment block the file opens with is the scenario's [`Scenario::story`]. Parsing never
//! panics: every error is a [`ScenarioError`] naming the file, line, column and field, e.g.
//! `scenarios/bad.toml:14:7: timeline[2].node: unknown node "redis-9999" (known: redis-6382, ...)`.
//!
//! Durations are written as strings (`"1500ms"`, `"3s"`, `"2m"`, `"1m30s"`) or integers of
//! milliseconds and exposed as `u64` milliseconds (`*_ms` fields); signed offsets as `i64` ms.
//! Wherever a node is named, its name or its address may be used; parsed structs always hold names.
//!
//! Layout: `types` (the parsed scenario), `raw` (the file as written, with spans), `validate/`
//! (raw → types, in file order), `actions/` (the table of action kinds: spelling, fields, role and
//! validation per kind, and how each is written back and traced), `toml_writer` (types → file),
//! `error` (file:line:col: field: message), `from_config` (sentinel.conf and redis.conf files → a
//! scenario skeleton).

mod actions;
mod error;
pub mod from_config;
mod raw;
mod toml_writer;
mod types;
mod validate;

use std::path::Path;

pub use actions::{Action, ActionKind, FaultKind, KillTarget, KindSpec, Role, KINDS};
pub use error::ScenarioError;
pub use toml_writer::to_toml;
pub use types::*;

use error::Ctx;
use raw::RawScenario;

/// Default `settle`: the final-state checks need the last action this long before the end.
pub const DEFAULT_SETTLE_MS: u64 = 20_000;
/// Faults one `random_faults` may start (each is undone again): a bound on the expanded
/// timeline, so that a small `every` over a long run is an error, not gigabytes of actions.
pub const MAX_RANDOM_FAULTS: u64 = 100_000;
/// Sentinel's default `down-after-milliseconds`.
pub const DEFAULT_DOWN_AFTER_MS: u64 = 30_000;
/// Sentinel's default `failover-timeout`.
pub const DEFAULT_FAILOVER_TIMEOUT_MS: u64 = 180_000;
/// Redis' default `replica-priority`.
pub const DEFAULT_PRIORITY: u32 = 100;
/// Redis' default `min-replicas-max-lag` (10 s).
pub const DEFAULT_MIN_REPLICAS_MAX_LAG_MS: u64 = 10_000;
/// Default client write rate (writes per second).
pub const DEFAULT_CLIENT_RATE: u32 = 10;
/// A client's reply timeout when the scenario gives none.
pub const DEFAULT_CLIENT_TIMEOUT_MS: u64 = 1_000;
/// The trace's node name for injected actions; reserved.
pub const WORLD: &str = "world";

/// Reads and parses a scenario file. Errors name the path as given.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ScenarioError {
        file: file.clone(),
        line: 0,
        col: 0,
        field: String::new(),
        message: format!("cannot read: {e}"),
    })?;
    parse(&text, &file)
}

/// Parses scenario text. `file_name` is used in error messages and for the default name.
pub fn parse(text: &str, file_name: &str) -> Result<Scenario, ScenarioError> {
    let ctx = Ctx { text, file: file_name };
    let raw: RawScenario = toml::from_str(text).map_err(|e| ctx.toml_error(e))?;
    validate::validate(&ctx, raw)
}
