//! Names the generated crate uses: its package name and its environment variables.

use heck::ToShoutySnakeCase;

/// A valid Cargo package name from any text: lower case, `[a-z0-9-]`, starting with a letter,
/// never a name Cargo or Rust reserves.
pub fn crate_name(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut out = out.trim_matches('-').to_string();
    if out.is_empty() {
        out = "api".into();
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out = format!("api-{out}");
    }
    out.truncate(64);
    let out = out.trim_end_matches('-').to_string();
    const RESERVED: [&str; 12] = [
        "std",
        "core",
        "alloc",
        "test",
        "proc-macro",
        "self",
        "super",
        "crate",
        "build",
        "deps",
        "examples",
        "incremental",
    ];
    if RESERVED.contains(&out.as_str()) { format!("{out}-server") } else { out }
}

/// `SCREAMING_SNAKE` for environment variable names: `bearerAuth` -> `BEARER_AUTH`.
pub fn env_part(text: &str) -> String {
    let out = ascii_words(text).to_shouty_snake_case();
    if out.is_empty() { "X".into() } else { out }
}

/// `text` with everything but ASCII letters and digits made a word break, so the case
/// conversions below (heck's, which keep any Unicode letter) give ASCII identifiers only.
pub(crate) fn ascii_words(text: &str) -> String {
    text.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(crate_name("Swagger Petstore"), "swagger-petstore");
        assert_eq!(crate_name("123 API"), "api-123-api");
        assert_eq!(crate_name("日本"), "api");
        assert_eq!(crate_name("test"), "test-server");
        assert_eq!(env_part("bearerAuth"), "BEARER_AUTH");
        assert_eq!(env_part("api_key"), "API_KEY");
        assert_eq!(env_part("petstore-auth 2"), "PETSTORE_AUTH_2");
        assert_eq!(env_part("--"), "X");
    }
}
