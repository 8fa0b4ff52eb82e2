//! The ACL LOG: refused logins and commands, newest first, similar entries grouped.

use crate::types::Ms;
use resp::Value;
use std::collections::VecDeque;

/// Redis's `acllog-max-len` default.
pub const ACL_LOG_MAX_LEN: usize = 128;
/// Entries equal but for time and client merge when they are at most this far apart.
const GROUPING_MAX_DELTA_MS: Ms = 60_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogReason {
    Auth,
    Command,
    Channel,
}

impl LogReason {
    fn name(self) -> &'static str {
        match self {
            LogReason::Auth => "auth",
            LogReason::Command => "command",
            LogReason::Channel => "channel",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LogEntry {
    pub count: u64,
    pub reason: LogReason,
    pub object: String,
    pub username: String,
    pub ctime_ms: Ms,
    /// The client's CLIENT INFO line when it happened.
    pub client_info: String,
}

#[derive(Debug, Clone, Default)]
pub struct AclLog {
    entries: VecDeque<LogEntry>,
}

impl AclLog {
    /// Records a refusal; a similar recent entry is counted and moved to the front instead.
    pub fn add(&mut self, reason: LogReason, object: &str, username: &str, client_info: String, now: Ms) {
        let similar = self.entries.iter().position(|e| {
            e.reason == reason
                && e.object == object
                && e.username == username
                && now.saturating_sub(e.ctime_ms) <= GROUPING_MAX_DELTA_MS
        });
        if let Some(i) = similar {
            let mut e = self.entries.remove(i).expect("found above");
            e.count += 1;
            e.ctime_ms = now;
            e.client_info = client_info;
            self.entries.push_front(e);
            return;
        }
        self.entries.push_front(LogEntry {
            count: 1,
            reason,
            object: object.to_string(),
            username: username.to_string(),
            ctime_ms: now,
            client_info,
        });
        self.entries.truncate(ACL_LOG_MAX_LEN);
    }

    pub fn reset(&mut self) {
        self.entries.clear();
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// ACL LOG [count]: up to `count` entries, newest first, as maps.
    pub fn reply(&self, count: usize, now: Ms) -> Value {
        Value::Array(
            self.entries
                .iter()
                .take(count)
                .map(|e| {
                    let age_s = now.saturating_sub(e.ctime_ms) as f64 / 1000.0;
                    Value::map_of(vec![
                        Value::bulk("count"),
                        Value::Int(e.count as i64),
                        Value::bulk("reason"),
                        Value::bulk(e.reason.name()),
                        Value::bulk("context"),
                        Value::bulk("toplevel"),
                        Value::bulk("object"),
                        Value::bulk(&e.object),
                        Value::bulk("username"),
                        Value::bulk(&e.username),
                        Value::bulk("age-seconds"),
                        Value::Double(format_double(age_s)),
                        Value::bulk("client-info"),
                        Value::bulk(&e.client_info),
                    ])
                })
                .collect(),
        )
    }
}

/// A double as Redis writes it in RESP2 (`%.17g`).
pub fn format_double(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let exp = v.abs().log10().floor() as i32;
    if !(-5..17).contains(&exp) {
        let s = format!("{v:.16e}");
        let (mant, e) = s.split_once('e').unwrap_or((&s, "0"));
        let mant = trim_zeros(mant);
        let e: i32 = e.parse().unwrap_or(0);
        return format!("{mant}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs());
    }
    let decimals = (16 - exp).max(0) as usize;
    trim_zeros(&format!("{v:.decimals$}")).to_string()
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_print_like_printf_g17() {
        assert_eq!(format_double(79.76), "79.760000000000005");
        assert_eq!(format_double(0.5), "0.5");
        assert_eq!(format_double(12.0), "12");
        assert_eq!(format_double(0.001), "0.001");
    }

    #[test]
    fn similar_entries_group() {
        let mut log = AclLog::default();
        log.add(LogReason::Auth, "AUTH", "a", "id=1".into(), 1000);
        log.add(LogReason::Auth, "AUTH", "a", "id=2".into(), 2000);
        log.add(LogReason::Auth, "AUTH", "b", "id=3".into(), 3000);
        assert_eq!(log.len(), 2);
        assert_eq!(log.entries[1].count, 2);
        log.add(LogReason::Auth, "AUTH", "a", "id=4".into(), 100_000);
        assert_eq!(log.len(), 3, "too far apart to group");
    }
}
