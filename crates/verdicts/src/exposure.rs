//! The `credential-exposure` verdict: a response that carries another
//! caller's credential.
//!
//! Discovery searched every listing response ([`trespass_discovery::exposure`]);
//! here each [`Exposure`] becomes findings: one per exposed identity (the
//! caller who saw it is the `identity`, the identity whose secret it was is
//! the `owner`), critical and of high confidence, and one per key-like field
//! that holds no known credential, critical and of medium confidence (the
//! field's name and length are the only signals).

use trespass_discovery::{Discovery, Exposed, Exposure, Seer};
use trespass_model::{Confidence, Exchange, Finding, FindingKind, IdentityName, Severity};

use crate::{curl, fingerprint, remediation};

/// The `credential-exposure` findings of a discovery, in listing order.
pub fn credential_exposures(discovery: &Discovery, names: &[IdentityName]) -> Vec<Finding> {
    let name = |i: usize| names.get(i).map_or("?", IdentityName::as_str);
    let mut findings = Vec::new();
    for listing in &discovery.listings {
        let Some(exposure) = &listing.exposure else { continue };
        let seer = match listing.seer {
            Seer::Identity(i) => Some(name(i)),
            Seer::Anonymous => None,
        };
        let asker = seer.map_or_else(|| "a caller without credentials".to_owned(), str::to_owned);
        for exposed in &exposure.exposed {
            let (owner, confidence, what) = match exposed {
                Exposed::Identity(i) => (
                    Some(name(*i)),
                    Confidence::High,
                    format!("the credential of {} itself", name(*i)),
                ),
                Exposed::Field(path) => (
                    None,
                    Confidence::Medium,
                    format!("a value of credential length in the field `{path}`"),
                ),
            };
            let reason = format!(
                "{asker}'s request to {} {} succeeded ({}) and its body carries {what}",
                exposure.method, exposure.path, exposure.response.status
            );
            let field = match exposed {
                Exposed::Field(path) => path.as_str(),
                Exposed::Identity(_) => "",
            };
            findings.push(finding(exposure, seer, owner, field, confidence, reason));
        }
    }
    findings
}

fn finding(
    exposure: &Exposure,
    identity: Option<&str>,
    owner: Option<&str>,
    field: &str,
    confidence: Confidence,
    reason: String,
) -> Finding {
    let kind = FindingKind::CredentialExposure;
    let evidence = vec![Exchange {
        label: format!("{} reads {}", identity.unwrap_or("nobody"), exposure.path),
        request: exposure.request.clone(),
        response: exposure.response.clone(),
    }];
    Finding {
        fingerprint: fingerprint(&[
            kind.as_str(),
            exposure.method.as_str(),
            &exposure.path,
            field,
            identity.unwrap_or(""),
            owner.unwrap_or(""),
        ]),
        kind,
        severity: Severity::Critical,
        confidence,
        cwe: kind.cwe().to_owned(),
        owasp: kind.owasp().to_owned(),
        title: kind.title().to_owned(),
        method: exposure.method,
        path: exposure.path.clone(),
        parameter: (!field.is_empty()).then(|| field.to_owned()),
        parameter_location: None,
        identity: identity.map(str::to_owned),
        owner: owner.map(str::to_owned),
        reason,
        reproduce: curl(&exposure.request),
        evidence,
        remediation: remediation(kind).to_owned(),
        baseline: None,
        spec_line: None,
    }
}
