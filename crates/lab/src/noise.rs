//! Noise: the values that change between two identical requests, as real
//! APIs have them.
//!
//! A middleware in front of every route gives each response a request id
//! (`X-Request-Id: req-<n>`, a counter per lab) and, when the body is a JSON
//! object, two more fields: `request_id` (the same id) and `served_at` (the
//! time the response was built, RFC 3339 in UTC with nanoseconds). The
//! OpenAPI document is left as it is, so that it stays exactly what
//! [`Lab::openapi`](crate::Lab::openapi) returns.
//!
//! A scanner that compares whole bodies, or treats every value of the
//! owner's response as the owner's, sees these fields change and must learn
//! to leave them out; that is what this module is for.

use std::sync::atomic::Ordering;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;
use serde_json::Value;

use crate::Lab;

/// The response header that carries the request id.
pub const REQUEST_ID_HEADER: &str = "X-Request-Id";

/// Bodies larger than this are passed through undecorated; the lab's own
/// answers are far smaller.
const MAX_DECORATED_BODY: usize = 1 << 20;

/// Middleware that adds the request id and, to JSON object bodies, the
/// `request_id` and `served_at` fields.
pub(crate) async fn decorate(State(lab): State<Lab>, request: Request, next: Next) -> Response {
    let number = lab.next_request_number();
    let request_id = format!("req-{number}");
    let decorate_body = request.method() != Method::HEAD && request.uri().path() != "/openapi.json";
    let response = next.run(request).await;

    let (mut parts, body) = response.into_parts();
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        parts.headers.insert(REQUEST_ID_HEADER, value);
    }
    let is_json = parts.headers.get(CONTENT_TYPE).is_some_and(|v| v == "application/json");
    if !(decorate_body && is_json) {
        return Response::from_parts(parts, body);
    }
    let Ok(bytes) = to_bytes(body, MAX_DECORATED_BODY).await else {
        // The lab's handlers build their bodies in memory; a body that
        // cannot be read here is one this middleware has no business with.
        parts.headers.remove(CONTENT_LENGTH);
        return Response::from_parts(parts, Body::empty());
    };
    let bytes = match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(mut fields)) => {
            fields.insert("request_id".to_owned(), Value::String(request_id));
            fields.insert("served_at".to_owned(), Value::String(rfc3339_now()));
            parts.headers.remove(CONTENT_LENGTH);
            serde_json::to_vec(&Value::Object(fields)).map_or(bytes, Into::into)
        }
        _ => bytes,
    };
    Response::from_parts(parts, Body::from(bytes))
}

impl Lab {
    fn next_request_number(&self) -> u64 {
        self.inner.requests.fetch_add(1, Ordering::Relaxed) + 1
    }
}

/// The current time as `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`.
fn rfc3339_now() -> String {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    rfc3339(since.as_secs(), since.subsec_nanos())
}

/// Formats seconds since the epoch (UTC) and nanoseconds. Hand-written
/// rather than a date crate: the lab needs this one format only, and the
/// civil-from-days conversion is a few lines (H. Hinnant's algorithm).
fn rfc3339(secs: u64, nanos: u32) -> String {
    let days = secs / 86_400;
    let rest = secs % 86_400;
    let (hour, minute, second) = (rest / 3600, rest % 3600 / 60, rest % 60);

    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{nanos:09}Z")
}

#[cfg(test)]
mod tests {
    use super::rfc3339;

    #[test]
    fn rfc3339_formats_known_instants() {
        assert_eq!(rfc3339(0, 0), "1970-01-01T00:00:00.000000000Z");
        assert_eq!(rfc3339(951_782_400, 5), "2000-02-29T00:00:00.000000005Z");
        assert_eq!(rfc3339(1_796_300_000, 123_456_789), "2026-12-03T12:13:20.123456789Z");
    }
}
