//! The scan engine: one function, [`run`] (or [`run_watched`], which also
//! reports [`Progress`]), that takes a [`ScanRequest`] and
//! returns a [`Report`], wiring the stages of the pipeline in order:
//!
//! 1. **inventory**: load the API description (a file, a document already
//!    in memory, a HAR capture, a Postman collection, or one found on the
//!    target at the usual paths) with [`load_inventory`];
//! 2. **identities**: give each credential its placement (the identity's
//!    own, the scan's, or the one the spec's security scheme declares);
//! 3. **discovery**: learn which objects each identity owns;
//! 4. **probes**: for every operation that names an object, send the probe
//!    set of [`trespass_probes`];
//! 5. **verdicts**: judge each operation's observations, and the listings
//!    for `credential-exposure` and `privilege-escalation`; in active mode
//!    only ([`ScanMode::Active`]), create objects, try other identities'
//!    writes on them, confirm by the owner's reads, judge `bola-write`, or
//!    `privilege-escalation` where the writer's role may not call the
//!    operation, and delete what was created ([`trespass_probes::active`]);
//! 6. assemble the report, and pass every string in it through the
//!    redactor one last time, so that no secret can reach a renderer even if
//!    an earlier stage let one through.
//!
//! The engine holds no process state: any number of scans may run in one
//! process, and nothing assumes one process holds all scans.

mod credentials;
mod gathered;
mod pairs;
mod progress;
mod spec;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use futures::StreamExt;
use serde_json::Value;
use trespass_config::{IdentitySettings, ScanMode, ScanSettings};
use trespass_discovery::{Discovery, Seer, discover_citing, is_privileged};
use trespass_inventory::InventoryError;
use trespass_inventory::har::KnownCredential;
use trespass_model::{
    ApiKeyLocation, Coverage, Credential, CredentialPlacement, Finding, FindingKind,
    INVENTORY_SCHEMA_VERSION, Identity, IdentityName, Inventory, InventoryPlan, Method,
    ObjectReference, Operation, PlannedOperation, Report, RoleRule, SCHEMA_VERSION, ScanStats,
    SecurityScheme,
};
use trespass_probes::Context;
use trespass_transport::{Client, ClientConfig, Redactor, TransportError};

pub use trespass_transport::Interrupt;
use trespass_verdicts::{DeclaredSecurity, Privilege, judge};
use url::Url;

pub use progress::{NoProgress, Phase, Progress};
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
    /// A HAR capture: its entries give the operations, and the path ids
    /// each identity requested successfully (recognised by its credential)
    /// seed discovery as if listed under the identity's `owns`.
    Har(PathBuf),
    /// A Postman collection (v2.0 or v2.1), with an optional environment
    /// file for its `{{variables}}`.
    Postman {
        /// The collection file.
        collection: PathBuf,
        /// The environment file.
        environment: Option<PathBuf>,
    },
}

/// An inventory, where it came from, and what the input says each
/// identity owns.
#[derive(Clone, Debug, Default)]
pub struct LoadedInventory {
    /// The operations.
    pub inventory: Inventory,
    /// Notes for the report: where the description was found, what a
    /// capture held.
    pub notes: Vec<String>,
    /// Ids per identity, by parameter name, seen in a HAR capture.
    pub observed: BTreeMap<IdentityName, BTreeMap<String, Vec<String>>>,
    /// Requests sent to find the description on the target.
    pub requests_sent: u64,
    /// Whether the inventory came from an API description (OpenAPI,
    /// Swagger), whose security and responses are promises, rather than
    /// from a HAR capture or a Postman collection.
    pub documented: bool,
}

/// Loads the inventory of a scan: from a file, a document, a capture or a
/// collection, or by looking on the target (without credentials). The
/// identities are only used to recognise who made each request of a HAR
/// capture; their secrets are compared, never kept.
pub async fn load_inventory(
    spec: SpecSource,
    target: Option<&Url>,
    identities: &[IdentitySettings],
    settings: &ScanSettings,
) -> Result<LoadedInventory, ScanError> {
    let mut loaded = LoadedInventory { documented: true, ..LoadedInventory::default() };
    match spec {
        SpecSource::File(path) => loaded.inventory = trespass_inventory::load_file(&path)?,
        SpecSource::Document { doc, origin } => {
            loaded.inventory = trespass_inventory::from_value(&doc, &origin)?;
        }
        SpecSource::FindOnTarget => {
            let Some(target) = target else {
                return Err(ScanError::NoInput);
            };
            let finder =
                Client::new(target.clone(), client_config(settings)).map_err(ScanError::Client)?;
            let (inventory, path) = spec::find(&finder, target).await?;
            loaded.notes.push(format!("API description found on the target at {path}"));
            loaded.inventory = inventory;
            loaded.requests_sent = finder.requests_sent();
        }
        SpecSource::Har(path) => {
            let known: Vec<KnownCredential<'_>> = identities
                .iter()
                // Credentials obtained at scan time are not known yet, and
                // a capture could not hold them.
                .filter(|i| !i.secret.is_empty())
                .map(|i| KnownCredential { name: &i.name, secret: &i.secret })
                .collect();
            let capture = trespass_inventory::har::load_file(&path, &known)?;
            let ids: usize = capture.observed.values().flat_map(|o| o.values()).map(Vec::len).sum();
            loaded.notes.push(format!(
                "HAR capture {}: {} entries, {} operations, {ids} ids observed for {} identities",
                path.display(),
                capture.entries,
                capture.inventory.operations.len(),
                capture.observed.len()
            ));
            loaded.inventory = capture.inventory;
            loaded.observed = capture.observed;
            loaded.documented = false;
        }
        SpecSource::Postman { collection, environment } => {
            loaded.inventory =
                trespass_inventory::postman::load_file(&collection, environment.as_deref())?;
            loaded.documented = false;
        }
    }
    Ok(loaded)
}

/// The dry run of a scan over `loaded` with `identities` identities (two
/// at least are assumed): every operation with its security, its object
/// references and the probes a safe-mode scan would send. `source` names
/// the input.
pub fn plan(loaded: &LoadedInventory, source: String, identities: usize) -> InventoryPlan {
    let identities = identities.max(2);
    let operations: Vec<PlannedOperation> = loaded
        .inventory
        .operations
        .iter()
        .map(|operation| PlannedOperation {
            method: operation.method,
            path: operation.path.clone(),
            operation_id: operation.operation_id.clone(),
            security: operation.security.clone(),
            object_references: operation
                .object_references()
                .map(|p| ObjectReference { name: p.name.clone(), location: p.location })
                .collect(),
            probes_per_identity_pair: probes_for(operation, 2),
            probes: probes_for(operation, identities).unwrap_or(0),
            source: operation.source.clone(),
        })
        .collect();
    InventoryPlan {
        schema_version: INVENTORY_SCHEMA_VERSION.to_owned(),
        source,
        title: loaded.inventory.title.clone(),
        base_path: loaded.inventory.base_path.clone(),
        identities,
        security_schemes: loaded.inventory.security_schemes.clone(),
        probes: operations.iter().map(|o| o.probes).sum(),
        operations,
        warnings: loaded.inventory.warnings.clone(),
        notes: loaded.notes.clone(),
    }
}

/// Requests [`trespass_probes`] sends for one operation when the scan has
/// `identities` identities, or `None` when the operation is not probed in
/// safe mode (not a GET, or no parameter in the path, the query, a header
/// or a cookie names an object). Each
/// identity's object is asked for by its owner, by each other identity,
/// with no credential and with a forged one; each identity also asks for an
/// id that does not exist. With two identities, that is the count per
/// identity pair.
pub fn probes_for(operation: &Operation, identities: usize) -> Option<usize> {
    let names_object =
        operation.object_references().any(|p| trespass_probes::is_probed_location(p.location));
    (operation.method == Method::Get && names_object)
        .then(|| identities * (identities + 2) + identities)
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
    /// Stated role rules, in the config's order; they win over the
    /// privilege inferred from names.
    pub roles: Vec<RoleRule>,
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
    /// The input declares no operation at all.
    #[error(
        "the input declares no operations, so there is nothing to scan{detail}; check \
         the input with `trespass inventory`"
    )]
    NoOperations {
        /// The loader's first warning, in parentheses, or nothing.
        detail: String,
    },
    /// No input was given and there is no target to look on.
    #[error(
        "no API description was given and there is no target to look for one on: give \
         --spec FILE, --har FILE, --postman FILE or --target URL"
    )]
    NoInput,
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
    #[error("no identity could reach its own objects, so nothing could be tested: {detail}")]
    Rejected {
        /// What each identity got.
        detail: String,
    },
    /// Fewer than two identities have a credential: the others' command or
    /// sign-in failed.
    #[error("a scan needs at least two identities with a credential, found {found}: {detail}")]
    CredentialsUnavailable {
        /// How many identities have one, and their names: `1 (alice)`.
        found: String,
        /// Why the others have none.
        detail: String,
    },
    /// Operations name objects, and none of them could be probed.
    #[error(
        "nothing was tested: {operations} operation(s) name objects, and none was probed: {why}"
    )]
    NothingTested {
        /// Operations with an object reference.
        operations: usize,
        /// Why none was probed.
        why: String,
    },
    /// Two identities obtained the same credential.
    #[error(
        "identities `{first}` and `{second}` obtained the same credential; each identity needs \
         its own"
    )]
    SameCredential {
        /// The first identity.
        first: IdentityName,
        /// The second identity.
        second: IdentityName,
    },
    /// A bug in trespass.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ScanError {
    /// Whether the error is about the target (it could not be scanned) as
    /// opposed to the user's input.
    pub fn is_target_problem(&self) -> bool {
        matches!(
            self,
            Self::Unreachable { .. }
                | Self::Rejected { .. }
                | Self::CredentialsUnavailable { .. }
                | Self::NothingTested { .. }
        )
    }
}

/// Runs a whole scan.
pub async fn run(request: ScanRequest) -> Result<Report, ScanError> {
    run_watched(request, &NoProgress).await
}

/// Runs a whole scan, telling `progress` how it goes.
pub async fn run_watched(
    request: ScanRequest,
    progress: &dyn Progress,
) -> Result<Report, ScanError> {
    run_interruptible(request, progress, Interrupt::new()).await
}

/// Runs a whole scan, telling `progress` how it goes, until `interrupt` is
/// set: from then on no probe is sent, active mode still deletes the
/// objects it created, and the report of what was done so far comes back
/// with `stats.interrupted` and a note that says it is partial.
pub async fn run_interruptible(
    request: ScanRequest,
    progress: &dyn Progress,
    interrupt: Interrupt,
) -> Result<Report, ScanError> {
    let result = scan(request, progress, interrupt).await;
    progress.finish();
    result
}

async fn scan(
    request: ScanRequest,
    progress: &dyn Progress,
    interrupt: Interrupt,
) -> Result<Report, ScanError> {
    let started = Instant::now();
    let ScanRequest { target, spec, identities, auth, settings, roles: role_rules } = request;
    let mode = settings.mode;
    let client_config = client_config(&settings);

    // Inventory.
    let spec_file = match &spec {
        SpecSource::File(path) => Some(path.clone()),
        _ => None,
    };
    let LoadedInventory {
        mut inventory,
        mut notes,
        observed,
        requests_sent: spec_requests,
        documented,
    } = load_inventory(spec, Some(&target), &identities, &settings).await?;
    notes.extend(inventory.warnings.iter().map(|w| format!("spec: {w}")));
    notes.extend(trespass_config::role_notes(&role_rules, &identities));
    tracing::info!(operations = inventory.operations.len(), "inventory loaded");
    // A scan that tests nothing must not pass a CI gate as if all were well.
    if inventory.operations.is_empty() && inventory.skipped.is_empty() {
        let detail = match inventory.warnings.first() {
            Some(warning) => format!(" ({warning})"),
            None => String::new(),
        };
        return Err(ScanError::NoOperations { detail });
    }

    // The client, and the identities' credentials: those that come from a
    // command or a sign-in are obtained now, through the client.
    let default_placement = auth.unwrap_or_else(|| placement_from_spec(&inventory));
    let base = join_base_path(&target, &inventory.base_path);
    // Requests spent finding the spec come out of the same budget.
    let mut client_config = client_config;
    client_config.max_requests =
        client_config.max_requests.map(|m| m.saturating_sub(spec_requests));
    let mut client =
        Client::new(base, client_config).map_err(ScanError::Client)?.with_interrupt(interrupt);
    let placement =
        |i: &IdentitySettings| i.auth.clone().unwrap_or_else(|| default_placement.clone());
    let (identities, mut left_out) =
        credentials::obtain_all(&mut client, identities, &placement).await?;
    let client = client;

    let identities: Vec<Identity> = identities
        .into_iter()
        .map(|i| {
            // Ids a capture showed the identity using join those the config
            // seeds: discovery treats both alike.
            let mut owns = i.owns;
            for (param, ids) in observed.get(&i.name).into_iter().flatten() {
                let known = owns.entry(param.clone()).or_default();
                for id in ids {
                    if !known.contains(id) {
                        known.push(id.clone());
                    }
                }
            }
            Identity {
                credential: Credential {
                    placement: i.auth.unwrap_or_else(|| default_placement.clone()),
                    secret: i.secret,
                },
                name: i.name,
                role: i.role,
                owns,
            }
        })
        .collect();
    // The client's redactor also learns every credential obtained later.
    let redactor = client.redactor().clone();
    redactor.learn_all(identities.iter().map(|i| (&i.name, &i.credential.secret)));

    // Discovery. A spent request budget is not a target problem: the scan
    // stops there and reports what it has.
    progress.phase(Phase::Discovery, None);
    let discovery = progress::watch(
        // A listing's exchange is kept where `privilege-escalation` may
        // cite it: names that say admin, or a stated rule.
        discover_citing(&client, &inventory, &identities, &|operation| {
            is_privileged(operation) || trespass_model::rule_for(&role_rules, operation).is_some()
        }),
        &client,
        spec_requests,
        progress,
    )
    .await;
    // Stopped early: the budget ran out or the user interrupted the scan.
    let budget_spent = || client.summary().stopped_early();
    if let (true, Some(first), false) =
        (discovery.listings.is_empty(), discovery.failures.first(), budget_spent())
    {
        return Err(ScanError::Unreachable { target: target.to_string(), message: first.clone() });
    }
    notes.extend(discovery.failures.iter().map(|f| format!("discovery: {f}")));
    left_out.append(&mut notes);
    let mut notes = left_out;
    let names: Vec<_> = identities.iter().map(|i| i.name.clone()).collect();
    let mut findings = trespass_verdicts::credential_exposures(&discovery, &names);
    let roles: Vec<Option<String>> = identities.iter().map(|i| i.role.clone()).collect();
    findings.extend(trespass_verdicts::privilege_escalations(
        &discovery,
        &inventory.operations,
        &names,
        &roles,
        &role_rules,
    ));

    // Probes and verdicts, operation by operation as a stream: each
    // operation's responses are judged as soon as they are all in and then
    // dropped, so memory does not grow with the number of operations. The
    // client's semaphore bounds the requests in flight.
    let context = Context { client: &client, identities: &identities, redactor: &redactor };
    let declares_security = !inventory.security_schemes.is_empty()
        || inventory.operations.iter().any(|o| !o.security.is_empty());
    let assess = Assess {
        context,
        discovery: &discovery,
        names: &names,
        roles: &roles,
        role_rules: &role_rules,
        declares_security,
        documented,
        neighbours: settings.neighbours,
    };
    let operation_count = inventory.operations.len();
    let referencing = inventory
        .operations
        .iter()
        .filter(|o| o.parameters.iter().any(|p| p.object_reference))
        .count();
    progress.phase(Phase::Probes, Some(operation_count as u64));
    // In safe mode nothing reads an operation once it has been judged, so
    // each is dropped then, rather than the whole inventory outliving the
    // probes beside the coverage they produce; active mode reads them all
    // again afterwards.
    let operations: Box<dyn Iterator<Item = Cow<'_, Operation>>> = if mode == ScanMode::Active {
        Box::new(inventory.operations.iter().map(Cow::Borrowed))
    } else {
        Box::new(std::mem::take(&mut inventory.operations).into_iter().map(Cow::Owned))
    };
    let probes = futures::stream::iter(operations.enumerate())
        .map(|(position, operation)| assess.operation(position, operation))
        .buffer_unordered(settings.concurrency.max(1) * 2)
        .inspect(|_| progress.step())
        .fold(
            gathered::Gathered::new(operation_count, identities.len()),
            |mut gathered, outcome| async move {
                gathered.absorb(outcome);
                gathered
            },
        );
    let gathered = progress::watch(probes, &client, spec_requests, progress).await.finish();
    let gathered::Totals {
        mut coverage,
        mut probed,
        objects_planned,
        objects_judged,
        answered,
        own_objects,
        findings: operation_findings,
        notes: operation_notes,
        mut refusals,
    } = gathered;
    notes.extend(operation_notes);
    findings.extend(operation_findings);
    // Operations the description declares but the inventory could not use.
    coverage.extend(inventory.skipped.iter().map(|skipped| Coverage {
        method: skipped.method,
        path: skipped.path.clone(),
        status: "skipped".to_owned(),
        detail: format!("broken in the API description: {}", skipped.reason),
        pairs: Vec::new(),
    }));
    // One identity refused everywhere while others were not: the scan goes
    // on, but what involves that identity was not tested, and the user must
    // know. Refused means: none of its own objects answered 2xx, or, when it
    // has none, none of the listings that refuse anonymous callers let it in.
    // A spent request budget is not a refusal: requests it stopped got no
    // answer at all, and the budget's own note says so.
    let listed = |i: usize| discovery.accepted_listings(Seer::Identity(i));
    let accepted = |i: usize| own_objects[i].1 > 0 || listed(i) > 0;
    if (0..identities.len()).any(accepted) && !budget_spent() {
        for (i, name) in names.iter().enumerate() {
            let (asked, ok) = own_objects[i];
            let refused = if asked > 0 {
                ok == 0
            } else {
                listed(i) == 0 && discovery.has_protected_listing()
            };
            if refused {
                let message = format!(
                    "{name} was refused on its own objects and listings: check its credential \
                     and `auth`; nothing involving {name}'s objects was tested"
                );
                tracing::warn!("{message}");
                notes.insert(0, message);
            }
        }
    }

    // Active mode: writes on objects trespass created, confirmed by reads.
    if mode == ScanMode::Active {
        progress.phase(Phase::Active, None);
        // Writes on created objects, then ids in body fields, on objects
        // created for the purpose.
        // Each identity's standing on each operation, so that a refused
        // role's writes are judged as privilege, not as BOLA.
        let standings = |operation: &Operation, identity: usize| {
            let role = roles.get(identity).and_then(Option::as_deref);
            trespass_verdicts::standing(operation, role, &role_rules)
        };
        let (active, body) = progress::watch(
            async {
                let active =
                    trespass_probes::active::run_active(context, &inventory.operations, &standings)
                        .await;
                let body = trespass_probes::body_fields::run_body_fields(
                    context,
                    &inventory.operations,
                    &discovery,
                )
                .await;
                (active, body)
            },
            &client,
            spec_requests,
            progress,
        )
        .await;
        let mut writes = trespass_verdicts::bola_writes(&active, &names);
        writes.extend(trespass_verdicts::body_field_writes(&body, &names));
        writes.extend(trespass_verdicts::privilege_writes(&active, &names, &roles, &role_rules));
        for (position, entry) in coverage.iter_mut().enumerate() {
            if entry.status == "skipped" && !entry.method.is_read_only() {
                entry.detail = "active mode writes only to objects trespass created, and none \
                                was created at this path"
                    .to_owned();
            }
            let same = |o: &Operation| o.method == entry.method && o.path == entry.path;
            let tried = active.writes.iter().filter(|w| same(&w.operation)).count()
                + body.probes.iter().filter(|p| same(&p.operation)).count();
            let created = active
                .created
                .iter()
                .filter(|c| {
                    entry.method == trespass_model::Method::Post
                        && c.path
                            .strip_prefix(entry.path.as_str())
                            .is_some_and(|r| r.starts_with("/{"))
                })
                .count();
            if (created > 0 || tried > 0)
                && let Some(flag) = probed.get_mut(position)
            {
                *flag = true;
            }
            if created > 0 {
                entry.status = "probed".to_owned();
                entry.detail = format!("active: created {created} object(s) to probe writes on");
                entry.pairs = pairs::creations(entry.method, &entry.path, &active, &names);
            }
            if tried > 0 {
                entry.pairs = pairs::writes(entry.method, &entry.path, &active, &names);
                let found = writes
                    .iter()
                    .filter(|f| f.method == entry.method && f.path == entry.path)
                    .count();
                entry.status = "probed".to_owned();
                entry.detail = format!(
                    "active: {tried} write(s) by other identities on objects trespass created, \
                     or with another identity's id in a body field, {found} finding(s)"
                );
            }
        }
        notes.extend(active.notes.iter().chain(&body.notes).map(|n| format!("active mode: {n}")));
        let created = active.created.len() + body.created;
        let leftovers: Vec<&String> = active.leftovers.iter().chain(&body.leftovers).collect();
        if created > 0 && leftovers.is_empty() {
            notes.push(format!("active mode: created {created} object(s) and deleted them all"));
        }
        notes.extend(leftovers.iter().map(|l| format!("active mode: not cleaned up: {l}")));
        findings.extend(writes);
    }
    // Every operation that received a probe request: the read probes, and
    // in active mode the creations and the writes.
    let probed = probed.iter().filter(|p| **p).count();

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
            return Err(ScanError::Rejected { detail: unlisted(&discovery) });
        }
    }

    // Operations that name objects, none of them probed: a report of no
    // findings would pass a CI gate on nothing tested.
    if probed == 0 && referencing > 0 {
        let why = if client.summary().interrupted {
            "the scan was interrupted (Ctrl-C) before any of them was probed".to_owned()
        } else if partial {
            "the request budget (--max-requests) ran out before any of them was probed".to_owned()
        } else {
            let cut = client.summary().truncated;
            let mut why = "discovery found no object of any identity to ask for".to_owned();
            if cut > 0 {
                why.push_str(&format!(
                    " ({cut} response body(ies) were cut at the body cap, --max-body-bytes)"
                ));
            } else {
                why.push_str("; give known ids with `owns` in each identity's table");
            }
            why
        };
        return Err(ScanError::NothingTested { operations: referencing, why });
    }

    // The inventory and discovery are not needed past this point; dropping
    // them before the report is built and redacted keeps the scan's peak
    // memory from holding both at once.
    drop(discovery);
    drop(inventory);

    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.path.cmp(&b.path))
            .then_with(|| a.kind.cmp(&b.kind))
            .then_with(|| a.identity.cmp(&b.identity))
            .then_with(|| a.owner.cmp(&b.owner))
    });
    // Point each finding at its operation in the spec file, for SARIF. The
    // inventory already read the file, so a failure here is not expected;
    // findings then just carry no line.
    let spec_text = spec_file
        .as_ref()
        .and_then(|p| trespass_input::read_text(p, trespass_input::InputKind::SPEC).ok());
    if let Some(text) = spec_text {
        for finding in &mut findings {
            finding.spec_line = trespass_reports::location::operation_line(
                &text,
                &finding.path,
                finding.method.as_str(),
            );
        }
    }
    let score = trespass_reports::score::score(&findings);

    // What the transport cut short, waited for or refused, first, since it
    // qualifies everything else in the report.
    let mut transport_notes = client.summary().notes();
    transport_notes.extend(client.renewal_notes());
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
            operations: operation_count,
            operations_probed: probed,
            identities: identities.len(),
            interrupted: client.is_interrupted(),
        },
        findings,
        coverage,
        notes,
        spec_file: spec_file.map(|p| p.display().to_string()),
        score: Some(score),
        baseline: None,
    };
    redact_report(report, &redactor)
}

/// What the probes and verdicts of one operation left behind once its
/// responses were dropped.
struct Outcome {
    /// Position of the operation in the inventory, for a stable order.
    position: usize,
    coverage: Coverage,
    findings: Vec<Finding>,
    notes: Vec<String>,
    probed: bool,
    objects_planned: usize,
    objects_judged: usize,
    /// Baselines that got a response.
    answered: usize,
    /// Baselines that failed, described.
    refusals: Vec<String>,
    /// Per identity: (own objects asked for, own objects that answered 2xx).
    own_objects: Vec<(usize, usize)>,
}

/// What every operation's assessment shares.
#[derive(Clone, Copy)]
struct Assess<'a> {
    context: Context<'a>,
    discovery: &'a Discovery,
    names: &'a [IdentityName],
    /// Each identity's role, when configured.
    roles: &'a [Option<String>],
    /// The config's stated role rules.
    role_rules: &'a [RoleRule],
    declares_security: bool,
    /// Whether the inventory came from an API description rather than from
    /// traffic or a collection.
    documented: bool,
    /// Sequential neighbours tried on each side of an owned integer id.
    neighbours: u32,
}

impl Assess<'_> {
    /// Plans, probes and judges one operation.
    async fn operation(self, position: usize, operation: Cow<'_, Operation>) -> Outcome {
        let operation = operation.as_ref();
        let coverage = |status: &str, detail: String| Coverage {
            method: operation.method,
            path: operation.path.clone(),
            status: status.to_owned(),
            detail,
            pairs: Vec::new(),
        };
        let mut outcome = Outcome {
            position,
            coverage: coverage("", String::new()),
            findings: Vec::new(),
            notes: Vec::new(),
            probed: false,
            objects_planned: 0,
            objects_judged: 0,
            answered: 0,
            refusals: Vec::new(),
            own_objects: vec![(0, 0); self.names.len()],
        };
        let plan = match trespass_probes::plan(operation, self.discovery, self.names.len()) {
            Ok(plan) => plan,
            Err(skip) => {
                tracing::debug!(operation = %operation.label(), reason = %skip.detail, "not probed");
                outcome.coverage = coverage(skip.status, skip.detail);
                if skip.status == "listing" {
                    let privilege = Privilege::of(operation, self.role_rules);
                    outcome.coverage.pairs = pairs::listing(
                        operation,
                        self.discovery,
                        self.names,
                        self.roles,
                        privilege,
                    );
                }
                return outcome;
            }
        };
        let probes = trespass_probes::run(self.context, operation, plan).await;
        let declared = DeclaredSecurity::of(operation, self.declares_security, self.documented);
        let mut judgement = judge(operation, &probes, self.names, declared);
        judgement.findings.extend(self.neighbours(operation, &probes, &judgement).await);
        let rule = trespass_model::rule_for(self.role_rules, operation);
        if let Some(rule) = rule {
            let stated = trespass_verdicts::privilege::stated_on_probes(
                operation, &probes, self.names, self.roles, rule,
            );
            judgement.findings.extend(stated);
        }

        outcome.probed = true;
        outcome.objects_planned = probes.objects.len();
        outcome.objects_judged = judgement.objects_judged;
        for object in &probes.objects {
            if let Some(own) = outcome.own_objects.get_mut(object.object.owner) {
                own.0 += 1;
                own.1 += usize::from(object.baseline.success().is_some());
            }
            match (&object.baseline.outcome, object.baseline.status()) {
                (_, Some(status)) => {
                    outcome.answered += 1;
                    if !(200..300).contains(&status) {
                        outcome.refusals.push(format!(
                            "{} on {} answered {status}",
                            self.names[object.object.owner],
                            operation.label()
                        ));
                    }
                }
                (Err(message), None) => {
                    outcome.refusals.push(format!("{}: {message}", operation.label()));
                }
                (Ok(_), None) => {}
            }
        }
        let summary = self.context.client.summary();
        let budget_spent = summary.stopped_early();
        outcome.coverage = if judgement.public {
            coverage("public", "declared without security and served alike to everyone".to_owned())
        } else if judgement.objects_judged == 0 && summary.interrupted {
            coverage("not-tested", "the scan was interrupted (Ctrl-C) before it".to_owned())
        } else if judgement.objects_judged == 0 && budget_spent {
            coverage(
                "not-tested",
                "the request budget (--max-requests) was spent before it".to_owned(),
            )
        } else if judgement.objects_judged == 0 {
            coverage("not-tested", "no identity could read its own object here".to_owned())
        } else {
            coverage(
                "probed",
                format!(
                    "{} of {} owners' objects probed, {} finding(s)",
                    judgement.objects_judged,
                    probes.objects.len(),
                    judgement.findings.len()
                ),
            )
        };
        // Per pair, where something was tried: a probed operation, or one
        // where no owner's session was valid (the pairs say whose).
        let status = outcome.coverage.status.as_str();
        if status == "probed" || (status == "not-tested" && !budget_spent) {
            outcome.coverage.pairs = pairs::probed(
                operation,
                &probes,
                self.names,
                self.roles,
                judgement.public,
                rule.is_some(),
            );
        }
        outcome.notes =
            judgement.notes.iter().map(|n| format!("{}: {n}", operation.label())).collect();
        outcome.findings = judgement.findings;
        outcome
    }
}

impl Assess<'_> {
    /// The `enumerable-ids` finding of an operation, from the sequential
    /// neighbours of owned ids. They are asked for only where an outsider
    /// already read an owner's object: elsewhere a readable neighbour is
    /// most likely the caller's own unlisted object, or shared, and asking
    /// would read strangers' objects for nothing.
    async fn neighbours(
        self,
        operation: &Operation,
        probes: &trespass_probes::OperationProbes,
        judgement: &trespass_verdicts::Judgement,
    ) -> Option<Finding> {
        let leaks = judgement.findings.iter().any(|f| f.kind == FindingKind::BolaRead);
        if self.neighbours == 0 || !leaks {
            return None;
        }
        let planned = trespass_probes::neighbours::plan_neighbours(
            &probes.plan,
            self.discovery.all_values(),
            self.neighbours,
        );
        if planned.is_empty() {
            return None;
        }
        let asked =
            trespass_probes::neighbours::run_neighbours(self.context, operation, planned).await;
        trespass_verdicts::enumerable_ids(operation, probes, &asked, self.names)
    }
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

/// Passes every string of the report through the redactor. Coverage
/// entries and findings go through one at a time, so that the JSON form
/// redaction works on is never the whole report of a large scan at once.
fn redact_report(mut report: Report, redactor: &Redactor) -> Result<Report, ScanError> {
    let coverage = std::mem::take(&mut report.coverage);
    let findings = std::mem::take(&mut report.findings);
    let mut report = redact(&report, redactor)?;
    // Each entry is dropped once redacted, so the report is not held twice.
    report.coverage =
        coverage.into_iter().map(|entry| redact(&entry, redactor)).collect::<Result<_, _>>()?;
    report.findings =
        findings.into_iter().map(|finding| redact(&finding, redactor)).collect::<Result<_, _>>()?;
    Ok(report)
}

/// `item` with every string in it passed through the redactor, by way of
/// its JSON form, so that no field can be missed.
fn redact<T: serde::Serialize + serde::de::DeserializeOwned>(
    item: &T,
    redactor: &Redactor,
) -> Result<T, ScanError> {
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
    let mut value = serde_json::to_value(item).map_err(|e| ScanError::Internal(e.to_string()))?;
    walk(&mut value, redactor);
    serde_json::from_value(value).map_err(|e| ScanError::Internal(e.to_string()))
}

/// Why no identity could list anything, from what the listings answered:
/// a credential problem only where the answers say so (401, 403).
fn unlisted(discovery: &Discovery) -> String {
    let answers = discovery.identity_listing_answers();
    let seen: Vec<String> = answers
        .iter()
        .map(|(status, n)| match status {
            Some(status) => format!("{status} ×{n}"),
            None => format!("no response ×{n}"),
        })
        .collect();
    let refused = answers.keys().any(|s| matches!(s, Some(401 | 403)));
    let hint = if refused {
        "check the credentials and `auth`"
    } else if answers.keys().all(|s| *s == Some(404)) {
        "check the target URL and the API description's base path"
    } else {
        "check that the target answers (--timeout-ms) and the target URL"
    };
    format!("no identity could list anything (answers: {}); {hint}", seen.join(", "))
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
