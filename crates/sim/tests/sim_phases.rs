//! Timer phases: each seed starts every process, and the wall clocks' epoch, at its own
//! sub-second phase, so that a fault written at a whole second lands at a different point of
//! Sentinel's 1 s timers from one seed to the next. Simulation builds only (`cargo simtest`).
#![cfg(madsim)]

mod common;

use sim::run::run_once;
use sim::world::clock::{epoch_ms, EPOCH_MS};
use sim::world::{first_starts, SENTINEL_BOOT_DELAY, START_PHASE_WINDOW_MS};
use std::collections::BTreeSet;
use std::time::Duration;

#[test]
fn every_process_starts_at_a_seeded_phase_after_the_boot_order() {
    let s = common::load("master_kill.toml");
    let window = Duration::from_millis(START_PHASE_WINDOW_MS);
    let mut seen = BTreeSet::new();
    for seed in 1..=200 {
        let spec = sim::plan::plan(&s, seed).unwrap();
        let starts = first_starts(&spec);
        assert_eq!(
            starts,
            first_starts(&spec),
            "seed {seed}: the same seed gives the same phases"
        );
        let (sentinels, data): (Vec<_>, Vec<_>) = spec.procs.iter().zip(&starts).partition(|(p, _)| p.is_sentinel());
        let last_data = data.iter().map(|(_, t)| **t).max().unwrap();
        assert!(
            last_data < window,
            "seed {seed}: data nodes start within the first second"
        );
        for (p, t) in &sentinels {
            let after = **t - last_data;
            assert!(
                after >= SENTINEL_BOOT_DELAY && after < SENTINEL_BOOT_DELAY + window,
                "seed {seed}: {} boots {after:?} after the last data node",
                p.name
            );
        }
        seen.extend(starts.iter().map(|t| t.as_millis() % 1000));
    }
    // 6 processes × 200 seeds over 1000 phases: a fixed phase would leave one value.
    assert!(seen.len() > 500, "only {} distinct phases", seen.len());
}

#[test]
fn the_wall_clock_epoch_moves_by_milliseconds_only() {
    let epochs: BTreeSet<i64> = (1..=200).map(epoch_ms).collect();
    assert!(epochs.iter().all(|e| (EPOCH_MS..EPOCH_MS + 1000).contains(e)));
    assert!(epochs.len() > 150, "only {} distinct epochs", epochs.len());
    assert_eq!(epoch_ms(7), epoch_ms(7));
}

/// The outcome the phases are for: a hang is noticed when the first PING sent after it has gone
/// unanswered for down-after, so over seeds detection spreads across the whole 1 s PING period
/// (down-after + 0..1000 ms, as observed on real 7.0.15), not around one point of it.
#[test]
fn pause_detection_spreads_over_the_ping_period() {
    let s = common::load("pause_master.toml");
    let sdown: Vec<u64> = (1..=40)
        .map(|seed| {
            let r = run_once(&s, seed).unwrap();
            assert!(r.ok, "seed {seed} failed");
            r.timeline.sdown_ms.expect("the pause is detected")
        })
        .collect();
    let (min, max) = (*sdown.iter().min().unwrap(), *sdown.iter().max().unwrap());
    assert!(
        min >= 3000 && max <= 4100,
        "pause→+sdown {min}..{max} ms outside down-after + one period"
    );
    assert!(
        max - min >= 500,
        "pause→+sdown spreads only {min}..{max} ms over 40 seeds"
    );
}
