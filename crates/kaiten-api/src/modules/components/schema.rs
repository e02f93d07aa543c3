use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::http::RequestSchema;
use crate::modules::user_ref::UserRef;

/// One version of a piece of software the vendor ships. Releases are made of components.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Component {
    /// Unique identifier for the component
    #[schema(read_only, value_type = String)]
    pub id: Uuid,
    /// Name of the component
    #[schema(min_length = 1, max_length = 100, examples("api-gateway"))]
    pub name: String,
    /// Version of the component
    #[schema(min_length = 1, max_length = 100, examples("v1.2.3"))]
    pub version: String,
    /// Optional URL-friendly identifier, unique per organization. Auto-generated if not provided.
    #[schema(required = false, min_length = 2, max_length = 100, pattern = "^[a-z0-9][a-z0-9-]*[a-z0-9]$")]
    pub slug: String,
    /// Description of the component
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, max_length = 500)]
    pub description: Option<String>,
    /// Reference to the previous version of this component
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<String>)]
    pub previous_component_id: Option<Uuid>,
    /// Timestamp when the component was created
    #[schema(read_only)]
    pub created_at: DateTime<Utc>,
    /// User who created this component
    #[schema(read_only)]
    pub created_by: UserRef,
}

crate::page_schema!(PageComponent, Component);

/// The body of create and update, validated against `Component` first.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ComponentInput {
    pub name: String,
    pub version: String,
    pub slug: Option<String>,
    pub description: Option<String>,
    pub previous_component_id: Option<String>,
}

impl RequestSchema for ComponentInput {
    const SCHEMA: &'static str = "Component";
}

impl ComponentInput {
    /// What a generated slug is made of: name and version, so versions get distinct slugs.
    pub fn slug_source(&self) -> String {
        format!("{}-{}", self.name, self.version)
    }
}
