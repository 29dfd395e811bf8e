//! Swagger 2.0 documents, rewritten in place into the OpenAPI 3.0 shape
//! that [`crate::openapi`] reads.
//!
//! [`upgrade_root`] rewrites the document's root and [`path_item`] each
//! path item as it is read (see [`crate::document`]); together they change
//! only what differs between the two versions, so every other rule (object
//! references, security, warnings, `$ref` handling) is the same for both:
//!
//! - `basePath` becomes `servers[0].url` (`host` and `schemes` are read
//!   for nothing: requests always go to the scan's target);
//! - `securityDefinitions` become `components.securitySchemes`: `apiKey`
//!   keeps its header or query placement, `basic` becomes HTTP basic and
//!   `oauth2` stays OAuth 2 (a bearer token);
//! - a non-body parameter's `type`, `format`, `items`, `enum`, `default` and
//!   `x-example` move into a `schema`, as OpenAPI 3 has them;
//! - the `in: body` parameter becomes the `requestBody`, under the first
//!   media type of the operation's (or the document's) `consumes`, and the
//!   `in: formData` parameters become the properties of a form body.
//!
//! `definitions`, `parameters` and `responses` stay at the root, so the
//! document's own `$ref`s (`#/definitions/Pet`) still point where they
//! did. The rewrite touches each operation once and copies only the
//! parameters it moves, so it adds little to the memory the parsed
//! document already holds.

use serde_json::{Map, Value, json};

/// Swagger parameter fields that OpenAPI 3 keeps in a parameter's `schema`.
const SCHEMA_FIELDS: [&str; 10] = [
    "type",
    "format",
    "items",
    "enum",
    "default",
    "minimum",
    "maximum",
    "pattern",
    "collectionFormat",
    "x-example",
];

/// Path item keys that hold operations.
const METHODS: [&str; 7] = ["get", "put", "post", "delete", "options", "head", "patch"];

/// Whether the document declares Swagger 2.x.
pub(crate) fn is_swagger_2(doc: &Value) -> bool {
    match doc.get("swagger") {
        Some(Value::String(version)) => version.trim().starts_with("2."),
        Some(Value::Number(version)) => version.as_f64().is_some_and(|v| (2.0..3.0).contains(&v)),
        _ => false,
    }
}

/// Rewrites the root of a Swagger 2.0 document (everything but its
/// `paths`) into the OpenAPI 3.0 shape, and returns the document's
/// `consumes`, which [`path_item`] needs for each item. The caller has
/// checked [`is_swagger_2`].
pub(crate) fn upgrade_root(doc: &mut Value) -> Vec<String> {
    let Some(root) = doc.as_object_mut() else {
        return Vec::new();
    };
    root.remove("swagger");
    root.insert("openapi".to_owned(), Value::String("3.0.0".to_owned()));

    if let Some(Value::String(base_path)) = root.remove("basePath") {
        root.insert("servers".to_owned(), json!([{ "url": base_path }]));
    }

    let mut components = Map::new();
    if let Some(Value::Object(definitions)) = root.remove("securityDefinitions") {
        let schemes: Map<String, Value> =
            definitions.into_iter().map(|(name, scheme)| (name, security_scheme(scheme))).collect();
        components.insert("securitySchemes".to_owned(), Value::Object(schemes));
    }
    root.insert("components".to_owned(), Value::Object(components));

    // Shared parameters: non-body ones get their schema now; body and form
    // ones are moved into request bodies where an operation uses them (see
    // `path_item`, which reads them from the root).
    if let Some(Value::Object(parameters)) = root.get_mut("parameters") {
        for parameter in parameters.values_mut() {
            move_schema_fields(parameter);
        }
    }
    media_types(root.get("consumes"))
}

/// Rewrites one path item of a Swagger 2.0 document: its shared
/// parameters, then each operation. `shared` is the rewritten root's
/// `parameters` (or null) and `consumes` what [`upgrade_root`] returned.
pub(crate) fn path_item(item: &mut Value, shared: &Value, consumes: &[String]) {
    let Some(fields) = item.as_object_mut() else {
        return;
    };

    // Body and form parameters declared for the whole path join each
    // operation's own; the others stay where they are.
    let mut inherited = Vec::new();
    if let Some(Value::Array(parameters)) = fields.get_mut("parameters") {
        let mut kept = Vec::with_capacity(parameters.len());
        for mut parameter in parameters.drain(..) {
            move_schema_fields(&mut parameter);
            if is_body_or_form(&parameter, shared) {
                inherited.push(parameter);
            } else {
                kept.push(parameter);
            }
        }
        *parameters = kept;
    }

    for method in METHODS {
        if let Some(operation) = fields.get_mut(method) {
            self::operation(operation, &inherited, shared, consumes);
        }
    }
}

/// One operation: schemas into place, and body and form parameters into a
/// `requestBody`.
fn operation(operation: &mut Value, inherited: &[Value], shared: &Value, consumes: &[String]) {
    let Some(fields) = operation.as_object_mut() else {
        return;
    };
    let own_consumes = fields.get("consumes").map(|c| media_types(Some(c)));
    let consumes = own_consumes.as_deref().unwrap_or(consumes);

    let mut body = None;
    let mut form: Vec<Value> = Vec::new();
    let mut kept = Vec::new();
    let declared = match fields.remove("parameters") {
        Some(Value::Array(parameters)) => parameters,
        // Not an array: left for the OpenAPI reader to warn about.
        Some(other) => {
            fields.insert("parameters".to_owned(), other);
            Vec::new()
        }
        None => Vec::new(),
    };
    for mut parameter in inherited.iter().cloned().chain(declared) {
        move_schema_fields(&mut parameter);
        let resolved = resolve_shared(&parameter, shared).unwrap_or(&parameter);
        match resolved.get("in").and_then(Value::as_str) {
            Some("body") => body = Some(resolved.get("schema").cloned().unwrap_or(json!({}))),
            Some("formData") => form.push(resolved.clone()),
            _ => kept.push(parameter),
        }
    }
    if !kept.is_empty() || fields.contains_key("parameters") {
        fields.insert("parameters".to_owned(), Value::Array(kept));
    }

    if let Some(schema) = body {
        let media_type = consumes
            .iter()
            .find(|m| is_json(m))
            .or(consumes.first())
            .map_or("application/json", String::as_str);
        fields.insert(
            "requestBody".to_owned(),
            json!({ "content": { media_type: { "schema": schema } } }),
        );
    } else if !form.is_empty() {
        let multipart = consumes.iter().any(|m| m.starts_with("multipart/form-data"))
            || form
                .iter()
                .any(|p| p.pointer("/schema/type").and_then(Value::as_str) == Some("file"));
        let media_type =
            if multipart { "multipart/form-data" } else { "application/x-www-form-urlencoded" };
        fields.insert(
            "requestBody".to_owned(),
            json!({ "content": { media_type: {
            "schema": form_schema(form)
        } } }),
        );
    }
}

/// The object schema of a form body, one property per form parameter.
fn form_schema(form: Vec<Value>) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for parameter in form {
        let Some(name) = parameter.get("name").and_then(Value::as_str).map(str::to_owned) else {
            continue;
        };
        if parameter.get("required").and_then(Value::as_bool) == Some(true) {
            required.push(Value::String(name.clone()));
        }
        properties.insert(name, parameter.get("schema").cloned().unwrap_or(json!({})));
    }
    json!({ "type": "object", "properties": properties, "required": required })
}

/// The shared parameter a `#/parameters/Name` reference names.
fn resolve_shared<'a>(parameter: &Value, shared: &'a Value) -> Option<&'a Value> {
    let reference = parameter.get("$ref")?.as_str()?;
    let name = reference.strip_prefix("#/parameters/")?;
    if name.contains('~') {
        shared.get(name.replace("~1", "/").replace("~0", "~"))
    } else {
        shared.get(name)
    }
}

/// Whether a parameter (or the shared one it references) is sent in the
/// body or as a form field.
fn is_body_or_form(parameter: &Value, shared: &Value) -> bool {
    let resolved = resolve_shared(parameter, shared).unwrap_or(parameter);
    matches!(resolved.get("in").and_then(Value::as_str), Some("body" | "formData"))
}

/// Moves Swagger's inline type facts of a non-body parameter into a
/// `schema`, unless it has one. `x-example` becomes the `example`.
fn move_schema_fields(parameter: &mut Value) {
    let Some(fields) = parameter.as_object_mut() else {
        return;
    };
    if fields.contains_key("$ref")
        || fields.contains_key("schema")
        || fields.get("in").and_then(Value::as_str) == Some("body")
    {
        return;
    }
    if let Some(example) = fields.get("x-example").cloned() {
        fields.entry("example").or_insert(example);
    }
    let mut schema = Map::new();
    for key in SCHEMA_FIELDS {
        if let Some(value) = fields.remove(key)
            && key != "x-example"
            && key != "collectionFormat"
        {
            schema.insert(key.to_owned(), value);
        }
    }
    if !schema.is_empty() {
        fields.insert("schema".to_owned(), Value::Object(schema));
    }
}

/// A Swagger security definition as an OpenAPI 3 security scheme.
fn security_scheme(scheme: Value) -> Value {
    match scheme.get("type").and_then(Value::as_str) {
        Some("basic") => json!({ "type": "http", "scheme": "basic" }),
        Some("oauth2") => json!({ "type": "oauth2" }),
        _ => scheme,
    }
}

/// A `consumes` list as strings.
fn media_types(consumes: Option<&Value>) -> Vec<String> {
    consumes
        .and_then(Value::as_array)
        .map(|list| list.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default()
}

fn is_json(media_type: &str) -> bool {
    let essence = media_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || essence.ends_with("+json")
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use trespass_model::{ApiKeyLocation, ParamLocation, SecurityScheme};

    use crate::from_value;

    #[test]
    fn a_swagger_document_reads_like_its_openapi_3_twin() {
        let doc = json!({
            "swagger": "2.0",
            "info": {"title": "Shop", "version": "1"},
            "host": "shop.example.com",
            "basePath": "/api/v1/",
            "schemes": ["https"],
            "consumes": ["application/json"],
            "securityDefinitions": {
                "key": {"type": "apiKey", "name": "X-Key", "in": "header"},
                "query_key": {"type": "apiKey", "name": "token", "in": "query"},
                "basic": {"type": "basic"},
                "oauth": {"type": "oauth2", "flow": "implicit", "authorizationUrl": "x"}
            },
            "security": [{"key": []}],
            "parameters": {
                "OrderId": {"name": "order_id", "in": "path", "required": true,
                            "type": "integer", "format": "int64"},
                "NewOrder": {"name": "order", "in": "body", "schema": {"$ref": "#/definitions/Order"}}
            },
            "definitions": {"Order": {"type": "object", "required": ["product_id"], "properties": {
                "product_id": {"type": "string", "format": "uuid"},
                "quantity": {"type": "integer"}
            }}},
            "paths": {
                "/orders/{order_id}": {
                    "parameters": [{"$ref": "#/parameters/OrderId"}],
                    "get": {"operationId": "getOrder", "responses": {"200": {}}},
                    "put": {
                        "security": [{"oauth": ["write"]}],
                        "parameters": [{"$ref": "#/parameters/NewOrder"}],
                        "responses": {"200": {}}
                    }
                },
                "/avatars": {"post": {
                    "consumes": ["multipart/form-data"],
                    "security": [],
                    "parameters": [
                        {"name": "user_id", "in": "formData", "type": "string", "required": true},
                        {"name": "file", "in": "formData", "type": "file"},
                        {"name": "verbose", "in": "query", "type": "boolean", "x-example": true}
                    ],
                    "responses": {"201": {}}
                }}
            }
        });
        let inventory = from_value(&doc, "swagger.json").unwrap();
        assert_eq!(inventory.warnings, Vec::<String>::new());
        assert_eq!(inventory.title.as_deref(), Some("Shop"));
        assert_eq!(inventory.base_path, "/api/v1");
        assert_eq!(
            inventory.security_schemes["key"],
            SecurityScheme::ApiKey { name: "X-Key".to_owned(), location: ApiKeyLocation::Header }
        );
        assert_eq!(
            inventory.security_schemes["query_key"],
            SecurityScheme::ApiKey { name: "token".to_owned(), location: ApiKeyLocation::Query }
        );
        assert_eq!(inventory.security_schemes["basic"], SecurityScheme::HttpBasic);
        assert_eq!(inventory.security_schemes["oauth"], SecurityScheme::OAuth2);

        type Summary<'a> = (String, Vec<(&'a str, ParamLocation, bool)>);
        let summary: Vec<Summary<'_>> = inventory
            .operations
            .iter()
            .map(|op| {
                let params = op
                    .parameters
                    .iter()
                    .map(|p| (p.name.as_str(), p.location, p.object_reference))
                    .collect();
                (op.label(), params)
            })
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "GET /orders/{order_id}".to_owned(),
                    vec![("order_id", ParamLocation::Path, true)]
                ),
                (
                    "PUT /orders/{order_id}".to_owned(),
                    vec![
                        ("order_id", ParamLocation::Path, true),
                        ("product_id", ParamLocation::Body, true),
                        ("quantity", ParamLocation::Body, false),
                    ]
                ),
                (
                    "POST /avatars".to_owned(),
                    vec![
                        ("verbose", ParamLocation::Query, false),
                        ("user_id", ParamLocation::Body, true),
                        ("file", ParamLocation::Body, false),
                    ]
                ),
            ]
        );
        let get = &inventory.operations[0];
        assert_eq!(get.security, [["key"]]);
        assert_eq!(get.parameters[0].format.as_deref(), Some("int64"));
        assert_eq!(get.parameters[0].schema_type.as_deref(), Some("integer"));
        assert_eq!(inventory.operations[1].security, [["oauth"]]);
        assert!(inventory.operations[1].parameters[1].required);
        assert!(!inventory.operations[2].requires_credential());
        assert_eq!(inventory.operations[2].parameters[0].example.as_deref(), Some("true"));
    }

    #[test]
    fn swagger_3_is_not_swagger_2() {
        let error = from_value(&json!({"swagger": "3.0"}), "x.json").unwrap_err();
        assert_eq!(
            error.to_string(),
            "spec x.json is not an OpenAPI 3.x or Swagger 2.0 document: found swagger \"3.0\""
        );
    }
}
