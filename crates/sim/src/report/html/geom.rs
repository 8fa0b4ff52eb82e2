//! The chart's geometry: lane layout, the time scale, and label placement without overlaps.

use super::*;

pub(super) const LABEL_W: f64 = 200.0;
pub(super) const AXIS_H: f64 = 26.0;
pub(super) const X0: f64 = 12.0;
pub(super) const FONT_W: f64 = 6.0;

/// The vertical layout of a lane (offsets from its top).
pub(super) struct Geo {
    pub(super) h: f64,
    pub(super) bar_y: f64,
    pub(super) bar_h: f64,
    pub(super) tick_y: f64,
}

pub(super) fn geo(kind: LaneKind) -> Geo {
    // Two rows of mark labels on top (baselines at 11.5 and 22.5), the bar from 26, thin strips
    // under it (6 px apart), then the event ticks.
    let (bar_h, strips) = match kind {
        LaneKind::World => (20.0, 0.0),
        LaneKind::Data => (18.0, 1.0),
        LaneKind::Sentinel => (18.0, 3.0),
        // The node band (10 px) and the unavailability strip under the bar.
        LaneKind::Client => (14.0, 3.0),
    };
    let bar_y = 26.0;
    let tick_y = bar_y + bar_h + 3.0 + strips * 6.0;
    Geo {
        h: tick_y + 12.0,
        bar_y,
        bar_h,
        tick_y,
    }
}

/// Where a window is drawn inside its lane: (y offset, height); None = the whole lane.
pub(super) fn window_band(lane: LaneKind, k: WindowKind) -> Option<(f64, f64)> {
    let g = geo(lane);
    let strip = |i: f64| Some((g.bar_y + g.bar_h + 2.0 + i * 6.0, 5.0));
    match k {
        WindowKind::Partition { .. } | WindowKind::Isolated | WindowKind::OnewayOut | WindowKind::OnewayIn => None,
        WindowKind::NetPartition => Some((g.bar_y, 10.0)),
        WindowKind::Latency | WindowKind::Loss => Some((g.bar_y + 11.0, 9.0)),
        WindowKind::Paused => Some((g.bar_y, g.bar_h)),
        WindowKind::Failover => strip(0.0),
        WindowKind::Tilt => strip(1.0),
        WindowKind::Clock => strip(if lane == LaneKind::Sentinel { 2.0 } else { 0.0 }),
        // Under a client's node band (`clients::node_band`).
        WindowKind::Unavailable => Some((g.bar_y + g.bar_h + 13.0, 5.0)),
    }
}

pub(super) struct Scale {
    pub(super) px_per_ms: f64,
    pub(super) width: f64,
}

impl Scale {
    pub(super) fn new(end_ms: u64) -> Scale {
        let secs = end_ms as f64 / 1000.0;
        // 20 px per simulated second; at least 1100 px, at most 24000 px of plot.
        let mut pps = 20.0;
        if secs * pps < 1100.0 {
            pps = 1100.0 / secs;
        }
        if secs * pps > 24000.0 {
            pps = 24000.0 / secs;
        }
        let px_per_ms = pps / 1000.0;
        Scale {
            px_per_ms,
            width: X0 + end_ms as f64 * px_per_ms + 60.0,
        }
    }
    pub(super) fn x(&self, t: u64) -> f64 {
        X0 + t as f64 * self.px_per_ms
    }
}

/// Non-overlapping label placement along one row: disjoint intervals by start (in 1/100 px), so
/// that a check costs a lookup, not a scan (a long soak has thousands of marks on the world lane).
#[derive(Default)]
pub(super) struct Row {
    pub(super) taken: BTreeMap<i64, (f64, f64)>,
}

pub(super) const GAP: f64 = 2.0;

pub(super) fn key(x: f64) -> i64 {
    (x * 100.0).round() as i64
}

impl Row {
    /// The interval that starts last before `x1 + GAP`; being disjoint, it is the only one that can
    /// reach into `[x0, x1]`.
    pub(super) fn collides(&self, x0: f64, x1: f64) -> Option<i64> {
        let (&k, &(_, b)) = self.taken.range(..key(x1 + GAP)).next_back()?;
        (b + GAP > x0).then_some(k)
    }

    /// Takes `[x0, x1]` for a label if it is free.
    pub(super) fn place(&mut self, x0: f64, x1: f64) -> bool {
        if self.collides(x0, x1).is_some() {
            return false;
        }
        self.taken.insert(key(x0), (x0, x1));
        true
    }

    /// Takes `[x0, x1]` unconditionally (a mark's symbol), merging what it touches.
    pub(super) fn reserve(&mut self, mut x0: f64, mut x1: f64) {
        while let Some(k) = self.collides(x0, x1) {
            if let Some((a, b)) = self.taken.remove(&k) {
                x0 = x0.min(a);
                x1 = x1.max(b);
            }
        }
        self.taken.insert(key(x0), (x0, x1));
    }
}

pub(super) fn text_w(s: &str) -> f64 {
    s.chars().count() as f64 * FONT_W
}
