//! A run as a self-contained HTML page (`<dir>/<scenario>/seed-<N>.html`, next to the JSON): a
//! timeline an operator can read, with one lane per process, plus the checks and every event line.
//!
//! What the page shows:
//! - a header: scenario, seed, OK/FAILED, the trace hash, the timeline numbers (kill→+sdown, …),
//!   the client writes summary when there is one, every invariant and expectation with PASS/FAIL
//!   and its detail, and the final state;
//! - the chart, x = simulated seconds. A `world` lane on top carries every injected action and the
//!   network-wide conditions (partitions, latency, loss). Then one lane per process, data nodes
//!   first, then Sentinels, then clients:
//!   - a data node's role over time (master, replica of X with its link up or down, down,
//!     starting), read from its own log lines and the kill/restart actions;
//!   - a Sentinel's view of the master (which master it follows, ok/SDOWN/ODOWN), its down
//!     windows, TILT windows, failovers it leads, `+new-epoch`, `+elected-leader` and
//!     `+switch-master` marks;
//!   - a workload client's writes over time (from the report's `writes`): acknowledged, lost
//!     (red, with a ▼ and a count), refused by kind (READONLY, NOREPLICAS, connection, other) and
//!     unknown, the node it was writing to as a band under them, and its stretches without an
//!     acknowledged write as a strip; a client's own event lines, if any, as small marks;
//!   - partitions, isolation and one-way cuts shaded over the affected lanes, pauses hatched over
//!     the bar, clock faults as a band with a mark;
//!   - a tick per event line; hovering shows the event lines under the pointer (and the meaning of
//!     any segment or mark), clicking one selects it in the event list;
//! - the event list: every line with its simulated time and node, action lines highlighted,
//!   filterable by text, kind and node.
//!
//! The page needs nothing but itself: inline CSS, inline SVG and a small inline script (without the
//! script the SVG `<title>`s still give the tooltips). Every text from the run is HTML-escaped and
//! the script is a constant, so a hostile event line cannot inject markup. The same report always
//! renders to the same bytes (no generation time, no wall-clock figures).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

use crate::checks::CheckResult;
use crate::duration::{secs, short_secs};
use crate::report::{EventKind, RunReport, WritesSummary};
use crate::scenario::ActionKind;

macro_rules! w {
    ($o:expr, $($a:tt)*) => {{
        let _ = write!($o, $($a)*);
    }};
}

mod actions;
mod assets;
mod build;
mod chart;
mod clients;
mod events;
mod geom;
mod header;
mod lane;
mod model;

use assets::*;
use build::*;
use chart::*;
use clients::*;
use events::*;
use geom::*;
use header::*;
use lane::*;

pub use build::chart;
pub use model::*;

/// HTML-escapes text for element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// A coordinate, with one decimal, without a trailing `.0`.
fn n(v: f64) -> String {
    let s = format!("{v:.1}");
    match s.strip_suffix(".0") {
        Some(i) => i.to_string(),
        None => s,
    }
}

/// The page for one run. Same report, same bytes.
pub fn render(report: &RunReport) -> String {
    let chart = chart(report);
    let mut o = String::with_capacity(64 * 1024 + report.events.len() * 320);
    let status = if report.ok { "OK" } else { "FAILED" };
    w!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"sentinel-sim\">\n\
         <title>{} seed {} {} - sentinel-sim</title>\n<style>{}</style>\n</head>\n<body>\n",
        escape(&report.scenario),
        report.seed,
        status,
        CSS
    );
    header(&mut o, report, &chart);
    chart_section(&mut o, report, &chart);
    events_section(&mut o, report, &chart);
    w!(
        o,
        "<div id=\"tip\" hidden></div>\n<script>{}</script>\n</body>\n</html>\n",
        SCRIPT
    );
    o
}

/// Writes `<dir>/<scenario>/seed-<N>.html` (next to the JSON), creating directories as needed;
/// returns the file's path.
pub fn write_html(dir: &Path, report: &RunReport) -> io::Result<PathBuf> {
    let d = dir.join(crate::report::path_component(&report.scenario));
    std::fs::create_dir_all(&d)?;
    let path = d.join(format!("seed-{}.html", report.seed));
    std::fs::write(&path, render(report))?;
    Ok(path)
}
