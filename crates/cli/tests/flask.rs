//! A real framework target: the Flask application in `testdata/flask`,
//! with the planted faults under `/` and their fixed twins under `/v2`.
//! The scan must report exactly the planted faults and nothing under `/v2`.

mod support;

#[path = "../../../testdata/flask/support.rs"]
mod flask_support;

use flask_support::FlaskTarget;
use support::{finding_keys, key, read_json, repo_root, trespass};

const ADA_KEY: &str = "flask-key-ada-5c2e9a71";
const GRACE_KEY: &str = "flask-key-grace-83b1d4f0";

#[test]
fn flask_target_yields_exactly_the_planted_faults() {
    let root = repo_root();
    let target = FlaskTarget::start(&root).unwrap_or_else(|e| panic!("{e}"));
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");

    let output = trespass()
        .args(["scan", "--target", &target.base_url, "--spec"])
        .arg(FlaskTarget::spec_path(&root))
        .args(["--identity", "ada=${FLASK_ADA_KEY}", "--identity", "grace=${FLASK_GRACE_KEY}"])
        .arg("--json")
        .arg(&json)
        .env("FLASK_ADA_KEY", ADA_KEY)
        .env("FLASK_GRACE_KEY", GRACE_KEY)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));

    let report = read_json(&json);
    let mut expected = vec![
        key("bola-read", "/users/{user_id}", "ada", "grace"),
        key("bola-read", "/users/{user_id}", "grace", "ada"),
        key("bola-read", "/invoices/{invoice_id}", "ada", "grace"),
        key("bola-read", "/invoices/{invoice_id}", "grace", "ada"),
    ];
    expected.sort();
    assert_eq!(finding_keys(&report), expected);

    // The fixed twins were probed, not skipped, and found clean.
    for path in ["/v2/users/{user_id}", "/v2/invoices/{invoice_id}"] {
        let entry = report["coverage"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["path"] == path)
            .unwrap_or_else(|| panic!("{path} missing from coverage"));
        assert_eq!(entry["status"], "probed", "{entry}");
    }
    let text = std::fs::read_to_string(&json).unwrap();
    assert!(!text.contains(ADA_KEY) && !text.contains(GRACE_KEY));
}
