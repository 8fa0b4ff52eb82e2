//! The one ordered trace of a run, and the observers through which data nodes and Sentinels
//! append to it (a Sentinel event may also fire an armed `kill_on` trigger).

use super::repl_view::{NodeInfo, ReplView};
use crate::trace::{Kind, SentinelEvent, TraceEvent, WorldNote};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use tokio::time::Instant;

/// Trace events a run may record: far above any bundled scenario (the 10-minute soak records
/// about 20 000), a bound on memory for runs that never settle.
pub const MAX_TRACE_EVENTS: usize = 2_000_000;

/// The trace every process appends to. One mutex, one thread: the order is the simulation's.
#[derive(Clone)]
pub struct Recorder {
    start: Instant,
    events: Arc<Mutex<Vec<TraceEvent>>>,
    /// `kill_on`: the armed event name and whether its subject (not its emitter) is the victim;
    /// the victim (a node name, or the subject's `ip:port`) is sent to `fired`.
    trigger: Arc<Mutex<Option<(String, bool)>>>,
    fired: UnboundedSender<(String, String)>,
    /// Each data node's replication state as its log tells it, with the INFO fields handed over.
    repl: Arc<Mutex<BTreeMap<String, (ReplView, NodeInfo)>>>,
}

impl Recorder {
    /// An empty trace timed from `start`, and the receiver of fired `kill_on` triggers
    /// (node, event).
    pub(super) fn new(start: Instant) -> (Self, UnboundedReceiver<(String, String)>) {
        let (fired, fired_rx) = tokio::sync::mpsc::unbounded_channel();
        let rec = Recorder {
            start,
            events: Arc::new(Mutex::new(Vec::new())),
            trigger: Arc::new(Mutex::new(None)),
            fired,
            repl: Arc::default(),
        };
        (rec, fired_rx)
    }
    fn now_ms(&self) -> u64 {
        self.start.elapsed().as_millis() as u64
    }
    pub fn push(&self, node: &str, kind: Kind) {
        let ev = TraceEvent {
            t_ms: self.now_ms(),
            node: node.to_string(),
            kind,
        };
        let mut events = self.events.lock().unwrap();
        // Full: later events are dropped, and `run` reports the run as an error.
        if events.len() >= MAX_TRACE_EVENTS {
            return;
        }
        events.push(ev);
    }
    pub fn action(&self, note: WorldNote, line: String) {
        self.push("world", Kind::Action { note, line });
    }
    /// A data node's log line, then the replication fact it implies, if its state changed.
    fn data_line(&self, node: &str, line: &str) {
        self.push(node, Kind::Data { line: line.to_string() });
        let facts = {
            let mut repl = self.repl.lock().unwrap();
            let (view, info) = repl.entry(node.to_string()).or_default();
            let run_id = info.run_id_fact(node);
            let fact = view.read(node, line, self.now_ms(), info);
            [run_id, fact]
        };
        for f in facts.into_iter().flatten() {
            self.push(node, Kind::World(f));
        }
    }
    /// The INFO fields a data node hands over with its next lines.
    fn data_info(&self, node: &str, run_id: &str, offset: i64) {
        let mut repl = self.repl.lock().unwrap();
        let (_, info) = repl.entry(node.to_string()).or_default();
        if info.run_id != run_id {
            info.run_id = run_id.to_string();
        }
        info.offset = offset;
    }
    /// Arms `kill_on`: the next node to emit `event` (or, with `subject`, the instance it is about)
    /// is killed.
    pub(super) fn arm(&self, event: String, subject: bool) {
        *self.trigger.lock().unwrap() = Some((event, subject));
    }
    pub(super) fn take(&self) -> Vec<TraceEvent> {
        std::mem::take(&mut *self.events.lock().unwrap())
    }
}

pub(super) struct SentinelTrace {
    pub node: String,
    pub rec: Recorder,
    /// Whether events carry the core's debug probe ([`crate::spec::WorldSpec::debug_probe`]).
    pub debug_probe: bool,
}

impl sentinel::SentinelObserver for SentinelTrace {
    fn event(&self, ev: &sentinel_core::Event) {
        // Debug-level events are neither published nor logged at the default level.
        if ev.level == sentinel_core::Level::Debug {
            return;
        }
        // What the Sentinel logs (level and typed line); the core's internal state only through
        // the optional debug probe.
        let kind = Kind::Sentinel(SentinelEvent {
            level: ev.level,
            body: ev.body.clone(),
            probe: self.debug_probe.then(|| ev.probe.clone()),
        });
        self.rec.push(&self.node, kind);
        let mut trig = self.rec.trigger.lock().unwrap();
        let Some((event, subject)) = trig.as_ref() else { return };
        if event != ev.name() {
            return;
        }
        let victim = if *subject {
            // An event about no instance cannot fire a subject trigger: it stays armed.
            let Some(s) = ev.body.subject() else { return };
            format!("{}:{}", s.instance.ip, s.instance.port)
        } else {
            self.node.clone()
        };
        *trig = None;
        let _ = self.rec.fired.send((victim, ev.name().to_string()));
    }
}

pub(super) struct DataTrace {
    pub node: String,
    pub rec: Recorder,
}

impl redis_node::DataObserver for DataTrace {
    fn note(&self, line: &str) {
        self.rec.data_line(&self.node, line);
    }
    fn info(&self, run_id: &str, slave_repl_offset: i64) {
        self.rec.data_info(&self.node, run_id, slave_repl_offset);
    }
}
