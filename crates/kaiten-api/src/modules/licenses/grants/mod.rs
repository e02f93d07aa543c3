//! Grants: the value each license version gives each entitlement, checked against the
//! entitlement's type, with the overage that sets the usage cap.

mod associate;
mod checked;
mod delete;
mod get;
mod list;
pub mod overage;
pub mod repository;
pub mod schema;
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
    OpenApiRouter::new().routes(routes!(list::endpoint, associate::endpoint)).routes(routes!(
        get::endpoint,
        update::endpoint,
        delete::endpoint
    ))
}
