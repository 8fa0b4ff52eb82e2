//! Reading the report's event lines into lanes: per process a state bar, windows and marks.

use super::*;

/// Per-lane interpretation state while reading the events.
#[derive(Debug, Default)]
pub(super) struct Track {
    pub(super) cur: Option<State>,
    pub(super) since: u64,
    // Sentinel view
    pub(super) master: Option<String>,
    pub(super) sdown: bool,
    pub(super) odown: bool,
    pub(super) epoch: u64,
}

pub(super) struct Builder {
    pub(super) lanes: Vec<Lane>,
    pub(super) tracks: Vec<Track>,
    pub(super) open: Vec<(usize, Window)>,
    pub(super) by_node: BTreeMap<String, usize>,
    pub(super) by_addr: BTreeMap<String, usize>,
    pub(super) end_ms: u64,
}

pub(super) const WORLD: usize = 0;

/// Reads the report into lanes: pure, deterministic, no rendering.
pub fn chart(report: &RunReport) -> Chart {
    let end_ms = report
        .events
        .iter()
        .map(|e| e.t_ms)
        .max()
        .unwrap_or(0)
        .max(report.sim_ms)
        .max(1);
    let lanes = lanes_of(report);
    let mut b = Builder {
        tracks: lanes.iter().map(|_| Track::default()).collect(),
        by_node: lanes.iter().enumerate().map(|(i, l)| (l.name.clone(), i)).collect(),
        by_addr: lanes
            .iter()
            .enumerate()
            .filter_map(|(i, l)| l.addr.clone().map(|a| (a, i)))
            .collect(),
        lanes,
        open: Vec::new(),
        end_ms,
    };
    // Ground truth (world facts, wire messages) is not drawn: the page shows what processes did.
    for (i, e) in report.events.iter().enumerate().filter(|(_, e)| !e.kind.is_truth()) {
        let Some(&l) = b.by_node.get(&e.node) else { continue };
        b.lanes[l].events.push(i);
        let t = e.t_ms;
        match e.kind {
            EventKind::Action => b.action(t, e.action.as_ref(), &e.line),
            EventKind::World | EventKind::Wire => {}
            EventKind::Data | EventKind::SentinelLog | EventKind::Sentinel => {
                if e.line.starts_with("process exited") {
                    b.down(l, t);
                    continue;
                }
                match b.lanes[l].kind {
                    LaneKind::Data => {
                        b.alive(l, t);
                        if e.kind == EventKind::Data {
                            b.data_line(l, t, &e.line);
                        }
                    }
                    LaneKind::Sentinel => {
                        b.alive(l, t);
                        if e.kind == EventKind::Sentinel {
                            b.sentinel_event(l, t, &e.line);
                        }
                    }
                    LaneKind::Client => b.lanes[l].marks.push(Mark {
                        t_ms: t,
                        kind: write_kind(&e.line),
                        label: String::new(),
                        line: e.line.clone(),
                    }),
                    LaneKind::World => {}
                }
            }
        }
    }
    if let Some(w) = &report.writes {
        b.client_writes(w);
    }
    b.finish()
}

/// One lane per process: `world`, then data nodes, Sentinels and clients (the final state's, then
/// any other process the events name, then the workload's clients).
fn lanes_of(report: &RunReport) -> Vec<Lane> {
    let mut data: Vec<(String, Option<String>)> = Vec::new();
    let mut sentinels: Vec<(String, Option<String>)> = Vec::new();
    let mut clients: Vec<(String, Option<String>)> = Vec::new();
    for d in &report.final_state.data_nodes {
        data.push((d.node.clone(), Some(d.addr.clone())));
    }
    for s in &report.final_state.sentinels {
        sentinels.push((s.node.clone(), Some(s.addr.clone())));
    }
    // Processes only the events name (clients, or a final state that lacks them).
    let mut seen: Vec<&str> = Vec::new();
    for e in report.events.iter().filter(|e| !e.kind.is_truth()) {
        let n = e.node.as_str();
        if n == "world" || seen.contains(&n) {
            continue;
        }
        seen.push(n);
        let known = |v: &[(String, Option<String>)]| v.iter().any(|(x, _)| x == n);
        if known(&data) || known(&sentinels) {
            continue;
        }
        let mine = report.events.iter().filter(|x| x.node == n);
        let mut is_sentinel = false;
        let mut is_data = false;
        for x in mine {
            is_sentinel |= matches!(x.kind, EventKind::Sentinel | EventKind::SentinelLog);
            is_data |= x.kind == EventKind::Data && x.line.starts_with("Running mode=");
        }
        let entry = (n.to_string(), None);
        if is_sentinel {
            sentinels.push(entry);
        } else if is_data {
            data.push(entry);
        } else {
            clients.push(entry);
        }
    }
    let mut lanes = vec![new_lane("world", LaneKind::World, None)];
    for (n, a) in data {
        lanes.push(new_lane(&n, LaneKind::Data, a));
    }
    for (n, a) in sentinels {
        lanes.push(new_lane(&n, LaneKind::Sentinel, a));
    }
    // Clients of the workload (they write no event lines): one lane each, in name order.
    for c in report.writes.iter().flat_map(|w| &w.clients) {
        if !clients.iter().any(|(x, _)| *x == c.name) {
            clients.push((c.name.clone(), None));
        }
    }
    for (n, a) in clients {
        lanes.push(new_lane(&n, LaneKind::Client, a));
    }
    lanes
}

pub(super) fn new_lane(name: &str, kind: LaneKind, addr: Option<String>) -> Lane {
    Lane {
        name: name.to_string(),
        kind,
        addr,
        segments: Vec::new(),
        windows: Vec::new(),
        marks: Vec::new(),
        writes: Vec::new(),
        events: Vec::new(),
    }
}

/// A client's line as a write outcome (the workload's per-operation lines are not fixed yet; this
/// reads the usual words: `lost`, timeouts, Redis error replies, connection errors).
pub(super) fn write_kind(line: &str) -> MarkKind {
    let l = line.to_ascii_lowercase();
    if l.contains("lost") {
        MarkKind::WriteLost
    } else if l.contains("unknown") || l.contains("timed out") || l.contains("timeout") {
        MarkKind::WriteUnknown
    } else if l.starts_with('-')
        || l.contains("err")
        || l.contains("readonly")
        || l.contains("noreplicas")
        || l.contains("refused")
        || l.contains("reset")
    {
        MarkKind::WriteError
    } else {
        MarkKind::WriteOk
    }
}

/// `127.0.0.1 6382` (as in Sentinel payloads) → `127.0.0.1:6382`.
pub(super) fn join_addr(ip: &str, port: &str) -> String {
    format!("{ip}:{port}")
}

impl Builder {
    pub(super) fn name_of_addr(&self, addr: &str) -> String {
        match self.by_addr.get(addr) {
            Some(&l) => self.lanes[l].name.clone(),
            None => addr.to_string(),
        }
    }

    pub(super) fn lane_of_addr(&self, addr: &str) -> Option<usize> {
        self.by_addr.get(addr.trim_matches(|c| c == '(' || c == ')')).copied()
    }

    /// The lane of a node as a scenario action names it (its name or its address).
    pub(super) fn lane_of_node(&self, node: &str) -> Option<usize> {
        self.by_node.get(node).or_else(|| self.by_addr.get(node)).copied()
    }

    /// The line with every known address replaced by its node name.
    pub(super) fn humanize(&self, line: &str) -> String {
        line.split(' ')
            .map(|tok| {
                tok.split(',')
                    .map(|p| {
                        let core = p.trim_start_matches('(').trim_end_matches(')').trim_end_matches(':');
                        match self.by_addr.get(core) {
                            Some(&l) => p.replacen(core, &self.lanes[l].name, 1),
                            None => p.to_string(),
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub(super) fn set(&mut self, l: usize, t: u64, state: Option<State>) {
        let tr = &mut self.tracks[l];
        if tr.cur == state {
            return;
        }
        let since = tr.since;
        let prev = std::mem::replace(&mut tr.cur, state);
        tr.since = t;
        if let Some(s) = prev {
            push_segment(&mut self.lanes[l].segments, since, t, s);
        }
    }

    /// First sign of life of a process that was not known to run.
    pub(super) fn alive(&mut self, l: usize, t: u64) {
        if matches!(self.tracks[l].cur, None | Some(State::Down)) {
            self.set(l, t, Some(State::Starting));
        }
    }

    pub(super) fn open(&mut self, l: usize, t: u64, kind: WindowKind, label: String) {
        self.open.push((
            l,
            Window {
                from_ms: t,
                to_ms: t,
                kind,
                label,
                open_at_end: false,
            },
        ));
    }

    pub(super) fn is_open(&self, l: usize, pred: impl Fn(WindowKind) -> bool) -> bool {
        self.open.iter().any(|(x, w)| *x == l && pred(w.kind))
    }

    /// Closes the open windows of lane `l` (any lane if None) whose kind matches.
    pub(super) fn close(&mut self, l: Option<usize>, t: u64, pred: impl Fn(WindowKind) -> bool) {
        let mut keep = Vec::new();
        for (x, mut w) in std::mem::take(&mut self.open) {
            if l.is_none_or(|l| l == x) && pred(w.kind) {
                w.to_ms = t;
                if w.to_ms > w.from_ms {
                    self.lanes[x].windows.push(w);
                }
            } else {
                keep.push((x, w));
            }
        }
        self.open = keep;
    }

    pub(super) fn mark(&mut self, l: usize, t: u64, kind: MarkKind, label: String, line: &str) {
        self.lanes[l].marks.push(Mark {
            t_ms: t,
            kind,
            label,
            line: line.to_string(),
        });
    }

    pub(super) fn down(&mut self, l: usize, t: u64) {
        let tr = &mut self.tracks[l];
        tr.master = None;
        tr.sdown = false;
        tr.odown = false;
        self.set(l, t, Some(State::Down));
        self.close(Some(l), t, |k| {
            matches!(k, WindowKind::Paused | WindowKind::Tilt | WindowKind::Failover)
        });
    }

    pub(super) fn sentinel_state(&self, l: usize) -> State {
        let tr = &self.tracks[l];
        State::Watching {
            master: tr.master.clone(),
            health: if tr.odown {
                Health::Odown
            } else if tr.sdown {
                Health::Sdown
            } else {
                Health::Ok
            },
        }
    }

    /// A data node's log line: its role and replication link.
    pub(super) fn data_line(&mut self, l: usize, t: u64, line: &str) {
        let cur = self.tracks[l].cur.clone();
        let replica_of = |s: &str| -> Option<String> {
            let addr = s.split_whitespace().next()?;
            Some(addr.to_string())
        };
        let next = if line.starts_with("Running mode=") || line.starts_with("MASTER MODE enabled") {
            Some(State::Master)
        } else if let Some(rest) = line
            .strip_prefix("Connecting to MASTER ")
            .or_else(|| line.strip_prefix("Reconnecting to MASTER "))
            .or_else(|| line.strip_prefix("REPLICAOF "))
        {
            if line.starts_with("REPLICAOF ") && !line.contains(" enabled") {
                None
            } else {
                replica_of(rest).map(|a| State::Replica {
                    of: self.name_of_addr(&a),
                    link_up: false,
                })
            }
        } else if line.starts_with("MASTER <-> REPLICA sync: Finished with success")
            || line.starts_with("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization")
            || line.starts_with("Successful partial resynchronization with master")
        {
            match cur {
                Some(State::Replica { of, .. }) => Some(State::Replica { of, link_up: true }),
                _ => None,
            }
        } else if line.starts_with("Connection with master lost") {
            match cur {
                Some(State::Replica { of, .. }) => Some(State::Replica { of, link_up: false }),
                _ => None,
            }
        } else {
            None
        };
        if let Some(s) = next {
            self.set(l, t, Some(s));
        }
    }

    /// A published Sentinel event: its view of the master, TILT, epochs, leadership, switches.
    pub(super) fn sentinel_event(&mut self, l: usize, t: u64, line: &str) {
        let (name, payload) = line.split_once(' ').unwrap_or((line, ""));
        let p: Vec<&str> = payload.split_whitespace().collect();
        let about_master = payload.starts_with("master ");
        match name {
            "+monitor" if about_master && p.len() >= 4 => {
                let m = self.name_of_addr(&join_addr(p[2], p[3]));
                let tr = &mut self.tracks[l];
                tr.master = Some(m);
                tr.sdown = false;
                tr.odown = false;
            }
            "+reset-master" => {
                let tr = &mut self.tracks[l];
                tr.sdown = false;
                tr.odown = false;
            }
            "+sdown" if about_master => self.tracks[l].sdown = true,
            "-sdown" if about_master => self.tracks[l].sdown = false,
            "+odown" if about_master => self.tracks[l].odown = true,
            "-odown" if about_master => self.tracks[l].odown = false,
            "+switch-master" if p.len() >= 5 => {
                let new = self.name_of_addr(&join_addr(p[3], p[4]));
                let tr = &mut self.tracks[l];
                tr.master = Some(new.clone());
                tr.sdown = false;
                tr.odown = false;
                self.close(Some(l), t, |k| k == WindowKind::Failover);
                self.mark(l, t, MarkKind::Switch, format!("⇒ {new}"), line);
            }
            "+tilt" if !self.is_open(l, |k| k == WindowKind::Tilt) => {
                self.open(l, t, WindowKind::Tilt, "TILT".into());
            }
            "-tilt" => self.close(Some(l), t, |k| k == WindowKind::Tilt),
            "+new-epoch" => {
                if let Some(n) = p.first().and_then(|x| x.parse::<u64>().ok()) {
                    self.tracks[l].epoch = n;
                    self.mark(l, t, MarkKind::Epoch, format!("e{n}"), line);
                }
            }
            "+try-failover" => {
                let e = self.tracks[l].epoch;
                self.close(Some(l), t, |k| k == WindowKind::Failover);
                self.open(l, t, WindowKind::Failover, format!("failover attempt, epoch {e}"));
            }
            "+elected-leader" => {
                let e = self.tracks[l].epoch;
                self.mark(l, t, MarkKind::Leader, format!("★ leader e{e}"), line);
            }
            _ if name == "+failover-end" || name.starts_with("-failover-abort") => {
                self.close(Some(l), t, |k| k == WindowKind::Failover);
            }
            _ => {}
        }
        // A running Sentinel shows its view once it has named its master (`+monitor`).
        let tr = &self.tracks[l];
        if matches!(tr.cur, Some(State::Watching { .. } | State::Starting)) && tr.master.is_some() {
            let s = self.sentinel_state(l);
            self.set(l, t, Some(s));
        }
    }

    pub(super) fn finish(mut self) -> Chart {
        let end = self.end_ms;
        for l in 0..self.lanes.len() {
            let cur = self.tracks[l].cur.take();
            if let Some(s) = cur {
                let since = self.tracks[l].since;
                push_segment(&mut self.lanes[l].segments, since, end, s);
            }
        }
        for (l, mut w) in std::mem::take(&mut self.open) {
            w.to_ms = end;
            w.open_at_end = true;
            if w.to_ms > w.from_ms {
                self.lanes[l].windows.push(w);
            }
        }
        for lane in &mut self.lanes {
            lane.windows.sort_by_key(|w| w.from_ms);
        }
        Chart {
            end_ms: end,
            lanes: self.lanes,
        }
    }
}

pub(super) fn push_segment(v: &mut Vec<Segment>, from: u64, to: u64, state: State) {
    if to <= from {
        return;
    }
    if let Some(last) = v.last_mut() {
        if last.state == state && last.to_ms == from {
            last.to_ms = to;
            return;
        }
    }
    v.push(Segment {
        from_ms: from,
        to_ms: to,
        state,
    });
}

pub(super) fn side_letter(i: usize) -> String {
    if i < 26 {
        ((b'A' + i as u8) as char).to_string()
    } else {
        format!("#{}", i + 1)
    }
}
