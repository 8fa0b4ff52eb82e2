//! Hostile-peer scenarios against a real Sentinel (the real core behind the driver), written once
//! and run by `hostile.rs` on real loopback sockets and by `sim_hostile.rs` on madsim nodes. A
//! [`World`] says where things live and starts them; every wait is bounded by [`WITHIN`] of the
//! runtime's time (simulated time under madsim).

use crate::common::*;
use resp::Value;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// The bound of every wait.
pub const WITHIN: Duration = Duration::from_secs(10);
/// A well-formed run id for the hellos the tests send.
pub const PEER_RUN_ID: &str = "0123456789abcdef0123456789abcdef01234567";

/// Our Sentinel as a test sees it.
pub struct Ours {
    pub addr: SocketAddr,
    pub storage: host::MemStorage,
    pub events: EventSink,
    /// True while the node task runs (it has neither returned nor panicked).
    pub alive: Arc<dyn Fn() -> bool + Send + Sync>,
}

/// Where the scenario's hosts live and how they are started.
pub trait World {
    /// Where our Sentinel listens (its config's `port`).
    fn ours_addr(&self) -> SocketAddr;
    /// Where the monitored (fake) master listens.
    fn master_addr(&self) -> SocketAddr;
    /// Where a fake Sentinel peer listens.
    fn peer_addr(&self) -> SocketAddr;
    /// An address nothing listens on.
    fn dead_addr(&self) -> SocketAddr;
    /// Starts a scripted fake server on `addr`.
    fn spawn_fake(&self, addr: SocketAddr, script: Script, stats: Arc<FakeStats>);
    /// Starts our Sentinel (`sentinel::run`, the real core) with `conf` as its sentinel.conf.
    fn spawn_ours(&self, conf: &str) -> Ours;
}

fn name_of(args: &[Vec<u8>]) -> String {
    String::from_utf8_lossy(&args[0]).to_ascii_uppercase()
}

/// Our sentinel.conf: monitors the fake master, quorum 2, down-after 1 s, plus `extra` lines.
pub fn base_conf(w: &impl World, extra: &str) -> String {
    let m = w.master_addr();
    format!(
        "port {}\nsentinel monitor mymaster {} {} 2\nsentinel down-after-milliseconds mymaster 1000\n{extra}",
        w.ours_addr().port(),
        m.ip(),
        m.port()
    )
}

/// A well-behaved fake master.
fn spawn_good_master(w: &impl World) -> Arc<FakeStats> {
    let stats = Arc::new(FakeStats::default());
    let port = w.master_addr().port();
    w.spawn_fake(
        w.master_addr(),
        Arc::new(move |args| Answer::Value(master_answer(args, port))),
        stats.clone(),
    );
    stats
}

/// Shortens the periods so that links are (re)made and used within a fraction of a second.
async fn fast_periods(c: &mut Client) {
    let v = c
        .cmd(&[
            "SENTINEL",
            "DEBUG",
            "info-period",
            "100",
            "ping-period",
            "100",
            "publish-period",
            "200",
        ])
        .await;
    assert_eq!(v, Value::ok());
}

/// Sends `args` every 50 ms until `pred` holds on the reply; the last reply either way.
async fn poll_cmd(c: &mut Client, args: &[&str], pred: impl Fn(&Value) -> bool) -> (bool, Value) {
    let deadline = tokio::time::Instant::now() + WITHIN;
    loop {
        let v = c.cmd(args).await;
        if pred(&v) {
            return (true, v);
        }
        if tokio::time::Instant::now() >= deadline {
            return (false, v);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Ours still runs, a new client of its port is served, and its only master is still `mymaster`
/// at the configured address.
async fn assert_intact(w: &impl World, ours: &Ours, pass: Option<&str>) {
    assert!((ours.alive)(), "our Sentinel's node task ended");
    let m = w.master_addr();
    let mut c = Client::connect(ours.addr).await;
    if let Some(pass) = pass {
        assert_eq!(c.cmd(&["AUTH", pass]).await, Value::ok());
    }
    assert_eq!(c.cmd(&["PING"]).await, Value::simple("PONG"));
    assert_eq!(
        c.cmd(&["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"]).await,
        Value::bulks([m.ip().to_string(), m.port().to_string()])
    );
    let master = c.cmd(&["SENTINEL", "MASTER", "mymaster"]).await;
    assert_eq!(kv_field(&master, "name").as_deref(), Some("mymaster"), "{master:?}");
    assert_eq!(kv_field(&master, "ip"), Some(m.ip().to_string()), "{master:?}");
    assert_eq!(kv_field(&master, "port"), Some(m.port().to_string()), "{master:?}");
    let masters = c.cmd(&["SENTINEL", "MASTERS"]).await;
    assert_eq!(masters.as_array().map(|a| a.len()), Some(1), "{masters:?}");
    let events = ours.events.lock().unwrap();
    for (_, _, e) in events.iter() {
        // (The one `+monitor` is the configured master's, at start.)
        let startup = e.name() == "+monitor" && e.payload().starts_with("master mymaster ");
        assert!(
            startup || !matches!(e.name(), "+switch-master" | "+monitor" | "-monitor"),
            "unexpected event {}",
            e.line()
        );
    }
}

/// The stored sentinel.conf after a FLUSHCONFIG: printable, without `bad` substrings, and loadable.
async fn assert_config_sane(ours: &Ours, bad: &[&str]) -> String {
    let mut c = Client::connect(ours.addr).await;
    assert_eq!(c.cmd(&["SENTINEL", "FLUSHCONFIG"]).await, Value::ok());
    let bytes = host::Storage::load(&ours.storage, "sentinel.conf").expect("sentinel.conf saved");
    let text = String::from_utf8(bytes).expect("sentinel.conf is UTF-8");
    for b in bad {
        assert!(!text.contains(b), "sentinel.conf contains {b:?}:\n{text}");
    }
    assert!(
        !text.bytes().any(|b| (b < 0x20 && b != b'\n') || b == 0x7f),
        "sentinel.conf has control characters:\n{text:?}"
    );
    let monitors = text.lines().filter(|l| l.starts_with("sentinel monitor ")).count();
    assert_eq!(monitors, 1, "{text}");
    if let Err(e) = sentinel_core::Sentinel::new(&text, sentinel_core::Options::default(), 0, 0) {
        panic!("the rewritten sentinel.conf does not load back: {e}\n{text}");
    }
    text
}

// ---------------------------------------------------------------------------------------------
// 1. The master answers INFO with a nesting bomb.

pub async fn master_nesting_bomb(w: &impl World) {
    let m = w.master_addr();
    let stats = Arc::new(FakeStats::default());
    let port = m.port();
    w.spawn_fake(
        m,
        Arc::new(move |args| match name_of(args).as_str() {
            "INFO" => Answer::Hostile(nesting_bomb()),
            _ => Answer::Value(master_answer(args, port)),
        }),
        stats.clone(),
    );
    let ours = w.spawn_ours(&base_conf(w, ""));
    let mut c = Client::connect(ours.addr).await;
    fast_periods(&mut c).await;
    // Ours asks for INFO, gets the bomb, drops that connection; it reconnects and asks again.
    assert!(
        wait_until(WITHIN, || stats.dropped() >= 2).await,
        "bombs sent {}, connections dropped {}",
        stats.hostile_sent(),
        stats.dropped()
    );
    assert!(stats.saw("PING") && stats.saw("SUBSCRIBE"));
    assert_intact(w, &ours, None).await;
    assert_config_sane(&ours, &[]).await;
}

// ---------------------------------------------------------------------------------------------
// 2. The master's INFO announces replicas with hostile fields (and has a bad run id).

pub async fn master_hostile_replicas(w: &impl World) {
    let m = w.master_addr();
    let dead = w.dead_addr();
    let bad_run_id = "a".repeat(39);
    let extra = format!(
        "connected_slaves:8\r\n\
         slave0:ip=1.2.3.4\nsentinel monitor evil 1.1.1.1 1 1,port=6380,state=online,offset=0,lag=0\r\n\
         slave1:ip=not-an-ip,port=6380,state=online,offset=0,lag=0\r\n\
         slave2:ip=1.2.3.5,port=0,state=online,offset=0,lag=0\r\n\
         slave3:ip=1.2.3.6,port=70000,state=online,offset=0,lag=0\r\n\
         slave4:ip=1.2.3.7,port=6380\nsentinel monitor evil2 1.1.1.1 1 1,state=online,offset=0,lag=0\r\n\
         slave5:ip=1.2.3.8\rsentinel monitor evil3 1.1.1.1 1 1,port=6380,state=online,offset=0,lag=0\r\n\
         slave6:ip=1.2.3.9 evil4,port=6380,state=online,offset=0,lag=0\r\n\
         slave7:ip={},port={},state=online,offset=0,lag=0\r\n",
        dead.ip(),
        dead.port()
    );
    let info = master_info(&bad_run_id, m.port(), &extra);
    let stats = Arc::new(FakeStats::default());
    let port = m.port();
    w.spawn_fake(
        m,
        Arc::new(move |args| match name_of(args).as_str() {
            "INFO" => Answer::Value(info.clone()),
            _ => Answer::Value(master_answer(args, port)),
        }),
        stats.clone(),
    );
    let ours = w.spawn_ours(&base_conf(w, ""));
    let mut c = Client::connect(ours.addr).await;
    fast_periods(&mut c).await;
    // The one well-formed replica (slave7) shows the INFO was read; none of the others is added.
    let (ok, replicas) = poll_cmd(&mut c, &["SENTINEL", "REPLICAS", "mymaster"], |v| {
        v.as_array().is_some_and(|a| !a.is_empty())
    })
    .await;
    assert!(ok, "the well-formed replica never appeared: {replicas:?}");
    // A few more INFO rounds, then look again.
    let seen = stats.commands.lock().unwrap().iter().filter(|c| *c == "INFO").count();
    assert!(
        wait_until(WITHIN, || stats
            .commands
            .lock()
            .unwrap()
            .iter()
            .filter(|c| *c == "INFO")
            .count()
            >= seen + 3)
        .await
    );
    let replicas = c.cmd(&["SENTINEL", "REPLICAS", "mymaster"]).await;
    let list = replicas.as_array().expect("array");
    assert_eq!(list.len(), 1, "{replicas:?}");
    assert_eq!(kv_field(&list[0], "ip"), Some(dead.ip().to_string()), "{replicas:?}");
    assert_eq!(
        kv_field(&list[0], "port"),
        Some(dead.port().to_string()),
        "{replicas:?}"
    );
    let master = c.cmd(&["SENTINEL", "MASTER", "mymaster"]).await;
    assert_ne!(kv_field(&master, "runid"), Some(bad_run_id.clone()), "{master:?}");
    // (Log-only lines may quote what was rejected; no published event names it.)
    for (_, _, e) in ours.events.lock().unwrap().iter().filter(|(_, _, e)| e.is_published()) {
        let line = e.line();
        assert!(
            !line.contains("evil") && !line.contains("1.2.3.") && !line.contains("not-an-ip"),
            "{line}"
        );
    }
    assert_intact(w, &ours, None).await;
    let text = assert_config_sane(&ours, &["evil", "1.2.3.", "not-an-ip", "70000", &bad_run_id]).await;
    assert!(
        text.contains(&format!(
            "sentinel known-replica mymaster {} {}",
            dead.ip(),
            dead.port()
        )),
        "{text}"
    );
}

// ---------------------------------------------------------------------------------------------
// 3. A client publishes forged hellos on our port.

pub async fn forged_hellos(w: &impl World) {
    spawn_good_master(w);
    let ours = w.spawn_ours(&base_conf(w, ""));
    let m = w.master_addr();
    let d = w.dead_addr();
    let mut c = Client::connect(ours.addr).await;
    let hostile = [
        // The brief's case: a higher config epoch for a master address that is not an IP.
        format!("{},{},{PEER_RUN_ID},1,mymaster,not-an-ip,6379,99", d.ip(), d.port()),
        // A valid new address, but the sender's fields are bad: nothing of it may be used.
        format!("not-an-ip,{},{PEER_RUN_ID},1,mymaster,1.2.3.4,6379,99", d.port()),
        format!("{},70000,{PEER_RUN_ID},1,mymaster,1.2.3.4,6379,99", d.ip()),
        format!(
            "{},{},{},1,mymaster,1.2.3.4,6379,99",
            d.ip(),
            d.port(),
            &PEER_RUN_ID[..39]
        ),
        format!("{},{},{PEER_RUN_ID},1,mymaster,1.2.3.4,0,99", d.ip(), d.port()),
        format!("{},{},{PEER_RUN_ID},-1,mymaster,1.2.3.4,6379,99", d.ip(), d.port()),
        format!(
            "{},{},{PEER_RUN_ID},1,mymaster,1.2.3.4\nsentinel monitor evil 1.1.1.1 1 1,6379,99",
            d.ip(),
            d.port()
        ),
        format!("{},{},{PEER_RUN_ID},1,mymaster,1.2.3.4,6379,99,extra", d.ip(), d.port()),
        format!(
            "{},{},{PEER_RUN_ID},1,mymaster,1.2.3.4,6379,18446744073709551616",
            d.ip(),
            d.port()
        ),
    ];
    for h in &hostile {
        let v = c.cmd(&["PUBLISH", "__sentinel__:hello", h]).await;
        assert!(!v.is_error(), "{h:?}: {v:?}");
    }
    assert_eq!(
        c.cmd(&["SENTINEL", "SENTINELS", "mymaster"]).await,
        Value::Array(Vec::new()),
        "a forged hello added a Sentinel"
    );
    let master = c.cmd(&["SENTINEL", "MASTER", "mymaster"]).await;
    assert_eq!(kv_field(&master, "config-epoch").as_deref(), Some("0"), "{master:?}");
    assert_intact(w, &ours, None).await;

    // A well-formed hello at the largest epochs: adopted, nothing wraps or crashes; the master's
    // address (the same one) is kept.
    let max = u64::MAX;
    let h = format!(
        "{},{},{PEER_RUN_ID},{max},mymaster,{},{},{max}",
        d.ip(),
        d.port(),
        m.ip(),
        m.port()
    );
    assert!(!c.cmd(&["PUBLISH", "__sentinel__:hello", &h]).await.is_error());
    let sentinels = c.cmd(&["SENTINEL", "SENTINELS", "mymaster"]).await;
    assert_eq!(sentinels.as_array().map(|a| a.len()), Some(1), "{sentinels:?}");
    // Once more, then the timer runs a few times with the saturated epochs.
    assert!(!c.cmd(&["PUBLISH", "__sentinel__:hello", &h]).await.is_error());
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_intact(w, &ours, None).await;
    let text = assert_config_sane(&ours, &["evil", "1.2.3.4", "not-an-ip"]).await;
    assert!(text.contains(&format!("sentinel current-epoch {max}")), "{text}");
}

// ---------------------------------------------------------------------------------------------
// 4. A Sentinel peer, announced by a valid hello, answers our link with hostile frames.

pub async fn hostile_sentinel_peer(w: &impl World, frame: Vec<u8>) {
    spawn_good_master(w);
    let p = w.peer_addr();
    let m = w.master_addr();
    let stats = Arc::new(FakeStats::default());
    w.spawn_fake(p, Arc::new(move |_| Answer::Hostile(frame.clone())), stats.clone());
    let ours = w.spawn_ours(&base_conf(w, ""));
    let mut c = Client::connect(ours.addr).await;
    fast_periods(&mut c).await;
    let hello = format!(
        "{},{},{PEER_RUN_ID},0,mymaster,{},{},0",
        p.ip(),
        p.port(),
        m.ip(),
        m.port()
    );
    assert!(!c.cmd(&["PUBLISH", "__sentinel__:hello", &hello]).await.is_error());
    let sentinels = c.cmd(&["SENTINEL", "SENTINELS", "mymaster"]).await;
    assert_eq!(sentinels.as_array().map(|a| a.len()), Some(1), "{sentinels:?}");
    // Ours connects, gets the hostile frame, drops the link; reconnects and gets it again.
    assert!(
        wait_until(WITHIN, || stats.dropped() >= 2).await,
        "hostile frames sent {}, connections dropped {}",
        stats.hostile_sent(),
        stats.dropped()
    );
    assert_intact(w, &ours, None).await;
    let sentinels = c.cmd(&["SENTINEL", "SENTINELS", "mymaster"]).await;
    assert_eq!(sentinels.as_array().map(|a| a.len()), Some(1), "{sentinels:?}");
    assert_config_sane(&ours, &[]).await;
}

// ---------------------------------------------------------------------------------------------
// 5. Clients flooding our port with huge counts or lines.

/// Writes `bytes` on a fresh connection (ignoring write errors: ours may close first), then
/// expects `reply` and the connection closed.
async fn expect_protocol_error(ours: &Ours, bytes: &[u8], reply: &str) {
    let mut bad = Client::connect(ours.addr).await;
    bad.conn.queue_raw(bytes);
    let _ = tokio::time::timeout(WITHIN, bad.conn.flush()).await;
    assert_eq!(bad.read().await, Value::err(reply), "after {} bytes", bytes.len());
    assert!(bad.closed().await, "the client was not disconnected");
}

pub async fn client_floods(w: &impl World) {
    spawn_good_master(w);
    let ours = w.spawn_ours(&base_conf(w, ""));
    let mut bystander = Client::connect(ours.addr).await;
    assert_eq!(bystander.cmd(&["PING"]).await, Value::simple("PONG"));

    expect_protocol_error(
        &ours,
        b"*2147483648\r\n",
        "ERR Protocol error: invalid multibulk length",
    )
    .await;
    expect_protocol_error(
        &ours,
        b"*2147483647\r\n$2147483647\r\n",
        "ERR Protocol error: invalid bulk length",
    )
    .await;
    let inline = vec![b'a'; 1 << 20];
    expect_protocol_error(&ours, &inline, "ERR Protocol error: too big inline request").await;
    let mut count_line = b"*".to_vec();
    count_line.extend(std::iter::repeat_n(b'1', 1 << 20));
    expect_protocol_error(&ours, &count_line, "ERR Protocol error: too big mbulk count string").await;
    assert_eq!(bystander.cmd(&["PING"]).await, Value::simple("PONG"));

    // `*2147483647` itself is a count Redis 7.0.15 accepts (INT_MAX): the client waits for its
    // arguments, and ours must not reserve room for them up front.
    let mut waiting = Client::connect(ours.addr).await;
    waiting.send_raw(b"*2147483647\r\n$4\r\nPING\r\n").await;
    for _ in 0..3 {
        assert_eq!(bystander.cmd(&["PING"]).await, Value::simple("PONG"));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        tokio::time::timeout(Duration::from_millis(500), waiting.conn.read_value())
            .await
            .is_err(),
        "a reply to an unfinished command"
    );
    drop(waiting);
    assert_eq!(bystander.cmd(&["PING"]).await, Value::simple("PONG"));
    assert_intact(w, &ours, None).await;
}

// ---------------------------------------------------------------------------------------------
// 6. requirepass: unauthenticated clients change nothing; ACL users are held to their rights.

pub async fn requirepass_and_acl(w: &impl World) {
    spawn_good_master(w);
    let ours = w.spawn_ours(&base_conf(w, "requirepass secret\n"));
    // The refused client stays connected while the others act, as an attacker's would.
    let _anon = assert_unauthenticated_refused(w, &ours).await;
    let mut admin = assert_admin_has_every_right(&ours).await;
    assert_acl_user_held_to_rights(w, &ours, &mut admin).await;
    // A big multibulk before AUTH: refused at the count, connection closed.
    let mut big = Client::connect(ours.addr).await;
    let mut bytes = b"*20\r\n".to_vec();
    for _ in 0..20 {
        bytes.extend_from_slice(b"$4\r\nPING\r\n");
    }
    big.conn.queue_raw(&bytes);
    let _ = big.conn.flush().await;
    assert_eq!(
        big.read().await,
        Value::err("ERR Protocol error: unauthenticated multibulk length")
    );
    assert!(big.closed().await);
    assert_eq!(admin.cmd(&["PING"]).await, Value::simple("PONG"));
    assert_intact(w, &ours, Some("secret")).await;
    let text = String::from_utf8_lossy(&host::Storage::load(&ours.storage, "sentinel.conf").unwrap()).into_owned();
    assert!(!text.contains("evil"), "{text}");
}

/// Without AUTH (or after a wrong password), every command with effects is refused. Returns the
/// refused client.
async fn assert_unauthenticated_refused(w: &impl World, ours: &Ours) -> Client {
    let d = w.dead_addr();
    let m = w.master_addr();
    let mut anon = Client::connect(ours.addr).await;
    let noauth = Value::err("NOAUTH Authentication required.");
    let hello = format!(
        "{},{},{PEER_RUN_ID},5,mymaster,{},{},5",
        d.ip(),
        d.port(),
        m.ip(),
        m.port()
    );
    let refused: [&[&str]; 9] = [
        &["SENTINEL", "SET", "mymaster", "quorum", "1"],
        &["SENTINEL", "RESET", "*"],
        &["SENTINEL", "FAILOVER", "mymaster"],
        &["SENTINEL", "REMOVE", "mymaster"],
        &["SENTINEL", "CONFIG", "SET", "resolve-hostnames", "yes"],
        &["SENTINEL", "DEBUG", "ping-period", "1"],
        &["SENTINEL", "MONITOR", "evil", "1.1.1.1", "1", "1"],
        &["SENTINEL", "FLUSHCONFIG"],
        &["PUBLISH", "__sentinel__:hello", &hello],
    ];
    for args in refused {
        assert_eq!(anon.cmd(args).await, noauth, "{args:?}");
    }
    assert_eq!(
        anon.cmd(&["AUTH", "wrong"]).await,
        Value::err("WRONGPASS invalid username-password pair or user is disabled.")
    );
    assert_eq!(anon.cmd(&["SENTINEL", "SET", "mymaster", "quorum", "1"]).await, noauth);
    anon
}

/// The requirepass user may read and change everything; nothing refused before had effects.
async fn assert_admin_has_every_right(ours: &Ours) -> Client {
    let mut admin = Client::connect(ours.addr).await;
    assert_eq!(admin.cmd(&["AUTH", "secret"]).await, Value::ok());
    let master = admin.cmd(&["SENTINEL", "MASTER", "mymaster"]).await;
    assert_eq!(kv_field(&master, "quorum").as_deref(), Some("2"), "{master:?}");
    assert_eq!(
        admin.cmd(&["SENTINEL", "SENTINELS", "mymaster"]).await,
        Value::Array(Vec::new())
    );
    let masters = admin.cmd(&["SENTINEL", "MASTERS"]).await;
    assert_eq!(masters.as_array().map(|a| a.len()), Some(1), "{masters:?}");
    let config = admin.cmd(&["SENTINEL", "CONFIG", "GET", "resolve-hostnames"]).await;
    assert_eq!(config, Value::bulks(["resolve-hostnames", "no"]));
    assert!(
        !ours.events.lock().unwrap().iter().any(|(_, _, e)| {
            matches!(e.name(), "+reset-master" | "-monitor" | "+try-failover")
                || (e.name() == "+monitor" && e.payload().contains("evil"))
        }),
        "an unauthenticated command had effects"
    );
    assert_eq!(
        admin.cmd(&["SENTINEL", "SET", "mymaster", "quorum", "1"]).await,
        Value::ok()
    );
    let master = admin.cmd(&["SENTINEL", "MASTER", "mymaster"]).await;
    assert_eq!(kv_field(&master, "quorum").as_deref(), Some("1"), "{master:?}");
    admin
}

/// An ACL user runs only what it was granted; a refusal is logged in ACL LOG and has no effect.
async fn assert_acl_user_held_to_rights(w: &impl World, ours: &Ours, admin: &mut Client) {
    let m = w.master_addr();
    assert_eq!(
        admin
            .cmd(&[
                "ACL",
                "SETUSER",
                "bob",
                "on",
                ">pw",
                "-@all",
                "+ping",
                "+sentinel|get-master-addr-by-name"
            ])
            .await,
        Value::ok()
    );
    let mut bob = Client::connect(ours.addr).await;
    assert_eq!(bob.cmd(&["AUTH", "bob", "pw"]).await, Value::ok());
    assert_eq!(bob.cmd(&["PING"]).await, Value::simple("PONG"));
    assert_eq!(
        bob.cmd(&["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"]).await,
        Value::bulks([m.ip().to_string(), m.port().to_string()])
    );
    assert_eq!(
        bob.cmd(&["SENTINEL", "RESET", "*"]).await,
        Value::err("NOPERM this user has no permissions to run the 'sentinel|reset' command")
    );
    let log = admin.cmd(&["ACL", "LOG"]).await;
    let entries = log.as_array().expect("ACL LOG is an array");
    assert!(
        entries
            .iter()
            .any(|e| kv_field(e, "reason").as_deref() == Some("command")
                && kv_field(e, "object").as_deref() == Some("sentinel|reset")
                && kv_field(e, "username").as_deref() == Some("bob")),
        "{log:?}"
    );
    assert!(
        ours.events
            .lock()
            .unwrap()
            .iter()
            .all(|(_, _, e)| e.name() != "+reset-master"),
        "bob's refused RESET had effects"
    );
}
