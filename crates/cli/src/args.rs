//! The command-line interface, as clap types. Parsing only; `main` acts.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use trespass_model::{RedirectPolicy, Severity};
use url::Url;

const EXIT_CODES: &str = "\
Exit codes:
  0  no finding at or above --fail-on
  1  findings at or above --fail-on (default: low); with --fail-on-new, new ones only
  2  usage or input error (bad flags, config or spec)
  3  the target could not be scanned (unreachable, every identity refused, fewer than two
     credentials obtained, or nothing could be tested)
  130  interrupted (Ctrl-C): the partial report is written; a second Ctrl-C quits at once";

/// Finds broken object-level authorization (BOLA / IDOR) in HTTP APIs that
/// use API keys or bearer tokens, by asking for each identity's objects with
/// the other identities' credentials, with none and with a wrong one.
#[derive(Debug, Parser)]
#[command(name = "trespass", version, after_help = EXIT_CODES, max_term_width = 100)]
pub(crate) struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,

    /// More diagnostics on stderr: -v info, -vv debug, -vvv every request.
    /// From -v on, the terminal report also lists, per operation, which
    /// probes ran for each pair of identities and why any were skipped.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub(crate) verbose: u8,

    /// Print nothing but errors; reports still go to the files asked for.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub(crate) quiet: bool,

    /// When to colour the terminal report.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto, global = true)]
    pub(crate) color: ColorWhen,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Scan an API with two or more identities.
    #[command(after_help = EXIT_CODES)]
    Scan(ScanArgs),
    /// Start the embedded lab on a free loopback port and scan it.
    #[command(after_help = EXIT_CODES)]
    Demo(DemoArgs),
    /// Serve the embedded lab API until interrupted.
    Lab(LabArgs),
    /// Print every operation trespass read from the input, with its
    /// security, its object references and the probes a scan would send
    /// per identity pair; sends nothing unless it has to look for the spec
    /// on --target.
    Inventory(InventoryArgs),
    /// Compare two JSON reports: which findings are new, still open or
    /// fixed in the second.
    Diff(DiffArgs),
    /// List the scans stored in the history database.
    History(HistoryArgs),
    /// Render a stored scan again, in any format.
    Report(ReportArgs),
    /// Print a shell completion script to stdout.
    Completions(CompletionsArgs),
    /// Print the man page (roff) to stdout.
    Man,
}

/// `trespass scan`.
#[derive(Debug, Args)]
pub(crate) struct ScanArgs {
    /// Target, input and identities.
    #[command(flatten)]
    pub(crate) input: InputArgs,

    /// Report and limit options.
    #[command(flatten)]
    pub(crate) run: RunArgs,
}

/// `trespass inventory`.
#[derive(Debug, Args)]
pub(crate) struct InventoryArgs {
    /// Target, input and identities.
    #[command(flatten)]
    pub(crate) input: InputArgs,

    /// Print JSON instead of the table.
    #[arg(long)]
    pub(crate) json: bool,
}

/// Where the API and its description are, and who calls it: `scan` and
/// `inventory` alike.
#[derive(Debug, Args)]
pub(crate) struct InputArgs {
    /// TOML config with target, spec, identities and limits (see README).
    #[arg(short, long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,

    /// Base URL of the API; overrides the config's `target`.
    #[arg(short, long, value_name = "URL")]
    pub(crate) target: Option<String>,

    /// OpenAPI 3.0/3.1 or Swagger 2.0 file (JSON or YAML); without one (or
    /// --har or --postman), trespass looks on the target at /openapi.json
    /// and the other usual paths.
    #[arg(short, long, value_name = "FILE", group = "input_file")]
    pub(crate) spec: Option<PathBuf>,

    /// HAR 1.2 capture to read operations from instead of a spec; requests
    /// made with an identity's credential tell which ids it owns.
    #[arg(long, value_name = "FILE", group = "input_file")]
    pub(crate) har: Option<PathBuf>,

    /// Postman collection (v2.0 or v2.1) to read operations from instead of
    /// a spec.
    #[arg(long, value_name = "FILE", group = "input_file")]
    pub(crate) postman: Option<PathBuf>,

    /// Postman environment whose values fill the collection's
    /// {{variables}}.
    #[arg(long, value_name = "FILE", requires = "postman")]
    pub(crate) postman_env: Option<PathBuf>,

    /// An identity as NAME=CREDENTIAL; write the credential as '${VAR}'
    /// (single-quoted) to read it from the environment. Repeat for each
    /// identity; adds to or replaces the config's identities.
    #[arg(short, long = "identity", value_name = "NAME=CREDENTIAL")]
    pub(crate) identities: Vec<String>,

    /// Where credentials go: header:NAME, query:NAME, cookie:NAME, bearer
    /// or basic [default: from the spec's security scheme, else
    /// header:X-API-Key].
    #[arg(long, value_name = "PLACEMENT")]
    pub(crate) auth: Option<String>,
}

/// `trespass demo`.
#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Scan the remediated lab, which should yield no finding.
    #[arg(long)]
    pub(crate) fixed: bool,

    /// Report and limit options.
    #[command(flatten)]
    pub(crate) run: RunArgs,
}

/// Options every scan takes, `scan` and `demo` alike.
#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// Write the full JSON report to FILE.
    #[arg(long, value_name = "FILE")]
    pub(crate) json: Option<PathBuf>,

    /// Write the report in this format into the --output folder, as
    /// trespass-report.EXT (.json, .sarif, .xml, .md, .html). Repeat for
    /// several formats.
    #[arg(long = "format", value_enum, value_name = "FORMAT")]
    pub(crate) formats: Vec<FormatArg>,

    /// Folder for the --format files (created when missing) [default: the
    /// current folder].
    #[arg(long, value_name = "DIR")]
    pub(crate) output: Option<PathBuf>,

    /// An earlier JSON report: mark each finding new or open, and list the
    /// earlier findings that are fixed.
    #[arg(long, value_name = "FILE")]
    pub(crate) baseline: Option<PathBuf>,

    /// With --baseline: exit 1 only for new findings at or above --fail-on,
    /// not for those already in the baseline.
    #[arg(long, requires = "baseline")]
    pub(crate) fail_on_new: bool,

    #[command(flatten)]
    pub(crate) history: HistoryLocation,

    /// Exit 1 when a finding is at or above this severity [default: low,
    /// or the config's scan.fail_on].
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    pub(crate) fail_on: Option<Severity>,

    /// Requests in flight at once [default: 16].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub(crate) concurrency: Option<u16>,

    /// Time limit of one request, in milliseconds, body included [default:
    /// 10000].
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) timeout_ms: Option<u64>,

    /// `safe` sends only GET, HEAD and OPTIONS; `active` also creates
    /// objects with POST, tries other identities' PUT, PATCH and DELETE on
    /// those objects only, and deletes them after [default: safe, or the
    /// config's scan.mode].
    #[arg(long, value_name = "MODE", value_parser = parse_mode)]
    pub(crate) mode: Option<trespass_config::ScanMode>,

    /// Time limit of connecting, in milliseconds [default: 5000].
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) connect_timeout_ms: Option<u64>,

    /// Response bytes kept, counted after decompression [default: 2097152].
    #[arg(long, value_name = "BYTES", value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) max_body_bytes: Option<u64>,

    /// Requests per second at most; 0 for no limit [default: 100].
    #[arg(long, value_name = "N")]
    pub(crate) rate_limit: Option<u32>,

    /// Stop cleanly after N requests, with a partial report [default: no
    /// budget].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) max_requests: Option<u64>,

    /// Longest wait honoured for one Retry-After of a 429 or 503, in
    /// milliseconds [default: 10000].
    #[arg(long, value_name = "MS")]
    pub(crate) max_retry_wait_ms: Option<u64>,

    /// Follow redirects: within the target's origin with credentials, and
    /// to another origin without any (without-credentials, the value when
    /// the flag is given alone) or not at all (same-origin) [default: off].
    #[arg(
        long,
        value_name = "POLICY",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "without-credentials",
        value_parser = parse_redirects
    )]
    pub(crate) follow_redirects: Option<RedirectPolicy>,

    /// Accept any TLS certificate, for self-signed targets.
    #[arg(long)]
    pub(crate) insecure: bool,

    /// Send every request through this HTTP proxy (Burp, ZAP). Proxies from
    /// the environment (HTTP_PROXY...) are never used.
    #[arg(long, value_name = "URL", value_parser = parse_proxy)]
    pub(crate) proxy: Option<Url>,
}

/// Where scan history is kept.
#[derive(Debug, Args)]
pub(crate) struct HistoryLocation {
    /// History database [default: trespass/history.sqlite3 under the user's
    /// data folder, e.g. ~/.local/share on Linux].
    #[arg(long, value_name = "PATH", env = "TRESPASS_DB")]
    pub(crate) db: Option<PathBuf>,

    /// Do not store this scan in the history database.
    #[arg(long, env = "TRESPASS_NO_HISTORY", value_parser = clap::builder::BoolishValueParser::new())]
    pub(crate) no_history: bool,
}

/// `trespass diff`.
#[derive(Debug, Args)]
pub(crate) struct DiffArgs {
    /// The earlier JSON report (the baseline).
    #[arg(value_name = "BEFORE")]
    pub(crate) before: PathBuf,

    /// The later JSON report.
    #[arg(value_name = "AFTER")]
    pub(crate) after: PathBuf,
}

/// `trespass history`.
#[derive(Debug, Args)]
pub(crate) struct HistoryArgs {
    /// History database [default: trespass/history.sqlite3 under the user's
    /// data folder].
    #[arg(long, value_name = "PATH", env = "TRESPASS_DB")]
    pub(crate) db: Option<PathBuf>,
}

/// `trespass report`.
#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    /// The scan's identifier, as `trespass history` lists it.
    #[arg(value_name = "SCAN_ID")]
    pub(crate) scan: i64,

    /// Format to render; repeat for several. Without --output, a single
    /// format goes to stdout.
    #[arg(long = "format", value_enum, value_name = "FORMAT", default_value = "json")]
    pub(crate) formats: Vec<FormatArg>,

    /// Folder to write trespass-report.EXT files into.
    #[arg(long, value_name = "DIR")]
    pub(crate) output: Option<PathBuf>,

    /// History database [default: trespass/history.sqlite3 under the user's
    /// data folder].
    #[arg(long, value_name = "PATH", env = "TRESPASS_DB")]
    pub(crate) db: Option<PathBuf>,
}

/// `trespass completions`.
#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub(crate) shell: clap_complete::Shell,
}

/// `--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub(crate) enum FormatArg {
    /// The versioned JSON report (.json).
    Json,
    /// SARIF 2.1.0, for code-scanning tabs (.sarif).
    Sarif,
    /// JUnit XML, a test case per operation and probe family (.xml).
    Junit,
    /// Markdown, for a job summary or pull-request comment (.md).
    Markdown,
    /// One self-contained HTML page (.html).
    Html,
}

impl FormatArg {
    /// The renderer's format.
    pub(crate) fn format(self) -> trespass_reports::Format {
        match self {
            FormatArg::Json => trespass_reports::Format::Json,
            FormatArg::Sarif => trespass_reports::Format::Sarif,
            FormatArg::Junit => trespass_reports::Format::Junit,
            FormatArg::Markdown => trespass_reports::Format::Markdown,
            FormatArg::Html => trespass_reports::Format::Html,
        }
    }
}

/// `trespass lab`.
#[derive(Debug, Args)]
pub(crate) struct LabArgs {
    /// Serve the remediated twin of every route.
    #[arg(long)]
    pub(crate) fixed: bool,

    /// Loopback address to listen on: `127.0.0.1:8080`, `[::1]:8080`,
    /// `localhost:8080`, or a port alone.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080", value_parser = listen_address)]
    pub(crate) listen: SocketAddr,

    /// Serve the scaled benchmark lab instead: N collections of two
    /// operations each, the first ten vulnerable.
    #[arg(long, value_name = "N", conflicts_with = "fixed",
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub(crate) scale: Option<u32>,

    /// Make the tokens of `POST /login` expire SECS seconds after they are
    /// issued (they never expire otherwise), to try re-sign-in.
    #[arg(long, value_name = "SECS", conflicts_with = "scale",
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub(crate) token_ttl: Option<u64>,
}

/// `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorWhen {
    /// Colour when stdout is a terminal and NO_COLOR is not set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

fn parse_severity(text: &str) -> Result<Severity, String> {
    text.parse()
}

fn parse_mode(text: &str) -> Result<trespass_config::ScanMode, String> {
    text.parse()
}

fn parse_redirects(text: &str) -> Result<RedirectPolicy, String> {
    text.parse()
}

fn parse_proxy(text: &str) -> Result<Url, String> {
    trespass_config::parse_proxy(text)
}

/// Reads `--listen`: a socket address, `localhost:PORT` (which is
/// 127.0.0.1, never a name looked up elsewhere), or a port alone.
fn listen_address(text: &str) -> Result<SocketAddr, String> {
    if let Ok(address) = text.parse::<SocketAddr>() {
        return Ok(address);
    }
    let port = text.strip_prefix("localhost:").unwrap_or(text);
    port.parse::<u16>().map(|port| SocketAddr::from(([127, 0, 0, 1], port))).map_err(|_| {
        format!(
            "`{text}` is not an address to listen on: give 127.0.0.1:PORT, [::1]:PORT, \
             localhost:PORT or PORT"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn listen_takes_an_address_localhost_or_a_port() {
        let at = |text: &str| listen_address(text).map(|a| a.to_string());
        assert_eq!(at("127.0.0.1:9000").unwrap(), "127.0.0.1:9000");
        assert_eq!(at("[::1]:9000").unwrap(), "[::1]:9000");
        assert_eq!(at("localhost:9000").unwrap(), "127.0.0.1:9000");
        assert_eq!(at("9000").unwrap(), "127.0.0.1:9000");
        assert_eq!(
            at("example.test:80").unwrap_err(),
            "`example.test:80` is not an address to listen on: give 127.0.0.1:PORT, [::1]:PORT, \
             localhost:PORT or PORT"
        );
    }
}
