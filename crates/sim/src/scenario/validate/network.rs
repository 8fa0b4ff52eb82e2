//! `[network]`: the base network (default: loopback).

use crate::duration::format_us;
use crate::scenario::error::{Ctx, ScenarioError};
use crate::scenario::raw::RawNetwork;
use crate::scenario::types::Network;

/// The largest base delay accepted, as for the `latency` action (60 s).
const MAX_LATENCY_US: u64 = 60_000_000;

/// `latency_min <= latency_max <= 60s` (an omitted bound is the loopback default, so setting
/// only `latency_max = "1ms"` widens the default range); `loss` in `[0, 1)`.
pub fn network(ctx: &Ctx, raw: Option<&RawNetwork>) -> Result<Network, ScenarioError> {
    let Some(raw) = raw else {
        return Ok(Network::LOOPBACK);
    };
    let mut n = Network::LOOPBACK;
    if let Some(v) = &raw.latency_min {
        n.latency_min_us = v.get_ref().0;
        n.latency_max_us = n.latency_max_us.max(n.latency_min_us);
    }
    if let Some(v) = &raw.latency_max {
        n.latency_max_us = v.get_ref().0;
        if n.latency_max_us > MAX_LATENCY_US {
            return Err(ctx.err(v.span(), "network.latency_max", "latency above 60s is not supported"));
        }
        if n.latency_max_us < n.latency_min_us {
            return Err(ctx.err(
                v.span(),
                "network.latency_max",
                format!(
                    "latency_max {} is below latency_min {}",
                    format_us(n.latency_max_us),
                    format_us(n.latency_min_us)
                ),
            ));
        }
    }
    if let Some(v) = &raw.latency_min {
        if n.latency_min_us > MAX_LATENCY_US {
            return Err(ctx.err(v.span(), "network.latency_min", "latency above 60s is not supported"));
        }
    }
    if let Some(v) = &raw.loss {
        let r = *v.get_ref();
        if !(0.0..1.0).contains(&r) {
            return Err(ctx.err(
                v.span(),
                "network.loss",
                format!("loss {r} must be within 0 (included) and 1 (excluded): at 1 nothing is ever delivered"),
            ));
        }
        n.loss = r;
    }
    Ok(n)
}
