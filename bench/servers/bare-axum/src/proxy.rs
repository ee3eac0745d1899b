//! `--proxy-to URL`: the proxy scenario's bare limit. Every POST to `/mcp` has its body read
//! (and dropped), then one `GET URL` with the `X-API-Key` header is sent to the upstream on a
//! kept-alive hyper connection, and the answer's body goes back as the text of a JSON-RPC result
//! (escaped as a JSON string) and, spliced in as it came, as its structured content: the bytes
//! the generated petstore server answers, with the two HTTP exchanges and the one escaped string
//! a proxying MCP server cannot avoid, and no MCP work (no parsing, validation, routing or URL
//! building). What an MCP proxy can reach against `direct` on the same machine is at most what
//! this reaches.
//!
//! Lean on purpose: a plain stack of idle connections, no redirects, timeouts or retries.

use axum::body::Bytes;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, Empty};
use hyper::client::conn::http1::{self, SendRequest};
use std::sync::{Arc, Mutex};
use tokio::net::TcpStream;

type Sender = SendRequest<Empty<Bytes>>;

pub struct Proxy {
    /// `host:port` of the upstream.
    authority: String,
    /// The same, as the `Host` header every request carries.
    host: HeaderValue,
    /// The request target: path and query.
    target: hyper::Uri,
    idle: Mutex<Vec<Sender>>,
}

impl Proxy {
    /// `url`: `http://host:port/path`.
    pub fn new(url: &str) -> Option<Arc<Proxy>> {
        let uri: hyper::Uri = url.parse().ok()?;
        if uri.scheme_str() != Some("http") {
            return None;
        }
        let authority = uri.authority()?.to_string();
        let host = HeaderValue::from_str(&authority).ok()?;
        let target = uri.path_and_query()?.as_str().parse().ok()?;
        Some(Arc::new(Proxy { authority, host, target, idle: Mutex::new(Vec::new()) }))
    }

    /// Answers one MCP POST (its body already read) with the upstream's answer as text.
    pub async fn answer(&self) -> Response {
        match self.get().await {
            Ok(body) => {
                let structured = String::from_utf8_lossy(&body);
                let text = serde_json::to_string(&structured).expect("a string serializes");
                let reply = format!(
                    r#"{{"id":1,"jsonrpc":"2.0","result":{{"content":[{{"text":{text},"type":"text"}}],"structuredContent":{structured}}}}}"#
                );
                ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], reply).into_response()
            }
            Err(e) => (StatusCode::BAD_GATEWAY, e).into_response(),
        }
    }

    async fn get(&self) -> Result<Bytes, String> {
        let idle = self.idle.lock().expect("idle lock").pop();
        let mut sender = match idle {
            Some(sender) => sender,
            None => self.connect().await?,
        };
        let mut request = hyper::Request::new(Empty::new());
        *request.uri_mut() = self.target.clone();
        let headers = request.headers_mut();
        headers.insert(header::HOST, self.host.clone());
        headers.insert("x-api-key", HeaderValue::from_static("bench"));
        let response = sender.send_request(request).await.map_err(|e| e.to_string())?;
        let body = response.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes();
        self.idle.lock().expect("idle lock").push(sender);
        Ok(body)
    }

    async fn connect(&self) -> Result<Sender, String> {
        let stream = TcpStream::connect(&self.authority).await.map_err(|e| e.to_string())?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        let (sender, connection) =
            http1::handshake(hyper_util::rt::TokioIo::new(stream)).await.map_err(|e| e.to_string())?;
        tokio::spawn(connection);
        Ok(sender)
    }
}
