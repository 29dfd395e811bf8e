//! Findings: what the verdicts conclude, with the evidence that proves it.
//!
//! A [`Finding`] names its [`FindingKind`] (a public, stable identifier such
//! as `bola-read`), who made the request and whose object it was, the
//! requests and responses that prove it ([`Exchange`]s, with secrets already
//! replaced by `${identity}` placeholders), the reason the verdict was
//! reached, a `curl` line that reproduces it and the fix that fits.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::operation::{Method, ParamLocation};

/// The kind of a finding. Its kebab-case name is a public interface: kinds
/// are added, never renamed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum FindingKind {
    /// Another identity's request returns data unique to the owner's object.
    BolaRead,
    /// The object is served without any credential although the operation
    /// requires one.
    MissingAuth,
    /// A wrong credential of the right shape is accepted.
    CredentialNotValidated,
    /// "Someone else's object" and "no such object" answer differently, so
    /// ids can be enumerated.
    ExistenceOracle,
    /// Another identity's `PUT`, `PATCH` or `DELETE` changed or removed the
    /// owner's object, as the owner's own re-read confirms.
    BolaWrite,
    /// A nested path checks the parent but not that the child belongs to it
    /// (or the reverse): one tenant's parent opens another tenant's child.
    CrossTenantHierarchy,
    /// An identity of a lower role succeeds on an operation meant for a
    /// higher one.
    PrivilegeEscalation,
    /// A response carries a secret of another identity, or a field that
    /// looks like another user's key or token.
    CredentialExposure,
    /// The API accepts the credential in the query string, where logs and
    /// proxies keep it.
    CredentialInQuery,
    /// The spec declares security that the runtime does not enforce, or
    /// documents no 401/403 for a protected operation.
    SpecSecurityDrift,
    /// Integer ids are sequential, and a neighbour of an owned id that no
    /// identity of the scan owns is served on an operation that does not
    /// check ownership: objects of callers outside the scan can be reached
    /// by counting.
    EnumerableIds,
}

impl FindingKind {
    /// Every kind, in report order.
    pub const ALL: [FindingKind; 11] = [
        FindingKind::BolaRead,
        FindingKind::MissingAuth,
        FindingKind::CredentialNotValidated,
        FindingKind::ExistenceOracle,
        FindingKind::BolaWrite,
        FindingKind::CrossTenantHierarchy,
        FindingKind::PrivilegeEscalation,
        FindingKind::CredentialExposure,
        FindingKind::CredentialInQuery,
        FindingKind::SpecSecurityDrift,
        FindingKind::EnumerableIds,
    ];

    /// The stable name (`bola-read`).
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::BolaRead => "bola-read",
            FindingKind::MissingAuth => "missing-auth",
            FindingKind::CredentialNotValidated => "credential-not-validated",
            FindingKind::ExistenceOracle => "existence-oracle",
            FindingKind::BolaWrite => "bola-write",
            FindingKind::CrossTenantHierarchy => "cross-tenant-hierarchy",
            FindingKind::PrivilegeEscalation => "privilege-escalation",
            FindingKind::CredentialExposure => "credential-exposure",
            FindingKind::CredentialInQuery => "credential-in-query",
            FindingKind::SpecSecurityDrift => "spec-security-drift",
            FindingKind::EnumerableIds => "enumerable-ids",
        }
    }

    /// The CWE the kind maps to.
    pub fn cwe(self) -> &'static str {
        match self {
            FindingKind::BolaRead => "CWE-639",
            FindingKind::MissingAuth => "CWE-306",
            FindingKind::CredentialNotValidated => "CWE-287",
            FindingKind::ExistenceOracle => "CWE-204",
            FindingKind::BolaWrite
            | FindingKind::CrossTenantHierarchy
            | FindingKind::EnumerableIds => "CWE-639",
            FindingKind::PrivilegeEscalation => "CWE-285",
            FindingKind::CredentialExposure => "CWE-200",
            FindingKind::CredentialInQuery => "CWE-598",
            FindingKind::SpecSecurityDrift => "CWE-306",
        }
    }

    /// The OWASP API Security Top 10 (2023) category.
    pub fn owasp(self) -> &'static str {
        match self {
            FindingKind::BolaRead
            | FindingKind::ExistenceOracle
            | FindingKind::BolaWrite
            | FindingKind::CrossTenantHierarchy
            | FindingKind::EnumerableIds => "API1:2023 Broken Object Level Authorization",
            FindingKind::MissingAuth
            | FindingKind::CredentialNotValidated
            | FindingKind::CredentialInQuery => "API2:2023 Broken Authentication",
            FindingKind::CredentialExposure => {
                "API3:2023 Broken Object Property Level Authorization"
            }
            FindingKind::PrivilegeEscalation => "API5:2023 Broken Function Level Authorization",
            FindingKind::SpecSecurityDrift => "API9:2023 Improper Inventory Management",
        }
    }

    /// A short human title.
    pub fn title(self) -> &'static str {
        match self {
            FindingKind::BolaRead => "another identity's object is readable",
            FindingKind::MissingAuth => "object served without credentials",
            FindingKind::CredentialNotValidated => "wrong credential accepted",
            FindingKind::ExistenceOracle => "existence oracle: not-yours differs from not-found",
            FindingKind::BolaWrite => "another identity's object can be changed or deleted",
            FindingKind::CrossTenantHierarchy => {
                "a nested path mixes one tenant's parent with another's child"
            }
            FindingKind::PrivilegeEscalation => "a lower role reaches a privileged operation",
            FindingKind::CredentialExposure => "another identity's secret appears in a response",
            FindingKind::CredentialInQuery => "credential accepted in the query string",
            FindingKind::SpecSecurityDrift => "the runtime does not enforce the declared security",
            FindingKind::EnumerableIds => {
                "sequential ids reach objects of callers outside the scan"
            }
        }
    }
}

impl fmt::Display for FindingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How bad a finding is. Ordered: `Info < Low < … < Critical`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; no direct exposure.
    Info,
    /// Limited exposure.
    Low,
    /// Exposure that needs another step to exploit.
    Medium,
    /// Direct exposure of other callers' data.
    High,
    /// Direct exposure of secrets or write access to others' data.
    Critical,
}

impl Severity {
    /// Every severity, highest first, as reports list them.
    pub const DESCENDING: [Severity; 5] =
        [Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::Info];

    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::DESCENDING.into_iter().find(|v| v.as_str().eq_ignore_ascii_case(s)).ok_or_else(
            || format!("unknown severity `{s}`, expected one of critical, high, medium, low, info"),
        )
    }
}

/// How sure the verdict is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// Circumstantial.
    Low,
    /// Likely, with one signal.
    Medium,
    /// Proven by content unique to the owner's object.
    High,
}

/// A request as the report shows it: secrets replaced by placeholders.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedRequest {
    /// Method.
    pub method: Method,
    /// Full URL, with any credential in the query replaced by a placeholder.
    pub url: String,
    /// The credential header, cookie or query parameter as sent, with its
    /// value replaced by `${identity}`, or `none`.
    pub credential: String,
    /// Headers other than the credential that the probe set, one
    /// `Name: value` line each: an object id sent in a header
    /// (`X-Account-Id: 12`) or a cookie (`Cookie: account_id=12`). Absent
    /// when there were none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<String>,
    /// The JSON body sent, when the request had one (active mode's writes),
    /// with secrets replaced by placeholders like everything else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

impl RecordedRequest {
    /// A request with only a method, a URL and a credential description:
    /// no further header and no body.
    pub fn new(method: Method, url: impl Into<String>, credential: impl Into<String>) -> Self {
        Self {
            method,
            url: url.into(),
            credential: credential.into(),
            headers: Vec::new(),
            body: None,
        }
    }
}

/// A response as the report shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedResponse {
    /// Status code, or 0 when no response arrived.
    pub status: u16,
    /// `Content-Type`, when sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// Body length in bytes as received (after the size cap).
    pub body_length: usize,
    /// The start of the body, redacted, at most a few hundred characters.
    pub body_excerpt: String,
}

/// One request and its response, labelled with the role it plays in the
/// proof (`owner baseline`, `bob reads alice's object`, `control`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exchange {
    /// What this exchange shows.
    pub label: String,
    /// The request.
    pub request: RecordedRequest,
    /// The response.
    pub response: RecordedResponse,
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable identifier of the finding across runs: a hash of the kind,
    /// method, path template, parameter, identity name and owner name.
    pub fingerprint: String,
    /// What was found.
    pub kind: FindingKind,
    /// How bad.
    pub severity: Severity,
    /// How sure.
    pub confidence: Confidence,
    /// CWE identifier (`CWE-639`).
    pub cwe: String,
    /// OWASP API Security Top 10 (2023) category.
    pub owasp: String,
    /// A one-line summary.
    pub title: String,
    /// Method of the operation.
    pub method: Method,
    /// Path template of the operation.
    pub path: String,
    /// The object-reference parameter the probe varied, when one was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    /// Where that parameter is sent (`path`, `query`, `header`, `cookie`,
    /// `body`), when the finding names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter_location: Option<ParamLocation>,
    /// Who made the offending request, when an identity did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// Whose object it was, when it belongs to an identity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Why the verdict was reached, in a sentence.
    pub reason: String,
    /// The exchanges that prove it.
    pub evidence: Vec<Exchange>,
    /// A `curl` command reproducing the offending request, reading secrets
    /// from `$TRESPASS_<IDENTITY>` variables.
    pub reproduce: String,
    /// What to change.
    pub remediation: String,
    /// Against a baseline report: whether this finding is `new` or was
    /// already there (`open`). Absent when the scan had no baseline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineStatus>,
    /// Line of the operation in the report's `spec_file` (1-based), when the
    /// scan read its spec from a file and the line was found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec_line: Option<u32>,
}

/// Where a finding stands against a baseline report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BaselineStatus {
    /// Not in the baseline.
    New,
    /// In the baseline and still found.
    Open,
}

impl BaselineStatus {
    /// The kebab-case name (`new`, `open`).
    pub fn as_str(self) -> &'static str {
        match self {
            BaselineStatus::New => "new",
            BaselineStatus::Open => "open",
        }
    }
}
