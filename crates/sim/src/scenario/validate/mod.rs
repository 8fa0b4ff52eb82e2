//! From the raw file to a [`Scenario`]: every check, in file order, each failure a
//! [`ScenarioError`] naming the file, line, column and field.
//!
//! - `nodes`: names, addresses, duplicates, `replica_of` and replication cycles;
//! - `master`: the `[master]` group;
//! - `clients`: `[[client]]`;
//! - `network`: `[network]`;
//! - `action`: one `[[timeline]]` entry (the shared checks; each kind's own are in
//!   `scenario/actions/`), `process_states`: the timeline in time order;
//! - `expect`: `[expect]`.

pub mod action;
mod clients;
mod expect;
mod master;

pub(crate) use master::valid_auth_pass;
mod network;
mod nodes;
mod process_states;
pub mod registry;

use std::path::Path;

use super::error::{Ctx, ScenarioError};
use super::raw::RawScenario;
use super::types::{Expect, Scenario, TimedAction};
use super::DEFAULT_SETTLE_MS;
use crate::duration::format_ms;

/// Checks the raw scenario and fills in the defaults.
pub fn validate(ctx: &Ctx, raw: RawScenario) -> Result<Scenario, ScenarioError> {
    let name = scenario_name(ctx, &raw)?;
    let (duration_ms, settle_ms) = run_length(ctx, &raw)?;
    let mut known = nodes::Known::check(ctx, &raw)?;
    let redis = nodes::data_nodes(ctx, &raw, &known)?;
    let sentinels = nodes::sentinels(&raw, &known);
    let master = master::master_group(ctx, &raw, &known.registry, &redis, sentinels.len())?;
    let clients = clients::clients(ctx, &raw, &mut known, duration_ms)?;
    let network = network::network(ctx, raw.network.as_ref())?;
    let mut timeline: Vec<(usize, TimedAction)> = Vec::new();
    for (i, a) in raw.timeline.iter().enumerate() {
        let act = action::validate_action(ctx, &known.registry, &master, duration_ms, i, a)?;
        timeline.push((i, act));
    }
    timeline.sort_by_key(|(i, t)| (t.at_ms, *i));
    process_states::check_process_states(ctx, &raw, &timeline)?;
    let expect = match &raw.expect {
        None => Expect::default(),
        Some(e) => expect::validate_expect(ctx, &known.registry, e)?,
    };
    Ok(Scenario {
        name,
        story: story_of(ctx.text),
        duration_ms,
        settle_ms,
        seed: raw.seed,
        master,
        redis,
        sentinels,
        clients,
        network,
        timeline: timeline.into_iter().map(|(_, t)| t).collect(),
        expect,
    })
}

/// `name`, default: the file stem (or `scenario` when that is no valid name).
fn scenario_name(ctx: &Ctx, raw: &RawScenario) -> Result<String, ScenarioError> {
    let Some(n) = &raw.name else {
        let stem = file_stem(ctx.file);
        return Ok(if valid_name(&stem) {
            stem
        } else {
            "scenario".to_string()
        });
    };
    if !valid_name(n.get_ref()) {
        return Err(ctx.err(
            n.span(),
            "name",
            format!("invalid name {:?}: use letters, digits, '-', '_' and '.'", n.get_ref()),
        ));
    }
    Ok(n.get_ref().clone())
}

/// `duration` (> 0) and `settle` (default 20s, at most the duration).
fn run_length(ctx: &Ctx, raw: &RawScenario) -> Result<(u64, u64), ScenarioError> {
    let duration_ms = raw.duration.get_ref().0;
    if duration_ms == 0 {
        return Err(ctx.err(raw.duration.span(), "duration", "must be greater than zero"));
    }
    let settle_ms = raw.settle.as_ref().map(|s| s.get_ref().0).unwrap_or(DEFAULT_SETTLE_MS);
    if let Some(s) = &raw.settle {
        if settle_ms > duration_ms {
            return Err(ctx.err(
                s.span(),
                "settle",
                format!(
                    "settle {} exceeds the duration {}",
                    format_ms(settle_ms),
                    format_ms(duration_ms)
                ),
            ));
        }
    }
    Ok((duration_ms, settle_ms))
}

/// `t is not before the end of the run (duration d)`.
pub fn beyond(t: u64, duration: u64) -> String {
    format!(
        "{} is not before the end of the run (duration {})",
        format_ms(t),
        format_ms(duration)
    )
}

/// The leading comment block (after any blank lines), without the `#` markers.
fn story_of(text: &str) -> String {
    let mut lines = Vec::new();
    for line in text
        .lines()
        .map(|l| l.trim_end_matches('\r'))
        .skip_while(|l| l.trim().is_empty())
    {
        let t = line.trim_start();
        let Some(c) = t.strip_prefix('#') else { break };
        lines.push(c.strip_prefix(' ').unwrap_or(c));
    }
    lines.join("\n")
}

fn file_stem(file_name: &str) -> String {
    Path::new(file_name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

pub(super) fn valid_name(n: &str) -> bool {
    !n.is_empty()
        && n.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

pub(super) fn valid_addr(a: &str) -> Result<(), String> {
    let Some((host, port)) = a.rsplit_once(':') else {
        return Err(format!(
            "invalid address {a:?}: expected ip:port, e.g. \"127.0.0.1:6379\""
        ));
    };
    let host_ok = !host.is_empty()
        && (host.parse::<std::net::Ipv4Addr>().is_ok()
            || host
                .strip_prefix('[')
                .and_then(|h| h.strip_suffix(']'))
                .is_some_and(|h| h.parse::<std::net::Ipv6Addr>().is_ok()));
    if !host_ok {
        return Err(format!(
            "invalid address {a:?}: the host must be an IPv4 address (or [IPv6])"
        ));
    }
    match port.parse::<u16>() {
        Ok(p) if p > 0 => Ok(()),
        _ => Err(format!("invalid address {a:?}: the port must be 1..65535")),
    }
}
