//! The scanner against hostile targets: each test starts a loopback server
//! that misbehaves in one way (see `support::hostile`), scans it with the
//! real binary, and asserts that the scan finishes within its time bound,
//! that memory stays bounded, and that the report says what was cut short.
//!
//! Every scan logs its peak resident memory at `-v`; each test asserts it
//! is under [`MEMORY_BOUND_KIB`] and prints it (`cargo test --test hostile
//! -- --nocapture` shows the figures).

mod support;

use std::io::Write;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::hostile::{
    ALICE_KEY, Answer, BOB_KEY, HostileServer, Served, api, http11, item_id, item_owner, json,
    refuse_non_owner,
};
use support::{finding_keys, key, read_json, trespass};

/// Peak resident memory a scan may reach, in KiB (200 MB).
const MEMORY_BOUND_KIB: u64 = 200 * 1000;
/// Uncompressed size of the compression bombs: more than the memory bound,
/// so that a bomb inflated in memory fails the test.
const BOMB_BYTES: usize = 256 * 1024 * 1024;

/// What a scan left behind.
struct Outcome {
    code: Option<i32>,
    report: Value,
    stderr: String,
}

impl Outcome {
    fn notes(&self) -> Vec<&str> {
        self.report["notes"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect()
    }

    fn has_note(&self, expected: &str) {
        assert!(
            self.notes().contains(&expected),
            "no note {expected:?} in {:#?}\nstderr: {}",
            self.notes(),
            self.stderr
        );
    }

    fn coverage(&self, path: &str) -> (String, String) {
        let entry = self.report["coverage"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["path"] == path)
            .unwrap_or_else(|| panic!("no coverage for {path}: {}", self.report["coverage"]));
        (entry["status"].as_str().unwrap().to_owned(), entry["detail"].as_str().unwrap().to_owned())
    }

    fn findings(&self) -> Vec<(String, String, String, String, String)> {
        finding_keys(&self.report)
    }
}

/// Scans `server` with alice and bob and the extra flags, and checks the
/// time and memory bounds.
fn scan(name: &str, server: &HostileServer, extra: &[&str], bound: Duration) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("openapi.json");
    std::fs::write(&spec, support::hostile::SPEC).unwrap();
    let report = dir.path().join("report.json");

    let started = Instant::now();
    let output = trespass()
        .args(["-v", "scan", "--target", &server.url(), "--spec"])
        .arg(&spec)
        .args(["--identity", "alice=${HOSTILE_ALICE}", "--identity", "bob=${HOSTILE_BOB}"])
        .arg("--json")
        .arg(&report)
        // Unpaced unless the test is about pacing, to keep the suite fast.
        .args(if extra.contains(&"--rate-limit") { &[][..] } else { &["--rate-limit", "0"][..] })
        .args(extra)
        .env("HOSTILE_ALICE", ALICE_KEY)
        .env("HOSTILE_BOB", BOB_KEY)
        .timeout(bound + Duration::from_secs(30))
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();

    assert!(elapsed < bound, "{name}: the scan took {elapsed:?}, over {bound:?}\n{stderr}");
    let peak = stderr
        .split("peak_rss_kib=")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|digits| digits.parse::<u64>().ok())
        .unwrap_or_else(|| panic!("{name}: no peak memory in the log:\n{stderr}"));
    println!("{name}: scan finished in {elapsed:?}, peak resident memory {} KiB", peak);
    assert!(peak < MEMORY_BOUND_KIB, "{name}: peak memory {peak} KiB");
    assert!(report.exists(), "{name}: no report, exit {:?}\n{stderr}", output.status.code());
    Outcome { code: output.status.code(), report: read_json(&report), stderr }
}

/// The owner's own request for an item gets `owned`; everyone else the
/// usual refusal.
fn owner_gets(owned: impl Fn(&Served) -> Answer + Send + Sync + 'static) -> HostileServer {
    HostileServer::start(move |request| {
        api(request, &|r| refuse_non_owner(r).unwrap_or_else(|| owned(r)))
    })
}

fn head(lines: &[&str]) -> Vec<u8> {
    let mut text = String::from("HTTP/1.1 200 OK\r\n");
    for line in lines {
        text.push_str(line);
        text.push_str("\r\n");
    }
    text.push_str("\r\n");
    text.into_bytes()
}

/// The scan finished, found nothing, probed the healthy operation and
/// could not test the hostile one.
fn assert_hostile_operation_cut(outcome: &Outcome) {
    assert_eq!(outcome.code, Some(0), "{}\n{:?}", outcome.stderr, outcome.findings());
    assert_eq!(outcome.findings(), vec![]);
    assert_eq!(outcome.coverage("/things/{thing_id}").0, "probed");
    assert_eq!(
        outcome.coverage("/items/{item_id}"),
        ("not-tested".to_owned(), "no identity could read its own object here".to_owned())
    );
}

/// The scan finished and probed both operations, finding nothing.
fn assert_probed_clean(outcome: &Outcome) {
    assert_eq!(outcome.code, Some(0), "{}\n{:?}", outcome.stderr, outcome.findings());
    assert_eq!(outcome.findings(), vec![]);
    assert_eq!(outcome.coverage("/things/{thing_id}").0, "probed");
    assert_eq!(outcome.coverage("/items/{item_id}").0, "probed", "{:#?}", outcome.notes());
}

#[test]
fn a_slow_drip_of_one_byte_a_second_is_cut_by_the_total_timeout() {
    let server = owner_gets(|_| Answer::Drip {
        head: head(&["Content-Type: application/json", "Content-Length: 1000"]),
        every: Duration::from_secs(1),
    });
    let outcome = scan("slow drip", &server, &["--timeout-ms", "1500"], Duration::from_secs(20));
    assert_hostile_operation_cut(&outcome);
    outcome.has_note("2 request(s) were cut off by the time limit of 1500 ms");
}

#[test]
fn a_body_that_never_ends_and_never_closes_is_cut_by_the_total_timeout() {
    let server = owner_gets(|_| {
        let mut head = head(&["Content-Type: application/json", "Content-Length: 100"]);
        head.extend_from_slice(b"{\"id\":");
        Answer::Hold { head }
    });
    let outcome = scan("never closes", &server, &["--timeout-ms", "1200"], Duration::from_secs(20));
    assert_hostile_operation_cut(&outcome);
    outcome.has_note("2 request(s) were cut off by the time limit of 1200 ms");
}

#[test]
fn a_server_that_accepts_and_never_answers_is_cut_by_the_total_timeout() {
    let server = owner_gets(|_| Answer::Hold { head: Vec::new() });
    let outcome = scan("silent", &server, &["--timeout-ms", "1200"], Duration::from_secs(20));
    assert_hostile_operation_cut(&outcome);
    outcome.has_note("2 request(s) were cut off by the time limit of 1200 ms");
}

fn gzip_bomb() -> &'static [u8] {
    static BOMB: OnceLock<Vec<u8>> = OnceLock::new();
    BOMB.get_or_init(|| {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1024 * 1024];
        for _ in 0..BOMB_BYTES / zeros.len() {
            encoder.write_all(&zeros).unwrap();
        }
        encoder.finish().unwrap()
    })
}

fn brotli_bomb() -> &'static [u8] {
    static BOMB: OnceLock<Vec<u8>> = OnceLock::new();
    BOMB.get_or_init(|| {
        let mut out = Vec::new();
        {
            let mut encoder = brotli::CompressorWriter::new(&mut out, 1 << 16, 5, 24);
            let zeros = vec![0u8; 1024 * 1024];
            for _ in 0..BOMB_BYTES / zeros.len() {
                encoder.write_all(&zeros).unwrap();
            }
        }
        out
    })
}

fn bomb(encoding: &'static str, body: &'static [u8]) -> HostileServer {
    owner_gets(move |_| {
        Answer::Bytes(http11(
            "200 OK",
            &[("Content-Type", "application/json"), ("Content-Encoding", encoding)],
            body,
        ))
    })
}

#[test]
fn a_gzip_bomb_is_cut_at_the_cap_after_decompression() {
    let body = gzip_bomb();
    assert!(body.len() < 1024 * 1024, "the bomb is {} bytes compressed", body.len());
    let server = bomb("gzip", body);
    let outcome = scan("gzip bomb", &server, &[], Duration::from_secs(30));
    assert_probed_clean(&outcome);
    outcome
        .has_note("2 response body(ies) were cut at 2097152 bytes (counted after decompression)");
}

#[test]
fn a_brotli_bomb_is_cut_at_the_cap_after_decompression() {
    let body = brotli_bomb();
    assert!(body.len() < 1024 * 1024, "the bomb is {} bytes compressed", body.len());
    let server = bomb("br", body);
    let outcome =
        scan("brotli bomb", &server, &["--max-body-bytes", "65536"], Duration::from_secs(30));
    assert_probed_clean(&outcome);
    outcome.has_note("2 response body(ies) were cut at 65536 bytes (counted after decompression)");
}

#[test]
fn an_endless_chunked_body_is_cut_at_the_cap() {
    let server = owner_gets(|_| {
        let mut chunk = b"4000\r\n".to_vec();
        chunk.extend(std::iter::repeat_n(b'a', 0x4000));
        chunk.extend_from_slice(b"\r\n");
        Answer::Endless {
            head: head(&["Content-Type: text/plain", "Transfer-Encoding: chunked"]),
            chunk,
        }
    });
    let outcome = scan("endless chunks", &server, &[], Duration::from_secs(20));
    assert_probed_clean(&outcome);
    outcome
        .has_note("2 response body(ies) were cut at 2097152 bytes (counted after decompression)");
}

#[test]
fn broken_chunked_encoding_fails_the_request_not_the_scan() {
    let server = owner_gets(|_| {
        let mut bytes = head(&["Content-Type: application/json", "Transfer-Encoding: chunked"]);
        bytes.extend_from_slice(b"zz\r\n{\"id\":11}\r\nFFFFFFFFFFFFFFFFFF\r\n");
        Answer::Bytes(bytes)
    });
    let outcome = scan("broken chunks", &server, &[], Duration::from_secs(20));
    assert_hostile_operation_cut(&outcome);
    outcome.has_note("2 request(s) failed (connection, protocol or decoding errors)");
}

#[test]
fn too_many_header_fields_fail_the_request_not_the_scan() {
    let server = owner_gets(|_| {
        let fields: Vec<String> = (0..150).map(|i| format!("X-Pad-{i}: {i}")).collect();
        let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
        let mut bytes = head(&fields);
        // `head` ended the head; this body is never read.
        bytes.extend_from_slice(b"{}");
        Answer::Bytes(bytes)
    });
    let outcome = scan("many headers", &server, &[], Duration::from_secs(20));
    assert_hostile_operation_cut(&outcome);
    outcome.has_note("2 request(s) failed (connection, protocol or decoding errors)");
}

#[test]
fn a_huge_header_is_refused() {
    let server = owner_gets(|_| {
        let huge = format!("X-Huge: {}", "h".repeat(200 * 1024));
        let mut bytes = head(&["Content-Type: application/json", "Content-Length: 2", &huge]);
        bytes.extend_from_slice(b"{}");
        Answer::Bytes(bytes)
    });
    let outcome = scan("huge header", &server, &[], Duration::from_secs(20));
    assert_hostile_operation_cut(&outcome);
    outcome.has_note(
        "2 response(s) were refused because their headers exceeded 65536 bytes or 100 fields",
    );
}

#[test]
fn invalid_utf8_bodies_are_judged_without_panicking() {
    let server = owner_gets(|_| {
        Answer::Bytes(http11(
            "200 OK",
            &[("Content-Type", "application/json; charset=utf-8")],
            b"\xff\xfe{\"id\":\xc3\x28, \"name\": \"\xed\xa0\x80\"}\x80",
        ))
    });
    let outcome = scan("invalid utf-8", &server, &[], Duration::from_secs(20));
    assert_probed_clean(&outcome);
}

#[test]
fn a_wrong_content_type_does_not_change_the_verdict() {
    let server = owner_gets(|request| {
        let id = item_id(&request.path).unwrap_or(0);
        let body = format!(r#"{{"id":{id},"secret_plan":"owner-only-{id}"}}"#);
        // JSON labelled as an image.
        Answer::Bytes(http11("200 OK", &[("Content-Type", "image/png")], body.as_bytes()))
    });
    let outcome = scan("wrong content-type", &server, &[], Duration::from_secs(20));
    assert_probed_clean(&outcome);
}

#[test]
fn malformed_json_is_judged_without_panicking() {
    let server = owner_gets(|_| {
        let mut body = String::from(r#"{"id": 11, "name": "unterminated"#);
        body.push_str(&"[".repeat(10_000));
        Answer::Bytes(http11("200 OK", &[("Content-Type", "application/json")], body.as_bytes()))
    });
    let outcome = scan("malformed json", &server, &[], Duration::from_secs(20));
    assert_probed_clean(&outcome);
}

/// Turns an HTTP/1.1 answer of [`api`] into HTTP/1.0 without
/// `Content-Length`, so that the body ends when the connection closes.
fn as_http10(answer: Answer) -> Answer {
    let Answer::Bytes(bytes) = answer else { return answer };
    let text = String::from_utf8(bytes).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let head: Vec<&str> = head
        .lines()
        .filter(|l| !l.starts_with("Content-Length") && !l.starts_with("Connection"))
        .collect();
    let head = head.join("\r\n").replacen("HTTP/1.1", "HTTP/1.0", 1);
    Answer::Bytes(format!("{head}\r\n\r\n{body}").into_bytes())
}

#[test]
fn http_1_0_answers_are_read_to_the_close_and_judged() {
    // Every answer is HTTP/1.0, and /items leaks: any valid key reads any
    // item, which the scan must still find.
    let server = HostileServer::start(|request| {
        as_http10(api(request, &|r| {
            let Some(owner) = item_id(&r.path).and_then(item_owner) else {
                return json("404 Not Found", r#"{"error":"not found"}"#);
            };
            match r.who() {
                None => json("401 Unauthorized", r#"{"error":"unauthorized"}"#),
                Some(_) => json(
                    "200 OK",
                    &format!(r#"{{"owner":"{owner}","diary":"{owner} private diary entry"}}"#),
                ),
            }
        }))
    });
    let outcome = scan("http/1.0", &server, &[], Duration::from_secs(20));
    assert_eq!(outcome.code, Some(1), "{}", outcome.stderr);
    assert_eq!(
        outcome.findings(),
        vec![
            key("bola-read", "/items/{item_id}", "alice", "bob"),
            key("bola-read", "/items/{item_id}", "bob", "alice"),
        ]
    );
    assert!(server.log().iter().all(|r| r.raw.starts_with("GET ")));
}

/// A target whose `/items/{id}` redirects to `elsewhere`, a second loopback
/// server on another port.
fn redirecting_to(elsewhere: &HostileServer) -> HostileServer {
    let landing = elsewhere.url();
    HostileServer::start(move |request| {
        let landing = landing.clone();
        api(request, &move |r| {
            let location = format!("{landing}/landing{}?from=target", r.path);
            Answer::Bytes(http11("302 Found", &[("Location", &location)], b""))
        })
    })
}

fn landing_server() -> HostileServer {
    HostileServer::start(|_| json("200 OK", r#"{"landing":"page"}"#))
}

#[test]
fn an_off_origin_redirect_is_followed_without_any_credential() {
    let elsewhere = landing_server();
    let target = redirecting_to(&elsewhere);
    let outcome = scan("redirect", &target, &["--follow-redirects"], Duration::from_secs(20));
    assert_eq!(outcome.code, Some(0), "{}\n{:?}", outcome.stderr, outcome.findings());
    assert_eq!(outcome.findings(), vec![]);

    let received = elsewhere.log();
    assert!(!received.is_empty(), "the redirect was not followed");
    for request in &received {
        assert!(!request.raw.contains(ALICE_KEY), "alice's key arrived: {}", request.raw);
        assert!(!request.raw.contains(BOB_KEY), "bob's key arrived: {}", request.raw);
        for (name, _) in &request.headers {
            assert!(
                !matches!(name.as_str(), "x-api-key" | "authorization" | "cookie"),
                "a credential header arrived: {}",
                request.raw
            );
        }
    }
    let followed = outcome
        .notes()
        .into_iter()
        .find(|n| n.contains("redirect(s) to another origin were followed without any credential"))
        .map(str::to_owned);
    let followed = followed.unwrap_or_else(|| panic!("no redirect note: {:#?}", outcome.notes()));
    assert_eq!(
        followed,
        format!(
            "{} redirect(s) to another origin were followed without any credential (first: {})",
            received.len(),
            // Which item came first depends on scheduling; the host does not.
            followed.split("(first: ").nth(1).unwrap().trim_end_matches(')')
        )
    );
    assert!(followed.contains(&format!("(first: {}/landing/items/", elsewhere.url())));
}

#[test]
fn redirects_are_not_followed_by_default_nor_off_origin_with_same_origin() {
    for (flags, why) in [
        (&[][..], "redirects are not followed (--follow-redirects)"),
        (&["--follow-redirects=same-origin"][..], "the redirect policy is same-origin"),
    ] {
        let elsewhere = landing_server();
        let target = redirecting_to(&elsewhere);
        let outcome = scan("redirect refused", &target, flags, Duration::from_secs(20));
        assert_eq!(outcome.code, Some(0), "{}\n{:?}", outcome.stderr, outcome.findings());
        assert_eq!(elsewhere.log().len(), 0, "{flags:?}: the other server was contacted");
        let note = outcome
            .notes()
            .into_iter()
            .find(|n| n.contains("redirect(s) to another origin were not followed"))
            .unwrap_or_else(|| panic!("{flags:?}: no note in {:#?}", outcome.notes()))
            .to_owned();
        assert!(note.contains(&format!("because {why} (first: {}", elsewhere.url())), "{note}");
    }
}

#[test]
fn a_429_with_retry_after_is_waited_for_and_the_scan_completes() {
    let answered = AtomicUsize::new(0);
    let server = HostileServer::start(move |request| {
        api(request, &|r| {
            if answered.fetch_add(1, Ordering::SeqCst) < 4 {
                return Answer::Bytes(http11(
                    "429 Too Many Requests",
                    &[("Retry-After", "1"), ("Content-Type", "application/json")],
                    br#"{"error":"slow down"}"#,
                ));
            }
            refuse_non_owner(r).unwrap_or_else(|| {
                let id = item_id(&r.path).unwrap_or(0);
                json("200 OK", &format!(r#"{{"id":{id},"label":"item number {id}"}}"#))
            })
        })
    });
    let outcome = scan("429", &server, &[], Duration::from_secs(20));
    assert_probed_clean(&outcome);
    outcome.has_note(
        "the target rate-limited the scan: 4 answer(s) were 429 or 503; waited 4000 ms in total \
         as Retry-After asked",
    );
}

#[test]
fn a_503_asking_for_an_hour_is_not_waited_for() {
    let server = owner_gets(|_| {
        Answer::Bytes(http11("503 Service Unavailable", &[("Retry-After", "3600")], b"busy"))
    });
    let outcome = scan("503", &server, &[], Duration::from_secs(20));
    assert_hostile_operation_cut(&outcome);
    outcome.has_note(
        "the target rate-limited the scan: 2 answer(s) were 429 or 503; waited 0 ms in total as \
         Retry-After asked, and did not wait 2 time(s) where the wait exceeded the bound of \
         10000 ms (--max-retry-wait-ms)",
    );
}

#[test]
fn the_request_budget_ends_the_scan_with_a_partial_report() {
    let server = owner_gets(|r| {
        let id = item_id(&r.path).unwrap_or(0);
        json("200 OK", &format!(r#"{{"id":{id},"label":"item number {id}"}}"#))
    });
    // Discovery takes three requests (alice, bob and nobody list /things);
    // the budget ends the scan there.
    let outcome = scan("budget", &server, &["--max-requests", "3"], Duration::from_secs(20));
    assert_eq!(outcome.code, Some(0), "{}\n{:?}", outcome.stderr, outcome.findings());
    assert_eq!(server.log().len(), 3);
    assert_eq!(outcome.report["stats"]["requests_sent"], 3);
    let budget_note = outcome.notes()[0].to_owned();
    assert!(
        budget_note.starts_with("the request budget of 3 (--max-requests) was spent: ")
            && budget_note
                .ends_with(" further request(s) were not sent, so this report is partial"),
        "{budget_note}"
    );
    for path in ["/things/{thing_id}", "/items/{item_id}"] {
        assert_eq!(
            outcome.coverage(path),
            (
                "not-tested".to_owned(),
                "the request budget (--max-requests) was spent before it".to_owned()
            )
        );
    }
}

#[test]
fn the_rate_limit_paces_the_scan() {
    let server = owner_gets(|r| {
        let id = item_id(&r.path).unwrap_or(0);
        json("200 OK", &format!(r#"{{"id":{id},"label":"item number {id}"}}"#))
    });
    let started = Instant::now();
    let outcome = scan(
        "rate limit",
        &server,
        &["--rate-limit", "20", "--concurrency", "1"],
        Duration::from_secs(30),
    );
    let elapsed = started.elapsed();
    assert_probed_clean(&outcome);
    // One request at once, then one every 50 ms.
    let sent = server.log().len();
    let floor = Duration::from_millis(50 * (sent as u64 - 1));
    assert!(elapsed >= floor, "{sent} requests in {elapsed:?}, under {floor:?}");
}

#[test]
fn a_proxy_is_used_only_when_asked() {
    // The "proxy" answers as the API itself and records the absolute-form
    // requests it gets.
    let proxy = HostileServer::start(|request| {
        let mut local = request.clone();
        if let Some(rest) = local.path.strip_prefix("http://") {
            local.path = rest.find('/').map_or("/".to_owned(), |i| rest[i..].to_owned());
        }
        api(&local, &|r| refuse_non_owner(r).unwrap_or_else(|| json("200 OK", r#"{"id":1}"#)))
    });
    let target = owner_gets(|_| json("200 OK", r#"{"id":1}"#));

    // From the environment: never.
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("openapi.json");
    std::fs::write(&spec, support::hostile::SPEC).unwrap();
    let output = trespass()
        .args(["--quiet", "scan", "--target", &target.url(), "--spec"])
        .arg(&spec)
        .args(["--identity", "alice=${HOSTILE_ALICE}", "--identity", "bob=${HOSTILE_BOB}"])
        .env("HOSTILE_ALICE", ALICE_KEY)
        .env("HOSTILE_BOB", BOB_KEY)
        .env("HTTP_PROXY", proxy.url())
        .env("http_proxy", proxy.url())
        .env("ALL_PROXY", proxy.url())
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(proxy.log().len(), 0, "a proxy from the environment was used");
    let direct = target.log().len();
    assert!(direct > 0);

    // With --proxy: every request goes through it, none to the target.
    let outcome = scan("proxy", &target, &["--proxy", &proxy.url()], Duration::from_secs(20));
    assert_probed_clean(&outcome);
    assert_eq!(target.log().len(), direct, "a request bypassed the proxy");
    let through = proxy.log();
    assert!(!through.is_empty());
    for request in &through {
        assert!(request.path.starts_with(&target.url()), "{}", request.raw);
    }
    outcome.has_note(&format!("requests went through the proxy {}/", proxy.url()));
}
