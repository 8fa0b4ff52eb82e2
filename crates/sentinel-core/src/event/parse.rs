//! Reading events back from text: a line of a Sentinel log (after the level character) or a
//! pub/sub message (channel and payload). Anything that names an event type but does not have
//! its layout is an error; a line that names no event type is a log-only line.

use super::{Addr, EventBody, EventKind, InstanceRef, ReportedRole, Shape, Subject, SubjectRole};
use crate::types::{ConnKind, Level};
use std::fmt;

/// Why a line is not an event Sentinel could have written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventParseError {
    /// The line is empty.
    Empty,
    /// The first word looks like an event type (`+x`, `-x`) but Sentinel has none by that name.
    UnknownType(String),
    /// The type is known but the payload does not have its layout.
    Malformed { kind: EventKind, payload: String },
}

impl fmt::Display for EventParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventParseError::Empty => f.write_str("empty event line"),
            EventParseError::UnknownType(t) => write!(f, "unknown event type '{t}'"),
            EventParseError::Malformed { kind, payload } => {
                write!(f, "malformed {} payload '{payload}'", kind.name())
            }
        }
    }
}

impl std::error::Error for EventParseError {}

impl Level {
    /// The level a log line's level character stands for.
    pub fn from_log_char(c: char) -> Option<Level> {
        [Level::Debug, Level::Verbose, Level::Notice, Level::Warning]
            .into_iter()
            .find(|l| l.log_char() == c)
    }
}

/// Splits a Redis log line (`<pid>:<role> <day> <month> <year> <time> <level-char> <text>`)
/// into its level and text; None if the line does not have that layout.
pub fn split_log_line(line: &str) -> Option<(Level, &str)> {
    let mut parts = line.splitn(7, ' ');
    let pid_role = parts.next()?;
    if !pid_role.contains(':') {
        return None;
    }
    // Day, month, year, time: checked only for presence; the text is what matters.
    for _ in 0..4 {
        parts.next().filter(|p| !p.is_empty())?;
    }
    let mut level = parts.next()?.chars();
    let level = match (level.next(), level.next()) {
        (Some(c), None) => Level::from_log_char(c)?,
        _ => return None,
    };
    Some((level, parts.next()?))
}

impl EventBody {
    /// Reads a line as Sentinel logs it after the level character (`+sdown master m 10.0.0.1
    /// 6379`, `<runid> voted for <runid> <epoch>`, free text). Rendering the result gives the
    /// line back byte for byte.
    pub fn parse(line: &str) -> Result<EventBody, EventParseError> {
        if line.is_empty() {
            return Err(EventParseError::Empty);
        }
        let (first, payload) = line.split_once(' ').unwrap_or((line, ""));
        if let Some(kind) = EventKind::from_name(first) {
            if !line.contains(' ') {
                return Err(malformed(kind, ""));
            }
            return EventBody::from_message(kind, payload);
        }
        if first.len() > 1 && (first.starts_with('+') || first.starts_with('-')) {
            return Err(EventParseError::UnknownType(first.to_string()));
        }
        Ok(log_line(line))
    }

    /// Reads a pub/sub message: the channel is the kind, the message its payload.
    pub fn from_message(kind: EventKind, payload: &str) -> Result<EventBody, EventParseError> {
        let body = match kind.shape() {
            Shape::Subject => {
                let mut w = Words::new(payload);
                subject(&mut w)
                    .filter(|_| w.at_end())
                    .map(|subject| EventBody::About { kind, subject })
            }
            Shape::Own => own_layout(kind, payload),
        };
        body.ok_or_else(|| malformed(kind, payload))
    }
}

fn malformed(kind: EventKind, payload: &str) -> EventParseError {
    EventParseError::Malformed {
        kind,
        payload: payload.to_string(),
    }
}

/// The payloads that are not just `%@`.
fn own_layout(kind: EventKind, payload: &str) -> Option<EventBody> {
    use EventKind as K;
    let mut w = Words::new(payload);
    let body = match kind {
        K::Monitor
        | K::Set
        | K::RoleChange
        | K::RoleChangeIncoherent
        | K::SentinelAddressSwitch
        | K::SentinelAddressUpdate
        | K::ODown
        | K::CmdLinkReconnection
        | K::PubSubLinkReconnection => {
            let subject = subject(&mut w)?;
            after_subject(kind, subject, &mut w)?
        }
        K::NewEpoch => EventBody::NewEpoch {
            epoch: unsigned(w.word()?)?,
        },
        K::VoteForLeader => EventBody::VoteForLeader {
            runid: w.word()?.to_string(),
            epoch: unsigned(w.word()?)?,
        },
        K::SwitchMaster => EventBody::SwitchMaster {
            master: w.word()?.to_string(),
            from: addr(&mut w)?,
            to: addr(&mut w)?,
        },
        K::TiltEntered | K::TiltExited => {
            let entered = kind == K::TiltEntered;
            let expected = if entered {
                "#tilt mode entered"
            } else {
                "#tilt mode exited"
            };
            (w.rest()? == expected).then_some(EventBody::Tilt { entered })?
        }
        K::ScriptError | K::ScriptTimeout => return script_event(kind, payload),
        K::ScriptChildStarted => EventBody::ScriptChildStarted {
            pid: unsigned(w.word()?)?,
        },
        K::ScriptChildExited => EventBody::ScriptChildExited {
            pid: unsigned(w.word()?)?,
            code: signed(w.word()?)?,
            signal: signed(w.word()?)?,
        },
        _ => return None,
    };
    w.at_end().then_some(body)
}

/// The rest of a payload that starts with `%@`.
fn after_subject(kind: EventKind, subject: Subject, w: &mut Words<'_>) -> Option<EventBody> {
    use EventKind as K;
    Some(match kind {
        K::Monitor => {
            w.keyword("quorum")?;
            EventBody::Monitor {
                subject,
                quorum: unsigned(w.word()?)?,
            }
        }
        K::Set => EventBody::Set {
            subject,
            option: w.word()?.to_string(),
            // The value is the rest of the line: it may hold spaces, or be empty.
            value: w.rest()?.to_string(),
        },
        K::RoleChange | K::RoleChangeIncoherent => {
            let reported = match w.rest()? {
                "new reported role is master" => ReportedRole::Master,
                "new reported role is slave" => ReportedRole::Slave,
                _ => return None,
            };
            EventBody::RoleChange {
                coherent: kind == K::RoleChange,
                subject,
                reported,
            }
        }
        K::SentinelAddressSwitch => {
            w.keyword("ip")?;
            let ip = w.word()?.to_string();
            w.keyword("port")?;
            let port = unsigned(w.word()?)?;
            w.keyword("for")?;
            EventBody::SentinelAddressSwitch {
                master: subject,
                to: Addr { ip, port },
                runid: w.word()?.to_string(),
            }
        }
        K::SentinelAddressUpdate => {
            let count = unsigned(w.word()?)?;
            w.keyword("additional")?;
            w.keyword("matching")?;
            w.keyword("instances")?;
            EventBody::SentinelAddressUpdate {
                sentinel: subject,
                count,
            }
        }
        K::ODown => {
            w.keyword("#quorum")?;
            let (votes, quorum) = w.word()?.split_once('/')?;
            EventBody::ODown {
                subject,
                votes: unsigned(votes)?,
                quorum: unsigned(quorum)?,
            }
        }
        K::CmdLinkReconnection | K::PubSubLinkReconnection => EventBody::LinkReconnection {
            link: if kind == K::CmdLinkReconnection {
                ConnKind::Cmd
            } else {
                ConnKind::PubSub
            },
            subject,
            error: w.rest()?.strip_prefix('#')?.to_string(),
        },
        _ => return None,
    })
}

/// `-script-error <path> <signal> <code>` and `-script-timeout <path> <pid>`: the numbers are
/// the last words, so a path with spaces still reads back.
fn script_event(kind: EventKind, payload: &str) -> Option<EventBody> {
    let (rest, last) = payload.rsplit_once(' ')?;
    if kind == EventKind::ScriptTimeout {
        return Some(EventBody::ScriptTimeout {
            path: nonempty(rest)?.to_string(),
            pid: unsigned(last)?,
        });
    }
    let (path, signal) = rest.rsplit_once(' ')?;
    Some(EventBody::ScriptError {
        path: nonempty(path)?.to_string(),
        signal: signed(signal)?,
        code: signed(last)?,
    })
}

/// A line that names no event type: a typed log-only line if it has one of their layouts,
/// else free text.
fn log_line(line: &str) -> EventBody {
    if let Some(myid) = line.strip_prefix("Sentinel ID is ").filter(|id| is_word(id)) {
        return EventBody::SentinelId { myid: myid.to_string() };
    }
    if let Some(until) = line
        .strip_prefix("Next failover delay: I will not start a failover before ")
        .and_then(nonempty)
    {
        return EventBody::FailoverDelay {
            until: until.to_string(),
        };
    }
    if let Some(master) = line
        .strip_prefix("Executing user requested FAILOVER of '")
        .and_then(|r| r.strip_suffix('\''))
    {
        return EventBody::UserFailover {
            master: master.to_string(),
        };
    }
    voted_for(line).unwrap_or_else(|| EventBody::Text(line.to_string()))
}

/// `<voter> voted for <leader> <epoch>`.
fn voted_for(line: &str) -> Option<EventBody> {
    let mut w = Words::new(line);
    let voter = w.word()?;
    w.keyword("voted")?;
    w.keyword("for")?;
    let body = EventBody::VotedFor {
        voter: voter.to_string(),
        leader: w.word()?.to_string(),
        epoch: unsigned(w.word()?)?,
    };
    w.at_end().then_some(body)
}

/// `%@`: `<role> <name> <ip> <port>`, then ` @ <master> <ip> <port>` for a replica or Sentinel.
fn subject(w: &mut Words<'_>) -> Option<Subject> {
    let role = match w.word()? {
        "master" => SubjectRole::Master,
        "slave" => SubjectRole::Slave,
        "sentinel" => SubjectRole::Sentinel,
        _ => return None,
    };
    let instance = instance_ref(w)?;
    let master = if role == SubjectRole::Master {
        None
    } else {
        w.keyword("@")?;
        Some(instance_ref(w)?)
    };
    Some(Subject { role, instance, master })
}

fn instance_ref(w: &mut Words<'_>) -> Option<InstanceRef> {
    Some(InstanceRef {
        name: w.word()?.to_string(),
        ip: w.word()?.to_string(),
        port: unsigned(w.word()?)?,
    })
}

fn addr(w: &mut Words<'_>) -> Option<Addr> {
    Some(Addr {
        ip: w.word()?.to_string(),
        port: unsigned(w.word()?)?,
    })
}

fn nonempty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

fn is_word(s: &str) -> bool {
    !s.is_empty() && !s.contains(' ')
}

/// A number as Sentinel prints it (plain decimal, no sign, no leading zero), so that rendering
/// what was read gives the same text.
fn unsigned<T: std::str::FromStr>(s: &str) -> Option<T> {
    let canonical = s == "0" || (!s.starts_with('0') && !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()));
    if canonical {
        s.parse().ok()
    } else {
        None
    }
}

/// A signed number as printed: an optional `-` before a canonical unsigned one (never `-0`).
fn signed(s: &str) -> Option<i32> {
    match s.strip_prefix('-') {
        Some(abs) if abs != "0" => unsigned::<u32>(abs).and_then(|_| s.parse().ok()),
        Some(_) => None,
        None => unsigned(s),
    }
}

/// Space-separated words, read one at a time; two spaces in a row make an empty word, which
/// no layout has.
struct Words<'a> {
    rest: Option<&'a str>,
}

impl<'a> Words<'a> {
    fn new(s: &'a str) -> Words<'a> {
        Words { rest: Some(s) }
    }

    fn word(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        let (word, tail) = match rest.split_once(' ') {
            Some((w, t)) => (w, Some(t)),
            None => (rest, None),
        };
        self.rest = tail;
        nonempty(word)
    }

    /// The next word, which must be `expected`.
    fn keyword(&mut self, expected: &str) -> Option<()> {
        (self.word()? == expected).then_some(())
    }

    /// Everything not yet read (possibly empty after a final space).
    fn rest(&mut self) -> Option<&'a str> {
        self.rest.take()
    }

    fn at_end(&self) -> bool {
        self.rest.is_none()
    }
}
