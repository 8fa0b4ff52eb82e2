//! `--seeds` lists and `--shard K/N`: which seeds a sweep (or one shard of it) plays.

use std::collections::BTreeSet;

use super::MAX_SEEDS;

fn parse_seed(item: &str, tok: &str) -> Result<u64, String> {
    let t = tok.trim();
    t.parse::<u64>().map_err(|_| {
        if t.is_empty() {
            format!("{item:?}: a bound is missing (write e.g. 1..1000)")
        } else {
            format!("{item:?}: {t:?} is not a seed (a whole number from 0 to {})", u64::MAX)
        }
    })
}

/// Parses `--seeds`: comma-separated items, each `N`, `A..B` or `A..=B` (both inclusive).
/// Keeps the order of first appearance and drops duplicates.
pub fn parse_seeds(spec: &str) -> Result<Vec<u64>, String> {
    let err = |m: String| format!("bad --seeds {spec:?}: {m}");
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    if spec.trim().is_empty() {
        return Err(err("no seeds given (write e.g. 1..1000, 1..=10 or 7)".into()));
    }
    for item in spec.split(',') {
        let item = item.trim();
        if item.is_empty() {
            return Err(err("an empty item between commas".into()));
        }
        let (a, b) = match item.split_once("..") {
            None => {
                let v = parse_seed(item, item).map_err(&err)?;
                (v, v)
            }
            Some((a, b)) => {
                let b = b.strip_prefix('=').unwrap_or(b);
                let a = parse_seed(item, a).map_err(&err)?;
                let b = parse_seed(item, b).map_err(&err)?;
                if b < a {
                    return Err(err(format!(
                        "{item:?}: the range is empty (it ends at {b}, before {a})"
                    )));
                }
                (a, b)
            }
        };
        if (b - a).saturating_add(1).saturating_add(out.len() as u64) > MAX_SEEDS {
            return Err(err(format!("more than {MAX_SEEDS} seeds")));
        }
        for s in a..=b {
            if seen.insert(s) {
                out.push(s);
            }
        }
    }
    Ok(out)
}

/// `--shard K/N`, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub k: usize,
    pub n: usize,
}

impl Shard {
    /// `K-of-N`, as used in file names.
    pub fn tag(&self) -> String {
        format!("shard-{}-of-{}", self.k, self.n)
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

/// Parses `K/N` with 1 ≤ K ≤ N.
pub fn parse_shard(text: &str) -> Result<Shard, String> {
    let bad = |why: &str| format!("bad --shard {text:?}: {why} (write K/N with 1 <= K <= N, e.g. 2/4)");
    let (k, n) = text.trim().split_once('/').ok_or_else(|| bad("no '/'"))?;
    let k: usize = k.trim().parse().map_err(|_| bad("K is not a whole number"))?;
    let n: usize = n.trim().parse().map_err(|_| bad("N is not a whole number"))?;
    if n == 0 || k == 0 || k > n {
        return Err(bad("K out of range"));
    }
    Ok(Shard { k, n })
}

/// The seeds a shard plays, with their global position in `seeds`: positions p with
/// `p % N == K-1` (all of them without a shard).
pub fn shard_seeds(seeds: &[u64], shard: Option<Shard>) -> Vec<(usize, u64)> {
    seeds
        .iter()
        .copied()
        .enumerate()
        .filter(|(p, _)| shard.is_none_or(|s| p % s.n == s.k - 1))
        .collect()
}

/// Whether the seed at global position `pos` is played twice.
pub fn checks_determinism(pos: usize, every: usize) -> bool {
    every > 0 && pos.is_multiple_of(every)
}
