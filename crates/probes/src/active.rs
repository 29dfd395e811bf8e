//! Active mode: create objects, then try other identities' writes on them
//! and let the owner confirm the effect.
//!
//! [`run_active`] does, in order:
//!
//! 1. **create**: for every `POST` operation without path parameters, each
//!    identity sends one request with a body built from the operation's
//!    body fields ([`build_body`]: an allowed value for enums, examples or
//!    defaults for numbers and booleans, a unique canary string in other
//!    string fields, `…@trespass.invalid` for
//!    emails) and learns the new id from the response body (`id`, or the
//!    item's parameter name) or the `Location` header;
//! 2. **write**: for each created object, each other identity sends every
//!    `PUT` and `PATCH` of the item path (`/documents/{document_id}`), then
//!    `DELETE`, on that object only. Around each write the owner reads the
//!    object twice before (to learn noise) and once after: the verdicts
//!    decide from those reads, never from the write's status;
//! 3. **clean up**: the owner deletes what is left of what trespass created,
//!    and every object that could not be deleted is reported.
//!
//! **Roles.** `run_active` is told each identity's [`Standing`] on each
//! operation: whether a role rule or the operation's names restrict it, and
//! if so whether the identity's role is allowed. A create by an identity
//! whose role is refused is read back at once ([`CreateProbe`]): by an
//! identity of an allowed role (the reference) when the scan has one, else
//! by the creator itself, so the verdicts can tell a create that took
//! effect from one that only answered 2xx. Every write records the
//! writer's standing, so the verdicts judge a refused role's write as
//! `privilege-escalation` and any other as `bola-write`. A created object
//! whose owner cannot delete it is deleted by an allowed identity, when one
//! exists.
//!
//! Nothing here touches an object trespass did not create. Ids in JSON
//! body fields (`user_id`, `owner_id`) are probed by
//! [`body_fields`](crate::body_fields). Known shortcoming: nested fields
//! other than ids and usernames, of request bodies are not modelled by the
//! inventory, so a `POST` that needs them fails and is reported as not
//! created.

use std::time::{SystemTime, UNIX_EPOCH};

use futures::future::join_all;
use serde_json::{Map, Value};
use trespass_model::{Method, Operation, ParamLocation};
use trespass_transport::{Extras, Presenting, record_with};

use crate::{Context, Observation, Reply, fill};

/// An object trespass created.
#[derive(Clone, Debug)]
pub struct Created {
    /// Index of the identity that created it: its owner.
    pub owner: usize,
    /// The item path template it is read and written at.
    pub path: String,
    /// The template's parameter and the new id.
    pub values: Vec<(String, String)>,
    /// The canary string put into its string fields.
    pub canary: String,
}

/// Where an identity stands on an operation, as far as roles go.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Standing {
    /// No rule or name restricts the operation, or the identity has no
    /// role: its privilege is not judged.
    #[default]
    Unjudged,
    /// The operation is restricted and the identity's role may call it: a
    /// reference for what the operation does.
    Allowed,
    /// The operation is restricted and the identity's role may not call it.
    Refused,
}

/// Each identity's [`Standing`] on an operation, by identity index.
pub type Standings<'a> = &'a (dyn Fn(&Operation, usize) -> Standing + Sync);

/// A create by an identity whose role the operation refuses, and the read
/// that shows whether the object exists.
#[derive(Clone, Debug)]
pub struct CreateProbe {
    /// The `POST` operation.
    pub operation: Operation,
    /// Index of the identity that created.
    pub creator: usize,
    /// The create, which answered 2xx with a new id.
    pub create: Observation,
    /// Text the object must show to prove it was created from this
    /// request: the canary, when the body carried one, else the new id.
    pub marker: String,
    /// The reads of the new object, in order, with the reader's index: an
    /// allowed identity's first when the scan has one, then the creator's
    /// when the first did not show the marker.
    pub reads: Vec<(usize, Observation)>,
}

/// One write of another identity on a created object, with the owner's
/// reads around it.
#[derive(Clone, Debug)]
pub struct WriteProbe {
    /// The write operation.
    pub operation: Operation,
    /// Index into [`ActiveObservations::created`].
    pub object: usize,
    /// Index of the identity that wrote.
    pub writer: usize,
    /// The writer's standing on the write operation: a refused role's
    /// write is judged as `privilege-escalation`, any other as
    /// `bola-write`.
    pub standing: Standing,
    /// The owner's read before the write.
    pub before: Observation,
    /// The same read again, for noise.
    pub before_again: Observation,
    /// The write.
    pub write: Observation,
    /// The owner's read after the write.
    pub after: Observation,
}

/// Everything active mode observed.
#[derive(Clone, Debug, Default)]
pub struct ActiveObservations {
    /// Objects created, in creation order.
    pub created: Vec<Created>,
    /// Creates by identities whose role the operation refuses, read back.
    pub creations: Vec<CreateProbe>,
    /// Writes tried.
    pub writes: Vec<WriteProbe>,
    /// What could not be done, and why.
    pub notes: Vec<String>,
    /// Created objects that could not be deleted at the end.
    pub leftovers: Vec<String>,
}

/// Creates, writes, confirms and cleans up, as the module docs describe.
/// `standings` tells where each identity stands on each operation.
pub async fn run_active(
    context: Context<'_>,
    operations: &[Operation],
    standings: Standings<'_>,
) -> ActiveObservations {
    let mut observed = ActiveObservations::default();
    let run = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() % (1 << 40));

    // Create.
    let creators: Vec<&Operation> = operations
        .iter()
        .filter(|o| o.method == Method::Post && o.path_parameters().next().is_none())
        .collect();
    for create in creators {
        let Some((item_path, param)) = item_of(operations, &create.path) else {
            observed.notes.push(format!(
                "{}: no item path with one id below it, so created objects could not be \
                 read back; not used",
                create.label()
            ));
            continue;
        };
        for owner in 0..context.identities.len() {
            let name = context.identities[owner].name.as_str();
            let canary = format!("trespass-canary-{run:x}-{name}");
            let body = build_body(create, &canary);
            let (observation, location) =
                send(context, create.method, &create.path, owner_of(context, owner), Some(&body))
                    .await;
            match new_id(&observation, location.as_deref(), &param) {
                Some(id) => {
                    let values = vec![(param.clone(), id)];
                    if standings(create, owner) == Standing::Refused {
                        let read = ReadBack { path: &item_path, values: &values, canary: &canary };
                        let probe =
                            read_back(context, create, owner, observation, read, standings).await;
                        observed.creations.push(probe);
                    }
                    observed.created.push(Created {
                        owner,
                        path: item_path.clone(),
                        values,
                        canary,
                    });
                }
                None => observed.notes.push(format!(
                    "{}: {name} could not create an object ({}), so its writes were not tested",
                    create.label(),
                    status_text(&observation)
                )),
            }
        }
    }

    // Write and confirm, one object at a time within, objects side by side.
    let created = observed.created.clone();
    let results = join_all(
        created
            .iter()
            .enumerate()
            .map(|(index, object)| probe_object(context, operations, standings, index, object)),
    )
    .await;
    for (writes, notes, leftover) in results {
        observed.writes.extend(writes);
        observed.notes.extend(notes);
        observed.leftovers.extend(leftover);
    }
    observed
}

/// Where to read a new object back, and the canary its create sent.
struct ReadBack<'a> {
    path: &'a str,
    values: &'a [(String, String)],
    canary: &'a str,
}

/// Reads back an object that `creator`, whose role `create` refuses, has
/// just created: first as an identity the operation allows (the
/// reference), then, unless that read showed it, as the creator. A
/// reference may be refused the item's read where the creator is not, and
/// the creator may be refused it where the reference is not; either read
/// that shows the object is proof.
async fn read_back(
    context: Context<'_>,
    create: &Operation,
    creator: usize,
    observation: Observation,
    read: ReadBack<'_>,
    standings: Standings<'_>,
) -> CreateProbe {
    let sent_canary =
        observation.request.body.as_deref().is_some_and(|body| body.contains(read.canary));
    let marker = match read.values.first() {
        Some((_, id)) if !sent_canary => id.clone(),
        _ => read.canary.to_owned(),
    };
    let reference = (0..context.identities.len())
        .find(|i| *i != creator && standings(create, *i) == Standing::Allowed);
    let concrete = fill(read.path, read.values);
    let mut reads = Vec::new();
    for reader in reference.into_iter().chain([creator]) {
        let (answer, _) =
            send(context, Method::Get, &concrete, owner_of(context, reader), None).await;
        let shown = answer
            .success()
            .is_some_and(|reply| String::from_utf8_lossy(&reply.body).contains(&marker));
        reads.push((reader, answer));
        if shown {
            break;
        }
    }
    CreateProbe { operation: create.clone(), creator, create: observation, marker, reads }
}

/// Every write on one created object, then its clean-up.
async fn probe_object(
    context: Context<'_>,
    operations: &[Operation],
    standings: Standings<'_>,
    index: usize,
    object: &Created,
) -> (Vec<WriteProbe>, Vec<String>, Option<String>) {
    let (mut writes, mut notes) = (Vec::new(), Vec::new());
    let owner = owner_of(context, object.owner);
    let owner_name = context.identities[object.owner].name.as_str();
    let item = |method: Method| {
        operations.iter().find(|o| o.method == method && o.path == object.path).cloned()
    };
    let read = item(Method::Get);
    let ordered: Vec<Operation> =
        [Method::Put, Method::Patch, Method::Delete].into_iter().filter_map(item).collect();
    let concrete = fill(&object.path, &object.values);
    let mut gone = false;

    'writers: for writer in (0..context.identities.len()).filter(|w| *w != object.owner) {
        let writer_name = context.identities[writer].name.as_str();
        for operation in &ordered {
            let Some(read) = &read else { break 'writers };
            // An interrupted scan sends no more probes; the clean-up below
            // still runs.
            if context.client.is_interrupted() {
                break 'writers;
            }
            let (before, _) = send(context, read.method, &concrete, owner, None).await;
            let (before_again, _) = send(context, read.method, &concrete, owner, None).await;
            if before.success().is_none() {
                notes.push(format!(
                    "{}: {owner_name}'s own read of its created object {concrete} answered {}, \
                     so {writer_name}'s write was not tested",
                    operation.label(),
                    status_text(&before)
                ));
                continue;
            }
            let canary = format!("{}-by-{writer_name}", object.canary);
            let body = (operation.method != Method::Delete).then(|| build_body(operation, &canary));
            let (write, _) = send(
                context,
                operation.method,
                &concrete,
                owner_of(context, writer),
                body.as_ref(),
            )
            .await;
            let (after, _) = send(context, read.method, &concrete, owner, None).await;
            gone = after.status().is_some_and(|s| matches!(s, 404 | 410));
            writes.push(WriteProbe {
                operation: operation.clone(),
                object: index,
                writer,
                standing: standings(operation, writer),
                before,
                before_again,
                write,
                after,
            });
            if gone {
                break 'writers;
            }
        }
    }
    if read.is_none() {
        notes.push(format!("{concrete}: no GET to read created objects back; writes not tested"));
    }

    // Clean up: the owner deletes; where its role may not, an identity
    // whose role may does.
    let leftover = if gone {
        None
    } else if let Some(delete) = item(Method::Delete) {
        let deleted = |answer: &Observation| {
            answer.status().is_some_and(|s| (200..300).contains(&s) || matches!(s, 404 | 410))
        };
        let (mut answer, _) = send(context, delete.method, &concrete, owner, None).await;
        let allowed = (0..context.identities.len())
            .find(|i| *i != object.owner && standings(&delete, *i) == Standing::Allowed);
        if let (false, Some(allowed)) = (deleted(&answer), allowed) {
            let by = owner_of(context, allowed);
            answer = send(context, delete.method, &concrete, by, None).await.0;
        }
        (!deleted(&answer)).then(|| {
            format!("{concrete} created for {owner_name}: DELETE answered {}", status_text(&answer))
        })
    } else {
        Some(format!("{concrete} created for {owner_name}: the API documents no DELETE for it"))
    };
    (writes, notes, leftover)
}

/// The item template below a collection path (`/documents` →
/// `/documents/{document_id}`) that a GET reads, and its parameter.
pub(crate) fn item_of(operations: &[Operation], collection: &str) -> Option<(String, String)> {
    operations.iter().filter(|o| o.method == Method::Get).find_map(|o| {
        let rest = o.path.strip_prefix(collection)?.strip_prefix("/{")?;
        let param = rest.strip_suffix('}')?;
        (!param.contains(['/', '{', '}'])).then(|| (o.path.clone(), param.to_owned()))
    })
}

/// A JSON body for `operation` from its body fields: one of the allowed
/// values where the schema lists them (`enum`, `const`: the example when it
/// is one, else the first), examples (or defaults) for numbers and
/// booleans, `canary` in other string fields (an email-shaped one for
/// `format: email`), the example for other formats, an empty object or
/// array for a required one, and nested fields (`/owner/id`) at their
/// JSON pointer. Optional id fields, usernames (`username`, `owner`) and
/// objects and arrays are left out: active mode must not point a new
/// object at someone else's, nor at a user named like a canary.
pub fn build_body(operation: &Operation, canary: &str) -> Value {
    let mut body = Value::Object(Map::new());
    for param in operation.parameters.iter().filter(|p| p.location == ParamLocation::Body) {
        let names_a_user =
            crate::body_fields::field_kind(param) == Some(crate::body_fields::FieldKind::Username);
        let container = matches!(param.schema_type.as_deref(), Some("object" | "array"));
        if !param.required && (param.object_reference || names_a_user || container) {
            continue;
        }
        let example = param.example.as_deref();
        if let Some(choice) = param.choices.first() {
            // Only these values are valid: the example when it is one of
            // them, else the first. The canary cannot go here.
            let choice = example.filter(|e| param.choices.iter().any(|c| c == e)).unwrap_or(choice);
            let typed = match param.schema_type.as_deref() {
                Some("string") | None => None,
                _ => serde_json::from_str::<Value>(choice).ok(),
            };
            let value = typed.unwrap_or_else(|| Value::String(choice.to_owned()));
            crate::body_fields::set_field(&mut body, &param.name, value);
            continue;
        }
        let value = match (param.schema_type.as_deref(), param.format.as_deref()) {
            (Some("object"), _) => Value::Object(Map::new()),
            (Some("array"), _) => Value::Array(Vec::new()),
            (Some("integer" | "number"), _) => example
                .and_then(|e| serde_json::from_str::<Value>(e).ok())
                .filter(Value::is_number)
                .unwrap_or(Value::from(1)),
            (Some("boolean"), _) => Value::Bool(example != Some("false")),
            (_, Some("email")) => Value::String(format!("{canary}@trespass.invalid")),
            (_, Some(_)) if example.is_some() => Value::String(example.unwrap_or_default().into()),
            _ => Value::String(canary.to_owned()),
        };
        crate::body_fields::set_field(&mut body, &param.name, value);
    }
    body
}

/// The id of a created object: the body's `id` or `param` field, else the
/// last segment of `Location`.
pub(crate) fn new_id(
    observation: &Observation,
    location: Option<&str>,
    param: &str,
) -> Option<String> {
    let reply = observation.success()?;
    if let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&reply.body) {
        for key in ["id", param] {
            match body.get(key) {
                Some(Value::Number(n)) => return Some(n.to_string()),
                Some(Value::String(s)) if !s.is_empty() && s.len() <= 128 => {
                    return Some(s.clone());
                }
                _ => {}
            }
        }
    }
    let last = location?.split(['?', '#']).next()?.trim_end_matches('/').rsplit('/').next()?;
    (!last.is_empty()).then(|| last.to_owned())
}

pub(crate) fn owner_of(context: Context<'_>, index: usize) -> Presenting<'_> {
    let identity = &context.identities[index];
    Presenting::Identity { name: &identity.name, credential: &identity.credential }
}

pub(crate) fn status_text(observation: &Observation) -> String {
    match &observation.outcome {
        Ok(reply) => reply.status.to_string(),
        Err(message) => format!("no response: {message}"),
    }
}

/// Sends one request, with a JSON body when given; returns the observation
/// and the `Location` header.
pub(crate) async fn send(
    context: Context<'_>,
    method: Method,
    path: &str,
    presenting: Presenting<'_>,
    body: Option<&Value>,
) -> (Observation, Option<String>) {
    let url = match context.client.url_for(path) {
        Ok(url) => url,
        Err(e) => {
            let request = trespass_model::RecordedRequest::new(method, path, "none");
            return (Observation { request, outcome: Err(e.to_string()) }, None);
        }
    };
    let bytes = body.map(|b| b.to_string().into_bytes());
    let request = record_with(method, &url, presenting, &Extras::default(), bytes.as_deref());
    match context.client.send_json(method, &url, presenting, bytes).await {
        Ok(received) => {
            let text = String::from_utf8_lossy(&received.body);
            let excerpt: String =
                context.redactor.redact(&text).chars().take(crate::EXCERPT_CHARS).collect();
            let reply = Reply {
                status: received.status,
                content_type: received.content_type,
                body: received.body,
                truncated: received.truncated,
                excerpt,
            };
            (Observation { request, outcome: Ok(reply) }, received.location)
        }
        Err(e) => (Observation { request, outcome: Err(e.to_string()) }, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trespass_model::Parameter;

    fn field(name: &str, kind: &str, format: Option<&str>, example: Option<&str>) -> Parameter {
        Parameter {
            name: name.into(),
            choices: Vec::new(),
            location: ParamLocation::Body,
            required: false,
            schema_type: Some(kind.into()),
            format: format.map(str::to_owned),
            example: example.map(str::to_owned),
            object_reference: name.ends_with("_id"),
        }
    }

    fn op(method: Method, path: &str, parameters: Vec<Parameter>) -> Operation {
        Operation {
            method,
            path: path.into(),
            operation_id: None,
            tags: vec![],
            parameters,
            security: vec![],
            responses: vec![],
            source: String::new(),
        }
    }

    #[test]
    fn bodies_carry_the_canary_in_strings_and_leave_optional_ids_out() {
        let create = op(
            Method::Post,
            "/documents",
            vec![
                field("title", "string", None, Some("Quarterly plan")),
                field("email", "string", Some("email"), None),
                field("day", "string", Some("date"), Some("2026-01-01")),
                field("pages", "integer", None, Some("12")),
                field("draft", "boolean", None, None),
                field("owner_id", "integer", None, None),
                field("username", "string", None, None),
                field("tags", "array", None, None),
                field("meta", "object", None, None),
                field("/meta/owner_id", "integer", None, None),
                Parameter { required: true, ..field("owner", "object", None, None) },
                Parameter { required: true, ..field("/owner/id", "integer", None, Some("7")) },
            ],
        );
        assert_eq!(
            build_body(&create, "c-1"),
            serde_json::json!({
                "title": "c-1",
                "email": "c-1@trespass.invalid",
                "day": "2026-01-01",
                "pages": 12,
                "draft": true,
                "owner": {"id": 7},
            })
        );
    }

    #[test]
    fn fields_with_allowed_values_take_one_of_them_not_the_canary() {
        let choose = |kind: &str, choices: &[&str], example: Option<&str>| Parameter {
            choices: choices.iter().map(|c| (*c).to_owned()).collect(),
            ..field("status", kind, None, example)
        };
        let body = |param: Parameter| build_body(&op(Method::Post, "/tasks", vec![param]), "c-1");
        let status = |param| body(param)["status"].clone();
        assert_eq!(status(choose("string", &["open", "done"], None)), "open");
        assert_eq!(status(choose("string", &["open", "done"], Some("done"))), "done");
        // An example the schema does not allow is not used.
        assert_eq!(status(choose("string", &["open", "done"], Some("closed"))), "open");
        assert_eq!(status(choose("integer", &["3", "5"], None)), 3);
        assert_eq!(status(choose("boolean", &["false"], None)), false);
        // A schema without a type: the text as it is.
        let untyped = Parameter { schema_type: None, ..choose("string", &["v2"], None) };
        assert_eq!(status(untyped), "v2");
        // Without choices, a string still carries the canary.
        assert_eq!(status(choose("string", &[], Some("open"))), "c-1");
    }

    #[test]
    fn item_paths_sit_one_id_below_the_collection() {
        let ops = vec![
            op(Method::Get, "/documents", vec![]),
            op(Method::Get, "/documents/{document_id}/versions/{v}", vec![]),
            op(Method::Get, "/documents/{document_id}", vec![]),
        ];
        assert_eq!(
            item_of(&ops, "/documents"),
            Some(("/documents/{document_id}".into(), "document_id".into()))
        );
        assert_eq!(item_of(&ops, "/notes"), None);
    }
}
