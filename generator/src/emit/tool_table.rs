//! The generated module's text with its `TOOLS` table formatted in pieces, on every core.
//!
//! `prettyplease` formats one `syn::File` on one thread, and for a large API (GitHub: 1,200
//! tools, a 10 MB module) building, parsing and formatting that file was most of the
//! generation's time. The table's elements are formatted independently of each other: the array
//! never fits on one line (a `ToolSpec` alone is wider than the margin), so each element starts
//! on its own line at the same indentation and is laid out alone. So the module is formatted
//! with an empty table, batches of tools are formatted as tables of their own, and their element
//! lines go in between the brackets. Text that does not have the expected shape falls back to
//! formatting the whole module at once, so the result is always `prettyplease`'s.

use super::generated;
use super::model::Model;
use crate::tools::ToolDef;

/// Tools formatted together: enough to make a thread's work worth handing out.
const BATCH: usize = 16;

/// How the table opens and closes in `prettyplease`'s text.
const OPEN: &str = "pub static TOOLS: &[ToolSpec] = &[";
const EMPTY: &str = "pub static TOOLS: &[ToolSpec] = &[];\n";
const CLOSE: &str = "];\n";

/// Room left in front of the text for the file's header, so adding it does not copy the text.
pub const HEADER_ROOM: usize = 1024;

/// The module's items (under its inner doc comment when `inner_doc`), formatted, after a line
/// break (a generated file's body: see [`super::stamp::Header::rust_file_from`]).
pub fn module_text(m: &Model, inner_doc: bool) -> Result<String, String> {
    text_in_batches(m, inner_doc, BATCH)
}

fn text_in_batches(m: &Model, inner_doc: bool, batch: usize) -> Result<String, String> {
    let wrap = |items| if inner_doc { generated::with_inner_doc(items) } else { items };
    let whole = || super::rust(wrap(generated::items(m))).map(|text| format!("\n{text}"));
    let skeleton = super::rust(wrap(generated::items_with(m, &[])))?;
    if m.tools.is_empty() {
        return Ok(format!("\n{skeleton}"));
    }
    let at = match skeleton.match_indices(EMPTY).map(|(i, _)| i).collect::<Vec<_>>()[..] {
        [at] => at,
        _ => return whole(),
    };
    let batches: Vec<&[ToolDef]> = m.tools.chunks(batch.max(1)).collect();
    let pieces = crate::parallel::map(&batches, |tools| {
        super::rust(generated::tools_static(tools)).map(|text| elements(&text).map(str::to_string))
    });
    let mut table = Vec::with_capacity(pieces.len());
    for piece in pieces {
        match piece? {
            Some(p) => table.push(p),
            None => return whole(),
        }
    }
    let size = HEADER_ROOM + skeleton.len() + OPEN.len() + table.iter().map(String::len).sum::<usize>() + CLOSE.len();
    let mut out = String::with_capacity(size);
    out.push('\n');
    out.push_str(&skeleton[..at]);
    out.push_str(OPEN);
    out.push('\n');
    for piece in table {
        out.push_str(&piece);
    }
    out.push_str(CLOSE);
    out.push_str(&skeleton[at + EMPTY.len()..]);
    Ok(out)
}

/// The element lines of a formatted table alone, if `text` is exactly that table.
fn elements(text: &str) -> Option<&str> {
    let inner = text.strip_prefix(OPEN)?.strip_prefix('\n')?.strip_suffix(CLOSE)?;
    (inner.starts_with("    ToolSpec {\n") && inner.ends_with("    },\n")).then_some(inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Settings;

    /// The text made in batches is the text of the whole module formatted at once, whatever
    /// the batch size, for fixtures that use every kind of parameter, body and scheme.
    #[test]
    fn batches_give_the_whole_module_text() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/");
        for fixture in [
            "everything.yaml",
            "petstore.yaml",
            "petstore-swagger2.yaml",
            "recursive.yaml",
            "hostile.json",
            "hostile-names.yaml",
        ] {
            let settings = Settings::new(format!("{root}{fixture}"));
            let analysis = crate::Analysis::run(&settings).expect("the fixture loads");
            let m = analysis.model(&settings);
            assert!(m.tools.len() > 1, "{fixture}");
            for inner_doc in [true, false] {
                let whole = {
                    let items = generated::items(&m);
                    let text = super::super::rust(if inner_doc { generated::with_inner_doc(items) } else { items });
                    format!("\n{}", text.unwrap())
                };
                for batch in [1, 2, 3, BATCH] {
                    assert_eq!(text_in_batches(&m, inner_doc, batch).unwrap(), whole, "{fixture}, batch {batch}");
                }
            }
        }
    }
}
