//! Following local `$ref`s to parameters, bodies, responses and path items (never schemas, which
//! stay references so that recursion stays finite).

use crate::load::Document;
use crate::load::pointer::{resolve, split_ref};
use serde_json::Value;

/// `v` itself, or what its `$ref` chain points to. The error names the reference and why it
/// cannot be followed (missing target, a reference loop, a file that could not be read).
pub fn resolve_ref<'a>(doc: &'a Document, v: &'a Value) -> Result<&'a Value, String> {
    let mut at = v;
    let mut seen: Vec<&str> = Vec::new();
    while let Some(r) = at.get("$ref").and_then(Value::as_str) {
        if seen.contains(&r) {
            return Err(format!("$ref `{r}` refers to itself through a loop"));
        }
        seen.push(r);
        if let Some(b) = doc.broken_refs.iter().find(|b| b.reference == r) {
            return Err(format!("unresolvable $ref `{r}`: {}", b.reason));
        }
        let (file, tokens) = split_ref(r);
        let target = match tokens {
            Some(t) if file.is_empty() => resolve(&doc.root, &t),
            _ => None,
        };
        at = target.ok_or_else(|| format!("unresolvable $ref `{r}`: no such location in the document"))?;
    }
    Ok(at)
}
