//! INFO parsing and the actions it drives (spec §3): replica discovery, role changes, promotion
//! detection, converting a returning old master, fixing misconfigured replicas, reconfiguration
//! progress.

use crate::event::{EventBody, EventKind, ReportedRole};
use crate::failover;
use crate::instance::{flag, FailoverState, Instance, Master, Role, MAX_REPLICAS_PER_MASTER};
use crate::mutants::{active, Mutant};
use crate::sentinel::{instance_mut, subject, Ctx};
use crate::types::{Level, Ms, Target};
use crate::util;

/// Longest INFO text kept for `SENTINEL INFO-CACHE`; a longer reply is cut (its fields are
/// still all parsed). Real INFO replies are a few KB.
pub(crate) const MAX_INFO_CACHE_BYTES: usize = 1 << 20;

/// How much of a rejected value the log line shows.
const LOG_VALUE_BYTES: usize = 64;

/// Field values of one INFO reply that Sentinel reads. Every string in it has been validated
/// (addresses parse, the run id is 40 hex characters, no control characters).
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
    /// Why fields were ignored, one log line each.
    rejected: Vec<String>,
}

/// C `atoi` on bytes: optional blanks and sign, then leading digits only, 0 if none; saturates
/// instead of overflowing.
fn atoi(s: &[u8]) -> i64 {
    let start = s.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(s.len());
    let s = &s[start..];
    let (neg, digits) = match s.split_first() {
        Some((b'-', r)) => (true, r),
        Some((b'+', r)) => (false, r),
        _ => (false, s),
    };
    let n: i64 = digits
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .fold(0i64, |a, b| a.saturating_mul(10).saturating_add((b - b'0') as i64));
    if neg {
        -n
    } else {
        n
    }
}

/// The lines of an INFO reply, split on CRLF as Redis does (a bare LF stays inside its line,
/// where field validation rejects it).
fn lines(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let r = rest?;
        match crlf(r) {
            Some(i) => {
                rest = Some(&r[i + 2..]);
                Some(&r[..i])
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// Where the first CRLF starts: a scan for CR (a byte search, not a window compare at every
/// byte: INFO is parsed whole every time it arrives).
fn crlf(r: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = r[from..].iter().position(|&b| b == b'\r') {
        let at = from + i;
        if r.get(at + 1) == Some(&b'\n') {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A host field (replica ip, master_host) if it is an address Sentinel may store: valid UTF-8,
/// an IP (or a hostname under `resolve-hostnames yes`), hence no control characters.
fn host(v: &[u8], resolve_hostnames: bool) -> Option<String> {
    let s = std::str::from_utf8(v).ok()?;
    util::valid_addr(s, resolve_hostnames).then(|| s.to_string())
}

fn reject(p: &mut Parsed, field: &str, v: &[u8]) {
    p.rejected
        .push(format!("{field} '{}'", util::printable(v, LOG_VALUE_BYTES)));
}

fn parse(text: &[u8], is_master_record: bool, resolve_hostnames: bool) -> Parsed {
    let mut p = Parsed::default();
    for l in lines(text) {
        parse_line(&mut p, l, is_master_record, resolve_hostnames);
    }
    p
}

/// One INFO line. Fields are read in Redis' order and under its conditions (`master_*` fields
/// only once `role:slave` was seen); invalid values are left out and noted in `p.rejected`.
fn parse_line(p: &mut Parsed, l: &[u8], is_master_record: bool, resolve_hostnames: bool) {
    if let Some(v) = l.strip_prefix(b"run_id:".as_slice()) {
        // Redis reads 40 characters after the prefix; we want exactly 40 hex ones.
        match std::str::from_utf8(v).ok().filter(|r| util::valid_runid(r)) {
            Some(r) => p.run_id = Some(r.to_string()),
            None => reject(p, "run_id", v),
        }
    }
    if is_master_record && l.len() >= 7 && l.starts_with(b"slave") && l[5].is_ascii_digit() {
        match parse_slave_line(l, resolve_hostnames) {
            Some(addr) => p.slaves.push(addr),
            None => reject(p, "replica", l),
        }
    }
    if l.len() >= 32 && l.starts_with(b"master_link_down_since_seconds") {
        p.link_down_time = Some(atoi(&l[31..]).saturating_mul(1000));
    }
    if l.starts_with(b"role:master") {
        p.role = Some(Role::Master);
    } else if l.starts_with(b"role:slave") {
        p.role = Some(Role::Slave);
    }
    if p.role != Some(Role::Slave) {
        return;
    }
    if let Some(v) = l.strip_prefix(b"master_host:".as_slice()) {
        match host(v, resolve_hostnames) {
            Some(h) => p.master_host = Some(h),
            None => reject(p, "master_host", v),
        }
    }
    if let Some(v) = l.strip_prefix(b"master_port:".as_slice()) {
        match util::parse_port(v) {
            Some(port) => p.master_port = Some(port),
            None => reject(p, "master_port", v),
        }
    }
    if let Some(v) = l.strip_prefix(b"master_link_status:".as_slice()) {
        p.link_up = Some(v.eq_ignore_ascii_case(b"up"));
    }
    if let Some(v) = l.strip_prefix(b"slave_priority:".as_slice()) {
        p.priority = Some(atoi(v).clamp(0, u32::MAX as i64) as u32);
    }
    if let Some(v) = l.strip_prefix(b"slave_repl_offset:".as_slice()) {
        p.repl_offset = Some(atoi(v).max(0) as u64);
    }
    if let Some(v) = l.strip_prefix(b"replica_announced:".as_slice()) {
        p.announced = Some(atoi(v) != 0);
    }
}

/// The bytes up to the next comma.
fn field(from: &[u8]) -> &[u8] {
    from.split(|&b| b == b',').next().unwrap_or(from)
}

/// `slave0:ip=127.0.0.1,port=6383,state=online,offset=1644,lag=1` or the old `slave0:<ip>,<port>,<state>`.
/// None unless the address is one Sentinel could connect to (valid host, port 1..=65535).
fn parse_slave_line(l: &[u8], resolve_hostnames: bool) -> Option<(String, u16)> {
    let (ip, port) = if let Some(pos) = find(l, b"ip=") {
        let ppos = find(l, b"port=")?;
        (field(&l[pos + 3..]), field(&l[ppos + 5..]))
    } else {
        let colon = l.iter().position(|&b| b == b':')?;
        let mut it = l[colon + 1..].split(|&b| b == b',');
        (it.next()?, it.next()?)
    };
    Some((host(ip, resolve_hostnames)?, util::parse_port(port)?))
}

/// "The master looks sane": it reports itself master, is not down, and its INFO is recent.
fn master_looks_sane(ctx: &Ctx, m: &Master, now: Ms) -> bool {
    m.inst.role_reported == Role::Master
        && !m.inst.has(flag::S_DOWN | flag::O_DOWN)
        && now.saturating_sub(m.inst.info_refresh) < ctx.periods.info_period.saturating_mul(2)
}

/// The INFO text as kept for `SENTINEL INFO-CACHE`: at most [`MAX_INFO_CACHE_BYTES`].
pub(crate) fn cache_text(raw: &[u8]) -> String {
    let mut text = String::from_utf8_lossy(&raw[..raw.len().min(MAX_INFO_CACHE_BYTES)]).into_owned();
    // Lossy decoding may have grown it (U+FFFD is 3 bytes): cut again at a character boundary.
    if text.len() > MAX_INFO_CACHE_BYTES {
        let mut cut = MAX_INFO_CACHE_BYTES;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    text
}

/// Copies the parsed fields into the record; true if its run id changed (a reboot).
fn update_fields(i: &mut Instance, p: &Parsed, raw: &[u8], reboot_flag: bool, now: Ms) -> bool {
    let mut reboot = false;
    i.master_link_down_time = p.link_down_time.unwrap_or(0);
    if let Some(r) = &p.run_id {
        match &i.runid {
            None => i.runid = Some(r.clone()),
            Some(old) if old != r => {
                reboot = true;
                i.runid = Some(r.clone());
                if reboot_flag {
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
    // Kept as bytes, decoded only when SENTINEL INFO-CACHE asks (an INFO arrives every 10 s per
    // instance, and every second from replicas in a failover; the cache is rarely read).
    let kept = &raw[..raw.len().min(MAX_INFO_CACHE_BYTES)];
    match &mut i.info {
        Some(b) => {
            b.clear();
            b.extend_from_slice(kept);
        }
        None => i.info = Some(kept.to_vec()),
    }
    i.info_refresh = now;
    reboot
}

/// Replica discovery from the master's INFO, within the table bound.
fn discover_replicas(ctx: &mut Ctx, m: &mut Master, slaves: &[(String, u16)], now: Ms) {
    for (ip, port) in slaves {
        let name = crate::instance::addr_name(ip, *port);
        if m.slaves.contains_key(&name) {
            continue;
        }
        if m.slaves.len() >= MAX_REPLICAS_PER_MASTER {
            let line = format!(
                "Replica table of {} is full ({MAX_REPLICAS_PER_MASTER}): ignoring {name}",
                m.name()
            );
            ctx.log_text(Level::Verbose, Some(m), line);
            continue;
        }
        if m.create_slave(ip, *port, now) {
            if let Some(replica) = subject(m, &Target::Replica(name)) {
                ctx.emit(Some(m), EventBody::about(EventKind::Slave, replica));
            }
            ctx.flush_config();
        }
    }
}

/// `sentinelRefreshInstanceInfo`, fed the raw INFO bytes.
pub(crate) fn refresh(ctx: &mut Ctx, m: &mut Master, target: &Target, raw: &[u8], now: Ms) {
    let is_master_record = *target == Target::Master;
    let p = parse(raw, is_master_record, ctx.resolve_hostnames);
    for why in &p.rejected {
        let from = subject(m, target).map(|s| s.to_string()).unwrap_or_default();
        let line = format!("Ignoring invalid INFO field from {from}: {why}");
        ctx.log_text(Level::Verbose, Some(m), line);
    }
    let reboot_flag = is_master_record && m.master_reboot_down_after_period != 0;
    let Some(i) = instance_mut(m, target) else { return };
    let reboot = update_fields(i, &p, raw, reboot_flag, now);
    if reboot {
        if reboot_flag {
            m.master_reboot_since_time = now;
        }
        if let Some(rebooted) = subject(m, target) {
            ctx.emit(Some(m), EventBody::about(EventKind::Reboot, rebooted));
        }
    }
    discover_replicas(ctx, m, &p.slaves, now);
    after_role(ctx, m, target, &p, now);
}

/// The rest of `sentinelRefreshInstanceInfo`: what the reported role drives.
fn after_role(ctx: &mut Ctx, m: &mut Master, target: &Target, p: &Parsed, now: Ms) {
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
            let coherent = kind_role == role;
            let reported = if role == Role::Master {
                ReportedRole::Master
            } else {
                ReportedRole::Slave
            };
            if let Some(subject) = subject(m, target) {
                let body = EventBody::RoleChange {
                    coherent,
                    subject,
                    reported,
                };
                ctx.emit(Some(m), body);
            }
        }
    }
    if ctx.tilt {
        return;
    }
    let Target::Replica(rname) = target else { return };
    if role == Role::Master {
        replica_reports_master(ctx, m, target, rname, now);
    } else {
        replica_reports_slave(ctx, m, target, rname, now);
    }
}

/// A replica reporting master: either our promotion, or an old master to convert.
fn replica_reports_master(ctx: &mut Ctx, m: &mut Master, target: &Target, rname: &str, now: Ms) {
    let (promoted, role_reported_time, no_down) = {
        let s = &m.slaves[rname];
        (
            s.has(flag::PROMOTED),
            s.role_reported_time,
            s.no_down_for(ctx.periods.publish_period.saturating_mul(4), now),
        )
    };
    if promoted && m.inst.has(flag::FAILOVER_IN_PROGRESS) && m.failover_state == FailoverState::WaitPromotion {
        failover::promotion_observed(ctx, m, rname, now);
    } else {
        let wait = ctx.periods.publish_period.saturating_mul(4);
        let convert =
            !promoted && master_looks_sane(ctx, m, now) && no_down && now.saturating_sub(role_reported_time) > wait;
        if convert && !active(Mutant::NeverConvertOldMaster) {
            let to = Some((m.inst.ip.clone(), m.inst.port));
            if failover::send_slaveof(ctx, m, target, to) {
                if let Some(replica) = subject(m, target) {
                    ctx.emit(Some(m), EventBody::about(EventKind::ConvertToSlave, replica));
                }
            }
        }
    }
}

/// A replica: replicating from the wrong address, or progressing in a failover's reconfiguration.
fn replica_reports_slave(ctx: &mut Ctx, m: &mut Master, target: &Target, rname: &str, now: Ms) {
    let (wrong, conf_change, no_down) = {
        let s = &m.slaves[rname];
        let host_ok = s
            .slave_master_host
            .as_deref()
            .is_some_and(|h| ctx.addr_equals_host(&m.inst.ip, h));
        (
            s.slave_master_port != m.inst.port || !host_ok,
            s.slave_conf_change_time,
            s.no_down_for(m.failover_timeout, now),
        )
    };
    if wrong && master_looks_sane(ctx, m, now) && no_down && now.saturating_sub(conf_change) > m.failover_timeout {
        let to = Some((m.inst.ip.clone(), m.inst.port));
        if failover::send_slaveof(ctx, m, target, to) {
            if let Some(replica) = subject(m, target) {
                ctx.emit(Some(m), EventBody::about(EventKind::FixSlaveConfig, replica));
            }
        }
    }
    if m.slaves[rname].has(flag::RECONF_SENT | flag::RECONF_INPROG) {
        reconf_progress(ctx, m, target, rname);
    }
}

/// Reconfiguration progress during a failover: RECONF_SENT → INPROG → DONE.
fn reconf_progress(ctx: &mut Ctx, m: &mut Master, target: &Target, rname: &str) {
    let paddr = m
        .promoted_slave
        .as_ref()
        .and_then(|p| m.slaves.get(p))
        .map(|p| (p.ip.clone(), p.port));
    let s = &m.slaves[rname];
    if s.has(flag::RECONF_SENT) {
        if let (Some((pip, pport)), Some(h)) = (&paddr, &s.slave_master_host) {
            if ctx.addr_equals_host(pip, h) && s.slave_master_port == *pport {
                if let Some(s) = m.slaves.get_mut(rname) {
                    s.flags &= !flag::RECONF_SENT;
                    s.flags |= flag::RECONF_INPROG;
                }
                if let Some(replica) = subject(m, target) {
                    ctx.emit(Some(m), EventBody::about(EventKind::SlaveReconfInprog, replica));
                }
            }
        }
    }
    let s = &m.slaves[rname];
    if s.has(flag::RECONF_INPROG) && s.slave_master_link_up {
        if let Some(s) = m.slaves.get_mut(rname) {
            s.flags &= !flag::RECONF_INPROG;
            s.flags |= flag::RECONF_DONE;
        }
        if let Some(replica) = subject(m, target) {
            ctx.emit(Some(m), EventBody::about(EventKind::SlaveReconfDone, replica));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_master_info() {
        let text = "# Server\r\nrun_id:0dd37a958606dcf2849462bc91d968733a494954\r\ntcp_port:6382\r\n\r\n# Replication\r\nrole:master\r\nconnected_slaves:2\r\nslave0:ip=127.0.0.1,port=6383,state=online,offset=1644,lag=1\r\nslave1:ip=127.0.0.1,port=6384,state=online,offset=1644,lag=1\r\nmaster_failover_state:no-failover\r\n";
        let p = parse(text.as_bytes(), true, false);
        assert_eq!(p.run_id.as_deref(), Some("0dd37a958606dcf2849462bc91d968733a494954"));
        assert_eq!(p.role, Some(Role::Master));
        assert_eq!(p.slaves, vec![("127.0.0.1".into(), 6383), ("127.0.0.1".into(), 6384)]);
        // Replica lines are only read when the record is a master.
        assert!(parse(text.as_bytes(), false, false).slaves.is_empty());
    }

    #[test]
    fn parses_replica_info() {
        let text = "role:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:6382\r\nmaster_link_status:down\r\nmaster_link_down_since_seconds:-1\r\nslave_priority:0\r\nslave_repl_offset:2832\r\nreplica_announced:0\r\n";
        let p = parse(text.as_bytes(), false, false);
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
        let p = parse(b"master_host:1.2.3.4\r\nrole:slave\r\n", false, false);
        assert_eq!(p.master_host, None);
    }

    const RUNID: &str = "0dd37a958606dcf2849462bc91d968733a494954";

    #[test]
    fn injected_replica_ip_is_ignored() {
        let text = b"role:master\r\nslave0:ip=1.2.3.4\nsentinel monitor evil 1.1.1.1 1 1,port=6379,state=online\r\nslave1:ip=10.0.0.2,port=6379,state=online\r\n";
        let p = parse(text, true, false);
        assert_eq!(p.slaves, vec![("10.0.0.2".to_string(), 6379)]);
        assert_eq!(p.rejected.len(), 1);
        assert!(!util::has_control_chars(p.rejected[0].as_bytes()), "{:?}", p.rejected);
    }

    #[test]
    fn replica_addresses_must_be_usable() {
        let bad: &[&[u8]] = &[
            b"slave0:ip=not-an-ip,port=6379,state=online",
            b"slave0:ip=1.2.3.4,port=0,state=online",
            b"slave0:ip=1.2.3.4,port=65536,state=online",
            b"slave0:ip=1.2.3.4,port=-1,state=online",
            b"slave0:ip=1.2.3.4,port=12x,state=online",
            b"slave0:ip=,port=6379,state=online",
            b"slave0:ip=1.2.3.\xff,port=6379,state=online",
            b"slave0:ip=1.2.3.4,state=online",
            b"slave0:1.2.3.4",
        ];
        for l in bad {
            let p = parse(l, true, false);
            assert!(p.slaves.is_empty(), "{}", l.escape_ascii());
            assert_eq!(p.rejected.len(), 1, "{}", l.escape_ascii());
        }
        // Old format, IPv6, and hostnames only under resolve-hostnames.
        assert_eq!(
            parse(b"slave0:1.2.3.4,6379,online", true, false).slaves,
            vec![("1.2.3.4".into(), 6379)]
        );
        assert_eq!(
            parse(b"slave0:ip=::1,port=7,state=online", true, false).slaves,
            vec![("::1".into(), 7)]
        );
        let host = b"slave0:ip=redis-2.local,port=6379,state=online";
        assert!(parse(host, true, false).slaves.is_empty());
        assert_eq!(parse(host, true, true).slaves, vec![("redis-2.local".into(), 6379)]);
    }

    #[test]
    fn run_id_must_be_40_hex() {
        assert_eq!(
            parse(format!("run_id:{RUNID}").as_bytes(), true, false)
                .run_id
                .as_deref(),
            Some(RUNID)
        );
        for bad in [
            &RUNID[..39],
            &format!("{RUNID}0"),
            &format!("{}g", &RUNID[..39]),
            &format!("{}\n", &RUNID[..39]),
        ] {
            let p = parse(format!("run_id:{bad}").as_bytes(), true, false);
            assert_eq!(p.run_id, None, "{bad}");
            assert_eq!(p.rejected.len(), 1);
        }
        // Bytes that are not UTF-8 (which a lossy decode would have turned into U+FFFD) and
        // multi-byte characters at the cut Redis makes are rejected, never sliced through.
        let mut l = b"run_id:".to_vec();
        l.extend(std::iter::repeat_n(0xe9u8, 40));
        assert_eq!(parse(&l, true, false).run_id, None);
        let l = format!("run_id:{}é", &RUNID[..39]);
        assert_eq!(parse(l.as_bytes(), true, false).run_id, None);
        assert_eq!(
            parse("master_link_down_since_seconds:é".as_bytes(), false, false).link_down_time,
            Some(0)
        );
    }

    #[test]
    fn replica_master_fields_are_validated() {
        let p = parse(
            b"role:slave\r\nmaster_host:evil\nhost\r\nmaster_port:0\r\n",
            false,
            false,
        );
        assert_eq!((p.master_host, p.master_port), (None, None));
        assert_eq!(p.rejected.len(), 2);
        let p = parse(
            b"role:slave\r\nmaster_host:10.1.1.1\r\nmaster_port:65535\r\n",
            false,
            false,
        );
        assert_eq!(
            (p.master_host.as_deref(), p.master_port),
            (Some("10.1.1.1"), Some(65535))
        );
    }

    #[test]
    fn huge_numbers_saturate() {
        let p = parse(
            b"role:slave\r\nmaster_link_down_since_seconds:99999999999999999999999\r\nslave_priority:99999999999\r\nslave_repl_offset:-5\r\n",
            false,
            false,
        );
        assert_eq!(p.link_down_time, Some(Ms::MAX));
        assert_eq!(p.priority, Some(u32::MAX));
        assert_eq!(p.repl_offset, Some(0));
        let p = parse(
            b"role:slave\r\nmaster_link_down_since_seconds:-99999999999999999999\r\n",
            false,
            false,
        );
        assert_eq!(p.link_down_time, Some(Ms::MIN));
    }

    #[test]
    fn info_cache_is_bounded() {
        let big = vec![b'x'; MAX_INFO_CACHE_BYTES + 10];
        assert_eq!(cache_text(&big).len(), MAX_INFO_CACHE_BYTES);
        let bad = vec![0xffu8; MAX_INFO_CACHE_BYTES];
        let t = cache_text(&bad);
        assert!(t.len() <= MAX_INFO_CACHE_BYTES && t.len() > MAX_INFO_CACHE_BYTES - 3);
        assert_eq!(cache_text(b"role:master\r\n"), "role:master\r\n");
    }

    proptest::proptest! {
        #[test]
        fn parser_never_panics_and_keeps_only_valid_fields(
            text in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400),
            is_master in proptest::prelude::any::<bool>(),
            resolve in proptest::prelude::any::<bool>(),
        ) {
            check_parsed(&parse(&text, is_master, resolve), resolve);
        }

        #[test]
        fn parser_on_info_like_lines(
            lines in proptest::collection::vec(info_line(), 0..20),
            resolve in proptest::prelude::any::<bool>(),
        ) {
            let text = lines.join("\r\n");
            check_parsed(&parse(text.as_bytes(), true, resolve), resolve);
            check_parsed(&parse(text.as_bytes(), false, resolve), resolve);
        }
    }

    /// Lines built from INFO's own field names with arbitrary values (control characters, huge
    /// numbers, non-ASCII included), so that the field-specific paths are exercised.
    fn info_line() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let key = prop::sample::select(vec![
            "run_id:",
            "slave0:ip=",
            "slave12:",
            "role:master",
            "role:slave",
            "master_host:",
            "master_port:",
            "master_link_status:",
            "master_link_down_since_seconds:",
            "slave_priority:",
            "slave_repl_offset:",
            "replica_announced:",
        ]);
        let value = prop_oneof![
            "[0-9a-f]{38,42}",
            "[0-9.:a-z,=\\-]{0,30}",
            "-?[0-9]{1,25}",
            "\\PC{0,20}",
            "[\\x00-\\x1f\\x7f ,=.0-9]{0,10}",
        ];
        (key, value, prop::option::of(",port=[0-9]{1,6}"))
            .prop_map(|(k, v, p)| format!("{k}{v}{}", p.unwrap_or_default()))
    }

    fn check_parsed(p: &Parsed, resolve: bool) {
        if let Some(r) = &p.run_id {
            assert!(util::valid_runid(r));
        }
        for (ip, port) in &p.slaves {
            assert!(util::valid_addr(ip, resolve) && *port != 0, "{ip:?}");
        }
        if let Some(h) = &p.master_host {
            assert!(util::valid_addr(h, resolve), "{h:?}");
        }
        assert_ne!(p.master_port, Some(0));
        for r in &p.rejected {
            assert!(!util::has_control_chars(r.as_bytes()), "{r:?}");
        }
    }
}
