#![cfg(madsim)]
//! The world's network layer (simulated time only): a connect across a cut hangs until the heal,
//! a peer's close or kill behind a cut is seen only at the heal, per-link latency delays only its
//! link, and loss delays bytes without reordering or corrupting them.

use host::{BoxStream, Net};
use madsim::runtime::{Handle, NodeHandle, Runtime};
use sim::world::net::{sim_ip, AddressBook, Network, ProcNet};
use std::io::ErrorKind;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::Instant;

const PORT: u16 = 7000;

/// Plays `f` on a fresh runtime in a fresh OS thread (madsim's determinism rule).
fn in_sim<T: Send + 'static, F>(seed: u64, f: impl FnOnce() -> F + Send + 'static) -> T
where
    F: std::future::Future<Output = T> + 'static,
{
    std::thread::spawn(move || Runtime::with_seed_and_config(seed, madsim::Config::default()).block_on(f()))
        .join()
        .expect("simulation thread")
}

/// Hosts 0..n on one network; their nets and madsim nodes.
fn hosts(h: &Handle, net: &Network, n: usize) -> Vec<(ProcNet, NodeHandle)> {
    (0..n)
        .map(|i| {
            let ip = sim_ip(i);
            let node = h.create_node().name(format!("host-{i}")).ip(ip).build();
            net.register(ip, node.id());
            let pn = ProcNet {
                book: AddressBook::new([]),
                me: ip,
                net: net.clone(),
            };
            (pn, node)
        })
        .collect()
}

fn addr(i: usize) -> SocketAddr {
    SocketAddr::new(sim_ip(i), PORT)
}

fn ip_text(i: usize) -> String {
    sim_ip(i).to_string()
}

/// Echoes every byte back, on each accepted connection.
async fn echo_server(pn: ProcNet) {
    let l = pn.listen(addr_of(pn.me)).await.expect("listen");
    loop {
        let (mut s, _) = l.accept().await.expect("accept");
        tokio::spawn(async move {
            let mut buf = [0u8; 4096];
            while let Ok(n) = s.read(&mut buf).await {
                if n == 0 || s.write_all(&buf[..n]).await.is_err() || s.flush().await.is_err() {
                    return;
                }
            }
        });
    }
}

fn addr_of(ip: IpAddr) -> SocketAddr {
    SocketAddr::new(ip, PORT)
}

/// One request/response round trip of `len` bytes, in simulated milliseconds.
async fn round_trip_ms(s: &mut BoxStream, len: usize) -> u64 {
    let t = Instant::now();
    s.write_all(&vec![b'x'; len]).await.expect("write");
    s.flush().await.expect("flush");
    let mut got = vec![0u8; len];
    s.read_exact(&mut got).await.expect("echo");
    t.elapsed().as_millis() as u64
}

#[test]
fn a_connect_across_a_cut_hangs_and_succeeds_at_the_next_syn_after_the_heal() {
    let (healed_ms, timed_out) = in_sim(1, || async {
        let h = Handle::current();
        let net = Network::new(1);
        let hs = hosts(&h, &net, 2);
        hs[1].1.spawn(echo_server(hs[1].0.clone()));
        tokio::time::sleep(Duration::from_millis(10)).await;
        net.cut(sim_ip(0), sim_ip(1));
        let a = hs[0].0.clone();
        let start = Instant::now();
        let c = hs[0].1.spawn(async move {
            let r = host::connect(&a, &ip_text(1), PORT, Duration::from_secs(10)).await;
            (r.is_ok(), start.elapsed())
        });
        tokio::time::sleep(Duration::from_millis(3500)).await;
        net.heal();
        let (ok, took) = c.await.expect("connect task");
        assert!(ok, "the connect succeeds once the path opens");
        // Never refused: a timeout shorter than the cut ends the attempt instead.
        net.cut(sim_ip(1), sim_ip(0));
        let a = hs[0].0.clone();
        let short = hs[0]
            .1
            .spawn(async move { host::connect(&a, &ip_text(1), PORT, Duration::from_secs(2)).await.err() })
            .await
            .expect("connect task");
        (took.as_millis() as u64, short.map(|e| e.kind()))
    });
    // SYNs go out at 0, 1, 3 and 7 s (1 s, doubling, as Linux): the path opens at 3.5 s, so
    // the SYN at 7 s is the first to get through.
    assert!(
        (7000..=7100).contains(&healed_ms),
        "connected {healed_ms} ms after the start, expected at the SYN retransmission at 7 s"
    );
    assert_eq!(timed_out, Some(ErrorKind::TimedOut));
}

/// Connects host 0 to host 1's listener, which hands its end to `peer_end`.
async fn connected_pair(hs: &[(ProcNet, NodeHandle)]) -> (BoxStream, tokio::sync::oneshot::Receiver<BoxStream>) {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let b = hs[1].0.clone();
    hs[1].1.spawn(async move {
        let l = b.listen(addr_of(b.me)).await.expect("listen");
        let (s, _) = l.accept().await.expect("accept");
        let _ = tx.send(s);
        std::future::pending::<()>().await;
    });
    tokio::time::sleep(Duration::from_millis(10)).await;
    let a = hs[0].0.clone();
    let s = hs[0]
        .1
        .spawn(async move { a.connect(addr(1)).await.expect("connect") })
        .await
        .expect("connect task");
    (s, rx)
}

/// How long after the start host 0's read on its end ends (EOF or error), given what happens to
/// the peer behind a cut at 1 s (its process closes the connection, or is killed) and a heal at
/// 5 s; and whether a write at 2 s, to the gone peer behind the cut, was accepted.
fn end_seen_at_ms(kill: bool) -> (u64, bool) {
    in_sim(2, move || async move {
        let h = Handle::current();
        let net = Network::new(2);
        let hs = hosts(&h, &net, 2);
        let (close_tx, close_rx) = tokio::sync::oneshot::channel::<()>();
        let b = hs[1].0.clone();
        // The peer's end lives in the peer's process: a kill closes it.
        hs[1].1.spawn(async move {
            let l = b.listen(addr_of(b.me)).await.expect("listen");
            let (s, _) = l.accept().await.expect("accept");
            let _ = close_rx.await;
            drop(s);
            std::future::pending::<()>().await;
        });
        tokio::time::sleep(Duration::from_millis(10)).await;
        let a = hs[0].0.clone();
        let start = Instant::now();
        let reader = hs[0].1.spawn(async move {
            let mut s = a.connect(addr(1)).await.expect("connect");
            tokio::time::sleep(Duration::from_secs(2)).await;
            let wrote = s.write_all(b"ping").await.is_ok() && s.flush().await.is_ok();
            let mut buf = [0u8; 16];
            let _ = s.read(&mut buf).await;
            (start.elapsed(), wrote)
        });
        tokio::time::sleep(Duration::from_millis(10)).await;
        net.cut(sim_ip(0), sim_ip(1));
        net.cut(sim_ip(1), sim_ip(0));
        tokio::time::sleep(Duration::from_millis(990)).await;
        if kill {
            h.kill(hs[1].1.id());
        } else {
            let _ = close_tx.send(());
        }
        tokio::time::sleep(Duration::from_secs(4)).await;
        net.heal();
        let (at, wrote) = reader.await.expect("reader");
        (at.as_millis() as u64, wrote)
    })
}

#[test]
fn a_peers_close_behind_a_cut_is_seen_only_at_the_heal() {
    let (at, wrote) = end_seen_at_ms(false);
    assert!(
        wrote,
        "a write to the closed peer behind the cut is lost on the wire, not refused"
    );
    assert_eq!(at, 5000, "the FIN (and the reset) arrive when the path opens");
}

#[test]
fn a_killed_peer_behind_a_cut_is_seen_only_at_the_heal() {
    let (at, wrote) = end_seen_at_ms(true);
    assert!(
        wrote,
        "a write to the killed peer behind the cut is lost on the wire, not refused"
    );
    assert_eq!(at, 5000, "the kill's FIN (and the reset) arrive when the path opens");
}

#[test]
fn per_link_latency_delays_only_that_link() {
    let (shaped, plain) = in_sim(3, || async {
        let h = Handle::current();
        let net = Network::new(3);
        let hs = hosts(&h, &net, 3);
        hs[1].1.spawn(echo_server(hs[1].0.clone()));
        tokio::time::sleep(Duration::from_millis(10)).await;
        // Only 0 → 1 is slow: 1 → 0, and 2 ↔ 1, are not.
        net.reshape(sim_ip(0), sim_ip(1), |s| (s.min_ms, s.max_ms) = (500, 500));
        let mut rtt = Vec::new();
        for i in [0, 2] {
            let pn = hs[i].0.clone();
            let ms = hs[i]
                .1
                .spawn(async move {
                    let mut s = pn.connect(addr(1)).await.expect("connect");
                    let mut worst = 0;
                    for _ in 0..5 {
                        worst = worst.max(round_trip_ms(&mut s, 100).await);
                    }
                    worst
                })
                .await
                .expect("client");
            rtt.push(ms);
        }
        (rtt[0], rtt[1])
    });
    assert!(
        (500..560).contains(&shaped),
        "shaped round trip {shaped} ms: 500 ms extra one way"
    );
    assert!(plain < 60, "unshaped round trip {plain} ms");
}

#[test]
fn loss_delays_bytes_without_reordering_or_corrupting_them() {
    let (got, sent, took_ms) = in_sim(4, || async {
        let h = Handle::current();
        let net = Network::new(4);
        let hs = hosts(&h, &net, 2);
        net.reshape(sim_ip(0), sim_ip(1), |s| s.loss = 0.3);
        let (mut s, peer) = connected_pair(&hs).await;
        let mut peer_end = peer.await.expect("accepted");
        let sent: Vec<u8> = (0..200).flat_map(|i| format!("segment {i:03};").into_bytes()).collect();
        let chunks: Vec<Vec<u8>> = sent.chunks(13).map(|c| c.to_vec()).collect();
        let start = Instant::now();
        hs[0].1.spawn(async move {
            for c in chunks {
                s.write_all(&c).await.expect("write");
                s.flush().await.expect("flush");
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            std::future::pending::<()>().await;
        });
        let n = sent.len();
        let got = hs[1]
            .1
            .spawn(async move {
                let mut got = vec![0u8; n];
                peer_end.read_exact(&mut got).await.expect("all bytes");
                got
            })
            .await
            .expect("reader");
        (got, sent, start.elapsed().as_millis() as u64)
    });
    assert_eq!(got, sent, "every byte, in order");
    // 200 segments 5 ms apart take 1 s without loss; at 30 % some wait 200 ms or more.
    assert!(took_ms >= 1200, "loss delayed the stream: {took_ms} ms");
}

#[test]
fn shaped_runs_are_deterministic() {
    let run = |seed| {
        in_sim(seed, move || async move {
            let h = Handle::current();
            let net = Network::new(seed);
            let hs = hosts(&h, &net, 2);
            hs[1].1.spawn(echo_server(hs[1].0.clone()));
            tokio::time::sleep(Duration::from_millis(10)).await;
            net.reshape(sim_ip(0), sim_ip(1), |s| (s.min_ms, s.max_ms, s.loss) = (10, 90, 0.2));
            let pn = hs[0].0.clone();
            hs[0]
                .1
                .spawn(async move {
                    let mut s = pn.connect(addr(1)).await.expect("connect");
                    let mut v = Vec::new();
                    for _ in 0..20 {
                        v.push(round_trip_ms(&mut s, 10).await);
                    }
                    v
                })
                .await
                .expect("client")
        })
    };
    let a = run(5);
    assert_eq!(a, run(5), "same seed, same delays");
    assert_ne!(a, run(6), "another seed draws other delays");
}

/// Across a one-way cut of the path back (the peer's ACKs dropped), host 0 gets its congestion
/// window of segments through and no more until the heal; the rest then arrives, in order.
#[test]
fn a_one_way_cut_of_the_acks_stalls_the_sender_after_its_window() {
    let (before_heal, after_heal) = in_sim(3, || async {
        let h = Handle::current();
        let net = Network::new(3);
        let hs = hosts(&h, &net, 2);
        let (mut s, peer) = connected_pair(&hs).await;
        let mut peer_end = peer.await.expect("peer end");
        net.cut(sim_ip(1), sim_ip(0));
        let writer = hs[0].1.spawn(async move {
            for i in 0..25u8 {
                s.write_all(&[i; 8]).await.expect("write");
                s.flush().await.expect("flush");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            s
        });
        let mut got = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(3);
        let mut buf = [0u8; 256];
        while let Ok(Ok(n)) = tokio::time::timeout(deadline - Instant::now(), peer_end.read(&mut buf)).await {
            got.extend_from_slice(&buf[..n]);
        }
        let before = got.len();
        net.heal();
        while got.len() < 25 * 8 {
            let n = peer_end.read(&mut buf).await.expect("read after the heal");
            got.extend_from_slice(&buf[..n]);
        }
        let _s = writer.await.expect("writer");
        let in_order = got
            .chunks(8)
            .enumerate()
            .all(|(i, c)| c.iter().all(|&b| b as usize == i));
        (before, in_order)
    });
    assert_eq!(
        before_heal,
        sim::world::net::CWND_SEGMENTS as usize * 8,
        "only the congestion window gets through while the ACKs are dropped"
    );
    assert!(after_heal, "everything arrives after the heal, in order");
}
