//! What the scanner does with a redirect.
//!
//! [`RedirectPolicy`] is read from the config and flags and obeyed by the
//! transport. Whatever the policy, a credential is only ever sent to the
//! target's own origin.

use std::fmt;
use std::str::FromStr;

/// Whether and how redirects are followed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum RedirectPolicy {
    /// Not followed: the redirect itself is the response (the default).
    #[default]
    Off,
    /// Followed within the target's origin; a redirect to another origin is
    /// not followed and is the response.
    SameOrigin,
    /// Followed within the target's origin with credentials, and to another
    /// origin without any credential.
    WithoutCredentials,
}

impl RedirectPolicy {
    /// The name used in the config and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::SameOrigin => "same-origin",
            Self::WithoutCredentials => "without-credentials",
        }
    }
}

impl fmt::Display for RedirectPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RedirectPolicy {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "off" => Ok(Self::Off),
            "same-origin" => Ok(Self::SameOrigin),
            "without-credentials" => Ok(Self::WithoutCredentials),
            other => Err(format!(
                "unknown redirect policy `{other}`: expected off, same-origin or \
                 without-credentials"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_are_explained() {
        for policy in
            [RedirectPolicy::Off, RedirectPolicy::SameOrigin, RedirectPolicy::WithoutCredentials]
        {
            assert_eq!(policy.as_str().parse::<RedirectPolicy>(), Ok(policy));
        }
        assert_eq!(
            "follow".parse::<RedirectPolicy>(),
            Err("unknown redirect policy `follow`: expected off, same-origin or \
                 without-credentials"
                .to_owned())
        );
    }
}
