//! The lab's routes: one handler per route, each with its vulnerable and its
//! fixed behaviour side by side.
//!
//! Handlers read the mode from the shared [`Lab`] state. Two extractors do
//! the common work: [`Caller`] turns the `X-API-Key` header into the
//! authenticated [`User`] or answers 401, and [`ObjectId`] turns the path's
//! id into a number or answers 404. Where a route needs a valid key in both
//! modes, `Caller` comes first among the handler's arguments, so a request
//! without a key gets 401 before its id is looked at. The routes whose fault
//! is in authentication itself (reports, notes) read the header by hand.
//!
//! Every answer is JSON, errors included (`{"error":"not found"}`), and the
//! fallbacks keep it so for unknown paths (404) and methods (405).

use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::KEY_HEADER;
use crate::data::{
    self, ACCOUNTS, Account, CATALOG, CatalogItem, INVOICES, Invoice, NOTES, Note, ORDERS, Order,
    PROFILES, Profile, REPORTS, Report, User,
};
use crate::{Lab, log};

/// Builds the router for `lab`, with the request log in front of every route.
pub(crate) fn router(lab: &Lab) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/openapi.json", get(openapi))
        .route("/me", get(me))
        .route("/users", get(list_users))
        .route("/users/{user_id}", get(get_user))
        .route("/accounts", get(list_accounts))
        .route("/accounts/{account_id}", get(get_account))
        .route("/invoices", get(list_invoices))
        .route("/invoices/{invoice_id}", get(get_invoice))
        .route("/reports", get(list_reports))
        .route("/reports/{report_id}", get(get_report))
        .route("/notes", get(list_notes))
        .route("/notes/{note_id}", get(get_note))
        .route("/profiles/{user_id}", get(get_profile))
        .route("/catalog", get(list_catalog))
        .route("/catalog/{item_id}", get(get_catalog_item))
        .route("/orders", get(list_orders))
        .route("/orders/{order_id}", get(get_order))
        .fallback(unknown_path)
        .method_not_allowed_fallback(unknown_method)
        .layer(axum::middleware::from_fn_with_state(lab.clone(), log::record))
        .with_state(lab.clone())
}

/// The error answers of the lab, each a status with a JSON body
/// `{"error": "<message>"}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ApiError {
    /// 401 `unauthorized`: no valid key.
    Unauthorized,
    /// 403 `forbidden`: the object exists and belongs to someone else. Only
    /// the vulnerable accounts route says this, and that is its fault.
    Forbidden,
    /// 404 `not found`: no such object, or (in the fixed lab) not yours.
    NotFound,
    /// 405 `method not allowed`: the path exists, the method does not.
    MethodNotAllowed,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, message) = match self {
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::NotFound => (StatusCode::NOT_FOUND, "not found"),
            ApiError::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method not allowed"),
        };
        (status, Json(json!({ "error": message }))).into_response()
    }
}

/// The user a valid `X-API-Key` authenticates; rejects with 401 otherwise.
pub(crate) struct Caller(&'static User);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        authenticate(&parts.headers).map(Caller)
    }
}

/// The numeric id in a route's one path parameter; rejects with 404 when it
/// is not a plain decimal number, as a typed route would not match.
pub(crate) struct ObjectId(u64);

impl<S: Send + Sync> FromRequestParts<S> for ObjectId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound)?;
        parse_id(&raw).map(ObjectId).ok_or(ApiError::NotFound)
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

/// The user the request's key authenticates, or 401.
fn authenticate(headers: &HeaderMap) -> Result<&'static User, ApiError> {
    let presented = headers.get(KEY_HEADER).ok_or(ApiError::Unauthorized)?;
    data::user_for_key(presented.as_bytes()).ok_or(ApiError::Unauthorized)
}

/// Whether the request carries a non-empty key, valid or not. This is the
/// whole check of the vulnerable notes route.
fn has_nonempty_key(headers: &HeaderMap) -> bool {
    headers.get(KEY_HEADER).is_some_and(|value| !value.as_bytes().is_empty())
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
/// answers 403 and a missing one 404. Fixed: both answer 404.
async fn get_account(
    State(lab): State<Lab>,
    Caller(caller): Caller,
    ObjectId(id): ObjectId,
) -> Reply<&'static Account> {
    let account = ACCOUNTS.iter().find(|account| account.id == id).ok_or(ApiError::NotFound)?;
    if account.user_id != caller.id {
        return Err(if lab.is_fixed() { ApiError::NotFound } else { ApiError::Forbidden });
    }
    Ok(Json(account))
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
    let caller = if lab.is_fixed() { Some(authenticate(&headers)?) } else { None };
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
        Some(authenticate(&headers)?)
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
    Caller(caller): Caller,
    ObjectId(_ignored): ObjectId,
) -> Reply<&'static Profile> {
    let profile =
        PROFILES.iter().find(|profile| profile.user_id == caller.id).ok_or(ApiError::NotFound)?;
    Ok(Json(profile))
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
