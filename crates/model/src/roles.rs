//! Role rules: which roles the config says an operation allows.
//!
//! A [`RoleRule`] selects operations by a [`PathPattern`] over the path
//! template, or by a tag, optionally narrowed to some methods, and names the
//! roles allowed to call them. The config reads rules from
//! `[[roles.rules]]` tables; the `privilege-escalation` verdict applies the
//! first rule that covers an operation ([`rule_for`]) instead of inferring
//! the privilege from names.
//!
//! A path pattern matches the path template as the API description writes
//! it, without the base path, segment by segment:
//!
//! - a literal segment matches itself (`{user_id}` matches only
//!   `{user_id}`);
//! - `*` inside a segment matches any characters but `/` (`/users/*`
//!   matches `/users/{user_id}`, `v*` matches `v1`);
//! - `**` as a whole segment matches any number of segments, none included
//!   (`/admin/**` matches `/admin`, `/admin/audit` and `/admin/a/b`).
//!
//! Matching is byte-exact (paths are case-sensitive); tags compare without
//! regard to ASCII case.

use std::fmt;

use crate::operation::{Method, Operation};

/// A glob over path templates, checked when it is built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathPattern {
    text: String,
    segments: Vec<String>,
}

impl PathPattern {
    /// Checks and builds a pattern. The message of an error says what is
    /// wrong and quotes the pattern.
    pub fn new(text: &str) -> Result<Self, String> {
        let bad = |why: &str| Err(format!("invalid path pattern `{text}`: {why}"));
        if !text.starts_with('/') {
            return bad("it must start with `/`, as paths in the API description do");
        }
        let segments: Vec<String> = text[1..].split('/').map(str::to_owned).collect();
        for segment in &segments {
            if segment.contains("**") && segment != "**" {
                return bad("`**` must be a whole segment, as in /admin/**");
            }
            if segment.chars().any(|c| c.is_control() || c == '?' || c == '#') {
                return bad("a segment holds `?`, `#` or a control character");
            }
        }
        Ok(Self { text: text.to_owned(), segments })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the pattern matches a path template.
    pub fn matches(&self, path: &str) -> bool {
        let Some(rest) = path.strip_prefix('/') else { return false };
        let path: Vec<&str> = rest.split('/').collect();
        let pattern: Vec<&str> = self.segments.iter().map(String::as_str).collect();
        segments_match(&pattern, &path)
    }
}

impl fmt::Display for PathPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// What a rule selects operations by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RoleSelector {
    /// A glob over the path template.
    Path(PathPattern),
    /// A tag of the operation, compared without regard to ASCII case.
    Tag(String),
}

/// One stated rule: the operations it covers and the roles they allow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleRule {
    /// Which operations.
    pub selector: RoleSelector,
    /// Only these methods, when given; every method otherwise.
    pub methods: Option<Vec<Method>>,
    /// The roles allowed to call the operations. Compared exactly.
    pub allow: Vec<String>,
    /// Where the rule was written, for evidence: `roles.rules[0] at
    /// trespass.toml line 12`.
    pub origin: String,
}

impl RoleRule {
    /// Whether the rule covers an operation.
    pub fn covers(&self, operation: &Operation) -> bool {
        let method_fits = self.methods.as_ref().is_none_or(|m| m.contains(&operation.method));
        let selected = match &self.selector {
            RoleSelector::Path(pattern) => pattern.matches(&operation.path),
            RoleSelector::Tag(tag) => operation.tags.iter().any(|t| t.eq_ignore_ascii_case(tag)),
        };
        method_fits && selected
    }

    /// Whether the rule allows a role.
    pub fn allows(&self, role: &str) -> bool {
        self.allow.iter().any(|a| a == role)
    }

    /// The rule in one phrase, for reasons and notes: `roles.rules[0] at
    /// trespass.toml line 12 (path /admin/**, allows admin)`.
    pub fn describe(&self) -> String {
        let selector = match &self.selector {
            RoleSelector::Path(pattern) => format!("path {pattern}"),
            RoleSelector::Tag(tag) => format!("tag {tag}"),
        };
        let methods = match &self.methods {
            Some(methods) => {
                let names: Vec<&str> = methods.iter().map(|m| m.as_str()).collect();
                format!(" {}", names.join(","))
            }
            None => String::new(),
        };
        format!("{} ({selector}{methods}, allows {})", self.origin, self.allow.join(", "))
    }
}

/// The first rule that covers an operation: stated rules are read in
/// order, and the first match decides, so a narrow rule goes before a broad
/// one.
pub fn rule_for<'a>(rules: &'a [RoleRule], operation: &Operation) -> Option<&'a RoleRule> {
    rules.iter().find(|rule| rule.covers(operation))
}

fn segments_match(pattern: &[&str], path: &[&str]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((&"**", rest)) => (0..=path.len()).any(|skip| segments_match(rest, &path[skip..])),
        Some((first, rest)) => match path.split_first() {
            Some((segment, path_rest)) => {
                segment_matches(first, segment) && segments_match(rest, path_rest)
            }
            None => false,
        },
    }
}

/// One segment against a pattern segment in which `*` stands for any run
/// of characters.
fn segment_matches(pattern: &str, segment: &str) -> bool {
    let mut parts = pattern.split('*');
    // `split` always yields a first part, possibly empty.
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = segment.strip_prefix(first) else { return false };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, path: &str) -> bool {
        PathPattern::new(pattern).unwrap().matches(path)
    }

    #[test]
    fn double_star_matches_any_number_of_segments() {
        assert!(matches("/admin/**", "/admin"));
        assert!(matches("/admin/**", "/admin/audit"));
        assert!(matches("/admin/**", "/admin/users/{user_id}"));
        assert!(!matches("/admin/**", "/administrators"));
        assert!(!matches("/admin/**", "/v1/admin/audit"));
        assert!(matches("/**/admin/**", "/v1/admin/audit"));
        assert!(matches("/**", "/anything/at/all"));
    }

    #[test]
    fn single_star_stays_within_a_segment() {
        assert!(matches("/users/*", "/users/{user_id}"));
        assert!(!matches("/users/*", "/users/{user_id}/notes"));
        assert!(matches("/v*/users", "/v1/users"));
        assert!(matches("/*-admin/*", "/org-admin/x"));
        assert!(!matches("/*-admin/*", "/org-admins/x"));
        assert!(matches("/a*b*c", "/abc") && matches("/a*b*c", "/aXbYc"));
        assert!(!matches("/a*a", "/a"));
        assert!(matches("/users/{user_id}", "/users/{user_id}"));
        assert!(!matches("/Users/*", "/users/1"));
    }

    #[test]
    fn bad_patterns_are_explained() {
        assert_eq!(
            PathPattern::new("admin/**").unwrap_err(),
            "invalid path pattern `admin/**`: it must start with `/`, as paths in the API \
             description do"
        );
        assert_eq!(
            PathPattern::new("/admin**").unwrap_err(),
            "invalid path pattern `/admin**`: `**` must be a whole segment, as in /admin/**"
        );
        assert_eq!(
            PathPattern::new("/admin?x=1").unwrap_err(),
            "invalid path pattern `/admin?x=1`: a segment holds `?`, `#` or a control character"
        );
    }
}
