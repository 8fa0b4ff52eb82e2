//! The commands a Sentinel answers on its port (spec §10), with Redis' exact reply shapes.
//! The SUBSCRIBE family is the driver's (it owns the client connections).

use crate::event::{EventBody, EventKind};
use crate::failover;
use crate::hello;
use crate::instance::{flag, Instance, Master, Role};
use crate::leader;
use crate::sentinel::{
    master_subject, ClientInfo, Ctx, Sentinel, SIMFAILURE_CRASH_AFTER_ELECTION, SIMFAILURE_CRASH_AFTER_PROMOTION,
};
use crate::types::{Level, Ms};
use crate::util::glob_match;
use resp::Value;

const HELP: &[&str] = &[
    "SENTINEL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CKQUORUM <master-name>",
    "    Check if the current Sentinel configuration is able to reach the quorum",
    "    needed to failover a master and the majority needed to authorize the",
    "    failover.",
    "CONFIG SET <param> <value>",
    "    Set a global Sentinel configuration parameter.",
    "CONFIG GET <param>",
    "    Get global Sentinel configuration parameter.",
    "DEBUG [<param> <value> ...]",
    "    Show a list of configurable time parameters and their values (milliseconds).",
    "    Or update current configurable parameters values (one or more).",
    "GET-MASTER-ADDR-BY-NAME <master-name>",
    "    Return the ip and port number of the master with that name.",
    "FAILOVER <master-name>",
    "    Manually failover a master node without asking for agreement from other",
    "    Sentinels",
    "FLUSHCONFIG",
    "    Force Sentinel to rewrite its configuration on disk, including the current",
    "    Sentinel state.",
    "INFO-CACHE <master-name>",
    "    Return last cached INFO output from masters and all its replicas.",
    "IS-MASTER-DOWN-BY-ADDR <ip> <port> <current-epoch> <runid>",
    "    Check if the master specified by ip:port is down from current Sentinel's",
    "    point of view.",
    "MASTER <master-name>",
    "    Show the state and info of the specified master.",
    "MASTERS",
    "    Show a list of monitored masters and their state.",
    "MONITOR <name> <ip> <port> <quorum>",
    "    Start monitoring a new master with the specified name, ip, port and quorum.",
    "MYID",
    "    Return the ID of the Sentinel instance.",
    "PENDING-SCRIPTS",
    "    Get pending scripts information.",
    "REMOVE <master-name>",
    "    Remove master from Sentinel's monitor list.",
    "REPLICAS <master-name>",
    "    Show a list of replicas for this master and their state.",
    "RESET <pattern>",
    "    Reset masters for specific master name matching this pattern.",
    "SENTINELS <master-name>",
    "    Show a list of Sentinel instances for this master and their state.",
    "SET <master-name> <option> <value> [<option> <value> ...]",
    "    Set configuration parameters for certain masters.",
    "SIMULATE-FAILURE [CRASH-AFTER-ELECTION] [CRASH-AFTER-PROMOTION] [HELP]",
    "    Simulate a Sentinel crash.",
    "HELP",
    "    Prints this help.",
];

fn text(a: &[u8]) -> String {
    String::from_utf8_lossy(a).into_owned()
}

fn unknown_command(args: &[Vec<u8>]) -> Value {
    let mut msg = format!("ERR unknown command '{}', with args beginning with: ", text(&args[0]));
    for a in args.iter().skip(1).take(16) {
        msg.push_str(&format!("'{}' ", text(a)));
    }
    Value::err(msg)
}

fn arity_error(cmd: &str) -> Value {
    Value::err(format!("ERR wrong number of arguments for '{cmd}' command"))
}

fn no_such_master() -> Value {
    Value::err("ERR No such master with that name")
}

/// The key/value pairs of SENTINEL MASTER/REPLICAS/SENTINELS for one record.
fn instance_map(ctx: &Ctx, m: Option<&Master>, i: &Instance, now: Ms) -> Value {
    let mut kv: Vec<(&str, String)> = Vec::with_capacity(40);
    kv.push(("name", i.name.clone()));
    kv.push(("ip", ctx.announce_addr(&i.ip)));
    kv.push(("port", i.port.to_string()));
    kv.push(("runid", i.runid.clone().unwrap_or_default()));
    kv.push(("flags", i.flags_string()));
    kv.push(("link-pending-commands", i.link.pending_commands.to_string()));
    kv.push(("link-refcount", "1".into()));
    if let Some(m) = m {
        if i.has(flag::FAILOVER_IN_PROGRESS) {
            kv.push(("failover-state", m.failover_state.name().into()));
        }
    }
    kv.push((
        "last-ping-sent",
        if i.link.act_ping_time != 0 {
            now - i.link.act_ping_time
        } else {
            0
        }
        .to_string(),
    ));
    kv.push(("last-ok-ping-reply", (now - i.link.last_avail_time).to_string()));
    kv.push(("last-ping-reply", (now - i.link.last_pong_time).to_string()));
    if i.has(flag::S_DOWN) {
        kv.push(("s-down-time", (now - i.s_down_since_time).to_string()));
    }
    if i.has(flag::O_DOWN) {
        kv.push(("o-down-time", (now - i.o_down_since_time).to_string()));
    }
    kv.push(("down-after-milliseconds", i.down_after_period.to_string()));
    if i.has(flag::MASTER | flag::SLAVE) {
        kv.push((
            "info-refresh",
            if i.info_refresh != 0 { now - i.info_refresh } else { 0 }.to_string(),
        ));
        kv.push((
            "role-reported",
            if i.role_reported == Role::Master {
                "master"
            } else {
                "slave"
            }
            .into(),
        ));
        kv.push(("role-reported-time", (now - i.role_reported_time).to_string()));
    }
    if let (Some(m), true) = (m, i.has(flag::MASTER)) {
        kv.push(("config-epoch", m.config_epoch.to_string()));
        kv.push(("num-slaves", m.slaves.len().to_string()));
        kv.push(("num-other-sentinels", m.sentinels.len().to_string()));
        kv.push(("quorum", m.quorum.to_string()));
        kv.push(("failover-timeout", m.failover_timeout.to_string()));
        kv.push(("parallel-syncs", m.parallel_syncs.to_string()));
        if let Some(s) = &m.notification_script {
            kv.push(("notification-script", s.clone()));
        }
        if let Some(s) = &m.client_reconfig_script {
            kv.push(("client-reconfig-script", s.clone()));
        }
    }
    if i.has(flag::SLAVE) {
        kv.push(("master-link-down-time", i.master_link_down_time.to_string()));
        kv.push((
            "master-link-status",
            if i.slave_master_link_up { "ok" } else { "err" }.into(),
        ));
        kv.push(("master-host", i.slave_master_host.clone().unwrap_or_else(|| "?".into())));
        kv.push(("master-port", i.slave_master_port.to_string()));
        kv.push(("slave-priority", i.slave_priority.to_string()));
        kv.push(("slave-repl-offset", i.slave_repl_offset.to_string()));
        kv.push(("replica-announced", (i.replica_announced as u8).to_string()));
    }
    if i.has(flag::SENTINEL) {
        kv.push(("last-hello-message", (now - i.last_hello_time).to_string()));
        kv.push(("voted-leader", i.leader.clone().unwrap_or_else(|| "?".into())));
        kv.push(("voted-leader-epoch", i.leader_epoch.to_string()));
    }
    Value::Map(kv.into_iter().map(|(k, v)| (Value::bulk(k), Value::bulk(v))).collect())
}

impl Sentinel {
    /// Answers one command from a client of the Sentinel port.
    pub fn command(&mut self, args: &[Vec<u8>], client: &ClientInfo, now: Ms) -> Value {
        if args.is_empty() {
            return Value::err("ERR empty command");
        }
        let cmd = text(&args[0]).to_ascii_lowercase();
        let reply = match cmd.as_str() {
            "ping" => match args.len() {
                1 => Value::simple("PONG"),
                2 => Value::Bulk(args[1].clone()),
                _ => arity_error("ping"),
            },
            "info" => self.info_command(args, client, now),
            "role" => Value::Array(vec![
                Value::bulk("sentinel"),
                Value::Array(self.masters.keys().map(Value::bulk).collect()),
            ]),
            "publish" => {
                if args.len() != 3 {
                    arity_error("publish")
                } else if args[1] != b"__sentinel__:hello" {
                    Value::err("ERR Only HELLO messages are accepted by Sentinel instances.")
                } else {
                    hello::process(self, &text(&args[2]), now);
                    Value::Int(1)
                }
            }
            "sentinel" => self.sentinel_command(args, now),
            "shutdown" => self.shutdown_command(args),
            _ => unknown_command(args),
        };
        self.flush_if_needed();
        reply
    }

    /// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]: a Sentinel always exits without saving
    /// data (it has none); nothing is ever in progress to abort.
    fn shutdown_command(&mut self, args: &[Vec<u8>]) -> Value {
        let (mut save, mut nosave, mut other, mut abort) = (false, false, false, false);
        for a in &args[1..] {
            match text(a).to_ascii_lowercase().as_str() {
                "nosave" => nosave = true,
                "save" => save = true,
                "now" | "force" => other = true,
                "abort" => abort = true,
                _ => return Value::err("ERR syntax error"),
            }
        }
        if (abort && (save || nosave || other)) || (save && nosave) {
            return Value::err("ERR syntax error");
        }
        if abort {
            return Value::err("ERR No shutdown in progress.");
        }
        self.ctx
            .log_text(Level::Warning, None, "User requested shutdown...".into());
        self.ctx
            .log_text(Level::Warning, None, "Sentinel is now ready to exit, bye bye...".into());
        self.ctx.exit(0);
        Value::ok()
    }

    fn info_command(&self, args: &[Vec<u8>], client: &ClientInfo, now: Ms) -> Value {
        let sections: Vec<String> = args[1..].iter().map(|a| text(a).to_ascii_lowercase()).collect();
        let all = sections.is_empty()
            || sections
                .iter()
                .any(|s| s == "all" || s == "default" || s == "everything");
        let want = |s: &str| all || sections.iter().any(|x| x == s);
        let mut out = String::new();
        let mut section = |name: &str, body: String| {
            if !out.is_empty() {
                out.push_str("\r\n");
            }
            out.push_str(&format!("# {name}\r\n{body}"));
        };
        if want("server") {
            let uptime_s = ((now - self.start_time) / 1000).max(0);
            section(
                "Server",
                format!(
                    "redis_version:7.0.15\r\nredis_git_sha1:00000000\r\nredis_git_dirty:0\r\nredis_build_id:0\r\nredis_mode:sentinel\r\nos:{}\r\narch_bits:64\r\nmonotonic_clock:POSIX clock_gettime\r\nmultiplexing_api:epoll\r\natomicvar_api:c11-builtin\r\ngcc_version:0.0.0\r\nprocess_id:{}\r\nprocess_supervised:no\r\nrun_id:{}\r\ntcp_port:{}\r\nserver_time_usec:{}\r\nuptime_in_seconds:{}\r\nuptime_in_days:{}\r\nhz:10\r\nconfigured_hz:10\r\nlru_clock:0\r\nexecutable:{}\r\nconfig_file:{}\r\nio_threads_active:0\r\n",
                    self.ctx.process.os,
                    self.ctx.process.pid,
                    self.process_run_id,
                    self.ctx.port,
                    now.max(0) as i128 * 1000,
                    uptime_s,
                    uptime_s / 86_400,
                    self.ctx.process.executable,
                    self.ctx.process.config_file,
                ),
            );
        }
        if want("clients") {
            section(
                "Clients",
                format!("connected_clients:{}\r\ncluster_connections:0\r\nmaxclients:{}\r\nclient_recent_max_input_buffer:0\r\nclient_recent_max_output_buffer:0\r\nblocked_clients:0\r\ntracking_clients:0\r\nclients_in_timeout_table:0\r\n", client.connected_clients, self.ctx.process.max_clients),
            );
        }
        if want("cpu") {
            section("CPU", "used_cpu_sys:0.000000\r\nused_cpu_user:0.000000\r\nused_cpu_sys_children:0.000000\r\nused_cpu_user_children:0.000000\r\nused_cpu_sys_main_thread:0.000000\r\nused_cpu_user_main_thread:0.000000\r\n".into());
        }
        if want("stats") {
            section(
                "Stats",
                "total_connections_received:0\r\ntotal_commands_processed:0\r\n".into(),
            );
        }
        if want("sentinel") {
            let mut body = format!(
                "sentinel_masters:{}\r\nsentinel_tilt:{}\r\nsentinel_tilt_since_seconds:{}\r\nsentinel_running_scripts:{}\r\nsentinel_scripts_queue_length:{}\r\nsentinel_simulate_failure_flags:{}\r\n",
                self.masters.len(),
                self.ctx.tilt as u8,
                if self.ctx.tilt { (now - self.ctx.tilt_start_time) / 1000 } else { -1 },
                self.ctx.scripts.running(),
                self.ctx.scripts.queue_len(),
                self.ctx.simfailure_flags
            );
            for (n, m) in self.masters.values().enumerate() {
                let status = if m.inst.has(flag::O_DOWN) {
                    "odown"
                } else if m.inst.has(flag::S_DOWN) {
                    "sdown"
                } else {
                    "ok"
                };
                // The master's own address: unlike GET-MASTER-ADDR-BY-NAME, INFO shows the
                // promoted replica only from +switch-master on.
                let (ip, port) = (&m.inst.ip, m.inst.port);
                body.push_str(&format!(
                    "master{}:name={},status={},address={}:{},slaves={},sentinels={}\r\n",
                    n,
                    m.name(),
                    status,
                    ip,
                    port,
                    m.slaves.len(),
                    m.sentinels.len() + 1
                ));
            }
            section("Sentinel", body);
        }
        Value::Bulk(out.into_bytes())
    }

    fn sentinel_command(&mut self, args: &[Vec<u8>], now: Ms) -> Value {
        if args.len() < 2 {
            return arity_error("sentinel");
        }
        let sub = text(&args[1]).to_ascii_lowercase();
        let n = args.len();
        let arg = |i: usize| text(&args[i]);
        match (sub.as_str(), n) {
            ("masters", 2) => Value::Array(
                self.masters
                    .values()
                    .map(|m| instance_map(&self.ctx, Some(m), &m.inst, now))
                    .collect(),
            ),
            ("master" | "replicas" | "slaves" | "sentinels", 3) => self.records_command(&sub, &arg(2), now),
            ("get-master-addr-by-name", 3) => match self.masters.get(&arg(2)) {
                Some(m) => {
                    let (ip, port) = m.current_addr();
                    Value::bulks([self.ctx.announce_addr(&ip), port.to_string()])
                }
                None => Value::NilArray,
            },
            ("is-master-down-by-addr", 6) => self.is_master_down_by_addr(args, now),
            ("reset", 3) => self.reset_command(&args[2], now),
            ("failover", 3) => self.failover_command(&arg(2), now),
            ("ckquorum", 3) => self.ckquorum_command(&arg(2)),
            ("flushconfig", 2) => {
                self.ctx.flush_config();
                Value::ok()
            }
            ("monitor", 6) => self.monitor_command(args, now),
            ("remove", 3) => self.remove_command(&arg(2), now),
            ("set", n) if n >= 3 => self.set_command(args, now),
            ("config", 4) if arg(2).eq_ignore_ascii_case("get") => self.config_get(&args[3]),
            ("config", 5) if arg(2).eq_ignore_ascii_case("set") => self.config_set(&arg(3), &arg(4)),
            ("config", _) => Value::err("ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported."),
            ("info-cache", _) => self.info_cache(&args[2..], now),
            ("simulate-failure", _) => self.simulate_failure(&args[2..]),
            ("myid", 2) => Value::bulk(&self.ctx.myid),
            ("debug", 2) => self.debug_get(),
            ("debug", n) if n % 2 == 0 => self.debug_set(&args[2..]),
            ("pending-scripts", 2) => crate::scripts::pending_reply(&self.ctx.scripts, now),
            ("help", 2) => Value::Array(HELP.iter().map(|l| Value::simple(*l)).collect()),
            (
                "masters"
                | "master"
                | "replicas"
                | "slaves"
                | "sentinels"
                | "get-master-addr-by-name"
                | "is-master-down-by-addr"
                | "reset"
                | "failover"
                | "ckquorum"
                | "flushconfig"
                | "monitor"
                | "remove"
                | "myid"
                | "debug"
                | "pending-scripts"
                | "help"
                | "set",
                _,
            ) => Value::err(format!("ERR wrong number of arguments for 'sentinel|{sub}' command")),
            _ => Value::err(format!("ERR unknown subcommand '{}'. Try SENTINEL HELP.", arg(1))),
        }
    }

    /// SENTINEL MASTER / REPLICAS (SLAVES) / SENTINELS <name>.
    fn records_command(&self, sub: &str, name: &str, now: Ms) -> Value {
        let Some(m) = self.masters.get(name) else {
            return no_such_master();
        };
        match sub {
            "master" => instance_map(&self.ctx, Some(m), &m.inst, now),
            "sentinels" => Value::Array(
                m.sentinels
                    .values()
                    .map(|s| instance_map(&self.ctx, Some(m), s, now))
                    .collect(),
            ),
            // Replicas that asked not to be announced (replica-announced no) are left out.
            _ => Value::Array(
                m.slaves
                    .values()
                    .filter(|s| s.replica_announced)
                    .map(|s| instance_map(&self.ctx, Some(m), s, now))
                    .collect(),
            ),
        }
    }

    /// SENTINEL RESET <pattern>: the number of masters reset.
    fn reset_command(&mut self, pattern: &[u8], now: Ms) -> Value {
        let mut count = 0;
        let names: Vec<String> = self.masters.keys().cloned().collect();
        for name in names {
            if glob_match(pattern, name.as_bytes(), false) {
                if let Some(m) = self.masters.get_mut(&name) {
                    failover::reset_master(&mut self.ctx, m, false, true, now);
                    count += 1;
                }
            }
        }
        Value::Int(count)
    }

    /// SENTINEL FAILOVER <name>: a forced failover, without agreement.
    fn failover_command(&mut self, name: &str, now: Ms) -> Value {
        let Some(m) = self.masters.get_mut(name) else {
            return no_such_master();
        };
        if m.inst.has(flag::FAILOVER_IN_PROGRESS) {
            return Value::err("INPROG Failover already in progress");
        }
        if failover::select_slave(&self.ctx, m, now).is_none() {
            return Value::err("NOGOODSLAVE No suitable replica to promote");
        }
        let body = EventBody::UserFailover {
            master: name.to_string(),
        };
        self.ctx.log(Level::Warning, Some(m), body);
        failover::start(&mut self.ctx, m, now);
        m.inst.flags |= flag::FORCE_FAILOVER;
        Value::ok()
    }

    /// SENTINEL CKQUORUM <name>.
    fn ckquorum_command(&self, name: &str) -> Value {
        let Some(m) = self.masters.get(name) else {
            return no_such_master();
        };
        let voters = m.sentinels.len() + 1;
        let usable = 1 + m
            .sentinels
            .values()
            .filter(|s| !s.has(flag::S_DOWN | flag::O_DOWN))
            .count();
        let mut problems: Vec<&str> = Vec::new();
        if usable < m.quorum as usize {
            problems.push("Not enough available Sentinels to reach the specified quorum for this master");
        }
        if usable < voters / 2 + 1 {
            problems.push("Not enough available Sentinels to reach the majority and authorize a failover");
        }
        if problems.is_empty() {
            Value::simple(format!(
                "OK {usable} usable Sentinels. Quorum and failover authorization can be reached"
            ))
        } else {
            Value::err(format!("NOQUORUM {usable} usable Sentinels. {}", problems.join(". ")))
        }
    }

    /// SENTINEL REMOVE <name>.
    fn remove_command(&mut self, name: &str, now: Ms) -> Value {
        let Some(mut m) = self.masters.remove(name) else {
            return no_such_master();
        };
        self.ctx
            .emit(Some(&m), EventBody::about(EventKind::Unmonitor, master_subject(&m)));
        failover::reset_master(&mut self.ctx, &mut m, false, false, now);
        self.ctx.flush_config();
        Value::ok()
    }

    /// SENTINEL CONFIG GET <pattern>: the six global parameters matching the glob.
    fn config_get(&self, pat: &[u8]) -> Value {
        let c = &self.ctx;
        let yes_no = |b: bool| if b { "yes" } else { "no" }.to_string();
        let params: [(&str, String); 6] = [
            ("resolve-hostnames", yes_no(c.resolve_hostnames)),
            ("announce-hostnames", yes_no(c.announce_hostnames)),
            ("announce-ip", c.announce_ip.clone().unwrap_or_default()),
            ("announce-port", c.announce_port.to_string()),
            ("sentinel-user", c.sentinel_user.clone().unwrap_or_default()),
            ("sentinel-pass", c.sentinel_pass.clone().unwrap_or_default()),
        ];
        Value::Map(
            params
                .into_iter()
                .filter(|(k, _)| glob_match(pat, k.as_bytes(), true))
                .map(|(k, v)| (Value::bulk(k), Value::bulk(v)))
                .collect(),
        )
    }

    /// SENTINEL INFO-CACHE [name ...]: each master's and replicas' last INFO, with its age.
    fn info_cache(&self, names: &[Vec<u8>], now: Ms) -> Value {
        let names: Vec<String> = if names.is_empty() {
            self.masters.keys().cloned().collect()
        } else {
            names.iter().map(|a| text(a)).collect()
        };
        let mut out = Vec::new();
        for name in names {
            let Some(m) = self.masters.get(&name) else { continue };
            let mut infos = vec![info_entry(&m.inst, m.inst.info_refresh, now)];
            for s in m.slaves.values() {
                infos.push(info_entry(s, m.inst.info_refresh, now));
            }
            out.push(Value::bulk(&name));
            out.push(Value::Array(infos));
        }
        Value::Array(out)
    }

    /// SENTINEL SIMULATE-FAILURE [crash-after-election] [crash-after-promotion] [help].
    fn simulate_failure(&mut self, opts: &[Vec<u8>]) -> Value {
        let mut flags = 0;
        for a in opts {
            match text(a).to_ascii_lowercase().as_str() {
                "crash-after-election" => flags |= SIMFAILURE_CRASH_AFTER_ELECTION,
                "crash-after-promotion" => flags |= SIMFAILURE_CRASH_AFTER_PROMOTION,
                "help" => return Value::bulks(["crash-after-election", "crash-after-promotion"]),
                _ => return Value::err("ERR Unknown failure simulation specified"),
            }
        }
        self.ctx.simfailure_flags = flags;
        Value::ok()
    }

    /// SENTINEL DEBUG: the 13 configurable periods (ms).
    fn debug_get(&self) -> Value {
        let p = &self.ctx.periods;
        let kv: [(&str, Ms); 13] = [
            ("INFO-PERIOD", p.info_period),
            ("PING-PERIOD", p.ping_period),
            ("ASK-PERIOD", p.ask_period),
            ("PUBLISH-PERIOD", p.publish_period),
            ("DEFAULT-DOWN-AFTER", p.default_down_after),
            ("DEFAULT-FAILOVER-TIMEOUT", p.default_failover_timeout),
            ("TILT-TRIGGER", p.tilt_trigger),
            ("TILT-PERIOD", p.tilt_period),
            ("SLAVE-RECONF-TIMEOUT", p.slave_reconf_timeout),
            ("MIN-LINK-RECONNECT-PERIOD", p.min_link_reconnect_period),
            ("ELECTION-TIMEOUT", p.election_timeout),
            ("SCRIPT-MAX-RUNTIME", p.script_max_runtime),
            ("SCRIPT-RETRY-DELAY", p.script_retry_delay),
        ];
        Value::Map(
            kv.iter()
                .map(|(k, v)| (Value::bulk(k), Value::bulk(v.to_string())))
                .collect(),
        )
    }

    /// SENTINEL DEBUG <param> <value> ...: each value > 0; pairs before an error stay set.
    fn debug_set(&mut self, pairs: &[Vec<u8>]) -> Value {
        for pair in pairs.chunks(2) {
            let key = text(&pair[0]).to_ascii_lowercase();
            let Ok(v) = text(&pair[1]).parse::<Ms>() else {
                return Value::err(format!(
                    "ERR Invalid argument '{}' for SENTINEL DEBUG '{}'",
                    text(&pair[1]),
                    key
                ));
            };
            if v <= 0 {
                return Value::err(format!("ERR Invalid argument '{}' for SENTINEL DEBUG '{}'", v, key));
            }
            let p = &mut self.ctx.periods;
            let slot = match key.as_str() {
                "info-period" => &mut p.info_period,
                "ping-period" => &mut p.ping_period,
                "ask-period" => &mut p.ask_period,
                "publish-period" => &mut p.publish_period,
                "default-down-after" => &mut p.default_down_after,
                "default-failover-timeout" => &mut p.default_failover_timeout,
                "tilt-trigger" => &mut p.tilt_trigger,
                "tilt-period" => &mut p.tilt_period,
                "slave-reconf-timeout" => &mut p.slave_reconf_timeout,
                "min-link-reconnect-period" => &mut p.min_link_reconnect_period,
                "election-timeout" => &mut p.election_timeout,
                "script-max-runtime" => &mut p.script_max_runtime,
                "script-retry-delay" => &mut p.script_retry_delay,
                _ => {
                    return Value::err(format!(
                        "ERR Unknown option or number of arguments for SENTINEL DEBUG '{key}'"
                    ))
                }
            };
            *slot = v;
        }
        Value::ok()
    }

    fn is_master_down_by_addr(&mut self, args: &[Vec<u8>], now: Ms) -> Value {
        let Ok(port) = text(&args[3]).parse::<i64>() else {
            return Value::err("ERR value is not an integer or out of range");
        };
        let Ok(req_epoch) = text(&args[4]).parse::<i64>() else {
            return Value::err("ERR value is not an integer or out of range");
        };
        let ip = text(&args[2]);
        let runid = text(&args[5]);
        let name = if (0..=65535).contains(&port) {
            self.master_by_addr(&ip, port as u16).map(str::to_string)
        } else {
            None
        };
        let mut down = 0;
        let mut leader: Option<String> = None;
        let mut leader_epoch = 0u64;
        if let Some(name) = name {
            let m = self.masters.get_mut(&name).expect("found by address");
            if !self.ctx.tilt && m.inst.has(flag::S_DOWN) {
                down = 1;
            }
            if runid != "*" {
                let (l, e) = leader::vote(&mut self.ctx, m, req_epoch as u64, &runid, now);
                leader = l;
                leader_epoch = e;
            }
        }
        Value::Array(vec![
            Value::Int(down),
            Value::bulk(leader.unwrap_or_else(|| "*".into())),
            Value::Int(leader_epoch as i64),
        ])
    }

    fn monitor_command(&mut self, args: &[Vec<u8>], now: Ms) -> Value {
        let name = text(&args[2]);
        let ip = text(&args[3]);
        let Ok(quorum) = text(&args[5]).parse::<i64>() else {
            return Value::err("ERR Invalid quorum");
        };
        let Ok(port) = text(&args[4]).parse::<i64>() else {
            return Value::err("ERR Invalid port");
        };
        if quorum <= 0 {
            return Value::err("ERR Quorum must be 1 or greater.");
        }
        if !(1..=65535).contains(&port) {
            return Value::err("ERR Invalid port");
        }
        // A hostname is accepted (and kept as given) only with `resolve-hostnames yes`, and only
        // if it resolves now.
        let usable =
            ip.parse::<std::net::IpAddr>().is_ok() || (self.ctx.resolve_hostnames && (self.ctx.resolve)(&ip).is_some());
        if !usable {
            return Value::err("ERR Invalid IP address or hostname specified");
        }
        if self.masters.contains_key(&name) {
            return Value::err("ERR Duplicate master name.");
        }
        let mut m = Master::new(name.clone(), ip, port as u16, quorum as u32, now);
        m.inst.down_after_period = self.ctx.periods.default_down_after;
        m.failover_timeout = self.ctx.periods.default_failover_timeout;
        let body = EventBody::Monitor {
            subject: master_subject(&m),
            quorum: quorum as u64,
        };
        self.ctx.emit(Some(&m), body);
        self.masters.insert(name, m);
        self.ctx.flush_config();
        Value::ok()
    }

    /// SENTINEL SET <name> <option> <value> [...]: each option applied in turn (`+set`); on an
    /// error the options before it stay applied and are saved (Redis's `seterr`).
    fn set_command(&mut self, args: &[Vec<u8>], _now: Ms) -> Value {
        let name = text(&args[2]);
        let Some(m) = self.masters.get_mut(&name) else {
            return no_such_master();
        };
        let mut changes = 0;
        let mut i = 3;
        let mut result = Value::ok();
        while i < args.len() {
            let opt = text(&args[i]).to_ascii_lowercase();
            let nargs = if opt == "rename-command" { 2 } else { 1 };
            if i + nargs >= args.len() {
                result = unknown_set_option(&opt);
                break;
            }
            let vals: Vec<String> = args[i + 1..=i + nargs].iter().map(|a| text(a)).collect();
            match set_option(&mut self.ctx, m, &opt, &vals) {
                Ok(shown) => {
                    changes += 1;
                    let body = EventBody::Set {
                        subject: master_subject(m),
                        option: opt.clone(),
                        value: shown,
                    };
                    self.ctx.emit(Some(m), body);
                }
                Err(e) => {
                    result = e;
                    break;
                }
            }
            i += 1 + nargs;
        }
        if changes > 0 {
            self.ctx.flush_config();
        }
        result
    }

    fn config_set(&mut self, param: &str, value: &str) -> Value {
        let c = &mut self.ctx;
        let invalid = || Value::err(format!("ERR Invalid value '{value}' to SENTINEL CONFIG SET '{param}'"));
        match param.to_ascii_lowercase().as_str() {
            "resolve-hostnames" | "announce-hostnames" => {
                let v = match value.to_ascii_lowercase().as_str() {
                    "yes" => true,
                    "no" => false,
                    _ => return invalid(),
                };
                if param.eq_ignore_ascii_case("resolve-hostnames") {
                    c.resolve_hostnames = v;
                } else {
                    c.announce_hostnames = v;
                }
            }
            "announce-ip" => {
                c.announce_ip = if value.is_empty() {
                    None
                } else {
                    Some(value.to_string())
                }
            }
            "announce-port" => match value.parse::<u16>() {
                Ok(p) => c.announce_port = p,
                Err(_) => return invalid(),
            },
            "sentinel-user" => {
                c.sentinel_user = if value.is_empty() {
                    None
                } else {
                    Some(value.to_string())
                }
            }
            "sentinel-pass" => {
                c.sentinel_pass = if value.is_empty() {
                    None
                } else {
                    Some(value.to_string())
                }
            }
            _ => return Value::err(format!("ERR Invalid argument '{param}' to SENTINEL CONFIG SET")),
        }
        c.flush_config();
        if param.eq_ignore_ascii_case("sentinel-user") || param.eq_ignore_ascii_case("sentinel-pass") {
            self.drop_sentinel_links();
        }
        Value::ok()
    }

    /// New credentials for the Sentinels: every connected peer link is closed, so that the next
    /// reconnect authenticates with them (Redis's `sentinelDropConnections`).
    fn drop_sentinel_links(&mut self) {
        let mut conns = Vec::new();
        for m in self.masters.values_mut() {
            for s in m.sentinels.values_mut().filter(|s| !s.link.disconnected) {
                conns.extend(s.link.pc.take());
                conns.extend(s.link.cc.take());
                s.link.cc_local_ip = None;
                s.link.disconnected = true;
                s.link.pending_commands = 0;
            }
        }
        for c in conns {
            self.ctx.close(c);
        }
    }
}

fn unknown_set_option(opt: &str) -> Value {
    Value::err(format!(
        "ERR Unknown option or number of arguments for SENTINEL SET '{opt}'"
    ))
}

/// A positive (or, with `zero_ok`, non-negative) number for SENTINEL SET.
fn set_number(val: &str, opt: &str, zero_ok: bool) -> Result<Ms, Value> {
    match val.parse::<Ms>() {
        Ok(v) if v > 0 || (zero_ok && v == 0) => Ok(v),
        _ => Err(Value::err(format!(
            "ERR Invalid argument '{val}' for SENTINEL SET '{opt}'"
        ))),
    }
}

/// Applies one SENTINEL SET option to `m`; returns the value as `+set` shows it.
fn set_option(ctx: &mut Ctx, m: &mut Master, opt: &str, vals: &[String]) -> Result<String, Value> {
    let val = &vals[0];
    match opt {
        "down-after-milliseconds" => {
            let v = set_number(val, opt, false)?;
            m.inst.down_after_period = v;
            for s in m.slaves.values_mut().chain(m.sentinels.values_mut()) {
                s.down_after_period = v;
            }
        }
        "failover-timeout" => m.failover_timeout = set_number(val, opt, false)?,
        "parallel-syncs" => m.parallel_syncs = set_number(val, opt, false)?.min(u32::MAX as Ms) as u32,
        "quorum" => m.quorum = set_number(val, opt, false)?.min(u32::MAX as Ms) as u32,
        "master-reboot-down-after-period" => m.master_reboot_down_after_period = set_number(val, opt, true)?,
        "notification-script" | "client-reconfig-script" => set_script(ctx, m, opt, val)?,
        "auth-pass" | "auth-user" => {
            let v = (!val.is_empty()).then(|| val.clone());
            if opt == "auth-pass" {
                m.auth_pass = v;
            } else {
                m.auth_user = v;
            }
            drop_master_links(ctx, m);
            if opt == "auth-pass" {
                return Ok("******".into());
            }
        }
        "rename-command" => {
            let to = &vals[1];
            if val.eq_ignore_ascii_case(to) {
                m.renamed_commands.remove(&val.to_ascii_lowercase());
            } else {
                m.renamed_commands.insert(val.to_ascii_lowercase(), to.clone());
            }
            return Ok(format!("{val} {to}"));
        }
        _ => return Err(unknown_set_option(opt)),
    }
    Ok(val.clone())
}

/// notification-script / client-reconfig-script: refused when deny-scripts-reconfig is set or
/// the path is not an executable file; empty unsets.
fn set_script(ctx: &Ctx, m: &mut Master, opt: &str, val: &str) -> Result<(), Value> {
    if ctx.deny_scripts_reconfig {
        return Err(Value::err("ERR Reconfiguration of scripts path is denied for security reasons. Check the deny-scripts-reconfig configuration directive in your Sentinel configuration"));
    }
    if !val.is_empty() && !(ctx.script_executable)(val) {
        let what = if opt == "notification-script" {
            "Notification script"
        } else {
            "Client reconfiguration script"
        };
        return Err(Value::err(format!("ERR {what} seems non existing or non executable")));
    }
    let v = (!val.is_empty()).then(|| val.to_string());
    if opt == "notification-script" {
        m.notification_script = v;
    } else {
        m.client_reconfig_script = v;
    }
    Ok(())
}

/// New credentials for a master: every link of it and its replicas is dropped and re-made.
fn drop_master_links(ctx: &mut Ctx, m: &mut Master) {
    let mut conns: Vec<u64> = Vec::new();
    for inst in std::iter::once(&mut m.inst).chain(m.slaves.values_mut()) {
        conns.extend(inst.link.cc.take());
        conns.extend(inst.link.pc.take());
        inst.link.disconnected = true;
        inst.link.pending_commands = 0;
    }
    for c in conns {
        ctx.close(c);
    }
}

/// One `[ms-since-refresh, info-or-null]` pair of INFO-CACHE. A replica's age is reported as 0 when
/// the master itself was never refreshed (a 7.0 quirk, spec §16.8).
fn info_entry(i: &Instance, master_refresh: Ms, now: Ms) -> Value {
    let age = if master_refresh == 0 || i.info_refresh == 0 {
        0
    } else {
        now - i.info_refresh
    };
    Value::Array(vec![
        Value::Int(age),
        match &i.info {
            Some(raw) => Value::bulk(crate::info::cache_text(raw)),
            None => Value::Nil,
        },
    ])
}
