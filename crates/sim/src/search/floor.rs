//! The engine's own floor for `bench`: what madsim alone costs per message, measured in the same
//! invocation as the scenarios so that the two share the machine's state.
//!
//! A bare mesh of `hosts` simulated hosts on the same base network as the scenarios (loopback's
//! latency): each host runs an echo server, and every host holds a connection to every other on
//! which it sends a small request once per simulated second and waits for the reply. No
//! parsing, no trace, no checks: what is left is madsim's executor, timers and TCP.

use std::time::Duration;

/// One measurement of the floor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Floor {
    pub hosts: usize,
    /// Messages delivered (requests and replies).
    pub messages: u64,
    pub wall: Duration,
}

impl Floor {
    pub fn ns_per_message(&self) -> f64 {
        self.wall.as_nanos() as f64 / self.messages.max(1) as f64
    }
}

/// Request-reply exchanges this long (each a request and a reply of this many bytes).
#[cfg(madsim)]
const REQUEST_BYTES: usize = 16;
#[cfg(madsim)]
const PORT: u16 = 7000;
/// The mesh sends one request per connection per simulated second.
#[cfg(madsim)]
const PERIOD: Duration = Duration::from_secs(1);

/// Plays the mesh long enough for about `messages` messages (simulation builds only).
#[cfg(madsim)]
pub fn measure(hosts: usize, messages: u64, seed: u64) -> Result<Floor, String> {
    if hosts < 2 {
        return Err("the floor needs at least two hosts".into());
    }
    let per_sim_s = 2 * (hosts * (hosts - 1)) as u64;
    let sim_s = messages.div_ceil(per_sim_s).max(1);
    // A thread of its own, as every run: madsim's per-thread state starts fresh.
    let t = std::thread::spawn(move || {
        let mut config = madsim::Config::default();
        config.net = crate::world::madsim_net(&crate::scenario::Network::LOOPBACK);
        let rt = madsim::runtime::Runtime::with_seed_and_config(seed, config);
        let start = std::time::Instant::now();
        let delivered = rt.block_on(mesh(hosts, Duration::from_secs(sim_s)));
        (delivered, start.elapsed())
    });
    let (delivered, wall) = t.join().map_err(|_| "the floor's mesh panicked".to_string())?;
    Ok(Floor {
        hosts,
        messages: delivered,
        wall,
    })
}

#[cfg(madsim)]
async fn mesh(hosts: usize, length: Duration) -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;
    let h = madsim::runtime::Handle::current();
    let ip = crate::world::net::sim_ip;
    let nodes: Vec<_> = (0..hosts).map(|i| h.create_node().ip(ip(i)).build()).collect();
    for n in &nodes {
        n.spawn(echo_server());
    }
    tokio::time::sleep(Duration::from_millis(10)).await;
    let delivered = Arc::new(AtomicU64::new(0));
    let end = tokio::time::Instant::now() + length;
    for (i, n) in nodes.iter().enumerate() {
        for j in (0..hosts).filter(|&j| j != i) {
            let delivered = delivered.clone();
            let to = std::net::SocketAddr::new(ip(j), PORT);
            n.spawn(async move {
                let n = requester(to, end).await;
                delivered.fetch_add(n, Ordering::Relaxed);
            });
        }
    }
    tokio::time::sleep(length + Duration::from_secs(1)).await;
    for n in &nodes {
        h.kill(n.id());
    }
    tokio::task::yield_now().await;
    delivered.load(Ordering::Relaxed)
}

#[cfg(madsim)]
async fn echo_server() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Ok(l) = tokio::net::TcpListener::bind(("0.0.0.0", PORT)).await else {
        return;
    };
    while let Ok((mut s, _)) = l.accept().await {
        tokio::spawn(async move {
            let mut buf = [0u8; REQUEST_BYTES];
            while s.read_exact(&mut buf).await.is_ok() {
                if s.write_all(&buf).await.is_err() || s.flush().await.is_err() {
                    return;
                }
            }
        });
    }
}

/// Sends a request every period until `end`; returns the messages delivered (2 per exchange).
#[cfg(madsim)]
async fn requester(to: std::net::SocketAddr, end: tokio::time::Instant) -> u64 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Ok(mut s) = tokio::net::TcpStream::connect(to).await else {
        return 0;
    };
    let (req, mut reply) = ([7u8; REQUEST_BYTES], [0u8; REQUEST_BYTES]);
    let mut delivered = 0;
    while tokio::time::Instant::now() < end {
        tokio::time::sleep(PERIOD).await;
        if s.write_all(&req).await.is_err() || s.flush().await.is_err() {
            break;
        }
        if s.read_exact(&mut reply).await.is_err() {
            break;
        }
        delivered += 2;
    }
    delivered
}

#[cfg(not(madsim))]
pub fn measure(_hosts: usize, _messages: u64, _seed: u64) -> Result<Floor, String> {
    Err("the floor runs on the simulator: build with --cfg madsim (`cargo sim-cli bench`)".into())
}
