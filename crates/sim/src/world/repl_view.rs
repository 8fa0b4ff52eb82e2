//! Each data node's replication state, read from its own log lines as it writes them, and
//! recorded as [`Fact::Replication`] when it changes. The lines are Redis's wording, which the
//! simulated data node keeps: the world does not look inside the process.

use crate::trace::{Fact, Role};

/// What a data node's log has said about its replication so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct ReplView {
    role: Option<Role>,
    master: Option<String>,
    link_up: bool,
    down_since_ms: Option<u64>,
}

impl ReplView {
    /// Reads one log line written at `t_ms`; returns the new state as a fact if it changed.
    pub fn read(&mut self, node: &str, line: &str, t_ms: u64) -> Option<Fact> {
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
        if *self == before {
            return None;
        }
        Some(Fact::Replication {
            node: node.to_string(),
            role: self.role?,
            master: self.master.clone(),
            link_up: self.link_up,
            down_since_ms: self.down_since_ms,
        })
    }
}
