//! The request log: what reached the lab, without any credential value.
//!
//! A middleware in front of every route (and the fallbacks) appends one
//! [`LoggedRequest`] per request before the handler runs. Tests read a
//! snapshot with [`Lab::request_log`](crate::Lab::request_log) to assert what
//! a scan sent, for instance that safe mode used only `GET` and `HEAD`.
//!
//! The log records whether an `X-API-Key` header was present, never its
//! value, and masks an `api_key` query parameter, so it is safe to print. It holds at most [`LOG_CAPACITY`] entries
//! and drops the oldest beyond that, so a long-running `trespass lab` cannot
//! grow without bound; tests stay far below the cap.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::{KEY_HEADER, Lab};

/// How many requests the log keeps before it drops the oldest.
pub const LOG_CAPACITY: usize = 100_000;

/// One request the lab received, as the request log records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedRequest {
    /// The method, upper case as sent (`GET`, `HEAD`).
    pub method: String,
    /// The path, still percent-encoded, without the query.
    pub path: String,
    /// The query string without the `?`, if the request had one.
    pub query: Option<String>,
    /// Whether an `X-API-Key` header was present, whatever its value (even
    /// empty). The value itself is never recorded.
    pub had_key: bool,
}

/// The bounded, shared store behind [`Lab::request_log`](crate::Lab::request_log).
#[derive(Debug, Default)]
pub(crate) struct RequestLog {
    entries: Mutex<VecDeque<LoggedRequest>>,
}

impl RequestLog {
    /// Appends an entry, dropping the oldest one when the log is full.
    pub(crate) fn push(&self, entry: LoggedRequest) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= LOG_CAPACITY {
            entries.pop_front();
        }
        entries.push_back(entry);
    }

    /// A copy of the entries, oldest first.
    pub(crate) fn snapshot(&self) -> Vec<LoggedRequest> {
        // A poisoned lock only means a pusher panicked between two whole
        // operations on the deque; the entries themselves are intact.
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.iter().cloned().collect()
    }
}

/// The query with the value of any `api_key` parameter replaced by `***`:
/// the vulnerable accounts route accepts the key there, and the log never
/// holds a key.
fn mask_query_key(query: &str) -> String {
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some(("api_key", _)) => "api_key=***".to_owned(),
            _ => pair.to_owned(),
        })
        .collect();
    pairs.join("&")
}

/// Middleware that records each request before passing it on.
pub(crate) async fn record(State(lab): State<Lab>, request: Request, next: Next) -> Response {
    let uri = request.uri();
    lab.log().push(LoggedRequest {
        method: request.method().as_str().to_owned(),
        path: uri.path().to_owned(),
        query: uri.query().map(mask_query_key),
        had_key: request.headers().contains_key(KEY_HEADER),
    });
    next.run(request).await
}
