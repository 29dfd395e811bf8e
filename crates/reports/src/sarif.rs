//! SARIF 2.1.0, the format of code-scanning tabs (GitHub, GitLab, Azure
//! DevOps), built with serde-sarif's typed structures.
//!
//! One rule per finding kind, with its CWE and OWASP category as tags, help
//! text, and a `security-severity` so that GitHub ranks results. One result
//! per finding, with `partialFingerprints["trespass/v1"]` set to the
//! finding's fingerprint so that code scanning tracks it across runs. When
//! the scan read its spec from a file, the result points at the line of
//! the operation in it; the operation itself is always a logical location
//! (`GET /users/{id}`). Results without a spec file carry no physical
//! location, which GitHub's upload rejects: scan with a spec file in CI.

use std::collections::BTreeMap;

use serde_sarif::sarif::{
    ArtifactLocation, Location, LogicalLocation, Message, MultiformatMessageString,
    PhysicalLocation, PropertyBag, Region, ReportingDescriptor, Result as SarifResult, ResultLevel,
    Run, Sarif, Tool, ToolComponent,
};
use trespass_model::{Finding, FindingKind, Report, Severity};

/// The URI of the SARIF 2.1.0 schema, written into `$schema`.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The key under `partialFingerprints` that holds a finding's fingerprint.
pub const FINGERPRINT_KEY: &str = "trespass/v1";

/// The SARIF document of a report, pretty-printed, ending in a newline.
pub fn sarif(report: &Report) -> String {
    let rules: Vec<ReportingDescriptor> = FindingKind::ALL.iter().map(|k| rule(*k)).collect();
    let results: Vec<SarifResult> =
        report.findings.iter().map(|f| result(f, report.spec_file.as_deref())).collect();
    let driver = ToolComponent::builder()
        .name("trespass")
        .version(report.tool_version.clone())
        .semantic_version(report.tool_version.clone())
        .information_uri("https://github.com/trespass-scanner/trespass")
        .rules(rules)
        .build();
    let run = Run::builder().tool(Tool::builder().driver(driver).build()).results(results).build();
    let document = Sarif::builder()
        .schema(SCHEMA_URI)
        .version(serde_json::json!("2.1.0"))
        .runs(vec![run])
        .build();
    // Serializing plain data with string keys cannot fail.
    let mut text = serde_json::to_string_pretty(&document)
        .unwrap_or_else(|e| format!("{{\"error\": \"failed to serialize SARIF: {e}\"}}"));
    text.push('\n');
    text
}

fn rule(kind: FindingKind) -> ReportingDescriptor {
    let help = format!(
        "{} ({}, {}). {}",
        kind.title(),
        kind.cwe(),
        kind.owasp(),
        trespass_verdicts::remediation(kind)
    );
    let mut properties = BTreeMap::new();
    properties.insert(
        "security-severity".to_owned(),
        serde_json::json!(security_severity(default_severity(kind))),
    );
    ReportingDescriptor::builder()
        .id(kind.as_str())
        .name(rule_name(kind))
        .short_description(MultiformatMessageString::builder().text(kind.title()).build())
        .full_description(MultiformatMessageString::builder().text(full_description(kind)).build())
        .help(MultiformatMessageString::builder().text(help).build())
        .properties(
            PropertyBag::builder()
                .tags(vec![
                    "security".to_owned(),
                    kind.cwe().to_owned(),
                    format!("external/cwe/{}", kind.cwe().to_ascii_lowercase()),
                    kind.owasp().split(' ').next().unwrap_or_default().to_owned(),
                ])
                .additional_properties(properties)
                .build(),
        )
        .build()
}

fn result(finding: &Finding, spec_file: Option<&str>) -> SarifResult {
    let operation = format!("{} {}", finding.method, finding.path);
    let logical = LogicalLocation::builder()
        .name(operation.clone())
        .fully_qualified_name(operation.clone())
        .kind("function")
        .build();
    let mut location = Location::builder().logical_locations(vec![logical]).build();
    if let Some(file) = spec_file {
        let mut physical = PhysicalLocation::builder()
            .artifact_location(ArtifactLocation::builder().uri(file).build())
            .build();
        if let Some(line) = finding.spec_line {
            physical.region = Some(Region::builder().start_line(i64::from(line)).build());
        }
        location.physical_location = Some(physical);
    }

    let who = match crate::who(finding) {
        who if who.is_empty() => who,
        who => format!(" ({who})"),
    };
    let text = format!(
        "{operation}: {}{who}. {} Reproduce: {} Fix: {}",
        finding.title, finding.reason, finding.reproduce, finding.remediation
    );
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert(FINGERPRINT_KEY.to_owned(), finding.fingerprint.clone());
    let mut properties = BTreeMap::new();
    properties.insert("severity".to_owned(), serde_json::json!(finding.severity));
    properties.insert("confidence".to_owned(), serde_json::json!(finding.confidence));
    properties.insert("reproduce".to_owned(), serde_json::json!(finding.reproduce));
    if let Some(status) = finding.baseline {
        properties.insert("baseline".to_owned(), serde_json::json!(status));
    }

    let rule_index = FindingKind::ALL.iter().position(|k| *k == finding.kind).unwrap_or(0);
    SarifResult::builder()
        .rule_id(finding.kind.as_str())
        .rule_index(i64::try_from(rule_index).unwrap_or(0))
        .level(level(finding.severity))
        .message(Message::builder().text(text).build())
        .locations(vec![location])
        .partial_fingerprints(fingerprints)
        .properties(PropertyBag::builder().additional_properties(properties).build())
        .build()
}

fn level(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Critical | Severity::High => ResultLevel::Error,
        Severity::Medium => ResultLevel::Warning,
        Severity::Low | Severity::Info => ResultLevel::Note,
    }
}

/// GitHub's scale: 9.0+ critical, 7.0+ high, 4.0+ medium, below low.
fn security_severity(severity: Severity) -> String {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
    .to_owned()
}

/// The severity findings of this kind get (see README's table).
fn default_severity(kind: FindingKind) -> Severity {
    match kind {
        FindingKind::ExistenceOracle => Severity::Medium,
        _ => Severity::High,
    }
}

fn rule_name(kind: FindingKind) -> String {
    kind.as_str()
        .split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn full_description(kind: FindingKind) -> &'static str {
    match kind {
        FindingKind::BolaRead => {
            "Another identity's request for an object succeeded and carried values found only \
             in the owner's object."
        }
        FindingKind::MissingAuth => {
            "The object was served with no credential, although the operation requires one."
        }
        FindingKind::CredentialNotValidated => {
            "A made-up credential of the right shape was accepted while no credential was \
             refused."
        }
        FindingKind::ExistenceOracle => {
            "\"Someone else's object\" and \"no such object\" were answered differently, so ids \
             can be enumerated."
        }
        FindingKind::EnumerableIds => {
            "On an operation that lets one identity read another's objects, an integer id next \
             to an owned one, which no identity of the scan owns, was served with that id: \
             objects of callers outside the scan are reached by counting."
        }
        _ => kind.title(),
    }
}
