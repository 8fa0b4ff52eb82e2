//! Hello messages (spec §7): how Sentinels discover each other and propagate the newest
//! configuration (the master's address under the highest config epoch).

use crate::event::{Addr, EventBody, EventKind};
use crate::failover;
use crate::instance::{Master, MAX_SENTINELS_PER_MASTER};
use crate::mutants::{active, Mutant};
use crate::sentinel::{child_subject, master_subject, release_instance, Sentinel};
use crate::types::{Level, Ms};
use crate::util;

/// A hello message whose every field parsed and passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hello<'a> {
    pub ip: &'a str,
    pub port: u16,
    pub runid: &'a str,
    pub current_epoch: u64,
    pub master_name: &'a str,
    pub master_ip: &'a str,
    pub master_port: u16,
    pub master_config_epoch: u64,
}

/// How much of a rejected hello the log line shows.
const LOG_HELLO_BYTES: usize = 200;

/// Parses `ip,port,runid,current_epoch,master,master_ip,master_port,config_epoch`. Redis only
/// requires 8 tokens and reads numbers with `atoi`/`strtoull`; we also require every field to be
/// well formed (addresses that parse, ports 1..=65535, a 40-hex run id, decimal epochs), so
/// nothing malformed can reach the tables or sentinel.conf. The error says which field failed.
pub(crate) fn parse(hello: &str, resolve_hostnames: bool) -> Result<Hello<'_>, &'static str> {
    let t: Vec<&str> = hello.split(',').collect();
    if t.len() != 8 {
        return Err("not 8 fields");
    }
    let addr = |s: &str| util::valid_addr(s, resolve_hostnames);
    let h = Hello {
        ip: Some(t[0]).filter(|s| addr(s)).ok_or("ip")?,
        port: util::parse_port(t[1].as_bytes()).ok_or("port")?,
        runid: Some(t[2]).filter(|s| util::valid_runid(s)).ok_or("runid")?,
        current_epoch: util::parse_u64(t[3].as_bytes()).ok_or("current_epoch")?,
        master_name: Some(t[4])
            .filter(|s| !s.is_empty() && !util::has_control_chars(s.as_bytes()))
            .ok_or("master_name")?,
        master_ip: Some(t[5]).filter(|s| addr(s)).ok_or("master_ip")?,
        master_port: util::parse_port(t[6].as_bytes()).ok_or("master_port")?,
        master_config_epoch: util::parse_u64(t[7].as_bytes()).ok_or("master_config_epoch")?,
    };
    Ok(h)
}

/// `sentinelProcessHelloMessage`, from a data node's hello channel or a PUBLISH on our port.
/// Malformed hellos are dropped with a log line.
pub(crate) fn process(s: &mut Sentinel, hello: &str, now: Ms) {
    let h = match parse(hello, s.ctx.resolve_hostnames) {
        Ok(h) => h,
        Err(field) => {
            let line = format!(
                "Ignoring invalid hello ({field}): '{}'",
                util::printable(hello.as_bytes(), LOG_HELLO_BYTES)
            );
            s.ctx.log_text(Level::Verbose, None, line);
            return;
        }
    };
    if !s.masters.contains_key(h.master_name) {
        return;
    }
    let si_key = learn_sentinel(s, &h, now);
    apply_epochs(s, &h, si_key.as_deref(), now);
}

/// The Sentinel table part: the sender's record, created or moved as needed. Returns its key,
/// None if it could not be created.
fn learn_sentinel(s: &mut Sentinel, h: &Hello, now: Ms) -> Option<String> {
    let (ip, port, runid, mname) = (h.ip, h.port, h.runid, h.master_name);
    let ctx = &mut s.ctx;
    let known = s.masters[mname]
        .sentinels
        .values()
        .any(|si| si.ip == ip && si.port == port && si.runid.as_deref() == Some(runid));
    if known {
        return Some(runid.to_string());
    }
    // Same run id at another address: the Sentinel moved.
    let removed = {
        let m = s.masters.get_mut(mname)?;
        remove_matching_sentinel(ctx, m, runid)
    };
    if removed {
        let m = &s.masters[mname];
        let body = EventBody::SentinelAddressSwitch {
            master: master_subject(m),
            to: Addr {
                ip: ip.to_string(),
                port,
            },
            runid: runid.to_string(),
        };
        ctx.emit(Some(m), body);
    } else {
        // Another run id at this address: that Sentinel is gone (restarted with a new id).
        let other = {
            let m = &s.masters[mname];
            m.sentinels
                .values()
                .find(|si| si.ip == ip && si.port == port)
                .map(|si| (si.name.clone(), child_subject(si, m)))
        };
        if let Some((other_name, gone)) = other {
            let body = EventBody::about(EventKind::SentinelInvalidAddr, gone);
            ctx.emit(s.masters.get(mname), body);
            for m in s.masters.values_mut() {
                remove_matching_sentinel(ctx, m, &other_name);
            }
        }
    }
    let m = s.masters.get_mut(mname)?;
    if m.sentinels.len() >= MAX_SENTINELS_PER_MASTER {
        let line = format!(
            "Sentinel table of {} is full ({MAX_SENTINELS_PER_MASTER}): ignoring {runid} {ip} {port}",
            m.name()
        );
        ctx.log_text(Level::Verbose, Some(m), line);
        return None;
    }
    if !m.create_sentinel(runid, ip, port, now) {
        return None;
    }
    if !removed {
        let peer = child_subject(&m.sentinels[runid], m);
        ctx.emit(Some(m), EventBody::about(EventKind::Sentinel, peer));
    }
    if removed {
        update_sentinel_address_in_all_masters(s, mname, runid, ip, port);
    }
    s.ctx.flush_config();
    Some(runid.to_string())
}

/// The epoch part: a newer current epoch is adopted; a newer master config (from a known
/// Sentinel) switches the master's address.
fn apply_epochs(s: &mut Sentinel, h: &Hello, si_key: Option<&str>, now: Ms) {
    let ctx = &mut s.ctx;
    let adopt =
        h.current_epoch > ctx.current_epoch || (active(Mutant::AdoptLowerEpoch) && h.current_epoch < ctx.current_epoch);
    if adopt {
        ctx.current_epoch = h.current_epoch;
        ctx.flush_config();
        let body = EventBody::NewEpoch { epoch: h.current_epoch };
        ctx.emit(s.masters.get(h.master_name), body);
    }
    let Some(m) = s.masters.get_mut(h.master_name) else {
        return;
    };
    let Some(key) = si_key else { return };
    let (mip, master_port) = (h.master_ip, h.master_port);
    if m.config_epoch < h.master_config_epoch || active(Mutant::AcceptLowerConfigEpoch) {
        m.config_epoch = h.master_config_epoch;
        if master_port != m.inst.port || !m.inst.ip.eq_ignore_ascii_case(mip) {
            let from = child_subject(&m.sentinels[key], m);
            ctx.emit(Some(m), EventBody::about(EventKind::ConfigUpdateFrom, from));
            ctx.emit(Some(m), failover::switch_master(m, mip, master_port));
            let from = (m.inst.ip.clone(), m.inst.port);
            if failover::reset_and_change_address(ctx, m, mip, master_port, now) {
                let to = (m.inst.ip.clone(), m.inst.port);
                crate::scripts::client_reconfig(ctx, m, "observer", from, to);
            }
        }
    }
    if let Some(si) = m.sentinels.get_mut(key) {
        si.last_hello_time = now;
    }
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
                let body = EventBody::SentinelAddressUpdate {
                    sentinel: child_subject(si, m),
                    count: reconfigured,
                };
                s.ctx.emit(Some(m), body);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ID: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    fn payload(h: &Hello) -> String {
        format!(
            "{},{},{},{},{},{},{},{}",
            h.ip, h.port, h.runid, h.current_epoch, h.master_name, h.master_ip, h.master_port, h.master_config_epoch
        )
    }

    #[test]
    fn parses_a_real_hello() {
        let text = format!("127.0.0.1,5001,{ID},7,mymaster,::1,6380,18446744073709551615");
        let h = parse(&text, false).unwrap();
        assert_eq!((h.ip, h.port, h.runid), ("127.0.0.1", 5001, ID));
        assert_eq!((h.current_epoch, h.master_name), (7, "mymaster"));
        assert_eq!(
            (h.master_ip, h.master_port, h.master_config_epoch),
            ("::1", 6380, u64::MAX)
        );
        assert_eq!(payload(&h), text);
    }

    #[test]
    fn rejects_each_malformed_field() {
        let ok = ["127.0.0.1", "5001", ID, "7", "mymaster", "10.0.0.1", "6380", "3"];
        let bad: [(usize, &str); 16] = [
            (0, "not-an-ip"),
            (0, "1.2.3.4\n"),
            (1, "0"),
            (1, "65536"),
            (1, "12a"),
            (2, &ID[..39]),
            (2, "gbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"),
            (3, "-1"),
            (3, "18446744073709551616"),
            (4, ""),
            (4, "my\nmaster"),
            (5, "not-an-ip"),
            (5, "1.1.1.1 1 1\nsentinel monitor evil 1.1.1.1"),
            (6, "0"),
            (7, "1e3"),
            (7, ""),
        ];
        assert!(parse(&ok.join(","), false).is_ok());
        for (i, v) in bad {
            let mut f = ok;
            f[i] = v;
            assert!(parse(&f.join(","), false).is_err(), "field {i} = {v:?}");
        }
        assert_eq!(parse(&ok[..7].join(","), false), Err("not 8 fields"));
        assert_eq!(parse(&format!("{},x", ok.join(",")), false), Err("not 8 fields"));
        // Hostnames only when resolve-hostnames is set.
        let mut f = ok;
        f[5] = "redis-1.example";
        assert!(parse(&f.join(","), false).is_err());
        assert!(parse(&f.join(","), true).is_ok());
    }

    /// Per position: usually a well-formed value (leading zeros, IPv6, hostnames, u64::MAX
    /// included), sometimes junk, so that both acceptance and every rejection path are exercised.
    fn hello_fields() -> impl Strategy<Value = Vec<String>> {
        let junk = || prop_oneof!["\\PC{0,12}", "[\\x00-\\x1f,]{0,3}", "[0-9a-z.:\\-]{0,12}"];
        let ip = || {
            prop_oneof![
                "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}",
                "[0-9a-f]{0,4}::[0-9a-f]{1,4}",
                "[a-z0-9][a-z0-9.\\-]{0,20}",
            ]
        };
        let num = || prop_oneof!["[0-9]{1,5}", "[0-9]{15,21}", Just(u64::MAX.to_string())];
        let name = || prop_oneof![Just("mymaster".to_string()), "[a-z]{1,8}"];
        let field = |valid: BoxedStrategy<String>| prop_oneof![4 => valid, 1 => junk()].boxed();
        (
            field(ip().boxed()),
            field(num().boxed()),
            field("[0-9a-fA-F]{40}".boxed()),
            field(num().boxed()),
            field(name().boxed()),
            field(ip().boxed()),
            field(num().boxed()),
            field(num().boxed()),
        )
            .prop_map(|(a, b, c, d, e, f, g, h)| vec![a, b, c, d, e, f, g, h])
    }

    proptest! {
        #[test]
        fn random_text_never_panics(text in "\\PC{0,200}", resolve in any::<bool>()) {
            let _ = parse(&text, resolve);
        }

        #[test]
        fn accepted_hellos_round_trip_to_valid_fields(fields in hello_fields(), resolve in any::<bool>()) {
            let text = fields.join(",");
            if let Ok(h) = parse(&text, resolve) {
                prop_assert!(util::valid_addr(h.ip, resolve) && util::valid_addr(h.master_ip, resolve));
                prop_assert!(h.port != 0 && h.master_port != 0);
                prop_assert!(util::valid_runid(h.runid));
                prop_assert!(!util::has_control_chars(h.master_name.as_bytes()));
                // Formatted back (as our own hellos are), it parses to the same fields.
                let again = payload(&h);
                prop_assert_eq!(parse(&again, resolve), Ok(h));
            }
        }
    }
}
