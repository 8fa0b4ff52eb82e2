//! The network as a process sees it: resolving the addresses it was told, connecting, listening.
//!
//! A real host uses [`TcpNet`] (tokio's TCP, nothing added). The simulated world supplies its own
//! [`Net`] whose streams behave like TCP across partitions, slow and lossy links; the process code
//! cannot tell the difference, so it has no simulation-only paths.

use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};

/// A boxed future that can cross tasks.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A connected byte stream (a TCP connection).
pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send {
    fn local_addr(&self) -> io::Result<SocketAddr>;
    fn peer_addr(&self) -> io::Result<SocketAddr>;
    fn set_nodelay(&self, on: bool) -> io::Result<()>;
}

/// A stream of whatever kind the host's network makes.
pub type BoxStream = Box<dyn Stream>;

/// A listening socket.
pub trait Listener: Send + Sync {
    /// The next incoming connection and its peer's address.
    fn accept(&self) -> BoxFuture<'_, io::Result<(BoxStream, SocketAddr)>>;
    fn local_addr(&self) -> io::Result<SocketAddr>;
}

/// A listener of whatever kind the host's network makes.
pub type BoxListener = Box<dyn Listener>;

/// What a process asks of the network.
pub trait Net: Send + Sync {
    /// Turns the address a process was told (`127.0.0.1:6382`, as it appears in configs, INFO and
    /// hello messages) into the socket address to connect to. Real hosts connect where they are
    /// told; the simulation maps each announced address onto its simulated host.
    fn resolve(&self, ip: &str, port: u16) -> Option<SocketAddr>;

    /// The address others know this host by, given the local address of one of its sockets
    /// (the reverse mapping). Real hosts: the address itself.
    fn local_alias(&self, local: IpAddr) -> String {
        local.to_string()
    }

    /// The local address a connection to `addr` gets, known before its handshake completes (a
    /// connecting socket already has its local address: Redis reads it with `getsockname` to
    /// announce itself in hellos on a link that is still connecting). None if unknown.
    fn source_for(&self, _addr: SocketAddr) -> Option<IpAddr> {
        None
    }

    /// Opens a connection to `addr`. It may take as long as the network makes it (an unanswered
    /// SYN is retransmitted); callers bound it (see [`connect`]).
    fn connect(&self, addr: SocketAddr) -> BoxFuture<'_, io::Result<BoxStream>>;

    /// Binds a listening socket.
    fn listen(&self, addr: SocketAddr) -> BoxFuture<'_, io::Result<BoxListener>>;
}

/// The host's own TCP stack.
#[derive(Debug, Default, Clone, Copy)]
pub struct TcpNet;

impl Net for TcpNet {
    fn resolve(&self, host: &str, port: u16) -> Option<SocketAddr> {
        if let Ok(ip) = host.parse::<IpAddr>() {
            return Some(SocketAddr::new(ip, port));
        }
        crate::dns_first(host).map(|ip| SocketAddr::new(ip, port))
    }

    /// The kernel's choice of source address for `addr` (its route lookup, the same one a TCP
    /// connect makes), asked through a connected UDP socket, which sends nothing.
    #[cfg(not(madsim))]
    fn source_for(&self, addr: SocketAddr) -> Option<IpAddr> {
        let any: SocketAddr = if addr.is_ipv6() {
            (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
        } else {
            (std::net::Ipv4Addr::UNSPECIFIED, 0).into()
        };
        let s = std::net::UdpSocket::bind(any).ok()?;
        s.connect(addr).ok()?;
        Some(s.local_addr().ok()?.ip())
    }

    fn connect(&self, addr: SocketAddr) -> BoxFuture<'_, io::Result<BoxStream>> {
        Box::pin(async move {
            let s = tokio::net::TcpStream::connect(addr).await?;
            Ok(Box::new(s) as BoxStream)
        })
    }

    fn listen(&self, addr: SocketAddr) -> BoxFuture<'_, io::Result<BoxListener>> {
        Box::pin(async move { Ok(Box::new(tcp_listen(addr).await?) as BoxListener) })
    }
}

/// A listening socket. An IPv6 one is IPv6-only, as Redis makes it, so that `*` and `::*` (the
/// default `bind * -::*`) can both be bound on one port.
async fn tcp_listen(addr: SocketAddr) -> io::Result<tokio::net::TcpListener> {
    // madsim's listener cannot be made from a std socket; its addresses are IPv4 anyway.
    #[cfg(not(madsim))]
    if addr.is_ipv6() {
        use socket2::{Domain, Protocol, Socket, Type};
        let s = Socket::new(Domain::IPV6, Type::STREAM, Some(Protocol::TCP))?;
        s.set_only_v6(true)?;
        s.set_reuse_address(true)?;
        s.set_nonblocking(true)?;
        s.bind(&addr.into())?;
        s.listen(511)?;
        return tokio::net::TcpListener::from_std(s.into());
    }
    tokio::net::TcpListener::bind(addr).await
}

impl Stream for tokio::net::TcpStream {
    fn local_addr(&self) -> io::Result<SocketAddr> {
        tokio::net::TcpStream::local_addr(self)
    }
    fn peer_addr(&self) -> io::Result<SocketAddr> {
        tokio::net::TcpStream::peer_addr(self)
    }
    fn set_nodelay(&self, on: bool) -> io::Result<()> {
        tokio::net::TcpStream::set_nodelay(self, on)
    }
}

impl Listener for tokio::net::TcpListener {
    fn accept(&self) -> BoxFuture<'_, io::Result<(BoxStream, SocketAddr)>> {
        Box::pin(async move {
            let (s, peer) = tokio::net::TcpListener::accept(self).await?;
            Ok((Box::new(s) as BoxStream, peer))
        })
    }
    fn local_addr(&self) -> io::Result<SocketAddr> {
        tokio::net::TcpListener::local_addr(self)
    }
}

/// Connects through `net`, giving up after `timeout` (Redis' replication link has a connect
/// timeout; Sentinel has none, callers that want none pass a long one).
pub async fn connect(net: &dyn Net, ip: &str, port: u16, timeout: Duration) -> io::Result<BoxStream> {
    let addr = net
        .resolve(ip, port)
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, format!("cannot resolve {ip}:{port}")))?;
    match tokio::time::timeout(timeout, net.connect(addr)).await {
        Ok(r) => r,
        Err(_) => Err(io::Error::new(io::ErrorKind::TimedOut, "connect timed out")),
    }
}
