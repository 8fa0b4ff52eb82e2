//! `sentinel-sim real`: plays a scenario on real processes on this machine — `redis-server` data
//! nodes and `redis-sentinel` (or our `sentinel-sim-sentinel`) Sentinels, each in a network
//! namespace of its own — and judges it with the simulator's checks, so that the two can be
//! compared. The scenario parser, the plan, the checks and the report are the simulator's.
//!
//! - [`netns`]: the namespaces, the hub's bridge, cleanup (also of a dead run's leftovers);
//! - [`procs`]: config files from the plan's settings, processes started and signalled by PID;
//! - [`firewall`]: partitions and loss as nftables rules inside the namespaces;
//! - [`timeline`]: the actions at their times, recorded as the simulator's world records them;
//! - [`logs`]: the Sentinels' and data nodes' logs as the trace's events;
//! - [`probe`]: operator commands and the final state over RESP;
//! - [`addrs`], [`net`]: the scenario's addresses and the real ones, the clients' network;
//! - [`support`]: what cannot be played for real, refused up front.
//!
//! Plain (non-madsim) build only, Linux, as root.

mod addrs;
mod firewall;
mod logs;
mod net;
mod netns;
mod probe;
mod procs;
mod recorder;
mod session;
mod support;
mod timeline;

pub use netns::{remove_leftovers, PREFIX};
pub use procs::SentinelImpl;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::report::{self, RunReport, SummaryOpts};
use crate::scenario::Scenario;

/// Set when SIGINT or SIGTERM stopped a run: no further run starts.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// `sentinel-sim real` arguments.
#[derive(clap::Args, Debug)]
pub struct RealArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Which Sentinel plays the scenario's Sentinels: `redis` (redis-sentinel) or `ours`
    /// (sentinel-sim-sentinel).
    #[arg(long, default_value = "redis", value_parser = ["redis", "ours"])]
    pub sentinel: String,
    /// Our Sentinel binary (default: sentinel-sim-sentinel next to this executable).
    #[arg(long, value_name = "PATH")]
    pub sentinel_bin: Option<PathBuf>,
    /// How many times to play it. Run k plays seed S+k-1 (S: the scenario's `seed`, else 1): the
    /// simulator's start phases and random faults of that seed.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub runs: u32,
    /// Where results go: <out>/<scenario>/run-<k>.json, and run-<k>/ with the configs and logs.
    #[arg(long, default_value = "sim-results/real")]
    pub out: PathBuf,
    /// Also show data node lines and log-only Sentinel lines.
    #[arg(long, short)]
    pub verbose: bool,
}

pub fn real_main(a: RealArgs) -> ExitCode {
    match play_runs(&a, false) {
        Ok(reports) if reports.iter().all(|r| r.ok) => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(e) => {
            eprintln!("{}", e.msg);
            ExitCode::from(e.code)
        }
    }
}

/// Why the real runs stopped before all of them were played: the message (already naming the
/// scenario file) and the exit status it calls for (2: bad input or a broken run, 130: interrupted).
#[derive(Debug)]
pub struct RealError {
    pub msg: String,
    pub code: u8,
}

/// Plays the scenario `a.runs` times on real processes, writing each run's results JSON under
/// `a.out` and printing its summary (only a one-line timeline when `brief`); returns the reports in
/// run order. Used by `real` and by `diff`.
pub fn play_runs(a: &RealArgs, brief: bool) -> Result<Vec<RunReport>, RealError> {
    let file = a.scenario.display();
    let bad = |msg: String| RealError { msg, code: 2 };
    let s = crate::scenario::load(&a.scenario).map_err(|e| bad(e.to_string()))?;
    // Run k plays seed base + k - 1, as the simulator would: its start phases and any random
    // faults are that seed's, so that N runs sample N phases (see `plan::start_phases`).
    let base = s.seed.unwrap_or(1);
    let specs = (0..u64::from(a.runs))
        .map(|k| crate::plan::plan(&s, base.saturating_add(k)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad(format!("{file}: {e}")))?;
    let text = std::fs::read_to_string(&a.scenario).unwrap_or_default();
    let which = preflight(a).map_err(|e| bad(format!("{file}: {e}")))?;
    let refused = specs
        .iter()
        .flat_map(|spec| support::refusals(spec, &which, &text))
        .fold(Vec::new(), |mut v, r| {
            if !v.contains(&r) {
                v.push(r);
            }
            v
        });
    if !refused.is_empty() {
        let lines: Vec<String> = refused.iter().map(|r| format!("{file}: {r}")).collect();
        return Err(bad(lines.join("\n")));
    }
    for ns in remove_leftovers() {
        eprintln!("real: removed namespace {ns}, left by an earlier run whose process is gone");
    }
    let mut reports = Vec::new();
    for (k, spec) in (1..=a.runs).zip(&specs) {
        match play_and_report(a, &s, spec, &which, k, brief) {
            Ok(r) => reports.push(r),
            Err(e) => {
                return Err(RealError {
                    msg: format!("{file}: run {k}: {e}"),
                    code: if INTERRUPTED.load(Ordering::SeqCst) { 130 } else { 2 },
                })
            }
        }
    }
    Ok(reports)
}

/// Plays run `k`, prints its summary (one timeline line when `brief`) and writes its results.
fn play_and_report(
    a: &RealArgs,
    s: &Scenario,
    spec: &crate::spec::WorldSpec,
    which: &SentinelImpl,
    k: u32,
    brief: bool,
) -> Result<RunReport, String> {
    let dir = a.out.join(report::path_component(&s.name));
    let work = dir.join(format!("run-{k}"));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| format!("cannot create {}: {e}", work.display()))?;
    // The processes run in their own directories: every path they get is absolute.
    let work = work.canonicalize().map_err(|e| format!("{}: {e}", work.display()))?;
    let r = play(s, spec, which, &work)?;
    let color = std::io::IsTerminal::is_terminal(&std::io::stdout());
    if brief {
        let checks = if r.ok { "checks ok" } else { "checks FAILED" };
        println!("real run {k}: {} ({checks})", r.timeline.describe());
    } else {
        let opts = SummaryOpts {
            verbose: a.verbose,
            color,
        };
        print!("{}", report::summary(&r, opts));
    }
    let path = dir.join(format!("run-{k}.json"));
    let json = report::to_json(&r);
    if json.starts_with("{\"error\"") {
        return Err(format!("cannot render the results JSON: {}", json.trim()));
    }
    std::fs::write(&path, json).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    // The same timeline page as the simulator's `run --html`.
    let page = dir.join(format!("run-{k}.html"));
    std::fs::write(&page, crate::report::html::render(&r))
        .map_err(|e| format!("cannot write {}: {e}", page.display()))?;
    if !brief {
        println!("results: {}", path.display());
        println!("timeline: {}", page.display());
        println!("configs and logs: {}", work.display());
    }
    Ok(r)
}

/// One run: the namespaces, then the session on a thread of its own inside the hub namespace (so
/// that the tool's sockets are on the bridge; the thread's end leaves the namespace, which can
/// then be removed). The namespaces go when `topo` drops, whatever happened.
fn play(s: &Scenario, spec: &crate::spec::WorldSpec, which: &SentinelImpl, work: &Path) -> Result<RunReport, String> {
    let topo = netns::Topology::create(spec.procs.len(), spec.clients.len())?;
    let (hub, nodes) = (topo.hub.clone(), topo.nodes.clone());
    let (s, spec, which, work) = (s.clone(), spec.clone(), which.clone(), work.to_path_buf());
    let thread = std::thread::Builder::new()
        .name("real-run".into())
        .spawn(move || -> Result<RunReport, String> {
            netns::enter(&hub)?;
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| format!("cannot start the runtime: {e}"))?;
            let ctx = session::Ctx {
                s: &s,
                spec: &spec,
                which: &which,
                work: &work,
                nodes,
            };
            rt.block_on(session::run(ctx))
        })
        .map_err(|e| format!("cannot start the run's thread: {e}"))?;
    let out = thread
        .join()
        .unwrap_or_else(|_| Err("the run panicked (its processes were stopped)".into()));
    drop(topo);
    out
}

/// Root, the tools, the binaries: what a run needs, checked before anything starts.
fn preflight(a: &RealArgs) -> Result<SentinelImpl, String> {
    // SAFETY: geteuid(2) has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Err(
            "real mode needs root (it creates network namespaces and nftables rules): run it as root, e.g. with sudo"
                .into(),
        );
    }
    let mut need = vec!["ip", "nft", "redis-server"];
    if a.sentinel == "redis" {
        need.push("redis-sentinel");
    }
    for tool in need {
        if which(tool).is_none() {
            return Err(format!("real mode needs `{tool}` on the PATH"));
        }
    }
    if a.sentinel == "redis" {
        return Ok(SentinelImpl::Redis);
    }
    let bin = match &a.sentinel_bin {
        Some(p) => p.clone(),
        None => std::env::current_exe()
            .map_err(|e| format!("cannot find this executable: {e}"))?
            .with_file_name("sentinel-sim-sentinel"),
    };
    if !bin.is_file() {
        return Err(format!(
            "our Sentinel binary {} is missing: build it (`cargo build --release -p sentinel --bin sentinel-sim-sentinel`) or pass --sentinel-bin",
            bin.display()
        ));
    }
    Ok(SentinelImpl::Ours(bin.canonicalize().unwrap_or(bin)))
}

/// The first `name` on the PATH.
fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join(name)).find(|p| p.is_file())
}
