//! JSON pointers (`#/components/schemas/Pet`) and the dotted locations used in messages
//! (`paths./pets/{id}.get.parameters[2]`).

use serde_json::Value;

/// Splits a `$ref` into its file part (empty for a local ref) and its decoded pointer tokens.
pub fn split_ref(reference: &str) -> (&str, Option<Vec<String>>) {
    let (file, fragment) = match reference.split_once('#') {
        Some((f, frag)) => (f, frag),
        None => (reference, ""),
    };
    (file, parse_fragment(fragment))
}

/// Decodes a URI fragment holding a JSON pointer (`/a~1b/c%20d`) into tokens. `None` when the
/// fragment is not a pointer (a plain-name anchor).
pub fn parse_fragment(fragment: &str) -> Option<Vec<String>> {
    let decoded = percent_decode(fragment);
    if decoded.is_empty() {
        return Some(Vec::new());
    }
    let rest = decoded.strip_prefix('/')?;
    Some(rest.split('/').map(|t| t.replace("~1", "/").replace("~0", "~")).collect())
}

/// Follows `tokens` from `root`.
pub fn resolve<'a>(root: &'a Value, tokens: &[String]) -> Option<&'a Value> {
    let mut at = root;
    for t in tokens {
        at = match at {
            Value::Object(m) => m.get(t)?,
            Value::Array(a) => a.get(t.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(at)
}

/// Encodes tokens as a local `$ref` (`#/a/b~1c`).
pub fn to_ref(tokens: &[&str]) -> String {
    let mut s = String::from("#");
    for t in tokens {
        s.push('/');
        s.push_str(&t.replace('~', "~0").replace('/', "~1"));
    }
    s
}

/// `%XX` escapes decoded; invalid UTF-8 replaced, a `%` without two hex digits kept.
pub fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// A location inside the document for messages, built segment by segment:
/// `Loc::root().key("paths").key("/pets").key("get").index("parameters", 2)`
/// prints `paths./pets.get.parameters[2]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Loc(pub(crate) String);

impl Loc {
    pub fn root() -> Loc {
        Loc(String::new())
    }

    pub fn key(&self, k: &str) -> Loc {
        if self.0.is_empty() { Loc(k.to_string()) } else { Loc(format!("{}.{k}", self.0)) }
    }

    pub fn index(&self, k: &str, i: usize) -> Loc {
        let base = self.key(k);
        Loc(format!("{}[{i}]", base.0))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Loc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.is_empty() { f.write_str("(document root)") } else { f.write_str(&self.0) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pointers_decode_escapes() {
        let (file, tokens) = split_ref("other.yaml#/paths/~1pets~1%7Bid%7D/get");
        assert_eq!(file, "other.yaml");
        assert_eq!(tokens.unwrap(), ["paths", "/pets/{id}", "get"]);
        let doc = json!({"a": [{"b~c": 1}]});
        assert_eq!(resolve(&doc, &["a".into(), "0".into(), "b~c".into()]), Some(&json!(1)));
        assert_eq!(to_ref(&["a/b", "c~d"]), "#/a~1b/c~0d");
        assert!(split_ref("#anchor").1.is_none());
        assert_eq!(percent_decode("%"), "%");
        assert_eq!(percent_decode("%4"), "%4");
        assert_eq!(percent_decode("a%41"), "aA");
    }

    #[test]
    fn locations_print_like_the_document() {
        let l = Loc::root().key("paths").key("/pets/{id}").key("get").index("parameters", 2);
        assert_eq!(l.to_string(), "paths./pets/{id}.get.parameters[2]");
    }
}
