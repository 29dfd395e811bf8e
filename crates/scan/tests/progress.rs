//! The engine tells its watcher each phase, one step per operation, and
//! the request count, ending with the count the report gives.

use std::sync::Mutex;

use trespass_config::{IdentitySettings, ScanMode, ScanSettings};
use trespass_model::{CredentialPlacement, IdentityName, Secret};
use trespass_scan::{Phase, Progress, ScanRequest, SpecSource, run_watched};
use url::Url;

#[derive(Debug, PartialEq, Eq)]
enum Call {
    Phase(Phase, Option<u64>),
    Step,
    Finish,
}

#[derive(Default)]
struct Recorder {
    calls: Mutex<Vec<Call>>,
    requests: Mutex<Vec<u64>>,
}

impl Progress for Recorder {
    fn phase(&self, phase: Phase, total: Option<u64>) {
        self.calls.lock().unwrap().push(Call::Phase(phase, total));
    }
    fn step(&self) {
        self.calls.lock().unwrap().push(Call::Step);
    }
    fn requests(&self, sent: u64) {
        self.requests.lock().unwrap().push(sent);
    }
    fn finish(&self) {
        self.calls.lock().unwrap().push(Call::Finish);
    }
}

async fn scan_lab(mode: ScanMode) -> (Recorder, trespass_model::Report) {
    let lab = trespass_lab::Lab::new(false);
    let doc = lab.openapi();
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let target = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(lab.serve(listener, async {
        let _ = stopped.await;
    }));
    let identities = trespass_lab::identities()
        .into_iter()
        .map(|i| IdentitySettings {
            role: Some(i.role.to_owned()),
            ..IdentitySettings::new(IdentityName::new(i.name), Secret::new(i.key))
        })
        .collect();
    let settings = ScanSettings { rate_limit: None, mode, ..ScanSettings::default() };
    let request = ScanRequest {
        target,
        spec: SpecSource::Document { doc, origin: "the lab".to_owned() },
        identities,
        auth: Some(CredentialPlacement::Header(trespass_lab::KEY_HEADER.to_owned())),
        settings,
        roles: Vec::new(),
    };
    let recorder = Recorder::default();
    let report = run_watched(request, &recorder).await.unwrap();
    let _ = stop.send(());
    server.await.unwrap().unwrap();
    (recorder, report)
}

fn expected(operations: u64, active: bool) -> Vec<Call> {
    let mut calls =
        vec![Call::Phase(Phase::Discovery, None), Call::Phase(Phase::Probes, Some(operations))];
    calls.extend((0..operations).map(|_| Call::Step));
    if active {
        calls.push(Call::Phase(Phase::Active, None));
    }
    calls.push(Call::Finish);
    calls
}

#[tokio::test(flavor = "current_thread")]
async fn safe_scan_reports_discovery_then_one_step_per_operation() {
    let (recorder, report) = scan_lab(ScanMode::Safe).await;
    let operations = report.stats.operations as u64;
    assert!(operations > 20, "{operations}");
    assert_eq!(*recorder.calls.lock().unwrap(), expected(operations, false));
    let requests = recorder.requests.lock().unwrap();
    assert!(requests.windows(2).all(|w| w[0] <= w[1]), "{requests:?}");
    assert_eq!(requests.last(), Some(&report.stats.requests_sent));
}

#[tokio::test(flavor = "current_thread")]
async fn active_scan_adds_the_active_phase() {
    let (recorder, report) = scan_lab(ScanMode::Active).await;
    let operations = report.stats.operations as u64;
    assert_eq!(*recorder.calls.lock().unwrap(), expected(operations, true));
    assert_eq!(recorder.requests.lock().unwrap().last(), Some(&report.stats.requests_sent));
}
