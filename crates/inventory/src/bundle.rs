//! `$ref`s to other local files, inlined before the document is read.
//!
//! A spec split over files (`$ref: paths/users.yaml`,
//! `$ref: ../common.yaml#/components/parameters/Limit`) is made whole by
//! a [`Bundler`]: each reference to a file is replaced by the value it
//! names, read relative to the file the reference is written in, and
//! references inside that value are followed the same way, those internal
//! to the other file (`#/components/...`) included. The document's root is
//! inlined first and each path item as it is read (see
//! [`crate::document`]); [`crate::refs`] reads the result as usual.
//!
//! Bounds, since the files are untrusted: a chain of references that comes
//! back to one already being inlined (a recursive schema across files) is
//! left as a reference, which the reader reports as circular; nesting is
//! capped at [`MAX_DEPTH`] and the number of values inlined at
//! [`MAX_INLINED`]. A reference to a URL (`https://…`) is never fetched:
//! it stays and becomes a warning. Files that cannot be read or parsed, and
//! pointers that name nothing, are warnings naming the file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use aho_corasick::AhoCorasick;
use percent_encoding::percent_decode_str;
use serde_json::Value;

use crate::syntax;

/// Deepest chain of file references followed.
const MAX_DEPTH: usize = 32;

/// Most values inlined into one document.
const MAX_INLINED: usize = 20_000;

/// Whether `text` may hold a `$ref` to another file: some `$ref` whose
/// value does not start with `#`. A quick scan of the text, so that the
/// walk over a large single-file document is skipped.
pub(crate) fn may_refer_to_files(text: &str) -> bool {
    // aho-corasick's single-pattern search runs a vectorised prefilter;
    // `str::match_indices` cost about 4% of loading a large spec.
    let Ok(finder) = AhoCorasick::new(["$ref"]) else {
        return true;
    };
    finder.find_iter(text).any(|found| {
        let at = found.start();
        let rest = text.get(at + 4..).unwrap_or_default();
        let rest = rest.trim_start_matches(['"', '\'']).trim_start_matches([' ', '\t']);
        let Some(value) = rest.strip_prefix(':') else {
            return false;
        };
        // A string value not starting with `#`. A mapping, a list or a
        // newline after the colon is a property named `$ref`, as JSON
        // Schema meta-schemas have; a bare `#` starts a YAML comment.
        let value = value.trim_start_matches([' ', '\t']);
        let value = value.strip_prefix(['"', '\'']).unwrap_or(value);
        !value.is_empty() && !value.starts_with(['#', '{', '[', '\n', '\r'])
    })
}

/// Inlines the `$ref`s to local files of one document, value by value:
/// the document's root, then each path item as it is read (see
/// [`crate::document`]). Files it read are kept for the whole load, and
/// the caps count across every value it inlines into.
pub(crate) struct Bundler {
    /// The directory of the document's file.
    dir: PathBuf,
    /// Files read so far, by the path they were reached by.
    files: HashMap<PathBuf, Option<Value>>,
    inlined: usize,
    warnings: Vec<String>,
}

impl Bundler {
    /// A bundler for the document read from `path`.
    pub(crate) fn new(path: &Path) -> Bundler {
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Bundler { dir, files: HashMap::new(), inlined: 0, warnings: Vec::new() }
    }

    /// Inlines every `$ref` to a local file in `value`, a part of the
    /// document as it stands in the document's own file.
    pub(crate) fn inline(&mut self, value: &mut Value) {
        let dir = self.dir.clone();
        let mut stack = Vec::new();
        self.walk(value, &dir, None, &mut stack);
    }

    /// The problems met so far, which are taken out.
    pub(crate) fn take_warnings(&mut self) -> Vec<String> {
        std::mem::take(&mut self.warnings)
    }
    /// Replaces file references in `value`. `dir` is the directory of the
    /// file `value` comes from; `file` is that file when it is not the root
    /// document (its internal references then point into it); `stack` holds
    /// the references being inlined.
    fn walk(
        &mut self,
        value: &mut Value,
        dir: &Path,
        file: Option<&Path>,
        stack: &mut Vec<String>,
    ) {
        match value {
            Value::Array(items) => {
                for item in items {
                    self.walk(item, dir, file, stack);
                }
            }
            Value::Object(fields) => {
                if let Some(Value::String(reference)) = fields.get("$ref") {
                    let reference = reference.clone();
                    if let Some(replacement) = self.resolve(&reference, dir, file, stack) {
                        *value = replacement;
                    }
                    return;
                }
                for item in fields.values_mut() {
                    self.walk(item, dir, file, stack);
                }
            }
            _ => {}
        }
    }

    /// The value a reference names, with its own references inlined, or
    /// `None` to leave the reference as it is.
    fn resolve(
        &mut self,
        reference: &str,
        dir: &Path,
        file: Option<&Path>,
        stack: &mut Vec<String>,
    ) -> Option<Value> {
        if reference.contains("://") {
            return None;
        }
        let (target_file, fragment) = match reference.split_once('#') {
            Some(("", fragment)) => (file?.to_path_buf(), fragment),
            Some((relative, fragment)) => (dir.join(relative), fragment),
            None => (dir.join(reference), ""),
        };
        let key = format!("{}#{fragment}", target_file.display());
        if stack.contains(&key) || stack.len() >= MAX_DEPTH || self.inlined >= MAX_INLINED {
            if self.inlined >= MAX_INLINED && !stack.contains(&key) {
                self.warnings.push(format!(
                    "$ref {reference:?}: more than {MAX_INLINED} values inlined from other \
                     files; left unresolved"
                ));
            }
            return None;
        }

        let document = self.file(&target_file)?;
        let pointer = percent_decode_str(fragment).decode_utf8().ok()?;
        let Some(found) = document.pointer(&pointer) else {
            self.warnings.push(format!(
                "$ref {reference:?}: {} has nothing at {:?}",
                target_file.display(),
                if fragment.is_empty() { "/" } else { fragment }
            ));
            return None;
        };
        let mut found = found.clone();
        self.inlined += 1;

        stack.push(key);
        let target_dir = target_file.parent().map(Path::to_path_buf).unwrap_or_default();
        self.walk(&mut found, &target_dir, Some(&target_file), stack);
        stack.pop();
        Some(found)
    }

    /// The parsed file, read once; `None` (with a warning) when it cannot
    /// be read or parsed.
    fn file(&mut self, path: &Path) -> Option<&Value> {
        if !self.files.contains_key(path) {
            let parsed = match trespass_input::read_text(path, trespass_input::InputKind::SPEC) {
                Ok(text) => match syntax::parse_document(&text, &path.display().to_string()) {
                    Ok(value) => Some(value),
                    Err(error) => {
                        self.warnings.push(format!("$ref target: {error}"));
                        None
                    }
                },
                Err(trespass_input::ReadError::Io(error)) => {
                    self.warnings
                        .push(format!("$ref target {} cannot be read: {error}", path.display()));
                    None
                }
                Err(error) => {
                    self.warnings.push(format!("$ref target: {error}"));
                    None
                }
            };
            self.files.insert(path.to_path_buf(), parsed);
        }
        self.files.get(path).and_then(Option::as_ref)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn only_references_to_files_call_for_the_walk() {
        assert!(!may_refer_to_files(r##"{"a": {"$ref": "#/x"}, "b": {"$ref" : '#/y'}}"##));
        assert!(!may_refer_to_files("a:\n  $ref: '#/x'\n  note: the $ref word\n"));
        assert!(!may_refer_to_files(r#"{"properties": {"$ref": {"type": "string"}}}"#));
        assert!(!may_refer_to_files("properties:\n  $ref:\n    type: string\n"));
        assert!(may_refer_to_files(r##"{"a": {"$ref": "#/x"}, "b": {"$ref": "b.json"}}"##));
        assert!(may_refer_to_files("a:\n  $ref: paths/users.yaml\n"));
    }

    #[test]
    fn file_references_are_inlined_relative_to_their_file() {
        let dir = tempfile_dir();
        std::fs::create_dir_all(dir.join("paths")).unwrap();
        std::fs::write(
            dir.join("paths/users.yaml"),
            "get:\n  parameters:\n    - $ref: '../common.yaml#/components/parameters/UserId'\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("common.yaml"),
            "components:\n  parameters:\n    UserId: {$ref: '#/components/parameters/Real'}\n    \
             Real: {name: user_id, in: path, required: true, schema: {$ref: 'node.yaml'}}\n",
        )
        .unwrap();
        // A schema that refers to itself across a file stays a reference.
        std::fs::write(
            dir.join("node.yaml"),
            "type: object\nproperties:\n  next: {$ref: 'node.yaml'}\n",
        )
        .unwrap();
        let mut doc = json!({
            "paths": {
                "/users/{user_id}": {"$ref": "paths/users.yaml"},
                "/gone": {"$ref": "missing.yaml#/x"},
                "/remote": {"$ref": "https://example.invalid/x.yaml"}
            }
        });
        let mut bundler = Bundler::new(&dir.join("openapi.yaml"));
        bundler.inline(&mut doc);
        let warnings = bundler.take_warnings();
        assert_eq!(
            doc["paths"]["/users/{user_id}"]["get"]["parameters"][0],
            json!({"name": "user_id", "in": "path", "required": true, "schema": {
                "type": "object", "properties": {"next": {"$ref": "node.yaml"}}
            }})
        );
        assert_eq!(doc["paths"]["/remote"], json!({"$ref": "https://example.invalid/x.yaml"}));
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].starts_with(&format!(
                "$ref target {} cannot be read: ",
                dir.join("missing.yaml").display()
            )),
            "{warnings:?}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A fresh directory under the system's temporary directory.
    fn tempfile_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("trespass-bundle-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
