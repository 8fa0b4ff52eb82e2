//! Sentinel's events (spec §11) and log-only lines as typed values.
//!
//! Sentinel shows an event as `<type> <payload>`: in its log after the level character, and on
//! its pub/sub as channel `<type>` with message `<payload>`. Most payloads start with the
//! instance description (`%@`, a [`Subject`]); the rest of a payload has a fixed layout per
//! type, held here as typed fields. [`EventBody::render`] writes the text exactly as Sentinel
//! 7.0.15 does; [`EventBody::parse`] reads it back (from our own log, or a real Sentinel's).
//!
//! The event types, their channel names, levels and payload shapes are one table:
//! [`EventKind`] (see `event_kinds!` below).

mod parse;
mod render;
#[cfg(test)]
mod tests;

pub use parse::{split_log_line, EventParseError};

use crate::types::{CandidateView, ConnKind, Level};

/// How a kind's payload is laid out, which says which [`EventBody`] variant carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// The payload is exactly `%@`: carried by [`EventBody::About`].
    Subject,
    /// The payload has its own layout: carried by the kind's own [`EventBody`] variant.
    Own,
}

/// Defines [`EventKind`] and its table from one list of `Kind = "channel", Level, Shape;` rows.
macro_rules! event_kinds {
    ($($(#[$doc:meta])* $kind:ident = $name:literal, $level:ident, $shape:ident;)*) => {
        /// A Sentinel event type: one variant per channel Sentinel 7.0.15 emits on.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum EventKind {
            $($(#[$doc])* $kind,)*
        }

        impl EventKind {
            /// Every kind, in table order.
            pub const ALL: &'static [EventKind] = &[$(EventKind::$kind,)*];

            /// The kind's row: channel name, level, payload shape.
            const fn row(self) -> (&'static str, Level, Shape) {
                match self {
                    $(EventKind::$kind => ($name, Level::$level, Shape::$shape),)*
                }
            }
        }
    };
}

event_kinds! {
    Monitor = "+monitor", Warning, Own;
    Unmonitor = "-monitor", Warning, Subject;
    ResetMaster = "+reset-master", Warning, Subject;
    Set = "+set", Warning, Own;
    Slave = "+slave", Notice, Subject;
    Reboot = "+reboot", Notice, Subject;
    /// The reported role agrees with the record's type.
    RoleChange = "+role-change", Verbose, Own;
    /// The reported role disagrees with the record's type.
    RoleChangeIncoherent = "-role-change", Verbose, Own;
    Sentinel = "+sentinel", Notice, Subject;
    SentinelAddressSwitch = "+sentinel-address-switch", Notice, Own;
    SentinelAddressUpdate = "+sentinel-address-update", Notice, Own;
    SentinelInvalidAddr = "+sentinel-invalid-addr", Notice, Subject;
    SDown = "+sdown", Warning, Subject;
    SDownCleared = "-sdown", Warning, Subject;
    ODown = "+odown", Warning, Own;
    ODownCleared = "-odown", Warning, Subject;
    NewEpoch = "+new-epoch", Warning, Own;
    TryFailover = "+try-failover", Warning, Subject;
    VoteForLeader = "+vote-for-leader", Warning, Own;
    ElectedLeader = "+elected-leader", Warning, Subject;
    FailoverAbortNotElected = "-failover-abort-not-elected", Warning, Subject;
    FailoverStateSelectSlave = "+failover-state-select-slave", Warning, Subject;
    SelectedSlave = "+selected-slave", Warning, Subject;
    FailoverAbortNoGoodSlave = "-failover-abort-no-good-slave", Warning, Subject;
    FailoverStateSendSlaveofNoone = "+failover-state-send-slaveof-noone", Notice, Subject;
    FailoverStateWaitPromotion = "+failover-state-wait-promotion", Notice, Subject;
    FailoverAbortSlaveTimeout = "-failover-abort-slave-timeout", Warning, Subject;
    PromotedSlave = "+promoted-slave", Warning, Subject;
    FailoverStateReconfSlaves = "+failover-state-reconf-slaves", Warning, Subject;
    SlaveReconfSent = "+slave-reconf-sent", Notice, Subject;
    SlaveReconfSentTimeout = "-slave-reconf-sent-timeout", Notice, Subject;
    SlaveReconfInprog = "+slave-reconf-inprog", Notice, Subject;
    SlaveReconfDone = "+slave-reconf-done", Notice, Subject;
    /// Best-effort reconfiguration after a failover timed out.
    SlaveReconfSentBe = "+slave-reconf-sent-be", Notice, Subject;
    FailoverEndForTimeout = "+failover-end-for-timeout", Warning, Subject;
    FailoverEnd = "+failover-end", Warning, Subject;
    SwitchMaster = "+switch-master", Warning, Own;
    ConfigUpdateFrom = "+config-update-from", Warning, Subject;
    ConvertToSlave = "+convert-to-slave", Notice, Subject;
    FixSlaveConfig = "+fix-slave-config", Notice, Subject;
    TiltEntered = "+tilt", Warning, Own;
    TiltExited = "-tilt", Warning, Own;
    ScriptError = "-script-error", Warning, Own;
    ScriptTimeout = "-script-timeout", Warning, Own;
    ScriptChildStarted = "+script-child", Debug, Own;
    ScriptChildExited = "-script-child", Debug, Own;
    CmdLinkReconnection = "-cmd-link-reconnection", Debug, Own;
    PubSubLinkReconnection = "-pubsub-link-reconnection", Debug, Own;
}

impl EventKind {
    /// The event type as Sentinel writes it, also its pub/sub channel (`+sdown`).
    pub const fn name(self) -> &'static str {
        self.row().0
    }
    /// The level Sentinel emits this type at (it never varies per occurrence).
    pub const fn level(self) -> Level {
        self.row().1
    }
    pub const fn shape(self) -> Shape {
        self.row().2
    }
    /// The kind whose channel is `name`, if Sentinel has one.
    pub fn from_name(name: &str) -> Option<EventKind> {
        EventKind::ALL.iter().copied().find(|k| k.name() == name)
    }
}

/// In JSON a kind is its channel name (`"+sdown"`).
#[cfg(feature = "serde")]
impl serde::Serialize for EventKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for EventKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        EventKind::from_name(&name).ok_or_else(|| serde::de::Error::custom(format!("unknown event type {name:?}")))
    }
}

/// The type word of `%@`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum SubjectRole {
    Master,
    Slave,
    Sentinel,
}

impl SubjectRole {
    pub const fn as_str(self) -> &'static str {
        match self {
            SubjectRole::Master => "master",
            SubjectRole::Slave => "slave",
            SubjectRole::Sentinel => "sentinel",
        }
    }
}

/// A record as `%@` names it: its name (master name, replica `ip:port`, Sentinel run id) and
/// its address as stored.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct InstanceRef {
    pub name: String,
    pub ip: String,
    pub port: u16,
}

/// The instance an event is about (`%@`): `<role> <name> <ip> <port>`, and for a replica or a
/// Sentinel ` @ <master-name> <master-ip> <master-port>`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Subject {
    pub role: SubjectRole,
    pub instance: InstanceRef,
    /// The master whose tables hold the record: None exactly for a master.
    pub master: Option<InstanceRef>,
}

impl Subject {
    pub fn master(name: &str, ip: &str, port: u16) -> Subject {
        Subject {
            role: SubjectRole::Master,
            instance: InstanceRef {
                name: name.to_string(),
                ip: ip.to_string(),
                port,
            },
            master: None,
        }
    }
}

/// An `ip port` pair as `+switch-master` shows it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Addr {
    pub ip: String,
    pub port: u16,
}

/// The role a data node reported in INFO (`+role-change`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum ReportedRole {
    Master,
    Slave,
}

/// What Sentinel shows of one event or log-only line: the kind (if an event) and its payload's
/// typed fields.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(tag = "form", rename_all = "snake_case"))]
pub enum EventBody {
    /// An event whose payload is exactly `%@` (a kind of [`Shape::Subject`]).
    About { kind: EventKind, subject: Subject },
    /// `+monitor %@ quorum <q>` (as typed to SENTINEL MONITOR, which takes any positive number).
    Monitor { subject: Subject, quorum: u64 },
    /// `+set %@ <option> <value>`: the value as shown (`******` for secrets; two words for
    /// `rename-command`).
    Set {
        subject: Subject,
        option: String,
        value: String,
    },
    /// `±role-change %@ new reported role is <master|slave>`; `coherent` picks `+`.
    RoleChange {
        coherent: bool,
        subject: Subject,
        reported: ReportedRole,
    },
    /// `+sentinel-address-switch %@(master) ip <ip> port <port> for <runid>`.
    SentinelAddressSwitch { master: Subject, to: Addr, runid: String },
    /// `+sentinel-address-update %@(sentinel) <n> additional matching instances`.
    SentinelAddressUpdate { sentinel: Subject, count: u64 },
    /// `+odown %@ #quorum <votes>/<quorum>`.
    ODown { subject: Subject, votes: u32, quorum: u32 },
    /// `+new-epoch <epoch>`.
    NewEpoch { epoch: u64 },
    /// `+vote-for-leader <runid> <epoch>`.
    VoteForLeader { runid: String, epoch: u64 },
    /// `+switch-master <name> <old-ip> <old-port> <new-ip> <new-port>`.
    SwitchMaster { master: String, from: Addr, to: Addr },
    /// `+tilt #tilt mode entered` / `-tilt #tilt mode exited`.
    Tilt { entered: bool },
    /// `-script-error <path> <signal> <code>` (`99 0`: the script could not be started).
    ScriptError { path: String, signal: i32, code: i32 },
    /// `-script-timeout <path> <pid>`.
    ScriptTimeout { path: String, pid: u32 },
    /// `+script-child <pid>`.
    ScriptChildStarted { pid: u32 },
    /// `-script-child <pid> <code> <signal>`.
    ScriptChildExited { pid: u32, code: i32, signal: i32 },
    /// `-cmd-link-reconnection` / `-pubsub-link-reconnection %@ #<error>`.
    LinkReconnection {
        link: ConnKind,
        subject: Subject,
        error: String,
    },
    /// Log only: `Sentinel ID is <runid>`.
    SentinelId { myid: String },
    /// Log only: `<voter-runid> voted for <leader-runid> <epoch>` (a peer's vote we learnt).
    VotedFor { voter: String, leader: String, epoch: u64 },
    /// Log only: `Next failover delay: I will not start a failover before <date>`, the date as
    /// printed (`ctime` style; local time in a real Sentinel).
    FailoverDelay { until: String },
    /// Log only: `Executing user requested FAILOVER of '<master>'`.
    UserFailover { master: String },
    /// Log only: a line with no structure worth typing.
    Text(String),
}

impl EventBody {
    /// A `%@`-only event (`+sdown`, `+try-failover`, ...).
    pub fn about(kind: EventKind, subject: Subject) -> EventBody {
        debug_assert_eq!(
            kind.shape(),
            Shape::Subject,
            "{} has its own payload layout",
            kind.name()
        );
        EventBody::About { kind, subject }
    }

    /// The event type; None for a log-only line.
    pub fn kind(&self) -> Option<EventKind> {
        use EventBody as B;
        use EventKind as K;
        Some(match self {
            B::About { kind, .. } => *kind,
            B::Monitor { .. } => K::Monitor,
            B::Set { .. } => K::Set,
            B::RoleChange { coherent: true, .. } => K::RoleChange,
            B::RoleChange { coherent: false, .. } => K::RoleChangeIncoherent,
            B::SentinelAddressSwitch { .. } => K::SentinelAddressSwitch,
            B::SentinelAddressUpdate { .. } => K::SentinelAddressUpdate,
            B::ODown { .. } => K::ODown,
            B::NewEpoch { .. } => K::NewEpoch,
            B::VoteForLeader { .. } => K::VoteForLeader,
            B::SwitchMaster { .. } => K::SwitchMaster,
            B::Tilt { entered: true } => K::TiltEntered,
            B::Tilt { entered: false } => K::TiltExited,
            B::ScriptError { .. } => K::ScriptError,
            B::ScriptTimeout { .. } => K::ScriptTimeout,
            B::ScriptChildStarted { .. } => K::ScriptChildStarted,
            B::ScriptChildExited { .. } => K::ScriptChildExited,
            B::LinkReconnection {
                link: ConnKind::Cmd, ..
            } => K::CmdLinkReconnection,
            B::LinkReconnection {
                link: ConnKind::PubSub, ..
            } => K::PubSubLinkReconnection,
            B::SentinelId { .. }
            | B::VotedFor { .. }
            | B::FailoverDelay { .. }
            | B::UserFailover { .. }
            | B::Text(_) => return None,
        })
    }

    /// The event type (`+sdown`), also the pub/sub channel; empty for a log-only line.
    pub fn name(&self) -> &'static str {
        self.kind().map_or("", EventKind::name)
    }

    /// The instance the event is about, for the events that name one.
    pub fn subject(&self) -> Option<&Subject> {
        use EventBody as B;
        match self {
            B::About { subject, .. }
            | B::Monitor { subject, .. }
            | B::Set { subject, .. }
            | B::RoleChange { subject, .. }
            | B::ODown { subject, .. }
            | B::LinkReconnection { subject, .. } => Some(subject),
            B::SentinelAddressSwitch { master, .. } => Some(master),
            B::SentinelAddressUpdate { sentinel, .. } => Some(sentinel),
            _ => None,
        }
    }
}

/// Simulation debug probe: core-internal state exported with each event for the checks; not
/// part of what Sentinel shows (its log and pub/sub carry only the [`EventBody`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DebugProbe {
    /// The emitting Sentinel's run id.
    pub myid: String,
    /// The master the event concerns, if any.
    pub master: Option<String>,
    /// `current_epoch` after the event.
    pub current_epoch: u64,
    /// The concerned master's `config_epoch` after the event (0 if none).
    pub config_epoch: u64,
    /// The failover epoch for failover events, the voted epoch for `+vote-for-leader`.
    pub failover_epoch: u64,
    /// `+selected-slave` only.
    pub candidate: Option<CandidateView>,
    /// Whether the sentinel was in TILT when the event happened.
    pub tilt: bool,
}

/// A Sentinel event (spec §11) or a log-only line, as the core emits it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub level: Level,
    pub body: EventBody,
    pub probe: DebugProbe,
}

impl Event {
    /// True if Sentinel publishes it on its pub/sub (everything but debug level and log-only lines).
    pub fn is_published(&self) -> bool {
        self.level != Level::Debug && self.body.kind().is_some()
    }
    /// The event type, also the pub/sub channel (`+sdown`); empty for a log-only line.
    pub fn name(&self) -> &'static str {
        self.body.name()
    }
    /// The pub/sub message (`master mymaster 127.0.0.1 6382 #quorum 2/2`); the whole text of a
    /// log-only line.
    pub fn payload(&self) -> String {
        self.body.payload()
    }
    /// The line as Sentinel logs it after the level character: `+sdown master mymaster 127.0.0.1 6382`.
    pub fn line(&self) -> String {
        self.body.render()
    }
}
