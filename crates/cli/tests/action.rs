//! The GitHub Action's scan script (scripts/action-scan.sh), run locally the
//! way action.yml runs it, against the embedded lab on loopback.

mod support;

use support::{RunningLab, repo_root};

fn lab_key(name: &str) -> &'static str {
    trespass_lab::identities().into_iter().find(|i| i.name == name).unwrap().key
}

#[test]
fn the_action_script_writes_reports_and_the_job_summary_and_fails_per_fail_on() {
    let vulnerable = RunningLab::start(false);
    let fixed = RunningLab::start(true);
    let dir = tempfile::tempdir().unwrap();
    // Each lab with its own document, as a user would keep it.
    let config_for = |name: &str, lab: &RunningLab| {
        let spec = dir.path().join(format!("{name}.openapi.json"));
        std::fs::write(&spec, serde_json::to_string_pretty(&lab.lab.openapi()).unwrap()).unwrap();
        let config = dir.path().join(format!("{name}.toml"));
        std::fs::write(
            &config,
            format!(
                "target = \"{}\"\nspec = \"{name}.openapi.json\"\nauth = \"header:X-API-Key\"\n\n\
                 [identities.alice]\ncredential = \"${{LAB_ALICE_KEY}}\"\n\n\
                 [identities.bob]\ncredential = \"${{LAB_BOB_KEY}}\"\n",
                lab.url()
            ),
        )
        .unwrap();
        config
    };
    let fixed_config = config_for("fixed", &fixed);
    let vulnerable_config = config_for("vulnerable", &vulnerable);
    let summary = dir.path().join("summary.md");
    let outputs = dir.path().join("outputs.txt");
    let reports = dir.path().join("reports");

    let run = |config: &std::path::Path, fail_on: &str| {
        std::process::Command::new("bash")
            .arg(repo_root().join("scripts/action-scan.sh"))
            .env("TRESPASS_BIN", env!("CARGO_BIN_EXE_trespass"))
            .env("TRESPASS_CONFIG", config)
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

    // The fixed lab passes the job; the vulnerable one, whose findings go
    // up to critical, fails it even at the highest threshold.
    let passed = run(&fixed_config, "low");
    assert_eq!(passed.status.code(), Some(0), "{}", String::from_utf8_lossy(&passed.stderr));
    let failed = run(&vulnerable_config, "critical");
    assert_eq!(failed.status.code(), Some(1), "{}", String::from_utf8_lossy(&failed.stderr));

    let text = std::fs::read_to_string(&summary).unwrap();
    assert_eq!(text.matches("## trespass: no findings\n").count(), 1, "{text}");
    assert_eq!(
        // The demo's 28 less the two privilege escalations, which need roles
        // that this config does not give.
        text.matches("## trespass: 28 findings: 2 critical, 23 high, 2 medium, 1 low\n").count(),
        1,
        "{text}"
    );
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
