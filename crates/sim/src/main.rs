//! `sentinel-sim`: play a Redis Sentinel scenario in the deterministic simulator.

use clap::{Parser, Subcommand};
use sim::report::{self, SummaryOpts};
use sim::scenario;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

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
    Run {
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
    },
    /// Parse and validate a scenario without playing it.
    Check { scenario: PathBuf },
    /// Play many seeds of many scenarios on every core; print per-scenario failure and failover
    /// rates, time percentiles and lost writes; write sim-results/sweep/<scenario>.jsonl and
    /// summary.json. Exit status 1 if any run failed.
    Sweep(sim::sweep::SweepArgs),
    /// Merge the JSON lines of sweeps or sweep shards into one report (the aggregates of one sweep
    /// over all their seeds).
    Merge(sim::sweep::MergeArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.cmd {
        Cmd::Sweep(a) => sim::sweep::sweep_main(a),
        Cmd::Merge(a) => sim::sweep::merge_main(a),
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
        Cmd::Run {
            scenario,
            seed,
            check_determinism,
            verbose,
            out,
            no_json,
            color,
        } => {
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
    }
}
