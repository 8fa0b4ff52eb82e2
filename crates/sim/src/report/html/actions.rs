//! The world's action lines on the chart: each injected action marks the world lane and opens or
//! closes windows and marks on the lanes it concerns. One arm per action kind in [`Builder::action`].

use super::*;

impl Builder {
    pub(super) fn action(&mut self, t: u64, line: &str) {
        let words: Vec<&str> = line.split_whitespace().collect();
        let kind = ActionKind::of_trace_line(line);
        let human = self.humanize(line);
        let target = words.get(1).and_then(|a| self.lane_of_addr(a));
        let rest_after = |n: usize| words.iter().skip(n).copied().collect::<Vec<_>>().join(" ");
        // The world lane carries every action line.
        let world_label = match kind {
            Some(ActionKind::Partition | ActionKind::PartitionOneway) => words[0].to_string(),
            _ if line.starts_with("reply to ") => {
                format!("reply: {}", line.rsplit_once("): ").map_or("", |x| x.1))
            }
            _ => human.clone(),
        };
        self.mark(WORLD, t, MarkKind::Action, world_label, line);
        match (kind, target) {
            (Some(ActionKind::Kill), Some(l)) => {
                self.down(l, t);
                self.mark(l, t, MarkKind::Action, "kill".into(), line);
            }
            (Some(ActionKind::Restart), Some(l)) => self.restart(l, t, line),
            (Some(ActionKind::Pause), Some(l)) => {
                if !self.is_open(l, |k| k == WindowKind::Paused) {
                    self.open(l, t, WindowKind::Paused, "paused (SIGSTOP)".into());
                }
                self.mark(l, t, MarkKind::Action, "pause".into(), line);
            }
            (Some(ActionKind::Resume), Some(l)) => {
                self.close(Some(l), t, |k| k == WindowKind::Paused);
                self.mark(l, t, MarkKind::Action, "resume".into(), line);
            }
            (Some(ActionKind::Partition), _) => self.partition(t, &rest_after(1), line),
            (Some(ActionKind::Isolate), target) => {
                self.close(None, t, WindowKind::is_cut);
                if let Some(l) = target {
                    let name = self.lanes[l].name.clone();
                    self.open(l, t, WindowKind::Isolated, "isolated from every other process".into());
                    self.mark(l, t, MarkKind::Action, "isolate".into(), line);
                    self.open(WORLD, t, WindowKind::NetPartition, format!("isolate {name}"));
                }
            }
            (Some(ActionKind::PartitionOneway), _) => self.oneway(t, &rest_after(1), line),
            (Some(ActionKind::Heal), _) => self.close(None, t, WindowKind::is_cut),
            (Some(ActionKind::Latency), _) => {
                self.close(Some(WORLD), t, |k| k == WindowKind::Latency);
                self.open(WORLD, t, WindowKind::Latency, human);
            }
            (Some(ActionKind::Loss), _) => {
                self.close(Some(WORLD), t, |k| k == WindowKind::Loss);
                self.open(WORLD, t, WindowKind::Loss, format!("packet {human}"));
            }
            (Some(ActionKind::NetReset), _) => {
                self.close(Some(WORLD), t, |k| matches!(k, WindowKind::Latency | WindowKind::Loss));
            }
            (Some(ActionKind::ClockSkew | ActionKind::ClockJump | ActionKind::ClockDrift), Some(l)) => {
                let what = format!("{} {}", words[0].trim_start_matches("clock_"), rest_after(2));
                let label = format!("clock fault: {} {} (until clock_reset)", words[0], rest_after(2));
                self.close(Some(l), t, |k| k == WindowKind::Clock);
                self.open(l, t, WindowKind::Clock, label);
                self.mark(l, t, MarkKind::Clock, what, line);
            }
            (Some(ActionKind::ClockStrobe), Some(l)) => self.strobe(l, t, line, &rest_after(0), &rest_after(2)),
            (Some(ActionKind::ClockReset), Some(l)) => {
                self.close(Some(l), t, |k| k == WindowKind::Clock);
                self.mark(l, t, MarkKind::Clock, "clock reset".into(), line);
            }
            (
                Some(
                    ActionKind::Failover | ActionKind::SentinelSet | ActionKind::SentinelReset | ActionKind::Replicaof,
                ),
                _,
            ) => self.command(t, line),
            _ if line.starts_with("reply to ") => self.reply(t, line),
            _ => {}
        }
    }

    fn restart(&mut self, l: usize, t: u64, line: &str) {
        self.close(Some(l), t, |k| k == WindowKind::Paused);
        let tr = &mut self.tracks[l];
        tr.master = None;
        tr.sdown = false;
        tr.odown = false;
        if line.ends_with("(wiped)") {
            tr.epoch = 0;
        }
        // Restarting a live process kills it first.
        self.set(l, t, Some(State::Starting));
        let label = if line.ends_with("(wiped)") {
            "restart (wiped)"
        } else {
            "restart"
        };
        self.mark(l, t, MarkKind::Action, label.into(), line);
    }

    /// `partition a,b | c,d`: one side per group, cut off from the others.
    fn partition(&mut self, t: u64, spec: &str, line: &str) {
        // A partition replaces the cuts in force.
        self.close(None, t, WindowKind::is_cut);
        let groups: Vec<Vec<usize>> = spec
            .split('|')
            .map(|g| g.split(',').filter_map(|a| self.lane_of_addr(a.trim())).collect())
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
    fn oneway(&mut self, t: u64, spec: &str, line: &str) {
        let (from, to) = spec.split_once("->").unwrap_or((spec, ""));
        let lanes = |s: &str| -> Vec<usize> { s.split(',').filter_map(|a| self.lane_of_addr(a.trim())).collect() };
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
    fn strobe(&mut self, l: usize, t: u64, line: &str, all: &str, args: &str) {
        let dur = line
            .rsplit_once(" for ")
            .and_then(|(_, d)| parse_ms(d.trim()).ok())
            .unwrap_or(0);
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
    fn command(&mut self, t: u64, line: &str) {
        let via = crate::scenario::trace_line_via(line).and_then(|a| self.lane_of_addr(a));
        if let Some(l) = via {
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
