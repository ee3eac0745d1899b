//! Reliability checks that need the server in a process of its own: its memory (RSS from
//! `/proc`) after sessions are abandoned, and what it writes to stderr at the most verbose log
//! level. The server process is this test binary again, running the ignored `child_server` test
//! (see [`ChildServer::spawn`]), so no other package has to be built.

mod common;
mod support;

use common::*;
use mcpgen_runtime::serde_json::{Value, json};
use mcpgen_runtime::{HttpHandle, RunOptions, Server};
use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, mpsc};
use std::time::{Duration, Instant};
use support::*;

const LEGACY: &str = "2025-11-25";

/// Bytes allocated and not yet freed in this process: the child reports its own on `/stats`, so
/// "memory returns to its baseline" is measured exactly, whatever the allocator keeps in RSS.
static LIVE_HEAP: AtomicUsize = AtomicUsize::new(0);

struct CountingAllocator;

// SAFETY: every call is forwarded to the system allocator unchanged; only a counter is added.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            LIVE_HEAP.fetch_add(layout.size(), Ordering::Relaxed);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            LIVE_HEAP.fetch_add(layout.size(), Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE_HEAP.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE_HEAP.fetch_add(new_size, Ordering::Relaxed);
            LIVE_HEAP.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;
/// Selects the child's mode: `memory`, `tasks` or `secrets`.
const CHILD_ENV: &str = "MCPGEN_CHILD_SERVER";
/// The child's session idle timeout, in milliseconds (`memory` mode).
const CHILD_IDLE_ENV: &str = "MCPGEN_CHILD_IDLE_MS";

/// Not a test: the server process the other tests start (`cargo test` skips it as ignored).
#[test]
#[ignore = "the server process of this file's tests; runs only when they start it"]
fn child_server() {
    let Ok(mode) = std::env::var(CHILD_ENV) else { return };
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async move {
        match mode.as_str() {
            // What a generated server does: run_async with the log level from its command line.
            "secrets" => {
                let options = RunOptions::http().port(0).log_level("trace");
                Server::new("secrets", "1.0.0").tool(hello_tool()).run_async(options).await.unwrap();
            }
            "memory" => serve_with_stats(memory_server()).await,
            "tasks" => serve_with_stats(tasks_server()).await,
            other => panic!("unknown child mode {other}"),
        }
    });
}

fn memory_server() -> Server {
    Server::new("memory", "1.0.0").tool(hello_tool())
}

/// Task limits of the `tasks` child: small, so a test reaches them in a second.
const TASK_LIMITS: mcpgen_runtime::TaskLimits = mcpgen_runtime::TaskLimits {
    per_party: 20,
    total: 200,
    default_ttl: Duration::from_millis(500),
    max_ttl: Duration::from_secs(5),
    poll_interval: Duration::from_millis(100),
};

/// A task-capable tool that works for a second and answers 20 KB, under [`TASK_LIMITS`].
fn tasks_server() -> Server {
    let job = mcpgen_runtime::Tool::new("job", json!({"type": "object"}))
        .task_support(mcpgen_runtime::TaskSupport::Optional)
        .handler(|_, _| async {
            mcpgen_runtime::rt::sleep(Duration::from_secs(1)).await;
            Ok("r".repeat(20_000))
        });
    Server::new("tasks", "1.0.0").task_limits(TASK_LIMITS).tool(job)
}

/// Serves `server` on a free port with a `/stats` route reporting the live sessions and heap;
/// prints `LISTENING <addr>` on stdout; stops when stdin closes.
async fn serve_with_stats(server: Server) {
    let idle_ms: u64 = std::env::var(CHILD_IDLE_ENV).unwrap().parse().unwrap();
    let handle: Arc<OnceLock<HttpHandle>> = Arc::default();
    let for_route = handle.clone();
    let stats = mcpgen_runtime::axum::routing::get(move || {
        let sessions = for_route.get().map_or(0, HttpHandle::session_count);
        let heap = LIVE_HEAP.load(Ordering::Relaxed);
        async move { json!({"sessions": sessions, "heap": heap}).to_string() }
    });
    let server = server.custom_route("/stats", stats);
    let options = RunOptions {
        session_idle_timeout: Duration::from_millis(idle_ms),
        max_sessions: 1_000_000,
        ..RunOptions::http()
    };
    let app = server.http_app(&options).unwrap();
    let _ = handle.set(app.handle());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    println!("LISTENING {}", listener.local_addr().unwrap());
    std::io::stdout().flush().unwrap();
    let stdin_closed = async {
        let _ = tokio::task::spawn_blocking(|| std::io::copy(&mut std::io::stdin(), &mut std::io::sink())).await;
    };
    app.serve(listener, stdin_closed).await.unwrap();
}

/// This test binary, running `child_server` in `mode`; killed when dropped.
struct ChildServer {
    child: Child,
    addr: SocketAddr,
    stderr: Arc<Mutex<String>>,
}

impl ChildServer {
    fn spawn(mode: &str, env: &[(&str, String)]) -> ChildServer {
        let mut command = Command::new(std::env::current_exe().unwrap());
        command
            .args(["child_server", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, mode)
            .env_remove("RUST_LOG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().expect("the test binary starts again as a server");
        let (found, address) = mpsc::channel::<SocketAddr>();
        // The address: `LISTENING <addr>` on stdout, or run_async's "serving MCP ... at http://<addr>/".
        let stdout = child.stdout.take().unwrap();
        let on_stdout = found.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                // libtest may have started the line with `test child_server ... `.
                if let Some(addr) = line.split("LISTENING ").nth(1) {
                    let _ = on_stdout.send(addr.trim().parse().unwrap());
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let collected = stderr.clone();
        let stderr_pipe = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr_pipe).lines().map_while(Result::ok) {
                if let Some(rest) = line.split(" at http://").nth(1).filter(|_| line.contains("serving MCP over")) {
                    let addr = rest.split('/').next().unwrap_or_default();
                    let _ = found.send(addr.parse().unwrap());
                }
                let mut all = collected.lock().unwrap();
                all.push_str(&line);
                all.push('\n');
            }
        });
        let addr = address.recv_timeout(Duration::from_secs(30)).unwrap_or_else(|_| {
            let _ = child.kill();
            panic!("the child server did not announce its address; stderr:\n{}", stderr.lock().unwrap());
        });
        ChildServer { child, addr, stderr }
    }

    fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let line = status.lines().find(|l| l.starts_with("VmRSS:")).expect("VmRSS in /proc/<pid>/status");
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }

    /// Sends SIGTERM, waits for the process to end (bounded), and returns all it wrote to stderr.
    fn terminate(mut self) -> String {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while self.child.try_wait().unwrap().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::thread::sleep(Duration::from_millis(100));
        self.stderr.lock().unwrap().clone()
    }
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn live_sessions(addr: SocketAddr) -> u64 {
    req("GET", "/stats").send(addr).await.json()["sessions"].as_u64().unwrap()
}

/// The child's live heap, in KiB.
async fn heap_kib(addr: SocketAddr) -> u64 {
    req("GET", "/stats").send(addr).await.json()["heap"].as_u64().unwrap() / 1024
}

/// Opens `count` sessions over eight keep-alive connections and abandons them.
async fn open_and_abandon(addr: SocketAddr, count: u64) {
    let per = count.div_ceil(8);
    let openers: Vec<_> = (0..8)
        .map(|k| {
            let n = per.min(count.saturating_sub(k * per));
            tokio::spawn(async move {
                let mut conn = Conn::open(addr).await;
                for _ in 0..n {
                    conn.write(&post("/mcp", &initialize(LEGACY)).bytes()).await;
                    let mut resp = conn.head().await;
                    conn.body(&mut resp).await;
                    assert_eq!(resp.status, 200, "{}", resp.text());
                }
            })
        })
        .collect();
    for o in openers {
        o.await.unwrap();
    }
}

async fn wait_for_no_sessions(addr: SocketAddr, within: Duration) {
    let deadline = Instant::now() + within;
    while live_sessions(addr).await > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(live_sessions(addr).await, 0, "abandoned sessions expired");
}

#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abandoned_sessions_give_their_memory_back() {
    let per_round = knob("MCPGEN_MEMORY_SESSIONS", 5_000);
    let rounds = knob("MCPGEN_MEMORY_ROUNDS", 2);
    let idle = Duration::from_millis(1500);
    let server = ChildServer::spawn("memory", &[(CHILD_IDLE_ENV, idle.as_millis().to_string())]);
    let addr = server.addr;
    // Warm-up: the allocator and the runtime reach their working size.
    open_and_abandon(addr, per_round / 5).await;
    wait_for_no_sessions(addr, idle + Duration::from_secs(20)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (heap_base, rss_base) = (heap_kib(addr).await, server.rss_kib());
    let mut figures = Vec::new();
    let mut rss_after = Vec::new();
    let mut heap_growth = 0;
    let mut heap_kept = 0;
    for round in 1..=rounds {
        let started = Instant::now();
        open_and_abandon(addr, per_round).await;
        let open_time = started.elapsed();
        let live = live_sessions(addr).await;
        let (heap_peak, rss_peak) = (heap_kib(addr).await, server.rss_kib());
        wait_for_no_sessions(addr, idle + Duration::from_secs(30)).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let (heap_after, rss) = (heap_kib(addr).await, server.rss_kib());
        figures.push(format!(
            "round {round}: {per_round} opened in {:.1} s ({live} live at the end of it); heap {heap_peak} KiB -> \
             {heap_after} KiB after expiry; RSS {rss_peak} KiB -> {rss} KiB",
            open_time.as_secs_f64()
        ));
        heap_growth = heap_growth.max(heap_peak.saturating_sub(heap_base));
        heap_kept = heap_after.saturating_sub(heap_base);
        rss_after.push(rss);
    }
    let stderr = server.terminate();
    let report = format!("baseline heap {heap_base} KiB, RSS {rss_base} KiB; {}", figures.join("; "));
    // Everything the sessions allocated is freed once they expire: the live heap is back at its
    // baseline, give or take 256 KiB (buffers that grew to their working size).
    assert!(heap_kept <= 256, "the heap kept {heap_kept} KiB after every session expired: {report}\n{stderr}");
    assert!(heap_growth > heap_kept, "the sessions did take memory while they lived: {report}");
    // RSS need not shrink (the allocator keeps freed pages for reuse), but it must not climb
    // round after round: freed memory is reused, not leaked or fragmented away.
    let slack = rss_after[0] / 10 + 1024;
    for (round, rss) in rss_after.iter().enumerate() {
        assert!(*rss <= rss_after[0] + slack, "round {}: RSS climbs round after round: {report}", round + 1);
    }
    figure("abandoned_sessions_memory", report);
}

/// A client that creates tasks in a loop and never reads them: past its quota of running tasks
/// (and the server's) it is refused with a reason, and once the tasks' ttl has passed the
/// server's live heap is back at its baseline (RELIABILITY.md).
#[tokio::test]
async fn tasks_created_in_a_loop_hit_the_caps_and_give_their_memory_back() {
    let server = ChildServer::spawn("tasks", &[(CHILD_IDLE_ENV, "60000".to_string())]);
    let addr = server.addr;
    let task_call = |session: &str| {
        post(
            "/mcp",
            &json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                             "params": {"name": "job", "task": {"ttl": 2500}}}),
        )
        .header("Mcp-Session-Id", session)
        .header("MCP-Protocol-Version", LEGACY)
    };
    let mut sessions = Vec::new();
    for _ in 0..15 {
        let opened = post("/mcp", &initialize(LEGACY)).send(addr).await;
        sessions.push(opened.header("mcp-session-id").expect("a session").to_string());
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let heap_base = heap_kib(addr).await;
    let started = Instant::now();
    let (mut created, mut over_quota, mut over_total) = (0, 0, 0);
    for session in &sessions {
        for _ in 0..25 {
            let answer = task_call(session).send(addr).await.json();
            match answer["error"]["message"].as_str() {
                None => {
                    assert!(answer["result"]["task"]["taskId"].is_string(), "{answer}");
                    created += 1;
                }
                Some(m) if m.contains("this client") => over_quota += 1,
                Some(m) if m.contains("the server") => over_total += 1,
                Some(m) => panic!("an unexpected refusal: {m}"),
            }
        }
    }
    let creating = started.elapsed();
    // Each task works for a second, then holds its 20 KB result until its 2.5 s ttl ends.
    tokio::time::sleep(Duration::from_millis(1800).saturating_sub(creating)).await;
    let heap_peak = heap_kib(addr).await;
    tokio::time::sleep(Duration::from_millis(4000).saturating_sub(started.elapsed())).await;
    let heap_after = heap_kib(addr).await;
    let stderr = server.terminate();
    let report = format!(
        "{created} tasks created, {over_quota} refused over the per-client quota, {over_total} over the server's cap; \
         heap {heap_base} KiB -> {heap_peak} KiB with them -> {heap_after} KiB after their ttl"
    );
    // All 375 requests come within the tasks' first second: none has finished to make room.
    assert!(creating < Duration::from_millis(900), "the loop was too slow to test the caps: {report}");
    let fitting = TASK_LIMITS.total / TASK_LIMITS.per_party;
    assert_eq!(created, TASK_LIMITS.total, "the server's cap is reached exactly: {report}\n{stderr}");
    assert_eq!(over_quota, fitting * (25 - TASK_LIMITS.per_party), "{report}");
    assert_eq!(over_total, (15 - fitting) * 25, "{report}");
    assert!(heap_peak > heap_base + 1024, "the tasks did take memory: {report}");
    assert!(heap_after <= heap_base + 256, "the heap kept memory after the ttl: {report}\n{stderr}");
    figure("tasks_memory", report);
}

/// Secrets a client sends in its headers: none may reach the logs or any response.
const SECRETS: &[(&str, &str)] = &[
    ("Authorization", "Bearer SECRET-TOKEN-1f9a"),
    ("Proxy-Authorization", "Basic SECRET-PROXY-77c0"),
    ("Cookie", "sid=SECRET-COOKIE-3b2e"),
    ("X-Api-Key", "SECRET-KEY-5d41"),
];

fn with_secrets(mut r: Req) -> Req {
    for (name, value) in SECRETS {
        r = r.header(name, value);
    }
    r
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_in_headers_never_reach_logs_or_responses() {
    let server = ChildServer::spawn("secrets", &[]);
    let addr = server.addr;
    // A whole legacy session, at trace level.
    let init = with_secrets(post("/mcp", &initialize(LEGACY))).send(addr).await;
    assert_eq!(init.status, 200);
    let sid = init.header("mcp-session-id").unwrap().to_string();
    let mut responses: Vec<Resp> = vec![init];
    let mut send = async |r: Req| {
        let resp = with_secrets(r).send(addr).await;
        let status = resp.status;
        responses.push(resp);
        status
    };
    let in_session = |body: &Value| post("/mcp", body).header("Mcp-Session-Id", &sid);
    assert_eq!(send(in_session(&notification("notifications/initialized"))).await, 202);
    assert_eq!(send(in_session(&request(1, "tools/list", json!({})))).await, 200);
    let call = request(2, "tools/call", json!({"name": "hello", "arguments": {"name": "SECRET-ARG-9e21"}}));
    assert_eq!(send(in_session(&call)).await, 200);
    assert_eq!(send(in_session(&request(3, "tools/call", json!({"name": "nope"})))).await, 200);
    // Every kind of refusal, each carrying the credentials.
    assert_eq!(send(post("/mcp", &request(4, "ping", json!({})))).await, 400);
    assert_eq!(
        send(in_session(&request(5, "ping", json!({}))).set("mcp-session-id", "0".repeat(32).as_str())).await,
        404
    );
    assert_eq!(send(post("/mcp", &Value::Null).body("{broken")).await, 400);
    assert_eq!(send(post("/mcp", &Value::Null).body(r#"{"jsonrpc":"2.0","id":1,"id":2}"#)).await, 400);
    assert_eq!(send(post("/mcp", &initialize(LEGACY)).set("accept", "text/html")).await, 406);
    assert_eq!(send(post("/mcp", &initialize(LEGACY)).set("content-type", "text/plain")).await, 415);
    assert_eq!(send(req("PUT", "/mcp")).await, 405);
    assert_eq!(send(post("/mcp", &initialize(LEGACY)).header("Origin", "http://evil.example")).await, 403);
    assert_eq!(
        send(modern_post("/mcp", 6, "tools/call", json!({"name": "hello"})).set("mcp-name", "other")).await,
        400
    );
    assert_eq!(
        send(modern_post("/mcp", 7, "tools/call", json!({"name": "hello", "arguments": {"name": "m"}}))).await,
        200
    );
    let get = req("GET", "/mcp").header("Accept", "text/event-stream").header("Mcp-Session-Id", &sid);
    let (stream, head) = with_secrets(get).open(addr).await;
    assert_eq!(head.status, 200);
    drop(stream);
    assert_eq!(send(req("DELETE", "/mcp").header("Mcp-Session-Id", &sid)).await, 200);
    // The control: a value the runtime does log (a refused Host) shows up, so the capture works.
    assert_eq!(send(post("/mcp", &initialize(LEGACY)).set("host", "canary-logged-host.example")).await, 403);

    let stderr = server.terminate();
    assert!(stderr.contains("canary-logged-host.example"), "the control value was not logged:\n{stderr}");
    assert!(stderr.contains("MCP endpoint request"), "debug-level lines are in the capture:\n{stderr}");
    for (name, value) in SECRETS {
        let secret = value.split_whitespace().last().unwrap();
        let secret = secret.split('=').next_back().unwrap();
        assert!(!stderr.contains(secret), "the {name} header value reached the logs:\n{stderr}");
        for resp in &responses {
            let head: String = resp.headers.iter().map(|(k, v)| format!("{k}: {v}\n")).collect();
            assert!(!resp.text().contains(secret) && !head.contains(secret), "{name} echoed: {head}{}", resp.text());
        }
    }
    assert!(!stderr.contains("SECRET-ARG"), "tool arguments reached the logs:\n{stderr}");
    figure(
        "secrets",
        format!(
            "{} requests with 4 credential headers at log level trace ({} stderr lines): no credential in logs or responses",
            responses.len() + 1,
            stderr.lines().count()
        ),
    );
}
