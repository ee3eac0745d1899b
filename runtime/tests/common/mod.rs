//! Test support: an in-process server on 127.0.0.1 port 0, and a raw HTTP/1.1 client that sends
//! exactly the bytes a test writes and reads the response, chunk by chunk when it streams.
#![allow(dead_code)]

use mcpgen_runtime::serde_json::{Value, json};
use mcpgen_runtime::{HttpHandle, RunOptions, Server, Tool, ToolResult};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Every wait in these tests is bounded by this.
pub const TIMEOUT: Duration = Duration::from_secs(10);

pub const MODERN: &str = "2026-07-28";
pub const PV_KEY: &str = "io.modelcontextprotocol/protocolVersion";
pub const CAPS_KEY: &str = "io.modelcontextprotocol/clientCapabilities";

/// A served app; stops (gracefully) when dropped or on [`TestServer::stop`].
pub struct TestServer {
    pub addr: SocketAddr,
    pub handle: HttpHandle,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl TestServer {
    pub async fn start(server: Server, options: RunOptions) -> TestServer {
        let app = server.http_app(&options).expect("the app builds");
        let handle = app.handle();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(app.serve(listener, async move {
            let _ = rx.await;
        }));
        TestServer { addr, handle, stop: Some(tx), task: Some(task) }
    }

    /// Signals shutdown and waits (bounded) for `serve` to return.
    pub async fn stop(mut self) -> std::io::Result<()> {
        self.stop.take().map(|tx| tx.send(()));
        let task = self.task.take().unwrap();
        tokio::time::timeout(TIMEOUT, task).await.expect("serve returns after shutdown").unwrap()
    }

    /// Signals shutdown without waiting.
    pub fn signal_stop(&mut self) {
        self.stop.take().map(|tx| tx.send(()));
    }

    pub async fn join(mut self) -> std::io::Result<()> {
        let task = self.task.take().unwrap();
        tokio::time::timeout(TIMEOUT, task).await.expect("serve returns after shutdown").unwrap()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// The `hello` tool of examples/hello.
pub fn hello_tool() -> Tool {
    Tool::new("hello", json!({"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}))
        .description("Say hello to someone")
        .handler(|args, _ctx| async move {
            Ok(ToolResult::text(format!("Hello, {}!", args["name"].as_str().unwrap_or_default())))
        })
}

/// A parsed HTTP response head, with whatever body was read.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        mcpgen_runtime::serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {:?}", self.text()))
    }

    /// The `data:` payloads of `event: message` events in an SSE body, parsed.
    pub fn sse_messages(&self) -> Vec<Value> {
        sse_messages(&self.text())
    }
}

/// JSON of every `data:` line that is not empty, in order.
pub fn sse_messages(text: &str) -> Vec<Value> {
    text.split("\n\n")
        .filter_map(|event| event.lines().find_map(|l| l.strip_prefix("data:")).map(str::trim))
        .filter(|d| !d.is_empty())
        .filter_map(|d| mcpgen_runtime::serde_json::from_str(d).ok())
        .collect()
}

/// One raw HTTP/1.1 connection.
pub struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

/// How the body of the current response is framed.
enum Framing {
    Length(usize),
    Chunked,
    UntilClose,
}

impl Conn {
    pub async fn open(addr: SocketAddr) -> Conn {
        let stream = tokio::time::timeout(TIMEOUT, TcpStream::connect(addr)).await.unwrap().unwrap();
        Conn { stream, buf: Vec::new() }
    }

    pub async fn write(&mut self, raw: &[u8]) {
        self.stream.write_all(raw).await.unwrap();
    }

    async fn fill(&mut self) -> bool {
        let mut chunk = [0u8; 8192];
        let n = tokio::time::timeout(TIMEOUT, self.stream.read(&mut chunk))
            .await
            .expect("the server answers in time")
            .unwrap_or(0);
        self.buf.extend_from_slice(&chunk[..n]);
        n > 0
    }

    /// Like [`Conn::write`], but false when the server has closed the connection.
    pub async fn try_write(&mut self, raw: &[u8]) -> bool {
        self.stream.write_all(raw).await.is_ok()
    }

    /// Like [`Conn::head`], but `None` when the connection closes before a whole head arrives.
    pub async fn try_head(&mut self) -> Option<Resp> {
        while find(&self.buf, b"\r\n\r\n").is_none() {
            if !self.fill().await {
                return None;
            }
        }
        Some(self.head().await)
    }

    /// Reads the status line and headers.
    pub async fn head(&mut self) -> Resp {
        loop {
            if let Some(end) = find(&self.buf, b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&self.buf[..end]).into_owned();
                self.buf.drain(..end + 4);
                let mut lines = head.split("\r\n");
                let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
                let headers = lines
                    .filter_map(|l| l.split_once(':'))
                    .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
                    .collect();
                return Resp { status, headers, body: Vec::new() };
            }
            assert!(self.fill().await, "connection closed before the response head");
        }
    }

    fn framing(resp: &Resp) -> Framing {
        if resp.header("transfer-encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked")) {
            Framing::Chunked
        } else if let Some(n) = resp.header("content-length") {
            Framing::Length(n.parse().unwrap())
        } else {
            Framing::UntilClose
        }
    }

    /// The next body chunk of a chunked response; `None` at its end.
    pub async fn next_chunk(&mut self) -> Option<Vec<u8>> {
        loop {
            if let Some(eol) = find(&self.buf, b"\r\n") {
                let size_line = String::from_utf8_lossy(&self.buf[..eol]).into_owned();
                let size = usize::from_str_radix(size_line.split(';').next().unwrap().trim(), 16).unwrap();
                if self.buf.len() >= eol + 2 + size + 2 {
                    let data = self.buf[eol + 2..eol + 2 + size].to_vec();
                    self.buf.drain(..eol + 2 + size + 2);
                    return if size == 0 { None } else { Some(data) };
                }
            }
            if !self.fill().await {
                return None;
            }
        }
    }

    /// Reads body chunks until the accumulated text contains `needle`; returns all of it.
    pub async fn read_until(&mut self, needle: &str) -> String {
        let mut text = String::new();
        while !text.contains(needle) {
            match self.next_chunk().await {
                Some(chunk) => text.push_str(&String::from_utf8_lossy(&chunk)),
                None => panic!("the stream ended before {needle:?}; got {text:?}"),
            }
        }
        text
    }

    /// Reads the whole body of the current response.
    pub async fn body(&mut self, resp: &mut Resp) {
        match Self::framing(resp) {
            Framing::Length(n) => {
                while self.buf.len() < n {
                    assert!(self.fill().await, "connection closed inside the body");
                }
                resp.body = self.buf.drain(..n).collect();
            }
            Framing::Chunked => {
                while let Some(chunk) = self.next_chunk().await {
                    resp.body.extend_from_slice(&chunk);
                }
            }
            Framing::UntilClose => {
                while self.fill().await {}
                resp.body = std::mem::take(&mut self.buf);
            }
        }
    }

    /// Whether the server closed the connection (EOF) within `wait`.
    pub async fn closed_within(&mut self, wait: Duration) -> bool {
        let mut chunk = [0u8; 1024];
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.stream.read(&mut chunk)).await {
                Err(_) => return false,
                Ok(Ok(0)) | Ok(Err(_)) => return true,
                Ok(Ok(_)) => continue,
            }
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A request under construction: method, path, headers, body. `Host: 127.0.0.1` unless set.
pub struct Req {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

pub fn req(method: &str, path: &str) -> Req {
    Req { method: method.into(), path: path.into(), headers: Vec::new(), body: Vec::new() }
}

/// A POST with the headers a well-behaved client sends.
pub fn post(path: &str, body: &Value) -> Req {
    req("POST", path)
        .header("Accept", "application/json, text/event-stream")
        .header("Content-Type", "application/json")
        .body(mcpgen_runtime::serde_json::to_vec(body).unwrap())
}

/// A 2026-07-28 POST: `_meta` envelope in the body, and the mirrored headers.
pub fn modern_post(path: &str, id: i64, method: &str, mut params: Value) -> Req {
    params["_meta"] = json!({PV_KEY: MODERN, CAPS_KEY: {}});
    let name = params.get("name").or(params.get("uri")).and_then(Value::as_str).map(str::to_string);
    let mut r = post(path, &json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
        .header("MCP-Protocol-Version", MODERN)
        .header("Mcp-Method", method);
    if let Some(name) = name {
        r = r.header("Mcp-Name", &name);
    }
    r
}

impl Req {
    pub fn header(mut self, name: &str, value: &str) -> Req {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Replaces every header called `name`.
    pub fn set(mut self, name: &str, value: &str) -> Req {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self.header(name, value)
    }

    pub fn without(mut self, name: &str) -> Req {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self
    }

    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Req {
        self.body = body.into();
        self
    }

    pub fn bytes(&self) -> Vec<u8> {
        let mut out = format!("{} {} HTTP/1.1\r\n", self.method, self.path);
        if !self.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
            out.push_str("Host: 127.0.0.1\r\n");
        }
        for (k, v) in &self.headers {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        if !self.body.is_empty() || self.method == "POST" {
            out.push_str(&format!("Content-Length: {}\r\n", self.body.len()));
        }
        out.push_str("\r\n");
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }

    /// Sends on a fresh connection and reads the complete response.
    pub async fn send(&self, addr: SocketAddr) -> Resp {
        let mut conn = Conn::open(addr).await;
        conn.write(&self.bytes()).await;
        let mut resp = conn.head().await;
        conn.body(&mut resp).await;
        resp
    }

    /// Sends on a fresh connection and returns it after the response head, for streams.
    pub async fn open(&self, addr: SocketAddr) -> (Conn, Resp) {
        let mut conn = Conn::open(addr).await;
        conn.write(&self.bytes()).await;
        let resp = conn.head().await;
        (conn, resp)
    }
}

/// The JSON-RPC `initialize` request of a legacy client.
pub fn initialize(version: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "raw-test", "version": "1"}}})
}

pub fn request(id: i64, method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

pub fn notification(method: &str) -> Value {
    json!({"jsonrpc": "2.0", "method": method})
}

/// Opens a legacy session at `version` (initialize + initialized); returns its id.
pub async fn open_session(addr: SocketAddr, path: &str, version: &str) -> String {
    let resp = post(path, &initialize(version)).send(addr).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let id = resp.header("mcp-session-id").expect("a session id").to_string();
    let resp = post(path, &notification("notifications/initialized"))
        .header("Mcp-Session-Id", &id)
        .header("MCP-Protocol-Version", version)
        .send(addr)
        .await;
    assert_eq!(resp.status, 202);
    id
}
