//! Per-process wall clocks on top of madsim's single simulated clock (madsim has no per-node
//! clock, issue 24): wall = a fixed epoch + simulated elapsed time + this node's offset, where the
//! offset is driven by clock faults (fixed skew, jumps, linear drift, strobe).

use std::sync::{Arc, Mutex};
use tokio::time::Instant;

/// Mon Nov 23 2026 08:00:00 UTC: runs print plausible dates, the same for every seed.
pub const EPOCH_MS: i64 = 1_795_420_800_000;

#[derive(Debug, Clone, Copy)]
struct Skew {
    /// Fixed offset in ms.
    offset_ms: i64,
    /// Drift: the clock runs `rate` times as fast since `since_ms` (elapsed time).
    rate: f64,
    since_ms: i64,
}

#[derive(Clone)]
pub struct NodeClock {
    start: Instant,
    skew: Arc<Mutex<Skew>>,
}

impl NodeClock {
    pub fn new(start: Instant) -> Self {
        NodeClock {
            start,
            skew: Arc::new(Mutex::new(Skew {
                offset_ms: 0,
                rate: 1.0,
                since_ms: 0,
            })),
        }
    }

    fn elapsed_ms(&self) -> i64 {
        self.start.elapsed().as_millis() as i64
    }

    /// The current offset from true time (fixed part plus accumulated drift).
    pub fn offset_ms(&self) -> i64 {
        let s = *self.skew.lock().unwrap();
        s.offset_ms + ((self.elapsed_ms() - s.since_ms) as f64 * (s.rate - 1.0)) as i64
    }

    /// Folds accumulated drift into the fixed offset and applies `f` to the state.
    fn update(&self, f: impl FnOnce(&mut Skew)) {
        let now = self.elapsed_ms();
        let mut s = self.skew.lock().unwrap();
        s.offset_ms += ((now - s.since_ms) as f64 * (s.rate - 1.0)) as i64;
        s.since_ms = now;
        f(&mut s);
    }

    pub fn set_offset_ms(&self, ms: i64) {
        self.update(|s| s.offset_ms = ms);
    }
    pub fn jump_ms(&self, by: i64) {
        self.update(|s| s.offset_ms += by);
    }
    pub fn set_rate(&self, rate: f64) {
        self.update(|s| s.rate = rate);
    }
    pub fn reset(&self) {
        self.update(|s| {
            s.offset_ms = 0;
            s.rate = 1.0;
        });
    }
}

impl host::Clock for NodeClock {
    fn wall_ms(&self) -> i64 {
        EPOCH_MS + self.elapsed_ms() + self.offset_ms()
    }
}
