//! The scaled benchmark lab, served by `trespass lab --scale N` in a child
//! process and scanned: the streaming engine finds exactly the planted
//! faults of the first ten collections, and nothing in the others.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use support::{finding_keys, key, read_json, trespass};

/// `trespass lab --scale N` on a loopback port, killed on drop.
struct ScaledLabProcess {
    child: Child,
    url: String,
}

impl ScaledLabProcess {
    fn start(collections: usize) -> ScaledLabProcess {
        let binary = assert_cmd::cargo::cargo_bin("trespass");
        let mut child = Command::new(binary)
            .args(["lab", "--listen", "127.0.0.1:0", "--scale", &collections.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        stderr.read_line(&mut line).unwrap();
        let url = line.split_whitespace().find(|w| w.starts_with("http://")).unwrap().to_owned();
        // Keep reading what the lab prints so it never writes to a closed
        // pipe; the thread ends when the child does.
        std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
        ScaledLabProcess { child, url }
    }
}

impl Drop for ScaledLabProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn scaled_lab_yields_exactly_the_first_ten_collections() {
    let lab = ScaledLabProcess::start(30);
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let alice = trespass_lab::identities()[0].key;
    let bob = trespass_lab::identities()[1].key;
    let output = trespass()
        .args(["scan", "--quiet", "--target", &lab.url, "--json"])
        .arg(&json)
        .args(["--identity", "alice=${SCALED_ALICE}", "--identity", "bob=${SCALED_BOB}"])
        .env("SCALED_ALICE", alice)
        .env("SCALED_BOB", bob)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));

    let report = read_json(&json);
    let mut expected = Vec::new();
    for c in 0..trespass_lab::VULNERABLE_COLLECTIONS {
        let path = format!("/c{c}/{{item_id}}");
        expected.push(key("bola-read", &path, "alice", "bob"));
        expected.push(key("bola-read", &path, "bob", "alice"));
    }
    expected.sort();
    assert_eq!(finding_keys(&report), expected);
    assert_eq!(report["stats"]["operations"], 60);
    assert_eq!(report["stats"]["operations_probed"], 30);
    // Coverage keeps the document's order although operations finish in
    // any order.
    let paths: Vec<&str> = report["coverage"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    assert_eq!(&paths[..3], ["/c0", "/c0/{item_id}", "/c1"]);
}
