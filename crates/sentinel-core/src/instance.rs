//! Instance records (spec §1.2), flags (§1.3) and links (§1.4).

use crate::types::{ConnId, Ms};
use std::collections::BTreeMap;

/// Flags of an instance record, printed in this order by SENTINEL MASTER/REPLICAS/SENTINELS.
pub mod flag {
    pub const MASTER: u32 = 1 << 0;
    pub const SLAVE: u32 = 1 << 1;
    pub const SENTINEL: u32 = 1 << 2;
    pub const S_DOWN: u32 = 1 << 3;
    pub const O_DOWN: u32 = 1 << 4;
    pub const MASTER_DOWN: u32 = 1 << 5;
    pub const FAILOVER_IN_PROGRESS: u32 = 1 << 6;
    pub const PROMOTED: u32 = 1 << 7;
    pub const RECONF_SENT: u32 = 1 << 8;
    pub const RECONF_INPROG: u32 = 1 << 9;
    pub const RECONF_DONE: u32 = 1 << 10;
    pub const FORCE_FAILOVER: u32 = 1 << 11;
    pub const SCRIPT_KILL_SENT: u32 = 1 << 12;
    pub const MASTER_REBOOT: u32 = 1 << 13;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Master,
    Slave,
}

/// A link: the command connection and (masters/replicas) the pub/sub connection, with the
/// timestamps the failure detector reads.
#[derive(Debug, Clone)]
pub struct Link {
    pub cc: Option<ConnId>,
    pub pc: Option<ConnId>,
    pub disconnected: bool,
    pub pending_commands: u32,
    pub cc_conn_time: Ms,
    pub pc_conn_time: Ms,
    pub pc_last_activity: Ms,
    pub last_reconn_time: Ms,
    /// Send time of the oldest unanswered PING; 0 once a valid reply arrived.
    pub act_ping_time: Ms,
    pub last_ping_time: Ms,
    pub last_avail_time: Ms,
    pub last_pong_time: Ms,
    /// Local address of the command connection, for hello when no announce-ip is set.
    pub cc_local_ip: Option<String>,
}

impl Link {
    pub fn new(now: Ms) -> Link {
        Link {
            cc: None,
            pc: None,
            disconnected: true,
            pending_commands: 0,
            cc_conn_time: 0,
            pc_conn_time: 0,
            pc_last_activity: 0,
            last_reconn_time: 0,
            // An instance never reachable must still go SDOWN, so the first PING counts from creation.
            act_ping_time: now,
            last_ping_time: 0,
            last_avail_time: now,
            last_pong_time: now,
            cc_local_ip: None,
        }
    }
}

/// One record: a master, a replica or a peer Sentinel.
#[derive(Debug, Clone)]
pub struct Instance {
    pub flags: u32,
    /// Master: its configured name; replica: `ip:port`; Sentinel: its run id.
    pub name: String,
    pub runid: Option<String>,
    pub ip: String,
    pub port: u16,
    pub link: Link,
    pub last_pub_time: Ms,
    pub last_hello_time: Ms,
    pub last_master_down_reply_time: Ms,
    pub s_down_since_time: Ms,
    pub o_down_since_time: Ms,
    pub down_after_period: Ms,
    pub info_refresh: Ms,
    /// The last INFO reply's first bytes (at most `MAX_INFO_CACHE_BYTES`), as received.
    pub info: Option<Vec<u8>>,
    pub role_reported: Role,
    pub role_reported_time: Ms,
    pub slave_conf_change_time: Ms,
    // Replica fields, from INFO.
    pub master_link_down_time: Ms,
    pub slave_priority: u32,
    pub replica_announced: bool,
    pub slave_reconf_sent_time: Ms,
    pub slave_master_host: Option<String>,
    pub slave_master_port: u16,
    pub slave_master_link_up: bool,
    pub slave_repl_offset: u64,
    /// Sentinel records: the vote that peer reported (`leader`, `leader_epoch`).
    pub leader: Option<String>,
    pub leader_epoch: u64,
}

impl Instance {
    pub fn new(flags: u32, name: String, ip: String, port: u16, down_after_period: Ms, now: Ms) -> Instance {
        Instance {
            flags,
            name,
            runid: None,
            ip,
            port,
            link: Link::new(now),
            last_pub_time: now,
            last_hello_time: now,
            last_master_down_reply_time: now,
            s_down_since_time: 0,
            o_down_since_time: 0,
            down_after_period,
            info_refresh: 0,
            info: None,
            role_reported: if flags & flag::SLAVE != 0 {
                Role::Slave
            } else {
                Role::Master
            },
            role_reported_time: now,
            slave_conf_change_time: now,
            master_link_down_time: 0,
            slave_priority: 100,
            replica_announced: true,
            slave_reconf_sent_time: 0,
            slave_master_host: None,
            slave_master_port: 0,
            slave_master_link_up: false,
            slave_repl_offset: 0,
            leader: None,
            leader_epoch: 0,
        }
    }

    pub fn has(&self, f: u32) -> bool {
        self.flags & f != 0
    }

    pub fn type_str(&self) -> &'static str {
        if self.has(flag::MASTER) {
            "master"
        } else if self.has(flag::SLAVE) {
            "slave"
        } else {
            "sentinel"
        }
    }

    /// `ip:port` (`[v6]:port` for IPv6), the name of a replica at this address.
    pub fn addr_name(&self) -> String {
        addr_name(&self.ip, self.port)
    }

    /// The `flags` field of SENTINEL MASTER/REPLICAS/SENTINELS (spec §1.3 order).
    pub fn flags_string(&self) -> String {
        let mut out: Vec<&str> = Vec::new();
        let table: [(u32, &str); 5] = [
            (flag::S_DOWN, "s_down"),
            (flag::O_DOWN, "o_down"),
            (flag::MASTER, "master"),
            (flag::SLAVE, "slave"),
            (flag::SENTINEL, "sentinel"),
        ];
        for (f, s) in table {
            if self.has(f) {
                out.push(s);
            }
        }
        if self.link.disconnected {
            out.push("disconnected");
        }
        let table: [(u32, &str); 9] = [
            (flag::MASTER_DOWN, "master_down"),
            (flag::FAILOVER_IN_PROGRESS, "failover_in_progress"),
            (flag::PROMOTED, "promoted"),
            (flag::RECONF_SENT, "reconf_sent"),
            (flag::RECONF_INPROG, "reconf_inprog"),
            (flag::RECONF_DONE, "reconf_done"),
            (flag::FORCE_FAILOVER, "force_failover"),
            (flag::SCRIPT_KILL_SENT, "script_kill_sent"),
            (0, ""),
        ];
        for (f, s) in table {
            if f != 0 && self.has(f) {
                out.push(s);
            }
        }
        out.join(",")
    }

    /// "No SDOWN/ODOWN entered within the last `ms`" (measured from entering the down state).
    pub fn no_down_for(&self, ms: Ms, now: Ms) -> bool {
        let most_recent = self.s_down_since_time.max(self.o_down_since_time);
        most_recent == 0 || now.saturating_sub(most_recent) > ms
    }
}

pub fn addr_name(ip: &str, port: u16) -> String {
    if ip.contains(':') {
        format!("[{ip}]:{port}")
    } else {
        format!("{ip}:{port}")
    }
}

/// Failover states (spec §6), in order: aborts are only allowed up to WaitPromotion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FailoverState {
    None,
    WaitStart,
    SelectSlave,
    SendSlaveofNoone,
    WaitPromotion,
    ReconfSlaves,
    UpdateConfig,
}

impl FailoverState {
    /// Whether the state machine may go from `self` to `next`: one step forward at a time, or
    /// back to `None` (abort, end, reset).
    pub fn may_go_to(self, next: FailoverState) -> bool {
        use FailoverState::*;
        matches!(
            (self, next),
            (_, None)
                | (None, WaitStart)
                | (WaitStart, SelectSlave)
                | (SelectSlave, SendSlaveofNoone)
                | (SendSlaveofNoone, WaitPromotion)
                | (WaitPromotion, ReconfSlaves)
                | (ReconfSlaves, UpdateConfig)
        )
    }

    pub fn name(self) -> &'static str {
        match self {
            FailoverState::None => "none",
            FailoverState::WaitStart => "wait_start",
            FailoverState::SelectSlave => "select_slave",
            FailoverState::SendSlaveofNoone => "send_slaveof_noone",
            FailoverState::WaitPromotion => "wait_promotion",
            FailoverState::ReconfSlaves => "reconf_slaves",
            FailoverState::UpdateConfig => "update_config",
        }
    }
}

/// A monitored master with its replica and Sentinel tables and its failover state.
#[derive(Debug, Clone)]
pub struct Master {
    pub inst: Instance,
    /// Replicas by `ip:port`. Sorted maps give a fixed iteration order (Redis uses hash order).
    pub slaves: BTreeMap<String, Instance>,
    /// Peer Sentinels by run id.
    pub sentinels: BTreeMap<String, Instance>,
    pub quorum: u32,
    pub parallel_syncs: u32,
    pub auth_pass: Option<String>,
    pub auth_user: Option<String>,
    pub config_epoch: u64,
    /// My vote for this master and its epoch.
    pub leader: Option<String>,
    pub leader_epoch: u64,
    pub failover_epoch: u64,
    pub failover_state: FailoverState,
    pub failover_state_change_time: Ms,
    pub failover_start_time: Ms,
    pub failover_timeout: Ms,
    pub failover_delay_logged: Ms,
    pub promoted_slave: Option<String>,
    pub master_reboot_down_after_period: Ms,
    pub master_reboot_since_time: Ms,
    pub notification_script: Option<String>,
    pub client_reconfig_script: Option<String>,
    /// `rename-command`: lower-case original name → new name.
    pub renamed_commands: BTreeMap<String, String>,
}

/// At most this many replica records per master: replicas discovered beyond it (from a master's
/// INFO) are ignored and logged. A documented deviation: Redis has no limit, but a data node
/// listing millions of fake replicas must not grow our tables and sentinel.conf without bound.
/// Records loaded from sentinel.conf or created by a failover are not counted against it.
pub const MAX_REPLICAS_PER_MASTER: usize = 1024;
/// At most this many peer Sentinel records per master: Sentinels first heard of (in hello
/// messages) beyond it are ignored and logged. Same deviation and reason as
/// [`MAX_REPLICAS_PER_MASTER`].
pub const MAX_SENTINELS_PER_MASTER: usize = 1024;

pub const DEFAULT_DOWN_AFTER: Ms = 30_000;
pub const DEFAULT_FAILOVER_TIMEOUT: Ms = 180_000;

impl Master {
    pub fn new(name: String, ip: String, port: u16, quorum: u32, now: Ms) -> Master {
        Master {
            inst: Instance::new(flag::MASTER, name, ip, port, DEFAULT_DOWN_AFTER, now),
            slaves: BTreeMap::new(),
            sentinels: BTreeMap::new(),
            quorum,
            parallel_syncs: 1,
            auth_pass: None,
            auth_user: None,
            config_epoch: 0,
            leader: None,
            leader_epoch: 0,
            failover_epoch: 0,
            failover_state: FailoverState::None,
            failover_state_change_time: 0,
            failover_start_time: 0,
            failover_timeout: DEFAULT_FAILOVER_TIMEOUT,
            failover_delay_logged: 0,
            promoted_slave: None,
            master_reboot_down_after_period: 0,
            master_reboot_since_time: 0,
            notification_script: None,
            client_reconfig_script: None,
            renamed_commands: BTreeMap::new(),
        }
    }

    pub fn name(&self) -> &str {
        &self.inst.name
    }

    /// Creates a replica record for `ip:port`; false if one exists already.
    pub fn create_slave(&mut self, ip: &str, port: u16, now: Ms) -> bool {
        let name = addr_name(ip, port);
        if self.slaves.contains_key(&name) {
            return false;
        }
        let inst = Instance::new(
            flag::SLAVE,
            name.clone(),
            ip.to_string(),
            port,
            self.inst.down_after_period,
            now,
        );
        self.slaves.insert(name, inst);
        true
    }

    /// Creates a Sentinel record named by its run id; false if one exists already.
    pub fn create_sentinel(&mut self, runid: &str, ip: &str, port: u16, now: Ms) -> bool {
        if self.sentinels.contains_key(runid) {
            return false;
        }
        let mut inst = Instance::new(
            flag::SENTINEL,
            runid.to_string(),
            ip.to_string(),
            port,
            self.inst.down_after_period,
            now,
        );
        inst.runid = Some(runid.to_string());
        self.sentinels.insert(runid.to_string(), inst);
        true
    }

    /// The address clients should use: the promoted replica's once the failover reached
    /// RECONF_SLAVES (`sentinelGetCurrentMasterAddress`).
    pub fn current_addr(&self) -> (String, u16) {
        if self.inst.has(flag::FAILOVER_IN_PROGRESS) && self.failover_state >= FailoverState::ReconfSlaves {
            if let Some(p) = self.promoted_slave.as_ref().and_then(|n| self.slaves.get(n)) {
                return (p.ip.clone(), p.port);
            }
        }
        (self.inst.ip.clone(), self.inst.port)
    }

    /// The command name to send, after `rename-command` (shared by the master's replicas).
    pub fn map_command(&self, cmd: &str) -> String {
        // Most masters rename nothing: no lowercase copy for them (this runs for every command
        // a Sentinel sends).
        if self.renamed_commands.is_empty() {
            return cmd.to_string();
        }
        match self.renamed_commands.get(&cmd.to_ascii_lowercase()) {
            Some(n) => n.clone(),
            None => cmd.to_string(),
        }
    }
}
