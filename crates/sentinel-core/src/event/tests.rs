use super::*;
use proptest::prelude::*;

fn replica(name: &str) -> Subject {
    let (ip, port) = name.split_once(':').unwrap();
    Subject {
        role: SubjectRole::Slave,
        instance: InstanceRef {
            name: name.into(),
            ip: ip.into(),
            port: port.parse().unwrap(),
        },
        master: Some(InstanceRef {
            name: "mymaster".into(),
            ip: "127.0.0.1".into(),
            port: 6382,
        }),
    }
}

#[test]
fn the_table_is_consistent() {
    for (i, k) in EventKind::ALL.iter().enumerate() {
        assert_eq!(EventKind::from_name(k.name()), Some(*k), "{} is listed once", k.name());
        assert!(k.name().starts_with('+') || k.name().starts_with('-'), "{}", k.name());
        assert!(!EventKind::ALL[..i].iter().any(|o| o.name() == k.name()));
    }
    assert_eq!(
        EventKind::from_name("+failover-detected"),
        None,
        "documented, never emitted"
    );
    assert_eq!(EventKind::SDown.level(), Level::Warning);
    assert_eq!(EventKind::RoleChange.level(), Level::Verbose);
    assert_eq!(EventKind::ScriptChildStarted.level(), Level::Debug);
}

#[test]
fn renders_as_sentinel_does() {
    let m = Subject::master("mymaster", "127.0.0.1", 6382);
    let cases = [
        (
            EventBody::about(EventKind::SDown, m.clone()),
            "+sdown master mymaster 127.0.0.1 6382",
        ),
        (
            EventBody::ODown {
                subject: m.clone(),
                votes: 2,
                quorum: 2,
            },
            "+odown master mymaster 127.0.0.1 6382 #quorum 2/2",
        ),
        (
            EventBody::about(EventKind::PromotedSlave, replica("127.0.0.1:6383")),
            "+promoted-slave slave 127.0.0.1:6383 127.0.0.1 6383 @ mymaster 127.0.0.1 6382",
        ),
        (
            EventBody::SwitchMaster {
                master: "mymaster".into(),
                from: Addr {
                    ip: "127.0.0.1".into(),
                    port: 6382,
                },
                to: Addr {
                    ip: "127.0.0.1".into(),
                    port: 6383,
                },
            },
            "+switch-master mymaster 127.0.0.1 6382 127.0.0.1 6383",
        ),
        (EventBody::Tilt { entered: true }, "+tilt #tilt mode entered"),
        (
            EventBody::VotedFor {
                voter: "a".into(),
                leader: "b".into(),
                epoch: 3,
            },
            "a voted for b 3",
        ),
    ];
    for (body, line) in cases {
        assert_eq!(body.render(), line);
        assert_eq!(EventBody::parse(line).as_ref(), Ok(&body), "{line}");
    }
    let set = EventBody::Set {
        subject: m,
        option: "auth-pass".into(),
        value: "******".into(),
    };
    assert_eq!(set.payload(), "master mymaster 127.0.0.1 6382 auth-pass ******");
    assert_eq!(set.name(), "+set");
}

#[test]
fn malformed_lines_are_errors() {
    let bad = [
        "",
        "+sdown",
        "+sdown ",
        "+sdown master mymaster 127.0.0.1",
        "+sdown master mymaster 127.0.0.1 6382 extra",
        "+sdown master mymaster 127.0.0.1 06382",
        "+sdown master mymaster 127.0.0.1 65536",
        "+sdown slave 127.0.0.1:6383 127.0.0.1 6383",
        "+sdown slave 127.0.0.1:6383 127.0.0.1 6383 # mymaster 127.0.0.1 6382",
        "+sdown primary mymaster 127.0.0.1 6382",
        "+sdown master  mymaster 127.0.0.1 6382",
        "+odown master mymaster 127.0.0.1 6382 #quorum 2",
        "+odown master mymaster 127.0.0.1 6382 #quorum 2/x",
        "+new-epoch -1",
        "+new-epoch 18446744073709551616",
        "+vote-for-leader abc",
        "+tilt #tilt mode exited",
        "+switch-master m 1.2.3.4 1 5.6.7.8",
        "-script-error /x.sh 1",
        "-script-child 12 -0 0",
        "+role-change master m 1.2.3.4 5 new reported role is primary",
        "+monitor master m 1.2.3.4 5 quorum",
        "+made-up master m 1.2.3.4 5",
    ];
    for line in bad {
        assert!(EventBody::parse(line).is_err(), "{line:?} parsed");
    }
    assert_eq!(
        EventBody::parse("+made-up x"),
        Err(EventParseError::UnknownType("+made-up".into()))
    );
}

#[test]
fn log_only_lines() {
    let text = "Sentinel new configuration saved on disk";
    assert_eq!(EventBody::parse(text), Ok(EventBody::Text(text.into())));
    assert_eq!(
        EventBody::parse("Sentinel ID is abc"),
        Ok(EventBody::SentinelId { myid: "abc".into() })
    );
    let delay = "Next failover delay: I will not start a failover before Mon Nov 23 08:04:03 2026";
    assert_eq!(
        EventBody::parse(delay),
        Ok(EventBody::FailoverDelay {
            until: "Mon Nov 23 08:04:03 2026".into()
        })
    );
    assert_eq!(
        EventBody::parse("a voted for b x"),
        Ok(EventBody::Text("a voted for b x".into()))
    );
    for line in [text, delay, "Executing user requested FAILOVER of 'm x'"] {
        let body = EventBody::parse(line).unwrap();
        assert_eq!(body.kind(), None);
        assert_eq!(body.render(), line);
    }
}

#[test]
fn splits_redis_log_lines() {
    let line = "8306:X 23 Nov 2026 08:03:57.499 # +odown master mymaster 127.0.0.1 6382 #quorum 2/2";
    assert_eq!(
        split_log_line(line),
        Some((Level::Warning, "+odown master mymaster 127.0.0.1 6382 #quorum 2/2"))
    );
    assert_eq!(split_log_line("8306:X 23 Nov 2026 08:03:57.499 ? x"), None);
    assert_eq!(split_log_line("no log line"), None);
}

/// A word as names, addresses and run ids are: never starting with `+`/`-` (which would make a
/// log-only line look like an event type).
fn word() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9_.\\[][a-zA-Z0-9_.:\\[\\]'-]{0,11}"
}

fn instance_ref() -> impl Strategy<Value = InstanceRef> {
    (word(), word(), any::<u16>()).prop_map(|(name, ip, port)| InstanceRef { name, ip, port })
}

fn subject() -> impl Strategy<Value = Subject> {
    let role = prop_oneof![
        Just(SubjectRole::Master),
        Just(SubjectRole::Slave),
        Just(SubjectRole::Sentinel)
    ];
    (role, instance_ref(), instance_ref()).prop_map(|(role, instance, m)| Subject {
        role,
        instance,
        master: (role != SubjectRole::Master).then_some(m),
    })
}

fn addr() -> impl Strategy<Value = Addr> {
    (word(), any::<u16>()).prop_map(|(ip, port)| Addr { ip, port })
}

fn about() -> impl Strategy<Value = EventBody> {
    let kinds: Vec<EventKind> = EventKind::ALL
        .iter()
        .copied()
        .filter(|k| k.shape() == Shape::Subject)
        .collect();
    (proptest::sample::select(kinds), subject()).prop_map(|(kind, subject)| EventBody::About { kind, subject })
}

fn with_subject() -> impl Strategy<Value = EventBody> {
    prop_oneof![
        (subject(), any::<u64>()).prop_map(|(subject, quorum)| EventBody::Monitor { subject, quorum }),
        (subject(), word(), "[ -~]{0,20}").prop_map(|(subject, option, value)| EventBody::Set {
            subject,
            option,
            value
        }),
        (any::<bool>(), subject(), any::<bool>()).prop_map(|(coherent, subject, m)| EventBody::RoleChange {
            coherent,
            subject,
            reported: if m { ReportedRole::Master } else { ReportedRole::Slave },
        }),
        (subject(), addr(), word()).prop_map(|(master, to, runid)| EventBody::SentinelAddressSwitch {
            master,
            to,
            runid
        }),
        (subject(), any::<u64>()).prop_map(|(sentinel, count)| EventBody::SentinelAddressUpdate { sentinel, count }),
        (subject(), any::<u32>(), any::<u32>()).prop_map(|(subject, votes, quorum)| EventBody::ODown {
            subject,
            votes,
            quorum
        }),
        (any::<bool>(), subject(), "[ -~]{0,20}").prop_map(|(cmd, subject, error)| EventBody::LinkReconnection {
            link: if cmd { ConnKind::Cmd } else { ConnKind::PubSub },
            subject,
            error,
        }),
    ]
}

fn without_subject() -> impl Strategy<Value = EventBody> {
    prop_oneof![
        any::<u64>().prop_map(|epoch| EventBody::NewEpoch { epoch }),
        (word(), any::<u64>()).prop_map(|(runid, epoch)| EventBody::VoteForLeader { runid, epoch }),
        (word(), addr(), addr()).prop_map(|(master, from, to)| EventBody::SwitchMaster { master, from, to }),
        any::<bool>().prop_map(|entered| EventBody::Tilt { entered }),
        ("[!-~][ -~]{0,15}", any::<i32>(), any::<i32>()).prop_map(|(path, signal, code)| EventBody::ScriptError {
            path,
            signal,
            code
        }),
        ("[!-~][ -~]{0,15}", any::<u32>()).prop_map(|(path, pid)| EventBody::ScriptTimeout { path, pid }),
        any::<u32>().prop_map(|pid| EventBody::ScriptChildStarted { pid }),
        (any::<u32>(), any::<i32>(), any::<i32>()).prop_map(|(pid, code, signal)| EventBody::ScriptChildExited {
            pid,
            code,
            signal
        }),
        word().prop_map(|myid| EventBody::SentinelId { myid }),
        (word(), word(), any::<u64>()).prop_map(|(voter, leader, epoch)| EventBody::VotedFor { voter, leader, epoch }),
        "[!-~][ -~]{0,30}".prop_map(|until| EventBody::FailoverDelay { until }),
        "[ -~]{0,20}".prop_map(|master| EventBody::UserFailover { master }),
        Just(EventBody::Text("Sentinel new configuration saved on disk".into())),
        Just(EventBody::Text("User requested shutdown...".into())),
    ]
}

fn body() -> impl Strategy<Value = EventBody> {
    prop_oneof![about(), with_subject(), without_subject()]
}

proptest! {
    #[test]
    fn render_parse_round_trip(body in body()) {
        let line = body.render();
        let back = EventBody::parse(&line);
        prop_assert_eq!(back.as_ref(), Ok(&body), "{}", line);
        prop_assert_eq!(back.unwrap().render(), line);
        if let Some(kind) = body.kind() {
            prop_assert_eq!(EventBody::from_message(kind, &body.payload()), Ok(body.clone()));
        }
    }

    #[test]
    fn arbitrary_text_never_panics(line in "[ -~]{0,80}") {
        if let Ok(body) = EventBody::parse(&line) {
            prop_assert_eq!(body.render(), line);
        }
    }

    #[test]
    fn mangled_events_never_panic(body in body(), cut in any::<proptest::sample::Index>(), junk in "[ -~]{0,4}") {
        let mut line = body.render();
        let at = cut.index(line.len() + 1);
        line.replace_range(at.., &junk);
        if let Ok(back) = EventBody::parse(&line) {
            prop_assert_eq!(back.render(), line);
        }
    }
}
