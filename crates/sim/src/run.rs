//! One scenario, one seed: plan it, play it in the world, check it, report it.

use crate::report::RunReport;
use crate::scenario::Scenario;

/// What crossed the network in a run (for `bench`): flushed writes (each one madsim message, a
/// segment's worth) and their bytes, and flushes with nothing to send (madsim still sends an
/// empty message for each).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NetCounts {
    pub messages: u64,
    pub bytes: u64,
    pub empty_flushes: u64,
}

/// A finished run: its report, plus the trace hash computed twice when asked to check determinism.
pub struct Finished {
    pub report: RunReport,
    /// Set when the determinism check ran: None = identical, Some(detail) = they differed.
    pub nondeterminism: Option<Option<String>>,
}

/// Plays `s` with `seed` (simulation builds only).
pub fn run_once(s: &Scenario, seed: u64) -> Result<RunReport, String> {
    run_observed(s, seed, true)
}

/// Plays `s` with `seed`; `debug_probe` says whether Sentinel events carry the core's internal
/// state (without it, the checks that need it say "not judged").
#[cfg(madsim)]
pub fn run_observed(s: &Scenario, seed: u64, debug_probe: bool) -> Result<RunReport, String> {
    run_counted(s, seed, debug_probe).map(|(r, _)| r)
}

/// As [`run_observed`], with what crossed the network (for `bench`).
#[cfg(madsim)]
pub fn run_counted(s: &Scenario, seed: u64, debug_probe: bool) -> Result<(RunReport, NetCounts), String> {
    let mut spec = crate::plan::plan(s, seed)?;
    spec.debug_probe = debug_probe;
    let wall = std::time::Instant::now();
    let out = crate::world::run(spec)?;
    let wall_ms = wall.elapsed().as_millis() as u64;
    let writes = out.surviving.as_ref().map(|surviving| {
        let windows = crate::workload::analysis::Windows::from_trace(s, &out.trace);
        let stops = crate::workload::analysis::client_stops(s);
        crate::workload::analysis::analyze(&out.history, surviving, &windows, &stops)
    });
    let report = RunReport::new(s, seed, &out.trace, &out.final_state, writes, out.sim_ms, wall_ms);
    Ok((report, out.net))
}

#[cfg(not(madsim))]
pub fn run_counted(s: &Scenario, seed: u64, debug_probe: bool) -> Result<(RunReport, NetCounts), String> {
    run_observed(s, seed, debug_probe).map(|r| (r, NetCounts::default()))
}

#[cfg(not(madsim))]
pub fn run_observed(_s: &Scenario, _seed: u64, _debug_probe: bool) -> Result<RunReport, String> {
    Err("this binary was built without the simulator: build with RUSTFLAGS=\"--cfg madsim\" (use `cargo sim ...` or `just sim ...`)".into())
}

/// Plays `s` with `seed`; with `check_determinism`, plays it a second time on a fresh thread and
/// compares the two reports byte for byte (wall time excluded).
pub fn run_checked(s: &Scenario, seed: u64, check_determinism: bool) -> Result<Finished, String> {
    let report = run_once(s, seed)?;
    let nondeterminism = if check_determinism {
        let again = run_once(s, seed)?;
        let a = crate::report::to_json_without_wall(&report);
        let b = crate::report::to_json_without_wall(&again);
        Some(if a == b {
            None
        } else {
            let line = a.lines().zip(b.lines()).position(|(x, y)| x != y).unwrap_or(0);
            Some(format!(
                "seed {seed}: trace hash {} vs {}; the JSON first differs at line {}",
                report.trace_hash,
                again.trace_hash,
                line + 1
            ))
        })
    } else {
        None
    };
    Ok(Finished { report, nondeterminism })
}
