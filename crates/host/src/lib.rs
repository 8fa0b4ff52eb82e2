//! The seam between a process (sentinel or data node) and the machine it runs on.
//!
//! Nothing here knows about the simulator: a real process uses [`SystemClock`], [`DirectDialer`]
//! and [`DirStorage`]; the simulated world supplies its own implementations (a per-node clock with
//! skew and jumps, an address book mapping the scenario's addresses onto simulated hosts, files that
//! survive a kill). Timers stay on `tokio::time` (monotonic), as Redis uses a monotonic clock for
//! timers and the wall clock (`mstime()`) for its logic.

mod scripts;
pub use scripts::{NoScripts, OnExit, ProcessScripts, Scripts};
use std::collections::BTreeMap;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

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

/// Turns the address a process was told (`127.0.0.1:6382`, as it appears in configs, INFO and
/// hello messages) into the socket address to connect to. Real hosts connect where they are told;
/// the simulation maps each announced address onto its simulated host.
pub trait Dialer: Send + Sync {
    fn resolve(&self, ip: &str, port: u16) -> Option<SocketAddr>;

    /// The address others know this host by, given the local address of one of its sockets
    /// (the reverse mapping). Real hosts: the address itself.
    fn local_alias(&self, local: std::net::IpAddr) -> String {
        local.to_string()
    }

    /// True while packets to `to` are silently dropped (a firewall, a partition): a connect then
    /// hangs as an unanswered SYN does, instead of failing at once. Real hosts: never.
    fn blocked(&self, to: SocketAddr) -> bool {
        let _ = to;
        false
    }
}

/// Connects to exactly the address given.
#[derive(Debug, Default, Clone, Copy)]
pub struct DirectDialer;

impl Dialer for DirectDialer {
    fn resolve(&self, host: &str, port: u16) -> Option<SocketAddr> {
        if let Ok(ip) = host.parse::<std::net::IpAddr>() {
            return Some(SocketAddr::new(ip, port));
        }
        dns_first(host).map(|ip| SocketAddr::new(ip, port))
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

/// Connects through `dialer`, giving up after `timeout` (Redis' replication link has a connect
/// timeout; Sentinel has none, callers that want none pass a long one).
pub async fn connect(dialer: &dyn Dialer, ip: &str, port: u16, timeout: Duration) -> io::Result<tokio::net::TcpStream> {
    let addr = dialer
        .resolve(ip, port)
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, format!("cannot resolve {ip}:{port}")))?;
    let timed_out = || io::Error::new(io::ErrorKind::TimedOut, "connect timed out");
    let start = tokio::time::Instant::now();
    // While the path is blocked the SYN goes unanswered; it is retransmitted, so the connect
    // succeeds if the path opens before the timeout (checked once per second).
    while dialer.blocked(addr) {
        let left = timeout.saturating_sub(start.elapsed());
        if left.is_zero() {
            return Err(timed_out());
        }
        tokio::time::sleep(left.min(Duration::from_secs(1))).await;
    }
    let left = timeout.saturating_sub(start.elapsed());
    match tokio::time::timeout(left, tokio::net::TcpStream::connect(addr)).await {
        Ok(r) => r,
        Err(_) => Err(timed_out()),
    }
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
