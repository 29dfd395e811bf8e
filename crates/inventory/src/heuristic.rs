//! The object-reference heuristic: which parameters name objects.
//!
//! An API description rarely says in so many words that a parameter is the
//! id of an object; names, formats and the shape of the path say it instead.
//! [`is_object_reference`] reads those signs for one parameter and answers
//! yes or no. The OpenAPI loader calls it for every parameter, and loaders of
//! other inputs (HAR captures, Postman collections) are meant to reuse it so
//! that every input marks the same parameters.

use trespass_model::ParamLocation;

/// Whether a parameter names an object, and so is a candidate for swapping
/// between identities.
///
/// The rule, in order:
///
/// 1. A parameter whose format is `date`, `date-time` or `time`, or whose
///    type is `boolean`, is never a reference (`/lists/{date}`).
/// 2. A header, query or body field named like a tracing or retry token
///    (`X-Request-ID`, `correlation_id`, `trace_id`, `span_id`,
///    `idempotency_id`) is not a reference, whatever its spelling.
/// 3. Format `uuid` is a reference, in any location.
/// 4. A name that says "id" is a reference, in any location: `id`, `uuid`,
///    `guid` in any case; names ending in `_id`, `-id`, `.id`, `_uuid`,
///    `-uuid`, `_guid` or `-guid` in any case (`user_id`, `X-Tenant-ID`);
///    and camelCase names ending in `Id`, `ID`, `Uuid`, `UUID`, `Guid` or
///    `GUID` right after a lowercase letter or digit (`petId`, `userID`).
///    `valid`, `paid` or `ANDROID` are not ids.
/// 5. A path parameter is a reference when the segment right before it is
///    a static segment that looks like a collection: a plural such as
///    `users`, `orders`, `categories`, `people` (`/users/{username}`,
///    `/repos/{owner}`), unless its name says it is not an object (`date`,
///    `year`, `format`, `version`, `lang`, `locale`, `page`, …).
/// 6. A path parameter named as a natural key (`username`, `login`,
///    `handle`, `slug`, `email`, `name`, or a name ending in `name`, `slug`
///    or `_email`) is a reference wherever it stands (`/user/{username}`,
///    `/repositories/{username}/{slug}`).
///
/// Anything else is not a reference. `key` alone is deliberately not an id:
/// in API descriptions it is far more often a credential or a settings key.
/// `path` is the operation's path template and is read only for path
/// parameters.
///
/// ```
/// use trespass_inventory::is_object_reference;
/// use trespass_model::ParamLocation;
///
/// let path = ParamLocation::Path;
/// assert!(is_object_reference("petId", path, Some("string"), None, "/pets/{petId}"));
/// assert!(is_object_reference("username", path, None, None, "/users/{username}"));
/// assert!(!is_object_reference("date", path, Some("string"), Some("date"), "/lists/{date}"));
/// assert!(!is_object_reference("limit", ParamLocation::Query, None, None, "/pets"));
/// ```
pub fn is_object_reference(
    name: &str,
    location: ParamLocation,
    schema_type: Option<&str>,
    format: Option<&str>,
    path: &str,
) -> bool {
    // Rule 1: values that cannot be ids.
    if format.is_some_and(|f| NOT_ID_FORMATS.iter().any(|n| f.eq_ignore_ascii_case(n))) {
        return false;
    }
    if schema_type.is_some_and(|t| t.eq_ignore_ascii_case("boolean")) {
        return false;
    }

    // Rule 2: tracing and retry tokens look like ids but name no object.
    if location != ParamLocation::Path && is_tracing_token(name) {
        return false;
    }

    // Rules 3 and 4.
    if format.is_some_and(|f| f.eq_ignore_ascii_case("uuid")) || name_says_id(name) {
        return true;
    }

    // Rules 5 and 6 are for path parameters only.
    if location != ParamLocation::Path {
        return false;
    }
    if is_natural_key(name) {
        return true;
    }
    static_segment_before(path, name)
        .is_some_and(|previous| looks_like_collection(previous) && !is_not_an_object(name))
}

/// Formats whose values are points in time, never object ids.
const NOT_ID_FORMATS: [&str; 4] = ["date", "date-time", "time", "duration"];

/// Exact names (compared case-insensitively) that are ids.
const ID_NAMES: [&str; 3] = ["id", "uuid", "guid"];

/// Suffixes (compared case-insensitively) that make a name an id.
const ID_SUFFIXES: [&str; 7] = ["_id", "-id", ".id", "_uuid", "-uuid", "_guid", "-guid"];

/// camelCase suffixes (compared exactly) that make a name an id when they
/// follow a lowercase letter or a digit.
const CAMEL_ID_SUFFIXES: [&str; 6] = ["Id", "ID", "Uuid", "UUID", "Guid", "GUID"];

/// Stems of header and field names that carry per-request tokens.
const TRACING_STEMS: [&str; 5] = ["request", "correlation", "trace", "span", "idempotency"];

/// Path parameter names that select a view of a collection, not an object.
const NOT_OBJECT_NAMES: [&str; 20] = [
    "date",
    "time",
    "datetime",
    "timestamp",
    "year",
    "month",
    "week",
    "day",
    "format",
    "version",
    "lang",
    "language",
    "locale",
    "page",
    "limit",
    "offset",
    "size",
    "extension",
    "ext",
    "type",
];

/// Path parameter names that are natural keys of an object.
const NATURAL_KEYS: [&str; 6] = ["username", "login", "handle", "slug", "email", "name"];

/// Plurals that do not end in `s`.
const IRREGULAR_PLURALS: [&str; 9] =
    ["people", "children", "men", "women", "data", "media", "criteria", "indices", "mice"];

/// Words that end in `s` but are not plurals of a collection.
const S_SINGULARS: [&str; 16] = [
    "status", "bus", "campus", "alias", "canvas", "analysis", "basis", "axis", "corpus", "census",
    "focus", "bonus", "virus", "news", "series", "species",
];

/// Rule 4: whether the name itself says "id".
fn name_says_id(name: &str) -> bool {
    if ID_NAMES.iter().any(|id| name.eq_ignore_ascii_case(id)) {
        return true;
    }
    if ID_SUFFIXES.iter().any(|suffix| ends_with_ignore_case(name, suffix)) {
        return true;
    }
    CAMEL_ID_SUFFIXES.iter().any(|suffix| {
        name.strip_suffix(suffix)
            .and_then(|stem| stem.chars().next_back())
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    })
}

/// Rule 2: `X-Request-ID`, `correlation_id`, `traceId` and the like.
fn is_tracing_token(name: &str) -> bool {
    let lowered = name.to_ascii_lowercase();
    let bare = lowered.strip_prefix("x-").unwrap_or(&lowered);
    let letters: String = bare.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    TRACING_STEMS.iter().any(|stem| {
        letters
            .strip_prefix(stem)
            .is_some_and(|rest| matches!(rest, "id" | "uuid" | "guid" | "key"))
    })
}

/// Rule 6: names that identify an object by a human-chosen key.
fn is_natural_key(name: &str) -> bool {
    let lowered = name.to_ascii_lowercase();
    NATURAL_KEYS.contains(&lowered.as_str())
        || lowered.ends_with("name")
        || lowered.ends_with("slug")
        || lowered.ends_with("_email")
}

/// Rule 5's exception: names that select a view rather than an object.
fn is_not_an_object(name: &str) -> bool {
    let lowered = name.to_ascii_lowercase();
    NOT_OBJECT_NAMES.contains(&lowered.as_str())
}

/// Whether a static path segment names a collection: a plural noun.
fn looks_like_collection(segment: &str) -> bool {
    // `users.json` or `orders:search` name the same collection as `users`.
    let word = segment.split(['.', ':', ';']).next().unwrap_or(segment).to_ascii_lowercase();
    let last_word = word.rsplit(['-', '_']).next().unwrap_or(&word);
    if IRREGULAR_PLURALS.contains(&last_word) {
        return true;
    }
    if S_SINGULARS.contains(&last_word) || last_word.ends_with("ss") {
        return false;
    }
    last_word.len() >= 3 && last_word.ends_with('s') && last_word.chars().all(|c| c.is_alphabetic())
}

/// The static segment right before the segment that holds `{name}`, if the
/// template has one: `users` for `("/users/{id}", "id")`.
fn static_segment_before<'a>(path: &'a str, name: &str) -> Option<&'a str> {
    let placeholder = format!("{{{name}}}");
    let segments: Vec<&str> = path.split('/').collect();
    let position = segments.iter().position(|segment| segment.contains(&placeholder))?;
    let previous = *segments.get(position.checked_sub(1)?)?;
    if previous.is_empty() || previous.contains('{') {
        return None;
    }
    Some(previous)
}

fn ends_with_ignore_case(text: &str, suffix: &str) -> bool {
    text.len() >= suffix.len()
        && text
            .get(text.len() - suffix.len()..)
            .is_some_and(|tail| tail.eq_ignore_ascii_case(suffix))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path_param(name: &str, path: &str) -> bool {
        is_object_reference(name, ParamLocation::Path, Some("string"), None, path)
    }

    fn query_param(name: &str) -> bool {
        is_object_reference(name, ParamLocation::Query, Some("string"), None, "/things")
    }

    #[test]
    fn id_names_are_references_in_any_location() {
        for name in ["id", "ID", "uuid", "GUID", "user_id", "USER_ID", "order-id", "X-Tenant-ID"] {
            assert!(query_param(name), "{name}");
        }
        for name in ["petId", "userID", "orderUuid", "v2Id", "account_uuid", "item.id"] {
            assert!(query_param(name), "{name}");
        }
        assert!(is_object_reference("owner_id", ParamLocation::Body, Some("integer"), None, "/x"));
        assert!(is_object_reference("X-Org-Id", ParamLocation::Header, None, None, "/x"));
        assert!(is_object_reference("petId", ParamLocation::Path, None, None, "/pets/{petId}"));
    }

    #[test]
    fn words_ending_in_id_are_not_references() {
        for name in ["valid", "paid", "void", "android", "ANDROID", "Id2", "ids", "key", "apiKey"] {
            assert!(!query_param(name), "{name}");
        }
    }

    #[test]
    fn uuid_format_is_a_reference() {
        assert!(is_object_reference(
            "token",
            ParamLocation::Query,
            Some("string"),
            Some("uuid"),
            "/"
        ));
    }

    #[test]
    fn tracing_tokens_are_not_references() {
        for name in ["X-Request-ID", "x-correlation-id", "traceId", "span_id", "Idempotency-Key"] {
            assert!(
                !is_object_reference(name, ParamLocation::Header, Some("string"), None, "/x"),
                "{name}"
            );
        }
    }

    #[test]
    fn path_parameter_after_a_collection_is_a_reference() {
        assert!(path_param("username", "/users/{username}"));
        assert!(path_param("owner", "/repos/{owner}"));
        assert!(path_param("entry", "/categories/{entry}/items"));
        assert!(path_param("person", "/people/{person}"));
        assert!(path_param("file", "/files.json/{file}"));
    }

    #[test]
    fn path_parameter_after_a_singular_or_a_parameter_is_not_a_reference() {
        assert!(!path_param("code", "/status/{code}"));
        assert!(!path_param("repo", "/repos/{owner}/{repo}"));
        assert!(!path_param("section", "/settings/address/{section}"));
        assert!(!path_param("thing", "/{thing}"));
        assert!(!path_param("thing", "/"));
        assert!(!path_param("missing", "/users/{username}"));
    }

    #[test]
    fn natural_keys_in_the_path_are_references_wherever_they_stand() {
        assert!(path_param("username", "/user/{username}"));
        assert!(path_param("slug", "/repositories/{username}/{slug}"));
        assert!(path_param("username", "/{username}"));
        assert!(path_param("teamName", "/org/{teamName}"));
    }

    #[test]
    fn dates_and_views_are_not_references() {
        assert!(!is_object_reference(
            "date",
            ParamLocation::Path,
            None,
            Some("date"),
            "/lists/{date}"
        ));
        assert!(!is_object_reference(
            "since",
            ParamLocation::Path,
            Some("string"),
            Some("date-time"),
            "/events/{since}"
        ));
        assert!(!path_param("date", "/lists/{date}"));
        assert!(!path_param("format", "/exports/{format}"));
        assert!(!path_param("version", "/docs/{version}"));
        assert!(!is_object_reference("user_id", ParamLocation::Query, Some("boolean"), None, "/"));
    }

    #[test]
    fn query_parameters_need_an_id_name() {
        assert!(!query_param("username"));
        assert!(!query_param("limit"));
        assert!(!query_param("status"));
    }
}
