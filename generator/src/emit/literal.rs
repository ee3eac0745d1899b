//! The only way text from a spec enters generated Rust: as a string literal built here.
//!
//! Literals are plain ASCII: anything outside printable ASCII is written as an escape, so no
//! bidirectional-override or other invisible character can reach the source (rustc denies some
//! of them), and quotes, backslashes, `*/` or `"#` in the text stay inside the literal.

use proc_macro2::{Literal, TokenStream};
use quote::quote;
use serde_json::Value;
use std::str::FromStr;

/// A string literal for `s`: a raw string when that reads better (multi-line JSON, quotes),
/// otherwise an escaped one.
pub fn lit(s: &str) -> TokenStream {
    let plain = s.chars().all(|c| c == '\n' || (' '..='~').contains(&c));
    let text = if plain && (s.contains('"') || s.contains('\\') || s.contains('\n')) {
        let mut hashes = String::from("#");
        while s.contains(&format!("\"{hashes}")) {
            hashes.push('#');
        }
        format!("r{hashes}\"{s}\"{hashes}")
    } else {
        escaped(s)
    };
    match Literal::from_str(&text) {
        Ok(l) => quote!(#l),
        Err(_) => {
            let l = Literal::string(s);
            quote!(#l)
        }
    }
}

/// `Some("...")` or `None`.
pub fn opt_lit(s: Option<&str>) -> TokenStream {
    match s {
        Some(s) => {
            let l = lit(s);
            quote!(Some(#l))
        }
        None => quote!(None),
    }
}

fn escaped(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            ' '..='~' => out.push(c),
            other => out.push_str(&format!("\\u{{{:x}}}", other as u32)),
        }
    }
    out.push('"');
    out
}

/// JSON text with every non-ASCII character as a JSON `\u` escape, so it can sit in a raw string
/// literal and still mean exactly the same value. Compact, on one line: the runtime sends a
/// schema's text verbatim inside its `tools/list` answer, which is one line (STDIO frames by line);
/// pretty text cost GitHub's answer 0.8 MB of indentation and the runtime a pass turning its line
/// breaks into spaces (bench/results/2026-11-29-startup.md).
pub fn ascii_json(v: &Value) -> String {
    let text = serde_json::to_string(v).unwrap_or_else(|_| "null".into());
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0u16; 2];
            for unit in c.encode_utf16(&mut buf) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn roundtrip(s: &str) -> String {
        let tokens = lit(s);
        let parsed: syn::LitStr = syn::parse2(tokens).expect("a valid literal");
        parsed.value()
    }

    #[test]
    fn every_string_survives_as_a_literal() {
        for s in [
            "plain",
            "quote \" and backslash \\",
            "\"# ends a raw string",
            "\"## and \"### too",
            "*/ /* // comments",
            "line\nbreaks\r\nand\ttabs",
            "non-ASCII: ü 日本 🦀 \u{202e}bidi",
            "nul \0 and bell \u{7}",
            "",
        ] {
            assert_eq!(roundtrip(s), s);
            assert!(lit(s).to_string().is_ascii(), "{s:?}");
        }
    }

    #[test]
    fn json_text_is_ascii_and_equal() {
        let v = json!({"d": "日本 🦀 \u{202e}", "q": "\"#"});
        let text = ascii_json(&v);
        assert!(text.is_ascii());
        assert!(!text.contains('\n'), "one line: {text}");
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), v);
        assert_eq!(roundtrip(&text), text);
    }
}
