//! A workload client: writes unique keys at a steady rate, one operation outstanding at a time,
//! and records every outcome in the [`History`]. Runs on tokio's API (madsim's in the simulation,
//! real tokio otherwise) and knows nothing about the simulator: every connection goes through
//! [`host::connect`].
//!
//! Two ways to find the master:
//! - **Sentinel-aware**, as client libraries do it (the sentinel-clients guidance): ask the
//!   Sentinels in order with `SENTINEL GET-MASTER-ADDR-BY-NAME` (the first that answers with an
//!   address wins), connect there, check with `ROLE` that it is a master, then write. On a
//!   connection loss, a timeout or a role error (`READONLY`, `MASTERDOWN`, `LOADING`) it
//!   disconnects, backs off 100–500 ms and resolves again.
//! - **Sticky**: one fixed data node, reconnected after a backoff when the connection drops (an
//!   application server with a hard-coded address, the Jepsen setup).
//!
//! Outcomes: `+OK` is acknowledged; an error reply is a failure of its kind; a write that never
//! left (no address, connect refused or timed out, not a master) is a `connection` (or
//! `not-master`) failure; a write sent without a reply within 1 s, or whose connection dropped
//! after sending, is unknown.

use std::sync::Arc;
use std::time::Duration;

use host::BoxStream;
use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};
use resp::{Conn, Value};
use tokio::time::Instant;

use super::history::{ErrorKind, History, Op, Outcome};
use crate::scenario::ClientMode;

/// Connect timeout, for data nodes and Sentinels alike.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// Hard cap on the operations of one client.
pub const MAX_OPS: u64 = 1_000_000;
/// Reconnect backoff bounds (uniform, from the client's seed).
pub const BACKOFF_MIN_MS: u64 = 100;
pub const BACKOFF_MAX_MS: u64 = 500;

/// What a client does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// Its name, part of every key (`w:<name>:<n>`).
    pub name: String,
    pub mode: ClientMode,
    /// The Sentinels' addresses as known (`("127.0.0.1", 5000)`), asked in this order.
    pub sentinels: Vec<(String, u16)>,
    /// The master group name.
    pub master_name: String,
    /// Sticky mode: the data node it writes to.
    pub sticky: Option<(String, u16)>,
    /// Writes per second (0: none).
    pub rate_per_s: u32,
    /// How long it waits for any reply (a client library's socket timeout; scenario `timeout`).
    pub op_timeout: Duration,
    /// The data nodes' password (`[master] auth_pass`): `AUTH` right after connecting to one.
    pub password: Option<String>,
    /// When it starts and stops issuing writes, in ms since the world start.
    pub start_ms: u64,
    pub stop_ms: u64,
    /// Seeds the backoff jitter.
    pub seed: u64,
}

/// What a client gets from its host.
#[derive(Clone)]
pub struct ClientEnv {
    pub net: Arc<dyn host::Net>,
    /// Where every operation is recorded.
    pub history: History,
    /// The world start: every time in the history is ms since this instant.
    pub start: Instant,
}

/// An open connection to a data node and the address it is known by (`ip:port`).
struct Link {
    conn: Conn<BoxStream>,
    node: String,
}

struct Attempt {
    outcome: Outcome,
    node: Option<String>,
    detail: Option<String>,
}

impl Attempt {
    fn fail(kind: ErrorKind, node: Option<String>, detail: String) -> Attempt {
        Attempt {
            outcome: Outcome::Fail(kind),
            node,
            detail: Some(detail),
        }
    }
}

struct Client {
    cfg: ClientConfig,
    env: ClientEnv,
    rng: ChaCha8Rng,
    link: Option<Link>,
    /// No reconnect before this instant.
    not_before: Instant,
}

/// Issues writes from `start_ms` until `stop_ms` (no write starts at or after `stop_ms`; the last
/// one completes within a few seconds of it), then returns. Never panics on network errors.
pub async fn run_client(cfg: ClientConfig, env: ClientEnv) {
    if cfg.rate_per_s == 0 || cfg.stop_ms <= cfg.start_ms {
        return;
    }
    let start_at = env.start + Duration::from_millis(cfg.start_ms);
    let stop_at = env.start + Duration::from_millis(cfg.stop_ms);
    let period = Duration::from_micros((1_000_000 / u64::from(cfg.rate_per_s)).max(1));
    let span_ms = u128::from(cfg.stop_ms - cfg.start_ms);
    let max_ops = (u128::from(cfg.rate_per_s) * span_ms / 1000 + 1).min(u128::from(MAX_OPS)) as u64;
    let mut c = Client {
        rng: ChaCha8Rng::seed_from_u64(cfg.seed),
        cfg,
        env,
        link: None,
        not_before: start_at,
    };
    let mut next = start_at;
    for n in 0..max_ops {
        let due = next.max(c.not_before);
        if due >= stop_at {
            break;
        }
        let now = Instant::now();
        if due > now {
            tokio::time::sleep(due - now).await;
        }
        let key = format!("w:{}:{n}", c.cfg.name);
        let value = n.to_string();
        let invoke_ms = c.now_ms();
        let a = c.write(&key, &value).await;
        c.env.history.record(Op {
            client: c.cfg.name.clone(),
            key,
            value,
            invoke_ms,
            complete_ms: c.now_ms(),
            outcome: a.outcome,
            node: a.node,
            detail: a.detail,
        });
        // Steady pacing; when behind, skip ahead instead of bursting.
        next += period;
        let now = Instant::now();
        if next < now {
            next = now;
        }
    }
    c.link = None;
}

impl Client {
    fn now_ms(&self) -> u64 {
        Instant::now().saturating_duration_since(self.env.start).as_millis() as u64
    }

    /// Drops the connection and waits 100–500 ms before the next write.
    fn back_off(&mut self) {
        self.link = None;
        let ms = BACKOFF_MIN_MS + self.rng.next_u64() % (BACKOFF_MAX_MS - BACKOFF_MIN_MS + 1);
        self.not_before = Instant::now() + Duration::from_millis(ms);
    }

    async fn write(&mut self, key: &str, value: &str) -> Attempt {
        // A connection the server closed while idle is noticed before sending (as client
        // libraries check a pooled connection), so the write goes to a fresh one.
        if let Some(l) = &mut self.link {
            if closed_while_idle(&mut l.conn).await {
                self.link = None;
            }
        }
        if self.link.is_none() {
            if let Err(a) = self.open().await {
                self.back_off();
                return a;
            }
        }
        let Some(link) = self.link.as_mut() else {
            return Attempt::fail(ErrorKind::Connection, None, "no connection".into());
        };
        let node = Some(link.node.clone());
        let sent = tokio::time::timeout(self.cfg.op_timeout, async {
            link.conn.write_command(&["SET", key, value]).await?;
            link.conn.read_value().await
        })
        .await;
        match sent {
            Err(_) => {
                self.back_off();
                Attempt {
                    outcome: Outcome::Unknown,
                    node,
                    detail: Some("timed out".into()),
                }
            }
            Ok(Err(e)) => {
                self.back_off();
                Attempt {
                    outcome: Outcome::Unknown,
                    node,
                    detail: Some(e.to_string()),
                }
            }
            Ok(Ok(Value::Simple(s))) if s == "OK" => Attempt {
                outcome: Outcome::Ok,
                node,
                detail: None,
            },
            Ok(Ok(Value::Error(e))) => {
                let kind = ErrorKind::of_reply(&e);
                let role_problem = matches!(kind, ErrorKind::Readonly | ErrorKind::Masterdown | ErrorKind::Loading);
                if self.cfg.mode == ClientMode::Sentinel && role_problem {
                    self.back_off();
                }
                Attempt::fail(kind, node, e)
            }
            Ok(Ok(other)) => Attempt::fail(ErrorKind::Other, node, format!("unexpected reply {other:?}")),
        }
    }

    /// Opens a connection to where writes should go. On failure, the attempt to record.
    async fn open(&mut self) -> Result<(), Attempt> {
        let (ip, port) = match self.cfg.mode {
            ClientMode::Sticky => match &self.cfg.sticky {
                Some(a) => a.clone(),
                None => return Err(Attempt::fail(ErrorKind::Connection, None, "no node configured".into())),
            },
            ClientMode::Sentinel => match resolve(
                &*self.env.net,
                &self.cfg.sentinels,
                &self.cfg.master_name,
                self.cfg.op_timeout,
            )
            .await
            {
                Ok(a) => a,
                Err(e) => return Err(Attempt::fail(ErrorKind::Connection, None, e)),
            },
        };
        let node = format!("{ip}:{port}");
        let stream = match host::connect(&*self.env.net, &ip, port, CONNECT_TIMEOUT).await {
            Ok(s) => s,
            Err(e) => return Err(Attempt::fail(ErrorKind::Connection, Some(node), e.to_string())),
        };
        let mut conn = Conn::new(stream);
        if let Some(pass) = &self.cfg.password {
            match request(&mut conn, &["AUTH", pass], self.cfg.op_timeout).await {
                Ok(Value::Simple(ok)) if ok == "OK" => {}
                Ok(v) => return Err(Attempt::fail(ErrorKind::Other, Some(node), format!("AUTH: {v:?}"))),
                Err(e) => return Err(Attempt::fail(ErrorKind::Connection, Some(node), format!("AUTH: {e}"))),
            }
        }
        if self.cfg.mode == ClientMode::Sentinel {
            match request(&mut conn, &["ROLE"], self.cfg.op_timeout).await {
                Ok(v) if role_of(&v).as_deref() == Some("master") => {}
                Ok(v) => {
                    return Err(Attempt::fail(
                        ErrorKind::NotMaster,
                        Some(node),
                        format!("ROLE: {}", role_of(&v).unwrap_or_else(|| format!("{v:?}"))),
                    ))
                }
                Err(e) => return Err(Attempt::fail(ErrorKind::Connection, Some(node), format!("ROLE: {e}"))),
            }
        }
        self.link = Some(Link { conn, node });
        Ok(())
    }
}

/// `SENTINEL GET-MASTER-ADDR-BY-NAME`, asking the Sentinels in order; the first that answers with an
/// address wins.
async fn resolve(
    net: &dyn host::Net,
    sentinels: &[(String, u16)],
    master: &str,
    timeout: Duration,
) -> Result<(String, u16), String> {
    let mut last = "no sentinels configured".to_string();
    for (ip, port) in sentinels {
        let stream = match host::connect(net, ip, *port, CONNECT_TIMEOUT).await {
            Ok(s) => s,
            Err(e) => {
                last = format!("sentinel {ip}:{port}: {e}");
                continue;
            }
        };
        let mut conn = Conn::new(stream);
        match request(&mut conn, &["SENTINEL", "get-master-addr-by-name", master], timeout).await {
            Ok(v) => match master_addr(&v) {
                Some(a) => return Ok(a),
                None => last = format!("sentinel {ip}:{port}: no master address ({v:?})"),
            },
            Err(e) => last = format!("sentinel {ip}:{port}: {e}"),
        }
    }
    Err(last)
}

/// Sends one command and reads its reply within `timeout`.
async fn request(conn: &mut Conn<BoxStream>, args: &[&str], timeout: Duration) -> Result<Value, String> {
    let r = tokio::time::timeout(timeout, async {
        conn.write_command(args).await?;
        conn.read_value().await
    })
    .await;
    match r {
        Err(_) => Err("timed out".into()),
        Ok(Err(e)) => Err(e.to_string()),
        Ok(Ok(v)) => Ok(v),
    }
}

/// True if the peer closed the connection (or sent something unasked) while no request was
/// outstanding. Polls the read side once, without waiting.
async fn closed_while_idle(conn: &mut Conn<BoxStream>) -> bool {
    tokio::select! {
        biased;
        _ = conn.read_value() => true,
        _ = std::future::ready(()) => false,
    }
}

/// The role word of a `ROLE` reply (`master`, `slave`), if it is one.
fn role_of(v: &Value) -> Option<String> {
    v.as_array()?.first()?.as_text().map(|t| t.into_owned())
}

/// `[ip, port]` from a `GET-MASTER-ADDR-BY-NAME` reply.
fn master_addr(v: &Value) -> Option<(String, u16)> {
    match v.as_array()? {
        [ip, port] => Some((ip.as_text()?.into_owned(), port.as_text()?.parse().ok()?)),
        _ => None,
    }
}

/// Reads `keys` from `master` (`MGET` in batches of at most 1000, each within `timeout`) and
/// returns the ones present with their values. Connects through `net` with `timeout` too.
pub async fn read_surviving(
    net: &dyn host::Net,
    master: (String, u16),
    password: Option<&str>,
    keys: &[String],
    timeout: Duration,
) -> Result<std::collections::BTreeMap<String, String>, String> {
    let (ip, port) = master;
    let mut out = std::collections::BTreeMap::new();
    if keys.is_empty() {
        return Ok(out);
    }
    let stream = host::connect(net, &ip, port, timeout)
        .await
        .map_err(|e| format!("connect {ip}:{port}: {e}"))?;
    let mut conn = Conn::new(stream);
    if let Some(p) = password {
        let reply = request(&mut conn, &["AUTH", p], timeout)
            .await
            .map_err(|e| format!("AUTH on {ip}:{port}: {e}"))?;
        if !matches!(&reply, Value::Simple(ok) if ok == "OK") {
            return Err(format!("AUTH on {ip}:{port}: {reply:?}"));
        }
    }
    for batch in keys.chunks(1000) {
        let mut args: Vec<&str> = Vec::with_capacity(batch.len() + 1);
        args.push("MGET");
        args.extend(batch.iter().map(String::as_str));
        let reply = tokio::time::timeout(timeout, async {
            conn.write_command(&args).await?;
            conn.read_value().await
        })
        .await
        .map_err(|_| format!("MGET on {ip}:{port} timed out"))?
        .map_err(|e| format!("MGET on {ip}:{port}: {e}"))?;
        let values = match &reply {
            Value::Array(vs) if vs.len() == batch.len() => vs,
            other => return Err(format!("MGET on {ip}:{port}: unexpected reply {other:?}")),
        };
        for (k, v) in batch.iter().zip(values) {
            if let Value::Bulk(b) = v {
                out.insert(k.clone(), String::from_utf8_lossy(b).into_owned());
            }
        }
    }
    Ok(out)
}
