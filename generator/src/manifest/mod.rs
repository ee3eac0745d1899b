//! Tool-schema manifests: MCP tool definitions written by hand (the shape of a `tools/list`
//! result, or a bare array of tools), optionally with `prompts`, `resources`,
//! `resourceTemplates` and the server's `name`, `version` and `instructions`.
//!
//! [`Manifest::from_value`] checks every entry and reports every problem at once, each naming
//! its entry (`tools[3] (name "x"): inputSchema must be an object schema`).

mod read;
mod uri_template;

use serde_json::{Map, Value};

/// A checked manifest.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    pub name: Option<String>,
    pub version: Option<String>,
    pub title: Option<String>,
    pub instructions: Option<String>,
    pub tools: Vec<ManifestTool>,
    pub prompts: Vec<ManifestPrompt>,
    pub resources: Vec<ManifestResource>,
    pub resource_templates: Vec<ManifestTemplate>,
}

/// One tool, as `tools/list` shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ManifestTool {
    pub name: String,
    pub title: Option<String>,
    pub description: Option<String>,
    /// A JSON Schema object with `"type": "object"`, checked against its meta-schema.
    pub input_schema: Value,
    pub output_schema: Option<Value>,
    /// `readOnlyHint`, `title`, ...: each a boolean or a string.
    pub annotations: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ManifestPrompt {
    pub name: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub arguments: Vec<PromptArgument>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PromptArgument {
    pub name: String,
    pub description: Option<String>,
    pub required: bool,
}

/// A resource at a fixed URI.
#[derive(Debug, Clone, PartialEq)]
pub struct ManifestResource {
    pub uri: String,
    pub name: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub mime_type: Option<String>,
}

/// A family of resources named by a URI template (`{var}` and `{+var}`).
#[derive(Debug, Clone, PartialEq)]
pub struct ManifestTemplate {
    pub uri_template: String,
    pub name: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub mime_type: Option<String>,
    /// The template's variables, in order of first appearance.
    pub variables: Vec<String>,
}

/// Every problem found in a manifest, each naming its entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestError {
    pub file: String,
    pub problems: Vec<String>,
}

impl std::fmt::Display for ManifestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.problems.as_slice() {
            [one] => write!(f, "{}: {one}", self.file),
            many => {
                write!(f, "{}: {} problems in the manifest:", self.file, many.len())?;
                for p in many {
                    write!(f, "\n  {p}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ManifestError {}

/// Whether a parsed document looks like a manifest: a bare array, or an object with `tools`
/// and neither `openapi` nor `swagger`.
pub fn looks_like_manifest(raw: &Value) -> bool {
    match raw {
        Value::Array(_) => true,
        Value::Object(o) => o.contains_key("tools") && !o.contains_key("openapi") && !o.contains_key("swagger"),
        _ => false,
    }
}

impl Manifest {
    /// Checks a parsed manifest; `file` names it in errors.
    pub fn from_value(raw: &Value, file: &str) -> Result<Manifest, ManifestError> {
        read::manifest(raw).map_err(|problems| ManifestError { file: file.to_string(), problems })
    }
}
