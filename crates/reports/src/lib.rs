//! Renderers of a [`Report`]: what a person reads on a terminal, and the
//! JSON document that tools read; and of the dry run `trespass inventory`
//! prints ([`inventory_text`], [`inventory_json`]).
//!
//! Renderers only format; every decision (what is a finding, how severe)
//! was taken before. They take the report and a [`Style`] and return text,
//! so the binary chooses where it goes.

mod inventory;

use std::fmt::Write as _;

use trespass_model::{Finding, Report, Severity};

pub use inventory::{inventory_json, inventory_text};

/// How terminal output looks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Style {
    /// Whether to use ANSI colours.
    pub color: bool,
}

/// Characters of a response excerpt shown per evidence line on a terminal.
const EXCERPT_COLUMNS: usize = 72;

/// The JSON report, pretty-printed, ending in a newline.
pub fn json(report: &Report) -> String {
    // Serializing plain data with string keys cannot fail.
    let mut text = serde_json::to_string_pretty(report)
        .unwrap_or_else(|e| format!("{{\"error\": \"failed to serialize the report: {e}\"}}"));
    text.push('\n');
    text
}

/// The terminal summary: findings grouped by severity, each with who read
/// whose object, short evidence, a reproduction line and the fix; then what
/// was not probed and why; then the totals.
pub fn terminal(report: &Report, style: Style) -> String {
    let mut out = String::new();
    let paint = |code: &str, text: &str| {
        if style.color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_owned() }
    };

    let _ = writeln!(
        out,
        "{} {} against {} as {}",
        paint("1", "trespass"),
        report.tool_version,
        report.target,
        report.identities.join(", ")
    );
    let _ = writeln!(
        out,
        "{} operations, {} probed, {} requests in {:.2} s",
        report.stats.operations,
        report.stats.operations_probed,
        report.stats.requests_sent,
        report.stats.duration_ms as f64 / 1000.0
    );

    for severity in Severity::DESCENDING {
        let group: Vec<&Finding> =
            report.findings.iter().filter(|f| f.severity == severity).collect();
        if group.is_empty() {
            continue;
        }
        let heading = format!("{} ({})", severity.as_str().to_uppercase(), group.len());
        let _ = writeln!(out, "\n{}", paint(severity_color(severity), &heading));
        for finding in group {
            write_finding(&mut out, finding, &paint);
        }
    }

    let skipped: Vec<_> = report
        .coverage
        .iter()
        .filter(|c| !matches!(c.status.as_str(), "probed" | "listing"))
        .collect();
    if !skipped.is_empty() {
        let _ = writeln!(out, "\n{}", paint("1", "Not probed"));
        for entry in skipped {
            let _ = writeln!(
                out,
                "  {:<10} {} {}: {}",
                entry.status, entry.method, entry.path, entry.detail
            );
        }
    }
    if !report.notes.is_empty() {
        let _ = writeln!(out, "\n{}", paint("1", "Notes"));
        for note in &report.notes {
            let _ = writeln!(out, "  - {note}");
        }
    }

    let _ = writeln!(out, "\n{}", summary_line(report));
    out
}

/// One line with the totals: `10 findings: 9 high, 1 medium` or
/// `no findings`.
pub fn summary_line(report: &Report) -> String {
    if report.findings.is_empty() {
        return "no findings".to_owned();
    }
    let counts: Vec<String> = Severity::DESCENDING
        .iter()
        .filter_map(|s| {
            let n = report.findings.iter().filter(|f| f.severity == *s).count();
            (n > 0).then(|| format!("{n} {s}"))
        })
        .collect();
    let noun = if report.findings.len() == 1 { "finding" } else { "findings" };
    format!("{} {noun}: {}", report.findings.len(), counts.join(", "))
}

fn write_finding(out: &mut String, finding: &Finding, paint: &dyn Fn(&str, &str) -> String) {
    let who = match (&finding.identity, &finding.owner) {
        (Some(identity), Some(owner)) => format!("  {identity} → {owner}'s object"),
        (None, Some(owner)) => format!("  {owner}'s object"),
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "  {} {} {}{who}  [{}, {} confidence]",
        paint("1", finding.kind.as_str()),
        finding.method,
        finding.path,
        finding.cwe,
        confidence_word(finding)
    );
    let _ = writeln!(out, "      why: {}", finding.reason);
    for exchange in &finding.evidence {
        let excerpt: String = exchange
            .response
            .body_excerpt
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(EXCERPT_COLUMNS)
            .collect();
        let _ = writeln!(out, "      {}: {} {}", exchange.label, exchange.response.status, excerpt);
    }
    let _ = writeln!(out, "      reproduce: {}", finding.reproduce);
    let _ = writeln!(out, "      fix: {}", finding.remediation);
}

fn confidence_word(finding: &Finding) -> &'static str {
    match finding.confidence {
        trespass_model::Confidence::High => "high",
        trespass_model::Confidence::Medium => "medium",
        trespass_model::Confidence::Low => "low",
    }
}

fn severity_color(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "1;35",
        Severity::High => "1;31",
        Severity::Medium => "1;33",
        Severity::Low => "1;36",
        Severity::Info => "1",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trespass_model::{
        Confidence, Coverage, Exchange, FindingKind, Method, RecordedRequest, RecordedResponse,
        SCHEMA_VERSION, ScanStats,
    };

    fn report() -> Report {
        Report {
            schema_version: SCHEMA_VERSION.to_owned(),
            tool_version: "0.1.0".into(),
            target: "http://127.0.0.1:9/".into(),
            identities: vec!["alice".into(), "bob".into()],
            stats: ScanStats {
                requests_sent: 12,
                duration_ms: 34,
                operations: 3,
                operations_probed: 1,
                identities: 2,
            },
            findings: vec![Finding {
                fingerprint: "00".into(),
                kind: FindingKind::BolaRead,
                severity: Severity::High,
                confidence: Confidence::High,
                cwe: "CWE-639".into(),
                owasp: "API1:2023 Broken Object Level Authorization".into(),
                title: "another identity's object is readable".into(),
                method: Method::Get,
                path: "/users/{id}".into(),
                parameter: Some("id".into()),
                identity: Some("bob".into()),
                owner: Some("alice".into()),
                reason: "bob read it".into(),
                evidence: vec![Exchange {
                    label: "bob reads alice's object".into(),
                    request: RecordedRequest {
                        method: Method::Get,
                        url: "http://127.0.0.1:9/users/1".into(),
                        credential: "X-API-Key: ${bob}".into(),
                    },
                    response: RecordedResponse {
                        status: 200,
                        content_type: None,
                        body_length: 13,
                        body_excerpt: "{\"name\":\n\"A\"}".into(),
                    },
                }],
                reproduce: "curl -i \"http://127.0.0.1:9/users/1\"".into(),
                remediation: "Scope it.".into(),
            }],
            coverage: vec![Coverage {
                method: Method::Get,
                path: "/orders/{id}".into(),
                status: "skipped".into(),
                detail: "no id was discovered".into(),
            }],
            notes: vec![],
        }
    }

    #[test]
    fn terminal_report_reads_top_down() {
        let text = terminal(&report(), Style::default());
        let expected = "\
trespass 0.1.0 against http://127.0.0.1:9/ as alice, bob
3 operations, 1 probed, 12 requests in 0.03 s

HIGH (1)
  bola-read GET /users/{id}  bob → alice's object  [CWE-639, high confidence]
      why: bob read it
      bob reads alice's object: 200 {\"name\": \"A\"}
      reproduce: curl -i \"http://127.0.0.1:9/users/1\"
      fix: Scope it.

Not probed
  skipped    GET /orders/{id}: no id was discovered

1 finding: 1 high
";
        assert_eq!(text, expected);
    }

    #[test]
    fn colour_is_only_used_when_asked() {
        assert!(!terminal(&report(), Style { color: false }).contains('\x1b'));
        assert!(terminal(&report(), Style { color: true }).contains("\x1b[1;31mHIGH (1)\x1b[0m"));
    }

    #[test]
    fn json_carries_the_schema_version_and_round_trips() {
        let text = json(&report());
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["schema_version"], SCHEMA_VERSION);
        assert_eq!(value["findings"][0]["kind"], "bola-read");
        assert_eq!(value["findings"][0]["severity"], "high");
        let back: Report = serde_json::from_str(&text).unwrap();
        assert_eq!(back, report());
    }

    #[test]
    fn summary_counts_by_severity() {
        let mut r = report();
        assert_eq!(summary_line(&r), "1 finding: 1 high");
        r.findings.clear();
        assert_eq!(summary_line(&r), "no findings");
    }
}
