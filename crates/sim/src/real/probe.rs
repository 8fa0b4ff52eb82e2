//! The runner's RESP client on the hub: operator commands, and the final state asked of every
//! process still running (ROLE of each data node; GET-MASTER-ADDR-BY-NAME and INFO of each
//! Sentinel, its epoch from the config file it persisted), addresses mapped back.

use std::time::Duration;

use resp::Value;

use super::addrs::Addrs;
use super::procs::Proc;
use crate::trace::{DataFinal, FinalState, SentinelFinal};

/// Sends one command to a scenario address and waits for the reply; None on any failure or after
/// `timeout`.
pub async fn request(addrs: &Addrs, ip: &str, port: u16, args: &[String], timeout: Duration) -> Option<Value> {
    let addr = addrs.real(ip, port)?;
    crate::resp_probe::request(addr, args, timeout).await
}

pub use crate::resp_probe::show;

fn text(v: &Value) -> String {
    v.as_text().map(|t| t.into_owned()).unwrap_or_default()
}

const TIMEOUT: Duration = Duration::from_secs(2);

/// One process's scenario address.
pub struct Target<'a> {
    pub ip: &'a str,
    pub port: u16,
    pub master_name: &'a str,
}

pub async fn sentinel_final(addrs: &Addrs, p: &mut Proc, t: Target<'_>) -> SentinelFinal {
    let alive = p.alive();
    let (mut master_addr, mut tilt) = (None, None);
    if alive {
        let args: Vec<String> = vec![
            "SENTINEL".into(),
            "get-master-addr-by-name".into(),
            t.master_name.into(),
        ];
        if let Some(Value::Array(v)) = request(addrs, t.ip, t.port, &args, TIMEOUT).await {
            if v.len() == 2 {
                master_addr = Some(addrs.map_back(&format!("{}:{}", text(&v[0]), text(&v[1]))));
            }
        }
        let info = request(addrs, t.ip, t.port, &["INFO".into(), "sentinel".into()], TIMEOUT).await;
        tilt = info.map(|i| text(&i).contains("sentinel_tilt:1"));
    }
    let current_epoch = std::fs::read_to_string(&p.conf).ok().and_then(|c| {
        c.lines().find_map(|l| {
            l.strip_prefix("sentinel current-epoch ")
                .and_then(|e| e.trim().parse().ok())
        })
    });
    SentinelFinal {
        node: p.name.clone(),
        addr: format!("{}:{}", t.ip, t.port),
        alive,
        master_addr,
        current_epoch,
        tilt,
    }
}

pub async fn data_final(addrs: &Addrs, p: &mut Proc, t: Target<'_>) -> DataFinal {
    let alive = p.alive();
    let mut d = DataFinal {
        node: p.name.clone(),
        addr: format!("{}:{}", t.ip, t.port),
        alive,
        role: None,
        master: None,
        link_up: None,
        repl_offset: None,
    };
    if !alive {
        return d;
    }
    if let Some(Value::Array(v)) = request(addrs, t.ip, t.port, &["ROLE".into()], TIMEOUT).await {
        match v.first().map(text).as_deref() {
            Some("master") => {
                d.role = Some("master".into());
                d.repl_offset = v.get(1).and_then(|x| x.as_int());
            }
            Some("slave") if v.len() >= 5 => {
                d.role = Some("slave".into());
                let master = format!("{}:{}", text(&v[1]), v[2].as_int().unwrap_or(0));
                d.master = Some(addrs.map_back(&master));
                d.link_up = Some(text(&v[3]) == "connected");
                d.repl_offset = v[4].as_int();
            }
            _ => {}
        }
    }
    d
}

/// The final state, asked of every process in the plan's order.
pub async fn final_state(addrs: &Addrs, procs: &mut [Proc], targets: &[(String, u16)], master: &str) -> FinalState {
    let mut fin = FinalState::default();
    for (p, (ip, port)) in procs.iter_mut().zip(targets) {
        let t = Target {
            ip,
            port: *port,
            master_name: master,
        };
        if p.sentinel {
            fin.sentinels.push(sentinel_final(addrs, p, t).await);
        } else {
            fin.data_nodes.push(data_final(addrs, p, t).await);
        }
    }
    fin
}
