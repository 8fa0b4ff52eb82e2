//! Three real Sentinels (core + driver) and a tiny fake Redis master on madsim nodes: discovery
//! through hello messages, the command port, then failure detection after the master is killed.
#![cfg(madsim)]

mod common;

use common::*;
use madsim::runtime::Handle;
use resp::Value;
use sentinel::{Env, Event, NodeConfig};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const DOWN_AFTER_MS: u64 = 3000;
const SENTINEL_PORTS: [u16; 3] = [5000, 5001, 5002];
const MASTER: &str = "10.0.0.10:6379";

/// Everything is configured with 127.0.0.1 addresses, as on a single real machine; the network
/// maps them onto the simulated hosts.
struct MapNet(BTreeMap<(String, u16), SocketAddr>);

/// madsim's TCP as is (host::TcpNet under `--cfg madsim`), with the address mapping.
impl host::Net for MapNet {
    fn resolve(&self, ip: &str, port: u16) -> Option<SocketAddr> {
        self.0
            .get(&(ip.to_string(), port))
            .copied()
            .or_else(|| host::TcpNet.resolve(ip, port))
    }
    fn connect(&self, addr: SocketAddr) -> host::BoxFuture<'_, std::io::Result<host::BoxStream>> {
        host::TcpNet.connect(addr)
    }
    fn listen(&self, addr: SocketAddr) -> host::BoxFuture<'_, std::io::Result<host::BoxListener>> {
        host::TcpNet.listen(addr)
    }
}

fn sentinel_ip(i: usize) -> String {
    format!("10.0.0.{}", i + 1)
}

fn dialer() -> Arc<MapNet> {
    let mut m = BTreeMap::new();
    m.insert(("127.0.0.1".to_string(), 6379), MASTER.parse().unwrap());
    for (i, p) in SENTINEL_PORTS.iter().enumerate() {
        m.insert(
            ("127.0.0.1".to_string(), *p),
            format!("{}:{p}", sentinel_ip(i)).parse().unwrap(),
        );
    }
    Arc::new(MapNet(m))
}

fn config(port: u16) -> String {
    format!(
        "port {port}\n\
         sentinel announce-ip 127.0.0.1\n\
         sentinel monitor mymaster 127.0.0.1 6379 2\n\
         sentinel down-after-milliseconds mymaster {DOWN_AFTER_MS}\n\
         sentinel failover-timeout mymaster 3000\n"
    )
}

type Log = Vec<(Duration, String, String)>;

/// Runs the scenario; returns every observed event as (time, node, line).
async fn scenario() -> Log {
    let h = Handle::current();
    let start = tokio::time::Instant::now();
    let master_addr: SocketAddr = MASTER.parse().unwrap();
    let master = h
        .create_node()
        .name("master")
        .ip(master_addr.ip())
        .init(move || fake_redis(master_addr))
        .build();

    let sink: EventSink = Arc::new(Mutex::new(Vec::new()));
    start_sentinels(&h, start, &sink);
    let client = h.create_node().name("client").ip("10.0.0.20".parse().unwrap()).build();

    // Discovery: every sentinel learns the two others from the hellos relayed by the master.
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert_discovery(&sink);

    // The command port answers over RESP; a subscriber on s0 watches the failure events.
    let (sub_tx, sub_rx) = tokio::sync::oneshot::channel();
    let pubsub_task = client.spawn(watch_down_events(sub_tx));
    sub_rx.await.unwrap();

    // Failure: kill the master; every sentinel sees +sdown, then +odown, within down-after + 2 s.
    let killed_at = start.elapsed();
    h.kill(master.id());
    tokio::time::sleep(Duration::from_millis(DOWN_AFTER_MS + 2000)).await;
    let log = sink.lock().unwrap().clone();
    assert_down_detected(&log, killed_at);
    let seen = pubsub_task.await.unwrap();
    assert_eq!(seen[0], "+sdown master mymaster 127.0.0.1 6379");
    assert!(
        seen[1].starts_with("+odown master mymaster 127.0.0.1 6379 #quorum "),
        "{seen:?}"
    );
    log.into_iter().map(|(t, n, e)| (t, n, e.line())).collect()
}

/// Three sentinel nodes, each with its own storage and seed, reporting events to `sink`.
fn start_sentinels(h: &Handle, start: tokio::time::Instant, sink: &EventSink) {
    let dialer = dialer();
    for (i, port) in SENTINEL_PORTS.iter().copied().enumerate() {
        let storage = host::MemStorage::new();
        host::Storage::save(&storage, "sentinel.conf", &config(port)).unwrap();
        let env = Env {
            clock: Arc::new(host::SystemClock),
            net: dialer.clone(),
            storage: Arc::new(storage),
            observer: Arc::new(Recorder {
                node: format!("s{i}"),
                start,
                sink: sink.clone(),
            }),
        };
        let cfg = NodeConfig {
            seed: 1000 + i as u64,
            ..NodeConfig::default()
        };
        h.create_node()
            .name(format!("sentinel-{port}"))
            .ip(sentinel_ip(i).parse().unwrap())
            .init(move || {
                let (cfg, env) = (cfg.clone(), env.clone());
                async move {
                    let code = sentinel::run(cfg, env).await.expect("sentinel starts");
                    panic!("sentinel exited with {code}");
                }
            })
            .build();
    }
}

fn assert_discovery(sink: &EventSink) {
    for (i, port) in SENTINEL_PORTS.iter().enumerate() {
        let mut peers: Vec<String> = sink
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, n, e)| *n == format!("s{i}") && e.name() == "+sentinel")
            .map(|(_, _, e)| e.payload().split(' ').nth(3).unwrap().to_string())
            .collect();
        peers.sort();
        let expected: Vec<String> = SENTINEL_PORTS
            .iter()
            .filter(|p| *p != port)
            .map(|p| p.to_string())
            .collect();
        assert_eq!(peers, expected, "sentinel {port} discovered {peers:?}");
    }
}

/// Checks the command port of s0, then subscribes to `*down` (signalling `ready`) and returns the
/// first two events published.
async fn watch_down_events(ready: tokio::sync::oneshot::Sender<()>) -> Vec<String> {
    let s0: SocketAddr = format!("{}:5000", sentinel_ip(0)).parse().unwrap();
    let mut c = Client::connect(s0).await;
    assert_eq!(
        c.cmd(&["SENTINEL", "get-master-addr-by-name", "mymaster"]).await,
        Value::bulks(["127.0.0.1", "6379"])
    );
    // (`*-1` on the wire; the reply decoder folds both nulls into `Nil`.)
    assert_eq!(
        c.cmd(&["SENTINEL", "get-master-addr-by-name", "nope"]).await,
        Value::Nil
    );
    let sentinels = c.cmd(&["SENTINEL", "sentinels", "mymaster"]).await;
    assert_eq!(sentinels.as_array().map(|a| a.len()), Some(2), "{sentinels:?}");
    assert_eq!(
        c.cmd(&["PSUBSCRIBE", "*down"]).await,
        Value::bulks(["psubscribe", "*down"]).with_int(1)
    );
    ready.send(()).unwrap();
    let mut seen = Vec::new();
    while seen.len() < 2 {
        let v = tokio::time::timeout(Duration::from_secs(30), c.conn.read_value())
            .await
            .unwrap()
            .unwrap();
        let a = v.as_array().unwrap();
        assert_eq!(a[0], Value::bulk("pmessage"));
        seen.push(format!("{} {}", a[2].as_text().unwrap(), a[3].as_text().unwrap()));
    }
    seen
}

fn assert_down_detected(log: &[(Duration, String, Event)], killed_at: Duration) {
    for i in 0..SENTINEL_PORTS.len() {
        let node = format!("s{i}");
        let when = |name: &str| {
            log.iter()
                .find(|(t, n, e)| {
                    *n == node && e.name() == name && *t >= killed_at && e.payload().starts_with("master mymaster")
                })
                .map(|(t, _, _)| *t - killed_at)
        };
        let sdown = when("+sdown").unwrap_or_else(|| panic!("{node}: no +sdown"));
        let odown = when("+odown").unwrap_or_else(|| panic!("{node}: no +odown"));
        assert!(
            sdown >= Duration::from_millis(DOWN_AFTER_MS),
            "{node}: +sdown after {sdown:?}"
        );
        assert!(sdown <= odown, "{node}: +odown ({odown:?}) before +sdown ({sdown:?})");
        assert!(
            odown <= Duration::from_millis(DOWN_AFTER_MS + 2000),
            "{node}: +odown after {odown:?}"
        );
    }
}

#[madsim::test]
async fn sentinels_discover_each_other_and_detect_a_dead_master() {
    let log = scenario().await;
    if std::env::var_os("SHOW_EVENTS").is_some() {
        for (t, node, line) in log {
            println!("{:>9.3} {node} {line}", t.as_secs_f64());
        }
    }
}

/// The same seed gives the same history, event for event and millisecond for millisecond.
#[test]
fn same_seed_same_history() {
    let run = |seed| {
        std::thread::spawn(move || {
            madsim::runtime::Runtime::with_seed_and_config(seed, madsim::Config::default()).block_on(scenario())
        })
        .join()
        .unwrap()
    };
    let a = run(7);
    let b = run(7);
    assert!(a.len() > 10);
    assert_eq!(a, b);
}
