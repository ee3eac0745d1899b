//! The content hash in every generated file's header, so `mcpgen check` can tell a file edited by
//! hand (its text no longer matches its own hash) from one that is merely out of date (intact, but
//! a new generation would write something else).

use sha2::{Digest, Sha256};

/// What the header line says before the hash.
const MARKER: &str = "Content sha256 ";

/// The header's last sentence for `body`: `Content sha256 <hex> (checked by mcpgen check).`
pub fn sentence(body: &str) -> String {
    format!("{MARKER}{} (checked by `mcpgen check`).", hex(body))
}

/// What a file's own header says about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stamp {
    /// The text after the header still has the hash the header records.
    Intact,
    /// It does not: someone changed the file after it was generated.
    Edited,
    /// No hash in the first lines: not a file mcpgen generated (or its header was removed).
    Missing,
}

/// Checks `contents` against the hash in its header. The hash covers everything after the line
/// that holds it.
pub fn verify(contents: &str) -> Stamp {
    let mut offset = 0;
    for line in contents.split_inclusive('\n').take(5) {
        offset += line.len();
        if let Some(at) = line.find(MARKER) {
            let recorded = line[at + MARKER.len()..].get(..64).unwrap_or("");
            return if recorded == hex(&contents[offset..]) { Stamp::Intact } else { Stamp::Edited };
        }
    }
    Stamp::Missing
}

fn hex(text: &str) -> String {
    crate::load::hex(&Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamped(body: &str) -> String {
        format!("// @generated\n// {}\n{body}", sentence(body))
    }

    #[test]
    fn an_untouched_file_is_intact() {
        assert_eq!(verify(&stamped("\nfn main() {}\n")), Stamp::Intact);
    }

    #[test]
    fn any_change_after_the_header_is_an_edit() {
        let file = stamped("\nfn main() {}\n").replace("main()", "main( )");
        assert_eq!(verify(&file), Stamp::Edited);
        let file = format!("{}// one more line\n", stamped("\nfn main() {}\n"));
        assert_eq!(verify(&file), Stamp::Edited);
    }

    #[test]
    fn a_changed_hash_is_an_edit_and_no_hash_is_missing() {
        let file = stamped("x\n");
        let at = file.find(MARKER).unwrap() + MARKER.len();
        let mut tampered = file.clone();
        tampered.replace_range(at..at + 1, if &file[at..at + 1] == "0" { "1" } else { "0" });
        assert_eq!(verify(&tampered), Stamp::Edited);
        assert_eq!(verify("fn main() {}\n"), Stamp::Missing);
    }
}
