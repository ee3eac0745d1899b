//! `src/main.rs` (generated) and `src/custom.rs` (the user's, created once).

use proc_macro2::TokenStream;
use quote::quote;

/// `with_defaults`: the crate's mcpgen.toml sets run options (`generated::run_options()`).
pub fn main_rs(with_defaults: bool) -> TokenStream {
    let run =
        if with_defaults { quote!(run_from_args_with(generated::run_options())) } else { quote!(run_from_args()) };
    quote! {
        //! Builds the MCP server from the generated tools and runs it with the runtime's command
        //! line (`--transport`, `--port`, ...; see `--help`). After `--`: `--base-url URL` and
        //! `--timeout SECONDS` override the environment.

        mod custom;
        mod generated;

        use mcpgen_runtime::upstream::{Upstream, UpstreamError};
        use mcpgen_runtime::CommandLine;
        use std::process::ExitCode;

        fn main() -> ExitCode {
            let args = CommandLine::parse();
            // The command line wins over src/custom.rs, which wins over the environment.
            let built = custom::upstream(Upstream::builder(&generated::API))
                .server_args(args.server_args())
                .and_then(|builder| builder.build());
            let upstream = match built {
                Ok(upstream) => upstream,
                Err(UpstreamError(e)) => {
                    eprintln!("error: {e}");
                    return ExitCode::FAILURE;
                }
            };
            custom::server(upstream.server(generated::TOOLS), &upstream).#run
        }
    }
}

pub fn custom_rs() -> TokenStream {
    quote! {
        //! Your code. mcpgen created this file once and never overwrites it: add tools, hooks and
        //! routes here, and they survive regeneration.

        use mcpgen_runtime::Server;
        use mcpgen_runtime::upstream::{Upstream, UpstreamBuilder};
        use std::sync::Arc;

        /// Configures calls to the API before the server starts.
        ///
        /// For example `builder.on_request(|tool, request| request.headers.push(("X-Trace".into(), tool.name.into())))`
        /// adds a header to every request, `.on_response(|tool, result| ...)` sees every result,
        /// and `.base_url(...)` / `.timeout(...)` override the environment.
        pub fn upstream(builder: UpstreamBuilder) -> UpstreamBuilder {
            builder
        }

        /// Adds your own tools and routes to the server, e.g.
        /// `server.custom_route("/health", mcpgen_runtime::axum::routing::get(|| async { "OK" }))`,
        /// or sets how it serves them, e.g. `server.max_result_bytes(50_000)` (the size past which a
        /// tool's answer is cut; `--max-result-bytes` overrides it).
        pub fn server(server: Server, _upstream: &Arc<Upstream>) -> Server {
            server
        }
    }
}
