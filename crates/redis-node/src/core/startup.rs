//! A start of the node: settings from the config file and the rewritten config, the persisted
//! dataset and replication position, the startup load.

use super::{Effect, Link, LinkState, Now, Settings, State, Stats};
use crate::db::Db;
use crate::disk::{Disk, PersistedConfig, PersistedData};
use crate::repl::{ReplHistory, ReplId};
use crate::RedisConfig;
use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use tokio::sync::Notify;

fn mix(seed: u64, n: u64) -> u64 {
    // splitmix64 of the pair: distinct starts of one node get unrelated streams.
    let mut z = seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Settings {
    /// The config file's settings; a rewritten config on disk overrides the ones it holds.
    fn from_config(cfg: &RedisConfig, pconf: Option<&PersistedConfig>) -> Settings {
        let mut settings = Settings {
            port: cfg.port,
            announce_ip: cfg.announce_ip.clone(),
            replica_priority: cfg.replica_priority,
            min_replicas_to_write: cfg.min_replicas_to_write,
            min_replicas_max_lag_s: cfg.min_replicas_max_lag_s,
            replica_serve_stale_data: cfg.replica_serve_stale_data,
            replica_read_only: cfg.replica_read_only,
            persistence: cfg.persistence,
            repl_diskless_sync_delay_ms: cfg.repl_diskless_sync_delay_ms,
            repl_timeout_s: cfg.repl_timeout_s.max(1),
            requirepass: cfg.requirepass.clone(),
        };
        if let Some(pc) = pconf {
            settings.replica_priority = pc.replica_priority;
            settings.min_replicas_to_write = pc.min_replicas_to_write;
            settings.min_replicas_max_lag_s = pc.min_replicas_max_lag_s;
            settings.replica_serve_stale_data = pc.replica_serve_stale_data;
            settings.replica_read_only = pc.replica_read_only;
        }
        settings
    }
}

/// What a start with persistence finds on disk.
struct Loaded {
    db: Db,
    /// The history to PSYNC with, for a node that restarts as a replica.
    cached: Option<(ReplId, i64)>,
    /// A dataset was found: serve only LOADING-tolerant commands until the load is over.
    loading: bool,
}

/// Loads the persisted dataset (or creates an empty one) and records the position to persist.
fn load_persisted(
    disk: &Disk,
    pdata: Option<PersistedData>,
    is_replica: bool,
    repl: &mut ReplHistory,
    notes: &mut Vec<String>,
) -> Loaded {
    let mut loaded = Loaded {
        db: Db::new(),
        cached: None,
        loading: false,
    };
    match pdata {
        Some(d) => {
            notes.push(format!("DB loaded from disk: {} keys", d.db.len()));
            loaded.db = d.db;
            loaded.loading = true;
            // As an RDB: a node that restarts as a replica resumes its history and can
            // PSYNC; a master starts a new history.
            if is_replica && d.replid != ReplId::ZERO {
                repl.replid = d.replid;
                repl.offset = d.offset;
                loaded.cached = Some((d.replid, d.offset));
            }
        }
        None => {
            disk.lock().data = Some(PersistedData {
                db: Db::new(),
                replid: repl.replid,
                offset: 0,
            });
        }
    }
    disk.set_position(repl.replid, repl.offset);
    loaded
}

impl Link {
    fn new(master: Option<(String, u16)>, cached: Option<(ReplId, i64)>, now: Now) -> Link {
        let state = if master.is_some() {
            LinkState::Connect
        } else {
            LinkState::None
        };
        Link {
            master,
            state,
            gen: 1,
            master_cid: None,
            cached,
            down_since_s: None,
            last_io_s: now.wall_s(),
            stream_multi: None,
        }
    }
}

impl State {
    /// A fresh start of the node on `disk` (the rewritten config and, with persistence, the
    /// dataset and replication position are loaded; a new run id is drawn).
    pub fn new(cfg: &RedisConfig, disk: Disk, now: Now) -> State {
        let (starts, pconf, pdata) = {
            let mut g = disk.lock();
            g.starts += 1;
            let data = if cfg.persistence { g.data.clone() } else { None };
            (g.starts, g.config.clone(), data)
        };
        let mut rng = ChaCha8Rng::seed_from_u64(mix(cfg.rng_seed, starts));
        let run_id = ReplId::random(&mut rng).to_string();
        let process_id = 1000 + (rng.next_u32() % 60_000);
        let settings = Settings::from_config(cfg, pconf.as_ref());
        let master = match &pconf {
            Some(pc) => pc.replicaof.clone(),
            None => cfg.replica_of.clone(),
        };
        let mut repl = ReplHistory::new(ReplId::random(&mut rng));
        let mut notes = vec![
            format!("Running mode=standalone, port={}.", cfg.port),
            "Server initialized".to_string(),
        ];
        let loaded = if cfg.persistence {
            load_persisted(&disk, pdata, master.is_some(), &mut repl, &mut notes)
        } else {
            Loaded {
                db: Db::new(),
                cached: None,
                loading: false,
            }
        };
        State {
            settings,
            run_id,
            process_id,
            start_wall_ms: now.wall_ms,
            disk,
            db: loaded.db,
            repl,
            link: Link::new(master, loaded.cached, now),
            select_needed: true,
            clients: BTreeMap::new(),
            replicas: BTreeSet::new(),
            channels: BTreeMap::new(),
            patterns: BTreeMap::new(),
            next_client_id: 3,
            loading: loaded.loading,
            stats: Stats::default(),
            good_replicas: 0,
            no_replicas_since_s: now.wall_s(),
            cron_loops: 0,
            getack_pending: false,
            effects: Vec::new(),
            notes,
            ack_notify: Arc::new(Notify::new()),
            rng,
            stream_buf: Vec::with_capacity(256),
            effects_buf: Vec::new(),
            exec_effects: None,
        }
    }

    /// How long the startup load of the persisted dataset takes (simulated).
    pub fn load_duration_ms(&self) -> u64 {
        1 + self.db.len() as u64 / 2000
    }

    /// The startup load is over: serve everything, start replicating if configured as a replica.
    pub fn finish_startup(&mut self) {
        if self.loading {
            self.loading = false;
            self.note("Done loading RDB".to_string());
        }
        self.note("Ready to accept connections".to_string());
        if let Some((h, p)) = self.link.master.clone() {
            self.note(format!("Connecting to MASTER {h}:{p}"));
            self.effects.push(Effect::StartLink(self.link.gen));
        }
    }
}
