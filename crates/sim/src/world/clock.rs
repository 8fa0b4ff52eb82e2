//! Per-process wall clocks on top of madsim's single simulated clock (madsim has no per-node
//! clock, issue 24): wall = a fixed epoch + simulated elapsed time + this node's offset.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use tokio::time::Instant;

/// Mon Nov 23 2026 08:00:00 UTC: runs print plausible dates, the same for every seed.
pub const EPOCH_MS: i64 = 1_795_420_800_000;

#[derive(Clone)]
pub struct NodeClock {
    start: Instant,
    offset_ms: Arc<AtomicI64>,
}

impl NodeClock {
    pub fn new(start: Instant) -> Self {
        NodeClock {
            start,
            offset_ms: Arc::new(AtomicI64::new(0)),
        }
    }
    pub fn set_offset_ms(&self, ms: i64) {
        self.offset_ms.store(ms, Ordering::Relaxed);
    }
    pub fn offset_ms(&self) -> i64 {
        self.offset_ms.load(Ordering::Relaxed)
    }
}

impl host::Clock for NodeClock {
    fn wall_ms(&self) -> i64 {
        EPOCH_MS + self.start.elapsed().as_millis() as i64 + self.offset_ms()
    }
}
