//! A scripted environment for one Sentinel core: fake data nodes and peers that answer the
//! commands the core sends, fake time, and a log of events. No I/O, no runtime.

#![allow(dead_code)]

use resp::Value;
use sentinel_core::{Action, ConnKind, Event, Ms, Options, ReplyKind, ReplyTo, Sentinel};
use std::collections::BTreeMap;

pub const MYID: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
pub const PEER1: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
pub const PEER2: &str = "cccccccccccccccccccccccccccccccccccccccc";

/// A fake data node as the core sees it through INFO.
#[derive(Debug, Clone)]
pub struct FakeNode {
    pub up: bool,
    pub run_id: String,
    pub role_master: bool,
    pub master: Option<(String, u16)>,
    pub link_up: bool,
    pub priority: u32,
    pub offset: u64,
    pub replicas: Vec<(String, u16)>,
    /// When set, the INFO reply verbatim (for hostile or malformed INFO).
    pub raw_info: Option<Vec<u8>>,
    /// Commands received (as text), for assertions.
    pub received: Vec<String>,
}

/// How a fake peer Sentinel answers is-master-down-by-addr.
#[derive(Debug, Clone)]
pub struct FakePeer {
    pub up: bool,
    pub says_down: bool,
    /// The peer votes for the first requester of each epoch.
    pub votes: BTreeMap<u64, String>,
}

pub struct Harness {
    pub s: Sentinel,
    pub now: Ms,
    pub nodes: BTreeMap<u16, FakeNode>,
    pub peers: BTreeMap<u16, FakePeer>,
    pub conns: BTreeMap<u64, (ConnKind, u16)>,
    pub events: Vec<(Ms, Event)>,
    pub saved: Vec<String>,
    /// The exit code, once the core asked to exit (nothing runs after it, as in a process).
    pub exited: Option<i32>,
    /// Replies waiting to be delivered: (conn, reply_to, value).
    pending: Vec<(u64, ReplyTo, Value)>,
    /// Pub/sub subscriptions: connection → the callback every later message goes to.
    subs: BTreeMap<u64, ReplyTo>,
    next_tick: Ms,
}

pub fn info_text(n: &FakeNode, port: u16) -> String {
    let mut s = format!(
        "# Server\r\nrun_id:{}\r\ntcp_port:{}\r\n\r\n# Replication\r\n",
        n.run_id, port
    );
    if n.role_master {
        s.push_str(&format!("role:master\r\nconnected_slaves:{}\r\n", n.replicas.len()));
        for (i, (ip, p)) in n.replicas.iter().enumerate() {
            s.push_str(&format!(
                "slave{i}:ip={ip},port={p},state=online,offset={},lag=0\r\n",
                n.offset
            ));
        }
        s.push_str(&format!("master_repl_offset:{}\r\n", n.offset));
    } else {
        let (h, p) = n.master.clone().unwrap();
        s.push_str(&format!(
            "role:slave\r\nmaster_host:{h}\r\nmaster_port:{p}\r\nmaster_link_status:{}\r\n",
            if n.link_up { "up" } else { "down" }
        ));
        if !n.link_up {
            s.push_str("master_link_down_since_seconds:5\r\n");
        }
        s.push_str(&format!(
            "slave_repl_offset:{}\r\nslave_priority:{}\r\nslave_read_only:1\r\nreplica_announced:1\r\n",
            n.offset, n.priority
        ));
    }
    s
}

pub fn node(run: char, master: Option<u16>, priority: u32) -> FakeNode {
    FakeNode {
        up: true,
        run_id: std::iter::repeat_n(run, 40).collect(),
        role_master: master.is_none(),
        master: master.map(|p| ("127.0.0.1".to_string(), p)),
        link_up: true,
        priority,
        offset: 1000,
        replicas: Vec::new(),
        raw_info: None,
        received: Vec::new(),
    }
}

pub fn seed_config(down_after: Ms, failover_timeout: Ms, quorum: u32, peers: &[(u16, &str)]) -> String {
    let mut c = format!(
        "port 5000\nsentinel myid {MYID}\nsentinel monitor mymaster 127.0.0.1 6382 {quorum}\nsentinel down-after-milliseconds mymaster {down_after}\nsentinel failover-timeout mymaster {failover_timeout}\n"
    );
    for (p, id) in peers {
        c.push_str(&format!("sentinel known-sentinel mymaster 127.0.0.1 {p} {id}\n"));
    }
    c
}

impl Harness {
    /// The seed topology: master 6382, replicas 6383 and 6384, peers 5001/5002 (known from config).
    pub fn seed(seed: u64) -> Harness {
        let cfg = seed_config(3000, 3000, 2, &[(5001, PEER1), (5002, PEER2)]);
        let mut nodes = BTreeMap::new();
        let mut m = node('1', None, 100);
        m.replicas = vec![("127.0.0.1".into(), 6383), ("127.0.0.1".into(), 6384)];
        nodes.insert(6382, m);
        nodes.insert(6383, node('3', Some(6382), 100));
        nodes.insert(6384, node('4', Some(6382), 100));
        let mut peers = BTreeMap::new();
        for p in [5001, 5002] {
            peers.insert(
                p,
                FakePeer {
                    up: true,
                    says_down: false,
                    votes: BTreeMap::new(),
                },
            );
        }
        Harness::new(&cfg, nodes, peers, seed)
    }

    pub fn new(cfg: &str, nodes: BTreeMap<u16, FakeNode>, peers: BTreeMap<u16, FakePeer>, seed: u64) -> Harness {
        let now: Ms = 1_700_000_000_000;
        let mut s = Sentinel::new(cfg, Options::default(), seed, now).expect("config");
        s.start(now);
        let mut h = Harness {
            s,
            now,
            nodes,
            peers,
            conns: BTreeMap::new(),
            events: Vec::new(),
            saved: Vec::new(),
            exited: None,
            pending: Vec::new(),
            subs: BTreeMap::new(),
            next_tick: now,
        };
        h.execute();
        h
    }

    fn execute(&mut self) {
        loop {
            let actions = self.s.take_actions();
            if actions.is_empty() {
                return;
            }
            for a in actions {
                if self.exited.is_some() {
                    return;
                }
                self.apply(a);
            }
        }
    }

    fn reachable(&self, port: u16) -> bool {
        self.nodes
            .get(&port)
            .map(|n| n.up)
            .or_else(|| self.peers.get(&port).map(|p| p.up))
            .unwrap_or(false)
    }

    fn apply(&mut self, a: Action) {
        match a {
            Action::Connect { conn, kind, port, .. } => {
                if self.reachable(port) {
                    self.conns.insert(conn, (kind, port));
                    self.s.on_local_ip(conn, "127.0.0.1", self.now);
                } else {
                    // Connection refused: reported on the next event-loop turn, as hiredis does.
                    self.conns.insert(conn, (kind, 0));
                }
            }
            Action::Close { conn } => {
                self.conns.remove(&conn);
            }
            Action::Event(e) => self.events.push((self.now, e)),
            Action::SaveConfig(c) => self.saved.push(c),
            Action::Exit(code) => self.exited = Some(code),
            // The stories here configure no scripts.
            Action::RunScript { id, .. } => self.s.on_script_spawn_failed(id),
            Action::KillScript { .. } => {}
            Action::Send { conn, args, reply } => {
                let Some(&(_, port)) = self.conns.get(&conn) else {
                    return;
                };
                if port == 0 {
                    return;
                }
                let text: Vec<String> = args.iter().map(|a| String::from_utf8_lossy(a).into_owned()).collect();
                if let Some(v) = self.answer(port, &text, &reply) {
                    self.pending.push((conn, reply, v));
                }
            }
        }
    }

    fn answer(&mut self, port: u16, args: &[String], reply: &ReplyTo) -> Option<Value> {
        let cmd = args[0].to_ascii_uppercase();
        if let Some(p) = self.peers.get_mut(&port) {
            if !p.up {
                return None;
            }
            return Some(match cmd.as_str() {
                "PING" => Value::simple("PONG"),
                "PUBLISH" => Value::Int(1),
                "SENTINEL" => {
                    let epoch: u64 = args[4].parse().unwrap();
                    let runid = &args[5];
                    let (leader, le) = if runid != "*" {
                        let v = p.votes.entry(epoch).or_insert_with(|| runid.clone()).clone();
                        (v, epoch as i64)
                    } else {
                        ("*".to_string(), 0)
                    };
                    Value::Array(vec![
                        Value::Int(p.says_down as i64),
                        Value::bulk(leader),
                        Value::Int(le),
                    ])
                }
                _ => Value::ok(),
            });
        }
        let n = self.nodes.get_mut(&port)?;
        if !n.up {
            return None;
        }
        n.received.push(args.join(" "));
        if reply.kind == ReplyKind::Hello {
            if let Some((&conn, _)) = self
                .conns
                .iter()
                .find(|(_, &(k, p))| k == ConnKind::PubSub && p == port)
            {
                self.subs.insert(conn, reply.clone());
            }
            return Some(Value::Array(vec![
                Value::bulk("subscribe"),
                Value::bulk("__sentinel__:hello"),
                Value::Int(1),
            ]));
        }
        Some(match cmd.as_str() {
            "PING" => Value::simple("PONG"),
            "INFO" => match &n.raw_info {
                Some(raw) => Value::Bulk(raw.clone()),
                None => Value::bulk(info_text(n, port)),
            },
            "PUBLISH" => Value::Int(1),
            "SLAVEOF" => {
                if args[1].eq_ignore_ascii_case("NO") {
                    n.role_master = true;
                    n.master = None;
                } else {
                    n.role_master = false;
                    n.master = Some((args[1].clone(), args[2].parse().unwrap()));
                    n.link_up = true;
                }
                Value::ok()
            }
            _ => Value::ok(),
        })
    }

    /// Kills a data node: its connections close now; reconnects are refused.
    pub fn kill(&mut self, port: u16) {
        if let Some(n) = self.nodes.get_mut(&port) {
            n.up = false;
        }
        let dead: Vec<u64> = self
            .conns
            .iter()
            .filter(|(_, (_, p))| *p == port)
            .map(|(c, _)| *c)
            .collect();
        for c in dead {
            self.conns.remove(&c);
            self.s.on_conn_closed(c, self.now);
        }
        self.execute();
    }

    /// Runs until `until`: ticks at the core's requested intervals, replies delivered 1 ms after
    /// they are sent, refused connections reported 1 ms after the attempt.
    pub fn run_until(&mut self, until: Ms) {
        while self.now < until && self.exited.is_none() {
            if self.next_tick <= self.now {
                let d = self.s.tick(self.now);
                self.next_tick = self.now + d as Ms;
                self.execute();
            }
            self.now += 1;
            let refused: Vec<u64> = self
                .conns
                .iter()
                .filter(|(_, (_, p))| *p == 0)
                .map(|(c, _)| *c)
                .collect();
            for c in refused {
                self.conns.remove(&c);
                self.s.on_conn_closed(c, self.now);
            }
            let batch = std::mem::take(&mut self.pending);
            for (conn, reply, v) in batch {
                if self.conns.contains_key(&conn) {
                    self.s.on_reply(conn, &reply, &v, self.now);
                }
            }
            self.execute();
        }
    }

    /// Steps the wall clock by `delta_ms` without moving the (monotonic) timer schedule, as a
    /// clock jump does to a real process.
    pub fn jump_clock(&mut self, delta_ms: Ms) {
        self.now += delta_ms;
        self.next_tick += delta_ms;
    }

    pub fn run_for(&mut self, ms: Ms) {
        let until = self.now + ms;
        self.run_until(until);
    }

    pub fn lines(&self) -> Vec<String> {
        self.events
            .iter()
            .filter(|(_, e)| !e.name().is_empty())
            .map(|(_, e)| e.line())
            .collect()
    }

    pub fn first(&self, name: &str) -> Option<(Ms, Event)> {
        self.events.iter().find(|(_, e)| e.name() == name).cloned()
    }

    pub fn count(&self, name: &str) -> usize {
        self.events.iter().filter(|(_, e)| e.name() == name).count()
    }

    /// A message on the `__sentinel__:hello` channel of data node `port`, as its pub/sub link
    /// delivers it. False if the Sentinel has no subscription to that node.
    pub fn deliver_hello(&mut self, port: u16, payload: &[u8]) -> bool {
        let sub = self
            .subs
            .iter()
            .find(|(c, _)| self.conns.get(c).is_some_and(|&(_, p)| p == port))
            .map(|(&c, r)| (c, r.clone()));
        let Some((conn, reply)) = sub else { return false };
        let msg = Value::Array(vec![
            Value::bulk("message"),
            Value::bulk("__sentinel__:hello"),
            Value::Bulk(payload.to_vec()),
        ]);
        self.s.on_reply(conn, &reply, &msg, self.now);
        self.execute();
        true
    }

    /// Runs a command; the reply as a RESP2 client reads it (maps flattened).
    pub fn cmd(&mut self, args: &[&str]) -> Value {
        let a: Vec<Vec<u8>> = args.iter().map(|s| s.as_bytes().to_vec()).collect();
        let v = self.s.command(&a, &Default::default(), self.now);
        self.execute();
        v.to_resp2()
    }
}
