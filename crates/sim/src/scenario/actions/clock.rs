//! Clock faults: `clock_skew`, `clock_jump`, `clock_drift`, `clock_strobe`, `clock_reset`.

use super::Action;
use crate::duration::format_ms;
use crate::scenario::error::ScenarioError;
use crate::scenario::validate::action::{need, Input};
use crate::scenario::validate::registry::Want;

/// `clock_skew {node, offset}`.
pub fn skew(v: &Input) -> Result<Action, ScenarioError> {
    Ok(Action::ClockSkew {
        node: v.node(Want::Any)?,
        offset_ms: need(&v.raw().offset).get_ref().0,
    })
}

/// `clock_jump {node, by}`: a non-zero jump.
pub fn jump(v: &Input) -> Result<Action, ScenarioError> {
    let by = need(&v.raw().by);
    if by.get_ref().0 == 0 {
        return Err(v.err(by.span(), "by", "a jump of zero does nothing"));
    }
    Ok(Action::ClockJump {
        node: v.node(Want::Any)?,
        by_ms: by.get_ref().0,
    })
}

/// `clock_drift {node, rate}`: `rate` in 0.1..=10.
pub fn drift(v: &Input) -> Result<Action, ScenarioError> {
    let rate = need(&v.raw().rate);
    let r = *rate.get_ref();
    if !(0.1..=10.0).contains(&r) {
        return Err(v.err(rate.span(), "rate", format!("clock rate {r} must be within 0.1..=10")));
    }
    Ok(Action::ClockDrift {
        node: v.node(Want::Any)?,
        rate: r,
    })
}

/// `clock_strobe {node, amplitude, period, duration}`: the period fits the duration, which ends
/// before the run does.
pub fn strobe(v: &Input) -> Result<Action, ScenarioError> {
    let r = v.raw();
    let node = v.node(Want::Any)?;
    let amplitude_ms = v.positive(&r.amplitude, "amplitude")?;
    let period_ms = v.positive(&r.period, "period")?;
    let duration_ms = v.positive(&r.duration, "duration")?;
    if period_ms > duration_ms {
        return Err(v.err(
            need(&r.period).span(),
            "period",
            "the period is longer than the strobe's duration",
        ));
    }
    if v.at_ms + duration_ms > v.duration_ms {
        return Err(v.err(
            need(&r.duration).span(),
            "duration",
            format!(
                "the strobe ends at {}, after the end of the run ({})",
                format_ms(v.at_ms + duration_ms),
                format_ms(v.duration_ms)
            ),
        ));
    }
    Ok(Action::ClockStrobe {
        node,
        amplitude_ms,
        period_ms,
        duration_ms,
    })
}

/// `clock_reset {node}`.
pub fn reset(v: &Input) -> Result<Action, ScenarioError> {
    Ok(Action::ClockReset {
        node: v.node(Want::Any)?,
    })
}
