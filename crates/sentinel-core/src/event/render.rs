//! Events as Sentinel writes them: `<type> <payload>`, the payload laid out per type.

use super::{EventBody, ReportedRole, Subject};
use std::fmt::{self, Display, Formatter};

impl Display for Subject {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let i = &self.instance;
        write!(f, "{} {} {} {}", self.role.as_str(), i.name, i.ip, i.port)?;
        if let Some(m) = &self.master {
            write!(f, " @ {} {} {}", m.name, m.ip, m.port)?;
        }
        Ok(())
    }
}

impl ReportedRole {
    pub const fn as_str(self) -> &'static str {
        match self {
            ReportedRole::Master => "master",
            ReportedRole::Slave => "slave",
        }
    }
}

/// The text after the type: what Sentinel publishes as the message, or a log-only line whole.
struct Payload<'a>(&'a EventBody);

impl Display for Payload<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        use EventBody as B;
        match self.0 {
            B::About { subject, .. } => write!(f, "{subject}"),
            B::Monitor { subject, quorum } => write!(f, "{subject} quorum {quorum}"),
            B::Set { subject, option, value } => write!(f, "{subject} {option} {value}"),
            B::RoleChange { subject, reported, .. } => {
                write!(f, "{subject} new reported role is {}", reported.as_str())
            }
            B::SentinelAddressSwitch { master, to, runid } => {
                write!(f, "{master} ip {} port {} for {runid}", to.ip, to.port)
            }
            B::SentinelAddressUpdate { sentinel, count } => {
                write!(f, "{sentinel} {count} additional matching instances")
            }
            B::ODown { subject, votes, quorum } => write!(f, "{subject} #quorum {votes}/{quorum}"),
            B::NewEpoch { epoch } => write!(f, "{epoch}"),
            B::VoteForLeader { runid, epoch } => write!(f, "{runid} {epoch}"),
            B::SwitchMaster { master, from, to } => {
                write!(f, "{master} {} {} {} {}", from.ip, from.port, to.ip, to.port)
            }
            B::Tilt { entered: true } => f.write_str("#tilt mode entered"),
            B::Tilt { entered: false } => f.write_str("#tilt mode exited"),
            B::ScriptError { path, signal, code } => write!(f, "{path} {signal} {code}"),
            B::ScriptTimeout { path, pid } => write!(f, "{path} {pid}"),
            B::ScriptChildStarted { pid } => write!(f, "{pid}"),
            B::ScriptChildExited { pid, code, signal } => write!(f, "{pid} {code} {signal}"),
            B::LinkReconnection { subject, error, .. } => write!(f, "{subject} #{error}"),
            B::SentinelId { myid } => write!(f, "Sentinel ID is {myid}"),
            B::VotedFor { voter, leader, epoch } => write!(f, "{voter} voted for {leader} {epoch}"),
            B::FailoverDelay { until } => {
                write!(f, "Next failover delay: I will not start a failover before {until}")
            }
            B::UserFailover { master } => write!(f, "Executing user requested FAILOVER of '{master}'"),
            B::Text(text) => f.write_str(text),
        }
    }
}

/// The whole line: `<type> <payload>`, or the payload alone for a log-only line.
impl Display for EventBody {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.kind() {
            Some(kind) => write!(f, "{} {}", kind.name(), Payload(self)),
            None => write!(f, "{}", Payload(self)),
        }
    }
}

impl EventBody {
    /// The line as Sentinel logs it after the level character.
    pub fn render(&self) -> String {
        self.to_string()
    }
    /// The pub/sub message; for a log-only line, the whole line.
    pub fn payload(&self) -> String {
        Payload(self).to_string()
    }
}
