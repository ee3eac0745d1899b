//! The HTTP client an [`Upstream`](super::Upstream) sends with, built on first use: building it
//! loads the system's CA certificates, about half of a generated server's start-up work, and a
//! server whose tools are only listed never needs it.

use std::sync::OnceLock;
use std::time::Duration;

pub(super) struct LazyClient {
    timeout: Duration,
    client: OnceLock<Result<reqwest::Client, String>>,
}

impl LazyClient {
    pub(super) fn new(timeout: Duration) -> LazyClient {
        LazyClient { timeout, client: OnceLock::new() }
    }

    /// The client, built the first time it is asked for; the same error every time if it cannot
    /// be built (no TLS backend).
    pub(super) fn get(&self) -> Result<&reqwest::Client, String> {
        self.client.get_or_init(|| self.build()).as_ref().map_err(Clone::clone)
    }

    fn build(&self) -> Result<reqwest::Client, String> {
        // Redirects are followed only within the origin the request was built for (the API's
        // base, or the operation's own server): the first URL of the chain.
        let redirect = reqwest::redirect::Policy::custom(move |attempt| {
            let same = attempt.previous().first().is_some_and(|first| attempt.url().origin() == first.origin());
            if same && attempt.previous().len() < 5 { attempt.follow() } else { attempt.stop() }
        });
        reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.timeout.min(Duration::from_secs(10)))
            .redirect(redirect)
            .user_agent(concat!("mcpgen-runtime/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_is_built_once_on_first_use() {
        let lazy = LazyClient::new(Duration::from_secs(1));
        assert!(lazy.client.get().is_none(), "nothing is built before it is needed");
        let first = lazy.get().expect("a client") as *const reqwest::Client;
        let second = lazy.get().expect("a client") as *const reqwest::Client;
        assert_eq!(first, second, "built once, then reused");
    }
}
