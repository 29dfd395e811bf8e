//! Hostile loopback servers: a small API over raw TCP whose answers a test
//! chooses byte by byte, so that it can misbehave in ways no framework
//! allows (drip a byte a second, never close, lie about encodings, answer
//! in HTTP/1.0, break chunked encoding).
//!
//! [`HostileServer::start`] binds 127.0.0.1 on a free port and serves from
//! a background thread until dropped, at most [`MAX_CONNECTIONS`]
//! connections and [`LIFETIME`], whichever comes first. Every request it
//! reads is logged ([`Served`]) so that tests can assert what arrived.
//!
//! [`api`] answers the API of [`SPEC`]: `GET /things` lists each identity's
//! things, `GET /things/{thing_id}` is correctly protected, and
//! `GET /items/{item_id}` answers whatever the test's closure says.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// Connections served at most before the server stops accepting.
pub(crate) const MAX_CONNECTIONS: usize = 2000;
/// How long a server lives at most, even if a test never stops it.
pub(crate) const LIFETIME: Duration = Duration::from_secs(90);
/// Alice's key, distinctive so that a leak is found by a plain search.
pub(crate) const ALICE_KEY: &str = "tr3sp4ss-ALICE-5ecr3t-q8Zr";
/// Bob's key.
pub(crate) const BOB_KEY: &str = "tr3sp4ss-BOB-5ecr3t-Wm41";

/// One request as the server read it.
#[derive(Clone, Debug)]
pub(crate) struct Served {
    /// `GET`, `HEAD`...
    pub(crate) method: String,
    /// The path, without query.
    pub(crate) path: String,
    /// The query, without `?`, or empty.
    pub(crate) query: String,
    /// Header names (lowercase) and values.
    pub(crate) headers: Vec<(String, String)>,
    /// The raw request head, as received.
    pub(crate) raw: String,
}

impl Served {
    /// A header's value.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// The key presented in `X-API-Key`. A key in the query is refused, so
    /// that the hostile servers plant no `credential-in-query` of their own;
    /// [`Served::with_query_key`] lets a test accept one.
    pub(crate) fn key(&self) -> Option<&str> {
        self.header("x-api-key")
    }

    /// A copy in which a key sent as the `api_key` query parameter counts
    /// as if it came in `X-API-Key`.
    pub(crate) fn with_query_key(&self) -> Served {
        let mut served = self.clone();
        let in_query = self.query.split('&').find_map(|pair| pair.strip_prefix("api_key="));
        if let (None, Some(key)) = (self.header("x-api-key"), in_query) {
            served.headers.push(("x-api-key".to_owned(), key.to_owned()));
        }
        served
    }

    /// Which identity the key belongs to.
    pub(crate) fn who(&self) -> Option<&'static str> {
        match self.key()? {
            ALICE_KEY => Some("alice"),
            BOB_KEY => Some("bob"),
            _ => None,
        }
    }
}

/// What the server does with one connection after reading a request.
pub(crate) enum Answer {
    /// Write these bytes, then close.
    Bytes(Vec<u8>),
    /// Write `head`, then one byte per `every` until the peer leaves.
    Drip { head: Vec<u8>, every: Duration },
    /// Write `head` and then hold the connection open, silent.
    Hold { head: Vec<u8> },
    /// Write `head`, then `chunk` again and again until the peer leaves.
    Endless { head: Vec<u8>, chunk: Vec<u8> },
}

type Handler = dyn Fn(&Served) -> Answer + Send + Sync;

/// A hostile server on 127.0.0.1, stopped when dropped.
pub(crate) struct HostileServer {
    /// Where it listens.
    pub(crate) address: SocketAddr,
    log: Arc<Mutex<Vec<Served>>>,
    stop: Option<watch::Sender<bool>>,
    thread: Option<JoinHandle<()>>,
}

impl HostileServer {
    /// Starts a server that answers each request as `handler` says.
    pub(crate) fn start(handler: impl Fn(&Served) -> Answer + Send + Sync + 'static) -> Self {
        let handler: Arc<Handler> = Arc::new(handler);
        let log = Arc::new(Mutex::new(Vec::new()));
        let (stop, stopped) = watch::channel(false);
        let (ready, address) = mpsc::channel();
        let served = Arc::clone(&log);
        let thread = std::thread::spawn(move || {
            let runtime =
                tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async move {
                let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
                ready.send(listener.local_addr().unwrap()).unwrap();
                let mut stopped_accepting = stopped.clone();
                let accept = async {
                    for _ in 0..MAX_CONNECTIONS {
                        let Ok((stream, _)) = listener.accept().await else { break };
                        let handler = Arc::clone(&handler);
                        let log = Arc::clone(&served);
                        let mut stopped = stopped.clone();
                        tokio::spawn(async move {
                            tokio::select! {
                                () = serve(stream, handler, log) => {}
                                _ = stopped.wait_for(|s| *s) => {}
                            }
                        });
                    }
                };
                tokio::select! {
                    () = accept => {}
                    _ = stopped_accepting.wait_for(|s| *s) => {}
                    () = tokio::time::sleep(LIFETIME) => {}
                }
            });
            // Dropping the runtime cancels every connection task.
        });
        let address = address.recv_timeout(Duration::from_secs(10)).unwrap();
        Self { address, log, stop: Some(stop), thread: Some(thread) }
    }

    /// `http://127.0.0.1:PORT`.
    pub(crate) fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Every request read so far.
    pub(crate) fn log(&self) -> Vec<Served> {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn serve(mut stream: TcpStream, handler: Arc<Handler>, log: Arc<Mutex<Vec<Served>>>) {
    let Some(request) = read_request(&mut stream).await else { return };
    log.lock().unwrap().push(request.clone());
    match handler(&request) {
        Answer::Bytes(bytes) => {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.shutdown().await;
        }
        Answer::Drip { head, every } => {
            if stream.write_all(&head).await.is_err() {
                return;
            }
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                if stream.write_all(b"x").await.is_err() {
                    return;
                }
            }
        }
        Answer::Hold { head } => {
            let _ = stream.write_all(&head).await;
            // Read until the peer leaves; never answer, never close.
            let mut sink = [0u8; 256];
            while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
        }
        Answer::Endless { head, chunk } => {
            if stream.write_all(&head).await.is_err() {
                return;
            }
            while stream.write_all(&chunk).await.is_ok() {}
        }
    }
}

/// Reads one request head (bounded to 64 KiB).
async fn read_request(stream: &mut TcpStream) -> Option<Served> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buffer.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 || buffer.len() > 64 * 1024 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    let raw = String::from_utf8_lossy(&buffer).into_owned();
    let mut lines = raw.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_owned();
    let target = first.next()?;
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let headers = lines
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Some(Served { method, path: path.to_owned(), query: query.to_owned(), headers, raw })
}

/// An HTTP/1.1 response with `Content-Length` and `Connection: close`.
pub(crate) fn http11(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\nConnection: close\r\n");
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

/// A JSON response.
pub(crate) fn json(status: &str, body: &str) -> Answer {
    Answer::Bytes(http11(status, &[("Content-Type", "application/json")], body.as_bytes()))
}

/// The things of each identity: (thing id, item id, private name).
pub(crate) const THINGS: [(&str, u32, u32, &str); 2] =
    [("alice", 1, 11, "Alice Anderson private"), ("bob", 2, 12, "Bob Brown private")];

/// The item id in `/items/{id}`, when the path is one.
pub(crate) fn item_id(path: &str) -> Option<u32> {
    path.strip_prefix("/items/")?.parse().ok()
}

/// The owner of an item id.
pub(crate) fn item_owner(id: u32) -> Option<&'static str> {
    THINGS.iter().find(|t| t.2 == id).map(|t| t.0)
}

/// The API of [`SPEC`], with `/items/{item_id}` answered by `items`.
pub(crate) fn api(request: &Served, items: &dyn Fn(&Served) -> Answer) -> Answer {
    let who = request.who();
    match request.path.as_str() {
        "/things" => match who {
            Some(who) => {
                let mine: Vec<String> = THINGS
                    .iter()
                    .filter(|t| t.0 == who)
                    .map(|t| format!(r#"{{"id":{},"item_id":{},"name":"{}"}}"#, t.1, t.2, t.3))
                    .collect();
                json("200 OK", &format!("[{}]", mine.join(",")))
            }
            None => json("401 Unauthorized", r#"{"error":"unauthorized"}"#),
        },
        path if path.starts_with("/things/") => {
            let id: Option<u32> = path["/things/".len()..].parse().ok();
            let thing = THINGS.iter().find(|t| Some(t.1) == id);
            match (who, thing) {
                (None, _) => json("401 Unauthorized", r#"{"error":"unauthorized"}"#),
                (Some(who), Some(t)) if t.0 == who => json(
                    "200 OK",
                    &format!(r#"{{"id":{},"owner":"{}","name":"{}"}}"#, t.1, t.0, t.3),
                ),
                (Some(_), _) => json("404 Not Found", r#"{"error":"not found"}"#),
            }
        }
        path if path.starts_with("/items/") => items(request),
        _ => json("404 Not Found", r#"{"error":"no such route"}"#),
    }
}

/// The usual answer of `/items/{id}` for anyone but its owner (401 or 404),
/// or `None` when the request is the owner's own.
pub(crate) fn refuse_non_owner(request: &Served) -> Option<Answer> {
    let owner = item_id(&request.path).and_then(item_owner);
    match (request.who(), owner) {
        (None, _) => Some(json("401 Unauthorized", r#"{"error":"unauthorized"}"#)),
        (Some(who), Some(owner)) if who == owner => None,
        (Some(_), _) => Some(json("404 Not Found", r#"{"error":"not found"}"#)),
    }
}

/// The OpenAPI document of [`api`]. It documents the 401 that the server
/// answers without a key, so that the only faults are the hostile ones.
pub(crate) const SPEC: &str = r#"{
  "openapi": "3.0.3",
  "info": { "title": "hostile", "version": "1" },
  "components": { "securitySchemes": {
    "key": { "type": "apiKey", "in": "header", "name": "X-API-Key" } } },
  "security": [ { "key": [] } ],
  "paths": {
    "/things": { "get": { "responses": { "200": { "description": "mine" } } } },
    "/things/{thing_id}": { "get": {
      "parameters": [ { "name": "thing_id", "in": "path", "required": true,
                        "schema": { "type": "integer" } } ],
      "responses": { "200": { "description": "one" }, "401": { "description": "no key" } } } },
    "/items/{item_id}": { "get": {
      "parameters": [ { "name": "item_id", "in": "path", "required": true,
                        "schema": { "type": "integer" } } ],
      "responses": { "200": { "description": "one" }, "401": { "description": "no key" } } } }
  }
}"#;
