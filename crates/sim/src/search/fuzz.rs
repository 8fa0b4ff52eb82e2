//! proptest fuzzing of failover and fault sequences.
//!
//! A case is a cluster (data nodes, Sentinels, quorum, down-after, failover-timeout, priorities,
//! min-replicas) plus a sequence of fault episodes drawn from the whole vocabulary (kills,
//! pauses, partitions of every shape, clock faults, latency and loss, operator failovers). Each
//! episode undoes itself, so after the last one the world is healed: a liveness phase follows (as
//! in TigerBeetle's VOPR) and the run must converge. Every safety invariant is checked throughout.
//!
//! Cases are rendered as scenario TOML and go through the ordinary parser, so a failure shrunk by
//! proptest is already a scenario file that `cargo sim <file> --seed N` replays exactly. Failing
//! inputs are also persisted in proptest's regression file and replayed first next time.

use crate::report::RunReport;
use crate::scenario;
use proptest::prelude::*;
use proptest::test_runner::{
    Config, FileFailurePersistence, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner,
};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// One fault episode: what, on which node (an index taken modulo the node count), for how long,
/// after which quiet gap.
#[derive(Debug, Clone)]
pub enum Fault {
    Kill(u8),
    Pause(u8),
    /// A two-sided split: bit i = side of node i.
    Partition(u32),
    Isolate(u8),
    /// Messages from this node to everybody else are dropped.
    OneWay(u8),
    /// A Sentinel's clock jumps by this many ms (its undo resets it).
    ClockJump(u8, i64),
    /// A Sentinel's clock runs at rate/10.
    ClockDrift(u8, u8),
    /// `SENTINEL FAILOVER` via a Sentinel (no undo needed).
    Failover(u8),
    Latency(u16),
    /// Loss in percent.
    Loss(u8),
    /// Arms `kill_on` (target `subject`): the replica the next failover promotes dies the moment
    /// it is told to (its failover must time out); the episode ends with `SENTINEL FAILOVER` via
    /// this Sentinel, so that a promotion happens. The victim stays down.
    KillPromoted(u8),
}

/// A directed opening, played before the episodes while `redis-6382` is still the master: the
/// situations where the choice of replica matters (ranked by priority, offset, run id; or too
/// stale to be promoted at all), which random episodes reach too rarely.
#[derive(Debug, Clone)]
pub enum Opening {
    /// The master is killed at 12 s and restarted 20 s later. With `lag` (replica index, ms), from
    /// 5 s the master's stream to that replica is delayed by lag..lag + 500 ms, so that it holds
    /// less data than the others when the master dies (as `scenarios/lagging_replica.toml`).
    MasterKill { lag: Option<(u8, u16)> },
    /// Every Sentinel is down from 8 s and the master dies at 10 s; the Sentinels come back
    /// `after_ms` past 10 × down-after, when every replica's data is too old to promote (as
    /// `scenarios/stale_replica.toml`), and the master 20 s after them.
    Blackout { after_ms: u64 },
}

#[derive(Debug, Clone)]
pub struct Episode {
    pub gap_ms: u64,
    pub len_ms: u64,
    pub fault: Fault,
}

#[derive(Debug, Clone)]
pub struct Case {
    pub seed: u64,
    pub data_nodes: u8,
    pub sentinels: u8,
    pub quorum: u8,
    pub down_after_ms: u64,
    pub failover_timeout_ms: u64,
    pub parallel_syncs: u8,
    pub priorities: Vec<u32>,
    pub min_replicas: bool,
    pub persistence: bool,
    pub opening: Option<Opening>,
    pub episodes: Vec<Episode>,
}

/// Quiet time after the last episode in which the system must converge.
pub const LIVENESS_MS: u64 = 60_000;

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        3 => any::<u8>().prop_map(Fault::Kill),
        2 => any::<u8>().prop_map(Fault::Pause),
        3 => any::<u32>().prop_map(Fault::Partition),
        2 => any::<u8>().prop_map(Fault::Isolate),
        1 => any::<u8>().prop_map(Fault::OneWay),
        2 => (any::<u8>(), prop_oneof![-5_000i64..-1_000, 2_500i64..20_000]).prop_map(|(n, by)| Fault::ClockJump(n, by)),
        1 => (any::<u8>(), prop_oneof![Just(5u8), Just(20u8)]).prop_map(|(n, r)| Fault::ClockDrift(n, r)),
        1 => any::<u8>().prop_map(Fault::Failover),
        1 => (10u16..2_000).prop_map(Fault::Latency),
        1 => (1u8..30).prop_map(Fault::Loss),
        2 => any::<u8>().prop_map(Fault::KillPromoted),
    ]
}

fn opening() -> impl Strategy<Value = Option<Opening>> {
    prop_oneof![
        Just(None),
        Just(Some(Opening::MasterKill { lag: None })),
        (any::<u8>(), 500u16..2_000).prop_map(|l| Some(Opening::MasterKill { lag: Some(l) })),
        (10_000u64..20_000).prop_map(|after_ms| Some(Opening::Blackout { after_ms })),
    ]
}

fn episode() -> impl Strategy<Value = Episode> {
    (0u64..15_000, 1_000u64..20_000, fault()).prop_map(|(gap_ms, len_ms, fault)| Episode { gap_ms, len_ms, fault })
}

/// The strategy: a cluster (up to 4 replicas, so that parallel-syncs shows) and 1..=8 episodes.
pub fn case() -> impl Strategy<Value = Case> {
    (2u8..=5, 3u8..=5)
        .prop_flat_map(|(data_nodes, sentinels)| {
            (
                any::<u64>(),
                Just(data_nodes),
                Just(sentinels),
                1u8..=sentinels,
                prop_oneof![Just(1_000u64), Just(2_000), Just(3_000), Just(5_000)],
                (prop_oneof![Just(3_000u64), Just(5_000), Just(10_000)], 1u8..=2),
                // Priorities: often equal (the default), else spread, so that all three ranks
                // of the selection (priority, offset, run id) decide some promotions.
                proptest::collection::vec(
                    prop_oneof![1 => Just(0u32), 4 => Just(100u32), 3 => 1u32..=150],
                    data_nodes as usize - 1,
                ),
                any::<bool>(),
                any::<bool>(),
                (opening(), proptest::collection::vec(episode(), 1..=8)),
            )
        })
        .prop_map(
            |(
                seed,
                data_nodes,
                sentinels,
                quorum,
                down_after_ms,
                (failover_timeout_ms, parallel_syncs),
                priorities,
                min_replicas,
                persistence,
                (opening, episodes),
            )| Case {
                seed,
                data_nodes,
                sentinels,
                quorum,
                down_after_ms,
                failover_timeout_ms,
                parallel_syncs,
                priorities,
                min_replicas,
                persistence,
                opening,
                episodes,
            },
        )
}

fn ms(v: u64) -> String {
    format!("\"{v}ms\"")
}

impl Case {
    fn data_name(&self, i: usize) -> String {
        format!("redis-{}", 6382 + i)
    }
    fn sentinel_name(&self, i: usize) -> String {
        format!("sentinel-{}", 5000 + i)
    }
    fn nodes(&self) -> Vec<String> {
        (0..self.data_nodes as usize)
            .map(|i| self.data_name(i))
            .chain((0..self.sentinels as usize).map(|i| self.sentinel_name(i)))
            .collect()
    }

    /// The action that starts a fault and the one that undoes it (as `[[timeline]]` bodies).
    fn episode_actions(&self, fault: &Fault, nodes: &[String]) -> (Option<String>, Option<String>) {
        let pick = |n: u8| nodes[n as usize % nodes.len()].clone();
        let sentinel = |n: u8| self.sentinel_name(n as usize % self.sentinels as usize);
        let q = |s: &str| format!("\"{s}\"");
        let (mut begin, mut undo) = (None, None);
        match fault {
            Fault::Kill(n) => {
                begin = Some(format!("action = \"kill\"\nnode = {}", q(&pick(*n))));
                undo = Some(format!("action = \"restart\"\nnode = {}", q(&pick(*n))));
            }
            Fault::Pause(n) => {
                begin = Some(format!("action = \"pause\"\nnode = {}", q(&pick(*n))));
                undo = Some(format!("action = \"resume\"\nnode = {}", q(&pick(*n))));
            }
            Fault::Partition(bits) => {
                let (mut a, mut b) = (Vec::new(), Vec::new());
                for (i, n) in nodes.iter().enumerate() {
                    if bits >> (i % 32) & 1 == 1 {
                        a.push(q(n))
                    } else {
                        b.push(q(n))
                    }
                }
                if !a.is_empty() && !b.is_empty() {
                    begin = Some(format!(
                        "action = \"partition\"\ngroups = [[{}], [{}]]",
                        a.join(", "),
                        b.join(", ")
                    ));
                    undo = Some("action = \"heal\"".into());
                }
            }
            Fault::Isolate(n) => {
                begin = Some(format!("action = \"isolate\"\nnode = {}", q(&pick(*n))));
                undo = Some("action = \"heal\"".into());
            }
            Fault::OneWay(n) => {
                let from = pick(*n);
                let to: Vec<String> = nodes.iter().filter(|x| **x != from).map(|x| q(x)).collect();
                begin = Some(format!(
                    "action = \"partition_oneway\"\nfrom = [{}]\nto = [{}]",
                    q(&from),
                    to.join(", ")
                ));
                undo = Some("action = \"heal\"".into());
            }
            Fault::ClockJump(n, by) => {
                let s = sentinel(*n);
                let sign = if *by < 0 { "-" } else { "+" };
                begin = Some(format!(
                    "action = \"clock_jump\"\nnode = {}\nby = \"{sign}{}ms\"",
                    q(&s),
                    by.unsigned_abs()
                ));
                undo = Some(format!("action = \"clock_reset\"\nnode = {}", q(&s)));
            }
            Fault::ClockDrift(n, r) => {
                let s = sentinel(*n);
                begin = Some(format!(
                    "action = \"clock_drift\"\nnode = {}\nrate = {}",
                    q(&s),
                    *r as f64 / 10.0
                ));
                undo = Some(format!("action = \"clock_reset\"\nnode = {}", q(&s)));
            }
            Fault::Failover(n) => begin = Some(format!("action = \"failover\"\nvia = {}", q(&sentinel(*n)))),
            Fault::Latency(max) => {
                begin = Some(format!("action = \"latency\"\nmin = \"1ms\"\nmax = \"{max}ms\""));
                undo = Some("action = \"net_reset\"".into());
            }
            Fault::KillPromoted(n) => {
                begin = Some(
                    "action = \"kill_on\"\nevent = \"+failover-state-wait-promotion\"\ntarget = \"subject\"".into(),
                );
                undo = Some(format!("action = \"failover\"\nvia = {}", q(&sentinel(*n))));
            }
            Fault::Loss(pct) => {
                begin = Some(format!("action = \"loss\"\nrate = {}", *pct as f64 / 100.0));
                undo = Some("action = \"net_reset\"".into());
            }
        }
        (begin, undo)
    }

    /// The opening's timed actions (as `[[timeline]]` bodies) and when the episodes may start.
    fn opening_actions(&self) -> (Vec<(u64, String)>, u64) {
        let master = format!("\"{}\"", self.data_name(0));
        let act = |verb: &str, node: &str| format!("action = \"{verb}\"\nnode = {node}");
        match &self.opening {
            None => (Vec::new(), 5_000),
            Some(Opening::MasterKill { lag }) => {
                let mut v = Vec::new();
                if let Some((i, ms)) = lag {
                    let replica = self.data_name(1 + *i as usize % (self.data_nodes as usize - 1));
                    v.push((
                        5_000,
                        format!(
                            "action = \"latency\"\nmin = \"{ms}ms\"\nmax = \"{}ms\"\nfrom = [{master}]\nto = [\"{replica}\"]",
                            ms + 500
                        ),
                    ));
                    v.push((32_000, "action = \"net_reset\"".into()));
                }
                v.push((12_000, act("kill", &master)));
                v.push((32_000, act("restart", &master)));
                (v, 32_000)
            }
            Some(Opening::Blackout { after_ms }) => {
                let back = 10_000 + 10 * self.down_after_ms + after_ms;
                let mut v = Vec::new();
                for i in 0..self.sentinels as usize {
                    let s = format!("\"{}\"", self.sentinel_name(i));
                    v.push((8_000, act("kill", &s)));
                    v.push((back, act("restart", &s)));
                }
                v.push((10_000, act("kill", &master)));
                v.push((back + 20_000, act("restart", &master)));
                (v, back + 20_000)
            }
        }
    }

    /// The simulated length of the case's run: its opening, its episodes and the liveness phase.
    pub fn sim_ms(&self) -> u64 {
        let episodes: u64 = self.episodes.iter().map(|e| e.gap_ms + e.len_ms).sum();
        self.opening_actions().1 + episodes + LIVENESS_MS
    }

    /// A case's rough cost to play: simulated time × processes (each process ticks and talks
    /// through the whole run).
    fn cost(&self) -> u64 {
        self.sim_ms() * (u64::from(self.data_nodes) + u64::from(self.sentinels))
    }

    /// The scenario file for this case (`story` says how it was found).
    pub fn to_toml(&self, story: &str) -> String {
        let mut o = String::new();
        for l in story.lines() {
            let _ = writeln!(o, "# {l}");
        }
        let nodes = self.nodes();
        let (mut timeline, mut t) = self.opening_actions();
        for e in &self.episodes {
            t += e.gap_ms;
            let (start, end) = (t, t + e.len_ms);
            let (begin, undo) = self.episode_actions(&e.fault, &nodes);
            timeline.extend(begin.map(|b| (start, b)));
            timeline.extend(undo.map(|b| (end, b)));
            t = end;
        }
        // The opening's actions interleave; a stable sort keeps same-time actions in order.
        timeline.sort_by_key(|(when, _)| *when);
        let duration = t + LIVENESS_MS;
        debug_assert_eq!(duration, self.sim_ms());
        let _ = writeln!(
            o,
            "\nname = \"fuzz-case\"\nduration = {}\nsettle = {}\nseed = {}\n",
            ms(duration),
            ms(LIVENESS_MS - 1_000),
            self.seed
        );
        let _ = writeln!(
            o,
            "[master]\nname = \"mymaster\"\nquorum = {}\ndown_after = {}\nfailover_timeout = {}\nparallel_syncs = {}\n",
            self.quorum,
            ms(self.down_after_ms),
            ms(self.failover_timeout_ms),
            self.parallel_syncs
        );
        for i in 0..self.data_nodes as usize {
            let _ = writeln!(o, "[[redis]]\naddr = \"127.0.0.1:{}\"", 6382 + i);
            if i > 0 {
                let _ = writeln!(o, "replica_of = \"redis-6382\"\npriority = {}", self.priorities[i - 1]);
            }
            if self.min_replicas {
                let _ = writeln!(o, "min_replicas_to_write = 1\nmin_replicas_max_lag = \"10s\"");
            }
            if self.persistence {
                let _ = writeln!(o, "persistence = true");
            }
            o.push('\n');
        }
        for i in 0..self.sentinels as usize {
            let _ = writeln!(o, "[[sentinel]]\naddr = \"127.0.0.1:{}\"\n", 5000 + i);
        }
        for (when, body) in timeline {
            let _ = writeln!(o, "[[timeline]]\nat = {}\n{body}\n", ms(when));
        }
        o
    }
}

#[derive(Debug, Clone)]
pub struct FuzzOpts {
    pub cases: u32,
    /// Seed of the case generator (the same seed draws the same cases).
    pub seed: u64,
    /// Where shrunk failures are written as scenario files.
    pub out: PathBuf,
    /// proptest's regression file (failing inputs are replayed first next time); None: failures
    /// are not kept (the `mutants` runner: a planted bug's failures must not reach the normal
    /// fuzzer's file, and every run of the runner plays the same cases).
    pub regressions: Option<PathBuf>,
    pub max_shrink_iters: u32,
    /// Worker threads that play the generated cases (shrinking is sequential).
    pub jobs: usize,
}

/// A shrunk failure: the scenario file that replays it and why it failed.
#[derive(Debug, Clone)]
pub struct Failure {
    pub file: PathBuf,
    pub seed: u64,
    pub reason: String,
    pub episodes: usize,
    /// Which case (1-based, in generation order) failed first, before shrinking.
    pub case: u32,
}

fn failed_checks(r: &RunReport) -> String {
    r.failures()
        .iter()
        .map(|c| format!("{}: {}", c.name, c.detail))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Plays one case; Err with the failed checks.
pub fn check_case(c: &Case) -> Result<(), String> {
    let text = c.to_toml("fuzz case");
    let s =
        scenario::parse(&text, "fuzz-case.toml").map_err(|e| format!("generator produced an invalid scenario: {e}"))?;
    let r = crate::run::run_once(&s, c.seed)?;
    if r.ok {
        Ok(())
    } else {
        Err(failed_checks(&r))
    }
}

/// The proptest runner of a fuzz: the same generator seed draws the same cases.
fn runner(opts: &FuzzOpts) -> TestRunner {
    let persistence = opts.regressions.as_ref().map(|p| {
        let p: &'static str = Box::leak(p.to_string_lossy().into_owned().into_boxed_str());
        Box::new(FileFailurePersistence::Direct(p)) as Box<dyn proptest::test_runner::FailurePersistence>
    });
    let config = Config {
        cases: opts.cases,
        max_shrink_iters: opts.max_shrink_iters,
        failure_persistence: persistence,
        rng_algorithm: RngAlgorithm::ChaCha,
        ..Config::default()
    };
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&opts.seed.to_le_bytes());
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes))
}

/// The cases a runner would test, in its order (replayed regressions first): a pass of the
/// runner whose test accepts everything draws exactly the sequence of a real pass, since
/// drawing never depends on the outcomes.
fn draw_cases(opts: &FuzzOpts) -> Vec<Case> {
    let cases = std::cell::RefCell::new(Vec::new());
    let _ = runner(opts).run(&case(), |c| {
        cases.borrow_mut().push(c);
        Ok(())
    });
    cases.into_inner()
}

/// Plays `cases` on `jobs` threads; returns the index of the first failing case in order, if
/// any (cases after a failure are not started).
fn first_failure(cases: &[Case], jobs: usize, progress: &(impl Fn(u32) + Sync)) -> Result<Option<usize>, String> {
    use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let failed = AtomicUsize::new(usize::MAX);
    let done = AtomicU32::new(0);
    let error = std::sync::Mutex::new(None::<String>);
    // The costliest cases first, so that no thread is left with a long one at the end. The
    // outcome does not depend on the order: a case after a known failure (in generation order)
    // is skipped, and every case before it is played.
    let mut order: Vec<usize> = (0..cases.len()).collect();
    order.sort_by_cached_key(|&i| std::cmp::Reverse(cases[i].cost()));
    std::thread::scope(|s| {
        for _ in 0..jobs.max(1) {
            s.spawn(|| loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                let Some(&i) = order.get(k) else { return };
                if i > failed.load(Ordering::Relaxed) {
                    continue;
                }
                match check_case(&cases[i]) {
                    Ok(()) => {}
                    Err(e) if e.starts_with("generator produced") => {
                        error.lock().unwrap_or_else(|p| p.into_inner()).get_or_insert(e);
                        failed.fetch_min(i, Ordering::Relaxed);
                    }
                    Err(_) => {
                        failed.fetch_min(i, Ordering::Relaxed);
                    }
                }
                progress(done.fetch_add(1, Ordering::Relaxed) + 1);
            });
        }
    });
    if let Some(e) = error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e);
    }
    let f = failed.into_inner();
    Ok((f != usize::MAX).then_some(f))
}

/// Runs `opts.cases` cases on `opts.jobs` threads; on failure shrinks the first failing case (in
/// generation order, so the result does not depend on the number of threads) and writes the
/// minimal scenario.
pub fn fuzz(opts: &FuzzOpts, progress: impl Fn(u32) + Sync) -> Result<Option<Failure>, String> {
    let cases = draw_cases(opts);
    let Some(first) = first_failure(&cases, opts.jobs, &progress)? else {
        return Ok(None);
    };
    // Shrinking, and the regression file, are the runner's: a second pass over the same cases,
    // whose test passes the cases known to pass without playing them again and plays the rest
    // (the failing case, then every shrink step).
    let n = std::cell::Cell::new(0usize);
    let result = runner(opts).run(&case(), |c| {
        n.set(n.get() + 1);
        if n.get() <= first {
            return Ok(());
        }
        check_case(&c).map_err(TestCaseError::fail)
    });
    match result {
        Ok(()) => Err(format!(
            "case {} failed on its own, and passed when played again: nondeterminism",
            first + 1
        )),
        Err(TestError::Abort(why)) => Err(format!("fuzzing aborted: {why}")),
        Err(TestError::Fail(why, minimal)) => {
            let reason = why.to_string();
            std::fs::create_dir_all(&opts.out).map_err(|e| format!("{}: {e}", opts.out.display()))?;
            let file = opts.out.join(format!("fuzz-failure-{:016x}.toml", minimal.seed));
            let story = format!(
                "Found by `sentinel-sim fuzz` (generator seed {}) and shrunk by proptest to {} episode(s).\nFailed: {}\nReplay: cargo sim {} --seed {}",
                opts.seed,
                minimal.episodes.len(),
                reason.replace('\n', " "),
                file.display(),
                minimal.seed
            );
            let text = minimal.to_toml(&story).replace(
                "name = \"fuzz-case\"",
                &format!("name = \"fuzz-failure-{:016x}\"", minimal.seed),
            );
            std::fs::write(&file, text).map_err(|e| format!("{}: {e}", file.display()))?;
            Ok(Some(Failure {
                file,
                seed: minimal.seed,
                reason,
                episodes: minimal.episodes.len(),
                case: first as u32 + 1,
            }))
        }
    }
}

/// Default locations.
pub fn default_out() -> PathBuf {
    Path::new("sim-results").join("fuzz")
}
