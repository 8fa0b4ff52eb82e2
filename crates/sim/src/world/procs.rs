//! The scenario's processes, one simulated host each: data nodes and Sentinels, built with the
//! handles the timeline needs to kill, restart, pause and skew them.

use super::clock::NodeClock;
use super::net::{self, AddressBook, Network, ProcNet};
use super::recorder::{DataTrace, Recorder, SentinelTrace};
use crate::spec::{ProcKind, ProcSpec, WorldSpec};
use crate::trace::Kind;
use madsim::runtime::{Handle, NodeHandle};
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// Sentinels start this long after the data nodes, so that replicas are attached when a
/// Sentinel first asks the master for INFO (as in the reference capture, where the data nodes
/// were up before the Sentinels started).
pub const SENTINEL_BOOT_DELAY: Duration = Duration::from_millis(1000);

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
    for (i, p) in spec.procs.iter().enumerate() {
        let clock = NodeClock::new(w.start);
        // Each start of the process draws a fresh seed from this one.
        let seed = crate::plan::mix(spec.seed, i as u64 + 1);
        let (node, files) = match &p.kind {
            ProcKind::Redis(cfg) => data_node(w, i, p, cfg, &clock, seed),
            ProcKind::Sentinel { config } => sentinel(w, i, p, config, &clock, seed, spec.debug_probe),
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

/// A Redis data node; `init` runs again on every restart, with the next seed.
fn data_node(
    w: &Wiring,
    i: usize,
    p: &ProcSpec,
    cfg: &redis_node::RedisConfig,
    clock: &NodeClock,
    seed: u64,
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

/// A Sentinel started from `config` (its sentinel.conf, rewritten in its storage as it runs);
/// it waits for [`SENTINEL_BOOT_DELAY`] on its first start.
fn sentinel(
    w: &Wiring,
    i: usize,
    p: &ProcSpec,
    config: &str,
    clock: &NodeClock,
    seed: u64,
    debug_probe: bool,
) -> (NodeHandle, Files) {
    let starts = Arc::new(AtomicU64::new(0));
    let storage = host::MemStorage::new();
    host::Storage::save(&storage, "sentinel.conf", config).expect("memory storage");
    let env = sentinel::Env {
        clock: Arc::new(clock.clone()),
        net: w.proc_net(net::sim_ip(i)),
        storage: Arc::new(storage.clone()),
        observer: Arc::new(SentinelTrace {
            node: p.name.clone(),
            rec: w.rec.clone(),
            debug_probe,
        }),
    };
    let ip = p.ip.clone();
    let (exit_rec, exit_name) = (w.rec.clone(), p.name.clone());
    let boot_at = w.start + SENTINEL_BOOT_DELAY;
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
                    let now = Instant::now();
                    if now < boot_at {
                        tokio::time::sleep(boot_at - now).await;
                    }
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
