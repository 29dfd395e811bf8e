//! Credential sources in the config: where each identity's secret comes
//! from.
//!
//! An `[identities.NAME]` table names exactly one of:
//!
//! ```toml
//! [identities.alice]
//! credential = "${ALICE_KEY}"              # a value, or ${VAR} from the environment
//!
//! [identities.bob]
//! command = ["vault", "read", "-field=token", "secret/bob"]   # stdout is the token
//! command_timeout = "20s"                  # optional, 30s by default
//! refresh_every = "10m"                    # optional: run it again this often
//!
//! [identities.carol.sign_in]
//! method = "POST"                          # optional, POST by default
//! url = "/login"                           # a path, or a URL on the target's origin
//! body = { username = "carol", password = "${CAROL_PASSWORD}" }
//! token = "/token"                         # JSON pointer to the token in the answer
//! refresh_every = "10m"                    # optional
//! ```
//!
//! [`RawSource`] holds those keys as read; [`RawSource::into_source`] checks it
//! and turns it into a [`CredentialSource`] and, for a fixed credential, its
//! [`Secret`]. Nothing is run or sent here: the scan obtains the credential
//! when it starts.
//!
//! Which sign-in body values are secret: every string that reads an
//! environment variable (`${VAR}`), and every string under a field whose name
//! looks like a credential (`password`, `secret`, `token`, `key`, …).
//! Literal values of other fields (a `username`) are not, because redacting
//! them would also rewrite every response that mentions the user's name.

use std::ops::Range;
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;
use toml::Spanned;
use trespass_model::{CommandSource, CredentialSource, Method, Secret, SignIn};
use url::Url;

use crate::expand_env;

/// Longest a credential command may be given to run.
pub const MAX_COMMAND_TIMEOUT: Duration = Duration::from_secs(600);
/// Shortest interval between two scheduled renewals: anything faster would
/// spend the request budget on sign-ins.
pub const MIN_REFRESH_EVERY: Duration = Duration::from_secs(1);

/// The keys of an identity table that say where its credential comes from.
#[derive(Default)]
pub(crate) struct RawSource {
    pub(crate) credential: Option<Spanned<String>>,
    pub(crate) command: Option<Spanned<Vec<String>>>,
    pub(crate) command_timeout: Option<Spanned<String>>,
    pub(crate) refresh_every: Option<Spanned<String>>,
    pub(crate) sign_in: Option<Spanned<RawSignIn>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSignIn {
    method: Option<Spanned<String>>,
    url: Spanned<String>,
    body: Option<Spanned<toml::Table>>,
    token: Spanned<String>,
    refresh_every: Option<Spanned<String>>,
}

/// A problem with a span of the config text, and what is wrong.
pub(crate) type Problem = (Range<usize>, String);

impl RawSource {
    /// Checks the source of identity `name` and reads its environment
    /// variables. Returns the source and, when it is fixed, its secret; an
    /// obtained credential's secret is empty until the scan obtains it.
    /// `whole` is the span of the identity's name, for a missing source.
    pub(crate) fn into_source(
        self,
        name: &str,
        whole: Range<usize>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<(CredentialSource, Secret), Problem> {
        let named = |span: Range<usize>, m: String| (span, format!("identity `{name}`: {m}"));
        let given = [self.credential.is_some(), self.command.is_some(), self.sign_in.is_some()];
        if given.iter().filter(|g| **g).count() != 1 {
            let span = self
                .command
                .as_ref()
                .map(Spanned::span)
                .or_else(|| self.sign_in.as_ref().map(Spanned::span))
                .unwrap_or(whole);
            return Err(named(
                span,
                "give exactly one of `credential`, `command` or `sign_in`".to_owned(),
            ));
        }
        let loose = self.command_timeout.as_ref().or(self.refresh_every.as_ref());
        if let (None, Some(key)) = (&self.command, loose) {
            return Err(named(
                key.span(),
                "`command_timeout` and `refresh_every` go with `command` (a sign-in takes \
                 `refresh_every` in its `sign_in` table)"
                    .to_owned(),
            ));
        }

        if let Some(credential) = self.credential {
            let secret = expand_env(credential.get_ref(), env)
                .and_then(crate::checked_credential)
                .map_err(|m| named(credential.span(), m))?;
            return Ok((CredentialSource::Static, secret));
        }
        if let Some(argv) = self.command {
            let span = argv.span();
            let argv = argv.into_inner();
            if argv.first().is_none_or(|program| program.is_empty()) {
                return Err(named(span, "`command` needs a program, as its first item".to_owned()));
            }
            let timeout = match self.command_timeout {
                Some(text) => {
                    let timeout =
                        parse_duration(text.get_ref()).map_err(|m| named(text.span(), m))?;
                    if timeout.is_zero() || timeout > MAX_COMMAND_TIMEOUT {
                        return Err(named(
                            text.span(),
                            "`command_timeout` must be more than 0 and at most 10m".to_owned(),
                        ));
                    }
                    timeout
                }
                None => trespass_model::DEFAULT_COMMAND_TIMEOUT,
            };
            let refresh_every = refresh(self.refresh_every).map_err(|(s, m)| named(s, m))?;
            let source = CommandSource { argv, timeout, refresh_every };
            return Ok((CredentialSource::Command(source), Secret::new("")));
        }
        let Some(sign_in) = self.sign_in else {
            // Exactly one of the three was given, and the other two were not.
            return Err(named(whole, "no credential source".to_owned()));
        };
        let sign_in = sign_in.into_inner().check(env).map_err(|(s, m)| named(s, m))?;
        Ok((CredentialSource::SignIn(sign_in), Secret::new("")))
    }
}

impl RawSignIn {
    fn check(self, env: &dyn Fn(&str) -> Option<String>) -> Result<SignIn, Problem> {
        let method = match self.method {
            Some(method) => {
                let parsed: Method = method.get_ref().parse().map_err(|m| (method.span(), m))?;
                if matches!(parsed, Method::Trace | Method::Options | Method::Head) {
                    return Err((
                        method.span(),
                        format!("sign-in method `{}` cannot carry a body", parsed),
                    ));
                }
                parsed
            }
            None => Method::Post,
        };

        let url = self.url.get_ref();
        let is_path = url.starts_with('/') && !url.starts_with("//");
        let is_url = Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
        if !is_path && !is_url {
            return Err((
                self.url.span(),
                "sign-in `url` must be a path such as `/login` or an http or https URL on the \
                 target's origin"
                    .to_owned(),
            ));
        }

        let token = self.token.get_ref();
        if !token.starts_with('/') {
            return Err((
                self.token.span(),
                format!(
                    "sign-in `token` `{}` must be a JSON pointer such as `/token`",
                    token.escape_debug()
                ),
            ));
        }

        let mut secrets = Vec::new();
        let body = match self.body {
            Some(body) => {
                let span = body.span();
                let value =
                    json_of(toml::Value::Table(body.into_inner()), false, env, &mut secrets)
                        .map_err(|m| (span, m))?;
                // A JSON value always serializes; the text is what is sent.
                Some(Secret::new(value.to_string()))
            }
            None => None,
        };
        let refresh_every = refresh(self.refresh_every)?;
        Ok(SignIn { method, url: url.clone(), body, secrets, token: token.clone(), refresh_every })
    }
}

/// Reads a `refresh_every` duration, at least [`MIN_REFRESH_EVERY`].
fn refresh(text: Option<Spanned<String>>) -> Result<Option<Duration>, Problem> {
    let Some(text) = text else {
        return Ok(None);
    };
    let every = parse_duration(text.get_ref()).map_err(|m| (text.span(), m))?;
    if every < MIN_REFRESH_EVERY {
        return Err((text.span(), "`refresh_every` must be at least 1s".to_owned()));
    }
    Ok(Some(every))
}

/// The JSON form of a sign-in body value, with `${VAR}` expanded in every
/// string. Strings that read a variable, or sit under a credential-like
/// field (`secret` is then true), are pushed to `secrets`.
fn json_of(
    value: toml::Value,
    secret: bool,
    env: &dyn Fn(&str) -> Option<String>,
    secrets: &mut Vec<Secret>,
) -> Result<Value, String> {
    Ok(match value {
        toml::Value::String(text) => {
            let reads_env = text.contains("${");
            let expanded = if reads_env {
                expand_env(&text, env).map_err(|m| format!("sign-in body: {m}"))?
            } else {
                Secret::new(text)
            };
            if (secret || reads_env) && !expanded.is_empty() {
                secrets.push(expanded.clone());
            }
            Value::String(expanded.expose().to_owned())
        }
        toml::Value::Integer(n) => Value::from(n),
        toml::Value::Float(f) => {
            serde_json::Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null)
        }
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|item| json_of(item, secret, env, secrets))
                .collect::<Result<_, _>>()?,
        ),
        toml::Value::Table(table) => Value::Object(
            table
                .into_iter()
                .map(|(key, field)| {
                    let secret = secret || is_secret_field(&key);
                    Ok((key, json_of(field, secret, env, secrets)?))
                })
                .collect::<Result<_, String>>()?,
        ),
    })
}

/// Whether a body field's name says it holds a credential.
fn is_secret_field(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["pass", "secret", "token", "key", "otp", "pin"].iter().any(|part| name.contains(part))
}

/// Parses a duration written as a whole number and a unit: `500ms`, `30s`,
/// `10m`, `1h`. Written here rather than taken from a crate: four units
/// are all a config needs.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let invalid = || {
        format!(
            "invalid duration `{}`: expected a whole number and a unit (ms, s, m or h), such \
             as `10m`",
            text.escape_debug()
        )
    };
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let (number, unit) = text.split_at(digits);
    let number: u64 = number.parse().map_err(|_| invalid())?;
    let millis = match unit {
        "ms" => Some(number),
        "s" => number.checked_mul(1_000),
        "m" => number.checked_mul(60_000),
        "h" => number.checked_mul(3_600_000),
        _ => return Err(invalid()),
    };
    millis.map(Duration::from_millis).ok_or_else(invalid)
}

/// Resolves a sign-in `url` against the target: a path joins the target
/// URL's origin, an absolute URL must be on the same origin. Credentials
/// and passwords never leave the target.
pub fn sign_in_url(target: &Url, url: &str) -> Result<Url, String> {
    let resolved = target.join(url).map_err(|e| format!("invalid sign-in url: {e}"))?;
    if resolved.origin() != target.origin() {
        let mut shown = resolved.clone();
        shown.set_query(None);
        let _ = shown.set_password(None);
        let _ = shown.set_username("");
        return Err(format!(
            "sign-in url {shown} is not on the target's origin {}: credentials are never sent \
             anywhere else",
            target.origin().ascii_serialization()
        ));
    }
    Ok(resolved)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ConfigError, Settings};
    use std::path::Path;

    fn env(var: &str) -> Option<String> {
        match var {
            "ALICE_PASSWORD" => Some("correct horse battery".to_owned()),
            "ALICE_KEY" => Some("alice-secret-1".to_owned()),
            _ => None,
        }
    }

    fn parse(text: &str) -> Result<Settings, ConfigError> {
        crate::parse(text, Path::new("/cfg/trespass.toml"), &env)
    }

    fn error(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn a_command_source_is_an_argv_with_a_timeout() {
        let s = parse(
            "[identities.alice]\ncommand = [\"vault\", \"read\", \"-field=token\", \"a|b $X\"]\n\
             command_timeout = \"20s\"\nrefresh_every = \"10m\"\n\n\
             [identities.bob]\ncommand = [\"printf\", \"%s\", \"bob\"]\n",
        )
        .unwrap();
        let alice = &s.identities[0];
        assert!(alice.secret.is_empty());
        assert_eq!(
            alice.source,
            CredentialSource::Command(CommandSource {
                argv: ["vault", "read", "-field=token", "a|b $X"].map(String::from).to_vec(),
                timeout: Duration::from_secs(20),
                refresh_every: Some(Duration::from_secs(600)),
            })
        );
        let CredentialSource::Command(bob) = &s.identities[1].source else {
            panic!("bob has no command: {:?}", s.identities[1].source);
        };
        assert_eq!(bob.timeout, trespass_model::DEFAULT_COMMAND_TIMEOUT);
        assert_eq!(bob.refresh_every, None);
        // Two identities whose credentials are not known yet are not "the
        // same credential".
        let mut s = s;
        s.target = Some(Url::parse("http://127.0.0.1:1").unwrap());
        s.check().unwrap();
    }

    #[test]
    fn a_sign_in_source_keeps_its_body_secret() {
        let s = parse(
            "[identities.alice.sign_in]\nurl = \"/login\"\n\
             body = { username = \"alice\", password = \"${ALICE_PASSWORD}\", otp = \"123456\", \
             remember = true, scopes = [\"read\", 2] }\ntoken = \"/data/token\"\n\
             refresh_every = \"90s\"\n",
        )
        .unwrap();
        let CredentialSource::SignIn(sign_in) = &s.identities[0].source else {
            panic!("alice has no sign-in: {:?}", s.identities[0].source);
        };
        assert_eq!(sign_in.method, Method::Post);
        assert_eq!(sign_in.url, "/login");
        assert_eq!(sign_in.token, "/data/token");
        assert_eq!(sign_in.refresh_every, Some(Duration::from_secs(90)));
        let body: Value = serde_json::from_str(sign_in.body.as_ref().unwrap().expose()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({
                "username": "alice",
                "password": "correct horse battery",
                "otp": "123456",
                "remember": true,
                "scopes": ["read", 2]
            })
        );
        let secrets: Vec<&str> = sign_in.secrets.iter().map(Secret::expose).collect();
        // toml tables are sorted by key.
        assert_eq!(secrets, ["123456", "correct horse battery"]);
        let debug = format!("{s:?}");
        assert!(!debug.contains("correct horse battery"), "{debug}");
    }

    #[test]
    fn sources_are_checked_with_exact_messages() {
        let cases = [
            (
                "[identities.alice]\nrole = \"user\"\n",
                "line 1, column 13: identity `alice`: give exactly one of `credential`, \
                 `command` or `sign_in`",
            ),
            (
                "[identities.alice]\ncredential = \"k\"\ncommand = [\"printf\", \"k\"]\n",
                "line 3, column 11: identity `alice`: give exactly one of `credential`, \
                 `command` or `sign_in`",
            ),
            (
                "[identities.alice]\ncommand = []\n",
                "line 2, column 11: identity `alice`: `command` needs a program, as its first \
                 item",
            ),
            (
                "[identities.alice]\ncommand = [\"x\"]\ncommand_timeout = \"0s\"\n",
                "line 3, column 19: identity `alice`: `command_timeout` must be more than 0 \
                 and at most 10m",
            ),
            (
                "[identities.alice]\ncommand = [\"x\"]\nrefresh_every = \"soon\"\n",
                "line 3, column 17: identity `alice`: invalid duration `soon`: expected a whole \
                 number and a unit (ms, s, m or h), such as `10m`",
            ),
            (
                "[identities.alice]\ncommand = [\"x\"]\nrefresh_every = \"100ms\"\n",
                "line 3, column 17: identity `alice`: `refresh_every` must be at least 1s",
            ),
            (
                "[identities.alice]\ncredential = \"k\"\nrefresh_every = \"1m\"\n",
                "line 3, column 17: identity `alice`: `command_timeout` and `refresh_every` go \
                 with `command` (a sign-in takes `refresh_every` in its `sign_in` table)",
            ),
            (
                "[identities.alice.sign_in]\nurl = \"login\"\ntoken = \"/token\"\n",
                "line 2, column 7: identity `alice`: sign-in `url` must be a path such as \
                 `/login` or an http or https URL on the target's origin",
            ),
            (
                "[identities.alice.sign_in]\nurl = \"/login\"\ntoken = \"token\"\n",
                "line 3, column 9: identity `alice`: sign-in `token` `token` must be a JSON \
                 pointer such as `/token`",
            ),
            (
                "[identities.alice.sign_in]\nmethod = \"FETCH\"\nurl = \"/l\"\ntoken = \"/t\"\n",
                "line 2, column 10: identity `alice`: unknown HTTP method `FETCH`",
            ),
            (
                "[identities.alice.sign_in]\nurl = \"/l\"\ntoken = \"/t\"\n\
                 body = { password = \"${NOPE}\" }\n",
                "line 4, column 8: identity `alice`: sign-in body: environment variable `NOPE` \
                 is not set",
            ),
            (
                "[identities.alice.sign_in]\nurl = \"/l\"\n",
                "line 1, column 1: missing field `token`",
            ),
            (
                "[identities.alice.sign_in]\nurl = \"/l\"\ntoken = \"/t\"\nheaders = 1\n",
                "line 4, column 1: unknown field `headers`, expected one of `method`, `url`, \
                 `body`, `token`, `refresh_every`",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(
                error(text),
                format!("invalid config /cfg/trespass.toml at {expected}"),
                "{text}"
            );
        }
    }

    #[test]
    fn a_sign_in_off_the_target_origin_is_refused_before_the_scan() {
        let mut s = parse(
            "target = \"http://127.0.0.1:8080\"\n[identities.alice]\ncredential = \"key-of-alice\"\n\
             [identities.bob.sign_in]\nurl = \"http://127.0.0.9:8080/login\"\ntoken = \"/t\"\n",
        )
        .unwrap();
        assert_eq!(
            s.check().unwrap_err().to_string(),
            "identity `bob`: sign-in url http://127.0.0.9:8080/login is not on the target's \
             origin http://127.0.0.1:8080: credentials are never sent anywhere else"
        );
        s.target = Some(Url::parse("http://127.0.0.9:8080/api/").unwrap());
        s.check().unwrap();
    }

    #[test]
    fn durations_take_four_units() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        for bad in ["", "10", "m", "1.5s", "-1s", "10 m", "99999999999999999999h"] {
            assert_eq!(
                parse_duration(bad).unwrap_err(),
                format!(
                    "invalid duration `{bad}`: expected a whole number and a unit (ms, s, m or \
                     h), such as `10m`"
                )
            );
        }
    }

    #[test]
    fn sign_in_urls_stay_on_the_target_origin() {
        let target = Url::parse("http://127.0.0.1:8080/api/v1/").unwrap();
        assert_eq!(sign_in_url(&target, "/login").unwrap().as_str(), "http://127.0.0.1:8080/login");
        assert_eq!(
            sign_in_url(&target, "http://127.0.0.1:8080/auth?x=1").unwrap().as_str(),
            "http://127.0.0.1:8080/auth?x=1"
        );
        for elsewhere in ["http://127.0.0.1:8081/login", "https://127.0.0.1:8080/login"] {
            let err = sign_in_url(&target, elsewhere).unwrap_err();
            assert!(err.ends_with("is not on the target's origin http://127.0.0.1:8080: credentials are never sent anywhere else"), "{err}");
        }
        assert_eq!(
            sign_in_url(&target, "http://user:pw@127.0.0.2/login?k=v").unwrap_err(),
            "sign-in url http://127.0.0.2/login is not on the target's origin \
             http://127.0.0.1:8080: credentials are never sent anywhere else"
        );
    }

    #[test]
    fn secret_fields_are_recognised_by_name() {
        for name in ["password", "Passwd", "client_secret", "api-key", "otp", "refreshToken"] {
            assert!(is_secret_field(name), "{name}");
        }
        for name in ["username", "email", "tenant", "scope"] {
            assert!(!is_secret_field(name), "{name}");
        }
    }
}
