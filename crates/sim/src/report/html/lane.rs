//! One lane of the chart: its windows, state bar, marks with their labels, and event ticks.

use super::*;
/// What drawing one lane needs: the lane, its top `y`, its vertical layout and the time scale.
struct LaneCtx<'a> {
    lane: &'a Lane,
    y: f64,
    g: Geo,
    sc: &'a Scale,
}

impl LaneCtx<'_> {
    /// `(x, width)` of a time span, at least 1 px wide.
    fn span(&self, from: u64, to: u64) -> (f64, f64) {
        let x0 = self.sc.x(from);
        let x1 = self.sc.x(to).max(x0 + 1.0);
        (x0, x1 - x0)
    }

    fn window_title(&self, w: &Window) -> String {
        format!(
            "{}: {} from {} to {}{}",
            self.lane.name,
            w.label,
            secs(w.from_ms),
            if w.open_at_end {
                "the end".to_string()
            } else {
                secs(w.to_ms)
            },
            if w.open_at_end {
                String::new()
            } else {
                format!(" ({})", short_secs(w.to_ms - w.from_ms))
            }
        )
    }
}

pub(super) fn draw_lane(o: &mut String, r: &RunReport, lane: &Lane, idx: usize, y: f64, sc: &Scale) {
    let g = geo(lane.kind);
    w!(
        o,
        "<g class=\"lane {}\" id=\"lane-{idx}\" data-l=\"{idx}\" data-node=\"{}\" data-y=\"{}\" data-h=\"{}\">",
        lane_kind_class(lane.kind),
        escape(&lane.name),
        n(y),
        n(g.h)
    );
    let c = LaneCtx { lane, y, g, sc };
    shading(o, &c);
    bar(o, &c);
    if lane.kind == LaneKind::Client {
        client_bars(o, lane, y, &c.g, sc);
    }
    bands(o, &c);
    let show = label_places(&c);
    marks(o, &c, &show);
    ticks(o, r, &c);
    o.push_str("</g>\n");
}

/// Lane-wide shading (partitions) first, behind the bar.
fn shading(o: &mut String, c: &LaneCtx) {
    let (lane, g, y) = (c.lane, &c.g, c.y);
    for w in lane.windows.iter().filter(|w| window_band(lane.kind, w.kind).is_none()) {
        let (x, wd) = c.span(w.from_ms, w.to_ms);
        let letter = match w.kind {
            WindowKind::Partition { side, .. } => side_letter(side),
            WindowKind::Isolated => "isolated".into(),
            WindowKind::OnewayOut => "out cut".into(),
            WindowKind::OnewayIn => "in cut".into(),
            _ => String::new(),
        };
        w!(
            o,
            "<g class=\"win {}\"><title>{}</title><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
            w.kind.class(),
            escape(&c.window_title(w)),
            n(x),
            n(y),
            n(wd),
            n(g.h)
        );
        if wd > text_w(&letter) + 4.0 {
            w!(
                o,
                "<text class=\"wl\" x=\"{}\" y=\"{}\">{}</text>",
                n(x + 3.0),
                n(y + g.h - 3.0),
                escape(&letter)
            );
        }
        o.push_str("</g>");
    }
}

/// The bar: states.
fn bar(o: &mut String, c: &LaneCtx) {
    let (lane, g, y) = (c.lane, &c.g, c.y);
    for s in &lane.segments {
        let (x, wd) = c.span(s.from_ms, s.to_ms);
        let label = s.state.label();
        w!(
            o,
            "<g class=\"seg {}\"><title>{}: {} from {} to {} ({})</title><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
            s.state.class(),
            escape(&lane.name),
            escape(&label),
            secs(s.from_ms),
            secs(s.to_ms),
            short_secs(s.to_ms - s.from_ms),
            n(x),
            n(y + g.bar_y),
            n(wd),
            n(g.bar_h)
        );
        if wd > text_w(&label) + 8.0 {
            w!(
                o,
                "<text x=\"{}\" y=\"{}\">{}</text>",
                n(x + 4.0),
                n(y + g.bar_y + g.bar_h - 5.0),
                escape(&label)
            );
        }
        o.push_str("</g>");
    }
}

/// Banded windows: pause over the bar, TILT / failover / clock strips, world network rows.
fn bands(o: &mut String, c: &LaneCtx) {
    let (lane, y) = (c.lane, c.y);
    for w in &lane.windows {
        let Some((by, bh)) = window_band(lane.kind, w.kind) else {
            continue;
        };
        let (x, wd) = c.span(w.from_ms, w.to_ms);
        w!(
            o,
            "<g class=\"win {}\"><title>{}</title><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
            w.kind.class(),
            escape(&c.window_title(w)),
            n(x),
            n(y + by),
            n(wd),
            n(bh)
        );
        let text = match w.kind {
            WindowKind::Paused => "paused".to_string(),
            WindowKind::NetPartition | WindowKind::Latency | WindowKind::Loss => w.label.clone(),
            _ => String::new(),
        };
        // The whole label if it fits, else its first word.
        let fits = |t: &str| bh >= 9.0 && wd > text_w(t) * 0.85 + 6.0;
        let text = if fits(&text) {
            text
        } else {
            text.split(' ').next().unwrap_or("").to_string()
        };
        if !text.is_empty() && fits(&text) {
            w!(
                o,
                "<text class=\"wt\" x=\"{}\" y=\"{}\">{}</text>",
                n(x + 3.0),
                n(y + by + bh - 2.0),
                escape(&text)
            );
        }
        o.push_str("</g>");
    }
}

/// Where each mark's label goes (x, baseline, anchored left), placed by priority without overlaps;
/// None = no room.
fn label_places(c: &LaneCtx) -> Vec<Option<(f64, f64, bool)>> {
    let (lane, y, sc) = (c.lane, c.y, c.sc);
    let mut order: Vec<usize> = (0..lane.marks.len()).collect();
    order.sort_by_key(|&i| (lane.marks[i].kind.priority(), lane.marks[i].t_ms, i));
    // Each label goes right of its mark, else left of it, in the first row (where the symbols
    // are), else the second.
    let mut rows = [Row::default(), Row::default()];
    for m in lane.marks.iter().filter(|m| !m.label.is_empty()) {
        let x = sc.x(m.t_ms);
        rows[0].reserve(x - 3.0, x + 3.0);
    }
    let mut show: Vec<Option<(f64, f64, bool)>> = vec![None; lane.marks.len()];
    for &i in &order {
        let m = &lane.marks[i];
        if m.label.is_empty() {
            continue;
        }
        let x = sc.x(m.t_ms);
        let tw = text_w(&m.label);
        'place: for (ri, row) in rows.iter_mut().enumerate() {
            let base = y + 11.5 + 11.0 * ri as f64;
            if row.place(x + 5.0, x + 6.0 + tw) {
                show[i] = Some((x + 6.0, base, false));
                break 'place;
            }
            if row.place(x - 6.0 - tw, x - 5.0) {
                show[i] = Some((x - 6.0, base, true));
                break 'place;
            }
        }
    }
    show
}

/// The marks' symbols and their placed labels.
fn marks(o: &mut String, c: &LaneCtx, show: &[Option<(f64, f64, bool)>]) {
    let (lane, g, y, sc) = (c.lane, &c.g, c.y, c.sc);
    for (i, m) in lane.marks.iter().enumerate() {
        let x = sc.x(m.t_ms);
        let title = format!("{} {}: {}", secs(m.t_ms), lane.name, m.line);
        w!(
            o,
            "<g class=\"mark {}\"><title>{}</title>",
            m.kind.class(),
            escape(&title)
        );
        let top = y + 3.0;
        match m.kind {
            MarkKind::Switch => w!(
                o,
                "<line x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\"/><path d=\"M{} {}l-4 -5h8z\"/>",
                n(x),
                n(x),
                n(top),
                n(y + g.bar_y + g.bar_h + 2.0),
                n(x),
                n(y + g.bar_y),
            ),
            MarkKind::Leader => w!(o, "<circle cx=\"{}\" cy=\"{}\" r=\"4\"/>", n(x), n(top + 6.0)),
            MarkKind::Epoch => w!(o, "<path d=\"M{} {}v8\"/>", n(x), n(top + 3.0)),
            MarkKind::Clock => w!(o, "<circle cx=\"{}\" cy=\"{}\" r=\"3.5\"/>", n(x), n(top + 6.0)),
            MarkKind::Command => w!(o, "<path d=\"M{} {}l4 5l-4 5l-4 -5z\"/>", n(x), n(top + 1.0)),
            MarkKind::Action => w!(o, "<path d=\"M{} {}h9l-4.5 9z\"/>", n(x - 4.5), n(top + 1.0)),
            // Lost writes must stand out: a red ▼ above the bar as well as the stroke across it.
            MarkKind::WriteLost => w!(
                o,
                "<path d=\"M{} {}h9l-4.5 9z\"/><rect x=\"{}\" y=\"{}\" width=\"2.5\" height=\"{}\"/>",
                n(x - 4.5),
                n(top + 1.0),
                n(x - 1.0),
                n(y + g.bar_y),
                n(g.bar_h)
            ),
            MarkKind::WriteOk | MarkKind::WriteError | MarkKind::WriteUnknown => w!(
                o,
                "<rect x=\"{}\" y=\"{}\" width=\"2.5\" height=\"{}\"/>",
                n(x - 1.0),
                n(y + g.bar_y),
                n(g.bar_h)
            ),
        }
        if let Some((tx, ty, left)) = show[i] {
            w!(
                o,
                "<text x=\"{}\" y=\"{}\"{}>{}</text>",
                n(tx),
                n(ty),
                if left { " text-anchor=\"end\"" } else { "" },
                escape(&m.label)
            );
        }
        o.push_str("</g>");
    }
}

/// One tick per event line (dedup'd per pixel), by kind.
fn ticks(o: &mut String, r: &RunReport, c: &LaneCtx) {
    let (lane, g, y, sc) = (c.lane, &c.g, c.y, c.sc);
    let mut paths: BTreeMap<&str, (String, f64)> = BTreeMap::new();
    for &i in &lane.events {
        let e = &r.events[i];
        let cls = kind_class(e.kind);
        let x = (sc.x(e.t_ms) * 2.0).round() / 2.0;
        let (d, last) = paths.entry(cls).or_insert_with(|| (String::new(), f64::NEG_INFINITY));
        if x != *last {
            w!(d, "M{} {}v8", n(x), n(y + g.tick_y));
            *last = x;
        }
    }
    for (cls, (d, _)) in paths {
        w!(o, "<path class=\"tk {cls}\" d=\"{d}\"/>");
    }
}
