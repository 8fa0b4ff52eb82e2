//! The run's trace, as the simulator's: events stamped with milliseconds since the run's start.
//! Lines read from the processes' logs carry their own timestamps, so the trace is sorted (stably)
//! when taken.

use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::trace::{Fact, Kind, TraceEvent, WorldNote};

/// A bound on the trace's memory (the simulator's is the same order).
pub const MAX_EVENTS: usize = 2_000_000;

#[derive(Clone)]
pub struct Recorder {
    pub start: Instant,
    /// The wall clock at `start`, in ms since the epoch (to place log timestamps).
    pub start_wall_ms: i64,
    events: Arc<Mutex<Vec<TraceEvent>>>,
}

impl Recorder {
    pub fn new() -> Recorder {
        Recorder {
            start: Instant::now(),
            start_wall_ms: wall_ms(),
            events: Arc::default(),
        }
    }

    pub fn now_ms(&self) -> u64 {
        self.start.elapsed().as_millis() as u64
    }

    /// ms since the start of a wall-clock time (clamped at 0).
    pub fn since_start(&self, wall: i64) -> u64 {
        (wall - self.start_wall_ms).max(0) as u64
    }

    pub fn push_at(&self, t_ms: u64, node: &str, kind: Kind) {
        let mut ev = self.events.lock().unwrap();
        if ev.len() < MAX_EVENTS {
            ev.push(TraceEvent {
                t_ms,
                node: node.to_string(),
                kind,
            });
        }
    }

    pub fn push(&self, node: &str, kind: Kind) {
        self.push_at(self.now_ms(), node, kind);
    }

    /// Something the tool did, as the simulator's world line.
    pub fn action(&self, note: WorldNote, line: String) {
        self.push("world", Kind::Action { note, line });
    }

    /// Ground truth: a change the tool made (it performs the faults itself).
    pub fn fact(&self, fact: Fact) {
        let node = fact.node().to_owned();
        self.push(&node, Kind::World(fact));
    }

    /// The trace in time order.
    pub fn take(&self) -> Vec<TraceEvent> {
        let mut ev = std::mem::take(&mut *self.events.lock().unwrap());
        ev.sort_by_key(|e| e.t_ms);
        ev
    }
}

pub fn wall_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
