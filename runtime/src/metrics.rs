//! What a server counts, for Prometheus (`--metrics`): requests by method and outcome, tool
//! calls by tool and outcome with their latency, upstream API requests by status with their
//! latency, requests in flight, open legacy sessions and open streams.
//!
//! Recorded through the `metrics` facade and rendered by `metrics-exporter-prometheus` on the
//! HTTP app's metrics path. Off unless asked for: until [`install`] runs, each recording is one
//! relaxed atomic load. Label values are bounded: MCP method names from the method table (an
//! unknown one is `other`), registered tool names, HTTP status codes; never arguments or ids.

use metrics::{Counter, Gauge, Histogram, counter, gauge, histogram};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

static ENABLED: AtomicBool = AtomicBool::new(false);
static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
/// The per-request handles, made once at install: a request then costs atomic operations on
/// them, not a registry lookup by name and labels.
static REQUESTS: OnceLock<RequestHandles> = OnceLock::new();

struct RequestHandles {
    in_flight: Gauge,
    /// By method ([`METHODS`], then `other`) and outcome ([`OUTCOMES`]).
    answered: Vec<[Counter; 3]>,
}

const OUTCOMES: [&str; 3] = ["ok", "error", "cancelled"];

/// Latency buckets, in seconds: a loopback call to a tiny API up to a slow one near the timeout.
const BUCKETS: &[f64] = &[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// The methods a request may name, as labels.
const METHODS: &[&str] = &[
    "initialize",
    "ping",
    "tools/list",
    "tools/call",
    "resources/list",
    "resources/templates/list",
    "resources/read",
    "resources/subscribe",
    "resources/unsubscribe",
    "prompts/list",
    "prompts/get",
    "completion/complete",
    "logging/setLevel",
    "server/discover",
    "subscriptions/listen",
];

/// Installs the process's recorder (once; later calls return the same handle) and keeps it tidy.
pub(crate) fn install() -> Result<PrometheusHandle, String> {
    if let Some(handle) = HANDLE.get() {
        return Ok(handle.clone());
    }
    let handle = PrometheusBuilder::new()
        .set_buckets(BUCKETS)
        .map_err(|e| e.to_string())?
        .install_recorder()
        .map_err(|e| format!("cannot record metrics: {e}"))?;
    let handle = HANDLE.get_or_init(|| handle).clone();
    describe();
    REQUESTS.get_or_init(|| RequestHandles {
        in_flight: gauge!("mcp_requests_in_flight"),
        answered: METHODS
            .iter()
            .chain(["other"].iter())
            .map(|&method| {
                OUTCOMES.map(|outcome| counter!("mcp_requests_total", "method" => method, "outcome" => outcome))
            })
            .collect(),
    });
    // Histogram samples are folded into their buckets here and at each scrape, so a server nobody
    // scrapes does not keep them (an app mounted outside a runtime relies on its scrapes).
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        let upkeep = handle.clone();
        runtime.spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(5));
            loop {
                every.tick().await;
                upkeep.run_upkeep();
            }
        });
    }
    ENABLED.store(true, Ordering::Relaxed);
    Ok(handle)
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!("mcp_requests_total", "MCP requests answered, by method and outcome (ok, error, cancelled)");
    describe_counter!("mcp_tool_calls_total", "Tool calls, by tool and outcome (ok, error)");
    describe_histogram!("mcp_tool_call_duration_seconds", Unit::Seconds, "How long tool calls took, by tool");
    describe_counter!("mcp_upstream_responses_total", "Requests to the API, by HTTP status (`error`: no answer)");
    describe_histogram!("mcp_upstream_request_duration_seconds", Unit::Seconds, "How long requests to the API took");
    describe_gauge!("mcp_requests_in_flight", "MCP requests being handled");
    describe_gauge!("mcp_sessions_open", "Open legacy Streamable HTTP and SSE sessions");
    describe_gauge!("mcp_streams_open", "Open server-to-client streams (GET and SSE)");
}

fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// The Prometheus text of everything recorded so far.
pub(crate) fn render() -> String {
    HANDLE.get().map(|h| h.render()).unwrap_or_default()
}

/// One MCP request being handled: in flight until it is dropped, counted by its outcome.
pub(crate) struct RequestMetrics {
    handles: &'static RequestHandles,
    /// Index of its method in [`METHODS`] (`METHODS.len()`: other) and of its outcome in [`OUTCOMES`].
    method: usize,
    outcome: usize,
}

impl RequestMetrics {
    pub fn start(method: &str) -> Option<RequestMetrics> {
        let handles = REQUESTS.get().filter(|_| enabled())?;
        handles.in_flight.increment(1.0);
        let method = METHODS.iter().position(|m| *m == method).unwrap_or(METHODS.len());
        Some(RequestMetrics { handles, method, outcome: 2 })
    }

    pub fn finish(mut self, ok: bool) {
        self.outcome = if ok { 0 } else { 1 };
    }
}

impl Drop for RequestMetrics {
    fn drop(&mut self) {
        self.handles.in_flight.decrement(1.0);
        self.handles.answered[self.method][self.outcome].increment(1);
    }
}

/// A tool's counters and histogram, made on its first call (its name is the label).
pub(crate) struct ToolMetrics {
    ok: Counter,
    error: Counter,
    duration: Histogram,
}

impl ToolMetrics {
    pub fn new(tool: &str) -> Option<ToolMetrics> {
        if !enabled() {
            return None;
        }
        let tool = tool.to_string();
        Some(ToolMetrics {
            ok: counter!("mcp_tool_calls_total", "tool" => tool.clone(), "outcome" => "ok"),
            error: counter!("mcp_tool_calls_total", "tool" => tool.clone(), "outcome" => "error"),
            duration: histogram!("mcp_tool_call_duration_seconds", "tool" => tool),
        })
    }

    pub fn record(&self, started: Instant, is_error: bool) {
        if is_error { &self.error } else { &self.ok }.increment(1);
        self.duration.record(started.elapsed().as_secs_f64());
    }
}

/// An answer from the API (`status`), or none (`None`: the request failed).
#[cfg(feature = "upstream")]
pub(crate) fn upstream_response(status: Option<u16>, started: Instant) {
    if !enabled() {
        return;
    }
    let status = status.map_or_else(|| "error".to_string(), |code| code.to_string());
    counter!("mcp_upstream_responses_total", "status" => status).increment(1);
    histogram!("mcp_upstream_request_duration_seconds").record(started.elapsed().as_secs_f64());
}

/// A legacy session (Streamable HTTP or SSE) or a stream: open until dropped.
pub(crate) struct Open(&'static str);

impl Open {
    pub fn session() -> Option<Open> {
        Open::gauge("mcp_sessions_open")
    }

    pub fn stream() -> Option<Open> {
        Open::gauge("mcp_streams_open")
    }

    fn gauge(name: &'static str) -> Option<Open> {
        if !enabled() {
            return None;
        }
        gauge!(name).increment(1.0);
        Some(Open(name))
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        gauge!(self.0).decrement(1.0);
    }
}
