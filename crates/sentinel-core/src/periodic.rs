//! Links and periodic commands (spec §1.4, §2.3): reconnecting, PING, INFO and hello.

use crate::instance::{flag, Master};
use crate::sentinel::{instance, instance_mut, Ctx, HELLO_CHANNEL, MAX_PENDING_COMMANDS};
use crate::types::{ConnId, ConnKind, Ms, ReplyKind, Target};
use resp::Value;

pub(crate) fn args(parts: &[&str]) -> Vec<Vec<u8>> {
    parts.iter().map(|p| p.as_bytes().to_vec()).collect()
}

/// The AUTH command a link to `target` starts with, if credentials apply (spec §1.5).
fn auth_args(ctx: &Ctx, m: &Master, target: &Target) -> Option<Vec<Vec<u8>>> {
    let (user, pass) = match target {
        Target::Sentinel(_) => match &ctx.sentinel_pass {
            Some(p) => (ctx.sentinel_user.clone(), Some(p.clone())),
            None => (None, ctx.requirepass.clone()),
        },
        _ => (m.auth_user.clone(), m.auth_pass.clone()),
    };
    let pass = pass?;
    let auth = m.map_command("AUTH");
    Some(match user {
        Some(u) => args(&[&auth, &u, &pass]),
        None => args(&[&auth, &pass]),
    })
}

/// `sentinelReconnectInstance`: runs every tick for every record, also in TILT.
pub(crate) fn reconnect(ctx: &mut Ctx, m: &mut Master, target: &Target, now: Ms) {
    let name = m.name().to_string();
    let (ip, port, is_sentinel, needs_cc, needs_pc) = {
        let Some(i) = instance(m, target) else { return };
        if !i.link.disconnected || i.port == 0 {
            return;
        }
        if now.saturating_sub(i.link.last_reconn_time) < ctx.periods.ping_period {
            return;
        }
        let is_sentinel = i.has(flag::SENTINEL);
        (
            i.ip.clone(),
            i.port,
            is_sentinel,
            i.link.cc.is_none(),
            !is_sentinel && i.link.pc.is_none(),
        )
    };
    let auth = auth_args(ctx, m, target);
    let setname_cmd = m.map_command("CLIENT");
    let subscribe = m.map_command("SUBSCRIBE");
    if let Some(i) = instance_mut(m, target) {
        i.link.last_reconn_time = now;
    }
    if needs_cc {
        let (conn, sent) = open_conn(
            ctx,
            ConnKind::Cmd,
            (&ip, port),
            &name,
            target,
            auth.as_ref(),
            &setname_cmd,
        );
        let local_ip = (ctx.source_ip.0)(&ip, port);
        if let Some(i) = instance_mut(m, target) {
            i.link.cc = Some(conn);
            i.link.cc_local_ip = local_ip;
            i.link.pending_commands = sent;
            i.link.cc_conn_time = now;
        }
        // A PING right away on every (re)connection.
        send_ping(ctx, m, target, now);
    }
    if needs_pc {
        let (conn, sent) = open_conn(
            ctx,
            ConnKind::PubSub,
            (&ip, port),
            &name,
            target,
            auth.as_ref(),
            &setname_cmd,
        );
        ctx.send(
            conn,
            args(&[&subscribe, HELLO_CHANNEL]),
            ReplyKind::Hello,
            &name,
            target,
        );
        if let Some(i) = instance_mut(m, target) {
            i.link.pc = Some(conn);
            i.link.pending_commands += sent;
            i.link.pc_conn_time = now;
        }
    }
    if let Some(i) = instance_mut(m, target) {
        if i.link.cc.is_some() && (is_sentinel || i.link.pc.is_some()) {
            i.link.disconnected = false;
        }
    }
}

/// Opens a link connection and queues what Redis sends first on it: AUTH (if credentials apply)
/// and `CLIENT SETNAME sentinel-<id8>-cmd|pubsub`, replies discarded. Returns the connection and
/// how many commands now await a reply.
fn open_conn(
    ctx: &mut Ctx,
    kind: ConnKind,
    (ip, port): (&str, u16),
    name: &str,
    target: &Target,
    auth: Option<&Vec<Vec<u8>>>,
    setname_cmd: &str,
) -> (ConnId, u32) {
    let conn = ctx.connect(kind, ip, port, name, target.clone());
    let mut sent = 0;
    if let Some(a) = auth {
        ctx.send(conn, a.clone(), ReplyKind::Discard, name, target);
        sent += 1;
    }
    let suffix = if kind == ConnKind::Cmd { "cmd" } else { "pubsub" };
    let short_id: String = ctx.myid.chars().take(8).collect();
    let cname = format!("sentinel-{short_id}-{suffix}");
    ctx.send(
        conn,
        args(&[setname_cmd, "SETNAME", &cname]),
        ReplyKind::Discard,
        name,
        target,
    );
    (conn, sent + 1)
}

/// `sentinelSendPing`: false if there is no command connection.
pub(crate) fn send_ping(ctx: &mut Ctx, m: &mut Master, target: &Target, now: Ms) -> bool {
    let name = m.name().to_string();
    let ping = m.map_command("PING");
    let Some(i) = instance_mut(m, target) else { return false };
    let Some(cc) = i.link.cc else { return false };
    i.link.pending_commands += 1;
    i.link.last_ping_time = now;
    if i.link.act_ping_time == 0 {
        i.link.act_ping_time = now;
    }
    ctx.send(cc, args(&[&ping]), ReplyKind::Ping, &name, target);
    true
}

/// `sentinelSendPeriodicCommands`: INFO, PING and hello as their periods come due.
pub(crate) fn send_periodic_commands(ctx: &mut Ctx, m: &mut Master, target: &Target, now: Ms) {
    let master_busy = m.inst.has(flag::O_DOWN | flag::FAILOVER_IN_PROGRESS);
    let (cc, send_info, send_ping_now, send_hello) = {
        let Some(i) = instance(m, target) else { return };
        if i.link.disconnected {
            return;
        }
        let Some(cc) = i.link.cc else { return };
        if i.link.pending_commands >= MAX_PENDING_COMMANDS {
            return;
        }
        let info_period = if i.has(flag::SLAVE) && (master_busy || i.master_link_down_time != 0) {
            1000
        } else {
            ctx.periods.info_period
        };
        let ping_period = i.down_after_period.min(ctx.periods.ping_period);
        let send_info =
            !i.has(flag::SENTINEL) && (i.info_refresh == 0 || now.saturating_sub(i.info_refresh) > info_period);
        let send_ping_now = now.saturating_sub(i.link.last_pong_time) > ping_period
            && now.saturating_sub(i.link.last_ping_time) > ping_period / 2;
        let send_hello = now.saturating_sub(i.last_pub_time) > ctx.periods.publish_period;
        (cc, send_info, send_ping_now, send_hello)
    };
    if send_info {
        // Built only when sent: most ticks send nothing to an instance.
        let name = m.name().to_string();
        let info_cmd = m.map_command("INFO");
        ctx.send(cc, args(&[&info_cmd]), ReplyKind::Info, &name, target);
        if let Some(i) = instance_mut(m, target) {
            i.link.pending_commands += 1;
        }
    }
    if send_ping_now {
        send_ping(ctx, m, target, now);
    }
    if send_hello {
        send_hello_msg(ctx, m, target);
    }
}

/// `sentinelSendHello`: PUBLISH our view of the master on the record's command link.
pub(crate) fn send_hello_msg(ctx: &mut Ctx, m: &mut Master, target: &Target) -> bool {
    let name = m.name().to_string();
    let (mip, mport) = m.current_addr();
    let publish = m.map_command("PUBLISH");
    let config_epoch = m.config_epoch;
    let Some(i) = instance_mut(m, target) else { return false };
    if i.link.disconnected {
        return false;
    }
    let Some(cc) = i.link.cc else { return false };
    let ip = ctx
        .announce_ip
        .clone()
        .or_else(|| i.link.cc_local_ip.clone())
        .unwrap_or_else(|| ctx.default_announce_ip.clone());
    let payload = format!(
        "{},{},{},{},{},{},{},{}",
        ip,
        ctx.announce_port(),
        ctx.myid,
        ctx.current_epoch,
        name,
        mip,
        mport,
        config_epoch
    );
    i.link.pending_commands += 1;
    ctx.send(
        cc,
        args(&[&publish, HELLO_CHANNEL, &payload]),
        ReplyKind::Publish,
        &name,
        target,
    );
    true
}

/// `sentinelPingReplyCallback` (spec §4.1).
pub(crate) fn on_ping_reply(ctx: &mut Ctx, m: &mut Master, target: &Target, value: &Value, now: Ms) {
    let name = m.name().to_string();
    let script_kill = m.map_command("SCRIPT");
    let Some(i) = instance_mut(m, target) else { return };
    if let Value::Simple(s) | Value::Error(s) = value {
        if s.starts_with("PONG") || s.starts_with("LOADING") || s.starts_with("MASTERDOWN") {
            i.link.last_avail_time = now;
            i.link.act_ping_time = 0;
            if i.has(flag::MASTER_REBOOT) && s.starts_with("PONG") {
                i.flags &= !flag::MASTER_REBOOT;
            }
        } else if s.starts_with("BUSY") && i.has(flag::S_DOWN) && !i.has(flag::SCRIPT_KILL_SENT) {
            if let Some(cc) = i.link.cc {
                i.link.pending_commands += 1;
                i.flags |= flag::SCRIPT_KILL_SENT;
                ctx.send(cc, args(&[&script_kill, "KILL"]), ReplyKind::Discard, &name, target);
            }
        }
    }
    i.link.last_pong_time = now;
}

/// `sentinelForceHelloUpdateForMaster`: make hellos go out on the next tick.
pub(crate) fn force_hello_update(ctx: &Ctx, m: &mut Master) {
    let p = ctx.periods.publish_period.saturating_add(1);
    let bump = |t: &mut Ms| {
        if *t >= p {
            *t -= p;
        }
    };
    bump(&mut m.inst.last_pub_time);
    for s in m.slaves.values_mut() {
        bump(&mut s.last_pub_time);
    }
    for s in m.sentinels.values_mut() {
        bump(&mut s.last_pub_time);
    }
}
