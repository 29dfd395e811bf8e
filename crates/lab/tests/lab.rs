//! Integration tests of the lab: each route, in both modes, over a real
//! loopback connection.
//!
//! Each test starts a lab on `127.0.0.1:0`, speaks HTTP/1.1 to it with a
//! small hand-written client, and shuts the server down before it ends. The
//! client is hand-written rather than reqwest so that a test controls every
//! byte of the request (an empty key header, a `HEAD`, a raw path) and the
//! lab's tests need no TLS stack.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use trespass_lab::{KEY_HEADER, Lab, LoggedRequest, PLANTED, REQUEST_ID_HEADER, identities};

const ALICE: &str = "lab-key-alice-7f3a9c2e41";
const BOB: &str = "lab-key-bob-0b8d5e61f2";
/// A key of the right shape that is not a real key.
const WRONG: &str = "lab-key-carol-9c1d2e3f4a";

/// Bounds every request and the shutdown, so a hung server fails the test
/// instead of hanging it.
const DEADLINE: Duration = Duration::from_secs(10);

/// A lab served on loopback for the length of one test.
struct Running {
    lab: Lab,
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    server: JoinHandle<std::io::Result<()>>,
}

impl Running {
    async fn start(fixed: bool) -> Self {
        let lab = Lab::new(fixed);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(lab.clone().serve(listener, async {
            let _ = stopped.await;
        }));
        Running { lab, addr, stop, server }
    }

    async fn get(&self, path: &str, key: Option<&str>) -> Reply {
        self.send("GET", path, key).await
    }

    async fn send(&self, method: &str, path: &str, key: Option<&str>) -> Reply {
        self.send_body(method, path, key, None).await
    }

    /// A GET with one more header (`X-Account-Id: 11`, `Cookie: …`).
    async fn get_with(&self, path: &str, key: Option<&str>, header: (&str, &str)) -> Reply {
        self.send_full("GET", path, key, Some(header), None).await
    }

    /// Sends a request with an optional JSON body.
    async fn send_body(
        &self,
        method: &str,
        path: &str,
        key: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        self.send_full(method, path, key, None, body).await
    }

    /// Sends a request with an optional extra header and JSON body.
    async fn send_full(
        &self,
        method: &str,
        path: &str,
        key: Option<&str>,
        header: Option<(&str, &str)>,
        body: Option<Value>,
    ) -> Reply {
        let request = async {
            let mut stream = TcpStream::connect(self.addr).await.unwrap();
            let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\n", self.addr);
            if let Some(key) = key {
                head.push_str(&format!("{KEY_HEADER}: {key}\r\n"));
            }
            if let Some((name, value)) = header {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            let body = body.map(|b| b.to_string()).unwrap_or_default();
            if !body.is_empty() {
                head.push_str("Content-Type: application/json\r\n");
            }
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
            head.push_str("Connection: close\r\n\r\n");
            head.push_str(&body);
            stream.write_all(head.as_bytes()).await.unwrap();

            let mut raw = Vec::new();
            stream.read_to_end(&mut raw).await.unwrap();
            Reply::parse(&raw)
        };
        tokio::time::timeout(DEADLINE, request).await.expect("request timed out")
    }

    /// Stops the server and waits for it to finish.
    async fn stop(self) -> Lab {
        self.stop.send(()).unwrap();
        tokio::time::timeout(DEADLINE, self.server)
            .await
            .expect("server did not stop")
            .unwrap()
            .unwrap();
        self.lab
    }
}

/// A parsed response.
#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn parse(raw: &[u8]) -> Self {
        let split = raw.windows(4).position(|window| window == b"\r\n\r\n").unwrap();
        let head = std::str::from_utf8(&raw[..split]).unwrap();
        let mut lines = head.split("\r\n");
        let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
        let headers = lines
            .map(|line| {
                let (name, value) = line.split_once(':').unwrap();
                (name.to_ascii_lowercase(), value.trim().to_owned())
            })
            .collect();
        Reply { status, headers, body: raw[split + 4..].to_vec() }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }

    /// The JSON body without its noise: an object's `request_id` (which must
    /// match the `X-Request-Id` header) and `served_at` are checked and
    /// removed, so that tests compare the data.
    fn json(&self) -> Value {
        assert_eq!(self.header("content-type"), Some("application/json"), "{self:?}");
        let mut value: Value = serde_json::from_slice(&self.body).unwrap();
        let request_id = self.header(&REQUEST_ID_HEADER.to_ascii_lowercase()).unwrap();
        assert!(request_id.starts_with("req-"), "{request_id}");
        if let Some(fields) = value.as_object_mut().filter(|f| !f.contains_key("paths")) {
            assert_eq!(fields.remove("request_id"), Some(json!(request_id)), "{self:?}");
            let served_at = fields.remove("served_at").unwrap();
            let served_at = served_at.as_str().unwrap();
            assert_eq!((served_at.len(), &served_at[10..11], &served_at[29..]), (30, "T", "Z"));
        }
        value
    }

    /// Asserts the status and the exact JSON body.
    #[track_caller]
    fn assert(&self, status: u16, body: Value) {
        assert_eq!((self.status, self.json()), (status, body));
    }
}

fn unauthorized() -> Value {
    json!({ "error": "unauthorized" })
}

fn not_found() -> Value {
    json!({ "error": "not found" })
}

fn alice_user() -> Value {
    json!({
        "id": 1,
        "username": "alice",
        "name": "Alice Anders",
        "email": "alice@acme.example",
        "tenant": "acme"
    })
}

fn bob_user() -> Value {
    json!({
        "id": 2,
        "username": "bob",
        "name": "Bob Brook",
        "email": "bob@globex.example",
        "tenant": "globex"
    })
}

fn alice_account() -> Value {
    json!({ "id": 11, "user_id": 1, "iban": "DE44 5001 0517 5407 3249 31", "balance": 1250 })
}

fn bob_account() -> Value {
    json!({ "id": 12, "user_id": 2, "iban": "FR14 2004 1010 0505 0001 3M02 606", "balance": 310 })
}

fn invoice_101() -> Value {
    json!({ "id": 101, "tenant": "acme", "amount": 990, "customer": "Initech" })
}

fn invoice_102() -> Value {
    json!({ "id": 102, "tenant": "acme", "amount": 45, "customer": "Hooli" })
}

fn invoice_201() -> Value {
    json!({ "id": 201, "tenant": "globex", "amount": 7300, "customer": "Vandelay" })
}

fn report_301() -> Value {
    json!({ "id": 301, "user_id": 1, "title": "Q3 forecast acme" })
}

fn report_302() -> Value {
    json!({ "id": 302, "user_id": 2, "title": "Globex payroll" })
}

fn note_401() -> Value {
    json!({ "id": 401, "user_id": 1, "text": "alice private note" })
}

fn note_402() -> Value {
    json!({ "id": 402, "user_id": 2, "text": "bob private note" })
}

fn alice_profile() -> Value {
    json!({ "id": 1, "user_id": 1, "display_name": "alice.a", "theme": "dark" })
}

fn bob_profile() -> Value {
    json!({ "id": 2, "user_id": 2, "display_name": "bob.b", "theme": "light" })
}

fn order_501() -> Value {
    json!({ "id": 501, "user_id": 1, "item": "Laptop", "total": 1999 })
}

fn order_502() -> Value {
    json!({ "id": 502, "user_id": 2, "item": "Desk", "total": 349 })
}

fn catalog() -> Value {
    json!([
        { "id": 1001, "name": "Widget", "price": 5 },
        { "id": 1002, "name": "Gadget", "price": 12 },
    ])
}

/// Every path the lab documents and serves.
const PATHS: [&str; 37] = [
    "/",
    "/openapi.json",
    "/me",
    "/login",
    "/users",
    "/users/{user_id}",
    "/accounts",
    "/accounts/{account_id}",
    "/statements",
    "/balance",
    "/transactions",
    "/card-limits",
    "/invoices",
    "/invoices/{invoice_id}",
    "/reports",
    "/reports/{report_id}",
    "/notes",
    "/notes/{note_id}",
    "/profiles/{user_id}",
    "/catalog",
    "/catalog/{item_id}",
    "/orders",
    "/orders/{order_id}",
    "/tenants",
    "/tenants/{tenant_id}/invoices",
    "/tenants/{tenant_id}/invoices/{invoice_id}",
    "/admin/audit",
    "/team",
    "/documents",
    "/documents/{document_id}",
    "/admin/announcements",
    "/admin/announcements/{announcement_id}",
    // Natural keys and nested owner fields.
    "/people/{username}",
    "/projects",
    "/projects/{project_id}",
    "/boards",
    "/boards/{board_id}",
];

#[test]
fn identities_are_alice_then_bob_with_their_keys() {
    let identities = identities();
    let pairs: Vec<(&str, &str)> = identities.iter().map(|id| (id.name, id.key)).collect();
    assert_eq!(pairs, [("alice", ALICE), ("bob", BOB)]);
    assert!(identities.iter().all(|identity| identity.role == "user"));
    assert_eq!(KEY_HEADER, "X-API-Key");
    assert!(!format!("{:?}", identities[0]).contains(ALICE));
}

#[test]
fn planted_kinds_are_model_finding_kinds_or_none() {
    let known: Vec<&str> =
        trespass_model::FindingKind::ALL.iter().map(|kind| kind.as_str()).collect();
    for (route, kind, description) in PLANTED {
        assert!(PATHS.contains(route), "{route} is not a lab route");
        assert!(*kind == "none" || known.contains(kind), "{route}: unknown kind {kind}");
        assert!(!description.is_empty());
    }
    let faulty: Vec<&str> =
        PLANTED.iter().filter(|(_, kind, _)| *kind != "none").map(|(route, _, _)| *route).collect();
    for route in
        ["/users/{user_id}", "/accounts/{account_id}", "/invoices/{invoice_id}", "/notes/{note_id}"]
    {
        assert!(faulty.contains(&route), "{route} has no planted fault");
    }
}

#[tokio::test]
async fn index_and_identity_routes_are_the_same_in_both_modes() {
    for fixed in [false, true] {
        let lab = Running::start(fixed).await;
        let index = json!({ "name": "trespass lab", "fixed": fixed, "openapi": "/openapi.json" });
        lab.get("/", None).await.assert(200, index);
        lab.get("/me", Some(ALICE)).await.assert(200, alice_user());
        lab.get("/me", Some(BOB)).await.assert(200, bob_user());
        lab.get("/me", None).await.assert(401, unauthorized());
        lab.get("/me", Some(WRONG)).await.assert(401, unauthorized());
        lab.get("/users", Some(ALICE)).await.assert(200, json!([alice_user()]));
        lab.get("/users", Some(BOB)).await.assert(200, json!([bob_user()]));
        lab.get("/users", None).await.assert(401, unauthorized());
        lab.stop().await;
    }
}

#[tokio::test]
async fn users_by_id_leak_in_the_vulnerable_lab_only() {
    let vulnerable = Running::start(false).await;
    vulnerable.get("/users/1", Some(ALICE)).await.assert(200, alice_user());
    vulnerable.get("/users/2", Some(ALICE)).await.assert(200, bob_user());
    vulnerable.get("/users/1", Some(BOB)).await.assert(200, alice_user());
    vulnerable.get("/users/3", Some(ALICE)).await.assert(404, not_found());
    vulnerable.get("/users/1", None).await.assert(401, unauthorized());
    vulnerable.get("/users/1", Some(WRONG)).await.assert(401, unauthorized());
    vulnerable.stop().await;

    let fixed = Running::start(true).await;
    fixed.get("/users/1", Some(ALICE)).await.assert(200, alice_user());
    fixed.get("/users/2", Some(ALICE)).await.assert(404, not_found());
    fixed.get("/users/1", Some(BOB)).await.assert(404, not_found());
    fixed.get("/users/3", Some(ALICE)).await.assert(404, not_found());
    fixed.get("/users/1", None).await.assert(401, unauthorized());
    fixed.stop().await;
}

#[tokio::test]
async fn accounts_are_an_existence_oracle_in_the_vulnerable_lab_only() {
    for fixed in [false, true] {
        let lab = Running::start(fixed).await;
        let alice_list = json!({ "accounts": [alice_account()] });
        lab.get("/accounts", Some(ALICE)).await.assert(200, alice_list);
        lab.get("/accounts", Some(BOB)).await.assert(200, json!({ "accounts": [bob_account()] }));
        lab.get("/accounts", None).await.assert(401, unauthorized());
        lab.get("/accounts/11", Some(ALICE)).await.assert(200, alice_account());
        lab.get("/accounts/12", Some(BOB)).await.assert(200, bob_account());
        lab.get("/accounts/14", Some(BOB)).await.assert(404, not_found());
        lab.get("/accounts/11", None).await.assert(401, unauthorized());

        // The key in the query string: accepted by the vulnerable lab only.
        let in_query = lab.get(&format!("/accounts/11?api_key={ALICE}"), None).await;
        if fixed {
            in_query.assert(401, unauthorized());
        } else {
            in_query.assert(200, alice_account());
        }
        let wrong = lab.get(&format!("/accounts/11?api_key={WRONG}"), None).await;
        wrong.assert(401, unauthorized());

        let not_yours = lab.get("/accounts/11", Some(BOB)).await;
        if fixed {
            not_yours.assert(404, not_found());
        } else {
            not_yours.assert(403, json!({ "error": "forbidden" }));
        }
        lab.stop().await;
    }
}

#[tokio::test]
async fn ids_in_the_query_a_header_and_a_cookie_leak_in_the_vulnerable_lab_only() {
    let statement = |id: u64, account: u64, closing: u64| json!({ "id": id, "account_id": account, "period": "2026-11", "closing_balance": closing });
    let limit = |id: u64, account: u64, card: &str, daily: u64| json!({ "id": id, "account_id": account, "card": card, "daily_limit": daily });
    let payments = |account: u64, id: u64, counterparty: &str, amount: u64| {
        json!({ "account_id": account, "transactions": [
            { "id": id, "account_id": account, "counterparty": counterparty, "amount": amount },
        ] })
    };
    for fixed in [false, true] {
        let lab = Running::start(fixed).await;
        let own = lab.get("/statements?account_id=11", Some(ALICE)).await;
        own.assert(200, statement(1101, 11, 1250));
        let header = ("X-Account-Id", "12");
        lab.get_with("/transactions", Some(BOB), header)
            .await
            .assert(200, payments(12, 1202, "Globex canteen", 12));
        let cookie = ("Cookie", "theme=dark; account_id=11");
        lab.get_with("/card-limits", Some(ALICE), cookie)
            .await
            .assert(200, limit(1301, 11, "VISA ending 4417", 2000));
        lab.get("/statements?account_id=11", None).await.assert(401, unauthorized());
        lab.get("/statements", Some(ALICE)).await.assert(404, not_found());
        lab.get("/statements?account_id=x", Some(ALICE)).await.assert(404, not_found());
        lab.get("/transactions", Some(ALICE)).await.assert(404, not_found());

        // Another's account, and a stranger's next to bob's 12.
        let theirs = lab.get("/statements?account_id=12", Some(ALICE)).await;
        let stranger = lab.get_with("/transactions", Some(BOB), ("X-Account-Id", "13")).await;
        let cookie = lab.get_with("/card-limits", Some(BOB), ("Cookie", "account_id=11")).await;
        if fixed {
            theirs.assert(404, not_found());
            stranger.assert(404, not_found());
            cookie.assert(404, not_found());
        } else {
            theirs.assert(200, statement(1102, 12, 310));
            stranger.assert(200, payments(13, 1203, "Private clinic", 640));
            cookie.assert(200, limit(1301, 11, "VISA ending 4417", 2000));
        }

        // The trap: the id is required and ignored; the caller's own balance.
        let alice_balance = json!({ "account_id": 11, "balance": 1250, "currency": "EUR" });
        lab.get("/balance?account_id=12", Some(ALICE)).await.assert(200, alice_balance);
        let bob_balance = json!({ "account_id": 12, "balance": 310, "currency": "EUR" });
        lab.get("/balance?account_id=11", Some(BOB)).await.assert(200, bob_balance);
        lab.get("/balance", Some(BOB)).await.assert(404, not_found());
        lab.stop().await;
    }
}

#[tokio::test]
async fn invoices_cross_tenants_in_the_vulnerable_lab_only() {
    for fixed in [false, true] {
        let lab = Running::start(fixed).await;
        let acme = json!([invoice_101(), invoice_102()]);
        lab.get("/invoices", Some(ALICE)).await.assert(200, acme);
        lab.get("/invoices", Some(BOB)).await.assert(200, json!([invoice_201()]));
        lab.get("/invoices", None).await.assert(401, unauthorized());
        lab.get("/invoices/102", Some(ALICE)).await.assert(200, invoice_102());
        lab.get("/invoices/201", Some(BOB)).await.assert(200, invoice_201());
        lab.get("/invoices/999", Some(ALICE)).await.assert(404, not_found());
        lab.get("/invoices/101", None).await.assert(401, unauthorized());

        let cross_tenant = lab.get("/invoices/101", Some(BOB)).await;
        if fixed {
            cross_tenant.assert(404, not_found());
        } else {
            cross_tenant.assert(200, invoice_101());
        }
        lab.stop().await;
    }
}

#[tokio::test]
async fn reports_need_no_key_in_the_vulnerable_lab() {
    let vulnerable = Running::start(false).await;
    vulnerable.get("/reports", Some(ALICE)).await.assert(200, json!([report_301()]));
    vulnerable.get("/reports", None).await.assert(401, unauthorized());
    vulnerable.get("/reports/301", Some(ALICE)).await.assert(200, report_301());
    vulnerable.get("/reports/301", Some(BOB)).await.assert(200, report_301());
    vulnerable.get("/reports/301", None).await.assert(200, report_301());
    vulnerable.get("/reports/302", Some(WRONG)).await.assert(200, report_302());
    vulnerable.get("/reports/303", None).await.assert(404, not_found());
    vulnerable.stop().await;

    let fixed = Running::start(true).await;
    fixed.get("/reports", Some(BOB)).await.assert(200, json!([report_302()]));
    fixed.get("/reports/301", Some(ALICE)).await.assert(200, report_301());
    fixed.get("/reports/301", Some(BOB)).await.assert(404, not_found());
    fixed.get("/reports/301", None).await.assert(401, unauthorized());
    fixed.get("/reports/302", Some(WRONG)).await.assert(401, unauthorized());
    fixed.get("/reports/303", Some(ALICE)).await.assert(404, not_found());
    fixed.stop().await;
}

#[tokio::test]
async fn notes_accept_any_nonempty_key_in_the_vulnerable_lab() {
    let vulnerable = Running::start(false).await;
    vulnerable.get("/notes", Some(ALICE)).await.assert(200, json!([note_401()]));
    vulnerable.get("/notes", Some(WRONG)).await.assert(401, unauthorized());
    vulnerable.get("/notes/401", Some(ALICE)).await.assert(200, note_401());
    vulnerable.get("/notes/401", Some(BOB)).await.assert(200, note_401());
    vulnerable.get("/notes/401", Some(WRONG)).await.assert(200, note_401());
    vulnerable.get("/notes/402", Some("x")).await.assert(200, note_402());
    vulnerable.get("/notes/401", None).await.assert(401, unauthorized());
    vulnerable.get("/notes/401", Some("")).await.assert(401, unauthorized());
    vulnerable.get("/notes/403", Some(WRONG)).await.assert(404, not_found());
    vulnerable.stop().await;

    let fixed = Running::start(true).await;
    fixed.get("/notes", Some(BOB)).await.assert(200, json!([note_402()]));
    fixed.get("/notes/401", Some(ALICE)).await.assert(200, note_401());
    fixed.get("/notes/401", Some(BOB)).await.assert(404, not_found());
    fixed.get("/notes/401", Some(WRONG)).await.assert(401, unauthorized());
    fixed.get("/notes/401", Some("")).await.assert(401, unauthorized());
    fixed.get("/notes/401", None).await.assert(401, unauthorized());
    fixed.stop().await;
}

#[tokio::test]
async fn traps_behave_the_same_in_both_modes() {
    for fixed in [false, true] {
        let lab = Running::start(fixed).await;

        // Profiles ignore the id and answer with the caller's own.
        lab.get("/profiles/1", Some(ALICE)).await.assert(200, alice_profile());
        lab.get("/profiles/1", Some(BOB)).await.assert(200, bob_profile());
        lab.get("/profiles/2", Some(ALICE)).await.assert(200, alice_profile());
        lab.get("/profiles/999", Some(BOB)).await.assert(200, bob_profile());
        lab.get("/profiles/1", None).await.assert(401, unauthorized());
        lab.get("/profiles/1", Some(WRONG)).await.assert(401, unauthorized());

        // The catalog is public and the same for everyone.
        for key in [None, Some(ALICE), Some(BOB), Some(WRONG)] {
            lab.get("/catalog", key).await.assert(200, catalog());
            let widget = json!({ "id": 1001, "name": "Widget", "price": 5 });
            lab.get("/catalog/1001", key).await.assert(200, widget);
        }
        let gadget = json!({ "id": 1002, "name": "Gadget", "price": 12 });
        lab.get("/catalog/1002", None).await.assert(200, gadget);
        lab.get("/catalog/1003", None).await.assert(404, not_found());

        // Orders are protected correctly: not-yours looks like missing.
        lab.get("/orders", Some(ALICE)).await.assert(200, json!([order_501()]));
        lab.get("/orders", Some(BOB)).await.assert(200, json!([order_502()]));
        lab.get("/orders/501", Some(ALICE)).await.assert(200, order_501());
        lab.get("/orders/502", Some(BOB)).await.assert(200, order_502());
        lab.get("/orders/501", Some(BOB)).await.assert(404, not_found());
        lab.get("/orders/503", Some(BOB)).await.assert(404, not_found());
        lab.get("/orders/501", None).await.assert(401, unauthorized());
        lab.get("/orders/501", Some(WRONG)).await.assert(401, unauthorized());
        lab.stop().await;
    }
}

#[tokio::test]
async fn ids_that_are_not_decimal_numbers_are_not_found() {
    for fixed in [false, true] {
        let lab = Running::start(fixed).await;
        for path in [
            "/users/abc",
            "/accounts/+11",
            "/invoices/-1",
            "/reports/301.0",
            "/notes/%34%30%31x",
            "/profiles/me",
            "/catalog/%FF",
            "/orders/99999999999999999999999",
        ] {
            lab.get(path, Some(ALICE)).await.assert(404, not_found());
        }
        lab.get("/nothing/here", None).await.assert(404, not_found());
        lab.get("/users/", Some(ALICE)).await.assert(404, not_found());
        lab.stop().await;
    }
}

#[tokio::test]
async fn only_get_and_head_are_served() {
    let lab = Running::start(false).await;

    let head = lab.send("HEAD", "/accounts/11", Some(ALICE)).await;
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-type"), Some("application/json"));
    assert!(head.body.is_empty());
    assert_eq!(lab.send("HEAD", "/accounts/11", Some(BOB)).await.status, 403);

    for method in ["POST", "PUT", "PATCH", "DELETE"] {
        let reply = lab.send(method, "/accounts/11", Some(ALICE)).await;
        reply.assert(405, json!({ "error": "method not allowed" }));
    }
    lab.stop().await;
}

#[tokio::test]
async fn openapi_document_describes_every_route() {
    for fixed in [false, true] {
        let lab = Running::start(fixed).await;
        let served = lab.get("/openapi.json", None).await;
        assert_eq!(served.status, 200);
        let document = served.json();
        assert_eq!(document, lab.lab.openapi());

        assert_eq!(document["openapi"], "3.0.3");
        assert_eq!(document["servers"], json!([{ "url": "/" }]));
        // The key, or the bearer token of `POST /login`.
        assert_eq!(document["security"], json!([{ "ApiKeyAuth": [] }, { "BearerAuth": [] }]));
        assert_eq!(
            document["components"]["securitySchemes"]["ApiKeyAuth"],
            json!({ "type": "apiKey", "in": "header", "name": "X-API-Key" })
        );
        assert_eq!(document["components"]["securitySchemes"]["BearerAuth"]["scheme"], "bearer");

        let paths = document["paths"].as_object().unwrap();
        let documented: Vec<&str> = paths.keys().map(String::as_str).collect();
        assert_eq!(documented, PATHS);

        for (path, item) in paths {
            let item = item.as_object().unwrap();
            let methods: Vec<&str> = item.keys().map(String::as_str).collect();
            let expected_methods: &[&str] = match path.as_str() {
                "/documents" => &["get", "post"],
                "/documents/{document_id}" => &["get", "put", "patch", "delete"],
                "/profiles/{user_id}" => &["get", "put"],
                "/login" | "/admin/announcements" => &["post"],
                "/admin/announcements/{announcement_id}" => &["get", "put", "delete"],
                "/projects" | "/boards" => &["get", "post"],
                "/projects/{project_id}" | "/boards/{board_id}" => &["get", "put", "delete"],
                _ => &["get"],
            };
            assert_eq!(methods, expected_methods, "{path}");
            let public =
                ["/", "/openapi.json", "/catalog", "/catalog/{item_id}"].contains(&&**path);
            for (method, operation) in item {
                let operation = operation.as_object().unwrap();
                let responses = operation["responses"].as_object().unwrap();
                let success = match (method.as_str(), path.as_str()) {
                    ("post", "/login") => "200",
                    ("post", _) => "201",
                    ("delete", _)
                    | ("put", "/profiles/{user_id}" | "/admin/announcements/{announcement_id}") => {
                        "204"
                    }
                    _ => "200",
                };
                assert!(responses.contains_key(success), "{method} {path}");
                if path == "/login" {
                    // Public, and 401 for a wrong password.
                    assert_eq!(operation["security"], json!([]), "{path}");
                    assert!(responses.contains_key("401"), "{path}");
                } else if public {
                    assert_eq!(operation["security"], json!([]), "{path}");
                    assert!(!responses.contains_key("401"), "{path}");
                } else {
                    assert!(!operation.contains_key("security"), "{path}: global security");
                    // The vulnerable document forgets one 401: spec drift.
                    let forgotten = !fixed && path == "/tenants/{tenant_id}/invoices";
                    assert_eq!(responses.contains_key("401"), !forgotten, "{path}");
                }
                assert_eq!(
                    operation.contains_key("requestBody"),
                    matches!(method.as_str(), "post" | "put" | "patch"),
                    "{method} {path}"
                );

                // Each template parameter is an integer path parameter, in
                // order, and a templated path documents 404.
                let names: Vec<&str> =
                    path.split('{').skip(1).filter_map(|rest| rest.split('}').next()).collect();
                let parameters = operation.get("parameters").and_then(Value::as_array);
                let documented: Vec<(&str, &str)> = parameters
                    .into_iter()
                    .flatten()
                    .map(|p| {
                        assert_eq!(p["required"], json!(true), "{path}");
                        let kind = if p["name"] == "username" { "string" } else { "integer" };
                        assert_eq!(p["schema"]["type"], kind, "{path}");
                        (p["in"].as_str().unwrap(), p["name"].as_str().unwrap())
                    })
                    .collect();
                let in_path: Vec<&str> =
                    documented.iter().filter(|(at, _)| *at == "path").map(|(_, n)| *n).collect();
                assert_eq!(in_path, names, "{method} {path}");
                // Ids outside the path: one required account id each.
                let placed: Vec<(&str, &str)> =
                    documented.iter().copied().filter(|(at, _)| *at != "path").collect();
                let expected_placed: &[(&str, &str)] = match path.as_str() {
                    "/statements" | "/balance" => &[("query", "account_id")],
                    "/transactions" => &[("header", "X-Account-Id")],
                    "/card-limits" => &[("cookie", "account_id")],
                    _ => &[],
                };
                assert_eq!(placed, expected_placed, "{method} {path}");
                if !documented.is_empty() {
                    assert!(responses.contains_key("404"), "{method} {path}");
                }
            }

            // Every schema reference resolves.
            for reference in references(&Value::Object(item.clone())) {
                let name = reference.strip_prefix("#/components/schemas/").unwrap();
                assert!(document["components"]["schemas"].get(name).is_some(), "{reference}");
            }
        }

        let account_responses = &paths["/accounts/{account_id}"]["get"]["responses"];
        assert_eq!(account_responses.get("403").is_some(), !fixed);
        // The vulnerable PUT refuses after writing; the fixed one refuses a
        // body naming another owner, as does the fixed POST.
        let put_document = &paths["/documents/{document_id}"]["put"]["responses"];
        assert!(put_document.get("403").is_some());
        let post_document = &paths["/documents"]["post"]["responses"];
        assert_eq!(post_document.get("403").is_some(), fixed);
        let audit = &paths["/admin/audit"]["get"];
        assert_eq!(audit["responses"].get("403").is_some(), fixed);
        assert_eq!(audit["tags"], json!(["admin"]));
        // Every announcement route is for administrators: 403 in the fixed
        // document, the admin tag in both.
        for (path, method) in [
            ("/admin/announcements", "post"),
            ("/admin/announcements/{announcement_id}", "get"),
            ("/admin/announcements/{announcement_id}", "put"),
            ("/admin/announcements/{announcement_id}", "delete"),
        ] {
            let operation = &paths[path][method];
            assert_eq!(operation["responses"].get("403").is_some(), fixed, "{method} {path}");
            assert_eq!(operation["tags"], json!(["admin"]), "{method} {path}");
        }

        // Each documented path is served: with alice's key, a concrete path
        // of every template answers 200 (the fixed admin route 403), once
        // alice has a document.
        let created = lab.send_body("POST", "/documents", Some(ALICE), Some(doc("a"))).await;
        assert_eq!(created.status, 201);
        let posted = lab
            .send_body("POST", "/admin/announcements", Some(ALICE), Some(json!({ "title": "t" })))
            .await;
        assert_eq!(posted.status, if fixed { 403 } else { 201 });
        for (collection, body) in [("/projects", project("a")), ("/boards", doc("a"))] {
            let created = lab.send_body("POST", collection, Some(ALICE), Some(body)).await;
            assert_eq!(created.status, 201, "{collection}");
        }
        let get_only = |p: &&str| !["/login", "/admin/announcements"].contains(p);
        for path in PATHS.into_iter().filter(get_only) {
            let concrete = concrete_path(path);
            let admin = path.starts_with("/admin/");
            let expected = if fixed && admin { 403 } else { 200 };
            let reply = match path {
                "/statements" | "/balance" => {
                    lab.get(&format!("{concrete}?account_id=11"), Some(ALICE)).await
                }
                "/transactions" => {
                    lab.get_with(&concrete, Some(ALICE), ("X-Account-Id", "11")).await
                }
                "/card-limits" => {
                    lab.get_with(&concrete, Some(ALICE), ("Cookie", "account_id=11")).await
                }
                _ => lab.get(&concrete, Some(ALICE)).await,
            };
            assert_eq!(reply.status, expected, "{concrete}");
        }
        lab.stop().await;
    }
}

#[tokio::test]
async fn request_log_records_methods_and_paths_but_no_key() {
    let running = Running::start(false).await;
    running.get("/me", Some(ALICE)).await;
    running.get("/catalog?page=2&size=10", None).await;
    running.send("HEAD", "/notes/401", Some(WRONG)).await;
    running.send("DELETE", "/orders/501", Some(BOB)).await;
    running.get("/nowhere", Some("")).await;
    running.get(&format!("/accounts/11?x=1&api_key={ALICE}"), None).await;
    let lab = running.stop().await;

    let entry = |method: &str, path: &str, query: Option<&str>, had_key| LoggedRequest {
        method: method.to_owned(),
        path: path.to_owned(),
        query: query.map(str::to_owned),
        had_key,
    };
    let log = lab.request_log();
    assert_eq!(
        log,
        [
            entry("GET", "/me", None, true),
            entry("GET", "/catalog", Some("page=2&size=10"), false),
            entry("HEAD", "/notes/401", None, true),
            entry("DELETE", "/orders/501", None, true),
            entry("GET", "/nowhere", None, true),
            entry("GET", "/accounts/11", Some("x=1&api_key=***"), false),
        ]
    );

    let printed = format!("{log:?}");
    for key in [ALICE, BOB, WRONG] {
        assert!(!printed.contains(key));
    }
}

/// A concrete path for a template, with ids alice owns (or public ones).
fn concrete_path(template: &str) -> String {
    let ids = [
        ("{user_id}", "1"),
        ("{account_id}", "11"),
        ("{invoice_id}", "101"),
        ("{report_id}", "301"),
        ("{note_id}", "401"),
        ("{item_id}", "1001"),
        ("{order_id}", "501"),
        ("{tenant_id}", "21"),
        ("{document_id}", "601"),
        ("{announcement_id}", "951"),
        ("{username}", "alice"),
        ("{project_id}", "701"),
        ("{board_id}", "801"),
    ];
    ids.iter().fold(template.to_owned(), |path, (name, id)| path.replace(name, id))
}

/// Every `$ref` value inside `value`.
fn references(value: &Value) -> Vec<String> {
    match value {
        Value::Object(map) => map
            .iter()
            .flat_map(|(key, inner)| match (key.as_str(), inner) {
                ("$ref", Value::String(reference)) => vec![reference.clone()],
                _ => references(inner),
            })
            .collect(),
        Value::Array(items) => items.iter().flat_map(references).collect(),
        _ => Vec::new(),
    }
}

fn doc(title: &str) -> Value {
    json!({ "title": title, "body": format!("{title} text") })
}

fn project(title: &str) -> Value {
    json!({ "title": title, "stage": "active" })
}

#[tokio::test]
async fn every_response_carries_fresh_noise() {
    let lab = Running::start(false).await;
    let first = lab.get("/accounts/11", Some(ALICE)).await;
    let second = lab.get("/accounts/11", Some(ALICE)).await;
    assert_eq!(first.json(), second.json());
    assert_ne!(first.body, second.body, "request_id and served_at change");
    assert_ne!(first.header("x-request-id"), second.header("x-request-id"));

    // Errors too; lists carry the header only; the document is untouched.
    let missing: Value =
        serde_json::from_slice(&lab.get("/accounts/99", Some(ALICE)).await.body).unwrap();
    assert!(missing["request_id"].is_string() && missing["served_at"].is_string());
    let list = lab.get("/orders", Some(ALICE)).await;
    assert!(list.header("x-request-id").is_some());
    assert_eq!(list.json(), json!([order_501()]));
    let document: Value =
        serde_json::from_slice(&lab.get("/openapi.json", None).await.body).unwrap();
    assert_eq!(document, lab.lab.openapi());
    lab.stop().await;
}

#[tokio::test]
async fn nested_invoices_check_the_child_in_the_fixed_lab_only() {
    for fixed in [false, true] {
        let lab = Running::start(fixed).await;
        lab.get("/tenants", Some(ALICE)).await.assert(200, json!([{ "id": 21, "name": "acme" }]));
        lab.get("/tenants", Some(BOB)).await.assert(200, json!([{ "id": 22, "name": "globex" }]));
        let acme = json!([invoice_101(), invoice_102()]);
        lab.get("/tenants/21/invoices", Some(ALICE)).await.assert(200, acme);
        lab.get("/tenants/22/invoices", Some(ALICE)).await.assert(404, not_found());
        lab.get("/tenants/21/invoices/101", Some(ALICE)).await.assert(200, invoice_101());
        lab.get("/tenants/22/invoices/201", Some(BOB)).await.assert(200, invoice_201());
        // Another tenant's parent is refused in both modes.
        lab.get("/tenants/21/invoices/101", Some(BOB)).await.assert(404, not_found());
        lab.get("/tenants/22/invoices/201", Some(ALICE)).await.assert(404, not_found());
        lab.get("/tenants/21/invoices/999", Some(ALICE)).await.assert(404, not_found());
        lab.get("/tenants/21/invoices/101", None).await.assert(401, unauthorized());
        lab.get("/tenants/x/invoices/101", Some(ALICE)).await.assert(404, not_found());

        // The own parent with another tenant's child: the fault.
        let mixed = lab.get("/tenants/21/invoices/201", Some(ALICE)).await;
        if fixed {
            mixed.assert(404, not_found());
        } else {
            mixed.assert(200, invoice_201());
        }
        lab.stop().await;
    }
}

#[tokio::test]
async fn admin_audit_answers_users_in_the_vulnerable_lab_only() {
    let vulnerable = Running::start(false).await;
    let audit = vulnerable.get("/admin/audit", Some(BOB)).await;
    assert_eq!(audit.status, 200);
    assert_eq!(audit.json()["events"][0]["actor"], "alice@acme.example");
    vulnerable.get("/admin/audit", None).await.assert(401, unauthorized());
    vulnerable.stop().await;

    let fixed = Running::start(true).await;
    for key in [ALICE, BOB] {
        fixed.get("/admin/audit", Some(key)).await.assert(403, json!({ "error": "forbidden" }));
    }
    fixed.get("/admin/audit", Some(WRONG)).await.assert(401, unauthorized());
    fixed.stop().await;
}

// Admin announcements: a privileged write reachable by a user.

#[tokio::test]
async fn admin_announcements_take_users_writes_in_the_vulnerable_lab_only() {
    let lab = Running::start(false).await;
    let input = json!({ "title": "Maintenance", "text": "tonight" });
    let posted = lab.send_body("POST", "/admin/announcements", Some(BOB), Some(input)).await;
    assert_eq!(posted.header("location"), Some("/admin/announcements/951"));
    let announcement =
        json!({ "id": 951, "title": "Maintenance", "text": "tonight", "author_id": 2 });
    posted.assert(201, announcement.clone());
    lab.get("/admin/announcements/951", Some(ALICE)).await.assert(200, announcement.clone());
    lab.get("/admin/announcements/951", None).await.assert(401, unauthorized());
    let bad = lab.send_body("POST", "/admin/announcements", Some(BOB), Some(json!({}))).await;
    bad.assert(400, json!({ "error": "bad request" }));

    // The trap: a user's edit answers 204 and changes nothing.
    let edit = json!({ "title": "Changed" });
    let put = lab.send_body("PUT", "/admin/announcements/951", Some(ALICE), Some(edit)).await;
    assert_eq!((put.status, put.body.len()), (204, 0));
    lab.get("/admin/announcements/951", Some(BOB)).await.assert(200, announcement);

    // Any user deletes any announcement.
    let deleted = lab.send("DELETE", "/admin/announcements/951", Some(ALICE)).await;
    assert_eq!((deleted.status, deleted.body.len()), (204, 0));
    lab.get("/admin/announcements/951", Some(BOB)).await.assert(404, not_found());
    lab.send("DELETE", "/admin/announcements/951", Some(ALICE)).await.assert(404, not_found());
    lab.stop().await;

    let fixed = Running::start(true).await;
    let forbidden = json!({ "error": "forbidden" });
    for key in [ALICE, BOB] {
        let input = json!({ "title": "t" });
        let posted = fixed.send_body("POST", "/admin/announcements", Some(key), Some(input)).await;
        posted.assert(403, forbidden.clone());
        for method in ["GET", "PUT", "DELETE"] {
            let body = (method == "PUT").then(|| json!({ "title": "t" }));
            let reply = fixed.send_body(method, "/admin/announcements/951", Some(key), body).await;
            reply.assert(403, forbidden.clone());
        }
    }
    fixed.send("DELETE", "/admin/announcements/951", None).await.assert(401, unauthorized());
    fixed.stop().await;
}

#[tokio::test]
async fn announcements_are_capped() {
    let lab = Running::start(false).await;
    let input = || Some(json!({ "title": "t" }));
    for n in 0..40 {
        let posted = lab.send_body("POST", "/admin/announcements", Some(ALICE), input()).await;
        assert_eq!(posted.status, 201, "announcement {n}");
    }
    let full = lab.send_body("POST", "/admin/announcements", Some(ALICE), input()).await;
    full.assert(507, json!({ "error": "lab is full" }));
    assert_eq!(lab.get("/admin/announcements/990", Some(ALICE)).await.status, 200);
    lab.stop().await;
}

#[tokio::test]
async fn team_lists_api_keys_in_the_vulnerable_lab_only() {
    let member = |name: &str, email: &str| json!({ "name": name, "email": email });
    for fixed in [false, true] {
        let lab = Running::start(fixed).await;
        let mut alice = member("Alice Anders", "alice@acme.example");
        let mut bob = member("Bob Brook", "bob@globex.example");
        if !fixed {
            alice["api_key"] = json!(ALICE);
            bob["api_key"] = json!(BOB);
        }
        let team = json!({ "team": "lab", "members": [alice, bob] });
        lab.get("/team", Some(ALICE)).await.assert(200, team);
        lab.get("/team", None).await.assert(401, unauthorized());
        lab.stop().await;
    }
}

#[tokio::test]
async fn documents_are_created_read_and_deleted_by_their_owner() {
    for fixed in [false, true] {
        let lab = Running::start(fixed).await;
        let created = lab.send_body("POST", "/documents", Some(ALICE), Some(doc("plan"))).await;
        assert_eq!(created.header("location"), Some("/documents/601"));
        let alice_doc = json!({ "id": 601, "user_id": 1, "title": "plan", "body": "plan text" });
        created.assert(201, alice_doc.clone());
        let bob_created =
            lab.send_body("POST", "/documents", Some(BOB), Some(json!({ "title": "b" }))).await;
        bob_created.assert(201, json!({ "id": 602, "user_id": 2, "title": "b", "body": "" }));

        lab.get("/documents", Some(ALICE)).await.assert(200, json!([alice_doc.clone()]));
        lab.get("/documents/601", Some(ALICE)).await.assert(200, alice_doc.clone());
        lab.get("/documents/601", Some(BOB)).await.assert(404, not_found());
        lab.get("/documents/601", None).await.assert(401, unauthorized());

        // Bad bodies.
        for body in [None, Some(json!({ "body": "no title" })), Some(json!({ "title": 7 }))] {
            let reply = lab.send_body("POST", "/documents", Some(ALICE), body).await;
            reply.assert(400, json!({ "error": "bad request" }));
        }

        // DELETE: the trap. Another's answers 404 and deletes nothing.
        lab.send("DELETE", "/documents/601", Some(BOB)).await.assert(404, not_found());
        lab.get("/documents/601", Some(ALICE)).await.assert(200, alice_doc);
        let deleted = lab.send("DELETE", "/documents/601", Some(ALICE)).await;
        assert_eq!((deleted.status, deleted.body.len()), (204, 0));
        lab.get("/documents/601", Some(ALICE)).await.assert(404, not_found());
        lab.stop().await;
    }
}

#[tokio::test]
async fn put_on_another_users_document_answers_403_and_changes_it_when_vulnerable() {
    for fixed in [false, true] {
        let lab = Running::start(fixed).await;
        lab.send_body("POST", "/documents", Some(ALICE), Some(doc("mine"))).await;
        let original = json!({ "id": 601, "user_id": 1, "title": "mine", "body": "mine text" });

        let bob_put = lab.send_body("PUT", "/documents/601", Some(BOB), Some(doc("bob"))).await;
        let after = lab.get("/documents/601", Some(ALICE)).await;
        if fixed {
            bob_put.assert(404, not_found());
            after.assert(200, original);
        } else {
            bob_put.assert(403, json!({ "error": "forbidden" }));
            after.assert(
                200,
                json!({ "id": 601, "user_id": 1, "title": "bob", "body": "bob text" }),
            );
        }

        let own = lab.send_body("PUT", "/documents/601", Some(ALICE), Some(doc("new"))).await;
        own.assert(200, json!({ "id": 601, "user_id": 1, "title": "new", "body": "new text" }));
        let missing = lab.send_body("PUT", "/documents/699", Some(ALICE), Some(doc("x"))).await;
        missing.assert(404, not_found());
        lab.stop().await;
    }
}

#[tokio::test]
async fn user_id_in_a_document_body_sets_the_owner_in_the_vulnerable_lab_only() {
    for fixed in [false, true] {
        let lab = Running::start(fixed).await;
        let in_bobs_name = json!({ "title": "t", "user_id": 2 });
        let created = lab.send_body("POST", "/documents", Some(ALICE), Some(in_bobs_name)).await;
        lab.send_body("POST", "/documents", Some(ALICE), Some(doc("mine"))).await;
        let mine = if fixed { 601 } else { 602 };
        let handed = json!({ "title": "h", "user_id": 2 });
        let mine = format!("/documents/{mine}");
        let put = lab.send_body("PUT", &mine, Some(ALICE), Some(handed)).await;
        let bobs = lab.get("/documents", Some(BOB)).await;
        if fixed {
            created.assert(403, json!({ "error": "forbidden" }));
            put.assert(403, json!({ "error": "forbidden" }));
            bobs.assert(200, json!([]));
            let kept = json!({ "id": 601, "user_id": 1, "title": "mine", "body": "mine text" });
            lab.get("/documents/601", Some(ALICE)).await.assert(200, kept);
        } else {
            let bob_doc = json!({ "id": 601, "user_id": 2, "title": "t", "body": "" });
            created.assert(201, bob_doc.clone());
            // Handed over, then refused: it is not the caller's any more.
            put.assert(403, json!({ "error": "forbidden" }));
            let handed = json!({ "id": 602, "user_id": 2, "title": "h", "body": "" });
            bobs.assert(200, json!([bob_doc, handed]));
            lab.get("/documents/602", Some(ALICE)).await.assert(404, not_found());
        }

        // PATCH, the trap: `user_id` is ignored, and only the owner patches.
        let own = lab.send_body("POST", "/documents", Some(ALICE), Some(doc("p"))).await;
        let id = own.json()["id"].as_u64().unwrap();
        let patch = json!({ "title": "patched", "user_id": 2 });
        let path = format!("/documents/{id}");
        let reply = lab.send_body("PATCH", &path, Some(ALICE), Some(patch)).await;
        let patched = json!({ "id": id, "user_id": 1, "title": "patched", "body": "p text" });
        reply.assert(200, patched.clone());
        let by_bob = json!({ "title": "bob" });
        let reply = lab.send_body("PATCH", &path, Some(BOB), Some(by_bob)).await;
        reply.assert(404, not_found());
        lab.get(&path, Some(ALICE)).await.assert(200, patched);
        lab.stop().await;
    }
}

#[tokio::test]
async fn put_profile_ignores_the_id_and_changes_the_caller() {
    for fixed in [false, true] {
        let lab = Running::start(fixed).await;
        let theme = json!({ "theme": "light" });
        let reply = lab.send_body("PUT", "/profiles/2", Some(ALICE), Some(theme)).await;
        assert_eq!((reply.status, reply.body.len()), (204, 0));
        let mut alice = alice_profile();
        alice["theme"] = json!("light");
        lab.get("/profiles/1", Some(ALICE)).await.assert(200, alice);
        lab.get("/profiles/2", Some(BOB)).await.assert(200, bob_profile());
        let bad = lab.send_body("PUT", "/profiles/1", Some(ALICE), Some(json!({}))).await;
        bad.assert(400, json!({ "error": "bad request" }));
        lab.send_body("PUT", "/profiles/1", None, Some(json!({ "theme": "x" })))
            .await
            .assert(401, unauthorized());
        lab.stop().await;
    }
}

#[tokio::test]
async fn people_by_username_leak_in_the_vulnerable_lab_only() {
    for fixed in [false, true] {
        let lab = Running::start(fixed).await;
        let alice =
            json!({ "id": 1, "username": "alice", "phone": "+49 30 5550 1234", "city": "Berlin" });
        lab.get("/people/alice", Some(ALICE)).await.assert(200, alice.clone());
        let by_bob = lab.get("/people/alice", Some(BOB)).await;
        if fixed {
            by_bob.assert(404, not_found());
        } else {
            by_bob.assert(200, alice);
        }
        lab.get("/people/carol", Some(BOB)).await.assert(404, not_found());
        lab.get("/people/alice", None).await.assert(401, unauthorized());
        lab.stop().await;
    }
}

#[tokio::test]
async fn a_username_in_a_project_body_sets_the_owner_on_post_only_and_when_vulnerable() {
    for fixed in [false, true] {
        let lab = Running::start(fixed).await;
        // `stage` is an enum: missing or made up, the project is refused.
        for stage in [json!(null), json!("trespass-canary")] {
            let body = json!({ "title": "t", "stage": stage });
            let refused = lab.send_body("POST", "/projects", Some(ALICE), Some(body)).await;
            refused.assert(400, json!({ "error": "bad request" }));
        }
        let in_bobs_name = json!({ "title": "t", "stage": "draft", "username": "bob" });
        let created = lab.send_body("POST", "/projects", Some(ALICE), Some(in_bobs_name)).await;
        let bob_project = json!({ "id": 701, "username": "bob", "title": "t" });
        if fixed {
            created.assert(403, json!({ "error": "forbidden" }));
            lab.get("/projects", Some(BOB)).await.assert(200, json!([]));
        } else {
            created.assert(201, bob_project.clone());
            assert_eq!(created.header("location"), Some("/projects/701"));
            lab.get("/projects", Some(BOB)).await.assert(200, json!([bob_project]));
            lab.get("/projects/701", Some(ALICE)).await.assert(404, not_found());
        }
        let nobody = json!({ "title": "t", "stage": "draft", "username": "carol" });
        let refused = lab.send_body("POST", "/projects", Some(ALICE), Some(nobody)).await;
        refused.assert(400, json!({ "error": "bad request" }));

        // PUT, the trap: `username` is ignored, and only the owner renames.
        let own = lab.send_body("POST", "/projects", Some(ALICE), Some(project("mine"))).await;
        let id = own.json()["id"].as_u64().unwrap();
        let path = format!("/projects/{id}");
        let handed = json!({ "title": "renamed", "username": "bob" });
        let renamed = json!({ "id": id, "username": "alice", "title": "renamed" });
        let put = lab.send_body("PUT", &path, Some(ALICE), Some(handed)).await;
        put.assert(200, renamed.clone());
        lab.get(&path, Some(ALICE)).await.assert(200, renamed);
        let by_bob = lab.send_body("PUT", &path, Some(BOB), Some(doc("bob"))).await;
        by_bob.assert(404, not_found());
        let deleted = lab.send("DELETE", &path, Some(ALICE)).await;
        assert_eq!(deleted.status, 204);
        lab.stop().await;
    }
}

#[tokio::test]
async fn a_nested_owner_id_in_a_board_body_sets_the_owner_when_vulnerable() {
    for fixed in [false, true] {
        let lab = Running::start(fixed).await;
        let in_bobs_name = json!({ "title": "t", "owner": { "id": 2 } });
        let created = lab.send_body("POST", "/boards", Some(ALICE), Some(in_bobs_name)).await;
        let own = lab.send_body("POST", "/boards", Some(ALICE), Some(doc("mine"))).await;
        let id = own.json()["id"].as_u64().unwrap();
        let path = format!("/boards/{id}");
        let mine = json!({ "id": id, "title": "mine", "owner": { "id": 1 } });
        lab.get(&path, Some(ALICE)).await.assert(200, mine.clone());
        let by_bob = lab.send_body("PUT", &path, Some(BOB), Some(doc("x"))).await;
        by_bob.assert(404, not_found());
        let handed = json!({ "title": "h", "owner": { "id": 2 } });
        let put = lab.send_body("PUT", &path, Some(ALICE), Some(handed)).await;
        if fixed {
            created.assert(403, json!({ "error": "forbidden" }));
            put.assert(403, json!({ "error": "forbidden" }));
            lab.get(&path, Some(ALICE)).await.assert(200, mine);
            lab.get("/boards", Some(BOB)).await.assert(200, json!([]));
        } else {
            let bobs = json!({ "id": 801, "title": "t", "owner": { "id": 2 } });
            created.assert(201, bobs.clone());
            let handed = json!({ "id": id, "title": "h", "owner": { "id": 2 } });
            put.assert(200, handed.clone());
            lab.get(&path, Some(ALICE)).await.assert(404, not_found());
            lab.get("/boards", Some(BOB)).await.assert(200, json!([bobs, handed]));
        }
        let malformed = json!({ "title": "t", "owner": { "id": "2" } });
        let refused = lab.send_body("POST", "/boards", Some(ALICE), Some(malformed)).await;
        refused.assert(400, json!({ "error": "bad request" }));
        lab.stop().await;
    }
}
