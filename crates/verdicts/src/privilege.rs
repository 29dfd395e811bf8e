//! The `privilege-escalation` verdict: an identity of a lower role reaches
//! an operation meant for a higher one.
//!
//! An operation is **privileged** when a segment of its path or one of its
//! tags says so (`admin`, `admins`, `administrator`, `superuser`). An
//! identity is of a **lower role** when its configured `role` is set and is
//! none of the privileged role names (`admin`, `administrator`, `root`,
//! `superuser`, `superadmin`). A lower-role identity whose discovery request
//! to a privileged operation succeeded (2xx) is a finding, of medium
//! confidence: the privilege is inferred from names.
//!
//! An identity without a role is never judged: trespass cannot know it is
//! not an administrator, and a guess would be a false alarm. Known
//! shortcoming: only operations without path parameters (the ones discovery
//! calls) are judged, and the config cannot yet state which roles an
//! operation allows.

/// Whether names say the operation is for administrators. Discovery
/// decides with it which listings keep their exchange for this verdict.
pub use trespass_discovery::is_privileged;
use trespass_discovery::{Discovery, Seer};
use trespass_model::{
    Confidence, Exchange, Finding, FindingKind, IdentityName, Operation, Severity,
};

use crate::{curl, fingerprint, remediation};

/// Role names that may call privileged operations.
const PRIVILEGED_ROLES: &[&str] = &["admin", "administrator", "root", "superuser", "superadmin"];

/// Whether a role may call privileged operations.
pub fn is_privileged_role(role: &str) -> bool {
    PRIVILEGED_ROLES.contains(&role.to_ascii_lowercase().as_str())
}

/// The `privilege-escalation` findings of a discovery. `roles[i]` is the
/// role of identity `i`, when configured.
pub fn privilege_escalations(
    discovery: &Discovery,
    operations: &[Operation],
    names: &[IdentityName],
    roles: &[Option<String>],
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for listing in &discovery.listings {
        let Seer::Identity(index) = listing.seer else { continue };
        let (Some(name), Some(Some(role))) = (names.get(index), roles.get(index)) else {
            continue;
        };
        let succeeded = listing.status.is_some_and(|s| (200..300).contains(&s));
        let Some((request, response)) = listing.exchange.as_deref().filter(|_| succeeded) else {
            continue;
        };
        let Some(operation) = operations.iter().find(|o| o.label() == listing.operation) else {
            continue;
        };
        if is_privileged_role(role) || !is_privileged(operation) {
            continue;
        }
        let kind = FindingKind::PrivilegeEscalation;
        let name = name.as_str();
        findings.push(Finding {
            fingerprint: fingerprint(&[
                kind.as_str(),
                operation.method.as_str(),
                &operation.path,
                "",
                name,
                "",
            ]),
            kind,
            severity: Severity::High,
            confidence: Confidence::Medium,
            cwe: kind.cwe().to_owned(),
            owasp: kind.owasp().to_owned(),
            title: kind.title().to_owned(),
            method: operation.method,
            path: operation.path.clone(),
            parameter: None,
            identity: Some(name.to_owned()),
            owner: None,
            reason: format!(
                "{name}, of role `{role}`, called {}, which its path or tags reserve for \
                 administrators, and it succeeded ({})",
                operation.label(),
                response.status
            ),
            evidence: vec![Exchange {
                label: format!("{name} ({role}) calls an administrators' operation"),
                request: request.clone(),
                response: response.clone(),
            }],
            reproduce: curl(request),
            remediation: remediation(kind).to_owned(),
            baseline: None,
            spec_line: None,
        });
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use trespass_model::Method;

    fn op(path: &str, tags: &[&str]) -> Operation {
        Operation {
            method: Method::Get,
            path: path.into(),
            operation_id: None,
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            parameters: vec![],
            security: vec![],
            responses: vec![],
            source: String::new(),
        }
    }

    #[test]
    fn privilege_is_read_from_path_segments_and_tags() {
        assert!(is_privileged(&op("/admin/audit", &[])));
        assert!(is_privileged(&op("/v1/Admins", &[])));
        assert!(is_privileged(&op("/audit", &["admin"])));
        assert!(!is_privileged(&op("/administered-accounts", &["users"])));
        assert!(is_privileged_role("Admin") && !is_privileged_role("user"));
    }
}
