//! HAR 1.2 captures (from a browser, Burp, ZAP or mitmproxy) to an
//! [`Inventory`], with the ids each identity was seen to use.
//!
//! [`from_str`] reads `log.entries` in order. Each entry's URL path becomes
//! a template (see [`crate::template`]: `/users/42` → `/users/{user_id}`),
//! and entries with the same method and template are one operation, whose
//! query parameters are the union of those seen, whose documented responses
//! are the statuses seen, and whose JSON or form body fields (top level)
//! become body parameters with the first value seen as their example.
//! Requests for static assets (`.js`, `.css`, images, fonts) are skipped.
//!
//! Who made a request is recognised by its credential: a header, query
//! parameter or cookie whose value is one of the scan identities' secrets
//! (also as `Bearer <secret>`). The place it was found becomes a security
//! scheme of the inventory and the operation's security requirement, and
//! the path ids of that identity's successful (2xx) requests are returned
//! in [`Capture::observed`], to seed discovery. Secrets are only compared,
//! never stored: a query parameter or body field that carries one is left
//! out of the inventory, and nothing in a [`Capture`] holds one.
//!
//! The capture's hosts are not used: requests go to the scan's target, and
//! the base path is empty (the paths are kept whole).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use trespass_model::{
    ApiKeyLocation, IdentityName, Inventory, Method, Operation, ParamLocation, Parameter, Secret,
    SecurityScheme,
};
use url::Url;

use crate::error::InventoryError;
use crate::heuristic::is_object_reference;
use crate::openapi::kind_of;
use crate::security::scheme_name;
use crate::syntax;
use crate::template::{self, PathValue};

/// File endings of requests that are not API calls.
const STATIC_ENDINGS: [&str; 16] = [
    ".js", ".mjs", ".css", ".map", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".ico", ".webp",
    ".woff", ".woff2", ".ttf", ".eot", ".html",
];

/// What a capture says: the operations, and which ids each identity used.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Capture {
    /// The operations of the capture.
    pub inventory: Inventory,
    /// Path ids each identity requested successfully, by parameter name
    /// (`user_id` → `["1"]`), in the shape of an identity's `owns`.
    pub observed: BTreeMap<IdentityName, BTreeMap<String, Vec<String>>>,
    /// Entries read (requests, static ones included).
    pub entries: usize,
}

/// A credential to recognise in the capture, and whose it is.
#[derive(Clone, Copy, Debug)]
pub struct KnownCredential<'a> {
    /// The identity it belongs to.
    pub name: &'a IdentityName,
    /// Its secret.
    pub secret: &'a Secret,
}

/// Reads a HAR capture from a file; see [`from_str`].
pub fn load_file(
    path: &std::path::Path,
    known: &[KnownCredential<'_>],
) -> Result<Capture, InventoryError> {
    let text = crate::read_file(path, trespass_input::InputKind::HAR)?;
    from_str(&text, &path.display().to_string(), known)
}

/// Reads a HAR capture from text; `origin` names it in messages.
pub fn from_str(
    text: &str,
    origin: &str,
    known: &[KnownCredential<'_>],
) -> Result<Capture, InventoryError> {
    let doc = syntax::parse_document(text, origin)?;
    let not_har = |found: String| InventoryError::NotHar { origin: origin.to_owned(), found };
    let entries = match doc.get("log").map(|log| (log, log.get("entries"))) {
        Some((_, Some(Value::Array(entries)))) => entries,
        Some((_, Some(other))) => {
            return Err(not_har(format!("log.entries is {}, expected an array", kind_of(other))));
        }
        Some((_, None)) => return Err(not_har("no \"log.entries\"".to_owned())),
        None => return Err(not_har("no \"log\" object".to_owned())),
    };

    let mut reader = Reader { known, ..Reader::default() };
    for (index, entry) in entries.iter().enumerate() {
        reader.entry(index, entry);
    }
    Ok(reader.finish(entries.len()))
}

/// One operation as entries add to it.
#[derive(Debug)]
struct Seen {
    operation: Operation,
    schemes: BTreeSet<String>,
    anonymous: bool,
}

#[derive(Debug, Default)]
struct Reader<'k> {
    known: &'k [KnownCredential<'k>],
    seen: Vec<Seen>,
    schemes: BTreeMap<String, SecurityScheme>,
    observed: BTreeMap<IdentityName, BTreeMap<String, Vec<String>>>,
    warnings: Vec<String>,
    skipped_static: usize,
}

impl Reader<'_> {
    fn entry(&mut self, index: usize, entry: &Value) {
        let here = format!("log.entries[{index}]");
        let request = entry.get("request");
        let method = request.and_then(|r| r.get("method")).and_then(Value::as_str);
        let url = request.and_then(|r| r.get("url")).and_then(Value::as_str);
        let (Some(method), Some(url)) = (method, url) else {
            self.warnings.push(format!("{here}: no request.method and request.url strings"));
            return;
        };
        let Ok(method) = method.parse::<Method>() else {
            self.warnings.push(format!("{here}: method {method:?} is not supported; skipped"));
            return;
        };
        let url = match Url::parse(url) {
            Ok(url) => url,
            Err(error) => {
                self.warnings.push(format!("{here}: request.url is not a URL ({error}); skipped"));
                return;
            }
        };
        let path = url.path();
        if STATIC_ENDINGS.iter().any(|ending| path.to_ascii_lowercase().ends_with(ending)) {
            self.skipped_static += 1;
            return;
        }
        let status = entry.get("response").and_then(|r| r.get("status")).and_then(Value::as_u64);

        // A secret in the path (`/keys/<key>`) must not become part of a
        // template or an example: the entry is left out.
        let secrets: Vec<&str> = self.known.iter().map(|k| k.secret.expose()).collect();
        if secrets.iter().any(|s| !s.is_empty() && path.contains(s)) {
            self.warnings
                .push(format!("{here}: the path carries an identity's credential; skipped"));
            return;
        }
        let (template, values) = template::infer(path);
        let (identity, scheme) = self.recognise(request, &url);
        let position = match self
            .seen
            .iter()
            .position(|s| s.operation.method == method && s.operation.path == template)
        {
            Some(position) => position,
            None => {
                self.seen.push(Seen {
                    operation: new_operation(method, &template, &values, &here),
                    schemes: BTreeSet::new(),
                    anonymous: false,
                });
                self.seen.len() - 1
            }
        };
        let Some(seen) = self.seen.get_mut(position) else {
            return;
        };
        match scheme {
            Some(scheme) => {
                seen.schemes.insert(scheme);
            }
            // A credential of nobody the scan knows proves nothing about
            // anonymous access; only a request without any does.
            None if !looks_authenticated(request) => seen.anonymous = true,
            None => {}
        }
        if let Some(status) = status.filter(|s| (100..600).contains(s)) {
            let code = status.to_string();
            if !seen.operation.responses.contains(&code) {
                seen.operation.responses.push(code);
            }
        }
        add_query(&mut seen.operation, &url, &secrets);
        if let Some(post) = request.and_then(|r| r.get("postData")) {
            add_body(&mut seen.operation, post, &secrets);
        }

        // Ids this identity reached: evidence of what it owns.
        let succeeded = status.is_some_and(|s| (200..300).contains(&s));
        if let (Some(name), true) = (identity, succeeded) {
            let owned = self.observed.entry(name).or_default();
            for PathValue { name, value, .. } in values {
                let ids = owned.entry(name).or_default();
                if !ids.contains(&value) {
                    ids.push(value);
                }
            }
        }
    }

    /// The identity whose secret the request carries, and the name of the
    /// security scheme for where it was carried.
    fn recognise(
        &mut self,
        request: Option<&Value>,
        url: &Url,
    ) -> (Option<IdentityName>, Option<String>) {
        let list = |key: &str| {
            request.and_then(|r| r.get(key)).and_then(Value::as_array).map(Vec::as_slice)
        };
        let pairs = |key: &'static str| {
            list(key).unwrap_or_default().iter().filter_map(|pair| {
                Some((pair.get("name")?.as_str()?, pair.get("value")?.as_str()?))
            })
        };
        for known in self.known {
            let secret = known.secret.expose();
            if secret.is_empty() {
                continue;
            }
            let found = pairs("headers")
                .find_map(|(name, value)| {
                    if value == secret {
                        Some(SecurityScheme::ApiKey {
                            name: name.to_owned(),
                            location: ApiKeyLocation::Header,
                        })
                    } else if name.eq_ignore_ascii_case("authorization")
                        && value.get(..7).is_some_and(|p| p.eq_ignore_ascii_case("bearer "))
                        && value.get(7..).map(str::trim) == Some(secret)
                    {
                        Some(SecurityScheme::HttpBearer)
                    } else {
                        None
                    }
                })
                .or_else(|| {
                    url.query_pairs().find(|(_, value)| value == secret).map(|(name, _)| {
                        SecurityScheme::ApiKey {
                            name: name.into_owned(),
                            location: ApiKeyLocation::Query,
                        }
                    })
                })
                .or_else(|| {
                    pairs("cookies").find(|(_, value)| *value == secret).map(|(name, _)| {
                        SecurityScheme::ApiKey {
                            name: name.to_owned(),
                            location: ApiKeyLocation::Cookie,
                        }
                    })
                });
            if let Some(scheme) = found {
                let scheme_name = scheme_name(&scheme);
                self.schemes.entry(scheme_name.clone()).or_insert(scheme);
                return (Some(known.name.clone()), Some(scheme_name));
            }
        }
        (None, None)
    }

    fn finish(mut self, entries: usize) -> Capture {
        if self.skipped_static > 0 {
            self.warnings.push(format!(
                "{} request(s) for static files (scripts, styles, images, fonts) skipped",
                self.skipped_static
            ));
        }
        let operations = self
            .seen
            .into_iter()
            .map(|mut seen| {
                // Any credential seen is an alternative; a request seen
                // without one is anonymous access, as far as the capture
                // shows.
                seen.operation.security = seen.schemes.into_iter().map(|s| vec![s]).collect();
                if seen.anonymous && !seen.operation.security.is_empty() {
                    seen.operation.security.push(Vec::new());
                }
                seen.operation
            })
            .collect();
        Capture {
            inventory: Inventory {
                title: None,
                base_path: String::new(),
                operations,
                security_schemes: self.schemes,
                warnings: self.warnings,
                skipped: Vec::new(),
            },
            observed: self.observed,
            entries,
        }
    }
}

/// Whether a request carries something that may be a credential: an
/// `Authorization` header, a header whose name holds `key` or `token`, or
/// cookies.
fn looks_authenticated(request: Option<&Value>) -> bool {
    let has_cookies = request
        .and_then(|r| r.get("cookies"))
        .and_then(Value::as_array)
        .is_some_and(|cookies| !cookies.is_empty());
    let headers = request.and_then(|r| r.get("headers")).and_then(Value::as_array);
    has_cookies
        || headers.into_iter().flatten().any(|header| {
            let name = header.get("name").and_then(Value::as_str).unwrap_or_default();
            let name = name.to_ascii_lowercase();
            name == "authorization"
                || name == "cookie"
                || name.contains("key")
                || name.contains("token")
        })
}

/// A new operation for a template, with its path parameters.
fn new_operation(method: Method, template: &str, values: &[PathValue], here: &str) -> Operation {
    let parameters = values
        .iter()
        .map(|value| {
            let (schema_type, format) = value.shape.schema();
            Parameter {
                name: value.name.clone(),
                choices: Vec::new(),
                location: ParamLocation::Path,
                required: true,
                schema_type: Some(schema_type.to_owned()),
                format: format.map(str::to_owned),
                example: Some(value.value.clone()),
                object_reference: is_object_reference(
                    &value.name,
                    ParamLocation::Path,
                    Some(schema_type),
                    format,
                    template,
                ),
            }
        })
        .collect();
    Operation {
        method,
        path: template.to_owned(),
        operation_id: None,
        tags: Vec::new(),
        parameters,
        security: Vec::new(),
        responses: Vec::new(),
        source: here.to_owned(),
    }
}

/// Adds the query parameters of one request that the operation lacks,
/// except any that carries a secret.
fn add_query(operation: &mut Operation, url: &Url, secrets: &[&str]) {
    for (name, value) in url.query_pairs() {
        if secrets.iter().any(|s| !s.is_empty() && value.contains(s)) {
            continue;
        }
        add_parameter(operation, &name, ParamLocation::Query, Some(value.into_owned()));
    }
}

/// Adds the top-level fields of a JSON or form body, with their values as
/// examples, except any that carries a secret.
fn add_body(operation: &mut Operation, post: &Value, secrets: &[&str]) {
    let mime = post.get("mimeType").and_then(Value::as_str).unwrap_or_default();
    let text = post.get("text").and_then(Value::as_str).unwrap_or_default();
    let carries_secret = |value: &str| secrets.iter().any(|s| !s.is_empty() && value.contains(s));
    if mime.contains("json") || text.trim_start().starts_with('{') {
        let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(text) else {
            return;
        };
        for (name, value) in fields {
            let example = match value {
                Value::String(text) => Some(text),
                Value::Number(number) => Some(number.to_string()),
                Value::Bool(flag) => Some(flag.to_string()),
                _ => None,
            };
            if example.as_deref().is_some_and(carries_secret) {
                continue;
            }
            add_parameter(operation, &name, ParamLocation::Body, example);
        }
    } else if let Some(params) = post.get("params").and_then(Value::as_array) {
        for param in params {
            let Some(name) = param.get("name").and_then(Value::as_str) else {
                continue;
            };
            let value = param.get("value").and_then(Value::as_str).map(str::to_owned);
            if value.as_deref().is_some_and(carries_secret) {
                continue;
            }
            add_parameter(operation, name, ParamLocation::Body, value);
        }
    }
}

fn add_parameter(
    operation: &mut Operation,
    name: &str,
    location: ParamLocation,
    example: Option<String>,
) {
    if operation.parameters.iter().any(|p| p.location == location && p.name == name) {
        return;
    }
    let example = example.filter(|_| !template::names_a_credential(name));
    let object_reference = is_object_reference(name, location, None, None, &operation.path);
    operation.parameters.push(Parameter {
        name: name.to_owned(),
        choices: Vec::new(),
        location,
        required: false,
        schema_type: None,
        format: None,
        example,
        object_reference,
    });
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;
    use crate::template::tests::{id, literal};

    fn entry(method: &str, url: &str, headers: Value, status: u16) -> Value {
        json!({
            "request": {"method": method, "url": url, "headers": headers, "cookies": []},
            "response": {"status": status}
        })
    }

    #[test]
    fn entries_become_operations_with_their_owners_ids() {
        let alice = IdentityName::new("alice");
        let bob = IdentityName::new("bob");
        let alice_key = Secret::new("key-of-alice-123");
        let bob_key = Secret::new("key-of-bob-456");
        let known = [
            KnownCredential { name: &alice, secret: &alice_key },
            KnownCredential { name: &bob, secret: &bob_key },
        ];
        let har = json!({"log": {"version": "1.2", "entries": [
            entry("GET", "https://api.example.com/users/1?expand=team&session=s3cr3t",
                  json!([{"name": "X-API-Key", "value": "key-of-alice-123"}]), 200),
            entry("GET", "https://api.example.com/users/2",
                  json!([{"name": "X-API-Key", "value": "key-of-bob-456"}]), 200),
            entry("GET", "https://api.example.com/users/3",
                  json!([{"name": "X-API-Key", "value": "key-of-bob-456"}]), 404),
            entry("GET", "https://api.example.com/app.js", json!([]), 200),
            entry("GET", "https://api.example.com/catalog?token=key-of-bob-456", json!([]), 200),
            entry("GET", "https://api.example.com/catalog", json!([]), 200),
            entry("GET", "https://api.example.com/users/9",
                  json!([{"name": "X-API-Key", "value": "someone-else"}]), 200),
            entry("GET", "https://api.example.com/keys/key-of-bob-456", json!([]), 200),
            {
                "request": {
                    "method": "POST", "url": "https://api.example.com/orders",
                    "headers": [{"name": "Authorization", "value": "Bearer key-of-alice-123"}],
                    "postData": {"mimeType": "application/json",
                                 "text": "{\"product_id\": 7, \"note\": \"key-of-alice-123\"}"}
                },
                "response": {"status": 201}
            },
            {"request": {"method": "BREW", "url": "https://api.example.com/pot"}},
        ]}});
        let capture = from_str(&har.to_string(), "x.har", &known).unwrap();
        assert_eq!(capture.entries, 10);
        let labels: Vec<String> =
            capture.inventory.operations.iter().map(Operation::label).collect();
        assert_eq!(labels, ["GET /users/{user_id}", "GET /catalog", "POST /orders"]);

        let user = &capture.inventory.operations[0];
        assert_eq!(user.security, [["header X-API-Key"]]);
        assert_eq!(user.responses, ["200", "404"]);
        assert_eq!(user.source, "log.entries[0]");
        let names: Vec<(&str, bool)> =
            user.parameters.iter().map(|p| (p.name.as_str(), p.object_reference)).collect();
        assert_eq!(names, [("user_id", true), ("expand", false), ("session", false)]);
        // A value named like a credential is never kept, known or not.
        assert_eq!(user.parameters[1].example.as_deref(), Some("team"));
        assert_eq!(user.parameters[2].example, None);

        // The key in the query string is recognised and left out; the
        // catalog was also read without any credential.
        let catalog = &capture.inventory.operations[1];
        assert_eq!(catalog.security, [vec!["query token".to_owned()], vec![]]);
        assert!(catalog.parameters.is_empty());

        let order = &capture.inventory.operations[2];
        assert_eq!(order.security, [["bearer"]]);
        let fields: Vec<&str> = order.parameters.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(fields, ["product_id"]);
        assert_eq!(order.parameters[0].example.as_deref(), Some("7"));

        let observed: Vec<(&str, &BTreeMap<String, Vec<String>>)> =
            capture.observed.iter().map(|(k, v)| (k.as_str(), v)).collect();
        let ids = |id: &str| BTreeMap::from([("user_id".to_owned(), vec![id.to_owned()])]);
        assert_eq!(observed, [("alice", &ids("1")), ("bob", &ids("2"))]);

        assert_eq!(
            capture.inventory.security_schemes["header X-API-Key"],
            SecurityScheme::ApiKey { name: "X-API-Key".into(), location: ApiKeyLocation::Header }
        );
        assert_eq!(
            capture.inventory.warnings,
            [
                "log.entries[7]: the path carries an identity's credential; skipped",
                "log.entries[9]: method \"BREW\" is not supported; skipped",
                "1 request(s) for static files (scripts, styles, images, fonts) skipped",
            ]
        );
        // No secret anywhere in what the capture returns.
        let dump = format!("{capture:?}");
        assert!(!dump.contains("key-of-alice") && !dump.contains("key-of-bob"), "{dump}");
        assert!(!dump.contains("s3cr3t"), "{dump}");
    }

    #[test]
    fn a_file_that_is_not_a_har_says_what_it_has() {
        let error = |text: &str| from_str(text, "x.har", &[]).unwrap_err().to_string();
        assert_eq!(
            error("{\"openapi\": \"3.0.0\"}"),
            "x.har is not a HAR capture: no \"log\" object"
        );
        assert_eq!(
            error("{\"log\": {\"entries\": {}}}"),
            "x.har is not a HAR capture: log.entries is an object, expected an array"
        );
        assert_eq!(
            error("{\"log\": \n[}"),
            "spec x.har is not valid JSON at line 2, column 2: expected value"
        );
    }

    /// A capture of `paths`, each read with `GET` and answered `200`.
    fn capture_of(paths: &[String]) -> Capture {
        let entries: Vec<Value> = paths
            .iter()
            .map(|path| entry("GET", &format!("https://api.example.com{path}"), json!([]), 200))
            .collect();
        let har = json!({"log": {"version": "1.2", "entries": entries}});
        from_str(&har.to_string(), "x.har", &[]).unwrap()
    }

    /// Each operation's label with its parameters' names, sorted.
    fn shape(capture: &Capture) -> Vec<(String, Vec<String>)> {
        let mut shape: Vec<(String, Vec<String>)> = capture
            .inventory
            .operations
            .iter()
            .map(|op| (op.label(), op.parameters.iter().map(|p| p.name.clone()).collect()))
            .collect();
        shape.sort();
        shape
    }

    /// A path of literal and id segments: `true` marks an id.
    fn route() -> impl Strategy<Value = Vec<(bool, String)>> {
        prop::collection::vec(
            prop_oneof![literal().prop_map(|s| (false, s)), id().prop_map(|s| (true, s))],
            1..6,
        )
    }

    fn path_of(route: &[(bool, String)]) -> String {
        let segments: Vec<&str> = route.iter().map(|(_, s)| s.as_str()).collect();
        format!("/{}", segments.join("/"))
    }

    proptest! {
        /// Requests to one route with different ids are one operation, with
        /// one path parameter per id segment.
        #[test]
        fn requests_to_one_route_with_other_ids_are_one_operation(
            route in route(),
            others in prop::collection::vec(prop::collection::vec(id(), 6), 1..5),
        ) {
            let mut paths = vec![path_of(&route)];
            for ids in &others {
                let mut ids = ids.iter();
                let other: Vec<(bool, String)> = route
                    .iter()
                    .map(|(is_id, s)| match (is_id, ids.next()) {
                        (true, Some(id)) => (true, id.clone()),
                        _ => (*is_id, s.clone()),
                    })
                    .collect();
                paths.push(path_of(&other));
            }
            let capture = capture_of(&paths);
            prop_assert_eq!(capture.inventory.operations.len(), 1);
            let operation = &capture.inventory.operations[0];
            let ids = route.iter().filter(|(is_id, _)| *is_id).count();
            prop_assert_eq!(operation.parameters.len(), ids);
            prop_assert!(operation.parameters.iter().all(|p| p.location == ParamLocation::Path));
        }

        /// The operations and their parameters do not depend on the order
        /// of the entries.
        #[test]
        fn the_order_of_entries_does_not_change_the_operations(
            (paths, shuffled) in prop::collection::vec(route().prop_map(|r| path_of(&r)), 0..12)
                .prop_flat_map(|paths| (Just(paths.clone()), Just(paths).prop_shuffle())),
        ) {
            prop_assert_eq!(shape(&capture_of(&paths)), shape(&capture_of(&shuffled)));
        }
    }
}
