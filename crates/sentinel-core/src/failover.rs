//! The failover state machine (spec §5.4, §6): start, wait for election, select and promote a
//! replica, reconfigure the others, switch the master's address.

use crate::event::{Addr, EventBody, EventKind};
use crate::instance::{flag, FailoverState, Instance, Master};
use crate::mutants::{active, Mutant};
use crate::periodic::{args, force_hello_update};
use crate::sentinel::{
    child_subject, master_subject, release_instance, subject, Ctx, MAX_DESYNC_MS, SIMFAILURE_CRASH_AFTER_ELECTION,
    SIMFAILURE_CRASH_AFTER_PROMOTION,
};
use crate::types::{Action, CandidateView, Level, Ms, ReplyKind, Target};
use crate::{leader, util};

/// `sentinelStartFailoverIfNeeded`: ODOWN, no failover running, and not within 2 × failover-timeout
/// of the last attempt (or of a vote for another Sentinel).
pub(crate) fn start_if_needed(ctx: &mut Ctx, m: &mut Master, now: Ms) -> bool {
    if !m.inst.has(flag::O_DOWN) || m.inst.has(flag::FAILOVER_IN_PROGRESS) {
        return false;
    }
    let retry_delay = if active(Mutant::RetryImmediately) {
        0
    } else {
        m.failover_timeout.saturating_mul(2)
    };
    if now.saturating_sub(m.failover_start_time) < retry_delay {
        if m.failover_delay_logged != m.failover_start_time {
            m.failover_delay_logged = m.failover_start_time;
            let when = util::ctime(
                m.failover_start_time
                    .saturating_add(m.failover_timeout.saturating_mul(2))
                    / 1000,
            );
            ctx.log(Level::Warning, Some(m), EventBody::FailoverDelay { until: when });
        }
        return false;
    }
    start(ctx, m, now);
    true
}

/// Moves the failover state machine; a transition it does not have is a bug in this core.
fn set_state(m: &mut Master, next: FailoverState) {
    assert!(
        m.failover_state.may_go_to(next),
        "failover state {:?} -> {:?} is not a transition of Sentinel's state machine",
        m.failover_state,
        next
    );
    m.failover_state = next;
}

/// `sentinelStartFailover`: a new epoch and the WAIT_START state.
pub(crate) fn start(ctx: &mut Ctx, m: &mut Master, now: Ms) {
    set_state(m, FailoverState::WaitStart);
    m.inst.flags |= flag::FAILOVER_IN_PROGRESS;
    // Saturates: an epoch of u64::MAX (from a peer or the config) must not wrap to 0.
    if !active(Mutant::NoEpochBump) {
        ctx.current_epoch = ctx.current_epoch.saturating_add(1);
    }
    m.failover_epoch = ctx.current_epoch;
    let epoch = ctx.current_epoch;
    ctx.emit(Some(m), EventBody::NewEpoch { epoch });
    ctx.emit(Some(m), about_master(EventKind::TryFailover, m));
    m.failover_start_time = now.saturating_add((ctx.rand() % MAX_DESYNC_MS) as Ms);
    m.failover_state_change_time = now;
}

/// `sentinelFailoverStateMachine`: one step per tick while a failover is in progress.
pub(crate) fn state_machine(ctx: &mut Ctx, m: &mut Master, now: Ms) {
    if !m.inst.has(flag::FAILOVER_IN_PROGRESS) {
        return;
    }
    match m.failover_state {
        FailoverState::WaitStart => wait_start(ctx, m, now),
        FailoverState::SelectSlave => select_slave_state(ctx, m, now),
        FailoverState::SendSlaveofNoone => send_slaveof_noone(ctx, m, now),
        FailoverState::WaitPromotion => wait_promotion(ctx, m, now),
        FailoverState::ReconfSlaves => reconf_next_slave(ctx, m, now),
        FailoverState::None | FailoverState::UpdateConfig => {}
    }
}

/// `sentinelAbortFailover`: only before the promotion was observed.
pub(crate) fn abort(m: &mut Master, now: Ms) {
    debug_assert!(m.inst.has(flag::FAILOVER_IN_PROGRESS));
    debug_assert!(m.failover_state <= FailoverState::WaitPromotion);
    m.inst.flags &= !(flag::FAILOVER_IN_PROGRESS | flag::FORCE_FAILOVER);
    set_state(m, FailoverState::None);
    m.failover_state_change_time = now;
    if let Some(p) = m.promoted_slave.take() {
        if let Some(s) = m.slaves.get_mut(&p) {
            s.flags &= !flag::PROMOTED;
        }
    }
}

fn wait_start(ctx: &mut Ctx, m: &mut Master, now: Ms) {
    let epoch = m.failover_epoch;
    let winner = leader::get_leader(ctx, m, epoch, now);
    let is_leader = winner.as_deref().is_some_and(|w| w.eq_ignore_ascii_case(&ctx.myid));
    if !is_leader && !m.inst.has(flag::FORCE_FAILOVER) {
        let election_timeout = ctx.periods.election_timeout.min(m.failover_timeout);
        if now.saturating_sub(m.failover_start_time) > election_timeout {
            ctx.emit(Some(m), about_master(EventKind::FailoverAbortNotElected, m));
            abort(m, now);
        }
        return;
    }
    ctx.emit_with(m, about_master(EventKind::ElectedLeader, m), epoch, None);
    if ctx.simfailure_flags & SIMFAILURE_CRASH_AFTER_ELECTION != 0 {
        let line = "Sentinel CRASH because of SENTINEL simulate-failure".to_string();
        ctx.log_text(Level::Warning, None, line);
        ctx.out.push(Action::Exit(99));
    }
    set_state(m, FailoverState::SelectSlave);
    m.failover_state_change_time = now;
    ctx.emit(Some(m), about_master(EventKind::FailoverStateSelectSlave, m));
}

/// `sentinelSelectSlave` (spec §6.3): the best promotable replica, if any.
pub(crate) fn select_slave(ctx: &Ctx, m: &Master, now: Ms) -> Option<String> {
    let master_sdown = m.inst.has(flag::S_DOWN);
    let mut max_master_down = 0;
    if master_sdown {
        max_master_down = now.saturating_sub(m.inst.s_down_since_time);
    }
    max_master_down = max_master_down.saturating_add(m.inst.down_after_period.saturating_mul(10));
    let info_validity = if master_sdown {
        ctx.periods.ping_period.saturating_mul(5)
    } else {
        ctx.periods.info_period.saturating_mul(3)
    };
    let mut candidates: Vec<&Instance> = m
        .slaves
        .values()
        .filter(|s| {
            let reachable = !s.has(flag::S_DOWN | flag::O_DOWN)
                && !s.link.disconnected
                && now.saturating_sub(s.link.last_avail_time) <= ctx.periods.ping_period.saturating_mul(5);
            let fresh =
                now.saturating_sub(s.info_refresh) <= info_validity && s.master_link_down_time <= max_master_down;
            (reachable || active(Mutant::PromoteDownReplica))
                && (s.slave_priority != 0 || active(Mutant::PromotePriorityZero))
                && (fresh || active(Mutant::IgnoreDataAge))
        })
        .collect();
    candidates.sort_by(|a, b| compare_for_promotion(a, b));
    candidates.first().map(|s| s.name.clone())
}

/// Lower priority first, then more data, then the smaller run id (a missing run id last).
fn compare_for_promotion(a: &Instance, b: &Instance) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let by_priority = if active(Mutant::IgnorePriorityOrder) {
        Ordering::Equal
    } else {
        a.slave_priority.cmp(&b.slave_priority)
    };
    let by_offset = if active(Mutant::PreferLowestOffset) {
        a.slave_repl_offset.cmp(&b.slave_repl_offset)
    } else {
        b.slave_repl_offset.cmp(&a.slave_repl_offset)
    };
    by_priority.then(by_offset).then_with(|| match (&a.runid, &b.runid) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(x), Some(y)) => x.to_ascii_lowercase().cmp(&y.to_ascii_lowercase()),
    })
}

fn select_slave_state(ctx: &mut Ctx, m: &mut Master, now: Ms) {
    match select_slave(ctx, m, now) {
        None => {
            ctx.emit(Some(m), about_master(EventKind::FailoverAbortNoGoodSlave, m));
            abort(m, now);
        }
        Some(name) => {
            let epoch = m.failover_epoch;
            let (selected, view) = {
                let s = &m.slaves[&name];
                let view = CandidateView {
                    addr: s.addr_name(),
                    s_down: s.has(flag::S_DOWN),
                    o_down: s.has(flag::O_DOWN),
                    disconnected: s.link.disconnected,
                    priority: s.slave_priority,
                };
                (child_subject(s, m), view)
            };
            let body = EventBody::about(EventKind::SelectedSlave, selected.clone());
            ctx.emit_with(m, body, epoch, Some(view));
            if let Some(s) = m.slaves.get_mut(&name) {
                s.flags |= flag::PROMOTED;
            }
            m.promoted_slave = Some(name);
            set_state(m, FailoverState::SendSlaveofNoone);
            m.failover_state_change_time = now;
            let body = EventBody::about(EventKind::FailoverStateSendSlaveofNoone, selected);
            ctx.emit(Some(m), body);
        }
    }
}

/// `sentinelSendSlaveOf`: the MULTI / SLAVEOF / CONFIG REWRITE / CLIENT KILL ×2 / EXEC transaction
/// (spec §6.5). `to` None means `SLAVEOF NO ONE`. Replies are discarded: success is read from INFO.
pub(crate) fn send_slaveof(ctx: &mut Ctx, m: &mut Master, target: &Target, to: Option<(String, u16)>) -> bool {
    let name = m.name().to_string();
    let (host, port) = match to {
        None => ("NO".to_string(), "ONE".to_string()),
        Some((h, p)) => (h, p.to_string()),
    };
    let cmds = vec![
        args(&[&m.map_command("MULTI")]),
        args(&[&m.map_command("SLAVEOF"), &host, &port]),
        args(&[&m.map_command("CONFIG"), "REWRITE"]),
        args(&[&m.map_command("CLIENT"), "KILL", "TYPE", "normal"]),
        args(&[&m.map_command("CLIENT"), "KILL", "TYPE", "pubsub"]),
        args(&[&m.map_command("EXEC")]),
    ];
    let Some(i) = crate::sentinel::instance_mut(m, target) else {
        return false;
    };
    let Some(cc) = i.link.cc else { return false };
    i.link.pending_commands += cmds.len() as u32;
    for c in cmds {
        ctx.send(cc, c, ReplyKind::Discard, &name, target);
    }
    true
}

fn promoted(m: &Master) -> Option<&Instance> {
    m.promoted_slave.as_ref().and_then(|n| m.slaves.get(n))
}

fn send_slaveof_noone(ctx: &mut Ctx, m: &mut Master, now: Ms) {
    let Some(pname) = m.promoted_slave.clone() else { return };
    let disconnected = promoted(m).is_none_or(|p| p.link.disconnected);
    if disconnected {
        if now.saturating_sub(m.failover_state_change_time) > m.failover_timeout && !active(Mutant::NoPromotionTimeout)
        {
            ctx.emit(Some(m), about_master(EventKind::FailoverAbortSlaveTimeout, m));
            abort(m, now);
        }
        return;
    }
    let target = Target::Replica(pname);
    if !send_slaveof(ctx, m, &target, None) {
        return;
    }
    if let Some(promoted) = subject(m, &target) {
        ctx.emit(
            Some(m),
            EventBody::about(EventKind::FailoverStateWaitPromotion, promoted),
        );
    }
    set_state(m, FailoverState::WaitPromotion);
    m.failover_state_change_time = now;
}

fn wait_promotion(ctx: &mut Ctx, m: &mut Master, now: Ms) {
    if now.saturating_sub(m.failover_state_change_time) > m.failover_timeout && !active(Mutant::NoPromotionTimeout) {
        ctx.emit(Some(m), about_master(EventKind::FailoverAbortSlaveTimeout, m));
        abort(m, now);
    }
}

/// Called from INFO processing when the promoted replica reports `role:master` in WAIT_PROMOTION.
pub(crate) fn promotion_observed(ctx: &mut Ctx, m: &mut Master, pname: &str, now: Ms) {
    m.config_epoch = m.failover_epoch;
    set_state(m, FailoverState::ReconfSlaves);
    m.failover_state_change_time = now;
    ctx.flush_config();
    let epoch = m.failover_epoch;
    if let Some(promoted) = m.slaves.get(pname).map(|s| child_subject(s, m)) {
        ctx.emit_with(m, EventBody::about(EventKind::PromotedSlave, promoted), epoch, None);
    }
    if ctx.simfailure_flags & SIMFAILURE_CRASH_AFTER_PROMOTION != 0 {
        let line = "Sentinel CRASH because of SENTINEL simulate-failure".to_string();
        ctx.log_text(Level::Warning, None, line);
        ctx.out.push(Action::Exit(99));
    }
    ctx.emit(Some(m), about_master(EventKind::FailoverStateReconfSlaves, m));
    if let Some(to) = m.slaves.get(pname).map(|p| (p.ip.clone(), p.port)) {
        let from = (m.inst.ip.clone(), m.inst.port);
        crate::scripts::client_reconfig(ctx, m, "leader", from, to);
    }
    force_hello_update(ctx, m);
}

/// `sentinelFailoverReconfNextSlave` (spec §6.6).
fn reconf_next_slave(ctx: &mut Ctx, m: &mut Master, now: Ms) {
    let Some(paddr) = promoted(m).map(|p| (p.ip.clone(), p.port)) else {
        return;
    };
    let mut in_progress = m
        .slaves
        .values()
        .filter(|s| s.has(flag::RECONF_SENT | flag::RECONF_INPROG))
        .count() as u32;
    let names: Vec<String> = m.slaves.keys().cloned().collect();
    let parallel_syncs = if active(Mutant::IgnoreParallelSyncs) {
        u32::MAX
    } else {
        m.parallel_syncs
    };
    for n in names {
        if in_progress >= parallel_syncs {
            break;
        }
        let (skip, timed_out) = {
            let s = &m.slaves[&n];
            let skip = s.has(flag::PROMOTED | flag::RECONF_DONE);
            let timed_out = s.has(flag::RECONF_SENT)
                && now.saturating_sub(s.slave_reconf_sent_time) > ctx.periods.slave_reconf_timeout;
            (skip, timed_out)
        };
        if skip {
            continue;
        }
        if timed_out {
            let replica = child_subject(&m.slaves[&n], m);
            ctx.emit(Some(m), EventBody::about(EventKind::SlaveReconfSentTimeout, replica));
            if let Some(s) = m.slaves.get_mut(&n) {
                s.flags &= !flag::RECONF_SENT;
                s.flags |= flag::RECONF_DONE;
            }
        }
        let s = &m.slaves[&n];
        if s.has(flag::RECONF_SENT | flag::RECONF_INPROG) || s.link.disconnected || active(Mutant::NoReplicaReconf) {
            continue;
        }
        let target = Target::Replica(n.clone());
        if send_slaveof(ctx, m, &target, Some(paddr.clone())) {
            if let Some(s) = m.slaves.get_mut(&n) {
                s.flags |= flag::RECONF_SENT;
                s.slave_reconf_sent_time = now;
            }
            let replica = child_subject(&m.slaves[&n], m);
            ctx.emit(Some(m), EventBody::about(EventKind::SlaveReconfSent, replica));
            in_progress += 1;
        }
    }
    detect_end(ctx, m, now);
}

/// `sentinelFailoverDetectEnd`: all reachable replicas reconfigured, or the failover timed out.
fn detect_end(ctx: &mut Ctx, m: &mut Master, now: Ms) {
    let Some(p) = promoted(m) else { return };
    if p.has(flag::S_DOWN) {
        return;
    }
    let paddr = (p.ip.clone(), p.port);
    let mut not_reconfigured = m
        .slaves
        .values()
        .filter(|s| !s.has(flag::PROMOTED | flag::RECONF_DONE) && !s.has(flag::S_DOWN))
        .count();
    let mut timeout = false;
    if now.saturating_sub(m.failover_state_change_time) > m.failover_timeout {
        not_reconfigured = 0;
        timeout = true;
        ctx.emit(Some(m), about_master(EventKind::FailoverEndForTimeout, m));
    }
    if not_reconfigured == 0 {
        ctx.emit(Some(m), about_master(EventKind::FailoverEnd, m));
        set_state(m, FailoverState::UpdateConfig);
        m.failover_state_change_time = now;
    }
    if timeout {
        let names: Vec<String> = m.slaves.keys().cloned().collect();
        for n in names {
            let s = &m.slaves[&n];
            let skip = s.has(flag::PROMOTED | flag::RECONF_DONE | flag::RECONF_SENT) || s.link.disconnected;
            if skip || active(Mutant::NoReplicaReconf) {
                continue;
            }
            let target = Target::Replica(n.clone());
            if send_slaveof(ctx, m, &target, Some(paddr.clone())) {
                let replica = child_subject(&m.slaves[&n], m);
                ctx.emit(Some(m), EventBody::about(EventKind::SlaveReconfSentBe, replica));
                if let Some(s) = m.slaves.get_mut(&n) {
                    s.flags |= flag::RECONF_SENT;
                }
            }
        }
    }
}

/// `sentinelFailoverSwitchToPromotedSlave`: the leader's `+switch-master`.
pub(crate) fn switch_to_promoted(ctx: &mut Ctx, m: &mut Master, now: Ms) {
    let (nip, nport) = match promoted(m) {
        Some(p) => (p.ip.clone(), p.port),
        None => (m.inst.ip.clone(), m.inst.port),
    };
    let body = switch_master(m, &nip, nport);
    ctx.emit(Some(m), body);
    reset_and_change_address(ctx, m, &nip, nport, now);
}

/// `sentinelResetMaster` (spec §10 RESET / §6.7). `keep_sentinels` for the address switch.
pub(crate) fn reset_master(ctx: &mut Ctx, m: &mut Master, keep_sentinels: bool, generate_event: bool, now: Ms) {
    for s in std::mem::take(&mut m.slaves).into_values() {
        release_instance(ctx, &s);
    }
    if !keep_sentinels {
        for s in std::mem::take(&mut m.sentinels).into_values() {
            release_instance(ctx, &s);
        }
    }
    if let Some(c) = m.inst.link.cc.take() {
        ctx.close(c);
        m.inst.link.pending_commands = 0;
    }
    if let Some(c) = m.inst.link.pc.take() {
        ctx.close(c);
    }
    m.inst.link.cc_local_ip = None;
    m.inst.link.disconnected = true;
    m.inst.flags &= flag::MASTER;
    m.leader = None;
    set_state(m, FailoverState::None);
    m.failover_state_change_time = 0;
    m.failover_start_time = 0;
    m.promoted_slave = None;
    m.inst.runid = None;
    m.inst.slave_master_host = None;
    m.inst.link.act_ping_time = now;
    m.inst.link.last_ping_time = 0;
    m.inst.link.last_avail_time = now;
    m.inst.link.last_pong_time = now;
    m.inst.role_reported_time = now;
    m.inst.role_reported = crate::instance::Role::Master;
    if generate_event {
        ctx.emit(Some(m), about_master(EventKind::ResetMaster, m));
    }
}

/// `sentinelResetMasterAndChangeAddress`: the master now lives at `ip:port`; every other known
/// address (including the old master's) becomes a replica record. False (nothing changed) if
/// the new address is not a valid one.
pub(crate) fn reset_and_change_address(ctx: &mut Ctx, m: &mut Master, ip: &str, port: u16, now: Ms) -> bool {
    // As Redis (`createSentinelAddr` failing): never switch to an address we could not use.
    if !util::valid_addr(ip, ctx.resolve_hostnames) {
        let line = format!(
            "Refusing to switch {} to invalid address '{}'",
            m.name(),
            util::printable(ip.as_bytes(), 64)
        );
        ctx.log_text(Level::Warning, Some(m), line);
        return false;
    }
    let mut replicas: Vec<(String, u16)> = m
        .slaves
        .values()
        .filter(|s| !(s.ip == ip && s.port == port))
        .map(|s| (s.ip.clone(), s.port))
        .collect();
    if !(m.inst.ip == ip && m.inst.port == port) {
        replicas.push((m.inst.ip.clone(), m.inst.port));
    }
    reset_master(ctx, m, true, false, now);
    m.inst.ip = ip.to_string();
    m.inst.port = port;
    m.inst.o_down_since_time = 0;
    m.inst.s_down_since_time = 0;
    for (rip, rport) in replicas {
        if m.create_slave(&rip, rport, now) {
            if let Some(replica) = subject(m, &Target::Replica(crate::instance::addr_name(&rip, rport))) {
                ctx.emit(Some(m), EventBody::about(EventKind::Slave, replica));
            }
        }
    }
    ctx.flush_config();
    true
}

/// A `%@`-only event about the master itself.
fn about_master(kind: EventKind, m: &Master) -> EventBody {
    EventBody::about(kind, master_subject(m))
}

/// `+switch-master`: the master's name, its current address, and the one it moves to.
pub(crate) fn switch_master(m: &Master, ip: &str, port: u16) -> EventBody {
    EventBody::SwitchMaster {
        master: m.name().to_string(),
        from: Addr {
            ip: m.inst.ip.clone(),
            port: m.inst.port,
        },
        to: Addr {
            ip: ip.to_string(),
            port,
        },
    }
}
