//! The crate for a tool-schema manifest: typed arguments and results (`types.rs`), a
//! `Handlers` trait with one method per tool, prompt and resource whose default answers "not
//! implemented", and the registration that serves each entry with its schemas from the manifest
//! (`module.rs`); `src/main.rs`, and `src/handlers.rs`, the user's, created once (`entry.rs`).

mod docs;
mod entry;
mod files;
mod idents;
mod module;
mod types;

use super::names::crate_name;
use super::stamp::Header;
use super::templates;
use super::{OutputFile, Owner, RuntimeDep, rust};
use crate::Settings;
use crate::manifest::{Manifest, ManifestPrompt, ManifestResource, ManifestTemplate, ManifestTool};
use idents::{Scope, pascal, snake};
use types::Types;

/// A tool with the names its code uses.
pub struct ToolModel<'a> {
    pub def: &'a ManifestTool,
    /// The trait method.
    pub method: String,
    /// The arguments type.
    pub args: String,
    /// The result type, when the tool has an output schema.
    pub output: Option<String>,
}

pub struct PromptModel<'a> {
    pub def: &'a ManifestPrompt,
    pub method: String,
    /// The arguments struct and its fields (one per argument, in order), when it has arguments.
    pub args: Option<(String, Vec<String>)>,
}

pub struct ResourceModel<'a> {
    pub def: &'a ManifestResource,
    pub method: String,
}

pub struct TemplateModel<'a> {
    pub def: &'a ManifestTemplate,
    pub method: String,
    /// The variables struct and its fields (one per variable, in order), when it has variables.
    pub vars: Option<(String, Vec<String>)>,
}

/// Everything the manifest crate's files say, computed once.
pub struct Model<'a> {
    pub crate_name: String,
    /// What the server reports as its name.
    pub server_name: String,
    pub version: String,
    pub title: Option<String>,
    pub instructions: Option<String>,
    pub tools: Vec<ToolModel<'a>>,
    pub prompts: Vec<PromptModel<'a>>,
    pub resources: Vec<ResourceModel<'a>>,
    pub templates: Vec<TemplateModel<'a>>,
    pub types: Types,
    pub spec_name: String,
    pub spec_sha256: String,
    pub runtime: RuntimeDep,
}

impl<'a> Model<'a> {
    /// Names every method and type. Tool methods come first, so a tool keeps its method name
    /// whatever prompts or resources are added.
    pub fn new(m: &'a Manifest, settings: &Settings, spec_name: &str, spec_sha256: &str) -> Self {
        let stem = spec_name.rsplit_once('.').map_or(spec_name, |(stem, _)| stem);
        let crate_name = crate_name(settings.name.as_deref().or(m.name.as_deref()).unwrap_or(stem));
        let mut methods = Scope::default();
        let mut types = Types::default();
        let tools = m
            .tools
            .iter()
            .map(|t| {
                let base = pascal(&t.name, "Tool");
                let summary = docs::summary(t.description.as_deref());
                let args_doc = [format!("Arguments of the tool `{}`.", t.name)].into_iter().chain(summary).collect();
                let args = types.root(&t.input_schema, &format!("{base}Args"), args_doc, false);
                let output = t.output_schema.as_ref().map(|o| {
                    types.root(o, &format!("{base}Output"), vec![format!("What the tool `{}` returns.", t.name)], true)
                });
                ToolModel { def: t, method: methods.claim(&snake(&t.name, "tool"), &t.name), args, output }
            })
            .collect();
        let prompts = m
            .prompts
            .iter()
            .map(|p| {
                let method = methods.claim(&format!("prompt_{}", snake(&p.name, "prompt")), &p.name);
                let args = (!p.arguments.is_empty()).then(|| {
                    let fields: Vec<_> =
                        p.arguments.iter().map(|a| (a.name.as_str(), a.required, a.description.as_deref())).collect();
                    let doc = vec![format!("Arguments of the prompt `{}`.", docs::paragraphs(&p.name).join(" "))];
                    types.strings(&format!("{}PromptArgs", pascal(&p.name, "Prompt")), doc, &fields)
                });
                PromptModel { def: p, method, args }
            })
            .collect();
        let resources = m
            .resources
            .iter()
            .map(|r| ResourceModel {
                def: r,
                method: methods.claim(&format!("read_{}", snake(&r.name, "resource")), &r.uri),
            })
            .collect();
        let templates = m
            .resource_templates
            .iter()
            .map(|t| {
                let method = methods.claim(&format!("read_{}", snake(&t.name, "resource")), &t.uri_template);
                let vars = (!t.variables.is_empty()).then(|| {
                    let fields: Vec<_> = t.variables.iter().map(|v| (v.as_str(), true, None)).collect();
                    let doc = vec![format!(
                        "The variables of `{}`.",
                        docs::paragraphs(&t.uri_template).join(" ").replace('`', "'")
                    )];
                    types.strings(&format!("{}Vars", pascal(&t.name, "Resource")), doc, &fields)
                });
                TemplateModel { def: t, method, vars }
            })
            .collect();
        Model {
            server_name: m.name.clone().unwrap_or_else(|| crate_name.clone()),
            crate_name,
            version: m.version.clone().unwrap_or_else(|| "0.1.0".into()),
            title: m.title.clone(),
            instructions: m.instructions.clone(),
            tools,
            prompts,
            resources,
            templates,
            types,
            spec_name: spec_name.to_string(),
            spec_sha256: spec_sha256.to_string(),
            runtime: settings.runtime.clone(),
        }
    }
}

impl crate::emit::stamp::Header for Model<'_> {
    fn origin(&self) -> String {
        // The manifest's file name is shown escaped: it must not end the comment line.
        format!("the tool manifest {} (sha256 {})", self.spec_name.escape_debug(), self.spec_sha256)
    }

    fn user_file(&self) -> &'static str {
        "src/handlers.rs"
    }
}

/// Every file of the crate for a manifest.
pub fn emit(model: &Model) -> Result<Vec<OutputFile>, String> {
    let file = |path: &str, contents: String, owner| OutputFile { path: path.into(), contents, owner };
    Ok(vec![
        file("Cargo.toml", files::cargo_toml(model)?, Owner::Generated),
        file("README.md", files::readme(model)?, Owner::Generated),
        file(".gitignore", templates::gitignore()?, Owner::User),
        file("src/main.rs", model.rust_file(&rust(entry::main_rs())?), Owner::Generated),
        file("src/generated/mod.rs", model.rust_file(&rust(module::tokens(model))?), Owner::Generated),
        file("src/generated/types.rs", model.rust_file(&rust(model.types.tokens())?), Owner::Generated),
        file("src/handlers.rs", entry::handlers_rs(model)?, Owner::User),
    ])
}
