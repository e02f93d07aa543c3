//! Releases: immutable sets of component versions, deployed to zones.
//!
//! | method | path                        | file      |
//! | ------ | --------------------------- | --------- |
//! | GET    | /api/releases               | list.rs   |
//! | POST   | /api/releases               | create.rs |
//! | GET    | /api/releases/{releaseSlug} | get.rs    |
//! | DELETE | /api/releases/{releaseSlug} | delete.rs |

mod create;
mod delete;
mod events;
mod get;
mod list;
pub mod repository;
pub mod schema;

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
        .routes(routes!(get::endpoint, delete::endpoint))
}
