//! The lab's sign-in: `POST /login` hands out bearer tokens that stand for
//! the user wherever the key does, faults included, and that expire when
//! the lab is built with a token life.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use trespass_lab::{Lab, identities};

const DEADLINE: Duration = Duration::from_secs(10);

/// Sends one request with optional extra header lines and JSON body;
/// returns the status and the JSON body (`null` when empty).
async fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> (u16, Value) {
    let request = async {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\n");
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        if !body.is_empty() {
            head.push_str("Content-Type: application/json\r\n");
        }
        head.push_str(&format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ));
        stream.write_all(head.as_bytes()).await.unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.unwrap();
        let text = String::from_utf8(raw).unwrap();
        let status = text[9..12].parse().unwrap();
        let (_, body) = text.split_once("\r\n\r\n").unwrap();
        let mut json: Value =
            if body.is_empty() { Value::Null } else { serde_json::from_str(body).unwrap() };
        // The noise every object carries.
        if let Some(object) = json.as_object_mut() {
            object.remove("request_id");
            object.remove("served_at");
        }
        (status, json)
    };
    tokio::time::timeout(DEADLINE, request).await.expect("request timed out")
}

async fn sign_in(addr: SocketAddr, username: &str, password: &str) -> (u16, Value) {
    let body = json!({ "username": username, "password": password });
    send(addr, "POST", "/login", &[], Some(body)).await
}

#[tokio::test]
async fn tokens_stand_for_their_user_and_expire_with_the_token_life() {
    let lab = Lab::new(false).with_token_ttl(Duration::from_millis(300));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(lab.clone().serve(listener, async {
        let _ = stopped.await;
    }));
    let [alice, bob] = [0, 1].map(|i| identities()[i]);

    // Wrong password, unknown user, and a body that is not the object.
    assert_eq!(
        sign_in(addr, "alice", bob.password).await,
        (401, json!({ "error": "unauthorized" }))
    );
    assert_eq!(sign_in(addr, "eve", "x").await.0, 401);
    assert_eq!(send(addr, "POST", "/login", &[], Some(json!(["alice"]))).await.0, 400);

    let (status, answer) = sign_in(addr, "alice", alice.password).await;
    assert_eq!(status, 200);
    assert_eq!(answer["token_type"], "Bearer");
    assert_eq!(answer["expires_in"], json!(0.3));
    let token = answer["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("lab-token-1-"), "{token}");
    let bearer = format!("Bearer {token}");

    // The token is alice wherever her key is: /me, and the vulnerable
    // accounts route's query string.
    let (status, me) = send(addr, "GET", "/me", &[("Authorization", &bearer)], None).await;
    assert_eq!((status, me["id"].clone()), (200, json!(1)));
    let (status, account) =
        send(addr, "GET", &format!("/accounts/11?api_key={token}"), &[], None).await;
    assert_eq!((status, account["id"].clone()), (200, json!(11)));
    // The vulnerable notes route takes any non-empty bearer token.
    let forged = [("Authorization", "Bearer not-a-token")];
    assert_eq!(send(addr, "GET", "/notes/402", &forged, None).await.0, 200);
    assert_eq!(send(addr, "GET", "/me", &forged, None).await.0, 401);

    // After the token life, it is refused like an unknown one.
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(
        send(addr, "GET", "/me", &[("Authorization", &bearer)], None).await,
        (401, json!({ "error": "unauthorized" }))
    );
    let (_, again) = sign_in(addr, "alice", alice.password).await;
    assert_ne!(again["token"], json!(token));
    let renewed = format!("Bearer {}", again["token"].as_str().unwrap());
    assert_eq!(send(addr, "GET", "/me", &[("Authorization", &renewed)], None).await.0, 200);

    // The log records sign-ins, never a body, so never a password.
    let log = lab.request_log();
    assert_eq!(log.iter().filter(|r| r.method == "POST" && r.path == "/login").count(), 5);
    assert!(!format!("{log:?}").contains(alice.password));

    stop.send(()).unwrap();
    tokio::time::timeout(DEADLINE, server).await.unwrap().unwrap().unwrap();
}

#[tokio::test]
async fn the_fixed_lab_takes_tokens_in_the_header_only() {
    let lab = Lab::new(true);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(lab.serve(listener, async {
        let _ = stopped.await;
    }));
    let bob = identities()[1];
    let (_, answer) = sign_in(addr, "bob", bob.password).await;
    let token = answer["token"].as_str().unwrap().to_owned();
    assert_eq!(answer["expires_in"], Value::Null);
    let bearer = format!("Bearer {token}");
    let (status, account) =
        send(addr, "GET", "/accounts/12", &[("Authorization", &bearer)], None).await;
    assert_eq!((status, account["id"].clone()), (200, json!(12)));
    assert_eq!(send(addr, "GET", &format!("/accounts/12?api_key={token}"), &[], None).await.0, 401);
    assert_eq!(
        send(addr, "GET", "/notes/402", &[("Authorization", "Bearer x")], None).await.0,
        401
    );

    stop.send(()).unwrap();
    tokio::time::timeout(DEADLINE, server).await.unwrap().unwrap().unwrap();
}
