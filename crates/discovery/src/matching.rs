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

use trespass_model::{Operation, ParamLocation, Parameter};

use crate::harvest::Harvested;

/// Whether a harvested id fits a parameter of an operation.
pub fn fits(id: &Harvested, operation: &Operation, param: &Parameter) -> bool {
    let key = normalize(&id.key);
    let name = param_key(param);
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

/// What an id is indexed under: its normalized key when the key names its
/// object (`userid`), or its collection in the singular when the key is a
/// plain `id`. [`fits`] holds exactly when the id's key is among the
/// parameter's [`lookup_keys`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum IndexKey {
    /// A key that names its object, normalized.
    Name(String),
    /// A plain id's collection, normalized, in the singular.
    Collection(String),
}

/// The key an id is indexed under, or `None` when it cannot fit anything.
pub(crate) fn index_key(id: &Harvested) -> Option<IndexKey> {
    let key = normalize(&id.key);
    if !matches!(key.as_str(), "id" | "uuid" | "guid") {
        return Some(IndexKey::Name(key));
    }
    let collection = singular(&normalize(&id.collection));
    (!collection.is_empty()).then_some(IndexKey::Collection(collection))
}

/// The keys under which ids that fit `param` of `operation` are indexed.
pub(crate) fn lookup_keys(operation: &Operation, param: &Parameter) -> Vec<IndexKey> {
    let name = param_key(param);
    let stem = stem(&name);
    let path_collection = singular(&normalize(collection_before(&operation.path, &param.name)));
    let mut keys = vec![IndexKey::Name(name)];
    for collection in [stem, path_collection] {
        let key = IndexKey::Collection(collection);
        if !matches!(&key, IndexKey::Collection(c) if c.is_empty()) && !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys
}

/// A parameter's name as ids are matched against it: [`normalize`]d, and
/// for a header without the customary `X-` prefix, so that `X-Account-Id`
/// takes the ids that `account_id` takes.
pub(crate) fn param_key(param: &Parameter) -> String {
    let name = param.name.as_str();
    let bare = match param.location {
        ParamLocation::Header => {
            name.get(..2).filter(|p| p.eq_ignore_ascii_case("x-")).map_or(name, |_| &name[2..])
        }
        _ => name,
    };
    normalize(bare)
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
    use trespass_model::Method;

    fn param(name: &str) -> Parameter {
        Parameter {
            name: name.into(),
            choices: Vec::new(),
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
    fn headers_match_without_their_x_prefix() {
        let header = Parameter { location: ParamLocation::Header, ..param("X-Account-Id") };
        assert!(fits(&id("id", "accounts"), &op("/transactions"), &header));
        assert!(fits(&id("account_id", "x"), &op("/transactions"), &header));
        let query = param("X-Account-Id");
        assert!(!fits(&id("id", "accounts"), &op("/transactions"), &query));
    }

    #[test]
    fn the_index_agrees_with_fits() {
        let ids = [
            id("id", "users"),
            id("id", "categories"),
            id("user_id", "invoices"),
            id("accountId", "x"),
            id("id", "me"),
            id("id", ""),
        ];
        let cases = [
            ("/users/{user_id}", "user_id"),
            ("/users/{id}", "id"),
            ("/profiles/{user_id}", "user_id"),
            ("/categories/{categoryId}", "categoryId"),
            ("/a/{account_id}", "account_id"),
            ("/orders/{order_id}", "order_id"),
            ("/{id}", "id"),
        ];
        for harvested in &ids {
            for (path, name) in cases {
                let (operation, param) = (op(path), param(name));
                let by_index = index_key(harvested)
                    .is_some_and(|k| lookup_keys(&operation, &param).contains(&k));
                assert_eq!(by_index, fits(harvested, &operation, &param), "{harvested:?} {path}");
            }
        }
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
