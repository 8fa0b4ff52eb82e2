#![cfg(madsim)]
//! The workload client in a tiny hand-built world (madsim): a sticky client on a healthy master
//! loses nothing; across a kill its writes fail instead of being acknowledged; a Sentinel-aware
//! client follows a failover. Simulated time only.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use madsim::runtime::{Handle, NodeHandle, Runtime};
use sim::scenario::ClientMode;
use sim::workload::{
    analyze, keys_to_check, read_surviving, run_client, ClientConfig, ClientEnv, ErrorKind, History, Op, Outcome,
    Windows,
};
use sim::world::net::{observer_ip, sim_ip, AddressBook};
use tokio::time::Instant;

const IP: &str = "127.0.0.1";

/// Plays `f` on a fresh runtime in a fresh OS thread (madsim's determinism rule).
fn in_sim<T: Send + 'static, F>(seed: u64, f: impl FnOnce() -> F + Send + 'static) -> T
where
    F: std::future::Future<Output = T> + 'static,
{
    std::thread::spawn(move || {
        let rt = Runtime::with_seed_and_config(seed, madsim::Config::default());
        rt.block_on(f())
    })
    .join()
    .expect("simulation thread")
}

/// Host numbers: data nodes and Sentinels by index, the client on its own host.
const CLIENT_HOST: usize = 9;

fn book(ports: &[u16]) -> AddressBook {
    AddressBook::new(
        ports
            .iter()
            .enumerate()
            .map(|(i, &p)| ((IP.to_string(), p), SocketAddr::new(sim_ip(i), p))),
    )
}

fn redis(h: &Handle, book: &AddressBook, i: usize, port: u16, replica_of: Option<u16>, seed: u64) -> NodeHandle {
    let env = redis_node::Env {
        clock: Arc::new(host::SystemClock),
        net: Arc::new(book.clone()),
        disk: redis_node::Disk::new(),
        observer: Arc::new(redis_node::NoObserver),
    };
    let cfg = redis_node::RedisConfig {
        port,
        replica_of: replica_of.map(|p| (IP.to_string(), p)),
        rng_seed: seed,
        ..Default::default()
    };
    h.create_node()
        .name(format!("redis-{port}"))
        .ip(sim_ip(i))
        .init(move || {
            let (cfg, env) = (cfg.clone(), env.clone());
            async move {
                let _ = redis_node::run(cfg, env).await;
            }
        })
        .build()
}

fn sentinel(h: &Handle, book: &AddressBook, i: usize, port: u16, master_port: u16, boot: Instant) -> NodeHandle {
    let storage = host::MemStorage::new();
    let conf = format!(
        "port {port}\nsentinel monitor mymaster {IP} {master_port} 1\nsentinel down-after-milliseconds mymaster 1000\nsentinel failover-timeout mymaster 3000\n"
    );
    host::Storage::save(&storage, "sentinel.conf", &conf).unwrap();
    let env = sentinel::Env {
        clock: Arc::new(host::SystemClock),
        net: Arc::new(book.clone()),
        storage: Arc::new(storage),
        observer: Arc::new(sentinel::NoObserver),
    };
    h.create_node()
        .name(format!("sentinel-{port}"))
        .ip(sim_ip(i))
        .init(move || {
            let env = env.clone();
            async move {
                let now = Instant::now();
                if now < boot {
                    tokio::time::sleep(boot - now).await;
                }
                let cfg = sentinel::NodeConfig {
                    seed: 7,
                    ..Default::default()
                };
                let _ = sentinel::run(cfg, env).await;
            }
        })
        .build()
}

fn client_cfg(mode: ClientMode, start_ms: u64, stop_ms: u64) -> ClientConfig {
    ClientConfig {
        name: "c1".into(),
        mode,
        sentinels: vec![(IP.into(), 5000)],
        master_name: "mymaster".into(),
        sticky: Some((IP.into(), 6382)),
        rate_per_s: 50,
        op_timeout: Duration::from_secs(1),
        password: None,
        start_ms,
        stop_ms,
        seed: 42,
    }
}

/// Runs the client on its own host; returns when it has stopped.
async fn play_client(h: &Handle, book: &AddressBook, cfg: ClientConfig, start: Instant, history: &History) {
    let node = h.create_node().name("client").ip(sim_ip(CLIENT_HOST)).build();
    let env = ClientEnv {
        net: Arc::new(book.clone()),
        history: history.clone(),
        start,
    };
    node.spawn(run_client(cfg, env)).await.expect("client task");
}

/// Reads the acknowledged keys back from `port`, from an observer host.
async fn survivors(
    h: &Handle,
    book: &AddressBook,
    port: u16,
    ops: &[Op],
) -> std::collections::BTreeMap<String, String> {
    let observer = h.create_node().name("observer").ip(observer_ip()).build();
    let keys = keys_to_check(ops);
    let book = book.clone();
    observer
        .spawn(async move { read_surviving(&book, (IP.to_string(), port), None, &keys, Duration::from_secs(2)).await })
        .await
        .expect("observer task")
        .expect("read surviving keys")
}

fn at(start: Instant, ms: u64) -> Duration {
    (start + Duration::from_millis(ms)).saturating_duration_since(Instant::now())
}

#[test]
fn sticky_client_on_a_healthy_master_loses_nothing() {
    let (ops, surviving) = in_sim(1, || async {
        let h = Handle::current();
        let start = Instant::now();
        let book = book(&[6382]);
        redis(&h, &book, 0, 6382, None, 1);
        let history = History::new();
        play_client(&h, &book, client_cfg(ClientMode::Sticky, 100, 5100), start, &history).await;
        let ops = history.snapshot();
        let surviving = survivors(&h, &book, 6382, &ops).await;
        (ops, surviving)
    });
    assert!((245..=251).contains(&ops.len()), "50/s for 5 s: {} ops", ops.len());
    assert!(ops.iter().all(|o| o.outcome == Outcome::Ok), "{ops:#?}");
    assert!(ops.iter().all(|o| o.node.as_deref() == Some("127.0.0.1:6382")));
    assert!(ops.first().unwrap().invoke_ms >= 100 && ops.last().unwrap().invoke_ms < 5100);
    assert!(ops.windows(2).all(|w| w[0].complete_ms <= w[1].complete_ms));
    // Keys are unique: w:c1:0, w:c1:1, ...
    assert!(ops
        .iter()
        .enumerate()
        .all(|(n, o)| o.key == format!("w:c1:{n}") && o.value == n.to_string()));
    let w = analyze(&ops, &surviving, &Windows::default(), &BTreeMap::new());
    assert_eq!(w.acknowledged, ops.len() as u64);
    assert_eq!(w.lost, 0);
    assert_eq!(w.lost_pct, 0.0);
    assert_eq!(w.unknown, 0);
}

#[test]
fn sticky_client_across_a_kill_and_an_empty_restart() {
    const KILL: u64 = 2_000;
    const RESTART: u64 = 3_500;
    let (ops, surviving) = in_sim(2, || async {
        let h = Handle::current();
        let start = Instant::now();
        let book = book(&[6382]);
        let master = redis(&h, &book, 0, 6382, None, 1);
        let history = History::new();
        let client = {
            let (h, book, history) = (h.clone(), book.clone(), history.clone());
            tokio::spawn(async move {
                play_client(&h, &book, client_cfg(ClientMode::Sticky, 100, 5100), start, &history).await;
            })
        };
        tokio::time::sleep(at(start, KILL)).await;
        h.kill(master.id());
        tokio::time::sleep(at(start, RESTART)).await;
        h.restart(master.id());
        client.await.unwrap();
        let ops = history.snapshot();
        let surviving = survivors(&h, &book, 6382, &ops).await;
        (ops, surviving)
    });
    // Nothing is acknowledged while the master is down.
    let down: Vec<&Op> = ops
        .iter()
        .filter(|o| o.complete_ms >= KILL && o.invoke_ms < RESTART)
        .collect();
    assert!(!down.is_empty());
    assert!(down.iter().all(|o| o.outcome != Outcome::Ok), "{down:#?}");
    assert!(down.iter().any(|o| o.outcome == Outcome::Fail(ErrorKind::Connection)));
    assert!(down.iter().filter(|o| o.outcome == Outcome::Unknown).count() <= 1);
    // Backoff bounds the failures: at most one attempt per 100 ms while down.
    assert!(down.len() <= 16, "{} attempts while down", down.len());
    // It comes back after the restart.
    let back = ops
        .iter()
        .filter(|o| o.invoke_ms >= RESTART && o.outcome == Outcome::Ok)
        .count();
    assert!(back >= 60, "{back} writes acknowledged after the restart");
    // The node came back empty (no persistence): every write acknowledged before the kill is lost.
    let windows = Windows {
        fault_ms: Some(KILL),
        heal_ms: Some(RESTART),
        demotion_ms: None,
    };
    let w = analyze(&ops, &surviving, &windows, &BTreeMap::new());
    let before = ops
        .iter()
        .filter(|o| o.outcome == Outcome::Ok && o.complete_ms < KILL)
        .count() as u64;
    assert!(before >= 90);
    assert_eq!(w.windows.before.acknowledged, before);
    assert_eq!(w.windows.before.lost, before);
    assert_eq!(w.lost, before);
    assert_eq!(w.lost_after_heal, 0);
    assert_eq!(w.windows.during.acknowledged, 0);
    assert_eq!(
        w.errors.connection,
        down.iter()
            .filter(|o| matches!(o.outcome, Outcome::Fail(ErrorKind::Connection)))
            .count() as u64
    );
}

/// When the failover test kills the master: after the replica's first sync (Redis' default
/// `repl-diskless-sync-delay` is 5 s; before it, the replica holds nothing).
const KILL_AT: u64 = 10_000;

/// Master 6382 and replica 6383, one Sentinel (quorum 1, down-after 1 s); the master is killed
/// at 10 s, the client writes from 2 s to 20 s. Returns the history and what survived on 6383.
fn failover_run(seed: u64) -> (Vec<Op>, std::collections::BTreeMap<String, String>) {
    in_sim(seed, || async {
        let h = Handle::current();
        let start = Instant::now();
        let book = book(&[6382, 6383, 5000]);
        let master = redis(&h, &book, 0, 6382, None, 1);
        redis(&h, &book, 1, 6383, Some(6382), 2);
        sentinel(&h, &book, 2, 5000, 6382, start + Duration::from_secs(1));
        let history = History::new();
        let client = {
            let (h, book, history) = (h.clone(), book.clone(), history.clone());
            tokio::spawn(async move {
                play_client(
                    &h,
                    &book,
                    client_cfg(ClientMode::Sentinel, 2_000, 20_000),
                    start,
                    &history,
                )
                .await;
            })
        };
        tokio::time::sleep(at(start, KILL_AT)).await;
        h.kill(master.id());
        client.await.unwrap();
        let ops = history.snapshot();
        let surviving = survivors(&h, &book, 6383, &ops).await;
        (ops, surviving)
    })
}

#[test]
fn sentinel_client_follows_a_failover() {
    let (ops, surviving) = failover_run(3);
    let ok_on = |node: &str| {
        ops.iter()
            .filter(|o| o.outcome == Outcome::Ok && o.node.as_deref() == Some(node))
            .count()
    };
    assert!(ok_on("127.0.0.1:6382") >= 390, "{}", ok_on("127.0.0.1:6382"));
    assert!(ok_on("127.0.0.1:6383") >= 350, "{}", ok_on("127.0.0.1:6383"));
    // Writes sent after the kill are never acknowledged by 6382; 6383 only takes writes after it.
    assert!(ops
        .iter()
        .filter(|o| o.outcome == Outcome::Ok)
        .all(|o| (o.node.as_deref() == Some("127.0.0.1:6382")) == (o.invoke_ms < KILL_AT)));
    // Between the kill and the switch the client fails fast (connection refused, then backoff).
    let gap: Vec<&Op> = ops
        .iter()
        .filter(|o| o.invoke_ms >= KILL_AT && o.outcome != Outcome::Ok)
        .collect();
    assert!(!gap.is_empty() && gap.len() <= 40, "{gap:#?}");
    let w = analyze(&ops, &surviving, &Windows::default(), &BTreeMap::new());
    // Only what had not reached the replica when the master died can be lost.
    assert!(w.lost <= 2, "{w:#?}");
    assert_eq!(w.windows.before.acknowledged, w.acknowledged);
    // Same seed, same history.
    let (again, _) = failover_run(3);
    assert_eq!(ops, again);
}

#[test]
fn failover_loses_at_most_the_writes_in_flight_over_seeds() {
    for seed in 1..=8 {
        let (ops, surviving) = failover_run(seed);
        let w = analyze(&ops, &surviving, &Windows::default(), &BTreeMap::new());
        assert!(w.acknowledged >= 750 && w.lost <= 2, "seed {seed}: {w:#?}");
        assert!(w.unknown <= 1 && w.errors.connection <= 10, "seed {seed}: {w:#?}");
    }
}

/// A stand-in Sentinel: answers every command with the address in `answer`.
fn fake_sentinel(h: &Handle, i: usize, port: u16, answer: Arc<std::sync::Mutex<u16>>) -> NodeHandle {
    h.create_node()
        .name(format!("sentinel-{port}"))
        .ip(sim_ip(i))
        .init(move || {
            let answer = answer.clone();
            async move {
                let l = tokio::net::TcpListener::bind(SocketAddr::new([0, 0, 0, 0].into(), port))
                    .await
                    .unwrap();
                while let Ok((s, _)) = l.accept().await {
                    let answer = answer.clone();
                    tokio::spawn(async move {
                        let mut c = resp::Conn::new(s);
                        while c.read_command().await.is_ok() {
                            let p = *answer.lock().unwrap();
                            if c.write_value(&resp::Value::bulks([IP.to_string(), p.to_string()]))
                                .await
                                .is_err()
                            {
                                break;
                            }
                        }
                    });
                }
            }
        })
        .build()
}

/// Two independent masters, 6382 and 6383. At 3 s an operator demotes 6382 (`REPLICAOF 6383`)
/// and the (stand-in) Sentinel starts naming 6383: the sticky client on 6382 gets READONLY from
/// then on; the Sentinel-aware client re-resolves and moves to 6383. Every write 6382 had
/// acknowledged is gone from 6383: the split brain's lost writes, all before the demotion.
#[test]
fn demoted_master_readonly_sticky_stays_sentinel_aware_moves() {
    let (ops, surviving, done_ms) = demotion_run();
    let sticky = sticky_stays_on_6382(&ops, done_ms);
    let after = sentinel_aware_moves_to_6383(&ops);
    // What 6382 acknowledged is lost; what 6383 acknowledged survived.
    let windows = Windows {
        fault_ms: Some(DEMOTE),
        heal_ms: None,
        demotion_ms: None,
    };
    let w = analyze(&ops, &surviving, &windows, &BTreeMap::new());
    let on_6382 = ops
        .iter()
        .filter(|o| o.outcome == Outcome::Ok && o.node.as_deref() == Some("127.0.0.1:6382"))
        .count() as u64;
    assert_eq!(w.lost, on_6382);
    // Writes in flight at the demotion were acknowledged just after it ("during").
    assert!(w.windows.during.lost <= 2, "{w:#?}");
    assert_eq!(w.windows.before.lost + w.windows.during.lost, on_6382);
    assert_eq!(w.acknowledged, on_6382 + after.len() as u64);
    assert_eq!(
        w.errors.readonly,
        (sticky.len() - sticky.iter().filter(|o| o.outcome == Outcome::Ok).count()) as u64 + 1
    );
    let names: Vec<&str> = w.clients.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["sentinel", "sticky"]);
}

/// When the operator demotes 6382 in [`demoted_master_readonly_sticky_stays_sentinel_aware_moves`].
const DEMOTE: u64 = 3_000;

/// Runs the demotion: the clients' history, what 6383 holds at the end, and when the REPLICAOF
/// was acknowledged.
fn demotion_run() -> (Vec<Op>, std::collections::BTreeMap<String, String>, u64) {
    in_sim(4, || async {
        let h = Handle::current();
        let start = Instant::now();
        let book = book(&[6382, 6383, 5000]);
        redis(&h, &book, 0, 6382, None, 1);
        redis(&h, &book, 1, 6383, None, 2);
        let answer = Arc::new(std::sync::Mutex::new(6382u16));
        fake_sentinel(&h, 2, 5000, answer.clone());
        let history = History::new();
        let mut clients = Vec::new();
        for (k, mode) in [ClientMode::Sticky, ClientMode::Sentinel].into_iter().enumerate() {
            let node = h.create_node().ip(sim_ip(CLIENT_HOST + k)).build();
            let cfg = ClientConfig {
                name: mode.as_str().into(),
                seed: k as u64,
                ..client_cfg(mode, 500, 6_000)
            };
            let env = ClientEnv {
                net: Arc::new(book.clone()),
                history: history.clone(),
                start,
            };
            clients.push(node.spawn(run_client(cfg, env)));
        }
        tokio::time::sleep(at(start, DEMOTE)).await;
        let operator = h.create_node().ip(observer_ip()).build();
        let b = book.clone();
        let reply = operator
            .spawn(async move {
                let s = host::connect(&b, IP, 6382, Duration::from_secs(1)).await.unwrap();
                let mut c = resp::Conn::new(s);
                c.write_command(&["REPLICAOF", IP, "6383"]).await.unwrap();
                c.read_value().await.unwrap()
            })
            .await
            .unwrap();
        assert_eq!(reply, resp::Value::ok());
        let done_ms = start.elapsed().as_millis() as u64;
        *answer.lock().unwrap() = 6383;
        for c in clients {
            c.await.unwrap();
        }
        let ops = history.snapshot();
        let keys = keys_to_check(&ops);
        let surviving = operator
            .spawn(
                async move { read_surviving(&book, (IP.to_string(), 6383), None, &keys, Duration::from_secs(2)).await },
            )
            .await
            .unwrap()
            .unwrap();
        (ops, surviving, done_ms)
    })
}

fn of_client<'a>(ops: &'a [Op], client: &str) -> Vec<&'a Op> {
    ops.iter().filter(|o| o.client == client).collect()
}

/// The sticky client's operations, checked.
fn sticky_stays_on_6382(ops: &[Op], done_ms: u64) -> Vec<&Op> {
    // Sticky: acknowledged until the demotion, READONLY after it (the REPLICAOF sent at DEMOTE
    // took effect before its reply at done_ms), always on 6382.
    let sticky = of_client(ops, "sticky");
    assert!(sticky.iter().all(|o| o.node.as_deref() == Some("127.0.0.1:6382")));
    for o in &sticky {
        if o.complete_ms < DEMOTE {
            assert_eq!(o.outcome, Outcome::Ok, "{o:?}");
        } else if o.invoke_ms > done_ms {
            assert_eq!(o.outcome, Outcome::Fail(ErrorKind::Readonly), "{o:?}");
        } else {
            assert!(
                matches!(o.outcome, Outcome::Ok | Outcome::Fail(ErrorKind::Readonly)),
                "{o:?}"
            );
        }
    }
    assert!(sticky.len() >= 270, "{}", sticky.len());
    sticky
}

/// The Sentinel-aware client's operations after its READONLY, checked.
fn sentinel_aware_moves_to_6383(ops: &[Op]) -> Vec<&Op> {
    // Sentinel-aware: one READONLY, then it moves to 6383 after a backoff.
    let aware = of_client(ops, "sentinel");
    let ro: Vec<&Op> = aware
        .iter()
        .copied()
        .filter(|o| o.outcome == Outcome::Fail(ErrorKind::Readonly))
        .collect();
    assert_eq!(ro.len(), 1, "{aware:#?}");
    let after: Vec<&Op> = aware
        .iter()
        .copied()
        .filter(|o| o.invoke_ms > ro[0].complete_ms)
        .collect();
    assert!(after.len() >= 100);
    assert!(after
        .iter()
        .all(|o| o.outcome == Outcome::Ok && o.node.as_deref() == Some("127.0.0.1:6383")));
    after
}

/// A hung master (SIGSTOP for 3 s): writes time out as unknown (at most one per second plus
/// backoff), none is acknowledged while it hangs, and nothing acknowledged is lost.
#[test]
fn paused_master_gives_unknown_outcomes() {
    let (ops, surviving) = paused_master_ops(Duration::from_secs(1));
    let hung: Vec<&Op> = ops
        .iter()
        .filter(|o| o.invoke_ms >= PAUSE && o.complete_ms < RESUME)
        .collect();
    assert!(!hung.is_empty());
    assert!(hung.iter().all(|o| o.outcome == Outcome::Unknown), "{hung:#?}");
    assert!(hung.iter().all(|o| o.complete_ms - o.invoke_ms >= 1_000), "1 s timeout");
    assert!(ops.iter().any(|o| o.invoke_ms > RESUME && o.outcome == Outcome::Ok));
    let w = analyze(&ops, &surviving, &Windows::default(), &BTreeMap::new());
    assert_eq!(w.lost, 0, "{w:#?}");
    assert!((2..=3).contains(&w.unknown), "{w:#?}");
}

/// The scenario's client `timeout`: with 300 ms, a hung master's writes give up after 300 ms
/// (not 1 s), so more of them end unknown in the same hang.
#[test]
fn a_client_timeout_bounds_each_wait() {
    let (ops, _) = paused_master_ops(Duration::from_millis(300));
    let hung: Vec<&Op> = ops
        .iter()
        .filter(|o| o.invoke_ms >= PAUSE && o.complete_ms < RESUME)
        .collect();
    assert!(hung.iter().all(|o| o.outcome == Outcome::Unknown), "{hung:#?}");
    assert!(
        hung.iter()
            .all(|o| (300..1_000).contains(&(o.complete_ms - o.invoke_ms))),
        "{hung:#?}"
    );
    assert!(hung.len() >= 4, "{}", hung.len());
}

const PAUSE: u64 = 2_000;
const RESUME: u64 = 5_000;

/// A sticky client with `timeout` writing to a master hung from PAUSE to RESUME.
fn paused_master_ops(timeout: Duration) -> (Vec<Op>, std::collections::BTreeMap<String, String>) {
    in_sim(5, move || async move {
        let h = Handle::current();
        let start = Instant::now();
        let book = book(&[6382]);
        let master = redis(&h, &book, 0, 6382, None, 1);
        let history = History::new();
        let client = {
            let (h, book, history) = (h.clone(), book.clone(), history.clone());
            tokio::spawn(async move {
                let cfg = ClientConfig {
                    op_timeout: timeout,
                    ..client_cfg(ClientMode::Sticky, 100, 7_000)
                };
                play_client(&h, &book, cfg, start, &history).await;
            })
        };
        tokio::time::sleep(at(start, PAUSE)).await;
        h.pause(master.id());
        tokio::time::sleep(at(start, RESUME)).await;
        h.resume(master.id());
        client.await.unwrap();
        let ops = history.snapshot();
        let surviving = survivors(&h, &book, 6382, &ops).await;
        (ops, surviving)
    })
}
