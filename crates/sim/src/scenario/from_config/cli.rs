//! `sentinel-sim scenario from-config`: reads the files, prints or writes the skeleton, and lists
//! on stderr what was not carried over.

use std::path::PathBuf;
use std::process::ExitCode;

use super::directives::ignored_groups;
use super::{from_configs, read_conf, ConfKind, DroppedKind, Options, Skeleton};

/// `sentinel-sim scenario from-config`.
#[derive(Debug, Clone, clap::Args)]
pub struct FromConfigArgs {
    /// Each Sentinel's sentinel.conf (`--sentinel a.conf b.conf` or `--sentinel a.conf --sentinel b.conf`).
    #[arg(long = "sentinel", value_name = "FILE", required = true, num_args = 1..)]
    pub sentinels: Vec<PathBuf>,
    /// Each data node's redis.conf (one or more). Nodes the Sentinels know but no file describes
    /// are added with Redis' defaults.
    #[arg(long = "redis", value_name = "FILE", num_args = 1..)]
    pub redis: Vec<PathBuf>,
    /// Write the scenario to this file instead of printing it.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Replace the --out file if it exists.
    #[arg(long)]
    pub force: bool,
    /// The scenario's name (default: from-config).
    #[arg(long)]
    pub name: Option<String>,
    /// The master to keep when the Sentinels monitor several.
    #[arg(long, value_name = "NAME")]
    pub master: Option<String>,
}

/// Runs the command: exit status 0, or 2 on bad input.
pub fn from_config_main(a: FromConfigArgs) -> ExitCode {
    match run(&a) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}

fn run(a: &FromConfigArgs) -> Result<(), String> {
    let mut files = Vec::new();
    for p in &a.sentinels {
        files.push(read_conf(p, ConfKind::Sentinel).map_err(|e| e.to_string())?);
    }
    for p in &a.redis {
        files.push(read_conf(p, ConfKind::Redis).map_err(|e| e.to_string())?);
    }
    let opts = Options {
        name: a.name.clone(),
        master: a.master.clone(),
    };
    let sk = from_configs(&files, &opts).map_err(|e| e.to_string())?;
    report_dropped(&sk);
    match &a.out {
        None => print!("{}", sk.toml),
        Some(path) => {
            if path.exists() && !a.force {
                return Err(format!("{}: exists (use --force to replace it)", path.display()));
            }
            std::fs::write(path, &sk.toml).map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
            println!(
                "wrote {} ({} data nodes, {} Sentinels); edit its timeline, then: sentinel-sim run {}",
                path.display(),
                sk.redis_count,
                sk.sentinel_count,
                path.display()
            );
        }
    }
    Ok(())
}

/// On stderr: each directive not carried over, and the ignored ones by file.
fn report_dropped(sk: &Skeleton) {
    let not_carried: Vec<_> = sk
        .dropped
        .iter()
        .filter(|d| d.kind == DroppedKind::NotCarried)
        .collect();
    if !not_carried.is_empty() {
        eprintln!("not carried over ({}; also listed in the scenario):", not_carried.len());
        for d in not_carried {
            eprintln!("  {}", d.describe());
        }
    }
    for (reason, files) in ignored_groups(&sk.dropped) {
        eprintln!("ignored, {reason}:");
        for (f, names) in files {
            eprintln!("  {f}: {}", names.join(", "));
        }
    }
}
