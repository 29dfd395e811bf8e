//! Parameters: declared ones, request-body fields, and the schema facts the
//! heuristic needs.
//!
//! [`parameter_list`] reads a `parameters` array (path-level or
//! operation-level) into [`Parameter`]s; [`body_fields`] reads the top-level
//! properties of a JSON or form request body as [`ParamLocation::Body`]
//! parameters, and, inside its nested objects, the fields that name an
//! object or a user (`{"owner": {"id": 1}}`, `{"meta": {"owner_id": 1}}`,
//! `{"author": {"username": "bob"}}`) as body parameters named by their
//! JSON pointer (`/owner/id`), so that active mode can set them. Both resolve internal `$ref`s and read just enough of a schema
//! to learn its type, format and an example, then mark object references
//! with [`is_object_reference`]. A parameter that cannot be read becomes a
//! warning naming where it was (`paths./users/{id}.get.parameters[2]`).

use std::collections::HashSet;
use std::fmt;

use serde_json::Value;
use trespass_model::{ParamLocation, Parameter};

use crate::heuristic::is_object_reference;
use crate::openapi::kind_of;
use crate::refs::Resolver;

/// Deepest `allOf`/`oneOf`/`anyOf` nesting looked into for a schema's type
/// or properties.
const MAX_SCHEMA_DEPTH: usize = 8;

/// Most schemas visited to collect one body's properties or one schema's
/// type. `allOf` lists that fan out cannot make a walk grow beyond this.
const MAX_SCHEMA_VISITS: usize = 256;

/// Deepest object nesting whose fields are read as body parameters: a
/// field of an object inside a top-level field is at depth 1
/// (`/owner/id`).
const MAX_NESTED_DEPTH: usize = 3;

/// Most nested body parameters kept per body: nested fields are kept only
/// when they name an object or a user, and a schema of thousands of
/// properties must not make every operation heavy.
const MAX_NESTED_FIELDS: usize = 32;

/// Nested field names, lowercase without `_` or `-`, that hold a user's
/// natural key and are kept although they are not ids.
const NESTED_NATURAL_KEYS: [&str; 4] = ["username", "login", "handle", "email"];

/// Header parameters that OpenAPI tells readers to ignore.
const IGNORED_HEADERS: [&str; 3] = ["Accept", "Content-Type", "Authorization"];

/// What a parameter list is read for: the operation's path template and
/// where warnings go.
pub(crate) struct Reader<'a, 'w> {
    /// Resolves `$ref`s in the document.
    pub(crate) resolver: Resolver<'a>,
    /// The operation's path template, for the heuristic.
    pub(crate) path: &'a str,
    /// Problems found while reading.
    pub(crate) warnings: &'w mut Vec<String>,
}

/// The parameters of a `parameters` array, skipping (with a warning) any
/// that cannot be read. `here` names the array in warnings.
pub(crate) fn parameter_list(
    reader: &mut Reader<'_, '_>,
    list: Option<&Value>,
    here: &str,
) -> Vec<Parameter> {
    let Some(list) = list else {
        return Vec::new();
    };
    let Some(list) = list.as_array() else {
        reader.warnings.push(format!("{here}: expected an array, found {}", kind_of(list)));
        return Vec::new();
    };
    list.iter()
        .enumerate()
        .filter_map(|(index, value)| parameter(reader, value, &Item { list: here, index }))
        .collect()
}

/// Where one parameter of a list is, for warnings: `{list}[{index}]`,
/// written out only when a warning needs it.
struct Item<'a> {
    list: &'a str,
    index: usize,
}

impl fmt::Display for Item<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]", self.list, self.index)
    }
}

/// One parameter object, or `None` with a warning.
fn parameter(reader: &mut Reader<'_, '_>, value: &Value, here: &Item<'_>) -> Option<Parameter> {
    let value = match reader.resolver.follow(value) {
        Ok(value) => value,
        Err(error) => {
            reader.warnings.push(format!("{here}: {error}"));
            return None;
        }
    };
    if !value.is_object() {
        reader
            .warnings
            .push(format!("{here}: expected a parameter object, found {}", kind_of(value)));
        return None;
    }
    let Some(name) = value.get("name").and_then(Value::as_str) else {
        reader.warnings.push(format!("{here}: parameter has no \"name\" string; ignored"));
        return None;
    };
    let location = match value.get("in").and_then(Value::as_str) {
        Some("path") => ParamLocation::Path,
        Some("query") => ParamLocation::Query,
        Some("header") => ParamLocation::Header,
        Some("cookie") => ParamLocation::Cookie,
        other => {
            let found = other.map_or_else(|| "no \"in\"".to_owned(), |o| format!("\"in\": {o:?}"));
            reader.warnings.push(format!(
                "{here}: parameter {name:?} has {found}, expected path, query, header or cookie; \
                 ignored"
            ));
            return None;
        }
    };

    // OpenAPI says these three header parameters "SHALL be ignored": the
    // media types and the security schemes decide them.
    if location == ParamLocation::Header
        && IGNORED_HEADERS.iter().any(|header| name.eq_ignore_ascii_case(header))
    {
        return None;
    }

    // Path parameters are always required, whatever the document says.
    let required = location == ParamLocation::Path
        || value.get("required").and_then(Value::as_bool).unwrap_or(false);

    // The schema is `schema`, or the one of the first `content` entry.
    let schema = value.get("schema").or_else(|| {
        let content = value.get("content").and_then(Value::as_object)?;
        content.values().next()?.get("schema")
    });
    let schema = schema.and_then(|schema| match reader.resolver.follow(schema) {
        Ok(schema) => Some(schema),
        Err(error) => {
            reader.warnings.push(format!("{here}.schema: {error}"));
            None
        }
    });
    let (schema_type, format) =
        schema.map_or((None, None), |schema| type_and_format(reader.resolver, schema));

    let example = value
        .get("example")
        .and_then(example_text)
        .or_else(|| first_named_example(reader.resolver, value.get("examples")))
        .or_else(|| schema.and_then(schema_example));

    let object_reference =
        is_object_reference(name, location, schema_type.as_deref(), format.as_deref(), reader.path);
    Some(Parameter {
        name: name.to_owned(),
        choices: Vec::new(),
        location,
        required,
        schema_type,
        format,
        example,
        object_reference,
    })
}

/// The top-level properties of a JSON (or form) request body, as body
/// parameters. `here` names the operation in warnings.
pub(crate) fn body_fields(
    reader: &mut Reader<'_, '_>,
    operation: &Value,
    here: &str,
) -> Vec<Parameter> {
    let Some(body) = operation.get("requestBody") else {
        return Vec::new();
    };
    let here = format!("{here}.requestBody");
    let body = match reader.resolver.follow(body) {
        Ok(body) => body,
        Err(error) => {
            reader.warnings.push(format!("{here}: {error}"));
            return Vec::new();
        }
    };
    let Some((media_type, media)) = structured_media(body) else {
        return Vec::new();
    };
    let Some(schema) = media.get("schema") else {
        return Vec::new();
    };
    let here = format!("{here}.content.{media_type}.schema");
    let schema = match reader.resolver.follow(schema) {
        Ok(schema) => schema,
        Err(error) => {
            reader.warnings.push(format!("{here}: {error}"));
            return Vec::new();
        }
    };

    let mut collected = Properties::default();
    collected.collect(reader.resolver, schema, 0);

    let mut fields = Vec::with_capacity(collected.properties.len());
    for (name, property) in collected.properties {
        let property = match reader.resolver.follow(property) {
            Ok(property) => Some(property),
            Err(error) => {
                reader.warnings.push(format!("{here}.properties.{name}: {error}"));
                None
            }
        };

        // The server sets read-only fields; a client does not send them.
        if property.and_then(|p| p.get("readOnly")).and_then(Value::as_bool) == Some(true) {
            continue;
        }
        let (schema_type, format) =
            property.map_or((None, None), |p| type_and_format(reader.resolver, p));
        let example = property.and_then(schema_example);
        let object_reference = is_object_reference(
            name,
            ParamLocation::Body,
            schema_type.as_deref(),
            format.as_deref(),
            reader.path,
        );
        let required = collected.required.contains(name);
        let nested = Nested { pointer: format!("/{}", escape(name)), required, depth: 1 };
        fields.push(Parameter {
            name: name.to_owned(),
            choices: property.map(|p| schema_choices(reader.resolver, p)).unwrap_or_default(),
            location: ParamLocation::Body,
            required,
            schema_type,
            format,
            example,
            object_reference,
        });
        if let Some(property) = property {
            nested_fields(reader, property, &nested, &mut fields);
        }
    }
    fields
}

/// Where a nested object sits in a body: its JSON pointer, whether it is
/// required all the way up, and its depth.
struct Nested {
    pointer: String,
    required: bool,
    depth: usize,
}

/// The fields of the object schema `schema` (at `at`) that name an object
/// or hold a user's natural key, and those of its own nested objects, as
/// body parameters named by their JSON pointer. Other nested fields are
/// not kept: nothing probes them, and active mode leaves out the optional
/// object they sit in.
fn nested_fields(
    reader: &mut Reader<'_, '_>,
    schema: &Value,
    at: &Nested,
    fields: &mut Vec<Parameter>,
) {
    if at.depth > MAX_NESTED_DEPTH {
        return;
    }
    let mut collected = Properties::default();
    collected.collect(reader.resolver, schema, 0);
    let nested =
        |fields: &Vec<Parameter>| fields.iter().filter(|p| p.name.starts_with('/')).count();
    for (name, property) in collected.properties {
        if nested(fields) >= MAX_NESTED_FIELDS {
            return;
        }
        // Broken references were reported where the top-level field was.
        let Ok(property) = reader.resolver.follow(property) else { continue };
        if property.get("readOnly").and_then(Value::as_bool) == Some(true) {
            continue;
        }
        let inner = Nested {
            pointer: format!("{}/{}", at.pointer, escape(name)),
            required: at.required && collected.required.contains(name),
            depth: at.depth + 1,
        };
        let (schema_type, format) = type_and_format(reader.resolver, property);
        let object_reference = is_object_reference(
            name,
            ParamLocation::Body,
            schema_type.as_deref(),
            format.as_deref(),
            reader.path,
        );
        let normalized: String =
            name.chars().filter(|c| !matches!(c, '_' | '-')).flat_map(char::to_lowercase).collect();
        if object_reference || NESTED_NATURAL_KEYS.contains(&normalized.as_str()) {
            fields.push(Parameter {
                name: inner.pointer,
                choices: schema_choices(reader.resolver, property),
                location: ParamLocation::Body,
                required: inner.required,
                schema_type,
                format,
                example: schema_example(property),
                object_reference,
            });
        } else {
            nested_fields(reader, property, &inner, fields);
        }
    }
}

/// A JSON pointer token: `~` as `~0`, `/` as `~1`.
fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// The body's JSON media type if it has one, else its form media type:
/// the kinds of body whose top-level fields a probe can change.
fn structured_media(body: &Value) -> Option<(&str, &Value)> {
    let content = body.get("content")?.as_object()?;
    let rank = |media_type: &str| {
        let essence = media_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        if essence == "application/json" || essence.ends_with("+json") {
            Some(0)
        } else if essence == "application/x-www-form-urlencoded" {
            Some(1)
        } else if essence == "multipart/form-data" {
            Some(2)
        } else {
            None
        }
    };
    content
        .iter()
        .filter_map(|(media_type, media)| Some((rank(media_type)?, media_type.as_str(), media)))
        .min_by_key(|(rank, _, _)| *rank)
        .map(|(_, media_type, media)| (media_type, media))
}

/// Properties gathered from a schema and its `allOf` members, first
/// declaration winning, with the union of their `required` lists.
#[derive(Default)]
struct Properties<'a> {
    properties: Vec<(&'a str, &'a Value)>,
    names: HashSet<&'a str>,
    required: HashSet<&'a str>,
    visits: usize,
}

impl<'a> Properties<'a> {
    fn collect(&mut self, resolver: Resolver<'a>, schema: &'a Value, depth: usize) {
        self.visits += 1;
        if depth > MAX_SCHEMA_DEPTH || self.visits > MAX_SCHEMA_VISITS {
            return;
        }
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            for (name, property) in properties {
                if self.names.insert(name) {
                    self.properties.push((name, property));
                }
            }
        }
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            self.required.extend(required.iter().filter_map(Value::as_str));
        }
        // `oneOf` and `anyOf` are alternatives, not fields every body has,
        // so only `allOf` members contribute.
        for member in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
            if let Ok(member) = resolver.follow(member) {
                self.collect(resolver, member, depth + 1);
            }
        }
    }
}

/// A schema's type and format. OpenAPI 3.1 type lists give their first
/// non-null type (`["integer", "null"]` is `integer`), and a lone `null`
/// type counts as none. A schema without
/// either borrows them from its first `allOf`, `oneOf` or `anyOf` member
/// that has one.
fn type_and_format(resolver: Resolver<'_>, schema: &Value) -> (Option<String>, Option<String>) {
    let mut visits = 0;
    search_type_and_format(resolver, schema, 0, &mut visits)
}

fn search_type_and_format(
    resolver: Resolver<'_>,
    schema: &Value,
    depth: usize,
    visits: &mut usize,
) -> (Option<String>, Option<String>) {
    *visits += 1;
    // `null` says nothing about the values an id can take; a member of a
    // `oneOf: [{type: "null"}, {$ref: ...}]` without it is the real type.
    let schema_type = match schema.get("type") {
        Some(Value::String(single)) if single != "null" => Some(single.clone()),
        Some(Value::Array(types)) => {
            types.iter().filter_map(Value::as_str).find(|t| *t != "null").map(str::to_owned)
        }
        _ => None,
    };
    let format = schema.get("format").and_then(Value::as_str).map(str::to_owned);
    if schema_type.is_some() || format.is_some() {
        return (schema_type, format);
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        for member in schema.get(key).and_then(Value::as_array).into_iter().flatten() {
            if depth >= MAX_SCHEMA_DEPTH || *visits >= MAX_SCHEMA_VISITS {
                return (None, None);
            }
            let Ok(member) = resolver.follow(member) else {
                continue;
            };
            let found = search_type_and_format(resolver, member, depth + 1, visits);
            if found.0.is_some() || found.1.is_some() {
                return found;
            }
        }
    }
    (None, None)
}

/// `example`, or the first of the JSON Schema `examples` list, or the
/// `default`, of a schema.
fn schema_example(schema: &Value) -> Option<String> {
    // A 3.1 `const` is the one value the schema allows: the best example.
    schema
        .get("const")
        .and_then(example_text)
        .or_else(|| schema.get("example").and_then(example_text))
        .or_else(|| {
            schema.get("examples").and_then(Value::as_array)?.first().and_then(example_text)
        })
        .or_else(|| schema.get("default").and_then(example_text))
}

/// Values a schema allows at most: more than that is a list to look up,
/// not a set of choices to build a body from.
const MAX_CHOICES: usize = 64;

/// The values a schema allows (`enum`, a 3.1 `const`), as text, its own or
/// those of an `allOf` member (`allOf: [{$ref: Status}]` is how 3.0 adds a
/// description to a referenced enum); empty when it does not restrict them.
fn schema_choices(resolver: Resolver<'_>, schema: &Value) -> Vec<String> {
    let own = |schema: &Value| -> Option<Vec<String>> {
        if let Some(only) = schema.get("const").and_then(example_text) {
            return Some(vec![only]);
        }
        let values = schema.get("enum")?.as_array()?;
        Some(values.iter().filter_map(example_text).take(MAX_CHOICES).collect())
    };
    own(schema)
        .or_else(|| {
            let members = schema.get("allOf")?.as_array()?;
            members.iter().filter_map(|m| resolver.follow(m).ok()).find_map(own)
        })
        .unwrap_or_default()
}

/// The value of the first entry of an OpenAPI `examples` map.
fn first_named_example(resolver: Resolver<'_>, examples: Option<&Value>) -> Option<String> {
    let first = examples?.as_object()?.values().next()?;
    resolver.follow(first).ok()?.get("value").and_then(example_text)
}

/// An example value as text: strings as they are, other values as JSON.
fn example_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(text) => Some(text.clone()),
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_3_1_const_is_the_example() {
        assert_eq!(schema_example(&json!({"const": "v2", "example": "v1"})).as_deref(), Some("v2"));
        assert_eq!(schema_example(&json!({"examples": [7, 8]})).as_deref(), Some("7"));
        assert_eq!(schema_example(&json!({"type": ["string", "null"]})), None);
    }

    fn read(root: &Value, list: &Value, path: &str) -> (Vec<Parameter>, Vec<String>) {
        let mut warnings = Vec::new();
        let mut reader = Reader { resolver: Resolver::new(root), path, warnings: &mut warnings };
        let found = parameter_list(&mut reader, Some(list), "paths./x.get.parameters");
        (found, warnings)
    }

    fn body(root: &Value, operation: &Value) -> (Vec<Parameter>, Vec<String>) {
        let mut warnings = Vec::new();
        let mut reader =
            Reader { resolver: Resolver::new(root), path: "/things", warnings: &mut warnings };
        let found = body_fields(&mut reader, operation, "paths./things.post");
        (found, warnings)
    }

    #[test]
    fn parameter_reads_schema_facts_and_example() {
        let root = json!({});
        let list = json!([
            {
                "name": "user_id",
                "in": "path",
                "schema": {"type": ["integer", "null"], "format": "int64"},
                "example": 42
            },
            {
                "name": "q",
                "in": "query",
                "required": true,
                "schema": {"type": "string", "example": "cats"}
            },
            {"name": "X-Trace", "in": "header", "examples": {"one": {"value": "abc"}}},
            {"name": "accept", "in": "header"},
            {"name": "Authorization", "in": "header", "required": true},
        ]);
        let (found, warnings) = read(&root, &list, "/users/{user_id}");
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(
            found,
            [
                Parameter {
                    name: "user_id".to_owned(),
                    choices: Vec::new(),
                    location: ParamLocation::Path,
                    required: true,
                    schema_type: Some("integer".to_owned()),
                    format: Some("int64".to_owned()),
                    example: Some("42".to_owned()),
                    object_reference: true,
                },
                Parameter {
                    name: "q".to_owned(),
                    choices: Vec::new(),
                    location: ParamLocation::Query,
                    required: true,
                    schema_type: Some("string".to_owned()),
                    format: None,
                    example: Some("cats".to_owned()),
                    object_reference: false,
                },
                Parameter {
                    name: "X-Trace".to_owned(),
                    choices: Vec::new(),
                    location: ParamLocation::Header,
                    required: false,
                    schema_type: None,
                    format: None,
                    example: Some("abc".to_owned()),
                    object_reference: false,
                },
            ]
        );
    }

    #[test]
    fn parameter_and_schema_refs_are_resolved() {
        let root = json!({"components": {
            "parameters": {
                "Id": {"name": "id", "in": "path", "schema": {"$ref": "#/components/schemas/Uuid"}}
            },
            "schemas": {
                "Uuid": {"allOf": [{"$ref": "#/components/schemas/Raw"}]},
                "Raw": {"type": "string", "format": "uuid"}
            }
        }});
        let list = json!([{"$ref": "#/components/parameters/Id"}]);
        let (found, warnings) = read(&root, &list, "/things/{id}");
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].schema_type.as_deref(), Some("string"));
        assert_eq!(found[0].format.as_deref(), Some("uuid"));
        assert!(found[0].object_reference);
    }

    #[test]
    fn a_null_alternative_does_not_hide_the_real_type() {
        let root = json!({"components": {"schemas": {
            "Snowflake": {"type": "string", "pattern": "^[0-9]+$"}
        }}});
        let list = json!([
            {"name": "team_id", "in": "query", "schema": {"oneOf": [
                {"type": "null"},
                {"$ref": "#/components/schemas/Snowflake"}
            ]}},
            {"name": "nothing", "in": "query", "schema": {"type": "null"}},
        ]);
        let (found, _) = read(&root, &list, "/x");
        assert_eq!(found[0].schema_type.as_deref(), Some("string"));
        assert_eq!(found[1].schema_type, None);
    }

    #[test]
    fn unreadable_parameters_are_warnings() {
        let root = json!({"components": {"parameters": {}}});
        let list = json!([
            {"name": "ok", "in": "query"},
            {"$ref": "#/components/parameters/Nope"},
            {"in": "query"},
            {"name": "b", "in": "body"},
            "text",
            {"$ref": "common.yaml#/components/parameters/Limit"},
            {"name": "s", "in": "query", "schema": {"$ref": "#/components/schemas/Gone"}},
        ]);
        let (found, warnings) = read(&root, &list, "/x");
        assert_eq!(found.len(), 2);
        assert_eq!(found[1].schema_type, None);
        assert_eq!(
            warnings,
            [
                "paths./x.get.parameters[1]: \
                 $ref \"#/components/parameters/Nope\" does not resolve",
                "paths./x.get.parameters[2]: parameter has no \"name\" string; ignored",
                "paths./x.get.parameters[3]: parameter \"b\" has \"in\": \"body\", expected path, \
                 query, header or cookie; ignored",
                "paths./x.get.parameters[4]: expected a parameter object, found a string",
                "paths./x.get.parameters[5]: $ref \
                 \"common.yaml#/components/parameters/Limit\" names another file that could \
                 not be inlined",
                "paths./x.get.parameters[6].schema: \
                 $ref \"#/components/schemas/Gone\" does not resolve",
            ]
        );
    }

    #[test]
    fn body_fields_keep_their_allowed_values_and_defaults() {
        let root = json!({"components": {"schemas": {
            "Status": {"type": "string", "enum": ["open", "done", null]}
        }}});
        let operation = json!({"requestBody": {"content": {"application/json": {"schema": {
            "type": "object",
            "properties": {
                "status": {"allOf": [{"$ref": "#/components/schemas/Status"}], "description": "d"},
                "kind": {"type": "string", "const": "task"},
                "priority": {"type": "integer", "enum": [1, 2, 3], "default": 2},
                "title": {"type": "string", "default": "untitled"}
            }
        }}}}});
        let (found, warnings) = body(&root, &operation);
        assert!(warnings.is_empty(), "{warnings:?}");
        let fields: Vec<(&str, Vec<&str>, Option<&str>)> = found
            .iter()
            .map(|p| {
                let choices = p.choices.iter().map(String::as_str).collect();
                (p.name.as_str(), choices, p.example.as_deref())
            })
            .collect();
        assert_eq!(
            fields,
            [
                ("status", vec!["open", "done"], None),
                ("kind", vec!["task"], Some("task")),
                ("priority", vec!["1", "2", "3"], Some("2")),
                ("title", vec![], Some("untitled")),
            ]
        );
    }

    #[test]
    fn body_fields_come_from_json_object_properties() {
        let root = json!({"components": {
            "requestBodies": {"Thing": {"content": {
                "text/plain": {"schema": {"type": "string"}},
                "application/json; charset=utf-8": {
                    "schema": {"$ref": "#/components/schemas/Thing"}
                }
            }}},
            "schemas": {
                "Base": {"type": "object", "required": ["owner_id"], "properties": {
                    "owner_id": {"type": "integer"},
                    "id": {"type": "integer", "readOnly": true}
                }},
                "Thing": {"allOf": [
                    {"$ref": "#/components/schemas/Base"},
                    {"properties": {
                        "name": {"type": "string", "examples": ["box"]},
                        "owner_id": {"type": "string"}
                    }}
                ]}
            }
        }});
        let operation = json!({"requestBody": {"$ref": "#/components/requestBodies/Thing"}});
        let (found, warnings) = body(&root, &operation);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(
            found,
            [
                Parameter {
                    name: "owner_id".to_owned(),
                    choices: Vec::new(),
                    location: ParamLocation::Body,
                    required: true,
                    schema_type: Some("integer".to_owned()),
                    format: None,
                    example: None,
                    object_reference: true,
                },
                Parameter {
                    name: "name".to_owned(),
                    choices: Vec::new(),
                    location: ParamLocation::Body,
                    required: false,
                    schema_type: Some("string".to_owned()),
                    format: None,
                    example: Some("box".to_owned()),
                    object_reference: false,
                },
            ]
        );
    }

    #[test]
    fn nested_fields_that_name_an_object_or_a_user_are_kept_by_pointer() {
        let root = json!({"components": {"schemas": {
            "Owner": {"type": "object", "required": ["id"], "properties": {
                "id": {"type": "integer"},
                "display": {"type": "string"}
            }}
        }}});
        let operation = json!({"requestBody": {"content": {"application/json": {"schema": {
            "type": "object",
            "required": ["owner", "title"],
            "properties": {
                "title": {"type": "string"},
                "owner": {"$ref": "#/components/schemas/Owner"},
                "meta": {"type": "object", "properties": {
                    "owner_id": {"type": "integer"},
                    "created_at": {"type": "string", "format": "date-time"},
                    "deep": {"properties": {"a~b/c": {"properties": {"author": {
                        "properties": {"user_id": {"type": "integer"}}
                    }}}}},
                    "reviewer": {"properties": {"user_name": {"type": "string"}}},
                    "id": {"type": "integer", "readOnly": true}
                }}
            }
        }}}}});
        let (found, warnings) = body(&root, &operation);
        assert!(warnings.is_empty(), "{warnings:?}");
        let summary: Vec<(&str, bool, bool)> =
            found.iter().map(|p| (p.name.as_str(), p.required, p.object_reference)).collect();
        assert_eq!(
            summary,
            [
                ("title", true, false),
                ("owner", true, false),
                ("/owner/id", true, true),
                ("meta", false, false),
                ("/meta/owner_id", false, true),
                // Depth 4 is beyond the cap: `/meta/deep/a~0b~1c/author/user_id` is not read.
                ("/meta/reviewer/user_name", false, false),
            ]
        );
    }

    #[test]
    fn form_bodies_count_and_other_bodies_do_not() {
        let root = json!({});
        let form = json!({"requestBody": {"content": {"application/x-www-form-urlencoded": {
            "schema": {"type": "object", "properties": {"criteria": {"type": "string"}}}
        }}}});
        assert_eq!(body(&root, &form).0.len(), 1);
        let octets = json!({"requestBody": {"content": {"application/octet-stream": {
            "schema": {"type": "object", "properties": {"a": {}}}
        }}}});
        assert_eq!(body(&root, &octets).0, []);
        let array = json!({"requestBody": {"content": {"application/json": {
            "schema": {"type": "array", "items": {"type": "object", "properties": {"a": {}}}}
        }}}});
        assert_eq!(body(&root, &array).0, []);
    }

    #[test]
    fn body_refs_that_fail_are_warnings() {
        let root = json!({"components": {"schemas": {
            "Loop": {"allOf": [{"$ref": "#/components/schemas/Loop"}]}
        }}});
        let dangling = json!({"requestBody": {"$ref": "#/components/requestBodies/Nope"}});
        let (found, warnings) = body(&root, &dangling);
        assert_eq!(found, []);
        assert_eq!(
            warnings,
            ["paths./things.post.requestBody: \
                 $ref \"#/components/requestBodies/Nope\" does not resolve"]
        );

        // A schema that includes itself through allOf terminates.
        let looping = json!({"requestBody": {"content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Loop"}
        }}}});
        let (found, warnings) = body(&root, &looping);
        assert_eq!((found, warnings), (vec![], vec![]));
    }
}
