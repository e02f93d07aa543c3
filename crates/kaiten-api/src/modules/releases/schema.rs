use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::http::RequestSchema;
use crate::modules::components::schema::Component;
use crate::modules::user_ref::UserRef;

/// An immutable set of component versions, deployed to zones.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Release {
    /// Unique identifier for the release
    #[schema(read_only, value_type = String)]
    pub id: Uuid,
    /// Version of the release
    #[schema(min_length = 1, max_length = 100, examples("v1.0.0"))]
    pub version: String,
    /// Optional URL-friendly identifier, unique per organization. Auto-generated if not provided.
    #[schema(required = false, min_length = 2, max_length = 100, pattern = "^[a-z0-9][a-z0-9-]*[a-z0-9]$")]
    pub slug: String,
    /// Description of the release
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, max_length = 500)]
    pub description: Option<String>,
    /// List of component IDs to link to this release
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(write_only, required = false)]
    pub component_ids: Option<Vec<String>>,
    /// List of components included in this release, fixed at creation
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(read_only, required = false)]
    pub components: Option<Vec<Component>>,
    /// Timestamp when the release was created
    #[schema(read_only)]
    pub created_at: DateTime<Utc>,
    /// User who created this release
    #[schema(read_only)]
    pub created_by: UserRef,
}

crate::page_schema!(PageRelease, Release);

/// The body of create, validated against `Release` first.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReleaseInput {
    pub version: String,
    pub slug: Option<String>,
    pub description: Option<String>,
    pub component_ids: Option<Vec<String>>,
}

impl RequestSchema for ReleaseInput {
    const SCHEMA: &'static str = "Release";
}
