//! Harvesting ids from JSON bodies.
//!
//! [`harvest`] walks a body, nested objects and arrays included, and keeps
//! every scalar under a key that names an id (`id`, `uuid`, `user_id`,
//! `accountId`), together with the collection the object sits in: the key
//! that holds it (`{"accounts": [{"id": 11}]}` → `accounts`), or, at the top
//! level and under generic wrappers (`data`, `items`, `results`), the
//! collection of the request's path (`/users` → `users`).
//!
//! It also keeps **natural keys**: string values under a key that names a
//! user by name rather than by number (`username`, `user_name`, `login`,
//! `handle`, `email`). An identity's `/me` or user listing shows its own
//! `username`, and so discovery learns it as owned like any id; a
//! `username` every identity saw (a team page) is shared, as any id would
//! be. Numbers under those keys are not natural keys, and `name` is not
//! one either: display names are everywhere and name nobody uniquely.

use serde_json::Value;

/// Depth beyond which a body is not walked further; bodies are untrusted.
const MAX_DEPTH: usize = 32;
/// Ids longer than this are not ids but blobs.
const MAX_ID_LEN: usize = 128;
/// Keys that wrap a collection without naming it.
const WRAPPERS: &[&str] = &[
    "data", "items", "results", "result", "records", "content", "list", "values", "entries", "rows",
];

/// One id found in a body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Harvested {
    /// The key it was found under (`id`, `user_id`).
    pub key: String,
    /// Its value as text (`7`, `3f2a…`).
    pub value: String,
    /// The collection its object belongs to (`users`).
    pub collection: String,
}

/// Every id in `body`; `collection` names the collection of the request
/// that returned it.
pub fn harvest(body: &Value, collection: &str) -> Vec<Harvested> {
    let mut out = Vec::new();
    walk(body, collection, 0, &mut out);
    out
}

fn walk(value: &Value, collection: &str, depth: usize, out: &mut Vec<Harvested>) {
    if depth > MAX_DEPTH {
        return;
    }
    match value {
        Value::Array(items) => {
            for item in items {
                walk(item, collection, depth + 1, out);
            }
        }
        Value::Object(fields) => {
            for (key, field) in fields {
                let text = if is_id_key(key) {
                    id_text(field)
                } else if is_natural_key(key) {
                    field.as_str().and_then(|_| id_text(field))
                } else {
                    None
                };
                if let Some(text) = text {
                    out.push(Harvested {
                        key: key.clone(),
                        value: text,
                        collection: collection.to_owned(),
                    });
                }
                if field.is_object() || field.is_array() {
                    let inner = if WRAPPERS.contains(&key.to_ascii_lowercase().as_str()) {
                        collection
                    } else {
                        key.as_str()
                    };
                    walk(field, inner, depth + 1, out);
                }
            }
        }
        _ => {}
    }
}

/// Whether a JSON key names an id.
fn is_id_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    matches!(lower.as_str(), "id" | "uuid" | "guid" | "_id")
        || lower.ends_with("_id")
        || lower.ends_with("-id")
        || lower.ends_with("_uuid")
        || key.ends_with("Id")
        || key.ends_with("ID")
        || key.ends_with("Uuid")
}

/// Keys, [`normalize`](crate::normalize)d, whose string values name a
/// user: its natural key.
pub(crate) const NATURAL_KEYS: [&str; 4] = ["username", "login", "handle", "email"];

/// Whether a JSON key holds a natural key (`username`, `user_name`,
/// `Login`, `email`).
pub(crate) fn is_natural_key(key: &str) -> bool {
    NATURAL_KEYS.contains(&crate::normalize(key).as_str())
}

/// The text of an id value, or `None` for values that cannot be ids.
fn id_text(value: &Value) -> Option<String> {
    let text = match value {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => return None,
    };
    let usable = !text.is_empty()
        && text.len() <= MAX_ID_LEN
        && !text.chars().any(|c| c.is_whitespace() || c.is_control());
    usable.then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn triples(body: Value, collection: &str) -> Vec<(String, String, String)> {
        harvest(&body, collection).into_iter().map(|h| (h.key, h.value, h.collection)).collect()
    }

    fn t(k: &str, v: &str, c: &str) -> (String, String, String) {
        (k.into(), v.into(), c.into())
    }

    #[test]
    fn top_level_arrays_take_the_request_collection() {
        let body = json!([{"id": 1, "name": "Alice"}, {"id": "u-2"}]);
        assert_eq!(triples(body, "users"), vec![t("id", "1", "users"), t("id", "u-2", "users")]);
    }

    #[test]
    fn nested_collections_take_their_key_and_wrappers_are_transparent() {
        let body = json!({
            "accounts": [{"id": 11, "owner": {"userId": 1}}],
            "data": [{"id": 5, "tenant_id": "acme"}],
            "total": 1
        });
        assert_eq!(
            triples(body, "accounts"),
            vec![
                t("id", "11", "accounts"),
                t("userId", "1", "owner"),
                t("id", "5", "accounts"),
                t("tenant_id", "acme", "accounts"),
            ]
        );
    }

    #[test]
    fn values_that_cannot_be_ids_are_skipped() {
        let long = "x".repeat(MAX_ID_LEN + 1);
        let body = json!({"id": null, "uuid": true, "user_id": "", "guid": long, "ID": "a b"});
        assert!(harvest(&body, "x").is_empty());
    }

    #[test]
    fn natural_keys_are_harvested_as_strings_only() {
        let body = json!({
            "id": 1,
            "username": "alice",
            "user_name": "alice.a",
            "Login": "alice-gh",
            "email": "alice@acme.example",
            "handle": 42,
            "name": "Alice Anders",
            "display_name": "alice",
            "owner": {"username": "carol"},
        });
        assert_eq!(
            triples(body, "me"),
            vec![
                t("id", "1", "me"),
                t("username", "alice", "me"),
                t("user_name", "alice.a", "me"),
                t("Login", "alice-gh", "me"),
                t("email", "alice@acme.example", "me"),
                t("username", "carol", "owner"),
            ]
        );
    }

    #[test]
    fn deep_bodies_stop_at_the_depth_cap() {
        let mut body = json!({"id": 1});
        for _ in 0..100 {
            body = json!([body]);
        }
        assert!(harvest(&body, "x").is_empty());
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn json_value() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                any::<i64>().prop_map(Value::from),
                ".{0,40}".prop_map(Value::String),
            ];
            leaf.prop_recursive(8, 128, 6, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                    prop::collection::btree_map("(id|[a-zA-Z_]{1,10}(_id|Id)?)", inner, 0..6)
                        .prop_map(|m| Value::Object(m.into_iter().collect())),
                ]
            })
        }

        proptest! {
            /// Any body is walked without panicking, and everything harvested
            /// is a usable id under an id key.
            #[test]
            fn everything_harvested_is_a_usable_id(body in json_value()) {
                for h in harvest(&body, "things") {
                    prop_assert!(is_id_key(&h.key) || is_natural_key(&h.key));
                    prop_assert!(!h.value.is_empty() && h.value.len() <= MAX_ID_LEN);
                    prop_assert!(!h.value.chars().any(|c| c.is_whitespace() || c.is_control()));
                }
            }

            /// An id planted in a named collection, under any number of
            /// generic wrappers within the depth cap, is found in that
            /// collection.
            #[test]
            fn a_planted_id_is_found_in_its_collection(
                id in 1u32..1_000_000,
                wrappers in prop::collection::vec(prop::sample::select(WRAPPERS), 0..8),
                noise in json_value(),
            ) {
                let mut body = serde_json::json!({ "users": [{ "id": id, "noise": noise }] });
                for wrapper in &wrappers {
                    let mut wrapped = serde_json::Map::new();
                    wrapped.insert((*wrapper).to_owned(), body);
                    body = Value::Object(wrapped);
                }
                let found = harvest(&body, "ignored");
                let planted = Harvested {
                    key: "id".to_owned(),
                    value: id.to_string(),
                    collection: "users".to_owned(),
                };
                prop_assert!(found.contains(&planted), "{found:?}");
            }
        }
    }
}
