//! `sentinel-sim explore FILE --vary KEY=V1,V2,… [--vary …] --seeds a..b`: the operator's what-if.
//! Every combination of the varied settings is written as a scenario file of its own (checked by
//! the ordinary parser, replayable with `cargo sim`), all of them are played over the seeds on
//! every core (seed-major, so a stopped exploration has the same seeds for every combination),
//! and each combination's figures are printed as a table and written as CSV, JSON and an HTML
//! page of plots under `<out>/explore/<scenario>/`. Ctrl-C stops starting runs and keeps what
//! finished.

pub mod metrics;
pub mod plots;
pub mod render;
pub mod vary;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde::Serialize;

use crate::scenario::{self, Scenario};
use crate::search::sweep::{self, Batch, RunRecord};
use metrics::ComboResult;
use vary::Vary;

/// Version of `explore.json`.
pub const EXPLORE_SCHEMA: u32 = 1;
/// At most this many runs in one exploration (combinations × seeds).
pub const MAX_RUNS: usize = 1_000_000;

/// `sentinel-sim explore`.
#[derive(Debug, Clone, clap::Args)]
pub struct ExploreArgs {
    /// The scenario to vary.
    pub scenario: PathBuf,
    /// A setting and its values, KEY=V1,V2,... (repeatable: every combination is played). KEY is
    /// a short name (down_after, quorum, failover_timeout, parallel_syncs, min_replicas_to_write,
    /// min_replicas_max_lag, replica_priority, persistence, rate, timeout, latency_min,
    /// latency_max, loss, sentinels), a field of a table (master.X, network.X, expect.X), of every
    /// entry (redis.X, client.X, timeline.X), of one entry (timeline[1].at, 0-based), or
    /// duration/settle. The first --vary is the plots' x axis.
    #[arg(long = "vary", required = true, value_name = "KEY=V1,V2,...")]
    pub vary: Vec<String>,
    /// Seeds: `1..20` = 1 to 20 inclusive, `7`, or a comma list of those.
    #[arg(long, default_value = "1..20")]
    pub seeds: String,
    /// Worker threads, each playing one run at a time (default: every core).
    #[arg(long, short)]
    pub jobs: Option<usize>,
    /// Where results go (`<out>/explore/<scenario>/`).
    #[arg(long, default_value = "sim-results")]
    pub out: PathBuf,
}

/// A combination that could not be played: its settings make an invalid scenario.
#[derive(Debug, Clone, Serialize)]
pub struct NotPlayed {
    pub label: String,
    pub error: String,
}

/// `explore.json`.
#[derive(Debug, Serialize)]
struct Report<'a> {
    schema: u32,
    scenario: &'a str,
    file: String,
    seeds: &'a str,
    /// False when Ctrl-C stopped it: `runs` in each combination says how far it got.
    complete: bool,
    vary: Vec<VaryOut<'a>>,
    not_played: &'a [NotPlayed],
    combinations: &'a [ComboResult],
}

#[derive(Debug, Serialize)]
struct VaryOut<'a> {
    key: &'a str,
    values: &'a [String],
}

/// One playable combination.
struct Combo {
    label: String,
    settings: Vec<(String, String)>,
    file: String,
    scenario: Scenario,
}

pub fn explore_main(a: ExploreArgs) -> ExitCode {
    match explore(a) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(130),
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}

/// Ok(false): stopped by Ctrl-C (what finished is written all the same).
fn explore(a: ExploreArgs) -> Result<bool, String> {
    let base_scenario = scenario::load(&a.scenario).map_err(|e| e.to_string())?;
    let text = std::fs::read_to_string(&a.scenario).map_err(|e| format!("{}: {e}", a.scenario.display()))?;
    let base: toml::Table = text.parse().map_err(|e| format!("{}: {e}", a.scenario.display()))?;
    let varies: Vec<Vary> = a.vary.iter().map(|v| vary::parse_vary(v)).collect::<Result<_, _>>()?;
    let grid = vary::grid(&varies)?;
    let seeds = sweep::parse_seeds(&a.seeds)?;
    let dir = a
        .out
        .join("explore")
        .join(crate::report::path_component(&base_scenario.name));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let (combos, not_played) = build_combos(&a.scenario, &base, &base_scenario.name, &varies, &grid, &dir)?;
    if combos.is_empty() {
        return Err(format!(
            "no combination makes a valid scenario:\n{}",
            not_played
                .iter()
                .map(|n| format!("  {}: {}", n.label, n.error))
                .collect::<Vec<_>>()
                .join("\n")
        ));
    }
    let total = combos.len().saturating_mul(seeds.len());
    if total > MAX_RUNS {
        return Err(format!("{total} runs: more than {MAX_RUNS}; use fewer seeds or values"));
    }
    let (records, jobs) = play(&a, &combos, &seeds, not_played.len(), &dir);
    let complete = records.len() == jobs;
    let expects_no_failover = base_scenario.expect.failover == Some(false);
    let rows = results(&combos, &records, expects_no_failover);
    let mut notes: Vec<String> = not_played
        .iter()
        .map(|n| format!("not played: {}: {}", n.label, n.error))
        .collect();
    if !complete {
        notes.push(format!(
            "stopped by Ctrl-C after {} of {jobs} runs: the figures are over the seeds that finished",
            records.len()
        ));
    }
    let report = Report {
        schema: EXPLORE_SCHEMA,
        scenario: &base_scenario.name,
        file: a.scenario.display().to_string(),
        seeds: &a.seeds,
        complete,
        vary: varies
            .iter()
            .map(|v| VaryOut {
                key: &v.key,
                values: &v.values,
            })
            .collect(),
        not_played: &not_played,
        combinations: &rows,
    };
    publish(&a, &varies, &report, &notes, &dir)?;
    Ok(complete)
}

/// Plays every combination over the seeds (seed-major) on every core until done or Ctrl-C;
/// returns the records and how many runs there were to play.
fn play(a: &ExploreArgs, combos: &[Combo], seeds: &[u64], not_played: usize, dir: &Path) -> (Vec<RunRecord>, usize) {
    let total = combos.len() * seeds.len();
    let workers = a
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    // Before the first line: whoever sees it may already stop the exploration.
    let cancel = ctrl_c_flag();
    say(&format!(
        "explore {}: {} combination{} × {} seed{} = {total} runs on {workers} worker{}{}\n",
        a.scenario.display(),
        combos.len(),
        plural(combos.len()),
        seeds.len(),
        plural(seeds.len()),
        plural(workers),
        if not_played == 0 {
            String::new()
        } else {
            format!(" ({not_played} not playable, listed below)")
        }
    ));
    let batch = Batch {
        out: dir.to_path_buf(),
        workers,
        fail_fast: false,
        silent: false,
        quiet_failures: true,
        cancel: Some(cancel.clone()),
    };
    let named: Vec<(String, Scenario)> = combos.iter().map(|c| (c.file.clone(), c.scenario.clone())).collect();
    let jobs: Vec<(usize, u64, bool)> = seeds
        .iter()
        .flat_map(|&seed| (0..combos.len()).map(move |i| (i, seed, false)))
        .collect();
    let (records, _) = sweep::play_batch(&batch, &named, &jobs);
    (records, jobs.len())
}

/// Prints the table and notes, and writes explore.json, explore.csv and explore.html to `dir`.
fn publish(a: &ExploreArgs, varies: &[Vary], report: &Report, notes: &[String], dir: &Path) -> Result<(), String> {
    let keys: Vec<String> = varies.iter().map(|v| v.key.clone()).collect();
    let rows = report.combinations;
    let table = render::table(&keys, rows);
    say(&format!("\n{table}\n{}\n", render::LEGEND));
    for n in notes {
        say(&format!("{n}\n"));
    }
    let page = plots::Page {
        title: format!("{}: what-if over seeds {}", report.scenario, a.seeds),
        command: command_line(a),
        keys: &keys,
        values: &varies.iter().map(|v| v.values.clone()).collect::<Vec<_>>(),
        rows,
        table: &table,
        notes,
    };
    write_outputs(dir, report, &render::csv(&keys, rows), &plots::html(&page))?;
    say(&format!(
        "results: {0}/explore.csv, explore.json, explore.html (scenario files: {0}/combo-*.toml)\n",
        dir.display()
    ));
    Ok(())
}

/// Each combination as a scenario file in `dir` (`combo-<k>.toml`, named `<scenario>-<k>`), or
/// the reason it is not a valid scenario; an error for a value its setting cannot take.
fn build_combos(
    file: &Path,
    base: &toml::Table,
    name: &str,
    varies: &[Vary],
    grid: &[Vec<usize>],
    dir: &Path,
) -> Result<(Vec<Combo>, Vec<NotPlayed>), String> {
    let width = grid.len().to_string().len().max(2);
    let mut combos = Vec::new();
    let mut not_played = Vec::new();
    for (k, idx) in grid.iter().enumerate() {
        let label = vary::label(varies, idx);
        // A value the setting cannot take (`quorum=two`, `timeline[9].at` in a shorter
        // timeline) is a mistake in the command: an error, before any run. A combination that
        // reads but is not a valid scenario (a quorum above the Sentinels) is only not played.
        let mut table = vary::apply(base, varies, idx)?;
        let combo_name = format!("{name}-{:0width$}", k + 1);
        table.insert("name".into(), toml::Value::String(combo_name));
        let body = toml::to_string(&table).map_err(|e| format!("cannot write a combination: {e}"))?;
        let path = dir.join(format!("combo-{:0width$}.toml", k + 1));
        let text = format!(
            "# {}, varied by `sentinel-sim explore`: {label}\n# Replay one seed: cargo sim {} --seed N\n\n{body}",
            file.display(),
            path.display()
        );
        match scenario::parse(&text, &path.display().to_string()) {
            Ok(s) => {
                std::fs::write(&path, &text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                let settings = varies
                    .iter()
                    .zip(idx)
                    .map(|(v, &i)| (v.key.clone(), v.values[i].clone()))
                    .collect();
                combos.push(Combo {
                    label,
                    settings,
                    file: path.display().to_string(),
                    scenario: s,
                });
            }
            Err(e) => not_played.push(NotPlayed {
                label,
                error: format!("{}: {}", e.field, e.message),
            }),
        }
    }
    Ok((combos, not_played))
}

/// Each combination's figures, in grid order, from the records of its runs.
fn results(combos: &[Combo], records: &[RunRecord], expects_no_failover: bool) -> Vec<ComboResult> {
    combos
        .iter()
        .map(|c| {
            let mut mine: Vec<&RunRecord> = records.iter().filter(|r| r.scenario == c.scenario.name).collect();
            mine.sort_by_key(|r| r.seed);
            let owned: Vec<RunRecord> = mine.iter().map(|r| (*r).clone()).collect();
            let agg = sweep::aggregate(&owned);
            metrics::combo_result(
                c.label.clone(),
                c.settings.clone(),
                c.file.clone(),
                expects_no_failover,
                &mine,
                agg.first(),
            )
        })
        .collect()
}

fn write_outputs(dir: &Path, report: &Report, csv: &str, html: &str) -> Result<(), String> {
    let mut json = serde_json::to_string_pretty(report).map_err(|e| e.to_string())?;
    json.push('\n');
    for (name, body) in [
        ("explore.json", json.as_str()),
        ("explore.csv", csv),
        ("explore.html", html),
    ] {
        let p = dir.join(name);
        std::fs::write(&p, body).map_err(|e| format!("cannot write {}: {e}", p.display()))?;
    }
    Ok(())
}

/// The command that reproduces the exploration (for the page's header).
fn command_line(a: &ExploreArgs) -> String {
    let mut c = format!("sentinel-sim explore {}", a.scenario.display());
    for v in &a.vary {
        c.push_str(&format!(" --vary {v}"));
    }
    c.push_str(&format!(" --seeds {}", a.seeds));
    c
}

/// First Ctrl-C: no new run starts, the runs under way finish and everything is written. Second:
/// exit at once.
/// The flag Ctrl-C sets, cleared for a new exploration. The handler is installed once per process
/// (a process may have only one, and a library caller may explore several times).
fn ctrl_c_flag() -> Arc<AtomicBool> {
    static FLAG: std::sync::OnceLock<Arc<AtomicBool>> = std::sync::OnceLock::new();
    let flag = FLAG.get_or_init(|| {
        let cancel = Arc::new(AtomicBool::new(false));
        let set = cancel.clone();
        let result = ctrlc::set_handler(move || {
            if set.swap(true, Ordering::SeqCst) {
                std::process::exit(130);
            }
            eprintln!("\nstopping: the runs under way finish, then the results are written (Ctrl-C again to quit now)");
        });
        if let Err(e) = result {
            eprintln!("(Ctrl-C will not keep partial results: {e})");
        }
        cancel
    });
    flag.store(false, Ordering::SeqCst);
    flag.clone()
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn say(s: &str) {
    let mut o = std::io::stdout().lock();
    let _ = o.write_all(s.as_bytes());
    let _ = o.flush();
}
