use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::kinds::{AggregationMethod, EntitlementType, ResetAnchor, ResetPeriod};
use crate::http::RequestSchema;

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Entitlement {
    /// Unique identifier for the entitlement
    #[schema(read_only, value_type = String, examples("123e4567-e89b-12d3-a456-426614174000"))]
    pub id: Uuid,
    /// Name of the entitlement
    #[schema(min_length = 1, examples("Basic Plan"))]
    pub name: String,
    /// Optional URL-friendly identifier, unique per organization. Auto-generated if not provided.
    #[schema(required = false, min_length = 2, max_length = 100, pattern = "^[a-z0-9][a-z0-9-]*[a-z0-9]$")]
    pub slug: String,
    /// Description of the entitlement
    #[schema(required = true)]
    pub description: Option<String>,
    /// Type of the entitlement
    #[schema(required = false, inline)]
    pub r#type: EntitlementType,
    /// Method used to fold each reported usage value into the stored total (NUMBER only). Defaults to SUM.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, inline)]
    pub aggregation_method: Option<AggregationMethod>,
    /// Optional icon, stored as a provider-namespaced token (provider:name). Decoupled from any specific icon library.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, max_length = 64, pattern = "^[a-z0-9]+:[a-z0-9]+(-[a-z0-9]+)*$")]
    pub icon: Option<String>,
    /// Singular label of the base unit this entitlement is measured in (NUMBER type only). Must be provided together with unitPlural.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, min_length = 1, max_length = 100)]
    pub unit_singular: Option<String>,
    /// Plural label of the base unit this entitlement is measured in (NUMBER type only). Must be provided together with unitSingular.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, min_length = 1, max_length = 100)]
    pub unit_plural: Option<String>,
    /// Singular label of the unit this entitlement is sold in, when it differs from the base unit.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, min_length = 1, max_length = 100)]
    pub sale_unit_singular: Option<String>,
    /// Plural label of the unit this entitlement is sold in, when it differs from the base unit.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, min_length = 1, max_length = 100)]
    pub sale_unit_plural: Option<String>,
    /// Number of base units one sale unit represents (1 sale unit = N base units).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, exclusive_minimum = 0.0, format = Double)]
    pub sale_unit_factor: Option<f64>,
    /// Whether this entitlement is displayed in customer-facing components. Defaults to false.
    #[schema(required = false)]
    pub user_facing: bool,
    /// Sort order of this entitlement in customer-facing components (ascending). Defaults to 0.
    #[schema(required = false, minimum = 0, format = Int32)]
    pub display_order: i32,
    /// Percentage of the cap at which an early-warning event fires before the cap is reached. 0 disables the warning (default).
    #[schema(required = false, minimum = 0, maximum = 100, format = Int32)]
    pub warning_threshold_percent: i32,
    /// Cadence at which usage automatically resets for this NUMBER entitlement. NULL means a lifetime counter (default). Immutable once set.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, inline)]
    pub reset_period: Option<ResetPeriod>,
    /// Phase of the periodic usage window: CALENDAR or LICENSE_START. Defaults to CALENDAR when a period is set. Immutable once set.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, inline)]
    pub reset_anchor: Option<ResetAnchor>,
    /// Groups associated with this entitlement
    #[schema(read_only, required = false)]
    pub entitlement_groups: Option<Vec<EntitlementGroupSummary>>,
    /// Groups associated with this entitlement, identified by slug
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(write_only, required = false)]
    pub group_slugs: Option<Vec<String>>,
    /// Timestamp when this entitlement was created
    #[schema(read_only)]
    pub created_at: DateTime<Utc>,
    /// Timestamp when this entitlement was last updated
    #[schema(read_only)]
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct EntitlementGroupSummary {
    #[schema(value_type = String)]
    pub id: Uuid,
    pub name: String,
    pub slug: String,
}

crate::page_schema!(PageEntitlement, Entitlement);

/// The body of create and update, validated against `Entitlement` first.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntitlementInput {
    pub name: String,
    pub slug: Option<String>,
    pub description: Option<String>,
    pub r#type: Option<EntitlementType>,
    pub aggregation_method: Option<AggregationMethod>,
    pub icon: Option<String>,
    pub unit_singular: Option<String>,
    pub unit_plural: Option<String>,
    pub sale_unit_singular: Option<String>,
    pub sale_unit_plural: Option<String>,
    pub sale_unit_factor: Option<f64>,
    pub user_facing: Option<bool>,
    pub display_order: Option<i32>,
    pub warning_threshold_percent: Option<i32>,
    pub reset_period: Option<ResetPeriod>,
    pub reset_anchor: Option<ResetAnchor>,
    pub group_slugs: Option<Vec<String>>,
}

impl RequestSchema for EntitlementInput {
    const SCHEMA: &'static str = "Entitlement";
}
