//! The workload's clients, each on its own host after the processes' hosts, and the final read of
//! what survived of their acknowledged writes.

use super::net::{self, AddressBook};
use super::procs::{Proc, Wiring};
use super::recorder::Recorder;
use crate::spec::WorldSpec;
use crate::trace::{FinalState, WorldNote};
use crate::workload::history::{History, Op};
use madsim::runtime::NodeHandle;
use madsim::task::NodeId;
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::Duration;

/// Every host the network faults act on: the processes', then the clients'.
pub(super) struct Hosts {
    pub hosts: Vec<(IpAddr, NodeId)>,
    /// For each host, the process whose side of every partition it shares (clients only).
    pub near: Vec<Option<usize>>,
}

/// Starts the clients of `spec`, recording into `history`.
pub(super) fn start(spec: &WorldSpec, w: &Wiring, procs: &[Proc], history: &History) -> Hosts {
    let mut hosts: Vec<(IpAddr, NodeId)> = procs.iter().map(|p| (p.host, p.node.id())).collect();
    let mut near: Vec<Option<usize>> = vec![None; procs.len()];
    for (j, c) in spec.clients.iter().enumerate() {
        let ip = net::sim_ip(spec.procs.len() + j);
        let env = crate::workload::client::ClientEnv {
            net: w.proc_net(ip),
            history: history.clone(),
            start: w.start,
        };
        let cfg = c.config.clone();
        let node = w.h.create_node().name(cfg.name.clone()).ip(ip).build();
        node.spawn(crate::workload::client::run_client(cfg, env));
        hosts.push((ip, node.id()));
        near.push(c.near);
    }
    Hosts { hosts, near }
}

/// What survived on the final master for the keys of acknowledged writes: None without clients;
/// empty (and a trace line saying why) when it cannot be read.
pub(super) async fn read_surviving(
    spec: &WorldSpec,
    final_state: &FinalState,
    ops: &[Op],
    book: &AddressBook,
    observer: &NodeHandle,
    rec: &Recorder,
) -> Option<BTreeMap<String, String>> {
    if spec.clients.is_empty() {
        return None;
    }
    let keys = crate::workload::history::keys_to_check(ops);
    let read = match crate::checks::final_master(final_state) {
        Ok(m) => {
            let (ip, port) = crate::scenario::split_addr(&m.addr);
            let master = (ip.to_string(), port.parse().unwrap_or(0));
            let book = book.clone();
            let password = spec.auth_pass.clone();
            observer
                .spawn(async move {
                    let timeout = Duration::from_secs(10);
                    crate::workload::client::read_surviving(&book, master, password.as_deref(), &keys, timeout).await
                })
                .await
                .unwrap_or_else(|_| Err("the reader task failed".into()))
        }
        Err(e) => Err(e),
    };
    Some(match read {
        Ok(m) => m,
        Err(e) => {
            let line = format!("writes: cannot read the surviving data ({e}); every acknowledged write counts as lost");
            rec.action(WorldNote::SurvivorsUnreadable { error: e }, line);
            Default::default()
        }
    })
}
