//! The network as processes see it.
//!
//! *Address book*: every process is known by the address of the scenario (`127.0.0.1:6382`, as in
//! the real setup) but lives on its own simulated host (`10.0.0.x`). Dialing maps one to the
//! other, and a local socket address maps back, like the NAT setups Sentinel supports.
//!
//! *Partitions*: the world keeps its own table of cut (from, to) host pairs (madsim has no getter
//! for its clogs) and applies it with madsim's directed link clogs. Established connections across
//! a cut hang silently and resume after the heal (madsim retransmits with backoff, as TCP does).
//! The table also corrects a madsim shortcut: a connect across a cut is refused at once in madsim,
//! whereas a real SYN goes unanswered; [`ProcDialer::blocked`] makes it hang instead.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};

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

impl host::Dialer for AddressBook {
    fn resolve(&self, ip: &str, port: u16) -> Option<SocketAddr> {
        // Unknown addresses resolve to themselves: connecting there fails like a dead host.
        self.lookup(ip, port)
            .or_else(|| ip.parse().ok().map(|ip| SocketAddr::new(ip, port)))
    }

    fn local_alias(&self, local: IpAddr) -> String {
        self.alias.get(&local).cloned().unwrap_or_else(|| local.to_string())
    }
}

/// The world's mirror of what is cut: directed pairs of simulated host IPs.
#[derive(Clone, Default)]
pub struct Cuts {
    pairs: Arc<Mutex<BTreeSet<(IpAddr, IpAddr)>>>,
}

impl Cuts {
    pub fn is_cut(&self, from: IpAddr, to: IpAddr) -> bool {
        self.pairs.lock().unwrap().contains(&(from, to))
    }
    pub fn insert(&self, from: IpAddr, to: IpAddr) -> bool {
        self.pairs.lock().unwrap().insert((from, to))
    }
    /// Removes every cut, returning them.
    pub fn clear(&self) -> Vec<(IpAddr, IpAddr)> {
        std::mem::take(&mut *self.pairs.lock().unwrap()).into_iter().collect()
    }
}

/// One process's dialer: the address book plus the partition table, seen from its own host.
#[derive(Clone)]
pub struct ProcDialer {
    pub book: AddressBook,
    pub me: IpAddr,
    pub cuts: Cuts,
}

impl host::Dialer for ProcDialer {
    fn resolve(&self, ip: &str, port: u16) -> Option<SocketAddr> {
        self.book.resolve(ip, port)
    }
    fn local_alias(&self, local: IpAddr) -> String {
        self.book.local_alias(local)
    }
    fn blocked(&self, to: SocketAddr) -> bool {
        // A handshake needs both directions.
        self.cuts.is_cut(self.me, to.ip()) || self.cuts.is_cut(to.ip(), self.me)
    }
}
