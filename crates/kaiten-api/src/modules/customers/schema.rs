use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use kaiten_kernel::Error;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::http::RequestSchema;
use crate::modules::user_ref::UserRef;

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Customer {
    /// Unique identifier for the customer
    #[schema(read_only, value_type = String)]
    pub id: Uuid,
    /// Name of the customer
    #[schema(min_length = 1, examples("Awesome Customer"))]
    pub name: String,
    /// Optional URL-friendly identifier, unique per organization. Auto-generated if not provided.
    #[schema(required = false, min_length = 2, max_length = 100, pattern = "^[a-z0-9][a-z0-9-]*[a-z0-9]$")]
    pub slug: String,
    /// Optional customer domain name
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, pattern = r"^[a-z0-9_-]+(\.[a-z0-9_-]+)+$")]
    pub domain: Option<String>,
    /// Optional identifier for the customer in an external system
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_customer_id: Option<String>,
    /// Integrations grouped by adapter name
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    #[schema(required = false)]
    pub integrations: BTreeMap<String, CustomerIntegration>,
    /// Timestamp when the customer was created
    #[schema(read_only)]
    pub created_at: DateTime<Utc>,
    /// User who created this customer
    #[schema(read_only)]
    pub created_by: UserRef,
    /// Timestamp when the customer was last updated
    #[schema(read_only)]
    pub updated_at: DateTime<Utc>,
    /// User who last updated this customer
    #[schema(read_only)]
    pub updated_by: UserRef,
}

crate::integration_schema!(CustomerIntegration);

crate::page_schema!(PageCustomer, Customer);

/// The body of create and update, validated against `Customer`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerInput {
    pub name: String,
    pub slug: Option<String>,
    pub domain: Option<String>,
    pub external_customer_id: Option<String>,
    pub integrations: Option<BTreeMap<String, IntegrationInput>>,
}

impl RequestSchema for CustomerInput {
    const SCHEMA: &'static str = "Customer";
}

#[derive(Debug, Clone, Deserialize)]
pub struct IntegrationInput {
    pub external_id: String,
    pub last_error: Option<String>,
    pub metadata: Option<serde_json::Value>,
    pub web_url: Option<String>,
}

impl IntegrationInput {
    /// Trimmed and checked: a non-empty external id and an absolute http(s) link.
    pub fn normalized(mut self, adapter: &str, code: &'static str) -> Result<Self, Error> {
        self.external_id = self.external_id.trim().to_owned();
        if adapter.trim().is_empty() {
            return Err(Error::bad_request(code, "an integration's adapter name must not be empty"));
        }
        if self.external_id.is_empty() {
            return Err(Error::bad_request(code, format!("integration {adapter}: external_id must not be empty")));
        }
        if let Some(url) = &self.web_url {
            let absolute = url
                .strip_prefix("https://")
                .or_else(|| url.strip_prefix("http://"))
                .is_some_and(|rest| rest.split('/').next().is_some_and(|host| !host.is_empty()));
            if !absolute {
                return Err(Error::bad_request(
                    code,
                    format!("integration {adapter}: web_url must be an absolute http(s) URL"),
                ));
            }
        }
        Ok(self)
    }
}
