//! The network as processes see it: one simulated network layer beneath the host seam.
//!
//! *Address book*: every process is known by the address of the scenario (`127.0.0.1:6382`, as in
//! the real setup) but lives on its own simulated host (`10.0.0.x`). Dialing maps one to the
//! other, and a local socket address maps back, like the NAT setups Sentinel supports.
//!
//! *Network* ([`Network`]): the world's cuts (partitions) and shaped links (per-link latency and
//! loss), applied by the streams every process gets from its [`ProcNet`] ([`SimStream`]): they
//! wrap madsim's TCP so that it behaves as TCP does where madsim takes shortcuts (a connect
//! across a cut hangs, a FIN or RST does not cross a cut). The processes cannot tell that they
//! are simulated.

mod links;
mod stream;
mod tap;

pub use links::{NetCounts, Network, Shape};
pub use stream::{SimListener, SimStream, CWND_SEGMENTS};
pub use tap::{Host, Side, TapCtx};

use host::{BoxFuture, BoxListener, BoxStream};
use std::collections::BTreeMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

#[derive(Clone, Default)]
pub struct AddressBook {
    map: Arc<BTreeMap<(String, u16), SocketAddr>>,
    /// Simulated host IP → the IP it is known by.
    alias: Arc<BTreeMap<IpAddr, String>>,
}

/// The simulated host IP of process number `i`.
pub fn sim_ip(i: usize) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(10, 0, (i / 250) as u8, (i % 250 + 1) as u8))
}

/// The host the runner's own probes (operator commands, final-state queries) run on. It is never
/// partitioned.
pub fn observer_ip() -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(10, 9, 9, 9))
}

impl AddressBook {
    pub fn new(entries: impl IntoIterator<Item = ((String, u16), SocketAddr)>) -> Self {
        let map: BTreeMap<(String, u16), SocketAddr> = entries.into_iter().collect();
        let alias = map.iter().map(|((ip, _), sock)| (sock.ip(), ip.clone())).collect();
        AddressBook {
            map: Arc::new(map),
            alias: Arc::new(alias),
        }
    }
    pub fn lookup(&self, ip: &str, port: u16) -> Option<SocketAddr> {
        self.map.get(&(ip.to_string(), port)).copied()
    }
}

/// The address book alone is a network without faults (madsim's TCP as is), for tests.
impl host::Net for AddressBook {
    fn resolve(&self, ip: &str, port: u16) -> Option<SocketAddr> {
        // Unknown addresses resolve to themselves: connecting there fails like a dead host.
        self.lookup(ip, port)
            .or_else(|| ip.parse().ok().map(|ip| SocketAddr::new(ip, port)))
    }

    fn local_alias(&self, local: IpAddr) -> String {
        self.alias.get(&local).cloned().unwrap_or_else(|| local.to_string())
    }

    fn connect(&self, addr: SocketAddr) -> BoxFuture<'_, io::Result<BoxStream>> {
        host::TcpNet.connect(addr)
    }

    fn listen(&self, addr: SocketAddr) -> BoxFuture<'_, io::Result<BoxListener>> {
        host::TcpNet.listen(addr)
    }
}

/// One host's view of the world's network: the address book, and streams that behave like TCP
/// across the world's cuts and shaped links.
#[derive(Clone)]
pub struct ProcNet {
    pub book: AddressBook,
    /// This host's simulated IP.
    pub me: IpAddr,
    pub net: Network,
}

impl host::Net for ProcNet {
    fn resolve(&self, ip: &str, port: u16) -> Option<SocketAddr> {
        host::Net::resolve(&self.book, ip, port)
    }

    fn local_alias(&self, local: IpAddr) -> String {
        self.book.local_alias(local)
    }

    /// Every connection of this host leaves from its one address.
    fn source_for(&self, _addr: SocketAddr) -> Option<IpAddr> {
        Some(self.me)
    }

    fn connect(&self, addr: SocketAddr) -> BoxFuture<'_, io::Result<BoxStream>> {
        Box::pin(async move {
            let (me, peer) = (self.me, addr.ip());
            // madsim refuses a connect across a clog at once; a real SYN goes unanswered and is
            // retransmitted after 1 s, then 2, 4, … (Linux: at 1, 3, 7, 15, 31 and 63 s, giving
            // up at 127 s), so the connect completes at the first retransmission after the path
            // opens, which may be seconds after a heal.
            let mut rto = links::SYN_RTO;
            let mut retries = 0;
            while !self.net.is_open(me, peer) {
                tokio::time::sleep(rto).await;
                if retries == links::SYN_RETRIES {
                    return Err(io::Error::new(io::ErrorKind::TimedOut, "connection timed out"));
                }
                rto *= 2;
                retries += 1;
            }
            match self.net.handshake_delay(me, peer) {
                Ok(d) if d.is_zero() => {}
                Ok(d) => tokio::time::sleep(d).await,
                Err((d, e)) => {
                    tokio::time::sleep(d).await;
                    return Err(e);
                }
            }
            let s = tokio::net::TcpStream::connect(addr).await?;
            Ok(Box::new(SimStream::new(s, me, self.net.clone(), Side::Client)) as BoxStream)
        })
    }

    fn listen(&self, addr: SocketAddr) -> BoxFuture<'_, io::Result<BoxListener>> {
        Box::pin(async move {
            let inner = tokio::net::TcpListener::bind(addr).await?;
            Ok(Box::new(SimListener {
                inner,
                me: self.me,
                net: self.net.clone(),
            }) as BoxListener)
        })
    }
}
