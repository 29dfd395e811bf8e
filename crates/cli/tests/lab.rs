//! End to end on the embedded lab: the exact findings of the vulnerable lab,
//! none on the fixed one, through `demo` and through `scan` with a config.

mod support;

use support::{
    RunningLab, expected_active_writes, expected_vulnerable, finding_keys, read_json, trespass,
};

#[test]
fn demo_finds_every_planted_fault_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let output = trespass().args(["demo", "--json"]).arg(&json).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));

    let report = read_json(&json);
    assert_eq!(report["schema_version"], "1.0");
    assert_eq!(finding_keys(&report), expected_vulnerable(true));
    for finding in report["findings"].as_array().unwrap() {
        let cwe = match finding["kind"].as_str().unwrap() {
            "bola-read" => "CWE-639",
            "missing-auth" => "CWE-306",
            "credential-not-validated" => "CWE-287",
            "existence-oracle" => "CWE-204",
            "credential-exposure" => "CWE-200",
            "credential-in-query" => "CWE-598",
            "spec-security-drift" => "CWE-306",
            "cross-tenant-hierarchy" => "CWE-639",
            "privilege-escalation" => "CWE-285",
            "enumerable-ids" => "CWE-639",
            other => panic!("unexpected kind {other}"),
        };
        assert_eq!(finding["cwe"], cwe);
        assert!(finding["reproduce"].as_str().unwrap().starts_with("curl -i "));
        assert!(!finding["remediation"].as_str().unwrap().is_empty());
        assert!(!finding["evidence"].as_array().unwrap().is_empty());
    }

    // The lab's keys are secrets like any other: no artifact carries them.
    let stdout = String::from_utf8_lossy(&output.stdout);
    let json_text = std::fs::read_to_string(&json).unwrap();
    for identity in trespass_lab::identities() {
        assert!(!stdout.contains(identity.key), "stdout leaks {}'s key", identity.name);
        assert!(!json_text.contains(identity.key), "JSON leaks {}'s key", identity.name);
    }
    assert!(stdout.contains("30 findings: 2 critical, 25 high, 2 medium, 1 low"), "{stdout}");

    // Where each swapped id sat, in the findings that say so.
    let placed: Vec<(String, String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "bola-read" && f["identity"] == "bob")
        .map(|f| {
            let text = |v: &serde_json::Value| v.as_str().unwrap().to_owned();
            (text(&f["path"]), text(&f["parameter"]), text(&f["parameter_location"]))
        })
        .collect();
    let row = |p: &str, n: &str, l: &str| (p.to_owned(), n.to_owned(), l.to_owned());
    for expected in [
        row("/statements", "account_id", "query"),
        row("/transactions", "X-Account-Id", "header"),
        row("/card-limits", "account_id", "cookie"),
        row("/users/{user_id}", "user_id", "path"),
        row("/people/{username}", "username", "path"),
    ] {
        assert!(placed.contains(&expected), "{expected:?} not in {placed:?}");
    }
    // The header and the cookie are in the evidence and the curl line.
    let transactions = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["kind"] == "bola-read" && f["path"] == "/transactions" && f["identity"] == "bob"
        })
        .unwrap();
    assert_eq!(
        transactions["evidence"][1]["request"]["headers"],
        serde_json::json!(["X-Account-Id: 11"])
    );
    assert!(
        transactions["reproduce"].as_str().unwrap().contains(r#"-H "X-Account-Id: 11""#),
        "{}",
        transactions["reproduce"]
    );
    let enumerable = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "enumerable-ids" && f["path"] == "/statements")
        .unwrap();
    assert!(
        enumerable["reason"]
            .as_str()
            .unwrap()
            .contains("13 (next to bob's 12) was served to alice (200) and bob (200)"),
        "{}",
        enumerable["reason"]
    );
}

#[test]
fn demo_fixed_finds_nothing_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let output = trespass().args(["demo", "--fixed", "--json"]).arg(&json).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let report = read_json(&json);
    assert_eq!(report["findings"], serde_json::json!([]));
    let probed: Vec<&str> = report["coverage"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "probed")
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        probed,
        vec![
            "/users/{user_id}",
            "/accounts/{account_id}",
            "/statements",
            "/balance",
            "/transactions",
            "/card-limits",
            "/invoices/{invoice_id}",
            "/reports/{report_id}",
            "/notes/{note_id}",
            "/profiles/{user_id}",
            "/orders/{order_id}",
            "/tenants/{tenant_id}/invoices",
            "/tenants/{tenant_id}/invoices/{invoice_id}",
            "/people/{username}",
        ]
    );
}

/// Writes a config for the running lab, with keys read from the environment.
fn write_config(
    dir: &std::path::Path,
    lab: &RunningLab,
    spec: &std::path::Path,
) -> std::path::PathBuf {
    let config = dir.join("trespass.toml");
    let text = format!(
        r#"target = "{}"
spec = "{}"
auth = "header:X-API-Key"

[scan]
concurrency = 4
timeout_ms = 5000

[identities.alice]
credential = "${{LAB_ALICE_KEY}}"
role = "user"

[identities.bob]
credential = "${{LAB_BOB_KEY}}"
role = "user"
"#,
        lab.url(),
        spec.display()
    );
    std::fs::write(&config, text).unwrap();
    config
}

fn lab_key(name: &str) -> &'static str {
    trespass_lab::identities().into_iter().find(|i| i.name == name).unwrap().key
}

#[test]
fn scan_with_a_config_finds_the_same_faults_and_sends_only_reads() {
    let lab = RunningLab::start(false);
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("openapi.json");
    std::fs::write(&spec, serde_json::to_string_pretty(&lab.lab.openapi()).unwrap()).unwrap();
    let config = write_config(dir.path(), &lab, &spec);
    let json = dir.path().join("report.json");

    let output = trespass()
        .args(["scan", "--config"])
        .arg(&config)
        .arg("--json")
        .arg(&json)
        .env("LAB_ALICE_KEY", lab_key("alice"))
        .env("LAB_BOB_KEY", lab_key("bob"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(finding_keys(&read_json(&json)), expected_vulnerable(true));

    // Safe mode: not one request but GET, HEAD or OPTIONS reached the lab.
    let log = lab.log();
    assert!(!log.is_empty());
    let writes: Vec<_> =
        log.iter().filter(|r| !matches!(r.method.as_str(), "GET" | "HEAD" | "OPTIONS")).collect();
    assert!(writes.is_empty(), "safe mode sent {writes:?}");
}

#[test]
fn scan_with_flags_and_a_spec_found_on_the_target() {
    let lab = RunningLab::start(false);
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let output = trespass()
        .args(["scan", "--target", &lab.url()])
        .args(["--identity", "alice=${LAB_ALICE_KEY}", "--identity", "bob=${LAB_BOB_KEY}"])
        .arg("--json")
        .arg(&json)
        .env("LAB_ALICE_KEY", lab_key("alice"))
        .env("LAB_BOB_KEY", lab_key("bob"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    let report = read_json(&json);
    assert_eq!(finding_keys(&report), expected_vulnerable(false));
    assert!(
        report["notes"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("API description found on the target at /openapi.json")),
        "{}",
        report["notes"]
    );
}

#[test]
fn fixed_lab_scanned_with_flags_exits_0() {
    let lab = RunningLab::start(true);
    let output = trespass()
        .args(["scan", "--target", &lab.url(), "--quiet"])
        .args(["--identity", "alice=${LAB_ALICE_KEY}", "--identity", "bob=${LAB_BOB_KEY}"])
        .env("LAB_ALICE_KEY", lab_key("alice"))
        .env("LAB_BOB_KEY", lab_key("bob"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(
        output.stdout.is_empty(),
        "--quiet printed {}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn fail_on_threshold_decides_the_exit_code() {
    // The vulnerable lab's worst findings are critical (exposed keys), the
    // fixed lab has none: --fail-on critical fails only the first.
    let output = trespass().args(["demo", "--quiet", "--fail-on", "critical"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let output =
        trespass().args(["demo", "--fixed", "--quiet", "--fail-on", "info"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn demo_in_active_mode_adds_confirmed_writes_and_the_fixed_lab_stays_clean() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let output =
        trespass().args(["demo", "--mode", "active", "--json"]).arg(&json).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    let report = read_json(&json);
    let mut expected = expected_vulnerable(true);
    expected.extend(expected_active_writes());
    // Admin announcements: each user posts one (read back: created) and
    // deletes the other's (the owner's read: gone), on routes whose path
    // says admin. The PUT answers 204 and changes nothing: the trap. The
    // delete of another's announcement is a privilege-escalation, not also
    // a bola-write.
    for identity in ["alice", "bob"] {
        for (method, path) in
            [("POST", "/admin/announcements"), ("DELETE", "/admin/announcements/{announcement_id}")]
        {
            expected.push((
                "privilege-escalation".into(),
                method.into(),
                path.into(),
                identity.into(),
                "-".into(),
            ));
        }
    }
    expected.sort();
    assert_eq!(finding_keys(&report), expected);
    let written: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "privilege-escalation" && f["method"] != "GET")
        .map(|f| (f["confidence"].as_str().unwrap(), f["cwe"].as_str().unwrap()))
        .collect();
    assert_eq!(written, [("medium", "CWE-285"); 4]);
    let mut in_body: Vec<(String, String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["parameter_location"] == "body")
        .map(|f| {
            let text = |v: &serde_json::Value| v.as_str().unwrap().to_owned();
            (text(&f["method"]), text(&f["parameter"]), text(&f["identity"]))
        })
        .collect();
    in_body.sort();
    let row = |m: &str, p: &str, i: &str| (m.to_owned(), p.to_owned(), i.to_owned());
    let mut expected_in_body = Vec::new();
    for identity in ["alice", "bob"] {
        expected_in_body.extend([
            row("POST", "user_id", identity),
            row("PUT", "user_id", identity),
            row("POST", "username", identity),
            row("POST", "/owner/id", identity),
            row("PUT", "/owner/id", identity),
        ]);
    }
    expected_in_body.sort();
    assert_eq!(in_body, expected_in_body);
    // The natural key was bob's username, read back where it was set.
    let named = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["parameter"] == "username" && f["identity"] == "alice")
        .unwrap();
    assert!(
        named["reason"].as_str().unwrap().contains("`username` set to bob, which names bob"),
        "{}",
        named["reason"]
    );
    let notes = report["notes"].as_array().unwrap();
    assert!(
        notes
            .contains(&serde_json::json!("active mode: created 22 object(s) and deleted them all")),
        "{notes:?}"
    );

    let output = trespass()
        .args(["demo", "--fixed", "--mode", "active", "--json"])
        .arg(&json)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let report = read_json(&json);
    assert_eq!(report["findings"], serde_json::json!([]));
    // The fixed lab refuses to create in another's name: two fewer
    // documents, projects and boards each; and it refuses users' announcements.
    let notes = report["notes"].as_array().unwrap();
    for name in ["alice", "bob"] {
        let refused = format!(
            "active mode: POST /admin/announcements: {name} could not create an object (403), so \
             its writes were not tested"
        );
        assert!(notes.contains(&serde_json::json!(refused)), "{notes:?}");
    }
    assert!(
        notes
            .contains(&serde_json::json!("active mode: created 14 object(s) and deleted them all")),
        "{notes:?}"
    );
}

#[test]
fn active_scan_writes_only_to_objects_it_created_and_deletes_them() {
    let lab = RunningLab::start(false);
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("openapi.json");
    std::fs::write(&spec, serde_json::to_string_pretty(&lab.lab.openapi()).unwrap()).unwrap();
    let config = write_config(dir.path(), &lab, &spec);
    let json = dir.path().join("report.json");
    let output = trespass()
        .args(["scan", "--mode", "active", "--config"])
        .arg(&config)
        .arg("--json")
        .arg(&json)
        .env("LAB_ALICE_KEY", lab_key("alice"))
        .env("LAB_BOB_KEY", lab_key("bob"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));

    // Every request other than a read: creations, and writes only on the
    // objects those created, numbered from 601 (documents), 701 (projects)
    // and 801 (boards) in creation order.
    let writes: Vec<(String, String)> = lab
        .log()
        .into_iter()
        .filter(|r| !matches!(r.method.as_str(), "GET" | "HEAD" | "OPTIONS"))
        .map(|r| (r.method, r.path))
        .collect();
    // Admin announcements (951 and 952), one posted by each user: each
    // user's PUT (ignored) and DELETE (done) on the other's, nothing left
    // to clean up.
    let (announcements, writes): (Vec<_>, Vec<_>) =
        writes.into_iter().partition(|(_, p)| p.starts_with("/admin/announcements"));
    let mut announcements: Vec<String> =
        announcements.into_iter().map(|(m, p)| format!("{m} {p}")).collect();
    announcements.sort();
    assert_eq!(
        announcements,
        [
            "DELETE /admin/announcements/951",
            "DELETE /admin/announcements/952",
            "POST /admin/announcements",
            "POST /admin/announcements",
            "PUT /admin/announcements/951",
            "PUT /admin/announcements/952",
        ]
    );
    // Per collection: the POSTs, and the other writes. Documents: two for
    // the foreign writes; per pair of identities, one created in the
    // other's name and one each for the PUT and the PATCH carrying the
    // other's `user_id`. Per created document for the foreign writes: PUT,
    // PATCH and DELETE by the other identity, and the owner's clean-up
    // DELETE (8). Per pair (20): in the other's name, two DELETEs (the
    // creator's refused, the new owner's done); the PUT hand-over, the PUT
    // and two DELETEs; the PATCH, ignored, the PATCH and the creator's
    // DELETE. Projects (no PATCH): two for the foreign writes, per pair
    // one in the other's name and one for the PUT carrying its `username`;
    // other writes: PUT and DELETE by the other identity and the clean-up
    // (6), per pair two DELETEs and the ignored PUT with the creator's
    // DELETE (8). Boards: as projects, but the PUT hands the board over,
    // so both identities' DELETEs follow it (per pair 5).
    for (collection, first, posts, others) in [
        ("/documents", 601, 2 + 2 * 3, 2 * 4 + 2 * (2 + 3 + 2)),
        ("/projects", 701, 2 + 2 * 2, 2 * 3 + 2 * (2 + 2)),
        ("/boards", 801, 2 + 2 * 2, 2 * 3 + 2 * (2 + 3)),
    ] {
        let sent = writes.iter().filter(|(m, p)| m == "POST" && p == collection).count();
        assert_eq!(sent, posts, "{collection}: {writes:?}");
        let item = format!("{collection}/");
        let on_items: Vec<_> = writes.iter().filter(|(_, p)| p.starts_with(&item)).collect();
        for (method, path) in &on_items {
            let id: u64 = path.strip_prefix(&item).and_then(|n| n.parse().ok()).unwrap();
            assert!((first..first + posts as u64).contains(&id), "{method} {path} was not created");
        }
        assert_eq!(on_items.len(), others, "{collection}: {writes:?}");
    }
    let elsewhere: Vec<_> = writes
        .iter()
        .filter(|(_, p)| !["/documents", "/projects", "/boards"].iter().any(|c| p.starts_with(c)))
        .collect();
    assert!(elsewhere.is_empty(), "{elsewhere:?}");
}

#[test]
fn a_spent_budget_is_not_blamed_on_the_credentials() {
    // The budget runs out in the middle of the probes: the report says so
    // and does not send the user off to check keys that work.
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let output = trespass()
        .args(["demo", "--quiet", "--max-requests", "40", "--json"])
        .arg(&json)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    let report = read_json(&json);
    assert_eq!(report["stats"]["requests_sent"], 40);
    let notes: Vec<&str> =
        report["notes"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
    assert!(
        notes[0].starts_with("the request budget of 40 (--max-requests) was spent: "),
        "{notes:#?}"
    );
    assert!(!notes.iter().any(|n| n.contains("was refused")), "{notes:#?}");
}

/// Whether any lab identity reads `path` with 200: the lab answers an
/// object's read to its owner (and an announcement's to anyone), so an
/// object no identity reads is gone. One plain HTTP/1.1 request per
/// identity, with `Connection: close`, bounded by a read timeout.
fn anyone_reads(lab: &RunningLab, path: &str) -> bool {
    use std::io::{Read, Write};
    trespass_lab::identities().into_iter().any(|identity| {
        let mut stream = std::net::TcpStream::connect(lab.address).unwrap();
        stream.set_read_timeout(Some(std::time::Duration::from_secs(5))).unwrap();
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\n{}: {}\r\nConnection: close\r\n\r\n",
            lab.address,
            trespass_lab::KEY_HEADER,
            identity.key
        );
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        answer.starts_with("HTTP/1.1 200")
    })
}

#[test]
fn ctrl_c_during_an_active_scan_cleans_up_and_writes_a_partial_report() {
    let lab = RunningLab::start(false);
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("openapi.json");
    std::fs::write(&spec, serde_json::to_string_pretty(&lab.lab.openapi()).unwrap()).unwrap();
    let config = write_config(dir.path(), &lab, &spec);
    let json = dir.path().join("report.json");

    // Paced at 20 requests a second, the active phase takes several
    // seconds, so the interrupt lands in its middle.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("trespass"))
        .args(["scan", "--mode", "active", "--rate-limit", "20", "--config"])
        .arg(&config)
        .arg("--json")
        .arg(&json)
        .env("LAB_ALICE_KEY", lab_key("alice"))
        .env("LAB_BOB_KEY", lab_key("bob"))
        .env("TRESPASS_NO_HISTORY", "1")
        .env("NO_COLOR", "1")
        .env_remove("TRESPASS_LOG")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();

    // Wait (bounded) until the scan has created an object, then interrupt.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !lab.log().iter().any(|r| r.method == "POST") {
        assert!(std::time::Instant::now() < deadline, "the scan created nothing in 60 s");
        assert!(child.try_wait().unwrap().is_none(), "the scan ended before creating anything");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("the interrupted scan did not end within 60 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains(
            "interrupted: cleaning up and writing a partial report (Ctrl-C again to quit at once)"
        ),
        "{stderr}"
    );

    // The partial report says so.
    let report = read_json(&json);
    assert_eq!(report["stats"]["interrupted"], true);
    let notes: Vec<&str> =
        report["notes"].as_array().unwrap().iter().filter_map(|n| n.as_str()).collect();
    assert!(
        notes.iter().any(|n| n
            .starts_with("interrupted (Ctrl-C): the scan stopped early; results are partial: ")),
        "{notes:#?}"
    );
    assert!(!notes.iter().any(|n| n.contains("not cleaned up")), "{notes:#?}");

    // Every object the scan created is gone: no identity reads any id its
    // collection handed out for the scan's POSTs.
    let log = lab.log();
    let posts = |collection: &str| {
        log.iter().filter(|r| r.method == "POST" && r.path == collection).count() as u64
    };
    let mut created = 0;
    for (collection, first) in
        [("/documents", 601), ("/projects", 701), ("/boards", 801), ("/admin/announcements", 951)]
    {
        let count = posts(collection);
        created += count;
        for id in first..first + count {
            let path = format!("{collection}/{id}");
            assert!(!anyone_reads(&lab, &path), "{path} is still there after the interrupt");
        }
    }
    assert!(created > 0);
}
