//! The network tap: the safety messages on streams with a Sentinel at one end, recorded in the
//! trace as [`Kind::Wire`] at the moment the sender writes them (ground truth that does not
//! depend on what the Sentinel logs).
//!
//! Only the streams that carry such messages are parsed, each direction with the resp crate's
//! bounded, resumable decoders:
//! - a Sentinel's outgoing connections (it is the client): what it writes, as commands
//!   (`SENTINEL is-master-down-by-addr`, `SLAVEOF`/`REPLICAOF`, `CONFIG REWRITE`, hello
//!   `PUBLISH`es; a hello is recorded when its payload differs from the last one recorded on that
//!   connection: the identical repeat every 2 s would be most of the trace and says nothing new);
//! - a Sentinel's accepted connections from another Sentinel: what it reads, as commands (to know
//!   which request each reply answers, FIFO as RESP pairs them), and what it writes, as replies
//!   (the replies to `is-master-down-by-addr`: the votes).
//!
//! Every other stream (data node replies, clients, the runner's probes) gets no tap and costs
//! nothing. A direction that breaks the protocol stops being parsed.

use crate::trace::{Kind, Sent, WireMsg};
use crate::truth::Hello;
use crate::world::Recorder;
use resp::{Command, CommandScanner, Limits, ReplyScanner, Value};
use std::collections::{BTreeMap, VecDeque};
use std::net::IpAddr;

/// A process the tap knows by its simulated host.
#[derive(Debug, Clone)]
pub struct Host {
    pub name: String,
    pub sentinel: bool,
}

/// What the tap needs from the world: the trace and who lives on which host.
#[derive(Clone)]
pub struct TapCtx {
    pub rec: Recorder,
    pub hosts: BTreeMap<IpAddr, Host>,
}

/// Which end of a connection a stream is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// It connected.
    Client,
    /// It was accepted.
    Server,
}

/// One direction of a stream, parsed incrementally.
struct Frames<S> {
    buf: Vec<u8>,
    scanner: S,
}

impl<S> Frames<S> {
    fn new(scanner: S) -> Self {
        Frames {
            buf: Vec::new(),
            scanner,
        }
    }
}

/// A request a Sentinel received from a peer, waiting for its reply.
enum Asked {
    Vote { master: String, epoch: u64, runid: String },
    Other,
}

/// The tap of one stream end.
pub struct StreamTap {
    rec: Recorder,
    me: String,
    peer: String,
    /// What this end writes, parsed as commands (a Sentinel as client).
    commands_out: Option<Frames<CommandScanner>>,
    /// What this end reads, parsed as commands (a Sentinel serving a peer Sentinel).
    commands_in: Option<Frames<CommandScanner>>,
    /// What this end writes, parsed as replies (a Sentinel serving a peer Sentinel).
    replies_out: Option<Frames<ReplyScanner>>,
    asked: VecDeque<Asked>,
    /// The last hello recorded on this stream: a repeat (every 2 s, same payload) is not
    /// recorded again.
    last_hello: Option<Hello>,
}

impl TapCtx {
    /// The tap for a stream of host `me` with `peer`, or None when it carries nothing the tap
    /// records.
    pub fn tap(&self, me: IpAddr, peer: IpAddr, side: Side) -> Option<StreamTap> {
        let (mine, theirs) = (self.hosts.get(&me)?, self.hosts.get(&peer)?);
        if !mine.sentinel {
            return None;
        }
        let limits = Limits::DEFAULT;
        let (commands_out, commands_in, replies_out) = match side {
            Side::Client => (Some(Frames::new(CommandScanner::new(limits))), None, None),
            Side::Server if theirs.sentinel => (
                None,
                Some(Frames::new(CommandScanner::new(limits))),
                Some(Frames::new(ReplyScanner::new())),
            ),
            Side::Server => return None,
        };
        Some(StreamTap {
            rec: self.rec.clone(),
            me: mine.name.clone(),
            peer: theirs.name.clone(),
            commands_out,
            commands_in,
            replies_out,
            asked: VecDeque::new(),
            last_hello: None,
        })
    }
}

impl StreamTap {
    /// Bytes this end wrote (accepted by its socket).
    pub fn wrote(&mut self, bytes: &[u8]) {
        if let Some(f) = &mut self.commands_out {
            let mut found = Vec::new();
            if !commands(f, bytes, &mut found) {
                self.commands_out = None;
            }
            for cmd in found {
                match outgoing(&cmd) {
                    Some(Sent::Hello(h)) if self.last_hello.as_ref() == Some(&h) => {}
                    Some(Sent::Hello(h)) => {
                        self.last_hello = Some(h.clone());
                        self.record(Sent::Hello(h));
                    }
                    Some(sent) => self.record(sent),
                    None => {}
                }
            }
        }
        if self.replies_out.is_some() {
            self.replies(bytes);
        }
    }

    /// Bytes this end read.
    pub fn read(&mut self, bytes: &[u8]) {
        let Some(f) = &mut self.commands_in else { return };
        let mut found = Vec::new();
        if !commands(f, bytes, &mut found) {
            self.commands_in = None;
        }
        for cmd in found {
            self.asked.push_back(asked(&cmd));
        }
    }

    /// Replies this end wrote: each answers the oldest request not answered yet.
    fn replies(&mut self, bytes: &[u8]) {
        let Some(f) = &mut self.replies_out else { return };
        f.buf.extend_from_slice(bytes);
        let mut votes = Vec::new();
        loop {
            match f.scanner.scan(&f.buf) {
                Ok(Some(n)) => {
                    if let Some(Asked::Vote { master, epoch, runid }) = self.asked.pop_front() {
                        let reply = resp::decode_value(&f.buf[..n]).ok().flatten().map(|(v, _)| v);
                        votes.push(vote_reply(master, epoch, runid, reply.as_ref()));
                    }
                    f.buf.drain(..n);
                }
                Ok(None) => break,
                Err(_) => {
                    self.replies_out = None;
                    break;
                }
            }
        }
        for v in votes.into_iter().flatten() {
            self.record(v);
        }
    }

    fn record(&self, sent: Sent) {
        let msg = WireMsg {
            from: self.me.clone(),
            to: self.peer.clone(),
            sent,
        };
        self.rec.push(&self.me, Kind::Wire(msg));
    }
}

/// Feeds `bytes` to a command direction, collecting the whole commands; false on a protocol error.
fn commands(f: &mut Frames<CommandScanner>, bytes: &[u8], found: &mut Vec<Command>) -> bool {
    f.buf.extend_from_slice(bytes);
    loop {
        match f.scanner.scan(&f.buf) {
            Ok(Some((cmd, used))) => {
                f.buf.drain(..used);
                if !cmd.is_empty() {
                    found.push(cmd);
                }
            }
            Ok(None) => return true,
            Err(_) => return false,
        }
    }
}

fn is(arg: Option<&Vec<u8>>, name: &str) -> bool {
    arg.is_some_and(|a| a.eq_ignore_ascii_case(name.as_bytes()))
}

fn text(arg: &[u8]) -> String {
    String::from_utf8_lossy(arg).into_owned()
}

/// `SENTINEL is-master-down-by-addr <ip> <port> <epoch> <runid>` → (ip:port, epoch, runid).
fn vote_request(cmd: &Command) -> Option<(String, u64, String)> {
    if cmd.len() != 6 || !is(cmd.first(), "sentinel") || !is(cmd.get(1), "is-master-down-by-addr") {
        return None;
    }
    let epoch = text(&cmd[4]).parse().ok()?;
    Some((format!("{}:{}", text(&cmd[2]), text(&cmd[3])), epoch, text(&cmd[5])))
}

/// The safety message a command written by a Sentinel is, if any.
fn outgoing(cmd: &Command) -> Option<Sent> {
    if let Some((master, epoch, runid)) = vote_request(cmd) {
        return Some(Sent::VoteRequest { master, epoch, runid });
    }
    let first = cmd.first()?;
    if (first.eq_ignore_ascii_case(b"slaveof") || first.eq_ignore_ascii_case(b"replicaof")) && cmd.len() == 3 {
        let no_one = is(cmd.get(1), "no") && is(cmd.get(2), "one");
        return Some(Sent::SlaveOf {
            verb: text(first).to_ascii_uppercase(),
            master: (!no_one).then(|| format!("{}:{}", text(&cmd[1]), text(&cmd[2]))),
        });
    }
    if first.eq_ignore_ascii_case(b"config") && is(cmd.get(1), "rewrite") {
        return Some(Sent::ConfigRewrite);
    }
    if first.eq_ignore_ascii_case(b"publish") && cmd.len() == 3 && is(cmd.get(1), "__sentinel__:hello") {
        return Hello::parse(&text(&cmd[2])).map(Sent::Hello);
    }
    None
}

fn asked(cmd: &Command) -> Asked {
    match vote_request(cmd) {
        Some((master, epoch, runid)) => Asked::Vote { master, epoch, runid },
        None => Asked::Other,
    }
}

/// The reply to an is-master-down-by-addr request, if it has the 3 elements Sentinel accepts
/// (integer, string, integer).
fn vote_reply(master: String, req_epoch: u64, req_runid: String, reply: Option<&Value>) -> Option<Sent> {
    let [down, leader, epoch] = reply?.as_array()? else {
        return None;
    };
    Some(Sent::VoteReply {
        master,
        req_epoch,
        req_runid,
        down: down.as_int()? == 1,
        leader: leader.as_text()?.into_owned(),
        leader_epoch: u64::try_from(epoch.as_int()?).ok()?,
    })
}
