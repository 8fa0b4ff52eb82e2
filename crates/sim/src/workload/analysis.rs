//! From a history and what survived on the final master to the numbers of the split-brain story:
//! acknowledged writes, lost acknowledged writes by time window, errors by kind, and per client its
//! unavailability (`availability`) and its lane (`activity`). Pure.

use std::collections::BTreeMap;

use serde::Serialize;

use super::history::{ErrorKind, Op, Outcome};
use crate::duration::secs;
use crate::report::{ClientWrites, Unavailability, WindowStats, WriteErrors, WritesSummary};
use crate::scenario::{ActionKind, Scenario};
use crate::trace::{Kind, TraceEvent};

/// The data node log line of a master turning into a replica (`replicationSetMaster` on a node
/// that was a master).
pub const DEMOTION_DATA_LINE: &str = "Before turning into a replica";

/// The edges of the time windows, in ms since the world start.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Windows {
    /// The first fault.
    pub fault_ms: Option<u64>,
    /// The last heal (restart, resume, heal, net_reset, clock_reset) after the first fault.
    pub heal_ms: Option<u64>,
    /// The first demotion of a master after that heal: a `+convert-to-slave` of the monitored
    /// group, or a data node's "Before turning into a replica" line.
    pub demotion_ms: Option<u64>,
}

/// Which window a write falls in (by the time it was acknowledged).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    Before,
    During,
    AfterHealBeforeDemotion,
    After,
}

impl Windows {
    /// Reads the edges from the trace: action lines for the fault and heal, Sentinel events and
    /// data node lines for the demotion.
    pub fn from_trace(s: &Scenario, trace: &[TraceEvent]) -> Windows {
        let action_kind = |e: &TraceEvent| e.kind.performed().map(|a| a.kind());
        let Some(fault_idx) = trace
            .iter()
            .position(|e| action_kind(e).is_some_and(ActionKind::is_fault))
        else {
            return Windows::default();
        };
        let heal_idx = trace
            .iter()
            .enumerate()
            .skip(fault_idx + 1)
            .filter(|(_, e)| action_kind(e).is_some_and(ActionKind::is_heal))
            .map(|(i, _)| i)
            .next_back();
        let master = &s.master.name;
        let demotion = heal_idx.and_then(|h| {
            trace.iter().skip(h + 1).find(|e| match &e.kind {
                Kind::Sentinel(ev) => {
                    ev.name() == "+convert-to-slave" && crate::checks::trace_view::is_master(ev, master)
                }
                Kind::Data { line } => line.starts_with(DEMOTION_DATA_LINE),
                Kind::Action { .. } | Kind::World(_) | Kind::Wire(_) => false,
            })
        });
        Windows {
            fault_ms: Some(trace[fault_idx].t_ms),
            heal_ms: heal_idx.map(|i| trace[i].t_ms),
            demotion_ms: demotion.map(|e| e.t_ms),
        }
    }

    /// The window of a write acknowledged at `t_ms`. Without a fault everything is `Before`;
    /// without a heal everything from the fault on is `During`; without a demotion after the heal,
    /// everything from the heal on is `After`.
    pub fn of(&self, t_ms: u64) -> Window {
        let Some(fault) = self.fault_ms else {
            return Window::Before;
        };
        if t_ms < fault {
            return Window::Before;
        }
        let Some(heal) = self.heal_ms else {
            return Window::During;
        };
        if t_ms < heal {
            return Window::During;
        }
        match self.demotion_ms {
            Some(d) if t_ms < d => Window::AfterHealBeforeDemotion,
            _ => Window::After,
        }
    }

    /// True when a write acknowledged at `t_ms` counts for `lost_after_heal`.
    pub fn after_heal(&self, t_ms: u64) -> bool {
        self.heal_ms.is_some_and(|h| t_ms >= h)
    }
}

/// Each client's `stop_ms` from the scenario, for [`analyze`].
pub fn client_stops(s: &Scenario) -> BTreeMap<String, u64> {
    s.clients.iter().map(|c| (c.name.clone(), c.stop_ms)).collect()
}

fn count_error(e: &mut WriteErrors, kind: ErrorKind) {
    match kind {
        ErrorKind::Readonly => e.readonly += 1,
        ErrorKind::Noreplicas => e.noreplicas += 1,
        ErrorKind::Connection => e.connection += 1,
        ErrorKind::Loading | ErrorKind::Masterdown | ErrorKind::NotMaster | ErrorKind::Other => e.other += 1,
    }
}

fn pct(lost: u64, acknowledged: u64) -> f64 {
    if acknowledged == 0 {
        0.0
    } else {
        lost as f64 * 100.0 / acknowledged as f64
    }
}

/// Whether an acknowledged write is missing from the final master (absent, or another value).
pub fn is_lost(op: &Op, surviving: &BTreeMap<String, String>) -> bool {
    surviving.get(&op.key) != Some(&op.value)
}

/// The numbers of the run. A write is lost iff it was acknowledged (`+OK`) and its key is absent
/// from the final master or holds another value. Unknown outcomes are never lost. Errors are
/// counted by kind: LOADING, MASTERDOWN and not-a-master (ROLE) go to `other`. `stops`: each
/// client's `stop_ms`, where an unavailability window still open ends (a client missing from it
/// ends at its last operation's completion).
pub fn analyze(
    history: &[Op],
    surviving: &BTreeMap<String, String>,
    windows: &Windows,
    stops: &BTreeMap<String, u64>,
) -> WritesSummary {
    let mut w = WritesSummary {
        fault_ms: windows.fault_ms,
        heal_ms: windows.heal_ms,
        demotion_ms: windows.demotion_ms,
        ..WritesSummary::default()
    };
    let mut clients: BTreeMap<&str, ClientWrites> = BTreeMap::new();
    for op in history {
        let c = clients.entry(op.client.as_str()).or_insert_with(|| ClientWrites {
            name: op.client.clone(),
            ..ClientWrites::default()
        });
        c.ops += 1;
        match op.outcome {
            Outcome::Ok => {
                let lost = is_lost(op, surviving);
                w.acknowledged += 1;
                c.acknowledged += 1;
                let win = match windows.of(op.complete_ms) {
                    Window::Before => &mut w.windows.before,
                    Window::During => &mut w.windows.during,
                    Window::AfterHealBeforeDemotion => &mut w.windows.after_heal_before_demotion,
                    Window::After => &mut w.windows.after,
                };
                win.acknowledged += 1;
                if lost {
                    w.lost += 1;
                    c.lost += 1;
                    win.lost += 1;
                    if windows.after_heal(op.complete_ms) {
                        w.lost_after_heal += 1;
                    }
                }
            }
            Outcome::Fail(kind) => {
                count_error(&mut w.errors, kind);
                count_error(&mut c.errors, kind);
            }
            Outcome::Unknown => {
                w.unknown += 1;
                c.unknown += 1;
            }
        }
    }
    w.lost_pct = pct(w.lost, w.acknowledged);
    for c in clients.values_mut() {
        let name = c.name.clone();
        let mine = || history.iter().filter(|o| o.client == name);
        let stop_ms = stops.get(&name).copied().unwrap_or(0);
        c.unavailable_windows = super::availability::unavailable_windows(mine(), stop_ms);
        c.unavailable = super::availability::figures(&c.unavailable_windows);
        c.activity = super::activity::runs(mine(), surviving);
    }
    w.unavailable = Some(super::availability::figures(
        clients.values().flat_map(|c| &c.unavailable_windows),
    ));
    w.clients = clients.into_values().collect();
    w
}

/// `3 windows, 31.200s in total; p50 1.000s, p99 30.000s, max 30.000s` (or `none`), plus how many
/// were still open when the client stopped.
pub fn describe_unavailable(u: &Unavailability, open: usize) -> String {
    if u.count == 0 {
        return "none".to_string();
    }
    let mut t = format!(
        "{} window{}, {} in total; p50 {}, p99 {}, max {}",
        u.count,
        if u.count == 1 { "" } else { "s" },
        secs(u.total_ms),
        secs(u.p50_ms),
        secs(u.p99_ms),
        secs(u.max_ms)
    );
    if open > 0 {
        t.push_str(&format!(" ({open} open at the stop)"));
    }
    t
}

fn open_windows(c: &ClientWrites) -> usize {
    c.unavailable_windows.iter().filter(|w| w.open).count()
}

fn stats(s: &WindowStats) -> String {
    format!("{}/{}", s.lost, s.acknowledged)
}

fn edge(t: Option<u64>) -> String {
    t.map_or_else(|| "-".to_string(), secs)
}

/// The summary lines: the first is the one `report::summary` prints today (same wording); then
/// lost/acknowledged per window with the window edges; then the unavailability (time without an
/// acknowledged write, see `availability`) over every client; then two lines per client when
/// there are several: its counts and its unavailability.
pub fn describe(w: &WritesSummary) -> Vec<String> {
    let mut out = vec![format!(
        "writes: {} acknowledged, {} lost ({:.2}%), {} lost after heal, {} unknown; errors: readonly {} noreplicas {} connection {} other {}",
        w.acknowledged,
        w.lost,
        w.lost_pct,
        w.lost_after_heal,
        w.unknown,
        w.errors.readonly,
        w.errors.noreplicas,
        w.errors.connection,
        w.errors.other
    )];
    let ws = &w.windows;
    out.push(format!(
        "  lost/acknowledged: before {}, during {}, after heal before demotion {}, after {} (fault {}, heal {}, demotion {})",
        stats(&ws.before),
        stats(&ws.during),
        stats(&ws.after_heal_before_demotion),
        stats(&ws.after),
        edge(w.fault_ms),
        edge(w.heal_ms),
        edge(w.demotion_ms),
    ));
    if let Some(u) = &w.unavailable {
        let open = w.clients.iter().map(open_windows).sum();
        out.push(format!(
            "  unavailable (no acknowledged write): {}",
            describe_unavailable(u, open)
        ));
    }
    if w.clients.len() > 1 {
        for c in &w.clients {
            out.push(format!(
                "  {}: {} ops, {} acknowledged, {} lost ({:.2}%), {} unknown; errors: readonly {} noreplicas {} connection {} other {}",
                c.name,
                c.ops,
                c.acknowledged,
                c.lost,
                pct(c.lost, c.acknowledged),
                c.unknown,
                c.errors.readonly,
                c.errors.noreplicas,
                c.errors.connection,
                c.errors.other
            ));
            out.push(format!(
                "  {} unavailable: {}",
                c.name,
                describe_unavailable(&c.unavailable, open_windows(c))
            ));
        }
    }
    out
}
