//! A simulated Redis 7.0.15 data node (master or replica) for the Sentinel testbed.
//!
//! It speaks RESP2 on a TCP port and implements what Sentinel and the simulated clients rely on:
//! `INFO` (Redis 7.0.15 field order), `ROLE`, `REPLICAOF`/`SLAVEOF` (replication id shift on
//! promotion, cached master on demotion), `MULTI`/`EXEC` with queue-time rejections
//! (`EXECABORT`), `CONFIG GET/SET/REWRITE`, `CLIENT SETNAME/KILL/LIST`, `AUTH`, pub/sub (replicated
//! `PUBLISH`), a small string/list keyspace, `WAIT`, and real master→replica replication over the
//! (simulated) network: handshake, `PSYNC` partial or full (diskless, delayed), command stream with
//! byte offsets, `REPLCONF ACK`, repl-timeout, reconnects, chained replicas, and the
//! min-replicas / read-only / stale-data / loading errors.
//!
//! Layout: [`db`] (keyspace and data commands), [`repl`] (replication ids, backlog, PSYNC decision),
//! `core` (all command and replication logic as a synchronous state machine that takes the time
//! as an argument; one submodule per concern: clients, dispatch, keyspace, master and replica
//! side of replication, ...), `server` (the thin async driver: listener, connections, replication link,
//! cron). Everything runs on madsim's simulated tokio as well as on real tokio.

mod commands;
mod core;
pub mod db;
mod disk;
mod info;
pub mod repl;
mod server;

use std::sync::Arc;

pub use disk::Disk;

/// The node's configuration (what redis.conf would say).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedisConfig {
    /// Listens on `0.0.0.0:port`.
    pub port: u16,
    /// `replica-announce-ip`: sent as `REPLCONF ip-address`; the master shows it in INFO
    /// (`slaveN:ip=`) and ROLE.
    pub announce_ip: String,
    /// Initial `replicaof`, used only while the disk holds no rewritten config.
    pub replica_of: Option<(String, u16)>,
    /// `replica-priority` (INFO `slave_priority`).
    pub replica_priority: u32,
    pub min_replicas_to_write: u32,
    pub min_replicas_max_lag_s: u32,
    pub replica_serve_stale_data: bool,
    pub replica_read_only: bool,
    /// true: the dataset and the replication id/offset survive a restart (written through on every
    /// change, like an AOF with `appendfsync always`). The rewritten config always survives.
    pub persistence: bool,
    /// `repl-diskless-sync-delay` (Redis 7.0 default 5 s).
    pub repl_diskless_sync_delay_ms: u64,
    /// `repl-timeout`.
    pub repl_timeout_s: u64,
    /// `requirepass`; also used as `masterauth` towards this node's master.
    pub requirepass: Option<String>,
    /// Seeds the run id (new at every start) and every other random choice.
    pub rng_seed: u64,
}

impl Default for RedisConfig {
    fn default() -> Self {
        RedisConfig {
            port: 6379,
            announce_ip: "127.0.0.1".into(),
            replica_of: None,
            replica_priority: 100,
            min_replicas_to_write: 0,
            min_replicas_max_lag_s: 10,
            replica_serve_stale_data: true,
            replica_read_only: true,
            persistence: false,
            repl_diskless_sync_delay_ms: 5000,
            repl_timeout_s: 60,
            requirepass: None,
            rng_seed: 0,
        }
    }
}

/// Receives log-like lines for important transitions, worded like Redis' own log lines
/// ("MASTER MODE enabled ...", "Full resync from master: ..."). Never called per command.
pub trait DataObserver: Send + Sync {
    fn note(&self, line: &str);
    /// INFO's `run_id` and `slave_repl_offset` as they stand after the transition the next lines
    /// describe (called just before them): what an observer would read with `INFO` at that
    /// moment, without sending a command over the network.
    fn info(&self, _run_id: &str, _slave_repl_offset: i64) {}
}

/// An observer that drops every line.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoObserver;

impl DataObserver for NoObserver {
    fn note(&self, _line: &str) {}
}

/// What the node gets from its host.
#[derive(Clone)]
pub struct Env {
    /// Wall clock (`mstime()`): INFO times, ack lags, repl-timeout, expiry.
    pub clock: Arc<dyn host::Clock>,
    /// The network: the listening port, and the link to the master (its announced address
    /// resolved here).
    pub net: Arc<dyn host::Net>,
    pub disk: Disk,
    pub observer: Arc<dyn DataObserver>,
}

/// Serves forever on `0.0.0.0:cfg.port`; returns only if the port cannot be bound. A kill drops
/// all its tasks; a restart calls `run` again with the same [`Disk`].
pub async fn run(cfg: RedisConfig, env: Env) -> std::io::Result<()> {
    server::run(cfg, env).await
}
