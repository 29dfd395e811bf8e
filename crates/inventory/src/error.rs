//! Errors that stop an API description from loading at all.
//!
//! [`InventoryError`] covers the cases where nothing useful can be read: the
//! file cannot be read, the text is not JSON or YAML, the YAML parser's
//! limits were hit, or the document is neither OpenAPI 3.x nor Swagger 2.0. Problems inside an
//! otherwise readable document (a dangling `$ref`, a malformed parameter) are
//! not errors: they become warnings in
//! [`Inventory::warnings`](trespass_model::Inventory::warnings) and the rest
//! of the document is used.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// The syntax a document was parsed as, named in syntax errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DocumentFormat {
    /// JSON, chosen when the first non-space character is `{`.
    Json,
    /// YAML, chosen for everything else.
    Yaml,
}

impl fmt::Display for DocumentFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DocumentFormat::Json => "JSON",
            DocumentFormat::Yaml => "YAML",
        })
    }
}

/// Why an API description could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InventoryError {
    /// The file could not be read (missing, unreadable, not UTF-8).
    #[error("failed to read spec {}: {source}", path.display())]
    Read {
        /// The file that was asked for.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },

    /// The file is over the size its kind may have.
    #[error(transparent)]
    TooLarge(trespass_input::TooLarge),

    /// The text is not valid JSON or YAML.
    #[error("spec {origin} is not valid {format}{}: {message}", position(*.line, *.column))]
    Syntax {
        /// The file path or URL the text came from.
        origin: String,
        /// The syntax the text was parsed as.
        format: DocumentFormat,
        /// 1-based line of the problem, as the parser reports it; 0 when the
        /// parser could not tell.
        line: u64,
        /// 1-based column of the problem, as the parser reports it; 0 when
        /// the parser could not tell.
        column: u64,
        /// The parser's description of the problem.
        message: String,
    },

    /// The YAML text expands beyond the parser's limits: too deeply nested,
    /// too many nodes, or aliases that multiply (a "billion laughs" bomb).
    #[error(
        "spec {origin} exceeds the YAML parser's limits{}: {message}",
        position(*.line, *.column)
    )]
    Limit {
        /// The file path or URL the text came from.
        origin: String,
        /// 1-based line where the limit was hit; 0 when unknown.
        line: u64,
        /// 1-based column where the limit was hit; 0 when unknown.
        column: u64,
        /// Which limit was hit.
        message: String,
    },

    /// The document parsed, but it is neither an OpenAPI 3.x nor a Swagger
    /// 2.0 description.
    #[error("spec {origin} is not an OpenAPI 3.x or Swagger 2.0 document: {found}")]
    NotOpenApi {
        /// The file path or URL the text came from.
        origin: String,
        /// What the document has instead, as a phrase: `no "openapi" field`,
        /// `found swagger "1.2"`,
        /// `found openapi "2.5"`, `found an array, not an object`.
        found: String,
    },

    /// The document parsed, but it is not a HAR capture.
    #[error("{origin} is not a HAR capture: {found}")]
    NotHar {
        /// The file the text came from.
        origin: String,
        /// What the document has instead, as a phrase: `no "log" object`.
        found: String,
    },

    /// The document parsed, but it is not a Postman collection (v2.0 or
    /// v2.1) or environment.
    #[error("{origin} is not a Postman {expected}: {found}")]
    NotPostman {
        /// The file the text came from.
        origin: String,
        /// `collection (v2.0 or v2.1)` or `environment`.
        expected: &'static str,
        /// What the document has instead, as a phrase.
        found: String,
    },
}

/// ` at line 3, column 9`, or nothing when the parser gave no position.
fn position(line: u64, column: u64) -> String {
    if line == 0 { String::new() } else { format!(" at line {line}, column {column}") }
}
