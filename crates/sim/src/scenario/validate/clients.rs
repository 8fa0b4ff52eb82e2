//! `[[client]]`: workload clients, each with a unique name, a mode and its node, a rate and a
//! start/stop window inside the run.

use toml::Spanned;

use super::beyond;
use super::nodes::Known;
use super::registry::Want;
use super::valid_name;
use crate::scenario::error::{Ctx, ScenarioError};
use crate::scenario::raw::{RawClient, RawScenario};
use crate::scenario::types::{Client, ClientMode};
use crate::scenario::{DEFAULT_CLIENT_RATE, DEFAULT_CLIENT_TIMEOUT_MS, WORLD};

/// Every client, in file order (their names join `known.names`).
pub fn clients(
    ctx: &Ctx,
    raw: &RawScenario,
    known: &mut Known,
    duration_ms: u64,
) -> Result<Vec<Client>, ScenarioError> {
    let mut clients = Vec::new();
    for (i, c) in raw.client.iter().enumerate() {
        let field = format!("client[{i}]");
        let rc = c.get_ref();
        let name = client_name(ctx, known, c, i)?;
        known.names.insert(name.clone(), field.clone());
        let mode = match &rc.mode {
            None => ClientMode::Sentinel,
            Some(m) => match m.get_ref().as_str() {
                "sentinel" => ClientMode::Sentinel,
                "sticky" => ClientMode::Sticky,
                other => {
                    return Err(ctx.err(
                        m.span(),
                        format!("{field}.mode"),
                        format!("unknown mode {other:?} (expected \"sentinel\" or \"sticky\")"),
                    ));
                }
            },
        };
        let node = client_node(ctx, known, c, &field, mode)?;
        let rate = match &rc.rate {
            None => DEFAULT_CLIENT_RATE,
            Some(r) if *r.get_ref() == 0 || *r.get_ref() > 10_000 => {
                return Err(ctx.err(r.span(), format!("{field}.rate"), "must be 1..=10000 writes per second"));
            }
            Some(r) => *r.get_ref(),
        };
        let timeout_ms = match &rc.timeout {
            None => DEFAULT_CLIENT_TIMEOUT_MS,
            Some(t) if t.get_ref().0 == 0 || t.get_ref().0 > 60_000 => {
                return Err(ctx.err(t.span(), format!("{field}.timeout"), "must be 1ms..=60s"));
            }
            Some(t) => t.get_ref().0,
        };
        let (start_ms, stop_ms) = window(ctx, rc, &field, duration_ms)?;
        let near = match &rc.near {
            None => None,
            Some(n) => Some(
                known
                    .registry
                    .resolve(ctx, n.span(), &format!("{field}.near"), n.get_ref(), Want::Any)?,
            ),
        };
        clients.push(Client {
            name,
            mode,
            node,
            rate,
            timeout_ms,
            start_ms,
            stop_ms,
            near,
        });
    }
    Ok(clients)
}

/// `name` (default `client-<n>`, 1-based), unique among all processes.
fn client_name(ctx: &Ctx, known: &Known, c: &Spanned<RawClient>, i: usize) -> Result<String, ScenarioError> {
    let field = format!("client[{i}]");
    match &c.get_ref().name {
        Some(n) => {
            let v = n.get_ref();
            if !valid_name(v) || v == WORLD {
                return Err(ctx.err(n.span(), format!("{field}.name"), format!("invalid client name {v:?}")));
            }
            if let Some(prev) = known.names.get(v) {
                return Err(ctx.err(
                    n.span(),
                    format!("{field}.name"),
                    format!("duplicate name {v:?} (already used by {prev})"),
                ));
            }
            Ok(v.clone())
        }
        None => {
            let n = format!("client-{}", i + 1);
            if let Some(prev) = known.names.get(&n) {
                return Err(ctx.err(
                    c.span(),
                    format!("{field}.name"),
                    format!("default name {n:?} already used by {prev}"),
                ));
            }
            Ok(n)
        }
    }
}

/// `node`: required for a sticky client (a data node), not allowed for a sentinel-mode one.
fn client_node(
    ctx: &Ctx,
    known: &Known,
    c: &Spanned<RawClient>,
    field: &str,
    mode: ClientMode,
) -> Result<Option<String>, ScenarioError> {
    match (&c.get_ref().node, mode) {
        (Some(n), ClientMode::Sticky) => Ok(Some(known.registry.resolve(
            ctx,
            n.span(),
            &format!("{field}.node"),
            n.get_ref(),
            Want::Redis,
        )?)),
        (Some(n), ClientMode::Sentinel) => Err(ctx.err(
            n.span(),
            format!("{field}.node"),
            "a sentinel-mode client finds the master through the sentinels; `node` is for mode = \"sticky\"",
        )),
        (None, ClientMode::Sticky) => Err(ctx.err(
            c.span(),
            format!("{field}.node"),
            "a sticky client needs `node` (the data node it writes to)",
        )),
        (None, ClientMode::Sentinel) => Ok(None),
    }
}

/// `start` (default 0) before the end, `stop` (default: the end) after `start`.
fn window(ctx: &Ctx, rc: &RawClient, field: &str, duration_ms: u64) -> Result<(u64, u64), ScenarioError> {
    let start_ms = rc.start.as_ref().map(|s| s.get_ref().0).unwrap_or(0);
    if let Some(s) = &rc.start {
        if start_ms >= duration_ms {
            return Err(ctx.err(s.span(), format!("{field}.start"), beyond(start_ms, duration_ms)));
        }
    }
    let stop_ms = rc.stop.as_ref().map(|s| s.get_ref().0).unwrap_or(duration_ms);
    if let Some(s) = &rc.stop {
        if stop_ms > duration_ms {
            return Err(ctx.err(s.span(), format!("{field}.stop"), beyond(stop_ms, duration_ms)));
        }
        if stop_ms <= start_ms {
            return Err(ctx.err(s.span(), format!("{field}.stop"), "must be after start"));
        }
    }
    Ok((start_ms, stop_ms))
}
