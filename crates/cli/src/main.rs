//! `trespass`, the command line.
//!
//! This binary parses arguments, wires the pipeline's crates together and
//! maps outcomes to exit codes. It holds no detection logic: that lives in
//! `trespass-discovery`, `trespass-probes` and `trespass-verdicts`, driven by
//! `trespass-scan`. Results go to stdout (or the files asked for);
//! diagnostics go to stderr.

mod args;

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::anyhow;
use clap::Parser;
use trespass_config::{IdentitySettings, Settings, parse_identity_flag, parse_placement};
use trespass_lab::Lab;
use trespass_model::{CredentialPlacement, IdentityName, Report, Secret};
use trespass_reports::Style;
use trespass_scan::{ScanError, ScanRequest, SpecSource};
use url::Url;

use crate::args::{Cli, ColorWhen, Command, DemoArgs, LabArgs, RunArgs, ScanArgs};

/// No finding at or above the threshold.
const EXIT_CLEAN: u8 = 0;
/// Findings at or above the threshold.
const EXIT_FINDINGS: u8 = 1;
/// Usage or input error.
const EXIT_INPUT: u8 = 2;
/// The target could not be scanned.
const EXIT_TARGET: u8 = 3;

/// An error with the exit code it maps to.
struct Failure {
    code: u8,
    error: anyhow::Error,
}

impl Failure {
    fn input(error: impl Into<anyhow::Error>) -> Self {
        Self { code: EXIT_INPUT, error: error.into() }
    }
}

impl From<ScanError> for Failure {
    fn from(error: ScanError) -> Self {
        let code = if error.is_target_problem() { EXIT_TARGET } else { EXIT_INPUT };
        Self { code, error: error.into() }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(&cli);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: failed to start the async runtime: {e}");
            return ExitCode::from(EXIT_INPUT);
        }
    };
    let outcome = runtime.block_on(run(cli));
    if let Some(peak) = peak_memory_kib() {
        tracing::info!(peak_rss_kib = peak, "peak resident memory {} MiB", peak / 1024);
    }
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            eprintln!("error: {}", failure.error);
            ExitCode::from(failure.code)
        }
    }
}

async fn run(cli: Cli) -> Result<u8, Failure> {
    let output = Output { quiet: cli.quiet, style: Style { color: use_color(cli.color) } };
    match cli.command {
        Command::Scan(args) => scan(args, output).await,
        Command::Demo(args) => demo(args, output).await,
        Command::Lab(args) => lab(args, output).await,
    }
}

/// Where and how results are shown.
#[derive(Clone, Copy)]
struct Output {
    quiet: bool,
    style: Style,
}

async fn scan(args: ScanArgs, output: Output) -> Result<u8, Failure> {
    let env = |var: &str| std::env::var(var).ok();
    let mut settings = match &args.config {
        Some(path) => trespass_config::load_file(path, &env).map_err(Failure::input)?,
        None => Settings::default(),
    };
    if let Some(target) = &args.target {
        settings.target = Some(
            trespass_config::parse_target(target)
                .map_err(anyhow::Error::msg)
                .map_err(Failure::input)?,
        );
    }
    if let Some(spec) = &args.spec {
        settings.spec = Some(spec.clone());
    }
    if let Some(auth) = &args.auth {
        settings.auth =
            Some(parse_placement(auth).map_err(anyhow::Error::msg).map_err(Failure::input)?);
    }
    for flag in &args.identities {
        settings.upsert_identity(parse_identity_flag(flag, &env).map_err(Failure::input)?);
    }
    apply_run_args(&mut settings, &args.run);
    settings.check().map_err(Failure::input)?;

    let Some(target) = settings.target.clone() else {
        return Err(Failure::input(anyhow!("no target")));
    };
    let spec = match settings.spec.clone() {
        Some(path) => SpecSource::File(path),
        None => SpecSource::FindOnTarget,
    };
    let fail_on = settings.scan.fail_on;
    let request = ScanRequest {
        target,
        spec,
        identities: settings.identities,
        auth: settings.auth,
        settings: settings.scan,
    };
    let report = trespass_scan::run(request).await?;
    finish(&report, &args.run, fail_on, output)
}

async fn demo(args: DemoArgs, output: Output) -> Result<u8, Failure> {
    let lab = Lab::new(args.fixed);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(|e| Failure::input(anyhow!("failed to open a loopback port for the lab: {e}")))?;
    let address = listener
        .local_addr()
        .map_err(|e| Failure::input(anyhow!("failed to read the lab's port: {e}")))?;
    let target = Url::parse(&format!("http://{address}/"))
        .map_err(|e| Failure::input(anyhow!("failed to form the lab's URL: {e}")))?;
    let doc = lab.openapi();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(lab.serve(listener, async {
        let _ = stopped.await;
    }));

    let identities: Vec<IdentitySettings> = trespass_lab::identities()
        .into_iter()
        .map(|i| IdentitySettings {
            name: IdentityName::new(i.name),
            secret: Secret::new(i.key),
            auth: None,
            role: None,
            owns: Default::default(),
        })
        .collect();
    let mut settings = Settings::default();
    apply_run_args(&mut settings, &args.run);
    if !output.quiet {
        let kind = if args.fixed { "fixed" } else { "vulnerable" };
        eprintln!("lab ({kind}) listening on {target}; scanning it as alice and bob");
    }
    let fail_on = settings.scan.fail_on;
    let request = ScanRequest {
        target,
        spec: SpecSource::Document { doc, origin: "the lab's /openapi.json".to_owned() },
        identities,
        auth: Some(CredentialPlacement::Header(trespass_lab::KEY_HEADER.to_owned())),
        settings: settings.scan,
    };
    let result = trespass_scan::run(request).await;

    let _ = stop.send(());
    // The lab closes idle connections at once; a stuck one is not worth
    // holding the exit for.
    let _ = tokio::time::timeout(Duration::from_secs(2), server).await;
    finish(&result?, &args.run, fail_on, output)
}

async fn lab(args: LabArgs, output: Output) -> Result<u8, Failure> {
    if !args.listen.ip().is_loopback() {
        return Err(Failure::input(anyhow!(
            "refusing to serve the lab on {}: it is deliberately vulnerable, so it listens on \
             loopback addresses only (127.0.0.1 or [::1])",
            args.listen
        )));
    }
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| Failure::input(anyhow!("failed to listen on {}: {e}", args.listen)))?;
    let address: SocketAddr = listener.local_addr().map_err(Failure::input)?;
    if !output.quiet {
        let kind = if args.fixed { "fixed" } else { "vulnerable" };
        eprintln!("trespass lab ({kind}) on http://{address}/ — spec at /openapi.json");
        for identity in trespass_lab::identities() {
            eprintln!("  {}: {}: {}", identity.name, trespass_lab::KEY_HEADER, identity.key);
        }
        eprintln!("press Ctrl-C to stop");
    }
    Lab::new(args.fixed)
        .serve(listener, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| Failure::input(anyhow!("the lab stopped: {e}")))?;
    Ok(EXIT_CLEAN)
}

fn apply_run_args(settings: &mut Settings, run: &RunArgs) {
    if let Some(fail_on) = run.fail_on {
        settings.scan.fail_on = fail_on;
    }
    if let Some(concurrency) = run.concurrency {
        settings.scan.concurrency = usize::from(concurrency);
    }
    if let Some(timeout) = run.timeout_ms {
        settings.scan.timeout = Duration::from_millis(timeout);
    }
    if let Some(timeout) = run.connect_timeout_ms {
        settings.scan.connect_timeout = Duration::from_millis(timeout);
    }
    if let Some(max) = run.max_body_bytes {
        settings.scan.max_body_bytes = usize::try_from(max).unwrap_or(usize::MAX);
    }
    if let Some(rate) = run.rate_limit {
        settings.scan.rate_limit = NonZeroU32::new(rate);
    }
    if let Some(max) = run.max_requests {
        settings.scan.max_requests = Some(max);
    }
    if let Some(wait) = run.max_retry_wait_ms {
        settings.scan.max_retry_wait = Duration::from_millis(wait);
    }
    if let Some(policy) = run.follow_redirects {
        settings.scan.follow_redirects = policy;
    }
    if run.insecure {
        settings.scan.insecure = true;
    }
    if let Some(proxy) = &run.proxy {
        settings.scan.proxy = Some(proxy.clone());
    }
}

/// Writes the report where asked and turns it into an exit code.
fn finish(
    report: &Report,
    run: &RunArgs,
    fail_on: trespass_model::Severity,
    output: Output,
) -> Result<u8, Failure> {
    if let Some(path) = &run.json {
        std::fs::write(path, trespass_reports::json(report)).map_err(|e| {
            Failure::input(anyhow!("failed to write the JSON report to {}: {e}", path.display()))
        })?;
    }
    if !output.quiet {
        let text = trespass_reports::terminal(report, output.style);
        let mut stdout = std::io::stdout().lock();
        // A closed stdout (`| head`) is not an error worth reporting.
        let _ = stdout.write_all(text.as_bytes());
        let _ = stdout.flush();
    }
    if report.count_at_or_above(fail_on) > 0 { Ok(EXIT_FINDINGS) } else { Ok(EXIT_CLEAN) }
}

fn use_color(when: ColorWhen) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

fn init_logging(cli: &Cli) {
    let level = match (cli.quiet, cli.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        _ => "trace",
    };
    // Only trespass's own crates log at the chosen level; dependencies stay
    // at warn, since their trace output may carry raw request headers.
    let directive = format!(
        "warn,trespass={level},trespass_scan={level},trespass_discovery={level},trespass_probes={level},trespass_verdicts={level},trespass_transport={level}"
    );
    let filter = tracing_subscriber::EnvFilter::try_from_env("TRESPASS_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(directive));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(use_color_stderr(cli.color))
        .with_target(false)
        .init();
}

/// Peak resident memory of this process in KiB, where the system says
/// (`VmHWM` in `/proc/self/status` on Linux).
fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.trim_start_matches("VmHWM:").trim().trim_end_matches("kB").trim().parse().ok()
}

fn use_color_stderr(when: ColorWhen) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stderr().is_terminal()
        }
    }
}
