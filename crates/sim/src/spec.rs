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
}

#[derive(Debug, Clone)]
pub struct TimedAction {
    pub at_ms: u64,
    pub action: WorldAction,
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
    /// In time order (stable for equal times).
    pub actions: Vec<TimedAction>,
}
