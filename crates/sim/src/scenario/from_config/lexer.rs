//! Config file text → lines of arguments, as Redis 7.0 reads redis.conf and sentinel.conf: one
//! directive per line, `#` starts a comment line, arguments separated by spaces, `"double"` quotes
//! with `\n \r \t \b \a \xHH` escapes and `'single'` quotes with `\'`. Each argument keeps its
//! column so that later errors can point at it. The splitting agrees with
//! `sentinel_core::config::split_args` (tested), which has no positions to report.

use super::FromConfigError;

/// Files larger than this are refused: real configs are a few kilobytes.
pub const MAX_FILE_BYTES: usize = 1 << 20;
/// Lines beyond this are refused (a bound on the work and on the listing of dropped directives).
pub const MAX_LINES: usize = 20_000;

/// One argument: its text and its 1-based column (in characters) on the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    pub text: String,
    pub col: usize,
}

/// One directive line: its 1-based line number and its arguments (at least one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub no: usize,
    pub args: Vec<Arg>,
}

impl Line {
    /// The directive name, lower-cased (Redis compares names case-insensitively).
    pub fn name(&self) -> String {
        self.args[0].text.to_ascii_lowercase()
    }
}

/// The directive lines of a file (blank lines and comments left out).
pub fn lex(file: &str, text: &str) -> Result<Vec<Line>, FromConfigError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(FromConfigError::file(
            file,
            format!(
                "{} bytes is more than the {MAX_FILE_BYTES} a config file may have here",
                text.len()
            ),
        ));
    }
    let mut out = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        if i >= MAX_LINES {
            return Err(FromConfigError::file(
                file,
                format!("more than {MAX_LINES} lines: is this a config file?"),
            ));
        }
        let line = raw.trim_matches(|c| matches!(c, ' ' | '\t' | '\r'));
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let lead = raw.len() - raw.trim_start_matches([' ', '\t', '\r']).len();
        let args = split(line).map_err(|(col, msg)| FromConfigError::at(file, i + 1, col + lead, msg))?;
        let args: Vec<Arg> = args.into_iter().map(|a| Arg { col: a.col + lead, ..a }).collect();
        if !args.is_empty() {
            out.push(Line { no: i + 1, args });
        }
    }
    Ok(out)
}

/// C `isspace`, the separator of Redis' argument splitting.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{b}' | '\u{c}' | '\r')
}

/// Splits one trimmed line; on error the 1-based column of the offending quote and why.
fn split(line: &str) -> Result<Vec<Arg>, (usize, String)> {
    let chars: Vec<char> = line.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if is_space(chars[i]) {
            i += 1;
            continue;
        }
        let start = i;
        let (text, next) = one_arg(&chars, i)?;
        out.push(Arg { text, col: start + 1 });
        i = next;
    }
    Ok(out)
}

/// One argument from `i`: its text and the index after it.
fn one_arg(c: &[char], mut i: usize) -> Result<(String, usize), (usize, String)> {
    let mut cur = String::new();
    while i < c.len() && !is_space(c[i]) {
        match c[i] {
            '"' => i = double_quoted(c, i, &mut cur)?,
            '\'' => i = single_quoted(c, i, &mut cur)?,
            ch => {
                cur.push(ch);
                i += 1;
            }
        }
    }
    Ok((cur, i))
}

/// A closing quote must end the argument, as in Redis.
fn after_close(c: &[char], close: usize) -> Result<usize, (usize, String)> {
    match c.get(close + 1) {
        Some(&n) if !is_space(n) => Err((
            close + 2,
            "a closing quote must be followed by a space or the end of the line".to_string(),
        )),
        _ => Ok(close + 1),
    }
}

/// A `"..."` argument part starting at the quote `open`; the index after the closing quote.
fn double_quoted(c: &[char], open: usize, cur: &mut String) -> Result<usize, (usize, String)> {
    let mut i = open + 1;
    let unbalanced = || (open + 1, "unbalanced quotes: this \" is never closed".to_string());
    loop {
        let ch = *c.get(i).ok_or_else(unbalanced)?;
        if ch == '\\'
            && i + 3 < c.len()
            && c[i + 1] == 'x'
            && c[i + 2].is_ascii_hexdigit()
            && c[i + 3].is_ascii_hexdigit()
        {
            let hex: String = c[i + 2..i + 4].iter().collect();
            // A byte; non-ASCII bytes cannot be text here and are shown as U+00XX.
            cur.push(char::from(u8::from_str_radix(&hex, 16).unwrap_or(b'?')));
            i += 4;
        } else if ch == '\\' && i + 1 < c.len() {
            cur.push(match c[i + 1] {
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                'b' => '\u{8}',
                'a' => '\u{7}',
                other => other,
            });
            i += 2;
        } else if ch == '"' {
            return after_close(c, i);
        } else {
            cur.push(ch);
            i += 1;
        }
    }
}

/// A `'...'` argument part starting at the quote `open`; only `\'` is an escape.
fn single_quoted(c: &[char], open: usize, cur: &mut String) -> Result<usize, (usize, String)> {
    let mut i = open + 1;
    loop {
        let ch = *c
            .get(i)
            .ok_or_else(|| (open + 1, "unbalanced quotes: this ' is never closed".to_string()))?;
        if ch == '\\' && c.get(i + 1) == Some(&'\'') {
            cur.push('\'');
            i += 2;
        } else if ch == '\'' {
            return after_close(c, i);
        } else {
            cur.push(ch);
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(line: &str) -> Vec<String> {
        split(line).unwrap().into_iter().map(|a| a.text).collect()
    }

    #[test]
    fn plain_quoted_and_escaped_arguments() {
        assert_eq!(texts("port   6379"), ["port", "6379"]);
        assert_eq!(texts(r#"logfile "/var/log/a b.log""#), ["logfile", "/var/log/a b.log"]);
        assert_eq!(texts(r#"requirepass "a\"b\n\x41""#), ["requirepass", "a\"b\nA"]);
        assert_eq!(texts(r"requirepass 'it\'s'"), ["requirepass", "it's"]);
        assert_eq!(texts(r#"save """#), ["save", ""]);
        // A quote may start in the middle of an argument, as in Redis.
        assert_eq!(texts(r#"dir ab"c d""#), ["dir", "abc d"]);
    }

    #[test]
    fn columns_point_at_arguments_and_bad_quotes() {
        let a = split(r#"sentinel  monitor m "x"#);
        assert_eq!(a, Err((21, "unbalanced quotes: this \" is never closed".to_string())));
        let a = split("bind 'a'b").unwrap_err();
        assert_eq!(a.0, 9);
        let ok = split("sentinel monitor  m").unwrap();
        assert_eq!(ok.iter().map(|a| a.col).collect::<Vec<_>>(), [1, 10, 19]);
    }

    #[test]
    fn comments_blank_lines_and_line_numbers() {
        let text = "# a comment\n\n   port 7000\r\n  # indented comment\nBIND 127.0.0.1\n";
        let lines = lex("f.conf", text).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(
            (lines[0].no, lines[0].name(), lines[0].args[0].col),
            (3, "port".to_string(), 4)
        );
        assert_eq!((lines[1].no, lines[1].name()), (5, "bind".to_string()));
        let e = lex("f.conf", "port 1\n  dir \"x\n").unwrap_err();
        assert_eq!(e.to_string(), "f.conf:2:7: unbalanced quotes: this \" is never closed");
    }

    #[test]
    fn bounds() {
        let big = "#".repeat(MAX_FILE_BYTES + 1);
        assert!(lex("f", &big).unwrap_err().to_string().contains("bytes"));
        let many = "\n".repeat(MAX_LINES + 1);
        assert!(lex("f", &many).unwrap_err().to_string().contains("lines"));
    }

    #[test]
    fn agrees_with_the_sentinel_loaders_splitting() {
        let lines = [
            "a b  c",
            r#"a "b c" d"#,
            r#"a "\x41\x4a\t" 'q\'r' "#,
            r#"a "b"c"#,
            r#"a 'b"#,
            r#"a "b\"#,
            r#"x"y z" w"#,
        ];
        for l in lines {
            let ours = split(l)
                .ok()
                .map(|v| v.into_iter().map(|a| a.text.into_bytes()).collect::<Vec<_>>());
            let theirs = sentinel_core::config::split_args(l.as_bytes());
            assert_eq!(ours, theirs, "{l:?}");
        }
    }
}
