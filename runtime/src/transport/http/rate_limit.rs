//! Rate limits per client on the HTTP transports (`--rate-limit`, `--max-concurrent-per-client`):
//! a request rate (GCRA, through `governor`) and a number of requests in flight, counted per
//! caller (the authenticated identity's fingerprint) or, without authentication, per remote
//! address. Past either limit a request gets 429 with `Retry-After`, and other clients are not
//! affected. STDIO is one client and has none.

use super::responses::transport_error;
use crate::auth::Caller;
use crate::protocol::codes;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use governor::{DefaultKeyedRateLimiter, Quota, clock::Clock};
use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// The limits an operator sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RateLimits {
    /// Requests per second per client (with a burst of as many); `None`: no rate limit.
    pub per_second: Option<NonZeroU32>,
    /// Requests in flight at once per client; `None`: no limit.
    pub max_concurrent: Option<usize>,
}

impl RateLimits {
    pub fn is_on(&self) -> bool {
        self.per_second.is_some() || self.max_concurrent.is_some()
    }
}

/// Who a limit counts: a caller, or where requests come from when nobody authenticates.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Client {
    Caller([u8; 32]),
    Address(IpAddr),
    Unknown,
}

/// Each client's requests in flight (only clients with some).
type InFlight = Arc<Mutex<HashMap<Client, usize>>>;

/// How often the rate limiter forgets clients whose state is back to fresh.
const SWEEP_EVERY: u64 = 4096;

pub(crate) struct RateLimiter {
    rate: Option<DefaultKeyedRateLimiter<Client>>,
    max_concurrent: Option<usize>,
    in_flight: InFlight,
    checks: AtomicU64,
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimiter").field("max_concurrent", &self.max_concurrent).finish_non_exhaustive()
    }
}

/// A request's place among its client's requests in flight; given back when dropped.
pub(crate) struct Permit {
    slot: Option<(InFlight, Client)>,
}

impl Drop for Permit {
    fn drop(&mut self) {
        if let Some((in_flight, client)) = self.slot.take() {
            let mut in_flight = in_flight.lock().expect("in-flight lock");
            if let Some(count) = in_flight.get_mut(&client) {
                *count -= 1;
                if *count == 0 {
                    in_flight.remove(&client);
                }
            }
        }
    }
}

impl RateLimiter {
    /// `None` when `limits` set nothing.
    pub fn new(limits: RateLimits) -> Option<RateLimiter> {
        limits.is_on().then(|| RateLimiter {
            rate: limits.per_second.map(|n| DefaultKeyedRateLimiter::keyed(Quota::per_second(n))),
            max_concurrent: limits.max_concurrent.map(|n| n.max(1)),
            in_flight: Arc::default(),
            checks: AtomicU64::new(0),
        })
    }

    /// Admits a request from `caller` (or `address`), or answers 429.
    #[allow(clippy::result_large_err)]
    pub fn admit(&self, caller: &Caller, address: Option<IpAddr>) -> Result<Permit, Response> {
        let client = match (caller.fingerprint(), address) {
            (Some(fingerprint), _) => Client::Caller(fingerprint),
            (None, Some(address)) => Client::Address(address),
            (None, None) => Client::Unknown,
        };
        if let Some(rate) = &self.rate {
            if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
                rate.retain_recent();
            }
            if let Err(not_until) = rate.check_key(&client) {
                let wait = not_until.wait_time_from(governor::clock::DefaultClock::default().now());
                return Err(too_many(
                    "this client sends requests faster than the server's rate limit",
                    wait.as_secs_f64(),
                ));
            }
        }
        let Some(max) = self.max_concurrent else { return Ok(Permit { slot: None }) };
        let mut in_flight = self.in_flight.lock().expect("in-flight lock");
        let count = in_flight.entry(client.clone()).or_insert(0);
        if *count >= max {
            return Err(too_many(&format!("this client already has {max} request(s) in flight"), 1.0));
        }
        *count += 1;
        Ok(Permit { slot: Some((Arc::clone(&self.in_flight), client)) })
    }
}

/// 429 with `Retry-After` in whole seconds (at least 1).
fn too_many(why: &str, wait_seconds: f64) -> Response {
    let seconds = wait_seconds.ceil().max(1.0) as u64;
    let message = format!("Too Many Requests: {why}; retry after {seconds} s");
    let mut response = transport_error(StatusCode::TOO_MANY_REQUESTS, codes::INVALID_REQUEST, message);
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Identity;

    #[test]
    fn a_client_past_its_rate_waits_and_others_do_not() {
        let limiter = RateLimiter::new(RateLimits { per_second: NonZeroU32::new(3), max_concurrent: None }).unwrap();
        let (a, b) = ("10.0.0.1".parse().ok(), "10.0.0.2".parse().ok());
        for _ in 0..3 {
            assert!(limiter.admit(&Caller::default(), a).is_ok());
        }
        let refused = limiter.admit(&Caller::default(), a).err().expect("a 429");
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(refused.headers()[header::RETRY_AFTER], "1");
        assert!(limiter.admit(&Caller::default(), b).is_ok(), "another address is counted apart");
        let caller =
            Caller { identity: Some(Identity::static_token(b"token-0123456789abcdef").into()), ..Caller::default() };
        assert!(limiter.admit(&caller, a).is_ok(), "an authenticated caller is counted as itself");
    }

    #[test]
    fn requests_in_flight_are_counted_until_they_end() {
        let limiter = RateLimiter::new(RateLimits { per_second: None, max_concurrent: Some(2) }).unwrap();
        let caller =
            Caller { identity: Some(Identity::static_token(b"token-0123456789abcdef").into()), ..Caller::default() };
        let (first, second) = (limiter.admit(&caller, None).unwrap(), limiter.admit(&caller, None).unwrap());
        assert!(limiter.admit(&caller, None).is_err());
        assert!(limiter.admit(&Caller::default(), None).is_ok(), "another client");
        drop(first);
        let third = limiter.admit(&caller, None).expect("a slot came free");
        drop((second, third));
        assert!(limiter.in_flight.lock().unwrap().is_empty(), "nothing kept for a client with nothing in flight");
        assert!(RateLimiter::new(RateLimits::default()).is_none());
    }
}
