//! State that lives as long as one client connection: a STDIO pipe or a legacy HTTP session.

use crate::protocol::{ErrorObject, RequestId};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::catalog::Selection;
use super::in_flight::InFlight;
use super::logging::LogLevel;
use super::tasks::Party;
use crate::auth::{ApiCredentials, Caller, Identity};

/// Where messages for the client go. Each transport drains one of these.
pub type Outbound = mpsc::Sender<Value>;

/// What the legacy handshake settled.
#[derive(Debug, Default, Clone)]
pub(crate) struct Handshake {
    pub version: Option<&'static str>,
    /// Shared with every request's context, not copied into each (`None` before `initialize`).
    pub client_capabilities: Option<Arc<Value>>,
    pub initialized: bool,
    pub log_level: Option<LogLevel>,
}

/// One client connection (STDIO) or legacy session (HTTP).
#[derive(Debug, Default)]
pub struct Connection {
    pub(crate) handshake: Mutex<Handshake>,
    in_flight: Mutex<InFlight>,
    pending: Mutex<HashMap<RequestId, oneshot::Sender<Result<Value, ErrorObject>>>>,
    next_request_id: AtomicI64,
    /// Resource URIs this legacy session subscribed to.
    subscriptions: Mutex<HashSet<String>>,
    /// Session-wide channel to the client (stdout, or an HTTP session's GET stream).
    pub(crate) outbound: Option<Outbound>,
    /// The client's own narrowing of the tools (an HTTP endpoint URL's query), within the
    /// server's; `None`: the server's.
    pub(crate) selection: Option<Selection>,
    /// Who sent the latest request (HTTP): a legacy session is bound to one caller, whose token
    /// (and so its scopes) and API credentials may be renewed between requests.
    caller: Mutex<Caller>,
    /// Who this connection's tasks belong to: a connection's own number, or a stateless
    /// request's caller.
    party: Option<Party>,
    /// Fires when the connection goes away ([`Connection::cancel_all`]): its tasks stop.
    /// Made on first use: a stateless request's connection lives for one request and seldom
    /// runs a task, so most never need one (a token is an allocation).
    closed: std::sync::OnceLock<CancellationToken>,
}

/// Numbers connections, so each owns its tasks.
static NEXT_PARTY: AtomicU64 = AtomicU64::new(1);

impl Connection {
    /// A connection whose unsolicited messages go to `outbound`.
    pub fn new(outbound: Option<Outbound>) -> Self {
        Connection {
            outbound,
            party: Some(Party::Connection(NEXT_PARTY.fetch_add(1, Ordering::Relaxed))),
            ..Default::default()
        }
    }

    /// A connection whose client chose `selection` of the tools (checked with
    /// [`crate::server::Dispatcher::client_selection`]).
    pub fn with_selection(outbound: Option<Outbound>, selection: Option<Selection>) -> Self {
        Connection {
            outbound,
            selection,
            party: Some(Party::Connection(NEXT_PARTY.fetch_add(1, Ordering::Relaxed))),
            ..Default::default()
        }
    }

    pub(crate) fn party(&self) -> Party {
        self.party.unwrap_or(Party::Stateless(None))
    }

    /// Fires when the connection goes away.
    pub(crate) fn closed(&self) -> &CancellationToken {
        self.closed.get_or_init(CancellationToken::new)
    }

    /// The connection of one stateless HTTP request from `caller`: the tasks it creates are
    /// found by their id from any later request of the same caller (the same token, subject or
    /// API credentials; anyone's, when nobody authenticates).
    pub(crate) fn for_request(selection: Option<Selection>, caller: Caller) -> Self {
        let party = Some(Party::Stateless(caller.fingerprint()));
        Connection { selection, caller: Mutex::new(caller), party, ..Default::default() }
    }

    pub(crate) fn set_caller(&self, caller: Caller) {
        *self.caller.lock().expect("caller lock") = caller;
    }

    pub(crate) fn identity(&self) -> Option<Arc<Identity>> {
        self.caller.lock().expect("caller lock").identity.clone()
    }

    pub(crate) fn api_credentials(&self) -> Option<Arc<ApiCredentials>> {
        self.caller.lock().expect("caller lock").api_credentials.clone()
    }

    pub(crate) fn handshake(&self) -> Handshake {
        self.handshake.lock().expect("handshake lock").clone()
    }

    /// Tracks an in-flight request so `notifications/cancelled` can stop it. `None` when a
    /// request with the same id is still running: ids must be unique among in-flight requests.
    pub(crate) fn begin(&self, id: &RequestId) -> Option<CancellationToken> {
        let token = CancellationToken::new();
        self.in_flight.lock().expect("in-flight lock").insert(id, &token).then_some(token)
    }

    pub(crate) fn end(&self, id: &RequestId) {
        self.in_flight.lock().expect("in-flight lock").remove(id);
    }

    /// Cancels the request with this id, if it is still running.
    pub(crate) fn cancel(&self, id: &RequestId) -> bool {
        match self.in_flight.lock().expect("in-flight lock").remove(id) {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }

    /// Cancels everything still running (the connection is going away).
    pub fn cancel_all(&self) {
        self.closed().cancel();
        for token in self.in_flight.lock().expect("in-flight lock").drain() {
            token.cancel();
        }
    }

    /// Sends a notification on the connection's own channel (not tied to a request), e.g. a
    /// list-changed notice. Returns false when the connection has no such channel or it closed.
    pub async fn notify(&self, method: &str, params: Value) -> bool {
        match &self.outbound {
            Some(tx) => tx.send(crate::protocol::jsonrpc::notification(method, params)).await.is_ok(),
            None => false,
        }
    }

    /// Like [`Connection::notify`] but never waits: a full queue drops the notice.
    pub(crate) fn try_notify(&self, method: &str, params: Value) {
        if let Some(tx) = &self.outbound {
            let _ = tx.try_send(crate::protocol::jsonrpc::notification(method, params));
        }
    }

    pub(crate) fn subscribe(&self, uri: &str) {
        self.subscriptions.lock().expect("subscriptions lock").insert(uri.to_string());
    }

    pub(crate) fn unsubscribe(&self, uri: &str) {
        self.subscriptions.lock().expect("subscriptions lock").remove(uri);
    }

    pub(crate) fn is_subscribed(&self, uri: &str) -> bool {
        self.subscriptions.lock().expect("subscriptions lock").contains(uri)
    }

    /// Number of requests still being handled.
    pub fn in_flight(&self) -> usize {
        self.in_flight.lock().expect("in-flight lock").len()
    }

    /// Registers a server-to-client request and returns its id and the receiver of its answer.
    pub(crate) fn expect_response(&self) -> (RequestId, oneshot::Receiver<Result<Value, ErrorObject>>) {
        let n = self.next_request_id.fetch_add(1, Ordering::Relaxed);
        let id = RequestId::String(format!("mcpgen-{n}"));
        let (tx, rx) = oneshot::channel();
        self.pending.lock().expect("pending lock").insert(id.clone(), tx);
        (id, rx)
    }

    pub(crate) fn forget_request(&self, id: &RequestId) {
        self.pending.lock().expect("pending lock").remove(id);
    }

    /// Routes a client's response to the request that waits for it; false if nobody waits.
    pub(crate) fn deliver_response(&self, id: &RequestId, outcome: Result<Value, ErrorObject>) -> bool {
        match self.pending.lock().expect("pending lock").remove(id) {
            Some(tx) => tx.send(outcome).is_ok(),
            None => false,
        }
    }
}
