//! Hello messages (spec §7): how Sentinels discover each other and propagate the newest
//! configuration (the master's address under the highest config epoch).

use crate::failover;
use crate::instance::Master;
use crate::sentinel::{at, at_child, release_instance, Sentinel};
use crate::types::{Level, Ms, Target};

/// `sentinelProcessHelloMessage`: `ip,port,runid,current_epoch,master,master_ip,master_port,config_epoch`.
pub(crate) fn process(s: &mut Sentinel, hello: &str, now: Ms) {
    let t: Vec<&str> = hello.split(',').collect();
    if t.len() != 8 {
        return;
    }
    let (ip, runid, mname, mip) = (t[0], t[2], t[4], t[5]);
    let port = atoi_port(t[1]);
    let master_port = atoi_port(t[6]);
    let current_epoch = strtoull(t[3]);
    let master_config_epoch = strtoull(t[7]);
    if !s.masters.contains_key(mname) {
        return;
    }
    let ctx = &mut s.ctx;
    let known = {
        let m = &s.masters[mname];
        m.sentinels
            .values()
            .any(|si| si.ip == ip && si.port == port && si.runid.as_deref() == Some(runid))
    };
    let mut si_key: Option<String> = if known { Some(runid.to_string()) } else { None };
    if !known {
        // Same run id at another address: the Sentinel moved.
        let removed = {
            let m = s.masters.get_mut(mname).unwrap();
            remove_matching_sentinel(ctx, m, runid)
        };
        if removed {
            let m = &s.masters[mname];
            let payload = format!("{} ip {} port {} for {}", at(m, &Target::Master), ip, port, runid);
            ctx.emit(Level::Notice, "+sentinel-address-switch", Some(m), payload);
        } else {
            // Another run id at this address: that Sentinel is gone (restarted with a new id).
            let other = {
                let m = &s.masters[mname];
                m.sentinels
                    .values()
                    .find(|si| si.ip == ip && si.port == port)
                    .map(|si| (si.name.clone(), at_child(si, m)))
            };
            if let Some((other_name, payload)) = other {
                ctx.emit(Level::Notice, "+sentinel-invalid-addr", s.masters.get(mname), payload);
                for m in s.masters.values_mut() {
                    remove_matching_sentinel(ctx, m, &other_name);
                }
            }
        }
        let m = s.masters.get_mut(mname).unwrap();
        if m.create_sentinel(runid, ip, port, now) {
            if !removed {
                let payload = at_child(&m.sentinels[runid], m);
                ctx.emit(Level::Notice, "+sentinel", Some(m), payload);
            }
            si_key = Some(runid.to_string());
            if removed {
                update_sentinel_address_in_all_masters(s, mname, runid, ip, port);
            }
            s.ctx.flush_config();
        }
    }
    let ctx = &mut s.ctx;
    if current_epoch > ctx.current_epoch {
        ctx.current_epoch = current_epoch;
        ctx.flush_config();
        ctx.emit(
            Level::Warning,
            "+new-epoch",
            s.masters.get(mname),
            current_epoch.to_string(),
        );
    }
    let m = s.masters.get_mut(mname).unwrap();
    if let Some(key) = &si_key {
        if m.config_epoch < master_config_epoch {
            m.config_epoch = master_config_epoch;
            if master_port != m.inst.port || !m.inst.ip.eq_ignore_ascii_case(mip) {
                let from = at_child(&m.sentinels[key], m);
                ctx.emit(Level::Warning, "+config-update-from", Some(m), from);
                let payload = format!("{} {} {} {} {}", m.name(), m.inst.ip, m.inst.port, mip, master_port);
                ctx.emit(Level::Warning, "+switch-master", Some(m), payload);
                failover::reset_and_change_address(ctx, m, mip, master_port, now);
            }
        }
        if let Some(si) = m.sentinels.get_mut(key) {
            si.last_hello_time = now;
        }
    }
}

fn atoi_port(s: &str) -> u16 {
    let n: i64 = s
        .bytes()
        .take_while(|b| b.is_ascii_digit())
        .fold(0i64, |a, b| (a * 10 + (b - b'0') as i64).min(1 << 20));
    n.clamp(0, 65535) as u16
}

fn strtoull(s: &str) -> u64 {
    s.bytes()
        .take_while(|b| b.is_ascii_digit())
        .fold(0u64, |a, b| a.saturating_mul(10).saturating_add((b - b'0') as u64))
}

/// Removes every Sentinel record of `m` with this run id; true if any.
fn remove_matching_sentinel(ctx: &mut crate::sentinel::Ctx, m: &mut Master, runid: &str) -> bool {
    let keys: Vec<String> = m
        .sentinels
        .iter()
        .filter(|(_, si)| si.runid.as_deref() == Some(runid))
        .map(|(k, _)| k.clone())
        .collect();
    for k in &keys {
        if let Some(si) = m.sentinels.remove(k) {
            release_instance(ctx, &si);
        }
    }
    !keys.is_empty()
}

/// `sentinelUpdateSentinelAddressInAllMasters`: the moved Sentinel gets its new address in the
/// other masters' tables too (their links are dropped and will reconnect).
fn update_sentinel_address_in_all_masters(s: &mut Sentinel, from_master: &str, runid: &str, ip: &str, port: u16) {
    let mut reconfigured = 0;
    for (name, m) in s.masters.iter_mut() {
        if name == from_master {
            continue;
        }
        if let Some(si) = m.sentinels.get_mut(runid) {
            if si.ip != ip || si.port != port {
                let old = si.clone();
                si.ip = ip.to_string();
                si.port = port;
                si.link = crate::instance::Link::new(si.link.last_avail_time);
                release_instance(&mut s.ctx, &old);
                reconfigured += 1;
            }
        }
    }
    if reconfigured > 0 {
        if let Some(m) = s.masters.get(from_master) {
            if let Some(si) = m.sentinels.get(runid) {
                let payload = format!("{} {} additional matching instances", at_child(si, m), reconfigured);
                s.ctx.emit(Level::Notice, "+sentinel-address-update", Some(m), payload);
            }
        }
    }
}
