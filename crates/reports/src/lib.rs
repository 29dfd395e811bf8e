//! Renderers of a [`Report`]: what a person reads on a terminal, and the
//! documents that tools and people read elsewhere; and of the dry run
//! `trespass inventory` prints ([`inventory_text`], [`inventory_json`]).
//!
//! Renderers only format; every decision (what is a finding, how severe)
//! was taken before. They take the report and return text, so the binary
//! chooses where it goes. The formats ([`Format`]):
//!
//! - [`terminal`]: the summary on stdout, grouped by severity;
//! - [`json`]: the versioned report, a public interface;
//! - [`sarif::sarif`]: SARIF 2.1.0 for code-scanning tabs;
//! - [`junit::junit`]: JUnit XML, a test case per operation and probe family;
//! - [`templates::markdown`]: a job summary or pull-request comment;
//! - [`templates::html`]: one self-contained page.
//!
//! Besides rendering, [`score`] computes the 0–100 score and A–F grade,
//! [`baseline`] compares a scan with an earlier report, and [`location`]
//! finds an operation's line in its spec file.

mod inventory;

use std::fmt::Write as _;

use trespass_model::{Finding, FindingKind, Report, Severity};

pub use inventory::{inventory_json, inventory_text};

pub mod baseline;
pub mod junit;
pub mod location;
pub mod sarif;
pub mod score;
pub mod templates;

/// A document format a report can be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// The versioned JSON report (`.json`).
    Json,
    /// SARIF 2.1.0 (`.sarif`).
    Sarif,
    /// JUnit XML (`.xml`).
    Junit,
    /// Markdown (`.md`).
    Markdown,
    /// Self-contained HTML (`.html`).
    Html,
}

impl Format {
    /// Every format, in the order files are written.
    pub const ALL: [Format; 5] =
        [Format::Json, Format::Sarif, Format::Junit, Format::Markdown, Format::Html];

    /// The name used by `--format`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::Markdown => "markdown",
            Format::Html => "html",
        }
    }

    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Junit => "xml",
            Format::Markdown => "md",
            Format::Html => "html",
        }
    }

    /// Renders `report` in this format.
    pub fn render(self, report: &Report) -> Result<String, RenderError> {
        match self {
            Format::Json => Ok(json(report)),
            Format::Sarif => Ok(sarif::sarif(report)),
            Format::Junit => junit::junit(report),
            Format::Markdown => templates::markdown(report),
            Format::Html => templates::html(report),
        }
    }
}

/// A renderer failed. Only a bug can cause one (the templates are compiled
/// in), but it is reported rather than panicking.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// A template did not render.
    #[error("failed to render a report template: {0}")]
    Template(String),
    /// The JUnit document did not serialize.
    #[error("failed to write the JUnit report: {0}")]
    Junit(String),
}

/// How terminal output looks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Style {
    /// Whether to use ANSI colours.
    pub color: bool,
    /// Whether to list, per operation, which probes ran for each pair of
    /// identities (`-v`). Off by default, so the report stays short.
    pub pairs: bool,
}

/// Characters of a response excerpt shown per evidence line on a terminal.
const EXCERPT_COLUMNS: usize = 72;

/// Writes the JSON report to `out`, pretty-printed and ending in a newline,
/// exactly as [`json`] renders it, without holding the whole text in
/// memory: the report of a scan of thousands of operations is megabytes of
/// text, more than the scan itself needs at any other moment. Give it a
/// buffered writer.
pub fn write_json(report: &Report, mut out: impl std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut out, report)?;
    out.write_all(b"\n")?;
    out.flush()
}

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
    if style.pairs {
        write_pairs(&mut out, report, &paint);
    }
    if !report.notes.is_empty() {
        let _ = writeln!(out, "\n{}", paint("1", "Notes"));
        for note in &report.notes {
            let _ = writeln!(out, "  - {note}");
        }
    }

    if let Some(baseline) = &report.baseline {
        let _ = writeln!(
            out,
            "\n{} {}: {} new, {} still open, {} fixed{}",
            paint("1", "Against baseline"),
            baseline.file,
            baseline.new,
            baseline.open,
            baseline.fixed.len(),
            if baseline.not_retested.is_empty() {
                String::new()
            } else {
                format!(", {} not retested", baseline.not_retested.len())
            }
        );
        for finding in &baseline.fixed {
            let _ = writeln!(out, "  fixed        {}", one_line(finding));
        }
        for finding in &baseline.not_retested {
            let _ = writeln!(out, "  not retested {}", one_line(finding));
        }
    }

    let _ = writeln!(out, "\n{}", summary_line(report));
    if let Some(score) = &report.score {
        let _ = writeln!(out, "score {}/100, grade {}", score.value, score.grade);
    }
    out
}

/// The per-pair coverage: under each operation that has any, one line per
/// pair with the families that ran, and one per family skipped, with why.
fn write_pairs(out: &mut String, report: &Report, paint: &dyn Fn(&str, &str) -> String) {
    let entries: Vec<_> = report.coverage.iter().filter(|c| !c.pairs.is_empty()).collect();
    if entries.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{}", paint("1", "Coverage per pair"));
    for entry in entries {
        let _ = writeln!(out, "  {} {} ({})", entry.method, entry.path, entry.status);
        for pair in &entry.pairs {
            let ran: Vec<&str> = pair.ran.iter().map(|f| f.as_str()).collect();
            let ran = if ran.is_empty() { "nothing".to_owned() } else { ran.join(", ") };
            let _ = writeln!(out, "    {}: ran {ran}", pair_label(pair));
            for skipped in &pair.skipped {
                let _ = writeln!(out, "      skipped {}: {}", skipped.probe, skipped.reason);
            }
        }
    }
}

/// `bob on alice's object`, or `bob` for probes on no one's object.
pub fn pair_label(pair: &trespass_model::PairCoverage) -> String {
    match &pair.owner {
        Some(owner) => format!("{} on {owner}'s object", pair.caller),
        None => pair.caller.clone(),
    }
}

/// What `trespass diff` prints: one line per finding of a report marked by
/// [`baseline::apply`] (`new`, `open`), then the fixed and not retested
/// ones, then the totals.
pub fn diff_text(report: &Report) -> String {
    let mut out = String::new();
    for finding in &report.findings {
        let status = finding.baseline.map(|s| s.as_str()).unwrap_or("open");
        let _ = writeln!(out, "{status:<12} {}", one_line(finding));
    }
    if let Some(baseline) = &report.baseline {
        for finding in &baseline.fixed {
            let _ = writeln!(out, "{:<12} {}", "fixed", one_line(finding));
        }
        for finding in &baseline.not_retested {
            let _ = writeln!(out, "{:<12} {}", "not-retested", one_line(finding));
        }
        let _ = writeln!(
            out,
            "{} new, {} still open, {} fixed, {} not retested",
            baseline.new,
            baseline.open,
            baseline.fixed.len(),
            baseline.not_retested.len()
        );
    }
    out
}

/// Who did what to whom, in a few words: `bob → alice's object`,
/// `anyone → alice's object` for a caller without credentials, `alice sees
/// bob's credential` for an exposed credential, the caller alone when no
/// owner is involved, or nothing.
pub(crate) fn who(finding: &Finding) -> String {
    let exposure = finding.kind == FindingKind::CredentialExposure;
    let thing = if exposure { "credential" } else { "object" };
    match (&finding.identity, &finding.owner) {
        (Some(identity), Some(owner)) if exposure => format!("{identity} sees {owner}'s {thing}"),
        (Some(identity), Some(owner)) => format!("{identity} → {owner}'s {thing}"),
        (None, Some(owner)) => format!("anyone → {owner}'s {thing}"),
        (Some(identity), None) => identity.clone(),
        (None, None) => String::new(),
    }
}

/// `bola-read GET /users/{id} bob → alice's object`.
fn one_line(finding: &Finding) -> String {
    let mut text = format!("{} {} {}", finding.kind, finding.method, finding.path);
    let who = who(finding);
    if !who.is_empty() {
        let _ = write!(text, " {who}");
    }
    text
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
    let who = match who(finding) {
        who if who.is_empty() => who,
        who => format!("  {who}"),
    };
    let status = match finding.baseline {
        Some(status) => format!("[{status}] ", status = status.as_str()),
        None => String::new(),
    };
    let _ = writeln!(
        out,
        "  {status}{} {} {}{who}  [{}, {} confidence]",
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
pub(crate) mod tests {
    use super::*;
    use trespass_model::{
        Confidence, Coverage, Exchange, FindingKind, Method, RecordedRequest, RecordedResponse,
        SCHEMA_VERSION, ScanStats,
    };

    /// A finding of the given kind on `GET /users/{id}`, bob → alice.
    pub(crate) fn finding(
        kind: FindingKind,
        severity: Severity,
        confidence: Confidence,
    ) -> Finding {
        let mut finding = report().findings.remove(0);
        finding.kind = kind;
        finding.severity = severity;
        finding.confidence = confidence;
        finding.cwe = kind.cwe().into();
        finding.owasp = kind.owasp().into();
        finding.title = kind.title().into();
        finding
    }

    #[test]
    fn who_names_caller_owner_and_what_was_reached() {
        let mut f = finding(FindingKind::BolaRead, Severity::High, Confidence::High);
        assert_eq!(who(&f), "bob → alice's object");
        f.kind = FindingKind::CredentialExposure;
        assert_eq!(who(&f), "bob sees alice's credential");
        f.kind = FindingKind::MissingAuth;
        f.identity = None;
        assert_eq!(who(&f), "anyone → alice's object");
        f.kind = FindingKind::PrivilegeEscalation;
        f.identity = Some("bob".into());
        f.owner = None;
        assert_eq!(who(&f), "bob");
        f.identity = None;
        assert_eq!(who(&f), "");
    }

    /// A small report with one high finding and one skipped operation.
    pub(crate) fn report() -> Report {
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
                interrupted: false,
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
                parameter_location: None,
                identity: Some("bob".into()),
                owner: Some("alice".into()),
                reason: "bob read it".into(),
                evidence: vec![Exchange {
                    label: "bob reads alice's object".into(),
                    request: RecordedRequest::new(
                        Method::Get,
                        "http://127.0.0.1:9/users/1",
                        "X-API-Key: ${bob}",
                    ),
                    response: RecordedResponse {
                        status: 200,
                        content_type: None,
                        body_length: 13,
                        body_excerpt: "{\"name\":\n\"A\"}".into(),
                    },
                }],
                reproduce: "curl -i \"http://127.0.0.1:9/users/1\"".into(),
                remediation: "Scope it.".into(),
                baseline: None,
                spec_line: None,
            }],
            coverage: vec![Coverage {
                method: Method::Get,
                path: "/orders/{id}".into(),
                status: "skipped".into(),
                detail: "no id was discovered".into(),
                pairs: vec![],
            }],
            notes: vec![],
            spec_file: None,
            score: None,
            baseline: None,
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
        assert!(!terminal(&report(), Style { color: false, pairs: false }).contains('\x1b'));
        assert!(
            terminal(&report(), Style { color: true, pairs: false })
                .contains("\x1b[1;31mHIGH (1)\x1b[0m")
        );
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
