//! `mcpgen mock SPEC [--port N]`: the API of a description on loopback.

use super::print_warnings;
use clap::Parser;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "mcpgen mock",
    version,
    about = "Serve an OpenAPI description's operations on loopback: requests are checked against the \
             description (400 says what is wrong) and answered with its examples or data made up from \
             its schemas. Every request is listed at GET /__mcpgen/requests.",
    after_help = "Example:\n  mcpgen mock openapi.yaml --port 4010 &\n  my_server -- --base-url http://127.0.0.1:4010/v1"
)]
struct MockArgs {
    /// The OpenAPI (3.0, 3.1) or Swagger 2.0 description, YAML or JSON; `-` reads standard input.
    spec: PathBuf,
    /// The port to listen on; 0 picks a free one.
    #[arg(short, long, default_value_t = 4010)]
    port: u16,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// An OpenAPI Overlay to apply to the description first (repeatable, applied in order).
    #[arg(long = "overlay", value_name = "FILE")]
    overlays: Vec<PathBuf>,
    /// Record credentials (Authorization, API keys) as received instead of `<redacted>`: for
    /// testing which credentials a server sends on whose behalf. Never on a shared machine.
    #[arg(long)]
    show_credentials: bool,
    /// How many times a long-running operation answers "still running" before its end (its
    /// polls are served under `/__mcpgen/operations/`).
    #[arg(long, value_name = "N", default_value_t = crate::mock::long_running::DEFAULT_POLLS)]
    long_running_polls: u32,
}

/// `mcpgen mock SPEC ...`; `args` starts with the program name.
pub fn main(args: Vec<std::ffi::OsString>) -> Result<(), String> {
    let a = match MockArgs::try_parse_from(args) {
        Ok(p) => p,
        Err(e) => e.exit(),
    };
    let source = crate::load::Source::Path(a.spec.clone());
    let doc = crate::load::load_with_overlays(&source, &a.overlays).map_err(|e| e.to_string())?;
    let mut mock = crate::mock::Mock::new(doc).long_running_polls(a.long_running_polls);
    if a.show_credentials {
        mock = mock.showing_credentials();
    }
    print_warnings(mock.warnings());
    if mock.operations().is_empty() {
        return Err(format!("`{}` has no operation to serve", a.spec.display()));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let options = crate::mock::Options { host: a.host.clone(), port: a.port };
    runtime.block_on(crate::mock::serve(mock, &options)).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            format!("{}:{} is in use; choose another with --port (0 picks a free one)", a.host, a.port)
        } else {
            format!("cannot serve on {}:{}: {e}", a.host, a.port)
        }
    })
}
