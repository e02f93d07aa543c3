//! Instances: deployments of the vendor's product for a customer, under one license version,
//! and the usage they report against it.

pub mod audit;
mod create;
mod delete;
pub mod events;
mod get;
mod list;
mod patch;
pub mod repository;
pub mod schema;
mod update;
pub mod usage;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list::endpoint, create::endpoint))
        .routes(routes!(get::endpoint, update::endpoint, patch::endpoint, delete::endpoint))
        .routes(routes!(audit::endpoint))
        .routes(routes!(usage::read::all))
        .routes(routes!(usage::read::one, usage::report::endpoint))
}
