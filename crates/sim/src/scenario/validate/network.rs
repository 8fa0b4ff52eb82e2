//! `[network]`: the base network (default: loopback).

use crate::duration::format_us;
use crate::scenario::error::{Ctx, ScenarioError};
use crate::scenario::raw::{RawNetwork, UsDur};
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
    let too_long = |v: &toml::Spanned<UsDur>, field: &str| {
        (v.get_ref().0 > MAX_LATENCY_US).then(|| ctx.err(v.span(), field, "latency above 60s is not supported"))
    };
    if let Some(v) = &raw.latency_min {
        if let Some(e) = too_long(v, "network.latency_min") {
            return Err(e);
        }
        n.latency_min_us = v.get_ref().0;
        n.latency_max_us = n.latency_max_us.max(n.latency_min_us);
    }
    if let Some(v) = &raw.latency_max {
        if let Some(e) = too_long(v, "network.latency_max") {
            return Err(e);
        }
        n.latency_max_us = v.get_ref().0;
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
