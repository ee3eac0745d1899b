//! The flags that choose which operations become tools and how, shared by every subcommand that
//! reads a description (`generate`, `inspect`, `diff`).

use crate::ir::Method;
use crate::{Filter, Settings};

#[derive(Debug, Clone, Default, clap::Args)]
pub(super) struct Selection {
    /// Only operations with this tag (repeatable).
    #[arg(long = "tag", value_name = "TAG")]
    pub(super) tags: Vec<String>,
    /// Only this operationId or tool name; `*` matches anything (repeatable).
    #[arg(long = "operation", value_name = "ID")]
    pub(super) operations: Vec<String>,
    /// Only paths matching this pattern, e.g. `/pets/*` (repeatable).
    #[arg(long = "path", value_name = "PATTERN")]
    pub(super) paths: Vec<String>,
    /// Only this HTTP method (repeatable).
    #[arg(long = "method", value_name = "METHOD", value_parser = parse_method)]
    pub(super) methods: Vec<Method>,
    /// Name a tool yourself: `listPets=list_pets`, or `GET /pets=list_pets` (repeatable).
    #[arg(long = "rename", value_name = "OPERATION=TOOL", value_parser = parse_rename)]
    pub(super) renames: Vec<(String, String)>,
    /// Fail on any warning instead of skipping what cannot be generated.
    #[arg(long)]
    pub(super) strict: bool,
    /// Leave out output schemas (for APIs whose responses do not match their description).
    #[arg(long)]
    pub(super) no_output_schemas: bool,
    /// Let `$ref`s reach files anywhere under DIR [default: the description's own directory].
    #[arg(long, value_name = "DIR")]
    pub(super) ref_root: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub(super) shaping: DescriptionFlags,
}

/// How a description's tools are shaped for clients, shared by the subcommands that read one and
/// by `run`, `dev` and `install`, which generate from one.
#[derive(Debug, Clone, Default, clap::Args)]
pub(super) struct DescriptionFlags {
    /// Apply this OpenAPI Overlay to the description first (repeatable: applied in order).
    #[arg(long = "overlay", value_name = "FILE")]
    pub(super) overlays: Vec<std::path::PathBuf>,
    /// The longest tool name, 16 to 64: longer names are shortened readably (abbreviated words,
    /// then a hash) so a client's prefix (`mcp__server__`) still fits in 64 [default: 48].
    #[arg(long, value_name = "N", value_parser = parse_max_name_length)]
    pub(super) max_tool_name_length: Option<usize>,
    /// The clients the tools' input schemas are written for: `full` (JSON Schema as the
    /// description implies it), `portable` (references inlined, simple unions), `gemini`
    /// (Gemini function declarations) or `openai-strict` (OpenAI strict mode) [default: full].
    #[arg(long, value_name = "PROFILE", value_parser = parse_schema_profile)]
    pub(super) schema_profile: Option<crate::SchemaProfile>,
}

impl DescriptionFlags {
    /// `settings` with these choices laid over.
    pub(super) fn apply(&self, settings: &mut Settings) {
        settings.overlays = self.overlays.clone();
        if let Some(n) = self.max_tool_name_length {
            settings.tools.max_name_len = n;
        }
        if let Some(p) = self.schema_profile {
            settings.tools.schema_profile = p;
        }
    }

    /// The flags again, for another mcpgen (`mcpgen run SPEC ...` in a client's entry); overlay
    /// paths made absolute by `absolute`.
    pub(super) fn to_args(
        &self,
        absolute: impl Fn(&std::path::Path) -> Result<String, String>,
    ) -> Result<Vec<String>, String> {
        let mut args = Vec::new();
        if let Some(n) = self.max_tool_name_length {
            args.extend(["--max-tool-name-length".into(), n.to_string()]);
        }
        if let Some(p) = self.schema_profile {
            args.extend(["--schema-profile".into(), p.as_str().into()]);
        }
        for overlay in &self.overlays {
            args.extend(["--overlay".into(), absolute(overlay)?]);
        }
        Ok(args)
    }
}

impl Selection {
    /// `settings` with these choices applied.
    pub(super) fn apply(&self, settings: Settings) -> Settings {
        let mut settings = settings.strict(self.strict).filter(Filter {
            tags: self.tags.clone(),
            operations: self.operations.clone(),
            paths: self.paths.clone(),
            methods: self.methods.clone(),
        });
        settings.tools.output_schemas = !self.no_output_schemas;
        settings.tools.names = self.renames().collect();
        settings.ref_root = self.ref_root.clone();
        self.shaping.apply(&mut settings);
        settings
    }

    /// `--rename` pairs, `METHOD /path` keys with the method in capitals.
    pub(super) fn renames(&self) -> impl Iterator<Item = (String, String)> + '_ {
        self.renames.iter().map(|(op, name)| match op.split_once(' ') {
            // `get /pets` and `GET /pets` mean the same operation.
            Some((method, path)) => (format!("{} {}", method.to_ascii_uppercase(), path.trim()), name.clone()),
            None => (op.clone(), name.clone()),
        })
    }
}

/// A tool-name limit `--max-tool-name-length` and mcpgen.toml accept.
pub(super) fn parse_max_name_length(s: &str) -> Result<usize, String> {
    use crate::tools::naming::{MAX_LEN, MIN_LEN};
    match s.trim().parse::<usize>() {
        Ok(n) if (MIN_LEN..=MAX_LEN).contains(&n) => Ok(n),
        _ => Err(format!("`{s}` is not a tool-name length from {MIN_LEN} to {MAX_LEN}")),
    }
}

/// A schema profile `--schema-profile` and mcpgen.toml accept.
pub(super) fn parse_schema_profile(s: &str) -> Result<crate::SchemaProfile, String> {
    crate::SchemaProfile::parse(s.trim())
        .ok_or_else(|| format!("unknown schema profile `{s}` (expected full, portable, gemini or openai-strict)"))
}

fn parse_method(s: &str) -> Result<Method, String> {
    Method::parse(s).ok_or_else(|| {
        format!("unknown HTTP method `{s}` (expected get, put, post, delete, options, head, patch or trace)")
    })
}

fn parse_rename(s: &str) -> Result<(String, String), String> {
    match s.rsplit_once('=') {
        Some((op, name)) if !op.trim().is_empty() && !name.trim().is_empty() => {
            Ok((op.trim().to_string(), name.trim().to_string()))
        }
        _ => Err(format!("`{s}` is not OPERATION=TOOL (an operationId or `METHOD /path`, then the tool name)")),
    }
}
