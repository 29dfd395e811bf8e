//! What a scan tells whoever watches it while it runs: the phase it is in,
//! how far the phase has come, and how many requests have gone out.
//!
//! The engine calls a [`Progress`] and knows nothing of terminals; the CLI
//! draws bars with it, a test records the calls, and [`NoProgress`] ignores
//! them.

use std::future::Future;
use std::pin::pin;
use std::time::Duration;

use trespass_transport::Client;

/// The phases of a scan, in the order they run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Listing each identity's objects.
    Discovery,
    /// Probing every operation; the total is the number of operations.
    Probes,
    /// Active mode: creating objects, trying writes on them, cleaning up.
    Active,
}

impl Phase {
    /// The phase's name as a user reads it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Discovery => "discovery",
            Self::Probes => "probes",
            Self::Active => "active",
        }
    }
}

/// Receives a scan's progress. Every method has a default that does
/// nothing, so a watcher implements only what it shows.
pub trait Progress: Send + Sync {
    /// A phase starts; `total` is the number of steps it has, when known.
    fn phase(&self, _phase: Phase, _total: Option<u64>) {}
    /// One step of the current phase is done.
    fn step(&self) {}
    /// Requests sent so far in the whole scan.
    fn requests(&self, _sent: u64) {}
    /// The scan is over, whatever its outcome.
    fn finish(&self) {}
}

/// A watcher that shows nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}

/// How often the request count is reported while a phase runs.
const TICK: Duration = Duration::from_millis(100);

/// Runs `work` to completion while telling `progress` the client's request
/// count every [`TICK`], and once more at the end.
pub(crate) async fn watch<T>(
    work: impl Future<Output = T>,
    client: &Client,
    base: u64,
    progress: &dyn Progress,
) -> T {
    let mut work = pin!(work);
    let mut ticks = tokio::time::interval(TICK);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let out = loop {
        tokio::select! {
            out = &mut work => break out,
            _ = ticks.tick() => progress.requests(base + client.requests_sent()),
        }
    };
    progress.requests(base + client.requests_sent());
    out
}
