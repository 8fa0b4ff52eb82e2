//! Scenario file errors: `file:line:col: field: message`, with the field's TOML path found from the
//! byte offset serde reports.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

/// A scenario file error: `file:line:col: field: message` (line and column are 1-based; 0 when
/// unknown, e.g. an unreadable file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    pub file: String,
    pub line: usize,
    pub col: usize,
    /// The field's path, e.g. `timeline[2].node`, `master.quorum` (empty when not about a field).
    pub field: String,
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:", self.file)?;
        if self.line > 0 {
            write!(f, "{}:{}:", self.line, self.col)?;
        }
        if !self.field.is_empty() {
            write!(f, " {}:", self.field)?;
        }
        write!(f, " {}", self.message)
    }
}

impl std::error::Error for ScenarioError {}

/// Byte offset → 1-based (line, column in characters).
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut off = offset.min(text.len());
    while !text.is_char_boundary(off) {
        off -= 1;
    }
    let before = &text[..off];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let col = text[line_start..off].chars().count() + 1;
    (line, col)
}

/// The TOML location of a byte offset, found by scanning the text: the table (`timeline[2]`, from
/// the last header before it, array-of-table headers counted) and the key (`node`) of the
/// `key = value` line it is on, or of the nearest such line above it (values spanning lines).
/// The key is None when the offset is on a table header.
fn location_at(text: &str, offset: usize) -> (String, Option<String>) {
    let mut table = String::new();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut key: Option<String> = None;
    let mut depth: i64 = 0; // open brackets of a value spanning lines
    let mut pos = 0;
    for raw_line in text.split_inclusive('\n') {
        pos += raw_line.len();
        let line = raw_line.trim();
        if depth > 0 {
            depth += bracket_balance(line);
        } else if let Some(h) = line.strip_prefix("[[") {
            let h = h.split("]]").next().unwrap_or("").trim().to_string();
            let n = counts.entry(h.clone()).or_insert(0);
            table = format!("{h}[{n}]");
            *n += 1;
            key = None;
        } else if let Some(h) = line.strip_prefix('[') {
            table = h.split(']').next().unwrap_or("").trim().to_string();
            key = None;
        } else if let Some(k) = line_key(line) {
            key = Some(k);
            depth = bracket_balance(line.split_once('=').map(|x| x.1).unwrap_or("")).max(0);
        }
        if offset < pos {
            break;
        }
    }
    (table, key)
}

/// Opening minus closing brackets outside strings and comments.
fn bracket_balance(s: &str) -> i64 {
    let mut n = 0;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in s.chars() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' && q == '"' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '"' | '\'' => quote = Some(c),
                '[' | '{' => n += 1,
                ']' | '}' => n -= 1,
                '#' => break,
                _ => {}
            },
        }
    }
    n
}

/// The dotted path (`timeline[2].node`, `master`) of the key or table at a byte offset.
fn path_at(text: &str, offset: usize) -> String {
    match location_at(text, offset) {
        (t, Some(k)) if t.is_empty() => k,
        (t, Some(k)) => format!("{t}.{k}"),
        (t, None) => t,
    }
}

/// The bare key at the start of a `key = value` line.
fn line_key(line: &str) -> Option<String> {
    let (k, _) = line.split_once('=')?;
    let k = k.trim();
    let bare = !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.');
    let quoted = k.len() >= 2 && k.starts_with('"') && k.ends_with('"');
    (bare || quoted).then(|| k.trim_matches('"').to_string())
}

/// The text being parsed and its file name, for locating errors.
pub struct Ctx<'a> {
    pub text: &'a str,
    pub file: &'a str,
}

impl Ctx<'_> {
    pub fn err(&self, span: Range<usize>, field: impl Into<String>, message: impl Into<String>) -> ScenarioError {
        let (line, col) = line_col(self.text, span.start);
        ScenarioError {
            file: self.file.to_string(),
            line,
            col,
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn toml_error(&self, e: toml::de::Error) -> ScenarioError {
        let message = e.message().trim().to_string();
        let Some(span) = e.span() else {
            return ScenarioError {
                file: self.file.to_string(),
                line: 0,
                col: 0,
                field: String::new(),
                message,
            };
        };
        // A missing field is reported at its table (the whole document for a top-level one).
        let field = match message
            .strip_prefix("missing field `")
            .and_then(|r| r.split('`').next())
        {
            Some(name) => {
                let table = if span.start == 0 && span.end == 0 {
                    String::new()
                } else {
                    path_at(self.text, span.start)
                };
                if table.is_empty() {
                    name.to_string()
                } else {
                    format!("{table}.{name}")
                }
            }
            None => path_at(self.text, span.start),
        };
        self.err(span, field, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let t = "a = 1\nbé = \"x\"\n";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 6), (2, 1));
        let off = t.find("\"x\"").unwrap();
        assert_eq!(line_col(t, off), (2, 6));
        assert_eq!(line_col(t, 10_000), (3, 1));
    }

    #[test]
    fn path_at_names_tables_and_keys() {
        let t = "duration = \"1s\"\n[master]\nquorum = 2\n[[timeline]]\nat = 1\n[[timeline]]\nat = 2\ngroups = [\n  [\"a\"],\n]\n";
        assert_eq!(path_at(t, 2), "duration");
        assert_eq!(path_at(t, t.find("quorum").unwrap() + 9), "master.quorum");
        assert_eq!(path_at(t, t.find("at = 2").unwrap()), "timeline[1].at");
        assert_eq!(path_at(t, t.find("[\"a\"]").unwrap()), "timeline[1].groups");
        assert_eq!(path_at(t, t.find("[master]").unwrap()), "master");
        assert_eq!(path_at(t, t.rfind("[[timeline]]").unwrap()), "timeline[1]");
    }
}
