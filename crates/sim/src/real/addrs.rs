//! The scenario's addresses and the real ones. Every scenario process gets a network namespace of
//! its own with one address on the run's private subnet; clients get extra addresses on the hub's
//! bridge. The scenario's ports are kept. What the processes say (logs, replies) names the real
//! addresses; [`Addrs::map_back`] turns them back into the scenario's, so results read like the
//! simulator's.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// The private subnet of a run (a /24). Every run has its own hub namespace, so two runs at once
/// do not collide even though they use the same subnet.
const SUBNET: [u8; 3] = [10, 213, 0];
/// The hub's own address (the tool's probes and operator commands come from it).
pub const HUB_HOST: u8 = 254;
/// Client `j` is host `CLIENT_BASE + j`.
const CLIENT_BASE: u8 = 200;
/// Processes are hosts 1..CLIENT_BASE.
pub const MAX_PROCS: usize = (CLIENT_BASE - 1) as usize;
/// Clients are hosts CLIENT_BASE..HUB_HOST.
pub const MAX_CLIENTS: usize = (HUB_HOST - CLIENT_BASE) as usize;

/// The address of host `n` of the subnet.
pub fn host_ip(n: u8) -> Ipv4Addr {
    Ipv4Addr::new(SUBNET[0], SUBNET[1], SUBNET[2], n)
}

/// The subnet's prefix as text (`10.213.0.`), for scanning lines.
fn prefix() -> String {
    format!("{}.{}.{}.", SUBNET[0], SUBNET[1], SUBNET[2])
}

/// Where process `i` (the plan's order: data nodes, then Sentinels) lives.
pub fn proc_ip(i: usize) -> Ipv4Addr {
    host_ip(i as u8 + 1)
}

/// Where client `j` connects from.
pub fn client_ip(j: usize) -> Ipv4Addr {
    host_ip(CLIENT_BASE + j as u8)
}

/// The two-way map between the scenario's addresses and the real ones.
#[derive(Debug, Clone, Default)]
pub struct Addrs {
    /// Scenario `ip:port` → real socket address.
    to_real: BTreeMap<(String, u16), SocketAddr>,
    /// Real host byte → the scenario IP shown for it (a process's), or a client's name.
    back: BTreeMap<u8, String>,
}

impl Addrs {
    /// Processes as (scenario ip, port), in the plan's order; client names in order.
    pub fn new(procs: &[(String, u16)], clients: &[String]) -> Addrs {
        let mut a = Addrs::default();
        for (i, (ip, port)) in procs.iter().enumerate() {
            a.to_real
                .insert((ip.clone(), *port), SocketAddr::new(proc_ip(i).into(), *port));
            a.back.insert(i as u8 + 1, ip.clone());
        }
        for (j, name) in clients.iter().enumerate() {
            a.back.insert(CLIENT_BASE + j as u8, name.clone());
        }
        a.back.insert(HUB_HOST, "sentinel-sim".into());
        a
    }

    /// The real address of a scenario address; a real address is returned as is.
    pub fn real(&self, ip: &str, port: u16) -> Option<SocketAddr> {
        self.to_real
            .get(&(ip.to_string(), port))
            .copied()
            .or_else(|| ip.parse::<IpAddr>().ok().map(|ip| SocketAddr::new(ip, port)))
    }

    /// `text` with every real address of the subnet replaced by the scenario's (a whole address
    /// only: `10.213.0.1` is not a prefix of `10.213.0.12`).
    pub fn map_back(&self, text: &str) -> String {
        let pre = prefix();
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = rest.find(&pre) {
            let before_ok = rest[..at]
                .chars()
                .next_back()
                .or_else(|| out.chars().next_back())
                .is_none_or(|c| !(c.is_ascii_digit() || c == '.'));
            let tail = &rest[at + pre.len()..];
            let digits = tail.bytes().take_while(u8::is_ascii_digit).count();
            let host = tail[..digits].parse::<u8>().ok();
            let after_ok = !tail[digits..].starts_with('.');
            out.push_str(&rest[..at]);
            match host.and_then(|h| self.back.get(&h)).filter(|_| before_ok && after_ok) {
                Some(shown) => out.push_str(shown),
                None => out.push_str(&rest[at..at + pre.len() + digits]),
            }
            rest = &tail[digits..];
        }
        out.push_str(rest);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_whole_addresses_back_only() {
        let procs: Vec<(String, u16)> = (0..12).map(|i| ("127.0.0.1".to_string(), 6000 + i)).collect();
        let a = Addrs::new(&procs, &["app".into()]);
        assert_eq!(
            a.map_back("+switch-master m 10.213.0.1 6000 10.213.0.12 6011"),
            "+switch-master m 127.0.0.1 6000 127.0.0.1 6011"
        );
        assert_eq!(
            a.map_back("slave 10.213.0.2:6001 from 10.213.0.200"),
            "slave 127.0.0.1:6001 from app"
        );
        assert_eq!(a.map_back("110.213.0.1 and 10.213.0.99"), "110.213.0.1 and 10.213.0.99");
        assert_eq!(a.real("127.0.0.1", 6003), Some("10.213.0.4:6003".parse().unwrap()));
        assert_eq!(a.real("10.213.0.4", 6003), Some("10.213.0.4:6003".parse().unwrap()));
    }
}
