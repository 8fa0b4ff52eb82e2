//! Per-link latency and loss: which directed host pairs a scenario's `nodes` or `from`/`to` name.

use super::net::Shape;
use super::timeline::WorldCtl;
use crate::spec::Links;

impl WorldCtl<'_> {
    /// Applies `f` to the shape of every directed link `links` names.
    pub(super) fn shape(&mut self, links: &Links, f: impl Fn(&mut Shape)) {
        for (a, b) in self.link_pairs(links) {
            self.net.reshape(self.hosts[a].0, self.hosts[b].0, &f);
        }
    }

    /// The directed (from, to) pairs of hosts (indexes into `hosts`) that `links` names; a client
    /// near a process shares its links. `Touching` also covers hosts that are on their own.
    fn link_pairs(&self, links: &Links) -> Vec<(usize, usize)> {
        let mut pairs = Vec::new();
        match links {
            Links::Touching(procs) => {
                let group = self.with_clients(procs);
                for a in 0..self.hosts.len() {
                    for b in 0..self.hosts.len() {
                        if a != b && (group.contains(&a) || group.contains(&b)) {
                            pairs.push((a, b));
                        }
                    }
                }
            }
            Links::Directed { from, to } => {
                let (from, to) = (self.with_clients(from), self.with_clients(to));
                for &a in &from {
                    for &b in &to {
                        if a != b {
                            pairs.push((a, b));
                        }
                    }
                }
            }
        }
        pairs
    }
}
