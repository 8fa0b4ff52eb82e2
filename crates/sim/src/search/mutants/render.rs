//! The mutants table, as text for the terminal and as Markdown (`table.md`, for the README).

use super::outcome::{Catch, DetectedFrom, MutantOutcome};
use crate::duration::secs;

/// The name of the un-mutated build in the table.
pub const NONE: &str = "none";

/// `caught` / `ESCAPED` for a mutant; `clean` / `FAILED` for the real Sentinel.
pub fn verdict(o: &MutantOutcome) -> &'static str {
    match (o.name == NONE, o.caught()) {
        (true, false) if o.fuzz_error().is_some() => "INCOMPLETE",
        (true, false) => "clean",
        (true, true) => "FAILED",
        (false, true) => "caught",
        (false, false) if o.fuzz_error().is_some() => "INCOMPLETE",
        (false, false) => "ESCAPED",
    }
}

fn where_(c: &Catch) -> String {
    match c.fuzz_case {
        Some(n) => format!("fuzz case {n}"),
        None => format!("{} seed {}", c.scenario, c.seed),
    }
}

fn detected(c: &Catch) -> String {
    let mark = match c.detected_from {
        DetectedFrom::Evidence => "",
        DetectedFrom::RunEnd => " (end)",
        DetectedFrom::RunError => " (error)",
    };
    format!("{}{mark}", secs(c.detected_ms))
}

fn fuzz_cell(o: &MutantOutcome) -> String {
    let Some(f) = &o.fuzz else { return "-".into() };
    if let Some(e) = &f.error {
        return format!("error: {e}");
    }
    match &f.caught {
        None => format!("none in {} cases", f.cases),
        Some(c) => format!(
            "case {}: {}, shrunk to {}",
            c.fuzz_case.unwrap_or(0),
            c.check,
            match c.shrunk_actions {
                Some(1) => "1 action".to_string(),
                Some(n) => format!("{n} actions"),
                None => "? actions".to_string(),
            }
        ),
    }
}

/// The cells of one row: mutant, verdict, first check, where, detected, fuzz.
fn cells(o: &MutantOutcome) -> [String; 6] {
    let c = o.first_catch();
    [
        o.name.clone(),
        verdict(o).to_string(),
        c.map_or("-".into(), |c| c.check.clone()),
        c.map_or("-".into(), where_),
        c.map_or("-".into(), detected),
        fuzz_cell(o),
    ]
}

const HEADER: [&str; 6] = ["mutant", "verdict", "first check", "caught in", "detected at", "fuzzer"];

/// Aligned text columns.
pub fn render_text(rows: &[MutantOutcome]) -> String {
    let table: Vec<[String; 6]> = rows.iter().map(cells).collect();
    let mut width = HEADER.map(|h| h.chars().count());
    for r in &table {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |r: &[String]| {
        let mut s = String::new();
        for (i, (c, w)) in r.iter().zip(width).enumerate() {
            if i + 1 == r.len() {
                s.push_str(c);
            } else {
                s.push_str(&format!("{c:<w$}  "));
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = line(&HEADER.map(String::from));
    for r in &table {
        out.push_str(&line(r));
    }
    out
}

/// A Markdown table.
pub fn render_markdown(rows: &[MutantOutcome]) -> String {
    let mut out = format!("| {} |\n|{}\n", HEADER.join(" | "), "---|".repeat(HEADER.len()));
    for o in rows {
        let r = cells(o).map(|c| c.replace('|', "\\|"));
        out.push_str(&format!("| {} |\n", r.join(" | ")));
    }
    out
}

/// The closing lines: what escaped, and whether the real Sentinel was clean.
pub fn render_verdict(baseline: &MutantOutcome, mutants: &[MutantOutcome]) -> String {
    let mut out = String::new();
    let caught = mutants.iter().filter(|o| o.caught()).count();
    out.push_str(&format!("caught {caught} of {} mutants\n", mutants.len()));
    let escaped: Vec<&str> = mutants
        .iter()
        .filter(|o| !o.caught())
        .map(|o| o.name.as_str())
        .collect();
    if !escaped.is_empty() {
        out.push_str(&format!("ESCAPED (no check failed): {}\n", escaped.join(", ")));
    }
    if baseline.caught() {
        out.push_str("the un-mutated build FAILED with this budget: a false alarm or a real bug (see above)\n");
    }
    out
}
