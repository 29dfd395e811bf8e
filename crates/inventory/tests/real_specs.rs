//! Loads the corpus of real, public API descriptions in `shared/specs` (see
//! its `SOURCES.md`) and checks what comes out.
//!
//! Every OpenAPI 3.0 and 3.1 file must load, or, for the fragments of
//! multi-file specs, fail with the exact "not OpenAPI" message; so must every
//! Swagger 2.0 file. Multi-file specs load whole from their root file, and
//! the HAR captures and Postman collections load too. For a couple of dozen specs the operation count and a
//! few object references are pinned down exactly.

use std::path::{Path, PathBuf};

use trespass_inventory::{InventoryError, load_file};
use trespass_model::{
    ApiKeyLocation, Inventory, Method, Operation, ParamLocation, Parameter, SecurityScheme,
};

/// `shared/specs`, beside the repository (CI lays it out the same way).
fn specs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/specs")
}

fn load(relative: &str) -> Inventory {
    let path = specs().join(relative);
    load_file(&path).unwrap_or_else(|error| panic!("{error}"))
}

/// Every `.json`, `.yaml` and `.yml` file under `dir`, sorted.
fn spec_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|error| panic!("cannot list {}: {error}", dir.display()));
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path
                .extension()
                .is_some_and(|ext| ext == "json" || ext == "yaml" || ext == "yml")
            {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// Files of multi-file specs that are fragments (a schema, a path item),
/// not documents: they have no `openapi` or `swagger` field.
fn is_fragment(path: &Path) -> bool {
    let relative = path.strip_prefix(specs()).unwrap().to_string_lossy().replace('\\', "/");
    const FRAGMENT_DIRS: [&str; 4] = [
        "openapi-3.1/redocly-cafe/components/",
        "openapi-3.1/redocly-cafe/paths/",
        "openapi-3.1/redocly-cafe/webhooks/",
        "openapi-2.0/oai/petstore-separate/common/",
    ];
    const FRAGMENT_FILES: [&str; 3] = [
        "openapi-2.0/oai/petstore-separate/spec/NewPet.json",
        "openapi-2.0/oai/petstore-separate/spec/Pet.json",
        "openapi-2.0/oai/petstore-separate/spec/parameters.json",
    ];
    FRAGMENT_DIRS.iter().any(|dir| relative.starts_with(dir))
        || FRAGMENT_FILES.contains(&relative.as_str())
}

fn operation<'a>(inventory: &'a Inventory, method: Method, path: &str) -> &'a Operation {
    inventory
        .operations
        .iter()
        .find(|op| op.method == method && op.path == path)
        .unwrap_or_else(|| panic!("no operation {method} {path}"))
}

fn parameter<'a>(operation: &'a Operation, name: &str, location: ParamLocation) -> &'a Parameter {
    operation
        .parameters
        .iter()
        .find(|p| p.name == name && p.location == location)
        .unwrap_or_else(|| panic!("{} has no {location:?} parameter {name}", operation.label()))
}

fn reference_names(operation: &Operation) -> Vec<&str> {
    operation.object_references().map(|p| p.name.as_str()).collect()
}

#[test]
fn every_openapi_3_file_loads_or_is_a_fragment() {
    let mut loaded = 0;
    let mut fragments = 0;
    for dir in ["openapi-3.0", "openapi-3.1"] {
        for path in spec_files(&specs().join(dir)) {
            let result = load_file(&path);
            if is_fragment(&path) {
                let error = result.expect_err("a fragment is not a document");
                assert_eq!(
                    error.to_string(),
                    format!(
                        "spec {} is not an OpenAPI 3.x or Swagger 2.0 document: \
                         no \"openapi\" field",
                        path.display()
                    )
                );
                fragments += 1;
            } else {
                result.unwrap_or_else(|error| panic!("{error}"));
                loaded += 1;
            }
        }
    }
    assert_eq!((loaded, fragments), (45, 39));
}

#[test]
fn every_swagger_2_file_loads_or_is_a_fragment() {
    let mut loaded = 0;
    let mut fragments = 0;
    for path in spec_files(&specs().join("openapi-2.0")) {
        let result = load_file(&path);
        if is_fragment(&path) {
            let error = result.expect_err("a fragment is not a document");
            assert!(matches!(error, InventoryError::NotOpenApi { .. }), "{error}");
            assert_eq!(
                error.to_string(),
                format!(
                    "spec {} is not an OpenAPI 3.x or Swagger 2.0 document: no \"openapi\" field",
                    path.display()
                )
            );
            fragments += 1;
        } else {
            result.unwrap_or_else(|error| panic!("{error}"));
            loaded += 1;
        }
    }
    assert_eq!((loaded, fragments), (13, 4));
}

#[test]
fn operation_counts_match_the_documents() {
    let expected = [
        ("openapi-3.0/box/openapi.json", 296),
        ("openapi-3.0/crapi/crapi-openapi-spec.json", 44),
        ("openapi-3.0/oai/api-with-examples.yaml", 2),
        ("openapi-3.0/oai/callback-example.yaml", 1),
        ("openapi-3.0/oai/link-example.yaml", 6),
        ("openapi-3.0/oai/petstore.yaml", 3),
        ("openapi-3.0/oai/uspto.yaml", 3),
        ("openapi-3.0/pagerduty/openapiv3.json", 465),
        ("openapi-3.0/plaid/2020-09-14.yml", 329),
        ("openapi-3.0/spotify/fixed-spotify-open-api.yml", 97),
        ("openapi-3.0/swagger-petstore/openapi.yaml", 19),
        ("openapi-3.0/teamdigitale/istat-sdmx-rest.yaml", 6),
        ("openapi-3.0/twilio/twilio_api_v2010.yaml", 197),
        ("openapi-3.1/discord/openapi.json", 242),
        ("openapi-3.1/mistral/openapi.yaml", 288),
        ("openapi-3.1/oai/tictactoe.yaml", 3),
        ("openapi-3.1/oai/webhook-example.yaml", 0),
        ("openapi-2.0/1panel/swagger.yaml", 398),
        ("openapi-2.0/go-admin/admin_swagger.yaml", 76),
        ("openapi-2.0/gotify/spec.json", 42),
        ("openapi-2.0/kubernetes/swagger.json", 1067),
        ("openapi-2.0/nytimes/article_search_v2.yaml", 1),
        ("openapi-2.0/nytimes/books_api.json", 6),
        ("openapi-2.0/oai/petstore-expanded.json", 4),
        ("openapi-2.0/oai/uber.json", 5),
        ("openapi-2.0/slack/slack_web_openapi_v2.json", 174),
        ("openapi-2.0/oai/petstore-separate/spec/swagger.json", 4),
        ("openapi-3.0/pihole/main.yaml", 85),
        ("openapi-3.1/redocly-cafe/openapi.yaml", 12),
    ];
    for (file, count) in expected {
        assert_eq!(load(file).operations.len(), count, "{file}");
    }
}

#[test]
fn oai_petstore() {
    let inventory = load("openapi-3.0/oai/petstore.yaml");
    assert_eq!(inventory.title.as_deref(), Some("Swagger Petstore"));
    assert_eq!(inventory.base_path, "/v1");
    assert!(inventory.warnings.is_empty(), "{:?}", inventory.warnings);
    let labels: Vec<String> = inventory.operations.iter().map(Operation::label).collect();
    assert_eq!(labels, ["GET /pets", "POST /pets", "GET /pets/{petId}"]);

    let show = operation(&inventory, Method::Get, "/pets/{petId}");
    assert_eq!(show.operation_id.as_deref(), Some("showPetById"));
    assert_eq!(show.source, "/paths/~1pets~1{petId}/get");
    assert_eq!(show.responses, ["200", "default"]);
    assert_eq!(reference_names(show), ["petId"]);
    let pet_id = parameter(show, "petId", ParamLocation::Path);
    assert!(pet_id.required);
    assert_eq!(pet_id.schema_type.as_deref(), Some("string"));

    let list = operation(&inventory, Method::Get, "/pets");
    assert_eq!(reference_names(list), Vec::<&str>::new());
    assert_eq!(parameter(list, "limit", ParamLocation::Query).format.as_deref(), Some("int32"));
}

#[test]
fn oai_petstore_expanded_reads_the_same_from_json_and_yaml() {
    let json = load("openapi-3.0/oai/petstore-expanded.json");
    let yaml = load("openapi-3.0/oai/petstore-expanded.yaml");
    assert_eq!(json, yaml);
    assert_eq!(json.operations.len(), 4);
    assert_eq!(reference_names(operation(&json, Method::Delete, "/pets/{id}")), ["id"]);
}

#[test]
fn crapi() {
    let inventory = load("openapi-3.0/crapi/crapi-openapi-spec.json");
    assert!(inventory.warnings.is_empty(), "{:?}", inventory.warnings);
    assert_eq!(inventory.security_schemes["bearerAuth"], SecurityScheme::HttpBearer);

    let location =
        operation(&inventory, Method::Get, "/identity/api/v2/vehicle/{vehicleId}/location");
    assert_eq!(reference_names(location), ["vehicleId"]);
    assert_eq!(location.security, [["bearerAuth"]]);
    assert!(location.requires_credential());

    let order = operation(&inventory, Method::Put, "/workshop/api/shop/orders/{order_id}");
    assert_eq!(reference_names(order), ["order_id", "product_id"]);
    assert_eq!(
        parameter(order, "product_id", ParamLocation::Body).schema_type.as_deref(),
        Some("integer")
    );

    let returned = operation(&inventory, Method::Post, "/workshop/api/shop/orders/return_order");
    assert_eq!(reference_names(returned), ["order_id"]);
    assert_eq!(
        parameter(returned, "order_id", ParamLocation::Query).location,
        ParamLocation::Query
    );

    let video = operation(&inventory, Method::Get, "/identity/api/v2/user/videos/{video_id}");
    assert_eq!(reference_names(video), ["video_id"]);

    // Signing up needs no credential: the operation says `security: []`
    // or declares none.
    let signup = operation(&inventory, Method::Post, "/identity/api/auth/signup");
    assert!(!signup.requires_credential());
}

#[test]
fn swagger_petstore_3() {
    let inventory = load("openapi-3.0/swagger-petstore/openapi.yaml");
    assert_eq!(inventory.base_path, "/api/v3");
    assert_eq!(
        inventory.security_schemes["api_key"],
        SecurityScheme::ApiKey { name: "api_key".to_owned(), location: ApiKeyLocation::Header }
    );
    assert_eq!(inventory.security_schemes["petstore_auth"], SecurityScheme::OAuth2);

    let pet = operation(&inventory, Method::Get, "/pet/{petId}");
    assert_eq!(reference_names(pet), ["petId"]);
    assert_eq!(pet.security, [["api_key"], ["petstore_auth"]]);

    let user = operation(&inventory, Method::Get, "/user/{username}");
    assert_eq!(reference_names(user), ["username"]);

    let order = operation(&inventory, Method::Get, "/store/order/{orderId}");
    assert_eq!(reference_names(order), ["orderId"]);
    assert_eq!(parameter(order, "orderId", ParamLocation::Path).format.as_deref(), Some("int64"));
}

#[test]
fn pagerduty() {
    let inventory = load("openapi-3.0/pagerduty/openapiv3.json");
    assert!(inventory.warnings.is_empty(), "{:?}", inventory.warnings);
    assert_eq!(
        inventory.security_schemes["api_key"],
        SecurityScheme::ApiKey {
            name: "Authorization".to_owned(),
            location: ApiKeyLocation::Header
        }
    );
    let tags = operation(&inventory, Method::Get, "/{entity_type}/{id}/tags");
    assert_eq!(reference_names(tags), ["id"]);

    // `Accept` and `Content-Type` header parameters are ignored, as OpenAPI
    // says; the spec declares them on nearly every operation.
    let names: Vec<&str> = tags.parameters.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["limit", "offset", "total", "entity_type", "id"]);

    // Every `{id}` in a path is an object reference.
    let with_id = inventory.operations.iter().filter(|op| op.path.contains("{id}"));
    for op in with_id {
        assert!(parameter(op, "id", ParamLocation::Path).object_reference, "{}", op.label());
    }
}

#[test]
fn box_platform() {
    let inventory = load("openapi-3.0/box/openapi.json");
    assert_eq!(inventory.base_path, "/2.0");
    assert_eq!(inventory.security_schemes["OAuth2Security"], SecurityScheme::OAuth2);
    let file = operation(&inventory, Method::Get, "/files/{file_id}");
    assert_eq!(reference_names(file), ["file_id"]);
    let folder = operation(&inventory, Method::Delete, "/folders/{folder_id}");
    assert_eq!(reference_names(folder), ["folder_id"]);
}

#[test]
fn plaid_combines_three_api_keys_in_one_requirement() {
    let inventory = load("openapi-3.0/plaid/2020-09-14.yml");
    let create = operation(&inventory, Method::Post, "/asset_report/create");
    assert_eq!(create.security, [["clientId", "secret", "plaidVersion"]]);
    assert_eq!(
        inventory.security_schemes["clientId"],
        SecurityScheme::ApiKey {
            name: "PLAID-CLIENT-ID".to_owned(),
            location: ApiKeyLocation::Header
        }
    );
}

#[test]
fn discord_3_1_nullable_references_keep_their_type() {
    let inventory = load("openapi-3.1/discord/openapi.json");
    assert_eq!(inventory.base_path, "/api/v10");
    let application = operation(&inventory, Method::Patch, "/applications/{application_id}");
    let team = parameter(application, "team_id", ParamLocation::Body);
    assert!(team.object_reference);
    assert_eq!(team.schema_type.as_deref(), Some("string"));
    assert_eq!(reference_names(application), ["application_id", "team_id"]);
}

#[test]
fn oai_examples_with_server_variables_and_natural_keys() {
    let uspto = load("openapi-3.0/oai/uspto.yaml");
    assert_eq!(uspto.base_path, "/ds-api");
    let records = operation(&uspto, Method::Post, "/{dataset}/{version}/records");
    assert_eq!(
        parameter(records, "criteria", ParamLocation::Body).schema_type.as_deref(),
        Some("string")
    );

    let links = load("openapi-3.0/oai/link-example.yaml");
    let pull =
        operation(&links, Method::Get, "/2.0/repositories/{username}/{slug}/pullrequests/{pid}");
    assert_eq!(reference_names(pull), ["username", "slug", "pid"]);
}

#[test]
fn multi_file_specs_are_inlined_from_their_files() {
    let pihole = load("openapi-3.0/pihole/main.yaml");
    assert_eq!(pihole.operations.len(), 85);
    assert_eq!(
        pihole.warnings,
        [
            "paths./history/clients.get.parameters[0]: parameter has no \"name\" string; ignored",
            "paths./search/{domain}.get.parameters[1]: parameter has no \"name\" string; ignored",
        ]
    );
    assert_eq!(
        pihole.security_schemes["x_header_sid"],
        SecurityScheme::ApiKey { name: "X-FTL-SID".to_owned(), location: ApiKeyLocation::Header }
    );
    let session = operation(&pihole, Method::Delete, "/auth/session/{id}");
    assert_eq!(reference_names(session), ["id"]);
    assert_eq!(session.security, [["query_sid"], ["cookie_sid"], ["header_sid"], ["x_header_sid"]]);

    // Redocly's café refers to code samples that its snapshot lacks: two
    // warnings naming them, and every operation loads.
    let cafe = load("openapi-3.1/redocly-cafe/openapi.yaml");
    assert_eq!(cafe.operations.len(), 12);
    let samples = specs().join("openapi-3.1/redocly-cafe/paths/../code_samples");
    assert_eq!(
        cafe.warnings,
        [
            format!(
                "$ref target {}/C_sharp/menu/get.cs cannot be read: \
                 No such file or directory (os error 2)",
                samples.display()
            ),
            format!(
                "$ref target {}/PHP/menu/get.php cannot be read: \
                 No such file or directory (os error 2)",
                samples.display()
            ),
        ]
    );
    let item = operation(&cafe, Method::Delete, "/menu/{menuItemId}");
    assert_eq!(reference_names(item), ["menuItemId"]);
    assert_eq!(item.security, [["OAuth2"]]);

    // Swagger 2.0 split over files: parameters and schemas from siblings.
    let separate = load("openapi-2.0/oai/petstore-separate/spec/swagger.json");
    assert!(separate.warnings.is_empty(), "{:?}", separate.warnings);
    assert_eq!(separate.operations.len(), 4);
    let list = operation(&separate, Method::Get, "/pets");
    let names: Vec<&str> = list.parameters.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["tags", "limit"]);
}

#[test]
fn real_har_captures_load() {
    let load_har = |file: &str| {
        trespass_inventory::har::load_file(&specs().join(file), &[])
            .unwrap_or_else(|error| panic!("{error}"))
    };
    let chrome = load_har("har/mitmproxy-chrome.har");
    assert_eq!((chrome.entries, chrome.inventory.operations.len()), (3, 1));
    assert_eq!(
        chrome.inventory.warnings,
        ["1 request(s) for static files (scripts, styles, images, fonts) skipped"]
    );
    let bom = load_har("har/mitmproxy-with-bom.har");
    assert_eq!(bom.inventory.operations[0].label(), "POST /metrics");
    let post = load_har("har/one-post-json-cookie.har");
    assert_eq!(post.inventory.operations[0].label(), "POST /api/users/queries/getCurrentUser");
    // No identity was given, so no request is anyone's.
    assert!(post.observed.is_empty());
}

#[test]
fn real_postman_collections_load() {
    let load_collection = |file: &str| {
        trespass_inventory::postman::load_file(&specs().join(file), None)
            .unwrap_or_else(|error| panic!("{error}"))
    };
    let capital = load_collection("postman/capital.postman_collection.json");
    assert_eq!(capital.operations.len(), 21);
    assert_eq!(operation(&capital, Method::Get, "/user").security, [["header Authorization"]]);
    assert!(!operation(&capital, Method::Post, "/users").requires_credential());

    // Exported through the Postman API: wrapped in {"collection": …}.
    let crapi = load_collection("postman/crAPI.postman_collection.json");
    assert_eq!(crapi.operations.len(), 37);
    assert_eq!(crapi.security_schemes["bearer"], SecurityScheme::HttpBearer);

    let vapi = load_collection("postman/vAPI.postman_collection.json");
    assert_eq!(vapi.operations.len(), 26);
    let user = operation(&vapi, Method::Get, "/vapi/api1/user/{api1_id}");
    assert_eq!(reference_names(user), ["api1_id"]);
    assert_eq!(user.security, [["header Authorization-Token"]]);
}

#[test]
fn remote_schema_refs_are_warnings_not_fetches() {
    const DEFINITIONS: &str = "https://teamdigitale.github.io/openapi/master/definitions.yaml";
    let inventory = load("openapi-3.0/teamdigitale/defibrillatori-example.yaml");
    assert_eq!(inventory.operations.len(), 6);
    assert_eq!(
        inventory.warnings,
        [
            format!(
                "paths./defibrillatori.get.parameters[1].schema: $ref \
                 \"{DEFINITIONS}#/components/schemas/Latitude\" names a URL, which trespass \
                 never fetches"
            ),
            format!(
                "paths./defibrillatori.get.parameters[2].schema: $ref \
                 \"{DEFINITIONS}#/components/schemas/Longitude\" names a URL, which trespass \
                 never fetches"
            ),
        ]
    );
    let list = operation(&inventory, Method::Get, "/defibrillatori");
    assert_eq!(parameter(list, "lat", ParamLocation::Query).schema_type, None);
}

#[test]
fn missing_file_is_a_read_error() {
    let path = specs().join("openapi-3.0/no-such-spec.yaml");
    let error = load_file(&path).unwrap_err();
    assert!(matches!(error, InventoryError::Read { .. }));
    assert_eq!(
        error.to_string(),
        format!("failed to read spec {}: No such file or directory (os error 2)", path.display())
    );
}

#[test]
fn swagger_2_gotify_security_alternatives_and_ids() {
    let inventory = load("openapi-2.0/gotify/spec.json");
    assert!(inventory.warnings.is_empty(), "{:?}", inventory.warnings);
    assert_eq!(inventory.security_schemes["basicAuth"], SecurityScheme::HttpBasic);
    assert_eq!(
        inventory.security_schemes["clientTokenQuery"],
        SecurityScheme::ApiKey { name: "token".to_owned(), location: ApiKeyLocation::Query }
    );
    let update = operation(&inventory, Method::Put, "/application/{id}");
    assert_eq!(reference_names(update), ["id"]);
    assert_eq!(
        update.security,
        [
            ["clientTokenAuthorizationHeader"],
            ["clientTokenHeader"],
            ["clientTokenQuery"],
            ["basicAuth"]
        ]
    );
    assert_eq!(
        parameter(update, "id", ParamLocation::Path).schema_type.as_deref(),
        Some("integer")
    );
}

#[test]
fn swagger_2_slack_form_fields_and_oauth2() {
    let inventory = load("openapi-2.0/slack/slack_web_openapi_v2.json");
    assert_eq!(inventory.base_path, "/api");
    assert_eq!(inventory.security_schemes["slackAuth"], SecurityScheme::OAuth2);
    let approve = operation(&inventory, Method::Post, "/admin.apps.approve");
    assert_eq!(reference_names(approve), ["app_id", "team_id"]);
    assert_eq!(parameter(approve, "app_id", ParamLocation::Body).location, ParamLocation::Body);
    assert_eq!(approve.security, [["slackAuth"]]);
}

#[test]
fn swagger_2_kubernetes_and_uber() {
    let kubernetes = load("openapi-2.0/kubernetes/swagger.json");
    assert!(kubernetes.warnings.is_empty(), "{:?}", kubernetes.warnings);
    assert_eq!(
        kubernetes.security_schemes["BearerToken"],
        SecurityScheme::ApiKey {
            name: "authorization".to_owned(),
            location: ApiKeyLocation::Header
        }
    );
    let pod = operation(&kubernetes, Method::Get, "/api/v1/namespaces/{namespace}/pods/{name}");
    assert_eq!(pod.security, [["BearerToken"]]);
    let names: Vec<&str> = pod.path_parameters().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["name", "namespace"]);

    let uber = load("openapi-2.0/oai/uber.json");
    assert_eq!(uber.base_path, "/v1");
    let time = operation(&uber, Method::Get, "/estimates/time");
    assert_eq!(reference_names(time), ["customer_uuid", "product_id"]);
    assert_eq!(
        parameter(time, "customer_uuid", ParamLocation::Query).format.as_deref(),
        Some("uuid")
    );
}
