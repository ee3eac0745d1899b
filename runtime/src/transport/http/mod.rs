//! Streamable HTTP, both protocol generations on one endpoint, and the [`HttpApp`] that also
//! hosts the deprecated SSE transport and the server's custom routes.
//!
//! - 2026-07-28 requests are self-contained POSTs whose headers must mirror the body
//!   (`header_check`); no session is minted or required; GET and DELETE get 405.
//! - Legacy requests (2025-03-26 .. 2025-11-25) live in sessions (`session`), or stand alone
//!   with `--stateless`.
//! - Either way a request is answered with one JSON body, or with an SSE stream when the handler
//!   sends something before its result (`reply`).
//!
//! Every request passes the Host/Origin check (`security`) and the body cap first.

mod app;
mod auth;
pub(crate) mod body;
mod config;
pub(crate) mod endpoint;
pub(crate) mod events;
mod front;
mod head_timer;
mod header_check;
pub(crate) mod headers;
mod legacy;
mod lifecycle;
mod modern;
pub(crate) mod rate_limit;
mod reply;
pub(crate) mod responses;
pub(crate) mod security;
mod serve;
pub(crate) mod session;
pub(crate) mod state;

pub use app::HttpApp;
pub use auth::StaticTokens;
pub use lifecycle::HttpHandle;
pub use rate_limit::RateLimits;
