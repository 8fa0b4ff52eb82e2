//! The run's one ordered trace: every process appends typed events stamped with simulated time.
//! Checks (invariants, expectations) read only this trace and the final state, never the
//! processes' internals. The trace hash is the determinism fingerprint.

use serde::Serialize;

/// A Sentinel event as the sentinel published/logged it, plus the epochs it held at that moment
/// (so invariants can be checked from the trace alone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SentinelEvent {
    /// Event name as published (channel name), e.g. `+sdown`, `+switch-master`. Empty for log-only
    /// lines such as `<runid> voted for <runid> <epoch>`.
    pub name: String,
    /// Payload exactly as Sentinel formats it, e.g. `master mymaster 127.0.0.1 6382 #quorum 2/2`.
    pub payload: String,
    /// The sentinel's run id (myid).
    pub myid: String,
    /// The sentinel's `current_epoch` after the event.
    pub current_epoch: u64,
    /// For events about a master (or its replicas/sentinels): that master's name and its
    /// `config_epoch` after the event.
    pub master: Option<String>,
    pub config_epoch: u64,
    /// `+elected-leader`, `+try-failover`, `+selected-slave`, `+promoted-slave`: the epoch of the
    /// failover attempt. `+vote-for-leader`: the voted epoch.
    pub failover_epoch: u64,
    /// `+selected-slave` only: what the sentinel knew of the chosen replica when it chose it.
    pub candidate: Option<CandidateView>,
    /// True when the sentinel was in TILT when it emitted the event.
    pub tilt: bool,
}

/// What the promoting sentinel saw of the replica it selected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CandidateView {
    pub addr: String,
    pub s_down: bool,
    pub o_down: bool,
    pub disconnected: bool,
    pub priority: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Kind {
    /// An injected action, e.g. `kill 127.0.0.1:6382`, `restart 127.0.0.1:6382`,
    /// `SENTINEL FAILOVER mymaster (via 127.0.0.1:5000)`.
    Action { line: String },
    /// A Sentinel event (published or log-only).
    Sentinel(SentinelEvent),
    /// A data node's log-like line, worded like Redis' own log, e.g. `MASTER MODE enabled`.
    Data { line: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
            Kind::Action { line } | Kind::Data { line } => line.clone(),
            Kind::Sentinel(ev) if ev.name.is_empty() => ev.payload.clone(),
            Kind::Sentinel(ev) => format!("{} {}", ev.name, ev.payload),
        }
    }
}

/// FNV-1a over a canonical rendering of every event: stable across runs, platforms and builds.
pub fn trace_hash(events: &[TraceEvent]) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    let mut feed = |bytes: &[u8]| {
        for b in bytes {
            h ^= *b as u64;
            h = h.wrapping_mul(0x100000001b3);
        }
    };
    for e in events {
        feed(&e.t_ms.to_le_bytes());
        feed(e.node.as_bytes());
        feed(&[0]);
        // The JSON rendering covers every field, including epochs and candidate views.
        feed(serde_json::to_string(&e.kind).unwrap_or_default().as_bytes());
        feed(&[0xff]);
    }
    format!("{h:016x}")
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
