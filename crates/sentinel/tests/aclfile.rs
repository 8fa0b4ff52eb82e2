//! `aclfile` in real mode: users loaded from the file at start, ACL SAVE writes it, ACL LOAD
//! reloads it (a bad file changes nothing and says why, line by line, as Redis does).
#![cfg(not(madsim))]

mod common;

use common::*;
use resp::Value;
use sentinel::NodeConfig;

#[tokio::test]
async fn users_come_from_the_acl_file() {
    let dir = std::env::temp_dir().join(format!("sentinel-sim-aclfile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("users.acl");
    std::fs::write(&file, "user default on nopass ~* &* +@all\nuser bob on >pw +@all\n").unwrap();
    let port = free_port();
    let conf = format!("port {port}\nsentinel monitor mymaster 127.0.0.1 {} 2\n", free_port());
    let cfg = NodeConfig {
        acl_file: Some(file.clone()),
        ..NodeConfig::default()
    };
    let (node, addr) = start_ours(&conf, port, cfg).await;
    let mut admin = Client::connect(addr).await;
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
