//! The process signals that end a server: SIGINT (Ctrl-C) and, on Unix, SIGTERM.

/// Completes when the process receives SIGINT or SIGTERM (Ctrl-C only on other platforms).
///
/// Pass it to [`HttpApp::serve`](crate::transport::http::HttpApp::serve), or use it to shut down
/// your own axum server when the MCP app is mounted inside it.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM; only Ctrl-C stops the server");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
