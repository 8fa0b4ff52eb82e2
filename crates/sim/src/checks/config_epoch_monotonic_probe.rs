//! Invariant `config-epoch-monotonic-probe` (a second opinion on `config-epoch-monotonic`, which
//! judges from the disk): per Sentinel and master, `config_epoch` never decreases
//! along the trace (restarts included); per Sentinel, `current_epoch` never decreases.
//!
//! Evidence: the **debug probe** (core-internal `current_epoch` / `config_epoch` /
//! `failover_epoch` recorded with every Sentinel event; not judged without it),
//! its (re)start lines (`Sentinel ID is ...`), and `+vote-for-leader`, `+switch-master`,
//! `+promoted-slave` (what a Sentinel must have persisted before a restart).

use std::collections::BTreeMap;

use super::trace_view::{at, join, sentinel_events};
use super::{CheckResult, Evidence};
use crate::trace::EventBody;

pub const NAME: &str = "config-epoch-monotonic-probe";

pub fn check(ev: &Evidence) -> CheckResult {
    let trace = ev.trace;
    // Within one lifetime of a Sentinel process its epochs never go back. Across a restart they
    // may fall back to what was on disk: Redis 7.0 persists a vote before giving it, and a new
    // config epoch when it switches or promotes, but not `current_epoch++` at failover start
    // (spec §9.3; the fuzzer found a run where a Sentinel was killed between the two). So after a
    // restart the epochs must still be at least those durable values.
    let mut config: Epochs<(String, String)> = BTreeMap::new();
    let mut current: Epochs<String> = BTreeMap::new();
    let mut durable_current: BTreeMap<String, (u64, String)> = BTreeMap::new();
    let mut durable_config: BTreeMap<(String, String), (u64, String)> = BTreeMap::new();
    let mut restarts = 0u32;
    let mut bad = Vec::new();
    let mut probed = 0usize;
    let events = sentinel_events(trace);
    for e in &events {
        let Some(p) = e.ev.probe.as_ref() else { continue };
        probed += 1;
        let line = trace[e.idx].line();
        let node = e.node.to_string();
        if matches!(e.ev.body, EventBody::SentinelId { .. }) {
            // A (re)start: a new lifetime, bounded below by what must have been persisted.
            if current.remove(&node).is_some() {
                restarts += 1;
            }
            config.retain(|(n, _), _| *n != node);
            if let Some((floor, why)) = durable_current.get(&node) {
                if p.current_epoch < *floor {
                    bad.push(format!(
                        "{node}: restarted {} with current_epoch {} below the persisted {floor} ({why})",
                        at(e.t),
                        p.current_epoch
                    ));
                }
            }
        }
        if let Some(prev) = current.get(&node) {
            if p.current_epoch < prev.0 {
                bad.push(format!(
                    "{node}: current_epoch {} {} ({}) then {} {} ({line})",
                    prev.0,
                    at(prev.1),
                    prev.2,
                    p.current_epoch,
                    at(e.t)
                ));
            }
        }
        current.insert(node.clone(), (p.current_epoch, e.t, line.clone()));
        if e.ev.name() == "+vote-for-leader" {
            let d = durable_current.entry(node.clone()).or_insert((0, String::new()));
            if p.failover_epoch >= d.0 {
                *d = (p.failover_epoch, format!("{} {line}", at(e.t)));
            }
        }
        if let Some(m) = &p.master {
            let key = (node.clone(), m.clone());
            if let Some((floor, why)) = durable_config.get(&key) {
                if p.config_epoch < *floor && !config.contains_key(&key) {
                    bad.push(format!(
                        "{node} {m}: config_epoch {} {} after a restart, below the persisted {floor} ({why})",
                        p.config_epoch,
                        at(e.t)
                    ));
                }
            } // The one decrease Redis makes on purpose: observing its promotion, the leader sets the
              // config epoch to its failover epoch, even if a hello meanwhile raised it for the same
              // address (spec §3.2-4); the higher config then wins back through hello.
            let promotion = e.ev.name() == "+promoted-slave" && p.config_epoch == p.failover_epoch;
            if let Some(prev) = config.get(&key) {
                if p.config_epoch < prev.0 && !promotion {
                    bad.push(format!(
                        "{node} {m}: config_epoch {} {} ({}) then {} {} ({line})",
                        prev.0,
                        at(prev.1),
                        prev.2,
                        p.config_epoch,
                        at(e.t)
                    ));
                }
            }
            if e.ev.name() == "+switch-master" || e.ev.name() == "+promoted-slave" {
                durable_config.insert(key.clone(), (p.config_epoch, format!("{} {line}", at(e.t))));
                let d = durable_current.entry(node.clone()).or_insert((0, String::new()));
                if p.current_epoch > d.0 {
                    *d = (p.current_epoch, format!("{} {line}", at(e.t)));
                }
            }
            config.insert(key, (p.config_epoch, e.t, line));
        }
    }
    if probed == 0 && !events.is_empty() {
        return CheckResult::pass(NAME, "not judged: needs the debug probe (core-internal epochs)");
    }
    verdict(&bad, &config, &current, restarts)
}

type Epochs<K> = BTreeMap<K, (u64, u64, String)>;

/// The result: the decreases found, else the last epochs seen.
fn verdict(bad: &[String], config: &Epochs<(String, String)>, current: &Epochs<String>, restarts: u32) -> CheckResult {
    if !bad.is_empty() {
        return CheckResult::fail(NAME, join(bad));
    }
    if current.is_empty() {
        return CheckResult::pass(NAME, "no sentinel event in the trace");
    }
    let cfg: Vec<String> = config.iter().map(|((n, _), v)| format!("{n}={}", v.0)).collect();
    let cur: Vec<String> = current.iter().map(|(n, v)| format!("{n}={}", v.0)).collect();
    CheckResult::pass(
        NAME,
        format!(
            "last config epochs: {}; last current epochs: {}; {restarts} restart(s) checked against persisted epochs",
            cfg.join(" "),
            cur.join(" ")
        ),
    )
}
