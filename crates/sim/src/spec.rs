//! What the world is asked to build and play: processes, their configs, and concrete timed
//! actions. The scenario format is compiled into this (see `crate::plan`).

/// One process of the world.
#[derive(Debug, Clone)]
pub struct ProcSpec {
    /// Scenario name, e.g. `redis-6382`.
    pub name: String,
    /// The address everyone knows it by (`127.0.0.1`), as in configs, INFO and events.
    pub ip: String,
    pub port: u16,
    pub kind: ProcKind,
}

#[derive(Debug, Clone)]
pub enum ProcKind {
    Redis(redis_node::RedisConfig),
    /// A sentinel and the initial content of its sentinel.conf.
    Sentinel {
        config: String,
    },
}

impl ProcSpec {
    pub fn addr(&self) -> String {
        format!("{}:{}", self.ip, self.port)
    }
    pub fn is_sentinel(&self) -> bool {
        matches!(self.kind, ProcKind::Sentinel { .. })
    }
}

/// A concrete action on the world; processes are indexes into `WorldSpec::procs`.
#[derive(Debug, Clone, PartialEq)]
pub enum WorldAction {
    /// Crash (kill -9): the process's connections are reset.
    Kill(usize),
    /// Start a killed process again (or kill and start a running one); `wipe` empties its disk.
    Restart {
        proc: usize,
        wipe: bool,
    },
    /// A hang (SIGSTOP): connections stay open, nothing is answered.
    Pause(usize),
    Resume(usize),
    /// A command sent by an operator (redis-cli) to a process, e.g. `SENTINEL FAILOVER mymaster`.
    Command {
        proc: usize,
        args: Vec<String>,
    },
    /// Processes in different groups cannot talk (silent drops, both ways). Replaces any
    /// previous partition.
    Partition {
        groups: Vec<Vec<usize>>,
    },
    /// Messages from any `from` process to any `to` process are dropped; adds to the current cut.
    PartitionOneway {
        from: Vec<usize>,
        to: Vec<usize>,
    },
    /// Removes every partition.
    Heal,
    /// Without `links`: every message is delayed by a uniform draw in [min, max] ms instead of the
    /// scenario's base latency (madsim's global configuration). With `links`: each segment on those
    /// links is delayed by that much on top of the base latency (replacing their previous extra).
    Latency {
        min_ms: u64,
        max_ms: u64,
        links: Option<Links>,
    },
    /// Without `links`: every message is dropped with this probability (madsim's global
    /// configuration). With `links`: each segment (and SYN) on those links is lost with this
    /// probability and retransmitted, as TCP does.
    Loss {
        rate: f64,
        links: Option<Links>,
    },
    /// Latency and loss back to the scenario's base network, on every link.
    NetReset,
    /// The process's wall clock reads `offset_ms` away from true time from now on.
    ClockSkew {
        proc: usize,
        offset_ms: i64,
    },
    /// The process's wall clock jumps by `by_ms` once.
    ClockJump {
        proc: usize,
        by_ms: i64,
    },
    /// The process's wall clock runs `rate` times as fast as true time from now on.
    ClockDrift {
        proc: usize,
        rate: f64,
    },
    /// For `duration_ms` the clock flips between +amplitude and its offset every period.
    ClockStrobe {
        proc: usize,
        amplitude_ms: u64,
        period_ms: u64,
        duration_ms: u64,
    },
    /// Back to true time, no drift.
    ClockReset {
        proc: usize,
    },
    /// Arms a trigger: the first Sentinel that emits `event` from now on is killed at that instant
    /// (with `subject`, the instance the event is about instead).
    KillOn {
        event: String,
        subject: bool,
    },
}

/// Which directed links a per-link latency or loss applies to (clients near a process go with it).
#[derive(Debug, Clone, PartialEq)]
pub enum Links {
    /// Every link to and from these processes.
    Touching(Vec<usize>),
    /// Every link from a `from` process to a `to` process.
    Directed { from: Vec<usize>, to: Vec<usize> },
}

#[derive(Debug, Clone)]
pub struct TimedAction {
    pub at_ms: u64,
    pub action: WorldAction,
    /// The scenario's action it came from (recorded in the trace, typed).
    pub source: crate::scenario::Action,
    /// What the trace says when it happens (`kill 127.0.0.1:6382`).
    pub line: String,
}

#[derive(Debug, Clone)]
pub struct WorldSpec {
    pub seed: u64,
    /// Simulated time the run lasts.
    pub duration_ms: u64,
    /// The monitored master group's name (for the final `GET-MASTER-ADDR-BY-NAME`).
    pub master_name: String,
    pub procs: Vec<ProcSpec>,
    /// Workload clients, each on its own host.
    pub clients: Vec<ClientSpec>,
    /// In time order (stable for equal times).
    pub actions: Vec<TimedAction>,
    /// Record the Sentinel core's debug probe (internal epochs, candidate view, TILT flag) with
    /// each event, for the checks that judge from it (README: "What each check judges from").
    pub debug_probe: bool,
    /// The base network (latency and loss of every message) before any network action.
    pub network: crate::scenario::Network,
    /// The data nodes' password (`[master] auth_pass`): the runner's probes `AUTH` with it.
    pub auth_pass: Option<String>,
}

/// A workload client and where it lives in the network.
#[derive(Debug, Clone)]
pub struct ClientSpec {
    pub config: crate::workload::client::ClientConfig,
    /// The process whose side of every partition it shares (an app server next to its Redis).
    pub near: Option<usize>,
}
