//! Invariant `no-bad-promotion-probe` (second opinion, the core's own view; `no-bad-promotion`
//! judges from ground truth): every `+selected-slave` chose a replica that was not S_DOWN,
//! O_DOWN or disconnected and had a non-zero priority in the Sentinel's view, and whose configured
//! `replica-priority` is not 0.
//!
//! Evidence: the trace's `+selected-slave` events; the Sentinel's view of the candidate (flags,
//! priority) from the **debug probe** (core-internal state: without the probe only the configured
//! priority is judged); the scenario's `[[redis]] priority`.

use super::trace_view::{join, named, node_name, subject_addr};
use super::{CheckResult, Evidence};
use crate::duration::secs;

pub const NAME: &str = "no-bad-promotion-probe";

pub fn check(ev: &Evidence) -> CheckResult {
    let mut r = judge(ev);
    r.detail = format!("second opinion, the core's own view: {}", r.detail);
    r
}

fn judge(ev: &Evidence) -> CheckResult {
    let (s, trace) = (ev.scenario, ev.trace);
    let mut bad = Vec::new();
    let mut good = Vec::new();
    for e in named(trace, "+selected-slave") {
        let candidate = e.ev.probe.as_ref().map(|p| p.candidate.as_ref());
        let addr = candidate
            .flatten()
            .map(|c| c.addr.clone())
            .or_else(|| subject_addr(e.ev));
        let replica = addr
            .as_deref()
            .map(|a| node_name(s, a))
            .unwrap_or_else(|| "?".to_string());
        let prefix = format!("{} {} selected {replica}", secs(e.t), e.node);
        let mut why = Vec::new();
        match candidate {
            None => {} // no debug probe: the Sentinel's view is not judged
            Some(None) => why.push("no candidate view recorded".to_string()),
            Some(Some(c)) => {
                if c.s_down {
                    why.push("it was S_DOWN".to_string());
                }
                if c.o_down {
                    why.push("it was O_DOWN".to_string());
                }
                if c.disconnected {
                    why.push("its link was disconnected".to_string());
                }
                if c.priority == 0 {
                    why.push("its reported priority was 0".to_string());
                }
            }
        }
        if let Some(r) = addr.as_deref().and_then(|a| s.redis_node(a)) {
            if r.priority == 0 {
                why.push("its configured replica-priority is 0".to_string());
            }
        }
        if why.is_empty() {
            match candidate.flatten() {
                Some(c) => good.push(format!("{prefix} (priority {})", c.priority)),
                None => good.push(format!("{prefix} (its view not recorded: no debug probe)")),
            }
        } else {
            bad.push(format!("{prefix} although {}", why.join(", ")));
        }
    }
    if !bad.is_empty() {
        CheckResult::fail(NAME, join(&bad))
    } else if good.is_empty() {
        CheckResult::pass(NAME, "no +selected-slave in the trace")
    } else {
        CheckResult::pass(NAME, join(&good))
    }
}
