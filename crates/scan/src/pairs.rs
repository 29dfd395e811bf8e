//! Per-pair coverage: for each operation, which probe families ran for
//! which (owner, caller) pair of identities, and why any were skipped.
//!
//! A family **ran** for a pair when its requests were answered and judged.
//! It is **skipped**, with the reason, when its request got no answer (the
//! request budget was spent, the target failed), when the owner's own
//! request for its object failed (its session is not valid there, so
//! nothing on its object is judged), when the operation turned out to serve
//! public data, when the caller co-owns the object, or when the owner has
//! no object of its own there. Families that cannot apply are not listed:
//! `hierarchy` only on nested paths, `write` only on writes in active mode,
//! `privilege` only where a role rule or the names restrict the operation.
//!
//! The anonymous and forged probes ask for the owner's object without the
//! caller; they are listed in every pair of that owner.

use trespass_discovery::{Discovery, Seer};
use trespass_model::{IdentityName, Method, Operation, PairCoverage, ProbeFamily, SkippedProbe};
use trespass_probes::OperationProbes;
use trespass_probes::active::{ActiveObservations, Standing};
use trespass_verdicts::Privilege;

use trespass_probes::Observation;

/// The pairs of an operation whose read probes were sent. `public` is the
/// verdicts' conclusion that the operation serves public data; `stated`
/// whether a stated role rule covers it (inferred privilege is judged on
/// listings only).
pub(crate) fn probed(
    operation: &Operation,
    probes: &OperationProbes,
    names: &[IdentityName],
    roles: &[Option<String>],
    public: bool,
    stated: bool,
) -> Vec<PairCoverage> {
    let nested = operation.path_parameters().filter(|p| p.object_reference).count() > 1;
    let mut families = vec![
        ProbeFamily::CrossIdentity,
        ProbeFamily::Anonymous,
        ProbeFamily::Forged,
        ProbeFamily::AbsentControl,
    ];
    if nested {
        families.push(ProbeFamily::Hierarchy);
    }

    // Kept for the whole scan, once per operation: sized exactly rather
    // than with the spare room a growing vector leaves (room for four
    // pairs after the first push, where two identities make two).
    let others = names.len().saturating_sub(1);
    let mut pairs = Vec::with_capacity(names.len() * others + if stated { names.len() } else { 0 });
    for (owner, owner_name) in names.iter().enumerate() {
        let object = probes.objects.iter().find(|o| o.object.owner == owner);
        for (caller, caller_name) in names.iter().enumerate() {
            if caller == owner {
                continue;
            }
            let mut pair = Pair::new(Some(owner_name), caller_name);
            let Some(object) = object else {
                pair.skip_all(
                    &families,
                    format!(
                        "no object of {owner_name} was found for `{}`: none was discovered, or \
                         only public or shared ones",
                        probes.plan.varied
                    ),
                );
                pairs.push(pair.done());
                continue;
            };
            if object.baseline.success().is_none() {
                pair.skip_all(
                    &families,
                    format!(
                        "{owner_name}'s own request for its object {}: its session is not valid \
                         here, so nothing on its object was judged",
                        answered(&object.baseline)
                    ),
                );
                pairs.push(pair.done());
                continue;
            }
            if public {
                pair.skip_all(
                    &families,
                    "public: declared without security and served alike to anonymous callers"
                        .to_owned(),
                );
                pairs.push(pair.done());
                continue;
            }
            let co_owner = object.object.co_owners.contains(&caller);
            let shared = || {
                format!(
                    "{caller_name} co-owns {owner_name}'s object (it saw the same id), so is no outsider"
                )
            };
            let cross = object.cross.iter().find(|(i, _)| *i == caller).map(|(_, o)| o);
            match cross {
                _ if co_owner => pair.skip(ProbeFamily::CrossIdentity, shared()),
                Some(cross) => pair.observed(ProbeFamily::CrossIdentity, cross),
                None => pair.skip(ProbeFamily::CrossIdentity, "not sent".to_owned()),
            }
            pair.observed(ProbeFamily::Anonymous, &object.anonymous);
            pair.observed(ProbeFamily::Forged, &object.forged);
            match probes.control(caller) {
                Some(control) => pair.observed(ProbeFamily::AbsentControl, control),
                None => pair.skip(ProbeFamily::AbsentControl, "not sent".to_owned()),
            }
            if nested {
                let mixed = object.mixed.iter().find(|(i, _)| *i == caller).map(|(_, o)| o);
                match mixed {
                    _ if co_owner => pair.skip(ProbeFamily::Hierarchy, shared()),
                    Some(mixed) => pair.observed(ProbeFamily::Hierarchy, mixed),
                    None => pair.skip(
                        ProbeFamily::Hierarchy,
                        format!(
                            "{caller_name} has no object here under a parent other than \
                             {owner_name}'s to mix with"
                        ),
                    ),
                }
            }
            pairs.push(pair.done());
        }
    }

    if stated {
        for (caller, caller_name) in names.iter().enumerate() {
            let mut pair = Pair::new(None, caller_name);
            match (roles.get(caller).and_then(Option::as_ref), probes.own_baseline(caller)) {
                (None, _) => pair.skip(ProbeFamily::Privilege, no_role(caller_name)),
                (Some(_), Some(own)) => pair.observed(ProbeFamily::Privilege, own),
                (Some(_), None) => pair.skip(
                    ProbeFamily::Privilege,
                    format!("{caller_name} has no object of its own here to call it with"),
                ),
            }
            pairs.push(pair.done());
        }
    }
    pairs
}

/// The pairs of an operation that names no object, which discovery called
/// as each identity: only the `privilege` family, where the operation's
/// privilege is stated or inferred.
pub(crate) fn listing(
    operation: &Operation,
    discovery: &Discovery,
    names: &[IdentityName],
    roles: &[Option<String>],
    privilege: Option<Privilege<'_>>,
) -> Vec<PairCoverage> {
    if privilege.is_none() {
        return Vec::new();
    }
    let label = operation.label();
    let mut pairs = Vec::with_capacity(names.len());
    for (caller, caller_name) in names.iter().enumerate() {
        let mut pair = Pair::new(None, caller_name);
        let listing = discovery
            .listings
            .iter()
            .find(|l| l.seer == Seer::Identity(caller) && l.operation == label);
        match (roles.get(caller).and_then(Option::as_ref), listing) {
            (None, _) => pair.skip(ProbeFamily::Privilege, no_role(caller_name)),
            (Some(_), Some(l)) if l.status.is_some() => pair.ran.push(ProbeFamily::Privilege),
            (Some(_), _) => pair.skip(
                ProbeFamily::Privilege,
                "discovery got no answer from it (see the notes)".to_owned(),
            ),
        }
        pairs.push(pair.done());
    }
    pairs
}

/// The pairs of a write operation in active mode: each other identity's
/// write on an object an owner created, judged when the write and the
/// owner's read after it were answered; the `privilege` family for a
/// writer whose role the operation refuses, `write` for any other.
pub(crate) fn writes(
    method: Method,
    path: &str,
    active: &ActiveObservations,
    names: &[IdentityName],
) -> Vec<PairCoverage> {
    let mut pairs: Vec<PairCoverage> = Vec::new();
    let probes =
        active.writes.iter().filter(|w| w.operation.method == method && w.operation.path == path);
    for probe in probes {
        let Some(created) = active.created.get(probe.object) else { continue };
        let (Some(owner), Some(caller)) = (names.get(created.owner), names.get(probe.writer))
        else {
            continue;
        };
        let mut pair = Pair::new(Some(owner), caller);
        // A refused role's write is judged as a privilege, any other as a
        // write on another's object: the family says which verdict ran.
        let family = match probe.standing {
            Standing::Refused => ProbeFamily::Privilege,
            Standing::Allowed | Standing::Unjudged => ProbeFamily::Write,
        };
        if probe.before.success().is_none() {
            pair.skip(
                family,
                format!(
                    "{owner}'s read of its created object before the write {}",
                    answered(&probe.before)
                ),
            );
        } else if let Err(message) = &probe.write.outcome {
            pair.skip(family, format!("the write got no response: {message}"));
        } else if let Err(message) = &probe.after.outcome {
            pair.skip(family, format!("{owner}'s read after the write got no response: {message}"));
        } else {
            pair.ran.push(family);
        }
        let pair = pair.done();
        // One entry per pair, even when a pair wrote on several objects.
        match pairs.iter_mut().find(|p| p.owner == pair.owner && p.caller == pair.caller) {
            Some(existing) => {
                for family in pair.ran {
                    if !existing.ran.contains(&family) {
                        existing.ran.push(family);
                    }
                }
                existing.skipped.extend(pair.skipped);
            }
            None => pairs.push(pair),
        }
    }
    pairs
}

/// The pairs of a `POST` in active mode that identities of a refused role
/// sent: the `privilege` family (no owner), ran when a read of the new
/// object was answered. Empty where no refused role created anything.
pub(crate) fn creations(
    method: Method,
    path: &str,
    active: &ActiveObservations,
    names: &[IdentityName],
) -> Vec<PairCoverage> {
    let probes = active
        .creations
        .iter()
        .filter(|c| c.operation.method == method && c.operation.path == path);
    let mut pairs = Vec::new();
    for probe in probes {
        let Some(caller) = names.get(probe.creator) else { continue };
        let mut pair = Pair::new(None, caller);
        match probe.reads.iter().find(|(_, read)| read.outcome.is_ok()) {
            Some(_) => pair.ran.push(ProbeFamily::Privilege),
            None => pair.skip(
                ProbeFamily::Privilege,
                "no read of the object it created was answered".to_owned(),
            ),
        }
        pairs.push(pair.done());
    }
    pairs
}

/// One pair being filled.
struct Pair {
    owner: Option<String>,
    caller: String,
    ran: Vec<ProbeFamily>,
    skipped: Vec<SkippedProbe>,
}

impl Pair {
    fn new(owner: Option<&IdentityName>, caller: &IdentityName) -> Self {
        Self {
            owner: owner.map(|o| o.as_str().to_owned()),
            caller: caller.as_str().to_owned(),
            ran: Vec::new(),
            skipped: Vec::new(),
        }
    }

    fn skip(&mut self, probe: ProbeFamily, reason: String) {
        self.skipped.push(SkippedProbe { probe, reason });
    }

    fn skip_all(&mut self, families: &[ProbeFamily], reason: String) {
        for family in families {
            self.skip(*family, reason.clone());
        }
    }

    /// Ran when a response arrived; skipped with the failure otherwise.
    fn observed(&mut self, probe: ProbeFamily, observation: &Observation) {
        match &observation.outcome {
            Ok(_) => self.ran.push(probe),
            Err(message) => self.skip(probe, format!("got no response: {message}")),
        }
    }

    fn done(self) -> PairCoverage {
        PairCoverage {
            owner: self.owner,
            caller: self.caller,
            ran: self.ran,
            skipped: self.skipped,
        }
    }
}

fn answered(observation: &Observation) -> String {
    match &observation.outcome {
        Ok(reply) => format!("answered {}", reply.status),
        Err(message) => format!("got no response ({message})"),
    }
}

fn no_role(name: &IdentityName) -> String {
    format!("{name} has no configured role, so its privilege is not judged")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use trespass_model::{ParamLocation, Parameter, RecordedRequest};
    use trespass_probes::{ObjectProbes, OperationPlan, PlannedObject, Reply};

    use super::*;

    fn obs(status: Option<u16>) -> Observation {
        Observation {
            request: RecordedRequest {
                method: Method::Get,
                url: "http://127.0.0.1:1/users/1".to_owned(),
                credential: "none".to_owned(),
                headers: Vec::new(),
                body: None,
            },
            outcome: match status {
                Some(status) => Ok(Reply {
                    status,
                    content_type: None,
                    body: b"{}".to_vec(),
                    truncated: false,
                    excerpt: "{}".to_owned(),
                }),
                None => Err("request to http://127.0.0.1:1/users/9 not sent: the request \
                             budget of 3 is spent"
                    .to_owned()),
            },
        }
    }

    fn object(owner: usize, baseline: Option<u16>, cross: Option<u16>) -> ObjectProbes {
        ObjectProbes {
            object: PlannedObject {
                owner,
                co_owners: BTreeSet::new(),
                values: vec![("user_id".to_owned(), (owner + 1).to_string())],
            },
            baseline: obs(baseline),
            baseline_again: obs(baseline),
            cross: vec![(1 - owner, obs(cross))],
            anonymous: obs(Some(401)),
            forged: obs(Some(401)),
            mixed: vec![],
            in_query: None,
        }
    }

    fn operation() -> Operation {
        Operation {
            method: Method::Get,
            path: "/users/{user_id}".to_owned(),
            operation_id: None,
            tags: vec![],
            parameters: vec![Parameter {
                name: "user_id".to_owned(),
                choices: Vec::new(),
                location: ParamLocation::Path,
                required: true,
                schema_type: None,
                format: None,
                example: None,
                object_reference: true,
            }],
            security: vec![],
            responses: vec![],
            source: String::new(),
        }
    }

    fn probes(objects: Vec<ObjectProbes>) -> OperationProbes {
        OperationProbes {
            plan: OperationPlan {
                varied: "user_id".to_owned(),
                varied_location: trespass_model::ParamLocation::Path,
                objects: vec![],
                control: vec![],
            },
            objects,
            controls: vec![(0, obs(None)), (1, obs(Some(404)))],
            controls_again: vec![],
        }
    }

    fn names() -> Vec<IdentityName> {
        vec![IdentityName::new("alice"), IdentityName::new("bob")]
    }

    fn skipped(pair: &PairCoverage) -> Vec<(ProbeFamily, &str)> {
        pair.skipped.iter().map(|s| (s.probe, s.reason.as_str())).collect()
    }

    #[test]
    fn an_invalid_session_skips_every_family_of_the_owners_pairs_with_why() {
        // alice's own request is refused; bob's works, but alice's cross
        // request got no answer (budget) and so did bob's control.
        let probes = probes(vec![object(0, Some(401), Some(200)), object(1, Some(200), None)]);
        let pairs = probed(&operation(), &probes, &names(), &[None, None], false, false);
        assert_eq!(pairs.len(), 2);

        let session = "alice's own request for its object answered 401: its session is not \
                       valid here, so nothing on its object was judged";
        assert_eq!((pairs[0].owner.as_deref(), pairs[0].caller.as_str()), (Some("alice"), "bob"));
        assert_eq!(pairs[0].ran, []);
        assert_eq!(
            skipped(&pairs[0]),
            [
                (ProbeFamily::CrossIdentity, session),
                (ProbeFamily::Anonymous, session),
                (ProbeFamily::Forged, session),
                (ProbeFamily::AbsentControl, session),
            ]
        );

        let budget = "got no response: request to http://127.0.0.1:1/users/9 not sent: the \
                      request budget of 3 is spent";
        assert_eq!((pairs[1].owner.as_deref(), pairs[1].caller.as_str()), (Some("bob"), "alice"));
        assert_eq!(pairs[1].ran, [ProbeFamily::Anonymous, ProbeFamily::Forged]);
        assert_eq!(
            skipped(&pairs[1]),
            [(ProbeFamily::CrossIdentity, budget), (ProbeFamily::AbsentControl, budget)]
        );
    }

    #[test]
    fn an_owner_without_an_object_public_data_and_roles_are_explained() {
        let probes = probes(vec![object(1, Some(200), Some(200))]);
        let roles = [Some("admin".to_owned()), None];
        let pairs = probed(&operation(), &probes, &names(), &roles, false, true);
        let none = "no object of alice was found for `user_id`: none was discovered, or only \
                    public or shared ones";
        assert_eq!(skipped(&pairs[0])[0], (ProbeFamily::CrossIdentity, none));
        // Privilege: alice has a role but no object of her own here; bob
        // has an object but no role.
        assert_eq!(
            skipped(&pairs[2]),
            [(ProbeFamily::Privilege, "alice has no object of its own here to call it with")]
        );
        assert_eq!(
            skipped(&pairs[3]),
            [(
                ProbeFamily::Privilege,
                "bob has no configured role, so its privilege is not judged"
            )]
        );

        let public = probed(&operation(), &probes, &names(), &roles, true, false);
        assert_eq!(
            skipped(&public[1])[0],
            (
                ProbeFamily::CrossIdentity,
                "public: declared without security and served alike to anonymous callers"
            )
        );
    }
}
