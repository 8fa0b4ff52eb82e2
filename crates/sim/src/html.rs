//! A run as a self-contained HTML page (`<dir>/<scenario>/seed-<N>.html`, next to the JSON): a
//! timeline an operator can read, with one lane per process, plus the checks and every event line.
//!
//! What the page shows:
//! - a header: scenario, seed, OK/FAILED, the trace hash, the timeline numbers (kill→+sdown, …),
//!   the client writes summary when there is one, every invariant and expectation with PASS/FAIL
//!   and its detail, and the final state;
//! - the chart, x = simulated seconds. A `world` lane on top carries every injected action and the
//!   network-wide conditions (partitions, latency, loss). Then one lane per process, data nodes
//!   first, then Sentinels, then clients:
//!   - a data node's role over time (master, replica of X with its link up or down, down,
//!     starting), read from its own log lines and the kill/restart actions;
//!   - a Sentinel's view of the master (which master it follows, ok/SDOWN/ODOWN), its down
//!     windows, TILT windows, failovers it leads, `+new-epoch`, `+elected-leader` and
//!     `+switch-master` marks;
//!   - a client's operations as small marks (ok / error / lost / unknown);
//!   - partitions, isolation and one-way cuts shaded over the affected lanes, pauses hatched over
//!     the bar, clock faults as a band with a mark;
//!   - a tick per event line; hovering shows the event lines under the pointer (and the meaning of
//!     any segment or mark), clicking one selects it in the event list;
//! - the event list: every line with its simulated time and node, action lines highlighted,
//!   filterable by text, kind and node.
//!
//! The page needs nothing but itself: inline CSS, inline SVG and a small inline script (without the
//! script the SVG `<title>`s still give the tooltips). Every text from the run is HTML-escaped and
//! the script is a constant, so a hostile event line cannot inject markup. The same report always
//! renders to the same bytes (no generation time, no wall-clock figures).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

use crate::check::CheckResult;
use crate::duration::{parse_ms, secs, short_secs};
use crate::report::{EventKind, RunReport, WritesSummary};
use crate::scenario::ActionKind;

macro_rules! w {
    ($o:expr, $($a:tt)*) => {{
        let _ = write!($o, $($a)*);
    }};
}

// ---------------------------------------------------------------------------------------------
// Model: what each lane shows, derived from the report alone
// ---------------------------------------------------------------------------------------------

/// What a lane stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaneKind {
    /// The injected actions and network-wide conditions (node `world`).
    World,
    Data,
    Sentinel,
    Client,
}

/// A Sentinel's view of the master it follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    Ok,
    /// `+sdown master …` (until `-sdown`, a switch or a restart).
    Sdown,
    /// `+odown master …` (until `-odown`, a switch or a restart).
    Odown,
}

/// The state a lane's bar shows over a segment of time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// Started (restart action or first line), role not known yet.
    Starting,
    /// Killed or exited.
    Down,
    /// A data node in the master role.
    Master,
    /// A data node replicating from `of` (a node name, or the address when unknown).
    Replica { of: String, link_up: bool },
    /// A running Sentinel, following `master` (node name or address), with its view of it.
    Watching { master: Option<String>, health: Health },
}

impl State {
    /// Short text, as written in the bar.
    pub fn label(&self) -> String {
        match self {
            State::Starting => "starting".into(),
            State::Down => "down".into(),
            State::Master => "master".into(),
            State::Replica { of, link_up: true } => format!("replica of {of}"),
            State::Replica { of, link_up: false } => format!("replica of {of} (link down)"),
            State::Watching { master, health } => {
                let m = master.as_deref().unwrap_or("?");
                match health {
                    Health::Ok => format!("master {m}"),
                    Health::Sdown => format!("SDOWN {m}"),
                    Health::Odown => format!("ODOWN {m}"),
                }
            }
        }
    }

    fn class(&self) -> &'static str {
        match self {
            State::Starting => "starting",
            State::Down => "down",
            State::Master => "master",
            State::Replica { link_up: true, .. } => "replica",
            State::Replica { link_up: false, .. } => "replica-nolink",
            State::Watching { health: Health::Ok, .. } => "s-ok",
            State::Watching {
                health: Health::Sdown, ..
            } => "s-sdown",
            State::Watching {
                health: Health::Odown, ..
            } => "s-odown",
        }
    }
}

/// A stretch of time in one state (`[from_ms, to_ms)`); consecutive identical states are merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub from_ms: u64,
    pub to_ms: u64,
    pub state: State,
}

/// What a shaded window means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowKind {
    /// On one side (`side` of `sides`, from 0) of a `partition`.
    Partition { side: usize, sides: usize },
    /// `isolate`d.
    Isolated,
    /// `partition_oneway`: what this process sends to the other side is dropped.
    OnewayOut,
    /// `partition_oneway`: what the other side sends to this process is dropped.
    OnewayIn,
    /// World lane: a partition, isolation or one-way cut in force.
    NetPartition,
    /// World lane: `latency` in force (until `net_reset`).
    Latency,
    /// World lane: `loss` in force (until `net_reset`).
    Loss,
    /// `pause` (SIGSTOP) until `resume` or a kill.
    Paused,
    /// A Sentinel in TILT (`+tilt` … `-tilt`).
    Tilt,
    /// A failover this Sentinel leads (`+try-failover` … `+failover-end` / `-failover-abort-*`).
    Failover,
    /// A clock fault in force (`clock_skew`/`clock_jump`/`clock_drift` until `clock_reset`;
    /// `clock_strobe` for its duration).
    Clock,
}

impl WindowKind {
    fn class(self) -> String {
        match self {
            WindowKind::Partition { side, .. } => format!("partition p{}", side % 3),
            WindowKind::Isolated => "isolated".into(),
            WindowKind::OnewayOut => "oneway-out".into(),
            WindowKind::OnewayIn => "oneway-in".into(),
            WindowKind::NetPartition => "netpart".into(),
            WindowKind::Latency => "latency".into(),
            WindowKind::Loss => "loss".into(),
            WindowKind::Paused => "paused".into(),
            WindowKind::Tilt => "tilt".into(),
            WindowKind::Failover => "failover".into(),
            WindowKind::Clock => "clock".into(),
        }
    }

    fn is_cut(self) -> bool {
        matches!(
            self,
            WindowKind::Partition { .. }
                | WindowKind::Isolated
                | WindowKind::OnewayOut
                | WindowKind::OnewayIn
                | WindowKind::NetPartition
        )
    }
}

/// A shaded stretch of time on one lane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub from_ms: u64,
    pub to_ms: u64,
    pub kind: WindowKind,
    /// What it is, in words (`partition side A with redis-6383, sentinel-5000`).
    pub label: String,
    /// Still in force at the end of the run.
    pub open_at_end: bool,
}

/// What a mark stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkKind {
    /// An injected action (world lane, and the lane of the process it acts on).
    Action,
    /// An operator command on this process (`SENTINEL FAILOVER`, `REPLICAOF`, …) or its reply.
    Command,
    /// A clock fault or reset on this process.
    Clock,
    /// `+new-epoch N`.
    Epoch,
    /// `+elected-leader` (with the epoch).
    Leader,
    /// `+switch-master`.
    Switch,
    WriteOk,
    WriteError,
    WriteLost,
    WriteUnknown,
}

impl MarkKind {
    fn class(self) -> &'static str {
        match self {
            MarkKind::Action => "action",
            MarkKind::Command => "command",
            MarkKind::Clock => "clockmark",
            MarkKind::Epoch => "epoch",
            MarkKind::Leader => "leader",
            MarkKind::Switch => "switch",
            MarkKind::WriteOk => "w-ok",
            MarkKind::WriteError => "w-err",
            MarkKind::WriteLost => "w-lost",
            MarkKind::WriteUnknown => "w-unknown",
        }
    }

    /// Which label wins when two would overlap (lower first).
    fn priority(self) -> u8 {
        match self {
            MarkKind::Switch => 0,
            MarkKind::Leader => 1,
            MarkKind::Action => 2,
            MarkKind::Command => 3,
            MarkKind::Clock => 4,
            MarkKind::Epoch => 5,
            _ => 6,
        }
    }
}

/// A point in time on one lane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub t_ms: u64,
    pub kind: MarkKind,
    /// Short text drawn next to it (`⇒ redis-6383`, `leader e1`, `kill`).
    pub label: String,
    /// The event line it comes from.
    pub line: String,
}

/// One horizontal lane.
#[derive(Debug, Clone, PartialEq)]
pub struct Lane {
    /// The process (`redis-6382`, `sentinel-5000`), or `world`.
    pub name: String,
    pub kind: LaneKind,
    /// Its announced address, when known from the final state.
    pub addr: Option<String>,
    pub segments: Vec<Segment>,
    pub windows: Vec<Window>,
    pub marks: Vec<Mark>,
    /// Indexes into `report.events` of the lines drawn on this lane.
    pub events: Vec<usize>,
}

/// Everything the chart draws.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// The time axis runs from 0 to this (the simulated duration, or the last event if later).
    pub end_ms: u64,
    pub lanes: Vec<Lane>,
}

impl Chart {
    pub fn lane(&self, name: &str) -> Option<&Lane> {
        self.lanes.iter().find(|l| l.name == name)
    }
}

/// Per-lane interpretation state while reading the events.
#[derive(Debug, Default)]
struct Track {
    cur: Option<State>,
    since: u64,
    // Sentinel view
    master: Option<String>,
    sdown: bool,
    odown: bool,
    epoch: u64,
}

struct Builder {
    lanes: Vec<Lane>,
    tracks: Vec<Track>,
    open: Vec<(usize, Window)>,
    by_node: BTreeMap<String, usize>,
    by_addr: BTreeMap<String, usize>,
    end_ms: u64,
}

const WORLD: usize = 0;

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
    for e in &report.events {
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
    for (n, a) in clients {
        lanes.push(new_lane(&n, LaneKind::Client, a));
    }
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
    for (i, e) in report.events.iter().enumerate() {
        let Some(&l) = b.by_node.get(&e.node) else { continue };
        b.lanes[l].events.push(i);
        let t = e.t_ms;
        match e.kind {
            EventKind::Action => b.action(t, &e.line),
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
    b.finish()
}

fn new_lane(name: &str, kind: LaneKind, addr: Option<String>) -> Lane {
    Lane {
        name: name.to_string(),
        kind,
        addr,
        segments: Vec::new(),
        windows: Vec::new(),
        marks: Vec::new(),
        events: Vec::new(),
    }
}

/// A client's line as a write outcome (the workload's per-operation lines are not fixed yet; this
/// reads the usual words: `lost`, timeouts, Redis error replies, connection errors).
fn write_kind(line: &str) -> MarkKind {
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
fn join_addr(ip: &str, port: &str) -> String {
    format!("{ip}:{port}")
}

impl Builder {
    fn name_of_addr(&self, addr: &str) -> String {
        match self.by_addr.get(addr) {
            Some(&l) => self.lanes[l].name.clone(),
            None => addr.to_string(),
        }
    }

    fn lane_of_addr(&self, addr: &str) -> Option<usize> {
        self.by_addr.get(addr.trim_matches(|c| c == '(' || c == ')')).copied()
    }

    /// The line with every known address replaced by its node name.
    fn humanize(&self, line: &str) -> String {
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

    fn set(&mut self, l: usize, t: u64, state: Option<State>) {
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
    fn alive(&mut self, l: usize, t: u64) {
        if matches!(self.tracks[l].cur, None | Some(State::Down)) {
            self.set(l, t, Some(State::Starting));
        }
    }

    fn open(&mut self, l: usize, t: u64, kind: WindowKind, label: String) {
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

    fn is_open(&self, l: usize, pred: impl Fn(WindowKind) -> bool) -> bool {
        self.open.iter().any(|(x, w)| *x == l && pred(w.kind))
    }

    /// Closes the open windows of lane `l` (any lane if None) whose kind matches.
    fn close(&mut self, l: Option<usize>, t: u64, pred: impl Fn(WindowKind) -> bool) {
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

    fn mark(&mut self, l: usize, t: u64, kind: MarkKind, label: String, line: &str) {
        self.lanes[l].marks.push(Mark {
            t_ms: t,
            kind,
            label,
            line: line.to_string(),
        });
    }

    fn down(&mut self, l: usize, t: u64) {
        let tr = &mut self.tracks[l];
        tr.master = None;
        tr.sdown = false;
        tr.odown = false;
        self.set(l, t, Some(State::Down));
        self.close(Some(l), t, |k| {
            matches!(k, WindowKind::Paused | WindowKind::Tilt | WindowKind::Failover)
        });
    }

    fn sentinel_state(&self, l: usize) -> State {
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

    fn action(&mut self, t: u64, line: &str) {
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
        match kind {
            Some(ActionKind::Kill) => {
                if let Some(l) = target {
                    self.down(l, t);
                    self.mark(l, t, MarkKind::Action, "kill".into(), line);
                }
            }
            Some(ActionKind::Restart) => {
                if let Some(l) = target {
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
            }
            Some(ActionKind::Pause) => {
                if let Some(l) = target {
                    if !self.is_open(l, |k| k == WindowKind::Paused) {
                        self.open(l, t, WindowKind::Paused, "paused (SIGSTOP)".into());
                    }
                    self.mark(l, t, MarkKind::Action, "pause".into(), line);
                }
            }
            Some(ActionKind::Resume) => {
                if let Some(l) = target {
                    self.close(Some(l), t, |k| k == WindowKind::Paused);
                    self.mark(l, t, MarkKind::Action, "resume".into(), line);
                }
            }
            Some(ActionKind::Partition) => {
                // A partition replaces the cuts in force.
                self.close(None, t, WindowKind::is_cut);
                let groups: Vec<Vec<usize>> = rest_after(1)
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
            Some(ActionKind::Isolate) => {
                self.close(None, t, WindowKind::is_cut);
                if let Some(l) = target {
                    let name = self.lanes[l].name.clone();
                    self.open(l, t, WindowKind::Isolated, "isolated from every other process".into());
                    self.mark(l, t, MarkKind::Action, "isolate".into(), line);
                    self.open(WORLD, t, WindowKind::NetPartition, format!("isolate {name}"));
                }
            }
            Some(ActionKind::PartitionOneway) => {
                let spec = rest_after(1);
                let (from, to) = spec.split_once("->").unwrap_or((spec.as_str(), ""));
                let lanes =
                    |s: &str| -> Vec<usize> { s.split(',').filter_map(|a| self.lane_of_addr(a.trim())).collect() };
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
            Some(ActionKind::Heal) => self.close(None, t, WindowKind::is_cut),
            Some(ActionKind::Latency) => {
                self.close(Some(WORLD), t, |k| k == WindowKind::Latency);
                self.open(WORLD, t, WindowKind::Latency, human.clone());
            }
            Some(ActionKind::Loss) => {
                self.close(Some(WORLD), t, |k| k == WindowKind::Loss);
                self.open(WORLD, t, WindowKind::Loss, format!("packet {human}"));
            }
            Some(ActionKind::NetReset) => {
                self.close(Some(WORLD), t, |k| matches!(k, WindowKind::Latency | WindowKind::Loss));
            }
            Some(ActionKind::ClockSkew | ActionKind::ClockJump | ActionKind::ClockDrift) => {
                if let Some(l) = target {
                    let what = format!("{} {}", words[0].trim_start_matches("clock_"), rest_after(2));
                    let label = format!("clock fault: {} {} (until clock_reset)", words[0], rest_after(2));
                    self.close(Some(l), t, |k| k == WindowKind::Clock);
                    self.open(l, t, WindowKind::Clock, label);
                    self.mark(l, t, MarkKind::Clock, what, line);
                }
            }
            Some(ActionKind::ClockStrobe) => {
                if let Some(l) = target {
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
                            label: format!("clock fault: {}", rest_after(0)),
                            open_at_end: t + dur > self.end_ms,
                        });
                    }
                    self.mark(l, t, MarkKind::Clock, format!("strobe {}", rest_after(2)), line);
                }
            }
            Some(ActionKind::ClockReset) => {
                if let Some(l) = target {
                    self.close(Some(l), t, |k| k == WindowKind::Clock);
                    self.mark(l, t, MarkKind::Clock, "clock reset".into(), line);
                }
            }
            Some(
                ActionKind::Failover | ActionKind::SentinelSet | ActionKind::SentinelReset | ActionKind::Replicaof,
            ) => {
                let via = crate::scenario::trace_line_via(line).and_then(|a| self.lane_of_addr(a));
                if let Some(l) = via {
                    let label = line.split(" (").next().unwrap_or(line).to_string();
                    let label = label.strip_prefix("SENTINEL ").unwrap_or(&label).to_string();
                    self.mark(l, t, MarkKind::Command, label, line);
                }
            }
            _ if line.starts_with("reply to ") => {
                // `reply to SENTINEL FAILOVER mymaster (via 127.0.0.1:5000): OK`
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
            _ => {}
        }
    }

    /// A data node's log line: its role and replication link.
    fn data_line(&mut self, l: usize, t: u64, line: &str) {
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
    fn sentinel_event(&mut self, l: usize, t: u64, line: &str) {
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

    fn finish(mut self) -> Chart {
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

fn push_segment(v: &mut Vec<Segment>, from: u64, to: u64, state: State) {
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

fn side_letter(i: usize) -> String {
    if i < 26 {
        ((b'A' + i as u8) as char).to_string()
    } else {
        format!("#{}", i + 1)
    }
}

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

/// HTML-escapes text for element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// A coordinate, with one decimal, without a trailing `.0`.
fn n(v: f64) -> String {
    let s = format!("{v:.1}");
    match s.strip_suffix(".0") {
        Some(i) => i.to_string(),
        None => s,
    }
}

const LABEL_W: f64 = 200.0;
const AXIS_H: f64 = 26.0;
const X0: f64 = 12.0;
const FONT_W: f64 = 6.0;

/// The vertical layout of a lane (offsets from its top).
struct Geo {
    h: f64,
    bar_y: f64,
    bar_h: f64,
    tick_y: f64,
}

fn geo(kind: LaneKind) -> Geo {
    // Two rows of mark labels on top (baselines at 11.5 and 22.5), the bar from 26, thin strips
    // under it (6 px apart), then the event ticks.
    let (bar_h, strips) = match kind {
        LaneKind::World => (20.0, 0.0),
        LaneKind::Data => (18.0, 1.0),
        LaneKind::Sentinel => (18.0, 3.0),
        LaneKind::Client => (14.0, 0.0),
    };
    let bar_y = 26.0;
    let tick_y = bar_y + bar_h + 3.0 + strips * 6.0;
    Geo {
        h: tick_y + 12.0,
        bar_y,
        bar_h,
        tick_y,
    }
}

/// Where a window is drawn inside its lane: (y offset, height); None = the whole lane.
fn window_band(lane: LaneKind, k: WindowKind) -> Option<(f64, f64)> {
    let g = geo(lane);
    let strip = |i: f64| Some((g.bar_y + g.bar_h + 2.0 + i * 6.0, 5.0));
    match k {
        WindowKind::Partition { .. } | WindowKind::Isolated | WindowKind::OnewayOut | WindowKind::OnewayIn => None,
        WindowKind::NetPartition => Some((g.bar_y, 10.0)),
        WindowKind::Latency | WindowKind::Loss => Some((g.bar_y + 11.0, 9.0)),
        WindowKind::Paused => Some((g.bar_y, g.bar_h)),
        WindowKind::Failover => strip(0.0),
        WindowKind::Tilt => strip(1.0),
        WindowKind::Clock => strip(if lane == LaneKind::Sentinel { 2.0 } else { 0.0 }),
    }
}

struct Scale {
    px_per_ms: f64,
    width: f64,
}

impl Scale {
    fn new(end_ms: u64) -> Scale {
        let secs = end_ms as f64 / 1000.0;
        // 20 px per simulated second; at least 1100 px, at most 24000 px of plot.
        let mut pps = 20.0;
        if secs * pps < 1100.0 {
            pps = 1100.0 / secs;
        }
        if secs * pps > 24000.0 {
            pps = 24000.0 / secs;
        }
        let px_per_ms = pps / 1000.0;
        Scale {
            px_per_ms,
            width: X0 + end_ms as f64 * px_per_ms + 60.0,
        }
    }
    fn x(&self, t: u64) -> f64 {
        X0 + t as f64 * self.px_per_ms
    }
}

/// Non-overlapping label placement along one row: disjoint intervals by start (in 1/100 px), so
/// that a check costs a lookup, not a scan (a long soak has thousands of marks on the world lane).
#[derive(Default)]
struct Row {
    taken: BTreeMap<i64, (f64, f64)>,
}

const GAP: f64 = 2.0;

fn key(x: f64) -> i64 {
    (x * 100.0).round() as i64
}

impl Row {
    /// The interval that starts last before `x1 + GAP`; being disjoint, it is the only one that can
    /// reach into `[x0, x1]`.
    fn collides(&self, x0: f64, x1: f64) -> Option<i64> {
        let (&k, &(_, b)) = self.taken.range(..key(x1 + GAP)).next_back()?;
        (b + GAP > x0).then_some(k)
    }

    /// Takes `[x0, x1]` for a label if it is free.
    fn place(&mut self, x0: f64, x1: f64) -> bool {
        if self.collides(x0, x1).is_some() {
            return false;
        }
        self.taken.insert(key(x0), (x0, x1));
        true
    }

    /// Takes `[x0, x1]` unconditionally (a mark's symbol), merging what it touches.
    fn reserve(&mut self, mut x0: f64, mut x1: f64) {
        while let Some(k) = self.collides(x0, x1) {
            if let Some((a, b)) = self.taken.remove(&k) {
                x0 = x0.min(a);
                x1 = x1.max(b);
            }
        }
        self.taken.insert(key(x0), (x0, x1));
    }
}

fn text_w(s: &str) -> f64 {
    s.chars().count() as f64 * FONT_W
}

/// The page for one run. Same report, same bytes.
pub fn render(report: &RunReport) -> String {
    let chart = chart(report);
    let mut o = String::with_capacity(64 * 1024 + report.events.len() * 320);
    let status = if report.ok { "OK" } else { "FAILED" };
    w!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"sentinel-sim\">\n\
         <title>{} seed {} {} - sentinel-sim</title>\n<style>{}</style>\n</head>\n<body>\n",
        escape(&report.scenario),
        report.seed,
        status,
        CSS
    );
    header(&mut o, report, &chart);
    chart_section(&mut o, report, &chart);
    events_section(&mut o, report, &chart);
    w!(
        o,
        "<div id=\"tip\" hidden></div>\n<script>{}</script>\n</body>\n</html>\n",
        SCRIPT
    );
    o
}

/// Writes `<dir>/<scenario>/seed-<N>.html` (next to the JSON), creating directories as needed;
/// returns the file's path.
pub fn write_html(dir: &Path, report: &RunReport) -> io::Result<PathBuf> {
    let d = dir.join(crate::report::path_component(&report.scenario));
    std::fs::create_dir_all(&d)?;
    let path = d.join(format!("seed-{}.html", report.seed));
    std::fs::write(&path, render(report))?;
    Ok(path)
}

fn opt_rel(v: Option<u64>) -> String {
    v.map_or_else(|| "—".to_string(), short_secs)
}

fn header(o: &mut String, r: &RunReport, chart: &Chart) {
    let (cls, status) = if r.ok { ("ok", "OK") } else { ("failed", "FAILED") };
    let addr_name = |a: &str| -> String {
        chart
            .lanes
            .iter()
            .find(|l| l.addr.as_deref() == Some(a))
            .map_or_else(|| a.to_string(), |l| format!("{} ({a})", l.name))
    };
    w!(
        o,
        "<header class=\"{cls}\">\n<h1>{} <span class=\"seed\">seed {}</span> <span class=\"badge {cls}\">{status}</span></h1>\n",
        escape(&r.scenario),
        r.seed
    );
    w!(
        o,
        "<p class=\"meta\">trace <code>{}</code> · {} simulated · {} event lines · results schema {}</p>\n",
        escape(&r.trace_hash),
        short_secs(r.sim_ms),
        r.events.len(),
        r.schema
    );
    let tl = &r.timeline;
    w!(
        o,
        "<h2>Timeline</h2>\n<p class=\"describe\">{}</p>\n",
        escape(&tl.describe())
    );
    o.push_str("<table class=\"kv\">\n");
    match (&tl.fault, tl.fault_at_ms) {
        (Some(f), Some(at)) => w!(
            o,
            "<tr><th>first fault</th><td><code>{}</code> at {}</td></tr>\n",
            escape(f),
            secs(at)
        ),
        _ => o.push_str("<tr><th>first fault</th><td>none (times count from 0)</td></tr>\n"),
    }
    let origin = escape(&tl.origin_label());
    let row = |o: &mut String, what: &str, v: Option<u64>, extra: String| {
        w!(
            o,
            "<tr><th>{origin}→{}</th><td>{}{}</td></tr>\n",
            escape(what),
            opt_rel(v),
            extra
        )
    };
    row(o, "+sdown", tl.sdown_ms, String::new());
    row(o, "+odown", tl.odown_ms, String::new());
    row(
        o,
        "+elected-leader",
        tl.elected_ms,
        tl.failover_epoch.map_or_else(String::new, |e| format!(" (epoch {e})")),
    );
    row(o, "first +switch-master", tl.first_switch_ms, String::new());
    row(
        o,
        "+switch-master on every live Sentinel",
        tl.last_switch_ms,
        if tl.first_switch_ms.is_some() && tl.last_switch_ms.is_none() {
            " (not every live Sentinel switched)".into()
        } else {
            String::new()
        },
    );
    if !tl.switches.is_empty() {
        let s: Vec<String> = tl
            .switches
            .iter()
            .map(|m| format!("{} {}", escape(&m.node), short_secs(m.t_ms)))
            .collect();
        w!(o, "<tr><th>switches</th><td>{}</td></tr>\n", s.join(", "));
    }
    if let Some(m) = &tl.new_master {
        w!(o, "<tr><th>new master</th><td>{}</td></tr>\n", escape(&addr_name(m)));
    }
    o.push_str("</table>\n");
    if let Some(ws) = &r.writes {
        writes_section(o, ws);
    }
    let all: Vec<&CheckResult> = r.invariants.iter().chain(&r.expectations).collect();
    let failed = all.iter().filter(|c| !c.ok).count();
    w!(
        o,
        "<h2>Checks <span class=\"sub\">{} passed, {} failed</span></h2>\n<table class=\"checks\">\n",
        all.len() - failed,
        failed
    );
    for (group, list) in [("invariant", &r.invariants), ("expectation", &r.expectations)] {
        for c in list {
            let (cls, tag) = if c.ok { ("pass", "PASS") } else { ("fail", "FAIL") };
            w!(
                o,
                "<tr class=\"{cls}\"><td class=\"tag\">{tag}</td><td class=\"name\">{}</td><td class=\"grp\">{group}</td><td class=\"detail\">{}</td></tr>\n",
                escape(&c.name),
                escape(&c.detail)
            );
        }
    }
    o.push_str("</table>\n");
    final_section(o, r, &addr_name);
    o.push_str("</header>\n");
}

fn writes_section(o: &mut String, ws: &WritesSummary) {
    w!(
        o,
        "<h2>Client writes</h2>\n<p class=\"writes\"><b>{}</b> acknowledged · <b class=\"{}\">{}</b> lost ({:.2}%) · {} lost after the last heal · {} unknown</p>\n",
        ws.acknowledged,
        if ws.lost > 0 { "bad" } else { "good" },
        ws.lost,
        ws.lost_pct,
        ws.lost_after_heal,
        ws.unknown
    );
    let e = &ws.errors;
    w!(
        o,
        "<p class=\"writes\">errors: READONLY {} · NOREPLICAS {} · connection {} · other {}</p>\n",
        e.readonly,
        e.noreplicas,
        e.connection,
        e.other
    );
    let wi = &ws.windows;
    o.push_str("<table class=\"kv\"><tr><th>window</th><th>acknowledged</th><th>lost</th></tr>\n");
    for (name, s) in [
        ("before the first fault", wi.before),
        ("during the faults", wi.during),
        ("after the heal, before demotion", wi.after_heal_before_demotion),
        ("after", wi.after),
    ] {
        w!(
            o,
            "<tr><th>{name}</th><td>{}</td><td class=\"{}\">{}</td></tr>\n",
            s.acknowledged,
            if s.lost > 0 { "bad" } else { "" },
            s.lost
        );
    }
    o.push_str("</table>\n");
}

fn final_section(o: &mut String, r: &RunReport, addr_name: &dyn Fn(&str) -> String) {
    let f = &r.final_state;
    o.push_str("<h2>Final state</h2>\n<div class=\"finals\">\n");
    o.push_str(
        "<table class=\"grid\"><tr><th>data node</th><th>addr</th><th>alive</th><th>role</th><th>master</th><th>link</th><th>offset</th></tr>\n",
    );
    let opt = |v: Option<String>| v.map_or_else(|| "—".to_string(), |s| escape(&s));
    for d in &f.data_nodes {
        w!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            escape(&d.node),
            escape(&d.addr),
            if d.alive { "yes" } else { "<b class=\"bad\">no</b>" },
            opt(d.role.clone()),
            opt(d.master.as_deref().map(addr_name)),
            opt(d.link_up.map(|u| if u { "up".into() } else { "down".into() })),
            opt(d.repl_offset.map(|x| x.to_string()))
        );
    }
    o.push_str("</table>\n");
    o.push_str(
        "<table class=\"grid\"><tr><th>sentinel</th><th>addr</th><th>alive</th><th>master</th><th>epoch</th><th>tilt</th></tr>\n",
    );
    for s in &f.sentinels {
        w!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            escape(&s.node),
            escape(&s.addr),
            if s.alive { "yes" } else { "<b class=\"bad\">no</b>" },
            opt(s.master_addr.as_deref().map(addr_name)),
            opt(s.current_epoch.map(|x| x.to_string())),
            opt(s.tilt.map(|x| if x { "yes".into() } else { "no".into() }))
        );
    }
    o.push_str("</table>\n</div>\n");
}

fn lane_subtitle(r: &RunReport, lane: &Lane) -> (String, String) {
    let addr = lane.addr.clone().unwrap_or_default();
    let name_of = |a: &str| {
        r.final_state
            .data_nodes
            .iter()
            .find(|d| d.addr == a)
            .map_or_else(|| a.to_string(), |d| d.node.clone())
    };
    match lane.kind {
        LaneKind::World => ("actions · network".into(), String::new()),
        LaneKind::Data => {
            let fin = r.final_state.data_nodes.iter().find(|d| d.node == lane.name);
            let end = match fin {
                Some(d) if !d.alive => "end: down".to_string(),
                Some(d) => match (d.role.as_deref(), d.master.as_deref()) {
                    (Some("slave"), Some(m)) => format!(
                        "end: replica of {}{}",
                        name_of(m),
                        if d.link_up == Some(false) { " (link down)" } else { "" }
                    ),
                    (Some(role), _) => format!("end: {role}"),
                    _ => "end: not answering".into(),
                },
                None => String::new(),
            };
            (format!("{addr} · data node"), end)
        }
        LaneKind::Sentinel => {
            let fin = r.final_state.sentinels.iter().find(|s| s.node == lane.name);
            let end = match fin {
                Some(s) if !s.alive => "end: down".to_string(),
                Some(s) => format!(
                    "end: epoch {}, master {}{}",
                    s.current_epoch.map_or("?".into(), |e| e.to_string()),
                    s.master_addr.as_deref().map_or("?".into(), name_of),
                    if s.tilt == Some(true) { ", TILT" } else { "" }
                ),
                None => String::new(),
            };
            (format!("{addr} · sentinel"), end)
        }
        LaneKind::Client => ("client".into(), String::new()),
    }
}

const LEGEND: &str = "<div class=\"legend\">\
<span><i class=\"sw master\"></i>master</span>\
<span><i class=\"sw replica\"></i>replica, link up</span>\
<span><i class=\"sw replica-nolink\"></i>replica, link down</span>\
<span><i class=\"sw down\"></i>down</span>\
<span><i class=\"sw starting\"></i>starting</span>\
<span><i class=\"sw paused\"></i>paused</span>\
<span><i class=\"sw s-ok\"></i>Sentinel: master ok</span>\
<span><i class=\"sw s-sdown\"></i>SDOWN</span>\
<span><i class=\"sw s-odown\"></i>ODOWN</span>\
<span><i class=\"sw failover\"></i>own failover attempt</span>\
<span><i class=\"sw tilt\"></i>TILT</span>\
<span><i class=\"sw clock\"></i>clock fault</span>\
<span><i class=\"sw partition\"></i>partition side A</span>\
<span><i class=\"sw partition2\"></i>side B</span>\
<span><i class=\"sw isolated\"></i>isolated / one-way cut</span>\
<span>★ leader · ⇒ +switch-master · eN +new-epoch · ▼ action</span>\
</div>\n";

fn chart_section(o: &mut String, r: &RunReport, chart: &Chart) {
    let sc = Scale::new(chart.end_ms);
    let mut ys = Vec::with_capacity(chart.lanes.len());
    let mut y = AXIS_H;
    for lane in &chart.lanes {
        ys.push(y);
        y += geo(lane.kind).h;
    }
    let height = y + AXIS_H;
    o.push_str("<section id=\"chart-sec\">\n<h2>Chart <span class=\"sub\">simulated time in seconds; hover for the event lines, click to find one in the list</span></h2>\n");
    o.push_str(LEGEND);
    o.push_str("<div class=\"chart\">\n");
    // Lane names (fixed column).
    w!(
        o,
        "<svg class=\"names\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\">",
        n(LABEL_W),
        n(height),
        n(LABEL_W),
        n(height)
    );
    w!(
        o,
        "<text class=\"axis-t\" x=\"6\" y=\"{}\">time (s)</text>",
        n(AXIS_H - 9.0)
    );
    for (i, lane) in chart.lanes.iter().enumerate() {
        let g = geo(lane.kind);
        let (sub, end) = lane_subtitle(r, lane);
        w!(
            o,
            "<g class=\"name k{}\"><rect class=\"lanebg{}\" x=\"0\" y=\"{}\" width=\"{}\" height=\"{}\"/><text class=\"ln\" x=\"8\" y=\"{}\">{}</text><text class=\"sub\" x=\"8\" y=\"{}\">{}</text><text class=\"sub\" x=\"8\" y=\"{}\">{}</text></g>",
            lane_kind_class(lane.kind),
            i % 2,
            n(ys[i]),
            n(LABEL_W),
            n(g.h),
            n(ys[i] + 16.0),
            escape(&lane.name),
            n(ys[i] + 29.0),
            escape(&sub),
            n(ys[i] + 41.0),
            escape(&end)
        );
    }
    o.push_str("</svg>\n");
    // The plot.
    w!(
        o,
        "<div class=\"scroll\" id=\"scroll\"><svg id=\"chart\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" data-px-per-ms=\"{}\" data-x0=\"{}\">",
        n(sc.width),
        n(height),
        n(sc.width),
        n(height),
        sc.px_per_ms,
        n(X0)
    );
    o.push_str(DEFS);
    for (i, lane) in chart.lanes.iter().enumerate() {
        w!(
            o,
            "<rect class=\"lanebg{}\" x=\"0\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
            i % 2,
            n(ys[i]),
            n(sc.width),
            n(geo(lane.kind).h)
        );
    }
    axis(o, &sc, chart.end_ms, height);
    // Guides: one faint vertical line per action, across every lane.
    let mut guide = String::new();
    let mut last = f64::NEG_INFINITY;
    for e in r.events.iter().filter(|e| e.kind == EventKind::Action) {
        let x = sc.x(e.t_ms);
        if x - last >= 0.5 {
            w!(guide, "M{} {}V{}", n(x), n(AXIS_H), n(height - AXIS_H));
            last = x;
        }
    }
    if !guide.is_empty() {
        w!(o, "<path class=\"guide\" d=\"{guide}\"/>");
    }
    for (i, lane) in chart.lanes.iter().enumerate() {
        draw_lane(o, r, lane, i, ys[i], &sc);
    }
    w!(
        o,
        "<line id=\"cursor\" class=\"cursor\" x1=\"0\" x2=\"0\" y1=\"{}\" y2=\"{}\" visibility=\"hidden\"/>",
        n(AXIS_H),
        n(height - AXIS_H)
    );
    o.push_str("</svg></div>\n</div>\n</section>\n");
}

fn lane_kind_class(k: LaneKind) -> &'static str {
    match k {
        LaneKind::World => "world",
        LaneKind::Data => "data",
        LaneKind::Sentinel => "sentinel",
        LaneKind::Client => "client",
    }
}

fn axis(o: &mut String, sc: &Scale, end_ms: u64, height: f64) {
    const STEPS: [u64; 20] = [
        100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000,
        3_600_000, 7_200_000, 14_400_000, 21_600_000, 43_200_000,
    ];
    let step = STEPS
        .iter()
        .copied()
        .find(|s| *s as f64 * sc.px_per_ms >= 64.0)
        .unwrap_or(86_400_000);
    let mut grid = String::new();
    let mut labels = String::new();
    let mut t = 0;
    while t <= end_ms {
        let x = n(sc.x(t));
        w!(grid, "M{x} {}V{}", n(AXIS_H - 5.0), n(height - AXIS_H + 5.0));
        let label = if step < 1000 {
            format!("{}.{}", t / 1000, (t % 1000) / 100)
        } else {
            (t / 1000).to_string()
        };
        w!(
            labels,
            "<text x=\"{x}\" y=\"{}\">{label}</text><text x=\"{x}\" y=\"{}\">{label}</text>",
            n(AXIS_H - 9.0),
            n(height - 8.0)
        );
        t += step;
    }
    w!(o, "<path class=\"grid\" d=\"{grid}\"/><g class=\"axis\">{labels}</g>");
}

fn draw_lane(o: &mut String, r: &RunReport, lane: &Lane, idx: usize, y: f64, sc: &Scale) {
    let g = geo(lane.kind);
    w!(
        o,
        "<g class=\"lane {}\" id=\"lane-{idx}\" data-l=\"{idx}\" data-node=\"{}\" data-y=\"{}\" data-h=\"{}\">",
        lane_kind_class(lane.kind),
        escape(&lane.name),
        n(y),
        n(g.h)
    );
    let span = |from: u64, to: u64| {
        let x0 = sc.x(from);
        let x1 = sc.x(to).max(x0 + 1.0);
        (x0, x1 - x0)
    };
    let window_title = |w: &Window| {
        format!(
            "{}: {} from {} to {}{}",
            lane.name,
            w.label,
            secs(w.from_ms),
            if w.open_at_end {
                "the end".to_string()
            } else {
                secs(w.to_ms)
            },
            if w.open_at_end {
                String::new()
            } else {
                format!(" ({})", short_secs(w.to_ms - w.from_ms))
            }
        )
    };
    // Lane-wide shading (partitions) first, behind the bar.
    for w in lane.windows.iter().filter(|w| window_band(lane.kind, w.kind).is_none()) {
        let (x, wd) = span(w.from_ms, w.to_ms);
        let letter = match w.kind {
            WindowKind::Partition { side, .. } => side_letter(side),
            WindowKind::Isolated => "isolated".into(),
            WindowKind::OnewayOut => "out cut".into(),
            WindowKind::OnewayIn => "in cut".into(),
            _ => String::new(),
        };
        w!(
            o,
            "<g class=\"win {}\"><title>{}</title><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
            w.kind.class(),
            escape(&window_title(w)),
            n(x),
            n(y),
            n(wd),
            n(g.h)
        );
        if wd > text_w(&letter) + 4.0 {
            w!(
                o,
                "<text class=\"wl\" x=\"{}\" y=\"{}\">{}</text>",
                n(x + 3.0),
                n(y + g.h - 3.0),
                escape(&letter)
            );
        }
        o.push_str("</g>");
    }
    // The bar: states.
    for s in &lane.segments {
        let (x, wd) = span(s.from_ms, s.to_ms);
        let label = s.state.label();
        w!(
            o,
            "<g class=\"seg {}\"><title>{}: {} from {} to {} ({})</title><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
            s.state.class(),
            escape(&lane.name),
            escape(&label),
            secs(s.from_ms),
            secs(s.to_ms),
            short_secs(s.to_ms - s.from_ms),
            n(x),
            n(y + g.bar_y),
            n(wd),
            n(g.bar_h)
        );
        if wd > text_w(&label) + 8.0 {
            w!(
                o,
                "<text x=\"{}\" y=\"{}\">{}</text>",
                n(x + 4.0),
                n(y + g.bar_y + g.bar_h - 5.0),
                escape(&label)
            );
        }
        o.push_str("</g>");
    }
    // Banded windows: pause over the bar, TILT / failover / clock strips, world network rows.
    for w in &lane.windows {
        let Some((by, bh)) = window_band(lane.kind, w.kind) else {
            continue;
        };
        let (x, wd) = span(w.from_ms, w.to_ms);
        w!(
            o,
            "<g class=\"win {}\"><title>{}</title><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
            w.kind.class(),
            escape(&window_title(w)),
            n(x),
            n(y + by),
            n(wd),
            n(bh)
        );
        let text = match w.kind {
            WindowKind::Paused => "paused".to_string(),
            WindowKind::NetPartition | WindowKind::Latency | WindowKind::Loss => w.label.clone(),
            _ => String::new(),
        };
        // The whole label if it fits, else its first word.
        let fits = |t: &str| bh >= 9.0 && wd > text_w(t) * 0.85 + 6.0;
        let text = if fits(&text) {
            text
        } else {
            text.split(' ').next().unwrap_or("").to_string()
        };
        if !text.is_empty() && fits(&text) {
            w!(
                o,
                "<text class=\"wt\" x=\"{}\" y=\"{}\">{}</text>",
                n(x + 3.0),
                n(y + by + bh - 2.0),
                escape(&text)
            );
        }
        o.push_str("</g>");
    }
    // Marks, labels placed by priority without overlaps.
    let mut order: Vec<usize> = (0..lane.marks.len()).collect();
    order.sort_by_key(|&i| (lane.marks[i].kind.priority(), lane.marks[i].t_ms, i));
    // Each label goes right of its mark, else left of it, in the first row (where the symbols
    // are), else the second.
    let mut rows = [Row::default(), Row::default()];
    for m in lane.marks.iter().filter(|m| !m.label.is_empty()) {
        let x = sc.x(m.t_ms);
        rows[0].reserve(x - 3.0, x + 3.0);
    }
    let mut show: Vec<Option<(f64, f64, bool)>> = vec![None; lane.marks.len()];
    for &i in &order {
        let m = &lane.marks[i];
        if m.label.is_empty() {
            continue;
        }
        let x = sc.x(m.t_ms);
        let tw = text_w(&m.label);
        'place: for (ri, row) in rows.iter_mut().enumerate() {
            let base = y + 11.5 + 11.0 * ri as f64;
            if row.place(x + 5.0, x + 6.0 + tw) {
                show[i] = Some((x + 6.0, base, false));
                break 'place;
            }
            if row.place(x - 6.0 - tw, x - 5.0) {
                show[i] = Some((x - 6.0, base, true));
                break 'place;
            }
        }
    }
    for (i, m) in lane.marks.iter().enumerate() {
        let x = sc.x(m.t_ms);
        let title = format!("{} {}: {}", secs(m.t_ms), lane.name, m.line);
        w!(
            o,
            "<g class=\"mark {}\"><title>{}</title>",
            m.kind.class(),
            escape(&title)
        );
        let top = y + 3.0;
        match m.kind {
            MarkKind::Switch => w!(
                o,
                "<line x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\"/><path d=\"M{} {}l-4 -5h8z\"/>",
                n(x),
                n(x),
                n(top),
                n(y + g.bar_y + g.bar_h + 2.0),
                n(x),
                n(y + g.bar_y),
            ),
            MarkKind::Leader => w!(o, "<circle cx=\"{}\" cy=\"{}\" r=\"4\"/>", n(x), n(top + 6.0)),
            MarkKind::Epoch => w!(o, "<path d=\"M{} {}v8\"/>", n(x), n(top + 3.0)),
            MarkKind::Clock => w!(o, "<circle cx=\"{}\" cy=\"{}\" r=\"3.5\"/>", n(x), n(top + 6.0)),
            MarkKind::Command => w!(o, "<path d=\"M{} {}l4 5l-4 5l-4 -5z\"/>", n(x), n(top + 1.0)),
            MarkKind::Action => w!(o, "<path d=\"M{} {}h9l-4.5 9z\"/>", n(x - 4.5), n(top + 1.0)),
            MarkKind::WriteOk | MarkKind::WriteError | MarkKind::WriteLost | MarkKind::WriteUnknown => w!(
                o,
                "<rect x=\"{}\" y=\"{}\" width=\"2.5\" height=\"{}\"/>",
                n(x - 1.0),
                n(y + g.bar_y),
                n(g.bar_h)
            ),
        }
        if let Some((tx, ty, left)) = show[i] {
            w!(
                o,
                "<text x=\"{}\" y=\"{}\"{}>{}</text>",
                n(tx),
                n(ty),
                if left { " text-anchor=\"end\"" } else { "" },
                escape(&m.label)
            );
        }
        o.push_str("</g>");
    }
    // One tick per event line (dedup'd per pixel), by kind.
    let mut paths: BTreeMap<&str, (String, f64)> = BTreeMap::new();
    for &i in &lane.events {
        let e = &r.events[i];
        let cls = kind_class(e.kind);
        let x = (sc.x(e.t_ms) * 2.0).round() / 2.0;
        let (d, last) = paths.entry(cls).or_insert_with(|| (String::new(), f64::NEG_INFINITY));
        if x != *last {
            w!(d, "M{} {}v8", n(x), n(y + g.tick_y));
            *last = x;
        }
    }
    for (cls, (d, _)) in paths {
        w!(o, "<path class=\"tk {cls}\" d=\"{d}\"/>");
    }
    o.push_str("</g>\n");
}

fn kind_class(k: EventKind) -> &'static str {
    match k {
        EventKind::Action => "k-a",
        EventKind::Sentinel => "k-s",
        EventKind::SentinelLog => "k-l",
        EventKind::Data => "k-d",
    }
}

fn kind_name(k: EventKind) -> &'static str {
    match k {
        EventKind::Action => "action",
        EventKind::Sentinel => "sentinel",
        EventKind::SentinelLog => "log",
        EventKind::Data => "data",
    }
}

fn events_section(o: &mut String, r: &RunReport, chart: &Chart) {
    let lane_of: BTreeMap<&str, usize> = chart
        .lanes
        .iter()
        .enumerate()
        .map(|(i, l)| (l.name.as_str(), i))
        .collect();
    w!(
        o,
        "<section id=\"events-sec\">\n<h2>Events <span class=\"sub\" id=\"count\">{} lines</span></h2>\n<div class=\"filters\">\
         <input id=\"q\" type=\"search\" placeholder=\"filter: words that must all appear (e.g. +switch-master 5001)\" size=\"60\">\
         <label><input type=\"checkbox\" class=\"kf\" value=\"k-a\" checked> actions</label>\
         <label><input type=\"checkbox\" class=\"kf\" value=\"k-s\" checked> sentinel events</label>\
         <label><input type=\"checkbox\" class=\"kf\" value=\"k-l\" checked> sentinel log</label>\
         <label><input type=\"checkbox\" class=\"kf\" value=\"k-d\" checked> data node log</label>\
         <select id=\"nf\"><option value=\"\">all processes</option>",
        r.events.len()
    );
    for (i, l) in chart.lanes.iter().enumerate() {
        w!(o, "<option value=\"{i}\">{}</option>", escape(&l.name));
    }
    o.push_str("</select></div>\n<div class=\"tablewrap\" id=\"tablewrap\"><table id=\"events\"><thead><tr><th>time (s)</th><th>node</th><th>kind</th><th>line</th></tr></thead><tbody>\n");
    for e in &r.events {
        let l = lane_of.get(e.node.as_str()).copied().unwrap_or(0);
        w!(
            o,
            "<tr class=\"{}\" data-t=\"{}\" data-l=\"{l}\"><td class=\"t\">{}</td><td>{}</td><td>{}</td><td class=\"x\">{}</td></tr>\n",
            kind_class(e.kind),
            e.t_ms,
            secs(e.t_ms).trim_end_matches('s'),
            escape(&e.node),
            kind_name(e.kind),
            escape(&e.line)
        );
    }
    o.push_str("</tbody></table></div>\n</section>\n");
}

const DEFS: &str = "<defs>\
<pattern id=\"hatch-down\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#e6e8eb\"/><rect width=\"2.5\" height=\"6\" fill=\"#8c959f\"/></pattern>\
<pattern id=\"hatch-pause\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(-45)\"><rect width=\"2.5\" height=\"6\" fill=\"#9a6700\" fill-opacity=\"0.75\"/></pattern>\
<pattern id=\"stripe-p0\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"8\" height=\"8\" fill=\"#fb8f44\" fill-opacity=\"0.10\"/><rect width=\"3\" height=\"8\" fill=\"#fb8f44\" fill-opacity=\"0.35\"/></pattern>\
<pattern id=\"stripe-p1\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(-45)\"><rect width=\"8\" height=\"8\" fill=\"#8250df\" fill-opacity=\"0.08\"/><rect width=\"3\" height=\"8\" fill=\"#8250df\" fill-opacity=\"0.30\"/></pattern>\
<pattern id=\"stripe-p2\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(90)\"><rect width=\"8\" height=\"8\" fill=\"#1a7f37\" fill-opacity=\"0.08\"/><rect width=\"3\" height=\"8\" fill=\"#1a7f37\" fill-opacity=\"0.30\"/></pattern>\
<pattern id=\"stripe-iso\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"8\" height=\"8\" fill=\"#cf222e\" fill-opacity=\"0.08\"/><rect width=\"3\" height=\"8\" fill=\"#cf222e\" fill-opacity=\"0.30\"/></pattern>\
</defs>";

const CSS: &str = r#"
:root{--fg:#1f2328;--mute:#59636e;--line:#d1d9e0;--bg:#fff;--ok:#1a7f37;--bad:#cf222e}
*{box-sizing:border-box}
body{margin:0;padding:0 18px 40px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
code,.x,.t,#tip{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace}
header{padding:10px 0 4px;border-bottom:1px solid var(--line)}
h1{font-size:22px;margin:6px 0}
h1 .seed{color:var(--mute);font-weight:400}
h2{font-size:16px;margin:16px 0 6px}
h2 .sub{font-size:12px;font-weight:400;color:var(--mute)}
.badge{display:inline-block;padding:1px 10px;border-radius:12px;color:#fff;font-size:15px;vertical-align:middle}
.badge.ok{background:var(--ok)}.badge.failed{background:var(--bad)}
.meta{color:var(--mute);margin:2px 0}
.describe{font-family:ui-monospace,Menlo,Consolas,"DejaVu Sans Mono",monospace;margin:4px 0}
table{border-collapse:collapse}
.kv th{text-align:left;font-weight:500;color:var(--mute);padding:1px 14px 1px 0}
.kv td{padding:1px 10px 1px 0}
.checks td{padding:2px 10px 2px 0;vertical-align:top}
.checks .tag{font-weight:700}
.checks .pass .tag{color:var(--ok)}
.checks .fail .tag{color:var(--bad)}
.checks .fail{background:#ffebe9}
.checks .name{font-family:ui-monospace,Menlo,Consolas,"DejaVu Sans Mono",monospace;white-space:nowrap}
.checks .grp{color:var(--mute);font-size:12px}
.checks .detail{color:#31373d}
.bad{color:var(--bad)}.good{color:var(--ok)}
.finals{display:flex;gap:24px;flex-wrap:wrap}
.grid th,.grid td{border:1px solid var(--line);padding:2px 8px;text-align:left;font-size:13px}
.grid th{background:#f6f8fa}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:12px;color:var(--mute);margin:4px 0 8px}
.legend span{display:inline-flex;align-items:center;gap:4px}
.sw{display:inline-block;width:18px;height:11px;border:1px solid #0002}
.sw.master{background:#1f6feb}.sw.replica{background:#2da44e}.sw.replica-nolink{background:#aee0bb}
.sw.down{background:repeating-linear-gradient(45deg,#8c959f 0 2px,#e6e8eb 2px 5px)}
.sw.starting{background:#d0d7de}.sw.paused{background:repeating-linear-gradient(-45deg,#9a6700 0 2px,#fff0 2px 5px)}
.sw.s-ok{background:#cfe6f7}.sw.s-sdown{background:#f2a93b}.sw.s-odown{background:#d1242f}
.sw.failover{background:#0969da}.sw.tilt{background:#8250df}.sw.clock{background:#bf8700}
.sw.partition{background:repeating-linear-gradient(45deg,#fb8f4460 0 3px,#fb8f4418 3px 8px)}
.sw.partition2{background:repeating-linear-gradient(-45deg,#8250df50 0 3px,#8250df14 3px 8px)}
.sw.isolated{background:repeating-linear-gradient(45deg,#cf222e50 0 3px,#cf222e14 3px 8px)}
.chart{display:flex;border:1px solid var(--line);border-radius:4px;overflow:hidden}
.chart svg{display:block;font-size:10px}
.names{flex:none;border-right:1px solid var(--line);background:#fff}
.names .ln{font-size:12px;font-weight:600;fill:var(--fg)}
.names .sub{font-size:10px;fill:var(--mute)}
.names .axis-t{font-size:10px;fill:var(--mute)}
.scroll{overflow-x:auto;flex:1 1 auto;min-width:0}
.lanebg0{fill:#fff}.lanebg1{fill:#f6f8fa}
.grid{stroke:#d8dee4;stroke-width:1}
.axis text{fill:var(--mute);text-anchor:middle}
.guide{stroke:#24292f;stroke-opacity:.16;stroke-dasharray:2 3}
.cursor{stroke:#cf222e;stroke-width:1.5}
.seg rect{stroke:#fff;stroke-width:.5}
.seg text{fill:#fff;pointer-events:none}
.seg.master rect{fill:#1f6feb}.seg.replica rect{fill:#2da44e}.seg.replica-nolink rect{fill:#aee0bb}
.seg.replica-nolink text,.seg.starting text,.seg.s-ok text,.seg.s-sdown text,.seg.down text{fill:#1f2328}
.seg.down rect{fill:url(#hatch-down)}.seg.starting rect{fill:#d0d7de}
.seg.s-ok rect{fill:#cfe6f7}.seg.s-sdown rect{fill:#f2a93b}.seg.s-odown rect{fill:#d1242f}
.win.paused rect{fill:url(#hatch-pause)}
.win.paused text{fill:#3d2c00;font-weight:600}
.win.p0 rect{fill:url(#stripe-p0)}.win.p1 rect{fill:url(#stripe-p1)}.win.p2 rect{fill:url(#stripe-p2)}
.win.isolated rect,.win.oneway-out rect,.win.oneway-in rect{fill:url(#stripe-iso)}
.win .wl{fill:#6e4000;font-size:9px;font-weight:600}
.win.netpart rect{fill:#fb8f44;fill-opacity:.55}
.win.latency rect,.win.loss rect{fill:#bf8700;fill-opacity:.45}
.win .wt{fill:#1f2328;font-size:9px}
.win.tilt rect{fill:#8250df}.win.failover rect{fill:#0969da}.win.clock rect{fill:#bf8700}
.mark text{fill:#1f2328}
.mark.switch line{stroke:#8250df;stroke-width:2}.mark.switch path{fill:#8250df}.mark.switch text{fill:#5a32a3;font-weight:600}
.mark.leader circle{fill:#f2c744;stroke:#7d4e00}.mark.leader text{font-weight:600;fill:#7d4e00}
.mark.epoch path{stroke:#57606a;stroke-width:1.5}.mark.epoch text{fill:#57606a}
.mark.action path{fill:#24292f}
.mark.command path{fill:#0969da}
.mark.clockmark circle{fill:#bf8700}
.mark.w-ok rect{fill:#2da44e}.mark.w-err rect{fill:#cf222e}.mark.w-lost rect{fill:#000}.mark.w-unknown rect{fill:#8c959f}
.tk{stroke-width:1}
.tk.k-a{stroke:#24292f}.tk.k-s{stroke:#0969da}.tk.k-l{stroke:#8c959f}.tk.k-d{stroke:#57ab5a}
#tip{position:fixed;z-index:10;pointer-events:none;white-space:pre;max-width:80vw;overflow:hidden;background:#fffbe6;border:1px solid #d4a72c;border-radius:4px;padding:4px 8px;font-size:12px;box-shadow:0 2px 8px #0003}
.filters{display:flex;flex-wrap:wrap;gap:6px 14px;align-items:center;margin:4px 0 8px;font-size:13px}
.tablewrap{max-height:60vh;overflow:auto;border:1px solid var(--line);border-radius:4px}
#events{width:100%;font-size:12.5px}
#events th{position:sticky;top:0;background:#f6f8fa;text-align:left;padding:3px 8px;border-bottom:1px solid var(--line)}
#events td{padding:1px 8px;vertical-align:top;white-space:nowrap}
#events td.x{white-space:pre-wrap;word-break:break-all}
#events td.t{text-align:right;color:var(--mute)}
#events tr{cursor:pointer}
#events tr.k-a{background:#fff8c5;font-weight:600}
#events tr.k-l,#events tr.k-d{color:#59636e}
#events tr.sel{outline:2px solid #cf222e;outline-offset:-2px;background:#ffebe9}
#events tr:hover{background:#eef4ff}
"#;

const SCRIPT: &str = r#"
(function () {
  'use strict';
  var svg = document.getElementById('chart');
  if (!svg) return;
  var scroll = document.getElementById('scroll');
  var wrap = document.getElementById('tablewrap');
  var tip = document.getElementById('tip');
  var cursor = document.getElementById('cursor');
  var pxms = parseFloat(svg.getAttribute('data-px-per-ms'));
  var x0 = parseFloat(svg.getAttribute('data-x0'));
  var rows = Array.prototype.slice.call(document.querySelectorAll('#events tbody tr'));
  var lanes = Array.prototype.slice.call(svg.querySelectorAll('g.lane'));
  var byLane = {};
  rows.forEach(function (r) {
    r._t = parseInt(r.getAttribute('data-t'), 10);
    var l = r.getAttribute('data-l');
    (byLane[l] = byLane[l] || []).push(r);
  });
  // One tooltip (ours): the SVG titles become data-tip attributes.
  Array.prototype.slice.call(svg.querySelectorAll('title')).forEach(function (t) {
    t.parentNode.setAttribute('data-tip', t.textContent);
    t.parentNode.removeChild(t);
  });
  function laneAt(y) {
    for (var i = 0; i < lanes.length; i++) {
      var y0 = parseFloat(lanes[i].getAttribute('data-y'));
      var h = parseFloat(lanes[i].getAttribute('data-h'));
      if (y >= y0 && y < y0 + h) return lanes[i];
    }
    return null;
  }
  function point(ev) {
    var b = svg.getBoundingClientRect();
    return { x: ev.clientX - b.left, y: ev.clientY - b.top };
  }
  function near(lane, t, tol) {
    var list = byLane[lane.getAttribute('data-l')] || [];
    var lo = 0, hi = list.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (list[mid]._t < t - tol) lo = mid + 1; else hi = mid;
    }
    var out = [];
    for (var i = lo; i < list.length && list[i]._t <= t + tol; i++) out.push(list[i]);
    return out;
  }
  function text(r) {
    return r.cells[0].textContent + 's  ' + r.cells[1].textContent + '  ' + r.cells[3].textContent;
  }
  svg.addEventListener('mousemove', function (ev) {
    var p = point(ev);
    var lines = [];
    var el = ev.target.closest ? ev.target.closest('[data-tip]') : null;
    if (el) lines.push(el.getAttribute('data-tip'));
    var lane = laneAt(p.y);
    if (lane) {
      var hits = near(lane, (p.x - x0) / pxms, 5 / pxms);
      if (hits.length && lines.length) lines.push('');
      hits.slice(0, 14).forEach(function (r) { lines.push(text(r)); });
      if (hits.length > 14) lines.push('... ' + (hits.length - 14) + ' more (click to see them in the list)');
    }
    if (!lines.length) { tip.hidden = true; return; }
    tip.textContent = lines.join('\n');
    tip.hidden = false;
    var x = ev.clientX + 14, y = ev.clientY + 16;
    if (x + tip.offsetWidth > window.innerWidth - 8) x = Math.max(8, ev.clientX - tip.offsetWidth - 14);
    if (y + tip.offsetHeight > window.innerHeight - 8) y = Math.max(8, ev.clientY - tip.offsetHeight - 16);
    tip.style.left = x + 'px';
    tip.style.top = y + 'px';
  });
  svg.addEventListener('mouseleave', function () { tip.hidden = true; });
  function moveCursor(t) {
    var x = x0 + t * pxms;
    cursor.setAttribute('x1', x);
    cursor.setAttribute('x2', x);
    cursor.setAttribute('visibility', 'visible');
    return x;
  }
  var selected = null;
  function select(r) {
    if (selected) selected.classList.remove('sel');
    selected = r;
    r.classList.add('sel');
  }
  svg.addEventListener('click', function (ev) {
    var p = point(ev);
    var lane = laneAt(p.y);
    var t = (p.x - x0) / pxms;
    moveCursor(t);
    if (!lane) return;
    var hits = near(lane, t, 12 / pxms);
    if (!hits.length) return;
    var best = hits[0];
    hits.forEach(function (r) { if (Math.abs(r._t - t) < Math.abs(best._t - t)) best = r; });
    if (best.style.display === 'none') { resetFilters(); }
    select(best);
    wrap.scrollTop = best.offsetTop - wrap.clientHeight / 2;
  });
  rows.forEach(function (r) {
    r.addEventListener('click', function () {
      select(r);
      var x = moveCursor(r._t);
      scroll.scrollLeft = x - scroll.clientWidth / 2;
      svg.scrollIntoView({ block: 'nearest' });
    });
  });
  var q = document.getElementById('q');
  var nf = document.getElementById('nf');
  var kfs = Array.prototype.slice.call(document.querySelectorAll('.kf'));
  var count = document.getElementById('count');
  function apply() {
    var words = q.value.toLowerCase().split(/\s+/).filter(Boolean);
    var kinds = {};
    kfs.forEach(function (k) { kinds[k.value] = k.checked; });
    var node = nf.value;
    var shown = 0;
    rows.forEach(function (r) {
      var ok = kinds[r.className.split(' ')[0]] !== false && (!node || r.getAttribute('data-l') === node);
      if (ok && words.length) {
        var s = r.textContent.toLowerCase();
        for (var i = 0; i < words.length; i++) if (s.indexOf(words[i]) < 0) { ok = false; break; }
      }
      r.style.display = ok ? '' : 'none';
      if (ok) shown++;
    });
    count.textContent = shown + ' of ' + rows.length + ' lines';
  }
  function resetFilters() {
    q.value = '';
    nf.value = '';
    kfs.forEach(function (k) { k.checked = true; });
    apply();
  }
  q.addEventListener('input', apply);
  nf.addEventListener('change', apply);
  kfs.forEach(function (k) { k.addEventListener('change', apply); });
  apply();
})();
"#;
