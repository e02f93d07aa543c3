//! The bodies of the integration operations. The single-link operations reuse the owners'
//! `CustomerIntegration` and `InstanceIntegration` (snake_case); the by-external-id ones have
//! their own camelCase bodies.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::http::RequestSchema;
use crate::modules::customers::schema::IntegrationInput;

/// A `CustomerIntegration` request body.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct CustomerIntegrationBody(pub IntegrationInput);

impl RequestSchema for CustomerIntegrationBody {
    const SCHEMA: &'static str = "CustomerIntegration";
}

/// An `InstanceIntegration` request body.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct InstanceIntegrationBody(pub IntegrationInput);

impl RequestSchema for InstanceIntegrationBody {
    const SCHEMA: &'static str = "InstanceIntegration";
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomerBody {
    /// Optional customer domain name
    #[schema(nullable = false, pattern = r"^[a-z0-9_-]+(\.[a-z0-9_-]+)+$", examples("example.tld"))]
    pub domain: Option<String>,
    /// Optional integration error message
    #[schema(nullable = false)]
    pub error: Option<String>,
    /// Adapter-specific integration metadata
    #[schema(nullable = false, required = false, value_type = Object, additional_properties)]
    pub integration_metadata: Option<serde_json::Value>,
    /// Customer name
    #[schema(nullable = false, min_length = 1, examples("Awesome Customer"))]
    pub name: Option<String>,
    /// Customer slug
    #[schema(
        nullable = false,
        min_length = 2,
        max_length = 100,
        pattern = "^[a-z0-9][a-z0-9-]*[a-z0-9]$",
        examples("awesome-customer")
    )]
    pub slug: Option<String>,
    /// Absolute http(s) link to the record in the third-party system
    #[schema(nullable = false, examples("https://app.attio.com/w/acme/record/rec_12345"))]
    pub web_url: Option<String>,
}

impl RequestSchema for CustomerBody {
    const SCHEMA: &'static str = "CustomerBody";
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomerIntegrationResource {
    /// Optional customer domain name
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, examples("example.tld"))]
    pub domain: Option<String>,
    /// Last synchronization error for this integration, if any
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub error: Option<String>,
    /// Adapter-specific customer integration metadata
    #[schema(value_type = Object, additional_properties)]
    pub integration_metadata: serde_json::Value,
    /// Customer name
    #[schema(examples("Awesome Customer"))]
    pub name: String,
    /// Customer slug
    #[schema(examples("awesome-customer"))]
    pub slug: String,
    /// Absolute http(s) link to the record in the third-party system
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, examples("https://app.attio.com/w/acme/company/rec_12345"))]
    pub web_url: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InstanceBody {
    /// External identifier of the related customer in the same adapter
    #[schema(nullable = false, examples("rec_customer_123"))]
    pub customer_external_id: Option<String>,
    /// Deployment zone ID
    #[schema(nullable = false, examples("123e4567-e89b-12d3-a456-426614174005"))]
    pub deployment_zone_id: Option<String>,
    /// Instance description
    #[schema(nullable = false, examples("This is a sample instance description"))]
    pub description: Option<String>,
    /// License end date
    #[schema(nullable = false, examples("2024-10-01T12:00:00Z"))]
    pub end_license_date: Option<DateTime<Utc>>,
    /// Optional integration error message
    #[schema(nullable = false)]
    pub error: Option<String>,
    /// Adapter-specific integration metadata
    #[schema(nullable = false, required = false, value_type = Object, additional_properties)]
    pub integration_metadata: Option<serde_json::Value>,
    /// License ID
    #[schema(nullable = false, examples("123e4567-e89b-12d3-a456-426614174004"))]
    pub license_id: Option<String>,
    /// Instance metadata
    #[schema(nullable = false, required = false, value_type = Object, additional_properties)]
    pub metadata: Option<serde_json::Value>,
    /// Instance name
    #[schema(nullable = false, min_length = 1, examples("My Instance"))]
    pub name: Option<String>,
    /// Instance slug
    #[schema(
        nullable = false,
        min_length = 2,
        max_length = 100,
        pattern = "^[a-z0-9][a-z0-9-]*[a-z0-9]$",
        examples("my-instance")
    )]
    pub slug: Option<String>,
    /// License start date
    #[schema(nullable = false, examples("2023-10-01T12:00:00Z"))]
    pub start_license_date: Option<DateTime<Utc>>,
    /// Absolute http(s) link to the record in the third-party system
    #[schema(nullable = false, examples("https://app.attio.com/w/acme/record/rec_12345"))]
    pub web_url: Option<String>,
}

impl RequestSchema for InstanceBody {
    const SCHEMA: &'static str = "InstanceBody";
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InstanceIntegrationResource {
    /// External identifier of the related customer in the same adapter
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, examples("rec_customer_123"))]
    pub customer_external_id: Option<String>,
    /// Deployment zone ID
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<String>, examples("123e4567-e89b-12d3-a456-426614174005"))]
    pub deployment_zone_id: Option<Uuid>,
    /// Instance description
    #[schema(examples("This is a sample instance description"))]
    pub description: String,
    /// License end date
    #[schema(examples("2024-10-01T12:00:00Z"))]
    pub end_license_date: DateTime<Utc>,
    /// Last synchronization error for this integration, if any
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub error: Option<String>,
    /// Adapter-specific instance integration metadata
    #[schema(value_type = Object, additional_properties)]
    pub integration_metadata: serde_json::Value,
    /// License ID
    #[schema(value_type = String, examples("123e4567-e89b-12d3-a456-426614174004"))]
    pub license_id: Uuid,
    /// Instance name
    #[schema(examples("My Instance"))]
    pub name: String,
    /// Instance slug
    #[schema(examples("my-instance"))]
    pub slug: String,
    /// License start date
    #[schema(examples("2023-10-01T12:00:00Z"))]
    pub start_license_date: DateTime<Utc>,
    /// Absolute http(s) link to the record in the third-party system
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, examples("https://app.attio.com/w/acme/workspace/rec_12345"))]
    pub web_url: Option<String>,
}
