//! The run's network: one namespace per scenario process, joined by veth pairs to a bridge in a
//! hub namespace (where the tool itself runs, with one extra address per client). Every name
//! starts with `ssim<pid>-`, so that a later run can tell the leftovers of a run whose process is
//! gone (and only those) and remove them. Deleting a namespace removes its veth end and its
//! nftables rules with it; the hub's deletion removes the bridge.

use std::process::{Command, Stdio};

use super::addrs::{self, HUB_HOST};

/// The prefix of every namespace this tool creates.
pub const PREFIX: &str = "ssim";

/// Runs a command to completion; its stderr becomes the error.
pub fn run(cmd: &str, args: &[&str]) -> Result<String, String> {
    let out = Command::new(cmd)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {cmd}: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "{cmd} {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// The namespaces of one run; removed on drop (success, error, panic, interruption).
pub struct Topology {
    pub hub: String,
    /// One per process, in the plan's order.
    pub nodes: Vec<String>,
    /// Every namespace created so far (removed in reverse order).
    created: Vec<String>,
}

impl Topology {
    /// Builds the hub with its bridge, `procs` node namespaces and `clients` client addresses.
    pub fn create(procs: usize, clients: usize) -> Result<Topology, String> {
        let pid = std::process::id();
        let mut t = Topology {
            hub: format!("{PREFIX}{pid}-hub"),
            nodes: (0..procs).map(|i| format!("{PREFIX}{pid}-{i}")).collect(),
            created: Vec::new(),
        };
        t.add_ns(&t.hub.clone())?;
        let hub = t.hub.clone();
        ipn(&hub, &["link", "set", "lo", "up"])?;
        ipn(&hub, &["link", "add", "br0", "type", "bridge"])?;
        ipn(
            &hub,
            &["addr", "add", &format!("{}/24", addrs::host_ip(HUB_HOST)), "dev", "br0"],
        )?;
        ipn(&hub, &["link", "set", "br0", "up"])?;
        for (i, ns) in t.nodes.clone().iter().enumerate() {
            t.add_ns(ns)?;
            let veth = format!("vh{i}");
            ipn(
                &hub,
                &[
                    "link", "add", &veth, "type", "veth", "peer", "name", "eth0", "netns", ns,
                ],
            )?;
            ipn(&hub, &["link", "set", &veth, "master", "br0", "up"])?;
            ipn(
                ns,
                &["addr", "add", &format!("{}/24", addrs::proc_ip(i)), "dev", "eth0"],
            )?;
            ipn(ns, &["link", "set", "eth0", "up"])?;
            ipn(ns, &["link", "set", "lo", "up"])?;
        }
        for j in 0..clients {
            ipn(
                &hub,
                &["addr", "add", &format!("{}/24", addrs::client_ip(j)), "dev", "br0"],
            )?;
        }
        Ok(t)
    }

    fn add_ns(&mut self, name: &str) -> Result<(), String> {
        run("ip", &["netns", "add", name])?;
        self.created.push(name.to_string());
        Ok(())
    }
}

impl Drop for Topology {
    fn drop(&mut self) {
        for ns in self.created.iter().rev() {
            if let Err(e) = run("ip", &["netns", "del", ns]) {
                eprintln!("real: cleanup: {e}");
            }
        }
    }
}

/// `ip -n <ns> ...`
pub fn ipn(ns: &str, args: &[&str]) -> Result<String, String> {
    let mut a = vec!["-n", ns];
    a.extend_from_slice(args);
    run("ip", &a)
}

/// Removes what an earlier run of this tool left behind when that run's process is gone: kills
/// the processes still inside its namespaces (by PID, as `ip netns pids` lists them) and deletes
/// the namespaces. Namespaces of live runs are left alone. Returns what it removed.
pub fn remove_leftovers() -> Vec<String> {
    let Ok(list) = run("ip", &["netns", "list"]) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for name in list.lines().filter_map(|l| l.split_whitespace().next()) {
        let Some(owner) = owner_pid(name) else { continue };
        if pid_alive(owner) {
            continue;
        }
        if let Ok(pids) = run("ip", &["netns", "pids", name]) {
            for pid in pids.split_whitespace().filter_map(|p| p.parse::<i32>().ok()) {
                // SAFETY: kill(2) on a PID listed as a member of our own leftover namespace.
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
        }
        if run("ip", &["netns", "del", name]).is_ok() {
            removed.push(name.to_string());
        }
    }
    removed
}

/// The PID in a `ssim<pid>-<x>` name.
pub fn owner_pid(name: &str) -> Option<i32> {
    let rest = name.strip_prefix(PREFIX)?;
    let (pid, tail) = rest.split_once('-')?;
    (!tail.is_empty()).then_some(())?;
    pid.parse().ok()
}

/// Whether a process with this PID exists (signal 0).
pub fn pid_alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks for existence and permission.
    unsafe { libc::kill(pid, 0) == 0 || *libc::__errno_location() == libc::EPERM }
}

/// Moves the calling thread into namespace `ns` (threads it creates afterwards inherit it).
pub fn enter(ns: &str) -> Result<(), String> {
    use std::os::fd::AsRawFd;
    let f = std::fs::File::open(format!("/run/netns/{ns}")).map_err(|e| format!("open netns {ns}: {e}"))?;
    // SAFETY: setns(2) with a namespace file we just opened.
    let r = unsafe { libc::setns(f.as_raw_fd(), libc::CLONE_NEWNET) };
    if r == 0 {
        Ok(())
    } else {
        Err(format!("setns {ns}: {}", std::io::Error::last_os_error()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owner_pid_reads_only_our_names() {
        assert_eq!(owner_pid("ssim1234-hub"), Some(1234));
        assert_eq!(owner_pid("ssim1234-7"), Some(1234));
        assert_eq!(owner_pid("ssim1234-"), None);
        assert_eq!(owner_pid("other-1"), None);
        assert_eq!(owner_pid("ssimx-1"), None);
    }
}
