//! Choosing operations by tag, operationId (or tool name), path pattern and method.
//!
//! Within one kind any value may match; across kinds all must. `*` in a pattern matches any run
//! of characters, including `/`.

use crate::ir::{Method, Operation};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub tags: Vec<String>,
    /// operationIds or tool names, `*` allowed.
    pub operations: Vec<String>,
    /// Path templates such as `/pets/*`.
    pub paths: Vec<String>,
    pub methods: Vec<Method>,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        self.tags.is_empty() && self.operations.is_empty() && self.paths.is_empty() && self.methods.is_empty()
    }

    pub fn matches(&self, op: &Operation, tool_name: &str) -> bool {
        (self.tags.is_empty() || op.tags.iter().any(|t| self.tags.contains(t)))
            && (self.operations.is_empty()
                || self
                    .operations
                    .iter()
                    .any(|p| glob(p, tool_name) || op.operation_id.as_deref().is_some_and(|id| glob(p, id))))
            && (self.paths.is_empty() || self.paths.iter().any(|p| glob(p, &op.path)))
            && (self.methods.is_empty() || self.methods.contains(&op.method))
    }
}

/// `*` matches any run of characters; everything else matches itself.
pub fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn globs() {
        assert!(glob("/pets/*", "/pets/{id}"));
        assert!(glob("/pets*", "/pets"));
        assert!(!glob("/pets/*", "/pets"));
        assert!(glob("*Pet*", "listPets"));
        assert!(glob("a*b*c", "aXbYc"));
        assert!(!glob("a*b*c", "acb"));
        assert!(glob("exact", "exact"));
    }
}
