//! Which tool the load calls, and how its answers are checked.
//!
//! By default every subcommand calls the harness's `add(1, 2)` and wants the text `3`. The proxy
//! scenario calls a generated server's tool instead (`--call showPetById --args '{"petId":"1"}'
//! --expect Rex`): the same request for every server, with the tool name each one gives the
//! operation. The first answer on a connection or pipe is parsed in full (`check_message`);
//! later ones only get the cheap byte check (`check_bytes`), so the client leaves the CPU to the
//! server under test.

use crate::{Result, mcp};
use serde_json::Value;

#[derive(clap::Args, Clone)]
pub struct CallArgs {
    /// The tool every request calls.
    #[arg(long = "call", default_value = "add")]
    pub tool: String,
    /// Its arguments, a JSON object.
    #[arg(long = "args", default_value = r#"{"a":1,"b":2}"#)]
    pub args: String,
    /// Text the answer's first content item must contain (for `add` without it: exactly `3`).
    /// Give plain text without `"` or `\` so the byte check of later answers can find it in
    /// JSON-escaped text too.
    #[arg(long)]
    pub expect: Option<String>,
}

/// A prepared `tools/call`: the request split around its id, and what a right answer holds.
pub struct Call {
    pub tool: String,
    head: String,
    tail: String,
    expect: Expect,
}

enum Expect {
    /// The benchmark's own `add`: the text is exactly this.
    Exactly(String),
    /// Any other tool: the text contains this (empty: any successful answer).
    Contains(String),
}

impl Call {
    pub fn new(args: &CallArgs) -> Result<Call> {
        let arguments: Value =
            serde_json::from_str(&args.args).map_err(|e| format!("--args `{}` is not JSON: {e}", args.args))?;
        if !arguments.is_object() {
            return Err(format!("--args `{}` must be a JSON object", args.args));
        }
        let expect = match (&args.expect, args.tool.as_str()) {
            (Some(text), _) => {
                if text.contains(['"', '\\']) {
                    return Err(format!("--expect `{text}`: give text without `\"` or `\\`"));
                }
                Expect::Contains(text.clone())
            }
            (None, "add") => Expect::Exactly("3".into()),
            (None, _) => Expect::Contains(String::new()),
        };
        Ok(Call {
            tool: args.tool.clone(),
            head: r#"{"jsonrpc":"2.0","id":"#.to_string(),
            tail: format!(
                r#","method":"tools/call","params":{{"name":{},"arguments":{arguments}}}}}"#,
                Value::from(args.tool.as_str())
            ),
            expect,
        })
    }

    /// The request with this id, one line of JSON.
    pub fn request(&self, id: u64) -> String {
        let mut s = String::with_capacity(self.head.len() + self.tail.len() + 20);
        s.push_str(&self.head);
        s.push_str(&id.to_string());
        s.push_str(&self.tail);
        s
    }

    /// The full check of a parsed JSON-RPC answer.
    pub fn check_message(&self, message: &Value) -> Result<()> {
        let result = &message["result"];
        let text = result["content"][0]["text"].as_str();
        let ok = result.is_object()
            && result["isError"] != true
            && match (&self.expect, text) {
                (Expect::Exactly(want), Some(text)) => text == want,
                (Expect::Contains(want), Some(text)) => text.contains(want.as_str()),
                (_, None) => false,
            };
        if ok { Ok(()) } else { Err(format!("tools/call {} answered {message}", self.tool)) }
    }

    /// The cheap check of a later answer's bytes (JSON or SSE).
    pub fn check_bytes(&self, body: &[u8]) -> Result<()> {
        let ok = match &self.expect {
            Expect::Exactly(want) => contains(body, format!(r#""text":"{want}""#).as_bytes()),
            Expect::Contains(want) => contains(body, want.as_bytes()) && !contains(body, br#""isError":true"#),
        };
        if ok { Ok(()) } else { Err(format!("unexpected tools/call reply: {}", String::from_utf8_lossy(body))) }
    }

    /// Parses a reply body (JSON or SSE) and checks it in full.
    pub fn check_body(&self, body: &[u8], sse: bool) -> Result<()> {
        let message = mcp::reply_message(body, sse)
            .ok_or_else(|| format!("tools/call reply is not a JSON-RPC response: {}", String::from_utf8_lossy(body)))?;
        self.check_message(&message)
    }
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn call(tool: &str, args: &str, expect: Option<&str>) -> Result<Call> {
        Call::new(&CallArgs { tool: tool.into(), args: args.into(), expect: expect.map(str::to_string) })
    }

    #[test]
    fn the_default_is_add_wanting_three() {
        let add = call("add", r#"{"a":1,"b":2}"#, None).unwrap();
        let request: Value = serde_json::from_str(&add.request(7)).unwrap();
        assert_eq!(
            request,
            json!({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2}}})
        );
        assert!(add.check_message(&json!({"result":{"content":[{"type":"text","text":"3"}]}})).is_ok());
        assert!(add.check_message(&json!({"result":{"content":[{"type":"text","text":"33"}]}})).is_err());
        assert!(add.check_bytes(br#"{"result":{"content":[{"type":"text","text":"3"}]}}"#).is_ok());
        assert!(add.check_bytes(br#"{"result":{"content":[{"type":"text","text":"4"}]}}"#).is_err());
    }

    #[test]
    fn other_tools_want_the_expected_text_and_no_error() {
        let show = call("showPetById", r#"{"petId":"1"}"#, Some("Rex")).unwrap();
        assert!(show.request(1).contains(r#""name":"showPetById","arguments":{"petId":"1"}"#));
        let good = json!({"result":{"content":[{"type":"text","text":"{\"id\":1,\"name\":\"Rex\"}"}]}});
        assert!(show.check_message(&good).is_ok());
        assert!(show.check_bytes(good.to_string().as_bytes()).is_ok());
        let failed = json!({"result":{"isError":true,"content":[{"type":"text","text":"Rex: 401"}]}});
        assert!(show.check_message(&failed).is_err());
        assert!(show.check_bytes(failed.to_string().as_bytes()).is_err());
        assert!(show.check_message(&json!({"error":{"code":-32602,"message":"Rex"}})).is_err());
    }

    #[test]
    fn bad_options_are_refused() {
        assert!(call("x", "[1]", None).is_err());
        assert!(call("x", "{", None).is_err());
        assert!(call("x", "{}", Some(r#"a"b"#)).is_err());
    }
}
