//! What real mode cannot play, refused before anything starts, with the scenario line that asks
//! for it.

use super::addrs::{MAX_CLIENTS, MAX_PROCS};
use crate::spec::{WorldAction, WorldSpec};

/// Why an action cannot be played on real processes here, or None if it can.
fn refusal(a: &WorldAction) -> Option<&'static str> {
    match a {
        WorldAction::Latency { .. } => Some("this kernel has no netem (tc qdisc netem), so delays cannot be added"),
        WorldAction::ClockSkew { .. }
        | WorldAction::ClockJump { .. }
        | WorldAction::ClockDrift { .. }
        | WorldAction::ClockStrobe { .. }
        | WorldAction::ClockReset { .. } => Some(
            "per-process wall clocks need libfaketime, and redis-server 7.0.15 (jemalloc) hangs at start \
             under libfaketime here (\"Unexpected recursive calls to clock_gettime()\")",
        ),
        _ => None,
    }
}

/// Every reason the planned run cannot be played for real, one line each; `text` is the scenario
/// file's text (for line numbers).
pub fn refusals(spec: &WorldSpec, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut said = std::collections::BTreeSet::new();
    for ta in &spec.actions {
        let Some(why) = refusal(&ta.action) else { continue };
        let name = ta.source.kind().as_str();
        if said.insert(name) {
            out.push(format!(
                "not supported in real mode: {name} ({}): {why}",
                lines_of(text, name)
            ));
        }
    }
    if spec.procs.len() > MAX_PROCS {
        out.push(format!("real mode plays at most {MAX_PROCS} data nodes and Sentinels"));
    }
    if spec.clients.len() > MAX_CLIENTS {
        out.push(format!("real mode plays at most {MAX_CLIENTS} clients"));
    }
    out
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
