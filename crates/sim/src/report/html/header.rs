//! The page header: timeline numbers, client writes, checks and the final state.

use super::*;

pub(super) fn opt_rel(v: Option<u64>) -> String {
    v.map_or_else(|| "—".to_string(), short_secs)
}

pub(super) fn header(o: &mut String, r: &RunReport, chart: &Chart) {
    let (cls, status) = if r.ok { ("ok", "OK") } else { ("failed", "FAILED") };
    let addr_name = |a: &str| -> String {
        chart
            .lanes
            .iter()
            .find(|l| l.addr.as_deref() == Some(a))
            .map_or_else(|| a.to_string(), |l| format!("{} ({a})", l.name))
    };
    w!(
        o,
        "<header class=\"{cls}\">\n<h1>{} <span class=\"seed\">seed {}</span> <span class=\"badge {cls}\">{status}</span></h1>\n",
        escape(&r.scenario),
        r.seed
    );
    w!(
        o,
        "<p class=\"meta\">trace <code>{}</code> · {} simulated · {} event lines · results schema {}</p>\n",
        escape(&r.trace_hash),
        short_secs(r.sim_ms),
        r.events.len(),
        r.schema
    );
    timeline_table(o, r, &addr_name);
    if let Some(ws) = &r.writes {
        writes_section(o, ws);
    }
    checks_table(o, r);
    final_section(o, r, &addr_name);
    o.push_str("</header>\n");
}

pub(super) fn writes_section(o: &mut String, ws: &WritesSummary) {
    w!(
        o,
        "<h2>Client writes</h2>\n<p class=\"writes\"><b>{}</b> acknowledged · <b class=\"{}\">{}</b> lost ({:.2}%) · {} lost after the last heal · {} unknown</p>\n",
        ws.acknowledged,
        if ws.lost > 0 { "bad" } else { "good" },
        ws.lost,
        ws.lost_pct,
        ws.lost_after_heal,
        ws.unknown
    );
    let e = &ws.errors;
    w!(
        o,
        "<p class=\"writes\">errors: READONLY {} · NOREPLICAS {} · connection {} · other {}</p>\n",
        e.readonly,
        e.noreplicas,
        e.connection,
        e.other
    );
    let wi = &ws.windows;
    o.push_str("<table class=\"kv\"><tr><th>window</th><th>acknowledged</th><th>lost</th></tr>\n");
    for (name, s) in [
        ("before the first fault", wi.before),
        ("during the faults", wi.during),
        ("after the heal, before demotion", wi.after_heal_before_demotion),
        ("after", wi.after),
    ] {
        w!(
            o,
            "<tr><th>{name}</th><td>{}</td><td class=\"{}\">{}</td></tr>\n",
            s.acknowledged,
            if s.lost > 0 { "bad" } else { "" },
            s.lost
        );
    }
    o.push_str("</table>\n");
    clients_table(o, ws);
}

/// Per client: its counts and its unavailability (time without an acknowledged write: from the
/// first write that did not succeed to the next acknowledged one).
fn clients_table(o: &mut String, ws: &WritesSummary) {
    if let Some(u) = &ws.unavailable {
        let open: usize = ws
            .clients
            .iter()
            .map(|c| c.unavailable_windows.iter().filter(|w| w.open).count())
            .sum();
        w!(
            o,
            "<p class=\"writes\">unavailable (no acknowledged write, from the first write that did not succeed to the next acknowledged one): {}</p>\n",
            escape(&crate::workload::analysis::describe_unavailable(u, open))
        );
    }
    o.push_str("<table class=\"grid\"><tr><th>client</th><th>writes</th><th>acknowledged</th><th>lost</th><th>refused</th><th>unknown</th><th>unavailable</th><th>total</th><th>p50</th><th>p99</th><th>longest</th></tr>\n");
    for c in &ws.clients {
        let e = &c.errors;
        let u = &c.unavailable;
        w!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td><td>{} window{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            escape(&c.name),
            c.ops,
            c.acknowledged,
            if c.lost > 0 { "bad" } else { "" },
            c.lost,
            e.readonly + e.noreplicas + e.connection + e.other,
            c.unknown,
            u.count,
            if u.count == 1 { "" } else { "s" },
            short_secs(u.total_ms),
            short_secs(u.p50_ms),
            short_secs(u.p99_ms),
            short_secs(u.max_ms)
        );
    }
    o.push_str("</table>\n");
}

pub(super) fn final_section(o: &mut String, r: &RunReport, addr_name: &dyn Fn(&str) -> String) {
    let f = &r.final_state;
    o.push_str("<h2>Final state</h2>\n<div class=\"finals\">\n");
    o.push_str(
        "<table class=\"grid\"><tr><th>data node</th><th>addr</th><th>alive</th><th>role</th><th>master</th><th>link</th><th>offset</th></tr>\n",
    );
    let opt = |v: Option<String>| v.map_or_else(|| "—".to_string(), |s| escape(&s));
    for d in &f.data_nodes {
        w!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            escape(&d.node),
            escape(&d.addr),
            if d.alive { "yes" } else { "<b class=\"bad\">no</b>" },
            opt(d.role.clone()),
            opt(d.master.as_deref().map(addr_name)),
            opt(d.link_up.map(|u| if u { "up".into() } else { "down".into() })),
            opt(d.repl_offset.map(|x| x.to_string()))
        );
    }
    o.push_str("</table>\n");
    o.push_str(
        "<table class=\"grid\"><tr><th>sentinel</th><th>addr</th><th>alive</th><th>master</th><th>epoch</th><th>tilt</th></tr>\n",
    );
    for s in &f.sentinels {
        w!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            escape(&s.node),
            escape(&s.addr),
            if s.alive { "yes" } else { "<b class=\"bad\">no</b>" },
            opt(s.master_addr.as_deref().map(addr_name)),
            opt(s.current_epoch.map(|x| x.to_string())),
            opt(s.tilt.map(|x| if x { "yes".into() } else { "no".into() }))
        );
    }
    o.push_str("</table>\n</div>\n");
}

/// The timeline numbers: the first fault, then each step relative to it.
fn timeline_table(o: &mut String, r: &RunReport, addr_name: &dyn Fn(&str) -> String) {
    let tl = &r.timeline;
    w!(
        o,
        "<h2>Timeline</h2>\n<p class=\"describe\">{}</p>\n",
        escape(&tl.describe())
    );
    o.push_str("<table class=\"kv\">\n");
    match (&tl.fault, tl.fault_at_ms) {
        (Some(f), Some(at)) => w!(
            o,
            "<tr><th>first fault</th><td><code>{}</code> at {}</td></tr>\n",
            escape(f),
            secs(at)
        ),
        _ => o.push_str("<tr><th>first fault</th><td>none (times count from 0)</td></tr>\n"),
    }
    let origin = escape(&tl.origin_label());
    let row = |o: &mut String, what: &str, v: Option<u64>, extra: String| {
        w!(
            o,
            "<tr><th>{origin}→{}</th><td>{}{}</td></tr>\n",
            escape(what),
            opt_rel(v),
            extra
        )
    };
    row(o, "+sdown", tl.sdown_ms, String::new());
    row(o, "+odown", tl.odown_ms, String::new());
    row(
        o,
        "+elected-leader",
        tl.elected_ms,
        tl.failover_epoch.map_or_else(String::new, |e| format!(" (epoch {e})")),
    );
    row(o, "first +switch-master", tl.first_switch_ms, String::new());
    row(
        o,
        "+switch-master on every live Sentinel",
        tl.last_switch_ms,
        if tl.first_switch_ms.is_some() && tl.last_switch_ms.is_none() {
            " (not every live Sentinel switched)".into()
        } else {
            String::new()
        },
    );
    if !tl.switches.is_empty() {
        let s: Vec<String> = tl
            .switches
            .iter()
            .map(|m| format!("{} {}", escape(&m.node), short_secs(m.t_ms)))
            .collect();
        w!(o, "<tr><th>switches</th><td>{}</td></tr>\n", s.join(", "));
    }
    if let Some(m) = &tl.new_master {
        w!(o, "<tr><th>new master</th><td>{}</td></tr>\n", escape(&addr_name(m)));
    }
    o.push_str("</table>\n");
}

/// Every invariant and expectation with PASS/FAIL and its detail.
fn checks_table(o: &mut String, r: &RunReport) {
    let all: Vec<&CheckResult> = r.invariants.iter().chain(&r.expectations).collect();
    let failed = all.iter().filter(|c| !c.ok).count();
    w!(
        o,
        "<h2>Checks <span class=\"sub\">{} passed, {} failed</span></h2>\n<table class=\"checks\">\n",
        all.len() - failed,
        failed
    );
    for (group, list) in [("invariant", &r.invariants), ("expectation", &r.expectations)] {
        for c in list {
            let (cls, tag) = if c.ok { ("pass", "PASS") } else { ("fail", "FAIL") };
            w!(
                o,
                "<tr class=\"{cls}\"><td class=\"tag\">{tag}</td><td class=\"name\">{}</td><td class=\"grp\">{group}</td><td class=\"detail\">{}</td></tr>\n",
                escape(&c.name),
                escape(&c.detail)
            );
        }
    }
    o.push_str("</table>\n");
}
