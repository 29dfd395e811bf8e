//! Redaction of known secrets from text that leaves the scanner.
//!
//! A target may echo a credential back (a `/me` that returns the caller's
//! key, an error that quotes a header). Every response excerpt that goes into
//! a report passes through a [`Redactor`] built from all identities' secrets,
//! which replaces each occurrence by the owner's placeholder (`${alice}`).

use std::borrow::Cow;
use std::sync::{Arc, PoisonError, RwLock};

use aho_corasick::{AhoCorasick, MatchKind};
use trespass_model::{IdentityName, Secret};

/// Replaces known secrets by placeholders.
///
/// Clones share what they know: a secret learnt through one clone
/// ([`Redactor::learn`]), such as a token obtained by signing in again in
/// the middle of a scan, is redacted by every clone from then on.
#[derive(Clone, Debug)]
pub struct Redactor {
    known: Arc<RwLock<Known>>,
}

#[derive(Debug)]
struct Known {
    secrets: Vec<(Secret, String)>,
    // `None` when building failed (see `build`).
    matcher: Option<AhoCorasick>,
}

impl Known {
    /// Rebuilds the matcher. Longest match first, so a secret that contains
    /// another is replaced whole. Building fails only past size limits far
    /// beyond any set of credentials; then every text is withheld instead
    /// (see `redact`).
    fn build(&mut self) {
        let patterns = self.secrets.iter().map(|(secret, _)| secret.expose());
        self.matcher =
            AhoCorasick::builder().match_kind(MatchKind::LeftmostLongest).build(patterns).ok();
    }
}

impl Redactor {
    /// Builds a redactor for these identities' secrets.
    pub fn new<'a>(secrets: impl IntoIterator<Item = (&'a IdentityName, &'a Secret)>) -> Self {
        let redactor =
            Self { known: Arc::new(RwLock::new(Known { secrets: Vec::new(), matcher: None })) };
        redactor.learn_all(secrets);
        redactor
    }

    /// Adds a secret, shown as `name`'s placeholder from now on, in this
    /// redactor and all its clones. Empty and already known secrets are
    /// ignored.
    pub fn learn(&self, name: &IdentityName, secret: &Secret) {
        self.learn_all([(name, secret)]);
    }

    /// Adds several secrets at once, as [`learn`](Self::learn) does.
    pub fn learn_all<'a>(&self, secrets: impl IntoIterator<Item = (&'a IdentityName, &'a Secret)>) {
        // A poisoned lock means a panic elsewhere while the list was whole:
        // pushing and rebuilding leave no half-written state behind.
        let mut known = self.known.write().unwrap_or_else(PoisonError::into_inner);
        let before = known.secrets.len();
        for (name, secret) in secrets {
            if !secret.is_empty() && !known.secrets.iter().any(|(s, _)| s == secret) {
                known.secrets.push((secret.clone(), name.placeholder()));
            }
        }
        if known.secrets.len() != before {
            known.build();
        }
    }

    /// `text` with every known secret replaced by its placeholder.
    pub fn redact<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let known = self.known.read().unwrap_or_else(PoisonError::into_inner);
        if known.secrets.is_empty() {
            return Cow::Borrowed(text);
        }
        match &known.matcher {
            Some(matcher) if matcher.is_match(text) => {
                let placeholders: Vec<&str> =
                    known.secrets.iter().map(|(_, placeholder)| placeholder.as_str()).collect();
                Cow::Owned(matcher.replace_all(text, &placeholders))
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

    #[test]
    fn a_secret_learnt_later_is_redacted_by_every_clone() {
        let alice = IdentityName::new("alice");
        let first = Secret::new("token-one-aaaa");
        let r = Redactor::new([(&alice, &first)]);
        let clone = r.clone();
        assert_eq!(clone.redact("token-two-bbbb"), "token-two-bbbb");
        r.learn(&alice, &Secret::new("token-two-bbbb"));
        r.learn(&alice, &Secret::new(""));
        assert_eq!(clone.redact("token-one-aaaa token-two-bbbb"), "${alice} ${alice}");
    }
}
