//! INFO parsing and the actions it drives (spec §3): replica discovery, role changes, promotion
//! detection, converting a returning old master, fixing misconfigured replicas, reconfiguration
//! progress.

use crate::failover;
use crate::instance::{flag, FailoverState, Master, Role};
use crate::sentinel::{at, instance_mut, Ctx};
use crate::types::{Level, Ms, Target};

/// Field values of one INFO reply that Sentinel reads.
#[derive(Debug, Default)]
struct Parsed {
    run_id: Option<String>,
    slaves: Vec<(String, u16)>,
    link_down_time: Option<Ms>,
    role: Option<Role>,
    master_host: Option<String>,
    master_port: Option<u16>,
    link_up: Option<bool>,
    priority: Option<u32>,
    repl_offset: Option<u64>,
    announced: Option<bool>,
}

fn atoi(s: &str) -> i64 {
    // C atoi: leading digits only, 0 if none.
    let s = s.trim_start();
    let (neg, digits) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let n: i64 = digits
        .bytes()
        .take_while(|b| b.is_ascii_digit())
        .fold(0i64, |a, b| a.saturating_mul(10).saturating_add((b - b'0') as i64));
    if neg {
        -n
    } else {
        n
    }
}

fn parse(text: &str, is_master_record: bool) -> Parsed {
    let mut p = Parsed::default();
    for l in text.split("\r\n") {
        if l.len() >= 47 && l.starts_with("run_id:") {
            p.run_id = Some(l[7..47].to_string());
        }
        if is_master_record && l.len() >= 7 && l.starts_with("slave") && l.as_bytes()[5].is_ascii_digit() {
            if let Some(addr) = parse_slave_line(l) {
                p.slaves.push(addr);
            }
        }
        if l.len() >= 32 && l.starts_with("master_link_down_since_seconds") {
            p.link_down_time = Some(atoi(&l[31..]) * 1000);
        }
        if l.starts_with("role:master") {
            p.role = Some(Role::Master);
        } else if l.starts_with("role:slave") {
            p.role = Some(Role::Slave);
        }
        if p.role == Some(Role::Slave) {
            if let Some(v) = l.strip_prefix("master_host:") {
                p.master_host = Some(v.to_string());
            }
            if let Some(v) = l.strip_prefix("master_port:") {
                p.master_port = Some(atoi(v).clamp(0, 65535) as u16);
            }
            if let Some(v) = l.strip_prefix("master_link_status:") {
                p.link_up = Some(v.eq_ignore_ascii_case("up"));
            }
            if let Some(v) = l.strip_prefix("slave_priority:") {
                p.priority = Some(atoi(v).clamp(0, u32::MAX as i64) as u32);
            }
            if let Some(v) = l.strip_prefix("slave_repl_offset:") {
                p.repl_offset = Some(atoi(v).max(0) as u64);
            }
            if let Some(v) = l.strip_prefix("replica_announced:") {
                p.announced = Some(atoi(v) != 0);
            }
        }
    }
    p
}

/// `slave0:ip=127.0.0.1,port=6383,state=online,offset=1644,lag=1` or the old `slave0:<ip>,<port>,<state>`.
fn parse_slave_line(l: &str) -> Option<(String, u16)> {
    let (ip, port) = if let Some(pos) = l.find("ip=") {
        let ip = l[pos + 3..].split(',').next()?;
        let ppos = l.find("port=")?;
        let port = l[ppos + 5..].split(',').next()?;
        (ip.to_string(), port)
    } else {
        let rest = &l[l.find(':')? + 1..];
        let mut it = rest.split(',');
        (it.next()?.to_string(), it.next()?)
    };
    let port = atoi(port);
    if ip.is_empty() || !(0..=65535).contains(&port) {
        return None;
    }
    Some((ip, port as u16))
}

/// "The master looks sane": it reports itself master, is not down, and its INFO is recent.
fn master_looks_sane(ctx: &Ctx, m: &Master, now: Ms) -> bool {
    m.inst.role_reported == Role::Master
        && !m.inst.has(flag::S_DOWN | flag::O_DOWN)
        && now - m.inst.info_refresh < ctx.periods.info_period * 2
}

/// `sentinelRefreshInstanceInfo`.
pub(crate) fn refresh(ctx: &mut Ctx, m: &mut Master, target: &Target, text: String, now: Ms) {
    let is_master_record = *target == Target::Master;
    let p = parse(&text, is_master_record);
    let reboot_period = m.master_reboot_down_after_period;

    // Field updates.
    let mut reboot = false;
    {
        let Some(i) = instance_mut(m, target) else { return };
        i.master_link_down_time = p.link_down_time.unwrap_or(0);
        if let Some(r) = &p.run_id {
            match &i.runid {
                None => i.runid = Some(r.clone()),
                Some(old) if old != r => {
                    reboot = true;
                    i.runid = Some(r.clone());
                    if is_master_record && reboot_period != 0 {
                        i.flags |= flag::MASTER_REBOOT;
                    }
                }
                _ => {}
            }
        }
        if p.role == Some(Role::Slave) {
            if let Some(h) = &p.master_host {
                if i.slave_master_host.as_ref().is_none_or(|o| !o.eq_ignore_ascii_case(h)) {
                    i.slave_master_host = Some(h.clone());
                    i.slave_conf_change_time = now;
                }
            }
            if let Some(port) = p.master_port {
                if i.slave_master_port != port {
                    i.slave_master_port = port;
                    i.slave_conf_change_time = now;
                }
            }
            if let Some(up) = p.link_up {
                i.slave_master_link_up = up;
            }
            if let Some(pr) = p.priority {
                i.slave_priority = pr;
            }
            if let Some(o) = p.repl_offset {
                i.slave_repl_offset = o;
            }
            if let Some(a) = p.announced {
                i.replica_announced = a;
            }
        }
        i.info = Some(text);
        i.info_refresh = now;
    }
    if reboot {
        if is_master_record && reboot_period != 0 {
            m.master_reboot_since_time = now;
        }
        let payload = at(m, target);
        ctx.emit(Level::Notice, "+reboot", Some(m), payload);
    }
    // Replica discovery from the master's INFO.
    for (ip, port) in &p.slaves {
        if m.create_slave(ip, *port, now) {
            let payload = at(m, &Target::Replica(crate::instance::addr_name(ip, *port)));
            ctx.emit(Level::Notice, "+slave", Some(m), payload);
            ctx.flush_config();
        }
    }

    // Role change bookkeeping (also in TILT).
    let Some(role) = p.role else { return };
    {
        let Some(i) = instance_mut(m, target) else { return };
        if role != i.role_reported {
            i.role_reported_time = now;
            i.role_reported = role;
            if role == Role::Slave {
                i.slave_conf_change_time = now;
            }
            let kind_role = if i.has(flag::MASTER) { Role::Master } else { Role::Slave };
            let name = if kind_role == role {
                "+role-change"
            } else {
                "-role-change"
            };
            let payload = format!(
                "{} new reported role is {}",
                at(m, target),
                if role == Role::Master { "master" } else { "slave" }
            );
            ctx.emit(Level::Verbose, name, Some(m), payload);
        }
    }
    if ctx.tilt {
        return;
    }
    let Target::Replica(rname) = target else { return };
    let rname = rname.clone();

    // A replica reporting master: either our promotion, or an old master to convert.
    if role == Role::Master {
        let (promoted, role_reported_time, no_down) = {
            let s = &m.slaves[&rname];
            (
                s.has(flag::PROMOTED),
                s.role_reported_time,
                s.no_down_for(ctx.periods.publish_period * 4, now),
            )
        };
        if promoted && m.inst.has(flag::FAILOVER_IN_PROGRESS) && m.failover_state == FailoverState::WaitPromotion {
            failover::promotion_observed(ctx, m, &rname, now);
        } else {
            let wait = ctx.periods.publish_period * 4;
            if !promoted && master_looks_sane(ctx, m, now) && no_down && now - role_reported_time > wait {
                let to = Some((m.inst.ip.clone(), m.inst.port));
                if failover::send_slaveof(ctx, m, target, to) {
                    let payload = at(m, target);
                    ctx.emit(Level::Notice, "+convert-to-slave", Some(m), payload);
                }
            }
        }
    }

    // A replica replicating from the wrong address.
    if role == Role::Slave {
        let (wrong, conf_change, no_down) = {
            let s = &m.slaves[&rname];
            let host_ok = s
                .slave_master_host
                .as_deref()
                .is_some_and(|h| h.eq_ignore_ascii_case(&m.inst.ip));
            (
                s.slave_master_port != m.inst.port || !host_ok,
                s.slave_conf_change_time,
                s.no_down_for(m.failover_timeout, now),
            )
        };
        if wrong && master_looks_sane(ctx, m, now) && no_down && now - conf_change > m.failover_timeout {
            let to = Some((m.inst.ip.clone(), m.inst.port));
            if failover::send_slaveof(ctx, m, target, to) {
                let payload = at(m, target);
                ctx.emit(Level::Notice, "+fix-slave-config", Some(m), payload);
            }
        }
    }

    // Reconfiguration progress during a failover.
    if role == Role::Slave && m.slaves[&rname].has(flag::RECONF_SENT | flag::RECONF_INPROG) {
        let paddr = m
            .promoted_slave
            .as_ref()
            .and_then(|p| m.slaves.get(p))
            .map(|p| (p.ip.clone(), p.port));
        let s = &m.slaves[&rname];
        if s.has(flag::RECONF_SENT) {
            if let (Some((pip, pport)), Some(h)) = (&paddr, &s.slave_master_host) {
                if h.eq_ignore_ascii_case(pip) && s.slave_master_port == *pport {
                    if let Some(s) = m.slaves.get_mut(&rname) {
                        s.flags &= !flag::RECONF_SENT;
                        s.flags |= flag::RECONF_INPROG;
                    }
                    let payload = at(m, target);
                    ctx.emit(Level::Notice, "+slave-reconf-inprog", Some(m), payload);
                }
            }
        }
        let s = &m.slaves[&rname];
        if s.has(flag::RECONF_INPROG) && s.slave_master_link_up {
            if let Some(s) = m.slaves.get_mut(&rname) {
                s.flags &= !flag::RECONF_INPROG;
                s.flags |= flag::RECONF_DONE;
            }
            let payload = at(m, target);
            ctx.emit(Level::Notice, "+slave-reconf-done", Some(m), payload);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_master_info() {
        let text = "# Server\r\nrun_id:0dd37a958606dcf2849462bc91d968733a494954\r\ntcp_port:6382\r\n\r\n# Replication\r\nrole:master\r\nconnected_slaves:2\r\nslave0:ip=127.0.0.1,port=6383,state=online,offset=1644,lag=1\r\nslave1:ip=127.0.0.1,port=6384,state=online,offset=1644,lag=1\r\nmaster_failover_state:no-failover\r\n";
        let p = parse(text, true);
        assert_eq!(p.run_id.as_deref(), Some("0dd37a958606dcf2849462bc91d968733a494954"));
        assert_eq!(p.role, Some(Role::Master));
        assert_eq!(p.slaves, vec![("127.0.0.1".into(), 6383), ("127.0.0.1".into(), 6384)]);
        // Replica lines are only read when the record is a master.
        assert!(parse(text, false).slaves.is_empty());
    }

    #[test]
    fn parses_replica_info() {
        let text = "role:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:6382\r\nmaster_link_status:down\r\nmaster_link_down_since_seconds:-1\r\nslave_priority:0\r\nslave_repl_offset:2832\r\nreplica_announced:0\r\n";
        let p = parse(text, false);
        assert_eq!(p.role, Some(Role::Slave));
        assert_eq!(p.master_host.as_deref(), Some("127.0.0.1"));
        assert_eq!(p.master_port, Some(6382));
        assert_eq!(p.link_up, Some(false));
        assert_eq!(p.link_down_time, Some(-1000));
        assert_eq!(p.priority, Some(0));
        assert_eq!(p.repl_offset, Some(2832));
        assert_eq!(p.announced, Some(false));
    }

    #[test]
    fn master_fields_before_role_are_ignored() {
        // master_host before role:slave is not read, as in Redis (the role must come first).
        let p = parse("master_host:1.2.3.4\r\nrole:slave\r\n", false);
        assert_eq!(p.master_host, None);
    }
}
