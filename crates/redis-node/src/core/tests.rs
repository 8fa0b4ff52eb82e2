use super::*;

const T0_MS: i64 = 1_795_421_586_000;

fn at(s: i64) -> Now {
    Now {
        wall_ms: T0_MS + s * 1000,
        mono_ms: (s * 1000) as u64,
    }
}

fn cfg(port: u16) -> RedisConfig {
    RedisConfig {
        port,
        rng_seed: port as u64,
        ..RedisConfig::default()
    }
}

fn node(cfg: RedisConfig) -> State {
    let mut st = State::new(&cfg, Disk::new(), at(0));
    st.finish_startup();
    st.effects.clear();
    st
}

fn client(st: &mut State) -> u64 {
    st.register_client(
        "127.0.0.1:50000".into(),
        format!("127.0.0.1:{}", st.settings.port),
        at(0),
    )
    .unwrap()
    .0
}

fn args(parts: &[&str]) -> Cmd {
    parts.iter().map(|p| p.as_bytes().to_vec()).collect()
}

/// Runs a command and returns every value written to the client since the last call.
fn run(st: &mut State, cid: u64, parts: &[&str], now: Now) -> Vec<Value> {
    st.process(cid, args(parts), now);
    output(st, cid)
}

fn output(st: &mut State, cid: u64) -> Vec<Value> {
    let mut buf = Vec::new();
    st.take_output(cid, &mut buf);
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < buf.len() {
        let (v, used) = resp::decode_value(&buf[pos..]).unwrap().expect("complete reply");
        out.push(v);
        pos += used;
    }
    out
}

fn one(st: &mut State, cid: u64, parts: &[&str]) -> Value {
    let mut v = run(st, cid, parts, at(0));
    assert_eq!(v.len(), 1, "{parts:?} -> {v:?}");
    v.pop().unwrap()
}

fn text(v: &Value) -> String {
    v.as_text().unwrap().into_owned()
}

fn field_names(section: &str) -> Vec<String> {
    section
        .split("\r\n")
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let name = l.split(':').next().unwrap();
            // slave0, slave1 -> slaveN
            if name.starts_with("slave") && name[5..].chars().all(|c| c.is_ascii_digit()) {
                "slaveN".to_string()
            } else {
                name.to_string()
            }
        })
        .collect()
}

/// A master with two replicas attached and online, as in master-6382-steady.txt.
fn master_with_replicas() -> (State, Vec<u64>) {
    let mut m = node(cfg(6382));
    let mut reps = Vec::new();
    for port in ["6383", "6384"] {
        let r = client(&mut m);
        assert_eq!(one(&mut m, r, &["REPLCONF", "listening-port", port]), Value::ok());
        assert_eq!(one(&mut m, r, &["REPLCONF", "ip-address", "127.0.0.1"]), Value::ok());
        assert_eq!(
            one(&mut m, r, &["REPLCONF", "capa", "eof", "capa", "psync2"]),
            Value::ok()
        );
        // No reply before the delayed snapshot.
        assert!(run(&mut m, r, &["PSYNC", "?", "-1"], at(0)).is_empty());
        reps.push(r);
    }
    assert_eq!(
        m.effects,
        vec![Effect::ScheduleFullSync(5000), Effect::ScheduleFullSync(5000)]
    );
    m.maybe_start_full_sync(at(4));
    assert!(
        output(&mut m, reps[0]).is_empty(),
        "the sync waits for the diskless delay"
    );
    m.maybe_start_full_sync(at(5));
    for &r in &reps {
        let mut buf = Vec::new();
        m.take_output(r, &mut buf);
        let s = String::from_utf8_lossy(&buf);
        assert!(s.starts_with(&format!("+FULLRESYNC {} 0\r\n$", m.repl.replid)), "{s}");
    }
    (m, reps)
}

#[test]
fn info_replication_master_matches_real_field_order() {
    let (mut m, reps) = master_with_replicas();
    let c = client(&mut m);
    assert_eq!(one(&mut m, c, &["SET", "k", "v"]), Value::ok());
    let off = m.repl.offset.to_string();
    for &r in &reps {
        let stream = output(&mut m, r);
        assert_eq!(
            stream,
            vec![Value::bulks(["SELECT", "0"]), Value::bulks(["SET", "k", "v"])]
        );
        m.process(r, args(&["REPLCONF", "ACK", &off]), at(6));
        assert!(output(&mut m, r).is_empty(), "REPLCONF ACK has no reply");
    }
    let info = text(&run(&mut m, c, &["INFO", "replication"], at(7))[0]);
    let real = "# Replication\r\nrole:master\r\nconnected_slaves:2\r\nslave0:ip=127.0.0.1,port=6383,state=online,offset=5632,lag=1\r\nslave1:ip=127.0.0.1,port=6384,state=online,offset=5632,lag=1\r\nmaster_failover_state:no-failover\r\nmaster_replid:3c0ca9926b7901d7d6d6210e1398454f58e682e4\r\nmaster_replid2:0000000000000000000000000000000000000000\r\nmaster_repl_offset:5632\r\nsecond_repl_offset:-1\r\nrepl_backlog_active:1\r\nrepl_backlog_size:1048576\r\nrepl_backlog_first_byte_offset:1\r\nrepl_backlog_histlen:5632\r\n";
    assert_eq!(field_names(&info), field_names(real));
    assert!(
        info.starts_with("# Replication\r\nrole:master\r\nconnected_slaves:2\r\n"),
        "{info}"
    );
    assert!(
        info.contains(&format!(
            "slave0:ip=127.0.0.1,port=6383,state=online,offset={off},lag=1\r\n"
        )),
        "{info}"
    );
    assert!(
        info.contains(&format!(
            "slave1:ip=127.0.0.1,port=6384,state=online,offset={off},lag=1\r\n"
        )),
        "{info}"
    );
    assert!(info.contains(&format!("master_repl_offset:{off}\r\n")));
    assert!(info.contains("repl_backlog_first_byte_offset:1\r\n"));
    assert!(info.contains(&format!("repl_backlog_histlen:{off}\r\n")));
    assert!(info.ends_with("\r\n") && !info.ends_with("\r\n\r\n"));
    // The stream the replicas got starts with SELECT 0 then the SET (byte-exact offsets).
    assert_eq!(
        off,
        (b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n".len() + b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n".len()).to_string()
    );
}

#[test]
fn info_replication_replica_matches_real_field_order() {
    let mut r = node(RedisConfig {
        replica_of: Some(("127.0.0.1".into(), 6382)),
        ..cfg(6383)
    });
    let gen = r.link.gen;
    let c = client(&mut r);
    let down = text(&run(&mut r, c, &["INFO", "replication"], at(1))[0]);
    assert!(down.contains("master_link_status:down\r\n"));
    assert!(
        down.contains("master_link_down_since_seconds:-1\r\n"),
        "never up since the role change: {down}"
    );
    assert!(
        down.contains("slave_repl_offset:1\r\n"),
        "no master nor cached master: {down}"
    );
    assert!(r.link_attempt(gen, Attempt::First).is_some());
    assert!(r.link_handshake(gen));
    assert_eq!(r.link_psync_args(gen), Some(("?".into(), "-1".into())));
    let id = ReplId([b'3'; 40]);
    assert!(r.link_fullresync(gen, id, 815));
    let sync = text(&run(&mut r, c, &["INFO", "replication"], at(2))[0]);
    assert!(sync.contains("master_sync_in_progress:1\r\n"), "{sync}");
    let db = Db::new();
    assert!(r.link_load_begin(gen, id, 815, &db, at(2)).is_some());
    assert!(r.loading);
    assert!(r
        .link_load_finish(gen, id, 815, db, ("127.0.0.1:6382".into(), "x".into()), at(2))
        .is_some());
    let info = text(&run(&mut r, c, &["INFO", "replication"], at(3))[0]);
    let real = "# Replication\r\nrole:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:6382\r\nmaster_link_status:up\r\nmaster_last_io_seconds_ago:1\r\nmaster_sync_in_progress:0\r\nslave_read_repl_offset:5632\r\nslave_repl_offset:5632\r\nslave_priority:100\r\nslave_read_only:1\r\nreplica_announced:1\r\nconnected_slaves:0\r\nmaster_failover_state:no-failover\r\nmaster_replid:3c0ca9926b7901d7d6d6210e1398454f58e682e4\r\nmaster_replid2:0000000000000000000000000000000000000000\r\nmaster_repl_offset:5632\r\nsecond_repl_offset:-1\r\nrepl_backlog_active:1\r\nrepl_backlog_size:1048576\r\nrepl_backlog_first_byte_offset:816\r\nrepl_backlog_histlen:4817\r\n";
    assert_eq!(field_names(&info), field_names(real));
    assert!(
        info.contains("master_link_status:up\r\nmaster_last_io_seconds_ago:1\r\n"),
        "{info}"
    );
    assert!(info.contains("slave_repl_offset:815\r\n"));
    assert!(info.contains("repl_backlog_first_byte_offset:816\r\n"));
    assert!(info.contains(&format!("master_replid:{id}\r\n")));
    // ROLE of a connected replica.
    assert_eq!(
        one(&mut r, c, &["ROLE"]),
        Value::Array(vec![
            Value::bulk("slave"),
            Value::bulk("127.0.0.1"),
            Value::Int(6382),
            Value::bulk("connected"),
            Value::Int(815)
        ])
    );
}

#[test]
fn info_default_sections() {
    let mut m = node(cfg(6382));
    let c = client(&mut m);
    let info = text(&one(&mut m, c, &["INFO"]));
    let headers: Vec<&str> = info.split("\r\n").filter(|l| l.starts_with("# ")).collect();
    assert_eq!(
        headers,
        [
            "# Server",
            "# Clients",
            "# Memory",
            "# Persistence",
            "# Stats",
            "# Replication",
            "# CPU",
            "# Modules",
            "# Errorstats",
            "# Cluster",
            "# Keyspace"
        ]
    );
    assert!(info.starts_with("# Server\r\nredis_version:7.0.15\r\n"));
    assert!(info.contains(&format!("run_id:{}\r\ntcp_port:6382\r\n", m.run_id)));
    assert_eq!(m.run_id.len(), 40);
    assert!(info.contains("\r\n\r\n# Clients\r\n"));
    assert!(info.contains("loading:0\r\n"));
    assert_eq!(text(&one(&mut m, c, &["INFO", "nosuchsection"])), "");
    let two = text(&one(&mut m, c, &["INFO", "replication", "server"]));
    assert!(two.starts_with("# Server\r\n") && two.contains("\r\n\r\n# Replication\r\n"));
}

#[test]
fn run_id_is_new_at_every_start() {
    let disk = Disk::new();
    let a = State::new(&cfg(6382), disk.clone(), at(0)).run_id;
    let b = State::new(&cfg(6382), disk.clone(), at(0)).run_id;
    let c = State::new(&cfg(6382), Disk::new(), at(0)).run_id;
    assert_ne!(a, b);
    assert_eq!(a, c, "deterministic: same seed and same start count");
}

#[test]
fn role_shapes() {
    let (mut m, reps) = master_with_replicas();
    let c = client(&mut m);
    m.process(reps[0], args(&["REPLCONF", "ACK", "0"]), at(6));
    assert_eq!(
        one(&mut m, c, &["ROLE"]),
        Value::Array(vec![
            Value::bulk("master"),
            Value::Int(m.repl.offset),
            Value::Array(vec![
                Value::bulks(["127.0.0.1", "6383", "0"]),
                Value::bulks(["127.0.0.1", "6384", "0"])
            ]),
        ])
    );
    let mut r = node(RedisConfig {
        replica_of: Some(("127.0.0.1".into(), 6382)),
        ..cfg(6383)
    });
    let c = client(&mut r);
    assert_eq!(
        one(&mut r, c, &["ROLE"]),
        Value::Array(vec![
            Value::bulk("slave"),
            Value::bulk("127.0.0.1"),
            Value::Int(6382),
            Value::bulk("connect"),
            Value::Int(-1)
        ])
    );
}

#[test]
fn unknown_command_and_arity_errors_are_exact() {
    let mut m = node(cfg(6382));
    let c = client(&mut m);
    assert_eq!(
        one(&mut m, c, &["FOO", "a", "b"]),
        Value::err("ERR unknown command 'FOO', with args beginning with: 'a' 'b' ")
    );
    assert_eq!(
        one(&mut m, c, &["foo"]),
        Value::err("ERR unknown command 'foo', with args beginning with: ")
    );
    assert_eq!(
        one(&mut m, c, &["GET"]),
        Value::err("ERR wrong number of arguments for 'get' command")
    );
    assert_eq!(
        one(&mut m, c, &["CONFIG", "GET"]),
        Value::err("ERR wrong number of arguments for 'config|get' command")
    );
    assert_eq!(
        one(&mut m, c, &["CONFIG"]),
        Value::err("ERR wrong number of arguments for 'config' command")
    );
    assert_eq!(
        one(&mut m, c, &["CONFIG", "nope"]),
        Value::err("ERR unknown subcommand 'nope'. Try CONFIG HELP.")
    );
}

/// Sentinel's promotion transaction on a replica, byte for byte as in the capture.
#[test]
fn promotion_transaction_replies_and_replid_shift() {
    let mut r = node(RedisConfig {
        replica_of: Some(("127.0.0.1".into(), 6382)),
        ..cfg(6384)
    });
    let gen = r.link.gen;
    let id = ReplId([b'a'; 40]);
    r.link_attempt(gen, Attempt::First);
    r.link_handshake(gen);
    r.link_psync_args(gen);
    r.link_fullresync(gen, id, 100);
    let db = Db::new();
    r.link_load_begin(gen, id, 100, &db, at(1));
    let (mc, _) = r
        .link_load_finish(gen, id, 100, db, ("127.0.0.1:6382".into(), "x".into()), at(1))
        .unwrap();
    assert!(r.link_apply(gen, mc, args(&["SET", "k", "v"]), at(2)));
    let off = r.repl.offset;
    // Three other normal clients and one pubsub client.
    let others: Vec<u64> = (0..3).map(|_| client(&mut r)).collect();
    let sub = client(&mut r);
    run(&mut r, sub, &["SUBSCRIBE", "__sentinel__:hello"], at(2));
    let cc = client(&mut r);
    let mut replies = Vec::new();
    for c in [
        &["MULTI"][..],
        &["SLAVEOF", "NO", "ONE"],
        &["CONFIG", "REWRITE"],
        &["CLIENT", "KILL", "TYPE", "normal"],
        &["CLIENT", "KILL", "TYPE", "pubsub"],
        &["EXEC"],
    ] {
        r.process(cc, args(c), at(3));
    }
    let mut buf = Vec::new();
    r.take_output(cc, &mut buf);
    replies.extend_from_slice(&buf);
    assert_eq!(
        replies,
        b"+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*4\r\n+OK\r\n+OK\r\n:3\r\n:1\r\n"
    );
    for o in others.iter().chain([&sub]) {
        assert!(!r.clients.contains_key(o), "killed");
    }
    assert!(r.clients.contains_key(&cc), "the caller survives");
    assert!(!r.is_replica());
    assert_eq!(r.repl.replid2, id);
    assert_eq!(r.repl.second_offset, off + 1);
    assert_ne!(r.repl.replid, id);
    assert!(r.notes.iter().any(|n| n.starts_with(&format!(
        "Setting secondary replication ID to {id}, valid up to offset: {}",
        off + 1
    ))));
    assert!(r
        .notes
        .iter()
        .any(|n| n.starts_with("MASTER MODE enabled (user request from 'id=")));
    assert_eq!(
        r.disk.rewritten_config().unwrap(),
        "port 6384\n# Generated by CONFIG REWRITE\n"
    );
    assert_eq!(r.effects, vec![Effect::StopLink]);
    // The master link client is gone and the next write starts the stream with SELECT.
    assert!(!r.clients.contains_key(&mc));
    let info = text(&one(&mut r, cc, &["INFO", "replication"]));
    assert!(info.contains("role:master\r\n"));
    assert!(info.contains(&format!("master_replid2:{id}\r\n")));
    assert!(info.contains(&format!("second_repl_offset:{}\r\n", off + 1)));
}

#[test]
fn slaveof_errors_and_already_connected() {
    let mut r = node(RedisConfig {
        replica_of: Some(("127.0.0.1".into(), 6382)),
        ..cfg(6383)
    });
    let c = client(&mut r);
    assert_eq!(
        one(&mut r, c, &["SLAVEOF", "127.0.0.1", "70000"]),
        Value::err("ERR Invalid master port")
    );
    assert_eq!(
        one(&mut r, c, &["REPLICAOF", "127.0.0.1", "6382"]),
        Value::simple("OK Already connected to specified master")
    );
    assert_eq!(one(&mut r, c, &["SLAVEOF", "127.0.0.1", "6384"]), Value::ok());
    assert_eq!(r.link.master, Some(("127.0.0.1".into(), 6384)));
    assert!(r
        .notes
        .iter()
        .any(|n| n.starts_with("REPLICAOF 127.0.0.1:6384 enabled (user request from 'id=")));
    // A master turned replica synthesizes a cached master from its own history.
    let mut m = node(cfg(6382));
    let c = client(&mut m);
    assert_eq!(one(&mut m, c, &["SLAVEOF", "127.0.0.1", "6384"]), Value::ok());
    assert_eq!(m.link.cached, Some((m.repl.replid, 0)));
    let gen = m.link.gen;
    m.link_attempt(gen, Attempt::First);
    assert_eq!(m.link_psync_args(gen), Some((m.repl.replid.to_string(), "1".into())));
    assert_eq!(m.effects.last(), Some(&Effect::StartLink(gen)));
}

#[test]
fn execabort_after_queue_time_rejection() {
    let mut m = node(cfg(6382));
    let c = client(&mut m);
    assert_eq!(one(&mut m, c, &["MULTI"]), Value::ok());
    assert_eq!(one(&mut m, c, &["SET", "k", "v"]), Value::simple("QUEUED"));
    assert!(one(&mut m, c, &["NOSUCH"]).is_error());
    assert_eq!(one(&mut m, c, &["EXEC"]), Value::err(EXECABORT));
    assert_eq!(one(&mut m, c, &["GET", "k"]), Value::Nil, "nothing applied");
    // Wrong arity also dirties the transaction.
    one(&mut m, c, &["MULTI"]);
    assert!(one(&mut m, c, &["GET"]).is_error());
    assert_eq!(one(&mut m, c, &["EXEC"]), Value::err(EXECABORT));
    // SLAVEOF while loading is rejected at queue time (no loading flag): EXECABORT.
    m.loading = true;
    one(&mut m, c, &["MULTI"]);
    assert_eq!(one(&mut m, c, &["SLAVEOF", "NO", "ONE"]), Value::err(LOADING));
    assert_eq!(one(&mut m, c, &["CONFIG", "REWRITE"]), Value::simple("QUEUED"));
    assert_eq!(one(&mut m, c, &["EXEC"]), Value::err(EXECABORT));
    assert_eq!(one(&mut m, c, &["PING"]), Value::err(LOADING));
    assert!(text(&one(&mut m, c, &["INFO", "persistence"])).contains("loading:1\r\n"));
    m.loading = false;
    // EXEC / DISCARD without MULTI.
    assert_eq!(one(&mut m, c, &["EXEC"]), Value::err("ERR EXEC without MULTI"));
    assert_eq!(one(&mut m, c, &["DISCARD"]), Value::err("ERR DISCARD without MULTI"));
    // A successful transaction with two writes is propagated wrapped in MULTI/EXEC.
    m.repl.create_backlog();
    one(&mut m, c, &["MULTI"]);
    one(&mut m, c, &["SET", "a", "1"]);
    one(&mut m, c, &["INCR", "a"]);
    assert_eq!(
        one(&mut m, c, &["EXEC"]),
        Value::Array(vec![Value::ok(), Value::Int(2)])
    );
    let stream = m.repl.backlog.as_ref().unwrap().range_from(1).unwrap();
    let s = String::from_utf8_lossy(&stream);
    assert!(
        s.starts_with("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n"),
        "{s}"
    );
    assert!(s.ends_with("*1\r\n$4\r\nEXEC\r\n"));
}

#[test]
fn readonly_replica_and_writable_replica() {
    let mut r = node(RedisConfig {
        replica_of: Some(("127.0.0.1".into(), 6382)),
        ..cfg(6383)
    });
    let c = client(&mut r);
    assert_eq!(one(&mut r, c, &["SET", "k", "v"]), Value::err(READONLY));
    assert_eq!(one(&mut r, c, &["GET", "k"]), Value::Nil);
    one(&mut r, c, &["MULTI"]);
    assert_eq!(one(&mut r, c, &["INCR", "k"]), Value::err(READONLY));
    assert_eq!(one(&mut r, c, &["EXEC"]), Value::err(EXECABORT));
    assert_eq!(
        one(&mut r, c, &["CONFIG", "SET", "replica-read-only", "no"]),
        Value::ok()
    );
    assert_eq!(one(&mut r, c, &["SET", "k", "v"]), Value::ok());
    assert_eq!(r.repl.offset, 0, "local writes of a replica are not replicated");
}

#[test]
fn masterdown_when_stale_data_is_off() {
    let mut r = node(RedisConfig {
        replica_of: Some(("127.0.0.1".into(), 6382)),
        replica_serve_stale_data: false,
        ..cfg(6383)
    });
    let c = client(&mut r);
    assert_eq!(one(&mut r, c, &["PING"]), Value::err(MASTERDOWN));
    assert_eq!(one(&mut r, c, &["GET", "k"]), Value::err(MASTERDOWN));
    assert!(one(&mut r, c, &["INFO"]).as_text().is_some());
    assert_eq!(one(&mut r, c, &["CLIENT", "SETNAME", "x"]), Value::ok());
    assert_eq!(one(&mut r, c, &["SLAVEOF", "NO", "ONE"]), Value::ok());
    assert_eq!(one(&mut r, c, &["PING"]), Value::simple("PONG"));
}

#[test]
fn noreplicas_when_acks_are_too_old() {
    let (mut m, reps) = master_with_replicas();
    let c = client(&mut m);
    assert_eq!(
        one(&mut m, c, &["CONFIG", "SET", "min-replicas-to-write", "2"]),
        Value::ok()
    );
    for &r in &reps {
        m.process(r, args(&["REPLCONF", "ACK", "0"]), at(6));
    }
    m.cron(at(7));
    assert_eq!(run(&mut m, c, &["SET", "k", "v"], at(7)), vec![Value::ok()]);
    assert!(text(&run(&mut m, c, &["INFO", "replication"], at(7))[0]).contains("min_slaves_good_slaves:2\r\n"));
    // One replica keeps acking, the other goes silent for more than 10 s.
    m.process(reps[0], args(&["REPLCONF", "ACK", "0"]), at(17));
    m.cron(at(17));
    assert_eq!(run(&mut m, c, &["SET", "k", "v"], at(17)), vec![Value::err(NOREPLICAS)]);
    assert_eq!(
        run(&mut m, c, &["GET", "k"], at(17)),
        vec![Value::bulk("v")],
        "reads still work"
    );
    assert_eq!(
        run(&mut m, c, &["PUBLISH", "ch", "x"], at(17)),
        vec![Value::Int(0)],
        "PUBLISH is not a write"
    );
    assert_eq!(
        one(&mut m, c, &["CONFIG", "SET", "min-replicas-to-write", "1"]),
        Value::ok()
    );
    assert_eq!(run(&mut m, c, &["SET", "k", "v"], at(17)), vec![Value::ok()]);
}

#[test]
fn psync_partial_after_promotion_and_full_for_diverged_old_master() {
    // A replica with history `a` up to offset 100 is promoted, then accepts 30 more bytes.
    let mut p = node(cfg(6384));
    p.repl = ReplHistory::new(ReplId([b'a'; 40]));
    p.repl.create_backlog();
    p.repl.feed(&[b'x'; 100]);
    p.link.master = Some(("127.0.0.1".into(), 6382));
    p.unset_master(at(0));
    let c = client(&mut p);
    one(&mut p, c, &["SET", "k", "v"]);
    // The other replica (same history, offset 100) continues.
    let r = client(&mut p);
    one(&mut p, r, &["REPLCONF", "listening-port", "6383"]);
    p.process(r, args(&["PSYNC", &"a".repeat(40), "101"]), at(1));
    let mut buf = Vec::new();
    p.take_output(r, &mut buf);
    let s = String::from_utf8_lossy(&buf);
    assert!(
        s.starts_with(&format!("+CONTINUE {}\r\n*2\r\n$6\r\nSELECT", p.repl.replid)),
        "{s}"
    );
    assert!(p
        .notes
        .iter()
        .any(|n| n.starts_with("Partial resynchronization request from 127.0.0.1:6383 accepted. Sending")));
    // The old master wrote 20 bytes the promoted replica never saw: offset 120 > 101.
    let old = client(&mut p);
    one(&mut p, old, &["REPLCONF", "listening-port", "6382"]);
    assert!(run(&mut p, old, &["PSYNC", &"a".repeat(40), "121"], at(1)).is_empty());
    assert!(p.notes.iter().any(|n| {
        n == "Partial resynchronization not accepted: Requested offset for second ID was 121, but I can reply up to 101"
    }));
    assert!(matches!(&p.clients[&old].kind, ClientKind::Replica(ri) if ri.state == ReplicaState::WaitBgsave));
    assert_eq!(p.stats.sync_partial_ok, 1);
    assert_eq!(p.stats.sync_partial_err, 1);
}

#[test]
fn client_kill_types_and_caller_skip() {
    let (mut m, reps) = master_with_replicas();
    let a = client(&mut m);
    let b = client(&mut m);
    let s = client(&mut m);
    run(&mut m, s, &["SUBSCRIBE", "ch"], at(0));
    assert_eq!(one(&mut m, a, &["CLIENT", "KILL", "TYPE", "normal"]), Value::Int(1));
    assert!(!m.clients.contains_key(&b) && m.clients.contains_key(&a));
    assert_eq!(one(&mut m, a, &["CLIENT", "KILL", "TYPE", "replica"]), Value::Int(2));
    assert!(reps.iter().all(|r| !m.clients.contains_key(r)));
    assert!(m.replicas.is_empty());
    assert_eq!(
        one(&mut m, a, &["CLIENT", "KILL", "TYPE", "bogus"]),
        Value::err("ERR Unknown client type 'bogus'")
    );
    assert_eq!(one(&mut m, a, &["CLIENT", "KILL", "TYPE", "pubsub"]), Value::Int(1));
    assert_eq!(
        one(&mut m, a, &["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "no"]),
        Value::Int(1)
    );
    assert!(m.clients[&a].closing, "killing itself closes after the reply");
}

#[test]
fn pubsub_delivery_and_subscribed_context() {
    let mut m = node(cfg(6382));
    let s = client(&mut m);
    let p = client(&mut m);
    assert_eq!(
        run(&mut m, s, &["SUBSCRIBE", "__sentinel__:hello", "other"], at(0)),
        vec![
            Value::Array(vec![
                Value::bulk("subscribe"),
                Value::bulk("__sentinel__:hello"),
                Value::Int(1)
            ]),
            Value::Array(vec![Value::bulk("subscribe"), Value::bulk("other"), Value::Int(2)]),
        ]
    );
    run(&mut m, s, &["PSUBSCRIBE", "__sentinel__:*"], at(0));
    assert_eq!(one(&mut m, p, &["PUBLISH", "__sentinel__:hello", "hi"]), Value::Int(2));
    assert_eq!(
        output(&mut m, s),
        vec![
            Value::Array(vec![
                Value::bulk("message"),
                Value::bulk("__sentinel__:hello"),
                Value::bulk("hi")
            ]),
            Value::Array(vec![
                Value::bulk("pmessage"),
                Value::bulk("__sentinel__:*"),
                Value::bulk("__sentinel__:hello"),
                Value::bulk("hi")
            ]),
        ]
    );
    assert_eq!(
        one(&mut m, s, &["GET", "x"]),
        Value::err("ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")
    );
    assert_eq!(
        one(&mut m, s, &["PING"]),
        Value::Array(vec![Value::bulk("pong"), Value::bulk("")])
    );
    let un = run(&mut m, s, &["UNSUBSCRIBE"], at(0));
    assert_eq!(un.len(), 2);
    run(&mut m, s, &["PUNSUBSCRIBE"], at(0));
    assert_eq!(one(&mut m, s, &["PING"]), Value::simple("PONG"));
    assert_eq!(one(&mut m, p, &["PUBLISH", "__sentinel__:hello", "hi"]), Value::Int(0));
}

#[test]
fn auth_and_config_shapes() {
    let mut m = node(RedisConfig {
        requirepass: Some("pw".into()),
        ..cfg(6382)
    });
    let c = client(&mut m);
    assert_eq!(one(&mut m, c, &["PING"]), Value::err(NOAUTH));
    assert_eq!(
        one(&mut m, c, &["AUTH", "nope"]),
        Value::err("WRONGPASS invalid username-password pair or user is disabled.")
    );
    assert_eq!(one(&mut m, c, &["AUTH", "pw"]), Value::ok());
    assert_eq!(one(&mut m, c, &["PING"]), Value::simple("PONG"));
    assert_eq!(
        one(&mut m, c, &["CONFIG", "GET", "replica-priority"]),
        Value::bulks(["replica-priority", "100"])
    );
    assert_eq!(
        one(&mut m, c, &["CONFIG", "GET", "slave-priority"]),
        Value::bulks(["slave-priority", "100"])
    );
    assert_eq!(one(&mut m, c, &["CONFIG", "SET", "replica-priority", "0"]), Value::ok());
    assert_eq!(
        one(&mut m, c, &["CONFIG", "GET", "min-replicas-*"]),
        Value::bulks(["min-replicas-to-write", "0", "min-replicas-max-lag", "10"])
    );
    assert!(one(&mut m, c, &["CONFIG", "SET", "replica-priority", "x"]).is_error());
    assert!(one(&mut m, c, &["CONFIG", "SET", "nosuch", "1"]).is_error());
    assert!(text(&one(&mut m, c, &["INFO", "replication"])).contains("role:master\r\n"));
    assert_eq!(one(&mut m, c, &["CONFIG", "REWRITE"]), Value::ok());
    assert!(m.disk.rewritten_config().unwrap().contains("replica-priority 0\n"));
    assert_eq!(one(&mut m, c, &["CLIENT", "SETNAME", "sentinel-1-cmd"]), Value::ok());
    assert_eq!(one(&mut m, c, &["CLIENT", "GETNAME"]), Value::bulk("sentinel-1-cmd"));
    let list = text(&one(&mut m, c, &["CLIENT", "LIST"]));
    assert!(
        list.contains("name=sentinel-1-cmd") && list.contains("flags=N") && list.ends_with('\n'),
        "{list}"
    );
}

#[test]
fn restart_with_persistence_resumes_history() {
    let disk = Disk::new();
    let rc = RedisConfig {
        replica_of: Some(("127.0.0.1".into(), 6382)),
        persistence: true,
        ..cfg(6383)
    };
    let mut r = State::new(&rc, disk.clone(), at(0));
    r.finish_startup();
    let gen = r.link.gen;
    let id = ReplId([b'b'; 40]);
    r.link_attempt(gen, Attempt::First);
    r.link_handshake(gen);
    r.link_psync_args(gen);
    r.link_fullresync(gen, id, 50);
    let mut snap = Db::new();
    let mut eff = Vec::new();
    let mut stats = DataStats::default();
    snap.exec(
        db::DataCmd::Set,
        &args(&["SET", "a", "1"]),
        &mut Exec {
            now_ms: 0,
            access: Access::Master,
            effects: &mut eff,
            stats: &mut stats,
        },
    );
    r.link_load_begin(gen, id, 50, &snap, at(1));
    let (mc, _) = r
        .link_load_finish(gen, id, 50, snap, ("m".into(), "l".into()), at(1))
        .unwrap();
    r.link_apply(gen, mc, args(&["SET", "b", "2"]), at(2));
    let off = r.repl.offset;
    assert_eq!(disk.dataset_keys(), vec!["a", "b"]);
    // Restart: same dataset, cached master at the same position.
    let mut r2 = State::new(&rc, disk.clone(), at(10));
    assert!(r2.loading);
    assert_eq!(r2.db.len(), 2);
    assert_eq!(r2.link.cached, Some((id, off)));
    r2.finish_startup();
    let gen = r2.link.gen;
    r2.link_attempt(gen, Attempt::First);
    assert_eq!(r2.link_psync_args(gen), Some((id.to_string(), (off + 1).to_string())));
    // Without persistence the restart is empty and has no cached master.
    let r3 = State::new(
        &RedisConfig {
            persistence: false,
            ..rc
        },
        disk,
        at(20),
    );
    assert_eq!(r3.db.len(), 0);
    assert_eq!(r3.link.cached, None);
}

#[test]
fn rewritten_config_overrides_replicaof() {
    let disk = Disk::new();
    let rc = RedisConfig {
        replica_of: Some(("127.0.0.1".into(), 6382)),
        ..cfg(6384)
    };
    let mut r = State::new(&rc, disk.clone(), at(0));
    r.finish_startup();
    let c = client(&mut r);
    one(&mut r, c, &["SLAVEOF", "NO", "ONE"]);
    // Without CONFIG REWRITE the restart is a replica again.
    assert!(State::new(&rc, disk.clone(), at(1)).is_replica());
    one(&mut r, c, &["CONFIG", "REWRITE"]);
    assert!(!State::new(&rc, disk.clone(), at(2)).is_replica());
    disk.wipe();
    assert!(State::new(&rc, disk, at(3)).is_replica());
}

#[test]
fn wait_counts_acked_replicas() {
    let (mut m, reps) = master_with_replicas();
    let c = client(&mut m);
    one(&mut m, c, &["SET", "k", "v"]);
    let off = m.repl.offset;
    assert!(run(&mut m, c, &["WAIT", "1", "100"], at(6)).is_empty(), "blocked");
    assert!(m.clients[&c].blocked.is_some());
    // The GETACK request went into the stream.
    assert!(m.repl.offset > off);
    assert_eq!(m.check_blocked(c, at(6)), Some(Some(6100)));
    m.process(reps[1], args(&["REPLCONF", "ACK", &off.to_string()]), at(6));
    assert_eq!(m.check_blocked(c, at(6)), None);
    assert_eq!(output(&mut m, c), vec![Value::Int(1)]);
    // Timeout.
    run(&mut m, c, &["WAIT", "2", "100"], at(7));
    assert_eq!(
        m.check_blocked(
            c,
            Now {
                wall_ms: 0,
                mono_ms: 7100
            }
        ),
        None
    );
    assert_eq!(output(&mut m, c), vec![Value::Int(1)]);
}

#[test]
fn replica_applies_stream_and_proxies_to_subreplicas() {
    let mut r = node(RedisConfig {
        replica_of: Some(("127.0.0.1".into(), 6382)),
        ..cfg(6383)
    });
    let gen = r.link.gen;
    let id = ReplId([b'c'; 40]);
    r.link_attempt(gen, Attempt::First);
    r.link_handshake(gen);
    r.link_psync_args(gen);
    r.link_fullresync(gen, id, 0);
    let db = Db::new();
    r.link_load_begin(gen, id, 0, &db, at(0));
    let (mc, _) = r
        .link_load_finish(gen, id, 0, db, ("m".into(), "l".into()), at(0))
        .unwrap();
    // The first ACK is queued at once.
    let mut ack = Vec::new();
    r.take_output(mc, &mut ack);
    assert_eq!(ack, b"*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$1\r\n0\r\n");
    // A sub-replica attaches with a partial resync at our offset.
    let sub = client(&mut r);
    one(&mut r, sub, &["REPLCONF", "listening-port", "6385"]);
    r.process(sub, args(&["PSYNC", &"c".repeat(40), "1"]), at(0));
    let s = client(&mut r);
    run(&mut r, s, &["SUBSCRIBE", "ch"], at(0));
    for cmd in [
        &["SELECT", "0"][..],
        &["SET", "k", "v"],
        &["PUBLISH", "ch", "m"],
        &["MULTI"],
        &["INCR", "n"],
        &["EXEC"],
        &["PING"],
    ] {
        assert!(r.link_apply(gen, mc, args(cmd), at(1)));
    }
    assert_eq!(output(&mut r, s), vec![Value::bulks(["message", "ch", "m"])]);
    let mut buf = Vec::new();
    r.take_output(sub, &mut buf);
    let sent = String::from_utf8_lossy(&buf).into_owned();
    assert!(
        sent.starts_with(&format!("+CONTINUE {id}\r\n*2\r\n$6\r\nSELECT")),
        "{sent}"
    );
    assert_eq!(
        buf.len() as i64 - format!("+CONTINUE {id}\r\n").len() as i64,
        r.repl.offset
    );
    let c = client(&mut r);
    assert_eq!(one(&mut r, c, &["GET", "k"]), Value::bulk("v"));
    assert_eq!(one(&mut r, c, &["GET", "n"]), Value::bulk("1"));
    // GETACK answers with the offset before the GETACK itself.
    let before = r.repl.offset;
    r.link_apply(gen, mc, args(&["REPLCONF", "GETACK", "*"]), at(2));
    let mut ack = Vec::new();
    r.take_output(mc, &mut ack);
    assert_eq!(
        ack,
        format!(
            "*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n${}\r\n{before}\r\n",
            before.to_string().len()
        )
        .into_bytes()
    );
    // Master timeout: the cron drops the link after repl-timeout of silence.
    r.cron(at(2 + 61));
    assert!(!r.clients.contains_key(&mc));
    assert_eq!(r.link.state, LinkState::Connect);
    assert_eq!(r.link.cached, Some((id, r.repl.offset)));
    assert!(r.notes.iter().any(|n| n == "Connection with master lost."));
}
