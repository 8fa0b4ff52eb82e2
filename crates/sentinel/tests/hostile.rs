//! Hostile peers against a real Sentinel (the real core, `sentinel::run`) on real loopback
//! sockets: a fake master and a fake Sentinel peer answer with hostile frames and fields, clients
//! send forged hellos, floods and unauthenticated commands. Ours must stay up, keep its master
//! and keep its sentinel.conf valid. The same scenarios run in simulation in `sim_hostile.rs`.
#![cfg(not(madsim))]

#[path = "common/attacks.rs"]
mod attacks;
mod common;

use attacks::*;
use common::*;
use sentinel::NodeConfig;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

fn local(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

/// Everything on 127.0.0.1, each on its own free port.
struct Loopback {
    ours: SocketAddr,
    master: SocketAddr,
    peer: SocketAddr,
    dead: SocketAddr,
}

impl Loopback {
    fn new() -> Self {
        Loopback {
            ours: local(free_port()),
            master: local(free_port()),
            peer: local(free_port()),
            dead: local(free_port()),
        }
    }
}

impl World for Loopback {
    fn ours_addr(&self) -> SocketAddr {
        self.ours
    }
    fn master_addr(&self) -> SocketAddr {
        self.master
    }
    fn peer_addr(&self) -> SocketAddr {
        self.peer
    }
    fn dead_addr(&self) -> SocketAddr {
        self.dead
    }
    fn spawn_fake(&self, addr: SocketAddr, script: Script, stats: Arc<FakeStats>) {
        // Bound before returning, so that ours finds it listening from the start.
        let std_listener = std::net::TcpListener::bind(addr).expect("bind fake server");
        std_listener.set_nonblocking(true).unwrap();
        let listener = tokio::net::TcpListener::from_std(std_listener).unwrap();
        tokio::spawn(serve_scripted(listener, script, stats));
    }
    fn spawn_ours(&self, conf: &str) -> Ours {
        let storage = host::MemStorage::new();
        host::Storage::save(&storage, "sentinel.conf", conf).unwrap();
        let events: EventSink = Arc::new(Mutex::new(Vec::new()));
        let env = ours_env(storage.clone(), events.clone());
        let cfg = NodeConfig {
            bind_ip: "127.0.0.1".into(),
            ..NodeConfig::default()
        };
        let task = tokio::spawn(sentinel::run(cfg, env)).abort_handle();
        Ours {
            addr: self.ours,
            storage,
            events,
            alive: Arc::new(move || !task.is_finished()),
        }
    }
}

#[tokio::test]
async fn master_answering_info_with_a_nesting_bomb() {
    master_nesting_bomb(&Loopback::new()).await;
}

#[tokio::test]
async fn master_announcing_hostile_replicas() {
    master_hostile_replicas(&Loopback::new()).await;
}

#[tokio::test]
async fn forged_hellos_published_on_our_port() {
    forged_hellos(&Loopback::new()).await;
}

#[tokio::test]
async fn sentinel_peer_answering_with_a_nesting_bomb() {
    hostile_sentinel_peer(&Loopback::new(), nesting_bomb()).await;
}

#[tokio::test]
async fn sentinel_peer_answering_with_a_2gb_bulk() {
    hostile_sentinel_peer(&Loopback::new(), HUGE_BULK.to_vec()).await;
}

#[tokio::test]
async fn clients_flooding_our_port() {
    client_floods(&Loopback::new()).await;
}

#[tokio::test]
async fn requirepass_and_acl_hold() {
    requirepass_and_acl(&Loopback::new()).await;
}
