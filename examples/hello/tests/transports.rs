//! Runs the `hello` binary over each HTTP transport on a free port, as the MCP Inspector and
//! Python end-to-end tests will: defaults and command-line overrides, `/health`, and SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(20);

struct Running {
    child: Child,
    /// Every stderr line after the address line.
    log: Receiver<String>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `hello` with `args` (and `env`); returns it with the URL it reports serving at.
fn start(args: &[&str], env: &[(&str, &str)]) -> (Running, String) {
    let child = Command::new(env!("CARGO_BIN_EXE_hello"))
        .args(args)
        .envs(env.iter().copied())
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("hello starts");
    let (tx, rx) = std::sync::mpsc::channel();
    let mut running = Running { child, log: rx };
    let stderr = running.child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let wait = deadline.saturating_duration_since(Instant::now());
        let line = running.log.recv_timeout(wait).expect("hello reports its URL");
        if let Some(url) = line.split(" at http://").nth(1) {
            let url = url.split_whitespace().next().unwrap().to_string();
            return (running, url);
        }
    }
}

/// `host:port` and path of a URL without scheme.
fn split(url: &str) -> (String, String) {
    let slash = url.find('/').unwrap();
    (url[..slash].to_string(), url[slash..].to_string())
}

fn http(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    stream.write_all(request(addr, method, path, headers, body).as_bytes()).unwrap();
    let mut out = String::new();
    stream.read_to_string(&mut out).unwrap();
    out
}

fn request(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> String {
    let mut raw =
        format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        raw.push_str(&format!("{k}: {v}\r\n"));
    }
    raw + "\r\n" + body
}

/// Reads from a streaming response until `needle` shows up.
fn read_until(stream: &mut TcpStream, needle: &str) -> String {
    let mut text = String::new();
    let mut buf = [0u8; 4096];
    while !text.contains(needle) {
        let n = stream.read(&mut buf).expect("more of the stream in time");
        assert!(n > 0, "the stream ended before {needle:?}: {text}");
        text.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    text
}

fn stop(mut running: Running) {
    let pid = running.child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let started = Instant::now();
    loop {
        if let Some(status) = running.child.try_wait().unwrap() {
            assert!(status.success(), "{status}");
            return;
        }
        assert!(started.elapsed() < TIMEOUT, "hello exits after SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    }
}

const POST: &[(&str, &str)] =
    &[("Accept", "application/json, text/event-stream"), ("Content-Type", "application/json")];
const INIT: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2024-11-05","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#;
const CALL: &str =
    r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"hello","arguments":{"name":"binary"}}}"#;

#[test]
fn http_with_default_path() {
    let (running, url) = start(&["--transport", "http", "--port", "0"], &[]);
    let (addr, path) = split(&url);
    assert!(addr.starts_with("127.0.0.1:"), "default host: {url}");
    assert_eq!(path, "/mcp/", "default path");
    let resp = http(&addr, "POST", "/mcp", POST, INIT);
    assert!(resp.starts_with("HTTP/1.1 200") && resp.to_ascii_lowercase().contains("mcp-session-id"), "{resp}");
    let without_session = http(&addr, "POST", "/mcp/", POST, CALL);
    assert!(without_session.starts_with("HTTP/1.1 400"), "sessions are required: {without_session}");
    assert!(http(&addr, "GET", "/health", &[], "").ends_with("OK"));
    stop(running);
}

#[test]
fn command_line_overrides_host_path_log_level_and_mode() {
    let args =
        ["-t", "streamable-http", "--host", "localhost", "-p", "0", "--path", "/custom", "-l", "debug", "--stateless"];
    let (running, url) = start(&args, &[]);
    let (addr, path) = split(&url);
    assert_eq!(path, "/custom/");
    let resp = http(&addr, "POST", "/custom", POST, CALL);
    assert!(resp.contains("Hello, binary!"), "{resp}");
    // -l debug: the server's debug lines reach stderr.
    let deadline = Instant::now() + TIMEOUT;
    let mut saw_debug = false;
    while !saw_debug && Instant::now() < deadline {
        match running.log.recv_timeout(Duration::from_millis(200)) {
            Ok(line) => saw_debug = line.contains("DEBUG"),
            Err(_) => {
                let _ = http(&addr, "POST", "/custom", POST, CALL);
            }
        }
    }
    assert!(saw_debug, "debug logging is on");
    stop(running);
}

#[test]
fn environment_variables_choose_the_transport() {
    let (running, url) = start(&[], &[("MCP_TRANSPORT", "http"), ("MCP_PORT", "0"), ("MCP_PATH", "/env")]);
    assert!(url.ends_with("/env/"), "{url}");
    stop(running);
}

#[test]
fn sse_transport() {
    let (running, url) = start(&["--transport", "sse", "--port", "0"], &[]);
    let (addr, path) = split(&url);
    assert_eq!(path, "/sse/");
    let mut stream = TcpStream::connect(&addr).unwrap();
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    stream.write_all(request(&addr, "GET", "/sse", &[("Accept", "text/event-stream")], "").as_bytes()).unwrap();
    let text = read_until(&mut stream, "session_id=");
    let endpoint: String = text.split("data: ").nth(1).unwrap().lines().next().unwrap().trim().to_string();
    let endpoint = read_endpoint(&mut stream, endpoint);
    assert!(endpoint.starts_with("/messages/?session_id="), "{endpoint}");
    let accepted = http(&addr, "POST", &endpoint, POST, INIT);
    assert!(accepted.starts_with("HTTP/1.1 202"), "{accepted}");
    read_until(&mut stream, "\"protocolVersion\":\"2024-11-05\"");
    assert!(http(&addr, "GET", "/health", &[], "").ends_with("OK"));
    drop(stream);
    stop(running);
}

/// Completes the endpoint line if the read stopped inside it.
fn read_endpoint(stream: &mut TcpStream, mut endpoint: String) -> String {
    while endpoint.len() < "/messages/?session_id=".len() + 32 {
        let more = read_until(stream, "\n");
        endpoint.push_str(more.lines().next().unwrap_or_default().trim());
    }
    endpoint
}
