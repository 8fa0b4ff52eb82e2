//! Byte-level helpers shared by the loader and the rewrite: Redis' argument splitting
//! (`sdssplitargs`), its quoting (`sdscatrepr`) and the C number parsers whose leniency the
//! `sentinel` directives inherit (`atoi`, `strtoull`).

/// C `isspace`: what `sdssplitargs` treats as a separator.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Trims `" \t\r\n"` from both ends, as the loader does before looking at a line.
pub(crate) fn trim(line: &[u8]) -> &[u8] {
    let t = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let start = line.iter().position(|b| !t(b)).unwrap_or(line.len());
    let end = line.iter().rposition(|b| !t(b)).map_or(start, |e| e + 1);
    &line[start..end]
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Splits a config line like Redis' `sdssplitargs`: whitespace separated, "double" quotes (with
/// `\n \r \t \b \a \xHH` escapes) and 'single' quotes (with `\'`). None on unbalanced quotes or
/// a closing quote not followed by a space.
pub fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    let b = line;
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        if i >= b.len() {
            return Some(out);
        }
        let (arg, next) = split_one(b, i)?;
        out.push(arg);
        i = next;
    }
}

/// One argument starting at `i`: the argument and the index after it.
fn split_one(b: &[u8], mut i: usize) -> Option<(Vec<u8>, usize)> {
    let mut cur = Vec::new();
    let (mut inq, mut insq) = (false, false);
    loop {
        if inq {
            let c = *b.get(i)?;
            if c == b'\\' && i + 3 < b.len() && b[i + 1] == b'x' && hex(b[i + 2]).is_some() && hex(b[i + 3]).is_some() {
                cur.push(hex(b[i + 2])? * 16 + hex(b[i + 3])?);
                i += 3;
            } else if c == b'\\' && i + 1 < b.len() {
                i += 1;
                cur.push(match b[i] {
                    b'n' => b'\n',
                    b'r' => b'\r',
                    b't' => b'\t',
                    b'b' => 8,
                    b'a' => 7,
                    c => c,
                });
            } else if c == b'"' {
                // The closing quote must be followed by a space or nothing.
                if i + 1 < b.len() && !is_space(b[i + 1]) {
                    return None;
                }
                return Some((cur, i + 1));
            } else {
                cur.push(c);
            }
        } else if insq {
            let c = *b.get(i)?;
            if c == b'\\' && i + 1 < b.len() && b[i + 1] == b'\'' {
                i += 1;
                cur.push(b'\'');
            } else if c == b'\'' {
                if i + 1 < b.len() && !is_space(b[i + 1]) {
                    return None;
                }
                return Some((cur, i + 1));
            } else {
                cur.push(c);
            }
        } else {
            match b.get(i) {
                None => return Some((cur, i)),
                Some(&c) if is_space(c) => return Some((cur, i)),
                Some(b'"') => inq = true,
                Some(b'\'') => insq = true,
                Some(&c) => cur.push(c),
            }
        }
        i += 1;
    }
}

/// True when `s` can be written bare: it splits back to itself as one argument.
fn is_plain(s: &[u8]) -> bool {
    !s.is_empty()
        && s.iter()
            .all(|&b| b.is_ascii_graphic() && b != b'"' && b != b'\'' && b != b'\\')
}

/// Quotes a value as `sdscatrepr` does (escapes, `\xHH` for other bytes) when it would not
/// split back to itself bare; plain values are written as they are (the existing layout).
pub fn repr(s: &[u8]) -> String {
    if is_plain(s) {
        return String::from_utf8_lossy(s).into_owned();
    }
    let mut out = String::from("\"");
    for &c in s {
        match c {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            7 => out.push_str("\\a"),
            8 => out.push_str("\\b"),
            c if c.is_ascii_graphic() || c == b' ' => out.push(c as char),
            c => out.push_str(&format!("\\x{c:02x}")),
        }
    }
    out.push('"');
    out
}

/// C `strtol`'s prefix parse (leading spaces, sign, digits; saturating), the base of `atoi`.
fn strtol_prefix(s: &[u8]) -> (i128, bool) {
    let mut i = s.iter().take_while(|&&b| is_space(b)).count();
    let neg = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let mut v: i128 = 0;
    for &b in s[i..].iter().take_while(|b| b.is_ascii_digit()) {
        v = (v * 10 + i128::from(b - b'0')).min(i128::from(u64::MAX) + 1);
    }
    (v, neg)
}

/// C `atoi` as glibc implements it (`(int) strtol(s)`): garbage gives 0, never an error.
pub(crate) fn atoi(s: &[u8]) -> i32 {
    let (v, neg) = strtol_prefix(s);
    let v = if neg { -v } else { v };
    v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64 as i32
}

/// C `strtoull(s, NULL, 10)`: garbage gives 0, a minus sign wraps, overflow saturates.
pub(crate) fn strtoull(s: &[u8]) -> u64 {
    let (v, neg) = strtol_prefix(s);
    if v > i128::from(u64::MAX) {
        return u64::MAX;
    }
    let v = v as u64;
    if neg {
        v.wrapping_neg()
    } else {
        v
    }
}

/// C `strtoll(s, &end, 10)` that must consume the whole string (`*end == '\0'`).
pub(crate) fn strtoll_full(s: &[u8]) -> Option<i64> {
    let digits_at = s.iter().take_while(|&&b| is_space(b)).count()
        + usize::from(matches!(s.iter().find(|&&b| !is_space(b)), Some(b'-' | b'+')));
    let rest = &s[digits_at..];
    if rest.is_empty() || !rest.iter().all(u8::is_ascii_digit) {
        // strtoll with no digits leaves end at the start: only "" passes the end check.
        return if s.is_empty() { Some(0) } else { None };
    }
    let (v, neg) = strtol_prefix(s);
    let v = if neg { -v } else { v };
    Some(v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64)
}

/// Redis' strict `string2ll`: optional `-`, no `+`, no leading zeros, no spaces, no overflow.
pub(crate) fn string2ll(s: &[u8]) -> Option<i64> {
    let digits = s.strip_prefix(b"-").unwrap_or(s);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) || (digits[0] == b'0' && s != b"0") {
        return None;
    }
    std::str::from_utf8(s).ok()?.parse().ok()
}

/// Redis' `memtoull`: digits with an optional unit (b, k, kb, m, mb, g, gb, any case).
pub(crate) fn memtoull(s: &[u8]) -> Option<u64> {
    if s.first() == Some(&b'-') {
        return None;
    }
    let n = s.iter().take_while(|b| b.is_ascii_digit()).count();
    let unit = s[n..].to_ascii_lowercase();
    let mul: u64 = match unit.as_slice() {
        b"" | b"b" => 1,
        b"k" => 1000,
        b"kb" => 1024,
        b"m" => 1000 * 1000,
        b"mb" => 1024 * 1024,
        b"g" => 1000 * 1000 * 1000,
        b"gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    if n >= 128 {
        return None;
    }
    Some(strtoull(&s[..n]).wrapping_mul(mul))
}

/// Redis' `yesnotoi`.
pub(crate) fn yes_no(s: &[u8]) -> Option<bool> {
    if s.eq_ignore_ascii_case(b"yes") {
        Some(true)
    } else if s.eq_ignore_ascii_case(b"no") {
        Some(false)
    } else {
        None
    }
}
