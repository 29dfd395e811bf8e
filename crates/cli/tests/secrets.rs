//! No identity secret in any artifact: a full scan at the highest
//! verbosity (`-vvv` and `TRESPASS_LOG=trace`, which lets every dependency
//! log too), with distinctive secrets that the target echoes back, one of
//! them sent in the query string, and redirects followed to a second
//! server. stdout, stderr and the JSON report must not contain them.

mod support;

use std::time::Duration;

use support::hostile::{
    ALICE_KEY, Answer, BOB_KEY, HostileServer, api, http11, item_id, item_owner, json,
};
use support::{read_json, trespass};

#[test]
fn no_secret_reaches_any_output_at_the_highest_verbosity() {
    let elsewhere = HostileServer::start(|_| json("200 OK", r#"{"landing":"page"}"#));
    let landing = elsewhere.url();
    let target = HostileServer::start(move |request| {
        let landing = landing.clone();
        // Bob's key comes in the query string here, and is accepted there.
        api(&request.with_query_key(), &move |r| {
            let id = item_id(&r.path).unwrap_or(0);
            let owner = item_owner(id).unwrap_or("nobody");
            match r.key() {
                // Any key reads any item (a finding, so evidence is written),
                // and the target echoes the caller's key, as a careless `/me`
                // or error page would.
                Some(key) if r.who().is_some() => json(
                    "200 OK",
                    &format!(r#"{{"id":{id},"diary":"{owner} private diary","your_key":"{key}"}}"#),
                ),
                Some(key) => json("403 Forbidden", &format!(r#"{{"error":"key {key} refused"}}"#)),
                None => {
                    let location = format!("{landing}/login?next={}", r.path);
                    Answer::Bytes(http11("302 Found", &[("Location", &location)], b""))
                }
            }
        })
    });

    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("openapi.json");
    std::fs::write(&spec, support::hostile::SPEC).unwrap();
    let config = dir.path().join("trespass.toml");
    std::fs::write(
        &config,
        format!(
            "target = \"{}\"\nspec = \"openapi.json\"\n\n[scan]\nfollow_redirects = \
             \"without-credentials\"\n\n[identities.alice]\ncredential = \"${{SECRET_ALICE}}\"\n\n\
             [identities.bob]\ncredential = \"${{SECRET_BOB}}\"\nauth = \"query:api_key\"\n",
            target.url()
        ),
    )
    .unwrap();
    let report = dir.path().join("report.json");
    let output = trespass()
        .args(["-vvv", "scan", "--config"])
        .arg(&config)
        .arg("--json")
        .arg(&report)
        .env("SECRET_ALICE", ALICE_KEY)
        .env("SECRET_BOB", BOB_KEY)
        .env("TRESPASS_LOG", "trace")
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(1), "{stderr}");

    // The scan did exercise the paths where a secret could escape: the keys
    // were sent (bob's in the query), echoed back, and redirects followed.
    let log = target.log();
    assert!(log.iter().any(|r| r.header("x-api-key") == Some(ALICE_KEY)));
    assert!(log.iter().any(|r| r.query.contains(BOB_KEY)));
    assert!(!elsewhere.log().is_empty());
    assert!(stderr.lines().count() > 50, "trace logging did not happen:\n{stderr}");

    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let json = std::fs::read_to_string(&report).unwrap();
    assert!(
        json.contains(r#"your_key\":\"${"#),
        "the echoed key is not shown as a placeholder: {json}"
    );
    read_json(&report);
    let mut leaks = Vec::new();
    for (artifact, text) in [("stdout", &stdout), ("stderr", &stderr), ("JSON report", &json)] {
        for (name, secret) in [("alice", ALICE_KEY), ("bob", BOB_KEY)] {
            let count = text.matches(secret).count();
            if count > 0 {
                leaks.push(format!("{artifact} holds {name}'s secret {count} time(s)"));
            }
        }
    }
    assert_eq!(leaks, Vec::<String>::new(), "stderr:\n{stderr}");
    println!(
        "secrets test: {} bytes of stdout, {} of stderr ({} lines), {} of JSON; 0 secrets",
        stdout.len(),
        stderr.len(),
        stderr.lines().count(),
        json.len()
    );
}
