//! The `mcpgen` command. See `mcpgen --help`.

fn main() -> std::process::ExitCode {
    mcpgen::cli::main()
}
