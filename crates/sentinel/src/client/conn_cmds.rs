//! AUTH, HELLO and ACL, served by the client's own task against the hub's ACL users.

use super::{Flow, Session};
use crate::hub::ClientFilter;
use crate::node::Input;
use resp::Value;
use sentinel_core::port::acl::LogReason;
use sentinel_core::port::{acl_command, hello_reply};

const WRONGPASS: &str = "WRONGPASS invalid username-password pair or user is disabled.";

fn text(a: &[u8]) -> String {
    String::from_utf8_lossy(a).into_owned()
}

impl Session {
    /// Logs in as `user`, or records the refusal in the ACL LOG.
    fn authenticate(&mut self, user: &str, pass: &[u8]) -> bool {
        if self.hub.with_acl(|acl| acl.authenticate(user, pass)) {
            self.user = user.to_string();
            self.authenticated = true;
            self.conn.set_limits(resp::Limits::DEFAULT);
            self.hub.set_user(self.id, user);
            true
        } else {
            self.acl_log(LogReason::Auth, "AUTH", user);
            false
        }
    }

    /// AUTH <password> | AUTH <username> <password>.
    pub(super) fn auth_command(&mut self, args: &[Vec<u8>]) -> Value {
        let (user, pass) = match args.len() {
            2 => {
                if self.hub.with_acl(|acl| acl.default_nopass()) {
                    return Value::err("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?");
                }
                ("default".to_string(), &args[1])
            }
            3 => (text(&args[1]), &args[2]),
            _ => return Value::err("ERR syntax error"),
        };
        if self.authenticate(&user, pass) {
            Value::ok()
        } else {
            Value::err(WRONGPASS)
        }
    }

    /// HELLO [protover [AUTH username password] [SETNAME clientname]].
    pub(super) fn hello_command(&mut self, args: &[Vec<u8>]) -> Value {
        let mut proto = self.resp;
        if let Some(v) = args.get(1) {
            match text(v).parse::<i64>() {
                Ok(v) if (2..=3).contains(&v) => proto = v as u8,
                Ok(_) => return Value::err("NOPROTO unsupported protocol version"),
                Err(_) => return Value::err("ERR Protocol version is not an integer or out of range"),
            }
        }
        let mut auth: Option<(String, Vec<u8>)> = None;
        let mut setname: Option<Vec<u8>> = None;
        let mut i = 2;
        while i < args.len() {
            let left = args.len() - i - 1;
            match text(&args[i]).to_ascii_lowercase().as_str() {
                "auth" if left >= 2 => {
                    auth = Some((text(&args[i + 1]), args[i + 2].clone()));
                    i += 3;
                }
                "setname" if left >= 1 => {
                    setname = Some(args[i + 1].clone());
                    i += 2;
                }
                _ => {
                    return Value::err(format!(
                        "ERR Syntax error in HELLO option '{}'",
                        sentinel_core::port::table::sanitize_error(&text(&args[i]))
                    ))
                }
            }
        }
        if !self.authenticated && auth.is_none() {
            return Value::err("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time");
        }
        if let Some((user, pass)) = auth {
            if !self.authenticate(&user, &pass) {
                return Value::err(WRONGPASS);
            }
        }
        if let Some(name) = setname {
            if let Err(e) = self.set_client_name(&name) {
                return e;
            }
        }
        self.resp = proto;
        self.hub.set_resp(self.id, proto);
        hello_reply(self.id, proto)
    }

    /// ACL <subcommand>: runs on the hub's users; a change reaches the core (config rewrites
    /// write the `user` lines) and deleted users' clients are disconnected.
    pub(super) async fn acl_command(&mut self, args: &[Vec<u8>]) -> Flow {
        let sub = text(&args[1]).to_ascii_lowercase();
        if let (Some(path), "load" | "save") = (self.hub.acl_file(), sub.as_str()) {
            let v = self.acl_file_command(&sub, &path);
            self.reply(&v);
            return if self.killed() { Flow::Close } else { Flow::Continue };
        }
        let now = self.hub.now_ms();
        let hub = self.hub.clone();
        let mut rng = self.genpass_rng();
        let (out, lines) = hub.with_acl(|acl| {
            let out = acl_command(acl, args, &self.user, now, &mut rng);
            let lines = out.changed.then(|| acl.lines());
            (out, lines)
        });
        for user in &out.deleted {
            self.hub.kill_matching(&ClientFilter {
                user: Some(user.clone()),
                ..Default::default()
            });
        }
        self.reply(&out.reply);
        if let Some(lines) = lines {
            if self.inputs.send(Input::AclChanged { lines }).await.is_err() {
                return Flow::Close;
            }
        }
        if out.deleted.contains(&self.user) {
            return Flow::Close;
        }
        Flow::Continue
    }

    /// ACL LOAD / SAVE with an `aclfile`. A load replaces every user; clients logged in as
    /// anything but `default` are disconnected, as Redis frees their users.
    fn acl_file_command(&mut self, sub: &str, path: &std::path::Path) -> Value {
        if sub == "save" {
            let text = self.hub.with_acl(|acl| acl.file_text());
            let tmp = path.with_extension("tmp-save");
            return match std::fs::write(&tmp, text).and_then(|_| std::fs::rename(&tmp, path)) {
                Ok(()) => Value::ok(),
                Err(_) => Value::err(
                    "ERR There was an error trying to save the ACLs. Please check the server logs for more information",
                ),
            };
        }
        match crate::node::load_acl_file(path) {
            Ok(mut fresh) => {
                let names: Vec<String> = self.hub.with_acl(|acl| {
                    fresh.log = acl.log.clone();
                    let old = acl.names().filter(|n| *n != "default").cloned().collect();
                    *acl = fresh;
                    old
                });
                for user in names {
                    self.hub.kill_matching(&ClientFilter {
                        user: Some(user),
                        ..Default::default()
                    });
                }
                Value::ok()
            }
            Err(e) => Value::err(sentinel_core::port::table::sanitize_error(&format!("ERR {e}"))),
        }
    }

    /// Random words for ACL GENPASS: SplitMix64 from the client id and the hub's clock. Not a
    /// CSPRNG (deviation: Redis reads /dev/urandom); the driver owns no OS randomness so that
    /// simulated runs stay reproducible.
    fn genpass_rng(&self) -> impl FnMut() -> u64 {
        let mut state = self.id.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ self.hub.genpass_seed();
        move || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
    }
}
