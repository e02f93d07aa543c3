//! The outgoing-webhook resources. This API is the server's own (the original delegated it to
//! Svix); it is documented in the generated OpenAPI under the `webhooks` tag.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::http::RequestSchema;

/// Where an organization's events are delivered, signed.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEndpoint {
    #[schema(value_type = String)]
    pub id: Uuid,
    /// The http(s) URL deliveries are POSTed to.
    pub url: String,
    pub description: String,
    /// The CloudEvents types (the contract's `webhooks:` keys) this endpoint receives; empty: all.
    pub event_types: Vec<String>,
    /// A disabled endpoint receives nothing; its pending deliveries wait until it is enabled.
    pub disabled: bool,
    /// Why it was disabled (by a user, or after failing without a break for too long).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub disabled_reason: Option<String>,
    /// Since when every attempt has failed; absent while deliveries succeed.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub failing_since: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A created endpoint, with its signing secret.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedWebhookEndpoint {
    #[serde(flatten)]
    pub endpoint: WebhookEndpoint,
    /// `whsec_` + base64 of the key: verify deliveries with it (any Svix or Standard Webhooks library).
    pub secret: String,
}

/// The body of create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateWebhookEndpoint {
    #[schema(min_length = 1, max_length = 2048, examples("https://hooks.example.com/kaiten"))]
    pub url: String,
    #[schema(max_length = 500)]
    pub description: Option<String>,
    /// Event names (`CUSTOMER_CREATED`) or types (`com.kaiten.customer.v1.created`); omitted or empty: all.
    #[schema(max_items = 100)]
    pub event_types: Option<Vec<String>>,
    pub disabled: Option<bool>,
}

impl RequestSchema for CreateWebhookEndpoint {
    const SCHEMA: &'static str = "CreateWebhookEndpoint";
}

/// The body of update: what is given replaces, what is omitted stays.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateWebhookEndpoint {
    #[schema(min_length = 1, max_length = 2048)]
    pub url: Option<String>,
    #[schema(max_length = 500)]
    pub description: Option<String>,
    #[schema(max_items = 100)]
    pub event_types: Option<Vec<String>>,
    /// `false` re-enables an endpoint (and forgets its failing streak).
    pub disabled: Option<bool>,
}

impl RequestSchema for UpdateWebhookEndpoint {
    const SCHEMA: &'static str = "UpdateWebhookEndpoint";
}

/// The endpoint's current signing secret.
#[derive(Serialize, ToSchema)]
pub struct WebhookSecret {
    pub key: String,
}

/// The body of a rotation.
#[derive(Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RotateWebhookSecret {
    /// The new secret (`whsec_` + base64 of 24–64 bytes); omitted: one is generated.
    pub key: Option<String>,
    /// How long the previous secrets keep signing beside the new one; default one day.
    #[schema(minimum = 0, maximum = 604_800)]
    pub grace_period_seconds: Option<u32>,
}

impl RequestSchema for RotateWebhookSecret {
    const SCHEMA: &'static str = "RotateWebhookSecret";
}

/// One event on its way to one endpoint.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct WebhookDelivery {
    #[schema(value_type = String)]
    pub id: Uuid,
    /// The event's id: the `svix-id` / `webhook-id` header, the same on every attempt.
    #[schema(value_type = String)]
    pub event_id: Uuid,
    pub event_name: String,
    pub event_type: String,
    /// `pending` (waiting for its next attempt), `delivered` (a 2xx came back) or `failed`
    /// (every attempt of the schedule failed).
    #[schema(examples("pending", "delivered", "failed"))]
    pub status: String,
    pub attempts: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub next_attempt_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub last_status_code: Option<i32>,
    pub created_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub delivered_at: Option<DateTime<Utc>>,
}

crate::page_schema!(PageWebhookDelivery, WebhookDelivery);
crate::page_schema!(PageWebhookEndpoint, WebhookEndpoint);

/// One try of a delivery.
#[derive(Debug, Serialize, ToSchema, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct WebhookAttempt {
    #[schema(value_type = String)]
    pub id: Uuid,
    pub attempted_at: DateTime<Utc>,
    pub duration_ms: i32,
    /// The receiver's HTTP status; absent when none came (refused, unreachable, timed out).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub status_code: Option<i32>,
    /// `delivered` or `failed`.
    pub outcome: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub error: Option<String>,
    /// The start of the receiver's answer (at most 1 KiB).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub response: Option<String>,
}

/// The attempts of a delivery, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookAttempts {
    pub items: Vec<WebhookAttempt>,
}

/// The body of recover.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecoverWebhookDeliveries {
    /// Failed deliveries created at or after this instant are attempted again.
    pub since: DateTime<Utc>,
}

impl RequestSchema for RecoverWebhookDeliveries {
    const SCHEMA: &'static str = "RecoverWebhookDeliveries";
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveredWebhookDeliveries {
    /// How many failed deliveries were queued again.
    pub recovered: u64,
}

/// The secret-bearing bodies print without their secret, should one ever be logged.
macro_rules! redacted_debug {
    ($type:ty, $name:literal) => {
        impl std::fmt::Debug for $type {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!($name, "(…)"))
            }
        }
    };
}

redacted_debug!(CreatedWebhookEndpoint, "CreatedWebhookEndpoint");
redacted_debug!(WebhookSecret, "WebhookSecret");
redacted_debug!(RotateWebhookSecret, "RotateWebhookSecret");
