//! Small helpers: `ctime`-style dates (UTC; Redis prints local time) and Redis' glob matcher.

/// `Mon Nov 23 08:04:03 2026` for a Unix time in seconds (UTC).
pub fn ctime(unix_s: i64) -> String {
    let days = unix_s.div_euclid(86_400);
    let secs = unix_s.rem_euclid(86_400);
    let (y, mo, d) = civil_from_days(days);
    let wd = (days + 4).rem_euclid(7) as usize; // 1970-01-01 was a Thursday
    const WD: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MO: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{} {} {:2} {:02}:{:02}:{:02} {}",
        WD[wd],
        MO[(mo - 1) as usize],
        d,
        secs / 3600,
        (secs / 60) % 60,
        secs % 60,
        y
    )
}

/// Days since 1970-01-01 to (year, month 1..12, day 1..31) — Howard Hinnant's algorithm.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

const MAX_NESTING: u32 = 1000;

/// True if `string` matches the glob `pattern` (byte-wise; `nocase` folds ASCII case).
pub fn string_match(pattern: &[u8], string: &[u8], nocase: bool) -> bool {
    let mut skip_longer = false;
    match_impl(pattern, string, nocase, &mut skip_longer, 0)
}

fn fold(c: u8, nocase: bool) -> u8 {
    if nocase {
        c.to_ascii_lowercase()
    } else {
        c
    }
}

fn match_impl(mut p: &[u8], mut s: &[u8], nocase: bool, skip_longer: &mut bool, nesting: u32) -> bool {
    if nesting > MAX_NESTING {
        return false;
    }
    while !p.is_empty() && !s.is_empty() {
        match p[0] {
            b'*' => {
                while p.len() > 1 && p[1] == b'*' {
                    p = &p[1..];
                }
                if p.len() == 1 {
                    return true;
                }
                while !s.is_empty() {
                    if match_impl(&p[1..], s, nocase, skip_longer, nesting + 1) {
                        return true;
                    }
                    if *skip_longer {
                        return false;
                    }
                    s = &s[1..];
                }
                // No match for the rest of the pattern anywhere in the rest of the string: an
                // earlier `*` matching more cannot help either.
                *skip_longer = true;
                return false;
            }
            b'?' => {
                s = &s[1..];
            }
            b'[' => {
                p = &p[1..];
                let not = p.first() == Some(&b'^');
                if not {
                    p = &p[1..];
                }
                let mut matched = false;
                let c = s[0];
                loop {
                    if p.first() == Some(&b'\\') && p.len() >= 2 {
                        p = &p[1..];
                        if p[0] == c {
                            matched = true;
                        }
                    } else if p.first() == Some(&b']') {
                        break;
                    } else if p.is_empty() {
                        // Unterminated class: Redis steps back one so the common advance below
                        // leaves the pattern empty.
                        break;
                    } else if p.len() >= 3 && p[1] == b'-' {
                        let (mut start, mut end) = (p[0], p[2]);
                        if start > end {
                            std::mem::swap(&mut start, &mut end);
                        }
                        let (start, end, ch) = (fold(start, nocase), fold(end, nocase), fold(c, nocase));
                        p = &p[2..];
                        if ch >= start && ch <= end {
                            matched = true;
                        }
                    } else if fold(p[0], nocase) == fold(c, nocase) {
                        matched = true;
                    }
                    p = &p[1..];
                }
                if not {
                    matched = !matched;
                }
                if !matched {
                    return false;
                }
                s = &s[1..];
                if p.is_empty() {
                    // The unterminated-class case: nothing left to advance over.
                    if s.is_empty() {
                        break;
                    }
                    continue;
                }
            }
            b'\\' => {
                if p.len() >= 2 {
                    p = &p[1..];
                }
                if fold(p[0], nocase) != fold(s[0], nocase) {
                    return false;
                }
                s = &s[1..];
            }
            other => {
                if fold(other, nocase) != fold(s[0], nocase) {
                    return false;
                }
                s = &s[1..];
            }
        }
        p = &p[1..];
        if s.is_empty() {
            while p.first() == Some(&b'*') {
                p = &p[1..];
            }
            break;
        }
    }
    p.is_empty() && s.is_empty()
}

/// Redis' glob matcher ([`string_match`]) under the name the core uses.
pub fn glob_match(pattern: &[u8], s: &[u8], nocase: bool) -> bool {
    string_match(pattern, s, nocase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctime_matches_redis_log() {
        // "Next failover delay: I will not start a failover before Mon Nov 23 08:04:03 2026"
        assert_eq!(ctime(1_795_421_043), "Mon Nov 23 08:04:03 2026");
        assert_eq!(ctime(0), "Thu Jan  1 00:00:00 1970");
    }

    #[test]
    fn globs() {
        assert!(glob_match(b"*", b"anything", false));
        assert!(
            !glob_match(b"*", b"", false),
            "Redis quirk: * does not match an empty string"
        );
        assert!(glob_match(b"my*", b"mymaster", false));
        assert!(!glob_match(b"my?", b"mymaster", false));
        assert!(glob_match(b"+s[a-z]own", b"+sdown", false));
        assert!(glob_match(b"[^x]down", b"odown", false));
        assert!(glob_match(b"MY*", b"mymaster", true));
        assert!(glob_match(b"a\\*b", b"a*b", false));
        assert!(!glob_match(b"a\\*b", b"axb", false));
    }
}

#[cfg(test)]
mod glob_tests {
    use super::string_match;

    fn m(p: &str, s: &str) -> bool {
        string_match(p.as_bytes(), s.as_bytes(), false)
    }

    #[test]
    fn literals_and_wildcards() {
        assert!(m("+sdown", "+sdown"));
        assert!(!m("+sdown", "-sdown"));
        assert!(!m("+sdown", "+sdow"));
        assert!(!m("+sdow", "+sdown"));
        assert!(m("*", "anything"));
        // Redis quirk: the loop never runs on an empty string, so "*" does not match "".
        assert!(!m("*", ""));
        assert!(m("", ""));
        assert!(!m("", "a"));
        assert!(m("+*", "+odown"));
        assert!(!m("+*", "-odown"));
        assert!(m("*down", "+sdown"));
        assert!(m("*down", "-odown"));
        assert!(!m("*down", "+switch-master"));
        assert!(m("*-*-*", "+failover-state-reconf-slaves"));
        assert!(m("a*b*c", "aXXbYYc"));
        assert!(!m("a*b*c", "aXXbYY"));
        assert!(m("a**", "a"));
        assert!(m("h?llo", "hello"));
        assert!(!m("h?llo", "hllo"));
        assert!(!m("?", ""));
    }

    #[test]
    fn classes() {
        assert!(m("h[ae]llo", "hello"));
        assert!(m("h[ae]llo", "hallo"));
        assert!(!m("h[ae]llo", "hillo"));
        assert!(m("h[^e]llo", "hallo"));
        assert!(!m("h[^e]llo", "hello"));
        assert!(m("h[a-b]llo", "hbllo"));
        assert!(m("h[b-a]llo", "hallo"), "reversed ranges are swapped");
        assert!(!m("h[a-b]llo", "hcllo"));
        assert!(m("[\\]]", "]"));
        assert!(m("[a\\-z]", "-"));
        assert!(!m("[a\\-z]", "b"));
        // Unterminated class: Redis treats the class as running to the end of the pattern.
        assert!(m("[ab", "a"));
        assert!(m("[ab", "b"));
        assert!(!m("[ab", "c"));
        assert!(!m("[ab", "ab"));
        assert!(!m("x[", "x"));
    }

    #[test]
    fn escapes_and_case() {
        assert!(m("\\*", "*"));
        assert!(!m("\\*", "a"));
        assert!(m("\\?x", "?x"));
        assert!(m("a\\", "a\\"), "trailing backslash matches itself");
        assert!(!string_match(b"HeLLo", b"hello", false));
        assert!(string_match(b"HeLLo", b"hello", true));
        assert!(string_match(b"[A-C]x", b"bx", true));
    }

    #[test]
    fn pathological_patterns_terminate() {
        let pat = "a*".repeat(5000) + "b";
        let s = "a".repeat(5000);
        assert!(!m(&pat, &s));
        let pat = "*".repeat(100_000);
        assert!(m(&pat, "whatever"));
    }
}
