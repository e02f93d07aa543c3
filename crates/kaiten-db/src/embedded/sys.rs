//! The few system calls the supervisor needs, kept in one place.
#![allow(unsafe_code)]

use std::os::unix::process::CommandExt;
use std::process::Command;

pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Whether a process with this pid exists (we may not be allowed to signal it).
pub fn process_exists(pid: i32) -> bool {
    // SAFETY: signal 0 only checks for existence and permission; nothing is delivered.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

pub fn signal(pid: u32, signal: i32) {
    let Ok(pid) = i32::try_from(pid) else { return };
    // SAFETY: kill is safe to call with any pid and signal; errors are ignored on purpose
    // (the process may already be gone).
    unsafe {
        libc::kill(pid, signal);
    }
}

/// Asks the kernel to send SIGINT (PostgreSQL's fast shutdown) to the child when the thread
/// that spawned it exits, so that a killed parent never leaves a cluster running. The child
/// gets a process group of its own: a Ctrl-C in the terminal (SIGINT to the foreground
/// group) reaches only the server, which stops the cluster after its in-flight requests,
/// instead of the cluster stopping under them.
pub fn die_with_parent(command: &mut Command) {
    command.process_group(0);
    // SAFETY: the closure runs between fork and exec and only calls prctl, which is
    // async-signal-safe.
    unsafe {
        command.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGINT) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

pub const SIGINT: i32 = libc::SIGINT;
pub const SIGQUIT: i32 = libc::SIGQUIT;

/// uid and gid of a local account, read from /etc/passwd.
pub fn account(name: &str) -> Option<(u32, u32)> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        (fields.next()? == name).then_some(())?;
        let uid = fields.nth(1)?.parse().ok()?;
        let gid = fields.next()?.parse().ok()?;
        Some((uid, gid))
    })
}

pub fn chown(path: &std::path::Path, uid: u32, gid: u32) -> std::io::Result<()> {
    std::os::unix::fs::chown(path, Some(uid), Some(gid))
}
