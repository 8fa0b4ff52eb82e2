//! Plays the plan on the real processes: starts them at the simulator's start phases for the run's
//! seed (`plan::start_phases`: data nodes within the first second, Sentinels 1.5 s after the last
//! of them, each at its own sub-second phase), follows their
//! logs, and does each action at its time, recording it as the simulator's world does (the action
//! line, then the facts of what changed), and a `kill_on` kill as soon as the armed event shows in
//! a Sentinel's log.

use std::time::Duration;

use tokio::time::Instant;

use super::addrs::Addrs;
use super::firewall::Firewall;
use super::logs::{self, Tail};
use super::probe;
use super::procs::Proc;
use super::recorder::Recorder;
use crate::spec::{WorldAction, WorldSpec};
use crate::trace::{Fact, ProcState, WorldNote};

/// How long after the Sentinels' start every process must still be running.
const STARTUP_CHECK: Duration = Duration::from_millis(500);
/// How often the logs are read (the resolution of `kill_on` and of lines without a usable
/// timestamp).
const POLL: Duration = Duration::from_millis(20);

/// Everything the timeline acts on.
pub struct Stage {
    pub rec: Recorder,
    pub addrs: Addrs,
    pub procs: Vec<Proc>,
    /// Each process's scenario address (ip, port), in the plan's order.
    pub targets: Vec<(String, u16)>,
    pub fw: Firewall,
    pub tails: Vec<Tail>,
    /// `kill_on`: the armed event name, and whether its subject (not its emitter) is the victim.
    pub trigger: Option<(String, bool)>,
}

impl Stage {
    /// Plays `spec` until its end.
    pub async fn play(&mut self, spec: &WorldSpec) -> Result<(), String> {
        let start = Instant::from_std(self.rec.start);
        for p in &spec.procs {
            self.rec.fact(Fact::Process {
                node: p.name.clone(),
                state: ProcState::Alive,
            });
        }
        // The simulator's start phases for this run's seed: each process at a sub-second phase,
        // Sentinels 1.5 s after the last data node. Started all at once, every real run would
        // meet the fault at the same point of the Sentinels' 1 s PING period (one phase of the
        // many the simulator's seeds sample; `diff` showed pause→+sdown at 3.85 s in every run).
        let starts = crate::plan::start_phases::first_starts(spec);
        let all_started = starts.iter().max().copied().unwrap_or_default();
        let mut started = vec![false; self.procs.len()];
        let mut checked = false;
        let mut next = 0;
        loop {
            self.poll_logs();
            let now = start.elapsed();
            for (i, p) in self.procs.iter_mut().enumerate() {
                if !started[i] && starts.get(i).is_some_and(|t| now >= *t) {
                    p.start()?;
                    started[i] = true;
                }
            }
            if !checked && now >= all_started + STARTUP_CHECK {
                self.check_started()?;
                checked = true;
            }
            while let Some(ta) = spec.actions.get(next).filter(|a| Duration::from_millis(a.at_ms) <= now) {
                next += 1;
                let note = WorldNote::Timeline {
                    action: ta.source.clone(),
                };
                self.apply(&ta.action, note, &ta.line)?;
            }
            if now >= Duration::from_millis(spec.duration_ms) {
                return Ok(());
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Every process must still run shortly after its start: one that exited (a bad config, a
    /// port in use) is an error, with the last line it logged.
    fn check_started(&mut self) -> Result<(), String> {
        for p in self.procs.iter_mut() {
            if !p.alive() {
                let log = std::fs::read_to_string(&p.log).unwrap_or_default();
                let last = log.lines().last().unwrap_or("(nothing logged)").to_string();
                return Err(format!("{} exited right after its start: {last}", p.name));
            }
        }
        Ok(())
    }

    /// Reads the logs; fires an armed `kill_on`.
    pub fn poll_logs(&mut self) {
        let seen = logs::poll(&mut self.tails, &self.rec, &self.addrs);
        let Some((event, subject)) = self.trigger.clone() else {
            return;
        };
        // As in the simulator, an event about no instance cannot fire a subject trigger.
        let Some(e) = seen
            .into_iter()
            .find(|e| e.name == event && (!subject || e.subject.is_some()))
        else {
            return;
        };
        let victim = |i: &usize| match &e.subject {
            Some(addr) if subject => self.scenario_addr(*i) == *addr,
            _ => self.procs[*i].name == e.node,
        };
        let Some(i) = (0..self.procs.len()).find(victim) else {
            return;
        };
        // The note names the victim, as the simulator's does.
        let node = self.procs[i].name.clone();
        self.trigger = None;
        let line = format!("kill {}", self.scenario_addr(i));
        let note = WorldNote::TriggeredKill { node, event };
        if let Err(e) = self.apply(&WorldAction::Kill(i), note, &line) {
            eprintln!("real: kill_on: {e}");
        }
    }

    fn scenario_addr(&self, i: usize) -> String {
        let (ip, port) = &self.targets[i];
        format!("{ip}:{port}")
    }

    /// Records `line` (with its note), then does `action`.
    fn apply(&mut self, action: &WorldAction, note: WorldNote, line: &str) -> Result<(), String> {
        self.rec.action(note, line.to_string());
        match action {
            WorldAction::Kill(_) | WorldAction::Restart { .. } | WorldAction::Pause(_) | WorldAction::Resume(_) => {
                self.process(action)
            }
            WorldAction::KillOn { event, subject } => {
                self.trigger = Some((event.clone(), *subject));
                Ok(())
            }
            WorldAction::ClockSkew { .. } | WorldAction::ClockJump { .. } | WorldAction::ClockReset { .. } => {
                self.clock(action)
            }
            WorldAction::Command { proc, args } => {
                self.operator(*proc, args, line);
                Ok(())
            }
            _ => {
                for f in self.fw.apply(action)? {
                    self.rec.fact(f);
                }
                Ok(())
            }
        }
    }

    fn process(&mut self, action: &WorldAction) -> Result<(), String> {
        let (i, state) = match action {
            WorldAction::Kill(i) => {
                self.procs[*i].kill();
                (*i, ProcState::Killed)
            }
            WorldAction::Restart { proc, wipe } => {
                self.procs[*proc].restart(*wipe)?;
                // A restarted process logs from its new start; its clock is the host's again.
                (*proc, ProcState::Restarted)
            }
            WorldAction::Pause(i) => {
                self.procs[*i].pause(true);
                (*i, ProcState::Paused)
            }
            WorldAction::Resume(i) => {
                self.procs[*i].pause(false);
                (*i, ProcState::Resumed)
            }
            _ => unreachable!("not a process action"),
        };
        self.rec.fact(Fact::Process {
            node: self.procs[i].name.clone(),
            state,
        });
        Ok(())
    }

    /// Moves a process's wall clock (libfaketime's file) and records its new offset.
    fn clock(&mut self, action: &WorldAction) -> Result<(), String> {
        // Lines logged before the change are placed with the offset they were logged under.
        self.poll_logs();
        let (i, offset) = match *action {
            WorldAction::ClockSkew { proc, offset_ms } => (proc, offset_ms),
            WorldAction::ClockJump { proc, by_ms } => (proc, self.tails[proc].clock_offset_ms + by_ms),
            WorldAction::ClockReset { proc } => (proc, 0),
            _ => unreachable!("not a clock action real mode plays"),
        };
        self.procs[i].set_clock_offset(offset)?;
        self.tails[i].clock_offset_ms = offset;
        self.rec.fact(Fact::Clock {
            node: self.procs[i].name.clone(),
            offset_ms: offset,
            rate: 1.0,
        });
        Ok(())
    }

    /// An operator command sent from the hub (as redis-cli would); the reply is recorded when it
    /// comes. Addresses in REPLICAOF are made real.
    fn operator(&self, proc: usize, args: &[String], line: &str) {
        let mut args = args.to_vec();
        if let [verb, ip, port] = &mut args[..] {
            if verb.eq_ignore_ascii_case("REPLICAOF") && ip != "NO" {
                if let Some(real) = port.parse().ok().and_then(|p| self.addrs.real(ip, p)) {
                    *ip = real.ip().to_string();
                }
            }
        }
        let (rec, addrs, line) = (self.rec.clone(), self.addrs.clone(), line.to_string());
        let (ip, port) = self.targets[proc].clone();
        tokio::spawn(async move {
            let reply = probe::request(&addrs, &ip, port, &args, Duration::from_secs(5)).await;
            let shown = reply.map_or("(no reply)".into(), |v| addrs.map_back(&probe::show(&v)));
            let note = WorldNote::Reply {
                to: line.clone(),
                reply: shown.clone(),
            };
            rec.action(note, format!("reply to {line}: {shown}"));
        });
    }
}
