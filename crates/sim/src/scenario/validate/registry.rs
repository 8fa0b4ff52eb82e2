//! Nodes by name or address while validating: resolving a reference to a node name of the wanted
//! kind, with errors that list the known ones.

use std::ops::Range;

use toml::Spanned;

use crate::scenario::error::{Ctx, ScenarioError};
use crate::scenario::types::NodeKind;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Want {
    Any,
    Redis,
    Sentinel,
}

pub struct Registry {
    /// (name, addr, kind) for data nodes then Sentinels.
    pub nodes: Vec<(String, String, NodeKind)>,
}

impl Registry {
    pub fn find(&self, s: &str) -> Option<&(String, String, NodeKind)> {
        self.nodes.iter().find(|(n, a, _)| n == s || a == s)
    }

    pub fn known(&self, want: Want) -> String {
        let names: Vec<&str> = self
            .nodes
            .iter()
            .filter(|(_, _, k)| match want {
                Want::Any => true,
                Want::Redis => *k == NodeKind::Redis,
                Want::Sentinel => *k == NodeKind::Sentinel,
            })
            .map(|(n, _, _)| n.as_str())
            .collect();
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        }
    }

    /// Resolves a name or address to a node name of the wanted kind.
    pub fn resolve(
        &self,
        ctx: &Ctx,
        span: Range<usize>,
        field: &str,
        s: &str,
        want: Want,
    ) -> Result<String, ScenarioError> {
        let Some((name, _, kind)) = self.find(s) else {
            let what = match want {
                Want::Any => "node",
                Want::Redis => "data node",
                Want::Sentinel => "sentinel",
            };
            return Err(ctx.err(
                span,
                field,
                format!("unknown {what} {s:?} (known: {})", self.known(want)),
            ));
        };
        match (want, kind) {
            (Want::Redis, NodeKind::Sentinel) => Err(ctx.err(
                span,
                field,
                format!(
                    "{s:?} is a sentinel; a data node is needed here (data nodes: {})",
                    self.known(Want::Redis)
                ),
            )),
            (Want::Sentinel, NodeKind::Redis) => Err(ctx.err(
                span,
                field,
                format!(
                    "{s:?} is a data node; a sentinel is needed here (sentinels: {})",
                    self.known(Want::Sentinel)
                ),
            )),
            _ => Ok(name.clone()),
        }
    }

    pub fn resolve_list(
        &self,
        ctx: &Ctx,
        list: &Spanned<Vec<String>>,
        field: &str,
        want: Want,
    ) -> Result<Vec<String>, ScenarioError> {
        let mut out: Vec<String> = Vec::new();
        for (i, s) in list.get_ref().iter().enumerate() {
            let f = format!("{field}[{i}]");
            let n = self.resolve(ctx, list.span(), &f, s, want)?;
            if out.contains(&n) {
                return Err(ctx.err(list.span(), f, format!("{n} is listed twice")));
            }
            out.push(n);
        }
        Ok(out)
    }
}
