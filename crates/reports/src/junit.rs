//! JUnit XML, so that CI systems show a scan as tests: one test suite per
//! probe family (finding kind), one test case per probed operation in it,
//! failed where that operation has findings of that kind. Operations that
//! were not probed are skipped test cases of a `coverage` suite, with the
//! reason.
//!
//! Built with quick-junit; the XML is written without timestamps, so the
//! same report always renders the same document.

use std::time::Duration;

use quick_junit::{NonSuccessKind, Report as JunitReport, TestCase, TestCaseStatus, TestSuite};
use trespass_model::{Finding, FindingKind, Report};

use crate::RenderError;

/// The JUnit XML document of a report.
pub fn junit(report: &Report) -> Result<String, RenderError> {
    let mut document = JunitReport::new("trespass");
    document.set_time(Duration::from_millis(report.stats.duration_ms));

    // Operations that were probed, or that a finding names although they
    // were not probed one object at a time (a listing that exposes keys, an
    // admin route reached by a user): each gets a case in every family.
    let has_finding = |c: &&trespass_model::Coverage| {
        report.findings.iter().any(|f| f.method == c.method && f.path == c.path)
    };
    let probed: Vec<_> =
        report.coverage.iter().filter(|c| c.status == "probed" || has_finding(c)).collect();
    for kind in FindingKind::ALL {
        let mut suite = TestSuite::new(kind.as_str());
        for operation in &probed {
            let name = format!("{} {}", operation.method, operation.path);
            let found: Vec<&Finding> = report
                .findings
                .iter()
                .filter(|f| {
                    f.kind == kind && f.method == operation.method && f.path == operation.path
                })
                .collect();
            let mut case = if found.is_empty() {
                TestCase::new(name, TestCaseStatus::success())
            } else {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status
                    .set_type(kind.as_str())
                    .set_message(failure_message(kind, &found))
                    .set_description(failure_details(&found));
                TestCase::new(name, status)
            };
            case.set_classname(format!("trespass.{}", kind.as_str()));
            suite.add_test_case(case);
        }
        document.add_test_suite(suite);
    }

    let not_probed: Vec<_> =
        report.coverage.iter().filter(|c| c.status != "probed" && !has_finding(c)).collect();
    if !not_probed.is_empty() {
        let mut suite = TestSuite::new("coverage");
        for entry in not_probed {
            let mut status = TestCaseStatus::skipped();
            status.set_message(format!("{}: {}", entry.status, entry.detail));
            let mut case = TestCase::new(format!("{} {}", entry.method, entry.path), status);
            case.set_classname("trespass.coverage");
            suite.add_test_case(case);
        }
        document.add_test_suite(suite);
    }
    document.to_string().map_err(|e| RenderError::Junit(e.to_string()))
}

fn failure_message(kind: FindingKind, found: &[&Finding]) -> String {
    let noun = if found.len() == 1 { "finding" } else { "findings" };
    format!("{} {noun}: {}", found.len(), kind.title())
}

fn failure_details(found: &[&Finding]) -> String {
    let mut text = String::new();
    for finding in found {
        let who = crate::who(finding);
        text.push_str(&format!(
            "[{}] {} {} {who} ({}, {})\nwhy: {}\nreproduce: {}\nfix: {}\n\n",
            finding.severity,
            finding.kind,
            finding.fingerprint,
            finding.cwe,
            finding.owasp,
            finding.reason,
            finding.reproduce,
            finding.remediation
        ));
    }
    text.trim_end().to_owned()
}
