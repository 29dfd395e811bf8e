//! The terminal experience: colour only where asked or on a terminal,
//! `NO_COLOR`, log levels by `-v`, and progress bars on a terminal only.

mod support;

use std::process::Command;

use support::trespass;

const ESC: u8 = 0x1b;

fn has_ansi(bytes: &[u8]) -> bool {
    bytes.contains(&ESC)
}

#[test]
fn colour_follows_the_flag_and_no_color_when_piped() {
    // Piped stdout: no colour by default, colour when forced, none when
    // refused, and NO_COLOR does not override an explicit `always`.
    let auto = trespass().args(["demo"]).output().unwrap();
    assert_eq!(auto.status.code(), Some(1));
    assert!(!has_ansi(&auto.stdout), "{}", String::from_utf8_lossy(&auto.stdout));
    let always = trespass().args(["--color", "always", "demo"]).output().unwrap();
    assert!(has_ansi(&always.stdout));
    let forced = trespass().args(["--color", "always", "demo"]).env("NO_COLOR", "1").output();
    assert!(has_ansi(&forced.unwrap().stdout));
    let never = trespass().args(["--color", "never", "demo"]).output().unwrap();
    assert!(!has_ansi(&never.stdout));
    // The same report, colour aside.
    let plain = |out: &[u8]| String::from_utf8_lossy(out).lines().count();
    assert_eq!(plain(&auto.stdout), plain(&never.stdout));
}

#[test]
fn verbosity_adds_log_levels_and_quiet_silences_stderr() {
    let default = trespass().args(["demo"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&default.stderr);
    assert!(!stderr.contains("INFO"), "{stderr}");
    let info = trespass().args(["-v", "--color", "never", "demo"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&info.stderr);
    assert!(stderr.contains(" INFO inventory loaded operations="), "{stderr}");
    assert!(!stderr.contains("DEBUG"), "{stderr}");
    let debug = trespass().args(["-vv", "--color", "never", "demo"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&debug.stderr);
    assert!(stderr.contains("DEBUG"), "{stderr}");
    let quiet = trespass().args(["--quiet", "demo"]).output().unwrap();
    assert_eq!(quiet.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&quiet.stderr), "");
    assert!(quiet.stdout.is_empty());
}

/// Runs `trespass ARGS` on a pseudo-terminal through util-linux `script`
/// (essential on Debian) and returns everything the terminal received.
fn on_a_terminal(args: &str) -> String {
    let binary = assert_cmd::cargo::cargo_bin("trespass");
    let command = format!("{} {args}", binary.display());
    let output = Command::new("script")
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .env("TRESPASS_NO_HISTORY", "1")
        .env("TERM", "xterm")
        .env_remove("NO_COLOR")
        .output()
        .expect("util-linux `script` runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn progress_bars_show_on_a_terminal_only() {
    // Paced so that the scan lasts long enough for the bar to be drawn.
    let screen = on_a_terminal("demo --rate-limit 150");
    assert!(screen.contains(" operations · "), "{screen}");
    assert!(screen.contains(" requests, "), "{screen}");
    assert!(screen.contains("probes ["), "{screen}");
    // Piped: the same scan draws no bar on stderr.
    let piped = trespass().args(["demo", "--rate-limit", "150"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&piped.stderr);
    assert!(!stderr.contains("operations ·"), "{stderr}");
    // Quiet on a terminal: no bar either.
    let quiet = on_a_terminal("--quiet demo --rate-limit 150");
    assert!(!quiet.contains("operations ·"), "{quiet}");
}
