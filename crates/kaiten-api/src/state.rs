use std::sync::Arc;

use axum::extract::FromRef;
use sqlx::PgPool;

use crate::auth::Authenticator;
use crate::http::operations::OperationScopes;
use crate::http::schema_validation::SchemaRegistry;

/// What every handler of one surface can reach.
#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub auth: Arc<Authenticator>,
    pub schemas: Arc<SchemaRegistry>,
    pub scopes: Arc<OperationScopes>,
}

impl FromRef<AppState> for Arc<SchemaRegistry> {
    fn from_ref(state: &AppState) -> Self {
        state.schemas.clone()
    }
}
