//! Client lanes: each workload client's writes over time (acknowledged, lost, refused by kind,
//! unknown), which node it was writing to, and its stretches without an acknowledged write. Read
//! from the report's `writes` (clients write no event lines), drawn under the Sentinels.
//!
//! Layout of a client lane: the outcome bar (one colour per outcome, lost writes red with a ▼
//! mark and a count above, so that a single lost write still shows), under it the node band (one
//! colour per data node, named where it fits), then a thin strip for the unavailability windows.

use super::*;
use crate::report::{ClientWrites, WriteClass};

impl Builder {
    /// Fills the client lanes from the workload summary: spans, lost marks, unavailability windows.
    pub(super) fn client_writes(&mut self, ws: &WritesSummary) {
        // A data node's colour is its position among the data node lanes.
        let slots: BTreeMap<String, usize> = self
            .lanes
            .iter()
            .filter(|l| l.kind == LaneKind::Data)
            .enumerate()
            .filter_map(|(i, l)| l.addr.clone().map(|a| (a, i)))
            .collect();
        for c in &ws.clients {
            let Some(&l) = self.by_node.get(&c.name) else { continue };
            self.client_lane(l, c, &slots);
        }
    }

    fn client_lane(&mut self, l: usize, c: &ClientWrites, slots: &BTreeMap<String, usize>) {
        for r in &c.activity {
            let node = r.node.as_deref().map(|a| self.name_of_addr(a));
            if r.outcome == WriteClass::Lost {
                let to = node.as_deref().unwrap_or("?");
                let line = format!(
                    "{} acknowledged write{} to {to} lost (not on the final master), from {} to {}",
                    r.writes,
                    if r.writes == 1 { "" } else { "s" },
                    secs(r.from_ms),
                    secs(r.to_ms)
                );
                self.mark(l, r.from_ms, MarkKind::WriteLost, format!("{} lost", r.writes), &line);
            }
            self.lanes[l].writes.push(WriteSpan {
                from_ms: r.from_ms,
                to_ms: r.to_ms,
                slot: r.node.as_ref().and_then(|a| slots.get(a).copied()),
                node,
                outcome: r.outcome,
                writes: r.writes,
            });
        }
        for w in &c.unavailable_windows {
            self.lanes[l].windows.push(Window {
                from_ms: w.start_ms,
                to_ms: w.end_ms.max(w.start_ms + 1),
                kind: WindowKind::Unavailable,
                label: if w.open {
                    "no acknowledged write (still none when the client stopped)".into()
                } else {
                    "no acknowledged write".into()
                },
                open_at_end: false,
            });
        }
    }
}

/// The class of an outcome's colour.
fn outcome_class(o: WriteClass) -> &'static str {
    match o {
        WriteClass::Ok => "wo-ok",
        WriteClass::Lost => "wo-lost",
        WriteClass::Readonly => "wo-readonly",
        WriteClass::Noreplicas => "wo-noreplicas",
        WriteClass::Connection => "wo-connection",
        WriteClass::Other => "wo-other",
        WriteClass::Unknown => "wo-unknown",
    }
}

/// What a span's writes did, in words.
fn outcome_words(o: WriteClass) -> &'static str {
    match o {
        WriteClass::Ok => "acknowledged",
        WriteClass::Lost => "acknowledged, then LOST (not on the final master)",
        WriteClass::Readonly => "refused: READONLY",
        WriteClass::Noreplicas => "refused: NOREPLICAS",
        WriteClass::Connection => "not sent: no connection / no master found",
        WriteClass::Other => "refused: other error",
        WriteClass::Unknown => "unknown outcome (no reply before the timeout)",
    }
}

/// Spans drawn without gaps: each reaches to the next one's start (between two writes the client
/// is where its last write left it).
fn drawn_to(spans: &[WriteSpan], i: usize) -> u64 {
    let own = spans[i].to_ms;
    spans.get(i + 1).map_or(own, |n| own.max(n.from_ms))
}

/// The outcome bar and the node band of a client lane.
pub(super) fn client_bars(o: &mut String, lane: &Lane, y: f64, g: &Geo, sc: &Scale) {
    let spans = &lane.writes;
    let span = |from: u64, to: u64| {
        let x0 = sc.x(from);
        (x0, (sc.x(to) - x0).max(1.0))
    };
    for (i, s) in spans.iter().enumerate() {
        let (x, wd) = span(s.from_ms, drawn_to(spans, i));
        w!(
            o,
            "<g class=\"wseg {}\"><title>{}: {} write{} {}, to {}, from {} to {}</title><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/></g>",
            outcome_class(s.outcome),
            escape(&lane.name),
            s.writes,
            if s.writes == 1 { "" } else { "s" },
            outcome_words(s.outcome),
            escape(s.node.as_deref().unwrap_or("no node")),
            secs(s.from_ms),
            secs(s.to_ms),
            n(x),
            n(y + g.bar_y),
            n(wd),
            n(g.bar_h)
        );
    }
    // The node band: spans merged while the node stays the same.
    let (by, bh) = node_band(g);
    let mut i = 0;
    while i < spans.len() {
        let mut j = i;
        let mut writes = 0;
        while j < spans.len() && spans[j].node == spans[i].node {
            writes += spans[j].writes;
            j += 1;
        }
        let (from, to) = (spans[i].from_ms, drawn_to(spans, j - 1));
        let (x, wd) = span(from, to);
        let name = spans[i].node.as_deref().unwrap_or("no node");
        w!(
            o,
            "<g class=\"wnode {}\"><title>{}: writing to {} from {} to {} ({} write{})</title><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
            spans[i].slot.map_or_else(|| "n-none".to_string(), |k| format!("n{}", k % 5)),
            escape(&lane.name),
            escape(name),
            secs(from),
            secs(to),
            writes,
            if writes == 1 { "" } else { "s" },
            n(x),
            n(y + by),
            n(wd),
            n(bh)
        );
        let label = format!("→ {name}");
        if wd > text_w(&label) * 0.85 + 6.0 {
            w!(
                o,
                "<text x=\"{}\" y=\"{}\">{}</text>",
                n(x + 3.0),
                n(y + by + bh - 2.0),
                escape(&label)
            );
        }
        o.push_str("</g>");
        i = j;
    }
}

/// Where a client lane's node band is (y offset, height): right under the bar.
pub(super) fn node_band(g: &Geo) -> (f64, f64) {
    (g.bar_y + g.bar_h + 2.0, 10.0)
}

/// The legend of the client lanes (shown when there are clients).
pub(super) const CLIENT_LEGEND: &str = "<div class=\"legend\">clients:\
<span><i class=\"sw wo-ok\"></i>acknowledged</span>\
<span><i class=\"sw wo-lost\"></i>acknowledged, then lost ▼</span>\
<span><i class=\"sw wo-readonly\"></i>READONLY</span>\
<span><i class=\"sw wo-noreplicas\"></i>NOREPLICAS</span>\
<span><i class=\"sw wo-connection\"></i>no connection / no master</span>\
<span><i class=\"sw wo-other\"></i>other error</span>\
<span><i class=\"sw wo-unknown\"></i>unknown (timeout)</span>\
<span>band under the bar: the node written to (one colour per data node)</span>\
<span><i class=\"sw unavail\"></i>no acknowledged write (unavailable)</span>\
</div>\n";
