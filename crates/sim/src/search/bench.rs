//! `sentinel-sim bench`: how fast the simulator is, measured (not asserted in tests).
//!
//! For each scenario: simulated seconds per wall second over sequential runs (one core), seeds
//! per second with every core busy, and the peak memory of one run (measured in a child process,
//! from /proc's VmHWM, so each figure is that run's own high-water mark). Also what a run sends
//! (messages and bytes, counted by the world's network layer) and its wall cost per message,
//! next to the engine's own floor per message measured in the same invocation on a bare madsim
//! mesh of as many hosts ([`super::floor`]).

use crate::scenario::Scenario;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

#[derive(Debug, Clone, serde::Serialize)]
pub struct BenchLine {
    pub scenario: String,
    pub runs: u64,
    pub sim_s_per_wall_s: f64,
    pub ms_per_run: f64,
    pub seeds_per_s_all_cores: f64,
    pub jobs: usize,
    pub peak_rss_kb: Option<u64>,
    /// Messages (flushed writes) and bytes per run, as the network layer counted them.
    pub messages_per_run: f64,
    pub bytes_per_run: f64,
    /// Flushes with nothing to send, per run (madsim still sends a message for each).
    pub empty_flushes_per_run: f64,
    /// Wall time of a whole run (checks included) per message.
    pub ns_per_message: f64,
    /// Hosts of the scenario (data nodes, Sentinels, clients) and the floor on as many hosts.
    pub hosts: usize,
    pub floor_ns_per_message: f64,
    /// ns_per_message / floor_ns_per_message.
    pub floor_ratio: f64,
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
    // Sequential: simulated time per wall time, and what crossed the network.
    let t0 = Instant::now();
    let mut sim_ms = 0u64;
    let mut net = crate::run::NetCounts::default();
    for seed in 1..=seeds {
        let (r, n) = crate::run::run_counted(s, seed, true)?;
        sim_ms += r.sim_ms;
        net.messages += n.messages;
        net.bytes += n.bytes;
        net.empty_flushes += n.empty_flushes;
    }
    let wall = t0.elapsed().as_secs_f64().max(1e-9);
    let hosts = s.redis.len() + s.sentinels.len() + s.clients.len();
    let floor = super::floor::measure(hosts, net.messages.max(200_000), 1)?;
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
    let ns_per_message = wall * 1e9 / net.messages.max(1) as f64;
    Ok(BenchLine {
        scenario: s.name.clone(),
        runs: seeds,
        sim_s_per_wall_s: sim_ms as f64 / 1000.0 / wall,
        ms_per_run: wall * 1000.0 / seeds as f64,
        seeds_per_s_all_cores: seeds as f64 / par,
        jobs,
        peak_rss_kb,
        messages_per_run: net.messages as f64 / seeds as f64,
        bytes_per_run: net.bytes as f64 / seeds as f64,
        empty_flushes_per_run: net.empty_flushes as f64 / seeds as f64,
        ns_per_message,
        hosts,
        floor_ns_per_message: floor.ns_per_message(),
        floor_ratio: ns_per_message / floor.ns_per_message(),
    })
}

pub fn header() -> String {
    format!(
        "{:<24} {:>6} {:>14} {:>10} {:>16} {:>12} {:>9} {:>10} {:>8} {:>9} {:>6}",
        "scenario",
        "runs",
        "sim-s/wall-s",
        "ms/run",
        "seeds/s (cores)",
        "peak RSS",
        "msgs/run",
        "bytes/run",
        "ns/msg",
        "floor ns",
        "ratio"
    )
}

pub fn line(b: &BenchLine) -> String {
    format!(
        "{:<24} {:>6} {:>14.0} {:>10.1} {:>11.1} ({:>2}) {:>12} {:>9.0} {:>10.0} {:>8.0} {:>9.0} {:>6.2}",
        b.scenario,
        b.runs,
        b.sim_s_per_wall_s,
        b.ms_per_run,
        b.seeds_per_s_all_cores,
        b.jobs,
        b.peak_rss_kb
            .map(|k| format!("{:.1} MB", k as f64 / 1024.0))
            .unwrap_or_else(|| "unknown".into()),
        b.messages_per_run,
        b.bytes_per_run,
        b.ns_per_message,
        b.floor_ns_per_message,
        b.floor_ratio,
    )
}

/// How fast the fuzzer plays its cases (generator seed 1, on every core, as `fuzz` does).
#[derive(Debug, Clone, serde::Serialize)]
pub struct FuzzRate {
    pub cases: u32,
    pub jobs: usize,
    pub wall_s: f64,
    pub cases_per_s: f64,
}

/// Times `cases` fuzz cases (None for 0); a failing case is an error (the fuzzer found a bug).
pub fn bench_fuzz(cases: u32) -> Result<Option<FuzzRate>, String> {
    if cases == 0 {
        return Ok(None);
    }
    let dir = std::env::temp_dir().join(format!("sentinel-sim-bench-fuzz-{}", std::process::id()));
    let opts = super::fuzz::FuzzOpts {
        cases,
        seed: 1,
        out: dir.clone(),
        regressions: None,
        max_shrink_iters: 0,
        jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let t = Instant::now();
    let found = super::fuzz::fuzz(&opts, |_| {});
    let wall_s = t.elapsed().as_secs_f64().max(1e-9);
    let _ = std::fs::remove_dir_all(&dir);
    if let Some(f) = found? {
        return Err(format!("fuzz case {} failed: {}", f.case, f.reason));
    }
    Ok(Some(FuzzRate {
        cases,
        jobs: opts.jobs,
        wall_s,
        cases_per_s: cases as f64 / wall_s,
    }))
}

pub fn fuzz_line(f: &FuzzRate) -> String {
    format!(
        "fuzz: {} cases in {:.1}s, {:.1} cases/s ({} cores)",
        f.cases, f.wall_s, f.cases_per_s, f.jobs
    )
}

/// Writes `<out>/bench/latest.json` and appends the same object as one line of
/// `<out>/bench/history.jsonl`, so that runs can be compared.
pub fn write(out: &Path, lines: &[BenchLine], fuzz: Option<&FuzzRate>) -> Result<std::path::PathBuf, String> {
    let dir = out.join("bench");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let unix_s = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let doc = serde_json::json!({
        "schema": 1,
        "unix_time_s": unix_s,
        "version": env!("CARGO_PKG_VERSION"),
        "scenarios": lines,
        "fuzz": fuzz,
    });
    let latest = dir.join("latest.json");
    let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
    std::fs::write(&latest, text + "\n").map_err(|e| format!("{}: {e}", latest.display()))?;
    let history = dir.join("history.jsonl");
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&history)
        .map_err(|e| format!("{}: {e}", history.display()))?;
    use std::io::Write as _;
    writeln!(f, "{doc}").map_err(|e| format!("{}: {e}", history.display()))?;
    Ok(latest)
}
