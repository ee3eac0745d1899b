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
/// path parameter values, one list per way the path can be read (`{name}{ext}` or
/// `{heading}.{ext}` split `1.5.json` several ways; the caller keeps the one that validates).
#[derive(Debug, Clone, PartialEq)]
pub struct Matched {
    pub index: usize,
    pub readings: Vec<Vec<(String, String)>>,
}

/// At most this many readings of one path: a segment like `{a}{b}{c}` has quadratically many.
const MAX_READINGS: usize = 64;

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

    /// Every reading of `segments` (raw request path segments) as this template's path
    /// parameters, those whose variables take the fewest characters first; `None` if it does
    /// not fit.
    pub fn matches(&self, segments: &[&str]) -> Option<Vec<Vec<(String, String)>>> {
        if segments.len() != self.segments.len() {
            return None;
        }
        let mut readings: Vec<Vec<(String, String)>> = vec![Vec::new()];
        for (pieces, seg) in self.segments.iter().zip(segments) {
            if let [Piece::Lit(lit)] = pieces.as_slice() {
                if decode(seg) != *lit {
                    return None;
                }
                continue;
            }
            let mut here = Vec::new();
            match_pieces(pieces, seg, &mut Vec::new(), &mut here);
            if here.is_empty() {
                return None;
            }
            readings = readings
                .iter()
                .flat_map(|r| here.iter().map(move |h| r.iter().chain(h).cloned().collect::<Vec<_>>()))
                .take(MAX_READINGS)
                .collect();
        }
        Some(readings)
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
                    _ => {
                        let mut found = Vec::new();
                        match_pieces(pieces, seg, &mut Vec::new(), &mut found);
                        !found.is_empty()
                    }
                };
                let cost = usize::from(!fits);
                row.push((prev[j] + cost).min(prev[j + 1] + 1).min(row[j] + 1));
            }
            prev = row;
        }
        prev[b.len()]
    }
}

/// Every way one segment reads as literal and variable pieces (at most [`MAX_READINGS`]), the
/// earlier variables shortest first. A variable takes at least one character; the schemas, not
/// this, decide between readings (`{pageName}{ext}` with `ext` one of `.json`).
fn match_pieces(pieces: &[Piece], seg: &str, params: &mut Vec<(String, String)>, out: &mut Vec<Vec<(String, String)>>) {
    if out.len() >= MAX_READINGS {
        return;
    }
    match pieces.split_first() {
        None => {
            if seg.is_empty() {
                out.push(params.clone());
            }
        }
        Some((Piece::Lit(l), rest)) => {
            if let Some(tail) = seg.strip_prefix(l.as_str()) {
                match_pieces(rest, tail, params, out);
            }
        }
        Some((Piece::Var(name), rest)) => {
            let ends: Vec<usize> = match rest.first() {
                None => vec![seg.len()],
                Some(Piece::Lit(l)) => seg.match_indices(l.as_str()).map(|(i, _)| i).collect(),
                Some(Piece::Var(_)) => seg.char_indices().map(|(i, _)| i).skip(1).collect(),
            };
            for end in ends.into_iter().filter(|&e| e > 0) {
                params.push((name.clone(), seg[..end].to_string()));
                match_pieces(rest, &seg[end..], params, out);
                params.pop();
            }
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
/// An operation whose path key carries a fixed query (`/{Bucket}?acl`) matches only a request
/// whose `query` (decoded pairs) has it, and is then more specific than one without.
pub fn find(
    templates: &[Template],
    operations: &[Operation],
    method: &str,
    path: &str,
    query: &[(String, String)],
) -> Result<Vec<Matched>, Vec<String>> {
    let segments = split(path);
    let method = Method::parse(method);
    let mut best: Option<(usize, Vec<Matched>)> = None;
    for (index, t) in templates.iter().enumerate() {
        let op = &operations[index];
        if Some(op.method) != method {
            continue;
        }
        let has = |(name, value): &(String, Option<String>)| {
            query.iter().any(|(n, v)| n == name && value.as_ref().is_none_or(|want| v == want))
        };
        if !op.fixed_query.iter().all(has) {
            continue;
        }
        if let Some(readings) = t.matches(&segments) {
            let fixed: usize =
                op.fixed_query.iter().map(|(n, v)| n.len() + v.as_ref().map_or(0, |v| v.len() + 1)).sum();
            let score = t.specificity() + fixed;
            match &mut best {
                Some((s, all)) if score == *s => all.push(Matched { index, readings }),
                Some((s, _)) if score < *s => {}
                _ => best = Some((score, vec![Matched { index, readings }])),
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

    /// The first reading.
    fn params(template: &str, path: &str) -> Option<Vec<(String, String)>> {
        Template::parse(template).matches(&split(path)).map(|r| r[0].clone())
    }

    fn readings(template: &str, path: &str) -> Vec<Vec<(&'static str, String)>> {
        let names = |n: &str| -> &'static str { Box::leak(n.to_string().into_boxed_str()) };
        Template::parse(template)
            .matches(&split(path))
            .unwrap_or_default()
            .into_iter()
            .map(|r| r.into_iter().map(|(n, v)| (names(&n), v)).collect())
            .collect()
    }

    #[test]
    fn segments_with_several_variables_have_every_reading() {
        let r = readings("/files/{name}.{ext}", "/files/a.b.c");
        assert_eq!(
            r,
            [vec![("name", "a".into()), ("ext", "b.c".into())], vec![("name", "a.b".into()), ("ext", "c".into())]]
        );
        let r = readings("/blog/{pageName}{ext}", "/blog/ab.json");
        assert_eq!(r.len(), "ab.json".len() - 1, "every split point: {r:?}");
        assert!(r.contains(&vec![("pageName", "ab".into()), ("ext", ".json".into())]));
        let r = readings("/c/{minLon}/{maxLat}.{format}", "/c/1.5/-2.25.xml");
        assert_eq!(r.len(), 2);
        assert!(r.contains(&vec![("minLon", "1.5".into()), ("maxLat", "-2.25".into()), ("format", "xml".into())]));
        // Quadratic segments stay bounded.
        let many = format!("/x/{}", "a".repeat(200));
        assert_eq!(readings("/x/{a}{b}{c}", &many).len(), MAX_READINGS);
        assert!(readings("/files/{name}.{ext}", "/files/abc").is_empty());
    }

    /// A GET operation on `url_path` (its key `path`) with the fixed query pairs `fixed`.
    fn get(path: &str, url_path: &str, fixed: Vec<(String, Option<String>)>) -> Operation {
        Operation {
            method: Method::Get,
            path: path.to_string(),
            url_path: url_path.to_string(),
            fixed_query: fixed,
            server: None,
            operation_id: None,
            summary: None,
            description: None,
            tags: vec![],
            deprecated: false,
            parameters: vec![],
            body: None,
            responses: vec![],
            security: vec![],
            oauth_scopes: vec![],
            tool_name: None,
            curation: Default::default(),
            long_running: None,
            at: String::new(),
        }
    }

    #[test]
    fn a_fixed_query_must_be_there_and_wins() {
        let op = |path: &str, fixed| get(path, "/{Bucket}", fixed);
        let ops = vec![
            op("/{Bucket}", vec![]),
            op("/{Bucket}?acl", vec![("acl".into(), None)]),
            op("/{Bucket}?list-type=2", vec![("list-type".into(), Some("2".into()))]),
        ];
        let templates: Vec<Template> = ops.iter().map(|o| Template::parse(&o.url_path)).collect();
        let q = |pairs: &[(&str, &str)]| pairs.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect::<Vec<_>>();
        let index = |query: &[(String, String)]| find(&templates, &ops, "GET", "/b", query).unwrap()[0].index;
        assert_eq!(index(&q(&[])), 0);
        assert_eq!(index(&q(&[("acl", "")])), 1);
        assert_eq!(index(&q(&[("x", "1"), ("acl", "")])), 1);
        assert_eq!(index(&q(&[("list-type", "2")])), 2);
        assert_eq!(index(&q(&[("list-type", "1")])), 0, "the fixed value must match");
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
        let ops: Vec<Operation> = ["/pets/{id}", "/pets/mine"].iter().map(|p| get(p, p, vec![])).collect();
        let templates: Vec<Template> = ops.iter().map(|o| Template::parse(&o.path)).collect();
        assert_eq!(find(&templates, &ops, "GET", "/pets/mine", &[]).unwrap()[0].index, 1);
        assert_eq!(find(&templates, &ops, "get", "/pets/3", &[]).unwrap()[0].index, 0);
        let closest = find(&templates, &ops, "POST", "/pets/3", &[]).unwrap_err();
        assert_eq!(closest, ["GET /pets/{id}", "GET /pets/mine"]);
        assert_eq!(find(&templates, &ops, "BREW", "/pet", &[]).unwrap_err()[0], "GET /pets/{id}");
    }
}
