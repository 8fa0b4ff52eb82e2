//! Client availability from the write history: the stretches of time a client went without an
//! acknowledged write, and figures over them. Pure.
//!
//! A window starts at the first operation that did not succeed (an error of any kind, or an
//! unknown outcome) after the client's last acknowledged write, at that operation's `invoke_ms`:
//! from then on the client was trying and not getting through. It ends at the `complete_ms` of the
//! next acknowledged write, when the client knew it was through again. A window with no
//! acknowledged write after it is open: it ends at the client's stop, or at its last operation's
//! completion if that is later (the last write may still be waiting for its timeout).
//!
//! An acknowledged write that was later lost ends a window like any other: the client believed it
//! was through. Loss is counted apart (`lost`, and the lanes of the HTML timeline).

use crate::report::{Unavailability, UnavailableWindow};
use crate::search::sweep::percentile;

use super::history::{Op, Outcome};

/// The windows of one client's operations, given in invocation order (a client has one operation
/// in flight at a time, so its completion order is that order too). `stop_ms`: when the client
/// stopped issuing writes, where an open window ends (unless an operation completed later).
pub fn unavailable_windows<'a>(ops: impl IntoIterator<Item = &'a Op>, stop_ms: u64) -> Vec<UnavailableWindow> {
    let mut out = Vec::new();
    let mut open_since: Option<u64> = None;
    let mut last_ms = stop_ms;
    for op in ops {
        last_ms = last_ms.max(op.complete_ms);
        match (op.outcome, open_since) {
            (Outcome::Ok, Some(start_ms)) => {
                out.push(UnavailableWindow {
                    start_ms,
                    end_ms: op.complete_ms,
                    open: false,
                });
                open_since = None;
            }
            (Outcome::Ok, None) => {}
            (Outcome::Fail(_) | Outcome::Unknown, None) => open_since = Some(op.invoke_ms),
            (Outcome::Fail(_) | Outcome::Unknown, Some(_)) => {}
        }
    }
    if let Some(start_ms) = open_since {
        out.push(UnavailableWindow {
            start_ms,
            end_ms: last_ms.max(start_ms),
            open: true,
        });
    }
    out
}

/// Count, total and nearest-rank p50/p99/max of the windows' durations (all 0 without windows).
pub fn figures<'a>(windows: impl IntoIterator<Item = &'a UnavailableWindow>) -> Unavailability {
    let mut d: Vec<u64> = windows.into_iter().map(UnavailableWindow::duration_ms).collect();
    d.sort_unstable();
    Unavailability {
        count: d.len() as u64,
        total_ms: d.iter().sum(),
        p50_ms: percentile(&d, 50.0).unwrap_or(0),
        p99_ms: percentile(&d, 99.0).unwrap_or(0),
        max_ms: percentile(&d, 100.0).unwrap_or(0),
    }
}
