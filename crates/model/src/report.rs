//! The scan report, trespass's main public interface.
//!
//! Its JSON form is versioned by [`SCHEMA_VERSION`]. Within one major
//! version fields are only added; consumers must ignore fields they do not
//! know. The shape is documented in README.

use serde::{Deserialize, Serialize};

use crate::finding::{Finding, Severity};
use crate::operation::Method;

/// Version of the JSON report's shape. Bumped (major) only when a field is
/// removed or changes meaning, which has not happened yet.
pub const SCHEMA_VERSION: &str = "1.0";

/// Counters of one scan.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanStats {
    /// HTTP requests sent to the target, discovery and probes together.
    pub requests_sent: u64,
    /// Wall time of the scan in milliseconds.
    pub duration_ms: u64,
    /// Operations in the inventory.
    pub operations: usize,
    /// Operations that received probe requests: the read probes of safe
    /// mode, and in active mode the creations and the other identities'
    /// writes too. Discovery's listing requests are not probes.
    pub operations_probed: usize,
    /// Identities in the scan.
    pub identities: usize,
    /// Whether the user interrupted the scan (Ctrl-C), so its results are
    /// partial. Absent from reports of scans that ran to the end.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub interrupted: bool,
}

/// What happened to one operation: probed, or skipped and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    /// Method of the operation.
    pub method: Method,
    /// Path template of the operation.
    pub path: String,
    /// `probed`, `public`, `skipped` or `not-tested`.
    pub status: String,
    /// Why, in a sentence.
    pub detail: String,
    /// For an operation that was probed: per pair of identities, which
    /// probe families ran and why any were skipped. Empty (and absent from
    /// the JSON) when the whole operation was skipped: `detail` says why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pairs: Vec<PairCoverage>,
}

/// What ran for one pair of identities on one operation: the `caller`'s
/// requests around the `owner`'s object.
///
/// The anonymous and forged probes ask for the owner's object without the
/// caller, so they are listed in every pair of that owner.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairCoverage {
    /// The identity whose object was asked for; absent for probes on no
    /// one's object (`privilege` on an operation that names no object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The identity that made the requests.
    pub caller: String,
    /// Probe families whose requests were answered and judged.
    pub ran: Vec<ProbeFamily>,
    /// Probe families that were not sent or not judged, each with why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<SkippedProbe>,
}

/// A probe family that did not run for a pair, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedProbe {
    /// The family.
    pub probe: ProbeFamily,
    /// Why, in a sentence.
    pub reason: String,
}

/// A family of probes, as the coverage names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProbeFamily {
    /// The caller asks for the owner's object.
    CrossIdentity,
    /// The owner's object asked for without a credential.
    Anonymous,
    /// The owner's object asked for with a forged credential.
    Forged,
    /// The caller asks for an id that does not exist, the comparison that
    /// tells an existence oracle.
    AbsentControl,
    /// On a nested path, the caller's own parent with the owner's child.
    Hierarchy,
    /// In active mode, the caller's writes on an object the owner created.
    Write,
    /// The caller's role against the operation's (stated or inferred)
    /// privilege.
    Privilege,
}

impl ProbeFamily {
    /// The name used in the JSON report: `cross-identity`.
    pub fn as_str(self) -> &'static str {
        match self {
            ProbeFamily::CrossIdentity => "cross-identity",
            ProbeFamily::Anonymous => "anonymous",
            ProbeFamily::Forged => "forged",
            ProbeFamily::AbsentControl => "absent-control",
            ProbeFamily::Hierarchy => "hierarchy",
            ProbeFamily::Write => "write",
            ProbeFamily::Privilege => "privilege",
        }
    }
}

impl std::fmt::Display for ProbeFamily {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The full report of one scan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Shape version of this document ([`SCHEMA_VERSION`]).
    pub schema_version: String,
    /// Version of trespass that wrote it.
    pub tool_version: String,
    /// The scanned base URL.
    pub target: String,
    /// Identity names (never secrets).
    pub identities: Vec<String>,
    /// Counters.
    pub stats: ScanStats,
    /// Findings, most severe first.
    pub findings: Vec<Finding>,
    /// Per-operation outcome.
    pub coverage: Vec<Coverage>,
    /// Things the user should know that are not findings: warnings from the
    /// inputs, requests that failed, responses that were cut short.
    pub notes: Vec<String>,
    /// The spec file the scan read, as given on the command line or in the
    /// config, when it read one from a file. Findings' `spec_line` point
    /// into it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec_file: Option<String>,
    /// Score and grade of the scan. Absent only in reports written before
    /// scores existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<Score>,
    /// The comparison with a baseline report, when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineSummary>,
}

/// A 0–100 score with its A–F grade, overall and per OWASP API Security Top
/// 10 (2023) category. README documents the formula.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    /// 0 (worst) to 100 (no finding).
    pub value: u8,
    /// `A` to `F`.
    pub grade: String,
    /// One entry per category of the kinds trespass looks for, in category
    /// order, including categories without findings (score 100).
    pub categories: Vec<CategoryScore>,
}

/// The score of one OWASP API Security Top 10 (2023) category.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryScore {
    /// The category's identifier (`API1:2023`).
    pub id: String,
    /// Its name (`Broken Object Level Authorization`).
    pub name: String,
    /// 0–100, by the same formula as the overall score.
    pub value: u8,
    /// `A` to `F`.
    pub grade: String,
    /// Findings in this category.
    pub findings: usize,
}

/// The comparison of a scan with a baseline report.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineSummary {
    /// The baseline report's file, as given.
    pub file: String,
    /// Findings not in the baseline.
    pub new: usize,
    /// Findings in the baseline and still found.
    pub open: usize,
    /// Baseline findings whose operation was probed again and that were not
    /// found: the proof that a fix worked.
    pub fixed: Vec<Finding>,
    /// Baseline findings whose operation was not probed in this scan (not
    /// in the spec any more, or skipped), so nothing proves them fixed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_retested: Vec<Finding>,
}

impl Report {
    /// The highest severity among the findings, if any.
    pub fn max_severity(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }

    /// Number of findings at or above `threshold`.
    pub fn count_at_or_above(&self, threshold: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity >= threshold).count()
    }
}
