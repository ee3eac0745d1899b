//! The variables of a resource URI template, with the rules the runtime serves them by
//! (`mcpgen_runtime`'s `UriTemplate::parse`): `{var}` and `{+var}` only, names of
//! `[A-Za-z0-9_.]`, never two variables side by side. Checked here so that a manifest the
//! generator accepts gives a server that starts.

/// The template's variables in order of first appearance, or what is wrong with it.
pub fn variables(template: &str) -> Result<Vec<String>, String> {
    let mut vars: Vec<String> = Vec::new();
    let mut rest = template;
    let mut previous_was_variable = false;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            previous_was_variable = false;
        }
        let close = rest[open..].find('}').ok_or("has an unclosed `{`")?;
        let expr = &rest[open + 1..open + close];
        let name = expr.strip_prefix('+').unwrap_or(expr);
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') {
            return Err(format!(
                "has the unsupported expression `{{{expr}}}` (only `{{var}}` and `{{+var}}` are served)"
            ));
        }
        if previous_was_variable {
            return Err("has two adjacent variables, which cannot be told apart".into());
        }
        previous_was_variable = true;
        if !vars.iter().any(|v| v == name) {
            vars.push(name.to_string());
        }
        rest = &rest[open + close + 1..];
    }
    Ok(vars)
}

#[cfg(test)]
mod tests {
    use super::variables;

    #[test]
    fn reads_the_variables_the_runtime_serves() {
        assert_eq!(variables("notes://{folder}/{+path}").unwrap(), ["folder", "path"]);
        assert_eq!(variables("docs://{id}/again/{id}").unwrap(), ["id"]);
        assert_eq!(variables("static://x").unwrap(), Vec::<String>::new());
        assert!(variables("x://{a}{b}").unwrap_err().contains("adjacent"));
        assert!(variables("x://{?q}").unwrap_err().contains("`{?q}`"));
        assert!(variables("x://{a").unwrap_err().contains("unclosed"));
    }
}
