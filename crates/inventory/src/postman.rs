//! Postman collections (v2.0 and v2.1) to an [`Inventory`].
//!
//! [`from_str`] walks the collection's `item` tree depth first, folders
//! included, and makes each request an operation. `{{variables}}` are
//! replaced from the environment file (its enabled `values`) first, then
//! from the collection's `variable` list; a variable that stays unknown in
//! the path becomes a path parameter (`{{userId}}` → `{userId}`), as does a
//! Postman path variable (`:id` → `{id}`, its value the example). Concrete
//! id-like segments left after that become parameters as in HAR captures
//! (see [`crate::template`]). Requests to the same method and template are
//! one operation.
//!
//! Auth is inherited as Postman does: a request without `auth` takes its
//! folder's, then the collection's; `noauth` means none. `apikey` (header or
//! query), `bearer`, `basic` and `oauth2` become security schemes; a header
//! named `Authorization` (bearer, basic, or any other value as a key) or one
//! whose name holds `key` or `token` counts as well, since many collections
//! set the key by hand. A collection exported by the Postman API (wrapped
//! in `{"collection": …}`) is unwrapped. Body fields
//! of JSON, urlencoded and form-data bodies become body parameters.
//!
//! Only the path of each URL is kept: requests go to the scan's target, and
//! the base path is empty. Secrets in a collection or environment are only
//! used to resolve variables in paths, queries and bodies; auth values are
//! never read into the inventory.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use trespass_model::{
    ApiKeyLocation, Inventory, Method, Operation, ParamLocation, Parameter, SecurityScheme,
};

use crate::error::InventoryError;
use crate::heuristic::is_object_reference;
use crate::security::scheme_name;
use crate::syntax;
use crate::template;

/// Most nested `{{variable}}` replacements in one string.
const MAX_VARIABLE_ROUNDS: usize = 4;

/// Deepest folder nesting walked.
const MAX_FOLDER_DEPTH: usize = 32;

/// Reads a collection, and optionally an environment, from files.
pub fn load_file(
    collection: &std::path::Path,
    environment: Option<&std::path::Path>,
) -> Result<Inventory, InventoryError> {
    let read = |path| crate::read_file(path, trespass_input::InputKind::POSTMAN);
    let text = read(collection)?;
    let environment = match environment {
        Some(path) => Some((read(path)?, path.display().to_string())),
        None => None,
    };
    from_str(
        &text,
        &collection.display().to_string(),
        environment.as_ref().map(|(text, origin)| (text.as_str(), origin.as_str())),
    )
}

/// Reads a collection from text; `origin` names it in messages. The
/// environment, when given, is its text and its name.
pub fn from_str(
    text: &str,
    origin: &str,
    environment: Option<(&str, &str)>,
) -> Result<Inventory, InventoryError> {
    let mut doc = syntax::parse_document(text, origin)?;
    // The Postman API exports a collection wrapped as `{"collection": {…}}`.
    if doc.get("info").is_none()
        && let Some(Value::Object(_)) = doc.get("collection")
        && let Some(inner) = doc.get_mut("collection").map(Value::take)
    {
        doc = inner;
    }
    let not_postman = |found: String| InventoryError::NotPostman {
        origin: origin.to_owned(),
        expected: "collection (v2.0 or v2.1)",
        found,
    };
    let schema = doc.pointer("/info/schema").and_then(Value::as_str).unwrap_or_default();
    if !schema.contains("/v2.0.") && !schema.contains("/v2.1.") {
        return Err(not_postman(if schema.is_empty() {
            "no \"info.schema\"".to_owned()
        } else {
            format!("info.schema is {schema:?}")
        }));
    }
    let Some(items) = doc.get("item").and_then(Value::as_array) else {
        return Err(not_postman("no \"item\" array".to_owned()));
    };

    let mut variables = BTreeMap::new();
    if let Some((env_text, env_origin)) = environment {
        let env = syntax::parse_document(env_text, env_origin)?;
        let Some(values) = env.get("values").and_then(Value::as_array) else {
            return Err(InventoryError::NotPostman {
                origin: env_origin.to_owned(),
                expected: "environment",
                found: "no \"values\" array".to_owned(),
            });
        };
        add_variables(&mut variables, values);
    }
    if let Some(list) = doc.get("variable").and_then(Value::as_array) {
        add_variables(&mut variables, list);
    }

    let mut walker = Walker {
        variables,
        schemes: BTreeMap::new(),
        operations: Vec::new(),
        warnings: Vec::new(),
    };
    let inherited = auth_of(doc.get("auth"));
    walker.items(items, "item", &inherited, 0);
    Ok(Inventory {
        title: doc.pointer("/info/name").and_then(Value::as_str).map(str::to_owned),
        base_path: String::new(),
        operations: walker.operations,
        security_schemes: walker.schemes,
        warnings: walker.warnings,
        skipped: Vec::new(),
    })
}

/// `{key, value}` pairs, skipping disabled ones and keys already set.
fn add_variables(variables: &mut BTreeMap<String, String>, list: &[Value]) {
    for pair in list {
        if pair.get("enabled").and_then(Value::as_bool) == Some(false)
            || pair.get("disabled").and_then(Value::as_bool) == Some(true)
        {
            continue;
        }
        let (Some(key), Some(value)) = (pair.get("key").and_then(Value::as_str), pair.get("value"))
        else {
            continue;
        };
        let value = match value {
            Value::String(text) => text.clone(),
            Value::Number(number) => number.to_string(),
            Value::Bool(flag) => flag.to_string(),
            _ => continue,
        };
        variables.entry(key.to_owned()).or_insert(value);
    }
}

/// Auth as found on a collection, folder or request: `None` inherits.
#[derive(Clone, Debug, PartialEq)]
enum Auth {
    Inherit,
    Nothing,
    Scheme(SecurityScheme),
}

fn auth_of(auth: Option<&Value>) -> Auth {
    let Some(auth) = auth.filter(|a| a.is_object()) else {
        return Auth::Inherit;
    };
    match auth.get("type").and_then(Value::as_str).unwrap_or_default() {
        "noauth" => Auth::Nothing,
        "inherit" | "" => Auth::Inherit,
        "bearer" | "jwt" => Auth::Scheme(SecurityScheme::HttpBearer),
        "basic" => Auth::Scheme(SecurityScheme::HttpBasic),
        "oauth2" | "oauth1" => Auth::Scheme(SecurityScheme::OAuth2),
        "apikey" => {
            let field = |key: &str| auth_field(auth.get("apikey"), key);
            let name = field("key").unwrap_or_else(|| "X-API-Key".to_owned());
            let location = match field("in").as_deref() {
                Some("query") => ApiKeyLocation::Query,
                _ => ApiKeyLocation::Header,
            };
            Auth::Scheme(SecurityScheme::ApiKey { name, location })
        }
        other => Auth::Scheme(SecurityScheme::Other { declared: other.to_owned() }),
    }
}

/// A field of an auth block: v2.1 lists `{key, value}` pairs, v2.0 has an
/// object.
fn auth_field(block: Option<&Value>, key: &str) -> Option<String> {
    match block? {
        Value::Array(pairs) => pairs
            .iter()
            .find(|p| p.get("key").and_then(Value::as_str) == Some(key))
            .and_then(|p| p.get("value"))
            .and_then(Value::as_str)
            .map(str::to_owned),
        Value::Object(fields) => fields.get(key).and_then(Value::as_str).map(str::to_owned),
        _ => None,
    }
}

/// A query parameter or body field, with its value when it has one.
type Field = (String, Option<String>);

struct Walker {
    variables: BTreeMap<String, String>,
    schemes: BTreeMap<String, SecurityScheme>,
    operations: Vec<Operation>,
    warnings: Vec<String>,
}

impl Walker {
    fn items(&mut self, items: &[Value], here: &str, inherited: &Auth, depth: usize) {
        if depth > MAX_FOLDER_DEPTH {
            self.warnings.push(format!(
                "{here}: folders nest deeper than {MAX_FOLDER_DEPTH} levels; the rest is skipped"
            ));
            return;
        }
        for (index, item) in items.iter().enumerate() {
            let here = format!("{here}[{index}]");
            let auth = match auth_of(item.get("auth")) {
                Auth::Inherit => inherited.clone(),
                own => own,
            };
            if let Some(children) = item.get("item").and_then(Value::as_array) {
                self.items(children, &format!("{here}.item"), &auth, depth + 1);
            } else if let Some(request) = item.get("request") {
                let request_auth = match auth_of(request.get("auth")) {
                    Auth::Inherit => auth,
                    own => own,
                };
                self.request(request, &here, &request_auth);
            } else {
                self.warnings.push(format!("{here}: neither a request nor a folder; skipped"));
            }
        }
    }

    fn request(&mut self, request: &Value, here: &str, auth: &Auth) {
        // v2.0 allows a request to be just its URL, sent with GET.
        let (method, url) = match request {
            Value::String(url) => ("GET", Value::String(url.clone())),
            other => (
                other.get("method").and_then(Value::as_str).unwrap_or("GET"),
                other.get("url").cloned().unwrap_or(Value::Null),
            ),
        };
        let Ok(method) = method.parse::<Method>() else {
            self.warnings.push(format!("{here}: method {method:?} is not supported; skipped"));
            return;
        };
        let Some((raw_path, query)) = self.path_and_query(&url) else {
            self.warnings.push(format!("{here}: request has no URL; skipped"));
            return;
        };

        // `:name` path variables, with their values as examples.
        let path_variables: Map<String, Value> = url
            .get("variable")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|v| {
                        Some((v.get("key")?.as_str()?.to_owned(), v.get("value")?.clone()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut examples: BTreeMap<String, String> = BTreeMap::new();
        let path: String = raw_path
            .split('/')
            .map(|segment| {
                if let Some(name) = segment.strip_prefix(':').filter(|n| !n.is_empty()) {
                    if let Some(value) = path_variables.get(name).and_then(scalar_text) {
                        let value = self.substitute(&value);
                        if !value.is_empty() && !value.contains("{{") {
                            examples.insert(name.to_owned(), value);
                        }
                    }
                    format!("{{{name}}}")
                } else if let Some(name) =
                    segment.strip_prefix("{{").and_then(|s| s.strip_suffix("}}"))
                {
                    format!("{{{name}}}")
                } else {
                    segment.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let path = if path.starts_with('/') { path } else { format!("/{path}") };
        let (template, values) = template::infer(&path);
        for value in &values {
            examples.insert(value.name.clone(), value.value.clone());
        }

        let position =
            self.operations.iter().position(|op| op.method == method && op.path == template);
        let operation = match position.and_then(|p| self.operations.get_mut(p)) {
            Some(operation) => operation,
            None => {
                let mut operation = Operation {
                    method,
                    path: template.clone(),
                    operation_id: None,
                    tags: Vec::new(),
                    parameters: Vec::new(),
                    security: Vec::new(),
                    responses: Vec::new(),
                    source: here.to_owned(),
                };
                for name in template_names(&template) {
                    let example = examples.get(name).cloned();
                    let shape = example.as_deref().and_then(template::id_shape);
                    let (schema_type, format) = shape.map_or(("string", None), |s| s.schema());
                    operation.parameters.push(Parameter {
                        name: name.to_owned(),
                        choices: Vec::new(),
                        location: ParamLocation::Path,
                        required: true,
                        schema_type: Some(schema_type.to_owned()),
                        format: format.map(str::to_owned),
                        example,
                        object_reference: is_object_reference(
                            name,
                            ParamLocation::Path,
                            Some(schema_type),
                            format,
                            &template,
                        ),
                    });
                }
                self.operations.push(operation);
                let Some(operation) = self.operations.last_mut() else {
                    return;
                };
                operation
            }
        };

        for (name, value) in query {
            add_parameter(operation, &name, ParamLocation::Query, value);
        }
        let body_fields = body_fields(request.get("body"), &self.variables);
        for (name, value) in body_fields {
            add_parameter(operation, &name, ParamLocation::Body, value);
        }

        let scheme = match auth {
            Auth::Scheme(scheme) => Some(scheme.clone()),
            Auth::Nothing | Auth::Inherit => header_scheme(request.get("header")),
        };
        if let Some(scheme) = scheme {
            let name = scheme_name(&scheme);
            if !operation.security.iter().any(|alt| alt.first() == Some(&name)) {
                operation.security.push(vec![name.clone()]);
            }
            self.schemes.entry(name).or_insert(scheme);
        }
    }

    /// The path (variables replaced) and enabled query parameters of a URL.
    fn path_and_query(&self, url: &Value) -> Option<(String, Vec<Field>)> {
        let raw = match url {
            Value::String(raw) => raw.clone(),
            Value::Object(fields) => match fields.get("raw").and_then(Value::as_str) {
                Some(raw) => raw.to_owned(),
                None => {
                    let path = match fields.get("path") {
                        Some(Value::Array(segments)) => {
                            segments.iter().filter_map(scalar_text).collect::<Vec<_>>().join("/")
                        }
                        Some(Value::String(path)) => path.clone(),
                        _ => String::new(),
                    };
                    format!("/{}", path.trim_start_matches('/'))
                }
            },
            _ => return None,
        };
        let resolved = self.substitute(&raw);
        let (before_fragment, _) = resolved.split_once('#').unwrap_or((&resolved, ""));
        let (address, query_text) =
            before_fragment.split_once('?').unwrap_or((before_fragment, ""));

        // Drop the scheme and host: `https://h:1/a` and `h:1/a` give `/a`;
        // a leading variable that stayed unknown (`{{base}}/a`) is the host.
        let without_scheme = address.split_once("://").map_or(address, |(_, rest)| rest);
        let path = if without_scheme.starts_with('/') {
            without_scheme.to_owned()
        } else {
            without_scheme.find('/').map_or_else(String::new, |i| without_scheme[i..].to_owned())
        };

        let query = match url.get("query").and_then(Value::as_array) {
            Some(list) => list
                .iter()
                .filter(|q| q.get("disabled").and_then(Value::as_bool) != Some(true))
                .filter_map(|q| {
                    let key = q.get("key")?.as_str()?.to_owned();
                    let value = q.get("value").and_then(scalar_text).map(|v| self.substitute(&v));
                    Some((key, value))
                })
                .collect(),
            None => url::form_urlencoded::parse(query_text.as_bytes())
                .map(|(k, v)| (k.into_owned(), Some(v.into_owned())))
                .collect(),
        };
        Some((path, query))
    }

    /// `text` with known `{{variables}}` replaced, a few rounds deep.
    fn substitute(&self, text: &str) -> String {
        let mut current = text.to_owned();
        for _ in 0..MAX_VARIABLE_ROUNDS {
            if !current.contains("{{") {
                break;
            }
            let mut out = String::with_capacity(current.len());
            let mut rest = current.as_str();
            let mut changed = false;
            while let Some(open) = rest.find("{{") {
                let (before, after) = rest.split_at(open);
                out.push_str(before);
                let Some(close) = after.find("}}") else {
                    out.push_str(after);
                    rest = "";
                    break;
                };
                let name = after.get(2..close).unwrap_or_default();
                match self.variables.get(name) {
                    Some(value) => {
                        out.push_str(value);
                        changed = true;
                    }
                    None => out.push_str(after.get(..close + 2).unwrap_or_default()),
                }
                rest = after.get(close + 2..).unwrap_or_default();
            }
            out.push_str(rest);
            current = out;
            if !changed {
                break;
            }
        }
        current
    }
}

/// A scheme from a hand-set header: `Authorization: Bearer …`, or a header
/// whose name holds `key` or `token`.
fn header_scheme(headers: Option<&Value>) -> Option<SecurityScheme> {
    let headers = headers?.as_array()?;
    headers.iter().filter(|h| h.get("disabled").and_then(Value::as_bool) != Some(true)).find_map(
        |header| {
            let name = header.get("key")?.as_str()?;
            let value = header.get("value").and_then(Value::as_str).unwrap_or_default();
            let lower = name.to_ascii_lowercase();
            if lower == "authorization" {
                let starts = |prefix: &str| {
                    value.get(..prefix.len()).is_some_and(|p| p.eq_ignore_ascii_case(prefix))
                };
                Some(if starts("bearer ") {
                    SecurityScheme::HttpBearer
                } else if starts("basic ") {
                    SecurityScheme::HttpBasic
                } else {
                    // `Token …`, or the bare key: the whole value is the key.
                    SecurityScheme::ApiKey {
                        name: name.to_owned(),
                        location: ApiKeyLocation::Header,
                    }
                })
            } else if lower.contains("key") || lower.contains("token") {
                Some(SecurityScheme::ApiKey {
                    name: name.to_owned(),
                    location: ApiKeyLocation::Header,
                })
            } else {
                None
            }
        },
    )
}

/// Top-level fields of a request body, with their values as examples.
fn body_fields(
    body: Option<&Value>,
    variables: &BTreeMap<String, String>,
) -> Vec<(String, Option<String>)> {
    let Some(body) = body else {
        return Vec::new();
    };
    let pairs = |key: &str| -> Vec<(String, Option<String>)> {
        body.get(key)
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter(|p| p.get("disabled").and_then(Value::as_bool) != Some(true))
                    .filter(|p| p.get("type").and_then(Value::as_str) != Some("file"))
                    .filter_map(|p| {
                        let key = p.get("key")?.as_str()?.to_owned();
                        Some((key, p.get("value").and_then(scalar_text)))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    match body.get("mode").and_then(Value::as_str) {
        Some("urlencoded") => pairs("urlencoded"),
        Some("formdata") => pairs("formdata"),
        Some("raw") => {
            let raw = body.get("raw").and_then(Value::as_str).unwrap_or_default();
            // Quoted variables are fine JSON; bare ones (`{"n": {{n}}}`) are
            // replaced by their value, or by null when unknown.
            let mut text = raw.to_owned();
            for (name, value) in variables {
                text = text.replace(&format!("{{{{{name}}}}}"), value);
            }
            let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(&text) else {
                return Vec::new();
            };
            fields.into_iter().map(|(name, value)| (name, scalar_text(&value))).collect()
        }
        _ => Vec::new(),
    }
}

fn add_parameter(
    operation: &mut Operation,
    name: &str,
    location: ParamLocation,
    example: Option<String>,
) {
    if name.is_empty()
        || operation.parameters.iter().any(|p| p.location == location && p.name == name)
    {
        return;
    }
    let example = example.filter(|e| !e.contains("{{"));
    let example = example.filter(|_| !template::names_a_credential(name));
    let object_reference = is_object_reference(name, location, None, None, &operation.path);
    operation.parameters.push(Parameter {
        name: name.to_owned(),
        choices: Vec::new(),
        location,
        required: false,
        schema_type: None,
        format: None,
        example,
        object_reference,
    });
}

/// A string, number or boolean as text.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

/// The distinct `{name}` placeholders of a template, in order.
fn template_names(path: &str) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}'))
            && !name.is_empty()
            && !names.contains(&name)
        {
            names.push(name);
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const V21: &str = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json";

    #[test]
    fn folders_variables_auth_and_path_variables() {
        let collection = json!({
            "info": {"name": "Shop", "schema": V21},
            "auth": {"type": "apikey", "apikey": [
                {"key": "key", "value": "X-API-Key"}, {"key": "value", "value": "{{key}}"},
                {"key": "in", "value": "header"}
            ]},
            "variable": [{"key": "baseUrl", "value": "http://localhost:9/api"},
                         {"key": "userId", "value": "1"}],
            "item": [
                {"name": "users", "item": [
                    {"name": "one", "request": {"method": "GET", "url": {
                        "raw": "{{baseUrl}}/users/:user_id?expand=team",
                        "variable": [{"key": "user_id", "value": "{{userId}}"}]
                    }}},
                    {"name": "again", "request": {"method": "GET",
                        "url": "{{baseUrl}}/users/7"}},
                    {"name": "orders", "request": {"method": "GET",
                        "url": "{{baseUrl}}/users/{{userId}}/orders/{{orderId}}"}}
                ]},
                {"name": "public", "auth": {"type": "noauth"}, "item": [
                    {"name": "catalog", "request": {"method": "GET", "url": "{{host}}/catalog"}}
                ]},
                {"name": "login", "request": {
                    "method": "POST", "url": "{{baseUrl}}/login",
                    "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "t"}]},
                    "body": {"mode": "raw", "raw": "{\"tenant_id\": {{tenant}}, \"name\": \"x\"}"}
                }},
                {"name": "odd"}
            ]
        });
        let environment = json!({"values": [
            {"key": "tenant", "value": "5", "enabled": true},
            {"key": "userId", "value": "3", "enabled": false}
        ]});
        let inventory =
            from_str(&collection.to_string(), "c.json", Some((&environment.to_string(), "e.json")))
                .unwrap();
        assert_eq!(inventory.title.as_deref(), Some("Shop"));
        let labels: Vec<String> = inventory.operations.iter().map(Operation::label).collect();
        assert_eq!(
            labels,
            [
                "GET /api/users/{user_id}",
                "GET /api/users/{user_id}/orders/{orderId}",
                "GET /catalog",
                "POST /api/login",
            ]
        );
        let user = &inventory.operations[0];
        assert_eq!(user.source, "item[0].item[0]");
        assert_eq!(user.security, [["header X-API-Key"]]);
        assert_eq!(user.parameters[0].example.as_deref(), Some("1"));
        assert!(user.parameters[0].object_reference);
        assert_eq!(user.parameters[1].name, "expand");

        let orders = &inventory.operations[1];
        assert_eq!(orders.parameters[1].name, "orderId");
        assert!(orders.parameters[1].object_reference);
        assert_eq!(inventory.operations[2].security, Vec::<Vec<String>>::new());

        let login = &inventory.operations[3];
        assert_eq!(login.security, [["bearer"]]);
        let fields: Vec<(&str, Option<&str>)> =
            login.parameters.iter().map(|p| (p.name.as_str(), p.example.as_deref())).collect();
        assert_eq!(fields, [("tenant_id", Some("5")), ("name", Some("x"))]);
        assert_eq!(inventory.warnings, ["item[3]: neither a request nor a folder; skipped"]);
    }

    #[test]
    fn other_documents_are_refused_with_what_they_have() {
        let error = |text: &str| from_str(text, "c.json", None).unwrap_err().to_string();
        assert_eq!(
            error(
                "{\"info\": {\"schema\": \"https://schema.getpostman.com/json/collection/v1.0.0/\"}}"
            ),
            "c.json is not a Postman collection (v2.0 or v2.1): info.schema is \
             \"https://schema.getpostman.com/json/collection/v1.0.0/\""
        );
        assert_eq!(
            error("{\"openapi\": \"3.0.0\"}"),
            "c.json is not a Postman collection (v2.0 or v2.1): no \"info.schema\""
        );
        let collection = json!({"info": {"schema": V21}, "item": []}).to_string();
        let error = from_str(&collection, "c.json", Some(("{\"name\": \"x\"}", "e.json")));
        assert_eq!(
            error.unwrap_err().to_string(),
            "e.json is not a Postman environment: no \"values\" array"
        );
    }
}
