//! Tool names: `[A-Za-z0-9_-]`, at most a limit of characters (`--max-tool-name-length`,
//! [`DEFAULT_MAX_LEN`] by default, never more than [`MAX_LEN`]), unique across the API.
//!
//! Names are given over every operation before filtering, so `--tag` or `--path` never renames a
//! tool. A name longer than the limit is shortened readably ([`fit`]): words abbreviated first,
//! then vowels dropped from the longest words, and only then cut around a hash of the whole name;
//! a name that fits is never touched. A clash keeps the first name and gives later operations a
//! suffix taken from a hash of their method and path: stable when other operations come and go.

use crate::ir::Operation;
use heck::ToSnakeCase;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};

/// What MCP and the model APIs accept for a tool name.
pub const MAX_LEN: usize = 64;

/// The default limit. Clients put a prefix before a tool's name when they hand it to the model,
/// and the model APIs refuse names past 64 characters: Claude Code sends `mcp__<server>__<tool>`,
/// 7 characters plus the server's name. 48 leaves 16: `mcp__` + a server name of up to 9
/// characters (`github`, `stripe`, `petstore`) + `__`; Cursor's 60-character budget for server
/// and tool name together leaves 12 for the server. Over the corpus sample it shortens about one
/// name in thirteen (214 of 2,855 were longer), where 40 would shorten about one in four.
pub const DEFAULT_MAX_LEN: usize = 48;

/// The smallest limit accepted: room for a word, a 6-character hash and a clash suffix.
pub const MIN_LEN: usize = 16;

/// The name each operation gets, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assigned {
    pub names: Vec<String>,
    /// The name an operation would have had without the limit, where it was shortened.
    pub shortened_from: Vec<Option<String>>,
    /// A note for every clash that was resolved and every chosen name (`--rename`, `x-mcpgen-name`,
    /// `x-mcp`) that was shortened, by operation index.
    pub notes: Vec<(usize, String)>,
}

/// Names every operation within `max_len` characters (clamped to `MIN_LEN..=MAX_LEN`).
pub fn assign(ops: &[Operation], overrides: &BTreeMap<String, String>, max_len: usize) -> Assigned {
    let max = max_len.clamp(MIN_LEN, MAX_LEN);
    let mut taken = HashSet::new();
    let mut out = Assigned::default();
    for (i, op) in ops.iter().enumerate() {
        let key = format!("{} {}", op.method.upper(), op.path);
        let wanted = op
            .operation_id
            .as_ref()
            .and_then(|id| overrides.get(id))
            .or_else(|| overrides.get(&key))
            .or(op.tool_name.as_ref())
            .cloned();
        let chosen = wanted.is_some();
        let base = sanitize(&wanted.or_else(|| op.operation_id.clone()).unwrap_or_else(|| from_path(op)));
        let base = if base.is_empty() { sanitize(&from_path(op)) } else { base };
        let mut name = fit(&base, max);
        let mut shortened = name != base;
        if shortened && chosen {
            // A name someone chose is not changed without saying so.
            out.notes.push((
                i,
                format!("the chosen tool name `{base}` is longer than {max} characters; it is shortened to `{name}` (--max-tool-name-length)"),
            ));
        }
        if taken.contains(&name) {
            let hash = crate::load::hex(&Sha256::digest(key.as_bytes()));
            let mut n = 1;
            let (mut candidate, mut cut) = clash_name(&base, &hash[..6], n, max);
            while taken.contains(&candidate) {
                n += 1;
                (candidate, cut) = clash_name(&base, &hash[..6], n, max);
            }
            shortened = cut;
            out.notes.push((
                i,
                format!("tool name `{name}` is taken by an earlier operation; this one is named `{candidate}`"),
            ));
            name = candidate;
        }
        taken.insert(name.clone());
        out.shortened_from.push(shortened.then_some(base));
        out.names.push(name);
    }
    out
}

/// `{base}_{hash}` for the first clash, `{base}_{hash}_{n}` after, `base` shortened so the whole
/// fits in `max`; and whether `base` had to be shortened.
fn clash_name(base: &str, hash: &str, n: usize, max: usize) -> (String, bool) {
    let suffix = if n == 1 { format!("_{hash}") } else { format!("_{hash}_{n}") };
    let room = max.saturating_sub(suffix.len()).max(1);
    let stem = fit(base, room);
    // `fit` keeps to `room` already; cutting again only guards the bound.
    let stem = truncate(&stem, room);
    let cut = stem != base;
    (format!("{stem}{suffix}"), cut)
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

/// `base` if it fits in `max` characters; else a shorter name that still reads: first the words
/// with a common abbreviation take it (`repository` -> `repo`, `organizations` -> `orgs`), longest
/// saving first; then the longest remaining words lose their inner vowels (`enterprise` ->
/// `entrprs`); only if that is not enough is the name cut to `{head}_{hash6}_{tail}` (the tail
/// from a word's start), the hash taken from the whole original name. Each step stops as soon as
/// the name fits, so a name is changed no more than it must be. Cutting the tail off instead
/// made long names that differ only at the end clash (GitHub's `...-organization-definition` and
/// `...-organization-definitions`); the hash keeps them apart, depends on the name alone (stable
/// when other operations come and go), and the tail keeps the words that tell them apart.
/// Deterministic: the same name and limit always give the same result.
pub fn fit(base: &str, max: usize) -> String {
    if base.chars().count() <= max {
        return base.to_string();
    }
    let mut parts = split(base);
    let len = |parts: &[Part]| parts.iter().map(|p| p.text.chars().count()).sum::<usize>();
    let join = |parts: &[Part]| parts.iter().map(|p| p.text.as_str()).collect::<String>();

    // 1. Common abbreviations, the largest saving first.
    let mut abbreviations: Vec<(usize, usize, String)> = parts
        .iter()
        .enumerate()
        .filter(|(_, p)| p.word)
        .filter_map(|(i, p)| {
            abbreviate(&p.text).filter(|a| a.len() < p.text.len()).map(|a| (p.text.len() - a.len(), i, a))
        })
        .collect();
    abbreviations.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i, short) in abbreviations {
        parts[i].text = short;
        parts[i].word = false;
        if len(&parts) <= max {
            return join(&parts);
        }
    }

    // 2. Inner vowels dropped from the longest words left (of six letters or more: `admin`
    // stays), later words before earlier ones of the same length, and the first word (GitHub's
    // `actions_`, a verb) last: the start of a name is what tells a reader what it is.
    let abbreviated = join(&parts);
    let mut long_words: Vec<(bool, usize, usize)> = parts
        .iter()
        .enumerate()
        .filter(|(_, p)| p.word && p.text.len() >= 6 && p.text.chars().all(|c| c.is_ascii_alphabetic()))
        .map(|(i, p)| (i == 0, p.text.len(), i))
        .collect();
    long_words.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(b.2.cmp(&a.2)));
    for (_, _, i) in long_words {
        let text = &parts[i].text;
        let mut short: String = text.chars().take(1).collect();
        short.extend(text.chars().skip(1).filter(|c| !"aeiouAEIOU".contains(*c)));
        if short.len() >= 3 && short.len() < text.len() {
            parts[i].text = short;
            if len(&parts) <= max {
                return join(&parts);
            }
        }
    }

    // 3. Cut around a hash of the original name, from the name with its words still whole (a
    // name cut anyway reads better with fewer, whole words than with more, vowelless ones).
    let compressed = abbreviated;
    let hash = crate::load::hex(&Sha256::digest(base.as_bytes()));
    let chars: Vec<char> = compressed.chars().collect();
    // Below 20 characters a tail would leave the head nothing; the hash alone tells names apart.
    let tail_room = if max >= 20 { (max / 3).min(chars.len()) } else { 0 };
    let tail = &chars[chars.len() - tail_room..];
    // From a word's start where the tail has one: `organization`, not `ization`.
    let start = (1..tail.len())
        .find(|&k| is_separator(tail[k - 1]) || (tail[k].is_ascii_uppercase() && tail[k - 1].is_ascii_lowercase()))
        .unwrap_or(0);
    let tail: String = tail[start..].iter().collect();
    let tail = tail.trim_start_matches(is_separator);
    if tail.is_empty() {
        if max < 8 {
            return hash[..max].to_string();
        }
        return format!("{}_{}", truncate_at_word(&compressed, max - 7), &hash[..6]);
    }
    let head = truncate_at_word(&compressed, max - tail.len() - 8);
    format!("{head}_{}_{tail}", &hash[..6])
}

/// A piece of a name: a word that may still be shortened, or anything else (a separator, a
/// word already abbreviated).
struct Part {
    text: String,
    word: bool,
}

fn is_separator(c: char) -> bool {
    c == '_' || c == '-'
}

/// `repos_listForAuthenticatedUser` -> `repos`, `_`, `list`, `For`, `Authenticated`, `User`: the
/// words as `heck` finds them, each keeping its own case.
fn split(name: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut chunk = String::new();
    for c in name.chars().chain(std::iter::once('_')) {
        if !is_separator(c) {
            chunk.push(c);
            continue;
        }
        if !chunk.is_empty() {
            parts.extend(words(&chunk).into_iter().map(|w| Part { text: w.to_string(), word: true }));
            chunk.clear();
        }
        parts.push(Part { text: c.to_string(), word: false });
    }
    parts.pop(); // the `_` added at the end
    parts
}

/// The words of a run of letters and digits, as `heck` splits them (`listHTTPServers` ->
/// `list`, `HTTP`, `Servers`), sliced from the run itself so each keeps its case.
fn words(chunk: &str) -> Vec<&str> {
    let lower = chunk.to_snake_case();
    let lengths: Vec<usize> = lower.split('_').filter(|w| !w.is_empty()).map(str::len).collect();
    if lengths.iter().sum::<usize>() != chunk.len() || lower.replace('_', "") != chunk.to_ascii_lowercase() {
        return vec![chunk];
    }
    let mut out = Vec::with_capacity(lengths.len());
    let mut at = 0;
    for n in lengths {
        out.push(&chunk[at..at + n]);
        at += n;
    }
    out
}

/// Words API names repeat, and the short forms developers already read them as.
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("account", "acct"),
    ("address", "addr"),
    ("administration", "admin"),
    ("administrator", "admin"),
    ("application", "app"),
    ("attachment", "attach"),
    ("attribute", "attr"),
    ("authenticated", "auth"),
    ("authentication", "authn"),
    ("authorization", "authz"),
    ("available", "avail"),
    ("certificate", "cert"),
    ("collaborator", "collab"),
    ("configuration", "config"),
    ("connection", "conn"),
    ("database", "db"),
    ("definition", "def"),
    ("dependency", "dep"),
    ("deployment", "deploy"),
    ("description", "desc"),
    ("destination", "dest"),
    ("development", "dev"),
    ("directory", "dir"),
    ("document", "doc"),
    ("environment", "env"),
    ("identifier", "id"),
    ("information", "info"),
    ("installation", "install"),
    ("integration", "integ"),
    ("management", "mgmt"),
    ("maximum", "max"),
    ("message", "msg"),
    ("minimum", "min"),
    ("notification", "notif"),
    ("number", "num"),
    ("operation", "op"),
    ("organization", "org"),
    ("package", "pkg"),
    ("parameter", "param"),
    ("permission", "perm"),
    ("previous", "prev"),
    ("property", "prop"),
    ("reference", "ref"),
    ("repository", "repo"),
    ("request", "req"),
    ("response", "resp"),
    ("specification", "spec"),
    ("statistic", "stat"),
    ("statistics", "stats"),
    ("subscription", "sub"),
    ("synchronization", "sync"),
    ("synchronize", "sync"),
    ("template", "tmpl"),
    ("temporary", "temp"),
    ("transaction", "txn"),
    ("variable", "var"),
    ("version", "ver"),
    ("vulnerability", "vuln"),
];

/// `word`'s abbreviation in its own case (`Repositories` -> `Repos`, `ORG` for `ORGANIZATION`),
/// plurals (`-s`, `-ies`) included; `None` for a word without one.
fn abbreviate(word: &str) -> Option<String> {
    let lower = word.to_ascii_lowercase();
    let look = |w: &str| ABBREVIATIONS.iter().find(|(long, _)| *long == w).map(|(_, short)| short.to_string());
    let short = look(&lower)
        .or_else(|| lower.strip_suffix("ies").and_then(|stem| look(&format!("{stem}y"))).map(|s| format!("{s}s")))
        .or_else(|| lower.strip_suffix('s').and_then(look).map(|s| format!("{s}s")))?;
    let mut chars = word.chars();
    let first_upper = chars.next().is_some_and(|c| c.is_ascii_uppercase());
    Some(if word.len() > 1 && word.chars().all(|c| c.is_ascii_uppercase()) {
        short.to_ascii_uppercase()
    } else if first_upper {
        let mut s = short;
        s[..1].make_ascii_uppercase();
        s
    } else {
        short
    })
}

/// [`truncate`], cut back to the last separator when that keeps at least half of `max`: no word
/// cut in two (`...-to-self` rather than `...-to-sel`).
fn truncate_at_word(s: &str, max: usize) -> String {
    let head = truncate(s, max);
    let whole_word = s.chars().nth(head.chars().count()).is_none_or(is_separator);
    match head.rfind(is_separator) {
        Some(i) if !whole_word && i >= max / 2 => head[..i].trim_end_matches(is_separator).to_string(),
        _ => head,
    }
}

/// The first `max` characters of `s`, without a separator at the end.
fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect::<String>().trim_end_matches(is_separator).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The operations of a description with these `(method, path, operationId)`, as `ir` reads them.
    fn operations(ops: &[(&str, &str, Option<&str>)]) -> Vec<Operation> {
        let mut paths = serde_json::Map::new();
        for (method, path, id) in ops {
            let mut op = serde_json::json!({"responses": {"200": {"description": "ok"}}});
            if let Some(id) = id {
                op["operationId"] = (*id).into();
            }
            let item = paths.entry(path.to_string()).or_insert_with(|| serde_json::json!({}));
            item[*method] = op;
        }
        let doc = serde_json::json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths});
        let text = doc.to_string();
        let source = crate::load::Source::Text { name: "t.json".into(), text, base_dir: None };
        crate::ir::analyze(&crate::load::load(&source).unwrap()).operations
    }

    #[test]
    fn sanitizes_and_bounds() {
        assert_eq!(sanitize("list pets/by.tag!"), "list_pets_by_tag");
        assert_eq!(sanitize("日本"), "");
        assert_eq!(truncate(&"a".repeat(100), MAX_LEN).len(), 64);
    }

    #[test]
    fn names_that_fit_are_never_touched() {
        for max in [MIN_LEN, DEFAULT_MAX_LEN, MAX_LEN] {
            for name in ["short_name", "listRepositoriesForOrganization", &"x".repeat(max)] {
                if name.len() <= max {
                    assert_eq!(fit(name, max), name);
                }
            }
        }
    }

    #[test]
    fn abbreviations_come_first_and_keep_the_words_case() {
        // GitHub's operationIds, sanitized, at the default limit.
        assert_eq!(
            fit("repos_list-for-authenticated-user-and-organization-repositories", 48),
            "repos_list-for-auth-user-and-org-repositories"
        );
        assert_eq!(fit("listRepositoriesForAuthenticatedUserInOrganization", 40), "listRepositoriesForAuthUserInOrg");
        assert_eq!(
            fit("LIST_ORGANIZATION_REPOSITORIES_FOR_AUTHENTICATED_USERS", 40),
            "LIST_ORG_REPOSITORIES_FOR_AUTH_USERS"
        );
        // Only as much as needed: `organization` saves enough alone.
        let one = "orgs_custom-properties-for-repos-create-or-update-organization-definition";
        assert_eq!(fit(one, 64), "orgs_custom-properties-for-repos-create-or-update-org-definition");
    }

    #[test]
    fn vowels_go_before_anything_is_cut() {
        // No word here has an abbreviation; the longest loses its vowels, and that is enough.
        assert_eq!(
            fit("enterprise-admin_list-provisioned-groups-enterprise", 48),
            "enterprise-admin_list-prvsnd-groups-enterprise"
        );
        // Five-letter words keep theirs; when dropping vowels is not enough, the name is cut, from
        // its whole words and at a word's end.
        let name = "enterprise-admin_provision-enterprise-groups-with-scim-extension";
        let short = fit(name, 48);
        let hash = &crate::load::hex(&Sha256::digest(name.as_bytes()))[..6];
        assert_eq!(short, format!("enterprise-admin_provision_{hash}_scim-extension"));
    }

    #[test]
    fn cuts_last_with_a_hash_and_the_tail_kept() {
        let one = "orgs_custom-properties-for-repos-create-or-update-organization-definition";
        let many = "orgs_custom-properties-for-repos-create-or-update-organization-definitions";
        for max in [MIN_LEN, 24, 32, DEFAULT_MAX_LEN] {
            let (a, b) = (fit(one, max), fit(many, max));
            assert!(a.len() <= max && b.len() <= max, "{max}: {a} {b}");
            assert_ne!(a, b, "{max}");
            assert_eq!(a, fit(one, max), "deterministic");
            assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'), "{a}");
            assert!(!a.starts_with(['_', '-']) && !a.ends_with(['_', '-']), "{a}");
        }
        let (a, b) = (fit(one, 32), fit(many, 32));
        assert!(a.starts_with("orgs_custom-props_") && a.ends_with("_org-def"), "{a}");
        assert!(b.ends_with("-defs"), "{b}");
    }

    #[test]
    fn never_lengthens_and_always_fits() {
        let names = [
            "a".repeat(200),
            "x_".repeat(60),
            "averyveryverylongwordwithoutanyseparatorsatallthatgoesonandon".to_string(),
            "getV2ApiOrganizationsOrganizationIdRepositoriesRepositoryIdDeploymentsStatistics".to_string(),
            "-_-_-_-abc".repeat(12),
        ];
        for name in &names {
            let name = sanitize(name);
            for max in MIN_LEN..=MAX_LEN {
                let short = fit(&name, max);
                assert!(short.len() <= max && short.len() <= name.len(), "{max}: {short}");
                assert!(!short.is_empty());
            }
        }
    }

    #[test]
    fn clashes_resolved_within_the_limit_and_shortened_names_recorded() {
        let long = "repos_create-or-update-environment-deployment-protection-rule-for-organization";
        let ops = operations(&[
            ("get", "/a", Some(long)),
            ("post", "/a", Some(long)),
            ("put", "/a", Some(long)),
            ("get", "/b", Some("short")),
            ("get", "/c", Some("short")),
        ]);
        assert_eq!(ops.len(), 5);
        for max in [MIN_LEN, 20, DEFAULT_MAX_LEN, MAX_LEN] {
            let a = assign(&ops, &BTreeMap::new(), max);
            let unique: HashSet<&String> = a.names.iter().collect();
            assert_eq!(unique.len(), ops.len(), "{:?}", a.names);
            assert!(a.names.iter().all(|n| n.len() <= max), "{max}: {:?}", a.names);
            assert_eq!(a.notes.len(), 3, "{:?}", a.notes);
            assert!(a.shortened_from[..3].iter().all(|s| s.as_deref() == Some(long)), "{max}");
            assert_eq!(a.shortened_from[3], None);
            assert_eq!(a.names[3], "short");
            assert_eq!(a.names, assign(&ops, &BTreeMap::new(), max).names, "deterministic");
        }
        // A name someone chose is shortened too, with a note saying so.
        let renames = BTreeMap::from([("short".to_string(), long.to_string())]);
        let a = assign(&ops[3..4], &renames, DEFAULT_MAX_LEN);
        assert!(a.names[0].len() <= DEFAULT_MAX_LEN && a.shortened_from[0].as_deref() == Some(long));
        assert!(a.notes[0].1.contains("is longer than 48 characters"), "{:?}", a.notes);
        // Out-of-range limits are clamped, never a panic.
        assert!(assign(&ops, &BTreeMap::new(), 0).names.iter().all(|n| n.len() <= MIN_LEN));
        assert!(assign(&ops, &BTreeMap::new(), 1000).names.iter().all(|n| n.len() <= MAX_LEN));
    }
}
