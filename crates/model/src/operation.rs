//! The inventory: every operation an API offers, whatever it was read from.
//!
//! An OpenAPI document, a HAR capture or a Postman collection all become one
//! [`Inventory`]: a list of [`Operation`]s (method and path template), each
//! with its [`Parameter`]s and where they live, the security it declares and
//! the responses it documents. Parameters that name objects are marked as
//! object references; they are what the probes swap between identities.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An HTTP method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    /// `GET`
    Get,
    /// `HEAD`
    Head,
    /// `OPTIONS`
    Options,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
    /// `TRACE`
    Trace,
}

impl Method {
    /// All methods, in the order OpenAPI lists them in a path item.
    pub const ALL: [Method; 8] = [
        Method::Get,
        Method::Put,
        Method::Post,
        Method::Delete,
        Method::Options,
        Method::Head,
        Method::Patch,
        Method::Trace,
    ];

    /// The method as sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Options => "OPTIONS",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Trace => "TRACE",
        }
    }

    /// Whether the method only reads, and so may be sent in safe mode.
    pub fn is_read_only(self) -> bool {
        matches!(self, Method::Get | Method::Head | Method::Options)
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Method {
    type Err = String;

    /// Parses a method name in any case (`get`, `GET`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Method::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown HTTP method `{s}`"))
    }
}

/// Where a parameter lives in a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamLocation {
    /// A `{name}` segment of the path template.
    Path,
    /// A query-string parameter.
    Query,
    /// A request header.
    Header,
    /// A cookie.
    Cookie,
    /// A field of a JSON or form request body: a top-level one by its name
    /// (`user_id`), a nested one by its JSON pointer (`/owner/id`).
    Body,
}

impl ParamLocation {
    /// The lowercase name (`path`, `query`, `header`, `cookie`, `body`).
    pub fn as_str(self) -> &'static str {
        match self {
            ParamLocation::Path => "path",
            ParamLocation::Query => "query",
            ParamLocation::Header => "header",
            ParamLocation::Cookie => "cookie",
            ParamLocation::Body => "body",
        }
    }
}

/// One parameter of an operation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parameter {
    /// Name as declared (`user_id`).
    pub name: String,
    /// Where it is sent.
    pub location: ParamLocation,
    /// Whether the operation requires it.
    pub required: bool,
    /// JSON Schema type, when declared (`integer`, `string`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_type: Option<String>,
    /// JSON Schema format, when declared (`uuid`, `int64`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// An example value, when the description gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<String>,
    /// Whether the parameter names an object (an id), and so is swapped
    /// between identities by the probes.
    pub object_reference: bool,
    /// The only values the schema allows (`enum`, or a 3.1 `const`), as
    /// text; empty when any value of the type goes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
}

/// Where an `apiKey` security scheme carries its key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApiKeyLocation {
    /// A request header.
    Header,
    /// A query parameter.
    Query,
    /// A cookie.
    Cookie,
}

/// A security scheme declared by the API description.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum SecurityScheme {
    /// An API key in a header, query parameter or cookie.
    ApiKey {
        /// Header, query or cookie name.
        name: String,
        /// Where the key goes.
        location: ApiKeyLocation,
    },
    /// `Authorization: Bearer <token>`.
    HttpBearer,
    /// `Authorization: Basic <base64>`.
    HttpBasic,
    /// OAuth 2 or OpenID Connect: in practice a bearer token.
    OAuth2,
    /// A scheme trespass does not model (mutual TLS, digest, …), by its type.
    Other {
        /// The declared type.
        declared: String,
    },
}

/// One operation: a method on a path template.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operation {
    /// The method.
    pub method: Method,
    /// Path template relative to the API's base path, with `{name}`
    /// placeholders (`/users/{user_id}`).
    pub path: String,
    /// `operationId`, when declared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_id: Option<String>,
    /// Tags, when declared.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Every parameter, path-level ones merged in.
    pub parameters: Vec<Parameter>,
    /// Security requirement alternatives, as OpenAPI states them: each inner
    /// list names schemes that must all be satisfied, and any one
    /// alternative is enough. An empty outer list means no security; an
    /// empty inner list means anonymous access is one of the alternatives.
    pub security: Vec<Vec<String>>,
    /// Documented response status codes (`200`, `404`, `default`).
    pub responses: Vec<String>,
    /// Where the operation was declared, for messages: a JSON pointer into
    /// the spec (`/paths/~1users~1{id}/get`) or a HAR entry index.
    pub source: String,
}

impl Operation {
    /// Whether the declared security requires a credential: some
    /// requirement exists, and none of the alternatives is anonymous.
    pub fn requires_credential(&self) -> bool {
        !self.security.is_empty() && self.security.iter().all(|alt| !alt.is_empty())
    }

    /// Parameters that name objects, in declaration order.
    pub fn object_references(&self) -> impl Iterator<Item = &Parameter> {
        self.parameters.iter().filter(|p| p.object_reference)
    }

    /// Parameters in the path, in declaration order.
    pub fn path_parameters(&self) -> impl Iterator<Item = &Parameter> {
        self.parameters.iter().filter(|p| p.location == ParamLocation::Path)
    }

    /// `GET /users/{id}`, for messages and logs.
    pub fn label(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// Everything the inputs say about an API.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inventory {
    /// Title of the API, when declared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Path prefix every operation's path is relative to (`/api/v1`), taken
    /// from the first server or `basePath`. Empty when there is none. The
    /// host of a server is never used: requests go to the scan's target.
    pub base_path: String,
    /// Operations in document order.
    pub operations: Vec<Operation>,
    /// Declared security schemes by name.
    pub security_schemes: BTreeMap<String, SecurityScheme>,
    /// Problems that did not stop loading: a broken operation is skipped and
    /// described here, and the rest of the document is used.
    pub warnings: Vec<String>,
    /// Operations the description declares but that were too broken to
    /// use, each with why; their warnings are in `warnings` too. Only those
    /// whose method is known: a path item that cannot be read at all (a
    /// `$ref` that does not resolve) hides its methods, and is only a
    /// warning.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<SkippedOperation>,
}

/// An operation the inventory could not use, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedOperation {
    /// Its method.
    pub method: Method,
    /// Its path template.
    pub path: String,
    /// Why it was skipped, in the words of its warning.
    pub reason: String,
}
