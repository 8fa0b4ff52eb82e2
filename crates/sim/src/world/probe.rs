//! The runner's own RESP client, on the observer host: operator commands and the final-state
//! questions (ROLE on data nodes, GET-MASTER-ADDR-BY-NAME on sentinels).

use super::net::AddressBook;
use crate::spec::WorldSpec;
use crate::trace::{DataFinal, FinalState, SentinelFinal};
use madsim::runtime::NodeHandle;
use resp::Value;
use std::time::Duration;

pub use crate::resp_probe::{request, request_as, show};

fn text(v: &Value) -> Option<String> {
    v.as_text().map(|t| t.into_owned())
}

/// Asks every live process where things stand.
pub async fn final_state(
    spec: &WorldSpec,
    book: &AddressBook,
    observer: &NodeHandle,
    alive: &[bool],
    files: &[Option<host::MemStorage>],
) -> FinalState {
    let mut jobs = Vec::new();
    for (i, p) in spec.procs.iter().enumerate() {
        let addr = book.lookup(&p.ip, p.port);
        let p = p.clone();
        let alive = alive[i];
        let master_name = spec.master_name.clone();
        let password = spec.auth_pass.clone();
        let file = files[i].clone();
        jobs.push(observer.spawn(async move {
            let timeout = Duration::from_secs(2);
            if p.is_sentinel() {
                let mut master_addr = None;
                let mut tilt = None;
                if let (true, Some(a)) = (alive, addr) {
                    let args = vec!["SENTINEL".into(), "get-master-addr-by-name".into(), master_name];
                    if let Some(Value::Array(v)) = request(a, &args, timeout).await {
                        if v.len() == 2 {
                            master_addr = Some(format!(
                                "{}:{}",
                                text(&v[0]).unwrap_or_default(),
                                text(&v[1]).unwrap_or_default()
                            ));
                        }
                    }
                    if let Some(info) = request(a, &["INFO".into(), "sentinel".into()], timeout).await {
                        tilt = text(&info).map(|t| t.contains("sentinel_tilt:1"));
                    }
                }
                // The epoch the sentinel persisted (what it would come back with).
                let current_epoch = file
                    .and_then(|f| host::Storage::load(&f, "sentinel.conf").ok())
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .and_then(|c| {
                        c.lines().find_map(|l| {
                            l.strip_prefix("sentinel current-epoch ")
                                .and_then(|e| e.trim().parse().ok())
                        })
                    });
                Err(SentinelFinal {
                    node: p.name.clone(),
                    addr: p.addr(),
                    alive,
                    master_addr,
                    current_epoch,
                    tilt,
                })
            } else {
                let mut d = DataFinal {
                    node: p.name.clone(),
                    addr: p.addr(),
                    alive,
                    role: None,
                    master: None,
                    link_up: None,
                    repl_offset: None,
                };
                if let (true, Some(a)) = (alive, addr) {
                    let role = request_as(a, password.as_deref(), &["ROLE".into()], timeout).await;
                    if let Some(Value::Array(v)) = role {
                        match text(&v[0]).as_deref() {
                            Some("master") => {
                                d.role = Some("master".into());
                                d.repl_offset = v.get(1).and_then(|x| x.as_int());
                            }
                            Some("slave") if v.len() >= 5 => {
                                d.role = Some("slave".into());
                                d.master = Some(format!(
                                    "{}:{}",
                                    text(&v[1]).unwrap_or_default(),
                                    v[2].as_int().unwrap_or(0)
                                ));
                                d.link_up = Some(text(&v[3]).as_deref() == Some("connected"));
                                d.repl_offset = v[4].as_int();
                            }
                            _ => {}
                        }
                    }
                }
                Ok(d)
            }
        }));
    }
    let mut fin = FinalState::default();
    for j in jobs {
        match j.await {
            Ok(Ok(d)) => fin.data_nodes.push(d),
            Ok(Err(s)) => fin.sentinels.push(s),
            Err(_) => {}
        }
    }
    fin
}
