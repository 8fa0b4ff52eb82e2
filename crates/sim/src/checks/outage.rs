//! What could legitimately keep a Sentinel from reaching an instance, from ground truth: the
//! instance killed or paused, the path cut either way, the Sentinel paused or its clock changed,
//! heavy latency or loss on the path or network-wide, (for a master record) the instance being
//! a replica, or a Sentinel's `SLAVEOF` to the instance (on the wire: Sentinel sends it in a
//! transaction ending with `CLIENT KILL TYPE normal` and `pubsub`, which drops every Sentinel's
//! links to the instance, pending PINGs included). Shared by `no-failover-without-outage` and
//! `sdown-needs-outage`.

use super::truth_view::{cut_spans, facts, merged, proc_times, wire, ProcTimes, Spans};
use crate::trace::{Fact, Role, Sent, TraceEvent};
use std::collections::BTreeMap;

/// Latency from which a path counts as degraded.
const HEAVY_LATENCY_MS: u64 = 100;

/// Spans during which a Sentinel could legitimately not reach a master, from ground truth.
pub(crate) struct Causes<'a> {
    trace: &'a [TraceEvent],
    pub(crate) procs: BTreeMap<String, ProcTimes>,
    /// Per node: its clock changes' effect spans.
    clock: BTreeMap<String, Spans>,
    /// Heavy shaping: whole network ("*") or directed links (from, to).
    shaped: BTreeMap<(String, String), Spans>,
    /// Per data node: when it was a replica.
    replica: BTreeMap<String, Spans>,
    /// Per data node: from each `SLAVEOF` a Sentinel sent it, down-after + 2 s (its links
    /// reconnect at once, but a PING pending when they were killed still counts).
    reconfigured: BTreeMap<String, Spans>,
    end: u64,
}

impl<'a> Causes<'a> {
    pub(crate) fn new(trace: &'a [TraceEvent], down_after: u64, end: u64) -> Self {
        let mut clock: BTreeMap<String, Spans> = BTreeMap::new();
        let mut shaped: BTreeMap<(String, String), Spans> = BTreeMap::new();
        let mut open_shape: BTreeMap<(String, String), u64> = BTreeMap::new();
        let mut replica: BTreeMap<String, Spans> = BTreeMap::new();
        let mut open_replica: BTreeMap<String, u64> = BTreeMap::new();
        for (t, f) in facts(trace) {
            match f {
                Fact::Clock { node, .. } => clock
                    .entry(node.clone())
                    .or_default()
                    .push((t, t + down_after + 31_000)),
                Fact::Shape {
                    from, to, max_ms, loss, ..
                } => toggle(
                    &mut open_shape,
                    &mut shaped,
                    (from.clone(), to.clone()),
                    heavy(*max_ms, *loss),
                    t,
                ),
                Fact::Network { max_us, loss, .. } => {
                    let key = ("*".to_string(), "*".to_string());
                    toggle(&mut open_shape, &mut shaped, key, heavy(*max_us / 1000, *loss), t)
                }
                Fact::Replication { node, role, .. } => {
                    let is_replica = *role == Role::Replica;
                    match (is_replica, open_replica.get(node).copied()) {
                        (true, None) => {
                            open_replica.insert(node.clone(), t);
                        }
                        (false, Some(since)) => {
                            open_replica.remove(node);
                            replica.entry(node.clone()).or_default().push((since, t));
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        for (k, since) in open_shape {
            shaped.entry(k).or_default().push((since, end));
        }
        for (k, since) in open_replica {
            replica.entry(k).or_default().push((since, end));
        }
        let mut reconfigured: BTreeMap<String, Spans> = BTreeMap::new();
        for w in wire(trace) {
            if matches!(w.msg.sent, Sent::SlaveOf { .. }) {
                let span = (w.t, w.t + down_after + 2_000);
                reconfigured.entry(w.msg.to.clone()).or_default().push(span);
            }
        }
        Causes {
            trace,
            procs: proc_times(trace, end),
            clock,
            shaped,
            replica,
            reconfigured,
            end,
        }
    }

    /// When Sentinel `z` could not reach instance `m`, each span widened by its grace;
    /// `master_record`: `m` is a master record of `z`'s, to which the role rule applies (a master
    /// reporting itself a replica is SDOWN after down-after + 2 × info period).
    pub(crate) fn for_pair(&self, z: &str, m: &str, master_record: bool) -> Spans {
        let none = ProcTimes::default();
        let (pm, pz) = (self.procs.get(m).unwrap_or(&none), self.procs.get(z).unwrap_or(&none));
        let mut spans: Spans = Vec::new();
        let grace =
            |spans: &mut Spans, from: &[(u64, u64)], g: u64| spans.extend(from.iter().map(|&(a, b)| (a, b + g)));
        grace(&mut spans, &pm.killed, 1_000);
        grace(&mut spans, &pm.paused, 1_000);
        grace(&mut spans, &pz.paused, 1_000);
        grace(&mut spans, &cut_spans(self.trace, z, m, self.end), 5_000);
        grace(&mut spans, &cut_spans(self.trace, m, z, self.end), 5_000);
        grace(&mut spans, self.clock.get(z).map_or(&[], |v| v.as_slice()), 0);
        grace(&mut spans, self.reconfigured.get(m).map_or(&[], |v| v.as_slice()), 0);
        // Its role rule (down-after + 2 × info period) is covered by the span's length.
        if master_record {
            grace(&mut spans, self.replica.get(m).map_or(&[], |v| v.as_slice()), 0);
        }
        for key in [
            ("*".to_string(), "*".to_string()),
            (z.to_string(), m.to_string()),
            (m.to_string(), z.to_string()),
        ] {
            grace(&mut spans, self.shaped.get(&key).map_or(&[], |v| v.as_slice()), 5_000);
        }
        merged(&spans)
    }
}

fn heavy(max_ms: u64, loss: f64) -> bool {
    max_ms >= HEAVY_LATENCY_MS || loss > 0.0
}

/// Opens or closes a span for `key` as `on` says.
fn toggle(
    open: &mut BTreeMap<(String, String), u64>,
    spans: &mut BTreeMap<(String, String), Spans>,
    key: (String, String),
    on: bool,
    t: u64,
) {
    match (on, open.get(&key).copied()) {
        (true, None) => {
            open.insert(key, t);
        }
        (false, Some(since)) => {
            open.remove(&key);
            spans.entry(key).or_default().push((since, t));
        }
        _ => {}
    }
}
