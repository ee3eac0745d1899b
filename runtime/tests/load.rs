//! Load, soak and shutdown under load, against an in-process server on loopback, bounded in
//! time and count. The normal suite runs short versions (a few seconds each); `scripts/soak`
//! runs the long ones by raising the knobs below (see RELIABILITY.md):
//!
//! | variable | what | normal suite |
//! |---|---|---|
//! | `MCPGEN_LOAD_SESSIONS` | concurrent legacy sessions calling tools | 1000 |
//! | `MCPGEN_LOAD_SECS` | how long they call | 2 |
//! | `MCPGEN_LOAD_THINK_MS` | each client's pause between calls: 1 to 2 times this | 50 |
//! | `MCPGEN_ABANDONED_SESSIONS` | sessions opened and abandoned | 10000 |
//! | `MCPGEN_SSE_STREAMS` | open streams of each kind (GET and SSE transport) | 250 |
//! | `MCPGEN_SHUTDOWN_CLIENTS` | clients calling while the server shuts down | 200 |
//!
//! Every test checks that nothing is lost or answered twice: each request carries its own id
//! and arguments, the tool echoes them and counts its calls, and the count the clients saw must
//! equal the count the server ran. Latency of a separate probe client during the load is compared
//! with its own baseline, measured just before, with a generous margin ([`latency_bound`]).

mod common;
mod support;

use common::*;
use mcpgen_runtime::serde_json::{Value, json};
use mcpgen_runtime::{RequestContext, RunOptions, Server, ServerHandle, Tool, ToolResult};
use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::*;
use tokio::sync::Semaphore;

const LEGACY: &str = "2025-11-25";

/// Runs one load test at a time, each on a runtime of its own with two workers (CI's cores):
/// run side by side they would measure each other.
fn serial(test: impl std::future::Future<Output = ()>) {
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(test);
}

/// What the server's tools saw.
#[derive(Default)]
struct Counters {
    /// `count` calls run.
    calls: AtomicU64,
    /// `work` calls whose handler started, by their `tag`.
    started: Mutex<HashSet<String>>,
}

fn server(counters: Arc<Counters>) -> Server {
    let seen = counters.clone();
    let count = Tool::new(
        "count",
        json!({"type": "object", "properties": {
            "client": {"type": "integer"}, "seq": {"type": "integer"}, "stream": {"type": "boolean"}},
            "required": ["client", "seq"]}),
    )
    .handler(move |args, ctx: RequestContext| {
        let seen = seen.clone();
        async move {
            seen.calls.fetch_add(1, Ordering::SeqCst);
            if args["stream"] == json!(true) {
                ctx.notify("notifications/message", json!({"level": "info", "data": "counting"})).await;
            }
            Ok(ToolResult::structured(json!({"client": args["client"], "seq": args["seq"]})))
        }
    });
    let work = Tool::new(
        "work",
        json!({"type": "object", "properties": {"tag": {"type": "string"}, "ms": {"type": "integer"}},
            "required": ["tag", "ms"]}),
    )
    .handler(move |args, ctx: RequestContext| {
        let counters = counters.clone();
        async move {
            let tag = args["tag"].as_str().unwrap_or_default().to_string();
            counters.started.lock().unwrap().insert(tag.clone());
            if tag.ends_with('s') {
                ctx.notify("notifications/message", json!({"level": "info", "data": "working"})).await;
            }
            tokio::time::sleep(Duration::from_millis(args["ms"].as_u64().unwrap_or(0))).await;
            Ok(ToolResult::structured(json!({"tag": tag})))
        }
    });
    Server::new("load", "1.0.0").tool(count).tool(work)
}

struct Fixture {
    s: TestServer,
    counters: Arc<Counters>,
    handle: ServerHandle,
}

async fn start(options: RunOptions) -> Fixture {
    let counters = Arc::new(Counters::default());
    let server = server(counters.clone());
    let handle = server.handle();
    Fixture { s: TestServer::start(server, options).await, counters, handle }
}

/// One legacy session on one keep-alive connection, sending one request at a time.
struct Client {
    conn: Conn,
    session: String,
}

/// How an exchange ended when the server may refuse it (during shutdown).
enum Outcome {
    Answered(Value),
    /// 503, or the connection closed before an answer: the request was not accepted.
    Refused,
}

impl Client {
    async fn open(addr: SocketAddr) -> Client {
        let mut conn = Conn::open(addr).await;
        conn.write(&post("/mcp", &initialize(LEGACY)).bytes()).await;
        let mut resp = conn.head().await;
        conn.body(&mut resp).await;
        assert_eq!(resp.status, 200, "{}", resp.text());
        let session = resp.header("mcp-session-id").expect("a session id").to_string();
        let mut client = Client { conn, session };
        let resp = client.exchange(&notification("notifications/initialized")).await;
        assert_eq!(resp.status, 202);
        client
    }

    async fn exchange(&mut self, body: &Value) -> Resp {
        let req = post("/mcp", body).header("Mcp-Session-Id", &self.session).header("MCP-Protocol-Version", LEGACY);
        self.conn.write(&req.bytes()).await;
        let mut resp = self.conn.head().await;
        self.conn.body(&mut resp).await;
        resp
    }

    /// Sends a request and returns its one response (from a JSON body or the end of a stream),
    /// failing if the answer has no response for `id` or more than one.
    async fn call(&mut self, id: u64, body: &Value) -> Value {
        let resp = self.exchange(body).await;
        assert_eq!(resp.status, 200, "{}", resp.text());
        the_response(&resp, id)
    }

    async fn ping(&mut self, id: u64) -> Duration {
        let started = Instant::now();
        let answer = self.call(id, &json!({"jsonrpc": "2.0", "id": id, "method": "ping"})).await;
        assert_eq!(answer["result"], json!({}));
        started.elapsed()
    }

    async fn delete(mut self) {
        let req = req("DELETE", "/mcp").header("Mcp-Session-Id", &self.session);
        self.conn.write(&req.bytes()).await;
        let mut resp = self.conn.head().await;
        self.conn.body(&mut resp).await;
        assert_eq!(resp.status, 200);
    }
}

/// The one JSON-RPC response for `id` in a JSON or SSE answer.
fn the_response(resp: &Resp, id: u64) -> Value {
    let messages =
        if resp.header("content-type") == Some("text/event-stream") { resp.sse_messages() } else { vec![resp.json()] };
    let answers: Vec<&Value> = messages
        .iter()
        .filter(|m| m.get("result").is_some() || m.get("error").is_some())
        .filter(|m| m["id"] == json!(id))
        .collect();
    assert_eq!(answers.len(), 1, "exactly one response for id {id}: {messages:?}");
    answers[0].clone()
}

/// Opens `n` sessions, at most 100 connecting at once.
async fn open_clients(addr: SocketAddr, n: u64) -> Vec<Client> {
    let gate = Arc::new(Semaphore::new(100));
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let gate = gate.clone();
            tokio::spawn(async move {
                let _permit = gate.acquire().await.unwrap();
                Client::open(addr).await
            })
        })
        .collect();
    let mut clients = Vec::new();
    for t in tasks {
        clients.push(t.await.unwrap());
    }
    clients
}

/// A client with its session open, pinging every 10 ms until `stop`, recording each round trip.
async fn probe(addr: SocketAddr, stop: Arc<AtomicBool>) -> tokio::task::JoinHandle<Latencies> {
    let mut client = Client::open(addr).await;
    tokio::spawn(async move {
        let mut latencies = Latencies::default();
        let mut id = 0;
        while !stop.load(Ordering::SeqCst) {
            id += 1;
            latencies.push(client.ping(id).await);
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        client.delete().await;
        latencies
    })
}

async fn baseline_latency(addr: SocketAddr) -> Latencies {
    let mut client = Client::open(addr).await;
    let mut latencies = Latencies::default();
    for id in 0..50 {
        latencies.push(client.ping(id).await);
    }
    client.delete().await;
    latencies
}

#[test]
fn concurrent_legacy_sessions_calling_tools_lose_nothing_and_answer_once() {
    serial(concurrent_sessions());
}

async fn concurrent_sessions() {
    let sessions = knob("MCPGEN_LOAD_SESSIONS", 1000);
    let secs = knob("MCPGEN_LOAD_SECS", 2);
    let think_ms = knob("MCPGEN_LOAD_THINK_MS", 50);
    let f = start(RunOptions::http()).await;
    let addr = f.s.addr;
    let baseline = baseline_latency(addr).await;
    let clients = open_clients(addr, sessions).await;
    assert_eq!(f.s.handle.session_count() as u64, sessions);

    let stop = Arc::new(AtomicBool::new(false));
    let probe = probe(addr, stop.clone()).await;
    let started = Instant::now();
    let deadline = started + Duration::from_secs(secs);
    let mut workers = Vec::new();
    for (i, mut client) in clients.into_iter().enumerate() {
        workers.push(tokio::spawn(async move {
            let mut latencies = Latencies::default();
            let mut seq = 0u64;
            while Instant::now() < deadline {
                seq += 1;
                // Every fifth call notifies first, so its answer is an SSE stream.
                let args = json!({"client": i, "seq": seq, "stream": seq.is_multiple_of(5)});
                let body = json!({"jsonrpc": "2.0", "id": seq, "method": "tools/call",
                    "params": {"name": "count", "arguments": args}});
                let t = Instant::now();
                let answer = client.call(seq, &body).await;
                latencies.push(t.elapsed());
                assert_eq!(answer["result"]["structuredContent"], json!({"client": i, "seq": seq}), "{answer}");
                // An agent thinks between calls; spread so the clients do not march in step.
                tokio::time::sleep(Duration::from_millis(think_ms + (seq * 7 + i as u64) % think_ms.max(1))).await;
            }
            (client, latencies)
        }));
    }
    let mut calls = 0u64;
    let mut load = Latencies::default();
    let mut clients = Vec::new();
    for w in workers {
        let (client, latencies) = w.await.unwrap();
        calls += latencies.0.len() as u64;
        load.0.extend(latencies.0);
        clients.push(client);
    }
    let elapsed = started.elapsed();
    stop.store(true, Ordering::SeqCst);
    let during = probe.await.unwrap();

    assert_eq!(f.counters.calls.load(Ordering::SeqCst), calls, "every call ran exactly once");
    // The probe is one client among a thousand busy ones: it must not wait much longer than they
    // do (no starvation), nor past the bound its own idle baseline sets.
    let bound = latency_bound(&baseline).max(Duration::from_micros(load.percentile(99.0) * 3));
    assert!(
        Duration::from_micros(during.max()) < bound,
        "probe latency under load: baseline {}, during {} (bound {bound:?})",
        baseline.summary(),
        during.summary()
    );
    for client in clients {
        client.delete().await;
    }
    assert_eq!(f.s.handle.session_count(), 0);
    figure(
        "concurrent_sessions",
        format!(
            "{sessions} sessions x {secs} s: {calls} tool calls in {:.1} s ({:.0}/s), each answered once; \
             call latency {}; probe ping baseline {}, during load {}",
            elapsed.as_secs_f64(),
            calls as f64 / elapsed.as_secs_f64(),
            load.summary(),
            baseline.summary(),
            during.summary()
        ),
    );
}

#[test]
fn abandoned_sessions_expire_and_free_everything_they_held() {
    serial(abandoned_sessions());
}

async fn abandoned_sessions() {
    let count = knob("MCPGEN_ABANDONED_SESSIONS", 10_000);
    let idle = Duration::from_secs(1);
    let f =
        start(RunOptions { session_idle_timeout: idle, max_sessions: count as usize + 10, ..RunOptions::http() }).await;
    let addr = f.s.addr;
    post("/mcp", &request(1, "ping", json!({}))).send(addr).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let baseline = alive_tasks();
    // Eight keep-alive connections open the sessions, then go away; nobody ever uses them.
    let started = Instant::now();
    let per = count.div_ceil(8);
    let openers: Vec<_> = (0..8)
        .map(|k| {
            tokio::spawn(async move {
                let mut conn = Conn::open(addr).await;
                let mut opened = 0;
                for _ in 0..per.min(count.saturating_sub(k * per)) {
                    conn.write(&post("/mcp", &initialize(LEGACY)).bytes()).await;
                    let mut resp = conn.head().await;
                    conn.body(&mut resp).await;
                    assert_eq!(resp.status, 200, "{}", resp.text());
                    opened += 1;
                }
                opened
            })
        })
        .collect();
    let mut opened = 0;
    for o in openers {
        opened += o.await.unwrap();
    }
    let open_time = started.elapsed();
    assert_eq!(opened, count);
    let live = f.s.handle.session_count();
    let peak_tasks = alive_tasks();
    // Sessions expire by themselves: no request ever names them again.
    let expired_by = Instant::now() + idle + Duration::from_secs(10);
    while f.s.handle.session_count() > 0 && Instant::now() < expired_by {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(f.s.handle.session_count(), 0, "abandoned sessions expired");
    // The sweeper is the one task left of them all.
    let left = settle_tasks(baseline + 1, Duration::from_secs(10)).await;
    assert!(left <= baseline + 1, "tasks: {left} now, {baseline} before, {peak_tasks} at the peak");
    figure(
        "abandoned_sessions",
        format!(
            "{count} sessions opened in {:.1} s and abandoned ({live} live, {peak_tasks} tasks at the peak); \
             all expired after the {idle:?} idle timeout; tasks back to {left} (baseline {baseline} + sweeper)",
            open_time.as_secs_f64()
        ),
    );
}

#[test]
fn many_open_streams_each_hear_every_notice_once_and_are_freed() {
    serial(open_streams());
}

async fn open_streams() {
    let streams = knob("MCPGEN_SSE_STREAMS", 250);
    let options = RunOptions { keep_alive: Duration::from_secs(60), ..RunOptions::http() };
    let f = start(options).await;
    let sse = start(RunOptions { keep_alive: Duration::from_secs(60), ..RunOptions::sse() }).await;
    let baseline = baseline_latency(f.s.addr).await;
    post("/mcp", &request(1, "ping", json!({}))).send(sse.s.addr).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let tasks_before = alive_tasks();

    // Legacy sessions, each with its GET stream open; and SSE-transport sessions.
    let mut sessions = Vec::new();
    let mut gets = Vec::new();
    for client in open_clients(f.s.addr, streams).await {
        let get = req("GET", "/mcp").header("Accept", "text/event-stream").header("Mcp-Session-Id", &client.session);
        let (mut stream, head) = get.open(f.s.addr).await;
        assert_eq!(head.status, 200);
        stream.read_until("\n\n").await; // the priming event
        gets.push(stream);
        sessions.push(client);
    }
    let mut sse_streams = Vec::new();
    for _ in 0..streams {
        let (mut stream, head) = req("GET", "/sse").header("Accept", "text/event-stream").open(sse.s.addr).await;
        assert_eq!(head.status, 200);
        let endpoint = stream.read_until("\n\n").await;
        let endpoint = endpoint.trim().strip_prefix("event: endpoint\ndata: ").unwrap().to_string();
        let init = post(&endpoint, &initialize("2024-11-05")).send(sse.s.addr).await;
        assert_eq!(init.status, 202);
        stream.read_until("protocolVersion").await;
        sse_streams.push(stream);
    }
    assert_eq!(f.s.handle.session_count() as u64, streams);
    assert_eq!(sse.s.handle.session_count() as u64, streams);

    let stop = Arc::new(AtomicBool::new(false));
    let probe = probe(f.s.addr, stop.clone()).await;
    // Two changes; every stream hears each exactly once, in order.
    let noop =
        |name: &str| Tool::new(name, json!({"type": "object"})).handler(|_, _| async { Ok(ToolResult::text("")) });
    let announced = Instant::now();
    f.handle.add_tool(noop("added")).unwrap();
    sse.handle.add_tool(noop("added")).unwrap();
    for stream in gets.iter_mut().chain(sse_streams.iter_mut()) {
        let text = stream.read_until("tools/list_changed").await;
        assert_eq!(text.matches("tools/list_changed").count(), 1, "{text}");
    }
    f.handle.remove_tool("added");
    sse.handle.remove_tool("added");
    for stream in gets.iter_mut().chain(sse_streams.iter_mut()) {
        let text = stream.read_until("tools/list_changed").await;
        assert_eq!(text.matches("tools/list_changed").count(), 1, "no duplicate of the first notice: {text}");
    }
    let fan_out = announced.elapsed();
    stop.store(true, Ordering::SeqCst);
    let during = probe.await.unwrap();
    let bound = latency_bound(&baseline);
    assert!(
        Duration::from_micros(during.max()) < bound,
        "baseline {}, during {}",
        baseline.summary(),
        during.summary()
    );

    // Closing the streams frees them: SSE sessions end with their stream, legacy sessions on DELETE.
    drop(gets);
    drop(sse_streams);
    for client in sessions {
        client.delete().await;
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while sse.s.handle.session_count() > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(f.s.handle.session_count() + sse.s.handle.session_count(), 0);
    // Plus the two session stores' sweepers.
    let left = settle_tasks(tasks_before + 2, Duration::from_secs(10)).await;
    assert!(left <= tasks_before + 2, "tasks: {left} now, {tasks_before} before");
    figure(
        "open_streams",
        format!(
            "{streams} GET streams + {streams} SSE streams open; 2 list changes reached all {} once each in {:.0} ms; \
             probe ping baseline {}, during {}; all freed",
            2 * streams,
            fan_out.as_secs_f64() * 1000.0,
            baseline.summary(),
            during.summary()
        ),
    );
}

#[test]
fn graceful_shutdown_under_load_answers_every_accepted_request() {
    serial(shutdown_under_load());
}

async fn shutdown_under_load() {
    let clients = knob("MCPGEN_SHUTDOWN_CLIENTS", 200);
    let options = RunOptions { shutdown_grace: Duration::from_secs(10), ..RunOptions::http() };
    let mut f = start(options).await;
    let addr = f.s.addr;
    let sessions = open_clients(addr, clients).await;
    let answered = Arc::new(Mutex::new(Vec::<String>::new()));
    let refused = Arc::new(AtomicU64::new(0));
    let mut workers = Vec::new();
    for (i, mut client) in sessions.into_iter().enumerate() {
        let (answered, refused) = (answered.clone(), refused.clone());
        workers.push(tokio::spawn(async move {
            let mut seq = 0u64;
            loop {
                seq += 1;
                // Tags ending in `s` notify first: their answers are streams.
                let tag = format!("{i}-{seq}{}", if seq.is_multiple_of(3) { "s" } else { "" });
                let body = json!({"jsonrpc": "2.0", "id": seq, "method": "tools/call",
                    "params": {"name": "work", "arguments": {"tag": tag, "ms": 50 + (seq * 37 + i as u64) % 150}}});
                match client.try_call(seq, &body).await {
                    Outcome::Answered(answer) => {
                        assert_eq!(answer["result"]["structuredContent"]["tag"], json!(tag), "{answer}");
                        answered.lock().unwrap().push(tag);
                    }
                    Outcome::Refused => {
                        refused.fetch_add(1, Ordering::SeqCst);
                        return;
                    }
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let signalled = Instant::now();
    f.s.signal_stop();
    for w in workers {
        tokio::time::timeout(Duration::from_secs(30), w).await.expect("every client finishes").unwrap();
    }
    f.s.join().await.unwrap();
    let stopped_in = signalled.elapsed();

    let answered = answered.lock().unwrap().clone();
    let started = f.counters.started.lock().unwrap().clone();
    let unique: HashSet<&String> = answered.iter().collect();
    assert_eq!(unique.len(), answered.len(), "no request answered twice");
    let lost: Vec<&String> = started.iter().filter(|tag| !unique.contains(tag)).collect();
    assert!(lost.is_empty(), "{} accepted requests were never answered: {:?}", lost.len(), &lost[..lost.len().min(10)]);
    assert!(unique.iter().all(|tag| started.contains(*tag)), "every answer came from a handler that ran");
    assert_eq!(refused.load(Ordering::SeqCst), clients, "each client was refused once it could go on no longer");
    figure(
        "graceful_shutdown",
        format!(
            "{clients} clients calling: {} requests accepted before and during shutdown, all {} answered once; \
             later ones refused (503 or closed); server stopped {:.2} s after the signal",
            started.len(),
            answered.len(),
            stopped_in.as_secs_f64()
        ),
    );
}

impl Client {
    /// Like [`Client::call`], but a 503 or a connection closed before any answer is a refusal.
    async fn try_call(&mut self, id: u64, body: &Value) -> Outcome {
        let req = post("/mcp", body).header("Mcp-Session-Id", &self.session).header("MCP-Protocol-Version", LEGACY);
        if !self.conn.try_write(&req.bytes()).await {
            return Outcome::Refused;
        }
        let Some(mut resp) = self.conn.try_head().await else { return Outcome::Refused };
        if resp.status == 503 {
            self.conn.body(&mut resp).await;
            return Outcome::Refused;
        }
        self.conn.body(&mut resp).await;
        assert_eq!(resp.status, 200, "{}", resp.text());
        Outcome::Answered(the_response(&resp, id))
    }
}
