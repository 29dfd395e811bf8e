//! Where an identity's credential comes from.
//!
//! Most identities present a fixed secret, written in the config or read
//! from the environment ([`CredentialSource::Static`]). Others obtain it when
//! the scan starts, and again when the target stops accepting it:
//!
//! - [`CommandSource`]: a program (an argument vector, no shell) whose
//!   standard output is the token, such as a vault or cloud CLI;
//! - [`SignIn`]: a request to the target itself (`POST /login` with a JSON
//!   body), whose JSON answer holds the token at a JSON pointer.
//!
//! The config crate reads these, the transport runs them (a sign-in goes
//! through the same door as every other request), and the scan decides what
//! an identity whose credential could not be obtained means for the report.
//! Nothing here does work; the secret parts (a sign-in body) are
//! [`Secret`]s, which never print.

use std::time::Duration;

use crate::{Method, Secret};

/// How long a credential command may run when the config does not say.
pub const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// Where an identity's credential comes from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum CredentialSource {
    /// A fixed value (possibly read from the environment), never renewed.
    #[default]
    Static,
    /// The standard output of a program.
    Command(CommandSource),
    /// The answer to a sign-in request to the target.
    SignIn(SignIn),
}

impl CredentialSource {
    /// Whether the credential is obtained by trespass (and so can be
    /// obtained again), rather than given.
    pub fn is_renewable(&self) -> bool {
        !matches!(self, CredentialSource::Static)
    }

    /// How often the credential is obtained again even when the target
    /// still accepts it, when the config asks for that.
    pub fn refresh_every(&self) -> Option<Duration> {
        match self {
            CredentialSource::Static => None,
            CredentialSource::Command(command) => command.refresh_every,
            CredentialSource::SignIn(sign_in) => sign_in.refresh_every,
        }
    }
}

/// A program whose standard output, trimmed, is the credential.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandSource {
    /// The program and its arguments. No shell reads them: `|`, `$` and
    /// quotes are passed as they are.
    pub argv: Vec<String>,
    /// The longest the program may run before it is killed.
    pub timeout: Duration,
    /// Run it again after this long, whether or not the token still works.
    pub refresh_every: Option<Duration>,
}

/// A sign-in request to the target whose JSON answer holds the credential.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignIn {
    /// The request's method, `POST` unless the config says otherwise.
    pub method: Method,
    /// Where to send it, as written: a path (`/login`) resolved against the
    /// target URL, or an absolute URL, which must be on the target's origin.
    pub url: String,
    /// The JSON request body, already serialized, with environment variables
    /// expanded. It usually holds a password, hence a [`Secret`].
    pub body: Option<Secret>,
    /// Values of the body that are secret (those read from the environment,
    /// and those of password-like fields), so that they can be redacted
    /// from every output.
    pub secrets: Vec<Secret>,
    /// JSON pointer (RFC 6901) to the token in the answer, such as `/token`
    /// or `/data/access_token`.
    pub token: String,
    /// Sign in again after this long, whether or not the token still works.
    pub refresh_every: Option<Duration>,
}
