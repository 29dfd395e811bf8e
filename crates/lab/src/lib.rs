//! A small, deliberately vulnerable HTTP API that trespass scans in demos and
//! integration tests, and its fixed twin.
//!
//! The lab is an axum router over a fixed data set. Callers authenticate with
//! an `X-API-Key` header ([`KEY_HEADER`]); two identities are built in
//! ([`identities`]): `alice` (user 1, tenant `acme`) and `bob` (user 2,
//! tenant `globex`). [`Lab::new`] takes `fixed`: `false` serves the faults
//! below, `true` serves the remediated twin of every route under the same
//! paths. Either way the lab serves its own OpenAPI 3.0.3 document at
//! `GET /openapi.json`, which declares what every route *should* enforce.
//!
//! **Serve the vulnerable lab on loopback only.** Its keys are public: they
//! are printed in this page.
//!
//! # Routes
//!
//! Routes are `GET` (and so `HEAD`) unless the table says otherwise; every
//! answer is JSON but a 204's. Ids are decimal numbers; anything else in an
//! id's place is 404. Without a valid key, a route that needs one answers
//! 401 `{"error":"unauthorized"}`. Every response carries a fresh
//! `X-Request-Id` ([`REQUEST_ID_HEADER`]), and every JSON object body but
//! the OpenAPI document two fields that change on every request:
//! `request_id` and `served_at` (a timestamp with nanoseconds). They are
//! noise on purpose: a scanner must not mistake them for anyone's data.
//!
//! | route | vulnerable lab | fixed lab |
//! | --- | --- | --- |
//! | `GET /` | index `{"name","fixed","openapi"}`, public | same |
//! | `GET /openapi.json` | the document, public | same |
//! | `GET /me` | the caller's user | same |
//! | `POST /login` | `{"username","password"}` → `{"token","token_type","expires_in"}`; the token works as `Authorization: Bearer` wherever a key does | same |
//! | `GET /users` | `[caller's user]` | same |
//! | `GET /users/{user_id}` | **any** user: BOLA read | the caller only, else 404 |
//! | `GET /accounts` | `{"accounts":[…]}`, the caller's | same |
//! | `GET /accounts/{account_id}` | 403 for another's, 404 for none: **existence oracle**; the key is **also accepted as `?api_key=`** | 404 for both; header only |
//! | `GET /statements?account_id=` | **any account's** statement: BOLA read through the query, and ids walk to account 13, a stranger's | the caller's account only, else 404 |
//! | `GET /balance?account_id=` | trap: id ignored, the caller's own balance | same |
//! | `GET /transactions` + `X-Account-Id` | **any account's** payments: BOLA read through a header, and enumerable | the caller's account only |
//! | `GET /card-limits` + cookie `account_id` | **any account's** card limit: BOLA read through a cookie, and enumerable | the caller's account only |
//! | `GET /invoices` | the caller's tenant's invoices | same |
//! | `GET /invoices/{invoice_id}` | **any tenant's** invoice: cross-tenant BOLA read | 404 for another tenant's |
//! | `GET /reports` | the caller's reports | same |
//! | `GET /reports/{report_id}` | **no key checked**: missing auth, and BOLA read | key required, owner only |
//! | `GET /notes` | the caller's notes | same |
//! | `GET /notes/{note_id}` | **any non-empty key** works: credential not validated, and BOLA read | valid key, owner only |
//! | `GET /profiles/{user_id}` | trap: id ignored, the caller's own profile | same |
//! | `GET /catalog` | trap: public list, same for everyone | same |
//! | `GET /catalog/{item_id}` | trap: public item, no key needed | same |
//! | `GET /orders` | the caller's orders | same |
//! | `GET /orders/{order_id}` | trap: correct, 404 for missing and not-yours alike | same |
//! | `GET /tenants` | `[caller's tenant]` | same |
//! | `GET /tenants/{tenant_id}/invoices` | the tenant's invoices if it is the caller's, else 404; **its 401 is missing from the document** | same; 401 documented |
//! | `GET /tenants/{tenant_id}/invoices/{invoice_id}` | tenant checked, invoice not: **own tenant id opens another tenant's invoice** | 404 unless the invoice is the tenant's |
//! | `GET /admin/audit` | **any valid key**: a user reaches an admin route | 403: no lab user is an admin |
//! | `GET /team` | members **with every member's API key** | names and emails only |
//! | `GET /documents` | the caller's documents | same |
//! | `POST /documents` | creates a document owned by **whoever `user_id` in the body names**: 201, `Location` | owned by the caller; another's `user_id` is 403 |
//! | `GET /documents/{document_id}` | the owner's, 404 for others | same |
//! | `PUT /documents/{document_id}` | **changes another's document, then answers 403**; **`user_id` in the body hands the document over** | 404, unchanged; another's `user_id` is 403 |
//! | `PATCH /documents/{document_id}` | trap: the owner's only (404 otherwise), `user_id` in the body accepted and ignored | same |
//! | `DELETE /documents/{document_id}` | the owner's only: 204, else 404 | same |
//! | `PUT /profiles/{user_id}` | trap: id ignored, sets the **caller's** theme, 204 | same |
//! | `POST /admin/announcements` (tag `admin`) | **any valid key posts**: 201, `Location` | 403: no lab user is an admin |
//! | `GET /admin/announcements/{announcement_id}` | any valid key reads | 403 |
//! | `PUT /admin/announcements/{announcement_id}` | trap: 204 to a user, **nothing changed** | 403 |
//! | `DELETE /admin/announcements/{announcement_id}` | **any valid key deletes**: 204 | 403 |
//! | `GET /people/{username}` | **anyone's** person record: BOLA read by a natural key | the caller's only, else 404 |
//! | `POST /projects` | owned by **whoever `username` in the body names** | another's `username` is 403 |
//! | `PUT /projects/{project_id}` | trap: the owner's only, `username` accepted and ignored | same |
//! | `POST /boards` | owned by **whoever the nested `owner.id` names** | another's `owner.id` is 403 |
//! | `PUT /boards/{board_id}` | the owner's only; **the nested `owner.id` hands the board over** | another's `owner.id` is 403 |
//!
//! The last five, with their listings, reads and deletes, are in `owners`.
//!
//! [`PLANTED`] lists the same faults as data, with the finding kind a scan
//! must report (`bola-read`, `missing-auth`, …) or `none` for the traps,
//! which a scan must not report.
//!
//! # Sign-in
//!
//! Besides its key, each identity has a password ([`LabIdentity::password`])
//! for `POST /login`, whose token stands for the user wherever the key does,
//! faults included. Tokens never expire, unless the lab is built
//! [`with_token_ttl`](Lab::with_token_ttl): then a token older than that is
//! refused with 401, which makes a scanner sign in again.
//!
//! # Data
//!
//! | kind | alice / acme | bob / globex |
//! | --- | --- | --- |
//! | users | 1 `alice` Alice Anders | 2 `bob` Bob Brook |
//! | accounts | 11 (DE44…, 1250) | 12 (FR14…, 310) |
//! | statements, transactions, card limits | 1101, 1201, 1301 (account 11) | 1102, 1202, 1302 (account 12) |
//! | invoices | 101 Initech 990, 102 Hooli 45 | 201 Vandelay 7300 |
//! | reports | 301 Q3 forecast acme | 302 Globex payroll |
//! | notes | 401 | 402 |
//! | profiles | 1 | 2 |
//! | orders | 501 Laptop 1999 | 502 Desk 349 |
//! | tenants | 21 acme | 22 globex |
//!
//! Account 13 (NL91…, 8800) with statement 1103, transaction 1203 and card
//! limit 1303 belongs to user 3, who is none of the identities: nothing
//! lists it, and it is reached only by counting up from bob's account 12.
//! The catalog (1001 Widget, 1002 Gadget) is public. Every object carries its
//! own `id` field. Documents start empty and are numbered from 601 as they
//! are created; a lab keeps at most 300 (then `POST` answers 507).
//! Announcements start empty too, numbered from 951, at most 40.
//!
//! # Request log
//!
//! Every request is recorded ([`LoggedRequest`]: method, path, query, and
//! whether a key header was present, never its value), so a test can assert
//! what a scan sent. [`Lab::request_log`] returns a snapshot.
//!
//! # Serving
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! let lab = trespass_lab::Lab::new(false);
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! println!("lab on http://{}", listener.local_addr()?);
//! lab.serve(listener, async { let _ = tokio::signal::ctrl_c().await; }).await
//! # }
//! ```

mod data;
mod log;
mod noise;
mod openapi;
mod owners;
mod routes;
mod scaled;
mod session;

use std::fmt;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use serde_json::Value;

pub use log::{LOG_CAPACITY, LoggedRequest};
pub use noise::REQUEST_ID_HEADER;
pub use scaled::{ScaledLab, VULNERABLE_COLLECTIONS};
pub use session::MAX_TOKENS;

/// The header that carries the API key.
pub const KEY_HEADER: &str = "X-API-Key";

/// The header that names the account of `GET /transactions`.
pub const ACCOUNT_HEADER: &str = "X-Account-Id";

/// What a scan must find on the vulnerable lab, and must not find on the
/// fixed one: `(route, finding kind, description)`.
///
/// A route with two faults has one row per kind. The kind is the stable name
/// of a `trespass_model::FindingKind` (`bola-read`, `missing-auth`,
/// `credential-not-validated`, `existence-oracle`), or `none` for a trap: a
/// route that looks suspicious and must produce no finding in either mode.
pub const PLANTED: &[(&str, &str, &str)] = &[
    (
        "/users/{user_id}",
        "bola-read",
        "the key is checked but not the owner: any caller reads any user",
    ),
    (
        "/accounts/{account_id}",
        "existence-oracle",
        "owner compared after the fetch: 403 for another's account, 404 for a missing one",
    ),
    (
        "/accounts/{account_id}",
        "credential-in-query",
        "the key is also accepted in the query string (?api_key=)",
    ),
    (
        "/statements",
        "bola-read",
        "the account id in the query (?account_id=) is not checked against the caller",
    ),
    (
        "/statements",
        "enumerable-ids",
        "counting up from bob's account 12 reaches account 13, which belongs to no identity",
    ),
    ("/balance", "none", "trap: ?account_id= is ignored and the caller's own balance returned"),
    (
        "/transactions",
        "bola-read",
        "the account id in the X-Account-Id header is not checked against the caller",
    ),
    ("/transactions", "enumerable-ids", "account 13, next to bob's 12, is served to everyone"),
    (
        "/card-limits",
        "bola-read",
        "the account id in the account_id cookie is not checked against the caller",
    ),
    ("/card-limits", "enumerable-ids", "account 13, next to bob's 12, is served to everyone"),
    (
        "/invoices/{invoice_id}",
        "bola-read",
        "cross-tenant: the key names a tenant but the lookup does not filter by it",
    ),
    ("/reports/{report_id}", "missing-auth", "no key is checked: served to callers without one"),
    ("/reports/{report_id}", "bola-read", "any caller reads any user's report"),
    (
        "/notes/{note_id}",
        "credential-not-validated",
        "only the key's presence is checked: any non-empty value is accepted",
    ),
    ("/notes/{note_id}", "bola-read", "any caller reads any user's note"),
    (
        "/profiles/{user_id}",
        "none",
        "trap: the id is ignored and the caller's own profile returned",
    ),
    ("/catalog/{item_id}", "none", "trap: public data, the same for every caller and for none"),
    (
        "/orders/{order_id}",
        "none",
        "trap: correctly protected, 404 for missing and not-yours alike",
    ),
    (
        "/tenants/{tenant_id}/invoices",
        "spec-security-drift",
        "the route requires a key and answers 401 without one, but the document lists no 401",
    ),
    (
        "/tenants/{tenant_id}/invoices/{invoice_id}",
        "cross-tenant-hierarchy",
        "the tenant in the path is checked, not that the invoice belongs to it",
    ),
    (
        "/admin/audit",
        "privilege-escalation",
        "an admin route (path and tag `admin`) answers any valid key",
    ),
    ("/team", "credential-exposure", "the team page lists every member's API key"),
    (
        "/documents/{document_id}",
        "bola-write",
        "PUT changes another user's document and then answers 403",
    ),
    (
        "/documents/{document_id}",
        "none",
        "trap: DELETE of another's document answers 404 and deletes nothing",
    ),
    (
        "/documents",
        "bola-write",
        "POST takes the owner from `user_id` in the body: documents created in another's name",
    ),
    (
        "/documents/{document_id}",
        "bola-write",
        "PUT takes `user_id` from the body: the caller hands its document to another user",
    ),
    (
        "/documents/{document_id}",
        "none",
        "trap: PATCH accepts `user_id` in the body and ignores it; the document stays the caller's",
    ),
    (
        "/profiles/{user_id}",
        "none",
        "trap: PUT ignores the id and changes the caller's own profile (204)",
    ),
    // Admin announcements: a privileged write reachable by a user.
    (
        "/admin/announcements",
        "privilege-escalation",
        "POST of an admin route (path and tag `admin`) creates for any valid key",
    ),
    (
        "/admin/announcements/{announcement_id}",
        "privilege-escalation",
        "DELETE of an admin route deletes for any valid key",
    ),
    (
        "/admin/announcements/{announcement_id}",
        "none",
        "trap: PUT answers 204 to a user and changes nothing",
    ),
    // Natural keys and nested owner fields (`owners`).
    (
        "/people/{username}",
        "bola-read",
        "the username in the path is not checked against the caller",
    ),
    (
        "/projects",
        "bola-write",
        "POST takes the owner from `username` in the body: projects created in another's name",
    ),
    (
        "/projects/{project_id}",
        "none",
        "trap: PUT accepts `username` in the body and ignores it; the project stays the caller's",
    ),
    (
        "/boards",
        "bola-write",
        "POST takes the owner from the nested `owner.id`: boards created in another's name",
    ),
    (
        "/boards/{board_id}",
        "bola-write",
        "PUT takes the nested `owner.id` from the body: the caller hands its board over",
    ),
];

/// One built-in identity of the lab: its name and its API key.
///
/// The keys are public (they are in this crate's source), but `Debug` still
/// hides them, so that printing an identity never teaches a habit of
/// printing keys.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct LabIdentity {
    /// The identity's name, as a trespass config would spell it (`alice`).
    pub name: &'static str,
    /// The value of the `X-API-Key` header this identity presents.
    pub key: &'static str,
    /// The password of its `POST /login`, with its name as the username.
    pub password: &'static str,
    /// The identity's role: `user` for both; no lab user is an admin.
    pub role: &'static str,
}

impl fmt::Debug for LabIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LabIdentity")
            .field("name", &self.name)
            .field("key", &"***")
            .field("password", &"***")
            .field("role", &self.role)
            .finish()
    }
}

/// The lab's identities: `alice` (user 1, tenant `acme`) and `bob` (user 2,
/// tenant `globex`), in that order.
pub fn identities() -> Vec<LabIdentity> {
    vec![
        LabIdentity {
            name: "alice",
            key: data::ALICE_KEY,
            password: session::ALICE_PASSWORD,
            role: "user",
        },
        LabIdentity {
            name: "bob",
            key: data::BOB_KEY,
            password: session::BOB_PASSWORD,
            role: "user",
        },
    ]
}

/// The lab: its mode, its OpenAPI document and its request log.
///
/// Cloning is cheap and shares the request log, so a test can keep a clone
/// to read the log after handing the lab to [`Lab::serve`].
#[derive(Clone, Debug)]
pub struct Lab {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    fixed: bool,
    openapi: Value,
    log: log::RequestLog,
    store: Mutex<data::Store>,
    requests: AtomicU64,
    tokens: session::Tokens,
}

impl Lab {
    /// A lab that serves the vulnerable routes (`fixed == false`) or their
    /// remediated twins (`fixed == true`).
    pub fn new(fixed: bool) -> Self {
        let inner = Inner {
            fixed,
            openapi: openapi::document(fixed),
            log: Default::default(),
            store: Default::default(),
            requests: AtomicU64::new(0),
            tokens: Default::default(),
        };
        Self { inner: Arc::new(inner) }
    }

    /// The same lab, whose sign-in tokens expire `ttl` after they were
    /// issued (milliseconds count, for tests). Clones share it.
    pub fn with_token_ttl(self, ttl: Duration) -> Self {
        self.inner.tokens.set_ttl(ttl);
        self
    }

    /// Whether this lab serves the fixed routes.
    pub fn is_fixed(&self) -> bool {
        self.inner.fixed
    }

    /// The router serving every route, with this lab's state and request log
    /// shared into it.
    pub fn router(&self) -> axum::Router {
        routes::router(self)
    }

    /// The OpenAPI 3.0.3 document served at `GET /openapi.json`.
    pub fn openapi(&self) -> Value {
        self.inner.openapi.clone()
    }

    /// A snapshot of the requests received so far, oldest first (at most
    /// [`LOG_CAPACITY`]).
    pub fn request_log(&self) -> Vec<LoggedRequest> {
        self.inner.log.snapshot()
    }

    /// Serves the lab on `listener` until `shutdown` resolves, then stops
    /// accepting and waits for open connections to finish.
    ///
    /// The caller chooses the address; bind to loopback (`127.0.0.1:0`).
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        axum::serve(listener, self.router()).with_graceful_shutdown(shutdown).await
    }

    pub(crate) fn tokens(&self) -> &session::Tokens {
        &self.inner.tokens
    }

    pub(crate) fn log(&self) -> &log::RequestLog {
        &self.inner.log
    }

    /// The mutable store of the write routes. A poisoned lock only means a
    /// handler panicked between two whole updates; the data is intact.
    pub(crate) fn store(&self) -> MutexGuard<'_, data::Store> {
        self.inner.store.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
