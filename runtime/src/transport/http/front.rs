//! What [`HttpApp::serve`](super::app::HttpApp) hands hyper for each request: a request for the
//! MCP endpoint goes straight to its handler; everything else (custom routes, unknown paths)
//! goes through the app's axum router.
//!
//! Through the router, each MCP request paid for axum's route: the handler's future (3.6 KB)
//! moved into a box of its own, too large for glibc's per-thread cache; the path looked up; and
//! three extensions put into the request, which the endpoint never reads. Called directly, the
//! future lives in the slot hyper allocates once per connection. The price is memory: that slot
//! is as large as the future (3.6 KB) for as long as the connection is open. The endpoint's
//! paths stay in the router too, so an app mounted in someone else's axum server
//! (`HttpApp::into_router`) answers exactly as before.

use super::endpoint;
use super::state::Shared;
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use futures::FutureExt;
use futures::future::Either;
use hyper::body::Incoming;
use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use tower::ServiceExt;

/// The Streamable HTTP endpoint, as the router serves it: its paths (with and without the
/// trailing slash) and its state.
pub(crate) struct Endpoint {
    pub paths: Vec<String>,
    pub shared: Arc<Shared>,
}

/// The service each connection calls; cheap to clone (one `Arc`).
#[derive(Clone)]
pub(super) struct Front {
    inner: Arc<(Router, Option<Endpoint>)>,
}

impl Front {
    /// `endpoint`: `None` for the SSE transport, whose handlers read what the router adds.
    pub(super) fn new(router: Router, endpoint: Option<Endpoint>) -> Front {
        Front { inner: Arc::new((router, endpoint)) }
    }

    /// The service of one connection; `peer`, when given, goes into each request as axum's
    /// `ConnectInfo` (rate limits count by it), at the price of the request's extension map.
    pub(super) fn service(
        &self,
        peer: Option<std::net::SocketAddr>,
    ) -> impl hyper::service::Service<
        Request<Incoming>,
        Response = Response,
        Error = Infallible,
        Future = impl Future<Output = Result<Response, Infallible>> + use<>,
    > + use<> {
        let front = self.clone();
        hyper::service::service_fn(move |mut request: Request<Incoming>| {
            if let Some(peer) = peer {
                request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
            }
            front.call(request)
        })
    }

    /// The request's future, built without awaiting anything: hyper keeps it in the connection's
    /// slot, so it is no larger than the larger of the two ways a request can go.
    pub(super) fn call(
        &self,
        request: Request<Incoming>,
    ) -> impl Future<Output = Result<Response, Infallible>> + use<> {
        let request = request.map(Body::new);
        let (router, endpoint) = &*self.inner;
        match endpoint {
            Some(endpoint) if endpoint.paths.iter().any(|path| path == request.uri().path()) => {
                Either::Left(endpoint::handle(State(endpoint.shared.clone()), request).map(Ok))
            }
            _ => Either::Right(router.clone().oneshot(request)),
        }
    }
}
