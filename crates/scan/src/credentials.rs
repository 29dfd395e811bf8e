//! Obtaining the credentials a scan starts with.
//!
//! Identities with a fixed credential have it already. The others (a
//! command, a sign-in) get theirs here, through the scan's client, before
//! discovery sends anything as them; the client then keeps a session for
//! each, which renews the credential on a `401` or on schedule (see
//! `trespass_transport`).
//!
//! An identity whose first credential cannot be obtained is treated like an
//! identity the target refuses everywhere: the scan goes on without it and
//! says so in a note, and fails with [`ScanError::CredentialsUnavailable`]
//! (a target problem, exit 3) when fewer than two identities are left.

use trespass_config::IdentitySettings;
use trespass_model::CredentialPlacement;
use trespass_transport::Client;

use crate::ScanError;

/// The identities that have a credential, with it; and notes on those left
/// out. `placement` says where each identity's credential goes.
pub(crate) async fn obtain_all(
    client: &mut Client,
    identities: Vec<IdentitySettings>,
    placement: &dyn Fn(&IdentitySettings) -> CredentialPlacement,
) -> Result<(Vec<IdentitySettings>, Vec<String>), ScanError> {
    let mut usable = Vec::with_capacity(identities.len());
    let mut notes = Vec::new();
    let mut failures = Vec::new();
    for mut identity in identities {
        if !identity.source.is_renewable() {
            usable.push(identity);
            continue;
        }
        match client.obtain(&identity.name, &identity.source).await {
            Ok(secret) => {
                tracing::info!(identity = %identity.name, "credential obtained");
                client.keep_session(
                    identity.name.clone(),
                    placement(&identity),
                    identity.source.clone(),
                    secret.clone(),
                );
                identity.secret = secret;
                usable.push(identity);
            }
            Err(error) => {
                let name = &identity.name;
                tracing::warn!(identity = %name, %error, "identity left out");
                notes.push(format!("{error}; nothing involving {name}'s objects was tested"));
                failures.push(error.to_string());
            }
        }
    }

    if usable.len() < 2 {
        let names: Vec<&str> = usable.iter().map(|i| i.name.as_str()).collect();
        let found = match names.len() {
            0 => "0".to_owned(),
            n => format!("{n} ({})", names.join(", ")),
        };
        return Err(ScanError::CredentialsUnavailable { found, detail: failures.join("; ") });
    }
    // Two identities signed in as one account would make every object
    // shared; the config checks fixed credentials, this checks the rest.
    for (i, a) in usable.iter().enumerate() {
        if let Some(b) = usable[i + 1..].iter().find(|b| b.secret == a.secret) {
            return Err(ScanError::SameCredential {
                first: a.name.clone(),
                second: b.name.clone(),
            });
        }
    }
    Ok((usable, notes))
}
