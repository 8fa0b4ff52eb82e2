//! The comparison of the simulator's seeds with the real runs, and the verdict. Pure: tested on
//! hand-built [`RunFacts`].
//!
//! Tolerances (also printed with every diff, [`tolerances`]):
//! - outcomes (failover yes/no, final master, final epoch) must match exactly: every real run's
//!   value must be one the simulator produced on some seed (the seeds cover the choices a real
//!   run can make, e.g. which of two equal replicas is promoted);
//! - events: an event published in every run of one side and in no run of the other disagrees;
//!   "some" on either side does not (timing decides it), nor do [`UNJUDGED_EVENTS`];
//! - milestones: the real median must be within ±10 % of the simulator's median, or within an
//!   absolute floor (300 ms; 10 lost writes), or within the sampling error of a median of that
//!   few real runs, whichever is larger: below ~3 s, scheduling noise, the 100 ms timer tick and
//!   the phase of the 1 s PINGs dominate, and where the phase of the fault in the PING period
//!   spreads a milestone over a second (a hang's `+sdown`: 3.0–4.0 s), the median of 4 real runs
//!   is itself uncertain by about ±0.2 s. The sampling error is [`NOISE_SE`] standard errors of a
//!   median of n draws from the simulator's own spread (σ from its interquartile range); a
//!   milestone seen in every run
//!   of one side and in none of the other disagrees. The reference is the median over every seed:
//!   real run k starts its processes at seed k's phases, but the Sentinels' randomised timer
//!   frequency (10-19 Hz) moves their PING phase by the time of the fault (seed 1 gave pause→+sdown
//!   3.04 s in one real run, 3.87 s in another), so the same seeds' median is shown, not judged;
//! - sequences: the real runs' most common leader and observer sequences must each occur on some
//!   simulator seed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::facts::{RunFacts, Unit, METRICS, UNJUDGED_EVENTS};

/// A median may differ by this fraction of the simulator's median...
pub const MEDIAN_TOLERANCE: f64 = 0.10;
/// ...or by this much in ms, whichever is larger.
pub const FLOOR_MS: u64 = 300;
/// ...or by this many lost writes, whichever is larger.
pub const FLOOR_WRITES: u64 = 10;
/// ...or by this many standard errors of a median of the real runs, whichever is larger.
pub const NOISE_SE: f64 = 3.0;

/// The sampling error allowance of the median of `n` real runs: [`NOISE_SE`] standard errors of
/// a median of `n` draws from the distribution the simulator's seeds show (σ ≈ IQR / 1.349, the
/// standard error of a median ≈ 1.2533 σ / √n). 0 without enough seeds to tell a spread.
pub fn noise_allowance(sim: &[u64], n: usize) -> u64 {
    if sim.len() < 4 || n == 0 {
        return 0;
    }
    let mut v = sim.to_vec();
    v.sort_unstable();
    let q = |p: f64| v[((v.len() - 1) as f64 * p).round() as usize] as f64;
    let sigma = (q(0.75) - q(0.25)) / 1.349;
    (NOISE_SE * 1.2533 * sigma / (n as f64).sqrt()).round() as u64
}

/// The tolerances as printed and written to the JSON (`ignored`: the events `--ignore-event` left
/// unjudged besides [`UNJUDGED_EVENTS`]).
pub fn tolerances(ignored: &[String]) -> Vec<String> {
    let mut t = vec![
        "outcomes (failover, final master, final epoch): every real run's value must occur on some simulator seed".into(),
        "events: disagree only when seen in every run of one side and no run of the other; not judged: ".to_string()
            + &UNJUDGED_EVENTS.join(" "),
        format!(
            "milestones: |real median - sim median| <= max({:.0} % of the sim median, {FLOOR_MS} ms / {FLOOR_WRITES} writes, {NOISE_SE} standard errors of a median of the real runs as the simulator's seeds spread) (short intervals are dominated by scheduling noise and the 100 ms tick; a few real runs' median by where the fault falls in the PING period); the sim median is over all seeds (the same seeds' median is shown for information)",
            MEDIAN_TOLERANCE * 100.0
        ),
        "sequences: the real runs' most common leader and observer sequences must each occur on some simulator seed".into(),
    ];
    if !ignored.is_empty() {
        t.push(format!("not judged on request (--ignore-event): {}", ignored.join(" ")));
    }
    t
}

/// One outcome: how often each value occurred per side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutcomeRow {
    pub name: String,
    pub sim: BTreeMap<String, usize>,
    pub real: BTreeMap<String, usize>,
    pub ok: bool,
}

/// One event name: in how many runs each side published it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventRow {
    pub event: String,
    pub sim_runs: usize,
    pub real_runs: usize,
    pub judged: bool,
    pub ok: bool,
}

/// min / median / max over the runs that have the value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    pub n: usize,
    pub min: u64,
    pub median: u64,
    pub max: u64,
}

/// One milestone, side by side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricRow {
    pub name: String,
    pub unit: Unit,
    pub sim: Option<Stats>,
    pub real: Option<Stats>,
    /// The simulator over the real runs' seeds only (None unless it played every one of them);
    /// for information (see the module's tolerances).
    pub sim_same_seeds: Option<Stats>,
    /// real median / sim median.
    pub ratio: Option<f64>,
    /// The largest allowed |real median - sim median|.
    pub allowed: Option<u64>,
    pub ok: bool,
}

/// A role's most common sequence per side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeqRow {
    pub role: String,
    pub sim: Option<Vec<String>>,
    pub sim_share: String,
    pub real: Option<Vec<String>>,
    pub real_share: String,
    /// The real most common sequence occurred on some simulator seed.
    pub ok: bool,
}

/// The whole comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub sim_runs: usize,
    pub real_runs: usize,
    pub outcomes: Vec<OutcomeRow>,
    pub events: Vec<EventRow>,
    pub metrics: Vec<MetricRow>,
    pub sequences: Vec<SeqRow>,
    /// `AGREE` or `DISAGREE`.
    pub verdict: String,
    pub reasons: Vec<String>,
    pub tolerances: Vec<String>,
}

impl Comparison {
    pub fn agrees(&self) -> bool {
        self.reasons.is_empty()
    }
}

/// Compares the simulator's runs with the real ones (both sides with at least one run); events
/// named in `ignored` are listed but not judged.
pub fn compare(sim: &[RunFacts], real: &[RunFacts], ignored: &[String]) -> Comparison {
    let outcomes = vec![
        outcome("failover", sim, real, |f| yes_no(f.failover)),
        outcome("final master", sim, real, |f| f.final_master.clone()),
        outcome("final epoch", sim, real, |f| {
            f.final_epoch.map_or("-".into(), |e| e.to_string())
        }),
    ];
    let events = events(sim, real, ignored);
    let metrics = METRICS.iter().filter_map(|(k, u)| metric(k, *u, sim, real)).collect();
    let sequences = vec![
        sequences("leader", sim, real, |f| f.leader_seq.iter().cloned().collect()),
        sequences("observer", sim, real, |f| f.observer_seqs.clone()),
    ];
    let mut c = Comparison {
        sim_runs: sim.len(),
        real_runs: real.len(),
        outcomes,
        events,
        metrics,
        sequences,
        verdict: String::new(),
        reasons: Vec::new(),
        tolerances: tolerances(ignored),
    };
    c.reasons = reasons(&c);
    c.verdict = if c.agrees() { "AGREE" } else { "DISAGREE" }.into();
    c
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.into()
}

fn outcome(name: &str, sim: &[RunFacts], real: &[RunFacts], f: impl Fn(&RunFacts) -> String) -> OutcomeRow {
    let count = |runs: &[RunFacts]| {
        let mut m: BTreeMap<String, usize> = BTreeMap::new();
        for r in runs {
            *m.entry(f(r)).or_default() += 1;
        }
        m
    };
    let (s, r) = (count(sim), count(real));
    let ok = r.keys().all(|v| s.contains_key(v));
    OutcomeRow {
        name: name.into(),
        sim: s,
        real: r,
        ok,
    }
}

fn events(sim: &[RunFacts], real: &[RunFacts], ignored: &[String]) -> Vec<EventRow> {
    let mut names: Vec<&String> = sim.iter().chain(real).flat_map(|f| &f.events).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .map(|name| {
            let seen = |runs: &[RunFacts]| runs.iter().filter(|f| f.events.contains(name)).count();
            let (s, r) = (seen(sim), seen(real));
            let judged = !UNJUDGED_EVENTS.contains(&name.as_str()) && !ignored.contains(name);
            EventRow {
                event: name.clone(),
                sim_runs: s,
                real_runs: r,
                judged,
                ok: !judged || !all_versus_none(s, sim.len(), r, real.len()),
            }
        })
        .collect()
}

/// Seen in every run of one side and in none of the other.
fn all_versus_none(s: usize, sn: usize, r: usize, rn: usize) -> bool {
    (s == sn && r == 0) || (s == 0 && r == rn)
}

pub fn stats(mut v: Vec<u64>) -> Option<Stats> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    let n = v.len();
    let median = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2
    };
    Some(Stats {
        n,
        min: v[0],
        median,
        max: v[n - 1],
    })
}

fn metric(name: &str, unit: Unit, sim: &[RunFacts], real: &[RunFacts]) -> Option<MetricRow> {
    let values = |runs: &[&RunFacts]| stats(runs.iter().filter_map(|f| f.metrics.get(name).copied()).collect());
    let all: Vec<&RunFacts> = sim.iter().collect();
    let same: Vec<&RunFacts> = sim.iter().filter(|f| real.iter().any(|r| r.seed == f.seed)).collect();
    let covered = real.iter().all(|r| same.iter().any(|f| f.seed == r.seed));
    let (s, r) = (values(&all), values(&real.iter().collect::<Vec<_>>()));
    if s.is_none() && r.is_none() {
        return None;
    }
    let same = if covered { values(&same) } else { None };
    let floor = match unit {
        Unit::Ms => FLOOR_MS,
        Unit::Writes => FLOOR_WRITES,
    };
    let (ratio, allowed, ok) = match (s, r) {
        (Some(s), Some(r)) => {
            let sim_values: Vec<u64> = sim.iter().filter_map(|f| f.metrics.get(name).copied()).collect();
            let allowed = ((s.median as f64 * MEDIAN_TOLERANCE).round() as u64)
                .max(floor)
                .max(noise_allowance(&sim_values, r.n));
            let ratio = (s.median > 0).then(|| r.median as f64 / s.median as f64);
            (ratio, Some(allowed), s.median.abs_diff(r.median) <= allowed)
        }
        _ => {
            let n = |x: Option<Stats>| x.map_or(0, |x| x.n);
            (None, None, !all_versus_none(n(s), sim.len(), n(r), real.len()))
        }
    };
    Some(MetricRow {
        name: name.into(),
        unit,
        sim: s,
        real: r,
        sim_same_seeds: same,
        ratio,
        allowed,
        ok,
    })
}

/// The most common element and its share (`12/20`); ties go to the first in sort order.
fn most_common(seqs: &[Vec<String>]) -> (Option<Vec<String>>, String) {
    let mut m: BTreeMap<&Vec<String>, usize> = BTreeMap::new();
    for s in seqs {
        *m.entry(s).or_default() += 1;
    }
    let best = m.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)));
    match best {
        Some((s, n)) => (Some((*s).clone()), format!("{n}/{}", seqs.len())),
        None => (None, "0/0".into()),
    }
}

fn sequences(role: &str, sim: &[RunFacts], real: &[RunFacts], f: impl Fn(&RunFacts) -> Vec<Vec<String>>) -> SeqRow {
    let all_sim: Vec<Vec<String>> = sim.iter().flat_map(&f).collect();
    let all_real: Vec<Vec<String>> = real.iter().flat_map(&f).collect();
    let (s, s_share) = most_common(&all_sim);
    let (r, r_share) = most_common(&all_real);
    let ok = match &r {
        Some(r) => all_sim.contains(r),
        None => s.is_none() || all_sim.len() < sim.len(),
    };
    SeqRow {
        role: role.into(),
        sim: s,
        sim_share: s_share,
        real: r,
        real_share: r_share,
        ok,
    }
}

/// Why the sides disagree (empty: they agree).
fn reasons(c: &Comparison) -> Vec<String> {
    let mut out = Vec::new();
    for o in c.outcomes.iter().filter(|o| !o.ok) {
        let odd: Vec<&String> = o.real.keys().filter(|v| !o.sim.contains_key(*v)).collect();
        out.push(format!(
            "outcome {}: real {:?} never occurred in the simulator ({:?})",
            o.name, odd, o.sim
        ));
    }
    for e in c.events.iter().filter(|e| !e.ok) {
        out.push(format!(
            "event {}: simulator {}/{} runs, real {}/{} runs",
            e.event, e.sim_runs, c.sim_runs, e.real_runs, c.real_runs
        ));
    }
    for m in c.metrics.iter().filter(|m| !m.ok) {
        out.push(match (m.sim, m.real, m.allowed) {
            (Some(s), Some(r), Some(a)) => format!(
                "milestone {}: real median {} vs simulator median {} (allowed ±{})",
                m.name, r.median, s.median, a
            ),
            _ => format!("milestone {}: present on one side only", m.name),
        });
    }
    for s in c.sequences.iter().filter(|s| !s.ok) {
        out.push(format!(
            "{} sequence: the real runs' most common ({}) never occurred in the simulator",
            s.role,
            s.real.as_ref().map_or("none".into(), |v| v.join(","))
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run; `seed k` labels give seed k, others (the real runs) seed 100 unless a test sets it.
    fn run(label: &str, master: &str, sdown: u64, switch: Option<u64>) -> RunFacts {
        let seed = label.strip_prefix("seed ").and_then(|k| k.parse().ok()).unwrap_or(100);
        let mut metrics = BTreeMap::from([("+sdown".to_string(), sdown)]);
        if let Some(t) = switch {
            metrics.insert("+switch-master first".into(), t);
        }
        let leader: Vec<String> = ["+sdown", "+odown", "+elected-leader", "+switch-master"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        RunFacts {
            label: label.into(),
            seed,
            ok: true,
            failover: switch.is_some(),
            final_master: master.into(),
            final_epoch: Some(u64::from(switch.is_some())),
            events: ["+sdown", "+switch-master", "+tilt"]
                .iter()
                .take(if switch.is_some() { 2 } else { 1 })
                .map(|s| s.to_string())
                .collect(),
            metrics,
            leader_seq: switch.map(|_| leader),
            observer_seqs: vec![vec!["+sdown".into()]],
        }
    }

    fn sim() -> Vec<RunFacts> {
        (0..10)
            .map(|k| {
                let master = if k % 3 == 0 { "10.0.0.1:6384" } else { "10.0.0.1:6383" };
                run(&format!("seed {k}"), master, 3000 + k * 20, Some(4100 + k * 10))
            })
            .collect()
    }

    #[test]
    fn close_runs_agree() {
        let real = vec![
            run("run 1", "10.0.0.1:6383", 3050, Some(4200)),
            run("run 2", "10.0.0.1:6384", 3150, Some(4300)),
        ];
        let c = compare(&sim(), &real, &[]);
        assert_eq!(c.verdict, "AGREE", "{:?}", c.reasons);
        let sw = c.metrics.iter().find(|m| m.name == "+switch-master first").unwrap();
        assert_eq!(sw.real.unwrap().median, 4250);
        assert_eq!(sw.sim.unwrap().median, 4145);
        assert!(sw.ratio.unwrap() > 1.0 && sw.ratio.unwrap() < 1.03);
    }

    #[test]
    fn no_failover_is_an_outcome_disagreement() {
        let real = vec![run("run 1", "10.0.0.1:6382", 3050, None)];
        let c = compare(&sim(), &real, &[]);
        assert_eq!(c.verdict, "DISAGREE");
        assert!(
            c.reasons.iter().any(|r| r.starts_with("outcome failover")),
            "{:?}",
            c.reasons
        );
        assert!(c.reasons.iter().any(|r| r.starts_with("outcome final master")));
        assert!(c.reasons.iter().any(|r| r.starts_with("event +switch-master")));
        assert!(c.reasons.iter().any(|r| r.starts_with("leader sequence")));
    }

    #[test]
    fn a_master_the_simulator_never_chose_disagrees() {
        let real = vec![run("run 1", "10.0.0.1:6385", 3050, Some(4200))];
        let c = compare(&sim(), &real, &[]);
        assert_eq!(c.reasons.len(), 1, "{:?}", c.reasons);
        assert!(c.reasons[0].contains("final master"));
    }

    #[test]
    fn a_median_off_by_more_than_ten_percent_disagrees() {
        // +switch-master: sim median 4145 ms, allowed ±415 ms; real median 4700 ms.
        let real = vec![
            run("run 1", "10.0.0.1:6383", 3050, Some(4650)),
            run("run 2", "10.0.0.1:6383", 3050, Some(4750)),
        ];
        let c = compare(&sim(), &real, &[]);
        assert_eq!(c.verdict, "DISAGREE");
        assert_eq!(c.reasons.len(), 1, "{:?}", c.reasons);
        assert!(c.reasons[0].contains("+switch-master first"), "{:?}", c.reasons);
        let sw = c.metrics.iter().find(|m| m.name == "+switch-master first").unwrap();
        assert_eq!(sw.allowed, Some(415));
    }

    #[test]
    fn a_spread_milestone_allows_the_sampling_error_of_few_runs() {
        // Uniform over 3.0-4.0 s (a hang's +sdown): IQR 500 ms, σ ≈ 371 ms; for 4 real runs the
        // median's standard error is ≈ 232 ms, and 3 of them allow ≈ 697 ms (10 % would be 350).
        let sim: Vec<u64> = (0..=100).map(|k| 3000 + k * 10).collect();
        assert_eq!(noise_allowance(&sim, 4), 697);
        assert_eq!(noise_allowance(&sim, 16), 348);
        assert_eq!(noise_allowance(&sim[..3], 4), 0, "too few seeds to tell a spread");
        let tight: Vec<u64> = (0..50).map(|k| 4100 + k).collect();
        assert!(noise_allowance(&tight, 2) < 100);
    }

    #[test]
    fn short_milestones_use_the_absolute_floor() {
        let mk = |label: &str, t: u64| {
            let mut f = run(label, "10.0.0.1:6383", 500, Some(4150));
            f.metrics.insert("+odown".into(), t);
            f
        };
        let sim: Vec<RunFacts> = (0..5).map(|k| mk(&format!("seed {k}"), 100)).collect();
        // 350 ms vs 100 ms is a ratio of 3.5, but within the 300 ms floor of the median.
        let c = compare(&sim, &[mk("run 1", 350)], &[]);
        assert_eq!(c.verdict, "AGREE", "{:?}", c.reasons);
        let c = compare(&sim, &[mk("run 1", 450)], &[]);
        assert_eq!(c.verdict, "DISAGREE");
        assert!(c.reasons[0].contains("+odown"));
    }

    #[test]
    fn unjudged_events_are_listed_but_do_not_disagree() {
        let mut real = run("run 1", "10.0.0.1:6383", 3050, Some(4200));
        real.events.insert("+tilt".into());
        let c = compare(&sim(), &[real], &[]);
        assert_eq!(c.verdict, "AGREE", "{:?}", c.reasons);
        let tilt = c.events.iter().find(|e| e.event == "+tilt").unwrap();
        assert!(!tilt.judged);
        assert_eq!((tilt.sim_runs, tilt.real_runs), (0, 1));
    }

    #[test]
    fn an_event_on_one_side_only_disagrees_unless_ignored() {
        let mut real = run("run 1", "10.0.0.1:6383", 3050, Some(4200));
        real.events.insert("+sentinel-address-switch".into());
        let c = compare(&sim(), std::slice::from_ref(&real), &[]);
        assert_eq!(
            c.reasons,
            ["event +sentinel-address-switch: simulator 0/10 runs, real 1/1 runs"]
        );
        let c = compare(&sim(), &[real], &["+sentinel-address-switch".to_string()]);
        assert_eq!(c.verdict, "AGREE", "{:?}", c.reasons);
        assert!(c.tolerances.last().unwrap().contains("+sentinel-address-switch"));
    }

    #[test]
    fn the_same_seeds_median_is_shown_not_judged() {
        // Seeds 0 and 1 switch at 4100 and 4110 ms; over all ten seeds the median is 4145.
        let mut a = run("run 1", "10.0.0.1:6383", 3050, Some(4530));
        let mut b = run("run 2", "10.0.0.1:6383", 3050, Some(4550));
        (a.seed, b.seed) = (0, 1);
        // 4540 vs 4145 (±415) agrees, though 4540 vs the same seeds' 4105 would not.
        let c = compare(&sim(), &[a, b.clone()], &[]);
        assert_eq!(c.verdict, "AGREE", "{:?}", c.reasons);
        let sw = c.metrics.iter().find(|m| m.name == "+switch-master first").unwrap();
        assert_eq!(sw.sim_same_seeds.map(|s| (s.n, s.median)), Some((2, 4105)));
        // A real run on a seed the simulator did not play: no same-seeds median.
        b.seed = 100;
        let c = compare(&sim(), &[b], &[]);
        assert_eq!(c.metrics[0].sim_same_seeds, None);
    }

    #[test]
    fn stats_take_the_middle() {
        assert_eq!(stats(vec![]), None);
        let s = stats(vec![5, 1, 3]).unwrap();
        assert_eq!((s.n, s.min, s.median, s.max), (3, 1, 3, 5));
        assert_eq!(stats(vec![4, 1, 3, 10]).unwrap().median, 3);
    }
}
