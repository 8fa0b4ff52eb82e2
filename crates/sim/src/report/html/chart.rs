//! The chart section: lane names, the axis, action guides, and each lane.

use super::*;

pub(super) fn lane_subtitle(r: &RunReport, lane: &Lane) -> (String, String) {
    let addr = lane.addr.clone().unwrap_or_default();
    let name_of = |a: &str| {
        r.final_state
            .data_nodes
            .iter()
            .find(|d| d.addr == a)
            .map_or_else(|| a.to_string(), |d| d.node.clone())
    };
    match lane.kind {
        LaneKind::World => ("actions · network".into(), String::new()),
        LaneKind::Data => {
            let fin = r.final_state.data_nodes.iter().find(|d| d.node == lane.name);
            let end = match fin {
                Some(d) if !d.alive => "end: down".to_string(),
                Some(d) => match (d.role.as_deref(), d.master.as_deref()) {
                    (Some("slave"), Some(m)) => format!(
                        "end: replica of {}{}",
                        name_of(m),
                        if d.link_up == Some(false) { " (link down)" } else { "" }
                    ),
                    (Some(role), _) => format!("end: {role}"),
                    _ => "end: not answering".into(),
                },
                None => String::new(),
            };
            (format!("{addr} · data node"), end)
        }
        LaneKind::Sentinel => {
            let fin = r.final_state.sentinels.iter().find(|s| s.node == lane.name);
            let end = match fin {
                Some(s) if !s.alive => "end: down".to_string(),
                Some(s) => format!(
                    "end: epoch {}, master {}{}",
                    s.current_epoch.map_or("?".into(), |e| e.to_string()),
                    s.master_addr.as_deref().map_or("?".into(), name_of),
                    if s.tilt == Some(true) { ", TILT" } else { "" }
                ),
                None => String::new(),
            };
            (format!("{addr} · sentinel"), end)
        }
        LaneKind::Client => {
            let c = r.writes.iter().flat_map(|w| &w.clients).find(|c| c.name == lane.name);
            match c {
                Some(c) => (
                    format!("client · {} writes, {} lost", c.ops, c.lost),
                    format!(
                        "unavailable {} ({} window{})",
                        short_secs(c.unavailable.total_ms),
                        c.unavailable.count,
                        if c.unavailable.count == 1 { "" } else { "s" }
                    ),
                ),
                None => ("client".into(), String::new()),
            }
        }
    }
}

pub(super) const LEGEND: &str = "<div class=\"legend\">\
<span><i class=\"sw master\"></i>master</span>\
<span><i class=\"sw replica\"></i>replica, link up</span>\
<span><i class=\"sw replica-nolink\"></i>replica, link down</span>\
<span><i class=\"sw down\"></i>down</span>\
<span><i class=\"sw starting\"></i>starting</span>\
<span><i class=\"sw paused\"></i>paused</span>\
<span><i class=\"sw s-ok\"></i>Sentinel: master ok</span>\
<span><i class=\"sw s-sdown\"></i>SDOWN</span>\
<span><i class=\"sw s-odown\"></i>ODOWN</span>\
<span><i class=\"sw failover\"></i>own failover attempt</span>\
<span><i class=\"sw tilt\"></i>TILT</span>\
<span><i class=\"sw clock\"></i>clock fault</span>\
<span><i class=\"sw partition\"></i>partition side A</span>\
<span><i class=\"sw partition2\"></i>side B</span>\
<span><i class=\"sw isolated\"></i>isolated / one-way cut</span>\
<span>★ leader · ⇒ +switch-master · eN +new-epoch · ▼ action</span>\
</div>\n";

pub(super) fn chart_section(o: &mut String, r: &RunReport, chart: &Chart) {
    let sc = Scale::new(chart.end_ms);
    let mut ys = Vec::with_capacity(chart.lanes.len());
    let mut y = AXIS_H;
    for lane in &chart.lanes {
        ys.push(y);
        y += geo(lane.kind).h;
    }
    let height = y + AXIS_H;
    o.push_str("<section id=\"chart-sec\">\n<h2>Chart <span class=\"sub\">simulated time in seconds; hover for the event lines, click to find one in the list</span></h2>\n");
    o.push_str(LEGEND);
    if chart.lanes.iter().any(|l| !l.writes.is_empty()) {
        o.push_str(CLIENT_LEGEND);
    }
    o.push_str("<div class=\"chart\">\n");
    // Lane names (fixed column).
    w!(
        o,
        "<svg class=\"names\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\">",
        n(LABEL_W),
        n(height),
        n(LABEL_W),
        n(height)
    );
    w!(
        o,
        "<text class=\"axis-t\" x=\"6\" y=\"{}\">time (s)</text>",
        n(AXIS_H - 9.0)
    );
    for (i, lane) in chart.lanes.iter().enumerate() {
        let g = geo(lane.kind);
        let (sub, end) = lane_subtitle(r, lane);
        w!(
            o,
            "<g class=\"name k{}\"><rect class=\"lanebg{}\" x=\"0\" y=\"{}\" width=\"{}\" height=\"{}\"/><text class=\"ln\" x=\"8\" y=\"{}\">{}</text><text class=\"sub\" x=\"8\" y=\"{}\">{}</text><text class=\"sub\" x=\"8\" y=\"{}\">{}</text></g>",
            lane_kind_class(lane.kind),
            i % 2,
            n(ys[i]),
            n(LABEL_W),
            n(g.h),
            n(ys[i] + 16.0),
            escape(&lane.name),
            n(ys[i] + 29.0),
            escape(&sub),
            n(ys[i] + 41.0),
            escape(&end)
        );
    }
    o.push_str("</svg>\n");
    // The plot.
    w!(
        o,
        "<div class=\"scroll\" id=\"scroll\"><svg id=\"chart\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" data-px-per-ms=\"{}\" data-x0=\"{}\">",
        n(sc.width),
        n(height),
        n(sc.width),
        n(height),
        sc.px_per_ms,
        n(X0)
    );
    o.push_str(DEFS);
    for (i, lane) in chart.lanes.iter().enumerate() {
        w!(
            o,
            "<rect class=\"lanebg{}\" x=\"0\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
            i % 2,
            n(ys[i]),
            n(sc.width),
            n(geo(lane.kind).h)
        );
    }
    axis(o, &sc, chart.end_ms, height);
    // Guides: one faint vertical line per action, across every lane.
    let mut guide = String::new();
    let mut last = f64::NEG_INFINITY;
    for e in r.events.iter().filter(|e| e.kind == EventKind::Action) {
        let x = sc.x(e.t_ms);
        if x - last >= 0.5 {
            w!(guide, "M{} {}V{}", n(x), n(AXIS_H), n(height - AXIS_H));
            last = x;
        }
    }
    if !guide.is_empty() {
        w!(o, "<path class=\"guide\" d=\"{guide}\"/>");
    }
    for (i, lane) in chart.lanes.iter().enumerate() {
        draw_lane(o, r, lane, i, ys[i], &sc);
    }
    w!(
        o,
        "<line id=\"cursor\" class=\"cursor\" x1=\"0\" x2=\"0\" y1=\"{}\" y2=\"{}\" visibility=\"hidden\"/>",
        n(AXIS_H),
        n(height - AXIS_H)
    );
    o.push_str("</svg></div>\n</div>\n</section>\n");
}

pub(super) fn lane_kind_class(k: LaneKind) -> &'static str {
    match k {
        LaneKind::World => "world",
        LaneKind::Data => "data",
        LaneKind::Sentinel => "sentinel",
        LaneKind::Client => "client",
    }
}

pub(super) fn axis(o: &mut String, sc: &Scale, end_ms: u64, height: f64) {
    const STEPS: [u64; 20] = [
        100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000,
        3_600_000, 7_200_000, 14_400_000, 21_600_000, 43_200_000,
    ];
    let step = STEPS
        .iter()
        .copied()
        .find(|s| *s as f64 * sc.px_per_ms >= 64.0)
        .unwrap_or(86_400_000);
    let mut grid = String::new();
    let mut labels = String::new();
    let mut t = 0;
    while t <= end_ms {
        let x = n(sc.x(t));
        w!(grid, "M{x} {}V{}", n(AXIS_H - 5.0), n(height - AXIS_H + 5.0));
        let label = if step < 1000 {
            format!("{}.{}", t / 1000, (t % 1000) / 100)
        } else {
            (t / 1000).to_string()
        };
        w!(
            labels,
            "<text x=\"{x}\" y=\"{}\">{label}</text><text x=\"{x}\" y=\"{}\">{label}</text>",
            n(AXIS_H - 9.0),
            n(height - 8.0)
        );
        t += step;
    }
    w!(o, "<path class=\"grid\" d=\"{grid}\"/><g class=\"axis\">{labels}</g>");
}
