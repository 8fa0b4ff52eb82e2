//! The address a hello announces on a link still connecting: the connection's source address,
//! as Redis reads it from the connecting socket, not the fallback.

use sentinel_core::{Action, Options, Sentinel, SourceIp};
use std::sync::Arc;

const CONF: &str = "port 26379\nsentinel monitor mymaster 10.0.0.1 6379 2\n";

/// The payloads of the hellos the core sends within `ms` of starting, with no connection ever
/// reported established.
fn hellos_while_connecting(opts: Options, ms: u64) -> Vec<String> {
    let mut s = Sentinel::new(CONF, opts, 1, 1_000).expect("config");
    let mut now: i64 = 1_000;
    s.start(now);
    let mut out = Vec::new();
    while now < 1_000 + ms as i64 {
        let next = s.tick(now);
        for a in s.take_actions() {
            if let Action::Send { args, .. } = a {
                if args.len() == 3 && args[1] == b"__sentinel__:hello" {
                    out.push(String::from_utf8_lossy(&args[2]).into_owned());
                }
            }
        }
        now += next as i64;
    }
    out
}

#[test]
fn a_hello_on_a_connecting_link_announces_the_source_address() {
    let asked = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = asked.clone();
    let opts = Options {
        source_ip: SourceIp(Arc::new(move |ip, port| {
            log.lock().unwrap().push(format!("{ip}:{port}"));
            Some("10.0.0.7".to_string())
        })),
        ..Options::default()
    };
    let hellos = hellos_while_connecting(opts, 5_000);
    assert!(!hellos.is_empty(), "a hello is due every 2 s, connected or not");
    assert!(hellos.iter().all(|h| h.starts_with("10.0.0.7,26379,")), "{hellos:?}");
    assert!(asked.lock().unwrap().contains(&"10.0.0.1:6379".to_string()));
}

#[test]
fn without_a_source_address_the_fallback_is_announced() {
    let opts = Options {
        default_announce_ip: "10.0.0.9".into(),
        ..Options::default()
    };
    let hellos = hellos_while_connecting(opts, 5_000);
    assert!(!hellos.is_empty());
    assert!(hellos.iter().all(|h| h.starts_with("10.0.0.9,26379,")), "{hellos:?}");
}
