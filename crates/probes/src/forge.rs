//! Made-up values of the right shape: credentials no identity owns, and ids
//! no object has.
//!
//! Both keep the shape of a real value (length, and which positions are
//! digits, lowercase or uppercase letters), because an API that checks the
//! shape first would otherwise answer "malformed" and hide the fault the
//! probe looks for. Neither depends on the real value's characters, so
//! neither reveals anything about a secret.

use std::collections::BTreeSet;

/// A credential with the shape of `secret` that equals none of `taken`.
pub fn forged_credential(secret: &str, taken: &[&str]) -> String {
    for round in 0..8u32 {
        let forged: String = secret
            .chars()
            .enumerate()
            .map(|(i, c)| {
                // Position-dependent, so runs of one class still vary.
                let i = u32::try_from(i).unwrap_or(0).wrapping_add(round);
                if c.is_ascii_digit() {
                    char_at(b'0', 10, i.wrapping_mul(7).wrapping_add(3))
                } else if c.is_ascii_lowercase() {
                    char_at(b'a', 26, i.wrapping_mul(11).wrapping_add(5))
                } else if c.is_ascii_uppercase() {
                    char_at(b'A', 26, i.wrapping_mul(11).wrapping_add(5))
                } else if c.is_alphanumeric() {
                    'x'
                } else {
                    c
                }
            })
            .collect();
        if !taken.contains(&forged.as_str()) {
            return forged;
        }
    }
    // Eight distinct rotations all taken cannot happen with real keys; a
    // prefix keeps the result wrong all the same.
    format!("x{secret}").chars().rev().collect()
}

/// An id with the shape of `sample` that is none of `known`.
///
/// Integers become a run of nines a few digits longer (`7` → `9999`), still
/// within 32 bits where the sample was; UUIDs become the all-`f` version-4
/// UUID; other strings keep their shape with digits, lowercase and
/// uppercase letters replaced.
pub fn absent_id(sample: &str, known: &BTreeSet<String>) -> String {
    let candidates: Vec<String> = if !sample.is_empty()
        && sample.bytes().all(|b| b.is_ascii_digit())
    {
        let len = sample.len().max(sample.len().saturating_add(3).min(9));
        ['9', '8', '7', '6', '5'].iter().map(|d| d.to_string().repeat(len)).collect()
    } else if is_uuid(sample) {
        let upper = sample.chars().any(|c| c.is_ascii_uppercase());
        let base = ["ffffffff-ffff-4fff-bfff-ffffffffffff", "eeeeeeee-eeee-4eee-beee-eeeeeeeeeeee"];
        base.iter().map(|u| if upper { u.to_ascii_uppercase() } else { (*u).to_owned() }).collect()
    } else {
        [('9', 'z', 'Z'), ('8', 'y', 'Y'), ('7', 'x', 'X')]
            .iter()
            .map(|(d, l, u)| {
                sample
                    .chars()
                    .map(|c| match c {
                        '0'..='9' => *d,
                        'a'..='z' => *l,
                        'A'..='Z' => *u,
                        other => other,
                    })
                    .collect()
            })
            .collect()
    };
    candidates
        .into_iter()
        .find(|c| c != sample && !known.contains(c.as_str()))
        .unwrap_or_else(|| format!("{sample}-trespass-absent"))
}

fn char_at(base: u8, span: u32, n: u32) -> char {
    // `n % span` is below 26, so the sum stays within ASCII.
    char::from(base + u8::try_from(n % span).unwrap_or(0))
}

fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forged_credentials_keep_the_shape_and_differ() {
        let secret = "lab-key-alice-7f3a9c2e41";
        let forged = forged_credential(secret, &[secret]);
        assert_eq!(forged.len(), secret.len());
        assert_ne!(forged, secret);
        for (a, b) in secret.chars().zip(forged.chars()) {
            assert_eq!(a.is_ascii_digit(), b.is_ascii_digit());
            assert_eq!(a.is_ascii_lowercase(), b.is_ascii_lowercase());
            if !a.is_ascii_alphanumeric() {
                assert_eq!(a, b);
            }
        }
    }

    #[test]
    fn forged_credentials_do_not_depend_on_the_secret_characters() {
        assert_eq!(forged_credential("abc-123", &[]), forged_credential("xyz-987", &[]));
    }

    #[test]
    fn forged_credential_skips_taken_values() {
        let first = forged_credential("abcd", &[]);
        let second = forged_credential("abcd", &[first.as_str()]);
        assert_ne!(first, second);
        assert_eq!(second.len(), 4);
    }

    #[test]
    fn absent_ids_keep_the_shape() {
        let known: BTreeSet<String> = ["1", "2", "9999"].into_iter().map(String::from).collect();
        assert_eq!(absent_id("1", &known), "8888");
        assert_eq!(absent_id("101", &BTreeSet::new()), "999999");
        assert_eq!(absent_id("123456789", &BTreeSet::new()), "999999999");
        assert_eq!(
            absent_id("3F2504E0-4F89-41D3-9A0C-0305E82C3301", &BTreeSet::new()),
            "FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF"
        );
        assert_eq!(absent_id("ord_A12b", &BTreeSet::new()), "zzz_Z99z");
        assert_eq!(absent_id("zzz", &BTreeSet::new()), "yyy");
    }
}
