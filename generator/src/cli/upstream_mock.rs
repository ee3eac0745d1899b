//! `--mock` of `mcpgen run` and `mcpgen dev`: `mcpgen mock` of the same description, served
//! in-process on loopback for as long as the server runs.

use crate::mock::{Mock, serve::root_url, serve::serve_on};
use std::path::{Path, PathBuf};

/// The mock, serving on a thread of its own until dropped.
pub(super) struct RunningMock {
    /// Where the server should send its API calls: the mock's root and the description's base path.
    pub base_url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    runtime: Option<tokio::runtime::Runtime>,
}

/// Starts the mock of `spec`, with `overlays` applied to it, on 127.0.0.1:`port` (0 picks a free one).
pub(super) fn start(spec: &Path, overlays: &[PathBuf], port: u16) -> Result<RunningMock, String> {
    let source = crate::load::Source::Path(spec.to_path_buf());
    let doc = crate::load::load_with_overlays(&source, overlays).map_err(|e| e.to_string())?;
    let mock = Mock::new(doc);
    let listener = std::net::TcpListener::bind(("127.0.0.1", port)).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            format!("--mock-port {port}: 127.0.0.1:{port} is in use; choose another (0 picks a free one)")
        } else {
            format!("the mock cannot listen on 127.0.0.1:{port}: {e}")
        }
    })?;
    let addr = listener.local_addr().map_err(|e| format!("the mock's listener: {e}"))?;
    listener.set_nonblocking(true).map_err(|e| format!("the mock's listener: {e}"))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("mcpgen-mock")
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the mock's async runtime: {e}"))?;
    let listener = {
        let _entered = runtime.enter();
        tokio::net::TcpListener::from_std(listener).map_err(|e| format!("the mock's listener: {e}"))?
    };
    let base_url = format!("{}{}", root_url(addr), mock.base_path());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    runtime.spawn(async move {
        if let Err(e) = serve_on(listener, mock, async move {
            let _ = stopped.await;
        })
        .await
        {
            eprintln!("mcpgen mock: stopped: {e}");
        }
    });
    Ok(RunningMock { base_url, stop: Some(stop), runtime: Some(runtime) })
}

impl Drop for RunningMock {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(std::time::Duration::from_secs(2));
        }
    }
}
