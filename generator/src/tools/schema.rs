//! Making schemas self-contained: every `$ref` into the document becomes `#/$defs/<Name>` with the
//! target copied into the tool's own `$defs`, transitively and recursion-safe (a target is named
//! before it is copied, so a cycle refers back to an existing name).
//!
//! Targets are pulled in breadth first, at most [`MAX_DEFS`] per schema: in a large API where every
//! schema reaches every other, a reference past the budget becomes a permissive schema with a
//! `$comment`. The schema then promises less, never something false, and stays small.

use crate::load::Document;
use crate::load::pointer::{resolve, split_ref};
use crate::load::schema::normalize;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, VecDeque};

/// The most definitions one tool schema carries.
pub const MAX_DEFS: usize = 16;

const ONE: [&str; 11] = [
    "additionalProperties",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedProperties",
    "unevaluatedItems",
    "contentSchema",
    "items",
];
const MANY: [&str; 4] = ["allOf", "anyOf", "oneOf", "prefixItems"];
const MAP: [&str; 3] = ["properties", "patternProperties", "dependentSchemas"];

/// Collects the `$defs` of one tool schema.
pub struct Defs<'a> {
    doc: &'a Document,
    names: BTreeMap<String, String>,
    defs: BTreeMap<String, Value>,
}

impl<'a> Defs<'a> {
    pub fn new(doc: &'a Document) -> Self {
        Defs { doc, names: BTreeMap::new(), defs: BTreeMap::new() }
    }

    /// `schema` with its references pointed at `#/$defs/...`, their targets pulled in.
    pub fn localize(&mut self, schema: &Value) -> Result<Value, String> {
        let mut pending = VecDeque::new();
        let out = self.rewrite(schema, &mut pending)?;
        while let Some((name, target)) = pending.pop_front() {
            let localized = self.rewrite(&target, &mut pending)?;
            self.defs.insert(name, localized);
        }
        Ok(out)
    }

    /// Like [`Defs::localize`] for several schemas sharing these `$defs`, e.g. a tool's
    /// arguments: the references each schema makes itself are named before any target is
    /// followed, so the budget goes first to what the schemas name directly and a deep first
    /// argument cannot leave a later one without its definition. Errors say `what` failed.
    pub fn localize_all(&mut self, schemas: &[(String, Value)]) -> Result<Vec<Value>, String> {
        let mut pending = VecDeque::new();
        let mut out = Vec::with_capacity(schemas.len());
        for (what, schema) in schemas {
            out.push(self.rewrite(schema, &mut pending).map_err(|e| format!("{what}: {e}"))?);
        }
        while let Some((name, target)) = pending.pop_front() {
            let localized = self.rewrite(&target, &mut pending).map_err(|e| format!("definition `{name}`: {e}"))?;
            self.defs.insert(name, localized);
        }
        Ok(out)
    }

    /// The `$defs` object, if any reference was followed.
    pub fn finish(self) -> Option<Value> {
        (!self.defs.is_empty()).then(|| Value::Object(self.defs.into_iter().collect()))
    }

    /// Follows a schema's top-level `$ref` chain (for deciding its shape), normalized.
    /// Sibling `description`s of a reference are kept.
    pub fn deref_top(&self, schema: &Value) -> Result<Value, String> {
        let mut at = normalize(schema);
        let mut description = at.get("description").cloned();
        for _ in 0..32 {
            let Some(r) = at.get("$ref").and_then(Value::as_str).map(str::to_string) else {
                if let (Some(d), Value::Object(m)) = (description, &mut at) {
                    m.insert("description".into(), d);
                }
                return Ok(at);
            };
            at = normalize(self.target(&r)?);
            if description.is_none() {
                description = at.get("description").cloned();
            }
        }
        Err("a chain of more than 32 schema $refs (or a $ref loop)".into())
    }

    fn target(&self, r: &str) -> Result<&'a Value, String> {
        if let Some(b) = self.doc.broken_refs.iter().find(|b| b.reference == r) {
            return Err(format!("unresolvable $ref `{r}`: {}", b.reason));
        }
        let (file, tokens) = split_ref(r);
        match tokens {
            Some(t) if file.is_empty() => resolve(&self.doc.root, &t)
                .ok_or_else(|| format!("unresolvable $ref `{r}`: no such location in the document")),
            _ => Err(format!("unresolvable $ref `{r}`: only JSON-pointer references are supported")),
        }
    }

    fn def_name(&mut self, r: &str, pending: &mut VecDeque<(String, Value)>) -> Result<Option<String>, String> {
        if let Some(n) = self.names.get(r) {
            return Ok(Some(n.clone()));
        }
        if self.names.len() >= MAX_DEFS {
            return Ok(None);
        }
        let target = self.target(r)?;
        let last = r.rsplit('/').next().unwrap_or("");
        let last = crate::load::pointer::parse_fragment(&format!("/{last}"))
            .and_then(|t| t.into_iter().next())
            .unwrap_or_default();
        let base: String = last
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.' { c } else { '_' })
            .collect();
        let base = if base.is_empty() { "Schema".to_string() } else { base };
        let taken = |n: &str| self.names.values().any(|v| v == n);
        let name =
            if taken(&base) { (2..).map(|i| format!("{base}_{i}")).find(|n| !taken(n)).unwrap_or(base) } else { base };
        self.names.insert(r.to_string(), name.clone());
        let mut copy = normalize(target);
        if let Value::Object(m) = &mut copy {
            for k in ["$id", "$schema", "$anchor", "$dynamicAnchor", "$comment"] {
                m.remove(k);
            }
        }
        pending.push_back((name.clone(), copy));
        Ok(Some(name))
    }

    fn rewrite(&mut self, schema: &Value, pending: &mut VecDeque<(String, Value)>) -> Result<Value, String> {
        let Value::Object(src) = schema else { return Ok(schema.clone()) };
        let mut out = Map::new();
        for (k, v) in src {
            let new = if k == "$ref" {
                match v.as_str() {
                    Some(r) => match self.def_name(r, pending)? {
                        Some(name) => json!(format!("#/$defs/{name}")),
                        None => {
                            out.insert(
                                "$comment".into(),
                                json!(format!("mcpgen: `{r}` left out to keep this schema small")),
                            );
                            continue;
                        }
                    },
                    None => continue,
                }
            } else if k == "discriminator" {
                // OpenAPI's `mapping` names schemas by their place in the document: outside this
                // schema, so dangling here, and in a large API (Microsoft Graph's `entity` maps
                // 1,500 subtypes, 69 KB) most of every schema's size. JSON Schema ignores the
                // keyword; `oneOf`/`anyOf` say the alternatives. `propertyName` stays.
                match v {
                    Value::Object(d) => Value::Object(
                        d.iter().filter(|(dk, _)| *dk != "mapping").map(|(dk, dv)| (dk.clone(), dv.clone())).collect(),
                    ),
                    _ => v.clone(),
                }
            } else if k == "$defs" || k == "$id" || k == "$schema" || k == "$dynamicRef" {
                // Nested $defs are reached through the document instead; ids would move the base URI.
                continue;
            } else if ONE.contains(&k.as_str()) {
                self.rewrite(v, pending)?
            } else if MANY.contains(&k.as_str()) {
                match v {
                    Value::Array(items) => {
                        Value::Array(items.iter().map(|i| self.rewrite(i, pending)).collect::<Result<_, _>>()?)
                    }
                    _ => v.clone(),
                }
            } else if MAP.contains(&k.as_str()) {
                match v {
                    Value::Object(m) => {
                        let mut mm = Map::new();
                        for (n, s) in m {
                            mm.insert(n.clone(), self.rewrite(s, pending)?);
                        }
                        Value::Object(mm)
                    }
                    _ => v.clone(),
                }
            } else {
                v.clone()
            };
            out.insert(k.clone(), new);
        }
        Ok(Value::Object(out))
    }
}

/// The properties and required names of an object schema that can be spread into tool
/// arguments: a plain object, or an `allOf` of plain objects. `None` for anything else.
/// An object's properties and the names it requires.
pub type Shape = (Map<String, Value>, Vec<String>);

pub fn object_shape(defs: &Defs, schema: &Value, depth: usize) -> Result<Option<Shape>, String> {
    if depth > 8 {
        return Ok(None);
    }
    let s = defs.deref_top(schema)?;
    let Value::Object(m) = &s else { return Ok(None) };
    if ["anyOf", "oneOf", "not", "if", "$dynamicRef"].iter().any(|k| m.contains_key(*k)) {
        return Ok(None);
    }
    let mut props = Map::new();
    let mut required = Vec::new();
    if let Some(Value::Array(parts)) = m.get("allOf") {
        for part in parts {
            let Some((p, r)) = object_shape(defs, part, depth + 1)? else { return Ok(None) };
            props.extend(p);
            required.extend(r);
        }
    } else {
        match m.get("type") {
            Some(Value::String(t)) if t == "object" => {}
            None if m.contains_key("properties") => {}
            _ => return Ok(None),
        }
    }
    match m.get("properties") {
        Some(Value::Object(p)) => props.extend(p.clone()),
        Some(_) => return Ok(None),
        None => {}
    }
    if props.is_empty() {
        return Ok(None);
    }
    if let Some(Value::Array(r)) = m.get("required") {
        required.extend(r.iter().filter_map(Value::as_str).map(str::to_string));
    }
    required.dedup();
    Ok(Some((props, required)))
}
