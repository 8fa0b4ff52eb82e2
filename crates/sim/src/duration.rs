//! Durations as scenario files write them: `"1500ms"`, `"3s"`, `"2m"`, `"1m30s"`, `"1h"`, `"1.5s"`
//! or a bare integer of milliseconds; signed offsets add a leading `+`/`-` (`"+5s"`, `"-3s"`).
//! Parsed values are whole milliseconds (`u64`, or `i64` when signed); the canonical rendering
//! ([`format_ms`], [`format_signed_ms`]) parses back to the same value. Network delays, which
//! are far below a millisecond on loopback, are read in microseconds ([`parse_us`], `"30us"`).

/// Longest duration a scenario accepts anywhere (24 hours).
pub const MAX_MS: u64 = 24 * 3600 * 1000;

/// Each unit in microseconds, largest first.
const UNITS: [(&str, u64); 5] = [
    ("h", 3_600_000_000),
    ("m", 60_000_000),
    ("s", 1_000_000),
    ("ms", 1_000),
    ("us", 1),
];

/// What a duration string must look like, for error messages.
pub const EXPECTED: &str =
    "expected a duration like \"1500ms\", \"3s\", \"2m\", \"1m30s\" or an integer of milliseconds";

/// Parses an unsigned duration string (no sign). Components must come in descending unit order
/// (`h`, `m`, `s`, `ms`), each at most once; a component may carry a decimal fraction as long as
/// the total is a whole number of milliseconds. The result must not exceed [`MAX_MS`].
pub fn parse_ms(text: &str) -> Result<u64, String> {
    let us = parse_us(text)?;
    if us % 1000 != 0 {
        return Err(format!("invalid duration {text:?}: not a whole number of milliseconds"));
    }
    Ok(us / 1000)
}

/// As [`parse_ms`], in whole microseconds, and `us` is a unit too (`"30us"`, `"0.05ms"`).
pub fn parse_us(text: &str) -> Result<u64, String> {
    let s = text.trim();
    if s.is_empty() {
        return Err(format!("empty duration; {EXPECTED}"));
    }
    let bad = || format!("invalid duration {text:?}; {EXPECTED}");
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut total: u64 = 0;
    let mut last_unit = usize::MAX; // index into UNITS of the previous component
    while i < bytes.len() {
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let int_part = &s[start..i];
        let mut frac_part = "";
        if i < bytes.len() && bytes[i] == b'.' {
            i += 1;
            let fs = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            frac_part = &s[fs..i];
            if frac_part.is_empty() {
                return Err(bad());
            }
        }
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(bad());
        }
        let us = i;
        while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
            i += 1;
        }
        let unit = &s[us..i];
        let Some(ui) = UNITS.iter().position(|(u, _)| *u == unit) else {
            return Err(if unit.is_empty() {
                format!("invalid duration {text:?}: missing unit (h, m, s, ms or us); {EXPECTED}")
            } else {
                format!("invalid duration {text:?}: unknown unit {unit:?} (use h, m, s, ms or us)")
            });
        };
        if last_unit != usize::MAX && ui <= last_unit {
            return Err(format!(
                "invalid duration {text:?}: units must be in order h, m, s, ms, us, each once"
            ));
        }
        last_unit = ui;
        let mult = UNITS[ui].1;
        let too_long = || format!("duration {text:?} exceeds the maximum of 24h");
        let int_val: u64 = if int_part.is_empty() {
            0
        } else {
            int_part.parse::<u64>().map_err(|_| too_long())?
        };
        let mut part = int_val.checked_mul(mult).ok_or_else(too_long)?;
        if !frac_part.is_empty() {
            if frac_part.len() > 9 {
                return Err(format!("invalid duration {text:?}: too many decimals"));
            }
            let frac: u64 = frac_part.parse::<u64>().map_err(|_| bad())?;
            let scale = 10u64.pow(frac_part.len() as u32);
            let num = frac.checked_mul(mult).ok_or_else(too_long)?;
            if num % scale != 0 {
                return Err(format!("invalid duration {text:?}: not a whole number of microseconds"));
            }
            part = part.checked_add(num / scale).ok_or_else(too_long)?;
        }
        total = total.checked_add(part).ok_or_else(too_long)?;
        if total > MAX_MS * 1000 {
            return Err(too_long());
        }
    }
    Ok(total)
}

/// Parses a signed offset: an optional `+`/`-` then a duration (`"+5s"`, `"-3s"`, `"250ms"`).
pub fn parse_signed_ms(text: &str) -> Result<i64, String> {
    let s = text.trim();
    let (neg, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let v = parse_ms(rest).map_err(|e| e.replace(&format!("{rest:?}"), &format!("{text:?}")))? as i64;
    Ok(if neg { -v } else { v })
}

/// Canonical rendering: `"0s"`, `"1500ms"` → `"1s500ms"`, `"90s"` → `"1m30s"`.
pub fn format_ms(ms: u64) -> String {
    format_us(ms.saturating_mul(1000))
}

/// Canonical rendering of microseconds: `"30us"`, `"1ms500us"`, `"2s"`.
pub fn format_us(us: u64) -> String {
    if us == 0 {
        return "0s".to_string();
    }
    let mut out = String::new();
    let mut rest = us;
    for (unit, mult) in UNITS {
        let n = rest / mult;
        rest %= mult;
        if n > 0 {
            out.push_str(&n.to_string());
            out.push_str(unit);
        }
    }
    out
}

/// Canonical signed rendering: `"+5s"`, `"-1s500ms"`, `"+0s"`.
pub fn format_signed_ms(ms: i64) -> String {
    let sign = if ms < 0 { '-' } else { '+' };
    format!("{sign}{}", format_ms(ms.unsigned_abs()))
}

/// Human rendering with millisecond precision, as the summary prints times: `"13.104s"`.
pub fn secs(ms: u64) -> String {
    format!("{}.{:03}s", ms / 1000, ms % 1000)
}

/// Short human rendering of a delay: `"3.4s"`, `"0.05s"`, `"12s"` (trailing zeros dropped).
pub fn short_secs(ms: u64) -> String {
    let whole = ms / 1000;
    let frac = ms % 1000;
    if frac == 0 {
        format!("{whole}s")
    } else {
        let f = format!("{frac:03}");
        format!("{whole}.{}s", f.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_forms() {
        assert_eq!(parse_ms("1500ms"), Ok(1500));
        assert_eq!(parse_ms("3s"), Ok(3000));
        assert_eq!(parse_ms("2m"), Ok(120_000));
        assert_eq!(parse_ms("1m30s"), Ok(90_000));
        assert_eq!(parse_ms("1h"), Ok(3_600_000));
        assert_eq!(parse_ms("1.5s"), Ok(1500));
        assert_eq!(parse_ms("1s500ms"), Ok(1500));
        assert_eq!(parse_ms("24h"), Ok(MAX_MS));
        assert_eq!(parse_ms("0s"), Ok(0));
        assert_eq!(parse_signed_ms("+5s"), Ok(5000));
        assert_eq!(parse_signed_ms("-3s"), Ok(-3000));
        assert_eq!(parse_signed_ms("250ms"), Ok(250));
    }

    #[test]
    fn rejects_bad_forms() {
        for bad in [
            "",
            "s",
            "3",
            "3x",
            "3 s",
            "1s1m",
            "1s1s",
            "25h",
            "1.0005s",
            "-3s",
            "1..5s",
            ".s",
            "99999999999999999999h",
        ] {
            assert!(parse_ms(bad).is_err(), "{bad:?} should be rejected");
        }
        assert!(parse_signed_ms("+-3s").is_err());
        assert!(parse_ms("3x").unwrap_err().contains("\"3x\""));
    }

    #[test]
    fn canonical_form_round_trips() {
        for ms in [
            0, 1, 999, 1000, 1500, 59_999, 60_000, 90_000, 3_600_000, 3_723_004, MAX_MS,
        ] {
            assert_eq!(parse_ms(&format_ms(ms)), Ok(ms), "{}", format_ms(ms));
        }
        for ms in [0i64, 5000, -3000, -1, 86_400_000, -86_400_000] {
            assert_eq!(parse_signed_ms(&format_signed_ms(ms)), Ok(ms));
        }
        assert_eq!(format_ms(90_000), "1m30s");
        assert_eq!(secs(13_104), "13.104s");
        assert_eq!(short_secs(3_400), "3.4s");
        assert_eq!(short_secs(12_000), "12s");
        assert_eq!(short_secs(50), "0.05s");
    }

    #[test]
    fn microseconds_for_network_delays() {
        assert_eq!(parse_us("30us"), Ok(30));
        assert_eq!(parse_us("0.05ms"), Ok(50));
        assert_eq!(parse_us("1ms500us"), Ok(1500));
        assert!(parse_us("2").is_err(), "a string needs its unit");
        assert!(parse_us("0.5us").is_err());
        assert!(parse_us("5us1ms").is_err());
        assert!(parse_ms("30us").unwrap_err().contains("whole number of milliseconds"));
        for us in [0, 1, 30, 999, 1000, 1500, 2_000_000, MAX_MS * 1000] {
            assert_eq!(parse_us(&format_us(us)), Ok(us), "{}", format_us(us));
        }
        assert_eq!(format_us(40), "40us");
    }
}
