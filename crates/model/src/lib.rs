//! The vocabulary of trespass, shared by every stage of the pipeline.
//!
//! Data flows one way through the scanner (see `DESIGN.md`):
//!
//! ```text
//! inputs ──► inventory ──► discovery ──► probes ──► verdicts ──► reports
//! ```
//!
//! This crate holds the types that cross those boundaries, and nothing that
//! does work on them:
//!
//! - [`identity`]: who makes a request. An [`Identity`] has a name, and a
//!   [`Credential`] whose [`Secret`] never prints.
//! - [`operation`]: what the API offers. The inventory turns every input into
//!   an [`Inventory`] of [`Operation`]s, each with its [`Parameter`]s, the
//!   security it declares and the responses it documents.
//! - [`finding`]: what the verdicts conclude. A [`Finding`] has a
//!   [`FindingKind`], a [`Severity`], evidence with secrets replaced by
//!   placeholders, a `curl` line and a remediation.
//! - [`plan`]: the dry run of a scan, what `trespass inventory` prints.
//! - [`redirect`]: the [`RedirectPolicy`] the transport obeys.
//! - [`source`]: where a credential comes from: a fixed value, a command
//!   ([`CommandSource`]) or a sign-in request ([`SignIn`]).
//! - [`roles`]: the [`RoleRule`]s a config states (which roles an
//!   operation allows, by path pattern or tag).
//! - [`report`]: the versioned JSON report, a public interface. Later
//!   versions add fields; they never remove or rename one. A [`Report`]
//!   carries its [`Score`] (overall and per [`CategoryScore`]) and, against
//!   a baseline, a [`BaselineSummary`] and each finding's [`BaselineStatus`].

pub mod finding;
pub mod identity;
pub mod operation;
pub mod plan;
pub mod redirect;
pub mod report;
pub mod roles;
pub mod source;

pub use finding::{
    BaselineStatus, Confidence, Exchange, Finding, FindingKind, RecordedRequest, RecordedResponse,
    Severity,
};
pub use identity::{Credential, CredentialPlacement, Identity, IdentityName, Secret};
pub use operation::{
    ApiKeyLocation, Inventory, Method, Operation, ParamLocation, Parameter, SecurityScheme,
    SkippedOperation,
};
pub use plan::{INVENTORY_SCHEMA_VERSION, InventoryPlan, ObjectReference, PlannedOperation};
pub use redirect::RedirectPolicy;
pub use report::{
    BaselineSummary, CategoryScore, Coverage, PairCoverage, ProbeFamily, Report, SCHEMA_VERSION,
    ScanStats, Score, SkippedProbe,
};
pub use roles::{PathPattern, RoleRule, RoleSelector, rule_for};
pub use source::{CommandSource, CredentialSource, DEFAULT_COMMAND_TIMEOUT, SignIn};
