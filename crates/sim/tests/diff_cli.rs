//! `sentinel-sim diff` on bad input (plain build): a missing simulator binary or an empty
//! `--real-from` directory is a clear error with exit status 2, before any real process starts.
#![cfg(not(madsim))]

use std::path::Path;
use std::process::Command;

fn diff(args: &[&str]) -> (Option<i32>, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_sentinel-sim"))
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .arg("diff")
        .args(args)
        .output()
        .expect("sentinel-sim runs");
    (o.status.code(), String::from_utf8_lossy(&o.stderr).into_owned())
}

#[test]
fn a_missing_simulator_binary_says_how_to_build_it() {
    let (code, err) = diff(&["scenarios/master_kill.toml", "--sim-bin", "/nonexistent/sentinel-sim"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("/nonexistent/sentinel-sim") && err.contains("--cfg','madsim'"),
        "{err}"
    );
}

#[test]
fn a_missing_scenario_is_an_error() {
    let (code, err) = diff(&["scenarios/no_such_scenario.toml"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("no_such_scenario"), "{err}");
}

#[test]
fn seeds_must_be_at_least_one() {
    let (code, err) = diff(&["scenarios/master_kill.toml", "--seeds", "0"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--seeds"), "{err}");
}
