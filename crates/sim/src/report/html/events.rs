//! The event list: every line with its simulated time, node and kind, filterable.

use super::*;

pub(super) fn kind_class(k: EventKind) -> &'static str {
    match k {
        EventKind::Action => "k-a",
        EventKind::Sentinel => "k-s",
        EventKind::SentinelLog => "k-l",
        EventKind::Data => "k-d",
        EventKind::World | EventKind::Wire => "k-t",
    }
}

pub(super) fn kind_name(k: EventKind) -> &'static str {
    match k {
        EventKind::Action => "action",
        EventKind::Sentinel => "sentinel",
        EventKind::SentinelLog => "log",
        EventKind::Data => "data",
        EventKind::World => "world",
        EventKind::Wire => "wire",
    }
}

pub(super) fn events_section(o: &mut String, r: &RunReport, chart: &Chart) {
    let lane_of: BTreeMap<&str, usize> = chart
        .lanes
        .iter()
        .enumerate()
        .map(|(i, l)| (l.name.as_str(), i))
        .collect();
    w!(
        o,
        "<section id=\"events-sec\">\n<h2>Events <span class=\"sub\" id=\"count\">{} lines</span></h2>\n<div class=\"filters\">\
         <input id=\"q\" type=\"search\" placeholder=\"filter: words that must all appear (e.g. +switch-master 5001)\" size=\"60\">\
         <label><input type=\"checkbox\" class=\"kf\" value=\"k-a\" checked> actions</label>\
         <label><input type=\"checkbox\" class=\"kf\" value=\"k-s\" checked> sentinel events</label>\
         <label><input type=\"checkbox\" class=\"kf\" value=\"k-l\" checked> sentinel log</label>\
         <label><input type=\"checkbox\" class=\"kf\" value=\"k-d\" checked> data node log</label>\
         <select id=\"nf\"><option value=\"\">all processes</option>",
        r.events.iter().filter(|e| !e.kind.is_truth()).count()
    );
    for (i, l) in chart.lanes.iter().enumerate() {
        w!(o, "<option value=\"{i}\">{}</option>", escape(&l.name));
    }
    o.push_str("</select></div>\n<div class=\"tablewrap\" id=\"tablewrap\"><table id=\"events\"><thead><tr><th>time (s)</th><th>node</th><th>kind</th><th>line</th></tr></thead><tbody>\n");
    for e in r.events.iter().filter(|e| !e.kind.is_truth()) {
        let l = lane_of.get(e.node.as_str()).copied().unwrap_or(0);
        w!(
            o,
            "<tr class=\"{}\" data-t=\"{}\" data-l=\"{l}\"><td class=\"t\">{}</td><td>{}</td><td>{}</td><td class=\"x\">{}</td></tr>\n",
            kind_class(e.kind),
            e.t_ms,
            secs(e.t_ms).trim_end_matches('s'),
            escape(&e.node),
            kind_name(e.kind),
            escape(&e.line)
        );
    }
    o.push_str("</tbody></table></div>\n</section>\n");
}
