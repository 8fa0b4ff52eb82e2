//! Hostile input from the network (hello messages, INFO replies) and hostile values from
//! commands: never stored unless valid, never written to sentinel.conf, never a panic.

mod harness;
use harness::*;
use proptest::prelude::*;
use resp::Value;
use sentinel_core::util;
use sentinel_core::{Options, Sentinel};
use std::collections::BTreeMap;

fn hello(ip: &str, port: u16, runid: &str, epoch: &str, mip: &str, mport: &str, cepoch: &str) -> String {
    format!("{ip},{port},{runid},{epoch},mymaster,{mip},{mport},{cepoch}")
}

fn publish(h: &mut Harness, payload: &str) -> Value {
    h.cmd(&["PUBLISH", "__sentinel__:hello", payload])
}

/// Log-only lines (not published events).
fn logs(h: &Harness) -> Vec<String> {
    h.events
        .iter()
        .filter(|(_, e)| e.name().is_empty())
        .map(|(_, e)| e.payload())
        .collect()
}

/// SENTINEL REPLICAS mymaster as name → (field → value).
fn replicas(h: &mut Harness) -> BTreeMap<String, BTreeMap<String, String>> {
    let v = h.cmd(&["SENTINEL", "REPLICAS", "mymaster"]);
    let mut out = BTreeMap::new();
    for r in v.as_array().expect("array") {
        let kv: Vec<String> = r
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_text().unwrap().into_owned())
            .collect();
        let m: BTreeMap<String, String> = kv.chunks(2).map(|c| (c[0].clone(), c[1].clone())).collect();
        out.insert(m["name"].clone(), m);
    }
    out
}

/// A saved config must be one our loader accepts, with no control character but the line
/// feeds, and every address/run id in it well formed.
fn assert_config_sane(conf: &str) {
    assert!(
        !util::has_control_chars(conf.replace('\n', "").as_bytes()),
        "control character in config:\n{conf}"
    );
    Sentinel::new(conf, Options::default(), 1, 0).unwrap_or_else(|e| panic!("{e}\n{conf}"));
    for line in conf.lines() {
        let a: Vec<&str> = line.split(' ').collect();
        let (ip, port, runid) = match a.as_slice() {
            ["sentinel", "monitor", _, ip, port, _] => (*ip, *port, None),
            ["sentinel", "known-replica", _, ip, port] => (*ip, *port, None),
            ["sentinel", "known-sentinel", _, ip, port, id] => (*ip, *port, Some(*id)),
            _ => continue,
        };
        assert!(util::valid_ip(ip), "{line}");
        assert!(util::parse_port(port.as_bytes()).is_some(), "{line}");
        assert!(runid.is_none_or(util::valid_runid), "{line}");
    }
}

#[test]
fn hello_with_invalid_master_address_via_publish_changes_nothing() {
    let mut h = Harness::seed(11);
    h.run_for(3_000);
    let saves = h.saved.len();
    let conf = h.saved.last().cloned().unwrap();
    let bad = hello("127.0.0.1", 5001, PEER1, "100", "not-an-ip", "6382", "100");
    publish(&mut h, &bad);
    assert_eq!(h.s.master_addr("mymaster"), Some(("127.0.0.1".into(), 6382)));
    assert_eq!(h.s.current_epoch(), 0, "nothing of an invalid hello is used");
    assert_eq!(h.saved.len(), saves, "no config rewrite");
    assert_eq!(h.count("+switch-master"), 0);
    assert!(
        logs(&h)
            .iter()
            .any(|l| l.starts_with("Ignoring invalid hello (master_ip)")),
        "{:?}",
        logs(&h)
    );
    // The same line with an injected directive in the address: still nothing.
    let bad = hello(
        "127.0.0.1",
        5001,
        PEER1,
        "100",
        "1.1.1.1\nsentinel monitor evil 1.1.1.1 1 1",
        "6382",
        "100",
    );
    publish(&mut h, &bad);
    assert_eq!(h.saved.len(), saves);
    assert_eq!(h.saved.last().unwrap(), &conf);

    // Control: with a valid address the very same path does switch.
    let good = hello("127.0.0.1", 5001, PEER1, "100", "10.0.0.9", "6390", "100");
    publish(&mut h, &good);
    assert_eq!(h.s.master_addr("mymaster"), Some(("10.0.0.9".into(), 6390)));
    let conf = h.saved.last().unwrap();
    assert!(conf.contains("sentinel monitor mymaster 10.0.0.9 6390 2\n"), "{conf}");
    assert_config_sane(conf);
}

#[test]
fn hello_with_invalid_master_address_on_a_data_node_channel_changes_nothing() {
    let mut h = Harness::seed(12);
    h.run_for(3_000);
    let saves = h.saved.len();
    let bad = hello("127.0.0.1", 5001, PEER1, "100", "not-an-ip", "6382", "100");
    assert!(h.deliver_hello(6382, bad.as_bytes()));
    assert!(h.deliver_hello(6383, b"127.0.0.1,5001,\xff\xfe,1,mymaster,127.0.0.1,6382,1"));
    assert_eq!(h.s.master_addr("mymaster"), Some(("127.0.0.1".into(), 6382)));
    assert_eq!(h.s.current_epoch(), 0);
    assert_eq!(h.saved.len(), saves);
    assert_eq!(
        logs(&h)
            .iter()
            .filter(|l| l.starts_with("Ignoring invalid hello"))
            .count(),
        2
    );
    // Control: a valid hello on the same channel is processed.
    let good = hello("127.0.0.1", 5001, PEER1, "100", "10.0.0.9", "6390", "100");
    assert!(h.deliver_hello(6382, good.as_bytes()));
    assert_eq!(h.s.master_addr("mymaster"), Some(("10.0.0.9".into(), 6390)));
}

#[test]
fn hello_from_unknown_sentinel_with_bad_fields_is_not_added() {
    let mut h = Harness::seed(13);
    h.run_for(3_000);
    let id = "dddddddddddddddddddddddddddddddddddddddd";
    for bad in [
        hello("not-an-ip", 5003, id, "0", "127.0.0.1", "6382", "0"),
        hello("127.0.0.1", 0, id, "0", "127.0.0.1", "6382", "0"),
        hello("127.0.0.1", 5003, &id[..39], "0", "127.0.0.1", "6382", "0"),
        hello(
            "127.0.0.1",
            5003,
            &format!("{}\n", &id[..39]),
            "0",
            "127.0.0.1",
            "6382",
            "0",
        ),
        hello("127.0.0.1", 5003, id, "-1", "127.0.0.1", "6382", "0"),
        format!("{},extra", hello("127.0.0.1", 5003, id, "0", "127.0.0.1", "6382", "0")),
    ] {
        publish(&mut h, &bad);
    }
    assert_eq!(h.count("+sentinel"), 0);
    publish(&mut h, &hello("127.0.0.1", 5003, id, "0", "127.0.0.1", "6382", "0"));
    assert_eq!(h.count("+sentinel"), 1, "control: the valid form is accepted");
}

#[test]
fn info_with_newline_in_replica_ip_adds_nothing_and_injects_nothing() {
    let mut h = Harness::seed(14);
    let mut raw = info_text(&h.nodes[&6382], 6382);
    raw.push_str("slave2:ip=1.2.3.4\nsentinel monitor evil 1.1.1.1 1 1,port=6390,state=online,offset=0,lag=0\r\n");
    raw.push_str("slave3:ip=127.0.0.1\r\nsentinel monitor evil2 1.1.1.1 1 1,port=6391,state=online\r\n");
    raw.push_str("slave4:ip=127.0.0.1,port=6385,state=online,offset=0,lag=0\r\n");
    h.nodes.get_mut(&6382).unwrap().raw_info = Some(raw.into_bytes());
    h.run_for(3_000);
    let conf = h.saved.last().expect("replicas discovered: config saved").clone();
    assert!(
        conf.contains("sentinel known-replica mymaster 127.0.0.1 6385\n"),
        "{conf}"
    );
    for c in &h.saved {
        assert!(!c.contains("evil") && !c.contains("1.2.3.4"), "{c}");
        assert_config_sane(c);
    }
    let names: Vec<String> = replicas(&mut h).into_keys().collect();
    assert_eq!(names, ["127.0.0.1:6383", "127.0.0.1:6384", "127.0.0.1:6385"]);
    assert!(logs(&h).iter().any(|l| l.starts_with("Ignoring invalid INFO field")));
    assert!(logs(&h).iter().all(|l| !util::has_control_chars(l.as_bytes())));
}

#[test]
fn invalid_run_ids_in_info_are_ignored() {
    let mut h = Harness::seed(15);
    h.run_for(3_000);
    let good = "3".repeat(40);
    assert_eq!(replicas(&mut h)["127.0.0.1:6383"]["runid"], good);
    for bad in [
        "5".repeat(39),
        "z".repeat(40),
        format!("{}\n", "5".repeat(39)),
        "5".repeat(41),
    ] {
        h.nodes.get_mut(&6383).unwrap().run_id = bad;
        h.run_for(11_000);
        assert_eq!(h.count("+reboot"), 0);
        assert_eq!(replicas(&mut h)["127.0.0.1:6383"]["runid"], good);
    }
    // Control: a valid new run id is a reboot.
    h.nodes.get_mut(&6383).unwrap().run_id = "5".repeat(40);
    h.run_for(11_000);
    assert_eq!(h.count("+reboot"), 1);
}

#[test]
fn max_epochs_from_a_peer_do_not_overflow() {
    let mut h = Harness::seed(16);
    h.nodes.get_mut(&6384).unwrap().offset = 2000;
    h.run_for(3_000);
    let max = u64::MAX.to_string();
    publish(
        &mut h,
        &hello("127.0.0.1", 5001, PEER1, &max, "127.0.0.1", "6382", &max),
    );
    assert_eq!(h.s.current_epoch(), u64::MAX);
    for p in h.peers.values_mut() {
        p.says_down = true;
    }
    h.kill(6382);
    h.run_for(20_000);
    assert!(h.count("+try-failover") >= 1);
    assert_eq!(h.s.current_epoch(), u64::MAX, "saturates rather than wrapping to 0");
    for c in &h.saved {
        assert_config_sane(c);
    }
    assert!(h
        .saved
        .last()
        .unwrap()
        .contains(&format!("sentinel current-epoch {max}\n")));
}

#[test]
fn huge_periods_from_commands_do_not_overflow() {
    let mut h = Harness::seed(17);
    h.run_for(3_000);
    let big = i64::MAX.to_string();
    let mut args = vec!["SENTINEL", "DEBUG"];
    for k in [
        "info-period",
        "ping-period",
        "publish-period",
        "default-down-after",
        "default-failover-timeout",
        "tilt-period",
        "slave-reconf-timeout",
        "min-link-reconnect-period",
        "election-timeout",
        "script-max-runtime",
        "script-retry-delay",
    ] {
        args.extend([k, big.as_str()]);
    }
    assert_eq!(h.cmd(&args), Value::ok());
    let set = [
        "SENTINEL",
        "SET",
        "mymaster",
        "failover-timeout",
        &big,
        "master-reboot-down-after-period",
        &big,
    ];
    assert_eq!(h.cmd(&set), Value::ok());
    for p in h.peers.values_mut() {
        p.says_down = true;
    }
    h.run_for(5_000);
    h.kill(6382);
    h.run_for(10_000);
    assert_eq!(h.count("+odown"), 1, "down detection still works");
    assert_eq!(
        h.count("+try-failover"),
        0,
        "failover-timeout × 2 saturates: no failover yet"
    );
    // Down-after and ask-period at the maximum: nothing is ever down, and nothing panics.
    let mut h = Harness::seed(18);
    h.run_for(3_000);
    assert_eq!(
        h.cmd(&["SENTINEL", "SET", "mymaster", "down-after-milliseconds", &big]),
        Value::ok()
    );
    assert_eq!(h.cmd(&["SENTINEL", "DEBUG", "ask-period", &big]), Value::ok());
    h.kill(6382);
    h.run_for(10_000);
    assert_eq!(h.count("+sdown"), 0);
}

#[test]
fn replica_table_is_bounded() {
    let mut h = Harness::seed(19);
    let mut raw = info_text(&h.nodes[&6382], 6382);
    for i in 0..1100u32 {
        raw.push_str(&format!(
            "slave{}:ip=10.{}.{}.1,port=6379,state=online\r\n",
            i + 2,
            i / 256,
            i % 256
        ));
    }
    h.nodes.get_mut(&6382).unwrap().raw_info = Some(raw.into_bytes());
    h.run_for(1_200);
    let conf = h.saved.last().unwrap().clone();
    assert_eq!(conf.matches("sentinel known-replica").count(), 1024);
    assert!(logs(&h)
        .iter()
        .any(|l| l.starts_with("Replica table of mymaster is full")));
    assert_config_sane(&conf);
}

#[test]
fn sentinel_table_is_bounded() {
    let mut h = Harness::seed(20);
    h.run_for(1_000);
    for i in 0..1100u32 {
        let id = format!("{:040x}", i + 1);
        publish(
            &mut h,
            &hello("10.1.1.1", 10_000 + i as u16, &id, "0", "127.0.0.1", "6382", "0"),
        );
        if h.saved.len() > 1 {
            h.saved.drain(..h.saved.len() - 1);
        }
    }
    let conf = h.saved.last().unwrap().clone();
    assert_eq!(conf.matches("sentinel known-sentinel").count(), 1024);
    assert!(logs(&h)
        .iter()
        .any(|l| l.starts_with("Sentinel table of mymaster is full")));
    assert_config_sane(&conf);
}

/// One INFO line: INFO's own keys with values valid, hostile (control characters, injected
/// directives, non-UTF-8, huge numbers) or random.
fn info_line() -> impl Strategy<Value = Vec<u8>> {
    let key = prop::sample::select(vec![
        "run_id:",
        "slave0:ip=",
        "slave1:",
        "role:master",
        "role:slave",
        "master_host:",
        "master_port:",
        "master_link_status:",
        "master_link_down_since_seconds:",
        "slave_priority:",
        "slave_repl_offset:",
    ]);
    let value = prop_oneof![
        "127\\.0\\.0\\.1,port=63[0-9]{2},state=online",
        "10\\.0\\.0\\.[0-9],port=[0-9]{1,6}",
        "[0-9a-f]{39,41}",
        "-?[0-9]{1,25}",
        "[0-9.]{1,9}\nsentinel monitor evil 1\\.1\\.1\\.1 1 1,port=6390",
        "\\PC{0,16}",
    ]
    .prop_map(String::into_bytes);
    let raw = prop::collection::vec(any::<u8>(), 0..12);
    (key, prop_oneof![4 => value, 1 => raw]).prop_map(|(k, v)| [k.as_bytes(), &v].concat())
}

fn info_reply() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(info_line(), 0..10).prop_map(|ls| ls.join(b"\r\n".as_slice()))
}

/// A hello with each field valid or hostile.
fn hello_payload() -> impl Strategy<Value = String> {
    let ip = || {
        prop_oneof![
            Just("127.0.0.1".to_string()),
            "10\\.0\\.0\\.[0-9]",
            "\\PC{0,8}",
            Just("1.1.1.1\nsentinel monitor evil 1.1.1.1 1 1".to_string())
        ]
    };
    let num = || prop_oneof!["[0-9]{1,5}", Just(u64::MAX.to_string()), "-?[0-9]{0,22}"];
    let id = prop_oneof!["[0-9a-f]{40}", "[0-9a-f]{39}", "\\PC{0,4}"];
    (ip(), num(), id, num(), ip(), num(), num())
        .prop_map(|(ip, port, id, e, mip, mport, ce)| format!("{ip},{port},{id},{e},mymaster,{mip},{mport},{ce}"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Whatever data nodes and peers send, every sentinel.conf written loads back and carries
    /// no control character or malformed address.
    #[test]
    fn config_stays_sane_after_arbitrary_info_and_hellos(
        seed in any::<u64>(),
        master_info in info_reply(),
        replica_info in info_reply(),
        hellos in prop::collection::vec((hello_payload(), 0u8..3), 0..8),
    ) {
        let mut h = Harness::seed(seed);
        let mut raw = info_text(&h.nodes[&6382], 6382).into_bytes();
        raw.extend_from_slice(&master_info);
        h.nodes.get_mut(&6382).unwrap().raw_info = Some(raw);
        let mut raw = info_text(&h.nodes[&6383], 6383).into_bytes();
        raw.extend_from_slice(&replica_info);
        h.nodes.get_mut(&6383).unwrap().raw_info = Some(raw);
        h.run_for(2_000);
        for (p, via) in &hellos {
            match via {
                0 => { publish(&mut h, p); }
                1 => { h.deliver_hello(6382, p.as_bytes()); }
                _ => { h.deliver_hello(6383, p.as_bytes()); }
            }
            h.run_for(100);
        }
        // Force one more rewrite so the final state is written even if nothing else did.
        h.cmd(&["SENTINEL", "SET", "mymaster", "quorum", "2"]);
        prop_assert!(!h.saved.is_empty());
        for c in &h.saved {
            assert_config_sane(c);
        }
        for l in logs(&h) {
            prop_assert!(!util::has_control_chars(l.as_bytes()), "{:?}", l);
        }
    }
}
