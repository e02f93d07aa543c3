use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::http::RequestSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, sqlx::Type)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sqlx(type_name = "license_type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LicenseType {
    Development,
    Trial,
    Paid,
    Community,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, sqlx::Type)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sqlx(type_name = "license_lifecycle_state", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LifecycleState {
    Draft,
    Published,
    Archived,
}

impl LifecycleState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "DRAFT",
            Self::Published => "PUBLISHED",
            Self::Archived => "ARCHIVED",
        }
    }
}

/// One version of a product.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct License {
    /// Unique identifier for the license
    #[schema(read_only, value_type = String, examples("123e4567-e89b-12d3-a456-426614174000"))]
    pub id: Uuid,
    /// Display name of the license
    #[schema(min_length = 1, max_length = 100, examples("Enterprise License"))]
    pub name: String,
    /// Optional URL-friendly identifier, unique per organization. When omitted, a new version of an
    /// existing family takes {familySlug}-v{version}, and any other license gets one generated from
    /// its name. A license that opens a new family gives the family its slug.
    #[schema(required = false, min_length = 2, max_length = 100, pattern = "^[a-z0-9][a-z0-9-]*[a-z0-9]$")]
    pub slug: String,
    /// Detailed description of the license capabilities and restrictions
    #[schema(max_length = 500)]
    pub description: String,
    /// Type of the license determining its capabilities and restrictions
    #[schema(inline)]
    pub r#type: LicenseType,
    /// Version of the license within its family, assigned by the server and never changed or reused.
    #[schema(read_only, examples("1"))]
    pub version: String,
    /// Optional human-readable name for the license version. Defaults to "Version - <version>".
    #[schema(required = false, max_length = 50)]
    pub version_name: String,
    /// Whether this version is the one its family puts forward (at most one, and only a PUBLISHED one).
    pub is_default: bool,
    /// Identifier of the license family this license is a version of.
    #[schema(required = false, value_type = String)]
    pub family_id: Uuid,
    /// Write-only on create: slug of the family this license is a new version of.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(write_only, nullable = false, min_length = 2, max_length = 100, pattern = "^[a-z0-9][a-z0-9-]*[a-z0-9]$")]
    pub family_slug: Option<String>,
    /// Whether this version may be served: DRAFT, PUBLISHED or ARCHIVED.
    #[schema(required = false, inline)]
    pub lifecycle_state: LifecycleState,
    /// Timestamp when this license was created
    #[schema(read_only)]
    pub created_at: DateTime<Utc>,
    /// Timestamp when this license was last updated
    #[schema(read_only)]
    pub updated_at: DateTime<Utc>,
}

crate::page_schema!(PageLicense, License);

/// The body of create and update, validated against `License` first. The read-only fields a
/// client writes back as it read them are accepted here and compared by the use case.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LicenseInput {
    pub name: String,
    pub slug: Option<String>,
    pub description: String,
    pub r#type: LicenseType,
    pub version: Option<String>,
    pub version_name: Option<String>,
    pub is_default: bool,
    pub family_id: Option<String>,
    pub family_slug: Option<String>,
    pub lifecycle_state: Option<LifecycleState>,
}

impl RequestSchema for LicenseInput {
    const SCHEMA: &'static str = "License";
}

/// A product as a whole: its identity, and the version a read is about.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LicenseFamilyView {
    /// Unique identifier for the license family
    #[schema(read_only, value_type = String)]
    pub id: Uuid,
    /// URL-friendly identifier of the family, unique per organization and stable across renames and new versions.
    pub slug: String,
    /// The version this read is about: the default version, else the highest-numbered PUBLISHED one; under
    /// ?version=N the version asked for. Absent when the family has no PUBLISHED version.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub current_version: Option<License>,
    /// Number of versions in this family, whatever their lifecycle state
    #[schema(format = Int32)]
    pub version_count: i32,
    /// Every version of the family, oldest first. Only returned with include=versions.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub versions: Option<Vec<License>>,
    /// Timestamp when this family was created
    #[schema(read_only)]
    pub created_at: DateTime<Utc>,
    /// Timestamp when a version was last added to this family, or when the family was created.
    #[schema(read_only)]
    pub updated_at: DateTime<Utc>,
}

crate::page_schema!(PageLicenseFamilyView, LicenseFamilyView);
