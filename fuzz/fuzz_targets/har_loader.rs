//! The HAR loader on arbitrary text: a capture must load or fail with an
//! error, never panic or hang. Two identities with known credentials are
//! given so that recognising who made a request is exercised too, and
//! nothing the loader returns may hold either credential. Seed the corpus
//! with `../shared/specs/har/` (see README).
#![no_main]

use libfuzzer_sys::fuzz_target;
use trespass_inventory::har::{self, KnownCredential};
use trespass_model::{IdentityName, Secret};

/// The credentials the seeds in `fuzz/seeds/har` carry.
const ALICE_KEY: &str = "key-of-alice-123";
const BOB_KEY: &str = "key-of-bob-456";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (alice, bob) = (IdentityName::new("alice"), IdentityName::new("bob"));
    let (alice_key, bob_key) = (Secret::new(ALICE_KEY), Secret::new(BOB_KEY));
    let known = [
        KnownCredential { name: &alice, secret: &alice_key },
        KnownCredential { name: &bob, secret: &bob_key },
    ];
    match har::from_str(text, "fuzz.har", &known) {
        Ok(capture) => {
            let dump = format!("{capture:?}");
            assert!(!dump.contains(ALICE_KEY) && !dump.contains(BOB_KEY), "{dump}");
            for operation in &capture.inventory.operations {
                assert!(operation.path.starts_with('/'), "{}", operation.path);
            }
        }
        Err(error) => {
            let _ = error.to_string();
        }
    }
});
