//! Path templates inferred from concrete paths, for inputs that record
//! requests rather than describe operations (HAR captures, Postman
//! collections).
//!
//! [`infer`] turns `/users/42/invoices/9f1c…` into
//! `/users/{user_id}/invoices/{invoice_id}` with the values it took out. A
//! segment is an id when it is a number, a UUID, a long hexadecimal string,
//! or a long mix of letters and digits (a token-like key such as
//! `cus_9s8d7f6g5h`). The parameter is named after the static segment
//! before it, in the singular, with `_id` (`users` → `user_id`), so that
//! the same template comes out of every request to the same route and the
//! discovery stage matches harvested ids to it as it does for specs.
//! Anything else (`me`, `v2`, `settings`) stays a literal segment: a word
//! that is an id (`/users/alice`) is not recognised, which costs a missed
//! operation, never a wrong one.

/// What kind of id a segment looked like, for the parameter's schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IdShape {
    /// Decimal digits.
    Integer,
    /// A UUID (`8-4-4-4-12` hex digits).
    Uuid,
    /// Hex digits, or a token of letters and digits.
    Token,
}

impl IdShape {
    /// The JSON Schema type and format of a parameter of this shape.
    pub(crate) fn schema(self) -> (&'static str, Option<&'static str>) {
        match self {
            IdShape::Integer => ("integer", None),
            IdShape::Uuid => ("string", Some("uuid")),
            IdShape::Token => ("string", None),
        }
    }
}

/// One value taken out of a concrete path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PathValue {
    /// The parameter's name in the template.
    pub(crate) name: String,
    /// The concrete value, percent-decoded as it came.
    pub(crate) value: String,
    /// What it looked like.
    pub(crate) shape: IdShape,
}

/// The template of a concrete path and the values taken out of it.
/// Segments already written as `{name}` stay as they are.
pub(crate) fn infer(path: &str) -> (String, Vec<PathValue>) {
    let mut template = String::with_capacity(path.len());
    let mut values: Vec<PathValue> = Vec::new();
    let mut previous_literal = "";
    for segment in path.split('/').skip(1) {
        template.push('/');
        let Some(shape) = id_shape(segment) else {
            template.push_str(segment);
            if !segment.starts_with('{') && !segment.is_empty() {
                previous_literal = segment;
            }
            continue;
        };
        let mut name = parameter_name(previous_literal);
        let mut counter = 2;
        while values.iter().any(|v| v.name == name) || path.contains(&format!("{{{name}}}")) {
            name = format!("{}{counter}", parameter_name(previous_literal));
            counter += 1;
        }
        template.push('{');
        template.push_str(&name);
        template.push('}');
        values.push(PathValue { name, value: segment.to_owned(), shape });
    }
    if template.is_empty() {
        template.push('/');
    }
    (template, values)
}

/// Whether a query parameter or body field is named like a credential
/// (`api_key`, `access_token`, `password`, `session`): captures and
/// collections keep such a parameter's name but never its value, which
/// could be a secret the scan does not know about.
pub(crate) fn names_a_credential(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["key", "token", "secret", "password", "passwd", "auth", "session", "signature", "sig"]
        .iter()
        .any(|word| lower.contains(word))
}

/// `users` → `user_id`, `categories` → `category_id`, nothing → `id`.
fn parameter_name(collection: &str) -> String {
    let word: String = collection
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
        .collect();
    let word = word.trim_matches('_');
    if word.is_empty() {
        return "id".to_owned();
    }
    let singular = if let Some(stem) = word.strip_suffix("ies") {
        format!("{stem}y")
    } else if word.ends_with("ss") {
        word.to_owned()
    } else if let Some(stem) = word.strip_suffix("sses") {
        format!("{stem}ss")
    } else if let Some(stem) = word.strip_suffix('s') {
        stem.to_owned()
    } else {
        word.to_owned()
    };
    format!("{singular}_id")
}

/// The shape of an id-like segment, or `None` for a literal.
pub(crate) fn id_shape(segment: &str) -> Option<IdShape> {
    if segment.is_empty() || segment.starts_with('{') {
        return None;
    }
    if segment.len() <= 20 && segment.bytes().all(|b| b.is_ascii_digit()) {
        return Some(IdShape::Integer);
    }
    if is_uuid(segment) {
        return Some(IdShape::Uuid);
    }
    let hex = segment.bytes().all(|b| b.is_ascii_hexdigit());
    let digits = segment.bytes().filter(u8::is_ascii_digit).count();
    if hex && segment.len() >= 8 && digits > 0 {
        return Some(IdShape::Token);
    }
    // A token: long, of letters, digits, `_` and `-` only, with several
    // digits (so `api-v2` or `user-settings` stay literal).
    let token_chars = segment.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if token_chars && segment.len() >= 10 && digits >= 3 {
        return Some(IdShape::Token);
    }
    None
}

fn is_uuid(segment: &str) -> bool {
    let groups: Vec<&str> = segment.split('-').collect();
    groups.len() == 5
        && groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
pub(crate) mod tests {
    use proptest::prelude::*;

    use super::*;

    fn template(path: &str) -> String {
        infer(path).0
    }

    #[test]
    fn ids_become_parameters_named_after_their_collection() {
        let (template, values) = infer("/users/42/invoices/3f2a9c1e-8b7d-4e6f-a5c4-1b2d3e4f5a6b");
        assert_eq!(template, "/users/{user_id}/invoices/{invoice_id}");
        assert_eq!(
            values,
            [
                PathValue { name: "user_id".into(), value: "42".into(), shape: IdShape::Integer },
                PathValue {
                    name: "invoice_id".into(),
                    value: "3f2a9c1e-8b7d-4e6f-a5c4-1b2d3e4f5a6b".into(),
                    shape: IdShape::Uuid
                },
            ]
        );
    }

    #[test]
    fn credential_names_are_recognised() {
        for name in ["api_key", "X-Api-Key", "access_token", "password", "sessionId", "auth"] {
            assert!(names_a_credential(name), "{name}");
        }
        for name in ["user_id", "expand", "limit", "page"] {
            assert!(!names_a_credential(name), "{name}");
        }
    }

    #[test]
    fn literal_segments_stay_and_tokens_are_recognised() {
        assert_eq!(template("/me"), "/me");
        assert_eq!(template("/"), "/");
        assert_eq!(template(""), "/");
        assert_eq!(template("/api/v2/user-settings"), "/api/v2/user-settings");
        assert_eq!(template("/categories/7/"), "/categories/{category_id}/");
        assert_eq!(template("/addresses/7"), "/addresses/{address_id}");
        assert_eq!(template("/blobs/deadbeef01"), "/blobs/{blob_id}");
        assert_eq!(template("/customers/cus_9s8d7f6g5h"), "/customers/{customer_id}");
        assert_eq!(template("/7/8"), "/{id}/{id2}");
        assert_eq!(template("/users/{user_id}/notes/5"), "/users/{user_id}/notes/{note_id}");
        assert_eq!(template("/users/2/users/3"), "/users/{user_id}/users/{user_id2}");
    }

    /// A segment that stays literal: a word, maybe with one digit.
    pub(crate) fn literal() -> impl Strategy<Value = String> {
        "[a-z][a-z_-]{0,9}[0-9]?".prop_filter("not id-like", |s| id_shape(s).is_none())
    }

    /// A segment that is an id, of any of the shapes recognised.
    pub(crate) fn id() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<u64>().prop_map(|n| n.to_string()),
            "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            "[0-9a-f]{7,24}[0-9]",
            "[a-z]{2,5}_[a-zA-Z0-9]{2,8}[0-9]{3}",
        ]
        .prop_filter("id-like", |s| id_shape(s).is_some())
    }

    /// Any text split into segments, `{…}`, `%`, spaces and non-ASCII
    /// included.
    fn any_path() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::collection::vec("[^/]{0,12}", 0..8).prop_map(|s| format!("/{}", s.join("/"))),
            ".{0,64}",
        ]
    }

    /// The template's `{name}` segments, in order.
    fn placeholders(template: &str) -> Vec<&str> {
        template
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .collect()
    }

    proptest! {
        /// Two paths to one route, which differ only in their ids, have
        /// the same template, and each id comes out under the same name.
        #[test]
        fn paths_that_differ_only_in_ids_share_a_template(
            route in prop::collection::vec((any::<bool>(), literal(), id(), id()), 1..8),
        ) {
            let path = |pick: fn(&(bool, String, String, String)) -> &String| {
                let segments: Vec<&str> = route
                    .iter()
                    .map(|seg| if seg.0 { pick(seg).as_str() } else { seg.1.as_str() })
                    .collect();
                format!("/{}", segments.join("/"))
            };
            let (first, second) = (path(|s| &s.2), path(|s| &s.3));
            let ((template_a, values_a), (template_b, values_b)) = (infer(&first), infer(&second));
            prop_assert_eq!(&template_a, &template_b);
            let names = |values: &[PathValue]| values.iter().map(|v| v.name.clone()).collect::<Vec<_>>();
            prop_assert_eq!(names(&values_a), names(&values_b));
            prop_assert_eq!(values_a.len(), route.iter().filter(|seg| seg.0).count());
        }

        /// A path without an id-like segment is its own template.
        #[test]
        fn a_path_without_ids_is_its_own_template(
            segments in prop::collection::vec(
                prop_oneof![literal(), "[^/]{0,12}"].prop_filter("literal", |s| id_shape(s).is_none()),
                0..8,
            ),
        ) {
            let path = format!("/{}", segments.join("/"));
            let (template, values) = infer(&path);
            prop_assert_eq!(template, path);
            prop_assert!(values.is_empty());
        }

        /// On any text: no panic, the same answer every time, one parameter
        /// per id-like segment with a name of its own that appears once in
        /// the template, and putting the values back gives the path again.
        #[test]
        fn one_parameter_per_id_segment_and_values_put_back_give_the_path(path in any_path()) {
            let (template, values) = infer(&path);
            prop_assert_eq!(infer(&path), (template.clone(), values.clone()));

            let ids = path.split('/').skip(1).filter(|s| id_shape(s).is_some()).count();
            prop_assert_eq!(values.len(), ids);
            let found = placeholders(&template);
            for value in &values {
                prop_assert_eq!(found.iter().filter(|n| **n == value.name).count(), 1);
                prop_assert_eq!(id_shape(&value.value), Some(value.shape));
            }

            let mut remaining = values.iter().peekable();
            let rebuilt: Vec<String> = template
                .split('/')
                .map(|segment| match remaining.peek() {
                    Some(value) if segment == format!("{{{}}}", value.name) => {
                        remaining.next().map(|v| v.value.clone()).unwrap_or_default()
                    }
                    _ => segment.to_owned(),
                })
                .collect();
            prop_assert!(remaining.next().is_none());
            let expected = if path.is_empty() { "/" } else { path.as_str() };
            if path.starts_with('/') || path.is_empty() {
                prop_assert_eq!(rebuilt.join("/"), expected);
            }
        }
    }
}
