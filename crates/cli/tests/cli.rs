//! Exit codes and error messages for bad input and unscannable targets.

mod support;

use std::path::Path;

use support::{RunningLab, trespass};

/// Runs the binary and returns (exit code, stderr).
fn run(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String) {
    let mut command = trespass();
    command.args(args);
    for (k, v) in env {
        command.env(k, v);
    }
    let output = command.output().unwrap();
    (output.status.code(), String::from_utf8_lossy(&output.stderr).into_owned())
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

const TWO_IDENTITIES: &str = r#"
[identities.alice]
credential = "alice-secret-value-1"

[identities.bob]
credential = "bob-secret-value-2"
"#;

#[test]
fn missing_config_file_is_an_input_error() {
    let (code, stderr) = run(&["scan", "--config", "/nonexistent/trespass.toml"], &[]);
    assert_eq!(code, Some(2));
    assert_eq!(
        stderr,
        "error: failed to read config /nonexistent/trespass.toml: No such file or directory (os error 2)\n"
    );
}

#[test]
fn unknown_config_key_names_the_key_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let config =
        write(dir.path(), "t.toml", "target = \"http://127.0.0.1:9/\"\n\n[scan]\nconcurency = 4\n");
    let (code, stderr) = run(&["scan", "--config", &config], &[]);
    assert_eq!(code, Some(2));
    assert_eq!(
        stderr,
        format!(
            "error: invalid config {config} at line 4, column 1: unknown field `concurency`, \
             expected one of `concurrency`, `timeout_ms`, `connect_timeout_ms`, `max_body_bytes`, \
             `rate_limit`, `max_requests`, `max_retry_wait_ms`, `follow_redirects`, `insecure`, \
             `proxy`, `fail_on`, `mode`, `neighbours`\n"
        )
    );
}

#[test]
fn a_config_with_one_identity_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(
        dir.path(),
        "t.toml",
        "target = \"http://127.0.0.1:9/\"\n[identities.alice]\ncredential = \"key-of-alice\"\n",
    );
    let (code, stderr) = run(&["scan", "--config", &config], &[]);
    assert_eq!(code, Some(2));
    assert_eq!(
        stderr,
        "error: a scan needs at least two identities, found 1 (alice): add [identities.NAME] \
         tables to the config or --identity NAME=CREDENTIAL flags\n"
    );
}

#[test]
fn a_missing_environment_variable_is_named_without_any_value() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(
        dir.path(),
        "t.toml",
        "[identities.alice]\ncredential = \"${TRESPASS_TEST_UNSET_KEY}\"\n",
    );
    let (code, stderr) = run(&["scan", "--config", &config], &[]);
    assert_eq!(code, Some(2));
    assert_eq!(
        stderr,
        format!(
            "error: invalid config {config} at line 2, column 14: identity `alice`: environment \
             variable `TRESPASS_TEST_UNSET_KEY` is not set\n"
        )
    );
}

#[test]
fn a_yaml_syntax_error_names_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(
        dir.path(),
        "openapi.yaml",
        "openapi: 3.0.3\ninfo:\n  title: broken\n  version: '1'\npaths:\n  /users/{id}:\n    get: [\n",
    );
    let config =
        write(dir.path(), "t.toml", &format!("target = \"http://127.0.0.1:9/\"\n{TWO_IDENTITIES}"));
    let (code, stderr) = run(&["scan", "--config", &config, "--spec", &spec], &[]);
    assert_eq!(code, Some(2));
    assert_eq!(
        stderr,
        format!(
            "error: spec {spec} is not valid YAML at line 7, column 10: unclosed bracket '['\n"
        )
    );
}

#[test]
fn a_missing_spec_file_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let config =
        write(dir.path(), "t.toml", &format!("target = \"http://127.0.0.1:9/\"\n{TWO_IDENTITIES}"));
    let (code, stderr) =
        run(&["scan", "--config", &config, "--spec", "/nonexistent/openapi.yaml"], &[]);
    assert_eq!(code, Some(2));
    assert_eq!(
        stderr,
        "error: failed to read spec /nonexistent/openapi.yaml: No such file or directory (os error 2)\n"
    );
}

#[test]
fn bad_flags_are_usage_errors() {
    let (code, stderr) = run(&["scan", "--fail-on", "severe"], &[]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("unknown severity `severe`"), "{stderr}");

    let (code, _) = run(&[], &[]);
    assert_eq!(code, Some(2));

    let (code, stderr) =
        run(&["scan", "--identity", "alice=x-key-long", "--identity", "bob=y-key-long"], &[]);
    assert_eq!(code, Some(2));
    assert_eq!(stderr, "error: no target: give --target URL or `target` in the config\n");

    let (code, stderr) = run(&["scan", "--target", "ftp://127.0.0.1/"], &[]);
    assert_eq!(code, Some(2));
    assert_eq!(
        stderr,
        "error: invalid target URL `ftp://127.0.0.1/`: expected an http or https URL\n"
    );
}

#[test]
fn the_lab_refuses_to_listen_beyond_loopback() {
    let (code, stderr) = run(&["lab", "--listen", "0.0.0.0:0"], &[]);
    assert_eq!(code, Some(2));
    assert_eq!(
        stderr,
        "error: refusing to serve the lab on 0.0.0.0:0: it is deliberately vulnerable, so it \
         listens on loopback addresses only (127.0.0.1 or [::1])\n"
    );
}

#[test]
fn an_unreachable_target_exits_3() {
    // A port that was free a moment ago and that nothing listens on now.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let target = format!("http://127.0.0.1:{port}/");
    let (code, stderr) = run(
        &[
            "scan",
            "--target",
            &target,
            "--identity",
            "alice=a-key-long",
            "--identity",
            "bob=b-key-long",
        ],
        &[],
    );
    assert_eq!(code, Some(3), "{stderr}");
    assert!(
        stderr.starts_with(&format!("error: the target {target} could not be reached: ")),
        "{stderr}"
    );
}

#[test]
fn identities_refused_everywhere_exit_3_without_echoing_keys() {
    let lab = RunningLab::start(false);
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let out = dir.path().join("out");
    let (code, stderr) = run(
        &[
            "scan",
            "--target",
            &lab.url(),
            "--identity",
            "alice=wrong-key-number-one",
            "--identity",
            "bob=wrong-key-number-two",
            "--json",
            json.to_str().unwrap(),
            "--format",
            "sarif",
            "--output",
            out.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, Some(3), "{stderr}");
    // No scan, no report: an empty SARIF would close every open alert.
    assert!(!json.exists() && !out.exists());
    assert_eq!(
        stderr,
        "error: no identity could reach its own objects, so nothing could be tested: no \
         identity could list anything (answers: 200 ×6, 401 ×26); check the credentials and \
         `auth`\n"
    );
}

#[test]
fn help_documents_the_exit_codes() {
    let output = trespass().args(["scan", "--help"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let help = String::from_utf8_lossy(&output.stdout);
    for line in [
        "0  no finding at or above --fail-on",
        "1  findings at or above --fail-on (default: low)",
        "2  usage or input error (bad flags, config or spec)",
        "3  the target could not be scanned (unreachable, every identity refused, fewer than two\n     credentials obtained, or nothing could be tested)",
    ] {
        assert!(help.contains(line), "help lacks {line:?}:\n{help}");
    }
}

#[test]
fn one_identity_refused_everywhere_is_reported_not_silent() {
    let lab = RunningLab::start(false);
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let alice = trespass_lab::identities()[0].key;
    let output = trespass()
        .args(["scan", "--target", &lab.url(), "--json"])
        .arg(&json)
        .args(["--identity", "alice=${REFUSED_ALICE}", "--identity", "bob=wrong-key-for-bob-42"])
        .env("REFUSED_ALICE", alice)
        .output()
        .unwrap();
    assert!(matches!(output.status.code(), Some(0 | 1)), "{output:?}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let first = report["notes"][0].as_str().unwrap();
    assert!(
        first
            == "bob was refused on its own objects and listings: check its credential and `auth`; nothing involving bob's objects was tested",
        "{}",
        report["notes"]
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("bob was refused"));
}

#[test]
fn two_identities_with_the_same_key_are_an_input_error() {
    let (code, stderr) = run(
        &[
            "scan",
            "--target",
            "http://127.0.0.1:9/",
            "--identity",
            "a=same-key",
            "--identity",
            "b=same-key",
        ],
        &[],
    );
    assert_eq!(code, Some(2));
    assert_eq!(
        stderr,
        "error: identities `a` and `b` have the same credential; each identity needs its own\n"
    );
}

#[test]
fn an_identity_flag_given_twice_is_named() {
    let (code, stderr) = run(
        &[
            "scan",
            "--target",
            "http://127.0.0.1:9/",
            "--identity",
            "alice=first-key-1",
            "--identity",
            "alice=second-key-2",
        ],
        &[],
    );
    assert_eq!(code, Some(2));
    assert_eq!(
        stderr,
        "error: --identity `alice` is given twice: each identity needs its own name\n"
    );
}

#[test]
fn names_sharing_a_reproduction_variable_are_an_input_error() {
    let (code, stderr) = run(
        &[
            "scan",
            "--target",
            "http://127.0.0.1:9/",
            "--identity",
            "Alice=first-key-1",
            "--identity",
            "ALICE=second-key-2",
        ],
        &[],
    );
    assert_eq!(code, Some(2));
    assert_eq!(
        stderr,
        "error: identities `Alice` and `ALICE` both read their secret from `$TRESPASS_ALICE` in \
         the reproduction commands; rename one\n"
    );
}

#[test]
fn short_credentials_and_passwords_in_the_target_are_refused_unechoed() {
    // A key like `user` would be replaced in `user_id` everywhere.
    let (code, stderr) = run(
        &["scan", "--target", "http://127.0.0.1:9/", "-i", "alice=${K}", "-i", "bob=bob-key-1"],
        &[("K", "user")],
    );
    assert_eq!(code, Some(2));
    assert_eq!(
        stderr,
        "error: invalid --identity for `alice`: credential is shorter than 8 characters: \
         trespass replaces every credential in its output, and one that short also matches \
         ordinary text\n"
    );
    let (code, stderr) = run(
        &[
            "scan",
            "--target",
            "http://admin:s3cr3tpw@127.0.0.1:9/",
            "-i",
            "alice=alice-key-1",
            "-i",
            "bob=bob-key-1",
        ],
        &[],
    );
    assert_eq!(code, Some(2));
    assert!(!stderr.contains("s3cr3tpw"), "{stderr}");
    assert!(stderr.contains("it holds a user name or password"), "{stderr}");
}

#[test]
fn listings_answered_404_point_at_the_target_url_not_the_credentials() {
    let lab = RunningLab::start(false);
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("openapi.json");
    std::fs::write(&spec, lab.lab.openapi().to_string()).unwrap();
    let target = format!("{}api/v1/", lab.url());
    let (code, stderr) = run(
        &[
            "scan",
            "--target",
            &target,
            "--spec",
            spec.to_str().unwrap(),
            "-i",
            "alice=lab-key-alice-0000",
            "-i",
            "bob=lab-key-bob-00000",
        ],
        &[],
    );
    assert_eq!(code, Some(3), "{stderr}");
    assert!(
        stderr.ends_with(
            "no identity could list anything (answers: 404 ×32); check the target URL and the \
             API description's base path\n"
        ),
        "{stderr}"
    );
}

#[test]
fn a_scan_that_tested_nothing_does_not_pass() {
    // A body cap that cuts every listing, or a budget spent in discovery:
    // no object was asked for, so no grade A and exit 0, and no report.
    for (flag, why) in [
        (
            "--max-body-bytes=10",
            "discovery found no object of any identity to ask for (42 response body(ies) were \
             cut at the body cap, --max-body-bytes)",
        ),
        (
            "--max-requests=1",
            "the request budget (--max-requests) ran out before any of them was probed",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let json = dir.path().join("r.json");
        let json_arg = json.display().to_string();
        let (code, stderr) =
            run(&["demo", "--quiet", "--no-history", flag, "--json", &json_arg], &[]);
        assert_eq!(code, Some(3), "{flag}: {stderr}");
        assert_eq!(
            stderr,
            format!(
                "error: nothing was tested: 31 operation(s) name objects, and none was probed: \
                 {why}\n"
            )
        );
        assert!(!json.exists());
    }
}

#[test]
fn an_input_without_operations_is_an_input_error_not_a_pass() {
    // An empty collection would otherwise scan nothing and grade it A.
    let dir = tempfile::tempdir().unwrap();
    let collection = write(
        dir.path(),
        "empty.postman_collection.json",
        r#"{"info":{"name":"e","schema":"https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},"item":[]}"#,
    );
    let (code, stderr) = run(
        &[
            "scan",
            "--target",
            "http://127.0.0.1:9/",
            "--postman",
            &collection,
            "--identity",
            "alice=a-key-long",
            "--identity",
            "bob=b-key-long",
        ],
        &[],
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(
        stderr,
        "error: the input declares no operations, so there is nothing to scan; check the input \
         with `trespass inventory`\n"
    );
}
