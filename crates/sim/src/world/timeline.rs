//! Plays the fault timeline: each action at its time (and a `kill_on` kill as soon as its event
//! fires), traced as a world line before it acts. Actions come in the scenario's families:
//! process, network, clock and operator.

use super::clock::NodeClock;
use super::net::{AddressBook, Network, Shape};
use super::probe;
use super::procs::{Files, Proc};
use super::recorder::Recorder;
use crate::spec::{WorldAction, WorldSpec};
use crate::trace::{Fact, Kind, ProcState, WorldNote};
use madsim::net::NetSim;
use madsim::runtime::{Handle, NodeHandle};
use std::net::IpAddr;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::Instant;

/// What the timeline needs to act on the world.
pub(super) struct WorldCtl<'a> {
    pub h: &'a Handle,
    pub rec: &'a Recorder,
    pub book: &'a AddressBook,
    /// The runner's own host, where operator commands and clock strobes run.
    pub observer: &'a NodeHandle,
    pub net: &'a Network,
    pub procs: &'a mut [Proc],
    /// Every host the network faults act on: the processes, then the clients.
    pub hosts: &'a [(IpAddr, madsim::task::NodeId)],
    /// For each host, the process whose side of every partition it shares (clients only).
    pub near: &'a [Option<usize>],
    /// Each host's name (the processes', then the clients').
    pub names: &'a [String],
    /// Each process's clock rate (the world's record; [`NodeClock`] keeps it but does not show it).
    pub rates: Vec<f64>,
    /// The data nodes' password: operator commands to a data node `AUTH` with it first.
    pub auth_pass: Option<String>,
    /// madsim's global latency range (µs) and loss rate, as last set.
    pub global: (u64, u64, f64),
    /// The scenario's base network, which `net_reset` goes back to.
    pub base: crate::scenario::Network,
}

impl WorldCtl<'_> {
    /// Plays `spec`'s actions until its end (`start` is the run's time zero); `fired` brings the
    /// node that emitted an armed `kill_on` event.
    pub async fn play(&mut self, spec: &WorldSpec, start: Instant, mut fired: UnboundedReceiver<(String, String)>) {
        let names: Vec<String> = spec.procs.iter().map(|p| p.name.clone()).collect();
        let (min_us, max_us, loss) = self.global;
        self.fact(Fact::Network { min_us, max_us, loss });
        for node in &names {
            self.fact(Fact::Process {
                node: node.clone(),
                state: ProcState::Alive,
            });
        }
        let mut next = 0;
        loop {
            let due_ms = spec.actions.get(next).map_or(spec.duration_ms, |a| a.at_ms);
            let wait = Duration::from_millis(due_ms).saturating_sub(start.elapsed());
            tokio::select! {
                biased;
                Some((node, event)) = fired.recv() => {
                    // A `kill_on` trigger fired: kill that process now, as an ordinary kill.
                    // `node` is the emitter's name, or the subject's `ip:port` (`target = "subject"`).
                    let addr = |i: usize| format!("{}:{}", self.procs[i].ip, self.procs[i].port);
                    if let Some(i) = (0..names.len()).find(|&i| names[i] == node || addr(i) == node) {
                        let line = format!("kill {}", addr(i));
                        let note = WorldNote::TriggeredKill { node: names[i].clone(), event };
                        self.apply(&WorldAction::Kill(i), note, &line);
                    }
                }
                _ = tokio::time::sleep(wait) => {
                    let Some(ta) = spec.actions.get(next) else { break };
                    next += 1;
                    let note = WorldNote::Timeline { action: ta.source.clone() };
                    self.apply(&ta.action, note, &ta.line);
                }
            }
        }
    }

    /// Traces `line` (with its `note`), then does `action`.
    fn apply(&mut self, action: &WorldAction, note: WorldNote, line: &str) {
        self.rec.action(note, line.to_string());
        match action {
            WorldAction::Kill(_)
            | WorldAction::Restart { .. }
            | WorldAction::Pause(_)
            | WorldAction::Resume(_)
            | WorldAction::KillOn { .. } => self.process(action),
            WorldAction::Partition { .. }
            | WorldAction::PartitionOneway { .. }
            | WorldAction::Heal
            | WorldAction::Latency { .. }
            | WorldAction::Loss { .. }
            | WorldAction::NetReset => self.network(action),
            WorldAction::ClockSkew { .. }
            | WorldAction::ClockJump { .. }
            | WorldAction::ClockDrift { .. }
            | WorldAction::ClockReset { .. }
            | WorldAction::ClockStrobe { .. } => self.clock(action),
            WorldAction::Command { proc, args } => self.operator(*proc, args, line),
        }
    }

    fn process(&mut self, action: &WorldAction) {
        let h = self.h;
        let (proc, state) = match action {
            WorldAction::Kill(i) => {
                let p = &mut self.procs[*i];
                h.kill(p.node.id());
                p.alive = false;
                (*i, ProcState::Killed)
            }
            WorldAction::Restart { proc, wipe } => {
                self.restart(*proc, *wipe);
                (*proc, ProcState::Restarted)
            }
            WorldAction::Pause(i) => {
                h.pause(self.procs[*i].node.id());
                (*i, ProcState::Paused)
            }
            WorldAction::Resume(i) => {
                h.resume(self.procs[*i].node.id());
                (*i, ProcState::Resumed)
            }
            WorldAction::KillOn { event, subject } => return self.rec.arm(event.clone(), *subject),
            _ => unreachable!("not a process action"),
        };
        let node = self.names[proc].clone();
        self.fact(Fact::Process { node, state });
    }

    /// Records a change of the world's state (ground truth) in the trace.
    fn fact(&self, fact: Fact) {
        // An owned copy: the fact itself moves into the trace event.
        let node = fact.node().to_string();
        self.rec.push(&node, Kind::World(fact));
    }

    fn restart(&mut self, proc: usize, wipe: bool) {
        let h = self.h;
        let p = &mut self.procs[proc];
        if wipe {
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

    /// Does a network action, then records what it changed: cuts, shapes, the global config.
    fn network(&mut self, action: &WorldAction) {
        let (cuts, shapes) = (self.net.cuts(), self.net.shapes());
        self.network_act(action);
        for f in network_facts(
            self.hosts,
            self.names,
            (&cuts, &self.net.cuts()),
            (&shapes, &self.net.shapes()),
        ) {
            self.fact(f);
        }
        let global = match action {
            WorldAction::Latency {
                min_ms,
                max_ms,
                links: None,
            } => (*min_ms * 1000, *max_ms * 1000, self.global.2),
            WorldAction::Loss { rate, links: None } => (self.global.0, self.global.1, *rate),
            WorldAction::NetReset => global_of(&self.base),
            _ => self.global,
        };
        if global != self.global {
            self.global = global;
            let (min_us, max_us, loss) = global;
            self.fact(Fact::Network { min_us, max_us, loss });
        }
    }

    fn network_act(&mut self, action: &WorldAction) {
        match action {
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
                let base = madsim_net(&self.base);
                NetSim::current().update_config(|c| *c = base);
                self.net.unshape_all();
            }
            _ => unreachable!("not a network action"),
        }
    }

    /// Does a clock action and records the clock's new offset and rate (a strobe records each
    /// flip).
    fn clock(&mut self, action: &WorldAction) {
        let proc = match action {
            WorldAction::ClockSkew { proc, offset_ms } => {
                self.procs[*proc].clock.set_offset_ms(*offset_ms);
                *proc
            }
            WorldAction::ClockJump { proc, by_ms } => {
                self.procs[*proc].clock.jump_ms(*by_ms);
                *proc
            }
            WorldAction::ClockDrift { proc, rate } => {
                self.procs[*proc].clock.set_rate(*rate);
                self.rates[*proc] = *rate;
                *proc
            }
            WorldAction::ClockReset { proc } => {
                self.procs[*proc].clock.reset();
                self.rates[*proc] = 1.0;
                *proc
            }
            WorldAction::ClockStrobe {
                proc,
                amplitude_ms,
                period_ms,
                duration_ms,
            } => {
                let clock = self.procs[*proc].clock.clone();
                let record = ClockRecord {
                    rec: self.rec.clone(),
                    node: self.names[*proc].clone(),
                    rate: self.rates[*proc],
                };
                self.observer.spawn(strobe(
                    clock,
                    record,
                    *amplitude_ms as i64,
                    (*period_ms).max(1),
                    *duration_ms,
                ));
                return;
            }
            _ => unreachable!("not a clock action"),
        };
        self.fact(Fact::Clock {
            node: self.names[proc].clone(),
            offset_ms: self.procs[proc].clock.offset_ms(),
            rate: self.rates[proc],
        });
    }

    /// An operator command (FAILOVER, SENTINEL SET, REPLICAOF...) sent from the observer host; its
    /// reply is traced when it comes.
    fn operator(&mut self, proc: usize, args: &[String], line: &str) {
        let p = &self.procs[proc];
        let Some(addr) = self.book.lookup(&p.ip, p.port) else {
            return;
        };
        let rec = self.rec.clone();
        let args = args.to_vec();
        let line = line.to_string();
        let password = match p.files {
            super::procs::Files::Redis(_) => self.auth_pass.clone(),
            super::procs::Files::Sentinel(_) => None,
        };
        self.observer.spawn(async move {
            let reply = probe::request_as(addr, password.as_deref(), &args, Duration::from_secs(5)).await;
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

    /// A group of processes plus the clients that live next to one of them.
    pub(super) fn with_clients(&self, group: &[usize]) -> Vec<usize> {
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

/// The world's record of a base network: (min µs, max µs, loss).
pub(super) fn global_of(n: &crate::scenario::Network) -> (u64, u64, f64) {
    (n.latency_min_us, n.latency_max_us, n.loss)
}

/// madsim's global network configuration for a base network (madsim draws from a half-open
/// range, so an exact latency gets a range 1 µs wide).
pub fn madsim_net(n: &crate::scenario::Network) -> madsim::net::Config {
    let (lo, hi) = (n.latency_min_us, n.latency_max_us.max(n.latency_min_us + 1));
    let mut c = madsim::net::Config::default();
    c.send_latency = Duration::from_micros(lo)..Duration::from_micros(hi);
    c.packet_loss_rate = n.loss;
    c
}

/// What changed between two states of the network (cuts, then shapes), as facts about named hosts.
type Cuts = std::collections::BTreeSet<(IpAddr, IpAddr)>;
type Shapes = std::collections::BTreeMap<(IpAddr, IpAddr), Shape>;
fn network_facts(
    hosts: &[(IpAddr, madsim::task::NodeId)],
    names: &[String],
    cuts: (&Cuts, &Cuts),
    shapes: (&Shapes, &Shapes),
) -> Vec<Fact> {
    let name = |ip: &IpAddr| {
        let i = hosts.iter().position(|(h, _)| h == ip);
        i.and_then(|i| names.get(i)).cloned().unwrap_or_else(|| ip.to_string())
    };
    let mut facts = Vec::new();
    for (pair, cut) in cuts.0.symmetric_difference(cuts.1).map(|p| (p, cuts.1.contains(p))) {
        facts.push(Fact::Link {
            from: name(&pair.0),
            to: name(&pair.1),
            cut,
        });
    }
    let pairs: std::collections::BTreeSet<&(IpAddr, IpAddr)> = shapes.0.keys().chain(shapes.1.keys()).collect();
    for pair in pairs {
        let now = shapes.1.get(pair).copied().unwrap_or_default();
        if shapes.0.get(pair).copied().unwrap_or_default() != now {
            facts.push(Fact::Shape {
                from: name(&pair.0),
                to: name(&pair.1),
                min_ms: now.min_ms,
                max_ms: now.max_ms,
                loss: now.loss,
            });
        }
    }
    facts
}

/// Where a strobe records its flips.
struct ClockRecord {
    rec: Recorder,
    node: String,
    rate: f64,
}

impl ClockRecord {
    fn offset(&self, clock: &NodeClock, offset_ms: i64) {
        clock.set_offset_ms(offset_ms);
        let fact = Fact::Clock {
            node: self.node.clone(),
            offset_ms: clock.offset_ms(),
            rate: self.rate,
        };
        self.rec.push(&self.node, Kind::World(fact));
    }
}

/// `clock_strobe`: the clock's offset alternates between its value and `amp` ms ahead, every
/// `period` ms for `dur` ms, then returns to its value. Each flip is recorded.
async fn strobe(clock: NodeClock, record: ClockRecord, amp: i64, period: u64, dur: u64) {
    let base = clock.offset_ms();
    let mut elapsed = 0;
    let mut high = false;
    while elapsed < dur {
        high = !high;
        record.offset(&clock, if high { base + amp } else { base });
        tokio::time::sleep(Duration::from_millis(period)).await;
        elapsed += period;
    }
    record.offset(&clock, base);
}
