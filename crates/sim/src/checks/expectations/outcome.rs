//! `failover`, `promoted`, `never_promoted`, `final_master`: who failed over and who ended up
//! master.
//!
//! Evidence: `+switch-master` of the monitored master per live Sentinel, `+selected-slave` /
//! `+promoted-slave` (their candidate address), and the final state's single live master.

use super::Run;
use crate::checks::trace_view::{at, is_master, join, named, sentinel_events, subject_addr, Sev};
use crate::checks::CheckResult;
use crate::duration::secs;

/// `failover = true`: a `+switch-master` on every live Sentinel; `false`: none at all.
pub(super) fn failover(r: &Run, want: bool) -> CheckResult {
    let name = format!("failover = {want}");
    let switches: Vec<Sev> = named(r.trace, "+switch-master")
        .into_iter()
        .filter(|x| is_master(x.ev, &r.s.master.name))
        .collect();
    if !want {
        if switches.is_empty() {
            return CheckResult::pass(&name, "no +switch-master");
        }
        let seen: Vec<String> = switches.iter().map(|w| format!("{} {}", w.node, at(w.t))).collect();
        return CheckResult::fail(&name, format!("+switch-master on {}", seen.join(", ")));
    }
    let live: Vec<&str> = r
        .fin
        .sentinels
        .iter()
        .filter(|x| x.alive)
        .map(|x| x.node.as_str())
        .collect();
    let missing: Vec<&str> = live
        .iter()
        .copied()
        .filter(|n| !switches.iter().any(|w| w.node == *n))
        .collect();
    let seen: Vec<String> = live
        .iter()
        .filter_map(|n| {
            switches
                .iter()
                .find(|w| w.node == *n)
                .map(|w| format!("{n} {}", at(w.t)))
        })
        .collect();
    if live.is_empty() {
        CheckResult::fail(&name, "no live sentinel at the end")
    } else if missing.is_empty() {
        CheckResult::pass(
            &name,
            format!("+switch-master on every live sentinel: {}", seen.join(", ")),
        )
    } else {
        CheckResult::fail(&name, format!("no +switch-master on {}", missing.join(", ")))
    }
}

/// `promoted`: the final master is one of these.
pub(super) fn promoted(r: &Run, p: &[String]) -> CheckResult {
    let name = format!("promoted = [{}]", p.join(", "));
    match &r.final_name {
        Ok(m) => CheckResult::new(&name, p.contains(m), format!("final master {m}")),
        Err(err) => CheckResult::fail(&name, format!("no single final master: {err}")),
    }
}

/// `never_promoted`: never named by `+selected-slave` / `+promoted-slave`.
pub(super) fn never_promoted(r: &Run, never: &[String]) -> CheckResult {
    let name = format!("never_promoted = [{}]", never.join(", "));
    let mut bad = Vec::new();
    for x in sentinel_events(r.trace)
        .iter()
        .filter(|x| x.ev.name() == "+selected-slave" || x.ev.name() == "+promoted-slave")
    {
        let addr = subject_addr(x.ev);
        if let Some(n) = addr.as_deref().and_then(|a| r.s.name_of(a)) {
            if never.iter().any(|v| v == n) {
                bad.push(format!("{} {} {}", secs(x.t), x.node, r.trace[x.idx].line()));
            }
        }
    }
    if bad.is_empty() {
        CheckResult::pass(&name, "never selected nor promoted")
    } else {
        CheckResult::fail(&name, join(&bad))
    }
}

/// `final_master`: the exact final master.
pub(super) fn final_master(r: &Run, want: &str) -> CheckResult {
    let name = format!("final_master = {want}");
    match &r.final_name {
        Ok(m) => CheckResult::new(&name, m == want, format!("final master {m}")),
        Err(err) => CheckResult::fail(&name, format!("no single final master: {err}")),
    }
}
