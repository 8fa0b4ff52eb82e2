//! Per-process wall clocks on top of madsim's single simulated clock (madsim has no per-node
//! clock, issue 24): wall = a fixed epoch + simulated elapsed time + this node's offset, where the
//! offset is driven by clock faults (fixed skew, jumps, linear drift, strobe).
//!
//! The epoch's milliseconds are drawn per run ([`epoch_ms`]): where wall-clock seconds begin
//! relative to simulated time decides how whole-second figures round (a replica's
//! `master_link_down_since_seconds`, INFO uptimes, the dates Sentinel prints), and a fixed epoch
//! would make every seed round the same way.

use std::sync::{Arc, Mutex};
use tokio::time::Instant;

/// Mon Nov 23 2026 08:00:00 UTC: runs print plausible dates, the same day and second for every
/// seed (only the milliseconds move, see [`epoch_ms`]).
pub const EPOCH_MS: i64 = 1_795_420_800_000;

/// The wall-clock epoch's RNG stream, mixed with the run's seed.
const EPOCH_PHASE_STREAM: u64 = 0x0065_706f_6368;

/// The wall time at simulated time zero for a run with this seed: [`EPOCH_MS`] plus 0–999 ms
/// drawn from the seed, shared by every node (they differ only by their clock faults).
pub fn epoch_ms(seed: u64) -> i64 {
    EPOCH_MS + (crate::plan::mix(seed, EPOCH_PHASE_STREAM) % 1000) as i64
}

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
    /// Wall time at `start`: the run's [`epoch_ms`].
    epoch_ms: i64,
    skew: Arc<Mutex<Skew>>,
}

impl NodeClock {
    pub fn new(start: Instant, epoch_ms: i64) -> Self {
        NodeClock {
            start,
            epoch_ms,
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
        self.offset_at(self.elapsed_ms())
    }

    /// The offset at `elapsed_ms` of simulated time (asked for on every clock read, so the
    /// common case, no drift, does no float arithmetic).
    fn offset_at(&self, elapsed_ms: i64) -> i64 {
        let s = *self.skew.lock().unwrap_or_else(|e| e.into_inner());
        if s.rate == 1.0 {
            return s.offset_ms;
        }
        s.offset_ms + ((elapsed_ms - s.since_ms) as f64 * (s.rate - 1.0)) as i64
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
        let elapsed = self.elapsed_ms();
        self.epoch_ms + elapsed + self.offset_at(elapsed)
    }
}
