//! The `bola-write` verdict: another identity's write changed or removed an
//! object of the owner, as the owner's own read confirms.
//!
//! The write's status decides nothing. For each [`WriteProbe`] the owner
//! read its object twice before the write (what differs between those two
//! reads is noise, [`compare::Noise`]) and once after. The write **took
//! effect** when the object is gone after it (404 or 410 where it was read
//! before) or its content differs from before, noise left out. So a write
//! that answers 2xx but changed nothing is no finding, and one that answers
//! 403 but did change the object is one. Reads that failed, or an answer
//! after the write other than success or gone, prove nothing either way.
//!
//! A write by an identity whose role the operation refuses
//! ([`Standing::Refused`]) is left to [`privilege_writes`](crate::privilege::privilege_writes):
//! one write, one finding, and the role fault is the broader one.
//!
//! [`body_field_writes`] judges active mode's body-field probes the same
//! way: from reads after the write, never from its status.

use trespass_model::{
    Confidence, Exchange, Finding, FindingKind, IdentityName, Method, ParamLocation, Severity,
};
use trespass_probes::Observation;
use trespass_probes::active::{ActiveObservations, Standing, WriteProbe};
use trespass_probes::body_fields::BodyFieldObservations;

use crate::{compare, curl, exchange, fingerprint, outcome_text, remediation};

/// The `bola-write` findings of active mode.
pub fn bola_writes(active: &ActiveObservations, names: &[IdentityName]) -> Vec<Finding> {
    let name = |i: usize| names.get(i).map_or("?", IdentityName::as_str);
    let mut findings = Vec::new();
    for probe in active.writes.iter().filter(|w| w.standing != Standing::Refused) {
        let Some(object) = active.created.get(probe.object) else { continue };
        let Some(effect) = effect(probe) else { continue };
        let (writer, owner) = (name(probe.writer), name(object.owner));
        let target = probe.before.request.url.clone();
        let kind = FindingKind::BolaWrite;
        let reason = format!(
            "{writer}'s {} of {owner}'s object {target} answered {}, and {owner}'s own read \
             afterwards shows the object {effect}",
            probe.operation.method,
            outcome_text(&probe.write)
        );
        let evidence = vec![
            exchange(&format!("{owner} reads its object before"), &probe.before),
            exchange(
                &format!("{writer} sends {} on {owner}'s object", probe.operation.method),
                &probe.write,
            ),
            exchange(&format!("{owner} reads its object after"), &probe.after),
        ];
        let parameter = object.values.first().map(|(k, _)| k.clone());
        let fingerprint = fingerprint(&[
            kind.as_str(),
            probe.operation.method.as_str(),
            &probe.operation.path,
            parameter.as_deref().unwrap_or(""),
            writer,
            owner,
        ]);
        findings.push(bola_write(
            fingerprint,
            probe.operation.method,
            &probe.operation.path,
            (parameter, ParamLocation::Path),
            (writer, owner),
            reason,
            evidence,
            &probe.write,
        ));
    }
    findings
}

/// The `bola-write` findings of body fields: a write that put another
/// identity's id or natural key (`username`) into a field of the writer's
/// object (or of an object it created), top-level or nested, confirmed by
/// a read afterwards that shows the field, at the same JSON pointer,
/// holding that value. Before a `PUT` or `PATCH`, the writer's own read must show the
/// field holding something else, so an object that already named the
/// victim proves nothing. A server that ignores the field, or refuses the
/// write, leaves the field as it was: no finding, whatever it answered.
pub fn body_field_writes(observed: &BodyFieldObservations, names: &[IdentityName]) -> Vec<Finding> {
    let name = |i: usize| names.get(i).map_or("?", IdentityName::as_str);
    let mut findings = Vec::new();
    for probe in &observed.probes {
        if let Some(before) = &probe.before {
            let held = before.success().and_then(|r| field_text(r, &probe.field));
            if held.is_none_or(|v| v == probe.value) {
                continue;
            }
        }
        let reads = [(probe.writer, &probe.after_writer), (probe.victim, &probe.after_victim)];
        let shown = reads.into_iter().find_map(|(reader, read)| {
            let read = read.as_ref()?;
            let held = field_text(read.success()?, &probe.field)?;
            (held == probe.value).then_some((reader, read))
        });
        let Some((reader, read)) = shown else { continue };

        let (writer, victim) = (name(probe.writer), name(probe.victim));
        let method = probe.operation.method;
        let field = &probe.field;
        let value = &probe.value;
        let outcome = outcome_text(&probe.write);
        // The value is an id (`2`) or a natural key (`bob`): named as a
        // value of the victim's either way.
        let reason = if method == Method::Post {
            format!(
                "{writer}'s POST {} with `{field}` set to {value}, which names {victim}, \
                 answered {outcome}, and the object it created, read back by {}, has \
                 `{field}` = {value}: {writer} creates objects in {victim}'s name",
                probe.operation.path,
                name(reader)
            )
        } else {
            format!(
                "{writer}'s {method} of its own object {} with `{field}` set to {value}, which \
                 names {victim}, answered {outcome}, and the object, read back by {}, now has \
                 `{field}` = {value}: {writer} hands its objects over to {victim}, or ties \
                 them to {victim}'s",
                probe.write.request.url,
                name(reader)
            )
        };
        let mut evidence = Vec::new();
        if let Some(before) = &probe.before {
            evidence.push(exchange(&format!("{writer} reads its object before"), before));
        }
        evidence.push(exchange(
            &format!("{writer} sends {method} with {victim}'s id in `{field}`"),
            &probe.write,
        ));
        evidence.push(exchange(&format!("{} reads the object after", name(reader)), read));

        let fingerprint = fingerprint(&[
            FindingKind::BolaWrite.as_str(),
            method.as_str(),
            &probe.operation.path,
            field,
            writer,
            victim,
            ParamLocation::Body.as_str(),
        ]);
        findings.push(bola_write(
            fingerprint,
            method,
            &probe.operation.path,
            (Some(field.clone()), ParamLocation::Body),
            (writer, victim),
            reason,
            evidence,
            &probe.write,
        ));
    }
    findings
}

/// One `bola-write` finding: `writer` changed `owner`'s object, sent as
/// `write`, through `parameter` where it sits.
#[allow(clippy::too_many_arguments)]
fn bola_write(
    fingerprint: String,
    method: Method,
    path: &str,
    (parameter, location): (Option<String>, ParamLocation),
    (writer, owner): (&str, &str),
    reason: String,
    evidence: Vec<Exchange>,
    write: &Observation,
) -> Finding {
    let kind = FindingKind::BolaWrite;
    Finding {
        fingerprint,
        kind,
        severity: Severity::Critical,
        confidence: Confidence::High,
        cwe: kind.cwe().to_owned(),
        owasp: kind.owasp().to_owned(),
        title: kind.title().to_owned(),
        method,
        path: path.to_owned(),
        parameter,
        parameter_location: Some(location),
        identity: Some(writer.to_owned()),
        owner: Some(owner.to_owned()),
        reason,
        reproduce: curl(&write.request),
        evidence,
        remediation: remediation(kind).to_owned(),
        baseline: None,
        spec_line: None,
    }
}

/// A field of a JSON object body, as text (numbers written as JSON writes
/// them): a top-level one by name, a nested one (`/owner/id`) at the same
/// JSON pointer the write set it at.
fn field_text(reply: &trespass_probes::Reply, field: &str) -> Option<String> {
    let body: serde_json::Value = serde_json::from_slice(&reply.body).ok()?;
    let value = if field.starts_with('/') { body.pointer(field) } else { body.get(field) };
    match value? {
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// How the write changed the object (`changed`, `deleted`), or `None` when
/// it had no effect or the reads prove nothing.
pub(crate) fn effect(probe: &WriteProbe) -> Option<&'static str> {
    let before = probe.before.success()?;
    let mut noise = compare::Noise::default();
    if let Some(again) = probe.before_again.success() {
        noise.learn(before, again);
    }
    match probe.after.success() {
        Some(after) => (!compare::same_content(before, after, &noise)).then_some("changed"),
        None => gone(&probe.after).then_some("deleted"),
    }
}

fn gone(observation: &Observation) -> bool {
    observation.status().is_some_and(|s| matches!(s, 404 | 410))
}

#[cfg(test)]
mod tests {
    use super::*;
    use trespass_model::{Method, Operation, RecordedRequest};
    use trespass_probes::Reply;
    use trespass_probes::active::Created;

    fn obs(status: u16, body: &str) -> Observation {
        Observation {
            request: RecordedRequest::new(
                Method::Get,
                "http://127.0.0.1:1/documents/601",
                "X-API-Key: ${alice}",
            ),
            outcome: Ok(Reply {
                status,
                content_type: Some("application/json".into()),
                body: body.as_bytes().to_vec(),
                truncated: false,
                excerpt: body.into(),
            }),
        }
    }

    fn active(write: (u16, &str), after: (u16, &str), method: Method) -> ActiveObservations {
        let operation = Operation {
            method,
            path: "/documents/{document_id}".into(),
            operation_id: None,
            tags: vec![],
            parameters: vec![],
            security: vec![],
            responses: vec![],
            source: String::new(),
        };
        ActiveObservations {
            creations: vec![],
            created: vec![Created {
                owner: 0,
                path: "/documents/{document_id}".into(),
                values: vec![("document_id".into(), "601".into())],
                canary: "c".into(),
            }],
            writes: vec![WriteProbe {
                operation,
                object: 0,
                writer: 1,
                standing: Standing::Unjudged,
                before: obs(200, r#"{"id":601,"title":"c","request_id":"req-1"}"#),
                before_again: obs(200, r#"{"id":601,"title":"c","request_id":"req-2"}"#),
                write: obs(write.0, write.1),
                after: obs(after.0, after.1),
            }],
            notes: vec![],
            leftovers: vec![],
        }
    }

    fn names() -> Vec<IdentityName> {
        vec![IdentityName::new("alice"), IdentityName::new("bob")]
    }

    fn summary(findings: &[Finding]) -> Vec<(FindingKind, Method, Option<&str>, Option<&str>)> {
        findings
            .iter()
            .map(|f| (f.kind, f.method, f.identity.as_deref(), f.owner.as_deref()))
            .collect()
    }

    #[test]
    fn a_refused_write_that_changed_the_object_is_a_finding() {
        let changed = r#"{"id":601,"title":"c-by-bob","request_id":"req-4"}"#;
        let found = bola_writes(
            &active((403, r#"{"error":"forbidden"}"#), (200, changed), Method::Put),
            &names(),
        );
        assert_eq!(
            summary(&found),
            vec![(FindingKind::BolaWrite, Method::Put, Some("bob"), Some("alice"))]
        );
        assert!(found[0].reason.contains("answered 403"), "{}", found[0].reason);
    }

    #[test]
    fn an_accepted_write_that_changed_nothing_is_no_finding() {
        let same = r#"{"id":601,"title":"c","request_id":"req-4"}"#;
        let found = bola_writes(&active((204, ""), (200, same), Method::Put), &names());
        assert_eq!(summary(&found), vec![]);
    }

    #[test]
    fn a_delete_that_removed_the_object_is_a_finding_and_a_refused_one_is_not() {
        let gone = r#"{"error":"not found","request_id":"req-4"}"#;
        let found = bola_writes(&active((204, ""), (404, gone), Method::Delete), &names());
        assert_eq!(
            summary(&found),
            vec![(FindingKind::BolaWrite, Method::Delete, Some("bob"), Some("alice"))]
        );
        let kept = r#"{"id":601,"title":"c","request_id":"req-5"}"#;
        let found = bola_writes(
            &active((404, r#"{"error":"not found"}"#), (200, kept), Method::Delete),
            &names(),
        );
        assert_eq!(summary(&found), vec![]);
    }
}
