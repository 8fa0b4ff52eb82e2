//! The vocabulary the core shares with its driver: time, connection ids and actions (events
//! are in [`crate::event`]).

use crate::event::Event;

/// Milliseconds of the node's wall clock (`mstime()`): may jump, may go backwards, hence signed.
pub type Ms = i64;

/// A connection the core asked the driver to open. Ids are never reused within a process.
pub type ConnId = u64;

/// The two kinds of link connection Sentinel keeps (spec §1.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum ConnKind {
    /// Command connection: PING, INFO, PUBLISH hello, SLAVEOF transaction, is-master-down-by-addr.
    Cmd,
    /// Pub/sub connection subscribed to `__sentinel__:hello` (masters and replicas only).
    PubSub,
}

/// Which record of a master's tables a reply or message belongs to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    Master,
    /// A replica, by its name (`ip:port`).
    Replica(String),
    /// A peer Sentinel, by its name (its run id).
    Sentinel(String),
}

/// What to do with the reply to a command (the hiredis callback, in Redis' terms).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReplyKind {
    Discard,
    Ping,
    Info,
    Publish,
    IsMasterDown,
    /// The SUBSCRIBE of a pub/sub link: its "reply" is every frame that arrives afterwards
    /// (subscribe confirmation, then hello messages). The driver keeps it at the head of the
    /// connection's reply queue and never pops it.
    Hello,
}

/// Routing for a reply: the callback, and the record it was sent for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReplyTo {
    pub kind: ReplyKind,
    pub master: String,
    pub target: Target,
}

impl ReplyTo {
    /// True for the pub/sub subscription callback, which receives every later frame.
    pub fn is_persistent(&self) -> bool {
        self.kind == ReplyKind::Hello
    }
}

/// Log levels as Redis prints them in its log: `.` debug, `-` verbose, `*` notice, `#` warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Level {
    Debug,
    Verbose,
    Notice,
    Warning,
}

impl Level {
    pub fn log_char(self) -> char {
        match self {
            Level::Debug => '.',
            Level::Verbose => '-',
            Level::Notice => '*',
            Level::Warning => '#',
        }
    }
}

/// What the promoting sentinel knew of the replica it selected (recorded for invariants).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CandidateView {
    pub addr: String,
    pub s_down: bool,
    pub o_down: bool,
    pub disconnected: bool,
    pub priority: u32,
}

/// What the core asks its driver to do. Drained with [`crate::Sentinel::take_actions`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Open a connection to `ip:port` (non-blocking, like hiredis: commands sent on `conn` before
    /// it is established are buffered). Report failure or loss with `on_conn_closed`.
    Connect {
        conn: ConnId,
        kind: ConnKind,
        ip: String,
        port: u16,
    },
    /// Send one command on `conn`; its reply goes back through `on_reply` with `reply`.
    Send {
        conn: ConnId,
        args: Vec<Vec<u8>>,
        reply: ReplyTo,
    },
    /// Close `conn`; later replies for it are ignored by the core anyway.
    Close { conn: ConnId },
    /// Log it; publish it if [`Event::is_published`].
    Event(Event),
    /// Persist this sentinel.conf content (a CONFIG REWRITE of the config file).
    SaveConfig(String),
    /// `SENTINEL SIMULATE-FAILURE`: the process must exit now with this code.
    Exit(i32),
    /// Start a script process with these arguments (the path first). Report its start with
    /// `on_script_started` (or `on_script_spawn_failed`) and its end with `on_script_exit`.
    RunScript { id: u64, argv: Vec<String> },
    /// Kill the script process of job `id` (SIGKILL); its end is reported as usual.
    KillScript { id: u64 },
}
