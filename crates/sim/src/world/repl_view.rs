//! Each data node's replication state, read from its own log lines as it writes them, and
//! recorded as [`Fact::Replication`] when it changes. The lines are Redis's wording, which the
//! simulated data node keeps: the world does not look inside the process. Two INFO fields come
//! with the lines (`run_id`, `slave_repl_offset`): the node hands them to its observer as INFO
//! would report them at that moment, so the world need not send INFO over the simulated network
//! (which would perturb the run it observes).

use crate::trace::{Fact, Role};

/// What a data node's log has said about its replication so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct ReplView {
    role: Option<Role>,
    master: Option<String>,
    link_up: bool,
    down_since_ms: Option<u64>,
    offset: Option<i64>,
}

/// The INFO fields handed over with the lines, and the run id last recorded.
#[derive(Debug, Clone, Default)]
pub(super) struct NodeInfo {
    pub run_id: String,
    pub offset: i64,
    recorded_run_id: Option<String>,
}

impl NodeInfo {
    /// A [`Fact::RunId`] if the node's run id is not the one last recorded (it restarted).
    pub fn run_id_fact(&mut self, node: &str) -> Option<Fact> {
        if self.run_id.is_empty() || self.recorded_run_id.as_deref() == Some(&self.run_id) {
            return None;
        }
        self.recorded_run_id = Some(self.run_id.clone());
        Some(Fact::RunId {
            node: node.to_string(),
            run_id: self.run_id.clone(),
        })
    }
}

impl ReplView {
    /// Reads one log line written at `t_ms`; returns the new state as a fact if it changed.
    pub fn read(&mut self, node: &str, line: &str, t_ms: u64, info: &NodeInfo) -> Option<Fact> {
        let before = self.clone();
        if line == "Ready to accept connections" {
            // A (re)start: a master until its config's `replicaof` says otherwise (next line).
            *self = ReplView {
                role: Some(Role::Master),
                ..ReplView::default()
            };
        } else if line.starts_with("MASTER MODE enabled") {
            *self = ReplView {
                role: Some(Role::Master),
                ..ReplView::default()
            };
        } else if let Some(addr) = line.strip_prefix("Connecting to MASTER ") {
            if self.master.as_deref() != Some(addr) {
                if self.role != Some(Role::Replica) {
                    // `replicationSetMaster` from a master: never lost, so no down time.
                    self.down_since_ms = None;
                }
                self.role = Some(Role::Replica);
                self.master = Some(addr.to_string());
                self.link_up = false;
            }
        } else if line == "Connection with master lost." {
            self.link_up = false;
            self.down_since_ms = Some(t_ms);
        } else if line == "MASTER <-> REPLICA sync: Finished with success"
            || line == "MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization."
        {
            self.link_up = true;
            self.down_since_ms = None;
        }
        // The offset a replica holds while its link is down (it cannot move until the link is
        // back); none while the link is up (it moves with every write, unrecorded).
        self.offset = (self.role == Some(Role::Replica) && !self.link_up).then_some(info.offset);
        if *self == before {
            return None;
        }
        Some(Fact::Replication {
            node: node.to_string(),
            role: self.role?,
            master: self.master.clone(),
            link_up: self.link_up,
            down_since_ms: self.down_since_ms,
            offset: self.offset,
        })
    }
}
