//! RESP3 on the real port (real core and driver, loopback): after HELLO 3 replies use maps,
//! sets, nulls, verbatim strings and pushes, byte for byte as a real 7.0.15 Sentinel sends them.
#![cfg(not(madsim))]

mod common;

use common::*;
use sentinel::NodeConfig;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

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
    let conf = format!("port {port}\nsentinel monitor mymaster 127.0.0.1 {} 2\n", free_port());
    let (node, addr) = start_ours(&conf, port, NodeConfig::default()).await;
    let mut s = tokio::net::TcpStream::connect(addr)
        .await
        .expect("our Sentinel listens");
    // Before HELLO: RESP2.
    let nil2 = b"*-1\r\n";
    assert_eq!(
        exchange(&mut s, "SENTINEL GET-MASTER-ADDR-BY-NAME nosuch", nil2).await,
        nil2
    );
    let hello =
        b"%6\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:";
    assert_eq!(exchange(&mut s, "HELLO 3", hello).await, hello);
    // Client 2: `start_ours` checked the port with one connection (client 1).
    let rest = b"2\r\n$4\r\nmode\r\n$8\r\nsentinel\r\n$7\r\nmodules\r\n*0\r\n";
    let mut tail = vec![0u8; rest.len()];
    s.read_exact(&mut tail).await.unwrap();
    assert_eq!(tail, rest, "the rest of HELLO's map");
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
