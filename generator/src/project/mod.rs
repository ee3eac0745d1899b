//! `mcpgen.toml`: the settings a generated crate was made with, so `mcpgen generate` inside the
//! crate (or `mcpgen generate DIR`) regenerates it the same way and `mcpgen check` can tell
//! whether its generated files are current. Written by every `mcpgen generate`; the user may
//! edit it.

use crate::ir::Method;
use crate::{Filter, InputKind, RuntimeDep, Settings, SurfaceMode};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The file's name, at the crate's root.
pub const FILE: &str = "mcpgen.toml";

const HEADER: &str = "# mcpgen's settings for this crate. `mcpgen generate` run here regenerates the crate with them\n# (flags given alongside override them and are saved); `mcpgen check` checks the generated files\n# against them. Paths are relative to this file.\n\n";

/// The contents of `mcpgen.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Project {
    /// The API description, relative to the crate; absent when it was read from standard input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<String>,
    /// The crate and server name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `openapi` or `manifest`, when `--input-kind` chose it; told from the document otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    /// The directory `$ref`'d files may be in, relative to the crate (`--ref-root`); the spec's
    /// own directory otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ref_root: Option<String>,
    #[serde(default)]
    pub strict: bool,
    #[serde(default = "yes")]
    pub output_schemas: bool,
    /// How the crate depends on mcpgen-runtime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime: Option<Runtime>,
    #[serde(default)]
    pub filter: Filters,
    /// Tool names chosen by the user, keyed by operationId or `METHOD /path`.
    #[serde(default)]
    pub rename: BTreeMap<String, String>,
    /// `all`, `dynamic` or `auto` (the default when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_budget: Option<usize>,
    /// The longest tool name (`--max-tool-name-length`); the generator's default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tool_name_length: Option<usize>,
    /// The clients input schemas are written for (`--schema-profile`); `full` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_profile: Option<String>,
    /// OpenAPI Overlays applied in order to the description (`--overlay`), relative to the crate.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overlays: Vec<String>,
    /// `[server]`: how the generated server guards itself unless its flags say otherwise (OAuth,
    /// clients' own API credentials, rate limits). Only edited by hand; kept on regeneration.
    #[serde(default, skip_serializing_if = "crate::ServerDefaults::is_empty")]
    pub server: crate::ServerDefaults,
}

fn yes() -> bool {
    true
}

/// `[runtime]`: `path = "..."` (relative to the crate) or `version = "..."`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub enum Runtime {
    Path(String),
    Version(String),
}

/// `[filter]`: which operations become tools (empty: all).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filters {
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub operations: Vec<String>,
    #[serde(default)]
    pub paths: Vec<String>,
    /// HTTP methods, e.g. `["get"]`.
    #[serde(default)]
    pub methods: Vec<String>,
}

impl Default for Project {
    fn default() -> Self {
        Project {
            spec: None,
            name: None,
            input: None,
            ref_root: None,
            strict: false,
            output_schemas: true,
            runtime: None,
            filter: Filters::default(),
            rename: BTreeMap::new(),
            tools: None,
            tool_budget: None,
            max_tool_name_length: None,
            schema_profile: None,
            overlays: Vec::new(),
            server: crate::ServerDefaults::default(),
        }
    }
}

impl Project {
    /// Reads `dir/mcpgen.toml`; `Ok(None)` when there is none.
    pub fn load(dir: &Path) -> Result<Option<Project>, String> {
        let path = dir.join(FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("cannot read `{}`: {e}", path.display())),
        };
        let project: Project = toml::from_str(&text).map_err(|e| format!("`{}`: {e}", path.display()))?;
        project.methods().map_err(|e| format!("`{}`: {e}", path.display()))?;
        Ok(Some(project))
    }

    /// Writes `dir/mcpgen.toml` when its contents change; says whether it did.
    pub fn save(&self, dir: &Path) -> Result<bool, String> {
        let path = dir.join(FILE);
        let body = toml::to_string(self).map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
        let text = format!("{HEADER}{body}");
        if std::fs::read_to_string(&path).ok().as_deref() == Some(text.as_str()) {
            return Ok(false);
        }
        std::fs::write(&path, text).map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
        Ok(true)
    }

    /// The description's path, relative to the working directory, for a crate at `dir`; an
    /// error saying what to do when none is recorded (the crate came from standard input).
    pub fn spec_path(&self, dir: &Path) -> Result<PathBuf, String> {
        self.spec.as_ref().map(|s| dir.join(s)).ok_or_else(|| {
            format!(
                "`{}` names no spec (the crate was generated from standard input): give one, as in `mcpgen generate SPEC -o {}`",
                dir.join(FILE).display(),
                dir.display()
            )
        })
    }

    /// The overlays' paths, relative to the working directory, for a crate at `dir`.
    pub fn overlay_paths(&self, dir: &Path) -> Vec<PathBuf> {
        self.overlays.iter().map(|o| dir.join(o)).collect()
    }

    /// The generation settings these stand for, for the crate at `dir`. `None` runtime means
    /// the default for this mcpgen.
    pub fn settings(&self, dir: &Path) -> Result<Settings, String> {
        self.settings_for(dir, self.spec_path(dir)?)
    }

    /// The generation settings these stand for, reading the description at `spec`.
    pub fn settings_for(&self, dir: &Path, spec: PathBuf) -> Result<Settings, String> {
        let mut settings = Settings::new(spec).strict(self.strict).filter(Filter {
            tags: self.filter.tags.clone(),
            operations: self.filter.operations.clone(),
            paths: self.filter.paths.clone(),
            methods: self.methods()?,
        });
        settings.name = self.name.clone();
        settings.ref_root = self.ref_root.as_ref().map(|r| dir.join(r));
        settings.overlays = self.overlay_paths(dir);
        if let Some(input) = &self.input {
            settings.input_kind = InputKind::parse(input)
                .ok_or_else(|| format!("input: unknown input kind `{input}` (expected openapi or manifest)"))?;
        }
        if let Some(tools) = &self.tools {
            settings.surface = SurfaceMode::parse(tools)
                .ok_or_else(|| format!("tools: unknown tool mode `{tools}` (expected all, dynamic or auto)"))?;
        }
        settings.tool_budget = self.tool_budget;
        self.server.check()?;
        settings.server = self.server.clone();
        settings.tools.output_schemas = self.output_schemas;
        settings.tools.names = self.rename.clone();
        if let Some(p) = &self.schema_profile {
            settings.tools.schema_profile = crate::SchemaProfile::parse(p).ok_or_else(|| {
                format!("schema-profile: unknown profile `{p}` (expected full, portable, gemini or openai-strict)")
            })?;
        }
        if let Some(n) = self.max_tool_name_length {
            let range = crate::tools::naming::MIN_LEN..=crate::tools::naming::MAX_LEN;
            if !range.contains(&n) {
                return Err(format!(
                    "max-tool-name-length: {n} is not a tool-name length from {} to {}",
                    range.start(),
                    range.end()
                ));
            }
            settings.tools.max_name_len = n;
        }
        if let Some(runtime) = &self.runtime {
            settings.runtime = match runtime {
                Runtime::Path(p) => RuntimeDep::Path(p.clone()),
                Runtime::Version(v) => RuntimeDep::Version(v.clone()),
            };
        }
        Ok(settings)
    }

    fn methods(&self) -> Result<Vec<Method>, String> {
        self.filter
            .methods
            .iter()
            .map(|m| Method::parse(m).ok_or_else(|| format!("filter.methods: unknown HTTP method `{m}`")))
            .collect()
    }
}

impl From<&RuntimeDep> for Runtime {
    fn from(r: &RuntimeDep) -> Runtime {
        match r {
            RuntimeDep::Path(p) => Runtime::Path(p.clone()),
            RuntimeDep::Version(v) => Runtime::Version(v.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut p =
            Project { spec: Some("../api/openapi.yaml".into()), name: Some("pets".into()), ..Project::default() };
        p.filter.methods = vec!["get".into()];
        p.rename.insert("GET /pets".into(), "list".into());
        p.runtime = Some(Runtime::Path("../runtime".into()));
        p.tools = Some("dynamic".into());
        p.tool_budget = Some(9000);
        assert!(p.save(dir.path()).unwrap());
        assert!(!p.save(dir.path()).unwrap(), "unchanged contents are not rewritten");
        assert_eq!(Project::load(dir.path()).unwrap(), Some(p.clone()));
        let s = p.settings(dir.path()).unwrap();
        assert_eq!(s.tools.filter.methods, vec![Method::Get]);
        assert_eq!(s.runtime, RuntimeDep::Path("../runtime".into()));
        assert_eq!((s.surface, s.tool_budget), (SurfaceMode::Dynamic, Some(9000)));
    }

    #[test]
    fn bad_files_say_where_and_what() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Project::load(dir.path()).unwrap(), None);
        std::fs::write(dir.path().join(FILE), "spec = \"a.yaml\"\nfliter = {}\n").unwrap();
        let e = Project::load(dir.path()).unwrap_err();
        assert!(e.contains("mcpgen.toml") && e.contains("fliter"), "{e}");
        std::fs::write(dir.path().join(FILE), "[filter]\nmethods = [\"fetch\"]\n").unwrap();
        let e = Project::load(dir.path()).unwrap_err();
        assert!(e.contains("filter.methods: unknown HTTP method `fetch`"), "{e}");
        let p = Project { spec: Some("a.yaml".into()), tools: Some("most".into()), ..Project::default() };
        let e = p.settings(dir.path()).unwrap_err();
        assert!(e.contains("tools: unknown tool mode `most`"), "{e}");
    }

    #[test]
    fn the_schema_profile_is_read_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE), "spec = \"a.yaml\"\nschema-profile = \"openai-strict\"\n").unwrap();
        let p = Project::load(dir.path()).unwrap().unwrap();
        let s = p.settings(dir.path()).unwrap();
        assert_eq!(s.tools.schema_profile, crate::SchemaProfile::OpenAiStrict);
        let p = Project { spec: Some("a.yaml".into()), schema_profile: Some("claude".into()), ..Project::default() };
        let e = p.settings(dir.path()).unwrap_err();
        assert!(e.contains("schema-profile: unknown profile `claude`"), "{e}");
    }
}

#[cfg(test)]
mod overlay_tests {
    use super::*;

    #[test]
    fn overlays_are_recorded_relative_to_the_crate_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let text = "spec = \"../api.yaml\"\noverlays = [\"../b.overlay.yaml\", \"a.overlay.json\"]\n";
        std::fs::write(dir.path().join(FILE), text).unwrap();
        let p = Project::load(dir.path()).unwrap().unwrap();
        let s = p.settings(dir.path()).unwrap();
        assert_eq!(s.overlays, [dir.path().join("../b.overlay.yaml"), dir.path().join("a.overlay.json")]);
        p.save(dir.path()).unwrap();
        assert_eq!(Project::load(dir.path()).unwrap().unwrap().overlays, p.overlays, "saved as read");
        let none = Project { spec: Some("a.yaml".into()), ..Project::default() };
        none.save(dir.path()).unwrap();
        let saved = std::fs::read_to_string(dir.path().join(FILE)).unwrap();
        assert!(!saved.contains("overlays"), "written only when there are some: {saved}");
    }
}
