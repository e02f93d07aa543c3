//! Customers: who bought something. Addressed by a slug unique per organization.

mod create;
mod delete;
mod events;
mod get;
mod list;
pub mod repository;
pub mod schema;
mod update;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list::endpoint, create::endpoint)).routes(routes!(
        get::endpoint,
        update::endpoint,
        delete::endpoint
    ))
}
