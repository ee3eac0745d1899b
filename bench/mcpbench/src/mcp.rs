//! The MCP messages the benchmark sends, byte for byte the same for every server.

/// The protocol version the client negotiates (legacy generation, the one every peer speaks).
pub const PROTOCOL_VERSION: &str = "2025-11-25";

pub fn initialize(id: u64) -> String {
    format!(
        r#"{{"jsonrpc":"2.0","id":{id},"method":"initialize","params":{{"protocolVersion":"{PROTOCOL_VERSION}","capabilities":{{}},"clientInfo":{{"name":"mcpbench","version":"0.1.0"}}}}}}"#
    )
}

pub const INITIALIZED: &str = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;

pub fn tools_list(id: u64) -> String {
    format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/list","params":{{}}}}"#)
}

/// The JSON-RPC message of a reply body, JSON or SSE: for SSE, the last `data:` payload that
/// parses as a JSON-RPC response (priming events carry an empty `data:`).
pub fn reply_message(body: &[u8], sse: bool) -> Option<serde_json::Value> {
    let text = std::str::from_utf8(body).ok()?;
    if !sse {
        return serde_json::from_str(text).ok();
    }
    let mut found = None;
    for event in text.split("\n\n") {
        let data: Vec<&str> =
            event.lines().filter_map(|l| l.strip_prefix("data:")).map(|d| d.strip_prefix(' ').unwrap_or(d)).collect();
        if data.is_empty() {
            continue;
        }
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&data.join("\n"))
            && (v.get("result").is_some() || v.get("error").is_some())
        {
            found = Some(v);
        }
    }
    found
}

/// The length of the `data` of an SSE body's last response event (the JSON-RPC message's size).
pub fn reply_data_len(body: &[u8]) -> usize {
    let text = String::from_utf8_lossy(body);
    let mut len = 0;
    for event in text.split("\n\n") {
        let data: Vec<&str> =
            event.lines().filter_map(|l| l.strip_prefix("data:")).map(|d| d.strip_prefix(' ').unwrap_or(d)).collect();
        let joined = data.join("\n");
        if joined.contains("\"result\"") || joined.contains("\"error\"") {
            len = joined.len();
        }
    }
    len
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_json() {
        for m in [initialize(0), tools_list(1), INITIALIZED.to_string()] {
            let v: serde_json::Value = serde_json::from_str(&m).unwrap();
            assert_eq!(v["jsonrpc"], "2.0");
        }
    }

    #[test]
    fn sse_reply_skips_priming_events() {
        let body =
            b"id: 0\nretry: 3000\ndata: \n\nevent: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n\n";
        assert_eq!(reply_message(body, true).unwrap()["id"], 1);
        assert!(reply_message(b"data: \n\n", true).is_none());
        assert_eq!(reply_message(br#"{"jsonrpc":"2.0","id":2,"result":{}}"#, false).unwrap()["id"], 2);
    }
}
