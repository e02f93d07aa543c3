use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::http::RequestSchema;
use crate::modules::customers::schema::IntegrationInput;
use crate::modules::user_ref::UserRef;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, sqlx::Type)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sqlx(type_name = "instance_status", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InstanceStatus {
    Healthy,
    Degraded,
    Incident,
    Maintenance,
}

/// One deployment of the vendor's product for a customer, under one license version.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Instance {
    /// Unique identifier for the instance
    #[schema(read_only, value_type = String)]
    pub id: Uuid,
    /// Name of the instance
    #[schema(min_length = 1)]
    pub name: String,
    /// Optional URL-friendly identifier, unique per organization. Auto-generated if not provided.
    #[schema(required = false, min_length = 2, max_length = 100, pattern = "^[a-z0-9][a-z0-9-]*[a-z0-9]$")]
    pub slug: String,
    /// Description of the instance
    pub description: String,
    /// Identifier of the customer this instance belongs to
    #[schema(value_type = String)]
    pub customer_id: Uuid,
    /// Slug of the customer this instance belongs to
    #[schema(read_only)]
    pub customer_slug: String,
    /// Identifier of the license version the instance runs under
    #[schema(value_type = String)]
    pub license_id: Uuid,
    /// Slug of the license version the instance runs under
    #[schema(read_only)]
    pub license_slug: String,
    /// Identifier of the deployment zone the instance runs in
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<String>)]
    pub deployment_zone_id: Option<Uuid>,
    /// Slug of the deployment zone the instance runs in
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(read_only, nullable = false)]
    pub deployment_zone_slug: Option<String>,
    /// Start date of the instance's license
    pub start_license_date: DateTime<Utc>,
    /// End date of the instance's license
    pub end_license_date: DateTime<Utc>,
    /// Metadata for the instance
    #[schema(required = false, value_type = Object, additional_properties)]
    pub metadata: serde_json::Value,
    /// Operational status of the instance
    #[schema(read_only, required = false, inline)]
    pub status: InstanceStatus,
    /// Commercial lifecycle stage of the instance (free-form; suggested: TRIAL, ACTIVE, AT_RISK, CHURNED)
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(read_only, nullable = false)]
    pub lifecycle_stage: Option<String>,
    /// Integrations grouped by adapter name
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    #[schema(required = false)]
    pub integrations: BTreeMap<String, InstanceIntegration>,
    /// Timestamp when the instance was created
    #[schema(read_only)]
    pub created_at: DateTime<Utc>,
    /// User who created this instance
    #[schema(read_only)]
    pub created_by: UserRef,
    /// Timestamp when the instance was last updated
    #[schema(read_only)]
    pub updated_at: DateTime<Utc>,
    /// User who last updated this instance
    #[schema(read_only)]
    pub updated_by: UserRef,
}

crate::integration_schema!(InstanceIntegration);

crate::page_schema!(PageInstance, Instance);

/// The body of create and update, validated against `Instance` first.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceInput {
    pub name: String,
    pub slug: Option<String>,
    pub description: String,
    pub customer_id: String,
    pub license_id: String,
    pub deployment_zone_id: Option<String>,
    pub start_license_date: DateTime<Utc>,
    pub end_license_date: DateTime<Utc>,
    pub metadata: Option<serde_json::Value>,
    pub integrations: Option<BTreeMap<String, IntegrationInput>>,
}

impl RequestSchema for InstanceInput {
    const SCHEMA: &'static str = "Instance";
}

/// A partial update of the operational status and the commercial lifecycle stage.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PatchInstanceBody {
    /// Operational status of the instance
    #[schema(inline, nullable = false)]
    pub status: Option<InstanceStatus>,
    /// Commercial lifecycle stage (free-form; suggested: TRIAL, ACTIVE, AT_RISK, CHURNED). When omitted, the
    /// stage is left as it is; it cannot be cleared.
    #[schema(nullable = false, min_length = 1)]
    pub lifecycle_stage: Option<String>,
}

impl RequestSchema for PatchInstanceBody {
    const SCHEMA: &'static str = "PatchInstanceBody";
}

/// `INSTANCE_STATUS_CHANGED`
#[derive(Debug, Clone, Serialize)]
pub struct InstanceStatusChanged {
    pub instance_id: Uuid,
    pub previous_status: InstanceStatus,
    pub new_status: InstanceStatus,
    pub changed_by: Uuid,
}

/// `INSTANCE_LIFECYCLE_STAGE_CHANGED`
#[derive(Debug, Clone, Serialize)]
pub struct InstanceLifecycleStageChanged {
    pub instance_id: Uuid,
    pub previous_lifecycle_stage: Option<String>,
    pub new_lifecycle_stage: Option<String>,
    pub changed_by: Uuid,
}
