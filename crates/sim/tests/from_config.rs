//! `scenario from-config`: scenarios from sentinel.conf and redis.conf files. The config files are
//! written here (small, made up for these tests). The generated text must validate as a scenario,
//! with and without its commented examples, list every directive it did not carry over, and fail
//! with `file:line:col` on bad input; in the simulator build it is also played.

use std::path::PathBuf;
use std::process::Command;

use sim::scenario::from_config::{from_configs, ConfFile, ConfKind, DroppedKind, Options, Skeleton};
use sim::scenario::{self, Scenario};

fn sentinel_conf(port: u16, extra: &str) -> String {
    format!(
        "# sentinel {port}\nport {port}\nbind 127.0.0.1\ndaemonize yes\nlogfile \"/var/log/sentinel-{port}.log\"\n\
         sentinel monitor shop 127.0.0.1 7000 2\nsentinel down-after-milliseconds shop 4000\n\
         SENTINEL failover-timeout shop 12000\nsentinel parallel-syncs shop 2\n\
         sentinel auth-pass shop 'top secret'\n{extra}"
    )
}

fn redis_conf(port: u16, extra: &str) -> String {
    format!("port {port}\nbind 127.0.0.1 -::1\ndir /var/lib/redis\nsave \"\"\nrequirepass hunter2\n{extra}")
}

fn files(sentinels: &[String], redis: &[String]) -> Vec<ConfFile> {
    let s = sentinels.iter().enumerate().map(|(i, t)| ConfFile {
        path: format!("s{i}.conf"),
        kind: ConfKind::Sentinel,
        text: t.clone(),
    });
    let r = redis.iter().enumerate().map(|(i, t)| ConfFile {
        path: format!("r{i}.conf"),
        kind: ConfKind::Redis,
        text: t.clone(),
    });
    s.chain(r).collect()
}

/// Three Sentinels, a master and two replicas, one of them with priority 0 and old spellings.
fn shop() -> Vec<ConfFile> {
    files(
        &[
            sentinel_conf(26380, ""),
            sentinel_conf(26381, "sentinel myid 0123456789abcdef0123456789abcdef01234567\n"),
            sentinel_conf(26382, "include /etc/redis/common.conf\n"),
        ],
        &[
            redis_conf(
                7000,
                "min-replicas-to-write 1\nmin-replicas-max-lag 5\nappendonly yes\n",
            ),
            redis_conf(7001, "replicaof 127.0.0.1 7000\nrepl-backlog-size 64mb\n"),
            redis_conf(
                7002,
                "SLAVEOF 127.0.0.1 7000\nslave-priority 0\nslave-serve-stale-data no\n",
            ),
        ],
    )
}

fn generate(fs: &[ConfFile], opts: &Options) -> Skeleton {
    from_configs(fs, opts).unwrap_or_else(|e| panic!("from_configs: {e}"))
}

fn error(fs: &[ConfFile], opts: &Options) -> String {
    match from_configs(fs, opts) {
        Ok(s) => panic!("expected an error, got:\n{}", s.toml),
        Err(e) => e.to_string(),
    }
}

fn validate(text: &str) -> Scenario {
    scenario::parse(text, "generated.toml").unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// The text with every commented example setting (`# key = value`, `# [table]`) uncommented.
fn uncommented(text: &str) -> String {
    let body = text.find("\nname = ").expect("settings after the opening comments");
    let (head, tail) = text.split_at(body);
    let tail: Vec<String> = tail
        .lines()
        .map(|l| match l.strip_prefix("# ") {
            Some(rest) if rest.starts_with('[') || rest.contains(" = ") => rest.to_string(),
            _ => l.to_string(),
        })
        .collect();
    format!("{head}{}\n", tail.join("\n"))
}

#[test]
fn the_settings_come_over_and_the_skeleton_validates() {
    let sk = generate(&shop(), &Options::default());
    let s = validate(&sk.toml);
    assert_eq!(s.name, "from-config");
    assert_eq!(
        (s.master.name.as_str(), s.master.node.as_str(), s.master.quorum),
        ("shop", "redis-7000", 2)
    );
    assert_eq!(
        (
            s.master.down_after_ms,
            s.master.failover_timeout_ms,
            s.master.parallel_syncs
        ),
        (4000, 12000, 2)
    );
    let names: Vec<&str> = s.redis.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["redis-7000", "redis-7001", "redis-7002"]);
    let m = &s.redis[0];
    assert_eq!(
        (m.min_replicas_to_write, m.min_replicas_max_lag_ms, m.persistence),
        (1, 5000, true)
    );
    assert_eq!(s.redis[1].replica_of.as_deref(), Some("redis-7000"));
    assert!(!s.redis[1].persistence);
    let r2 = &s.redis[2];
    assert_eq!(
        (r2.replica_of.as_deref(), r2.priority, r2.serve_stale_data),
        (Some("redis-7000"), 0, false)
    );
    let sentinels: Vec<&str> = s.sentinels.iter().map(|x| x.addr.as_str()).collect();
    assert_eq!(sentinels, ["127.0.0.1:26380", "127.0.0.1:26381", "127.0.0.1:26382"]);
    assert!(s.timeline.is_empty() && s.clients.is_empty());
    assert!(s.story.starts_with("Story: "), "{}", s.story);
    // Byte for byte the same for the same input.
    assert_eq!(generate(&shop(), &Options::default()).toml, sk.toml);
    assert!(!sk.toml.contains("n/a") && !sk.toml.contains("TODO"));
}

#[test]
fn every_directive_without_a_setting_is_listed_with_its_place() {
    let sk = generate(&shop(), &Options::default());
    let listed = |kind| {
        sk.dropped
            .iter()
            .filter(|d| d.kind == kind)
            .map(|d| format!("{}:{} {}", d.file, d.line, d.name()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        listed(DroppedKind::NotCarried),
        [
            "s0.conf:10 sentinel auth-pass",
            "s1.conf:10 sentinel auth-pass",
            "s1.conf:11 sentinel myid",
            "s2.conf:10 sentinel auth-pass",
            "s2.conf:11 include",
            "r0.conf:5 requirepass",
            "r1.conf:5 requirepass",
            "r1.conf:7 repl-backlog-size",
            "r2.conf:5 requirepass",
        ]
    );
    assert_eq!(listed(DroppedKind::Ignored).len(), 3 * 2 + 3);
    for d in &sk.dropped {
        let place = format!("{}:{}", d.file, d.line);
        let in_text = match d.kind {
            DroppedKind::NotCarried => sk.toml.contains(&format!("{place}: {}", d.shown)),
            DroppedKind::Ignored => sk.toml.contains(&format!("{} ({})", d.name(), d.line)),
        };
        assert!(in_text, "{place} {} not in the scenario:\n{}", d.shown, sk.toml);
    }
    // Secrets are never echoed.
    assert!(!sk.toml.contains("hunter2") && !sk.toml.contains("top secret"));
    // The Sentinels' password differs from the data nodes': no group password, and why.
    assert!(sk
        .toml
        .contains("r0.conf:5: requirepass <hidden> — the files do not all give the same password"));
    assert_eq!(scenario::parse(&sk.toml, "shop.toml").unwrap().master.auth_pass, None);
}

/// One password in every file (`requirepass`, `masterauth`, `sentinel auth-pass`) becomes the
/// scenario's `[master] auth_pass`, and none of those lines is listed.
#[test]
fn one_password_everywhere_becomes_the_group_password() {
    let same: Vec<ConfFile> = shop()
        .into_iter()
        .map(|mut f| {
            f.text = f
                .text
                .replace("'top secret'", "hunter2")
                .replace("requirepass hunter2\n", "requirepass hunter2\nmasterauth hunter2\n");
            f
        })
        .collect();
    let sk = generate(&same, &Options::default());
    let s = scenario::parse(&sk.toml, "shop.toml").unwrap();
    assert_eq!(s.master.auth_pass.as_deref(), Some("hunter2"));
    assert!(sk
        .dropped
        .iter()
        .all(|d| !["requirepass", "masterauth", "sentinel auth-pass"].contains(&d.name())));
    // One data node without the password: the files disagree, so none is carried over.
    let mut missing = same.clone();
    missing[3].text = missing[3].text.replace("requirepass hunter2\n", "");
    let sk = generate(&missing, &Options::default());
    assert_eq!(scenario::parse(&sk.toml, "shop.toml").unwrap().master.auth_pass, None);
    assert!(sk.dropped.iter().any(|d| d.name() == "sentinel auth-pass"));
}

#[test]
fn the_commented_examples_validate_once_uncommented() {
    let sk = generate(&shop(), &Options::default());
    let s = validate(&uncommented(&sk.toml));
    let kinds: Vec<&str> = s.timeline.iter().map(|t| t.action.kind().as_str()).collect();
    assert_eq!(kinds, ["kill", "partition", "heal"]);
    assert_eq!(s.clients.len(), 1);
    assert_eq!(s.expect.failover, Some(true));
    // The priority-0 replica is not offered as a candidate.
    assert_eq!(s.expect.promoted.as_deref(), Some(&["redis-7001".to_string()][..]));
    assert!(s.settles());
}

#[test]
fn nodes_the_sentinels_know_are_added_when_no_file_describes_them() {
    let known = "sentinel known-replica shop 127.0.0.1 7001\nsentinel known-sentinel shop 127.0.0.1 26381 \
                 0123456789abcdef0123456789abcdef01234567\nsentinel known-sentinel shop 127.0.0.1 26382 \
                 89abcdef0123456789abcdef0123456789abcdef\n";
    let sk = generate(&files(&[sentinel_conf(26380, known)], &[]), &Options::default());
    let s = validate(&sk.toml);
    let redis: Vec<(&str, Option<&str>)> = s
        .redis
        .iter()
        .map(|r| (r.addr.as_str(), r.replica_of.as_deref()))
        .collect();
    assert_eq!(
        redis,
        [("127.0.0.1:7000", None), ("127.0.0.1:7001", Some("redis-7000"))]
    );
    assert_eq!(s.sentinels.len(), 3);
    assert!(sk
        .toml
        .contains("127.0.0.1:7000 has no config file given: added with defaults (from sentinel monitor at"));
    assert!(sk
        .toml
        .contains("# no sentinel.conf given: a Sentinel another one knows (known-sentinel)"));
}

#[test]
fn several_masters_need_a_choice_and_the_others_are_listed() {
    let extra = "sentinel monitor cache 127.0.0.1 7100 1\nsentinel down-after-milliseconds cache 1000\n";
    let fs = files(
        &[
            sentinel_conf(26380, extra),
            sentinel_conf(26381, ""),
            sentinel_conf(26382, ""),
        ],
        &[],
    );
    let e = error(&fs, &Options::default());
    assert!(
        e.contains("several masters (cache, shop)") && e.contains("--master NAME"),
        "{e}"
    );
    let opts = Options {
        master: Some("shop".into()),
        ..Options::default()
    };
    let sk = generate(&fs, &opts);
    validate(&sk.toml);
    assert!(sk
        .toml
        .contains("s0.conf:11: sentinel monitor cache 127.0.0.1 7100 1 — about master \"cache\""));
    assert!(sk
        .toml
        .contains("s0.conf:12: sentinel down-after-milliseconds cache 1000 — about master"));
    let e = error(
        &fs,
        &Options {
            master: Some("cache".into()),
            ..Options::default()
        },
    );
    assert_eq!(
        e,
        "s1.conf: does not monitor \"cache\" (monitored: shop): every Sentinel of a scenario monitors the same master"
    );
}

#[test]
fn bad_input_is_an_error_with_file_line_and_column() {
    let three = |extra: &str| {
        files(
            &[
                sentinel_conf(26380, ""),
                sentinel_conf(26381, extra),
                sentinel_conf(26382, ""),
            ],
            &[],
        )
    };
    let cases: [(Vec<ConfFile>, &str); 7] = [
        (
            three("sentinel down-after-milliseconds shop 5000\n"),
            "s1.conf:11:1: down-after-milliseconds 5000 here but 4000 in s0.conf:7",
        ),
        (
            files(&[sentinel_conf(26380, "")], &[]),
            "s0.conf:6:38: quorum 2 but only 1 Sentinel(s) known",
        ),
        (
            three("sentinel failover-timeout other 1000\n"),
            "s1.conf:11:27: no `sentinel monitor` for \"other\" in this file (monitored: shop)",
        ),
        (
            three("sentinel parallel-syncs shop \"3\n"),
            "s1.conf:11:30: unbalanced quotes",
        ),
        (
            three("sentinel announce-ip redis.example\n"),
            "s1.conf:11:22: \"redis.example\" is not an IP address",
        ),
        (
            files(
                &[
                    sentinel_conf(26380, ""),
                    sentinel_conf(26381, ""),
                    sentinel_conf(26380, ""),
                ],
                &[],
            ),
            "s2.conf: listens on 127.0.0.1:26380, as s0.conf does",
        ),
        (
            files(
                &[
                    sentinel_conf(26380, ""),
                    sentinel_conf(26381, ""),
                    sentinel_conf(26382, ""),
                ],
                &[redis_conf(7000, "replicaof 127.0.0.1 7000\n")],
            ),
            "r0.conf:6:11: a node cannot replicate from itself",
        ),
    ];
    for (fs, want) in cases {
        let e = error(&fs, &Options::default());
        assert!(e.starts_with(want), "got {e:?}, want {want:?}");
    }
    let e = error(&files(&[], &[redis_conf(7000, "")]), &Options::default());
    assert!(e.contains("--sentinel"), "{e}");
}

#[test]
fn garbage_never_panics() {
    let samples = [
        "\u{0}\u{1}\"'\\",
        "sentinel",
        "sentinel monitor",
        "sentinel monitor a 1.2.3.4 0 1",
        "sentinel monitor a 1.2.3.4 99999999999999999999 1",
        "port -1",
        "bind",
        "sentinel known-replica a 1.2.3.4 5",
        "'",
        "\"\\x",
    ];
    for s in samples {
        let fs = files(&[s.to_string()], &[s.to_string()]);
        let _ = from_configs(&fs, &Options::default());
    }
}

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sentinel-sim-from-config-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn the_command_prints_or_writes_and_lists_on_stderr() {
    let dir = temp_dir("cli");
    let mut args: Vec<String> = Vec::new();
    for f in shop() {
        let p = dir.join(&f.path);
        std::fs::write(&p, &f.text).unwrap();
        let flag = if f.kind == ConfKind::Sentinel {
            "--sentinel"
        } else {
            "--redis"
        };
        args.extend([flag.to_string(), p.display().to_string()]);
    }
    let run = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_sentinel-sim"))
            .args(["scenario", "from-config"])
            .args(&args)
            .args(extra)
            .output()
            .expect("sentinel-sim runs")
    };
    let o = run(&[]);
    let (out, err) = (String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(o.status.success(), "{err}");
    validate(&out);
    assert!(
        err.contains("not carried over (9; also listed in the scenario):"),
        "{err}"
    );
    assert!(
        err.contains("r1.conf:7: repl-backlog-size 64mb — no scenario setting for it"),
        "{err}"
    );
    assert!(err.contains("ignored, no effect in the simulator:"), "{err}");
    let file = dir.join("out.toml");
    let o = run(&["-o", file.to_str().unwrap(), "--name", "shop"]);
    assert!(o.status.success());
    let s = scenario::load(&file).unwrap();
    assert_eq!(s.name, "shop");
    let o = run(&["-o", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("exists (use --force to replace it)"));
    assert!(run(&["-o", file.to_str().unwrap(), "--force"]).status.success());
    let _ = std::fs::remove_dir_all(&dir);
}

/// The skeleton with its kill example plays in the simulator: the Sentinels fail over.
#[cfg(madsim)]
#[test]
fn the_skeleton_with_the_kill_example_plays() {
    let sk = generate(&shop(), &Options::default());
    let text = uncommented(&sk.toml);
    // Keep only the kill and the expectations: cut the partition story out.
    let cut_from = text.find("# Or: the master").unwrap();
    let cut_to = text[cut_from..].find("\n\n").unwrap() + cut_from;
    let text = format!("{}{}", &text[..cut_from], &text[cut_to..]);
    let s = validate(&text);
    let r = sim::run::run_once(&s, 1).unwrap();
    let summary = sim::report::summary(
        &r,
        sim::report::SummaryOpts {
            verbose: false,
            color: false,
        },
    );
    assert!(r.ok, "{summary}");
}
