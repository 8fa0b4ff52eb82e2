//! The driver's plumbing in the simulator (madsim nodes with their own IPs), with a scripted
//! core: the same checks as `driver.rs` runs on real sockets.
#![cfg(madsim)]

mod common;

use common::*;
use madsim::runtime::Handle;
use sentinel::{Env, NodeConfig};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

#[madsim::test]
async fn driver_plumbing_in_simulation() {
    let h = Handle::current();
    let redis_addr: SocketAddr = "10.0.0.2:6379".parse().unwrap();
    h.create_node()
        .name("redis")
        .ip(redis_addr.ip())
        .init(move || fake_redis(redis_addr))
        .build();

    let shared = Arc::new(Shared::default());
    let storage = host::MemStorage::new();
    let sink: EventSink = Arc::new(Mutex::new(Vec::new()));
    let core = ScriptCore {
        port: 26379,
        redis_ip: "10.0.0.2".into(),
        redis_port: 6379,
        dead_port: 6380,
        shared: shared.clone(),
        actions: Vec::new(),
    };
    let env = Env {
        clock: Arc::new(host::SystemClock),
        net: Arc::new(host::TcpNet),
        storage: Arc::new(storage.clone()),
        observer: Arc::new(Recorder {
            node: "s".into(),
            start: tokio::time::Instant::now(),
            sink: sink.clone(),
        }),
    };
    let sentinel_node = h.create_node().name("sentinel").ip("10.0.0.1".parse().unwrap()).build();
    let node = sentinel_node.spawn(sentinel::run_with(core, NodeConfig::default(), env));

    let client = h.create_node().name("client").ip("10.0.0.3".parse().unwrap()).build();
    let addr: SocketAddr = "10.0.0.1:26379".parse().unwrap();
    client
        .spawn(driver_checks(addr, "10.0.0.1", shared, sink, storage))
        .await
        .unwrap();
    assert_eq!(node.await.unwrap().unwrap(), 3);
}
