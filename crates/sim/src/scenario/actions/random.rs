//! `random_faults`: from `at` to `until`, one fault of a drawn kind every `every`, undone
//! `heal_after` later.

use super::{Action, FaultKind};
use crate::scenario::error::ScenarioError;
use crate::scenario::validate::action::{need, Input};
use crate::scenario::validate::beyond;
use crate::scenario::MAX_RANDOM_FAULTS;

/// `random_faults {every, heal_after, kinds?, until?}`: `heal_after < every`, known kinds each
/// once, `until` after `at`, and at most [`MAX_RANDOM_FAULTS`] faults.
pub fn random_faults(v: &Input) -> Result<Action, ScenarioError> {
    let r = v.raw();
    let every_ms = v.positive(&r.every, "every")?;
    let heal_after_ms = v.positive(&r.heal_after, "heal_after")?;
    if heal_after_ms >= every_ms {
        return Err(v.err(need(&r.heal_after).span(), "heal_after", "must be shorter than `every`"));
    }
    let kinds = kinds(v)?;
    let until_ms = match &r.until {
        None => v.duration_ms,
        Some(u) => {
            let t = u.get_ref().0;
            if t > v.duration_ms {
                return Err(v.err(u.span(), "until", beyond(t, v.duration_ms)));
            }
            if t <= v.at_ms {
                return Err(v.err(u.span(), "until", "must be after `at`"));
            }
            t
        }
    };
    let faults = until_ms.saturating_sub(v.at_ms) / every_ms;
    if faults > MAX_RANDOM_FAULTS {
        return Err(v.err(
            need(&r.every).span(),
            "every",
            format!("would start {faults} faults before `until` (at most {MAX_RANDOM_FAULTS}): use a longer `every` or an earlier `until`"),
        ));
    }
    Ok(Action::RandomFaults {
        every_ms,
        heal_after_ms,
        kinds,
        until_ms,
    })
}

/// `kinds` (default: [`FaultKind::DEFAULT`]): known fault kinds, each listed once, not empty.
fn kinds(v: &Input) -> Result<Vec<FaultKind>, ScenarioError> {
    let Some(l) = &v.raw().kinds else {
        return Ok(FaultKind::DEFAULT.to_vec());
    };
    let mut ks = Vec::new();
    for (j, s) in l.get_ref().iter().enumerate() {
        let Some(k) = FaultKind::parse(s) else {
            let all = FaultKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ");
            return Err(v.err(
                l.span(),
                &format!("kinds[{j}]"),
                format!("unknown fault kind {s:?} (known: {all})"),
            ));
        };
        if ks.contains(&k) {
            return Err(v.err(l.span(), &format!("kinds[{j}]"), format!("{s:?} is listed twice")));
        }
        ks.push(k);
    }
    if ks.is_empty() {
        return Err(v.err(l.span(), "kinds", "empty list: leave `kinds` out for the default mix"));
    }
    Ok(ks)
}
