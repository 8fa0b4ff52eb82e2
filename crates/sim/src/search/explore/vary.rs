//! `--vary KEY=V1,V2,…`: which scenario setting to change and to what, and the grid of every
//! combination, applied to the scenario's TOML before the ordinary parser reads it (so a varied
//! scenario is checked exactly as a file would be). Pure.

use toml::{Table, Value};

/// At most this many combinations in a grid, and values in one `--vary`.
pub const MAX_COMBINATIONS: usize = 1_000;
pub const MAX_VALUES: usize = 100;
/// At most this many Sentinels (`sentinels=N`).
pub const MAX_SENTINELS: usize = 15;

/// Short names for the settings an operator varies most, and where they live.
const ALIASES: &[(&str, &str)] = &[
    ("down_after", "master.down_after"),
    ("quorum", "master.quorum"),
    ("failover_timeout", "master.failover_timeout"),
    ("parallel_syncs", "master.parallel_syncs"),
    ("min_replicas_to_write", "redis.min_replicas_to_write"),
    ("min_replicas_max_lag", "redis.min_replicas_max_lag"),
    ("replica_priority", "redis.priority"),
    ("persistence", "redis.persistence"),
    ("rate", "client.rate"),
    ("timeout", "client.timeout"),
    ("latency_min", "network.latency_min"),
    ("latency_max", "network.latency_max"),
    ("loss", "network.loss"),
];

/// The tables of a scenario a key may name (`[master]`, `[network]`, `[expect]`) and its arrays of
/// tables (`[[redis]]`, …); anything else is a top-level field (`duration`, `settle`).
const TABLES: &[&str] = &["master", "network", "expect"];
const ARRAYS: &[&str] = &["redis", "sentinel", "client", "timeline"];

/// Where a varied value goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A top-level field (`duration`).
    Top(String),
    /// A field of a table (`master.quorum`).
    Table { table: String, field: String },
    /// A field of every entry of an array of tables (`redis.min_replicas_to_write`), or of one
    /// (`timeline[1].at`, 0-based as in error messages).
    Array {
        array: String,
        index: Option<usize>,
        field: String,
    },
    /// `sentinels=N`: the first N `[[sentinel]]` entries, more added on the next free ports.
    SentinelCount,
}

/// One `--vary`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vary {
    /// The key as written on the command line (shown in tables and plots).
    pub key: String,
    pub target: Target,
    pub values: Vec<String>,
}

/// Parses `KEY=V1,V2,…`.
pub fn parse_vary(arg: &str) -> Result<Vary, String> {
    let bad = |why: &str| format!("bad --vary {arg:?}: {why}");
    let (key, values) = arg
        .split_once('=')
        .ok_or_else(|| bad("expected KEY=V1,V2,... (e.g. down_after=1s,3s,10s)"))?;
    let key = key.trim();
    let values: Vec<String> = values.split(',').map(|v| v.trim().to_string()).collect();
    if values.iter().any(String::is_empty) {
        return Err(bad("an empty value"));
    }
    if values.len() > MAX_VALUES {
        return Err(bad(&format!("more than {MAX_VALUES} values")));
    }
    for (i, v) in values.iter().enumerate() {
        if values[..i].contains(v) {
            return Err(bad(&format!("{v} is given twice")));
        }
    }
    let target = target_of(key).map_err(|e| bad(&e))?;
    Ok(Vary {
        key: key.to_string(),
        target,
        values,
    })
}

fn target_of(key: &str) -> Result<Target, String> {
    if key == "sentinels" {
        return Ok(Target::SentinelCount);
    }
    let path = ALIASES.iter().find(|(a, _)| *a == key).map_or(key, |(_, p)| p);
    let Some((head, field)) = path.split_once('.') else {
        return if ["duration", "settle"].contains(&path) {
            Ok(Target::Top(path.to_string()))
        } else {
            Err(unknown_key(key))
        };
    };
    if field.is_empty() || field.contains('.') {
        return Err(unknown_key(key));
    }
    let field = field.to_string();
    if TABLES.contains(&head) {
        return Ok(Target::Table {
            table: head.to_string(),
            field,
        });
    }
    let (array, index) = match head.split_once('[') {
        None => (head, None),
        Some((a, rest)) => {
            let i = rest
                .strip_suffix(']')
                .and_then(|n| n.parse::<usize>().ok())
                .ok_or_else(|| format!("bad index in {head:?} (e.g. timeline[0])"))?;
            (a, Some(i))
        }
    };
    if !ARRAYS.contains(&array) {
        return Err(unknown_key(key));
    }
    Ok(Target::Array {
        array: array.to_string(),
        index,
        field,
    })
}

fn unknown_key(key: &str) -> String {
    let short: Vec<&str> = ALIASES.iter().map(|(a, _)| *a).collect();
    format!(
        "unknown key {key:?}: use a short name ({}, sentinels), a field of a table (master.X, network.X, expect.X), of every entry (redis.X, sentinel.X, client.X, timeline.X) or of one (timeline[1].at), or duration/settle",
        short.join(", ")
    )
}

/// Every combination of the values, the first `--vary` slowest (row-major), as one value index
/// per `--vary`.
pub fn grid(varies: &[Vary]) -> Result<Vec<Vec<usize>>, String> {
    let total = varies
        .iter()
        .try_fold(1usize, |n, v| n.checked_mul(v.values.len()))
        .filter(|&n| n <= MAX_COMBINATIONS)
        .ok_or_else(|| format!("more than {MAX_COMBINATIONS} combinations: vary fewer settings or fewer values"))?;
    for (i, v) in varies.iter().enumerate() {
        if varies[..i].iter().any(|w| w.target == v.target) {
            return Err(format!("--vary {} names the same setting as an earlier --vary", v.key));
        }
    }
    let mut out = Vec::with_capacity(total);
    for mut k in 0..total {
        let mut idx = vec![0; varies.len()];
        for (j, v) in varies.iter().enumerate().rev() {
            idx[j] = k % v.values.len();
            k /= v.values.len();
        }
        out.push(idx);
    }
    Ok(out)
}

/// The scenario `base` with one combination applied.
pub fn apply(base: &Table, varies: &[Vary], combo: &[usize]) -> Result<Table, String> {
    let mut t = base.clone();
    for (v, &i) in varies.iter().zip(combo) {
        let value = &v.values[i];
        set(&mut t, &v.target, value).map_err(|e| format!("--vary {}={value}: {e}", v.key))?;
    }
    Ok(t)
}

fn set(t: &mut Table, target: &Target, text: &str) -> Result<(), String> {
    match target {
        Target::Top(field) => set_field(t, field, text),
        Target::Table { table, field } => {
            let entry = t.entry(table.clone()).or_insert_with(|| Value::Table(Table::new()));
            let Value::Table(inner) = entry else {
                return Err(format!("`{table}` is not a table in this scenario"));
            };
            set_field(inner, field, text)
        }
        Target::Array { array, index, field } => {
            let entries = match t.get_mut(array) {
                Some(Value::Array(a)) if !a.is_empty() => a,
                _ => return Err(format!("the scenario has no [[{array}]] entry")),
            };
            let n = entries.len();
            let chosen: Vec<&mut Value> = match index {
                None => entries.iter_mut().collect(),
                Some(i) if *i < n => vec![&mut entries[*i]],
                Some(i) => return Err(format!("{array}[{i}]: the scenario has {n} [[{array}]] entries")),
            };
            for e in chosen {
                let Value::Table(inner) = e else {
                    return Err(format!("`{array}` is not an array of tables"));
                };
                set_field(inner, field, text)?;
            }
            Ok(())
        }
        Target::SentinelCount => set_sentinel_count(t, text),
    }
}

/// Writes `text` as the type the field already has (an integer stays an integer), or, for a field
/// the file does not set, as the type it reads as (true/false, an integer, a number, else text).
fn set_field(t: &mut Table, field: &str, text: &str) -> Result<(), String> {
    let value = match t.get(field) {
        Some(Value::Integer(_)) => Value::Integer(text.parse().map_err(|_| format!("{field} takes an integer"))?),
        Some(Value::Float(_)) => Value::Float(text.parse().map_err(|_| format!("{field} takes a number"))?),
        Some(Value::Boolean(_)) => Value::Boolean(text.parse().map_err(|_| format!("{field} takes true or false"))?),
        Some(Value::String(_)) => Value::String(text.to_string()),
        Some(_) => return Err(format!("{field} is not a single value")),
        None => infer(text),
    };
    t.insert(field.to_string(), value);
    Ok(())
}

fn infer(text: &str) -> Value {
    if let Ok(b) = text.parse::<bool>() {
        Value::Boolean(b)
    } else if let Ok(i) = text.parse::<i64>() {
        Value::Integer(i)
    } else if let Some(f) = text.parse::<f64>().ok().filter(|f| f.is_finite()) {
        Value::Float(f)
    } else {
        Value::String(text.to_string())
    }
}

/// `sentinels=N`: keeps the first N `[[sentinel]]` entries; for more, adds entries on the last
/// one's IP at the next ports no process of the scenario uses (named by default,
/// `sentinel-<port>`, so a partition's `"*"` group takes them).
fn set_sentinel_count(t: &mut Table, text: &str) -> Result<(), String> {
    let n: usize = text
        .parse()
        .ok()
        .filter(|n| (1..=MAX_SENTINELS).contains(n))
        .ok_or_else(|| format!("sentinels takes a count, 1..={MAX_SENTINELS}"))?;
    let used = used_ports(t);
    let Some(Value::Array(list)) = t.get_mut("sentinel") else {
        return Err("the scenario has no [[sentinel]] entry".into());
    };
    let last_addr = list
        .last()
        .and_then(|s| s.get("addr"))
        .and_then(Value::as_str)
        .ok_or("the last [[sentinel]] has no addr")?
        .to_string();
    let (ip, port) = last_addr
        .rsplit_once(':')
        .and_then(|(ip, p)| Some((ip.to_string(), p.parse::<u16>().ok()?)))
        .ok_or_else(|| format!("cannot read the port of {last_addr:?}"))?;
    list.truncate(n);
    let mut next = port;
    while list.len() < n {
        next = next.checked_add(1).ok_or("no free port above the last Sentinel's")?;
        if used.contains(&next) {
            continue;
        }
        let mut entry = Table::new();
        entry.insert("addr".into(), Value::String(format!("{ip}:{next}")));
        list.push(Value::Table(entry));
    }
    Ok(())
}

/// The ports of every process address in the scenario.
fn used_ports(t: &Table) -> Vec<u16> {
    let mut ports = Vec::new();
    for array in ["redis", "sentinel"] {
        if let Some(Value::Array(list)) = t.get(array) {
            for e in list {
                let port = e
                    .get("addr")
                    .and_then(Value::as_str)
                    .and_then(|a| a.rsplit_once(':'))
                    .and_then(|(_, p)| p.parse::<u16>().ok());
                ports.extend(port);
            }
        }
    }
    ports
}

/// `down_after=1s, quorum=2`: one combination, as shown in tables and headers.
pub fn label(varies: &[Vary], combo: &[usize]) -> String {
    varies
        .iter()
        .zip(combo)
        .map(|(v, &i)| format!("{}={}", v.key, v.values[i]))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Table {
        r#"
name = "x"
duration = "60s"
[master]
quorum = 2
down_after = "3s"
[[redis]]
addr = "127.0.0.1:6382"
[[redis]]
addr = "127.0.0.1:6383"
replica_of = "redis-6382"
[[sentinel]]
addr = "127.0.0.1:5000"
[[sentinel]]
addr = "127.0.0.1:5001"
[[timeline]]
at = "10s"
action = "kill"
node = "redis-6382"
"#
        .parse()
        .unwrap()
    }

    #[test]
    fn aliases_and_paths() {
        assert_eq!(
            parse_vary("down_after=1s,3s").unwrap().target,
            Target::Table {
                table: "master".into(),
                field: "down_after".into()
            }
        );
        assert_eq!(
            parse_vary("timeline[0].at=5s").unwrap().target,
            Target::Array {
                array: "timeline".into(),
                index: Some(0),
                field: "at".into()
            }
        );
        assert_eq!(
            parse_vary("duration=30s").unwrap().target,
            Target::Top("duration".into())
        );
        for bad in [
            "down_after",
            "x=1",
            "down_after=1s,,3s",
            "down_after=1s,1s",
            "timeline[x].at=1s",
            "master.a.b=1",
        ] {
            let e = parse_vary(bad).unwrap_err();
            assert!(e.starts_with("bad --vary"), "{e}");
        }
    }

    #[test]
    fn grid_is_row_major_and_bounded() {
        let v = vec![parse_vary("quorum=1,2").unwrap(), parse_vary("rate=5,10,20").unwrap()];
        let g = grid(&v).unwrap();
        assert_eq!(g.len(), 6);
        assert_eq!(g[0], vec![0, 0]);
        assert_eq!(g[1], vec![0, 1]);
        assert_eq!(g[3], vec![1, 0]);
        let many: Vec<Vary> = (0..4)
            .map(|i| {
                parse_vary(&format!(
                    "timeline[{i}].at={}",
                    (1..=10).map(|s| format!("{s}s")).collect::<Vec<_>>().join(",")
                ))
                .unwrap()
            })
            .collect();
        assert!(grid(&many).unwrap_err().contains("more than 1000"));
        let twice = vec![
            parse_vary("quorum=1,2").unwrap(),
            parse_vary("master.quorum=3").unwrap(),
        ];
        assert!(grid(&twice).unwrap_err().contains("same setting"));
    }

    #[test]
    fn values_keep_or_infer_their_type() {
        let v = vec![
            parse_vary("quorum=1").unwrap(),
            parse_vary("down_after=500ms").unwrap(),
            parse_vary("min_replicas_to_write=1").unwrap(),
        ];
        let t = apply(&base(), &v, &[0, 0, 0]).unwrap();
        assert_eq!(t["master"]["quorum"], Value::Integer(1));
        assert_eq!(t["master"]["down_after"], Value::String("500ms".into()));
        for r in t["redis"].as_array().unwrap() {
            assert_eq!(r["min_replicas_to_write"], Value::Integer(1));
        }
        let e = apply(&base(), &[parse_vary("quorum=two").unwrap()], &[0]).unwrap_err();
        assert_eq!(e, "--vary quorum=two: quorum takes an integer");
        let e = apply(&base(), &[parse_vary("rate=10").unwrap()], &[0]).unwrap_err();
        assert_eq!(e, "--vary rate=10: the scenario has no [[client]] entry");
        let e = apply(&base(), &[parse_vary("timeline[3].at=1s").unwrap()], &[0]).unwrap_err();
        assert!(e.contains("has 1 [[timeline]] entries"), "{e}");
    }

    #[test]
    fn sentinel_count_drops_or_adds_on_free_ports() {
        let v = vec![parse_vary("sentinels=1,4").unwrap()];
        let one = apply(&base(), &v, &[0]).unwrap();
        assert_eq!(one["sentinel"].as_array().unwrap().len(), 1);
        let four = apply(&base(), &v, &[1]).unwrap();
        let addrs: Vec<&str> = four["sentinel"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["addr"].as_str().unwrap())
            .collect();
        assert_eq!(
            addrs,
            ["127.0.0.1:5000", "127.0.0.1:5001", "127.0.0.1:5002", "127.0.0.1:5003"]
        );
        assert!(apply(&base(), &[parse_vary("sentinels=0").unwrap()], &[0]).is_err());
    }
}
