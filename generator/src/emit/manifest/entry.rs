//! `src/main.rs` of a manifest crate (generated) and `src/handlers.rs` (the user's, created once).

use super::Model;
use super::idents::source_name;
use proc_macro2::TokenStream;
use quote::quote;

pub fn main_rs() -> TokenStream {
    quote! {
        //! Builds the MCP server from the manifest's entries and your handlers (src/handlers.rs),
        //! and runs it with the runtime's command line (`--transport`, `--port`, ...; see `--help`).

        mod generated;
        mod handlers;

        use mcpgen_runtime::Server;
        use std::process::ExitCode;
        use std::sync::Arc;

        fn main() -> ExitCode {
            let mut server = Server::new(generated::NAME, generated::VERSION);
            if let Some(title) = generated::TITLE {
                server = server.title(title);
            }
            if let Some(instructions) = generated::INSTRUCTIONS {
                server = server.instructions(instructions);
            }
            let server = generated::register(server, Arc::new(handlers::app()));
            handlers::server(server).run_from_args()
        }
    }
}

/// The user's file: an empty `impl Handlers` (every method answers "not implemented"), with an
/// example method for the first tool in its doc comment.
pub fn handlers_rs(m: &Model) -> Result<String, String> {
    let code = quote! {
        use crate::generated::Handlers;
        use mcpgen_runtime::Server;

        /// Your server's state (clients, connections, configuration), built once at start-up.
        pub struct App;

        /// Builds the handlers when the server starts.
        pub fn app() -> App {
            App
        }

        impl Handlers for App {}

        /// Adds your own tools and routes to the server, e.g.
        /// `server.custom_route("/health", mcpgen_runtime::axum::routing::get(|| async { "OK" }))`.
        pub fn server(server: Server) -> Server {
            server
        }
    };
    let body = super::rust(code)?;
    let mut doc = String::from(
        "//! Your code: what the server's tools, prompts and resources do. mcpgen created this file once\n\
         //! and never overwrites it.\n\
         //!\n\
         //! Every entry of the manifest is a method of `Handlers` (src/generated/mod.rs) with a default\n\
         //! that answers \"not implemented\". Write the ones you serve in `impl Handlers for App`; their\n\
         //! argument and result types are in `crate::generated::types`. When a tool is added to the\n\
         //! manifest and the crate regenerated, this file still compiles and the new tool answers\n\
         //! \"not implemented\" until you write its method.\n",
    );
    if let Some(t) = m.tools.first() {
        let output = t.output.as_deref().unwrap_or("ToolResult");
        doc.push_str(&format!(
            "//!\n//! For example:\n//!\n//! ```ignore\n//! use crate::generated::types::*;\n//! use mcpgen_runtime::{{RequestContext, ToolError, ToolResult}};\n//!\n\
             //! impl Handlers for App {{\n//!     async fn {}(&self, args: {}, _ctx: RequestContext) -> Result<{output}, ToolError> {{\n\
             //!         // ...\n//!     }}\n//! }}\n//! ```\n",
            source_name(&t.method),
            t.args,
        ));
    }
    Ok(format!("{doc}\n{body}"))
}
