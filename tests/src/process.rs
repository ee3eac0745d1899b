//! Child processes with deadlines: run-to-completion with a timeout, and kill-on-drop guards.

use std::io::Read;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// What a finished process left behind.
#[derive(Debug)]
pub struct Output {
    /// The command line, for messages.
    pub command: String,
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Output {
    /// The exit code (`None` when a signal ended the process).
    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }

    /// Everything about the run, for assertion messages.
    pub fn describe(&self) -> String {
        self.describe_with("stdout", &self.stdout)
    }

    /// [`Output::describe`] with `shown` in place of stdout, under the heading `label` (a
    /// caller's digest of a stdout too long to read).
    pub fn describe_with(&self, label: &str, shown: &str) -> String {
        format!(
            "`{}` exited with {} after {:?}\n--- {label} ---\n{shown}\n--- stderr ---\n{}",
            self.command, self.status, self.elapsed, self.stderr
        )
    }

    /// Panics with [`Output::describe`] unless the process exited with code 0.
    pub fn assert_success(&self) -> &Self {
        assert!(self.status.success(), "expected success: {}", self.describe());
        self
    }
}

/// `program arg arg ...`, for messages.
pub fn display(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs `cmd` to completion with stdin closed, capturing stdout and stderr. Fails (after killing
/// the process) when it runs longer than `timeout`, or when it cannot be started.
pub fn run(cmd: &mut Command, timeout: Duration) -> Result<Output, String> {
    let command = display(cmd);
    let started = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start `{command}`: {e}"))?;
    let stdout = read_to_end(child.stdout.take().expect("stdout is piped"));
    let stderr = read_to_end(child.stderr.take().expect("stderr is piped"));
    let mut guard = KillOnDrop::new(child);
    let status = guard.wait_timeout(timeout);
    let elapsed = started.elapsed();
    drop(guard); // kills the process if it is still running
    // A grandchild that inherited the pipes may keep them open; never wait on it for long.
    let collect = |rx: mpsc::Receiver<String>| rx.recv_timeout(Duration::from_secs(5)).unwrap_or_default();
    let (stdout, stderr) = (collect(stdout), collect(stderr));
    match status {
        Some(status) => Ok(Output { command, status, stdout, stderr, elapsed }),
        None => Err(format!(
            "`{command}` did not finish within {timeout:?} and was killed\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}"
        )),
    }
}

/// Reads `pipe` to its end on a thread; the text arrives on the returned channel.
pub fn read_to_end(mut pipe: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        let _ = tx.send(String::from_utf8_lossy(&bytes).into_owned());
    });
    rx
}

/// A child process that is killed (and reaped) when dropped, so a failing test never leaves a
/// server behind.
#[derive(Debug)]
pub struct KillOnDrop {
    child: Child,
}

impl KillOnDrop {
    pub fn new(child: Child) -> Self {
        KillOnDrop { child }
    }

    pub fn child(&mut self) -> &mut Child {
        &mut self.child
    }

    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Waits at most `timeout` for the process to exit; `None` if it is still running.
    pub fn wait_timeout(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return Some(status),
                Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(10)),
                Ok(None) => return None,
                Err(e) => panic!("waiting for process {}: {e}", self.child.id()),
            }
        }
    }

    /// The exit status if the process has already exited.
    pub fn try_status(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}
