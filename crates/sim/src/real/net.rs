//! The network as the tool's own clients see it (the workload's clients, the final read of what
//! survived): TCP from a chosen source address on the hub, to the real address of a scenario
//! address. A client with its own source address can be cut off by the partitions like a process.

use std::io;
use std::net::{IpAddr, SocketAddr};

use host::{BoxFuture, BoxListener, BoxStream, Net};

use super::addrs::Addrs;

pub struct RealNet {
    pub addrs: Addrs,
    /// The source address of every connection (None: the hub's, chosen by the kernel).
    pub from: Option<IpAddr>,
}

impl Net for RealNet {
    fn resolve(&self, ip: &str, port: u16) -> Option<SocketAddr> {
        self.addrs.real(ip, port)
    }

    fn connect(&self, addr: SocketAddr) -> BoxFuture<'_, io::Result<BoxStream>> {
        Box::pin(async move {
            let sock = tokio::net::TcpSocket::new_v4()?;
            if let Some(ip) = self.from {
                sock.bind(SocketAddr::new(ip, 0))?;
            }
            let s = sock.connect(addr).await?;
            Ok(Box::new(s) as BoxStream)
        })
    }

    fn listen(&self, _addr: SocketAddr) -> BoxFuture<'_, io::Result<BoxListener>> {
        Box::pin(async { Err(io::Error::new(io::ErrorKind::Unsupported, "clients do not listen")) })
    }
}
