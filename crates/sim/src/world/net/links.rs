//! The state of the simulated network that madsim does not keep (or does not let us read): which
//! directed host pairs are cut, and the extra latency and loss of individual links.
//!
//! *Cuts* are applied with madsim's directed link clogs (established connections then hang and
//! resume after the heal, madsim retransmitting with backoff as TCP does); the table is the
//! world's mirror, which the shim streams read to behave like TCP across a cut (see `stream`).
//!
//! *Shaped links* get an extra one-way delay and a loss probability on top of madsim's base
//! latency. Loss on TCP is retransmission: a lost segment is re-sent after an RTO that starts at
//! 200 ms and doubles (Linux's `TCP_RTO_MIN`, capped at `TCP_RTO_MAX`); a SYN is re-sent after
//! 1 s, doubling. Every draw comes from one RNG seeded by the run's seed.

use super::tap::{Side, StreamTap, TapCtx};
use madsim::net::NetSim;
use madsim::task::NodeId;
use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};
use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::task::Waker;
use std::time::Duration;

/// First retransmission timeout of a data segment (Linux `TCP_RTO_MIN`).
const RTO_MIN: Duration = Duration::from_millis(200);
/// Largest retransmission timeout (Linux `TCP_RTO_MAX`).
const RTO_MAX: Duration = Duration::from_secs(120);
/// Retransmissions of a segment before the connection is given up (Linux `tcp_retries2`).
const DATA_RETRIES: u32 = 15;
/// First retransmission timeout of a SYN (Linux `TCP_TIMEOUT_INIT`).
pub(super) const SYN_RTO: Duration = Duration::from_secs(1);
/// SYN retransmissions before a connect fails (Linux `tcp_syn_retries`).
pub(super) const SYN_RETRIES: u32 = 6;

/// The extra behaviour of one directed link.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Shape {
    /// Extra one-way delay, drawn uniformly in [min, max] per segment.
    pub min_ms: u64,
    pub max_ms: u64,
    /// Probability that a segment (or a SYN) is lost and must be retransmitted.
    pub loss: f64,
}

impl Shape {
    fn is_plain(&self) -> bool {
        self.max_ms == 0 && self.loss == 0.0
    }
}

struct State {
    cuts: BTreeSet<(IpAddr, IpAddr)>,
    shapes: BTreeMap<(IpAddr, IpAddr), Shape>,
    /// madsim's node of each host, for its clogs.
    nodes: BTreeMap<IpAddr, NodeId>,
    /// Tasks waiting for a cut to heal (a FIN or RST held back by a cut).
    parked: Vec<Waker>,
    rng: ChaCha8Rng,
}

pub use crate::run::NetCounts;

#[derive(Default)]
struct Counters {
    messages: AtomicU64,
    bytes: AtomicU64,
    empty_flushes: AtomicU64,
}

/// The world's network: shared by every host's [`super::ProcNet`] and the fault timeline.
#[derive(Clone)]
pub struct Network {
    state: Arc<Mutex<State>>,
    /// Whether any link is shaped: unshaped runs never take the lock on a write.
    any_shaped: Arc<AtomicBool>,
    /// Whether any path is cut: runs without cuts never take the lock on a write.
    any_cut: Arc<AtomicBool>,
    /// The tap's context (the trace, who lives where), set once the processes are known.
    tap: Arc<OnceLock<TapCtx>>,
    counters: Arc<Counters>,
}

impl Network {
    pub fn new(seed: u64) -> Self {
        Network {
            state: Arc::new(Mutex::new(State {
                cuts: BTreeSet::new(),
                shapes: BTreeMap::new(),
                nodes: BTreeMap::new(),
                parked: Vec::new(),
                rng: ChaCha8Rng::seed_from_u64(seed),
            })),
            any_shaped: Arc::new(AtomicBool::new(false)),
            any_cut: Arc::new(AtomicBool::new(false)),
            tap: Arc::new(OnceLock::new()),
            counters: Arc::default(),
        }
    }

    /// A flush of `bytes` bytes (0: an empty flush).
    pub fn count_flush(&self, bytes: usize) {
        let c = &self.counters;
        if bytes == 0 {
            c.empty_flushes.fetch_add(1, Ordering::Relaxed);
        } else {
            c.messages.fetch_add(1, Ordering::Relaxed);
            c.bytes.fetch_add(bytes as u64, Ordering::Relaxed);
        }
    }

    /// What crossed the network so far.
    pub fn counts(&self) -> NetCounts {
        let c = &self.counters;
        NetCounts {
            messages: c.messages.load(Ordering::Relaxed),
            bytes: c.bytes.load(Ordering::Relaxed),
            empty_flushes: c.empty_flushes.load(Ordering::Relaxed),
        }
    }

    /// Turns the tap on (once): streams opened from now on record their safety messages.
    pub fn set_tap(&self, ctx: TapCtx) {
        let _ = self.tap.set(ctx);
    }

    /// The tap for a new stream of host `me` with `peer` (None: nothing to record on it).
    pub fn tap_for(&self, me: IpAddr, peer: IpAddr, side: Side) -> Option<StreamTap> {
        self.tap.get()?.tap(me, peer, side)
    }

    /// The directed host pairs cut now.
    pub fn cuts(&self) -> BTreeSet<(IpAddr, IpAddr)> {
        self.lock().cuts.clone()
    }

    /// The shaped directed links now.
    pub fn shapes(&self) -> BTreeMap<(IpAddr, IpAddr), Shape> {
        self.lock().shapes.clone()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Makes `ip` a host whose links can be cut.
    pub fn register(&self, ip: IpAddr, node: NodeId) {
        self.lock().nodes.insert(ip, node);
    }

    pub fn is_cut(&self, from: IpAddr, to: IpAddr) -> bool {
        self.any_cut.load(Ordering::Relaxed) && self.lock().cuts.contains(&(from, to))
    }

    /// Whether only the path `from → to` is cut, the way back open (a one-way cut).
    pub fn is_cut_one_way(&self, from: IpAddr, to: IpAddr) -> bool {
        self.is_cut(from, to) && !self.is_cut(to, from)
    }

    /// Whether packets flow both ways between `a` and `b` (what a handshake or an RST needs).
    pub fn is_open(&self, a: IpAddr, b: IpAddr) -> bool {
        let st = self.lock();
        !st.cuts.contains(&(a, b)) && !st.cuts.contains(&(b, a))
    }

    /// Cuts the directed path (silently dropped, like a firewall DROP rule). Unregistered hosts
    /// cannot be cut.
    pub fn cut(&self, from: IpAddr, to: IpAddr) {
        let mut st = self.lock();
        let (Some(&a), Some(&b)) = (st.nodes.get(&from), st.nodes.get(&to)) else {
            return;
        };
        if st.cuts.insert((from, to)) {
            self.any_cut.store(true, Ordering::Relaxed);
            NetSim::current().clog_link(a, b);
        }
    }

    /// Removes every cut and wakes whatever waited for a path to open.
    pub fn heal(&self) {
        let parked = {
            let mut st = self.lock();
            let cuts = std::mem::take(&mut st.cuts);
            self.any_cut.store(false, Ordering::Relaxed);
            for (a, b) in cuts {
                if let (Some(&x), Some(&y)) = (st.nodes.get(&a), st.nodes.get(&b)) {
                    NetSim::current().unclog_link(x, y);
                }
            }
            std::mem::take(&mut st.parked)
        };
        for w in parked {
            w.wake();
        }
    }

    /// Wakes `waker` at the next heal.
    pub fn park(&self, waker: &Waker) {
        let mut st = self.lock();
        if !st.parked.iter().any(|w| w.will_wake(waker)) {
            st.parked.push(waker.clone());
        }
    }

    /// Changes the shape of the directed link `from → to`.
    pub fn reshape(&self, from: IpAddr, to: IpAddr, f: impl FnOnce(&mut Shape)) {
        let mut st = self.lock();
        let mut shape = st.shapes.get(&(from, to)).copied().unwrap_or_default();
        f(&mut shape);
        if shape.is_plain() {
            st.shapes.remove(&(from, to));
        } else {
            st.shapes.insert((from, to), shape);
        }
        self.any_shaped.store(!st.shapes.is_empty(), Ordering::Relaxed);
    }

    /// Every link back to plain.
    pub fn unshape_all(&self) {
        self.lock().shapes.clear();
        self.any_shaped.store(false, Ordering::Relaxed);
    }

    pub fn is_shaped(&self, from: IpAddr, to: IpAddr) -> bool {
        self.any_shaped.load(Ordering::Relaxed) && self.lock().shapes.contains_key(&(from, to))
    }

    /// How much later than on a plain link a segment sent now on `from → to` arrives: the extra
    /// delay plus the retransmissions of its losses. `Err`: every retransmission was lost, and
    /// the sender gives the connection up after the returned time.
    pub fn segment_delay(&self, from: IpAddr, to: IpAddr) -> Result<Duration, Duration> {
        let mut st = self.lock();
        let Some(shape) = st.shapes.get(&(from, to)).copied() else {
            return Ok(Duration::ZERO);
        };
        let (late, gave_up) = retransmissions(&mut st.rng, shape.loss, RTO_MIN, DATA_RETRIES);
        let total = late + draw_ms(&mut st.rng, &shape);
        if gave_up {
            Err(total)
        } else {
            Ok(total)
        }
    }

    /// How much longer than on plain links a handshake from `a` to `b` takes (SYN out, SYN-ACK
    /// back, each lost with its link's probability), or the error after every SYN was lost.
    pub fn handshake_delay(&self, a: IpAddr, b: IpAddr) -> Result<Duration, (Duration, io::Error)> {
        if !self.any_shaped.load(Ordering::Relaxed) {
            return Ok(Duration::ZERO);
        }
        let mut st = self.lock();
        let out = st.shapes.get(&(a, b)).copied().unwrap_or_default();
        let back = st.shapes.get(&(b, a)).copied().unwrap_or_default();
        let loss = 1.0 - (1.0 - out.loss) * (1.0 - back.loss);
        let (late, gave_up) = retransmissions(&mut st.rng, loss, SYN_RTO, SYN_RETRIES);
        let total = late + draw_ms(&mut st.rng, &out) + draw_ms(&mut st.rng, &back);
        if gave_up {
            Err((total, io::Error::new(io::ErrorKind::TimedOut, "connection timed out")))
        } else {
            Ok(total)
        }
    }
}

/// The time lost to retransmitting one packet whose every copy is lost with probability `loss`,
/// and whether all `retries` retransmissions were lost too.
fn retransmissions(rng: &mut ChaCha8Rng, loss: f64, first_rto: Duration, retries: u32) -> (Duration, bool) {
    let mut late = Duration::ZERO;
    let mut rto = first_rto;
    for _ in 0..=retries {
        if loss <= 0.0 || unit(rng) >= loss {
            return (late, false);
        }
        late += rto;
        rto = (rto * 2).min(RTO_MAX);
    }
    (late, true)
}

fn draw_ms(rng: &mut ChaCha8Rng, shape: &Shape) -> Duration {
    if shape.max_ms == 0 {
        return Duration::ZERO;
    }
    let span = shape.max_ms - shape.min_ms + 1;
    Duration::from_millis(shape.min_ms + rng.next_u64() % span)
}

/// A uniform draw in [0, 1).
fn unit(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}
