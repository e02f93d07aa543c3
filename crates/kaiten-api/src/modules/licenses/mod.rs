//! Licenses: versioned plans. A family is the product (its slug is the stable address); each
//! license row is one version of it, DRAFT → PUBLISHED → ARCHIVED, numbered by the server.

mod create;
mod delete;
pub mod events;
pub mod families;
mod get;
pub mod grants;
mod lifecycle;
mod list;
pub mod repository;
pub mod schema;
mod update;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list::endpoint, create::endpoint))
        .routes(routes!(get::endpoint, update::endpoint, delete::endpoint))
        .routes(routes!(lifecycle::publish))
        .routes(routes!(lifecycle::archive))
        .routes(routes!(lifecycle::unarchive))
        .routes(routes!(families::list::endpoint))
        .routes(routes!(families::get::endpoint))
        .merge(grants::router())
}
