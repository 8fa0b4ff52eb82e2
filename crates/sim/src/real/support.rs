//! What real mode cannot play, refused before anything starts, with the scenario line that asks
//! for it.

use super::addrs::{MAX_CLIENTS, MAX_PROCS};
use super::procs::SentinelImpl;
use crate::spec::{WorldAction, WorldSpec};

/// libfaketime (Debian's path): per-process wall clocks for our Sentinel.
pub const LIBFAKETIME: &str = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

const REDIS_FAKETIME: &str = "per-process wall clocks need libfaketime, and redis-server / redis-sentinel 7.0.15 \
     (jemalloc) hang at start under libfaketime here (\"Unexpected recursive calls to clock_gettime()\"); \
     clock faults on our Sentinel (--sentinel ours) are supported";

/// Why an action cannot be played on real processes here, or None if it can. Clock faults are
/// played through libfaketime, on our Sentinel only.
fn refusal(a: &WorldAction, spec: &WorldSpec, which: &SentinelImpl) -> Option<&'static str> {
    let ours_sentinel = |i: &usize| spec.procs[*i].is_sentinel() && matches!(which, SentinelImpl::Ours(_));
    match a {
        WorldAction::Latency { .. } => Some("this kernel has no netem (tc qdisc netem), so delays cannot be added"),
        WorldAction::ClockDrift { .. } => {
            Some("libfaketime applies a rate from the process's start, so changing it mid-run is itself a jump")
        }
        WorldAction::ClockStrobe { .. } => Some("clock_strobe is not implemented in real mode"),
        WorldAction::ClockSkew { proc, .. }
        | WorldAction::ClockJump { proc, .. }
        | WorldAction::ClockReset { proc }
            if !ours_sentinel(proc) =>
        {
            Some(REDIS_FAKETIME)
        }
        _ => None,
    }
}

/// The processes whose wall clock the plan moves (they run under libfaketime).
pub fn clocked(spec: &WorldSpec) -> Vec<usize> {
    let mut v: Vec<usize> = (spec.actions.iter())
        .filter_map(|ta| match ta.action {
            WorldAction::ClockSkew { proc, .. }
            | WorldAction::ClockJump { proc, .. }
            | WorldAction::ClockReset { proc } => Some(proc),
            _ => None,
        })
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Every reason the planned run cannot be played for real, one line each; `text` is the scenario
/// file's text (for line numbers).
pub fn refusals(spec: &WorldSpec, which: &SentinelImpl, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut said = std::collections::BTreeSet::new();
    for ta in &spec.actions {
        let Some(why) = refusal(&ta.action, spec, which) else {
            continue;
        };
        let name = ta.source.kind().as_str();
        if said.insert(name) {
            out.push(format!(
                "not supported in real mode: {name} ({}): {why}",
                lines_of(text, name)
            ));
        }
    }
    if spec.auth_pass.is_some() {
        out.push(
            "not supported in real mode: [master] auth_pass (the real-mode probes and clients do not authenticate yet)"
                .into(),
        );
    }
    if !spec.network.is_loopback() {
        // The real network is this machine's veth pairs, which is what the default stands for.
        out.push(format!(
            "not supported in real mode: [network] ({}): the real network is this machine's own (about \
             loopback's); a different base latency needs netem, which this kernel lacks, and base loss is \
             not implemented (use a `loss` action)",
            line_of_network(text)
        ));
    }
    if !clocked(spec).is_empty() && !std::path::Path::new(LIBFAKETIME).is_file() {
        out.push(format!(
            "clock faults need libfaketime at {LIBFAKETIME} (apt-get install faketime)"
        ));
    }
    if spec.procs.len() > MAX_PROCS {
        out.push(format!("real mode plays at most {MAX_PROCS} data nodes and Sentinels"));
    }
    if spec.clients.len() > MAX_CLIENTS {
        out.push(format!("real mode plays at most {MAX_CLIENTS} clients"));
    }
    out
}

/// `line N` of the `[network]` header.
fn line_of_network(text: &str) -> String {
    match text.lines().position(|l| l.trim() == "[network]") {
        Some(i) => format!("line {}", i + 1),
        None => "the [network] table".into(),
    }
}

/// `line N` (or `lines N, M`) where the file writes `action = "<name>"`, or where a
/// `random_faults` entry may draw it.
fn lines_of(text: &str, name: &str) -> String {
    let has = |l: &str, n: &str| {
        let l: String = l.chars().filter(|c| !c.is_whitespace()).collect();
        l.starts_with(&format!("action=\"{n}\""))
    };
    let mut lines: Vec<usize> = (text.lines().enumerate())
        .filter(|(_, l)| has(l, name))
        .map(|(i, _)| i + 1)
        .collect();
    if lines.is_empty() {
        lines = (text.lines().enumerate())
            .filter(|(_, l)| has(l, "random_faults"))
            .map(|(i, _)| i + 1)
            .collect();
    }
    let list: Vec<String> = lines.iter().map(usize::to_string).collect();
    match list.len() {
        0 => "from the timeline".into(),
        1 => format!("line {}", list[0]),
        _ => format!("lines {}", list.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_lines_of_an_action() {
        let text = "[[timeline]]\nat = \"1s\"\naction = \"latency\"\n[[timeline]]\n  action=\"latency\"\n";
        assert_eq!(lines_of(text, "latency"), "lines 3, 5");
        assert_eq!(lines_of("action = \"random_faults\"\n", "latency"), "line 1");
        assert_eq!(lines_of("", "latency"), "from the timeline");
    }
}
