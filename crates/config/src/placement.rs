//! The text form of a credential placement: `header:X-API-Key`,
//! `query:api_key`, `cookie:session`, `bearer` or `basic`.

use trespass_model::CredentialPlacement;

/// Parses a placement as written in the config or on the command line.
pub fn parse_placement(text: &str) -> Result<CredentialPlacement, String> {
    let expected = || {
        format!(
            "invalid auth `{}`: expected header:NAME, query:NAME, cookie:NAME, bearer or basic",
            text.escape_debug()
        )
    };
    let (kind, name) = match text.split_once(':') {
        Some((kind, name)) => (kind, Some(name.trim())),
        None => (text, None),
    };
    let token_name = |name: Option<&str>| match name {
        Some(n) if is_token(n) => Ok(n.to_owned()),
        _ => Err(expected()),
    };
    match (kind.trim().to_ascii_lowercase().as_str(), name) {
        ("header", name) => Ok(CredentialPlacement::Header(token_name(name)?)),
        ("query", name) => Ok(CredentialPlacement::Query(token_name(name)?)),
        ("cookie", name) => Ok(CredentialPlacement::Cookie(token_name(name)?)),
        ("bearer", None) => Ok(CredentialPlacement::Bearer),
        ("basic", None) => Ok(CredentialPlacement::Basic),
        _ => Err(expected()),
    }
}

/// Whether `s` is a valid HTTP token (header or cookie name).
fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_parses() {
        assert_eq!(
            parse_placement("header:X-API-Key"),
            Ok(CredentialPlacement::Header("X-API-Key".into()))
        );
        assert_eq!(
            parse_placement("query:api_key"),
            Ok(CredentialPlacement::Query("api_key".into()))
        );
        assert_eq!(parse_placement("cookie:sid"), Ok(CredentialPlacement::Cookie("sid".into())));
        assert_eq!(parse_placement("bearer"), Ok(CredentialPlacement::Bearer));
        assert_eq!(parse_placement("Basic"), Ok(CredentialPlacement::Basic));
    }

    #[test]
    fn malformed_forms_are_rejected() {
        for bad in ["header", "header:", "header:a b", "bearer:x", "token", ""] {
            assert!(parse_placement(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn display_round_trips() {
        for text in ["header:X-API-Key", "query:k", "cookie:c", "bearer", "basic"] {
            assert_eq!(parse_placement(text).unwrap().to_string(), text);
        }
    }
}
