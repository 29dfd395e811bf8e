//! Comparing a scan with a baseline report: which findings are new, which
//! are still open, and which are fixed.
//!
//! Findings match by fingerprint (kind, method, path template, parameter,
//! identity name, owner name), which holds no volatile value. A baseline
//! finding that is absent now counts as fixed only when its operation was
//! requested again in this scan: probed, or called as a listing (where
//! exposed keys and reachable admin routes are judged); otherwise nothing
//! proves the fix, and it is listed as not retested.

use std::collections::HashSet;

use trespass_model::{BaselineStatus, BaselineSummary, Finding, Report};

/// Marks each finding of `current` as new or open against `baseline`, and
/// records the summary (with the fixed findings) in `current.baseline`.
pub fn apply(current: &mut Report, baseline: &Report, file: &str) {
    let before: HashSet<&str> = baseline.findings.iter().map(|f| f.fingerprint.as_str()).collect();
    for finding in &mut current.findings {
        finding.baseline = Some(if before.contains(finding.fingerprint.as_str()) {
            BaselineStatus::Open
        } else {
            BaselineStatus::New
        });
    }
    current.baseline = Some(summary(current, baseline, file));
}

/// The comparison of `current` with `baseline`, without changing either.
pub fn summary(current: &Report, baseline: &Report, file: &str) -> BaselineSummary {
    let before: HashSet<&str> = baseline.findings.iter().map(|f| f.fingerprint.as_str()).collect();
    let now: HashSet<&str> = current.findings.iter().map(|f| f.fingerprint.as_str()).collect();
    let mut summary = BaselineSummary { file: file.to_owned(), ..BaselineSummary::default() };
    for finding in &current.findings {
        if before.contains(finding.fingerprint.as_str()) {
            summary.open += 1;
        } else {
            summary.new += 1;
        }
    }
    for finding in baseline.findings.iter().filter(|f| !now.contains(f.fingerprint.as_str())) {
        let mut gone = finding.clone();
        gone.baseline = None;
        if was_probed(current, finding) {
            summary.fixed.push(gone);
        } else {
            summary.not_retested.push(gone);
        }
    }
    summary
}

/// New findings of a report marked by [`apply`].
pub fn new_findings(report: &Report) -> impl Iterator<Item = &Finding> {
    report.findings.iter().filter(|f| f.baseline == Some(BaselineStatus::New))
}

fn was_probed(report: &Report, finding: &Finding) -> bool {
    report.coverage.iter().any(|c| {
        c.method == finding.method
            && c.path == finding.path
            && matches!(c.status.as_str(), "probed" | "listing")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{finding, report};
    use trespass_model::{Confidence, Coverage, FindingKind, Method, Severity};

    fn with(kind: FindingKind, path: &str, fingerprint: &str) -> Finding {
        let mut f = finding(kind, Severity::High, Confidence::High);
        f.path = path.into();
        f.fingerprint = fingerprint.into();
        f
    }

    fn probed(path: &str) -> Coverage {
        Coverage {
            method: Method::Get,
            path: path.into(),
            status: "probed".into(),
            detail: String::new(),
            pairs: vec![],
        }
    }

    #[test]
    fn findings_are_new_open_fixed_or_not_retested() {
        let mut old = report();
        old.findings = vec![
            with(FindingKind::BolaRead, "/a/{id}", "aa"),
            with(FindingKind::BolaRead, "/b/{id}", "bb"),
            with(FindingKind::MissingAuth, "/c/{id}", "cc"),
        ];
        let mut now = report();
        now.findings = vec![
            with(FindingKind::BolaRead, "/a/{id}", "aa"),
            with(FindingKind::ExistenceOracle, "/d/{id}", "dd"),
        ];
        // /b was probed again and is clean; /c was not probed this time.
        now.coverage = vec![probed("/a/{id}"), probed("/b/{id}"), probed("/d/{id}")];

        apply(&mut now, &old, "old.json");
        let status: Vec<_> = now.findings.iter().map(|f| f.baseline).collect();
        assert_eq!(status, vec![Some(BaselineStatus::Open), Some(BaselineStatus::New)]);
        let summary = now.baseline.as_ref().unwrap();
        assert_eq!((summary.new, summary.open), (1, 1));
        assert_eq!(
            summary.fixed.iter().map(|f| f.fingerprint.as_str()).collect::<Vec<_>>(),
            ["bb"]
        );
        assert_eq!(
            summary.not_retested.iter().map(|f| f.fingerprint.as_str()).collect::<Vec<_>>(),
            ["cc"]
        );
        assert_eq!(new_findings(&now).map(|f| f.fingerprint.as_str()).collect::<Vec<_>>(), ["dd"]);
    }
}
