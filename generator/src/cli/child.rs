//! Starting the server (or the Inspector) as the user's process: its exit code becomes
//! mcpgen's, and Ctrl-C, SIGTERM and SIGHUP reach it.

use std::process::{Command, ExitStatus};

/// Replaces mcpgen with `cmd` where the platform allows (Unix), so the server is the process a
/// client started: its signals, its exit code. Elsewhere it runs `cmd` to its end. Returns the
/// exit code to exit with; an `Err` when `cmd` cannot start.
pub(super) fn exec(mut cmd: Command) -> Result<i32, String> {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let e = cmd.exec();
        Err(start_error(&cmd, &e))
    }
    #[cfg(not(unix))]
    run(cmd)
}

/// Runs `cmd` to its end while mcpgen stays alive (it serves the mock), forwarding SIGINT,
/// SIGTERM and SIGHUP to it. Returns the exit code to exit with.
pub(super) fn run(mut cmd: Command) -> Result<i32, String> {
    #[cfg(target_os = "linux")]
    end_with_mcpgen(&mut cmd);
    let mut child = cmd.spawn().map_err(|e| start_error(&cmd, &e))?;
    #[cfg(unix)]
    let _forwarding = forward_signals(child.id() as i32);
    let status = child.wait().map_err(|e| format!("waiting for the server: {e}"))?;
    Ok(exit_code(status))
}

/// Like [`run`], for a launcher whose own children do not pass signals on (npx runs the
/// Inspector through a shell): `cmd` leads a process group of its own, and signals go to the
/// whole group, so nothing it started outlives it.
pub(super) fn run_group(mut cmd: Command) -> Result<i32, String> {
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    #[cfg(target_os = "linux")]
    end_with_mcpgen(&mut cmd);
    let mut child = cmd.spawn().map_err(|e| start_error(&cmd, &e))?;
    // A negative pid names the process group the child leads.
    #[cfg(unix)]
    let _forwarding = forward_signals(-(child.id() as i32));
    let status = child.wait().map_err(|e| format!("waiting for `{}`: {e}", cmd.get_program().to_string_lossy()))?;
    Ok(exit_code(status))
}

/// Makes the child get SIGTERM when mcpgen ends, however it ends: a signal mcpgen cannot catch
/// (SIGKILL, from a client or a test giving up on it) would otherwise leave the server running,
/// still holding its port, with nobody to stop it.
#[cfg(target_os = "linux")]
fn end_with_mcpgen(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: between fork and exec the closure only calls prctl(2) and getppid(2), which are
    // async-signal-safe, and allocates nothing.
    let parent = std::process::id() as libc::pid_t;
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) == -1 {
                return Err(std::io::Error::last_os_error());
            }
            // mcpgen may have ended before the request took effect.
            if libc::getppid() != parent {
                libc::raise(libc::SIGTERM);
            }
            Ok(())
        });
    }
}

fn start_error(cmd: &Command, e: &std::io::Error) -> String {
    format!("cannot start `{}`: {e}", cmd.get_program().to_string_lossy())
}

/// The code a shell would report: the child's own, or 128 + the signal that ended it.
pub(super) fn exit_code(status: ExitStatus) -> i32 {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return 128 + signal;
        }
    }
    status.code().unwrap_or(1)
}

/// Handles SIGINT, SIGTERM and SIGHUP for mcpgen by sending them on to `pid` (a process, or with
/// a negative value a process group), until the returned runtime is dropped. The handlers are
/// installed before this returns.
#[cfg(unix)]
fn forward_signals(pid: i32) -> Option<tokio::runtime::Runtime> {
    use tokio::signal::unix::{SignalKind, signal};
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().ok()?;
    let kinds = [SignalKind::interrupt(), SignalKind::terminate(), SignalKind::hangup()];
    let _entered = runtime.enter();
    for kind in kinds {
        let Ok(mut stream) = signal(kind) else { continue };
        runtime.spawn(async move {
            while stream.recv().await.is_some() {
                // SAFETY: kill(2) has no memory effects; `pid` is a child we started, not yet
                // reaped (the runtime is dropped as soon as the wait returns).
                unsafe {
                    libc::kill(pid as libc::pid_t, kind.as_raw_value());
                }
            }
        });
    }
    drop(_entered);
    Some(runtime)
}
