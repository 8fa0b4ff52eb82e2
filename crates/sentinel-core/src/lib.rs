//! Redis Sentinel 7.0.15's logic as a pure, sans-I/O state machine (after quinn-proto): the driver
//! feeds it time (`now`, the node's wall clock in ms), replies, connection losses and commands,
//! and executes the [`Action`]s it returns. All randomness comes from a seeded ChaCha8 stream.
//!
//! Modules follow the spec's concepts: `instance` (records, flags, links), `periodic` (PING, INFO,
//! hello sending), `info` (INFO parsing), `down` (SDOWN, ODOWN, asking peers), `leader` (epochs,
//! votes), `failover` (the state machine, replica selection, promotion, the switch), `hello`
//! (discovery and config propagation), `tilt`, `config` (sentinel.conf), `command` (the port),
//! `event` (typed events and log lines: the one table of event types, rendering, parsing).

mod command;
pub mod config;
mod down;
pub mod event;
mod failover;
mod hello;
mod info;
pub mod instance;
mod leader;
pub mod mutants;
mod periodic;
pub mod port;
pub mod scripts;
mod sentinel;
mod tilt;
mod types;
pub mod util;

pub use config::{ConfigError, ServerOptions};
pub use event::{DebugProbe, Event, EventBody, EventKind, Subject};
pub use sentinel::{ClientInfo, Options, Periods, ProcessFacts, Sentinel, SourceIp, HELLO_CHANNEL, MAX_DESYNC_MS};
pub use types::{Action, CandidateView, ConnId, ConnKind, Level, Ms, ReplyKind, ReplyTo, Target};
