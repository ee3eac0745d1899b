//! JSON string text, written the way `serde_json` writes it, but faster on long text.
//!
//! `serde_json` looks every byte up in a table. A large API's first `tools/list` escapes all of its
//! descriptions (GitHub's: 650 KB, an escape every 81 bytes on average; 7.9 M instructions in
//! `serde_json`), and most of their bytes need no escape. Here eight bytes are tested at once with
//! word arithmetic, and copied whole when none of them needs escaping.

/// Appends `s` to `out` as a JSON string, quotes included: the same bytes as
/// `serde_json::to_writer(out, s)`.
pub(crate) fn write(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    // `bytes[copied..]` is not yet in `out`.
    let mut copied = 0;
    loop {
        let at = next_escape(bytes, copied);
        out.extend_from_slice(&bytes[copied..at]);
        let Some(&b) = bytes.get(at) else { break };
        escape(out, b);
        copied = at + 1;
    }
    out.push(b'"');
}

/// Where the first byte at or after `from` that needs an escape is, or `bytes.len()`: eight bytes
/// a step while none of them does.
fn next_escape(bytes: &[u8], mut from: usize) -> usize {
    while let Some(word) = bytes.get(from..from + 8) {
        if any_needs_escape(u64::from_le_bytes(word.try_into().expect("eight bytes"))) {
            break;
        }
        from += 8;
    }
    bytes[from..].iter().position(|&b| needs_escape(b)).map_or(bytes.len(), |i| from + i)
}

/// Whether any of the eight bytes of `word` needs an escape. Each test is exact about whether some
/// byte matches (the classic "has a zero byte" and "has a byte less than n" tricks, n <= 128).
const fn any_needs_escape(word: u64) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    const fn has_zero(w: u64) -> u64 {
        w.wrapping_sub(ONES) & !w & HIGH
    }
    let control = word.wrapping_sub(ONES * 0x20) & !word & HIGH;
    let quote = has_zero(word ^ (ONES * b'"' as u64));
    let backslash = has_zero(word ^ (ONES * b'\\' as u64));
    control | quote | backslash != 0
}

/// JSON requires these escaped in a string: the quote, the backslash and the control characters.
const fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// The escape `serde_json` writes for `b`: the short forms where JSON has one, else `\u00XX`.
fn escape(out: &mut Vec<u8>, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let short: &[u8] = match b {
        b'"' => b"\\\"",
        b'\\' => b"\\\\",
        b'\n' => b"\\n",
        b'\r' => b"\\r",
        b'\t' => b"\\t",
        0x08 => b"\\b",
        0x0c => b"\\f",
        _ => {
            out.extend_from_slice(&[b'\\', b'u', b'0', b'0', HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]]);
            return;
        }
    };
    out.extend_from_slice(short);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ours(s: &str) -> String {
        let mut out = b"x".to_vec();
        write(&mut out, s);
        String::from_utf8(out).unwrap()
    }

    fn serde(s: &str) -> String {
        format!("x{}", serde_json::to_string(s).unwrap())
    }

    /// Every ASCII character (and some beyond it), alone and at every position around a word's
    /// edges in runs of plain text, comes out as serde_json writes it.
    #[test]
    fn writes_what_serde_json_writes() {
        let mut specials: Vec<String> = (0u8..0x80).map(|b| char::from(b).to_string()).collect();
        specials.extend(["é", "\u{2028}", "🦀", "\u{7f}", "\u{ffff}"].map(String::from));
        for special in &specials {
            for len in [0, 1, 7, 8, 9, 15, 16, 29] {
                for at in [0, len / 2, len] {
                    let plain = "a".repeat(len);
                    let s = format!("{}{special}{}", &plain[..at], &plain[at..]);
                    assert_eq!(ours(&s), serde(&s), "{s:?}");
                }
            }
        }
        let mixed = "Lists the \"repositories\"\n\t\\ of a user 🦀\u{1}.".repeat(20);
        assert_eq!(ours(&mixed), serde(&mixed));
        assert_eq!(ours(""), serde(""));
    }

    /// The word test agrees with the byte test for every byte value at every position, among
    /// neighbours next to the values it looks for (where a borrow could mislead it).
    #[test]
    fn the_word_test_is_exact() {
        let neighbours = [b'a', 0x00, 0x01, 0x1f, 0x20, 0x21, 0x23, 0x5b, 0x5d, 0x7f, 0x80, 0xff];
        for b in 0..=u8::MAX {
            for at in 0..8 {
                for &n in &neighbours {
                    let mut word = [n; 8];
                    word[at] = b;
                    let expected = word.iter().any(|&b| needs_escape(b));
                    assert_eq!(any_needs_escape(u64::from_le_bytes(word)), expected, "{word:?}");
                }
            }
        }
    }
}
