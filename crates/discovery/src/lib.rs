//! Discovery: which objects does each identity own?
//!
//! For every identity, and once without any credential, [`discover`] calls
//! the operations that list or return objects without naming one (`GET
//! /users`, `GET /me`), and [`harvest`](harvest::harvest) collects the ids
//! in their JSON bodies, nested objects and arrays included, each with the
//! collection it came from. Ids seeded in the config (`owns`) join them.
//!
//! [`Discovery::candidates`] then answers, for one object-reference
//! parameter of one operation, which harvested values fit it
//! ([`fits`](matching::fits): an `id` from the `users` collection fits
//! `{user_id}` of `/users/{user_id}`) and who saw each one. That is the
//! ownership map. A value the anonymous caller saw is public; a value every
//! identity saw is shared; neither is a BOLA candidate.
//!
//! Each listing response is also searched for other callers' credentials
//! ([`exposure`]); a [`Listing`] that exposed any carries an [`Exposure`]
//! with redacted evidence, for the `credential-exposure` verdict.
//!
//! Besides ids, harvesting keeps users' natural keys (`username`, `login`,
//! `handle`, `email`), owned by whoever saw them like any id: a
//! `{username}` path parameter takes them by name, and active mode's
//! body-field probes ask for them with [`Discovery::candidates_named`].

pub mod exposure;
mod harvest;
mod matching;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

use futures::StreamExt;
use trespass_model::{
    Identity, Inventory, Method, Operation, Parameter, RecordedRequest, RecordedResponse,
};
use trespass_transport::{Client, Presenting, Redactor, record};

pub use exposure::{Exposed, Exposure};
pub use harvest::{Harvested, harvest};
pub use matching::{fits, normalize};

use matching::IndexKey;

/// Who saw an id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Seer {
    /// The identity at this index of the scan's identity list.
    Identity(usize),
    /// The caller without credentials.
    Anonymous,
}

/// What one listing request returned.
#[derive(Clone, Debug)]
pub struct Listing {
    /// Who asked.
    pub seer: Seer,
    /// The operation asked.
    pub operation: String,
    /// Status, or `None` when no response arrived.
    pub status: Option<u16>,
    /// Ids found in the body.
    pub ids: Vec<Harvested>,
    /// Credentials of others the body carried, if any.
    pub exposure: Option<Box<Exposure>>,
    /// The request and its response (excerpt masked and redacted), for
    /// verdicts that rest on a listing: kept only where one may cite it, an
    /// identity's successful listing of an operation that
    /// [`is_privileged`] or that a role rule covers (`privilege-escalation`).
    pub exchange: Option<Box<(RecordedRequest, RecordedResponse)>>,
}

/// Path segments and tags that mark an operation as privileged.
const PRIVILEGED_WORDS: &[&str] = &["admin", "admins", "administrator", "superuser"];

/// Whether names say the operation is for administrators: a path segment
/// or a tag is one of `admin`, `admins`, `administrator`, `superuser`.
pub fn is_privileged(operation: &Operation) -> bool {
    let privileged = |word: &str| PRIVILEGED_WORDS.contains(&word.to_ascii_lowercase().as_str());
    operation.path.split('/').any(privileged) || operation.tags.iter().any(|t| privileged(t))
}

/// The result of discovery.
///
/// Queries build an index of the listings on first use; build a
/// `Discovery` with [`Discovery::new`] and do not change its fields after
/// the first query.
#[derive(Clone, Debug, Default)]
pub struct Discovery {
    /// Every listing request and what it yielded.
    pub listings: Vec<Listing>,
    /// Ids seeded by the config, per identity index: parameter name → ids.
    pub seeds: Vec<BTreeMap<String, Vec<String>>>,
    /// Requests that got no response, as messages.
    pub failures: Vec<String>,
    /// Harvested ids by the key they fit under, built on first use, so that
    /// finding the candidates of one parameter costs the same whatever the
    /// number of operations: (listing index, id index) pairs.
    index: OnceLock<HashMap<IndexKey, Vec<(usize, usize)>>>,
    /// Every value seen, built on first use.
    values: OnceLock<BTreeSet<String>>,
}

/// One value that fits a parameter, and who saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// The id as it goes into a URL.
    pub value: String,
    /// Identities that saw it (indexes). More than one means co-owners,
    /// such as two users of one tenant.
    pub owners: BTreeSet<usize>,
    /// Whether the anonymous caller saw it.
    pub public: bool,
}

impl Candidate {
    /// Whether the value is public or every one of `identity_count`
    /// identities saw it, so it belongs to nobody in particular.
    pub fn is_shared(&self, identity_count: usize) -> bool {
        self.public || self.owners.len() >= identity_count
    }
}

/// Calls every listing operation as each identity and as nobody, and
/// harvests ids from the answers.
pub async fn discover(
    client: &Client,
    inventory: &Inventory,
    identities: &[Identity],
) -> Discovery {
    discover_citing(client, inventory, identities, &is_privileged).await
}

/// [`discover`], keeping the exchange of an identity's successful listing
/// wherever `cited` says a verdict may cite it: operations whose names say
/// admin, and those a stated role rule covers.
pub async fn discover_citing(
    client: &Client,
    inventory: &Inventory,
    identities: &[Identity],
    cited: &(dyn Fn(&Operation) -> bool + Sync),
) -> Discovery {
    let listings: Vec<&Operation> =
        inventory.operations.iter().filter(|op| is_listing(op)).collect();
    let seers: Vec<Seer> =
        (0..identities.len()).map(Seer::Identity).chain([Seer::Anonymous]).collect();

    // The client's redactor, which also knows the credentials obtained by
    // signing in again while this runs.
    let redactor = client.redactor().clone();
    redactor.learn_all(identities.iter().map(|i| (&i.name, &i.credential.secret)));
    // A bounded, ordered stream rather than every request at once: each
    // pending request holds a few kilobytes, and an API with thousands of
    // listings would otherwise hold them all.
    let requests = listings.iter().flat_map(|op| seers.iter().map(move |seer| (*op, *seer)));
    // Answers are sorted as they arrive rather than collected first, so
    // that the listings are not held twice.
    let (listings, failures) = futures::stream::iter(requests)
        .map(|(op, seer)| list(client, op, seer, identities, &redactor, cited))
        .buffered(client.concurrency() * 2)
        // Sized once: a listing vector grown by doubling frees each smaller
        // copy, and with thousands of listings those copies are large
        // blocks the allocator keeps mapped.
        .fold(
            (Vec::with_capacity(listings.len() * seers.len()), Vec::new()),
            |(mut listings, mut failures), answer| async move {
                match answer {
                    Ok(listing) => listings.push(listing),
                    Err(message) => failures.push(message),
                }
                (listings, failures)
            },
        )
        .await;
    Discovery::new(listings, identities.iter().map(|i| i.owns.clone()).collect(), failures)
}

impl Discovery {
    /// A discovery result from its parts.
    pub fn new(
        listings: Vec<Listing>,
        seeds: Vec<BTreeMap<String, Vec<String>>>,
        failures: Vec<String>,
    ) -> Self {
        Self { listings, seeds, failures, ..Self::default() }
    }

    /// Values that fit `param` of `operation`, with who saw each, ordered
    /// by value.
    pub fn candidates(&self, operation: &Operation, param: &Parameter) -> Vec<Candidate> {
        let mut found: BTreeMap<String, Candidate> = BTreeMap::new();
        let mut note = |value: &str, seer: Seer| {
            let entry = found.entry(value.to_owned()).or_insert_with(|| Candidate {
                value: value.to_owned(),
                owners: BTreeSet::new(),
                public: false,
            });
            match seer {
                Seer::Identity(i) => {
                    entry.owners.insert(i);
                }
                Seer::Anonymous => entry.public = true,
            }
        };

        let index = self.index.get_or_init(|| {
            let mut index: HashMap<IndexKey, Vec<(usize, usize)>> = HashMap::new();
            for (l, listing) in self.listings.iter().enumerate() {
                for (i, id) in listing.ids.iter().enumerate() {
                    if let Some(key) = matching::index_key(id) {
                        index.entry(key).or_default().push((l, i));
                    }
                }
            }
            index
        });
        // A value may sit under two of the keys (`{user_id}` of `/users`);
        // `note` merges them.
        for key in matching::lookup_keys(operation, param) {
            for &(l, i) in index.get(&key).into_iter().flatten() {
                let listing = &self.listings[l];
                note(&listing.ids[i].value, listing.seer);
            }
        }
        let wanted = matching::param_key(param);
        for (index, seeds) in self.seeds.iter().enumerate() {
            for value in seeds.iter().filter(|(k, _)| normalize(k) == wanted).flat_map(|(_, v)| v) {
                note(value, Seer::Identity(index));
            }
        }
        found.into_values().collect()
    }

    /// Values that fit a body field of `operation` named like any of
    /// `names` (`username`, `login`), merged by value, ordered by value.
    /// For fields whose own name says little (`owner`, `/owner/id`): the
    /// caller says which names their values go by.
    pub fn candidates_named(&self, operation: &Operation, names: &[&str]) -> Vec<Candidate> {
        let mut merged: BTreeMap<String, Candidate> = BTreeMap::new();
        for name in names {
            let param = Parameter {
                name: (*name).to_owned(),
                choices: Vec::new(),
                location: trespass_model::ParamLocation::Body,
                required: false,
                schema_type: None,
                format: None,
                example: None,
                object_reference: true,
            };
            for found in self.candidates(operation, &param) {
                match merged.get_mut(&found.value) {
                    Some(known) => {
                        known.owners.extend(found.owners);
                        known.public |= found.public;
                    }
                    None => {
                        merged.insert(found.value.clone(), found);
                    }
                }
            }
        }
        merged.into_values().collect()
    }

    /// Every value harvested or seeded anywhere, for choosing ids that
    /// surely do not exist.
    pub fn all_values(&self) -> &BTreeSet<String> {
        self.values.get_or_init(|| {
            let harvested = self.listings.iter().flat_map(|l| l.ids.iter().map(|h| &h.value));
            let seeded = self.seeds.iter().flat_map(|s| s.values().flatten());
            harvested.chain(seeded).cloned().collect()
        })
    }

    /// How many listing requests of this identity succeeded where the
    /// anonymous caller's did not: a credential that only opens public
    /// listings proves nothing about being accepted.
    pub fn accepted_listings(&self, seer: Seer) -> usize {
        let succeeded = |l: &Listing| l.status.is_some_and(|s| (200..300).contains(&s));
        let open: BTreeSet<&str> = self
            .listings
            .iter()
            .filter(|l| l.seer == Seer::Anonymous && succeeded(l))
            .map(|l| l.operation.as_str())
            .collect();
        self.listings
            .iter()
            .filter(|l| l.seer == seer && succeeded(l) && !open.contains(l.operation.as_str()))
            .count()
    }

    /// How the identities' listings were answered: status (or `None`, no
    /// response) and count.
    pub fn identity_listing_answers(&self) -> std::collections::BTreeMap<Option<u16>, usize> {
        let mut answers = std::collections::BTreeMap::new();
        for listing in self.listings.iter().filter(|l| l.seer != Seer::Anonymous) {
            *answers.entry(listing.status).or_insert(0) += 1;
        }
        answers
    }

    /// Whether some listing refused the anonymous caller, so that
    /// [`accepted_listings`](Self::accepted_listings) can tell anything.
    pub fn has_protected_listing(&self) -> bool {
        self.listings.iter().any(|l| {
            l.seer == Seer::Anonymous && l.status.is_some_and(|s| !(200..300).contains(&s))
        })
    }
}

/// Whether an operation lists or returns objects without naming one: a GET
/// without path parameters and without required parameters that trespass
/// cannot fill.
pub fn is_listing(operation: &Operation) -> bool {
    operation.method == Method::Get
        && operation.path_parameters().next().is_none()
        && !operation.path.contains('{')
        && operation.parameters.iter().all(|p| !p.required || p.example.is_some())
}

async fn list(
    client: &Client,
    operation: &Operation,
    seer: Seer,
    identities: &[Identity],
    redactor: &Redactor,
    cited: &(dyn Fn(&Operation) -> bool + Sync),
) -> Result<Listing, String> {
    let path = with_required_examples(operation);
    let url = client.url_for(&path).map_err(|e| e.to_string())?;
    let presenting = match seer {
        Seer::Identity(i) => {
            let identity = &identities[i];
            Presenting::Identity { name: &identity.name, credential: &identity.credential }
        }
        Seer::Anonymous => Presenting::Nobody,
    };
    let received = client.send(Method::Get, &url, presenting).await.map_err(|e| e.to_string())?;

    let caller = match seer {
        Seer::Identity(i) => Some(i),
        Seer::Anonymous => None,
    };
    let exposed = exposure::exposed(&received.body, caller, identities);
    let request = record(Method::Get, &url, presenting);
    let response = RecordedResponse {
        status: received.status,
        content_type: received.content_type.clone(),
        body_length: received.body.len(),
        body_excerpt: exposure::masked_excerpt(&received.body, redactor),
    };
    let exposure = (received.is_success() && !exposed.is_empty()).then(|| {
        Box::new(Exposure {
            method: operation.method,
            path: operation.path.clone(),
            request: request.clone(),
            response: response.clone(),
            exposed,
        })
    });

    // Only `privilege-escalation` cites a listing's exchange, and only an
    // identity's successful one on an operation whose names say admin or
    // that a role rule covers; a scan makes thousands of listings, so the
    // others keep none.
    let cited = matches!(seer, Seer::Identity(_)) && received.is_success() && cited(operation);

    let ids = if received.is_success() {
        match serde_json::from_slice::<serde_json::Value>(&received.body) {
            Ok(body) => {
                // Kept for the whole scan, once per listing and caller:
                // without the spare room a growing vector leaves.
                let mut ids = harvest(&body, last_static_segment(&operation.path));
                ids.shrink_to_fit();
                ids
            }
            Err(_) => Vec::new(),
        }
    } else {
        Vec::new()
    };
    tracing::debug!(
        operation = %operation.label(),
        ?seer,
        status = received.status,
        ids = ids.len(),
        "discovery listing"
    );
    Ok(Listing {
        seer,
        operation: operation.label(),
        status: Some(received.status),
        ids,
        exposure,
        exchange: cited.then(|| Box::new((request, response))),
    })
}

/// The operation's path with required query parameters set to their
/// examples.
fn with_required_examples(operation: &Operation) -> String {
    let mut path = operation.path.clone();
    let mut separator = '?';
    for param in operation.parameters.iter().filter(|p| p.required) {
        if let (trespass_model::ParamLocation::Query, Some(example)) =
            (param.location, &param.example)
        {
            path.push(separator);
            path.push_str(&encode(&param.name));
            path.push('=');
            path.push_str(&encode(example));
            separator = '&';
        }
    }
    path
}

/// Percent-encodes a query or path component.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The last segment of a path template that is not a parameter: `users`
/// for `/users` and `/users/{id}`, `` for `/`.
pub fn last_static_segment(path: &str) -> &str {
    path.split('/').rev().find(|s| !s.is_empty() && !s.contains('{')).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use trespass_model::ParamLocation;

    fn op(path: &str, params: &[&str]) -> Operation {
        Operation {
            method: Method::Get,
            path: path.to_owned(),
            operation_id: None,
            tags: vec![],
            parameters: params
                .iter()
                .map(|name| Parameter {
                    name: (*name).to_owned(),
                    choices: Vec::new(),
                    location: ParamLocation::Path,
                    required: true,
                    schema_type: Some("integer".into()),
                    format: None,
                    example: None,
                    object_reference: true,
                })
                .collect(),
            security: vec![vec!["key".into()]],
            responses: vec!["200".into()],
            source: String::new(),
        }
    }

    fn listing(seer: Seer, collection: &str, values: &[&str]) -> Listing {
        Listing {
            seer,
            operation: format!("GET /{collection}"),
            status: Some(200),
            ids: values
                .iter()
                .map(|v| Harvested {
                    key: "id".into(),
                    value: (*v).into(),
                    collection: collection.into(),
                })
                .collect(),
            exposure: None,
            exchange: None,
        }
    }

    #[test]
    fn ownership_separates_owned_co_owned_shared_and_public() {
        let discovery = Discovery {
            listings: vec![
                listing(Seer::Identity(0), "invoices", &["101", "102", "900"]),
                listing(Seer::Identity(1), "invoices", &["201", "900"]),
                listing(Seer::Identity(2), "invoices", &["101", "900"]),
                listing(Seer::Anonymous, "invoices", &["55"]),
                listing(Seer::Identity(1), "users", &["2"]),
            ],
            seeds: vec![BTreeMap::from([("invoice_id".to_owned(), vec!["103".to_owned()])])],
            failures: vec![],
            ..Discovery::default()
        };
        let operation = op("/invoices/{invoice_id}", &["invoice_id"]);
        let got = discovery.candidates(&operation, &operation.parameters[0]);
        let summary: Vec<(&str, Vec<usize>, bool, bool)> = got
            .iter()
            .map(|c| {
                (c.value.as_str(), c.owners.iter().copied().collect(), c.public, c.is_shared(3))
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                ("101", vec![0, 2], false, false),
                ("102", vec![0], false, false),
                ("103", vec![0], false, false),
                ("201", vec![1], false, false),
                ("55", vec![], true, true),
                ("900", vec![0, 1, 2], false, true),
            ]
        );
    }

    #[test]
    fn natural_keys_are_owned_like_ids_and_merged_across_names() {
        let named = |seer, key: &str, value: &str| Listing {
            seer,
            operation: "GET /me".into(),
            status: Some(200),
            ids: vec![Harvested { key: key.into(), value: value.into(), collection: "me".into() }],
            exposure: None,
            exchange: None,
        };
        let discovery = Discovery::new(
            vec![
                named(Seer::Identity(0), "username", "alice"),
                named(Seer::Identity(1), "user_name", "bob"),
                named(Seer::Identity(1), "login", "alice"),
                named(Seer::Identity(1), "email", "bob@globex.example"),
                named(Seer::Identity(0), "handle", "carol"),
            ],
            vec![],
            vec![],
        );
        let create = op("/projects", &[]);
        let found: Vec<(String, Vec<usize>)> = discovery
            .candidates_named(&create, &["username", "login"])
            .into_iter()
            .map(|c| (c.value, c.owners.into_iter().collect()))
            .collect();
        // `alice` was seen by both (as alice's username and in bob's
        // `login`): shared. `carol` goes by `handle`, not asked for.
        assert_eq!(found, [("alice".to_owned(), vec![0, 1]), ("bob".to_owned(), vec![1])]);
        let emails = discovery.candidates_named(&create, &["email"]);
        assert_eq!(emails.len(), 1);
        assert_eq!(emails[0].value, "bob@globex.example");
    }

    #[test]
    fn listings_are_gets_without_path_parameters() {
        assert!(is_listing(&op("/users", &[])));
        assert!(!is_listing(&op("/users/{id}", &["id"])));
        let mut post = op("/users", &[]);
        post.method = Method::Post;
        assert!(!is_listing(&post));
    }

    #[test]
    fn encode_keeps_unreserved_characters_only() {
        assert_eq!(encode("a b/c?d=é"), "a%20b%2Fc%3Fd%3D%C3%A9");
        assert_eq!(encode("AZaz09-._~"), "AZaz09-._~");
    }

    #[test]
    fn last_static_segment_skips_parameters() {
        assert_eq!(last_static_segment("/tenants/{t}/invoices/{id}"), "invoices");
        assert_eq!(last_static_segment("/users"), "users");
        assert_eq!(last_static_segment("/"), "");
    }
}
