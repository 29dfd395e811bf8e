//! Starts the Flask target in `testdata/flask` for integration tests.
//!
//! The target is a real Flask application (`app.py`) with broken
//! object-level authorization under `/` and the fixed twins under `/v2`; its
//! OpenAPI document is `openapi.yaml`. Tests include this file as a module,
//! with the path relative to the including test file:
//!
//! ```ignore
//! #[path = "../../../testdata/flask/support.rs"]
//! mod flask_support;
//!
//! let repo_root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
//! let target = flask_support::FlaskTarget::start(&repo_root)?;
//! // scan target.base_url with FlaskTarget::spec_path(&repo_root)
//! ```
//!
//! [`FlaskTarget::start`] runs `serve.py` with the Python interpreter named
//! by `TRESPASS_FLASK_PYTHON`, or else the repository's `.venv` (both set up
//! by `.ci/run`), and waits for the line that names its loopback port. A
//! missing interpreter is an error for the caller to fail the test with,
//! never a reason to skip it. Dropping the [`FlaskTarget`] closes the
//! child's stdin and kills it; `serve.py` also stops by itself when its
//! stdin closes, after 120 s, or after 5000 requests, so a test process that
//! dies does not leave a server behind.
//!
//! The module uses std only, so that any test crate can include it without
//! new dependencies. Its items are `pub(crate)` rather than `pub` because it
//! is always a private module of a test crate, where the workspace's
//! `unreachable_pub` lint would reject `pub`.

use std::collections::VecDeque;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// The environment variable that names the Python interpreter to run with.
const PYTHON_VARIABLE: &str = "TRESPASS_FLASK_PYTHON";

/// How long the server may take to print its address before start fails.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(20);

/// How many of the child's last stderr lines an error message quotes.
const STDERR_TAIL_LINES: usize = 30;

/// What `serve.py` prints, followed by its base URL, once it is listening.
const LISTENING_PREFIX: &str = "listening on ";

/// A running Flask target on a loopback port, stopped when dropped.
pub(crate) struct FlaskTarget {
    /// The target's base URL, `http://127.0.0.1:<port>`, without a trailing
    /// slash.
    pub(crate) base_url: String,
    child: Child,
    /// Held open for the child's lifetime: `serve.py` stops when it closes.
    stdin: Option<ChildStdin>,
}

impl FlaskTarget {
    /// Starts `testdata/flask/serve.py` and waits until it listens.
    ///
    /// The interpreter is the one named by `TRESPASS_FLASK_PYTHON` or, if
    /// that is unset or empty, `<repo_root>/.venv/bin/python`. The error
    /// names what is missing or what the child printed before it failed.
    pub(crate) fn start(repo_root: &Path) -> Result<FlaskTarget, String> {
        let python = python_interpreter(repo_root)?;
        let script = repo_root.join("testdata").join("flask").join("serve.py");
        if !script.is_file() {
            return Err(format!("the Flask target's script {} does not exist", script.display()));
        }

        let mut child = Command::new(&python)
            .arg(&script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|error| {
                format!("failed to start the Flask target with {}: {error}", python.display())
            })?;

        // The pipes exist because they were asked for above; take them
        // before anything can fail, so that the guard below owns the child.
        let (stdin, stdout, stderr) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take());
        let mut target = FlaskTarget { base_url: String::new(), child, stdin };
        let (Some(stdout), Some(stderr)) = (stdout, stderr) else {
            return Err("the Flask target's stdout or stderr was not piped".to_owned());
        };
        let stderr_tail = forward_stderr(stderr);
        let first_line = first_stdout_line(stdout);

        // From here on, an error stops the child first (by dropping the
        // target), so that its stderr reaches end of file and its last lines
        // can go into the message.
        let failure = |target: FlaskTarget, what: String| -> String {
            drop(target);
            let tail = stderr_tail.join().unwrap_or_default();
            if tail.is_empty() {
                format!("the Flask target {what}; it wrote nothing to stderr")
            } else {
                format!("the Flask target {what}; the end of its stderr:\n{tail}")
            }
        };

        let line = match first_line.recv_timeout(STARTUP_TIMEOUT) {
            Ok(Ok(line)) => line,
            Ok(Err(what)) => return Err(failure(target, what)),
            Err(RecvTimeoutError::Timeout) => {
                let what = format!(
                    "did not print `{LISTENING_PREFIX}<url>` within {} s",
                    STARTUP_TIMEOUT.as_secs()
                );
                return Err(failure(target, what));
            }
            Err(RecvTimeoutError::Disconnected) => {
                let what = "stdout reader stopped before the first line".to_owned();
                return Err(failure(target, what));
            }
        };

        match parse_base_url(&line) {
            Some(base_url) => {
                target.base_url = base_url;
                Ok(target)
            }
            None => {
                let what = format!(
                    "printed {line:?} where `{LISTENING_PREFIX}http://127.0.0.1:<port>` \
                     was expected"
                );
                Err(failure(target, what))
            }
        }
    }

    /// The path of the target's OpenAPI document, `testdata/flask/openapi.yaml`.
    #[allow(
        dead_code,
        reason = "not every test that starts the target reads its spec; `expect` would \
                  fail in the tests that do"
    )]
    pub(crate) fn spec_path(repo_root: &Path) -> PathBuf {
        repo_root.join("testdata").join("flask").join("openapi.yaml")
    }
}

impl Drop for FlaskTarget {
    fn drop(&mut self) {
        // Closing stdin alone would stop the server, but killing it as well
        // makes the stop immediate. Errors are ignored on purpose: the child
        // may already have exited, and a drop has no one to report to.
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Chooses the interpreter: `TRESPASS_FLASK_PYTHON`, else the repo's venv.
fn python_interpreter(repo_root: &Path) -> Result<PathBuf, String> {
    if let Some(value) = std::env::var_os(PYTHON_VARIABLE).filter(|value| !value.is_empty()) {
        return Ok(PathBuf::from(value));
    }
    let venv_python = if cfg!(windows) {
        repo_root.join(".venv").join("Scripts").join("python.exe")
    } else {
        repo_root.join(".venv").join("bin").join("python")
    };
    if venv_python.exists() {
        Ok(venv_python)
    } else {
        Err(format!(
            "{PYTHON_VARIABLE} is not set and {} does not exist; run .ci/run or create the \
             venv as README says",
            venv_python.display()
        ))
    }
}

/// Reads the child's first stdout line on a thread and sends it, or the
/// reason there is none, then drains the rest so the child never blocks on
/// a full pipe.
fn first_stdout_line(
    stdout: impl io::Read + Send + 'static,
) -> mpsc::Receiver<Result<String, String>> {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        let first = match reader.read_line(&mut line) {
            Ok(0) => Err("exited or closed its stdout before printing a line".to_owned()),
            Ok(_) => Ok(line.trim_end().to_owned()),
            Err(error) => Err(format!("could not be read from: {error}")),
        };
        // The receiver is gone if start() already gave up; nothing to do then.
        let _ = sender.send(first);
        let _ = io::copy(&mut reader, &mut io::sink());
    });
    receiver
}

/// Forwards the child's stderr to this process's stderr, line by line, and
/// returns its last lines when it reaches end of file.
///
/// `eprintln!` on a thread spawned by a test goes to that test's captured
/// output, so the server's messages appear with the test that failed.
fn forward_stderr(stderr: impl io::Read + Send + 'static) -> JoinHandle<String> {
    thread::spawn(move || {
        let mut tail = VecDeque::with_capacity(STDERR_TAIL_LINES);
        let mut reader = BufReader::new(stderr);
        let mut bytes = Vec::new();
        loop {
            bytes.clear();
            match reader.read_until(b'\n', &mut bytes) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            let line = String::from_utf8_lossy(&bytes).trim_end().to_owned();
            eprintln!("flask target: {line}");
            if tail.len() == STDERR_TAIL_LINES {
                tail.pop_front();
            }
            tail.push_back(line);
        }
        Vec::from(tail).join("\n")
    })
}

/// Extracts `http://127.0.0.1:<port>` from the line `serve.py` prints.
fn parse_base_url(line: &str) -> Option<String> {
    let url = line.strip_prefix(LISTENING_PREFIX)?;
    let port = url.strip_prefix("http://127.0.0.1:")?;
    port.parse::<u16>().ok().filter(|port| *port != 0)?;
    Some(url.to_owned())
}
