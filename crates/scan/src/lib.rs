//! The scan engine: one function, [`run`], that takes a [`ScanRequest`] and
//! returns a [`Report`], wiring the stages of the pipeline in order:
//!
//! 1. **inventory**: load the API description (a file, a document already
//!    in memory, or one found on the target at the usual paths);
//! 2. **identities**: give each credential its placement (the identity's
//!    own, the scan's, or the one the spec's security scheme declares);
//! 3. **discovery**: learn which objects each identity owns;
//! 4. **probes**: for every operation that names an object, send the probe
//!    set of [`trespass_probes`];
//! 5. **verdicts**: judge each operation's observations;
//! 6. assemble the report, and pass every string in it through the
//!    redactor one last time, so that no secret can reach a renderer even if
//!    an earlier stage let one through.
//!
//! The engine holds no process state: any number of scans may run in one
//! process, and nothing assumes one process holds all scans.

mod spec;

use std::path::PathBuf;
use std::time::Instant;

use futures::future::join_all;
use serde_json::Value;
use trespass_config::{IdentitySettings, ScanSettings};
use trespass_discovery::{Seer, discover};
use trespass_inventory::InventoryError;
use trespass_model::{
    ApiKeyLocation, Coverage, Credential, CredentialPlacement, Identity, Inventory, Report,
    SCHEMA_VERSION, ScanStats, SecurityScheme,
};
use trespass_probes::Context;
use trespass_transport::{Client, ClientConfig, Redactor, TransportError};
use trespass_verdicts::{DeclaredSecurity, judge};
use url::Url;

pub use spec::WELL_KNOWN_SPEC_PATHS;

/// Where the API description comes from.
#[derive(Clone, Debug)]
pub enum SpecSource {
    /// A file on disk.
    File(PathBuf),
    /// A document already parsed, named by `origin` in messages.
    Document {
        /// The document.
        doc: Value,
        /// Where it came from.
        origin: String,
    },
    /// Look for one on the target, at [`WELL_KNOWN_SPEC_PATHS`].
    FindOnTarget,
}

/// Everything a scan needs.
#[derive(Clone, Debug)]
pub struct ScanRequest {
    /// Base URL of the API.
    pub target: Url,
    /// The API description.
    pub spec: SpecSource,
    /// Two or more identities.
    pub identities: Vec<IdentitySettings>,
    /// Where credentials go, for identities that do not say.
    pub auth: Option<CredentialPlacement>,
    /// Limits.
    pub settings: ScanSettings,
}

/// Why a scan produced no report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScanError {
    /// The API description could not be used.
    #[error(transparent)]
    Spec(#[from] InventoryError),
    /// No spec was given and none was found on the target.
    #[error(
        "no API description was given and none was found on {target} (tried {tried}); \
         give one with --spec FILE"
    )]
    NoSpecFound {
        /// The target.
        target: String,
        /// Paths tried.
        tried: String,
    },
    /// The HTTP client could not be built.
    #[error(transparent)]
    Client(TransportError),
    /// The target did not answer.
    #[error("the target {target} could not be reached: {message}")]
    Unreachable {
        /// The target.
        target: String,
        /// The first failure.
        message: String,
    },
    /// Every identity was refused on its own objects.
    #[error("every identity was refused on its own objects, so nothing could be tested: {detail}")]
    Rejected {
        /// What each identity got.
        detail: String,
    },
    /// A bug in trespass.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ScanError {
    /// Whether the error is about the target (it could not be scanned) as
    /// opposed to the user's input.
    pub fn is_target_problem(&self) -> bool {
        matches!(self, Self::Unreachable { .. } | Self::Rejected { .. })
    }
}

/// Runs a whole scan.
pub async fn run(request: ScanRequest) -> Result<Report, ScanError> {
    let started = Instant::now();
    let ScanRequest { target, spec, identities, auth, settings } = request;
    let client_config = client_config(&settings);
    let mut notes = Vec::new();

    // Inventory.
    let (inventory, spec_requests) = match spec {
        SpecSource::File(path) => (trespass_inventory::load_file(&path)?, 0),
        SpecSource::Document { doc, origin } => (trespass_inventory::from_value(&doc, &origin)?, 0),
        SpecSource::FindOnTarget => {
            let finder =
                Client::new(target.clone(), client_config.clone()).map_err(ScanError::Client)?;
            let (inventory, path) = spec::find(&finder, &target).await?;
            notes.push(format!("API description found on the target at {path}"));
            (inventory, finder.requests_sent())
        }
    };
    notes.extend(inventory.warnings.iter().map(|w| format!("spec: {w}")));
    tracing::info!(operations = inventory.operations.len(), "inventory loaded");

    // Identities and the client.
    let default_placement = auth.unwrap_or_else(|| placement_from_spec(&inventory));
    let identities: Vec<Identity> = identities
        .into_iter()
        .map(|i| Identity {
            credential: Credential {
                placement: i.auth.unwrap_or_else(|| default_placement.clone()),
                secret: i.secret,
            },
            name: i.name,
            role: i.role,
            owns: i.owns,
        })
        .collect();
    let redactor = Redactor::new(identities.iter().map(|i| (&i.name, &i.credential.secret)));
    let base = join_base_path(&target, &inventory.base_path);
    // Requests spent finding the spec come out of the same budget.
    let mut client_config = client_config;
    client_config.max_requests =
        client_config.max_requests.map(|m| m.saturating_sub(spec_requests));
    let client = Client::new(base, client_config).map_err(ScanError::Client)?;

    // Discovery. A spent request budget is not a target problem: the scan
    // stops there and reports what it has.
    let discovery = discover(&client, &inventory, &identities).await;
    let budget_spent = || client.summary().budget_spent();
    if let (true, Some(first), false) =
        (discovery.listings.is_empty(), discovery.failures.first(), budget_spent())
    {
        return Err(ScanError::Unreachable { target: target.to_string(), message: first.clone() });
    }
    notes.extend(discovery.failures.iter().map(|f| format!("discovery: {f}")));

    // Probes, all operations at once; the client bounds concurrency.
    let context = Context { client: &client, identities: &identities, redactor: &redactor };
    let declares_security = !inventory.security_schemes.is_empty()
        || inventory.operations.iter().any(|o| !o.security.is_empty());
    let mut coverage = Vec::new();
    let mut planned = Vec::new();
    for operation in &inventory.operations {
        match trespass_probes::plan(operation, &discovery, identities.len()) {
            Ok(plan) => planned.push((operation, plan)),
            Err(skip) => {
                tracing::debug!(operation = %operation.label(), reason = %skip.detail, "not probed");
                coverage.push(Coverage {
                    method: operation.method,
                    path: operation.path.clone(),
                    status: skip.status.to_owned(),
                    detail: skip.detail,
                });
            }
        }
    }
    let probed = join_all(planned.into_iter().map(|(operation, plan)| async move {
        (operation, trespass_probes::run(context, operation, plan).await)
    }))
    .await;

    // Verdicts.
    let names: Vec<_> = identities.iter().map(|i| i.name.clone()).collect();
    let mut findings = Vec::new();
    let (mut objects_planned, mut objects_judged, mut answered) = (0, 0, 0);
    let mut refusals = Vec::new();
    for (operation, probes) in &probed {
        let declared = DeclaredSecurity::of(operation, declares_security);
        let judgement = judge(operation, probes, &names, declared);
        objects_planned += probes.objects.len();
        objects_judged += judgement.objects_judged;
        for object in &probes.objects {
            match object.baseline.status() {
                Some(status) => {
                    answered += 1;
                    if !(200..300).contains(&status) {
                        refusals.push(format!(
                            "{} on {} answered {status}",
                            names[object.object.owner],
                            operation.label()
                        ));
                    }
                }
                None => {
                    if let Err(message) = &object.baseline.outcome {
                        refusals.push(format!("{}: {message}", operation.label()));
                    }
                }
            }
        }
        let (status, detail) = if judgement.public {
            ("public", "declared without security and served alike to everyone".to_owned())
        } else if judgement.objects_judged == 0 && budget_spent() {
            ("not-tested", "the request budget (--max-requests) was spent before it".to_owned())
        } else if judgement.objects_judged == 0 {
            ("not-tested", "no identity could read its own object here".to_owned())
        } else {
            (
                "probed",
                format!(
                    "{} of {} owners' objects probed, {} finding(s)",
                    judgement.objects_judged,
                    probes.objects.len(),
                    judgement.findings.len()
                ),
            )
        };
        coverage.push(Coverage {
            method: operation.method,
            path: operation.path.clone(),
            status: status.to_owned(),
            detail,
        });
        notes.extend(judgement.notes.iter().map(|n| format!("{}: {n}", operation.label())));
        findings.extend(judgement.findings);
    }

    let partial = budget_spent();
    if objects_planned > 0 && objects_judged == 0 && !partial {
        if answered == 0 {
            return Err(ScanError::Unreachable {
                target: target.to_string(),
                message: refusals.first().cloned().unwrap_or_else(|| "no response".to_owned()),
            });
        }
        refusals.truncate(4);
        return Err(ScanError::Rejected { detail: refusals.join("; ") });
    }
    if objects_planned == 0 && !partial {
        let refused_everywhere =
            (0..identities.len()).all(|i| discovery.accepted_listings(Seer::Identity(i)) == 0);
        if refused_everywhere && discovery.has_protected_listing() {
            return Err(ScanError::Rejected {
                detail: "no identity could list anything; check the credentials and `auth`"
                    .to_owned(),
            });
        }
    }

    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.path.cmp(&b.path))
            .then_with(|| a.kind.cmp(&b.kind))
            .then_with(|| a.identity.cmp(&b.identity))
            .then_with(|| a.owner.cmp(&b.owner))
    });
    let order = |c: &Coverage| {
        inventory.operations.iter().position(|o| o.method == c.method && o.path == c.path)
    };
    coverage.sort_by_key(|c| order(c));

    // What the transport cut short, waited for or refused, first, since it
    // qualifies everything else in the report.
    let mut transport_notes = client.summary().notes();
    transport_notes.append(&mut notes);
    let notes = transport_notes;

    let report = Report {
        schema_version: SCHEMA_VERSION.to_owned(),
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        target: target.to_string(),
        identities: names.iter().map(|n| n.as_str().to_owned()).collect(),
        stats: ScanStats {
            requests_sent: spec_requests + client.requests_sent(),
            duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            operations: inventory.operations.len(),
            operations_probed: probed.len(),
            identities: identities.len(),
        },
        findings,
        coverage,
        notes,
    };
    redact_report(report, &redactor)
}

/// The transport's limits for these settings.
pub fn client_config(settings: &ScanSettings) -> ClientConfig {
    ClientConfig {
        timeout: settings.timeout,
        connect_timeout: settings.connect_timeout,
        max_body_bytes: settings.max_body_bytes,
        concurrency: settings.concurrency,
        rate_limit: settings.rate_limit,
        max_requests: settings.max_requests,
        max_retry_wait: settings.max_retry_wait,
        redirects: settings.follow_redirects,
        insecure: settings.insecure,
        proxy: settings.proxy.clone(),
    }
}

/// The placement the spec's security declares: the first scheme named by
/// an operation's requirements that trespass can fill, or `X-API-Key`.
pub fn placement_from_spec(inventory: &Inventory) -> CredentialPlacement {
    let named = inventory.operations.iter().flat_map(|o| o.security.iter().flatten());
    let declared = inventory.security_schemes.keys();
    named
        .chain(declared)
        .find_map(|name| match inventory.security_schemes.get(name)? {
            SecurityScheme::ApiKey { name, location } => Some(match location {
                ApiKeyLocation::Header => CredentialPlacement::Header(name.clone()),
                ApiKeyLocation::Query => CredentialPlacement::Query(name.clone()),
                ApiKeyLocation::Cookie => CredentialPlacement::Cookie(name.clone()),
            }),
            SecurityScheme::HttpBearer | SecurityScheme::OAuth2 => {
                Some(CredentialPlacement::Bearer)
            }
            SecurityScheme::HttpBasic => Some(CredentialPlacement::Basic),
            _ => None,
        })
        .unwrap_or_else(CredentialPlacement::default_header)
}

/// The target URL with the spec's base path appended, unless the target
/// already ends with it.
pub fn join_base_path(target: &Url, base_path: &str) -> Url {
    let mut url = target.clone();
    url.set_query(None);
    url.set_fragment(None);
    let current = url.path().trim_end_matches('/').to_owned();
    let base = base_path.trim_end_matches('/');
    if !base.is_empty() && !current.ends_with(base) {
        url.set_path(&format!("{current}{base}"));
    }
    url
}

/// Passes every string of the report through the redactor.
fn redact_report(report: Report, redactor: &Redactor) -> Result<Report, ScanError> {
    fn walk(value: &mut Value, redactor: &Redactor) {
        match value {
            Value::String(s) => {
                if let std::borrow::Cow::Owned(clean) = redactor.redact(s) {
                    *s = clean;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| walk(v, redactor)),
            Value::Object(fields) => fields.values_mut().for_each(|v| walk(v, redactor)),
            _ => {}
        }
    }
    let mut value =
        serde_json::to_value(&report).map_err(|e| ScanError::Internal(e.to_string()))?;
    walk(&mut value, redactor);
    serde_json::from_value(value).map_err(|e| ScanError::Internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_settings_give_the_transport_its_own_defaults() {
        let from_settings = client_config(&ScanSettings::default());
        let transport = ClientConfig::default();
        assert_eq!(format!("{from_settings:?}"), format!("{transport:?}"));
    }

    #[test]
    fn base_path_is_appended_once() {
        let t = |s: &str| Url::parse(s).unwrap();
        assert_eq!(
            join_base_path(&t("http://127.0.0.1:1"), "/api/v1").as_str(),
            "http://127.0.0.1:1/api/v1"
        );
        assert_eq!(
            join_base_path(&t("http://127.0.0.1:1/api/v1/"), "/api/v1").as_str(),
            "http://127.0.0.1:1/api/v1/"
        );
        assert_eq!(
            join_base_path(&t("http://127.0.0.1:1/x?q=1"), "").as_str(),
            "http://127.0.0.1:1/x"
        );
    }
}
