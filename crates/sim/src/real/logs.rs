//! The processes' logs as the trace's events: each log file is followed as it grows; a Sentinel's
//! line becomes a typed Sentinel event (`EventBody::parse`, as the simulator's are), a data
//! node's a data line (the write analysis reads the demotion from them). Addresses are mapped back
//! to the scenario's. Each line is placed at its own timestamp (processes log in UTC here), less
//! the offset the tool gave that process's clock.

use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;

use sentinel_core::event::split_log_line;
use sentinel_core::{EventBody, Level};

use super::addrs::Addrs;
use super::recorder::Recorder;
use crate::trace::{Kind, SentinelEvent};

/// One followed log file.
pub struct Tail {
    pub node: String,
    pub path: PathBuf,
    pub sentinel: bool,
    /// How far the tool has moved the process's wall clock (its log timestamps are that far off).
    pub clock_offset_ms: i64,
    offset: u64,
    partial: String,
}

impl Tail {
    pub fn new(node: &str, path: PathBuf, sentinel: bool) -> Tail {
        Tail {
            node: node.to_string(),
            path,
            sentinel,
            clock_offset_ms: 0,
            offset: 0,
            partial: String::new(),
        }
    }

    /// Reads what was appended since the last call; returns the complete new lines.
    fn read_new(&mut self) -> Vec<String> {
        let Ok(mut f) = std::fs::File::open(&self.path) else {
            return Vec::new();
        };
        let mut buf = Vec::new();
        if f.seek(SeekFrom::Start(self.offset)).is_err() || f.read_to_end(&mut buf).is_err() {
            return Vec::new();
        }
        self.offset += buf.len() as u64;
        self.partial.push_str(&String::from_utf8_lossy(&buf));
        let Some(end) = self.partial.rfind('\n') else {
            return Vec::new();
        };
        let done: String = self.partial.drain(..=end).collect();
        done.lines().map(str::to_string).collect()
    }
}

/// A Sentinel event a poll saw (to fire an armed `kill_on`): who logged it, its name, and the
/// scenario address (`ip:port`) of the instance it is about, if any.
pub struct SeenEvent {
    pub node: String,
    pub name: &'static str,
    pub subject: Option<String>,
}

/// What a poll saw, in log order.
pub type Seen = Vec<SeenEvent>;

/// Reads every tail once, records its new lines, and returns the Sentinel events seen.
pub fn poll(tails: &mut [Tail], rec: &Recorder, addrs: &Addrs) -> Seen {
    let mut seen = Vec::new();
    for t in tails.iter_mut() {
        for line in t.read_new() {
            let Some((level, text)) = split_log_line(&line) else {
                continue;
            };
            let at = match log_wall_ms(&line) {
                Some(wall) => rec.since_start(wall - t.clock_offset_ms),
                None => rec.now_ms(),
            };
            let text = addrs.map_back(text);
            if !t.sentinel {
                rec.push_at(at, &t.node, Kind::Data { line: text });
                continue;
            }
            if level == Level::Debug {
                continue;
            }
            // A line the typed parser rejects (an unknown `+event`) is not an event of the trace,
            // nor is free text (start-up banners, "configuration saved"): the simulated Sentinel
            // records neither, and the trace's format has no place for it.
            let Ok(body) = EventBody::parse(&text) else { continue };
            if matches!(body, EventBody::Text(_)) {
                continue;
            }
            if !body.name().is_empty() {
                seen.push(SeenEvent {
                    node: t.node.clone(),
                    name: body.name(),
                    subject: body.subject().map(|s| format!("{}:{}", s.instance.ip, s.instance.port)),
                });
            }
            let ev = SentinelEvent {
                level,
                body,
                probe: None,
            };
            rec.push_at(at, &t.node, Kind::Sentinel(ev));
        }
    }
    seen
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The wall time of a Redis log line (`<pid>:<role> dd Mon yyyy hh:mm:ss.mmm ...`), read as UTC.
pub fn log_wall_ms(line: &str) -> Option<i64> {
    let mut w = line.split(' ').skip(1);
    let day: i64 = w.next()?.parse().ok()?;
    let mon = w.next()?;
    let month = MONTHS.iter().position(|m| *m == mon)? as i64 + 1;
    let year: i64 = w.next()?.parse().ok()?;
    let time = w.next()?;
    let (hms, ms) = time.split_once('.')?;
    let mut hms = hms.split(':').map(|x| x.parse::<i64>().ok());
    let (h, m, s) = (hms.next()??, hms.next()??, hms.next()??);
    let ms: i64 = ms.parse().ok()?;
    let days = days_from_civil(year, month, day);
    Some((((days * 24 + h) * 60 + m) * 60 + s) * 1000 + ms)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_redis_log_timestamps_as_utc() {
        // 2026-11-30T21:14:02.123Z
        let line = "123:X 30 Nov 2026 21:14:02.123 # +sdown master mymaster 10.213.0.1 6382";
        assert_eq!(log_wall_ms(line), Some(1_796_073_242_123));
        assert_eq!(log_wall_ms("1:X 01 Jan 1970 00:00:01.005 * x"), Some(1005));
        assert_eq!(log_wall_ms("garbage"), None);
    }
}
