//! The command-line interface, as clap types. Parsing only; `main` acts.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use trespass_model::{RedirectPolicy, Severity};
use url::Url;

const EXIT_CODES: &str = "\
Exit codes:
  0  no finding at or above --fail-on
  1  findings at or above --fail-on (default: low)
  2  usage or input error (bad flags, config or spec)
  3  the target could not be scanned (unreachable, or every identity refused)";

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
}

/// `trespass scan`.
#[derive(Debug, Args)]
pub(crate) struct ScanArgs {
    /// TOML config with target, spec, identities and limits (see README).
    #[arg(short, long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,

    /// Base URL of the API; overrides the config's `target`.
    #[arg(short, long, value_name = "URL")]
    pub(crate) target: Option<String>,

    /// OpenAPI 3.0/3.1 file (JSON or YAML); without one, trespass looks on
    /// the target at /openapi.json and the other usual paths.
    #[arg(short, long, value_name = "FILE")]
    pub(crate) spec: Option<PathBuf>,

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

    /// Report and limit options.
    #[command(flatten)]
    pub(crate) run: RunArgs,
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

/// `trespass lab`.
#[derive(Debug, Args)]
pub(crate) struct LabArgs {
    /// Serve the remediated twin of every route.
    #[arg(long)]
    pub(crate) fixed: bool,

    /// Loopback address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub(crate) listen: SocketAddr,
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

fn parse_redirects(text: &str) -> Result<RedirectPolicy, String> {
    text.parse()
}

fn parse_proxy(text: &str) -> Result<Url, String> {
    trespass_config::parse_proxy(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
