//! How a client reaches a server under test, for each transport.
//!
//! A test names the server as a [`ServerCommand`] and the transport as a [`Transport`];
//! [`RunningServer::start`] turns the pair into an [`Endpoint`] every client understands. Over
//! STDIO nothing runs until the client spawns the command itself; over HTTP and SSE the server is
//! started on a free port, waited for, and killed when the `RunningServer` is dropped. A test
//! written against an `Endpoint` therefore runs over any transport by changing one argument.

use crate::process::KillOnDrop;
use std::ffi::OsString;
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

/// The transports of `--transport`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Stdio,
    /// Streamable HTTP, endpoint `/mcp/`.
    Http,
    /// The deprecated HTTP+SSE transport, stream at `/sse/`.
    Sse,
}

impl Transport {
    /// The `--transport` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Stdio => "stdio",
            Transport::Http => "http",
            Transport::Sse => "sse",
        }
    }
}

/// A server program with its arguments and extra environment.
#[derive(Debug, Clone)]
pub struct ServerCommand {
    pub program: PathBuf,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    /// Where an application that nests the MCP app mounts it (`/api`); empty otherwise.
    pub mount: String,
}

impl ServerCommand {
    pub fn new(program: impl Into<PathBuf>) -> Self {
        ServerCommand { program: program.into(), args: Vec::new(), env: Vec::new(), mount: String::new() }
    }

    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }

    pub fn args<I: IntoIterator<Item = S>, S: Into<String>>(mut self, args: I) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// The server nests its MCP app under `prefix`: clients connect below it.
    pub fn mounted_at(mut self, prefix: impl Into<String>) -> Self {
        self.mount = prefix.into();
        self
    }

    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// A `Command` for this server. `MCP_*` variables of the test's own environment are
    /// removed so that only what the test sets reaches the server.
    pub fn command(&self) -> Command {
        self.command_with(&[])
    }

    /// Like [`ServerCommand::command`], with `flags` before the command's own arguments.
    pub fn command_with(&self, flags: &[&str]) -> Command {
        let mut cmd = Command::new(&self.program);
        cmd.args(flags).args(&self.args);
        without_mcp_env(&mut cmd);
        cmd.envs(self.env.iter().map(|(k, v)| (OsString::from(k), OsString::from(v))));
        cmd
    }
}

/// Removes the test's own `MCP_*` environment variables from `cmd`, so a server (or a client that
/// spawns one) sees only the variables a test sets on purpose.
pub fn without_mcp_env(cmd: &mut Command) -> &mut Command {
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("MCP_") {
            cmd.env_remove(key);
        }
    }
    cmd
}

/// Where a client finds the server.
#[derive(Debug, Clone)]
pub enum Endpoint {
    /// The client spawns this command and speaks over its stdin and stdout.
    Stdio(ServerCommand),
    /// The client connects to `url` (the MCP endpoint for HTTP, the SSE stream for SSE).
    Url { transport: Transport, url: String },
}

impl Endpoint {
    pub fn transport(&self) -> Transport {
        match self {
            Endpoint::Stdio(_) => Transport::Stdio,
            Endpoint::Url { transport, .. } => *transport,
        }
    }
}

/// A server ready for clients; an HTTP or SSE server process is killed on drop.
#[derive(Debug)]
pub struct RunningServer {
    endpoint: Endpoint,
    /// `http://127.0.0.1:<port>` for HTTP and SSE servers.
    base_url: Option<String>,
    process: Option<KillOnDrop>,
    stderr: Option<Receiver<String>>,
}

/// How long an HTTP server may take to start listening.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(20);

impl RunningServer {
    /// Makes `server` reachable over `transport`. HTTP and SSE servers are started with
    /// `--transport <t> --host 127.0.0.1 --port <free port>` before the command's own arguments,
    /// and this waits until the port accepts connections. Panics with the server's stderr if it
    /// exits or never listens.
    pub fn start(server: &ServerCommand, transport: Transport) -> RunningServer {
        if transport == Transport::Stdio {
            return RunningServer {
                endpoint: Endpoint::Stdio(server.clone()),
                base_url: None,
                process: None,
                stderr: None,
            };
        }
        let mut last_error = String::new();
        // Another process may grab the free port first; a few fresh ports settle that.
        for _ in 0..3 {
            let port = crate::ports::free_port();
            match spawn_listening(server, transport, port) {
                Ok((process, stderr)) => {
                    let path = if transport == Transport::Http { "/mcp/" } else { "/sse/" };
                    let base_url = format!("http://127.0.0.1:{port}");
                    let url = format!("{base_url}{}{path}", server.mount);
                    let endpoint = Endpoint::Url { transport, url };
                    let base_url = Some(base_url);
                    return RunningServer { endpoint, base_url, process: Some(process), stderr: Some(stderr) };
                }
                // Only a lost race for the port is worth another try.
                Err(e) if e.contains("in use") => last_error = e,
                Err(e) => {
                    last_error = e;
                    break;
                }
            }
        }
        panic!("could not start {} over {}: {last_error}", server.program.display(), transport.as_str());
    }

    /// [`RunningServer::start`] on `port`, for a server that must know its own URL before it
    /// starts (an OAuth resource identifier). Panics when it cannot listen there.
    pub fn start_on(server: &ServerCommand, transport: Transport, port: u16) -> RunningServer {
        let (process, stderr) = spawn_listening(server, transport, port)
            .unwrap_or_else(|e| panic!("could not start {} on port {port}: {e}", server.program.display()));
        let path = if transport == Transport::Http { "/mcp/" } else { "/sse/" };
        let base_url = format!("http://127.0.0.1:{port}");
        let endpoint = Endpoint::Url { transport, url: format!("{base_url}{}{path}", server.mount) };
        RunningServer { endpoint, base_url: Some(base_url), process: Some(process), stderr: Some(stderr) }
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// `http://127.0.0.1:<port>` of an HTTP or SSE server; `None` on STDIO.
    pub fn base_url(&self) -> Option<&str> {
        self.base_url.as_deref()
    }

    /// The server process, for HTTP and SSE.
    pub fn process(&mut self) -> Option<&mut KillOnDrop> {
        self.process.as_mut()
    }

    /// Stops an HTTP or SSE server and returns what it wrote to stderr (empty for STDIO, where
    /// the client owns the process).
    pub fn stop(&mut self) -> String {
        drop(self.process.take());
        self.stderr.take().and_then(|rx| rx.recv_timeout(Duration::from_secs(5)).ok()).unwrap_or_default()
    }
}

/// Starts `server` listening on `port`; returns the process and (at its exit) its stderr.
fn spawn_listening(
    server: &ServerCommand,
    transport: Transport,
    port: u16,
) -> Result<(KillOnDrop, Receiver<String>), String> {
    let port_arg = port.to_string();
    let mut cmd = server.command_with(&["--transport", transport.as_str(), "--host", "127.0.0.1", "--port", &port_arg]);
    cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| format!("cannot start {}: {e}", server.program.display()))?;
    let stderr = crate::process::read_to_end(child.stderr.take().expect("stderr is piped"));
    let mut process = KillOnDrop::new(child);
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let deadline = Instant::now() + STARTUP_TIMEOUT;
    while Instant::now() < deadline {
        if let Some(status) = process.try_status() {
            let stderr = stderr.recv_timeout(Duration::from_secs(2)).unwrap_or_default();
            return Err(format!("the server exited with {status} before listening on port {port}:\n{stderr}"));
        }
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok((process, stderr));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(format!("the server did not listen on port {port} within {STARTUP_TIMEOUT:?}"))
}
