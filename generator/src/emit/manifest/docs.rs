//! Manifest descriptions as doc comments. The text goes in as `#[doc = "..."]` literals (see
//! `literal::lit`), shaped so that the comment prettyplease prints is ASCII (non-ASCII as `\u{..}`
//! text: no invisible or bidirectional character reaches the source) and gives clippy nothing to
//! warn about (one line per paragraph: no lazy Markdown continuations, no indented code).

use crate::emit::literal::lit;
use proc_macro2::TokenStream;
use quote::quote;

/// The paragraphs of `text`, each on one line, whitespace collapsed, ASCII only.
pub fn paragraphs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Vec<String> = Vec::new();
    for line in text.lines() {
        let words: Vec<String> = line.split_whitespace().map(ascii).filter(|w| !w.is_empty()).collect();
        if words.is_empty() {
            if !current.is_empty() {
                out.push(current.join(" "));
                current.clear();
            }
        } else {
            current.extend(words);
        }
    }
    if !current.is_empty() {
        out.push(current.join(" "));
    }
    out
}

/// The first paragraph of `text`, or `None` when it has none.
pub fn summary(text: Option<&str>) -> Option<String> {
    text.and_then(|t| paragraphs(t).into_iter().next())
}

/// Printable ASCII kept; other characters written as `\u{..}`, control characters dropped.
fn ascii(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        match c {
            ' '..='~' => out.push(c),
            c if c.is_control() => {}
            c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        }
    }
    out
}

/// `#[doc]` attributes for `paragraphs`, a blank doc line between paragraphs.
pub fn attrs(paragraphs: &[String]) -> TokenStream {
    let mut lines = Vec::new();
    for (i, p) in paragraphs.iter().enumerate() {
        if i > 0 {
            lines.push(String::new());
        }
        lines.push(format!(" {p}"));
    }
    let lits = lines.iter().map(|l| lit(l));
    quote!(#(#[doc = #lits])*)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_become_ascii_paragraphs() {
        let p = paragraphs("Get the\n  weather\tnow.\n\n- in \u{202e}°C\n\n\n");
        assert_eq!(p, ["Get the weather now.", "- in \\u{202e}\\u{b0}C"]);
        assert_eq!(summary(Some("\n\nFirst\nline\n\nsecond")).as_deref(), Some("First line"));
        assert_eq!(summary(Some("  ")), None);
    }
}
