//! The driver's plumbing on real tokio and real loopback sockets, with a scripted core.
#![cfg(not(madsim))]

mod common;

use common::*;
use sentinel::{Env, NodeConfig};
use std::sync::{Arc, Mutex};

#[tokio::test]
async fn driver_plumbing_on_real_sockets() {
    let redis = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let redis_port = redis.local_addr().unwrap().port();
    tokio::spawn(serve_fake_redis(redis));
    let port = free_port();
    let shared = Arc::new(Shared::default());
    let core = ScriptCore {
        port,
        redis_ip: "127.0.0.1".into(),
        redis_port,
        dead_port: free_port(),
        shared: shared.clone(),
        actions: Vec::new(),
    };
    let storage = host::MemStorage::new();
    let sink: EventSink = Arc::new(Mutex::new(Vec::new()));
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
    let cfg = NodeConfig {
        bind_ip: "127.0.0.1".into(),
        ..NodeConfig::default()
    };
    let node = tokio::spawn(sentinel::run_with(core, cfg, env));
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    driver_checks(addr, "127.0.0.1", shared, sink, storage).await;
    let code = tokio::time::timeout(std::time::Duration::from_secs(5), node)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(code, 3);
}

#[tokio::test]
async fn missing_config_is_an_error() {
    let env = Env {
        clock: Arc::new(host::SystemClock),
        net: Arc::new(host::TcpNet),
        storage: Arc::new(host::MemStorage::new()),
        observer: Arc::new(sentinel::NoObserver),
    };
    let err = sentinel::run(NodeConfig::default(), env).await.unwrap_err();
    assert!(matches!(err, sentinel::NodeError::NoConfig(_)), "{err}");
}
