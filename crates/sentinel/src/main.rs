//! `sentinel-sim-sentinel /path/to/sentinel.conf`: a real Sentinel (this project's core and
//! driver) on real tokio, for use with real `redis-server` and `redis-cli`.

#[cfg(not(madsim))]
fn main() {
    std::process::exit(real::main());
}

#[cfg(madsim)]
fn main() {
    eprintln!("sentinel-sim-sentinel runs a real Sentinel; this build (--cfg madsim) is for the simulator only");
    std::process::exit(2);
}

#[cfg(not(madsim))]
mod real {
    use sentinel::{Env, NoObserver, NodeConfig};
    use std::path::{Path, PathBuf};
    use std::sync::Arc;

    const USAGE: &str = "Usage: sentinel-sim-sentinel /path/to/sentinel.conf [--seed <n>] [--bind <ip>] [--quiet]";

    pub fn main() -> i32 {
        let mut args = std::env::args().skip(1);
        let mut conf: Option<PathBuf> = None;
        let mut cfg = NodeConfig {
            log: true,
            ..NodeConfig::default()
        };
        let mut seed: Option<u64> = None;
        while let Some(a) = args.next() {
            match a.as_str() {
                "-h" | "--help" => {
                    println!("{USAGE}");
                    return 0;
                }
                "--seed" => match args.next().and_then(|s| s.parse().ok()) {
                    Some(s) => seed = Some(s),
                    None => return usage(),
                },
                "--bind" => match args.next() {
                    Some(ip) => cfg.bind_ip = ip,
                    None => return usage(),
                },
                "--quiet" => cfg.log = false,
                _ if conf.is_none() && !a.starts_with("--") => conf = Some(PathBuf::from(a)),
                _ => return usage(),
            }
        }
        let Some(conf) = conf else {
            eprintln!("Sentinel needs config file on disk to save state. Exiting...");
            return 1;
        };
        let conf = std::fs::canonicalize(&conf).unwrap_or(conf);
        // Like Redis: the config file must exist and be writable (rewrites go there).
        if let Err(e) = std::fs::OpenOptions::new().append(true).open(&conf) {
            eprintln!(
                "Sentinel config file {} is not writable: {e}. Exiting...",
                conf.display()
            );
            return 1;
        }
        let dir = conf
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        cfg.config_name = conf
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // Real mode: randomness from the time and pid unless a seed is given.
        cfg.seed = seed.unwrap_or_else(|| {
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0);
            t ^ (u64::from(std::process::id()) << 32)
        });
        let env = Env {
            clock: Arc::new(host::SystemClock),
            dialer: Arc::new(host::DirectDialer),
            storage: Arc::new(host::DirStorage { dir }),
            observer: Arc::new(NoObserver),
        };
        // Sentinel is single-threaded; so is this runtime.
        let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(rt) => rt,
            Err(e) => {
                eprintln!("cannot start the runtime: {e}");
                return 1;
            }
        };
        rt.block_on(async move {
            tokio::select! {
                biased;
                res = sentinel::run(cfg, env) => match res {
                    Ok(code) => code,
                    Err(e) => {
                        eprintln!("{e}");
                        1
                    }
                },
                _ = shutdown_signal() => {
                    println!("Received shutdown signal, Sentinel is now ready to exit, bye bye...");
                    0
                }
            }
        })
    }

    fn usage() -> i32 {
        eprintln!("{USAGE}");
        1
    }

    async fn shutdown_signal() {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            if let Ok(mut term) = signal(SignalKind::terminate()) {
                tokio::select! {
                    biased;
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
                return;
            }
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}
