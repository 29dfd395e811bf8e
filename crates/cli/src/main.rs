//! `trespass`, the command line.
//!
//! This binary parses arguments, wires the pipeline's crates together and
//! maps outcomes to exit codes. It holds no detection logic: that lives in
//! `trespass-discovery`, `trespass-probes` and `trespass-verdicts`, driven by
//! `trespass-scan`. Results go to stdout (or the files asked for);
//! diagnostics go to stderr.

mod args;
mod progress;

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::anyhow;
use clap::Parser;
use trespass_config::{IdentitySettings, Settings, parse_identity_flag, parse_placement};
use trespass_history::{History, ScanId};
use trespass_lab::Lab;
use trespass_model::{CredentialPlacement, IdentityName, Report, Secret, Severity};
use trespass_reports::Style;
use trespass_scan::{Interrupt, ScanError, ScanRequest, SpecSource};
use url::Url;

use crate::args::{
    Cli, ColorWhen, Command, CompletionsArgs, DemoArgs, DiffArgs, FormatArg, HistoryArgs,
    InputArgs, InventoryArgs, LabArgs, ReportArgs, RunArgs, ScanArgs,
};

/// No finding at or above the threshold.
const EXIT_CLEAN: u8 = 0;
/// Findings at or above the threshold.
const EXIT_FINDINGS: u8 = 1;
/// Usage or input error.
const EXIT_INPUT: u8 = 2;
/// The target could not be scanned.
const EXIT_TARGET: u8 = 3;
/// The user interrupted the scan (Ctrl-C): 128 + SIGINT, as shells report
/// a process that SIGINT ended, so scripts read it the same way.
const EXIT_INTERRUPTED: u8 = 130;

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

/// Watches for Ctrl-C during a scan. The first sets `interrupt`, so the
/// scan stops probing, cleans up what it created and returns its partial
/// report; the second ends the process at once, for a user who will not
/// wait for the clean-up. The task lives until the process ends, so a
/// second Ctrl-C while the report is written still works.
///
/// The message is printed even with `--quiet`: it answers the user's own
/// key press and says how to quit at once.
fn watch_ctrl_c(interrupt: Interrupt) {
    tokio::spawn(async move {
        // Without a signal handler there is nothing to watch; Ctrl-C then
        // ends the process as it would anyway.
        if tokio::signal::ctrl_c().await.is_err() {
            return;
        }
        interrupt.set();
        eprintln!(
            "interrupted: cleaning up and writing a partial report (Ctrl-C again to quit at once)"
        );
        if tokio::signal::ctrl_c().await.is_ok() {
            // The user asked twice: nothing is left to wind down politely.
            std::process::exit(i32::from(EXIT_INTERRUPTED));
        }
    });
}

/// The outcome of an interrupted scan that still failed (say, Ctrl-C
/// before any identity's credential was obtained) exits 130 too: the
/// failure is the interruption's doing, not the target's or the input's.
fn interrupted_failure(error: ScanError, interrupt: &Interrupt) -> Failure {
    let mut failure = Failure::from(error);
    if interrupt.is_set() {
        failure.code = EXIT_INTERRUPTED;
    }
    failure
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(&cli);
    // One thread: a scan waits on the network, and its CPU work per
    // request is a few microseconds, so a second thread would only add
    // cross-thread wake-ups (measured by trespass-bench).
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
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
    // -v also shows, in the terminal report, what ran for each pair of
    // identities on each operation.
    let style = Style { color: use_color(cli.color), pairs: cli.verbose > 0 };
    let output = Output { quiet: cli.quiet, style };
    match cli.command {
        Command::Scan(args) => scan(args, output).await,
        Command::Demo(args) => demo(args, output).await,
        Command::Lab(args) => lab(args, output).await,
        Command::Inventory(args) => inventory(args, output).await,
        Command::Diff(args) => diff(&args),
        Command::History(args) => history(&args),
        Command::Report(args) => rerender(&args),
        Command::Completions(args) => completions(&args),
        Command::Man => man(),
    }
}

/// Where and how results are shown.
#[derive(Clone, Copy)]
struct Output {
    quiet: bool,
    style: Style,
}

impl Output {
    /// Progress bars for a scan: drawn on a terminal's stderr unless
    /// `--quiet` (or `TERM=dumb`), never into a pipe or a file.
    fn bars(self) -> progress::Bars {
        let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
        progress::Bars::on_stderr(!self.quiet && !dumb && std::io::stderr().is_terminal())
    }
}

/// The settings from the config file and the flags, and where the API
/// description comes from.
fn settings_of(
    input: &InputArgs,
    run: Option<&RunArgs>,
) -> Result<(Settings, SpecSource), Failure> {
    let env = |var: &str| std::env::var(var).ok();
    let mut settings = match &input.config {
        Some(path) => trespass_config::load_file(path, &env).map_err(Failure::input)?,
        None => Settings::default(),
    };
    if let Some(target) = &input.target {
        settings.target = Some(
            trespass_config::parse_target(target)
                .map_err(anyhow::Error::msg)
                .map_err(Failure::input)?,
        );
    }
    if let Some(spec) = &input.spec {
        settings.spec = Some(spec.clone());
    }
    if let Some(auth) = &input.auth {
        settings.auth =
            Some(parse_placement(auth).map_err(anyhow::Error::msg).map_err(Failure::input)?);
    }
    // A flag replaces the config's identity of the same name; two flags of
    // one name are a mistake, not an override.
    let mut flagged: Vec<IdentityName> = Vec::new();
    for flag in &input.identities {
        let identity = parse_identity_flag(flag, &env).map_err(Failure::input)?;
        if flagged.contains(&identity.name) {
            return Err(Failure::input(anyhow!(
                "--identity `{}` is given twice: each identity needs its own name",
                identity.name
            )));
        }
        flagged.push(identity.name.clone());
        settings.upsert_identity(identity);
    }
    if let Some(run) = run {
        apply_run_args(&mut settings, run);
    }

    // clap's `requires = "postman"` is not enforced when a flag of the same
    // group (`--spec`, `--har`) is given, so an environment that nothing
    // would read is refused here rather than ignored.
    if input.postman_env.is_some() && input.postman.is_none() {
        let given = if input.har.is_some() { "--har" } else { "--spec" };
        return Err(Failure::input(anyhow!(
            "--postman-env fills the {{{{variables}}}} of a Postman collection and is only read \
             with --postman FILE, not with {given}"
        )));
    }

    // A capture or collection on the command line replaces the config's spec.
    let spec = if let Some(har) = &input.har {
        SpecSource::Har(har.clone())
    } else if let Some(collection) = &input.postman {
        SpecSource::Postman {
            collection: collection.clone(),
            environment: input.postman_env.clone(),
        }
    } else {
        match settings.spec.clone() {
            Some(path) => SpecSource::File(path),
            None => SpecSource::FindOnTarget,
        }
    };
    Ok((settings, spec))
}

async fn scan(args: ScanArgs, output: Output) -> Result<u8, Failure> {
    let (settings, spec) = settings_of(&args.input, Some(&args.run))?;
    settings.check().map_err(Failure::input)?;
    let baseline = before_scanning(&args.run)?;

    let Some(target) = settings.target.clone() else {
        return Err(Failure::input(anyhow!("no target")));
    };
    let fail_on = settings.scan.fail_on;
    let request = ScanRequest {
        target,
        spec,
        identities: settings.identities,
        auth: settings.auth,
        settings: settings.scan,
        roles: settings.roles,
    };
    let interrupt = Interrupt::new();
    watch_ctrl_c(interrupt.clone());
    let report = trespass_scan::run_interruptible(request, &output.bars(), interrupt.clone())
        .await
        .map_err(|e| interrupted_failure(e, &interrupt))?;
    finish(report, baseline, &args.run, fail_on, output)
}

/// `trespass inventory`: the dry run. Loads the input as a scan would and
/// prints the plan to stdout; nothing is sent unless the spec has to be
/// found on the target.
async fn inventory(args: InventoryArgs, output: Output) -> Result<u8, Failure> {
    let (settings, spec) = settings_of(&args.input, None)?;
    let source = match &spec {
        SpecSource::File(path) => format!("spec {}", path.display()),
        SpecSource::Har(path) => format!("HAR capture {}", path.display()),
        SpecSource::Postman { collection, .. } => {
            format!("Postman collection {}", collection.display())
        }
        SpecSource::FindOnTarget | SpecSource::Document { .. } => {
            settings.target.as_ref().map_or_else(String::new, |t| format!("found on {t}"))
        }
    };
    let loaded = trespass_scan::load_inventory(
        spec,
        settings.target.as_ref(),
        &settings.identities,
        &settings.scan,
    )
    .await?;
    let plan = trespass_scan::plan(&loaded, source, settings.identities.len());
    let text = if args.json {
        trespass_reports::inventory_json(&plan)
    } else {
        trespass_reports::inventory_text(&plan, output.style)
    };
    print_stdout(text.as_bytes())?;
    Ok(EXIT_CLEAN)
}

async fn demo(args: DemoArgs, output: Output) -> Result<u8, Failure> {
    let baseline = before_scanning(&args.run)?;
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
            role: Some(i.role.to_owned()),
            ..IdentitySettings::new(IdentityName::new(i.name), Secret::new(i.key))
        })
        .collect();
    let mut settings = Settings::default();
    // The demo's target is its own lab on loopback: no need to pace it,
    // unless asked.
    settings.scan.rate_limit = None;
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
        roles: Vec::new(),
    };
    let interrupt = Interrupt::new();
    watch_ctrl_c(interrupt.clone());
    let result = trespass_scan::run_interruptible(request, &output.bars(), interrupt.clone()).await;

    let _ = stop.send(());
    // The lab closes idle connections at once; a stuck one is not worth
    // holding the exit for.
    let _ = tokio::time::timeout(Duration::from_secs(2), server).await;
    let report = result.map_err(|e| interrupted_failure(e, &interrupt))?;
    finish(report, baseline, &args.run, fail_on, output)
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
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    if let Some(collections) = args.scale {
        if !output.quiet {
            lab_banner(&format!("scaled, {collections} collections"), address, false, false);
        }
        let lab = trespass_lab::ScaledLab::new(collections as usize);
        lab.serve(listener, stop)
            .await
            .map_err(|e| Failure::input(anyhow!("the lab stopped: {e}")))?;
        return Ok(EXIT_CLEAN);
    }
    if !output.quiet {
        lab_banner(if args.fixed { "fixed" } else { "vulnerable" }, address, true, true);
    }
    let mut lab = Lab::new(args.fixed);
    if let Some(secs) = args.token_ttl {
        lab = lab.with_token_ttl(Duration::from_secs(secs));
    }
    lab.serve(listener, stop).await.map_err(|e| Failure::input(anyhow!("the lab stopped: {e}")))?;
    Ok(EXIT_CLEAN)
}

/// Tells where the lab listens and its identities' keys. Written in one
/// piece and never fatal: a lab whose reader has closed stderr (a script
/// that read the address and went on) keeps serving instead of dying on
/// the first line it cannot print.
fn lab_banner(kind: &str, address: SocketAddr, ctrl_c: bool, sign_in: bool) {
    use std::fmt::Write as _;
    let mut text = format!("trespass lab ({kind}) on http://{address}/ — spec at /openapi.json\n");
    for identity in trespass_lab::identities() {
        let _ =
            writeln!(text, "  {}: {}: {}", identity.name, trespass_lab::KEY_HEADER, identity.key);
    }
    if sign_in {
        for identity in trespass_lab::identities() {
            let _ = writeln!(
                text,
                "  {}: POST /login {{\"username\":\"{}\",\"password\":\"{}\"}} for a bearer token",
                identity.name, identity.name, identity.password
            );
        }
    }
    if ctrl_c {
        text.push_str("press Ctrl-C to stop\n");
    }
    let _ = std::io::Write::write_all(&mut std::io::stderr(), text.as_bytes());
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
    if let Some(mode) = run.mode {
        settings.scan.mode = mode;
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

/// Compares with the baseline, writes the report where asked, stores it in
/// the history and turns it into an exit code.
fn finish(
    mut report: Report,
    baseline: Option<Report>,
    run: &RunArgs,
    fail_on: Severity,
    output: Output,
) -> Result<u8, Failure> {
    if let (Some(path), Some(before)) = (&run.baseline, baseline) {
        trespass_reports::baseline::apply(&mut report, &before, &path.display().to_string());
    }
    if let Some(path) = &run.json {
        write_json_file(path, &report)?;
    }
    if !run.formats.is_empty() {
        let folder = run.output.clone().unwrap_or_else(|| PathBuf::from("."));
        write_formats(&report, &run.formats, &folder)?;
    }
    if !run.history.no_history {
        // The scan's results are already written: a history that cannot be
        // written is worth a warning, not a lost result.
        match store(&report, run.history.db.as_deref()) {
            Ok((id, path)) if !output.quiet => {
                eprintln!("stored as scan {id} in {}", path.display());
            }
            Ok(_) => {}
            Err(e) => eprintln!("warning: the scan was not stored in the history: {e:#}"),
        }
    }
    if !output.quiet {
        print_stdout(trespass_reports::terminal(&report, output.style).as_bytes())?;
    }
    // A partial report passes no gate: it may lack the findings that
    // would have failed it.
    if report.stats.interrupted {
        return Ok(EXIT_INTERRUPTED);
    }
    let failing = if run.fail_on_new {
        trespass_reports::baseline::new_findings(&report).filter(|f| f.severity >= fail_on).count()
    } else {
        report.count_at_or_above(fail_on)
    };
    Ok(if failing > 0 { EXIT_FINDINGS } else { EXIT_CLEAN })
}

/// What can be checked before a scan rather than after it: the baseline
/// is read, and the places reports go to can take them. Nothing is created
/// yet, so that a scan that fails leaves no empty report behind.
fn before_scanning(run: &RunArgs) -> Result<Option<Report>, Failure> {
    if let Some(path) = &run.json {
        if path.is_dir() {
            return Err(Failure::input(anyhow!(
                "--json {} is a folder; give a file path",
                path.display()
            )));
        }
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        if !parent.is_dir() {
            return Err(Failure::input(anyhow!(
                "--json {}: the folder {} does not exist",
                path.display(),
                parent.display()
            )));
        }
        writable(parent).map_err(|e| {
            Failure::input(anyhow!(
                "--json {}: cannot write in {}: {e}",
                path.display(),
                parent.display()
            ))
        })?;
    }
    if let Some(folder) = &run.output
        && folder.exists()
        && !folder.is_dir()
    {
        return Err(Failure::input(anyhow!(
            "--output {} is a file; give a folder",
            folder.display()
        )));
    }
    if !run.formats.is_empty() {
        // The folder is created after the scan; here, the nearest folder
        // that exists must take a file.
        let folder = run.output.clone().unwrap_or_else(|| PathBuf::from("."));
        let existing = folder.ancestors().find(|a| a.as_os_str().is_empty() || a.exists());
        let existing = existing.filter(|a| !a.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let checked = if existing.is_dir() {
            writable(existing).map_err(|e| e.to_string())
        } else {
            Err(format!("{} is not a folder", existing.display()))
        };
        checked.map_err(|e| {
            Failure::input(anyhow!("cannot write reports in {}: {e}", folder.display()))
        })?;
    }
    run.baseline.as_deref().map(read_report).transpose()
}

/// Whether a file can be created in `folder`: one is, and removed.
fn writable(folder: &Path) -> std::io::Result<()> {
    let probe = folder.join(format!(".trespass-write-check-{}", std::process::id()));
    std::fs::OpenOptions::new().write(true).create_new(true).open(&probe)?;
    std::fs::remove_file(&probe)
}

/// Writes `trespass-report.EXT` per format into `folder`.
fn write_formats(report: &Report, formats: &[FormatArg], folder: &Path) -> Result<(), Failure> {
    std::fs::create_dir_all(folder).map_err(|e| {
        Failure::input(anyhow!("failed to create the output folder {}: {e}", folder.display()))
    })?;
    let mut formats = formats.to_vec();
    formats.sort_unstable();
    formats.dedup();
    for format in formats {
        let format = format.format();
        let text = format.render(report).map_err(Failure::input)?;
        let path = folder.join(format!("trespass-report.{}", format.extension()));
        write_file(&path, &text, &format!("{} report", format.name()))?;
    }
    Ok(())
}

fn write_file(path: &Path, text: &str, what: &str) -> Result<(), Failure> {
    std::fs::write(path, text).map_err(|e| {
        Failure::input(anyhow!("failed to write the {what} to {}: {e}", path.display()))
    })
}

/// The JSON report, written as it is serialized rather than built as one
/// string first.
fn write_json_file(path: &Path, report: &Report) -> Result<(), Failure> {
    let failed = |e: std::io::Error| {
        Failure::input(anyhow!("failed to write the JSON report to {}: {e}", path.display()))
    };
    let file = std::fs::File::create(path).map_err(failed)?;
    trespass_reports::write_json(report, std::io::BufWriter::new(file)).map_err(failed)
}

/// Writes results to stdout. A reader that stops early (`| head`) closes
/// the pipe, which is normal use and not reported; any other failure (a
/// full disk, `>/dev/full`) means the results were lost, so it is an error
/// rather than a silent success.
fn print_stdout(text: &[u8]) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Failure::input(anyhow!("failed to write to stdout: {e}")))
        }
        _ => Ok(()),
    }
}

/// Reads a JSON report written by `--json` or `--format json`.
fn read_report(path: &Path) -> Result<Report, Failure> {
    let text = trespass_input::read_text(path, trespass_input::InputKind::REPORT).map_err(|e| {
        Failure::input(match e {
            trespass_input::ReadError::Io(e) => {
                anyhow!("failed to read report {}: {e}", path.display())
            }
            too_large => too_large.into(),
        })
    })?;
    serde_json::from_str(&text).map_err(|e| {
        Failure::input(anyhow!("report {} is not a trespass JSON report: {e}", path.display()))
    })
}

/// The history database: `--db`, else under the user's data folder.
fn history_path(db: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(path) = db {
        return Ok(path.to_owned());
    }
    let data = dirs::data_dir().ok_or_else(|| {
        anyhow!("no user data folder is known on this system; give --db PATH or --no-history")
    })?;
    Ok(data.join("trespass").join("history.sqlite3"))
}

fn store(report: &Report, db: Option<&Path>) -> anyhow::Result<(ScanId, PathBuf)> {
    let path = history_path(db)?;
    let mut history = History::open(&path)?;
    let id = history.record(report)?;
    Ok((id, path))
}

fn diff(args: &DiffArgs) -> Result<u8, Failure> {
    let before = read_report(&args.before)?;
    let mut after = read_report(&args.after)?;
    trespass_reports::baseline::apply(&mut after, &before, &args.before.display().to_string());
    print_stdout(trespass_reports::diff_text(&after).as_bytes())?;
    Ok(EXIT_CLEAN)
}

fn history(args: &HistoryArgs) -> Result<u8, Failure> {
    let path = history_path(args.db.as_deref()).map_err(Failure::input)?;
    let rows = History::open_existing(&path).and_then(|h| h.list()).map_err(Failure::input)?;
    let mut text = format!(
        "{:>4}  {:<20}  {:>5}  {:<5}  {:>8}  {:<22}  {}\n",
        "id", "time (UTC)", "score", "grade", "findings", "crit/high/med/low/info", "target"
    );
    for row in rows {
        let [critical, high, medium, low, info] = row.by_severity;
        let counts = format!("{critical}/{high}/{medium}/{low}/{info}");
        text.push_str(&format!(
            "{:>4}  {:<20}  {:>5}  {:<5}  {:>8}  {:<22}  {}\n",
            row.id,
            row.created_at,
            row.score.map(|s| s.to_string()).unwrap_or_else(|| "-".into()),
            row.grade.unwrap_or_else(|| "-".into()),
            row.findings,
            counts,
            row.target
        ));
    }
    print_stdout(text.as_bytes())?;
    Ok(EXIT_CLEAN)
}

fn rerender(args: &ReportArgs) -> Result<u8, Failure> {
    let path = history_path(args.db.as_deref()).map_err(Failure::input)?;
    let report = History::open_existing(&path)
        .and_then(|h| h.load(ScanId(args.scan)))
        .map_err(Failure::input)?;
    match (&args.output, args.formats.as_slice()) {
        (Some(folder), formats) => write_formats(&report, formats, folder)?,
        (None, [format]) => {
            print_stdout(format.format().render(&report).map_err(Failure::input)?.as_bytes())?;
        }
        (None, _) => {
            return Err(Failure::input(anyhow!(
                "several --format values need --output DIR to write one file each"
            )));
        }
    }
    Ok(EXIT_CLEAN)
}

/// The completion script, generated into memory first: clap_complete
/// panics when its writer fails, and stdout fails whenever the reader
/// stops early.
fn completions(args: &CompletionsArgs) -> Result<u8, Failure> {
    let mut command = <Cli as clap::CommandFactory>::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "trespass", &mut script);
    print_stdout(&script)?;
    Ok(EXIT_CLEAN)
}

fn man() -> Result<u8, Failure> {
    let command = <Cli as clap::CommandFactory>::command();
    let mut page = Vec::new();
    clap_mangen::Man::new(command)
        .render(&mut page)
        .map_err(|e| Failure::input(anyhow!("failed to render the man page: {e}")))?;
    print_stdout(&page)?;
    Ok(EXIT_CLEAN)
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
        .with_writer(progress::LogWriter)
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
