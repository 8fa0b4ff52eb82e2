//! Failure detection: SDOWN (spec §4.2), ODOWN (§4.3) and asking peers with
//! `SENTINEL is-master-down-by-addr` (§4.4).

use crate::event::{EventBody, EventKind};
use crate::instance::{flag, FailoverState, Master};
use crate::mutants::{active, Mutant};
use crate::periodic::args;
use crate::sentinel::{instance_mut, master_subject, subject, Ctx};
use crate::types::{Level, Ms, ReplyKind, Target};
use crate::util;
use resp::Value;

/// `sentinelCheckSubjectivelyDown`, including link recycling. Not run in TILT.
pub(crate) fn check_subjectively_down(ctx: &mut Ctx, m: &mut Master, target: &Target, now: Ms) {
    let min_link_age = ctx.periods.min_link_reconnect_period;
    let pc_idle_limit = ctx.periods.publish_period.saturating_mul(3);
    let info_period = ctx.periods.info_period;
    let reboot_period = m.master_reboot_down_after_period;
    let reboot_since = m.master_reboot_since_time;
    let Some(i) = instance_mut(m, target) else { return };
    let elapsed = if i.link.act_ping_time != 0 {
        now.saturating_sub(i.link.act_ping_time)
    } else if i.link.disconnected {
        now.saturating_sub(i.link.last_avail_time)
    } else {
        0
    };
    let half = i.down_after_period / 2;
    // A command link with a PING pending for long, and nothing heard at all: probably a stale
    // TCP connection, so start over (only once the link is old enough).
    if let Some(cc) = i.link.cc {
        if now.saturating_sub(i.link.cc_conn_time) > min_link_age
            && i.link.act_ping_time != 0
            && now.saturating_sub(i.link.act_ping_time) > half
            && now.saturating_sub(i.link.last_pong_time) > half
        {
            i.link.cc = None;
            i.link.cc_local_ip = None;
            i.link.pending_commands = 0;
            i.link.disconnected = true;
            ctx.close(cc);
        }
    }
    // A pub/sub link silent for three publish periods (our own hellos keep it busy otherwise).
    if let Some(pc) = i.link.pc {
        if now.saturating_sub(i.link.pc_conn_time) > min_link_age
            && now.saturating_sub(i.link.pc_last_activity) > pc_idle_limit
        {
            i.link.pc = None;
            i.link.disconnected = true;
            ctx.close(pc);
        }
    }
    let is_master = i.has(flag::MASTER);
    let down_after = if active(Mutant::DownAfterTenth) {
        i.down_after_period / 10
    } else {
        i.down_after_period
    };
    let down = elapsed > down_after
        || (is_master
            && i.role_reported == crate::instance::Role::Slave
            && now.saturating_sub(i.role_reported_time)
                > i.down_after_period.saturating_add(info_period.saturating_mul(2)))
        || (i.has(flag::MASTER_REBOOT) && now.saturating_sub(reboot_since) > reboot_period);
    let was_down = i.has(flag::S_DOWN);
    if down && !was_down {
        i.s_down_since_time = now;
        i.flags |= flag::S_DOWN;
        if let Some(subject) = subject(m, target) {
            ctx.emit(Some(m), EventBody::about(EventKind::SDown, subject));
        }
    } else if !down && was_down {
        i.flags &= !(flag::S_DOWN | flag::SCRIPT_KILL_SENT);
        if let Some(subject) = subject(m, target) {
            ctx.emit(Some(m), EventBody::about(EventKind::SDownCleared, subject));
        }
    }
}

/// `sentinelCheckObjectivelyDown`: SDOWN here plus enough peers saying so.
pub(crate) fn check_objectively_down(ctx: &mut Ctx, m: &mut Master, now: Ms) {
    let mut quorum = 0u32;
    let mut odown = false;
    if m.inst.has(flag::S_DOWN) {
        quorum = 1 + m.sentinels.values().filter(|s| s.has(flag::MASTER_DOWN)).count() as u32;
        odown = quorum >= m.quorum || active(Mutant::OdownWithoutQuorum);
    }
    if odown {
        if !m.inst.has(flag::O_DOWN) {
            m.inst.flags |= flag::O_DOWN;
            m.inst.o_down_since_time = now;
            let body = EventBody::ODown {
                subject: master_subject(m),
                votes: quorum,
                quorum: m.quorum,
            };
            ctx.emit(Some(m), body);
        }
    } else if m.inst.has(flag::O_DOWN) {
        m.inst.flags &= !flag::O_DOWN;
        ctx.emit(Some(m), EventBody::about(EventKind::ODownCleared, master_subject(m)));
    }
}

/// `sentinelAskMasterStateToOtherSentinels`. `forced` skips the per-peer rate limit (used right
/// after starting a failover, to request votes at once).
pub(crate) fn ask_master_state(ctx: &mut Ctx, m: &mut Master, forced: bool, now: Ms) {
    let name = m.name().to_string();
    let sentinel_cmd = m.map_command("SENTINEL");
    let master_sdown = m.inst.has(flag::S_DOWN);
    let mip = m.inst.ip.clone();
    let mport = m.inst.port.to_string();
    let runid = if m.failover_state > FailoverState::None {
        ctx.myid.clone()
    } else {
        "*".to_string()
    };
    let epoch = ctx.current_epoch.to_string();
    let ask_period = ctx.periods.ask_period;
    for (key, s) in m.sentinels.iter_mut() {
        // Replies older than five ask periods no longer count.
        if now.saturating_sub(s.last_master_down_reply_time) > ask_period.saturating_mul(5) {
            s.flags &= !flag::MASTER_DOWN;
            s.leader = None;
        }
        if !master_sdown || s.link.disconnected {
            continue;
        }
        if !forced && now.saturating_sub(s.last_master_down_reply_time) < ask_period {
            continue;
        }
        let Some(cc) = s.link.cc else { continue };
        s.link.pending_commands += 1;
        let a = args(&[&sentinel_cmd, "is-master-down-by-addr", &mip, &mport, &epoch, &runid]);
        ctx.send(cc, a, ReplyKind::IsMasterDown, &name, &Target::Sentinel(key.clone()));
    }
}

/// `sentinelReceiveIsMasterDownReply`.
pub(crate) fn on_is_master_down_reply(ctx: &mut Ctx, m: &mut Master, target: &Target, value: &Value, now: Ms) {
    let Some(items) = value.as_array() else { return };
    if items.len() != 3 {
        return;
    }
    let (Value::Int(down), Value::Bulk(leader), Value::Int(leader_epoch)) = (&items[0], &items[1], &items[2]) else {
        return;
    };
    let Some(s) = instance_mut(m, target) else { return };
    s.last_master_down_reply_time = now;
    if *down == 1 {
        s.flags |= flag::MASTER_DOWN;
    } else {
        s.flags &= !flag::MASTER_DOWN;
    }
    let leader = String::from_utf8_lossy(leader).into_owned();
    // A vote names a Sentinel by its run id; anything else is not stored (it would only be
    // counted as a vote for nobody, and must not carry control characters into our state).
    if leader != "*" && !util::valid_runid(&leader) {
        let line = format!(
            "Ignoring invalid leader from {}: '{}'",
            s.name,
            util::printable(leader.as_bytes(), 64)
        );
        ctx.log_text(Level::Verbose, Some(m), line);
        return;
    }
    if leader != "*" {
        let epoch = *leader_epoch as u64;
        let changed = s.leader_epoch != epoch;
        let body = EventBody::VotedFor {
            voter: s.name.clone(),
            leader: leader.clone(),
            epoch,
        };
        s.leader = Some(leader);
        s.leader_epoch = epoch;
        if changed {
            ctx.log(Level::Warning, Some(m), body);
        }
    }
}
