//! Unit tests of the state machine, driven command by command with explicit times.

use super::*;
use crate::db::{self, Access, Cmd, Exec};
use crate::RedisConfig;

mod commands;
mod info;
mod replication;
mod startup;

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
