#![cfg(not(madsim))]
//! The same node on real tokio and real loopback sockets: a master and a replica sync, a write
//! replicates, and the replica is promoted. Real time, so the diskless delay is set to 0.

use redis_node::{Disk, Env, NoObserver, RedisConfig};
use resp::{Conn, Value};
use std::sync::Arc;
use std::time::Duration;

async fn q(port: u16, args: &[&str]) -> Value {
    let s = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    let mut c = Conn::new(s);
    c.write_command(args).await.expect("write");
    c.read_value().await.expect("read")
}

fn start(cfg: RedisConfig) {
    let env = Env {
        clock: Arc::new(host::SystemClock),
        net: Arc::new(host::TcpNet),
        disk: Disk::new(),
        observer: Arc::new(NoObserver),
    };
    tokio::spawn(async move { redis_node::run(cfg, env).await.expect("bind") });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn master_replica_on_real_tokio() {
    // Ports derived from the pid so that concurrent runs do not collide.
    let master = 20_000 + (std::process::id() % 20_000) as u16 * 2;
    let replica = master + 1;
    let base = RedisConfig {
        repl_diskless_sync_delay_ms: 0,
        ..RedisConfig::default()
    };
    start(RedisConfig {
        port: master,
        ..base.clone()
    });
    start(RedisConfig {
        port: replica,
        replica_of: Some(("127.0.0.1".into(), master)),
        ..base
    });
    let mut up = false;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if let Ok(Ok(s)) = tokio::time::timeout(
            Duration::from_secs(1),
            tokio::net::TcpStream::connect(("127.0.0.1", replica)),
        )
        .await
        {
            drop(s);
            let info = q(replica, &["INFO", "replication"]).await;
            if info.as_text().unwrap().contains("master_link_status:up") {
                up = true;
                break;
            }
        }
    }
    assert!(up, "replica linked");
    assert_eq!(q(master, &["SET", "k", "v"]).await, Value::ok());
    let mut got = Value::Nil;
    for _ in 0..100 {
        got = q(replica, &["GET", "k"]).await;
        if got != Value::Nil {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(got, Value::bulk("v"));
    assert_eq!(q(replica, &["SLAVEOF", "NO", "ONE"]).await, Value::ok());
    assert_eq!(q(replica, &["SET", "k2", "v2"]).await, Value::ok());
    let role = q(replica, &["ROLE"]).await;
    assert_eq!(role.as_array().unwrap()[0], Value::bulk("master"));
}
