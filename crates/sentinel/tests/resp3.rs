//! RESP3 on the real port (real core and driver, loopback): after HELLO 3 replies use maps,
//! sets, nulls, verbatim strings and pushes, byte for byte as a real 7.0.15 Sentinel sends them.
#![cfg(not(madsim))]

mod common;

use common::*;
use sentinel::{Env, NodeConfig};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Sends `cmd` (inline) and reads exactly `want.len()` bytes.
async fn exchange(s: &mut tokio::net::TcpStream, cmd: &str, want: &[u8]) -> Vec<u8> {
    s.write_all(format!("{cmd}\r\n").as_bytes()).await.unwrap();
    let mut got = vec![0u8; want.len()];
    tokio::time::timeout(Duration::from_secs(5), s.read_exact(&mut got))
        .await
        .expect("reply in time")
        .expect("read");
    got
}

#[tokio::test]
async fn hello_3_switches_the_reply_protocol() {
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
        ..NodeConfig::default()
    };
    let node = tokio::spawn(sentinel::run(cfg, env));
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let mut s = None;
    for _ in 0..100 {
        if let Ok(c) = tokio::net::TcpStream::connect(addr).await {
            s = Some(c);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut s = s.expect("our Sentinel listens");
    // Before HELLO: RESP2.
    let nil2 = b"*-1\r\n";
    assert_eq!(
        exchange(&mut s, "SENTINEL GET-MASTER-ADDR-BY-NAME nosuch", nil2).await,
        nil2
    );
    let hello =
        b"%6\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:";
    assert_eq!(exchange(&mut s, "HELLO 3", hello).await, hello);
    let rest = b"1\r\n$4\r\nmode\r\n$8\r\nsentinel\r\n$7\r\nmodules\r\n*0\r\n";
    let mut tail = vec![0u8; rest.len()];
    s.read_exact(&mut tail).await.unwrap();
    assert_eq!(tail, rest, "the rest of HELLO's map (client id 1)");
    let cases: [(&str, &[u8]); 4] = [
        ("SENTINEL GET-MASTER-ADDR-BY-NAME nosuch", b"_\r\n"),
        ("CLIENT GETNAME", b"_\r\n"),
        (
            "SENTINEL CONFIG GET resolve-hostnames",
            b"%1\r\n$17\r\nresolve-hostnames\r\n$2\r\nno\r\n",
        ),
        ("SUBSCRIBE foo", b">3\r\n$9\r\nsubscribe\r\n$3\r\nfoo\r\n:1\r\n"),
    ];
    for (cmd, want) in cases {
        assert_eq!(exchange(&mut s, cmd, want).await, want, "{cmd}");
    }
    // A RESP3 subscriber may run any command, and PING answers normally.
    assert_eq!(exchange(&mut s, "PING", b"+PONG\r\n").await, b"+PONG\r\n");
    let verbatim = exchange(&mut s, "CLIENT INFO", b"=").await;
    assert_eq!(verbatim, b"=", "CLIENT INFO is a verbatim string");
    node.abort();
}
