//! An API description held as its root fields plus its path items as text.
//!
//! Most of a large description is its `paths`: thousands of small objects,
//! which as one [`serde_json::Value`] tree cost ten to thirty times their
//! size in memory (every object is an order-preserving map). A
//! [`Document`] keeps everything else as a `Value` (`info`, `servers`,
//! `components`, Swagger's `definitions`: what `$ref`s point into) and each
//! path item as its compact JSON text. The reader in [`crate::openapi`]
//! then turns one path item at a time into a `Value`, reads its operations
//! and drops it, so the memory a load needs grows with the components, not
//! with the number of operations. Each item is still the same `Value` it
//! always was, so serde_json stays the one in-memory form of a document.
//!
//! How an item becomes the `Value` that is read ([`Document::item`]): its
//! text is parsed, `$ref`s to other files in it are inlined (see
//! [`crate::bundle`]), and a Swagger 2.0 item is rewritten into the OpenAPI
//! 3 shape (see [`crate::swagger`]), in the order a whole document used to
//! go through them. A `$ref` that points into `paths` (`#/paths/~1a/get`)
//! makes the item it names on demand and keeps it for the rest of the load
//! ([`Document::referenced_item`]).
//!
//! JSON text is read in one pass with the path items kept as raw text
//! (serde_json's `RawValue`, which checks the syntax as it goes, so syntax
//! errors keep their line and column); YAML path items are parsed and
//! written back as compact JSON one at a time.

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::bundle::Bundler;
use crate::swagger;

/// A parsed description: the root without `paths`, and the path items.
pub(crate) struct Document {
    /// The root object without its `paths` field; any other value when the
    /// document is not an object at all.
    pub(crate) root: Value,
    /// What the document's `paths` field holds.
    pub(crate) paths: Paths,
    /// The index in [`Paths::Items`] of each path key.
    index: HashMap<String, usize>,
    /// Inlines other files' `$ref`s into each item, when loaded from a file.
    bundler: Option<RefCell<Bundler>>,
    /// Whether the path items came from another file with their own
    /// references to files already inlined.
    items_inlined: bool,
    /// The document's `consumes`, once a Swagger 2.0 root was rewritten.
    swagger_consumes: Option<Vec<String>>,
}

/// What a document's `paths` field holds.
pub(crate) enum Paths {
    /// There is no `paths` field.
    Missing,
    /// `paths` is not an object; the kind of value it is instead.
    NotAnObject(&'static str),
    /// The path items, in document order.
    Items(Vec<PathItem>),
}

/// One entry of `paths`.
pub(crate) struct PathItem {
    /// The path template, as the key of `paths`.
    pub(crate) key: String,
    /// The item as compact JSON text.
    text: Box<RawValue>,
    /// The item as read, once a `$ref` into `paths` has needed it.
    referenced: OnceCell<Value>,
}

impl Document {
    /// A document from a value already parsed (a spec fetched as JSON).
    pub(crate) fn from_value(doc: Value) -> Document {
        let Value::Object(mut root) = doc else {
            return Document::new(doc, Paths::Missing);
        };
        let paths = match root.shift_remove("paths") {
            None => Paths::Missing,
            Some(Value::Object(items)) => Paths::Items(
                items.into_iter().map(|(key, item)| PathItem::new(key, compact(&item))).collect(),
            ),
            Some(other) => Paths::NotAnObject(kind_of(&other)),
        };
        Document::new(Value::Object(root), paths)
    }

    fn new(root: Value, paths: Paths) -> Document {
        let index = match &paths {
            Paths::Items(items) => {
                items.iter().enumerate().map(|(at, item)| (item.key.clone(), at)).collect()
            }
            Paths::Missing | Paths::NotAnObject(_) => HashMap::new(),
        };
        Document { root, paths, index, bundler: None, items_inlined: false, swagger_consumes: None }
    }

    /// Inlines other files' `$ref`s with `bundler`: those of the root now,
    /// those of each path item as it is read. A `paths` field that is
    /// itself a reference to a file is replaced by that file's paths, whose
    /// references are inlined with it, relative to that file.
    pub(crate) fn inline_files(&mut self, mut bundler: Bundler) {
        bundler.inline(&mut self.root);
        if let Paths::Items(items) = &self.paths
            && let [only] = items.as_slice()
            && only.key == "$ref"
        {
            let reference = serde_json::from_str(only.text.get()).unwrap_or(Value::Null);
            let mut paths = Value::Object(Map::from_iter([("$ref".to_owned(), reference)]));
            bundler.inline(&mut paths);
            if let Value::Object(items) = paths
                && !items.contains_key("$ref")
            {
                let items = items.into_iter().map(|(key, item)| PathItem::new(key, compact(&item)));
                let root = std::mem::take(&mut self.root);
                *self = Document::new(root, Paths::Items(items.collect()));
                self.bundler = Some(RefCell::new(bundler));
                self.items_inlined = true;
                return;
            }
        }
        self.bundler = Some(RefCell::new(bundler));
    }

    /// Whether the document declares Swagger 2.x.
    pub(crate) fn is_swagger_2(&self) -> bool {
        swagger::is_swagger_2(&self.root)
    }

    /// Rewrites a Swagger 2.0 root into the OpenAPI 3.0 shape now, and each
    /// path item as it is read. The caller has checked
    /// [`is_swagger_2`](Self::is_swagger_2).
    pub(crate) fn upgrade_swagger(&mut self) {
        self.swagger_consumes = Some(swagger::upgrade_root(&mut self.root));
    }

    /// Path item number `at`, read: parsed, other files inlined, and
    /// rewritten from Swagger 2.0. The caller owns it and drops it when its
    /// operations are read.
    pub(crate) fn item(&self, item: &PathItem) -> Value {
        // The text was checked by the parser or written by serde_json; it
        // parses, and a null stands for it if it ever did not.
        let mut value = serde_json::from_str(item.text.get()).unwrap_or(Value::Null);
        if let Some(bundler) = self.bundler.as_ref().filter(|_| !self.items_inlined)
            && let Ok(mut bundler) = bundler.try_borrow_mut()
        {
            bundler.inline(&mut value);
        }
        if let Some(consumes) = &self.swagger_consumes {
            let shared = self.root.get("parameters").unwrap_or(&Value::Null);
            swagger::path_item(&mut value, shared, consumes);
        }
        value
    }

    /// The path item under `key`, as a `$ref` into `paths` needs it: read
    /// once and kept for the rest of the load.
    pub(crate) fn referenced_item(&self, key: &str) -> Option<&Value> {
        let Paths::Items(items) = &self.paths else {
            return None;
        };
        let item = items.get(*self.index.get(key)?)?;
        Some(item.referenced.get_or_init(|| self.item(item)))
    }

    /// What the bundler had to say, taken out: files it could not read,
    /// pointers that named nothing.
    pub(crate) fn take_bundle_warnings(&self) -> Vec<String> {
        let Some(bundler) = &self.bundler else {
            return Vec::new();
        };
        bundler.try_borrow_mut().map(|mut bundler| bundler.take_warnings()).unwrap_or_default()
    }

    /// The item already read for a `$ref` into `paths`, if one was.
    pub(crate) fn already_read<'d>(&'d self, item: &'d PathItem) -> Option<&'d Value> {
        item.referenced.get()
    }
}

impl PathItem {
    fn new(key: String, text: Box<RawValue>) -> PathItem {
        PathItem { key, text, referenced: OnceCell::new() }
    }
}

/// A value as compact JSON text.
fn compact(value: &Value) -> Box<RawValue> {
    // A `Value` always serialises: its keys are strings and its numbers
    // finite. An empty object stands in if that ever changed.
    serde_json::value::to_raw_value(value).unwrap_or_else(|_| empty_object())
}

fn empty_object() -> Box<RawValue> {
    // `{}` is valid JSON, so this cannot fail; `null` would be the same.
    RawValue::from_string("{}".to_owned()).unwrap_or_else(|_| RawValue::NULL.to_owned())
}

/// What a JSON value is, with its article, for messages.
fn kind_of(value: &Value) -> &'static str {
    crate::openapi::kind_of(value)
}

/// How a syntax reads one path item into raw JSON text.
pub(crate) trait ItemText {
    /// Reads the map's next value as a path item.
    fn next_item<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Box<RawValue>, A::Error>;
}

/// JSON: the item's text as it stands in the document.
pub(crate) struct JsonItems;

impl ItemText for JsonItems {
    fn next_item<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Box<RawValue>, A::Error> {
        map.next_value()
    }
}

/// Any other syntax (YAML): the item parsed, then written as JSON.
pub(crate) struct ValueItems;

impl ItemText for ValueItems {
    fn next_item<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Box<RawValue>, A::Error> {
        let value: Value = map.next_value()?;
        serde_json::value::to_raw_value(&value).map_err(de::Error::custom)
    }
}

/// A [`Document`] read straight from a parser, path items as `S` says.
pub(crate) struct Parsed<S>(pub(crate) Document, PhantomData<S>);

impl<'de, S: ItemText> Deserialize<'de> for Parsed<S> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RootVisitor::<S>(PhantomData))
    }
}

struct RootVisitor<S>(PhantomData<S>);

impl<'de, S: ItemText> Visitor<'de> for RootVisitor<S> {
    type Value = Parsed<S>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an API description")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Parsed<S>, A::Error> {
        let mut root = Map::new();
        let mut paths = Paths::Missing;
        while let Some(key) = map.next_key::<String>()? {
            if key == "paths" {
                // A later `paths` replaces an earlier one, as a repeated key
                // does everywhere else.
                paths = map.next_value_seed(PathsSeed::<S>(PhantomData))?;
            } else {
                let value: Value = map.next_value()?;
                root.insert(key, value);
            }
        }
        Ok(Parsed(Document::new(Value::Object(root), paths), PhantomData))
    }

    // Anything but an object is not a description; it is kept as a value
    // for the message that says what it is.
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Parsed<S>, A::Error> {
        let value = Value::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
        Ok(other(value))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Parsed<S>, E> {
        Ok(other(Value::Null))
    }

    fn visit_none<E: de::Error>(self) -> Result<Parsed<S>, E> {
        Ok(other(Value::Null))
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Parsed<S>, E> {
        Ok(other(Value::Bool(value)))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Parsed<S>, E> {
        Ok(other(Value::from(value)))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Parsed<S>, E> {
        Ok(other(Value::from(value)))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Parsed<S>, E> {
        Ok(other(Value::from(value)))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Parsed<S>, E> {
        Ok(other(Value::String(value.to_owned())))
    }
}

fn other<S>(value: Value) -> Parsed<S> {
    Parsed(Document::new(value, Paths::Missing), PhantomData)
}

/// Reads the value of `paths`.
struct PathsSeed<S>(PhantomData<S>);

impl<'de, S: ItemText> DeserializeSeed<'de> for PathsSeed<S> {
    type Value = Paths;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Paths, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, S: ItemText> Visitor<'de> for PathsSeed<S> {
    type Value = Paths;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the paths object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Paths, A::Error> {
        let mut items: Vec<PathItem> = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        while let Some(key) = map.next_key::<String>()? {
            let text = S::next_item(&mut map)?;
            // A repeated key keeps its first place and its last value, as
            // serde_json's order-preserving map does.
            match seen.get(&key) {
                Some(&at) => {
                    if let Some(item) = items.get_mut(at) {
                        item.text = text;
                    }
                }
                None => {
                    seen.insert(key.clone(), items.len());
                    items.push(PathItem::new(key, text));
                }
            }
        }
        Ok(Paths::Items(items))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Paths, A::Error> {
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(Paths::NotAnObject("an array"))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Paths, E> {
        Ok(Paths::NotAnObject("null"))
    }

    fn visit_none<E: de::Error>(self) -> Result<Paths, E> {
        Ok(Paths::NotAnObject("null"))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Paths, E> {
        Ok(Paths::NotAnObject("a boolean"))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Paths, E> {
        Ok(Paths::NotAnObject("a number"))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Paths, E> {
        Ok(Paths::NotAnObject("a number"))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Paths, E> {
        Ok(Paths::NotAnObject("a number"))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Paths, E> {
        Ok(Paths::NotAnObject("a string"))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use trespass_model::Inventory;

    use super::*;
    use crate::{from_value, load_str};

    /// A document whose `paths` come before the `components` they refer
    /// to, with a repeated path key and references into `paths`.
    const PATHS_FIRST: &str = r##"{
        "paths": {
            "/users/{id}": {"get": {"parameters": [{"$ref": "#/components/parameters/Id"}]}},
            "/copy/{order_id}": {"$ref": "#/paths/~1orders~1{order_id}"},
            "/orders/{order_id}": {
                "parameters": [{"name": "order_id", "in": "path",
                                "schema": {"type": "string", "format": "uuid"}}],
                "get": {"operationId": "getOrder"}
            },
            "/users/{id}": {"put": {"parameters": [
                {"$ref": "#/paths/~1orders~1%7Border_id%7D/parameters/0"},
                {"$ref": "#/paths/~1nowhere/parameters/0"}
            ]}}
        },
        "openapi": "3.0.3",
        "components": {"parameters": {"Id": {"name": "id", "in": "path",
                                             "schema": {"type": "integer"}}}}
    }"##;

    fn labels(inventory: &Inventory) -> Vec<String> {
        inventory.operations.iter().map(|op| op.label()).collect()
    }

    #[test]
    fn path_items_are_kept_as_text_and_read_in_document_order() {
        let Parsed(doc, _) = serde_json::from_str::<Parsed<JsonItems>>(PATHS_FIRST).unwrap();
        assert_eq!(doc.root.get("paths"), None);
        let Paths::Items(items) = &doc.paths else { panic!("paths are items") };
        let keys: Vec<&str> = items.iter().map(|item| item.key.as_str()).collect();
        assert_eq!(keys, ["/users/{id}", "/copy/{order_id}", "/orders/{order_id}"]);
        // A repeated key keeps its first place and its last value.
        assert!(items[0].text.get().starts_with(r#"{"put""#), "{}", items[0].text.get());

        let inventory = load_str(PATHS_FIRST, "first.json").unwrap();
        assert_eq!(
            labels(&inventory),
            ["PUT /users/{id}", "GET /copy/{order_id}", "GET /orders/{order_id}"]
        );
        // The reference into `paths` found the uuid parameter of another item.
        let put = &inventory.operations[0];
        assert_eq!(put.parameters[0].name, "order_id");
        assert_eq!(put.parameters[0].format.as_deref(), Some("uuid"));
        assert_eq!(
            inventory.warnings,
            [
                "paths./users/{id}.put.parameters[1]: \
                 $ref \"#/paths/~1nowhere/parameters/0\" does not resolve",
                "paths./users/{id}.put: path parameter \"id\" is not declared; \
                 assuming a required string",
            ]
        );
        assert_eq!(inventory.operations[1].operation_id.as_deref(), Some("getOrder"));
    }

    #[test]
    fn json_yaml_and_a_parsed_value_read_the_same() {
        let value: Value = serde_json::from_str(PATHS_FIRST).unwrap();
        let from_json = load_str(PATHS_FIRST, "x").unwrap();
        assert_eq!(from_value(&value, "x").unwrap(), from_json);
        // JSON is YAML too; as YAML the path items go through a `Value`.
        let yaml = format!("# yaml\n{PATHS_FIRST}");
        assert_eq!(load_str(&yaml, "x").unwrap(), from_json);
    }

    #[test]
    fn yaml_anchors_and_merge_keys_in_paths_load() {
        let text = "openapi: 3.1.0\n\
                    x-common: &common\n  get: {responses: {200: {description: ok}}}\n\
                    paths:\n  /a: *common\n  /b:\n    <<: *common\n    delete: {}\n";
        let inventory = load_str(text, "x.yaml").unwrap();
        // The YAML parser puts merged keys after the item's own.
        assert_eq!(labels(&inventory), ["GET /a", "DELETE /b", "GET /b"]);
        assert_eq!(inventory.operations[2].responses, ["200"]);
    }

    #[test]
    fn paths_that_are_not_an_object_are_a_warning_in_every_syntax() {
        for (text, found) in [
            (r#"{"openapi": "3.0.0", "paths": null}"#, "null"),
            (r#"{"openapi": "3.0.0", "paths": [1, {"a": 2}]}"#, "an array"),
            ("openapi: 3.0.0\npaths: 7\n", "a number"),
            ("openapi: 3.0.0\npaths: text\n", "a string"),
            ("openapi: 3.0.0\npaths: [a]\n", "an array"),
        ] {
            let inventory = load_str(text, "x").unwrap();
            assert_eq!(inventory.warnings, [format!("paths: expected an object, found {found}")]);
        }
    }

    #[test]
    fn a_root_that_is_not_an_object_is_named_in_the_error() {
        for (text, found) in [
            ("[{\"openapi\": \"3.0.0\"}]", "found an array, not an object"),
            ("", "found an empty document"),
            ("just text", "found a string, not an object"),
            ("7", "found a number, not an object"),
        ] {
            let error = load_str(text, "x.yaml").unwrap_err();
            assert_eq!(
                error.to_string(),
                format!("spec x.yaml is not an OpenAPI 3.x or Swagger 2.0 document: {found}")
            );
        }
    }

    #[test]
    fn a_swagger_item_referred_to_from_paths_is_rewritten_too() {
        let doc = json!({
            "swagger": "2.0",
            "paths": {
                "/x/{id}": {"get": {"parameters": [
                    {"$ref": "#/paths/~1y~1{id}/get/parameters/0"}
                ]}},
                "/y/{id}": {"get": {"parameters": [
                    {"name": "id", "in": "path", "type": "integer", "format": "int64"}
                ]}}
            }
        });
        let inventory = from_value(&doc, "x.json").unwrap();
        assert_eq!(inventory.warnings, Vec::<String>::new());
        for operation in &inventory.operations {
            assert_eq!(operation.parameters[0].format.as_deref(), Some("int64"));
        }
    }

    #[test]
    fn paths_in_another_file_are_read_relative_to_it_once() {
        let dir = std::env::temp_dir().join(format!("trespass-document-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(
            dir.join("openapi.yaml"),
            "openapi: 3.0.0\npaths:\n  $ref: sub/paths.yaml\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("sub/paths.yaml"),
            "/things/{thing_id}:\n  get:\n    parameters: [{$ref: 'param.yaml'}]\n\
             /gone:\n  $ref: missing.yaml\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("sub/param.yaml"),
            "name: thing_id\nin: path\nschema: {type: integer}\n",
        )
        .unwrap();
        let inventory = crate::load_file(&dir.join("openapi.yaml")).unwrap();
        assert_eq!(labels(&inventory), ["GET /things/{thing_id}"]);
        assert_eq!(inventory.operations[0].parameters[0].schema_type.as_deref(), Some("integer"));
        // The missing file is looked for beside the file that names it,
        // once, and the item that needed it is skipped.
        assert_eq!(inventory.warnings.len(), 2, "{:?}", inventory.warnings);
        assert!(
            inventory.warnings[0].starts_with(&format!(
                "$ref target {} cannot be read: ",
                dir.join("sub/missing.yaml").display()
            )),
            "{:?}",
            inventory.warnings
        );
        assert_eq!(
            inventory.warnings[1],
            "paths./gone: $ref \"missing.yaml\" names another file that could not be inlined; \
             its operations are skipped"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
