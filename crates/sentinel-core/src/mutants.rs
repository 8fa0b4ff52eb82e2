//! Planted bugs ("mutants"): deliberate, one-line deviations from Sentinel 7.0.15 at the spot where
//! real Sentinels go wrong, used to measure whether the simulator's checks catch them
//! (`sentinel-sim mutants`).
//!
//! The mutation points exist only with the `mutants` cargo feature. Without it [`active`] is a
//! `const fn` returning false, so every `if mutants::active(..)` folds away and a normal build has
//! no extra code path, no load and no branch. With the feature one build serves every mutant: the
//! one in force is a process-wide setting ([`set`]), written by the CLI between batches of runs.
//!
//! Why process-wide is safe: a run never changes it, and every run of a batch (a sweep over all
//! scenarios and seeds, then the fuzzer) is played with the same mutant; the runner changes it
//! only after the batch's worker threads have been joined. Runs on other threads therefore read
//! the same value throughout, and a run's behaviour still depends only on its scenario, its seed
//! and that one setting.
//!
//! [`CATALOGUE`] is the one table: name, the bug in one line, and the rule of the spec it breaks.

/// One planted bug. `None` (the real Sentinel) is not a mutant: it is what [`active`] compares
/// against when nothing is planted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Mutant {
    PromoteDownReplica = 1,
    VoteTwice,
    LeaderWithoutMajority,
    PromotePriorityZero,
    VoteNotPersisted,
    IgnoreDataAge,
    OdownWithoutQuorum,
    NeverTilt,
    NoEpochBump,
    AdoptLowerEpoch,
    DownAfterTenth,
    PreferLowestOffset,
    IgnorePriorityOrder,
    NoPromotionTimeout,
    RetryImmediately,
    AcceptLowerConfigEpoch,
    NoReplicaReconf,
    IgnoreParallelSyncs,
    NeverConvertOldMaster,
}

/// A row of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MutantInfo {
    pub mutant: Mutant,
    /// The name the CLI takes (`--mutant NAME`).
    pub name: &'static str,
    /// The bug, in one line.
    pub bug: &'static str,
    /// The rule of Sentinel 7.0.15 it breaks (section of `sentinel-spec.md`).
    pub rule: &'static str,
}

const fn row(mutant: Mutant, name: &'static str, bug: &'static str, rule: &'static str) -> MutantInfo {
    MutantInfo {
        mutant,
        name,
        bug,
        rule,
    }
}

/// Every mutant, in [`Mutant`] order.
pub const CATALOGUE: [MutantInfo; 19] = [
    row(
        Mutant::PromoteDownReplica,
        "promote-down-replica",
        "replica selection keeps S_DOWN, O_DOWN and disconnected replicas",
        "§6.3: a candidate is not S_DOWN/O_DOWN and its link is up",
    ),
    row(
        Mutant::VoteTwice,
        "vote-twice",
        "a Sentinel votes for every candidate that asks in an epoch, not only the first",
        "§5.2: one vote per epoch, first come first served",
    ),
    row(
        Mutant::LeaderWithoutMajority,
        "leader-without-majority",
        "a candidate is elected with any number of votes (its own suffices)",
        "§5.3: the leader needs max(quorum, majority of known Sentinels) votes",
    ),
    row(
        Mutant::PromotePriorityZero,
        "promote-priority-zero",
        "replica selection keeps replicas with replica-priority 0",
        "§6.3: a replica with priority 0 is never promoted",
    ),
    row(
        Mutant::VoteNotPersisted,
        "vote-not-persisted",
        "a vote (and the epoch adopted with it) is not flushed to sentinel.conf before the reply",
        "§5.2, §9.3: a vote (and an epoch raised by a vote request) is flushed before the reply",
    ),
    row(
        Mutant::IgnoreDataAge,
        "ignore-data-age",
        "replica selection ignores the INFO age and master_link_down_time limits",
        "§6.3: INFO fresher than 5 × ping (3 × info) period; link down ≤ down-after × 10 + SDOWN time",
    ),
    row(
        Mutant::OdownWithoutQuorum,
        "odown-without-quorum",
        "a Sentinel declares ODOWN on its own SDOWN, without the peers' agreement",
        "§4.3: ODOWN needs quorum Sentinels (itself included) reporting the master down",
    ),
    row(
        Mutant::NeverTilt,
        "never-tilt",
        "a clock jump or stall never puts the Sentinel in TILT",
        "§8: a negative tick gap or one over 2 s enters TILT for 30 s",
    ),
    row(
        Mutant::NoEpochBump,
        "no-epoch-bump",
        "a failover attempt reuses the current epoch instead of starting a new one",
        "§5.4: failover_epoch = ++current_epoch at failover start",
    ),
    row(
        Mutant::AdoptLowerEpoch,
        "adopt-lower-epoch",
        "a hello with a lower current_epoch lowers ours",
        "§7 (4): a hello's current_epoch is adopted only when greater than mine",
    ),
    row(
        Mutant::DownAfterTenth,
        "down-after-tenth",
        "SDOWN after a tenth of down-after-milliseconds",
        "§4.2: SDOWN when no valid reply for down-after-milliseconds",
    ),
    row(
        Mutant::PreferLowestOffset,
        "prefer-lowest-offset",
        "among equal priorities the replica with the least replicated data wins",
        "§6.3: then the greatest replication offset",
    ),
    row(
        Mutant::IgnorePriorityOrder,
        "ignore-priority-order",
        "replica selection orders by offset and run id only, not by priority",
        "§6.3: the lowest non-zero replica-priority first",
    ),
    row(
        Mutant::NoPromotionTimeout,
        "no-promotion-timeout",
        "a failover waiting for the promotion never aborts on failover-timeout",
        "§6.1: SEND_SLAVEOF_NOONE and WAIT_PROMOTION abort after failover-timeout",
    ),
    row(
        Mutant::RetryImmediately,
        "retry-immediately",
        "a new failover attempt starts without waiting 2 × failover-timeout",
        "§5.4: no new attempt within 2 × failover-timeout of the last (or of a vote given)",
    ),
    row(
        Mutant::AcceptLowerConfigEpoch,
        "accept-lower-config-epoch",
        "a hello naming another master address switches to it whatever its config epoch",
        "§7 (5): switch only to a master config with a greater config epoch",
    ),
    row(
        Mutant::NoReplicaReconf,
        "no-replica-reconf",
        "the leader never sends REPLICAOF to the other replicas after the promotion",
        "§6.6: the other replicas are sent SLAVEOF to the promoted one (also on the timeout path)",
    ),
    row(
        Mutant::IgnoreParallelSyncs,
        "ignore-parallel-syncs",
        "every replica is reconfigured at once, ignoring parallel-syncs",
        "§6.6: at most parallel-syncs replicas reconfiguring at a time",
    ),
    row(
        Mutant::NeverConvertOldMaster,
        "never-convert-old-master",
        "a returning old master (role:master among the replicas) is never made a replica",
        "§3.2 (4): a non-promoted replica record reporting master is converted (+convert-to-slave)",
    ),
];

/// The catalogue row of a mutant.
pub fn info(m: Mutant) -> &'static MutantInfo {
    // CATALOGUE is in Mutant order and Mutant starts at 1.
    &CATALOGUE[m as usize - 1]
}

/// The mutant of this name (as in [`CATALOGUE`]).
pub fn by_name(name: &str) -> Option<Mutant> {
    CATALOGUE.iter().find(|r| r.name == name).map(|r| r.mutant)
}

/// Whether this build has the mutation points (`--features mutants`).
pub const ENABLED: bool = cfg!(feature = "mutants");

#[cfg(feature = "mutants")]
static ACTIVE: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);

/// Whether `m` is the planted bug in force.
#[cfg(feature = "mutants")]
#[inline]
pub fn active(m: Mutant) -> bool {
    ACTIVE.load(std::sync::atomic::Ordering::Relaxed) == m as u8
}

/// Whether `m` is the planted bug in force: never, in a build without the `mutants` feature.
#[cfg(not(feature = "mutants"))]
#[inline(always)]
pub const fn active(_m: Mutant) -> bool {
    false
}

/// Plants `m` (None: the real Sentinel) for every run of this process from now on. Call it only
/// while no run is in progress (see the module comment). An error in a build without the feature.
pub fn set(m: Option<Mutant>) -> Result<(), String> {
    #[cfg(feature = "mutants")]
    {
        ACTIVE.store(m.map_or(0, |m| m as u8), std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }
    #[cfg(not(feature = "mutants"))]
    match m {
        None => Ok(()),
        Some(m) => Err(format!(
            "cannot plant {}: this build has no mutation points (build with `--features sim/mutants`)",
            info(m).name
        )),
    }
}

/// The mutant in force (None without the feature).
pub fn current() -> Option<Mutant> {
    #[cfg(feature = "mutants")]
    {
        let v = ACTIVE.load(std::sync::atomic::Ordering::Relaxed);
        CATALOGUE.iter().find(|r| r.mutant as u8 == v).map(|r| r.mutant)
    }
    #[cfg(not(feature = "mutants"))]
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_is_in_enum_order_with_unique_names() {
        for (i, r) in CATALOGUE.iter().enumerate() {
            assert_eq!(r.mutant as usize, i + 1, "{} is out of order", r.name);
            assert_eq!(info(r.mutant).name, r.name);
            assert_eq!(by_name(r.name), Some(r.mutant));
            assert!(!r.bug.is_empty() && r.rule.starts_with('§'), "{}", r.name);
        }
        let mut names: Vec<&str> = CATALOGUE.iter().map(|r| r.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), CATALOGUE.len());
        assert_eq!(by_name("no-such-bug"), None);
    }

    #[cfg(not(feature = "mutants"))]
    #[test]
    fn without_the_feature_nothing_can_be_planted() {
        assert!(set(None).is_ok());
        let e = set(Some(Mutant::VoteTwice)).unwrap_err();
        assert!(e.contains("--features sim/mutants"), "{e}");
        assert!(CATALOGUE.iter().all(|r| !active(r.mutant)));
        assert_eq!(current(), None);
    }
}
