//! Opaque, stable cursors for the `*/list` methods.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

const PREFIX: &str = "mcpgen:v1:";

/// Encodes the offset of the next page.
pub fn encode(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("{PREFIX}{offset}"))
}

/// Decodes a cursor this server issued; `None` for anything else or an offset past `len`.
pub fn decode(cursor: &str, len: usize) -> Option<usize> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    let offset: usize = text.strip_prefix(PREFIX)?.parse().ok()?;
    (offset <= len).then_some(offset)
}

/// The page of `items` starting at `offset`, and the cursor of the next page if there is one.
pub fn page<T>(items: &[T], offset: usize, page_size: Option<usize>) -> (&[T], Option<String>) {
    let end = page_size.map_or(items.len(), |n| offset.saturating_add(n.max(1)).min(items.len()));
    let next = (end < items.len()).then(|| encode(end));
    (&items[offset..end], next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        assert_eq!(decode(&encode(3), 10), Some(3));
        assert_eq!(decode(&encode(11), 10), None);
        assert_eq!(decode("not-a-cursor", 10), None);
        assert_eq!(decode("", 10), None);
    }

    #[test]
    fn pages_walk_the_whole_list_once() {
        let items: Vec<u32> = (0..7).collect();
        let mut seen = Vec::new();
        let mut offset = 0;
        loop {
            let (chunk, next) = page(&items, offset, Some(3));
            seen.extend_from_slice(chunk);
            match next {
                Some(c) => offset = decode(&c, items.len()).unwrap(),
                None => break,
            }
        }
        assert_eq!(seen, items);
        assert_eq!(page(&items, 0, None).1, None);
    }
}
