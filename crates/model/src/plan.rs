//! The dry run of a scan: what trespass understood of an API, and what it
//! would send, before it sends anything.
//!
//! `trespass inventory` builds an [`InventoryPlan`] from any input (spec,
//! HAR capture, Postman collection) and prints it for a person or as JSON.
//! Each [`PlannedOperation`] carries its security, its object references
//! and the probes a safe-mode scan would send for it. The JSON form is a
//! public interface versioned by [`INVENTORY_SCHEMA_VERSION`], like the
//! report's.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::operation::{Method, ParamLocation, SecurityScheme};

/// Shape version of the JSON form of an [`InventoryPlan`].
pub const INVENTORY_SCHEMA_VERSION: &str = "1.0";

/// Every operation of an input, with what a scan would do with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryPlan {
    /// Shape version of this document ([`INVENTORY_SCHEMA_VERSION`]).
    pub schema_version: String,
    /// The input, as a phrase: `spec openapi.yaml`, `HAR capture x.har`.
    pub source: String,
    /// Title of the API, when declared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Path prefix of every operation; empty when none.
    pub base_path: String,
    /// Identities the probe counts assume (at least two).
    pub identities: usize,
    /// Declared (or, for captures, observed) security schemes by name.
    pub security_schemes: BTreeMap<String, SecurityScheme>,
    /// Operations in input order.
    pub operations: Vec<PlannedOperation>,
    /// Probes a safe-mode scan would send in all, before discovery (which
    /// adds one listing request per listing operation and identity, and one
    /// without credentials).
    pub probes: usize,
    /// Problems that did not stop loading: skipped operations and why.
    pub warnings: Vec<String>,
    /// What the input held beyond operations (ids observed in a capture,
    /// where a description was found).
    pub notes: Vec<String>,
}

/// One operation and what a scan would do with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedOperation {
    /// The method.
    pub method: Method,
    /// The path template.
    pub path: String,
    /// `operationId`, when declared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_id: Option<String>,
    /// Security requirement alternatives (see
    /// [`Operation::security`](crate::Operation::security)).
    pub security: Vec<Vec<String>>,
    /// Parameters that name objects.
    pub object_references: Vec<ObjectReference>,
    /// Probes sent per pair of identities, or `None` when a safe-mode scan
    /// does not probe the operation.
    pub probes_per_identity_pair: Option<usize>,
    /// Probes sent with all the scan's identities.
    pub probes: usize,
    /// Where the operation was declared (JSON pointer, HAR entry, Postman
    /// item).
    pub source: String,
}

/// A parameter that names an object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectReference {
    /// Its name.
    pub name: String,
    /// Where it is sent.
    pub location: ParamLocation,
}
