//! The lab's routes: one handler per route, each with its vulnerable and its
//! fixed behaviour side by side.
//!
//! Handlers read the mode from the shared [`Lab`] state. Two extractors do
//! the common work: [`Caller`] turns the `X-API-Key` header, or a bearer
//! token from `POST /login` (see `session`), into the authenticated [`User`]
//! or answers 401, and [`ObjectId`] turns the path's
//! id into a number or answers 404. Where a route needs a valid key in both
//! modes, `Caller` comes first among the handler's arguments, so a request
//! without a key gets 401 before its id is looked at. The routes whose fault
//! is in authentication itself (reports, notes) read the header by hand.
//!
//! Every answer is JSON, errors included (`{"error":"not found"}`), and the
//! fallbacks keep it so for unknown paths (404) and methods (405). The write
//! routes answer 204 without a body, and a body they cannot read with 400.
//! Nested routes take their two ids with [`ObjectIds`].

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::header::LOCATION;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::data::{
    self, ACCOUNTS, Account, CARD_LIMITS, CATALOG, CardLimit, CatalogItem, Document, INVOICES,
    Invoice, MAX_DOCUMENTS, NOTES, Note, ORDERS, Order, PROFILES, REPORTS, Report, STATEMENTS,
    Statement, TENANTS, TRANSACTIONS, Tenant, Transaction, USERS, User,
};
use crate::data::{Announcement, MAX_ANNOUNCEMENTS};
use crate::{ACCOUNT_HEADER, KEY_HEADER};
use crate::{Lab, log, noise, session};

/// Builds the router for `lab`, with the request log in front of every route.
pub(crate) fn router(lab: &Lab) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/openapi.json", get(openapi))
        .route("/me", get(me))
        .route("/login", axum::routing::post(session::login))
        .route("/users", get(list_users))
        .route("/users/{user_id}", get(get_user))
        .route("/accounts", get(list_accounts))
        .route("/accounts/{account_id}", get(get_account))
        .route("/statements", get(get_statement))
        .route("/balance", get(get_balance))
        .route("/transactions", get(list_transactions))
        .route("/card-limits", get(get_card_limit))
        .route("/invoices", get(list_invoices))
        .route("/invoices/{invoice_id}", get(get_invoice))
        .route("/reports", get(list_reports))
        .route("/reports/{report_id}", get(get_report))
        .route("/notes", get(list_notes))
        .route("/notes/{note_id}", get(get_note))
        .route("/profiles/{user_id}", get(get_profile).put(put_profile))
        .route("/catalog", get(list_catalog))
        .route("/catalog/{item_id}", get(get_catalog_item))
        .route("/orders", get(list_orders))
        .route("/orders/{order_id}", get(get_order))
        .route("/tenants", get(list_tenants))
        .route("/tenants/{tenant_id}/invoices", get(list_tenant_invoices))
        .route("/tenants/{tenant_id}/invoices/{invoice_id}", get(get_tenant_invoice))
        .route("/admin/audit", get(admin_audit))
        .route("/team", get(team))
        .route("/documents", get(list_documents).post(create_document))
        .route(
            "/documents/{document_id}",
            get(get_document).put(put_document).patch(patch_document).delete(delete_document),
        )
        // Admin announcements: a privileged write reachable by a user.
        .route("/admin/announcements", axum::routing::post(create_announcement))
        .route(
            "/admin/announcements/{announcement_id}",
            get(get_announcement).put(put_announcement).delete(delete_announcement),
        )
        // Natural keys and nested owner fields (`owners`).
        .merge(crate::owners::routes())
        .fallback(unknown_path)
        .method_not_allowed_fallback(unknown_method)
        .layer(axum::middleware::from_fn_with_state(lab.clone(), noise::decorate))
        .layer(axum::middleware::from_fn_with_state(lab.clone(), log::record))
        .with_state(lab.clone())
}

/// The error answers of the lab, each a status with a JSON body
/// `{"error": "<message>"}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ApiError {
    /// 401 `unauthorized`: no valid key.
    Unauthorized,
    /// 403 `forbidden`: the object exists and belongs to someone else (the
    /// vulnerable accounts and document routes, and that is their fault),
    /// or the caller's role may not (the fixed admin route).
    Forbidden,
    /// 404 `not found`: no such object, or (in the fixed lab) not yours.
    NotFound,
    /// 405 `method not allowed`: the path exists, the method does not.
    MethodNotAllowed,
    /// 400 `bad request`: a write body that is not the JSON object asked for.
    BadRequest,
    /// 507 `lab is full`: [`MAX_DOCUMENTS`] documents, or
    /// [`MAX_ANNOUNCEMENTS`] announcements, exist already.
    Full,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, message) = match self {
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::NotFound => (StatusCode::NOT_FOUND, "not found"),
            ApiError::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method not allowed"),
            ApiError::BadRequest => (StatusCode::BAD_REQUEST, "bad request"),
            ApiError::Full => (StatusCode::INSUFFICIENT_STORAGE, "lab is full"),
        };
        (status, Json(json!({ "error": message }))).into_response()
    }
}

/// The user a valid `X-API-Key` authenticates; rejects with 401 otherwise.
pub(crate) struct Caller(pub(crate) &'static User);

impl FromRequestParts<Lab> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, lab: &Lab) -> Result<Self, Self::Rejection> {
        authenticate(lab, &parts.headers).map(Caller)
    }
}

/// The numeric id in a route's one path parameter; rejects with 404 when it
/// is not a plain decimal number, as a typed route would not match.
pub(crate) struct ObjectId(pub(crate) u64);

impl<S: Send + Sync> FromRequestParts<S> for ObjectId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound)?;
        parse_id(&raw).map(ObjectId).ok_or(ApiError::NotFound)
    }
}

/// The two numeric ids of a nested route (`/tenants/{t}/invoices/{i}`),
/// parent first; rejects with 404 like [`ObjectId`].
pub(crate) struct ObjectIds(u64, u64);

impl<S: Send + Sync> FromRequestParts<S> for ObjectIds {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path((parent, child)) = Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound)?;
        match (parse_id(&parent), parse_id(&child)) {
            (Some(parent), Some(child)) => Ok(ObjectIds(parent, child)),
            _ => Err(ApiError::NotFound),
        }
    }
}

/// Parses a decimal id. Only ASCII digits count: `u64::from_str` would also
/// take a leading `+`, which no id of the lab is written with.
fn parse_id(raw: &str) -> Option<u64> {
    if raw.is_empty() || !raw.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    raw.parse().ok()
}

/// The user the request's key authenticates, or else its bearer token,
/// or 401.
fn authenticate(lab: &Lab, headers: &HeaderMap) -> Result<&'static User, ApiError> {
    if let Some(key) = headers.get(KEY_HEADER) {
        return data::user_for_key(key.as_bytes()).ok_or(ApiError::Unauthorized);
    }
    let token = session::bearer(headers).ok_or(ApiError::Unauthorized)?;
    lab.tokens().user(token).ok_or(ApiError::Unauthorized)
}

/// The user a key or a live token stands for, wherever it was sent.
fn user_for_credential(lab: &Lab, presented: &[u8]) -> Option<&'static User> {
    data::user_for_key(presented).or_else(|| lab.tokens().user(presented))
}

/// Whether the request carries a credential header: a key or a bearer
/// token, valid or not.
fn has_credential_header(headers: &HeaderMap) -> bool {
    headers.contains_key(KEY_HEADER) || session::bearer(headers).is_some()
}

/// The value of the `api_key` query parameter, as sent. Keys are plain
/// ASCII, so no percent-decoding is needed to match a real one.
fn query_key(uri: &Uri) -> Option<&[u8]> {
    let query = uri.query()?;
    query.split('&').find_map(|pair| pair.strip_prefix("api_key=")).map(str::as_bytes)
}

/// Whether the request carries a non-empty key or bearer token, valid or
/// not. This is the whole check of the vulnerable notes route.
fn has_nonempty_key(headers: &HeaderMap) -> bool {
    headers.get(KEY_HEADER).is_some_and(|value| !value.as_bytes().is_empty())
        || session::bearer(headers).is_some_and(|token| !token.is_empty())
}

type Reply<T> = Result<Json<T>, ApiError>;

async fn index(State(lab): State<Lab>) -> Json<Value> {
    Json(json!({ "name": "trespass lab", "fixed": lab.is_fixed(), "openapi": "/openapi.json" }))
}

async fn openapi(State(lab): State<Lab>) -> Json<Value> {
    Json(lab.openapi())
}

async fn unknown_path() -> ApiError {
    ApiError::NotFound
}

async fn unknown_method() -> ApiError {
    ApiError::MethodNotAllowed
}

async fn me(Caller(user): Caller) -> Json<&'static User> {
    Json(user)
}

async fn list_users(Caller(user): Caller) -> Json<[&'static User; 1]> {
    Json([user])
}

/// Vulnerable: any authenticated caller reads any user. Fixed: only oneself.
async fn get_user(
    State(lab): State<Lab>,
    Caller(caller): Caller,
    ObjectId(id): ObjectId,
) -> Reply<&'static User> {
    let user = data::user(id).ok_or(ApiError::NotFound)?;
    if lab.is_fixed() && user.id != caller.id {
        return Err(ApiError::NotFound);
    }
    Ok(Json(user))
}

async fn list_accounts(Caller(caller): Caller) -> Json<Value> {
    let accounts: Vec<&Account> =
        ACCOUNTS.iter().filter(|account| account.user_id == caller.id).collect();
    Json(json!({ "accounts": accounts }))
}

/// Vulnerable: the owner is compared after the fetch, so another's account
/// answers 403 and a missing one 404; and the key is also taken from the
/// query string (`?api_key=`), where logs keep it. Fixed: both answer 404,
/// and only the header counts.
async fn get_account(
    State(lab): State<Lab>,
    headers: HeaderMap,
    uri: Uri,
    id: Result<ObjectId, ApiError>,
) -> Reply<&'static Account> {
    let caller = match authenticate(&lab, &headers) {
        Ok(caller) => caller,
        Err(refused) if lab.is_fixed() || has_credential_header(&headers) => return Err(refused),
        Err(refused) => {
            query_key(&uri).and_then(|key| user_for_credential(&lab, key)).ok_or(refused)?
        }
    };
    let ObjectId(id) = id?;
    let account = ACCOUNTS.iter().find(|account| account.id == id).ok_or(ApiError::NotFound)?;
    if account.user_id != caller.id {
        return Err(if lab.is_fixed() { ApiError::NotFound } else { ApiError::Forbidden });
    }
    Ok(Json(account))
}

/// The value of query parameter `name`, as sent. Ids are plain digits, so
/// no percent-decoding is needed to read one.
fn query_value<'u>(uri: &'u Uri, name: &str) -> Option<&'u str> {
    uri.query()?.split('&').find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
}

/// The value of cookie `name`, from the `Cookie` headers.
fn cookie_value<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(name)?.strip_prefix('='))
}

/// The account a raw id names, if the caller may read it: any account in
/// the vulnerable lab, the caller's own only in the fixed one. A missing,
/// malformed or unknown id, and in the fixed lab another's, is 404.
fn readable_account(
    lab: &Lab,
    caller: &User,
    raw: Option<&str>,
) -> Result<&'static Account, ApiError> {
    let id = raw.and_then(parse_id).ok_or(ApiError::NotFound)?;
    let account = ACCOUNTS.iter().find(|account| account.id == id).ok_or(ApiError::NotFound)?;
    if lab.is_fixed() && account.user_id != caller.id {
        return Err(ApiError::NotFound);
    }
    Ok(account)
}

/// The id in the query: `GET /statements?account_id=11`. Vulnerable: any
/// account's statement, strangers' included. Fixed: the caller's only.
async fn get_statement(
    State(lab): State<Lab>,
    Caller(caller): Caller,
    uri: Uri,
) -> Reply<&'static Statement> {
    let account = readable_account(&lab, caller, query_value(&uri, "account_id"))?;
    STATEMENTS.iter().find(|s| s.account_id == account.id).map(Json).ok_or(ApiError::NotFound)
}

/// A trap for the scanner, the same in both modes: `?account_id=` is
/// required but ignored, and the balance of the caller's own account is
/// returned. Another's id yields nothing of theirs, so this is no leak.
async fn get_balance(Caller(caller): Caller, uri: Uri) -> Reply<Value> {
    query_value(&uri, "account_id").and_then(parse_id).ok_or(ApiError::NotFound)?;
    let account = ACCOUNTS.iter().find(|a| a.user_id == caller.id).ok_or(ApiError::NotFound)?;
    Ok(Json(json!({ "account_id": account.id, "balance": account.balance, "currency": "EUR" })))
}

/// The id in a header: `GET /transactions` with `X-Account-Id: 11`.
/// Vulnerable: any account's payments. Fixed: the caller's only.
async fn list_transactions(
    State(lab): State<Lab>,
    Caller(caller): Caller,
    headers: HeaderMap,
) -> Reply<Value> {
    let raw = headers.get(ACCOUNT_HEADER).and_then(|value| value.to_str().ok());
    let account = readable_account(&lab, caller, raw)?;
    let payments: Vec<&Transaction> =
        TRANSACTIONS.iter().filter(|t| t.account_id == account.id).collect();
    Ok(Json(json!({ "account_id": account.id, "transactions": payments })))
}

/// The id in a cookie: `GET /card-limits` with `Cookie: account_id=11`.
/// Vulnerable: any account's card limit. Fixed: the caller's only.
async fn get_card_limit(
    State(lab): State<Lab>,
    Caller(caller): Caller,
    headers: HeaderMap,
) -> Reply<&'static CardLimit> {
    let account = readable_account(&lab, caller, cookie_value(&headers, "account_id"))?;
    CARD_LIMITS.iter().find(|l| l.account_id == account.id).map(Json).ok_or(ApiError::NotFound)
}

async fn list_invoices(Caller(caller): Caller) -> Json<Vec<&'static Invoice>> {
    Json(INVOICES.iter().filter(|invoice| invoice.tenant == caller.tenant).collect())
}

/// Vulnerable: the key names a tenant, but the lookup does not filter by it.
/// Fixed: an invoice of another tenant is not found.
async fn get_invoice(
    State(lab): State<Lab>,
    Caller(caller): Caller,
    ObjectId(id): ObjectId,
) -> Reply<&'static Invoice> {
    let invoice = INVOICES.iter().find(|invoice| invoice.id == id).ok_or(ApiError::NotFound)?;
    if lab.is_fixed() && invoice.tenant != caller.tenant {
        return Err(ApiError::NotFound);
    }
    Ok(Json(invoice))
}

async fn list_reports(Caller(caller): Caller) -> Json<Vec<&'static Report>> {
    Json(REPORTS.iter().filter(|report| report.user_id == caller.id).collect())
}

/// Vulnerable: no key is checked at all. Fixed: a valid key, and only the
/// owner's reports.
async fn get_report(
    State(lab): State<Lab>,
    headers: HeaderMap,
    id: Result<ObjectId, ApiError>,
) -> Reply<&'static Report> {
    let caller = if lab.is_fixed() { Some(authenticate(&lab, &headers)?) } else { None };
    let ObjectId(id) = id?;

    let report = REPORTS.iter().find(|report| report.id == id).ok_or(ApiError::NotFound)?;
    if caller.is_some_and(|caller| report.user_id != caller.id) {
        return Err(ApiError::NotFound);
    }
    Ok(Json(report))
}

async fn list_notes(Caller(caller): Caller) -> Json<Vec<&'static Note>> {
    Json(NOTES.iter().filter(|note| note.user_id == caller.id).collect())
}

/// Vulnerable: any non-empty key is accepted, and any note returned. Fixed: a
/// valid key, and only the owner's notes.
async fn get_note(
    State(lab): State<Lab>,
    headers: HeaderMap,
    id: Result<ObjectId, ApiError>,
) -> Reply<&'static Note> {
    let caller = if lab.is_fixed() {
        Some(authenticate(&lab, &headers)?)
    } else if has_nonempty_key(&headers) {
        None
    } else {
        return Err(ApiError::Unauthorized);
    };
    let ObjectId(id) = id?;

    let note = NOTES.iter().find(|note| note.id == id).ok_or(ApiError::NotFound)?;
    if caller.is_some_and(|caller| note.user_id != caller.id) {
        return Err(ApiError::NotFound);
    }
    Ok(Json(note))
}

/// A trap for the scanner, the same in both modes: the id is parsed and then
/// ignored, and the caller's own profile is returned. Another user's id
/// yields nothing of theirs, so this is no leak.
async fn get_profile(
    State(lab): State<Lab>,
    Caller(caller): Caller,
    ObjectId(_ignored): ObjectId,
) -> Reply<Value> {
    let profile =
        PROFILES.iter().find(|profile| profile.user_id == caller.id).ok_or(ApiError::NotFound)?;
    let store = lab.store();
    let theme = store.theme(caller.id).unwrap_or(profile.theme);
    Ok(Json(json!({
        "id": profile.id,
        "user_id": profile.user_id,
        "display_name": profile.display_name,
        "theme": theme,
    })))
}

/// A trap for the scanner, the same in both modes: the id is ignored and
/// the caller's own theme is set from `{"theme": "…"}`; 204. Another user's
/// id changes nothing of theirs, so this is no write to another's object.
async fn put_profile(
    State(lab): State<Lab>,
    Caller(caller): Caller,
    ObjectId(_ignored): ObjectId,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let Json(body) = body.map_err(|_| ApiError::BadRequest)?;
    let theme = body.get("theme").and_then(Value::as_str).ok_or(ApiError::BadRequest)?;
    let mut store = lab.store();
    let slot = store.themes.iter_mut().find(|(id, _)| *id == caller.id);
    let (_, current) = slot.ok_or(ApiError::NotFound)?;
    *current = theme.to_owned();
    Ok(StatusCode::NO_CONTENT)
}

async fn list_catalog() -> Json<&'static [CatalogItem]> {
    Json(&CATALOG)
}

/// A trap for the scanner: public data, the same for every caller and for
/// none.
async fn get_catalog_item(ObjectId(id): ObjectId) -> Reply<&'static CatalogItem> {
    CATALOG.iter().find(|item| item.id == id).map(Json).ok_or(ApiError::NotFound)
}

async fn list_orders(Caller(caller): Caller) -> Json<Vec<&'static Order>> {
    Json(ORDERS.iter().filter(|order| order.user_id == caller.id).collect())
}

/// A trap for the scanner, correct in both modes: missing and not-yours
/// answer the same 404.
async fn get_order(Caller(caller): Caller, ObjectId(id): ObjectId) -> Reply<&'static Order> {
    ORDERS
        .iter()
        .find(|order| order.id == id && order.user_id == caller.id)
        .map(Json)
        .ok_or(ApiError::NotFound)
}

async fn list_tenants(Caller(caller): Caller) -> Json<Vec<&'static Tenant>> {
    Json(TENANTS.iter().filter(|tenant| tenant.name == caller.tenant).collect())
}

/// The caller's tenant if `tenant_id` names it, else 404 (both modes).
fn own_tenant(caller: &User, tenant_id: u64) -> Result<&'static Tenant, ApiError> {
    data::tenant_named(caller.tenant).filter(|t| t.id == tenant_id).ok_or(ApiError::NotFound)
}

async fn list_tenant_invoices(
    Caller(caller): Caller,
    ObjectId(tenant_id): ObjectId,
) -> Reply<Vec<&'static Invoice>> {
    let tenant = own_tenant(caller, tenant_id)?;
    Ok(Json(INVOICES.iter().filter(|invoice| invoice.tenant == tenant.name).collect()))
}

/// Vulnerable: the parent is checked (the tenant must be the caller's) but
/// not that the invoice belongs to it, so the caller's own tenant id opens
/// any tenant's invoice. Fixed: the invoice must belong to the tenant.
async fn get_tenant_invoice(
    State(lab): State<Lab>,
    Caller(caller): Caller,
    ObjectIds(tenant_id, invoice_id): ObjectIds,
) -> Reply<&'static Invoice> {
    let tenant = own_tenant(caller, tenant_id)?;
    let invoice =
        INVOICES.iter().find(|invoice| invoice.id == invoice_id).ok_or(ApiError::NotFound)?;
    if lab.is_fixed() && invoice.tenant != tenant.name {
        return Err(ApiError::NotFound);
    }
    Ok(Json(invoice))
}

/// Vulnerable: any valid key reads the admin audit log. Fixed: only the
/// admin role does, and no lab user holds it, so every user gets 403.
async fn admin_audit(State(lab): State<Lab>, Caller(_caller): Caller) -> Reply<Value> {
    if lab.is_fixed() {
        return Err(ApiError::Forbidden);
    }
    let events: Vec<Value> = USERS
        .iter()
        .map(|user| json!({ "actor": user.email, "action": "sign-in", "from": "10.0.0.7" }))
        .collect();
    Ok(Json(json!({ "events": events, "retention_days": 90 })))
}

/// Vulnerable: the team page lists every member with their API key. Fixed:
/// names and emails only. No member carries an id, so the page is no
/// source of ids either way.
async fn team(State(lab): State<Lab>, Caller(_caller): Caller) -> Json<Value> {
    let members: Vec<Value> = USERS
        .iter()
        .map(|user| {
            let mut member = json!({ "name": user.name, "email": user.email });
            if let (false, Some(key)) = (lab.is_fixed(), data::key_of(user.id)) {
                member["api_key"] = json!(key);
            }
            member
        })
        .collect();
    Json(json!({ "team": "lab", "members": members }))
}

/// A document body as `POST` and `PUT` take it: `title` (a string) is
/// required, `body` defaults to empty, and `user_id` (a number), the owner
/// the caller asks for, is optional.
struct DocumentFields {
    title: String,
    body: String,
    user_id: Option<u64>,
}

fn document_fields(body: Result<Json<Value>, JsonRejection>) -> Result<DocumentFields, ApiError> {
    let Json(body) = body.map_err(|_| ApiError::BadRequest)?;
    let title = body.get("title").and_then(Value::as_str).ok_or(ApiError::BadRequest)?;
    let text = match body.get("body") {
        None => "",
        Some(value) => value.as_str().ok_or(ApiError::BadRequest)?,
    };
    let user_id = match body.get("user_id") {
        None => None,
        Some(value) => Some(value.as_u64().ok_or(ApiError::BadRequest)?),
    };
    Ok(DocumentFields { title: title.to_owned(), body: text.to_owned(), user_id })
}

/// The owner a write may set: vulnerable, whatever `user_id` the body
/// names; fixed, the caller, and a `user_id` of anyone else is 403.
fn owner_for(lab: &Lab, caller: &User, asked: Option<u64>) -> Result<u64, ApiError> {
    match asked {
        Some(other) if other != caller.id && lab.is_fixed() => Err(ApiError::Forbidden),
        Some(asked) => Ok(asked),
        None => Ok(caller.id),
    }
}

async fn list_documents(State(lab): State<Lab>, Caller(caller): Caller) -> Json<Vec<Document>> {
    let store = lab.store();
    Json(store.documents.iter().filter(|d| d.user_id == caller.id).cloned().collect())
}

/// Creates a document: 201 with `Location` and the document. Vulnerable:
/// owned by whoever the body's `user_id` names, so a caller creates
/// documents in another user's name. Fixed: owned by the caller, and a
/// `user_id` of anyone else is 403.
async fn create_document(
    State(lab): State<Lab>,
    Caller(caller): Caller,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Response, ApiError> {
    let DocumentFields { title, body, user_id } = document_fields(body)?;
    let owner = owner_for(&lab, caller, user_id)?;
    let mut store = lab.store();
    if store.documents.len() >= MAX_DOCUMENTS {
        return Err(ApiError::Full);
    }
    let document = Document { id: store.next_document, user_id: owner, title, body };
    store.next_document += 1;
    store.documents.push(document.clone());
    let location = [(LOCATION, format!("/documents/{}", document.id))];
    Ok((StatusCode::CREATED, location, Json(document)).into_response())
}

/// Correct in both modes: the owner's document, 404 for everyone else.
async fn get_document(
    State(lab): State<Lab>,
    Caller(caller): Caller,
    ObjectId(id): ObjectId,
) -> Reply<Document> {
    let store = lab.store();
    let found = store.documents.iter().find(|d| d.id == id && d.user_id == caller.id);
    found.cloned().map(Json).ok_or(ApiError::NotFound)
}

/// Vulnerable: the change is applied first and the owner compared after,
/// so another user's write answers 403 *and* changes the document; and a
/// `user_id` in the body hands the document to that user (then 403 too,
/// since it is no longer the caller's). Fixed: another user's document is
/// not found and stays as it was, and a `user_id` of anyone else is 403.
async fn put_document(
    State(lab): State<Lab>,
    Caller(caller): Caller,
    ObjectId(id): ObjectId,
    body: Result<Json<Value>, JsonRejection>,
) -> Reply<Document> {
    let DocumentFields { title, body, user_id } = document_fields(body)?;
    let fixed = lab.is_fixed();
    let mut store = lab.store();
    let document = store
        .documents
        .iter_mut()
        .find(|d| d.id == id && (!fixed || d.user_id == caller.id))
        .ok_or(ApiError::NotFound)?;
    let owner = owner_for(&lab, caller, user_id.or(Some(document.user_id)))?;
    document.title = title;
    document.body = body;
    document.user_id = owner;
    if document.user_id != caller.id {
        return Err(ApiError::Forbidden);
    }
    Ok(Json(document.clone()))
}

/// A trap for the scanner, the same in both modes: only the owner's
/// document is changed (404 otherwise), `title` and `body` when given, and
/// a `user_id` in the body is accepted and ignored, so the document stays
/// the caller's whatever it names.
async fn patch_document(
    State(lab): State<Lab>,
    Caller(caller): Caller,
    ObjectId(id): ObjectId,
    body: Result<Json<Value>, JsonRejection>,
) -> Reply<Document> {
    let Json(body) = body.map_err(|_| ApiError::BadRequest)?;
    let text = |name: &str| match body.get(name) {
        None => Ok(None),
        Some(value) => value.as_str().map(|s| Some(s.to_owned())).ok_or(ApiError::BadRequest),
    };
    let (title, text) = (text("title")?, text("body")?);
    let mut store = lab.store();
    let document = store
        .documents
        .iter_mut()
        .find(|d| d.id == id && d.user_id == caller.id)
        .ok_or(ApiError::NotFound)?;
    if let Some(title) = title {
        document.title = title;
    }
    if let Some(text) = text {
        document.body = text;
    }
    Ok(Json(document.clone()))
}

/// Correct in both modes: only the owner deletes (204); 404 otherwise.
async fn delete_document(
    State(lab): State<Lab>,
    Caller(caller): Caller,
    ObjectId(id): ObjectId,
) -> Result<StatusCode, ApiError> {
    let mut store = lab.store();
    let position = store.documents.iter().position(|d| d.id == id && d.user_id == caller.id);
    store.documents.remove(position.ok_or(ApiError::NotFound)?);
    Ok(StatusCode::NO_CONTENT)
}

// Admin announcements: a privileged write reachable by a user. Only an
// administrator may post, edit or delete one, and no lab user is one: the
// fixed lab answers 403 to every user on all four routes. The vulnerable lab
// checks the key and not the role on the create, the read and the delete;
// its edit is the trap, answering 204 to a user and changing nothing.

/// An announcement body: `title` (a string) is required, `text` defaults
/// to empty.
fn announcement_fields(
    body: Result<Json<Value>, JsonRejection>,
) -> Result<(String, String), ApiError> {
    let Json(body) = body.map_err(|_| ApiError::BadRequest)?;
    let title = body.get("title").and_then(Value::as_str).ok_or(ApiError::BadRequest)?;
    let text = match body.get("text") {
        None => "",
        Some(value) => value.as_str().ok_or(ApiError::BadRequest)?,
    };
    Ok((title.to_owned(), text.to_owned()))
}

/// Vulnerable: any valid key posts an announcement (201, `Location`).
/// Fixed: 403, nothing created.
async fn create_announcement(
    State(lab): State<Lab>,
    Caller(caller): Caller,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Response, ApiError> {
    if lab.is_fixed() {
        return Err(ApiError::Forbidden);
    }
    let (title, text) = announcement_fields(body)?;
    let mut store = lab.store();
    let announcements = &mut store.announcements;
    if announcements.posted.len() >= MAX_ANNOUNCEMENTS {
        return Err(ApiError::Full);
    }
    let announcement = Announcement { id: announcements.next, title, text, author_id: caller.id };
    announcements.next += 1;
    announcements.posted.push(announcement.clone());
    let location = [(LOCATION, format!("/admin/announcements/{}", announcement.id))];
    Ok((StatusCode::CREATED, location, Json(announcement)).into_response())
}

/// Vulnerable: any valid key reads any announcement. Fixed: 403.
async fn get_announcement(
    State(lab): State<Lab>,
    Caller(_caller): Caller,
    ObjectId(id): ObjectId,
) -> Reply<Announcement> {
    if lab.is_fixed() {
        return Err(ApiError::Forbidden);
    }
    let store = lab.store();
    let found = store.announcements.posted.iter().find(|a| a.id == id);
    found.cloned().map(Json).ok_or(ApiError::NotFound)
}

/// A trap for the scanner in the vulnerable lab: a user's edit of an
/// existing announcement answers 204 and is dropped, since only an
/// administrator's would be applied. Fixed: 403.
async fn put_announcement(
    State(lab): State<Lab>,
    Caller(_caller): Caller,
    ObjectId(id): ObjectId,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    if lab.is_fixed() {
        return Err(ApiError::Forbidden);
    }
    announcement_fields(body)?;
    let store = lab.store();
    store.announcements.posted.iter().find(|a| a.id == id).ok_or(ApiError::NotFound)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Vulnerable: any valid key deletes any announcement (204). Fixed: 403.
async fn delete_announcement(
    State(lab): State<Lab>,
    Caller(_caller): Caller,
    ObjectId(id): ObjectId,
) -> Result<StatusCode, ApiError> {
    if lab.is_fixed() {
        return Err(ApiError::Forbidden);
    }
    let mut store = lab.store();
    let posted = &mut store.announcements.posted;
    let position = posted.iter().position(|a| a.id == id).ok_or(ApiError::NotFound)?;
    posted.remove(position);
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::parse_id;

    #[test]
    fn parse_id_takes_only_plain_decimal_numbers() {
        assert_eq!(parse_id("11"), Some(11));
        assert_eq!(parse_id("011"), Some(11));
        assert_eq!(parse_id(""), None);
        assert_eq!(parse_id("+11"), None);
        assert_eq!(parse_id("-1"), None);
        assert_eq!(parse_id("abc"), None);
        assert_eq!(parse_id("1.0"), None);
        assert_eq!(parse_id("99999999999999999999999"), None);
    }
}
