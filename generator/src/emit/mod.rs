//! Writing the generated crate: Rust through `quote!` -> `syn` -> `prettyplease`, everything
//! else through the minijinja templates in `templates/`. Pure: files come back as text, the
//! caller decides where they go. Same input, byte-identical output.

mod entry;
mod generated;
pub mod literal;
pub mod manifest;
mod model;
mod names;
pub mod stamp;
mod templates;
mod tool_table;

pub use model::{Model, RuntimeDep, SchemeModel};
pub use names::{crate_name, env_part};

use proc_macro2::TokenStream;
use stamp::Header;

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
        file("src/main.rs", generated_rust(model, entry::main_rs(!model.server.is_empty()))?, Owner::Generated),
        file("src/generated/mod.rs", model.rust_file_from(tool_table::module_text(model, true)?), Owner::Generated),
        file("src/custom.rs", rust(entry::custom_rs())?, Owner::User),
    ])
}

/// The API and its tools as one file for `include!` (from `build.rs`, into `OUT_DIR`): the items
/// of `src/generated/mod.rs` without its inner doc comment, which `include!` cannot take.
pub fn included_module(model: &Model) -> Result<String, String> {
    Ok(model.rust_file_from(tool_table::module_text(model, false)?))
}

/// Formats `tokens` as a generated Rust file: the header, a blank line, the code.
fn generated_rust(model: &Model, tokens: TokenStream) -> Result<String, String> {
    Ok(model.rust_file(&rust(tokens)?))
}

/// Formats `tokens` as a Rust file.
fn rust(tokens: TokenStream) -> Result<String, String> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| format!("generated Rust does not parse: {e}"))?;
    Ok(prettyplease::unparse(&file))
}
