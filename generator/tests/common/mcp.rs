//! A generated server run as a child process and driven over STDIO with JSON-RPC lines.

use serde_json::{Value, json};
use std::process::Stdio;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout};

pub struct StdioServer {
    child: Child,
    stdin: ChildStdin,
    stdout: Lines<BufReader<ChildStdout>>,
    next_id: u64,
    /// The answer to `initialize`.
    pub init: Value,
}

impl StdioServer {
    /// Starts the built binary of `crate_name` with `env`, and completes the MCP handshake.
    pub async fn start(crate_name: &str, env: &[(&str, &str)]) -> StdioServer {
        Self::start_with_args(crate_name, env, &[]).await
    }

    /// Like [`StdioServer::start`], with command-line arguments.
    pub async fn start_with_args(crate_name: &str, env: &[(&str, &str)], args: &[&str]) -> StdioServer {
        let mut cmd = tokio::process::Command::new(super::binary(crate_name));
        cmd.args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .env("RUST_LOG", "debug")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("the generated server starts");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut s = StdioServer { child, stdin, stdout, next_id: 0, init: Value::Null };
        let init = s
            .request(
                "initialize",
                json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "e2e", "version": "1"}}),
            )
            .await;
        assert!(init["result"]["serverInfo"]["name"].is_string(), "{init}");
        s.init = init;
        s.send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"})).await;
        s
    }

    pub async fn send(&mut self, msg: Value) {
        self.stdin.write_all(format!("{msg}\n").as_bytes()).await.unwrap();
        self.stdin.flush().await.unwrap();
    }

    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})).await;
        loop {
            let line = tokio::time::timeout(std::time::Duration::from_secs(30), self.stdout.next_line())
                .await
                .expect("an answer within 30 s")
                .unwrap()
                .expect("the server is still running");
            let msg: Value = serde_json::from_str(&line).expect("stdout carries only JSON-RPC");
            if msg["id"] == json!(id) {
                return msg;
            }
        }
    }

    /// `tools/call`, returning the `CallToolResult`.
    pub async fn call(&mut self, tool: &str, arguments: Value) -> Value {
        let r = self.request("tools/call", json!({"name": tool, "arguments": arguments})).await;
        r["result"].clone()
    }

    /// The server's process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Stops the server and returns what it logged.
    pub async fn stderr(mut self) -> String {
        drop(self.stdin);
        let _ = self.child.start_kill();
        let out = self.child.wait_with_output().await.unwrap();
        String::from_utf8_lossy(&out.stderr).into_owned()
    }
}

/// The first text content of a tool result.
pub fn text(result: &Value) -> &str {
    result["content"][0]["text"].as_str().unwrap_or_default()
}
