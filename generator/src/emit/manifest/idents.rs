//! Rust identifiers from manifest names (tool names, property names, enum values): ASCII only,
//! never a keyword, unique within their scope. A clash is settled with a suffix hashed from the
//! original name, so adding an entry never renames another one's identifier unless they clash.

use crate::emit::names::ascii_words;
use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;

/// Strict and reserved keywords of Rust 2024 (`gen` included).
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false", "fn",
    "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "Self",
    "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while", "abstract", "become",
    "box", "do", "final", "gen", "macro", "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// Keywords that cannot be raw identifiers either.
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super"];

/// `snake_case`, split at case changes too (`getHTTPResponse` -> `get_http_response`);
/// `fallback` when `text` has no ASCII letters or digits; a leading digit gets `fallback` in front.
pub fn snake(text: &str, fallback: &str) -> String {
    lead(ascii_words(text).to_snake_case(), fallback, "_")
}

/// `PascalCase`, with the same fallbacks as [`snake`].
pub fn pascal(text: &str, fallback: &str) -> String {
    lead(ascii_words(text).to_upper_camel_case(), fallback, "")
}

fn lead(s: String, fallback: &str, sep: &str) -> String {
    if s.is_empty() {
        fallback.to_string()
    } else if s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("{fallback}{sep}{s}")
    } else {
        s
    }
}

/// The identifier for `name` (already ASCII `[A-Za-z0-9_]`): raw for keywords (`r#type`),
/// with a trailing `_` for the keywords that cannot be raw.
pub fn ident(name: &str) -> TokenStream {
    if NOT_RAW.contains(&name) {
        let i = Ident::new(&format!("{name}_"), Span::call_site());
        quote!(#i)
    } else if KEYWORDS.contains(&name) {
        let i = Ident::new_raw(name, Span::call_site());
        quote!(#i)
    } else {
        let i = Ident::new(name, Span::call_site());
        quote!(#i)
    }
}

/// The name an [`ident`] reads as in source (for comments and messages).
pub fn source_name(name: &str) -> String {
    if NOT_RAW.contains(&name) {
        format!("{name}_")
    } else if KEYWORDS.contains(&name) {
        format!("r#{name}")
    } else {
        name.to_string()
    }
}

/// The names taken in one scope.
#[derive(Debug, Default)]
pub struct Scope {
    taken: BTreeSet<String>,
}

impl Scope {
    /// A scope where `reserved` names are already taken.
    pub fn with(reserved: &[&str]) -> Scope {
        Scope { taken: reserved.iter().map(|s| s.to_string()).collect() }
    }

    /// `base` if free, else `base` with a suffix hashed from `original` (then a counter, if even
    /// that is taken: two originals with the same hash prefix).
    pub fn claim(&mut self, base: &str, original: &str) -> String {
        let mut name = base.to_string();
        if self.taken.contains(&name) {
            let hash: String = Sha256::digest(original.as_bytes()).iter().take(3).map(|b| format!("{b:02x}")).collect();
            // `snake_case` names take `_1a2b3c`; `PascalCase` ones `H1a2b3c`, which stays one word.
            let hashed = if base.starts_with(|c: char| c.is_ascii_uppercase()) {
                format!("{base}H{hash}")
            } else {
                format!("{base}_{hash}")
            };
            name = hashed.clone();
            let mut n = 2;
            while self.taken.contains(&name) {
                name = format!("{hashed}_{n}");
                n += 1;
            }
        }
        self.taken.insert(name.clone());
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_identifiers() {
        assert_eq!(snake("getWeather", "tool"), "get_weather");
        assert_eq!(snake("get-HTTPResponse.v2", "tool"), "get_http_response_v2");
        assert_eq!(snake("日本", "tool"), "tool");
        assert_eq!(snake("3d", "field"), "field_3d");
        assert_eq!(pascal("search_notes", "T"), "SearchNotes");
        assert_eq!(pascal("9lives", "V"), "V9lives");
        assert_eq!(ident("type").to_string(), "r#type");
        assert_eq!(ident("self").to_string(), "self_");
        assert_eq!(ident("gen").to_string(), "r#gen");
        assert_eq!(source_name("match"), "r#match");
    }

    #[test]
    fn clashes_get_a_suffix_hashed_from_the_original() {
        let mut s = Scope::with(&["Value"]);
        assert_eq!(s.claim("get_x", "get_x"), "get_x");
        let other = s.claim("get_x", "get-x");
        assert!(other.starts_with("get_x_") && other.len() == "get_x_".len() + 6, "{other}");
        // The same clash gives the same name every time.
        assert_eq!(Scope::with(&["get_x"]).claim("get_x", "get-x"), other);
        assert!(s.claim("Value", "value").starts_with("ValueH"));
    }
}
