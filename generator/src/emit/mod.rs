//! Writing the generated crate: Rust through `quote!` -> `syn` -> `prettyplease`, everything
//! else through the minijinja templates in `templates/`. Pure: files come back as text, the
//! caller decides where they go. Same input, byte-identical output.

mod entry;
mod generated;
pub mod literal;
pub mod manifest;
mod model;
mod names;
mod templates;

pub use model::{Model, RuntimeDep, SchemeModel};
pub use names::{crate_name, env_part};

use proc_macro2::TokenStream;

/// Who owns a file of the generated crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// Rewritten by every generation.
    Generated,
    /// Created once, never overwritten: the user's to edit.
    User,
}

/// One file of the generated crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Relative to the crate root, with `/` separators.
    pub path: String,
    pub contents: String,
    pub owner: Owner,
}

/// Every file of the crate for `model`.
pub fn emit(model: &Model) -> Result<Vec<OutputFile>, String> {
    let file = |path: &str, contents: String, owner| OutputFile { path: path.into(), contents, owner };
    Ok(vec![
        file("Cargo.toml", templates::cargo_toml(model)?, Owner::Generated),
        file("README.md", templates::readme(model)?, Owner::Generated),
        file(".gitignore", templates::gitignore()?, Owner::User),
        file("src/main.rs", rust(&model.header("//"), entry::main_rs())?, Owner::Generated),
        file("src/generated/mod.rs", rust(&model.header("//"), generated::tokens(model))?, Owner::Generated),
        file("src/custom.rs", rust("", entry::custom_rs())?, Owner::User),
    ])
}

/// Formats `tokens` as a Rust file under `header`.
fn rust(header: &str, tokens: TokenStream) -> Result<String, String> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| format!("generated Rust does not parse: {e}"))?;
    let body = prettyplease::unparse(&file);
    Ok(if header.is_empty() { body } else { format!("{header}\n{body}") })
}
