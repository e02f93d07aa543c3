use std::sync::Arc;

use axum::extract::FromRef;
use sqlx::PgPool;

use crate::auth::Authenticator;
use crate::http::operations::OperationScopes;
use crate::http::schema_validation::SchemaRegistry;
use crate::modules::featureflags::runtime::FlagRuntime;
use crate::modules::webhook_endpoints::settings::WebhookSettings;

/// What every handler of one surface can reach.
#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub auth: Arc<Authenticator>,
    pub schemas: Arc<SchemaRegistry>,
    pub scopes: Arc<OperationScopes>,
    pub usage: UsageConfig,
    pub flags: Arc<FlagRuntime>,
    pub webhooks: WebhookSettings,
    pub graphql: Arc<crate::graphql::Service>,
}

/// How usage reports are deduplicated and rolled over.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UsageConfig {
    /// How long a `transactionId` is remembered, in seconds.
    pub idempotency_window_secs: f64,
    /// The most usage windows one report may close at once.
    pub max_closures: usize,
}

impl Default for UsageConfig {
    fn default() -> Self {
        Self { idempotency_window_secs: 35.0 * 24.0 * 3600.0, max_closures: 100_000 }
    }
}

impl FromRef<AppState> for Arc<SchemaRegistry> {
    fn from_ref(state: &AppState) -> Self {
        state.schemas.clone()
    }
}
