//! The `privilege-escalation` verdict: an identity of a lower role reaches
//! an operation meant for a higher one.
//!
//! **Stated rules win.** When a [`RoleRule`] of the config covers an
//! operation ([`rule_for`]: the first rule that matches), an identity whose
//! role the rule does not allow and whose request succeeded is a finding of
//! **high** confidence, and its reason cites the rule. An identity of an
//! allowed role is never a finding, whether it succeeded or failed.
//!
//! **Otherwise, inference.** An operation is **privileged** when a segment
//! of its path or one of its tags says so (`admin`, `admins`,
//! `administrator`, `superuser`). An identity is of a **lower role** when
//! its configured `role` is set and is none of the privileged role names
//! (`admin`, `administrator`, `root`, `superuser`, `superadmin`). A
//! lower-role identity that succeeds on a privileged operation is a
//! finding of **medium** confidence: the privilege is guessed from names.
//!
//! Succeeded means, either way: the answer was 2xx (so not a 401, 403 or
//! 404), and the same request without a credential was not served too, for
//! an answer everybody gets is public data, not a privilege. An identity
//! without a role is never judged: trespass cannot know it is not an
//! administrator, and a guess would be a false alarm.
//!
//! [`privilege_escalations`] judges the operations discovery calls (no path
//! parameter); [`stated_on_probes`] judges a probed operation that a stated
//! rule covers, from each identity's request for its own object. Known
//! shortcoming: writes are not judged against role rules; in active mode
//! another identity's successful write is a `bola-write` whatever its role.

/// Whether names say the operation is for administrators. Discovery
/// decides with it which listings keep their exchange for this verdict.
pub use trespass_discovery::is_privileged;
use trespass_discovery::{Discovery, Seer};
use trespass_model::{
    Confidence, Exchange, Finding, FindingKind, IdentityName, Operation, RecordedRequest,
    RecordedResponse, RoleRule, Severity, rule_for,
};
use trespass_probes::OperationProbes;

use crate::{curl, fingerprint, remediation};

/// Role names that may call privileged operations.
const PRIVILEGED_ROLES: &[&str] = &["admin", "administrator", "root", "superuser", "superadmin"];

/// Whether a role may call privileged operations.
pub fn is_privileged_role(role: &str) -> bool {
    PRIVILEGED_ROLES.contains(&role.to_ascii_lowercase().as_str())
}

/// Who may call an operation, and on what grounds.
#[derive(Clone, Copy, Debug)]
pub enum Privilege<'a> {
    /// A stated rule covers it.
    Stated(&'a RoleRule),
    /// No rule covers it, and its names say administrators.
    Inferred,
}

impl Privilege<'_> {
    /// The privilege of an operation under `rules`, or `None` when nothing
    /// restricts it.
    pub fn of<'r>(operation: &Operation, rules: &'r [RoleRule]) -> Option<Privilege<'r>> {
        match rule_for(rules, operation) {
            Some(rule) => Some(Privilege::Stated(rule)),
            None => is_privileged(operation).then_some(Privilege::Inferred),
        }
    }

    /// Whether `role` may call the operation.
    pub fn allows(self, role: &str) -> bool {
        match self {
            Privilege::Stated(rule) => rule.allows(role),
            Privilege::Inferred => is_privileged_role(role),
        }
    }
}

/// The `privilege-escalation` findings of a discovery. `roles[i]` is the
/// role of identity `i`, when configured; `rules` are the config's stated
/// rules, which win over inference.
pub fn privilege_escalations(
    discovery: &Discovery,
    operations: &[Operation],
    names: &[IdentityName],
    roles: &[Option<String>],
    rules: &[RoleRule],
) -> Vec<Finding> {
    let succeeded = |status: Option<u16>| status.is_some_and(|s| (200..300).contains(&s));
    let mut findings = Vec::new();
    for listing in &discovery.listings {
        let Seer::Identity(index) = listing.seer else { continue };
        let (Some(name), Some(Some(role))) = (names.get(index), roles.get(index)) else {
            continue;
        };
        let Some((request, response)) =
            listing.exchange.as_deref().filter(|_| succeeded(listing.status))
        else {
            continue;
        };
        let Some(operation) = operations.iter().find(|o| o.label() == listing.operation) else {
            continue;
        };
        let Some(privilege) = Privilege::of(operation, rules) else { continue };
        if privilege.allows(role) {
            continue;
        }
        let public = discovery.listings.iter().any(|l| {
            l.seer == Seer::Anonymous && l.operation == listing.operation && succeeded(l.status)
        });
        if public {
            tracing::debug!(
                operation = %listing.operation,
                "served without a credential too: public, not a privilege"
            );
            continue;
        }
        findings.push(escalation(operation, name, role, privilege, (request, response)));
    }
    findings
}

/// The `privilege-escalation` findings of a probed operation that a stated
/// rule covers: each identity of a role the rule does not allow whose
/// request for its own object succeeded, unless the same object is served
/// without a credential.
pub fn stated_on_probes(
    operation: &Operation,
    probes: &OperationProbes,
    names: &[IdentityName],
    roles: &[Option<String>],
    rule: &RoleRule,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for object in &probes.objects {
        let owner = object.object.owner;
        let (Some(name), Some(Some(role))) = (names.get(owner), roles.get(owner)) else {
            continue;
        };
        if rule.allows(role) || object.anonymous.success().is_some() {
            continue;
        }
        if object.baseline.success().is_none() {
            continue;
        }
        let Exchange { request, response, .. } = crate::exchange("", &object.baseline);
        let exchange = (&request, &response);
        findings.push(escalation(operation, name, role, Privilege::Stated(rule), exchange));
    }
    findings
}

fn escalation(
    operation: &Operation,
    name: &IdentityName,
    role: &str,
    privilege: Privilege<'_>,
    (request, response): (&RecordedRequest, &RecordedResponse),
) -> Finding {
    let kind = FindingKind::PrivilegeEscalation;
    let name = name.as_str();
    let (confidence, grounds, label) = match privilege {
        Privilege::Stated(rule) => (
            Confidence::High,
            format!("which {} does not allow to role `{role}`", rule.describe()),
            format!("{name} ({role}) calls an operation {} reserves for others", rule.origin),
        ),
        Privilege::Inferred => (
            Confidence::Medium,
            "which its path or tags reserve for administrators".to_owned(),
            format!("{name} ({role}) calls an administrators' operation"),
        ),
    };
    Finding {
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
        confidence,
        cwe: kind.cwe().to_owned(),
        owasp: kind.owasp().to_owned(),
        title: kind.title().to_owned(),
        method: operation.method,
        path: operation.path.clone(),
        parameter: None,
        parameter_location: None,
        identity: Some(name.to_owned()),
        owner: None,
        reason: format!(
            "{name}, of role `{role}`, called {}, {grounds}, and it succeeded ({})",
            operation.label(),
            response.status
        ),
        evidence: vec![Exchange { label, request: request.clone(), response: response.clone() }],
        reproduce: curl(request),
        remediation: remediation(kind).to_owned(),
        baseline: None,
        spec_line: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trespass_discovery::Listing;
    use trespass_model::{Method, PathPattern, RoleSelector};

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

    fn listing(seer: Seer, status: u16) -> Listing {
        let request = RecordedRequest {
            method: Method::Get,
            url: "http://127.0.0.1:1/internal/audit".into(),
            credential: "X-API-Key: ${bob}".into(),
            headers: Vec::new(),
            body: None,
        };
        let response = RecordedResponse {
            status,
            content_type: None,
            body_length: 2,
            body_excerpt: "[]".into(),
        };
        Listing {
            seer,
            operation: "GET /internal/audit".into(),
            status: Some(status),
            ids: vec![],
            exposure: None,
            exchange: Some(Box::new((request, response))),
        }
    }

    fn rule(allow: &[&str]) -> RoleRule {
        RoleRule {
            selector: RoleSelector::Path(PathPattern::new("/internal/**").unwrap()),
            methods: None,
            allow: allow.iter().map(|a| (*a).to_owned()).collect(),
            origin: "roles.rules[0] at t.toml line 3".into(),
        }
    }

    fn judged(listings: Vec<Listing>, operation: &Operation, rules: &[RoleRule]) -> Vec<Finding> {
        let discovery = Discovery::new(listings, vec![], vec![]);
        let names = [IdentityName::new("alice"), IdentityName::new("bob")];
        let roles = [Some("admin".to_owned()), Some("user".to_owned())];
        privilege_escalations(&discovery, std::slice::from_ref(operation), &names, &roles, rules)
    }

    #[test]
    fn a_stated_rule_reports_the_roles_it_does_not_allow_with_high_confidence() {
        let audit = op("/internal/audit", &[]);
        let both = || vec![listing(Seer::Identity(0), 200), listing(Seer::Identity(1), 200)];
        let findings = judged(both(), &audit, &[rule(&["admin"])]);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].identity.as_deref(), Some("bob"));
        assert_eq!(findings[0].confidence, Confidence::High);
        assert_eq!(
            findings[0].reason,
            "bob, of role `user`, called GET /internal/audit, which roles.rules[0] at t.toml \
             line 3 (path /internal/**, allows admin) does not allow to role `user`, and it \
             succeeded (200)"
        );
        // Names alone would not make this operation privileged.
        assert!(judged(both(), &audit, &[]).is_empty());
        // A refusal of a role the rule does not allow, or of one it allows,
        // is no finding.
        let refused = vec![listing(Seer::Identity(0), 403), listing(Seer::Identity(1), 404)];
        assert!(judged(refused, &audit, &[rule(&["admin"])]).is_empty());
        // Served without a credential too: public, not a privilege.
        let mut public = both();
        public.push(listing(Seer::Anonymous, 200));
        assert!(judged(public, &audit, &[rule(&["admin"])]).is_empty());
    }

    #[test]
    fn a_stated_rule_wins_over_inference() {
        let admin = op("/admin/audit", &[]);
        let listings = || {
            let mut l = vec![listing(Seer::Identity(1), 200)];
            l[0].operation = "GET /admin/audit".into();
            l
        };
        let inferred = judged(listings(), &admin, &[]);
        assert_eq!(inferred.len(), 1);
        assert_eq!(inferred[0].confidence, Confidence::Medium);
        let mut users_allowed = rule(&["user"]);
        users_allowed.selector = RoleSelector::Tag("x".into());
        let tagged = Operation { tags: vec!["X".into()], ..admin.clone() };
        assert!(judged(listings(), &tagged, &[users_allowed]).is_empty());
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
