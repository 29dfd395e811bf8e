//! The Postman loader on arbitrary text: a collection, and after a `0xff`
//! byte an environment, must load or fail with an error, never panic or
//! hang. Seed the corpus with `../shared/specs/postman/` (see README).
#![no_main]

use libfuzzer_sys::fuzz_target;
use trespass_inventory::postman;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(2, |b| *b == 0xff);
    let Ok(collection) = std::str::from_utf8(parts.next().unwrap_or_default()) else {
        return;
    };
    let environment = match parts.next().map(std::str::from_utf8) {
        None => None,
        Some(Ok(text)) => Some((text, "fuzz.postman_environment.json")),
        Some(Err(_)) => return,
    };
    match postman::from_str(collection, "fuzz.postman_collection.json", environment) {
        Ok(inventory) => {
            for operation in &inventory.operations {
                assert!(operation.path.starts_with('/'), "{}", operation.path);
            }
        }
        Err(error) => {
            let _ = error.to_string();
        }
    }
});
