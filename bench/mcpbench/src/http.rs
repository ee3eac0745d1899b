//! MCP over Streamable HTTP: a load of one `tools/call` (by default `add(1, 2)`, any tool with
//! `--call`/`--args`/`--expect`, see `call.rs`).
//!
//! Each of `--connections` tasks owns one keep-alive HTTP/1.1 connection and sends its next
//! request as soon as the previous answer is read in full (the same closed loop as wrk). With
//! `--rate`, the load is open instead: each connection sends on a fixed schedule, and a
//! request's latency counts from when it was due (see `Pacing`), so two servers can be compared
//! at the same offered load rather than each at its own saturation.
//! - `--mode stateless`: every POST stands alone (no `initialize`), the server's stateless mode.
//! - `--mode session`: each connection first opens its own legacy session (`initialize`, then
//!   `notifications/initialized`), then sends every call with that `Mcp-Session-Id`; replies may
//!   be JSON or SSE and are read to the end of the stream.
//!
//! The first reply on each connection is parsed and checked in full; later ones get a byte check
//! for the expected text (parsing every reply would spend the CPU the server under test needs).
//! Requests completed during `--warmup` seconds are not recorded.

use crate::call::{Call, CallArgs};
use crate::{Result, mcp, stats};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{Connection, SendRequest};
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    Stateless,
    Session,
}

#[derive(clap::Args)]
pub struct HttpArgs {
    /// The MCP endpoint, `http://127.0.0.1:PORT/PATH` (loopback only).
    #[arg(long)]
    url: String,
    #[arg(long, value_enum, default_value = "stateless")]
    mode: Mode,
    #[arg(long, default_value_t = 16)]
    connections: usize,
    /// Measured seconds (after the warm-up).
    #[arg(long, default_value_t = 3.0)]
    duration: f64,
    /// Seconds of load before measuring starts.
    #[arg(long, default_value_t = 1.0)]
    warmup: f64,
    /// Stop after this many measured requests in all (the duration still bounds the run).
    #[arg(long)]
    max_requests: Option<u64>,
    /// The Accept header. Both types must be listed; servers may answer a stream when the client
    /// ranks `text/event-stream` first and JSON otherwise.
    #[arg(long, default_value = ACCEPT_JSON_FIRST)]
    accept: String,
    /// Offered load in requests per second over all connections (open loop; see `Pacing`).
    #[arg(long)]
    rate: Option<f64>,
    #[command(flatten)]
    call: CallArgs,
}

/// How long one request may wait for its complete answer. A server that loses an answer (or
/// never ends its stream) fails the run instead of hanging it.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);

/// What most clients send (the Python SDK, the Inspector): JSON ranked first.
pub const ACCEPT_JSON_FIRST: &str = "application/json, text/event-stream";

#[derive(clap::Args)]
pub struct SessionsArgs {
    #[arg(long)]
    url: String,
    /// How many sessions to open.
    #[arg(long, default_value_t = 1000)]
    count: u64,
    /// Connections opening them in parallel.
    #[arg(long, default_value_t = 16)]
    connections: usize,
}

/// Where to send: the socket address and the request target.
#[derive(Clone)]
struct Target {
    addr: String,
    host: String,
    path: String,
    accept: String,
}

impl Target {
    fn parse(url: &str) -> Result<Target> {
        let rest = url.strip_prefix("http://").ok_or_else(|| format!("`{url}`: only http:// URLs are supported"))?;
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let host = authority.rsplit_once(':').map(|(h, _)| h).unwrap_or(authority);
        if !matches!(host, "127.0.0.1" | "localhost" | "[::1]") {
            return Err(format!("`{url}`: the benchmark only targets loopback addresses"));
        }
        let addr = if authority.contains(':') { authority.to_string() } else { format!("{authority}:80") };
        Ok(Target { addr, host: authority.to_string(), path: path.to_string(), accept: ACCEPT_JSON_FIRST.into() })
    }
}

/// One reply: status, whether it was SSE, the session header, the whole body.
struct Reply {
    status: StatusCode,
    sse: bool,
    session: Option<String>,
    body: Bytes,
}

/// One keep-alive connection. Its hyper connection future is polled by the same task that sends
/// (see `post`), not by a task of its own: no cross-task wake-up per request, so the client
/// spends as little of the shared CPU as it can.
struct Conn {
    sender: SendRequest<Full<Bytes>>,
    driver: Pin<Box<Connection<TokioIo<TcpStream>, Full<Bytes>>>>,
    closed: bool,
    target: Target,
    /// How long one request may wait for its answer.
    timeout: Duration,
}

impl Conn {
    async fn open(target: &Target) -> Result<Conn> {
        let stream = TcpStream::connect(&target.addr).await.map_err(|e| format!("connect {}: {e}", target.addr))?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        let (sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.map_err(|e| e.to_string())?;
        Ok(Conn {
            sender,
            driver: Box::pin(connection),
            closed: false,
            target: target.clone(),
            timeout: ANSWER_TIMEOUT,
        })
    }

    async fn post(&mut self, body: String, session: Option<&str>) -> Result<Reply> {
        if self.closed {
            return Err("connection closed".into());
        }
        let exchange = Self::exchange(&mut self.sender, &self.target, body, session);
        tokio::pin!(exchange);
        let answer = tokio::time::sleep(self.timeout);
        tokio::pin!(answer);
        tokio::select! {
            biased;
            reply = &mut exchange => reply,
            ended = &mut self.driver => {
                self.closed = true;
                Err(format!("connection closed: {}", ended.err().map(|e| e.to_string()).unwrap_or_else(|| "by the server".into())))
            }
            _ = &mut answer => {
                // the connection is left mid-exchange: unusable, like a closed one
                self.closed = true;
                Err(format!("connection closed: no complete answer within {:?}", self.timeout))
            }
        }
    }

    async fn exchange(
        sender: &mut SendRequest<Full<Bytes>>,
        target: &Target,
        body: String,
        session: Option<&str>,
    ) -> Result<Reply> {
        let mut request = Request::post(&target.path)
            .header("host", &target.host)
            .header("accept", &target.accept)
            .header("content-type", "application/json")
            .header("mcp-protocol-version", mcp::PROTOCOL_VERSION);
        if let Some(id) = session {
            request = request.header("mcp-session-id", id);
        }
        let request = request.body(Full::new(Bytes::from(body))).map_err(|e| e.to_string())?;
        sender.ready().await.map_err(|e| format!("connection closed: {e}"))?;
        let response = sender.send_request(request).await.map_err(|e| format!("request failed: {e}"))?;
        let status = response.status();
        let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
        let sse = header("content-type").is_some_and(|t| t.starts_with("text/event-stream"));
        let session = header("mcp-session-id");
        let body = response.into_body().collect().await.map_err(|e| format!("reading the body: {e}"))?.to_bytes();
        Ok(Reply { status, sse, session, body })
    }

    /// `initialize` then `notifications/initialized`; the session id.
    async fn open_session(&mut self, id: u64) -> Result<String> {
        let reply = self.post(mcp::initialize(id), None).await?;
        if reply.status != StatusCode::OK {
            return Err(format!("initialize answered {}: {}", reply.status, String::from_utf8_lossy(&reply.body)));
        }
        let session = reply.session.clone().ok_or("initialize answered without an Mcp-Session-Id header")?;
        let message = mcp::reply_message(&reply.body, reply.sse).ok_or_else(|| {
            format!("initialize reply is not a JSON-RPC response: {}", String::from_utf8_lossy(&reply.body))
        })?;
        if message.get("result").is_none() {
            return Err(format!("initialize failed: {message}"));
        }
        let ack = self.post(mcp::INITIALIZED.to_string(), Some(&session)).await?;
        if !ack.status.is_success() {
            return Err(format!("notifications/initialized answered {}", ack.status));
        }
        Ok(session)
    }
}

/// Checks a `tools/call` reply; `full` parses it, otherwise the byte check.
fn check_reply(call: &Call, reply: &Reply, full: bool) -> Result<()> {
    if reply.status != StatusCode::OK {
        return Err(format!("tools/call answered {}: {}", reply.status, String::from_utf8_lossy(&reply.body)));
    }
    if full { call.check_body(&reply.body, reply.sse) } else { call.check_bytes(&reply.body) }
}

#[derive(Default)]
struct TaskResult {
    samples: Vec<u32>,
    errors: u64,
    first_error: Option<String>,
    last_done: Option<Instant>,
    reply_bytes: usize,
    sse_replies: u64,
    /// Open loop: how far behind its schedule each measured request was sent, summed (µs).
    late_us: u64,
}

/// When a connection sends. Closed loop: at once after the last answer, latency counted from
/// the send. Open loop (`--rate`): request `k` of connection `c` is due at
/// `start + (k + c / connections) × interval`, each connection on its own thread (a
/// current-thread runtime) sleeping until then with the OS's high-resolution sleep, since
/// tokio's timer ticks in milliseconds; latency counts from the due time, so an answer that comes
/// late delays the requests behind it and is counted in each of them (as wrk2 does), and the
/// sleep's own overshoot is reported as `late_ms`.
#[derive(Clone)]
struct Pacing {
    start: Instant,
    warm_end: Instant,
    end: Instant,
    budget: Arc<AtomicU64>,
    /// Open loop: the time between two requests of one connection.
    interval: Option<Duration>,
}

pub async fn run(args: HttpArgs) -> Result<()> {
    let out = measure(&args).await?;
    println!("{out}");
    Ok(())
}

/// One run's result (see `run`); an error when no request completed.
async fn measure(args: &HttpArgs) -> Result<serde_json::Value> {
    let target = Target { accept: args.accept.clone(), ..Target::parse(&args.url)? };
    let call = Arc::new(Call::new(&args.call)?);
    let interval = match args.rate {
        Some(rate) if rate.is_finite() && rate > 0.0 => Some(Duration::from_secs_f64(args.connections as f64 / rate)),
        Some(rate) => return Err(format!("--rate {rate}: expected requests per second above 0")),
        None => None,
    };
    let mut conns = Vec::new();
    if interval.is_none() {
        for c in 0..args.connections {
            conns.push(open(&target, args.mode, c).await?);
        }
    }
    // Open loop: each thread opens its own connection (a socket belongs to the runtime that
    // opened it) in the time before the schedule starts.
    let start = Instant::now() + if interval.is_some() { Duration::from_millis(100) } else { Duration::ZERO };
    let warm_end = start + Duration::from_secs_f64(args.warmup);
    let end = warm_end + Duration::from_secs_f64(args.duration);
    let budget = Arc::new(AtomicU64::new(args.max_requests.unwrap_or(u64::MAX)));
    let pacing = Pacing { start, warm_end, end, budget, interval };

    let mut tasks = Vec::new();
    let phase = |c: usize| c as f64 / args.connections as f64;
    for (c, (conn, session)) in conns.into_iter().enumerate() {
        tasks.push(tokio::spawn(load(conn, session, call.clone(), pacing.clone(), phase(c))));
    }
    if interval.is_some() {
        for c in 0..args.connections {
            let (target, mode, call, pacing, phase) =
                (target.clone(), args.mode, call.clone(), pacing.clone(), phase(c));
            tasks.push(tokio::task::spawn_blocking(move || {
                let runtime =
                    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime");
                runtime.block_on(async move {
                    match open(&target, mode, c).await {
                        Ok((conn, session)) => load(conn, session, call, pacing, phase).await,
                        Err(e) => TaskResult { errors: 1, first_error: Some(e), ..Default::default() },
                    }
                })
            }));
        }
    }

    let mut samples = Vec::new();
    let (mut errors, mut first_error, mut last_done, mut reply_bytes, mut sse_replies, mut late_us) =
        (0, None, None::<Instant>, 0, 0, 0);
    for task in tasks {
        let r = task.await.map_err(|e| e.to_string())?;
        samples.extend_from_slice(&r.samples);
        errors += r.errors;
        first_error = first_error.or(r.first_error);
        last_done = last_done.max(r.last_done);
        reply_bytes = reply_bytes.max(r.reply_bytes);
        sse_replies += r.sse_replies;
        late_us += r.late_us;
    }
    // Open loop: answers that come after the end still count, over the time they took.
    let last = if interval.is_some() { last_done } else { last_done.map(|t| t.min(end)) };
    let window = last.map(|t| t.saturating_duration_since(warm_end)).unwrap_or_default();
    let requests = samples.len() as u64;
    let rps = if window.is_zero() { 0.0 } else { requests as f64 / window.as_secs_f64() };
    let mut out = serde_json::json!({
        "requests": requests,
        "seconds": window.as_secs_f64(),
        "rps": rps,
        "errors": errors,
        "reply_bytes": reply_bytes,
        "reply_type": if sse_replies == 0 { "json" } else if sse_replies >= requests { "sse" } else { "mixed" },
    });
    if let Some(rate) = args.rate {
        out["offered_rps"] = rate.into();
        out["late_ms"] = (late_us as f64 / requests.max(1) as f64 / 1000.0).into();
    }
    merge(&mut out, stats::latency_ms(&mut samples));
    if let Some(e) = &first_error {
        out["first_error"] = e.as_str().into();
        eprintln!("mcpbench http: {errors} error(s), first: {e}");
    }
    if requests == 0 {
        return Err(first_error.unwrap_or_else(|| "no request completed".into()));
    }
    Ok(out)
}

/// Connection `c`, with its own legacy session in session mode.
async fn open(target: &Target, mode: Mode, c: usize) -> Result<(Conn, Option<String>)> {
    let mut conn = Conn::open(target).await?;
    let session = match mode {
        Mode::Stateless => None,
        Mode::Session => Some(conn.open_session(c as u64).await?),
    };
    Ok((conn, session))
}

/// One connection's requests until the end (or the shared budget runs out), per `pacing`;
/// `phase` (0..1) spreads the connections' schedules over one interval.
async fn load(mut conn: Conn, session: Option<String>, call: Arc<Call>, pacing: Pacing, phase: f64) -> TaskResult {
    let mut out = TaskResult { samples: Vec::with_capacity(1 << 16), ..Default::default() };
    let mut id = 1u64;
    let mut checked = false;
    let mut due = pacing.interval.map(|interval| pacing.start + interval.mul_f64(phase));
    loop {
        let (t0, late) = match due {
            None => (Instant::now(), Duration::ZERO),
            Some(due) => {
                let now = Instant::now();
                if due > now {
                    // Blocks this connection's own thread, and nothing else.
                    std::thread::sleep(due - now);
                }
                (due, Instant::now().saturating_duration_since(due))
            }
        };
        // Open loop past its capacity: the backlog is given up once the run took twice its time.
        if t0 >= pacing.end || Instant::now() >= pacing.end + (pacing.end - pacing.start) {
            break;
        }
        let measured = t0 >= pacing.warm_end;
        if measured && pacing.budget.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| b.checked_sub(1)).is_err() {
            break;
        }
        let reply = conn.post(call.request(id), session.as_deref()).await;
        id += 1;
        let t1 = Instant::now();
        if let (Some(d), Some(interval)) = (due.as_mut(), pacing.interval) {
            *d += interval;
        }
        let outcome = reply.and_then(|r| {
            check_reply(&call, &r, !checked)?;
            Ok((r.body.len(), r.sse))
        });
        match outcome {
            Ok((len, sse)) => {
                checked = true;
                out.reply_bytes = len;
                out.sse_replies += sse as u64;
                if measured {
                    out.samples.push((t1 - t0).as_micros().min(u32::MAX as u128) as u32);
                    out.last_done = Some(t1);
                    out.late_us += late.as_micros() as u64;
                }
            }
            Err(e) => {
                out.errors += 1;
                let fatal = e.starts_with("connection closed") || e.starts_with("request failed");
                out.first_error.get_or_insert(e);
                if fatal {
                    break;
                }
            }
        }
    }
    out
}

pub async fn sessions(args: SessionsArgs) -> Result<()> {
    let target = Target::parse(&args.url)?;
    let next = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..args.connections.max(1) {
        let (target, next, count) = (target.clone(), next.clone(), args.count);
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::open(&target).await?;
            let mut opened = 0u64;
            while next.fetch_add(1, Ordering::Relaxed) < count {
                conn.open_session(opened).await?;
                opened += 1;
            }
            Ok::<u64, String>(opened)
        }));
    }
    let mut opened = 0;
    for task in tasks {
        opened += task.await.map_err(|e| e.to_string())??;
    }
    println!("{}", serde_json::json!({"sessions": opened, "seconds": start.elapsed().as_secs_f64()}));
    Ok(())
}

/// Start-up over HTTP: from `start`, waits for the port to accept, then `initialize` (and, when
/// the server opened a session, `notifications/initialized`) and `tools/list`. Returns the time
/// to the complete `tools/list` answer and the size of its JSON-RPC message (an SSE event's
/// `data`, or the JSON body), after checking it lists `tool`.
pub async fn first_tools_list(
    url: &str,
    tool: &str,
    start: Instant,
    timeout: Duration,
) -> Result<(Duration, usize, crate::stdio::Listing)> {
    let target = Target::parse(url)?;
    let mut conn = loop {
        match Conn::open(&target).await {
            Ok(conn) => break Conn { timeout, ..conn },
            Err(e) if start.elapsed() > timeout => {
                return Err(format!("the server did not accept within {timeout:?}: {e}"));
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(2)).await,
        }
    };
    let reply = conn.post(mcp::initialize(0), None).await?;
    if reply.status != StatusCode::OK {
        return Err(format!("initialize answered {}: {}", reply.status, String::from_utf8_lossy(&reply.body)));
    }
    let session = reply.session.clone();
    if let Some(id) = &session {
        conn.post(mcp::INITIALIZED.to_string(), Some(id)).await?;
    }
    let reply = conn.post(mcp::tools_list(1), session.as_deref()).await?;
    let elapsed = start.elapsed();
    let message = mcp::reply_message(&reply.body, reply.sse)
        .ok_or_else(|| format!("tools/list answered {}: {}", reply.status, String::from_utf8_lossy(&reply.body)))?;
    let listed = crate::stdio::listing(&message, tool)?;
    let size = if reply.sse { mcp::reply_data_len(&reply.body) } else { reply.body.len() };
    Ok((elapsed, size, listed))
}

pub fn merge(into: &mut serde_json::Value, from: serde_json::Value) {
    if let (Some(a), serde_json::Value::Object(b)) = (into.as_object_mut(), from) {
        a.extend(b);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_loopback_only() {
        let t = Target::parse("http://127.0.0.1:18101/mcp").unwrap();
        assert_eq!((t.addr.as_str(), t.host.as_str(), t.path.as_str()), ("127.0.0.1:18101", "127.0.0.1:18101", "/mcp"));
        assert!(Target::parse("http://10.0.0.1:80/mcp").is_err());
        assert!(Target::parse("https://127.0.0.1/mcp").is_err());
    }

    /// An MCP endpoint answering every POST with `add`'s result, on a kept-alive connection.
    async fn endpoint() -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/mcp", listener.local_addr().unwrap());
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let body = r#"{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"3"}]}}"#;
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    let (mut buf, mut read) = (vec![0; 8192], Vec::new());
                    loop {
                        // One request: its head, then as many bytes as its Content-Length says.
                        let end = loop {
                            if let Some(head) = read.windows(4).position(|w| w == b"\r\n\r\n") {
                                let head_text = String::from_utf8_lossy(&read[..head]).to_ascii_lowercase();
                                let length = head_text
                                    .lines()
                                    .find_map(|l| l.strip_prefix("content-length:"))
                                    .and_then(|v| v.trim().parse::<usize>().ok())
                                    .unwrap_or(0);
                                if read.len() >= head + 4 + length {
                                    break head + 4 + length;
                                }
                            }
                            match socket.read(&mut buf).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => read.extend_from_slice(&buf[..n]),
                            }
                        };
                        read.drain(..end);
                        if socket.write_all(answer.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        url
    }

    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        http: HttpArgs,
    }

    fn args(url: &str, extra: &[&str]) -> HttpArgs {
        use clap::Parser;
        let base = ["mcpbench", "--url", url, "--connections", "2", "--warmup", "0", "--duration", "0.5"];
        Cli::parse_from(base.iter().chain(extra)).http
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_open_loop_sends_what_its_schedule_says_and_a_closed_loop_as_fast_as_answered() {
        let url = endpoint().await;
        // 200 requests per second for half a second: 100 due, 50 on each connection.
        let open = measure(&args(&url, &["--rate", "200"])).await.unwrap();
        let sent = open["requests"].as_u64().unwrap();
        assert!((99..=101).contains(&sent), "the schedule's 100 requests, not {sent}: {open}");
        assert_eq!(open["offered_rps"], 200.0);
        assert!(open["late_ms"].as_f64().is_some(), "{open}");
        // The same run without a rate sends each request once the last is answered: more.
        let closed = measure(&args(&url, &[])).await.unwrap();
        assert!(closed["requests"].as_u64().unwrap() > 2 * sent, "{closed}");
        assert!(closed.get("offered_rps").is_none());
        assert!(measure(&args(&url, &["--rate", "0"])).await.is_err(), "a rate of 0 is refused");
    }
}
