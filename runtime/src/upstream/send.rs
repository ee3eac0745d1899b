//! Sending a built request and reading its answer up to the cap, by one of two clients that
//! keep the same rules: plain `http://` without a proxy on the pooled hyper client of
//! `plain.rs` (the common case of an API on the same host or network, and the cheaper one),
//! everything else (https, a `*_PROXY` variable, user info in the URL) on reqwest.

use super::client::LazyClient;
use super::request::RequestParts;
use super::response::ReadBody;
use bytes::Bytes;
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, StatusCode};
use std::time::Duration;
use url::Url;

/// What every request carries unless a hook set its own.
pub(super) const USER_AGENT: &str = concat!("mcpgen-runtime/", env!("CARGO_PKG_VERSION"));
const ACCEPT: &str = "application/json, */*;q=0.5";

/// A request as HTTP types: names and values checked once, for either client.
pub(super) struct Prepared {
    pub method: Method,
    pub url: Url,
    pub headers: HeaderMap,
    pub body: Option<Bytes>,
}

/// `parts` as HTTP types, taking its URL, header values and body without copying them.
pub(super) fn prepare(parts: RequestParts) -> Result<Prepared, String> {
    let method =
        Method::from_bytes(parts.method.as_bytes()).map_err(|_| format!("invalid method `{}`", parts.method))?;
    let mut headers = HeaderMap::with_capacity(parts.headers.len() + 3);
    for (name, value) in parts.headers {
        let n = HeaderName::from_bytes(name.as_bytes()).map_err(|_| format!("invalid header name `{name}`"))?;
        let v = HeaderValue::try_from(value).map_err(|_| format!("invalid value for header `{name}`"))?;
        headers.append(n, v);
    }
    if !parts.cookies.is_empty() {
        let v = HeaderValue::try_from(parts.cookies.join("; ")).map_err(|_| "invalid cookie value".to_string())?;
        headers.insert(header::COOKIE, v);
    }
    if !headers.contains_key(header::ACCEPT) {
        headers.insert(header::ACCEPT, HeaderValue::from_static(ACCEPT));
    }
    let body = match parts.body {
        Some(body) => {
            let v = HeaderValue::try_from(body.content_type).map_err(|_| "invalid content type".to_string())?;
            headers.insert(header::CONTENT_TYPE, v);
            Some(Bytes::from(body.bytes))
        }
        None => None,
    };
    Ok(Prepared { method, url: parts.url, headers, body })
}

/// An answer, its body read up to the cap.
pub(super) struct Answer {
    pub status: StatusCode,
    pub content_type: Option<String>,
    pub retry_after: Option<String>,
    pub body: ReadBody,
    /// All its headers (moved, not copied): a long-running operation's say where to poll.
    pub headers: HeaderMap,
    /// Where it came from, after same-origin redirects (a relative `Location` is resolved
    /// against it).
    pub url: Url,
}

impl Answer {
    /// The answer's type, and `Retry-After` of a 429, read out of its headers.
    pub(super) fn new(status: StatusCode, headers: HeaderMap, url: Url, body: ReadBody) -> Answer {
        let get = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok()).map(str::to_string);
        let retry_after = if status == StatusCode::TOO_MANY_REQUESTS { get(header::RETRY_AFTER) } else { None };
        Answer { status, content_type: get(header::CONTENT_TYPE), retry_after, body, headers, url }
    }

    /// A header's value, trimmed; `None` when missing, empty or not text.
    pub(super) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty())
    }

    /// The body as JSON, when it is whole and valid.
    pub(super) fn json(&self) -> Option<serde_json::Value> {
        if self.body.truncated {
            return None;
        }
        serde_json::from_slice(&self.body.bytes).ok()
    }
}

/// Why no answer came: what the model is told (`Upstream::transport_error`).
#[derive(Debug)]
pub(super) struct Failure {
    pub timed_out: bool,
    pub connect: bool,
    /// The innermost error's message, without any URL.
    pub cause: String,
}

impl Failure {
    /// `error` and its sources: a timeout anywhere in the chain makes it one, as for reqwest.
    pub(super) fn of(error: &(dyn std::error::Error + 'static), connect: bool) -> Failure {
        let mut innermost = error;
        let mut timed_out = false;
        let mut next = Some(error);
        while let Some(e) = next {
            timed_out |= e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
                || e.downcast_ref::<hyper::Error>().is_some_and(hyper::Error::is_timeout);
            innermost = e;
            next = e.source();
        }
        Failure { timed_out, connect, cause: without_url(innermost.to_string()) }
    }

    pub(super) fn timed_out() -> Failure {
        Failure { timed_out: true, connect: false, cause: "timed out".into() }
    }
}

fn without_url(text: String) -> String {
    if text.contains("://") { "connection failed".to_string() } else { text }
}

/// Sends `request` with the client its URL needs, following redirects as `redirect.rs` says,
/// all within `timeout`.
pub(super) async fn send(
    client: &LazyClient,
    request: Prepared,
    timeout: Duration,
    cap: usize,
) -> Result<Result<Answer, Failure>, String> {
    let plain = request.url.scheme() == "http" && request.url.username().is_empty() && request.url.password().is_none();
    if let Some(plain) = client.plain().filter(|_| plain) {
        return Ok(plain.exchange(request, timeout, cap).await);
    }
    let client = client.get()?;
    Ok(with_reqwest(client, request, cap).await)
}

async fn with_reqwest(client: &reqwest::Client, request: Prepared, cap: usize) -> Result<Answer, Failure> {
    let Prepared { method, url, mut headers, body } = request;
    // A URL with user info goes through `Client::request`, which turns it into a Basic
    // `Authorization` header (ours wins); any other is used as it is, and the headers become the
    // request's without the builder merging them into an empty map.
    let builder = if url.username().is_empty() && url.password().is_none() {
        let mut req = reqwest::Request::new(method, url);
        *req.headers_mut() = headers;
        *req.body_mut() = body.map(reqwest::Body::from);
        reqwest::RequestBuilder::from_parts(client.clone(), req)
    } else {
        let req = client.request(method, url).headers(std::mem::take(&mut headers));
        match body {
            Some(b) => req.body(b),
            None => req,
        }
    };
    let of = |e: reqwest::Error| Failure { timed_out: e.is_timeout(), connect: e.is_connect(), cause: root_cause(&e) };
    let mut response = builder.send().await.map_err(of)?;
    let (status, url) = (response.status(), response.url().clone());
    let expected = response.content_length();
    let headers = std::mem::take(response.headers_mut());
    let body = read_capped(response, expected, cap).await.map_err(of)?;
    Ok(Answer::new(status, headers, url, body))
}

/// The innermost error message, without any URL.
fn root_cause(e: &reqwest::Error) -> String {
    let mut source: &dyn std::error::Error = e;
    while let Some(next) = source.source() {
        source = next;
    }
    without_url(source.to_string())
}

/// `expected`: the body's length, when its headers gave it.
async fn read_capped(
    mut response: reqwest::Response,
    expected: Option<u64>,
    cap: usize,
) -> Result<ReadBody, reqwest::Error> {
    // Sized once from Content-Length (within the cap) instead of grown chunk by chunk.
    let expected = expected.map_or(0, |n| usize::try_from(n).unwrap_or(cap).min(cap));
    let mut body = ReadBody::with_capacity(expected);
    while let Some(chunk) = response.chunk().await? {
        if !body.push(&chunk, cap) {
            break;
        }
    }
    Ok(body)
}
