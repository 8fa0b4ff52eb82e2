//! Notification scripts as real processes: the real core and driver on loopback, with a shell
//! script that appends its arguments to a file. `+monitor` at startup is a warning about the
//! master, so the script runs once with `+monitor <payload>`; SENTINEL PENDING-SCRIPTS empties
//! once it exited 0.
#![cfg(not(madsim))]

mod common;

use common::*;
use resp::Value;
use sentinel::{NodeConfig, ScriptHost};
use std::sync::Arc;
use std::time::Duration;

fn executable(path: &str) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[tokio::test]
async fn notification_script_runs_with_the_event() {
    let dir = std::env::temp_dir().join(format!("sentinel-sim-scripts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("calls.txt");
    let script = dir.join("notify.sh");
    std::fs::write(&script, format!("#!/bin/sh\necho \"$@\" >> '{}'\n", out.display())).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let port = free_port();
    let master = free_port();
    let conf = format!(
        "port {port}\nsentinel deny-scripts-reconfig no\nsentinel monitor mymaster 127.0.0.1 {master} 2\nsentinel notification-script mymaster {}\n",
        script.display()
    );
    let cfg = NodeConfig {
        script_executable: executable,
        scripts: ScriptHost(Arc::new(host::ProcessScripts)),
        ..NodeConfig::default()
    };
    let (node, addr) = start_ours(&conf, port, cfg).await;
    let ran = wait_until(Duration::from_secs(10), || {
        std::fs::read_to_string(&out).is_ok_and(|t| t.contains("+monitor"))
    })
    .await;
    assert!(ran, "the notification script did not run");
    let calls = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        calls.lines().next(),
        Some(format!("+monitor master mymaster 127.0.0.1 {master} quorum 2").as_str())
    );
    let mut c = Client::connect(addr).await;
    let mut empty = false;
    for _ in 0..100 {
        if c.cmd(&["SENTINEL", "PENDING-SCRIPTS"]).await == Value::Array(Vec::new()) {
            empty = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(empty, "the finished script stays queued");
    // A path that is not an executable file is refused, as Redis refuses it.
    assert_eq!(
        c.cmd(&["SENTINEL", "SET", "mymaster", "notification-script", "/nonexistent/x"])
            .await,
        Value::err("ERR Notification script seems non existing or non executable")
    );
    node.abort();
    let _ = std::fs::remove_dir_all(&dir);
}
