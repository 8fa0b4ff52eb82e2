//! Splitting an inline request into arguments with the quoting rules of Redis' `sdssplitargs`
//! (what `redis-server` applies to a line typed in `telnet`): blanks separate arguments;
//! `"..."` understands `\xHH`, `\n`, `\r`, `\t`, `\b`, `\a` and `\<any>` (that character);
//! `'...'` only understands `\'`; a quote may start mid-argument (`a"b"` is `ab`), but a closing
//! quote ends the argument and must be followed by a blank or the end of the line.
//!
//! The C code sees a NUL byte as the end of the string; [`byte_at`] reproduces that by reading NUL
//! past the end, and a NUL inside the line ends it the same way. (The inline parser never passes
//! a NUL here anyway: Redis does not find a line end past one, see `crate::command`.)

/// The byte at `i`, NUL past the end: the C code's view of a NUL-terminated string.
fn byte_at(line: &[u8], i: usize) -> u8 {
    line.get(i).copied().unwrap_or(0)
}

/// C's `isspace` in the "C" locale: what separates arguments and may follow a closing quote.
fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// What may follow a closing quote: a blank, or the end of the line.
fn may_follow_quote(b: u8) -> bool {
    b == 0 || is_blank(b)
}

fn hex_value(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Reads a `"..."` section whose opening quote is just before `i`, appending the unescaped bytes
/// to `arg`. Returns the position after the closing quote, or `None` when the quotes are
/// unbalanced (no closing quote, or one followed by something other than a blank).
fn read_double_quoted(line: &[u8], mut i: usize, arg: &mut Vec<u8>) -> Option<usize> {
    loop {
        match byte_at(line, i) {
            0 => return None,
            b'"' => return may_follow_quote(byte_at(line, i + 1)).then_some(i + 1),
            b'\\' if byte_at(line, i + 1) == b'x' => {
                if let (Some(hi), Some(lo)) = (hex_value(byte_at(line, i + 2)), hex_value(byte_at(line, i + 3))) {
                    arg.push(hi * 16 + lo);
                    i += 4;
                } else {
                    // Not a valid `\xHH`: an escaped `x` like any other `\<char>`.
                    arg.push(b'x');
                    i += 2;
                }
            }
            b'\\' if byte_at(line, i + 1) != 0 => {
                arg.push(match byte_at(line, i + 1) {
                    b'n' => b'\n',
                    b'r' => b'\r',
                    b't' => b'\t',
                    b'b' => 0x08,
                    b'a' => 0x07,
                    other => other,
                });
                i += 2;
            }
            other => {
                arg.push(other);
                i += 1;
            }
        }
    }
}

/// Reads a `'...'` section whose opening quote is just before `i` (see [`read_double_quoted`]).
fn read_single_quoted(line: &[u8], mut i: usize, arg: &mut Vec<u8>) -> Option<usize> {
    loop {
        match byte_at(line, i) {
            0 => return None,
            b'\\' if byte_at(line, i + 1) == b'\'' => {
                arg.push(b'\'');
                i += 2;
            }
            b'\'' => return may_follow_quote(byte_at(line, i + 1)).then_some(i + 1),
            other => {
                arg.push(other);
                i += 1;
            }
        }
    }
}

/// Reads one argument starting at the non-blank `i`; returns it and the position after it.
fn read_arg(line: &[u8], mut i: usize) -> Option<(Vec<u8>, usize)> {
    let mut arg = Vec::new();
    loop {
        match byte_at(line, i) {
            // Only these end an unquoted argument (vertical tab and form feed do not, although
            // they are skipped as blanks between arguments).
            b' ' | b'\n' | b'\r' | b'\t' | 0 => return Some((arg, i)),
            b'"' => return read_double_quoted(line, i + 1, &mut arg).map(|end| (arg, end)),
            b'\'' => return read_single_quoted(line, i + 1, &mut arg).map(|end| (arg, end)),
            other => {
                arg.push(other);
                i += 1;
            }
        }
    }
}

/// Splits an inline request line (without its line ending) into arguments. `None` means
/// unbalanced quotes. An empty or blank line gives no arguments.
pub(crate) fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut args = Vec::new();
    let mut i = 0;
    loop {
        while byte_at(line, i) != 0 && is_blank(byte_at(line, i)) {
            i += 1;
        }
        if byte_at(line, i) == 0 {
            return Some(args);
        }
        let (arg, next) = read_arg(line, i)?;
        args.push(arg);
        i = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(line: &str) -> Option<Vec<String>> {
        split_args(line.as_bytes()).map(|args| args.into_iter().map(|a| String::from_utf8_lossy(&a).into()).collect())
    }

    fn ok(line: &str, want: &[&str]) {
        assert_eq!(
            split(line),
            Some(want.iter().map(|s| s.to_string()).collect()),
            "{line:?}"
        );
    }

    #[test]
    fn splits_on_blanks() {
        ok("", &[]);
        ok("   \t ", &[]);
        ok("set  a\tb", &["set", "a", "b"]);
        // Vertical tab and form feed are skipped between arguments but do not end one.
        ok("\x0ba\x0bb c", &["a\x0bb", "c"]);
        ok("a\x0c", &["a\x0c"]);
    }

    #[test]
    fn double_quotes_and_escapes() {
        ok(r#"set "hello world" x"#, &["set", "hello world", "x"]);
        ok(r#""a\x41\x4a\x4Az""#, &["aAJJz"]);
        ok(r#""\n\r\t\b\a\\\"\q""#, &["\n\r\t\x08\x07\\\"q"]);
        // An invalid hex escape is just an escaped `x`.
        ok(r#""\xZZ" "\x4""#, &["xZZ", "x4"]);
        ok(r#""""#, &[""]);
        ok(r#"ab"cd" e"#, &["abcd", "e"]);
        ok("\"a\"\x0bb", &["a", "b"]);
        let bytes = split_args(br#""\xff\x00""#).unwrap();
        assert_eq!(bytes, vec![vec![0xff, 0x00]]);
    }

    #[test]
    fn single_quotes() {
        ok(r"'it\'s' 'a\nb'", &["it's", r"a\nb"]);
        ok("''", &[""]);
        ok(r#"'say "hi"'"#, &[r#"say "hi""#]);
    }

    #[test]
    fn unbalanced_quotes() {
        for line in [
            r#""abc"#,
            r#""abc"def"#,
            "'abc",
            "'abc'def",
            r#"x "a\"#,
            r#""a\""#,
            r"'a\'",
        ] {
            assert_eq!(split(line), None, "{line:?}");
        }
    }
}
