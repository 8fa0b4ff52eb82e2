//! Test helpers shared by the real-tokio and madsim tests: a scripted core, a tiny fake Redis, a
//! RESP client and polling helpers. Everything here runs unchanged on both runtimes.
#![allow(dead_code)]

use resp::Value;
use sentinel::{Action, ClientInfo, ConnId, ConnKind, Core, Event, Level, Ms, ReplyTo};
use sentinel_core::event::EventParseError;
use sentinel_core::{DebugProbe, EventBody, EventKind, ReplyKind, Target};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

// ---------------------------------------------------------------------------------------------
// A scripted core

/// What the scripted core saw, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Rec {
    Started,
    Tick,
    LocalIp(ConnId, String),
    Closed(ConnId),
    Reply(ConnId, ReplyKind, Value),
    Command(Vec<String>, Option<String>, usize),
}

#[derive(Default)]
pub struct Shared {
    pub recs: Mutex<Vec<Rec>>,
}

impl Shared {
    pub fn recs(&self) -> Vec<Rec> {
        self.recs.lock().unwrap().clone()
    }
    pub fn count(&self, pred: impl Fn(&Rec) -> bool) -> usize {
        self.recs.lock().unwrap().iter().filter(|r| pred(r)).count()
    }
    fn push(&self, r: Rec) {
        self.recs.lock().unwrap().push(r);
    }
}

/// A core that, at start, opens a command link (CLIENT SETNAME + PING queued before the
/// connection exists), a pub/sub link (SUBSCRIBE) and a link to a dead port, saves its config and
/// logs its id; it then obeys test commands sent on the sentinel port.
pub struct ScriptCore {
    pub port: u16,
    pub redis_ip: String,
    pub redis_port: u16,
    pub dead_port: u16,
    pub shared: Arc<Shared>,
    pub actions: Vec<Action>,
}

pub fn rt(kind: ReplyKind) -> ReplyTo {
    ReplyTo {
        kind,
        master: "mymaster".into(),
        target: Target::Master,
    }
}

fn bulks(args: &[&str]) -> Vec<Vec<u8>> {
    args.iter().map(|a| a.as_bytes().to_vec()).collect()
}

/// An event as the fake core emits it: a log-only line if `name` is empty, else the typed event
/// `name payload` must read back as.
pub fn event(level: Level, name: &str, payload: &str) -> Result<Event, EventParseError> {
    let body = match EventKind::from_name(name) {
        Some(kind) => EventBody::from_message(kind, payload)?,
        None if name.is_empty() => EventBody::Text(payload.into()),
        None => return Err(EventParseError::UnknownType(name.into())),
    };
    let probe = DebugProbe {
        myid: "0000000000000000000000000000000000000000".into(),
        ..DebugProbe::default()
    };
    Ok(Event { level, body, probe })
}

impl Core for ScriptCore {
    fn port(&self) -> u16 {
        self.port
    }
    fn start(&mut self, _now: Ms) {
        self.shared.push(Rec::Started);
        let ip = self.redis_ip.clone();
        self.actions.push(Action::Connect {
            conn: 1,
            kind: ConnKind::Cmd,
            ip: ip.clone(),
            port: self.redis_port,
        });
        self.actions.push(Action::Send {
            conn: 1,
            args: bulks(&["CLIENT", "SETNAME", "sentinel-00000000-cmd"]),
            reply: rt(ReplyKind::Discard),
        });
        self.actions.push(Action::Send {
            conn: 1,
            args: bulks(&["PING"]),
            reply: rt(ReplyKind::Ping),
        });
        self.actions.push(Action::Connect {
            conn: 2,
            kind: ConnKind::PubSub,
            ip: ip.clone(),
            port: self.redis_port,
        });
        self.actions.push(Action::Send {
            conn: 2,
            args: bulks(&["SUBSCRIBE", "__sentinel__:hello"]),
            reply: rt(ReplyKind::Hello),
        });
        self.actions.push(Action::Connect {
            conn: 3,
            kind: ConnKind::Cmd,
            ip,
            port: self.dead_port,
        });
        self.actions.push(Action::Send {
            conn: 3,
            args: bulks(&["PING"]),
            reply: rt(ReplyKind::Ping),
        });
        self.actions.push(Action::SaveConfig(format!("port {}\n", self.port)));
        self.actions.push(Action::Event(Event {
            level: Level::Warning,
            body: EventBody::SentinelId { myid: "0000".into() },
            probe: DebugProbe::default(),
        }));
    }
    fn tick(&mut self, _now: Ms) -> u64 {
        self.shared.push(Rec::Tick);
        100
    }
    fn on_local_ip(&mut self, conn: ConnId, local_ip: &str, _now: Ms) {
        self.shared.push(Rec::LocalIp(conn, local_ip.to_string()));
    }
    fn on_conn_closed(&mut self, conn: ConnId, _now: Ms) {
        self.shared.push(Rec::Closed(conn));
    }
    fn on_reply(&mut self, conn: ConnId, reply: &ReplyTo, value: &Value, _now: Ms) {
        self.shared.push(Rec::Reply(conn, reply.kind.clone(), value.clone()));
    }
    fn command(&mut self, args: &[Vec<u8>], client: &ClientInfo, _now: Ms) -> Value {
        let mut a: Vec<String> = args.iter().map(|x| String::from_utf8_lossy(x).into_owned()).collect();
        // Test controls travel as `SENTINEL DEBUG <verb> ...` (the port only runs commands of a
        // real Sentinel's table); the verb is what is recorded and run.
        if a.len() > 2 && a[0].eq_ignore_ascii_case("sentinel") && a[1].eq_ignore_ascii_case("debug") {
            a.drain(..2);
        }
        self.shared
            .push(Rec::Command(a.clone(), client.name.clone(), client.connected_clients));
        match a[0].to_ascii_uppercase().as_str() {
            "PING" => Value::simple("PONG"),
            "EMIT" | "DEBUGEVENT" if a.len() == 3 => {
                let level = if a[0].eq_ignore_ascii_case("emit") {
                    Level::Warning
                } else {
                    Level::Debug
                };
                match event(level, &a[1], &a[2]) {
                    Ok(ev) => {
                        self.actions.push(Action::Event(ev));
                        Value::ok()
                    }
                    Err(e) => Value::err(format!("ERR {e}")),
                }
            }
            "SEND" => {
                let conn: ConnId = a[1].parse().unwrap();
                let args = a[2..].iter().map(|s| s.as_bytes().to_vec()).collect();
                self.actions.push(Action::Send {
                    conn,
                    args,
                    reply: rt(ReplyKind::Publish),
                });
                Value::ok()
            }
            "CLOSE" => {
                self.actions.push(Action::Close {
                    conn: a[1].parse().unwrap(),
                });
                Value::ok()
            }
            "EXIT" => {
                self.actions.push(Action::Exit(a[1].parse().unwrap()));
                Value::ok()
            }
            _ => Value::err(format!("ERR unknown command '{}'", a[0])),
        }
    }
    fn take_actions(&mut self) -> Vec<Action> {
        std::mem::take(&mut self.actions)
    }
}

// ---------------------------------------------------------------------------------------------
// A tiny fake Redis master: PING, INFO (role:master), CLIENT, CONFIG, SUBSCRIBE / PUBLISH fan-out.

/// A subscriber of the fake Redis: its channels and its outgoing queue.
type Subscriber = (Vec<Vec<u8>>, mpsc::UnboundedSender<Vec<u8>>);

#[derive(Default)]
struct Bus {
    next: u64,
    subs: BTreeMap<u64, Subscriber>,
}

pub const FAKE_RUN_ID: &str = "8a1f0c9e3b2d4f6a7c8e9d0b1a2c3e4f5a6b7c8d";

/// Serves a fake Redis master on `addr` forever.
pub async fn fake_redis(addr: SocketAddr) {
    let listener = TcpListener::bind(addr).await.expect("bind fake redis");
    serve_fake_redis(listener).await
}

pub async fn serve_fake_redis(listener: TcpListener) {
    let port = listener.local_addr().unwrap().port();
    let bus = Arc::new(Mutex::new(Bus::default()));
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        tokio::spawn(fake_redis_client(stream, bus.clone(), port));
    }
}

async fn fake_redis_client(stream: TcpStream, bus: Arc<Mutex<Bus>>, port: u16) {
    let (tx, mut rx) = mpsc::unbounded_channel::<Vec<u8>>();
    let id = {
        let mut b = bus.lock().unwrap();
        b.next += 1;
        b.next
    };
    let mut c = resp::Conn::new(stream);
    loop {
        tokio::select! {
            biased;
            m = rx.recv() => {
                let Some(m) = m else { break };
                c.queue_raw(&m);
                if c.flush().await.is_err() { break; }
            }
            cmd = c.read_command() => {
                let Ok(args) = cmd else { break };
                let name = String::from_utf8_lossy(&args[0]).to_ascii_uppercase();
                let reply = match name.as_str() {
                    "PING" => Value::simple("PONG"),
                    "INFO" => Value::bulk(format!(
                        "# Server\r\nredis_version:7.0.15\r\nrun_id:{FAKE_RUN_ID}\r\ntcp_port:{port}\r\n\r\n# Replication\r\nrole:master\r\nconnected_slaves:0\r\nmaster_failover_state:no-failover\r\nmaster_replid:3c0ca9926b7901d7d6d6210e1398454f58e682e4\r\nmaster_replid2:0000000000000000000000000000000000000000\r\nmaster_repl_offset:0\r\nsecond_repl_offset:-1\r\n"
                    )),
                    "CLIENT" | "CONFIG" | "AUTH" => Value::ok(),
                    "SUBSCRIBE" => {
                        let mut b = bus.lock().unwrap();
                        let entry = b.subs.entry(id).or_insert_with(|| (Vec::new(), tx.clone()));
                        let mut out = Vec::new();
                        for ch in &args[1..] {
                            if !entry.0.contains(ch) {
                                entry.0.push(ch.clone());
                            }
                            out.push(Value::Array(vec![Value::bulk("subscribe"), Value::Bulk(ch.clone()), Value::Int(entry.0.len() as i64)]));
                        }
                        for v in &out[..out.len() - 1] {
                            c.queue_value(v);
                        }
                        out.pop().unwrap()
                    }
                    "PUBLISH" if args.len() == 3 => {
                        let b = bus.lock().unwrap();
                        let mut n = 0;
                        let msg = Value::Array(vec![Value::bulk("message"), Value::Bulk(args[1].clone()), Value::Bulk(args[2].clone())]).to_bytes();
                        for (chs, stx) in b.subs.values() {
                            if chs.contains(&args[1]) && stx.send(msg.clone()).is_ok() {
                                n += 1;
                            }
                        }
                        Value::Int(n)
                    }
                    _ => Value::err(format!("ERR unknown command '{}'", String::from_utf8_lossy(&args[0]))),
                };
                c.queue_value(&reply);
                if c.flush().await.is_err() { break; }
            }
        }
    }
    bus.lock().unwrap().subs.remove(&id);
}

// ---------------------------------------------------------------------------------------------
// Client side helpers

pub struct Client {
    pub conn: resp::Conn<TcpStream>,
}

impl Client {
    pub async fn connect(addr: SocketAddr) -> Client {
        for _ in 0..200 {
            if let Ok(s) = TcpStream::connect(addr).await {
                return Client {
                    conn: resp::Conn::new(s),
                };
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("cannot connect to {addr}");
    }
    pub async fn cmd(&mut self, args: &[&str]) -> Value {
        self.conn.write_command(args).await.expect("write");
        self.read().await
    }
    pub async fn send_raw(&mut self, bytes: &[u8]) {
        self.conn.queue_raw(bytes);
        self.conn.flush().await.expect("write");
    }
    pub async fn read(&mut self) -> Value {
        tokio::time::timeout(Duration::from_secs(5), self.conn.read_value())
            .await
            .expect("reply timed out")
            .expect("read")
    }
    /// True if the server closed the connection (EOF) within 5 s.
    pub async fn closed(&mut self) -> bool {
        matches!(
            tokio::time::timeout(Duration::from_secs(5), self.conn.read_value()).await,
            Ok(Err(_))
        )
    }
}

pub fn bulk_array(items: &[&str]) -> Value {
    Value::bulks(items)
}

/// Polls `cond` every 10 ms (of the runtime's time) until it holds or `within` elapses.
pub async fn wait_until(within: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if cond() {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

pub struct Recorder {
    pub node: String,
    pub start: tokio::time::Instant,
    pub sink: Arc<Mutex<Vec<(Duration, String, Event)>>>,
}

impl sentinel::SentinelObserver for Recorder {
    fn event(&self, ev: &Event) {
        self.sink
            .lock()
            .unwrap()
            .push((self.start.elapsed(), self.node.clone(), ev.clone()));
    }
}

// ---------------------------------------------------------------------------------------------
// The driver scenario run against a ScriptCore, on real sockets or in the simulator.

pub type EventSink = Arc<Mutex<Vec<(Duration, String, Event)>>>;

fn is_reply(r: &Rec, conn: ConnId, kind: ReplyKind) -> bool {
    matches!(r, Rec::Reply(c, k, _) if *c == conn && *k == kind)
}

/// Everything a client of the sentinel port and the links can observe, checked step by step.
/// `local_ip` is the address the sentinel's links connect from.
/// Payloads of the events the pub/sub test emits through the fake core.
const ODOWN: &str = "master mymaster 127.0.0.1 6382 #quorum 2/2";
const RECONNECT: &str = "master mymaster 127.0.0.1 6382 #Connection refused";

pub async fn driver_checks(
    sentinel: SocketAddr,
    local_ip: &str,
    shared: Arc<Shared>,
    events: EventSink,
    storage: host::MemStorage,
) {
    check_links_at_start(sentinel, local_ip, &shared, &storage).await;
    let (mut c1, my_id) = check_commands(sentinel, &shared).await;
    let mut psub = check_pubsub(sentinel, &mut c1, my_id, &events).await;
    check_pipeline_garbage_and_quit(sentinel, &mut c1).await;
    // CLIENT KILL of another client.
    assert_eq!(c1.cmd(&["CLIENT", "KILL", "TYPE", "pubsub"]).await, Value::Int(1));
    assert!(psub.closed().await);
    check_link_sends(&mut c1, &shared).await;
    check_timer_and_exit(c1, &shared).await;
}

/// Links: commands queued before the connection existed went out once connected, replies are
/// routed in order, the subscription stays at the head of the pub/sub link's queue.
async fn check_links_at_start(sentinel: SocketAddr, local_ip: &str, shared: &Arc<Shared>, storage: &host::MemStorage) {
    let s = || shared.clone();
    let secs = Duration::from_secs;
    assert!(
        wait_until(secs(5), || s().count(|r| is_reply(r, 1, ReplyKind::Ping)) == 1).await,
        "{:?}",
        s().recs()
    );
    assert!(
        wait_until(secs(5), || s().count(|r| is_reply(r, 2, ReplyKind::Hello)) == 1).await,
        "{:?}",
        s().recs()
    );
    assert!(
        wait_until(secs(5), || s().count(|r| *r == Rec::Closed(3)) == 1).await,
        "{:?}",
        s().recs()
    );
    let recs = s().recs();
    assert_eq!(recs[0], Rec::Started);
    // The address may be told twice: by a network that knows it as the connect starts (real
    // TCP: hellos queued on a link still connecting announce it, as Redis's do), then by the
    // established socket.
    let mut conn1: Vec<&Rec> = recs
        .iter()
        .filter(|r| matches!(r, Rec::LocalIp(1, _) | Rec::Reply(1, _, _)))
        .collect();
    conn1.dedup();
    assert_eq!(
        conn1,
        vec![
            &Rec::LocalIp(1, local_ip.to_string()),
            &Rec::Reply(1, ReplyKind::Discard, Value::ok()),
            &Rec::Reply(1, ReplyKind::Ping, Value::simple("PONG")),
        ]
    );
    assert!(recs.contains(&Rec::Reply(
        2,
        ReplyKind::Hello,
        bulk_array(&["subscribe", "__sentinel__:hello"]).with_int(1)
    )));
    // The dead port may get its local address (known once the connect starts), never a reply.
    assert!(
        recs.iter().all(|r| match r {
            Rec::LocalIp(3, ip) => ip == local_ip,
            Rec::Reply(3, ..) => false,
            _ => true,
        }),
        "the dead port never answers: {recs:?}"
    );
    assert_eq!(storage_load(storage), Some(format!("port {}\n", sentinel.port())));
}

/// Commands go through the core with the client's info. Returns the client and its id.
async fn check_commands(sentinel: SocketAddr, shared: &Arc<Shared>) -> (Client, i64) {
    let s = || shared.clone();
    let mut c1 = Client::connect(sentinel).await;
    assert_eq!(c1.cmd(&["PING"]).await, Value::simple("PONG"));
    assert!(c1.cmd(&["CLIENT", "SETNAME", "a b"]).await.is_error());
    assert_eq!(c1.cmd(&["CLIENT", "SETNAME", "tester"]).await, Value::ok());
    assert_eq!(c1.cmd(&["client", "getname"]).await, Value::bulk("tester"));
    assert_eq!(c1.cmd(&["ping"]).await, Value::simple("PONG"));
    assert!(s()
        .recs()
        .contains(&Rec::Command(vec!["ping".into()], Some("tester".into()), 1)));
    assert_eq!(
        c1.cmd(&["CLIENT", "NOPE"]).await,
        Value::err("ERR unknown subcommand 'NOPE'. Try CLIENT HELP.")
    );
    assert_eq!(
        c1.cmd(&["CLIENT", "SETNAME"]).await,
        Value::err("ERR wrong number of arguments for 'client|setname' command")
    );
    assert_eq!(
        c1.cmd(&["SUBSCRIBE"]).await,
        Value::err("ERR wrong number of arguments for 'subscribe' command")
    );
    let Value::Int(my_id) = c1.cmd(&["CLIENT", "ID"]).await else {
        panic!("CLIENT ID")
    };
    (c1, my_id)
}

/// Pub/sub: channel and pattern subscribers. Returns the pattern subscriber, still subscribed.
async fn check_pubsub(sentinel: SocketAddr, c1: &mut Client, my_id: i64, events: &EventSink) -> Client {
    let mut sub = Client::connect(sentinel).await;
    assert_eq!(
        sub.cmd(&["SUBSCRIBE", "+sdown", "+odown"]).await,
        bulk_array(&["subscribe", "+sdown"]).with_int(1)
    );
    assert_eq!(sub.read().await, bulk_array(&["subscribe", "+odown"]).with_int(2));
    let mut psub = Client::connect(sentinel).await;
    assert_eq!(
        psub.cmd(&["PSUBSCRIBE", "*"]).await,
        bulk_array(&["psubscribe", "*"]).with_int(1)
    );
    assert_eq!(
        sub.cmd(&["SENTINEL", "masters"]).await,
        Value::err("ERR Can't execute 'sentinel|masters': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")
    );
    assert_eq!(sub.cmd(&["PING"]).await, bulk_array(&["pong", ""]));
    assert_eq!(sub.cmd(&["PING", "x"]).await, bulk_array(&["pong", "x"]));
    let list = c1.cmd(&["CLIENT", "LIST"]).await;
    let list = list.as_text().unwrap().into_owned();
    assert_eq!(list.lines().count(), 3, "{list}");
    assert!(
        list.contains(&format!("id={my_id} ")) && list.contains("name=tester"),
        "{list}"
    );
    assert!(
        list.contains("flags=P db=0 sub=2 psub=0") && list.contains("flags=P db=0 sub=0 psub=1"),
        "{list}"
    );

    let payload = "master mymaster 127.0.0.1 6382";
    assert_eq!(
        c1.cmd(&["SENTINEL", "DEBUG", "EMIT", "+sdown", payload]).await,
        Value::ok()
    );
    assert_eq!(sub.read().await, bulk_array(&["message", "+sdown", payload]));
    assert_eq!(psub.read().await, bulk_array(&["pmessage", "*", "+sdown", payload]));
    // Debug events are logged only, never published.
    assert_eq!(
        c1.cmd(&["SENTINEL", "DEBUG", "DEBUGEVENT", "-cmd-link-reconnection", RECONNECT])
            .await,
        Value::ok()
    );
    assert_eq!(
        c1.cmd(&["SENTINEL", "DEBUG", "EMIT", "+odown", ODOWN]).await,
        Value::ok()
    );
    assert_eq!(sub.read().await, bulk_array(&["message", "+odown", ODOWN]));
    assert_eq!(psub.read().await, bulk_array(&["pmessage", "*", "+odown", ODOWN]));
    let names: Vec<String> = events.lock().unwrap().iter().map(|(_, _, e)| e.line()).collect();
    assert_eq!(
        names,
        vec![
            "Sentinel ID is 0000",
            &format!("+sdown {payload}"),
            &format!("-cmd-link-reconnection {RECONNECT}"),
            &format!("+odown {ODOWN}"),
        ]
    );

    assert_eq!(
        sub.cmd(&["UNSUBSCRIBE"]).await,
        bulk_array(&["unsubscribe", "+odown"]).with_int(1)
    );
    assert_eq!(sub.read().await, bulk_array(&["unsubscribe", "+sdown"]).with_int(0));
    assert_eq!(sub.cmd(&["PING"]).await, Value::simple("PONG"), "back in normal mode");
    assert_eq!(
        sub.cmd(&["UNSUBSCRIBE"]).await,
        Value::Array(vec![Value::bulk("unsubscribe"), Value::Nil, Value::Int(0)])
    );
    psub
}

/// A pipeline is answered in order; garbage closes that client only; QUIT is unknown.
async fn check_pipeline_garbage_and_quit(sentinel: SocketAddr, c1: &mut Client) {
    c1.send_raw(b"PING\r\n*2\r\n$6\r\nCLIENT\r\n$7\r\nGETNAME\r\nPING\r\n")
        .await;
    assert_eq!(c1.read().await, Value::simple("PONG"));
    assert_eq!(c1.read().await, Value::bulk("tester"));
    assert_eq!(c1.read().await, Value::simple("PONG"));

    // Garbage closes that client only.
    let mut bad = Client::connect(sentinel).await;
    bad.send_raw(b"*1\r\n+PING\r\n").await;
    assert_eq!(
        bad.read().await,
        Value::err("ERR Protocol error: expected '$', got '+'")
    );
    assert!(bad.closed().await);
    // QUIT is not a command of a 7.0 Sentinel (its table entry lacks the sentinel flag).
    let mut quitter = Client::connect(sentinel).await;
    assert_eq!(
        quitter.cmd(&["QUIT"]).await,
        Value::err("ERR unknown command 'QUIT', with args beginning with: ")
    );
    assert_eq!(quitter.cmd(&["PING"]).await, Value::simple("PONG"));
    assert_eq!(c1.cmd(&["PING"]).await, Value::simple("PONG"));
}

/// Sending on an established link: PUBLISH on the command link comes back on the pub/sub link;
/// a link closed by the core is not reported back, and the peer sees it go.
async fn check_link_sends(c1: &mut Client, shared: &Arc<Shared>) {
    let s = || shared.clone();
    let secs = Duration::from_secs;
    let before = s().count(|r| is_reply(r, 2, ReplyKind::Hello));
    assert_eq!(
        c1.cmd(&["SENTINEL", "DEBUG", "SEND", "1", "PUBLISH", "__sentinel__:hello", "hi"])
            .await,
        Value::ok()
    );
    assert!(
        wait_until(secs(5), || s().count(|r| is_reply(r, 2, ReplyKind::Hello))
            == before + 1)
        .await
    );
    assert!(
        wait_until(secs(5), || s().recs().contains(&Rec::Reply(
            1,
            ReplyKind::Publish,
            Value::Int(1)
        )))
        .await
    );
    assert!(s().recs().contains(&Rec::Reply(
        2,
        ReplyKind::Hello,
        bulk_array(&["message", "__sentinel__:hello", "hi"])
    )));

    // A link closed by the core is not reported back, and the peer sees it go.
    assert_eq!(c1.cmd(&["SENTINEL", "DEBUG", "CLOSE", "2"]).await, Value::ok());
    let mut gone = false;
    for _ in 0..100 {
        let n = s().count(|r| is_reply(r, 1, ReplyKind::Publish));
        assert_eq!(
            c1.cmd(&[
                "SENTINEL",
                "DEBUG",
                "SEND",
                "1",
                "PUBLISH",
                "__sentinel__:hello",
                "again"
            ])
            .await,
            Value::ok()
        );
        assert!(wait_until(secs(5), || s().count(|r| is_reply(r, 1, ReplyKind::Publish)) == n + 1).await);
        if s().recs().last() == Some(&Rec::Reply(1, ReplyKind::Publish, Value::Int(0))) {
            gone = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(gone, "the fake redis never saw the pub/sub link close");
    assert!(!s().recs().contains(&Rec::Closed(2)));
}

/// The timer runs at the interval the core returns (100 ms); EXIT stops the node at once.
async fn check_timer_and_exit(mut c1: Client, shared: &Arc<Shared>) {
    let s = || shared.clone();
    let secs = Duration::from_secs;
    let t0 = s().count(|r| *r == Rec::Tick);
    tokio::time::sleep(secs(1)).await;
    let ticks = s().count(|r| *r == Rec::Tick) - t0;
    // (Loose bounds: a loaded machine may run real timers late.)
    assert!((5..=11).contains(&ticks), "{ticks} ticks in 1 s");

    // Exit: the node stops at once; the client gets no reply.
    c1.conn
        .write_command(&["SENTINEL", "DEBUG", "EXIT", "3"])
        .await
        .unwrap();
    assert!(c1.closed().await);
}

fn storage_load(st: &host::MemStorage) -> Option<String> {
    use host::Storage;
    st.load("sentinel.conf")
        .ok()
        .map(|b| String::from_utf8(b).expect("saved configs are text"))
}

pub trait WithInt {
    fn with_int(self, n: i64) -> Value;
}

impl WithInt for Value {
    fn with_int(self, n: i64) -> Value {
        match self {
            Value::Array(mut a) => {
                a.push(Value::Int(n));
                Value::Array(a)
            }
            other => other,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A scripted fake RESP server, for hostile peers: every command is answered by a script, which
// may answer with raw (hostile) bytes. After a hostile answer the connection reads on without
// answering anything, to see whether the other side drops it.

/// What a scripted fake server answers to one command.
pub enum Answer {
    /// A well-formed reply.
    Value(Value),
    /// Raw bytes (a hostile frame): written as they are; the connection then answers nothing.
    Hostile(Vec<u8>),
}

/// Maps a command (its arguments) to the answer.
pub type Script = Arc<dyn Fn(&[Vec<u8>]) -> Answer + Send + Sync>;

/// What a scripted fake server saw.
#[derive(Default)]
pub struct FakeStats {
    /// Connections accepted.
    pub accepted: std::sync::atomic::AtomicUsize,
    /// Command names received (uppercased), in order, over all connections.
    pub commands: Mutex<Vec<String>>,
    /// Hostile answers written.
    pub hostile_sent: std::sync::atomic::AtomicUsize,
    /// Connections the other side ended (EOF, reset, write error) after a hostile answer.
    pub dropped_after_hostile: std::sync::atomic::AtomicUsize,
}

impl FakeStats {
    pub fn accepted(&self) -> usize {
        self.accepted.load(std::sync::atomic::Ordering::SeqCst)
    }
    pub fn hostile_sent(&self) -> usize {
        self.hostile_sent.load(std::sync::atomic::Ordering::SeqCst)
    }
    pub fn dropped(&self) -> usize {
        self.dropped_after_hostile.load(std::sync::atomic::Ordering::SeqCst)
    }
    pub fn saw(&self, name: &str) -> bool {
        self.commands.lock().unwrap().iter().any(|c| c == name)
    }
}

/// Serves `script` on `listener` forever, one task per connection.
pub async fn serve_scripted(listener: TcpListener, script: Script, stats: Arc<FakeStats>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        stats.accepted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        tokio::spawn(scripted_conn(stream, script.clone(), stats.clone()));
    }
}

async fn scripted_conn(stream: TcpStream, script: Script, stats: Arc<FakeStats>) {
    use std::sync::atomic::Ordering::SeqCst;
    let mut c = resp::Conn::new(stream);
    let mut hostile = false;
    loop {
        let Ok(args) = c.read_command().await else {
            break;
        };
        let name = String::from_utf8_lossy(&args[0]).to_ascii_uppercase();
        stats.commands.lock().unwrap().push(name);
        if hostile {
            continue;
        }
        match script(&args) {
            Answer::Value(v) => c.queue_value(&v),
            Answer::Hostile(bytes) => {
                hostile = true;
                stats.hostile_sent.fetch_add(1, SeqCst);
                c.queue_raw(&bytes);
            }
        }
        if c.flush().await.is_err() {
            break;
        }
    }
    // The fake never closes a connection itself: whatever ended it was the other side.
    if hostile {
        stats.dropped_after_hostile.fetch_add(1, SeqCst);
    }
}

/// ~200 KB of `*1\r\n`: an array nested 51 200 levels deep, never finished.
pub fn nesting_bomb() -> Vec<u8> {
    b"*1\r\n".repeat(51_200)
}

/// A bulk string declared 2 GB long, with no payload.
pub const HUGE_BULK: &[u8] = b"$2147483647\r\n";

/// An INFO reply of a master with `extra` lines appended to its replication section.
pub fn master_info(run_id: &str, port: u16, extra: &str) -> Value {
    Value::bulk(format!(
        "# Server\r\nredis_version:7.0.15\r\nrun_id:{run_id}\r\ntcp_port:{port}\r\n\r\n# Replication\r\nrole:master\r\n{extra}master_failover_state:no-failover\r\nmaster_replid:3c0ca9926b7901d7d6d6210e1398454f58e682e4\r\nmaster_replid2:0000000000000000000000000000000000000000\r\nmaster_repl_offset:0\r\nsecond_repl_offset:-1\r\n"
    ))
}

/// How a well-behaved master answers a Sentinel (PING, INFO, SUBSCRIBE, PUBLISH, the rest OK).
pub fn master_answer(args: &[Vec<u8>], port: u16) -> Value {
    match String::from_utf8_lossy(&args[0]).to_ascii_uppercase().as_str() {
        "PING" => Value::simple("PONG"),
        "INFO" => master_info(FAKE_RUN_ID, port, "connected_slaves:0\r\n"),
        "SUBSCRIBE" => Value::Array(vec![
            Value::bulk("subscribe"),
            Value::Bulk(args.get(1).cloned().unwrap_or_default()),
            Value::Int(1),
        ]),
        "PUBLISH" => Value::Int(0),
        _ => Value::ok(),
    }
}

/// The value after `key` in a flat key/value array reply (SENTINEL MASTER and friends).
pub fn kv_field(v: &Value, key: &str) -> Option<String> {
    let a = v.as_array()?;
    a.chunks(2)
        .find(|p| p.len() == 2 && p[0].as_text().as_deref() == Some(key))
        .and_then(|p| p[1].as_text().map(|t| t.into_owned()))
}

/// The host of one of our Sentinels in a test: the system clock, direct dialing, `storage` for its
/// sentinel.conf, and a recorder of its events into `sink`.
pub fn ours_env(storage: host::MemStorage, sink: EventSink) -> sentinel::Env {
    sentinel::Env {
        clock: Arc::new(host::SystemClock),
        net: Arc::new(host::TcpNet),
        storage: Arc::new(storage),
        observer: Arc::new(Recorder {
            node: "ours".into(),
            start: tokio::time::Instant::now(),
            sink,
        }),
    }
}

// ---------------------------------------------------------------------------------------------
// Real mode on loopback (plain builds): the real core and driver from a sentinel.conf text.

/// A port free on 127.0.0.1 right now.
#[cfg(not(madsim))]
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts our Sentinel (`sentinel::run`) with `conf` in memory storage and `cfg` (bound to
/// 127.0.0.1); returns its task and its address once it accepts connections.
#[cfg(not(madsim))]
pub async fn start_ours(conf: &str, port: u16, cfg: sentinel::NodeConfig) -> (tokio::task::JoinHandle<()>, SocketAddr) {
    let storage = host::MemStorage::new();
    host::Storage::save(&storage, "sentinel.conf", conf).unwrap();
    let env = ours_env(storage, Arc::new(Mutex::new(Vec::new())));
    let cfg = sentinel::NodeConfig {
        bind_ip: "127.0.0.1".into(),
        ..cfg
    };
    let node = tokio::spawn(async move {
        let _ = sentinel::run(cfg, env).await;
    });
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    for _ in 0..200 {
        if TcpStream::connect(addr).await.is_ok() {
            return (node, addr);
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("our Sentinel does not listen on {addr}");
}
