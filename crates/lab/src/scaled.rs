//! The scaled lab: many identical resource collections, for benchmarks.
//!
//! [`ScaledLab::new`]`(n)` serves `n` collections `/c0` … `/c{n-1}`, each
//! with two operations, so a scan of it has `2 n` operations:
//!
//! - `GET /c{i}` lists the caller's one object in collection `i`;
//! - `GET /c{i}/{item_id}` reads an object. Alice owns id 1 and bob id 2 in
//!   every collection. The first [`VULNERABLE_COLLECTIONS`] collections are
//!   vulnerable (any valid key reads any object, a BOLA read); the others
//!   answer 404 alike for missing and not-yours objects.
//!
//! So a scan of the scaled lab does the same work per operation as a scan
//! of a real API, and finds `2 × min(n, 10)` `bola-read`s. The number of
//! faults is fixed rather than proportional to `n` because a finding's
//! evidence is output that a report must keep: a fixed count lets the
//! benchmark measure what the scanner itself costs per operation. It
//! keeps no request log: its purpose is to cost the server as little as
//! possible. The identities and keys are those of the main lab
//! ([`identities`](crate::identities)).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::{KEY_HEADER, identities};

/// How many collections, counted from `c0`, are vulnerable.
pub const VULNERABLE_COLLECTIONS: usize = 10;

/// A lab of `n` identical collections.
#[derive(Clone, Debug)]
pub struct ScaledLab {
    inner: Arc<Scaled>,
}

#[derive(Debug)]
struct Scaled {
    collections: usize,
    openapi: Value,
}

impl ScaledLab {
    /// A lab with `collections` collections (two operations each).
    pub fn new(collections: usize) -> Self {
        let openapi = document(collections);
        Self { inner: Arc::new(Scaled { collections, openapi }) }
    }

    /// Number of collections.
    pub fn collections(&self) -> usize {
        self.inner.collections
    }

    /// The OpenAPI document, also served at `/openapi.json`.
    pub fn openapi(&self) -> Value {
        self.inner.openapi.clone()
    }

    /// The router.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/openapi.json", get(openapi))
            .route("/{collection}", get(list))
            .route("/{collection}/{item_id}", get(read))
            .with_state(self.clone())
    }

    /// Serves until `shutdown` resolves.
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        axum::serve(listener, self.router()).with_graceful_shutdown(shutdown).await
    }

    fn collection(&self, name: &str) -> Option<usize> {
        let index: usize = name.strip_prefix('c')?.parse().ok()?;
        (index < self.inner.collections).then_some(index)
    }
}

/// The owner's id (1 for alice, 2 for bob) of a valid key.
fn caller(headers: &HeaderMap) -> Option<u64> {
    let key = headers.get(KEY_HEADER)?.to_str().ok()?;
    identities().iter().position(|i| i.key == key).map(|p| p as u64 + 1)
}

fn object(collection: usize, id: u64) -> Value {
    let owner = if id == 1 { "alice" } else { "bob" };
    json!({"id": id, "owner": owner, "collection": collection, "note": format!("{owner}'s object in c{collection}")})
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

async fn openapi(State(lab): State<ScaledLab>) -> Json<Value> {
    Json(lab.openapi())
}

async fn list(
    State(lab): State<ScaledLab>,
    Path(collection): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(index) = lab.collection(&collection) else {
        return error(StatusCode::NOT_FOUND, "not found");
    };
    let Some(id) = caller(&headers) else {
        return error(StatusCode::UNAUTHORIZED, "unauthorized");
    };
    Json(json!([object(index, id)])).into_response()
}

async fn read(
    State(lab): State<ScaledLab>,
    Path((collection, item)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let Some(index) = lab.collection(&collection) else {
        return error(StatusCode::NOT_FOUND, "not found");
    };
    let Some(caller) = caller(&headers) else {
        return error(StatusCode::UNAUTHORIZED, "unauthorized");
    };
    let Ok(id) = item.parse::<u64>() else {
        return error(StatusCode::NOT_FOUND, "not found");
    };
    let exists = id == 1 || id == 2;
    let allowed = index < VULNERABLE_COLLECTIONS || id == caller;
    if exists && allowed {
        Json(object(index, id)).into_response()
    } else {
        error(StatusCode::NOT_FOUND, "not found")
    }
}

fn document(collections: usize) -> Value {
    let mut paths = serde_json::Map::new();
    let error = json!({"description": "error", "content": {"application/json": {"schema": {"type": "object"}}}});
    for index in 0..collections {
        paths.insert(
            format!("/c{index}"),
            json!({"get": {
                "operationId": format!("listC{index}"),
                "responses": {"200": {"description": "the caller's objects"}, "401": error}
            }}),
        );
        paths.insert(
            format!("/c{index}/{{item_id}}"),
            json!({"get": {
                "operationId": format!("readC{index}"),
                "parameters": [{"name": "item_id", "in": "path", "required": true,
                                "schema": {"type": "integer"}}],
                "responses": {"200": {"description": "an object"}, "401": error, "404": error}
            }}),
        );
    }
    json!({
        "openapi": "3.0.3",
        "info": {"title": "trespass scaled lab", "version": "1"},
        "servers": [{"url": "/"}],
        "components": {"securitySchemes": {
            "ApiKeyAuth": {"type": "apiKey", "in": "header", "name": KEY_HEADER}
        }},
        "security": [{"ApiKeyAuth": []}],
        "paths": paths
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_has_two_operations_per_collection() {
        let doc = ScaledLab::new(25).openapi();
        assert_eq!(doc["paths"].as_object().unwrap().len(), 50);
        assert!(doc["paths"]["/c24/{item_id}"]["get"].is_object());
    }

    #[test]
    fn collection_names_are_bounded() {
        let lab = ScaledLab::new(3);
        assert_eq!(lab.collection("c2"), Some(2));
        assert_eq!(lab.collection("c3"), None);
        assert_eq!(lab.collection("x1"), None);
        assert_eq!(lab.collection("c-1"), None);
    }
}
