//! The async driver of the Sentinel core: it hosts the pure state machine of `sentinel-core` on
//! sockets through tokio's API, and runs unchanged on real tokio (a real Sentinel that real
//! `redis-server` / `redis-cli` talk to) and on the madsim simulator (`--cfg madsim`, where the
//! workspace's `tokio` maps net / time / spawn onto the simulation). Nothing here knows about the
//! simulator.
//!
//! Structure (everything that touches the core happens on the one task running [`run`]):
//! * the main loop: inputs from connection tasks and client tasks over one mpsc, and the Sentinel
//!   timer (`sleep` for the interval the core returns); after every input it executes the core's
//!   actions;
//! * one task per outgoing link connection ([`link`]): connect, write commands in batches, read
//!   replies and hand them to the main loop, which routes them through a FIFO of reply callbacks;
//! * the sentinel port: an accept loop and one task per client ([`client`]); SUBSCRIBE and
//!   friends, CLIENT and QUIT are served there, every other command goes to the core through the
//!   main loop;
//! * the [`hub`]: connected clients and pub/sub subscriptions, to which events are published.
//!
//! Determinism (madsim): every `select!` is `biased`, maps are ordered, no std time or thread RNG.

pub(crate) mod client;
pub mod glob;
pub mod hub;
pub mod link;
pub mod logfmt;
mod node;
pub mod replies;

pub use node::{run, run_with};
pub use sentinel_core::{Action, ClientInfo, ConnId, ConnKind, Event, Level, Ms, ReplyTo};

use std::fmt;
use std::sync::Arc;

/// How to start one Sentinel process.
#[derive(Debug, Clone)]
pub struct NodeConfig {
    /// Name of the config file in [`Env::storage`] (`sentinel.conf`); also where rewrites go.
    pub config_name: String,
    /// Seed of the core's random choices (myid, timer desync, failover start delay).
    pub seed: u64,
    /// Address the sentinel port binds (`0.0.0.0`).
    pub bind_ip: String,
    /// More `bind` addresses, each with whether it is optional (`-addr`: its failure is ignored).
    pub extra_binds: Vec<(String, bool)>,
    /// The address announced in hello messages when the config has no `sentinel announce-ip` and
    /// the link's local address is unknown.
    pub default_announce_ip: String,
    /// Write Redis-format log lines (real mode; off in simulation).
    pub log: bool,
    /// Redis's `logfile`: where log lines go (None: stdout).
    pub logfile: Option<std::path::PathBuf>,
    /// Redis's `loglevel`: the lowest level logged.
    pub log_level: Level,
    /// Whether a script path is an executable file (real mode: the file system; simulated
    /// hosts have no scripts).
    pub script_executable: fn(&str) -> bool,
    /// Redis's `aclfile`: the users are loaded from it at start (and by ACL LOAD), ACL SAVE
    /// writes it (real mode; relative to the working directory).
    pub acl_file: Option<std::path::PathBuf>,
    /// Where notification and client-reconfig scripts run (none: every start fails).
    pub scripts: ScriptHost,
    /// Warnings found before the log was open (e.g. a lowered maxclients), logged at start.
    pub startup_warnings: Vec<String>,
    /// Redis's `protected-mode` (a Sentinel's default: no).
    pub protected_mode: bool,
    /// Redis's `maxclients` (already lowered to fit the descriptor limit by the caller).
    pub max_clients: usize,
    /// What INFO says of the process (pid, executable, config path, OS).
    pub process: sentinel_core::ProcessFacts,
    /// Hostname resolution for `resolve-hostnames yes` (real mode: DNS; simulated: IPs only).
    pub resolve: fn(&str) -> Option<String>,
}

impl Default for NodeConfig {
    fn default() -> Self {
        NodeConfig {
            config_name: "sentinel.conf".into(),
            seed: 0,
            bind_ip: "0.0.0.0".into(),
            extra_binds: Vec::new(),
            default_announce_ip: "127.0.0.1".into(),
            log: false,
            logfile: None,
            log_level: Level::Notice,
            script_executable: sentinel_core::Options::default().script_executable,
            resolve: sentinel_core::Options::default().resolve,
            process: sentinel_core::ProcessFacts::default(),
            max_clients: hub::MAX_CLIENTS,
            protected_mode: false,
            startup_warnings: Vec::new(),
            scripts: ScriptHost::default(),
            acl_file: None,
        }
    }
}

/// The host's script runner, for [`NodeConfig`] (a real process: [`host::ProcessScripts`]).
#[derive(Clone)]
pub struct ScriptHost(pub Arc<dyn host::Scripts>);

impl Default for ScriptHost {
    fn default() -> Self {
        ScriptHost(Arc::new(host::NoScripts))
    }
}

impl fmt::Debug for ScriptHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ScriptHost")
    }
}

/// Receives every event the core emits (also debug-level and log-only ones), in order.
pub trait SentinelObserver: Send + Sync {
    fn event(&self, ev: &Event);
}

/// An observer that ignores everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoObserver;

impl SentinelObserver for NoObserver {
    fn event(&self, _ev: &Event) {}
}

/// What the process gets from its host.
#[derive(Clone)]
pub struct Env {
    pub clock: Arc<dyn host::Clock>,
    pub net: Arc<dyn host::Net>,
    pub storage: Arc<dyn host::Storage>,
    pub observer: Arc<dyn SentinelObserver>,
}

/// Why [`run`] could not start.
#[derive(Debug)]
pub enum NodeError {
    /// The config file does not exist (Sentinel requires one).
    NoConfig(String),
    /// The config file exists but could not be read.
    ReadConfig(String, std::io::Error),
    /// The config was rejected by the core (Redis' fatal-error text).
    Config(String),
    /// The sentinel port could not be bound.
    Bind(String, std::io::Error),
    /// The ACL file could not be loaded (already logged).
    Acl(String),
}

impl fmt::Display for NodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NodeError::NoConfig(name) => {
                write!(
                    f,
                    "Sentinel needs config file on disk to save state. Exiting... ({name} not found)"
                )
            }
            NodeError::ReadConfig(name, e) => write!(f, "Fatal error, can't open config file '{name}': {e}"),
            NodeError::Config(e) => f.write_str(e),
            NodeError::Bind(addr, e) => write!(f, "Failed listening on port {addr} (tcp), aborting: {e}"),
            NodeError::Acl(e) => write!(f, "Aborting Redis startup because of ACL errors: {e}"),
        }
    }
}

impl std::error::Error for NodeError {}

/// The core as the driver uses it. Implemented by [`sentinel_core::Sentinel`]; tests drive the
/// plumbing with scripted cores through [`run_with`].
pub trait Core {
    /// The sentinel port (config `port`, default 26379).
    fn port(&self) -> u16;
    fn start(&mut self, now: Ms);
    /// Runs the timer once; returns the ms until the next run.
    fn tick(&mut self, now: Ms) -> u64;
    fn on_local_ip(&mut self, conn: ConnId, local_ip: &str, now: Ms);
    fn on_conn_closed(&mut self, conn: ConnId, now: Ms);
    fn on_reply(&mut self, conn: ConnId, reply: &ReplyTo, value: &resp::Value, now: Ms);
    fn command(&mut self, args: &[Vec<u8>], client: &ClientInfo, now: Ms) -> resp::Value;
    fn take_actions(&mut self) -> Vec<Action>;
    /// The ACL users the config declares (the driver's client sessions host them).
    fn initial_acl(&self) -> sentinel_core::port::acl::Acl {
        sentinel_core::port::acl::Acl::default()
    }
    /// The hosted ACL changed: the `user` lines later config rewrites write.
    fn set_acl_lines(&mut self, _lines: Vec<String>) {}
    /// Script job `id` runs as process `pid`.
    fn on_script_started(&mut self, _id: u64, _pid: u32) {}
    /// Script job `id` could not be started.
    fn on_script_spawn_failed(&mut self, _id: u64) {}
    /// Script job `id` ended (signal or 0, exit code).
    fn on_script_exit(&mut self, _id: u64, _signal: i32, _code: i32) {}
}

impl Core for sentinel_core::Sentinel {
    fn port(&self) -> u16 {
        sentinel_core::Sentinel::port(self)
    }
    fn start(&mut self, now: Ms) {
        sentinel_core::Sentinel::start(self, now)
    }
    fn tick(&mut self, now: Ms) -> u64 {
        sentinel_core::Sentinel::tick(self, now)
    }
    fn on_local_ip(&mut self, conn: ConnId, local_ip: &str, now: Ms) {
        sentinel_core::Sentinel::on_local_ip(self, conn, local_ip, now)
    }
    fn on_conn_closed(&mut self, conn: ConnId, now: Ms) {
        sentinel_core::Sentinel::on_conn_closed(self, conn, now)
    }
    fn on_reply(&mut self, conn: ConnId, reply: &ReplyTo, value: &resp::Value, now: Ms) {
        sentinel_core::Sentinel::on_reply(self, conn, reply, value, now)
    }
    fn command(&mut self, args: &[Vec<u8>], client: &ClientInfo, now: Ms) -> resp::Value {
        sentinel_core::Sentinel::command(self, args, client, now)
    }
    fn take_actions(&mut self) -> Vec<Action> {
        sentinel_core::Sentinel::take_actions(self)
    }
    fn initial_acl(&self) -> sentinel_core::port::acl::Acl {
        sentinel_core::Sentinel::initial_acl(self)
    }
    fn set_acl_lines(&mut self, lines: Vec<String>) {
        sentinel_core::Sentinel::set_acl_lines(self, lines)
    }
    fn on_script_started(&mut self, id: u64, pid: u32) {
        sentinel_core::Sentinel::on_script_started(self, id, pid)
    }
    fn on_script_spawn_failed(&mut self, id: u64) {
        sentinel_core::Sentinel::on_script_spawn_failed(self, id)
    }
    fn on_script_exit(&mut self, id: u64, signal: i32, code: i32) {
        sentinel_core::Sentinel::on_script_exit(self, id, signal, code)
    }
}
