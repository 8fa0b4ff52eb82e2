//! Invariant `leader-reconfigures-replicas`: after a Sentinel (the leader) sends `SLAVEOF NO ONE`
//! to replica P at `t` and P becomes a master, the leader itself sends `SLAVEOF <P>` to every other
//! replica R of the old master that it knows, by `t` + failover-timeout + [`OBSERVE_MS`] +
//! [`SLACK_MS`] (spec §6.6: one by one in reconf-slaves, and on failover-timeout to all remaining
//! at once, `+slave-reconf-sent-be`).
//!
//! Only what a correct Sentinel always does is required: Sentinel skips a replica whose link is
//! down and stops waiting for one that is S_DOWN, so R must have been alive, unpaused and
//! reachable from and to the leader (no cut, latency or loss) from [`BEFORE_MS`] before the
//! promotion to the deadline; likewise the leader and P, and the leader's clock unchanged and no
//! TILT. The leader must have announced R (`+slave` about R under the old master, after its last
//! `+reset-master`); its failover must not have been cut short (an abort, `+config-update-from`,
//! `+reset-master` or a restart in its log before the deadline); the run must outlast the deadline.
//!
//! Evidence: wire `SLAVEOF` messages; the world's replication facts (P's old master, P becoming
//! master, R replicating the old master), process, clock, cut and shaping facts; the leader's log
//! (`+slave`, `+tilt`, the cut-short events); the scenario's failover-timeout.

use super::disturbed::Disturbances;
use super::promotions::{announced_by_leader, logged, max_setting, promotions, Promotion};
use super::trace_view::{join, node_name};
use super::truth_view::{facts, repl_at, wire};
use super::{CheckResult, Evidence};
use crate::duration::secs;
use crate::trace::{Fact, Role, Sent};

pub const NAME: &str = "leader-reconfigures-replicas";

/// The leader notices the promotion at its next INFO to P (every 1 s during a failover).
pub const OBSERVE_MS: u64 = 1_000;
pub const SLACK_MS: u64 = 1_500;
/// How long before the promotion R, P and the leader must have been undisturbed: the leader's
/// links reconnected and any S_DOWN of R cleared by then.
pub const BEFORE_MS: u64 = 10_000;

/// Events in the leader's log that end its failover early (a restart counts too).
const CUT_SHORT: [&str; 5] = [
    "-failover-abort-slave-timeout",
    "-failover-abort-not-elected",
    "-failover-abort-no-good-slave",
    "+config-update-from",
    "+reset-master",
];

pub fn check(ev: &Evidence) -> CheckResult {
    let (s, trace) = (ev.scenario, ev.trace);
    let ft = max_setting(s, "failover-timeout", s.master.failover_timeout_ms);
    let d = Disturbances::new(trace, s.duration_ms);
    let (mut good, mut skipped, mut bad) = (Vec::new(), Vec::new(), Vec::new());
    for p in promotions(s, trace) {
        let deadline = p.t + ft + OBSERVE_MS + SLACK_MS;
        match failover_excuse(ev, &d, &p, deadline) {
            Some(why) => skipped.push(format!("{} {} ({why})", p.leader, secs(p.t))),
            None => {
                let (sent, missing) = judge(ev, &d, &p, deadline);
                let head = format!("{} promoted {} at {}", p.leader, p.promoted, secs(p.t));
                if missing.is_empty() {
                    good.push(format!("{head}: re-pointed {}", list(&sent)));
                } else {
                    bad.push(format!(
                        "{head}: no SLAVEOF {} from it to {} by {}",
                        p.promoted_addr,
                        missing.join(", "),
                        secs(deadline)
                    ));
                }
            }
        }
    }
    if !bad.is_empty() {
        return CheckResult::fail(NAME, join(&bad));
    }
    let mut detail = if good.is_empty() {
        "no promotion to judge".to_string()
    } else {
        join(&good)
    };
    if !skipped.is_empty() {
        detail.push_str(&format!("; not judged: {}", join(&skipped)));
    }
    CheckResult::pass(NAME, detail)
}

fn list(v: &[String]) -> String {
    if v.is_empty() {
        "no other replica required".to_string()
    } else {
        v.join(", ")
    }
}

/// Why this promotion's failover cannot be held to the rule, if it cannot.
fn failover_excuse(ev: &Evidence, d: &Disturbances, p: &Promotion, deadline: u64) -> Option<String> {
    let trace = ev.trace;
    if deadline > ev.scenario.duration_ms {
        return Some("the run ended first".into());
    }
    let became = facts(trace).into_iter().any(|(t, f)| {
        matches!(f, Fact::Replication { node, role: Role::Master, .. } if *node == p.promoted)
            && t >= p.t
            && t <= p.t + OBSERVE_MS
    });
    if !became {
        return Some(format!("{} did not become master at once", p.promoted));
    }
    let from = p.t.saturating_sub(BEFORE_MS);
    if let Some((t, line)) = logged(trace, &p.leader, &CUT_SHORT, p.t, deadline) {
        return Some(format!("{line} at {}", secs(t)));
    }
    d.node(&p.leader, from, deadline)
        .or_else(|| d.node(&p.promoted, from, deadline))
        .or_else(|| d.link(&p.leader, &p.promoted, from, deadline))
}

/// The replicas the leader re-pointed, and those it had to but did not.
fn judge(ev: &Evidence, d: &Disturbances, p: &Promotion, deadline: u64) -> (Vec<String>, Vec<String>) {
    let (s, trace) = (ev.scenario, ev.trace);
    let from = p.t.saturating_sub(BEFORE_MS);
    let old = node_name(s, &p.old_master);
    let (mut sent, mut missing) = (Vec::new(), Vec::new());
    for r in s.redis.iter().map(|r| r.name.as_str()) {
        if r == p.promoted || r == old {
            continue;
        }
        let got = wire(trace).into_iter().any(|w| {
            w.msg.from == p.leader
                && w.msg.to == r
                && w.t >= p.t
                && w.t <= deadline
                && matches!(&w.msg.sent, Sent::SlaveOf { master: Some(m), .. } if *m == p.promoted_addr)
        });
        if got {
            sent.push(r.to_string());
            continue;
        }
        let required = follows_throughout(ev, r, &p.old_master, from, p.t)
            && announced_by_leader(ev.trace, ev.scenario, p, r, 0)
            && d.node(r, from, deadline).is_none()
            && d.link(&p.leader, r, from, deadline).is_none();
        if required {
            missing.push(r.to_string());
        }
    }
    (sent, missing)
}

/// `r` was a replica of `master` from `from` to `to` by every replication fact about it.
fn follows_throughout(ev: &Evidence, r: &str, master: &str, from: u64, to: u64) -> bool {
    let follows = |role: Role, m: Option<&str>| role == Role::Replica && m == Some(master);
    let at_start = repl_at(ev.trace, r, from).is_some_and(|x| follows(x.role, x.master.as_deref()));
    at_start
        && facts(ev.trace).into_iter().all(|(t, f)| match f {
            Fact::Replication {
                node, role, master: m, ..
            } if node == r && t >= from && t <= to => follows(*role, m.as_deref()),
            _ => true,
        })
}
