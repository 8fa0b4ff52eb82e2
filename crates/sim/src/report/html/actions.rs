//! The world's action lines on the chart: each injected action marks the world lane and opens or
//! closes windows and marks on the lanes it concerns. One arm per action kind in [`Builder::action`].

use super::*;
use crate::scenario::Action;
use crate::trace::WorldNote;

impl Builder {
    /// A world line: what it is comes from its typed note (schema 2); the line is only shown.
    pub(super) fn action(&mut self, t: u64, note: Option<&WorldNote>, line: &str) {
        if let Some(WorldNote::Reply { reply, .. }) = note {
            self.mark(WORLD, t, MarkKind::Action, format!("reply: {reply}"), line);
            return self.reply(t, line);
        }
        let Some(action) = note.and_then(WorldNote::performed) else {
            let human = self.humanize(line);
            return self.mark(WORLD, t, MarkKind::Action, human, line);
        };
        let kind = action.kind();
        let words: Vec<&str> = line.split_whitespace().collect();
        let human = self.humanize(line);
        let target = action.nodes().first().and_then(|n| self.lane_of_node(n));
        let rest_after = |n: usize| words.iter().skip(n).copied().collect::<Vec<_>>().join(" ");
        // The world lane carries every action line.
        let world_label = match kind {
            ActionKind::Partition | ActionKind::PartitionOneway => kind.as_str().to_string(),
            _ => human.clone(),
        };
        self.mark(WORLD, t, MarkKind::Action, world_label, line);
        match (&*action, target) {
            (Action::Kill { .. }, Some(l)) => {
                self.down(l, t);
                self.mark(l, t, MarkKind::Action, "kill".into(), line);
            }
            (Action::Restart { wipe, .. }, Some(l)) => self.restart(l, t, *wipe, line),
            (Action::Pause { .. }, Some(l)) => {
                if !self.is_open(l, |k| k == WindowKind::Paused) {
                    self.open(l, t, WindowKind::Paused, "paused (SIGSTOP)".into());
                }
                self.mark(l, t, MarkKind::Action, "pause".into(), line);
            }
            (Action::Resume { .. }, Some(l)) => {
                self.close(Some(l), t, |k| k == WindowKind::Paused);
                self.mark(l, t, MarkKind::Action, "resume".into(), line);
            }
            (Action::Partition { groups }, _) => self.partition(t, groups, line),
            (Action::Isolate { .. }, target) => {
                self.close(None, t, WindowKind::is_cut);
                if let Some(l) = target {
                    let name = self.lanes[l].name.clone();
                    self.open(l, t, WindowKind::Isolated, "isolated from every other process".into());
                    self.mark(l, t, MarkKind::Action, "isolate".into(), line);
                    self.open(WORLD, t, WindowKind::NetPartition, format!("isolate {name}"));
                }
            }
            (Action::PartitionOneway { from, to }, _) => self.oneway(t, from, to, line),
            (Action::Heal, _) => self.close(None, t, WindowKind::is_cut),
            (Action::Latency { .. }, _) => {
                self.close(Some(WORLD), t, |k| k == WindowKind::Latency);
                self.open(WORLD, t, WindowKind::Latency, human);
            }
            (Action::Loss { .. }, _) => {
                self.close(Some(WORLD), t, |k| k == WindowKind::Loss);
                self.open(WORLD, t, WindowKind::Loss, format!("packet {human}"));
            }
            (Action::NetReset, _) => {
                self.close(Some(WORLD), t, |k| matches!(k, WindowKind::Latency | WindowKind::Loss));
            }
            (Action::ClockSkew { .. } | Action::ClockJump { .. } | Action::ClockDrift { .. }, Some(l)) => {
                let what = format!("{} {}", words[0].trim_start_matches("clock_"), rest_after(2));
                let label = format!("clock fault: {} {} (until clock_reset)", words[0], rest_after(2));
                self.close(Some(l), t, |k| k == WindowKind::Clock);
                self.open(l, t, WindowKind::Clock, label);
                self.mark(l, t, MarkKind::Clock, what, line);
            }
            (Action::ClockStrobe { duration_ms, .. }, Some(l)) => {
                self.strobe(l, t, *duration_ms, line, &rest_after(0), &rest_after(2))
            }
            (Action::ClockReset { .. }, Some(l)) => {
                self.close(Some(l), t, |k| k == WindowKind::Clock);
                self.mark(l, t, MarkKind::Clock, "clock reset".into(), line);
            }
            (Action::Failover { via } | Action::SentinelSet { via, .. } | Action::SentinelReset { via, .. }, _) => {
                self.command(t, via, line)
            }
            (Action::Replicaof { node, .. }, _) => self.command(t, node, line),
            _ => {}
        }
    }

    fn restart(&mut self, l: usize, t: u64, wipe: bool, line: &str) {
        self.close(Some(l), t, |k| k == WindowKind::Paused);
        let tr = &mut self.tracks[l];
        tr.master = None;
        tr.sdown = false;
        tr.odown = false;
        if wipe {
            tr.epoch = 0;
        }
        // Restarting a live process kills it first.
        self.set(l, t, Some(State::Starting));
        let label = if wipe { "restart (wiped)" } else { "restart" };
        self.mark(l, t, MarkKind::Action, label.into(), line);
    }

    /// `partition a,b | c,d`: one side per group, cut off from the others.
    fn partition(&mut self, t: u64, groups: &[Vec<String>], line: &str) {
        // A partition replaces the cuts in force.
        self.close(None, t, WindowKind::is_cut);
        let groups: Vec<Vec<usize>> = groups
            .iter()
            .map(|g| g.iter().filter_map(|n| self.lane_of_node(n)).collect())
            .collect();
        let names: Vec<Vec<String>> = groups
            .iter()
            .map(|g| g.iter().map(|&l| self.lanes[l].name.clone()).collect())
            .collect();
        let sides = groups.len();
        for (side, g) in groups.iter().enumerate() {
            let others: Vec<String> = names
                .iter()
                .enumerate()
                .filter(|(o, _)| *o != side)
                .flat_map(|(_, og)| og.iter().cloned())
                .collect();
            let label = format!(
                "partition side {} ({}), cut off from {}",
                side_letter(side),
                names[side].join(", "),
                others.join(", ")
            );
            for &l in g {
                self.open(l, t, WindowKind::Partition { side, sides }, label.clone());
                self.mark(l, t, MarkKind::Action, format!("partition {}", side_letter(side)), line);
            }
        }
        let desc: Vec<String> = names
            .iter()
            .enumerate()
            .map(|(i, g)| format!("{}: {}", side_letter(i), g.join(", ")))
            .collect();
        self.open(
            WORLD,
            t,
            WindowKind::NetPartition,
            format!("partition {}", desc.join(" | ")),
        );
    }

    /// `partition_oneway a,b -> c,d`: the senders' and the receivers' lanes each get a window.
    fn oneway(&mut self, t: u64, from: &[String], to: &[String], line: &str) {
        let lanes = |ns: &[String]| -> Vec<usize> { ns.iter().filter_map(|n| self.lane_of_node(n)).collect() };
        let (from, to) = (lanes(from), lanes(to));
        let names = |g: &[usize]| {
            g.iter()
                .map(|&l| self.lanes[l].name.clone())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (fnames, tnames) = (names(&from), names(&to));
        for &l in &from {
            self.open(
                l,
                t,
                WindowKind::OnewayOut,
                format!("one-way cut: what it sends to {tnames} is dropped"),
            );
            self.mark(l, t, MarkKind::Action, "oneway out".into(), line);
        }
        for &l in &to {
            self.open(
                l,
                t,
                WindowKind::OnewayIn,
                format!("one-way cut: does not hear from {fnames}"),
            );
            self.mark(l, t, MarkKind::Action, "oneway in".into(), line);
        }
        self.open(
            WORLD,
            t,
            WindowKind::NetPartition,
            format!("one-way cut {fnames} -> {tnames}"),
        );
    }

    /// `clock_strobe <node> <amplitude> every <period> for <duration>`: a window of known length.
    fn strobe(&mut self, l: usize, t: u64, dur: u64, line: &str, all: &str, args: &str) {
        let to = (t + dur).min(self.end_ms);
        if to > t {
            self.lanes[l].windows.push(Window {
                from_ms: t,
                to_ms: to,
                kind: WindowKind::Clock,
                label: format!("clock fault: {all}"),
                open_at_end: t + dur > self.end_ms,
            });
        }
        self.mark(l, t, MarkKind::Clock, format!("strobe {args}"), line);
    }

    /// An operator command, marked on the lane it was sent to.
    fn command(&mut self, t: u64, via: &str, line: &str) {
        if let Some(l) = self.lane_of_node(via) {
            let label = line.split(" (").next().unwrap_or(line).to_string();
            let label = label.strip_prefix("SENTINEL ").unwrap_or(&label).to_string();
            self.mark(l, t, MarkKind::Command, label, line);
        }
    }

    /// `reply to SENTINEL FAILOVER mymaster (via 127.0.0.1:5000): OK`
    fn reply(&mut self, t: u64, line: &str) {
        let via = line.find("(via ").or_else(|| line.find("(on ")).and_then(|at| {
            let inner = &line[at + 1..];
            let inner = inner.split_once(')').map_or(inner, |x| x.0);
            let addr = inner.split_whitespace().nth(1)?;
            self.lane_of_addr(addr)
        });
        if let Some(l) = via {
            let reply = line.rsplit_once("): ").map_or("", |x| x.1);
            self.mark(l, t, MarkKind::Command, format!("reply: {reply}"), line);
        }
    }
}
