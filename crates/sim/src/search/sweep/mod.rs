//! `sentinel-sim sweep`: many seeds of many scenarios on every core, with per-scenario aggregates
//! (failure and failover rates, detection / election / failover time percentiles, lost writes,
//! client unavailability),
//! one JSON line per run, and a replay command for every failing seed.
//!
//! `sentinel-sim merge`: the same aggregates from the JSON lines of several (sharded) sweeps.
//!
//! Layout of the results (under `--out`, default `sim-results`):
//! - `sweep/<scenario>.jsonl`: one [`RunRecord`] per line, sorted by seed;
//!   with `--shard K/N`: `sweep/<scenario>.shard-K-of-N.jsonl`.
//! - `sweep/summary.json` (or `sweep/summary.shard-K-of-N.json`): a [`SweepSummary`].
//! - `<scenario>/seed-<N>.json`: the full results JSON of every failing run (as `run` writes it).
//!
//! Seeds: `--seeds 1..1000` means seeds 1 to 1000 **inclusive** (as in `just seeds 50`: "seeds
//! 1..50"); `1..=1000` says the same, `7` is one seed, and items combine with commas
//! (`1..100,500,900..=910`). Duplicates are played once.
//!
//! Sharding: `--shard K/N` plays the seeds whose position in the seed list (0-based, after parsing
//! and removing duplicates) is `K-1` modulo `N`: the shards interleave (round robin), so each gets
//! the same mix of low and high seeds and finishes in about the same time. Every seed of the list
//! is in exactly one shard. The determinism re-runs are chosen by the same global position
//! (`position % M == 0`), so N shards merged give exactly the aggregates of one unsharded sweep.
//!
//! Everything except [`sweep_main`]'s playing is pure and tested in the plain build.

mod aggregate;
mod record;
mod render;
mod seeds;

pub use aggregate::{aggregate, dist_f64, dist_u64, percentile, Dist, FailingRun, Perf, ScenarioAgg, SweepSummary};
pub use record::{figures_only, merge_records, parse_jsonl, replay_command, to_jsonl, RunRecord};
pub use render::{render_scenario, render_summary, MAX_FAILING_SHOWN};
pub use seeds::{checks_determinism, parse_seeds, parse_shard, shard_seeds, Shard};

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Instant;

use crate::scenario::{self, Scenario};

/// Version of the sweep record and summary layout.
/// 2: records' `writes` carry `unavailable` (figures only, no per-client lists); the aggregates gain
/// `unavailable_max_ms` and `unavailable_total_ms` (records of schema 1 still merge: those runs
/// have no unavailability figures).
pub const SWEEP_SCHEMA: u32 = 2;

/// At most this many seeds in one `--seeds` list (a guard against `0..999999999999`).
pub const MAX_SEEDS: u64 = 10_000_000;

// ---------------------------------------------------------------------------------------------
// CLI arguments
// ---------------------------------------------------------------------------------------------

/// `sentinel-sim sweep`.
#[derive(Debug, Clone, clap::Args)]
pub struct SweepArgs {
    /// Scenario files or directories of them (default: every scenarios/*.toml).
    pub scenarios: Vec<PathBuf>,
    /// Seeds: `1..1000` = 1 to 1000 inclusive (`1..=1000` too), `7`, or a comma list of those.
    #[arg(long, default_value = "1..100")]
    pub seeds: String,
    /// Worker threads, each playing one run at a time (default: every core).
    #[arg(long, short)]
    pub jobs: Option<usize>,
    /// Play only shard K of N (1-based): the seeds at positions p with p mod N = K-1 (round robin).
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Where results go (`<out>/sweep/...`).
    #[arg(long, default_value = "sim-results")]
    pub out: PathBuf,
    /// Play every M-th seed (positions 0, M, 2M, ...) twice and compare the runs byte for byte;
    /// 0 turns the check off.
    #[arg(long, default_value_t = 50, value_name = "M")]
    pub check_determinism_every: usize,
    /// Stop starting runs after the first failure.
    #[arg(long)]
    pub fail_fast: bool,
}

/// `sentinel-sim merge`.
#[derive(Debug, Clone, clap::Args)]
pub struct MergeArgs {
    /// The JSON-lines files of sweeps or sweep shards (`sim-results/sweep/*.jsonl`).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Where the merged report goes (`<out>/sweep/summary.json` and `<out>/sweep/<scenario>.jsonl`).
    #[arg(long, default_value = "sim-results")]
    pub out: PathBuf,
}
// ---------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------

/// `<out>/sweep/<scenario>[.shard-K-of-N].jsonl` for each scenario, and the summary; returns the
/// summary's path.
pub fn write_results(
    out: &Path,
    shard: Option<Shard>,
    records: &[RunRecord],
    summary: &SweepSummary,
) -> std::io::Result<PathBuf> {
    let dir = out.join("sweep");
    std::fs::create_dir_all(&dir)?;
    let suffix = shard.map(|s| format!(".{}", s.tag())).unwrap_or_default();
    let mut by: BTreeMap<&str, Vec<RunRecord>> = BTreeMap::new();
    for r in records {
        by.entry(r.scenario.as_str()).or_default().push(r.clone());
    }
    for (name, mut rs) in by {
        rs.sort_by_key(|r| r.seed);
        std::fs::write(
            dir.join(format!("{}{suffix}.jsonl", crate::report::path_component(name))),
            to_jsonl(&rs),
        )?;
    }
    let path = dir.join(format!("summary{suffix}.json"));
    let mut text = serde_json::to_string_pretty(summary).map_err(std::io::Error::other)?;
    text.push('\n');
    std::fs::write(&path, text)?;
    Ok(path)
}

/// The scenario files of the arguments: files as given, directories expanded to their `*.toml`
/// (sorted); no argument = `scenarios/*.toml`.
pub fn scenario_files(args: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let args = if args.is_empty() {
        vec![PathBuf::from("scenarios")]
    } else {
        args.to_vec()
    };
    let mut out = Vec::new();
    for a in args {
        if a.is_dir() {
            let mut v: Vec<PathBuf> = std::fs::read_dir(&a)
                .map_err(|e| format!("{}: {e}", a.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
                .collect();
            v.sort();
            if v.is_empty() {
                return Err(format!("{}: no *.toml scenario in this directory", a.display()));
            }
            out.extend(v);
        } else {
            out.push(a);
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Playing
// ---------------------------------------------------------------------------------------------

/// Plays one run (twice when checking determinism), never panicking; returns the record and the
/// simulated ms played.
/// Plays one run; a failing run's full results go under `out` when given.
fn play(file: &str, s: &Scenario, seed: u64, check: bool, out: Option<&PathBuf>) -> (RunRecord, u64) {
    let res = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| crate::run::run_checked(s, seed, check)));
    match res {
        Ok(Ok(f)) => {
            let rec = RunRecord::from_report(file, &f.report, f.nondeterminism);
            if let (false, Some(out)) = (rec.ok, out) {
                // The full results of a failing run, where `run` would write them.
                let _ = crate::report::write_json(out, &f.report);
                let _ = crate::report::html::write_html(out, &f.report);
            }
            let sim = f.report.sim_ms * if check { 2 } else { 1 };
            (rec, sim)
        }
        Ok(Err(e)) => (RunRecord::from_error(&s.name, file, seed, e), 0),
        Err(p) => {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            (
                RunRecord::from_error(&s.name, file, seed, format!("panicked: {msg}")),
                0,
            )
        }
    }
}

/// Prints to stdout and flushes, ignoring errors (a closed pipe must not stop a sweep before it
/// writes its results).
fn say(s: &str) {
    let mut o = std::io::stdout().lock();
    let _ = o.write_all(s.as_bytes());
    let _ = o.flush();
}

struct Progress {
    bar: indicatif::ProgressBar,
    visible: bool,
    /// Nothing at all is printed (a batch played for another command, e.g. `mutants`).
    silent: bool,
    total: u64,
    last_decile: u64,
    start: Instant,
}

impl Progress {
    fn new(total: u64, silent: bool) -> Progress {
        let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false");
        let visible = !silent && std::io::stdout().is_terminal() && std::io::stderr().is_terminal() && !ci;
        let bar = if visible {
            let b = indicatif::ProgressBar::new(total);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{elapsed_precise} [{bar:40}] {pos}/{len} runs  {per_sec}  eta {eta}  {msg}",
            ) {
                b.set_style(style.progress_chars("=> "));
            }
            b
        } else {
            indicatif::ProgressBar::hidden()
        };
        Progress {
            bar,
            visible,
            silent,
            total,
            last_decile: 0,
            start: Instant::now(),
        }
    }

    fn println(&self, s: &str) {
        if !self.silent {
            self.bar.suspend(|| say(&format!("{s}\n")));
        }
    }

    fn tick(&mut self, done: u64, failed: usize) {
        self.bar.set_position(done);
        self.bar.set_message(format!("{failed} failed"));
        if !self.visible && !self.silent && self.total > 0 {
            let decile = done * 10 / self.total;
            if decile > self.last_decile {
                self.last_decile = decile;
                say(&format!(
                    "progress: {done}/{} runs ({}%) in {:.1}s, {failed} failed\n",
                    self.total,
                    done * 100 / self.total,
                    self.start.elapsed().as_secs_f64()
                ));
            }
        }
    }
}

/// `sentinel-sim sweep`.
pub fn sweep_main(a: SweepArgs) -> ExitCode {
    match sweep(a) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}

fn sweep(a: SweepArgs) -> Result<bool, String> {
    let seeds = parse_seeds(&a.seeds)?;
    let shard = a.shard.as_deref().map(parse_shard).transpose()?;
    let scenarios = load_scenarios(&scenario_files(&a.scenarios)?)?;
    let mine = shard_seeds(&seeds, shard);
    // Seed-major order: long scenarios spread over the whole sweep.
    let jobs: Vec<(usize, u64, bool)> = mine
        .iter()
        .flat_map(|&(pos, seed)| {
            let every = a.check_determinism_every;
            (0..scenarios.len()).map(move |i| (i, seed, checks_determinism(pos, every)))
        })
        .collect();
    let n_jobs = a
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    say(&format!(
        "sweep: {} scenario{} × {} seed{}{} = {} runs on {} worker{}\n",
        scenarios.len(),
        if scenarios.len() == 1 { "" } else { "s" },
        mine.len(),
        if mine.len() == 1 { "" } else { "s" },
        shard
            .map(|s| format!(" (shard {s} of {} seeds)", seeds.len()))
            .unwrap_or_default(),
        jobs.len(),
        n_jobs,
        if n_jobs == 1 { "" } else { "s" },
    ));

    let start = Instant::now();
    let batch = Batch {
        out: a.out.clone(),
        workers: n_jobs,
        fail_fast: a.fail_fast,
        silent: false,
        quiet_failures: false,
        cancel: None,
    };
    let (mut records, sim_ms) = play_batch(&batch, &scenarios, &jobs);
    let wall = start.elapsed();
    let wall_s = wall.as_secs_f64().max(1e-9);
    if a.fail_fast && records.len() < jobs.len() {
        say(&format!(
            "fail-fast: stopped after {} of {} runs\n",
            records.len(),
            jobs.len()
        ));
    }
    records.sort_by(|x, y| (&x.scenario, x.seed).cmp(&(&y.scenario, y.seed)));
    let perf = Perf {
        wall_ms: Some(wall.as_millis() as u64),
        jobs: Some(n_jobs),
        seeds_per_s: Some(records.len() as f64 / wall_s),
        sim_ms,
        sim_s_per_wall_s: Some(sim_ms as f64 / 1000.0 / wall_s),
        run_wall_ms: records.iter().map(|r| r.wall_ms).sum(),
    };
    let summary = SweepSummary::new("sweep", Some(a.seeds.clone()), shard, &records, perf);
    say(&render_summary(&summary));
    match write_results(&a.out, shard, &records, &summary) {
        Ok(p) => say(&format!(
            "results: {} (and one .jsonl per scenario beside it)\n",
            p.display()
        )),
        Err(e) => eprintln!("cannot write results under {}: {e}", a.out.display()),
    }
    Ok(summary.failed == 0 && records.len() == jobs.len())
}

/// Loads the scenario files (with the file name as given); two scenarios of the same name are an
/// error, as their results would share a file.
pub fn load_scenarios(files: &[PathBuf]) -> Result<Vec<(String, Scenario)>, String> {
    let mut scenarios: Vec<(String, Scenario)> = Vec::new();
    for f in files {
        let s = scenario::load(f).map_err(|e| e.to_string())?;
        let file = f.display().to_string();
        if let Some((other, _)) = scenarios.iter().find(|(_, o)| o.name == s.name) {
            return Err(format!(
                "{file} and {other} are both named {:?}: their results would share a file",
                s.name
            ));
        }
        scenarios.push((file, s));
    }
    Ok(scenarios)
}

/// How a batch of runs is played.
#[derive(Debug, Clone)]
pub struct Batch {
    /// Where the full results of failing runs go (`<out>/<scenario>/seed-<N>.json`, as `run`).
    pub out: PathBuf,
    /// Worker threads, each playing one run at a time.
    pub workers: usize,
    /// Stop starting runs after the first failure (the runs already started still finish, so
    /// every job before the last one started has a record).
    pub fail_fast: bool,
    /// Print nothing (no progress, no FAIL lines).
    pub silent: bool,
    /// Failing runs are expected (`explore`: a varied setting may break the scenario's own
    /// expectations): no FAIL line and no full results per failing run; the records still carry
    /// their replay commands.
    pub quiet_failures: bool,
    /// Set from outside (Ctrl-C) to stop starting runs; the runs under way finish.
    pub cancel: Option<std::sync::Arc<AtomicBool>>,
}

/// Plays the jobs `(scenario index, seed, check determinism)`, taken in order by the batch's
/// worker threads; returns the records (in completion order) and the simulated ms played.
pub fn play_batch(b: &Batch, scenarios: &[(String, Scenario)], jobs: &[(usize, u64, bool)]) -> (Vec<RunRecord>, u64) {
    let n_jobs = b.workers.max(1);
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let mut records: Vec<RunRecord> = Vec::with_capacity(jobs.len());
    let mut sim_ms = 0u64;
    let mut progress = Progress::new(jobs.len() as u64, b.silent);
    let (tx, rx) = mpsc::channel::<(RunRecord, u64)>();
    std::thread::scope(|sc| {
        for _ in 0..n_jobs.min(jobs.len().max(1)) {
            let tx = tx.clone();
            let (next, stop, out) = (&next, &stop, (!b.quiet_failures).then_some(&b.out));
            let cancel = b.cancel.as_deref();
            sc.spawn(move || {
                while !stop.load(Ordering::Relaxed) && !cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&(si, seed, check)) = jobs.get(i) else {
                        break;
                    };
                    let (file, s) = &scenarios[si];
                    if tx.send(play(file, s, seed, check, out)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut failed = 0;
        for (rec, sim) in rx {
            sim_ms += sim;
            if !rec.ok {
                failed += 1;
            }
            if !rec.ok && !b.quiet_failures {
                progress.println(&format!(
                    "FAIL {} {}\n     {}",
                    rec.scenario,
                    rec.failure_line(),
                    rec.replay.as_deref().unwrap_or("")
                ));
                if b.fail_fast {
                    stop.store(true, Ordering::Relaxed);
                }
            }
            records.push(rec);
            progress.tick(records.len() as u64, failed);
        }
    });
    progress.bar.finish_and_clear();
    (records, sim_ms)
}

/// `sentinel-sim merge`.
pub fn merge_main(a: MergeArgs) -> ExitCode {
    let mut inputs = Vec::new();
    for f in &a.files {
        let text = match std::fs::read_to_string(f) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{}: {e}", f.display());
                return ExitCode::from(2);
            }
        };
        match parse_jsonl(&text, &f.display().to_string()) {
            Ok(r) => inputs.push(r),
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        }
    }
    let records = merge_records(inputs);
    let perf = Perf {
        wall_ms: None,
        jobs: None,
        seeds_per_s: None,
        sim_ms: records
            .iter()
            .map(|r| r.sim_ms * if r.deterministic.is_some() { 2 } else { 1 })
            .sum(),
        sim_s_per_wall_s: None,
        run_wall_ms: records.iter().map(|r| r.wall_ms).sum(),
    };
    let summary = SweepSummary::new("merge", None, None, &records, perf);
    say(&render_summary(&summary));
    match write_results(&a.out, None, &records, &summary) {
        Ok(p) => say(&format!("results: {}\n", p.display())),
        Err(e) => {
            eprintln!("cannot write results under {}: {e}", a.out.display());
            return ExitCode::from(2);
        }
    }
    if summary.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
