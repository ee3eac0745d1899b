//! Real load balancers (Debian's `nginx` and `haproxy`) in front of replicas of a server, running
//! the configurations shipped in `deploy/`, and the replicas themselves, which a test stops,
//! kills and starts again.
//!
//! The balancers are installed from the system's package manager (`apt-get`) when they are not
//! there, once, under a lock file. When that fails the test panics saying what is missing: it
//! never skips.
//!
//! - [`Nginx`] runs `deploy/nginx/nginx.conf` itself (its directory holds a symlink to it, so its
//!   `include`s of `mcp-replicas.conf` and `mcp-listen.conf` read the files written there for the
//!   test's ports), with pid file, logs and temp files under that directory.
//! - [`Haproxy`] runs `deploy/haproxy/haproxy.cfg` as it is, with the addresses in the environment
//!   variables it reads, in the foreground; its log (stdout) is collected line by line. One
//!   thread (`tests/haproxy/one-thread.cfg`, read after it), so that no line is dropped.
//! - [`Replica`] is one server process on a fixed port, its stderr in a file per start, so its
//!   debug log (one `MCP endpoint request` line per request) can be read while it runs.

use crate::process::{self, KillOnDrop};
use std::fs::{self, File};
use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

/// What the runtime logs at debug level for each request of its MCP endpoint.
const SERVED: &str = "MCP endpoint request";
/// How long a balancer or a replica may take to listen (or to stop).
const START_TIMEOUT: Duration = Duration::from_secs(20);
const INSTALL_TIMEOUT: Duration = Duration::from_secs(15 * 60);

/// The balancers' programs, installed if needed. Panics, saying what is missing, when they cannot
/// be installed.
pub fn programs() -> &'static Programs {
    static PROGRAMS: OnceLock<Result<Programs, String>> = OnceLock::new();
    match PROGRAMS.get_or_init(install) {
        Ok(programs) => programs,
        Err(e) => panic!(
            "nginx and HAProxy are required by this test and could not be installed:\n{e}\n\
             Install Debian's packages (`apt-get install -y nginx haproxy`, as root or with sudo), \
             or put `nginx` and `haproxy` on PATH."
        ),
    }
}

/// Where `nginx` and `haproxy` are.
#[derive(Debug)]
pub struct Programs {
    pub nginx: PathBuf,
    pub haproxy: PathBuf,
}

/// `name` on PATH, or in the sbin directories a non-root PATH often lacks.
fn find(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin", "/usr/local/sbin"].map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

fn found() -> Option<Programs> {
    Some(Programs { nginx: find("nginx")?, haproxy: find("haproxy")? })
}

fn install() -> Result<Programs, String> {
    if let Some(programs) = found() {
        return Ok(programs);
    }
    // One install at a time across test binaries; whoever waited finds them installed.
    let _lock = crate::install::lock("balancers")?;
    if let Some(programs) = found() {
        return Ok(programs);
    }
    let apt = find("apt-get").ok_or("no `nginx` or `haproxy` on PATH, and no `apt-get` to install them with")?;
    eprintln!("mcpgen-tests: installing nginx and haproxy with apt-get (once)");
    let apt_command = |args: &[&str]| {
        let mut cmd = if is_root() {
            Command::new(&apt)
        } else {
            // Not root: sudo without a password prompt, or nothing.
            let mut cmd = Command::new("sudo");
            cmd.arg("-n").arg(&apt);
            cmd
        };
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        cmd
    };
    for args in [&["update", "-q"][..], &["install", "-y", "-q", "nginx", "haproxy"][..]] {
        let out = process::run(&mut apt_command(args), INSTALL_TIMEOUT)?;
        if !out.status.success() {
            return Err(format!("`apt-get {}` failed:\n{}", args.join(" "), out.describe()));
        }
    }
    found().ok_or_else(|| "apt-get installed nginx and haproxy, but they are not on PATH or in /usr/sbin".into())
}

fn is_root() -> bool {
    process::run(Command::new("id").arg("-u"), Duration::from_secs(10)).is_ok_and(|o| o.stdout.trim() == "0")
}

/// The repository's `deploy/` directory.
pub fn deploy_dir() -> PathBuf {
    crate::workspace::root().join("deploy")
}

/// Sends `signal` (`TERM`, `KILL`, `QUIT`) to process `pid` with kill(1).
pub fn signal(pid: u32, signal: &str) {
    let out = process::run(Command::new("kill").arg(format!("-{signal}")).arg(pid.to_string()), START_TIMEOUT)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(out.status.success(), "kill -{signal} {pid}: {}", out.describe());
}

/// Waits until something listens on 127.0.0.1:`port`, or `deadline`; false when it did not.
fn wait_listening(port: u16, deadline: Instant, mut exited: impl FnMut() -> bool) -> bool {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    while Instant::now() < deadline {
        if exited() {
            return false;
        }
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return true;
        }
        thread::sleep(Duration::from_millis(25));
    }
    false
}

/// One replica: `program` with `args` on 127.0.0.1:`port`, started and stopped at will.
pub struct Replica {
    pub name: String,
    pub port: u16,
    program: PathBuf,
    args: Vec<String>,
    env: Vec<(String, String)>,
    dir: PathBuf,
    process: Option<KillOnDrop>,
    /// The stderr file of each start, in order.
    logs: Vec<PathBuf>,
}

impl Replica {
    /// A replica of `program` named `name` (also its log files' names in `dir`), started at once
    /// with `--transport http --host 127.0.0.1 --port <free> --log-level debug` and `args`.
    pub fn start(name: &str, program: &Path, args: &[&str], env: &[(&str, &str)], dir: &Path) -> Replica {
        let mut replica = Replica {
            name: name.into(),
            port: 0,
            program: program.into(),
            args: args.iter().map(|a| a.to_string()).collect(),
            env: env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            dir: dir.into(),
            process: None,
            logs: Vec::new(),
        };
        // Another process may take the free port first; a few fresh ports settle that.
        for _ in 0..3 {
            replica.port = crate::ports::free_port();
            if replica.try_start().is_ok() {
                return replica;
            }
        }
        replica.try_start().unwrap_or_else(|e| panic!("{e}"));
        replica
    }

    /// `127.0.0.1:<port>`.
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn pid(&self) -> u32 {
        self.process.as_ref().map(KillOnDrop::id).unwrap_or_else(|| panic!("{} is not running", self.name))
    }

    /// Starts it again on its port (after [`Replica::stop`] or [`Replica::kill`]) and waits until
    /// it is ready (`/readyz` answers 200).
    pub fn restart(&mut self) {
        assert!(self.process.is_none(), "{} is still running", self.name);
        self.try_start().unwrap_or_else(|e| panic!("{e}"));
        let deadline = Instant::now() + START_TIMEOUT;
        while crate::http::get(&format!("http://{}/readyz", self.addr())).0 != 200 {
            assert!(Instant::now() < deadline, "{} was not ready within {START_TIMEOUT:?}", self.name);
            thread::sleep(Duration::from_millis(25));
        }
    }

    fn try_start(&mut self) -> Result<(), String> {
        let log = self.dir.join(format!("{}.{}.log", self.name, self.logs.len() + 1));
        let stderr = File::create(&log).map_err(|e| format!("cannot create {}: {e}", log.display()))?;
        let port = self.port.to_string();
        let mut cmd = Command::new(&self.program);
        crate::endpoint::without_mcp_env(&mut cmd);
        cmd.args(["--transport", "http", "--host", "127.0.0.1", "--port", &port, "--log-level", "debug"])
            .args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr);
        let child = cmd.spawn().map_err(|e| format!("cannot start {}: {e}", self.program.display()))?;
        let mut process = KillOnDrop::new(child);
        self.logs.push(log.clone());
        let listening = wait_listening(self.port, Instant::now() + START_TIMEOUT, || process.try_status().is_some());
        if !listening {
            let text = fs::read_to_string(&log).unwrap_or_default();
            return Err(format!("replica {} did not listen on port {}:\n{text}", self.name, self.port));
        }
        self.process = Some(process);
        Ok(())
    }

    /// SIGTERM, then waits for the process to exit (its drain); panics if it does not within
    /// `timeout` or does not exit cleanly.
    pub fn stop(&mut self, timeout: Duration) {
        let mut process = self.process.take().unwrap_or_else(|| panic!("{} is not running", self.name));
        signal(process.id(), "TERM");
        let status = process.wait_timeout(timeout);
        assert!(
            status.is_some_and(|s| s.success()),
            "{} did not exit cleanly within {timeout:?} of SIGTERM ({status:?}):\n{}",
            self.name,
            self.log()
        );
    }

    /// SIGKILL: the process is gone at once, whatever it was doing.
    pub fn kill(&mut self) {
        let mut process = self.process.take().unwrap_or_else(|| panic!("{} is not running", self.name));
        signal(process.id(), "KILL");
        process.wait_timeout(START_TIMEOUT).unwrap_or_else(|| panic!("{} outlived SIGKILL", self.name));
    }

    /// Everything it wrote to stderr, over all its starts.
    pub fn log(&self) -> String {
        self.logs.iter().map(|p| fs::read_to_string(p).unwrap_or_default()).collect::<Vec<_>>().join("")
    }

    /// How many requests its MCP endpoint answered (the runtime's debug line per request), over
    /// all its starts.
    pub fn requests_served(&self) -> usize {
        self.log().matches(SERVED).count()
    }

    /// How many requests it answered after it began shutting down, in its last run: those in
    /// flight when SIGTERM came.
    pub fn requests_served_while_draining(&self) -> usize {
        let last = self.logs.last().map(|p| fs::read_to_string(p).unwrap_or_default()).unwrap_or_default();
        last.split_once("shutting down").map_or(0, |(_, after)| after.matches(SERVED).count())
    }

    /// [`Replica::requests_served`] since it was last started.
    pub fn requests_served_since_start(&self) -> usize {
        let last = self.logs.last().map(|p| fs::read_to_string(p).unwrap_or_default()).unwrap_or_default();
        last.matches(SERVED).count()
    }
}

/// nginx running `deploy/nginx/nginx.conf` in a directory of its own; stopped on drop.
pub struct Nginx {
    pub port: u16,
    dir: PathBuf,
    process: Option<KillOnDrop>,
}

/// One line of the nginx access log (`log_format mcp` of deploy/nginx/nginx.conf).
#[derive(Debug, Clone)]
pub struct NginxEntry {
    pub line: String,
    pub status: u16,
    /// Every replica tried, in order (`$upstream_addr`).
    pub upstreams: Vec<String>,
    /// Each try's status (`$upstream_status`).
    pub upstream_statuses: Vec<String>,
    pub mcp_method: String,
    pub mcp_name: String,
}

impl NginxEntry {
    /// The replica that answered (the last one tried).
    pub fn upstream(&self) -> &str {
        self.upstreams.last().map(String::as_str).unwrap_or("")
    }
}

impl Nginx {
    /// Starts nginx in `dir` (created) in front of `replicas` (addresses `host:port`).
    pub fn start(dir: &Path, replicas: &[String]) -> Nginx {
        let nginx = &programs().nginx;
        for sub in ["logs", "temp"] {
            fs::create_dir_all(dir.join(sub)).expect("nginx's directories");
        }
        // The shipped file itself, through a link: nginx reads its includes beside the path it
        // was given.
        let conf = dir.join("nginx.conf");
        if !conf.exists() {
            std::os::unix::fs::symlink(deploy_dir().join("nginx/nginx.conf"), &conf).expect("a link to nginx.conf");
        }
        let servers: String =
            replicas.iter().map(|addr| format!("server {addr} max_fails=1 fail_timeout=2s;\n")).collect();
        fs::write(dir.join("mcp-replicas.conf"), servers).expect("mcp-replicas.conf");
        let mut last_error = String::new();
        for _ in 0..3 {
            let port = crate::ports::free_port();
            fs::write(dir.join("mcp-listen.conf"), format!("listen 127.0.0.1:{port};\n")).expect("mcp-listen.conf");
            let mut cmd = Command::new(nginx);
            cmd.arg("-p").arg(dir).arg("-c").arg(&conf).arg("-e").arg(dir.join("logs/error.log"));
            cmd.args(["-g", "daemon off;"]).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
            let child = cmd.spawn().unwrap_or_else(|e| panic!("cannot start {}: {e}", nginx.display()));
            let mut process = KillOnDrop::new(child);
            let deadline = Instant::now() + START_TIMEOUT;
            if wait_listening(port, deadline, || process.try_status().is_some()) {
                return Nginx { port, dir: dir.into(), process: Some(process) };
            }
            last_error = fs::read_to_string(dir.join("logs/error.log")).unwrap_or_default();
            if !last_error.contains("in use") {
                break;
            }
        }
        panic!("nginx did not start in {}:\n{last_error}", dir.display());
    }

    /// The MCP endpoint `path` through nginx.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The access log so far.
    pub fn access_log(&self) -> Vec<NginxEntry> {
        let text = fs::read_to_string(self.dir.join("logs/access.log")).unwrap_or_default();
        text.lines().map(parse_nginx_line).collect()
    }

    /// The error log so far.
    pub fn error_log(&self) -> String {
        fs::read_to_string(self.dir.join("logs/error.log")).unwrap_or_default()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        if let Some(mut process) = self.process.take() {
            // The master stops its workers on SIGTERM; SIGKILL (KillOnDrop) would orphan them.
            if process.try_status().is_none() {
                let _ = Command::new("kill").arg("-TERM").arg(process.id().to_string()).status();
                process.wait_timeout(Duration::from_secs(10));
            }
        }
    }
}

/// The value of `key=` in a log line: up to the next ` name=` (the lists of `$upstream_addr` and
/// `$upstream_status` hold ", ").
fn field(line: &str, key: &str) -> String {
    let Some(start) = line.find(&format!(" {key}=")) else { return String::new() };
    let rest = &line[start + key.len() + 2..];
    let next_key = rest.match_indices(' ').map(|(i, _)| i).find(|&i| {
        let word = rest[i + 1..].split(' ').next().unwrap_or("");
        word.split_once('=')
            .is_some_and(|(name, _)| !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
    });
    rest[..next_key.unwrap_or(rest.len())].to_string()
}

fn parse_nginx_line(line: &str) -> NginxEntry {
    let list = |s: String| s.split(", ").map(str::to_owned).filter(|s| !s.is_empty()).collect();
    let status = line.split("\" ").nth(1).and_then(|s| s.split(' ').next()).and_then(|s| s.parse().ok());
    NginxEntry {
        line: line.into(),
        status: status.unwrap_or(0),
        upstreams: list(field(line, "upstream")),
        upstream_statuses: list(field(line, "upstream_status")),
        mcp_method: field(line, "mcp_method"),
        mcp_name: field(line, "mcp_name"),
    }
}

/// HAProxy running `deploy/haproxy/haproxy.cfg`, its log collected; killed on drop.
pub struct Haproxy {
    pub port: u16,
    _process: KillOnDrop,
    log: Arc<Mutex<Vec<String>>>,
}

/// One request of the HAProxy log (`log-format` of deploy/haproxy/haproxy.cfg).
#[derive(Debug, Clone)]
pub struct HaproxyEntry {
    pub line: String,
    /// The server that answered (`replica1` ...).
    pub server: String,
    /// `%ST`: -1 for a request HAProxy could not answer (the client or the server went away).
    pub status: i16,
    pub method: String,
    /// The request's Mcp-Session-Id (`-` when it had none).
    pub session: String,
}

impl Haproxy {
    /// Starts HAProxy in front of `replicas` (at most three addresses, `MCP_REPLICA_1` ...).
    pub fn start(replicas: &[String]) -> Haproxy {
        let haproxy = &programs().haproxy;
        assert!(replicas.len() == 3, "deploy/haproxy/haproxy.cfg names three replicas");
        let mut last_error = String::new();
        for _ in 0..3 {
            let port = crate::ports::free_port();
            let mut cmd = Command::new(haproxy);
            cmd.arg("-db").arg("-f").arg(deploy_dir().join("haproxy/haproxy.cfg"));
            cmd.arg("-f").arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("haproxy/one-thread.cfg"));
            cmd.env("MCP_LB_BIND", format!("127.0.0.1:{port}"));
            for (i, addr) in replicas.iter().enumerate() {
                cmd.env(format!("MCP_REPLICA_{}", i + 1), addr);
            }
            cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
            let mut child = cmd.spawn().unwrap_or_else(|e| panic!("cannot start {}: {e}", haproxy.display()));
            let log = Arc::new(Mutex::new(Vec::new()));
            for pipe in [
                Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
                Box::new(child.stderr.take().unwrap()),
            ] {
                let log = log.clone();
                thread::spawn(move || {
                    for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                        log.lock().unwrap().push(line);
                    }
                });
            }
            let mut process = KillOnDrop::new(child);
            if wait_listening(port, Instant::now() + START_TIMEOUT, || process.try_status().is_some()) {
                return Haproxy { port, _process: process, log };
            }
            drop(process);
            thread::sleep(Duration::from_millis(100));
            last_error = log.lock().unwrap().join("\n");
            if !last_error.contains("in use") && !last_error.contains("cannot bind") {
                break;
            }
        }
        panic!("haproxy did not start:\n{last_error}");
    }

    /// `path` through HAProxy.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Everything it logged so far (requests, and servers going down or up).
    pub fn log_text(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }

    /// The requests it logged so far. HAProxy logs a request once its exchange is over, and the
    /// line crosses a pipe to a reader thread: this waits until no new line came for 200 ms
    /// (at most 3 s), so a request that just finished is in.
    pub fn requests(&self) -> Vec<HaproxyEntry> {
        let deadline = Instant::now() + Duration::from_secs(3);
        let mut seen = self.log.lock().unwrap().len();
        loop {
            thread::sleep(Duration::from_millis(200));
            let now = self.log.lock().unwrap().len();
            if now == seen || Instant::now() > deadline {
                break;
            }
            seen = now;
        }
        self.log.lock().unwrap().iter().filter_map(|l| parse_haproxy_line(l)).collect()
    }
}

fn parse_haproxy_line(line: &str) -> Option<HaproxyEntry> {
    // `ip:port backend/server status "METHOD path HTTP/1.1" session=... retries=... time=...`
    let mut words = line.split(' ');
    let _client = words.next()?;
    let server = words.next()?.split_once('/')?.1.to_string();
    let status = words.next()?.parse().ok()?;
    let method = words.next()?.trim_start_matches('"').to_string();
    let session = line.split(" session=").nth(1)?.split(' ').next()?.to_string();
    Some(HaproxyEntry { line: line.into(), server, status, method, session })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nginx_access_lines() {
        let e = parse_nginx_line(
            "127.0.0.1 [06/Dec/2026:03:59:08 +0000] \"POST /mcp HTTP/1.1\" 200 upstream=127.0.0.1:1, 127.0.0.1:2 \
             upstream_status=502, 200 mcp_method=tools/call mcp_name=t session=- time=0.104",
        );
        assert_eq!(e.status, 200);
        assert_eq!(e.upstreams, ["127.0.0.1:1", "127.0.0.1:2"]);
        assert_eq!(e.upstream_statuses, ["502", "200"]);
        assert_eq!(e.upstream(), "127.0.0.1:2");
        assert_eq!((e.mcp_method.as_str(), e.mcp_name.as_str()), ("tools/call", "t"));
    }

    #[test]
    fn reads_haproxy_log_lines() {
        let e = parse_haproxy_line(
            "127.0.0.1:46086 mcp_replicas/replica1 202 \"POST /mcp HTTP/1.1\" session=f7f9 retries=0 time=1",
        )
        .unwrap();
        assert_eq!(
            (e.server.as_str(), e.status, e.method.as_str(), e.session.as_str()),
            ("replica1", 202, "POST", "f7f9")
        );
        let aborted = parse_haproxy_line(
            "127.0.0.1:46090 mcp_replicas/replica2 -1 \"POST /mcp HTTP/1.1\" session=- retries=0 time=-1 term=CD--",
        )
        .unwrap();
        assert_eq!((aborted.server.as_str(), aborted.status), ("replica2", -1));
        assert!(parse_haproxy_line("Server mcp_replicas/replica3 is DOWN, reason: Layer4").is_none());
    }
}
