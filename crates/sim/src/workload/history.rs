//! The record of every client operation, in completion order (Jepsen's history, reduced to what a
//! lost-write analysis needs).

use std::sync::{Arc, Mutex};

use serde::Serialize;

/// Why a write failed (the server answered with an error, or the write never reached a server).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// `-READONLY You can't write against a read only replica.`
    Readonly,
    /// `-NOREPLICAS Not enough good replicas to write.`
    Noreplicas,
    /// `-LOADING Redis is loading the dataset in memory`
    Loading,
    /// `-MASTERDOWN Link with MASTER is down ...`
    Masterdown,
    /// The write was never sent: no Sentinel answered, the connect was refused or timed out, or
    /// the connection was found closed before sending.
    Connection,
    /// The write was never sent: the address the Sentinels gave was not a master (`ROLE`).
    NotMaster,
    /// Any other error reply (or a reply that is not `+OK`).
    Other,
}

impl ErrorKind {
    /// Classifies an error reply by its code (the first word).
    pub fn of_reply(text: &str) -> ErrorKind {
        match text.split_whitespace().next().unwrap_or("") {
            "READONLY" => ErrorKind::Readonly,
            "NOREPLICAS" => ErrorKind::Noreplicas,
            "LOADING" => ErrorKind::Loading,
            "MASTERDOWN" => ErrorKind::Masterdown,
            _ => ErrorKind::Other,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Readonly => "READONLY",
            ErrorKind::Noreplicas => "NOREPLICAS",
            ErrorKind::Loading => "LOADING",
            ErrorKind::Masterdown => "MASTERDOWN",
            ErrorKind::Connection => "connection",
            ErrorKind::NotMaster => "not-master",
            ErrorKind::Other => "other",
        }
    }
}

/// How an operation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// `+OK`: acknowledged.
    Ok,
    /// Definitely not applied (an error reply, or never sent).
    Fail(ErrorKind),
    /// Sent, but no reply (timeout, connection lost): it may or may not have been applied
    /// (Jepsen's `:info`). Never counted as lost.
    Unknown,
}

/// One write: `SET <key> <value>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Op {
    pub client: String,
    /// `w:<client>:<n>`, unique over the run.
    pub key: String,
    /// `<n>`.
    pub value: String,
    /// When the client started the operation (connecting included), ms since the world start.
    pub invoke_ms: u64,
    /// When its outcome was known, ms since the world start.
    pub complete_ms: u64,
    pub outcome: Outcome,
    /// The server (`ip:port`, as announced) it was sent to; for a connection failure the address it
    /// tried, if it had one.
    pub node: Option<String>,
    /// The error reply or I/O error, for failures and unknown outcomes.
    pub detail: Option<String>,
}

/// Shared, append-only record of operations in completion order. Clones share the record. The
/// simulation is single-threaded, so the order is deterministic.
#[derive(Debug, Clone, Default)]
pub struct History {
    ops: Arc<Mutex<Vec<Op>>>,
}

impl History {
    pub fn new() -> History {
        History::default()
    }

    pub fn record(&self, op: Op) {
        self.ops.lock().unwrap_or_else(|e| e.into_inner()).push(op);
    }

    /// A copy of every operation so far, in completion order.
    pub fn snapshot(&self) -> Vec<Op> {
        self.ops.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn len(&self) -> usize {
        self.ops.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The keys whose survival matters: those of acknowledged writes, sorted, without duplicates.
pub fn keys_to_check(ops: &[Op]) -> Vec<String> {
    let mut keys: Vec<String> = ops
        .iter()
        .filter(|o| o.outcome == Outcome::Ok)
        .map(|o| o.key.clone())
        .collect();
    keys.sort();
    keys.dedup();
    keys
}
