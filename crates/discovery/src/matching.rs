//! Which harvested ids fit which parameter.
//!
//! The rule, applied to a harvested id and a path parameter:
//!
//! 1. A key that names its object (`user_id`, `userId`) fits a parameter
//!    of the same name, compared without case, `_` or `-`.
//! 2. A plain `id` (or `uuid`) fits when its collection is the one the
//!    parameter names: the collection before `{param}` in the path
//!    (`/users/{id}`), or the parameter's own stem (`{user_id}` → `user`),
//!    compared in the singular.
//!
//! So `/profiles/{user_id}` takes the ids of the `users` collection, and
//! `/users/{id}` and `/catalog/{item_id}` take those of their own
//! collections, but `/orders/{id}` does not take user ids.

use trespass_model::{Operation, Parameter};

use crate::harvest::Harvested;

/// Whether a harvested id fits a parameter of an operation.
pub fn fits(id: &Harvested, operation: &Operation, param: &Parameter) -> bool {
    let key = normalize(&id.key);
    let name = normalize(&param.name);
    let plain = matches!(key.as_str(), "id" | "uuid" | "guid");
    if !plain {
        return key == name;
    }

    let collection = singular(&normalize(&id.collection));
    if collection.is_empty() {
        return false;
    }
    let stem = stem(&name);
    let path_collection = singular(&normalize(collection_before(&operation.path, &param.name)));
    (!stem.is_empty() && collection == stem) || collection == path_collection
}

/// Lowercase, without `_`, `-` or `.`: `user_id`, `userId` and `User-ID`
/// all become `userid`.
pub fn normalize(name: &str) -> String {
    name.chars().filter(|c| !matches!(c, '_' | '-' | '.')).flat_map(char::to_lowercase).collect()
}

/// A normalized parameter name without its id suffix: `userid` → `user`,
/// `id` → ``.
fn stem(normalized: &str) -> String {
    for suffix in ["uuid", "guid", "id"] {
        if let Some(stem) = normalized.strip_suffix(suffix) {
            return stem.to_owned();
        }
    }
    normalized.to_owned()
}

/// The static segment right before `{param}` in a template.
fn collection_before<'a>(path: &'a str, param: &str) -> &'a str {
    let placeholder = format!("{{{param}}}");
    let segments: Vec<&str> = path.split('/').collect();
    segments
        .iter()
        .position(|s| *s == placeholder)
        .and_then(|i| segments[..i].iter().rev().find(|s| !s.is_empty() && !s.contains('{')))
        .copied()
        .unwrap_or("")
}

/// A crude singular of an English plural: `invoices` → `invoice`,
/// `categories` → `category`, `addresses` → `address`.
fn singular(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies") {
        format!("{stem}y")
    } else if let Some(stem) = word.strip_suffix("sses") {
        format!("{stem}ss")
    } else if word.ends_with("ss") {
        word.to_owned()
    } else if let Some(stem) = word.strip_suffix('s') {
        stem.to_owned()
    } else {
        word.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trespass_model::{Method, ParamLocation};

    fn param(name: &str) -> Parameter {
        Parameter {
            name: name.into(),
            location: ParamLocation::Path,
            required: true,
            schema_type: None,
            format: None,
            example: None,
            object_reference: true,
        }
    }

    fn op(path: &str) -> Operation {
        Operation {
            method: Method::Get,
            path: path.into(),
            operation_id: None,
            tags: vec![],
            parameters: vec![],
            security: vec![],
            responses: vec![],
            source: String::new(),
        }
    }

    fn id(key: &str, collection: &str) -> Harvested {
        Harvested { key: key.into(), value: "1".into(), collection: collection.into() }
    }

    #[test]
    fn plain_ids_fit_by_collection() {
        assert!(fits(&id("id", "users"), &op("/users/{user_id}"), &param("user_id")));
        assert!(fits(&id("id", "users"), &op("/users/{id}"), &param("id")));
        assert!(fits(&id("id", "users"), &op("/profiles/{user_id}"), &param("user_id")));
        assert!(fits(
            &id("id", "categories"),
            &op("/categories/{categoryId}"),
            &param("categoryId")
        ));
        assert!(!fits(&id("id", "orders"), &op("/users/{id}"), &param("id")));
        assert!(!fits(&id("id", "users"), &op("/orders/{order_id}"), &param("order_id")));
        assert!(fits(&id("id", "catalog"), &op("/catalog/{item_id}"), &param("item_id")));
        assert!(!fits(&id("id", "me"), &op("/users/{user_id}"), &param("user_id")));
    }

    #[test]
    fn named_ids_fit_by_name() {
        assert!(fits(&id("user_id", "invoices"), &op("/users/{userId}"), &param("userId")));
        assert!(fits(&id("accountId", "x"), &op("/a/{account_id}"), &param("account_id")));
        assert!(!fits(&id("tenant_id", "invoices"), &op("/users/{user_id}"), &param("user_id")));
    }

    #[test]
    fn singulars() {
        assert_eq!(singular("invoices"), "invoice");
        assert_eq!(singular("categories"), "category");
        assert_eq!(singular("addresses"), "address");
        assert_eq!(singular("address"), "address");
        assert_eq!(singular("me"), "me");
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// `user_id` written as `userId`, `User-ID`, `USER_ID`...
        fn spelling(words: &[String], style: u8) -> String {
            match style % 4 {
                0 => words.join("_"),
                1 => words.join("-").to_uppercase(),
                2 => words
                    .iter()
                    .enumerate()
                    .map(|(i, w)| if i == 0 { w.clone() } else { w[..1].to_uppercase() + &w[1..] })
                    .collect(),
                _ => words.join("."),
            }
        }

        proptest! {
            /// Normalizing twice changes nothing.
            #[test]
            fn normalize_is_idempotent(name in ".{0,24}") {
                prop_assert_eq!(normalize(&normalize(&name)), normalize(&name));
            }

            /// A key that names its object fits the parameter of the same
            /// name however either is spelled, in any collection.
            #[test]
            fn named_ids_fit_whatever_the_spelling(
                stem in prop::collection::vec("[a-z]{2,8}", 1..3),
                key_style in any::<u8>(),
                param_style in any::<u8>(),
                collection in "[a-z]{0,10}",
            ) {
                let mut words = stem.clone();
                words.push("id".to_owned());
                let key = spelling(&words, key_style);
                let name = spelling(&words, param_style);
                let path = format!("/{collection}/{{{name}}}");
                let found = Harvested { key, value: "7".into(), collection };
                prop_assert!(fits(&found, &op(&path), &param(&name)));
            }

            /// A named key never fits a parameter with another name.
            #[test]
            fn named_ids_do_not_fit_other_names(
                a in "[a-z]{2,8}", b in "[a-z]{2,8}", collection in "[a-z]{1,10}",
            ) {
                prop_assume!(a != b);
                let found = Harvested { key: format!("{a}_id"), value: "7".into(), collection };
                let name = format!("{b}_id");
                let path = format!("/x/{{{name}}}");
                prop_assert!(!fits(&found, &op(&path), &param(&name)));
            }
        }
    }
}
