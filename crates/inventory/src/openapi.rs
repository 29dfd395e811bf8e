//! OpenAPI 3.0 and 3.1 documents to an [`Inventory`].
//!
//! [`build`] takes the parsed [`Document`] (whatever syntax it came in),
//! checks that it declares OpenAPI 3.x, and walks it:
//! the title, the base path from `servers` (see [`crate::servers`]), the
//! security schemes (see [`crate::security`]), then every path item in
//! document order (each read into a `Value` of its own, walked and
//! dropped) and every method in it, each becoming an [`Operation`]
//! with its parameters (see [`crate::parameters`]), security and
//! documented responses.
//!
//! Only a document that is not OpenAPI 3.x at all is an error. Everything
//! else that is wrong (a dangling `$ref`, a malformed parameter, a path
//! parameter the template uses but nobody declares) is repaired or skipped,
//! and said in [`Inventory::warnings`], so that one bad corner of a large
//! spec does not stop a scan.
//!
//! Known gaps: path-level and operation-level `servers` are ignored (only
//! the document's first server gives the base path); `webhooks` and
//! `callbacks` are not operations of the API and are skipped; request-body
//! fields come from `allOf` members but not from `oneOf`/`anyOf`
//! alternatives.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Map, Value};
use trespass_model::{
    Inventory, Method, Operation, ParamLocation, Parameter, SecurityScheme, SkippedOperation,
};

use crate::document::{Document, Paths};
use crate::error::InventoryError;
use crate::heuristic::is_object_reference;
use crate::parameters::{Reader, body_fields, parameter_list};
use crate::refs::{Resolver, escape_token};
use crate::{security, servers};

/// Reads an OpenAPI 3.x document into an inventory. `origin` names the
/// document in errors.
pub(crate) fn build(doc: &Document, origin: &str) -> Result<Inventory, InventoryError> {
    let root = check_version(&doc.root, origin)?;
    let resolver = Resolver::for_document(doc);
    let mut warnings = Vec::new();

    let title = root.get("info").and_then(|info| info.get("title")).and_then(Value::as_str);
    let base_path = servers::base_path(root.get("servers"), &mut warnings);
    let security_schemes = security::schemes(
        resolver,
        root.get("components").and_then(|components| components.get("securitySchemes")),
        &mut warnings,
    );
    let global_security = root
        .get("security")
        .and_then(|security| security::requirements(security, "security", &mut warnings))
        .unwrap_or_default();

    let mut walker =
        Walker { resolver, global_security, warnings, operations: Vec::new(), skipped: Vec::new() };
    match &doc.paths {
        Paths::Items(items) => {
            // One path item at a time: read, walked, dropped (unless a
            // `$ref` into `paths` already read and kept it).
            for item in items {
                match doc.already_read(item) {
                    Some(value) => walker.path_item(&item.key, value),
                    None => walker.path_item(&item.key, &doc.item(item)),
                }
            }
        }
        Paths::NotAnObject(found) => {
            walker.warnings.push(format!("paths: expected an object, found {found}"));
        }
        Paths::Missing => {
            walker.warnings.push("paths: missing; the document declares no operations".to_owned())
        }
    }

    let mut warnings = walker.warnings;
    walker.operations.shrink_to_fit();
    warn_undeclared_schemes(
        &walker.global_security,
        &walker.operations,
        &security_schemes,
        &mut warnings,
    );
    tracing::debug!(
        origin,
        operations = walker.operations.len(),
        warnings = warnings.len(),
        "read OpenAPI document"
    );
    Ok(Inventory {
        title: title.map(str::to_owned),
        base_path,
        operations: walker.operations,
        security_schemes,
        warnings,
        skipped: walker.skipped,
    })
}

/// The document's root object, if it declares OpenAPI 3.x.
fn check_version<'a>(
    doc: &'a Value,
    origin: &str,
) -> Result<&'a Map<String, Value>, InventoryError> {
    let not_openapi =
        |found: String| InventoryError::NotOpenApi { origin: origin.to_owned(), found };
    let Some(root) = doc.as_object() else {
        return Err(not_openapi(match doc {
            Value::Null => "found an empty document".to_owned(),
            other => format!("found {}, not an object", kind_of(other)),
        }));
    };
    match root.get("openapi") {
        // YAML reads an unquoted `openapi: 3.1` as a number.
        Some(Value::String(version)) if is_openapi_3(version) => Ok(root),
        Some(Value::Number(version)) if is_openapi_3(&version.to_string()) => Ok(root),
        Some(Value::String(version)) => {
            Err(not_openapi(format!("found openapi {:?}", brief(version))))
        }
        Some(Value::Number(version)) => Err(not_openapi(format!("found openapi {version}"))),
        Some(other) => Err(not_openapi(format!(
            "found openapi as {}, expected a version string",
            kind_of(other)
        ))),
        None => match root.get("swagger") {
            Some(swagger) => {
                let version = match swagger {
                    Value::String(text) => brief(text),
                    Value::Number(number) => number.to_string(),
                    other => kind_of(other).to_owned(),
                };
                Err(not_openapi(format!("found swagger {version:?}")))
            }
            None => Err(not_openapi("no \"openapi\" field".to_owned())),
        },
    }
}

/// At most the first 40 characters of a document's text, for messages.
fn brief(text: &str) -> String {
    const LIMIT: usize = 40;
    if text.chars().count() <= LIMIT {
        text.to_owned()
    } else {
        let mut short: String = text.chars().take(LIMIT).collect();
        short.push('…');
        short
    }
}

/// `3.0.3`, `3.1.0`, `3.1`: any 3.x. A later 3.x is read with 3.1's rules.
fn is_openapi_3(version: &str) -> bool {
    version
        .trim()
        .strip_prefix("3.")
        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
}

/// The walk over `paths`, collecting operations and warnings.
struct Walker<'a> {
    resolver: Resolver<'a>,
    global_security: Vec<Vec<String>>,
    warnings: Vec<String>,
    operations: Vec<Operation>,
    /// Operations too broken to use, with the method known.
    skipped: Vec<SkippedOperation>,
}

impl Walker<'_> {
    /// Every operation of one path item, in the order its keys appear.
    fn path_item(&mut self, key: &str, item: &Value) {
        if key.starts_with("x-") {
            return;
        }
        let here = format!("paths.{key}");
        let path = if key.starts_with('/') {
            key.to_owned()
        } else {
            self.warnings
                .push(format!("{here}: path does not start with \"/\"; read as \"/{key}\""));
            format!("/{key}")
        };
        let item = match self.resolver.follow(item) {
            Ok(item) => item,
            Err(error) => {
                self.warnings.push(format!("{here}: {error}; its operations are skipped"));
                return;
            }
        };
        let Some(fields) = item.as_object() else {
            let found = kind_of(item);
            self.warnings.push(format!("{here}: expected a path item object, found {found}"));
            return;
        };

        let shared = {
            let mut reader =
                Reader { resolver: self.resolver, path: &path, warnings: &mut self.warnings };
            parameter_list(&mut reader, fields.get("parameters"), &format!("{here}.parameters"))
        };
        for (method_key, operation) in fields {
            let Ok(method) = method_key.parse::<Method>() else {
                continue;
            };
            let source = format!("/paths/{}/{}", escape_token(key), escape_token(method_key));
            self.operation(
                method,
                &path,
                &format!("{here}.{method_key}"),
                source,
                operation,
                &shared,
            );
        }
    }

    /// One operation object.
    fn operation(
        &mut self,
        method: Method,
        path: &str,
        here: &str,
        source: String,
        operation: &Value,
        shared: &[Parameter],
    ) {
        let Some(fields) = operation.as_object() else {
            let found = kind_of(operation);
            let reason = format!("{here}: expected an operation object, found {found}");
            self.warnings.push(reason.clone());
            self.skipped.push(SkippedOperation { method, path: path.to_owned(), reason });
            return;
        };

        let (own, body) = {
            let mut reader = Reader { resolver: self.resolver, path, warnings: &mut self.warnings };
            let own = parameter_list(
                &mut reader,
                fields.get("parameters"),
                &format!("{here}.parameters"),
            );
            let body = body_fields(&mut reader, operation, here);
            (own, body)
        };
        if let Some(responses) = fields.get("responses") {
            warn_url_refs(responses, &format!("{here}.responses"), &mut self.warnings);
        }
        let mut parameters = merge(shared, own);
        self.add_undeclared_path_parameters(path, here, &mut parameters);
        parameters.extend(body);
        // Kept for the whole scan, once per operation: without the spare
        // room a growing vector leaves (a first push makes room for four).
        parameters.shrink_to_fit();

        // An operation's `security` replaces the document's, even when empty.
        let security = match fields.get("security") {
            Some(value) => {
                security::requirements(value, &format!("{here}.security"), &mut self.warnings)
                    .unwrap_or_else(|| self.global_security.clone())
            }
            None => self.global_security.clone(),
        };

        self.operations.push(Operation {
            method,
            path: path.to_owned(),
            operation_id: fields.get("operationId").and_then(Value::as_str).map(str::to_owned),
            tags: fields
                .get("tags")
                .and_then(Value::as_array)
                .map(|tags| tags.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                .unwrap_or_default(),
            parameters,
            security,
            responses: fields
                .get("responses")
                .and_then(Value::as_object)
                .map(|responses| {
                    responses.keys().filter(|code| !code.starts_with("x-")).cloned().collect()
                })
                .unwrap_or_default(),
            source,
        });
    }

    /// A `{name}` in the template that no path parameter declares is added
    /// as a required string, so the operation can still be probed.
    fn add_undeclared_path_parameters(
        &mut self,
        path: &str,
        here: &str,
        parameters: &mut Vec<Parameter>,
    ) {
        for name in template_names(path) {
            let declared =
                parameters.iter().any(|p| p.location == ParamLocation::Path && p.name == name);
            if declared {
                continue;
            }
            self.warnings.push(format!(
                "{here}: path parameter {name:?} is not declared; assuming a required string"
            ));
            parameters.push(Parameter {
                name: name.to_owned(),
                choices: Vec::new(),
                location: ParamLocation::Path,
                required: true,
                schema_type: Some("string".to_owned()),
                format: None,
                example: None,
                object_reference: is_object_reference(
                    name,
                    ParamLocation::Path,
                    Some("string"),
                    None,
                    path,
                ),
            });
        }
    }
}

/// Path-level parameters overlaid with the operation's own: an operation
/// parameter with the same name and location replaces the path-level one
/// in place, and new ones follow. Header names compare without case.
fn merge(shared: &[Parameter], own: Vec<Parameter>) -> Vec<Parameter> {
    let key = |parameter: &Parameter| {
        let name = if parameter.location == ParamLocation::Header {
            parameter.name.to_ascii_lowercase()
        } else {
            parameter.name.clone()
        };
        (parameter.location, name)
    };
    let mut merged = shared.to_vec();
    let mut positions: HashMap<(ParamLocation, String), usize> =
        merged.iter().enumerate().map(|(index, parameter)| (key(parameter), index)).collect();
    for parameter in own {
        let slot = positions.get(&key(&parameter)).and_then(|&index| merged.get_mut(index));
        match slot {
            Some(known) => *known = parameter,
            None => {
                positions.insert(key(&parameter), merged.len());
                merged.push(parameter);
            }
        }
    }
    merged
}

/// The distinct `{name}` placeholders of a path template, in order.
fn template_names(path: &str) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let after = rest.get(open + 1..).unwrap_or_default();
        let Some(close) = after.find('}') else {
            break;
        };
        let name = after.get(..close).unwrap_or_default();
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
        rest = after.get(close + 1..).unwrap_or_default();
    }
    names
}

/// One warning for each scheme name that a security requirement uses but
/// `components.securitySchemes` does not declare.
fn warn_undeclared_schemes(
    global: &[Vec<String>],
    operations: &[Operation],
    declared: &BTreeMap<String, SecurityScheme>,
    warnings: &mut Vec<String>,
) {
    let used = global.iter().chain(operations.iter().flat_map(|op| op.security.iter())).flatten();
    let mut reported = BTreeSet::new();
    for name in used {
        if !declared.contains_key(name) && reported.insert(name.as_str()) {
            warnings.push(format!(
                "security: requirement names scheme {name:?}, which components.securitySchemes \
                 does not declare"
            ));
        }
    }
}

/// What a JSON value is, with its article, for messages: `an object`.
pub(crate) fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Warns of every `$ref` to a URL inside `value`, which the reader never
/// resolves (responses are read by their status codes only), so that a
/// reference trespass did not follow is never silent. Nothing is fetched.
/// The location is spelled out only for a warning, so a large tree of
/// responses costs a walk and no allocation.
fn warn_url_refs(value: &Value, here: &str, warnings: &mut Vec<String>) {
    fn walk<'v>(
        value: &'v Value,
        trail: &mut Vec<Step<'v>>,
        here: &str,
        warnings: &mut Vec<String>,
    ) {
        match value {
            Value::Object(fields) => {
                if let Some(Value::String(reference)) = fields.get("$ref")
                    && reference.contains("://")
                {
                    let mut at = here.to_owned();
                    for step in trail.iter() {
                        match step {
                            Step::Key(key) => {
                                at.push('.');
                                at.push_str(key);
                            }
                            Step::Index(i) => at.push_str(&format!("[{i}]")),
                        }
                    }
                    warnings.push(format!(
                        "{at}: $ref {reference:?} names a URL, which trespass never fetches; \
                         left unresolved"
                    ));
                }
                for (key, item) in fields {
                    trail.push(Step::Key(key));
                    walk(item, trail, here, warnings);
                    trail.pop();
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    trail.push(Step::Index(i));
                    walk(item, trail, here, warnings);
                    trail.pop();
                }
            }
            _ => {}
        }
    }
    enum Step<'v> {
        Key(&'v str),
        Index(usize),
    }
    walk(value, &mut Vec::new(), here, warnings);
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn inventory(doc: Value) -> Inventory {
        build(&Document::from_value(doc), "test.yaml").unwrap()
    }

    fn names(operation: &Operation) -> Vec<(&str, ParamLocation)> {
        operation.parameters.iter().map(|p| (p.name.as_str(), p.location)).collect()
    }

    #[test]
    fn operations_follow_document_order_with_their_facts() {
        let found = inventory(json!({
            "openapi": "3.0.3",
            "info": {"title": "Things", "version": "1"},
            "servers": [{"url": "https://api.example.com/v1/"}],
            "paths": {
                "/things/{thing_id}": {
                    "summary": "a thing",
                    "delete": {"responses": {"204": {}}},
                    "get": {
                        "operationId": "getThing",
                        "tags": ["things", 7],
                        "responses": {"200": {}, "404": {}, "default": {}, "x-extra": {}}
                    },
                    "parameters": [
                        {"name": "thing_id", "in": "path", "schema": {"type": "integer"}}
                    ]
                },
                "x-internal": {"get": {}},
                "/things": {"post": {}}
            }
        }));
        assert_eq!(found.title.as_deref(), Some("Things"));
        assert_eq!(found.base_path, "/v1");
        assert_eq!(found.warnings, Vec::<String>::new());
        let labels: Vec<String> = found.operations.iter().map(Operation::label).collect();
        assert_eq!(labels, ["DELETE /things/{thing_id}", "GET /things/{thing_id}", "POST /things"]);
        let get = &found.operations[1];
        assert_eq!(get.operation_id.as_deref(), Some("getThing"));
        assert_eq!(get.tags, ["things"]);
        assert_eq!(get.responses, ["200", "404", "default"]);
        assert_eq!(get.source, "/paths/~1things~1{thing_id}/get");
        assert_eq!(get.parameters.len(), 1);
        assert!(get.parameters[0].object_reference);
        assert_eq!(get.parameters[0].schema_type.as_deref(), Some("integer"));
    }

    #[test]
    fn operation_security_overrides_the_documents() {
        let found = inventory(json!({
            "openapi": "3.1.0",
            "security": [{"key": []}],
            "components": {"securitySchemes": {
                "key": {"type": "apiKey", "name": "X-API-Key", "in": "header"},
                "bearer": {"type": "http", "scheme": "bearer"}
            }},
            "paths": {"/a": {
                "get": {},
                "put": {"security": [{"bearer": [], "key": []}, {"key": []}]},
                "post": {"security": []},
                "patch": {"security": [{}, {"key": []}]},
                "delete": {"security": "nope"}
            }}
        }));
        let security: Vec<(&str, &Vec<Vec<String>>)> =
            found.operations.iter().map(|op| (op.method.as_str(), &op.security)).collect();
        let key = vec!["key".to_owned()];
        assert_eq!(
            security,
            [
                ("GET", &vec![key.clone()]),
                ("PUT", &vec![vec!["bearer".to_owned(), "key".to_owned()], key.clone()]),
                ("POST", &vec![]),
                ("PATCH", &vec![vec![], key.clone()]),
                ("DELETE", &vec![key.clone()]),
            ]
        );
        assert!(found.operations[0].requires_credential());
        assert!(!found.operations[2].requires_credential());
        assert!(!found.operations[3].requires_credential());
        assert_eq!(found.security_schemes["bearer"], SecurityScheme::HttpBearer);
        assert_eq!(found.warnings, ["paths./a.delete.security: expected an array, found a string"]);
    }

    #[test]
    fn no_security_anywhere_means_none() {
        let found = inventory(json!({"openapi": "3.0.0", "paths": {"/a": {"get": {}}}}));
        assert_eq!(found.operations[0].security, Vec::<Vec<String>>::new());
    }

    #[test]
    fn undeclared_scheme_names_are_warned_once() {
        let found = inventory(json!({
            "openapi": "3.0.0",
            "security": [{"ApiKeyAuth": []}],
            "paths": {"/a": {"get": {}, "post": {"security": [{"ApiKeyAuth": [], "Other": []}]}}}
        }));
        assert_eq!(
            found.warnings,
            [
                "security: requirement names scheme \"ApiKeyAuth\", which \
                 components.securitySchemes does not declare",
                "security: requirement names scheme \"Other\", which \
                 components.securitySchemes does not declare",
            ]
        );
    }

    #[test]
    fn operation_parameters_override_path_parameters_of_the_same_name_and_location() {
        let found = inventory(json!({
            "openapi": "3.0.0",
            "paths": {"/users/{id}": {
                "parameters": [
                    {"name": "id", "in": "path", "schema": {"type": "string"}},
                    {"name": "X-Tenant", "in": "header"},
                    {"name": "verbose", "in": "query"}
                ],
                "get": {"parameters": [
                    {"name": "id", "in": "path", "schema": {"type": "integer"}},
                    {"name": "x-tenant", "in": "header", "required": true},
                    {"name": "verbose", "in": "header"}
                ]}
            }}
        }));
        let get = &found.operations[0];
        assert_eq!(
            names(get),
            [
                ("id", ParamLocation::Path),
                ("x-tenant", ParamLocation::Header),
                ("verbose", ParamLocation::Query),
                ("verbose", ParamLocation::Header),
            ]
        );
        assert_eq!(get.parameters[0].schema_type.as_deref(), Some("integer"));
        assert!(get.parameters[1].required);
    }

    #[test]
    fn dangling_parameter_ref_is_a_warning_and_the_template_parameter_is_assumed() {
        let found = inventory(json!({
            "openapi": "3.0.0",
            "components": {"parameters": {"Limit": {"name": "limit", "in": "query"}}},
            "paths": {"/users/{id}": {"get": {"parameters": [
                {"$ref": "#/components/parameters/Limit"},
                {"name": "verbose", "in": "query"},
                {"$ref": "#/components/parameters/Nope"}
            ]}}}
        }));
        assert_eq!(
            found.warnings,
            [
                "paths./users/{id}.get.parameters[2]: \
                 $ref \"#/components/parameters/Nope\" does not resolve",
                "paths./users/{id}.get: path parameter \"id\" is not declared; \
                 assuming a required string",
            ]
        );
        let get = &found.operations[0];
        assert_eq!(
            names(get),
            [
                ("limit", ParamLocation::Query),
                ("verbose", ParamLocation::Query),
                ("id", ParamLocation::Path)
            ]
        );
        let id = &get.parameters[2];
        assert!(id.required && id.object_reference);
        assert_eq!(id.schema_type.as_deref(), Some("string"));
    }

    #[test]
    fn path_item_refs_are_followed_and_broken_ones_skip_the_path() {
        let found = inventory(json!({
            "openapi": "3.1.0",
            "components": {"pathItems": {"Pet": {"get": {"operationId": "getPet"}}}},
            "paths": {
                "/pets/{petId}": {"$ref": "#/components/pathItems/Pet"},
                "/auth": {"$ref": "auth.yaml#/components/paths/auth"},
                "/loop": {"$ref": "#/paths/~1loop"},
                "/gone": {"$ref": "#/components/pathItems/Gone"}
            }
        }));
        assert_eq!(found.operations.len(), 1);
        assert_eq!(found.operations[0].operation_id.as_deref(), Some("getPet"));
        assert_eq!(found.operations[0].source, "/paths/~1pets~1{petId}/get");
        assert_eq!(
            found.warnings,
            [
                "paths./pets/{petId}.get: path parameter \"petId\" is not declared; \
                 assuming a required string",
                "paths./auth: $ref \"auth.yaml#/components/paths/auth\" \
                 names another file that could not be inlined; \
                 its operations are skipped",
                "paths./loop: $ref \"#/paths/~1loop\" is circular; its operations are skipped",
                "paths./gone: $ref \"#/components/pathItems/Gone\" does not resolve; \
                 its operations are skipped",
            ]
        );
    }

    #[test]
    fn body_fields_follow_the_declared_parameters() {
        let found = inventory(json!({
            "openapi": "3.0.0",
            "paths": {"/orders": {"post": {
                "parameters": [{"name": "dry_run", "in": "query"}],
                "requestBody": {"content": {"application/json": {"schema": {
                    "type": "object", "required": ["product_id"],
                    "properties": {
                        "product_id": {"type": "string", "format": "uuid"},
                        "quantity": {"type": "integer"}
                    }
                }}}}
            }}}
        }));
        let post = &found.operations[0];
        assert_eq!(
            names(post),
            [
                ("dry_run", ParamLocation::Query),
                ("product_id", ParamLocation::Body),
                ("quantity", ParamLocation::Body)
            ]
        );
        assert!(post.parameters[1].required && post.parameters[1].object_reference);
        assert!(!post.parameters[2].required && !post.parameters[2].object_reference);
    }

    #[test]
    fn malformed_structure_is_warned_not_fatal() {
        let found = inventory(json!({
            "openapi": "3.0.0",
            "paths": {
                "/a": {"get": "nope", "post": {"parameters": {"name": "x"}}},
                "b": {"get": {}},
                "/c": []
            }
        }));
        assert_eq!(found.operations.len(), 2);
        assert_eq!(found.operations[1].path, "/b");
        assert_eq!(
            found.warnings,
            [
                "paths./a.get: expected an operation object, found a string",
                "paths./a.post.parameters: expected an array, found an object",
                "paths.b: path does not start with \"/\"; read as \"/b\"",
                "paths./c: expected a path item object, found an array",
            ]
        );
        // The broken operation whose method is known is listed for the
        // report's coverage; `/c`'s methods cannot be known.
        assert_eq!(
            found.skipped,
            [SkippedOperation {
                method: Method::Get,
                path: "/a".to_owned(),
                reason: "paths./a.get: expected an operation object, found a string".to_owned(),
            }]
        );
        let empty = inventory(json!({"openapi": "3.1.0", "webhooks": {}}));
        assert_eq!(empty.operations, []);
        assert_eq!(empty.warnings, ["paths: missing; the document declares no operations"]);
    }

    #[test]
    fn version_check_accepts_openapi_3_only() {
        let build = |doc: Value, origin: &str| build(&Document::from_value(doc), origin);
        let error = |doc: Value| build(doc, "x.yaml").unwrap_err().to_string();
        assert!(build(json!({"openapi": "3.0.3"}), "x").is_ok());
        assert!(build(json!({"openapi": 3.1}), "x").is_ok());
        assert!(build(json!({"openapi": "3.2.0"}), "x").is_ok());
        assert_eq!(
            error(json!({"swagger": "1.2", "paths": {}})),
            "spec x.yaml is not an OpenAPI 3.x or Swagger 2.0 document: found swagger \"1.2\""
        );
        assert_eq!(
            error(json!({"info": {}})),
            "spec x.yaml is not an OpenAPI 3.x or Swagger 2.0 document: no \"openapi\" field"
        );
        assert_eq!(
            error(json!({"openapi": "2.5"})),
            "spec x.yaml is not an OpenAPI 3.x or Swagger 2.0 document: found openapi \"2.5\""
        );
        assert_eq!(
            error(json!({"openapi": "30"})),
            "spec x.yaml is not an OpenAPI 3.x or Swagger 2.0 document: found openapi \"30\""
        );
        assert_eq!(
            error(json!({"openapi": true})),
            "spec x.yaml is not an OpenAPI 3.x or Swagger 2.0 document: \
             found openapi as a boolean, expected a version string"
        );
        assert_eq!(
            error(json!({"openapi": 2})),
            "spec x.yaml is not an OpenAPI 3.x or Swagger 2.0 document: found openapi 2"
        );
        assert_eq!(
            error(json!({"openapi": "x".repeat(1000)})),
            format!(
                "spec x.yaml is not an OpenAPI 3.x or Swagger 2.0 document: found openapi \"{}…\"",
                "x".repeat(40)
            )
        );
        assert_eq!(
            error(json!([1])),
            "spec x.yaml is not an OpenAPI 3.x or Swagger 2.0 document: found an array, not an object"
        );
        assert_eq!(
            error(Value::Null),
            "spec x.yaml is not an OpenAPI 3.x or Swagger 2.0 document: found an empty document"
        );
    }

    #[test]
    fn url_refs_in_responses_are_warned_of_and_the_operation_kept() {
        let found = inventory(json!({
            "openapi": "3.0.3",
            "paths": {"/users/{user_id}": {"get": {
                "parameters": [{"name": "user_id", "in": "path", "required": true}],
                "responses": {
                    "200": {"$ref": "https://example.invalid/c.yaml#/components/responses/User"},
                    "404": {"content": {"application/json": {"schema": {"allOf": [
                        {"$ref": "#/components/schemas/Local"},
                        {"$ref": "http://example.invalid/e.json"}
                    ]}}}}
                }
            }}}
        }));
        assert_eq!(found.operations.len(), 1);
        assert_eq!(found.operations[0].responses, ["200", "404"]);
        assert_eq!(
            found.warnings,
            [
                "paths./users/{user_id}.get.responses.200: $ref \
                 \"https://example.invalid/c.yaml#/components/responses/User\" names a URL, which \
                 trespass never fetches; left unresolved",
                "paths./users/{user_id}.get.responses.404.content.application/json.schema.allOf[1]: \
                 $ref \"http://example.invalid/e.json\" names a URL, which trespass never fetches; \
                 left unresolved",
            ]
        );
    }

    #[test]
    fn template_names_are_distinct_and_ordered() {
        assert_eq!(template_names("/a/{x}/b/{y}.json/{x}"), ["x", "y"]);
        assert_eq!(template_names("/a/{}/{open"), Vec::<&str>::new());
    }
}
