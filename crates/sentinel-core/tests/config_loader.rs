//! The sentinel.conf loader against the real redis-sentinel 7.0.15 (fixtures captured from the
//! binary), the directive table, and round-trip properties of the rewrite.

use proptest::prelude::*;
use sentinel_core::config::table::{Kind, NumFmt, Special, DIRECTIVES};
use sentinel_core::Sentinel;

fn load(conf: &[u8]) -> Result<Sentinel, sentinel_core::ConfigError> {
    Sentinel::new(conf, Default::default(), 1, 0)
}

#[test]
fn fatal_errors_match_real_sentinel_byte_for_byte() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fatal");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "conf"))
        .collect();
    names.sort();
    assert!(names.len() >= 50, "fixtures missing");
    for conf in names {
        let input = std::fs::read(&conf).unwrap();
        let expected = std::fs::read(conf.with_extension("stderr")).unwrap();
        let err = load(&input)
            .err()
            .unwrap_or_else(|| panic!("{} loaded", conf.display()));
        assert_eq!(
            String::from_utf8_lossy(&err.fatal_bytes()),
            String::from_utf8_lossy(&expected),
            "{}",
            conf.display()
        );
        assert_eq!(err.fatal_bytes(), expected, "{}", conf.display());
    }
}

#[test]
fn upstream_test_suite_config_loads() {
    let conf = "port 26379\nrepl-diskless-sync-delay 0\ndir ./sentinel_0\nlogfile log.txt\nbind 127.0.0.1 -::1\nprotected-mode no\nuser default on nopass ~* &* +@all\nuser alice on >pw ~* +@all\nloglevel verbose\nmaxclients 100\ndaemonize yes\npidfile /tmp/s.pid\nsave \"\"\nappendonly no\nrename-command CONFIG XCONFIG\ninclude /etc/other.conf\nslaveof no one\nsentinel monitor m 127.0.0.1 6379 2\n";
    let s = load(conf.as_bytes()).expect("loads");
    let o = s.server_options();
    assert_eq!(o.port, 26379);
    assert_eq!(o.bind.len(), 2);
    assert!(o.bind[1].optional && o.bind[1].addr == b"::1");
    assert_eq!(o.logfile, b"log.txt");
    assert_eq!(o.loglevel, sentinel_core::config::LogLevel::Verbose);
    assert_eq!(o.maxclients, 100);
    assert!(o.daemonize && !o.protected_mode);
    assert_eq!(o.users.len(), 2);
    assert_eq!(o.includes, vec![b"/etc/other.conf".to_vec()]);
}

#[test]
fn a_file_that_is_not_utf8_loads() {
    let s = load(b"logfile \xff\xfe.log\n# caf\xe9\nport 5000\n").expect("bytes are fine");
    assert_eq!(s.server_options().logfile, b"\xff\xfe.log");
    assert_eq!(s.port(), 5000);
}

/// A value each kind accepts and one it rejects (as whole argument lists after the name).
fn samples(kind: Kind) -> (&'static str, &'static str) {
    match kind {
        Kind::Bool => ("yes", "maybe"),
        Kind::Num { fmt: NumFmt::Octal, .. } => ("0700", "9"),
        Kind::Num {
            fmt: NumFmt::Mem | NumFmt::MemPercent,
            min,
            ..
        } if min > 1 => ("2mb", "1xb"),
        Kind::Num {
            fmt: NumFmt::Mem | NumFmt::MemPercent,
            ..
        } => ("1kb", "1xb"),
        Kind::Num { min, .. } if min > 1 => ("2048", "abc"),
        Kind::Num { .. } => ("1", "abc"),
        Kind::Enum { .. } => ("@first", "bogus"),
        Kind::Str => ("\"some value\"", "a b"),
        Kind::Special(s) => match s {
            Special::Dir => ("/tmp", "a b"),
            Special::Save => ("900 1 300 10", "900"),
            Special::ClientOutputBufferLimit => ("normal 0 0 0 pubsub 32mb 8mb 60", "normal 1 2"),
            Special::OomScoreAdjValues => ("0 200 800", "0 200"),
            Special::NotifyKeyspaceEvents => ("KEA", "Z"),
            Special::Bind => ("127.0.0.1 -::1", "a b c d e f g h i j k l m n o p q"),
            Special::ReplicaOf => ("127.0.0.1 6379", "127.0.0.1 99999"),
            Special::LatencyPercentiles => ("50 99 99.9", "50 200"),
        },
    }
}

#[test]
fn every_directive_accepts_a_valid_value_and_rejects_an_invalid_one() {
    for &(name, alias, kind) in DIRECTIVES {
        let (good, bad) = samples(kind);
        let good = match kind {
            Kind::Enum { values, .. } => values[0].to_string(),
            _ => good.to_string(),
        };
        for n in std::iter::once(name).chain(alias) {
            let ok = format!("{} {good}\n", n.to_uppercase());
            assert!(
                load(ok.as_bytes()).is_ok(),
                "{ok:?} rejected: {:?}",
                load(ok.as_bytes()).err()
            );
            let ko = format!("{n} {bad}\n");
            assert!(load(ko.as_bytes()).is_err(), "{ko:?} accepted");
        }
    }
}

const MYID: &str = "0123456789abcdef0123456789abcdef01234567";

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z]{1,6}",
        "[ -~]{0,8}",
        Just("with space".to_string()),
        Just("q\"uo'te\\".to_string()),
        Just("é✓".to_string()),
    ]
}

fn raw_bytes() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..12)
}

/// A value as written in a file: bare when possible, else double-quoted with escapes.
fn quoted(v: &[u8]) -> String {
    sentinel_core::config::repr(v)
}

/// Lines of a config the loader should accept (a few may still be rejected: they are skipped).
fn line() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"# a comment".to_vec()),
        Just(Vec::new()),
        (0u16..65535).prop_map(|p| format!("port {p}").into_bytes()),
        raw_bytes().prop_map(|b| [b"logfile ".to_vec(), quoted(&b).into_bytes()].concat()),
        raw_bytes().prop_map(|b| [
            b"pidfile ".to_vec(),
            b.into_iter()
                .filter(|c| c.is_ascii_alphanumeric() || *c > 127)
                .collect()
        ]
        .concat()),
        Just(b"bind 127.0.0.1 -::1".to_vec()),
        Just(b"loglevel warning".to_vec()),
        Just(b"save 900 1".to_vec()),
        Just(b"user default on nopass ~* &* +@all".to_vec()),
        (1u32..5000).prop_map(|n| format!("maxclients {n}").into_bytes()),
        word().prop_map(|w| format!("requirepass {}", quoted(w.as_bytes())).into_bytes()),
        Just(format!("sentinel myid {MYID}").into_bytes()),
        (0u64..9).prop_map(|e| format!("sentinel current-epoch {e}").into_bytes()),
        (word(), 1u16..9999)
            .prop_map(|(n, p)| format!("sentinel monitor {} 10.0.0.1 {p} 2", quoted(n.as_bytes())).into_bytes()),
        (1i32..99999).prop_map(|ms| format!("sentinel down-after-milliseconds mymaster {ms}").into_bytes()),
        word().prop_map(|w| format!("sentinel auth-pass mymaster {}", quoted(w.as_bytes())).into_bytes()),
        (0u64..5).prop_map(|e| format!("sentinel config-epoch mymaster {e}").into_bytes()),
        (1u16..9999).prop_map(|p| format!("sentinel known-replica mymaster 10.0.0.2 {p}").into_bytes()),
        Just(b"sentinel known-sentinel mymaster 10.0.0.3 26379 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".to_vec()),
        word().prop_map(|w| format!("sentinel announce-ip {}", quoted(w.as_bytes())).into_bytes()),
        Just(b"sentinel rename-command mymaster CONFIG GUESSME".to_vec()),
        Just(b"# Generated by CONFIG REWRITE".to_vec()),
    ]
}

/// No `user` line means Redis' implicit default user, which is what the rewrite writes out.
/// The settings, with the users as the ACL they make (a rewrite writes the users as
/// `user` lines, `requirepass` included in the default user's passwords).
fn normalized(s: &Sentinel) -> (sentinel_core::ServerOptions, Vec<String>) {
    let mut o = s.server_options().clone();
    o.users.clear();
    (o, s.initial_acl().lines())
}

fn file_of(lines: &[Vec<u8>]) -> Vec<u8> {
    lines.iter().flat_map(|l| l.iter().copied().chain([b'\n'])).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = load(&bytes);
    }

    #[test]
    fn random_lines_never_panic(lines in proptest::collection::vec(
        prop_oneof![line(), raw_bytes(), "[ -~]{0,30}".prop_map(String::into_bytes)], 0..12)) {
        if let Ok(mut s) = load(&file_of(&lines)) {
            let out = s.rewrite_config();
            prop_assert!(load(out.as_bytes()).is_ok(), "rewrite not loadable:\n{}", out);
        }
    }

    #[test]
    fn accepted_configs_round_trip(lines in proptest::collection::vec(line(), 0..16)) {
        let mut lines = lines;
        lines.insert(0, b"sentinel monitor mymaster 127.0.0.1 6379 2".to_vec());
        let loaded = load(&file_of(&lines));
        let Ok(mut s1) = loaded else { return Ok(()) };
        let out1 = s1.rewrite_config();
        let mut s2 = load(out1.as_bytes()).map_err(|e| TestCaseError::fail(format!("{e}\n{out1}")))?;
        prop_assert_eq!(normalized(&s2), normalized(&s1));
        prop_assert_eq!(s2.myid(), s1.myid());
        prop_assert_eq!(s2.current_epoch(), s1.current_epoch());
        let out2 = s2.rewrite_config();
        prop_assert_eq!(&out2, &out1);
        // A later rewrite of the same process starts from the earlier one and changes nothing.
        prop_assert_eq!(&s1.rewrite_config(), &out1);
    }
}
