//! A minimal MCP client over STDIO: newline-delimited JSON-RPC on a child's pipes, every wait
//! bounded, the child killed when dropped. It never panics: a dead or silent server is an
//! [`Err`] the runner classifies.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Client {
    child: Child,
    stdin: ChildStdin,
    /// Each line the server wrote, and the message it holds.
    messages: Receiver<(String, Value)>,
    stderr: Arc<Mutex<String>>,
    next_id: i64,
}

impl Client {
    pub fn spawn(command: &mut Command) -> std::io::Result<Client> {
        let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
        let stdin = child.stdin.take().ok_or_else(|| std::io::Error::other("no stdin"))?;
        let stdout = child.stdout.take().ok_or_else(|| std::io::Error::other("no stdout"))?;
        let mut stderr_pipe = child.stderr.take().ok_or_else(|| std::io::Error::other("no stderr"))?;
        let (tx, messages) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let message = serde_json::from_str(&line).unwrap_or_else(|_| Value::String(line.clone()));
                if tx.send((line, message)).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut chunk = [0u8; 4096];
            while let Ok(n) = stderr_pipe.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                let mut s = sink.lock().unwrap_or_else(|e| e.into_inner());
                // Only the start matters for a report; a chatty server must not fill memory.
                if s.len() < 16_384 {
                    s.push_str(&String::from_utf8_lossy(&chunk[..n]));
                }
            }
        });
        Ok(Client { child, stdin, messages, stderr, next_id: 0 })
    }

    /// `initialize` then `notifications/initialized`.
    pub fn initialize(&mut self, timeout: Duration) -> Result<Value, String> {
        let params = json!({
            "protocolVersion": "2025-11-25",
            "capabilities": {},
            "clientInfo": {"name": "mcpgen-corpus", "version": "0"}
        });
        let result = self.request("initialize", params, timeout)?;
        self.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))?;
        Ok(result)
    }

    /// Every tool `tools/list` returns, following `nextCursor`.
    pub fn list_tools(&mut self, timeout: Duration) -> Result<Vec<Value>, String> {
        let mut tools = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..10_000 {
            let params = match &cursor {
                Some(c) => json!({"cursor": c}),
                None => json!({}),
            };
            let page = self.request("tools/list", params, timeout)?;
            tools.extend(page.get("tools").and_then(Value::as_array).cloned().unwrap_or_default());
            cursor = page.get("nextCursor").and_then(Value::as_str).map(str::to_string);
            if cursor.is_none() {
                return Ok(tools);
            }
        }
        Err("tools/list kept returning a nextCursor".into())
    }

    /// A request's `result`; `Err` for a JSON-RPC error, a timeout or a dead server.
    pub fn request(&mut self, method: &str, params: Value, timeout: Duration) -> Result<Value, String> {
        let (_, m) = self.exchange(method, params, timeout)?;
        if let Some(e) = m.get("error") {
            return Err(format!("JSON-RPC error {}", e));
        }
        m.get("result").cloned().ok_or_else(|| format!("a response without result: {m}"))
    }

    /// A request's response, as the line the server wrote and as JSON, errors included; `Err`
    /// for a timeout or a dead server.
    pub fn exchange(&mut self, method: &str, params: Value, timeout: Duration) -> Result<(String, Value), String> {
        self.next_id += 1;
        let id = json!(self.next_id);
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))?;
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.messages.recv_timeout(left) {
                Ok((line, m)) if m.get("id") == Some(&id) && m.get("method").is_none() => return Ok((line, m)),
                Ok((_, Value::String(line))) => return Err(format!("stdout carried a non-JSON line: {line:.200}")),
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout) => return Err(format!("no answer to {method} within {timeout:?}")),
                Err(RecvTimeoutError::Disconnected) => return Err(self.died()),
            }
        }
    }

    pub fn send(&mut self, message: &Value) -> Result<(), String> {
        let mut line = message.to_string().into_bytes();
        line.push(b'\n');
        self.stdin.write_all(&line).and_then(|()| self.stdin.flush()).map_err(|_| self.died())
    }

    fn died(&mut self) -> String {
        std::thread::sleep(Duration::from_millis(100));
        let status = self.child.try_wait().ok().flatten().map(|s| s.to_string()).unwrap_or("closed stdout".into());
        format!("the server exited ({status}): {}", self.stderr().trim())
    }

    /// What the server wrote to stderr so far (its first 16 KiB).
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
