//! Runs the `mounted` binary on a free port and talks to it over raw HTTP: the host app's own
//! routes, the MCP endpoint nested under /api, and a clean exit on SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(20);

/// The child process, killed if the test fails before it exits.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the binary and returns it with the `host:port` it reports on stderr.
fn start(args: &[&str]) -> (Running, String) {
    let child = Command::new(env!("CARGO_BIN_EXE_mounted"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut running = Running(child);
    let stderr = running.0.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("listening on http://").nth(1) {
                let _ = tx.send(rest.split([',', ' ']).next().unwrap_or_default().to_string());
            }
        }
    });
    let addr = rx.recv_timeout(TIMEOUT).expect("the server reports its address");
    (running, addr)
}

/// One request on its own connection (`Connection: close`); the raw response text.
fn http(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    let mut raw =
        format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        raw.push_str(&format!("{k}: {v}\r\n"));
    }
    raw.push_str("\r\n");
    raw.push_str(body);
    stream.write_all(raw.as_bytes()).unwrap();
    let mut out = String::new();
    stream.read_to_string(&mut out).unwrap();
    out
}

const MCP_POST: &[(&str, &str)] =
    &[("Accept", "application/json, text/event-stream"), ("Content-Type", "application/json")];

#[test]
fn the_mounted_app_serves_its_own_routes_and_mcp_under_api() {
    let (mut child, addr) = start(&["--port", "0"]);
    assert!(http(&addr, "GET", "/", &[], "").ends_with("the host application"));
    assert!(http(&addr, "GET", "/status", &[], "").ends_with("running"));
    assert!(http(&addr, "GET", "/api/health", &[], "").ends_with("OK"));

    let init = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#;
    let resp = http(&addr, "POST", "/api/mcp", MCP_POST, init);
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    assert!(resp.to_ascii_lowercase().contains("mcp-session-id: "), "{resp}");

    let call = r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"hello","arguments":{"name":"host"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}"#;
    let modern =
        [MCP_POST, &[("MCP-Protocol-Version", "2026-07-28"), ("Mcp-Method", "tools/call"), ("Mcp-Name", "hello")]]
            .concat();
    let resp = http(&addr, "POST", "/api/mcp/", &modern, call);
    assert!(resp.contains("Hello, host!"), "{resp}");

    // SIGTERM: a graceful exit.
    let pid = child.0.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let started = Instant::now();
    loop {
        if let Some(status) = child.0.try_wait().unwrap() {
            assert!(status.success(), "{status}");
            break;
        }
        assert!(started.elapsed() < TIMEOUT, "the server exits after SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    }
}
