//! Verdicts: what the probes of one operation prove.
//!
//! [`judge`] takes an operation and its [`OperationProbes`] and returns the
//! [`Finding`]s they prove, and notes about what could not be judged. Every
//! rule compares content ([`compare`]), never a status alone:
//!
//! | kind | rule |
//! | --- | --- |
//! | `bola-read` | an outsider's request succeeds and carries values unique to the owner's object, whether the id sits in the path, the query, a header or a cookie |
//! | `missing-auth` | the request without credentials succeeds and carries the owner's data, and the operation is not declared public |
//! | `credential-not-validated` | the forged credential succeeds with the owner's data while no credential fails |
//! | `existence-oracle` | an outsider gets a different status, or a different error body, for the owner's object than for an object that does not exist |
//! | `credential-in-query` | the owner's credential moved from its header into the query string (`api_key`, `apikey`, `access_token`) is accepted with the owner's object, while no credential is refused |
//! | `spec-security-drift` | the spec requires a credential and documents answers, but no 401, 403, 4XX or default one, while the runtime refuses callers without one |
//! | `cross-tenant-hierarchy` | on a nested path, an outsider's request with its own parent and the owner's child succeeds and carries values unique to the owner's object |
//! | `privilege-escalation` | an identity succeeds on an operation that a stated role rule does not allow its role, or, without a rule, an identity of a configured, non-admin role succeeds on an operation whose path or tags say admin; not when the answer is served without a credential too ([`privilege_escalations`], [`privilege::stated_on_probes`]); in active mode, such an identity's create, or write on an object trespass created, that a read afterwards shows took effect ([`privilege_writes`]) |
//! | `bola-write` | (active mode) after another identity's `PUT`, `PATCH` or `DELETE` on an object trespass created, the owner's read shows it changed or gone, whatever the write answered ([`bola_writes`]); or an identity's `POST`, or `PUT`/`PATCH` of its own object, with another identity's id in a body field (`user_id`), is read back holding that id ([`body_field_writes`]) |
//! | `credential-exposure` | a listing response carries another identity's credential, or a credential-named field of credential length ([`credential_exposures`]) |
//! | `enumerable-ids` | on an operation with a `bola-read`, an integer id next to an owned one that no identity owns is served to an identity with that id in the answer, and is not its own object ([`enumerable_ids`]) |
//!
//! Not findings, on purpose: an endpoint that ignores the id and answers
//! with the caller's own object (the response carries nothing unique to the
//! owner); data the spec declares public and everyone is served alike; a
//! protected endpoint that answers 401, 403 or 404 the same way for every
//! outsider and every id. The owner's own request must succeed first; an
//! object whose baseline failed is not judged, and the note says why.

pub mod compare;
mod enumerable;
mod exposure;
pub mod privilege;
mod reproduce;
pub mod write;

use std::collections::BTreeSet;

use trespass_model::{
    Confidence, Exchange, Finding, FindingKind, IdentityName, Operation, ParamLocation,
    RecordedResponse, Severity,
};
use trespass_probes::{ObjectProbes, Observation, OperationProbes};

pub use enumerable::enumerable_ids;
pub use exposure::credential_exposures;
pub use privilege::{Privilege, privilege_escalations, privilege_writes, standing};
pub use reproduce::curl;
pub use write::{body_field_writes, bola_writes};

/// How the operation's security was declared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeclaredSecurity {
    /// The operation requires a credential.
    Required,
    /// The spec declares security schemes and this operation is open to
    /// anonymous callers: public by design.
    Public,
    /// The spec declares no security at all. The user brought identities,
    /// so the API is taken to require them.
    Undeclared,
    /// The inventory came from traffic or a collection (HAR, Postman), not
    /// from a description: what it says of security and responses was
    /// observed, not promised, so nothing is public by design and nothing
    /// can drift from a promise.
    Observed,
}

impl DeclaredSecurity {
    /// Classifies an operation of an inventory that declares (or not) any
    /// security; `documented` is false for inventories built from traffic
    /// or collections.
    pub fn of(operation: &Operation, spec_declares_security: bool, documented: bool) -> Self {
        if !documented {
            Self::Observed
        } else if operation.requires_credential() {
            Self::Required
        } else if spec_declares_security {
            Self::Public
        } else {
            Self::Undeclared
        }
    }
}

/// What the verdicts concluded for one operation.
#[derive(Clone, Debug, Default)]
pub struct Judgement {
    /// Findings, in a stable order.
    pub findings: Vec<Finding>,
    /// What could not be judged, and why.
    pub notes: Vec<String>,
    /// Whether the operation turned out to serve public data.
    pub public: bool,
    /// Objects whose baseline succeeded, so were judged.
    pub objects_judged: usize,
}

/// Judges the probes of one operation. `names` are the identities' names
/// by index.
pub fn judge(
    operation: &Operation,
    probes: &OperationProbes,
    names: &[IdentityName],
    declared: DeclaredSecurity,
) -> Judgement {
    let mut judgement = Judgement::default();
    let name = |i: usize| names.get(i).map_or("?", IdentityName::as_str);
    let mut per_operation: Vec<Finding> = Vec::new();
    let noise = learn_noise(probes);
    let values = |reply: &trespass_probes::Reply| compare::values(reply, &noise);

    for object in &probes.objects {
        let owner = object.object.owner;
        let Some(baseline) = object.baseline.success() else {
            judgement.notes.push(format!(
                "{}'s own request for its object {} answered {}, so the object was not tested",
                name(owner),
                describe_values(&object.object.values),
                outcome_text(&object.baseline)
            ));
            continue;
        };
        judgement.objects_judged += 1;
        let requested: Vec<&str> = object.object.values.iter().map(|(_, v)| v.as_str()).collect();
        let owner_values = values(baseline);
        let unique_against = |other: Option<&Observation>| {
            let other_values = other.and_then(Observation::success).map(values);
            compare::owner_unique(&owner_values, other_values.as_ref(), &requested)
        };
        // Unique against every other identity's own object at once, for the
        // probes that no identity made.
        let unique_to_owner = probes
            .objects
            .iter()
            .filter(|o| {
                o.object.owner != owner && !object.object.co_owners.contains(&o.object.owner)
            })
            .filter_map(|o| o.baseline.success().map(values))
            .fold(compare::owner_unique(&owner_values, None, &requested), |acc, other| {
                acc.difference(&other).cloned().collect()
            });

        // Anonymous and forged credentials.
        let anonymous_leak = leak(&object.anonymous, baseline, &unique_to_owner, &noise);
        if anonymous_leak.is_some() && declared == DeclaredSecurity::Public {
            judgement.public = true;
            judgement.notes.push(format!(
                "declared without security and served to anonymous callers: treated as public \
                 data ({}'s object {})",
                name(owner),
                describe_values(&object.object.values)
            ));
            continue;
        }
        if let Some(carried) = &anonymous_leak {
            per_operation.push(missing_auth(
                operation,
                probes,
                object,
                name(owner),
                carried,
                declared,
            ));
        } else if let Some(carried) = leak(&object.forged, baseline, &unique_to_owner, &noise) {
            per_operation.push(credential_not_validated(
                operation,
                probes,
                object,
                name(owner),
                &carried,
            ));
        }

        // The credential moved into the query string, where logs keep it.
        if let Some(in_query) = &object.in_query {
            let accepted = in_query.success().is_some_and(|reply| {
                compare::same_content(reply, baseline, &noise)
                    || leak(in_query, baseline, &unique_to_owner, &noise).is_some()
            });
            if accepted && object.anonymous.success().is_none() {
                per_operation.push(credential_in_query(operation, probes, object, name(owner)));
            }
        }

        // Nested paths: the outsider's own parent with the owner's child.
        for (outsider, mixed) in &object.mixed {
            let outsider_own = probes.own_baseline(*outsider);
            if let Some(carried) = leak(mixed, baseline, &unique_against(outsider_own), &noise) {
                judgement.findings.push(cross_tenant_hierarchy(
                    operation,
                    probes,
                    object,
                    (mixed, name(*outsider)),
                    name(owner),
                    &carried,
                ));
            }
        }

        // Outsiders.
        for (outsider, cross) in &object.cross {
            let outsider_own = probes
                .own_baseline(*outsider)
                .or_else(|| probes.control(*outsider).filter(|c| c.success().is_some()));
            let unique = unique_against(outsider_own);
            if let Some(carried) = leak(cross, baseline, &unique, &noise) {
                let confidence = if outsider_own.is_some() && strong(&carried) {
                    Confidence::High
                } else {
                    Confidence::Medium
                };
                judgement.findings.push(bola_read(
                    operation,
                    probes,
                    object,
                    (*outsider, name(*outsider)),
                    name(owner),
                    &carried,
                    confidence,
                ));
                continue;
            }
            if unique.is_empty() && cross.success().is_some() {
                judgement.notes.push(format!(
                    "{}'s object and {}'s look alike apart from ids, so {}'s read of it \
                     proves nothing",
                    name(owner),
                    name(*outsider),
                    name(*outsider)
                ));
            }
            let oracle = probes.control(*outsider).and_then(|control| {
                existence_oracle(
                    operation,
                    probes,
                    object,
                    (*outsider, name(*outsider)),
                    name(owner),
                    (cross, control),
                    &noise,
                )
            });
            per_operation.extend(oracle);
        }
    }

    // The document promises a credential and lists its answers, but none
    // for a caller without one, while the runtime does refuse such callers.
    // An operation that documents no answer at all says nothing either way.
    if declared == DeclaredSecurity::Required
        && !operation.responses.is_empty()
        && !documents_refusal(operation)
    {
        let refused = probes.objects.iter().find(|o| {
            o.baseline.success().is_some()
                && o.anonymous.status().is_some_and(|s| matches!(s, 401 | 403))
        });
        if let Some(object) = refused {
            per_operation.push(spec_security_drift(operation, probes, object));
        }
    }

    // One finding per operation for the kinds that do not depend on who
    // asked: the first proof found is kept.
    let mut seen = BTreeSet::new();
    for finding in per_operation {
        if seen.insert(finding.kind) {
            judgement.findings.push(finding);
        }
    }
    judgement.findings.sort_by(|a, b| {
        (b.severity, a.kind, &a.identity, &a.owner).cmp(&(
            a.severity,
            b.kind,
            &b.identity,
            &b.owner,
        ))
    });
    judgement
}

/// The remediation that fits a kind.
pub fn remediation(kind: FindingKind) -> &'static str {
    match kind {
        FindingKind::BolaRead => {
            "Resolve the caller from the credential before the lookup, then fetch the object \
             scoped to that caller (WHERE id = ? AND owner_id = <caller>, or tenant_id for \
             tenant keys), and answer 404 alike for objects that are not the caller's and \
             objects that do not exist."
        }
        FindingKind::MissingAuth => {
            "Require a valid credential on this operation before any lookup and answer 401 \
             without one; then scope the lookup to the caller the credential names."
        }
        FindingKind::CredentialNotValidated => {
            "Validate the credential against the issued keys (compare a hash in constant time) \
             and resolve the caller from it; a credential that is merely present or well-formed \
             must not authenticate."
        }
        FindingKind::ExistenceOracle => {
            "Answer objects that are not the caller's exactly like objects that do not exist: \
             same status (404) and same body. Put the ownership check inside the lookup instead \
             of comparing owners after the fetch."
        }
        FindingKind::SpecSecurityDrift => {
            "Make the spec say what the runtime does: document the 401 (and 403) answers of \
             every protected operation, and keep the two in step in CI."
        }
        FindingKind::CredentialInQuery => {
            "Accept credentials only in a header (or a secure cookie); refuse a key found in \
             the query string with 401, so that keys never end up in URLs, logs and caches."
        }
        FindingKind::CredentialExposure => {
            "Never serialise credentials into responses: build response objects from an explicit \
             list of public fields, show at most a key's last characters, and rotate every key \
             that was exposed."
        }
        FindingKind::CrossTenantHierarchy => {
            "Check the whole chain on nested paths: the parent must be the caller's, and the \
             child must be looked up within that parent (WHERE id = ? AND tenant_id = <parent>), \
             answering 404 otherwise."
        }
        FindingKind::PrivilegeEscalation => {
            "Enforce the role an operation needs on the server, in one place (a middleware or a \
             policy per route), deny by default, and answer 403 to callers without it."
        }
        FindingKind::BolaWrite => {
            "Check ownership before a write touches anything: load the object scoped to the \
             caller and answer 404 when it is not theirs; never write first and refuse after."
        }
        FindingKind::EnumerableIds => {
            "Scope every lookup to the caller (WHERE id = ? AND owner_id = <caller>) so that a \
             guessed id finds nothing; prefer random, unguessable ids (UUIDv4) for objects that \
             are addressed from outside, and rate-limit lookups that miss."
        }
        _ => "Scope every object lookup to the caller resolved from its credential.",
    }
}

/// What varies between identical requests of this operation, learned from
/// each owner's repeated baseline and each identity's repeated control.
pub fn learn_noise(probes: &OperationProbes) -> compare::Noise {
    let mut noise = compare::Noise::default();
    let pairs =
        probes.objects.iter().map(|o| (&o.baseline, &o.baseline_again)).chain(
            probes.controls.iter().zip(&probes.controls_again).map(|((_, a), (_, b))| (a, b)),
        );
    for (first, again) in pairs {
        if let (Ok(first), Ok(again)) = (&first.outcome, &again.outcome) {
            // Only answers of the same status say the same thing.
            if first.status == again.status {
                noise.learn(first, again);
            }
        }
    }
    noise
}

/// When `probe` succeeded and carries owner data, the values it carries.
/// A response with the same content as the owner's own (noise aside)
/// carries it all, even when no value is unique (an API with one object per
/// identity, say).
fn leak(
    probe: &Observation,
    baseline: &trespass_probes::Reply,
    unique: &BTreeSet<String>,
    noise: &compare::Noise,
) -> Option<Vec<String>> {
    let reply = probe.success()?;
    let carried: Vec<String> = compare::carried(&compare::values(reply, noise), unique)
        .into_iter()
        .map(str::to_owned)
        .collect();
    if !carried.is_empty() {
        return Some(carried);
    }
    (!unique.is_empty() && compare::same_content(reply, baseline, noise))
        .then(|| unique.iter().cloned().collect())
}

/// Whether carried values prove the leak beyond doubt: two or more, or a
/// string long enough not to be a coincidence.
fn strong(carried: &[String]) -> bool {
    carried.len() >= 2
        || carried.iter().any(|v| v.chars().count() >= 4 && v.parse::<f64>().is_err())
}

fn bola_read(
    operation: &Operation,
    probes: &OperationProbes,
    object: &ObjectProbes,
    (outsider, outsider_name): (usize, &str),
    owner: &str,
    carried: &[String],
    confidence: Confidence,
) -> Finding {
    let cross = object.cross.iter().find(|(i, _)| *i == outsider).map(|(_, o)| o);
    let mut evidence =
        vec![exchange(&format!("{owner} reads its own object (baseline)"), &object.baseline)];
    if let Some(cross) = cross {
        evidence.push(exchange(&format!("{outsider_name} reads {owner}'s object"), cross));
    }
    if let Some(own) = probes.own_baseline(outsider) {
        evidence.push(exchange(&format!("{outsider_name} reads its own object"), own));
    }
    let reason = format!(
        "{outsider_name}'s request for {owner}'s object {} succeeded ({}) and returned values \
         found only in {owner}'s object: {}",
        describe_values(&object.object.values),
        cross.map_or_else(|| "?".to_owned(), outcome_text),
        quote_values(carried)
    );
    finding(
        FindingKind::BolaRead,
        Severity::High,
        confidence,
        operation,
        probes,
        (Some(outsider_name), Some(owner)),
        Proof { reason, evidence, offending: 1 },
    )
}

/// Whether the operation documents a refusal (401, 403, a 4XX range or a
/// default answer).
fn documents_refusal(operation: &Operation) -> bool {
    operation
        .responses
        .iter()
        .any(|r| matches!(r.to_ascii_uppercase().as_str(), "401" | "403" | "4XX" | "DEFAULT"))
}

fn spec_security_drift(
    operation: &Operation,
    probes: &OperationProbes,
    object: &ObjectProbes,
) -> Finding {
    let documented = operation.responses.join(", ");
    let reason = format!(
        "the spec requires a credential for {} but documents no 401 or 403 (it documents: \
         {documented}), while the runtime answers {} to a request without one; clients and \
         gateways generated from the spec do not expect the refusal",
        operation.label(),
        outcome_text(&object.anonymous)
    );
    let evidence = vec![exchange("request without credentials", &object.anonymous)];
    finding(
        FindingKind::SpecSecurityDrift,
        Severity::Low,
        Confidence::High,
        operation,
        probes,
        (None, None),
        Proof { reason, evidence, offending: 0 },
    )
}

fn credential_in_query(
    operation: &Operation,
    probes: &OperationProbes,
    object: &ObjectProbes,
    owner: &str,
) -> Finding {
    let in_query = object.in_query.as_ref().unwrap_or(&object.baseline);
    let reason = format!(
        "{owner}'s credential sent in the query string instead of its header was accepted \
         ({}) and returned {owner}'s own object, while a request without credentials was \
         refused ({}); URLs with keys end up in logs, proxies and browser history",
        outcome_text(in_query),
        outcome_text(&object.anonymous)
    );
    let evidence = vec![
        exchange(&format!("{owner} reads its own object (baseline)"), &object.baseline),
        exchange(&format!("{owner}'s credential in the query string"), in_query),
        exchange("request without credentials", &object.anonymous),
    ];
    finding(
        FindingKind::CredentialInQuery,
        Severity::Medium,
        Confidence::High,
        operation,
        probes,
        (Some(owner), None),
        Proof { reason, evidence, offending: 1 },
    )
}

fn cross_tenant_hierarchy(
    operation: &Operation,
    probes: &OperationProbes,
    object: &ObjectProbes,
    (mixed, outsider): (&Observation, &str),
    owner: &str,
    carried: &[String],
) -> Finding {
    let mut evidence =
        vec![exchange(&format!("{owner} reads its own object (baseline)"), &object.baseline)];
    evidence
        .push(exchange(&format!("{outsider} reads {owner}'s child under its own parent"), mixed));
    let reason = format!(
        "{outsider}'s request with its own parent ids and {owner}'s child ({}) succeeded ({}) \
         and returned values found only in {owner}'s object: {}; the parent is checked, not \
         that the child belongs to it",
        mixed.request.url,
        outcome_text(mixed),
        quote_values(carried)
    );
    finding(
        FindingKind::CrossTenantHierarchy,
        Severity::High,
        if strong(carried) { Confidence::High } else { Confidence::Medium },
        operation,
        probes,
        (Some(outsider), Some(owner)),
        Proof { reason, evidence, offending: 1 },
    )
}

fn missing_auth(
    operation: &Operation,
    probes: &OperationProbes,
    object: &ObjectProbes,
    owner: &str,
    carried: &[String],
    declared: DeclaredSecurity,
) -> Finding {
    let declared_text = match declared {
        DeclaredSecurity::Required => "although the spec requires a credential",
        _ => "although it holds data of one identity",
    };
    let reason = format!(
        "a request without any credential for {owner}'s object {} succeeded ({}) {declared_text}, \
         and returned {owner}'s data: {}",
        describe_values(&object.object.values),
        outcome_text(&object.anonymous),
        quote_values(carried)
    );
    let evidence = vec![
        exchange(&format!("{owner} reads its own object (baseline)"), &object.baseline),
        exchange("request without credentials", &object.anonymous),
    ];
    finding(
        FindingKind::MissingAuth,
        Severity::High,
        Confidence::High,
        operation,
        probes,
        (None, Some(owner)),
        Proof { reason, evidence, offending: 1 },
    )
}

fn credential_not_validated(
    operation: &Operation,
    probes: &OperationProbes,
    object: &ObjectProbes,
    owner: &str,
    carried: &[String],
) -> Finding {
    let reason = format!(
        "a made-up credential of the right shape was accepted for {owner}'s object {} ({}) \
         while no credential was refused ({}); it returned {owner}'s data: {}",
        describe_values(&object.object.values),
        outcome_text(&object.forged),
        outcome_text(&object.anonymous),
        quote_values(carried)
    );
    let evidence = vec![
        exchange(&format!("{owner} reads its own object (baseline)"), &object.baseline),
        exchange("request with a forged credential", &object.forged),
        exchange("request without credentials", &object.anonymous),
    ];
    finding(
        FindingKind::CredentialNotValidated,
        Severity::High,
        Confidence::High,
        operation,
        probes,
        (None, Some(owner)),
        Proof { reason, evidence, offending: 1 },
    )
}

fn existence_oracle(
    operation: &Operation,
    probes: &OperationProbes,
    object: &ObjectProbes,
    (_, outsider_name): (usize, &str),
    owner: &str,
    (cross, control): (&Observation, &Observation),
    noise: &compare::Noise,
) -> Option<Finding> {
    let (Ok(cross_reply), Ok(control_reply)) = (&cross.outcome, &control.outcome) else {
        return None;
    };
    // Rate limiting and outages say nothing about existence.
    if [cross_reply.status, control_reply.status].iter().any(|s| matches!(s, 429 | 502 | 503 | 504))
    {
        return None;
    }
    let ids: Vec<&str> = object
        .object
        .values
        .iter()
        .chain(probes.plan.control.iter())
        .map(|(_, v)| v.as_str())
        .collect();
    let (confidence, how) = if cross_reply.status != control_reply.status {
        (Confidence::High, format!("status {} versus {}", cross_reply.status, control_reply.status))
    } else if compare::bodies_differ(cross_reply, control_reply, &ids, noise) {
        (
            Confidence::Medium,
            format!("the same status {} with different bodies", cross_reply.status),
        )
    } else {
        return None;
    };
    let absent = describe_values(&probes.plan.control);
    let reason = format!(
        "{outsider_name}'s request for {owner}'s object {} and for the object {absent} that does \
         not exist were answered differently ({how}), so an outsider can tell which ids exist",
        describe_values(&object.object.values),
    );
    let evidence = vec![
        exchange(&format!("{outsider_name} asks for {owner}'s object"), cross),
        exchange(&format!("{outsider_name} asks for an object that does not exist"), control),
    ];
    Some(finding(
        FindingKind::ExistenceOracle,
        Severity::Medium,
        confidence,
        operation,
        probes,
        (Some(outsider_name), Some(owner)),
        Proof { reason, evidence, offending: 0 },
    ))
}

/// Why a finding holds: the sentence, the exchanges, and which of them is
/// the offending request that the `curl` line reproduces.
struct Proof {
    reason: String,
    evidence: Vec<Exchange>,
    offending: usize,
}

fn finding(
    kind: FindingKind,
    severity: Severity,
    confidence: Confidence,
    operation: &Operation,
    probes: &OperationProbes,
    (identity, owner): (Option<&str>, Option<&str>),
    proof: Proof,
) -> Finding {
    let Proof { reason, evidence, offending } = proof;
    let parameter = probes.plan.varied.clone();
    let location = probes.plan.varied_location;
    // A path parameter's fingerprint is what it always was, so baselines
    // stay valid; an id elsewhere adds its location, since `account_id`
    // in the query and in a header are two faults.
    let placed = match location {
        ParamLocation::Path => "",
        other => other.as_str(),
    };
    let mut parts = vec![
        kind.as_str(),
        operation.method.as_str(),
        &operation.path,
        &parameter,
        identity.unwrap_or(""),
        owner.unwrap_or(""),
    ];
    if !placed.is_empty() {
        parts.push(placed);
    }
    let fingerprint = fingerprint(&parts);
    let reproduce = evidence.get(offending).map(|e| curl(&e.request)).unwrap_or_default();
    Finding {
        fingerprint,
        kind,
        severity,
        confidence,
        cwe: kind.cwe().to_owned(),
        owasp: kind.owasp().to_owned(),
        title: kind.title().to_owned(),
        method: operation.method,
        path: operation.path.clone(),
        parameter: Some(parameter),
        parameter_location: Some(location),
        identity: identity.map(str::to_owned),
        owner: owner.map(str::to_owned),
        reason,
        evidence,
        reproduce,
        remediation: remediation(kind).to_owned(),
        baseline: None,
        spec_line: None,
    }
}

/// A stable 64-bit FNV-1a hash of the parts, as 16 hex digits. Stable
/// across runs, platforms and versions, unlike `std`'s hasher.
pub fn fingerprint(parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain([0x1f]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

fn exchange(label: &str, observation: &Observation) -> Exchange {
    let response = match &observation.outcome {
        Ok(reply) => RecordedResponse {
            status: reply.status,
            content_type: reply.content_type.clone(),
            body_length: reply.body.len(),
            body_excerpt: reply.excerpt.clone(),
        },
        Err(message) => RecordedResponse {
            status: 0,
            content_type: None,
            body_length: 0,
            body_excerpt: format!("no response: {message}"),
        },
    };
    Exchange { label: label.to_owned(), request: observation.request.clone(), response }
}

fn outcome_text(observation: &Observation) -> String {
    match &observation.outcome {
        Ok(reply) => reply.status.to_string(),
        Err(message) => format!("no response: {message}"),
    }
}

fn describe_values(values: &[(String, String)]) -> String {
    let parts: Vec<String> = values.iter().map(|(k, v)| format!("{k}={v}")).collect();
    parts.join(", ")
}

/// Up to four carried values, quoted and cut, for a reason sentence. The
/// values come from the owner's response, which was redacted only in
/// excerpts; these are owner data, not credentials, but they are cut short
/// all the same.
fn quote_values(values: &[String]) -> String {
    let mut shown: Vec<String> = values
        .iter()
        .take(4)
        .map(|v| {
            let cut: String = v.chars().take(40).collect();
            if cut.len() < v.len() { format!("\"{cut}…\"") } else { format!("\"{cut}\"") }
        })
        .collect();
    if values.len() > 4 {
        shown.push(format!("and {} more", values.len() - 4));
    }
    shown.join(", ")
}

#[cfg(test)]
mod tests;
