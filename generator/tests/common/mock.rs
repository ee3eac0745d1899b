//! `mcpgen mock SPEC` run as a child process on a free loopback port, and its record of what it
//! received.

use mcpgen_tests::process::{KillOnDrop, read_to_end};
use serde_json::Value;
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub struct MockServer {
    process: KillOnDrop,
    /// `http://127.0.0.1:<port>`
    pub root: String,
}

impl MockServer {
    /// Starts `mcpgen mock spec` and waits until it listens. Panics with its stderr otherwise.
    pub fn start(spec: &Path) -> MockServer {
        let mut last = String::new();
        // Another process may take the free port first; a fresh port settles that.
        for _ in 0..3 {
            let port = mcpgen_tests::ports::free_port();
            let mut child = Command::new(env!("CARGO_BIN_EXE_mcpgen"))
                .arg("mock")
                .arg(spec)
                .args(["--port", &port.to_string()])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("mcpgen mock starts");
            let stderr = read_to_end(child.stderr.take().expect("piped"));
            let mut process = KillOnDrop::new(child);
            let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
            let deadline = Instant::now() + Duration::from_secs(20);
            while Instant::now() < deadline {
                if process.try_status().is_some() {
                    last = stderr.recv_timeout(Duration::from_secs(2)).unwrap_or_default();
                    break;
                }
                if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                    return MockServer { process, root: format!("http://127.0.0.1:{port}") };
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            if !last.contains("in use") {
                break;
            }
        }
        panic!("mcpgen mock {} did not start listening:\n{last}", spec.display());
    }

    /// Everything the mock received so far, oldest first.
    pub fn requests(&self) -> Vec<Value> {
        let (status, body) = mcpgen_tests::http::get(&format!("{}/__mcpgen/requests", self.root));
        assert_eq!(status, 200, "{body}");
        serde_json::from_str::<Value>(&body).expect("the record is JSON").as_array().cloned().unwrap_or_default()
    }

    /// Stops the mock; it must still be running (it survived every request).
    pub fn stop(mut self) {
        assert!(self.process.try_status().is_none(), "the mock stayed up");
    }
}
