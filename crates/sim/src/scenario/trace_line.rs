//! Reading the world's trace action lines back (as written by [`Action::trace_line`]): which action
//! kind a line is, and which node an operator command went to.

#[cfg(doc)]
use super::actions::Action;
use super::actions::ActionKind;

impl ActionKind {
    /// Recognises a trace action line as written by [`Action::trace_line`] (`kill 127.0.0.1:6382`,
    /// `SENTINEL FAILOVER mymaster (via 127.0.0.1:5000)`, `REPLICAOF NO ONE (on ...)`).
    pub fn of_trace_line(line: &str) -> Option<ActionKind> {
        let mut words = line.split_whitespace();
        let first = words.next()?;
        match first {
            "SENTINEL" => match words.next()? {
                "FAILOVER" => Some(ActionKind::Failover),
                "SET" => Some(ActionKind::SentinelSet),
                "RESET" => Some(ActionKind::SentinelReset),
                _ => None,
            },
            "REPLICAOF" => Some(ActionKind::Replicaof),
            w => ActionKind::parse(w),
        }
    }
}

/// The `(via <addr>)` (or `(on <addr>)`) part of a trace action line for an operator command.
pub fn trace_line_via(line: &str) -> Option<&str> {
    let open = line.rfind('(')?;
    let inner = line[open + 1..].strip_suffix(')')?;
    inner.strip_prefix("via ").or_else(|| inner.strip_prefix("on "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::ActionKind;

    #[test]
    fn trace_lines_are_recognised() {
        for (line, k) in [
            ("kill 127.0.0.1:6382", ActionKind::Kill),
            ("SENTINEL FAILOVER mymaster (via 127.0.0.1:5000)", ActionKind::Failover),
            (
                "SENTINEL SET mymaster quorum 3 (via 127.0.0.1:5000)",
                ActionKind::SentinelSet,
            ),
            ("REPLICAOF NO ONE (on 127.0.0.1:6383)", ActionKind::Replicaof),
            (
                "partition_oneway 127.0.0.1:6382 -> 127.0.0.1:5000",
                ActionKind::PartitionOneway,
            ),
            ("heal", ActionKind::Heal),
        ] {
            assert_eq!(ActionKind::of_trace_line(line), Some(k), "{line}");
        }
        assert_eq!(
            trace_line_via("SENTINEL FAILOVER mymaster (via 127.0.0.1:5000)"),
            Some("127.0.0.1:5000")
        );
        assert_eq!(ActionKind::of_trace_line("frobnicate"), None);
    }
}
