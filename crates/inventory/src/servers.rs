//! The base path: the path part of the first declared server.
//!
//! [`base_path`] reads `servers[0].url`, substitutes server variables with
//! their defaults, and keeps only the path (`https://h/api/v1` and `/api/v1`
//! both give `/api/v1`). The host is never used: requests go to the scan's
//! target, whatever the spec says. Problems become warnings and an empty
//! base path.

use serde_json::Value;
use url::Url;

/// Where relative server URLs are parsed against. Only the path of the
/// result is kept; this address is never contacted.
const PARSE_BASE: &str = "http://localhost/";

/// The path prefix of every operation, from `servers[0]`, without a
/// trailing `/` (so `/` gives the empty string).
pub(crate) fn base_path(servers: Option<&Value>, warnings: &mut Vec<String>) -> String {
    let Some(first) = servers.and_then(Value::as_array).and_then(|list| list.first()) else {
        return String::new();
    };
    let Some(template) = first.get("url").and_then(Value::as_str) else {
        warnings.push("servers[0]: no \"url\" string; using no base path".to_owned());
        return String::new();
    };
    let url = match substitute_variables(template, first.get("variables")) {
        Ok(url) => url,
        Err(variable) => {
            warnings.push(format!(
                "servers[0]: variable {variable:?} in url {template:?} has no default; \
                 using no base path"
            ));
            return String::new();
        }
    };
    match path_of(&url) {
        Ok(path) => path.trim_end_matches('/').to_owned(),
        Err(error) => {
            warnings.push(format!(
                "servers[0]: url {url:?} is not a valid URL ({error}); using no base path"
            ));
            String::new()
        }
    }
}

/// Replaces each `{name}` with `variables.name.default`, or names the first
/// variable that has none.
fn substitute_variables(template: &str, variables: Option<&Value>) -> Result<String, String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let (before, after) = rest.split_at(open);
        out.push_str(before);
        let Some(close) = after.find('}') else {
            // An unclosed brace is left as text for the URL parser to judge.
            out.push_str(after);
            return Ok(out);
        };
        let name = after.get(1..close).unwrap_or_default();
        let default = variables.and_then(|vars| vars.get(name)).and_then(|var| var.get("default"));
        match default {
            Some(Value::String(text)) => out.push_str(text),
            Some(Value::Number(number)) => out.push_str(&number.to_string()),
            _ => return Err(name.to_owned()),
        }
        rest = after.get(close + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    Ok(out)
}

/// The path of an absolute (`https://h/p`), scheme-relative (`//h/p`) or
/// relative (`/p`, `p`) URL.
fn path_of(url: &str) -> Result<String, url::ParseError> {
    let parsed = if url.contains("://") {
        Url::parse(url)?
    } else if url.starts_with("//") {
        Url::parse(&format!("http:{url}"))?
    } else {
        Url::parse(PARSE_BASE)?.join(url)?
    };
    Ok(parsed.path().to_owned())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn base(servers: Value) -> (String, Vec<String>) {
        let mut warnings = Vec::new();
        let path = base_path(Some(&servers), &mut warnings);
        (path, warnings)
    }

    #[test]
    fn relative_server_url_is_the_base_path() {
        assert_eq!(base(json!([{"url": "/api/v1"}])).0, "/api/v1");
        assert_eq!(base(json!([{"url": "/api/v1/"}])).0, "/api/v1");
        assert_eq!(base(json!([{"url": "api"}])).0, "/api");
    }

    #[test]
    fn absolute_server_url_keeps_only_the_path() {
        assert_eq!(base(json!([{"url": "https://h.example/api/v1"}])).0, "/api/v1");
        assert_eq!(base(json!([{"url": "http://h.example:8080/v2/?x=1"}])).0, "/v2");
        assert_eq!(base(json!([{"url": "//h.example/v3"}])).0, "/v3");
    }

    #[test]
    fn root_server_url_gives_an_empty_base_path() {
        assert_eq!(base(json!([{"url": "/"}])), (String::new(), vec![]));
        assert_eq!(base(json!([{"url": "https://h.example"}])).0, "");
        assert_eq!(base(json!([{"url": "https://h.example/"}])).0, "");
    }

    #[test]
    fn only_the_first_server_counts() {
        assert_eq!(base(json!([{"url": "/one"}, {"url": "/two"}])).0, "/one");
    }

    #[test]
    fn no_servers_gives_an_empty_base_path() {
        let mut warnings = Vec::new();
        assert_eq!(base_path(None, &mut warnings), "");
        assert_eq!(base(json!([])).0, "");
        assert!(warnings.is_empty());
    }

    #[test]
    fn server_variables_take_their_defaults() {
        let servers = json!([{
            "url": "{scheme}://developer.uspto.gov/{base}/",
            "variables": {
                "scheme": {"enum": ["https", "http"], "default": "https"},
                "base": {"default": "ds-api"}
            }
        }]);
        assert_eq!(base(servers), ("/ds-api".to_owned(), vec![]));
        let servers = json!([{"url": "/v{major}", "variables": {"major": {"default": 2}}}]);
        assert_eq!(base(servers).0, "/v2");
    }

    #[test]
    fn variable_without_default_is_a_warning() {
        let (path, warnings) = base(json!([{"url": "https://{host}/api"}]));
        assert_eq!(path, "");
        assert_eq!(
            warnings,
            ["servers[0]: variable \"host\" in url \"https://{host}/api\" has no default; \
              using no base path"]
        );
    }

    #[test]
    fn invalid_url_is_a_warning() {
        let (path, warnings) = base(json!([{"url": "http://[::1/api"}]));
        assert_eq!(path, "");
        assert_eq!(
            warnings,
            ["servers[0]: url \"http://[::1/api\" is not a valid URL (invalid IPv6 address); \
              using no base path"]
        );
    }
}
