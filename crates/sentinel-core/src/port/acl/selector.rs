//! One ACL selector: which commands (a bit per row of the command table, plus the "future
//! commands" bit that only `+@all` sets), first arguments, key and channel patterns; and the
//! description Redis 7.0 derives back from the bits (categories first, then single commands).

use super::{has_space, AclError};
use crate::port::table::{self, c, CommandSpec, TABLE};
use std::collections::BTreeMap;

/// Key pattern permissions (`%R~`, `%W~`, `~` = both).
pub const KEY_READ: u8 = 1;
pub const KEY_WRITE: u8 = 2;
const KEY_ALL: u8 = KEY_READ | KEY_WRITE;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selector {
    /// Bit i: row i of [`TABLE`] may run.
    allowed: u128,
    /// Set by `+@all` / `allcommands` only: commands added later would be allowed too.
    future: bool,
    /// Allowed first arguments of otherwise blocked commands (`+ping|foo`), by row.
    firstargs: BTreeMap<usize, Vec<String>>,
    pub allkeys: bool,
    pub keys: Vec<(String, u8)>,
    pub allchannels: bool,
    pub channels: Vec<String>,
}

fn bit(id: usize) -> u128 {
    1u128 << id
}

impl Selector {
    pub fn allows_row(&self, id: usize) -> bool {
        self.allowed & bit(id) != 0
    }

    fn set_row(&mut self, id: usize, on: bool) {
        if on {
            self.allowed |= bit(id);
        } else {
            // The "future commands" bit stays: `+@all -cmd` still allows commands added later.
            self.allowed &= !bit(id);
        }
    }

    /// `+cmd` / `-cmd`: the row and, for a container, all its subcommands.
    fn change_perm(&mut self, spec: &'static CommandSpec, on: bool) {
        let id = table::id_of(spec);
        self.set_row(id, on);
        self.firstargs.remove(&id);
        if !spec.is_subcommand() {
            for sub in table::subcommands(spec.fullname) {
                self.set_row(table::id_of(sub), on);
            }
        }
    }

    fn set_category(&mut self, cat: u32, on: bool) {
        for spec in TABLE.iter().filter(|s| s.categories & cat != 0) {
            self.change_perm(spec, on);
        }
    }

    fn all_commands(&mut self, on: bool) {
        self.allowed = if on { u128::MAX } else { 0 };
        self.future = on;
        self.firstargs.clear();
    }

    /// Applies one selector rule (keys, channels, commands). Errors as Redis's errno cases.
    pub fn apply(&mut self, op: &str) -> Result<(), AclError> {
        let lower = op.to_ascii_lowercase();
        match lower.as_str() {
            "allkeys" | "~*" => {
                self.allkeys = true;
                self.keys.clear();
            }
            "resetkeys" => {
                self.allkeys = false;
                self.keys.clear();
            }
            "allchannels" | "&*" => {
                self.allchannels = true;
                self.channels.clear();
            }
            "resetchannels" => {
                self.allchannels = false;
                self.channels.clear();
            }
            "allcommands" | "+@all" => self.all_commands(true),
            "nocommands" | "-@all" => self.all_commands(false),
            _ => return self.apply_pattern_or_command(op),
        }
        Ok(())
    }

    fn apply_pattern_or_command(&mut self, op: &str) -> Result<(), AclError> {
        let bytes = op.as_bytes();
        match bytes[0] {
            b'~' | b'%' => self.add_key_pattern(op),
            b'&' => {
                if self.allchannels {
                    return Err(AclError::ChannelAfterAll);
                }
                let pat = &op[1..];
                if has_space(pat.as_bytes()) {
                    return Err(AclError::Syntax);
                }
                if !self.channels.iter().any(|c| c == pat) {
                    self.channels.push(pat.to_string());
                }
                Ok(())
            }
            b'+' | b'-' if bytes.get(1) == Some(&b'@') => {
                let cat = c::by_name(&op[2..]).ok_or(AclError::UnknownCommand)?;
                self.set_category(cat, bytes[0] == b'+');
                Ok(())
            }
            b'+' => self.allow_command(&op[1..]),
            b'-' => {
                let spec = table::by_fullname(&op[1..]).ok_or(AclError::UnknownCommand)?;
                self.change_perm(spec, false);
                Ok(())
            }
            _ => Err(AclError::Syntax),
        }
    }

    fn add_key_pattern(&mut self, op: &str) -> Result<(), AclError> {
        if self.allkeys {
            return Err(AclError::KeyAfterAll);
        }
        let bytes = op.as_bytes();
        let (mut perms, mut offset) = (KEY_ALL, 1);
        if bytes[0] == b'%' {
            perms = 0;
            loop {
                match bytes.get(offset).map(u8::to_ascii_uppercase) {
                    Some(b'R') if perms & KEY_READ == 0 => perms |= KEY_READ,
                    Some(b'W') if perms & KEY_WRITE == 0 => perms |= KEY_WRITE,
                    Some(b'~') => {
                        offset += 1;
                        break;
                    }
                    _ => return Err(AclError::Syntax),
                }
                offset += 1;
            }
        }
        let pat = &op[offset..];
        if has_space(pat.as_bytes()) {
            return Err(AclError::Syntax);
        }
        match self.keys.iter_mut().find(|(p, _)| p == pat) {
            Some((_, f)) => *f |= perms,
            None => self.keys.push((pat.to_string(), perms)),
        }
        Ok(())
    }

    /// `+cmd`, `+container|sub`, or `+cmd|firstarg` for a command without subcommands.
    fn allow_command(&mut self, name: &str) -> Result<(), AclError> {
        let Some((cmd, sub)) = name.rsplit_once('|') else {
            let spec = table::by_fullname(name).ok_or(AclError::UnknownCommand)?;
            self.change_perm(spec, true);
            return Ok(());
        };
        let spec = table::by_fullname(cmd).ok_or(AclError::UnknownCommand)?;
        if spec.is_subcommand() {
            return Err(AclError::FirstArgOfSubcommand);
        }
        if sub.is_empty() {
            return Err(AclError::Syntax);
        }
        if table::is_container(spec.fullname) {
            let sub_spec = table::by_fullname(name).ok_or(AclError::UnknownCommand)?;
            self.change_perm(sub_spec, true);
        } else {
            let id = table::id_of(spec);
            let list = self.firstargs.entry(id).or_default();
            let sub = sub.to_ascii_lowercase();
            if !list.contains(&sub) {
                list.push(sub);
            }
        }
        Ok(())
    }

    /// Whether the command (and its first argument) may run under this selector.
    pub fn allows(&self, spec: &'static CommandSpec, args: &[Vec<u8>]) -> bool {
        let id = table::id_of(spec);
        if self.allows_row(id) {
            return true;
        }
        let (Some(list), Some(first)) = (self.firstargs.get(&id), args.get(1)) else {
            return false;
        };
        let first = String::from_utf8_lossy(first).to_ascii_lowercase();
        list.contains(&first)
    }

    /// Whether a channel (SUBSCRIBE, PUBLISH) or a pattern (PSUBSCRIBE: literal match) is allowed.
    pub fn allows_channel(&self, channel: &[u8], literal: bool) -> bool {
        if self.allchannels {
            return true;
        }
        self.channels.iter().any(|p| {
            if literal {
                p.as_bytes() == channel
            } else {
                crate::util::glob_match(p.as_bytes(), channel, false)
            }
        })
    }

    /// The key part of the description (`~*`, `%R~a ~b`), without the trailing space.
    pub fn describe_keys(&self) -> String {
        if self.allkeys {
            return "~*".into();
        }
        let parts: Vec<String> = self
            .keys
            .iter()
            .map(|(p, f)| match *f {
                KEY_READ => format!("%R~{p}"),
                KEY_WRITE => format!("%W~{p}"),
                _ => format!("~{p}"),
            })
            .collect();
        parts.join(" ")
    }

    /// The channel part as ACL GETUSER shows it (`&*`, `&a &b`, or empty).
    pub fn describe_channels(&self) -> String {
        if self.allchannels {
            return "&*".into();
        }
        let parts: Vec<String> = self.channels.iter().map(|p| format!("&{p}")).collect();
        parts.join(" ")
    }

    /// The whole selector as ACL LIST shows it: keys, channels (`resetchannels` when not all),
    /// command rules.
    pub fn describe(&self) -> String {
        let mut out = String::new();
        let keys = self.describe_keys();
        if !keys.is_empty() {
            out.push_str(&keys);
            out.push(' ');
        }
        if self.allchannels {
            out.push_str("&* ");
        } else {
            out.push_str("resetchannels ");
            for p in &self.channels {
                out.push_str(&format!("&{p} "));
            }
        }
        out.push_str(&self.describe_commands());
        out
    }

    /// The command rules: `+@all` or `-@all`, then the best-fitting categories, then the single
    /// commands still different, then first arguments (Redis 7.0's greedy description).
    pub fn describe_commands(&self) -> String {
        let additive = !self.future;
        let mut rules = vec![if additive { "-@all" } else { "+@all" }.to_string()];
        let mut fake = Selector::default();
        fake.all_commands(!additive);
        let mut temp = self.clone();
        let mut applied = [false; c::NAMES.len()];
        loop {
            let mut best: Option<usize> = None;
            let (mut min_diff, mut max_same) = (usize::MAX, 0usize);
            for (j, (cat, _)) in c::NAMES.iter().enumerate() {
                if applied[j] {
                    continue;
                }
                let (on, off) = temp.count_category(*cat);
                let (diff, same) = if additive { (off, on) } else { (on, off) };
                if same > diff && (diff < min_diff || (diff == min_diff && same > max_same)) {
                    best = Some(j);
                    min_diff = diff;
                    max_same = same;
                }
            }
            let Some(j) = best else { break };
            let (cat, name) = c::NAMES[j];
            fake.set_category(cat, additive);
            temp.set_category(cat, !additive);
            rules.push(format!("{}@{name}", if additive { '+' } else { '-' }));
            applied[j] = true;
        }
        for (id, spec) in TABLE.iter().enumerate() {
            let user = self.allows_row(id);
            if user != fake.allows_row(id) {
                rules.push(format!("{}{}", if user { '+' } else { '-' }, spec.fullname));
                fake.set_row(id, user);
            }
            if !user {
                for arg in self.firstargs.get(&id).into_iter().flatten() {
                    rules.push(format!("+{}|{arg}", spec.fullname));
                }
            }
        }
        rules.join(" ")
    }

    fn count_category(&self, cat: u32) -> (usize, usize) {
        let (mut on, mut off) = (0, 0);
        for (id, spec) in TABLE.iter().enumerate() {
            if spec.categories & cat != 0 {
                if self.allows_row(id) {
                    on += 1;
                } else {
                    off += 1;
                }
            }
        }
        (on, off)
    }
}
