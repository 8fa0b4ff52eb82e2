//! The scenario file as written (serde forms): every value keeps its span for error messages;
//! durations are read from strings (`"3s"`) or integers of milliseconds. Validation turns these
//! into the types of `types.rs`.

use std::fmt;
use std::ops::Range;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use toml::Spanned;

use crate::duration;

/// A duration as written: a string (`"3s"`) or an integer of milliseconds; validated on read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dur(pub u64);

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::deserialize_in(d, false).map(|ms| Dur(ms / 1000))
    }
}

impl Dur {
    /// In microseconds: an integer of milliseconds, or a string (whole milliseconds unless
    /// `us_ok`).
    fn deserialize_in<'de, D: Deserializer<'de>>(d: D, us_ok: bool) -> Result<u64, D::Error> {
        struct V {
            us_ok: bool,
        }
        impl Visitor<'_> for V {
            type Value = u64;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(duration::EXPECTED)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
                if v < 0 {
                    Err(E::custom(format!("negative duration {v}; {}", duration::EXPECTED)))
                } else if v as u64 > duration::MAX_MS {
                    Err(E::custom(format!("duration {v} ms exceeds the maximum of 24h")))
                } else {
                    Ok(v as u64 * 1000)
                }
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
                self.visit_i64(i64::try_from(v).unwrap_or(i64::MAX))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
                if self.us_ok {
                    duration::parse_us(v).map_err(E::custom)
                } else {
                    duration::parse_ms(v).map(|ms| ms * 1000).map_err(E::custom)
                }
            }
        }
        d.deserialize_any(V { us_ok })
    }
}

/// A network delay as written: a string in any unit down to microseconds (`"30us"`, `"0.05ms"`,
/// `"5ms"`) or an integer of milliseconds; held in microseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UsDur(pub u64);

impl<'de> Deserialize<'de> for UsDur {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // An integer is milliseconds, as everywhere else in the file.
        Dur::deserialize_in(d, true).map(UsDur)
    }
}

/// A signed duration as written: `"+5s"`, `"-3s"` or an integer of milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SDur(pub i64);

impl<'de> Deserialize<'de> for SDur {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = SDur;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a signed duration like \"+5s\", \"-3s\" or an integer of milliseconds")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<SDur, E> {
                if v.unsigned_abs() > duration::MAX_MS {
                    Err(E::custom(format!("offset {v} ms exceeds the maximum of 24h")))
                } else {
                    Ok(SDur(v))
                }
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<SDur, E> {
                self.visit_i64(i64::try_from(v).unwrap_or(i64::MAX))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<SDur, E> {
                duration::parse_signed_ms(v).map(SDur).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

/// A value written as a string, an integer, a float or a boolean, kept as its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Text, E> {
                Ok(Text(if v { "yes" } else { "no" }.to_string()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

pub type S<T> = Option<Spanned<T>>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub name: S<String>,
    pub duration: Spanned<Dur>,
    pub settle: S<Dur>,
    pub seed: Option<u64>,
    pub master: Spanned<RawMaster>,
    #[serde(default)]
    pub redis: Vec<Spanned<RawRedis>>,
    #[serde(default)]
    pub sentinel: Vec<Spanned<RawSentinel>>,
    #[serde(default)]
    pub client: Vec<Spanned<RawClient>>,
    pub network: Option<RawNetwork>,
    #[serde(default)]
    pub timeline: Vec<Spanned<RawAction>>,
    pub expect: Option<RawExpect>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNetwork {
    pub latency_min: S<UsDur>,
    pub latency_max: S<UsDur>,
    pub loss: S<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMaster {
    pub name: S<String>,
    pub node: S<String>,
    pub quorum: Spanned<u32>,
    pub down_after: S<Dur>,
    pub failover_timeout: S<Dur>,
    pub parallel_syncs: S<u32>,
    pub auth_pass: S<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRedis {
    pub name: S<String>,
    pub addr: Spanned<String>,
    pub replica_of: S<String>,
    pub priority: Option<u32>,
    pub min_replicas_to_write: Option<u32>,
    pub min_replicas_max_lag: S<Dur>,
    pub persistence: Option<bool>,
    pub serve_stale_data: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSentinel {
    pub name: S<String>,
    pub addr: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawClient {
    pub name: S<String>,
    pub mode: S<String>,
    pub node: S<String>,
    pub rate: S<u32>,
    pub timeout: S<Dur>,
    pub start: S<Dur>,
    pub stop: S<Dur>,
    pub near: S<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAction {
    pub at: Spanned<Dur>,
    pub action: Spanned<String>,
    pub node: S<String>,
    pub wipe: S<bool>,
    pub groups: S<Vec<Vec<String>>>,
    pub from: S<Vec<String>>,
    pub to: S<Vec<String>>,
    pub min: S<Dur>,
    pub max: S<Dur>,
    pub nodes: S<Vec<String>>,
    pub rate: S<f64>,
    pub offset: S<SDur>,
    pub by: S<SDur>,
    pub amplitude: S<Dur>,
    pub period: S<Dur>,
    pub duration: S<Dur>,
    pub via: S<String>,
    pub option: S<String>,
    pub value: S<Text>,
    pub master: S<String>,
    pub pattern: S<String>,
    pub every: S<Dur>,
    pub heal_after: S<Dur>,
    pub kinds: S<Vec<String>>,
    pub until: S<Dur>,
    pub event: S<String>,
    pub target: S<String>,
}

impl RawAction {
    /// The optional fields present, with their spans.
    pub fn present(&self) -> Vec<(&'static str, Range<usize>)> {
        let mut v = Vec::new();
        macro_rules! p {
            ($($f:ident),*) => { $( if let Some(x) = &self.$f { v.push((stringify!($f), x.span())); } )* };
        }
        p!(
            node, wipe, groups, from, to, min, max, nodes, rate, offset, by, amplitude, period, duration, via, option,
            value, master, pattern, every, heal_after, kinds, until, event, target
        );
        v
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExpect {
    pub failover: Option<bool>,
    pub promoted: S<Vec<String>>,
    pub never_promoted: S<Vec<String>>,
    pub final_master: S<String>,
    pub max_detection: S<Dur>,
    pub max_failover: S<Dur>,
    pub tilt: Option<bool>,
    pub lost_writes_max: Option<u64>,
    pub lost_writes_min: S<u64>,
    pub lost_writes_after_heal_max: Option<u64>,
    pub lost_writes_after_heal_min: S<u64>,
    pub converged_within: S<Dur>,
    pub min_epoch: S<u64>,
    pub max_epoch: Option<u64>,
    pub seen: S<Vec<String>>,
    pub not_seen: S<Vec<String>>,
}
