//! What the by-external-id operations share: the record the path names, and the link fields
//! of a body.

use kaiten_kernel::Error;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::modules::customers::schema::IntegrationInput;
use crate::modules::integrations::{self, Owner, Stored};

const PREFIX: &str = "kaiten.integration.";

/// Codes of the upsert operations (both owners, as the original names them).
pub const UPSERT: &str = "UpsertIntegration";

/// The record a by-external-id path names: the stored adapter name (trimmed, with the
/// `kaiten.integration.` prefix added when it is not there) and the trimmed external id.
pub struct ExternalKey {
    pub adapter: String,
    pub external_id: String,
}

impl ExternalKey {
    pub fn parse(adapter: &str, external_id: &str) -> Result<Self, Error> {
        let adapter = adapter.trim();
        if adapter.is_empty() {
            return Err(Error::bad_request("Integration.InvalidAdapter", "the integration adapter must not be empty"));
        }
        let external_id = external_id.trim();
        if external_id.is_empty() {
            return Err(Error::bad_request(
                format!("{UPSERT}.InvalidExternalID"),
                "the integration external ID must not be empty",
            ));
        }
        let adapter = if adapter.starts_with(PREFIX) { adapter.to_owned() } else { format!("{PREFIX}{adapter}") };
        Ok(Self { adapter, external_id: external_id.to_owned() })
    }

    /// The link of the organization's `owner` that holds this record, locked for update when
    /// `for_update`.
    pub async fn find(
        &self,
        conn: &mut PgConnection,
        owner: Owner,
        organization_id: Uuid,
        for_update: bool,
    ) -> Result<Option<Stored>, Error> {
        integrations::by_external_id(conn, owner, organization_id, (&self.adapter, &self.external_id), for_update).await
    }

    /// As [`Self::find`], a missing link being `Integration.{Owner}NotFound`.
    pub async fn linked(&self, conn: &mut PgConnection, owner: Owner, organization_id: Uuid) -> Result<Stored, Error> {
        self.find(conn, owner, organization_id, false).await?.ok_or_else(|| self.not_found(owner))
    }

    /// The owner's link to this adapter, just written: `Integration.{Owner}NotFound` if gone.
    pub async fn of(
        &self,
        conn: &mut PgConnection,
        owner: Owner,
        organization_id: Uuid,
        owner_id: Uuid,
    ) -> Result<Stored, Error> {
        integrations::one(conn, owner, organization_id, owner_id, &self.adapter)
            .await?
            .ok_or_else(|| self.not_found(owner))
    }

    fn not_found(&self, owner: Owner) -> Error {
        Error::not_found(
            format!("Integration.{}NotFound", owner.title()),
            format!("no {} is linked to {} record {}", owner.noun(), self.adapter, self.external_id),
        )
    }
}

/// A trimmed, non-blank value; absent or blank is `code`.
pub fn required<'a>(value: Option<&'a str>, code: &str, detail: &str) -> Result<&'a str, Error> {
    value.map(str::trim).filter(|v| !v.is_empty()).ok_or_else(|| Error::bad_request(format!("{UPSERT}.{code}"), detail))
}

/// The body's link fields over the stored ones: each field sent replaces the stored one, a
/// blank `error` clears `lastError`. `webUrl` is checked once, when the patch is made.
pub struct LinkPatch {
    metadata: Option<serde_json::Value>,
    error: Option<String>,
    web_url: Option<String>,
}

impl LinkPatch {
    pub fn new(
        metadata: Option<&serde_json::Value>,
        error: Option<&str>,
        web_url: Option<&str>,
    ) -> Result<Self, Error> {
        let web_url = web_url
            .map(|url| integrations::web_url(url).ok_or_else(|| integrations::invalid_web_url(UPSERT)))
            .transpose()?;
        Ok(Self { metadata: metadata.cloned(), error: error.map(str::to_owned), web_url })
    }

    /// The link of a record created with this patch.
    pub fn new_link(&self, external_id: &str) -> IntegrationInput {
        IntegrationInput {
            external_id: external_id.to_owned(),
            last_error: self.error(),
            metadata: self.metadata.clone(),
            web_url: self.web_url.clone(),
        }
    }

    fn error(&self) -> Option<String> {
        self.error.as_deref().map(str::trim).filter(|e| !e.is_empty()).map(str::to_owned)
    }

    /// The link as it is to be stored, and whether it differs from `current`.
    pub fn over(&self, current: &Stored) -> (IntegrationInput, bool) {
        let metadata = self.metadata.clone().unwrap_or_else(|| current.metadata.clone());
        let last_error = if self.error.is_some() { self.error() } else { current.last_error.clone() };
        let web_url = self.web_url.clone().or_else(|| current.web_url.clone());
        let changed = metadata != current.metadata || last_error != current.last_error || web_url != current.web_url;
        let input = IntegrationInput {
            external_id: current.external_id.clone(),
            last_error,
            metadata: Some(metadata),
            web_url,
        };
        (input, changed)
    }
}
