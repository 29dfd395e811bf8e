//! Reading `Retry-After`, which a target controls and may set to anything.
//!
//! [`retry_after`] turns the header of a `429` or `503` answer into a wait.
//! It accepts both forms of RFC 9110 (delta-seconds and an HTTP date); a
//! value that is neither yields `None`, and the caller then uses its own
//! short default. Whether to wait that long is the caller's decision.

use std::time::{Duration, SystemTime};

/// Wait used when a `429` or `503` carries no readable `Retry-After`.
pub(crate) const DEFAULT_WAIT: Duration = Duration::from_secs(1);

/// The wait a `Retry-After` value asks for, measured from `now`.
pub(crate) fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    // A date in the past means "now".
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_dates_and_garbage() {
        let now = httpdate::parse_http_date("Fri, 04 Dec 2026 16:00:00 GMT").unwrap();
        assert_eq!(retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(retry_after(" 120 ", now), Some(Duration::from_secs(120)));
        assert_eq!(retry_after("Fri, 04 Dec 2026 16:00:07 GMT", now), Some(Duration::from_secs(7)));
        assert_eq!(retry_after("Fri, 04 Dec 2026 15:00:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(retry_after("-1", now), None);
        assert_eq!(retry_after("soon", now), None);
        assert_eq!(retry_after("99999999999999999999999", now), None);
    }
}
