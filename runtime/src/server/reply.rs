//! A JSON-RPC response ready to send, written straight to JSON text.
//!
//! Building the response as a `serde_json::Value` tree only to serialize and free it was the
//! largest cost of a `tools/call` (bench/results/2026-11-29-findings.md §2). A [`Reply`] keeps a
//! result in the form it was made in — a tool's [`ToolResult`], a `tools/list` page's text, or a
//! `Value` for everything else — and writes the envelope around it once, into bytes.

use super::result::ToolResult;
use super::tool_page::ToolPage;
use crate::protocol::{ErrorObject, RequestId};
use serde_json::{Value, json};
use std::io::Write;

/// The result of a request, in the form it was made in.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    /// A result built as a JSON tree.
    Value(Value),
    /// A `tools/list` page, written from its tools' stored text when sent.
    ToolPage(ToolPage),
    /// A tool's result; `result_type` adds the 2026-07-28 `"resultType":"complete"`.
    Tool { result: ToolResult, result_type: bool },
}

impl Payload {
    /// Writes the payload as JSON text.
    fn write(&self, out: &mut Vec<u8>) {
        match self {
            Payload::Value(value) => write_value(out, value),
            Payload::ToolPage(page) => page.write(out),
            Payload::Tool { result, result_type } => result.write_json(out, *result_type),
        }
    }

    /// The payload as a tree (for transports whose queues carry `Value`s).
    pub fn into_value(self) -> Value {
        match self {
            Payload::Value(value) => value,
            Payload::ToolPage(page) => {
                let mut text = Vec::new();
                page.write(&mut text);
                serde_json::from_slice(&text).unwrap_or_else(|e| {
                    tracing::error!(error = %e, "a tool's stored text is not JSON");
                    Value::Null
                })
            }
            Payload::Tool { result, result_type } => {
                let mut value = result.into_value();
                if let (true, Some(obj)) = (result_type, value.as_object_mut()) {
                    obj.insert("resultType".into(), json!("complete"));
                }
                value
            }
        }
    }
}

/// A response to one request: its id and its result or error.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// `None` when the request's id could not be read (sent as `"id": null`).
    pub id: Option<RequestId>,
    pub outcome: Result<Payload, ErrorObject>,
}

impl Reply {
    pub fn result(id: RequestId, payload: Payload) -> Reply {
        Reply { id: Some(id), outcome: Ok(payload) }
    }

    pub fn error(id: Option<RequestId>, error: ErrorObject) -> Reply {
        Reply { id, outcome: Err(error) }
    }

    /// The error code, when the reply is an error.
    pub fn error_code(&self) -> Option<i64> {
        self.outcome.as_ref().err().map(|e| e.code)
    }

    /// Appends the response's JSON text to `out`; keys in the order `json!` would sort them.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        match &self.outcome {
            Ok(payload) => {
                self.write_result_head(out);
                payload.write(out);
            }
            Err(error) => {
                out.extend_from_slice(b"{\"error\":");
                write_value(out, &error.to_value());
                out.extend_from_slice(b",\"id\":");
                self.write_id(out);
                out.extend_from_slice(b",\"jsonrpc\":\"2.0\"");
            }
        }
        out.push(b'}');
    }

    /// The `tools/list` page this reply carries, if it does: a transport may write
    /// [`write_result_head`](Self::write_result_head), the page in parts and `}` one after the
    /// other, sending each part as it goes, instead of writing megabytes into one buffer.
    pub fn tool_page(&self) -> Option<&ToolPage> {
        match &self.outcome {
            Ok(Payload::ToolPage(page)) => Some(page),
            _ => None,
        }
    }

    /// What comes before a result: `{"id":..,"jsonrpc":"2.0","result":`.
    pub fn write_result_head(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"id\":");
        self.write_id(out);
        out.extend_from_slice(b",\"jsonrpc\":\"2.0\",\"result\":");
    }

    /// The response's JSON text.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(128);
        self.write_to(&mut out);
        out
    }

    /// The response as a tree (for transports whose queues carry `Value`s, and for tests).
    pub fn into_value(self) -> Value {
        let id = self.id.as_ref().map_or(Value::Null, RequestId::to_value);
        match self.outcome {
            Ok(payload) => json!({"jsonrpc": "2.0", "id": id, "result": payload.into_value()}),
            Err(error) => json!({"jsonrpc": "2.0", "id": id, "error": error.to_value()}),
        }
    }

    fn write_id(&self, out: &mut Vec<u8>) {
        match &self.id {
            None => out.extend_from_slice(b"null"),
            // serde_json writes an i64 with `itoa`; `i128`'s `Display` divides 128-bit numbers.
            Some(RequestId::Number(n)) => match i64::try_from(*n) {
                Ok(n) => write_value(out, &n),
                Err(_) => {
                    let _ = write!(out, "{n}");
                }
            },
            Some(RequestId::String(s)) => write_value(out, s),
        }
    }
}

/// Serializes into `out`; writing to a `Vec` of a type that always serializes cannot fail.
pub(crate) fn write_value<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    if let Err(e) = serde_json::to_writer(&mut *out, value) {
        tracing::error!(error = %e, "a reply could not be serialized");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::codes;
    use crate::server::result::Content;

    fn text(reply: &Reply) -> String {
        String::from_utf8(reply.to_bytes()).unwrap()
    }

    /// The bytes written directly are the bytes the `Value` route wrote, for every payload kind.
    #[test]
    fn writes_what_the_value_tree_serializes_to() {
        let tool = ToolResult::structured(json!({"sum": 3, "why": "a\"b\n"})).with_content(Content::text("3"));
        let cases = [
            Reply::result(RequestId::Number(7), Payload::Value(json!({"b": [1, 2], "a": null}))),
            Reply::result(RequestId::String("x\"y".into()), Payload::ToolPage(ToolPage::new(&[], None))),
            Reply::result(RequestId::Number(-1), Payload::Tool { result: ToolResult::text("3"), result_type: false }),
            Reply::result(RequestId::Number(u64::MAX.into()), Payload::Tool { result: tool, result_type: true }),
            Reply::result(
                RequestId::Number(1),
                Payload::Tool { result: ToolResult::structured(json!([1, "two"])), result_type: false },
            ),
            Reply::result(RequestId::Number(2), Payload::Tool { result: ToolResult::error("no"), result_type: true }),
            Reply::error(None, ErrorObject::new(codes::PARSE_ERROR, "bad")),
            Reply::error(Some(RequestId::Number(3)), ErrorObject::invalid_params("x").with_data(json!({"k": 1}))),
        ];
        for reply in cases {
            let direct = text(&reply);
            let via_tree = serde_json::to_string(&reply.clone().into_value()).unwrap();
            assert_eq!(direct, via_tree);
        }
    }

    #[test]
    fn tool_results_carry_result_type_only_when_asked() {
        let plain =
            Reply::result(RequestId::Number(1), Payload::Tool { result: ToolResult::text("3"), result_type: false });
        assert_eq!(text(&plain), r#"{"id":1,"jsonrpc":"2.0","result":{"content":[{"text":"3","type":"text"}]}}"#);
        let modern =
            Reply::result(RequestId::Number(1), Payload::Tool { result: ToolResult::text("3"), result_type: true });
        let value: Value = serde_json::from_slice(&modern.to_bytes()).unwrap();
        assert_eq!(value["result"]["resultType"], json!("complete"));
        assert_eq!(modern.error_code(), None);
        assert_eq!(Reply::error(None, ErrorObject::internal("x")).error_code(), Some(codes::INTERNAL_ERROR));
    }
}
