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
    use sentinel::{Env, Level, NoObserver, NodeConfig};
    use std::path::{Path, PathBuf};
    use std::sync::Arc;

    const USAGE: &str = "Usage: sentinel-sim-sentinel /path/to/sentinel.conf [--seed <n>] [--bind <ip>] [--quiet]";

    /// What the command line says.
    struct Cli {
        conf: Option<PathBuf>,
        seed: Option<u64>,
        bind: Option<String>,
        quiet: bool,
    }

    /// Parses the arguments; `Err(code)` to exit at once (help, usage).
    fn parse_cli() -> Result<Cli, i32> {
        let mut args = std::env::args().skip(1);
        let mut cli = Cli {
            conf: None,
            seed: None,
            bind: None,
            quiet: false,
        };
        while let Some(a) = args.next() {
            match a.as_str() {
                "-h" | "--help" => {
                    println!("{USAGE}");
                    return Err(0);
                }
                "--seed" => cli.seed = Some(args.next().and_then(|s| s.parse().ok()).ok_or_else(usage)?),
                "--bind" => cli.bind = Some(args.next().ok_or_else(usage)?),
                "--quiet" => cli.quiet = true,
                _ if cli.conf.is_none() && !a.starts_with("--") => cli.conf = Some(PathBuf::from(a)),
                _ => return Err(usage()),
            }
        }
        Ok(cli)
    }

    pub fn main() -> i32 {
        let cli = match parse_cli() {
            Ok(cli) => cli,
            Err(code) => return code,
        };
        let mut cfg = NodeConfig {
            log: !cli.quiet,
            script_executable: executable_file,
            resolve: host::resolve_host,
            scripts: sentinel::ScriptHost(Arc::new(host::ProcessScripts)),
            ..NodeConfig::default()
        };
        let bind_given = cli.bind.is_some();
        if let Some(ip) = cli.bind {
            cfg.bind_ip = ip;
        }
        let (conf, seed) = (cli.conf, cli.seed);
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
        if let Err(code) = apply_server_options(&conf, &mut cfg, bind_given) {
            return code;
        }
        let dir = conf
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        cfg.process = process_facts(&conf);
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
            net: Arc::new(host::TcpNet),
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
        let (logfile, log_level) = (cfg.logfile.clone(), cfg.log_level);
        rt.block_on(async move {
            tokio::select! {
                biased;
                res = sentinel::run(cfg, env) => match res {
                    Ok(code) => code,
                    // Already in the log, as Redis reports it.
                    Err(sentinel::NodeError::Bind(..) | sentinel::NodeError::Acl(_)) => 1,
                    Err(e) => {
                        eprintln!("{e}");
                        1
                    }
                },
                sig = shutdown_signal() => {
                    let log = sentinel::logfmt::Logger::new(true).with_output(logfile, log_level);
                    let now = host::Clock::wall_ms(&host::SystemClock);
                    log.log(now, Level::Warning, &format!("Received {sig} scheduling shutdown..."));
                    log.log(now, Level::Warning, "User requested shutdown...");
                    log.log(now, Level::Warning, "Sentinel is now ready to exit, bye bye...");
                    0
                }
            }
        })
    }

    /// The server directives the process itself applies before the core starts: `dir` (the
    /// working directory, as Redis chdirs while loading), `logfile`, `loglevel`, `bind` (the
    /// first address; `*` is every IPv4 address) and `maxclients`. A config the loader rejects
    /// ends the process here with Redis's fatal error text.
    fn apply_server_options(conf: &Path, cfg: &mut NodeConfig, bind_given: bool) -> Result<(), i32> {
        let Ok(bytes) = std::fs::read(conf) else {
            return Ok(()); // run() reports why the file cannot be read
        };
        // Script paths are relative to `dir`: they are checked when run() loads the file again,
        // after the chdir (Redis applies `sentinel` lines after every other directive).
        let opts = sentinel_core::Options {
            script_executable: |_| true,
            resolve: host::resolve_host,
            ..sentinel_core::Options::default()
        };
        let core = match sentinel_core::Sentinel::new(&bytes, opts, 0, 0) {
            Ok(core) => core,
            Err(e) => {
                use std::io::Write as _;
                let _ = std::io::stderr().write_all(&e.fatal_bytes());
                return Err(1);
            }
        };
        let o = core.server_options();
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        if let Some(dir) = &o.dir {
            if let Err(e) = std::env::set_current_dir(text(dir)) {
                eprintln!("Can't chdir to '{}': {e}", text(dir));
                return Err(1);
            }
        }
        if !o.logfile.is_empty() {
            cfg.logfile = Some(PathBuf::from(text(&o.logfile)));
        }
        cfg.log_level = match o.loglevel {
            sentinel_core::config::LogLevel::Debug => Level::Debug,
            sentinel_core::config::LogLevel::Verbose => Level::Verbose,
            sentinel_core::config::LogLevel::Notice => Level::Notice,
            sentinel_core::config::LogLevel::Warning => Level::Warning,
        };
        if !bind_given {
            // `*` is every IPv4 address, `::*` every IPv6 one (bound IPv6-only beside it).
            let addr = |b: &sentinel_core::config::BindAddr| match text(&b.addr).as_str() {
                "*" => "0.0.0.0".to_string(),
                "::*" => "::".to_string(),
                a => a.to_string(),
            };
            if let Some((first, rest)) = o.bind.split_first() {
                cfg.bind_ip = addr(first);
                cfg.extra_binds = rest.iter().map(|b| (addr(b), b.optional)).collect();
            }
        }
        if let Some(file) = &o.aclfile {
            if !o.users.is_empty() {
                // Redis logs this and exits: users in two places invite mistakes.
                let log = sentinel::logfmt::Logger::new(true).with_output(cfg.logfile.clone(), cfg.log_level);
                log.log(host::Clock::wall_ms(&host::SystemClock), Level::Warning, "Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both.");
                return Err(1);
            }
            cfg.acl_file = Some(PathBuf::from(text(file)));
        }
        cfg.max_clients = fit_descriptor_limit((o.maxclients as usize).max(1), &mut cfg.startup_warnings);
        cfg.protected_mode = o.protected_mode;
        Ok(())
    }

    /// Like Redis's `adjustOpenFilesLimit`: raise the soft descriptor limit towards
    /// `maxclients` + the reserve; if the system does not allow it, lower `maxclients` so that
    /// clients can never take the descriptors the Sentinel's own links and config saves need.
    fn fit_descriptor_limit(max_clients: usize, notes: &mut Vec<String>) -> usize {
        let want = (max_clients + sentinel::hub::RESERVED_FDS) as libc::rlim_t;
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit/setrlimit only read and write the struct passed to them.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
                return max_clients;
            }
            if lim.rlim_cur < want {
                let raised = libc::rlimit {
                    rlim_cur: want.min(lim.rlim_max),
                    rlim_max: lim.rlim_max,
                };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                    lim.rlim_cur = raised.rlim_cur;
                }
            }
        }
        let fit = (lim.rlim_cur as usize)
            .saturating_sub(sentinel::hub::RESERVED_FDS)
            .max(1);
        if fit < max_clients {
            // Redis logs this (its log, not stderr) and goes on with fewer clients.
            notes.push(format!(
                "You requested maxclients of {max_clients} requiring at least {want} max file descriptors."
            ));
            notes.push(format!(
                "Server can't set maximum open files to {want} because of OS error: Operation not permitted."
            ));
            notes.push(format!(
                "Current maximum open files is {}. maxclients has been reduced to {fit} to compensate for low ulimit. If you need higher maxclients increase 'ulimit -n'.",
                lim.rlim_cur
            ));
        }
        fit.min(max_clients)
    }

    /// This process as INFO shows it: pid, executable, the absolute config path, `uname -srm`.
    fn process_facts(conf: &Path) -> sentinel_core::ProcessFacts {
        let os = std::fs::read_to_string("/proc/sys/kernel/ostype")
            .and_then(|t| {
                let rel = std::fs::read_to_string("/proc/sys/kernel/osrelease")?;
                Ok(format!("{} {} {}", t.trim(), rel.trim(), std::env::consts::ARCH))
            })
            .unwrap_or_else(|_| std::env::consts::OS.to_string());
        sentinel_core::ProcessFacts {
            pid: std::process::id(),
            os,
            executable: std::env::current_exe()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            config_file: conf.display().to_string(),
            max_clients: 0, // set by the driver from `maxclients`
        }
    }

    /// `access(path, X_OK)` as Redis checks a script path: a file with an execute bit.
    fn executable_file(path: &str) -> bool {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }

    fn usage() -> i32 {
        eprintln!("{USAGE}");
        1
    }

    /// Waits for SIGINT or SIGTERM; returns its name.
    async fn shutdown_signal() -> &'static str {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            if let Ok(mut term) = signal(SignalKind::terminate()) {
                tokio::select! {
                    biased;
                    _ = tokio::signal::ctrl_c() => return "SIGINT",
                    _ = term.recv() => return "SIGTERM",
                }
            }
        }
        let _ = tokio::signal::ctrl_c().await;
        "SIGINT"
    }
}
