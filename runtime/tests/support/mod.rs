//! Support for the reliability tests (`hostile_input`, `load`, `process`): leak checks on the
//! runtime's live tasks, raw sockets that misbehave on purpose, latency figures, and the scale
//! knobs of the load tests.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Tasks alive on the current tokio runtime: the server's connection tasks, handler tasks,
/// session pumps and streams, plus the test's own.
pub fn alive_tasks() -> usize {
    tokio::runtime::Handle::current().metrics().num_alive_tasks()
}

/// Waits until the runtime's live tasks are back to `baseline` (or fewer), polling for at most
/// `within`; returns the last count seen, so a caller can assert on it and print it.
pub async fn settle_tasks(baseline: usize, within: Duration) -> usize {
    let deadline = Instant::now() + within;
    loop {
        let now = alive_tasks();
        if now <= baseline || Instant::now() >= deadline {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A raw TCP connection whose writes never panic: the server may close it at any moment.
pub struct RawConn {
    pub stream: TcpStream,
}

impl RawConn {
    pub async fn open(addr: SocketAddr) -> RawConn {
        let stream = tokio::time::timeout(Duration::from_secs(10), TcpStream::connect(addr))
            .await
            .expect("connect in time")
            .expect("connect");
        RawConn { stream }
    }

    /// False once the server has closed the connection (or reset it).
    pub async fn write(&mut self, bytes: &[u8]) -> bool {
        self.stream.write_all(bytes).await.is_ok()
    }

    /// Everything the server sends until it closes the connection or `wait` passes; and whether it
    /// closed.
    pub async fn read_until_closed(&mut self, wait: Duration) -> (Vec<u8>, bool) {
        let deadline = tokio::time::Instant::now() + wait;
        let mut out = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            match tokio::time::timeout_at(deadline, self.stream.read(&mut chunk)).await {
                Err(_) => return (out, false),
                Ok(Ok(0)) | Ok(Err(_)) => return (out, true),
                Ok(Ok(n)) => out.extend_from_slice(&chunk[..n]),
            }
        }
    }
}

/// Latency samples of one kind of request, in microseconds.
#[derive(Debug, Default, Clone)]
pub struct Latencies(pub Vec<u64>);

impl Latencies {
    pub fn push(&mut self, d: Duration) {
        self.0.push(d.as_micros() as u64);
    }

    fn sorted(&self) -> Vec<u64> {
        let mut v = self.0.clone();
        v.sort_unstable();
        v
    }

    /// The `p`-th percentile (0..=100) in microseconds; 0 without samples.
    pub fn percentile(&self, p: f64) -> u64 {
        let v = self.sorted();
        if v.is_empty() {
            return 0;
        }
        let rank = ((p / 100.0) * (v.len() - 1) as f64).round() as usize;
        v[rank.min(v.len() - 1)]
    }

    pub fn max(&self) -> u64 {
        self.0.iter().copied().max().unwrap_or(0)
    }

    pub fn summary(&self) -> String {
        format!(
            "n={} p50={:.2}ms p99={:.2}ms max={:.2}ms",
            self.0.len(),
            self.percentile(50.0) as f64 / 1000.0,
            self.percentile(99.0) as f64 / 1000.0,
            self.max() as f64 / 1000.0
        )
    }
}

/// The bound a latency measured under load must stay under: generous, relative to a baseline
/// measured in the same test on the same machine, with a floor for schedulers that hiccup.
pub fn latency_bound(baseline: &Latencies) -> Duration {
    let relative = Duration::from_micros(baseline.percentile(99.0).saturating_mul(50));
    relative.max(Duration::from_secs(3))
}

/// A scale knob: the environment variable `name` if set (the long runs of `scripts/soak`),
/// else `default` (the short run of the normal suite).
pub fn knob(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v.parse().unwrap_or_else(|_| panic!("{name}={v:?} is not a whole number")),
        Err(_) => default,
    }
}

/// Prints a figure for RELIABILITY.md; visible with `--nocapture` (scripts/soak passes it).
pub fn figure(test: &str, text: impl std::fmt::Display) {
    eprintln!("FIGURE {test}: {text}");
}
