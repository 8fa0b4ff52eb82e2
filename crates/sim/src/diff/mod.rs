//! `sentinel-sim diff FILE.toml --runs N --seeds M`: the simulator over seeds 1..M and the real
//! processes N times (`real`), side by side — outcomes, events, milestones, per-role event
//! sequences — and a verdict, AGREE or DISAGREE, with the tolerances of [`compare`].
//!
//! - [`sim_side`]: the simulator build as a child process, one `run --seed k` per seed;
//! - [`facts`]: what is compared of one run, read from its results JSON;
//! - [`compare`]: the comparison and the verdict (pure, unit-tested);
//! - [`render`]: the table.
//!
//! Plain build only (the real side starts processes), as root.

pub mod compare;
pub mod facts;
pub mod render;
pub mod sim_side;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde::{Deserialize, Serialize};

pub use compare::{compare, Comparison};
pub use facts::RunFacts;

use crate::real::RealArgs;
use crate::report::{path_component, RunReport};

/// Version of the diff JSON layout.
pub const DIFF_SCHEMA: u32 = 1;

/// `sentinel-sim diff` arguments.
#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Real runs.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    pub runs: u32,
    /// Simulator seeds: 1..=M.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub seeds: u64,
    /// Which Sentinel the real runs use: `redis` (redis-sentinel) or `ours` (sentinel-sim-sentinel).
    #[arg(long, default_value = "redis", value_parser = ["redis", "ours"])]
    pub sentinel: String,
    /// Our Sentinel binary for `--sentinel ours` (default: next to this executable).
    #[arg(long, value_name = "PATH")]
    pub sentinel_bin: Option<PathBuf>,
    /// The simulator build of sentinel-sim (default: target/sim/release/sentinel-sim).
    #[arg(long, value_name = "PATH")]
    pub sim_bin: Option<PathBuf>,
    /// Where results go: <out>/<scenario>.<sentinel>.json, and the runs' own results under
    /// <out>/sim/ and <out>/real-<sentinel>/.
    #[arg(long, default_value = "sim-results/diff")]
    pub out: PathBuf,
    /// Compare with the results of earlier real runs instead of playing new ones: the run-*.json
    /// files of this directory (as `real` writes them, e.g. sim-results/real/master_kill); no root
    /// needed.
    #[arg(long, value_name = "DIR")]
    pub real_from: Option<PathBuf>,
    /// List this Sentinel event but do not judge it (repeatable): a known difference, named so
    /// that it shows in the command and the output.
    #[arg(long, value_name = "EVENT")]
    pub ignore_event: Vec<String>,
}

/// The diff JSON.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DiffReport {
    pub schema: u32,
    pub scenario: String,
    pub file: String,
    /// `redis` or `ours`: the real side's Sentinel.
    pub sentinel: String,
    pub seeds: String,
    pub real_runs: u32,
    pub comparison: Comparison,
    pub sim: Vec<RunFacts>,
    pub real: Vec<RunFacts>,
}

pub fn diff_main(a: DiffArgs) -> ExitCode {
    match diff(&a) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err((msg, code)) => {
            eprintln!("{msg}");
            ExitCode::from(code)
        }
    }
}

/// Plays both sides, prints the table, writes the JSON; Ok(whether they agree).
fn diff(a: &DiffArgs) -> Result<bool, (String, u8)> {
    let file = a.scenario.display().to_string();
    let bad = |m: String| (m, 2u8);
    let s = crate::scenario::load(&a.scenario).map_err(|e| bad(e.to_string()))?;
    let bin = sim_side::locate(a.sim_bin.as_deref()).map_err(bad)?;
    let seeds: Vec<u64> = (1..=a.seeds).collect();
    println!("diff {file}: simulator ({}) on seeds 1..{}", bin.display(), a.seeds);
    let sim_reports = sim_side::play_seeds(&bin, &a.scenario, &s.name, &seeds, &a.out.join("sim")).map_err(bad)?;
    let sim: Vec<RunFacts> = sim_reports
        .iter()
        .map(|r| RunFacts::of(&format!("seed {}", r.seed), r))
        .collect();
    let real_reports = match &a.real_from {
        Some(dir) => earlier_real_runs(dir).map_err(bad)?,
        None => play_real(a, s.duration_ms)?,
    };
    if let Some(r) = real_reports.iter().find(|r| r.scenario != s.name) {
        return Err(bad(format!(
            "a real run is of scenario {:?}, not {:?}",
            r.scenario, s.name
        )));
    }
    let real: Vec<RunFacts> = real_reports
        .iter()
        .enumerate()
        .map(|(k, r)| RunFacts::of(&format!("run {} (seed {})", k + 1, r.seed), r))
        .collect();
    let comparison = compare(&sim, &real, &a.ignore_event);
    let title = format!(
        "\n=== diff {}: simulator vs real {}",
        s.name,
        if a.sentinel == "redis" {
            "redis-sentinel 7.0"
        } else {
            "processes with our Sentinel"
        }
    );
    print!("{}", render::render(&title, &comparison));
    let agrees = comparison.agrees();
    let report = DiffReport {
        schema: DIFF_SCHEMA,
        scenario: s.name.clone(),
        file,
        sentinel: a.sentinel.clone(),
        seeds: format!("1..{}", a.seeds),
        real_runs: real_reports.len() as u32,
        comparison,
        sim,
        real,
    };
    let path = write(&a.out, &report).map_err(bad)?;
    println!("results: {}", path.display());
    Ok(agrees)
}

/// Plays the real side, `a.runs` times.
fn play_real(a: &DiffArgs, duration_ms: u64) -> Result<Vec<RunReport>, (String, u8)> {
    println!(
        "diff {}: {} real run{} with {} (about {} s each)",
        a.scenario.display(),
        a.runs,
        if a.runs == 1 { "" } else { "s" },
        if a.sentinel == "redis" {
            "redis-sentinel"
        } else {
            "our Sentinel"
        },
        duration_ms / 1000
    );
    let real_args = RealArgs {
        scenario: a.scenario.clone(),
        sentinel: a.sentinel.clone(),
        sentinel_bin: a.sentinel_bin.clone(),
        runs: a.runs,
        out: a.out.join(format!("real-{}", a.sentinel)),
        verbose: false,
    };
    crate::real::play_runs(&real_args, true).map_err(|e| (e.msg, e.code))
}

/// The `run-<k>.json` results in `dir`, in run order.
fn earlier_real_runs(dir: &Path) -> Result<Vec<RunReport>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("--real-from {}: {e}", dir.display()))?;
    let mut runs: Vec<(u64, PathBuf)> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter_map(|p| {
            let name = p.file_name()?.to_str()?;
            let k = name.strip_prefix("run-")?.strip_suffix(".json")?.parse().ok()?;
            Some((k, p))
        })
        .collect();
    if runs.is_empty() {
        return Err(format!("--real-from {}: no run-<k>.json in it", dir.display()));
    }
    runs.sort();
    runs.iter().map(|(_, p)| sim_side::read_report(p)).collect()
}

/// Writes `<out>/<scenario>.<sentinel>.json`; returns its path.
fn write(out: &Path, r: &DiffReport) -> Result<PathBuf, String> {
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let path = out.join(format!("{}.{}.json", path_component(&r.scenario), r.sentinel));
    let mut text = serde_json::to_string_pretty(r).map_err(|e| format!("cannot render the diff JSON: {e}"))?;
    text.push('\n');
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}
