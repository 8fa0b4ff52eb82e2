//! `[master] auth_pass`: a password-protected group. The data nodes require it (`requirepass`,
//! `masterauth`), the Sentinels are configured with `sentinel auth-pass`, the clients and the
//! runner's probes `AUTH`: the kill of the master is still detected and failed over, writes are
//! acknowledged, and the final roles are read. Simulation builds only (`cargo simtest`).
#![cfg(madsim)]

mod common;

use sim::scenario;
use sim::spec::ProcKind;

fn with_auth() -> scenario::Scenario {
    let text = std::fs::read_to_string(common::scenarios_dir().join("master_kill.toml"))
        .unwrap()
        .replace(
            "failover_timeout = \"3s\"",
            "failover_timeout = \"3s\"\nauth_pass = \"s3cr3t\"",
        )
        + "\n[[client]]\nname = \"app\"\nmode = \"sentinel\"\nrate = 20\nstart = \"2s\"\nstop = \"50s\"\n";
    let s = scenario::parse(&text, "master_kill_auth.toml").unwrap();
    assert_eq!(s.master.auth_pass.as_deref(), Some("s3cr3t"));
    s
}

#[test]
fn every_process_is_configured_with_the_password() {
    let spec = sim::plan::plan(&with_auth(), 1).unwrap();
    for p in &spec.procs {
        match &p.kind {
            ProcKind::Redis(cfg) => assert_eq!(cfg.requirepass.as_deref(), Some("s3cr3t"), "{}", p.name),
            ProcKind::Sentinel { config } => {
                assert!(config.contains("sentinel auth-pass mymaster s3cr3t\n"), "{config}")
            }
        }
    }
    assert!(spec
        .clients
        .iter()
        .all(|c| c.config.password.as_deref() == Some("s3cr3t")));
}

#[test]
fn a_protected_group_fails_over_and_serves_its_clients() {
    for seed in 1..=3 {
        let r = sim::run::run_once(&with_auth(), seed).unwrap();
        let failures: Vec<String> = r
            .failures()
            .iter()
            .map(|c| format!("{}: {}", c.name, c.detail))
            .collect();
        assert!(r.ok, "seed {seed}: {failures:?}");
        assert!(
            r.timeline.last_switch_ms.is_some(),
            "seed {seed}: every Sentinel switched"
        );
        let w = r.writes.as_ref().expect("a client workload");
        assert!(w.acknowledged > 500, "seed {seed}: {} acknowledged", w.acknowledged);
        assert!(
            r.final_state
                .data_nodes
                .iter()
                .filter(|d| d.alive)
                .all(|d| d.role.is_some()),
            "seed {seed}: the probes authenticated: {:?}",
            r.final_state.data_nodes
        );
        assert!(
            r.events.iter().all(|e| !e.line.contains("NOAUTH")),
            "seed {seed}: nothing was refused for want of AUTH"
        );
    }
}

#[test]
fn a_bad_password_is_an_error_naming_the_field() {
    let text = std::fs::read_to_string(common::scenarios_dir().join("master_kill.toml"))
        .unwrap()
        .replace(
            "failover_timeout = \"3s\"",
            "failover_timeout = \"3s\"\nauth_pass = \"two words\"",
        );
    let e = scenario::parse(&text, "x.toml").unwrap_err();
    assert_eq!(e.field, "master.auth_pass");
    assert!(e.message.contains("without spaces"), "{}", e.message);
}
