//! What the transport cut short, waited for or refused during a scan.
//!
//! A [`Tally`] is shared by every request of one [`Client`](crate::Client)
//! and counts the events a user must hear about: bodies cut at the cap,
//! requests that timed out or broke, answers that asked the scanner to slow
//! down, redirects that led off the target's origin, and requests the budget
//! refused. [`Tally::summary`] freezes it into a [`TransportSummary`], whose
//! [`notes`](TransportSummary::notes) are the sentences a report carries.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use trespass_model::RedirectPolicy;

use crate::ClientConfig;

/// Counters of one client, updated from any task.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub(crate) truncated: AtomicU64,
    pub(crate) timed_out: AtomicU64,
    pub(crate) failed: AtomicU64,
    pub(crate) oversized_headers: AtomicU64,
    pub(crate) rate_limited: AtomicU64,
    pub(crate) waited_ms: AtomicU64,
    pub(crate) wait_declined: AtomicU64,
    pub(crate) off_origin_followed: AtomicU64,
    pub(crate) off_origin_refused: AtomicU64,
    pub(crate) too_many_redirects: AtomicU64,
    pub(crate) over_budget: AtomicU64,
    pub(crate) interrupted: AtomicU64,
    pub(crate) first_off_origin: Mutex<Option<String>>,
}

impl Tally {
    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    pub(crate) fn off_origin(&self, url: String) {
        // A poisoned lock only means another task panicked mid-update; the
        // value it guards is still a plain Option.
        let mut first = self.first_off_origin.lock().unwrap_or_else(|p| p.into_inner());
        first.get_or_insert(url);
    }

    pub(crate) fn summary(
        &self,
        config: &ClientConfig,
        sent: u64,
        interrupted: bool,
    ) -> TransportSummary {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let first = self.first_off_origin.lock().unwrap_or_else(|p| p.into_inner()).clone();
        TransportSummary {
            requests_sent: sent,
            truncated: get(&self.truncated),
            timed_out: get(&self.timed_out),
            failed: get(&self.failed),
            oversized_headers: get(&self.oversized_headers),
            rate_limited: get(&self.rate_limited),
            waited: Duration::from_millis(get(&self.waited_ms)),
            wait_declined: get(&self.wait_declined),
            off_origin_followed: get(&self.off_origin_followed),
            off_origin_refused: get(&self.off_origin_refused),
            too_many_redirects: get(&self.too_many_redirects),
            over_budget: get(&self.over_budget),
            interrupted,
            not_sent_interrupted: get(&self.interrupted),
            first_off_origin: first,
            config: config.clone(),
        }
    }
}

/// How the report's note on an interrupted scan begins.
pub const INTERRUPTED_NOTE: &str =
    "interrupted (Ctrl-C): the scan stopped early; results are partial";

/// A snapshot of what a client cut short, waited for or refused.
#[derive(Clone, Debug)]
pub struct TransportSummary {
    /// Requests sent, retries included.
    pub requests_sent: u64,
    /// Response bodies cut at the size cap.
    pub truncated: u64,
    /// Requests cut off by the time limit.
    pub timed_out: u64,
    /// Requests that failed otherwise (connection, protocol, decoding).
    pub failed: u64,
    /// Responses refused because their headers were too large.
    pub oversized_headers: u64,
    /// `429` and `503` answers received.
    pub rate_limited: u64,
    /// Total time spent waiting as `Retry-After` asked.
    pub waited: Duration,
    /// `Retry-After` waits declined because they exceeded the bound.
    pub wait_declined: u64,
    /// Redirects to another origin followed without credentials.
    pub off_origin_followed: u64,
    /// Redirects to another origin not followed.
    pub off_origin_refused: u64,
    /// Redirect chains cut at the hop limit.
    pub too_many_redirects: u64,
    /// Requests not sent because the request budget was spent.
    pub over_budget: u64,
    /// Whether the scan was interrupted (Ctrl-C), so it is partial.
    pub interrupted: bool,
    /// Requests not sent because the scan was interrupted.
    pub not_sent_interrupted: u64,
    /// The first off-origin redirect target, without query.
    pub first_off_origin: Option<String>,
    /// The limits in force.
    pub config: ClientConfig,
}

impl TransportSummary {
    /// Whether the request budget ran out, so the scan is partial.
    pub fn budget_spent(&self) -> bool {
        self.over_budget > 0
    }

    /// Whether the scan stopped before it was done: the budget ran out or
    /// the user interrupted it. Requests it refused then got no answer at
    /// all, which says nothing about the target.
    pub fn stopped_early(&self) -> bool {
        self.budget_spent() || self.interrupted
    }

    /// One sentence per thing the user should know, for the report's notes.
    pub fn notes(&self) -> Vec<String> {
        let c = &self.config;
        let mut notes = Vec::new();
        if self.interrupted {
            notes.push(format!(
                "{INTERRUPTED_NOTE}: {} further request(s) were not sent; only the DELETEs that \
                 clean up objects trespass created still went out",
                self.not_sent_interrupted
            ));
        }
        if let (true, Some(max)) = (self.budget_spent(), c.max_requests) {
            notes.push(format!(
                "the request budget of {max} (--max-requests) was spent: {} further request(s) \
                 were not sent, so this report is partial",
                self.over_budget
            ));
        }
        if self.truncated > 0 {
            notes.push(format!(
                "{} response body(ies) were cut at {} bytes (counted after decompression)",
                self.truncated, c.max_body_bytes
            ));
        }
        if self.timed_out > 0 {
            notes.push(format!(
                "{} request(s) were cut off by the time limit of {} ms",
                self.timed_out,
                c.timeout.as_millis()
            ));
        }
        if self.oversized_headers > 0 {
            notes.push(format!(
                "{} response(s) were refused because their headers exceeded {} bytes or {} \
                 fields",
                self.oversized_headers,
                crate::MAX_HEADER_BYTES,
                crate::MAX_HEADER_COUNT
            ));
        }
        if self.failed > 0 {
            notes.push(format!(
                "{} request(s) failed (connection, protocol or decoding errors)",
                self.failed
            ));
        }
        if self.rate_limited > 0 {
            let mut note = format!(
                "the target rate-limited the scan: {} answer(s) were 429 or 503; waited {} ms \
                 in total as Retry-After asked",
                self.rate_limited,
                self.waited.as_millis()
            );
            if self.wait_declined > 0 {
                note.push_str(&format!(
                    ", and did not wait {} time(s) where the wait exceeded the bound of {} ms \
                     (--max-retry-wait-ms)",
                    self.wait_declined,
                    c.max_retry_wait.as_millis()
                ));
            }
            notes.push(note);
        }
        if self.off_origin_followed > 0 {
            notes.push(format!(
                "{} redirect(s) to another origin were followed without any credential (first: \
                 {})",
                self.off_origin_followed,
                self.first_off_origin.as_deref().unwrap_or("?")
            ));
        }
        if self.off_origin_refused > 0 {
            let why = match c.redirects {
                RedirectPolicy::Off => "redirects are not followed (--follow-redirects)",
                _ => "the redirect policy is same-origin",
            };
            notes.push(format!(
                "{} redirect(s) to another origin were not followed because {why} (first: {})",
                self.off_origin_refused,
                self.first_off_origin.as_deref().unwrap_or("?")
            ));
        }
        if self.too_many_redirects > 0 {
            notes.push(format!(
                "{} redirect chain(s) were cut after {} hops",
                self.too_many_redirects,
                crate::MAX_REDIRECTS
            ));
        }
        if c.insecure {
            notes.push("TLS certificates were not verified (--insecure)".to_owned());
        }
        if let Some(proxy) = &c.proxy {
            notes.push(format!("requests went through the proxy {}", crate::without_query(proxy)));
        }
        notes
    }
}
