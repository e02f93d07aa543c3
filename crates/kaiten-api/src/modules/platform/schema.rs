use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::http::RequestSchema;

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    /// Unique identifier for the organization
    #[schema(value_type = String)]
    pub id: Uuid,
    /// External identifier for the organization, used for integration with external systems
    pub external_id: String,
    /// Display name of the organization
    pub name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnsureOrganizationBody {
    /// The identity provider's id for the organization; the row's id is derived from it.
    #[schema(min_length = 1, max_length = 255)]
    pub external_id: String,
    /// Display name for a newly created organization. Never replaces an existing one's name.
    #[schema(max_length = 255, nullable = false)]
    pub name: Option<String>,
}

impl RequestSchema for EnsureOrganizationBody {
    const SCHEMA: &'static str = "EnsureOrganizationBody";
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MintOrganizationTokenBody {
    /// Human-readable label for the credential
    #[schema(min_length = 1, max_length = 255)]
    pub name: String,
    /// Requested scopes, a subset of the calling platform credential's. Omitted inherits all.
    pub scopes: Option<Vec<String>>,
    /// Lifetime as a Go duration ("15m", "24h"). Omitted mints a non-expiring credential.
    #[schema(nullable = false)]
    pub ttl: Option<String>,
}

impl RequestSchema for MintOrganizationTokenBody {
    const SCHEMA: &'static str = "MintOrganizationTokenBody";
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlatformCredential {
    #[schema(read_only, value_type = String)]
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    /// External id of the platform identity this credential authenticates
    pub subject: String,
    /// Credential class of the calling token
    pub credential_kind: String,
    #[schema(required = true)]
    pub scopes: Option<Vec<String>>,
    #[schema(read_only)]
    pub created_at: DateTime<Utc>,
    /// Absent when the credential does not expire
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub expires_at: Option<DateTime<Utc>>,
}

/// Payload of `SYSTEM_ORGANIZATION_TOKEN_ISSUED`: never the credential's value.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SystemTokenIssuance {
    pub credential_kind: &'static str,
    pub platform_token_id: Uuid,
    pub issued_token_id: Uuid,
    pub name: String,
    pub slug: String,
    pub scopes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    pub issued_at: DateTime<Utc>,
}
