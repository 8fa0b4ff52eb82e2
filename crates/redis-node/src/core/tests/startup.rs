//! Starts and restarts: run ids, persisted dataset and history, rewritten config.

use super::*;

#[test]
fn run_id_is_new_at_every_start() {
    let disk = Disk::new();
    let a = State::new(&cfg(6382), disk.clone(), at(0)).run_id;
    let b = State::new(&cfg(6382), disk.clone(), at(0)).run_id;
    let c = State::new(&cfg(6382), Disk::new(), at(0)).run_id;
    assert_ne!(a, b);
    assert_eq!(a, c, "deterministic: same seed and same start count");
}

#[test]
fn restart_with_persistence_resumes_history() {
    let disk = Disk::new();
    let rc = RedisConfig {
        replica_of: Some(("127.0.0.1".into(), 6382)),
        persistence: true,
        ..cfg(6383)
    };
    let mut r = State::new(&rc, disk.clone(), at(0));
    r.finish_startup();
    let gen = r.link.gen;
    let id = ReplId([b'b'; 40]);
    r.link_attempt(gen, Attempt::First);
    r.link_handshake(gen);
    r.link_psync_args(gen);
    r.link_fullresync(gen, id, 50);
    let mut snap = Db::new();
    let mut eff = Vec::new();
    let mut stats = DataStats::default();
    snap.exec(
        db::DataCmd::Set,
        &args(&["SET", "a", "1"]),
        &mut Exec {
            now_ms: 0,
            access: Access::Master,
            effects: &mut eff,
            stats: &mut stats,
        },
    );
    r.link_load_begin(gen, id, 50, &snap, at(1));
    let (mc, _) = r
        .link_load_finish(gen, id, 50, snap, ("m".into(), "l".into()), at(1))
        .unwrap();
    r.link_apply(gen, mc, args(&["SET", "b", "2"]), at(2));
    let off = r.repl.offset;
    assert_eq!(disk.dataset_keys(), vec!["a", "b"]);
    // Restart: same dataset, cached master at the same position.
    let mut r2 = State::new(&rc, disk.clone(), at(10));
    assert!(r2.loading);
    assert_eq!(r2.db.len(), 2);
    assert_eq!(r2.link.cached, Some((id, off)));
    r2.finish_startup();
    let gen = r2.link.gen;
    r2.link_attempt(gen, Attempt::First);
    assert_eq!(r2.link_psync_args(gen), Some((id.to_string(), (off + 1).to_string())));
    // Without persistence the restart is empty and has no cached master.
    let r3 = State::new(
        &RedisConfig {
            persistence: false,
            ..rc
        },
        disk,
        at(20),
    );
    assert_eq!(r3.db.len(), 0);
    assert_eq!(r3.link.cached, None);
}

#[test]
fn rewritten_config_overrides_replicaof() {
    let disk = Disk::new();
    let rc = RedisConfig {
        replica_of: Some(("127.0.0.1".into(), 6382)),
        ..cfg(6384)
    };
    let mut r = State::new(&rc, disk.clone(), at(0));
    r.finish_startup();
    let c = client(&mut r);
    one(&mut r, c, &["SLAVEOF", "NO", "ONE"]);
    // Without CONFIG REWRITE the restart is a replica again.
    assert!(State::new(&rc, disk.clone(), at(1)).is_replica());
    one(&mut r, c, &["CONFIG", "REWRITE"]);
    assert!(!State::new(&rc, disk.clone(), at(2)).is_replica());
    disk.wipe();
    assert!(State::new(&rc, disk, at(3)).is_replica());
}
