#![cfg(madsim)]
//! Replication between simulated data nodes over madsim's simulated TCP, in simulated time.
//! Addresses look like the real setup (`127.0.0.1:638x`); the network maps them onto the nodes'
//! simulated IPs (10.0.0.<port-6380>).

use madsim::net::NetSim;
use madsim::runtime::{Handle, Runtime};
use madsim::task::NodeId;
use redis_node::{DataObserver, Disk, Env, RedisConfig};
use resp::{Conn, Value};
use std::collections::BTreeMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpStream;

fn ip(port: u16) -> IpAddr {
    format!("10.0.0.{}", port - 6380).parse().unwrap()
}

fn addr(port: u16) -> SocketAddr {
    SocketAddr::new(ip(port), port)
}

struct SimNet;

/// madsim's TCP as is (host::TcpNet under `--cfg madsim`), with the address mapping.
impl host::Net for SimNet {
    fn resolve(&self, host: &str, port: u16) -> Option<SocketAddr> {
        (host == "127.0.0.1" && (6381..6400).contains(&port)).then(|| addr(port))
    }
    fn connect(&self, addr: SocketAddr) -> host::BoxFuture<'_, std::io::Result<host::BoxStream>> {
        host::TcpNet.connect(addr)
    }
    fn listen(&self, addr: SocketAddr) -> host::BoxFuture<'_, std::io::Result<host::BoxListener>> {
        host::TcpNet.listen(addr)
    }
}

struct Notes {
    port: u16,
    all: Arc<Mutex<Vec<(u16, String)>>>,
}

impl DataObserver for Notes {
    fn note(&self, line: &str) {
        self.all.lock().unwrap().push((self.port, line.to_string()));
    }
}

#[derive(Clone, Default)]
struct World {
    notes: Arc<Mutex<Vec<(u16, String)>>>,
    disks: Arc<Mutex<BTreeMap<u16, Disk>>>,
    ids: Arc<Mutex<BTreeMap<u16, NodeId>>>,
}

impl World {
    fn start(&self, cfg: RedisConfig) {
        let port = cfg.port;
        let disk = self.disks.lock().unwrap().entry(port).or_default().clone();
        let env = Env {
            clock: Arc::new(host::SystemClock),
            net: Arc::new(SimNet),
            disk,
            observer: Arc::new(Notes {
                port,
                all: self.notes.clone(),
            }),
        };
        let node = Handle::current()
            .create_node()
            .name(format!("redis-{port}"))
            .ip(ip(port))
            .init(move || {
                let (cfg, env) = (cfg.clone(), env.clone());
                async move { redis_node::run(cfg, env).await.expect("bind") }
            })
            .build();
        self.ids.lock().unwrap().insert(port, node.id());
    }
    fn id(&self, port: u16) -> NodeId {
        self.ids.lock().unwrap()[&port]
    }
    fn noted(&self, port: u16, prefix: &str) -> bool {
        self.notes
            .lock()
            .unwrap()
            .iter()
            .any(|(p, l)| *p == port && l.starts_with(prefix))
    }
    fn count_noted(&self, port: u16, prefix: &str) -> usize {
        self.notes
            .lock()
            .unwrap()
            .iter()
            .filter(|(p, l)| *p == port && l.starts_with(prefix))
            .count()
    }
}

fn master(port: u16) -> RedisConfig {
    RedisConfig {
        port,
        rng_seed: port as u64,
        ..RedisConfig::default()
    }
}

fn replica(port: u16, of: u16) -> RedisConfig {
    RedisConfig {
        replica_of: Some(("127.0.0.1".into(), of)),
        ..master(port)
    }
}

/// Runs `scenario` on a client node (10.0.0.100) of a fresh simulation, once per seed: `seed`,
/// or `seed..seed+N` with `REDIS_NODE_SIM_SEEDS=N`, each on a fresh thread (madsim's rule).
/// Returns the observer notes of the first seed.
fn sim<F, Fut>(seed: u64, scenario: F) -> Vec<(u16, String)>
where
    F: Fn(World) -> Fut + Send + Sync + Clone + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let n: u64 = std::env::var("REDIS_NODE_SIM_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let mut first = None;
    for s in seed * 1000..seed * 1000 + n {
        let scenario = scenario.clone();
        let notes = std::thread::spawn(move || {
            let mut rt = Runtime::with_seed_and_config(s, madsim::Config::default());
            rt.set_time_limit(Duration::from_secs(3600));
            let world = World::default();
            let notes = world.notes.clone();
            rt.block_on(async move {
                let client = Handle::current()
                    .create_node()
                    .name("client")
                    .ip("10.0.0.100".parse().unwrap())
                    .build();
                client.spawn(scenario(world)).await.unwrap();
            });
            let notes = notes.lock().unwrap().clone();
            notes
        })
        .join()
        .unwrap_or_else(|_| panic!("scenario failed with seed {s}"));
        first.get_or_insert(notes);
    }
    first.unwrap_or_default()
}

struct Cli {
    conn: Conn<TcpStream>,
}

impl Cli {
    async fn connect(port: u16) -> Cli {
        Cli {
            conn: Conn::new(TcpStream::connect(addr(port)).await.expect("connect")),
        }
    }
    async fn cmd(&mut self, args: &[&str]) -> Value {
        self.conn.write_command(args).await.expect("write");
        self.read().await
    }
    async fn read(&mut self) -> Value {
        tokio::time::timeout(Duration::from_secs(5), self.conn.read_value())
            .await
            .expect("reply in time")
            .expect("read")
    }
}

/// One command on a fresh connection.
async fn q(port: u16, args: &[&str]) -> Value {
    Cli::connect(port).await.cmd(args).await
}

async fn info(port: u16) -> BTreeMap<String, String> {
    let v = q(port, &["INFO", "replication"]).await;
    v.as_text()
        .unwrap()
        .split("\r\n")
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

async fn field(port: u16, name: &str) -> String {
    info(port).await.get(name).cloned().unwrap_or_default()
}

async fn link_up(port: u16) -> bool {
    field(port, "master_link_status").await == "up"
}

async fn get(port: u16, key: &str) -> Value {
    q(port, &["GET", key]).await
}

macro_rules! wait_for {
    ($secs:expr, $what:expr, $cond:expr) => {{
        let deadline = tokio::time::Instant::now() + Duration::from_secs($secs);
        loop {
            if $cond {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out waiting for {}",
                $what
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }};
}

/// Master 6382 with replicas 6383 and 6384, synced, with keys k0..k9 written.
async fn steady(w: &World) {
    w.start(master(6382));
    w.start(replica(6383, 6382));
    w.start(replica(6384, 6382));
    tokio::time::sleep(Duration::from_millis(100)).await;
    let t0 = tokio::time::Instant::now();
    wait_for!(30, "replicas up", link_up(6383).await && link_up(6384).await);
    // One shared full sync after the 5 s diskless delay, as in the real logs.
    assert!(t0.elapsed() >= Duration::from_millis(4800), "{:?}", t0.elapsed());
    for i in 0..10 {
        assert_eq!(q(6382, &["SET", &format!("k{i}"), &format!("v{i}")]).await, Value::ok());
    }
}

async fn offsets_converged() -> bool {
    let m = field(6382, "master_repl_offset").await;
    field(6383, "slave_repl_offset").await == m && field(6384, "slave_repl_offset").await == m
}

/// (1) A master and two replicas sync; writes replicate; offsets and acks converge.
#[test]
fn master_and_two_replicas_sync() {
    sim(1, |w: World| async move {
        steady(&w).await;
        wait_for!(10, "offsets equal", offsets_converged().await);
        for port in [6383, 6384] {
            assert_eq!(get(port, "k9").await, Value::bulk("v9"));
            assert_eq!(q(port, &["DBSIZE"]).await, Value::Int(10));
            assert_eq!(
                q(port, &["SET", "x", "y"]).await,
                Value::err("READONLY You can't write against a read only replica.")
            );
        }
        // Acks reach the master within a second or two.
        tokio::time::sleep(Duration::from_secs(2)).await;
        let m = info(6382).await;
        let off = &m["master_repl_offset"];
        assert_eq!(m["connected_slaves"], "2");
        let mut slaves = [m["slave0"].clone(), m["slave1"].clone()];
        slaves.sort();
        for (s, port) in slaves.iter().zip([6383, 6384]) {
            let lag0 = format!("ip=127.0.0.1,port={port},state=online,offset={off},lag=0");
            let lag1 = format!("ip=127.0.0.1,port={port},state=online,offset={off},lag=1");
            assert!(*s == lag0 || *s == lag1, "{m:?}");
        }
        let role = q(6382, &["ROLE"]).await;
        assert_eq!(role.as_array().unwrap()[2].as_array().unwrap().len(), 2);
        assert!(w.noted(6382, "Full resync requested by replica 127.0.0.1:6383"));
        assert!(w.noted(6382, "Full resync requested by replica 127.0.0.1:6384"));
        assert_eq!(
            w.count_noted(6382, "Starting BGSAVE for SYNC"),
            1,
            "one snapshot shared by both replicas"
        );
        assert!(w.noted(6383, "Full resync from master: "));
        assert!(w.noted(6383, "MASTER <-> REPLICA sync: Finished with success"));
        // The master pings its replicas every 10 s: offsets keep moving and stay equal.
        let before: i64 = off.parse().unwrap();
        tokio::time::sleep(Duration::from_secs(11)).await;
        let after: i64 = field(6382, "master_repl_offset").await.parse().unwrap();
        assert!(after >= before + 14, "PING advanced the offset: {before} -> {after}");
        wait_for!(5, "offsets equal after pings", offsets_converged().await);
    });
}

/// (2) Promotion of 6383 and re-pointing of 6384: partial resync, data kept.
#[test]
fn promoted_replica_gives_partial_resync_to_the_other() {
    sim(2, |w: World| async move {
        steady(&w).await;
        wait_for!(10, "offsets equal", offsets_converged().await);
        let mut s = Cli::connect(6383).await;
        for c in [
            &["MULTI"][..],
            &["SLAVEOF", "NO", "ONE"],
            &["CONFIG", "REWRITE"],
            &["CLIENT", "KILL", "TYPE", "normal"],
            &["CLIENT", "KILL", "TYPE", "pubsub"],
        ] {
            s.cmd(c).await;
        }
        let exec = s.cmd(&["EXEC"]).await;
        assert_eq!(exec.as_array().unwrap()[0], Value::ok());
        assert_eq!(field(6383, "role").await, "master");
        assert_eq!(q(6384, &["SLAVEOF", "127.0.0.1", "6383"]).await, Value::ok());
        wait_for!(10, "6384 up with 6383", link_up(6384).await);
        assert!(w.noted(6383, "Partial resynchronization request from 127.0.0.1:6384 accepted"));
        assert!(w.noted(6384, "Successful partial resynchronization with master."));
        assert!(w.noted(6384, "Master replication ID changed to "));
        assert_eq!(
            w.count_noted(6384, "Full resync from master"),
            1,
            "only the initial sync"
        );
        assert_eq!(get(6384, "k5").await, Value::bulk("v5"));
        assert_eq!(q(6383, &["SET", "after", "1"]).await, Value::ok());
        wait_for!(5, "new write replicated", get(6384, "after").await == Value::bulk("1"));
        let i = info(6384).await;
        assert_eq!(i["master_replid2"], info(6383).await["master_replid2"]);
        assert_eq!(
            q(6384, &["ROLE"]).await.as_array().unwrap()[3],
            Value::bulk("connected")
        );
    });
}

/// (3) The old master took writes after the promotion; when demoted it needs a full resync and
/// those writes are lost.
#[test]
fn demoted_old_master_loses_its_extra_writes() {
    sim(3, |w: World| async move {
        steady(&w).await;
        wait_for!(10, "offsets equal", offsets_converged().await);
        // Split brain: 6383 promoted while 6382 still accepts writes.
        assert_eq!(q(6383, &["SLAVEOF", "NO", "ONE"]).await, Value::ok());
        assert_eq!(q(6382, &["SET", "lost", "1"]).await, Value::ok());
        assert_eq!(q(6383, &["SET", "kept", "1"]).await, Value::ok());
        let mut t = Cli::connect(6382).await;
        for c in [
            &["MULTI"][..],
            &["SLAVEOF", "127.0.0.1", "6383"],
            &["CONFIG", "REWRITE"],
            &["EXEC"],
        ] {
            t.cmd(c).await;
        }
        assert_eq!(field(6382, "role").await, "slave");
        assert_eq!(field(6382, "master_link_status").await, "down");
        wait_for!(20, "old master synced", link_up(6382).await);
        assert!(w.noted(
            6383,
            "Partial resynchronization not accepted: Requested offset for second ID was"
        ));
        assert!(w.noted(6382, "Before turning into a replica, using my own master parameters"));
        assert!(w.noted(6382, "Full resync from master: "));
        assert!(w.noted(6382, "Discarding previously cached master state."));
        assert_eq!(get(6382, "lost").await, Value::Nil, "the split-brain write is gone");
        assert_eq!(get(6382, "kept").await, Value::bulk("1"));
        assert_eq!(get(6382, "k3").await, Value::bulk("v3"));
        assert!(w.disks.lock().unwrap()[&6382]
            .rewritten_config()
            .unwrap()
            .contains("replicaof 127.0.0.1 6383"));
        // 6384 still follows 6382 (now a replica of 6383): it was disconnected by the full sync
        // and resyncs through the chain, losing `lost` as well.
        wait_for!(30, "6384 back up through the chain", link_up(6384).await);
        wait_for!(10, "chain converged", get(6384, "kept").await == Value::bulk("1"));
        assert_eq!(get(6384, "lost").await, Value::Nil);
    });
}

/// (4) Kill and restart of a replica (with and without persistence) and of a master without
/// persistence.
#[test]
fn kill_and_restart() {
    sim(4, |w: World| async move {
        w.start(RedisConfig {
            persistence: true,
            ..master(6382)
        });
        w.start(RedisConfig {
            persistence: true,
            ..replica(6383, 6382)
        });
        w.start(replica(6384, 6382));
        tokio::time::sleep(Duration::from_millis(100)).await;
        wait_for!(30, "replicas up", link_up(6383).await && link_up(6384).await);
        for i in 0..5 {
            q(6382, &["SET", &format!("a{i}"), "1"]).await;
        }
        wait_for!(10, "offsets equal", offsets_converged().await);
        let run_id = |v: Value| {
            v.as_text()
                .unwrap()
                .split("\r\n")
                .find_map(|l| l.strip_prefix("run_id:").map(str::to_string))
                .unwrap()
        };
        let old_run_id = run_id(q(6383, &["INFO", "server"]).await);
        let h = Handle::current();
        h.kill(w.id(6383));
        h.kill(w.id(6384));
        q(6382, &["SET", "while-down", "1"]).await;
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert_eq!(field(6382, "connected_slaves").await, "0");
        h.restart(w.id(6383));
        h.restart(w.id(6384));
        tokio::time::sleep(Duration::from_millis(100)).await;
        wait_for!(30, "restarted replicas up", link_up(6383).await && link_up(6384).await);
        assert_ne!(
            run_id(q(6383, &["INFO", "server"]).await),
            old_run_id,
            "new run id at every start"
        );
        // With persistence the replica resumes its history with a partial resync.
        assert_eq!(
            w.count_noted(6383, "Successful partial resynchronization with master."),
            1
        );
        assert_eq!(
            w.count_noted(6383, "Full resync from master"),
            1,
            "only the first start"
        );
        // Without persistence it restarts empty and needs a full resync.
        assert_eq!(w.count_noted(6384, "Full resync from master"), 2);
        for port in [6383, 6384] {
            assert_eq!(get(port, "while-down").await, Value::bulk("1"));
            assert_eq!(q(port, &["DBSIZE"]).await, Value::Int(6));
        }
        // A master without persistence restarts empty with a new history: its replicas follow it
        // and lose everything.
        let w2 = World::default();
        w2.start(master(6385));
        w2.start(replica(6386, 6385));
        tokio::time::sleep(Duration::from_millis(100)).await;
        wait_for!(30, "6386 up", link_up(6386).await);
        q(6385, &["SET", "x", "1"]).await;
        wait_for!(5, "x replicated", get(6386, "x").await == Value::bulk("1"));
        // madsim's restart() alone keeps the old instance's port bound: kill first.
        h.kill(w2.id(6385));
        h.restart(w2.id(6385));
        tokio::time::sleep(Duration::from_millis(100)).await;
        wait_for!(
            30,
            "6386 resynced",
            w2.count_noted(6386, "Full resync from master") == 2 && link_up(6386).await
        );
        assert!(w2.noted(6386, "Connection with master lost."));
        assert_eq!(q(6386, &["DBSIZE"]).await, Value::Int(0));
    });
}

/// (5) min-replicas-to-write: writes are refused once the only replica is partitioned away for
/// longer than min-replicas-max-lag, and accepted again after the partition heals.
#[test]
fn min_replicas_to_write_gives_noreplicas_when_partitioned() {
    sim(5, |w: World| async move {
        w.start(RedisConfig {
            min_replicas_to_write: 1,
            min_replicas_max_lag_s: 10,
            ..master(6382)
        });
        w.start(replica(6383, 6382));
        tokio::time::sleep(Duration::from_millis(100)).await;
        wait_for!(30, "replica up", link_up(6383).await);
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert_eq!(q(6382, &["SET", "a", "1"]).await, Value::ok());
        assert_eq!(field(6382, "min_slaves_good_slaves").await, "1");
        let net = NetSim::current();
        net.clog_node(w.id(6383));
        tokio::time::sleep(Duration::from_secs(6)).await;
        assert_eq!(q(6382, &["SET", "a", "2"]).await, Value::ok(), "lag still within 10 s");
        tokio::time::sleep(Duration::from_secs(7)).await;
        assert_eq!(
            q(6382, &["SET", "a", "3"]).await,
            Value::err("NOREPLICAS Not enough good replicas to write.")
        );
        assert_eq!(field(6382, "min_slaves_good_slaves").await, "0");
        assert_eq!(get(6382, "a").await, Value::bulk("2"));
        // The MULTI is rejected at queue time too.
        let mut c = Cli::connect(6382).await;
        c.cmd(&["MULTI"]).await;
        assert!(c.cmd(&["INCR", "n"]).await.is_error());
        assert_eq!(
            c.cmd(&["EXEC"]).await,
            Value::err("EXECABORT Transaction discarded because of previous errors.")
        );
        net.unclog_node(w.id(6383));
        wait_for!(
            40,
            "writes accepted again",
            q(6382, &["SET", "a", "4"]).await == Value::ok()
        );
        wait_for!(10, "replicated", get(6383, "a").await == Value::bulk("4"));
    });
}

/// (6) PUBLISH on the master reaches subscribers on the master and, replicated, on the replica;
/// it advances the replication offset.
#[test]
fn publish_is_delivered_locally_and_through_replication() {
    sim(6, |w: World| async move {
        w.start(master(6382));
        w.start(replica(6383, 6382));
        tokio::time::sleep(Duration::from_millis(100)).await;
        wait_for!(30, "replica up", link_up(6383).await);
        let mut sm = Cli::connect(6382).await;
        let mut sr = Cli::connect(6383).await;
        let sub = Value::Array(vec![
            Value::bulk("subscribe"),
            Value::bulk("__sentinel__:hello"),
            Value::Int(1),
        ]);
        assert_eq!(sm.cmd(&["SUBSCRIBE", "__sentinel__:hello"]).await, sub);
        assert_eq!(sr.cmd(&["SUBSCRIBE", "__sentinel__:hello"]).await, sub);
        let before: i64 = field(6382, "master_repl_offset").await.parse().unwrap();
        assert_eq!(
            q(6382, &["PUBLISH", "__sentinel__:hello", "hi-from-master"]).await,
            Value::Int(1)
        );
        let msg = Value::Array(vec![
            Value::bulk("message"),
            Value::bulk("__sentinel__:hello"),
            Value::bulk("hi-from-master"),
        ]);
        assert_eq!(sm.read().await, msg);
        assert_eq!(sr.read().await, msg);
        let after: i64 = field(6382, "master_repl_offset").await.parse().unwrap();
        assert!(after > before);
        // Published directly on the replica: local only, not replicated back.
        assert_eq!(
            q(6383, &["PUBLISH", "__sentinel__:hello", "direct"]).await,
            Value::Int(1)
        );
        assert_eq!(sr.read().await.as_array().unwrap()[2], Value::bulk("direct"));
        assert_eq!(field(6382, "master_repl_offset").await.parse::<i64>().unwrap(), after);
        // In subscribed mode only (P)SUBSCRIBE / (P)UNSUBSCRIBE / PING / QUIT are allowed.
        assert!(sm.cmd(&["GET", "x"]).await.is_error());
        assert_eq!(
            sm.cmd(&["PING"]).await,
            Value::Array(vec![Value::bulk("pong"), Value::bulk("")])
        );
    });
}

/// A replica of a replica gets the master's stream through the chain.
#[test]
fn chained_replica_receives_the_stream() {
    sim(7, |w: World| async move {
        w.start(master(6382));
        w.start(replica(6383, 6382));
        w.start(replica(6385, 6383));
        tokio::time::sleep(Duration::from_millis(100)).await;
        wait_for!(40, "chain up", link_up(6383).await && link_up(6385).await);
        q(6382, &["RPUSH", "l", "a", "b"]).await;
        wait_for!(
            5,
            "through the chain",
            q(6385, &["LRANGE", "l", "0", "-1"]).await == Value::bulks(["a", "b"])
        );
        wait_for!(5, "same offsets", {
            let m = field(6382, "master_repl_offset").await;
            field(6385, "slave_repl_offset").await == m
                && field(6385, "master_replid").await == field(6382, "master_replid").await
        });
    });
}

/// A replica whose master disappears keeps retrying about once a second; once the master is
/// back (empty, new history) it resyncs fully.
#[test]
fn replica_retries_while_master_is_down() {
    sim(8, |w: World| async move {
        w.start(master(6382));
        w.start(replica(6383, 6382));
        tokio::time::sleep(Duration::from_millis(100)).await;
        wait_for!(30, "replica up", link_up(6383).await);
        let h = Handle::current();
        h.kill(w.id(6382));
        tokio::time::sleep(Duration::from_secs(5)).await;
        let i = info(6383).await;
        assert_eq!(i["master_link_status"], "down");
        let down: i64 = i["master_link_down_since_seconds"].parse().unwrap();
        assert!((4..=6).contains(&down), "{down}");
        let retries = w.count_noted(6383, "Connecting to MASTER 127.0.0.1:6382");
        assert!((4..=7).contains(&retries), "about one attempt per second: {retries}");
        assert!(w.noted(6383, "Error condition on socket for SYNC: Connection refused"));
        h.restart(w.id(6382));
        wait_for!(30, "replica back up", link_up(6383).await);
    });
}

/// Same seed, same run: every observer note (and its order) is identical.
#[test]
fn simulation_is_deterministic() {
    let scenario = |w: World| async move {
        steady(&w).await;
        q(6383, &["SLAVEOF", "NO", "ONE"]).await;
        q(6384, &["SLAVEOF", "127.0.0.1", "6383"]).await;
        q(6382, &["SET", "lost", "1"]).await;
        q(6382, &["SLAVEOF", "127.0.0.1", "6383"]).await;
        tokio::time::sleep(Duration::from_secs(20)).await;
    };
    let a = sim(9, scenario);
    let b = sim(9, scenario);
    assert!(a.len() > 40, "{}", a.len());
    assert_eq!(a, b);
}

/// repl-timeout: a partition longer than 60 s makes the master drop the replica and the replica
/// drop the master; after the heal the replica reconnects and resumes with a partial resync.
#[test]
fn repl_timeout_on_both_sides_then_partial_resync() {
    sim(10, |w: World| async move {
        w.start(master(6382));
        w.start(replica(6383, 6382));
        tokio::time::sleep(Duration::from_millis(100)).await;
        wait_for!(30, "replica up", link_up(6383).await);
        let net = NetSim::current();
        net.clog_node(w.id(6383));
        // Writes during the partition stay inside the master's backlog.
        assert_eq!(q(6382, &["SET", "during", "1"]).await, Value::ok());
        tokio::time::sleep(Duration::from_secs(70)).await;
        assert!(w.noted(6382, "Disconnecting timedout replica (streaming sync): 127.0.0.1:6383"));
        assert!(w.noted(6383, "MASTER timeout: no data nor PING received..."));
        assert_eq!(field(6382, "connected_slaves").await, "0");
        net.unclog_node(w.id(6383));
        wait_for!(30, "replica back", link_up(6383).await);
        assert!(w.noted(6383, "Successful partial resynchronization with master."));
        assert_eq!(w.count_noted(6383, "Full resync from master"), 1);
        assert_eq!(get(6383, "during").await, Value::bulk("1"));
    });
}
