//! Redaction of known secrets from text that leaves the scanner.
//!
//! A target may echo a credential back (a `/me` that returns the caller's
//! key, an error that quotes a header). Every response excerpt that goes into
//! a report passes through a [`Redactor`] built from all identities' secrets,
//! which replaces each occurrence by the owner's placeholder (`${alice}`).

use std::borrow::Cow;

use aho_corasick::{AhoCorasick, MatchKind};
use trespass_model::{IdentityName, Secret};

/// Replaces known secrets by placeholders.
#[derive(Clone, Debug)]
pub struct Redactor {
    // `None` when there are no secrets to look for.
    matcher: Option<AhoCorasick>,
    placeholders: Vec<String>,
}

impl Redactor {
    /// Builds a redactor for these identities' secrets.
    pub fn new<'a>(secrets: impl IntoIterator<Item = (&'a IdentityName, &'a Secret)>) -> Self {
        let (patterns, placeholders): (Vec<&str>, Vec<String>) = secrets
            .into_iter()
            .filter(|(_, secret)| !secret.is_empty())
            .map(|(name, secret)| (secret.expose(), name.placeholder()))
            .unzip();
        // Longest match first, so a secret that contains another is replaced
        // whole. Building fails only past size limits far beyond any set of
        // credentials; then every text is withheld instead (see `redact`).
        let matcher =
            AhoCorasick::builder().match_kind(MatchKind::LeftmostLongest).build(&patterns).ok();
        Self { matcher, placeholders }
    }

    /// `text` with every known secret replaced by its placeholder.
    pub fn redact<'t>(&self, text: &'t str) -> Cow<'t, str> {
        if self.placeholders.is_empty() {
            return Cow::Borrowed(text);
        }
        match &self.matcher {
            Some(matcher) if matcher.is_match(text) => {
                Cow::Owned(matcher.replace_all(text, &self.placeholders))
            }
            Some(_) => Cow::Borrowed(text),
            None => Cow::Borrowed("<withheld: redaction unavailable>"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_secret_is_replaced_by_its_placeholder() {
        let alice = IdentityName::new("alice");
        let bob = IdentityName::new("bob");
        let a = Secret::new("key-a-123");
        let b = Secret::new("key-a-123-long");
        let r = Redactor::new([(&alice, &a), (&bob, &b)]);
        assert_eq!(
            r.redact(r#"{"k":"key-a-123","other":"key-a-123-long"}"#),
            r#"{"k":"${alice}","other":"${bob}"}"#
        );
        assert!(matches!(r.redact("nothing here"), Cow::Borrowed(_)));
    }
}
