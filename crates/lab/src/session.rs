//! Sign-in and bearer tokens: the lab's second way to authenticate.
//!
//! `POST /login` with `{"username": "alice", "password": "…"}` answers
//! `{"token": "…", "token_type": "Bearer", "expires_in": …}`, and the token,
//! sent as `Authorization: Bearer <token>`, stands for the user wherever
//! an `X-API-Key` does, with the same faults (the vulnerable accounts route
//! also takes it as `?api_key=`, the vulnerable notes route takes any
//! non-empty one). A wrong username or password is 401, a body that is not
//! that JSON object 400.
//!
//! Tokens live forever unless the lab was built with a token life
//! ([`Lab::with_token_ttl`](crate::Lab::with_token_ttl)); an expired token
//! is 401, as an unknown one is. That is how tests make a scan outlive its
//! tokens. At most [`MAX_TOKENS`] are kept: expired ones go first, then the
//! oldest, so a client that signs in in a loop cannot grow the lab.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use serde_json::{Value, json};

use crate::Lab;
use crate::data::{self, User};
use crate::routes::ApiError;

/// Tokens kept at most.
pub const MAX_TOKENS: usize = 1024;

/// alice's sign-in password. Public, like the keys.
pub(crate) const ALICE_PASSWORD: &str = "lab-password-alice-5c1e";
/// bob's sign-in password.
pub(crate) const BOB_PASSWORD: &str = "lab-password-bob-93d0";

/// Username, password and user id of each user who may sign in.
const ACCOUNTS: [(&str, &str, u64); 2] = [("alice", ALICE_PASSWORD, 1), ("bob", BOB_PASSWORD, 2)];

/// The tokens issued so far.
#[derive(Debug, Default)]
pub(crate) struct Tokens {
    /// Token life in milliseconds; 0 for tokens that never expire.
    ttl_ms: AtomicU64,
    issued: Mutex<HashMap<String, Issued>>,
    count: AtomicU64,
}

#[derive(Debug)]
struct Issued {
    user_id: u64,
    at: Instant,
}

impl Tokens {
    /// Makes tokens issued from now on, and those already issued, expire
    /// `ttl` after they were issued.
    pub(crate) fn set_ttl(&self, ttl: Duration) {
        let ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        self.ttl_ms.store(ms, Ordering::Relaxed);
    }

    fn ttl(&self) -> Option<Duration> {
        match self.ttl_ms.load(Ordering::Relaxed) {
            0 => None,
            ms => Some(Duration::from_millis(ms)),
        }
    }

    /// Issues a new token for `user_id`.
    fn issue(&self, user_id: u64) -> String {
        // Unique by the counter; the clock only makes tokens of two lab runs
        // differ. Not a secure token: the lab is a fixture.
        let n = self.count.fetch_add(1, Ordering::Relaxed);
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let token = format!("lab-token-{user_id}-{n:04}-{:012x}", nanos & 0xffff_ffff_ffff);
        let mut issued = self.issued();
        if issued.len() >= MAX_TOKENS {
            let ttl = self.ttl();
            issued.retain(|_, i| ttl.is_none_or(|ttl| i.at.elapsed() < ttl));
        }
        if issued.len() >= MAX_TOKENS {
            let oldest = issued.iter().min_by_key(|(_, i)| i.at).map(|(t, _)| t.clone());
            if let Some(oldest) = oldest {
                issued.remove(&oldest);
            }
        }
        issued.insert(token.clone(), Issued { user_id, at: Instant::now() });
        token
    }

    /// The user a live token stands for.
    pub(crate) fn user(&self, token: &[u8]) -> Option<&'static User> {
        let token = std::str::from_utf8(token).ok()?;
        let issued = self.issued();
        let found = issued.get(token)?;
        if self.ttl().is_some_and(|ttl| found.at.elapsed() >= ttl) {
            return None;
        }
        data::user(found.user_id)
    }

    // A poisoned lock means a handler panicked between two whole updates.
    fn issued(&self) -> std::sync::MutexGuard<'_, HashMap<String, Issued>> {
        self.issued.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The token of an `Authorization: Bearer <token>` header, as sent.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&[u8]> {
    let value = headers.get(AUTHORIZATION)?.as_bytes();
    let scheme = value.get(..7)?;
    scheme.eq_ignore_ascii_case(b"bearer ").then(|| &value[7..])
}

/// `POST /login`: a token for a right username and password.
pub(crate) async fn login(
    State(lab): State<Lab>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(body) = body.map_err(|_| ApiError::BadRequest)?;
    let field = |name: &str| body.get(name).and_then(Value::as_str);
    let (Some(username), Some(password)) = (field("username"), field("password")) else {
        return Err(ApiError::BadRequest);
    };
    let (_, _, user_id) = ACCOUNTS
        .iter()
        .find(|(u, p, _)| *u == username && *p == password)
        .ok_or(ApiError::Unauthorized)?;
    let token = lab.tokens().issue(*user_id);
    let expires_in = lab.tokens().ttl().map(|ttl| ttl.as_secs_f64());
    Ok(Json(json!({ "token": token, "token_type": "Bearer", "expires_in": expires_in })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_expire_after_their_life_and_stay_bounded() {
        let tokens = Tokens::default();
        let forever = tokens.issue(1);
        assert_eq!(tokens.user(forever.as_bytes()).map(|u| u.id), Some(1));
        assert!(tokens.user(b"lab-token-1-9999-000000000000").is_none());

        tokens.set_ttl(Duration::from_millis(30));
        let short = tokens.issue(2);
        assert_eq!(tokens.user(short.as_bytes()).map(|u| u.id), Some(2));
        std::thread::sleep(Duration::from_millis(40));
        assert!(tokens.user(short.as_bytes()).is_none());

        for _ in 0..MAX_TOKENS + 10 {
            tokens.issue(1);
        }
        assert!(tokens.issued().len() <= MAX_TOKENS);
    }

    #[test]
    fn bearer_reads_the_scheme_in_any_case() {
        let mut headers = HeaderMap::new();
        assert_eq!(bearer(&headers), None);
        headers.insert(AUTHORIZATION, "bEaReR abc".parse().unwrap());
        assert_eq!(bearer(&headers), Some(&b"abc"[..]));
        headers.insert(AUTHORIZATION, "Basic abc".parse().unwrap());
        assert_eq!(bearer(&headers), None);
    }
}
