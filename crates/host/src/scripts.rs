//! Running the Sentinel's notification and client-reconfig scripts: a real host starts
//! processes; a simulated host has none to run.

use std::io;

/// Called once when a script process ends: (signal that killed it or 0, exit code).
pub type OnExit = Box<dyn FnOnce(i32, i32) + Send>;

/// What a host offers for running scripts.
pub trait Scripts: Send + Sync {
    /// Starts `argv[0]` with the rest as arguments; returns its process id. `on_exit` is called
    /// once, from any thread, when it ends.
    fn spawn(&self, argv: &[String], on_exit: OnExit) -> io::Result<u32>;
    /// Kills that process (SIGKILL); its end is still reported through `on_exit`.
    fn kill(&self, pid: u32);
}

/// Scripts as real processes: the environment and the standard streams are inherited, as
/// Redis's `execve` does; every other descriptor is close-on-exec (Rust's default), so scripts
/// inherit none of the Sentinel's sockets. A thread waits for each process.
#[derive(Debug, Default, Clone, Copy)]
pub struct ProcessScripts;

impl Scripts for ProcessScripts {
    fn spawn(&self, argv: &[String], on_exit: OnExit) -> io::Result<u32> {
        let (path, args) = argv.split_first().ok_or_else(|| io::Error::other("empty argv"))?;
        let mut child = std::process::Command::new(path).args(args).spawn()?;
        let pid = child.id();
        std::thread::Builder::new()
            .name(format!("script-{pid}"))
            .spawn(move || {
                let (signal, code) = match child.wait() {
                    Ok(st) => exit_parts(st),
                    Err(_) => (0, 2),
                };
                on_exit(signal, code);
            })?;
        Ok(pid)
    }

    fn kill(&self, pid: u32) {
        #[cfg(unix)]
        if let Ok(pid) = libc::pid_t::try_from(pid) {
            // SAFETY: kill(2) only sends a signal; the thread waiting for the child reaps it.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
        }
    }
}

#[cfg(unix)]
fn exit_parts(st: std::process::ExitStatus) -> (i32, i32) {
    use std::os::unix::process::ExitStatusExt;
    (st.signal().unwrap_or(0), st.code().unwrap_or(0))
}

#[cfg(not(unix))]
fn exit_parts(st: std::process::ExitStatus) -> (i32, i32) {
    (0, st.code().unwrap_or(0))
}

/// A host without scripts (a simulated machine): every start fails, as a failed fork.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoScripts;

impl Scripts for NoScripts {
    fn spawn(&self, _argv: &[String], _on_exit: OnExit) -> io::Result<u32> {
        Err(io::Error::other("this host runs no scripts"))
    }
    fn kill(&self, _pid: u32) {}
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn a_process_reports_its_exit_code_and_a_kill() {
        let (tx, rx) = mpsc::channel();
        let tx2 = tx.clone();
        ProcessScripts
            .spawn(
                &["/bin/sh".into(), "-c".into(), "exit 3".into()],
                Box::new(move |s, c| tx.send((s, c)).unwrap()),
            )
            .unwrap();
        assert_eq!(rx.recv().unwrap(), (0, 3));
        let pid = ProcessScripts
            .spawn(
                &["/bin/sh".into(), "-c".into(), "sleep 30".into()],
                Box::new(move |s, c| tx2.send((s, c)).unwrap()),
            )
            .unwrap();
        ProcessScripts.kill(pid);
        assert_eq!(rx.recv().unwrap(), (9, 0));
        assert!(ProcessScripts
            .spawn(&["/nonexistent/script".into()], Box::new(|_, _| {}))
            .is_err());
    }
}
