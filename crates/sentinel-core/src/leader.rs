//! Epochs and leader election (spec §5): one vote per epoch, first come first served; a leader
//! needs max(quorum, majority of known Sentinels) votes.

use crate::event::EventBody;
use crate::instance::Master;
use crate::mutants::{active, Mutant};
use crate::sentinel::{Ctx, MAX_DESYNC_MS};
use crate::types::Ms;
use std::collections::BTreeMap;

/// `sentinelVoteLeader`: vote for `req_runid` in `req_epoch` unless already voted in it; returns
/// the vote held (possibly an older one) and its epoch.
pub(crate) fn vote(ctx: &mut Ctx, m: &mut Master, req_epoch: u64, req_runid: &str, now: Ms) -> (Option<String>, u64) {
    // The vote must be on disk before the reply leaves, or a restart could vote again.
    let persist = !active(Mutant::VoteNotPersisted);
    if req_epoch > ctx.current_epoch {
        ctx.current_epoch = req_epoch;
        if persist {
            ctx.flush_config();
        }
        ctx.emit(Some(m), EventBody::NewEpoch { epoch: req_epoch });
    }
    let not_yet_voted = m.leader_epoch < req_epoch || active(Mutant::VoteTwice);
    if not_yet_voted && ctx.current_epoch <= req_epoch {
        m.leader = Some(req_runid.to_string());
        m.leader_epoch = ctx.current_epoch;
        if persist {
            ctx.flush_config();
        }
        let epoch = m.leader_epoch;
        let body = EventBody::VoteForLeader {
            runid: req_runid.to_string(),
            epoch,
        };
        ctx.emit_with(m, body, epoch, None);
        // Voting for someone else delays our own attempts (by 2 × failover-timeout).
        if !req_runid.eq_ignore_ascii_case(&ctx.myid) {
            m.failover_start_time = now.saturating_add((ctx.rand() % MAX_DESYNC_MS) as Ms);
        }
    }
    (m.leader.clone(), m.leader_epoch)
}

/// `sentinelGetLeader`: tally peers' votes for the current epoch plus my own; the winner must
/// reach both the majority of all Sentinels ever seen and the quorum.
pub(crate) fn get_leader(ctx: &mut Ctx, m: &mut Master, epoch: u64, now: Ms) -> Option<String> {
    let voters = m.sentinels.len() as u64 + 1;
    let mut counters: BTreeMap<String, u64> = BTreeMap::new();
    for s in m.sentinels.values() {
        if let Some(l) = &s.leader {
            if s.leader_epoch == ctx.current_epoch {
                *counters.entry(l.clone()).or_insert(0) += 1;
            }
        }
    }
    let mut winner: Option<String> = None;
    let mut max_votes = 0u64;
    for (k, v) in &counters {
        if *v > max_votes {
            max_votes = *v;
            winner = Some(k.clone());
        }
    }
    let candidate = winner.clone().unwrap_or_else(|| ctx.myid.clone());
    let (myvote, leader_epoch) = vote(ctx, m, epoch, &candidate, now);
    if let Some(myvote) = myvote {
        if leader_epoch == epoch {
            let votes = counters.entry(myvote.clone()).or_insert(0);
            *votes += 1;
            if *votes > max_votes {
                max_votes = *votes;
                winner = Some(myvote);
            }
        }
    }
    let voters_quorum = voters / 2 + 1;
    let enough = (max_votes >= voters_quorum && max_votes >= m.quorum as u64) || active(Mutant::LeaderWithoutMajority);
    if winner.is_some() && !enough {
        winner = None;
    }
    winner
}
