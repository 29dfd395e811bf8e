//! Internal `$ref` resolution within one document.
//!
//! A [`Resolver`] holds the document's root and follows `$ref` chains
//! (`#/components/parameters/Id`, JSON pointers with `~0`/`~1` escapes and
//! percent-encoding) to the value they name. Chains are bounded in length
//! and checked for cycles, so a hostile or broken spec ends in a
//! [`RefError`], never in a loop. A `$ref` to another file or URL is refused
//! with [`RefError::External`]: nothing outside the document is ever read or
//! fetched.

use std::borrow::Cow;
use std::fmt;

use percent_encoding::percent_decode_str;
use serde_json::Value;

use crate::document::Document;

/// Most `$ref` hops followed from one value before giving up.
const MAX_REF_HOPS: usize = 32;

/// Why a `$ref` could not be followed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RefError {
    /// The pointer names nothing in the document.
    Dangling(String),
    /// The reference names another file or a URL.
    External(String),
    /// Following the chain comes back to a reference already followed.
    Circular(String),
    /// The chain is longer than [`MAX_REF_HOPS`].
    TooLong(String),
    /// `$ref` is present but is not a string.
    NotAString,
}

impl fmt::Display for RefError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RefError::Dangling(reference) => write!(f, "$ref {reference:?} does not resolve"),
            RefError::External(reference) if reference.contains("://") => {
                write!(f, "$ref {reference:?} names a URL, which trespass never fetches")
            }
            RefError::External(reference) => {
                write!(f, "$ref {reference:?} names another file that could not be inlined")
            }
            RefError::Circular(reference) => write!(f, "$ref {reference:?} is circular"),
            RefError::TooLong(reference) => {
                write!(
                    f,
                    "$ref {reference:?} starts a chain of more than {MAX_REF_HOPS} references"
                )
            }
            RefError::NotAString => f.write_str("$ref is not a string"),
        }
    }
}

/// Follows `$ref`s inside one document.
#[derive(Clone, Copy)]
pub(crate) struct Resolver<'a> {
    root: &'a Value,
    /// The document whose path items `#/paths/...` names, when `root` is a
    /// [`Document`]'s root (which holds no `paths`).
    document: Option<&'a Document>,
}

impl<'a> Resolver<'a> {
    /// A resolver for references into `root`, a whole document as a value.
    #[cfg(test)]
    pub(crate) fn new(root: &'a Value) -> Self {
        Resolver { root, document: None }
    }

    /// A resolver for references into `document`: its root, and its path
    /// items, each read when a reference first names it.
    pub(crate) fn for_document(document: &'a Document) -> Self {
        Resolver { root: &document.root, document: Some(document) }
    }

    /// The value `value` stands for: `value` itself when it has no `$ref`,
    /// otherwise the end of its chain of references. Sibling keys of a
    /// `$ref` are ignored, as OpenAPI 3.0 says.
    pub(crate) fn follow<'v>(&self, value: &'v Value) -> Result<&'v Value, RefError>
    where
        'a: 'v,
    {
        let mut current = value;
        // The chain so far, on the stack: most values have no `$ref` or
        // one, and this runs for every parameter and schema of a spec.
        let mut followed: [&'v str; MAX_REF_HOPS] = [""; MAX_REF_HOPS];
        let mut hops = 0;
        while let Some(reference) = current.get("$ref") {
            let reference = reference.as_str().ok_or(RefError::NotAString)?;
            if followed.get(..hops).unwrap_or_default().contains(&reference) {
                return Err(RefError::Circular(reference.to_owned()));
            }
            let first = followed[0];
            let Some(slot) = followed.get_mut(hops) else {
                return Err(RefError::TooLong(first.to_owned()));
            };
            *slot = reference;
            hops += 1;
            current = self.lookup(reference)?;
        }
        Ok(current)
    }

    /// The value one reference names, without following further `$ref`s.
    fn lookup(&self, reference: &str) -> Result<&'a Value, RefError> {
        let Some(fragment) = reference.strip_prefix('#') else {
            return Err(RefError::External(reference.to_owned()));
        };
        let dangling = || RefError::Dangling(reference.to_owned());

        // The fragment is a URI fragment: percent-decode it, then read it as
        // a JSON pointer (serde_json handles `~0` and `~1`).
        let pointer = percent_decode_str(fragment).decode_utf8().map_err(|_| dangling())?;
        if let Some(document) = self.document
            && let Some(in_paths) = pointer.strip_prefix("/paths/")
        {
            // `/paths/{key}/rest`: the item named by the first token, then
            // the rest of the pointer inside it.
            let (token, rest) = in_paths.split_at(in_paths.find('/').unwrap_or(in_paths.len()));
            let key = token.replace("~1", "/").replace("~0", "~");
            let item = document.referenced_item(&key).ok_or_else(dangling)?;
            return pointer_in(item, rest).ok_or_else(dangling);
        }
        pointer_in(self.root, &pointer).ok_or_else(dangling)
    }
}

/// What `pointer` names in `root`, as [`Value::pointer`] reads it (RFC
/// 6901), without allocating for tokens that have no `~` escape: the
/// lookup runs for every `$ref` of a spec, thousands of times.
fn pointer_in<'v>(root: &'v Value, pointer: &str) -> Option<&'v Value> {
    if pointer.is_empty() {
        return Some(root);
    }
    let tokens = pointer.strip_prefix('/')?;
    let mut current = root;
    for token in tokens.split('/') {
        let unescaped: Cow<'_, str> = if token.contains('~') {
            Cow::Owned(token.replace("~1", "/").replace("~0", "~"))
        } else {
            Cow::Borrowed(token)
        };
        current = match current {
            Value::Object(fields) => fields.get(unescaped.as_ref())?,
            Value::Array(items) => items.get(array_index(&unescaped)?)?,
            _ => return None,
        };
    }
    Some(current)
}

/// An array index token as JSON pointers write it: digits, no sign, no
/// leading zero.
fn array_index(token: &str) -> Option<usize> {
    if token.starts_with('+') || (token.starts_with('0') && token.len() != 1) {
        return None;
    }
    token.parse().ok()
}

/// Escapes one JSON pointer token: `~` as `~0`, `/` as `~1`.
pub(crate) fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn follows_a_chain_of_references() {
        let root = json!({
            "components": {
                "parameters": {
                    "Id": {"$ref": "#/components/parameters/Real"},
                    "Real": {"name": "id", "in": "path"}
                }
            }
        });
        let resolver = Resolver::new(&root);
        let start = json!({"$ref": "#/components/parameters/Id"});
        assert_eq!(resolver.follow(&start).unwrap(), &json!({"name": "id", "in": "path"}));
    }

    #[test]
    fn value_without_ref_is_itself() {
        let root = json!({});
        let value = json!({"name": "x"});
        assert_eq!(Resolver::new(&root).follow(&value).unwrap(), &value);
    }

    #[test]
    fn unescapes_pointer_tokens_and_percent_encoding() {
        let root = json!({"paths": {"/users/{id}": {"a~b": 1}}});
        let resolver = Resolver::new(&root);
        let tilde = json!({"$ref": "#/paths/~1users~1{id}/a~0b"});
        assert_eq!(resolver.follow(&tilde).unwrap(), &json!(1));
        let percent = json!({"$ref": "#/paths/~1users~1%7Bid%7D/a~0b"});
        assert_eq!(resolver.follow(&percent).unwrap(), &json!(1));
    }

    #[test]
    fn dangling_reference_is_an_error() {
        let root = json!({"components": {}});
        let start = json!({"$ref": "#/components/parameters/Nope"});
        let error = Resolver::new(&root).follow(&start).unwrap_err();
        assert_eq!(error.to_string(), r##"$ref "#/components/parameters/Nope" does not resolve"##);
    }

    #[test]
    fn cycle_is_detected() {
        let root = json!({
            "components": {"schemas": {
                "A": {"$ref": "#/components/schemas/B"},
                "B": {"$ref": "#/components/schemas/A"}
            }}
        });
        let start = json!({"$ref": "#/components/schemas/A"});
        let error = Resolver::new(&root).follow(&start).unwrap_err();
        assert_eq!(error.to_string(), r##"$ref "#/components/schemas/A" is circular"##);
    }

    #[test]
    fn self_reference_is_detected() {
        let root = json!({"components": {"schemas": {"A": {"$ref": "#/components/schemas/A"}}}});
        let start = json!({"$ref": "#/components/schemas/A"});
        let error = Resolver::new(&root).follow(&start).unwrap_err();
        assert_eq!(error, RefError::Circular("#/components/schemas/A".to_owned()));
    }

    #[test]
    fn long_chain_is_cut() {
        let mut schemas = serde_json::Map::new();
        for index in 0..100 {
            let next = format!("#/s/{}", index + 1);
            schemas.insert(index.to_string(), json!({"$ref": next}));
        }
        let root = json!({"s": schemas});
        let start = json!({"$ref": "#/s/0"});
        let error = Resolver::new(&root).follow(&start).unwrap_err();
        assert_eq!(error, RefError::TooLong("#/s/0".to_owned()));
    }

    #[test]
    fn external_references_are_not_followed() {
        let root = json!({});
        for reference in ["auth.yaml#/components/paths/auth", "https://example.com/x.json"] {
            let start = json!({"$ref": reference});
            let error = Resolver::new(&root).follow(&start).unwrap_err();
            assert_eq!(error, RefError::External(reference.to_owned()));
        }
        let start = json!({"$ref": "other.yaml"});
        assert_eq!(
            Resolver::new(&root).follow(&start).unwrap_err().to_string(),
            r#"$ref "other.yaml" names another file that could not be inlined"#
        );
    }

    #[test]
    fn non_string_ref_is_an_error() {
        let root = json!({});
        let start = json!({"$ref": 7});
        assert_eq!(Resolver::new(&root).follow(&start).unwrap_err(), RefError::NotAString);
    }

    #[test]
    fn pointers_read_as_serde_json_reads_them() {
        let root = json!({
            "a/b": {"c~d": [10, 11, {"": 12}]},
            "": {"x": 1},
            "n": {"01": "key"}
        });
        for pointer in [
            "",
            "/a~1b",
            "/a~1b/c~0d",
            "/a~1b/c~0d/1",
            "/a~1b/c~0d/2/",
            "/a~1b/c~0d/01",
            "/a~1b/c~0d/+1",
            "/a~1b/c~0d/9",
            "/",
            "//x",
            "/n/01",
            "/n/1",
            "a",
            "/a~1b/c~0d/1/x",
            "/a~01b",
        ] {
            assert_eq!(pointer_in(&root, pointer), root.pointer(pointer), "{pointer:?}");
        }
    }

    #[test]
    fn escape_token_is_the_inverse_of_the_pointer_syntax() {
        assert_eq!(escape_token("/users/{id}"), "~1users~1{id}");
        assert_eq!(escape_token("a~b/c"), "a~0b~1c");
    }
}
