//! Long-running API operations (issue 22): a tool whose operation is [`LongRunning`], called as a
//! task, makes its request and then follows the operation to its end.
//!
//! - [`LongRunning::Polling`]: the first answer names a status monitor (`Azure-AsyncOperation`,
//!   else `Operation-Location`: a JSON body whose `status` ends `Succeeded`, `Failed` or
//!   `Canceled`) or, on a 202, a `Location` (answering 202 while the operation runs, then the
//!   result). The final resource is what [`FinalState`] says: the first `Location`, the original
//!   URL, the monitor's body, or by default a `resourceLocation` in the final status, a `Location`
//!   on the final answer, the first answer's `Location` (a status monitor's operation), the
//!   original URL (a `PUT` or `PATCH`), else the final answer itself.
//! - [`LongRunning::Operation`]: the first answer is a Google-style `Operation`; it is fetched
//!   again at its `name` (under the API's base URL) until `done`, and its `response` (or `error`)
//!   is the result.
//!
//! Every poll goes through the same steps as the tool's own request (credentials, `on_request`
//! hooks, the lazy client and its same-origin redirects, the response size cap) and only to the
//! origin of the tool's base URL: a location elsewhere is refused, never requested, so no
//! credential reaches another origin. Waits honour `Retry-After` (seconds) within
//! [`PollSettings`]' bounds, the whole operation is limited in time, each poll is reported as
//! progress (the task's status message), and the task's cancellation drops this future, ending
//! the polling at once (`Upstream::call` selects on it).

use super::Upstream;
use super::auth::Credentials;
use super::request::{RequestParts, display_url};
use super::response::{self, ReadBody};
use super::send::Answer;
use super::spec::{FinalState, LongRunning, ToolSpec};
use crate::server::{RequestContext, ToolResult};
use hyper::StatusCode;
use hyper::header::{self, HeaderMap, HeaderValue};
use serde_json::Value;
use std::time::{Duration, Instant};
use url::Url;

/// How often and for how long a long-running operation is polled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollSettings {
    /// The wait between polls when the API gives no `Retry-After`.
    pub interval: Duration,
    /// The shortest wait, whatever `Retry-After` says.
    pub min_interval: Duration,
    /// The longest wait, whatever `Retry-After` says.
    pub max_interval: Duration,
    /// How long the operation may take, first request included; past it the task ends with an
    /// error naming where the operation can still be followed.
    pub limit: Duration,
}

impl Default for PollSettings {
    fn default() -> Self {
        PollSettings {
            interval: Duration::from_secs(1),
            min_interval: Duration::from_millis(100),
            max_interval: Duration::from_secs(30),
            limit: Duration::from_secs(600),
        }
    }
}

impl PollSettings {
    /// The wait before the next poll: `Retry-After` in seconds when the API gave it, else the
    /// interval, within the bounds.
    pub fn delay(&self, retry_after: Option<&str>) -> Duration {
        let asked = retry_after.and_then(|s| s.trim().parse::<u64>().ok()).map(Duration::from_secs);
        asked.unwrap_or(self.interval).clamp(self.min_interval, self.max_interval.max(self.min_interval))
    }
}

/// What a status monitor or operation says.
#[derive(Debug, PartialEq, Eq)]
enum State {
    Running(String),
    Succeeded,
    Failed(String),
}

/// Where the operation is followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Monitor {
    /// A JSON status (`Azure-AsyncOperation`, `Operation-Location`).
    Status,
    /// A `Location` that answers 202 while running, then the result.
    Location,
    /// A Google-style operation.
    Operation,
}

struct Call<'a> {
    up: &'a Upstream,
    spec: &'a ToolSpec,
    credentials: &'a Credentials,
    /// The server's own credentials (not a client's): a 401 or 403 names what to configure.
    own_credentials: bool,
    ctx: &'a RequestContext,
    /// The tool's base URL: every poll stays on its origin.
    base: Url,
}

/// Runs `spec`'s operation to its end (see the module's doc). `ctx` is the task's.
pub(super) async fn call(
    up: &Upstream,
    spec: &ToolSpec,
    kind: LongRunning,
    args: Value,
    client_credentials: Option<&Credentials>,
    ctx: &RequestContext,
) -> ToolResult {
    let started = Instant::now();
    let (base, parts) = match up.request_parts(spec, args) {
        Ok((base, parts)) => (base.into_owned(), parts),
        Err(e) => return e,
    };
    let original = parts.url.clone();
    let call = Call {
        up,
        spec,
        credentials: client_credentials.unwrap_or(&up.credentials),
        own_credentials: client_credentials.is_none(),
        ctx,
        base,
    };
    let first = match call.send(parts).await {
        Ok(a) => a,
        Err(e) => return e,
    };
    if !first.status.is_success() {
        return call.result(first);
    }
    let (monitor, at) = match kind {
        LongRunning::Polling(_) => {
            if let Some(at) = first.header("azure-asyncoperation").or_else(|| first.header("operation-location")) {
                (Monitor::Status, at.to_string())
            } else if let (StatusCode::ACCEPTED, Some(at)) = (first.status, first.header("location")) {
                (Monitor::Location, at.to_string())
            } else {
                // Nothing to follow: the operation finished at once.
                return call.result(first);
            }
        }
        LongRunning::Operation => {
            let Some(op) = first.json().filter(|v| v.get("name").is_some_and(Value::is_string)) else {
                return call.result(first);
            };
            if op.get("done") == Some(&Value::Bool(true)) {
                return operation_result(&call, &first, op);
            }
            (Monitor::Operation, op["name"].as_str().unwrap_or_default().to_string())
        }
    };
    let target = match monitor {
        Monitor::Operation => operation_url(&call.base, &at),
        _ => confine(&call.base, &first.url, &at),
    };
    let target = match target {
        Ok(t) => t,
        Err(e) => return ToolResult::error(format!("cannot follow the long-running operation: {e}")),
    };
    let settings = up.polling;
    let deadline = started + settings.limit;
    let mut retry_after = first.header("retry-after").map(str::to_string);
    let mut polls: u32 = 0;
    let last = loop {
        let wait = settings.delay(retry_after.as_deref());
        if Instant::now() + wait > deadline {
            return ToolResult::error(format!(
                "the operation did not finish within {:?} ({polls} polls); it may still be running: its status is at {}",
                settings.limit,
                display_url(&target)
            ));
        }
        tokio::time::sleep(wait).await;
        polls += 1;
        let answer = match call.get(target.clone()).await {
            Ok(a) => a,
            Err(e) => return e,
        };
        match state(monitor, &answer) {
            State::Running(status) => {
                let message = format!("the operation is still running ({status}; poll {polls})");
                ctx.progress(f64::from(polls), None, Some(&message)).await;
                retry_after = answer.header("retry-after").map(str::to_string);
            }
            State::Failed(why) => {
                if !answer.status.is_success() {
                    return call.result(answer);
                }
                return ToolResult::error(format!("the long-running operation failed ({why}): {}", body_text(&answer)));
            }
            State::Succeeded => break answer,
        }
    };
    if monitor == Monitor::Operation {
        let op = last.json().unwrap_or_default();
        return operation_result(&call, &last, op);
    }
    let LongRunning::Polling(final_state) = kind else { return call.result(last) };
    let first_location = first.header("location").map(str::to_string);
    let fetch = match (final_state, monitor) {
        (FinalState::Location, _) => first_location.map(|l| (first.url.clone(), l)),
        (FinalState::OriginalUri, _) => Some((original.clone(), original.to_string())),
        (FinalState::AzureAsyncOperation | FinalState::OperationLocation, _) => None,
        (FinalState::Default, Monitor::Status) => {
            let resource = last.json().and_then(|v| v.get("resourceLocation")?.as_str().map(str::to_string));
            resource
                .map(|r| (last.url.clone(), r))
                .or_else(|| first_location.map(|l| (first.url.clone(), l)))
                .or_else(|| matches!(spec.method, "PUT" | "PATCH").then(|| (original.clone(), original.to_string())))
        }
        (FinalState::Default, _) => last
            .header("location")
            .filter(|_| last.status != StatusCode::ACCEPTED)
            .map(|l| (last.url.clone(), l.to_string())),
    };
    let Some((relative_to, location)) = fetch else { return call.result(last) };
    let url = match confine(&call.base, &relative_to, &location) {
        Ok(u) => u,
        Err(e) => return ToolResult::error(format!("cannot fetch the operation's result: {e}")),
    };
    match call.get(url).await {
        Ok(answer) => call.result(answer),
        Err(e) => e,
    }
}

impl Call<'_> {
    /// A `GET` of `url` (already confined to the base's origin).
    async fn get(&self, url: Url) -> Result<Answer, ToolResult> {
        self.send(RequestParts { method: "GET", url, headers: Vec::new(), cookies: Vec::new(), body: None }).await
    }

    /// Sends `parts` as the tool's own request is sent: credentials, hooks, the upstream's client.
    async fn send(&self, parts: RequestParts) -> Result<Answer, ToolResult> {
        let (answer, _) = self.up.exchange(self.spec, self.credentials, Some(self.ctx), parts).await?;
        Ok(answer)
    }

    /// `answer` as the tool's result, as the tool's own answer would be, named by where it came from.
    fn result(&self, answer: Answer) -> ToolResult {
        let shown = display_url(&answer.url);
        self.up.result(self.spec, answer, &shown, self.credentials, self.own_credentials)
    }
}

/// A finished Google-style operation: its `error` as an error result, else its `response`.
fn operation_result(call: &Call<'_>, answer: &Answer, op: Value) -> ToolResult {
    if let Some(error) = op.get("error").filter(|e| !e.is_null()) {
        return ToolResult::error(format!("the long-running operation failed: {error}"));
    }
    let response = op.get("response").cloned().unwrap_or(op);
    let body = serde_json::to_vec(&response).unwrap_or_default();
    let headers = HeaderMap::from_iter([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))]);
    let body = ReadBody { bytes: body, truncated: false };
    call.result(Answer::new(StatusCode::OK, headers, answer.url.clone(), body))
}

/// What a poll's answer says about the operation.
fn state(monitor: Monitor, answer: &Answer) -> State {
    if !answer.status.is_success() {
        return State::Failed(format!("HTTP {}", answer.status.as_u16()));
    }
    match monitor {
        Monitor::Location if answer.status == StatusCode::ACCEPTED => State::Running("HTTP 202".into()),
        Monitor::Location => State::Succeeded,
        Monitor::Operation => match answer.json() {
            Some(op) if op.get("done") == Some(&Value::Bool(true)) => State::Succeeded,
            Some(op) if op.is_object() => State::Running("not done".into()),
            _ => State::Failed("the operation's answer is not a JSON operation".into()),
        },
        Monitor::Status => {
            if answer.status == StatusCode::ACCEPTED && answer.body.bytes.is_empty() {
                return State::Running("HTTP 202".into());
            }
            let Some(status) = answer.json().and_then(|v| v.get("status")?.as_str().map(str::to_string)) else {
                return State::Failed("the status monitor's answer has no `status`".into());
            };
            match status.to_ascii_lowercase().as_str() {
                "succeeded" | "success" | "completed" | "complete" | "done" => State::Succeeded,
                "failed" | "failure" | "error" | "canceled" | "cancelled" | "aborted" => State::Failed(status),
                _ => State::Running(status),
            }
        }
    }
}

/// A bounded, readable copy of a failed status's body.
fn body_text(answer: &Answer) -> String {
    let shown = &answer.body.bytes[..answer.body.bytes.len().min(response::ERROR_BODY_BYTES)];
    String::from_utf8_lossy(shown).trim_end().to_string()
}

/// `location` (absolute, or relative to `relative_to`) when it is on `base`'s origin and carries
/// no user info; the reason otherwise. The fragment is dropped.
fn confine(base: &Url, relative_to: &Url, location: &str) -> Result<Url, String> {
    let mut url = relative_to.join(location).map_err(|e| format!("the API's location is not a URL ({e})"))?;
    if url.origin() != base.origin() {
        return Err(format!(
            "the API's location {} is not on the API's origin {}; it is not followed, so no credential leaves it",
            display_url(&url),
            base.origin().ascii_serialization()
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!("the API's location {} carries user info; it is not followed", display_url(&url)));
    }
    url.set_fragment(None);
    Ok(url)
}

/// A Google-style operation's `name` (`operations/123`) under the base URL's path, each segment
/// percent-encoded; `.`, `..` and empty segments refused.
fn operation_url(base: &Url, name: &str) -> Result<Url, String> {
    let name = name.trim_start_matches('/');
    let mut path = base.path().trim_end_matches('/').to_string();
    for segment in name.split('/') {
        if segment.is_empty() || segment == "." || segment == ".." {
            return Err(format!("the operation's name `{name}` has an empty, `.` or `..` segment"));
        }
        path.push('/');
        path.extend(percent_encoding::utf8_percent_encode(segment, SEGMENT));
    }
    let mut url = base.clone();
    url.set_path(&path);
    url.set_query(None);
    url.set_fragment(None);
    Ok(url)
}

/// What is encoded in a path segment: everything but RFC 3986's unreserved characters.
const SEGMENT: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_honour_retry_after_within_the_bounds() {
        let s = PollSettings::default();
        assert_eq!(s.delay(None), Duration::from_secs(1));
        assert_eq!(s.delay(Some("3")), Duration::from_secs(3));
        assert_eq!(s.delay(Some("0")), Duration::from_millis(100), "never below the minimum");
        assert_eq!(s.delay(Some("3600")), Duration::from_secs(30), "never above the maximum");
        assert_eq!(s.delay(Some("Wed, 21 Oct 2015 07:28:00 GMT")), Duration::from_secs(1), "a date: the interval");
    }

    #[test]
    fn locations_stay_on_the_bases_origin() {
        let base = Url::parse("https://api.example.com/v1").unwrap();
        let from = Url::parse("https://api.example.com/v1/jobs").unwrap();
        assert_eq!(confine(&base, &from, "/v1/ops/1#x").unwrap().as_str(), "https://api.example.com/v1/ops/1");
        assert_eq!(confine(&base, &from, "ops/2").unwrap().as_str(), "https://api.example.com/v1/ops/2");
        assert_eq!(
            confine(&base, &from, "https://api.example.com/status/a b").unwrap().as_str(),
            "https://api.example.com/status/a%20b",
            "another path on the same origin is followed, percent-encoded"
        );
        for elsewhere in [
            "https://evil.example.com/ops/1",
            "http://api.example.com/ops/1",
            "https://api.example.com:8443/ops/1",
            "//evil.example.com/x",
        ] {
            let e = confine(&base, &from, elsewhere).unwrap_err();
            assert!(e.contains("not on the API's origin https://api.example.com"), "{elsewhere}: {e}");
        }
        assert!(confine(&base, &from, "https://user:pw@api.example.com/x").unwrap_err().contains("user info"));
    }

    #[test]
    fn an_operations_name_is_resolved_under_the_base_path() {
        let base = Url::parse("https://api.example.com/v1/?key=x").unwrap();
        assert_eq!(
            operation_url(&base, "operations/abc").unwrap().as_str(),
            "https://api.example.com/v1/operations/abc"
        );
        assert_eq!(
            operation_url(&base, "/projects/p 1/operations/a?b#c").unwrap().as_str(),
            "https://api.example.com/v1/projects/p%201/operations/a%3Fb%23c"
        );
        for bad in ["operations/../admin", "operations//x", "./x", ""] {
            assert!(operation_url(&base, bad).is_err(), "{bad}");
        }
    }
}
