//! The simulator's side of a diff. `diff` runs in the plain build (it starts real processes), which
//! cannot simulate; so it runs the simulator build (`--cfg madsim`) as a child process, one
//! `run --seed k` per seed, and reads the results JSON each writes.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::report::{self, RunReport};

/// How to build the simulator binary, for the error that says it is missing.
pub const BUILD_HINT: &str = "build it with `cargo sim-cli --version` (that is: cargo --config \"build.rustflags=['--cfg','madsim']\" build --release --target-dir target/sim -p sim --bin sentinel-sim), or pass --sim-bin";

/// The simulator binary: `given`, else `target/sim/release/sentinel-sim` under the current
/// directory, else the same path relative to this executable (`target/release/sentinel-sim` →
/// `target/sim/release/sentinel-sim`).
pub fn locate(given: Option<&Path>) -> Result<PathBuf, String> {
    if let Some(p) = given {
        return if p.is_file() {
            Ok(p.to_path_buf())
        } else {
            Err(format!("--sim-bin {}: no such file; {BUILD_HINT}", p.display()))
        };
    }
    let rel = Path::new("sim").join("release").join("sentinel-sim");
    let mut candidates = vec![Path::new("target").join(&rel)];
    if let Ok(exe) = std::env::current_exe() {
        // <target>/release/sentinel-sim → <target>/sim/release/sentinel-sim
        if let Some(target) = exe.parent().and_then(Path::parent) {
            candidates.push(target.join(&rel));
        }
    }
    candidates
        .into_iter()
        .find(|p| p.is_file())
        .ok_or_else(|| format!("the simulator binary (target/sim/release/sentinel-sim) is missing: {BUILD_HINT}"))
}

/// Plays `scenario` on each seed with the simulator binary `bin`, results under `out`
/// (`<out>/<scenario>/seed-<k>.json`); returns the reports in seed order. A run whose checks
/// fail is still a data point; a run that could not be played is an error.
pub fn play_seeds(
    bin: &Path,
    scenario: &Path,
    name: &str,
    seeds: &[u64],
    out: &Path,
) -> Result<Vec<RunReport>, String> {
    let mut reports = Vec::with_capacity(seeds.len());
    for &seed in seeds {
        let o = Command::new(bin)
            .arg("run")
            .arg(scenario)
            .args(["--seed", &seed.to_string(), "--color", "never", "--out"])
            .arg(out)
            .output()
            .map_err(|e| format!("cannot start the simulator {}: {e}", bin.display()))?;
        // `run` exits 1 when a check failed (the JSON is written), 2 when it could not play.
        if !matches!(o.status.code(), Some(0 | 1)) {
            return Err(format!(
                "the simulator ({}) failed on seed {seed} ({}): {}",
                bin.display(),
                o.status,
                String::from_utf8_lossy(&o.stderr).trim()
            ));
        }
        let path = out.join(report::path_component(name)).join(format!("seed-{seed}.json"));
        reports.push(read_report(&path)?);
    }
    Ok(reports)
}

/// Reads a results JSON (a simulator seed's or a real run's).
pub fn read_report(path: &Path) -> Result<RunReport, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let r: RunReport =
        serde_json::from_str(&text).map_err(|e| format!("{}: not a results JSON: {e}", path.display()))?;
    if r.schema != report::SCHEMA {
        return Err(format!(
            "{}: results schema {} (this build reads {}): rebuild the simulator binary",
            path.display(),
            r.schema,
            report::SCHEMA
        ));
    }
    Ok(r)
}
