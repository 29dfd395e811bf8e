//! Probes: the requests that test one operation's objects against every
//! identity.
//!
//! For an operation that names an object (`GET /users/{user_id}`, `GET
//! /statements?account_id=`, a header `X-Account-Id`, a cookie
//! `account_id`), [`plan`] picks, from the ownership map that discovery
//! built, one object of each identity that owns any, and an id that surely
//! does not exist; [`place`] puts each value where its parameter lives.
//! [`run`] then sends, for each such object:
//!
//! - the owner's own request (the **baseline**);
//! - each other identity's request for it (**cross**), co-owners excepted;
//! - the request with **no credential**;
//! - the request with a **forged** credential of the right shape;
//!
//! and, once per identity, its request for the id that does not exist (the
//! **control**). On nested paths (`/tenants/{tenant_id}/invoices/{invoice_id}`)
//! each outsider also sends its **own parent with the owner's child**
//! (**mixed**): the request a tenant check on the parent alone lets through.
//! The baseline and the control are each sent twice (when the first answer
//! is whole, and for the baseline a success), one
//! after the other, so that the verdicts learn which fields vary between
//! identical requests (timestamps, request ids) and leave them out. Everything comes back as [`Observation`]s in an
//! [`OperationProbes`], which the verdicts judge. Only read-only methods are
//! planned here; writes are probed by [`active`] and ids in JSON bodies by
//! [`body_fields`], in active mode only. [`neighbours`] asks for the
//! sequential neighbours of owned integer ids.

pub mod active;
pub mod body_fields;
mod forge;
pub mod neighbours;

use std::collections::BTreeSet;

use futures::future::join_all;
use trespass_discovery::{Discovery, encode};
use trespass_model::{
    Credential, CredentialPlacement, Identity, Method, Operation, ParamLocation, Parameter,
    RecordedRequest, Secret,
};
use trespass_transport::{Client, Extras, Presenting, Redactor, record_with};

pub use forge::{absent_id, forged_credential};

/// Characters of a response body kept in evidence.
pub const EXCERPT_CHARS: usize = 320;

/// What the scanner needs to send probes.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    /// The client bound to the target.
    pub client: &'a Client,
    /// Every identity of the scan.
    pub identities: &'a [Identity],
    /// Replaces secrets in excerpts.
    pub redactor: &'a Redactor,
}

/// One owner's object and the values that name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedObject {
    /// Index of the owning identity.
    pub owner: usize,
    /// Identities that share ownership (same tenant, say); they are not
    /// asked for it as outsiders.
    pub co_owners: BTreeSet<usize>,
    /// Path parameter values, in the order of the template.
    pub values: Vec<(String, String)>,
}

/// What will be sent for one operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperationPlan {
    /// The object-reference parameter that is swapped between identities.
    pub varied: String,
    /// Where it is sent: the path, or the query, a header or a cookie.
    pub varied_location: ParamLocation,
    /// One object per owning identity.
    pub objects: Vec<PlannedObject>,
    /// Values naming an object that does not exist.
    pub control: Vec<(String, String)>,
}

/// Why an operation gets no probes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skip {
    /// `listing`, `public`, `skipped`.
    pub status: &'static str,
    /// Why, in a sentence.
    pub detail: String,
}

/// A response, or why there was none.
#[derive(Clone, Debug)]
pub struct Observation {
    /// The request, with placeholders for secrets.
    pub request: RecordedRequest,
    /// The response.
    pub outcome: Result<Reply, String>,
}

/// A response as the verdicts see it.
#[derive(Clone, Debug)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: Option<String>,
    /// Body bytes, up to the client's cap.
    pub body: Vec<u8>,
    /// Whether the body was cut at the cap.
    pub truncated: bool,
    /// The start of the body, with secrets redacted, for evidence.
    pub excerpt: String,
}

impl Observation {
    /// The reply when it is 2xx.
    pub fn success(&self) -> Option<&Reply> {
        self.outcome.as_ref().ok().filter(|r| (200..300).contains(&r.status))
    }

    /// The status, when a response arrived.
    pub fn status(&self) -> Option<u16> {
        self.outcome.as_ref().ok().map(|r| r.status)
    }
}

/// Every probe around one owner's object.
#[derive(Clone, Debug)]
pub struct ObjectProbes {
    /// The object.
    pub object: PlannedObject,
    /// The owner's own request.
    pub baseline: Observation,
    /// The same request again, right after: what differs is noise.
    pub baseline_again: Observation,
    /// Each outsider's request for the owner's object: (identity, observation).
    pub cross: Vec<(usize, Observation)>,
    /// The request without credentials.
    pub anonymous: Observation,
    /// The request with a forged credential.
    pub forged: Observation,
    /// On nested paths, each outsider's request with its own parent ids and
    /// the owner's child id: (identity, observation).
    pub mixed: Vec<(usize, Observation)>,
    /// The owner's request with its credential moved into the query string
    /// (the first of [`QUERY_CREDENTIAL_NAMES`] that succeeded, else the
    /// last tried), when its credential normally travels in a header.
    pub in_query: Option<Observation>,
}

/// Query parameter names under which a header credential is also tried.
pub const QUERY_CREDENTIAL_NAMES: [&str; 3] = ["api_key", "apikey", "access_token"];

/// Everything observed for one operation.
#[derive(Clone, Debug)]
pub struct OperationProbes {
    /// The plan that was carried out.
    pub plan: OperationPlan,
    /// One entry per planned object.
    pub objects: Vec<ObjectProbes>,
    /// Each identity's request for the absent object: (identity, observation).
    pub controls: Vec<(usize, Observation)>,
    /// The same requests again, in the same order, to learn noise.
    pub controls_again: Vec<(usize, Observation)>,
}

impl OperationProbes {
    /// The baseline of `identity`'s own object, if it owns one here.
    pub fn own_baseline(&self, identity: usize) -> Option<&Observation> {
        self.objects.iter().find(|o| o.object.owner == identity).map(|o| &o.baseline)
    }

    /// `identity`'s request for the absent object.
    pub fn control(&self, identity: usize) -> Option<&Observation> {
        self.controls.iter().find(|(i, _)| *i == identity).map(|(_, o)| o)
    }
}

/// Decides what to send for `operation`, or why nothing is sent.
pub fn plan(
    operation: &Operation,
    discovery: &Discovery,
    identity_count: usize,
) -> Result<OperationPlan, Skip> {
    let skip = |status, detail: String| Err(Skip { status, detail });
    if !operation.method.is_read_only() {
        return skip("skipped", "write methods are probed only in active mode".to_owned());
    }
    if operation.method != Method::Get {
        return skip("skipped", format!("{} responses are not compared; GET is", operation.method));
    }
    let path_params: Vec<_> = operation.path_parameters().collect();
    let mut refs: Vec<&Parameter> =
        path_params.iter().copied().filter(|p| p.object_reference).collect();
    let path_refs = refs.len();

    // Ids in the query, a header or a cookie join the path's when discovery
    // found values for them. A required one without values is sent with
    // the spec's example when there is one (a request without it proves
    // nothing), and otherwise makes the operation untestable, below.
    let mut placed_fixed = Vec::new();
    for param in placed_references(operation) {
        if !discovery.candidates(operation, param).is_empty() {
            refs.push(param);
        } else if let (true, Some(example)) = (param.required, &param.example) {
            placed_fixed.push((param.name.clone(), example.clone()));
        } else if param.required {
            refs.push(param);
        }
    }
    // The path's last id is the one swapped when there is one (the child of
    // a nested path); otherwise the first id sent elsewhere.
    let varied = if path_refs > 0 { refs.get(path_refs - 1) } else { refs.first() };
    let Some(varied) = varied.copied() else {
        if path_params.is_empty() {
            return skip("listing", "names no object; used for discovery".to_owned());
        }
        return skip("skipped", "no path parameter names an object".to_owned());
    };

    // Fixed values for path parameters that do not name objects.
    let mut fixed = placed_fixed;
    for param in path_params.iter().filter(|p| !p.object_reference) {
        match &param.example {
            Some(example) => fixed.push((param.name.clone(), example.clone())),
            None => {
                return skip(
                    "skipped",
                    format!(
                        "no value for path parameter `{}`: the spec gives no example",
                        param.name
                    ),
                );
            }
        }
    }

    // Candidates per object reference, and who owns what.
    let mut per_param = Vec::new();
    for param in &refs {
        let candidates = discovery.candidates(operation, param);
        if candidates.is_empty() {
            return skip(
                "skipped",
                format!(
                    "no id was discovered for `{}`; list it under `owns` in the config",
                    param.name
                ),
            );
        }
        per_param.push((param.name.clone(), candidates));
    }

    let mut objects = Vec::new();
    for owner in 0..identity_count {
        let mut values = fixed.clone();
        let mut co_owners: Option<BTreeSet<usize>> = None;
        for (name, candidates) in &per_param {
            let owned = candidates
                .iter()
                .find(|c| !c.is_shared(identity_count) && c.owners.contains(&owner));
            let Some(candidate) = owned else { break };
            co_owners = Some(match co_owners {
                None => candidate.owners.clone(),
                Some(set) => set.intersection(&candidate.owners).copied().collect(),
            });
            values.push((name.clone(), candidate.value.clone()));
        }
        if values.len() == fixed.len() + per_param.len() {
            let mut co_owners = co_owners.unwrap_or_default();
            co_owners.remove(&owner);
            objects.push(PlannedObject { owner, co_owners, values });
        }
    }
    if objects.is_empty() {
        return skip(
            "public",
            "every id discovered is public or seen by every identity, so none is private"
                .to_owned(),
        );
    }

    let known = discovery.all_values();
    let mut control = objects[0].values.clone();
    for (name, value) in &mut control {
        if name == &varied.name {
            *value = absent_id(value, known);
        }
    }
    Ok(OperationPlan {
        varied: varied.name.clone(),
        varied_location: varied.location,
        objects,
        control,
    })
}

/// Object references sent in the query, a header or a cookie, in
/// declaration order. Body fields are not among them: a read sends no body,
/// and active mode probes them on writes
/// ([`body_fields::run_body_fields`]).
pub fn placed_references(operation: &Operation) -> impl Iterator<Item = &Parameter> {
    operation.object_references().filter(|p| is_placed_location(p.location))
}

/// The URL path (with its query) and the headers and cookies that carry
/// `values` for `operation`: each value goes where its parameter lives. A
/// name that is no declared parameter is taken to be a path parameter.
pub fn place(operation: &Operation, values: &[(String, String)]) -> (String, Extras) {
    let location = |name: &str| {
        operation
            .parameters
            .iter()
            .filter(|p| p.name == name)
            .min_by_key(|p| (!p.object_reference, p.location != ParamLocation::Path))
            .map_or(ParamLocation::Path, |p| p.location)
    };
    let (mut in_path, mut query, mut extras) = (Vec::new(), Vec::new(), Extras::default());
    for (name, value) in values {
        match location(name) {
            ParamLocation::Query => query.push(format!("{}={}", encode(name), encode(value))),
            ParamLocation::Header => extras.headers.push((name.clone(), value.clone())),
            ParamLocation::Cookie => extras.cookies.push((name.clone(), encode(value))),
            ParamLocation::Path | ParamLocation::Body => {
                in_path.push((name.clone(), value.clone()));
            }
        }
    }
    let mut path = fill(&operation.path, &in_path);
    if !query.is_empty() {
        path.push(if path.contains('?') { '&' } else { '?' });
        path.push_str(&query.join("&"));
    }
    (path, extras)
}

/// Sends every probe of a plan.
pub async fn run(
    context: Context<'_>,
    operation: &Operation,
    plan: OperationPlan,
) -> OperationProbes {
    let secrets: Vec<&str> =
        context.identities.iter().map(|i| i.credential.secret.expose()).collect();
    let forged: Vec<Credential> = context
        .identities
        .iter()
        .map(|i| Credential {
            placement: i.credential.placement.clone(),
            secret: Secret::new(forged_credential(i.credential.secret.expose(), &secrets)),
        })
        .collect();

    let as_identity = |i: usize| {
        let identity = &context.identities[i];
        Presenting::Identity { name: &identity.name, credential: &identity.credential }
    };

    let plan_ref = &plan;
    let objects = join_all(plan.objects.iter().map(|object| {
        let forged = &forged[object.owner];
        async move {
            let mixed_values: Vec<(usize, Vec<(String, String)>)> = plan_ref
                .objects
                .iter()
                .filter(|o| o.owner != object.owner && !object.co_owners.contains(&o.owner))
                .filter_map(|o| Some((o.owner, mixed(plan_ref, o, object)?)))
                .collect();
            let outsiders: Vec<usize> = (0..context.identities.len())
                .filter(|i| *i != object.owner && !object.co_owners.contains(i))
                .collect();
            let values = &object.values;
            let (baseline, cross, anonymous, forged, mixed) = futures::join!(
                twice(context, operation, values, as_identity(object.owner), true),
                join_all(outsiders.iter().map(|i| async move {
                    (*i, send(context, operation, values, as_identity(*i)).await)
                })),
                send(context, operation, values, Presenting::Nobody),
                send(context, operation, values, Presenting::Forged { credential: forged }),
                join_all(mixed_values.iter().map(|(i, values)| async move {
                    (*i, send(context, operation, values, as_identity(*i)).await)
                })),
            );
            let (baseline, baseline_again) = baseline;
            let in_query = in_query(context, operation, values, object.owner).await;
            ObjectProbes {
                object: object.clone(),
                baseline,
                baseline_again,
                cross,
                anonymous,
                forged,
                mixed,
                in_query,
            }
        }
    }));
    let controls = join_all((0..context.identities.len()).map(|i| {
        let control = &plan.control;
        async move { (i, twice(context, operation, control, as_identity(i), false).await) }
    }));
    let (objects, controls) = futures::join!(objects, controls);
    let (controls, controls_again) =
        controls.into_iter().map(|(i, (first, again))| ((i, first), (i, again))).unzip();
    OperationProbes { plan, objects, controls, controls_again }
}

/// The outsider's own values with the varied (child) id taken from the
/// owner's object, when that differs from the owner's own request: only on
/// nested paths, where the outsider's parent ids differ from the owner's.
fn mixed(
    plan: &OperationPlan,
    outsider: &PlannedObject,
    owner: &PlannedObject,
) -> Option<Vec<(String, String)>> {
    let child = owner.values.iter().find(|(name, _)| *name == plan.varied)?;
    let values: Vec<(String, String)> = outsider
        .values
        .iter()
        .map(
            |(name, value)| {
                if *name == plan.varied { child.clone() } else { (name.clone(), value.clone()) }
            },
        )
        .collect();
    (values != owner.values).then_some(values)
}

/// The owner's request with the credential in the query string instead of
/// a header, under each of [`QUERY_CREDENTIAL_NAMES`] until one succeeds.
async fn in_query(
    context: Context<'_>,
    operation: &Operation,
    values: &[(String, String)],
    owner: usize,
) -> Option<Observation> {
    let identity = &context.identities[owner];
    if matches!(identity.credential.placement, CredentialPlacement::Query(_)) {
        return None;
    }
    let mut last = None;
    for name in QUERY_CREDENTIAL_NAMES {
        let credential = Credential {
            placement: CredentialPlacement::Query(name.to_owned()),
            secret: identity.credential.secret.clone(),
        };
        let presenting = Presenting::Identity { name: &identity.name, credential: &credential };
        let observation = send(context, operation, values, presenting).await;
        let succeeded = observation.success().is_some();
        last = Some(observation);
        if succeeded {
            break;
        }
    }
    last
}

/// The same request twice, the second after the first has been answered,
/// when the first is worth learning noise from: a whole response (not cut
/// at the cap, not failed), and for a baseline a success, since a refused
/// baseline is not judged at all. Otherwise the first stands for both, so a
/// hostile or failing target is not asked again for nothing.
async fn twice(
    context: Context<'_>,
    operation: &Operation,
    values: &[(String, String)],
    presenting: Presenting<'_>,
    success_only: bool,
) -> (Observation, Observation) {
    let first = send(context, operation, values, presenting).await;
    let whole = first.outcome.as_ref().is_ok_and(|r| !r.truncated);
    if !whole || (success_only && first.success().is_none()) {
        return (first.clone(), first);
    }
    let again = send(context, operation, values, presenting).await;
    (first, again)
}

async fn send(
    context: Context<'_>,
    operation: &Operation,
    values: &[(String, String)],
    presenting: Presenting<'_>,
) -> Observation {
    let (path, extras) = place(operation, values);
    let url = match context.client.url_for(&path) {
        Ok(url) => url,
        Err(e) => {
            return Observation {
                request: RecordedRequest::new(operation.method, path, "none"),
                outcome: Err(e.to_string()),
            };
        }
    };
    let request = record_with(operation.method, &url, presenting, &extras, None);
    let outcome =
        match context.client.send_with(operation.method, &url, presenting, &extras, None).await {
            Ok(received) => {
                let text = String::from_utf8_lossy(&received.body);
                let excerpt: String =
                    context.redactor.redact(&text).chars().take(EXCERPT_CHARS).collect();
                Ok(Reply {
                    status: received.status,
                    content_type: received.content_type,
                    body: received.body,
                    truncated: received.truncated,
                    excerpt,
                })
            }
            Err(e) => Err(e.to_string()),
        };
    Observation { request, outcome }
}

/// The template with each `{name}` replaced by its percent-encoded value.
pub fn fill(template: &str, values: &[(String, String)]) -> String {
    let mut path = template.to_owned();
    for (name, value) in values {
        path = path.replace(&format!("{{{name}}}"), &encode(value));
    }
    path
}

/// Whether a parameter location is one the read probes swap ids in: the
/// path, the query, a header or a cookie. Body fields are swapped by active
/// mode's writes only.
pub fn is_probed_location(location: ParamLocation) -> bool {
    location == ParamLocation::Path || is_placed_location(location)
}

/// The query, a header or a cookie: where an id sits outside the path.
fn is_placed_location(location: ParamLocation) -> bool {
    matches!(location, ParamLocation::Query | ParamLocation::Header | ParamLocation::Cookie)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use trespass_discovery::{Harvested, Listing, Seer};

    fn param(name: &str, object_reference: bool, example: Option<&str>) -> Parameter {
        Parameter {
            name: name.into(),
            choices: Vec::new(),
            location: ParamLocation::Path,
            required: true,
            schema_type: None,
            format: None,
            example: example.map(str::to_owned),
            object_reference,
        }
    }

    fn op(path: &str, params: Vec<Parameter>) -> Operation {
        Operation {
            method: Method::Get,
            path: path.into(),
            operation_id: None,
            tags: vec![],
            parameters: params,
            security: vec![vec!["key".into()]],
            responses: vec![],
            source: String::new(),
        }
    }

    fn discovery(lists: &[(Seer, &str, &[&str])]) -> Discovery {
        Discovery::new(
            lists
                .iter()
                .map(|(seer, collection, values)| Listing {
                    seer: *seer,
                    operation: String::new(),
                    status: Some(200),
                    ids: values
                        .iter()
                        .map(|v| Harvested {
                            key: "id".into(),
                            value: (*v).into(),
                            collection: (*collection).into(),
                        })
                        .collect(),
                    exposure: None,
                    exchange: None,
                })
                .collect(),
            vec![BTreeMap::new(), BTreeMap::new(), BTreeMap::new()],
            vec![],
        )
    }

    #[test]
    fn plan_takes_one_private_object_per_owner_and_an_absent_control() {
        let d = discovery(&[
            (Seer::Identity(0), "users", &["1"]),
            (Seer::Identity(1), "users", &["2"]),
        ]);
        let operation = op("/users/{user_id}", vec![param("user_id", true, None)]);
        let plan = plan(&operation, &d, 2).unwrap();
        assert_eq!(plan.varied, "user_id");
        assert_eq!(
            plan.objects,
            vec![
                PlannedObject {
                    owner: 0,
                    co_owners: BTreeSet::new(),
                    values: vec![("user_id".into(), "1".into())]
                },
                PlannedObject {
                    owner: 1,
                    co_owners: BTreeSet::new(),
                    values: vec![("user_id".into(), "2".into())]
                },
            ]
        );
        assert_eq!(plan.control, vec![("user_id".into(), "9999".into())]);
    }

    #[test]
    fn co_owners_are_recorded_and_shared_ids_are_not_planned() {
        let d = discovery(&[
            (Seer::Identity(0), "invoices", &["101", "500"]),
            (Seer::Identity(1), "invoices", &["201", "500"]),
            (Seer::Identity(2), "invoices", &["101", "500"]),
        ]);
        let operation = op("/invoices/{invoice_id}", vec![param("invoice_id", true, None)]);
        let plan = plan(&operation, &d, 3).unwrap();
        let summary: Vec<(usize, Vec<usize>, &str)> = plan
            .objects
            .iter()
            .map(|o| (o.owner, o.co_owners.iter().copied().collect(), o.values[0].1.as_str()))
            .collect();
        assert_eq!(summary, vec![(0, vec![2], "101"), (1, vec![], "201"), (2, vec![0], "101")]);
    }

    #[test]
    fn public_and_undiscovered_operations_are_skipped_with_a_reason() {
        let d = discovery(&[
            (Seer::Identity(0), "catalog", &["7"]),
            (Seer::Identity(1), "catalog", &["7"]),
            (Seer::Anonymous, "catalog", &["7"]),
        ]);
        let catalog = op("/catalog/{item_id}", vec![param("item_id", true, None)]);
        assert_eq!(plan(&catalog, &d, 2).unwrap_err().status, "public");

        let orders = op("/orders/{order_id}", vec![param("order_id", true, None)]);
        assert_eq!(
            plan(&orders, &d, 2).unwrap_err(),
            Skip {
                status: "skipped",
                detail: "no id was discovered for `order_id`; list it under `owns` in the config"
                    .into()
            }
        );

        let listing = op("/users", vec![]);
        assert_eq!(plan(&listing, &d, 2).unwrap_err().status, "listing");

        let format = op("/report.{format}", vec![param("format", false, None)]);
        assert_eq!(plan(&format, &d, 2).unwrap_err().detail, "no path parameter names an object");
    }

    #[test]
    fn mixed_takes_the_outsiders_parent_and_the_owners_child_on_nested_paths_only() {
        let object = |owner, values: &[(&str, &str)]| PlannedObject {
            owner,
            co_owners: BTreeSet::new(),
            values: values.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect(),
        };
        let alice = object(0, &[("tenant_id", "21"), ("invoice_id", "101")]);
        let bob = object(1, &[("tenant_id", "22"), ("invoice_id", "201")]);
        let plan = OperationPlan {
            varied: "invoice_id".into(),
            varied_location: ParamLocation::Path,
            objects: vec![alice.clone(), bob.clone()],
            control: vec![],
        };
        assert_eq!(
            mixed(&plan, &bob, &alice),
            Some(vec![("tenant_id".into(), "22".into()), ("invoice_id".into(), "101".into())])
        );

        let flat = OperationPlan {
            varied: "user_id".into(),
            varied_location: ParamLocation::Path,
            objects: vec![],
            control: vec![],
        };
        let (a, b) = (object(0, &[("user_id", "1")]), object(1, &[("user_id", "2")]));
        assert_eq!(mixed(&flat, &b, &a), None);
    }

    fn placed(name: &str, location: ParamLocation, required: bool) -> Parameter {
        Parameter { location, required, ..param(name, true, None) }
    }

    #[test]
    fn ids_in_the_query_a_header_or_a_cookie_are_planned_like_path_ids() {
        let d = discovery(&[
            (Seer::Identity(0), "accounts", &["11"]),
            (Seer::Identity(1), "accounts", &["12"]),
        ]);
        for location in [ParamLocation::Query, ParamLocation::Header, ParamLocation::Cookie] {
            let name =
                if location == ParamLocation::Header { "X-Account-Id" } else { "account_id" };
            let operation = op("/statements", vec![placed(name, location, true)]);
            let plan = plan(&operation, &d, 2).unwrap();
            assert_eq!((plan.varied.as_str(), plan.varied_location), (name, location));
            let owned: Vec<(usize, &str)> =
                plan.objects.iter().map(|o| (o.owner, o.values[0].1.as_str())).collect();
            assert_eq!(owned, vec![(0, "11"), (1, "12")]);
            assert_eq!(plan.control, vec![(name.to_owned(), "99999".to_owned())]);
        }
    }

    #[test]
    fn a_required_id_outside_the_path_needs_values_and_an_optional_one_is_left_out() {
        let d = discovery(&[
            (Seer::Identity(0), "users", &["1"]),
            (Seer::Identity(1), "users", &["2"]),
        ]);
        let required = op("/statements", vec![placed("account_id", ParamLocation::Query, true)]);
        assert_eq!(
            plan(&required, &d, 2).unwrap_err().detail,
            "no id was discovered for `account_id`; list it under `owns` in the config"
        );
        let optional = op("/statements", vec![placed("account_id", ParamLocation::Query, false)]);
        assert_eq!(plan(&optional, &d, 2).unwrap_err().status, "listing");
        // A required one without values but with an example is sent as is.
        let tenant = Parameter {
            example: Some("acme".into()),
            ..placed("X-Tenant-Id", ParamLocation::Header, true)
        };
        let with_example = op("/users/{user_id}", vec![param("user_id", true, None), tenant]);
        assert_eq!(
            plan(&with_example, &d, 2).unwrap().objects[0].values,
            vec![("X-Tenant-Id".into(), "acme".into()), ("user_id".into(), "1".into())]
        );

        // With a path id too, the path's id is the one swapped.
        let both = op(
            "/users/{user_id}/statements",
            vec![param("user_id", true, None), placed("account_id", ParamLocation::Query, false)],
        );
        let planned = plan(&both, &d, 2).unwrap();
        assert_eq!(
            (planned.varied.as_str(), planned.varied_location),
            ("user_id", ParamLocation::Path)
        );
        // A body field is never part of a read's plan.
        let body = op(
            "/users/{user_id}",
            vec![param("user_id", true, None), placed("owner_id", ParamLocation::Body, true)],
        );
        assert_eq!(
            plan(&body, &d, 2).unwrap().objects[0].values,
            vec![("user_id".into(), "1".into())]
        );
    }

    #[test]
    fn place_puts_each_value_where_its_parameter_lives() {
        let operation = op(
            "/users/{user_id}/statements",
            vec![
                param("user_id", true, None),
                placed("account_id", ParamLocation::Query, true),
                placed("X-Account-Id", ParamLocation::Header, true),
                placed("session_id", ParamLocation::Cookie, true),
            ],
        );
        let values: Vec<(String, String)> = [
            ("user_id", "1"),
            ("account_id", "a b"),
            ("X-Account-Id", "11"),
            ("session_id", "x;y"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let (path, extras) = place(&operation, &values);
        assert_eq!(path, "/users/1/statements?account_id=a%20b");
        assert_eq!(extras.headers, vec![("X-Account-Id".to_owned(), "11".to_owned())]);
        assert_eq!(extras.cookies, vec![("session_id".to_owned(), "x%3By".to_owned())]);
    }

    #[test]
    fn fill_encodes_values() {
        let values = vec![("id".to_owned(), "a/b c".to_owned())];
        assert_eq!(fill("/x/{id}/y", &values), "/x/a%2Fb%20c/y");
    }
}
