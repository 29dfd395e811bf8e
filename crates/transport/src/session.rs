//! Sessions: credentials that trespass obtains itself, and obtains again
//! when the target stops taking them.
//!
//! An identity whose credential comes from a command or a sign-in request
//! ([`CredentialSource`]) gets its first credential from
//! [`Client::obtain`](crate::Client::obtain), and then a [`Session`] in the
//! client ([`Client::keep_session`](crate::Client::keep_session)). From then
//! on, every request presented as that identity carries the session's
//! current secret, whatever secret the caller's [`Credential`] holds, and:
//!
//! - a `401` answer makes the session obtain a new credential, once, and the
//!   request is sent again, once; if the new credential is refused too, the
//!   answer stands. Concurrent `401`s of one identity share one renewal
//!   (single flight: a request that was refused with an older credential
//!   than the current one is simply sent again with the current one);
//! - with `refresh_every`, a credential older than that is renewed before
//!   the next request, whether or not it still works;
//! - the session learns how long its credentials live: when a credential of
//!   a given age was refused and a newer one then accepted, that age is an
//!   upper bound of their life. From then on a credential is renewed before
//!   the next request once it is three quarters that old, so that requests
//!   stop meeting expired tokens (each such meeting costs a request, and a
//!   `401` that stands where the token merely expired would be compared with
//!   real answers). Lives under [`MIN_LEARNED_LIFE`] are not learned.
//!
//! This lives in the transport, the one door, because that is where a `401`
//! is seen and where the request can be sent again; the sign-in request
//! itself goes through the same door (scope guard, budget, pace), so it is
//! counted like any other. Running a credential command is here for the same
//! reason: it is how a command identity renews.
//!
//! Every secret obtained, first or renewed, and every secret value of a
//! sign-in body, is taught to the client's [`Redactor`](crate::Redactor)
//! before any request uses it.

use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use trespass_model::{
    CommandSource, Credential, CredentialPlacement, CredentialSource, IdentityName, Secret,
};

/// The shortest credential life a session learns: below it, renewing ahead
/// would mean a sign-in every few requests.
pub(crate) const MIN_LEARNED_LIFE: Duration = Duration::from_millis(500);
/// The shortest credential a command or a sign-in may give (the config's
/// `MIN_CREDENTIAL_LEN`).
const MIN_TOKEN_LEN: usize = 8;
/// Bytes a credential command may print at most.
pub const MAX_COMMAND_OUTPUT: usize = 64 * 1024;
/// Renewals of one identity that may fail in a row before it is given up:
/// after that its last credential is used as it is, and its `401`s stand.
pub const MAX_FAILED_RENEWALS: u64 = 3;

/// Why a credential could not be obtained. The message never holds the
/// command's output or the sign-in answer, which may hold the secret.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("failed to obtain the credential of `{identity}`: {message}")]
pub struct SessionError {
    /// The identity.
    pub identity: IdentityName,
    /// What went wrong.
    pub message: String,
}

/// Why a credential was renewed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Why {
    /// A request was refused with `401`.
    Refused,
    /// `refresh_every` had passed.
    Scheduled,
}

/// What asking for a renewal came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Renewal {
    /// This request renewed the credential.
    Here,
    /// Another request had already renewed it since it was read.
    Elsewhere,
    /// It could not be renewed.
    Failed,
}

/// How often one identity's credential was renewed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Renewals {
    /// Renewals after a `401`.
    pub after_refusal: u64,
    /// Renewals because `refresh_every` had passed.
    pub scheduled: u64,
    /// Renewals that failed.
    pub failed: u64,
    /// The last failure, when any.
    pub last_error: Option<String>,
}

impl Renewals {
    /// A sentence for the report, or `None` when nothing was renewed or
    /// tried.
    pub fn note(&self, name: &IdentityName) -> Option<String> {
        let renewed = self.after_refusal + self.scheduled;
        if renewed == 0 && self.failed == 0 {
            return None;
        }
        let mut note = format!(
            "{name}: credential obtained again {renewed} time(s) during the scan ({} after a \
             401, {} on schedule)",
            self.after_refusal, self.scheduled
        );
        if let Some(error) = &self.last_error {
            note.push_str(&format!("; {} renewal(s) failed, the last: {error}", self.failed));
        }
        Some(note)
    }
}

/// The renewable credential of one identity.
#[derive(Debug)]
pub(crate) struct Session {
    pub(crate) name: IdentityName,
    /// Where the identity's credential normally goes. A `401` for a request
    /// that carries it elsewhere (a probe that moved it into the query) is
    /// first checked with the credential in its usual place.
    pub(crate) placement: CredentialPlacement,
    pub(crate) source: CredentialSource,
    state: Mutex<State>,
    /// Held while renewing, so that one renewal runs at a time.
    renewing: tokio::sync::Mutex<()>,
    after_refusal: AtomicU64,
    scheduled: AtomicU64,
    failed: AtomicU64,
    failed_in_a_row: AtomicU64,
    last_error: Mutex<Option<String>>,
}

#[derive(Debug)]
struct State {
    secret: Secret,
    generation: u64,
    obtained: Instant,
    /// The shortest age at which a credential was refused and a newer one
    /// then accepted: how long credentials live, at most.
    life: Option<Duration>,
}

impl Session {
    pub(crate) fn new(
        name: IdentityName,
        placement: CredentialPlacement,
        source: CredentialSource,
        secret: Secret,
    ) -> Self {
        Self {
            name,
            placement,
            source,
            state: Mutex::new(State {
                secret,
                generation: 0,
                obtained: Instant::now(),
                life: None,
            }),
            renewing: tokio::sync::Mutex::new(()),
            after_refusal: AtomicU64::new(0),
            scheduled: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            failed_in_a_row: AtomicU64::new(0),
            last_error: Mutex::new(None),
        }
    }

    /// The current secret and its generation (0 for the first one).
    pub(crate) fn current(&self) -> (Secret, u64) {
        let state = self.state();
        (state.secret.clone(), state.generation)
    }

    /// The current secret in `placement`, its generation, and its age.
    pub(crate) fn credential(
        &self,
        placement: &CredentialPlacement,
    ) -> (Credential, u64, Duration) {
        let state = self.state();
        let credential = Credential { placement: placement.clone(), secret: state.secret.clone() };
        (credential, state.generation, state.obtained.elapsed())
    }

    /// Whether the current secret should be renewed before the next
    /// request: `refresh_every` has passed, or three quarters of the life
    /// learned from refusals; `Some(generation)` to renew then.
    pub(crate) fn due(&self) -> Option<u64> {
        let state = self.state();
        let learned = state.life.map(|life| life * 3 / 4);
        let every = match (self.source.refresh_every(), learned) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => a.or(b)?,
        };
        (state.obtained.elapsed() >= every).then_some(state.generation)
    }

    /// A credential `age` old was refused, and a newer one then accepted:
    /// credentials live `age` at most.
    pub(crate) fn learn_life(&self, age: Duration) {
        if age < MIN_LEARNED_LIFE {
            return;
        }
        let mut state = self.state();
        if state.life.is_none_or(|life| age < life) {
            tracing::debug!(identity = %self.name, life_ms = age.as_millis(), "credentials live this long at most");
            state.life = Some(age);
        }
    }

    /// Whether a renewal may be tried: fewer than [`MAX_FAILED_RENEWALS`]
    /// failed in a row.
    pub(crate) fn may_renew(&self) -> bool {
        self.failed_in_a_row.load(Ordering::Relaxed) < MAX_FAILED_RENEWALS
    }

    /// Starts a renewal of the secret of generation `seen`: `None` when
    /// another renewal replaced it meanwhile (the caller then uses the
    /// current one), else the guard to hold while obtaining.
    pub(crate) async fn begin(&self, seen: u64) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        let guard = self.renewing.lock().await;
        (self.current().1 == seen).then_some(guard)
    }

    /// Records the outcome of a renewal begun with [`begin`](Self::begin).
    pub(crate) fn finish(&self, outcome: Result<Secret, SessionError>, why: Why) -> bool {
        match outcome {
            Ok(secret) => {
                let mut state = self.state();
                state.secret = secret;
                state.generation += 1;
                state.obtained = Instant::now();
                drop(state);
                let counter = match why {
                    Why::Refused => &self.after_refusal,
                    Why::Scheduled => &self.scheduled,
                };
                counter.fetch_add(1, Ordering::Relaxed);
                self.failed_in_a_row.store(0, Ordering::Relaxed);
                tracing::info!(identity = %self.name, reason = ?why, "credential obtained again");
                true
            }
            Err(error) => {
                tracing::warn!(identity = %self.name, %error, "could not obtain a new credential");
                self.failed.fetch_add(1, Ordering::Relaxed);
                self.failed_in_a_row.fetch_add(1, Ordering::Relaxed);
                *self.last_error.lock().unwrap_or_else(PoisonError::into_inner) =
                    Some(error.message);
                false
            }
        }
    }

    pub(crate) fn renewals(&self) -> Renewals {
        Renewals {
            after_refusal: self.after_refusal.load(Ordering::Relaxed),
            scheduled: self.scheduled.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
            last_error: self.last_error.lock().unwrap_or_else(PoisonError::into_inner).clone(),
        }
    }

    // A poisoned lock means a panic elsewhere between two whole updates of
    // the state; the state itself is whole.
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Runs a credential command: no shell, no standard input, its standard
/// error discarded (it may echo the secret), killed after its timeout. Its
/// standard output, trimmed, is the credential.
pub(crate) async fn run_command(command: &CommandSource) -> Result<Secret, String> {
    let Some((program, args)) = command.argv.split_first() else {
        return Err("the command is empty".to_owned());
    };
    let child = tokio::process::Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("could not start `{program}`: {e}"))?;
    // On timeout the future, and with it the child, is dropped, which kills
    // the child (`kill_on_drop`).
    let output = tokio::time::timeout(command.timeout, child.wait_with_output())
        .await
        .map_err(|_| {
            format!("`{program}` did not finish within {} ms", command.timeout.as_millis())
        })?
        .map_err(|e| format!("could not read the output of `{program}`: {e}"))?;
    if !output.status.success() {
        return Err(format!("`{program}` failed ({})", output.status));
    }
    if output.stdout.len() > MAX_COMMAND_OUTPUT {
        return Err(format!("`{program}` printed more than {MAX_COMMAND_OUTPUT} bytes"));
    }
    let text = String::from_utf8(output.stdout)
        .map_err(|_| format!("`{program}` printed something that is not UTF-8"))?;
    checked_token(text.trim()).map_err(|m| format!("`{program}` {m}"))
}

/// A token as received, if it can be sent: not empty, no control
/// characters (which no header can carry). Messages never show it.
pub(crate) fn checked_token(token: &str) -> Result<Secret, String> {
    if token.is_empty() {
        return Err("printed nothing".to_owned());
    }
    if token.chars().any(char::is_control) {
        return Err("gave a credential with a control character".to_owned());
    }
    // As for configured credentials: a shorter one matches ordinary text
    // and could not be kept out of the report.
    if token.chars().count() < MIN_TOKEN_LEN {
        return Err(format!("gave a credential shorter than {MIN_TOKEN_LEN} characters"));
    }
    Ok(Secret::new(token))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn command(argv: &[&str], timeout: Duration) -> CommandSource {
        CommandSource {
            argv: argv.iter().map(|s| (*s).to_owned()).collect(),
            timeout,
            refresh_every: None,
        }
    }

    #[tokio::test]
    async fn a_command_prints_the_token_and_it_is_trimmed() {
        let got =
            run_command(&command(&["printf", "%s\\n", "  tok-$HOME|x  "], Duration::from_secs(10)))
                .await
                .unwrap();
        // No shell: `$HOME` and `|` are passed as they are.
        assert_eq!(got.expose(), "tok-$HOME|x");
    }

    #[tokio::test]
    async fn a_failing_empty_or_slow_command_is_an_error_that_shows_no_output() {
        let timeout = Duration::from_secs(10);
        assert_eq!(
            run_command(&command(&["false"], timeout)).await.unwrap_err(),
            "`false` failed (exit status: 1)"
        );
        assert_eq!(
            run_command(&command(&["printf", "  \\n"], timeout)).await.unwrap_err(),
            "`printf` printed nothing"
        );
        assert_eq!(
            run_command(&command(&["printf", "a\\tb"], timeout)).await.unwrap_err(),
            "`printf` gave a credential with a control character"
        );
        let missing = run_command(&command(&["/nonexistent/vault"], timeout)).await.unwrap_err();
        assert!(missing.starts_with("could not start `/nonexistent/vault`: "), "{missing}");
        let started = Instant::now();
        assert_eq!(
            run_command(&command(&["sleep", "5"], Duration::from_millis(200))).await.unwrap_err(),
            "`sleep` did not finish within 200 ms"
        );
        assert!(started.elapsed() < Duration::from_secs(4));
    }

    #[test]
    fn a_learned_life_makes_a_credential_due_at_three_quarters_of_it() {
        let source = CredentialSource::Command(command(&["true"], Duration::from_secs(1)));
        let session = Session::new(
            IdentityName::new("alice"),
            CredentialPlacement::Bearer,
            source,
            Secret::new("token-1"),
        );
        let aged = |age: Duration| session.state().obtained = Instant::now() - age;
        aged(Duration::from_secs(3600));
        assert_eq!(session.due(), None, "nothing learned, no refresh_every: never due");

        session.learn_life(Duration::from_millis(300));
        assert_eq!(session.due(), None, "lives under half a second are not learned");

        session.learn_life(Duration::from_secs(2));
        session.learn_life(Duration::from_secs(4));
        assert_eq!(session.state().life, Some(Duration::from_secs(2)), "the shortest wins");
        aged(Duration::from_millis(1600));
        assert_eq!(session.due(), Some(0));
        aged(Duration::from_millis(1000));
        assert_eq!(session.due(), None);
    }

    #[test]
    fn renewals_say_how_many_and_why() {
        let alice = IdentityName::new("alice");
        assert_eq!(Renewals::default().note(&alice), None);
        let renewals = Renewals {
            after_refusal: 3,
            scheduled: 1,
            failed: 2,
            last_error: Some("sign-in POST http://127.0.0.1:1/login answered 500".to_owned()),
        };
        assert_eq!(
            renewals.note(&alice).unwrap(),
            "alice: credential obtained again 4 time(s) during the scan (3 after a 401, 1 on \
             schedule); 2 renewal(s) failed, the last: sign-in POST \
             http://127.0.0.1:1/login answered 500"
        );
    }
}
