//! The 0–100 score and A–F grade of a scan, overall and per OWASP API
//! Security Top 10 (2023) category.
//!
//! The formula (also in README): every finding keeps a share of the score,
//! by severity, discounted by confidence. A scan without findings scores
//! 100; each finding multiplies the score by `1 - weight`, where the weight
//! is 0.50 for critical, 0.25 for high, 0.10 for medium, 0.04 for low and 0
//! for info, times 1 for high confidence, 0.75 for medium and 0.5 for low.
//! The product is rounded to the nearest integer. A product, unlike a sum
//! of deductions, never goes below 0 and still tells 20 findings from 2.
//! Grades: A from 90, B from 80, C from 70, D from 60, F below.
//!
//! Categories are those of the kinds trespass looks for
//! ([`FindingKind::ALL`]), each scored by the same formula over its own
//! findings. The score depends on the findings alone, so the same scan
//! always gets the same score.

use trespass_model::{CategoryScore, Confidence, Finding, FindingKind, Score, Severity};

/// Scores a set of findings.
pub fn score(findings: &[Finding]) -> Score {
    let value = score_value(findings.iter());
    let mut categories: Vec<CategoryScore> = Vec::new();
    for kind in FindingKind::ALL {
        let (id, name) = split_category(kind.owasp());
        if categories.iter().any(|c| c.id == id) {
            continue;
        }
        let in_category: Vec<&Finding> =
            findings.iter().filter(|f| split_category(&f.owasp).0 == id).collect();
        let value = score_value(in_category.iter().copied());
        categories.push(CategoryScore {
            id: id.to_owned(),
            name: name.to_owned(),
            value,
            grade: grade(value).to_owned(),
            findings: in_category.len(),
        });
    }
    categories.sort_by_key(|c| category_order(&c.id));
    Score { value, grade: grade(value).to_owned(), categories }
}

/// The grade of a score: `A` (90–100) to `F` (below 60).
pub fn grade(value: u8) -> &'static str {
    match value {
        90.. => "A",
        80..=89 => "B",
        70..=79 => "C",
        60..=69 => "D",
        _ => "F",
    }
}

/// The share of the score one finding takes away, 0 to 0.5.
pub fn weight(finding: &Finding) -> f64 {
    let severity = match finding.severity {
        Severity::Critical => 0.50,
        Severity::High => 0.25,
        Severity::Medium => 0.10,
        Severity::Low => 0.04,
        Severity::Info => 0.0,
    };
    let confidence = match finding.confidence {
        Confidence::High => 1.0,
        Confidence::Medium => 0.75,
        Confidence::Low => 0.5,
    };
    severity * confidence
}

fn score_value<'a>(findings: impl Iterator<Item = &'a Finding>) -> u8 {
    let kept: f64 = findings.map(|f| 1.0 - weight(f)).product();
    // `kept` is in [0, 1], so the rounded value is in [0, 100].
    (kept * 100.0).round().clamp(0.0, 100.0) as u8
}

/// `API1:2023 Broken Object Level Authorization` → (`API1:2023`, the name).
fn split_category(owasp: &str) -> (&str, &str) {
    owasp.split_once(' ').unwrap_or((owasp, ""))
}

/// `API10:2023` sorts after `API9:2023`.
fn category_order(id: &str) -> (u32, String) {
    let number = id
        .strip_prefix("API")
        .and_then(|rest| rest.split(':').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(u32::MAX);
    (number, id.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::finding;

    #[test]
    fn no_findings_scores_100_and_a() {
        let score = score(&[]);
        assert_eq!(score.value, 100);
        assert_eq!(score.grade, "A");
        let ids: Vec<_> = score.categories.iter().map(|c| (c.id.as_str(), c.value)).collect();
        // Every category a finding kind belongs to, each at 100.
        assert_eq!(
            ids,
            vec![
                ("API1:2023", 100),
                ("API2:2023", 100),
                ("API3:2023", 100),
                ("API5:2023", 100),
                ("API9:2023", 100)
            ]
        );
    }

    #[test]
    fn each_finding_multiplies_the_score_by_its_share() {
        let high = finding(FindingKind::BolaRead, Severity::High, Confidence::High);
        let medium = finding(FindingKind::ExistenceOracle, Severity::Medium, Confidence::High);
        let missing = finding(FindingKind::MissingAuth, Severity::High, Confidence::Medium);
        // 100 × 0.75 = 75 → C.
        assert_eq!(score(std::slice::from_ref(&high)).value, 75);
        assert_eq!(score(std::slice::from_ref(&high)).grade, "C");
        // 100 × 0.75 × 0.9 = 67.5 → 68 → D.
        let two = score(&[high.clone(), medium.clone()]);
        assert_eq!((two.value, two.grade.as_str()), (68, "D"));
        // Medium confidence: 100 × (1 − 0.25 × 0.75) = 81.25 → 81 → B.
        assert_eq!(score(std::slice::from_ref(&missing)).value, 81);
        let three = score(&[high, medium, missing]);
        // 75 × 0.9 × 0.8125 = 54.84 → 55 → F; API1 holds two, API2 one.
        assert_eq!((three.value, three.grade.as_str()), (55, "F"));
        assert_eq!(three.categories[0].value, 68);
        assert_eq!(three.categories[0].findings, 2);
        assert_eq!(three.categories[1].value, 81);
        assert_eq!(three.categories[1].name, "Broken Authentication");
    }

    #[test]
    fn the_score_never_goes_below_zero_and_is_the_same_every_time() {
        let many: Vec<Finding> = (0..200)
            .map(|_| finding(FindingKind::BolaRead, Severity::Critical, Confidence::High))
            .collect();
        assert_eq!(score(&many).value, 0);
        assert_eq!(score(&many), score(&many));
    }

    #[test]
    fn grade_boundaries() {
        let grades: Vec<_> = [100, 90, 89, 80, 79, 70, 69, 60, 59, 0].map(grade).to_vec();
        assert_eq!(grades, vec!["A", "A", "B", "B", "C", "C", "D", "D", "F", "F"]);
    }
}
