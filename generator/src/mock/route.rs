//! Matching a request's method and path to an operation's path template, and naming the closest
//! operations when none matches.

use crate::ir::{Method, Operation};
use percent_encoding::percent_decode_str;

/// A path template split into segments, e.g. `/pets/{petId}` or `/files/{name}.{ext}`.
#[derive(Debug, Clone)]
pub struct Template {
    segments: Vec<Vec<Piece>>,
}

#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Lit(String),
    Var(String),
}

/// What a request path matched: the operation's index and its raw (still percent-encoded)
/// path parameter values.
#[derive(Debug, Clone, PartialEq)]
pub struct Matched {
    pub index: usize,
    pub params: Vec<(String, String)>,
}

impl Template {
    pub fn parse(path: &str) -> Template {
        let segments = split(path)
            .into_iter()
            .map(|seg| {
                let mut pieces = Vec::new();
                let mut rest = seg;
                while let Some(open) = rest.find('{') {
                    let Some(close) = rest[open..].find('}').map(|c| c + open) else { break };
                    if open > 0 {
                        pieces.push(Piece::Lit(rest[..open].to_string()));
                    }
                    pieces.push(Piece::Var(rest[open + 1..close].to_string()));
                    rest = &rest[close + 1..];
                }
                if !rest.is_empty() || pieces.is_empty() {
                    pieces.push(Piece::Lit(rest.to_string()));
                }
                pieces
            })
            .collect();
        Template { segments }
    }

    /// The path parameters if `segments` (raw request path segments) fit this template.
    pub fn matches(&self, segments: &[&str]) -> Option<Vec<(String, String)>> {
        if segments.len() != self.segments.len() {
            return None;
        }
        let mut params = Vec::new();
        for (pieces, seg) in self.segments.iter().zip(segments) {
            if let [Piece::Lit(lit)] = pieces.as_slice() {
                if decode(seg) != *lit {
                    return None;
                }
                continue;
            }
            match_pieces(pieces, seg, &mut params)?;
        }
        Some(params)
    }

    /// Literal characters: `/pets/mine` is preferred over `/pets/{id}`.
    fn specificity(&self) -> usize {
        self.segments.iter().flatten().map(|p| if let Piece::Lit(l) = p { l.len() } else { 0 }).sum()
    }

    /// Segment edit distance to a request path; a variable segment fits any non-empty segment.
    fn distance(&self, segments: &[&str]) -> usize {
        let (a, b) = (&self.segments, segments);
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, pieces) in a.iter().enumerate() {
            let mut row = vec![i + 1];
            for (j, seg) in b.iter().enumerate() {
                let fits = match pieces.as_slice() {
                    [Piece::Lit(l)] => decode(seg) == *l,
                    _ => match_pieces(pieces, seg, &mut Vec::new()).is_some(),
                };
                let cost = usize::from(!fits);
                row.push((prev[j] + cost).min(prev[j + 1] + 1).min(row[j] + 1));
            }
            prev = row;
        }
        prev[b.len()]
    }
}

/// Matches one segment against literal and variable pieces; variables take at least one
/// character and as few as the following literal allows.
fn match_pieces(pieces: &[Piece], seg: &str, params: &mut Vec<(String, String)>) -> Option<()> {
    match pieces.split_first() {
        None => seg.is_empty().then_some(()),
        Some((Piece::Lit(l), rest)) => {
            let tail = seg.strip_prefix(l.as_str())?;
            match_pieces(rest, tail, params)
        }
        Some((Piece::Var(name), rest)) => {
            let ends: Vec<usize> = match rest.first() {
                None => vec![seg.len()],
                Some(Piece::Lit(l)) => seg.match_indices(l.as_str()).map(|(i, _)| i).collect(),
                // Two variables side by side: the first takes one character.
                Some(Piece::Var(_)) => seg.char_indices().nth(1).map(|(i, _)| vec![i]).unwrap_or_default(),
            };
            for end in ends.into_iter().filter(|&e| e > 0) {
                let mut attempt = params.clone();
                attempt.push((name.clone(), seg[..end].to_string()));
                if match_pieces(rest, &seg[end..], &mut attempt).is_some() {
                    *params = attempt;
                    return Some(());
                }
            }
            None
        }
    }
}

/// The raw segments of a path: `/pets/1` is `["pets", "1"]`, `/` is `[""]`.
pub fn split(path: &str) -> Vec<&str> {
    path.strip_prefix('/').unwrap_or(path).split('/').collect()
}

pub fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// The operations for `method` and `path` (raw, without the base path) whose templates match it
/// most specifically, in document order (several when templates tie, like `/v1/{+topic}` and
/// `/v1/{+subscription}`); or, when none matches, the closest few as `METHOD /template`.
pub fn find(
    templates: &[Template],
    operations: &[Operation],
    method: &str,
    path: &str,
) -> Result<Vec<Matched>, Vec<String>> {
    let segments = split(path);
    let method = Method::parse(method);
    let mut best: Option<(usize, Vec<Matched>)> = None;
    for (index, t) in templates.iter().enumerate() {
        if Some(operations[index].method) != method {
            continue;
        }
        if let Some(params) = t.matches(&segments) {
            let score = t.specificity();
            match &mut best {
                Some((s, all)) if score == *s => all.push(Matched { index, params }),
                Some((s, _)) if score < *s => {}
                _ => best = Some((score, vec![Matched { index, params }])),
            }
        }
    }
    if let Some((_, all)) = best {
        return Ok(all);
    }
    let mut ranked: Vec<(usize, usize)> = templates
        .iter()
        .enumerate()
        .map(|(i, t)| (t.distance(&segments) * 2 + usize::from(Some(operations[i].method) != method), i))
        .collect();
    ranked.sort();
    Err(ranked
        .into_iter()
        .take(3)
        .map(|(_, i)| format!("{} {}", operations[i].method.upper(), operations[i].path))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(template: &str, path: &str) -> Option<Vec<(String, String)>> {
        Template::parse(template).matches(&split(path))
    }

    #[test]
    fn templates_match_segments() {
        assert_eq!(params("/pets", "/pets"), Some(vec![]));
        assert_eq!(params("/pets/{id}", "/pets/7"), Some(vec![("id".into(), "7".into())]));
        assert_eq!(params("/pets/{id}", "/pets/..%2Fadmin"), Some(vec![("id".into(), "..%2Fadmin".into())]));
        assert_eq!(params("/pets/{id}", "/pets/"), None, "a variable is never empty");
        assert_eq!(params("/pets/{id}", "/pets/1/2"), None);
        assert_eq!(params("/pets", "/pets/"), None);
        assert_eq!(
            params("/files/{name}.{ext}", "/files/a.b.c"),
            Some(vec![("name".into(), "a".into()), ("ext".into(), "b.c".into())])
        );
        assert_eq!(params("/a b", "/a%20b"), Some(vec![]), "literals compare decoded");
        assert_eq!(params("/", "/"), Some(vec![]));
    }

    #[test]
    fn literal_paths_win_over_variables() {
        let ops: Vec<Operation> = ["/pets/{id}", "/pets/mine"]
            .iter()
            .map(|p| Operation {
                method: Method::Get,
                path: p.to_string(),
                operation_id: None,
                summary: None,
                description: None,
                tags: vec![],
                deprecated: false,
                parameters: vec![],
                body: None,
                responses: vec![],
                security: vec![],
                tool_name: None,
                at: String::new(),
            })
            .collect();
        let templates: Vec<Template> = ops.iter().map(|o| Template::parse(&o.path)).collect();
        assert_eq!(find(&templates, &ops, "GET", "/pets/mine").unwrap()[0].index, 1);
        assert_eq!(find(&templates, &ops, "get", "/pets/3").unwrap()[0].index, 0);
        let closest = find(&templates, &ops, "POST", "/pets/3").unwrap_err();
        assert_eq!(closest, ["GET /pets/{id}", "GET /pets/mine"]);
        assert_eq!(find(&templates, &ops, "BREW", "/pet").unwrap_err()[0], "GET /pets/{id}");
    }
}
