//! Small helpers: `ctime`-style dates (UTC; Redis prints local time), Redis' glob matcher, and the
//! validators applied to everything that comes from the network before it reaches state or
//! sentinel.conf.

/// Longest hostname accepted (DNS names are at most 253 characters; 255 leaves room for a final dot).
pub const MAX_HOSTNAME_BYTES: usize = 255;
/// A Sentinel/Redis run id: 40 hex characters.
pub const RUNID_LEN: usize = 40;

/// True if `s` contains an ASCII control character (C0 or DEL): such a string could break a
/// line of sentinel.conf or of the log, so it is never stored.
pub fn has_control_chars(s: &[u8]) -> bool {
    s.iter().any(|&b| b < 0x20 || b == 0x7f)
}

/// True if `s` is an IPv4 or IPv6 address in textual form.
pub fn valid_ip(s: &str) -> bool {
    s.parse::<std::net::IpAddr>().is_ok()
}

/// True if `s` is a plausible hostname: 1..=255 bytes of letters, digits, `-` and `.`.
pub fn valid_hostname(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_HOSTNAME_BYTES
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// An address as Redis' `createSentinelAddr` accepts it: an IP, or a hostname only when
/// `resolve-hostnames yes` is set (we never resolve, so only the syntax is checked).
pub fn valid_addr(s: &str, resolve_hostnames: bool) -> bool {
    valid_ip(s) || (resolve_hostnames && valid_hostname(s))
}

/// True if `s` is exactly 40 hex characters.
pub fn valid_runid(s: &str) -> bool {
    s.len() == RUNID_LEN && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Strict decimal `u64`: digits only, no sign, no overflow.
pub fn parse_u64(s: &[u8]) -> Option<u64> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    s.iter()
        .try_fold(0u64, |a, &b| a.checked_mul(10)?.checked_add(u64::from(b - b'0')))
}

/// Strict TCP port: decimal digits, 1..=65535 (port 0 never names a reachable instance).
pub fn parse_port(s: &[u8]) -> Option<u16> {
    match parse_u64(s)? {
        p @ 1..=65535 => Some(p as u16),
        _ => None,
    }
}

/// `s` made safe for one log line: at most `max_bytes` bytes shown, non-printable bytes escaped.
pub fn printable(s: &[u8], max_bytes: usize) -> String {
    let shown = &s[..s.len().min(max_bytes)];
    let mut out: String = shown.escape_ascii().to_string();
    if s.len() > max_bytes {
        out.push_str("...");
    }
    out
}

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

pub use resp::string_match;

/// Redis' glob matcher ([`string_match`]) under the name the core uses.
pub fn glob_match(pattern: &[u8], s: &[u8], nocase: bool) -> bool {
    string_match(pattern, s, nocase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validators() {
        assert!(valid_ip("127.0.0.1") && valid_ip("::1") && valid_ip("fe80::1"));
        assert!(!valid_ip("not-an-ip") && !valid_ip("1.2.3.4\n") && !valid_ip(""));
        assert!(valid_addr("redis-1.example", true) && !valid_addr("redis-1.example", false));
        assert!(!valid_addr("a b", true) && !valid_addr(&"a".repeat(256), true));
        assert!(valid_runid(&"0123456789abcdefABCDEF".repeat(2)[..40]));
        assert!(!valid_runid(&"a".repeat(39)) && !valid_runid(&"a".repeat(41)) && !valid_runid(&"g".repeat(40)));
        assert_eq!(parse_u64(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_u64(b"18446744073709551616"), None);
        assert_eq!(parse_u64(b"-1"), None);
        assert_eq!(parse_u64(b""), None);
        assert_eq!(parse_port(b"65535"), Some(65535));
        assert_eq!(parse_port(b"0"), None);
        assert_eq!(parse_port(b"65536"), None);
        assert_eq!(parse_port(b"6379 "), None);
        assert!(has_control_chars(b"a\nb") && has_control_chars(b"\x7f") && !has_control_chars(b"a b"));
        assert_eq!(printable(b"a\nb", 10), "a\\nb");
        assert_eq!(printable(b"abcdef", 3), "abc...");
    }

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
