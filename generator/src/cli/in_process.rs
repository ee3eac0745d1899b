//! `mcpgen run SPEC` without a build: the description's tables made in memory
//! ([`crate::tables`]) and served by the runtime in this process, as a generated crate's `main`
//! serves its compiled ones (`emit/entry.rs`), with the same command line.

use mcpgen_runtime::upstream::{Upstream, UpstreamError};
use mcpgen_runtime::{CommandLine, RunOptions, Server};

/// An OpenAPI description's server, ready to run; `None` for a tool-schema manifest, whose tools
/// are the user's code and only a compiled crate can serve.
pub(super) struct InProcess {
    server: Server,
    args: CommandLine,
}

impl InProcess {
    /// Derives the tools of `spec` (warnings on stderr, as `mcpgen generate` prints them) and
    /// builds the server. `server_command_line` is what a compiled server would be started with:
    /// its flags, then `--` and its own arguments (`--base-url`, `--timeout`).
    pub(super) fn prepare(
        settings: &crate::Settings,
        server_command_line: &[String],
    ) -> Result<Option<InProcess>, String> {
        let Some(tables) = super::tables_with_warnings(settings)? else { return Ok(None) };
        release_freed_memory();
        let (api, tools) = (tables.api, tables.tools);
        let program = std::iter::once(api.name.to_string());
        let args = CommandLine::try_parse_from(program.chain(server_command_line.iter().cloned()))
            .map_err(|e| format!("the server's arguments: {e}"))?;
        let upstream = Upstream::builder(api)
            .server_args(args.server_args())
            .and_then(|builder| builder.build())
            .map_err(|UpstreamError(e)| e)?;
        Ok(Some(InProcess { server: upstream.server(tools), args }))
    }

    /// The server's name (the API's).
    pub(super) fn name(&self) -> &str {
        self.server.name()
    }

    /// Serves until the transport ends (EOF on STDIO, SIGINT or SIGTERM); the exit code. The
    /// flags are laid over the runtime's defaults, as in a crate without a `[server]` table: a
    /// description given on the command line has no mcpgen.toml (a crate is built and run instead).
    pub(super) fn run(self) -> i32 {
        match self.server.run(self.args.apply(RunOptions::default())) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("error: {e}");
                1
            }
        }
    }
}

/// Gives the memory the derivation freed back to the system. A large description's parsed
/// document and schema trees are gone by now, but glibc keeps freed pages resident in its arenas
/// (the derivation ran on every core, each thread with an arena of its own): for GitHub's
/// description over 100 MiB that a long-running server would hold for nothing.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free memory to the system; it touches no live allocation.
    unsafe {
        libc::malloc_trim(0);
    }
}
