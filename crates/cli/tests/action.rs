//! The GitHub Action's scan script (scripts/action-scan.sh), run locally the
//! way action.yml runs it, against the embedded lab on loopback.

mod support;

use support::{RunningLab, repo_root};

fn lab_key(name: &str) -> &'static str {
    trespass_lab::identities().into_iter().find(|i| i.name == name).unwrap().key
}

#[test]
fn the_action_script_writes_reports_and_the_job_summary_and_fails_per_fail_on() {
    let lab = RunningLab::start(false);
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("openapi.json");
    std::fs::write(&spec, serde_json::to_string_pretty(&lab.lab.openapi()).unwrap()).unwrap();
    let config = dir.path().join("trespass.toml");
    std::fs::write(
        &config,
        format!(
            "target = \"{}\"\nspec = \"openapi.json\"\nauth = \"header:X-API-Key\"\n\n\
             [identities.alice]\ncredential = \"${{LAB_ALICE_KEY}}\"\n\n\
             [identities.bob]\ncredential = \"${{LAB_BOB_KEY}}\"\n",
            lab.url()
        ),
    )
    .unwrap();
    let summary = dir.path().join("summary.md");
    let outputs = dir.path().join("outputs.txt");
    let reports = dir.path().join("reports");

    let run = |fail_on: &str| {
        std::process::Command::new("bash")
            .arg(repo_root().join("scripts/action-scan.sh"))
            .env("TRESPASS_BIN", env!("CARGO_BIN_EXE_trespass"))
            .env("TRESPASS_CONFIG", &config)
            .env("TRESPASS_FAIL_ON", fail_on)
            .env("TRESPASS_OUTPUT", &reports)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("GITHUB_OUTPUT", &outputs)
            .env("LAB_ALICE_KEY", lab_key("alice"))
            .env("LAB_BOB_KEY", lab_key("bob"))
            .env("NO_COLOR", "1")
            .env_remove("TRESPASS_BASELINE")
            .env_remove("TRESPASS_DB")
            .output()
            .unwrap()
    };

    // Every lab finding is high or medium: critical lets the job pass.
    let passed = run("critical");
    assert_eq!(passed.status.code(), Some(0), "{}", String::from_utf8_lossy(&passed.stderr));
    let failed = run("high");
    assert_eq!(failed.status.code(), Some(1), "{}", String::from_utf8_lossy(&failed.stderr));

    let text = std::fs::read_to_string(&summary).unwrap();
    assert_eq!(text.matches("## trespass: 11 findings: 10 high, 1 medium\n").count(), 2);
    let outputs = std::fs::read_to_string(&outputs).unwrap();
    let expected = format!(
        "exit-code=0\nsarif={r}/trespass-report.sarif\nreport={r}/trespass-report.json\n\
         exit-code=1\nsarif={r}/trespass-report.sarif\nreport={r}/trespass-report.json\n",
        r = reports.display()
    );
    assert_eq!(outputs, expected);
    for name in ["json", "sarif", "xml", "md"] {
        let text =
            std::fs::read_to_string(reports.join(format!("trespass-report.{name}"))).unwrap();
        for identity in trespass_lab::identities() {
            assert!(!text.contains(identity.key), "{name} leaks {}'s key", identity.name);
        }
    }
}
