//! The spec loader on arbitrary text: OpenAPI as JSON or YAML must load or
//! fail with an error, never panic or hang. Seed the corpus with
//! `../shared/specs/` (see README).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = trespass_inventory::load_str(text, "fuzz.yaml");
    }
});
