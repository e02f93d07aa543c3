//! Service accounts: machine users of one organization, which hold `ksh_` tokens.

mod create;
mod get;
mod list;
pub mod repository;
mod update;

use std::sync::Arc;

use axum::extract::FromRef;
use sqlx::PgPool;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::schema_validation::SchemaRegistry;

pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    PgPool: FromRef<S>,
    Arc<SchemaRegistry>: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(list::endpoint, create::endpoint))
        .routes(routes!(get::endpoint, update::endpoint))
}
