//! `aclfile` in real mode: users loaded from the file at start, ACL SAVE writes it, ACL LOAD
//! reloads it (a bad file changes nothing and says why, line by line, as Redis does).
#![cfg(not(madsim))]

mod common;

use common::*;
use resp::Value;
use sentinel::{Env, NodeConfig};
use std::sync::{Arc, Mutex};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn users_come_from_the_acl_file() {
    let dir = std::env::temp_dir().join(format!("sentinel-sim-aclfile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("users.acl");
    std::fs::write(&file, "user default on nopass ~* &* +@all\nuser bob on >pw +@all\n").unwrap();
    let port = free_port();
    let storage = host::MemStorage::new();
    let conf = format!("port {port}\nsentinel monitor mymaster 127.0.0.1 {} 2\n", free_port());
    host::Storage::save(&storage, "sentinel.conf", &conf).unwrap();
    let env = Env {
        clock: Arc::new(host::SystemClock),
        dialer: Arc::new(host::DirectDialer),
        storage: Arc::new(storage),
        observer: Arc::new(Recorder {
            node: "ours".into(),
            start: tokio::time::Instant::now(),
            sink: Arc::new(Mutex::new(Vec::new())),
        }),
    };
    let cfg = NodeConfig {
        bind_ip: "127.0.0.1".into(),
        acl_file: Some(file.clone()),
        ..NodeConfig::default()
    };
    let node = tokio::spawn(sentinel::run(cfg, env));
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let mut admin = None;
    for _ in 0..100 {
        if let Ok(s) = tokio::net::TcpStream::connect(addr).await {
            drop(s);
            admin = Some(Client::connect(addr).await);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let mut admin = admin.expect("our Sentinel listens");
    let mut bob = Client::connect(addr).await;
    assert_eq!(bob.cmd(&["AUTH", "bob", "pw"]).await, Value::ok());
    assert_eq!(
        admin.cmd(&["ACL", "SETUSER", "carol", "on", ">x", "+ping"]).await,
        Value::ok()
    );
    assert_eq!(admin.cmd(&["ACL", "SAVE"]).await, Value::ok());
    let saved = std::fs::read_to_string(&file).unwrap();
    assert!(
        saved.contains("user carol on #") && saved.contains("user bob on #"),
        "{saved}"
    );
    std::fs::write(&file, format!("{saved}user zed +nosuch\n")).unwrap();
    let Value::Error(e) = admin.cmd(&["ACL", "LOAD"]).await else {
        panic!("a bad file must be refused")
    };
    assert!(
        e.starts_with(&format!(
            "ERR {}:4: Error in applying operation '+nosuch'",
            file.display()
        )) && e.ends_with("no change to the previously active ACL rules was performed"),
        "{e}"
    );
    assert_eq!(bob.cmd(&["PING"]).await, Value::simple("PONG"), "nothing changed");
    std::fs::write(&file, "user default on nopass ~* &* +@all\n").unwrap();
    assert_eq!(admin.cmd(&["ACL", "LOAD"]).await, Value::ok());
    assert!(
        bob.closed().await,
        "a client of a user the new file dropped is disconnected"
    );
    assert_eq!(
        admin.cmd(&["ACL", "USERS"]).await,
        Value::Array(vec![Value::bulk("default")])
    );
    node.abort();
    let _ = std::fs::remove_dir_all(&dir);
}
