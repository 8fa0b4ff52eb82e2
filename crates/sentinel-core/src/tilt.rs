//! TILT mode (spec §8): Sentinel reads the wall clock; a tick gap that is negative or longer than
//! the trigger means the clock jumped or the process stalled, so its timing-based judgements
//! are not trusted for `tilt_period`.

use crate::event::EventBody;
use crate::mutants::{active, Mutant};
use crate::sentinel::Ctx;
use crate::types::Ms;

/// Runs at the start of every tick.
pub(crate) fn check(ctx: &mut Ctx, now: Ms) {
    let delta = now.saturating_sub(ctx.previous_time);
    if (delta < 0 || delta > ctx.periods.tilt_trigger) && !active(Mutant::NeverTilt) {
        ctx.tilt = true;
        ctx.tilt_start_time = now;
        ctx.emit(None, EventBody::Tilt { entered: true });
    }
    ctx.previous_time = now;
}
