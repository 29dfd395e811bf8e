//! What the probe stream leaves behind, gathered as each operation's
//! [`Outcome`] arrives rather than after all of them.
//!
//! Outcomes arrive in completion order. Keeping every one until the stream
//! ends, to sort them, held a few hundred bytes per operation that only a
//! handful of operations need: counters are summed at once, the coverage
//! entry goes straight to its slot in inventory order, and only operations
//! that have findings, notes or refusals keep those, with their position,
//! so that the report lists them in inventory order as before.

use trespass_model::{Coverage, Finding};

use crate::Outcome;

/// The running totals of the probe stream.
pub(crate) struct Gathered {
    /// One slot per operation, filled when its outcome arrives.
    coverage: Vec<Option<Coverage>>,
    /// Per operation, in inventory order: whether it received a probe.
    probed: Vec<bool>,
    objects_planned: usize,
    objects_judged: usize,
    answered: usize,
    /// Per identity: (own objects asked for, own objects that answered 2xx).
    own_objects: Vec<(usize, usize)>,
    /// The findings, notes and refusals of the operations that had any, by
    /// position.
    said: Vec<(usize, Said)>,
}

/// What one operation had to say beyond its coverage.
struct Said {
    findings: Vec<Finding>,
    notes: Vec<String>,
    refusals: Vec<String>,
}

/// The probe stream's results, in inventory order.
pub(crate) struct Totals {
    /// One entry per operation that went through the stream.
    pub(crate) coverage: Vec<Coverage>,
    /// Per operation: whether it received a probe.
    pub(crate) probed: Vec<bool>,
    pub(crate) objects_planned: usize,
    pub(crate) objects_judged: usize,
    /// Owners' baselines that got a response.
    pub(crate) answered: usize,
    /// Per identity: (own objects asked for, own objects that answered 2xx).
    pub(crate) own_objects: Vec<(usize, usize)>,
    pub(crate) findings: Vec<Finding>,
    pub(crate) notes: Vec<String>,
    /// Owners' baselines that failed, described.
    pub(crate) refusals: Vec<String>,
}

impl Gathered {
    /// Room for `operations` outcomes of a scan with `identities`
    /// identities.
    pub(crate) fn new(operations: usize, identities: usize) -> Self {
        Self {
            coverage: std::iter::repeat_with(|| None).take(operations).collect(),
            probed: vec![false; operations],
            objects_planned: 0,
            objects_judged: 0,
            answered: 0,
            own_objects: vec![(0, 0); identities],
            said: Vec::new(),
        }
    }

    /// Takes in one operation's outcome.
    pub(crate) fn absorb(&mut self, outcome: Outcome) {
        for (total, own) in self.own_objects.iter_mut().zip(&outcome.own_objects) {
            total.0 += own.0;
            total.1 += own.1;
        }
        self.objects_planned += outcome.objects_planned;
        self.objects_judged += outcome.objects_judged;
        self.answered += outcome.answered;
        if let Some(flag) = self.probed.get_mut(outcome.position) {
            *flag = outcome.probed;
        }
        if let Some(slot) = self.coverage.get_mut(outcome.position) {
            *slot = Some(outcome.coverage);
        }
        let said =
            Said { findings: outcome.findings, notes: outcome.notes, refusals: outcome.refusals };
        if !(said.findings.is_empty() && said.notes.is_empty() && said.refusals.is_empty()) {
            self.said.push((outcome.position, said));
        }
    }

    /// The totals, with findings, notes and refusals in inventory order.
    pub(crate) fn finish(self) -> Totals {
        let Gathered {
            coverage,
            probed,
            objects_planned,
            objects_judged,
            answered,
            own_objects,
            mut said,
        } = self;
        said.sort_by_key(|(position, _)| *position);
        let (mut findings, mut notes, mut refusals) = (Vec::new(), Vec::new(), Vec::new());
        for (_, said) in said {
            findings.extend(said.findings);
            notes.extend(said.notes);
            refusals.extend(said.refusals);
        }
        // Every slot is filled: the stream yields one outcome per operation.
        // `filter_map` collects in place, in the slots' own buffer (an entry
        // and its slot have the same size), where `flatten` builds a second
        // vector by doubling while the first is alive.
        #[expect(clippy::filter_map_identity, reason = "flatten does not collect in place")]
        let coverage: Vec<Coverage> = coverage.into_iter().filter_map(|slot| slot).collect();
        Totals {
            coverage,
            probed,
            objects_planned,
            objects_judged,
            answered,
            own_objects,
            findings,
            notes,
            refusals,
        }
    }
}

#[cfg(test)]
mod tests {
    use trespass_model::Method;

    use super::*;

    fn outcome(position: usize, note: Option<&str>) -> Outcome {
        Outcome {
            position,
            coverage: Coverage {
                method: Method::Get,
                path: format!("/c{position}/{{id}}"),
                status: "probed".to_owned(),
                detail: String::new(),
                pairs: Vec::new(),
            },
            findings: Vec::new(),
            notes: note.map(str::to_owned).into_iter().collect(),
            probed: position != 1,
            objects_planned: 2,
            objects_judged: 1,
            answered: 2,
            refusals: Vec::new(),
            own_objects: vec![(1, 1), (1, 0)],
        }
    }

    #[test]
    fn outcomes_arriving_out_of_order_are_reported_in_inventory_order() {
        let mut gathered = Gathered::new(3, 2);
        for (position, note) in [(2, Some("third")), (0, Some("first")), (1, None)] {
            gathered.absorb(outcome(position, note));
        }
        let slots = gathered.coverage.as_ptr() as usize;
        let totals = gathered.finish();
        // In place: the coverage is not held twice at the end of a scan.
        assert_eq!(totals.coverage.as_ptr() as usize, slots);

        let paths: Vec<&str> = totals.coverage.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, ["/c0/{id}", "/c1/{id}", "/c2/{id}"]);
        assert_eq!(totals.notes, ["first", "third"]);
        assert_eq!(totals.probed, [true, false, true]);
        assert_eq!((totals.objects_planned, totals.objects_judged, totals.answered), (6, 3, 6));
        assert_eq!(totals.own_objects, [(3, 3), (3, 0)]);
    }
}
