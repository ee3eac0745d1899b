//! Bundling: `$ref`s to other local files are copied into the root document under
//! `x-mcpgen-bundled/<name>` and rewritten to local references.
//!
//! Each (file, pointer) target is copied once and named before it is walked, so reference cycles
//! across files end. Files are walked from a work queue, not by recursion, so a long chain of files
//! cannot exhaust the stack.

use super::BrokenRef;
use super::parse::parse_text;
use super::pointer::{Loc, resolve, split_ref, to_ref};
use serde_json::{Map, Value};
use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// The largest file a `$ref` may pull in.
pub const MAX_REFERENCED_BYTES: u64 = 64 * 1024 * 1024;

/// Where bundled targets live in the root document.
pub const BUNDLED: &str = "x-mcpgen-bundled";

pub struct Bundler {
    base_dir: PathBuf,
    root: Option<PathBuf>,
    /// The directory every `$ref`'d file must be in (canonical): a description is untrusted input,
    /// and a `$ref` to `~/.ssh/id_rsa` would otherwise copy that file into the generated crate.
    confine: Option<PathBuf>,
    /// Each file parsed once; shared, not copied, for every target taken from it.
    docs: HashMap<PathBuf, Result<Rc<Value>, String>>,
    keys: HashMap<(PathBuf, String), String>,
    bundled: Map<String, Value>,
    queue: VecDeque<(String, PathBuf, String)>,
    pub files_read: Vec<PathBuf>,
    pub broken: Vec<BrokenRef>,
}

impl Bundler {
    /// `confine` is the directory `$ref`'d files must be in; `base_dir` (the description's own
    /// directory) when `None`.
    pub fn new(base_dir: PathBuf, root: Option<PathBuf>, confine: Option<PathBuf>) -> Self {
        Bundler {
            confine: std::fs::canonicalize(confine.as_ref().unwrap_or(&base_dir)).ok(),
            base_dir,
            root: root.and_then(|r| std::fs::canonicalize(r).ok()),
            docs: HashMap::new(),
            keys: HashMap::new(),
            bundled: Map::new(),
            queue: VecDeque::new(),
            files_read: Vec::new(),
            broken: Vec::new(),
        }
    }

    /// Rewrites every `$ref` of `root` (and of the files it reaches) to a local reference.
    pub fn bundle_root(&mut self, mut root: Value) -> Value {
        self.walk(&mut root, None, &mut String::new());
        while let Some((key, file, label)) = self.queue.pop_front() {
            let Some(mut target) = self.bundled.remove(&key) else { continue };
            self.walk(&mut target, Some(&file), &mut Loc::root().key(&label).0);
            self.bundled.insert(key, target);
        }
        if !self.bundled.is_empty()
            && let Value::Object(m) = &mut root
        {
            m.insert(BUNDLED.into(), Value::Object(std::mem::take(&mut self.bundled)));
        }
        root
    }

    /// `loc` is the text of `v`'s [`Loc`], grown and cut back in place as the walk goes down and
    /// up: a document has a million nodes, and only a broken reference needs its location.
    fn walk(&mut self, v: &mut Value, file: Option<&Path>, loc: &mut String) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    let r = r.clone();
                    if let Some(new) = self.rewrite(&r, file, loc) {
                        m.insert("$ref".into(), Value::String(new));
                    }
                }
                for (k, child) in m.iter_mut() {
                    if k != "$ref" && (child.is_object() || child.is_array()) {
                        let len = loc.len();
                        if len > 0 {
                            loc.push('.');
                        }
                        loc.push_str(k);
                        self.walk(child, file, loc);
                        loc.truncate(len);
                    }
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter_mut().enumerate() {
                    if child.is_object() || child.is_array() {
                        let len = loc.len();
                        {
                            use std::fmt::Write;
                            let _ = write!(loc, "[{i}]");
                        }
                        self.walk(child, file, loc);
                        loc.truncate(len);
                    }
                }
            }
            _ => {}
        }
    }

    /// The local reference that replaces `r`, or `None` to leave it as written.
    fn rewrite(&mut self, r: &str, file: Option<&Path>, loc: &str) -> Option<String> {
        let (file_part, _) = split_ref(r);
        let fragment = r.split_once('#').map(|(_, f)| f).unwrap_or("").to_string();
        if file_part.is_empty() {
            let current = file?;
            return Some(self.target(current.to_path_buf(), fragment, r, loc));
        }
        if file_part.contains("://") {
            self.broken(
                r,
                loc,
                "remote references are not supported; download the file and refer to it by a local path",
            );
            return None;
        }
        let dir = match file {
            Some(f) => f.parent().map(Path::to_path_buf).unwrap_or_default(),
            None => self.base_dir.clone(),
        };
        let path = match std::fs::canonicalize(dir.join(file_part)) {
            Ok(p) => p,
            Err(e) => {
                self.broken(r, loc, &format!("cannot open `{}`: {e}", dir.join(file_part).display()));
                return None;
            }
        };
        if self.root.as_ref() == Some(&path) {
            return Some(format!("#{fragment}"));
        }
        match &self.confine {
            Some(confine) if path.starts_with(confine) => {}
            confine => {
                let within = confine
                    .as_ref()
                    .map(|c| format!("`{}`", c.display()))
                    .unwrap_or("the description's directory".into());
                let reason = format!(
                    "`{}` is outside {within}, where the files a description refers to must be (a description must not read other files on this machine); allow a wider directory with --ref-root DIR",
                    path.display()
                );
                self.broken(r, loc, &reason);
                return None;
            }
        }
        Some(self.target(path, fragment, r, loc))
    }

    /// The bundled name of (`path`, `fragment`), copying the target in on first use.
    fn target(&mut self, path: PathBuf, fragment: String, r: &str, loc: &str) -> String {
        if let Some(key) = self.keys.get(&(path.clone(), fragment.clone())) {
            return to_ref(&[BUNDLED, key]);
        }
        let doc = self.doc(&path);
        let target = match (&doc, super::pointer::parse_fragment(&fragment)) {
            (Err(e), _) => Err(e.clone()),
            (Ok(_), None) => Err(format!("`#{fragment}` is not a JSON pointer")),
            (Ok(d), Some(tokens)) => resolve(d, &tokens)
                .cloned()
                .ok_or_else(|| format!("`#{fragment}` does not exist in `{}`", path.display())),
        };
        let target = match target {
            Ok(t) => t,
            Err(reason) => {
                self.broken(r, loc, &reason);
                return r.to_string();
            }
        };
        let key = self.unique_key(&path, &fragment);
        self.keys.insert((path.clone(), fragment.clone()), key.clone());
        self.bundled.insert(key.clone(), target);
        let label = format!("{}#{fragment}", path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default());
        self.queue.push_back((key.clone(), path, label));
        to_ref(&[BUNDLED, &key])
    }

    fn doc(&mut self, path: &Path) -> Result<Rc<Value>, String> {
        if !self.docs.contains_key(path) {
            let loaded = read_referenced(path)
                .and_then(|text| parse_text(&text, &path.display().to_string()).map_err(|e| e.to_string()))
                .map(Rc::new);
            self.files_read.push(path.to_path_buf());
            self.docs.insert(path.to_path_buf(), loaded);
        }
        self.docs.get(path).cloned().unwrap_or_else(|| Err("unreachable".into()))
    }

    /// A readable, unique name: the pointer's last token, else the file stem.
    fn unique_key(&self, path: &Path, fragment: &str) -> String {
        let last = fragment.rsplit('/').next().filter(|s| !s.is_empty()).map(str::to_string);
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "ref".into());
        let base: String = last
            .unwrap_or(stem)
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.' { c } else { '_' })
            .collect();
        let base = if base.is_empty() { "ref".to_string() } else { base };
        let taken = |k: &str| self.bundled.contains_key(k) || self.keys.values().any(|v| v == k);
        if !taken(&base) {
            return base;
        }
        (2..).map(|n| format!("{base}_{n}")).find(|k| !taken(k)).unwrap_or(base)
    }

    fn broken(&mut self, r: &str, loc: &str, reason: &str) {
        let used_at = Loc(loc.to_string()).to_string();
        self.broken.push(BrokenRef { reference: r.into(), used_at, reason: reason.into() });
    }
}

/// The text of a referenced file. Only regular files, and at most [`MAX_REFERENCED_BYTES`]: a
/// `$ref` to `/dev/zero`, `/dev/stdin` or a FIFO would otherwise read forever or block.
fn read_referenced(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read `{shown}`: {e}"))?;
    if !meta.is_file() {
        return Err(format!("`{shown}` is not a regular file"));
    }
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read `{shown}`: {e}"))?;
    let mut text = String::new();
    file.take(MAX_REFERENCED_BYTES + 1).read_to_string(&mut text).map_err(|e| format!("cannot read `{shown}`: {e}"))?;
    if text.len() as u64 > MAX_REFERENCED_BYTES {
        return Err(format!("`{shown}` is larger than {} MiB", MAX_REFERENCED_BYTES / (1024 * 1024)));
    }
    Ok(text)
}
