//! Role rules stated in a config, per-pair coverage, broken operations in
//! coverage and the count of probed operations, end to end on the lab.

mod support;

use serde_json::{Value, json};
use support::{
    RunningLab, expected_active_writes, expected_vulnerable, finding_keys, key, read_json, trespass,
};

fn lab_key(name: &str) -> &'static str {
    trespass_lab::identities().into_iter().find(|i| i.name == name).unwrap().key
}

/// The lab's findings that do not depend on roles (as in `lab.rs`).
fn role_free_findings() -> Vec<(String, String, String, String, String)> {
    expected_vulnerable(false)
}

/// Writes the lab's document, with `extra` paths merged in, and a config
/// whose identities are alice (`admin`) and bob (`user`), followed by
/// `rules`; returns the config's path.
fn setup(dir: &std::path::Path, lab: &RunningLab, extra: Value, rules: &str) -> std::path::PathBuf {
    let mut doc = lab.lab.openapi();
    if let Value::Object(paths) = extra {
        for (path, item) in paths {
            doc["paths"][path] = item;
        }
    }
    let spec = dir.join("openapi.json");
    std::fs::write(&spec, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    let config = dir.join("trespass.toml");
    let text = format!(
        r#"target = "{}"
spec = "{}"
auth = "header:X-API-Key"

[identities.alice]
credential = "${{LAB_ALICE_KEY}}"
role = "admin"

[identities.bob]
credential = "${{LAB_BOB_KEY}}"
role = "user"
{rules}"#,
        lab.url(),
        spec.display()
    );
    std::fs::write(&config, text).unwrap();
    config
}

/// Scans with a config; returns the exit code and the JSON report.
fn scan(config: &std::path::Path, extra_args: &[&str]) -> (Option<i32>, Value, String) {
    let json = config.with_file_name("report.json");
    let output = trespass()
        .args(["scan", "--config"])
        .arg(config)
        .args(extra_args)
        .arg("--json")
        .arg(&json)
        .env("LAB_ALICE_KEY", lab_key("alice"))
        .env("LAB_BOB_KEY", lab_key("bob"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(json.exists(), "no report: {stderr}");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    (output.status.code(), read_json(&json), stdout)
}

fn coverage<'a>(report: &'a Value, method: &str, path: &str) -> &'a Value {
    report["coverage"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["method"] == method && c["path"] == path)
        .unwrap_or_else(|| panic!("no coverage for {method} {path}"))
}

const RULES: &str = r#"
[[roles.rules]]
path = "/orders/*"
methods = ["GET"]
allow = ["admin"]

[[roles.rules]]
path = "/admin/**"
allow = ["admin"]
"#;

/// Line of `[[roles.rules]]` number `index` in the config written by
/// [`setup`] with [`RULES`]: 12 lines precede the rules.
fn rule_line(index: usize) -> usize {
    13 + RULES
        .lines()
        .skip(1)
        .enumerate()
        .filter(|(_, l)| *l == "[[roles.rules]]")
        .nth(index)
        .unwrap()
        .0
}

#[test]
fn stated_rules_report_each_role_they_do_not_allow_with_high_confidence() {
    let lab = RunningLab::start(false);
    let dir = tempfile::tempdir().unwrap();
    let config = setup(dir.path(), &lab, json!({}), RULES);
    let (code, report, _) = scan(&config, &[]);
    assert_eq!(code, Some(1));

    // alice is an admin, allowed by both rules: no finding. bob is a user:
    // his listing of the audit log and his read of his own order (a
    // correctly protected route, but the rule reserves it for admins) are.
    let mut expected = role_free_findings();
    expected.push(key("privilege-escalation", "/admin/audit", "bob", "-"));
    expected.push(key("privilege-escalation", "/orders/{order_id}", "bob", "-"));
    expected.sort();
    assert_eq!(finding_keys(&report), expected);

    let escalations: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "privilege-escalation")
        .collect();
    let audit = escalations.iter().find(|f| f["path"] == "/admin/audit").unwrap();
    assert_eq!(audit["confidence"], "high");
    assert_eq!(audit["cwe"], "CWE-285");
    assert_eq!(
        audit["reason"],
        format!(
            "bob, of role `user`, called GET /admin/audit, which roles.rules[1] at \
             trespass.toml line {} (path /admin/**, allows admin) does not allow to role \
             `user`, and it succeeded (200)",
            rule_line(1)
        )
    );
    assert_eq!(
        audit["evidence"][0]["label"],
        format!(
            "bob (user) calls an operation roles.rules[1] at trespass.toml line {} reserves for others",
            rule_line(1)
        )
    );
    let order = escalations.iter().find(|f| f["path"] == "/orders/{order_id}").unwrap();
    assert_eq!(order["confidence"], "high");
    assert_eq!(order["evidence"][0]["request"]["url"], format!("{}orders/502", lab.url()));
    assert_eq!(order["evidence"][0]["request"]["credential"], "X-API-Key: ${bob}");

    // Per-pair coverage: the four read families for each pair, hierarchy
    // on the nested path, and privilege where a rule or a name restricts.
    let four = json!(["cross-identity", "anonymous", "forged", "absent-control"]);
    assert_eq!(
        coverage(&report, "GET", "/users/{user_id}")["pairs"],
        json!([
            { "owner": "alice", "caller": "bob", "ran": four },
            { "owner": "bob", "caller": "alice", "ran": four },
        ])
    );
    assert_eq!(
        coverage(&report, "GET", "/orders/{order_id}")["pairs"],
        json!([
            { "owner": "alice", "caller": "bob", "ran": four },
            { "owner": "bob", "caller": "alice", "ran": four },
            { "caller": "alice", "ran": ["privilege"] },
            { "caller": "bob", "ran": ["privilege"] },
        ])
    );
    let five = json!(["cross-identity", "anonymous", "forged", "absent-control", "hierarchy"]);
    assert_eq!(
        coverage(&report, "GET", "/tenants/{tenant_id}/invoices/{invoice_id}")["pairs"],
        json!([
            { "owner": "alice", "caller": "bob", "ran": five },
            { "owner": "bob", "caller": "alice", "ran": five },
        ])
    );
    let audit = coverage(&report, "GET", "/admin/audit");
    assert_eq!(audit["status"], "listing");
    assert_eq!(
        audit["pairs"],
        json!([{ "caller": "alice", "ran": ["privilege"] }, { "caller": "bob", "ran": ["privilege"] }])
    );
    // An operation nothing restricts, and that names no object, has none.
    assert_eq!(coverage(&report, "GET", "/users").get("pairs"), None);
}

#[test]
fn stated_rules_judge_active_writes_and_an_allowed_roles_write_stays_bola_write() {
    let lab = RunningLab::start(false);
    let dir = tempfile::tempdir().unwrap();
    let config = setup(dir.path(), &lab, json!({}), RULES);
    let (code, report, _) = scan(&config, &["--mode", "active"]);
    assert_eq!(code, Some(1));

    // The read findings of safe mode, the document, project and board
    // writes (no rule or name restricts them), and on the admin
    // announcements: bob (user) posts one and deletes alice's, which the
    // rule reserves for admins; alice
    // (admin) deletes bob's, which the rule allows her role, so what is
    // left is another's object changed: a bola-write.
    let mut expected = role_free_findings();
    expected.push(key("privilege-escalation", "/admin/audit", "bob", "-"));
    expected.push(key("privilege-escalation", "/orders/{order_id}", "bob", "-"));
    let write = |kind: &str, method: &str, path: &str, identity: &str, owner: &str| {
        (kind.into(), method.into(), path.into(), identity.into(), owner.into())
    };
    expected.extend(expected_active_writes());
    let item = "/admin/announcements/{announcement_id}";
    expected.push(write("privilege-escalation", "POST", "/admin/announcements", "bob", "-"));
    expected.push(write("privilege-escalation", "DELETE", item, "bob", "-"));
    expected.push(write("bola-write", "DELETE", item, "alice", "bob"));
    expected.sort();
    assert_eq!(finding_keys(&report), expected);

    let finding = |method: &str, kind: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["kind"] == kind && f["method"] == method && f["path"] != "/documents")
            .unwrap()
    };
    // alice, whose role the rule allows, is the reference that reads bob's
    // new announcement back.
    let post = finding("POST", "privilege-escalation");
    assert_eq!(post["confidence"], "high");
    let reason = post["reason"].as_str().unwrap();
    let cited = format!(
        "bob, of role `user`, sent POST /admin/announcements, which roles.rules[1] at \
         trespass.toml line {} (path /admin/**, allows admin) does not allow to role `user`, \
         and it answered 201; alice's read of the new object {}admin/announcements/952 shows \
         it created",
        rule_line(1),
        lab.url()
    );
    assert!(reason.starts_with(&cited), "{reason}");
    assert_eq!(post["evidence"][1]["label"], "alice reads the new object");
    assert_eq!(post["evidence"][1]["response"]["status"], 200);
    let delete = finding("DELETE", "privilege-escalation");
    assert_eq!(delete["confidence"], "high");
    assert_eq!(delete["evidence"][2]["response"]["status"], 404);
    assert_eq!(
        coverage(&report, "POST", "/admin/announcements")["pairs"],
        json!([{ "caller": "bob", "ran": ["privilege"] }])
    );
    // bob's delete is judged as a privilege, alice's (allowed) as a write.
    assert_eq!(
        coverage(&report, "DELETE", item)["pairs"],
        json!([
            { "owner": "alice", "caller": "bob", "ran": ["privilege"] },
            { "owner": "bob", "caller": "alice", "ran": ["write"] },
        ])
    );
    let notes = report["notes"].as_array().unwrap();
    assert!(
        notes.contains(&json!("active mode: created 22 object(s) and deleted them all")),
        "{notes:?}"
    );
}

#[test]
fn a_rule_on_a_listing_whose_name_says_nothing_is_judged_with_evidence() {
    // `/tenants` is an ordinary listing: no name marks it, so only the rule
    // makes bob's successful call a finding, and its evidence must be kept.
    let lab = RunningLab::start(false);
    let dir = tempfile::tempdir().unwrap();
    let rules = "\n[[roles.rules]]\npath = \"/tenants\"\nallow = [\"admin\"]\n";
    let config = setup(dir.path(), &lab, json!({}), rules);
    let (code, report, _) = scan(&config, &[]);
    assert_eq!(code, Some(1));
    let mut expected = role_free_findings();
    expected.push(key("privilege-escalation", "/tenants", "bob", "-"));
    // No rule covers the audit log: inference still flags bob there.
    expected.push(key("privilege-escalation", "/admin/audit", "bob", "-"));
    expected.sort();
    assert_eq!(finding_keys(&report), expected);
    let tenants = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "privilege-escalation" && f["path"] == "/tenants")
        .unwrap();
    assert_eq!(tenants["confidence"], "high");
    assert_eq!(tenants["evidence"][0]["request"]["url"], format!("{}tenants", lab.url()));
    assert_eq!(tenants["evidence"][0]["response"]["status"], 200);
}

#[test]
fn stated_rules_win_over_inference() {
    let lab = RunningLab::start(false);
    let dir = tempfile::tempdir().unwrap();
    // Inference would flag bob on /admin/audit (path says admin, bob is a
    // user); the rule says users may call it.
    let rules = "\n[[roles.rules]]\ntag = \"ADMIN\"\nallow = [\"user\", \"admin\"]\n";
    let config = setup(dir.path(), &lab, json!({}), rules);
    let (code, report, _) = scan(&config, &[]);
    assert_eq!(code, Some(1));
    let mut expected = role_free_findings();
    expected.sort();
    assert_eq!(finding_keys(&report), expected);
}

#[test]
fn an_allowed_role_refused_on_the_fixed_lab_is_no_finding() {
    let lab = RunningLab::start(true);
    let dir = tempfile::tempdir().unwrap();
    let rules = "\n[[roles.rules]]\npath = \"/admin/**\"\nallow = [\"admin\"]\n";
    let config = setup(dir.path(), &lab, json!({}), rules);
    // The fixed lab answers 403 to both: alice (allowed by the rule, though
    // the lab does not think her an admin) and bob. Neither is a finding.
    let (code, report, _) = scan(&config, &[]);
    assert_eq!(code, Some(0), "{}", report["findings"]);
    assert_eq!(report["findings"], json!([]));
}

#[test]
fn a_rule_allowing_a_role_nobody_has_is_noted_and_a_bad_rule_is_an_error() {
    let lab = RunningLab::start(true);
    let dir = tempfile::tempdir().unwrap();
    let rules = "\n[[roles.rules]]\npath = \"/admin/**\"\nallow = [\"auditor\"]\n";
    let config = setup(dir.path(), &lab, json!({}), rules);
    let (_, report, _) = scan(&config, &[]);
    assert!(
        report["notes"].as_array().unwrap().contains(&json!(
            "roles.rules[0] at trespass.toml line 13 (path /admin/**, allows auditor): no \
             identity of this scan has an allowed role, so every identity that succeeds there \
             is reported"
        )),
        "{}",
        report["notes"]
    );

    let rules = "\n[[roles.rules]]\npath = \"/admin**\"\nallow = [\"admin\"]\n";
    let config = setup(dir.path(), &lab, json!({}), rules);
    let output = trespass()
        .args(["scan", "--config"])
        .arg(&config)
        .env("LAB_ALICE_KEY", lab_key("alice"))
        .env("LAB_BOB_KEY", lab_key("bob"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        format!(
            "error: invalid config {} at line 14, column 8: invalid path pattern `/admin**`: \
             `**` must be a whole segment, as in /admin/**\n",
            config.display()
        )
    );
}

#[test]
fn a_broken_operation_is_skipped_in_coverage_with_its_reason() {
    let lab = RunningLab::start(true);
    let dir = tempfile::tempdir().unwrap();
    let broken = json!({ "/archive/{archive_id}": { "get": 42 } });
    let config = setup(dir.path(), &lab, broken, "");
    let (code, report, _) = scan(&config, &[]);
    assert_eq!(code, Some(0));
    assert_eq!(
        coverage(&report, "GET", "/archive/{archive_id}"),
        &json!({
            "method": "GET",
            "path": "/archive/{archive_id}",
            "status": "skipped",
            "detail": "broken in the API description: paths./archive/{archive_id}.get: expected \
                       an operation object, found a number"
        })
    );
    // The inventory holds the rest of the lab, not the broken one.
    let operations = report["stats"]["operations"].as_u64().unwrap();
    assert_eq!(report["coverage"].as_array().unwrap().len() as u64, operations + 1);
}

#[test]
fn operations_probed_counts_operations_probed_only_by_active_writes() {
    let lab = RunningLab::start(true);
    let dir = tempfile::tempdir().unwrap();
    let config = setup(dir.path(), &lab, json!({}), "");
    let (_, safe, _) = scan(&config, &[]);
    let (_, active, _) = scan(&config, &["--mode", "active"]);
    // Active mode adds the creating POST /documents and the writes PUT,
    // PATCH and DELETE /documents/{document_id}, and for projects and
    // boards the POST, PUT and DELETE.
    assert_eq!(safe["stats"]["operations_probed"], 14);
    assert_eq!(active["stats"]["operations_probed"], 24);
    let put = coverage(&active, "PUT", "/documents/{document_id}");
    assert_eq!(put["status"], "probed");
    assert_eq!(
        put["pairs"],
        json!([
            { "owner": "alice", "caller": "bob", "ran": ["write"] },
            { "owner": "bob", "caller": "alice", "ran": ["write"] },
        ])
    );
}

#[test]
fn verbose_terminal_report_lists_the_pairs_and_the_default_does_not() {
    let lab = RunningLab::start(true);
    let dir = tempfile::tempdir().unwrap();
    let config = setup(dir.path(), &lab, json!({}), "");
    let (_, _, stdout) = scan(&config, &[]);
    assert!(!stdout.contains("Coverage per pair"), "{stdout}");
    let (_, _, stdout) = scan(&config, &["-v"]);
    assert!(
        stdout.contains(
            "Coverage per pair\n  GET /users/{user_id} (probed)\n    bob on alice's object: ran \
             cross-identity, anonymous, forged, absent-control\n    alice on bob's object: ran \
             cross-identity, anonymous, forged, absent-control\n"
        ),
        "{stdout}"
    );
}
