//! `[expect]`: data nodes resolved, bounds consistent, event names well-formed, no expectations
//! that contradict each other.

use super::registry::{Registry, Want};
use crate::scenario::error::{Ctx, ScenarioError};
use crate::scenario::raw::{Dur, RawExpect, S};
use crate::scenario::types::Expect;

pub fn validate_expect(ctx: &Ctx, reg: &Registry, e: &RawExpect) -> Result<Expect, ScenarioError> {
    let list = |l: &S<Vec<String>>, field: &str| -> Result<Option<Vec<String>>, ScenarioError> {
        match l {
            None => Ok(None),
            Some(l) if l.get_ref().is_empty() => Err(ctx.err(l.span(), field, "empty list")),
            Some(l) => reg.resolve_list(ctx, l, field, Want::Redis).map(Some),
        }
    };
    let promoted = list(&e.promoted, "expect.promoted")?;
    let never_promoted = list(&e.never_promoted, "expect.never_promoted")?;
    let final_master = match &e.final_master {
        None => None,
        Some(m) => Some(reg.resolve(ctx, m.span(), "expect.final_master", m.get_ref(), Want::Redis)?),
    };
    if let (Some(m), Some(p)) = (&final_master, &promoted) {
        if !p.contains(m) {
            let span = e.final_master.as_ref().map(|s| s.span()).unwrap_or(0..0);
            return Err(ctx.err(
                span,
                "expect.final_master",
                format!("{m} is not in expect.promoted: the expectations contradict"),
            ));
        }
    }
    if let (Some(p), Some(n)) = (&promoted, &never_promoted) {
        if let Some(x) = p.iter().find(|x| n.contains(x)) {
            let span = e.never_promoted.as_ref().map(|s| s.span()).unwrap_or(0..0);
            return Err(ctx.err(span, "expect.never_promoted", format!("{x} is also in expect.promoted")));
        }
    }
    let dur = |d: &S<Dur>| d.as_ref().map(|d| d.get_ref().0);
    for (d, name) in [
        (&e.max_detection, "expect.max_detection"),
        (&e.max_failover, "expect.max_failover"),
        (&e.converged_within, "expect.converged_within"),
    ] {
        if let Some(d) = d {
            if d.get_ref().0 == 0 {
                return Err(ctx.err(d.span(), name, "must be greater than zero"));
            }
        }
    }
    min_max(ctx, &e.lost_writes_min, e.lost_writes_max, "expect.lost_writes_min")?;
    min_max(
        ctx,
        &e.lost_writes_after_heal_min,
        e.lost_writes_after_heal_max,
        "expect.lost_writes_after_heal_min",
    )?;
    min_max(ctx, &e.min_epoch, e.max_epoch, "expect.min_epoch")?;
    let seen = event_names(ctx, &e.seen, "expect.seen")?;
    let not_seen = event_names(ctx, &e.not_seen, "expect.not_seen")?;
    if let (Some(a), Some(b)) = (&seen, &not_seen) {
        if let Some(x) = a.iter().find(|x| b.contains(x)) {
            let span = e.not_seen.as_ref().map(|s| s.span()).unwrap_or(0..0);
            return Err(ctx.err(span, "expect.not_seen", format!("{x} is also in expect.seen")));
        }
    }
    Ok(Expect {
        failover: e.failover,
        promoted,
        never_promoted,
        final_master,
        max_detection_ms: dur(&e.max_detection),
        max_failover_ms: dur(&e.max_failover),
        tilt: e.tilt,
        lost_writes_max: e.lost_writes_max,
        lost_writes_min: e.lost_writes_min.as_ref().map(|v| *v.get_ref()),
        lost_writes_after_heal_max: e.lost_writes_after_heal_max,
        lost_writes_after_heal_min: e.lost_writes_after_heal_min.as_ref().map(|v| *v.get_ref()),
        converged_within_ms: dur(&e.converged_within),
        min_epoch: e.min_epoch.as_ref().map(|v| *v.get_ref()),
        max_epoch: e.max_epoch,
        seen,
        not_seen,
    })
}

/// A lower bound must not be above the upper bound.
fn min_max(ctx: &Ctx, min: &S<u64>, max: Option<u64>, field: &str) -> Result<(), ScenarioError> {
    if let (Some(mn), Some(mx)) = (min, max) {
        if *mn.get_ref() > mx {
            return Err(ctx.err(mn.span(), field, format!("{} is above the maximum {mx}", mn.get_ref())));
        }
    }
    Ok(())
}

/// A non-empty list of Sentinel event names (`+convert-to-slave`).
fn event_names(ctx: &Ctx, l: &S<Vec<String>>, field: &str) -> Result<Option<Vec<String>>, ScenarioError> {
    let Some(l) = l else { return Ok(None) };
    if l.get_ref().is_empty() {
        return Err(ctx.err(l.span(), field, "empty list"));
    }
    for (i, n) in l.get_ref().iter().enumerate() {
        let ok = n.len() > 1
            && (n.starts_with('+') || n.starts_with('-'))
            && n[1..].chars().all(|c| c.is_ascii_lowercase() || c == '-');
        if !ok {
            return Err(ctx.err(
                l.span(),
                format!("{field}[{i}]"),
                format!("{n:?} is not a Sentinel event name (like \"+convert-to-slave\")"),
            ));
        }
    }
    Ok(Some(l.get_ref().clone()))
}
