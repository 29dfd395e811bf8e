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
//! - [`load_file`] reads a file and calls [`load_str`].
//! - [`load_str`] parses JSON or YAML (chosen by content: a document whose
//!   first non-space character is `{` is JSON) into a [`serde_json::Value`]
//!   and calls [`from_value`].
//! - [`from_value`] reads an OpenAPI 3.0 or 3.1 document.
//!
//! A document that cannot be read at all gives an [`InventoryError`] whose
//! message names the file and, for syntax errors, the line and column.
//! Anything less (a dangling `$ref`, a malformed parameter) is skipped or
//! repaired and described in [`Inventory::warnings`].
//!
//! Only `$ref`s inside the document are followed. A `$ref` to another file
//! or a URL is a warning for now: nothing is ever fetched or read besides
//! the one document. Swagger 2.0 is refused with a message saying so.
//!
//! Modules: `syntax` (text to value), `refs` (`$ref` resolution),
//! `openapi` (the document walk), `parameters`, `security`, `servers`,
//! `heuristic` (object references) and `error`.
//!
//! [`Operation`]: trespass_model::Operation

mod error;
mod heuristic;
mod openapi;
mod parameters;
mod refs;
mod security;
mod servers;
mod syntax;

use std::path::Path;

use trespass_model::Inventory;

pub use error::{DocumentFormat, InventoryError};
pub use heuristic::is_object_reference;

/// Loads an OpenAPI 3.0 / 3.1 document (JSON or YAML, chosen by content: a
/// document whose first non-space character is `{` is JSON, else YAML) from
/// a file. Messages name the file by `path` as given.
pub fn load_file(path: &Path) -> Result<Inventory, InventoryError> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| InventoryError::Read { path: path.to_path_buf(), source })?;
    load_str(&text, &path.display().to_string())
}

/// Loads an OpenAPI 3.0 / 3.1 document from text already in memory;
/// `origin` names it in messages (a file path or URL).
pub fn load_str(text: &str, origin: &str) -> Result<Inventory, InventoryError> {
    let doc = syntax::parse_document(text, origin)?;
    from_value(&doc, origin)
}

/// Loads an OpenAPI 3.0 / 3.1 document that is already parsed, as when the
/// spec came over HTTP as JSON; `origin` names it in messages.
pub fn from_value(doc: &serde_json::Value, origin: &str) -> Result<Inventory, InventoryError> {
    openapi::build(doc, origin)
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
    fn load_str_refuses_swagger_2() {
        let error = load_str("swagger: \"2.0\"\npaths: {}\n", "x.yaml").unwrap_err();
        assert_eq!(
            error.to_string(),
            "spec x.yaml is not an OpenAPI 3.x document: found swagger \"2.0\" \
             (Swagger 2.0 is not supported yet)"
        );
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
