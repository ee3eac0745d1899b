//! Tool names: `[A-Za-z0-9_-]`, at most 64 characters, unique across the API.
//!
//! Names are given over every operation before filtering, so `--tag` or `--path` never renames a
//! tool. A clash keeps the first name and gives later operations a suffix taken from a hash of
//! their method and path: stable when other operations come and go.

use crate::ir::Operation;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};

pub const MAX_LEN: usize = 64;

/// The name each operation gets, in order, plus a note for every clash that was resolved.
pub fn assign(ops: &[Operation], overrides: &BTreeMap<String, String>) -> (Vec<String>, Vec<(usize, String)>) {
    let mut taken = HashSet::new();
    let mut names = Vec::with_capacity(ops.len());
    let mut notes = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        let key = format!("{} {}", op.method.upper(), op.path);
        let wanted = op
            .operation_id
            .as_ref()
            .and_then(|id| overrides.get(id))
            .or_else(|| overrides.get(&key))
            .or(op.tool_name.as_ref())
            .cloned();
        let base = sanitize(&wanted.or_else(|| op.operation_id.clone()).unwrap_or_else(|| from_path(op)));
        let base = if base.is_empty() { sanitize(&from_path(op)) } else { base };
        let mut name = shorten(&base);
        if taken.contains(&name) {
            let hash = crate::load::hex(&Sha256::digest(key.as_bytes()));
            let stem = truncate(&base, MAX_LEN - 7);
            let mut candidate = format!("{stem}_{}", &hash[..6]);
            let mut n = 2;
            while taken.contains(&candidate) {
                candidate = format!("{}_{}_{n}", truncate(&base, MAX_LEN - 12), &hash[..6]);
                n += 1;
            }
            notes.push((
                i,
                format!("tool name `{name}` is taken by an earlier operation; this one is named `{candidate}`"),
            ));
            name = candidate;
        }
        taken.insert(name.clone());
        names.push(name);
    }
    (names, notes)
}

/// `GET /pets/{petId}` -> `get_pets_petId`; a key's fixed query counts, its variables do not:
/// `GET /{Bucket}?acl` -> `get_Bucket_acl`, `GET /export?filename={filename}` -> `get_export`.
fn from_path(op: &Operation) -> String {
    let mut s = op.method.as_str().to_string();
    for seg in op.url_path.split('/').filter(|s| !s.is_empty()) {
        s.push('_');
        s.push_str(seg.trim_matches(|c| c == '{' || c == '}'));
    }
    for (name, value) in &op.fixed_query {
        s.push('_');
        s.push_str(name);
        if let Some(v) = value {
            s.push('_');
            s.push_str(v);
        }
    }
    s
}

/// Replaces every character outside `[A-Za-z0-9_-]` with `_`, collapsing runs and trimming ends.
pub fn sanitize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let c = if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' };
        if c == '_' && out.ends_with('_') {
            continue;
        }
        out.push(c);
    }
    out.trim_matches('_').to_string()
}

/// `base` if it fits in [`MAX_LEN`]; else its head and tail around a hash of the whole name,
/// `{head}_{hash6}_{tail}` (the tail from a word's start). Cutting the tail off instead made long names that differ only at
/// the end clash (GitHub's `...-organization-definition` and `...-organization-definitions`:
/// 968 "is taken" renames in the corpus); the hash keeps them apart, depends on the name alone
/// (stable when other operations come and go), and the tail keeps the words that tell them apart.
fn shorten(base: &str) -> String {
    if base.chars().count() <= MAX_LEN {
        return base.to_string();
    }
    const TAIL: usize = 20;
    let hash = crate::load::hex(&Sha256::digest(base.as_bytes()));
    let chars: Vec<char> = base.chars().collect();
    let tail: String = chars[chars.len() - TAIL..].iter().collect();
    // From a word's start where the tail has one: `organization`, not `issions-organization`.
    let tail = match tail.find(['_', '-']) {
        Some(i) if i + 1 < tail.len() => &tail[i + 1..],
        _ => tail.as_str(),
    };
    let tail = tail.trim_start_matches(['_', '-']);
    let head = truncate(base, MAX_LEN - TAIL - 8);
    format!("{head}_{}_{tail}", &hash[..6])
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect::<String>().trim_end_matches('_').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizes_and_bounds() {
        assert_eq!(sanitize("list pets/by.tag!"), "list_pets_by_tag");
        assert_eq!(sanitize("日本"), "");
        assert_eq!(truncate(&"a".repeat(100), MAX_LEN).len(), 64);
    }

    #[test]
    fn long_names_keep_their_ends_and_differ_where_the_originals_do() {
        let one = "orgs_custom-properties-for-repos-create-or-update-organization-definition";
        let many = "orgs_custom-properties-for-repos-create-or-update-organization-definitions";
        let (a, b) = (shorten(one), shorten(many));
        assert!(a.len() <= MAX_LEN && b.len() <= MAX_LEN, "{a} {b}");
        assert_ne!(a, b);
        assert!(a.starts_with("orgs_custom-properties-for-r") && a.ends_with("_definition"), "{a}");
        assert!(b.ends_with("_definitions"), "{b}");
        assert_eq!(a, shorten(one), "deterministic");
        assert_eq!(shorten("short_name"), "short_name");
        assert_eq!(shorten(&"x".repeat(64)), "x".repeat(64));
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'), "{a}");
    }
}
