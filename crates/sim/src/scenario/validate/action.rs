//! A `[[timeline]]` entry: the checks every action shares (`at` before the end, a known `action`,
//! only the fields it takes, none missing), then its kind's own validation from the table
//! ([`crate::scenario::actions::KINDS`]), which reads the entry through [`Input`].

use std::ops::Range;

use toml::Spanned;

use super::beyond;
use super::registry::{Registry, Want};
use crate::scenario::actions::{Action, ActionKind};
use crate::scenario::error::{Ctx, ScenarioError};
use crate::scenario::raw::{Dur, RawAction, S};
use crate::scenario::types::{MasterGroup, TimedAction};

/// One timeline entry being validated, with what its checks need.
pub struct Input<'a> {
    pub ctx: &'a Ctx<'a>,
    pub reg: &'a Registry,
    pub master: &'a MasterGroup,
    /// The run's `duration`.
    pub duration_ms: u64,
    /// The entry's index in the file (`timeline[i]`).
    pub i: usize,
    /// The whole entry (for errors about a missing field).
    pub entry: &'a Spanned<RawAction>,
    pub at_ms: u64,
}

/// A field the table lists as required: present once the shared checks passed.
pub fn need<T>(x: &S<T>) -> &Spanned<T> {
    x.as_ref().expect("checked present above")
}

impl Input<'_> {
    pub fn raw(&self) -> &RawAction {
        self.entry.get_ref()
    }

    /// `timeline[i].<name>`.
    pub fn field(&self, name: &str) -> String {
        format!("timeline[{}].{name}", self.i)
    }

    /// An error about field `name` of this entry.
    pub fn err(&self, span: Range<usize>, name: &str, message: impl Into<String>) -> ScenarioError {
        self.ctx.err(span, self.field(name), message)
    }

    /// `node`, resolved to a node of the wanted kind.
    pub fn node(&self, want: Want) -> Result<String, ScenarioError> {
        let n = need(&self.raw().node);
        self.reg
            .resolve(self.ctx, n.span(), &self.field("node"), n.get_ref(), want)
    }

    /// `via`, resolved to a Sentinel.
    pub fn via(&self) -> Result<String, ScenarioError> {
        let n = need(&self.raw().via);
        self.reg
            .resolve(self.ctx, n.span(), &self.field("via"), n.get_ref(), Want::Sentinel)
    }

    /// A required duration that must be greater than zero.
    pub fn positive(&self, x: &S<Dur>, name: &str) -> Result<u64, ScenarioError> {
        let d = need(x);
        if d.get_ref().0 == 0 {
            return Err(self.err(d.span(), name, "must be greater than zero"));
        }
        Ok(d.get_ref().0)
    }

    /// A list of nodes (any kind), each named once.
    pub fn nodes(&self, l: &Spanned<Vec<String>>, name: &str) -> Result<Vec<String>, ScenarioError> {
        self.reg.resolve_list(self.ctx, l, &self.field(name), Want::Any)
    }

    /// The optional `nodes` list (None = every node).
    pub fn opt_nodes(&self) -> Result<Option<Vec<String>>, ScenarioError> {
        match &self.raw().nodes {
            None => Ok(None),
            Some(l) if l.get_ref().is_empty() => {
                Err(self.err(l.span(), "nodes", "empty list: leave `nodes` out to mean every node"))
            }
            Some(l) => self.nodes(l, "nodes").map(Some),
        }
    }
}

/// Validates timeline entry `i`.
pub fn validate_action(
    ctx: &Ctx,
    reg: &Registry,
    master: &MasterGroup,
    duration_ms: u64,
    i: usize,
    a: &Spanned<RawAction>,
) -> Result<TimedAction, ScenarioError> {
    let r = a.get_ref();
    let v = Input {
        ctx,
        reg,
        master,
        duration_ms,
        i,
        entry: a,
        at_ms: r.at.get_ref().0,
    };
    if v.at_ms >= duration_ms {
        return Err(v.err(r.at.span(), "at", beyond(v.at_ms, duration_ms)));
    }
    let Some(kind) = ActionKind::parse(r.action.get_ref()) else {
        let all = ActionKind::ALL
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        return Err(v.err(
            r.action.span(),
            "action",
            format!("unknown action {:?} (known: {all})", r.action.get_ref()),
        ));
    };
    check_fields(&v, kind)?;
    let action: Action = (kind.spec().validate)(&v)?;
    Ok(TimedAction { at_ms: v.at_ms, action })
}

/// Only the fields the kind takes, and every required one.
fn check_fields(v: &Input, kind: ActionKind) -> Result<(), ScenarioError> {
    let spec = kind.spec();
    let (required, optional) = (spec.required, spec.optional);
    for (name, span) in v.raw().present() {
        if !required.contains(&name) && !optional.contains(&name) {
            let takes: Vec<&str> = required.iter().chain(optional).copied().collect();
            let takes = if takes.is_empty() {
                "no fields".to_string()
            } else {
                takes.join(", ")
            };
            return Err(v.err(
                span,
                name,
                format!(
                    "field `{name}` does not apply to action \"{}\" (it takes: {takes})",
                    kind.as_str()
                ),
            ));
        }
    }
    let present: Vec<&str> = v.raw().present().into_iter().map(|(n, _)| n).collect();
    for name in required {
        if !present.contains(name) {
            return Err(v.err(
                v.entry.span(),
                name,
                format!("missing field `{name}` for action \"{}\"", kind.as_str()),
            ));
        }
    }
    Ok(())
}
