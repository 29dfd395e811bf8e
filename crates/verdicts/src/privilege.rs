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
//! rule covers, from each identity's request for its own object.
//!
//! **Writes** (active mode only) are judged by [`privilege_writes`], by the
//! same rules and names, from what the target did rather than what it
//! answered, and only on objects trespass created:
//!
//! - a `POST` by a refused role is a finding when the new object, read back
//!   by an identity of an allowed role (the reference) or else by the
//!   creator, shows the canary the create sent (or its new id, for a body
//!   without strings): the object exists, made by a role that may not;
//! - a `PUT`, `PATCH` or `DELETE` by a refused role on an object another
//!   identity created is a finding when the owner's read afterwards shows
//!   the object changed or gone (as `bola-write` decides: noise left out).
//!
//! So a privileged write that answers 2xx to a user but changes nothing is
//! no finding, and one that answers 403 but took effect is one.
//!
//! **Which kind wins.** A write is judged once: when the operation is
//! privileged and the writer's role is refused, it is a
//! `privilege-escalation` and never also a `bola-write`, since the role
//! fault is the broader one: whose object it was does not matter when the
//! role may not call the operation at all. When the writer's role is
//! allowed, or it has none, or nothing restricts the operation, another's
//! object changed is a `bola-write` as before: a role rule says who may
//! call an operation, not whose objects it may change.
//!
//! **Not inferred from behaviour.** "Only the higher role succeeds" is not
//! used to find privileged operations, for reads or writes: when only the
//! higher role succeeds, no lower role did, so there is nothing to report;
//! and when two identities of the same lower role differ, the server is
//! deciding on something other than the role (the object, the tenant, the
//! state a previous write left), so a role escalation would be a guess.
//! State a rule to have such an operation judged.

/// Whether names say the operation is for administrators. Discovery
/// decides with it which listings keep their exchange for this verdict.
pub use trespass_discovery::is_privileged;
use trespass_discovery::{Discovery, Seer};
use trespass_model::{
    Confidence, Exchange, Finding, FindingKind, IdentityName, Operation, RoleRule, Severity,
    rule_for,
};
use trespass_probes::OperationProbes;
use trespass_probes::active::{ActiveObservations, CreateProbe, Standing, WriteProbe};

use crate::{curl, exchange, fingerprint, outcome_text, remediation};

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

/// Where an identity of `role` stands on `operation` under `rules`: not
/// judged without a role or where nothing restricts the operation,
/// otherwise allowed or refused. Active mode records it with each write,
/// so that one decision picks the write's kind.
pub fn standing(operation: &Operation, role: Option<&str>, rules: &[RoleRule]) -> Standing {
    match (Privilege::of(operation, rules), role) {
        (Some(privilege), Some(role)) if privilege.allows(role) => Standing::Allowed,
        (Some(_), Some(_)) => Standing::Refused,
        _ => Standing::Unjudged,
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
        let name = name.as_str();
        let label = called(name, role, privilege);
        let evidence =
            vec![Exchange { label, request: request.clone(), response: response.clone() }];
        let what = format!("called {}", operation.label());
        let outcome = format!("it succeeded ({})", response.status);
        findings.push(escalation(operation, (name, role), privilege, (what, outcome), evidence));
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
        let (name, privilege) = (name.as_str(), Privilege::Stated(rule));
        let evidence = exchange(&called(name, role, privilege), &object.baseline);
        let outcome = format!("it succeeded ({})", evidence.response.status);
        let what = format!("called {}", operation.label());
        findings.push(escalation(
            operation,
            (name, role),
            privilege,
            (what, outcome),
            vec![evidence],
        ));
    }
    findings
}

/// The `privilege-escalation` findings of active mode's writes, as the
/// module docs describe: creates by a refused role that the read back
/// shows, and writes by a refused role on another identity's created
/// object that the owner's read shows changed or gone. One finding per
/// operation and identity, the first proof kept.
pub fn privilege_writes(
    active: &ActiveObservations,
    names: &[IdentityName],
    roles: &[Option<String>],
    rules: &[RoleRule],
) -> Vec<Finding> {
    let name = |i: usize| names.get(i).map_or("?", IdentityName::as_str);
    let mut findings: Vec<Finding> = Vec::new();
    let mut keep = |finding: Finding| {
        if !findings.iter().any(|f| f.fingerprint == finding.fingerprint) {
            findings.push(finding);
        }
    };
    for probe in &active.creations {
        let Some(role) = roles.get(probe.creator).and_then(Option::as_deref) else { continue };
        let Some(privilege) = Privilege::of(&probe.operation, rules) else { continue };
        if let Some(finding) = created(probe, (name(probe.creator), role), privilege, &name) {
            keep(finding);
        }
    }
    for probe in active.writes.iter().filter(|w| w.standing == Standing::Refused) {
        let Some(role) = roles.get(probe.writer).and_then(Option::as_deref) else { continue };
        let Some(privilege) = Privilege::of(&probe.operation, rules) else { continue };
        let Some(object) = active.created.get(probe.object) else { continue };
        let owner = name(object.owner);
        if let Some(finding) = changed(probe, (name(probe.writer), role), privilege, owner) {
            keep(finding);
        }
    }
    findings
}

/// The finding of a create by a refused role, when a read shows the new
/// object carrying the marker its create sent.
fn created<'a>(
    probe: &CreateProbe,
    (creator, role): (&str, &str),
    privilege: Privilege<'_>,
    name: &dyn Fn(usize) -> &'a str,
) -> Option<Finding> {
    let (reader, read) = probe.reads.iter().find(|(_, read)| {
        read.success().is_some_and(|r| String::from_utf8_lossy(&r.body).contains(&probe.marker))
    })?;
    let reader = name(*reader);
    let operation = &probe.operation;
    let what = format!("sent {}", operation.label());
    let outcome = format!(
        "it answered {}; {reader}'s read of the new object {} shows it created, holding `{}` \
         from the create",
        outcome_text(&probe.create),
        read.request.url,
        probe.marker
    );
    let mut evidence = vec![exchange(&called(creator, role, privilege), &probe.create)];
    evidence.push(exchange(&format!("{reader} reads the new object"), read));
    Some(escalation(operation, (creator, role), privilege, (what, outcome), evidence))
}

/// The finding of a refused role's write on `owner`'s created object, when
/// the owner's read afterwards shows it changed or gone.
fn changed(
    probe: &WriteProbe,
    (writer, role): (&str, &str),
    privilege: Privilege<'_>,
    owner: &str,
) -> Option<Finding> {
    let effect = crate::write::effect(probe)?;
    let operation = &probe.operation;
    let target = &probe.before.request.url;
    let what =
        format!("sent {} on {owner}'s object {target}, created by trespass", operation.method);
    let outcome = format!(
        "it answered {}; {owner}'s own read afterwards shows the object {effect}",
        outcome_text(&probe.write)
    );
    let evidence = vec![
        exchange(&format!("{owner} reads its object before"), &probe.before),
        exchange(&called(writer, role, privilege), &probe.write),
        exchange(&format!("{owner} reads its object after"), &probe.after),
    ];
    Some(escalation(operation, (writer, role), privilege, (what, outcome), evidence))
}

/// The evidence label of the offending request.
fn called(name: &str, role: &str, privilege: Privilege<'_>) -> String {
    match privilege {
        Privilege::Stated(rule) => {
            format!("{name} ({role}) calls an operation {} reserves for others", rule.origin)
        }
        Privilege::Inferred => format!("{name} ({role}) calls an administrators' operation"),
    }
}

/// One finding: `name` of `role` did `what` (`called GET /admin/audit`),
/// which `privilege` reserves for others, with the `outcome` that proves
/// it. The offending request is the evidence's last but for a read after
/// it: the one whose label names the caller.
fn escalation(
    operation: &Operation,
    (name, role): (&str, &str),
    privilege: Privilege<'_>,
    (what, outcome): (String, String),
    evidence: Vec<Exchange>,
) -> Finding {
    let kind = FindingKind::PrivilegeEscalation;
    let (confidence, grounds) = match privilege {
        Privilege::Stated(rule) => {
            (Confidence::High, format!("which {} does not allow to role `{role}`", rule.describe()))
        }
        Privilege::Inferred => {
            (Confidence::Medium, "which its path or tags reserve for administrators".to_owned())
        }
    };
    let offending = called(name, role, privilege);
    let reproduce = evidence
        .iter()
        .find(|e| e.label == offending)
        .or(evidence.first())
        .map_or_else(String::new, |e| curl(&e.request));
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
        reason: format!("{name}, of role `{role}`, {what}, {grounds}, and {outcome}"),
        evidence,
        reproduce,
        remediation: remediation(kind).to_owned(),
        baseline: None,
        spec_line: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trespass_discovery::Listing;
    use trespass_model::{Method, PathPattern, RecordedRequest, RecordedResponse, RoleSelector};
    use trespass_probes::active::Created;
    use trespass_probes::{Observation, Reply};

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

    /// An answer to `method url` sent as `who`.
    fn obs(method: Method, url: &str, who: &str, status: u16, body: &str) -> Observation {
        let path = format!("http://127.0.0.1:1{url}");
        let mut request = RecordedRequest::new(method, &path, format!("X-API-Key: ${{{who}}}"));
        if matches!(method, Method::Post | Method::Put) {
            request.body = Some(r#"{"title":"canary-bob"}"#.into());
        }
        let reply = Reply {
            status,
            content_type: Some("application/json".into()),
            body: body.as_bytes().to_vec(),
            truncated: false,
            excerpt: body.into(),
        };
        Observation { request, outcome: Ok(reply) }
    }

    fn write_op(method: Method, path: &str) -> Operation {
        Operation { method, ..op(path, &[]) }
    }

    const ITEM: &str = "/admin/news/{news_id}";
    const ALICES: &str = r#"{"id":951,"title":"canary-alice","request_id":"r1"}"#;

    /// bob (user) created news 952 and read it back with `read`; then sent
    /// `method` on alice's news 951, whose read afterwards is `after`.
    fn active(read: (u16, &str), method: Method, after: (u16, &str)) -> ActiveObservations {
        let create = write_op(Method::Post, "/admin/news");
        let created = |owner: usize, id: &str, canary: &str| Created {
            owner,
            path: ITEM.into(),
            values: vec![("news_id".into(), id.into())],
            canary: canary.into(),
        };
        let before = |n: &str| {
            let body = ALICES.replace("r1", n);
            obs(Method::Get, "/admin/news/951", "alice", 200, &body)
        };
        ActiveObservations {
            created: vec![created(0, "951", "canary-alice"), created(1, "952", "canary-bob")],
            creations: vec![CreateProbe {
                operation: create,
                creator: 1,
                create: obs(Method::Post, "/admin/news", "bob", 201, r#"{"id":952}"#),
                marker: "canary-bob".into(),
                reads: vec![(1, obs(Method::Get, "/admin/news/952", "bob", read.0, read.1))],
            }],
            writes: vec![WriteProbe {
                operation: write_op(method, ITEM),
                object: 0,
                writer: 1,
                standing: Standing::Refused,
                before: before("r2"),
                before_again: before("r3"),
                write: obs(method, "/admin/news/951", "bob", 204, ""),
                after: obs(Method::Get, "/admin/news/951", "alice", after.0, after.1),
            }],
            notes: vec![],
            leftovers: vec![],
        }
    }

    fn write_findings(observed: &ActiveObservations, rules: &[RoleRule]) -> Vec<String> {
        let names = [IdentityName::new("alice"), IdentityName::new("bob")];
        let roles = [Some("user".to_owned()), Some("user".to_owned())];
        privilege_writes(observed, &names, &roles, rules)
            .iter()
            .map(|f| {
                format!("{} {} {:?}", f.method, f.identity.as_deref().unwrap_or("-"), f.confidence)
            })
            .collect()
    }

    #[test]
    fn a_refused_roles_create_and_delete_that_took_effect_are_findings() {
        let shown = (200, r#"{"id":952,"title":"canary-bob"}"#);
        let gone = (404, r#"{"error":"not found","request_id":"r9"}"#);
        let observed = active(shown, Method::Delete, gone);
        assert_eq!(write_findings(&observed, &[]), ["POST bob Medium", "DELETE bob Medium"]);

        let findings = privilege_writes(
            &observed,
            &[IdentityName::new("alice"), IdentityName::new("bob")],
            &[Some("user".to_owned()), Some("user".to_owned())],
            &[],
        );
        assert_eq!(
            findings[0].reason,
            "bob, of role `user`, sent POST /admin/news, which its path or tags reserve for \
             administrators, and it answered 201; bob's read of the new object \
             http://127.0.0.1:1/admin/news/952 shows it created, holding `canary-bob` from the \
             create"
        );
        assert_eq!(findings[0].evidence.len(), 2);
        assert!(findings[0].reproduce.starts_with("curl -i -X POST "), "{}", findings[0].reproduce);
        assert_eq!(
            findings[1].reason,
            "bob, of role `user`, sent DELETE on alice's object http://127.0.0.1:1/admin/news/951, \
             created by trespass, which its path or tags reserve for administrators, and it \
             answered 204; alice's own read afterwards shows the object deleted"
        );
        let labels: Vec<&str> = findings[1].evidence.iter().map(|e| e.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "alice reads its object before",
                "bob (user) calls an administrators' operation",
                "alice reads its object after",
            ]
        );
        assert!(findings[1].reproduce.starts_with("curl -i -X DELETE "));

        // A stated rule makes them certain.
        let stated = rule(&["admin"]);
        let stated = RoleRule {
            selector: RoleSelector::Path(PathPattern::new("/admin/**").unwrap()),
            ..stated
        };
        assert_eq!(write_findings(&observed, &[stated]), ["POST bob High", "DELETE bob High"]);
    }

    #[test]
    fn a_privileged_write_that_answered_2xx_but_changed_nothing_is_no_finding() {
        // The create answered 201 but the object is not there, or is not
        // the one it sent; the PUT answered 204 and alice's news is as it
        // was, noise aside.
        let unchanged = (200, ALICES.replace("r1", "r4"));
        for read in [(404, r#"{"error":"not found"}"#), (200, r#"{"id":952,"title":"other"}"#)] {
            let observed = active(read, Method::Put, (unchanged.0, &unchanged.1));
            assert_eq!(write_findings(&observed, &[]), Vec::<String>::new());
        }
    }

    #[test]
    fn a_refused_roles_write_is_no_bola_write_and_an_allowed_ones_is() {
        let gone = (404, r#"{"error":"not found"}"#);
        let mut observed = active((404, "{}"), Method::Delete, gone);
        let names = [IdentityName::new("alice"), IdentityName::new("bob")];
        assert!(crate::bola_writes(&observed, &names).is_empty());
        observed.writes[0].standing = Standing::Allowed;
        let bola = crate::bola_writes(&observed, &names);
        assert_eq!(bola.len(), 1);
        assert_eq!(
            (bola[0].identity.as_deref(), bola[0].owner.as_deref()),
            (Some("bob"), Some("alice"))
        );
        // privilege_writes judges by the standing recorded at probe time.
        assert_eq!(write_findings(&observed, &[]), Vec::<String>::new());
    }

    #[test]
    fn standing_follows_rules_then_names_and_needs_a_role() {
        let delete = write_op(Method::Delete, ITEM);
        assert_eq!(standing(&delete, Some("user"), &[]), Standing::Refused);
        assert_eq!(standing(&delete, Some("Admin"), &[]), Standing::Allowed);
        assert_eq!(standing(&delete, None, &[]), Standing::Unjudged);
        assert_eq!(
            standing(&write_op(Method::Delete, "/news/{id}"), Some("user"), &[]),
            Standing::Unjudged
        );
        let editors = RoleRule {
            selector: RoleSelector::Path(PathPattern::new("/admin/news/*").unwrap()),
            methods: Some(vec![Method::Delete]),
            ..rule(&["editor"])
        };
        let rules = [editors];
        assert_eq!(standing(&delete, Some("editor"), &rules), Standing::Allowed);
        assert_eq!(standing(&delete, Some("admin"), &rules), Standing::Refused);
        // The rule covers DELETE only: a PUT falls back to the names.
        assert_eq!(
            standing(&write_op(Method::Put, ITEM), Some("admin"), &rules),
            Standing::Allowed
        );
    }
}
