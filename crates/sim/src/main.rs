//! `sentinel-sim`: play a Redis Sentinel scenario in the deterministic simulator.

use clap::{Parser, Subcommand};
use sim::report::{self, SummaryOpts};
use sim::scenario;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

// A run allocates and frees small buffers for every message (RESP frames, INFO text, trace
// events); jemalloc takes a good part of glibc malloc's share of a run's time (README, "Speed").
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[derive(Parser)]
#[command(
    name = "sentinel-sim",
    version,
    about = "Deterministic simulation testbed for Redis Sentinel 7.0"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Play one scenario with one seed, check invariants and expectations, print a summary and
    /// write sim-results/<scenario>/seed-<N>.json.
    Run(RunArgs),
    /// proptest fuzzing: random clusters and fault sequences (every fault kind), each ending in a
    /// quiet liveness phase; safety invariants throughout, convergence at the end. A failure is
    /// shrunk and written as a scenario file that `cargo sim` replays; failing inputs are also kept
    /// in proptest's regression file and tried first next time.
    Fuzz {
        /// Number of cases.
        #[arg(long, default_value_t = 100)]
        cases: u32,
        /// Seed of the case generator (same seed, same cases).
        #[arg(long, default_value_t = 20261123)]
        seed: u64,
        /// Where a shrunk failure is written.
        #[arg(long, default_value = "sim-results/fuzz")]
        out: PathBuf,
        /// proptest's regression file.
        #[arg(long, default_value = "crates/sim/fuzz-regressions.txt")]
        regressions: PathBuf,
        /// Limit on shrinking steps.
        #[arg(long, default_value_t = 500)]
        max_shrink_iters: u32,
        /// Worker threads playing the cases (default: every core); the result does not depend
        /// on it: the first failing case in generation order is the one shrunk.
        #[arg(long, short)]
        jobs: Option<usize>,
    },
    /// Measure speed: simulated seconds per wall second (one core), seeds per second (all cores)
    /// and the peak memory of one run, per scenario.
    Bench {
        /// Scenarios (default: master_kill and split_brain).
        scenarios: Vec<PathBuf>,
        /// Runs per scenario and measure.
        #[arg(long, default_value_t = 40)]
        seeds: u64,
        /// Worker threads for the all-cores measure (default: every core).
        #[arg(long, short)]
        jobs: Option<usize>,
        /// Fuzz cases to time (generator seed 1; 0: skip).
        #[arg(long, default_value_t = 60)]
        fuzz_cases: u32,
        /// Where the figures go: <out>/bench/latest.json, and one line appended to
        /// <out>/bench/history.jsonl per invocation.
        #[arg(long, default_value = "sim-results")]
        out: PathBuf,
    },
    /// Parse and validate a scenario without playing it.
    Check { scenario: PathBuf },
    /// Scenario tools: `scenario from-config` writes a scenario skeleton from real config files.
    Scenario {
        #[command(subcommand)]
        cmd: ScenarioCmd,
    },
    /// Play many seeds of many scenarios on every core; print per-scenario failure and failover
    /// rates, time percentiles and lost writes; write sim-results/sweep/<scenario>.jsonl and
    /// summary.json. Exit status 1 if any run failed.
    Sweep(sim::search::sweep::SweepArgs),
    /// The operator's what-if: play every combination of the varied settings (`--vary
    /// KEY=V1,V2,...`, repeatable) over the seeds on every core; print a table per combination
    /// (failover rate, detection and failover times, lost writes, time without an acknowledged
    /// write, false failovers) and write explore.csv, explore.json and explore.html (plots) under
    /// sim-results/explore/<scenario>/. Ctrl-C keeps what finished.
    Explore(sim::search::explore::ExploreArgs),
    /// Merge the JSON lines of sweeps or sweep shards into one report (the aggregates of one sweep
    /// over all their seeds).
    Merge(sim::search::sweep::MergeArgs),
    /// Plant each bug of the catalogue (`--list`) in the Sentinel logic and play it through the
    /// sweep and the fuzzer: which check catches it, where, and when. The un-mutated build goes
    /// first and must pass. Needs a build with `--features sim/mutants` (`cargo sim-mutants`,
    /// `just mutants`). Writes sim-results/mutants/summary.json and table.md.
    Mutants(sim::search::mutants::MutantsArgs),
    /// Play a scenario on real processes on this machine (redis-server data nodes, redis-sentinel
    /// or our Sentinel), each in a network namespace of its own; faults by signals, nftables and
    /// RESP; the simulator's checks and summary. Writes sim-results/real/<scenario>/run-<k>.json and the timeline run-<k>.html.
    /// Needs root and the plain build (`cargo build --release -p sim`).
    #[cfg(not(madsim))]
    Real(sim::real::RealArgs),
    /// Play a scenario on real processes: only in the plain build (`cargo build --release -p sim`).
    #[cfg(madsim)]
    Real {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// The simulator over seeds 1..M (the simulator build, run as a child: --sim-bin) and the real
    /// processes N times (as `real`), side by side: outcomes, events, milestones with ratios,
    /// per-role event sequences, and a verdict with the tolerances printed. Writes
    /// sim-results/diff/<scenario>.<sentinel>.json; exit status 1 on DISAGREE. Needs root and the
    /// plain build.
    #[cfg(not(madsim))]
    Diff(sim::diff::DiffArgs),
    /// Simulator against real processes: only in the plain build (`cargo build --release -p sim`).
    #[cfg(madsim)]
    Diff {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

#[derive(Subcommand)]
enum ScenarioCmd {
    /// Print (or write with -o) a scenario skeleton from real sentinel.conf and redis.conf files:
    /// topology, quorum, timers, priorities, min-replicas and persistence, with a commented
    /// timeline to edit. Directives with no scenario setting are listed at the top and on stderr.
    FromConfig(scenario::from_config::cli::FromConfigArgs),
}

/// `sentinel-sim run`.
#[derive(clap::Args)]
struct RunArgs {
    /// The scenario file (TOML).
    scenario: PathBuf,
    /// The seed (default: the scenario's `seed`, else 1).
    #[arg(long)]
    seed: Option<u64>,
    /// Play it twice and fail if the two runs differ in any byte (wall time aside).
    #[arg(long)]
    check_determinism: bool,
    /// Also show data node lines and log-only Sentinel lines.
    #[arg(long, short)]
    verbose: bool,
    /// Where results go.
    #[arg(long, default_value = "sim-results")]
    out: PathBuf,
    /// Do not write the JSON results.
    #[arg(long)]
    no_json: bool,
    /// Colour: auto, always, never.
    #[arg(long, default_value = "auto")]
    color: String,
    /// Also write a self-contained HTML timeline next to the JSON (seed-<N>.html).
    #[arg(long)]
    html: bool,
    /// Print this process's peak memory at the end (used by `bench`).
    #[arg(long, hide = true)]
    peak_rss: bool,
    /// Play it with this planted bug (see `mutants --list`); only in a build with
    /// `--features sim/mutants` (`cargo sim-mutants-cli run ...`).
    #[arg(long, value_name = "NAME")]
    mutant: Option<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.cmd {
        Cmd::Sweep(a) => sim::search::sweep::sweep_main(a),
        Cmd::Fuzz {
            cases,
            seed,
            out,
            regressions,
            max_shrink_iters,
            jobs,
        } => fuzz_main(cases, seed, out, regressions, (max_shrink_iters, jobs)),
        Cmd::Bench {
            scenarios,
            seeds,
            jobs,
            fuzz_cases,
            out,
        } => bench_main(scenarios, seeds, jobs, fuzz_cases, &out),
        Cmd::Merge(a) => sim::search::sweep::merge_main(a),
        Cmd::Explore(a) => sim::search::explore::explore_main(a),
        Cmd::Scenario {
            cmd: ScenarioCmd::FromConfig(a),
        } => scenario::from_config::cli::from_config_main(a),
        Cmd::Mutants(a) => sim::search::mutants::mutants_main(a),
        #[cfg(not(madsim))]
        Cmd::Real(a) => sim::real::real_main(a),
        #[cfg(not(madsim))]
        Cmd::Diff(a) => sim::diff::diff_main(a),
        #[cfg(madsim)]
        Cmd::Diff { .. } => {
            eprintln!(
                "`diff` plays real processes and needs the plain build (without --cfg madsim): \
                 cargo build --release -p sim --bin sentinel-sim && target/release/sentinel-sim diff ..."
            );
            ExitCode::from(2)
        }
        #[cfg(madsim)]
        Cmd::Real { .. } => {
            eprintln!(
                "`real` plays on real processes and needs the plain build (without --cfg madsim): \
                 cargo build --release -p sim --bin sentinel-sim && target/release/sentinel-sim real ..."
            );
            ExitCode::from(2)
        }
        Cmd::Check { scenario } => match scenario::load(&scenario) {
            Ok(s) => {
                println!(
                    "{}: ok ({} data nodes, {} sentinels, {} actions)",
                    scenario.display(),
                    s.redis.len(),
                    s.sentinels.len(),
                    s.timeline.len()
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("{e}");
                ExitCode::from(2)
            }
        },
        Cmd::Run(a) => run_main(a),
    }
}

/// `sentinel-sim run`: one scenario, one seed, the summary, the JSON and the HTML.
fn run_main(a: RunArgs) -> ExitCode {
    let RunArgs {
        scenario,
        seed,
        check_determinism,
        verbose,
        out,
        no_json,
        color,
        html,
        peak_rss,
        mutant,
    } = a;
    if let Some(name) = &mutant {
        match sim::search::mutants::plant(name) {
            Ok(m) => println!("planted bug: {name}: {}", sentinel_core::mutants::info(m).bug),
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        }
    }
    let s = match scenario::load(&scenario) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let seed = seed.or(s.seed).unwrap_or(1);
    let color = match color.as_str() {
        "always" => true,
        "never" => false,
        _ => std::io::stdout().is_terminal(),
    };
    let finished = match sim::run::run_checked(&s, seed, check_determinism) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{}: seed {seed}: {e}", scenario.display());
            return ExitCode::from(2);
        }
    };
    let r = &finished.report;
    print!("{}", report::summary(r, SummaryOpts { verbose, color }));
    if !no_json {
        match report::write_json(&out, r) {
            Ok(p) => println!("results: {}", p.display()),
            Err(e) => eprintln!("cannot write results under {}: {e}", out.display()),
        }
    }
    if html {
        match sim::report::html::write_html(&out, r) {
            Ok(p) => println!("timeline: {}", p.display()),
            Err(e) => eprintln!("cannot write the timeline under {}: {e}", out.display()),
        }
    }
    if peak_rss {
        if let Some(kb) = sim::search::bench::peak_rss_kb() {
            println!("peak_rss_kb: {kb}");
        }
    }
    let mut ok = r.ok;
    match finished.nondeterminism {
        Some(None) => println!("determinism: OK (two runs, identical trace and results)"),
        Some(Some(detail)) => {
            println!("determinism: FAILED: {detail}");
            ok = false;
        }
        None => {}
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn fuzz_main(
    cases: u32,
    seed: u64,
    out: PathBuf,
    regressions: PathBuf,
    (max_shrink_iters, jobs): (u32, Option<usize>),
) -> ExitCode {
    let opts = sim::search::fuzz::FuzzOpts {
        cases,
        seed,
        out,
        regressions: Some(regressions),
        max_shrink_iters,
        jobs: jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
    };
    let start = std::time::Instant::now();
    let quiet = std::env::var_os("CI").is_some() || !std::io::stderr().is_terminal();
    let step = (cases / 10).max(1);
    let progress = |n: u32| {
        if quiet {
            if n.is_multiple_of(step) {
                eprintln!("fuzz: {n} cases run ({:.0?})", start.elapsed());
            }
        } else {
            eprint!("\rfuzz: {n} cases run ({:.0?})   ", start.elapsed());
        }
    };
    match sim::search::fuzz::fuzz(&opts, progress) {
        Ok(None) => {
            eprintln!();
            println!(
                "fuzz: {cases} cases, every invariant held and every case converged ({:.1?}; generator seed {seed})",
                start.elapsed()
            );
            ExitCode::SUCCESS
        }
        Ok(Some(f)) => {
            eprintln!();
            println!(
                "fuzz: FAILURE at case {}, shrunk to {} fault episode(s)",
                f.case, f.episodes
            );
            println!("  {}", f.reason);
            println!("  scenario: {}", f.file.display());
            println!("  replay:   cargo sim {} --seed {}", f.file.display(), f.seed);
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("fuzz: {e}");
            ExitCode::from(2)
        }
    }
}

fn bench_main(scenarios: Vec<PathBuf>, seeds: u64, jobs: Option<usize>, fuzz_cases: u32, out: &Path) -> ExitCode {
    let scenarios = if scenarios.is_empty() {
        vec![
            PathBuf::from("scenarios/master_kill.toml"),
            PathBuf::from("scenarios/split_brain.toml"),
        ]
    } else {
        scenarios
    };
    let jobs = jobs.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    let exe = std::env::current_exe().ok();
    println!("{}", sim::search::bench::header());
    let mut lines = Vec::new();
    for path in &scenarios {
        let s = match scenario::load(path) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        };
        match sim::search::bench::bench_scenario(path, &s, seeds, jobs, exe.as_deref()) {
            Ok(b) => {
                println!("{}", sim::search::bench::line(&b));
                lines.push(b);
            }
            Err(e) => {
                eprintln!("{}: {e}", path.display());
                return ExitCode::from(2);
            }
        }
    }
    let fuzz = match sim::search::bench::bench_fuzz(fuzz_cases) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("fuzz: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(f) = &fuzz {
        println!("{}", sim::search::bench::fuzz_line(f));
    }
    match sim::search::bench::write(out, &lines, fuzz.as_ref()) {
        Ok(file) => {
            println!("results: {}", file.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}
