//! MCP over STDIO: throughput and latency through a pipe, start-up time, resident memory.
//!
//! The server is started as a child process (`-- CMD ARGS...`, started directly, not through a
//! shell, so its pid is the server's). The client does the legacy handshake (`initialize`, then
//! `notifications/initialized`), then keeps up to `--pipeline` `tools/call` requests (by default
//! `add(1, 2)`; any tool with `--call`/`--args`/`--expect`, see `call.rs`) in flight: it writes new requests as answers come back, matching answers by id. A request's
//! latency runs from just before its line is written to when its answer line is read.

use crate::call::{Call, CallArgs};
use crate::{Result, mcp, stats};
use serde_json::{Value, json};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

#[derive(clap::Args)]
pub struct StdioArgs {
    /// Measured requests.
    #[arg(long, default_value_t = 20_000)]
    requests: u64,
    /// Requests sent before measuring starts.
    #[arg(long, default_value_t = 1_000)]
    warmup: u64,
    /// Requests in flight at once (1 = one at a time, the plain round trip).
    #[arg(long, default_value_t = 16)]
    pipeline: u64,
    /// Stop sending after this many seconds, whatever is left (the run reports what it did).
    #[arg(long, default_value_t = 60.0)]
    max_seconds: f64,
    /// Also report resident memory (VmRSS) idle after the handshake and after the calls.
    #[arg(long)]
    rss: bool,
    /// Seconds to sit idle after the handshake before reading the idle VmRSS.
    #[arg(long, default_value_t = 1.0)]
    idle: f64,
    /// Where the server's stderr goes (default: discarded).
    #[arg(long)]
    stderr: Option<std::path::PathBuf>,
    #[command(flatten)]
    call: CallArgs,
    /// The server command.
    #[arg(last = true, required = true)]
    command: Vec<String>,
}

#[derive(clap::Args)]
pub struct StartupArgs {
    #[arg(long, default_value_t = 10)]
    runs: u32,
    #[command(flatten)]
    start: StartArgs,
}

#[derive(clap::Args)]
pub struct FirstAnswerArgs {
    #[command(flatten)]
    start: StartArgs,
}

/// How one start is timed.
#[derive(clap::Args)]
pub struct StartArgs {
    /// Give up on one start after this many seconds.
    #[arg(long, default_value_t = 30.0)]
    timeout: f64,
    /// The tool the `tools/list` answer must list (empty: any).
    #[arg(long, default_value = "add")]
    tool: String,
    /// Time over Streamable HTTP at this URL instead of STDIO: the server (started with its
    /// stdin and stdout closed) must listen there; the clock stops at its `tools/list` answer.
    #[arg(long)]
    url: Option<String>,
    /// The server command.
    #[arg(last = true, required = true)]
    command: Vec<String>,
}

/// A server child on a pipe.
struct Peer {
    child: Child,
    stdin: ChildStdin,
    lines: Lines<BufReader<ChildStdout>>,
    /// How long to wait for one answer.
    timeout: Duration,
}

impl Peer {
    fn spawn(command: &[String], stderr: Option<&std::path::Path>) -> Result<Peer> {
        let (program, args) = command.split_first().ok_or("no server command given")?;
        let stderr = match stderr {
            Some(path) => Stdio::from(std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?),
            None => Stdio::null(),
        };
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot start `{program}`: {e}"))?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let lines = BufReader::with_capacity(64 * 1024, child.stdout.take().ok_or("no stdout")?).lines();
        Ok(Peer { child, stdin, lines, timeout: crate::http::ANSWER_TIMEOUT })
    }

    async fn send(&mut self, text: &str) -> Result<()> {
        self.stdin.write_all(text.as_bytes()).await.map_err(|e| format!("writing to the server: {e}"))?;
        self.stdin.flush().await.map_err(|e| format!("writing to the server: {e}"))
    }

    /// The next JSON-RPC response (notifications and stray lines are skipped).
    async fn response(&mut self) -> Result<Value> {
        Ok(self.response_line().await?.0)
    }

    /// The next JSON-RPC response and the length of its line; an error after `self.timeout`
    /// without one (a lost answer fails the run, it does not hang it).
    async fn response_line(&mut self) -> Result<(Value, usize)> {
        let timeout = self.timeout;
        tokio::time::timeout(timeout, self.next_response())
            .await
            .map_err(|_| format!("no answer from the server within {timeout:?}"))?
    }

    async fn next_response(&mut self) -> Result<(Value, usize)> {
        let (_, v, len) = self.timed_response(Instant::now()).await?;
        Ok((v, len))
    }

    /// The next answer (a message with an `id` and a `result` or `error`; other lines are
    /// skipped), with the time from `start` to its line's arrival: the clock stops before the
    /// line is parsed, which for a tools/list answer of several MB takes this client tens of
    /// milliseconds that are not the server's.
    async fn timed_response(&mut self, start: Instant) -> Result<(Duration, Value, usize)> {
        loop {
            let line = self
                .lines
                .next_line()
                .await
                .map_err(|e| format!("reading from the server: {e}"))?
                .ok_or("the server closed stdout")?;
            let arrived = start.elapsed();
            if let Ok(v) = serde_json::from_str::<Value>(&line)
                && v.get("id").is_some()
                && (v.get("result").is_some() || v.get("error").is_some())
            {
                return Ok((arrived, v, line.len()));
            }
        }
    }

    /// The legacy handshake; returns once `initialize` is answered and acknowledged.
    async fn handshake(&mut self) -> Result<()> {
        self.send(&format!("{}\n", mcp::initialize(0))).await?;
        let reply = self.response().await?;
        if reply.get("result").is_none() {
            return Err(format!("initialize failed: {reply}"));
        }
        self.send(&format!("{}\n", mcp::INITIALIZED)).await
    }

    fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Closes stdin and waits briefly for a clean exit, then kills.
    async fn stop(mut self) {
        drop(self.stdin);
        if tokio::time::timeout(Duration::from_secs(2), self.child.wait()).await.is_err() {
            let _ = self.child.kill().await;
        }
    }
}

/// `(VmRSS, VmHWM)` in KiB from `/proc/PID/status`.
pub fn memory_kib(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// Sends `count` calls with ids from `first_id`, at most `pipeline` in flight, until `deadline`.
/// Returns the latencies (µs) of the answered calls and the time from first send to last answer.
async fn calls(
    peer: &mut Peer,
    call: &Call,
    first_id: u64,
    count: u64,
    pipeline: u64,
    deadline: Instant,
) -> Result<(Vec<u32>, Duration)> {
    let mut sent_at: Vec<Instant> = Vec::with_capacity(count as usize);
    let mut samples = Vec::with_capacity(count as usize);
    let (mut next, mut done) = (0u64, 0u64);
    let mut batch = String::new();
    let start = Instant::now();
    let mut last = start;
    loop {
        let now = Instant::now();
        while next - done < pipeline && next < count && now < deadline {
            batch.push_str(&call.request(first_id + next));
            batch.push('\n');
            sent_at.push(now);
            next += 1;
        }
        if !batch.is_empty() {
            peer.send(&batch).await?;
            batch.clear();
        }
        if done == next {
            break;
        }
        let reply = peer.response().await?;
        last = Instant::now();
        let index = reply["id"]
            .as_u64()
            .and_then(|id| id.checked_sub(first_id))
            .filter(|i| *i < next)
            .ok_or_else(|| format!("answer to an id never sent: {reply}"))?;
        call.check_message(&reply)?;
        samples.push((last - sent_at[index as usize]).as_micros().min(u32::MAX as u128) as u32);
        done += 1;
    }
    Ok((samples, last - start))
}

pub async fn run(args: StdioArgs) -> Result<()> {
    let call = Call::new(&args.call)?;
    let mut peer = Peer::spawn(&args.command, args.stderr.as_deref())?;
    let deadline = Instant::now() + Duration::from_secs_f64(args.max_seconds);
    peer.handshake().await?;
    let mut out = json!({"pipeline": args.pipeline});
    if args.rss {
        tokio::time::sleep(Duration::from_secs_f64(args.idle)).await;
        if let Some((rss, _)) = peer.pid().and_then(memory_kib) {
            out["rss_idle_mib"] = json!(rss as f64 / 1024.0);
        }
    }
    let pipeline = args.pipeline.max(1);
    calls(&mut peer, &call, 1, args.warmup, pipeline, deadline).await?;
    let (mut samples, elapsed) = calls(&mut peer, &call, 1 + args.warmup, args.requests, pipeline, deadline).await?;
    if args.rss
        && let Some((rss, hwm)) = peer.pid().and_then(memory_kib)
    {
        out["rss_after_mib"] = json!(rss as f64 / 1024.0);
        out["rss_peak_mib"] = json!(hwm as f64 / 1024.0);
    }
    peer.stop().await;
    let requests = samples.len() as u64;
    out["requests"] = json!(requests);
    out["calls_total"] = json!(requests + args.warmup);
    out["seconds"] = json!(elapsed.as_secs_f64());
    out["rps"] = json!(if elapsed.is_zero() { 0.0 } else { requests as f64 / elapsed.as_secs_f64() });
    crate::http::merge(&mut out, stats::latency_ms(&mut samples));
    if requests < args.requests {
        out["truncated"] = json!(format!("stopped after {}s: {requests} of {} calls", args.max_seconds, args.requests));
    }
    println!("{out}");
    Ok(())
}

/// One start: spawn, handshake, `tools/list`; the time to its answer, the answer's size, and
/// what it listed.
async fn one_start(args: &StartArgs) -> Result<(Duration, usize, Listing)> {
    let timeout = Duration::from_secs_f64(args.timeout);
    if let Some(url) = &args.url {
        return one_start_http(args, url, timeout).await;
    }
    let start = Instant::now();
    let mut peer = Peer::spawn(&args.command, None)?;
    peer.timeout = timeout;
    let answered = tokio::time::timeout(timeout, async {
        peer.handshake().await?;
        peer.send(&format!("{}\n", mcp::tools_list(1))).await?;
        let (elapsed, reply, size) = peer.timed_response(start).await?;
        Ok::<_, String>((elapsed, size, listing(&reply, &args.tool)?))
    })
    .await
    .map_err(|_| format!("no tools/list answer within {timeout:?}"))?;
    let _ = peer.child.start_kill();
    let _ = peer.child.wait().await;
    answered
}

/// Whether a `tools/list` answer's tools include `tool` (empty: any tool at all).
pub fn lists(tools: &[Value], tool: &str) -> bool {
    if tool.is_empty() { !tools.is_empty() } else { tools.iter().any(|t| t["name"] == tool) }
}

/// What a first `tools/list` answer listed: a start-up figure compares like with like only when
/// every server sends the same tools, all in that one answer.
#[derive(Debug, PartialEq)]
pub struct Listing {
    /// How many tools the answer holds.
    pub tools: usize,
    /// Whether it carries a `nextCursor`: more pages follow, and the clock stopped at the first.
    pub more: bool,
}

impl Listing {
    /// Adds `tools` (and `next_cursor` when more pages follow) to a result object.
    fn put(&self, out: &mut Value) {
        out["tools"] = json!(self.tools);
        if self.more {
            out["next_cursor"] = json!(true);
        }
    }
}

/// The tools of a `tools/list` answer; an error when it lacks `tool` (empty: any tool).
pub fn listing(message: &Value, tool: &str) -> Result<Listing> {
    match message["result"]["tools"].as_array() {
        Some(tools) if lists(tools, tool) => {
            Ok(Listing { tools: tools.len(), more: message["result"]["nextCursor"].is_string() })
        }
        _ => Err(format!("tools/list answer lacks `{tool}`: {:.400}", message.to_string())),
    }
}

/// One start over HTTP: the server's stdin is closed at once (a server that exits on EOF is
/// not an HTTP server) and its output discarded.
async fn one_start_http(args: &StartArgs, url: &str, timeout: Duration) -> Result<(Duration, usize, Listing)> {
    let (program, rest) = args.command.split_first().ok_or("no server command given")?;
    let start = Instant::now();
    let mut child = Command::new(program)
        .args(rest)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start `{program}`: {e}"))?;
    let answered = tokio::select! {
        answered = crate::http::first_tools_list(url, &args.tool, start, timeout) => answered,
        status = child.wait() => Err(format!("the server exited before answering: {status:?}")),
    };
    let _ = child.start_kill();
    let _ = child.wait().await;
    answered
}

pub async fn startup(args: StartupArgs) -> Result<()> {
    let mut ms = Vec::new();
    let mut last = None;
    for _ in 0..args.runs.max(1) {
        let (elapsed, bytes, listed) = one_start(&args.start).await?;
        ms.push(elapsed.as_secs_f64() * 1000.0);
        last = Some((bytes, listed));
    }
    let min = ms.iter().copied().fold(f64::INFINITY, f64::min);
    let max = ms.iter().copied().fold(0.0, f64::max);
    let (size, listed) = last.ok_or("no start was made")?;
    let mut out = json!({"runs": ms.len(), "first_answer_ms": stats::median(&ms), "min_ms": min, "max_ms": max, "tools_list_bytes": size});
    listed.put(&mut out);
    println!("{out}");
    Ok(())
}

pub async fn first_answer(args: FirstAnswerArgs) -> Result<()> {
    let (elapsed, size, listed) = one_start(&args.start).await?;
    let mut out = json!({"first_answer_ms": elapsed.as_secs_f64() * 1000.0, "tools_list_bytes": size});
    listed.put(&mut out);
    println!("{out}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listing_counts_the_tools_and_sees_a_next_page() {
        let one_page = json!({"result": {"tools": [{"name": "a"}, {"name": "b"}]}});
        assert_eq!(listing(&one_page, "b").unwrap(), Listing { tools: 2, more: false });
        assert_eq!(listing(&one_page, "").unwrap(), Listing { tools: 2, more: false });
        let paged = json!({"result": {"tools": [{"name": "a"}], "nextCursor": "1"}});
        assert_eq!(listing(&paged, "").unwrap(), Listing { tools: 1, more: true });
        let mut out = json!({});
        listing(&paged, "a").unwrap().put(&mut out);
        assert_eq!(out, json!({"tools": 1, "next_cursor": true}));
    }

    #[test]
    fn listing_refuses_an_answer_without_the_tool() {
        let answer = json!({"result": {"tools": [{"name": "a"}]}});
        assert!(listing(&answer, "b").unwrap_err().contains("lacks `b`"));
        assert!(listing(&json!({"result": {"tools": []}}), "").is_err());
        assert!(listing(&json!({"error": {"code": -32601}}), "").is_err());
    }
}
