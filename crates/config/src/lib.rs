//! Scan configuration: a TOML file and command-line flags, merged into
//! typed [`Settings`].
//!
//! A config file looks like this (every key is documented in README):
//!
//! ```toml
//! target = "http://127.0.0.1:8080"
//! spec = "openapi.yaml"          # relative to this file
//! auth = "header:X-API-Key"      # where credentials go, for every identity
//!
//! [scan]
//! concurrency = 16
//! timeout_ms = 10000
//! rate_limit = 100               # requests per second; 0 for no limit
//! max_requests = 5000            # stop cleanly after this many requests
//! follow_redirects = "off"       # or same-origin, without-credentials
//! fail_on = "low"
//! mode = "safe"                  # or "active": create objects, probe writes
//! neighbours = 1                 # ids tried each side of an owned integer id
//!
//! [identities.alice]
//! credential = "${ALICE_KEY}"    # read from the environment
//! owns = { user_id = [1] }
//!
//! [identities.bob]
//! credential = "${BOB_KEY}"
//! role = "user"
//!
//! [identities.carol.sign_in]      # or sign in for a token (see `credentials`)
//! url = "/login"
//! body = { username = "carol", password = "${CAROL_PASSWORD}" }
//! token = "/token"
//!
//! [[roles.rules]]                # which roles an operation allows
//! path = "/admin/**"             # or: tag = "admin"
//! methods = ["GET"]              # optional: every method when absent
//! allow = ["admin"]
//! ```
//!
//! [`load_file`] reads and checks a file; [`parse_identity_flag`] reads one
//! `--identity name=value` flag; [`Settings::check`] validates the merged
//! result. Unknown keys are rejected with their line, so a typo never
//! silently changes what a scan does. Secrets are read into
//! [`Secret`](trespass_model::Secret) at once and appear in no error.

mod credentials;
mod placement;

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use std::num::NonZeroU32;
use toml::Spanned;

use trespass_model::{
    CredentialPlacement, CredentialSource, IdentityName, Method, PathPattern, RedirectPolicy,
    RoleRule, RoleSelector, Secret, Severity,
};
use url::Url;

pub use credentials::{MAX_COMMAND_TIMEOUT, MIN_REFRESH_EVERY, parse_duration, sign_in_url};
pub use placement::parse_placement;

/// Default number of requests in flight at once.
pub const DEFAULT_CONCURRENCY: usize = 16;
/// Default time limit of one request, connection included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default cap on a response body, counted after decompression.
pub const DEFAULT_MAX_BODY_BYTES: usize = 2 * 1024 * 1024;
/// Default time limit of establishing a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default request rate, per second: polite to a production API, and still
/// far above what a scan of a few thousand requests needs to finish in
/// under a minute.
pub const DEFAULT_RATE_LIMIT: u32 = 100;
/// Default bound on one wait that a `Retry-After` asks for.
pub const DEFAULT_MAX_RETRY_WAIT: Duration = Duration::from_secs(10);

/// Everything a scan needs to know, from the file and the flags.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// Base URL of the API under test. There is no default target.
    pub target: Option<Url>,
    /// API description file.
    pub spec: Option<PathBuf>,
    /// Where credentials go, for identities that do not say.
    pub auth: Option<CredentialPlacement>,
    /// The identities, in the order they were given.
    pub identities: Vec<IdentitySettings>,
    /// Limits and thresholds.
    pub scan: ScanSettings,
    /// Stated role rules, in the order written: the first that covers an
    /// operation decides which roles it allows.
    pub roles: Vec<RoleRule>,
}

/// One identity as configured.
#[derive(Clone, Debug)]
pub struct IdentitySettings {
    /// Its name.
    pub name: IdentityName,
    /// Its secret, already read from the environment. Empty when `source`
    /// says the scan obtains it (a command or a sign-in).
    pub secret: Secret,
    /// Where the secret comes from: fixed (`secret`), or obtained, and
    /// obtained again, by running a command or signing in.
    pub source: CredentialSource,
    /// Where its credential goes, when it differs from the scan's default.
    pub auth: Option<CredentialPlacement>,
    /// Its role, free-form.
    pub role: Option<String>,
    /// Ids it is known to own, per parameter name.
    pub owns: BTreeMap<String, Vec<String>>,
}

impl IdentitySettings {
    /// An identity with a static secret, the scan's placement, no role and
    /// no known ids.
    pub fn new(name: IdentityName, secret: Secret) -> Self {
        Self {
            name,
            secret,
            source: CredentialSource::default(),
            auth: None,
            role: None,
            owns: BTreeMap::new(),
        }
    }
}

/// Limits and thresholds of a scan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanSettings {
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Time limit of one request.
    pub timeout: Duration,
    /// Time limit of establishing a connection.
    pub connect_timeout: Duration,
    /// Cap on a response body, after decompression.
    pub max_body_bytes: usize,
    /// Requests per second at most; `None` for no limit.
    pub rate_limit: Option<NonZeroU32>,
    /// Requests sent at most; the scan stops cleanly with a partial report
    /// when they are spent. `None` for no budget.
    pub max_requests: Option<u64>,
    /// Longest wait honoured for one `Retry-After` of a `429` or `503`.
    pub max_retry_wait: Duration,
    /// Whether and how redirects are followed.
    pub follow_redirects: RedirectPolicy,
    /// Accept any TLS certificate (self-signed targets).
    pub insecure: bool,
    /// HTTP proxy every request goes through (Burp, ZAP). Proxies from the
    /// environment are never used.
    pub proxy: Option<Url>,
    /// Findings at or above this severity make the exit code 1.
    pub fail_on: Severity,
    /// Safe (reads only) or active (creates objects and probes writes).
    pub mode: ScanMode,
    /// Sequential neighbours of an owned integer id tried on each side
    /// (`N-1 … N-k`, `N+1 … N+k`), on operations that let an outsider read
    /// an owner's object; 0 turns them off.
    pub neighbours: u32,
}

/// Neighbours tried on each side of an owned integer id, by default.
pub const DEFAULT_NEIGHBOURS: u32 = 1;

/// The most neighbours on each side a config may ask for: each one is a
/// request per identity, and each reads an object of a stranger.
pub const MAX_NEIGHBOURS: u32 = 10;

/// What a scan may send.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ScanMode {
    /// `GET`, `HEAD` and `OPTIONS` only: the default.
    #[default]
    Safe,
    /// Also creates objects through `POST`, tries other identities' `PUT`,
    /// `PATCH` and `DELETE` on those objects only, and deletes them after.
    Active,
}

impl ScanMode {
    /// `safe` or `active`.
    pub fn as_str(self) -> &'static str {
        match self {
            ScanMode::Safe => "safe",
            ScanMode::Active => "active",
        }
    }
}

impl std::str::FromStr for ScanMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "safe" => Ok(ScanMode::Safe),
            "active" => Ok(ScanMode::Active),
            other => Err(format!("unknown mode `{other}`, expected `safe` or `active`")),
        }
    }
}

impl Default for ScanSettings {
    fn default() -> Self {
        Self {
            concurrency: DEFAULT_CONCURRENCY,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            rate_limit: NonZeroU32::new(DEFAULT_RATE_LIMIT),
            max_requests: None,
            max_retry_wait: DEFAULT_MAX_RETRY_WAIT,
            follow_redirects: RedirectPolicy::Off,
            insecure: false,
            proxy: None,
            fail_on: Severity::Low,
            mode: ScanMode::Safe,
            neighbours: DEFAULT_NEIGHBOURS,
        }
    }
}

/// Why a configuration could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("failed to read config {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The file is over the size a config may have.
    #[error(transparent)]
    TooLarge(trespass_input::TooLarge),
    /// The file is not valid TOML, has an unknown key, or a value that does
    /// not fit.
    #[error("invalid config {path} at line {line}, column {column}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A `--identity` flag is malformed. The message never repeats the value.
    #[error("invalid --identity for `{name}`: {message}")]
    IdentityFlag {
        /// The name part of the flag, or the whole flag when it has no `=`.
        name: String,
        /// What is wrong.
        message: String,
    },
    /// The merged settings cannot run a scan.
    #[error("{0}")]
    Incomplete(String),
}

/// Reads a config file. Environment variables named in credentials are read
/// through `env`, which is `std::env::var` in the binary and a map in tests.
pub fn load_file(
    path: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Settings, ConfigError> {
    let text =
        trespass_input::read_text(path, trespass_input::InputKind::CONFIG).map_err(
            |e| match e {
                trespass_input::ReadError::TooLarge(e) => ConfigError::TooLarge(e),
                trespass_input::ReadError::Io(source) => {
                    ConfigError::Read { path: path.to_owned(), source }
                }
            },
        )?;
    parse(&text, path, env)
}

/// Parses config text; `path` names it in messages and anchors a relative
/// `spec` path.
pub fn parse(
    text: &str,
    path: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Settings, ConfigError> {
    let at = |span: Range<usize>, message: String| {
        let (line, column) = line_column(text, span.start);
        ConfigError::Invalid { path: path.to_owned(), line, column, message }
    };

    let raw: RawConfig = toml::from_str(text)
        .map_err(|e| at(e.span().unwrap_or(0..0), e.message().trim_end().to_owned()))?;

    let mut settings = Settings::default();
    if let Some(target) = raw.target {
        let url = parse_target(target.get_ref()).map_err(|m| at(target.span(), m))?;
        settings.target = Some(url);
    }
    if let Some(spec) = raw.spec {
        let base = path.parent().unwrap_or(Path::new(""));
        settings.spec = Some(base.join(spec.get_ref()));
    }
    if let Some(auth) = raw.auth {
        settings.auth = Some(parse_placement(auth.get_ref()).map_err(|m| at(auth.span(), m))?);
    }

    let scan = raw.scan.unwrap_or_default();
    if let Some(concurrency) = scan.concurrency {
        if *concurrency.get_ref() == 0 {
            return Err(at(concurrency.span(), "concurrency must be at least 1".to_owned()));
        }
        settings.scan.concurrency = *concurrency.get_ref();
    }
    if let Some(timeout) = scan.timeout_ms {
        if *timeout.get_ref() == 0 {
            return Err(at(timeout.span(), "timeout_ms must be at least 1".to_owned()));
        }
        settings.scan.timeout = Duration::from_millis(*timeout.get_ref());
    }
    if let Some(timeout) = scan.connect_timeout_ms {
        if *timeout.get_ref() == 0 {
            return Err(at(timeout.span(), "connect_timeout_ms must be at least 1".to_owned()));
        }
        settings.scan.connect_timeout = Duration::from_millis(*timeout.get_ref());
    }
    if let Some(max) = scan.max_body_bytes {
        if *max.get_ref() == 0 {
            return Err(at(max.span(), "max_body_bytes must be at least 1".to_owned()));
        }
        settings.scan.max_body_bytes = *max.get_ref();
    }
    if let Some(rate) = scan.rate_limit {
        settings.scan.rate_limit = NonZeroU32::new(*rate.get_ref());
    }
    if let Some(max) = scan.max_requests {
        if *max.get_ref() == 0 {
            return Err(at(max.span(), "max_requests must be at least 1".to_owned()));
        }
        settings.scan.max_requests = Some(*max.get_ref());
    }
    if let Some(neighbours) = scan.neighbours {
        if *neighbours.get_ref() > MAX_NEIGHBOURS {
            return Err(at(
                neighbours.span(),
                format!("neighbours must be at most {MAX_NEIGHBOURS}"),
            ));
        }
        settings.scan.neighbours = *neighbours.get_ref();
    }
    if let Some(wait) = scan.max_retry_wait_ms {
        settings.scan.max_retry_wait = Duration::from_millis(wait);
    }
    if let Some(policy) = scan.follow_redirects {
        settings.scan.follow_redirects =
            policy.get_ref().parse().map_err(|m| at(policy.span(), m))?;
    }
    if let Some(insecure) = scan.insecure {
        settings.scan.insecure = insecure;
    }
    if let Some(proxy) = scan.proxy {
        settings.scan.proxy = Some(parse_proxy(proxy.get_ref()).map_err(|m| at(proxy.span(), m))?);
    }
    if let Some(fail_on) = scan.fail_on {
        settings.scan.fail_on = fail_on.get_ref().parse().map_err(|m| at(fail_on.span(), m))?;
    }
    if let Some(mode) = scan.mode {
        settings.scan.mode = mode.get_ref().parse().map_err(|m| at(mode.span(), m))?;
    }

    for (name, identity) in raw.identities {
        let name_span = name.span();
        let name = name.into_inner();
        check_identity_name(&name).map_err(|m| at(name_span.clone(), m))?;
        let raw_source = credentials::RawSource {
            credential: identity.credential,
            command: identity.command,
            command_timeout: identity.command_timeout,
            refresh_every: identity.refresh_every,
            sign_in: identity.sign_in,
        };
        let (source, secret) =
            raw_source.into_source(&name, name_span, env).map_err(|(span, m)| at(span, m))?;
        let auth = match identity.auth {
            Some(auth) => Some(
                parse_placement(auth.get_ref())
                    .map_err(|m| at(auth.span(), format!("identity `{name}`: {m}")))?,
            ),
            None => None,
        };
        let owns = identity
            .owns
            .into_iter()
            .map(|(param, ids)| (param, ids.into_iter().map(|id| id.0).collect()))
            .collect();
        let role = match identity.role {
            Some(role) => {
                let span = role.span();
                let role = role.into_inner();
                check_role_name(&role).map_err(|m| at(span, format!("identity `{name}`: {m}")))?;
                Some(role)
            }
            None => None,
        };
        settings.identities.push(IdentitySettings {
            name: IdentityName::new(name),
            secret,
            source,
            auth,
            role,
            owns,
        });
    }

    let file_name = path
        .file_name()
        .map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    for (index, rule) in raw.roles.map(|r| r.rules).unwrap_or_default().into_iter().enumerate() {
        let (line, _) = line_column(text, rule.span().start);
        let origin = format!("roles.rules[{index}] at {file_name} line {line}");
        settings.roles.push(role_rule(rule, origin, &at)?);
    }
    Ok(settings)
}

/// Checks one `[[roles.rules]]` table.
fn role_rule(
    rule: Spanned<RawRoleRule>,
    origin: String,
    at: &dyn Fn(Range<usize>, String) -> ConfigError,
) -> Result<RoleRule, ConfigError> {
    let rule_span = rule.span();
    let rule = rule.into_inner();
    let selector = match (rule.path, rule.tag) {
        (Some(path), None) => {
            RoleSelector::Path(PathPattern::new(path.get_ref()).map_err(|m| at(path.span(), m))?)
        }
        (None, Some(tag)) => {
            if tag.get_ref().trim().is_empty() {
                return Err(at(tag.span(), "a role rule's `tag` must not be empty".to_owned()));
            }
            RoleSelector::Tag(tag.into_inner())
        }
        (Some(_), Some(tag)) => {
            return Err(at(
                tag.span(),
                "a role rule selects by `path` or by `tag`, not both: write two rules".to_owned(),
            ));
        }
        (None, None) => {
            return Err(at(
                rule_span,
                "a role rule needs `path = \"/pattern/**\"` or `tag = \"name\"`".to_owned(),
            ));
        }
    };
    let methods = match rule.methods {
        Some(methods) => {
            if methods.get_ref().is_empty() {
                return Err(at(
                    methods.span(),
                    "a role rule's `methods` must name at least one method; leave it out to \
                     cover every method"
                        .to_owned(),
                ));
            }
            let mut parsed = Vec::new();
            for method in methods.into_inner() {
                let m: Method = method.get_ref().parse().map_err(|e| at(method.span(), e))?;
                parsed.push(m);
            }
            Some(parsed)
        }
        None => None,
    };
    let allow_span = rule.allow.span();
    let mut allow = Vec::new();
    for role in rule.allow.into_inner() {
        check_role_name(role.get_ref()).map_err(|m| at(role.span(), m))?;
        allow.push(role.into_inner());
    }
    if allow.is_empty() {
        return Err(at(allow_span, "a role rule's `allow` must name at least one role".to_owned()));
    }
    Ok(RoleRule { selector, methods, allow, origin })
}

/// Reads one `--identity NAME=VALUE` flag. `VALUE` is the credential, or
/// `${VAR}` to read it from the environment, which keeps it out of shell
/// history and process listings.
pub fn parse_identity_flag(
    flag: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<IdentitySettings, ConfigError> {
    let Some((name, value)) = flag.split_once('=') else {
        // The whole flag may be a secret typed without a name, so it is not
        // echoed back.
        return Err(ConfigError::IdentityFlag {
            name: "?".to_owned(),
            message: "expected NAME=CREDENTIAL, such as alice=${ALICE_KEY}".to_owned(),
        });
    };
    let flag_error = |message: String| ConfigError::IdentityFlag { name: name.to_owned(), message };
    check_identity_name(name).map_err(flag_error)?;
    let secret = expand_env(value, env).and_then(checked_credential).map_err(flag_error)?;
    Ok(IdentitySettings {
        name: IdentityName::new(name),
        secret,
        source: CredentialSource::Static,
        auth: None,
        role: None,
        owns: BTreeMap::new(),
    })
}

/// Checks that a target is an `http` or `https` URL with a host and no
/// userinfo: a password there would be a secret outside
/// [`Secret`](trespass_model::Secret), printed with every `curl` line.
pub fn parse_target(text: &str) -> Result<Url, String> {
    // Messages echo the text only once it is known to hold no userinfo.
    let url = Url::parse(text).map_err(|e| {
        if text.contains('@') {
            format!("invalid target URL: {e}")
        } else {
            format!("invalid target URL `{text}`: {e}")
        }
    })?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err("invalid target URL: it holds a user name or password; give credentials \
                    as identities, never in the target"
            .to_owned());
    }
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("invalid target URL `{text}`: expected an http or https URL"));
    }
    if url.host_str().is_none() {
        return Err(format!("invalid target URL `{text}`: it has no host"));
    }
    Ok(url)
}

/// Checks that a proxy is an `http` or `https` URL with a host and no
/// userinfo: proxy credentials would be a secret outside
/// [`Secret`](trespass_model::Secret), so they are not accepted.
pub fn parse_proxy(text: &str) -> Result<Url, String> {
    // The text may hold a password; messages show it without userinfo.
    let url = Url::parse(text).map_err(|e| format!("invalid proxy URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "invalid proxy URL with scheme `{}`: expected an http or https URL",
            url.scheme()
        ));
    }
    if url.host_str().is_none() {
        return Err("invalid proxy URL: it has no host".to_owned());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("invalid proxy URL: credentials in the proxy URL are not supported".to_owned());
    }
    Ok(url)
}

impl Settings {
    /// Adds or replaces an identity by name; flags override the file.
    /// A flag gives a credential only: the file's `role`, `auth` and
    /// `owns` for that name stay.
    pub fn upsert_identity(&mut self, identity: IdentitySettings) {
        match self.identities.iter_mut().find(|i| i.name == identity.name) {
            Some(existing) => {
                existing.secret = identity.secret;
                existing.source = identity.source;
            }
            None => self.identities.push(identity),
        }
    }

    /// Checks that the settings can run a scan: a target and at least two
    /// identities. The spec may be absent; the scan then looks for one on
    /// the target.
    pub fn check(&self) -> Result<(), ConfigError> {
        if self.target.is_none() {
            return Err(ConfigError::Incomplete(
                "no target: give --target URL or `target` in the config".to_owned(),
            ));
        }
        if self.identities.len() < 2 {
            let names: Vec<&str> = self.identities.iter().map(|i| i.name.as_str()).collect();
            let found = if names.is_empty() { "none".to_owned() } else { names.join(", ") };
            return Err(ConfigError::Incomplete(format!(
                "a scan needs at least two identities, found {} ({found}): add \
                 [identities.NAME] tables to the config or --identity NAME=CREDENTIAL flags",
                names.len()
            )));
        }
        // Reproduction commands read each secret from `$TRESPASS_<NAME>`:
        // two names that map to one variable would share it.
        for (i, a) in self.identities.iter().enumerate() {
            let var = a.name.env_var();
            if let Some(b) = self.identities[i + 1..].iter().find(|b| b.name.env_var() == var) {
                return Err(ConfigError::Incomplete(format!(
                    "identities `{}` and `{}` both read their secret from `${var}` in the \
                     reproduction commands; rename one",
                    a.name, b.name
                )));
            }
        }
        // Two names for one key would make every object "shared" and every
        // echoed key "another identity's". Obtained credentials are not known
        // yet; the scan checks them once it has them.
        for (i, a) in self.identities.iter().enumerate() {
            let same = |b: &&IdentitySettings| !a.secret.is_empty() && b.secret == a.secret;
            if let Some(b) = self.identities[i + 1..].iter().find(same) {
                return Err(ConfigError::Incomplete(format!(
                    "identities `{}` and `{}` have the same credential; each identity needs its own",
                    a.name, b.name
                )));
            }
        }
        // A sign-in carries a password: it goes to the target or nowhere.
        if let Some(target) = &self.target {
            for identity in &self.identities {
                if let CredentialSource::SignIn(sign_in) = &identity.source {
                    sign_in_url(target, &sign_in.url).map_err(|m| {
                        ConfigError::Incomplete(format!("identity `{}`: {m}", identity.name))
                    })?;
                }
            }
        }
        Ok(())
    }
}

/// What a scan should tell the user about its role rules and identities:
/// roles that rules allow but no identity has, and identities without a
/// role, which no rule can judge. Neither stops a scan: allowing `admin`
/// while scanning with user keys only is the usual case, and precisely what
/// tells whether users reach administrators' operations.
pub fn role_notes(rules: &[RoleRule], identities: &[IdentitySettings]) -> Vec<String> {
    let mut notes = Vec::new();
    if rules.is_empty() {
        return notes;
    }
    for rule in rules {
        let held = rule.allow.iter().any(|a| identities.iter().any(|i| i.role.as_ref() == Some(a)));
        if !held {
            notes.push(format!(
                "{}: no identity of this scan has an allowed role, so every identity that \
                 succeeds there is reported",
                rule.describe()
            ));
        }
    }
    for identity in identities.iter().filter(|i| i.role.is_none()) {
        notes.push(format!(
            "{} has no `role`, so role rules do not judge it; give it one in \
             [identities.{}]",
            identity.name, identity.name
        ));
    }
    notes
}

impl fmt::Display for ScanSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "concurrency {}, timeout {} ms, body cap {} bytes, rate limit {}, redirects {}, \
             fail on {}",
            self.concurrency,
            self.timeout.as_millis(),
            self.max_body_bytes,
            self.rate_limit.map_or_else(|| "none".to_owned(), |r| format!("{r}/s")),
            self.follow_redirects,
            self.fail_on
        )
    }
}

/// The shortest credential trespass takes. Every output replaces each
/// credential by its identity's placeholder wherever it occurs; a shorter
/// one (`test`, `1234`) occurs in ordinary text (`user_id`, version
/// numbers, URLs) and would garble the report, or go unredacted.
pub const MIN_CREDENTIAL_LEN: usize = 8;

/// A credential as configured, if it can be kept out of every output: at
/// least [`MIN_CREDENTIAL_LEN`] characters, without leading or trailing
/// spaces (which a header does not carry, so the key the server sees
/// would not be the one trespass redacts). Messages never show it.
pub(crate) fn checked_credential(secret: Secret) -> Result<Secret, String> {
    let text = secret.expose();
    if text.chars().count() < MIN_CREDENTIAL_LEN {
        return Err(format!(
            "credential is shorter than {MIN_CREDENTIAL_LEN} characters: trespass replaces \
             every credential in its output, and one that short also matches ordinary text"
        ));
    }
    if text.trim() != text {
        return Err("credential starts or ends with a space".to_owned());
    }
    Ok(secret)
}

/// Replaces every `${VAR}` in `value` by the variable's value. A missing or
/// empty variable is an error naming the variable, never the value.
fn expand_env(value: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Secret, String> {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            return Err("credential has `${` without a closing `}`".to_owned());
        };
        let var = &after[..end];
        if var.is_empty() {
            return Err("credential has an empty `${}`".to_owned());
        }
        match env(var) {
            Some(v) if !v.is_empty() => out.push_str(&v),
            Some(_) => return Err(format!("environment variable `{var}` is empty")),
            None => return Err(format!("environment variable `{var}` is not set")),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    if out.is_empty() {
        return Err("credential is empty".to_owned());
    }
    if out.chars().any(|c| c.is_control()) {
        return Err("credential contains a control character".to_owned());
    }
    Ok(Secret::new(out))
}

/// A role is any name, compared exactly; only an empty one, a very long
/// one or one with control characters is refused, since none of them can
/// be what the user meant.
fn check_role_name(role: &str) -> Result<(), String> {
    if role.trim().is_empty() {
        return Err("a role must not be empty".to_owned());
    }
    if role.chars().count() > 64 || role.chars().any(char::is_control) {
        return Err(format!(
            "role `{}` must be at most 64 characters, none of them control characters",
            role.escape_debug()
        ));
    }
    Ok(())
}

fn check_identity_name(name: &str) -> Result<(), String> {
    let valid = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if valid {
        Ok(())
    } else {
        Err(format!(
            "identity name `{}` must be 1 to 64 letters, digits, `_` or `-`",
            name.escape_debug()
        ))
    }
}

/// 1-based line and column of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    target: Option<Spanned<String>>,
    spec: Option<Spanned<String>>,
    auth: Option<Spanned<String>>,
    scan: Option<RawScan>,
    #[serde(default)]
    identities: BTreeMap<Spanned<String>, RawIdentity>,
    roles: Option<RawRoles>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoles {
    #[serde(default)]
    rules: Vec<Spanned<RawRoleRule>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoleRule {
    path: Option<Spanned<String>>,
    tag: Option<Spanned<String>>,
    methods: Option<Spanned<Vec<Spanned<String>>>>,
    allow: Spanned<Vec<Spanned<String>>>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScan {
    concurrency: Option<Spanned<usize>>,
    timeout_ms: Option<Spanned<u64>>,
    connect_timeout_ms: Option<Spanned<u64>>,
    max_body_bytes: Option<Spanned<usize>>,
    rate_limit: Option<Spanned<u32>>,
    max_requests: Option<Spanned<u64>>,
    max_retry_wait_ms: Option<u64>,
    follow_redirects: Option<Spanned<String>>,
    insecure: Option<bool>,
    proxy: Option<Spanned<String>>,
    fail_on: Option<Spanned<String>>,
    mode: Option<Spanned<String>>,
    neighbours: Option<Spanned<u32>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIdentity {
    credential: Option<Spanned<String>>,
    command: Option<Spanned<Vec<String>>>,
    command_timeout: Option<Spanned<String>>,
    refresh_every: Option<Spanned<String>>,
    sign_in: Option<Spanned<credentials::RawSignIn>>,
    auth: Option<Spanned<String>>,
    role: Option<Spanned<String>>,
    #[serde(default)]
    owns: BTreeMap<String, Vec<IdText>>,
}

/// An id written as a TOML string or integer.
struct IdText(String);

impl<'de> Deserialize<'de> for IdText {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged, expecting = "an id, as a string or an integer")]
        enum Either {
            Text(String),
            Number(i64),
        }
        Ok(match Either::deserialize(deserializer)? {
            Either::Text(s) => IdText(s),
            Either::Number(n) => IdText(n.to_string()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(var: &str) -> Option<String> {
        match var {
            "ALICE_KEY" => Some("alice-secret-1".to_owned()),
            "BOB_KEY" => Some("bob-secret-2".to_owned()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    fn parse_str(text: &str) -> Result<Settings, ConfigError> {
        parse(text, Path::new("/cfg/trespass.toml"), &env)
    }

    const GOOD: &str = r#"
target = "http://127.0.0.1:8080/api"
spec = "openapi.yaml"
auth = "bearer"

[scan]
concurrency = 4
timeout_ms = 2500
connect_timeout_ms = 700
max_body_bytes = 4096
rate_limit = 20
max_requests = 300
max_retry_wait_ms = 1500
follow_redirects = "without-credentials"
insecure = true
proxy = "http://127.0.0.1:8081"
fail_on = "high"
neighbours = 3

[identities.alice]
credential = "${ALICE_KEY}"
owns = { user_id = [1, "7"] }

[identities.bob]
credential = "${BOB_KEY}"
auth = "query:api_key"
role = "user"
"#;

    #[test]
    fn full_config_loads_with_env_and_relative_spec() {
        let s = parse_str(GOOD).unwrap();
        assert_eq!(s.target.unwrap().as_str(), "http://127.0.0.1:8080/api");
        assert_eq!(s.spec.unwrap(), Path::new("/cfg/openapi.yaml"));
        assert_eq!(s.auth, Some(CredentialPlacement::Bearer));
        assert_eq!(s.scan.concurrency, 4);
        assert_eq!(s.scan.timeout, Duration::from_millis(2500));
        assert_eq!(s.scan.connect_timeout, Duration::from_millis(700));
        assert_eq!(s.scan.max_body_bytes, 4096);
        assert_eq!(s.scan.rate_limit, NonZeroU32::new(20));
        assert_eq!(s.scan.max_requests, Some(300));
        assert_eq!(s.scan.max_retry_wait, Duration::from_millis(1500));
        assert_eq!(s.scan.follow_redirects, RedirectPolicy::WithoutCredentials);
        assert!(s.scan.insecure);
        assert_eq!(s.scan.proxy.as_ref().map(Url::as_str), Some("http://127.0.0.1:8081/"));
        assert_eq!(s.scan.fail_on, Severity::High);
        assert_eq!(s.scan.neighbours, 3);
        assert_eq!(s.identities.len(), 2);
        let alice = &s.identities[0];
        assert_eq!(alice.name.as_str(), "alice");
        assert_eq!(alice.secret.expose(), "alice-secret-1");
        assert_eq!(alice.owns["user_id"], vec!["1".to_owned(), "7".to_owned()]);
        assert_eq!(s.identities[1].auth, Some(CredentialPlacement::Query("api_key".into())));
    }

    #[test]
    fn unknown_key_is_rejected_with_its_line() {
        let err = parse_str("target = \"http://127.0.0.1:1\"\ntragets = 3\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid config /cfg/trespass.toml at line 2, column 1: unknown field `tragets`, \
             expected one of `target`, `spec`, `auth`, `scan`, `identities`, `roles`"
        );
    }

    #[test]
    fn unknown_identity_key_is_rejected_with_its_line() {
        let text = "[identities.alice]\ncredential = \"x\"\ntoken = \"y\"\n";
        let err = parse_str(text).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid config /cfg/trespass.toml at line 3, column 1: unknown field `token`, \
             expected one of `credential`, `command`, `command_timeout`, `refresh_every`, \
             `sign_in`, `auth`, `role`, `owns`"
        );
    }

    #[test]
    fn missing_env_var_names_the_variable_not_a_value() {
        let text = "[identities.alice]\ncredential = \"${NOPE_KEY}\"\n";
        let err = parse_str(text).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid config /cfg/trespass.toml at line 2, column 14: identity `alice`: \
             environment variable `NOPE_KEY` is not set"
        );
        let text = "[identities.alice]\ncredential = \"${EMPTY}\"\n";
        assert!(parse_str(text).unwrap_err().to_string().ends_with("`EMPTY` is empty"));
    }

    #[test]
    fn bad_auth_and_severity_are_explained() {
        let err = parse_str("auth = \"headr:X\"\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid config /cfg/trespass.toml at line 1, column 8: invalid auth `headr:X`: \
             expected header:NAME, query:NAME, cookie:NAME, bearer or basic"
        );
        let mode = parse_str("[scan]\nmode = \"active\"\n").unwrap();
        assert_eq!(mode.scan.mode, ScanMode::Active);
        let err = parse_str("[scan]\nmode = \"reckless\"\n").unwrap_err();
        assert!(err.to_string().contains("unknown mode `reckless`, expected `safe` or `active`"));
        let err = parse_str("[scan]\nneighbours = 11\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid config /cfg/trespass.toml at line 2, column 14: neighbours must be at most 10"
        );
        let err = parse_str("[scan]\nfail_on = \"severe\"\n").unwrap_err();
        assert!(err.to_string().contains("line 2, column 11: unknown severity `severe`"), "{err}");
    }

    #[test]
    fn safety_limits_are_checked_with_their_line() {
        let err = parse_str("[scan]\nrate_limit = 0\nmax_requests = 0\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid config /cfg/trespass.toml at line 3, column 16: max_requests must be at \
             least 1"
        );
        // A rate limit of 0 means no limit.
        let s = parse_str("[scan]\nrate_limit = 0\n").unwrap();
        assert_eq!(s.scan.rate_limit, None);
        let err = parse_str("[scan]\nfollow_redirects = \"yes\"\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid config /cfg/trespass.toml at line 2, column 20: unknown redirect policy \
             `yes`: expected off, same-origin or without-credentials"
        );
    }

    #[test]
    fn proxy_credentials_are_refused_without_echoing_them() {
        let err =
            parse_str("[scan]\nproxy = \"http://user:hunter2@127.0.0.1:8081\"\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid config /cfg/trespass.toml at line 2, column 9: invalid proxy URL: \
             credentials in the proxy URL are not supported"
        );
        let err = parse_str("[scan]\nproxy = \"socks5://127.0.0.1:1080\"\n").unwrap_err();
        assert!(err.to_string().ends_with("scheme `socks5`: expected an http or https URL"));
    }

    #[test]
    fn syntax_error_has_line() {
        let err = parse_str("target = \"http://x\n").unwrap_err();
        assert!(
            err.to_string().starts_with("invalid config /cfg/trespass.toml at line 1,"),
            "{err}"
        );
    }

    #[test]
    fn a_target_with_userinfo_is_refused_without_echoing_it() {
        let error = parse_target("http://user:s3cr3tpw@127.0.0.1:8/").unwrap_err();
        assert_eq!(
            error,
            "invalid target URL: it holds a user name or password; give credentials as \
             identities, never in the target"
        );
        assert!(!parse_target("http://u:s3cr3tpw@[::1").unwrap_err().contains("s3cr3tpw"));
    }

    #[test]
    fn credentials_too_short_or_padded_are_refused_without_their_value() {
        let env = |_: &str| None;
        for (flag, message) in [
            (
                "alice=user",
                "credential is shorter than 8 characters: trespass replaces every credential \
                 in its output, and one that short also matches ordinary text",
            ),
            ("alice=  long-enough-key  ", "credential starts or ends with a space"),
        ] {
            let error = parse_identity_flag(flag, &env).unwrap_err().to_string();
            assert_eq!(error, format!("invalid --identity for `alice`: {message}"));
        }
        assert!(parse_identity_flag("alice=12345678", &env).is_ok());
    }

    #[test]
    fn target_must_be_http() {
        let err = parse_str("target = \"ftp://127.0.0.1/\"\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid config /cfg/trespass.toml at line 1, column 10: invalid target URL \
             `ftp://127.0.0.1/`: expected an http or https URL"
        );
    }

    #[test]
    fn one_identity_is_not_enough() {
        let mut s = parse_str(GOOD).unwrap();
        s.identities.truncate(1);
        assert_eq!(
            s.check().unwrap_err().to_string(),
            "a scan needs at least two identities, found 1 (alice): add [identities.NAME] \
             tables to the config or --identity NAME=CREDENTIAL flags"
        );
    }

    #[test]
    fn two_identities_with_one_credential_are_refused() {
        let mut s = parse_str(GOOD).unwrap();
        s.identities[1].secret = s.identities[0].secret.clone();
        assert_eq!(
            s.check().unwrap_err().to_string(),
            "identities `alice` and `bob` have the same credential; each identity needs its own"
        );
    }

    #[test]
    fn names_that_share_a_reproduction_variable_are_refused() {
        let mut s = parse_str(GOOD).unwrap();
        s.identities[1].name = IdentityName::new("ALICE");
        assert_eq!(
            s.check().unwrap_err().to_string(),
            "identities `alice` and `ALICE` both read their secret from `$TRESPASS_ALICE` in the \
             reproduction commands; rename one"
        );
        s.identities[1].name = IdentityName::new("alice-2");
        s.identities[0].name = IdentityName::new("alice_2");
        assert!(s.check().unwrap_err().to_string().contains("`$TRESPASS_ALICE_2`"));
    }

    #[test]
    fn identity_flag_reads_env_and_never_echoes_the_value() {
        let id = parse_identity_flag("bob=${BOB_KEY}", &env).unwrap();
        assert_eq!(id.secret.expose(), "bob-secret-2");
        let literal = parse_identity_flag("carol=plain-value", &env).unwrap();
        assert_eq!(literal.secret.expose(), "plain-value");

        let err = parse_identity_flag("sk_live_abcdef", &env).unwrap_err();
        assert!(!err.to_string().contains("sk_live_abcdef"), "{err}");
        let err = parse_identity_flag("bad name=x", &env).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid --identity for `bad name`: identity name `bad name` must be 1 to 64 \
             letters, digits, `_` or `-`"
        );
        let err = parse_identity_flag("dave=${MISSING}", &env).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid --identity for `dave`: environment variable `MISSING` is not set"
        );
    }

    const RULES: &str = r#"
[identities.alice]
credential = "${ALICE_KEY}"
role = "admin"

[identities.bob]
credential = "${BOB_KEY}"
role = "user"

[[roles.rules]]
path = "/admin/**"
methods = ["get", "DELETE"]
allow = ["admin"]

[[roles.rules]]
tag = "Billing"
allow = ["admin", "accountant"]
"#;

    fn operation(method: Method, path: &str, tags: &[&str]) -> trespass_model::Operation {
        trespass_model::Operation {
            method,
            path: path.to_owned(),
            operation_id: None,
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            parameters: vec![],
            security: vec![],
            responses: vec![],
            source: String::new(),
        }
    }

    #[test]
    fn role_rules_load_in_order_with_where_they_were_written() {
        let s = parse_str(RULES).unwrap();
        assert_eq!(s.identities[0].role.as_deref(), Some("admin"));
        assert_eq!(s.roles.len(), 2);
        let admin = &s.roles[0];
        assert_eq!(admin.selector, RoleSelector::Path(PathPattern::new("/admin/**").unwrap()));
        assert_eq!(admin.methods, Some(vec![Method::Get, Method::Delete]));
        assert_eq!(admin.allow, vec!["admin".to_owned()]);
        assert_eq!(
            admin.describe(),
            "roles.rules[0] at trespass.toml line 10 (path /admin/** GET,DELETE, allows admin)"
        );
        assert_eq!(
            s.roles[1].describe(),
            "roles.rules[1] at trespass.toml line 15 (tag Billing, allows admin, accountant)"
        );

        let rule = |op| trespass_model::rule_for(&s.roles, &op).map(|r| r.origin.clone());
        let first = Some("roles.rules[0] at trespass.toml line 10".to_owned());
        let second = Some("roles.rules[1] at trespass.toml line 15".to_owned());
        assert_eq!(rule(operation(Method::Get, "/admin/audit", &["billing"])), first);
        assert_eq!(rule(operation(Method::Put, "/admin/audit", &["billing"])), second);
        assert_eq!(rule(operation(Method::Put, "/admin/audit", &[])), None);
        assert_eq!(rule(operation(Method::Get, "/invoices", &["BILLING"])), second);
        assert_eq!(rule(operation(Method::Get, "/administrators", &[])), None);
    }

    #[test]
    fn bad_role_rules_are_explained_with_their_line() {
        let rule = |body: &str| parse_str(&format!("[[roles.rules]]\n{body}")).unwrap_err();
        assert_eq!(
            rule("path = \"/admin/**\"\nallow = [\"admin\"]\nroles = [\"x\"]\n").to_string(),
            "invalid config /cfg/trespass.toml at line 4, column 1: unknown field `roles`, \
             expected one of `path`, `tag`, `methods`, `allow`"
        );
        assert_eq!(
            rule("path = \"/admin**\"\nallow = [\"admin\"]\n").to_string(),
            "invalid config /cfg/trespass.toml at line 2, column 8: invalid path pattern \
             `/admin**`: `**` must be a whole segment, as in /admin/**"
        );
        assert_eq!(
            rule("path = \"/a\"\ntag = \"admin\"\nallow = [\"admin\"]\n").to_string(),
            "invalid config /cfg/trespass.toml at line 3, column 7: a role rule selects by \
             `path` or by `tag`, not both: write two rules"
        );
        assert_eq!(
            rule("allow = [\"admin\"]\n").to_string(),
            "invalid config /cfg/trespass.toml at line 1, column 1: a role rule needs \
             `path = \"/pattern/**\"` or `tag = \"name\"`"
        );
        assert_eq!(
            rule("path = \"/a\"\nmethods = [\"GRAB\"]\nallow = [\"admin\"]\n").to_string(),
            "invalid config /cfg/trespass.toml at line 3, column 12: unknown HTTP method `GRAB`"
        );
        assert_eq!(
            rule("path = \"/a\"\nmethods = []\nallow = [\"admin\"]\n").to_string(),
            "invalid config /cfg/trespass.toml at line 3, column 11: a role rule's `methods` \
             must name at least one method; leave it out to cover every method"
        );
        assert_eq!(
            rule("path = \"/a\"\nallow = []\n").to_string(),
            "invalid config /cfg/trespass.toml at line 3, column 9: a role rule's `allow` must \
             name at least one role"
        );
        assert_eq!(
            rule("path = \"/a\"\nallow = [\"\"]\n").to_string(),
            "invalid config /cfg/trespass.toml at line 3, column 10: a role must not be empty"
        );
        assert_eq!(
            rule("path = \"/a\"\n").to_string(),
            "invalid config /cfg/trespass.toml at line 1, column 1: missing field `allow`"
        );
        let err = parse_str("[identities.alice]\ncredential = \"key-of-alice\"\nrole = \" \"\n")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid config /cfg/trespass.toml at line 3, column 8: identity `alice`: a role \
             must not be empty"
        );
    }

    #[test]
    fn roles_no_identity_has_and_identities_without_a_role_are_noted() {
        let mut s = parse_str(RULES).unwrap();
        assert_eq!(role_notes(&s.roles, &s.identities), Vec::<String>::new());

        s.identities[0].role = None;
        assert_eq!(
            role_notes(&s.roles, &s.identities),
            vec![
                "roles.rules[0] at trespass.toml line 10 (path /admin/** GET,DELETE, allows \
                 admin): no identity of this scan has an allowed role, so every identity that \
                 succeeds there is reported",
                "roles.rules[1] at trespass.toml line 15 (tag Billing, allows admin, \
                 accountant): no identity of this scan has an allowed role, so every identity \
                 that succeeds there is reported",
                "alice has no `role`, so role rules do not judge it; give it one in \
                 [identities.alice]",
            ]
        );
        // Without rules, nothing is said: roles then only feed inference.
        assert_eq!(role_notes(&[], &s.identities), Vec::<String>::new());
    }

    #[test]
    fn secrets_do_not_print_in_debug() {
        let s = parse_str(GOOD).unwrap();
        let debug = format!("{s:?}");
        assert!(!debug.contains("alice-secret-1"), "{debug}");
        assert!(!debug.contains("bob-secret-2"), "{debug}");
    }
}
