//! The hostile-peer scenarios of `hostile.rs` on madsim nodes (each host with its own IP), in
//! simulated time: a fake master, a fake Sentinel peer and clients attack a real Sentinel (the
//! real core, `sentinel::run`).
#![cfg(madsim)]

#[path = "common/attacks.rs"]
mod attacks;
mod common;

use attacks::*;
use common::*;
use madsim::runtime::Handle;
use sentinel::NodeConfig;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Ours on 10.0.0.1, the master on 10.0.0.10, the fake peer on 10.0.0.30, clients on 10.0.0.20.
struct Sim;

impl World for Sim {
    fn ours_addr(&self) -> SocketAddr {
        "10.0.0.1:26379".parse().unwrap()
    }
    fn master_addr(&self) -> SocketAddr {
        "10.0.0.10:6379".parse().unwrap()
    }
    fn peer_addr(&self) -> SocketAddr {
        "10.0.0.30:26380".parse().unwrap()
    }
    fn dead_addr(&self) -> SocketAddr {
        // The master's host, a port nothing listens on.
        "10.0.0.10:6390".parse().unwrap()
    }
    fn spawn_fake(&self, addr: SocketAddr, script: Script, stats: Arc<FakeStats>) {
        Handle::current()
            .create_node()
            .name(format!("fake-{addr}"))
            .ip(addr.ip())
            .init(move || {
                let (script, stats) = (script.clone(), stats.clone());
                async move {
                    let listener = tokio::net::TcpListener::bind(addr).await.expect("bind fake server");
                    serve_scripted(listener, script, stats).await
                }
            })
            .build();
    }
    fn spawn_ours(&self, conf: &str) -> Ours {
        let storage = host::MemStorage::new();
        host::Storage::save(&storage, "sentinel.conf", conf).unwrap();
        let events: EventSink = Arc::new(Mutex::new(Vec::new()));
        let env = ours_env(storage.clone(), events.clone());
        let ended = Arc::new(AtomicBool::new(false));
        let flag = ended.clone();
        let addr = self.ours_addr();
        let node = Handle::current().create_node().name("ours").ip(addr.ip()).build();
        // A panic in the node fails the whole simulation; a return is seen through `alive`.
        node.spawn(async move {
            let r = sentinel::run(NodeConfig::default(), env).await;
            flag.store(true, Ordering::SeqCst);
            r.map_err(|e| e.to_string())
        });
        Ours {
            addr,
            storage,
            events,
            alive: Arc::new(move || !ended.load(Ordering::SeqCst)),
        }
    }
}

/// Runs a scenario on a client host.
async fn on_client<F: std::future::Future<Output = ()> + Send + 'static>(scenario: F) {
    let client = Handle::current()
        .create_node()
        .name("client")
        .ip("10.0.0.20".parse().unwrap())
        .build();
    client.spawn(scenario).await.unwrap();
}

#[madsim::test]
async fn master_answering_info_with_a_nesting_bomb() {
    on_client(async { master_nesting_bomb(&Sim).await }).await;
}

#[madsim::test]
async fn master_announcing_hostile_replicas() {
    on_client(async { master_hostile_replicas(&Sim).await }).await;
}

#[madsim::test]
async fn forged_hellos_published_on_our_port() {
    on_client(async { forged_hellos(&Sim).await }).await;
}

#[madsim::test]
async fn sentinel_peer_answering_with_a_nesting_bomb() {
    on_client(async { hostile_sentinel_peer(&Sim, nesting_bomb()).await }).await;
}

#[madsim::test]
async fn sentinel_peer_answering_with_a_2gb_bulk() {
    on_client(async { hostile_sentinel_peer(&Sim, HUGE_BULK.to_vec()).await }).await;
}

#[madsim::test]
async fn clients_flooding_our_port() {
    on_client(async { client_floods(&Sim).await }).await;
}

#[madsim::test]
async fn requirepass_and_acl_hold() {
    on_client(async { requirepass_and_acl(&Sim).await }).await;
}
