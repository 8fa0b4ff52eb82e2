//! The scenario's processes, one simulated host each: data nodes and Sentinels, built with the
//! handles the timeline needs to kill, restart, pause and skew them.
//!
//! **Start phases.** Sentinel's timers (PING every 1 s, hello every 2 s, INFO every 10 s or 1 s)
//! and a data node's replication cron run on periods counted from the process's start. If every
//! process started on a whole second, every seed would see a fault written `at = "10s"` land at
//! the same point of those periods, and behaviours that depend on it (how long a hang goes
//! unnoticed, how a replica's link-down seconds round) would show one mode only. So each process
//! starts at a sub-second phase drawn from the run's seed ([`first_starts`], in the plan, since the
//! real runner starts its processes at the same phases); the scenario's actions keep the times
//! they are written with.

use super::clock::NodeClock;
use super::disk_watch::WatchedStorage;
use super::net::{self, AddressBook, Network, ProcNet};
use super::recorder::{DataTrace, Recorder, SentinelTrace};
use crate::spec::{ProcKind, ProcSpec, WorldSpec};
use crate::trace::Kind;
use madsim::runtime::{Handle, NodeHandle};
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::time::Instant;

pub use crate::plan::start_phases::{first_starts, SENTINEL_BOOT_DELAY, START_PHASE_WINDOW_MS};

/// Per-process handles the world keeps to inject faults.
pub(super) struct Proc {
    /// Where everyone knows it (`127.0.0.1`, 6382).
    pub ip: String,
    pub port: u16,
    /// Its simulated host.
    pub host: IpAddr,
    pub node: NodeHandle,
    pub clock: NodeClock,
    pub files: Files,
    pub alive: bool,
}

/// What survives a kill (and what a `wipe` restart clears).
#[derive(Clone)]
pub(super) enum Files {
    Redis(redis_node::Disk),
    Sentinel(host::MemStorage),
}

/// What every simulated host is wired to.
pub(super) struct Wiring<'a> {
    pub h: &'a Handle,
    /// Simulated time zero of the run.
    pub start: Instant,
    pub rec: &'a Recorder,
    pub book: &'a AddressBook,
    pub net: &'a Network,
}

impl Wiring<'_> {
    /// The network as seen from host `me`.
    pub fn proc_net(&self, me: IpAddr) -> Arc<ProcNet> {
        Arc::new(ProcNet {
            book: self.book.clone(),
            me,
            net: self.net.clone(),
        })
    }
}

/// Builds every process of `spec`, in order: process `i` lives on host [`net::sim_ip`]`(i)`.
pub(super) fn build(spec: &WorldSpec, w: &Wiring) -> Vec<Proc> {
    let mut procs = Vec::new();
    let epoch_ms = super::clock::epoch_ms(spec.seed);
    for ((i, p), first_start) in spec.procs.iter().enumerate().zip(first_starts(spec)) {
        let clock = NodeClock::new(w.start, epoch_ms);
        // Each start of the process draws a fresh seed from this one.
        let seed = crate::plan::mix(spec.seed, i as u64 + 1);
        let boot_at = w.start + first_start;
        let (node, files) = match &p.kind {
            ProcKind::Redis(cfg) => data_node(w, i, p, cfg, &clock, seed, boot_at),
            ProcKind::Sentinel { config } => sentinel(w, i, p, config, &clock, (seed, boot_at), spec.debug_probe),
        };
        procs.push(Proc {
            ip: p.ip.clone(),
            port: p.port,
            host: net::sim_ip(i),
            node,
            clock,
            files,
            alive: true,
        });
    }
    procs
}

/// A Redis data node, first started at `boot_at`; `init` runs again on every restart, with the
/// next seed.
fn data_node(
    w: &Wiring,
    i: usize,
    p: &ProcSpec,
    cfg: &redis_node::RedisConfig,
    clock: &NodeClock,
    seed: u64,
    boot_at: Instant,
) -> (NodeHandle, Files) {
    let starts = Arc::new(AtomicU64::new(0));
    let disk = redis_node::Disk::new();
    let env = redis_node::Env {
        clock: Arc::new(clock.clone()),
        net: w.proc_net(net::sim_ip(i)),
        disk: disk.clone(),
        observer: Arc::new(DataTrace {
            node: p.name.clone(),
            rec: w.rec.clone(),
        }),
    };
    let cfg = cfg.clone();
    let (exit_rec, exit_name) = (w.rec.clone(), p.name.clone());
    let node =
        w.h.create_node()
            .name(p.name.clone())
            .ip(net::sim_ip(i))
            .init(move || {
                let mut cfg = cfg.clone();
                cfg.rng_seed = crate::plan::mix(seed, starts.fetch_add(1, Ordering::Relaxed));
                let env = env.clone();
                let (exit_rec, exit_name) = (exit_rec.clone(), exit_name.clone());
                async move {
                    wait_until(boot_at).await;
                    if let Err(e) = redis_node::run(cfg, env).await {
                        exit_rec.push(
                            &exit_name,
                            Kind::Data {
                                line: format!("process exited: {e}"),
                            },
                        );
                    }
                }
            })
            .build();
    (node, Files::Redis(disk))
}

/// A Sentinel started from `config` (its sentinel.conf, rewritten in its storage as it runs),
/// first at `boot_at`; `init` runs again on every restart, with the next seed.
fn sentinel(
    w: &Wiring,
    i: usize,
    p: &ProcSpec,
    config: &str,
    clock: &NodeClock,
    (seed, boot_at): (u64, Instant),
    debug_probe: bool,
) -> (NodeHandle, Files) {
    let starts = Arc::new(AtomicU64::new(0));
    let storage = host::MemStorage::new();
    host::Storage::save(&storage, "sentinel.conf", config).expect("memory storage");
    let env = sentinel::Env {
        clock: Arc::new(clock.clone()),
        net: w.proc_net(net::sim_ip(i)),
        storage: Arc::new(WatchedStorage {
            inner: storage.clone(),
            node: p.name.clone(),
            rec: w.rec.clone(),
            last: Arc::default(),
        }),
        observer: Arc::new(SentinelTrace {
            node: p.name.clone(),
            rec: w.rec.clone(),
            debug_probe,
        }),
    };
    let ip = p.ip.clone();
    let (exit_rec, exit_name) = (w.rec.clone(), p.name.clone());
    let node =
        w.h.create_node()
            .name(p.name.clone())
            .ip(net::sim_ip(i))
            .init(move || {
                let cfg = sentinel::NodeConfig {
                    config_name: "sentinel.conf".into(),
                    seed: crate::plan::mix(seed, starts.fetch_add(1, Ordering::Relaxed)),
                    bind_ip: "0.0.0.0".into(),
                    default_announce_ip: ip.clone(),
                    ..sentinel::NodeConfig::default()
                };
                let env = env.clone();
                let (exit_rec, exit_name) = (exit_rec.clone(), exit_name.clone());
                async move {
                    wait_until(boot_at).await;
                    let outcome = match sentinel::run(cfg, env).await {
                        Ok(code) => format!("process exited with code {code}"),
                        Err(e) => format!("process exited: {e}"),
                    };
                    exit_rec.push(&exit_name, Kind::Data { line: outcome });
                }
            })
            .build();
    (node, Files::Sentinel(storage))
}

/// Holds a process's first start until its boot time; a restart (which runs `init` again later)
/// starts at once.
async fn wait_until(boot_at: Instant) {
    let now = Instant::now();
    if now < boot_at {
        tokio::time::sleep(boot_at - now).await;
    }
}

/// The Sentinels' storages (None for data nodes), for the final-state probe.
pub(super) fn sentinel_files(procs: &[Proc]) -> Vec<Option<host::MemStorage>> {
    procs
        .iter()
        .map(|p| match &p.files {
            Files::Sentinel(s) => Some(s.clone()),
            Files::Redis(_) => None,
        })
        .collect()
}
