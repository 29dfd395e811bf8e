//! The lab's own OpenAPI 3.0.3 document, served at `GET /openapi.json`.
//!
//! The document is what a careful developer would have written for the API:
//! every route requires the `ApiKeyAuth` scheme (`X-API-Key` header), or
//! the `BearerAuth` token that `POST /login` hands out, except the index, the
//! document itself, the sign-in and the public catalog, which say
//! `security: []`. It is the same promise in both modes; the vulnerable lab
//! breaks it at runtime (the reports route serves without a key), which is
//! exactly what a scanner compares against. The differences between the
//! modes: the `403`s that only the vulnerable accounts and document routes
//! answer, the `403`s of the fixed admin routes and of the fixed document
//! writes (to a body naming another owner), and the `401` that the
//! vulnerable document forgets on `/tenants/{tenant_id}/invoices`. Ids
//! outside the path (`?account_id=`, `X-Account-Id`, an `account_id`
//! cookie) are documented as required parameters in their place, and the
//! one natural key in a path (`/people/{username}`) as a string.
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
    /// `security: []`, and 401 for a wrong username or password: the
    /// sign-in route.
    SignIn,
}

/// One documented operation.
struct RouteDoc {
    /// Lowercase, as the document's keys spell it.
    method: &'static str,
    path: &'static str,
    operation_id: &'static str,
    summary: &'static str,
    tag: &'static str,
    /// The path parameters, in template order, with their descriptions.
    parameters: &'static [(&'static str, &'static str)],
    /// Required ids outside the path: (name, `query`/`header`/`cookie`,
    /// description).
    placed: &'static [(&'static str, &'static str, &'static str)],
    /// The component schema of the JSON request body, for writes.
    request: Option<&'static str>,
    /// The success status (`200`, `201`, `204`).
    success: &'static str,
    /// The schema of the success body.
    body: Body,
    access: Access,
    /// Whether the route can answer 404 (every route with an id can).
    not_found: bool,
    /// Whether the route can answer 403 in the vulnerable lab.
    forbidden_when_vulnerable: bool,
    /// Whether the route can answer 403 in the fixed lab (a role check).
    forbidden_when_fixed: bool,
    /// Whether the route answers 403, in the fixed lab, to a body that
    /// names another user as the owner.
    forbidden_owner: bool,
    /// Whether the vulnerable document forgets the route's 401, although the
    /// route requires a key: drift between the document and the runtime.
    undocumented_401_when_vulnerable: bool,
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
    /// No body (204).
    Empty,
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
        method: "get",
        path,
        operation_id,
        summary,
        tag,
        parameters: &[],
        placed: &[],
        request: None,
        success: "200",
        body,
        access,
        not_found: false,
        forbidden_when_vulnerable: false,
        forbidden_when_fixed: false,
        forbidden_owner: false,
        undocumented_401_when_vulnerable: false,
    }
}

const fn item(
    path: &'static str,
    operation_id: &'static str,
    summary: &'static str,
    tag: &'static str,
    parameters: &'static [(&'static str, &'static str)],
    schema: &'static str,
    access: Access,
) -> RouteDoc {
    RouteDoc {
        method: "get",
        path,
        operation_id,
        summary,
        tag,
        parameters,
        placed: &[],
        request: None,
        success: "200",
        body: Body::Object(schema),
        access,
        not_found: true,
        forbidden_when_vulnerable: false,
        forbidden_when_fixed: false,
        forbidden_owner: false,
        undocumented_401_when_vulnerable: false,
    }
}

/// A read that needs a key and names its object by one required id in the
/// query, a header or a cookie: `(name, in, description)`.
const fn placed(
    path: &'static str,
    operation_id: &'static str,
    summary: &'static str,
    id: &'static [(&'static str, &'static str, &'static str); 1],
    schema: &'static str,
) -> RouteDoc {
    RouteDoc {
        placed: id,
        not_found: true,
        ..list(path, operation_id, summary, "accounts", Body::Object(schema), Access::Key)
    }
}

/// A write (`put`, `post`, `delete`) that needs a key.
const fn write(
    method: &'static str,
    item: RouteDoc,
    request: Option<&'static str>,
    success: &'static str,
    body: Body,
) -> RouteDoc {
    RouteDoc { method, request, success, body, ..item }
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
    write(
        "post",
        list(
            "/login",
            "signIn",
            "Sign in with a username and password for a bearer token",
            "auth",
            Body::Object("Token"),
            Access::SignIn,
        ),
        Some("SignIn"),
        "200",
        Body::Object("Token"),
    ),
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
        &[("user_id", "Id of the user.")],
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
            &[("account_id", "Id of the account.")],
            "Account",
            Access::Key,
        )
    },
    placed(
        "/statements",
        "getStatement",
        "The statement of one account",
        &[("account_id", "query", "Id of the account.")],
        "Statement",
    ),
    placed(
        "/balance",
        "getBalance",
        "The balance of one account",
        &[("account_id", "query", "Id of the account.")],
        "Balance",
    ),
    placed(
        "/transactions",
        "listTransactions",
        "The payments of one account",
        &[("X-Account-Id", "header", "Id of the account.")],
        "TransactionList",
    ),
    placed(
        "/card-limits",
        "getCardLimit",
        "The card limit of one account",
        &[("account_id", "cookie", "Id of the account.")],
        "CardLimit",
    ),
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
        &[("invoice_id", "Id of the invoice.")],
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
        &[("report_id", "Id of the report.")],
        "Report",
        Access::Key,
    ),
    list("/notes", "listNotes", "The caller's notes", "notes", Body::Array("Note"), Access::Key),
    item(
        "/notes/{note_id}",
        "getNote",
        "One note",
        "notes",
        &[("note_id", "Id of the note.")],
        "Note",
        Access::Key,
    ),
    item(
        "/profiles/{user_id}",
        "getProfile",
        "A user's profile",
        "profiles",
        &[("user_id", "Id of the user whose profile to read.")],
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
        &[("item_id", "Id of the catalog item.")],
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
        &[("order_id", "Id of the order.")],
        "Order",
        Access::Key,
    ),
    list(
        "/tenants",
        "listTenants",
        "The caller's tenant",
        "tenants",
        Body::Array("Tenant"),
        Access::Key,
    ),
    RouteDoc {
        parameters: &[("tenant_id", "Id of the tenant.")],
        not_found: true,
        undocumented_401_when_vulnerable: true,
        ..list(
            "/tenants/{tenant_id}/invoices",
            "listTenantInvoices",
            "The invoices of one tenant",
            "tenants",
            Body::Array("Invoice"),
            Access::Key,
        )
    },
    item(
        "/tenants/{tenant_id}/invoices/{invoice_id}",
        "getTenantInvoice",
        "One invoice of one tenant",
        "tenants",
        TENANT_INVOICE,
        "Invoice",
        Access::Key,
    ),
    RouteDoc {
        forbidden_when_fixed: true,
        ..list(
            "/admin/audit",
            "getAdminAudit",
            "The audit log, for administrators only",
            "admin",
            Body::Object("Audit"),
            Access::Key,
        )
    },
    list("/team", "getTeam", "The members of the team", "team", Body::Object("Team"), Access::Key),
    list(
        "/documents",
        "listDocuments",
        "The caller's documents",
        "documents",
        Body::Array("Document"),
        Access::Key,
    ),
    RouteDoc {
        forbidden_owner: true,
        ..write(
            "post",
            list(
                "/documents",
                "createDocument",
                "Create a document owned by the caller",
                "documents",
                Body::Empty,
                Access::Key,
            ),
            Some("DocumentInput"),
            "201",
            Body::Object("Document"),
        )
    },
    item(
        "/documents/{document_id}",
        "getDocument",
        "One document",
        "documents",
        DOCUMENT,
        "Document",
        Access::Key,
    ),
    RouteDoc {
        forbidden_when_vulnerable: true,
        forbidden_owner: true,
        ..write(
            "put",
            item(
                "/documents/{document_id}",
                "putDocument",
                "Replace a document",
                "documents",
                DOCUMENT,
                "Document",
                Access::Key,
            ),
            Some("DocumentInput"),
            "200",
            Body::Object("Document"),
        )
    },
    write(
        "patch",
        item(
            "/documents/{document_id}",
            "patchDocument",
            "Change a document's title or body",
            "documents",
            DOCUMENT,
            "Document",
            Access::Key,
        ),
        Some("DocumentPatch"),
        "200",
        Body::Object("Document"),
    ),
    write(
        "delete",
        item(
            "/documents/{document_id}",
            "deleteDocument",
            "Delete a document",
            "documents",
            DOCUMENT,
            "Document",
            Access::Key,
        ),
        None,
        "204",
        Body::Empty,
    ),
    write(
        "put",
        item(
            "/profiles/{user_id}",
            "putProfile",
            "Set the theme of the caller's profile (the id is not used)",
            "profiles",
            &[("user_id", "Id of the user whose profile to change.")],
            "Profile",
            Access::Key,
        ),
        Some("ProfileInput"),
        "204",
        Body::Empty,
    ),
    // Admin announcements: a privileged write reachable by a user.
    RouteDoc {
        forbidden_when_fixed: true,
        ..write(
            "post",
            list(
                "/admin/announcements",
                "createAnnouncement",
                "Post an announcement, for administrators only",
                "admin",
                Body::Empty,
                Access::Key,
            ),
            Some("AnnouncementInput"),
            "201",
            Body::Object("Announcement"),
        )
    },
    RouteDoc {
        forbidden_when_fixed: true,
        ..item(
            "/admin/announcements/{announcement_id}",
            "getAnnouncement",
            "One announcement, for administrators only",
            "admin",
            ANNOUNCEMENT,
            "Announcement",
            Access::Key,
        )
    },
    RouteDoc {
        forbidden_when_fixed: true,
        ..write(
            "put",
            item(
                "/admin/announcements/{announcement_id}",
                "putAnnouncement",
                "Edit an announcement, for administrators only",
                "admin",
                ANNOUNCEMENT,
                "Announcement",
                Access::Key,
            ),
            Some("AnnouncementInput"),
            "204",
            Body::Empty,
        )
    },
    RouteDoc {
        forbidden_when_fixed: true,
        ..write(
            "delete",
            item(
                "/admin/announcements/{announcement_id}",
                "deleteAnnouncement",
                "Delete an announcement, for administrators only",
                "admin",
                ANNOUNCEMENT,
                "Announcement",
                Access::Key,
            ),
            None,
            "204",
            Body::Empty,
        )
    },
    // Natural keys and nested owner fields (`owners`).
    item(
        "/people/{username}",
        "getPerson",
        "A user's contact record, by username",
        "people",
        &[("username", "Username of the person.")],
        "Person",
        Access::Key,
    ),
    list(
        "/projects",
        "listProjects",
        "The caller's projects",
        "projects",
        Body::Array("Project"),
        Access::Key,
    ),
    RouteDoc {
        forbidden_owner: true,
        ..write(
            "post",
            list(
                "/projects",
                "createProject",
                "Create a project owned by the caller",
                "projects",
                Body::Empty,
                Access::Key,
            ),
            Some("ProjectInput"),
            "201",
            Body::Object("Project"),
        )
    },
    item(
        "/projects/{project_id}",
        "getProject",
        "One project",
        "projects",
        PROJECT,
        "Project",
        Access::Key,
    ),
    write(
        "put",
        item(
            "/projects/{project_id}",
            "putProject",
            "Rename a project",
            "projects",
            PROJECT,
            "Project",
            Access::Key,
        ),
        Some("ProjectInput"),
        "200",
        Body::Object("Project"),
    ),
    write(
        "delete",
        item(
            "/projects/{project_id}",
            "deleteProject",
            "Delete a project",
            "projects",
            PROJECT,
            "Project",
            Access::Key,
        ),
        None,
        "204",
        Body::Empty,
    ),
    list(
        "/boards",
        "listBoards",
        "The caller's boards",
        "boards",
        Body::Array("Board"),
        Access::Key,
    ),
    RouteDoc {
        forbidden_owner: true,
        ..write(
            "post",
            list(
                "/boards",
                "createBoard",
                "Create a board owned by the caller",
                "boards",
                Body::Empty,
                Access::Key,
            ),
            Some("BoardInput"),
            "201",
            Body::Object("Board"),
        )
    },
    item("/boards/{board_id}", "getBoard", "One board", "boards", BOARD, "Board", Access::Key),
    RouteDoc {
        forbidden_owner: true,
        ..write(
            "put",
            item(
                "/boards/{board_id}",
                "putBoard",
                "Rename a board",
                "boards",
                BOARD,
                "Board",
                Access::Key,
            ),
            Some("BoardInput"),
            "200",
            Body::Object("Board"),
        )
    },
    write(
        "delete",
        item(
            "/boards/{board_id}",
            "deleteBoard",
            "Delete a board",
            "boards",
            BOARD,
            "Board",
            Access::Key,
        ),
        None,
        "204",
        Body::Empty,
    ),
];

const ANNOUNCEMENT: &[(&str, &str)] = &[("announcement_id", "Id of the announcement.")];
const PROJECT: &[(&str, &str)] = &[("project_id", "Id of the project.")];
const BOARD: &[(&str, &str)] = &[("board_id", "Id of the board.")];

const TENANT_INVOICE: &[(&str, &str)] =
    &[("tenant_id", "Id of the tenant."), ("invoice_id", "Id of the invoice.")];
const DOCUMENT: &[(&str, &str)] = &[("document_id", "Id of the document.")];

/// Builds the document for the vulnerable (`fixed == false`) or fixed lab.
pub(crate) fn document(fixed: bool) -> Value {
    let mut paths = Map::new();
    for route in ROUTES {
        let item = paths.entry(route.path.to_owned()).or_insert_with(|| json!({}));
        item[route.method] = operation(route, fixed);
    }

    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "trespass lab",
            "version": env!("CARGO_PKG_VERSION"),
            "description": description(fixed),
        },
        "servers": [{ "url": "/" }],
        "security": [{ "ApiKeyAuth": [] }, { "BearerAuth": [] }],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "ApiKeyAuth": { "type": "apiKey", "in": "header", "name": crate::KEY_HEADER },
                "BearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token from POST /login, instead of the key.",
                },
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
    let success = match body_schema(route.body) {
        Some(schema) => json!({
            "description": "The requested data.",
            "content": { "application/json": { "schema": schema } },
        }),
        None => json!({ "description": "Done; no content." }),
    };
    responses.insert(route.success.to_owned(), success);
    if route.request.is_some() {
        responses.insert("400".to_owned(), error_response("The body is not what is asked for."));
    }
    let forgotten = route.undocumented_401_when_vulnerable && !fixed;
    if route.access == Access::Key && !forgotten {
        responses.insert("401".to_owned(), error_response("No valid API key."));
    }
    if route.access == Access::SignIn {
        responses.insert("401".to_owned(), error_response("Wrong username or password."));
    }
    if route.forbidden_when_vulnerable && !fixed {
        responses.insert("403".to_owned(), error_response("The object belongs to someone else."));
    }
    if route.forbidden_when_fixed && fixed {
        responses.insert("403".to_owned(), error_response("The caller's role may not do this."));
    }
    if route.forbidden_owner && fixed {
        responses.insert("403".to_owned(), error_response("The body names another owner."));
    }
    if route.not_found {
        responses.insert("404".to_owned(), error_response("No such object for this caller."));
    }

    let mut operation = Map::new();
    operation.insert("operationId".to_owned(), json!(route.operation_id));
    operation.insert("summary".to_owned(), json!(route.summary));
    operation.insert("tags".to_owned(), json!([route.tag]));
    if !route.parameters.is_empty() || !route.placed.is_empty() {
        let in_path =
            route.parameters.iter().map(|(name, description)| (*name, "path", *description));
        let placed = route.placed.iter().copied();
        let parameters: Vec<Value> = in_path
            .chain(placed)
            .map(|(name, location, description)| {
                json!({
                    "name": name,
                    "in": location,
                    "required": true,
                    "description": description,
                    "schema": parameter_schema(name),
                })
            })
            .collect();
        operation.insert("parameters".to_owned(), Value::Array(parameters));
    }
    if let Some(schema) = route.request {
        operation.insert(
            "requestBody".to_owned(),
            json!({
                "required": true,
                "content": { "application/json": { "schema": schema_ref(schema) } },
            }),
        );
    }
    if matches!(route.access, Access::Public | Access::SignIn) {
        operation.insert("security".to_owned(), json!([]));
    }
    operation.insert("responses".to_owned(), Value::Object(responses));
    Value::Object(operation)
}

/// A parameter's schema: an integer id, or a string for a natural key
/// (`{username}`).
fn parameter_schema(name: &str) -> Value {
    if name == "username" {
        json!({ "type": "string" })
    } else {
        json!({ "type": "integer", "format": "int64", "minimum": 0 })
    }
}

fn body_schema(body: Body) -> Option<Value> {
    match body {
        Body::Object(name) => Some(schema_ref(name)),
        Body::Array(name) => Some(json!({ "type": "array", "items": schema_ref(name) })),
        Body::Any => Some(json!({ "type": "object" })),
        Body::Empty => None,
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
    let mut schemas = core_schemas();
    if let (Value::Object(all), Value::Object(owners)) = (&mut schemas, owner_schemas()) {
        all.extend(owners);
    }
    schemas
}

/// The schemas of natural keys and nested owner fields (`owners`): people,
/// projects and boards.
fn owner_schemas() -> Value {
    let id = || json!({ "type": "integer", "format": "int64" });
    let string = || json!({ "type": "string" });
    json!({
        "Person": object(&[
            ("id", id()),
            ("username", string()),
            ("phone", string()),
            ("city", string()),
        ]),
        "Project": object(&[("id", id()), ("username", string()), ("title", string())]),
        "ProjectInput": {
            "type": "object",
            "required": ["title", "stage"],
            "properties": {
                "title": { "type": "string", "example": "Launch" },
                "stage": {
                    "type": "string",
                    "enum": ["draft", "active", "archived"],
                    "description": "Anything else is refused with 400.",
                },
                "username": {
                    "type": "string",
                    "description": "The owner's username; the caller when left out.",
                },
            },
        },
        "Board": object(&[
            ("id", id()),
            ("title", string()),
            ("owner", object(&[("id", id())])),
        ]),
        "BoardInput": {
            "type": "object",
            "required": ["title"],
            "properties": {
                "title": { "type": "string", "example": "Roadmap" },
                "owner": {
                    "type": "object",
                    "description": "The owner; the caller when left out.",
                    "required": ["id"],
                    "properties": { "id": { "type": "integer", "format": "int64" } },
                },
            },
        },
    })
}

fn core_schemas() -> Value {
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
        "User": object(&[
            ("id", id()),
            ("username", string()),
            ("name", string()),
            ("email", string()),
            ("tenant", string()),
        ]),
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
        "Statement": object(&[
            ("id", id()),
            ("account_id", id()),
            ("period", string()),
            ("closing_balance", integer()),
        ]),
        "Balance": object(&[("account_id", id()), ("balance", integer()), ("currency", string())]),
        "Transaction": object(&[
            ("id", id()),
            ("account_id", id()),
            ("counterparty", string()),
            ("amount", integer()),
        ]),
        "TransactionList": object(&[
            ("account_id", id()),
            ("transactions", json!({ "type": "array", "items": schema_ref("Transaction") })),
        ]),
        "CardLimit": object(&[
            ("id", id()),
            ("account_id", id()),
            ("card", string()),
            ("daily_limit", integer()),
        ]),
        "Tenant": object(&[("id", id()), ("name", string())]),
        "Audit": object(&[
            ("events", json!({ "type": "array", "items": object(&[
                ("actor", string()),
                ("action", string()),
                ("from", string()),
            ]) })),
            ("retention_days", integer()),
        ]),
        "Team": object(&[
            ("team", string()),
            ("members", json!({ "type": "array", "items": object(&[
                ("name", string()),
                ("email", string()),
            ]) })),
        ]),
        "Document": object(&[
            ("id", id()),
            ("user_id", id()),
            ("title", string()),
            ("body", string()),
        ]),
        "DocumentInput": {
            "type": "object",
            "required": ["title"],
            "properties": {
                "title": { "type": "string", "example": "Quarterly plan" },
                "body": { "type": "string", "default": "" },
                "user_id": {
                    "type": "integer",
                    "format": "int64",
                    "description": "The owner; the caller when left out.",
                },
            },
        },
        "DocumentPatch": {
            "type": "object",
            "properties": {
                "title": { "type": "string" },
                "body": { "type": "string" },
                "user_id": {
                    "type": "integer",
                    "format": "int64",
                    "description": "Accepted and ignored: a document stays its owner's.",
                },
            },
        },
        "SignIn": {
            "type": "object",
            "required": ["username", "password"],
            "properties": {
                "username": { "type": "string", "example": "alice" },
                "password": { "type": "string", "format": "password" },
            },
        },
        "Token": {
            "type": "object",
            "required": ["token", "token_type", "expires_in"],
            "properties": {
                "token": { "type": "string" },
                "token_type": { "type": "string", "enum": ["Bearer"] },
                "expires_in": {
                    "type": "number",
                    "nullable": true,
                    "description": "Seconds the token lives; null when it does not expire.",
                },
            },
        },
        "Announcement": object(&[
            ("id", id()),
            ("title", string()),
            ("text", string()),
            ("author_id", id()),
        ]),
        "AnnouncementInput": {
            "type": "object",
            "required": ["title"],
            "properties": {
                "title": { "type": "string", "example": "Maintenance tonight" },
                "text": { "type": "string", "default": "" },
            },
        },
        "ProfileInput": {
            "type": "object",
            "required": ["theme"],
            "properties": { "theme": { "type": "string", "enum": ["dark", "light"] } },
        },
    })
}
