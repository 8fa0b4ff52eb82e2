//! When each process first starts: a sub-second phase per process, drawn from the run's seed.
//! Sentinel's timers (PING every 1 s, hello every 2 s, INFO every 10 s or 1 s) and a data node's
//! replication cron run on periods counted from the process's start, so a fault written
//! `at = "10s"` lands at a point of those periods that the phases choose. The simulator's world and
//! the real runner (`real`) both start their processes at these times, so that a real run samples
//! the phases of the simulator seed it is played with rather than one fixed phase.

use std::time::Duration;

use crate::spec::WorldSpec;

/// Sentinels start at least this long after the last data node, so that replicas are attached
/// when a Sentinel first asks the master for INFO (as in the reference capture, where the data
/// nodes were up before the Sentinels started). A replica that came up before its master retries
/// every second, so it can attach up to 1 s (plus its handshake) after the last data node starts:
/// hence 1.5 s, not 1 s. A Sentinel that missed a replica would learn of it only from the next
/// INFO, 10 s later, after the fault of most scenarios.
pub const SENTINEL_BOOT_DELAY: Duration = Duration::from_millis(1500);

/// Width of the window each process's start phase is drawn from: one period of Sentinel's 1 s
/// timers.
pub const START_PHASE_WINDOW_MS: u64 = 1000;

/// The start phases' RNG stream, mixed with the run's seed (its own stream, so drawing phases
/// shifts none of the processes' other draws).
const START_PHASE_STREAM: u64 = 0x0070_6861_7365;

/// When each process of `spec` first starts, from the run's time zero: data node `i` at its phase
/// (0–999 ms); each Sentinel [`SENTINEL_BOOT_DELAY`] after the last data node, plus its own phase.
/// Every phase is drawn from the run's seed. Restarts are actions and happen at their `at`.
pub fn first_starts(spec: &WorldSpec) -> Vec<Duration> {
    let stream = crate::plan::mix(spec.seed, START_PHASE_STREAM);
    let phase = |i: usize| Duration::from_millis(crate::plan::mix(stream, i as u64) % START_PHASE_WINDOW_MS);
    let last_data = (spec.procs.iter().enumerate())
        .filter(|(_, p)| !p.is_sentinel())
        .map(|(i, _)| phase(i))
        .max()
        .unwrap_or_default();
    (spec.procs.iter().enumerate())
        .map(|(i, p)| {
            if p.is_sentinel() {
                last_data + SENTINEL_BOOT_DELAY + phase(i)
            } else {
                phase(i)
            }
        })
        .collect()
}
