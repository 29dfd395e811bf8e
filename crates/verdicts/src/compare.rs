//! Comparing responses by what they carry, not by their status.
//!
//! The central question of a BOLA verdict is whether a response carries the
//! owner's data. A bare 200 does not answer it: the endpoint may ignore the
//! id and return the caller's own object, or serve public data. So the rule
//! is by content:
//!
//! - The **values** of a JSON body are its scalar leaves as text (strings
//!   and numbers; `true`, `false` and `null` say nothing about an owner).
//!   A body that is not JSON is split into words of four characters or more.
//! - The **owner-unique** values are those of the owner's own response that
//!   the other identity's own object does not have, less the ids that were
//!   requested (an endpoint may echo the id it was asked for).
//! - A response **carries** the owner's data when it contains owner-unique
//!   values.
//!
//! **Noise.** Values that vary between identical requests (timestamps,
//! nonces, request ids) belong to nobody. The probes repeat the owner's
//! baseline and each identity's control once; a [`Noise`] model learns from
//! each pair which JSON fields changed (by path, array indexes generalised
//! to `*`), or for text bodies which words. Those fields and words are left
//! out of every comparison here: of the values above, of the equality of
//! two bodies ([`same_content`]) and of error bodies ([`bodies_differ`]).
//! JSON bodies are compared structurally, field by field; bodies that are
//! not JSON fall back to the similarity of their word sets. Without the
//! repeat, a varying value would rarely cause a false leak (it differs in
//! every response), but it would make every two error bodies differ and
//! every two bodies unequal, which is how a naive scanner reports an
//! existence oracle on each endpoint.

use std::collections::BTreeSet;

use serde_json::Value;
use trespass_probes::Reply;

/// Depth beyond which a body is not walked; bodies are untrusted.
const MAX_DEPTH: usize = 64;
/// Words shorter than this in non-JSON bodies are too common to prove
/// anything.
const MIN_WORD: usize = 4;

/// Two text bodies whose word sets (noise left out) overlap less than this
/// (Jaccard index) say different things.
const TEXT_SIMILARITY: f64 = 0.8;

/// What varies between identical requests to one operation: JSON field
/// paths (`/request_id`, `/items/*/seen_at`) and, for text bodies, words.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Noise {
    /// JSON pointer-like paths whose value changed between two identical
    /// requests; array indexes are written `*`.
    pub paths: BTreeSet<String>,
    /// Words of text bodies that appeared in only one of two identical
    /// responses.
    pub words: BTreeSet<String>,
}

impl Noise {
    /// Learns from two answers to the same request.
    pub fn learn(&mut self, first: &Reply, second: &Reply) {
        let parse = |reply: &Reply| serde_json::from_slice::<Value>(&reply.body).ok();
        match (parse(first), parse(second)) {
            (Some(a), Some(b)) => diff_paths(&a, &b, "", 0, &mut self.paths),
            (None, None) => {
                let a = words(&String::from_utf8_lossy(&first.body));
                let b = words(&String::from_utf8_lossy(&second.body));
                self.words.extend(a.symmetric_difference(&b).cloned());
            }
            // One JSON and one not: the whole body varies.
            _ => {
                self.paths.insert(String::new());
            }
        }
    }

    /// Whether nothing was learned.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty() && self.words.is_empty()
    }
}

/// The values of a body, as described in the module docs, noise left out.
pub fn values(reply: &Reply, noise: &Noise) -> BTreeSet<String> {
    match serde_json::from_slice::<Value>(&reply.body) {
        Ok(json) => {
            let mut out = BTreeSet::new();
            leaves(&mask(&json, "", noise, 0), 0, &mut out);
            out
        }
        Err(_) => {
            let mut words = words(&String::from_utf8_lossy(&reply.body));
            words.retain(|w| !noise.words.contains(w));
            words
        }
    }
}

/// Whether two bodies say the same once noise is left out: equal JSON
/// structures, or, for text, word sets at least [`TEXT_SIMILARITY`] alike.
pub fn same_content(a: &Reply, b: &Reply, noise: &Noise) -> bool {
    let parse = |reply: &Reply| serde_json::from_slice::<Value>(&reply.body).ok();
    match (parse(a), parse(b)) {
        (Some(a), Some(b)) => mask(&a, "", noise, 0) == mask(&b, "", noise, 0),
        (None, None) => a.body == b.body || text_similarity(a, b, noise) >= TEXT_SIMILARITY,
        _ => false,
    }
}

/// Values of `owner` absent from `other` (the other identity's own object,
/// when known), less `excluded` (the requested ids).
pub fn owner_unique(
    owner: &BTreeSet<String>,
    other: Option<&BTreeSet<String>>,
    excluded: &[&str],
) -> BTreeSet<String> {
    owner
        .iter()
        .filter(|v| other.is_none_or(|o| !o.contains(*v)))
        .filter(|v| !excluded.contains(&v.as_str()))
        .cloned()
        .collect()
}

/// The owner-unique values that `candidate` carries.
pub fn carried<'u>(candidate: &BTreeSet<String>, unique: &'u BTreeSet<String>) -> Vec<&'u str> {
    unique.iter().filter(|v| candidate.contains(*v)).map(String::as_str).collect()
}

/// Whether two error bodies say different things once the requested ids are
/// masked, the learned noise left out and volatile-looking values (which a
/// single repeat may miss: two requests in one second share a timestamp)
/// ignored. JSON bodies are compared structurally; text bodies by their
/// word sets, and only when a noise model was learned, since without one
/// an embedded date or trace id would be taken for a difference.
pub fn bodies_differ(a: &Reply, b: &Reply, ids: &[&str], noise: &Noise) -> bool {
    let ids: Vec<&str> = ids.iter().copied().filter(|id| !id.is_empty()).collect();
    // In JSON the ids are masked leaf by leaf, after parsing: replacing them
    // in the raw text would also cut numbers that merely contain one (the
    // id `12` inside a balance of `1250`) and break the document.
    let parse = |reply: &Reply| {
        let value = serde_json::from_slice::<Value>(&reply.body).ok()?;
        Some(stable(&mask(&mask_ids(&value, &ids, 0), "", noise, 0), 0))
    };
    let masked_text = |reply: &Reply| {
        let mut text = String::from_utf8_lossy(&reply.body).into_owned();
        for id in &ids {
            text = text.replace(id, "{id}");
        }
        text
    };
    match (parse(a), parse(b)) {
        (Some(a), Some(b)) => a != b,
        (None, None) if !noise.is_empty() => {
            let (text_a, text_b) = (masked_text(a), masked_text(b));
            let strip = |text: &str| {
                let mut set = words(text);
                set.retain(|w| !noise.words.contains(w) && !looks_volatile(w));
                set
            };
            jaccard(&strip(&text_a), &strip(&text_b)) < TEXT_SIMILARITY
        }
        _ => false,
    }
}

fn text_similarity(a: &Reply, b: &Reply, noise: &Noise) -> f64 {
    let strip = |reply: &Reply| {
        let mut set = words(&String::from_utf8_lossy(&reply.body));
        set.retain(|w| !noise.words.contains(w));
        set
    };
    jaccard(&strip(a), &strip(b))
}

/// |a ∩ b| / |a ∪ b|, and 1 for two empty sets.
fn jaccard(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        return 1.0;
    }
    let shared = a.intersection(b).count();
    // Word counts of capped bodies are far below 2^52: exact as f64.
    shared as f64 / union as f64
}

/// Records in `out` the paths where `a` and `b` differ: a field present in
/// one only, or a leaf with two values. Array elements are compared by
/// position under the path `…/*`.
fn diff_paths(a: &Value, b: &Value, path: &str, depth: usize, out: &mut BTreeSet<String>) {
    if depth > MAX_DEPTH {
        out.insert(path.to_owned());
        return;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for key in x.keys().chain(y.keys()) {
                let child = format!("{path}/{}", escape(key));
                match (x.get(key), y.get(key)) {
                    (Some(p), Some(q)) => diff_paths(p, q, &child, depth + 1, out),
                    _ => {
                        out.insert(child);
                    }
                }
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            let child = format!("{path}/*");
            if x.len() != y.len() {
                out.insert(child);
                return;
            }
            for (p, q) in x.iter().zip(y) {
                diff_paths(p, q, &child, depth + 1, out);
            }
        }
        (p, q) if p != q => {
            out.insert(path.to_owned());
        }
        _ => {}
    }
}

/// A copy of `value` without the fields and elements at noise paths.
fn mask(value: &Value, path: &str, noise: &Noise, depth: usize) -> Value {
    if noise.paths.is_empty() {
        return value.clone();
    }
    if depth > MAX_DEPTH || noise.paths.contains(path) {
        return Value::Null;
    }
    match value {
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .filter_map(|(k, v)| {
                    let child = format!("{path}/{}", escape(k));
                    (!noise.paths.contains(&child))
                        .then(|| (k.clone(), mask(v, &child, noise, depth + 1)))
                })
                .collect(),
        ),
        Value::Array(items) => {
            let child = format!("{path}/*");
            Value::Array(items.iter().map(|v| mask(v, &child, noise, depth + 1)).collect())
        }
        other => other.clone(),
    }
}

/// A copy of `value` with each id replaced by `{id}`: a number leaf equal
/// to one, and each occurrence inside a string leaf.
fn mask_ids(value: &Value, ids: &[&str], depth: usize) -> Value {
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    match value {
        Value::Number(n) if ids.contains(&n.to_string().as_str()) => Value::from("{id}"),
        Value::String(s) => {
            Value::String(ids.iter().fold(s.clone(), |text, id| text.replace(id, "{id}")))
        }
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| mask_ids(v, ids, depth + 1)).collect())
        }
        Value::Object(fields) => Value::Object(
            fields.iter().map(|(k, v)| (k.clone(), mask_ids(v, ids, depth + 1))).collect(),
        ),
        other => other.clone(),
    }
}

/// JSON pointer escaping of one key (`~` → `~0`, `/` → `~1`).
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn leaves(value: &Value, depth: usize, out: &mut BTreeSet<String>) {
    if depth > MAX_DEPTH {
        return;
    }
    match value {
        Value::String(s) if !s.is_empty() => {
            out.insert(s.clone());
        }
        Value::Number(n) => {
            out.insert(n.to_string());
        }
        Value::Array(items) => items.iter().for_each(|v| leaves(v, depth + 1, out)),
        Value::Object(fields) => fields.values().for_each(|v| leaves(v, depth + 1, out)),
        _ => {}
    }
}

fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_alphanumeric() || matches!(c, '@' | '.' | '-' | '_')))
        .filter(|w| w.chars().count() >= MIN_WORD)
        .map(str::to_owned)
        .collect()
}

/// A copy of `value` with volatile-looking strings (timestamps, UUIDs, long
/// hex or digit runs) replaced by a marker, so that two error bodies that
/// differ only in a trace id or a time compare equal.
fn stable(value: &Value, depth: usize) -> Value {
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    match value {
        Value::String(s) if looks_volatile(s) => Value::String("{volatile}".to_owned()),
        Value::Array(items) => Value::Array(items.iter().map(|v| stable(v, depth + 1)).collect()),
        Value::Object(fields) => {
            Value::Object(fields.iter().map(|(k, v)| (k.clone(), stable(v, depth + 1))).collect())
        }
        other => other.clone(),
    }
}

fn looks_volatile(s: &str) -> bool {
    let hexish = s.len() >= 16 && s.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    let timestamp = s.len() >= 10
        && s.as_bytes().get(4) == Some(&b'-')
        && s.as_bytes().get(7) == Some(&b'-')
        && s.get(..4).is_some_and(|y| y.bytes().all(|b| b.is_ascii_digit()));
    hexish || timestamp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quiet() -> Noise {
        Noise::default()
    }

    fn reply(body: &str) -> Reply {
        Reply {
            status: 200,
            content_type: None,
            body: body.as_bytes().to_vec(),
            truncated: false,
            excerpt: String::new(),
        }
    }

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn json_values_are_scalar_leaves() {
        let r =
            reply(r#"{"id":1,"name":"Alice","tags":["a",{"x":2.5}],"ok":true,"n":null,"e":""}"#);
        assert_eq!(values(&r, &quiet()), set(&["1", "2.5", "Alice", "a"]));
    }

    #[test]
    fn text_values_are_words() {
        let r = reply("<p>Owner: alice@acme.example, plan gold</p>");
        assert_eq!(values(&r, &quiet()), set(&["Owner", "alice@acme.example", "gold", "plan"]));
    }

    #[test]
    fn unique_values_leave_out_the_other_object_and_requested_ids() {
        let owner = set(&["1", "Alice", "alice@x", "dark"]);
        let other = set(&["2", "Bob", "bob@x", "dark"]);
        assert_eq!(owner_unique(&owner, Some(&other), &["1"]), set(&["Alice", "alice@x"]));
        assert_eq!(owner_unique(&owner, None, &["1"]), set(&["Alice", "alice@x", "dark"]));
    }

    #[test]
    fn carried_lists_unique_values_present() {
        let unique = set(&["Alice", "alice@x"]);
        assert_eq!(carried(&set(&["Alice", "2"]), &unique), vec!["Alice"]);
        assert!(carried(&set(&["Bob"]), &unique).is_empty());
    }

    #[test]
    fn error_bodies_differ_only_in_stable_content() {
        let forbidden = reply(r#"{"error":"forbidden"}"#);
        let missing = reply(r#"{"error":"not found"}"#);
        assert!(bodies_differ(&forbidden, &missing, &["1"], &quiet()));

        let a = reply(r#"{"error":"no user 11","trace":"4bf92f3577b34da6a3ce929d0e0e4736"}"#);
        let b = reply(r#"{"error":"no user 99999","trace":"00f067aa0ba902b7a3ce929d0e0e4736"}"#);
        assert!(!bodies_differ(&a, &b, &["11", "99999"], &quiet()));

        let a = reply(r#"{"error":"nope","at":"2026-12-04T10:00:00Z"}"#);
        let b = reply(r#"{"error":"nope","at":"2026-12-04T10:00:01Z"}"#);
        assert!(!bodies_differ(&a, &b, &[], &quiet()));

        assert!(!bodies_differ(&reply("forbidden"), &reply("not found"), &[], &quiet()));
    }

    #[test]
    fn an_id_inside_a_larger_number_is_not_masked() {
        // The id 12 inside a balance of 1250: masking it in the raw text
        // broke both documents, and their request ids then made them
        // differ, an existence oracle on an endpoint that ignores the id.
        let mut noise = Noise::default();
        noise.learn(
            &reply(r#"{"account_id":11,"balance":1250,"request_id":"req-1"}"#),
            &reply(r#"{"account_id":11,"balance":1250,"request_id":"req-2"}"#),
        );
        let asked_12 = reply(r#"{"account_id":11,"balance":1250,"request_id":"req-89"}"#);
        let asked_absent = reply(r#"{"account_id":11,"balance":1250,"request_id":"req-86"}"#);
        assert!(!bodies_differ(&asked_12, &asked_absent, &["12", "99999"], &noise));
        // An echoed id is still masked, as a number and inside a string.
        let a = reply(r#"{"id":12,"error":"no account 12"}"#);
        let b = reply(r#"{"id":99999,"error":"no account 99999"}"#);
        assert!(!bodies_differ(&a, &b, &["12", "99999"], &quiet()));
    }

    #[test]
    fn noise_is_learned_from_a_repeat_and_left_out_of_every_comparison() {
        let first = reply(r#"{"id":11,"iban":"DE44","request_id":"req-7","items":[{"at":"t1"}]}"#);
        let again = reply(r#"{"id":11,"iban":"DE44","request_id":"req-9","items":[{"at":"t2"}]}"#);
        let mut noise = Noise::default();
        noise.learn(&first, &again);
        assert_eq!(noise.paths, set(&["/items/*/at", "/request_id"]));
        assert_eq!(values(&first, &noise), set(&["11", "DE44"]));
        assert!(same_content(&first, &again, &noise));
        assert!(!same_content(&first, &again, &quiet()));

        // Error bodies that differ only in learned noise do not differ; a
        // request id of no volatile look is caught only by the learning.
        let forbidden = reply(r#"{"error":"forbidden","request_id":"req-12"}"#);
        let missing = reply(r#"{"error":"forbidden","request_id":"req-13"}"#);
        assert!(bodies_differ(&forbidden, &missing, &[], &quiet()));
        assert!(!bodies_differ(&forbidden, &missing, &[], &noise));
        let missing = reply(r#"{"error":"not found","request_id":"req-14"}"#);
        assert!(bodies_differ(&forbidden, &missing, &[], &noise));
    }

    #[test]
    fn text_bodies_fall_back_to_word_similarity() {
        let first = reply("Forbidden: object belongs to another account (trace abc123xyz)");
        let again = reply("Forbidden: object belongs to another account (trace qrs789tuv)");
        let missing = reply("Not Found: there is no such object here (trace zzz000yyy)");
        let mut noise = Noise::default();
        noise.learn(&first, &again);
        assert_eq!(noise.words, set(&["abc123xyz", "qrs789tuv"]));
        assert!(same_content(&first, &again, &noise));
        assert!(!bodies_differ(&first, &again, &[], &noise));
        assert!(bodies_differ(&first, &missing, &[], &noise));
        assert!(!same_content(&first, &missing, &noise));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn json_value() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                any::<i64>().prop_map(Value::from),
                ".{0,12}".prop_map(Value::String),
            ];
            leaf.prop_recursive(6, 64, 6, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                    prop::collection::btree_map("[a-z_]{1,8}", inner, 0..6)
                        .prop_map(|m| Value::Object(m.into_iter().collect())),
                ]
            })
        }

        fn string_set() -> impl Strategy<Value = BTreeSet<String>> {
            prop::collection::btree_set("[a-z0-9]{1,6}", 0..12)
        }

        proptest! {
            /// Target bodies are untrusted: any bytes yield values, never a
            /// panic, and every value is non-empty.
            #[test]
            fn any_body_yields_values_without_panicking(body in prop::collection::vec(any::<u8>(), 0..512)) {
                let r = Reply { status: 200, content_type: None, body, truncated: false, excerpt: String::new() };
                prop_assert!(values(&r, &Noise::default()).iter().all(|v| !v.is_empty()));
            }

            /// Every non-empty string and every number of a JSON body is one
            /// of its values.
            #[test]
            fn json_leaves_are_values(value in json_value()) {
                let r = reply(&value.to_string());
                let found = values(&r, &Noise::default());
                let mut expected = BTreeSet::new();
                leaves(&value, 0, &mut expected);
                prop_assert_eq!(found, expected);
            }

            /// The central no-false-alarm rule: a response that is only the
            /// other identity's own object carries nothing of the owner's.
            #[test]
            fn the_other_identitys_own_object_never_carries_owner_data(
                owner in string_set(), other in string_set(), ids in string_set(),
            ) {
                let excluded: Vec<&str> = ids.iter().map(String::as_str).collect();
                let unique = owner_unique(&owner, Some(&other), &excluded);
                prop_assert!(carried(&other, &unique).is_empty());
                prop_assert!(unique.is_subset(&owner));
                prop_assert!(unique.iter().all(|v| !ids.contains(v) && !other.contains(v)));
            }

            /// What is carried is unique to the owner and present in the
            /// candidate; the owner's own response carries all of it.
            #[test]
            fn carried_values_are_unique_and_present(
                owner in string_set(), other in string_set(), candidate in string_set(),
            ) {
                let unique = owner_unique(&owner, Some(&other), &[]);
                for v in carried(&candidate, &unique) {
                    prop_assert!(unique.contains(v) && candidate.contains(v));
                }
                prop_assert_eq!(carried(&owner, &unique).len(), unique.len());
            }

            /// A body never differs from itself, and the comparison is
            /// symmetric.
            #[test]
            fn bodies_differ_is_irreflexive_and_symmetric(
                a in json_value(), b in json_value(), id in "[0-9]{1,4}",
            ) {
                let (a, b) = (reply(&a.to_string()), reply(&b.to_string()));
                let ids = [id.as_str()];
                prop_assert!(!bodies_differ(&a, &a, &ids, &Noise::default()));
                prop_assert_eq!(bodies_differ(&a, &b, &ids, &Noise::default()), bodies_differ(&b, &a, &ids, &Noise::default()));
            }
        }
    }
}
