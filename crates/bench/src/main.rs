//! `trespass-bench`: the benchmark harness behind the figures in README.
//!
//! In one run, on loopback only:
//!
//! 1. **HTTP layer.** Starts the scaled lab (`trespass lab --scale 1`) in a
//!    child process and drives one endpoint for a fixed time at a fixed
//!    concurrency, first with `wrk` (Debian package `wrk`), then with
//!    trespass's own HTTP layer ([`trespass_transport::Client`]), and prints
//!    both rates and their ratio. It does so `--rounds` times (3 unless
//!    told), alternating, so that both see the same load on a shared
//!    machine, and prints each round and the median ratio. `--skip-wrk`
//!    drives only trespass's layer (for a profiler such as callgrind);
//!    `--skip-scans` stops after this step.
//! 2. **Scans.** For each size (operations), starts the scaled lab with half
//!    as many collections and runs `trespass scan` against it under GNU
//!    `time`, and prints requests sent, wall time, requests per second, CPU
//!    time per request and peak memory.
//! 3. Prints everything as a table and, with `--json FILE`, as JSON, so
//!    figures can be compared across commits.
//!
//! It expects the release binaries next to itself: build with
//! `cargo build --release -p trespass -p trespass-bench`, then run
//! `./target/release/trespass-bench`. Every server it talks to is a child it
//! started on 127.0.0.1 and kills when done.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use trespass_model::{Credential, CredentialPlacement, IdentityName, Method, Secret};
use trespass_transport::{Client, ClientConfig, Presenting};
use url::Url;

/// Settings of a run, from the command line.
struct Settings {
    seconds: u64,
    concurrency: usize,
    sizes: Vec<usize>,
    json: Option<PathBuf>,
    skip_wrk: bool,
    skip_scans: bool,
    rounds: usize,
}

/// One scan's figures.
struct ScanFigures {
    operations: usize,
    requests: u64,
    wall_s: f64,
    cpu_s: f64,
    peak_kb: u64,
    findings: usize,
}

fn main() {
    if let Err(message) = run() {
        eprintln!("error: {message}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), String> {
    let settings = parse_args()?;
    let trespass = sibling("trespass")?;

    // 1. The HTTP layer against wrk, in alternating rounds so that both
    //    see the same machine (it is shared, and its load changes).
    let lab = LabProcess::start(&trespass, 1)?;
    let url = format!("{}c0/1", lab.url);
    let mut rounds = Vec::new();
    for _ in 0..settings.rounds {
        let wrk = if settings.skip_wrk {
            None
        } else {
            Some(run_wrk(&url, settings.concurrency, settings.seconds)?)
        };
        let (ours, sent) = drive_transport(&url, settings.concurrency, settings.seconds)?;
        rounds.push((wrk, ours, sent));
    }
    drop(lab);
    println!(
        "HTTP layer, GET /c0/1 for {s} s at concurrency {c}, {n} round(s):",
        s = settings.seconds,
        c = settings.concurrency,
        n = settings.rounds,
    );
    println!("{:>12} {:>12} {:>12} {:>8}", "wrk req/s", "ours req/s", "ours sent", "ratio");
    for (wrk, ours, sent) in &rounds {
        let shown = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.0}"));
        let ratio = wrk.map_or_else(|| "-".to_owned(), |w| format!("{:.2}", ours / w));
        println!("{:>12} {:>12.0} {:>12} {:>8}", shown(*wrk), ours, sent, ratio);
    }
    let mut ratios: Vec<f64> = rounds.iter().filter_map(|(w, o, _)| Some(o / (*w)?)).collect();
    ratios.sort_by(f64::total_cmp);
    let median = ratios.get(ratios.len() / 2).copied();
    if let Some(median) = median {
        println!("median ratio {median:.2}\n");
    }
    let http = json!({
        "seconds": settings.seconds, "concurrency": settings.concurrency,
        "rounds": rounds.iter().map(|(wrk, ours, sent)| json!({
            "wrk_rps": wrk, "trespass_rps": ours, "trespass_requests": sent,
            "ratio": wrk.map(|w| ours / w),
        })).collect::<Vec<_>>(),
        "median_ratio": median,
    });

    // 2. Scans of growing size.
    let dir = std::env::temp_dir().join(format!("trespass-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)
        .map_err(|e| format!("failed to create {}: {e}", dir.display()))?;
    let mut scans = Vec::new();
    let sizes: &[usize] = if settings.skip_scans { &[] } else { &settings.sizes };
    for &operations in sizes {
        scans.push(scan(&trespass, &dir, operations, settings.concurrency)?);
    }
    let _ = std::fs::remove_dir_all(&dir);

    println!(
        "{:>10} {:>10} {:>9} {:>10} {:>12} {:>10} {:>9}",
        "operations", "requests", "wall s", "req/s", "cpu µs/req", "peak MB", "findings"
    );
    for s in &scans {
        println!(
            "{:>10} {:>10} {:>9.3} {:>10.0} {:>12.1} {:>10.1} {:>9}",
            s.operations,
            s.requests,
            s.wall_s,
            s.requests as f64 / s.wall_s,
            s.cpu_s * 1e6 / s.requests as f64,
            s.peak_kb as f64 / 1024.0,
            s.findings
        );
    }

    if let Some(path) = &settings.json {
        let scans: Vec<Value> = scans
            .iter()
            .map(|s| {
                json!({
                    "operations": s.operations, "requests": s.requests, "wall_s": s.wall_s,
                    "rps": s.requests as f64 / s.wall_s,
                    "cpu_us_per_request": s.cpu_s * 1e6 / s.requests as f64,
                    "peak_mb": s.peak_kb as f64 / 1024.0, "findings": s.findings,
                })
            })
            .collect();
        let doc = json!({"http_layer": http, "scans": scans});
        let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
        std::fs::write(path, text + "\n")
            .map_err(|e| format!("failed to write {}: {e}", path.display()))?;
    }
    Ok(())
}

fn parse_args() -> Result<Settings, String> {
    let mut settings = Settings {
        seconds: 5,
        concurrency: 32,
        sizes: vec![10, 100, 1_000, 10_000],
        json: None,
        skip_wrk: false,
        skip_scans: false,
        rounds: 3,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--seconds" => settings.seconds = number(&value("--seconds")?)?,
            "--concurrency" => settings.concurrency = number(&value("--concurrency")?)?,
            "--rounds" => settings.rounds = number(&value("--rounds")?)?,
            "--sizes" => {
                settings.sizes =
                    value("--sizes")?.split(',').map(number).collect::<Result<_, _>>()?;
            }
            "--json" => settings.json = Some(PathBuf::from(value("--json")?)),
            "--skip-wrk" => settings.skip_wrk = true,
            "--skip-scans" => settings.skip_scans = true,
            "-h" | "--help" => {
                println!(
                    "trespass-bench [--seconds 5] [--concurrency 32] [--rounds 3] \
                     [--sizes 10,100,1000,10000] [--json FILE] [--skip-wrk] [--skip-scans]"
                );
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument `{other}`; see --help")),
        }
    }
    if settings.rounds == 0 || settings.rounds > 20 {
        return Err("--rounds must be between 1 and 20".to_owned());
    }
    if settings.concurrency == 0 || settings.concurrency > 1024 {
        return Err("--concurrency must be between 1 and 1024".to_owned());
    }
    if settings.seconds == 0 || settings.seconds > 120 {
        return Err("--seconds must be between 1 and 120".to_owned());
    }
    if settings.sizes.iter().any(|s| *s < 2 || *s > 200_000) {
        return Err("--sizes must be between 2 and 200000 operations".to_owned());
    }
    Ok(settings)
}

fn number<T: std::str::FromStr>(text: &str) -> Result<T, String> {
    text.trim().parse().map_err(|_| format!("`{text}` is not a number"))
}

/// A binary built next to this one.
fn sibling(name: &str) -> Result<PathBuf, String> {
    let me = std::env::current_exe().map_err(|e| format!("cannot locate myself: {e}"))?;
    let path = me.with_file_name(name);
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "{} not found; build it first with `cargo build --release -p trespass -p trespass-bench`",
            path.display()
        ))
    }
}

/// A lab child process on a loopback port, killed on drop.
struct LabProcess {
    child: Child,
    url: String,
}

impl LabProcess {
    fn start(trespass: &Path, collections: usize) -> Result<LabProcess, String> {
        let mut child = Command::new(trespass)
            .args(["lab", "--listen", "127.0.0.1:0", "--scale", &collections.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("failed to start the lab: {e}"))?;
        let stderr = child.stderr.take().ok_or("the lab's stderr is not piped")?;
        let mut line = String::new();
        BufReader::new(stderr)
            .read_line(&mut line)
            .map_err(|e| format!("failed to read the lab's address: {e}"))?;
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .ok_or_else(|| format!("the lab did not print its address: {line:?}"))?
            .to_owned();
        Ok(LabProcess { child, url })
    }
}

impl Drop for LabProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn lab_key(name: &str) -> Result<&'static str, String> {
    trespass_lab::identities()
        .into_iter()
        .find(|i| i.name == name)
        .map(|i| i.key)
        .ok_or_else(|| format!("the lab has no identity {name}"))
}

fn run_wrk(url: &str, concurrency: usize, seconds: u64) -> Result<f64, String> {
    let header = format!("{}: {}", trespass_lab::KEY_HEADER, lab_key("alice")?);
    let output = Command::new("wrk")
        .args(["-t2", &format!("-c{concurrency}"), &format!("-d{seconds}s"), "-H", &header, url])
        .output()
        .map_err(|e| {
            format!(
                "failed to run wrk ({e}); install it with `apt-get install wrk` or pass --skip-wrk"
            )
        })?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| format!("could not read wrk's rate from:\n{text}"))
}

/// Requests per second that trespass's HTTP layer sustains against `url`,
/// and the number of requests it sent.
fn drive_transport(url: &str, concurrency: usize, seconds: u64) -> Result<(f64, u64), String> {
    // The same single-threaded runtime the `trespass` binary runs on.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let url = Url::parse(url).map_err(|e| e.to_string())?;
        let config = ClientConfig {
            timeout: Duration::from_secs(10),
            max_body_bytes: 1 << 20,
            concurrency,
            // Unpaced, like wrk.
            rate_limit: None,
            ..ClientConfig::default()
        };
        let client = Arc::new(Client::new(url.clone(), config).map_err(|e| e.to_string())?);
        let name = IdentityName::new("alice");
        let credential = Credential {
            placement: CredentialPlacement::Header(trespass_lab::KEY_HEADER.to_owned()),
            secret: Secret::new(lab_key("alice")?),
        };
        let done = Arc::new(AtomicU64::new(0));
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let started = Instant::now();
        let workers: Vec<_> = (0..concurrency)
            .map(|_| {
                let (client, url, name, credential, done) =
                    (client.clone(), url.clone(), name.clone(), credential.clone(), done.clone());
                tokio::spawn(async move {
                    while Instant::now() < deadline {
                        let presenting =
                            Presenting::Identity { name: &name, credential: &credential };
                        if client.send(Method::Get, &url, presenting).await.is_ok() {
                            done.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                })
            })
            .collect();
        for worker in workers {
            let _ = worker.await;
        }
        let done = done.load(Ordering::Relaxed);
        Ok((done as f64 / started.elapsed().as_secs_f64(), done))
    })
}

fn scan(
    trespass: &Path,
    dir: &Path,
    operations: usize,
    concurrency: usize,
) -> Result<ScanFigures, String> {
    let collections = operations.div_ceil(2);
    let lab = LabProcess::start(trespass, collections)?;
    let spec = dir.join(format!("scaled-{collections}.json"));
    let doc = trespass_lab::ScaledLab::new(collections).openapi();
    std::fs::write(&spec, doc.to_string()).map_err(|e| format!("failed to write the spec: {e}"))?;
    let report = dir.join(format!("report-{collections}.json"));
    let times = dir.join(format!("time-{collections}.txt"));

    let status = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%e %U %S %M")
        .arg("-o")
        .arg(&times)
        .arg(trespass)
        .args(["scan", "--quiet", "--fail-on", "critical", "--target", &lab.url, "--spec"])
        .arg(&spec)
        .args(["--identity", "alice=${BENCH_ALICE_KEY}", "--identity", "bob=${BENCH_BOB_KEY}"])
        .args(["--concurrency", &concurrency.to_string(), "--rate-limit", "0", "--json"])
        .arg(&report)
        .env("BENCH_ALICE_KEY", lab_key("alice")?)
        .env("BENCH_BOB_KEY", lab_key("bob")?)
        .status()
        .map_err(|e| format!("failed to run /usr/bin/time (install the `time` package): {e}"))?;
    drop(lab);
    if !status.success() {
        return Err(format!("the scan of {operations} operations failed: {status}"));
    }

    let times = std::fs::read_to_string(&times).map_err(|e| e.to_string())?;
    let fields: Vec<f64> = times
        .lines()
        .last()
        .unwrap_or("")
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    let [wall_s, user, system, peak_kb] = fields[..] else {
        return Err(format!("could not read GNU time's output: {times:?}"));
    };
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&report).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    Ok(ScanFigures {
        operations: collections * 2,
        requests: report["stats"]["requests_sent"].as_u64().unwrap_or(0),
        wall_s,
        cpu_s: user + system,
        peak_kb: peak_kb as u64,
        findings: report["findings"].as_array().map_or(0, Vec::len),
    })
}
