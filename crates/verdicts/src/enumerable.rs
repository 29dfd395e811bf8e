//! The `enumerable-ids` verdict: counting from an owned integer id reaches
//! an object that no identity of the scan owns.
//!
//! The probes ([`trespass_probes::neighbours`]) ask every identity for the
//! neighbours of owned ids, and only on operations where an outsider has
//! already read an owner's object, so the operation is known not to tie
//! objects to their caller. An identity's answer for a neighbour counts when
//! it succeeds, carries the neighbour id among its values (so it is that
//! object, not a default or the caller's own), and is not the same content
//! as the identity's own object (an endpoint that ignores the id). One
//! finding per operation names the first identity that read one, and the
//! reason lists every neighbour read and by whom.

use trespass_model::{Confidence, Finding, FindingKind, IdentityName, Operation, Severity};
use trespass_probes::neighbours::NeighbourProbe;
use trespass_probes::{Observation, OperationProbes};

use crate::{Proof, compare, exchange, finding, learn_noise, outcome_text};

/// The `enumerable-ids` finding of one operation, if a neighbour was read.
pub fn enumerable_ids(
    operation: &Operation,
    probes: &OperationProbes,
    neighbours: &[NeighbourProbe],
    names: &[IdentityName],
) -> Option<Finding> {
    let name = |i: usize| names.get(i).map_or("?", IdentityName::as_str);
    let noise = learn_noise(probes);

    // (neighbour probe, identity, observation) of every read that counts.
    let mut reads: Vec<(&NeighbourProbe, usize, &Observation)> = Vec::new();
    for probe in neighbours {
        for (identity, asked) in &probe.asked {
            let Some(reply) = asked.success() else { continue };
            if !compare::values(reply, &noise).contains(&probe.neighbour.value) {
                continue;
            }
            let own = probes.own_baseline(*identity).and_then(Observation::success);
            if own.is_some_and(|own| compare::same_content(reply, own, &noise)) {
                continue;
            }
            reads.push((probe, *identity, asked));
        }
    }
    let &(first, reader, observed) = reads.first()?;

    let mut evidence = Vec::new();
    if let Some(object) = probes.objects.iter().find(|o| o.object.owner == first.neighbour.owner) {
        evidence.push(exchange(
            &format!("{} reads its own object (baseline)", name(first.neighbour.owner)),
            &object.baseline,
        ));
    }
    evidence.push(exchange(
        &format!("{} reads {}, which no identity owns", name(reader), first.neighbour.value),
        observed,
    ));
    let offending = evidence.len() - 1;

    let mut described: Vec<String> = Vec::new();
    for probe in neighbours {
        let readers: Vec<String> = reads
            .iter()
            .filter(|(p, _, _)| std::ptr::eq(*p, probe))
            .map(|(_, i, o)| format!("{} ({})", name(*i), outcome_text(o)))
            .collect();
        if !readers.is_empty() {
            described.push(format!(
                "{} (next to {}'s {}) was served to {}",
                probe.neighbour.value,
                name(probe.neighbour.owner),
                probe.neighbour.next_to,
                readers.join(" and ")
            ));
        }
    }
    let reason = format!(
        "ids of `{}` are sequential: {}, with that id in the answer, although no identity of \
         the scan owns it; the operation already serves one identity's objects to another, so \
         every object reached by counting is exposed",
        probes.plan.varied,
        described.join("; ")
    );
    Some(finding(
        FindingKind::EnumerableIds,
        Severity::High,
        Confidence::High,
        operation,
        probes,
        (Some(name(reader)), None),
        Proof { reason, evidence, offending },
    ))
}
