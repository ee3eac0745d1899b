//! The process signals that end a server: SIGINT (Ctrl-C) and, on Unix, SIGTERM.

use std::future::Future;

/// Completes when the process receives SIGINT or SIGTERM (Ctrl-C only on other platforms).
///
/// The handlers are installed when this is called (inside a tokio runtime), not when the
/// future is first polled, so a signal that arrives while the server is still starting is not
/// lost. Pass it to [`HttpApp::serve`](crate::transport::http::HttpApp::serve), or use it to shut
/// down your own axum server when the MCP app is mounted inside it.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let interrupt = signal(SignalKind::interrupt());
        let terminate = signal(SignalKind::terminate());
        async move {
            match (interrupt, terminate) {
                (Ok(mut interrupt), Ok(mut terminate)) => {
                    tokio::select! {
                        _ = interrupt.recv() => {}
                        _ = terminate.recv() => {}
                    }
                }
                (interrupt, terminate) => {
                    if let Some(e) = interrupt.as_ref().err().or(terminate.as_ref().err()) {
                        tracing::warn!(error = %e, "cannot install the SIGINT/SIGTERM handlers; only Ctrl-C stops the server");
                    }
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
