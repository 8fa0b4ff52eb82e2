//! `sentinel-sim bench`: how fast the simulator is, measured (not asserted in tests).
//!
//! For each scenario: simulated seconds per wall second over sequential runs (one core), seeds
//! per second with every core busy, and the peak memory of one run (measured in a child process,
//! from /proc's VmHWM, so each figure is that run's own high-water mark).

use crate::scenario::Scenario;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

#[derive(Debug, Clone)]
pub struct BenchLine {
    pub scenario: String,
    pub runs: u64,
    pub sim_s_per_wall_s: f64,
    pub ms_per_run: f64,
    pub seeds_per_s_all_cores: f64,
    pub jobs: usize,
    pub peak_rss_kb: Option<u64>,
}

/// Peak resident memory of this process so far (Linux), in kB.
pub fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
}

/// Runs `seeds` seeds of `s` on one thread, then on `jobs` threads; `exe` (this binary) is used to
/// measure one run's peak memory in a child process.
pub fn bench_scenario(
    path: &Path,
    s: &Scenario,
    seeds: u64,
    jobs: usize,
    exe: Option<&Path>,
) -> Result<BenchLine, String> {
    // Sequential: simulated time per wall time.
    let t0 = Instant::now();
    let mut sim_ms = 0u64;
    for seed in 1..=seeds {
        let r = crate::run::run_once(s, seed)?;
        sim_ms += r.sim_ms;
    }
    let wall = t0.elapsed().as_secs_f64().max(1e-9);
    // Parallel: seeds per second on every core.
    let next = Arc::new(AtomicU64::new(1));
    let t1 = Instant::now();
    let mut handles = Vec::new();
    for _ in 0..jobs {
        let next = next.clone();
        let s = s.clone();
        handles.push(std::thread::spawn(move || -> Result<(), String> {
            loop {
                let seed = next.fetch_add(1, Ordering::Relaxed);
                if seed > seeds {
                    return Ok(());
                }
                crate::run::run_once(&s, 1_000_000 + seed)?;
            }
        }));
    }
    for h in handles {
        h.join().map_err(|_| "a bench worker panicked".to_string())??;
    }
    let par = t1.elapsed().as_secs_f64().max(1e-9);
    let peak_rss_kb = exe.and_then(|exe| {
        let out = std::process::Command::new(exe)
            .args([
                "run",
                &path.to_string_lossy(),
                "--seed",
                "1",
                "--no-json",
                "--color",
                "never",
                "--peak-rss",
            ])
            .output()
            .ok()?;
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("peak_rss_kb: ")?.trim().parse().ok())
    });
    Ok(BenchLine {
        scenario: s.name.clone(),
        runs: seeds,
        sim_s_per_wall_s: sim_ms as f64 / 1000.0 / wall,
        ms_per_run: wall * 1000.0 / seeds as f64,
        seeds_per_s_all_cores: seeds as f64 / par,
        jobs,
        peak_rss_kb,
    })
}

pub fn header() -> String {
    format!(
        "{:<24} {:>6} {:>14} {:>10} {:>16} {:>12}",
        "scenario", "runs", "sim-s/wall-s", "ms/run", "seeds/s (cores)", "peak RSS"
    )
}

pub fn line(b: &BenchLine) -> String {
    format!(
        "{:<24} {:>6} {:>14.0} {:>10.1} {:>11.1} ({:>2}) {:>12}",
        b.scenario,
        b.runs,
        b.sim_s_per_wall_s,
        b.ms_per_run,
        b.seeds_per_s_all_cores,
        b.jobs,
        b.peak_rss_kb
            .map(|k| format!("{:.1} MB", k as f64 / 1024.0))
            .unwrap_or_else(|| "n/a".into())
    )
}
