//! Writing a scenario back as a scenario file: `parse(&to_toml(s), _) == Ok(s)` for every valid
//! `s`. Each action's fields come from [`Action::toml_fields`].

#[cfg(doc)]
use super::actions::Action;
use super::types::{Expect, Scenario};
use super::{DEFAULT_MIN_REPLICAS_MAX_LAG_MS, DEFAULT_PRIORITY};
use crate::duration::{format_ms, format_us};

/// A TOML basic string.
pub(super) fn q(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub(super) fn q_list(l: &[String]) -> String {
    format!("[{}]", l.iter().map(|s| q(s)).collect::<Vec<_>>().join(", "))
}

pub(super) fn f64_lit(v: f64) -> String {
    // `{:?}` is the shortest text that parses back to the same f64, always with a `.` or exponent.
    format!("{v:?}")
}

/// Writes a scenario as a scenario file: `parse(&to_toml(s), _) == Ok(s)` for every valid `s`.
/// Defaults are left out where that keeps the file short; the story becomes the opening comment.
pub fn to_toml(s: &Scenario) -> String {
    let mut lines: Vec<String> = Vec::new();
    if !s.story.is_empty() {
        for l in s.story.split('\n') {
            lines.push(if l.is_empty() {
                "#".to_string()
            } else {
                format!("# {l}")
            });
        }
        lines.push(String::new());
    }
    lines.push(format!("name = {}", q(&s.name)));
    lines.push(format!("duration = {}", q(&format_ms(s.duration_ms))));
    lines.push(format!("settle = {}", q(&format_ms(s.settle_ms))));
    if let Some(seed) = s.seed {
        lines.push(format!("seed = {seed}"));
    }
    master_lines(&mut lines, s);
    node_lines(&mut lines, s);
    client_lines(&mut lines, s);
    if !s.network.is_loopback() {
        lines.push(String::new());
        lines.push("[network]".to_string());
        lines.push(format!("latency_min = {}", q(&format_us(s.network.latency_min_us))));
        lines.push(format!("latency_max = {}", q(&format_us(s.network.latency_max_us))));
        lines.push(format!("loss = {}", f64_lit(s.network.loss)));
    }
    for t in &s.timeline {
        lines.push(String::new());
        lines.push("[[timeline]]".to_string());
        lines.push(format!("at = {}", q(&format_ms(t.at_ms))));
        lines.push(format!("action = {}", q(t.action.kind().as_str())));
        for (k, v) in t.action.toml_fields() {
            lines.push(format!("{k} = {v}"));
        }
    }
    if !s.expect.is_empty() {
        lines.push(String::new());
        lines.push("[expect]".to_string());
        expect_lines(&mut lines, &s.expect);
    }
    let mut o = String::new();
    for l in lines {
        o.push_str(&l);
        o.push('\n');
    }
    o
}

fn master_lines(lines: &mut Vec<String>, s: &Scenario) {
    let m = &s.master;
    lines.push(String::new());
    lines.push("[master]".to_string());
    lines.push(format!("name = {}", q(&m.name)));
    lines.push(format!("node = {}", q(&m.node)));
    lines.push(format!("quorum = {}", m.quorum));
    lines.push(format!("down_after = {}", q(&format_ms(m.down_after_ms))));
    lines.push(format!("failover_timeout = {}", q(&format_ms(m.failover_timeout_ms))));
    lines.push(format!("parallel_syncs = {}", m.parallel_syncs));
    if let Some(p) = &m.auth_pass {
        lines.push(format!("auth_pass = {}", q(p)));
    }
}

fn node_lines(lines: &mut Vec<String>, s: &Scenario) {
    for r in &s.redis {
        lines.push(String::new());
        lines.push("[[redis]]".to_string());
        lines.push(format!("name = {}", q(&r.name)));
        lines.push(format!("addr = {}", q(&r.addr)));
        if let Some(m) = &r.replica_of {
            lines.push(format!("replica_of = {}", q(m)));
        }
        if r.priority != DEFAULT_PRIORITY {
            lines.push(format!("priority = {}", r.priority));
        }
        if r.min_replicas_to_write != 0 {
            lines.push(format!("min_replicas_to_write = {}", r.min_replicas_to_write));
        }
        if r.min_replicas_max_lag_ms != DEFAULT_MIN_REPLICAS_MAX_LAG_MS {
            lines.push(format!(
                "min_replicas_max_lag = {}",
                q(&format_ms(r.min_replicas_max_lag_ms))
            ));
        }
        if r.persistence {
            lines.push("persistence = true".to_string());
        }
        if !r.serve_stale_data {
            lines.push("serve_stale_data = false".to_string());
        }
    }
    for x in &s.sentinels {
        lines.push(String::new());
        lines.push("[[sentinel]]".to_string());
        lines.push(format!("name = {}", q(&x.name)));
        lines.push(format!("addr = {}", q(&x.addr)));
    }
}

fn client_lines(lines: &mut Vec<String>, s: &Scenario) {
    for c in &s.clients {
        lines.push(String::new());
        lines.push("[[client]]".to_string());
        lines.push(format!("name = {}", q(&c.name)));
        lines.push(format!("mode = {}", q(c.mode.as_str())));
        if let Some(n) = &c.node {
            lines.push(format!("node = {}", q(n)));
        }
        lines.push(format!("rate = {}", c.rate));
        if c.timeout_ms != crate::scenario::DEFAULT_CLIENT_TIMEOUT_MS {
            lines.push(format!("timeout = {}", q(&format_ms(c.timeout_ms))));
        }
        lines.push(format!("start = {}", q(&format_ms(c.start_ms))));
        lines.push(format!("stop = {}", q(&format_ms(c.stop_ms))));
        if let Some(n) = &c.near {
            lines.push(format!("near = {}", q(n)));
        }
    }
}

fn expect_lines(lines: &mut Vec<String>, e: &Expect) {
    let mut kv = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            lines.push(format!("{k} = {v}"));
        }
    };
    let d = |v: Option<u64>| v.map(|v| q(&format_ms(v)));
    let n = |v: Option<u64>| v.map(|v| v.to_string());
    kv("failover", e.failover.map(|b| b.to_string()));
    kv("promoted", e.promoted.as_deref().map(q_list));
    kv("never_promoted", e.never_promoted.as_deref().map(q_list));
    kv("final_master", e.final_master.as_deref().map(q));
    kv("max_detection", d(e.max_detection_ms));
    kv("max_failover", d(e.max_failover_ms));
    kv("tilt", e.tilt.map(|b| b.to_string()));
    kv("lost_writes_max", n(e.lost_writes_max));
    kv("lost_writes_min", n(e.lost_writes_min));
    kv("lost_writes_after_heal_max", n(e.lost_writes_after_heal_max));
    kv("lost_writes_after_heal_min", n(e.lost_writes_after_heal_min));
    kv("converged_within", d(e.converged_within_ms));
    kv("min_epoch", n(e.min_epoch));
    kv("max_epoch", n(e.max_epoch));
    kv("seen", e.seen.as_deref().map(q_list));
    kv("not_seen", e.not_seen.as_deref().map(q_list));
}
