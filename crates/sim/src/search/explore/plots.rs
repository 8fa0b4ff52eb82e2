//! The exploration as a self-contained HTML page: the table, then one line chart per figure, with
//! the first `--vary` along the x axis and one line per combination of the others (median solid,
//! p99 dashed). No script, no external asset; the same inputs give the same bytes. Pure.

use std::fmt::Write;

use super::metrics::ComboResult;
use crate::search::sweep::Dist;

/// What an exploration page shows.
pub struct Page<'a> {
    pub title: String,
    /// The command that made it (shown under the title, to reproduce the page).
    pub command: String,
    pub keys: &'a [String],
    /// Each key's values, in command-line order.
    pub values: &'a [Vec<String>],
    pub rows: &'a [ComboResult],
    /// The text table (as printed).
    pub table: &'a str,
    /// Why some combinations were not played, or a note that Ctrl-C stopped the exploration.
    pub notes: &'a [String],
}

/// A figure's value in a row: its median and, for distributions, its p99.
type Point = Option<(f64, Option<f64>)>;

/// One chart: a title, a unit and how to read a (p50, p99) pair off a row.
struct Figure {
    title: &'static str,
    unit: &'static str,
    read: fn(&ComboResult) -> Point,
}

fn secs_pair(d: &Option<Dist<u64>>) -> Point {
    d.as_ref().map(|d| (d.p50 as f64 / 1000.0, Some(d.p99 as f64 / 1000.0)))
}

const FIGURES: [Figure; 6] = [
    Figure {
        title: "Acknowledged writes lost per run",
        unit: "writes",
        read: |r| r.lost_writes.as_ref().map(|d| (d.p50 as f64, Some(d.p99 as f64))),
    },
    Figure {
        title: "Longest time a client went without an acknowledged write",
        unit: "s",
        read: |r| secs_pair(&r.unavailable_max_ms),
    },
    Figure {
        title: "Runs with a failover",
        unit: "%",
        read: |r| (r.runs > 0).then_some((r.failover_pct, None)),
    },
    Figure {
        title: "Fault to first +switch-master",
        unit: "s",
        read: |r| secs_pair(&r.failover_ms),
    },
    Figure {
        title: "Fault to first +odown (detection)",
        unit: "s",
        read: |r| secs_pair(&r.detection_ms),
    },
    Figure {
        title: "Runs with a false failover",
        unit: "runs",
        read: |r| (r.runs > 0).then_some((r.false_failover_runs as f64, None)),
    },
];

const COLOURS: [&str; 8] = [
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
];

const W: f64 = 420.0;
const H: f64 = 260.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 44.0;

/// The whole page.
pub fn html(p: &Page) -> String {
    let mut o = String::new();
    o.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    let _ = write!(o, "<title>{}</title>", esc(&p.title));
    o.push_str(concat!(
        "<style>body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}",
        "h1{font-size:20px}code,pre{font:12px/1.35 ui-monospace,monospace}",
        "pre{background:#f6f6f6;padding:8px;overflow-x:auto}",
        ".charts{display:flex;flex-wrap:wrap;gap:16px}",
        "figure{margin:0;border:1px solid #ddd;padding:8px;width:420px}figcaption{font-weight:600;margin-bottom:4px}",
        ".key span{display:inline-block;margin-right:14px}.note{color:#a33}</style></head><body>\n"
    ));
    let _ = writeln!(o, "<h1>{}</h1>", esc(&p.title));
    let _ = writeln!(o, "<p><code>{}</code></p>", esc(&p.command));
    if !p.notes.is_empty() {
        o.push_str("<ul class=\"note\">");
        for n in p.notes {
            let _ = write!(o, "<li>{}</li>", esc(n));
        }
        o.push_str("</ul>\n");
    }
    o.push_str(&key_html(p));
    o.push_str("<div class=\"charts\">\n");
    let clients = super::render::client_names(p.rows);
    for (i, f) in FIGURES.iter().enumerate() {
        if i == 1 && !clients.is_empty() {
            // Time without an acknowledged write, one chart per client: the clients' stories
            // differ (one may be stuck with the old master while another follows the failover).
            for c in &clients {
                let title = format!("Longest time {c} went without an acknowledged write");
                let read = |r: &ComboResult| {
                    let d = r.clients.iter().find(|x| &x.client == c)?.max_ms;
                    secs_pair(&d)
                };
                o.push_str(&chart(p, &title, f.unit, &read));
            }
        } else {
            o.push_str(&chart(p, f.title, f.unit, &f.read));
        }
    }
    o.push_str("</div>\n<h2>Every combination</h2>\n");
    let _ = writeln!(o, "<pre>{}</pre>", esc(p.table));
    let _ = writeln!(o, "<p>{}</p>", esc(super::render::LEGEND));
    o.push_str("</body></html>\n");
    o
}

/// The series: one per combination of the keys after the first (a single series without them).
fn series(p: &Page) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in p.rows {
        let name = series_name(r);
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

fn series_name(r: &ComboResult) -> String {
    let rest: Vec<String> = r.settings.iter().skip(1).map(|(k, v)| format!("{k}={v}")).collect();
    if rest.is_empty() {
        "all runs".into()
    } else {
        rest.join(", ")
    }
}

fn key_html(p: &Page) -> String {
    let mut o = String::from("<p class=\"key\">");
    for (i, s) in series(p).iter().enumerate() {
        let _ = write!(
            o,
            "<span><svg width=\"22\" height=\"10\"><line x1=\"0\" y1=\"5\" x2=\"22\" y2=\"5\" stroke=\"{}\" stroke-width=\"3\"/></svg> {}</span>",
            COLOURS[i % COLOURS.len()],
            esc(s)
        );
    }
    o.push_str("<span>solid: median; dashed: p99 (over the seeds)</span></p>\n");
    o
}

/// One chart as an inline SVG in a figure: `read` gives a row's (median, p99).
fn chart(p: &Page, title: &str, unit: &str, read: &dyn Fn(&ComboResult) -> Point) -> String {
    let xs = &p.values[0];
    let names = series(p);
    // (series, x index, p50, p99)
    let mut points: Vec<(usize, usize, f64, Option<f64>)> = Vec::new();
    for r in p.rows {
        let Some(xi) = xs.iter().position(|x| *x == r.settings[0].1) else {
            continue;
        };
        let Some(si) = names.iter().position(|n| *n == series_name(r)) else {
            continue;
        };
        if let Some((a, b)) = read(r) {
            points.push((si, xi, a, b));
        }
    }
    let y_max = points
        .iter()
        .map(|&(_, _, a, b)| a.max(b.unwrap_or(0.0)))
        .fold(0.0_f64, f64::max);
    let (top, step) = nice_axis(y_max);
    let x_at = |i: usize| {
        let span = W - LEFT - RIGHT;
        if xs.len() == 1 {
            LEFT + span / 2.0
        } else {
            LEFT + span * i as f64 / (xs.len() - 1) as f64
        }
    };
    let y_at = |v: f64| TOP + (H - TOP - BOTTOM) * (1.0 - v / top);
    let mut o = String::new();
    let _ = write!(
        o,
        "<figure><figcaption>{} ({})</figcaption><svg width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" role=\"img\">",
        esc(title),
        esc(unit)
    );
    axes(&mut o, p, xs, top, step, &x_at, &y_at);
    if points.is_empty() {
        let _ = write!(
            o,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#888\">nothing measured</text>",
            (LEFT + W - RIGHT) / 2.0,
            H / 2.0
        );
    }
    for (si, _) in names.iter().enumerate() {
        let colour = COLOURS[si % COLOURS.len()];
        let mut mine: Vec<&(usize, usize, f64, Option<f64>)> = points.iter().filter(|p| p.0 == si).collect();
        mine.sort_by_key(|p| p.1);
        // Series side by side by a few pixels, so that equal values do not hide each other.
        let dodge = (si as f64 - (names.len() as f64 - 1.0) / 2.0) * 4.0;
        let p50: Vec<(f64, f64)> = mine.iter().map(|p| (x_at(p.1) + dodge, y_at(p.2))).collect();
        let p99: Vec<(f64, f64)> = mine
            .iter()
            .filter_map(|p| Some((x_at(p.1) + dodge, y_at(p.3?))))
            .collect();
        polyline(&mut o, &p50, colour, "");
        polyline(&mut o, &p99, colour, " stroke-dasharray=\"5 4\" stroke-opacity=\"0.7\"");
        for (&(x, y), q) in p50.iter().zip(&mine) {
            let _ = write!(
                o,
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3.5\" fill=\"{colour}\"><title>{}: {}</title></circle>",
                esc(&format!("{}={}, {}", p.keys[0], xs[q.1], names[si])),
                fmt_num(q.2) + &q.3.map(|v| format!(" (p99 {})", fmt_num(v))).unwrap_or_default()
            );
        }
    }
    o.push_str("</svg></figure>\n");
    o
}

fn polyline(o: &mut String, pts: &[(f64, f64)], colour: &str, extra: &str) {
    if pts.len() < 2 {
        return;
    }
    let d: Vec<String> = pts.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
    let _ = write!(
        o,
        "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"{extra}/>",
        d.join(" ")
    );
}

fn axes(
    o: &mut String,
    p: &Page,
    xs: &[String],
    top: f64,
    step: f64,
    x_at: &dyn Fn(usize) -> f64,
    y_at: &dyn Fn(f64) -> f64,
) {
    let (x0, x1, y0) = (LEFT, W - RIGHT, H - BOTTOM);
    let _ = write!(
        o,
        "<line x1=\"{x0}\" y1=\"{y0}\" x2=\"{x1}\" y2=\"{y0}\" stroke=\"#444\"/><line x1=\"{x0}\" y1=\"{TOP}\" x2=\"{x0}\" y2=\"{y0}\" stroke=\"#444\"/>"
    );
    let mut v = 0.0;
    while v <= top + step / 2.0 {
        let y = y_at(v);
        let _ = write!(
            o,
            "<line x1=\"{x0}\" y1=\"{y:.1}\" x2=\"{x1}\" y2=\"{y:.1}\" stroke=\"#eee\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"11\">{}</text>",
            x0 - 4.0,
            y + 4.0,
            fmt_num(v)
        );
        v += step;
    }
    for (i, x) in xs.iter().enumerate() {
        let _ = write!(
            o,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"11\">{}</text>",
            x_at(i),
            y0 + 15.0,
            esc(x)
        );
    }
    let _ = write!(
        o,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"12\">{}</text>",
        (x0 + x1) / 2.0,
        H - 8.0,
        esc(&p.keys[0])
    );
}

/// An axis top and tick step: 1, 2 or 5 × 10^k, about 5 ticks; 1 for an empty chart.
fn nice_axis(max: f64) -> (f64, f64) {
    if max <= 0.0 || !max.is_finite() {
        return (1.0, 0.2);
    }
    let raw = max / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    ((max / step).ceil() * step, step)
}

fn fmt_num(v: f64) -> String {
    if v == v.trunc() && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_are_round() {
        assert_eq!(nice_axis(0.0), (1.0, 0.2));
        assert_eq!(nice_axis(9.0), (10.0, 2.0));
        assert_eq!(nice_axis(842.0), (1000.0, 200.0));
        assert_eq!(nice_axis(0.31), (0.4, 0.1));
        assert_eq!(fmt_num(3.0), "3");
        assert_eq!(fmt_num(3.25), "3.25");
    }
}
