//! Security schemes and security requirements.
//!
//! [`schemes`] turns `components.securitySchemes` into the model's
//! [`SecurityScheme`]s by name; [`requirements`] turns a `security` array
//! (the document's or an operation's) into alternatives of scheme names, the
//! shape [`Operation::security`](trespass_model::Operation::security) has.
//! Malformed entries become warnings.

use std::collections::BTreeMap;

use serde_json::Value;
use trespass_model::{ApiKeyLocation, SecurityScheme};

use crate::openapi::kind_of;
use crate::refs::Resolver;

/// A stable name for a scheme that was inferred rather than declared (from a
/// HAR capture or a Postman collection): `header X-API-Key`, `bearer`,
/// `basic`.
pub(crate) fn scheme_name(scheme: &SecurityScheme) -> String {
    match scheme {
        SecurityScheme::ApiKey { name, location } => {
            let location = match location {
                ApiKeyLocation::Header => "header",
                ApiKeyLocation::Query => "query",
                ApiKeyLocation::Cookie => "cookie",
            };
            format!("{location} {name}")
        }
        SecurityScheme::HttpBearer => "bearer".to_owned(),
        SecurityScheme::HttpBasic => "basic".to_owned(),
        SecurityScheme::OAuth2 => "oauth2".to_owned(),
        SecurityScheme::Other { declared } => declared.clone(),
    }
}

/// The declared security schemes, by name.
pub(crate) fn schemes(
    resolver: Resolver<'_>,
    declared: Option<&Value>,
    warnings: &mut Vec<String>,
) -> BTreeMap<String, SecurityScheme> {
    let mut out = BTreeMap::new();
    let Some(declared) = declared else {
        return out;
    };
    let Some(declared) = declared.as_object() else {
        warnings.push(format!(
            "components.securitySchemes: expected an object, found {}",
            kind_of(declared)
        ));
        return out;
    };
    for (name, scheme) in declared {
        let here = format!("components.securitySchemes.{name}");
        let scheme = match resolver.follow(scheme) {
            Ok(scheme) => scheme,
            Err(error) => {
                warnings.push(format!("{here}: {error}"));
                continue;
            }
        };
        if let Some(scheme) = scheme_of(scheme, &here, warnings) {
            out.insert(name.clone(), scheme);
        }
    }
    out
}

fn scheme_of(scheme: &Value, here: &str, warnings: &mut Vec<String>) -> Option<SecurityScheme> {
    let Some(declared_type) = scheme.get("type").and_then(Value::as_str) else {
        warnings.push(format!("{here}: no \"type\" string; scheme ignored"));
        return None;
    };
    let scheme = if declared_type.eq_ignore_ascii_case("apiKey") {
        api_key(scheme, here, warnings)
    } else if declared_type.eq_ignore_ascii_case("http") {
        let http = scheme.get("scheme").and_then(Value::as_str).unwrap_or_default();
        if http.eq_ignore_ascii_case("bearer") {
            SecurityScheme::HttpBearer
        } else if http.eq_ignore_ascii_case("basic") {
            SecurityScheme::HttpBasic
        } else if http.is_empty() {
            SecurityScheme::Other { declared: "http".to_owned() }
        } else {
            SecurityScheme::Other { declared: format!("http {}", http.to_ascii_lowercase()) }
        }
    } else if declared_type.eq_ignore_ascii_case("oauth2")
        || declared_type.eq_ignore_ascii_case("openIdConnect")
    {
        SecurityScheme::OAuth2
    } else {
        SecurityScheme::Other { declared: declared_type.to_owned() }
    };
    Some(scheme)
}

fn api_key(scheme: &Value, here: &str, warnings: &mut Vec<String>) -> SecurityScheme {
    let name = scheme.get("name").and_then(Value::as_str);
    let location = match scheme.get("in").and_then(Value::as_str) {
        Some("header") => Some(ApiKeyLocation::Header),
        Some("query") => Some(ApiKeyLocation::Query),
        Some("cookie") => Some(ApiKeyLocation::Cookie),
        _ => None,
    };
    match (name, location) {
        (Some(name), Some(location)) => SecurityScheme::ApiKey { name: name.to_owned(), location },
        _ => {
            warnings.push(format!(
                "{here}: apiKey scheme needs a \"name\" and \"in\": header, query or cookie; \
                 found name {} and in {}",
                shown(scheme.get("name")),
                shown(scheme.get("in")),
            ));
            SecurityScheme::Other { declared: "apiKey".to_owned() }
        }
    }
}

/// A `security` array as alternatives of scheme names, or `None` (with a
/// warning) when it is not an array. `[]` gives no alternative (no
/// security); `[{}]` gives one empty alternative (anonymous access).
pub(crate) fn requirements(
    security: &Value,
    here: &str,
    warnings: &mut Vec<String>,
) -> Option<Vec<Vec<String>>> {
    let Some(list) = security.as_array() else {
        warnings.push(format!("{here}: expected an array, found {}", kind_of(security)));
        return None;
    };
    let mut alternatives = Vec::with_capacity(list.len());
    for (index, requirement) in list.iter().enumerate() {
        let Some(requirement) = requirement.as_object() else {
            warnings.push(format!(
                "{here}[{index}]: expected an object of scheme names, found {}; ignored",
                kind_of(requirement)
            ));
            continue;
        };
        alternatives.push(requirement.keys().cloned().collect());
    }
    Some(alternatives)
}

/// A value as it appears in a message: `"text"` or `missing`.
fn shown(value: Option<&Value>) -> String {
    match value {
        Some(value) => value.to_string(),
        None => "missing".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn load(declared: Value) -> (BTreeMap<String, SecurityScheme>, Vec<String>) {
        let root = json!({"components": {"securitySchemes": declared}});
        let mut warnings = Vec::new();
        let found = schemes(
            Resolver::new(&root),
            root.pointer("/components/securitySchemes"),
            &mut warnings,
        );
        (found, warnings)
    }

    #[test]
    fn every_kind_of_scheme_maps_to_the_model() {
        let (found, warnings) = load(json!({
            "key": {"type": "apiKey", "name": "X-API-Key", "in": "header"},
            "query": {"type": "apiKey", "name": "api_key", "in": "query"},
            "cookie": {"type": "apiKey", "name": "sid", "in": "cookie"},
            "bearer": {"type": "http", "scheme": "Bearer", "bearerFormat": "JWT"},
            "basic": {"type": "http", "scheme": "basic"},
            "digest": {"type": "http", "scheme": "Digest"},
            "oauth": {"type": "oauth2", "flows": {}},
            "oidc": {"type": "openIdConnect", "openIdConnectUrl": "https://x"},
            "tls": {"type": "mutualTLS"},
            "ref": {"$ref": "#/components/securitySchemes/key"}
        }));
        assert!(warnings.is_empty(), "{warnings:?}");
        let header = SecurityScheme::ApiKey {
            name: "X-API-Key".to_owned(),
            location: ApiKeyLocation::Header,
        };
        assert_eq!(found["key"], header);
        assert_eq!(
            found["query"],
            SecurityScheme::ApiKey { name: "api_key".to_owned(), location: ApiKeyLocation::Query }
        );
        assert_eq!(
            found["cookie"],
            SecurityScheme::ApiKey { name: "sid".to_owned(), location: ApiKeyLocation::Cookie }
        );
        assert_eq!(found["bearer"], SecurityScheme::HttpBearer);
        assert_eq!(found["basic"], SecurityScheme::HttpBasic);
        assert_eq!(found["digest"], SecurityScheme::Other { declared: "http digest".to_owned() });
        assert_eq!(found["oauth"], SecurityScheme::OAuth2);
        assert_eq!(found["oidc"], SecurityScheme::OAuth2);
        assert_eq!(found["tls"], SecurityScheme::Other { declared: "mutualTLS".to_owned() });
        assert_eq!(found["ref"], header);
    }

    #[test]
    fn malformed_schemes_are_warnings() {
        let (found, warnings) = load(json!({
            "noin": {"type": "apiKey", "name": "k"},
            "notype": {"name": "k"},
            "dangling": {"$ref": "#/components/securitySchemes/nope"}
        }));
        assert_eq!(found.len(), 1);
        assert_eq!(found["noin"], SecurityScheme::Other { declared: "apiKey".to_owned() });
        assert_eq!(
            warnings,
            [
                "components.securitySchemes.noin: apiKey scheme needs a \"name\" and \"in\": \
                 header, query or cookie; found name \"k\" and in missing",
                "components.securitySchemes.notype: no \"type\" string; scheme ignored",
                "components.securitySchemes.dangling: \
                 $ref \"#/components/securitySchemes/nope\" does not resolve",
            ]
        );
    }

    #[test]
    fn requirements_keep_alternatives_and_anonymous_access() {
        let mut warnings = Vec::new();
        let value = json!([{"a": [], "b": ["scope"]}, {}]);
        assert_eq!(
            requirements(&value, "security", &mut warnings),
            Some(vec![vec!["a".to_owned(), "b".to_owned()], vec![]])
        );
        assert_eq!(requirements(&json!([]), "security", &mut warnings), Some(vec![]));
        assert!(warnings.is_empty());
        assert_eq!(requirements(&json!({"a": []}), "security", &mut warnings), None);
        assert_eq!(warnings, ["security: expected an array, found an object"]);
    }
}
