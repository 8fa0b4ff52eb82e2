//! Network faults: `partition`, `isolate`, `partition_oneway`, `heal`, `latency`, `loss`,
//! `net_reset`.

use std::collections::BTreeMap;
use toml::Spanned;

use super::Action;
use crate::duration::format_ms;
use crate::scenario::error::ScenarioError;
use crate::scenario::validate::action::{need, Input};
use crate::scenario::validate::registry::Want;

/// `partition {groups}`: every node in exactly one group (`"*"` = the rest), stored expanded.
pub fn partition(v: &Input) -> Result<Action, ScenarioError> {
    let groups = need(&v.raw().groups);
    let span = groups.span();
    let field = v.field("groups");
    let g = groups.get_ref();
    if g.len() < 2 {
        return Err(v.ctx.err(span, field, "a partition needs at least two groups"));
    }
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut star: Option<usize> = None;
    let mut out: Vec<Vec<String>> = Vec::new();
    for (gi, group) in g.iter().enumerate() {
        if group.is_empty() {
            return Err(v.ctx.err(span, format!("{field}[{gi}]"), "empty group"));
        }
        let mut names = Vec::new();
        for (j, s) in group.iter().enumerate() {
            let f = format!("{field}[{gi}][{j}]");
            if s == "*" {
                if star.is_some() {
                    return Err(v.ctx.err(span, f, "\"*\" (every other node) may appear only once"));
                }
                star = Some(gi);
                continue;
            }
            let n = v.reg.resolve(v.ctx, span.clone(), &f, s, Want::Any)?;
            if let Some(prev) = seen.get(&n) {
                return Err(v.ctx.err(
                    span,
                    f,
                    format!("{n} is in group {prev} and group {gi}: groups must not overlap"),
                ));
            }
            seen.insert(n.clone(), gi);
            names.push(n);
        }
        out.push(names);
    }
    place_the_rest(v, &mut out, &seen, star)?;
    Ok(Action::Partition { groups: out })
}

/// Puts the nodes no group names into the `"*"` group; without one, they are an error.
fn place_the_rest(
    v: &Input,
    out: &mut [Vec<String>],
    seen: &BTreeMap<String, usize>,
    star: Option<usize>,
) -> Result<(), ScenarioError> {
    let span = need(&v.raw().groups).span();
    let field = v.field("groups");
    let rest: Vec<String> = v
        .reg
        .nodes
        .iter()
        .map(|(n, _, _)| n.clone())
        .filter(|n| !seen.contains_key(n))
        .collect();
    match star {
        Some(gi) => {
            if rest.is_empty() && out[gi].is_empty() {
                return Err(v.ctx.err(
                    span,
                    format!("{field}[{gi}]"),
                    "\"*\" matches no node: every node is already listed",
                ));
            }
            out[gi].extend(rest);
        }
        None if !rest.is_empty() => {
            return Err(v.ctx.err(
                span,
                field,
                format!(
                    "every node must be in exactly one group; not placed: {} (add them, or use \"*\" for the rest)",
                    rest.join(", ")
                ),
            ));
        }
        None => {}
    }
    Ok(())
}

/// `isolate {node}`.
pub fn isolate(v: &Input) -> Result<Action, ScenarioError> {
    Ok(Action::Isolate {
        node: v.node(Want::Any)?,
    })
}

/// `partition_oneway {from, to}`: non-empty, disjoint lists.
pub fn partition_oneway(v: &Input) -> Result<Action, ScenarioError> {
    let from_l = need(&v.raw().from);
    let to_l = need(&v.raw().to);
    let (from, to) = from_to(v, from_l, to_l)?;
    Ok(Action::PartitionOneway { from, to })
}

/// A directed `from` → `to` pair of node lists: resolved, each non-empty, disjoint.
fn from_to(
    v: &Input,
    from_l: &Spanned<Vec<String>>,
    to_l: &Spanned<Vec<String>>,
) -> Result<(Vec<String>, Vec<String>), ScenarioError> {
    let from = v.nodes(from_l, "from")?;
    let to = v.nodes(to_l, "to")?;
    if from.is_empty() {
        return Err(v.err(from_l.span(), "from", "must name at least one node"));
    }
    if to.is_empty() {
        return Err(v.err(to_l.span(), "to", "must name at least one node"));
    }
    if let Some(n) = from.iter().find(|n| to.contains(n)) {
        return Err(v.err(to_l.span(), "to", format!("{n} is in both `from` and `to`")));
    }
    Ok((from, to))
}

/// `heal {}`.
pub fn heal(_: &Input) -> Result<Action, ScenarioError> {
    Ok(Action::Heal)
}

/// `latency {min, max, nodes? | from? to?}`: `min <= max <= 60s`.
pub fn latency(v: &Input) -> Result<Action, ScenarioError> {
    let min = need(&v.raw().min);
    let max = need(&v.raw().max);
    let (min_ms, max_ms) = (min.get_ref().0, max.get_ref().0);
    if max_ms < min_ms {
        return Err(v.err(
            max.span(),
            "max",
            format!("max {} is below min {}", format_ms(max_ms), format_ms(min_ms)),
        ));
    }
    if max_ms > 60_000 {
        return Err(v.err(max.span(), "max", "latency above 60s is not supported"));
    }
    let (from, to) = directed(v)?;
    Ok(Action::Latency {
        min_ms,
        max_ms,
        nodes: v.opt_nodes()?,
        from,
        to,
    })
}

/// `loss {rate, nodes? | from? to?}`: `rate` in 0..=1.
pub fn loss(v: &Input) -> Result<Action, ScenarioError> {
    let rate = need(&v.raw().rate);
    let r = *rate.get_ref();
    if !(0.0..=1.0).contains(&r) {
        return Err(v.err(rate.span(), "rate", format!("loss rate {r} must be within 0..=1")));
    }
    let (from, to) = directed(v)?;
    Ok(Action::Loss {
        rate: r,
        nodes: v.opt_nodes()?,
        from,
        to,
    })
}

type FromTo = (Option<Vec<String>>, Option<Vec<String>>);

/// `from` and `to` of `latency` / `loss` (directed links): together, not with `nodes`, non-empty
/// and disjoint.
fn directed(v: &Input) -> Result<FromTo, ScenarioError> {
    let r = v.raw();
    let (from_l, to_l) = match (&r.from, &r.to, &r.nodes) {
        (None, None, _) => return Ok((None, None)),
        (Some(_), _, Some(n)) | (_, Some(_), Some(n)) => {
            return Err(v.err(n.span(), "nodes", "use either `nodes` or `from` and `to`, not both"))
        }
        (Some(l), None, None) => return Err(v.err(l.span(), "to", "`from` needs `to`")),
        (None, Some(l), None) => return Err(v.err(l.span(), "from", "`to` needs `from`")),
        (Some(a), Some(b), None) => (a, b),
    };
    let (from, to) = from_to(v, from_l, to_l)?;
    Ok((Some(from), Some(to)))
}

/// `net_reset {}`.
pub fn net_reset(_: &Input) -> Result<Action, ScenarioError> {
    Ok(Action::NetReset)
}
