//! INFO and ROLE: field order and shapes as Redis 7.0.15 prints them.

use super::*;

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
