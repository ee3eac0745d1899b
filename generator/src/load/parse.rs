//! Text to `serde_json::Value`: JSON or YAML, with line and column on errors.

use super::LoadError;
use serde_json::{Map, Number, Value};

/// Parses JSON (when the text starts with `{` or `[`) or YAML. YAML mapping keys that are not
/// strings (`200:` in `responses`) become strings, tags are dropped, merge keys (`<<`) applied.
pub fn parse_text(text: &str, file: &str) -> Result<Value, LoadError> {
    let trimmed = text.trim_start_matches('\u{feff}');
    let first = trimmed.trim_start().chars().next();
    if matches!(first, Some('{') | Some('[')) {
        return serde_json::from_str(trimmed).map_err(|e| LoadError::Syntax {
            file: file.into(),
            line: e.line(),
            column: e.column(),
            message: format!("invalid JSON: {}", strip_position(&e.to_string())),
        });
    }
    check_flow_depth(trimmed, file)?;
    let mut yaml: yaml_serde::Value = yaml_serde::from_str(trimmed).map_err(|e| {
        let (line, column) = e.location().map(|l| (l.line(), l.column())).unwrap_or((0, 0));
        LoadError::Syntax {
            file: file.into(),
            line,
            column,
            message: format!("invalid YAML: {}", explain_yaml(&strip_position(&e.to_string()))),
        }
    })?;
    // Merge keys are optional YAML; a failure to apply them leaves the mapping as written.
    let _ = yaml.apply_merge();
    Ok(yaml_to_json(yaml))
}

/// Flow collections (`[...]`, `{...}`) nested deeper than this are refused before parsing: the
/// YAML parser's time grows with the square of their depth (20,000 levels, 40 KB of text, took
/// 36 s), and it refuses more than 128 levels anyway, once it gets there.
pub const MAX_FLOW_DEPTH: usize = 1000;

/// Finds flow nesting past [`MAX_FLOW_DEPTH`] with a quick scan that knows quotes and comments.
/// Outside a flow collection, `[` and `{` count only where a value starts (after `: `, `- `,
/// `? ` or at the start of a line), as in YAML; inside one they always do.
fn check_flow_depth(text: &str, file: &str) -> Result<(), LoadError> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut comment = false;
    // The last character that was not a space on this line ('\n' at its start), and whether
    // whitespace came after it.
    let (mut last, mut spaced) = ('\n', true);
    let (mut line, mut column) = (1usize, 0usize);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        column += 1;
        if c == '\n' {
            (line, column, last, spaced, comment) = (line + 1, 0, '\n', true, false);
            continue;
        }
        if comment {
            continue;
        }
        match quote {
            Some('"') if c == '\\' => {
                chars.next();
                column += 1;
                continue;
            }
            Some('\'') if c == '\'' && chars.peek() == Some(&'\'') => {
                chars.next();
                column += 1;
                continue;
            }
            Some(q) => {
                if c == q {
                    (quote, last, spaced) = (None, c, false);
                }
                continue;
            }
            None => {}
        }
        if c == ' ' || c == '\t' {
            spaced = true;
            continue;
        }
        let value_starts = (depth > 0 && matches!(last, '[' | '{' | ',' | '\n'))
            || (matches!(last, '\n' | ':' | '-' | '?') && spaced)
            || (depth > 0 && last == ':' && spaced);
        match c {
            '#' if spaced => comment = true,
            '"' | '\'' if value_starts => quote = Some(c),
            '[' | '{' if depth > 0 || value_starts => {
                depth += 1;
                if depth > MAX_FLOW_DEPTH {
                    return Err(LoadError::Syntax {
                        file: file.into(),
                        line,
                        column,
                        message: format!("invalid YAML: collections nested more than {MAX_FLOW_DEPTH} levels deep"),
                    });
                }
            }
            ']' | '}' if depth > 0 => depth -= 1,
            _ => {}
        }
        (last, spaced) = (c, false);
    }
    Ok(())
}

/// yaml_serde's limit on alias expansion names no place; say what it means.
fn explain_yaml(message: &str) -> String {
    if message.contains("repetition limit exceeded") {
        format!("{message}: its aliases (`*name`) expand to too many nodes (a \"billion laughs\" document)")
    } else {
        message.to_string()
    }
}

/// Drops the " at line L column C" tail that serde errors carry; we print the position first.
fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

fn yaml_to_json(v: yaml_serde::Value) -> Value {
    use yaml_serde::Value as Y;
    match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Number(i.into())
            } else if let Some(u) = n.as_u64() {
                Value::Number(u.into())
            } else {
                n.as_f64().and_then(Number::from_f64).map(Value::Number).unwrap_or_else(|| Value::String(n.to_string()))
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(yaml_to_json).collect()),
        Y::Mapping(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                out.insert(key_text(k), yaml_to_json(v));
            }
            Value::Object(out)
        }
        Y::Tagged(t) => yaml_to_json(t.value),
    }
}

fn key_text(k: yaml_serde::Value) -> String {
    use yaml_serde::Value as Y;
    match k {
        Y::String(s) => s,
        Y::Null => "null".into(),
        Y::Bool(b) => b.to_string(),
        Y::Number(n) => n.to_string(),
        other => serde_json::to_string(&yaml_to_json(other)).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_integer_keys_become_strings() {
        let v = parse_text("responses:\n  200:\n    description: ok\n", "t.yaml").unwrap();
        assert_eq!(v["responses"]["200"]["description"], "ok");
    }

    #[test]
    fn bad_yaml_names_line_and_column() {
        let err = parse_text("a: 1\nb: [1, 2\nc: 3\n", "t.yaml").unwrap_err().to_string();
        assert!(err.starts_with("t.yaml:"), "{err}");
        assert!(err.contains("invalid YAML"), "{err}");
        let LoadError::Syntax { line, .. } = parse_text("a: 1\nb: [1, 2\nc: 3\n", "t.yaml").unwrap_err() else {
            panic!()
        };
        assert!(line >= 2, "{line}");
    }

    #[test]
    fn bad_json_names_line_and_column() {
        let err = parse_text("{\n  \"a\": 1,\n  \"b\": }\n", "t.json").unwrap_err().to_string();
        assert!(err.starts_with("t.json:3:"), "{err}");
    }

    #[test]
    fn flow_nesting_past_the_limit_is_refused_before_parsing() {
        let deep = |n: usize| format!("a: 1\nb: {}{}\n", "[".repeat(n), "]".repeat(n));
        let err = parse_text(&deep(MAX_FLOW_DEPTH + 1), "t.yaml").unwrap_err().to_string();
        assert_eq!(
            err,
            format!("t.yaml:2:{}: invalid YAML: collections nested more than 1000 levels deep", MAX_FLOW_DEPTH + 4)
        );
        let mixed = format!("x: {}{}\n", "{a: [".repeat(600), "]}".repeat(600));
        assert!(parse_text(&mixed, "t.yaml").unwrap_err().to_string().contains("more than 1000 levels"));
        // Brackets that open no collection do not count: in quotes, comments, plain scalars.
        let text = format!(
            "a: \"{0}\"\nb: '{0}'' {0}'\nc: x{0}\n# {0}\nd: [\"{0}\", '{0}'] # {0}\ne: |\n  x {0}\n",
            "[{".repeat(MAX_FLOW_DEPTH)
        );
        let v = parse_text(&text, "t.yaml").unwrap();
        assert_eq!(v["d"][1].as_str().unwrap().len(), 2 * MAX_FLOW_DEPTH);
    }

    #[test]
    fn yaml_alias_bombs_are_refused() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for i in 0..12 {
            let prev = if i == 0 { "a".to_string() } else { format!("l{}", i - 1) };
            text.push_str(&format!(
                "l{i}: &l{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        assert!(parse_text(&text, "bomb.yaml").is_err());
    }
}
