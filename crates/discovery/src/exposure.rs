//! Exposure: credentials of other callers found in a response.
//!
//! Discovery reads every listing as every identity, which makes it the place
//! to notice a response that carries somebody else's credential. Two
//! signals, strongest first:
//!
//! - a **known secret**: the body contains, byte for byte, the credential of
//!   another identity of the scan;
//! - a **key-like field**: a JSON field named like a credential (`api_key`,
//!   `token`, `secret`, `password`, …) holds a string of 12 characters or
//!   more that is not the caller's own credential.
//!
//! The caller's own credential in its own response is no exposure (a "show
//! my key" page), and neither is a short value (a key's last four digits).

use serde_json::Value;
use trespass_model::{Identity, Method, RecordedRequest, RecordedResponse};
use trespass_transport::Redactor;

/// Characters of the body kept in an exposure's evidence.
const EXCERPT_CHARS: usize = 320;

/// A listing response that exposed credentials, with its evidence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exposure {
    /// The operation's method.
    pub method: Method,
    /// The operation's path template.
    pub path: String,
    /// The request, with placeholders for secrets.
    pub request: RecordedRequest,
    /// The response, its excerpt redacted: known secrets replaced by
    /// placeholders and credential-named fields masked.
    pub response: RecordedResponse,
    /// What it exposed.
    pub exposed: Vec<Exposed>,
}

/// Depth beyond which a body is not walked; bodies are untrusted.
const MAX_DEPTH: usize = 32;
/// Key-like values shorter than this are hints (last digits), not secrets.
const MIN_SECRET_LEN: usize = 12;
/// Field names (normalized: lowercase, no `_` or `-`) that hold credentials.
const SECRET_FIELDS: &[&str] = &[
    "apikey",
    "key",
    "secret",
    "token",
    "accesstoken",
    "refreshtoken",
    "clientsecret",
    "password",
    "privatekey",
    "sessiontoken",
    "authtoken",
    "bearer",
];

/// What a response exposed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exposed {
    /// The credential of the identity at this index.
    Identity(usize),
    /// A credential-named field, at this JSON path (`/members/1/api_key`),
    /// whose value is no identity's known credential.
    Field(String),
}

/// Everything `body`, received by identity `caller` (or nobody), exposes.
pub fn exposed(body: &[u8], caller: Option<usize>, identities: &[Identity]) -> Vec<Exposed> {
    let mut found = Vec::new();
    for (index, identity) in identities.iter().enumerate() {
        let secret = identity.credential.secret.expose().as_bytes();
        if Some(index) != caller && !secret.is_empty() && contains(body, secret) {
            found.push(Exposed::Identity(index));
        }
    }
    if let Ok(json) = serde_json::from_slice::<Value>(body) {
        let known: Vec<&str> = identities.iter().map(|i| i.credential.secret.expose()).collect();
        fields(&json, "", 0, &known, &mut found);
    }
    found
}

/// The start of `body` for evidence: credential-named fields masked when
/// it is JSON, then every known secret replaced by its placeholder. Masking
/// happens before cutting, so that no cut can leave part of a secret.
pub fn masked_excerpt(body: &[u8], redactor: &Redactor) -> String {
    let text = match serde_json::from_slice::<Value>(body) {
        Ok(mut json) => {
            mask_fields(&mut json, 0);
            json.to_string()
        }
        Err(_) => String::from_utf8_lossy(body).into_owned(),
    };
    redactor.redact(&text).chars().take(EXCERPT_CHARS).collect()
}

fn mask_fields(value: &mut Value, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match value {
        Value::Object(map) => {
            for (key, field) in map.iter_mut() {
                let is_secret = SECRET_FIELDS.contains(&normalize(key).as_str());
                match field {
                    Value::String(text) if is_secret && text.chars().count() >= MIN_SECRET_LEN => {
                        *text = "[redacted]".to_owned();
                    }
                    other => mask_fields(other, depth + 1),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| mask_fields(v, depth + 1)),
        _ => {}
    }
}

fn normalize(key: &str) -> String {
    key.chars().filter(|c| !matches!(c, '_' | '-')).flat_map(char::to_lowercase).collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

fn fields(value: &Value, path: &str, depth: usize, known: &[&str], out: &mut Vec<Exposed>) {
    if depth > MAX_DEPTH {
        return;
    }
    match value {
        Value::Object(map) => {
            for (key, field) in map {
                let child = format!("{path}/{key}");
                let normalized = normalize(key);
                if let Value::String(text) = field {
                    let secret_named = SECRET_FIELDS.contains(&normalized.as_str());
                    if secret_named
                        && text.chars().count() >= MIN_SECRET_LEN
                        && !known.contains(&text.as_str())
                    {
                        out.push(Exposed::Field(child.clone()));
                    }
                }
                fields(field, &child, depth + 1, known, out);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                fields(item, &format!("{path}/{index}"), depth + 1, known, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trespass_model::{Credential, CredentialPlacement, IdentityName, Secret};

    fn identity(name: &str, key: &str) -> Identity {
        Identity {
            name: IdentityName::new(name),
            credential: Credential {
                placement: CredentialPlacement::default_header(),
                secret: Secret::new(key.to_owned()),
            },
            role: None,
            owns: Default::default(),
        }
    }

    #[test]
    fn other_identities_keys_and_key_like_fields_are_exposures_own_key_is_not() {
        let ids = [identity("alice", "key-alice-123456"), identity("bob", "key-bob-654321")];
        let body = br#"{"members":[{"api_key":"key-alice-123456"},{"api_key":"key-bob-654321"}]}"#;
        assert_eq!(exposed(body, Some(0), &ids), vec![Exposed::Identity(1)]);
        assert_eq!(exposed(body, None, &ids), vec![Exposed::Identity(0), Exposed::Identity(1)]);

        let body = br#"{"owner":{"token":"tok_live_9f8e7d6c5b4a"},"api_key":"1234"}"#;
        assert_eq!(exposed(body, Some(0), &ids), vec![Exposed::Field("/owner/token".into())]);
        assert_eq!(exposed(br#"{"name":"key-alice-1234567"}"#, Some(0), &ids), vec![]);
    }

    #[test]
    fn excerpts_mask_key_like_fields_and_known_secrets_before_cutting() {
        let ids = [identity("alice", "key-alice-123456")];
        let redactor = Redactor::new(ids.iter().map(|i| (&i.name, &i.credential.secret)));
        let body = br#"{"token":"tok_live_9f8e7d6c5b4a","note":"key-alice-123456","pin":"1234"}"#;
        assert_eq!(
            masked_excerpt(body, &redactor),
            r#"{"token":"[redacted]","note":"${alice}","pin":"1234"}"#
        );
    }
}
