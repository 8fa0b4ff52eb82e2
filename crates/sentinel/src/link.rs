//! One outgoing connection of a Sentinel link (the hiredis async context of `cc` or `pc`).
//!
//! Like a non-blocking hiredis connect, commands may be sent before the TCP connection is
//! established; they are buffered and written once connected. Every batch of commands available
//! at once is written with one flush. Replies are read as they come and handed to the main loop,
//! batched per read. The main loop hears about the end of the connection exactly once
//! ([`Input::Closed`]) unless it closed the connection itself (dropping the command sender).

use crate::node::Input;
use sentinel_core::ConnId;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// Commands a link may have queued in the driver before it is closed as hopeless. Sentinel itself
/// stops sending on a link with 100 × refcount commands pending, so this cap is only a guard
/// against a peer that stops reading while the core keeps queueing.
pub const LINK_QUEUE_CAP: usize = 10_000;

/// Sentinel sets no connect timeout on its hiredis links: a connect that never completes is only
/// ended by the kernel (Linux gives up on an unanswered SYN after ~127 s with the default
/// `tcp_syn_retries = 6`) or by the core's link recycling (which closes a `cc` whose PINGs go
/// unanswered, connected or not). The same 127 s is used here so that a black hole behaves as it
/// would with the real kernel, and never waits longer than the kernel would.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(127);

/// A command to write: its arguments, sent as a multibulk.
pub type Command = Vec<Vec<u8>>;

/// The local IP of a connected socket as text (IPv4-mapped IPv6 shown as IPv4); empty if unknown.
pub fn local_ip_of(addr: std::io::Result<std::net::SocketAddr>) -> String {
    match addr {
        Ok(a) => a.ip().to_canonical().to_string(),
        Err(_) => String::new(),
    }
}

enum End {
    /// The core closed the link (the command sender was dropped): nothing to report.
    ByCore,
    /// Connect failure, EOF, I/O or protocol error, queue overflow: report it.
    Failed,
}

/// Runs one link connection until it ends.
pub(crate) async fn link_task(
    conn: ConnId,
    ip: String,
    port: u16,
    net: Arc<dyn host::Net>,
    mut commands: mpsc::Receiver<Command>,
    inputs: mpsc::Sender<Input>,
) {
    if let End::Failed = drive(conn, (&ip, port), &*net, &mut commands, &inputs).await {
        let _ = inputs.send(Input::Closed { conn }).await;
    }
}

/// The address peers know us by on a connection to `ip:port` (the host may be behind a NAT-like
/// mapping, as in the simulation), known before the handshake completes as a connecting
/// socket's is; None if the network cannot tell.
/// Only for an address given as an IP: a hostname would need a DNS lookup, which must not run
/// on the core's loop (the link resolves it, and reports the address once connected).
pub(crate) fn source_ip(net: &dyn host::Net, ip: &str, port: u16) -> Option<String> {
    ip.parse::<std::net::IpAddr>().ok()?;
    let a = net.source_for(net.resolve(ip, port)?)?;
    Some(net.local_alias(a.to_canonical()))
}

async fn drive(
    conn: ConnId,
    (ip, port): (&str, u16),
    net: &dyn host::Net,
    commands: &mut mpsc::Receiver<Command>,
    inputs: &mpsc::Sender<Input>,
) -> End {
    // Commands sent while connecting, already encoded.
    let mut early = Vec::new();
    let mut early_count = 0usize;
    let connecting = host::connect(net, ip, port, CONNECT_TIMEOUT);
    tokio::pin!(connecting);
    let stream = loop {
        tokio::select! {
            biased;
            cmd = commands.recv() => match cmd {
                Some(args) => {
                    early_count += 1;
                    if early_count > LINK_QUEUE_CAP {
                        return End::Failed;
                    }
                    resp::encode_command(&args, &mut early);
                }
                None => return End::ByCore,
            },
            res = &mut connecting => match res {
                Ok(stream) => break stream,
                Err(_) => return End::Failed,
            },
        }
    };
    let _ = stream.set_nodelay(true);
    // The established socket's own address has the last word.
    let local_ip = match stream.local_addr() {
        Ok(a) => net.local_alias(a.ip().to_canonical()),
        Err(_) => String::new(),
    };
    if inputs.send(Input::Connected { conn, local_ip }).await.is_err() {
        return End::ByCore;
    }
    let mut c = resp::Conn::new(stream);
    if !early.is_empty() {
        c.queue_raw(&early);
        drop(early);
        if c.flush().await.is_err() {
            return End::Failed;
        }
    }
    loop {
        tokio::select! {
            biased;
            cmd = commands.recv() => match cmd {
                Some(args) => {
                    c.queue_command(&args);
                    // Everything already queued goes out with the same flush.
                    while let Ok(args) = commands.try_recv() {
                        c.queue_command(&args);
                    }
                    if c.flush().await.is_err() {
                        return End::Failed;
                    }
                }
                None => return End::ByCore,
            },
            reply = c.read_value() => match reply {
                Ok(first) => {
                    let mut values = vec![first];
                    loop {
                        match c.try_buffered_value() {
                            Ok(Some(v)) => values.push(v),
                            Ok(None) => break,
                            Err(_) => {
                                // Deliver what parsed before the garbage, then end the link.
                                let _ = inputs.send(Input::Replies { conn, values }).await;
                                return End::Failed;
                            }
                        }
                    }
                    if inputs.send(Input::Replies { conn, values }).await.is_err() {
                        return End::ByCore;
                    }
                }
                Err(_) => return End::Failed,
            },
        }
    }
}
