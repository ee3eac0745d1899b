//! The in-process server (`mcpgen run SPEC`, what a user starts first) against the compiled one
//! (the batch binary) for one description: `initialize`, `tools/list` in both protocol
//! generations and the same tool calls must be the same bytes, and the calls must send the mock
//! the same requests. The first difference is the outcome.

use crate::batch::SPEC_VAR;
use crate::client::Client;
use crate::generate::Tool;
use crate::mock::Running;
use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(30);

/// The flag that makes the runner act as `mcpgen` (`mcpgen-corpus --mcpgen run SPEC ...`).
pub const MCPGEN_FLAG: &str = "--mcpgen";

/// `Ok` when both servers answered alike, else the first difference.
pub fn compare(batch_binary: &Path, index: usize, spec: &Path, tools: &[&Tool], mock: &Running) -> Result<(), String> {
    // Every tool listed, whatever the API's size.
    let tail = ["--log-level", "ERROR", "--tools", "all", "--", "--base-url", mock.base_url.as_str()];
    let compiled = || {
        let mut c = Command::new(batch_binary);
        c.env(SPEC_VAR, index.to_string()).args(tail);
        c
    };
    let runner = std::env::current_exe().map_err(|e| format!("the runner's own path: {e}"))?;
    let in_process = || {
        let mut c = Command::new(&runner);
        c.arg(MCPGEN_FLAG)
            .arg("run")
            .arg(spec)
            .args(["--schema-profile", crate::generate::profile().as_str()])
            .args(tail);
        c
    };
    let a = transcript(compiled, tools, mock).map_err(|e| format!("compiled server: {e}"))?;
    let b = transcript(in_process, tools, mock).map_err(|e| format!("in-process server: {e}"))?;
    for ((what, x), (_, y)) in a.iter().zip(&b) {
        if x != y {
            return Err(format!("{what}: {}", first_difference(x, y)));
        }
    }
    if a.len() != b.len() {
        return Err(format!("{} exchanges against {}", a.len(), b.len()));
    }
    Ok(())
}

/// `(what, bytes)` of every answer and every request the mock saw, in order.
fn transcript(command: impl Fn() -> Command, tools: &[&Tool], mock: &Running) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut legacy = Client::spawn(&mut command()).map_err(|e| e.to_string())?;
    let init = json!({
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "mcpgen-corpus", "version": "0"}
    });
    out.push(("initialize".into(), legacy.exchange("initialize", init, TIMEOUT)?.0));
    legacy.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))?;
    pages(&mut legacy, json!({}), "tools/list (2025-11-25)", &mut out)?;

    let mut modern = Client::spawn(&mut command()).map_err(|e| e.to_string())?;
    let meta = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
    });
    out.push(("server/discover".into(), modern.exchange("server/discover", json!({"_meta": meta}), TIMEOUT)?.0));
    pages(&mut modern, json!({"_meta": meta}), "tools/list (2026-07-28)", &mut out)?;
    drop(modern);

    for tool in tools {
        let _ = mock.take();
        let params = json!({"name": tool.name, "arguments": tool.arguments()});
        let what = format!("tools/call {}", tool.name);
        out.push((what.clone(), legacy.exchange("tools/call", params, TIMEOUT)?.0));
        for (i, seen) in mock.take().into_iter().enumerate() {
            out.push((format!("{what}: request {i} to the API"), seen.request));
        }
    }
    Ok(out)
}

/// Every page of `tools/list`, as written.
fn pages(client: &mut Client, params: Value, what: &str, out: &mut Vec<(String, String)>) -> Result<(), String> {
    let mut params = params;
    for page in 1..=1_000 {
        let (line, message) = client.exchange("tools/list", params.clone(), TIMEOUT)?;
        out.push((format!("{what}, page {page}"), line));
        match message["result"]["nextCursor"].as_str() {
            Some(cursor) => params["cursor"] = Value::from(cursor),
            None => return Ok(()),
        }
    }
    Err(format!("{what}: more than 1,000 pages"))
}

/// Where two answers part: the first differing tool of a `tools/list`, else the first byte.
fn first_difference(x: &str, y: &str) -> String {
    let parse = |s: &str| serde_json::from_str::<Value>(s).unwrap_or(Value::Null);
    let tools = |v: &Value| v["result"]["tools"].as_array().cloned().unwrap_or_default();
    let (vx, vy) = (parse(x), parse(y));
    if let Some((a, _)) = tools(&vx).iter().zip(tools(&vy).iter()).find(|(a, b)| a != b) {
        return format!("the first differing tool is `{}`", a["name"].as_str().unwrap_or("?"));
    }
    let at = x.bytes().zip(y.bytes()).take_while(|(a, b)| a == b).count();
    let around = |s: &str| s.get(at.saturating_sub(60)..(at + 60).min(s.len())).unwrap_or("").to_string();
    format!("differs at byte {at}: compiled …{}…, in-process …{}…", around(x), around(y))
}

#[cfg(test)]
mod tests {
    use super::first_difference;

    #[test]
    fn a_difference_names_the_first_differing_tool_else_the_byte() {
        let a = r#"{"result":{"tools":[{"name":"a"},{"name":"b","x":1}]}}"#;
        let b = r#"{"result":{"tools":[{"name":"a"},{"name":"b","x":2}]}}"#;
        assert_eq!(first_difference(a, b), "the first differing tool is `b`");
        let said = first_difference(r#"{"result":{"x":1}}"#, r#"{"result":{"x":2}}"#);
        assert!(said.starts_with("differs at byte 15:"), "{said}");
    }
}
