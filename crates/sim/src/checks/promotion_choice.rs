//! Invariant `promotion-choice`: when a leader sends `SLAVEOF NO ONE` to replica P, P is the
//! replica Sentinel's ranking puts first (spec §6.3) among P and the other replicas R that were
//! *clearly* candidates: the lowest non-zero `replica-priority`; among equal priorities the
//! greatest replication offset; among equal offsets the smallest run id.
//!
//! Only replicas no correct Sentinel could have excluded are compared. R (another replica of P's
//! old master) must, from [`WINDOW_MS`] before the promotion (and 2 s before the attempt's
//! `+try-failover`), have been alive, unpaused, with its clock untouched, and reachable from and to
//! the leader with no cut, latency or loss; have a priority other than 0; have been announced by
//! the leader (`+slave` under the old master, after its last `+reset-master`, at least
//! [`KNOWN_MS`] before, and no `+switch-master` of the leader within the window, which rebuilds
//! its replica table); and have had either a link up for [`STABLE_MS`] (so the leader's last INFO,
//! at most about 1 s old during a failover, says so too) or one down for at most 10 × down-after −
//! [`AGE_SLACK_MS`] (so the data-age rule passes whatever the leader's SDOWN time). The leader must be undisturbed over the window (no kill, pause, clock
//! change or TILT).
//!
//! Offsets and run ids are compared only when they are exactly what the leader saw: P's and R's
//! links down (offsets frozen: nothing reaches a replica without its link) early enough before
//! the attempt's `+try-failover` (from which the leader polls every replica's INFO each second)
//! and its `+selected-slave` that its last INFO of each was taken after the freeze (see
//! [`exact`]); run ids only when drawn before the window.
//!
//! Evidence: **ground truth** — the promotion on the wire; each replica's replication facts (its
//! master, link, the offset it held with the link down) and run id facts (INFO `run_id` at each
//! start); the world's process, clock, cut and shaping facts; the scenario's priorities and
//! down-after. From the leader's log: `+try-failover`, `+slave`, `+reset-master`,
//! `+switch-master`, `+tilt`.

use super::disturbed::Disturbances;
use super::promotions::{announced_by_leader, promotions, Promotion};
use super::trace_view::{join, node_name, sentinel_events, short_id, subject_addr};
use super::truth_view::{repl_at, run_id_at};
use super::{CheckResult, Evidence};
use crate::duration::secs;
use crate::scenario::{Action, Scenario};
use crate::trace::Role;

pub const NAME: &str = "promotion-choice";

/// How long before the promotion the leader and each compared replica must have been undisturbed.
pub const WINDOW_MS: u64 = 10_000;
/// How long before the promotion the leader must have announced a replica.
pub const KNOWN_MS: u64 = 5_000;
/// How long a replica's replication state must have been unchanged before the promotion.
pub const STABLE_MS: u64 = 3_000;
/// Margin under the data-age limit (whole-second INFO fields, timers).
pub const AGE_SLACK_MS: u64 = 2_000;
/// How long before the attempt started the compared offsets must have been frozen, at least.
pub const FROZEN_MS: u64 = 500;

/// A replica as the ranking sees it.
#[derive(Debug, Clone)]
struct Ranked {
    name: String,
    priority: u32,
    /// The offset, when frozen early enough that the leader's INFO shows exactly it.
    offset: Option<i64>,
    run_id: Option<String>,
}

impl Ranked {
    fn label(&self) -> String {
        let off = self
            .offset
            .map_or("offset moving".to_string(), |o| format!("offset {o}"));
        let id = self.run_id.as_deref().map_or("?", short_id);
        format!("{} (priority {}, {off}, run id {id})", self.name, self.priority)
    }
}

pub fn check(ev: &Evidence) -> CheckResult {
    let d = Disturbances::new(ev.trace, ev.scenario.duration_ms);
    let (mut good, mut skipped, mut bad) = (Vec::new(), Vec::new(), Vec::new());
    for p in promotions(ev.scenario, ev.trace) {
        let head = format!("{} {} promoted {}", secs(p.t), p.leader, p.promoted);
        match judge(ev, &d, &p) {
            Err(why) => skipped.push(format!("{head} ({why})")),
            Ok((chosen, others)) => match worse_than(&chosen, &others) {
                Some(why) => bad.push(format!("{head}: {} although {why}", chosen.label())),
                None if others.is_empty() => good.push(format!("{head}: no other clear candidate")),
                None => {
                    let over: Vec<String> = others.iter().map(Ranked::label).collect();
                    good.push(format!(
                        "{head}: {} ranks first over {}",
                        chosen.label(),
                        over.join(", ")
                    ));
                }
            },
        }
    }
    if !bad.is_empty() {
        return CheckResult::fail(NAME, format!("ground truth: {}", join(&bad)));
    }
    let mut detail = if good.is_empty() {
        "ground truth: no promotion to judge".to_string()
    } else {
        format!("ground truth: {}", join(&good))
    };
    if !skipped.is_empty() {
        detail.push_str(&format!("; not judged: {}", join(&skipped)));
    }
    CheckResult::pass(NAME, detail)
}

/// Why `p` ranks below one of `others` by Sentinel's order, if it does.
fn worse_than(p: &Ranked, others: &[Ranked]) -> Option<String> {
    for r in others {
        if r.priority < p.priority {
            return Some(format!("{} had the lower priority {}", r.label(), r.priority));
        }
    }
    let (Some(po), Some(pid)) = (p.offset, p.run_id.as_deref()) else {
        return None;
    };
    for r in others.iter().filter(|r| r.priority == p.priority) {
        match (r.offset, r.run_id.as_deref()) {
            (Some(ro), _) if ro > po => {
                return Some(format!("{} had the same priority and more data", r.label()));
            }
            (Some(ro), Some(rid)) if ro == po && rid.to_ascii_lowercase() < pid.to_ascii_lowercase() => {
                return Some(format!(
                    "{} had the same priority and offset and the smaller run id",
                    r.label()
                ));
            }
            _ => {}
        }
    }
    None
}

/// P and the replicas clearly in the running with it; Err: why this promotion is not judged.
fn judge(ev: &Evidence, d: &Disturbances, p: &Promotion) -> Result<(Ranked, Vec<Ranked>), String> {
    let s = ev.scenario;
    let attempt = last_logged(ev, &p.leader, "+try-failover", p.t, Some(&p.old_master))
        .ok_or("no +try-failover of its old master in the leader's log")?;
    let from = p.t.saturating_sub(WINDOW_MS).min(attempt.saturating_sub(2_000));
    if let Some(why) = d.node(&p.leader, from, p.t) {
        return Err(why);
    }
    if let Some(t) = last_logged(ev, &p.leader, "+switch-master", p.t, None).filter(|t| *t >= from) {
        return Err(format!("the leader switched masters at {}", secs(t)));
    }
    let selected = last_logged(ev, &p.leader, "+selected-slave", p.t, None)
        .filter(|t| *t >= attempt)
        .ok_or("no +selected-slave in the leader's log")?;
    let times = (attempt, selected, from);
    let chosen = ranked(ev, &p.promoted, p, times).ok_or("the promoted replica's state is unknown")?;
    let old = node_name(s, &p.old_master);
    let others = s
        .redis
        .iter()
        .map(|r| r.name.as_str())
        .filter(|r| *r != p.promoted && *r != old)
        .filter(|r| clearly_candidate(ev, d, p, r, from))
        .filter_map(|r| ranked(ev, r, p, times))
        .collect();
    Ok((chosen, others))
}

/// `r`'s priority, frozen offset and run id as the leader's INFO showed them (None: not a replica
/// of the old master by its facts).
fn ranked(ev: &Evidence, r: &str, p: &Promotion, (attempt, selected, from): (u64, u64, u64)) -> Option<Ranked> {
    let st = repl_at(ev.trace, r, p.t)?;
    if st.role != Role::Replica || st.master.as_deref() != Some(p.old_master.as_str()) {
        return None;
    }
    let frozen = match (st.link_up, st.down_since_ms, st.offset) {
        (false, Some(down), Some(o)) if exact(st.since.max(down), attempt, selected) => Some(o),
        _ => None,
    };
    Some(Ranked {
        name: r.to_string(),
        priority: ev.scenario.redis_node(r)?.priority,
        offset: frozen,
        // A run id drawn in the window may be newer than the leader's last INFO.
        run_id: run_id_at(ev.trace, r, p.t)
            .filter(|(_, t)| *t < from)
            .map(|(id, _)| id.to_string()),
    })
}

/// Whether the leader's last INFO before selecting (at `selected`) was taken after an offset froze
/// at `frozen`. From the attempt's start (`attempt`) it polls each replica every second, at once
/// if its last INFO is older than that: so that INFO was taken after the attempt began, or at most
/// 1 s before it, and (polled each second) at most about 1.2 s before the selection.
fn exact(frozen: u64, attempt: u64, selected: u64) -> bool {
    frozen + FROZEN_MS <= attempt && (frozen + 1_300 <= attempt || frozen + 1_500 <= selected)
}

/// Whether no correct Sentinel leading this failover could have left `r` out of its selection.
fn clearly_candidate(ev: &Evidence, d: &Disturbances, p: &Promotion, r: &str, from: u64) -> bool {
    let s = ev.scenario;
    let Some(st) = repl_at(ev.trace, r, p.t) else {
        return false;
    };
    let age_ok = match (st.link_up, st.down_since_ms) {
        // Up long enough that the leader's last INFO says so too.
        (true, _) => st.since + STABLE_MS <= p.t,
        // Its INFO's link-down time is at most the true one.
        (false, Some(down)) => p.t - down + AGE_SLACK_MS <= 10 * min_down_after(s),
        (false, None) => false,
    };
    s.redis_node(r).is_some_and(|n| n.priority != 0)
        && age_ok
        && run_id_at(ev.trace, r, p.t).is_some_and(|(_, t)| t < from)
        && d.node(r, from, p.t).is_none()
        && d.link(&p.leader, r, from, p.t).is_none()
        && announced_by_leader(ev.trace, ev.scenario, p, r, KNOWN_MS)
}

/// The smallest down-after the leader may have used (the scenario's, or a `sentinel_set`).
fn min_down_after(s: &Scenario) -> u64 {
    s.timeline
        .iter()
        .filter_map(|ta| match &ta.action {
            Action::SentinelSet { option, value, .. } if option.eq_ignore_ascii_case("down-after-milliseconds") => {
                value.parse().ok()
            }
            _ => None,
        })
        .fold(s.master.down_after_ms, u64::min)
}

/// When `node` last logged `name` by `t` (about the master at `addr`, if given).
fn last_logged(ev: &Evidence, node: &str, name: &str, t: u64, addr: Option<&str>) -> Option<u64> {
    sentinel_events(ev.trace)
        .into_iter()
        .rev()
        .filter(|e| e.node == node && e.t <= t && e.ev.name() == name)
        .find(|e| addr.is_none_or(|a| subject_addr(e.ev).as_deref() == Some(a)))
        .map(|e| e.t)
}
