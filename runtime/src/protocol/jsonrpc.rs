//! JSON-RPC 2.0 framing: decoding one message, encoding responses and errors.

use super::json::{self, Members, TopLevel};
use serde_json::{Map, Value, json};
use std::fmt;

/// Error codes: JSON-RPC's own and the ones MCP defines.
pub mod codes {
    pub const PARSE_ERROR: i64 = -32700;
    pub const INVALID_REQUEST: i64 = -32600;
    pub const METHOD_NOT_FOUND: i64 = -32601;
    pub const INVALID_PARAMS: i64 = -32602;
    pub const INTERNAL_ERROR: i64 = -32603;
    /// Legacy: a resource URI that names nothing.
    pub const RESOURCE_NOT_FOUND: i64 = -32002;
    /// 2026-07-28: HTTP routing headers disagree with the body.
    pub const HEADER_MISMATCH: i64 = -32020;
    /// 2026-07-28: the request needs a client capability the client did not declare.
    pub const MISSING_REQUIRED_CLIENT_CAPABILITY: i64 = -32021;
    /// 2026-07-28: the `_meta` protocol version is not one this server speaks.
    pub const UNSUPPORTED_PROTOCOL_VERSION: i64 = -32022;
}

/// A request id: a string or an integer, never null.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RequestId {
    Number(i128),
    String(String),
}

impl RequestId {
    /// Reads an id; `None` for null, fractions, booleans and anything else JSON-RPC forbids.
    pub fn from_value(value: &Value) -> Option<RequestId> {
        match value {
            Value::String(s) => Some(RequestId::String(s.clone())),
            Value::Number(n) => {
                n.as_i64().map(i128::from).or_else(|| n.as_u64().map(i128::from)).map(RequestId::Number)
            }
            _ => None,
        }
    }

    pub fn to_value(&self) -> Value {
        match self {
            RequestId::String(s) => Value::String(s.clone()),
            RequestId::Number(n) => match i64::try_from(*n) {
                Ok(i) => json!(i),
                Err(_) => json!(*n as u64),
            },
        }
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestId::Number(n) => write!(f, "{n}"),
            RequestId::String(s) => write!(f, "{s:?}"),
        }
    }
}

/// A JSON-RPC error object.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorObject {
    pub code: i64,
    pub message: String,
    pub data: Option<Value>,
}

impl ErrorObject {
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        ErrorObject { code, message: message.into(), data: None }
    }

    pub fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }

    pub fn invalid_params(message: impl Into<String>) -> Self {
        Self::new(codes::INVALID_PARAMS, message)
    }

    pub fn method_not_found(method: &str) -> Self {
        Self::new(codes::METHOD_NOT_FOUND, format!("Method not found: {method}"))
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(codes::INTERNAL_ERROR, message)
    }

    pub fn to_value(&self) -> Value {
        let mut obj = Map::new();
        obj.insert("code".into(), json!(self.code));
        obj.insert("message".into(), json!(self.message));
        if let Some(data) = &self.data {
            obj.insert("data".into(), data.clone());
        }
        Value::Object(obj)
    }
}

impl fmt::Display for ErrorObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl std::error::Error for ErrorObject {}

/// One decoded JSON-RPC message.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    Request {
        id: RequestId,
        method: String,
        params: Option<Value>,
    },
    Notification {
        method: String,
        params: Option<Value>,
    },
    /// A response to a request this side sent (result or error).
    Response {
        id: RequestId,
        outcome: Result<Value, ErrorObject>,
    },
}

/// A message that could not be decoded, with the id to answer to if one was readable.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeError {
    pub id: Option<RequestId>,
    pub error: ErrorObject,
}

impl DecodeError {
    /// The error response to send back (id `null` when the id was unreadable).
    pub fn response(&self) -> Value {
        error_response(self.id.as_ref(), &self.error)
    }
}

impl Message {
    /// Decodes one message from raw bytes: -32700 for bad JSON (duplicate keys included, see
    /// [`parse_json`]), -32600 for bad shapes. The message object itself is never built as a
    /// tree (see [`json::parse_members`]).
    pub fn decode(bytes: &[u8]) -> Result<Message, DecodeError> {
        match json::parse_members(bytes).map_err(parse_error)? {
            TopLevel::Object(members) => Self::from_members(members),
            TopLevel::Array => Err(invalid(None, "batches are not supported")),
            TopLevel::Scalar => Err(invalid(None, "expected a JSON object")),
        }
    }

    /// Classifies an already parsed JSON value.
    pub fn from_value(value: Value) -> Result<Message, DecodeError> {
        let Value::Object(mut obj) = value else {
            let what = if value.is_array() { "batches are not supported" } else { "expected a JSON object" };
            return Err(invalid(None, what));
        };
        Self::from_members(Members {
            jsonrpc: obj.remove("jsonrpc").map(|v| v.as_str() == Some("2.0")),
            id: obj.remove("id"),
            method: obj.remove("method"),
            params: obj.remove("params"),
            result: obj.remove("result"),
            error: obj.remove("error"),
        })
    }

    fn from_members(members: Members) -> Result<Message, DecodeError> {
        let Members { jsonrpc, id: raw_id, method, params, result, error } = members;
        let id = raw_id.as_ref().and_then(RequestId::from_value);
        if jsonrpc != Some(true) {
            return Err(invalid(id, "\"jsonrpc\" must be \"2.0\""));
        }
        if raw_id.is_some() && id.is_none() {
            return Err(invalid(None, "\"id\" must be a string or an integer"));
        }
        match method {
            Some(Value::String(method)) => {
                if params.as_ref().is_some_and(|p| !p.is_object()) {
                    return Err(DecodeError { id, error: ErrorObject::invalid_params("\"params\" must be an object") });
                }
                Ok(match id {
                    Some(id) => Message::Request { id, method, params },
                    None => Message::Notification { method, params },
                })
            }
            Some(_) => Err(invalid(id, "\"method\" must be a string")),
            None => {
                let Some(id) = id else {
                    return Err(invalid(None, "a message needs a \"method\" or an \"id\""));
                };
                match (result, error) {
                    (Some(result), None) => Ok(Message::Response { id, outcome: Ok(result) }),
                    (None, Some(error)) => {
                        let code = error.get("code").and_then(Value::as_i64);
                        let message = error.get("message").and_then(Value::as_str);
                        match (code, message) {
                            (Some(code), Some(message)) => {
                                let mut err = ErrorObject::new(code, message);
                                err.data = error.get("data").cloned();
                                Ok(Message::Response { id, outcome: Err(err) })
                            }
                            _ => Err(invalid(Some(id), "\"error\" needs an integer code and a message")),
                        }
                    }
                    _ => Err(invalid(Some(id), "a response needs exactly one of \"result\" and \"error\"")),
                }
            }
        }
    }

    /// The id of a request or response.
    pub fn id(&self) -> Option<&RequestId> {
        match self {
            Message::Request { id, .. } | Message::Response { id, .. } => Some(id),
            Message::Notification { .. } => None,
        }
    }

    /// The `params` of a request or notification.
    pub fn params(&self) -> Option<&Value> {
        match self {
            Message::Request { params, .. } | Message::Notification { params, .. } => params.as_ref(),
            Message::Response { .. } => None,
        }
    }

    /// The method name of a request or notification.
    pub fn method(&self) -> Option<&str> {
        match self {
            Message::Request { method, .. } | Message::Notification { method, .. } => Some(method),
            Message::Response { .. } => None,
        }
    }
}

/// Parses a message's JSON text strictly ([`super::json::parse`]: no duplicate keys); the error
/// is the -32700 to answer with, id `null` (nothing in unparsable or ambiguous text is trusted).
pub fn parse_json(bytes: &[u8]) -> Result<Value, DecodeError> {
    json::parse(bytes).map_err(parse_error)
}

fn parse_error(e: serde_json::Error) -> DecodeError {
    DecodeError { id: None, error: ErrorObject::new(codes::PARSE_ERROR, format!("Parse error: {e}")) }
}

/// -32600 with `msg`.
fn invalid(id: Option<RequestId>, msg: &str) -> DecodeError {
    DecodeError { id, error: ErrorObject::new(codes::INVALID_REQUEST, format!("Invalid request: {msg}")) }
}

/// `{"jsonrpc":"2.0","id":..,"result":..}`
pub fn result_response(id: &RequestId, result: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id.to_value(), "result": result})
}

/// `{"jsonrpc":"2.0","id":..,"error":..}`, id `null` when unknown.
pub fn error_response(id: Option<&RequestId>, error: &ErrorObject) -> Value {
    let id = id.map_or(Value::Null, RequestId::to_value);
    json!({"jsonrpc": "2.0", "id": id, "error": error.to_value()})
}

/// A notification to send.
pub fn notification(method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "method": method, "params": params})
}

/// A request to send.
pub fn request(id: &RequestId, method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id.to_value(), "method": method, "params": params})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_of(bytes: &str) -> (Option<RequestId>, i64) {
        let err = Message::decode(bytes.as_bytes()).unwrap_err();
        (err.id, err.error.code)
    }

    #[test]
    fn decodes_requests_notifications_and_responses() {
        let req = Message::decode(br#"{"jsonrpc":"2.0","id":7,"method":"ping"}"#).unwrap();
        assert_eq!(req, Message::Request { id: RequestId::Number(7), method: "ping".into(), params: None });
        let note = Message::decode(br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#).unwrap();
        assert!(matches!(note, Message::Notification { .. }));
        let resp = Message::decode(br#"{"jsonrpc":"2.0","id":"a","result":{}}"#).unwrap();
        assert!(matches!(resp, Message::Response { outcome: Ok(_), .. }));
        let err = Message::decode(br#"{"jsonrpc":"2.0","id":"a","error":{"code":-1,"message":"no"}}"#).unwrap();
        assert!(matches!(err, Message::Response { outcome: Err(ErrorObject { code: -1, .. }), .. }));
    }

    #[test]
    fn bad_input_gets_the_right_codes() {
        assert_eq!(code_of("{not json"), (None, codes::PARSE_ERROR));
        assert_eq!(code_of("[1,2]"), (None, codes::INVALID_REQUEST));
        assert_eq!(code_of("42"), (None, codes::INVALID_REQUEST));
        assert_eq!(
            code_of(r#"{"jsonrpc":"1.0","id":1,"method":"ping"}"#),
            (Some(RequestId::Number(1)), codes::INVALID_REQUEST)
        );
        assert_eq!(code_of(r#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#), (None, codes::INVALID_REQUEST));
        assert_eq!(code_of(r#"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#), (None, codes::INVALID_REQUEST));
        assert_eq!(code_of(r#"{"jsonrpc":"2.0","id":true,"method":"ping"}"#), (None, codes::INVALID_REQUEST));
        assert_eq!(
            code_of(r#"{"jsonrpc":"2.0","id":1,"method":5}"#),
            (Some(RequestId::Number(1)), codes::INVALID_REQUEST)
        );
        assert_eq!(
            code_of(r#"{"jsonrpc":"2.0","id":1,"method":"x","params":[1]}"#),
            (Some(RequestId::Number(1)), codes::INVALID_PARAMS)
        );
        assert_eq!(code_of(r#"{"jsonrpc":"2.0","id":1}"#), (Some(RequestId::Number(1)), codes::INVALID_REQUEST));
        assert_eq!(code_of(r#"{"jsonrpc":"2.0"}"#), (None, codes::INVALID_REQUEST));
    }

    #[test]
    fn duplicate_keys_are_a_parse_error_naming_the_key() {
        let err = Message::decode(br#"{"jsonrpc":"2.0","id":1,"method":"ping","method":"tools/call"}"#).unwrap_err();
        assert_eq!((err.id, err.error.code), (None, codes::PARSE_ERROR));
        assert!(err.error.message.contains("duplicate key `method`"), "{}", err.error.message);
    }

    /// The one-pass decoder and the tree route agree on every message, good or bad.
    #[test]
    fn decoding_bytes_matches_classifying_the_parsed_tree() {
        for text in [
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":1}}}"#,
            r#"{"method":"ping","id":"x","jsonrpc":"2.0","extra":[1,{"k":null}],"more":true}"#,
            r#"{"jsonrpc":"2.0","\u006dethod":"ping","id":2}"#,
            r#"{"jsonrpc":"2.0","id":3,"error":{"code":-5,"message":"m","data":[1]}}"#,
            r#"{"jsonrpc":"2.0","id":3,"error":{"code":"x","message":"m"}}"#,
            r#"{"jsonrpc":"2.0","id":3,"result":1,"error":{"code":1,"message":"m"}}"#,
            r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            r#"{"jsonrpc":2,"id":1,"method":"ping"}"#,
            r#"{"jsonrpc":"\u0032.0","id":1,"method":"ping"}"#,
            r#"{"jsonrpc":"2.0 ","id":1,"method":"ping"}"#,
            r#"{"jsonrpc":{"v":"2.0"},"id":1,"method":"ping"}"#,
            r#"{"jsonrpc":["2.0"],"id":1,"method":"ping"}"#,
            r#"{"jsonrpc":null,"id":1,"method":"ping"}"#,
            r#"{"jsonrpc":"2.0","id":[1],"method":"ping"}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"x","params":"p"}"#,
            r#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#,
            r#""just a string""#,
            "null",
            "{}",
        ] {
            let tree = parse_json(text.as_bytes()).and_then(Message::from_value);
            assert_eq!(Message::decode(text.as_bytes()), tree, "{text}");
        }
    }

    #[test]
    fn duplicate_or_malformed_input_is_a_parse_error_wherever_it_is() {
        for (text, key) in [
            (r#"{"jsonrpc":"2.0","id":1,"id":2,"method":"ping"}"#, "id"),
            (r#"{"jsonrpc":"2.0","id":1,"jsonrpc":"2.0","method":"ping"}"#, "jsonrpc"),
            (r#"{"jsonrpc":{"a":1,"a":2},"id":1,"method":"ping"}"#, "a"),
            (r#"{"jsonrpc":[{"a":1,"a":2}],"id":1,"method":"ping"}"#, "a"),
            (r#"{"jsonrpc":"2.0","id":1,"method":"ping","x":1,"x":2}"#, "x"),
            (r#"{"jsonrpc":"2.0","id":1,"method":"ping","x":{"y":1,"y":2}}"#, "y"),
            (r#"{"jsonrpc":"2.0","id":1,"method":"ping","params":{"a":{"b":1,"b":1}}}"#, "b"),
            (r#"[{"a":1,"a":2}]"#, "a"),
        ] {
            let err = Message::decode(text.as_bytes()).unwrap_err();
            assert_eq!((err.id, err.error.code), (None, codes::PARSE_ERROR), "{text}");
            assert!(err.error.message.contains(&format!("duplicate key `{key}`")), "{text}: {}", err.error.message);
        }
        for text in [r#"{"jsonrpc":"2.0","id":1} x"#, r#"{"jsonrpc":"2.0","#, ""] {
            assert_eq!(code_of(text), (None, codes::PARSE_ERROR), "{text}");
        }
    }

    #[test]
    fn ids_round_trip_including_large_integers() {
        for raw in [json!(0), json!(-5), json!(u64::MAX), json!("abc")] {
            assert_eq!(RequestId::from_value(&raw).unwrap().to_value(), raw);
        }
        assert_eq!(RequestId::from_value(&json!(1e300)), None);
    }

    #[test]
    fn error_responses_carry_null_id_when_unknown() {
        let v = error_response(None, &ErrorObject::new(codes::PARSE_ERROR, "x"));
        assert_eq!(v["id"], Value::Null);
        assert_eq!(v["error"]["code"], json!(-32700));
    }
}
