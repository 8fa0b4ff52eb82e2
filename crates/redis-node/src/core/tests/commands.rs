//! Command processing: exact errors, admission checks, transactions, CLIENT, pub/sub, AUTH and CONFIG.

use super::*;

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
