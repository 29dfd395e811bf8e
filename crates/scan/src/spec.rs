//! Finding the API description on the target when none was given.
//!
//! Only the target's own origin is asked, without credentials, at the paths
//! frameworks serve their description from (Spring's springdoc and
//! springfox, Swashbuckle, FastAPI, Flask and the like). The first document
//! that loads as OpenAPI 3 or Swagger 2.0 wins, and the scan's notes say
//! which path it came from.

use trespass_inventory::InventoryError;
use trespass_model::{Inventory, Method};
use trespass_transport::{Client, Presenting};
use url::Url;

use crate::ScanError;

/// Paths tried, in order, relative to the target.
pub const WELL_KNOWN_SPEC_PATHS: &[&str] = &[
    "/openapi.json",
    "/openapi.yaml",
    "/openapi.yml",
    "/v3/api-docs",
    "/v2/api-docs",
    "/swagger.json",
    "/swagger.yaml",
    "/api-docs",
    "/swagger/v1/swagger.json",
    "/docs/openapi.json",
    "/api/openapi.json",
    "/api/swagger.json",
];

/// Looks for a description; returns it and the path it was found at.
pub(crate) async fn find(client: &Client, target: &Url) -> Result<(Inventory, String), ScanError> {
    let mut last_spec_error: Option<InventoryError> = None;
    let mut reached = false;
    let mut first_failure = None;
    for path in WELL_KNOWN_SPEC_PATHS {
        let url = client.url_for(path).map_err(ScanError::Client)?;
        let received = match client.send(Method::Get, &url, Presenting::Nobody).await {
            Ok(received) => received,
            Err(e) => {
                first_failure.get_or_insert_with(|| e.to_string());
                continue;
            }
        };
        reached = true;
        if !received.is_success() || received.truncated {
            continue;
        }
        let text = String::from_utf8_lossy(&received.body);
        match trespass_inventory::load_str(&text, url.as_str()) {
            Ok(inventory) => return Ok((inventory, (*path).to_owned())),
            Err(e) => last_spec_error = Some(e),
        }
    }
    if !reached {
        return Err(ScanError::Unreachable {
            target: target.to_string(),
            message: first_failure.unwrap_or_else(|| "no response".to_owned()),
        });
    }
    // A document that was found but did not load says more than "none".
    if let Some(error) = last_spec_error {
        return Err(ScanError::Spec(error));
    }
    Err(ScanError::NoSpecFound {
        target: target.to_string(),
        tried: WELL_KNOWN_SPEC_PATHS.join(", "),
    })
}
