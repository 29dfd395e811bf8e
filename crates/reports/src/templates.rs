//! Markdown and self-contained HTML, rendered with minijinja from the
//! templates in `crates/reports/templates`, which are compiled into the
//! binary.
//!
//! HTML is auto-escaped (the template's name ends in `.html`), so response
//! excerpts, paths and identity names from the target or the spec cannot
//! inject markup. Markdown has no escaping of its own: the `code`, `cell`,
//! `html` and `fence` filters below make untrusted text safe where it goes.

use minijinja::value::{Serde, Value};
use minijinja::{Environment, context};
use trespass_model::{Exchange, Finding, Report, Severity};

use crate::{RenderError, summary_line};

const MARKDOWN: &str = include_str!("../templates/report.md.j2");
const HTML: &str = include_str!("../templates/report.html.j2");

/// The Markdown summary: for a CI job summary or a pull-request comment.
pub fn markdown(report: &Report) -> Result<String, RenderError> {
    render("report.md", report)
}

/// The self-contained HTML page: no external asset, works offline.
pub fn html(report: &Report) -> Result<String, RenderError> {
    render("report.html", report)
}

fn render(name: &str, report: &Report) -> Result<String, RenderError> {
    let env = environment()?;
    let template = env.get_template(name).map_err(|e| RenderError::Template(e.to_string()))?;
    let severities: Vec<&str> = Severity::DESCENDING
        .iter()
        .filter(|s| report.findings.iter().any(|f| f.severity == **s))
        .map(|s| s.as_str())
        .collect();
    let mut kinds: Vec<&str> = report.findings.iter().map(|f| f.kind.as_str()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    let not_probed: Vec<_> = report
        .coverage
        .iter()
        .filter(|c| !matches!(c.status.as_str(), "probed" | "listing"))
        .collect();
    let pair_rows = pair_rows(report);
    let mut text = template
        .render(context! {
            report => Value::from(Serde(report)),
            summary => summary_line(report),
            severities => severities,
            kinds => kinds,
            not_probed => Value::from(Serde(&not_probed)),
            pair_rows => Value::from(Serde(&pair_rows)),
        })
        .map_err(|e| RenderError::Template(e.to_string()))?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

/// One line of the compact per-pair coverage table.
#[derive(serde::Serialize)]
struct PairRow {
    operation: String,
    who: String,
    ran: String,
    skipped: String,
}

fn pair_rows(report: &Report) -> Vec<PairRow> {
    let mut rows = Vec::new();
    for entry in &report.coverage {
        for pair in &entry.pairs {
            let ran: Vec<&str> = pair.ran.iter().map(|f| f.as_str()).collect();
            let skipped: Vec<String> =
                pair.skipped.iter().map(|s| format!("{}: {}", s.probe, s.reason)).collect();
            rows.push(PairRow {
                operation: format!("{} {}", entry.method, entry.path),
                who: crate::pair_label(pair),
                ran: ran.join(", "),
                skipped: skipped.join("; "),
            });
        }
    }
    rows
}

fn environment() -> Result<Environment<'static>, RenderError> {
    let mut env = Environment::new();
    env.add_template("report.md", MARKDOWN).map_err(|e| RenderError::Template(e.to_string()))?;
    env.add_template("report.html", HTML).map_err(|e| RenderError::Template(e.to_string()))?;
    env.add_filter("who", who);
    env.add_filter("code", code);
    env.add_filter("cell", cell);
    env.add_filter("html", html_escape);
    env.add_filter("fence", fence);
    env.add_filter("exchanges", exchanges);
    Ok(env)
}

/// `bob → alice's object` and the like ([`crate::who`]).
fn who(finding: Value) -> Result<String, minijinja::Error> {
    let finding: Finding = deserialize(finding)?;
    Ok(crate::who(&finding))
}

/// A Markdown code span that survives backticks and table pipes inside.
fn code(text: &str) -> String {
    let longest = longest_run(text, '`');
    let ticks = "`".repeat(longest + 1);
    let padded = if text.starts_with('`') || text.ends_with('`') {
        format!(" {text} ")
    } else {
        text.to_owned()
    };
    cell(&format!("{ticks}{padded}{ticks}"))
}

/// Text safe in a Markdown table cell: no pipe, no line break, no markup.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ").replace('<', "&lt;").replace('>', "&gt;")
}

/// Text safe inside raw HTML within Markdown.
fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A fenced code block longer than any backtick run inside, so a hostile
/// response body cannot close it.
fn fence(text: &str, language: &str) -> String {
    let ticks = "`".repeat((longest_run(text, '`') + 1).max(3));
    format!("{ticks}{language}\n{}\n{ticks}", text.trim_end())
}

/// Evidence as plain text lines.
fn exchanges(evidence: Value) -> Result<String, minijinja::Error> {
    let evidence: Vec<Exchange> = deserialize(evidence)?;
    let mut text = String::new();
    for exchange in evidence {
        text.push_str(&format!(
            "# {}\n{} {} ({})\n→ {} {}\n\n",
            exchange.label,
            exchange.request.method,
            exchange.request.url,
            exchange.request.credential,
            exchange.response.status,
            exchange.response.body_excerpt,
        ));
    }
    Ok(text)
}

fn longest_run(text: &str, c: char) -> usize {
    let mut longest = 0;
    let mut run = 0;
    for ch in text.chars() {
        run = if ch == c { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

fn deserialize<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, minijinja::Error> {
    // Going through JSON keeps the model's own serde rules in one place.
    let json = serde_json::to_value(&value).map_err(|e| {
        minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, e.to_string())
    })?;
    serde_json::from_value(json)
        .map_err(|e| minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hostile_body_cannot_close_the_markdown_fence() {
        let body = "x\n```\n# injected\n````";
        let fenced = fence(body, "text");
        assert!(fenced.starts_with("`````text\n"), "{fenced}");
        assert!(fenced.ends_with("\n`````"), "{fenced}");
    }

    #[test]
    fn code_spans_escape_pipes_and_backticks() {
        assert_eq!(code("GET /a|b"), "`GET /a\\|b`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(cell("<script>"), "&lt;script&gt;");
    }
}
