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

use trespass_model::{Confidence, Finding, FindingKind, IdentityName, Severity};
use trespass_probes::Observation;
use trespass_probes::active::{ActiveObservations, WriteProbe};

use crate::{compare, curl, exchange, fingerprint, outcome_text, remediation};

/// The `bola-write` findings of active mode.
pub fn bola_writes(active: &ActiveObservations, names: &[IdentityName]) -> Vec<Finding> {
    let name = |i: usize| names.get(i).map_or("?", IdentityName::as_str);
    let mut findings = Vec::new();
    for probe in &active.writes {
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
        findings.push(Finding {
            fingerprint: fingerprint(&[
                kind.as_str(),
                probe.operation.method.as_str(),
                &probe.operation.path,
                parameter.as_deref().unwrap_or(""),
                writer,
                owner,
            ]),
            kind,
            severity: Severity::Critical,
            confidence: Confidence::High,
            cwe: kind.cwe().to_owned(),
            owasp: kind.owasp().to_owned(),
            title: kind.title().to_owned(),
            method: probe.operation.method,
            path: probe.operation.path.clone(),
            parameter,
            identity: Some(writer.to_owned()),
            owner: Some(owner.to_owned()),
            reason,
            reproduce: curl(&probe.write.request),
            evidence,
            remediation: remediation(kind).to_owned(),
            baseline: None,
            spec_line: None,
        });
    }
    findings
}

/// How the write changed the object (`changed`, `deleted`), or `None` when
/// it had no effect or the reads prove nothing.
fn effect(probe: &WriteProbe) -> Option<&'static str> {
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
            request: RecordedRequest {
                method: Method::Get,
                url: "http://127.0.0.1:1/documents/601".into(),
                credential: "X-API-Key: ${alice}".into(),
            },
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
