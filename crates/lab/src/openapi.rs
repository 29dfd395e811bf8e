//! The lab's own OpenAPI 3.0.3 document, served at `GET /openapi.json`.
//!
//! The document is what a careful developer would have written for the API:
//! every route requires the `ApiKeyAuth` scheme (`X-API-Key` header) except
//! the index, the document itself and the public catalog, which say
//! `security: []`. It is the same promise in both modes; the vulnerable lab
//! breaks it at runtime (the reports route serves without a key), which is
//! exactly what a scanner compares against. The one difference between the
//! modes is the `403` that only the vulnerable accounts route can answer.
//!
//! The document is built from [`ROUTES`], one row per path. The crate's tests
//! compare its paths with the routes the router serves and request each one,
//! so a route added in one place and not the other is caught.

use serde_json::{Map, Value, json};

/// Whether a route asks for a key in the document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Access {
    /// Global security applies: a valid `X-API-Key`.
    Key,
    /// `security: []`: anyone.
    Public,
}

/// One documented `GET` route.
struct RouteDoc {
    path: &'static str,
    operation_id: &'static str,
    summary: &'static str,
    tag: &'static str,
    /// The path parameter, if the route has one, with its description.
    parameter: Option<(&'static str, &'static str)>,
    /// The schema of the 200 body.
    body: Body,
    access: Access,
    /// Whether the route can answer 404 (every route with an id can).
    not_found: bool,
    /// Whether the route can answer 403 in the vulnerable lab.
    forbidden_when_vulnerable: bool,
}

/// The shape of a 200 body.
#[derive(Clone, Copy)]
enum Body {
    /// One object of the named component schema.
    Object(&'static str),
    /// An array of the named component schema.
    Array(&'static str),
    /// A free-form object (the document itself).
    Any,
}

const fn list(
    path: &'static str,
    operation_id: &'static str,
    summary: &'static str,
    tag: &'static str,
    body: Body,
    access: Access,
) -> RouteDoc {
    RouteDoc {
        path,
        operation_id,
        summary,
        tag,
        parameter: None,
        body,
        access,
        not_found: false,
        forbidden_when_vulnerable: false,
    }
}

const fn item(
    path: &'static str,
    operation_id: &'static str,
    summary: &'static str,
    tag: &'static str,
    parameter: (&'static str, &'static str),
    schema: &'static str,
    access: Access,
) -> RouteDoc {
    RouteDoc {
        path,
        operation_id,
        summary,
        tag,
        parameter: Some(parameter),
        body: Body::Object(schema),
        access,
        not_found: true,
        forbidden_when_vulnerable: false,
    }
}

/// Every route the lab serves, in the order of the document.
const ROUTES: &[RouteDoc] = &[
    list(
        "/",
        "getIndex",
        "Name and mode of the lab",
        "meta",
        Body::Object("Index"),
        Access::Public,
    ),
    list("/openapi.json", "getOpenApi", "This document", "meta", Body::Any, Access::Public),
    list("/me", "getMe", "The caller's own user", "users", Body::Object("User"), Access::Key),
    list(
        "/users",
        "listUsers",
        "Users visible to the caller",
        "users",
        Body::Array("User"),
        Access::Key,
    ),
    item(
        "/users/{user_id}",
        "getUser",
        "One user",
        "users",
        ("user_id", "Id of the user."),
        "User",
        Access::Key,
    ),
    list(
        "/accounts",
        "listAccounts",
        "The caller's accounts",
        "accounts",
        Body::Object("AccountList"),
        Access::Key,
    ),
    RouteDoc {
        forbidden_when_vulnerable: true,
        ..item(
            "/accounts/{account_id}",
            "getAccount",
            "One account",
            "accounts",
            ("account_id", "Id of the account."),
            "Account",
            Access::Key,
        )
    },
    list(
        "/invoices",
        "listInvoices",
        "The invoices of the caller's tenant",
        "invoices",
        Body::Array("Invoice"),
        Access::Key,
    ),
    item(
        "/invoices/{invoice_id}",
        "getInvoice",
        "One invoice",
        "invoices",
        ("invoice_id", "Id of the invoice."),
        "Invoice",
        Access::Key,
    ),
    list(
        "/reports",
        "listReports",
        "The caller's reports",
        "reports",
        Body::Array("Report"),
        Access::Key,
    ),
    item(
        "/reports/{report_id}",
        "getReport",
        "One report",
        "reports",
        ("report_id", "Id of the report."),
        "Report",
        Access::Key,
    ),
    list("/notes", "listNotes", "The caller's notes", "notes", Body::Array("Note"), Access::Key),
    item(
        "/notes/{note_id}",
        "getNote",
        "One note",
        "notes",
        ("note_id", "Id of the note."),
        "Note",
        Access::Key,
    ),
    item(
        "/profiles/{user_id}",
        "getProfile",
        "A user's profile",
        "profiles",
        ("user_id", "Id of the user whose profile to read."),
        "Profile",
        Access::Key,
    ),
    list(
        "/catalog",
        "listCatalog",
        "The public catalog",
        "catalog",
        Body::Array("CatalogItem"),
        Access::Public,
    ),
    item(
        "/catalog/{item_id}",
        "getCatalogItem",
        "One catalog item",
        "catalog",
        ("item_id", "Id of the catalog item."),
        "CatalogItem",
        Access::Public,
    ),
    list(
        "/orders",
        "listOrders",
        "The caller's orders",
        "orders",
        Body::Array("Order"),
        Access::Key,
    ),
    item(
        "/orders/{order_id}",
        "getOrder",
        "One order",
        "orders",
        ("order_id", "Id of the order."),
        "Order",
        Access::Key,
    ),
];

/// Builds the document for the vulnerable (`fixed == false`) or fixed lab.
pub(crate) fn document(fixed: bool) -> Value {
    let mut paths = Map::new();
    for route in ROUTES {
        paths.insert(route.path.to_owned(), json!({ "get": operation(route, fixed) }));
    }

    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "trespass lab",
            "version": env!("CARGO_PKG_VERSION"),
            "description": description(fixed),
        },
        "servers": [{ "url": "/" }],
        "security": [{ "ApiKeyAuth": [] }],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "ApiKeyAuth": { "type": "apiKey", "in": "header", "name": crate::KEY_HEADER },
            },
            "schemas": schemas(),
        },
    })
}

fn description(fixed: bool) -> &'static str {
    if fixed {
        "The fixed trespass lab: every route enforces what this document declares."
    } else {
        "The vulnerable trespass lab: several routes break what this document declares, \
         on purpose. Serve it on loopback only."
    }
}

fn operation(route: &RouteDoc, fixed: bool) -> Value {
    let mut responses = Map::new();
    responses.insert(
        "200".to_owned(),
        json!({
            "description": "The requested data.",
            "content": { "application/json": { "schema": body_schema(route.body) } },
        }),
    );
    if route.access == Access::Key {
        responses.insert("401".to_owned(), error_response("No valid API key."));
    }
    if route.forbidden_when_vulnerable && !fixed {
        responses.insert("403".to_owned(), error_response("The object belongs to someone else."));
    }
    if route.not_found {
        responses.insert("404".to_owned(), error_response("No such object for this caller."));
    }

    let mut operation = Map::new();
    operation.insert("operationId".to_owned(), json!(route.operation_id));
    operation.insert("summary".to_owned(), json!(route.summary));
    operation.insert("tags".to_owned(), json!([route.tag]));
    if let Some((name, description)) = route.parameter {
        operation.insert(
            "parameters".to_owned(),
            json!([{
                "name": name,
                "in": "path",
                "required": true,
                "description": description,
                "schema": { "type": "integer", "format": "int64", "minimum": 0 },
            }]),
        );
    }
    if route.access == Access::Public {
        operation.insert("security".to_owned(), json!([]));
    }
    operation.insert("responses".to_owned(), Value::Object(responses));
    Value::Object(operation)
}

fn body_schema(body: Body) -> Value {
    match body {
        Body::Object(name) => schema_ref(name),
        Body::Array(name) => json!({ "type": "array", "items": schema_ref(name) }),
        Body::Any => json!({ "type": "object" }),
    }
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn error_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/json": { "schema": schema_ref("Error") } },
    })
}

/// An object schema whose every property is required.
fn object(properties: &[(&str, Value)]) -> Value {
    let required: Vec<&str> = properties.iter().map(|(name, _)| *name).collect();
    let properties: Map<String, Value> =
        properties.iter().map(|(name, schema)| ((*name).to_owned(), schema.clone())).collect();
    json!({ "type": "object", "required": required, "properties": properties })
}

fn schemas() -> Value {
    let id = || json!({ "type": "integer", "format": "int64" });
    let string = || json!({ "type": "string" });
    let integer = || json!({ "type": "integer" });

    json!({
        "Index": object(&[
            ("name", string()),
            ("fixed", json!({ "type": "boolean" })),
            ("openapi", string()),
        ]),
        "Error": object(&[("error", string())]),
        "User": object(&[("id", id()), ("name", string()), ("email", string()), ("tenant", string())]),
        "Account": object(&[
            ("id", id()),
            ("user_id", id()),
            ("iban", string()),
            ("balance", integer()),
        ]),
        "AccountList": object(&[("accounts", json!({ "type": "array", "items": schema_ref("Account") }))]),
        "Invoice": object(&[
            ("id", id()),
            ("tenant", string()),
            ("amount", integer()),
            ("customer", string()),
        ]),
        "Report": object(&[("id", id()), ("user_id", id()), ("title", string())]),
        "Note": object(&[("id", id()), ("user_id", id()), ("text", string())]),
        "Profile": object(&[
            ("id", id()),
            ("user_id", id()),
            ("display_name", string()),
            ("theme", string()),
        ]),
        "Order": object(&[("id", id()), ("user_id", id()), ("item", string()), ("total", integer())]),
        "CatalogItem": object(&[("id", id()), ("name", string()), ("price", integer())]),
    })
}
