//! Ground truth in the trace: what the world knows happened, independently of what any process
//! says about itself.
//!
//! - [`Fact`]: a change of the world's state, recorded by the world as it makes it (process
//!   states, cuts, link shapes, clocks) or, for replication links, read from the data node's own
//!   log lines the moment it writes them (see [`Fact::Replication`]).
//! - [`WireMsg`]: a message that decides safety, captured by the simulated network at the moment
//!   the sender writes its bytes (`sent`), on streams with a Sentinel at one end.

use serde::{Deserialize, Serialize};

/// A process's state as the world changed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProcState {
    /// Running from the start of the run.
    Alive,
    /// Killed (kill -9, or a `kill_on` trigger).
    Killed,
    /// Paused (SIGSTOP): alive, but runs nothing.
    Paused,
    Resumed,
    /// Started again (from killed, or killed and started at once).
    Restarted,
}

/// A data node's replication role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Master,
    Replica,
}

/// A change of the world's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "fact", rename_all = "snake_case")]
pub enum Fact {
    /// The world changed a process's state (from its own record of kills, pauses, restarts).
    Process { node: String, state: ProcState },
    /// The directed path `from → to` was cut (packets silently dropped) or opened again (from the
    /// network's cut table, after every network action that changed it).
    Link { from: String, to: String, cut: bool },
    /// The directed link `from → to` got an extra delay in [min_ms, max_ms] and a loss rate per
    /// segment (all 0: plain again).
    Shape {
        from: String,
        to: String,
        min_ms: u64,
        max_ms: u64,
        loss: f64,
    },
    /// The whole network's base latency (µs) and loss (madsim's global configuration): at the
    /// start, and whenever it changes.
    Network { min_us: u64, max_us: u64, loss: f64 },
    /// A process's wall clock now reads `offset_ms` away from true time and runs `rate` times as
    /// fast as true time from here on (from the world's clock handle, after every change).
    Clock { node: String, offset_ms: i64, rate: f64 },
    /// A data node's replication state, read from the data node's own log lines as it writes them
    /// (`MASTER MODE enabled`, `REPLICAOF … enabled`, `Connecting to MASTER …`, `Connection with
    /// master lost.`, `… sync: Finished with success`, `… Partial Resynchronization.`, `Ready to
    /// accept connections`): its role, its master, whether the link is up, and since when (ms of
    /// the run) it has been down after having been up (None: never lost, as Redis's
    /// `repl_down_since` 0, which INFO reports as -1). `offset`: while a replica's link is down,
    /// the replication offset it holds (INFO `slave_repl_offset`, handed over by the node with
    /// the line; frozen until the link is back, as nothing reaches it), None while the link is up.
    Replication {
        node: String,
        role: Role,
        master: Option<String>,
        link_up: bool,
        down_since_ms: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        offset: Option<i64>,
    },
    /// A data node's run id (INFO `run_id`, handed over by the node with its first log line
    /// after each start: Redis draws a new one at every start).
    RunId { node: String, run_id: String },
    /// A Sentinel's config file as the world's disk received it (a save through its storage, read
    /// back from the text written, as a file watcher would; a save that leaves these fields as
    /// they were is not recorded again). `node` is the Sentinel.
    ConfigSaved {
        node: String,
        current_epoch: u64,
        masters: Vec<SavedMaster>,
    },
}

/// One master of a saved Sentinel config: its `monitor` address and its epochs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedMaster {
    pub name: String,
    /// `ip:port` of the `sentinel monitor` line.
    pub addr: String,
    pub config_epoch: u64,
    pub leader_epoch: u64,
}

impl Fact {
    /// The process the fact is about (the sender's side for links).
    pub fn node(&self) -> &str {
        match self {
            Fact::Process { node, .. }
            | Fact::Clock { node, .. }
            | Fact::Replication { node, .. }
            | Fact::RunId { node, .. }
            | Fact::ConfigSaved { node, .. }
            | Fact::Link { from: node, .. }
            | Fact::Shape { from: node, .. } => node,
            Fact::Network { .. } => "world",
        }
    }

    /// A short line for summaries and the JSON's `line`.
    pub fn render(&self) -> String {
        match self {
            Fact::Process { node, state } => format!("{node} {state:?}").to_lowercase(),
            Fact::Link { from, to, cut: true } => format!("link {from} -> {to} cut"),
            Fact::Link { from, to, cut: false } => format!("link {from} -> {to} open"),
            Fact::Shape {
                from,
                to,
                min_ms,
                max_ms,
                loss,
            } => format!("link {from} -> {to} latency {min_ms}-{max_ms}ms loss {loss}"),
            Fact::Network { min_us, max_us, loss } => format!("network latency {min_us}-{max_us}us loss {loss}"),
            Fact::Clock { node, offset_ms, rate } => format!("clock {node} offset {offset_ms}ms rate {rate}"),
            Fact::Replication {
                node,
                role,
                master,
                link_up,
                down_since_ms,
                offset,
            } => match role {
                Role::Master => format!("{node} is a master"),
                Role::Replica => format!(
                    "{node} replicates {} link {}{}{}",
                    master.as_deref().unwrap_or("?"),
                    if *link_up { "up" } else { "down" },
                    down_since_ms.map(|t| format!(" since {t}ms")).unwrap_or_default(),
                    offset.map(|o| format!(" offset {o}")).unwrap_or_default()
                ),
            },
            Fact::RunId { node, run_id } => format!("{node} run id {run_id}"),
            Fact::ConfigSaved {
                node,
                current_epoch,
                masters,
            } => {
                let ms: Vec<String> = masters
                    .iter()
                    .map(|m| {
                        format!(
                            " {} {} config-epoch {} leader-epoch {}",
                            m.name, m.addr, m.config_epoch, m.leader_epoch
                        )
                    })
                    .collect();
                format!("{node} saved config: current-epoch {current_epoch}{}", ms.join(";"))
            }
        }
    }
}

/// A Sentinel's hello (`PUBLISH __sentinel__:hello <8 fields>`), its fields parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    pub ip: String,
    pub port: u16,
    pub runid: String,
    pub epoch: u64,
    pub master_name: String,
    pub master_ip: String,
    pub master_port: u16,
    pub config_epoch: u64,
}

impl Hello {
    /// Parses the payload (`ip,port,runid,epoch,name,ip,port,config_epoch`); None unless it has
    /// exactly 8 well-formed fields.
    pub fn parse(payload: &str) -> Option<Hello> {
        let f: Vec<&str> = payload.split(',').collect();
        if f.len() != 8 {
            return None;
        }
        Some(Hello {
            ip: f[0].to_string(),
            port: f[1].parse().ok()?,
            runid: f[2].to_string(),
            epoch: f[3].parse().ok()?,
            master_name: f[4].to_string(),
            master_ip: f[5].to_string(),
            master_port: f[6].parse().ok()?,
            config_epoch: f[7].parse().ok()?,
        })
    }
}

/// What was sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "msg", rename_all = "snake_case")]
pub enum Sent {
    /// `SENTINEL is-master-down-by-addr <ip> <port> <epoch> <runid>`: `runid` is the candidate a
    /// vote is asked for, `*` when only the down state is asked.
    VoteRequest { master: String, epoch: u64, runid: String },
    /// The reply to a `VoteRequest` (paired FIFO on its connection; the request's fields repeated):
    /// `down` as the voter judged, and its vote (`leader` run id, `*` for none, at `leader_epoch`).
    VoteReply {
        master: String,
        req_epoch: u64,
        req_runid: String,
        down: bool,
        leader: String,
        leader_epoch: u64,
    },
    /// `SLAVEOF`/`REPLICAOF` (`verb`) `<host> <port>`; `master` None for `NO ONE` (a promotion).
    SlaveOf { verb: String, master: Option<String> },
    /// `CONFIG REWRITE`.
    ConfigRewrite,
    /// A hello published to an instance.
    Hello(Hello),
}

/// A safety message as it left its sender: who sent it to whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireMsg {
    pub from: String,
    pub to: String,
    pub sent: Sent,
}

impl WireMsg {
    /// A short line for summaries and the JSON's `line`.
    pub fn render(&self) -> String {
        let what = match &self.sent {
            Sent::VoteRequest { master, epoch, runid } => {
                format!("is-master-down-by-addr {master} epoch {epoch} runid {runid}")
            }
            Sent::VoteReply {
                down,
                leader,
                leader_epoch,
                ..
            } => format!("reply down {} leader {leader} epoch {leader_epoch}", u8::from(*down)),
            Sent::SlaveOf { verb, master } => format!("{verb} {}", master.as_deref().unwrap_or("NO ONE")),
            Sent::ConfigRewrite => "CONFIG REWRITE".to_string(),
            Sent::Hello(h) => format!(
                "hello {}:{} {} epoch {} {} {}:{} config-epoch {}",
                h.ip, h.port, h.runid, h.epoch, h.master_name, h.master_ip, h.master_port, h.config_epoch
            ),
        };
        format!("sent {} -> {}: {what}", self.from, self.to)
    }
}
