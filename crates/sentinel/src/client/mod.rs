//! The sentinel port: accept loop and one task per client.
//!
//! A client task parses commands (pipelines are answered in full, then flushed once) and checks
//! each one as Redis's `processCommand` does, from the command table: lookup and arity, NOAUTH,
//! ACL permissions (refusals go to the ACL LOG), the RESP2 pub/sub context. It serves the
//! connection-level commands itself (AUTH, HELLO, ACL, COMMAND, CLIENT, the SUBSCRIBE family) and
//! forwards every other command to the main loop, which runs it on the core and answers through
//! a oneshot. Published events reach a subscribed client through its bounded push queue in the
//! [`Hub`]. Bad input gets `-ERR Protocol error: ...` and closes that client only.

mod client_cmd;
mod conn_cmds;
mod pubsub;

use crate::hub::{Hub, Registration, SubKind};
use crate::node::Input;
use resp::{ConnError, Value};
use sentinel_core::port::acl::{Denied, LogReason};
use sentinel_core::port::table::{self, f, CommandSpec};
use sentinel_core::ClientInfo;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// What Redis writes to a client it refuses in protected mode, before closing.
const PROTECTED_MODE_DENIED: &str = "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n";

fn lower(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_ascii_lowercase()
}

fn syntax_error() -> Value {
    Value::err("ERR syntax error")
}

/// Accepts clients on the sentinel port until the task is aborted.
pub(crate) async fn accept_loop(listener: host::BoxListener, hub: Arc<Hub>, inputs: mpsc::Sender<Input>) {
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                if hub.refuses(&peer) {
                    let mut c = resp::Conn::new(stream);
                    c.queue_raw(PROTECTED_MODE_DENIED.as_bytes());
                    let _ = c.flush().await;
                    continue;
                }
                if hub.client_count() >= hub.max_clients() {
                    let mut c = resp::Conn::new(stream);
                    c.queue_value(&Value::err("ERR max number of clients reached"));
                    let _ = c.flush().await;
                    continue;
                }
                let _ = stream.set_nodelay(true);
                let laddr = stream.local_addr().map(|a| a.to_string()).unwrap_or_default();
                let addr = peer.to_string();
                let Some(reg) = hub.register(addr.clone(), laddr) else {
                    return;
                };
                let session = Session::new(stream, reg, addr, hub.clone(), inputs.clone());
                tokio::spawn(session.run());
            }
            // Out of file descriptors and the like: back off instead of spinning.
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

#[derive(PartialEq, Eq)]
enum Flow {
    Continue,
    Close,
}

struct Session {
    id: u64,
    addr: String,
    name: Option<String>,
    conn: resp::Conn<host::BoxStream>,
    reg: Registration,
    hub: Arc<Hub>,
    inputs: mpsc::Sender<Input>,
    /// Subscribed to at least one channel or pattern (RESP2 pub/sub context).
    subscribed: bool,
    /// CLIENT REPLY OFF.
    reply_off: bool,
    /// CLIENT REPLY SKIP was the previous command: the next reply is dropped.
    skip_next: bool,
    /// Replies of the current command are dropped.
    suppress: bool,
    /// The ACL user this connection runs as.
    user: String,
    /// Whether it has authenticated (or needed not to).
    authenticated: bool,
    /// RESP protocol version chosen with HELLO.
    resp: u8,
}

impl Session {
    fn new(
        stream: host::BoxStream,
        reg: Registration,
        addr: String,
        hub: Arc<Hub>,
        inputs: mpsc::Sender<Input>,
    ) -> Self {
        let authenticated = hub.with_acl(|acl| acl.default_needs_no_auth());
        let mut conn = resp::Conn::new(stream);
        if !authenticated {
            // Redis keeps an unauthenticated client's requests small (Protocol error otherwise).
            conn.set_limits(resp::Limits::DEFAULT.unauthenticated());
        }
        Session {
            id: reg.id,
            addr,
            name: None,
            conn,
            reg,
            hub,
            inputs,
            subscribed: false,
            reply_off: false,
            skip_next: false,
            suppress: false,
            user: "default".into(),
            authenticated,
            resp: 2,
        }
    }

    fn killed(&self) -> bool {
        self.reg.killed.load(Ordering::Relaxed)
    }

    async fn run(mut self) {
        loop {
            tokio::select! {
                biased;
                frame = self.reg.rx.recv() => match frame {
                    Some(frame) if !self.killed() => {
                        if !self.reply_off {
                            self.conn.queue_raw(&frame);
                        }
                        while let Ok(frame) = self.reg.rx.try_recv() {
                            if !self.reply_off {
                                self.conn.queue_raw(&frame);
                            }
                        }
                        if self.conn.flush().await.is_err() {
                            break;
                        }
                    }
                    _ => break,
                },
                cmd = self.conn.read_command() => match cmd {
                    Ok(args) => {
                        if self.serve_batch(args).await == Flow::Close {
                            break;
                        }
                    }
                    Err(ConnError::Protocol(e)) => {
                        self.conn.queue_value(&Value::err(format!("ERR {e}")));
                        let _ = self.conn.flush().await;
                        break;
                    }
                    Err(_) => break,
                },
            }
        }
        self.hub.unregister(self.id);
    }

    /// Serves one command and every complete command already buffered behind it, then flushes.
    async fn serve_batch(&mut self, first: Vec<Vec<u8>>) -> Flow {
        let mut flow = self.serve(first).await;
        while flow == Flow::Continue {
            match self.conn.try_buffered_command() {
                Ok(Some(args)) => flow = self.serve(args).await,
                Ok(None) => break,
                Err(e) => {
                    if let ConnError::Protocol(e) = e {
                        self.conn.queue_value(&Value::err(format!("ERR {e}")));
                    }
                    flow = Flow::Close;
                }
            }
        }
        if self.killed() {
            // CLIENT KILL of itself (or shutdown): Redis still sends the reply, then closes.
            flow = Flow::Close;
        }
        if self.conn.flush().await.is_err() {
            return Flow::Close;
        }
        flow
    }

    fn reply(&mut self, v: &Value) {
        if !self.suppress {
            self.conn.queue_value_proto(v, self.resp);
        }
    }

    async fn serve(&mut self, args: Vec<Vec<u8>>) -> Flow {
        self.suppress = self.reply_off || std::mem::take(&mut self.skip_next);
        let spec = match self.check(&args) {
            Ok(spec) => spec,
            Err(e) => {
                self.reply(&e);
                return Flow::Continue;
            }
        };
        match spec.container() {
            "subscribe" => self.subscribe(SubKind::Channel, &args[1..]),
            "psubscribe" => self.subscribe(SubKind::Pattern, &args[1..]),
            "unsubscribe" => self.unsubscribe(SubKind::Channel, &args[1..]),
            "punsubscribe" => self.unsubscribe(SubKind::Pattern, &args[1..]),
            // RESP2 subscribers get PING's reply as a pub/sub message; RESP3 ones a plain reply.
            "ping" if self.subscribed && self.resp == 2 => {
                let msg = args.get(1).cloned().unwrap_or_default();
                self.reply(&Value::Array(vec![Value::bulk("pong"), Value::Bulk(msg)]));
                Flow::Continue
            }
            "client" => {
                let v = self.client_command(&args);
                self.reply(&v);
                Flow::Continue
            }
            "auth" => {
                let v = self.auth_command(&args);
                self.reply(&v);
                Flow::Continue
            }
            "hello" => {
                let v = self.hello_command(&args);
                self.reply(&v);
                Flow::Continue
            }
            "acl" => self.acl_command(&args).await,
            "command" => {
                self.reply(&sentinel_core::port::command_command(&args));
                Flow::Continue
            }
            _ => self.forward(args).await,
        }
    }

    /// What Redis checks before running a command: it exists with this arity, the client is
    /// authenticated or the command needs none, the user may run it, and a RESP2 subscriber only
    /// runs pub/sub commands. An error is the reply.
    fn check(&mut self, args: &[Vec<u8>]) -> Result<&'static CommandSpec, Value> {
        let spec = table::lookup(args).map_err(|e| Value::err(e.message()))?;
        self.hub.touch(self.id, spec.fullname);
        if !self.authenticated && !spec.has(f::NO_AUTH) {
            return Err(Value::err("NOAUTH Authentication required."));
        }
        let denied = self.hub.with_acl(|acl| acl.check(&self.user, spec, args));
        if let Err(d) = denied {
            let (reason, object, msg) = match d {
                Denied::Command => (
                    LogReason::Command,
                    spec.fullname.to_string(),
                    format!(
                        "NOPERM this user has no permissions to run the '{}' command",
                        spec.fullname
                    ),
                ),
                Denied::Channel(ch) => (
                    LogReason::Channel,
                    String::from_utf8_lossy(&ch).into_owned(),
                    "NOPERM this user has no permissions to access one of the channels used as arguments".into(),
                ),
            };
            self.acl_log(reason, &object, &self.user.clone());
            return Err(Value::err(msg));
        }
        let pubsub_ok = matches!(
            spec.fullname,
            "ping" | "subscribe" | "unsubscribe" | "psubscribe" | "punsubscribe"
        );
        if self.subscribed && self.resp == 2 && !pubsub_ok {
            return Err(Value::err(format!(
                "ERR Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
                spec.fullname
            )));
        }
        Ok(spec)
    }

    /// Adds an ACL LOG entry for this client.
    fn acl_log(&self, reason: LogReason, object: &str, username: &str) {
        let info = self.hub.client_line(self.id).unwrap_or_default();
        let info = info.trim_end().to_string();
        let now = self.hub.now_ms();
        self.hub
            .with_acl(|acl| acl.log.add(reason, object, username, info, now));
    }

    async fn forward(&mut self, args: Vec<Vec<u8>>) -> Flow {
        let (tx, rx) = oneshot::channel();
        let client = ClientInfo {
            id: self.id,
            addr: self.addr.clone(),
            name: self.name.clone(),
            connected_clients: self.hub.client_count(),
        };
        if self
            .inputs
            .send(Input::Command {
                args,
                client,
                reply: tx,
            })
            .await
            .is_err()
        {
            return Flow::Close;
        }
        match rx.await {
            Ok(v) => {
                self.reply(&v);
                Flow::Continue
            }
            // The node is exiting (SHUTDOWN, SIMULATE-FAILURE): close without a reply, as Redis.
            Err(_) => Flow::Close,
        }
    }
}
