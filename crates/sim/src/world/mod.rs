//! The simulated world on madsim: one simulated host per process (each with its own IP, known to
//! the others by the scenario's address), per-process wall clocks, files that survive kills, the
//! fault timeline, and one ordered trace of everything that happened.
//!
//! A run ([`run`]) goes through the modules in order:
//! - [`procs`]: one host per data node and Sentinel, with its clock and its files;
//! - [`clients`]: the workload's clients on hosts of their own (and, at the end, the read of what
//!   survived of their writes);
//! - [`timeline`]: the fault actions at their times, by family (process, network, clock,
//!   operator), with `shaping` for the per-link latency and loss;
//! - [`probe`]: the final state, asked of every process that is still up.
//!
//! Underneath: [`recorder`] (the trace, which every process writes to), [`net`] (the network
//! layer), [`clock`] (per-process wall clocks).
//!
//! Only built with `--cfg madsim`.

mod clients;
pub mod clock;
mod disk_watch;
pub mod net;
pub mod probe;
mod procs;
mod recorder;
mod repl_view;
mod shaping;
mod timeline;
pub use timeline::madsim_net;

pub use procs::{first_starts, SENTINEL_BOOT_DELAY, START_PHASE_WINDOW_MS};
pub use recorder::{Recorder, MAX_TRACE_EVENTS};

use crate::spec::WorldSpec;
use crate::trace::{FinalState, TraceEvent};
use madsim::runtime::Handle;
use madsim::task::NodeId;
use net::{AddressBook, Network};
use procs::Wiring;
use std::net::SocketAddr;
use std::time::Duration;
use timeline::WorldCtl;
use tokio::time::Instant;

/// The network's RNG stream (per-link latency and loss draws), mixed with the run's seed.
const NETWORK_RNG_STREAM: u64 = 0x006e_6574_776f_726b;

/// What a run produced.
#[derive(Debug, Clone)]
pub struct WorldOutcome {
    pub trace: Vec<TraceEvent>,
    pub final_state: FinalState,
    pub sim_ms: u64,
    /// Every client operation, in completion order.
    pub history: Vec<crate::workload::history::Op>,
    /// What survived on the final master, for the keys of acknowledged writes (None without
    /// clients; empty when there was no single master to read from).
    pub surviving: Option<std::collections::BTreeMap<String, String>>,
    /// What crossed the network (for `bench`; not part of the trace).
    pub net: net::NetCounts,
}

/// Runs `spec` on a fresh madsim runtime in a fresh OS thread (thread-local RNG and hash seeds
/// are set once per thread, so reusing a thread would break determinism).
pub fn run(spec: WorldSpec) -> Result<WorldOutcome, String> {
    // Bounded in simulated time by madsim's time limit, and in wall time by this thread, which
    // waits outside the simulation: a process spinning without letting time advance cannot hang
    // a sweep. (`SIM_WALL_LIMIT_S` overrides the bound.)
    let wall_limit_s: u64 = std::env::var("SIM_WALL_LIMIT_S")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(600);
    let seed = spec.seed;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name(format!("sim-seed-{seed}"))
        .spawn(move || {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let mut config = madsim::Config::default();
                config.net = timeline::madsim_net(&spec.network);
                let mut rt = madsim::runtime::Runtime::with_seed_and_config(spec.seed, config);
                rt.set_time_limit(Duration::from_millis(spec.duration_ms + 120_000));
                rt.block_on(play(spec))
            }));
            let _ = tx.send(result);
        })
        .map_err(|e| format!("cannot start the simulation thread: {e}"))?;
    match rx.recv_timeout(Duration::from_secs(wall_limit_s)) {
        Ok(Ok(outcome)) if outcome.trace.len() >= MAX_TRACE_EVENTS => Err(format!(
            "seed {seed}: the trace reached its bound of {MAX_TRACE_EVENTS} events; later events were dropped"
        )),
        Ok(Ok(outcome)) => Ok(outcome),
        Ok(Err(panic)) => {
            let msg = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            Err(format!("the simulation panicked: {msg}"))
        }
        Err(_) => Err(format!(
            "seed {seed}: the run exceeded its wall-clock bound of {wall_limit_s}s (a livelock?); its thread is abandoned"
        )),
    }
}

/// Builds the world, plays the timeline to the end, and probes what is left.
async fn play(spec: WorldSpec) -> WorldOutcome {
    let h = Handle::current();
    let start = Instant::now();
    let (rec, fired) = Recorder::new(start);
    let book = AddressBook::new(
        spec.procs
            .iter()
            .enumerate()
            .map(|(i, p)| ((p.ip.clone(), p.port), SocketAddr::new(net::sim_ip(i), p.port))),
    );
    let observer = h.create_node().name("observer").ip(net::observer_ip()).build();
    // Its own RNG stream: draws for shaped links never shift the processes' draws.
    let network = Network::new(crate::plan::mix(spec.seed, NETWORK_RNG_STREAM));
    let wiring = Wiring {
        h: &h,
        start,
        rec: &rec,
        book: &book,
        net: &network,
    };
    network.set_tap(net::TapCtx {
        rec: rec.clone(),
        hosts: spec
            .procs
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let host = net::Host {
                    name: p.name.clone(),
                    sentinel: p.is_sentinel(),
                };
                (net::sim_ip(i), host)
            })
            .collect(),
    });
    let mut procs = procs::build(&spec, &wiring);
    let history = crate::workload::history::History::new();
    let hosts = clients::start(&spec, &wiring, &procs, &history);
    for &(ip, id) in &hosts.hosts {
        network.register(ip, id);
    }
    let names: Vec<String> = (spec.procs.iter().map(|p| p.name.clone()))
        .chain(spec.clients.iter().map(|c| c.config.name.clone()))
        .collect();
    let mut ctl = WorldCtl {
        h: &h,
        rec: &rec,
        book: &book,
        observer: &observer,
        net: &network,
        procs: &mut procs,
        hosts: &hosts.hosts,
        near: &hosts.near,
        names: &names,
        rates: vec![1.0; spec.procs.len()],
        auth_pass: spec.auth_pass.clone(),
        global: timeline::global_of(&spec.network),
        base: spec.network,
    };
    ctl.play(&spec, start, fired).await;
    let alive: Vec<bool> = procs.iter().map(|p| p.alive && !h.is_exit(p.node.id())).collect();
    let final_state = probe::final_state(&spec, &book, &observer, &alive, &procs::sentinel_files(&procs)).await;
    let ops = history.snapshot();
    let surviving = clients::read_surviving(&spec, &final_state, &ops, &book, &observer, &rec).await;
    let outcome = WorldOutcome {
        trace: rec.take(),
        final_state,
        sim_ms: spec.duration_ms,
        history: ops,
        surviving,
        net: network.counts(),
    };
    let nodes: Vec<NodeId> = hosts.hosts.iter().map(|&(_, id)| id).chain([observer.id()]).collect();
    drop_every_task(&h, &nodes).await;
    outcome
}

/// Kills every node so that madsim drops their tasks before the runtime goes. madsim does not
/// cancel tasks when a runtime is dropped (madsim-rs/madsim#242): a task still waiting (on a read, a timer) is owned by
/// the wakers its peers' connections and the timers hold, and those by the tasks, so each run
/// would leak its processes' tasks and buffers (~1.5 MB per run of master_kill). Called after the
/// outcome is taken: nothing the dropped tasks do reaches it.
async fn drop_every_task(h: &Handle, nodes: &[NodeId]) {
    for &id in nodes {
        h.kill(id);
    }
    // Killing wakes each task; the executor drops a killed node's task when it takes it from its
    // ready queue, which it empties before `block_on` returns.
    tokio::task::yield_now().await;
}
