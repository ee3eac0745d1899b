//! `mcpgen install <client> <spec | crate dir>`: build the server (as `mcpgen run` does) and add
//! its entry to an MCP client's configuration, or print it.

use super::client_config::{self, Merge};
use super::env_pair;
use super::server_source::{self, Built, SourceArgs};
use clap::{Parser, ValueEnum};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Client {
    /// Claude Desktop's claude_desktop_config.json.
    ClaudeDesktop,
    /// Claude Code's project file, .mcp.json in the current directory.
    ClaudeCode,
    /// Cursor's ~/.cursor/mcp.json.
    Cursor,
    /// A generic {"mcpServers": ...} document: printed, or written to --config.
    McpJson,
}

impl Client {
    fn title(self) -> &'static str {
        match self {
            Client::ClaudeDesktop => "Claude Desktop",
            Client::ClaudeCode => "Claude Code",
            Client::Cursor => "Cursor",
            Client::McpJson => "mcp.json",
        }
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "mcpgen install",
    bin_name = "mcpgen install",
    version,
    about = "Add a server to an MCP client's configuration: the entry runs `mcpgen run SPEC` (a description, \
             served in-process) or the built binary (a crate, a manifest, or a description with --compile) over \
             STDIO. Other entries in the file are kept.",
    after_help = "Examples:\n  mcpgen install claude-desktop openapi.yaml --env MY_API_KEY=...\n  \
                  mcpgen install claude-code ./my_server --name my-api\n  mcpgen install mcp-json openapi.yaml > mcp.json"
)]
struct InstallArgs {
    /// The client to configure.
    #[arg(value_enum)]
    client: Client,
    #[command(flatten)]
    source: SourceArgs,
    /// The entry's name [default: the server's].
    #[arg(long)]
    name: Option<String>,
    /// An environment variable for the server, KEY=VALUE (repeatable).
    #[arg(short = 'e', long = "env", value_name = "KEY=VALUE", value_parser = env_pair)]
    env: Vec<(String, String)>,
    /// Print the entry instead of writing it.
    #[arg(long)]
    print: bool,
    /// The configuration file to write [default: the client's own].
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
    /// Arguments the client passes to the server (flags, then `--` and the server's own).
    #[arg(last = true, value_name = "SERVER_ARGS")]
    server_args: Vec<String>,
}

/// `mcpgen install ...`; `args` starts with the program name.
pub fn main(args: Vec<std::ffi::OsString>) -> Result<(), String> {
    let a = match InstallArgs::try_parse_from(args) {
        Ok(p) => p,
        Err(e) => e.exit(),
    };
    let source = a.source.source()?;
    // Where it goes is settled before the build, so a wrong location costs nothing.
    let target = match (a.print, &a.config) {
        (true, _) => None,
        (false, Some(path)) => Some(path.clone()),
        (false, None) => default_config(a.client)?,
    };
    let launch = server_source::launch(&a.source, &source)?;
    let command = match &launch.built {
        Some(built) => installed_binary(built)?,
        None => launch.program.clone(),
    };
    let name = a.name.clone().unwrap_or_else(|| launch.name.clone());
    let args: Vec<String> = launch.args.iter().chain(&a.server_args).cloned().collect();
    let entry = entry(&command, &args, &a.env);
    match target {
        None => println!("{}", client_config::document(&name, &entry)),
        Some(path) => {
            let merge = client_config::merge_into_file(&path, &name, &entry)?;
            let verb = if merge == Merge::Replaced { "Replaced" } else { "Added" };
            eprintln!("{verb} `{name}` in {} ({}): it runs {}", path.display(), a.client.title(), command.display());
            if matches!(a.client, Client::ClaudeDesktop | Client::Cursor) {
                eprintln!("Restart {} to load it.", a.client.title());
            }
        }
    }
    Ok(())
}

/// The client's entry: the binary by absolute path, its arguments, its environment.
fn entry(command: &Path, args: &[String], env: &[(String, String)]) -> Value {
    let mut entry = json!({ "command": command.to_string_lossy(), "args": args });
    if !env.is_empty() {
        entry["env"] = env.iter().map(|(k, v)| (k.clone(), Value::from(v.as_str()))).collect();
    }
    entry
}

/// The binary the entry runs. A generated crate's is copied beside it in the cache: cached crates
/// share a target dir, where the next build of a crate with the same name would replace it.
fn installed_binary(built: &Built) -> Result<PathBuf, String> {
    let Some(dir) = &built.generated_dir else {
        return std::fs::canonicalize(&built.binary).map_err(|e| format!("`{}`: {e}", built.binary.display()));
    };
    let bin_dir = dir.join("bin");
    let file_name = built.binary.file_name().ok_or("the built binary has no file name")?;
    let installed = bin_dir.join(file_name);
    let copy_error = |e: std::io::Error| format!("cannot copy the server to `{}`: {e}", installed.display());
    std::fs::create_dir_all(&bin_dir).map_err(copy_error)?;
    // Copied beside, then renamed: a client running the old copy keeps running it.
    let staged = tempfile::Builder::new().prefix(".mcpgen-").tempfile_in(&bin_dir).map_err(copy_error)?;
    std::fs::copy(&built.binary, staged.path()).map_err(copy_error)?;
    staged.persist(&installed).map_err(|e| copy_error(e.error))?;
    std::fs::canonicalize(&installed).map_err(copy_error)
}

/// The client's own configuration file; `None` for mcp-json (printed).
fn default_config(client: Client) -> Result<Option<PathBuf>, String> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    let home = || {
        var("HOME")
            .or_else(|| var("USERPROFILE"))
            .ok_or("cannot tell your home directory: set HOME, or give --config PATH")
    };
    let path = match client {
        Client::McpJson => return Ok(None),
        Client::ClaudeCode => {
            let cwd = std::env::current_dir().map_err(|e| format!("the current directory: {e}"))?;
            return Ok(Some(cwd.join(".mcp.json")));
        }
        Client::Cursor => home()?.join(".cursor/mcp.json"),
        Client::ClaudeDesktop => {
            let dir = if cfg!(windows) {
                var("APPDATA").ok_or(
                    "cannot tell where Claude Desktop keeps its configuration: set APPDATA, or give --config PATH",
                )?
            } else if cfg!(target_os = "macos") {
                home()?.join("Library/Application Support")
            } else {
                var("XDG_CONFIG_HOME").map(Ok).unwrap_or_else(|| home().map(|h| h.join(".config")))?
            };
            dir.join("Claude/claude_desktop_config.json")
        }
    };
    let dir = path.parent().expect("a file in a directory");
    if !dir.is_dir() {
        return Err(format!(
            "{} keeps its configuration in `{}`, which does not exist: is {} installed? \
             (--config PATH writes elsewhere, --print prints the entry)",
            client.title(),
            dir.display(),
            client.title()
        ));
    }
    Ok(Some(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_run_the_binary_with_args_and_env() {
        let e =
            entry(Path::new("/c/bin/srv"), &["--".into(), "--timeout".into(), "5".into()], &[("K".into(), "v".into())]);
        assert_eq!(e, json!({"command": "/c/bin/srv", "args": ["--", "--timeout", "5"], "env": {"K": "v"}}));
        assert_eq!(entry(Path::new("/s"), &[], &[]), json!({"command": "/s", "args": []}));
    }

    #[test]
    fn the_client_comes_first() {
        let a =
            InstallArgs::try_parse_from(["install", "claude-code", "api.yaml", "--env", "A=1", "-e", "B=2=3"]).unwrap();
        assert_eq!(a.client, Client::ClaudeCode);
        assert_eq!(a.env, [("A".to_string(), "1".to_string()), ("B".to_string(), "2=3".to_string())]);
        assert!(InstallArgs::try_parse_from(["install", "vscode", "api.yaml"]).is_err());
        assert!(InstallArgs::try_parse_from(["install", "cursor", "api.yaml", "--env", "NOEQUALS"]).is_err());
    }
}
