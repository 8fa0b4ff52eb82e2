//! The `sentinel ...` lines (spec §9.1), validated as `sentinelHandleConfiguration` does: its
//! reasons, its arity rules, and its lenient C number parsing (`atoi`: `abc` is 0).

use super::split::{atoi, strtoull, yes_no};
use crate::instance::Master;
use crate::sentinel::Ctx;
use crate::types::Ms;
use std::collections::BTreeMap;

/// Sub-directives applied before any `monitor` (the first of the three passes).
pub(crate) const PRE_MONITOR: &[&str] = &[
    "announce-ip",
    "announce-port",
    "deny-scripts-reconfig",
    "sentinel-user",
    "sentinel-pass",
    "current-epoch",
    "myid",
    "resolve-hostnames",
    "announce-hostnames",
];

const UNRECOGNIZED: &str = "Unrecognized sentinel configuration statement.";

type Masters = BTreeMap<String, Master>;

fn master_mut<'a>(masters: &'a mut Masters, name: &str) -> Result<&'a mut Master, String> {
    masters
        .get_mut(name)
        .ok_or_else(|| "No such master with specified name.".to_string())
}

/// A port as `createSentinelAddr` checks it.
fn port_of(s: &str) -> Result<u16, String> {
    u16::try_from(atoi(s.as_bytes())).map_err(|_| "Invalid port number.".to_string())
}

/// Without resolve-hostnames Redis resolves with "IP only", so a name fails to resolve; with it,
/// a real lookup happens later (the sans-I/O core keeps the name).
fn check_host(host: &str, ctx: &Ctx) -> Result<(), String> {
    if host.parse::<std::net::IpAddr>().is_ok() || ctx.resolve_hostnames {
        Ok(())
    } else {
        Err("Can't resolve instance hostname.".into())
    }
}

/// A positive time in milliseconds (`atoi`, > 0).
fn positive_ms(s: &str) -> Result<Ms, String> {
    let v = atoi(s.as_bytes());
    if v <= 0 {
        return Err("negative or zero time parameter.".into());
    }
    Ok(Ms::from(v))
}

fn yes_no_opt(s: &str, what: &str) -> Result<bool, String> {
    yes_no(s.as_bytes()).ok_or_else(|| format!("Please specify yes or no for the {what}."))
}

fn non_empty(s: &str) -> Option<String> {
    Some(s.to_string()).filter(|v| !v.is_empty())
}

/// Applies one `sentinel` line (`a` = its arguments after `sentinel`, at least one).
pub(crate) fn apply(a: &[String], ctx: &mut Ctx, masters: &mut Masters, now: Ms) -> Result<(), String> {
    let sub = a[0].to_ascii_lowercase();
    match (sub.as_str(), a.len()) {
        ("monitor", 5) => monitor(a, ctx, masters, now),
        ("known-replica" | "known-slave", 4) => known_replica(a, ctx, masters, now),
        // The old form without a run id is ignored (no master lookup either).
        ("known-sentinel", 4) => Ok(()),
        ("known-sentinel", 5) => known_sentinel(a, ctx, masters, now),
        (_, 3 | 4) => per_master(&sub, a, ctx, masters),
        (_, 2) => global(&sub, &a[1], ctx),
        _ => Err(UNRECOGNIZED.into()),
    }
}

fn monitor(a: &[String], ctx: &mut Ctx, masters: &mut Masters, now: Ms) -> Result<(), String> {
    let quorum = atoi(a[4].as_bytes());
    if quorum <= 0 {
        return Err("Quorum must be 1 or greater.".into());
    }
    let port = port_of(&a[3])?;
    check_host(&a[2], ctx)?;
    if masters.contains_key(&a[1]) {
        return Err("Duplicate master name.".into());
    }
    let mut m = Master::new(a[1].clone(), a[2].clone(), port, quorum as u32, now);
    m.inst.down_after_period = ctx.periods.default_down_after;
    m.failover_timeout = ctx.periods.default_failover_timeout;
    masters.insert(a[1].clone(), m);
    Ok(())
}

fn known_replica(a: &[String], ctx: &mut Ctx, masters: &mut Masters, now: Ms) -> Result<(), String> {
    let m = master_mut(masters, &a[1])?;
    let port = port_of(&a[3])?;
    check_host(&a[2], ctx)?;
    if !m.create_slave(&a[2], port, now) {
        return Err("Duplicate hostname and port for replica.".into());
    }
    Ok(())
}

fn known_sentinel(a: &[String], ctx: &mut Ctx, masters: &mut Masters, now: Ms) -> Result<(), String> {
    let m = master_mut(masters, &a[1])?;
    let port = port_of(&a[3])?;
    check_host(&a[2], ctx)?;
    if !m.create_sentinel(&a[4], &a[2], port, now) {
        return Err("Duplicate runid for sentinel.".into());
    }
    Ok(())
}

/// `<directive> <master> <value>` (and `rename-command <master> <from> <to>`).
fn per_master(sub: &str, a: &[String], ctx: &mut Ctx, masters: &mut Masters) -> Result<(), String> {
    let known = matches!(
        (sub, a.len()),
        ("rename-command", 4)
            | (
                "down-after-milliseconds"
                    | "failover-timeout"
                    | "parallel-syncs"
                    | "notification-script"
                    | "client-reconfig-script"
                    | "auth-pass"
                    | "auth-user"
                    | "config-epoch"
                    | "leader-epoch"
                    | "master-reboot-down-after-period",
                3
            )
    );
    if !known {
        return Err(UNRECOGNIZED.into());
    }
    let m = master_mut(masters, &a[1])?;
    let v = &a[2];
    match sub {
        "down-after-milliseconds" => {
            let ms = positive_ms(v)?;
            m.inst.down_after_period = ms;
            for s in m.slaves.values_mut().chain(m.sentinels.values_mut()) {
                s.down_after_period = ms;
            }
        }
        "failover-timeout" => m.failover_timeout = positive_ms(v)?,
        // A negative count cannot reconfigure anything: kept as 0.
        "parallel-syncs" => m.parallel_syncs = atoi(v.as_bytes()).max(0) as u32,
        // The host says whether the file is executable (the core does no I/O itself).
        "notification-script" => {
            if !(ctx.script_executable)(v) {
                return Err("Notification script seems non existing or non executable.".into());
            }
            m.notification_script = Some(v.clone())
        }
        "client-reconfig-script" => {
            if !(ctx.script_executable)(v) {
                return Err("Client reconfiguration script seems non existing or non executable.".into());
            }
            m.client_reconfig_script = Some(v.clone())
        }
        "auth-pass" => m.auth_pass = Some(v.clone()),
        "auth-user" => m.auth_user = Some(v.clone()),
        "config-epoch" => {
            m.config_epoch = strtoull(v.as_bytes());
            ctx.current_epoch = ctx.current_epoch.max(m.config_epoch);
        }
        "leader-epoch" => m.leader_epoch = strtoull(v.as_bytes()),
        "master-reboot-down-after-period" => {
            let ms = atoi(v.as_bytes());
            if ms < 0 {
                return Err("negative time parameter.".into());
            }
            m.master_reboot_down_after_period = Ms::from(ms);
        }
        _ => rename(m, &a[2], &a[3])?,
    }
    Ok(())
}

fn rename(m: &mut Master, from: &str, to: &str) -> Result<(), String> {
    let key = from.to_ascii_lowercase();
    if m.renamed_commands.contains_key(&key) {
        return Err("Same command renamed multiple times with rename-command.".into());
    }
    m.renamed_commands.insert(key, to.to_string());
    Ok(())
}

/// `<directive> <value>`: the Sentinel-wide settings.
fn global(sub: &str, v: &str, ctx: &mut Ctx) -> Result<(), String> {
    match sub {
        "current-epoch" => ctx.current_epoch = ctx.current_epoch.max(strtoull(v.as_bytes())),
        "myid" => {
            if v.len() != 40 {
                return Err("Malformed Sentinel id in myid option.".into());
            }
            ctx.myid = v.to_string();
        }
        "announce-ip" => {
            if !v.is_empty() {
                ctx.announce_ip = Some(v.to_string());
            }
        }
        // Redis stores atoi() in an int; the record keeps the low 16 bits a socket would use.
        "announce-port" => ctx.announce_port = atoi(v.as_bytes()) as u16,
        "deny-scripts-reconfig" => ctx.deny_scripts_reconfig = yes_no_opt(v, "deny-scripts-reconfig options")?,
        "resolve-hostnames" => ctx.resolve_hostnames = yes_no_opt(v, "resolve-hostnames option")?,
        "announce-hostnames" => ctx.announce_hostnames = yes_no_opt(v, "announce-hostnames option")?,
        "sentinel-user" => ctx.sentinel_user = non_empty(v).or(ctx.sentinel_user.take()),
        "sentinel-pass" => ctx.sentinel_pass = non_empty(v).or(ctx.sentinel_pass.take()),
        _ => return Err(UNRECOGNIZED.into()),
    }
    Ok(())
}
