//! Invariant `config-epoch-monotonic`: what a Sentinel has written to its disk never goes back —
//! its current-epoch never decreases from one save to the next (its restarts included: the file
//! survives them and Sentinel only raises the epoch it loads), and per master name its
//! config-epoch never decreases, with the one decrease Redis makes on purpose: a leader that
//! observes its own promotion sets the config epoch to its failover epoch, even if a hello had
//! meanwhile raised it (spec §3.2-4); that save moves the master to the replica it promoted.
//!
//! Evidence: the **disk** (the world's `config_saved` facts: each save of a Sentinel's config as
//! written) and the **wire** (the leader's `SLAVEOF NO ONE` to the promoted replica, which excuses
//! the promotion's decrease). Hellos are not used: a hello is recorded when written, and a
//! command queued on a connection still being set up may be written after newer ones. The
//! core-internal version is `config-epoch-monotonic-probe`.

use std::collections::{BTreeMap, BTreeSet};

use super::trace_view::{at, join, node_name};
use super::{CheckResult, Evidence};
use crate::trace::{Fact, Kind, Sent};

pub const NAME: &str = "config-epoch-monotonic";

/// A value as last saved: (value, time, master address for config epochs).
type Last = (u64, u64, String);

pub fn check(ev: &Evidence) -> CheckResult {
    let mut current: BTreeMap<&str, Last> = BTreeMap::new();
    let mut config: BTreeMap<(&str, &str), Last> = BTreeMap::new();
    // (sender, promoted node): the SLAVEOF NO ONE each Sentinel sent.
    let mut promoted: BTreeSet<(&str, &str)> = BTreeSet::new();
    let (mut saves, mut bad) = (0usize, Vec::new());
    for e in ev.trace {
        let t = e.t_ms;
        match &e.kind {
            Kind::Wire(w) if matches!(w.sent, Sent::SlaveOf { master: None, .. }) => {
                promoted.insert((w.from.as_str(), w.to.as_str()));
            }
            Kind::World(Fact::ConfigSaved {
                node,
                current_epoch,
                masters,
            }) => {
                saves += 1;
                if let Some((prev, pt, _)) = current.get(node.as_str()) {
                    if current_epoch < prev {
                        bad.push(format!(
                            "{node} saved current-epoch {prev} {} then {current_epoch} {}",
                            at(*pt),
                            at(t)
                        ));
                    }
                }
                current.insert(node, (*current_epoch, t, String::new()));
                // A master no longer in the file starts afresh if it is monitored again.
                config.retain(|(n, m), _| *n != node || masters.iter().any(|s| s.name == *m));
                for m in masters {
                    let key = (node.as_str(), m.name.as_str());
                    if let Some((prev, pt, paddr)) = config.get(&key) {
                        let to = node_name(ev.scenario, &m.addr);
                        let own_promotion = *paddr != m.addr && promoted.iter().any(|p| p.0 == node && p.1 == to);
                        if m.config_epoch < *prev && !own_promotion {
                            bad.push(format!(
                                "{node} saved {} config-epoch {prev} ({paddr}) {} then {} ({}) {}",
                                m.name,
                                at(*pt),
                                m.config_epoch,
                                m.addr,
                                at(t)
                            ));
                        }
                    }
                    config.insert(key, (m.config_epoch, t, m.addr.clone()));
                }
            }
            _ => {}
        }
    }
    if saves == 0 {
        return CheckResult::pass(NAME, "not judged: no Sentinel config save in the trace");
    }
    if !bad.is_empty() {
        return CheckResult::fail(NAME, format!("disk: {}", join(&bad)));
    }
    let cur: Vec<String> = current.iter().map(|(n, v)| format!("{n}={}", v.0)).collect();
    let cfg: Vec<String> = config.iter().map(|((n, _), v)| format!("{n}={}", v.0)).collect();
    CheckResult::pass(
        NAME,
        format!(
            "disk: {saves} save(s) never lowered an epoch; last current-epochs {}; last config-epochs {}",
            cur.join(" "),
            cfg.join(" ")
        ),
    )
}
