//! Sequential neighbours: the ids next to an owned integer id that no
//! identity of the scan is known to own.
//!
//! When identity A owns object `N` of an operation and the varied id is a
//! plain decimal integer, [`plan_neighbours`] picks `N-1`, `N+1`, and so
//! on up to `per_side` ids on each side, leaving out every value that
//! discovery saw anywhere (those belong to an identity or are public, and
//! the cross-identity probes cover them), ids below 1, and duplicates.
//! [`run_neighbours`] asks for each neighbour as every identity, so the
//! verdict can tell a caller's own object from someone else's.
//!
//! The scan sends these only on operations where an outsider has already
//! been shown to read an owner's object. Elsewhere a neighbour that one
//! identity can read is most likely its own object that no listing showed,
//! and one that every identity reads alike is shared: neither proves a
//! fault, and asking would read strangers' objects for nothing.

use std::collections::BTreeSet;

use futures::future::join_all;
use trespass_model::Operation;
use trespass_transport::Presenting;

use crate::{Context, Observation, OperationPlan, send};

/// The longest integer id taken as sequential: past it the value is more
/// likely a random number than a counter.
const MAX_DIGITS: usize = 18;

/// An id next to an owned one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Neighbour {
    /// The neighbour id.
    pub value: String,
    /// The owned id it is next to.
    pub next_to: String,
    /// Index of the identity that owns `next_to`.
    pub owner: usize,
    /// The owner's request values with the varied id replaced by the
    /// neighbour.
    pub values: Vec<(String, String)>,
}

/// What every identity got for one neighbour.
#[derive(Clone, Debug)]
pub struct NeighbourProbe {
    /// The neighbour.
    pub neighbour: Neighbour,
    /// Each identity's request for it: (identity, observation).
    pub asked: Vec<(usize, Observation)>,
}

/// The neighbours of each planned object's varied id, at most `per_side`
/// on each side, none of them in `known`.
pub fn plan_neighbours(
    plan: &OperationPlan,
    known: &BTreeSet<String>,
    per_side: u32,
) -> Vec<Neighbour> {
    let mut planned: Vec<Neighbour> = Vec::new();
    for object in &plan.objects {
        let Some((_, owned)) = object.values.iter().find(|(name, _)| *name == plan.varied) else {
            continue;
        };
        let Some(number) = sequential(owned) else { continue };
        for step in 1..=u64::from(per_side) {
            for candidate in [number.checked_sub(step), number.checked_add(step)] {
                let Some(candidate) = candidate.filter(|c| *c >= 1) else { continue };
                let value = candidate.to_string();
                if known.contains(&value) || planned.iter().any(|n| n.value == value) {
                    continue;
                }
                let values = object
                    .values
                    .iter()
                    .map(|(name, v)| {
                        let v = if *name == plan.varied { value.clone() } else { v.clone() };
                        (name.clone(), v)
                    })
                    .collect();
                planned.push(Neighbour {
                    value,
                    next_to: owned.clone(),
                    owner: object.owner,
                    values,
                });
            }
        }
    }
    planned
}

/// Asks for every neighbour as every identity.
pub async fn run_neighbours(
    context: Context<'_>,
    operation: &Operation,
    neighbours: Vec<Neighbour>,
) -> Vec<NeighbourProbe> {
    let asks = neighbours.into_iter().map(|neighbour| async move {
        let asked = join_all((0..context.identities.len()).map(|i| {
            let identity = &context.identities[i];
            let presenting =
                Presenting::Identity { name: &identity.name, credential: &identity.credential };
            let values = &neighbour.values;
            async move { (i, send(context, operation, values, presenting).await) }
        }))
        .await;
        NeighbourProbe { neighbour, asked }
    });
    join_all(asks).await
}

/// The value as a counter, when it is a plain decimal integer without a
/// leading zero.
fn sequential(value: &str) -> Option<u64> {
    let plain = !value.is_empty()
        && value.len() <= MAX_DIGITS
        && value.bytes().all(|b| b.is_ascii_digit())
        && (value == "0" || !value.starts_with('0'));
    plain.then(|| value.parse().ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PlannedObject;
    use trespass_model::ParamLocation;

    fn plan(objects: &[(usize, &[(&str, &str)])]) -> OperationPlan {
        OperationPlan {
            varied: "account_id".into(),
            varied_location: ParamLocation::Query,
            objects: objects
                .iter()
                .map(|(owner, values)| PlannedObject {
                    owner: *owner,
                    co_owners: BTreeSet::new(),
                    values: values.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect(),
                })
                .collect(),
            control: vec![],
        }
    }

    fn known(values: &[&str]) -> BTreeSet<String> {
        values.iter().map(|v| (*v).to_owned()).collect()
    }

    fn summary(neighbours: &[Neighbour]) -> Vec<(&str, &str, usize)> {
        neighbours.iter().map(|n| (n.value.as_str(), n.next_to.as_str(), n.owner)).collect()
    }

    #[test]
    fn neighbours_skip_known_ids_and_stay_within_the_cap() {
        let plan = plan(&[(0, &[("account_id", "11")]), (1, &[("account_id", "12")])]);
        let found = plan_neighbours(&plan, &known(&["11", "12"]), 1);
        assert_eq!(summary(&found), vec![("10", "11", 0), ("13", "12", 1)]);
        let found = plan_neighbours(&plan, &known(&["11", "12"]), 2);
        assert_eq!(
            summary(&found),
            vec![("10", "11", 0), ("9", "11", 0), ("13", "11", 0), ("14", "12", 1)]
        );
        assert_eq!(plan_neighbours(&plan, &known(&[]), 0), vec![]);
    }

    #[test]
    fn only_plain_integers_have_neighbours_and_other_values_are_kept() {
        let nested = plan(&[(0, &[("tenant_id", "21"), ("account_id", "1")])]);
        let found = plan_neighbours(&nested, &known(&["1"]), 1);
        assert_eq!(summary(&found), vec![("2", "1", 0)]);
        assert_eq!(
            found[0].values,
            vec![("tenant_id".into(), "21".into()), ("account_id".into(), "2".into())]
        );
        for value in ["u-7", "007", "3f2a", "", "1234567890123456789"] {
            let other = plan(&[(0, &[("account_id", value)])]);
            assert_eq!(plan_neighbours(&other, &known(&[]), 1), vec![], "{value}");
        }
    }
}
