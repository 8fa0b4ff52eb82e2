//! The main loop: owns the core, feeds it inputs and the timer, executes its actions.

use crate::hub::Hub;
use crate::link::{self, Command, LINK_QUEUE_CAP};
use crate::logfmt::Logger;
use crate::replies::ReplyQueue;
use crate::{client, Core, Env, NodeConfig, NodeError};
use resp::Value;
use sentinel_core::{Action, ClientInfo, ConnId, Level, Options, Sentinel};
use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

/// Inputs queued to the main loop by connection and client tasks.
pub(crate) enum Input {
    /// A link connection is established; `local_ip` is our end's address as the socket has it
    /// ("" if unknown). (The core usually knows it already, from `Options::source_ip`.)
    Connected { conn: ConnId, local_ip: String },
    /// Frames read on a link connection, in order.
    Replies { conn: ConnId, values: Vec<Value> },
    /// A link connection failed or ended (reported once, never after the core closed it).
    Closed { conn: ConnId },
    /// A client changed the ACL users: their `user` lines, for config rewrites.
    AclChanged { lines: Vec<String> },
    /// A command from a sentinel-port client, to run on the core.
    Command {
        args: Vec<Vec<u8>>,
        client: ClientInfo,
        reply: oneshot::Sender<Value>,
    },
}

/// Capacity of the main loop's input queue (tasks wait when it is full).
const INPUT_QUEUE_CAP: usize = 1024;

struct LinkHandle {
    commands: mpsc::Sender<Command>,
    replies: ReplyQueue,
}

/// Script ends reported by the threads that wait for them: (job, signal, exit code).
type ScriptExits = Arc<std::sync::Mutex<Vec<(u64, i32, i32)>>>;

struct Node<C: Core> {
    core: C,
    /// Running script jobs' process ids (to kill them on timeout).
    script_pids: BTreeMap<u64, u32>,
    /// Collected before each timer run, as Redis reaps its children in the timer.
    script_exits: ScriptExits,
    /// Config saves that failed so far (a command that flushes answers an error if one of its
    /// own saves failed).
    save_failures: u64,
    env: Env,
    cfg: NodeConfig,
    log: Logger,
    hub: Arc<Hub>,
    links: BTreeMap<ConnId, LinkHandle>,
    inputs: mpsc::Sender<Input>,
}

/// Runs a Sentinel: loads `cfg.config_name` from storage, builds the core, serves the sentinel
/// port and monitors until the core asks to exit; returns the exit code.
pub async fn run(cfg: NodeConfig, env: Env) -> Result<i32, NodeError> {
    // A file that exists but cannot be read is not "missing": say why, as Redis does.
    let text = env.storage.load(&cfg.config_name).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => NodeError::NoConfig(cfg.config_name.clone()),
        _ => NodeError::ReadConfig(cfg.config_name.clone(), e),
    })?;
    let now = env.clock.wall_ms();
    let net = env.net.clone();
    let opts = Options {
        default_announce_ip: cfg.default_announce_ip.clone(),
        source_ip: sentinel_core::SourceIp(std::sync::Arc::new(move |ip, port| link::source_ip(&*net, ip, port))),
        script_executable: cfg.script_executable,
        resolve: cfg.resolve,
        process: sentinel_core::ProcessFacts {
            max_clients: cfg.max_clients,
            ..cfg.process.clone()
        },
    };
    let core = Sentinel::new(&text, opts, cfg.seed, now).map_err(|e| NodeError::Config(e.to_string()))?;
    run_with(core, cfg, env).await
}

/// Runs the driver around an already built core (what [`run`] does after parsing the config).
pub async fn run_with<C: Core>(core: C, cfg: NodeConfig, env: Env) -> Result<i32, NodeError> {
    let log = Logger::new(cfg.log).with_output(cfg.logfile.clone(), cfg.log_level);
    let port = core.port();
    let bind_text = format!("{}:{}", cfg.bind_ip, port);
    let ip: IpAddr = cfg
        .bind_ip
        .parse()
        .map_err(|_| NodeError::Bind(bind_text.clone(), std::io::Error::other("invalid bind address")))?;
    if log.enabled() {
        let now = env.clock.wall_ms();
        log.log(now, Level::Warning, "oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo");
        log.log(
            now,
            Level::Warning,
            &format!(
                "Redis version=7.0.15, bits=64, commit=00000000, modified=0, pid={}, just started",
                std::process::id()
            ),
        );
        log.log(now, Level::Warning, "Configuration loaded");
        for w in &cfg.startup_warnings {
            log.log(now, Level::Warning, w);
        }
    }
    let listeners = bind_listeners(&cfg, &*env.net, (ip, port), &log, env.clock.wall_ms()).await?;
    log.log(
        env.clock.wall_ms(),
        Level::Notice,
        &format!("Running mode=sentinel, port={port}."),
    );

    let (inputs, mut rx) = mpsc::channel(INPUT_QUEUE_CAP);
    let hub = Arc::new(Hub::with_seed(crate::hub::SUBSCRIBER_QUEUE_CAP, cfg.seed));
    hub.set_acl(match &cfg.acl_file {
        Some(path) => load_acl_file(path).map_err(|e| {
            log.log(
                env.clock.wall_ms(),
                Level::Warning,
                &format!("Aborting Redis startup because of ACL errors: {e}"),
            );
            NodeError::Acl(e)
        })?,
        None => core.initial_acl(),
    });
    hub.set_acl_file(cfg.acl_file.clone());
    hub.set_max_clients(cfg.max_clients);
    hub.set_protected_mode(cfg.protected_mode);
    let acceptors: Vec<_> = listeners
        .into_iter()
        .map(|l| tokio::spawn(client::accept_loop(l, hub.clone(), inputs.clone())))
        .collect();
    let mut node = Node {
        core,
        script_pids: BTreeMap::new(),
        script_exits: Arc::default(),
        save_failures: 0,
        env,
        cfg,
        log,
        hub,
        links: BTreeMap::new(),
        inputs,
    };

    let code = node.main_loop(&mut rx).await;
    for a in acceptors {
        a.abort();
    }
    node.shutdown();
    Ok(code)
}

/// SENTINEL subcommands that answer an error when their config save fails (Redis's
/// `sentinelFlushConfigAndReply`).
fn flushes_and_replies(args: &[Vec<u8>]) -> bool {
    let word = |i: usize| args.get(i).map(|a| String::from_utf8_lossy(a).to_ascii_lowercase());
    word(0).as_deref() == Some("sentinel")
        && matches!(
            word(1).as_deref(),
            Some("monitor" | "flushconfig" | "remove" | "set" | "config")
        )
}

/// Binds the sentinel port on `ip` and on every extra `bind` address (an optional one, `-addr`,
/// may fail). A failure is logged as Redis logs it, and the process must exit.
async fn bind_listeners(
    cfg: &NodeConfig,
    net: &dyn host::Net,
    (ip, port): (IpAddr, u16),
    log: &Logger,
    now: i64,
) -> Result<Vec<host::BoxListener>, NodeError> {
    let mut addrs = vec![(ip, false)];
    for (a, optional) in &cfg.extra_binds {
        match a.parse::<IpAddr>() {
            Ok(ip) => addrs.push((ip, *optional)),
            Err(_) if *optional => {}
            Err(_) => {
                let e = std::io::Error::other("invalid bind address");
                return Err(NodeError::Bind(format!("{a}:{port}"), e));
            }
        }
    }
    let mut listeners = Vec::with_capacity(addrs.len());
    for (ip, optional) in addrs {
        match net.listen(SocketAddr::new(ip, port)).await {
            Ok(l) => listeners.push(l),
            Err(_) if optional => {}
            Err(e) => {
                let shown = if ip.is_unspecified() && ip.is_ipv4() {
                    "*".to_string()
                } else {
                    ip.to_string()
                };
                let reason = strip_os_error(&e);
                log.log(
                    now,
                    Level::Warning,
                    &format!("Warning: Could not create server TCP listening socket {shown}:{port}: bind: {reason}"),
                );
                log.log(
                    now,
                    Level::Warning,
                    &format!("Failed listening on port {port} (tcp), aborting."),
                );
                return Err(NodeError::Bind(format!("{ip}:{port}"), e));
            }
        }
    }
    Ok(listeners)
}

/// The users of an ACL file (real mode), with Redis's errors.
pub(crate) fn load_acl_file(path: &std::path::Path) -> Result<sentinel_core::port::acl::Acl, String> {
    let name = path.display().to_string();
    let text = std::fs::read(path)
        .map_err(|e| format!("Error loading ACLs, opening file '{name}': {}", strip_os_error(&e)))?;
    sentinel_core::port::acl::Acl::from_file_text(&String::from_utf8_lossy(&text), &name)
}

/// `Address already in use` from `Address already in use (os error 98)`, as strerror says it.
fn strip_os_error(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

impl<C: Core> Node<C> {
    fn now(&self) -> i64 {
        self.env.clock.wall_ms()
    }

    async fn main_loop(&mut self, rx: &mut mpsc::Receiver<Input>) -> i32 {
        let now = self.now();
        self.core.start(now);
        if let Some(code) = self.execute_actions() {
            return code;
        }
        // Redis runs its first serverCron 1 ms after start.
        let mut deadline = Instant::now() + Duration::from_millis(1);
        let sleep = tokio::time::sleep_until(deadline);
        tokio::pin!(sleep);
        loop {
            // The timer first, as Redis runs due time events after each batch of I/O: a stream of
            // inputs cannot starve it. Checked by hand so the sleep is only polled when idle.
            if Instant::now() >= deadline {
                self.collect_script_exits();
                let now = self.now();
                let next = self.core.tick(now).max(1);
                if let Some(code) = self.execute_actions() {
                    return code;
                }
                deadline = Instant::now() + Duration::from_millis(next);
                sleep.as_mut().reset(deadline);
            }
            tokio::select! {
                biased;
                input = rx.recv() => {
                    // Never `None`: the node holds a sender.
                    let Some(input) = input else { return 0 };
                    let failures_before = self.save_failures;
                    let answer = self.handle(input);
                    if let Some(code) = self.execute_actions() {
                        // Like a process exiting mid-command: the reply is never written.
                        return code;
                    }
                    if let Some((reply, mut v, flushes)) = answer {
                        if flushes && self.save_failures > failures_before && !v.is_error() {
                            v = Value::err("ERR Failed to save config file. Check server logs.");
                        }
                        // The client may have gone away meanwhile; its reply is then dropped.
                        let _ = reply.send(v);
                    }
                }
                _ = &mut sleep => {}
            }
        }
    }

    /// Feeds one input to the core. A command's reply is returned, to be sent once the actions
    /// it caused have run.
    fn handle(&mut self, input: Input) -> Option<(oneshot::Sender<Value>, Value, bool)> {
        let now = self.now();
        match input {
            Input::Connected { conn, local_ip } => {
                if self.links.contains_key(&conn) && !local_ip.is_empty() {
                    self.core.on_local_ip(conn, &local_ip, now);
                }
            }
            Input::Replies { conn, values } => {
                for v in &values {
                    let Some(link) = self.links.get_mut(&conn) else {
                        // Closed by the core (or by an unexpected frame below): the rest is moot.
                        return None;
                    };
                    match link.replies.next_for_frame() {
                        Some(reply) => self.core.on_reply(conn, &reply, v, now),
                        None => {
                            // A frame nobody asked for: hiredis treats it as a fatal protocol
                            // violation on that connection (an error reply disconnects, anything
                            // else asserts). Drop the connection.
                            self.links.remove(&conn);
                            self.core.on_conn_closed(conn, now);
                            return None;
                        }
                    }
                }
            }
            Input::Closed { conn } => {
                if self.links.remove(&conn).is_some() {
                    self.core.on_conn_closed(conn, now);
                }
            }
            Input::AclChanged { lines } => self.core.set_acl_lines(lines),
            Input::Command { args, client, reply } => {
                let v = self.core.command(&args, &client, now);
                return Some((reply, v, flushes_and_replies(&args)));
            }
        }
        None
    }

    /// Executes what the core asked for, until it asks for nothing more. `Some(code)` on exit.
    fn execute_actions(&mut self) -> Option<i32> {
        loop {
            let actions = self.core.take_actions();
            if actions.is_empty() {
                return None;
            }
            for a in actions {
                match a {
                    Action::Connect {
                        conn,
                        kind: _,
                        ip,
                        port,
                    } => {
                        let (tx, rx) = mpsc::channel(LINK_QUEUE_CAP);
                        tokio::spawn(link::link_task(
                            conn,
                            ip,
                            port,
                            self.env.net.clone(),
                            rx,
                            self.inputs.clone(),
                        ));
                        self.links.insert(
                            conn,
                            LinkHandle {
                                commands: tx,
                                replies: ReplyQueue::new(),
                            },
                        );
                    }
                    Action::Send { conn, args, reply } => {
                        let Some(link) = self.links.get_mut(&conn) else {
                            continue;
                        };
                        match link.commands.try_send(args) {
                            Ok(()) => link.replies.push(reply),
                            Err(mpsc::error::TrySendError::Full(_)) => {
                                // The peer stopped reading long ago: give the link up.
                                self.links.remove(&conn);
                                let now = self.now();
                                self.core.on_conn_closed(conn, now);
                            }
                            // The task already ended; its `Closed` is on the way.
                            Err(mpsc::error::TrySendError::Closed(_)) => {}
                        }
                    }
                    Action::Close { conn } => {
                        // Dropping the sender ends the task without a `Closed` notice.
                        self.links.remove(&conn);
                    }
                    Action::Event(ev) => {
                        if self.log.enabled() {
                            self.log.log(self.now(), ev.level, &ev.line());
                        }
                        if ev.is_published() {
                            self.hub.publish(ev.name().as_bytes(), ev.payload().as_bytes());
                        }
                        self.env.observer.event(&ev);
                    }
                    Action::SaveConfig(text) => match self.env.storage.save(&self.cfg.config_name, &text) {
                        Ok(()) => self
                            .log
                            .log(self.now(), Level::Notice, "Sentinel new configuration saved on disk"),
                        Err(e) => {
                            self.save_failures += 1;
                            self.log.log(
                                self.now(),
                                Level::Warning,
                                &format!(
                                    "WARNING: Sentinel was not able to save the new configuration on disk!!!: {e}"
                                ),
                            )
                        }
                    },
                    Action::Exit(code) => return Some(code),
                    Action::RunScript { id, argv } => self.run_script(id, &argv),
                    Action::KillScript { id } => {
                        if let Some(pid) = self.script_pids.get(&id) {
                            self.cfg.scripts.0.kill(*pid);
                        }
                    }
                }
            }
        }
    }

    fn run_script(&mut self, id: u64, argv: &[String]) {
        let exits = self.script_exits.clone();
        let on_exit = Box::new(move |signal, code| {
            exits.lock().unwrap_or_else(|e| e.into_inner()).push((id, signal, code));
        });
        match self.cfg.scripts.0.spawn(argv, on_exit) {
            Ok(pid) => {
                self.script_pids.insert(id, pid);
                self.core.on_script_started(id, pid);
            }
            Err(_) => self.core.on_script_spawn_failed(id),
        }
    }

    fn collect_script_exits(&mut self) {
        let ended = std::mem::take(&mut *self.script_exits.lock().unwrap_or_else(|e| e.into_inner()));
        for (id, signal, code) in ended {
            self.script_pids.remove(&id);
            self.core.on_script_exit(id, signal, code);
        }
    }

    /// Ends every task of the node: links (their senders dropped), clients (killed).
    fn shutdown(&mut self) {
        self.links.clear();
        self.hub.shutdown();
    }
}
