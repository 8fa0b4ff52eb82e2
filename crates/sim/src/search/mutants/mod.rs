//! `sentinel-sim mutants`: plays every planted bug of `sentinel_core::mutants` through the sweep
//! (every bundled scenario × the seeds) and the fuzzer, and tells which checks catch it.
//!
//! The un-mutated build (`none`) goes first with the same budget and must pass everything: a check
//! that fails there is a false alarm (or a real bug), and a catch of a mutant means nothing then.
//!
//! One build serves every mutant: the mutant in force is process-wide (`mutants::set`), changed
//! only between batches, when no run is in progress (the sweep's workers are joined, the fuzzer
//! has returned). Results: `<out>/mutants/summary.json` and `table.md`; per mutant
//! `<out>/mutants/<name>/`: the full results of the first failing runs (`<scenario>/seed-N.json`)
//! and the fuzzer's shrunk scenario (`fuzz/`).
//!
//! The mutation points exist only in a build with `--features sim/mutants` (`cargo sim-mutants`,
//! `just mutants`); elsewhere this command explains how to get one.

mod outcome;
mod render;

pub use outcome::{
    catch_of, dates_its_evidence, evidence_ms, first_failure, times_in, Catch, DetectedFrom, FuzzPart, MutantOutcome,
    SweepPart, TRACE_CHECKS, TRACE_EXPECTATIONS,
};
pub use render::{render_markdown, render_text, render_verdict, verdict, NONE};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use sentinel_core::mutants::{self, Mutant, CATALOGUE};
use serde::{Deserialize, Serialize};

use crate::scenario::Scenario;
use crate::search::{fuzz, sweep};

/// Version of `summary.json`.
pub const MUTANTS_SCHEMA: u32 = 1;

/// `sentinel-sim mutants`.
#[derive(Debug, Clone, clap::Args)]
pub struct MutantsArgs {
    /// Seeds of the sweep (as `sweep --seeds`: `1..20` is 1 to 20 inclusive).
    #[arg(long, default_value = "1..20")]
    pub seeds: String,
    /// Fuzz cases per mutant (0: no fuzzing).
    #[arg(long, default_value_t = 200)]
    pub fuzz_cases: u32,
    /// Seed of the fuzzer's case generator (the same for every mutant).
    #[arg(long, default_value_t = 20261123)]
    pub fuzz_seed: u64,
    /// Limit on the fuzzer's shrinking steps per caught mutant.
    #[arg(long, default_value_t = 64)]
    pub max_shrink_iters: u32,
    /// Only these mutants (default: all); `none` is always played first.
    #[arg(long = "mutant", value_name = "NAME", num_args = 1..)]
    pub mutants: Vec<String>,
    /// Scenario files or directories (default: every scenarios/*.toml).
    #[arg(long = "scenarios", value_name = "PATH", num_args = 1..)]
    pub scenarios: Vec<PathBuf>,
    /// Worker threads for the sweep (default: every core).
    #[arg(long, short)]
    pub jobs: Option<usize>,
    /// Play a mutant's whole sweep instead of stopping at its first failing run.
    #[arg(long)]
    pub full_sweep: bool,
    /// Exit with status 1 when a mutant escapes (by default only a failure of `none` does).
    #[arg(long)]
    pub require_all: bool,
    /// Print the catalogue (name, bug, rule) and exit.
    #[arg(long)]
    pub list: bool,
    /// Where results go (`<out>/mutants/...`).
    #[arg(long, default_value = "sim-results")]
    pub out: PathBuf,
}

/// `<out>/mutants/summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MutantsSummary {
    pub schema: u32,
    pub seeds: String,
    pub scenarios: Vec<String>,
    pub fuzz_cases: u32,
    pub fuzz_seed: u64,
    /// The un-mutated build.
    pub baseline: MutantOutcome,
    pub mutants: Vec<MutantOutcome>,
    /// Names of the mutants no check caught.
    pub escaped: Vec<String>,
    /// Wall time of the whole command; not deterministic.
    pub wall_ms: u64,
}

/// The catalogue as text.
pub fn render_catalogue() -> String {
    let w = CATALOGUE.iter().map(|r| r.name.len()).max().unwrap_or(0);
    let mut out = String::new();
    for r in &CATALOGUE {
        out.push_str(&format!("{:<w$}  {}\n{:<w$}  breaks {}\n", r.name, r.bug, "", r.rule));
    }
    out
}

/// The mutants named on the command line (all when none is named); an unknown name is an error
/// listing the known ones.
pub fn select(names: &[String]) -> Result<Vec<Mutant>, String> {
    if names.is_empty() {
        return Ok(CATALOGUE.iter().map(|r| r.mutant).collect());
    }
    let mut out = Vec::new();
    for n in names {
        let m = mutants::by_name(n).ok_or_else(|| {
            let known: Vec<&str> = CATALOGUE.iter().map(|r| r.name).collect();
            format!("unknown mutant {n:?} (known: {})", known.join(", "))
        })?;
        if !out.contains(&m) {
            out.push(m);
        }
    }
    Ok(out)
}

/// How to get a build with the mutation points.
pub const HOW_TO_BUILD: &str = "build it with the `mutants` feature, in its own target dir so that normal builds are \
     not rebuilt: `cargo sim-mutants ...` (or `just mutants ...`) for this command, `cargo sim-mutants-cli run FILE \
     --mutant NAME` to play one scenario; both are `cargo --config \"build.rustflags=['--cfg','madsim']\" run \
     --release --target-dir target/sim-mutants -p sim --features sim/mutants --bin sentinel-sim -- ...`";

/// Plants the mutant of this name for the rest of the process (`run --mutant NAME`).
pub fn plant(name: &str) -> Result<Mutant, String> {
    let m = select(&[name.to_string()])?[0];
    if !mutants::ENABLED {
        return Err(format!(
            "--mutant {name}: this binary has no mutation points; {HOW_TO_BUILD}"
        ));
    }
    mutants::set(Some(m))?;
    Ok(m)
}

/// How to replay a failing run of mutant `name` (None: the real Sentinel).
pub fn replay_command(file: &str, seed: u64, mutant: Option<&str>) -> String {
    match mutant {
        None => sweep::replay_command(file, seed, false),
        Some(m) => format!("cargo sim-mutants-cli run {file} --seed {seed} --mutant {m}"),
    }
}

/// `sentinel-sim mutants`.
pub fn mutants_main(a: MutantsArgs) -> ExitCode {
    if a.list {
        print!("{}", render_catalogue());
        return ExitCode::SUCCESS;
    }
    if !mutants::ENABLED {
        eprintln!("sentinel-sim mutants: this binary has no mutation points; {HOW_TO_BUILD}");
        return ExitCode::from(2);
    }
    match run(&a) {
        Ok(s) => {
            let none_failed = s.baseline.caught() || s.baseline.fuzz_error().is_some();
            let escaped = !s.escaped.is_empty() || s.mutants.iter().any(|o| o.fuzz_error().is_some());
            if none_failed || (a.require_all && escaped) {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("sentinel-sim mutants: {e}");
            ExitCode::from(2)
        }
    }
}

/// The budget shared by every mutant.
struct Budget {
    scenarios: Vec<(String, Scenario)>,
    /// Seed-major (scenario index, seed, no determinism re-run), as the sweep orders them.
    jobs: Vec<(usize, u64, bool)>,
    workers: usize,
}

fn run(a: &MutantsArgs) -> Result<MutantsSummary, String> {
    let start = Instant::now();
    let targets = select(&a.mutants)?;
    let seeds = sweep::parse_seeds(&a.seeds)?;
    let scenarios = sweep::load_scenarios(&sweep::scenario_files(&a.scenarios)?)?;
    let jobs = seeds
        .iter()
        .flat_map(|&seed| (0..scenarios.len()).map(move |i| (i, seed, false)))
        .collect();
    let workers = a
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let budget = Budget {
        scenarios,
        jobs,
        workers,
    };
    let root = a.out.join("mutants");
    println!(
        "mutants: {} mutant{} plus `none`; each: {} runs ({} scenarios × {} seeds, {}), then {} fuzz cases",
        targets.len(),
        if targets.len() == 1 { "" } else { "s" },
        budget.jobs.len(),
        budget.scenarios.len(),
        seeds.len(),
        a.seeds,
        a.fuzz_cases
    );
    let baseline = play_target(a, &budget, &root, None)?;
    let mut outcomes = Vec::new();
    for (i, m) in targets.iter().enumerate() {
        eprintln!("[{}/{}]", i + 1, targets.len());
        outcomes.push(play_target(a, &budget, &root, Some(*m))?);
    }
    mutants::set(None)?;
    let escaped = outcomes
        .iter()
        .filter(|o| !o.caught())
        .map(|o| o.name.clone())
        .collect();
    let summary = MutantsSummary {
        schema: MUTANTS_SCHEMA,
        seeds: a.seeds.clone(),
        scenarios: budget.scenarios.iter().map(|(f, _)| f.clone()).collect(),
        fuzz_cases: a.fuzz_cases,
        fuzz_seed: a.fuzz_seed,
        baseline,
        mutants: outcomes,
        escaped,
        wall_ms: start.elapsed().as_millis() as u64,
    };
    let rows: Vec<MutantOutcome> = std::iter::once(summary.baseline.clone())
        .chain(summary.mutants.iter().cloned())
        .collect();
    println!();
    print!("{}", render_text(&rows));
    print!("{}", render_verdict(&summary.baseline, &summary.mutants));
    match write_summary(&root, &summary, &render_markdown(&rows)) {
        Ok(p) => println!("results: {} (and table.md beside it)", p.display()),
        Err(e) => eprintln!("cannot write results under {}: {e}", root.display()),
    }
    println!("wall time: {:.1}s", start.elapsed().as_secs_f64());
    Ok(summary)
}

/// Plants `m` (None: the real Sentinel), plays the sweep then the fuzzer, and un-plants it.
fn play_target(a: &MutantsArgs, b: &Budget, root: &Path, m: Option<Mutant>) -> Result<MutantOutcome, String> {
    let (name, bug, rule) = match m {
        None => (NONE, "(the real Sentinel 7.0.15 logic)", "-"),
        Some(m) => {
            let i = mutants::info(m);
            (i.name, i.bug, i.rule)
        }
    };
    let dir = root.join(name);
    // A previous run's files must not be mistaken for this one's.
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    // No run is in progress here: the previous batch's workers are joined, the fuzzer returned.
    mutants::set(m)?;
    let mut sweep = play_sweep(a, b, &dir);
    let planted = m.map(|_| name);
    if let Some(c) = &mut sweep.caught {
        c.replay = replay_command(&c.replay_file, c.seed, planted);
    }
    let mut fuzz = (a.fuzz_cases > 0).then(|| play_fuzz(a, &dir));
    if let Some(c) = fuzz.as_mut().and_then(|f| f.caught.as_mut()) {
        c.replay = replay_command(&c.replay_file, c.seed, planted);
    }
    mutants::set(None)?;
    let o = MutantOutcome {
        name: name.to_string(),
        bug: bug.to_string(),
        rule: rule.to_string(),
        sweep,
        fuzz,
    };
    let f = o.fuzz.as_ref();
    eprintln!(
        "{name}: sweep {} ({}/{} runs), fuzz {} => {}",
        if o.sweep.caught.is_some() { "failed" } else { "clean" },
        o.sweep.played,
        o.sweep.planned,
        f.map_or("skipped", |f| if f.error.is_some() {
            "error"
        } else if f.caught.is_some() {
            "failed"
        } else {
            "clean"
        }),
        verdict(&o)
    );
    Ok(o)
}

/// The sweep over the budget, stopping at the first failing run unless `--full-sweep`.
fn play_sweep(a: &MutantsArgs, b: &Budget, dir: &Path) -> SweepPart {
    let start = Instant::now();
    let batch = sweep::Batch {
        out: dir.to_path_buf(),
        workers: b.workers,
        fail_fast: !a.full_sweep,
        silent: true,
        quiet_failures: false,
        cancel: None,
    };
    let (records, _) = sweep::play_batch(&batch, &b.scenarios, &b.jobs);
    let position: BTreeMap<(&str, u64), usize> = b
        .jobs
        .iter()
        .enumerate()
        .map(|(p, &(si, seed, _))| ((b.scenarios[si].1.name.as_str(), seed), p))
        .collect();
    let order = |r: &sweep::RunRecord| {
        position
            .get(&(r.scenario.as_str(), r.seed))
            .copied()
            .unwrap_or(usize::MAX)
    };
    SweepPart {
        planned: b.jobs.len(),
        played: records.len(),
        failed: records.iter().filter(|r| !r.ok).count(),
        caught: first_failure(&records, order).map(catch_of),
        wall_ms: start.elapsed().as_millis() as u64,
    }
}

/// The fuzzer with the budget's cases; a failure is shrunk, written under `<dir>/fuzz/`, and
/// replayed once to name its first failing check and when it failed.
fn play_fuzz(a: &MutantsArgs, dir: &Path) -> FuzzPart {
    let start = Instant::now();
    let opts = fuzz::FuzzOpts {
        cases: a.fuzz_cases,
        seed: a.fuzz_seed,
        out: dir.join("fuzz"),
        // No regression file: the normal fuzzer's must not learn a planted bug's failures, and a
        // second `mutants` run must play the same cases as the first.
        regressions: None,
        max_shrink_iters: a.max_shrink_iters,
        jobs: a
            .jobs
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
    };
    let result = fuzz::fuzz(&opts, |_| {});
    let (caught, error) = match result {
        Ok(None) => (None, None),
        Ok(Some(f)) => match replay_fuzz_failure(&f) {
            Ok(c) => (Some(c), None),
            Err(e) => (None, Some(e)),
        },
        Err(e) => (None, Some(e)),
    };
    FuzzPart {
        cases: a.fuzz_cases,
        caught,
        error,
        wall_ms: start.elapsed().as_millis() as u64,
    }
}

/// Plays a shrunk fuzz failure again (same process, same mutant) for its catch.
fn replay_fuzz_failure(f: &fuzz::Failure) -> Result<Catch, String> {
    let s = crate::scenario::load(&f.file).map_err(|e| format!("the shrunk scenario does not load: {e}"))?;
    let file = f.file.display().to_string();
    let rec = match crate::run::run_once(&s, f.seed) {
        Ok(r) => sweep::RunRecord::from_report(&file, &r, None),
        Err(e) => sweep::RunRecord::from_error(&s.name, &file, f.seed, e),
    };
    let mut c = if rec.ok {
        // Shrinking kept a failing input, so its replay fails too; if not, say so.
        let mut c = catch_of(&rec);
        c.check = "not-reproduced".into();
        c.detail = f.reason.clone();
        c
    } else {
        catch_of(&rec)
    };
    c.fuzz_case = Some(f.case);
    c.shrunk_actions = Some(s.timeline.len());
    Ok(c)
}

fn write_summary(root: &Path, s: &MutantsSummary, markdown: &str) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(root)?;
    let path = root.join("summary.json");
    let mut text = serde_json::to_string_pretty(s).map_err(std::io::Error::other)?;
    text.push('\n');
    std::fs::write(&path, text)?;
    std::fs::write(root.join("table.md"), markdown)?;
    Ok(path)
}
