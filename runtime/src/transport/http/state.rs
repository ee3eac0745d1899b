//! What every request handler of an HTTP app shares.

use super::config::HttpConfig;
use super::lifecycle::Lifecycle;
use super::session::SessionStore;
use crate::server::Dispatcher;
use std::sync::Arc;

pub(crate) struct Shared {
    pub dispatcher: Arc<Dispatcher>,
    pub config: HttpConfig,
    pub sessions: Arc<SessionStore>,
    pub lifecycle: Arc<Lifecycle>,
}

impl Shared {
    pub fn new(dispatcher: Arc<Dispatcher>, config: HttpConfig) -> Arc<Shared> {
        // Ended sessions' connections stay in the dispatcher's notification list until pruned.
        let prune = dispatcher.clone();
        let sessions = Arc::new(
            SessionStore::new(config.session_idle_timeout, config.max_sessions)
                .on_forget(move || prune.forget_ended_sessions()),
        );
        Arc::new(Shared { dispatcher, config, sessions, lifecycle: Arc::new(Lifecycle::default()) })
    }
}
