//! The sentinel port: accept loop and one task per client.
//!
//! A client task parses commands (pipelines are answered in full, then flushed once), serves
//! QUIT, CLIENT and the SUBSCRIBE family itself, and forwards every other command to the main
//! loop, which runs it on the core and answers through a oneshot. Published events reach a
//! subscribed client through its bounded push queue in the [`Hub`]. Bad input gets
//! `-ERR Protocol error: ...` and closes that client only.

use crate::hub::{ClientFilter, ClientType, Hub, Registration, SubKind, MAX_CLIENTS};
use crate::node::Input;
use resp::{ConnError, Value};
use sentinel_core::ClientInfo;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot};

/// Commands that exist on a 7.0 Sentinel, with their Redis arity (n: exactly n arguments counting
/// the command name; -n: at least n). Used for arity and pub/sub-context errors; the core answers
/// unknown commands.
const KNOWN_COMMANDS: &[(&str, i32)] = &[
    ("sentinel", -2),
    ("ping", -1),
    ("info", -1),
    ("role", 1),
    ("publish", 3),
    ("subscribe", -2),
    ("unsubscribe", -1),
    ("psubscribe", -2),
    ("punsubscribe", -1),
    ("auth", -2),
    ("hello", -1),
    ("client", -2),
    ("command", -1),
    ("acl", -2),
    ("shutdown", -1),
];

/// CLIENT subcommands served here, with their arity.
const CLIENT_SUBCOMMANDS: &[(&str, i32)] = &[
    ("id", 2),
    ("info", 2),
    ("list", -2),
    ("getname", 2),
    ("setname", 3),
    ("kill", -3),
    ("reply", 3),
    ("no-evict", 3),
    ("getredir", 2),
    ("pause", -3),
    ("unpause", 2),
    ("unblock", -3),
    ("help", 2),
];

const CLIENT_HELP: &[&str] = &[
    "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "GETREDIR",
    "    Return the client ID we are redirecting to when tracking is enabled.",
    "GETNAME",
    "    Return the name of the current connection.",
    "ID",
    "    Return the ID of the current connection.",
    "INFO",
    "    Return information about the current client connection.",
    "KILL <ip:port>",
    "    Kill connection made from <ip:port>.",
    "KILL <option> <value> [<option> <value> [...]]",
    "    Kill connections. Options are:",
    "    * ADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made from the specified address",
    "    * LADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made to specified local address",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Kill connections by type.",
    "    * USER <username>",
    "      Kill connections authenticated by <username>.",
    "    * SKIPME (YES|NO)",
    "      Skip killing current connection (default: yes).",
    "LIST [options ...]",
    "    Return information about client connections. Options:",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Return clients of specified type.",
    "UNPAUSE",
    "    Stop the current client pause, resuming traffic.",
    "PAUSE <timeout> [WRITE|ALL]",
    "    Suspend all, or just write, clients for <timeout> milliseconds.",
    "REPLY (ON|OFF|SKIP)",
    "    Control the replies sent to the current connection.",
    "SETNAME <name>",
    "    Assign the name <name> to the current connection.",
    "UNBLOCK <clientid> [TIMEOUT|ERROR]",
    "    Unblock the specified blocked client.",
    "NO-EVICT (ON|OFF)",
    "    Protect current client connection from eviction.",
    "HELP",
    "    Print this help.",
];

fn arity_ok(arity: i32, argc: usize) -> bool {
    if arity >= 0 {
        argc == arity as usize
    } else {
        argc >= (-arity) as usize
    }
}

fn arity_error(fullname: &str) -> Value {
    Value::err(format!("ERR wrong number of arguments for '{fullname}' command"))
}

fn lower(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_ascii_lowercase()
}

fn syntax_error() -> Value {
    Value::err("ERR syntax error")
}

/// Accepts clients on the sentinel port until the task is aborted.
pub(crate) async fn accept_loop(listener: TcpListener, hub: Arc<Hub>, inputs: mpsc::Sender<Input>) {
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                if hub.client_count() >= MAX_CLIENTS {
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
    conn: resp::Conn<TcpStream>,
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
}

impl Session {
    fn new(stream: TcpStream, reg: Registration, addr: String, hub: Arc<Hub>, inputs: mpsc::Sender<Input>) -> Self {
        Session {
            id: reg.id,
            addr,
            name: None,
            conn: resp::Conn::new(stream),
            reg,
            hub,
            inputs,
            subscribed: false,
            reply_off: false,
            skip_next: false,
            suppress: false,
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
            self.conn.queue_value(v);
        }
    }

    async fn serve(&mut self, args: Vec<Vec<u8>>) -> Flow {
        self.suppress = self.reply_off || std::mem::take(&mut self.skip_next);
        let name = lower(&args[0]);
        if name == "quit" {
            self.reply(&Value::ok());
            return Flow::Close;
        }
        let known = KNOWN_COMMANDS.iter().find(|(n, _)| *n == name).map(|(_, a)| *a);
        let fullname = match (name.as_str(), args.get(1)) {
            ("sentinel" | "client" | "command" | "acl", Some(sub)) => format!("{name}|{}", lower(sub)),
            _ => name.clone(),
        };
        self.hub.touch(self.id, &fullname);
        if let Some(arity) = known {
            if !arity_ok(arity, args.len()) {
                self.reply(&arity_error(&name));
                return Flow::Continue;
            }
            let allowed_in_pubsub = matches!(
                name.as_str(),
                "ping" | "subscribe" | "unsubscribe" | "psubscribe" | "punsubscribe"
            );
            if self.subscribed && !allowed_in_pubsub {
                self.reply(&Value::err(format!(
                    "ERR Can't execute '{fullname}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
                )));
                return Flow::Continue;
            }
        }
        match name.as_str() {
            "subscribe" => self.subscribe(SubKind::Channel, &args[1..]),
            "psubscribe" => self.subscribe(SubKind::Pattern, &args[1..]),
            "unsubscribe" => self.unsubscribe(SubKind::Channel, &args[1..]),
            "punsubscribe" => self.unsubscribe(SubKind::Pattern, &args[1..]),
            "ping" if self.subscribed => {
                if args.len() > 2 {
                    self.reply(&arity_error("ping"));
                } else {
                    let msg = args.get(1).cloned().unwrap_or_default();
                    self.reply(&Value::Array(vec![Value::bulk("pong"), Value::Bulk(msg)]));
                }
                Flow::Continue
            }
            "client" => {
                let v = self.client_command(&args);
                self.reply(&v);
                Flow::Continue
            }
            _ => self.forward(args).await,
        }
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

    fn subscribe(&mut self, kind: SubKind, names: &[Vec<u8>]) -> Flow {
        let word = if kind == SubKind::Channel {
            "subscribe"
        } else {
            "psubscribe"
        };
        for n in names {
            let Some(count) = self.hub.subscribe(self.id, kind, n) else {
                return Flow::Close;
            };
            self.subscribed = count > 0;
            self.reply(&Value::Array(vec![
                Value::bulk(word),
                Value::Bulk(n.clone()),
                Value::Int(count as i64),
            ]));
        }
        Flow::Continue
    }

    fn unsubscribe(&mut self, kind: SubKind, names: &[Vec<u8>]) -> Flow {
        let word = if kind == SubKind::Channel {
            "unsubscribe"
        } else {
            "punsubscribe"
        };
        if names.is_empty() {
            let Some(done) = self.hub.unsubscribe_all(self.id, kind) else {
                return Flow::Close;
            };
            if done.is_empty() {
                let count = self.hub.subscription_count(self.id);
                self.subscribed = count > 0;
                self.reply(&Value::Array(vec![
                    Value::bulk(word),
                    Value::Nil,
                    Value::Int(count as i64),
                ]));
            }
            for (n, count) in done {
                self.subscribed = count > 0;
                self.reply(&Value::Array(vec![
                    Value::bulk(word),
                    Value::Bulk(n),
                    Value::Int(count as i64),
                ]));
            }
        } else {
            for n in names {
                let Some(count) = self.hub.unsubscribe(self.id, kind, n) else {
                    return Flow::Close;
                };
                self.subscribed = count > 0;
                self.reply(&Value::Array(vec![
                    Value::bulk(word),
                    Value::Bulk(n.clone()),
                    Value::Int(count as i64),
                ]));
            }
        }
        Flow::Continue
    }

    fn client_command(&mut self, args: &[Vec<u8>]) -> Value {
        let sub = lower(&args[1]);
        let Some((_, arity)) = CLIENT_SUBCOMMANDS.iter().find(|(n, _)| *n == sub) else {
            return Value::err(format!(
                "ERR unknown subcommand '{}'. Try CLIENT HELP.",
                String::from_utf8_lossy(&args[1])
            ));
        };
        if !arity_ok(*arity, args.len()) {
            return arity_error(&format!("client|{sub}"));
        }
        match sub.as_str() {
            "id" => Value::Int(self.id as i64),
            "getname" => self.name.as_ref().map_or(Value::Nil, Value::bulk),
            "setname" => {
                let n = &args[2];
                if n.iter().any(|&b| !(b'!'..=b'~').contains(&b)) {
                    return Value::err("ERR Client names cannot contain spaces, newlines or special characters.");
                }
                self.name = if n.is_empty() {
                    None
                } else {
                    Some(String::from_utf8_lossy(n).into_owned())
                };
                self.hub.set_name(self.id, self.name.clone());
                Value::ok()
            }
            "info" => self.hub.client_line(self.id).map_or(Value::Nil, Value::bulk),
            "list" => match parse_list_filter(&args[2..]) {
                Ok(f) => Value::bulk(self.hub.list(&f)),
                Err(e) => e,
            },
            "kill" => self.client_kill(args),
            "reply" => match lower(&args[2]).as_str() {
                "on" => {
                    self.reply_off = false;
                    self.suppress = false;
                    Value::ok()
                }
                "off" => {
                    self.reply_off = true;
                    self.suppress = true;
                    Value::ok()
                }
                "skip" => {
                    if !self.reply_off {
                        self.skip_next = true;
                    }
                    self.suppress = true;
                    Value::ok()
                }
                _ => syntax_error(),
            },
            "no-evict" => match lower(&args[2]).as_str() {
                "on" | "off" => Value::ok(),
                _ => syntax_error(),
            },
            "getredir" => Value::Int(-1),
            // Pausing is not modelled: Sentinel commands never write data.
            "pause" => match std::str::from_utf8(&args[2]).ok().and_then(|s| s.parse::<i64>().ok()) {
                Some(ms) if ms >= 0 => {
                    if args.len() > 4 || (args.len() == 4 && !matches!(lower(&args[3]).as_str(), "write" | "all")) {
                        syntax_error()
                    } else {
                        Value::ok()
                    }
                }
                _ => Value::err("ERR timeout is not an integer or out of range"),
            },
            "unpause" => Value::ok(),
            // No client of a Sentinel is ever blocked.
            "unblock" => match std::str::from_utf8(&args[2]).ok().and_then(|s| s.parse::<i64>().ok()) {
                Some(_) => Value::Int(0),
                None => Value::err("ERR value is not an integer or out of range"),
            },
            _ => Value::Array(CLIENT_HELP.iter().map(|l| Value::simple(*l)).collect()),
        }
    }

    fn client_kill(&mut self, args: &[Vec<u8>]) -> Value {
        if args.len() == 3 {
            // Old form: CLIENT KILL <ip:port>.
            let addr = String::from_utf8_lossy(&args[2]).into_owned();
            let killed = self.hub.kill_matching(&ClientFilter {
                addr: Some(addr),
                ..Default::default()
            });
            return if killed.is_empty() {
                Value::err("ERR No such client")
            } else {
                Value::ok()
            };
        }
        if !args.len().is_multiple_of(2) {
            return syntax_error();
        }
        let mut f = ClientFilter {
            skip: Some(self.id),
            ..Default::default()
        };
        for pair in args[2..].chunks(2) {
            let (opt, val) = (lower(&pair[0]), &pair[1]);
            let text = String::from_utf8_lossy(val).into_owned();
            match opt.as_str() {
                "id" => match text.parse::<i64>() {
                    Ok(id) if id > 0 => f.ids = Some(vec![id as u64]),
                    _ => return Value::err("ERR client-id should be greater than 0"),
                },
                "type" => match ClientType::parse(val) {
                    Some(t) => f.kind = Some(t),
                    None => return Value::err(format!("ERR Unknown client type '{text}'")),
                },
                "user" => {
                    if text != "default" {
                        return Value::err(format!("ERR No such user '{text}'"));
                    }
                    f.user = Some(text);
                }
                "addr" => f.addr = Some(text),
                "laddr" => f.laddr = Some(text),
                "skipme" => match text.to_ascii_lowercase().as_str() {
                    "yes" => f.skip = Some(self.id),
                    "no" => f.skip = None,
                    _ => return syntax_error(),
                },
                _ => return syntax_error(),
            }
        }
        Value::Int(self.hub.kill_matching(&f).len() as i64)
    }
}

fn parse_list_filter(opts: &[Vec<u8>]) -> Result<ClientFilter, Value> {
    let mut f = ClientFilter::default();
    match opts {
        [] => {}
        [opt, t] if lower(opt) == "type" => match ClientType::parse(t) {
            Some(k) => f.kind = Some(k),
            None => {
                return Err(Value::err(format!(
                    "ERR Unknown client type '{}'",
                    String::from_utf8_lossy(t)
                )))
            }
        },
        [opt, ids @ ..] if lower(opt) == "id" && !ids.is_empty() => {
            let mut v = Vec::with_capacity(ids.len());
            for id in ids {
                match std::str::from_utf8(id).ok().and_then(|s| s.parse::<i64>().ok()) {
                    Some(n) if n > 0 => v.push(n as u64),
                    _ => return Err(Value::err("ERR Invalid client ID")),
                }
            }
            f.ids = Some(v);
        }
        _ => return Err(syntax_error()),
    }
    Ok(f)
}
