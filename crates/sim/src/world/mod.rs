//! The simulated world on madsim: one simulated host per process (each with its own IP, known to
//! the others by the scenario's address), per-process wall clocks, files that survive kills, the
//! fault timeline, and one ordered trace of everything that happened.
//!
//! Only built with `--cfg madsim`.

pub mod clock;
pub mod net;
pub mod probe;
mod shaping;

use crate::spec::{ProcKind, WorldAction, WorldSpec};
use crate::trace::{FinalState, Kind, SentinelEvent, TraceEvent, WorldNote};
use clock::NodeClock;
use madsim::net::NetSim;
use madsim::runtime::{Handle, NodeHandle};
use net::{AddressBook, Network, ProcNet};
use std::net::IpAddr;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// The network's RNG stream (per-link latency and loss draws), mixed with the run's seed.
const NETWORK_RNG_STREAM: u64 = 0x6e65_7477_6f72_6b;

/// Sentinels start this long after the data nodes, so that replicas are attached when a
/// Sentinel first asks the master for INFO (as in the reference capture, where the data nodes
/// were up before the Sentinels started).
pub const SENTINEL_BOOT_DELAY: Duration = Duration::from_millis(1000);

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
}

/// Trace events a run may record: far above any bundled scenario (the 10-minute soak records
/// about 20 000), a bound on memory for runs that never settle.
pub const MAX_TRACE_EVENTS: usize = 2_000_000;

/// The trace every process appends to. One mutex, one thread: the order is the simulation's.
#[derive(Clone)]
pub struct Recorder {
    start: Instant,
    events: Arc<Mutex<Vec<TraceEvent>>>,
    /// `kill_on`: the armed event name; the node that emits it is sent to `fired`.
    trigger: Arc<Mutex<Option<String>>>,
    fired: tokio::sync::mpsc::UnboundedSender<(String, String)>,
}

impl Recorder {
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
    fn take(&self) -> Vec<TraceEvent> {
        std::mem::take(&mut *self.events.lock().unwrap())
    }
}

struct SentinelTrace {
    node: String,
    rec: Recorder,
    /// Whether events carry the core's debug probe ([`WorldSpec::debug_probe`]).
    debug_probe: bool,
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
        if trig.as_deref() == Some(ev.name()) {
            *trig = None;
            let _ = self.rec.fired.send((self.node.clone(), ev.name().to_string()));
        }
    }
}

struct DataTrace {
    node: String,
    rec: Recorder,
}

impl redis_node::DataObserver for DataTrace {
    fn note(&self, line: &str) {
        self.rec.push(&self.node, Kind::Data { line: line.to_string() });
    }
}

/// Per-process handles the world keeps to inject faults.
struct Proc {
    /// Where everyone knows it (`127.0.0.1`, 6382).
    ip: String,
    port: u16,
    /// Its simulated host.
    host: IpAddr,
    node: NodeHandle,
    clock: NodeClock,
    files: Files,
    alive: bool,
}

#[derive(Clone)]
enum Files {
    Redis(redis_node::Disk),
    Sentinel(host::MemStorage),
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
                let mut rt = madsim::runtime::Runtime::with_seed_and_config(spec.seed, madsim::Config::default());
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

async fn play(spec: WorldSpec) -> WorldOutcome {
    let h = Handle::current();
    let start = Instant::now();
    let (fired, mut fired_rx) = tokio::sync::mpsc::unbounded_channel::<(String, String)>();
    let rec = Recorder {
        start,
        events: Arc::new(Mutex::new(Vec::new())),
        trigger: Arc::new(Mutex::new(None)),
        fired,
    };
    let book = AddressBook::new(
        spec.procs
            .iter()
            .enumerate()
            .map(|(i, p)| ((p.ip.clone(), p.port), SocketAddr::new(net::sim_ip(i), p.port))),
    );
    let observer = h.create_node().name("observer").ip(net::observer_ip()).build();
    // Its own RNG stream: draws for shaped links never shift the processes' draws.
    let network = Network::new(crate::plan::mix(spec.seed, NETWORK_RNG_STREAM));

    let mut procs: Vec<Proc> = Vec::new();
    for (i, p) in spec.procs.iter().enumerate() {
        let clock = NodeClock::new(start);
        let starts = Arc::new(AtomicU64::new(0));
        let seed = crate::plan::mix(spec.seed, i as u64 + 1);
        let (node, files) = match &p.kind {
            ProcKind::Redis(cfg) => {
                let disk = redis_node::Disk::new();
                let env = redis_node::Env {
                    clock: Arc::new(clock.clone()),
                    net: Arc::new(ProcNet {
                        book: book.clone(),
                        me: net::sim_ip(i),
                        net: network.clone(),
                    }),
                    disk: disk.clone(),
                    observer: Arc::new(DataTrace {
                        node: p.name.clone(),
                        rec: rec.clone(),
                    }),
                };
                let cfg = cfg.clone();
                let (exit_rec, exit_name) = (rec.clone(), p.name.clone());
                let node = h
                    .create_node()
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
            ProcKind::Sentinel { config } => {
                let storage = host::MemStorage::new();
                host::Storage::save(&storage, "sentinel.conf", config).expect("memory storage");
                let env = sentinel::Env {
                    clock: Arc::new(clock.clone()),
                    net: Arc::new(ProcNet {
                        book: book.clone(),
                        me: net::sim_ip(i),
                        net: network.clone(),
                    }),
                    storage: Arc::new(storage.clone()),
                    observer: Arc::new(SentinelTrace {
                        node: p.name.clone(),
                        rec: rec.clone(),
                        debug_probe: spec.debug_probe,
                    }),
                };
                let ip = p.ip.clone();
                let (exit_rec, exit_name) = (rec.clone(), p.name.clone());
                let boot_at = start + SENTINEL_BOOT_DELAY;
                let node = h
                    .create_node()
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
    } // Workload clients, each on its own host (after the processes' hosts).
    let history = crate::workload::history::History::new();
    let mut hosts: Vec<(IpAddr, madsim::task::NodeId)> = procs.iter().map(|p| (p.host, p.node.id())).collect();
    let mut near: Vec<Option<usize>> = vec![None; procs.len()];
    for (j, c) in spec.clients.iter().enumerate() {
        let ip = net::sim_ip(spec.procs.len() + j);
        let env = crate::workload::client::ClientEnv {
            net: Arc::new(ProcNet {
                book: book.clone(),
                me: ip,
                net: network.clone(),
            }),
            history: history.clone(),
            start,
        };
        let cfg = c.config.clone();
        let node = h.create_node().name(cfg.name.clone()).ip(ip).build();
        node.spawn(crate::workload::client::run_client(cfg, env));
        hosts.push((ip, node.id()));
        near.push(c.near);
    }
    for &(ip, id) in &hosts {
        network.register(ip, id);
    }
    let names: Vec<String> = spec.procs.iter().map(|p| p.name.clone()).collect();
    let mut next = 0;
    loop {
        let due_ms = spec.actions.get(next).map_or(spec.duration_ms, |a| a.at_ms);
        let wait = Duration::from_millis(due_ms).saturating_sub(start.elapsed());
        tokio::select! {
            biased;
            Some((node, event)) = fired_rx.recv() => {
                // A `kill_on` trigger fired: kill that process now, as an ordinary kill.
                if let Some(i) = names.iter().position(|n| *n == node) {
                    let line = format!("kill {}:{}", procs[i].ip, procs[i].port);
                    let note = WorldNote::TriggeredKill { node, event };
                    let mut w = WorldCtl { h: &h, rec: &rec, book: &book, observer: &observer, net: &network, hosts: &hosts, near: &near };
                    w.apply(&mut procs, &WorldAction::Kill(i), note, &line);
                }
            }
            _ = tokio::time::sleep(wait) => {
                let Some(ta) = spec.actions.get(next) else { break };
                next += 1;
                let mut w = WorldCtl { h: &h, rec: &rec, book: &book, observer: &observer, net: &network, hosts: &hosts, near: &near };
                let note = WorldNote::Timeline { action: ta.source.clone() };
                w.apply(&mut procs, &ta.action, note, &ta.line);
            }
        }
    }
    let alive: Vec<bool> = procs.iter().map(|p| p.alive && !h.is_exit(p.node.id())).collect();
    let final_state = probe::final_state(&spec, &book, &observer, &alive, &procs_files(&procs)).await;
    let ops = history.snapshot();
    let surviving = if spec.clients.is_empty() {
        None
    } else {
        let keys = crate::workload::history::keys_to_check(&ops);
        let read = match crate::check::final_master(&final_state) {
            Ok(m) => {
                let (ip, port) = crate::scenario::split_addr(&m.addr);
                let master = (ip.to_string(), port.parse().unwrap_or(0));
                let book = book.clone();
                observer
                    .spawn(async move {
                        crate::workload::client::read_surviving(&book, master, &keys, Duration::from_secs(10)).await
                    })
                    .await
                    .unwrap_or_else(|_| Err("the reader task failed".into()))
            }
            Err(e) => Err(e),
        };
        Some(match read {
            Ok(m) => m,
            Err(e) => {
                let line =
                    format!("writes: cannot read the surviving data ({e}); every acknowledged write counts as lost");
                rec.action(WorldNote::SurvivorsUnreadable { error: e }, line);
                Default::default()
            }
        })
    };
    WorldOutcome {
        trace: rec.take(),
        final_state,
        sim_ms: spec.duration_ms,
        history: ops,
        surviving,
    }
}

fn procs_files(procs: &[Proc]) -> Vec<Option<host::MemStorage>> {
    procs
        .iter()
        .map(|p| match &p.files {
            Files::Sentinel(s) => Some(s.clone()),
            Files::Redis(_) => None,
        })
        .collect()
}

/// What the timeline needs to act on the world.
struct WorldCtl<'a> {
    h: &'a Handle,
    rec: &'a Recorder,
    book: &'a AddressBook,
    observer: &'a NodeHandle,
    net: &'a Network,
    /// Every host the network faults act on: the processes, then the clients.
    hosts: &'a [(IpAddr, madsim::task::NodeId)],
    /// For each host, the process whose side of every partition it shares (clients only).
    near: &'a [Option<usize>],
}

impl WorldCtl<'_> {
    fn apply(&mut self, procs: &mut [Proc], action: &WorldAction, note: WorldNote, line: &str) {
        let (h, rec) = (self.h, self.rec);
        rec.action(note, line.to_string());
        match action {
            WorldAction::Kill(i) => {
                let p = &mut procs[*i];
                h.kill(p.node.id());
                p.alive = false;
            }
            WorldAction::Restart { proc, wipe } => {
                let p = &mut procs[*proc];
                if *wipe {
                    match &p.files {
                        Files::Redis(d) => d.wipe(),
                        Files::Sentinel(s) => s.wipe(),
                    }
                }
                if p.alive {
                    // madsim re-runs `init` before the killed instance's listener is released
                    // ("address already in use"): kill now, start 1ms later.
                    h.kill(p.node.id());
                    let (h2, id) = (h.clone(), p.node.id());
                    self.observer.spawn(async move {
                        tokio::time::sleep(Duration::from_millis(1)).await;
                        h2.restart(id);
                    });
                } else {
                    h.restart(p.node.id());
                }
                p.alive = true;
            }
            WorldAction::Pause(i) => {
                let p = &mut procs[*i];
                h.pause(p.node.id());
            }
            WorldAction::Resume(i) => {
                let p = &mut procs[*i];
                h.resume(p.node.id());
            }
            WorldAction::Command { proc, args } => {
                let p = &procs[*proc];
                let Some(addr) = self.book.lookup(&p.ip, p.port) else {
                    return;
                };
                let rec = rec.clone();
                let args = args.clone();
                let line = line.to_string();
                self.observer.spawn(async move {
                    let reply = probe::request(addr, &args, Duration::from_secs(5)).await;
                    let shown = match reply {
                        Some(v) => probe::show(&v),
                        None => "(no reply)".into(),
                    };
                    // Not an action line (it must not count as a second FAILOVER): a reply line.
                    let note = WorldNote::Reply {
                        to: line.clone(),
                        reply: shown.clone(),
                    };
                    rec.action(note, format!("reply to {line}: {shown}"));
                });
            }
            WorldAction::Partition { groups } => {
                self.heal();
                let groups: Vec<Vec<usize>> = groups.iter().map(|g| self.with_clients(g)).collect();
                for (gi, ga) in groups.iter().enumerate() {
                    for gb in groups.iter().skip(gi + 1) {
                        for &a in ga {
                            for &b in gb {
                                self.cut(a, b);
                                self.cut(b, a);
                            }
                        }
                    }
                }
            }
            WorldAction::PartitionOneway { from, to } => {
                let (from, to) = (self.with_clients(from), self.with_clients(to));
                for &a in &from {
                    for &b in &to {
                        if a != b {
                            self.cut(a, b);
                        }
                    }
                }
            }
            WorldAction::Heal => self.heal(),
            WorldAction::Latency {
                min_ms,
                max_ms,
                links: None,
            } => {
                let (lo, hi) = (
                    Duration::from_millis(*min_ms),
                    Duration::from_millis((*max_ms).max(*min_ms + 1)),
                );
                NetSim::current().update_config(|c| c.send_latency = lo..hi);
            }
            WorldAction::Latency {
                min_ms,
                max_ms,
                links: Some(links),
            } => self.shape(links, |s| (s.min_ms, s.max_ms) = (*min_ms, *max_ms)),
            WorldAction::Loss { rate, links: None } => NetSim::current().update_config(|c| c.packet_loss_rate = *rate),
            WorldAction::Loss {
                rate,
                links: Some(links),
            } => self.shape(links, |s| s.loss = *rate),
            WorldAction::NetReset => {
                NetSim::current().update_config(|c| *c = madsim::net::Config::default());
                self.net.unshape_all();
            }
            WorldAction::ClockSkew { proc, offset_ms } => procs[*proc].clock.set_offset_ms(*offset_ms),
            WorldAction::ClockJump { proc, by_ms } => procs[*proc].clock.jump_ms(*by_ms),
            WorldAction::ClockDrift { proc, rate } => procs[*proc].clock.set_rate(*rate),
            WorldAction::ClockReset { proc } => procs[*proc].clock.reset(),
            WorldAction::KillOn { event } => *rec.trigger.lock().unwrap() = Some(event.clone()),
            WorldAction::ClockStrobe {
                proc,
                amplitude_ms,
                period_ms,
                duration_ms,
            } => {
                let clock = procs[*proc].clock.clone();
                let (amp, period, dur) = (*amplitude_ms as i64, (*period_ms).max(1), *duration_ms);
                self.observer.spawn(async move {
                    let base = clock.offset_ms();
                    let mut elapsed = 0;
                    let mut high = false;
                    while elapsed < dur {
                        high = !high;
                        clock.set_offset_ms(if high { base + amp } else { base });
                        tokio::time::sleep(Duration::from_millis(period)).await;
                        elapsed += period;
                    }
                    clock.set_offset_ms(base);
                });
            }
        }
    }
    /// A group of processes plus the clients that live next to one of them.
    fn with_clients(&self, group: &[usize]) -> Vec<usize> {
        let mut g = group.to_vec();
        for (host, n) in self.near.iter().enumerate() {
            if n.is_some_and(|n| group.contains(&n)) {
                g.push(host);
            }
        }
        g
    }

    /// Cuts the directed path a → b (silently dropped, like a firewall DROP rule). `a` and `b`
    /// index `hosts`.
    fn cut(&mut self, a: usize, b: usize) {
        self.net.cut(self.hosts[a].0, self.hosts[b].0);
    }

    fn heal(&mut self) {
        self.net.heal();
    }
}
