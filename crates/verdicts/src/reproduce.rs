//! `curl` lines that reproduce a finding without holding a secret.
//!
//! Evidence shows an identity's secret as `${alice}`. The reproduction
//! command reads it from `$TRESPASS_ALICE` instead, so a developer can paste
//! it after exporting the key, and the report stays free of secrets. The
//! line is quoted for POSIX shells.

use trespass_model::{IdentityName, RecordedRequest};

/// A `curl` command for a recorded request.
pub fn curl(request: &RecordedRequest) -> String {
    let mut line = String::from("curl -i");
    if request.method != trespass_model::Method::Get {
        line.push_str(" -X ");
        line.push_str(request.method.as_str());
    }
    // A credential in the query is already part of the URL.
    if request.credential != "none" && !request.credential.starts_with("query ") {
        line.push_str(" -H ");
        line.push_str(&quote(&request.credential));
    }
    // Ids in headers as headers, ids in cookies with `-b`, which curl
    // merges into the one `Cookie` header.
    for header in &request.headers {
        match header.strip_prefix("Cookie: ") {
            Some(cookie) => {
                line.push_str(" -b ");
                line.push_str(&quote(cookie));
            }
            None => {
                line.push_str(" -H ");
                line.push_str(&quote(header));
            }
        }
    }
    if let Some(body) = &request.body {
        line.push_str(" -H \"Content-Type: application/json\" --data-raw ");
        line.push_str(&quote(body));
    }
    line.push(' ');
    line.push_str(&quote(&request.url));
    line
}

/// Double-quotes `text` for a POSIX shell, turning each `${name}`
/// placeholder into `${TRESPASS_NAME}` and escaping everything else.
fn quote(text: &str) -> String {
    let mut out = String::from("\"");
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        escape_into(&rest[..start], &mut out);
        let after = &rest[start + 2..];
        match after.find('}') {
            Some(end) if is_name(&after[..end]) => {
                let var = IdentityName::new(&after[..end]).env_var();
                out.push_str(&format!("${{{var}}}"));
                rest = &after[end + 1..];
            }
            _ => {
                escape_into("${", &mut out);
                rest = after;
            }
        }
    }
    escape_into(rest, &mut out);
    out.push('"');
    out
}

fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        if matches!(c, '"' | '\\' | '$' | '`') {
            out.push('\\');
        }
        out.push(c);
    }
}

fn is_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use trespass_model::Method;

    fn request(url: &str, credential: &str) -> RecordedRequest {
        RecordedRequest::new(Method::Get, url, credential)
    }

    #[test]
    fn header_credentials_read_the_environment() {
        assert_eq!(
            curl(&request("http://127.0.0.1:8/users/1", "X-API-Key: ${bob}")),
            r#"curl -i -H "X-API-Key: ${TRESPASS_BOB}" "http://127.0.0.1:8/users/1""#
        );
    }

    #[test]
    fn query_credentials_stay_in_the_url() {
        assert_eq!(
            curl(&request("http://127.0.0.1:8/u/1?key=${data-team}", "query key=${data-team}")),
            r#"curl -i "http://127.0.0.1:8/u/1?key=${TRESPASS_DATA_TEAM}""#
        );
    }

    #[test]
    fn ids_in_headers_cookies_and_bodies_are_reproduced() {
        let mut sent = request("http://127.0.0.1:8/transactions", "X-API-Key: ${bob}");
        sent.method = Method::Put;
        sent.headers = vec!["X-Account-Id: 11".into(), "Cookie: account_id=11".into()];
        sent.body = Some(r#"{"user_id":1}"#.into());
        assert_eq!(
            curl(&sent),
            r#"curl -i -X PUT -H "X-API-Key: ${TRESPASS_BOB}" -H "X-Account-Id: 11" -b "account_id=11" -H "Content-Type: application/json" --data-raw "{\"user_id\":1}" "http://127.0.0.1:8/transactions""#
        );
    }

    #[test]
    fn no_credential_and_shell_characters_are_escaped() {
        assert_eq!(
            curl(&request("http://127.0.0.1:8/a$b`c\"d", "none")),
            r#"curl -i "http://127.0.0.1:8/a\$b\`c\"d""#
        );
        assert_eq!(
            curl(&request("http://127.0.0.1:8/x", "X-API-Key: ab$c-1")),
            r#"curl -i -H "X-API-Key: ab\$c-1" "http://127.0.0.1:8/x""#
        );
    }
}
