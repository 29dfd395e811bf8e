//! Comparing responses by what they carry, not by their status.
//!
//! The central question of a BOLA verdict is whether a response carries the
//! owner's data. A bare 200 does not answer it: the endpoint may ignore the
//! id and return the caller's own object, or serve public data. So the rule
//! is by content:
//!
//! - The **values** of a JSON body are its scalar leaves as text (strings
//!   and numbers; `true`, `false` and `null` say nothing about an owner).
//!   A body that is not JSON is split into words of four characters or more.
//! - The **owner-unique** values are those of the owner's own response that
//!   the other identity's own object does not have, less the ids that were
//!   requested (an endpoint may echo the id it was asked for).
//! - A response **carries** the owner's data when it contains owner-unique
//!   values.
//!
//! Values that vary between identical requests (timestamps, request ids)
//! are unique to nobody in practice: they differ in every response, so they
//! never appear in another identity's response and cannot cause a verdict.

use std::collections::BTreeSet;

use serde_json::Value;
use trespass_probes::Reply;

/// Depth beyond which a body is not walked; bodies are untrusted.
const MAX_DEPTH: usize = 64;
/// Words shorter than this in non-JSON bodies are too common to prove
/// anything.
const MIN_WORD: usize = 4;

/// The values of a body, as described in the module docs.
pub fn values(reply: &Reply) -> BTreeSet<String> {
    match serde_json::from_slice::<Value>(&reply.body) {
        Ok(json) => {
            let mut out = BTreeSet::new();
            leaves(&json, 0, &mut out);
            out
        }
        Err(_) => words(&String::from_utf8_lossy(&reply.body)),
    }
}

/// Values of `owner` absent from `other` (the other identity's own object,
/// when known), less `excluded` (the requested ids).
pub fn owner_unique(
    owner: &BTreeSet<String>,
    other: Option<&BTreeSet<String>>,
    excluded: &[&str],
) -> BTreeSet<String> {
    owner
        .iter()
        .filter(|v| other.is_none_or(|o| !o.contains(*v)))
        .filter(|v| !excluded.contains(&v.as_str()))
        .cloned()
        .collect()
}

/// The owner-unique values that `candidate` carries.
pub fn carried<'u>(candidate: &BTreeSet<String>, unique: &'u BTreeSet<String>) -> Vec<&'u str> {
    unique.iter().filter(|v| candidate.contains(*v)).map(String::as_str).collect()
}

/// Whether two error bodies say different things once the requested ids are
/// masked and volatile-looking values are ignored. Only JSON bodies are
/// compared; text bodies too often embed dates or trace ids to be judged
/// without a learned noise model.
pub fn bodies_differ(a: &Reply, b: &Reply, ids: &[&str]) -> bool {
    let parse = |reply: &Reply| {
        let mut text = String::from_utf8_lossy(&reply.body).into_owned();
        for id in ids.iter().filter(|id| !id.is_empty()) {
            text = text.replace(id, "{id}");
        }
        serde_json::from_str::<Value>(&text).ok().map(|v| stable(&v, 0))
    };
    match (parse(a), parse(b)) {
        (Some(a), Some(b)) => a != b,
        _ => false,
    }
}

fn leaves(value: &Value, depth: usize, out: &mut BTreeSet<String>) {
    if depth > MAX_DEPTH {
        return;
    }
    match value {
        Value::String(s) if !s.is_empty() => {
            out.insert(s.clone());
        }
        Value::Number(n) => {
            out.insert(n.to_string());
        }
        Value::Array(items) => items.iter().for_each(|v| leaves(v, depth + 1, out)),
        Value::Object(fields) => fields.values().for_each(|v| leaves(v, depth + 1, out)),
        _ => {}
    }
}

fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_alphanumeric() || matches!(c, '@' | '.' | '-' | '_')))
        .filter(|w| w.chars().count() >= MIN_WORD)
        .map(str::to_owned)
        .collect()
}

/// A copy of `value` with volatile-looking strings (timestamps, UUIDs, long
/// hex or digit runs) replaced by a marker, so that two error bodies that
/// differ only in a trace id or a time compare equal.
fn stable(value: &Value, depth: usize) -> Value {
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    match value {
        Value::String(s) if looks_volatile(s) => Value::String("{volatile}".to_owned()),
        Value::Array(items) => Value::Array(items.iter().map(|v| stable(v, depth + 1)).collect()),
        Value::Object(fields) => {
            Value::Object(fields.iter().map(|(k, v)| (k.clone(), stable(v, depth + 1))).collect())
        }
        other => other.clone(),
    }
}

fn looks_volatile(s: &str) -> bool {
    let hexish = s.len() >= 16 && s.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    let timestamp = s.len() >= 10
        && s.as_bytes().get(4) == Some(&b'-')
        && s.as_bytes().get(7) == Some(&b'-')
        && s.get(..4).is_some_and(|y| y.bytes().all(|b| b.is_ascii_digit()));
    hexish || timestamp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(body: &str) -> Reply {
        Reply {
            status: 200,
            content_type: None,
            body: body.as_bytes().to_vec(),
            truncated: false,
            excerpt: String::new(),
        }
    }

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn json_values_are_scalar_leaves() {
        let r =
            reply(r#"{"id":1,"name":"Alice","tags":["a",{"x":2.5}],"ok":true,"n":null,"e":""}"#);
        assert_eq!(values(&r), set(&["1", "2.5", "Alice", "a"]));
    }

    #[test]
    fn text_values_are_words() {
        let r = reply("<p>Owner: alice@acme.example, plan gold</p>");
        assert_eq!(values(&r), set(&["Owner", "alice@acme.example", "gold", "plan"]));
    }

    #[test]
    fn unique_values_leave_out_the_other_object_and_requested_ids() {
        let owner = set(&["1", "Alice", "alice@x", "dark"]);
        let other = set(&["2", "Bob", "bob@x", "dark"]);
        assert_eq!(owner_unique(&owner, Some(&other), &["1"]), set(&["Alice", "alice@x"]));
        assert_eq!(owner_unique(&owner, None, &["1"]), set(&["Alice", "alice@x", "dark"]));
    }

    #[test]
    fn carried_lists_unique_values_present() {
        let unique = set(&["Alice", "alice@x"]);
        assert_eq!(carried(&set(&["Alice", "2"]), &unique), vec!["Alice"]);
        assert!(carried(&set(&["Bob"]), &unique).is_empty());
    }

    #[test]
    fn error_bodies_differ_only_in_stable_content() {
        let forbidden = reply(r#"{"error":"forbidden"}"#);
        let missing = reply(r#"{"error":"not found"}"#);
        assert!(bodies_differ(&forbidden, &missing, &["1"]));

        let a = reply(r#"{"error":"no user 11","trace":"4bf92f3577b34da6a3ce929d0e0e4736"}"#);
        let b = reply(r#"{"error":"no user 99999","trace":"00f067aa0ba902b7a3ce929d0e0e4736"}"#);
        assert!(!bodies_differ(&a, &b, &["11", "99999"]));

        let a = reply(r#"{"error":"nope","at":"2026-12-04T10:00:00Z"}"#);
        let b = reply(r#"{"error":"nope","at":"2026-12-04T10:00:01Z"}"#);
        assert!(!bodies_differ(&a, &b, &[]));

        assert!(!bodies_differ(&reply("forbidden"), &reply("not found"), &[]));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn json_value() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                any::<i64>().prop_map(Value::from),
                ".{0,12}".prop_map(Value::String),
            ];
            leaf.prop_recursive(6, 64, 6, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                    prop::collection::btree_map("[a-z_]{1,8}", inner, 0..6)
                        .prop_map(|m| Value::Object(m.into_iter().collect())),
                ]
            })
        }

        fn string_set() -> impl Strategy<Value = BTreeSet<String>> {
            prop::collection::btree_set("[a-z0-9]{1,6}", 0..12)
        }

        proptest! {
            /// Target bodies are untrusted: any bytes yield values, never a
            /// panic, and every value is non-empty.
            #[test]
            fn any_body_yields_values_without_panicking(body in prop::collection::vec(any::<u8>(), 0..512)) {
                let r = Reply { status: 200, content_type: None, body, truncated: false, excerpt: String::new() };
                prop_assert!(values(&r).iter().all(|v| !v.is_empty()));
            }

            /// Every non-empty string and every number of a JSON body is one
            /// of its values.
            #[test]
            fn json_leaves_are_values(value in json_value()) {
                let r = reply(&value.to_string());
                let found = values(&r);
                let mut expected = BTreeSet::new();
                leaves(&value, 0, &mut expected);
                prop_assert_eq!(found, expected);
            }

            /// The central no-false-alarm rule: a response that is only the
            /// other identity's own object carries nothing of the owner's.
            #[test]
            fn the_other_identitys_own_object_never_carries_owner_data(
                owner in string_set(), other in string_set(), ids in string_set(),
            ) {
                let excluded: Vec<&str> = ids.iter().map(String::as_str).collect();
                let unique = owner_unique(&owner, Some(&other), &excluded);
                prop_assert!(carried(&other, &unique).is_empty());
                prop_assert!(unique.is_subset(&owner));
                prop_assert!(unique.iter().all(|v| !ids.contains(v) && !other.contains(v)));
            }

            /// What is carried is unique to the owner and present in the
            /// candidate; the owner's own response carries all of it.
            #[test]
            fn carried_values_are_unique_and_present(
                owner in string_set(), other in string_set(), candidate in string_set(),
            ) {
                let unique = owner_unique(&owner, Some(&other), &[]);
                for v in carried(&candidate, &unique) {
                    prop_assert!(unique.contains(v) && candidate.contains(v));
                }
                prop_assert_eq!(carried(&owner, &unique).len(), unique.len());
            }

            /// A body never differs from itself, and the comparison is
            /// symmetric.
            #[test]
            fn bodies_differ_is_irreflexive_and_symmetric(
                a in json_value(), b in json_value(), id in "[0-9]{1,4}",
            ) {
                let (a, b) = (reply(&a.to_string()), reply(&b.to_string()));
                let ids = [id.as_str()];
                prop_assert!(!bodies_differ(&a, &a, &ids));
                prop_assert_eq!(bodies_differ(&a, &b, &ids), bodies_differ(&b, &a, &ids));
            }
        }
    }
}
