//! The response comparator on arbitrary bodies: three target responses
//! (the owner's, another identity's own, and the cross-identity one) and
//! an id, split from the input. Nothing a target sends may panic it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trespass_probes::Reply;
use trespass_verdicts::compare::{bodies_differ, carried, owner_unique, values};

fn reply(body: &[u8]) -> Reply {
    Reply {
        status: 200,
        content_type: None,
        body: body.to_vec(),
        truncated: false,
        excerpt: String::new(),
    }
}

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(4, |b| *b == 0xff);
    let owner = reply(parts.next().unwrap_or_default());
    let other = reply(parts.next().unwrap_or_default());
    let cross = reply(parts.next().unwrap_or_default());
    let id = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();

    let (owner_values, other_values) = (values(&owner), values(&other));
    let unique = owner_unique(&owner_values, Some(&other_values), &[id.as_str()]);
    let found = carried(&values(&cross), &unique);
    assert!(found.iter().all(|v| unique.contains(*v)));
    assert!(carried(&other_values, &unique).is_empty());
    let _ = bodies_differ(&owner, &cross, &[id.as_str()]);
    assert!(!bodies_differ(&owner, &owner, &[id.as_str()]));
});
