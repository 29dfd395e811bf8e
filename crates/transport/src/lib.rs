//! The one door every request of trespass goes through.
//!
//! [`Client`] is built for one target origin. It turns a path into a URL
//! under the target's base, refuses any URL whose scheme, host or port
//! differs from the target's, and attaches the credential that a
//! [`Presenting`] names only after that check, in one place
//! (`Client::exchange`), so a credential can never be sent elsewhere.
//!
//! Everything a hostile target controls is bounded here:
//!
//! - **time**: a connect timeout and a total timeout per request, which
//!   covers the body, so a server that drips one byte a second or never
//!   closes is cut off;
//! - **size**: at most [`ClientConfig::max_body_bytes`] body bytes are read,
//!   counted after gzip or brotli decompression, so a compression bomb is cut
//!   off, not inflated; response heads over [`MAX_HEADER_BYTES`] or
//!   [`MAX_HEADER_COUNT`] fields are refused (hyper itself refuses heads
//!   past about 400 KiB or 100 fields before they reach trespass);
//! - **pace**: a concurrency limit, a request-rate limit (governor), and
//!   `429` / `503` answers honoured by waiting as `Retry-After` asks, at most
//!   [`ClientConfig::max_retry_wait`] and [`MAX_RETRIES`] times (sign-in
//!   requests alone skip the two limits: the queue waits for them);
//! - **volume**: an optional request budget, after which requests fail with
//!   [`TransportError::BudgetSpent`] without being sent;
//! - **interruption**: once an [`Interrupt`] is set (the user pressed
//!   Ctrl-C), every request but a `DELETE` fails with
//!   [`TransportError::Interrupted`] without being sent, so the scan winds
//!   down quickly while active mode can still delete what it created;
//! - **redirects**: not followed by default; followed as
//!   [`RedirectPolicy`] says, and never with a credential off the origin.
//!
//! No proxy is taken from the environment; one is used only when
//! [`ClientConfig::proxy`] names it. Certificates are verified (rustls)
//! unless [`ClientConfig::insecure`] says otherwise.
//!
//! What comes back is a [`Received`]: status, a few headers and the body,
//! flagged when the body was cut at the cap. A failure is a
//! [`TransportError`], which callers record as an observation instead of
//! aborting the scan. [`Client::summary`] says what was cut short, waited
//! for or refused, as notes for the report.
//!
//! Identities whose credential comes from a command or a sign-in keep a
//! session in the client ([`Client::obtain`], [`Client::keep_session`]): their
//! requests carry the credential current when their turn comes, a `401`
//! renews it and sends the request again (at most three sends), and once a
//! credential's life is learned it is renewed ahead of expiry (see the
//! `session` module).
//!
//! [`Redactor`] replaces every known secret in a text by its identity's
//! placeholder; the client's own ([`Client::redactor`]) also learns every
//! credential obtained during the scan, and [`record`] describes a request for evidence with
//! placeholders in place of secrets: both exist so that a secret has no path
//! into a report.

mod redact;
mod retry;
mod session;
mod tally;

use std::borrow::Cow;
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::sync::Semaphore;
use trespass_model::{
    Credential, CredentialPlacement, CredentialSource, IdentityName, Method, RecordedRequest,
    RedirectPolicy, Secret, SignIn,
};
use url::Url;

pub use redact::Redactor;
pub use session::{MAX_COMMAND_OUTPUT, MAX_FAILED_RENEWALS, Renewals, SessionError};
use session::{Renewal, Session, Why};
use tally::Tally;
pub use tally::{INTERRUPTED_NOTE, TransportSummary};

/// Response heads larger than this many bytes (names and values) are
/// refused.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;
/// Responses with more header fields than this are refused (hyper's own
/// limit is the same).
pub const MAX_HEADER_COUNT: usize = 100;
/// Redirect hops followed at most, when redirects are followed.
pub const MAX_REDIRECTS: usize = 5;
/// Times one request is repeated after a `429` or `503`.
pub const MAX_RETRIES: u32 = 2;

/// Limits of a client. The defaults are those of `trespass-config`.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// Time limit of one request, from connecting to the last body byte.
    pub timeout: Duration,
    /// Time limit of establishing a connection (TCP and TLS).
    pub connect_timeout: Duration,
    /// Body bytes kept per response, after decompression; the rest is not
    /// read.
    pub max_body_bytes: usize,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Requests per second at most; `None` for no limit.
    pub rate_limit: Option<NonZeroU32>,
    /// Requests sent at most over the client's life; `None` for no budget.
    pub max_requests: Option<u64>,
    /// Longest wait honoured for one `Retry-After`.
    pub max_retry_wait: Duration,
    /// Whether and how redirects are followed.
    pub redirects: RedirectPolicy,
    /// Accept any TLS certificate (self-signed targets), by explicit opt-in.
    pub insecure: bool,
    /// Route every request through this HTTP proxy (Burp, ZAP).
    pub proxy: Option<Url>,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            max_body_bytes: 2 * 1024 * 1024,
            concurrency: 16,
            rate_limit: NonZeroU32::new(100),
            max_requests: None,
            max_retry_wait: Duration::from_secs(10),
            redirects: RedirectPolicy::Off,
            insecure: false,
            proxy: None,
        }
    }
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

impl<'a> Presenting<'a> {
    fn credential(self) -> Option<&'a Credential> {
        match self {
            Presenting::Nobody => None,
            Presenting::Identity { credential, .. } | Presenting::Forged { credential } => {
                Some(credential)
            }
        }
    }
}

/// How a request waits for its turn and which credential it carries.
#[derive(Clone, Copy)]
enum Sending<'a> {
    /// Paced; the credential is the one presented.
    Plain,
    /// Paced; the credential is the session's, read once its turn comes.
    Live(&'a Live<'a>),
    /// A sign-in: not paced, neither by the concurrency limit nor by the
    /// rate limit. It is one request per credential life, and the requests
    /// waiting in the queue wait for it: queued behind them, the credential
    /// it obtains would age before anyone used it. The budget counts it.
    SignIn,
}

/// A request of an identity with a [`Session`]: its credential is the
/// session's current one, read as the request leaves, in `placement`.
struct Live<'a> {
    session: &'a Session,
    placement: &'a CredentialPlacement,
    /// The generation and age of the credential the last send carried.
    last: std::sync::Mutex<(u64, Duration)>,
}

impl<'a> Live<'a> {
    fn new(session: &'a Session, placement: &'a CredentialPlacement) -> Self {
        Live { session, placement, last: std::sync::Mutex::new((0, Duration::ZERO)) }
    }

    /// The session's current credential, remembering its generation and
    /// age.
    fn read(&self) -> Credential {
        let (credential, generation, age) = self.session.credential(self.placement);
        *self.last.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = (generation, age);
        credential
    }

    /// The generation and age of the credential the last send carried.
    fn last(&self) -> (u64, Duration) {
        *self.last.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// What a request carries besides its URL, credential and body: object ids
/// that a probe places in headers and cookies (`X-Account-Id: 12`,
/// `Cookie: account_id=12`). They are not secret, and they are sent like
/// the credential: only to the target's origin, never on a redirect off it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Extras {
    /// Header names and values.
    pub headers: Vec<(String, String)>,
    /// Cookie names and values, sent in one `Cookie` header together with
    /// a cookie credential.
    pub cookies: Vec<(String, String)>,
}

impl Extras {
    /// Whether there is nothing to add.
    pub fn is_empty(&self) -> bool {
        self.headers.is_empty() && self.cookies.is_empty()
    }

    /// One `Name: value` line per header, then one `Cookie: name=value`
    /// line per cookie, for evidence.
    pub fn lines(&self) -> Vec<String> {
        let headers = self.headers.iter().map(|(name, value)| format!("{name}: {value}"));
        let cookies = self.cookies.iter().map(|(name, value)| format!("Cookie: {name}={value}"));
        headers.chain(cookies).collect()
    }
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
    /// Time from sending to the last byte read, waits and hops included.
    pub elapsed: Duration,
    /// Where the response came from, without query, when redirects were
    /// followed to get it.
    pub redirected_to: Option<String>,
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
    /// The response's headers were over the limits.
    #[error(
        "response from {url} refused: its headers exceed {MAX_HEADER_BYTES} bytes or {MAX_HEADER_COUNT} fields"
    )]
    HeadersTooLarge {
        /// The URL, without query.
        url: String,
    },
    /// The request budget was spent; nothing was sent.
    #[error("request to {url} not sent: the request budget of {max} is spent")]
    BudgetSpent {
        /// The URL, without query.
        url: String,
        /// The budget.
        max: u64,
    },
    /// The scan was interrupted (Ctrl-C); nothing was sent.
    #[error("request to {url} not sent: the scan was interrupted")]
    Interrupted {
        /// The URL, without query.
        url: String,
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

/// A flag that tells a [`Client`] to stop sending: set once, it stays set.
/// Clones share the flag, so the code that watches for Ctrl-C holds one
/// and the client of the scan another.
#[derive(Clone, Debug, Default)]
pub struct Interrupt(Arc<Flag>);

/// The shared state of an [`Interrupt`]: the flag, and a wake-up for the
/// requests waiting in the queue when it is set.
#[derive(Debug, Default)]
struct Flag {
    set: AtomicBool,
    woken: tokio::sync::Notify,
}

impl Interrupt {
    /// A flag not set yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the flag: from now on the clients that share it send only
    /// `DELETE` requests, and those waiting for their turn stop waiting.
    pub fn set(&self) {
        self.0.set.store(true, Ordering::SeqCst);
        self.0.woken.notify_waiters();
    }

    /// Whether the flag is set.
    pub fn is_set(&self) -> bool {
        self.0.set.load(Ordering::SeqCst)
    }

    /// Returns once the flag is set.
    async fn wait(&self) {
        loop {
            let woken = self.0.woken.notified();
            tokio::pin!(woken);
            // Registered before the flag is read: a `set` in between
            // still wakes it.
            woken.as_mut().enable();
            if self.is_set() {
                return;
            }
            woken.await;
        }
    }
}

/// An HTTP client bound to one target origin.
#[derive(Debug)]
pub struct Client {
    http: reqwest::Client,
    base: Url,
    config: ClientConfig,
    in_flight: Semaphore,
    pace: Option<DefaultDirectRateLimiter>,
    sent: AtomicU64,
    tally: Tally,
    /// Renewable credentials, by identity.
    sessions: HashMap<IdentityName, Arc<Session>>,
    /// Knows every secret the client obtained.
    redactor: Redactor,
    /// Whether the base's origin is a tuple (scheme, host, port) rather
    /// than opaque; see `on_origin`.
    tuple_origin: bool,
    /// Once set, only `DELETE` requests go out.
    interrupt: Interrupt,
}

/// What to do after one exchange.
enum Next {
    Done(Received),
    Follow { url: Url, method: Method, on_origin: bool },
}

impl Client {
    /// Builds a client for `base`, the target URL joined with the API's base
    /// path. Every credential goes to this URL's origin or nowhere.
    pub fn new(base: Url, config: ClientConfig) -> Result<Self, TransportError> {
        let build_error = |message: String| TransportError::Failed {
            url: without_query(&base),
            message: format!("could not build the HTTP client: {message}"),
        };
        // `no_proxy` first: it turns off proxies from the environment
        // (HTTP_PROXY and friends), which must never silently see the keys.
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout.min(config.timeout))
            .user_agent(concat!("trespass/", env!("CARGO_PKG_VERSION")))
            .pool_max_idle_per_host(config.concurrency.max(1))
            .danger_accept_invalid_certs(config.insecure);
        if let Some(proxy) = &config.proxy {
            let proxy = reqwest::Proxy::all(proxy.as_str())
                .map_err(|e| build_error(format!("invalid proxy {}: {e}", without_query(proxy))))?;
            builder = builder.proxy(proxy);
        }
        let http = builder.build().map_err(|e| build_error(e.to_string()))?;
        let permits = config.concurrency.max(1);
        // Bursts of up to `concurrency` requests, then the steady rate.
        let burst =
            NonZeroU32::new(u32::try_from(permits).unwrap_or(u32::MAX)).unwrap_or(NonZeroU32::MIN);
        let pace = config
            .rate_limit
            .map(|rate| RateLimiter::direct(Quota::per_second(rate).allow_burst(burst.min(rate))));
        let tuple_origin = base.origin().is_tuple();
        Ok(Self {
            http,
            base,
            config,
            in_flight: Semaphore::new(permits),
            pace,
            sent: AtomicU64::new(0),
            tally: Tally::default(),
            sessions: HashMap::new(),
            redactor: Redactor::new([]),
            tuple_origin,
            interrupt: Interrupt::new(),
        })
    }

    /// The client, stopped by `interrupt` rather than by a flag of its own:
    /// whoever holds a clone of it can wind the client down.
    pub fn with_interrupt(mut self, interrupt: Interrupt) -> Self {
        self.interrupt = interrupt;
        self
    }

    /// Stops the client: every later request but a `DELETE` fails with
    /// [`TransportError::Interrupted`] without being sent. `DELETE` still
    /// goes out because active mode only ever deletes objects it created,
    /// and an interrupted scan must still clean them up.
    pub fn interrupt(&self) {
        self.interrupt.set();
    }

    /// Whether the client was interrupted.
    pub fn is_interrupted(&self) -> bool {
        self.interrupt.is_set()
    }

    /// The client's redactor. It knows every credential the client obtained
    /// ([`obtain`](Self::obtain)), renewals included, and every secret value
    /// of a sign-in body; teach it the fixed credentials too
    /// ([`Redactor::learn`]), and its clones redact them all.
    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    /// Obtains the credential of `name` from `source`: runs its command, or
    /// sends its sign-in request through this client (counted, paced and
    /// scope-checked like every request; redirects are not followed, so the
    /// body goes nowhere else). The credential, and the sign-in body's
    /// secrets, are taught to [`redactor`](Self::redactor) first.
    pub async fn obtain(
        &self,
        name: &IdentityName,
        source: &CredentialSource,
    ) -> Result<Secret, SessionError> {
        let failed = |message: String| SessionError { identity: name.clone(), message };
        let secret = match source {
            CredentialSource::Static => {
                return Err(failed("it has a fixed credential, nothing to obtain".to_owned()));
            }
            CredentialSource::Command(command) => session::run_command(command).await,
            CredentialSource::SignIn(sign_in) => {
                self.redactor.learn_all(sign_in.secrets.iter().map(|s| (name, s)));
                self.sign_in(sign_in).await
            }
        }
        .map_err(failed)?;
        self.redactor.learn(name, &secret);
        Ok(secret)
    }

    /// From now on, requests presented as `name` carry `secret` (first
    /// obtained with [`obtain`](Self::obtain)) or its renewals, and renew it
    /// on a `401`. `placement` is where the identity's credential normally
    /// goes.
    pub fn keep_session(
        &mut self,
        name: IdentityName,
        placement: CredentialPlacement,
        source: CredentialSource,
        secret: Secret,
    ) {
        self.redactor.learn(&name, &secret);
        let session = Session::new(name.clone(), placement, source, secret);
        self.sessions.insert(name, Arc::new(session));
    }

    /// How often each session's credential was renewed, by identity name.
    pub fn renewals(&self) -> Vec<(IdentityName, Renewals)> {
        let mut all: Vec<_> =
            self.sessions.values().map(|s| (s.name.clone(), s.renewals())).collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    }

    /// Notes for the report: how often each identity's credential was
    /// obtained again, and why.
    pub fn renewal_notes(&self) -> Vec<String> {
        self.renewals().iter().filter_map(|(name, r)| r.note(name)).collect()
    }

    /// Sends a sign-in request and reads the token from its answer.
    async fn sign_in(&self, sign_in: &SignIn) -> Result<Secret, String> {
        let url = self.base.join(&sign_in.url).map_err(|e| format!("invalid sign-in url: {e}"))?;
        self.check_scope(&url).map_err(|e| e.to_string())?;
        let label = format!("sign-in {} {}", sign_in.method, without_query(&url));
        let body = sign_in.body.as_ref().map(|b| b.expose().as_bytes());
        let received = self
            .with_retries(
                sign_in.method,
                &url,
                Presenting::Nobody,
                &Extras::default(),
                body,
                Sending::SignIn,
            )
            .await
            .map_err(|e| format!("{label} failed: {e}"))?;
        if !received.is_success() {
            return Err(format!("{label} answered {}", received.status));
        }
        let answer: serde_json::Value = serde_json::from_slice(&received.body)
            .map_err(|_| format!("the answer to {label} is not JSON"))?;
        let token = answer
            .pointer(&sign_in.token)
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| format!("the answer to {label} has no string at {}", sign_in.token))?;
        session::checked_token(token).map_err(|m| format!("{label} {m}"))
    }

    /// The base URL requests are made under.
    pub fn base(&self) -> &Url {
        &self.base
    }

    /// Requests allowed in flight at once (at least 1).
    pub fn concurrency(&self) -> usize {
        self.config.concurrency.max(1)
    }

    /// Requests sent so far, answered or not, retries included.
    pub fn requests_sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// What the client cut short, waited for or refused so far.
    pub fn summary(&self) -> TransportSummary {
        self.tally.summary(&self.config, self.requests_sent(), self.is_interrupted())
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

    /// Sends one request and reads its response, honouring `Retry-After`
    /// and following redirects as the client's policy says.
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
    /// writes use it; the scope, credential and redirect rules are the
    /// same, and a redirect that turns the request into a GET drops the
    /// body.
    ///
    /// A request presented as an identity that has a session carries the
    /// session's current credential, in the placement the request asks for.
    /// A `401` then renews the credential once and sends the request again
    /// once. When the request carries the credential somewhere else than
    /// the identity usually does (a probe that moved it into the query), the
    /// `401` may be the answer to that placement rather than to an expired
    /// credential: a read is then first sent again with the credential in
    /// its usual place, and only a `401` there too renews it; a write is
    /// not repeated.
    pub async fn send_json(
        &self,
        method: Method,
        url: &Url,
        presenting: Presenting<'_>,
        body: Option<Vec<u8>>,
    ) -> Result<Received, TransportError> {
        self.send_with(method, url, presenting, &Extras::default(), body).await
    }

    /// Like [`send_json`](Self::send_json), with `extras` (ids in headers
    /// and cookies) added to the request while it stays on the target's
    /// origin.
    pub async fn send_with(
        &self,
        method: Method,
        url: &Url,
        presenting: Presenting<'_>,
        extras: &Extras,
        body: Option<Vec<u8>>,
    ) -> Result<Received, TransportError> {
        let Presenting::Identity { name, credential } = presenting else {
            return self
                .send_following(method, url, presenting, extras, body, Sending::Plain)
                .await;
        };
        let Some(session) = self.sessions.get(name) else {
            return self
                .send_following(method, url, presenting, extras, body, Sending::Plain)
                .await;
        };
        self.check_scope(url)?;

        // The session's credential is read (and renewed when due) when the
        // request leaves, after its wait for a permit and for the rate
        // limit, not before: see `exchange`.
        let placement = &credential.placement;
        let live = Live::new(session, placement);
        let received = self
            .send_following(method, url, presenting, extras, body.clone(), Sending::Live(&live))
            .await?;
        if received.status != 401 {
            return Ok(received);
        }
        if *placement != session.placement {
            if !method.is_read_only() {
                return Ok(received);
            }
            let usual = Live::new(session, &session.placement);
            let check = self
                .send_following(method, url, presenting, extras, None, Sending::Live(&usual))
                .await?;
            if check.status != 401 {
                return Ok(received);
            }
        }
        // One renewal per refused credential. When another request had
        // already renewed it, its credential may itself have expired while
        // this request waited for its turn (a server that is slow to answer
        // under load): this request then renews once more and tries a last
        // time. At most three sends; a credential this request obtained
        // itself and that is refused too leaves the 401 standing.
        let mut received = received;
        let (mut seen, mut refused_at) = live.last();
        for _ in 0..2 {
            let renewal = self.renew(session, seen, Why::Refused).await;
            if renewal == Renewal::Failed {
                return Ok(received);
            }
            received = self
                .send_following(method, url, presenting, extras, body.clone(), Sending::Live(&live))
                .await?;
            let (generation, age) = live.last();
            if received.status != 401 {
                // A newer credential was taken where the older one was
                // not: the older one had expired, at that age.
                if generation > seen {
                    session.learn_life(refused_at);
                }
                return Ok(received);
            }
            if renewal == Renewal::Here {
                return Ok(received);
            }
            (seen, refused_at) = (generation, age);
        }
        Ok(received)
    }

    /// Renews the credential of generation `seen`, unless another request
    /// did already; whether there is a newer credential to use.
    async fn renew(&self, session: &Session, seen: u64, why: Why) -> Renewal {
        let Some(_renewing) = session.begin(seen).await else {
            return Renewal::Elsewhere;
        };
        if !session.may_renew() {
            return Renewal::Failed;
        }
        let outcome = self.obtain(&session.name, &session.source).await;
        if session.finish(outcome, why) { Renewal::Here } else { Renewal::Failed }
    }

    /// [`send_json`](Self::send_json) without sessions: one request, its
    /// `Retry-After` waits and its redirects.
    async fn send_following(
        &self,
        method: Method,
        url: &Url,
        presenting: Presenting<'_>,
        extras: &Extras,
        body: Option<Vec<u8>>,
        sending: Sending<'_>,
    ) -> Result<Received, TransportError> {
        self.check_scope(url)?;
        let none = Extras::default();
        let started = Instant::now();
        let first_method = method;
        // Borrowed until a redirect leads elsewhere: most requests have none.
        let (mut url, mut method, mut on_origin) = (Cow::Borrowed(url), method, true);
        let mut hops = 0;
        loop {
            // Off the origin, nobody is presented: no credential leaves it.
            let who = if on_origin { presenting } else { Presenting::Nobody };
            let extras = if on_origin { extras } else { &none };
            let sending = if on_origin { sending } else { Sending::Plain };
            let body = body.as_deref().filter(|_| method == first_method);
            let received = self.with_retries(method, &url, who, extras, body, sending).await?;
            match self.next(received, &url, method, on_origin, hops) {
                Next::Done(mut received) => {
                    received.elapsed = started.elapsed();
                    if hops > 0 {
                        received.redirected_to = Some(without_query(&url));
                    }
                    return Ok(received);
                }
                Next::Follow { url: next, method: next_method, on_origin: still } => {
                    tracing::debug!(from = %without_query(&url), to = %without_query(&next), on_origin = still, "following a redirect");
                    (url, method, on_origin) = (Cow::Owned(next), next_method, still);
                    hops += 1;
                }
            }
        }
    }

    /// Decides whether a response is the answer or a redirect to follow.
    fn next(
        &self,
        received: Received,
        url: &Url,
        method: Method,
        on_origin: bool,
        hops: usize,
    ) -> Next {
        let policy = self.config.redirects;
        let is_redirect = matches!(received.status, 301 | 302 | 303 | 307 | 308);
        let Some(location) = received.location.as_deref().filter(|_| is_redirect) else {
            return Next::Done(received);
        };
        let Ok(next) = url.join(location) else {
            return Next::Done(received);
        };
        if !matches!(next.scheme(), "http" | "https") {
            return Next::Done(received);
        }
        let next_on_origin = on_origin && next.origin() == self.base.origin();
        if next.origin() != self.base.origin() {
            self.tally.off_origin(without_query(&next));
            if policy != RedirectPolicy::WithoutCredentials {
                Tally::add(&self.tally.off_origin_refused, 1);
                return Next::Done(received);
            }
        }
        if policy == RedirectPolicy::Off {
            return Next::Done(received);
        }
        if hops >= MAX_REDIRECTS {
            Tally::add(&self.tally.too_many_redirects, 1);
            return Next::Done(received);
        }
        if next.origin() != self.base.origin() {
            Tally::add(&self.tally.off_origin_followed, 1);
        }
        // As browsers do: 303 always, and 301/302 after a non-GET, turn
        // into GET; 307 and 308 keep the method.
        let changes = received.status == 303
            || (matches!(received.status, 301 | 302)
                && !matches!(method, Method::Get | Method::Head));
        let method = if changes { Method::Get } else { method };
        Next::Follow { url: next, method, on_origin: next_on_origin }
    }

    /// One request, repeated after a `429` or `503` when `Retry-After`
    /// asks for a wait within the bound.
    async fn with_retries(
        &self,
        method: Method,
        url: &Url,
        presenting: Presenting<'_>,
        extras: &Extras,
        body: Option<&[u8]>,
        sending: Sending<'_>,
    ) -> Result<Received, TransportError> {
        let mut attempt = 0;
        loop {
            let exchanged = self.exchange(method, url, presenting, extras, body, sending).await?;
            if !matches!(exchanged.received.status, 429 | 503) {
                return Ok(exchanged.done());
            }
            Tally::add(&self.tally.rate_limited, 1);
            let wait = exchanged
                .retry_after
                .as_deref()
                .and_then(|v| retry::retry_after(v, SystemTime::now()))
                .unwrap_or(retry::DEFAULT_WAIT);
            if attempt >= MAX_RETRIES {
                return Ok(exchanged.done());
            }
            if wait > self.config.max_retry_wait {
                Tally::add(&self.tally.wait_declined, 1);
                tracing::debug!(url = %without_query(url), wait_ms = wait.as_millis(), "Retry-After beyond the bound, not waiting");
                return Ok(exchanged.done());
            }
            tracing::debug!(url = %without_query(url), status = exchanged.received.status, wait_ms = wait.as_millis(), "rate-limited, waiting");
            Tally::add(&self.tally.waited_ms, u64::try_from(wait.as_millis()).unwrap_or(u64::MAX));
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// Sends exactly one request and reads its response. This is the scope
    /// guard: the credential is attached here, and only to a URL on the
    /// target's origin. A live request carries the session's credential as
    /// it is once the request holds its permit and its turn under the rate
    /// limit, renewed first if it is due: a credential that lives a second
    /// or two must not expire in the queue.
    async fn exchange(
        &self,
        method: Method,
        url: &Url,
        presenting: Presenting<'_>,
        extras: &Extras,
        body: Option<&[u8]>,
        sending: Sending<'_>,
    ) -> Result<Exchanged, TransportError> {
        // The URL as messages show it (no query, no userinfo) is only
        // written out when something goes wrong: it costs a copy and a
        // re-serialisation of the URL, which a request that succeeds
        // does not need.
        let live = match sending {
            Sending::Live(live) => Some(live),
            Sending::Plain | Sending::SignIn => None,
        };
        if presenting.credential().is_some() || live.is_some() {
            self.check_scope(url)?;
        }
        // Checked before the queue, so that an interrupted scan does not
        // wait its turn under the rate limit only to be refused, and again
        // when the turn comes (in `spend`).
        self.refuse_if_interrupted(method, url)?;

        let queued = async {
            // A closed semaphore is impossible: it is never closed.
            let permit = match sending {
                Sending::SignIn => None,
                Sending::Plain | Sending::Live(_) => {
                    Some(self.in_flight.acquire().await.map_err(|_| TransportError::Failed {
                        url: without_query(url),
                        message: "client is shutting down".to_owned(),
                    })?)
                }
            };
            if let (Some(pace), false) = (&self.pace, matches!(sending, Sending::SignIn)) {
                pace.until_ready().await;
            }
            Ok::<_, TransportError>(permit)
        };
        // An interrupt ends the wait of every request but a `DELETE` at
        // once: otherwise each would hold the scan until its turn came
        // under the rate limit, only to be refused then.
        let _permit = if method == Method::Delete {
            queued.await?
        } else {
            tokio::select! {
                biased;
                () = self.interrupt.wait() => {
                    Tally::add(&self.tally.interrupted, 1);
                    return Err(TransportError::Interrupted { url: without_query(url) });
                }
                permit = queued => permit?,
            }
        };
        if let Some(live) = live
            && let Some(seen) = live.session.due()
        {
            // Boxed: renewing sends a sign-in through this very function.
            Box::pin(self.renew(live.session, seen, Why::Scheduled)).await;
        }
        let current = live.map(Live::read);
        let credential = current.as_ref().or(presenting.credential());

        let mut sent_to = url.clone();
        if let Some(Credential { placement: CredentialPlacement::Query(name), secret }) = credential
        {
            sent_to.query_pairs_mut().append_pair(name, secret.expose());
        }
        let mut request = self.http.request(to_reqwest(method), sent_to);
        // A cookie credential and id cookies travel in one `Cookie` header.
        let mut cookies: Vec<String> =
            extras.cookies.iter().map(|(name, value)| format!("{name}={value}")).collect();
        match credential {
            Some(Credential { placement: CredentialPlacement::Cookie(name), secret })
                if !cookies.is_empty() =>
            {
                cookies.insert(0, format!("{name}={}", secret.expose()));
            }
            Some(credential) => request = attach(request, credential),
            None => {}
        }
        for (name, value) in &extras.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        if !cookies.is_empty() {
            request = request.header("Cookie", cookies.join("; "));
        }
        if let Some(body) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.to_vec());
        }

        self.refuse_if_interrupted(method, url)?;
        self.spend(url)?;
        let started = Instant::now();
        let response = request.send().await.map_err(|e| self.failure(url, &e))?;

        let status = response.status().as_u16();
        let headers = response.headers();
        let head_bytes: usize = headers.iter().map(|(n, v)| n.as_str().len() + v.len()).sum();
        if headers.len() > MAX_HEADER_COUNT || head_bytes > MAX_HEADER_BYTES {
            Tally::add(&self.tally.oversized_headers, 1);
            return Err(TransportError::HeadersTooLarge { url: without_query(url) });
        }
        let header = |name: reqwest::header::HeaderName| {
            headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
        };
        let content_type = header(reqwest::header::CONTENT_TYPE);
        let location = header(reqwest::header::LOCATION);
        let retry_after = header(reqwest::header::RETRY_AFTER);
        let (body, truncated) = self.read_body(response, url).await?;
        if truncated {
            Tally::add(&self.tally.truncated, 1);
        }
        tracing::trace!(%method, url = %without_query(url), status, bytes = body.len(), truncated, "response");
        Ok(Exchanged {
            received: Received {
                status,
                content_type,
                location,
                body,
                truncated,
                elapsed: started.elapsed(),
                redirected_to: None,
            },
            retry_after,
        })
    }

    /// Refuses every request but a `DELETE` once the client is interrupted.
    fn refuse_if_interrupted(&self, method: Method, url: &Url) -> Result<(), TransportError> {
        if method == Method::Delete || !self.is_interrupted() {
            return Ok(());
        }
        Tally::add(&self.tally.interrupted, 1);
        Err(TransportError::Interrupted { url: without_query(url) })
    }

    /// Takes one request from the budget, or refuses.
    fn spend(&self, url: &Url) -> Result<(), TransportError> {
        let Some(max) = self.config.max_requests else {
            self.sent.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        };
        let taken = self
            .sent
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| (n < max).then_some(n + 1));
        if taken.is_err() {
            Tally::add(&self.tally.over_budget, 1);
            return Err(TransportError::BudgetSpent { url: without_query(url), max });
        }
        Ok(())
    }

    async fn read_body(
        &self,
        mut response: reqwest::Response,
        url: &Url,
    ) -> Result<(Vec<u8>, bool), TransportError> {
        // `chunk` yields decoded bytes when the body was compressed, so the
        // cap counts what was inflated, and inflation stops at the cap.
        let cap = self.config.max_body_bytes;
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.failure(url, &e))? {
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
        if self.on_origin(url) {
            Ok(())
        } else {
            Err(TransportError::OffOrigin {
                url: without_query(url),
                origin: self.base.origin().ascii_serialization(),
            })
        }
    }

    /// Whether `url` has the target's origin: the same scheme, host and
    /// port (explicit or the scheme's default), compared field by field so
    /// that the check allocates nothing. Only a base whose origin is a
    /// tuple (http, https, ws, wss, ftp) has URLs on its origin: an opaque
    /// origin equals no other, as `Url::origin` has it.
    fn on_origin(&self, url: &Url) -> bool {
        self.tuple_origin
            && url.scheme() == self.base.scheme()
            && url.host() == self.base.host()
            && url.port_or_known_default() == self.base.port_or_known_default()
    }

    fn failure(&self, url: &Url, error: &reqwest::Error) -> TransportError {
        if error.is_timeout() {
            Tally::add(&self.tally.timed_out, 1);
            return TransportError::Timeout {
                url: without_query(url),
                timeout_ms: self.config.timeout.as_millis(),
            };
        }
        Tally::add(&self.tally.failed, 1);
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
        TransportError::Failed { url: without_query(url), message }
    }
}

/// A response and the header that says when to ask again.
struct Exchanged {
    received: Received,
    retry_after: Option<String>,
}

impl Exchanged {
    fn done(self) -> Received {
        self.received
    }
}

/// Describes a request for evidence, with the credential as a placeholder
/// (`X-API-Key: ${alice}`), or the forged value, or `none`.
pub fn record(method: Method, url: &Url, presenting: Presenting<'_>) -> RecordedRequest {
    let (placement, value) = match presenting {
        Presenting::Nobody => return RecordedRequest::new(method, url.as_str(), "none"),
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
    RecordedRequest::new(method, url, credential)
}

/// Like [`record`], for a request that also carries `extras` and `body`.
pub fn record_with(
    method: Method,
    url: &Url,
    presenting: Presenting<'_>,
    extras: &Extras,
    body: Option<&[u8]>,
) -> RecordedRequest {
    let mut recorded = record(method, url, presenting);
    recorded.headers = extras.lines();
    recorded.body = body.map(|b| String::from_utf8_lossy(b).into_owned());
    recorded
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
        let config = ClientConfig {
            timeout: Duration::from_secs(2),
            max_body_bytes: 16,
            concurrency: 2,
            ..ClientConfig::default()
        };
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

    #[test]
    fn the_origin_check_agrees_with_url_origins() {
        let bases = ["http://127.0.0.1:9/api/", "https://api.example.com", "http://[::1]/"];
        let urls = [
            "http://127.0.0.1:9/x",
            "http://127.0.0.1:10/x",
            "https://127.0.0.1:9/x",
            "http://127.0.0.2:9/x",
            "https://api.example.com:443/a?q=1",
            "https://API.example.com/a",
            "http://api.example.com/a",
            "https://api.example.com.evil.test/a",
            "https://user:pw@api.example.com/a",
            "http://[::1]:80/x",
            "http://[::2]/x",
            "file:///etc/passwd",
            "data:text/plain,x",
        ];
        for base in bases {
            let c = client(base);
            for url in urls {
                let url = Url::parse(url).unwrap();
                assert_eq!(c.on_origin(&url), url.origin() == c.base.origin(), "{base} {url}");
            }
        }
        // An opaque origin equals nothing, not even its own URL.
        let opaque = client("data:text/plain,x");
        assert!(!opaque.on_origin(&Url::parse("data:text/plain,x").unwrap()));
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

    /// An axum app on a loopback port until [`Served::stop`].
    struct Served {
        stop: tokio::sync::oneshot::Sender<()>,
        task: tokio::task::JoinHandle<std::io::Result<()>>,
    }

    impl Served {
        async fn start(app: axum::Router) -> (std::net::SocketAddr, Served) {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
            let task = tokio::spawn(async move {
                axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await
            });
            (addr, Served { stop, task })
        }

        async fn stop(self) {
            let _ = self.stop.send(());
            self.task.await.unwrap().unwrap();
        }
    }

    #[tokio::test]
    async fn an_interrupted_client_sends_only_deletes_and_says_so() {
        use axum::routing::get;
        let app = axum::Router::new()
            .route("/documents/1", get(|| async { "doc" }).delete(|| async { "gone" }));
        let (addr, server) = Served::start(app).await;
        let interrupt = Interrupt::new();
        let c = client(&format!("http://{addr}")).with_interrupt(interrupt.clone());
        let url = c.url_for("/documents/1").unwrap();
        assert_eq!(c.send(Method::Get, &url, Presenting::Nobody).await.unwrap().status, 200);

        interrupt.set();
        assert!(c.is_interrupted());
        let refused = c.send(Method::Get, &url, Presenting::Nobody).await.unwrap_err();
        assert_eq!(
            refused.to_string(),
            format!("request to http://{addr}/documents/1 not sent: the scan was interrupted")
        );
        let deleted = c.send(Method::Delete, &url, Presenting::Nobody).await.unwrap();
        assert_eq!((deleted.status, deleted.body.as_slice()), (200, &b"gone"[..]));
        assert_eq!(c.requests_sent(), 2);
        let summary = c.summary();
        assert!(summary.stopped_early());
        assert_eq!(
            summary.notes(),
            [format!(
                "{INTERRUPTED_NOTE}: 1 further request(s) were not sent; only the DELETEs that \
                 clean up objects trespass created still went out"
            )]
        );

        server.stop().await;
    }

    #[tokio::test]
    async fn an_interrupt_ends_the_wait_of_queued_requests_at_once() {
        use axum::routing::get;
        let app = axum::Router::new().route("/slow", get(|| async { "ok" }));
        let (addr, server) = Served::start(app).await;
        let interrupt = Interrupt::new();
        // One request a second: twenty queued requests would take twenty.
        let config = ClientConfig {
            rate_limit: NonZeroU32::new(1),
            concurrency: 1,
            ..ClientConfig::default()
        };
        let c = Client::new(Url::parse(&format!("http://{addr}")).unwrap(), config)
            .unwrap()
            .with_interrupt(interrupt.clone());
        let c = Arc::new(c);
        let url = c.url_for("/slow").unwrap();
        let queued: Vec<_> = (0..20)
            .map(|_| {
                let (c, url) = (c.clone(), url.clone());
                tokio::spawn(async move { c.send(Method::Get, &url, Presenting::Nobody).await })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(300)).await;
        let started = Instant::now();
        interrupt.set();
        let mut refused = 0;
        for request in queued {
            if let Err(TransportError::Interrupted { .. }) = request.await.unwrap() {
                refused += 1;
            }
        }
        assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
        assert!(refused >= 18, "{refused} refused");
        server.stop().await;
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
        let (addr, server) = Served::start(app).await;

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

        server.stop().await;
    }

    #[tokio::test]
    async fn id_headers_are_sent_and_id_cookies_share_one_cookie_line_with_the_credential() {
        use axum::routing::get;
        let app = axum::Router::new().route(
            "/echo",
            get(|headers: axum::http::HeaderMap| async move {
                let all = |name: &str| {
                    let values: Vec<&str> =
                        headers.get_all(name).iter().filter_map(|v| v.to_str().ok()).collect();
                    values.join(" | ")
                };
                format!("{} / {}", all("x-account-id"), all("cookie"))
            }),
        );
        let (addr, server) = Served::start(app).await;

        let config = ClientConfig { rate_limit: None, ..ClientConfig::default() };
        let c = Client::new(Url::parse(&format!("http://{addr}")).unwrap(), config).unwrap();
        let url = c.url_for("/echo").unwrap();
        let name = IdentityName::new("alice");
        let extras = Extras {
            headers: vec![("X-Account-Id".into(), "11".into())],
            cookies: vec![("account_id".into(), "11".into())],
        };
        let cookie = Credential {
            placement: CredentialPlacement::Cookie("sid".into()),
            secret: Secret::new("k1"),
        };
        let alice = Presenting::Identity { name: &name, credential: &cookie };
        let got = c.send_with(Method::Get, &url, alice, &extras, None).await.unwrap();
        assert_eq!(String::from_utf8_lossy(&got.body), "11 / sid=k1; account_id=11");
        let got = c.send_with(Method::Get, &url, Presenting::Nobody, &extras, None).await.unwrap();
        assert_eq!(String::from_utf8_lossy(&got.body), "11 / account_id=11");

        // Evidence lists the id header and cookie, and never the secret.
        let recorded = record_with(Method::Get, &url, alice, &extras, None);
        assert_eq!(recorded.credential, "Cookie: sid=${alice}");
        assert_eq!(recorded.headers, vec!["X-Account-Id: 11", "Cookie: account_id=11"]);

        server.stop().await;
    }

    #[tokio::test]
    async fn same_origin_redirects_keep_the_credential_and_chains_are_cut() {
        use axum::response::Redirect;
        use axum::routing::get;
        let app = axum::Router::new()
            .route("/a", get(|| async { Redirect::to("/b") }))
            .route(
                "/b",
                get(|headers: axum::http::HeaderMap| async move {
                    let key = headers.get("x-api-key").and_then(|v| v.to_str().ok());
                    format!("key={}", key.unwrap_or("none"))
                }),
            )
            .route("/loop", get(|| async { Redirect::to("/loop") }));
        let (addr, server) = Served::start(app).await;

        let config = ClientConfig {
            redirects: RedirectPolicy::SameOrigin,
            rate_limit: None,
            ..ClientConfig::default()
        };
        let c = Client::new(Url::parse(&format!("http://{addr}")).unwrap(), config).unwrap();
        let name = IdentityName::new("alice");
        let credential = Credential {
            placement: CredentialPlacement::Header("X-API-Key".into()),
            secret: Secret::new("k1"),
        };
        let alice = Presenting::Identity { name: &name, credential: &credential };

        let got = c.send(Method::Get, &c.url_for("/a").unwrap(), alice).await.unwrap();
        assert_eq!((got.status, got.body.as_slice()), (200, &b"key=k1"[..]));
        assert_eq!(got.redirected_to, Some(format!("http://{addr}/b")));

        let got = c.send(Method::Get, &c.url_for("/loop").unwrap(), alice).await.unwrap();
        assert_eq!(got.status, 303);
        let summary = c.summary();
        assert_eq!(summary.too_many_redirects, 1);
        assert_eq!(summary.requests_sent, 2 + 1 + MAX_REDIRECTS as u64);
        assert_eq!(summary.notes(), vec!["1 redirect chain(s) were cut after 5 hops".to_owned()]);

        server.stop().await;
    }
}
