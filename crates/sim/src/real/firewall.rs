//! Partitions and packet loss as nftables rules inside the process namespaces: a cut `a → b` is a
//! drop of packets from a's address in b's input chain, so that the sender's stack believes it
//! sent them, as when a network drops them, and backs off as TCP does (1 s, 2 s, 4 s … for a SYN).
//! A drop in the sender's own output chain would not do: Linux takes a local drop for local
//! congestion and retries every 0.5 s without backing off, so connections would resume within
//! 0.5 s of a heal where across a real partition they take seconds. Only a cut towards a client,
//! which lives in the hub, is dropped in the sending process's output chain. Loss is
//! `numgen random` drops, likewise on input. The tool's own address (the
//! hub's) is never cut, as the simulator's observer is not. Each change rewrites the table of
//! every namespace whose rules changed, then records what changed as world facts (the same
//! `Link`, `Shape` and `Network` facts the simulated network records).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::process::{Command, Stdio};

use super::addrs;
use crate::spec::{Links, WorldAction};
use crate::trace::Fact;

/// The network's state: hosts are the processes (`0..procs`), then the clients.
pub struct Firewall {
    procs: usize,
    /// Each host's name (processes', then clients').
    names: Vec<String>,
    /// For each host, the process whose side it shares (clients only).
    near: Vec<Option<usize>>,
    /// Each process's namespace.
    ns: Vec<String>,
    cuts: BTreeSet<(usize, usize)>,
    loss: BTreeMap<(usize, usize), f64>,
    global_loss: f64,
    /// The ruleset last loaded in each namespace.
    loaded: Vec<String>,
}

impl Firewall {
    pub fn new(ns: Vec<String>, names: Vec<String>, near: Vec<Option<usize>>) -> Firewall {
        let procs = ns.len();
        Firewall {
            procs,
            loaded: vec![String::new(); procs],
            ns,
            names,
            near,
            cuts: BTreeSet::new(),
            loss: BTreeMap::new(),
            global_loss: 0.0,
        }
    }

    fn ip(&self, host: usize) -> std::net::Ipv4Addr {
        if host < self.procs {
            addrs::proc_ip(host)
        } else {
            addrs::client_ip(host - self.procs)
        }
    }

    /// A group of processes plus the clients that live next to one of them.
    fn with_clients(&self, group: &[usize]) -> Vec<usize> {
        let mut g = group.to_vec();
        g.extend((0..self.near.len()).filter(|&h| self.near[h].is_some_and(|n| group.contains(&n))));
        g
    }

    fn pairs(&self, links: &Links) -> Vec<(usize, usize)> {
        let all = 0..self.names.len();
        match links {
            Links::Touching(p) => {
                let g = self.with_clients(p);
                let pairs = all.clone().flat_map(|a| all.clone().map(move |b| (a, b)));
                pairs
                    .filter(|&(a, b)| a != b && (g.contains(&a) || g.contains(&b)))
                    .collect()
            }
            Links::Directed { from, to } => {
                let (f, t) = (self.with_clients(from), self.with_clients(to));
                f.iter()
                    .flat_map(|&a| t.iter().map(move |&b| (a, b)))
                    .filter(|(a, b)| a != b)
                    .collect()
            }
        }
    }

    /// Applies a network action and returns the facts of what changed.
    pub fn apply(&mut self, action: &WorldAction) -> Result<Vec<Fact>, String> {
        let (cuts, loss, global) = (self.cuts.clone(), self.loss.clone(), self.global_loss);
        match action {
            WorldAction::Partition { groups } => {
                self.cuts.clear();
                let groups: Vec<Vec<usize>> = groups.iter().map(|g| self.with_clients(g)).collect();
                for (i, ga) in groups.iter().enumerate() {
                    for gb in &groups[i + 1..] {
                        for &a in ga {
                            for &b in gb {
                                self.cuts.extend([(a, b), (b, a)]);
                            }
                        }
                    }
                }
            }
            WorldAction::PartitionOneway { from, to } => {
                let pairs = self.pairs(&Links::Directed {
                    from: from.clone(),
                    to: to.clone(),
                });
                self.cuts.extend(pairs);
            }
            WorldAction::Heal => self.cuts.clear(),
            WorldAction::Loss { rate, links: None } => self.global_loss = *rate,
            WorldAction::Loss { rate, links: Some(l) } => {
                for p in self.pairs(l) {
                    self.loss.insert(p, *rate);
                }
                self.loss.retain(|_, r| *r > 0.0);
            }
            WorldAction::NetReset => {
                self.loss.clear();
                self.global_loss = 0.0;
            }
            other => return Err(format!("not a network action real mode plays: {other:?}")),
        }
        self.load()?;
        Ok(self.facts(&cuts, &loss, global))
    }

    fn facts(&self, cuts: &BTreeSet<(usize, usize)>, loss: &BTreeMap<(usize, usize), f64>, global: f64) -> Vec<Fact> {
        let name = |h: usize| self.names[h].clone();
        let mut facts: Vec<Fact> = (cuts.symmetric_difference(&self.cuts))
            .map(|&(a, b)| Fact::Link {
                from: name(a),
                to: name(b),
                cut: self.cuts.contains(&(a, b)),
            })
            .collect();
        let pairs: BTreeSet<&(usize, usize)> = loss.keys().chain(self.loss.keys()).collect();
        for &&(a, b) in &pairs {
            let now = self.loss.get(&(a, b)).copied().unwrap_or(0.0);
            if loss.get(&(a, b)).copied().unwrap_or(0.0) != now {
                let (from, to) = (name(a), name(b));
                facts.push(Fact::Shape {
                    from,
                    to,
                    min_ms: 0,
                    max_ms: 0,
                    loss: now,
                });
            }
        }
        if global != self.global_loss {
            facts.push(Fact::Network {
                min_us: 0,
                max_us: 0,
                loss: self.global_loss,
            });
        }
        facts
    }

    /// The nftables ruleset of process `i`'s namespace.
    fn ruleset(&self, i: usize) -> String {
        let mut out_rules = Vec::new();
        let mut in_rules = Vec::new();
        let drop = |rate: Option<f64>| match rate {
            None => "drop".to_string(),
            Some(r) => format!("numgen random mod 10000 < {} drop", (r * 10000.0).round() as u32),
        };
        let cut = self.cuts.iter().map(|&p| (p, None));
        let lossy = self.loss.iter().map(|(&p, &r)| (p, Some(r)));
        for ((a, b), rate) in cut.chain(lossy) {
            if b == i {
                in_rules.push(format!("ip saddr {} {}", self.ip(a), drop(rate)));
            } else if a == i && b >= self.procs {
                out_rules.push(format!("ip daddr {} {}", self.ip(b), drop(rate)));
            }
        }
        if self.global_loss > 0.0 {
            in_rules.push(drop(Some(self.global_loss)));
        }
        format!(
            "table inet ssim {{\n chain input {{ type filter hook input priority 0; policy accept;\n  {}\n }}\n chain output {{ type filter hook output priority 0; policy accept;\n  {}\n }}\n}}\n",
            in_rules.join("\n  "),
            out_rules.join("\n  ")
        )
    }

    /// Loads every namespace's ruleset that changed (the table replaced atomically).
    fn load(&mut self) -> Result<(), String> {
        for i in 0..self.procs {
            let rules = self.ruleset(i);
            if rules == self.loaded[i] {
                continue;
            }
            let script = format!("table inet ssim\ndelete table inet ssim\n{rules}");
            nft(&self.ns[i], &script)?;
            self.loaded[i] = rules;
        }
        Ok(())
    }
}

/// Runs an nft script inside namespace `ns`.
fn nft(ns: &str, script: &str) -> Result<(), String> {
    let mut child = Command::new("ip")
        .args(["netns", "exec", ns, "nft", "-f", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run nft: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(script.as_bytes()).map_err(|e| format!("nft: {e}"))?;
    }
    let out = child.wait_with_output().map_err(|e| format!("nft: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("nft in {ns}: {}", String::from_utf8_lossy(&out.stderr).trim()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cut is dropped where it arrives, so the sender backs off as across a real partition.
    #[test]
    fn a_cut_drops_on_the_receivers_input() {
        let names = vec!["a".into(), "b".into(), "client".into()];
        let mut fw = Firewall::new(vec!["ns-a".into(), "ns-b".into()], names, vec![None, None, Some(0)]);
        fw.cuts.insert((0, 1));
        fw.cuts.insert((1, 2));
        let (a, b) = (fw.ruleset(0), fw.ruleset(1));
        let input = |r: &str| r[r.find("chain input").unwrap()..r.find("chain output").unwrap()].to_string();
        let output = |r: &str| r[r.find("chain output").unwrap()..].to_string();
        assert!(
            input(&b).contains(&format!("ip saddr {} drop", addrs::proc_ip(0))),
            "{b}"
        );
        assert!(
            !output(&a).contains("drop"),
            "the sender's stack must not see the drop: {a}"
        );
        // Towards a client (in the hub) the sender's output is the only place.
        assert!(
            output(&b).contains(&format!("ip daddr {} drop", addrs::client_ip(0))),
            "{b}"
        );
    }
}
