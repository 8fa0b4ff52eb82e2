//! `sentinel-sim real` end to end (plain build, Linux, root, redis-server 7.0 installed): plays
//! scenarios/master_kill.toml on real processes with redis-sentinel and with our Sentinel (both at
//! once, each in its own namespaces), asserts that the failover happened and that nothing the
//! tool made is left behind. Without root or the binaries it says so loudly and skips (CI runs it
//! as root with them installed).
#![cfg(not(madsim))]

use std::path::{Path, PathBuf};
use std::process::Command;

fn out(cmd: &str, args: &[&str]) -> String {
    Command::new(cmd)
        .args(args)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default()
}

fn on_path(name: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(name).is_file()))
}

/// Why this machine cannot run the test, if it cannot.
fn cannot_run() -> Option<String> {
    if out("id", &["-u"]).trim() != "0" {
        return Some("not running as root".into());
    }
    let missing: Vec<&str> = ["ip", "nft", "redis-server", "redis-sentinel", "redis-cli"]
        .into_iter()
        .filter(|t| !on_path(t))
        .collect();
    (!missing.is_empty()).then(|| format!("missing on the PATH: {}", missing.join(", ")))
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Plays master_kill with `which`; returns (exit ok, the tool's PID, the results JSON, the
/// results directory).
fn play(which: &str, sentinel_bin: Option<&Path>, out_dir: &Path) -> (bool, u32, serde_json::Value, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sentinel-sim"));
    cmd.current_dir(repo())
        .args(["real", "scenarios/master_kill.toml", "--sentinel", which, "--out"])
        .arg(out_dir);
    if let Some(b) = sentinel_bin {
        cmd.arg("--sentinel-bin").arg(b);
    }
    let child = cmd
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start sentinel-sim");
    let pid = child.id();
    let o = child.wait_with_output().expect("sentinel-sim runs");
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    let json = out_dir.join("master_kill/run-1.json");
    let text =
        std::fs::read_to_string(&json).unwrap_or_else(|e| panic!("{which}: no {}: {e}\n{stdout}", json.display()));
    let page = out_dir.join("master_kill/run-1.html");
    let html = std::fs::read_to_string(&page).unwrap_or_else(|e| panic!("{which}: no {}: {e}", page.display()));
    assert!(
        html.contains("+switch-master"),
        "{which}: the timeline shows the failover"
    );
    (
        o.status.success(),
        pid,
        serde_json::from_str(&text).expect("results JSON"),
        stdout,
    )
}

fn assert_failed_over(which: &str, r: &serde_json::Value, stdout: &str) {
    let fin = &r["final"];
    let masters: Vec<&str> = (fin["data_nodes"].as_array().unwrap().iter())
        .filter(|d| d["role"] == "master")
        .map(|d| d["node"].as_str().unwrap())
        .collect();
    assert!(
        masters == ["redis-6383"] || masters == ["redis-6384"],
        "{which}: final masters {masters:?}\n{stdout}"
    );
    let addr = format!("127.0.0.1:{}", &masters[0][6..]);
    for s in fin["sentinels"].as_array().unwrap() {
        assert_eq!(
            s["master_addr"],
            addr.as_str(),
            "{which}: {} disagrees\n{stdout}",
            s["node"]
        );
    }
    let switched = (r["events"].as_array().unwrap().iter())
        .filter(|e| e["kind"] == "sentinel" && e["line"].as_str().unwrap().starts_with("+switch-master"))
        .count();
    assert!(switched >= 3, "{which}: {switched} +switch-master lines\n{stdout}");
}

fn assert_nothing_left(which: &str, pid: u32, out_dir: &Path) {
    let prefix = format!("ssim{pid}-");
    let ns = out("ip", &["netns", "list"]);
    assert!(!ns.contains(&prefix), "{which}: namespaces left: {ns}");
    // Every process the tool started was given a config file under the results directory.
    let dir = out_dir.to_string_lossy().into_owned();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        assert!(
            !(cmdline.contains(&dir) && cmdline.contains(".conf")),
            "{which}: a process is left: {cmdline}"
        );
    }
    let tables = out("nft", &["list", "tables"]);
    assert!(!tables.contains("ssim"), "{which}: nft tables left: {tables}");
}

#[test]
fn master_kill_on_real_processes_fails_over_and_leaves_nothing() {
    if let Some(why) = cannot_run() {
        eprintln!("\n!!! SKIPPED real_mode: {why}; real mode is NOT tested on this machine !!!\n");
        return;
    }
    let ours = Path::new(env!("CARGO_BIN_EXE_sentinel-sim")).with_file_name("sentinel-sim-sentinel");
    let base = std::env::temp_dir().join(format!("real-mode-test-{}", std::process::id()));
    let runs: Vec<(&str, Option<PathBuf>)> = if ours.is_file() {
        vec![("redis", None), ("ours", Some(ours))]
    } else {
        eprintln!(
            "\n!!! real_mode: {} is missing (build it: cargo build -p sentinel); only redis-sentinel is played !!!\n",
            ours.display()
        );
        vec![("redis", None)]
    };
    // Both at once: each run has its own namespaces, and the wall time stays near one run's.
    let handles: Vec<_> = runs
        .into_iter()
        .map(|(which, bin)| {
            let dir = base.join(which);
            std::thread::spawn(move || {
                let (ok, pid, r, stdout) = play(which, bin.as_deref(), &dir);
                (which, ok, pid, r, stdout, dir)
            })
        })
        .collect();
    for h in handles {
        let (which, ok, pid, r, stdout, dir) = h.join().expect("run thread");
        assert_failed_over(which, &r, &stdout);
        assert!(ok, "{which}: a check failed\n{stdout}");
        assert_nothing_left(which, pid, &dir);
    }
    let _ = std::fs::remove_dir_all(&base);
}
