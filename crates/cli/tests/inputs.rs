//! Inputs other than an OpenAPI file, end to end on the embedded lab: a HAR
//! capture recorded from the lab by this test, and a Postman collection
//! written from the lab's routes, each scanned with no spec; and the
//! `trespass inventory` dry run.
//!
//! The capture is real: the test calls the running lab over loopback as
//! alice and as bob, the way a browser session would (each opens its own
//! objects), and writes what went over the wire as HAR 1.2. The listings it
//! read to learn which objects to open are left out of the capture, so the
//! ids the scan needs come only from the capture's per-identity requests.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};
use support::{RunningLab, finding_keys, key, read_json, trespass};

/// The findings of the spec-driven scan of the vulnerable lab (see
/// `lab.rs`) on the routes that the capture and the collection cover, which
/// they must reproduce. Kinds that judge promises of a description
/// (`spec-security-drift`) cannot arise from traffic.
fn expected_vulnerable() -> Vec<(String, String, String, String, String)> {
    let mut expected = vec![
        key("bola-read", "/users/{user_id}", "alice", "bob"),
        key("bola-read", "/users/{user_id}", "bob", "alice"),
        key("bola-read", "/invoices/{invoice_id}", "alice", "bob"),
        key("bola-read", "/invoices/{invoice_id}", "bob", "alice"),
        key("bola-read", "/reports/{report_id}", "alice", "bob"),
        key("bola-read", "/reports/{report_id}", "bob", "alice"),
        key("missing-auth", "/reports/{report_id}", "-", "alice"),
        key("bola-read", "/notes/{note_id}", "alice", "bob"),
        key("bola-read", "/notes/{note_id}", "bob", "alice"),
        key("credential-not-validated", "/notes/{note_id}", "-", "alice"),
        key("existence-oracle", "/accounts/{account_id}", "bob", "alice"),
        key("credential-in-query", "/accounts/{account_id}", "alice", "-"),
    ];
    expected.sort();
    expected
}

fn bola_reads(
    keys: Vec<(String, String, String, String, String)>,
) -> Vec<(String, String, String, String, String)> {
    keys.into_iter().filter(|k| k.0 == "bola-read").collect()
}

fn lab_key(name: &str) -> &'static str {
    trespass_lab::identities().into_iter().find(|i| i.name == name).unwrap().key
}

/// One GET to the lab over loopback, as HTTP/1.1 with `Connection: close`:
/// the status and the body.
fn get(lab: &RunningLab, path: &str, api_key: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(lab.address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {}\r\nX-API-Key: {api_key}\r\nAccept: application/json\r\n\
         Connection: close\r\n\r\n",
        lab.address
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.split(' ').nth(1).unwrap().parse().unwrap();
    let body = response.split_once("\r\n\r\n").unwrap().1.to_owned();
    (status, body)
}

/// The ids in a listing's body: a JSON array of objects, or an object
/// holding one.
fn listed_ids(body: &str) -> Vec<u64> {
    let value: Value = serde_json::from_str(body).unwrap();
    let items = match &value {
        Value::Array(items) => items.clone(),
        Value::Object(fields) => fields.values().find_map(Value::as_array).cloned().unwrap(),
        other => panic!("unexpected listing {other}"),
    };
    items.iter().map(|item| item["id"].as_u64().unwrap()).collect()
}

/// One HAR 1.2 entry for a GET the lab answered.
fn har_entry(lab: &RunningLab, path: &str, api_key: &str, status: u16, body: &str) -> Value {
    json!({
        "startedDateTime": "2026-01-01T00:00:00.000Z",
        "time": 1,
        "request": {
            "method": "GET",
            "url": format!("http://{}{path}", lab.address),
            "httpVersion": "HTTP/1.1",
            "headers": [
                {"name": "Host", "value": lab.address.to_string()},
                {"name": "X-API-Key", "value": api_key},
                {"name": "Accept", "value": "application/json"}
            ],
            "queryString": [],
            "cookies": [],
            "headersSize": -1,
            "bodySize": 0
        },
        "response": {
            "status": status,
            "statusText": "",
            "httpVersion": "HTTP/1.1",
            "headers": [{"name": "Content-Type", "value": "application/json"}],
            "cookies": [],
            "content": {"size": body.len(), "mimeType": "application/json", "text": body},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": body.len()
        },
        "cache": {},
        "timings": {"send": 0, "wait": 1, "receive": 0}
    })
}

/// Records a capture of alice and bob each opening their own objects, and
/// writes it to `dir/lab.har`.
fn record_capture(lab: &RunningLab, dir: &Path) -> PathBuf {
    let mut entries = Vec::new();
    for name in ["alice", "bob"] {
        let api_key = lab_key(name);
        let (_, me) = get(lab, "/me", api_key);
        let me: Value = serde_json::from_str(&me).unwrap();
        let mut paths = vec![format!("/profiles/{}", me["id"])];
        for collection in ["users", "accounts", "invoices", "reports", "notes", "orders", "catalog"]
        {
            let (status, body) = get(lab, &format!("/{collection}"), api_key);
            assert_eq!(status, 200, "{collection} as {name}: {body}");
            paths.extend(listed_ids(&body).into_iter().map(|id| format!("/{collection}/{id}")));
        }
        for path in paths {
            let (status, body) = get(lab, &path, api_key);
            entries.push(har_entry(lab, &path, api_key, status, &body));
        }
    }
    let har = json!({"log": {
        "version": "1.2",
        "creator": {"name": "trespass tests", "version": "1"},
        "entries": entries
    }});
    let path = dir.join("lab.har");
    std::fs::write(&path, serde_json::to_string_pretty(&har).unwrap()).unwrap();
    path
}

/// A Postman v2.1 collection of the lab's routes, one folder per
/// collection, the key set once for the whole collection; and an
/// environment that gives `baseUrl` and `apiKey`.
fn write_collection(lab: &RunningLab, dir: &Path) -> (PathBuf, PathBuf) {
    let routes = [
        ("users", "user_id"),
        ("accounts", "account_id"),
        ("invoices", "invoice_id"),
        ("reports", "report_id"),
        ("notes", "note_id"),
        ("orders", "order_id"),
        ("catalog", "item_id"),
    ];
    let mut folders: Vec<Value> = routes
        .iter()
        .map(|(collection, id)| {
            json!({"name": collection, "item": [
                {"name": format!("list {collection}"), "request": {"method": "GET", "url": {
                    "raw": format!("{{{{baseUrl}}}}/{collection}"),
                    "host": ["{{baseUrl}}"], "path": [collection]
                }}},
                {"name": format!("one of {collection}"), "request": {"method": "GET", "url": {
                    "raw": format!("{{{{baseUrl}}}}/{collection}/:{id}"),
                    "host": ["{{baseUrl}}"], "path": [collection, format!(":{id}")],
                    "variable": [{"key": id, "value": ""}]
                }}}
            ]})
        })
        .collect();
    folders.push(json!({"name": "me", "item": [
        {"name": "me", "request": {"method": "GET", "url": "{{baseUrl}}/me"}},
        {"name": "profile", "request": {"method": "GET", "url": "{{baseUrl}}/profiles/:user_id"}}
    ]}));
    let collection = json!({
        "info": {
            "name": "trespass lab",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
        },
        "auth": {"type": "apikey", "apikey": [
            {"key": "key", "value": "X-API-Key", "type": "string"},
            {"key": "value", "value": "{{apiKey}}", "type": "string"},
            {"key": "in", "value": "header", "type": "string"}
        ]},
        "item": folders
    });
    let environment = json!({"name": "lab", "values": [
        {"key": "baseUrl", "value": lab.url().trim_end_matches('/'), "enabled": true},
        {"key": "apiKey", "value": "", "enabled": true}
    ]});
    let collection_path = dir.join("lab.postman_collection.json");
    let environment_path = dir.join("lab.postman_environment.json");
    std::fs::write(&collection_path, serde_json::to_string_pretty(&collection).unwrap()).unwrap();
    std::fs::write(&environment_path, serde_json::to_string_pretty(&environment).unwrap()).unwrap();
    (collection_path, environment_path)
}

/// Scans the lab with the given input flags; returns the report.
fn scan(lab: &RunningLab, dir: &Path, input: &[&std::ffi::OsStr]) -> (Value, String) {
    let json = dir.join("report.json");
    let output = trespass()
        .args(["scan", "--target", &lab.url()])
        .args(input)
        .args(["--identity", "alice=${LAB_ALICE_KEY}", "--identity", "bob=${LAB_BOB_KEY}"])
        .arg("--json")
        .arg(&json)
        .env("LAB_ALICE_KEY", lab_key("alice"))
        .env("LAB_BOB_KEY", lab_key("bob"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    (read_json(&json), stdout)
}

fn assert_no_key_in(text: &str, what: &str) {
    for identity in trespass_lab::identities() {
        assert!(!text.contains(identity.key), "{what} leaks {}'s key", identity.name);
    }
}

#[test]
fn a_har_capture_alone_finds_the_spec_driven_findings() {
    let lab = RunningLab::start(false);
    let dir = tempfile::tempdir().unwrap();
    let har = record_capture(&lab, dir.path());
    let before = lab.log().len();

    let (report, stdout) = scan(&lab, dir.path(), &["--har".as_ref(), har.as_os_str()]);
    assert_eq!(bola_reads(finding_keys(&report)), bola_reads(expected_vulnerable()));
    assert_eq!(finding_keys(&report), expected_vulnerable());

    // The ids came from the capture: the scan listed nothing, since the
    // capture holds no listing, and it did not look for a spec.
    let scanned: Vec<String> = lab.log()[before..].iter().map(|r| r.path.clone()).collect();
    assert!(!scanned.iter().any(|p| p == "/openapi.json" || p == "/users"), "{scanned:?}");
    let notes = report["notes"].as_array().unwrap();
    assert!(
        notes.contains(&json!(format!(
            "HAR capture {}: 19 entries, 8 operations, 19 ids observed for 2 identities",
            har.display()
        ))),
        "{notes:?}"
    );
    assert_no_key_in(&stdout, "stdout");
    assert_no_key_in(&report.to_string(), "the JSON report");
}

#[test]
fn a_postman_collection_alone_finds_the_spec_driven_findings() {
    let lab = RunningLab::start(false);
    let dir = tempfile::tempdir().unwrap();
    let (collection, environment) = write_collection(&lab, dir.path());
    let (report, _) = scan(
        &lab,
        dir.path(),
        &[
            "--postman".as_ref(),
            collection.as_os_str(),
            "--postman-env".as_ref(),
            environment.as_os_str(),
        ],
    );
    assert_eq!(bola_reads(finding_keys(&report)), bola_reads(expected_vulnerable()));
    assert_eq!(finding_keys(&report), expected_vulnerable());
}

#[test]
fn inventory_prints_operations_security_references_and_probe_counts() {
    let lab = trespass_lab::Lab::new(false);
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("openapi.json");
    std::fs::write(&spec, serde_json::to_string_pretty(&lab.openapi()).unwrap()).unwrap();

    let output = trespass().args(["inventory", "--json", "--spec"]).arg(&spec).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let plan: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(plan["schema_version"], "1.0");
    assert_eq!(plan["source"], format!("spec {}", spec.display()));
    assert_eq!(plan["identities"], 2);
    let operations = plan["operations"].as_array().unwrap();
    let user = operations.iter().find(|o| o["path"] == "/users/{user_id}").unwrap();
    assert_eq!(user["method"], "GET");
    assert_eq!(user["object_references"], json!([{"name": "user_id", "location": "path"}]));
    assert_eq!(user["probes_per_identity_pair"], 10);
    let users = operations.iter().find(|o| o["path"] == "/users").unwrap();
    assert_eq!(users["probes_per_identity_pair"], Value::Null);
    let probed = operations.iter().filter(|o| o["probes"] != 0).count();
    assert_eq!(plan["probes"], probed * 10);

    let text = trespass().args(["inventory", "--spec"]).arg(&spec).output().unwrap();
    assert_eq!(text.status.code(), Some(0));
    let text = String::from_utf8(text.stdout).unwrap();
    let line = text.lines().find(|l| l.starts_with("GET     /users/{user_id}")).unwrap();
    assert!(line.ends_with("objects: user_id (path); 10 probes per pair"), "{line}");
    assert!(
        text.ends_with(&format!(
            "{} operations, {probed} probed in safe mode: {} probes with 2 identities\n",
            operations.len(),
            probed * 10
        )),
        "{text}"
    );
}

#[test]
fn inventory_without_any_input_says_what_to_give() {
    let output = trespass().args(["inventory"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: no API description was given and there is no target to look for one on: give \
         --spec FILE, --har FILE, --postman FILE or --target URL\n"
    );
}

#[test]
fn a_file_that_is_not_a_capture_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let har = dir.path().join("x.har");
    std::fs::write(&har, "{\"log\": {\"version\": \"1.2\"}}").unwrap();
    let output = trespass().args(["inventory", "--har"]).arg(&har).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        format!("error: {} is not a HAR capture: no \"log.entries\"\n", har.display())
    );
}

/// `--postman-env` is read only with `--postman`: given with another input
/// it is an input error, not silently dropped.
#[test]
fn a_postman_environment_without_a_collection_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.json");
    std::fs::write(&file, "{\"values\": []}").unwrap();
    for input in ["--spec", "--har"] {
        for command in ["inventory", "scan"] {
            let output = trespass()
                .args([command, input])
                .arg(&file)
                .arg("--postman-env")
                .arg(&file)
                .args(["--target", "http://127.0.0.1:9/", "--identity", "a=key-of-a-1"])
                .output()
                .unwrap();
            assert_eq!(output.status.code(), Some(2), "{command} {input}");
            assert_eq!(
                String::from_utf8_lossy(&output.stderr),
                format!(
                    "error: --postman-env fills the {{{{variables}}}} of a Postman collection and \
                     is only read with --postman FILE, not with {input}\n"
                ),
                "{command} {input}"
            );
            assert!(output.stdout.is_empty(), "{command} {input}");
        }
    }
}

#[cfg(unix)]
#[test]
fn an_endless_input_file_is_refused_at_its_size_limit() {
    // Regression: `inventory --spec /dev/zero` read until memory ran out.
    let refused = |what: &str, limit: &str| {
        format!(
            "error: /dev/zero is larger than {limit}; trespass reads no {what} bigger than that \
             (is it the right file?)\n"
        )
    };
    let cases: [(&[&str], String); 6] = [
        (&["inventory", "--spec", "/dev/zero"], refused("spec", "256 MiB")),
        (&["inventory", "--har", "/dev/zero"], refused("HAR capture", "256 MiB")),
        (&["inventory", "--postman", "/dev/zero"], refused("Postman collection", "256 MiB")),
        (&["inventory", "-c", "/dev/zero"], refused("config", "1 MiB")),
        (&["demo", "--baseline", "/dev/zero"], refused("report", "256 MiB")),
        (&["diff", "/dev/zero", "/dev/zero"], refused("report", "256 MiB")),
    ];
    for (args, expected) in cases {
        let started = std::time::Instant::now();
        let output = trespass().args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&output.stderr), expected, "{args:?}");
        assert!(started.elapsed() < Duration::from_secs(20), "{args:?}");
    }
}

#[test]
fn a_config_one_byte_over_its_limit_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("big.toml");
    std::fs::write(&config, "#".repeat(1024 * 1024 + 1)).unwrap();
    let output = trespass().args(["inventory", "-c"]).arg(&config).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        format!(
            "error: {} is larger than 1 MiB; trespass reads no config bigger than that \
             (is it the right file?)\n",
            config.display()
        )
    );
}
