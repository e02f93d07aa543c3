//! Service-account tokens (`ksh_`), and the store every kind of token is written through.

mod create;
mod delete;
mod list;
pub mod repository;

use std::sync::Arc;

use axum::extract::FromRef;
use sqlx::PgPool;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Authenticator;
use crate::http::schema_validation::SchemaRegistry;

pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    PgPool: FromRef<S>,
    Arc<SchemaRegistry>: FromRef<S>,
    Arc<Authenticator>: FromRef<S>,
{
    OpenApiRouter::new().routes(routes!(list::endpoint, create::endpoint)).routes(routes!(delete::endpoint))
}
