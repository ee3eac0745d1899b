//! The `mcpgen` command for tests of its `run`, `dev` and `install` subcommands: the binary,
//! built once into the shared target dir, and an environment that keeps its cache and the crates
//! it builds inside the target dir, where compiled dependencies are reused.

use crate::ServerCommand;
use crate::process::{self, KillOnDrop, Output};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

/// A first `mcpgen run` of a description generates and builds a crate: slow on a busy machine.
pub const BUILD_TIMEOUT: Duration = Duration::from_secs(15 * 60);

/// The `mcpgen` binary.
pub fn binary() -> PathBuf {
    crate::cargo::binary("mcpgen", "mcpgen")
}

/// The variables every test's `mcpgen` gets: its cache in `<target>/mcpgen-cache`, generated
/// crates building into `<target>/generated` (as the generator's tests do), this cargo, and
/// rustup's toolchain with automatic installs off.
///
/// An MCP client starts a STDIO server with a few variables of its own choosing (`HOME`, `PATH`,
/// ...), so without these `mcpgen run`'s cargo reached rustup with neither the tests' toolchain
/// nor the machine's `RUSTUP_AUTO_INSTALL=0`: rustup synced the channel and replaced the toolchain
/// in the middle of a test run, and every build after it failed (2026-11-29).
pub fn env() -> Vec<(String, String)> {
    let target = crate::workspace::target_dir();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut env = vec![
        ("MCPGEN_CACHE_DIR".into(), target.join("mcpgen-cache").to_string_lossy().into_owned()),
        ("CARGO_TARGET_DIR".into(), target.join("generated").to_string_lossy().into_owned()),
        ("CARGO".into(), cargo),
    ];
    for var in ["RUSTUP_TOOLCHAIN", "RUSTUP_HOME", "CARGO_HOME", "CARGO_INCREMENTAL"] {
        if let Ok(value) = std::env::var(var) {
            env.push((var.into(), value));
        }
    }
    // The build settings CI gives cargo (`.ci/run`): a server a client starts without them would
    // build the same crate again with other settings, past the client's time limit (2026-12-06).
    env.extend(std::env::vars().filter(|(k, _)| k.starts_with("CARGO_PROFILE_")));
    env.push(("RUSTUP_AUTO_INSTALL".into(), "0".into()));
    env
}

/// `mcpgen ARGS` as a server command (for a client to spawn over STDIO), with [`env`].
pub fn server(args: &[&str]) -> ServerCommand {
    let mut command = ServerCommand::new(binary()).args(args.iter().copied());
    for (k, v) in env() {
        command = command.env(k, v);
    }
    command
}

/// A `Command` for `mcpgen ARGS` with [`env`], no `MCP_*` or `RUSTFLAGS` of the test's own.
pub fn command(args: &[&str]) -> Command {
    let mut cmd = server(args).command();
    cmd.env_remove("RUSTFLAGS");
    cmd
}

/// Runs `mcpgen ARGS` to its end (at most [`BUILD_TIMEOUT`]).
pub fn run(args: &[&str]) -> Output {
    process::run(&mut command(args), BUILD_TIMEOUT).unwrap_or_else(|e| panic!("{e}"))
}

/// An `mcpgen run` serving HTTP, killed on drop.
#[derive(Debug)]
pub struct Listening {
    pub process: KillOnDrop,
    stdout: Option<Receiver<String>>,
    stderr: Option<Receiver<String>>,
}

impl Listening {
    /// Starts `cmd` (which must listen on 127.0.0.1:`port`) and waits until it accepts connections,
    /// through its build. Panics with its output if it exits first or takes longer than [`BUILD_TIMEOUT`].
    pub fn start(mut cmd: Command, port: u16) -> Listening {
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let shown = process::display(&cmd);
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("cannot start `{shown}`: {e}"));
        let stdout = process::read_to_end(child.stdout.take().expect("piped"));
        let stderr = process::read_to_end(child.stderr.take().expect("piped"));
        let mut process = KillOnDrop::new(child);
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let deadline = Instant::now() + BUILD_TIMEOUT;
        while Instant::now() < deadline {
            if let Some(status) = process.try_status() {
                let err = stderr.recv_timeout(Duration::from_secs(5)).unwrap_or_default();
                panic!("`{shown}` exited with {status} before listening on {port}:\n{err}");
            }
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return Listening { process, stdout: Some(stdout), stderr: Some(stderr) };
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("`{shown}` did not listen on {port} within {BUILD_TIMEOUT:?}");
    }

    /// Waits (at most `timeout`) for the process to exit by itself; its exit code (`None`: a
    /// signal), stdout and stderr. Panics if it is still running.
    pub fn wait(&mut self, timeout: Duration) -> (Option<i32>, String, String) {
        let status = self.process.wait_timeout(timeout).unwrap_or_else(|| panic!("still running after {timeout:?}"));
        let take = |rx: Option<Receiver<String>>| {
            rx.and_then(|rx| rx.recv_timeout(Duration::from_secs(5)).ok()).unwrap_or_default()
        };
        (status.code(), take(self.stdout.take()), take(self.stderr.take()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A server an MCP client starts keeps the toolchain the tests run on, and rustup may not
    /// install or update one underneath them.
    #[test]
    fn servers_keep_the_tests_toolchain_and_never_install_one() {
        let env = env();
        let get = |name: &str| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        assert_eq!(get("RUSTUP_AUTO_INSTALL").as_deref(), Some("0"));
        assert_eq!(get("RUSTUP_TOOLCHAIN"), std::env::var("RUSTUP_TOOLCHAIN").ok());
        assert_eq!(get("RUSTUP_HOME"), std::env::var("RUSTUP_HOME").ok());
        assert_eq!(get("CARGO"), std::env::var("CARGO").ok().or(Some("cargo".into())));
        for (name, value) in
            std::env::vars().filter(|(k, _)| k.starts_with("CARGO_PROFILE_") || k == "CARGO_INCREMENTAL")
        {
            assert_eq!(get(&name), Some(value), "{name} reaches the server's builds");
        }
    }
}
