//! The seam between a process (sentinel or data node) and the machine it runs on.
//!
//! Nothing here knows about the simulator: a real process uses [`SystemClock`], [`TcpNet`] and
//! [`DirStorage`]; the simulated world supplies its own implementations (a per-node clock with
//! skew and jumps, a network that maps the scenario's addresses onto simulated hosts and behaves
//! like TCP across partitions and slow links, files that survive a kill). Timers stay on `tokio::time` (monotonic), as Redis uses a monotonic clock for
//! timers and the wall clock (`mstime()`) for its logic.

mod net;
mod scripts;
pub use net::{connect, BoxFuture, BoxListener, BoxStream, Listener, Net, Stream, TcpNet};
pub use scripts::{NoScripts, OnExit, ProcessScripts, Scripts};
use std::collections::BTreeMap;
use std::io;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// The process's wall clock, in milliseconds since the Unix epoch (may jump, may go backwards).
pub trait Clock: Send + Sync {
    fn wall_ms(&self) -> i64;
}

/// The host's real wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn wall_ms(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0)
    }
}

/// The first address the system resolver gives for `host` (as Redis's `anetResolve` takes the
/// first `getaddrinfo` answer). Blocking, like Redis's.
pub fn dns_first(host: &str) -> Option<std::net::IpAddr> {
    use std::net::ToSocketAddrs;
    if host.is_empty() || host.len() > 255 || host.bytes().any(|b| b.is_ascii_control() || b == b' ') {
        return None;
    }
    (host, 0u16).to_socket_addrs().ok()?.next().map(|a| a.ip())
}

/// A resolver for the Sentinel core: an IP literal as is, else the system resolver.
pub fn resolve_host(host: &str) -> Option<String> {
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        return Some(ip.to_string());
    }
    dns_first(host).map(|ip| ip.to_string())
}

/// Named files that outlive the process (sentinel.conf, redis.conf, the dataset).
pub trait Storage: Send + Sync {
    /// The file's bytes (configs need not be UTF-8); `ErrorKind::NotFound` only when it does
    /// not exist, any other error when it exists but cannot be read.
    fn load(&self, name: &str) -> io::Result<Vec<u8>>;
    fn save(&self, name: &str, contents: &str) -> io::Result<()>;
}

/// Files in a directory on the real file system (written to a temporary file, then renamed).
#[derive(Debug, Clone)]
pub struct DirStorage {
    pub dir: PathBuf,
}

impl Storage for DirStorage {
    fn load(&self, name: &str) -> io::Result<Vec<u8>> {
        std::fs::read(self.dir.join(name))
    }
    fn save(&self, name: &str, contents: &str) -> io::Result<()> {
        let path = self.dir.join(name);
        let tmp = self.dir.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, contents)?;
        std::fs::rename(tmp, path)
    }
}

/// Files in memory, shared by clones; the simulation keeps one per node so they survive a kill.
#[derive(Debug, Default, Clone)]
pub struct MemStorage {
    files: Arc<Mutex<BTreeMap<String, Vec<u8>>>>,
}

impl MemStorage {
    pub fn new() -> Self {
        Self::default()
    }
    /// Stores arbitrary bytes (what an operator could write by hand; [`Storage::save`] takes text).
    pub fn put(&self, name: &str, contents: &[u8]) {
        self.files.lock().unwrap().insert(name.to_string(), contents.to_vec());
    }
    /// Removes every file (a node restarted with its disk wiped).
    pub fn wipe(&self) {
        self.files.lock().unwrap().clear();
    }
}

impl Storage for MemStorage {
    fn load(&self, name: &str) -> io::Result<Vec<u8>> {
        let files = self.files.lock().unwrap();
        files.get(name).cloned().ok_or_else(|| io::ErrorKind::NotFound.into())
    }
    fn save(&self, name: &str, contents: &str) -> io::Result<()> {
        self.files
            .lock()
            .unwrap()
            .insert(name.to_string(), contents.as_bytes().to_vec());
        Ok(())
    }
}

#[cfg(test)]
mod storage_tests {
    use super::*;

    #[test]
    fn dir_storage_tells_missing_from_unreadable_and_keeps_bytes() {
        let dir = std::env::temp_dir().join(format!("host-storage-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("a-directory")).unwrap();
        let st = DirStorage { dir: dir.clone() };
        std::fs::write(dir.join("latin1.conf"), b"logfile caf\xe9\n").unwrap();
        assert_eq!(st.load("latin1.conf").unwrap(), b"logfile caf\xe9\n");
        assert_eq!(st.load("missing.conf").unwrap_err().kind(), io::ErrorKind::NotFound);
        assert_ne!(st.load("a-directory").unwrap_err().kind(), io::ErrorKind::NotFound);
        st.save("new.conf", "port 1\n").unwrap();
        assert_eq!(st.load("new.conf").unwrap(), b"port 1\n");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn mem_storage_holds_bytes() {
        let st = MemStorage::new();
        assert_eq!(st.load("x").unwrap_err().kind(), io::ErrorKind::NotFound);
        st.put("x", b"\xff");
        assert_eq!(st.load("x").unwrap(), b"\xff");
    }
}
