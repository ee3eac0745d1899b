//! Which redirects an upstream call follows, one rule for both clients (reqwest's policy in
//! `client.rs`, the plain-HTTP client in `plain.rs`): only within the origin of the request's
//! first URL (the API's base, or the operation's own server), and at most [`MAX_URLS`] URLs in
//! a chain; any other redirect is the answer itself (a `3xx` the model sees as an error).

use hyper::{HeaderMap, Method, StatusCode, header};
use url::Url;

/// The longest chain of URLs requested for one call, the first included: four redirects.
pub(super) const MAX_URLS: usize = 5;

/// Whether a redirect to `next` is followed, `requested` URLs having been asked for so far,
/// `first` the first of them.
pub(super) fn follows(first: &Url, next: &Url, requested: usize) -> bool {
    next.origin() == first.origin() && requested < MAX_URLS
}

/// How the request changes for the redirect `status`, as reqwest (tower-http) changes it:
/// `None` when `status` is not a redirect; else whether the body is kept. 301 and 302 turn a
/// POST into a GET, 303 turns everything but HEAD into a GET, both without the body and its
/// headers; 307 and 308 repeat the request as it was.
pub(super) fn rewrite(status: StatusCode, method: &mut Method, headers: &mut HeaderMap) -> Option<bool> {
    let to_get = match status {
        StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND => *method == Method::POST,
        StatusCode::SEE_OTHER => true,
        StatusCode::TEMPORARY_REDIRECT | StatusCode::PERMANENT_REDIRECT => false,
        _ => return None,
    };
    if !to_get {
        return Some(true);
    }
    if *method != Method::HEAD {
        *method = Method::GET;
    }
    for name in [header::CONTENT_TYPE, header::CONTENT_LENGTH, header::CONTENT_ENCODING, header::TRANSFER_ENCODING] {
        headers.remove(name);
    }
    Some(false)
}

/// The `Referer` a followed redirect's request carries: the URL that answered with it, without
/// user info or fragment (reqwest's default, kept).
pub(super) fn referer(previous: &Url) -> Option<header::HeaderValue> {
    let mut referer = previous.clone();
    let _ = referer.set_username("");
    let _ = referer.set_password(None);
    referer.set_fragment(None);
    header::HeaderValue::try_from(referer.as_str()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn only_same_origin_redirects_within_the_limit_are_followed() {
        let first = url("http://api.test/v1/a");
        assert!(follows(&first, &url("http://api.test/v2/b"), 1));
        assert!(follows(&first, &url("http://api.test:80/b"), 4));
        assert!(!follows(&first, &url("http://api.test/b"), MAX_URLS));
        assert!(!follows(&first, &url("https://api.test/b"), 1));
        assert!(!follows(&first, &url("http://api.test:8080/b"), 1));
        assert!(!follows(&first, &url("http://evil.test/b"), 1));
    }

    #[test]
    fn redirects_change_the_request_as_reqwest_does() {
        let payload = || {
            let mut h = HeaderMap::new();
            h.insert(header::CONTENT_TYPE, "application/json".parse().unwrap());
            h.insert(header::ACCEPT, "*/*".parse().unwrap());
            h
        };
        let case = |status: u16, method: Method| {
            let (mut m, mut h) = (method, payload());
            let kept = rewrite(StatusCode::from_u16(status).unwrap(), &mut m, &mut h);
            (kept, m, h.contains_key(header::CONTENT_TYPE), h.contains_key(header::ACCEPT))
        };
        assert_eq!(case(302, Method::POST), (Some(false), Method::GET, false, true));
        assert_eq!(case(301, Method::PUT), (Some(true), Method::PUT, true, true));
        assert_eq!(case(303, Method::PUT), (Some(false), Method::GET, false, true));
        assert_eq!(case(303, Method::HEAD), (Some(false), Method::HEAD, false, true));
        assert_eq!(case(307, Method::POST), (Some(true), Method::POST, true, true));
        assert_eq!(case(308, Method::DELETE), (Some(true), Method::DELETE, true, true));
        assert_eq!(case(200, Method::POST), (None, Method::POST, true, true));
        assert_eq!(case(304, Method::GET), (None, Method::GET, true, true));
        let r = referer(&url("http://u:p@api.test/a?q=1#f")).unwrap();
        assert_eq!(r, "http://api.test/a?q=1");
    }
}
