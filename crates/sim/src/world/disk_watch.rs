//! The world watching a Sentinel's disk: every save to its storage is read back from the text as
//! written and, when the epochs or master addresses in it changed, recorded as a
//! [`Fact::ConfigSaved`]. This is the disk's word, not the process's: a vote the process claims
//! to have persisted but never wrote does not appear.

use super::recorder::Recorder;
use crate::trace::{Fact, Kind, SavedMaster};
use std::io;
use std::sync::{Arc, Mutex};

/// A Sentinel's storage with the world watching its saves.
pub(super) struct WatchedStorage {
    pub inner: host::MemStorage,
    pub node: String,
    pub rec: Recorder,
    /// The last fact recorded, so that a save changing none of its fields is not recorded again.
    pub last: Arc<Mutex<Option<Fact>>>,
}

impl host::Storage for WatchedStorage {
    fn load(&self, name: &str) -> io::Result<Vec<u8>> {
        self.inner.load(name)
    }
    fn save(&self, name: &str, contents: &str) -> io::Result<()> {
        self.inner.save(name, contents)?;
        let fact = parse_saved(&self.node, contents);
        let mut last = self.last.lock().unwrap();
        if last.as_ref() != Some(&fact) {
            *last = Some(fact.clone());
            self.rec.push(&self.node, Kind::World(fact));
        }
        Ok(())
    }
}

/// The epochs and monitored addresses of a Sentinel config text (`sentinel monitor`,
/// `config-epoch`, `leader-epoch`, `current-epoch`; missing epochs read as 0, as Sentinel loads
/// them).
pub(crate) fn parse_saved(node: &str, text: &str) -> Fact {
    let mut current_epoch = 0;
    let mut masters: Vec<SavedMaster> = Vec::new();
    for line in text.lines() {
        let w: Vec<&str> = line.split_whitespace().map(|t| t.trim_matches('"')).collect();
        if w.len() < 3 || !w[0].eq_ignore_ascii_case("sentinel") {
            continue;
        }
        let num = |i: usize| w.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        let key = w[1].to_ascii_lowercase();
        match key.as_str() {
            "current-epoch" => current_epoch = num(2),
            "monitor" if w.len() >= 5 => masters.push(SavedMaster {
                name: w[2].to_string(),
                addr: format!("{}:{}", w[3], w[4]),
                config_epoch: 0,
                leader_epoch: 0,
            }),
            "config-epoch" | "leader-epoch" => {
                let v = num(3);
                if let Some(m) = masters.iter_mut().find(|m| m.name == w[2]) {
                    if key == "config-epoch" {
                        m.config_epoch = v;
                    } else {
                        m.leader_epoch = v;
                    }
                }
            }
            _ => {}
        }
    }
    Fact::ConfigSaved {
        node: node.to_string(),
        current_epoch,
        masters,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rewritten_config_reads_back_to_its_epochs() {
        let text = "port 5000\nsentinel myid abc\nsentinel monitor mymaster 127.0.0.1 6383 2\n\
                    sentinel config-epoch mymaster 3\nsentinel leader-epoch mymaster 4\n\
                    sentinel known-replica mymaster 127.0.0.1 6382\nsentinel current-epoch 4\n";
        let Fact::ConfigSaved {
            current_epoch, masters, ..
        } = parse_saved("sentinel-5000", text)
        else {
            panic!("not a save")
        };
        assert_eq!(current_epoch, 4);
        assert_eq!(
            masters,
            vec![SavedMaster {
                name: "mymaster".into(),
                addr: "127.0.0.1:6383".into(),
                config_epoch: 3,
                leader_epoch: 4,
            }]
        );
    }
}
