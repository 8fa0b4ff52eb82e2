//! One run inside the hub namespace: the processes and clients, the timeline (stopped by SIGINT,
//! SIGTERM or the wall limit), the final state, the write analysis and the report. Every process
//! is killed when the stage drops, on every path out of here.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use tokio::signal::unix::{signal, SignalKind};

use super::addrs::{self, Addrs};
use super::firewall::Firewall;
use super::logs::Tail;
use super::net::RealNet;
use super::procs::{Proc, SentinelImpl};
use super::recorder::Recorder;
use super::timeline::Stage;
use crate::report::{RunReport, WritesSummary};
use crate::scenario::Scenario;
use crate::spec::WorldSpec;
use crate::trace::{FinalState, WorldNote};
use crate::workload::history::{History, Op};

/// Beyond the scenario's duration, the most a run may take (final probes, the clients' last
/// writes, the read of what survived) before it is stopped as hung.
const WALL_MARGIN: Duration = Duration::from_secs(60);

pub struct Ctx<'a> {
    pub s: &'a Scenario,
    pub spec: &'a WorldSpec,
    pub which: &'a SentinelImpl,
    pub work: &'a Path,
    /// Each process's namespace.
    pub nodes: Vec<String>,
}

pub async fn run(ctx: Ctx<'_>) -> Result<RunReport, String> {
    let mut sigint = signal(SignalKind::interrupt()).map_err(|e| format!("SIGINT handler: {e}"))?;
    let mut sigterm = signal(SignalKind::terminate()).map_err(|e| format!("SIGTERM handler: {e}"))?;
    let wall = std::time::Instant::now();
    let limit = Duration::from_millis(ctx.spec.duration_ms) + WALL_MARGIN;
    let stopped = |what: &str| {
        super::INTERRUPTED.store(true, Ordering::SeqCst);
        format!("interrupted by {what}; every process and namespace of the run was removed")
    };
    let (trace, fin, writes) = tokio::select! {
        r = tokio::time::timeout(limit, session(&ctx)) => match r {
            Ok(r) => r?,
            Err(_) => return Err(format!("the run exceeded its wall-clock bound of {}s", limit.as_secs())),
        },
        _ = sigint.recv() => return Err(stopped("SIGINT")),
        _ = sigterm.recv() => return Err(stopped("SIGTERM")),
    };
    let seed = ctx.spec.seed;
    let wall_ms = wall.elapsed().as_millis() as u64;
    Ok(RunReport::new(
        ctx.s,
        seed,
        &trace,
        &fin,
        writes,
        ctx.spec.duration_ms,
        wall_ms,
    ))
}

type Outcome = (Vec<crate::trace::TraceEvent>, FinalState, Option<WritesSummary>);

async fn session(ctx: &Ctx<'_>) -> Result<Outcome, String> {
    let spec = ctx.spec;
    let targets: Vec<(String, u16)> = spec.procs.iter().map(|p| (p.ip.clone(), p.port)).collect();
    let client_names: Vec<String> = spec.clients.iter().map(|c| c.config.name.clone()).collect();
    let addrs = Addrs::new(&targets, &client_names);
    let mut procs = Vec::new();
    for (p, ns) in spec.procs.iter().zip(&ctx.nodes) {
        procs.push(Proc::prepare(ctx.work, p, ns, &addrs, ctx.which)?);
    }
    for i in super::support::clocked(spec) {
        procs[i].enable_clock()?;
    }
    let tails = procs
        .iter()
        .map(|p| Tail::new(&p.name, p.log.clone(), p.sentinel))
        .collect();
    let names: Vec<String> = spec.procs.iter().map(|p| p.name.clone()).chain(client_names).collect();
    let near = (spec.procs.iter().map(|_| None))
        .chain(spec.clients.iter().map(|c| c.near))
        .collect();
    let mut stage = Stage {
        rec: Recorder::new(),
        addrs: addrs.clone(),
        procs,
        targets: targets.clone(),
        fw: Firewall::new(ctx.nodes.clone(), names, near),
        tails,
        trigger: None,
    };
    let history = History::new();
    let clients = start_clients(spec, &addrs, &stage.rec, &history);
    stage.play(spec).await?;
    let fin = super::probe::final_state(&addrs, &mut stage.procs, &targets, &spec.master_name).await;
    for c in clients {
        // The last write started before `stop` completes within a few seconds.
        if tokio::time::timeout(Duration::from_secs(3), c).await.is_err() {
            eprintln!("real: a client was still writing at the end; stopped");
        }
    }
    let writes = writes(ctx.s, spec, &mut stage, &fin, &history).await;
    stage.poll_logs();
    Ok((stage.rec.take(), fin, writes))
}

/// Starts each client on its own address of the hub (so that partitions can cut it off).
fn start_clients(spec: &WorldSpec, addrs: &Addrs, rec: &Recorder, history: &History) -> Vec<AbortOnDrop> {
    let mut handles = Vec::new();
    for (j, c) in spec.clients.iter().enumerate() {
        let env = crate::workload::client::ClientEnv {
            net: Arc::new(RealNet {
                addrs: addrs.clone(),
                from: Some(addrs::client_ip(j).into()),
            }),
            history: history.clone(),
            start: tokio::time::Instant::from_std(rec.start),
        };
        let task = tokio::spawn(crate::workload::client::run_client(c.config.clone(), env));
        handles.push(AbortOnDrop(task));
    }
    handles
}

/// A client task, stopped if the run ends first.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl std::future::Future for AbortOnDrop {
    type Output = ();
    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<()> {
        std::pin::Pin::new(&mut self.0).poll(cx).map(|_| ())
    }
}

/// The write analysis, as the simulator's: what survived on the final master of the keys of
/// acknowledged writes. None without clients.
async fn writes(
    s: &Scenario,
    spec: &WorldSpec,
    stage: &mut Stage,
    fin: &FinalState,
    history: &History,
) -> Option<WritesSummary> {
    if spec.clients.is_empty() {
        return None;
    }
    let ops: Vec<Op> = (history.snapshot().into_iter())
        .map(|mut op| {
            op.node = op.node.map(|n| stage.addrs.map_back(&n));
            op
        })
        .collect();
    let keys = crate::workload::history::keys_to_check(&ops);
    let net = RealNet {
        addrs: stage.addrs.clone(),
        from: None,
    };
    let read = match crate::checks::final_master(fin) {
        Ok(m) => {
            let (ip, port) = crate::scenario::split_addr(&m.addr);
            let master = (ip.to_string(), port.parse().unwrap_or(0));
            crate::workload::client::read_surviving(&net, master, None, &keys, Duration::from_secs(10)).await
        }
        Err(e) => Err(e),
    };
    let surviving: BTreeMap<String, String> = read.unwrap_or_else(|e| {
        let line = format!("writes: cannot read the surviving data ({e}); every acknowledged write counts as lost");
        stage.rec.action(WorldNote::SurvivorsUnreadable { error: e }, line);
        BTreeMap::new()
    });
    stage.poll_logs();
    let trace = stage.rec.take();
    let windows = crate::workload::analysis::Windows::from_trace(s, &trace);
    // Put the events back: the trace is taken once more at the end.
    for e in trace {
        stage.rec.push_at(e.t_ms, &e.node, e.kind);
    }
    let stops = crate::workload::analysis::client_stops(s);
    Some(crate::workload::analysis::analyze(&ops, &surviving, &windows, &stops))
}
