//! The HTTP clients an [`Upstream`](super::Upstream) sends with, each built on first use:
//! reqwest's loads the system's CA certificates, about half of a generated server's start-up
//! work, and a server whose tools are only listed never needs it; the plain-HTTP one
//! (`plain.rs`) exists only where no proxy is configured, decided when it is first asked for,
//! as reqwest reads the proxy variables when it is built.

use super::plain::PlainClient;
use super::redirect;
use std::sync::OnceLock;
use std::time::Duration;

pub(super) struct LazyClient {
    timeout: Duration,
    client: OnceLock<Result<reqwest::Client, String>>,
    plain: OnceLock<Option<PlainClient>>,
}

impl LazyClient {
    pub(super) fn new(timeout: Duration) -> LazyClient {
        LazyClient { timeout, client: OnceLock::new(), plain: OnceLock::new() }
    }

    /// The client for plain `http://` URLs, unless a proxy may be configured: reqwest alone
    /// knows how to send through one.
    pub(super) fn plain(&self) -> Option<&PlainClient> {
        self.plain
            .get_or_init(|| {
                (!proxy_configured(|name| std::env::var_os(name))).then(|| PlainClient::new(self.connect_timeout()))
            })
            .as_ref()
    }

    fn connect_timeout(&self) -> Duration {
        self.timeout.min(Duration::from_secs(10))
    }

    /// The client, built the first time it is asked for; the same error every time if it cannot
    /// be built (no TLS backend).
    pub(super) fn get(&self) -> Result<&reqwest::Client, String> {
        self.client.get_or_init(|| self.build()).as_ref().map_err(Clone::clone)
    }

    fn build(&self) -> Result<reqwest::Client, String> {
        // Redirects are followed only within the origin the request was built for (the API's
        // base, or the operation's own server): the first URL of the chain (`redirect.rs`).
        let redirect = reqwest::redirect::Policy::custom(move |attempt| {
            let previous = attempt.previous();
            let follow = previous.first().is_some_and(|first| redirect::follows(first, attempt.url(), previous.len()));
            if follow { attempt.follow() } else { attempt.stop() }
        });
        let mut builder = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout())
            .redirect(redirect)
            .user_agent(super::send::USER_AGENT);
        if !proxy_configured(|name| std::env::var_os(name)) {
            builder = builder.no_proxy();
        }
        builder.build().map_err(|e| format!("cannot build the HTTP client: {e}"))
    }
}

/// The variables reqwest's system proxy reads for a proxy's address (`NO_PROXY` only exempts).
const PROXY_VARS: [&str; 6] = ["ALL_PROXY", "all_proxy", "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"];

/// Whether reqwest's system proxy could send a request through a proxy. Where the system proxy
/// is only the environment (not macOS or Windows, whose system settings reqwest may read too),
/// none of [`PROXY_VARS`] set to a value means it never would: the client is then built without
/// it, sparing every request two proxy look-ups (about 1,400 instructions a call).
fn proxy_configured(var: impl Fn(&str) -> Option<std::ffi::OsString>) -> bool {
    cfg!(any(target_os = "macos", windows)) || PROXY_VARS.iter().any(|name| var(name).is_some_and(|v| !v.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_proxy_is_left_out_only_when_no_proxy_variable_is_set() {
        let env = |set: &'static [(&'static str, &'static str)]| {
            move |name: &str| set.iter().find(|(k, _)| *k == name).map(|(_, v)| std::ffi::OsString::from(*v))
        };
        let on_env_only = !cfg!(any(target_os = "macos", windows));
        assert_eq!(proxy_configured(env(&[])), !on_env_only);
        assert_eq!(proxy_configured(env(&[("HTTP_PROXY", ""), ("NO_PROXY", "*")])), !on_env_only);
        for name in PROXY_VARS {
            let set: &'static [(&'static str, &'static str)] = Box::leak(Box::new([(name, "http://127.0.0.1:3128")]));
            assert!(proxy_configured(env(set)), "{name}");
        }
    }

    #[test]
    fn the_client_is_built_once_on_first_use() {
        let lazy = LazyClient::new(Duration::from_secs(1));
        assert!(lazy.client.get().is_none(), "nothing is built before it is needed");
        let first = lazy.get().expect("a client") as *const reqwest::Client;
        let second = lazy.get().expect("a client") as *const reqwest::Client;
        assert_eq!(first, second, "built once, then reused");
    }
}
