//! The run's one ordered trace: every process appends typed events stamped with simulated time.
//! Checks (invariants, expectations) read only this trace and the final state, never the
//! processes' internals. The trace hash is the determinism fingerprint.

use serde::Serialize;

pub use crate::truth::{Fact, Hello, ProcState, Role, SavedMaster, Sent, WireMsg};
pub use sentinel_core::{DebugProbe, EventBody, Level};

/// A Sentinel event or log-only line, typed, as the Sentinel logs it (its level and
/// [`EventBody`], which renders exactly Sentinel's text) — what an operator tailing the log sees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SentinelEvent {
    pub level: Level,
    pub body: EventBody,
    /// The simulation's debug probe: core-internal state (epochs, the candidate view, the TILT
    /// flag) exported with the event. Not something Sentinel shows; only the checks that say so
    /// read it (see README, "What each check judges from"), and a run without it (a real
    /// process) has None.
    pub probe: Option<DebugProbe>,
}

impl SentinelEvent {
    /// The event type (`+sdown`), empty for a log-only line.
    pub fn name(&self) -> &'static str {
        self.body.name()
    }
}

/// What the world did or saw, typed.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WorldNote {
    /// A timeline action (also one a `random_faults` entry expanded into), as the scenario states it.
    Timeline { action: crate::scenario::Action },
    /// A `kill_on` trigger fired: `node` emitted `event` and was killed at that instant.
    TriggeredKill { node: String, event: String },
    /// The reply an operator command got (`to` is the command's action line).
    Reply { to: String, reply: String },
    /// The runner could not read the final master's data to count lost writes.
    SurvivorsUnreadable { error: String },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Kind {
    /// Something the world did (`kill 127.0.0.1:6382`, `SENTINEL FAILOVER mymaster (via
    /// 127.0.0.1:5000)`): the typed note and the line as the trace shows it.
    Action { note: WorldNote, line: String },
    /// A Sentinel event (published or log-only).
    Sentinel(SentinelEvent),
    /// A data node's log-like line, worded like Redis' own log, e.g. `MASTER MODE enabled`.
    Data { line: String },
    /// Ground truth: a change of the world's state (see [`crate::truth`]); node: the process it
    /// is about (`world` for the whole network).
    World(Fact),
    /// Ground truth: a safety message as its sender wrote it to the network; node: the sender.
    Wire(WireMsg),
}

impl Kind {
    /// What the world did to the processes or the network, as a scenario action: a timeline
    /// action, or the kill a `kill_on` trigger fired. None for other lines (replies, notes).
    pub fn performed(&self) -> Option<std::borrow::Cow<'_, crate::scenario::Action>> {
        match self {
            Kind::Action { note, .. } => note.performed(),
            _ => None,
        }
    }
}

impl WorldNote {
    /// The note as a scenario action: a timeline action, or a triggered kill as `kill`. None for
    /// replies and notes.
    pub fn performed(&self) -> Option<std::borrow::Cow<'_, crate::scenario::Action>> {
        use std::borrow::Cow;
        match self {
            WorldNote::Timeline { action } => Some(Cow::Borrowed(action)),
            WorldNote::TriggeredKill { node, .. } => {
                Some(Cow::Owned(crate::scenario::Action::Kill { node: node.clone() }))
            }
            WorldNote::Reply { .. } | WorldNote::SurvivorsUnreadable { .. } => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceEvent {
    /// Simulated milliseconds since the start of the run.
    pub t_ms: u64,
    /// The process it happened on (its scenario name, e.g. `sentinel-5000`, `redis-6382`), or
    /// `world` for injected actions.
    pub node: String,
    pub kind: Kind,
}

impl TraceEvent {
    /// The event as an operator reads it: a Sentinel event exactly as Sentinel logs it
    /// (`+switch-master mymaster 127.0.0.1 6382 127.0.0.1 6383`), an action as written.
    pub fn line(&self) -> String {
        match &self.kind {
            Kind::Action { line, .. } | Kind::Data { line } => line.clone(),
            Kind::Sentinel(ev) => ev.body.render(),
            Kind::World(f) => f.render(),
            Kind::Wire(w) => w.render(),
        }
    }
}

/// FNV-1a over a canonical rendering of every event: stable across runs, platforms and builds.
pub fn trace_hash(events: &[TraceEvent]) -> String {
    let mut h = Fnv1a(0xcbf29ce484222325);
    for e in events {
        h.feed(&e.t_ms.to_le_bytes());
        h.feed(e.node.as_bytes());
        h.feed(&[0]);
        // The JSON rendering covers every field, including epochs and candidate views; it is
        // written straight into the hash (no string per event). Writing into the hash cannot
        // fail, and every kind serialises (no maps with non-string keys).
        let _ = serde_json::to_writer(&mut h, &e.kind);
        h.feed(&[0xff]);
    }
    format!("{:016x}", h.0)
}

/// FNV-1a, 64 bits, fed byte by byte.
struct Fnv1a(u64);

impl Fnv1a {
    fn feed(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= *b as u64;
            self.0 = self.0.wrapping_mul(0x100000001b3);
        }
    }
}

impl std::io::Write for Fnv1a {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.feed(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The world as the runner observed it at the end (by asking each process over RESP).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FinalState {
    pub sentinels: Vec<SentinelFinal>,
    pub data_nodes: Vec<DataFinal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SentinelFinal {
    pub node: String,
    pub addr: String,
    pub alive: bool,
    /// `SENTINEL GET-MASTER-ADDR-BY-NAME <master>` as `ip:port`; None if dead, unreachable or nil.
    pub master_addr: Option<String>,
    pub current_epoch: Option<u64>,
    pub tilt: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DataFinal {
    pub node: String,
    pub addr: String,
    pub alive: bool,
    /// `master` or `slave` from ROLE; None if dead or unreachable.
    pub role: Option<String>,
    /// For a replica: the `ip:port` it replicates from.
    pub master: Option<String>,
    /// For a replica: whether its replication link is up (`connected` state in ROLE).
    pub link_up: Option<bool>,
    pub repl_offset: Option<i64>,
}
