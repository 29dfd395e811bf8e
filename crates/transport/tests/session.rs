//! Sessions against a small loopback server: a sign-in through the client,
//! one shared renewal for concurrent 401s, no loop when the new token is
//! refused too, a scheduled renewal, and every token taught to the
//! redactor.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use serde_json::{Value, json};
use trespass_model::{
    Credential, CredentialPlacement, CredentialSource, IdentityName, Method, Secret, SignIn,
};
use trespass_transport::{Client, ClientConfig, Presenting, Renewals};
use url::Url;

/// Tokens are `token-number-N`, N counting sign-ins from 1; a token is accepted
/// when N is at least `oldest_valid`.
#[derive(Default)]
struct Server {
    sign_ins: AtomicU64,
    oldest_valid: AtomicU64,
    data_requests: AtomicU64,
}

async fn login(
    State(server): State<Arc<Server>>,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    if body != json!({ "user": "alice", "password": "pw-alice-secret" }) {
        return (StatusCode::UNAUTHORIZED, Json(json!({ "error": "no" })));
    }
    let n = server.sign_ins.fetch_add(1, Ordering::SeqCst) + 1;
    (StatusCode::OK, Json(json!({ "data": { "access_token": format!("token-number-{n}") } })))
}

async fn data(State(server): State<Arc<Server>>, headers: HeaderMap) -> StatusCode {
    server.data_requests.fetch_add(1, Ordering::SeqCst);
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer token-number-"))
        .and_then(|n| n.parse::<u64>().ok());
    match token {
        Some(n) if n >= server.oldest_valid.load(Ordering::SeqCst) => StatusCode::OK,
        _ => StatusCode::UNAUTHORIZED,
    }
}

struct Running {
    url: Url,
    server: Arc<Server>,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

async fn start() -> Running {
    let server = Arc::new(Server::default());
    let app = axum::Router::new()
        .route("/auth/login", post(login))
        .route("/api/data", get(data))
        .with_state(server.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = Url::parse(&format!("http://{}/api/", listener.local_addr().unwrap())).unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    Running { url, server, stop, task }
}

fn sign_in(refresh_every: Option<Duration>) -> CredentialSource {
    CredentialSource::SignIn(SignIn {
        method: Method::Post,
        url: "/auth/login".to_owned(),
        body: Some(Secret::new(r#"{"user":"alice","password":"pw-alice-secret"}"#)),
        secrets: vec![Secret::new("pw-alice-secret")],
        token: "/data/access_token".to_owned(),
        refresh_every,
    })
}

fn client(url: &Url) -> Client {
    let config = ClientConfig { rate_limit: None, concurrency: 8, ..ClientConfig::default() };
    Client::new(url.clone(), config).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_401s_share_one_sign_in_and_a_refused_new_token_stands() {
    let running = start().await;
    let alice = IdentityName::new("alice");
    let source = sign_in(None);
    let mut client = client(&running.url);

    // The first token, from a sign-in sent through the client (counted).
    let first = client.obtain(&alice, &source).await.unwrap();
    assert_eq!(first.expose(), "token-number-1");
    assert_eq!(client.requests_sent(), 1);
    client.keep_session(alice.clone(), CredentialPlacement::Bearer, source, first);

    // The caller's credential holds a stale value: the session's wins.
    let stale = Credential { placement: CredentialPlacement::Bearer, secret: Secret::new("old") };
    let as_alice = Presenting::Identity { name: &alice, credential: &stale };
    let url = client.url_for("/data").unwrap();
    assert_eq!(client.send(Method::Get, &url, as_alice).await.unwrap().status, 200);
    assert_eq!(running.server.sign_ins.load(Ordering::SeqCst), 1);

    // token-number-1 expires; eight requests at once are refused, one sign-in
    // renews for all of them, and each is sent again once.
    running.server.oldest_valid.store(2, Ordering::SeqCst);
    let answers =
        futures::future::join_all((0..8).map(|_| client.send(Method::Get, &url, as_alice))).await;
    let statuses: Vec<u16> = answers.into_iter().map(|a| a.unwrap().status).collect();
    assert_eq!(statuses, vec![200; 8]);
    assert_eq!(running.server.sign_ins.load(Ordering::SeqCst), 2);
    assert_eq!(
        client.renewals(),
        vec![(alice.clone(), Renewals { after_refusal: 1, ..Renewals::default() })]
    );

    // Every token is refused now: one sign-in, one repeat, and the 401
    // stands; no loop.
    running.server.oldest_valid.store(u64::MAX, Ordering::SeqCst);
    let before = running.server.data_requests.load(Ordering::SeqCst);
    assert_eq!(client.send(Method::Get, &url, as_alice).await.unwrap().status, 401);
    assert_eq!(running.server.data_requests.load(Ordering::SeqCst) - before, 2);
    assert_eq!(running.server.sign_ins.load(Ordering::SeqCst), 3);
    assert_eq!(
        client.renewal_notes(),
        vec![
            "alice: credential obtained again 2 time(s) during the scan (2 after a 401, 0 on \
              schedule)"
                .to_owned()
        ]
    );

    // Every token and the password are known to the redactor.
    let redactor = client.redactor();
    assert_eq!(
        redactor.redact("token-number-1 token-number-2 token-number-3 pw-alice-secret"),
        "${alice} ${alice} ${alice} ${alice}"
    );

    let _ = running.stop.send(());
    running.task.await.unwrap().unwrap();
}

#[tokio::test]
async fn a_due_token_is_renewed_before_the_request_and_a_failed_sign_in_is_explained() {
    let running = start().await;
    let alice = IdentityName::new("alice");
    let source = sign_in(Some(Duration::from_millis(50)));
    let mut client = client(&running.url);
    let first = client.obtain(&alice, &source).await.unwrap();
    client.keep_session(alice.clone(), CredentialPlacement::Bearer, source, first);

    tokio::time::sleep(Duration::from_millis(60)).await;
    let credential =
        Credential { placement: CredentialPlacement::Bearer, secret: Secret::new("x") };
    let url = client.url_for("/data").unwrap();
    let as_alice = Presenting::Identity { name: &alice, credential: &credential };
    assert_eq!(client.send(Method::Get, &url, as_alice).await.unwrap().status, 200);
    assert_eq!(running.server.sign_ins.load(Ordering::SeqCst), 2);
    assert_eq!(client.renewals()[0].1.scheduled, 1);

    // A wrong password, a pointer to nothing, a sign-in off the origin.
    let wrong = CredentialSource::SignIn(SignIn {
        body: Some(Secret::new(r#"{"user":"alice","password":"nope"}"#)),
        ..match sign_in(None) {
            CredentialSource::SignIn(s) => s,
            _ => unreachable!("sign_in builds a sign-in"),
        }
    });
    let err = client.obtain(&alice, &wrong).await.unwrap_err();
    let origin = running.url.origin().ascii_serialization();
    assert_eq!(
        err.to_string(),
        format!(
            "failed to obtain the credential of `alice`: sign-in POST {origin}/auth/login \
             answered 401"
        )
    );
    let CredentialSource::SignIn(mut pointer) = sign_in(None) else { unreachable!() };
    pointer.token = "/token".to_owned();
    let err = client.obtain(&alice, &CredentialSource::SignIn(pointer.clone())).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "failed to obtain the credential of `alice`: the answer to sign-in POST \
             {origin}/auth/login has no string at /token"
        )
    );
    pointer.url = "http://127.0.0.2:9/login".to_owned();
    let sent = client.requests_sent();
    let err = client.obtain(&alice, &CredentialSource::SignIn(pointer)).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "failed to obtain the credential of `alice`: refused to send to \
             http://127.0.0.2:9/login: it is outside the target origin {origin}"
        )
    );
    assert_eq!(client.requests_sent(), sent);

    let _ = running.stop.send(());
    running.task.await.unwrap().unwrap();
}

#[tokio::test]
async fn a_command_identity_renews_by_running_its_command_again() {
    let running = start().await;
    let bob = IdentityName::new("bob");
    // The command always prints token-number-7, which the server refuses once
    // oldest_valid passes 7: the renewal then gives the same token, and the
    // 401 stands.
    let source = CredentialSource::Command(trespass_model::CommandSource {
        argv: vec!["printf".into(), "%s".into(), "token-number-7".into()],
        timeout: Duration::from_secs(10),
        refresh_every: None,
    });
    let mut client = client(&running.url);
    let first = client.obtain(&bob, &source).await.unwrap();
    assert_eq!(client.requests_sent(), 0);
    client.keep_session(bob.clone(), CredentialPlacement::Bearer, source, first);
    let credential =
        Credential { placement: CredentialPlacement::Bearer, secret: Secret::new("x") };
    let url = client.url_for("/data").unwrap();
    let as_bob = Presenting::Identity { name: &bob, credential: &credential };
    assert_eq!(client.send(Method::Get, &url, as_bob).await.unwrap().status, 200);
    running.server.oldest_valid.store(8, Ordering::SeqCst);
    assert_eq!(client.send(Method::Get, &url, as_bob).await.unwrap().status, 401);
    assert_eq!(client.renewals()[0].1.after_refusal, 1);
    assert_eq!(client.redactor().redact("token-number-7"), "${bob}");

    let _ = running.stop.send(());
    running.task.await.unwrap().unwrap();
}
