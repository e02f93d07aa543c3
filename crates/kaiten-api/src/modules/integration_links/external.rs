//! What the by-external-id operations share: the adapter and external id of the path, and the
//! link fields of a body.

use kaiten_kernel::Error;

use crate::modules::integrations::{self, Stored};

const PREFIX: &str = "kaiten.integration.";

/// Codes of the upsert operations (both owners, as the original names them).
pub const UPSERT: &str = "UpsertIntegration";

/// The stored adapter name: the path's, trimmed, with the `kaiten.integration.` prefix added
/// when it is not there already.
pub fn adapter(path: &str) -> Result<String, Error> {
    let adapter = path.trim();
    if adapter.is_empty() {
        return Err(Error::bad_request("Integration.InvalidAdapter", "the integration adapter must not be empty"));
    }
    Ok(if adapter.starts_with(PREFIX) { adapter.to_owned() } else { format!("{PREFIX}{adapter}") })
}

/// The trimmed external id; a blank one is `UpsertIntegration.InvalidExternalID`.
pub fn external_id(path: &str) -> Result<String, Error> {
    let id = path.trim();
    if id.is_empty() {
        return Err(Error::bad_request(
            format!("{UPSERT}.InvalidExternalID"),
            "the integration external ID must not be empty",
        ));
    }
    Ok(id.to_owned())
}

/// A trimmed, non-blank value; absent or blank is `code`.
pub fn required<'a>(value: Option<&'a str>, code: &str, detail: &str) -> Result<&'a str, Error> {
    value.map(str::trim).filter(|v| !v.is_empty()).ok_or_else(|| Error::bad_request(format!("{UPSERT}.{code}"), detail))
}

/// The body's link fields over the stored ones: each field sent replaces the stored one, a
/// blank `error` clears `lastError`. Whether anything changed comes back too.
pub struct LinkPatch<'a> {
    pub metadata: Option<&'a serde_json::Value>,
    pub error: Option<&'a str>,
    pub web_url: Option<&'a str>,
}

impl LinkPatch<'_> {
    /// The checked `webUrl`, before anything is written.
    pub fn web_url(&self) -> Result<Option<String>, Error> {
        self.web_url
            .map(|url| integrations::web_url(url).ok_or_else(|| integrations::invalid_web_url(UPSERT)))
            .transpose()
    }

    pub fn error(&self) -> Option<String> {
        self.error.map(str::trim).filter(|e| !e.is_empty()).map(str::to_owned)
    }

    /// The link as it is to be stored, and whether it differs from `current`.
    pub fn over(&self, current: &Stored) -> Result<(crate::modules::customers::schema::IntegrationInput, bool), Error> {
        let metadata = self.metadata.cloned().unwrap_or_else(|| current.metadata.clone());
        let last_error = if self.error.is_some() { self.error() } else { current.last_error.clone() };
        let web_url = match self.web_url()? {
            Some(url) => Some(url),
            None => current.web_url.clone(),
        };
        let changed = metadata != current.metadata || last_error != current.last_error || web_url != current.web_url;
        let input = crate::modules::customers::schema::IntegrationInput {
            external_id: current.external_id.clone(),
            last_error,
            metadata: Some(metadata),
            web_url,
        };
        Ok((input, changed))
    }
}
