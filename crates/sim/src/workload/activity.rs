//! A client's operations as runs of the same node and outcome: what its lane in the HTML timeline
//! draws (acknowledged, lost, refused by kind, unknown, and where it was writing). Pure.
//!
//! Run-length encoding keeps the results JSON small where a client does the same thing for a long
//! time (20 writes/s to one master for a minute is one run), and exact where it does not.

use std::collections::BTreeMap;

use crate::report::{WriteClass, WriteRun};

use super::analysis::is_lost;
use super::history::{ErrorKind, Op, Outcome};

/// How an operation ended, as the lane draws it: acknowledged writes split by whether they
/// survived on the final master.
pub fn class_of(op: &Op, surviving: &BTreeMap<String, String>) -> WriteClass {
    match op.outcome {
        Outcome::Ok if is_lost(op, surviving) => WriteClass::Lost,
        Outcome::Ok => WriteClass::Ok,
        Outcome::Unknown => WriteClass::Unknown,
        Outcome::Fail(ErrorKind::Readonly) => WriteClass::Readonly,
        Outcome::Fail(ErrorKind::Noreplicas) => WriteClass::Noreplicas,
        Outcome::Fail(ErrorKind::Connection) => WriteClass::Connection,
        Outcome::Fail(ErrorKind::Loading | ErrorKind::Masterdown | ErrorKind::NotMaster | ErrorKind::Other) => {
            WriteClass::Other
        }
    }
}

/// One client's operations (in order) merged into runs of consecutive operations with the same
/// node and class.
pub fn runs<'a>(ops: impl IntoIterator<Item = &'a Op>, surviving: &BTreeMap<String, String>) -> Vec<WriteRun> {
    let mut out: Vec<WriteRun> = Vec::new();
    for op in ops {
        let outcome = class_of(op, surviving);
        match out.last_mut() {
            Some(r) if r.outcome == outcome && r.node == op.node => {
                r.to_ms = r.to_ms.max(op.complete_ms);
                r.writes += 1;
            }
            _ => out.push(WriteRun {
                from_ms: op.invoke_ms,
                to_ms: op.complete_ms,
                node: op.node.clone(),
                outcome,
                writes: 1,
            }),
        }
    }
    out
}
