//! The output schema: from the success response, when the spec can promise one.
//!
//! Only when every documented 2xx response has the same JSON schema; a response the spec leaves
//! open (a 204 beside a 200, an untyped body) gets no output schema, because the runtime checks
//! structured output against it and a wrong promise would turn good answers into errors.

use super::schema::{Defs, object_shape};
use crate::ir::Operation;
use crate::load::Document;
use serde_json::{Value, json};

/// `(schema, wrapped)`, `None` when there is nothing the spec promises.
pub fn build(doc: &Document, op: &Operation) -> Result<Option<(Value, bool)>, String> {
    let success: Vec<_> = op.responses.iter().filter(|r| r.is_success()).collect();
    let Some(first) = success.first() else { return Ok(None) };
    if !first.is_json() {
        return Ok(None);
    }
    let Some(schema) = &first.schema else { return Ok(None) };
    if success.iter().any(|r| r.schema.as_ref() != Some(schema) || !r.is_json()) {
        return Ok(None);
    }
    let mut defs = Defs::new(doc);
    let top = defs.deref_top(schema)?;
    // A plain object, or an `allOf` of objects (which is an object too).
    let is_object = (top.get("type").and_then(Value::as_str) == Some("object")
        && !["anyOf", "oneOf", "allOf", "not", "if"].iter().any(|k| top.get(*k).is_some()))
        || object_shape(&defs, &top, 0)?.is_some();
    let (out, wrapped) = if is_object {
        let mut local = defs.localize(&top)?;
        if let Value::Object(m) = &mut local {
            m.insert("type".into(), json!("object"));
        }
        (local, false)
    } else {
        let inner = defs.localize(schema)?;
        (json!({"type": "object", "properties": {"result": inner}, "required": ["result"]}), true)
    };
    let mut out = super::shaping::admit_shaped(out);
    if let (Some(d), Value::Object(m)) = (defs.finish(), &mut out) {
        m.insert("$defs".into(), d);
    }
    Ok(Some((out, wrapped)))
}
