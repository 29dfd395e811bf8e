//! Active mode, ids in JSON body fields: can an identity put another
//! identity's id into a field that names an owner or a related object
//! (`user_id`, `owner_id`, `account_id`), and so create an object in the
//! other's name or hand its own object over?
//!
//! [`run_body_fields`] takes every field of the JSON body of a `POST` on a
//! collection and of the `PUT`s and `PATCH`es of its item path that names
//! an owner (an object reference whose stem is `user`, `owner`, `author`,
//! `account`, `tenant`, `org`, … [`OWNER_STEMS`]; not `recipient_id` or
//! `to_account_id`, where another's id is the point), and for every pair
//! (writer, victim) of identities for which
//! discovery knows an id of the victim's own (not shared, not the
//! writer's), sends:
//!
//! - **create in another's name**: the writer's `POST` with the field set
//!   to the victim's id;
//! - **hand over**: on an object the writer has just created for this
//!   probe, and read once (before), the writer's `PUT` or `PATCH` with the
//!   field set to the victim's id.
//!
//! After each write the writer reads the object again, and so does the
//! victim: the verdict (`bola-write` on a body field) rests on those reads
//! showing the field now holding the victim's id, never on the write's
//! status. Each object is then deleted by whichever of the two can. Only
//! objects trespass created for the probe are written; no object of the
//! victim's is touched.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;
use trespass_discovery::Discovery;
use trespass_model::{Method, Operation, ParamLocation, Parameter};

use crate::active::{build_body, item_of, new_id, owner_of, send, status_text};
use crate::{Context, Observation, fill};

/// One write that put the victim's id into a body field, and the reads
/// around it.
#[derive(Clone, Debug)]
pub struct BodyFieldProbe {
    /// The write operation (`POST /documents`, `PUT /documents/{id}`).
    pub operation: Operation,
    /// The body field set to the victim's id.
    pub field: String,
    /// Index of the identity that wrote.
    pub writer: usize,
    /// Index of the identity whose id was put in the field.
    pub victim: usize,
    /// The victim's id, as text.
    pub value: String,
    /// The writer's read of its object before the write (`PUT`, `PATCH`).
    pub before: Option<Observation>,
    /// The write.
    pub write: Observation,
    /// The writer's read afterwards, when an object was there to read.
    pub after_writer: Option<Observation>,
    /// The victim's read afterwards, when an object was there to read.
    pub after_victim: Option<Observation>,
}

/// Everything the body-field probes observed.
#[derive(Clone, Debug, Default)]
pub struct BodyFieldObservations {
    /// The writes, in the order sent.
    pub probes: Vec<BodyFieldProbe>,
    /// Objects created for them.
    pub created: usize,
    /// What could not be done, and why.
    pub notes: Vec<String>,
    /// Created objects that could not be deleted at the end.
    pub leftovers: Vec<String>,
}

/// What one write needs: the collection's create, the item path and its
/// parameter, and the item's read and delete.
struct Item<'a> {
    create: &'a Operation,
    path: String,
    param: String,
    read: &'a Operation,
    delete: Option<&'a Operation>,
}

/// Sends the body-field probes, as the module docs describe. Run in active
/// mode only: every request but the reads carries a body.
pub async fn run_body_fields(
    context: Context<'_>,
    operations: &[Operation],
    discovery: &Discovery,
) -> BodyFieldObservations {
    let mut observed = BodyFieldObservations::default();
    let run = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() % (1 << 40));
    let identities = context.identities.len();

    let creators = operations
        .iter()
        .filter(|o| o.method == Method::Post && o.path_parameters().next().is_none());
    for create in creators {
        let Some((path, param)) = item_of(operations, &create.path) else { continue };
        let find =
            |method: Method| operations.iter().find(|o| o.method == method && o.path == path);
        let Some(read) = find(Method::Get) else { continue };
        let item = Item { create, path: path.clone(), param, read, delete: find(Method::Delete) };
        let writes = std::iter::once(create)
            .chain([Method::Put, Method::Patch].into_iter().filter_map(find));
        for write in writes {
            for field in owner_fields(write, &item.param) {
                let candidates = discovery.candidates(write, field);
                for writer in 0..identities {
                    for victim in (0..identities).filter(|v| *v != writer) {
                        let owned = candidates.iter().find(|c| {
                            !c.is_shared(identities)
                                && c.owners.contains(&victim)
                                && !c.owners.contains(&writer)
                        });
                        let Some(value) = owned.map(|c| c.value.clone()) else {
                            continue;
                        };
                        let canary = format!(
                            "trespass-canary-{run:x}-{}-as-{}",
                            context.identities[writer].name.as_str(),
                            context.identities[victim].name.as_str()
                        );
                        let target = Target { write, field, writer, victim, value, canary };
                        let probe = if write.method == Method::Post {
                            create_in_name(context, &item, target, &mut observed).await
                        } else {
                            hand_over(context, &item, target, &mut observed).await
                        };
                        observed.probes.extend(probe);
                    }
                }
            }
        }
    }
    observed
}

/// What an owner field's name says once its id suffix is gone: who owns
/// or holds the object. A field that points elsewhere by design
/// (`recipient_id`, `to_account_id`, `assignee_id`) has another stem and
/// is left alone, since another identity's id there is the point of it.
const OWNER_STEMS: [&str; 13] = [
    "user",
    "owner",
    "author",
    "creator",
    "createdby",
    "account",
    "customer",
    "tenant",
    "org",
    "organization",
    "organisation",
    "member",
    "profile",
];

/// Body fields that name the object's owner (`user_id`, `owner_id`,
/// `accountId`), the item's own id excepted.
fn owner_fields<'o>(write: &'o Operation, item_param: &str) -> Vec<&'o Parameter> {
    write
        .parameters
        .iter()
        .filter(|p| p.location == ParamLocation::Body && p.object_reference)
        .filter(|p| p.name != item_param && names_an_owner(&p.name))
        .collect()
}

/// Whether a field name, without its id suffix, is one of [`OWNER_STEMS`].
fn names_an_owner(name: &str) -> bool {
    let normalized = trespass_discovery::normalize(name);
    let stem = ["uuid", "guid", "id"]
        .iter()
        .find_map(|suffix| normalized.strip_suffix(suffix))
        .unwrap_or(&normalized);
    OWNER_STEMS.contains(&stem)
}

/// One probe's write, field, pair and value.
struct Target<'a> {
    write: &'a Operation,
    field: &'a Parameter,
    writer: usize,
    victim: usize,
    value: String,
    canary: String,
}

impl Target<'_> {
    /// The write's body with the field set to the victim's id, typed as the
    /// field's schema says.
    fn body(&self) -> Value {
        let mut body = build_body(self.write, &self.canary);
        let numeric = matches!(self.field.schema_type.as_deref(), Some("integer" | "number"));
        let value = match self.value.parse::<serde_json::Number>() {
            Ok(number) if numeric => Value::Number(number),
            _ => Value::String(self.value.clone()),
        };
        if let Value::Object(fields) = &mut body {
            fields.insert(self.field.name.clone(), value);
        }
        body
    }

    fn probe(&self, before: Option<Observation>, write: Observation) -> BodyFieldProbe {
        BodyFieldProbe {
            operation: self.write.clone(),
            field: self.field.name.clone(),
            writer: self.writer,
            victim: self.victim,
            value: self.value.clone(),
            before,
            write,
            after_writer: None,
            after_victim: None,
        }
    }
}

/// The writer's `POST` with the victim's id in the field.
async fn create_in_name(
    context: Context<'_>,
    item: &Item<'_>,
    target: Target<'_>,
    observed: &mut BodyFieldObservations,
) -> Option<BodyFieldProbe> {
    let body = target.body();
    let writer = owner_of(context, target.writer);
    let (write, location) =
        send(context, Method::Post, &item.create.path, writer, Some(&body)).await;
    let mut probe = target.probe(None, write);
    // Refused, or created without an id to read it back by: nothing to
    // confirm, and nothing (known) to delete.
    let Some(id) = new_id(&probe.write, location.as_deref(), &item.param) else {
        return Some(probe);
    };
    observed.created += 1;
    let concrete = fill(&item.path, &[(item.param.clone(), id)]);
    read_after(context, item, &concrete, &mut probe).await;
    clean_up(context, item, &concrete, &target, observed).await;
    Some(probe)
}

/// On an object the writer creates for the purpose, the writer's `PUT` or
/// `PATCH` with the victim's id in the field.
async fn hand_over(
    context: Context<'_>,
    item: &Item<'_>,
    target: Target<'_>,
    observed: &mut BodyFieldObservations,
) -> Option<BodyFieldProbe> {
    let writer = owner_of(context, target.writer);
    let plain = build_body(item.create, &target.canary);
    let (created, location) =
        send(context, Method::Post, &item.create.path, writer, Some(&plain)).await;
    let Some(id) = new_id(&created, location.as_deref(), &item.param) else {
        observed.notes.push(format!(
            "{}: {} could not create an object ({}), so `{}` of {} was not tested",
            item.create.label(),
            context.identities[target.writer].name,
            status_text(&created),
            target.field.name,
            target.write.label()
        ));
        return None;
    };
    observed.created += 1;
    let concrete = fill(&item.path, &[(item.param.clone(), id)]);
    let (before, _) = send(context, item.read.method, &concrete, writer, None).await;
    let body = target.body();
    let (write, _) = send(context, target.write.method, &concrete, writer, Some(&body)).await;
    let mut probe = target.probe(Some(before), write);
    read_after(context, item, &concrete, &mut probe).await;
    clean_up(context, item, &concrete, &target, observed).await;
    Some(probe)
}

/// The writer's and the victim's reads of the object after the write.
async fn read_after(
    context: Context<'_>,
    item: &Item<'_>,
    concrete: &str,
    probe: &mut BodyFieldProbe,
) {
    let method = item.read.method;
    let (writer, _) = send(context, method, concrete, owner_of(context, probe.writer), None).await;
    let (victim, _) = send(context, method, concrete, owner_of(context, probe.victim), None).await;
    probe.after_writer = Some(writer);
    probe.after_victim = Some(victim);
}

/// Deletes the object as the writer, else as the victim (whose it may
/// now be), and records it when neither could.
async fn clean_up(
    context: Context<'_>,
    item: &Item<'_>,
    concrete: &str,
    target: &Target<'_>,
    observed: &mut BodyFieldObservations,
) {
    let writer_name = &context.identities[target.writer].name;
    let Some(delete) = item.delete else {
        observed.leftovers.push(format!(
            "{concrete} created for {writer_name}: the API documents no DELETE for it"
        ));
        return;
    };
    let mut answers = Vec::new();
    for who in [target.writer, target.victim] {
        let (deleted, _) =
            send(context, delete.method, concrete, owner_of(context, who), None).await;
        if deleted.success().is_some() {
            return;
        }
        answers.push(status_text(&deleted));
    }
    observed.leftovers.push(format!(
        "{concrete} created for {writer_name}: DELETE answered {}",
        answers.join(" and ")
    ));
}

#[cfg(test)]
mod tests {
    use super::names_an_owner;

    #[test]
    fn owner_fields_are_named_for_an_owner_and_relations_are_not() {
        for name in
            ["user_id", "owner_id", "ownerId", "author_id", "account_id", "tenantId", "org_uuid"]
        {
            assert!(names_an_owner(name), "{name}");
        }
        for name in
            ["recipient_id", "to_account_id", "assignee_id", "product_id", "id", "parent_id"]
        {
            assert!(!names_an_owner(name), "{name}");
        }
    }
}
