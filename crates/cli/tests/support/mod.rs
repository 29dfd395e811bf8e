//! Shared helpers of the CLI's integration tests: a lab served on a
//! loopback port from a background thread, and the binary's command.

#![allow(dead_code, reason = "each test file uses a different part of this module")]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use trespass_lab::{Lab, LoggedRequest};

pub(crate) mod hostile;

/// A lab served on 127.0.0.1 until dropped.
pub(crate) struct RunningLab {
    pub(crate) address: SocketAddr,
    pub(crate) lab: Lab,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl RunningLab {
    /// Starts the vulnerable or fixed lab on a free loopback port.
    pub(crate) fn start(fixed: bool) -> RunningLab {
        RunningLab::serve(Lab::new(fixed))
    }

    /// Serves `lab` (built with options, such as a token life) on a free
    /// loopback port.
    pub(crate) fn serve(lab: Lab) -> RunningLab {
        let served = lab.clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (ready, address) = mpsc::channel();
        let thread = std::thread::spawn(move || {
            let runtime =
                tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                ready.send(listener.local_addr().unwrap()).unwrap();
                // Bounded: a test that forgets to stop the lab still ends it.
                let limit = tokio::time::sleep(Duration::from_secs(120));
                served
                    .serve(listener, async move {
                        tokio::select! {
                            _ = stopped => {}
                            () = limit => {}
                        }
                    })
                    .await
                    .unwrap();
            });
        });
        let address = address.recv_timeout(Duration::from_secs(10)).unwrap();
        RunningLab { address, lab, stop: Some(stop), thread: Some(thread) }
    }

    /// `http://127.0.0.1:PORT/`.
    pub(crate) fn url(&self) -> String {
        format!("http://{}/", self.address)
    }

    /// Every request the lab received so far.
    pub(crate) fn log(&self) -> Vec<LoggedRequest> {
        self.lab.request_log()
    }
}

impl Drop for RunningLab {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The binary under test, with a clean environment for colour and logs,
/// and without scan history: no test may write to the real home. Tests of
/// the history remove `TRESPASS_NO_HISTORY` and pass `--db` into a
/// temporary folder.
pub(crate) fn trespass() -> assert_cmd::Command {
    let mut command = assert_cmd::Command::cargo_bin("trespass").unwrap();
    command
        .env_remove("TRESPASS_LOG")
        .env_remove("TRESPASS_DB")
        .env("TRESPASS_NO_HISTORY", "1")
        .env("NO_COLOR", "1")
        .timeout(Duration::from_secs(60));
    command
}

/// The repository root.
pub(crate) fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// (kind, method, path, identity, owner) of every finding of a JSON report,
/// sorted.
pub(crate) fn finding_keys(
    report: &serde_json::Value,
) -> Vec<(String, String, String, String, String)> {
    let text = |v: &serde_json::Value| v.as_str().unwrap_or("-").to_owned();
    let mut keys: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                text(&f["kind"]),
                text(&f["method"]),
                text(&f["path"]),
                text(&f["identity"]),
                text(&f["owner"]),
            )
        })
        .collect();
    keys.sort();
    keys
}

/// Builds an expected key.
pub(crate) fn key(
    kind: &str,
    path: &str,
    identity: &str,
    owner: &str,
) -> (String, String, String, String, String) {
    (kind.into(), "GET".into(), path.into(), identity.into(), owner.into())
}

/// Reads a JSON file.
pub(crate) fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Every planted fault of the vulnerable lab that safe mode can see, and
/// nothing on its traps (`/profiles/{user_id}` ignores the id,
/// `/balance?account_id=` ignores the id in the query, `/catalog/{item_id}`
/// is public, `/orders/{order_id}` is correctly protected), nor on the
/// noise every response carries. Ids in the query (`/statements`), a
/// header (`/transactions`) and a cookie (`/card-limits`) are swapped like
/// path ids, and on those three account 13, next to bob's 12 and nobody's
/// in the scan, is served: `enumerable-ids`, reported once per operation
/// for the first identity that read it. A natural key in the path
/// (`/people/{username}`) takes the usernames each identity's `/me` shows.
///
/// `privilege-escalation` needs the identities' roles: the demo and the
/// config below give them (`user`), `--identity` flags cannot.
pub(crate) fn expected_vulnerable(
    roles_known: bool,
) -> Vec<(String, String, String, String, String)> {
    let mut expected = vec![
        key("bola-read", "/users/{user_id}", "alice", "bob"),
        key("bola-read", "/users/{user_id}", "bob", "alice"),
        key("bola-read", "/statements", "alice", "bob"),
        key("bola-read", "/statements", "bob", "alice"),
        key("enumerable-ids", "/statements", "alice", "-"),
        key("bola-read", "/transactions", "alice", "bob"),
        key("bola-read", "/transactions", "bob", "alice"),
        key("enumerable-ids", "/transactions", "alice", "-"),
        key("bola-read", "/card-limits", "alice", "bob"),
        key("bola-read", "/card-limits", "bob", "alice"),
        key("enumerable-ids", "/card-limits", "alice", "-"),
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
        key("spec-security-drift", "/tenants/{tenant_id}/invoices", "-", "-"),
        key("credential-exposure", "/team", "alice", "bob"),
        key("cross-tenant-hierarchy", "/tenants/{tenant_id}/invoices/{invoice_id}", "alice", "bob"),
        key("cross-tenant-hierarchy", "/tenants/{tenant_id}/invoices/{invoice_id}", "bob", "alice"),
        key("credential-exposure", "/team", "bob", "alice"),
        key("bola-read", "/people/{username}", "alice", "bob"),
        key("bola-read", "/people/{username}", "bob", "alice"),
    ];
    if roles_known {
        expected.push(key("privilege-escalation", "/admin/audit", "alice", "-"));
        expected.push(key("privilege-escalation", "/admin/audit", "bob", "-"));
    }
    expected.sort();
    expected
}

/// The `bola-write`s of the vulnerable lab in active mode that no role
/// decides, both ways between alice and bob. PUT answers 403 yet changes
/// the document; with the other's id in the body's `user_id`, POST creates
/// a document in their name and PUT hands one's own over. PATCH ignores
/// `user_id` and DELETE of another's document deletes nothing: the traps.
/// The same in projects with a `username` (whose PUT ignores it: a trap)
/// and in boards with a nested `owner.id`, POST and PUT.
pub(crate) fn expected_active_writes() -> Vec<(String, String, String, String, String)> {
    let mut expected = Vec::new();
    for (identity, owner) in [("alice", "bob"), ("bob", "alice")] {
        for (method, path) in [
            ("PUT", "/documents/{document_id}"),
            ("PUT", "/documents/{document_id}"),
            ("POST", "/documents"),
            ("POST", "/projects"),
            ("POST", "/boards"),
            ("PUT", "/boards/{board_id}"),
        ] {
            expected.push((
                "bola-write".into(),
                method.into(),
                path.into(),
                identity.into(),
                owner.into(),
            ));
        }
    }
    expected
}
