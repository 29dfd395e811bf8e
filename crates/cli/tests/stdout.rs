//! Results written to a stdout that fails. A reader that stops early
//! (`| head`) closes the pipe: that is normal use, exit 0 and no message.
//! Any other failure (a full disk, here `/dev/full`) loses the results, so
//! it is exit 2 with the system's reason, never a panic or a silent 0.

mod support;

use std::path::{Path, PathBuf};
use std::process::Stdio;

use support::trespass;

/// The commands that print results to stdout, with the files they need:
/// one demo scan stored in a history and written as a JSON report.
fn printing_commands(dir: &Path) -> Vec<Vec<String>> {
    let db = dir.join("h.db");
    let json = dir.join("r.json");
    let output = trespass()
        .env_remove("TRESPASS_NO_HISTORY")
        .args(["demo", "--quiet", "--db"])
        .arg(&db)
        .arg("--json")
        .arg(&json)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    let spec = dir.join("openapi.json");
    let doc = trespass_lab::Lab::new(false).openapi();
    std::fs::write(&spec, serde_json::to_string(&doc).unwrap()).unwrap();

    let path = |p: &PathBuf| p.display().to_string();
    let list = |args: &[&str]| args.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>();
    vec![
        list(&["completions", "bash"]),
        list(&["completions", "zsh"]),
        list(&["man"]),
        list(&["history", "--db", &path(&db)]),
        list(&["report", "1", "--format", "markdown", "--db", &path(&db)]),
        list(&["diff", &path(&json), &path(&json)]),
        list(&["inventory", "--spec", &path(&spec)]),
        list(&["demo", "--no-history"]),
    ]
}

/// Runs the binary with `stdout` as its standard output; assert_cmd
/// always captures it, so this uses the plain command.
fn run_into(args: &[String], stdout: Stdio) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_trespass"))
        .args(args)
        .env_remove("TRESPASS_LOG")
        .env_remove("TRESPASS_DB")
        .env("TRESPASS_NO_HISTORY", "1")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(stdout)
        .output()
        .unwrap()
}

/// Stderr without the demo's banner line, which it prints before scanning.
fn diagnostics(output: &std::process::Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    stderr
        .lines()
        .filter(|l| !l.starts_with("lab (vulnerable) listening on"))
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn a_closed_pipe_on_stdout_is_not_an_error() {
    // Regression: `completions bash | head -c 10` panicked in
    // clap_complete with exit 101.
    let dir = tempfile::tempdir().unwrap();
    for args in printing_commands(dir.path()) {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let output = run_into(&args, Stdio::from(writer));
        let stderr = diagnostics(&output);
        let expected = if args[0] == "demo" { 1 } else { 0 };
        assert_eq!(output.status.code(), Some(expected), "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_on_stdout_is_an_error_that_says_so() {
    // Regression: `report 3 --format markdown >/dev/full` exited 0, and
    // `completions zsh >/dev/full` panicked.
    let dir = tempfile::tempdir().unwrap();
    for args in printing_commands(dir.path()) {
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
        let output = run_into(&args, Stdio::from(full));
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert_eq!(
            diagnostics(&output),
            "error: failed to write to stdout: No space left on device (os error 28)\n",
            "{args:?}"
        );
    }
}
