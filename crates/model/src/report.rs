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
    /// Operations with object references that received probes.
    pub operations_probed: usize,
    /// Identities in the scan.
    pub identities: usize,
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
