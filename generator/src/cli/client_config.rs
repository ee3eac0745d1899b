//! MCP client configuration files (`{"mcpServers": {NAME: {command, args, env}}}`): one entry
//! merged in, everything else kept as it was — other entries, unknown keys, their order and text —
//! and the file replaced atomically. A file that is not JSON is refused, never overwritten.

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value;
use serde_json::value::RawValue;
use std::io::Write;
use std::path::Path;

/// What merging did to the entry's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Merge {
    Added,
    Replaced,
}

/// A document to write: parts kept verbatim, maps rebuilt in their original order, new values.
#[derive(Serialize)]
#[serde(untagged)]
enum Node {
    Kept(Box<RawValue>),
    Map(IndexMap<String, Node>),
    New(Value),
}

/// `{"mcpServers": {name: entry}}`, pretty, for printing.
pub(super) fn document(name: &str, entry: &Value) -> String {
    let doc = serde_json::json!({ "mcpServers": { name: entry } });
    serde_json::to_string_pretty(&doc).expect("JSON values serialize")
}

/// Merges `name: entry` into the config file at `path` (created when missing) and replaces the
/// file atomically, keeping its permissions.
pub(super) fn merge_into_file(path: &Path, name: &str, entry: &Value) -> Result<Merge, String> {
    let existing = match std::fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(format!("cannot read `{}`: {e}", path.display())),
    };
    let (text, merge) = merged(existing.as_deref(), name, entry).map_err(|e| format!("`{}` {e}", path.display()))?;
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
    let write_error = |e: std::io::Error| format!("cannot write `{}`: {e}", path.display());
    let mut file = tempfile::Builder::new().prefix(".mcpgen-").tempfile_in(dir).map_err(write_error)?;
    file.write_all(text.as_bytes()).map_err(write_error)?;
    file.write_all(b"\n").map_err(write_error)?;
    file.as_file().sync_all().map_err(write_error)?;
    if let Ok(meta) = std::fs::metadata(path) {
        file.as_file().set_permissions(meta.permissions()).map_err(write_error)?;
    }
    file.persist(path).map_err(|e| write_error(e.error))?;
    Ok(merge)
}

/// The text of `existing` (a config file, or nothing) with `name: entry` in its `mcpServers`.
/// Errors complete a sentence that starts with the file's name.
fn merged(existing: Option<&str>, name: &str, entry: &Value) -> Result<(String, Merge), String> {
    let text = existing.filter(|t| !t.trim().is_empty()).unwrap_or("{}");
    let refuse = "mcpgen will not overwrite it: fix it, or move it away and run again";
    match serde_json::from_str::<Value>(text) {
        Err(e) => return Err(format!("is not valid JSON ({e}); {refuse}")),
        Ok(v) if !v.is_object() => return Err(format!("is not a JSON object; {refuse}")),
        Ok(v) if v.get("mcpServers").is_some_and(|s| !s.is_object()) => {
            return Err(format!("has an `mcpServers` that is not an object; {refuse}"));
        }
        Ok(_) => {}
    }
    let parse = |t: &str| serde_json::from_str::<IndexMap<String, Box<RawValue>>>(t).map_err(|e| e.to_string());
    let mut top: IndexMap<String, Node> = parse(text)?.into_iter().map(|(k, v)| (k, Node::Kept(v))).collect();
    let mut servers: IndexMap<String, Node> = match top.get("mcpServers") {
        Some(Node::Kept(raw)) => parse(raw.get())?.into_iter().map(|(k, v)| (k, Node::Kept(v))).collect(),
        _ => IndexMap::new(),
    };
    let merge = if servers.insert(name.to_string(), Node::New(entry.clone())).is_some() {
        Merge::Replaced
    } else {
        Merge::Added
    };
    top.insert("mcpServers".to_string(), Node::Map(servers));
    let text = serde_json::to_string_pretty(&top).map_err(|e| e.to_string())?;
    Ok((text, merge))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keeps_other_entries_and_keys_in_their_order() {
        let existing = r#"{
  "theme": "dark",
  "mcpServers": {
    "other": {"command": "/bin/other", "args": ["--x"], "zeta": 1, "alpha": 2}
  },
  "after": [1, 2]
}"#;
        let entry = json!({"command": "/c/srv", "args": []});
        let (text, merge) = merged(Some(existing), "mine", &entry).unwrap();
        assert_eq!(merge, Merge::Added);
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["mcpServers"]["other"], json!({"command": "/bin/other", "args": ["--x"], "zeta": 1, "alpha": 2}));
        assert_eq!(v["mcpServers"]["mine"], entry);
        assert_eq!((&v["theme"], &v["after"]), (&json!("dark"), &json!([1, 2])));
        // Order and the other entry's own text survive.
        let at = |needle: &str| text.find(needle).unwrap_or_else(|| panic!("{needle} in {text}"));
        assert!(at("\"theme\"") < at("\"mcpServers\"") && at("\"mcpServers\"") < at("\"after\""), "{text}");
        assert!(at("\"other\"") < at("\"mine\""), "{text}");
        assert!(text.contains(r#"{"command": "/bin/other", "args": ["--x"], "zeta": 1, "alpha": 2}"#), "{text}");

        let (again, merge) = merged(Some(&text), "mine", &json!({"command": "/c/new"})).unwrap();
        assert_eq!(merge, Merge::Replaced);
        let v: Value = serde_json::from_str(&again).unwrap();
        assert_eq!(v["mcpServers"].as_object().unwrap().len(), 2);
        assert_eq!(v["mcpServers"]["mine"], json!({"command": "/c/new"}));
    }

    #[test]
    fn starts_new_files_and_refuses_what_is_not_a_config() {
        for empty in [None, Some(""), Some("  \n")] {
            let (text, _) = merged(empty, "s", &json!({"command": "c"})).unwrap();
            assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), json!({"mcpServers": {"s": {"command": "c"}}}));
        }
        let e = merged(Some("{\"mcpServers\": {,}"), "s", &json!({})).unwrap_err();
        assert!(e.starts_with("is not valid JSON (") && e.contains("line 1 column"), "{e}");
        assert!(e.contains("will not overwrite it"), "{e}");
        assert!(merged(Some("[1]"), "s", &json!({})).unwrap_err().starts_with("is not a JSON object"));
        assert!(merged(Some(r#"{"mcpServers": []}"#), "s", &json!({})).unwrap_err().contains("`mcpServers`"));
    }
}
