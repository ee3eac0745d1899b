//! STDIO: newline-delimited JSON-RPC on stdin/stdout.
//!
//! stdout carries nothing but MCP messages (logs go to stderr through `tracing`). Requests run
//! concurrently, so a slow tool never blocks `ping`; `initialize`, notifications and responses
//! are handled in order as they arrive. A bad or oversized line gets an error response and the
//! server keeps reading. EOF ends the server once in-flight requests finish (or a grace period
//! passes).

use crate::protocol::jsonrpc::error_response;
use crate::protocol::{ErrorObject, Message, codes};
use crate::server::{Connection, Dispatcher, Reply};
use serde_json::Value;
use std::io;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

/// Limits of the STDIO transport.
#[derive(Debug, Clone, Copy)]
pub struct StdioOptions {
    /// Longest accepted line, in bytes.
    pub max_message_bytes: usize,
    /// How long requests still running at EOF may take before they are cancelled.
    pub shutdown_grace: Duration,
}

impl Default for StdioOptions {
    fn default() -> Self {
        StdioOptions { max_message_bytes: 4 * 1024 * 1024, shutdown_grace: Duration::from_secs(5) }
    }
}

/// Serves `dispatcher` on the process's stdin and stdout until EOF or Ctrl-C.
pub async fn serve_stdio(dispatcher: Arc<Dispatcher>, options: StdioOptions) -> io::Result<()> {
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    serve(dispatcher, tokio::io::stdin(), super::stdout::stdout()?, options, shutdown).await
}

/// Serves `dispatcher` over any byte pipe until EOF or `shutdown` completes.
pub async fn serve<R, W>(
    dispatcher: Arc<Dispatcher>,
    input: R,
    mut output: W,
    options: StdioOptions,
    shutdown: impl std::future::Future<Output = ()>,
) -> io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin + Send + 'static,
{
    // Two queues to the writer: messages the handlers send (notifications, requests to the
    // client, as `Value`s), and replies, written straight to bytes.
    let (tx, mut rx) = mpsc::channel::<Value>(256);
    let (reply_tx, mut reply_rx) = mpsc::channel::<Reply>(256);
    let writer = tokio::spawn(async move {
        // Every message already queued goes out in one write and one flush: tokio's stdout hands
        // each write and each flush to a blocking thread, so one per message costs a thread
        // hand-off per answer when answers come back to back.
        let mut batch = Vec::with_capacity(8 * 1024);
        let (mut messages_open, mut replies_open) = (true, true);
        while messages_open || replies_open {
            tokio::select! {
                biased;
                message = rx.recv(), if messages_open => match message {
                    Some(message) => push_message(&mut batch, &message),
                    None => messages_open = false,
                },
                reply = reply_rx.recv(), if replies_open => match reply {
                    Some(reply) => push_reply(&mut batch, &mut rx, &reply, &mut output).await?,
                    None => replies_open = false,
                },
            }
            while batch.len() < 64 * 1024 {
                if let Ok(message) = rx.try_recv() {
                    push_message(&mut batch, &message);
                } else if let Ok(reply) = reply_rx.try_recv() {
                    push_reply(&mut batch, &mut rx, &reply, &mut output).await?;
                } else {
                    break;
                }
            }
            if !batch.is_empty() {
                output.write_all(&batch).await?;
                output.flush().await?;
            }
            if batch.capacity() > 1024 * 1024 {
                batch = Vec::with_capacity(8 * 1024); // after a burst, give the memory back
            } else {
                batch.clear();
            }
        }
        Ok::<_, io::Error>(())
    });

    let conn = Arc::new(Connection::new(Some(tx.clone())));
    let mut tasks = JoinSet::new();
    let mut lines = LineReader::new(BufReader::new(input), options.max_message_bytes);
    tokio::pin!(shutdown);
    loop {
        let line = tokio::select! {
            line = lines.next_line() => line?,
            _ = &mut shutdown => {
                tracing::info!("shutting down on signal");
                break;
            }
        };
        let Some(line) = line else { break };
        while tasks.try_join_next().is_some() {}
        let bytes = match line {
            Line::Data(bytes) => bytes,
            Line::TooLong => {
                let error = ErrorObject::new(
                    codes::INVALID_REQUEST,
                    format!("message exceeds the {} byte limit and was discarded", options.max_message_bytes),
                );
                let _ = tx.send(error_response(None, &error)).await;
                continue;
            }
        };
        let message = match Message::decode(&bytes) {
            Ok(message) => message,
            Err(e) => {
                tracing::debug!(error = %e.error, "undecodable message");
                let _ = tx.send(e.response()).await;
                continue;
            }
        };
        let in_order = !matches!(message, Message::Request { .. }) || message.method() == Some("initialize");
        if in_order {
            if let Some(reply) = dispatcher.handle(&conn, message, Some(tx.clone())).await {
                let _ = reply_tx.send(reply).await;
            }
        } else {
            let (dispatcher, conn, tx, reply_tx) = (dispatcher.clone(), conn.clone(), tx.clone(), reply_tx.clone());
            tasks.spawn(async move {
                if let Some(reply) = dispatcher.handle(&conn, message, Some(tx)).await {
                    let _ = reply_tx.send(reply).await;
                }
            });
        }
    }

    if tokio::time::timeout(options.shutdown_grace, async { while tasks.join_next().await.is_some() {} }).await.is_err()
    {
        tracing::warn!(remaining = tasks.len(), "cancelling requests still running at shutdown");
        conn.cancel_all();
        tasks.abort_all();
        while tasks.join_next().await.is_some() {}
    }
    // The client is gone: the tasks it created stop, and are dropped.
    conn.cancel_all();
    drop(conn);
    drop(tx);
    drop(reply_tx);
    writer.await.map_err(io::Error::other)?
}

fn push_message(batch: &mut Vec<u8>, message: &Value) {
    serde_json::to_writer(&mut *batch, message).expect("a JSON value always serializes");
    batch.push(b'\n');
}

/// A `tools/list` page goes out in parts of about this size, each sent while the next is written.
const PAGE_PART: usize = 256 * 1024;

/// A handler's messages are queued before its reply: any still in their queue go out first.
/// A `tools/list` page (megabytes for a big API) is written into the batch in parts, each part
/// sent before the next is written: the client reads the first tools while the last are written,
/// and no buffer of the whole page is ever paged in. What is left of the page stays in the batch.
async fn push_reply<W: AsyncWrite + Unpin>(
    batch: &mut Vec<u8>,
    messages: &mut mpsc::Receiver<Value>,
    reply: &Reply,
    output: &mut W,
) -> io::Result<()> {
    while let Ok(message) = messages.try_recv() {
        push_message(batch, &message);
    }
    match reply.tool_page() {
        None => reply.write_to(batch),
        Some(page) => {
            reply.write_result_head(batch);
            let mut parts = page.parts();
            while parts.fill(batch, PAGE_PART) {
                output.write_all(batch).await?;
                batch.clear();
            }
            batch.push(b'}');
        }
    }
    batch.push(b'\n');
    Ok(())
}

enum Line {
    Data(Vec<u8>),
    /// A line longer than the limit; its bytes were discarded.
    TooLong,
}

/// Reads `\n`-terminated lines with a length cap. Cancel-safe: partial lines stay in `self`.
struct LineReader<R> {
    inner: R,
    buf: Vec<u8>,
    max: usize,
    discarding: bool,
}

impl<R: AsyncBufRead + Unpin> LineReader<R> {
    fn new(inner: R, max: usize) -> Self {
        LineReader { inner, buf: Vec::new(), max, discarding: false }
    }

    async fn next_line(&mut self) -> io::Result<Option<Line>> {
        loop {
            let available = self.inner.fill_buf().await?;
            if available.is_empty() {
                // EOF: a final unterminated line still counts.
                let rest = std::mem::take(&mut self.buf);
                return Ok(match (self.discarding, rest.iter().all(u8::is_ascii_whitespace)) {
                    (true, _) => {
                        self.discarding = false;
                        Some(Line::TooLong)
                    }
                    (false, true) => None,
                    (false, false) => Some(Line::Data(rest)),
                });
            }
            let (chunk, found_newline) = match available.iter().position(|b| *b == b'\n') {
                Some(i) => (&available[..i], true),
                None => (available, false),
            };
            let consumed = chunk.len() + usize::from(found_newline);
            if !self.discarding {
                if self.buf.len() + chunk.len() > self.max {
                    self.buf = Vec::new();
                    self.discarding = true;
                } else {
                    self.buf.extend_from_slice(chunk);
                }
            }
            self.inner.consume(consumed);
            if found_newline {
                if std::mem::take(&mut self.discarding) {
                    return Ok(Some(Line::TooLong));
                }
                let line = std::mem::take(&mut self.buf);
                if !line.iter().all(u8::is_ascii_whitespace) {
                    return Ok(Some(Line::Data(line)));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn lines_of(input: &[u8], max: usize) -> Vec<String> {
        let mut reader = LineReader::new(BufReader::with_capacity(4, input), max);
        let mut out = Vec::new();
        while let Some(line) = reader.next_line().await.unwrap() {
            out.push(match line {
                Line::Data(d) => String::from_utf8(d).unwrap(),
                Line::TooLong => "<too long>".into(),
            });
        }
        out
    }

    /// A `tools/list` answer of several [`PAGE_PART`]s goes out part by part: it must still be
    /// one whole line, between the other answers, never interleaved with them.
    #[tokio::test]
    async fn a_large_reply_goes_out_as_one_line_among_the_others() {
        use crate::server::{Server, Tool, ToolResult};
        use tokio::io::AsyncReadExt;
        let description = "d".repeat(8000);
        let mut server = Server::new("big", "1");
        for i in 0..100 {
            let tool = Tool::from_schema_text(format!("t{i}"), r#"{"type":"object"}"#)
                .description(description.clone())
                .handler(|_, _| async { Ok(ToolResult::text("ok")) });
            server = server.tool(tool);
        }
        let dispatcher = server.build().unwrap().0;
        let mut input = Vec::new();
        for id in 1..=20 {
            let method = if id % 5 == 0 { "tools/list" } else { "ping" };
            input.extend_from_slice(format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"{method}"}}"#).as_bytes());
            input.push(b'\n');
        }
        let (writer, mut reader) = tokio::io::duplex(64 * 1024);
        let serving = tokio::spawn(async move {
            serve(dispatcher, &input[..], writer, StdioOptions::default(), std::future::pending()).await
        });
        let mut out = Vec::new();
        tokio::time::timeout(Duration::from_secs(20), reader.read_to_end(&mut out)).await.unwrap().unwrap();
        serving.await.unwrap().unwrap();
        let mut ids = Vec::new();
        for line in out.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            let answer: Value = serde_json::from_slice(line).expect("every line is one JSON answer");
            let id = answer["id"].as_i64().unwrap();
            if id % 5 == 0 {
                assert!(line.len() > 2 * PAGE_PART, "the list is large enough to go out in parts");
                assert_eq!(answer["result"]["tools"].as_array().unwrap().len(), 100);
            } else {
                assert_eq!(answer["result"], serde_json::json!({}));
            }
            ids.push(id);
        }
        ids.sort();
        assert_eq!(ids, (1..=20).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn splits_lines_skips_blank_ones_and_caps_length() {
        assert_eq!(lines_of(b"ab\n\n  \ncd", 10).await, vec!["ab", "cd"]);
        assert_eq!(lines_of(b"0123456789abc\nok\n", 10).await, vec!["<too long>", "ok"]);
        assert_eq!(lines_of(b"ok\n0123456789abc", 10).await, vec!["ok", "<too long>"]);
        // `\r\n` endings: the `\r` is JSON whitespace, which the decoder accepts.
        assert_eq!(lines_of(b"x\r\n", 10).await, vec!["x\r"]);
    }
}
