//! Identities and the credentials they present.
//!
//! An [`Identity`] is one caller of the API under test: a user, a tenant or a
//! service account, known to trespass by a short name (`alice`). Its
//! [`Credential`] says where the secret goes in a request and holds the
//! [`Secret`] itself. A secret is the one value trespass must never write
//! anywhere, so its `Debug` and `Display` print a redaction, and the only way
//! to read it is the explicit [`Secret::expose`].

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// The name of an identity, as written in the config (`alice`).
///
/// A newtype so that a name cannot be mixed up with a header value or a
/// secret. Names are what evidence shows in place of secrets (`${alice}`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IdentityName(String);

impl IdentityName {
    /// Wraps a name. Callers validate names where they are read (config,
    /// flags); this type only keeps them apart from other strings.
    pub fn new(name: impl Into<String>) -> Self {
        Self(name.into())
    }

    /// The name as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The placeholder that stands for this identity's secret in evidence,
    /// logs and reproduction commands: `${alice}`.
    pub fn placeholder(&self) -> String {
        format!("${{{}}}", self.0)
    }

    /// The environment variable a reproduction command reads this identity's
    /// secret from: `TRESPASS_ALICE`.
    pub fn env_var(&self) -> String {
        let upper: String = self
            .0
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' })
            .collect();
        format!("TRESPASS_{upper}")
    }
}

impl fmt::Display for IdentityName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A credential value: an API key, a bearer token, a session cookie.
///
/// It prints as `<redacted>` in every format, and it is not serializable, so
/// no report or log can carry it by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the one place that puts it on the wire and the
    /// one place that redacts it from responses.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Length in bytes; a wrong credential is built with the same length.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the secret is empty, which a loaded config rejects.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Where in a request a credential is carried.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "in", content = "name", rename_all = "lowercase")]
pub enum CredentialPlacement {
    /// A request header such as `X-API-Key: <secret>`.
    Header(String),
    /// A query parameter such as `?api_key=<secret>`.
    Query(String),
    /// A cookie such as `Cookie: session=<secret>`.
    Cookie(String),
    /// `Authorization: Bearer <secret>`.
    Bearer,
    /// `Authorization: Basic <secret>`, where the secret is already the
    /// base64 of `user:password`.
    Basic,
}

impl CredentialPlacement {
    /// The placement used when neither the config nor the spec names one.
    pub fn default_header() -> Self {
        Self::Header("X-API-Key".to_owned())
    }
}

impl fmt::Display for CredentialPlacement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Header(name) => write!(f, "header:{name}"),
            Self::Query(name) => write!(f, "query:{name}"),
            Self::Cookie(name) => write!(f, "cookie:{name}"),
            Self::Bearer => f.write_str("bearer"),
            Self::Basic => f.write_str("basic"),
        }
    }
}

/// A secret and where it goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credential {
    /// Where the secret is carried.
    pub placement: CredentialPlacement,
    /// The secret.
    pub secret: Secret,
}

/// One caller of the API under test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// Short name used in reports (`alice`).
    pub name: IdentityName,
    /// Free-form role (`user`, `admin`); later issues compare roles.
    pub role: Option<String>,
    /// The credential this identity presents.
    pub credential: Credential,
    /// Ids this identity is known to own, per parameter name
    /// (`user_id = ["7"]`). They seed discovery.
    pub owns: BTreeMap<String, Vec<String>>,
}
