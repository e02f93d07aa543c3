use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::http::RequestSchema;
use crate::modules::entitlements::value::EntitlementValue;

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EntitlementGroup {
    /// Unique identifier for the entitlement group
    #[schema(read_only, value_type = String, examples("123e4567-e89b-12d3-a456-426614174000"))]
    pub id: Uuid,
    /// Name of the entitlement group
    #[schema(min_length = 1, examples("AI Quotas"))]
    pub name: String,
    /// URL-friendly identifier, unique per organization. Auto-generated if not provided.
    #[schema(required = false, min_length = 2, max_length = 100, pattern = "^[a-z0-9][a-z0-9-]*[a-z0-9]$")]
    pub slug: String,
    /// Description of the entitlement group
    #[schema(required = true)]
    pub description: Option<String>,
    #[serde(skip)]
    pub created_at: DateTime<Utc>,
}

crate::page_schema!(PageEntitlementGroup, EntitlementGroup);

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntitlementGroupInput {
    pub name: String,
    pub slug: Option<String>,
    pub description: Option<String>,
}

impl RequestSchema for EntitlementGroupInput {
    const SCHEMA: &'static str = "EntitlementGroup";
}

/// The body of add-entitlement-to-group.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Command {
    pub entitlement_slug: String,
}

impl RequestSchema for Command {
    const SCHEMA: &'static str = "Command";
}

/// One member entitlement of a group, as it stands for one instance.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EntitlementGroupUsage {
    /// Entitlement ID
    #[schema(value_type = String)]
    pub entitlement_id: Uuid,
    /// Entitlement slug
    pub entitlement_slug: String,
    /// Entitlement name
    pub entitlement_name: String,
    /// Entitlement type
    pub entitlement_type: String,
    /// License limit value, discriminated by the 'type' field. Absent when the license grants no value.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub license_value: Option<EntitlementValue>,
    /// Current usage value, discriminated by the 'type' field. Absent when nothing has been reported yet.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub usage_value: Option<EntitlementValue>,
    /// Start of the current usage window (inclusive). Absent for a lifetime entitlement.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub current_period_start: Option<DateTime<Utc>>,
    /// End of the current usage window (exclusive). Absent for a lifetime entitlement.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub current_period_end: Option<DateTime<Utc>>,
}
