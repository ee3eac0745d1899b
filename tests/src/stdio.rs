//! Raw JSON-RPC over a server's stdin and stdout, for testing the STDIO transport itself.
//!
//! [`StdioServer`] spawns a server, writes whatever bytes a test wants to its stdin, and reads its
//! stdout line by line on a background thread: every line is kept (so a test can check that
//! stdout carried nothing but JSON-RPC), parsed, and queued. stderr is collected separately.
//! Every wait has a deadline; the process is killed when the value is dropped.

use crate::endpoint::ServerCommand;
use crate::process::KillOnDrop;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{ChildStdin, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// The protocol version raw tests speak through `initialize`.
pub const LEGACY_VERSION: &str = "2025-11-25";

/// A server process driven over raw pipes.
pub struct StdioServer {
    process: KillOnDrop,
    stdin: Option<ChildStdin>,
    messages: Receiver<Value>,
    /// Messages read while waiting for something else.
    queued: VecDeque<Value>,
    stdout_lines: Arc<Mutex<Vec<String>>>,
    stderr: Arc<Mutex<String>>,
    readers: Vec<thread::JoinHandle<()>>,
    next_id: i64,
}

impl StdioServer {
    pub fn spawn(server: &ServerCommand) -> StdioServer {
        let mut child = server
            .command()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", server.program.display()));
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr_pipe = child.stderr.take().expect("stderr is piped");

        let stdout_lines = Arc::new(Mutex::new(Vec::new()));
        let (tx, messages) = mpsc::channel();
        let lines = stdout_lines.clone();
        let stdout_reader = thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = Vec::new();
            while reader.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) {
                let text = String::from_utf8_lossy(&line).trim_end_matches(['\n', '\r']).to_string();
                line.clear();
                lines.lock().unwrap().push(text.clone());
                // A line that is not JSON still reaches the test, as a string, so it fails visibly.
                let message = serde_json::from_str(&text).unwrap_or(Value::String(text));
                if tx.send(message).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        let stderr_reader = thread::spawn(move || {
            let mut reader = BufReader::new(stderr_pipe);
            let mut chunk = [0u8; 4096];
            while let Ok(n) = reader.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().push_str(&String::from_utf8_lossy(&chunk[..n]));
            }
        });
        StdioServer {
            process: KillOnDrop::new(child),
            stdin,
            messages,
            queued: VecDeque::new(),
            stdout_lines,
            stderr,
            readers: vec![stdout_reader, stderr_reader],
            next_id: 1000,
        }
    }

    /// Writes `message` as one line.
    pub fn send(&mut self, message: &Value) {
        let mut line = serde_json::to_vec(message).expect("JSON serializes");
        line.push(b'\n');
        self.send_raw(&line);
    }

    /// Writes bytes as they are.
    pub fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin is still open");
        if let Err(e) = stdin.write_all(bytes).and_then(|()| stdin.flush()) {
            panic!("writing to the server failed ({e}); stderr:\n{}", self.stderr());
        }
    }

    /// Sends a request with a fresh id and returns the id.
    pub fn send_request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = json!(self.next_id);
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// Sends a request and waits (at most [`crate::CLIENT_TIMEOUT`]) for its response.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        self.response(&id, crate::CLIENT_TIMEOUT)
    }

    /// `initialize` + `notifications/initialized`; returns the `initialize` result.
    pub fn initialize(&mut self) -> Value {
        let response = self.request(
            "initialize",
            json!({
                "protocolVersion": LEGACY_VERSION,
                "capabilities": {},
                "clientInfo": {"name": "mcpgen-tests", "version": "0"}
            }),
        );
        self.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        response.get("result").cloned().unwrap_or_else(|| panic!("initialize failed: {response}"))
    }

    /// The next message from the server, or `None` if none arrives within `timeout`.
    pub fn next_message(&mut self, timeout: Duration) -> Option<Value> {
        if let Some(message) = self.queued.pop_front() {
            return Some(message);
        }
        self.messages.recv_timeout(timeout).ok()
    }

    /// Waits for the response with `id`, keeping other messages for later. Panics (with the
    /// server's stderr) if it does not arrive within `timeout`.
    pub fn response(&mut self, id: &Value, timeout: Duration) -> Value {
        self.try_response(id, timeout)
            .unwrap_or_else(|| panic!("no response to request {id} within {timeout:?}; stderr:\n{}", self.stderr()))
    }

    /// Like [`StdioServer::response`], `None` on timeout.
    pub fn try_response(&mut self, id: &Value, timeout: Duration) -> Option<Value> {
        if let Some(pos) = self.queued.iter().position(|m| m.get("id") == Some(id) && m.get("method").is_none()) {
            return self.queued.remove(pos);
        }
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.messages.recv_timeout(left) {
                Ok(message) if message.get("id") == Some(id) && message.get("method").is_none() => {
                    return Some(message);
                }
                Ok(other) => self.queued.push_back(other),
                Err(_) => return None,
            }
        }
    }

    /// Closes the server's stdin (EOF).
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Waits at most `timeout` for the process to exit; once it has, also waits (briefly) until
    /// everything it wrote has been read.
    pub fn wait(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let status = self.process.wait_timeout(timeout)?;
        let deadline = Instant::now() + Duration::from_secs(2);
        while !self.readers.iter().all(thread::JoinHandle::is_finished) && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(5));
        }
        Some(status)
    }

    /// Every line the server has written to stdout so far.
    pub fn stdout_lines(&self) -> Vec<String> {
        self.stdout_lines.lock().unwrap().clone()
    }

    /// Everything the server has written to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }
}
