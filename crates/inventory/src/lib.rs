//! Reads API descriptions into trespass's [`Inventory`] of operations.
//!
//! This is the second stage of the pipeline (see `DESIGN.md`): an input goes
//! in, and one [`Inventory`] comes out, listing every [`Operation`] with its
//! parameters, the security it declares and the responses it documents.
//! Parameters that name objects are marked as object references by
//! [`is_object_reference`], which other input loaders reuse.
//!
//! Entry points, from the outside in:
//!
//! - [`load_file`] reads a file and then does what [`load_str`] does.
//! - [`load_str`] parses JSON or YAML (chosen by content: a document whose
//!   first non-space character is `{` is JSON) into a `Document`: the
//!   root as a [`serde_json::Value`], each path item as compact text that
//!   becomes a `Value` of its own when it is read (see `document`), so
//!   that a description of ten thousand operations is never one tree.
//! - [`from_value`] reads a document that is already a `Value`.
//!
//! Each then reads an OpenAPI 3.0 or 3.1 document, or a Swagger 2.0 one,
//! which `swagger` rewrites into the OpenAPI 3.0 shape as it is read.
//!
//! A document that cannot be read at all gives an [`InventoryError`] whose
//! message names the file and, for syntax errors, the line and column.
//! Anything less (a dangling `$ref`, a malformed parameter) is skipped or
//! repaired and described in [`Inventory::warnings`].
//!
//! `$ref`s inside the document are followed where they are used; `$ref`s to
//! other local files are inlined first when the document comes from a file
//! ([`load_file`]), relative to the file that holds them, with cycles and
//! depth bounded. A `$ref` to a URL is a warning: nothing is ever fetched.
//!
//! Captures and collections have loaders of their own: [`har`] reads HAR
//! 1.2 captures (and tells which identity made each request), [`postman`]
//! reads Postman v2.0 / v2.1 collections. Both infer path templates from
//! concrete paths with `template`.
//!
//! Modules: `syntax` (text to value), `document` (root and path items),
//! `bundle` (other files' `$ref`s),
//! `swagger` (Swagger 2.0 to the
//! OpenAPI 3 shape), `refs` (`$ref` resolution),
//! `openapi` (the document walk), `parameters`, `security`, `servers`,
//! `heuristic` (object references) and `error`.
//!
//! [`Operation`]: trespass_model::Operation

mod bundle;
mod document;
mod error;
pub mod har;
mod heuristic;
mod openapi;
mod parameters;
pub mod postman;
mod refs;
mod security;
mod servers;
mod swagger;
mod syntax;
mod template;

use std::path::Path;

use trespass_model::Inventory;

use crate::document::Document;

pub use error::{DocumentFormat, InventoryError};
pub use heuristic::is_object_reference;

/// Loads an OpenAPI 3.0 / 3.1 or Swagger 2.0 document (JSON or YAML, chosen
/// by content: a document whose first non-space character is `{` is JSON,
/// else YAML) from a file, with the `$ref`s to other local files inlined
/// (see `bundle`). Messages name the file by `path` as given.
pub fn load_file(path: &Path) -> Result<Inventory, InventoryError> {
    let text = read_file(path, trespass_input::InputKind::SPEC)?;
    let origin = path.display().to_string();
    let mut doc = syntax::parse_description(&text, &origin)?;
    let refers_to_files = bundle::may_refer_to_files(&text);
    drop(text);
    if refers_to_files {
        doc.inline_files(bundle::Bundler::new(path));
    }
    read(doc, &origin)
}

/// Reads an input file of `kind`, within its size limit.
fn read_file(path: &Path, kind: trespass_input::InputKind) -> Result<String, InventoryError> {
    trespass_input::read_text(path, kind).map_err(|e| match e {
        trespass_input::ReadError::TooLarge(e) => InventoryError::TooLarge(e),
        trespass_input::ReadError::Io(source) => {
            InventoryError::Read { path: path.to_path_buf(), source }
        }
    })
}

/// Loads an OpenAPI 3.0 / 3.1 or Swagger 2.0 document from text already in
/// memory; `origin` names it in messages (a file path or URL).
pub fn load_str(text: &str, origin: &str) -> Result<Inventory, InventoryError> {
    read(syntax::parse_description(text, origin)?, origin)
}

/// Loads an OpenAPI 3.0 / 3.1 or Swagger 2.0 document that is already
/// parsed, as when the spec came over HTTP as JSON; `origin` names it in
/// messages.
pub fn from_value(doc: &serde_json::Value, origin: &str) -> Result<Inventory, InventoryError> {
    read(Document::from_value(doc.clone()), origin)
}

/// Reads a document, rewriting a Swagger 2.0 one as it goes. Warnings
/// about other files come first.
fn read(mut doc: Document, origin: &str) -> Result<Inventory, InventoryError> {
    if doc.is_swagger_2() {
        doc.upgrade_swagger();
    }
    let mut inventory = openapi::build(&doc, origin)?;
    let mut warnings = doc.take_bundle_warnings();
    if !warnings.is_empty() {
        warnings.append(&mut inventory.warnings);
        inventory.warnings = warnings;
    }
    Ok(inventory)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_str_reports_json_syntax_errors_with_their_position() {
        let error =
            load_str("{\"openapi\": \"3.0.0\",\n \"paths\": {\n  \"/a\" {}}}", "/x/openapi.json")
                .unwrap_err();
        assert_eq!(
            error.to_string(),
            "spec /x/openapi.json is not valid JSON at line 3, column 8: expected `:`"
        );
    }

    #[test]
    fn load_str_reports_yaml_syntax_errors_with_their_position() {
        let text = "openapi: 3.0.0\npaths:\n  /a:\n    get: [\n      responses: {}\n";
        let error = load_str(text, "/x/openapi.yaml").unwrap_err();
        assert!(matches!(error, InventoryError::Syntax { line: 4, column: 10, .. }), "{error:?}");
        assert_eq!(
            error.to_string(),
            "spec /x/openapi.yaml is not valid YAML at line 4, column 10: unclosed bracket '['"
        );
    }

    #[test]
    fn load_str_reads_swagger_2() {
        let text = "swagger: \"2.0\"\nbasePath: /v2\npaths:\n  /pets/{petId}:\n    get:\n      \
                    parameters:\n        - {name: petId, in: path, required: true, type: integer}\n";
        let inventory = load_str(text, "x.yaml").unwrap();
        assert_eq!(inventory.base_path, "/v2");
        assert_eq!(inventory.operations[0].label(), "GET /pets/{petId}");
        assert!(inventory.operations[0].parameters[0].object_reference);
    }

    #[test]
    fn yaml_and_json_forms_of_a_document_give_the_same_inventory() {
        let yaml = "openapi: '3.1.0'\n\
                    paths:\n  /users/{id}:\n    get:\n      responses:\n        200: {}\n";
        let json = r#"{"openapi": "3.1.0",
                       "paths": {"/users/{id}": {"get": {"responses": {"200": {}}}}}}"#;
        let from_yaml = load_str(yaml, "a.yaml").unwrap();
        assert_eq!(from_yaml, load_str(json, "a.json").unwrap());
        assert_eq!(from_yaml.operations[0].responses, ["200"]);
    }
}
