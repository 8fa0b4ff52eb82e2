//! Notification and client-reconfig scripts (spec §9.4): a queue of jobs the timer starts (at most
//! 16 at once), retries (exit 1 or a signal, up to 10 runs, the delay doubling from
//! SCRIPT-RETRY-DELAY) and kills after SCRIPT-MAX-RUNTIME. The core decides; the driver runs the
//! process ([`Action::RunScript`]) and reports its end ([`Sentinel::on_script_exit`]), which is
//! collected on the next timer run, as Redis's `waitpid` in `sentinelTimer`.

use crate::event::EventBody;
use crate::instance::Master;
use crate::sentinel::{Ctx, Sentinel};
use crate::types::{Action, Ms};
use resp::Value;
use std::collections::VecDeque;

/// Jobs kept at most; the oldest job not running is dropped to make room.
pub const SCRIPT_MAX_QUEUE: usize = 256;
/// Jobs running at once.
pub const SCRIPT_MAX_RUNNING: usize = 16;
/// Runs of one job at most (the first run counts).
pub const SCRIPT_MAX_RETRY: u32 = 10;
/// The most arguments a job has, the path included.
const SCRIPT_MAX_ARGS: usize = 16;

/// Identifies a job between the core and the driver (the driver's process id is only shown).
pub type ScriptId = u64;

#[derive(Debug, Clone)]
struct Job {
    id: ScriptId,
    argv: Vec<String>,
    running: bool,
    /// Process id reported by the driver (0 while not running).
    pid: u32,
    /// When it started (running) or may start (scheduled; 0 = now).
    start_time: Ms,
    retry_num: u32,
}

/// The queue of script jobs.
#[derive(Debug, Default)]
pub struct Scripts {
    jobs: VecDeque<Job>,
    running: usize,
    next_id: ScriptId,
    /// Ends reported by the driver, collected on the next timer run: (job, signal, exit code).
    ended: Vec<(ScriptId, i32, i32)>,
}

impl Scripts {
    pub fn running(&self) -> usize {
        self.running
    }

    pub fn queue_len(&self) -> usize {
        self.jobs.len()
    }

    /// Queues `path` with `args` (Redis's `sentinelScheduleScriptExecution`).
    pub fn schedule(&mut self, path: &str, args: &[&str]) {
        let mut argv = vec![path.to_string()];
        argv.extend(args.iter().take(SCRIPT_MAX_ARGS - 1).map(|a| a.to_string()));
        self.next_id += 1;
        self.jobs.push_back(Job {
            id: self.next_id,
            argv,
            running: false,
            pid: 0,
            start_time: 0,
            retry_num: 0,
        });
        if self.jobs.len() > SCRIPT_MAX_QUEUE {
            if let Some(i) = self.jobs.iter().position(|j| !j.running) {
                self.jobs.remove(i);
            }
        }
        debug_assert!(self.jobs.len() <= SCRIPT_MAX_QUEUE + SCRIPT_MAX_RUNNING);
    }

    fn find(&mut self, id: ScriptId) -> Option<usize> {
        self.jobs.iter().position(|j| j.id == id && j.running)
    }
}

/// The client-reconfig script of `m`, if any: `<master> <leader|observer> start <from-ip>
/// <from-port> <to-ip> <to-port>`.
pub(crate) fn client_reconfig(ctx: &mut Ctx, m: &Master, role: &str, from: (String, u16), to: (String, u16)) {
    let Some(path) = m.client_reconfig_script.clone() else {
        return;
    };
    let (fip, tip) = (ctx.announce_addr(&from.0), ctx.announce_addr(&to.0));
    let (fport, tport) = (from.1.to_string(), to.1.to_string());
    ctx.scripts
        .schedule(&path, &[m.name(), role, "start", &fip, &fport, &tip, &tport]);
}

/// The delay before run `retry_num + 1`: SCRIPT-RETRY-DELAY, doubled for every run after the
/// first.
fn retry_delay(base_ms: Ms, retry_num: u32) -> Ms {
    let doublings = retry_num.saturating_sub(1).min(30);
    base_ms.saturating_mul(1 << doublings)
}

/// Starts the jobs that are due, up to the running limit.
fn run_pending(ctx: &mut Ctx, now: Ms) {
    let mut i = 0;
    while ctx.scripts.running < SCRIPT_MAX_RUNNING && i < ctx.scripts.jobs.len() {
        let j = &mut ctx.scripts.jobs[i];
        i += 1;
        if j.running || (j.start_time != 0 && j.start_time > now) {
            continue;
        }
        j.running = true;
        j.start_time = now;
        j.retry_num += 1;
        ctx.scripts.running += 1;
        let (id, argv) = (j.id, j.argv.clone());
        ctx.out.push(Action::RunScript { id, argv });
    }
}

/// Applies the ends the driver reported: a retry for exit 1 or a signal (while runs remain),
/// else the job is done, with `-script-error` unless it exited 0.
fn collect_ended(ctx: &mut Ctx, now: Ms) {
    let base = ctx.periods.script_retry_delay;
    for (id, signal, code) in std::mem::take(&mut ctx.scripts.ended) {
        let Some(i) = ctx.scripts.find(id) else { continue };
        let pid = ctx.scripts.jobs[i].pid;
        ctx.emit(None, EventBody::ScriptChildExited { pid, code, signal });
        ctx.scripts.running = ctx.scripts.running.saturating_sub(1);
        let j = &mut ctx.scripts.jobs[i];
        if (signal != 0 || code == 1) && j.retry_num != SCRIPT_MAX_RETRY {
            j.running = false;
            j.pid = 0;
            j.start_time = now.saturating_add(retry_delay(base, j.retry_num));
            continue;
        }
        let path = j.argv[0].clone();
        ctx.scripts.jobs.remove(i);
        if signal != 0 || code != 0 {
            ctx.emit(None, EventBody::ScriptError { path, signal, code });
        }
    }
}

/// Kills the jobs running longer than SCRIPT-MAX-RUNTIME (their end comes back as a signal).
fn kill_timed_out(ctx: &mut Ctx, now: Ms) {
    let max_ms = ctx.periods.script_max_runtime;
    let late: Vec<(ScriptId, String, u32)> = ctx
        .scripts
        .jobs
        .iter()
        .filter(|j| j.running && j.pid != 0 && now.saturating_sub(j.start_time) > max_ms)
        .map(|j| (j.id, j.argv[0].clone(), j.pid))
        .collect();
    for (id, path, pid) in late {
        ctx.emit(None, EventBody::ScriptTimeout { path, pid });
        ctx.out.push(Action::KillScript { id });
    }
}

/// The scripts' part of the timer, after the instances (Redis's order).
pub(crate) fn timer(ctx: &mut Ctx, now: Ms) {
    run_pending(ctx, now);
    collect_ended(ctx, now);
    kill_timed_out(ctx, now);
}

impl Sentinel {
    /// The driver started job `id` as process `pid`.
    pub fn on_script_started(&mut self, id: ScriptId, pid: u32) {
        if let Some(i) = self.ctx.scripts.find(id) {
            self.ctx.scripts.jobs[i].pid = pid;
            self.ctx.emit(None, EventBody::ScriptChildStarted { pid });
        }
    }

    /// The driver could not start job `id` (Redis: a failed fork): `-script-error <path> 99 0`;
    /// the job stays queued and is tried again on a later timer run.
    pub fn on_script_spawn_failed(&mut self, id: ScriptId) {
        let Some(i) = self.ctx.scripts.find(id) else { return };
        let j = &mut self.ctx.scripts.jobs[i];
        j.running = false;
        j.pid = 0;
        let path = j.argv[0].clone();
        self.ctx.scripts.running = self.ctx.scripts.running.saturating_sub(1);
        // 99 0: what Redis reports when it could not fork the script.
        let body = EventBody::ScriptError {
            path,
            signal: 99,
            code: 0,
        };
        self.ctx.emit(None, body);
    }

    /// Job `id` ended: killed by `signal` (0 if not) or exited with `code`.
    pub fn on_script_exit(&mut self, id: ScriptId, signal: i32, code: i32) {
        self.ctx.scripts.ended.push((id, signal, code));
    }
}

/// SENTINEL PENDING-SCRIPTS: every queued job, running or scheduled.
pub(crate) fn pending_reply(s: &Scripts, now: Ms) -> Value {
    Value::Array(
        s.jobs
            .iter()
            .map(|j| {
                let (key, ms) = if j.running {
                    ("run-time", now.saturating_sub(j.start_time))
                } else if j.start_time == 0 {
                    ("run-delay", 0)
                } else {
                    ("run-delay", j.start_time.saturating_sub(now).max(0))
                };
                Value::map_of(vec![
                    Value::bulk("argv"),
                    Value::Array(j.argv.iter().map(Value::bulk).collect()),
                    Value::bulk("flags"),
                    Value::bulk(if j.running { "running" } else { "scheduled" }),
                    Value::bulk("pid"),
                    Value::bulk(j.pid.to_string()),
                    Value::bulk(key),
                    Value::bulk(ms.to_string()),
                    Value::bulk("retry-num"),
                    Value::bulk(j.retry_num.to_string()),
                ])
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_delays_double() {
        assert_eq!(retry_delay(30_000, 1), 30_000);
        assert_eq!(retry_delay(30_000, 2), 60_000);
        assert_eq!(retry_delay(30_000, 9), 30_000 << 8);
        assert_eq!(retry_delay(Ms::MAX, 9), Ms::MAX);
    }

    use crate::{Action, Options, Sentinel};

    fn runs(s: &mut Sentinel) -> Vec<(ScriptId, Vec<String>)> {
        s.take_actions()
            .into_iter()
            .filter_map(|a| match a {
                Action::RunScript { id, argv } => Some((id, argv)),
                _ => None,
            })
            .collect()
    }

    fn events(s: &mut Sentinel) -> Vec<String> {
        s.take_actions()
            .into_iter()
            .filter_map(|a| match a {
                Action::Event(e) if !e.name().is_empty() => Some(e.line()),
                Action::KillScript { id } => Some(format!("kill {id}")),
                _ => None,
            })
            .collect()
    }

    /// The notification script runs for +monitor; exit 1 is retried 30 s later (run 2), exit 2
    /// ends it with -script-error; a run past SCRIPT-MAX-RUNTIME is killed.
    #[test]
    fn notification_script_runs_retries_and_times_out() {
        let conf = "port 26379\nsentinel monitor mymaster 127.0.0.1 6382 2\nsentinel notification-script mymaster /bin/notify\n";
        let opts = Options {
            script_executable: |_| true,
            ..Options::default()
        };
        let mut s = Sentinel::new(conf, opts, 1, 1_000).unwrap();
        s.start(1_000);
        s.take_actions();
        s.tick(1_000);
        let r = runs(&mut s);
        assert_eq!(r.len(), 1);
        let (id, argv) = &r[0];
        assert_eq!(
            argv,
            &["/bin/notify", "+monitor", "master mymaster 127.0.0.1 6382 quorum 2"]
        );
        s.on_script_started(*id, 4242);
        let pending = s.command(
            &[b"SENTINEL".to_vec(), b"PENDING-SCRIPTS".to_vec()],
            &Default::default(),
            1_500,
        );
        let text = format!("{:?}", pending.to_resp2());
        assert!(text.contains("\"running\"") && text.contains("\"4242\""), "{text}");
        s.on_script_exit(*id, 0, 1);
        s.tick(1_100);
        assert!(runs(&mut s).is_empty(), "retried only after SCRIPT-RETRY-DELAY");
        s.tick(31_100);
        let r = runs(&mut s);
        assert_eq!(r.len(), 1, "second run 30 s later");
        let id = r[0].0;
        s.on_script_started(id, 4243);
        s.on_script_exit(id, 0, 2);
        s.tick(31_200);
        assert!(events(&mut s).contains(&"-script-error /bin/notify 0 2".to_string()));
        assert_eq!(pending_reply(&s.ctx.scripts, 31_200), Value::Array(Vec::new()));
        // A script that hangs: killed after 60 s, then retried as killed by a signal.
        s.ctx.scripts.schedule("/bin/notify", &["+x", "y"]);
        s.tick(40_000);
        let id = runs(&mut s)[0].0;
        s.on_script_started(id, 4244);
        s.tick(100_001);
        let ev = events(&mut s);
        assert!(ev.contains(&"-script-timeout /bin/notify 4244".to_string()), "{ev:?}");
        assert!(ev.contains(&format!("kill {id}")), "{ev:?}");
        s.on_script_exit(id, 9, 0);
        s.tick(100_100);
        assert_eq!(s.ctx.scripts.queue_len(), 1, "a killed script is retried");
    }

    #[test]
    fn a_full_queue_drops_its_oldest_waiting_job() {
        let mut s = Scripts::default();
        for i in 0..SCRIPT_MAX_QUEUE + 5 {
            s.schedule("/bin/x", &[&i.to_string()]);
        }
        assert_eq!(s.queue_len(), SCRIPT_MAX_QUEUE);
        assert_eq!(s.jobs[0].argv[1], "5");
    }
}
