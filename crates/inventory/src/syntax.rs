//! Text to [`serde_json::Value`]: the one in-memory form of every document.
//!
//! [`parse_document`] picks the syntax by content, not by file name: a
//! document whose first non-space character is `{` is JSON (serde_json),
//! anything else is YAML (serde-saphyr). Both parsers report the line and
//! column of a problem, which end up in [`InventoryError::Syntax`].
//!
//! YAML is parsed under explicit limits, because a spec is untrusted input:
//! nesting depth, node count and alias replay are capped, so a "billion
//! laughs" document of nested aliases is refused quickly instead of filling
//! memory, and a deeply nested one is refused before it overflows the
//! stack. The caps are well above what real descriptions use (the 3 MB
//! Plaid spec has 126 000 nodes, 25 levels and no aliases), and ordinary
//! anchors and merge keys load as usual.

use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_saphyr::{DefaultMessageFormatter, DuplicateKeyPolicy, MessageFormatter};

use crate::document::{Document, JsonItems, Parsed, ValueItems};
use crate::error::{DocumentFormat, InventoryError};

/// Deepest YAML nesting accepted. The YAML parser recurses once per level
/// with large frames: an unoptimised build overflows a 2 MiB thread stack
/// (tokio's default for workers) at about 80 levels, so the cap stays at
/// serde-saphyr's default of 64. Real specs nest far less (Plaid: 25).
const MAX_YAML_DEPTH: usize = 64;

/// Most YAML nodes (scalars, sequences and mappings) in one document: about
/// a 100 MB spec.
const MAX_YAML_NODES: usize = 4_000_000;

/// Most parser events in one document, a little over two per node.
const MAX_YAML_EVENTS: usize = 10_000_000;

/// Most events that aliases may replay, across the document. Real specs
/// rarely use aliases at all; an alias bomb needs millions.
const MAX_ALIAS_REPLAYED_EVENTS: usize = 250_000;

/// Parses `text` as JSON or YAML, chosen by its first non-space character.
pub(crate) fn parse_document(text: &str, origin: &str) -> Result<Value, InventoryError> {
    let text = without_bom(text);
    if is_json(text) { parse_json(text, origin) } else { parse_yaml(text, origin) }
}

/// Parses an API description as [`parse_document`] does, into a
/// [`Document`] whose path items stay text until they are read.
pub(crate) fn parse_description(text: &str, origin: &str) -> Result<Document, InventoryError> {
    let text = without_bom(text);
    if is_json(text) {
        parse_json::<Parsed<JsonItems>>(text, origin).map(|parsed| parsed.0)
    } else {
        parse_yaml::<Parsed<ValueItems>>(text, origin).map(|parsed| parsed.0)
    }
}

/// `text` without its byte-order mark: it is not whitespace to
/// `trim_start`, and serde_json rejects it, but editors on Windows still
/// write one.
fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

fn is_json(text: &str) -> bool {
    text.trim_start().starts_with('{')
}

fn parse_json<T: DeserializeOwned>(text: &str, origin: &str) -> Result<T, InventoryError> {
    serde_json::from_str(text).map_err(|error| {
        let line = error.line() as u64;
        let column = error.column() as u64;

        // serde_json's message ends with its own position; ours comes first.
        let full = error.to_string();
        let suffix = format!(" at line {line} column {column}");
        let message = full.strip_suffix(&suffix).unwrap_or(&full).to_owned();
        InventoryError::Syntax {
            origin: origin.to_owned(),
            format: DocumentFormat::Json,
            line,
            column,
            message,
        }
    })
}

fn parse_yaml<T: DeserializeOwned>(text: &str, origin: &str) -> Result<T, InventoryError> {
    serde_saphyr::from_str_with_options(text, yaml_options())
        .map_err(|error| yaml_error(&error, origin))
}

/// serde-saphyr's defaults, with limits sized for API descriptions and
/// choices that match how serde_json reads the same document.
fn yaml_options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = MAX_YAML_DEPTH;
    budget.max_nodes = MAX_YAML_NODES;
    budget.max_events = MAX_YAML_EVENTS;

    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options.alias_limits.max_total_replayed_events = MAX_ALIAS_REPLAYED_EVENTS;

    // serde_json keeps the last of duplicate keys without complaint; a YAML
    // spec with the same slip loads the same way.
    options.duplicate_keys = DuplicateKeyPolicy::LastWins;

    // `.nan` or `.inf` in an example value must not make the spec unreadable.
    options.non_finite_float_policy = serde_saphyr::NonFiniteFloatPolicy::AsString;

    // Our message carries the position; a rendered source snippet would
    // spread one error over many lines.
    options.with_snippet = false;
    options
}

fn yaml_error(error: &serde_saphyr::Error, origin: &str) -> InventoryError {
    let (line, column) = error.location().map_or((0, 0), |at| (at.line(), at.column()));

    // Wrappers add positions to the text; the innermost error has the words.
    let mut inner = error;
    while let serde_saphyr::Error::AliasError { error, .. }
    | serde_saphyr::Error::WithSnippet { error, .. } = inner
    {
        inner = error;
    }

    let message = match inner {
        serde_saphyr::Error::MultipleDocuments { .. } => {
            "expected one YAML document, found several separated by `---`".to_owned()
        }
        serde_saphyr::Error::NullIntoString { .. } => {
            "a mapping key is null, expected a string".to_owned()
        }
        other => one_line(&DefaultMessageFormatter.format_message(other)),
    };
    let origin = origin.to_owned();
    let is_limit = matches!(
        inner,
        serde_saphyr::Error::Budget { .. }
            | serde_saphyr::Error::AliasReplayLimitExceeded { .. }
            | serde_saphyr::Error::AliasExpansionLimitExceeded { .. }
            | serde_saphyr::Error::AliasReplayStackDepthExceeded { .. }
            | serde_saphyr::Error::AliasReplayCounterOverflow { .. }
    );
    if is_limit {
        InventoryError::Limit { origin, line, column, message }
    } else {
        InventoryError::Syntax { origin, format: DocumentFormat::Yaml, line, column, message }
    }
}

/// The parser's message with control characters (line breaks included)
/// replaced by spaces, so that a message stays on one line and cannot move
/// a terminal's cursor.
fn one_line(message: &str) -> String {
    message.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_chosen_by_a_leading_brace() {
        let value = parse_document("  \n{\"a\": [1, 2]}", "x").unwrap();
        assert_eq!(value, serde_json::json!({"a": [1, 2]}));
    }

    #[test]
    fn yaml_is_chosen_otherwise_and_json_arrays_are_yaml() {
        let value = parse_document("a:\n  - 1\n  - b\n", "x").unwrap();
        assert_eq!(value, serde_json::json!({"a": [1, "b"]}));
        let value = parse_document("[1, 2]", "x").unwrap();
        assert_eq!(value, serde_json::json!([1, 2]));
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let value = parse_document("\u{feff}{\"a\": 1}", "x").unwrap();
        assert_eq!(value, serde_json::json!({"a": 1}));
    }

    #[test]
    fn json_syntax_error_names_line_and_column() {
        let error =
            parse_document("{\n  \"openapi\": \"3.0.0\",\n  \"info\": ,\n}", "/x/openapi.json")
                .unwrap_err();
        assert_eq!(
            error.to_string(),
            "spec /x/openapi.json is not valid JSON at line 3, column 11: expected value"
        );
    }

    #[test]
    fn yaml_syntax_error_names_line_and_column() {
        let text = "openapi: 3.0.0\ninfo:\n  title: x\n version: 1\n";
        let error = parse_document(text, "/x/openapi.yaml").unwrap_err();
        assert_eq!(
            error.to_string(),
            "spec /x/openapi.yaml is not valid YAML at line 4, column 2: \
             while parsing a block mapping, did not find expected key"
        );
    }

    #[test]
    fn yaml_integer_keys_become_strings() {
        let value = parse_document("responses:\n  200: {}\n  404: {}\n", "x").unwrap();
        assert_eq!(value, serde_json::json!({"responses": {"200": {}, "404": {}}}));
    }

    #[test]
    fn yaml_anchors_and_merge_keys_load() {
        let text = "base: &base {type: string}\na: *base\nb:\n  <<: *base\n  format: uuid\n";
        let value = parse_document(text, "x").unwrap();
        assert_eq!(value["a"], serde_json::json!({"type": "string"}));
        assert_eq!(value["b"], serde_json::json!({"type": "string", "format": "uuid"}));
    }

    #[test]
    fn yaml_duplicate_keys_keep_the_last_like_json() {
        let value = parse_document("a: 1\na: 2\n", "x").unwrap();
        assert_eq!(value, serde_json::json!({"a": 2}));
    }

    #[test]
    fn yaml_non_finite_floats_become_strings() {
        let value = parse_document("example: .nan\n", "x").unwrap();
        assert_eq!(value, serde_json::json!({"example": ".nan"}));
    }

    #[test]
    fn yaml_alias_bomb_is_refused() {
        let mut text = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
        for pair in names.windows(2) {
            let (previous, name) = (pair[0], pair[1]);
            let aliases = vec![format!("*{previous}"); 9].join(",");
            text.push_str(&format!("{name}: &{name} [{aliases}]\n"));
        }
        let error = parse_document(&text, "bomb.yaml").unwrap_err();
        assert!(
            matches!(error, InventoryError::Limit { .. }),
            "expected a limit error, got {error}"
        );
        assert_eq!(
            error.to_string(),
            "spec bomb.yaml exceeds the YAML parser's limits at line 6, column 14: \
             alias replay limit exceeded: total_replayed_events=250001 > 250000"
        );
    }

    #[test]
    fn yaml_nesting_beyond_the_cap_is_refused() {
        let text = format!("{}1{}", "[".repeat(200), "]".repeat(200));
        let error = parse_document(&text, "deep.yaml").unwrap_err();
        assert!(matches!(error, InventoryError::Limit { .. }), "got {error}");
    }

    #[test]
    fn yaml_with_several_documents_is_a_syntax_error() {
        let error = parse_document("a: 1\n---\nb: 2\n", "two.yaml").unwrap_err();
        assert_eq!(
            error.to_string(),
            "spec two.yaml is not valid YAML at line 3, column 1: \
             expected one YAML document, found several separated by `---`"
        );
    }
}
