//! The scenario's processes as real ones: config files written from the plan's settings (the
//! same the simulator gives its nodes), each process started inside its namespace and its own
//! process group (a terminal's Ctrl-C reaches only the tool, which then stops them), and stopped,
//! paused and resumed by PID only. Every process still running is killed on drop.

use std::fs::{File, OpenOptions};
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use super::addrs::Addrs;
use crate::spec::{ProcKind, ProcSpec};

/// Which Sentinel implementation plays the scenario's Sentinels.
#[derive(Debug, Clone)]
pub enum SentinelImpl {
    /// Redis's own `redis-sentinel`.
    Redis,
    /// Our `sentinel-sim-sentinel`, at this path.
    Ours(PathBuf),
}

/// One real process of the scenario.
pub struct Proc {
    pub name: String,
    pub sentinel: bool,
    /// Its namespace.
    pub ns: String,
    pub dir: PathBuf,
    pub conf: PathBuf,
    pub log: PathBuf,
    /// The config it first started with (a `wipe` restart goes back to it).
    initial_conf: String,
    program: PathBuf,
    child: Option<Child>,
    pub paused: bool,
    /// The libfaketime timestamp file, for a process whose wall clock the plan moves.
    clock_file: Option<PathBuf>,
}

impl Proc {
    /// Writes the process's directory and config under `work`.
    pub fn prepare(
        work: &Path,
        spec: &ProcSpec,
        ns: &str,
        addrs: &Addrs,
        which: &SentinelImpl,
    ) -> Result<Proc, String> {
        let dir = work.join(&spec.name);
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let (text, program) = match &spec.kind {
            ProcKind::Redis(cfg) => (redis_conf(cfg, &dir, addrs), PathBuf::from("redis-server")),
            ProcKind::Sentinel { config } => {
                let program = match which {
                    SentinelImpl::Redis => PathBuf::from("redis-sentinel"),
                    SentinelImpl::Ours(p) => p.clone(),
                };
                (sentinel_conf(config, addrs), program)
            }
        };
        let file = if spec.is_sentinel() {
            "sentinel.conf"
        } else {
            "redis.conf"
        };
        let p = Proc {
            name: spec.name.clone(),
            sentinel: spec.is_sentinel(),
            ns: ns.to_string(),
            conf: dir.join(file),
            log: dir.join("log"),
            dir,
            initial_conf: text,
            program,
            child: None,
            paused: false,
            clock_file: None,
        };
        p.write_initial_conf()?;
        Ok(p)
    }

    fn write_initial_conf(&self) -> Result<(), String> {
        std::fs::write(&self.conf, &self.initial_conf).map_err(|e| format!("cannot write {}: {e}", self.conf.display()))
    }

    /// Starts it from its config file as it is now (a restart finds what the process rewrote).
    pub fn start(&mut self) -> Result<(), String> {
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .map_err(|e| format!("cannot open {}: {e}", self.log.display()))?;
        let ns = File::open(format!("/run/netns/{}", self.ns)).map_err(|e| format!("namespace {}: {e}", self.ns))?;
        let ns_fd = ns.as_raw_fd();
        let mut cmd = Command::new(&self.program);
        cmd.arg(&self.conf)
            .current_dir(&self.dir)
            .env("TZ", "UTC")
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log);
        if let Some(file) = &self.clock_file {
            // Wall clock only: Sentinel's timers use the monotonic clock, as in the simulator.
            cmd.env("LD_PRELOAD", super::support::LIBFAKETIME)
                .env("FAKETIME_TIMESTAMP_FILE", file)
                .env("FAKETIME_NO_CACHE", "1")
                .env("FAKETIME_DONT_FAKE_MONOTONIC", "1");
        }
        // SAFETY: between fork and exec only async-signal-safe calls: setns(2) on a descriptor
        // opened before the fork, and setpgid(2).
        unsafe {
            cmd.pre_exec(move || {
                if libc::setns(ns_fd, libc::CLONE_NEWNET) != 0 || libc::setpgid(0, 0) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd
            .spawn()
            .map_err(|e| format!("cannot start {} ({}): {e}", self.name, self.program.display()))?;
        self.child = Some(child);
        self.paused = false;
        Ok(())
    }

    /// Runs it (from its next start) under libfaketime, its wall clock at `offset_ms`.
    pub fn enable_clock(&mut self) -> Result<(), String> {
        self.clock_file = Some(self.dir.join("faketime"));
        self.set_clock_offset(0)
    }

    /// Moves its wall clock to `offset_ms` from the host's: libfaketime re-reads the file at
    /// every clock call (`FAKETIME_NO_CACHE`); written whole, then renamed into place.
    pub fn set_clock_offset(&self, offset_ms: i64) -> Result<(), String> {
        let Some(file) = &self.clock_file else {
            return Err(format!("{}: its clock is not under libfaketime", self.name));
        };
        let sign = if offset_ms < 0 { '-' } else { '+' };
        let text = format!(
            "{sign}{}.{:03}\n",
            offset_ms.unsigned_abs() / 1000,
            offset_ms.unsigned_abs() % 1000
        );
        let tmp = file.with_extension("tmp");
        std::fs::write(&tmp, text)
            .and_then(|_| std::fs::rename(&tmp, file))
            .map_err(|e| format!("{}: {e}", file.display()))
    }

    /// Its PID while it runs (started and not reaped).
    pub fn pid(&mut self) -> Option<i32> {
        let child = self.child.as_mut()?;
        match child.try_wait() {
            Ok(None) => Some(child.id() as i32),
            _ => None,
        }
    }

    pub fn alive(&mut self) -> bool {
        self.pid().is_some()
    }

    /// SIGKILL, then reaps it.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            signal(child.id() as i32, libc::SIGKILL);
            let _ = child.wait();
        }
        self.paused = false;
    }

    /// Kills it if it runs, then starts it again; `wipe` first restores the initial config and
    /// removes its data files.
    pub fn restart(&mut self, wipe: bool) -> Result<(), String> {
        self.kill();
        if wipe {
            self.wipe()?;
        }
        self.start()
    }

    fn wipe(&self) -> Result<(), String> {
        for f in ["dump.rdb", "appendonlydir", "appendonly.aof"] {
            let p = self.dir.join(f);
            let _ = std::fs::remove_dir_all(&p).or_else(|_| std::fs::remove_file(&p));
        }
        self.write_initial_conf()
    }

    /// SIGSTOP / SIGCONT.
    pub fn pause(&mut self, on: bool) {
        if let Some(pid) = self.pid() {
            signal(pid, if on { libc::SIGSTOP } else { libc::SIGCONT });
            self.paused = on;
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill();
    }
}

fn signal(pid: i32, sig: i32) {
    // SAFETY: kill(2) on the PID of a child this tool started and has not reaped.
    unsafe { libc::kill(pid, sig) };
}

/// A data node's redis.conf, from the same settings the simulator gives its data node.
fn redis_conf(cfg: &redis_node::RedisConfig, dir: &Path, addrs: &Addrs) -> String {
    let yes = |b: bool| if b { "yes" } else { "no" };
    let mut l = vec![
        format!("port {}", cfg.port),
        "bind 0.0.0.0".into(),
        "protected-mode no".into(),
        "daemonize no".into(),
        format!("dir {}", dir.display()),
        format!("replica-priority {}", cfg.replica_priority),
        format!("min-replicas-to-write {}", cfg.min_replicas_to_write),
        format!("min-replicas-max-lag {}", cfg.min_replicas_max_lag_s),
        format!("replica-serve-stale-data {}", yes(cfg.replica_serve_stale_data)),
        format!("replica-read-only {}", yes(cfg.replica_read_only)),
        format!("repl-diskless-sync-delay {}", cfg.repl_diskless_sync_delay_ms / 1000),
        format!("repl-timeout {}", cfg.repl_timeout_s),
        "save \"\"".into(),
    ];
    // The simulator's persistence writes every change through; the real equivalent is an AOF
    // fsynced on every write. Without it a restarted node comes back empty, as in the simulator.
    if cfg.persistence {
        l.extend(["appendonly yes".into(), "appendfsync always".into()]);
    } else {
        l.push("appendonly no".into());
    }
    if let Some((ip, port)) = &cfg.replica_of {
        let real = addrs
            .real(ip, *port)
            .map(|a| a.ip().to_string())
            .unwrap_or_else(|| ip.clone());
        l.push(format!("replicaof {real} {port}"));
    }
    if let Some(pass) = &cfg.requirepass {
        l.push(format!("requirepass {pass}"));
        l.push(format!("masterauth {pass}"));
    }
    l.join("\n") + "\n"
}

/// A Sentinel's sentinel.conf: the plan's text with the monitored address made real.
fn sentinel_conf(config: &str, addrs: &Addrs) -> String {
    let mut out = String::from("protected-mode no\n");
    for line in config.lines() {
        let w: Vec<&str> = line.split_whitespace().collect();
        if let ["sentinel", "monitor", name, ip, port, quorum] = w[..] {
            let real = port
                .parse()
                .ok()
                .and_then(|p| addrs.real(ip, p))
                .map(|a| a.ip().to_string())
                .unwrap_or_else(|| ip.to_string());
            out.push_str(&format!("sentinel monitor {name} {real} {port} {quorum}\n"));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}
