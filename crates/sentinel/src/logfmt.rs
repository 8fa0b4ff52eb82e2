//! Redis' log line format: `<pid>:<role> <dd Mon yyyy HH:MM:SS.mmm> <level> <message>`, role `X`
//! for a Sentinel. Redis prints local time; here the node clock's wall time is printed as UTC
//! (the reference captures were taken on a UTC machine), formatted by hand.

use sentinel_core::{Level, Ms};
use std::fmt::Write as _;
use std::io::Write as _;

use sentinel_core::util::civil_from_days;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Appends `dd Mon yyyy HH:MM:SS.mmm` (UTC) for a wall-clock time in ms since the epoch.
pub fn write_timestamp(out: &mut String, wall_ms: Ms) {
    let days = wall_ms.div_euclid(86_400_000);
    let ms_of_day = wall_ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let (h, min, s, ms) = (
        ms_of_day / 3_600_000,
        (ms_of_day / 60_000) % 60,
        (ms_of_day / 1000) % 60,
        ms_of_day % 1000,
    );
    let _ = write!(
        out,
        "{:02} {} {} {:02}:{:02}:{:02}.{:03}",
        d,
        MONTHS[(m - 1) as usize],
        y,
        h,
        min,
        s,
        ms
    );
}

/// One complete log line (without the trailing newline).
pub fn format_line(pid: u32, wall_ms: Ms, level: Level, msg: &str) -> String {
    let mut out = String::with_capacity(40 + msg.len());
    let _ = write!(out, "{pid}:X ");
    write_timestamp(&mut out, wall_ms);
    out.push(' ');
    out.push(level.log_char());
    out.push(' ');
    out.push_str(msg);
    out
}

/// Writes Redis-format lines to stdout or to the `logfile` when enabled (real mode); costs
/// nothing when disabled.
#[derive(Debug, Clone)]
pub struct Logger {
    enabled: bool,
    pid: u32,
    /// Lowest level written (Redis' `loglevel`, default `notice`).
    min_level: Level,
    /// Appended to line by line, opened per line as Redis does (so log rotation works).
    file: Option<std::path::PathBuf>,
}

impl Logger {
    pub fn new(enabled: bool) -> Self {
        Logger {
            enabled,
            pid: if enabled { std::process::id() } else { 0 },
            min_level: Level::Notice,
            file: None,
        }
    }

    /// Redis's `logfile` (None or empty: stdout) and `loglevel`.
    pub fn with_output(mut self, file: Option<std::path::PathBuf>, min_level: Level) -> Self {
        self.file = file.filter(|f| !f.as_os_str().is_empty());
        self.min_level = min_level;
        self
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    pub fn log(&self, wall_ms: Ms, level: Level, msg: &str) {
        if !self.enabled || level < self.min_level {
            return;
        }
        let mut line = format_line(self.pid, wall_ms, level, msg);
        line.push('\n');
        if let Some(path) = &self.file {
            let f = std::fs::OpenOptions::new().create(true).append(true).open(path);
            if let Ok(mut f) = f {
                let _ = f.write_all(line.as_bytes());
            }
            return;
        }
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(line.as_bytes());
        let _ = out.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_a_real_sentinel_log_line() {
        // example-failover-kill9/sentinel-5000.log:
        // 8306:X 23 Nov 2026 08:03:57.440 # +sdown master mymaster 127.0.0.1 6382
        // 1795421037440 = `date -u -d '2026-11-23 08:03:57.440' +%s%3N`
        let line = format_line(
            8306,
            1_795_421_037_440,
            Level::Warning,
            "+sdown master mymaster 127.0.0.1 6382",
        );
        assert_eq!(
            line,
            "8306:X 23 Nov 2026 08:03:57.440 # +sdown master mymaster 127.0.0.1 6382"
        );
        let line = format_line(
            8306,
            1_795_421_037_440 + 1092,
            Level::Notice,
            "Sentinel new configuration saved on disk",
        );
        assert_eq!(
            line,
            "8306:X 23 Nov 2026 08:03:58.532 * Sentinel new configuration saved on disk"
        );
    }

    #[test]
    fn dates_across_the_calendar() {
        let ts = |ms| {
            let mut s = String::new();
            write_timestamp(&mut s, ms);
            s
        };
        assert_eq!(ts(0), "01 Jan 1970 00:00:00.000");
        // `date -u -d '2000-02-29 23:59:59.999' +%s%3N`
        assert_eq!(ts(951_868_799_999), "29 Feb 2000 23:59:59.999");
        assert_eq!(ts(951_868_800_000), "01 Mar 2000 00:00:00.000");
        assert_eq!(ts(-999), "31 Dec 1969 23:59:59.001");
        // 2022-01-08 04:57:26 UTC, around madsim's default simulated epoch.
        assert_eq!(ts(1_641_617_846_000), "08 Jan 2022 04:57:26.000");
        assert_eq!(ts(4_102_444_800_000), "01 Jan 2100 00:00:00.000");
    }

    #[test]
    fn level_chars() {
        assert!(format_line(1, 0, Level::Verbose, "x").ends_with(" - x"));
        assert!(format_line(1, 0, Level::Debug, "x").ends_with(" . x"));
    }
}
