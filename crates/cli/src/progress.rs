//! Progress bars on the terminal: one bar that each phase of the scan
//! takes over, with the phase's count, the requests sent and their rate.
//!
//! Bars are drawn only when stderr is a terminal and `--quiet` is not
//! given, so pipes, CI logs and files never see them. Log lines go through
//! [`LogWriter`], which lifts the bar while a line is written, so the two
//! never garble each other.

use std::io::Write;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use trespass_scan::{Phase, Progress};

/// The bar of the running scan, for [`LogWriter`].
static ACTIVE: OnceLock<ProgressBar> = OnceLock::new();

/// Draws a scan's progress with indicatif.
pub(crate) struct Bars {
    bar: ProgressBar,
    started: Instant,
}

impl Bars {
    /// Bars on stderr, or nothing at all when `visible` is false.
    pub(crate) fn on_stderr(visible: bool) -> Bars {
        let target = if visible {
            ProgressDrawTarget::stderr_with_hz(10)
        } else {
            ProgressDrawTarget::hidden()
        };
        let bars = Bars::to(target);
        // The first scan of the process owns the log writer's bar; a
        // second one (none today) would draw without lifting for logs.
        let _ = ACTIVE.set(bars.bar.clone());
        bars
    }

    /// Bars drawn to `target`.
    pub(crate) fn to(target: ProgressDrawTarget) -> Bars {
        Bars { bar: ProgressBar::with_draw_target(None, target), started: Instant::now() }
    }
}

impl Progress for Bars {
    fn phase(&self, phase: Phase, total: Option<u64>) {
        let template = match total {
            Some(_) => "{prefix:>9} [{bar:30}] {pos}/{len} operations · {msg} · {elapsed}",
            None => "{prefix:>9} {spinner} {msg} · {elapsed}",
        };
        let style = ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        self.bar.set_style(style);
        self.bar.set_prefix(phase.as_str());
        self.bar.set_position(0);
        match total {
            Some(total) => self.bar.set_length(total),
            None => {
                self.bar.unset_length();
                self.bar.enable_steady_tick(Duration::from_millis(100));
            }
        }
        if total.is_some() {
            self.bar.disable_steady_tick();
        }
    }

    fn step(&self) {
        self.bar.inc(1);
    }

    fn requests(&self, sent: u64) {
        let seconds = self.started.elapsed().as_secs_f64();
        let message = if seconds > 0.0 {
            format!("{sent} requests, {:.0}/s", sent as f64 / seconds)
        } else {
            format!("{sent} requests")
        };
        self.bar.set_message(message);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// Writes log lines to stderr, lifting the scan's bar while it does.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct LogWriter;

/// One log line on its way to stderr.
pub(crate) struct LogLine(Vec<u8>);

impl Write for LogLine {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for LogLine {
    fn drop(&mut self) {
        let line = std::mem::take(&mut self.0);
        let write = || {
            let _ = std::io::stderr().write_all(&line);
        };
        match ACTIVE.get() {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogWriter {
    type Writer = LogLine;

    fn make_writer(&'a self) -> LogLine {
        LogLine(Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use indicatif::InMemoryTerm;

    use super::*;

    #[test]
    fn probes_phase_shows_operations_requests_and_rate() {
        let term = InMemoryTerm::new(4, 120);
        let bars = Bars::to(ProgressDrawTarget::term_like(Box::new(term.clone())));
        bars.phase(Phase::Probes, Some(10));
        bars.step();
        bars.step();
        bars.step();
        bars.requests(42);
        bars.bar.tick();
        let screen = term.contents();
        assert!(screen.contains("probes ["), "{screen}");
        assert!(screen.contains("] 3/10 operations · 42 requests, "), "{screen}");
        assert!(screen.contains("/s · "), "{screen}");
    }

    #[test]
    fn discovery_phase_is_a_spinner_and_finish_clears_the_line() {
        let term = InMemoryTerm::new(4, 120);
        let bars = Bars::to(ProgressDrawTarget::term_like(Box::new(term.clone())));
        bars.phase(Phase::Discovery, None);
        bars.requests(7);
        bars.bar.tick();
        let screen = term.contents();
        assert!(screen.trim_start().starts_with("discovery "), "{screen}");
        assert!(screen.contains(" 7 requests"), "{screen}");
        assert!(!screen.contains("operations"), "{screen}");
        bars.finish();
        assert_eq!(term.contents().trim(), "");
    }
}
