//! Each verdict rule, and each case that must not be a finding.

use std::collections::BTreeSet;

use trespass_model::{IdentityName, Method, ParamLocation, Parameter, RecordedRequest};
use trespass_probes::{OperationPlan, PlannedObject, Reply};

use super::*;

const ALICE: usize = 0;
const BOB: usize = 1;

fn names() -> Vec<IdentityName> {
    vec![IdentityName::new("alice"), IdentityName::new("bob")]
}

fn operation() -> Operation {
    Operation {
        method: Method::Get,
        path: "/users/{user_id}".into(),
        operation_id: None,
        tags: vec![],
        parameters: vec![Parameter {
            name: "user_id".into(),
            choices: Vec::new(),
            location: ParamLocation::Path,
            required: true,
            schema_type: Some("integer".into()),
            format: None,
            example: None,
            object_reference: true,
        }],
        security: vec![vec!["key".into()]],
        responses: vec![],
        source: String::new(),
    }
}

fn obs(status: u16, body: &str) -> Observation {
    Observation {
        request: RecordedRequest::new(
            Method::Get,
            "http://127.0.0.1:1/users/x",
            "X-API-Key: ${bob}",
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

const ALICE_BODY: &str = r#"{"id":1,"name":"Alice Anders","email":"alice@acme.example"}"#;
const BOB_BODY: &str = r#"{"id":2,"name":"Bob Brook","email":"bob@globex.example"}"#;
const UNAUTHORIZED: &str = r#"{"error":"unauthorized"}"#;
const NOT_FOUND: &str = r#"{"error":"not found"}"#;

/// How the target answers each kind of probe, for both identities alike.
struct Target {
    cross: fn(owner: usize) -> Observation,
    anonymous: fn(owner: usize) -> Observation,
    forged: fn(owner: usize) -> Observation,
    control: fn(identity: usize) -> Observation,
}

fn own(owner: usize) -> Observation {
    if owner == ALICE { obs(200, ALICE_BODY) } else { obs(200, BOB_BODY) }
}

fn probes(target: &Target) -> OperationProbes {
    let object = |owner: usize, id: &str| ObjectProbes {
        object: PlannedObject {
            owner,
            co_owners: BTreeSet::new(),
            values: vec![("user_id".into(), id.into())],
        },
        baseline: own(owner),
        baseline_again: own(owner),
        cross: vec![(1 - owner, (target.cross)(owner))],
        anonymous: (target.anonymous)(owner),
        forged: (target.forged)(owner),
        mixed: vec![],
        in_query: None,
    };
    OperationProbes {
        plan: OperationPlan {
            varied: "user_id".into(),
            varied_location: trespass_model::ParamLocation::Path,
            objects: vec![],
            control: vec![("user_id".into(), "9999".into())],
        },
        objects: vec![object(ALICE, "1"), object(BOB, "2")],
        controls: vec![(ALICE, (target.control)(ALICE)), (BOB, (target.control)(BOB))],
        controls_again: vec![(ALICE, (target.control)(ALICE)), (BOB, (target.control)(BOB))],
    }
}

fn kinds(judgement: &Judgement) -> Vec<(FindingKind, Option<&str>, Option<&str>)> {
    judgement.findings.iter().map(|f| (f.kind, f.identity.as_deref(), f.owner.as_deref())).collect()
}

fn unauthorized(_: usize) -> Observation {
    obs(401, UNAUTHORIZED)
}

fn not_found(_: usize) -> Observation {
    obs(404, NOT_FOUND)
}

fn run(target: &Target, declared: DeclaredSecurity) -> Judgement {
    judge(&operation(), &probes(target), &names(), declared)
}

#[test]
fn cross_read_with_owner_unique_values_is_bola_read_both_ways() {
    let target =
        Target { cross: own, anonymous: unauthorized, forged: unauthorized, control: not_found };
    let j = run(&target, DeclaredSecurity::Required);
    assert_eq!(
        kinds(&j),
        vec![
            (FindingKind::BolaRead, Some("alice"), Some("bob")),
            (FindingKind::BolaRead, Some("bob"), Some("alice")),
        ]
    );
    let bob_reads_alice = &j.findings[1];
    assert_eq!(bob_reads_alice.confidence, Confidence::High);
    assert_eq!(bob_reads_alice.severity, Severity::High);
    assert_eq!(bob_reads_alice.cwe, "CWE-639");
    assert_eq!(
        bob_reads_alice.reason,
        "bob's request for alice's object user_id=1 succeeded (200) and returned values found \
         only in alice's object: \"Alice Anders\", \"alice@acme.example\""
    );
    assert_eq!(bob_reads_alice.evidence.len(), 3);
    assert_eq!(
        bob_reads_alice.reproduce,
        r#"curl -i -H "X-API-Key: ${TRESPASS_BOB}" "http://127.0.0.1:1/users/x""#
    );
}

#[test]
fn endpoint_that_ignores_the_id_and_serves_the_caller_is_not_a_finding() {
    // Whoever asks gets their own object, whatever the id.
    fn callers_own(owner: usize) -> Observation {
        own(1 - owner)
    }
    fn callers_own_control(identity: usize) -> Observation {
        own(identity)
    }
    let target = Target {
        cross: callers_own,
        anonymous: unauthorized,
        forged: unauthorized,
        control: callers_own_control,
    };
    let j = run(&target, DeclaredSecurity::Required);
    assert!(j.findings.is_empty(), "{:?}", kinds(&j));
    assert_eq!(j.objects_judged, 2);
}

#[test]
fn uniform_not_found_is_not_a_finding() {
    let target = Target {
        cross: not_found,
        anonymous: unauthorized,
        forged: unauthorized,
        control: not_found,
    };
    assert!(run(&target, DeclaredSecurity::Required).findings.is_empty());
}

#[test]
fn forbidden_versus_not_found_is_an_existence_oracle_once_per_operation() {
    fn forbidden(_: usize) -> Observation {
        obs(403, r#"{"error":"forbidden"}"#)
    }
    let target = Target {
        cross: forbidden,
        anonymous: unauthorized,
        forged: unauthorized,
        control: not_found,
    };
    let j = run(&target, DeclaredSecurity::Required);
    assert_eq!(kinds(&j), vec![(FindingKind::ExistenceOracle, Some("bob"), Some("alice"))]);
    assert_eq!(j.findings[0].confidence, Confidence::High);
    assert!(j.findings[0].reason.contains("(status 403 versus 404)"), "{}", j.findings[0].reason);
}

#[test]
fn same_status_with_different_error_bodies_is_an_oracle_of_medium_confidence() {
    fn other_404(_: usize) -> Observation {
        obs(404, r#"{"error":"not yours"}"#)
    }
    let target = Target {
        cross: other_404,
        anonymous: unauthorized,
        forged: unauthorized,
        control: not_found,
    };
    let j = run(&target, DeclaredSecurity::Required);
    assert_eq!(kinds(&j), vec![(FindingKind::ExistenceOracle, Some("bob"), Some("alice"))]);
    assert_eq!(j.findings[0].confidence, Confidence::Medium);
}

#[test]
fn object_served_without_credentials_is_missing_auth_and_bola() {
    let target = Target { cross: own, anonymous: own, forged: own, control: not_found };
    let j = run(&target, DeclaredSecurity::Required);
    assert_eq!(
        kinds(&j),
        vec![
            (FindingKind::BolaRead, Some("alice"), Some("bob")),
            (FindingKind::BolaRead, Some("bob"), Some("alice")),
            (FindingKind::MissingAuth, None, Some("alice")),
        ]
    );
    assert_eq!(j.findings[2].cwe, "CWE-306");
}

#[test]
fn declared_public_data_served_to_everyone_is_not_a_finding() {
    let target = Target { cross: own, anonymous: own, forged: own, control: not_found };
    let j = run(&target, DeclaredSecurity::Public);
    assert!(j.public);
    assert!(j.findings.is_empty(), "{:?}", kinds(&j));
}

#[test]
fn forged_credential_accepted_is_credential_not_validated() {
    let target = Target { cross: own, anonymous: unauthorized, forged: own, control: not_found };
    let j = run(&target, DeclaredSecurity::Required);
    assert_eq!(
        kinds(&j),
        vec![
            (FindingKind::BolaRead, Some("alice"), Some("bob")),
            (FindingKind::BolaRead, Some("bob"), Some("alice")),
            (FindingKind::CredentialNotValidated, None, Some("alice")),
        ]
    );
    assert_eq!(j.findings[2].cwe, "CWE-287");
}

#[test]
fn failed_baseline_is_a_note_not_a_verdict() {
    let mut p = probes(&Target {
        cross: own,
        anonymous: unauthorized,
        forged: unauthorized,
        control: not_found,
    });
    for object in &mut p.objects {
        object.baseline = obs(401, UNAUTHORIZED);
    }
    let j = judge(&operation(), &p, &names(), DeclaredSecurity::Required);
    assert!(j.findings.is_empty());
    assert_eq!(j.objects_judged, 0);
    assert_eq!(
        j.notes[0],
        "alice's own request for its object user_id=1 answered 401, so the object was not tested"
    );
}

#[test]
fn rate_limited_answers_prove_no_oracle() {
    fn limited(_: usize) -> Observation {
        obs(429, "{}")
    }
    let target = Target {
        cross: limited,
        anonymous: unauthorized,
        forged: unauthorized,
        control: not_found,
    };
    assert!(run(&target, DeclaredSecurity::Required).findings.is_empty());
}

#[test]
fn fingerprints_are_stable() {
    assert_eq!(fingerprint(&["a", "b"]), fingerprint(&["a", "b"]));
    assert_ne!(fingerprint(&["ab", ""]), fingerprint(&["a", "b"]));
    assert_eq!(fingerprint(&[]), "cbf29ce484222325");
}

#[test]
fn error_bodies_with_request_ids_are_no_oracle_once_noise_is_learned() {
    // The fixed twin of an oracle: 404 alike for not-yours and missing, but
    // every body carries its own request id, which looks like nothing
    // volatile. Only the repeated control tells that it is noise.
    let target = Target {
        cross: |_| obs(404, r#"{"error":"not found","request_id":"req-31"}"#),
        anonymous: unauthorized,
        forged: unauthorized,
        control: |_| obs(404, r#"{"error":"not found","request_id":"req-40"}"#),
    };
    let mut probes = probes(&target);
    let again = obs(404, r#"{"error":"not found","request_id":"req-41"}"#);
    probes.controls_again = vec![(ALICE, again.clone()), (BOB, again)];
    let judgement = judge(&operation(), &probes, &names(), DeclaredSecurity::Required);
    assert_eq!(kinds(&judgement), vec![]);

    // Without the repeat the ids would have made the bodies differ.
    probes.controls_again = probes.controls.clone();
    let naive = judge(&operation(), &probes, &names(), DeclaredSecurity::Required);
    assert_eq!(kinds(&naive), vec![(FindingKind::ExistenceOracle, Some("bob"), Some("alice"))]);
}

#[test]
fn own_parent_with_anothers_child_is_cross_tenant_hierarchy_only_when_it_carries_owner_data() {
    let target = Target {
        cross: not_found,
        anonymous: unauthorized,
        forged: unauthorized,
        control: not_found,
    };
    let mut probes = probes(&target);
    probes.objects[0].mixed = vec![(BOB, obs(200, ALICE_BODY))];
    probes.objects[1].mixed = vec![(ALICE, obs(404, NOT_FOUND))];
    let judgement = judge(&operation(), &probes, &names(), DeclaredSecurity::Required);
    assert_eq!(
        kinds(&judgement),
        vec![(FindingKind::CrossTenantHierarchy, Some("bob"), Some("alice"))]
    );
    assert_eq!(judgement.findings[0].confidence, Confidence::High);

    // A mixed request answered with the caller's own object is no finding.
    probes.objects[0].mixed = vec![(BOB, obs(200, BOB_BODY))];
    let judgement = judge(&operation(), &probes, &names(), DeclaredSecurity::Required);
    assert_eq!(kinds(&judgement), vec![]);
}

#[test]
fn a_key_accepted_in_the_query_is_credential_in_query_unless_no_key_is_needed_at_all() {
    let target = Target {
        cross: not_found,
        anonymous: unauthorized,
        forged: unauthorized,
        control: not_found,
    };
    let mut probes = probes(&target);
    probes.objects[0].in_query = Some(obs(200, ALICE_BODY));
    probes.objects[1].in_query = Some(obs(401, UNAUTHORIZED));
    let judgement = judge(&operation(), &probes, &names(), DeclaredSecurity::Required);
    assert_eq!(kinds(&judgement), vec![(FindingKind::CredentialInQuery, Some("alice"), None)]);

    // Refused in the query: nothing.
    probes.objects[0].in_query = Some(obs(401, UNAUTHORIZED));
    let judgement = judge(&operation(), &probes, &names(), DeclaredSecurity::Required);
    assert_eq!(kinds(&judgement), vec![]);
}

#[test]
fn a_protected_operation_that_documents_no_401_is_spec_security_drift() {
    let target = Target {
        cross: not_found,
        anonymous: unauthorized,
        forged: unauthorized,
        control: not_found,
    };
    let mut undocumented = operation();
    undocumented.responses = vec!["200".into(), "404".into()];
    let judgement = judge(&undocumented, &probes(&target), &names(), DeclaredSecurity::Required);
    assert_eq!(kinds(&judgement), vec![(FindingKind::SpecSecurityDrift, None, None)]);
    assert!(judgement.findings[0].reason.contains("it documents: 200, 404"));

    let mut documented = operation();
    documented.responses = vec!["200".into(), "401".into()];
    let judgement = judge(&documented, &probes(&target), &names(), DeclaredSecurity::Required);
    assert_eq!(kinds(&judgement), vec![]);
}

mod neighbours {
    use super::*;
    use trespass_probes::neighbours::{Neighbour, NeighbourProbe};

    const CAROL_BODY: &str = r#"{"id":3,"name":"Carol Cole","email":"carol@initech.example"}"#;

    fn asked(value: &str, answers: [Observation; 2]) -> NeighbourProbe {
        let [alice, bob] = answers;
        NeighbourProbe {
            neighbour: Neighbour {
                value: value.into(),
                next_to: "2".into(),
                owner: BOB,
                values: vec![("user_id".into(), value.into())],
            },
            asked: vec![(ALICE, alice), (BOB, bob)],
        }
    }

    fn leaky() -> OperationProbes {
        let target = Target {
            cross: own,
            anonymous: unauthorized,
            forged: unauthorized,
            control: not_found,
        };
        probes(&target)
    }

    #[test]
    fn a_stranger_served_with_its_id_is_enumerable_once_per_operation() {
        let read = asked("3", [obs(200, CAROL_BODY), obs(200, CAROL_BODY)]);
        let missing = asked("0", [obs(404, NOT_FOUND), obs(404, NOT_FOUND)]);
        let found = enumerable_ids(&operation(), &leaky(), &[missing, read], &names()).unwrap();
        assert_eq!(
            (found.kind, found.identity.as_deref(), found.owner.as_deref()),
            (FindingKind::EnumerableIds, Some("alice"), None)
        );
        assert_eq!((found.cwe.as_str(), found.severity), ("CWE-639", Severity::High));
        assert!(
            found.reason.contains("3 (next to bob's 2) was served to alice (200) and bob (200)"),
            "{}",
            found.reason
        );
        assert_eq!(found.parameter_location, Some(ParamLocation::Path));
    }

    #[test]
    fn own_objects_defaults_and_refusals_are_not_enumerable() {
        // The id is ignored: each gets its own object back.
        let own_back = asked("3", [obs(200, ALICE_BODY), obs(200, BOB_BODY)]);
        // A success that does not carry the neighbour's id.
        let empty = asked("4", [obs(200, r#"{"items":[]}"#), obs(200, r#"{"items":[]}"#)]);
        let refused = asked("5", [obs(404, NOT_FOUND), obs(403, r#"{"error":"forbidden"}"#)]);
        let none = enumerable_ids(&operation(), &leaky(), &[own_back, empty, refused], &names());
        assert!(none.is_none(), "{none:?}");
    }
}

mod body_fields {
    use super::*;
    use trespass_probes::body_fields::{BodyFieldObservations, BodyFieldProbe};

    fn probe(method: Method, before: Option<&str>, writer: &str, victim: &str) -> BodyFieldProbe {
        let read = |body: &str| {
            if body.is_empty() { obs(404, NOT_FOUND) } else { obs(200, body) }
        };
        BodyFieldProbe {
            operation: Operation { method, path: "/documents".into(), ..operation() },
            field: "user_id".into(),
            writer: ALICE,
            victim: BOB,
            value: "2".into(),
            before: before.map(read),
            write: obs(403, r#"{"error":"forbidden"}"#),
            after_writer: Some(read(writer)),
            after_victim: Some(read(victim)),
        }
    }

    fn found(probes: Vec<BodyFieldProbe>) -> Vec<(Method, Option<String>, Option<ParamLocation>)> {
        let observed = BodyFieldObservations { probes, ..Default::default() };
        body_field_writes(&observed, &names())
            .into_iter()
            .map(|f| {
                assert_eq!(
                    (f.identity.as_deref(), f.owner.as_deref()),
                    (Some("alice"), Some("bob"))
                );
                (f.method, f.parameter, f.parameter_location)
            })
            .collect()
    }

    const MINE: &str = r#"{"id":601,"user_id":1,"title":"t"}"#;
    const BOBS: &str = r#"{"id":601,"user_id":2,"title":"t"}"#;

    #[test]
    fn an_object_read_back_with_the_victims_id_is_a_bola_write_on_the_field() {
        let created_in_bobs_name = probe(Method::Post, None, "", BOBS);
        let handed_over = probe(Method::Put, Some(MINE), "", BOBS);
        let field = Some("user_id".to_owned());
        assert_eq!(
            found(vec![created_in_bobs_name, handed_over]),
            vec![
                (Method::Post, field.clone(), Some(ParamLocation::Body)),
                (Method::Put, field, Some(ParamLocation::Body)),
            ]
        );
    }

    #[test]
    fn an_ignored_or_refused_field_and_an_object_that_already_held_it_are_no_finding() {
        let ignored = probe(Method::Patch, Some(MINE), MINE, "");
        let refused = BodyFieldProbe {
            after_writer: None,
            after_victim: None,
            ..probe(Method::Post, None, "", "")
        };
        let already = probe(Method::Put, Some(BOBS), BOBS, BOBS);
        assert_eq!(found(vec![ignored, refused, already]), vec![]);
    }

    #[test]
    fn a_nested_field_is_read_back_at_its_pointer() {
        let mine = r#"{"id":611,"title":"t","owner":{"id":1},"user_id":2}"#;
        let bobs = r#"{"id":611,"title":"t","owner":{"id":2}}"#;
        let nested = |before, writer, victim| BodyFieldProbe {
            field: "/owner/id".into(),
            ..probe(Method::Put, before, writer, victim)
        };
        let handed_over = nested(Some(mine), "", bobs);
        // A top-level `user_id` of 2 is not the nested field: no finding.
        let elsewhere = nested(Some(mine), mine, "");
        let field = Some("/owner/id".to_owned());
        assert_eq!(
            found(vec![handed_over, elsewhere]),
            vec![(Method::Put, field, Some(ParamLocation::Body))]
        );
    }

    #[test]
    fn a_natural_key_read_back_is_a_finding_and_an_ignored_one_is_not() {
        let mine = r#"{"id":621,"title":"t","username":"alice"}"#;
        let bobs = r#"{"id":621,"title":"t","username":"bob"}"#;
        let named = |method, before, writer, victim| BodyFieldProbe {
            field: "username".into(),
            value: "bob".into(),
            ..probe(method, before, writer, victim)
        };
        let created = named(Method::Post, None, "", bobs);
        let ignored = named(Method::Put, Some(mine), mine, "");
        let findings = body_field_writes(
            &BodyFieldObservations { probes: vec![created, ignored], ..Default::default() },
            &names(),
        );
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].parameter.as_deref(), Some("username"));
        assert_eq!(
            findings[0].reason,
            "alice's POST /documents with `username` set to bob, which names bob, answered \
             403, and the object it created, read back by bob, has `username` = bob: alice \
             creates objects in bob's name"
        );
    }
}
