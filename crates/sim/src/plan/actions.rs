//! A scenario's timeline action in the world's terms: node names resolved to process indexes,
//! operator actions to the command they send. One function per family, as in
//! `scenario/actions/`.

use crate::scenario::{split_addr, Action, Scenario, TimedAction as ScenarioAction};
use crate::spec::{Links, ProcSpec, WorldAction};

pub(super) fn world_action(s: &Scenario, procs: &[ProcSpec], ta: &ScenarioAction) -> Result<WorldAction, String> {
    let r = Resolve { s, procs };
    match &ta.action {
        Action::Kill { .. }
        | Action::Restart { .. }
        | Action::Pause { .. }
        | Action::Resume { .. }
        | Action::KillOn { .. } => r.process(&ta.action),
        Action::Partition { .. }
        | Action::Isolate { .. }
        | Action::PartitionOneway { .. }
        | Action::Heal
        | Action::Latency { .. }
        | Action::Loss { .. }
        | Action::NetReset => r.network(&ta.action),
        Action::ClockSkew { .. }
        | Action::ClockJump { .. }
        | Action::ClockDrift { .. }
        | Action::ClockStrobe { .. }
        | Action::ClockReset { .. } => r.clock(&ta.action),
        Action::Failover { .. }
        | Action::SentinelSet { .. }
        | Action::SentinelReset { .. }
        | Action::Replicaof { .. } => r.operator(&ta.action),
        Action::RandomFaults { .. } => Err(unsupported(ta.at_ms, "nested random_faults")),
    }
}

fn unsupported(at_ms: u64, what: &str) -> String {
    format!("timeline action at {at_ms} ms: {what} is not supported by the simulated world")
}

/// Resolves the scenario's node names against the world's processes.
struct Resolve<'a> {
    s: &'a Scenario,
    procs: &'a [ProcSpec],
}

impl Resolve<'_> {
    fn index(&self, node: &str) -> Result<usize, String> {
        let name = self.s.name_of(node).ok_or_else(|| format!("unknown node {node:?}"))?;
        self.procs
            .iter()
            .position(|p| p.name == name)
            .ok_or_else(|| format!("unknown node {node:?}"))
    }

    fn indexes(&self, nodes: &[String]) -> Result<Vec<usize>, String> {
        nodes.iter().map(|n| self.index(n)).collect()
    }

    /// Neither `nodes` nor `from`/`to`: the whole network (madsim's global configuration).
    fn links(
        &self,
        nodes: &Option<Vec<String>>,
        from: &Option<Vec<String>>,
        to: &Option<Vec<String>>,
    ) -> Result<Option<Links>, String> {
        Ok(match (nodes, from, to) {
            (_, Some(from), Some(to)) => Some(Links::Directed {
                from: self.indexes(from)?,
                to: self.indexes(to)?,
            }),
            (Some(n), _, _) => Some(Links::Touching(self.indexes(n)?)),
            _ => None,
        })
    }

    fn process(&self, action: &Action) -> Result<WorldAction, String> {
        Ok(match action {
            Action::Kill { node } => WorldAction::Kill(self.index(node)?),
            Action::Restart { node, wipe } => WorldAction::Restart {
                proc: self.index(node)?,
                wipe: *wipe,
            },
            Action::Pause { node } => WorldAction::Pause(self.index(node)?),
            Action::Resume { node } => WorldAction::Resume(self.index(node)?),
            Action::KillOn { event, target } => WorldAction::KillOn {
                event: event.clone(),
                subject: *target == crate::scenario::KillTarget::Subject,
            },
            _ => unreachable!("not a process action"),
        })
    }

    fn network(&self, action: &Action) -> Result<WorldAction, String> {
        Ok(match action {
            Action::Partition { groups } => WorldAction::Partition {
                groups: groups.iter().map(|g| self.indexes(g)).collect::<Result<_, _>>()?,
            },
            Action::Isolate { node } => {
                let me = self.index(node)?;
                WorldAction::Partition {
                    groups: vec![vec![me], (0..self.procs.len()).filter(|&i| i != me).collect()],
                }
            }
            Action::PartitionOneway { from, to } => WorldAction::PartitionOneway {
                from: self.indexes(from)?,
                to: self.indexes(to)?,
            },
            Action::Heal => WorldAction::Heal,
            Action::Latency {
                min_ms,
                max_ms,
                nodes,
                from,
                to,
            } => WorldAction::Latency {
                min_ms: *min_ms,
                max_ms: *max_ms,
                links: self.links(nodes, from, to)?,
            },
            Action::Loss { rate, nodes, from, to } => WorldAction::Loss {
                rate: *rate,
                links: self.links(nodes, from, to)?,
            },
            Action::NetReset => WorldAction::NetReset,
            _ => unreachable!("not a network action"),
        })
    }

    fn clock(&self, action: &Action) -> Result<WorldAction, String> {
        Ok(match action {
            Action::ClockSkew { node, offset_ms } => WorldAction::ClockSkew {
                proc: self.index(node)?,
                offset_ms: *offset_ms,
            },
            Action::ClockJump { node, by_ms } => WorldAction::ClockJump {
                proc: self.index(node)?,
                by_ms: *by_ms,
            },
            Action::ClockDrift { node, rate } => WorldAction::ClockDrift {
                proc: self.index(node)?,
                rate: *rate,
            },
            Action::ClockStrobe {
                node,
                amplitude_ms,
                period_ms,
                duration_ms,
            } => WorldAction::ClockStrobe {
                proc: self.index(node)?,
                amplitude_ms: *amplitude_ms,
                period_ms: *period_ms,
                duration_ms: *duration_ms,
            },
            Action::ClockReset { node } => WorldAction::ClockReset {
                proc: self.index(node)?,
            },
            _ => unreachable!("not a clock action"),
        })
    }

    /// Operator actions are commands sent to a node (a Sentinel, or a data node for REPLICAOF).
    fn operator(&self, action: &Action) -> Result<WorldAction, String> {
        let m = self.s.master.name.clone();
        let (via, args) = match action {
            Action::Failover { via } => (via, vec!["SENTINEL".into(), "FAILOVER".into(), m]),
            Action::SentinelSet { via, option, value } => (
                via,
                vec!["SENTINEL".into(), "SET".into(), m, option.clone(), value.clone()],
            ),
            Action::SentinelReset { via, pattern } => (via, vec!["SENTINEL".into(), "RESET".into(), pattern.clone()]),
            Action::Replicaof { node, master } => (node, self.replicaof_args(master.as_deref())?),
            _ => unreachable!("not an operator action"),
        };
        Ok(WorldAction::Command {
            proc: self.index(via)?,
            args,
        })
    }

    fn replicaof_args(&self, master: Option<&str>) -> Result<Vec<String>, String> {
        Ok(match master {
            None => vec!["REPLICAOF".into(), "NO".into(), "ONE".into()],
            Some(mn) => {
                let addr = self.s.addr_of(mn).ok_or_else(|| format!("unknown node {mn:?}"))?;
                let (h, p) = split_addr(addr);
                vec!["REPLICAOF".into(), h.to_string(), p.to_string()]
            }
        })
    }
}
