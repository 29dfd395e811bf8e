//! The one door every request of trespass goes through.
//!
//! [`Client`] is built for one target origin. It turns a path into a URL
//! under the target's base, refuses any URL whose scheme, host or port
//! differs from the target's (so a credential can never be sent elsewhere),
//! attaches the credential that a [`Presenting`] names, sends the request
//! without following redirects, and reads at most a fixed number of body
//! bytes. It counts what it sends and bounds how many requests are in flight.
//!
//! What comes back is a [`Received`]: status, a few headers and the body,
//! flagged when the body was cut at the cap. A failure is a
//! [`TransportError`], which callers record as an observation instead of
//! aborting the scan.
//!
//! [`Redactor`] replaces every known secret in a text by its identity's
//! placeholder, and [`record`] describes a request for evidence with
//! placeholders in place of secrets: both exist so that a secret has no path
//! into a report.

mod redact;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;
use trespass_model::{Credential, CredentialPlacement, IdentityName, Method, RecordedRequest};
use url::Url;

pub use redact::Redactor;

/// Limits of a client.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// Time limit of one request, from connecting to the last body byte.
    pub timeout: Duration,
    /// Body bytes kept per response; the rest is not read.
    pub max_body_bytes: usize,
    /// Requests in flight at once.
    pub concurrency: usize,
}

/// Who a request claims to come from.
#[derive(Clone, Copy, Debug)]
pub enum Presenting<'a> {
    /// No credential at all.
    Nobody,
    /// A configured identity and its credential.
    Identity {
        /// The identity's name, which evidence shows instead of the secret.
        name: &'a IdentityName,
        /// The credential sent.
        credential: &'a Credential,
    },
    /// A made-up credential of the right shape, which no identity owns.
    /// Its value is not secret and is shown as is.
    Forged {
        /// The credential sent.
        credential: &'a Credential,
    },
}

/// A response, with its body cut at the client's cap.
#[derive(Clone, Debug)]
pub struct Received {
    /// Status code.
    pub status: u16,
    /// `Content-Type`, when sent and readable.
    pub content_type: Option<String>,
    /// `Location`, when sent and readable.
    pub location: Option<String>,
    /// Body bytes, at most the client's cap.
    pub body: Vec<u8>,
    /// Whether the body was longer than the cap and was cut.
    pub truncated: bool,
    /// Time from sending to the last byte read.
    pub elapsed: Duration,
}

impl Received {
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Why a request got no response.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The URL would leave the target's origin; nothing was sent.
    #[error("refused to send to {url}: it is outside the target origin {origin}")]
    OffOrigin {
        /// The refused URL, without query.
        url: String,
        /// The target's origin.
        origin: String,
    },
    /// The path did not make a valid URL.
    #[error("invalid request URL {url}: {message}")]
    BadUrl {
        /// What was tried.
        url: String,
        /// Why it is invalid.
        message: String,
    },
    /// No response within the time limit.
    #[error("request to {url} timed out after {timeout_ms} ms")]
    Timeout {
        /// The URL, without query.
        url: String,
        /// The limit.
        timeout_ms: u128,
    },
    /// The connection failed or broke.
    #[error("request to {url} failed: {message}")]
    Failed {
        /// The URL, without query.
        url: String,
        /// What went wrong, with any URL and query stripped.
        message: String,
    },
}

/// An HTTP client bound to one target origin.
#[derive(Debug)]
pub struct Client {
    http: reqwest::Client,
    base: Url,
    config: ClientConfig,
    in_flight: Semaphore,
    sent: AtomicU64,
}

impl Client {
    /// Builds a client for `base`, the target URL joined with the API's base
    /// path. Every request goes to this URL's origin or nowhere.
    pub fn new(base: Url, config: ClientConfig) -> Result<Self, TransportError> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .user_agent(concat!("trespass/", env!("CARGO_PKG_VERSION")))
            .pool_max_idle_per_host(config.concurrency.max(1))
            .build()
            .map_err(|e| TransportError::Failed {
                url: base.to_string(),
                message: format!("could not build the HTTP client: {e}"),
            })?;
        let permits = config.concurrency.max(1);
        Ok(Self { http, base, config, in_flight: Semaphore::new(permits), sent: AtomicU64::new(0) })
    }

    /// The base URL requests are made under.
    pub fn base(&self) -> &Url {
        &self.base
    }

    /// Requests allowed in flight at once (at least 1).
    pub fn concurrency(&self) -> usize {
        self.config.concurrency.max(1)
    }

    /// Requests sent so far, answered or not.
    pub fn requests_sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// The URL a path maps to: the base URL's path followed by `path`
    /// (which starts with `/` and may carry a query), checked to stay on
    /// the target's origin.
    pub fn url_for(&self, path: &str) -> Result<Url, TransportError> {
        let joined = format!("{}{}", self.base.as_str().trim_end_matches('/'), path);
        let url = Url::parse(&joined)
            .map_err(|e| TransportError::BadUrl { url: joined.clone(), message: e.to_string() })?;
        self.check_scope(&url)?;
        Ok(url)
    }

    /// Sends one request and reads its response. This is the scope guard:
    /// the credential is attached here and only after the URL was checked.
    pub async fn send(
        &self,
        method: Method,
        url: &Url,
        presenting: Presenting<'_>,
    ) -> Result<Received, TransportError> {
        self.send_json(method, url, presenting, None).await
    }

    /// Like [`send`](Self::send), with `body` (JSON bytes) as the request
    /// body and `Content-Type: application/json`, when given. Active mode's
    /// writes use it; the scope check and credential rules are the same.
    pub async fn send_json(
        &self,
        method: Method,
        url: &Url,
        presenting: Presenting<'_>,
        body: Option<Vec<u8>>,
    ) -> Result<Received, TransportError> {
        self.check_scope(url)?;
        let target = url;
        let mut url = url.clone();
        let credential = match presenting {
            Presenting::Nobody => None,
            Presenting::Identity { credential, .. } | Presenting::Forged { credential } => {
                Some(credential)
            }
        };
        if let Some(Credential { placement: CredentialPlacement::Query(name), secret }) = credential
        {
            url.query_pairs_mut().append_pair(name, secret.expose());
        }
        let mut request = self.http.request(to_reqwest(method), url);
        if let Some(credential) = credential {
            request = attach(request, credential);
        }
        if let Some(body) = body {
            request = request.header(reqwest::header::CONTENT_TYPE, "application/json").body(body);
        }

        // A closed semaphore is impossible: it is never closed.
        let _permit = self.in_flight.acquire().await.map_err(|_| TransportError::Failed {
            url: without_query(target),
            message: "client is shutting down".to_owned(),
        })?;
        self.sent.fetch_add(1, Ordering::Relaxed);
        let started = Instant::now();
        let response = request.send().await.map_err(|e| self.failure(target, &e))?;

        let status = response.status().as_u16();
        let header = |name: reqwest::header::HeaderName| {
            response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
        };
        let content_type = header(reqwest::header::CONTENT_TYPE);
        let location = header(reqwest::header::LOCATION);
        let (body, truncated) = self.read_body(response, target).await?;
        tracing::trace!(%method, path = target.path(), status, bytes = body.len(), "response");
        Ok(Received { status, content_type, location, body, truncated, elapsed: started.elapsed() })
    }

    async fn read_body(
        &self,
        mut response: reqwest::Response,
        target: &Url,
    ) -> Result<(Vec<u8>, bool), TransportError> {
        let cap = self.config.max_body_bytes;
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.failure(target, &e))? {
            let room = cap - body.len();
            if chunk.len() > room {
                body.extend_from_slice(&chunk[..room]);
                return Ok((body, true));
            }
            body.extend_from_slice(&chunk);
        }
        Ok((body, false))
    }

    fn check_scope(&self, url: &Url) -> Result<(), TransportError> {
        if url.origin() == self.base.origin() {
            Ok(())
        } else {
            Err(TransportError::OffOrigin {
                url: without_query(url),
                origin: self.base.origin().ascii_serialization(),
            })
        }
    }

    /// Describes a failed exchange with `target`, its query and userinfo
    /// stripped (built only on failure, so the common path pays nothing).
    fn failure(&self, target: &Url, error: &reqwest::Error) -> TransportError {
        let shown = without_query(target);
        if error.is_timeout() {
            return TransportError::Timeout {
                url: shown,
                timeout_ms: self.config.timeout.as_millis(),
            };
        }
        // reqwest's own message carries the URL with its query, where a
        // credential can sit; describe the error by its kind and causes.
        let mut message = if error.is_connect() {
            "could not connect".to_owned()
        } else if error.is_body() || error.is_decode() {
            "could not read the response body".to_owned()
        } else {
            "the exchange failed".to_owned()
        };
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            message.push_str(": ");
            message.push_str(&cause.to_string());
            source = cause.source();
        }
        TransportError::Failed { url: shown, message }
    }
}

/// Describes a request for evidence, with the credential as a placeholder
/// (`X-API-Key: ${alice}`), or the forged value, or `none`.
pub fn record(method: Method, url: &Url, presenting: Presenting<'_>) -> RecordedRequest {
    let (placement, value) = match presenting {
        Presenting::Nobody => {
            return RecordedRequest { method, url: url.to_string(), credential: "none".to_owned() };
        }
        Presenting::Identity { name, credential } => (&credential.placement, name.placeholder()),
        Presenting::Forged { credential } => {
            (&credential.placement, credential.secret.expose().to_owned())
        }
    };
    let mut url = url.clone();
    let credential = match placement {
        CredentialPlacement::Header(name) => format!("{name}: {value}"),
        CredentialPlacement::Cookie(name) => format!("Cookie: {name}={value}"),
        CredentialPlacement::Bearer => format!("Authorization: Bearer {value}"),
        CredentialPlacement::Basic => format!("Authorization: Basic {value}"),
        CredentialPlacement::Query(name) => {
            url.query_pairs_mut().append_pair(name, &value);
            format!("query {name}={value}")
        }
    };
    // `append_pair` percent-encodes the placeholder's braces; show it as
    // written so it reads as a placeholder.
    let url = url.to_string().replace("%24%7B", "${").replace("%7D", "}");
    RecordedRequest { method, url, credential }
}

fn attach(request: reqwest::RequestBuilder, credential: &Credential) -> reqwest::RequestBuilder {
    let secret = credential.secret.expose();
    match &credential.placement {
        CredentialPlacement::Header(name) => request.header(name.as_str(), secret),
        CredentialPlacement::Cookie(name) => request.header("Cookie", format!("{name}={secret}")),
        CredentialPlacement::Bearer => request.header("Authorization", format!("Bearer {secret}")),
        CredentialPlacement::Basic => request.header("Authorization", format!("Basic {secret}")),
        // Added to the URL before the request was built.
        CredentialPlacement::Query(_) => request,
    }
}

fn to_reqwest(method: Method) -> reqwest::Method {
    match method {
        Method::Get => reqwest::Method::GET,
        Method::Head => reqwest::Method::HEAD,
        Method::Options => reqwest::Method::OPTIONS,
        Method::Post => reqwest::Method::POST,
        Method::Put => reqwest::Method::PUT,
        Method::Patch => reqwest::Method::PATCH,
        Method::Delete => reqwest::Method::DELETE,
        Method::Trace => reqwest::Method::TRACE,
    }
}

fn without_query(url: &Url) -> String {
    let mut url = url.clone();
    url.set_query(None);
    url.set_fragment(None);
    // Userinfo can hold a password; setting it fails only for URLs that
    // cannot have one, which then have none to hide.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use trespass_model::Secret;

    fn client(base: &str) -> Client {
        let config =
            ClientConfig { timeout: Duration::from_secs(2), max_body_bytes: 16, concurrency: 2 };
        Client::new(Url::parse(base).unwrap(), config).unwrap()
    }

    #[test]
    fn paths_join_under_the_base_path() {
        let c = client("http://127.0.0.1:9/api/v1/");
        assert_eq!(
            c.url_for("/users/7?x=1").unwrap().as_str(),
            "http://127.0.0.1:9/api/v1/users/7?x=1"
        );
    }

    #[test]
    fn a_path_that_escapes_the_origin_is_refused() {
        let c = client("http://127.0.0.1:9");
        let err = c.url_for("@127.0.0.2:9/steal").unwrap_err();
        assert_eq!(
            err.to_string(),
            "refused to send to http://127.0.0.2:9/steal: it is outside the target origin \
             http://127.0.0.1:9"
        );
    }

    #[tokio::test]
    async fn send_refuses_another_origin_before_attaching_anything() {
        let c = client("http://127.0.0.1:9");
        let other = Url::parse("http://127.0.0.1:10/x").unwrap();
        let name = IdentityName::new("alice");
        let credential =
            Credential { placement: CredentialPlacement::Bearer, secret: Secret::new("s3cret") };
        let err = c
            .send(
                Method::Get,
                &other,
                Presenting::Identity { name: &name, credential: &credential },
            )
            .await
            .unwrap_err();
        assert!(matches!(err, TransportError::OffOrigin { .. }));
        assert_eq!(c.requests_sent(), 0);
    }

    #[test]
    fn records_show_placeholders_not_secrets() {
        let url = Url::parse("http://127.0.0.1:9/users/1").unwrap();
        let name = IdentityName::new("alice");
        let secret = Secret::new("very-secret-value");
        for (placement, expected_credential, expected_url) in [
            (
                CredentialPlacement::Header("X-API-Key".into()),
                "X-API-Key: ${alice}",
                "http://127.0.0.1:9/users/1",
            ),
            (
                CredentialPlacement::Query("api_key".into()),
                "query api_key=${alice}",
                "http://127.0.0.1:9/users/1?api_key=${alice}",
            ),
            (
                CredentialPlacement::Bearer,
                "Authorization: Bearer ${alice}",
                "http://127.0.0.1:9/users/1",
            ),
            (
                CredentialPlacement::Cookie("sid".into()),
                "Cookie: sid=${alice}",
                "http://127.0.0.1:9/users/1",
            ),
        ] {
            let credential = Credential { placement, secret: secret.clone() };
            let rec = record(
                Method::Get,
                &url,
                Presenting::Identity { name: &name, credential: &credential },
            );
            assert_eq!(rec.credential, expected_credential);
            assert_eq!(rec.url, expected_url);
        }
        let rec = record(Method::Get, &url, Presenting::Nobody);
        assert_eq!(rec.credential, "none");
    }

    #[tokio::test]
    async fn bodies_are_cut_at_the_cap_and_credentials_are_sent() {
        use axum::routing::get;
        let app = axum::Router::new().route(
            "/big",
            get(|headers: axum::http::HeaderMap| async move {
                let key = headers.get("x-api-key").and_then(|v| v.to_str().ok()).unwrap_or("");
                format!("{key}-0123456789abcdefghijklmnopqrstuvwxyz")
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
        });

        let c = client(&format!("http://{addr}"));
        let url = c.url_for("/big").unwrap();
        let name = IdentityName::new("alice");
        let credential = Credential {
            placement: CredentialPlacement::Header("X-API-Key".into()),
            secret: Secret::new("k1"),
        };
        let got = c
            .send(Method::Get, &url, Presenting::Identity { name: &name, credential: &credential })
            .await
            .unwrap();
        assert_eq!(got.status, 200);
        assert_eq!(got.body, b"k1-0123456789abc");
        assert!(got.truncated);
        assert_eq!(c.requests_sent(), 1);

        let _ = stop.send(());
        server.await.unwrap().unwrap();
    }
}
