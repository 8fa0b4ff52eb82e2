//! Redis's glob matcher (`stringmatchlen`): `*`, `?`, `[...]`, `[^...]`, ranges and `\\x`
//! escapes, byte-wise, optionally folding ASCII case. One matcher for the workspace: the Sentinel
//! (PSUBSCRIBE, SENTINEL RESET, ACL channels, COMMAND LIST) and the simulated data node (KEYS,
//! PSUBSCRIBE) match as Redis does.

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

/// Matches the byte `c` against a `[...]` class; `p` starts after the `[`. Returns whether it
/// matched and the pattern left at the closing `]` (empty if the class is unterminated).
fn match_class(mut p: &[u8], c: u8, nocase: bool) -> (bool, &[u8]) {
    let not = p.first() == Some(&b'^');
    if not {
        p = &p[1..];
    }
    let mut matched = false;
    loop {
        if p.first() == Some(&b'\\') && p.len() >= 2 {
            p = &p[1..];
            if p[0] == c {
                matched = true;
            }
        } else if p.first() == Some(&b']') {
            break;
        } else if p.is_empty() {
            // Unterminated class: Redis steps back one so the common advance after the class
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
    (matched != not, p)
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
                let (matched, rest) = match_class(&p[1..], s[0], nocase);
                if !matched {
                    return false;
                }
                p = rest;
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
