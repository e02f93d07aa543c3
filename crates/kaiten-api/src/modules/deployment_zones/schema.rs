use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::http::RequestSchema;
use crate::modules::user_ref::UserRef;

/// One place a customer runs a release: a target the vendor names and classifies, holding the
/// release currently on it. Not an installation of Kaiten.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeploymentZone {
    /// Unique identifier for the deployment zone
    #[schema(read_only, value_type = String)]
    pub id: Uuid,
    /// Name of the deployment zone
    #[schema(min_length = 1, examples("AWS us-west-2"))]
    pub name: String,
    /// Optional URL-friendly identifier, unique per organization. Auto-generated if not provided.
    #[schema(required = false, min_length = 2, max_length = 100, pattern = "^[a-z0-9][a-z0-9-]*[a-z0-9]$")]
    pub slug: String,
    /// Environment class of the deployment zone. Free-form: any value is stored as sent, but production, staging and development are the ones the console labels, and feature-flag targeting rules match on this field as __kaiten.deploymentZone.type.
    #[serde(rename = "type")]
    #[schema(examples("production"))]
    pub zone_type: String,
    /// Description of the deployment zone
    pub description: String,
    /// Typed metadata for the deployment zone, validated against the org-scoped MetadataField schema
    #[schema(required = false, value_type = Object, additional_properties)]
    pub metadata: serde_json::Value,
    /// Currently deployed release ID
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<String>)]
    pub release_id: Option<Uuid>,
    /// Timestamp when the deployment zone was created
    #[schema(read_only)]
    pub created_at: DateTime<Utc>,
    /// User who created this deployment zone
    #[schema(read_only)]
    pub created_by: UserRef,
    /// Timestamp when the deployment zone was last updated
    #[schema(read_only)]
    pub updated_at: DateTime<Utc>,
    /// User who last updated the deployment zone
    #[schema(read_only)]
    pub updated_by: UserRef,
}

crate::page_schema!(PageDeploymentZone, DeploymentZone);

/// One record of a release deployed to a zone: the payload of `RELEASE_DEPLOYED`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Deployment {
    /// Unique identifier for this deployment event
    #[schema(value_type = String)]
    pub id: Uuid,
    /// Deployment zone the release was deployed to
    #[schema(value_type = String)]
    pub deployment_zone_id: Uuid,
    /// Release that was deployed
    #[schema(value_type = String)]
    pub release_id: Uuid,
    /// Timestamp when the deployment was recorded
    pub created_at: DateTime<Utc>,
    /// User who recorded this deployment
    pub created_by: UserRef,
}

/// The body of create and update, validated against `DeploymentZone` first.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentZoneInput {
    pub name: String,
    pub slug: Option<String>,
    #[serde(rename = "type")]
    pub zone_type: String,
    pub description: String,
    pub metadata: Option<serde_json::Value>,
    pub release_id: Option<String>,
}

impl RequestSchema for DeploymentZoneInput {
    const SCHEMA: &'static str = "DeploymentZone";
}

impl DeploymentZoneInput {
    /// Metadata replaces the zone's whole object; leaving it out (or null) empties it.
    pub fn metadata(&self) -> serde_json::Value {
        self.metadata.clone().filter(|m| !m.is_null()).unwrap_or_else(|| serde_json::json!({}))
    }
}
