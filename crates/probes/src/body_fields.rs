//! Active mode, ids in JSON body fields: can an identity put another
//! identity's id or name into a field that names an owner or a related
//! object (`user_id`, `owner_id`, `username`, `{"owner": {"id": …}}`), and
//! so create an object in the other's name or hand its own object over?
//!
//! [`run_body_fields`] takes every field of the JSON body of a `POST` on a
//! collection and of the `PUT`s and `PATCH`es of its item path that names
//! the object's owner ([`field_kind`]), at the top level or nested (the
//! inventory names nested fields by their JSON pointer, `/meta/owner_id`):
//!
//! - **owner ids**: an object reference whose name, without its id suffix,
//!   is an owner stem ([`OWNER_STEMS`]: `user`, `owner`, `author`,
//!   `account`, `tenant`, `org`, …), such as `user_id`, `ownerId`,
//!   `/meta/owner_id` or `/owner/id` (a nested plain `id` takes its
//!   object's name). The victim's ids are those discovery fits to that
//!   name; a field named for a person (`owner`, `author`, `creator`,
//!   `member`) takes user ids too;
//! - **natural keys**: a string field that names a user by name rather
//!   than by id: `username`, `login`, `handle`, `email`, those prefixed by
//!   an owner stem (`owner_username`, `author_email`, `/owner/login`), and
//!   a bare person stem (`user`, `owner`, `author`, `account`). The
//!   victim's values are the usernames, logins and handles (or emails) that
//!   discovery saw the victim alone own, its `/me` typically.
//!
//! Fields that point elsewhere by design (`recipient_id`, `to_account_id`,
//! `assignee`, `to_user`, `reviewer_email`) have no owner stem and are left
//! alone: another identity's id there is the point of them. For every pair
//! (writer, victim) of identities for which discovery knows a value of the
//! victim's own (not shared, not the writer's), it sends:
//!
//! - **create in another's name**: the writer's `POST` with the field set
//!   to the victim's value;
//! - **hand over**: on an object the writer has just created for this
//!   probe, and read once (before), the writer's `PUT` or `PATCH` with the
//!   field set to the victim's value.
//!
//! After each write the writer reads the object again, and so does the
//! victim: the verdict (`bola-write` on a body field) rests on those reads
//! showing the field, at the same JSON pointer, now holding the victim's
//! value, never on the write's status. Each object is then deleted by
//! whichever of the two can. Only objects trespass created for the probe
//! are written; no object of the victim's is touched.

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
    /// The body field set to the victim's value: its name, or for a
    /// nested field its JSON pointer (`/owner/id`).
    pub field: String,
    /// Index of the identity that wrote.
    pub writer: usize,
    /// Index of the identity whose id was put in the field.
    pub victim: usize,
    /// The victim's id or natural key (`bob`), as text.
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
            for (field, kind) in owner_fields(write, &item.param) {
                let names = candidate_names(&field.name, kind);
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                let candidates = discovery.candidates_named(write, &names);
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

/// Owner stems that name a person, so that their ids are user ids and a
/// bare string field so named (`"owner": "bob"`) holds a username.
/// `account` and `customer` are here for the string form only: as ids they
/// have collections of their own.
const PERSON_STEMS: [&str; 8] =
    ["user", "owner", "author", "creator", "createdby", "member", "account", "customer"];

/// Normalized field names that hold a user's name rather than its id.
const NAME_KEYS: [&str; 3] = ["username", "login", "handle"];

/// Object keys that wrap fields without naming anything (`/meta/owner_id`
/// is `owner_id`, `/data/username` is `username`).
const WRAPPERS: [&str; 7] =
    ["meta", "metadata", "data", "attributes", "properties", "info", "details"];

/// What a body field names, and so which discovered values go into it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FieldKind {
    /// An id of the object's owner (`user_id`, `/owner/id`).
    OwnerId,
    /// A username, login or handle of the owner (`username`, `owner`).
    Username,
    /// An email address of the owner (`email`, `owner_email`).
    Email,
}

/// Body fields that name the object's owner, with what they hold, the
/// item's own id excepted.
fn owner_fields<'o>(write: &'o Operation, item_param: &str) -> Vec<(&'o Parameter, FieldKind)> {
    write
        .parameters
        .iter()
        .filter(|p| p.name != item_param)
        .filter_map(|p| Some((p, field_kind(p)?)))
        .collect()
}

/// What a body field holds, when it names the object's owner: an id
/// (an object reference named for an owner, [`OWNER_STEMS`]) or a natural
/// key (a string named for a username, login, handle or email, bare or
/// after an owner stem, or a bare person stem). `None` for every other
/// field, and for fields that name someone else on purpose (`recipient`,
/// `to_user`, `assignee_id`).
pub(crate) fn field_kind(param: &Parameter) -> Option<FieldKind> {
    if param.location != ParamLocation::Body {
        return None;
    }
    let name = qualified_name(&param.name);
    if param.object_reference {
        return names_an_owner(&name).then_some(FieldKind::OwnerId);
    }
    if !matches!(param.schema_type.as_deref(), None | Some("string")) {
        return None;
    }
    let after_owner = |key: &str| {
        name.strip_suffix(key).is_some_and(|stem| stem.is_empty() || OWNER_STEMS.contains(&stem))
    };
    if after_owner("email") {
        Some(FieldKind::Email)
    } else if NAME_KEYS.iter().any(|key| after_owner(key)) || PERSON_STEMS.contains(&name.as_str())
    {
        Some(FieldKind::Username)
    } else {
        None
    }
}

/// A body field's name as [`field_kind`] judges it, normalized: its own
/// for a top-level field; for a nested one (`/owner/id`), its last
/// segment, after its object's name when the segment alone says only
/// what kind of value it is (`ownerid`, `authorusername`), generic
/// wrappers (`meta`, `data`) aside.
fn qualified_name(name: &str) -> String {
    let Some(pointer) = name.strip_prefix('/') else {
        return trespass_discovery::normalize(name);
    };
    let segments: Vec<String> = pointer
        .split('/')
        .map(|s| trespass_discovery::normalize(&s.replace("~1", "/").replace("~0", "~")))
        .collect();
    let leaf = segments.last().cloned().unwrap_or_default();
    let bare = matches!(leaf.as_str(), "id" | "uuid" | "guid" | "email")
        || NAME_KEYS.contains(&leaf.as_str());
    let parent = segments.iter().rev().skip(1).find(|s| !WRAPPERS.contains(&s.as_str()));
    match parent {
        Some(parent) if bare => format!("{parent}{leaf}"),
        _ => leaf,
    }
}

/// Whether a normalized field name, without its id suffix, is one of
/// [`OWNER_STEMS`].
fn names_an_owner(normalized: &str) -> bool {
    OWNER_STEMS.contains(&id_stem(normalized))
}

/// A normalized name without its id suffix (`ownerid` → `owner`).
fn id_stem(normalized: &str) -> &str {
    ["uuid", "guid", "id"]
        .iter()
        .find_map(|suffix| normalized.strip_suffix(suffix))
        .unwrap_or(normalized)
}

/// The names whose discovered values go into a field of `kind`: an owner
/// id's own name (and, for a person, `user_id`), the names users go by,
/// or `email`.
fn candidate_names(field: &str, kind: FieldKind) -> Vec<String> {
    match kind {
        FieldKind::OwnerId => {
            let name = qualified_name(field);
            let person = PERSON_STEMS[..6].contains(&id_stem(&name));
            let mut names = vec![name];
            if person && names[0] != "userid" {
                names.push("userid".to_owned());
            }
            names
        }
        FieldKind::Username => NAME_KEYS.iter().map(|k| (*k).to_owned()).collect(),
        FieldKind::Email => vec!["email".to_owned()],
    }
}

/// Sets `field` of a JSON object body to `value`: a top-level field by
/// name, a nested one (`/owner/id`) by JSON pointer, making the objects on
/// the way (and replacing anything on the way that is not one).
pub(crate) fn set_field(body: &mut Value, field: &str, value: Value) {
    let tokens: Vec<String> = match field.strip_prefix('/') {
        Some(pointer) => {
            pointer.split('/').map(|t| t.replace("~1", "/").replace("~0", "~")).collect()
        }
        None => vec![field.to_owned()],
    };
    let Some((last, parents)) = tokens.split_last() else { return };
    let mut object = body;
    for token in parents {
        if !object.is_object() {
            *object = Value::Object(serde_json::Map::new());
        }
        // Just made an object if it was not one.
        let Value::Object(fields) = object else { return };
        object = fields.entry(token.clone()).or_insert_with(|| Value::Object(Default::default()));
    }
    if !object.is_object() {
        *object = Value::Object(serde_json::Map::new());
    }
    if let Value::Object(fields) = object {
        fields.insert(last.clone(), value);
    }
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
        set_field(&mut body, &self.field.name, value);
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
    use super::*;

    fn field(name: &str, kind: Option<&str>, object_reference: bool) -> Parameter {
        Parameter {
            name: name.into(),
            choices: Vec::new(),
            location: ParamLocation::Body,
            required: false,
            schema_type: kind.map(str::to_owned),
            format: None,
            example: None,
            object_reference,
        }
    }

    fn kind(name: &str, schema_type: Option<&str>) -> Option<FieldKind> {
        // As the inventory marks them: names that say id are references.
        let reference = ["id", "Id", "_uuid"].iter().any(|s| name.ends_with(s));
        field_kind(&field(name, schema_type, reference))
    }

    #[test]
    fn owner_fields_are_named_for_an_owner_and_relations_are_not() {
        for name in [
            "user_id",
            "owner_id",
            "ownerId",
            "author_id",
            "account_id",
            "tenantId",
            "org_uuid",
            "/meta/owner_id",
            "/owner/id",
            "/data/attributes/user_id",
        ] {
            assert_eq!(kind(name, Some("integer")), Some(FieldKind::OwnerId), "{name}");
        }
        for name in [
            "recipient_id",
            "to_account_id",
            "assignee_id",
            "product_id",
            "id",
            "parent_id",
            "/recipient/id",
            "/data/id",
            "/meta/id",
        ] {
            assert_eq!(kind(name, Some("integer")), None, "{name}");
        }
    }

    #[test]
    fn natural_keys_are_strings_that_name_the_owner_and_relations_are_not() {
        let username = Some(FieldKind::Username);
        let email = Some(FieldKind::Email);
        for (name, expected) in [
            ("username", username),
            ("user_name", username),
            ("login", username),
            ("handle", username),
            ("user", username),
            ("owner", username),
            ("author", username),
            ("account", username),
            ("owner_username", username),
            ("authorLogin", username),
            ("/owner/username", username),
            ("/meta/username", username),
            ("email", email),
            ("owner_email", email),
            ("/author/email", email),
        ] {
            assert_eq!(kind(name, Some("string")), expected, "{name}");
            assert_eq!(kind(name, None), expected, "{name} untyped");
        }
        for name in [
            "recipient",
            "to_user",
            "assignee",
            "reviewer",
            "to_email",
            "cc_email",
            "recipient_username",
            "/recipient/username",
            "name",
            "display_name",
            "user_agent",
            "tenant",
            "title",
        ] {
            assert_eq!(kind(name, Some("string")), None, "{name}");
        }
        // A number or an object named `owner` is no username.
        assert_eq!(kind("owner", Some("integer")), None);
        assert_eq!(kind("owner", Some("object")), None);
        // Only body fields count.
        let query = Parameter { location: ParamLocation::Query, ..field("username", None, false) };
        assert_eq!(field_kind(&query), None);
    }

    #[test]
    fn candidates_come_from_the_names_the_value_goes_by() {
        assert_eq!(candidate_names("user_id", FieldKind::OwnerId), ["userid"]);
        assert_eq!(candidate_names("/owner/id", FieldKind::OwnerId), ["ownerid", "userid"]);
        assert_eq!(candidate_names("account_id", FieldKind::OwnerId), ["accountid"]);
        assert_eq!(candidate_names("owner", FieldKind::Username), ["username", "login", "handle"]);
        assert_eq!(candidate_names("owner_email", FieldKind::Email), ["email"]);
    }

    #[test]
    fn fields_are_set_at_their_pointer() {
        let mut body = serde_json::json!({"title": "t", "owner": "not an object"});
        set_field(&mut body, "username", Value::from("bob"));
        set_field(&mut body, "/meta/owner_id", Value::from(2));
        set_field(&mut body, "/owner/id", Value::from(2));
        set_field(&mut body, "/a~1b/c~0d", Value::from(1));
        assert_eq!(
            body,
            serde_json::json!({
                "title": "t",
                "owner": {"id": 2},
                "username": "bob",
                "meta": {"owner_id": 2},
                "a/b": {"c~d": 1},
            })
        );
    }
}
