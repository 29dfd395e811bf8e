//! Renderers of an [`InventoryPlan`], the dry run `trespass inventory`
//! prints: a table for a person, and JSON for tools.

use std::fmt::Write as _;

use trespass_model::{ApiKeyLocation, InventoryPlan, SecurityScheme};

use crate::Style;

/// The plan as pretty-printed JSON, ending in a newline.
pub fn inventory_json(plan: &InventoryPlan) -> String {
    // Serializing plain data with string keys cannot fail.
    let mut text = serde_json::to_string_pretty(plan)
        .unwrap_or_else(|e| format!("{{\"error\": \"failed to serialize the inventory: {e}\"}}"));
    text.push('\n');
    text
}

/// The plan for a terminal: a header, the security schemes, one line per
/// operation (method, path, security, object references, probes per
/// identity pair), then warnings and the total.
pub fn inventory_text(plan: &InventoryPlan, style: Style) -> String {
    let bold = |text: &str| {
        if style.color { format!("\x1b[1m{text}\x1b[0m") } else { text.to_owned() }
    };
    let mut out = String::new();
    let title = plan.title.as_deref().unwrap_or("untitled API");
    let _ = writeln!(out, "{} ({})", bold(title), plan.source);
    if !plan.base_path.is_empty() {
        let _ = writeln!(out, "base path: {}", plan.base_path);
    }
    if !plan.security_schemes.is_empty() {
        let _ = writeln!(out, "security schemes:");
        for (name, scheme) in &plan.security_schemes {
            let _ = writeln!(out, "  {name}: {}", describe(scheme));
        }
    }
    let _ = writeln!(out);

    let width = plan.operations.iter().map(|o| o.path.len()).max().unwrap_or(0).min(60);
    for operation in &plan.operations {
        let security = if operation.security.is_empty() {
            "none".to_owned()
        } else {
            let alternatives: Vec<String> = operation
                .security
                .iter()
                .map(|alt| if alt.is_empty() { "anonymous".to_owned() } else { alt.join("+") })
                .collect();
            alternatives.join(" | ")
        };
        let references: Vec<String> = operation
            .object_references
            .iter()
            .map(|r| format!("{} ({})", r.name, location(r.location)))
            .collect();
        let references = if references.is_empty() { "-".to_owned() } else { references.join(", ") };
        let probes = operation
            .probes_per_identity_pair
            .map_or_else(|| "not probed".to_owned(), |n| format!("{n} probes per pair"));
        let _ = writeln!(
            out,
            "{:<7} {:<width$}  security: {security}; objects: {references}; {probes}",
            operation.method.as_str(),
            operation.path,
        );
    }

    if !plan.warnings.is_empty() {
        let _ = writeln!(out, "\n{} warning(s):", plan.warnings.len());
        for warning in &plan.warnings {
            let _ = writeln!(out, "  {warning}");
        }
    }
    for note in &plan.notes {
        let _ = writeln!(out, "note: {note}");
    }
    let probed = plan.operations.iter().filter(|o| o.probes_per_identity_pair.is_some()).count();
    let _ = writeln!(
        out,
        "\n{} operations, {probed} probed in safe mode: {} probes with {} identities",
        plan.operations.len(),
        plan.probes,
        plan.identities
    );
    out
}

fn describe(scheme: &SecurityScheme) -> String {
    match scheme {
        SecurityScheme::ApiKey { name, location } => {
            let place = match location {
                ApiKeyLocation::Header => "header",
                ApiKeyLocation::Query => "query",
                ApiKeyLocation::Cookie => "cookie",
            };
            format!("api key in {place} {name}")
        }
        SecurityScheme::HttpBearer => "bearer token".to_owned(),
        SecurityScheme::HttpBasic => "HTTP basic".to_owned(),
        SecurityScheme::OAuth2 => "OAuth 2 (bearer token)".to_owned(),
        SecurityScheme::Other { declared } => format!("{declared} (not supported)"),
    }
}

fn location(location: trespass_model::ParamLocation) -> &'static str {
    use trespass_model::ParamLocation;
    match location {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
        ParamLocation::Cookie => "cookie",
        ParamLocation::Body => "body",
    }
}
