//! The Sentinel process state and its entry points: the timer (spec §2), replies, connection
//! losses and commands. Everything else lives in the module named after the concept.

use crate::config::{self, ConfigError, ConfigFile, ServerOptions};
use crate::event::{DebugProbe, Event, EventBody, EventKind, InstanceRef, Subject, SubjectRole};
use crate::instance::{FailoverState, Instance, Master};
use crate::port::acl::Acl;
use crate::types::{Action, CandidateView, ConnId, ConnKind, Level, Ms, ReplyKind, ReplyTo, Target};
use crate::{down, failover, hello, info, periodic, tilt};
use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};
use resp::Value;
use std::collections::BTreeMap;

/// The periods of spec §2.2, adjustable by `SENTINEL DEBUG` as in 7.0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Periods {
    pub info_period: Ms,
    pub ping_period: Ms,
    pub ask_period: Ms,
    pub publish_period: Ms,
    pub default_down_after: Ms,
    pub tilt_trigger: Ms,
    pub tilt_period: Ms,
    pub slave_reconf_timeout: Ms,
    pub min_link_reconnect_period: Ms,
    pub election_timeout: Ms,
    pub script_max_runtime: Ms,
    pub script_retry_delay: Ms,
    pub default_failover_timeout: Ms,
}

impl Default for Periods {
    fn default() -> Self {
        Periods {
            info_period: 10_000,
            ping_period: 1_000,
            ask_period: 1_000,
            publish_period: 2_000,
            default_down_after: 30_000,
            tilt_trigger: 2_000,
            tilt_period: 30_000,
            slave_reconf_timeout: 10_000,
            min_link_reconnect_period: 15_000,
            election_timeout: 10_000,
            script_max_runtime: 60_000,
            script_retry_delay: 30_000,
            default_failover_timeout: 180_000,
        }
    }
}

/// Random delay added to `failover_start_time` so that Sentinels do not all try at once.
pub const MAX_DESYNC_MS: u32 = 1000;
/// Per-link cap on unanswered commands (×refcount; links are never shared here, see README).
pub const MAX_PENDING_COMMANDS: u32 = 100;
pub const HELLO_CHANNEL: &str = "__sentinel__:hello";

/// Options the driver passes in (what the process knows that the config does not say).
#[derive(Debug, Clone)]
pub struct Options {
    /// Used in hello when there is no `sentinel announce-ip` and the link's local address is not
    /// known yet.
    pub default_announce_ip: String,
    /// Whether a path names an executable file (`access(path, X_OK)`), asked by SENTINEL SET
    /// notification-script / client-reconfig-script. The host answers; a simulated host has no
    /// scripts.
    pub script_executable: fn(&str) -> bool,
    /// What INFO's server section says of the process (a real one: its pid, executable, config
    /// path and OS; a simulated one keeps the defaults).
    pub process: ProcessFacts,
    /// Resolves a hostname to an IP address (`resolve-hostnames yes`). The host answers: DNS
    /// for a real process; a simulated world has only IP addresses.
    pub resolve: fn(&str) -> Option<String>,
    /// The local address a new connection leaves from. The host answers.
    pub source_ip: SourceIp,
}

/// The local address (as peers know it) of a new connection to `(ip, port)`, known as soon as
/// the connect starts: Redis reads it from the connecting socket (`getsockname`) to announce
/// itself in hellos, even on a link still connecting. None if the host cannot tell (then hellos
/// use `default_announce_ip`, or the established socket's address once it is reported).
#[derive(Clone)]
pub struct SourceIp(pub std::sync::Arc<SourceIpFn>);

/// `(ip, port) → our source address`, as the host answers it.
pub type SourceIpFn = dyn Fn(&str, u16) -> Option<String> + Send + Sync;

impl std::fmt::Debug for SourceIp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SourceIp(..)")
    }
}

impl Default for SourceIp {
    fn default() -> Self {
        SourceIp(std::sync::Arc::new(|_, _| None))
    }
}

/// Facts about the process for INFO's server section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessFacts {
    pub pid: u32,
    pub os: String,
    pub executable: String,
    pub config_file: String,
    /// `maxclients` as the driver applies it.
    pub max_clients: usize,
}

impl Default for ProcessFacts {
    fn default() -> Self {
        ProcessFacts {
            pid: 1,
            os: "sentinel-sim".into(),
            executable: "sentinel-sim".into(),
            config_file: "sentinel.conf".into(),
            max_clients: 10_000,
        }
    }
}

fn no_scripts(_: &str) -> bool {
    false
}

/// A resolver that knows only IP literals.
pub fn resolve_ip_literal(host: &str) -> Option<String> {
    host.parse::<std::net::IpAddr>().ok().map(|ip| ip.to_string())
}

impl Default for Options {
    fn default() -> Self {
        Options {
            script_executable: no_scripts,
            process: ProcessFacts::default(),
            resolve: resolve_ip_literal,
            default_announce_ip: "127.0.0.1".into(),
            source_ip: SourceIp::default(),
        }
    }
}

/// The calling client, for commands that print or need it.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub id: u64,
    pub addr: String,
    pub name: Option<String>,
    pub connected_clients: usize,
}

/// State shared by every master's processing: epochs, TILT, identity, the action queue.
pub(crate) struct Ctx {
    pub myid: String,
    pub current_epoch: u64,
    pub tilt: bool,
    pub tilt_start_time: Ms,
    pub previous_time: Ms,
    pub periods: Periods,
    pub rng: ChaCha8Rng,
    pub next_conn: ConnId,
    pub out: Vec<Action>,
    pub flush_pending: bool,
    pub port: u16,
    pub announce_ip: Option<String>,
    pub announce_port: u16,
    pub default_announce_ip: String,
    pub source_ip: SourceIp,
    pub deny_scripts_reconfig: bool,
    pub script_executable: fn(&str) -> bool,
    pub process: ProcessFacts,
    pub resolve: fn(&str) -> Option<String>,
    pub resolve_hostnames: bool,
    pub announce_hostnames: bool,
    pub sentinel_user: Option<String>,
    pub sentinel_pass: Option<String>,
    pub requirepass: Option<String>,
    /// The ACL users as `user ...` lines, written by config rewrites (the driver hosts the ACL).
    pub acl_lines: Vec<String>,
    /// Users live in an `aclfile`: config rewrites write no `user` lines (and drop old ones).
    pub aclfile: bool,
    pub simfailure_flags: u32,
    /// Notification and client-reconfig script jobs.
    pub scripts: crate::scripts::Scripts,
    /// Which record each open connection belongs to.
    pub conn_owner: BTreeMap<ConnId, (String, Target, ConnKind)>,
}

pub(crate) const SIMFAILURE_CRASH_AFTER_ELECTION: u32 = 1;
pub(crate) const SIMFAILURE_CRASH_AFTER_PROMOTION: u32 = 2;

impl Ctx {
    pub fn rand(&mut self) -> u32 {
        self.rng.next_u32()
    }

    /// Emits an event about `master` (or about nothing) at its kind's level.
    pub fn emit(&mut self, master: Option<&Master>, body: EventBody) {
        debug_assert!(body.kind().is_some(), "log-only lines go through Ctx::log");
        let level = body.kind().map_or(Level::Notice, EventKind::level);
        self.push_event(level, master, body);
    }

    /// [`Ctx::emit`], recording `epoch` as the probe's failover epoch (the voted epoch of
    /// `+vote-for-leader`) and the selected replica's view.
    pub fn emit_with(&mut self, master: &Master, body: EventBody, epoch: u64, cand: Option<CandidateView>) {
        self.emit(Some(master), body);
        if let Some(Action::Event(ev)) = self.out.last_mut() {
            ev.probe.failover_epoch = epoch;
            ev.probe.candidate = cand;
        }
    }

    /// A log-only line (not published), e.g. `Next failover delay: ...`.
    pub fn log(&mut self, level: Level, master: Option<&Master>, body: EventBody) {
        self.push_event(level, master, body);
    }

    /// A log-only line of free text.
    pub fn log_text(&mut self, level: Level, master: Option<&Master>, text: String) {
        self.log(level, master, EventBody::Text(text));
    }

    fn push_event(&mut self, level: Level, master: Option<&Master>, body: EventBody) {
        // Every warning about an instance runs its master's notification script.
        if let (Level::Warning, Some(kind), Some(path)) = (
            level,
            body.kind(),
            master.and_then(|m| m.notification_script.as_deref()),
        ) {
            self.scripts.schedule(path, &[kind.name(), &body.payload()]);
        }
        let probe = DebugProbe {
            myid: self.myid.clone(),
            master: master.map(|m| m.name().to_string()),
            current_epoch: self.current_epoch,
            config_epoch: master.map_or(0, |m| m.config_epoch),
            failover_epoch: master.map_or(0, |m| m.failover_epoch),
            candidate: None,
            tilt: self.tilt,
        };
        self.out.push(Action::Event(Event { level, body, probe }));
    }

    pub fn flush_config(&mut self) {
        self.flush_pending = true;
    }

    /// How an address is shown to clients: as stored (a hostname with `announce-hostnames
    /// yes`, or an IP), else resolved to its IP, as Redis's `announceSentinelAddr`.
    pub fn announce_addr(&self, host: &str) -> String {
        if self.announce_hostnames || host.parse::<std::net::IpAddr>().is_ok() {
            return host.to_string();
        }
        (self.resolve)(host).unwrap_or_else(|| host.to_string())
    }

    /// Whether a host a replica reports (`master_host`) names the address `addr` we know, as
    /// Redis's `sentinelAddrEqualsHostname`: the reported host resolved (IP literals only unless
    /// `resolve-hostnames yes`) and compared with the resolved address; if it does not resolve,
    /// the names are compared.
    pub fn addr_equals_host(&self, addr: &str, host: &str) -> bool {
        let resolve = |h: &str| {
            if self.resolve_hostnames {
                (self.resolve)(h)
            } else {
                resolve_ip_literal(h)
            }
        };
        match (resolve(host), resolve(addr)) {
            (Some(a), Some(b)) => a == b,
            _ => addr.eq_ignore_ascii_case(host),
        }
    }

    /// Asks the driver to end the process with this exit code.
    pub fn exit(&mut self, code: i32) {
        self.out.push(Action::Exit(code));
    }

    /// Asks the driver for a new connection to `ip:port` owned by (master, target).
    pub fn connect(&mut self, kind: ConnKind, ip: &str, port: u16, master: &str, target: Target) -> ConnId {
        self.next_conn += 1;
        let conn = self.next_conn;
        self.conn_owner.insert(conn, (master.to_string(), target, kind));
        self.out.push(Action::Connect {
            conn,
            kind,
            ip: ip.to_string(),
            port,
        });
        conn
    }

    pub fn close(&mut self, conn: ConnId) {
        if self.conn_owner.remove(&conn).is_some() {
            self.out.push(Action::Close { conn });
        }
    }

    pub fn send(&mut self, conn: ConnId, args: Vec<Vec<u8>>, kind: ReplyKind, master: &str, target: &Target) {
        self.out.push(Action::Send {
            conn,
            args,
            reply: ReplyTo {
                kind,
                master: master.to_string(),
                target: target.clone(),
            },
        });
    }

    /// The address put in hello messages and in `%@` for an instance (hostnames not modelled).
    pub fn announce_port(&self) -> u16 {
        if self.announce_port != 0 {
            self.announce_port
        } else {
            self.port
        }
    }
}

/// `%@` of a master.
pub(crate) fn master_subject(m: &Master) -> Subject {
    Subject::master(&m.inst.name, &m.inst.ip, m.inst.port)
}

/// `%@` of a replica or Sentinel record of `m`.
pub(crate) fn child_subject(i: &Instance, m: &Master) -> Subject {
    let role = match i.type_str() {
        "master" => SubjectRole::Master,
        "slave" => SubjectRole::Slave,
        _ => SubjectRole::Sentinel,
    };
    Subject {
        role,
        instance: InstanceRef {
            name: i.name.clone(),
            ip: i.ip.clone(),
            port: i.port,
        },
        master: Some(master_subject(m).instance),
    }
}

/// `%@` of any record of `m`; None if the record is gone.
pub(crate) fn subject(m: &Master, target: &Target) -> Option<Subject> {
    match target {
        Target::Master => Some(master_subject(m)),
        Target::Replica(n) => m.slaves.get(n).map(|i| child_subject(i, m)),
        Target::Sentinel(n) => m.sentinels.get(n).map(|i| child_subject(i, m)),
    }
}

pub(crate) fn instance_mut<'a>(m: &'a mut Master, target: &Target) -> Option<&'a mut Instance> {
    match target {
        Target::Master => Some(&mut m.inst),
        Target::Replica(n) => m.slaves.get_mut(n),
        Target::Sentinel(n) => m.sentinels.get_mut(n),
    }
}

pub(crate) fn instance<'a>(m: &'a Master, target: &Target) -> Option<&'a Instance> {
    match target {
        Target::Master => Some(&m.inst),
        Target::Replica(n) => m.slaves.get(n),
        Target::Sentinel(n) => m.sentinels.get(n),
    }
}

/// Closes both connections of a record that is being freed.
pub(crate) fn release_instance(ctx: &mut Ctx, inst: &Instance) {
    if let Some(c) = inst.link.cc {
        ctx.close(c);
    }
    if let Some(c) = inst.link.pc {
        ctx.close(c);
    }
}

/// A Redis Sentinel: feed it time, replies and commands; drain the actions it wants done.
pub struct Sentinel {
    pub(crate) ctx: Ctx,
    pub(crate) masters: BTreeMap<String, Master>,
    pub(crate) config: ConfigFile,
    /// The redis.conf settings of the file (port, bind, logfile, ...), for the driver.
    server: ServerOptions,
    /// INFO `run_id` (per process start; distinct from `myid`, as in Redis).
    pub(crate) process_run_id: String,
    pub(crate) start_time: Ms,
    generated_myid: bool,
    /// The ACL users as loaded (the driver hosts the live copy).
    acl: Acl,
}

/// The ACL users from `requirepass` and the `user` directives (the loader validated them).
fn build_acl(server: &ServerOptions) -> Result<Acl, ConfigError> {
    let mut acl = Acl::default();
    if let Some(p) = &server.requirepass {
        acl.set_requirepass(p.as_bytes());
    }
    let mut seen = Vec::new();
    for args in &server.users {
        let name = String::from_utf8_lossy(&args[0]).into_owned();
        acl.load_user_directive(&name, &args[1..], &mut seen)
            .map_err(|msg| ConfigError {
                line: 0,
                msg,
                text: Vec::new(),
            })?;
    }
    Ok(acl)
}

impl Sentinel {
    /// Builds a Sentinel from its sentinel.conf text. `seed` drives all its randomness (generated
    /// myid, run id, timer jitter, failover desync).
    /// The file is bytes (Redis does not require UTF-8); a `&str` or `String` works too.
    pub fn new(config: impl AsRef<[u8]>, opts: Options, seed: u64, now: Ms) -> Result<Sentinel, ConfigError> {
        let file = ConfigFile::parse(config)?;
        let mut ctx = Ctx {
            myid: String::new(),
            current_epoch: 0,
            tilt: false,
            tilt_start_time: 0,
            previous_time: now,
            periods: Periods::default(),
            rng: ChaCha8Rng::seed_from_u64(seed),
            next_conn: 0,
            out: Vec::new(),
            flush_pending: false,
            port: 26379,
            announce_ip: None,
            announce_port: 0,
            default_announce_ip: opts.default_announce_ip,
            source_ip: opts.source_ip,
            script_executable: opts.script_executable,
            process: opts.process,
            resolve: opts.resolve,
            deny_scripts_reconfig: true,
            resolve_hostnames: false,
            announce_hostnames: false,
            sentinel_user: None,
            sentinel_pass: None,
            requirepass: None,
            acl_lines: Vec::new(),
            aclfile: false,
            simfailure_flags: 0,
            scripts: Default::default(),
            conn_owner: BTreeMap::new(),
        };
        let config::Loaded { masters, server } = config::apply(&file, &mut ctx, now)?;
        let acl = build_acl(&server)?;
        ctx.acl_lines = acl.lines();
        ctx.aclfile = server.aclfile.is_some();
        let mut generated_myid = false;
        if ctx.myid.is_empty() {
            ctx.myid = random_hex(&mut ctx.rng, 40);
            generated_myid = true;
        }
        let process_run_id = random_hex(&mut ctx.rng, 40);
        Ok(Sentinel {
            ctx,
            masters,
            config: file,
            server,
            process_run_id,
            start_time: now,
            generated_myid,
            acl,
        })
    }

    /// The ACL users the config declares (`requirepass`, `user` lines), for the driver to host.
    pub fn initial_acl(&self) -> Acl {
        self.acl.clone()
    }

    /// The driver's ACL changed: later config rewrites write these `user` lines.
    pub fn set_acl_lines(&mut self, lines: Vec<String>) {
        self.ctx.acl_lines = lines;
    }

    /// What Redis does once the config is loaded: persist a generated myid, announce the ID and
    /// emit `+monitor` for every master.
    pub fn start(&mut self, now: Ms) {
        let _ = now;
        if self.generated_myid {
            // Redis saves the generated id before announcing it.
            self.ctx.flush_config();
            self.flush_if_needed();
        }
        let myid = self.ctx.myid.clone();
        self.ctx.log(Level::Warning, None, EventBody::SentinelId { myid });
        for m in self.masters.values() {
            let body = EventBody::Monitor {
                subject: master_subject(m),
                quorum: u64::from(m.quorum),
            };
            self.ctx.emit(Some(m), body);
        }
        self.flush_if_needed();
    }

    pub fn myid(&self) -> &str {
        &self.ctx.myid
    }
    /// The redis.conf directives of the config file that the process itself uses.
    pub fn server_options(&self) -> &ServerOptions {
        &self.server
    }

    /// The file a CONFIG REWRITE would write now; it becomes the base of the next rewrite.
    pub fn rewrite_config(&mut self) -> String {
        config::rewrite(&mut self.config, &self.ctx, &self.masters)
    }

    pub fn port(&self) -> u16 {
        self.ctx.port
    }
    pub fn current_epoch(&self) -> u64 {
        self.ctx.current_epoch
    }
    pub fn in_tilt(&self) -> bool {
        self.ctx.tilt
    }
    /// The address `SENTINEL GET-MASTER-ADDR-BY-NAME` would answer.
    pub fn master_addr(&self, name: &str) -> Option<(String, u16)> {
        self.masters.get(name).map(|m| m.current_addr())
    }

    /// Everything the core wants done since the last call.
    pub fn take_actions(&mut self) -> Vec<Action> {
        std::mem::take(&mut self.ctx.out)
    }

    /// One run of the Sentinel timer. Returns the milliseconds until the next run: 1000/hz with
    /// hz drawn from 10..=19 after every run (spec §2.1).
    pub fn tick(&mut self, now: Ms) -> u64 {
        tilt::check(&mut self.ctx, now);
        let mut switch_to: Option<String> = None;
        // The context and the master records are separate fields: no copy of the names needed.
        for (name, m) in self.masters.iter_mut() {
            handle_instance(&mut self.ctx, m, &Target::Master, now);
            let slaves: Vec<String> = m.slaves.keys().cloned().collect();
            for s in slaves {
                handle_instance(&mut self.ctx, m, &Target::Replica(s), now);
            }
            let sentinels: Vec<String> = m.sentinels.keys().cloned().collect();
            for s in sentinels {
                handle_instance(&mut self.ctx, m, &Target::Sentinel(s), now);
            }
            if m.failover_state == FailoverState::UpdateConfig {
                switch_to = Some(name.clone());
            }
        }
        if let Some(name) = switch_to {
            if let Some(m) = self.masters.get_mut(&name) {
                failover::switch_to_promoted(&mut self.ctx, m, now);
            }
        }
        crate::scripts::timer(&mut self.ctx, now);
        self.flush_if_needed();
        let hz = 10 + (self.ctx.rand() % 10) as u64;
        1000 / hz
    }

    /// Our side's address on `conn` is known: from the moment its connect starts (a connecting
    /// socket already has it, and Redis announces it in hellos sent on a link still connecting),
    /// or once it is established.
    pub fn on_local_ip(&mut self, conn: ConnId, local_ip: &str, _now: Ms) {
        let Some((master, target, kind)) = self.ctx.conn_owner.get(&conn).cloned() else {
            return;
        };
        if kind != ConnKind::Cmd {
            return;
        }
        if let Some(inst) = self.masters.get_mut(&master).and_then(|m| instance_mut(m, &target)) {
            if inst.link.cc == Some(conn) {
                inst.link.cc_local_ip = Some(local_ip.to_string());
            }
        }
    }

    /// `conn` failed to connect or was lost (EOF, reset, protocol error).
    pub fn on_conn_closed(&mut self, conn: ConnId, _now: Ms) {
        let Some((master, target, _)) = self.ctx.conn_owner.remove(&conn) else {
            return;
        };
        if let Some(inst) = self.masters.get_mut(&master).and_then(|m| instance_mut(m, &target)) {
            let link = &mut inst.link;
            // Pending replies die with the connection without being counted down, as hiredis
            // calls the callbacks with no reply; a reconnect resets the counter.
            if link.cc == Some(conn) {
                link.cc = None;
                link.cc_local_ip = None;
                link.disconnected = true;
            }
            if link.pc == Some(conn) {
                link.pc = None;
                link.disconnected = true;
            }
        }
    }

    /// A reply (or, for the pub/sub subscription, any frame) arrived on `conn`.
    pub fn on_reply(&mut self, conn: ConnId, reply: &ReplyTo, value: &Value, now: Ms) {
        if !self.ctx.conn_owner.contains_key(&conn) {
            return;
        }
        let Some(m) = self.masters.get_mut(&reply.master) else {
            return;
        };
        let Some(inst) = instance_mut(m, &reply.target) else {
            return;
        };
        let on_cc = inst.link.cc == Some(conn);
        let on_pc = inst.link.pc == Some(conn);
        if !on_cc && !on_pc {
            return;
        }
        if reply.kind != ReplyKind::Hello {
            inst.link.pending_commands = inst.link.pending_commands.saturating_sub(1);
        }
        match reply.kind {
            ReplyKind::Discard => {}
            ReplyKind::Ping => periodic::on_ping_reply(&mut self.ctx, m, &reply.target, value, now),
            ReplyKind::Info => {
                if let Value::Bulk(b) = value {
                    info::refresh(&mut self.ctx, m, &reply.target, b, now);
                }
            }
            ReplyKind::Publish => {
                if !value.is_error() {
                    inst.last_pub_time = now;
                }
            }
            ReplyKind::IsMasterDown => down::on_is_master_down_reply(&mut self.ctx, m, &reply.target, value, now),
            ReplyKind::Hello => {
                if !on_pc {
                    return;
                }
                inst.link.pc_last_activity = now;
                if value.is_error() {
                    // The SUBSCRIBE was refused (e.g. -NOAUTH): hiredis drops a subscribed
                    // connection on an error reply; the link is re-made by the next reconnect.
                    inst.link.pc = None;
                    inst.link.disconnected = true;
                    self.ctx.close(conn);
                    return;
                }
                let Some(items) = value.as_array() else { return };
                if items.len() != 3 || !items.iter().all(|v| matches!(v, Value::Bulk(_))) {
                    return;
                }
                if items[0].as_text().as_deref() != Some("message") {
                    return;
                }
                let payload = items[2].as_text().unwrap_or_default().into_owned();
                if payload.contains(&self.ctx.myid) {
                    return;
                }
                hello::process(self, &payload, now);
            }
        }
        self.flush_if_needed();
    }

    pub(crate) fn flush_if_needed(&mut self) {
        if self.ctx.flush_pending {
            self.ctx.flush_pending = false;
            let text = config::rewrite(&mut self.config, &self.ctx, &self.masters);
            // Redis flushes synchronously: a save requested before a crash (SIMULATE-FAILURE)
            // reaches the disk before the process exits.
            let at = self
                .ctx
                .out
                .iter()
                .position(|a| matches!(a, Action::Exit(_)))
                .unwrap_or(self.ctx.out.len());
            self.ctx.out.insert(at, Action::SaveConfig(text));
        }
    }

    /// Finds a master by its current address (used by is-master-down-by-addr).
    pub(crate) fn master_by_addr(&self, ip: &str, port: u16) -> Option<&str> {
        self.masters
            .values()
            .find(|m| m.inst.port == port && m.inst.ip == ip)
            .map(|m| m.name())
    }
}

/// Per-record work of one tick (`sentinelHandleRedisInstance`).
fn handle_instance(ctx: &mut Ctx, m: &mut Master, target: &Target, now: Ms) {
    periodic::reconnect(ctx, m, target, now);
    periodic::send_periodic_commands(ctx, m, target, now);
    if ctx.tilt {
        if now.saturating_sub(ctx.tilt_start_time) < ctx.periods.tilt_period {
            return;
        }
        ctx.tilt = false;
        ctx.emit(None, EventBody::Tilt { entered: false });
    }
    down::check_subjectively_down(ctx, m, target, now);
    if *target == Target::Master {
        down::check_objectively_down(ctx, m, now);
        if failover::start_if_needed(ctx, m, now) {
            down::ask_master_state(ctx, m, true, now);
        }
        failover::state_machine(ctx, m, now);
        down::ask_master_state(ctx, m, false, now);
    }
}

pub(crate) fn random_hex(rng: &mut ChaCha8Rng, len: usize) -> String {
    const HEX: &[u8] = b"0123456789abcdef";
    (0..len).map(|_| HEX[(rng.next_u32() % 16) as usize] as char).collect()
}

#[cfg(test)]
mod addr_tests {
    use super::*;

    fn resolver(h: &str) -> Option<String> {
        match h {
            "localhost" => Some("127.0.0.1".into()),
            h => h.parse::<std::net::IpAddr>().ok().map(|ip| ip.to_string()),
        }
    }

    #[test]
    fn a_reported_host_matches_by_address() {
        let opts = Options {
            resolve: resolver,
            ..Options::default()
        };
        let mut s = Sentinel::new("sentinel monitor m 127.0.0.1 6379 2\n", opts, 0, 0).unwrap();
        assert!(s.ctx.addr_equals_host("127.0.0.1", "127.0.0.1"));
        assert!(
            !s.ctx.addr_equals_host("127.0.0.1", "localhost"),
            "names are not resolved by default"
        );
        s.ctx.resolve_hostnames = true;
        assert!(s.ctx.addr_equals_host("127.0.0.1", "localhost"));
        assert!(s.ctx.addr_equals_host("localhost", "127.0.0.1"));
        assert!(!s.ctx.addr_equals_host("127.0.0.2", "localhost"));
        assert!(
            s.ctx.addr_equals_host("nowhere", "NOWHERE"),
            "unresolvable names compare as text"
        );
    }
}
