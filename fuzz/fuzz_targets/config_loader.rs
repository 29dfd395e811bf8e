//! The config loader on arbitrary text: it must parse or fail with an
//! error naming a line, never panic. `${VAR}` references resolve to a fixed
//! value so that expansion is exercised too.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let env = |var: &str| (var.len() < 8).then(|| format!("value-of-{var}"));
        if let Err(error) = trespass_config::parse(text, Path::new("fuzz.toml"), &env) {
            // Rendering the message walks the line/column arithmetic.
            let _ = error.to_string();
        }
    }
});
